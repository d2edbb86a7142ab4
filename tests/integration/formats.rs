//! Formats in and out: CSV round trips, DOT that Graphviz renders, Mermaid
//! and Markdown.

use std::io::Write as _;
use std::process::{Command, Stdio};

use okrs::{Document, OkrSet};
use proptest::prelude::*;

use crate::{generate, load};

#[test]
fn the_sample_round_trips_through_csv() {
    let doc = okrs::sample::document();
    let text = doc.to_csv().unwrap();
    let again = Document::from_csv(&text).unwrap();
    assert_eq!(again, doc);
    assert_eq!(
        OkrSet::from_document(again).unwrap(),
        OkrSet::from_document(doc).unwrap()
    );
    assert_eq!(text.lines().next().unwrap(), okrs::CSV_COLUMNS.join(","));
}

#[test]
fn the_sample_csv_is_stable() {
    let set = OkrSet::from_json(okrs::sample::SAMPLE_JSON).unwrap();
    let doc = set.to_document();
    let text = doc.to_csv().unwrap();
    let again = Document::from_csv(&text).unwrap();
    assert_eq!(again, doc);
    assert_eq!(
        again.to_csv().unwrap(),
        text,
        "a re-read writes the same bytes"
    );
    // A row of each type the sample has pins the layout and the words.
    for line in [
        "set,,,,company;department;team;individual,,,,,,weighted-mean,,,,1,,,,cascading,,,,,,,,,",
        "period,FY2026,,,,,,,,,,,,2026-01-01,,,,,,,,,,,2026-12-31,,,",
        "grade,referrals,2026-Q3,,,,,,,,,,,,,0.55,,,,,,,,yellow,,,,",
        "objective,great-place,,Make our company a great place to work,company,ceo,,,FY2026,,,,,,,,,,,,,,,,,,,",
        "objective,grow-bizops,,Grow the BizOps team,team,dir-bizops,,,2026-Q4,committed,,,,,,,,,,,,,,,,,,",
        "link,grow-bizops,onboard-well,,,,1,,,,,,,,,,,,,,,,,,,,,",
        "key-result,enps,great-place,Raise eNPS from 20 to 40,,head-people,1,,,,,,numeric,20,40,,,,,,,,,,,,,",
        "key-result,attrition,great-place,Keep regretted attrition at or below 5%,,head-people,1,,,,,,at-most,,5,,,,,,,,,,,,,",
        "milestone,,onboarding-system,Write the onboarding checklist,,,1,,,,,,,,,,,false,,,,,,,,,,",
        "check-in,enps#1,enps,,,,,,,,,,,,,,,,24,2026-03-31,0.6,,head-people,,,,,",
        "phase,,arr,,,,,,,,,,,,600000,,,,,2026-06-30,,,,,,,,",
        "initiative,cohort-1,onboarding-system,Schedule the first onboarding cohort,,,,,,,,,,,,,,,,,,,,doing,,,,",
    ] {
        assert!(text.lines().any(|l| l == line), "no line {line}");
    }
}

#[test]
fn csv_headers_refuse_unknown_and_repeated_columns() {
    let e = csv_error("type,id,titel\nobjective,o,O\n");
    assert_eq!((e.line(), e.column()), (1, None));
    assert_eq!(e.message(), "unknown column \"titel\"");
    assert!(e.to_string().contains("titel"), "{e}");
    let e = csv_error("type,id,title,id\nobjective,o,O,p\n");
    assert_eq!((e.line(), e.column()), (1, Some("id")));
    assert_eq!(e.message(), "repeated column \"id\"");
    let e = csv_error("type,type\nobjective,objective\n");
    assert_eq!((e.line(), e.column()), (1, Some("type")));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_set_round_trips_through_csv(doc in generate::document()) {
        let set = OkrSet::from_document(doc).unwrap();
        let text = set.to_document().to_csv().unwrap();
        let again = OkrSet::from_document(Document::from_csv(&text).unwrap()).unwrap();
        prop_assert_eq!(again, set);
    }
}

#[test]
fn awkward_text_survives_csv() {
    let set = load(
        r#"{ "format": "okrs/1", "levels": ["group; inc", "team"], "objectives": [
        { "id": "o,1", "title": "Say \"hi\",\nthen go", "level": "group; inc",
          "owners": ["a;b", "c\\d", "é"], "description": "multi\nline",
          "key_results": [ { "id": "k", "title": "K", "metric": { "kind": "milestones", "milestones": [
              { "title": "one; two" }, { "title": "three", "weight": "2" } ] },
            "check_ins": [ { "at": "2027-01-02T03:04:05+05:30", "value": ["one; two"], "note": "a, b" } ] } ] } ] }"#,
    );
    let text = set.to_document().to_csv().unwrap();
    let again = OkrSet::from_document(Document::from_csv(&text).unwrap()).unwrap();
    assert_eq!(again, set);
}

#[test]
fn a_hand_made_sheet_imports_with_columns_in_any_order() {
    let sheet = "title,type,id,level,parent,metric,start,target,current,owners,weight\n\
                 Grow the team,objective,grow,team,,,,,,dir;ops,\n\
                 Hire 3 SDRs,key-result,sdrs,,grow,numeric,0,3,1,dir,30\n\
                 Onboarding,key-result,onb,,grow,binary,,,,ops,70\n";
    let set = OkrSet::from_document(Document::from_csv(sheet).unwrap()).unwrap();
    // (30 × 1/3 + 70 × 0) / 100
    assert_eq!(set.progress("grow").unwrap().to_string(), "0.1");
    assert_eq!(set.node("grow").unwrap().owners(), ["dir", "ops"]);
}

