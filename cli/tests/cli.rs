//! The `okrs` binary, run as a user would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn okrs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_okrs"))
        .args(args)
        .output()
        .unwrap()
}

fn write(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("okrs-cli-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn no_arguments_reviews_the_sample() {
    let out = okrs(&[]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Grow the BizOps team"), "{text}");
    assert!(text.contains("Make our company a great place to work"));
    assert!(text.contains("objectives:"));
}

#[test]
fn rollup_json_lists_every_node_as_of_a_date() {
    let path = write("sample.json", okrs::sample::SAMPLE_JSON);
    let out = okrs(&[
        "rollup",
        "--json",
        path.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["as_of"], "2026-11-23");
    let nodes = value["nodes"].as_array().unwrap();
    let set = okrs::OkrSet::from_json(okrs::sample::SAMPLE_JSON).unwrap();
    let review = set.review("2026-11-23".parse().unwrap());
    assert_eq!(nodes.len(), set.nodes().count());
    for node in nodes {
        let id = node["id"].as_str().unwrap();
        let progress = okrs::parse_decimal(node["progress"].as_str().unwrap()).unwrap();
        // Every check-in of the sample is before the 23rd: as of then, the
        // review agrees with the live roll-up.
        assert_eq!(progress, set.progress(id).unwrap().value(), "{id}");
        let reviewed = review.get(id).unwrap();
        assert_eq!(
            node["status"].as_str(),
            reviewed.status.map(|s| s.to_string()).as_deref()
        );
        assert!(node["expected"].is_string(), "{id} has a period");
        assert!(["objective", "key-result"].contains(&node["kind"].as_str().unwrap()));
        assert!(["red", "yellow", "green"].contains(&node["band"].as_str().unwrap()));
    }
    let arr = nodes.iter().find(|n| n["id"] == "arr").unwrap();
    assert_eq!(arr["status"], "at-risk");
    assert_eq!(arr["confidence"], "0.5");
    assert!(arr["forecast"].is_string() && arr["forecast_band"].is_string());

    // Earlier, fewer check-ins count.
    let out = okrs(&[
        "rollup",
        "--json",
        path.to_str().unwrap(),
        "--as-of",
        "2026-10-01",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nodes = value["nodes"].as_array().unwrap();
    let hires = nodes.iter().find(|n| n["id"] == "hire-assistant").unwrap();
    assert_eq!(hires["progress"], "0");
    assert_eq!(hires["expected"], "0");
}

#[test]
fn the_sample_review_shows_statuses_and_forecasts() {
    let out = okrs(&["--as-of", "2026-11-23"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("as of 2026-11-23"), "{text}");
    for needle in [
        "on-track",
        "at-risk",
        "off-track",
        "fc ",
        "exp ",
        "conf ",
        "closed at 0.55",
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
    assert!(text.contains("carried forward from referrals"));
    assert!(
        text.contains("health checks: 0 errors, 4 warnings"),
        "{text}"
    );
}

#[test]
fn a_bad_as_of_date_is_a_usage_error() {
    for args in [
        &["--as-of", "2026-13-01"][..],
        &["--as-of"],
        &["--as-of", "2026-11-23T10:00:00Z"],
        &["check", "x.json", "--as-of", "2026-11-23"],
    ] {
        let out = okrs(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("usage"));
    }
}

#[test]
fn check_and_report_accept_a_valid_file() {
    let path = write("valid.json", okrs::sample::SAMPLE_JSON);
    let out = okrs(&["check", path.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("valid"));
    let out = okrs(&["report", path.to_str().unwrap()]);
    assert!(out.status.success());
}

#[test]
fn an_invalid_document_exits_2_with_the_error() {
    let path = write(
        "cycle.json",
        r#"{"format":"okrs/1","alignment":"cascading","objectives":[
        {"id":"a","title":"A","level":"team","aligned_to":[{"id":"b"}]},
        {"id":"b","title":"B","level":"team","aligned_to":[{"id":"a"}]}]}"#,
    );
    for command in ["check", "report"] {
        let out = okrs(&[command, path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("alignment cycle"), "{err}");
    }
    let truncated = write(
        "truncated.json",
        r#"{"format":"okrs/1","objectives":[{"id":"#,
    );
    let out = okrs(&["check", truncated.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
    let binary = std::env::temp_dir().join(format!("okrs-cli-{}-binary", std::process::id()));
    std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
    assert_eq!(
        okrs(&["check", binary.to_str().unwrap()]).status.code(),
        Some(2)
    );
    assert_eq!(
        okrs(&["check", "/no/such/file.json"]).status.code(),
        Some(2)
    );
    assert_eq!(okrs(&["frobnicate", "x"]).status.code(), Some(2));
}

#[test]
fn lint_reports_findings_and_exits_1_on_errors() {
    let path = write("lint-sample.json", okrs::sample::SAMPLE_JSON);
    let out = okrs(&["lint", path.to_str().unwrap(), "--as-of", "2026-11-23"]);
    assert_eq!(out.status.code(), Some(0), "warnings only");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("warning[OKR301] stale-key-result"), "{text}");
    assert!(text.contains("0 errors"));

    let unmeasured = write(
        "unmeasured.json",
        r#"{"format":"okrs/1","objectives":[{"id":"o","title":"O","level":"company"}]}"#,
    );
    let out = okrs(&["lint", unmeasured.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &findings.as_array().unwrap()[0];
    assert_eq!(first["code"], "OKR104");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["nodes"][0], "o");
}

#[test]
fn impact_lists_shares_and_what_if() {
    let path = write("impact-sample.json", okrs::sample::SAMPLE_JSON);
    let out = okrs(&["impact", path.to_str().unwrap(), "great-place"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("enps"), "{text}");
    assert!(text.contains("33.33%"), "{text}");
    let out = okrs(&["impact", path.to_str().unwrap(), "closed-revenue"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("of company objective \"grow-revenue\""),
        "{text}"
    );
    assert_eq!(
        okrs(&["impact", path.to_str().unwrap(), "nobody"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        okrs(&["impact", path.to_str().unwrap()]).status.code(),
        Some(2)
    );
}

#[test]
fn export_and_import_round_trip_through_csv() {
    let path = write("export-sample.json", okrs::sample::SAMPLE_JSON);
    let out = okrs(&["export", "--to", "csv", path.to_str().unwrap()]);
    assert!(out.status.success());
    let csv = write("export-sample.csv", &String::from_utf8(out.stdout).unwrap());
    let out = okrs(&["import", "--from", "csv", csv.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let imported = okrs::OkrSet::from_json(&String::from_utf8(out.stdout).unwrap()).unwrap();
    let original = okrs::OkrSet::from_json(okrs::sample::SAMPLE_JSON).unwrap();
    assert_eq!(imported, original);
    for (format, needle) in [
        ("dot", "digraph okrs"),
        ("mermaid", "flowchart BT"),
        ("markdown", "# OKR report as of 2026-11-23"),
    ] {
        let mut args = vec!["export", "--to", format, path.to_str().unwrap()];
        if format == "markdown" {
            args.extend(["--as-of", "2026-11-23"]);
        }
        let out = okrs(&args);
        assert!(out.status.success(), "{format}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(needle),
            "{format}"
        );
    }
    assert_eq!(
        okrs(&["export", "--to", "pdf", path.to_str().unwrap()])
            .status
            .code(),
        Some(2)
    );
    let bad = write("bad.csv", "type,id\nwidget,x\n");
    let out = okrs(&["import", "--from", "csv", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"));
}

#[test]
fn timings_go_to_stderr() {
    let path = write("timings.json", okrs::sample::SAMPLE_JSON);
    let out = okrs(&["check", path.to_str().unwrap(), "--timings"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("load") && err.contains("full roll-up") && err.contains("ms"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("valid"));
}

#[test]
fn a_huge_progress_cap_does_not_break_the_report() {
    let path = write(
        "huge-cap.json",
        r#"{"format":"okrs/1","progress_cap":"79228162514264337593543950335","objectives":[
        {"id":"o","title":"O","level":"company","key_results":[{"id":"k","title":"K",
          "metric":{"kind":"numeric","start":"0","target":"0.0000000000000000000000000001","current":"7922816251426433759354395033"}}]}]}"#,
    );
    let out = okrs(&["report", path.to_str().unwrap(), "--as-of", "2027-01-01"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("[##########]"));
}

#[test]
fn the_report_is_a_heading_then_the_librarys_text() {
    let set = okrs::OkrSet::from_json(okrs::sample::SAMPLE_JSON).unwrap();
    let path = write("report-sample.json", okrs::sample::SAMPLE_JSON);
    for day in ["2026-10-01", "2026-11-23", "2026-12-31"] {
        let as_of: okrs::Date = day.parse().unwrap();
        let out = okrs(&["--as-of", day]);
        assert!(out.status.success());
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!(
                "OKR review of the built-in sample organisation, as of {day}\n{}",
                set.to_text(as_of)
            )
        );
        let file = path.to_str().unwrap();
        let out = okrs(&["report", file, "--as-of", day]);
        assert!(out.status.success());
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!("OKR review of {file}, as of {day}\n{}", set.to_text(as_of))
        );
    }
}

#[test]
fn impact_shows_progress_as_the_exports_do() {
    let tie = r#"{ "format": "okrs/1", "objectives": [
        { "id": "o", "title": "O", "level": "company", "key_results": [
          { "id": "a", "title": "A", "metric": { "kind": "manual", "progress": "0.125" } },
          { "id": "b", "title": "B", "metric": { "kind": "manual", "progress": "0.5" } } ] } ] }"#;
    for (name, json) in [
        ("impact-format-sample.json", okrs::sample::SAMPLE_JSON),
        ("impact-format-tie.json", tie),
    ] {
        let path = write(name, json);
        let file = path.to_str().unwrap();
        let dot = String::from_utf8(okrs(&["export", "--to", "dot", file]).stdout).unwrap();
        let mut checked = 0;
        for line in dot.lines().filter(|l| l.contains(" [shape=")) {
            let id = line.trim_start().split('"').nth(1).unwrap();
            let label = line.split("label=\"").nth(1).unwrap();
            let shown = label
                .split('"')
                .next()
                .unwrap()
                .rsplit("\\n")
                .next()
                .unwrap();
            let out = okrs(&["impact", file, id]);
            assert!(out.status.success(), "{id}");
            let text = String::from_utf8(out.stdout).unwrap();
            let first = text.lines().next().unwrap();
            assert!(
                first.ends_with(&format!("{id:?} stands at {shown}")),
                "{first} against DOT {shown}"
            );
            checked += 1;
        }
        assert!(checked >= 3, "{dot}");
    }
    let path = write("impact-format-tie.json", tie);
    let out = okrs(&["impact", path.to_str().unwrap(), "a"]);
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("key-result \"a\" stands at 0.13\n")
    );
}
