//! Periods, check-ins, reviews as of a date, period close and carry-forward.

use okrs::{
    AlignmentModel, Band, CarryForward, CheckIn, CheckInValue, ConfidenceLevel, Date, Document,
    Error, GapPolicy, KeyResult, Link, LoadError, Metric, Objective, ObjectiveStatusRule, OkrSet,
    Period, Status,
};

use crate::{d, load, progress};

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

/// A 101-day period (2027-01-01 .. 2027-04-11): on day k of it, exactly
/// k / 100 of it has elapsed. Day 50 is 2027-02-20.
const PERIOD: &str = r#"{ "id": "P", "start": "2027-01-01", "end": "2027-04-11" }"#;

/// One objective in period P with one numeric key result 0 → 100 and the
/// given check-ins (a JSON array).
fn one_kr(check_ins: &str) -> OkrSet {
    one_kr_with("aspirational", check_ins)
}

/// [`one_kr`], committed or aspirational.
fn one_kr_with(commitment: &str, check_ins: &str) -> OkrSet {
    load(&format!(
        r#"{{ "format": "okrs/1", "periods": [{PERIOD}], "objectives": [
          {{ "id": "o", "title": "O", "level": "team", "period": "P", "commitment": "{commitment}", "key_results": [
            {{ "id": "kr", "title": "KR", "metric": {{ "kind": "numeric", "start": "0", "target": "100" }},
              "check_ins": {check_ins} }} ] }} ] }}"#
    ))
}

fn status_on_day_50(commitment: &str, value: &str) -> Option<Status> {
    let set = one_kr_with(
        commitment,
        &format!(r#"[{{ "at": "2027-02-20", "value": "{value}" }}]"#),
    );
    let review = set.review(date("2027-02-20"));
    assert_eq!(
        review.get("kr").unwrap().expected.unwrap().value(),
        d("0.5")
    );
    review.get("kr").unwrap().status
}

#[test]
fn status_boundaries_follow_the_gap() {
    // Committed: the gap to the whole plan (0.5 on day 50).
    let committed = |value| status_on_day_50("committed", value);
    assert_eq!(committed("60"), Some(Status::OnTrack));
    assert_eq!(committed("30"), Some(Status::OnTrack)); // gap −0.2 exactly
    assert_eq!(committed("29.99"), Some(Status::AtRisk));
    assert_eq!(committed("10"), Some(Status::AtRisk)); // gap −0.4 exactly
    assert_eq!(committed("9.99"), Some(Status::OffTrack));
    assert_eq!(committed("100"), Some(Status::Done));
    // Aspirational: to 0.7 of it (0.35); these were at risk and off track.
    let aspirational = |value| status_on_day_50("aspirational", value);
    assert_eq!(aspirational("15"), Some(Status::OnTrack)); // gap −0.2 exactly
    assert_eq!(aspirational("14.99"), Some(Status::AtRisk));
    assert_eq!(aspirational("0"), Some(Status::AtRisk)); // gap −0.35
    assert_eq!(aspirational("100"), Some(Status::Done));
}

#[test]
fn before_the_period_nothing_has_started() {
    let set = one_kr("[]");
    let review = set.review(date("2026-12-31"));
    let kr = review.get("kr").unwrap();
    assert_eq!(kr.status, Some(Status::NotStarted));
    assert_eq!(kr.expected.unwrap().value(), d("0"));
    assert_eq!(kr.forecast, None);
    assert_eq!(review.get("o").unwrap().status, Some(Status::NotStarted));
}

#[test]
fn as_of_counts_check_ins_through_the_end_of_the_day() {
    let set = one_kr(
        r#"[{ "at": "2027-01-01", "value": "5" },
            { "at": "2027-02-20T23:59:00-10:00", "value": "40" },
            { "at": "2027-04-11", "value": "90" }]"#,
    );
    let at = |day: &str| set.review(date(day)).get("kr").unwrap().progress.value();
    // The first day of the period: expected 0, and a check-in that day counts.
    assert_eq!(at("2027-01-01"), d("0.05"));
    assert_eq!(
        set.review(date("2027-01-01"))
            .get("kr")
            .unwrap()
            .expected
            .unwrap()
            .value(),
        d("0")
    );
    assert_eq!(at("2027-02-19"), d("0.05"));
    // A timestamp counts on its date in the set's time zone (UTC here):
    // 23:59 at −10:00 on the 20th is 09:59 on the 21st. (It counted on the
    // date written in it, the 20th.)
    assert_eq!(at("2027-02-20"), d("0.05"));
    assert_eq!(at("2027-02-21"), d("0.4"));
    assert_eq!(at("2027-04-10"), d("0.4"));
    // The last day: expected 1.
    let last = set.review(date("2027-04-11"));
    assert_eq!(last.get("kr").unwrap().progress.value(), d("0.9"));
    assert_eq!(last.get("kr").unwrap().expected.unwrap().value(), d("1"));
    assert_eq!(last.get("kr").unwrap().status, Some(Status::OnTrack));
    // After the period, expected stays 1.
    let after = set.review(date("2027-06-01"));
    assert_eq!(after.get("o").unwrap().expected.unwrap().value(), d("1"));
    // The live roll-up uses the latest check-in.
    assert_eq!(progress(&set, "o"), d("0.9"));
}

