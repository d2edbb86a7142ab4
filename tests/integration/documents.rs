use okrs::{Document, LoadError, Metric, OkrSet};

use crate::{d, load, progress};

#[test]
fn the_sample_round_trips_without_loss() {
    let doc = okrs::sample::document();
    assert!(!doc.objectives.is_empty());
    let json = doc.to_json().unwrap();
    assert_eq!(Document::from_json(&json).unwrap(), doc);
    let set = OkrSet::from_document(doc.clone()).unwrap();
    // The set numbers the check-ins (`<key result>#<n>`); all else is as
    // written, and a document written by a set reads back as itself.
    let mut numbered = doc.clone();
    let written = set.to_document();
    strip_check_in_ids(&mut numbered);
    let mut stripped = written.clone();
    strip_check_in_ids(&mut stripped);
    assert_eq!(stripped, numbered);
    assert_ne!(written, doc, "check-ins carry their ids");
    assert_eq!(OkrSet::from_document(written.clone()).unwrap(), set);
    assert_eq!(
        OkrSet::from_document(written.clone())
            .unwrap()
            .to_document(),
        written
    );
}

fn strip_check_in_ids(document: &mut Document) {
    fn strip(kr: &mut okrs::KeyResult) {
        for check_in in &mut kr.check_ins {
            check_in.id = None;
        }
        kr.key_results.iter_mut().for_each(strip);
    }
    for objective in &mut document.objectives {
        objective.key_results.iter_mut().for_each(strip);
    }
}

#[test]
fn decimals_are_read_exactly_from_numbers_and_strings() {
    let set = load(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team",
          "key_results": [
            { "id": "a", "title": "A", "weight": 0.1,
              "metric": { "kind": "numeric", "start": 0, "target": 0.3, "current": 0.1 } },
            { "id": "b", "title": "B", "weight": "0.2",
              "metric": { "kind": "numeric", "start": "0", "target": "3", "current": "3" } } ] } ] }"#,
    );
    // 0.1 / 0.3 is exactly one third only if neither passed through f64.
    assert_eq!(progress(&set, "a"), d("1") / d("3"));
    let kr = set.node("a").unwrap().to_key_result().unwrap();
    assert_eq!(kr.weight.value().to_string(), "0.1");
    // The weights 0.1 and 0.2 weigh 1 : 2 (a weighted mean reads them in
    // lowest whole terms): (1 × 1/3 + 2 × 1) / 3, which is 7/9 rounded to
    // the last digit.
    let expected = (d("1") * (d("1") / d("3")) + d("2")) / d("3");
    assert_eq!(progress(&set, "o"), expected);
    assert_eq!(expected.to_string(), "0.7777777777777777777777777778");
}

#[test]
fn scale_of_decimals_survives_a_round_trip() {
    let json = r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team",
        "key_results": [ { "id": "a", "title": "A", "weight": "20.0",
          "metric": { "kind": "manual", "progress": "0.50" } } ] } ] }"#;
    let doc = Document::from_json(json).unwrap();
    let text = doc.to_json().unwrap();
    assert!(text.contains(r#""20.0""#), "{text}");
    assert!(text.contains(r#""0.50""#), "{text}");
}

#[test]
fn unknown_format_is_named_with_its_position() {
    let err = Document::from_json("{\n  \"format\": \"okrs/9\"\n}").unwrap_err();
    assert!(err.message().contains("okrs/9"), "{err}");
    assert_eq!(err.line(), 2);
    assert_eq!(err.path(), "format");
}

#[test]
fn unknown_fields_are_rejected_with_their_path() {
    let err = Document::from_json(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team",
             "key_results": [ { "id": "a", "title": "A", "wieght": "2" } ] } ] }"#,
    )
    .unwrap_err();
    assert!(err.message().contains("wieght"), "{err}");
    assert_eq!(err.path(), "objectives[0].key_results[0].wieght");
}

#[test]
fn a_negative_weight_is_refused_at_its_path() {
    let err = OkrSet::from_json(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team",
             "key_results": [ { "id": "a", "title": "A", "weight": "-2" } ] } ] }"#,
    )
    .unwrap_err();
    let LoadError::Parse(err) = err else {
        panic!("expected a parse error, got {err}")
    };
    assert_eq!(err.path(), "objectives[0].key_results[0].weight");
    assert!(err.message().contains("negative"), "{err}");
}

#[test]
fn malformed_text_reports_line_and_column() {
    let err = Document::from_json("{\"format\": \"okrs/1\",\n \"objectives\": [").unwrap_err();
    assert_eq!(err.line(), 2);
    assert!(err.column() > 0);
    let err = Document::from_json("{\"format\": \"okrs/1\"} trailing").unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
}

