//! Hostile and extreme inputs: each gives a typed error or a correct
//! result, never a panic.

use okrs::{Document, Error, LoadError, OkrSet};

use crate::{d, load, progress};

fn model_error(json: &str) -> Error {
    match OkrSet::from_json(json) {
        Err(LoadError::Invalid(e)) => e,
        other => panic!("expected a model error, got {other:?}"),
    }
}

fn parse_error_path(json: &str) -> String {
    match OkrSet::from_json(json) {
        Err(LoadError::Parse(e)) => e.path().to_owned(),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn tiny_weights_are_exact() {
    let set = load(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team", "key_results": [
        { "id": "a", "title": "A", "weight": "1e-28", "metric": { "kind": "binary", "done": true } },
        { "id": "b", "title": "B", "weight": "0.0000000000000000000000000001", "metric": { "kind": "binary" } } ] } ] }"#,
    );
    assert_eq!(progress(&set, "o"), d("0.5"));
    // 1e-30 cannot be held without rounding: refused, not rounded to zero.
    let path = parse_error_path(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team", "key_results": [
        { "id": "a", "title": "A", "weight": "1e-30" } ] } ] }"#,
    );
    assert_eq!(path, "objectives[0].key_results[0].weight");
}

#[test]
fn numbers_beyond_the_decimal_range_are_refused_where_they_stand() {
    for number in [
        "1e400",
        "79228162514264337593543950336",
        "-1e29",
        "\"NaN\"",
        "\"Infinity\"",
    ] {
        let json = format!(
            r#"{{ "format": "okrs/1", "objectives": [ {{ "id": "o", "title": "O", "level": "team", "key_results": [
            {{ "id": "a", "title": "A", "metric": {{ "kind": "numeric", "start": "0", "target": {number} }} }} ] }} ] }}"#
        );
        // The metric is an internally tagged enum: serde reports the path
        // down to the metric, the message names the number.
        let path = parse_error_path(&json);
        assert!(
            path.starts_with("objectives[0].key_results[0].metric"),
            "{number}: {path}"
        );
    }
    // The largest decimal is fine as a value; a distance that overflows is a model error.
    let err = model_error(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team", "key_results": [
        { "id": "a", "title": "A", "metric": { "kind": "numeric",
          "start": "-79228162514264337593543950335", "target": "79228162514264337593543950335" } } ] } ] }"#,
    );
    assert!(matches!(err, Error::InvalidMetric { .. }), "{err}");
}

#[test]
fn a_megabyte_title_goes_everywhere() {
    let title = "é".repeat(512 * 1024); // 1 MiB of UTF-8
    let json = format!(
        r#"{{ "format": "okrs/1", "objectives": [ {{ "id": "o", "title": "{title}", "level": "company",
        "key_results": [ {{ "id": "k", "title": "{title}", "metric": {{ "kind": "binary", "done": true }} }} ] }} ] }}"#
    );
    let set = load(&json);
    assert_eq!(set.node("o").unwrap().title().len(), 1024 * 1024);
    assert_eq!(progress(&set, "o"), d("1"));
    let again = OkrSet::from_json(&set.to_document().to_json().unwrap()).unwrap();
    assert_eq!(again, set);
    let csv = set.to_document().to_csv().unwrap();
    assert_eq!(
        OkrSet::from_document(Document::from_csv(&csv).unwrap()).unwrap(),
        set
    );
    assert!(set.to_dot().len() < 10_000, "labels are shortened");
    let _ = set.to_mermaid();
    let _ = set.to_markdown("2027-01-01".parse().unwrap());
}

#[test]
fn unicode_ids_work_and_control_characters_are_refused() {
    let set = load(
        r#"{ "format": "okrs/1", "alignment": "cascading", "objectives": [
        { "id": "目標-1 🚀", "title": "Unicode", "level": "company" },
        { "id": "équipe", "title": "Team", "level": "team", "aligned_to": [{ "id": "目標-1 🚀" }],
          "key_results": [ { "id": "ключ", "title": "K", "metric": { "kind": "binary", "done": true } } ] } ] }"#,
    );
    assert_eq!(progress(&set, "目標-1 🚀"), d("1"));
    for id in [
        r#""a\u0000b""#,
        r#""tab\there""#,
        r#""new\nline""#,
        r#""""#,
        r#""\u001b[31m""#,
    ] {
        let json = format!(
            r#"{{ "format": "okrs/1", "objectives": [ {{ "id": {id}, "title": "O", "level": "team" }} ] }}"#
        );
        assert_eq!(parse_error_path(&json), "objectives[0].id", "{id}");
    }
}