#[test]
fn check_ins_in_any_order_are_kept_sorted() {
    let set =
        one_kr(r#"[{ "at": "2027-02-01", "value": "30" }, { "at": "2027-01-15", "value": "10" }]"#);
    assert_eq!(progress(&set, "kr"), d("0.3"));
    let history: Vec<String> = set
        .node("kr")
        .unwrap()
        .check_ins()
        .iter()
        .map(|c| c.at.to_string())
        .collect();
    assert_eq!(history, ["2027-01-15", "2027-02-01"]);
}

#[test]
fn phased_targets_bend_the_expected_line() {
    let set = load(&format!(
        r#"{{ "format": "okrs/1", "periods": [{PERIOD}], "objectives": [
          {{ "id": "o", "title": "O", "level": "team", "period": "P", "key_results": [
            {{ "id": "kr", "title": "KR", "metric": {{ "kind": "numeric", "start": "0", "target": "100" }},
              "phases": [{{ "at": "2027-02-20", "target": "20" }}] }} ] }} ] }}"#
    ));
    let expected = |day: &str| {
        set.review(date(day))
            .get("kr")
            .unwrap()
            .expected
            .unwrap()
            .value()
    };
    assert_eq!(expected("2027-01-01"), d("0"));
    assert_eq!(expected("2027-01-26"), d("0.1")); // day 25: halfway to 0.2
    assert_eq!(expected("2027-02-20"), d("0.2")); // the phase
    assert_eq!(expected("2027-03-17"), d("0.6")); // day 75: halfway from 0.2 to 1
    assert_eq!(expected("2027-04-11"), d("1"));
    // The objective's plan rolls up from its key result's (it was the
    // linear 0.25 of its period).
    let review = set.review(date("2027-01-26"));
    assert_eq!(review.get("o").unwrap().expected.unwrap().value(), d("0.1"));
    // Unmeasured at day 25: 0 against 0.1 (aimed at 0.07) is on track, for
    // the objective too (it was at risk against 0.25).
    assert_eq!(review.get("kr").unwrap().status, Some(Status::OnTrack));
    assert_eq!(review.get("o").unwrap().status, Some(Status::OnTrack));
}

