//! Formats in and out: CSV round trips, DOT that Graphviz renders, Mermaid
//! and Markdown.

use std::io::Write as _;
use std::process::{Command, Stdio};

use okrs::{
    CheckIn, CheckInValue, Document, Edit, Envelope, Id, Link, LoadError, Metric, Moment, OkrSet,
};
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
        "set,,,,company;department;team;individual,,,,,,weighted-mean,,,,1,,,,cascading,,,,,,,,,,,,,,,,,,,,",
        "period,FY2026,,,,,,,,,,,,2026-01-01,,,,,,,,,,,2026-12-31,,,,,,,,,,,,,,",
        "grade,referrals,2026-Q3,,,,,,,,,,,,,0.55,,,,,,,,yellow,,,,,,,,,,,,,,,",
        "objective,great-place,,Make our company a great place to work,company,ceo,,,FY2026,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
        "objective,grow-bizops,,Grow the BizOps team,team,dir-bizops,,,2026-Q4,committed,,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
        "link,grow-bizops,onboard-well,,,,1,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
        "key-result,enps,great-place,Raise eNPS from 20 to 40,,head-people,1,,,,,,numeric,20,40,,,,,,,,,,,,,,,,,,,,,,,,",
        "key-result,attrition,great-place,Keep regretted attrition at or below 5%,,head-people,1,,,,,,at-most,,5,,,,,,,,,,,,,,,,,,,,,,,,",
        "milestone,,onboarding-system,Write the onboarding checklist,,,1,,,,,,,,,,,false,,,,,,,,,,,,,,,,,,,,,",
        "check-in,enps#1,enps,,,,,,,,,,,,,,,,24,2026-03-31,0.6,,head-people,,,,,,,,,,,,,,,,",
        "phase,,arr,,,,,,,,,,,,600000,,,,,2026-06-30,,,,,,,,,,,,,,,,,,,",
        "initiative,cohort-1,onboarding-system,Schedule the first onboarding cohort,,,,,,,,,,,,,,,,,,,,doing,,,,,,,,,,,,,,,",
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

    /// What `okrs import --from csv` relies on to check a sheet without
    /// parsing the JSON it writes: building the document a sheet reads as
    /// gives the set, or the error, that loading its JSON gives. Sets
    /// broken four ways, with any title.
    #[test]
    fn a_sheets_document_builds_as_its_json_loads(
        doc in generate::document(),
        broken in 0_usize..5,
        title in any::<String>(),
    ) {
        let mut doc = OkrSet::from_document(doc).unwrap().to_document();
        let first = doc.objectives[0].clone();
        doc.objectives[0].title = title;
        match broken {
            1 => doc.objectives.push(first.clone()),
            2 => doc.objectives[0].aligned_to.push(Link::new(id("nowhere"))),
            3 => doc.objectives[0].aligned_to.push(Link::new(first.id.clone())),
            4 => doc.objectives[0].level = "nowhere".to_owned(),
            _ => {}
        }
        let Ok(read) = Document::from_csv(&doc.to_csv().unwrap()) else {
            return Ok(());
        };
        let built = OkrSet::from_document(read.clone()).map_err(LoadError::from);
        let loaded = OkrSet::from_json(&read.to_json().unwrap());
        prop_assert_eq!(&built, &loaded);
        if broken != 0 {
            prop_assert!(built.is_err());
        }
    }
}

/// Text a spreadsheet cell must carry intact: commas, quotes, newlines,
/// the list separator and its escape.
const AWKWARD: [&str; 5] = [
    "a, b",
    "say \"no\", twice",
    "line one\nline two\r\nline three",
    "one; two \\ three",
    " é ✓ ",
];

fn id(text: &str) -> Id {
    text.parse().unwrap()
}

fn moment(text: &str) -> Moment {
    text.parse().unwrap()
}

/// Applies an edit signed by `by` at `at`.
fn signed(set: &mut OkrSet, edit: Edit, by: &str, at: &str) {
    set.apply(Envelope::new(edit).by(by).at(moment(at)))
        .unwrap_or_else(|e| panic!("{e}"));
}

