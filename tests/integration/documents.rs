use okrs::{Document, LoadError, OkrSet};

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
