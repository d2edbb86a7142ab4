//! Benchmarks of edits as data (`okrs::Edit`, `OkrSet::apply`,
//! `apply_all`, `replay`) on synthetic organisations of 1k to 1M nodes
//! (`okrs::sample::synthetic`), each beside its reference in the same run:
//! structural edits and rebuilding a set edit by edit beside
//! `from_document`, a check-in through `apply` beside the classic
//! `check_in`, replaying a log beside applying it live.
//!
//! ```text
//! cargo bench --bench edits                          # every size
//! OKRS_BENCH_MAX=100000 cargo bench --bench edits    # skip the 1M size
//! ```
//!
//! Every figure is checked outside the timed part: the edits succeed and
//! report what they did, a pair of edits leaves the set `==` to its start,
//! the rebuilt and replayed sets equal the ones they stand for.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

// `resident_bytes` is for the engine and memory figures; only the sizes
// are used here.
#[allow(dead_code)]
mod common;

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use common::sizes;
use criterion::{BatchSize, BenchmarkId, Criterion};
use okrs::jiff::tz::Offset;
use okrs::{
    Band, Change, CheckIn, CheckInValue, Decimal, Document, Edit, Envelope, Id, KeyResult, Link,
    Metric, Moment, NodeKind, Objective, OkrSet, Progress, Timestamp,
};

/// 2027-01-01T00:00:00Z: check-ins are stamped one second apart from here.
const EPOCH: i64 = 1_798_761_600;

/// The `i`-th moment of a run of check-ins: strictly increasing.
fn moment(i: u64) -> Moment {
    let second = EPOCH + i64::try_from(i).unwrap();
    Moment::at(Timestamp::from_second(second).unwrap(), Offset::UTC)
}

/// A valid check-in of the synthetic numeric metrics (0 to 10), the
/// `i`-th of a run: later than the one before, a different value.
fn check_in(i: u64) -> CheckIn {
    CheckIn::new(moment(i), CheckInValue::Number(Decimal::from(i % 10)))
}

type Standing = (NodeKind, Option<Progress>, Option<Band>);

/// The bookkeeping `OkrSet::apply_all` does to find the `Changes` of a
/// transaction with structural edits, as written in src/set/apply.rs (`snapshot`, then
/// `changes` with `Before::All`), run with no edit in between: the nodes
/// that moved (none), after a snapshot of all of them. Single structural
/// edits no longer pay it: they list what they added and removed and read
/// the roll-up's journal.
fn snapshot_and_compare(set: &OkrSet) -> Vec<(Id, Standing, Standing)> {
    let mut snapshot: HashMap<Id, Standing> = set
        .nodes()
        .map(|n| (n.id().clone(), (n.kind(), n.progress(), n.band())))
        .collect();
    let mut moved = Vec::new();
    for node in set.nodes() {
        let (progress, band) = (node.progress(), node.band());
        let before = snapshot.remove(node.id());
        let (progress_before, band_before) = before.map_or((None, None), |(_, p, b)| (p, b));
        if progress_before != progress || band_before != band {
            moved.push((
                node.id().clone(),
                (node.kind(), progress_before, band_before),
                (node.kind(), progress, band),
            ));
        }
    }
    let mut removed: Vec<(Id, Standing)> = snapshot
        .into_iter()
        .filter(|(id, _)| !set.contains(id.as_str()))
        .collect();
    removed.sort_by(|a, b| a.0.cmp(&b.0));
    for (id, before) in removed {
        moved.push((id, before, (before.0, None, None)));
    }
    moved
}

