//! Random organisations for property tests: valid by construction (links
//! point to earlier objectives on the same or a higher level, weights are
//! positive), varied in metrics, weights, strategies and alignment models.

use okrs::{
    AlignmentModel, Decimal, Document, KeyResult, Link, Metric, Milestone, Objective,
    Overachievement, ProgressFrom, Weight, Zones,
};
use proptest::prelude::*;
use proptest::sample::Index;

const LEVELS: [&str; 4] = ["company", "department", "team", "individual"];
const WEIGHTS: [&str; 5] = ["1", "2", "0.5", "20", "30"];

#[derive(Debug, Clone)]
pub(crate) struct KrSpec {
    weight: usize,
    metric: Option<(u8, i64, i64, i64)>,
    subs: Vec<(usize, bool)>,
}

#[derive(Debug, Clone)]
pub(crate) struct ObjectiveSpec {
    level: usize,
    grading: Option<usize>,
    krs: Vec<KrSpec>,
    links: Vec<(Index, usize, Option<bool>)>,
}

fn kr_spec() -> impl Strategy<Value = KrSpec> {
    (
        0..WEIGHTS.len(),
        prop::option::weighted(0.85, (0u8..6, -20i64..20, -20i64..20, -30i64..30)),
        prop::collection::vec((0..WEIGHTS.len(), any::<bool>()), 0..3),
    )
        .prop_map(|(weight, metric, subs)| KrSpec {
            weight,
            metric,
            subs,
        })
}

fn objective_spec() -> impl Strategy<Value = ObjectiveSpec> {
    (
        0..LEVELS.len(),
        prop::option::weighted(0.3, 0usize..3),
        prop::collection::vec(kr_spec(), 0..4),
        prop::collection::vec(
            (
                any::<Index>(),
                0..WEIGHTS.len(),
                prop::option::of(any::<bool>()),
            ),
            0..3,
        ),
    )
        .prop_map(|(level, grading, krs, links)| ObjectiveSpec {
            level,
            grading,
            krs,
            links,
        })
}

/// A random valid document: the model, the cap, the strategy and the objectives.
pub(crate) fn document() -> impl Strategy<Value = Document> {
    (
        prop::sample::select(vec![AlignmentModel::Directional, AlignmentModel::Cascading]),
        prop::sample::select(vec!["1", "1.5"]),
        0usize..3,
        prop::collection::vec(objective_spec(), 1..10),
    )
        .prop_map(|(model, cap, grading, specs)| build(model, cap, grading, &specs))
}

const STRATEGIES: [&str; 3] = ["weighted-mean", "mean", "min"];

fn weight(i: usize) -> Weight {
    WEIGHTS[i].parse().unwrap()
}

fn metric((kind, a, b, c): (u8, i64, i64, i64)) -> Metric {
    let (a, b, c) = (Decimal::from(a), Decimal::from(b), Decimal::from(c));
    match kind {
        0 => Metric::numeric(a, if a == b { b + Decimal::ONE } else { b }).with_current(c),
        1 => Metric::binary(c > Decimal::ZERO),
        2 => Metric::Milestones {
            milestones: vec![
                Milestone::new("m1").done(a > b),
                Milestone::new("m2").done(c > a),
            ],
        },
        3 => Metric::AtLeast {
            threshold: a,
            current: Some(c),
        },
        4 => Metric::Range {
            low: a.min(b),
            high: a.max(b),
            current: Some(c),
        },
        _ => Metric::manual(c / Decimal::from(20)),
    }
}

fn build(model: AlignmentModel, cap: &str, grading: usize, specs: &[ObjectiveSpec]) -> Document {
    let mut doc = Document::new(model);
    doc.progress_cap = cap.parse().unwrap();
    doc.strategy = STRATEGIES[grading].to_owned();
    // (id, level, is an objective, is an unmeasured key result)
    let mut targets: Vec<(String, usize, bool, bool)> = Vec::new();
    for (o, spec) in specs.iter().enumerate() {
        let oid = format!("o{o}");
        let mut objective = Objective::new(
            oid.parse().unwrap(),
            format!("Objective {o}"),
            LEVELS[spec.level],
        );
        if let Some(g) = spec.grading {
            objective = objective.with_strategy(STRATEGIES[g]);
        }
        let eligible: Vec<&(String, usize, bool, bool)> =
            targets.iter().filter(|t| t.1 <= spec.level).collect();
        let mut linked = std::collections::HashSet::new();
        for (pick, w, stated) in &spec.links {
            if eligible.is_empty() {
                break;
            }
            let (tid, _, is_objective, unmeasured) = eligible[pick.index(eligible.len())];
            let contributes = stated.unwrap_or(model == AlignmentModel::Cascading);
            if (contributes && !is_objective && !unmeasured) || !linked.insert(tid.clone()) {
                continue;
            }
            let mut link = Link::new(tid.parse().unwrap()).with_weight(weight(*w));
            if let Some(stated) = stated {
                link = link.contributes(*stated);
            }
            objective = objective.with_link(link);
        }
        for (k, kr) in spec.krs.iter().enumerate() {
            let kid = format!("o{o}k{k}");
            let mut key_result = KeyResult::new(kid.parse().unwrap(), format!("Key result {k}"))
                .with_weight(weight(kr.weight));
            match kr.metric {
                Some(m) => key_result = key_result.with_metric(metric(m)),
                None => {
                    for (s, (w, done)) in kr.subs.iter().enumerate() {
                        key_result = key_result.with_key_result(
                            KeyResult::new(format!("{kid}s{s}").parse().unwrap(), "Sub")
                                .with_weight(weight(*w))
                                .with_metric(Metric::binary(*done)),
                        );
                    }
                }
            }
            objective = objective.with_key_result(key_result);
            let unmeasured = kr.metric.is_none() && kr.subs.is_empty();
            targets.push((kid, spec.level, false, unmeasured));
        }
        targets.push((oid, spec.level, true, false));
        doc.objectives.push(objective);
    }
    doc
}

