//! Structural edits made incrementally: after any sequence of them the set
//! equals one freshly loaded from its document (to the last digit), a
//! refused edit changes nothing, and `Changes.moved` is exactly what moved.

use std::collections::HashMap;

use okrs::{
    Changes, Decimal, Document, Edit, Id, KeyResult, Link, Metric, NodeKind, Objective, OkrSet,
    Weight,
};
use proptest::prelude::*;
use proptest::sample::Index;

use crate::fuzz_harness::is_acyclic;
use crate::generate;

const LEVELS: [&str; 4] = ["company", "department", "team", "individual"];
const WEIGHTS: [&str; 5] = ["1", "2", "0.5", "20", "30"];

fn id(text: &str) -> Id {
    text.parse().unwrap()
}

fn weight(i: usize) -> Weight {
    WEIGHTS[i % WEIGHTS.len()].parse().unwrap()
}

type View = HashMap<String, (Option<okrs::Progress>, Option<okrs::Band>)>;

/// Every node's progress and band, by id.
fn view(set: &OkrSet) -> View {
    set.nodes()
        .map(|n| (n.id().to_string(), (n.progress(), n.band())))
        .collect()
}

/// `changes.moved` against a brute-force diff of every node.
fn assert_moves_match(before: &View, after: &OkrSet, changes: &Changes) {
    let after_view = view(after);
    let mut expected: Vec<String> = after_view
        .iter()
        .filter(|(id, now)| before.get(*id) != Some(now))
        .map(|(id, _)| id.clone())
        .chain(
            before
                .keys()
                .filter(|id| !after_view.contains_key(*id))
                .cloned(),
        )
        .collect();
    expected.sort();
    let mut listed: Vec<String> = changes.moved().iter().map(|m| m.id.to_string()).collect();
    listed.sort();
    assert_eq!(listed, expected, "moved nodes");
    for moved in changes.moved() {
        let old = before
            .get(moved.id.as_str())
            .copied()
            .unwrap_or((None, None));
        let new = after_view
            .get(moved.id.as_str())
            .copied()
            .unwrap_or((None, None));
        assert_eq!(
            (moved.progress_before, moved.band_before),
            old,
            "{}",
            moved.id
        );
        assert_eq!((moved.progress, moved.band), new, "{}", moved.id);
    }
}

/// One random structural edit (or a metric change), its targets picked
/// among the nodes the set has when it is applied.
#[derive(Debug, Clone)]
enum Op {
    AddLink(Index, Index, usize, Option<bool>),
    RemoveLink(Index, Index),
    AddObjective(usize, Option<Index>, Vec<(usize, i64)>),
    RemoveObjective(Index),
    AddKeyResult(Index, usize, Option<i64>),
    RemoveKeyResult(Index),
    SetWeight(Index, usize),
    SetLinkWeight(Index, Index, usize),
    SetMetric(Index, i64),
}

fn op() -> impl Strategy<Value = Op> {
    let w = 0..WEIGHTS.len();
    prop_oneof![
        3 => (any::<Index>(), any::<Index>(), w.clone(), prop::option::of(any::<bool>()))
            .prop_map(|(a, b, w, c)| Op::AddLink(a, b, w, c)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Op::RemoveLink(a, b)),
        3 => (
            0..LEVELS.len(),
            prop::option::weighted(0.8, any::<Index>()),
            prop::collection::vec((w.clone(), 0i64..=20), 0..4)
        )
            .prop_map(|(l, t, krs)| Op::AddObjective(l, t, krs)),
        2 => any::<Index>().prop_map(Op::RemoveObjective),
        2 => (any::<Index>(), w.clone(), prop::option::weighted(0.7, 0i64..=20))
            .prop_map(|(p, w, m)| Op::AddKeyResult(p, w, m)),
        2 => any::<Index>().prop_map(Op::RemoveKeyResult),
        2 => (any::<Index>(), w.clone()).prop_map(|(k, w)| Op::SetWeight(k, w)),
        2 => (any::<Index>(), any::<Index>(), w).prop_map(|(a, b, w)| Op::SetLinkWeight(a, b, w)),
        2 => (any::<Index>(), 0i64..=20).prop_map(|(k, v)| Op::SetMetric(k, v)),
    ]
}

