//! Issue 14, "Roll-up rules users can trust": one test per rule with the
//! issue's numbers, and the properties its "done when" asks for.

use std::sync::{Arc, Mutex};

use okrs::{
    AggregationStrategy, Band, CarryForward, CheckIn, CheckInValue, Contribution, Date, Decimal,
    Document, Error, GroupBy, KeyResult, Link, Metric, Objective, OkrSet, ProgressFrom, Rule,
    Status, Zone, Zones,
};
use proptest::prelude::*;
use proptest::sample::Index;

use crate::{d, generate, load, progress};

fn id(text: &str) -> okrs::Id {
    text.parse().unwrap()
}

/// The BizOps objective of seed 002, every key result done, weighted
/// `weights` (20/30/50 or 0.2/0.3/0.5), and a team objective at 0 that
/// contributes to it (cascading).
fn bizops(weights: [&str; 3], extra: &str) -> String {
    format!(
        r#"{{ "format": "okrs/1", "alignment": "cascading", {extra}
        "objectives": [
          {{ "id": "grow", "title": "Grow the BizOps team", "level": "department",
            "key_results": [
              {{ "id": "a-assistant", "title": "Hire 1 assistant", "weight": "{}",
                "metric": {{ "kind": "binary", "done": true }} }},
              {{ "id": "b-sdrs", "title": "Hire 3 SDRs", "weight": "{}",
                "metric": {{ "kind": "numeric", "start": "0", "target": "3", "current": "3" }} }},
              {{ "id": "c-onboarding", "title": "Set up onboarding", "weight": "{}",
                "metric": {{ "kind": "binary", "done": true }} }} ] }},
          {{ "id": "team", "title": "Team", "level": "team", "aligned_to": [ {{ "id": "grow" }} ],
            "key_results": [ {{ "id": "t1", "title": "T1", "metric": {{ "kind": "binary" }} }} ] }} ] }}"#,
        weights[0], weights[1], weights[2]
    )
}

// ----- 1. weights are relative within their group -------------------------

#[test]
fn weights_are_relative_within_their_group_whatever_their_unit() {
    // Before: 0.990 (20/30/50 against a link of weight 1) and 0.5
    // (0.2/0.3/0.5). Now the child counts like one more key result of
    // average weight: (1 + 1 + 1 + 0) / 4.
    let hundred = load(&bizops(["20", "30", "50"], ""));
    let one = load(&bizops(["0.2", "0.3", "0.5"], ""));
    assert_eq!(progress(&hundred, "grow"), d("0.75"));
    assert_eq!(progress(&one, "grow"), d("0.75"));
    // The same digits, not only the same value.
    assert_eq!(
        progress(&hundred, "grow").to_string(),
        progress(&one, "grow").to_string()
    );
    // The link's own weight is relative within the aligned group: alone
    // there, any weight counts one member.
    let heavy = load(&bizops(["20", "30", "50"], "").replace(
        r#"[ { "id": "grow" } ]"#,
        r#"[ { "id": "grow", "weight": "7" } ]"#,
    ));
    assert_eq!(progress(&heavy, "grow"), d("0.75"));
}

#[test]
fn the_unit_of_weights_changes_no_digit_even_where_sums_round() {
    // Progress of thirds, sevenths and ninths: weight × progress rounds
    // once the weights grow, unless the weights are read in lowest terms.
    let set = |unit: &str| {
        let weight = |w: &str| (d(w) * d(unit)).normalize().to_string();
        load(&format!(
            r#"{{ "format": "okrs/1", "objectives": [ {{ "id": "o", "title": "O", "level": "team", "key_results": [
              {{ "id": "a", "title": "A", "weight": "{}", "metric": {{ "kind": "numeric", "start": "0", "target": "3", "current": "1" }} }},
              {{ "id": "b", "title": "B", "weight": "{}", "metric": {{ "kind": "numeric", "start": "0", "target": "7", "current": "1" }} }},
              {{ "id": "c", "title": "C", "weight": "{}", "metric": {{ "kind": "numeric", "start": "0", "target": "9", "current": "2" }} }} ] }} ] }}"#,
            weight("1"),
            weight("2"),
            weight("4")
        ))
    };
    let digits = progress(&set("1"), "o").to_string();
    for unit in ["1000", "0.001", "25", "7"] {
        assert_eq!(progress(&set(unit), "o").to_string(), digits, "unit {unit}");
    }
}

#[test]
fn mean_ignores_weights_and_min_takes_the_weakest_counted_member() {
    // Key results a (20, done) and b (80, not); the child at 1.
    let doc = |grading: &str| {
        format!(
            r#"{{ "format": "okrs/1", "alignment": "cascading", "grading": "{grading}", "objectives": [
              {{ "id": "o", "title": "O", "level": "department", "key_results": [
                {{ "id": "a", "title": "A", "weight": "20", "metric": {{ "kind": "binary", "done": true }} }},
                {{ "id": "b", "title": "B", "weight": "80", "metric": {{ "kind": "binary" }} }},
                {{ "id": "z", "title": "Z", "weight": "0", "metric": {{ "kind": "binary" }} }} ] }},
              {{ "id": "c", "title": "C", "level": "team", "aligned_to": [ {{ "id": "o" }} ],
                "key_results": [ {{ "id": "c1", "title": "C1", "metric": {{ "kind": "manual", "progress": "1" }} }} ] }} ] }}"#
        )
    };
    // weighted-mean: the key results weigh 0.2 together, n = 2; the child
    // n = 1: (2 × 0.2 + 1 × 1) / 3 = 7/15.
    assert_eq!(
        progress(&load(&doc("weighted-mean")), "o"),
        d("7") / d("15")
    );
    // mean: every counted member (weight > 0) counts one: (1 + 0 + 1) / 3.
    assert_eq!(progress(&load(&doc("mean")), "o"), d("2") / d("3"));
    // min: the weakest counted member is b at 0 (z, weight 0, does not count).
    assert_eq!(progress(&load(&doc("min")), "o"), d("0"));
    let without_b = doc("min").replace(r#""weight": "80""#, r#""weight": "0""#);
    assert_eq!(progress(&load(&without_b), "o"), d("1"));
}

/// A custom strategy that records the weights it receives.
#[derive(Debug, Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Vec<Decimal>>>>);

