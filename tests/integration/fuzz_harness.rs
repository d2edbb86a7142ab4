//! The fuzz harnesses, shared by the fuzz targets in `fuzz/` (which include
//! this file) and by the corpus replay in `fuzz_corpus.rs` (which CI runs).
//!
//! Each harness feeds arbitrary bytes to the public API and checks what must
//! always hold: no panic; a loaded set survives its document, JSON and CSV
//! round trips equal; a refused edit leaves the set `==` to before; after an
//! accepted one, the incremental roll-up equals a fresh load.

use std::collections::HashMap;

use arbitrary::{Arbitrary, Unstructured};
use okrs::{
    CarryForward, CheckIn, CheckInValue, Date, Decimal, Document, KeyResult, Link, Metric,
    Objective, OkrSet, Weight,
};

/// Reads bytes as a JSON document and as a CSV sheet; every set that loads
/// must survive its round trips and every read-out.
pub(crate) fn load_document(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(set) = OkrSet::from_json(text) {
        check_loaded(&set);
    }
    if let Ok(document) = Document::from_csv(text) {
        if let Ok(set) = OkrSet::from_document(document) {
            check_loaded(&set);
        }
    }
}

fn check_loaded(set: &OkrSet) {
    let document = set.to_document();
    let again = OkrSet::from_document(document.clone()).expect("a set's own document loads");
    assert_eq!(&again, set, "document round trip");
    let json = document.to_json().expect("json");
    let from_json = OkrSet::from_json(&json).expect("a set's own JSON loads");
    assert_eq!(&from_json, set, "JSON round trip");
    let csv = document.to_csv().expect("csv");
    let from_csv = Document::from_csv(&csv).expect("a set's own CSV parses");
    let from_csv = OkrSet::from_document(from_csv).expect("a set's own CSV loads");
    assert_eq!(&from_csv, set, "CSV round trip");
    let cap = set.progress_cap();
    for date in [
        Date::new(2000, 1, 1).expect("date"),
        Date::new(2027, 2, 15).expect("date"),
    ] {
        let review = set.review(date);
        for node in &review {
            assert!(node.progress.value() <= cap, "progress above the cap");
        }
        let _ = set.lint(date);
        let _ = set.to_markdown(date);
    }
    let _ = set.to_dot();
    let _ = set.to_mermaid();
    let _ = set.alignment_coverage();
    if let Some(objective) = set.objectives().next() {
        let _ = set.impact(objective.id().as_str());
    }
}

/// One edit, with indices into the set's current ids.
#[derive(Debug, Arbitrary)]
pub(crate) enum Op {
    AddObjective {
        level: u8,
        link: Option<(u8, Option<bool>)>,
        period: u8,
        krs: u8,
    },
    RemoveObjective(u8),
    AddKeyResult {
        parent: u8,
        metric: Option<(u8, i8, i8, i8)>,
        weight: u8,
    },
    RemoveKeyResult(u8),
    AddLink {
        from: u8,
        to: u8,
        weight: u8,
        contributes: Option<bool>,
    },
    RemoveLink {
        from: u8,
        to: u8,
    },
    SetWeight {
        key_result: u8,
        weight: u8,
    },
    SetMetric {
        key_result: u8,
        metric: Option<(u8, i8, i8, i8)>,
    },
    CheckIn {
        key_result: u8,
        day: u8,
        value: i8,
        kind: u8,
    },
    ClosePeriod(u8),
    CarryForward {
        objective: u8,
        period: u8,
        keep: bool,
    },
}

