//! Growth on hostile shapes: each document shape an upload can take (one
//! objective with very many key results, a long chain of periods, …) at
//! sizes n, 2n and 4n, with the operation a user runs on it. Linear code
//! takes about twice as long per doubling; quadratic code four times.
//!
//! `cargo bench --bench growth` (a few minutes); `OKRS_GROWTH_BASE=N`
//! sets n (default 8,000). Figures and read-outs in RELIABILITY.md.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion};
use okrs::jiff::civil::Date;
use okrs::jiff::{Timestamp, tz::Offset};
use okrs::{
    AlignmentModel, CheckIn, CheckInValue, Decimal, Document, GroupBy, Id, KeyResult, Levels, Link,
    Metric, Milestone, Moment, Objective, OkrSet, Period,
};

fn base() -> usize {
    std::env::var("OKRS_GROWTH_BASE")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(8_000)
}

fn id(text: &str) -> Id {
    text.parse().unwrap()
}

fn day(offset: i32) -> Date {
    Date::new(2026, 1, 1)
        .unwrap()
        .checked_add(okrs::jiff::Span::new().days(offset))
        .unwrap()
}

const AS_OF: (i16, i8, i8) = (2026, 6, 30);

fn as_of() -> Date {
    Date::new(AS_OF.0, AS_OF.1, AS_OF.2).unwrap()
}

fn numeric(current: i64) -> Metric {
    Metric::numeric(Decimal::ZERO, Decimal::TEN).with_current(Decimal::from(current))
}

fn key_result(name: &str, i: usize) -> KeyResult {
    KeyResult::new(id(&format!("{name}-k{i}")), format!("Reach level {i}"))
        .with_metric(numeric(i64::try_from(i % 10).unwrap()))
}

fn document(objectives: Vec<Objective>) -> Document {
    let mut doc = Document::default();
    doc.objectives = objectives;
    doc
}

/// One company objective with `n` key results.
fn wide_objective(n: usize) -> Document {
    let mut objective = Objective::new(id("wide"), "Grow", "company");
    for i in 0..n {
        objective = objective.with_key_result(key_result("wide", i));
    }
    document(vec![objective])
}

/// A company objective with `n` key results and `n` team objectives
/// aligned to it, titled like its key results (the cascade check compares
/// them).
fn cascade(n: usize) -> Document {
    let mut top = Objective::new(id("top"), "Grow", "company");
    let mut objectives = Vec::with_capacity(n + 1);
    for i in 0..n {
        top = top.with_key_result(key_result("top", i));
        objectives.push(
            Objective::new(id(&format!("team{i}")), format!("Reach level {i}"), "team")
                .with_link(Link::new(id("top")))
                .with_key_result(key_result(&format!("team{i}"), 0)),
        );
    }
    objectives.insert(0, top);
    cascading(document(objectives))
}

/// A company objective with `n` key results (one weighing 2, so that its
/// two groups do not meet in one sum of small products) and `n` team
/// objectives aligned to it, each with a key result: a node of two wide
/// groups (`Evaluator::Groups`) every what-if passes through.
fn two_groups(n: usize) -> Document {
    let mut top = Objective::new(id("top"), "Grow", "company");
    let mut objectives = Vec::with_capacity(n + 1);
    for i in 0..n {
        let mut kr = key_result("top", i);
        if i == 0 {
            kr = kr.with_weight(okrs::Weight::new(Decimal::TWO).unwrap());
        }
        top = top.with_key_result(kr);
        objectives.push(
            Objective::new(id(&format!("team{i}")), "Help", "team")
                .with_link(Link::new(id("top")))
                .with_key_result(key_result(&format!("team{i}"), i)),
        );
    }
    objectives.insert(0, top);
    cascading(document(objectives))
}

/// `n` periods, each within the one before, and one objective in the last.
fn period_chain(n: usize) -> Document {
    let mut periods = Vec::with_capacity(n);
    for i in 0..n {
        let mut period = Period::new(id(&format!("p{i}")), day(0), day(365));
        if i > 0 {
            period = period.within(id(&format!("p{}", i - 1)));
        }
        periods.push(period);
    }
    let objective = Objective::new(id("o"), "Grow", "company")
        .with_period(id(&format!("p{}", n - 1)))
        .with_key_result(key_result("o", 0));
    let mut doc = document(vec![objective]);
    doc.periods = periods;
    doc
}

