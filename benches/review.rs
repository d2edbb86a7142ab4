//! The review as of a date (`OkrSet::review`) on synthetic organisations
//! (`okrs::sample::synthetic`) given periods and check-ins: company
//! objectives set for a year, the rest for its first quarter, every key
//! result with three dated check-ins (one in two with a phased target, or
//! one in `100 / OKRS_BENCH_PHASED` with that percentage), one objective in
//! five committed. Reviewed in the middle of the quarter.
//!
//! ```text
//! cargo bench --bench review                        # 10k, 100k and 1M nodes
//! OKRS_BENCH_MAX=100000 cargo bench --bench review  # skip the 1M size
//! OKRS_BENCH_PHASED=10 cargo bench --bench review   # 10 % of key results phased
//! # instructions of one review, for before/after comparisons:
//! valgrind --tool=callgrind --toggle-collect='*OkrSet*review*' \
//!   target/release/deps/review-* --once 100000
//! ```
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

#[allow(dead_code)]
mod common;

use std::hint::black_box;
use std::time::Instant;

use okrs::{
    CheckIn, CheckInValue, Commitment, Date, Decimal, Document, Id, Metric, OkrSet, Period, Phase,
};

/// A synthetic organisation with periods, check-ins and phases.
fn document(nodes: usize) -> Document {
    let phased: usize = std::env::var("OKRS_BENCH_PHASED")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(50);
    let mut doc = okrs::sample::synthetic(nodes, 1);
    doc.periods.push(Period::year(2027).unwrap());
    doc.periods.extend(Period::quarters(2027).unwrap());
    let year: Id = "FY2027".parse().unwrap();
    let quarter: Id = "2027-Q1".parse().unwrap();
    let dates = ["2027-01-15", "2027-02-01", "2027-02-15"].map(|d| d.parse::<Date>().unwrap());
    for (i, objective) in doc.objectives.iter_mut().enumerate() {
        let company = objective.level == "company";
        objective.period = Some(if company {
            year.clone()
        } else {
            quarter.clone()
        });
        if i % 5 == 0 {
            objective.commitment = Commitment::Committed;
        }
        for (k, kr) in objective.key_results.iter_mut().enumerate() {
            let Some(Metric::Numeric { current, .. }) = kr.metric.clone() else {
                continue;
            };
            let last = current.unwrap_or_default();
            kr.metric = Some(Metric::numeric(Decimal::ZERO, Decimal::TEN));
            for (j, date) in dates.iter().enumerate() {
                let value = last * Decimal::from(j + 1) / Decimal::from(3);
                kr.check_ins.push(CheckIn::new(
                    (*date).into(),
                    CheckInValue::Number(value.round_dp(2)),
                ));
            }
            let phase = match phased {
                50 => (i + k) % 2 == 0,
                percent => (i * 7 + k * 13) % 100 < percent,
            };
            if phase && !company {
                kr.phases
                    .push(Phase::new("2027-02-28".parse().unwrap(), Decimal::from(3)));
            }
        }
    }
    doc
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let as_of: Date = "2027-02-20".parse().unwrap();
    if let Some(at) = args.iter().position(|a| a == "--once") {
        let nodes: usize = args
            .get(at + 1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(100_000);
        let set = OkrSet::from_document(document(nodes)).unwrap();
        let review = set.review(black_box(as_of));
        println!("{} nodes reviewed", review.len());
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    for nodes in common::sizes().into_iter().filter(|&n| n >= 10_000) {
        let set = OkrSet::from_document(document(nodes)).unwrap();
        let runs = if nodes >= 1_000_000 { 5 } else { 11 };
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let start = Instant::now();
                let review = set.review(black_box(as_of));
                let elapsed = start.elapsed().as_secs_f64();
                assert_eq!(review.len(), set.nodes().count());
                elapsed
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "review/{nodes}: median {:.1} ms (min {:.1}, max {:.1}, {runs} runs)",
            times[runs / 2] * 1e3,
            times[0] * 1e3,
            times[runs - 1] * 1e3
        );
    }
}