#[test]
fn phases_must_lie_in_the_period_and_fit_the_metric() {
    let doc = |phase_at: &str, metric: &str| {
        format!(
            r#"{{ "format": "okrs/1", "periods": [{PERIOD}], "objectives": [
              {{ "id": "o", "title": "O", "level": "team", "period": "P", "key_results": [
                {{ "id": "kr", "title": "KR", "metric": {metric},
                  "phases": [{{ "at": "{phase_at}", "target": "1" }}] }} ] }} ] }}"#
        )
    };
    let numeric = r#"{ "kind": "numeric", "start": "0", "target": "9" }"#;
    let err = OkrSet::from_json(&doc("2027-05-01", numeric)).unwrap_err();
    assert!(
        matches!(err, LoadError::Invalid(Error::PhaseOutsidePeriod { ref key_result, .. }) if key_result.as_str() == "kr")
    );
    let err = OkrSet::from_json(&doc("2027-02-01", r#"{ "kind": "binary" }"#)).unwrap_err();
    assert!(matches!(
        err,
        LoadError::Invalid(Error::PhaseOnUnphasedMetric(..))
    ));
    assert!(OkrSet::from_json(&doc("2027-02-01", numeric)).is_ok());
}

#[test]
fn forecast_extends_the_trend_of_the_check_ins() {
    // (10, 0.05), (20, 0.1): the line 0.005 x reaches 0.5 on day 100.
    let set =
        one_kr(r#"[{ "at": "2027-01-11", "value": "5" }, { "at": "2027-01-21", "value": "10" }]"#);
    let review = set.review(date("2027-01-21"));
    let kr = review.get("kr").unwrap();
    assert_eq!(kr.forecast.unwrap().value(), d("0.5"));
    assert_eq!(kr.forecast_band, Some(Band::Yellow));
    assert_eq!(review.get("o").unwrap().forecast.unwrap().value(), d("0.5"));

    // (10, 0.1), (20, 0.05): falling to −0.35 on day 100, clamped to 0.
    // (With an invented point at the start it was 0.275.)
    let noisy =
        one_kr(r#"[{ "at": "2027-01-11", "value": "10" }, { "at": "2027-01-21", "value": "5" }]"#);
    let kr_forecast = noisy.review(date("2027-02-01")).get("kr").unwrap().forecast;
    assert_eq!(kr_forecast.unwrap().value(), d("0"));

    // Only check-ins up to the review date count: one date is no trend.
    // (It was 0.5, through an invented start.)
    let early = set.review(date("2027-01-15")).get("kr").unwrap().forecast;
    assert_eq!(early, None);

    // A steep trend is clamped to the cap.
    let steep =
        one_kr(r#"[{ "at": "2027-01-11", "value": "40" }, { "at": "2027-01-21", "value": "60" }]"#);
    let f = steep.review(date("2027-01-21")).get("kr").unwrap().forecast;
    assert_eq!(f.unwrap().value(), d("1"));
    assert_eq!(
        steep
            .review(date("2027-01-21"))
            .get("kr")
            .unwrap()
            .forecast_band,
        Some(Band::Green)
    );

    // No check-in: no trend to extend.
    let none = one_kr("[]");
    assert_eq!(
        none.review(date("2027-02-01")).get("kr").unwrap().forecast,
        None
    );
}

#[test]
fn confidence_is_the_latest_stated_and_a_weighted_mean_upward() {
    let set = load(&format!(
        r#"{{ "format": "okrs/1", "periods": [{PERIOD}], "objectives": [
          {{ "id": "o", "title": "O", "level": "team", "period": "P", "key_results": [
            {{ "id": "a", "title": "A", "weight": "3", "metric": {{ "kind": "numeric", "start": "0", "target": "10" }},
              "check_ins": [ {{ "at": "2027-01-10", "value": "1", "confidence": "0.5" }},
                             {{ "at": "2027-01-20", "value": "2", "confidence": "0.8" }},
                             {{ "at": "2027-01-30", "value": "3" }} ] }},
            {{ "id": "b", "title": "B", "weight": "1", "metric": {{ "kind": "binary" }},
              "check_ins": [ {{ "at": "2027-01-12", "value": false, "confidence": "0.2" }} ] }},
            {{ "id": "c", "title": "C", "metric": {{ "kind": "binary" }} }} ] }} ] }}"#
    ));
    let review = set.review(date("2027-02-01"));
    let confidence = |id: &str| review.get(id).unwrap().confidence.map(|c| c.value());
    assert_eq!(confidence("a"), Some(d("0.8"))); // the latest stated
    assert_eq!(confidence("b"), Some(d("0.2")));
    assert_eq!(confidence("c"), None);
    // (3 × 0.8 + 1 × 0.2) / 4; c states none and is left out.
    assert_eq!(confidence("o"), Some(d("0.65")));
    assert_eq!(
        review.get("o").unwrap().confidence_level(),
        Some(ConfidenceLevel::Medium)
    );
    // As of January 15th, a's latest is 0.5.
    let earlier = set.review(date("2027-01-15"));
    assert_eq!(
        earlier.get("a").unwrap().confidence.map(|c| c.value()),
        Some(d("0.5"))
    );
}

#[test]
fn weakest_key_result_rule_for_objectives() {
    let json = format!(
        r#"{{ "format": "okrs/1", "periods": [{PERIOD}], "objectives": [
          {{ "id": "o", "title": "O", "level": "team", "period": "P", "commitment": "committed", "key_results": [
            {{ "id": "good", "title": "Good", "metric": {{ "kind": "manual", "progress": "1" }} }},
            {{ "id": "bad", "title": "Bad", "metric": {{ "kind": "manual", "progress": "0" }} }} ] }} ] }}"#
    );
    let day_50 = date("2027-02-20");
    let gap = load(&json).review(day_50);
    assert_eq!(gap.get("good").unwrap().status, Some(Status::Done));
    assert_eq!(gap.get("bad").unwrap().status, Some(Status::OffTrack));
    assert_eq!(gap.get("o").unwrap().status, Some(Status::OnTrack)); // 0.5 vs 0.5
    let perdoo = OkrSet::builder()
        .status_policy(
            GapPolicy::default().with_objective_rule(ObjectiveStatusRule::WeakestKeyResult),
        )
        .from_json(&json)
        .unwrap();
    assert_eq!(
        perdoo.review(day_50).get("o").unwrap().status,
        Some(Status::OffTrack)
    );
    // Thresholds are the policy's too.
    let lenient = OkrSet::builder()
        .status_policy(GapPolicy::default().with_thresholds(d("-0.4"), d("-0.6")))
        .from_json(&json)
        .unwrap();
    assert_eq!(
        lenient.review(day_50).get("bad").unwrap().status,
        Some(Status::AtRisk)
    );
}