/// `n` objectives in one closed period, each with its frozen grade.
fn closed_period(n: usize) -> Document {
    let objectives = (0..n)
        .map(|i| {
            let name = format!("o{i}");
            Objective::new(id(&name), "Grow", "company")
                .with_period(id("q1"))
                .with_key_result(key_result(&name, i))
        })
        .collect();
    let mut doc = document(objectives);
    doc.periods = vec![Period::new(id("q1"), day(0), day(89))];
    let mut set = load(&doc);
    set.close_period("q1").unwrap();
    set.to_document()
}

/// `n` levels, an objective on each.
fn many_levels(n: usize) -> Document {
    let names: Vec<String> = (0..n).map(|i| format!("level{i}")).collect();
    let objectives = names
        .iter()
        .enumerate()
        .map(|(i, level)| {
            let name = format!("o{i}");
            Objective::new(id(&name), "Grow", level.as_str()).with_key_result(key_result(&name, i))
        })
        .collect();
    let mut doc = document(objectives);
    doc.levels = Levels::new(names).unwrap();
    doc
}

/// One team objective contributing to `n` company objectives.
fn many_links(n: usize) -> Document {
    let mut objectives: Vec<Objective> = (0..n)
        .map(|i| {
            let name = format!("c{i}");
            Objective::new(id(&name), "Grow", "company").with_key_result(key_result(&name, i))
        })
        .collect();
    let mut team =
        Objective::new(id("team"), "Help", "team").with_key_result(key_result("team", 0));
    for i in 0..n {
        team = team.with_link(Link::new(id(&format!("c{i}"))));
    }
    objectives.push(team);
    cascading(document(objectives))
}

/// A key result with `n` milestones and one check-in naming them all.
fn many_milestones(n: usize) -> Document {
    let titles: Vec<String> = (0..n).map(|i| format!("milestone {i}")).collect();
    let metric = Metric::Milestones {
        milestones: titles.iter().map(Milestone::new).collect(),
    };
    let check_in = CheckIn::new(Moment::from(day(10)), CheckInValue::Milestones(titles));
    let key_result = KeyResult::new(id("ship"), "Ship")
        .with_metric(metric)
        .with_check_in(check_in);
    document(vec![
        Objective::new(id("o"), "Grow", "company").with_key_result(key_result),
    ])
}

/// `n` company objectives in a chain, each contributing to the next (same
/// level, cascading), the last one on top.
fn same_level_chain(n: usize) -> Document {
    let objectives = (0..n)
        .map(|i| {
            let name = format!("o{i}");
            let objective =
                Objective::new(id(&name), "Grow", "company").with_key_result(key_result(&name, i));
            if i + 1 < n {
                objective.with_link(Link::new(id(&format!("o{}", i + 1))))
            } else {
                objective
            }
        })
        .collect();
    cascading(document(objectives))
}

fn cascading(mut doc: Document) -> Document {
    doc.alignment = AlignmentModel::Cascading;
    doc
}

/// `n` top objectives with one key result each.
fn many_tops(n: usize) -> Document {
    let objectives = (0..n)
        .map(|i| {
            let name = format!("o{i}");
            Objective::new(id(&name), "Grow", "company").with_key_result(key_result(&name, i))
        })
        .collect();
    document(objectives)
}

/// `n` objectives with an owner each.
fn many_owners(n: usize) -> Document {
    let objectives = (0..n)
        .map(|i| {
            let name = format!("o{i}");
            Objective::new(id(&name), "Grow", "company")
                .with_owner(format!("owner{i}"))
                .with_key_result(key_result(&name, i))
        })
        .collect();
    document(objectives)
}

fn load(doc: &Document) -> OkrSet {
    OkrSet::from_document(doc.clone()).unwrap()
}

