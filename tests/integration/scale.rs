//! The synthetic organisation and the batch edits.

use okrs::{CheckIn, CheckInValue, Decimal, Error, Metric, OkrSet};
use proptest::prelude::*;

use crate::d;
use crate::properties::measured_key_results;

#[test]
fn the_synthetic_organisation_has_the_promised_shape() {
    let doc = okrs::sample::synthetic(10_000, 3);
    assert_eq!(doc, okrs::sample::synthetic(10_000, 3), "deterministic");
    assert_ne!(doc, okrs::sample::synthetic(10_000, 4), "seeded");
    let set = OkrSet::from_document(doc.clone()).unwrap();
    let nodes = set.nodes().count();
    assert!((10_000..10_020).contains(&nodes), "{nodes}");
    let objectives = doc.objectives.len();
    let two_parents = doc
        .objectives
        .iter()
        .filter(|o| o.aligned_to.len() == 2)
        .count();
    // One in ten of those that can have two (all but the company's).
    let share = two_parents as f64 / objectives as f64;
    assert!((0.05..0.15).contains(&share), "{share}");
    for objective in &doc.objectives {
        assert!((2..=4).contains(&objective.key_results.len()));
    }
    assert_eq!(
        set.objectives()
            .filter(|o| o.level() == Some("company"))
            .count(),
        doc.objectives
            .iter()
            .filter(|o| o.level == "company")
            .count()
    );
}

#[test]
fn a_batch_is_all_or_nothing() {
    let mut set = OkrSet::from_document(okrs::sample::synthetic(300, 1)).unwrap();
    let krs: Vec<String> = measured_key_results(&set).into_iter().take(20).collect();
    let before = set.clone();
    let mut batch: Vec<(String, Option<Metric>)> = krs
        .iter()
        .map(|k| {
            (
                k.clone(),
                Some(Metric::numeric(d("0"), d("10")).with_current(d("7"))),
            )
        })
        .collect();
    batch.push(("nobody".into(), None));
    assert!(matches!(
        set.set_metric_many(batch),
        Err(Error::UnknownNode(_))
    ));
    assert_eq!(set, before);
    // A check-in that does not fit refuses the whole batch.
    let mut checks: Vec<(String, CheckIn)> = krs
        .iter()
        .map(|k| {
            (
                k.clone(),
                CheckIn::new("2027-01-01".parse().unwrap(), CheckInValue::Number(d("3"))),
            )
        })
        .collect();
    checks.push((
        krs[0].clone(),
        CheckIn::new("2027-01-02".parse().unwrap(), CheckInValue::Done(true)),
    ));
    assert!(matches!(
        set.check_in_many(checks),
        Err(Error::CheckInValue { .. })
    ));
    assert_eq!(set, before);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn a_batch_equals_the_same_edits_one_by_one(
        seed in any::<u64>(),
        values in prop::collection::vec((any::<prop::sample::Index>(), 0i64..=10), 1..40),
    ) {
        let mut one_by_one = OkrSet::from_document(okrs::sample::synthetic(400, seed)).unwrap();
        let krs = measured_key_results(&one_by_one);
        // Reset the picked key results to their start so that they take check-ins.
        let picked: Vec<(String, i64)> = values
            .iter()
            .map(|(i, v)| (krs[i.index(krs.len())].clone(), *v))
            .collect();
        let start = Metric::numeric(Decimal::ZERO, Decimal::TEN);
        for (kr, _) in &picked {
            one_by_one.set_metric(kr, Some(start.clone())).unwrap();
        }
        let mut batch = one_by_one.clone();
        let at: okrs::Moment = "2027-02-01".parse().unwrap();
        for (kr, v) in &picked {
            one_by_one.check_in(kr, CheckIn::new(at, CheckInValue::Number(Decimal::from(*v)))).unwrap();
        }
        batch
            .check_in_many(picked.iter().map(|(kr, v)| (kr, CheckIn::new(at, CheckInValue::Number(Decimal::from(*v))))))
            .unwrap();
        prop_assert_eq!(&batch, &one_by_one);
        let reloaded = OkrSet::from_document(batch.to_document()).unwrap();
        prop_assert_eq!(reloaded, batch);
    }
}