#[test]
fn nodes_without_a_period_have_no_status() {
    let set = load(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team",
        "key_results": [ { "id": "kr", "title": "KR", "metric": { "kind": "binary", "done": true } } ] } ] }"#,
    );
    let review = set.review(date("2027-01-01"));
    let o = review.get("o").unwrap();
    assert_eq!((o.expected, o.status, o.forecast), (None, None, None));
    assert_eq!(o.progress.value(), d("1"));
    assert_eq!(review.len(), 2);
}

#[test]
fn time_travel_rolls_the_whole_set_up() {
    let set = load(&format!(
        r#"{{ "format": "okrs/1", "alignment": "cascading", "periods": [{PERIOD}], "objectives": [
          {{ "id": "co", "title": "Company", "level": "company", "period": "P" }},
          {{ "id": "team", "title": "Team", "level": "team", "period": "P", "aligned_to": [{{ "id": "co" }}],
            "key_results": [
              {{ "id": "m", "title": "Milestones", "metric": {{ "kind": "milestones", "milestones": [
                  {{ "title": "Design" }}, {{ "title": "Build", "weight": "3" }} ] }},
                "check_ins": [ {{ "at": "2027-01-10", "value": ["Design"] }},
                               {{ "at": "2027-02-10", "value": ["Design", "Build"] }} ] }} ] }} ] }}"#
    ));
    let at = |day: &str| set.review(date(day)).get("co").unwrap().progress.value();
    assert_eq!(at("2027-01-09"), d("0"));
    assert_eq!(at("2027-01-10"), d("0.25"));
    assert_eq!(at("2027-02-10"), d("1"));
    let weeks = set.period("P").unwrap().every(7);
    let series = set.series("co", &weeks).unwrap();
    assert_eq!(series.len(), weeks.len());
    assert_eq!(series[0].1.value(), d("0"));
    assert_eq!(series[2].1.value(), d("0.25")); // 2027-01-15
    assert_eq!(series.last().unwrap().1.value(), d("1"));
    assert!(matches!(
        set.series("nobody", &weeks),
        Err(Error::UnknownNode(_))
    ));
}