fn record(set: &mut OkrSet, key_result: &str, check_in: CheckIn) {
    set.apply(Edit::RecordCheckIn {
        key_result: id(key_result),
        check_in,
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

fn correct(check_in: &str, value: CheckInValue, note: Option<&str>, reason: &str) -> Edit {
    Edit::CorrectCheckIn {
        check_in: id(check_in),
        value,
        confidence: Some("0.3".parse().unwrap()),
        note: note.map(str::to_owned),
        reason: reason.to_owned(),
    }
}

fn delete(check_in: &str, reason: &str) -> Edit {
    Edit::DeleteCheckIn {
        check_in: id(check_in),
        reason: reason.to_owned(),
    }
}

/// A set whose check-ins were corrected, deleted, and corrected before
/// they were deleted, on a numeric, a binary and a milestones key result,
/// with awkward reasons, authors and notes.
fn set_with_history() -> OkrSet {
    let mut set = load(
        r#"{ "format": "okrs/1", "objectives": [
        { "id": "o", "title": "O", "level": "company", "key_results": [
          { "id": "n", "title": "N", "metric": { "kind": "numeric", "start": "0", "target": "10", "unit": "deals" } },
          { "id": "b", "title": "B", "metric": { "kind": "binary" } },
          { "id": "m", "title": "M", "metric": { "kind": "milestones", "milestones": [
              { "title": "one; two" }, { "title": "three, \"3\"" } ] } } ] } ] }"#,
    );
    let number = |n: i64| CheckInValue::Number(n.into());
    for (day, value) in [("2027-01-05", 2), ("2027-01-12", 4), ("2027-01-19", 9)] {
        record(
            &mut set,
            "n",
            CheckIn::new(moment(day), number(value))
                .with_note(AWKWARD[0])
                .by(AWKWARD[1]),
        );
    }
    // n#1 corrected twice, n#2 corrected then deleted, n#3 deleted by
    // nobody in particular, for no stated reason.
    signed(
        &mut set,
        correct("n#1", number(3), Some(AWKWARD[2]), AWKWARD[3]),
        AWKWARD[4],
        "2027-01-06T09:30:00+05:30",
    );
    signed(
        &mut set,
        correct("n#1", number(1), None, AWKWARD[2]),
        AWKWARD[0],
        "2027-01-07",
    );
    signed(
        &mut set,
        correct("n#2", number(5), Some(AWKWARD[1]), AWKWARD[1]),
        AWKWARD[2],
        "2027-01-13T00:00:00Z",
    );
    signed(
        &mut set,
        delete("n#2", AWKWARD[2]),
        AWKWARD[3],
        "2027-01-14T23:59:59-08:00",
    );
    set.apply(delete("n#3", "")).unwrap();
    // b#1 corrected then deleted; b#2 stays.
    record(
        &mut set,
        "b",
        CheckIn::new(moment("2027-01-05"), false.into()),
    );
    signed(
        &mut set,
        correct("b#1", true.into(), Some(AWKWARD[3]), AWKWARD[0]),
        AWKWARD[1],
        "2027-01-06",
    );
    signed(
        &mut set,
        delete("b#1", AWKWARD[4]),
        AWKWARD[0],
        "2027-01-07",
    );
    record(
        &mut set,
        "b",
        CheckIn::new(moment("2027-01-08"), true.into()),
    );
    // m#1 corrected, m#2 corrected twice then deleted.
    let titles =
        |titles: &[&str]| CheckInValue::Milestones(titles.iter().map(|&t| t.to_owned()).collect());
    record(
        &mut set,
        "m",
        CheckIn::new(moment("2027-01-05"), titles(&["one; two"])),
    );
    record(
        &mut set,
        "m",
        CheckIn::new(moment("2027-01-06"), titles(&[])),
    );
    signed(
        &mut set,
        correct(
            "m#1",
            titles(&["three, \"3\"", "one; two"]),
            None,
            AWKWARD[3],
        ),
        AWKWARD[2],
        "2027-01-07",
    );
    signed(
        &mut set,
        correct("m#2", titles(&["three, \"3\""]), None, "first"),
        AWKWARD[4],
        "2027-01-08",
    );
    signed(
        &mut set,
        correct("m#2", titles(&[]), Some(AWKWARD[0]), "second"),
        AWKWARD[4],
        "2027-01-09",
    );
    signed(
        &mut set,
        delete("m#2", AWKWARD[1]),
        AWKWARD[2],
        "2027-01-10",
    );
    set
}

#[test]
fn check_in_history_round_trips_through_csv() {
    let set = set_with_history();
    let doc = set.to_document();
    // What the document holds: every kind of history on every metric.
    let krs = &doc.objectives[0].key_results;
    let counts: Vec<(usize, usize, usize, usize)> = krs
        .iter()
        .map(|kr| {
            let live: usize = kr.check_ins.iter().map(|c| c.corrections.len()).sum();
            let deleted: usize = kr
                .deleted_check_ins
                .iter()
                .map(|d| d.check_in.corrections.len())
                .sum();
            (
                kr.check_ins.len(),
                live,
                kr.deleted_check_ins.len(),
                deleted,
            )
        })
        .collect();
    assert_eq!(counts, [(1, 2, 2, 1), (1, 0, 1, 1), (1, 1, 1, 2)]);
    let text = doc.to_csv().unwrap();
    let again = Document::from_csv(&text).unwrap();
    assert_eq!(again, doc, "{text}");
    assert_eq!(
        again.to_csv().unwrap(),
        text,
        "a re-read writes the same bytes"
    );
    assert_eq!(OkrSet::from_document(again).unwrap(), set);
    // The rows, in order: a check-in's corrections follow it; a deleted
    // check-in's follow it, then its deletion.
    let types: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split(',').next())
        .filter(|t| t.contains("check-in") || ["correction", "deletion"].contains(t))
        .collect();
    #[rustfmt::skip]
    assert_eq!(types, [
        "check-in", "correction", "correction",
        "deleted-check-in", "correction", "deletion",
        "deleted-check-in", "deletion",
        "check-in",
        "deleted-check-in", "correction", "deletion",
        "check-in", "correction",
        "deleted-check-in", "correction", "correction", "deletion",
    ]);
    // The layout: what the check-in said before in value, confidence and
    // note; the correction's reason, author and time; the deletion's.
    // The layout: a correction row says in `value`, `confidence` and
    // `note` what its check-in said before, and who (`by`) corrected it,
    // when (`at`) and why (`reason`); a deletion row, who deleted its
    // check-in, when and why.
    for rows in [
        "check-in,n#1,n,,,,,,,,,,,,,,,,1,2027-01-05,0.3,,\"say \"\"no\"\", twice\",,,,,,,,,,,,,,,,\n\
         correction,,n#1,,,,,,,,,,,,,,,,2,2027-01-06T09:30:00+05:30,,\"a, b\", é ✓ ,,,,,,one; two \\ three,,,,,,,,,,\n",
        "\ndeletion,,n#3,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n",
    ] {
        assert!(text.contains(rows), "no rows {rows:?} in {text}");
    }
}