fn pick<T: Clone>(items: &[T], index: &Index) -> Option<T> {
    (!items.is_empty()).then(|| items[index.index(items.len())].clone())
}

/// The edit an op makes on `set`, if the set has what it names.
fn edit_for(set: &OkrSet, op: &Op, fresh: &mut usize) -> Option<Edit> {
    let objectives: Vec<Id> = set.objectives().map(|o| o.id().clone()).collect();
    let key_results: Vec<Id> = set
        .nodes()
        .filter(|n| n.kind() == NodeKind::KeyResult)
        .map(|n| n.id().clone())
        .collect();
    let all: Vec<Id> = set.nodes().map(|n| n.id().clone()).collect();
    let links_of = |from: &Id| -> Vec<Id> {
        set.node(from.as_str())
            .map(|n| n.aligned_to().map(|l| l.target().id().clone()).collect())
            .unwrap_or_default()
    };
    let manual = |v: i64| Metric::manual(Decimal::from(v) / Decimal::from(20));
    Some(match op {
        Op::AddLink(from, to, w, contributes) => {
            let mut link = Link::new(pick(&all, to)?).with_weight(weight(*w));
            if let Some(c) = contributes {
                link = link.contributes(*c);
            }
            Edit::AddLink {
                from: pick(&objectives, from)?,
                link,
            }
        }
        Op::RemoveLink(from, which) => {
            let from = pick(&objectives, from)?;
            let target = pick(&links_of(&from), which)?;
            Edit::RemoveLink { from, target }
        }
        Op::AddObjective(level, target, krs) => {
            *fresh += 1;
            let oid = format!("n{fresh}");
            let mut objective = Objective::new(id(&oid), "New", LEVELS[*level]);
            if let Some(target) = target {
                objective = objective.with_link(Link::new(pick(&all, target)?));
            }
            for (k, &(w, v)) in krs.iter().enumerate() {
                objective = objective.with_key_result(
                    KeyResult::new(id(&format!("{oid}k{k}")), "New KR")
                        .with_weight(weight(w))
                        .with_metric(manual(v)),
                );
            }
            Edit::AddObjective { objective }
        }
        Op::RemoveObjective(which) => Edit::RemoveObjective {
            id: pick(&objectives, which)?,
        },
        Op::AddKeyResult(parent, w, metric) => {
            *fresh += 1;
            let mut key_result =
                KeyResult::new(id(&format!("m{fresh}")), "Added").with_weight(weight(*w));
            if let Some(v) = metric {
                key_result = key_result.with_metric(manual(*v));
            }
            Edit::AddKeyResult {
                parent: pick(&all, parent)?,
                key_result,
            }
        }
        Op::RemoveKeyResult(which) => Edit::RemoveKeyResult {
            id: pick(&key_results, which)?,
        },
        Op::SetWeight(which, w) => Edit::SetWeight {
            id: pick(&key_results, which)?,
            weight: weight(*w),
        },
        Op::SetLinkWeight(from, which, w) => {
            let from = pick(&objectives, from)?;
            let target = pick(&links_of(&from), which)?;
            Edit::SetLinkWeight {
                from,
                target,
                weight: weight(*w),
            }
        }
        Op::SetMetric(which, v) => Edit::SetMetric {
            id: pick(&key_results, which)?,
            metric: Some(manual(*v)),
        },
    })
}