#[test]
fn check_in_values_must_fit_the_metric() {
    let doc = |metric: &str, value: &str| {
        format!(
            r#"{{ "format": "okrs/1", "objectives": [ {{ "id": "o", "title": "O", "level": "team",
            "key_results": [ {{ "id": "kr", "title": "KR", "metric": {metric},
              "check_ins": [ {{ "at": "2027-01-01", "value": {value} }} ] }} ] }} ] }}"#
        )
    };
    let numeric = r#"{ "kind": "numeric", "start": "0", "target": "9" }"#;
    let milestones = r#"{ "kind": "milestones", "milestones": [{ "title": "A" }] }"#;
    for (metric, value) in [
        (numeric, "true"),
        (numeric, r#"["A"]"#),
        (r#"{ "kind": "binary" }"#, r#""1""#),
        (milestones, r#"["B"]"#),
        (milestones, "true"),
    ] {
        let err = OkrSet::from_json(&doc(metric, value)).unwrap_err();
        assert!(
            matches!(err, LoadError::Invalid(Error::CheckInValue { ref key_result, .. }) if key_result.as_str() == "kr"),
            "{metric} {value}: {err}"
        );
    }
    for (metric, value) in [
        (numeric, "4"),
        (numeric, r#""4.5""#),
        (r#"{ "kind": "binary" }"#, "true"),
        (milestones, r#"["A"]"#),
        (r#"{ "kind": "manual" }"#, r#""0.3""#),
        (r#"{ "kind": "at-least", "threshold": "3" }"#, "2"),
    ] {
        assert!(OkrSet::from_json(&doc(metric, value)).is_ok(), "{value}");
    }
}

#[test]
fn current_and_check_ins_on_one_key_result_is_an_error() {
    let json = r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team",
        "key_results": [ { "id": "kr", "title": "KR",
          "metric": { "kind": "numeric", "start": "0", "target": "9", "current": "3" },
          "check_ins": [ { "at": "2027-01-01", "value": "4" } ] } ] } ] }"#;
    let err = OkrSet::from_json(json).unwrap_err();
    assert_eq!(
        err,
        LoadError::Invalid(Error::CurrentAndCheckIns("kr".parse().unwrap()))
    );
    assert!(err.to_string().contains("\"kr\""));
}

#[test]
fn refused_check_ins_change_nothing() {
    let mut set = one_kr(r#"[{ "at": "2027-01-11", "value": "5" }]"#);
    let before = set.clone();
    let before_start = CheckIn::new("2026-12-31".parse().unwrap(), d("1").into());
    assert!(matches!(
        set.check_in("kr", before_start),
        Err(Error::CheckInBeforePeriod { .. })
    ));
    let wrong_kind = CheckIn::new("2027-01-12".parse().unwrap(), true.into());
    assert!(matches!(
        set.check_in("kr", wrong_kind),
        Err(Error::CheckInValue { .. })
    ));
    let on_objective = CheckIn::new("2027-01-12".parse().unwrap(), d("1").into());
    assert!(matches!(
        set.check_in("o", on_objective),
        Err(Error::WrongKind { .. })
    ));
    assert_eq!(set, before);
}

#[test]
fn a_check_in_through_the_api_rolls_up_and_round_trips() {
    let mut set = one_kr("[]");
    set.check_in(
        "kr",
        CheckIn::new("2027-02-01".parse().unwrap(), d("40").into())
            .with_confidence("0.9".parse().unwrap())
            .with_note("good week")
            .by("ana"),
    )
    .unwrap();
    // An earlier check-in added later does not change the latest value.
    set.check_in(
        "kr",
        CheckIn::new("2027-01-15".parse().unwrap(), d("10").into()),
    )
    .unwrap();
    assert_eq!(progress(&set, "o"), d("0.4"));
    let json = set.to_document().to_json().unwrap();
    let reloaded = OkrSet::from_json(&json).unwrap();
    assert_eq!(reloaded, set);
    assert_eq!(
        reloaded.node("kr").unwrap().check_ins()[1].by.as_deref(),
        Some("ana")
    );
}

#[test]
fn a_first_check_in_takes_over_from_a_current_value() {
    let mut set = load(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team",
        "key_results": [ { "id": "kr", "title": "KR", "metric": { "kind": "binary", "done": true } },
                         { "id": "sub", "title": "Sub" } ] } ] }"#,
    );
    let before = set.clone();
    let c = CheckIn::new("2027-01-01".parse().unwrap(), CheckInValue::Done(false));
    assert!(matches!(
        set.check_in("sub", c.clone()),
        Err(Error::NoMetric(_))
    ));
    assert_eq!(set, before);
    // Recording a value is a check-in, history or not: the metric's own
    // `done` gives way to it and stays at its start.
    set.check_in("kr", c).unwrap();
    assert_eq!(set.progress("kr").unwrap().to_string(), "0");
    let kr = set.node("kr").unwrap().to_key_result().unwrap();
    assert_eq!(kr.metric, Some(okrs::Metric::binary(false)));
    assert_eq!(kr.check_ins.len(), 1);
    // A metric change with a current value keeps the history's value.
    set.set_metric("kr", Some(okrs::Metric::binary(true)))
        .unwrap();
    assert_eq!(set.progress("kr").unwrap().to_string(), "0");
}

fn closable() -> OkrSet {
    load(
        r#"{ "format": "okrs/1", "alignment": "cascading",
        "periods": [ { "id": "FY2027", "start": "2027-01-01", "end": "2027-12-31" },
                     { "id": "FY2028", "start": "2028-01-01", "end": "2028-12-31" } ],
        "objectives": [
          { "id": "co", "title": "Company", "level": "company", "period": "FY2027",
            "key_results": [ { "id": "kr", "title": "KR",
              "metric": { "kind": "numeric", "start": "0", "target": "4" },
              "check_ins": [ { "at": "2027-06-01", "value": "3" } ] } ] },
          { "id": "next", "title": "Next year", "level": "company", "period": "FY2028" } ] }"#,
    )
}

#[test]
fn a_closed_period_freezes_grades_and_refuses_check_ins() {
    let mut set = closable();
    set.close_period("FY2027").unwrap();
    let grade = set.frozen_grade("co").unwrap().clone();
    assert_eq!(grade.progress.value(), d("0.75"));
    assert_eq!(grade.band, Band::Green);
    assert_eq!(set.frozen_grade("kr").unwrap().progress.value(), d("0.75"));
    assert!(set.frozen_grade("next").is_none());

    let before = set.clone();
    let late = CheckIn::new("2027-12-31".parse().unwrap(), d("4").into());
    assert_eq!(
        set.check_in("kr", late),
        Err(Error::PeriodClosed {
            period: "FY2027".parse().unwrap(),
            id: "kr".parse().unwrap()
        })
    );
    assert!(matches!(
        set.set_metric("kr", Some(Metric::numeric(d("0"), d("4")))),
        Err(Error::PeriodClosed { .. })
    ));
    assert!(matches!(
        set.remove_key_result("kr"),
        Err(Error::PeriodClosed { .. })
    ));
    assert!(matches!(
        set.add_objective(
            Objective::new("late".parse().unwrap(), "Late", "team")
                .with_period("FY2027".parse().unwrap())
        ),
        Err(Error::PeriodClosed { .. })
    ));
    assert!(matches!(
        set.close_period("FY2027"),
        Err(Error::AlreadyClosed(_))
    ));
    assert_eq!(set, before);

    // A later edit elsewhere moves the live roll-up, never the frozen grade.
    set.add_objective(
        Objective::new("helper".parse().unwrap(), "Helper", "team")
            .with_period("FY2028".parse().unwrap())
            .with_link(Link::new("co".parse().unwrap())),
    )
    .unwrap();
    assert_ne!(set.progress("co").unwrap(), grade.progress);
    assert_eq!(set.frozen_grade("co"), Some(&grade));

    // The closure survives the document.
    let reloaded = OkrSet::from_json(&set.to_document().to_json().unwrap()).unwrap();
    assert_eq!(reloaded.frozen_grade("co"), Some(&grade));
    assert!(reloaded.period("FY2027").unwrap().is_closed());
}

#[test]
fn grades_in_a_document_must_name_the_periods_nodes() {
    let json = r#"{ "format": "okrs/1",
        "periods": [ { "id": "Q", "start": "2027-01-01", "end": "2027-03-31",
                       "closed": { "grades": [ { "id": "elsewhere", "progress": "1", "band": "green" } ] } } ],
        "objectives": [ { "id": "elsewhere", "title": "E", "level": "team" } ] }"#;
    assert!(matches!(
        OkrSet::from_json(json),
        Err(LoadError::Invalid(Error::GradeOfUnknownNode { .. }))
    ));
}

