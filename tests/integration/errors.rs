//! One top-level error: every public error converts into `okrs::Error` with
//! `?`, and every error has a stable code, the ids it is about and the
//! document field it concerns.

use std::collections::{BTreeMap, BTreeSet};
use std::mem::{Discriminant, discriminant};

use okrs::{
    CarryForward, CheckIn, CheckInValue, Confidence, Document, Error, Id, Levels, Link, LoadError,
    Metric, Milestone, Moment, OkrSet, Period, Progress, Weight, parse_decimal,
};

use crate::{d, load};

/// Every code [`Error::code`] gives, pinned: renaming, dropping or reusing a
/// code breaks user interfaces that match on it, so it must fail here.
const CODES: [&str; 78] = [
    "duplicate-id",
    "empty-owner",
    "empty-title",
    "unknown-level",
    "unknown-strategy",
    "misplaced-strategy",
    "invalid-aligned-share",
    "sum-of-non-numeric",
    "sum-of-mixed-units",
    "sum-without-distance",
    "invalid-progress-cap",
    "invalid-metric",
    "metric-and-sub-key-results",
    "all-weights-zero",
    "weight-overflow",
    "unknown-node",
    "wrong-kind",
    "unknown-link-target",
    "invalid-link-target",
    "duplicate-link",
    "unknown-link",
    "link-to-lower-level",
    "links-forbidden",
    "contributes-to-measured-key-result",
    "cycle",
    "too-deep",
    "titles-full",
    "still-linked",
    "duplicate-period",
    "period-ends-before-start",
    "unknown-period",
    "period-outside-parent",
    "periods-overlap",
    "period-cycle",
    "current-and-check-ins",
    "no-metric",
    "check-in-value",
    "check-in-before-period",
    "period-closed",
    "phase-outside-period",
    "phase-on-unphased-metric",
    "grade-of-unknown-node",
    "already-closed",
    "no-period",
    "not-a-later-period",
    "already-done",
    "unknown-rule",
    "already-carried",
    "parse",
    "csv",
    "empty-id",
    "id-control-character",
    "not-a-decimal",
    "negative-weight",
    "weight-not-a-number",
    "invalid-progress",
    "invalid-confidence",
    "metric-start-equals-target",
    "metric-overflow",
    "metric-inverted-range",
    "metric-milestone-weights",
    "metric-empty-milestone-title",
    "metric-zones-out-of-order",
    "value-wrong-kind",
    "value-out-of-range",
    "unknown-milestone",
    "no-levels",
    "empty-level-name",
    "duplicate-level",
    "invalid-moment",
    "year-out-of-range",
    "unknown-time-zone",
    "check-in-after-period",
    "confidence-out-of-scale",
    "not-graded",
    "invalid-score",
    "score-without-reason",
    "fold-inexact",
];

/// One real failure and what a user interface should learn from it.
struct Case {
    error: Error,
    code: &'static str,
    ids: &'static [&'static str],
    field: Option<&'static str>,
}

fn case(
    error: Error,
    code: &'static str,
    ids: &'static [&'static str],
    field: Option<&'static str>,
) -> Case {
    Case {
        error,
        code,
        ids,
        field,
    }
}

fn id(text: &str) -> Id {
    text.parse().unwrap()
}

/// The error `OkrSet::from_json` refuses a document with, as an `Error`.
fn refuse(json: &str) -> Error {
    Error::from(OkrSet::from_json(json).unwrap_err())
}

/// A document of the given objectives (a JSON list's items).
fn objectives(items: &str) -> String {
    format!(r#"{{ "format": "okrs/1", "objectives": [{items}] }}"#)
}

/// A document of the given periods and objectives.
fn periods(periods: &str, items: &str) -> String {
    format!(r#"{{ "format": "okrs/1", "periods": [{periods}], "objectives": [{items}] }}"#)
}

/// Objective `o` in period `P` (2027-01-01 to 2027-04-11) with key result
/// `kr` of the given metric and extra key result fields.
fn in_period(metric: &str, extra: &str) -> String {
    periods(
        r#"{ "id": "P", "start": "2027-01-01", "end": "2027-04-11" }"#,
        &format!(
            r#"{{ "id": "o", "title": "O", "level": "team", "period": "P", "key_results": [
                 {{ "id": "kr", "title": "KR", "metric": {metric} {extra} }} ] }}"#
        ),
    )
}

const NUMERIC: &str = r#"{ "kind": "numeric", "start": "0", "target": "100" }"#;