#[test]
fn duplicate_ids_across_kinds_are_refused() {
    for (a, b) in [("x", "x"), ("o", "x")] {
        let json = format!(
            r#"{{ "format": "okrs/1", "objectives": [
            {{ "id": "o", "title": "O", "level": "team", "key_results": [
              {{ "id": "{a}", "title": "K", "initiatives": [ {{ "id": "{b}", "title": "I" }} ] }} ] }},
            {{ "id": "x", "title": "X", "level": "team" }} ] }}"#
        );
        assert!(
            matches!(model_error(&json), Error::DuplicateId(_)),
            "{a} {b}"
        );
    }
    let err = model_error(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team",
        "key_results": [ { "id": "o", "title": "K" } ] } ] }"#,
    );
    assert_eq!(err, Error::DuplicateId("o".parse().unwrap()));
}

#[test]
fn sub_key_results_nested_too_deep_are_refused() {
    let mut json = String::from(r#"{"id":"leaf","title":"T","metric":{"kind":"binary"}}"#);
    for depth in 0..20 {
        json = format!(r#"{{"id":"k{depth}","title":"T","key_results":[{json}]}}"#);
    }
    let doc = format!(
        r#"{{"format":"okrs/1","objectives":[{{"id":"o","title":"O","level":"team","key_results":[{json}]}}]}}"#
    );
    assert!(matches!(model_error(&doc), Error::TooDeep(_)));
}

#[test]
fn a_csv_chain_a_hundred_thousand_deep_is_an_error_not_a_stack_overflow() {
    let mut sheet =
        String::from("type,id,parent,title,level\nobjective,o,,O,team\nkey-result,k0,o,K,\n");
    for i in 1..100_000 {
        sheet.push_str(&format!("key-result,k{i},k{},K,\n", i - 1));
    }
    let err = Document::from_csv(&sheet).unwrap_err();
    assert!(err.to_string().contains("deeper than"), "{err}");
}

#[test]
fn ten_thousand_check_ins_on_one_key_result() {
    let check_ins: Vec<String> = (0..10_000)
        .map(|i| {
            let day = okrs::Date::new(2027, 1, 1)
                .unwrap()
                .checked_add(okrs::jiff::Span::new().days(i % 365))
                .unwrap();
            format!(r#"{{ "at": "{day}", "value": "{}" }}"#, i % 100)
        })
        .collect();
    let json = format!(
        r#"{{ "format": "okrs/1", "periods": [ {{ "id": "Y", "start": "2027-01-01", "end": "2027-12-31" }} ],
        "objectives": [ {{ "id": "o", "title": "O", "level": "team", "period": "Y", "key_results": [
          {{ "id": "k", "title": "K", "metric": {{ "kind": "numeric", "start": "0", "target": "100" }},
            "check_ins": [{}] }} ] }} ] }}"#,
        check_ins.join(",")
    );
    let set = load(&json);
    let review = set.review("2027-06-30".parse().unwrap());
    let forecast = review.get("k").unwrap().forecast.unwrap().value();
    assert!(forecast >= d("0") && forecast <= d("1"));
}

#[test]
fn dates_outside_the_calendar_are_parse_errors() {
    for date in [
        "\"99999-01-01\"",
        "\"2027-13-01\"",
        "\"2027-02-29\"",
        "20270101",
    ] {
        let json = format!(
            r#"{{ "format": "okrs/1", "periods": [ {{ "id": "P", "start": {date}, "end": "2027-12-31" }} ] }}"#
        );
        assert_eq!(parse_error_path(&json), "periods[0].start", "{date}");
    }
}

#[test]
fn a_document_of_no_objectives_reviews_lints_and_exports() {
    let set = load(r#"{ "format": "okrs/1" }"#);
    assert!(set.review("2027-01-01".parse().unwrap()).is_empty());
    assert_eq!(set.lint("2027-01-01".parse().unwrap()).len(), 1); // no top objective
    assert!(set.to_dot().contains("digraph"));
    assert_eq!(
        OkrSet::from_document(Document::from_csv(&set.to_document().to_csv().unwrap()).unwrap())
            .unwrap(),
        set
    );
}

#[test]
fn empty_owners_are_refused_and_empty_texts_mean_none() {
    let err = model_error(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team", "owners": [" "] } ] }"#,
    );
    assert_eq!(err, Error::EmptyOwner("o".parse().unwrap()));
    let set = load(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team", "description": "",
        "key_results": [ { "id": "k", "title": "K", "description": "",
          "metric": { "kind": "numeric", "start": "0", "target": "1", "unit": "" },
          "check_ins": [ { "at": "2027-01-01", "value": "1", "note": "", "by": "" } ] } ] } ] }"#,
    );
    let doc = set.to_document();
    assert_eq!(doc.objectives[0].description, None);
    let kr = &doc.objectives[0].key_results[0];
    assert_eq!(kr.description, None);
    assert_eq!(kr.check_ins[0].note, None);
    assert_eq!(kr.metric, Some(okrs::Metric::numeric(d("0"), d("1"))));
}