#[test]
fn carry_forward_records_provenance() {
    let mut set = closable();
    set.close_period("FY2027").unwrap();
    let copy = set
        .carry_forward("co", "FY2028", CarryForward::default())
        .unwrap();
    assert_eq!(copy.as_str(), "co@FY2028");
    let new = set.node("co@FY2028").unwrap().to_objective().unwrap();
    assert_eq!(new.carried_from.as_ref().map(|i| i.as_str()), Some("co"));
    assert_eq!(new.period.as_ref().map(|i| i.as_str()), Some("FY2028"));
    assert_eq!(new.key_results[0].id.as_str(), "kr@FY2028");
    assert!(new.key_results[0].check_ins.is_empty());
    assert_eq!(progress(&set, "kr@FY2028"), d("0")); // started afresh
    assert_eq!(
        set.node("co").unwrap().to_objective().unwrap().carried_to,
        Some(copy.clone())
    );
    let (from, to) = set.node("co").unwrap().carried();
    assert_eq!((from, to), (None, Some(&copy)));
    // The frozen grade of the original is untouched.
    assert_eq!(set.frozen_grade("co").unwrap().progress.value(), d("0.75"));

    let before = set.clone();
    assert!(matches!(
        set.carry_forward("co", "FY2028", CarryForward::default()),
        Err(Error::AlreadyCarried { .. })
    ));
    assert!(matches!(
        set.carry_forward("co@FY2028", "FY2027", CarryForward::default()),
        Err(Error::NotALaterPeriod { .. })
    ));
    assert!(matches!(
        set.carry_forward("next", "nowhere", CarryForward::default()),
        Err(Error::UnknownPeriod { .. })
    ));
    assert_eq!(set, before);

    let reloaded = OkrSet::from_json(&set.to_document().to_json().unwrap()).unwrap();
    assert_eq!(reloaded, set);
}