fn csv_error(sheet: &str) -> okrs::CsvError {
    Document::from_csv(sheet).unwrap_err()
}

#[test]
fn csv_errors_name_the_line_and_column() {
    let e = csv_error("type,id\nobjective,a\nwidget,b\n");
    assert_eq!((e.line(), e.column()), (3, Some("type")));
    assert!(e.to_string().contains("widget"), "{e}");
    let e = csv_error("type,id,parent,weight\nkey-result,k,o,heavy\n");
    assert_eq!((e.line(), e.column()), (2, Some("weight")));
    let e = csv_error("type,id,parent,title,level\nkey-result,k,nowhere,K,\n");
    assert_eq!(e.column(), Some("parent"));
    assert!(e.to_string().contains("nowhere"));
    let e = csv_error("type,colour\nobjective,red\n");
    assert!(e.to_string().contains("colour"));
    let e = csv_error(
        "type,id,parent,title,level\nobjective,o,,O,team\nkey-result,a,b,A,\nkey-result,b,a,B,\n",
    );
    assert!(e.to_string().contains("loop"), "{e}");
    let e = csv_error("type,id,parent,at,value\nobjective,o,,,\ncheck-in,,o,2027-01-01,1\n");
    assert!(e.to_string().contains("no key result"), "{e}");
    let e = csv_error("type,id\nobjective,\"unterminated\n");
    assert!(e.line() >= 1, "{e}");
    // A sheet that parses but breaks the model is refused when loaded.
    let doc = Document::from_csv("type,id,title,level\nobjective,o,O,galaxy\n").unwrap();
    assert!(matches!(
        OkrSet::from_document(doc),
        Err(okrs::Error::UnknownLevel { .. })
    ));
}

/// Runs `dot -Tsvg` on the text; `None` when Graphviz is not installed.
fn render_with_dot(text: &str) -> Option<std::process::Output> {
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

#[test]
fn dot_output_renders_with_graphviz() {
    let set = load(
        r#"{ "format": "okrs/1", "alignment": "cascading", "objectives": [
        { "id": "co", "title": "Company \"quoted\" \\ slash", "level": "company" },
        { "id": "t", "title": "Team", "level": "team", "aligned_to": [{ "id": "co" }],
          "key_results": [ { "id": "k", "title": "K", "metric": { "kind": "binary", "done": true } } ] },
        { "id": "s", "title": "Supporter", "level": "team", "aligned_to": [{ "id": "co", "contributes": false }] } ] }"#,
    );
    let dot = set.to_dot();
    assert!(dot.contains(r#""t" -> "co" [style=bold"#));
    assert!(dot.contains(r#""s" -> "co" [style=dashed"#));
    assert!(dot.contains(r#""k" -> "t" [arrowhead=none]"#));
    assert!(dot.contains("#b7e1cd"), "a green node");
    for text in [
        dot,
        OkrSet::from_document(okrs::sample::document())
            .unwrap()
            .to_dot(),
    ] {
        match render_with_dot(&text) {
            Some(output) => {
                assert!(
                    output.status.success(),
                    "{}",
                    String::from_utf8_lossy(&output.stderr)
                );
                assert!(String::from_utf8_lossy(&output.stdout).contains("<svg"));
            }
            None => assert!(
                std::env::var_os("OKRS_REQUIRE_DOT").is_none(),
                "OKRS_REQUIRE_DOT is set but Graphviz's dot cannot run"
            ),
        }
    }
}

#[test]
fn mermaid_has_every_node_and_edge_style() {
    let set = OkrSet::from_document(okrs::sample::document()).unwrap();
    let chart = set.to_mermaid();
    assert!(chart.starts_with("flowchart BT\n"));
    let node_lines = chart.lines().filter(|l| l.contains(":::")).count();
    assert_eq!(node_lines, set.nodes().count());
    assert!(chart.contains("==>|contributes|"));
    assert!(chart.contains("-.->|supports|"));
    assert!(chart.contains("Grow the BizOps team<br/>"));
    for class in ["red", "yellow", "green"] {
        assert!(chart.contains(&format!("classDef {class} ")));
    }
}

#[test]
fn markdown_report_has_tables_and_findings() {
    let set = OkrSet::from_document(okrs::sample::document()).unwrap();
    let report = set.to_markdown("2026-11-23".parse().unwrap());
    assert!(report.starts_with("# OKR report as of 2026-11-23"));
    let objective_rows = report
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("| `") && l.contains("company |"))
        .count();
    assert_eq!(objective_rows, 3);
    assert!(report.contains(
        "| Reach 2M in new ARR | `arr` | `grow-revenue` | cro | 0.58 | yellow | at-risk |"
    ));
    assert!(report.contains("OKR201"));
}

#[test]
fn mermaid_and_markdown_escape_what_their_renderers_read() {
    let set = load(
        r#"{ "format": "okrs/1", "objectives": [
        { "id": "a`b", "title": "Close #12; ship <b>\"it\"</b> | now \\ later", "level": "company" } ] }"#,
    );
    let chart = set.to_mermaid();
    assert!(
        chart.contains("Close #35;12; ship #lt;b#gt;#quot;it#quot;#lt;/b#gt;"),
        "{chart}"
    );
    let report = set.to_markdown("2027-01-01".parse().unwrap());
    assert!(
        report.contains(r#"| Close #12; ship &lt;b>"it"&lt;/b> \| now \\ later | `` a`b `` |"#),
        "{report}"
    );
}