/// Objectives `a` and `b` on the company level, `a` aligned to `b`.
fn a_to_b() -> OkrSet {
    load(&objectives(
        r#"{ "id": "a", "title": "A", "level": "company", "aligned_to": [{ "id": "b" }] },
           { "id": "b", "title": "B", "level": "company" }"#,
    ))
}

/// Objective `o` in FY2027 with key result `kr` (3 of 4), `next` in FY2028.
fn yearly() -> OkrSet {
    load(
        r#"{ "format": "okrs/1",
        "periods": [ { "id": "FY2027", "start": "2027-01-01", "end": "2027-12-31" },
                     { "id": "FY2028", "start": "2028-01-01", "end": "2028-12-31" } ],
        "objectives": [
          { "id": "o", "title": "O", "level": "company", "period": "FY2027",
            "key_results": [ { "id": "kr", "title": "KR",
              "metric": { "kind": "numeric", "start": "0", "target": "4" },
              "check_ins": [ { "at": "2027-06-01", "value": "3" } ] } ] },
          { "id": "next", "title": "Next year", "level": "company", "period": "FY2028" },
          { "id": "loose", "title": "No period", "level": "company" } ] }"#,
    )
}

/// A strategy that counts its inputs (a tenth each), whatever they stand
/// at: no single folded member gives it the count of several.
#[derive(Debug)]
struct Counting;

impl okrs::AggregationStrategy for Counting {
    fn name(&self) -> &str {
        "counting"
    }
    fn aggregate(&self, contributions: &[okrs::Contribution]) -> okrs::Decimal {
        okrs::Decimal::from(contributions.len()) / okrs::Decimal::TEN
    }
}

/// Objective `o` under [`Counting`], with two private objectives aligned.
fn counting() -> OkrSet {
    let json = r#"{ "format": "okrs/1", "alignment": "cascading", "objectives": [
        { "id": "o", "title": "O", "level": "company", "grading": "counting" },
        { "id": "p", "title": "P", "level": "team", "visibility": "private", "aligned_to": [{ "id": "o" }] },
        { "id": "q", "title": "Q", "level": "team", "visibility": "private", "aligned_to": [{ "id": "o" }] } ] }"#;
    OkrSet::builder()
        .strategy(Counting)
        .from_json(json)
        .unwrap()
}