#[test]
fn empty_ids_and_non_numbers_are_parse_errors() {
    for (json, needle) in [
        (
            r#"{"format":"okrs/1","objectives":[{"id":"","title":"T","level":"team"}]}"#,
            "empty",
        ),
        (r#"{"format":"okrs/1","progress_cap":"NaN"}"#, "NaN"),
        (
            r#"{"format":"okrs/1","progress_cap":"Infinity"}"#,
            "Infinity",
        ),
        (
            r#"{"format":"okrs/1","progress_cap":1e400}"#,
            "not a decimal number",
        ),
    ] {
        let err = Document::from_json(json).unwrap_err();
        assert!(err.to_string().contains(needle), "{json}: {err}");
    }
}

#[test]
fn deeply_nested_json_is_an_error_not_a_stack_overflow() {
    let json = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(Document::from_json(&json).is_err());
    let nested_krs = format!(
        r#"{{"format":"okrs/1","objectives":[{{"id":"o","title":"O","level":"team","key_results":[{}]}}]}}"#,
        (0..200)
            .map(|i| format!(r#"{{"id":"k{i}","title":"K","key_results":["#))
            .collect::<String>()
            + &"]}".repeat(200)
    );
    assert!(OkrSet::from_json(&nested_krs).is_err());
}

#[test]
fn custom_levels_are_used() {
    let set = load(
        r#"{ "format": "okrs/1", "levels": ["group", "tribe", "squad"],
             "objectives": [ { "id": "o", "title": "O", "level": "squad" } ] }"#,
    );
    assert_eq!(set.node("o").unwrap().level(), Some("squad"));
    let err = OkrSet::from_json(
        r#"{ "format": "okrs/1", "levels": ["group", "tribe"],
             "objectives": [ { "id": "o", "title": "O", "level": "team" } ] }"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("\"team\""), "{err}");
}

#[test]
fn an_empty_document_is_a_valid_empty_set() {
    let set = load(r#"{ "format": "okrs/1" }"#);
    assert!(set.is_empty());
    assert!(set.nodes().next().is_none());
}

/// A metric is read field by field whatever the order of its keys, with
/// the messages a derived struct gives.
#[test]
fn metrics_read_in_any_key_order_with_exact_errors() {
    let metric = |body: &str| serde_json::from_str::<Metric>(body);
    let first = metric(r#"{ "kind": "numeric", "start": "0", "target": "10", "current": "4" }"#);
    let last = metric(r#"{ "current": "4", "target": "10", "start": "0", "kind": "numeric" }"#);
    assert_eq!(first.unwrap(), last.unwrap());
    assert_eq!(
        metric(r#"{ "done": true, "kind": "binary" }"#).unwrap(),
        Metric::binary(true)
    );
    let message = |body: &str| metric(body).unwrap_err().to_string();
    assert!(message(r#"{ "start": "0", "target": "1" }"#).starts_with("missing field `kind`"));
    assert!(
        message(r#"{ "kind": "numeric", "target": "1" }"#).starts_with("missing field `start`")
    );
    assert!(
        message(r#"{ "kind": "binary", "threshold": "1" }"#)
            .starts_with("unknown field `threshold`, expected `done`")
    );
    assert!(
        message(r#"{ "colour": 1, "kind": "at-least", "threshold": "1" }"#)
            .starts_with("unknown field `colour`, expected `threshold` or `current`")
    );
    assert!(
        message(r#"{ "kind": "manual", "progress": "0.5", "progress": "0.6" }"#)
            .starts_with("duplicate field `progress`")
    );
    assert!(message(r#"{ "kind": "linear" }"#).starts_with("unknown variant `linear`"));
}

/// `OkrSet::from_json` builds the set as it parses when the settings come
/// first; any other order, and every error, takes the exact path, so the
/// answer is the same either way.
#[test]
fn loading_json_does_not_depend_on_the_order_of_its_keys() {
    let objectives = r#""objectives": [
        { "id": "g", "title": "Grow", "level": "one", "key_results": [
            { "id": "k", "title": "K",
              "metric": { "kind": "numeric", "start": "0", "target": "10", "current": "15" } } ] } ]"#;
    let cap = r#""progress_cap": "1.5""#;
    let settings_first =
        format!(r#"{{ "format": "okrs/1", "levels": ["one"], {cap}, {objectives} }}"#);
    let settings_last =
        format!(r#"{{ "format": "okrs/1", "levels": ["one"], {objectives}, {cap} }}"#);
    let first = OkrSet::from_json(&settings_first).unwrap();
    assert_eq!(first, OkrSet::from_json(&settings_last).unwrap());
    assert_eq!(first.progress("k").unwrap().to_string(), "1.5");
    // An error after the objectives still names its place.
    let late = format!(r#"{{ "format": "okrs/1", {objectives}, "levels": 3 }}"#);
    let LoadError::Parse(error) = OkrSet::from_json(&late).unwrap_err() else {
        panic!("a parse error")
    };
    assert_eq!(error.path(), "levels");
}