impl AggregationStrategy for Recorder {
    fn name(&self) -> &str {
        "recorder"
    }
    fn aggregate(&self, contributions: &[Contribution]) -> Decimal {
        self.0
            .lock()
            .unwrap()
            .push(contributions.iter().map(|c| c.weight.value()).collect());
        okrs::WeightedMean.aggregate(contributions)
    }
}

#[test]
fn custom_strategies_receive_normalised_weights() {
    let recorder = Recorder::default();
    let set = OkrSet::builder()
        .strategy(recorder.clone())
        .from_json(&bizops(["20", "30", "50"], r#""grading": "recorder","#))
        .unwrap();
    assert_eq!(progress(&set, "grow"), d("0.75"));
    // In id order: n·w/W for the three key results (3 × 20/100, …), 1 for
    // the child.
    let calls = recorder.0.lock().unwrap();
    let grow: Vec<&Vec<Decimal>> = calls.iter().filter(|w| w.len() == 4).collect();
    assert!(!grow.is_empty());
    for weights in grow {
        assert_eq!(weights, &[d("0.6"), d("0.9"), d("1.5"), d("1")]);
    }
    // A node with one group gets its members' shares too: n·w/W = 1.
    assert!(calls.iter().any(|w| w == &[d("1")]));
}

// ----- 2. what an objective counts: progress_from ---------------------------

#[test]
fn progress_from_chooses_the_groups_an_objective_counts() {
    // grow: key results all done (1), the team at 0.
    let with = |from: &str| {
        load(&bizops(["20", "30", "50"], "").replace(
            r#""level": "department","#,
            &format!(r#""level": "department", "progress_from": "{from}","#),
        ))
    };
    assert_eq!(progress(&with("both"), "grow"), d("0.75"));
    assert_eq!(progress(&with("key-results"), "grow"), d("1"));
    let aligned = with("aligned");
    assert_eq!(progress(&aligned, "grow"), d("0"));
    // Its own key results are still tracked and shown.
    assert_eq!(progress(&aligned, "b-sdrs"), d("1"));
    assert_eq!(
        aligned.node("grow").unwrap().progress_from(),
        ProgressFrom::Aligned
    );
    // The set's default, and an objective's own choice over it.
    let default_aligned = load(&bizops(
        ["20", "30", "50"],
        r#""progress_from": "aligned","#,
    ));
    assert_eq!(default_aligned.progress_from(), ProgressFrom::Aligned);
    assert_eq!(progress(&default_aligned, "grow"), d("0"));
    // The team has no objective aligned to it: unmeasured.
    assert_eq!(progress(&default_aligned, "team"), d("0"));
    let doc = default_aligned.to_document();
    assert_eq!(doc.progress_from, ProgressFrom::Aligned);
    assert_eq!(OkrSet::from_document(doc).unwrap(), default_aligned);
}

#[test]
fn aligned_share_fixes_the_aligned_groups_share() {
    let shared = |share: &str, team: &str| {
        load(
            &bizops(["20", "30", "50"], "")
                .replace(
                    r#""level": "department","#,
                    &format!(r#""level": "department", "aligned_share": "{share}","#),
                )
                .replace(
                    r#"{ "kind": "binary" }"#,
                    &format!(r#"{{ "kind": "manual", "progress": "{team}" }}"#),
                ),
        )
    };
    // Key results at 1 with 0.75 of the whole, the team at 0.4 with 0.25.
    assert_eq!(progress(&shared("0.25", "0.4"), "grow"), d("0.85"));
    assert_eq!(progress(&shared("0", "0.4"), "grow"), d("1"));
    assert_eq!(progress(&shared("1", "0.4"), "grow"), d("0.4"));
    // mean honours the share: 0.5 × mean(1, 1, 1) + 0.5 × 0.4.
    let mean = shared("0.5", "0.4").to_document();
    let mut mean = mean;
    mean.strategy = "mean".into();
    assert_eq!(
        progress(&OkrSet::from_document(mean).unwrap(), "grow"),
        d("0.7")
    );
    // min ignores it.
    let mut min = shared("0.9", "0.4").to_document();
    min.strategy = "min".into();
    assert_eq!(
        progress(&OkrSet::from_document(min).unwrap(), "grow"),
        d("0.4")
    );
    // With one group empty the share is ignored.
    let alone = load(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team",
          "aligned_share": "0.9", "key_results": [
            { "id": "a", "title": "A", "metric": { "kind": "manual", "progress": "0.3" } } ] } ] }"#,
    );
    assert_eq!(progress(&alone, "o"), d("0.3"));
    assert_eq!(alone.node("o").unwrap().aligned_share(), Some(d("0.9")));
}

#[test]
fn an_aligned_share_outside_zero_to_one_names_the_objective() {
    for share in ["1.01", "-0.1"] {
        let err = OkrSet::from_json(&bizops(["20", "30", "50"], "").replace(
            r#""level": "department","#,
            &format!(r#""level": "department", "aligned_share": "{share}","#),
        ))
        .unwrap_err();
        let okrs::LoadError::Invalid(err) = err else {
            panic!("{err}")
        };
        assert_eq!(err.code(), "invalid-aligned-share");
        assert_eq!(err.ids(), [&id("grow")]);
        assert_eq!(err.field(), Some("aligned_share"));
        assert!(err.to_string().contains("\"grow\""), "{err}");
    }
    // Through an edit too, leaving the set as it was.
    let mut set = load(&bizops(["20", "30", "50"], ""));
    let before = set.clone();
    let err = set
        .add_objective(Objective::new(id("x"), "X", "team").with_aligned_share(d("2")))
        .unwrap_err();
    assert_eq!(err.code(), "invalid-aligned-share");
    assert_eq!(set, before);
}

#[test]
fn an_objective_whose_chosen_group_is_empty_is_unmeasured_and_flagged() {
    let set = load(
        r#"{ "format": "okrs/1", "alignment": "cascading", "objectives": [
          { "id": "co", "title": "Company", "level": "company", "progress_from": "aligned",
            "key_results": [ { "id": "k", "title": "K", "metric": { "kind": "binary", "done": true } } ] },
          { "id": "lead", "title": "Lead", "level": "team", "progress_from": "key-results",
            "aligned_to": [ { "id": "co" } ] },
          { "id": "team", "title": "Team", "level": "team", "aligned_to": [ { "id": "lead" } ],
            "key_results": [ { "id": "t", "title": "T", "metric": { "kind": "binary", "done": true } } ] } ] }"#,
    );
    // lead counts key results and has none: 0, though team (1) supports it.
    assert_eq!(progress(&set, "lead"), d("0"));
    assert_eq!(progress(&set, "co"), d("0"));
    let findings = set.lint(Date::new(2027, 1, 1).unwrap());
    let unmeasured: Vec<&okrs::Finding> = findings
        .iter()
        .filter(|f| f.code == Rule::UnmeasuredObjective.code())
        .collect();
    let ids: Vec<&str> = unmeasured.iter().map(|f| f.nodes[0].as_str()).collect();
    assert_eq!(ids, ["lead"]);
    assert_eq!(unmeasured[0].severity, okrs::Severity::Error);
    assert!(
        unmeasured[0].message.contains("progress_from"),
        "{}",
        unmeasured[0].message
    );
    // co counts what is aligned to it: lead contributes, so co is measured.
    let lonely = load(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "co", "title": "Company", "level": "company",
          "progress_from": "aligned",
          "key_results": [ { "id": "k", "title": "K", "metric": { "kind": "binary", "done": true } } ] } ] }"#,
    );
    assert_eq!(progress(&lonely, "co"), d("0"));
    let findings = lonely.lint(Date::new(2027, 1, 1).unwrap());
    assert!(
        findings
            .iter()
            .any(|f| f.code == "OKR104" && f.nodes == [id("co")])
    );
}