/// At least one real failure per code, each triggered through the public
/// API (only `titles-full`, which takes 4 GiB of titles, is built by hand).
fn cases() -> Vec<Case> {
    let max = "79228162514264337593543950335";
    let mut deep =
        String::from(r#"{ "id": "leaf", "title": "T", "metric": { "kind": "binary" } }"#);
    for depth in 0..=okrs::MAX_DEPTH {
        deep = format!(r#"{{ "id": "k{depth}", "title": "T", "key_results": [{deep}] }}"#);
    }

    let mut cycle = a_to_b();
    let mut duplicate_link = a_to_b();
    let mut unknown_link = a_to_b();
    let mut still_linked = a_to_b();
    let mut unknown_node = a_to_b();
    let mut closed = yearly();
    closed.close_period("FY2027").unwrap();
    let mut closed_twice = closed.clone();
    let mut carried = yearly();
    carried
        .carry_forward("o", "FY2028", CarryForward::default())
        .unwrap();
    let mut no_period = yearly();
    let mut not_later = yearly();
    let mut in_p = load(&in_period(NUMERIC, ""));
    let mut in_p2 = in_p.clone();
    let mut in_p3 = in_p.clone();
    let mut open = yearly();
    let mut scored = closed.clone();
    let mut done = load(&periods(
        r#"{ "id": "A", "start": "2027-01-01", "end": "2027-01-31" },
           { "id": "B", "start": "2027-02-01", "end": "2027-02-28" }"#,
        r#"{ "id": "o", "title": "O", "level": "team", "period": "A", "key_results": [
             { "id": "kr", "title": "KR", "metric": { "kind": "binary", "done": true } } ] }"#,
    ));
    let milestones = Metric::Milestones {
        milestones: vec![Milestone::new("A")],
    };

    // A key result summing the values of parts a and b (issue 14).
    let sum = |a: &str, b: &str| {
        objectives(&format!(
            r#"{{ "id": "o", "title": "O", "level": "team", "key_results": [
                 {{ "id": "s", "title": "S", "grading": "sum-of-values", "key_results": [
                   {{ "id": "a", "title": "A", "metric": {a} }},
                   {{ "id": "b", "title": "B", "metric": {b} }} ] }} ] }}"#
        ))
    };

    vec![
        // Issue 14's rules.
        case(
            refuse(&objectives(
                r#"{ "id": "o", "title": "O", "level": "team", "grading": "sum-of-values" }"#,
            )),
            "misplaced-strategy",
            &["o"],
            Some("grading"),
        ),
        case(
            refuse(&objectives(
                r#"{ "id": "o", "title": "O", "level": "team", "aligned_share": "1.5" }"#,
            )),
            "invalid-aligned-share",
            &["o"],
            Some("aligned_share"),
        ),
        case(
            refuse(&sum(NUMERIC, r#"{ "kind": "binary" }"#)),
            "sum-of-non-numeric",
            &["s", "b"],
            Some("metric"),
        ),
        case(
            refuse(&sum(
                r#"{ "kind": "numeric", "start": "0", "target": "1", "unit": "EUR" }"#,
                r#"{ "kind": "numeric", "start": "0", "target": "1", "unit": "USD" }"#,
            )),
            "sum-of-mixed-units",
            &["s", "a", "b"],
            Some("unit"),
        ),
        case(
            refuse(&sum(
                r#"{ "kind": "numeric", "start": "0", "target": "5" }"#,
                r#"{ "kind": "numeric", "start": "5", "target": "0" }"#,
            )),
            "sum-without-distance",
            &["s", "a", "b"],
            Some("target"),
        ),
        case(
            Metric::numeric(d("0"), d("10"))
                .with_zones(okrs::Zones::new(Some(d("11")), None))
                .validate()
                .unwrap_err()
                .into(),
            "metric-zones-out-of-order",
            &[],
            Some("metric"),
        ),
        // The model, refusing a document.
        case(
            refuse(&objectives(
                r#"{ "id": "a", "title": "A", "level": "team" },
                   { "id": "a", "title": "B", "level": "team" }"#,
            )),
            "duplicate-id",
            &["a"],
            Some("id"),
        ),
        case(
            refuse(&objectives(
                r#"{ "id": "a", "title": "A", "level": "team", "owners": ["ana", " "] }"#,
            )),
            "empty-owner",
            &["a"],
            Some("owners"),
        ),
        case(
            refuse(&objectives(
                r#"{ "id": "a", "title": " ", "level": "team" }"#,
            )),
            "empty-title",
            &["a"],
            Some("title"),
        ),
        case(
            refuse(&objectives(
                r#"{ "id": "a", "title": "A", "level": "galaxy" }"#,
            )),
            "unknown-level",
            &["a"],
            Some("level"),
        ),
        case(
            refuse(&objectives(
                r#"{ "id": "a", "title": "A", "level": "team", "grading": "median" }"#,
            )),
            "unknown-strategy",
            &["a"],
            Some("grading"),
        ),
        case(
            refuse(r#"{ "format": "okrs/1", "grading": "median" }"#),
            "unknown-strategy",
            &[],
            Some("grading"),
        ),
        case(
            refuse(r#"{ "format": "okrs/1", "progress_cap": "0.5" }"#),
            "invalid-progress-cap",
            &[],
            Some("progress_cap"),
        ),
        case(
            refuse(&objectives(
                r#"{ "id": "o", "title": "O", "level": "team", "key_results": [
                     { "id": "kr", "title": "KR",
                       "metric": { "kind": "numeric", "start": "1", "target": "1" } } ] }"#,
            )),
            "invalid-metric",
            &["kr"],
            Some("metric"),
        ),
        case(
            refuse(&objectives(
                r#"{ "id": "o", "title": "O", "level": "team", "key_results": [
                     { "id": "kr", "title": "KR", "metric": { "kind": "binary" },
                       "key_results": [ { "id": "sub", "title": "Sub" } ] } ] }"#,
            )),
            "metric-and-sub-key-results",
            &["kr"],
            Some("metric"),
        ),
        case(
            refuse(&objectives(
                r#"{ "id": "o", "title": "O", "level": "team", "key_results": [
                     { "id": "kr", "title": "KR", "weight": "0" } ] }"#,
            )),
            "all-weights-zero",
            &["o"],
            Some("weight"),
        ),
        case(
            refuse(&objectives(&format!(
                r#"{{ "id": "o", "title": "O", "level": "team", "key_results": [
                     {{ "id": "k1", "title": "K1", "weight": "{max}" }},
                     {{ "id": "k2", "title": "K2", "weight": "{max}" }} ] }}"#
            ))),
            "weight-overflow",
            &["o"],
            Some("weight"),
        ),
        case(
            refuse(&objectives(
                r#"{ "id": "a", "title": "A", "level": "team", "aligned_to": [{ "id": "ghost" }] }"#,
            )),
            "unknown-link-target",
            &["a", "ghost"],
            Some("aligned_to"),
        ),
        case(
            refuse(&objectives(
                r#"{ "id": "a", "title": "A", "level": "team", "key_results": [
                     { "id": "kr", "title": "KR",
                       "initiatives": [ { "id": "launch", "title": "Launch" } ] } ] },
                   { "id": "b", "title": "B", "level": "team", "aligned_to": [{ "id": "launch" }] }"#,
            )),
            "invalid-link-target",
            &["b", "launch"],
            Some("aligned_to"),
        ),
        case(
            refuse(
                r#"{ "format": "okrs/1", "alignment": "cascading", "objectives": [
                     { "id": "team", "title": "Team", "level": "team" },
                     { "id": "co", "title": "Company", "level": "company",
                       "aligned_to": [{ "id": "team" }] } ] }"#,
            ),
            "link-to-lower-level",
            &["co", "team"],
            Some("aligned_to"),
        ),
        case(
            refuse(
                r#"{ "format": "okrs/1", "alignment": "transparency", "objectives": [
                     { "id": "co", "title": "Company", "level": "company" },
                     { "id": "team", "title": "Team", "level": "team",
                       "aligned_to": [{ "id": "co" }] } ] }"#,
            ),
            "links-forbidden",
            &["team"],
            Some("aligned_to"),
        ),
        case(
            refuse(
                r#"{ "format": "okrs/1", "objectives": [
                     { "id": "co", "title": "Company", "level": "company", "key_results": [
                       { "id": "co-kr", "title": "Measured", "metric": { "kind": "binary" } } ] },
                     { "id": "team", "title": "Team", "level": "team",
                       "aligned_to": [{ "id": "co-kr", "contributes": true }] } ] }"#,
            ),
            "contributes-to-measured-key-result",
            &["team", "co-kr"],
            Some("contributes"),
        ),
        case(
            refuse(&objectives(&format!(
                r#"{{ "id": "o", "title": "O", "level": "team", "key_results": [{deep}] }}"#
            ))),
            "too-deep",
            &["leaf"],
            Some("key_results"),
        ),
        case(
            refuse(&periods(
                r#"{ "id": "Q", "start": "2027-01-01", "end": "2027-03-31" },
                   { "id": "Q", "start": "2027-04-01", "end": "2027-06-30" }"#,
                "",
            )),
            "duplicate-period",
            &["Q"],
            Some("id"),
        ),
        case(
            refuse(&periods(
                r#"{ "id": "Q", "start": "2027-03-31", "end": "2027-01-01" }"#,
                "",
            )),
            "period-ends-before-start",
            &["Q"],
            Some("end"),
        ),
        case(
            refuse(&objectives(
                r#"{ "id": "a", "title": "A", "level": "team", "period": "Q9" }"#,
            )),
            "unknown-period",
            &["a", "Q9"],
            Some("period"),
        ),
        case(
            refuse(&periods(
                r#"{ "id": "Y", "start": "2027-01-01", "end": "2027-12-31" },
                   { "id": "Q", "start": "2026-12-01", "end": "2027-03-31", "within": "Y" }"#,
                "",
            )),
            "period-outside-parent",
            &["Q", "Y"],
            Some("within"),
        ),
        case(
            refuse(&periods(
                r#"{ "id": "Q1", "start": "2027-01-01", "end": "2027-03-31" },
                   { "id": "Q2", "start": "2027-03-01", "end": "2027-06-30" }"#,
                "",
            )),
            "periods-overlap",
            &["Q1", "Q2"],
            None,
        ),
        case(
            refuse(&periods(
                r#"{ "id": "A", "start": "2027-01-01", "end": "2027-12-31", "within": "B" },
                   { "id": "B", "start": "2027-01-01", "end": "2027-12-31", "within": "A" }"#,
                "",
            )),
            "period-cycle",
            &["A"],
            Some("within"),
        ),
        case(
            refuse(&in_period(
                // `current` may only repeat the latest check-in's value.
                r#"{ "kind": "numeric", "start": "0", "target": "100", "current": "6" }"#,
                r#", "check_ins": [ { "at": "2027-01-11", "value": "5" } ]"#,
            )),
            "current-and-check-ins",
            &["kr"],
            Some("current"),
        ),
        case(
            refuse(&objectives(
                r#"{ "id": "o", "title": "O", "level": "team", "key_results": [
                     { "id": "kr", "title": "KR",
                       "check_ins": [ { "at": "2027-01-11", "value": "5" } ] } ] }"#,
            )),
            "no-metric",
            &["kr"],
            Some("metric"),
        ),
        case(
            refuse(&in_period(
                r#"{ "kind": "binary" }"#,
                r#", "phases": [ { "at": "2027-02-01", "target": "1" } ]"#,
            )),
            "phase-on-unphased-metric",
            &["kr"],
            Some("phases"),
        ),
        case(
            refuse(&in_period(
                NUMERIC,
                r#", "phases": [ { "at": "2027-05-01", "target": "50" } ]"#,
            )),
            "phase-outside-period",
            &["kr"],
            Some("phases"),
        ),
        case(
            refuse(&periods(
                r#"{ "id": "Q", "start": "2027-01-01", "end": "2027-03-31",
                     "closed": { "grades": [ { "id": "elsewhere", "progress": "1", "band": "green" } ] } }"#,
                r#"{ "id": "elsewhere", "title": "E", "level": "team" }"#,
            )),
            "grade-of-unknown-node",
            &["Q", "elsewhere"],
            Some("grades"),
        ),
        case(
            refuse(r#"{ "format": "okrs/1", "lint": { "rules": { "OKR999": "off" } } }"#),
            "unknown-rule",
            &[],
            Some("lint"),
        ),
        // The model, refusing an edit.
        case(
            unknown_node.set_weight("ghost", Weight::ONE).unwrap_err(),
            "unknown-node",
            &["ghost"],
            None,
        ),
        case(
            unknown_node.set_weight("a", Weight::ONE).unwrap_err(),
            "wrong-kind",
            &["a"],
            None,
        ),
        case(
            duplicate_link
                .add_link("a", Link::new(id("b")))
                .unwrap_err(),
            "duplicate-link",
            &["a", "b"],
            Some("aligned_to"),
        ),
        case(
            unknown_link.remove_link("b", "a").unwrap_err(),
            "unknown-link",
            &["b", "a"],
            Some("aligned_to"),
        ),
        case(
            cycle.add_link("b", Link::new(id("a"))).unwrap_err(),
            "cycle",
            &["b", "a"],
            Some("aligned_to"),
        ),
        case(
            still_linked.remove_objective("b").unwrap_err(),
            "still-linked",
            &["b", "a"],
            Some("aligned_to"),
        ),
        case(
            in_p.check_in(
                "kr",
                CheckIn::new("2027-01-11".parse().unwrap(), true.into()),
            )
            .unwrap_err(),
            "check-in-value",
            &["kr"],
            Some("value"),
        ),
        case(
            in_p2
                .check_in(
                    "kr",
                    CheckIn::new("2026-12-31".parse().unwrap(), d("1").into()),
                )
                .unwrap_err(),
            "check-in-before-period",
            &["kr"],
            Some("at"),
        ),
        case(
            in_p3
                .check_in(
                    "kr",
                    CheckIn::new("2027-04-12".parse().unwrap(), d("1").into()),
                )
                .unwrap_err(),
            "check-in-after-period",
            &["kr"],
            Some("at"),
        ),
        case(
            refuse(r#"{ "format": "okrs/1", "time_zone": "Mars/Olympus_Mons" }"#),
            "unknown-time-zone",
            &[],
            Some("time_zone"),
        ),
        case(
            refuse(&in_period(
                r#"{ "kind": "binary" }"#,
                r#", "check_ins": [ { "at": "2027-01-02", "value": true, "confidence": "7" } ]"#,
            )),
            "confidence-out-of-scale",
            &["kr"],
            Some("confidence"),
        ),
        case(
            open.set_score("o", "0.5".parse().unwrap(), "why", "ana")
                .unwrap_err(),
            "not-graded",
            &["o", "FY2027"],
            Some("closed"),
        ),
        case(
            scored
                .set_score("o", "1.5".parse().unwrap(), "why", "ana")
                .unwrap_err(),
            "invalid-score",
            &["o"],
            Some("score"),
        ),
        case(
            scored
                .set_score("kr", "0.5".parse().unwrap(), "", "ana")
                .unwrap_err(),
            "score-without-reason",
            &["kr"],
            Some("score"),
        ),
        case(
            counting()
                .view_with(&okrs::Viewer::new("kim"), okrs::ViewPolicy::Fold)
                .unwrap_err(),
            "fold-inexact",
            &["o"],
            None,
        ),
        case(
            closed
                .check_in(
                    "kr",
                    CheckIn::new("2027-12-31".parse().unwrap(), d("4").into()),
                )
                .unwrap_err(),
            "period-closed",
            &["kr", "FY2027"],
            Some("period"),
        ),
        case(
            closed_twice.close_period("FY2027").unwrap_err(),
            "already-closed",
            &["FY2027"],
            Some("closed"),
        ),
        case(
            no_period
                .carry_forward("loose", "FY2028", CarryForward::default())
                .unwrap_err(),
            "no-period",
            &["loose"],
            Some("period"),
        ),
        case(
            not_later
                .carry_forward("next", "FY2027", CarryForward::default())
                .unwrap_err(),
            "not-a-later-period",
            &["next", "FY2027"],
            Some("period"),
        ),
        case(
            done.carry_forward("o", "B", CarryForward::default())
                .unwrap_err(),
            "already-done",
            &["o"],
            None,
        ),
        case(
            carried
                .carry_forward("o", "FY2028", CarryForward::default())
                .unwrap_err(),
            "already-carried",
            &["o", "o@FY2028"],
            Some("carried_to"),
        ),
        // 4 GiB of titles is too much for a test: built by hand.
        case(
            Error::TitlesFull(id("huge")),
            "titles-full",
            &["huge"],
            Some("title"),
        ),
        // Wrapped errors.
        case(
            Document::from_json(r#"{ "format": "okrs/2" }"#)
                .unwrap_err()
                .into(),
            "parse",
            &[],
            Some("format"),
        ),
        case(
            OkrSet::from_json(&objectives(
                r#"{ "id": "o", "title": "O", "level": "team", "key_results": [
                     { "id": "kr", "title": "KR", "weight": "-2" } ] }"#,
            ))
            .unwrap_err()
            .into(),
            "parse",
            &[],
            Some("weight"),
        ),
        case(
            Document::from_csv("type,id,parent,weight\nkey-result,k,o,heavy\n")
                .unwrap_err()
                .into(),
            "csv",
            &[],
            Some("weight"),
        ),
        case(
            Document::from_csv("type,id\nobjective,a\nwidget,b\n")
                .unwrap_err()
                .into(),
            "csv",
            &[],
            None,
        ),
        case(Id::new("").unwrap_err().into(), "empty-id", &[], Some("id")),
        case(
            Id::new("a\nb").unwrap_err().into(),
            "id-control-character",
            &[],
            Some("id"),
        ),
        case(
            parse_decimal("1.2.3").unwrap_err().into(),
            "not-a-decimal",
            &[],
            None,
        ),
        case(
            Weight::new(d("-1")).unwrap_err().into(),
            "negative-weight",
            &[],
            Some("weight"),
        ),
        case(
            "heavy".parse::<Weight>().unwrap_err().into(),
            "weight-not-a-number",
            &[],
            Some("weight"),
        ),
        case(
            "-0.5".parse::<Progress>().unwrap_err().into(),
            "invalid-progress",
            &[],
            Some("progress"),
        ),
        case(
            "-1".parse::<Confidence>().unwrap_err().into(),
            "invalid-confidence",
            &[],
            Some("confidence"),
        ),
        case(
            Metric::numeric(d("3"), d("3"))
                .validate()
                .unwrap_err()
                .into(),
            "metric-start-equals-target",
            &[],
            Some("metric"),
        ),
        case(
            Metric::numeric(d(&format!("-{max}")), d(max))
                .validate()
                .unwrap_err()
                .into(),
            "metric-overflow",
            &[],
            Some("metric"),
        ),
        case(
            Metric::Range {
                low: d("5"),
                high: d("1"),
                current: None,
            }
            .validate()
            .unwrap_err()
            .into(),
            "metric-inverted-range",
            &[],
            Some("metric"),
        ),
        case(
            Metric::Milestones { milestones: vec![] }
                .validate()
                .unwrap_err()
                .into(),
            "metric-milestone-weights",
            &[],
            Some("metric"),
        ),
        case(
            Metric::Milestones {
                milestones: vec![Milestone::new(" ")],
            }
            .validate()
            .unwrap_err()
            .into(),
            "metric-empty-milestone-title",
            &[],
            Some("metric"),
        ),
        case(
            Metric::binary(false)
                .fits(&CheckInValue::Number(d("1")))
                .unwrap_err()
                .into(),
            "value-wrong-kind",
            &[],
            Some("value"),
        ),
        case(
            Metric::numeric(d(&format!("-{max}")), d("0"))
                .fits(&CheckInValue::Number(d(max)))
                .unwrap_err()
                .into(),
            "value-out-of-range",
            &[],
            Some("value"),
        ),
        case(
            milestones
                .fits(&CheckInValue::Milestones(vec!["B".into()]))
                .unwrap_err()
                .into(),
            "unknown-milestone",
            &[],
            Some("value"),
        ),
        case(
            Levels::new(Vec::<String>::new()).unwrap_err().into(),
            "no-levels",
            &[],
            Some("levels"),
        ),
        case(
            Levels::new(["tribe", ""]).unwrap_err().into(),
            "empty-level-name",
            &[],
            Some("levels"),
        ),
        case(
            Levels::new(["tribe", "tribe"]).unwrap_err().into(),
            "duplicate-level",
            &[],
            Some("levels"),
        ),
        case(
            "next tuesday".parse::<Moment>().unwrap_err().into(),
            "invalid-moment",
            &[],
            Some("at"),
        ),
        case(
            Period::year(10_000).unwrap_err().into(),
            "year-out-of-range",
            &[],
            None,
        ),
    ]
}