/// Two objectives with `wide` contributing objectives each (some shared),
/// graded by `strategy`; weights and targets in thirds and sevenths, so
/// that sums round and the order of additions shows in the last digit.
fn wide_document(wide: usize, strategy: &str, weights: &[u8]) -> okrs::Document {
    use okrs::{AlignmentModel, Document, Id, KeyResult, Link, Objective, Weight};
    let id = |s: String| Id::new(s).unwrap();
    let third = |n: u8| Weight::new(Decimal::from(n) / Decimal::from(3)).unwrap();
    let mut doc = Document::new(AlignmentModel::Cascading);
    for top in ["top0", "top1"] {
        doc = doc.with_objective(
            Objective::new(id(top.into()), "Top", "company")
                .with_strategy(strategy)
                .with_key_result(
                    KeyResult::new(id(format!("{top}-kr")), "Own")
                        .with_metric(Metric::numeric(Decimal::ZERO, Decimal::from(7))),
                ),
        );
    }
    for i in 0..wide {
        let w = weights[i % weights.len()];
        let mut child = Objective::new(id(format!("c{i}")), "Child", "team")
            .with_link(Link::new(id("top0".into())).with_weight(third(w)));
        if i % 3 == 0 {
            child = child.with_link(Link::new(id("top1".into())).with_weight(third(w + 1)));
        }
        for k in 0..2 {
            child = child.with_key_result(
                KeyResult::new(id(format!("c{i}k{k}")), "KR")
                    .with_weight(third(k + 1))
                    .with_metric(
                        Metric::numeric(Decimal::ZERO, Decimal::from(7))
                            .with_current(Decimal::from((i + usize::from(k)) % 8)),
                    ),
            );
        }
        doc = doc.with_objective(child);
    }
    doc
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Nodes with more than 32 inputs keep partial sums and redo only the
    /// blocks of changed inputs; whatever the edits, single or batched, the
    /// result equals a full roll-up of a reload, digit for digit.
    #[test]
    fn wide_nodes_roll_up_incrementally_like_a_full_pass(
        wide in 20usize..200,
        strategy in prop::sample::select(vec!["weighted-mean", "mean", "min"]),
        weights in prop::collection::vec(0u8..5, 1..6),
        edits in prop::collection::vec(
            prop::collection::vec((any::<prop::sample::Index>(), 0i64..=7), 1..12),
            1..6,
        ),
    ) {
        let mut set = OkrSet::from_document(wide_document(wide, strategy, &weights)).unwrap();
        let krs = measured_key_results(&set);
        for batch in edits {
            let metrics: Vec<(String, Option<Metric>)> = batch
                .iter()
                .map(|(i, v)| {
                    let metric = Metric::numeric(Decimal::ZERO, Decimal::from(7))
                        .with_current(Decimal::from(*v));
                    (krs[i.index(krs.len())].clone(), Some(metric))
                })
                .collect();
            if metrics.len() == 1 {
                let (kr, metric) = metrics.into_iter().next().unwrap();
                set.set_metric(&kr, metric).unwrap();
            } else {
                set.set_metric_many(metrics).unwrap();
            }
            let reloaded = OkrSet::from_document(set.to_document()).unwrap();
            for node in reloaded.nodes() {
                let id = node.id().as_str();
                let live = set.progress(id).unwrap().value();
                let full = node.progress().unwrap().value();
                prop_assert_eq!(live, full, "{}", id);
                // Same digits, not only the same value.
                prop_assert_eq!(live.scale(), full.scale(), "{}", id);
            }
            let mut recomputed = set.clone();
            recomputed.recompute();
            prop_assert_eq!(&recomputed, &set);
        }
    }
}