/// Applies the ops one by one through `apply`, checking after each.
fn run(mut set: OkrSet, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut fresh = 0;
    for op in ops {
        let Some(edit) = edit_for(&set, op, &mut fresh) else {
            continue;
        };
        let before = set.clone();
        let before_view = view(&set);
        match set.apply(edit.clone()) {
            Ok(changes) => {
                assert_moves_match(&before_view, &set, &changes);
                prop_assert!(is_acyclic(&set), "{edit:?} closed a cycle");
                let fresh_set = OkrSet::from_document(set.to_document())
                    .map_err(|e| TestCaseError::fail(format!("{edit:?}: reload: {e}")))?;
                prop_assert!(set == fresh_set, "{edit:?}: incremental != reloaded");
            }
            Err(error) => {
                prop_assert!(set == before, "refused {edit:?} ({error}) changed the set");
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn structural_edits_keep_the_roll_up_exact(
        doc in generate::document(),
        ops in prop::collection::vec(op(), 1..24),
    ) {
        run(OkrSet::from_document(doc).unwrap(), &ops)?;
    }

    /// Single links are checked for cycles locally (a same-level search
    /// from the target): random links never leave a cycle behind, and a
    /// refused one is refused for a cycle only when the link would close
    /// one.
    #[test]
    fn random_links_never_close_a_cycle_undetected(
        doc in generate::document(),
        links in prop::collection::vec((any::<Index>(), any::<Index>()), 1..40),
    ) {
        let mut set = OkrSet::from_document(doc).unwrap();
        for (from, to) in links {
            let objectives: Vec<Id> = set.objectives().map(|o| o.id().clone()).collect();
            let all: Vec<Id> = set.nodes().map(|n| n.id().clone()).collect();
            let (Some(from), Some(to)) = (pick(&objectives, &from), pick(&all, &to)) else {
                continue;
            };
            let edit = Edit::AddLink { from: from.clone(), link: Link::new(to.clone()) };
            match set.apply(edit) {
                Ok(_) => prop_assert!(is_acyclic(&set), "{from} -> {to} closed a cycle"),
                Err(okrs::Error::Cycle { .. }) => {
                    // The same link added to the document must be refused
                    // by the global check too.
                    let mut document = set.to_document();
                    let objective = document
                        .objectives
                        .iter_mut()
                        .find(|o| o.id == from)
                        .unwrap();
                    objective.aligned_to.push(Link::new(to.clone()));
                    let err = OkrSet::from_document(document).unwrap_err();
                    prop_assert_eq!(err.code(), "cycle");
                }
                Err(_) => {}
            }
        }
    }
}

/// A synthetic organisation (wide company objectives, more than 32
/// inputs each) through many edits: the slots move, lists relocate, sums
/// trees are dropped and rebuilt, the plan is recompiled once waste
/// outweighs it; the set stays equal to a reload throughout.
#[test]
fn a_long_run_of_edits_on_a_wide_organisation_stays_exact() {
    let document = okrs::sample::synthetic(6_000, 7);
    let mut set = OkrSet::from_document(document.clone()).unwrap();
    let company: Vec<Id> = document
        .objectives
        .iter()
        .filter(|o| o.level == "company")
        .map(|o| o.id.clone())
        .collect();
    let teams: Vec<Id> = document
        .objectives
        .iter()
        .filter(|o| o.level == "team")
        .map(|o| o.id.clone())
        .collect();
    let check = |set: &OkrSet| {
        assert!(*set == OkrSet::from_document(set.to_document()).unwrap());
    };
    let mut added = Vec::new();
    for i in 0..300 {
        let target = &company[i % company.len()];
        let oid = id(&format!("x{i}"));
        let objective = Objective::new(oid.clone(), "Extra", "department")
            .with_link(Link::new(target.clone()).with_weight(weight(i)))
            .with_key_result(
                KeyResult::new(id(&format!("x{i}k0")), "K")
                    .with_metric(Metric::manual(Decimal::new(i as i64 % 10, 1))),
            )
            .with_key_result(
                KeyResult::new(id(&format!("x{i}k1")), "K")
                    .with_weight(weight(i + 1))
                    .with_metric(Metric::manual(Decimal::new(i as i64 % 7, 1))),
            );
        let before = view(&set);
        let changes = set.apply(Edit::AddObjective { objective }).unwrap();
        assert_moves_match(&before, &set, &changes);
        added.push(oid);
        // A team objective aligned to the new one too: its slot comes
        // before the new objective's, so the slots between reorder.
        if i % 3 == 0 {
            let team = &teams[(i * 7) % teams.len()];
            let before = view(&set);
            let changes = set
                .apply(Edit::AddLink {
                    from: team.clone(),
                    link: Link::new(added[added.len() - 1].clone()),
                })
                .unwrap();
            assert_moves_match(&before, &set, &changes);
        }
        if i % 25 == 0 {
            check(&set);
        }
    }
    check(&set);
    for (i, oid) in added.iter().enumerate().rev() {
        let before = view(&set);
        let edit = if i % 3 == 0 {
            // Linked from a team: unlink first.
            let from = set
                .node(oid.as_str())
                .unwrap()
                .supporters()
                .next()
                .map(|n| n.id().clone());
            if let Some(from) = from {
                set.apply(Edit::RemoveLink {
                    from,
                    target: oid.clone(),
                })
                .unwrap();
            }
            Edit::RemoveObjective { id: oid.clone() }
        } else {
            Edit::RemoveObjective { id: oid.clone() }
        };
        let before_remove = if i % 3 == 0 { view(&set) } else { before };
        let changes = set.apply(edit).unwrap();
        assert_moves_match(&before_remove, &set, &changes);
        if i % 25 == 0 {
            check(&set);
        }
    }
    assert!(set == OkrSet::from_document(document).unwrap());
}

/// Timings of single structural edits against a load, in release builds:
/// `cargo test --release --test integration structure::timings -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement, not a check"]
fn timings() {
    use std::time::Instant;
    let size: usize = std::env::var("OKRS_TIMING_SIZE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let document: Document = okrs::sample::synthetic(size, 42);
    let start = Instant::now();
    let mut set = OkrSet::from_document(document.clone()).unwrap();
    let load = start.elapsed();
    let rounds: u32 = std::env::var("OKRS_TIMING_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    // Each leaf under another team: one leaf each, as in an organisation.
    let teams: Vec<Id> = document
        .objectives
        .iter()
        .rev()
        .filter(|o| o.level == "team")
        .map(|o| o.id.clone())
        .collect();
    let individual = document.objectives.last().unwrap().id.clone();
    let other_team = document
        .objectives
        .iter()
        .find(|o| o.level == "team")
        .unwrap()
        .id
        .clone();
    let leaf = |i: u32| {
        Objective::new(id(&format!("leaf{i}")), "Leaf", "individual")
            .with_link(Link::new(teams[i as usize % teams.len()].clone()))
            .with_key_result(
                KeyResult::new(id(&format!("leaf{i}k0")), "K").with_metric(Metric::binary(true)),
            )
            .with_key_result(
                KeyResult::new(id(&format!("leaf{i}k1")), "K").with_metric(Metric::binary(false)),
            )
    };
    let time = |set: &mut OkrSet, f: &mut dyn FnMut(&mut OkrSet, u32)| {
        let start = Instant::now();
        for i in 0..rounds {
            f(set, i);
        }
        start.elapsed() / rounds
    };
    // The first edit after a load grows every array the load sized
    // exactly (graph, plan, index, titles): a one-off, timed apart.
    let first = Instant::now();
    set.apply(Edit::AddObjective {
        objective: leaf(rounds),
    })
    .unwrap();
    let first = first.elapsed();
    set.apply(Edit::RemoveObjective {
        id: id(&format!("leaf{rounds}")),
    })
    .unwrap();
    let add = time(&mut set, &mut |set, i| {
        set.apply(Edit::AddObjective { objective: leaf(i) })
            .unwrap();
    });
    let remove = time(&mut set, &mut |set, i| {
        set.apply(Edit::RemoveObjective {
            id: id(&format!("leaf{i}")),
        })
        .unwrap();
    });
    let link = time(&mut set, &mut |set, _| {
        set.apply(Edit::AddLink {
            from: individual.clone(),
            link: Link::new(other_team.clone()),
        })
        .unwrap();
        set.apply(Edit::RemoveLink {
            from: individual.clone(),
            target: other_team.clone(),
        })
        .unwrap();
    }) / 2;
    let check_in = time(&mut set, &mut |set, i| {
        set.apply(Edit::SetMetric {
            id: id(&format!("{individual}k0")),
            metric: Some(Metric::manual(Decimal::new(i64::from(i % 10), 1))),
        })
        .unwrap();
    });
    let reload = Instant::now();
    let reloaded = OkrSet::from_document(set.to_document()).unwrap();
    let reload = reload.elapsed();
    assert!(set == reloaded);
    eprintln!(
        "{} nodes: load {load:?} (again {reload:?}); first edit after the load {first:?}; \
         add leaf objective {add:?}; \
         remove it {remove:?}; add or remove a link {link:?}; metric change {check_in:?}",
        set.nodes().count()
    );
}