const SEED: &str = r#"{ "format": "okrs/1", "alignment": "cascading",
  "periods": [ { "id": "FY", "start": "2027-01-01", "end": "2027-12-31" },
               { "id": "Q1", "start": "2027-01-01", "end": "2027-03-31", "within": "FY" },
               { "id": "Q2", "start": "2027-04-01", "end": "2027-06-30", "within": "FY" } ],
  "objectives": [
    { "id": "co", "title": "Company", "level": "company", "period": "FY",
      "key_results": [ { "id": "co-k", "title": "K", "metric": { "kind": "numeric", "start": "0", "target": "10" } },
                       { "id": "co-open", "title": "Measured by teams" } ] },
    { "id": "team", "title": "Team", "level": "team", "period": "Q1", "aligned_to": [ { "id": "co" } ],
      "key_results": [ { "id": "team-k", "title": "K", "weight": "2",
        "metric": { "kind": "milestones", "milestones": [ { "title": "a" }, { "title": "b" } ] } } ] } ] }"#;

const LEVELS: [&str; 4] = ["company", "department", "team", "individual"];
const PERIODS: [&str; 4] = ["FY", "Q1", "Q2", "nowhere"];

fn metric(spec: (u8, i8, i8, i8)) -> Metric {
    let (kind, a, b, c) = spec;
    let (a, b, c) = (Decimal::from(a), Decimal::from(b), Decimal::from(c));
    match kind % 5 {
        0 => Metric::numeric(a, b).with_current(c),
        1 => Metric::numeric(a, b),
        2 => Metric::binary(c > Decimal::ZERO),
        3 => Metric::manual(c / Decimal::from(100)),
        _ => Metric::AtLeast {
            threshold: a,
            current: None,
        },
    }
}

fn pick(ids: &[String], index: u8) -> String {
    if ids.is_empty() {
        return "missing".to_owned();
    }
    ids.get(usize::from(index) % ids.len())
        .cloned()
        .unwrap_or_default()
}

fn weight(w: u8) -> Weight {
    Weight::new(Decimal::from(w % 5)).expect("a small weight")
}