#[test]
fn a_wide_node_equals_its_strategy_applied_to_its_inputs() {
    use okrs::Progress;
    let doc = wide_document(150, "weighted-mean", &[1, 2, 4]);
    let set = OkrSet::from_document(doc.clone()).unwrap();
    // top0 counts two groups: its key result, and the children (whose
    // progress the set reports), each group by its number of members. Each
    // group sums its stated weights (in lowest whole terms; the thirds do
    // not fit as whole numbers, so they stay) times progress, in id order —
    // in blocks of 32 added pairwise past 32 terms — and the groups meet in
    // one division: (n₀·W₁·S₀ + n₁·W₀·S₁) / ((n₀ + n₁)·W₀·W₁), where each
    // total W adds left to right.
    let top0 = &doc.objectives[0];
    let own = &top0.key_results[0];
    let mut children: Vec<(String, Decimal, Decimal)> = doc
        .objectives
        .iter()
        .skip(2)
        .map(|child| {
            let link = child
                .aligned_to
                .iter()
                .find(|l| l.id.as_str() == "top0")
                .unwrap();
            let p = set.progress(child.id.as_str()).unwrap().value();
            (child.id.to_string(), link.weight.value(), p)
        })
        .collect();
    children.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(children.len() > 32);
    let own_weight = lowest_whole_terms(&[own.weight.value()])[0];
    let s0 = own_weight * set.progress(own.id.as_str()).unwrap().value();
    let (n0, w0) = (Decimal::ONE, own_weight);
    let terms: Vec<Decimal> = children.iter().map(|(_, w, p)| w * p).collect();
    let s1 = fixed_order_sum(&terms);
    // The total weight adds left to right, whatever the count.
    let w1: Decimal = children.iter().map(|(_, w, _)| *w).sum();
    let n1 = Decimal::from(children.len());
    let expected = (n0 * w1 * s0 + n1 * w0 * s1) / ((n0 + n1) * w0 * w1);
    assert!(!expected.is_zero());
    assert_eq!(
        set.progress("top0").unwrap(),
        Progress::new(expected).unwrap()
    );
}

/// Positive decimals as whole numbers in lowest terms, in the same
/// proportions: each at the largest scale among them, divided by their
/// greatest common divisor; as they are if those do not sum within range.
fn lowest_whole_terms(values: &[Decimal]) -> Vec<Decimal> {
    let scale = values.iter().map(|v| v.scale()).max().unwrap();
    let whole: Vec<u128> = values
        .iter()
        .map(|v| v.mantissa() as u128 * 10u128.pow(scale - v.scale()))
        .collect();
    let gcd = |mut a: u128, mut b: u128| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let divisor = whole.iter().fold(0, |g, &m| gcd(g, m));
    let reduced: Vec<Decimal> = whole
        .into_iter()
        .map(|m| Decimal::from_i128_with_scale((m / divisor) as i128, 0))
        .collect();
    let fits = reduced
        .iter()
        .try_fold(Decimal::ZERO, |sum, w| sum.checked_add(*w))
        .is_some();
    if fits { reduced } else { values.to_vec() }
}

/// The engine's order of additions: up to 32 terms left to right; more in
/// blocks of 32, whose totals are added pairwise along an implicit binary
/// tree (node i adds nodes 2i and 2i + 1; the blocks are its leaves).
fn fixed_order_sum(terms: &[Decimal]) -> Decimal {
    let blocks: Vec<Decimal> = terms.chunks(32).map(|c| c.iter().sum()).collect();
    if blocks.len() == 1 {
        return blocks[0];
    }
    let n = blocks.len();
    fn node(i: usize, n: usize, blocks: &[Decimal]) -> Decimal {
        if i >= n {
            return blocks[i - n];
        }
        node(2 * i, n, blocks) + node(2 * i + 1, n, blocks)
    }
    node(1, n, &blocks)
}