#[test]
fn each_error_has_its_code_ids_and_field() {
    for case in cases() {
        let e = &case.error;
        assert_eq!(e.code(), case.code, "{e:?}");
        let ids: Vec<&str> = e.ids().into_iter().map(Id::as_str).collect();
        assert_eq!(ids, case.ids, "ids of {e:?}");
        assert_eq!(e.field(), case.field, "field of {e:?}");
    }
}

#[test]
fn the_pinned_codes_are_exactly_the_codes_given() {
    let pinned: BTreeSet<&str> = CODES.into_iter().collect();
    assert_eq!(pinned.len(), CODES.len(), "a code is pinned twice");
    let given: BTreeSet<&str> = cases().iter().map(|c| c.error.code()).collect();
    let missing: Vec<_> = pinned.difference(&given).collect();
    let unpinned: Vec<_> = given.difference(&pinned).collect();
    assert!(
        missing.is_empty(),
        "pinned codes no failure gives: {missing:?}"
    );
    assert!(unpinned.is_empty(), "codes not pinned: {unpinned:?}");
    for code in CODES {
        assert!(
            !code.is_empty()
                && code
                    .split('-')
                    .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase())),
            "{code:?} is not kebab-case"
        );
    }
}

/// The variant of an error and, for wrapped enums, the inner variant.
type Variant = (Discriminant<Error>, Option<String>);