#[test]
fn carry_forward_can_keep_values_and_refuses_finished_objectives() {
    let mut set = closable();
    set.carry_forward("co", "FY2028", CarryForward::default().keep_values(true))
        .unwrap();
    assert_eq!(progress(&set, "kr@FY2028"), d("0.75"));
    let copy = set.node("kr@FY2028").unwrap().to_key_result().unwrap();
    // The value moves as one check-in on the new period's first day, so
    // that the copy keeps taking check-ins.
    assert_eq!(copy.metric.unwrap(), Metric::numeric(d("0"), d("4")));
    assert_eq!(copy.check_ins.len(), 1);
    assert_eq!(copy.check_ins[0].at.to_string(), "2028-01-01");
    set.check_in(
        "kr@FY2028",
        CheckIn::new("2028-02-01".parse().unwrap(), d("4").into()),
    )
    .unwrap();
    assert_eq!(progress(&set, "co@FY2028"), d("1"));
    // Removing the copy lets the original be carried forward again.
    set.remove_objective("co@FY2028").unwrap();
    assert_eq!(
        set.node("co").unwrap().to_objective().unwrap().carried_to,
        None
    );
    set.carry_forward("co", "FY2028", CarryForward::default())
        .unwrap();

    let mut done = load(
        r#"{ "format": "okrs/1",
        "periods": [ { "id": "A", "start": "2027-01-01", "end": "2027-01-31" },
                     { "id": "B", "start": "2027-02-01", "end": "2027-02-28" } ],
        "objectives": [ { "id": "o", "title": "O", "level": "team", "period": "A",
          "key_results": [ { "id": "kr", "title": "KR", "metric": { "kind": "binary", "done": true } } ] },
          { "id": "loose", "title": "No period", "level": "team" } ] }"#,
    );
    assert_eq!(
        done.carry_forward("o", "B", CarryForward::default()),
        Err(Error::AlreadyDone("o".parse().unwrap()))
    );
    assert_eq!(
        done.carry_forward("loose", "B", CarryForward::default()),
        Err(Error::NoPeriod("loose".parse().unwrap()))
    );
}

