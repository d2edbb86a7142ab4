//! Documents in and out, and every report, on a realistic organisation
//! (`okrs::sample::realistic`: a year and its quarters, owners, titles of
//! their own, sub-key results, milestones, check-ins), each beside the
//! floor it is held to, in the same run:
//!
//! - `floor_ignored_any_parse`: serde_json skimming the document's text
//!   (`IgnoredAny`), the floor of `json_load` (and, as
//!   `floor_ignored_any_parse_written`, of the text `json_write` makes,
//!   and as `floor_ignored_any_parse_rollup`, of the roll-up JSON
//!   `rollup_json_write` makes);
//! - `full_rollup`: the floor of `review` and `lint`;
//! - `json_write`: the counterpart of `csv_write` and the floor of
//!   `markdown` and `text`; `json_load` that of `csv_read`.
//!
//! Each routine's output is dropped outside its timing: `set_drop`
//! measures what letting a loaded set go costs (an app that replaces its
//! set pays it; the CLI exits without it), apart from the load.
//!
//! `json_load_exact` is the way a document loaded before issue 17 (a whole
//! `Document` first, then the set), still taken by documents whose
//! settings follow their objectives and by invalid ones.
//!
//! ```text
//! cargo bench --bench documents                        # 10k, 100k and 1M nodes
//! OKRS_BENCH_MAX=100000 cargo bench --bench documents  # skip the 1M size
//! ```
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Bencher, BenchmarkId, Criterion};

#[allow(dead_code)]
mod common;
use okrs::{Date, Document, OkrSet};

const AS_OF: &str = "2027-02-20";

/// The roll-up JSON `okrs rollup --json` prints.
fn rollup_json(set: &OkrSet, as_of: Date) -> String {
    set.review_json(as_of)
}

/// Times `routine` alone: what it returns is dropped after the clock
/// stops, before the next call, so that a call reuses the memory of the
/// one before as with `iter` (`iter_with_large_drop` keeps a batch of
/// outputs alive: in a run with it, `json_write` at 10k took 8.8 ms,
/// against 5.9 ms this way in the next).
fn outside_drop<O>(b: &mut Bencher<'_>, mut routine: impl FnMut() -> O) {
    b.iter_batched(|| (), |()| routine(), BatchSize::PerIteration);
}

fn bench(c: &mut Criterion) {
    let as_of: Date = AS_OF.parse().unwrap();
    let mut group = c.benchmark_group("documents");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(200));
    group.measurement_time(Duration::from_secs(2));
    for nodes in common::sizes().into_iter().filter(|&n| n >= 10_000) {
        let document = okrs::sample::realistic(nodes, 42);
        let text = document.to_json().unwrap();
        let csv = document.to_csv().unwrap();
        let set = OkrSet::from_json(&text).unwrap();
        let written = set.to_json().unwrap();
        let rolled = rollup_json(&set, as_of);
        assert_eq!(rolled, set.review(as_of).to_json());
        eprintln!(
            "okrs: {} nodes: {:.1} MiB JSON in, {:.1} MiB written, {:.1} MiB roll-up JSON, {:.1} MiB CSV",
            set.len(),
            text.len() as f64 / 1_048_576.0,
            written.len() as f64 / 1_048_576.0,
            rolled.len() as f64 / 1_048_576.0,
            csv.len() as f64 / 1_048_576.0
        );
        drop(document);
        // Each routine returns what it makes, dropped outside the timing
        // (`outside_drop`): a load is measured up to the set, not its
        // teardown, which `set_drop` measures on its own.
        let id = |name: &str| BenchmarkId::new(name, nodes);
        group.bench_function(id("floor_ignored_any_parse"), |b| {
            b.iter(|| black_box(serde_json::from_str::<serde::de::IgnoredAny>(&text).unwrap()))
        });
        group.bench_function(id("json_load"), |b| {
            outside_drop(b, || OkrSet::from_json(black_box(&text)).unwrap())
        });
        group.bench_function(id("set_drop"), |b| {
            b.iter_batched(
                || OkrSet::from_json(&text).unwrap(),
                drop,
                BatchSize::PerIteration,
            )
        });
        group.bench_function(id("json_load_exact"), |b| {
            outside_drop(b, || {
                let document = Document::from_json(black_box(&text)).unwrap();
                OkrSet::from_document(document).unwrap()
            })
        });
        group.bench_function(id("csv_read"), |b| {
            outside_drop(b, || {
                let document = Document::from_csv(black_box(&csv)).unwrap();
                OkrSet::from_document(document).unwrap()
            })
        });
        group.bench_function(id("floor_ignored_any_parse_written"), |b| {
            b.iter(|| black_box(serde_json::from_str::<serde::de::IgnoredAny>(&written).unwrap()))
        });
        group.bench_function(id("json_write"), |b| {
            outside_drop(b, || set.to_json().unwrap())
        });
        group.bench_function(id("csv_write"), |b| {
            outside_drop(b, || set.to_csv().unwrap())
        });
        group.bench_function(id("floor_ignored_any_parse_rollup"), |b| {
            b.iter(|| black_box(serde_json::from_str::<serde::de::IgnoredAny>(&rolled).unwrap()))
        });
        group.bench_function(id("rollup_json_write"), |b| {
            outside_drop(b, || rollup_json(&set, as_of))
        });
        let mut copy = set.clone();
        group.bench_function(id("full_rollup"), |b| {
            b.iter(|| {
                copy.recompute();
                black_box(&copy);
            })
        });
        group.bench_function(id("review"), |b| outside_drop(b, || set.review(as_of)));
        group.bench_function(id("lint"), |b| outside_drop(b, || set.lint(as_of)));
        group.bench_function(id("markdown"), |b| {
            outside_drop(b, || set.to_markdown(as_of))
        });
        group.bench_function(id("text"), |b| outside_drop(b, || set.to_text(as_of)));
    }
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