// ----- 3. sum of values -------------------------------------------------------

/// "Revenue $1M" summing East ($600k) and West ($400k), both in USD:
/// `east` and `west` go inside each sub-key result's metric (its
/// `current`), `east_history` and `west_history` after it (its check-ins).
fn revenue_with(east: &str, east_history: &str, west: &str, west_history: &str) -> String {
    format!(
        r#"{{ "format": "okrs/1",
        "periods": [ {{ "id": "Q1", "start": "2027-01-01", "end": "2027-03-31" }} ],
        "objectives": [ {{ "id": "sales", "title": "Sell", "level": "team", "period": "Q1",
          "key_results": [ {{ "id": "revenue", "title": "Revenue $1M", "grading": "sum-of-values",
            "key_results": [
              {{ "id": "east", "title": "East $600k", "metric": {{ "kind": "numeric", "start": "0", "target": "600000", "unit": "USD"{east} }}{east_history} }},
              {{ "id": "west", "title": "West $400k", "metric": {{ "kind": "numeric", "start": "0", "target": "400000", "unit": "USD"{west} }}{west_history} }} ] }} ] }} ] }}"#
    )
}

fn revenue(east: &str, west: &str) -> String {
    revenue_with(east, "", west, "")
}

#[test]
fn sum_of_values_adds_the_sub_key_results_values() {
    let set = load(&revenue(
        r#", "current": "300000""#,
        r#", "current": "400000""#,
    ));
    // 700k of 1M, not the 50/50 mean of 0.5 and 1.
    assert_eq!(progress(&set, "revenue"), d("0.7"));
    assert_eq!(set.node("revenue").unwrap().strategy(), "sum-of-values");
    let review = set.review(Date::new(2027, 3, 31).unwrap());
    let node = review.get("revenue").unwrap();
    assert_eq!(node.value, Some(d("700000")));
    assert_eq!(node.target, Some(d("1000000")));
    // A sub-key result beyond its target is not clamped inside the sum:
    // 700k + 300k of 1M is 1 (the weighted mean of the clamped
    // sub-key results would be 0.9).
    let over = load(&revenue(
        r#", "current": "700000""#,
        r#", "current": "300000""#,
    ));
    assert_eq!(progress(&over, "revenue"), d("1"));
    assert_eq!(progress(&over, "east"), d("1"));
    // Round trips: JSON and CSV keep the key result's grading.
    let doc = over.to_document();
    assert_eq!(
        doc.objectives[0].key_results[0].strategy.as_deref(),
        Some("sum-of-values")
    );
    assert_eq!(
        okrs::Document::from_csv(&doc.to_csv().unwrap()).unwrap(),
        doc
    );
    assert_eq!(OkrSet::from_document(doc).unwrap(), over);
}

#[test]
fn sum_of_values_as_of_a_date_sums_the_values_then() {
    let set = load(&revenue_with(
        "",
        r#", "check_ins": [ { "at": "2027-01-31", "value": "100000" }, { "at": "2027-02-28", "value": "500000" } ]"#,
        "",
        r#", "check_ins": [ { "at": "2027-02-15", "value": "200000" } ]"#,
    ));
    let on = |m: i8, day: i8| set.review(Date::new(2027, m, day).unwrap());
    let jan = on(1, 31);
    assert_eq!(jan.get("revenue").unwrap().value, Some(d("100000")));
    assert_eq!(jan.get("revenue").unwrap().progress.value(), d("0.1"));
    let feb = on(2, 20);
    assert_eq!(feb.get("revenue").unwrap().value, Some(d("300000")));
    assert_eq!(feb.get("revenue").unwrap().progress.value(), d("0.3"));
    assert_eq!(progress(&set, "revenue"), d("0.7"));
}