fn periods_error(periods: &str) -> Error {
    let json = format!(r#"{{ "format": "okrs/1", "periods": {periods} }}"#);
    match OkrSet::from_json(&json) {
        Err(LoadError::Invalid(e)) => e,
        other => panic!("expected a model error, got {other:?}"),
    }
}

#[test]
fn periods_are_validated_and_errors_name_them() {
    let e = periods_error(r#"[{ "id": "Q", "start": "2027-03-31", "end": "2027-01-01" }]"#);
    assert!(matches!(e, Error::PeriodEndsBeforeStart { ref period, .. } if period.as_str() == "Q"));
    let e = periods_error(
        r#"[{ "id": "Q", "start": "2027-01-01", "end": "2027-03-31", "within": "FY" }]"#,
    );
    assert!(
        matches!(e, Error::UnknownPeriod { ref period, ref by } if period.as_str() == "FY" && by.as_str() == "Q")
    );
    let e = periods_error(
        r#"[{ "id": "FY", "start": "2027-01-01", "end": "2027-12-31" },
            { "id": "Q", "start": "2026-12-01", "end": "2027-03-31", "within": "FY" }]"#,
    );
    assert!(matches!(e, Error::PeriodOutsideParent { ref period, .. } if period.as_str() == "Q"));
    let e = periods_error(
        r#"[{ "id": "FY", "start": "2027-01-01", "end": "2027-12-31" },
            { "id": "Q1", "start": "2027-01-01", "end": "2027-03-31", "within": "FY" },
            { "id": "Q2", "start": "2027-03-31", "end": "2027-06-30", "within": "FY" }]"#,
    );
    assert!(
        matches!(e, Error::PeriodsOverlap { ref first, ref second } if first.as_str() == "Q1" && second.as_str() == "Q2")
    );
    let e = periods_error(
        r#"[{ "id": "A", "start": "2027-01-01", "end": "2027-12-31" },
            { "id": "B", "start": "2027-06-01", "end": "2028-05-31" }]"#,
    );
    assert!(matches!(e, Error::PeriodsOverlap { .. }));
    let e = periods_error(
        r#"[{ "id": "A", "start": "2027-01-01", "end": "2027-12-31", "within": "B" },
            { "id": "B", "start": "2027-01-01", "end": "2027-12-31", "within": "A" }]"#,
    );
    assert!(matches!(e, Error::PeriodCycle(_)));
    let e = periods_error(
        r#"[{ "id": "A", "start": "2027-01-01", "end": "2027-12-31" },
            { "id": "A", "start": "2028-01-01", "end": "2028-12-31" }]"#,
    );
    assert_eq!(e, Error::DuplicatePeriod("A".parse().unwrap()));
    let err = OkrSet::from_json(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team", "period": "Q9" } ] }"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("\"Q9\""), "{err}");
    // A bad date is a parse error with its position.
    let err = OkrSet::from_json(
        r#"{ "format": "okrs/1", "periods": [ { "id": "Q", "start": "2027-02-30", "end": "2027-03-31" } ] }"#,
    )
    .unwrap_err();
    match err {
        LoadError::Parse(p) => assert_eq!(p.path(), "periods[0].start"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn helpers_make_a_valid_year_of_quarters() {
    let mut doc =
        Document::new(AlignmentModel::Directional).with_period(Period::year(2027).unwrap());
    for quarter in Period::quarters(2027).unwrap() {
        doc = doc.with_period(quarter);
    }
    let set = OkrSet::from_document(doc).unwrap();
    assert_eq!(set.periods().len(), 5);
    assert_eq!(
        set.period("2027-Q3")
            .unwrap()
            .within
            .as_ref()
            .map(|i| i.as_str()),
        Some("FY2027")
    );
}

#[test]
fn child_objectives_outside_their_parents_period_are_reported() {
    let mut doc = Document::default().with_period(Period::year(2027).unwrap());
    for quarter in Period::quarters(2027).unwrap() {
        doc = doc.with_period(quarter);
    }
    let doc = doc
        .with_objective(
            Objective::new("year".parse().unwrap(), "Year", "company")
                .with_period("FY2027".parse().unwrap())
                .with_key_result(KeyResult::new("year-kr".parse().unwrap(), "KR")),
        )
        .with_objective(
            Objective::new("q1".parse().unwrap(), "Q1", "company")
                .with_period("2027-Q1".parse().unwrap()),
        )
        .with_objective(
            Objective::new("inside".parse().unwrap(), "Inside", "team")
                .with_period("2027-Q2".parse().unwrap())
                .with_link(Link::new("year-kr".parse().unwrap())),
        )
        .with_objective(
            Objective::new("outside".parse().unwrap(), "Outside", "team")
                .with_period("FY2027".parse().unwrap())
                .with_link(Link::new("q1".parse().unwrap())),
        );
    let set = OkrSet::from_document(doc).unwrap();
    let mismatches = set.period_mismatches();
    assert_eq!(mismatches.len(), 1);
    assert_eq!(mismatches[0].objective.as_str(), "outside");
    assert_eq!(mismatches[0].parent_period.as_str(), "2027-Q1");
}

#[test]
fn the_samples_closed_quarter_holds_the_grades_closing_would_freeze() {
    let sample = OkrSet::from_document(okrs::sample::document()).unwrap();
    let mut reopened = sample.to_document();
    for period in &mut reopened.periods {
        period.closed = None;
    }
    let mut reclosed = OkrSet::from_document(reopened).unwrap();
    reclosed.close_period("2026-Q3").unwrap();
    assert_eq!(reclosed, sample);
    assert_eq!(
        sample.frozen_grade("referrals").unwrap().progress,
        sample.progress("referrals").unwrap()
    );
}

#[test]
fn closing_freezes_grades_as_of_the_periods_last_day() {
    let mut set = closable();
    // Dated after FY2027 ends: refused (it counted live, not in the grade).
    let before = set.clone();
    assert!(matches!(
        set.check_in(
            "kr",
            CheckIn::new("2028-01-15".parse().unwrap(), d("4").into()),
        ),
        Err(Error::CheckInAfterPeriod { .. })
    ));
    assert_eq!(set, before);
    // The last day counts.
    set.check_in(
        "kr",
        CheckIn::new("2027-12-31".parse().unwrap(), d("4").into()),
    )
    .unwrap();
    set.close_period("FY2027").unwrap();
    assert_eq!(set.frozen_grade("co").unwrap().progress.value(), d("1"));
}