/// The most check-ins a replayed log holds.
const MAX_LOG: usize = 100_000;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("edits");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    for target in sizes() {
        let doc = okrs::sample::synthetic(target, 42);
        let mut set = OkrSet::from_document(doc.clone()).unwrap();
        let start = set.clone();
        let size = set.nodes().count();
        eprintln!("okrs: {size} nodes, {} objectives", doc.objectives.len());

        // 1. The reference for structural edits: loading the whole set.
        group.bench_function(BenchmarkId::new("from_document", size), |b| {
            b.iter_batched(
                || doc.clone(),
                |doc| OkrSet::from_document(doc).unwrap(),
                BatchSize::PerIteration,
            );
        });

        // 2a. A link from the deepest objective (an individual's, the last
        // generated) to a team objective it does not align to yet: same
        // level or higher, no cycle. Added then removed.
        let deepest = doc.objectives.last().unwrap();
        assert_eq!(deepest.level, "individual");
        let team = doc
            .objectives
            .iter()
            .find(|o| o.level == "team" && deepest.aligned_to.iter().all(|l| l.id != o.id))
            .unwrap();
        let add_link = Edit::AddLink {
            from: deepest.id.clone(),
            link: Link::new(team.id.clone()),
        };
        let remove_link = Edit::RemoveLink {
            from: deepest.id.clone(),
            target: team.id.clone(),
        };
        let added = set.apply(add_link.clone()).unwrap();
        assert_eq!(
            added.edits,
            [Change::Linked {
                from: deepest.id.clone(),
                target: team.id.clone()
            }]
        );
        assert!(added.get(team.id.as_str()).is_some(), "the target moved");
        let removed = set.apply(remove_link.clone()).unwrap();
        assert!(matches!(removed.edits[..], [Change::Unlinked { .. }]));
        assert_eq!(removed.moved().len(), added.moved().len());
        assert!(
            set == start,
            "add then remove a link leaves the set as it was"
        );
        eprintln!(
            "okrs: the link {} -> {} moves {} nodes",
            deepest.id,
            team.id,
            added.moved().len()
        );
        // What a transaction with structural edits adds to find its
        // `Changes`: a snapshot of every node before, every node compared
        // after. The code of `watch` and `changes` in src/set/apply.rs,
        // through the public API (it uses nothing else), with nothing moved.
        group.bench_function(BenchmarkId::new("snapshot_and_compare", size), |b| {
            b.iter(|| snapshot_and_compare(&set));
        });
        assert!(snapshot_and_compare(&set).is_empty());
        group.bench_function(BenchmarkId::new("add_remove_link", size), |b| {
            b.iter_batched(
                || (add_link.clone(), remove_link.clone()),
                |(add, remove)| (set.apply(add).unwrap(), set.apply(remove).unwrap()),
                BatchSize::SmallInput,
            );
        });
        assert!(set == start, "every pair left the set as it was");

        // 2b. A leaf objective: one individual objective with 2 key results,
        // aligned to the team objective the deepest one aligns to first.
        let leaf_id: Id = "bench-leaf".parse().unwrap();
        let kr = |k: &str, current: i64| {
            KeyResult::new(format!("bench-leaf-{k}").parse().unwrap(), "Key result").with_metric(
                Metric::numeric(Decimal::ZERO, Decimal::TEN).with_current(current.into()),
            )
        };
        let leaf = Objective::new(leaf_id.clone(), "Objective", "individual")
            .with_link(Link::new(deepest.aligned_to[0].id.clone()))
            .with_key_result(kr("k0", 3))
            .with_key_result(kr("k1", 8));
        let add_leaf = Edit::AddObjective { objective: leaf };
        let remove_leaf = Edit::RemoveObjective {
            id: leaf_id.clone(),
        };
        let added = set.apply(add_leaf.clone()).unwrap();
        // The objective, its 2 key results, its link.
        assert_eq!(added.edits.len(), 4);
        assert!(
            added
                .get(leaf_id.as_str())
                .unwrap()
                .progress_before
                .is_none()
        );
        let removed = set.apply(remove_leaf.clone()).unwrap();
        assert_eq!(removed.edits.len(), 3);
        assert!(
            set == start,
            "add then remove an objective leaves the set as it was"
        );
        eprintln!(
            "okrs: the leaf objective moves {} nodes (3 of them its own)",
            added.moved().len()
        );
        group.bench_function(BenchmarkId::new("add_remove_leaf_objective", size), |b| {
            b.iter_batched(
                || (add_leaf.clone(), remove_leaf.clone()),
                |(add, remove)| (set.apply(add).unwrap(), set.apply(remove).unwrap()),
                BatchSize::SmallInput,
            );
        });
        assert!(set == start, "every pair left the set as it was");

        // 3. One check-in on the deepest key result, a run of them with
        // increasing moments and changing values. Each sample starts from
        // a fresh copy of the set (made before the clock starts), so a
        // history grows only by the sample's own check-ins.
        let key_result = deepest.key_results[0].id.clone();
        let fresh = |iters: u64, record: &mut dyn FnMut(&mut OkrSet, u64)| {
            let mut set = start.clone();
            let clock = Instant::now();
            for i in 0..iters {
                record(&mut set, i);
            }
            let elapsed = clock.elapsed();
            let checked = set.node(key_result.as_str()).unwrap().check_ins().len();
            assert_eq!(checked, usize::try_from(iters).unwrap());
            elapsed
        };
        group.bench_function(BenchmarkId::new("check_in", size), |b| {
            b.iter_custom(|iters| {
                fresh(iters, &mut |set, i| {
                    set.check_in(key_result.as_str(), check_in(i)).unwrap();
                })
            });
        });
        // The same edit through `apply`, its `Changes` handed back and
        // dropped at once, as `check_in` does inside. (Keeping them alive
        // until the clock stops, as `iter_batched` would, measured slower
        // here: the allocator then cannot reuse their blocks.)
        group.bench_function(BenchmarkId::new("apply_check_in", size), |b| {
            b.iter_custom(|iters| {
                fresh(iters, &mut |set, i| {
                    let edit = Edit::RecordCheckIn {
                        key_result: key_result.clone(),
                        check_in: check_in(i),
                    };
                    let changes = set.apply(edit).unwrap();
                    black_box(&changes);
                })
            });
        });
        group.bench_function(BenchmarkId::new("check_in_many_of_one", size), |b| {
            b.iter_custom(|iters| {
                fresh(iters, &mut |set, i| {
                    set.check_in_many([(key_result.as_str(), check_in(i))])
                        .unwrap();
                })
            });
        });
        // What the Changes of one check-in list, read back by id through
        // the public API: an upper bound on turning the roll-up's journal
        // into `Moved` entries (the journal has node indices, not ids), not
        // on keeping the journal.
        let mut probe = start.clone();
        probe.check_in(key_result.as_str(), check_in(0)).unwrap();
        let changes = probe.apply(Edit::RecordCheckIn {
            key_result: key_result.clone(),
            check_in: check_in(1),
        });
        let moved: Vec<Id> = changes
            .unwrap()
            .moved()
            .iter()
            .map(|m| m.id.clone())
            .collect();
        assert_eq!(moved[0], key_result, "the key result moves first");
        eprintln!(
            "okrs: a check-in on {key_result} moves {} nodes",
            moved.len()
        );
        group.bench_function(BenchmarkId::new("read_back_moved", size), |b| {
            b.iter(|| {
                moved
                    .iter()
                    .map(|id| {
                        let node = probe.node(id.as_str()).unwrap();
                        (node.id().clone(), node.progress(), node.band())
                    })
                    .collect::<Vec<_>>()
            });
        });
        drop(probe);
        drop(set);

        // 4. The same organisation rebuilt edit by edit: one transaction of
        // N `AddObjective` edits onto an empty set with the document's
        // settings (levels, periods, alignment model).
        let mut empty_doc = doc.clone();
        empty_doc.objectives.clear();
        let empty = OkrSet::from_document(empty_doc).unwrap();
        let add_all: Vec<Edit> = doc
            .objectives
            .iter()
            .map(|o| Edit::AddObjective {
                objective: o.clone(),
            })
            .collect();
        {
            let mut rebuilt = empty.clone();
            let changes = rebuilt.apply_all(add_all.clone()).unwrap();
            let links: usize = doc.objectives.iter().map(|o| o.aligned_to.len()).sum();
            assert_eq!(changes.edits.len(), size + links);
            assert_eq!(changes.moved().len(), size);
            assert!(rebuilt == start, "the rebuilt set equals the loaded one");
        }
        group.bench_function(BenchmarkId::new("apply_all_add_objectives", size), |b| {
            b.iter_batched(
                || (empty.clone(), add_all.clone()),
                |(mut set, edits)| {
                    let changes = set.apply_all(edits).unwrap();
                    (set, changes)
                },
                BatchSize::PerIteration,
            );
        });
        drop(add_all);

        // 5. A log of K check-ins, one per key result spread over the
        // organisation, at increasing moments: replayed onto the document,
        // and applied live one by one to a set loaded from it. Both include
        // loading the document (subtract `from_document` for the edits
        // alone).
        let key_results: Vec<&Id> = doc
            .objectives
            .iter()
            .flat_map(|o| &o.key_results)
            .filter(|k| k.metric.is_some())
            .map(|k| &k.id)
            .collect();
        let count = key_results.len().min(MAX_LOG);
        let log: Vec<Envelope> = key_results
            .iter()
            .step_by(key_results.len() / count)
            .take(count)
            .zip(0..)
            .map(|(&id, i)| {
                Envelope::new(Edit::RecordCheckIn {
                    key_result: id.clone(),
                    check_in: check_in(i),
                })
            })
            .collect();
        assert_eq!(log.len(), count);
        let live = |doc: Document, log: Vec<Envelope>| {
            let mut set = OkrSet::from_document(doc).unwrap();
            for envelope in log {
                set.apply(envelope).unwrap();
            }
            set
        };
        let batch = |doc: Document, log: Vec<Envelope>| {
            let mut set = OkrSet::from_document(doc).unwrap();
            set.apply_all(log).unwrap();
            set
        };
        {
            let replayed = OkrSet::replay(doc.clone(), log.clone()).unwrap();
            let recorded: usize = replayed.nodes().map(|n| n.check_ins().len()).sum();
            assert_eq!(recorded, count);
            assert!(replayed == live(doc.clone(), log.clone()), "replay = live");
            assert!(
                replayed == batch(doc.clone(), log.clone()),
                "replay = batch"
            );
        }
        eprintln!("okrs: a log of {count} check-ins");
        group.bench_function(BenchmarkId::new("replay_log", size), |b| {
            b.iter_batched(
                || (doc.clone(), log.clone()),
                |(doc, log)| OkrSet::replay(doc, log).unwrap(),
                BatchSize::PerIteration,
            );
        });
        group.bench_function(BenchmarkId::new("load_then_apply_live", size), |b| {
            b.iter_batched(
                || (doc.clone(), log.clone()),
                |(doc, log)| live(doc, log),
                BatchSize::PerIteration,
            );
        });
        group.bench_function(BenchmarkId::new("load_then_apply_all", size), |b| {
            b.iter_batched(
                || (doc.clone(), log.clone()),
                |(doc, log)| batch(doc, log),
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