#[test]
fn sum_of_values_refuses_what_it_cannot_add_naming_the_sub_key_results() {
    let error = |json: String| -> Error {
        match OkrSet::from_json(&json).unwrap_err() {
            okrs::LoadError::Invalid(e) => e,
            other => panic!("{other}"),
        }
    };
    // A sub-key result that is not numeric.
    let err = error(revenue("", "").replace(
        r#"{ "kind": "numeric", "start": "0", "target": "400000", "unit": "USD" }"#,
        r#"{ "kind": "binary" }"#,
    ));
    assert_eq!(err.code(), "sum-of-non-numeric");
    assert_eq!(err.ids(), [&id("revenue"), &id("west")]);
    assert!(err.to_string().contains("\"west\" is not numeric"), "{err}");
    // Units that differ.
    let err =
        error(revenue("", "").replace(r#""400000", "unit": "USD""#, r#""400000", "unit": "EUR""#));
    assert_eq!(err.code(), "sum-of-mixed-units");
    assert_eq!(err.ids(), [&id("revenue"), &id("east"), &id("west")]);
    assert_eq!(err.field(), Some("unit"));
    // Targets that sum to the starts.
    let err = error(revenue("", "").replace(
        r#""start": "0", "target": "400000""#,
        r#""start": "600000", "target": "0""#,
    ));
    assert_eq!(err.code(), "sum-without-distance");
    // On an objective, as the set's strategy, or with a metric of its own.
    let err = error(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team", "grading": "sum-of-values" } ] }"#
            .to_owned(),
    );
    assert_eq!(
        (err.code(), err.ids()),
        ("misplaced-strategy", vec![&id("o")])
    );
    let err = error(r#"{ "format": "okrs/1", "grading": "sum-of-values" }"#.to_owned());
    assert_eq!(err.code(), "misplaced-strategy");
    let err = error(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team", "key_results": [
          { "id": "k", "title": "K", "grading": "sum-of-values", "metric": { "kind": "binary" } } ] } ] }"#
            .to_owned(),
    );
    assert_eq!(
        (err.code(), err.ids()),
        ("misplaced-strategy", vec![&id("k")])
    );
    // Edits are checked too, and a refused one changes nothing.
    let mut set = load(&revenue("", ""));
    let before = set.clone();
    let err = set
        .add_key_result(
            "revenue",
            KeyResult::new(id("north"), "North").with_metric(Metric::binary(false)),
        )
        .unwrap_err();
    assert_eq!(err.code(), "sum-of-non-numeric");
    assert_eq!(set, before);
    let err = set
        .set_metric("east", Some(Metric::manual(d("0.5"))))
        .unwrap_err();
    assert_eq!(err.code(), "sum-of-non-numeric");
    assert_eq!(set, before);
    let err = set
        .set_metric(
            "east",
            Some(Metric::numeric(d("0"), d("600000")).with_unit("EUR")),
        )
        .unwrap_err();
    assert_eq!(err.code(), "sum-of-mixed-units");
    assert_eq!(set, before);
    // …but a batch that changes every unit at once is consistent.
    set.set_metric_many([
        (
            "east",
            Some(Metric::numeric(d("0"), d("600000")).with_unit("EUR")),
        ),
        (
            "west",
            Some(Metric::numeric(d("0"), d("400000")).with_unit("EUR")),
        ),
    ])
    .unwrap();
    // No objective may contribute to it: it is measured by its sub-key results.
    let mut linked = load(&revenue("", "").replace(
        r#""objectives": [ "#,
        r#""alignment": "cascading", "objectives": [ { "id": "helper", "title": "Help", "level": "team" }, "#,
    ));
    let err = linked
        .add_link("helper", Link::new(id("revenue")))
        .unwrap_err();
    assert_eq!(err.code(), "contributes-to-measured-key-result");
}

// ----- 4. over-achievement does not hide a miss ---------------------------------

fn committed(extra: &str) -> OkrSet {
    load(&format!(
        r#"{{ "format": "okrs/1", "progress_cap": "1.5", {extra}
        "periods": [ {{ "id": "Q1", "start": "2027-01-01", "end": "2027-03-31" }} ],
        "objectives": [ {{ "id": "o", "title": "O", "level": "team", "commitment": "committed", "period": "Q1",
          "key_results": [
            {{ "id": "over", "title": "Over", "metric": {{ "kind": "numeric", "start": "0", "target": "10", "current": "15" }} }},
            {{ "id": "short", "title": "Short", "metric": {{ "kind": "numeric", "start": "0", "target": "10", "current": "5" }} }} ] }} ] }}"#
    ))
}

#[test]
fn over_achievement_does_not_hide_a_miss() {
    // Before: o showed 1, green, done.
    let set = committed("");
    assert_eq!(progress(&set, "over"), d("1.5")); // the cap applies to its own
    assert_eq!(progress(&set, "o"), d("0.75")); // (1 + 0.5) / 2: clamped to 1 where it flows
    assert_ne!(set.band("o"), Some(Band::Green));
    let review = set.review(Date::new(2027, 3, 31).unwrap());
    assert_ne!(review.get("o").unwrap().status, Some(Status::Done));
    assert_eq!(review.get("over").unwrap().progress.value(), d("1.5"));
    // When the set lets over-achievement count, the objective reaches 1,
    // but a committed objective is green only when every counted member
    // is at 1 or more: short is at 0.5.
    let counts = committed(r#""overachievement": "counts","#);
    assert_eq!(progress(&counts, "o"), d("1"));
    assert_eq!(counts.band("o"), Some(Band::Yellow));
    let review = counts.review(Date::new(2027, 3, 31).unwrap());
    assert_eq!(review.get("o").unwrap().band, Band::Yellow);
    assert_eq!(review.get("o").unwrap().status, Some(Status::OnTrack));
    // Every member done: green and done.
    let mut done = counts.clone();
    done.set_metric(
        "short",
        Some(Metric::numeric(d("0"), d("10")).with_current(d("10"))),
    )
    .unwrap();
    assert_eq!(progress(&done, "o"), d("1.25"));
    assert_eq!(done.band("o"), Some(Band::Green));
    let review = done.review(Date::new(2027, 3, 31).unwrap());
    assert_eq!(review.get("o").unwrap().status, Some(Status::Done));
    // The setting round-trips.
    let doc = counts.to_document();
    assert_eq!(doc.overachievement, okrs::Overachievement::Counts);
    assert_eq!(Document::from_csv(&doc.to_csv().unwrap()).unwrap(), doc);
    // A closed period freezes the same band.
    let mut closed = counts.clone();
    closed.close_period("Q1").unwrap();
    assert_eq!(closed.frozen_grade("o").unwrap().band, Band::Yellow);
}

// ----- 5. carry-forward moves the contribution -----------------------------------

fn quarters() -> String {
    r#"{ "format": "okrs/1", "alignment": "cascading",
      "periods": [ { "id": "FY", "start": "2027-01-01", "end": "2027-12-31" },
                   { "id": "Q1", "start": "2027-01-01", "end": "2027-03-31", "within": "FY" },
                   { "id": "Q2", "start": "2027-04-01", "end": "2027-06-30", "within": "FY" } ],
      "objectives": [
        { "id": "co", "title": "Company", "level": "company", "period": "FY" },
        { "id": "team", "title": "Team", "level": "team", "period": "Q1", "aligned_to": [ { "id": "co" } ],
          "key_results": [ { "id": "kr", "title": "KR",
            "metric": { "kind": "numeric", "start": "0", "target": "10", "current": "6" } } ] } ] }"#
        .to_owned()
}