fn variant(error: &Error) -> Variant {
    let inner = match error {
        Error::Id(e) => Some(format!("{:?}", discriminant(e))),
        Error::Weight(e) => Some(format!("{:?}", discriminant(e))),
        Error::Metric(e) => Some(format!("{:?}", discriminant(e))),
        Error::Value(e) => Some(format!("{:?}", discriminant(e))),
        Error::Levels(e) => Some(format!("{:?}", discriminant(e))),
        _ => None,
    };
    (discriminant(error), inner)
}

#[test]
fn codes_are_unique_across_variants() {
    let mut code_of: BTreeMap<String, &str> = BTreeMap::new();
    let mut variant_of: BTreeMap<&str, String> = BTreeMap::new();
    let cases = cases();
    for case in &cases {
        let key = format!("{:?}", variant(&case.error));
        let code = case.error.code();
        assert_eq!(
            *code_of.entry(key.clone()).or_insert(code),
            code,
            "one variant, two codes: {:?}",
            case.error
        );
        assert_eq!(
            *variant_of.entry(code).or_insert_with(|| key.clone()),
            key,
            "{code:?} is given by two variants, the second {:?}",
            case.error
        );
    }
    assert_eq!(code_of.len(), CODES.len());
}

#[test]
fn wrapping_keeps_messages() {
    let parse = Document::from_json("{").unwrap_err();
    assert_eq!(Error::from(parse.clone()).to_string(), parse.to_string());
    let csv = Document::from_csv("type\nwidget\n").unwrap_err();
    assert_eq!(Error::from(csv.clone()).to_string(), csv.to_string());
    let weight = "heavy".parse::<Weight>().unwrap_err();
    assert_eq!(Error::from(weight.clone()).to_string(), weight.to_string());
    let id_error = Id::new("").unwrap_err();
    assert_eq!(
        Error::from(id_error.clone()).to_string(),
        id_error.to_string()
    );

    // A load error: the parse error itself, or the refused model's error
    // (without the "invalid set: " that LoadError adds).
    let load_parse = OkrSet::from_json("{").unwrap_err();
    assert_eq!(load_parse.code(), "parse");
    assert!(
        matches!(Error::from(load_parse), Error::Parse(p) if p == Document::from_json("{").unwrap_err())
    );
    let json = objectives(r#"{ "id": "a", "title": " ", "level": "team" }"#);
    let load_invalid = OkrSet::from_json(&json).unwrap_err();
    assert_eq!(load_invalid.code(), "empty-title");
    let LoadError::Invalid(inner) = load_invalid.clone() else {
        panic!("{load_invalid:?}")
    };
    assert_eq!(load_invalid.to_string(), format!("invalid set: {inner}"));
    assert_eq!(Error::from(load_invalid), inner);
    assert_eq!(inner, Error::EmptyTitle(id("a")));
}

#[test]
fn parse_errors_name_the_field_their_path_ends_in() {
    let field = |json: &str| Error::from(Document::from_json(json).unwrap_err()).field();
    assert_eq!(field("{"), None);
    assert_eq!(
        field(r#"{ "format": "okrs/1", "objectives": 3 }"#),
        Some("objectives")
    );
    assert_eq!(
        field(&objectives(
            r#"{ "id": "a", "title": "A", "level": "team", "owners": ["x", 3] }"#
        )),
        Some("owners")
    );
    assert_eq!(
        field(&objectives(
            r#"{ "id": "a", "title": "A", "level": "team", "key_results": [
                 { "id": "k", "title": "K", "weight": "x" } ] }"#
        )),
        Some("weight")
    );
    // Inside a metric the path reaches the field (a metric is read field
    // by field, not buffered as a tagged enum would be).
    assert_eq!(
        field(&objectives(
            r#"{ "id": "a", "title": "A", "level": "team", "key_results": [
                 { "id": "k", "title": "K", "metric": { "kind": "numeric", "start": "x", "target": "1" } } ] }"#
        )),
        Some("start")
    );
    assert_eq!(
        field(&objectives(
            r#"{ "id": "a\u0007", "title": "A", "level": "team" }"#
        )),
        Some("id")
    );
}

