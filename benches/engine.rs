//! Benchmarks of the core engine on a synthetic cascading organisation.
//!
//! ```text
//! cargo bench --bench engine
//! ```
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use okrs::{AlignmentModel, Decimal, Document, KeyResult, Link, Metric, Objective, OkrSet};

/// A company of `departments` departments of 10 teams of 8 people; every
/// unit and person has 3 objectives of 3 key results, each objective
/// cascading into one objective of the unit above.
fn organisation(departments: usize) -> Document {
    let mut doc = Document::new(AlignmentModel::Cascading);
    let add = |doc: &mut Document, id: String, level: &str, parent: Option<String>, seed: usize| {
        let mut objective = Objective::new(id.parse().unwrap(), "Objective", level);
        if let Some(parent) = parent {
            objective = objective.with_link(Link::new(parent.parse().unwrap()));
        }
        for k in 0..3 {
            let current = Decimal::from((seed * 7 + k * 3) % 11);
            objective = objective.with_key_result(
                KeyResult::new(format!("{id}-k{k}").parse().unwrap(), "Key result").with_metric(
                    Metric::numeric(Decimal::ZERO, Decimal::TEN).with_current(current),
                ),
            );
        }
        doc.objectives.push(objective);
    };
    let mut seed = 0;
    for c in 0..3 {
        add(&mut doc, format!("c{c}"), "company", None, seed);
        seed += 1;
    }
    for d in 0..departments {
        for o in 0..3 {
            add(
                &mut doc,
                format!("d{d}o{o}"),
                "department",
                Some(format!("c{o}")),
                seed,
            );
            seed += 1;
        }
        for t in 0..10 {
            for o in 0..3 {
                add(
                    &mut doc,
                    format!("d{d}t{t}o{o}"),
                    "team",
                    Some(format!("d{d}o{o}")),
                    seed,
                );
                seed += 1;
            }
            for p in 0..8 {
                for o in 0..3 {
                    let parent = Some(format!("d{d}t{t}o{o}"));
                    add(
                        &mut doc,
                        format!("d{d}t{t}p{p}o{o}"),
                        "individual",
                        parent,
                        seed,
                    );
                    seed += 1;
                }
            }
        }
    }
    doc
}

fn nodes(doc: &Document) -> usize {
    doc.objectives.len() * 4
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    for departments in [1usize, 10] {
        let doc = organisation(departments);
        let size = nodes(&doc);
        group.bench_with_input(
            BenchmarkId::new("bulk_load_and_rollup", size),
            &doc,
            |b, doc| {
                b.iter(|| OkrSet::from_document(doc.clone()).unwrap());
            },
        );
        let mut set = OkrSet::from_document(doc.clone()).unwrap();
        let deepest = "d0t0p0o0-k0";
        let mut value = 0i64;
        group.bench_function(BenchmarkId::new("check_in_incremental", size), |b| {
            b.iter(|| {
                value = (value + 1) % 10;
                let metric =
                    Metric::numeric(Decimal::ZERO, Decimal::TEN).with_current(value.into());
                set.set_metric(deepest, Some(metric)).unwrap();
            });
        });
        set.add_link("c0", Link::new("c1".parse().unwrap()))
            .unwrap();
        group.bench_function(BenchmarkId::new("refuse_cycle", size), |b| {
            b.iter(|| {
                let err = set
                    .add_link("c1", Link::new("c0".parse().unwrap()))
                    .unwrap_err();
                assert!(matches!(err, okrs::Error::Cycle { .. }));
            });
        });
        let json = doc.to_json().unwrap();
        group.bench_with_input(BenchmarkId::new("json_load", size), &json, |b, json| {
            b.iter(|| OkrSet::from_json(json).unwrap());
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