#[test]
fn carrying_forward_moves_the_contribution_to_the_copy() {
    let mut set = load(&quarters());
    assert_eq!(progress(&set, "co"), d("0.6"));
    set.close_period("Q1").unwrap();
    let copy = set
        .carry_forward("team", "Q2", CarryForward::default())
        .unwrap();
    // Before: (0.6 + 0) / 2 = 0.3. Now only the copy counts.
    assert_eq!(progress(&set, "co"), d("0"));
    let original = set.node("team").unwrap();
    let link = original.aligned_to().next().unwrap();
    assert!(
        !link.contributes(),
        "the original keeps its link but stops contributing"
    );
    assert_eq!(original.frozen_grade().unwrap().progress.value(), d("0.6"));
    assert_eq!(original.carried(), (None, Some(&copy)));
    assert!(
        set.node(copy.as_str())
            .unwrap()
            .aligned_to()
            .next()
            .unwrap()
            .contributes()
    );
    // With kept values the team is not counted twice.
    let mut kept = load(&quarters());
    kept.carry_forward("team", "Q2", CarryForward::default().keep_values(true))
        .unwrap();
    assert_eq!(progress(&kept, "co"), d("0.6"));
    // Incremental equals full, and the document reloads to the same set.
    assert_eq!(OkrSet::from_document(set.to_document()).unwrap(), set);
    // Removing the copy gives the contribution back.
    kept.remove_objective("team@Q2").unwrap();
    assert!(
        kept.node("team")
            .unwrap()
            .aligned_to()
            .next()
            .unwrap()
            .contributes()
    );
    assert_eq!(progress(&kept, "co"), d("0.6"));
    assert_eq!(OkrSet::from_document(kept.to_document()).unwrap(), kept);
}

#[test]
fn documents_from_the_old_carry_forward_count_only_the_copy() {
    // The link on both, the original marked carried_to: as 0.2 wrote them.
    let set = load(
        r#"{ "format": "okrs/1", "alignment": "cascading", "objectives": [
          { "id": "co", "title": "Company", "level": "company" },
          { "id": "team", "title": "Team", "level": "team", "carried_to": "team@Q2",
            "aligned_to": [ { "id": "co" } ],
            "key_results": [ { "id": "kr", "title": "KR", "metric": { "kind": "manual", "progress": "0.6" } } ] },
          { "id": "team@Q2", "title": "Team", "level": "team", "carried_from": "team",
            "aligned_to": [ { "id": "co" } ],
            "key_results": [ { "id": "kr@Q2", "title": "KR", "metric": { "kind": "manual", "progress": "0.2" } } ] } ] }"#,
    );
    assert_eq!(progress(&set, "co"), d("0.2"));
    // The document is written back as it was read.
    assert_eq!(
        set.to_document().objectives[1].aligned_to,
        vec![Link::new(id("co"))]
    );
}

// ----- 6. a value on the wrong side of its start says so ---------------------------

#[test]
fn a_regressed_value_is_marked_and_off_track() {
    let set = load(
        r#"{ "format": "okrs/1",
        "periods": [ { "id": "Q1", "start": "2027-01-01", "end": "2027-03-31" } ],
        "objectives": [ { "id": "o", "title": "O", "level": "team", "period": "Q1", "key_results": [
          { "id": "resets", "title": "Cut resets from 1000 to 100",
            "metric": { "kind": "numeric", "start": "1000", "target": "100" },
            "check_ins": [ { "at": "2027-01-10", "value": "1200" }, { "at": "2027-02-10", "value": "900" } ] },
          { "id": "still", "title": "Not started", "metric": { "kind": "numeric", "start": "0", "target": "10" } } ] } ] }"#,
    );
    let january = set.review(Date::new(2027, 1, 20).unwrap());
    let resets = january.get("resets").unwrap();
    assert_eq!(resets.progress.value(), d("0"));
    assert!(resets.regressed);
    assert_eq!(resets.status, Some(Status::OffTrack));
    assert_eq!(resets.value, Some(d("1200")));
    // Plain lack of progress is not regressed (before: both at-risk).
    let still = january.get("still").unwrap();
    assert!(!still.regressed);
    assert_ne!(still.status, Some(Status::OffTrack));
    // In JSON, `regressed` shows only when true.
    let json = serde_json::to_string(resets).unwrap();
    assert!(json.contains(r#""regressed":true"#), "{json}");
    assert!(!serde_json::to_string(still).unwrap().contains("regressed"));
    // Later, back on the right side.
    let february = set.review(Date::new(2027, 2, 10).unwrap());
    assert!(!february.get("resets").unwrap().regressed);
    assert!(!set.node("resets").unwrap().regressed());
}

// ----- 7. zones -------------------------------------------------------------------

#[test]
fn zones_say_which_of_commit_target_and_stretch_a_key_result_reached() {
    let json = r#"{ "format": "okrs/1",
      "periods": [ { "id": "Q1", "start": "2027-01-01", "end": "2027-03-31" },
                   { "id": "Q2", "start": "2027-04-01", "end": "2027-06-30" } ],
      "objectives": [
        { "id": "a", "title": "A", "level": "team", "owners": ["red"], "period": "Q1", "key_results": [
          { "id": "a1", "title": "A1", "metric": { "kind": "numeric", "start": "0", "commit": "60", "target": "100", "stretch": "130", "current": "59" } },
          { "id": "a2", "title": "A2", "metric": { "kind": "numeric", "start": "0", "commit": "60", "target": "100", "stretch": "130", "current": "60" } },
          { "id": "a3", "title": "A3", "metric": { "kind": "numeric", "start": "0", "target": "100", "stretch": "130", "current": "100" } },
          { "id": "a4", "title": "A4", "metric": { "kind": "numeric", "start": "0", "commit": "60", "target": "100", "stretch": "130", "current": "140" } } ] },
        { "id": "b", "title": "B", "level": "team", "owners": ["blue"], "period": "Q2", "key_results": [
          { "id": "b1", "title": "Cut costs", "metric": { "kind": "numeric", "start": "100", "commit": "80", "target": "50", "current": "70" } },
          { "id": "b2", "title": "No zones", "metric": { "kind": "numeric", "start": "0", "target": "10", "current": "5" } } ] } ] }"#;
    let set = load(json);
    let review = set.review(Date::new(2027, 6, 30).unwrap());
    let zone = |id: &str| review.get(id).unwrap().zone;
    assert_eq!(zone("a1"), Some(Zone::Fail));
    assert_eq!(zone("a2"), Some(Zone::Commit));
    assert_eq!(zone("a3"), Some(Zone::Target));
    assert_eq!(zone("a4"), Some(Zone::Stretch));
    assert_eq!(zone("b1"), Some(Zone::Commit)); // downward: 70 is past 80, short of 50
    assert_eq!(zone("b2"), None);
    assert_eq!(set.node("a4").unwrap().zone(), Some(Zone::Stretch));
    // Progress stays relative to the target (and the cap).
    assert_eq!(review.get("a2").unwrap().progress.value(), d("0.6"));
    assert_eq!(review.get("a4").unwrap().progress.value(), d("1"));
    // Per period and per team.
    for by in [GroupBy::Period, GroupBy::Owner] {
        let groups = set.distribution(&review, by);
        let first = &groups[0].1;
        let second = &groups[1].1;
        let (q1, q2) = if by == GroupBy::Period {
            (first, second)
        } else {
            (second, first)
        };
        assert_eq!(q1.zones, [1, 1, 1, 1], "{by:?}");
        assert_eq!(q2.zones, [0, 1, 0, 0], "{by:?}");
        assert_eq!(q2.zone_count(Zone::Commit), 1);
    }
    // JSON and CSV keep commit and stretch.
    let doc = set.to_document();
    assert!(doc.to_json().unwrap().contains(r#""stretch": "130""#));
    assert_eq!(Document::from_csv(&doc.to_csv().unwrap()).unwrap(), doc);
    assert_eq!(Document::from_json(&doc.to_json().unwrap()).unwrap(), doc);
}

#[test]
fn zones_out_of_order_name_the_key_result() {
    for (commit, stretch) in [("120", "130"), ("0", "130"), ("60", "90"), ("60", "100")] {
        let err = OkrSet::from_json(&format!(
            r#"{{ "format": "okrs/1", "objectives": [ {{ "id": "o", "title": "O", "level": "team", "key_results": [
              {{ "id": "k", "title": "K", "metric": {{ "kind": "numeric", "start": "0", "commit": "{commit}", "target": "100", "stretch": "{stretch}" }} }} ] }} ] }}"#
        ))
        .unwrap_err();
        let okrs::LoadError::Invalid(err) = err else {
            panic!("{err}")
        };
        assert_eq!(err.code(), "invalid-metric", "{commit} {stretch}");
        assert_eq!(err.ids(), [&id("k")]);
        assert!(
            err.to_string()
                .contains("start before commit before target before stretch")
        );
    }
    let m = Metric::numeric(d("100"), d("50")).with_zones(Zones::new(Some(d("40")), None));
    assert_eq!(
        okrs::Error::from(m.validate().unwrap_err()).code(),
        "metric-zones-out-of-order"
    );
}