/// A batch of check-ins in any order gives the history and progress the
/// same check-ins give in order; at one moment the one recorded later
/// counts.
#[test]
fn check_ins_in_a_batch_newest_first_land_in_order() {
    use okrs::{CheckIn, CheckInValue, Decimal};
    let json = r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team",
        "key_results": [ { "id": "k", "title": "K",
          "metric": { "kind": "numeric", "start": "0", "target": "100" } } ] } ] }"#;
    let at = |day: i8| -> okrs::Moment { okrs::Date::new(2027, 1, day).unwrap().into() };
    let value = |v: i64| CheckInValue::Number(Decimal::from(v));
    let batch = vec![
        ("k", CheckIn::new(at(9), value(90))),
        ("k", CheckIn::new(at(3), value(30))),
        ("k", CheckIn::new(at(9), value(95))),
        ("k", CheckIn::new(at(1), value(10))),
    ];
    let history = |set: &OkrSet| -> Vec<String> {
        set.node("k")
            .unwrap()
            .check_ins()
            .iter()
            .map(|c| format!("{}={:?}", c.at, c.value))
            .collect()
    };
    let mut newest_first = load(json);
    newest_first.check_in_many(batch).unwrap();
    assert_eq!(
        history(&newest_first),
        [
            "2027-01-01=Number(10)",
            "2027-01-03=Number(30)",
            "2027-01-09=Number(90)",
            "2027-01-09=Number(95)"
        ]
    );
    // The same moment: 95 was recorded after 90, so it counts.
    assert_eq!(progress(&newest_first, "k"), d("0.95"));
    // One by one, oldest first, gives the same history.
    let mut one_by_one = load(json);
    for (day, v) in [(1, 10), (3, 30), (9, 90), (9, 95)] {
        one_by_one
            .check_in("k", CheckIn::new(at(day), value(v)))
            .unwrap();
    }
    assert_eq!(history(&one_by_one), history(&newest_first));
    assert_eq!(progress(&one_by_one, "k"), d("0.95"));
}