/// One shape and one operation on it, at n, 2n and 4n.
fn grow<S, O, R>(c: &mut Criterion, name: &str, shape: S, op: O)
where
    S: Fn(usize) -> Document,
    O: Fn(&Document, &OkrSet) -> R,
{
    let mut group = c.benchmark_group(format!("growth/{name}"));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(200));
    group.measurement_time(Duration::from_secs(1));
    for factor in [1, 2, 4] {
        let n = base() * factor;
        let doc = shape(n);
        let set = load(&doc);
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| black_box(op(&doc, &set)));
        });
    }
    group.finish();
}

fn bench(c: &mut Criterion) {
    let date = as_of();
    grow(c, "wide_objective/load", wide_objective, |doc, _| load(doc));
    grow(c, "wide_objective/impact", wide_objective, |_, set| {
        set.impact("wide").unwrap()
    });
    grow(c, "wide_objective/report", wide_objective, |_, set| {
        set.to_text(date)
    });
    grow(c, "two_groups/impact", two_groups, |_, set| {
        set.impact("top").unwrap()
    });
    grow(c, "cascade/lint", cascade, |_, set| set.lint(date));
    grow(c, "cascade/markdown", cascade, |_, set| {
        set.to_markdown(date)
    });
    grow(c, "period_chain/load", period_chain, |doc, _| load(doc));
    grow(c, "closed_period/report", closed_period, |_, set| {
        set.to_text(date)
    });
    grow(c, "closed_period/csv_import", closed_period, |doc, _| {
        Document::from_csv(&doc.to_csv().unwrap()).unwrap()
    });
    grow(c, "many_levels/report", many_levels, |_, set| {
        set.to_text(date)
    });
    grow(c, "many_links/load", many_links, |doc, _| load(doc));
    grow(c, "many_links/lint", many_links, |_, set| set.lint(date));
    grow(c, "many_milestones/load", many_milestones, |doc, _| {
        load(doc)
    });
    grow(c, "many_milestones/review", many_milestones, |_, set| {
        set.review(date)
    });
    grow(c, "same_level_chain/impact", same_level_chain, |_, set| {
        set.impact(&format!("o{}", set.objectives().count() - 1))
            .unwrap()
    });
    grow(
        c,
        "many_tops/impact_of_a_key_result",
        many_tops,
        |_, set| set.impact("o0-k0"),
    );
    grow(c, "many_owners/distribution", many_owners, |_, set| {
        set.distribution(&set.review(date), GroupBy::Owner)
    });
    // A CSV of n periods, each with a grade row (read, not yet checked).
    let mut group = c.benchmark_group("growth/periods_and_grades/csv_import");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(1));
    for factor in [1, 2, 4] {
        let n = base() * factor;
        let mut text = String::from("type,id,parent,start,end,current,status\n");
        for i in 0..n {
            let (start, end) = (day(0), day(30));
            text.push_str(&format!("period,p{i},,{start},{end},,\n"));
        }
        for i in 0..n {
            text.push_str(&format!("grade,o{i},p{i},,,0.5,yellow\n"));
        }
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| Document::from_csv(&text).unwrap());
        });
    }
    group.finish();
    // Check-ins recorded newest first, through the library: one call for
    // all of them, and one call each (the history keeps room in front of
    // its first, so each goes there in amortized O(1)).
    let mut group = c.benchmark_group("growth/check_ins_newest_first/batch");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(1));
    for factor in [1, 2, 4] {
        let n = base() * factor;
        let doc = wide_objective(1);
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_batched(
                || load(&doc),
                |mut set| {
                    set.check_in_many((0..n).rev().map(|i| ("wide-k0", check_in_at(i))))
                        .unwrap();
                    set
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
    let mut group = c.benchmark_group("growth/check_ins_newest_first/one_by_one");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(1));
    for factor in [1, 2, 4] {
        let n = base() * factor;
        let doc = wide_objective(1);
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_batched(
                || load(&doc),
                |mut set| {
                    for i in (0..n).rev() {
                        set.check_in("wide-k0", check_in_at(i)).unwrap();
                    }
                    set
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

/// The `i`-th check-in of a run, `i` seconds into 2026 (UTC).
fn check_in_at(i: usize) -> CheckIn {
    let second = 1_767_225_600 + i64::try_from(i).unwrap();
    let at = Moment::at(Timestamp::from_second(second).unwrap(), Offset::UTC);
    CheckIn::new(at, CheckInValue::Number(Decimal::ONE))
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