// ----- 8. an unmeasured key result is flagged -------------------------------------

#[test]
fn an_unmeasured_key_result_is_an_error() {
    let set = load(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "Expand", "level": "team", "key_results": [
          { "id": "eu", "title": "Launch EU" },
          { "id": "us", "title": "Grow US", "metric": { "kind": "binary", "done": true } },
          { "id": "sub", "title": "By region", "key_results": [
            { "id": "s1", "title": "S1", "metric": { "kind": "binary" } } ] } ] } ] }"#,
    );
    assert_eq!(progress(&set, "eu"), d("0"));
    let findings = set.lint(Date::new(2027, 1, 1).unwrap());
    let unmeasured: Vec<&okrs::Finding> = findings
        .iter()
        .filter(|f| f.code == Rule::UnmeasuredKeyResult.code())
        .collect();
    assert_eq!(unmeasured.len(), 1);
    assert_eq!(unmeasured[0].nodes, [id("eu")]);
    assert_eq!(unmeasured[0].rule, "unmeasured-key-result");
    assert_eq!(unmeasured[0].severity, okrs::Severity::Error);
    assert!(unmeasured[0].message.contains("\"eu\""));
    // Measured by a contributing objective, it is fine.
    let measured = load(
        r#"{ "format": "okrs/1", "alignment": "cascading", "objectives": [
          { "id": "o", "title": "Expand", "level": "company", "key_results": [ { "id": "eu", "title": "Launch EU" } ] },
          { "id": "t", "title": "EU team", "level": "team", "aligned_to": [ { "id": "eu" } ],
            "key_results": [ { "id": "t1", "title": "T1", "metric": { "kind": "binary" } } ] } ] }"#,
    );
    assert!(
        measured
            .lint(Date::new(2027, 1, 1).unwrap())
            .iter()
            .all(|f| f.code != "OKR109")
    );
}