#[test]
fn csv_history_rows_name_their_check_in() {
    let head = "type,id,parent,title,level,metric,at,value,reason,by\n\
                objective,o,,O,company,,,,,\n\
                key-result,k,o,K,,binary,,,,\n\
                check-in,k#1,k,,,,2027-01-05,true,,\n";
    let refused = |rows: &str| Document::from_csv(&format!("{head}{rows}")).unwrap_err();
    let e = refused("correction,,k#9,,,,,false,typo,ana\n");
    assert_eq!((e.line(), e.column()), (5, Some("parent")));
    assert_eq!(e.message(), "no check-in \"k#9\"");
    let e = refused("deletion,,k#9,,,,,,gone,\n");
    assert_eq!((e.line(), e.column()), (5, Some("parent")));
    assert!(e.message().contains("\"k#9\""), "{e}");
    let e = refused("deletion,,k#1,,,,,,gone,\n");
    assert_eq!((e.line(), e.column()), (5, Some("parent")));
    assert!(e.message().contains("not a deleted-check-in"), "{e}");
    let e = refused("deleted-check-in,k#2,k,,,,2027-01-06,false,,\n");
    assert_eq!((e.line(), e.column()), (5, Some("id")));
    assert!(e.message().contains("no deletion row"), "{e}");
    let e = refused(
        "deleted-check-in,k#2,k,,,,2027-01-06,false,,\n\
         deletion,,k#2,,,,,,gone,\n\
         deletion,,k#2,,,,,,again,\n",
    );
    assert_eq!((e.line(), e.column()), (7, Some("parent")));
    // A correction's value follows the key result's metric.
    let e = refused("correction,,k#1,,,,,maybe,typo,\n");
    assert_eq!((e.line(), e.column()), (5, Some("value")));
    let e = refused("correction,,k#1,,,,soon,true,typo,\n");
    assert_eq!((e.line(), e.column()), (5, Some("at")));
    // An empty parent names the check-in row above; there must be one.
    let e = Document::from_csv("type,parent,value\ncorrection,,1\n").unwrap_err();
    assert_eq!((e.line(), e.column()), (2, Some("parent")));
    // Named by id, history rows may come anywhere: sorted by type, say.
    let doc = Document::from_csv(
        "type,id,parent,title,level,metric,at,value,reason,by\n\
         check-in,k#1,k,,,,2027-01-05,true,,\n\
         correction,,,,,,,false,above,\n\
         correction,,k#2,,,,2027-01-07,true,typo,ana\n\
         deleted-check-in,k#2,k,,,,2027-01-06,false,,\n\
         deletion,,k#2,,,,,,gone,bo\n\
         key-result,k,o,K,,binary,,,,\n\
         objective,o,,O,company,,,,,\n",
    )
    .unwrap();
    let kr = &doc.objectives[0].key_results[0];
    assert_eq!(kr.check_ins[0].corrections[0].reason, "above");
    let deleted = &kr.deleted_check_ins[0];
    assert_eq!(deleted.check_in.corrections[0].by.as_deref(), Some("ana"));
    assert_eq!(
        (deleted.reason.as_str(), deleted.by.as_deref()),
        ("gone", Some("bo"))
    );
    OkrSet::from_document(doc).unwrap();
}