/// Applies a sequence of edits to a small organisation; checks after each
/// that a refused edit changed nothing and an accepted one left a set equal
/// to its own reload.
pub(crate) fn edit_sequence(data: &[u8]) {
    let mut input = Unstructured::new(data);
    let Ok(ops) = Vec::<Op>::arbitrary(&mut input) else {
        return;
    };
    let mut set = OkrSet::from_json(SEED).expect("the seed loads");
    for (step, op) in ops.into_iter().take(48).enumerate() {
        let objectives: Vec<String> = set.objectives().map(|o| o.id().to_string()).collect();
        let nodes: Vec<String> = set.nodes().map(|n| n.id().to_string()).collect();
        let key_results: Vec<String> = set
            .nodes()
            .filter(|n| n.kind() == okrs::NodeKind::KeyResult)
            .map(|n| n.id().to_string())
            .collect();
        let before = set.clone();
        let result: Result<(), okrs::Error> = match op {
            Op::AddObjective {
                level,
                link,
                period,
                krs,
            } => {
                let id = format!("o{step}");
                let level = LEVELS[usize::from(level) % LEVELS.len()];
                let mut objective = Objective::new(id.parse().expect("id"), "New", level);
                if period % 2 == 0 {
                    objective = objective.with_period(
                        PERIODS[usize::from(period / 2) % PERIODS.len()]
                            .parse()
                            .expect("id"),
                    );
                }
                if let Some((to, contributes)) = link {
                    let mut link = Link::new(pick(&nodes, to).parse().expect("id"));
                    if let Some(c) = contributes {
                        link = link.contributes(c);
                    }
                    objective = objective.with_link(link);
                }
                for k in 0..krs % 3 {
                    objective = objective.with_key_result(
                        KeyResult::new(format!("{id}-k{k}").parse().expect("id"), "K")
                            .with_metric(Metric::numeric(Decimal::ZERO, Decimal::TEN)),
                    );
                }
                set.add_objective(objective)
            }
            Op::RemoveObjective(o) => set.remove_objective(&pick(&objectives, o)).map(|_| ()),
            Op::AddKeyResult {
                parent,
                metric: spec,
                weight: w,
            } => {
                let mut kr = KeyResult::new(format!("k{step}").parse().expect("id"), "K")
                    .with_weight(weight(w));
                if let Some(spec) = spec {
                    kr = kr.with_metric(metric(spec));
                }
                set.add_key_result(&pick(&nodes, parent), kr)
            }
            Op::RemoveKeyResult(k) => set.remove_key_result(&pick(&key_results, k)).map(|_| ()),
            Op::AddLink {
                from,
                to,
                weight: w,
                contributes,
            } => {
                let mut link =
                    Link::new(pick(&nodes, to).parse().expect("id")).with_weight(weight(w));
                if let Some(c) = contributes {
                    link = link.contributes(c);
                }
                set.add_link(&pick(&objectives, from), link)
            }
            Op::RemoveLink { from, to } => set
                .remove_link(&pick(&objectives, from), &pick(&nodes, to))
                .map(|_| ()),
            Op::SetWeight {
                key_result,
                weight: w,
            } => set.set_weight(&pick(&key_results, key_result), weight(w)),
            Op::SetMetric {
                key_result,
                metric: spec,
            } => set.set_metric(&pick(&key_results, key_result), spec.map(metric)),
            Op::CheckIn {
                key_result,
                day,
                value,
                kind,
            } => {
                let at = Date::new(2027, 1, 1)
                    .expect("date")
                    .checked_add(okrs::jiff::Span::new().days(i64::from(day) * 2 - 20))
                    .expect("a date near 2027");
                let value = match kind % 3 {
                    0 => CheckInValue::Number(Decimal::from(value)),
                    1 => CheckInValue::Done(value > 0),
                    _ => CheckInValue::Milestones(vec!["a".into()]),
                };
                set.check_in(
                    &pick(&key_results, key_result),
                    CheckIn::new(at.into(), value),
                )
            }
            Op::ClosePeriod(p) => set.close_period(PERIODS[usize::from(p) % PERIODS.len()]),
            Op::CarryForward {
                objective,
                period,
                keep,
            } => set
                .carry_forward(
                    &pick(&objectives, objective),
                    PERIODS[usize::from(period) % PERIODS.len()],
                    CarryForward::default().keep_values(keep),
                )
                .map(|_| ()),
        };
        match result {
            Err(_) => assert_eq!(set, before, "a refused edit changed the set"),
            Ok(()) => {
                assert!(is_acyclic(&set), "an accepted edit closed a cycle");
                for node in set.nodes() {
                    assert!(
                        set.node(node.id().as_str()).is_some(),
                        "an id does not resolve"
                    );
                    for target in node.aligned_to().map(|link| link.target()) {
                        assert!(set.contains(target.id().as_str()), "a link points nowhere");
                    }
                }
                let reloaded =
                    OkrSet::from_document(set.to_document()).expect("an edited set reloads");
                assert_eq!(reloaded, set, "incremental state differs from a reload");
            }
        }
    }
}

/// Depth-first search over the public view (key result → parent, objective →
/// link targets) for a cycle.
pub(crate) fn is_acyclic(set: &OkrSet) -> bool {
    let mut state: HashMap<String, u8> = HashMap::new(); // 1 visiting, 2 done
    for start in set.nodes() {
        if state.contains_key(start.id().as_str()) {
            continue;
        }
        let mut stack = vec![(start, false)];
        while let Some((node, leaving)) = stack.pop() {
            let id = node.id().as_str().to_owned();
            if leaving {
                state.insert(id, 2);
                continue;
            }
            match state.get(&id) {
                Some(2) => continue,
                Some(1) => return false,
                _ => {}
            }
            state.insert(id, 1);
            stack.push((node, true));
            let ups = node
                .parent()
                .into_iter()
                .chain(node.aligned_to().map(|link| link.target()));
            for up in ups {
                match state.get(up.id().as_str()) {
                    Some(1) => return false,
                    Some(2) => {}
                    _ => stack.push((up, false)),
                }
            }
        }
    }
    true
}