// ----- properties -----------------------------------------------------------------

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 96,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    /// Results do not depend on the unit of weights: scaling one group's
    /// weights (an objective's key results, a key result's sub-key results,
    /// or the links into an objective) by a positive factor changes no
    /// digit anywhere.
    #[test]
    fn scaling_one_groups_weights_changes_nothing(
        doc in generate::document(),
        pick in any::<Index>(),
        which in 0u8..3,
        factor in prop::sample::select(vec!["2", "10", "0.5", "3", "0.01", "7", "1000", "0.125"]),
    ) {
        let set = OkrSet::from_document(doc.clone()).unwrap();
        let factor = d(factor);
        let mut scaled = doc;
        let target = scaled.objectives[pick.index(scaled.objectives.len())].id.clone();
        let scale = |w: &mut okrs::Weight| *w = okrs::Weight::new(w.value() * factor).unwrap();
        for objective in &mut scaled.objectives {
            match which {
                0 if objective.id == target => {
                    objective.key_results.iter_mut().for_each(|kr| scale(&mut kr.weight));
                }
                1 if objective.id == target => {
                    for kr in &mut objective.key_results {
                        kr.key_results.iter_mut().for_each(|sub| scale(&mut sub.weight));
                    }
                }
                2 => {
                    for link in &mut objective.aligned_to {
                        if link.id == target {
                            scale(&mut link.weight);
                        }
                    }
                }
                _ => {}
            }
        }
        let other = OkrSet::from_document(scaled).unwrap();
        for node in set.nodes() {
            prop_assert_eq!(
                other.progress(node.id().as_str()).unwrap().value().to_string(),
                node.progress().unwrap().value().to_string(),
                "{}", node.id()
            );
        }
    }

    /// An objective that counts only what is aligned to it ignores its own
    /// key results.
    #[test]
    fn aligned_ignores_key_result_changes(
        doc in generate::document(),
        mask in any::<u16>(),
        changes in prop::collection::vec((any::<Index>(), -40i64..40), 1..8),
    ) {
        let mut doc = doc;
        for (i, objective) in doc.objectives.iter_mut().enumerate() {
            if mask & (1 << (i % 16)) != 0 {
                objective.progress_from = Some(ProgressFrom::Aligned);
            }
        }
        let mut set = OkrSet::from_document(doc).unwrap();
        let aligned: Vec<String> = set
            .objectives()
            .filter(|o| o.progress_from() == ProgressFrom::Aligned)
            .map(|o| o.id().to_string())
            .collect();
        prop_assume!(!aligned.is_empty());
        // Their own key results (and sub-key results) measured by a metric.
        let mut own: Vec<String> = Vec::new();
        for objective in &aligned {
            let mut stack: Vec<okrs::NodeRef<'_>> = set.node(objective).unwrap().key_results().collect();
            while let Some(kr) = stack.pop() {
                stack.extend(kr.key_results());
                if matches!(kr.metric(), Some(Metric::Numeric { .. } | Metric::Manual { .. })) && kr.parent().unwrap().kind() == okrs::NodeKind::Objective {
                    own.push(kr.id().to_string());
                }
            }
        }
        prop_assume!(!own.is_empty());
        let before: Vec<Decimal> = aligned.iter().map(|o| progress(&set, o)).collect();
        for (pick, value) in changes {
            let kr = &own[pick.index(own.len())];
            let metric = match set.node(kr).unwrap().metric() {
                Some(Metric::Numeric { start, target, .. }) => {
                    Metric::numeric(*start, *target).with_current(Decimal::from(value))
                }
                _ => Metric::manual(Decimal::from(value) / Decimal::from(40)),
            };
            if set.set_metric(kr, Some(metric)).is_err() {
                continue; // a sum-of-values parent may refuse it
            }
        }
        let after: Vec<Decimal> = aligned.iter().map(|o| progress(&set, o)).collect();
        prop_assert_eq!(before, after);
        prop_assert_eq!(OkrSet::from_document(set.to_document()).unwrap(), set);
    }

    /// `sum-of-values` equals the target-weighted mean of the sub-key
    /// results' progress while none of them is clamped (values between
    /// start and target; distances whose reciprocals end, so that each
    /// progress is exact).
    #[test]
    fn sum_of_values_is_the_target_weighted_mean_when_nothing_is_clamped(
        children in prop::collection::vec((-1000i64..1000, 0usize..8, 0u32..=100, 1u8..4), 1..8),
    ) {
        const DISTANCES: [i64; 8] = [1, 2, 4, 5, 8, 25, 160, 1000];
        let mut revenue = KeyResult::new(id("sum"), "Sum").with_strategy("sum-of-values");
        let mut contributions = Vec::new();
        for (i, &(start, distance, percent, weight)) in children.iter().enumerate() {
            let distance = DISTANCES[distance];
            let start = Decimal::from(start);
            let target = start + Decimal::from(distance);
            let current = start + Decimal::from(distance) * Decimal::from(percent) / Decimal::from(100);
            revenue = revenue.with_key_result(
                KeyResult::new(id(&format!("c{i}")), "C")
                    .with_weight(okrs::Weight::new(Decimal::from(weight)).unwrap())
                    .with_metric(Metric::numeric(start, target).with_current(current)),
            );
            let progress = (current - start) / (target - start);
            contributions.push(Contribution::new(
                okrs::Weight::new(Decimal::from(distance)).unwrap(),
                okrs::Progress::new(progress).unwrap(),
            ));
        }
        let set = OkrSet::from_document(
            Document::default().with_objective(Objective::new(id("o"), "O", "team").with_key_result(revenue)),
        )
        .unwrap();
        let expected = okrs::WeightedMean.aggregate(&contributions);
        prop_assert_eq!(progress(&set, "sum"), expected);
    }

    /// Incremental equals full under every rule: check-ins, metric changes
    /// and structural edits on sets that use them all.
    #[test]
    fn incremental_equals_full_under_every_rule(
        doc in generate::document_with_rules(),
        edits in prop::collection::vec((any::<Index>(), any::<Index>(), 0u8..6, -40i64..60), 1..12),
    ) {
        let mut set = OkrSet::from_document(doc).unwrap();
        let day = Date::new(2027, 1, 15).unwrap();
        for (pick, other, op, value) in edits {
            let krs = crate::properties::measured_key_results(&set);
            let objectives: Vec<String> = set.objectives().map(|o| o.id().to_string()).collect();
            if objectives.is_empty() {
                break;
            }
            let before = set.clone();
            let result = match op {
                0 | 1 if !krs.is_empty() => {
                    let kr = &krs[pick.index(krs.len())];
                    let value = match set.node(kr).unwrap().metric() {
                        Some(Metric::Binary { .. }) => CheckInValue::Done(value > 0),
                        Some(Metric::Milestones { .. }) => CheckInValue::Milestones(vec![]),
                        _ => CheckInValue::Number(Decimal::from(value)),
                    };
                    set.check_in(kr, CheckIn::new(day.into(), value))
                }
                2 if !krs.is_empty() => {
                    let kr = &krs[pick.index(krs.len())];
                    let metric = match set.node(kr).unwrap().metric() {
                        Some(m @ Metric::Numeric { .. }) => m.clone().with_current(Decimal::from(value)),
                        Some(other) => other.clone(),
                        None => Metric::binary(true),
                    };
                    set.set_metric(kr, Some(metric))
                }
                3 => {
                    let from = &objectives[pick.index(objectives.len())];
                    let to = &objectives[other.index(objectives.len())];
                    set.add_link(from, Link::new(id(to)))
                }
                4 if !krs.is_empty() => {
                    let kr = &krs[pick.index(krs.len())];
                    set.set_weight(kr, okrs::Weight::new(Decimal::from(value.rem_euclid(4))).unwrap())
                }
                _ => {
                    let objective = &objectives[pick.index(objectives.len())];
                    set.remove_objective(objective).map(drop)
                }
            };
            if result.is_err() {
                prop_assert_eq!(&set, &before);
            }
            let full = OkrSet::from_document(set.to_document()).unwrap();
            for node in full.nodes() {
                let live = set.progress(node.id().as_str()).unwrap().value();
                let whole = node.progress().unwrap().value();
                prop_assert_eq!(live, whole, "{}", node.id());
                prop_assert_eq!(live.scale(), whole.scale(), "{}", node.id());
                prop_assert_eq!(set.band(node.id().as_str()), node.band(), "{}", node.id());
            }
            let mut recomputed = set.clone();
            recomputed.recompute();
            prop_assert_eq!(&recomputed, &set);
            // As of a date after every check-in, the review is the live roll-up.
            let review = set.review(Date::new(2027, 12, 31).unwrap());
            for node in set.nodes() {
                prop_assert_eq!(Some(review.get(node.id().as_str()).unwrap().progress), node.progress());
            }
        }
    }
}