/// One random history edit: (what, key result, check-in, value, text).
type HistoryStep = (u8, usize, usize, u8, usize);

/// The edit a [`HistoryStep`] makes of the set as it stands.
fn history_edit(set: &OkrSet, (what, kr, check_in, n, text): HistoryStep) -> Option<Envelope> {
    let measured: Vec<_> = set.nodes().filter(|n| n.metric().is_some()).collect();
    let node = measured.get(kr % measured.len().max(1))?;
    let value = match node.metric()? {
        Metric::Binary { .. } => CheckInValue::Done(n % 2 == 0),
        Metric::Milestones { milestones } => CheckInValue::Milestones(
            milestones
                .iter()
                .enumerate()
                .filter(|(i, _)| n & (1 << i) != 0)
                .map(|(_, m)| m.title.clone())
                .collect(),
        ),
        _ => CheckInValue::Number(i64::from(n).into()),
    };
    let text = AWKWARD[text % AWKWARD.len()];
    let check_ins = node.check_ins();
    let picked = check_ins
        .get(check_in % check_ins.len().max(1))
        .and_then(|c| c.id.clone());
    let edit = match (what % 3, picked) {
        (1, Some(check_in)) => Edit::CorrectCheckIn {
            check_in,
            value,
            confidence: None,
            note: Some(text.to_owned()),
            reason: text.to_owned(),
        },
        (2, Some(check_in)) => Edit::DeleteCheckIn {
            check_in,
            reason: text.to_owned(),
        },
        _ => Edit::RecordCheckIn {
            key_result: node.id().clone(),
            check_in: CheckIn::new(
                moment(&format!("2027-01-{:02}T10:00:00+01:00", 1 + n % 28)),
                value,
            )
            .with_note(text),
        },
    };
    let envelope = Envelope::new(edit).at(moment("2027-02-01"));
    Some(if text.len() % 2 == 0 {
        envelope.by(text)
    } else {
        envelope
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn any_history_round_trips_through_csv(
        doc in generate::document(),
        steps in prop::collection::vec(
            (any::<u8>(), any::<usize>(), any::<usize>(), any::<u8>(), any::<usize>()),
            0..40,
        ),
    ) {
        let mut set = OkrSet::from_document(doc).unwrap();
        for step in steps {
            if let Some(envelope) = history_edit(&set, step) {
                // A refused edit (a value out of range, say) changes nothing.
                let _ = set.apply(envelope);
            }
        }
        let doc = set.to_document();
        let text = doc.to_csv().unwrap();
        let again = Document::from_csv(&text).unwrap();
        prop_assert_eq!(&again, &doc);
        prop_assert_eq!(OkrSet::from_document(again).unwrap(), set);
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
        "| Reach 2M in new ARR | `arr` | `grow-revenue` | cro | 0.58 | yellow | on-track |"
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

/// Every field a review can hold, and ids JSON must escape: what the
/// roll-up JSON writer has to get right beside the sample organisations.
fn awkward_review_set() -> OkrSet {
    let doc = Document::from_json(
        r#"{
  "format": "okrs/1",
  "alignment": "cascading",
  "periods": [{ "id": "Q1", "start": "2027-01-01", "end": "2027-03-31" }],
  "objectives": [{
    "id": "o \"quoted\" \\ back/slash ÿ 🦀",
    "title": "Odd ids",
    "level": "company",
    "period": "Q1",
    "key_results": [
      {
        "id": "kr-regressed",
        "title": "Fell below its start",
        "metric": { "kind": "numeric", "start": "10", "target": "20" },
        "check_ins": [{ "at": "2027-01-10", "value": "12" }, { "at": "2027-02-01", "value": "8", "confidence": "0.3" }]
      },
      {
        "id": "kr-zoned",
        "title": "Zoned",
        "metric": { "kind": "numeric", "start": "0", "target": "100", "commit": "60", "stretch": "120" },
        "check_ins": [{ "at": "2027-01-05", "value": "30" }, { "at": "2027-02-10", "value": "70.50", "confidence": "0.80" }],
        "phases": [{ "at": "2027-02-01", "target": "25.0" }, { "at": "2027-03-01", "target": "50.00" }]
      },
      {
        "id": "kr-manual",
        "title": "Manual, stated with trailing zeros",
        "metric": { "kind": "manual" },
        "check_ins": [{ "at": "2027-01-05", "value": "0.10" }, { "at": "2027-02-10", "value": "0.500" }]
      },
      { "id": "kr-silent", "title": "No check-ins" }
    ]
  }]
}"#,
    )
    .unwrap();
    OkrSet::from_document(doc).unwrap()
}

#[test]
fn the_review_json_is_serde_jsons_pretty_text() {
    let sets = [
        OkrSet::from_json(okrs::sample::SAMPLE_JSON).unwrap(),
        OkrSet::from_document(okrs::sample::realistic(3_000, 7)).unwrap(),
        awkward_review_set(),
        OkrSet::from_document(Document::default()).unwrap(),
    ];
    let mut written = String::new();
    for set in &sets {
        for as_of in [
            "2026-12-01",
            "2027-01-01",
            "2027-02-20",
            "2027-03-31",
            "2028-01-01",
        ] {
            let review = set.review(as_of.parse().unwrap());
            let json = review.to_json();
            assert_eq!(
                json,
                serde_json::to_string_pretty(&review).unwrap(),
                "{as_of}"
            );
            // What `okrs rollup --json` prints, written without a `Review`.
            assert_eq!(set.review_json(as_of.parse().unwrap()), json, "{as_of}");
            written.push_str(&json);
        }
    }
    // The cases above reach every optional field and an escaped id.
    for field in [
        "expected",
        "status",
        "confidence",
        "forecast",
        "forecast_band",
        "value",
        "target",
        "regressed",
        "zone",
    ] {
        assert!(written.contains(&format!("\"{field}\": ")), "{field}");
    }
    assert!(written.contains(r#""id": "o \"quoted\" \\ back/slash ÿ 🦀""#));
    assert!(written.contains("\"nodes\": []"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn any_review_json_is_serde_jsons_pretty_text(
        doc in generate::document_with_rules(),
        as_of in prop::sample::select(vec!["2026-06-01", "2027-01-01", "2027-02-20", "2027-12-31"]),
    ) {
        let Ok(set) = OkrSet::from_document(doc) else { return Ok(()) };
        let review = set.review(as_of.parse().unwrap());
        prop_assert_eq!(review.to_json(), serde_json::to_string_pretty(&review).unwrap());
        prop_assert_eq!(set.review_json(as_of.parse().unwrap()), review.to_json());
    }
}

#[test]
fn the_document_json_is_serde_jsons_pretty_text() {
    for doc in [
        Document::from_json(okrs::sample::SAMPLE_JSON).unwrap(),
        okrs::sample::realistic(3_000, 7),
        awkward_review_set().to_document(),
        Document::default(),
    ] {
        let json = doc.to_json().unwrap();
        assert_eq!(json, serde_json::to_string_pretty(&doc).unwrap());
        let set = OkrSet::from_document(doc).unwrap();
        assert_eq!(
            set.to_json().unwrap(),
            serde_json::to_string_pretty(&set.to_document()).unwrap()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn any_document_json_is_serde_jsons_pretty_text(doc in generate::document_with_rules()) {
        prop_assert_eq!(doc.to_json().unwrap(), serde_json::to_string_pretty(&doc).unwrap());
        let Ok(set) = OkrSet::from_document(doc) else { return Ok(()) };
        prop_assert_eq!(
            set.to_json().unwrap(),
            serde_json::to_string_pretty(&set.to_document()).unwrap()
        );
    }
}