const FROM: [Option<ProgressFrom>; 4] = [
    None,
    Some(ProgressFrom::KeyResults),
    Some(ProgressFrom::Aligned),
    Some(ProgressFrom::Both),
];
const SHARES: [Option<&str>; 5] = [None, None, Some("0"), Some("0.25"), Some("1")];

/// What [`document_with_rules`] adds to an objective: its `progress_from`,
/// `aligned_share`, and a `sum-of-values` key result of up to three
/// numeric sub-key results (start, distance, current, weight, unit).
type RuleSpec = (usize, usize, Vec<(i64, i64, i64, usize, bool)>);

/// A random valid document that uses issue 14's rules: `progress_from` (set
/// and objectives), `aligned_share`, `overachievement`, `sum-of-values` key
/// results (numeric sub-key results going up, some over their target or
/// below their start), and commit and stretch values on numeric metrics.
pub(crate) fn document_with_rules() -> impl Strategy<Value = Document> {
    (
        document(),
        any::<bool>(),
        0..FROM.len(),
        prop::collection::vec(
            (
                0..FROM.len(),
                0..SHARES.len(),
                prop::collection::vec(
                    (
                        -20i64..20,
                        1i64..30,
                        -40i64..60,
                        0..WEIGHTS.len(),
                        any::<bool>(),
                    ),
                    0..4,
                ),
            ),
            10,
        ),
    )
        .prop_map(
            |(mut doc, counts, from, specs): (Document, bool, usize, Vec<RuleSpec>)| {
                if counts {
                    doc.overachievement = Overachievement::Counts;
                }
                doc.progress_from = FROM[from].unwrap_or_default();
                for (o, (objective, (from, share, sums))) in
                    doc.objectives.iter_mut().zip(specs).enumerate()
                {
                    objective.progress_from = FROM[from];
                    objective.aligned_share = SHARES[share].map(|s| s.parse().unwrap());
                    for kr in &mut objective.key_results {
                        with_zones(kr);
                    }
                    if !sums.is_empty() {
                        let mut sum = KeyResult::new(format!("o{o}sum").parse().unwrap(), "Sum")
                            .with_strategy("sum-of-values");
                        for (s, (start, distance, current, weight, euro)) in
                            sums.into_iter().enumerate()
                        {
                            let mut metric =
                                Metric::numeric(start.into(), (start + distance).into())
                                    .with_current(current.into());
                            if euro {
                                metric = metric.with_unit("EUR");
                            }
                            let mut sub =
                                KeyResult::new(format!("o{o}sum{s}").parse().unwrap(), "Part")
                                    .with_weight(weight_at(weight))
                                    .with_metric(metric);
                            with_zones(&mut sub);
                            sum = sum.with_key_result(sub);
                        }
                        // Every counted part weighing zero is refused.
                        if sum.key_results.iter().all(|k| k.weight == Weight::ZERO) {
                            sum.key_results[0].weight = Weight::ONE;
                        }
                        objective.key_results.push(sum);
                    }
                }
                doc
            },
        )
}

fn weight_at(i: usize) -> Weight {
    weight(i)
}

/// Commit and stretch values halfway to the target and as far beyond it,
/// on a numeric metric.
fn with_zones(kr: &mut KeyResult) {
    if let Some(Metric::Numeric { start, target, .. }) = &kr.metric {
        let (start, target) = (*start, *target);
        let commit = (start + target) / Decimal::TWO;
        let stretch = target + (target - start);
        kr.metric = kr
            .metric
            .take()
            .map(|m| m.with_zones(Zones::new(Some(commit), Some(stretch))));
    }
}