/// A thousand periods each within the one before load (the loop check
/// walks each period once), and a loop among them is still refused,
/// naming the first period whose chain reaches it.
#[test]
fn long_period_chains_load_and_loops_are_named() {
    let mut periods: Vec<String> = (0..1_000)
        .map(|i| {
            let within = if i == 0 {
                String::new()
            } else {
                format!(r#", "within": "p{}""#, i - 1)
            };
            format!(r#"{{ "id": "p{i}", "start": "2027-01-01", "end": "2027-12-31"{within} }}"#)
        })
        .collect();
    let doc = |periods: &[String]| {
        format!(
            r#"{{ "format": "okrs/1", "periods": [{}], "objectives": [ {{ "id": "o", "title": "O",
            "level": "team", "period": "p999" }} ] }}"#,
            periods.join(",")
        )
    };
    let set = load(&doc(&periods));
    assert_eq!(set.periods().count(), 1_000);
    // p0 within p999 closes a loop through every period: p0 is named.
    periods[0] = r#"{ "id": "p0", "start": "2027-01-01", "end": "2027-12-31", "within": "p999" }"#
        .to_owned();
    assert!(matches!(model_error(&doc(&periods)), Error::PeriodCycle(p) if p.as_str() == "p0"));
    // A period leading into a loop is named when it comes first.
    let looped = [
        r#"{ "id": "lead", "start": "2027-01-01", "end": "2027-12-31", "within": "a" }"#.to_owned(),
        r#"{ "id": "a", "start": "2027-01-01", "end": "2027-12-31", "within": "b" }"#.to_owned(),
        r#"{ "id": "b", "start": "2027-01-01", "end": "2027-12-31", "within": "a" }"#.to_owned(),
    ];
    let json = format!(
        r#"{{ "format": "okrs/1", "periods": [{}], "objectives": [] }}"#,
        looped.join(",")
    );
    assert!(matches!(model_error(&json), Error::PeriodCycle(p) if p.as_str() == "lead"));
}

/// An objective with thousands of links loads, and a repeated link among
/// them is refused by name.
#[test]
fn an_objective_with_thousands_of_links_loads_and_repeats_are_named() {
    let tops: Vec<String> = (0..3_000)
        .map(|i| format!(r#"{{ "id": "c{i}", "title": "C", "level": "company" }}"#))
        .collect();
    let doc = |links: &[String]| {
        format!(
            r#"{{ "format": "okrs/1", "objectives": [{}, {{ "id": "team", "title": "T", "level": "team",
            "aligned_to": [{}] }} ] }}"#,
            tops.join(","),
            links.join(",")
        )
    };
    let mut links: Vec<String> = (0..3_000)
        .map(|i| format!(r#"{{ "id": "c{i}" }}"#))
        .collect();
    let set = load(&doc(&links));
    assert_eq!(set.node("team").unwrap().aligned_to().count(), 3_000);
    links.push(r#"{ "id": "c17" }"#.to_owned());
    let error = model_error(&doc(&links));
    assert!(
        matches!(&error, Error::DuplicateLink { from, target } if from.as_str() == "team" && target.as_str() == "c17"),
        "{error:?}"
    );
}

/// Frozen grades are found by id in a period of thousands, and follow a
/// reopening and a second close.
#[test]
fn frozen_grades_follow_closing_and_reopening() {
    let objectives: Vec<String> = (0..2_000)
        .map(|i| {
            format!(
                r#"{{ "id": "o{i}", "title": "O", "level": "team", "period": "q1", "key_results": [
                {{ "id": "o{i}-k", "title": "K", "metric": {{ "kind": "binary", "done": {} }} }} ] }}"#,
                i % 2 == 0
            )
        })
        .collect();
    let json = format!(
        r#"{{ "format": "okrs/1", "periods": [ {{ "id": "q1", "start": "2027-01-01", "end": "2027-03-31" }} ],
        "objectives": [{}] }}"#,
        objectives.join(",")
    );
    let mut set = load(&json);
    set.close_period("q1").unwrap();
    assert_eq!(set.frozen_grade("o1998").unwrap().progress.value(), d("1"));
    assert_eq!(
        set.frozen_grade("o1999-k").unwrap().progress.value(),
        d("0")
    );
    let reloaded = OkrSet::from_document(set.to_document()).unwrap();
    assert_eq!(reloaded.frozen_grade("o1998"), set.frozen_grade("o1998"));
    set.apply(okrs::Edit::ReopenPeriod {
        period: "q1".parse().unwrap(),
    })
    .unwrap();
    assert!(set.frozen_grade("o1998").is_none());
    set.close_period("q1").unwrap();
    assert!(set.frozen_grade("o1998").is_some());
}