/// Each step fails with one public error type and converts it with `?`.
fn fail(step: usize) -> Result<(), Error> {
    let json = r#"{ "format": "okrs/1", "objectives": [
        { "id": "a", "title": "A", "level": "company", "aligned_to": [{ "id": "b" }] },
        { "id": "b", "title": "B", "level": "company" } ] }"#;
    match step {
        0 => drop(Document::from_json("{")?),        // ParseError
        1 => drop(Document::from_csv("type\nx\n")?), // CsvError
        2 => drop(OkrSet::from_json("[]")?),         // LoadError::Parse
        3 => drop(OkrSet::from_json(
            r#"{ "format": "okrs/1", "progress_cap": "0" }"#,
        )?), // LoadError::Invalid
        4 => OkrSet::from_json(json)?.add_link("b", Link::new(Id::new("a")?))?, // Error
        5 => drop(Id::new("")?),                     // IdError
        6 => drop(parse_decimal("x")?),              // DecimalError
        7 => drop(Weight::new(d("-1"))?),            // WeightError
        8 => drop(Progress::new(d("-1"))?),          // ProgressError
        9 => drop(Confidence::new(d("-12"))?),       // ConfidenceError
        10 => Metric::numeric(d("1"), d("1")).validate()?, // MetricError
        11 => Metric::binary(true).fits(&CheckInValue::Number(d("1")))?, // ValueMismatch
        12 => drop(Levels::new(["a", "a"])?),        // LevelsError
        13 => drop("soon".parse::<Moment>()?),       // MomentError
        14 => drop(Period::quarters(-10_000)?),      // YearError
        _ => {}
    }
    Ok(())
}

