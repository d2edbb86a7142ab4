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
    // 0.575 against its phased plan's 0.81, aiming at 0.7 of it.
    assert_eq!(arr["status"], "on-track");
    assert_eq!(arr["confidence"], "0.5");
    assert!(arr["forecast"].is_string() && arr["forecast_band"].is_string());
    // The closed quarter is over: missed. A member without a forecast (one
    // check-in is no trend) leaves its objective without one.
    let referrals = nodes.iter().find(|n| n["id"] == "referrals").unwrap();
    assert_eq!(referrals["status"], "missed");
    let hire = nodes.iter().find(|n| n["id"] == "hire-assistant").unwrap();
    assert!(hire.get("forecast").is_none(), "{hire}");
    let bizops = nodes.iter().find(|n| n["id"] == "grow-bizops").unwrap();
    assert!(bizops.get("forecast").is_none(), "{bizops}");

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
fn rollup_json_marks_regressed_values_zones_and_summed_values() {
    let path = write(
        "rules.json",
        r#"{ "format": "okrs/1",
        "periods": [ { "id": "Q1", "start": "2027-01-01", "end": "2027-03-31" } ],
        "objectives": [ { "id": "o", "title": "O", "level": "team", "period": "Q1", "key_results": [
          { "id": "resets", "title": "Cut resets from 1000 to 100",
            "metric": { "kind": "numeric", "start": "1000", "target": "100", "current": "1200" } },
          { "id": "customers", "title": "Reach 100 customers",
            "metric": { "kind": "numeric", "start": "0", "commit": "60", "target": "100", "stretch": "130", "current": "70" } },
          { "id": "revenue", "title": "Revenue $1M", "grading": "sum-of-values", "key_results": [
            { "id": "east", "title": "East", "metric": { "kind": "numeric", "start": "0", "target": "600000", "current": "300000" } },
            { "id": "west", "title": "West", "metric": { "kind": "numeric", "start": "0", "target": "400000", "current": "400000" } } ] } ] } ] }"#,
    );
    let out = okrs(&[
        "rollup",
        "--json",
        path.to_str().unwrap(),
        "--as-of",
        "2027-02-01",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nodes = value["nodes"].as_array().unwrap();
    let node = |id: &str| nodes.iter().find(|n| n["id"] == id).unwrap();
    assert_eq!(node("resets")["regressed"], true);
    assert_eq!(node("resets")["status"], "off-track");
    assert_eq!(node("resets")["progress"], "0");
    assert!(node("customers").get("regressed").is_none());
    assert_eq!(node("customers")["zone"], "commit");
    assert_eq!(node("revenue")["value"], "700000");
    assert_eq!(node("revenue")["target"], "1000000");
    assert_eq!(node("revenue")["progress"], "0.7");
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
        "missed",
        "fc ",
        "exp ",
        "conf ",
        "closed at 0.55",
    ] {
        assert!(text.contains(needle), "{needle} missing from\n{text}");
    }
    assert!(text.contains("carried forward from referrals"));
    assert!(
        text.contains("health checks: 0 errors, 3 warnings"),
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
fn an_import_the_model_refuses_prints_nothing() {
    let path = write("import-sample.json", okrs::sample::SAMPLE_JSON);
    let csv = okrs(&["export", "--to", "csv", path.to_str().unwrap()]);
    let csv = String::from_utf8(csv.stdout).unwrap();
    // A sheet that reads, of a set that does not load: a link twice.
    let link = csv
        .lines()
        .find(|line| line.starts_with("link,"))
        .unwrap()
        .to_owned();
    let twice = csv.replacen(&link, &format!("{link}\n{link}"), 1);
    let bad = write("link-twice.csv", &twice);
    let out = okrs(&["import", "--from", "csv", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("link-twice.csv: invalid set: objective ") && err.contains(" twice"),
        "{err}"
    );
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

/// A log of edits on the sample: a check-in signed and dated in its
/// envelope, a blank line, a retitle and a new weight.
const LOG: &str = r#"{"op":"record-check-in","key_result":"hire-sdrs","check_in":{"at":"2026-11-30","value":"2"},"by":"dir-bizops","at":"2026-11-30T09:12:00Z"}

{"op":"set-title","id":"grow-bizops","title":"Grow the BizOps team to 6"}
{"op":"set-weight","id":"hire-sdrs","weight":"40"}
"#;

/// The lines of [`LOG`] that are edits, as the library reads them.
fn log_edits() -> Vec<okrs::Envelope> {
    LOG.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn sample_set() -> okrs::OkrSet {
    okrs::OkrSet::from_json(okrs::sample::SAMPLE_JSON).unwrap()
}

fn document_of(set: &okrs::OkrSet) -> String {
    format!("{}\n", set.to_document().to_json().unwrap())
}

fn stdout_of(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn apply_prints_the_document_after_the_log() {
    let doc = write("apply-doc.json", okrs::sample::SAMPLE_JSON);
    let log = write("apply-log.jsonl", LOG);
    let mut set = sample_set();
    for envelope in log_edits() {
        set.apply(envelope).unwrap();
    }
    let expected = document_of(&set);
    assert!(expected.contains("Grow the BizOps team to 6"));
    for atomic in [false, true] {
        let mut args = vec!["apply", doc.to_str().unwrap(), log.to_str().unwrap()];
        if atomic {
            args.push("--atomic");
        }
        let out = okrs(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
        assert_eq!(stdout_of(&out), expected, "atomic: {atomic}");
        assert!(out.stderr.is_empty());
    }
    // An empty log leaves the document as it was.
    let empty = write("apply-empty.jsonl", "\n\n");
    let out = okrs(&["apply", doc.to_str().unwrap(), empty.to_str().unwrap()]);
    assert_eq!(stdout_of(&out), document_of(&sample_set()));
}

#[test]
fn apply_changes_prints_one_json_line_per_edit() {
    let doc = write("changes-doc.json", okrs::sample::SAMPLE_JSON);
    let log = write("changes-log.jsonl", LOG);
    let out = okrs(&[
        "apply",
        doc.to_str().unwrap(),
        log.to_str().unwrap(),
        "--changes",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut set = sample_set();
    let edits = log_edits();
    assert_eq!(lines.len(), edits.len(), "{text}");
    let mut moved = 0;
    for (line, envelope) in lines.iter().zip(edits) {
        let changes = set.apply(envelope).unwrap();
        assert_eq!(line, &serde_json::to_value(&changes).unwrap());
        let listed = line["moved"].as_array().unwrap();
        assert_eq!(listed.len(), changes.moved().len());
        for (shown, m) in listed.iter().zip(changes.moved()) {
            assert_eq!(shown["id"], m.id.as_str());
            // Progress is an exact decimal string from 0 to 1.
            let progress = okrs::parse_decimal(shown["progress"].as_str().unwrap()).unwrap();
            assert_eq!(progress, m.progress.unwrap().value());
            assert!((okrs::Decimal::ZERO..=okrs::Decimal::ONE).contains(&progress));
            moved += 1;
        }
    }
    assert!(moved >= 4, "the check-in and the weight move progress");
    let first = &lines[0]["moved"][0];
    assert_eq!(first["id"], "hire-sdrs");
    assert_eq!(first["progress"], "0.6666666666666666666666666667");

    // One transaction: one line, the library's apply_all.
    let out = okrs(&[
        "apply",
        doc.to_str().unwrap(),
        log.to_str().unwrap(),
        "--changes",
        "--atomic",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    assert_eq!(text.lines().count(), 1, "{text}");
    let transaction = sample_set().apply_all(log_edits()).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        serde_json::to_value(&transaction).unwrap()
    );
}

#[test]
fn a_refused_line_stops_the_log_and_names_its_line() {
    let doc = write("refused-doc.json", okrs::sample::SAMPLE_JSON);
    let log = write(
        "refused-log.jsonl",
        r#"{"op":"record-check-in","key_result":"hire-sdrs","check_in":{"at":"2026-11-30","value":"2"}}
{"op":"set-title","id":"grow-bizops","title":"Grow the BizOps team to 6"}
{"op":"remove-objective","id":"no-such-objective"}
{"op":"set-title","id":"grow-bizops","title":"Never applied"}
"#,
    );
    let (doc, log) = (doc.to_str().unwrap(), log.to_str().unwrap());
    let mut set = sample_set();
    let mut first_two = Vec::new();
    for line in std::fs::read_to_string(log).unwrap().lines().take(2) {
        let envelope: okrs::Envelope = serde_json::from_str(line).unwrap();
        first_two.push(serde_json::to_value(set.apply(envelope).unwrap()).unwrap());
    }
    let error = format!(r#"{log}:3: [unknown-node] no node has the id "no-such-objective""#);

    // Without --atomic: the output after lines 1 and 2, then the error.
    let out = okrs(&["apply", doc, log]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout_of(&out), document_of(&set));
    assert!(stderr_of(&out).contains(&error), "{}", stderr_of(&out));
    let out = okrs(&["apply", doc, log, "--changes"]);
    assert_eq!(out.status.code(), Some(2));
    let shown: Vec<serde_json::Value> = stdout_of(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(shown, first_two);
    assert!(stderr_of(&out).contains(&error));

    // With --atomic: nothing is applied, nothing printed.
    for extra in [None, Some("--changes")] {
        let mut args = vec!["apply", doc, log, "--atomic"];
        args.extend(extra);
        let out = okrs(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: {}", stdout_of(&out));
        let err = stderr_of(&out);
        assert!(
            err.contains(&error) && err.contains("nothing applied"),
            "{err}"
        );
    }
}

#[test]
fn a_cycle_closed_by_two_lines_names_the_line_that_closes_it() {
    let doc = write("cycle-doc.json", okrs::sample::SAMPLE_JSON);
    let log = write(
        "cycle-log.jsonl",
        r#"{"op":"add-link","from":"grow-bizops","link":{"id":"improve-nps"}}

{"op":"add-link","from":"improve-nps","link":{"id":"grow-bizops"}}
"#,
    );
    let (doc, log) = (doc.to_str().unwrap(), log.to_str().unwrap());
    // The transaction finds the cycle only once both links are in.
    assert_eq!(
        sample_set().apply_all(log_lines(log)).unwrap_err().code(),
        "cycle"
    );
    for atomic in [false, true] {
        let mut args = vec!["apply", doc, log];
        if atomic {
            args.push("--atomic");
        }
        let out = okrs(&args);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(out.stdout.is_empty(), atomic);
        let err = stderr_of(&out);
        assert!(err.contains(&format!("{log}:3: [cycle]")), "{err}");
    }
}

fn log_lines(path: &str) -> Vec<okrs::Envelope> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_line_that_is_not_an_edit_names_its_line() {
    let doc = write("malformed-doc.json", okrs::sample::SAMPLE_JSON);
    let doc = doc.to_str().unwrap();
    let retitle = r#"{"op":"set-title","id":"grow-bizops","title":"Grow the BizOps team to 6"}"#;
    for (name, bad, needle) in [
        (
            "truncated",
            r#"{"op":"set-title","id":"#,
            "EOF while parsing",
        ),
        ("not-json", "set-title grow-bizops", "expected value"),
        (
            "unknown-op",
            r#"{"op":"frobnicate"}"#,
            "unknown variant `frobnicate`",
        ),
        (
            "unknown-field",
            r#"{"op":"set-title","id":"grow-bizops","title":"T","colour":"red"}"#,
            "unknown field `colour`",
        ),
    ] {
        // Line 3, after a blank line 2.
        let log = write(
            &format!("malformed-{name}.jsonl"),
            &format!("{retitle}\n\n{bad}\n{retitle}\n"),
        );
        let log = log.to_str().unwrap();
        let out = okrs(&["apply", doc, log]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr_of(&out);
        assert!(err.contains(&format!("{log}:3:")), "{name}: {err}");
        assert!(
            err.contains("[parse]") && err.contains(needle),
            "{name}: {err}"
        );
        assert!(
            stdout_of(&out).contains("Grow the BizOps team to 6"),
            "{name}"
        );
        let out = okrs(&["apply", doc, log, "--atomic"]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(out.stdout.is_empty(), "{name}");
        assert!(stderr_of(&out).contains(&format!("{log}:3:")), "{name}");
    }
}

#[test]
fn apply_takes_no_as_of_and_needs_both_files() {
    let doc = write("usage-doc.json", okrs::sample::SAMPLE_JSON);
    let log = write("usage-log.jsonl", LOG);
    let (doc, log) = (doc.to_str().unwrap(), log.to_str().unwrap());
    for args in [
        &["apply", doc, log, "--as-of", "2026-11-23"][..],
        &["apply", doc],
        &["apply", doc, log, "extra"],
        &["apply", doc, log, "--json"],
        &["check", doc, "--changes"],
        &["report", doc, "--atomic"],
    ] {
        let out = okrs(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(stderr_of(&out).contains("usage"), "{args:?}");
    }
    let out = okrs(&["apply", doc, "/no/such/log.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

/// A company objective half done, and a department's private objective
/// (done) aligned to it that only the board may see.
const PRIVATE_CFO: &str = r#"{ "format": "okrs/1", "alignment": "cascading", "objectives": [
  { "id": "grow", "title": "Grow", "level": "company", "key_results": [
    { "id": "sales", "title": "Sales", "metric": { "kind": "numeric", "start": 0, "target": 10, "current": 5 } } ] },
  { "id": "cfo", "title": "Hire a CFO", "level": "department", "owners": ["ceo"],
    "visibility": "private", "viewers": ["board"], "aligned_to": [ { "id": "grow" } ],
    "key_results": [ { "id": "offer", "title": "Offer signed", "metric": { "kind": "binary", "done": true } } ] } ] }"#;

#[test]
fn viewer_shows_only_what_that_person_may_see() {
    let path = write("private.json", PRIVATE_CFO);
    let file = path.to_str().unwrap();
    for command in [
        vec!["report", file],
        vec!["rollup", "--json", file],
        vec!["lint", file],
        vec!["export", "--to", "csv", file],
        vec!["export", "--to", "markdown", file],
        vec!["export", "--to", "mermaid", file],
        vec!["export", "--to", "dot", file],
        vec!["impact", file, "grow"],
    ] {
        let mut staff = command.clone();
        staff.extend(["--viewer", "kim,sales", "--as-of", "2027-01-10"]);
        if matches!(command[0], "impact")
            || command.contains(&"csv")
            || command.contains(&"mermaid")
            || command.contains(&"dot")
        {
            staff.truncate(staff.len() - 2);
        }
        let output = okrs(&staff);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{staff:?}: {output:?}"
        );
        for hidden in ["cfo", "CFO", "offer", "ceo", "board"] {
            assert!(
                !text.contains(hidden),
                "{staff:?} shows {hidden:?}:\n{text}"
            );
        }
    }
    let board = okrs(&[
        "report",
        file,
        "--viewer",
        "lee,board",
        "--as-of",
        "2027-01-10",
    ]);
    assert!(String::from_utf8_lossy(&board.stdout).contains("Hire a CFO"));
    // The staff view's company objective counts its key result only.
    let staff = okrs(&[
        "rollup",
        "--json",
        file,
        "--viewer",
        "kim",
        "--as-of",
        "2027-01-10",
    ]);
    assert!(String::from_utf8_lossy(&staff.stdout).contains(r#""progress": "0.5""#));
    let everyone = okrs(&["rollup", "--json", file, "--as-of", "2027-01-10"]);
    assert!(String::from_utf8_lossy(&everyone.stdout).contains(r#""progress": "0.75""#));
    // A viewer goes with commands that print a set only.
    let refused = okrs(&["import", "--from", "csv", file, "--viewer", "kim"]);
    assert_eq!(refused.status.code(), Some(2));
    let nobody = okrs(&["report", file, "--viewer", ",board"]);
    assert_eq!(nobody.status.code(), Some(2));
}

#[test]
fn view_policy_fold_shows_true_progress_and_one_hidden_member() {
    let path = write("fold.json", PRIVATE_CFO);
    let file = path.to_str().unwrap();
    let rollup = |extra: &[&str]| {
        let mut args = vec![
            "rollup",
            "--json",
            file,
            "--viewer",
            "kim",
            "--as-of",
            "2027-01-10",
        ];
        args.extend(extra);
        okrs(&args)
    };
    // Fold: the true 0.75, (0.5 + 1) / 2, the private objective one
    // anonymous member at 1.
    let folded = rollup(&["--view-policy", "fold"]);
    assert_eq!(folded.status.code(), Some(0), "{folded:?}");
    let text = String::from_utf8_lossy(&folded.stdout);
    assert!(text.contains(r#""progress": "0.75""#), "{text}");
    assert!(text.contains("hidden"), "{text}");
    for hidden in ["cfo", "CFO", "offer", "ceo", "board"] {
        assert!(!text.contains(hidden), "fold shows {hidden:?}:\n{text}");
    }
    for command in [
        vec!["report", file],
        vec!["export", "--to", "markdown", file],
        vec!["lint", file],
    ] {
        let mut args = command.clone();
        args.extend([
            "--viewer",
            "kim",
            "--view-policy",
            "fold",
            "--as-of",
            "2027-01-10",
        ]);
        let output = okrs(&args);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{args:?}: {output:?}"
        );
        let text = String::from_utf8_lossy(&output.stdout);
        for hidden in ["cfo", "CFO", "offer", "ceo", "board"] {
            assert!(!text.contains(hidden), "{args:?} shows {hidden:?}:\n{text}");
        }
    }
    // Exclude, the default, counts the visible key result only.
    for extra in [&[][..], &["--view-policy", "exclude"]] {
        let excluded = rollup(extra);
        let text = String::from_utf8_lossy(&excluded.stdout);
        assert!(text.contains(r#""progress": "0.5""#), "{extra:?}: {text}");
        assert!(!text.contains("hidden"), "{extra:?}: {text}");
    }
    // A policy needs a viewer, and a name it knows.
    let alone = okrs(&["rollup", "--json", file, "--view-policy", "fold"]);
    assert_eq!(alone.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&alone.stderr).contains("--view-policy goes with --viewer"));
    let unknown = rollup(&["--view-policy", "both"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("exclude or fold"));
}

/// A reader that stops early (`okrs report | head`) ends the output; the
/// binary exits as usual instead of panicking on the closed pipe.
#[test]
fn a_closed_pipe_ends_the_output_without_a_panic() {
    // Larger than a pipe's buffer, so the write meets the closed pipe
    // whenever the reader goes.
    let path = write(
        "closed-pipe.json",
        &okrs::sample::realistic(2_000, 3).to_json().unwrap(),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_okrs"))
        .args(["report", path.to_str().unwrap(), "--as-of", "2027-02-20"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