#[test]
fn the_text_report_shows_regressed_values_zones_and_sums() {
    let set = load(
        r#"{ "format": "okrs/1",
        "periods": [ { "id": "Q1", "start": "2027-01-01", "end": "2027-03-31" } ],
        "objectives": [ { "id": "o", "title": "O", "level": "team", "period": "Q1", "key_results": [
          { "id": "resets", "title": "Cut resets", "metric": { "kind": "numeric", "start": "1000", "target": "100", "current": "1200" } },
          { "id": "customers", "title": "Customers", "metric": { "kind": "numeric", "start": "0", "commit": "60", "target": "100", "current": "70" } },
          { "id": "revenue", "title": "Revenue", "grading": "sum-of-values", "key_results": [
            { "id": "east", "title": "East", "metric": { "kind": "numeric", "start": "0", "target": "600000", "current": "300000" } },
            { "id": "west", "title": "West", "metric": { "kind": "numeric", "start": "0", "target": "400000", "current": "400000" } } ] } ] } ] }"#,
    );
    let text = set.to_text(Date::new(2027, 2, 1).unwrap());
    let line = |title: &str| {
        text.lines()
            .find(|l| l.contains(&format!("KR {title} ")))
            .unwrap_or_else(|| panic!("no {title} in {text}"))
    };
    assert!(line("Cut resets").ends_with("regressed"), "{text}");
    assert!(line("Cut resets").contains("off-track"), "{text}");
    assert!(line("Customers").ends_with("zone commit"), "{text}");
    assert!(line("Revenue").ends_with("sum 700000 of 1000000"), "{text}");
}

#[test]
fn impact_and_what_if_follow_sum_of_values() {
    let set = load(&revenue(
        r#", "current": "300000""#,
        r#", "current": "400000""#,
    ));
    let impact = set.impact("revenue").unwrap();
    let share = |kr: &str| impact.iter().find(|i| i.key_result.as_str() == kr).unwrap();
    // Each part weighs its distance from start to target.
    assert_eq!(share("east").share, d("0.6"));
    assert_eq!(share("west").share, d("0.4"));
    // East at its target: 600k + 400k of 1M.
    assert_eq!(share("east").after.value(), d("1"));
    assert_eq!(set.what_if("west", "revenue").unwrap().value(), d("0.7"));
}

#[test]
fn carrying_forward_reports_exactly_what_moved() {
    use okrs::Edit;
    let mut set = load(&quarters());
    let view = |set: &OkrSet| -> Vec<(String, Option<okrs::Progress>, Option<Band>)> {
        set.nodes()
            .map(|n| (n.id().to_string(), n.progress(), n.band()))
            .collect()
    };
    let before = view(&set);
    let changes = set
        .apply(Edit::CarryForward {
            objective: id("team"),
            to: id("Q2"),
            keep_values: false,
        })
        .unwrap();
    let after = view(&set);
    let mut expected: Vec<String> = after
        .iter()
        .filter(|node| !before.contains(node))
        .map(|(id, _, _)| id.clone())
        .collect();
    expected.sort();
    let mut moved: Vec<String> = changes.moved().iter().map(|m| m.id.to_string()).collect();
    moved.sort();
    assert_eq!(moved, expected);
    let co = changes.get("co").unwrap();
    assert_eq!(co.progress_before.unwrap().value(), d("0.6"));
    assert_eq!(co.progress.unwrap().value(), d("0"));
}

#[test]
fn progress_from_changes_through_an_edit() {
    use okrs::{Change, Edit};
    let mut set = load(&bizops(["20", "30", "50"], ""));
    assert_eq!(progress(&set, "grow"), d("0.75"));
    let edit: Edit = serde_json::from_str(
        r#"{"op": "set-progress-from", "id": "grow", "progress_from": "key-results"}"#,
    )
    .unwrap();
    assert_eq!(edit.op(), "set-progress-from");
    let changes = set.apply(edit.clone()).unwrap();
    assert_eq!(progress(&set, "grow"), d("1"));
    assert_eq!(
        changes.edits,
        vec![Change::Updated {
            id: id("grow"),
            field: "progress_from"
        }]
    );
    assert_eq!(
        changes.get("grow").unwrap().progress.unwrap().value(),
        d("1")
    );
    // An aligned share, then back to the default.
    set.apply(Edit::SetProgressFrom {
        id: id("grow"),
        progress_from: None,
        aligned_share: Some(d("0.5")),
    })
    .unwrap();
    assert_eq!(progress(&set, "grow"), d("0.5"));
    // Refused edits change nothing.
    let before = set.clone();
    let err = set
        .apply(Edit::SetProgressFrom {
            id: id("grow"),
            progress_from: None,
            aligned_share: Some(d("1.5")),
        })
        .unwrap_err();
    assert_eq!(err.code(), "invalid-aligned-share");
    assert_eq!(set, before);
    // The log replays.
    let replayed = OkrSet::replay(
        load(&bizops(["20", "30", "50"], "")).to_document(),
        [
            edit.into(),
            okrs::Envelope::new(Edit::SetProgressFrom {
                id: id("grow"),
                progress_from: None,
                aligned_share: Some(d("0.5")),
            }),
        ],
    )
    .unwrap();
    assert_eq!(replayed, set);
}