#[test]
fn question_mark_turns_every_public_error_into_okrs_error() {
    let codes: Vec<&str> = (0..15).map(|step| fail(step).unwrap_err().code()).collect();
    assert_eq!(
        codes,
        [
            "parse",
            "csv",
            "parse",
            "invalid-progress-cap",
            "cycle",
            "empty-id",
            "not-a-decimal",
            "negative-weight",
            "invalid-progress",
            "invalid-confidence",
            "metric-start-equals-target",
            "value-wrong-kind",
            "duplicate-level",
            "invalid-moment",
            "year-out-of-range",
        ]
    );
    assert!(fail(15).is_ok());
}

#[test]
fn wrapped_errors_keep_their_source() {
    use std::error::Error as _;
    // Transparent: the wrapper's source is the wrapped error's own source.
    let inner = "heavy".parse::<Weight>().unwrap_err();
    let outer = Error::from(inner.clone());
    assert_eq!(
        outer.source().map(ToString::to_string),
        inner.source().map(ToString::to_string)
    );
    // A model error about a metric keeps the metric's error as its source.
    let e = refuse(&objectives(
        r#"{ "id": "o", "title": "O", "level": "team", "key_results": [
             { "id": "kr", "title": "KR", "metric": { "kind": "numeric", "start": "1", "target": "1" } } ] }"#,
    ));
    assert_eq!(
        e.source().map(ToString::to_string),
        Some(
            Metric::numeric(d("1"), d("1"))
                .validate()
                .unwrap_err()
                .to_string()
        )
    );
}
