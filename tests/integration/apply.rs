//! Edits as data: every edit through `apply`, its `Changes`, transactions,
//! check-in ids, corrections and deletions, and replaying a log.

use std::collections::HashMap;

use okrs::{
    Change, Changes, CheckIn, CheckInValue, Commitment, Edit, Envelope, Error, Id, Initiative,
    InitiativeStatus, KeyResult, Link, Metric, Objective, OkrSet, Period, Weight,
};
use proptest::prelude::*;

use crate::{d, generate, load, progress};

fn id(text: &str) -> Id {
    text.parse().unwrap()
}

fn org() -> OkrSet {
    load(
        r#"{ "format": "okrs/1", "alignment": "cascading",
      "periods": [ { "id": "Q1", "start": "2027-01-01", "end": "2027-03-31" },
                   { "id": "Q2", "start": "2027-04-01", "end": "2027-06-30" } ],
      "objectives": [
      { "id": "co", "title": "Company", "level": "company", "period": "Q1",
        "key_results": [ { "id": "co-kr", "title": "Measured",
                           "metric": { "kind": "manual", "progress": "0.2" } } ] },
      { "id": "team", "title": "Team", "level": "team", "period": "Q1",
        "aligned_to": [ { "id": "co" } ],
        "key_results": [
          { "id": "t1", "title": "T1", "metric": { "kind": "numeric", "start": "0", "target": "10" } },
          { "id": "t2", "title": "T2", "metric": { "kind": "binary", "done": false },
            "initiatives": [ { "id": "t2-work", "title": "Do the work" } ] } ] },
      { "id": "other", "title": "Other", "level": "team", "period": "Q1" } ] }"#,
    )
}

fn number_check_in(at: &str, value: i64) -> CheckIn {
    CheckIn::new(at.parse().unwrap(), CheckInValue::Number(value.into()))
}

/// Every node's progress and band, by id: the brute-force view of a set.
fn view(set: &OkrSet) -> HashMap<String, (Option<okrs::Progress>, Option<okrs::Band>)> {
    set.nodes()
        .map(|n| (n.id().to_string(), (n.progress(), n.band())))
        .collect()
}

/// Checks `changes.moved` against a brute-force diff of two views.
fn assert_moves_match(
    before: &HashMap<String, (Option<okrs::Progress>, Option<okrs::Band>)>,
    after: &OkrSet,
    changes: &Changes,
) {
    let after_view = view(after);
    let mut expected: Vec<String> = Vec::new();
    for (id, now) in &after_view {
        if before.get(id) != Some(now) {
            expected.push(id.clone());
        }
    }
    for id in before.keys() {
        if !after_view.contains_key(id) {
            expected.push(id.clone());
        }
    }
    expected.sort();
    let mut listed: Vec<String> = changes.moved().iter().map(|m| m.id.to_string()).collect();
    listed.sort();
    assert_eq!(listed, expected, "moved nodes");
    for moved in changes.moved() {
        let old = before
            .get(moved.id.as_str())
            .copied()
            .unwrap_or((None, None));
        let new = after_view
            .get(moved.id.as_str())
            .copied()
            .unwrap_or((None, None));
        assert_eq!(
            (moved.progress_before, moved.band_before),
            old,
            "{}",
            moved.id
        );
        assert_eq!((moved.progress, moved.band), new, "{}", moved.id);
    }
}

/// Applies an edit, checks its moves by brute force, and returns its changes.
fn apply(set: &mut OkrSet, edit: Edit) -> Changes {
    let before = view(set);
    let changes = set.apply(edit).unwrap_or_else(|e| panic!("{e}"));
    assert_moves_match(&before, set, &changes);
    changes
}

/// Applies an edit that must be refused, checks nothing changed, and
/// returns the error.
fn refused(set: &mut OkrSet, edit: Edit) -> Error {
    let before = set.clone();
    let err = set.apply(edit).expect_err("the edit should be refused");
    assert_eq!(*set, before, "a refused edit changed the set: {err}");
    err
}

#[test]
fn a_check_in_lists_the_nodes_it_moved() {
    let mut set = org();
    let changes = apply(
        &mut set,
        Edit::RecordCheckIn {
            key_result: id("t1"),
            check_in: number_check_in("2027-01-10", 5),
        },
    );
    assert_eq!(
        changes.edits,
        vec![Change::CheckIn {
            key_result: id("t1"),
            check_in: id("t1#1"),
            action: "recorded",
        }]
    );
    let moved: Vec<&str> = changes.moved().iter().map(|m| m.id.as_str()).collect();
    assert_eq!(moved, ["t1", "team", "co"]);
    let team = changes.get("team").unwrap();
    assert_eq!(team.progress_before.unwrap().value(), d("0"));
    assert_eq!(team.progress.unwrap().value(), d("0.25"));
    // A second check-in at the same value moves nothing.
    let changes = apply(
        &mut set,
        Edit::RecordCheckIn {
            key_result: id("t1"),
            check_in: number_check_in("2027-01-11", 5),
        },
    );
    assert!(changes.moved().is_empty());
    assert_eq!(set.node("t1").unwrap().check_ins()[1].id, Some(id("t1#2")));
}

#[test]
fn the_envelope_signs_check_ins_and_corrections() {
    let mut set = org();
    set.apply(
        Envelope::new(Edit::RecordCheckIn {
            key_result: id("t1"),
            check_in: number_check_in("2027-01-10", 5),
        })
        .by("ana"),
    )
    .unwrap();
    assert_eq!(
        set.node("t1").unwrap().check_ins()[0].by.as_deref(),
        Some("ana")
    );
    set.apply(
        Envelope::new(Edit::CorrectCheckIn {
            check_in: id("t1#1"),
            value: CheckInValue::Number(6.into()),
            confidence: None,
            note: Some("typo".into()),
            reason: "mistyped".into(),
        })
        .by("bo")
        .at("2027-01-11T09:00:00Z".parse().unwrap()),
    )
    .unwrap();
    let check_in = &set.node("t1").unwrap().check_ins()[0];
    assert_eq!(check_in.value, CheckInValue::Number(6.into()));
    assert_eq!(check_in.by.as_deref(), Some("ana"));
    let correction = &check_in.corrections[0];
    assert_eq!(correction.value, CheckInValue::Number(5.into()));
    assert_eq!(correction.reason, "mistyped");
    assert_eq!(correction.by.as_deref(), Some("bo"));
    assert_eq!(progress(&set, "t1"), d("0.6"));
}

#[test]
fn corrections_and_deletions_keep_the_history_in_the_document() {
    let mut set = org();
    for (day, value) in [("2027-01-10", 2), ("2027-01-20", 4), ("2027-01-30", 9)] {
        set.check_in("t1", number_check_in(day, value)).unwrap();
    }
    let changes = apply(
        &mut set,
        Edit::DeleteCheckIn {
            check_in: id("t1#3"),
            reason: "entered on the wrong key result".into(),
        },
    );
    assert_eq!(
        changes.edits,
        vec![Change::CheckIn {
            key_result: id("t1"),
            check_in: id("t1#3"),
            action: "deleted",
        }]
    );
    assert_eq!(progress(&set, "t1"), d("0.4"));
    apply(
        &mut set,
        Edit::CorrectCheckIn {
            check_in: id("t1#2"),
            value: CheckInValue::Number(5.into()),
            confidence: None,
            note: None,
            reason: "counted one twice... no, once too few".into(),
        },
    );
    assert_eq!(progress(&set, "t1"), d("0.5"));
    // The next check-in gets a new number: ids are never reused.
    set.check_in("t1", number_check_in("2027-02-01", 7))
        .unwrap();
    let node = set.node("t1").unwrap();
    let ids: Vec<&str> = node
        .check_ins()
        .iter()
        .map(|c| c.id.as_ref().unwrap().as_str())
        .collect();
    assert_eq!(ids, ["t1#1", "t1#2", "t1#4"]);
    // The document keeps all of it, and reloads to the same set.
    let document = set.to_document();
    let kr = &document.objectives[1].key_results[0];
    assert_eq!(kr.deleted_check_ins.len(), 1);
    assert_eq!(kr.deleted_check_ins[0].check_in.id, Some(id("t1#3")));
    assert_eq!(kr.check_ins[1].corrections.len(), 1);
    let json = document.to_json().unwrap();
    let reloaded = OkrSet::from_json(&json).unwrap();
    assert_eq!(reloaded, set);
    let mut again = reloaded.clone();
    again
        .check_in("t1", number_check_in("2027-02-02", 8))
        .unwrap();
    assert_eq!(
        again.node("t1").unwrap().check_ins().last().unwrap().id,
        Some(id("t1#5"))
    );
    // Unknown or already deleted check-ins are refused.
    let err = refused(
        &mut set,
        Edit::DeleteCheckIn {
            check_in: id("t1#3"),
            reason: "again".into(),
        },
    );
    assert_eq!(err.code(), "unknown-check-in");
    refused(
        &mut set,
        Edit::CorrectCheckIn {
            check_in: id("nope"),
            value: CheckInValue::Number(1.into()),
            confidence: None,
            note: None,
            reason: "x".into(),
        },
    );
    // A correction must fit the metric.
    let err = refused(
        &mut set,
        Edit::CorrectCheckIn {
            check_in: id("t1#1"),
            value: CheckInValue::Done(true),
            confidence: None,
            note: None,
            reason: "x".into(),
        },
    );
    assert_eq!(err.code(), "check-in-value");
}

#[test]
fn documents_number_check_ins_and_refuse_bad_ids() {
    let set = load(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team",
        "key_results": [ { "id": "kr", "title": "KR",
          "metric": { "kind": "numeric", "start": "0", "target": "4" },
          "check_ins": [ { "at": "2027-01-02", "value": "1" },
                         { "id": "kr#7", "at": "2027-01-03", "value": "2" },
                         { "at": "2027-01-04", "value": "3" } ] } ] } ] }"#,
    );
    let ids: Vec<String> = set
        .node("kr")
        .unwrap()
        .check_ins()
        .iter()
        .map(|c| c.id.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["kr#8", "kr#7", "kr#9"]);
    for bad in ["other#1", "kr#0", "kr#01", "kr#+1", "kr#x", "kr#", "kr"] {
        let text = format!(
            r#"{{ "format": "okrs/1", "objectives": [ {{ "id": "o", "title": "O", "level": "team",
            "key_results": [ {{ "id": "kr", "title": "KR",
              "metric": {{ "kind": "numeric", "start": "0", "target": "4" }},
              "check_ins": [ {{ "id": "{bad}", "at": "2027-01-02", "value": "1" }} ] }} ] }} ] }}"#
        );
        let err = okrs::Error::from(OkrSet::from_json(&text).unwrap_err());
        assert_eq!(err.code(), "invalid-check-in-id", "{bad}");
    }
    let twice = r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team",
        "key_results": [ { "id": "kr", "title": "KR",
          "metric": { "kind": "numeric", "start": "0", "target": "4" },
          "check_ins": [ { "id": "kr#1", "at": "2027-01-02", "value": "1" },
                         { "id": "kr#1", "at": "2027-01-03", "value": "2" } ] } ] } ] }"#;
    let err = okrs::Error::from(OkrSet::from_json(twice).unwrap_err());
    assert_eq!(err.code(), "invalid-check-in-id");
}

#[test]
fn metadata_edits_change_what_they_name_and_move_nothing() {
    let mut set = org();
    let cases = [
        (
            Edit::SetTitle {
                id: id("team"),
                title: "Team, renamed".into(),
            },
            "title",
        ),
        (
            Edit::SetDescription {
                id: id("t1"),
                description: Some("why it matters".into()),
            },
            "description",
        ),
        (
            Edit::SetOwners {
                id: id("t2-work"),
                owners: vec!["ana".into(), "bo".into()],
            },
            "owners",
        ),
        (
            Edit::SetInitiativeStatus {
                id: id("t2-work"),
                status: InitiativeStatus::Doing,
            },
            "status",
        ),
        (
            Edit::SetPeriod {
                id: id("other"),
                period: Some(id("Q2")),
            },
            "period",
        ),
    ];
    for (edit, field) in cases {
        let target = match &edit {
            Edit::SetTitle { id, .. }
            | Edit::SetDescription { id, .. }
            | Edit::SetOwners { id, .. }
            | Edit::SetInitiativeStatus { id, .. }
            | Edit::SetPeriod { id, .. } => id.clone(),
            _ => unreachable!(),
        };
        let changes = apply(&mut set, edit);
        assert_eq!(changes.edits, vec![Change::Updated { id: target, field }]);
        assert!(changes.moved().is_empty());
    }
    let team = set.node("team").unwrap();
    assert_eq!(team.title(), "Team, renamed");
    let work = set.node("t2-work").unwrap();
    assert_eq!(work.owners(), ["ana", "bo"]);
    assert_eq!(work.initiative().unwrap().status, InitiativeStatus::Doing);
    assert_eq!(set.node("other").unwrap().period().unwrap().id, id("Q2"));
    let doc = set.to_document();
    assert_eq!(
        doc.objectives[1].key_results[0].description.as_deref(),
        Some("why it matters")
    );
    // Back to what it was: the same set as one loaded so.
    apply(
        &mut set,
        Edit::SetTitle {
            id: id("team"),
            title: "Team".into(),
        },
    );
    apply(
        &mut set,
        Edit::SetDescription {
            id: id("t1"),
            description: None,
        },
    );
    apply(
        &mut set,
        Edit::SetOwners {
            id: id("t2-work"),
            owners: vec![],
        },
    );
    apply(
        &mut set,
        Edit::SetInitiativeStatus {
            id: id("t2-work"),
            status: InitiativeStatus::Todo,
        },
    );
    apply(
        &mut set,
        Edit::SetPeriod {
            id: id("other"),
            period: Some(id("Q1")),
        },
    );
    assert_eq!(set, org());
    assert_eq!(
        refused(
            &mut set,
            Edit::SetTitle {
                id: id("team"),
                title: "  ".into()
            }
        )
        .code(),
        "empty-title"
    );
    assert_eq!(
        refused(
            &mut set,
            Edit::SetOwners {
                id: id("team"),
                owners: vec!["".into()]
            }
        )
        .code(),
        "empty-owner"
    );
    assert_eq!(
        refused(
            &mut set,
            Edit::SetPeriod {
                id: id("team"),
                period: Some(id("Q9"))
            }
        )
        .code(),
        "unknown-period"
    );
}

#[test]
fn commitment_moves_bands_not_progress() {
    let mut set = org();
    set.check_in("t1", number_check_in("2027-01-10", 10))
        .unwrap();
    set.set_metric("t2", Some(Metric::binary(true))).unwrap();
    // team is at 1: green either way; t1 at 1 too. Make it 0.75.
    set.check_in("t1", number_check_in("2027-01-11", 5))
        .unwrap();
    let changes = apply(
        &mut set,
        Edit::SetCommitment {
            id: id("team"),
            commitment: Commitment::Committed,
        },
    );
    let team = changes.get("team").unwrap();
    assert_eq!(team.progress_before, team.progress);
    assert_eq!(team.band_before, Some(okrs::Band::Green));
    assert_eq!(team.band, Some(okrs::Band::Yellow));
}

#[test]
fn initiatives_come_and_go() {
    let mut set = org();
    let changes = apply(
        &mut set,
        Edit::AddInitiative {
            key_result: id("t1"),
            initiative: Initiative::new(id("t1-work"), "Call customers"),
        },
    );
    assert_eq!(
        changes.edits,
        vec![Change::Added {
            id: id("t1-work"),
            kind: okrs::NodeKind::Initiative
        }]
    );
    assert_eq!(set.node("t1").unwrap().initiatives().count(), 1);
    assert_eq!(
        refused(
            &mut set,
            Edit::AddInitiative {
                key_result: id("t1"),
                initiative: Initiative::new(id("t1-work"), "Again"),
            }
        )
        .code(),
        "duplicate-id"
    );
    apply(&mut set, Edit::RemoveInitiative { id: id("t1-work") });
    assert_eq!(set, org());
    assert_eq!(
        refused(&mut set, Edit::RemoveInitiative { id: id("t1") }).code(),
        "wrong-kind"
    );
}

#[test]
fn a_link_moves_in_one_step() {
    let mut set = load(
        r#"{ "format": "okrs/1", "alignment": "cascading", "objectives": [
      { "id": "a", "title": "A", "level": "company",
        "key_results": [ { "id": "a1", "title": "A1", "metric": { "kind": "binary", "done": true } } ] },
      { "id": "b", "title": "B", "level": "company",
        "key_results": [ { "id": "b1", "title": "B1", "metric": { "kind": "binary", "done": false } } ] },
      { "id": "t", "title": "T", "level": "team", "aligned_to": [ { "id": "a", "weight": "2" } ],
        "key_results": [ { "id": "t1", "title": "T1", "metric": { "kind": "binary", "done": true } } ] } ] }"#,
    );
    let changes = apply(
        &mut set,
        Edit::MoveLink {
            from: id("t"),
            target: id("a"),
            to: id("b"),
        },
    );
    assert_eq!(
        changes.edits,
        vec![
            Change::Unlinked {
                from: id("t"),
                target: id("a")
            },
            Change::Linked {
                from: id("t"),
                target: id("b")
            },
        ]
    );
    let link = set.node("t").unwrap().aligned_to().next().unwrap();
    assert_eq!(link.target().id(), &id("b"));
    assert_eq!(link.weight(), Weight::new(d("2")).unwrap());
    assert_eq!(progress(&set, "a"), d("1"));
    // b: b1 at 0 and t at 1, one member in each group (the link's weight 2
    // is relative within the aligned group).
    assert_eq!(progress(&set, "b"), d("0.5"));
    assert_eq!(
        refused(
            &mut set,
            Edit::MoveLink {
                from: id("t"),
                target: id("b"),
                to: id("nowhere"),
            }
        )
        .code(),
        "unknown-link-target"
    );
}

#[test]
fn levels_move_only_where_links_still_point_up() {
    let mut set = org();
    let changes = apply(
        &mut set,
        Edit::SetLevel {
            id: id("other"),
            level: "department".into(),
        },
    );
    assert!(changes.moved().is_empty());
    assert_eq!(set.node("other").unwrap().level(), Some("department"));
    // team aligns to co (company): it cannot rise above it...
    assert_eq!(
        refused(
            &mut set,
            Edit::SetLevel {
                id: id("co"),
                level: "individual".into(),
            }
        )
        .code(),
        "link-to-lower-level"
    );
    // ...and an unknown level is refused.
    assert_eq!(
        refused(
            &mut set,
            Edit::SetLevel {
                id: id("team"),
                level: "galaxy".into(),
            }
        )
        .code(),
        "unknown-level"
    );
}

#[test]
fn periods_are_added_removed_closed_and_reopened() {
    let mut set = org();
    apply(
        &mut set,
        Edit::AddPeriod {
            period: Period::new(
                id("Q3"),
                "2027-07-01".parse().unwrap(),
                "2027-09-30".parse().unwrap(),
            ),
        },
    );
    assert!(set.period("Q3").is_some());
    assert_eq!(
        refused(
            &mut set,
            Edit::AddPeriod {
                period: Period::new(
                    id("Q3"),
                    "2027-07-01".parse().unwrap(),
                    "2027-09-30".parse().unwrap(),
                ),
            }
        )
        .code(),
        "duplicate-period"
    );
    apply(&mut set, Edit::RemovePeriod { id: id("Q3") });
    assert_eq!(
        refused(&mut set, Edit::RemovePeriod { id: id("Q1") }).code(),
        "period-in-use"
    );
    // Removing a period before others keeps every objective's own.
    apply(
        &mut set,
        Edit::SetPeriod {
            id: id("other"),
            period: Some(id("Q2")),
        },
    );
    assert_eq!(
        refused(&mut set, Edit::ReopenPeriod { period: id("Q1") }).code(),
        "not-closed"
    );
    apply(&mut set, Edit::ClosePeriod { period: id("Q1") });
    assert!(set.frozen_grade("team").is_some());
    assert_eq!(
        refused(
            &mut set,
            Edit::SetTitle {
                id: id("team"),
                title: "x".into()
            }
        )
        .code(),
        "period-closed"
    );
    apply(&mut set, Edit::ReopenPeriod { period: id("Q1") });
    assert!(set.frozen_grade("team").is_none());
    apply(
        &mut set,
        Edit::SetTitle {
            id: id("team"),
            title: "x".into(),
        },
    );
}

#[test]
fn structural_edits_report_what_they_added_and_removed() {
    let mut set = org();
    let objective = Objective::new(id("new"), "New", "team")
        .with_link(Link::new(id("co")))
        .with_key_result(KeyResult::new(id("n1"), "N1").with_metric(Metric::binary(true)));
    let changes = apply(&mut set, Edit::AddObjective { objective });
    assert_eq!(
        changes.edits,
        vec![
            Change::Added {
                id: id("new"),
                kind: okrs::NodeKind::Objective
            },
            Change::Added {
                id: id("n1"),
                kind: okrs::NodeKind::KeyResult
            },
            Change::Linked {
                from: id("new"),
                target: id("co")
            },
        ]
    );
    assert!(changes.get("co").is_some());
    let changes = apply(&mut set, Edit::RemoveObjective { id: id("new") });
    assert_eq!(changes.edits.len(), 2);
    let gone = changes.get("n1").unwrap();
    assert!(gone.progress.is_none() && gone.progress_before.is_some());
    assert_eq!(set, org());
}

#[test]
fn a_failed_transaction_changes_nothing() {
    let mut set = org();
    let before = set.clone();
    let err = set
        .apply_all([
            Edit::SetTitle {
                id: id("team"),
                title: "Renamed".into(),
            },
            Edit::RecordCheckIn {
                key_result: id("t1"),
                check_in: number_check_in("2027-01-10", 5),
            },
            Edit::AddLink {
                from: id("co"),
                link: Link::new(id("team")),
            },
        ])
        .unwrap_err();
    assert_eq!(err.code(), "link-to-lower-level");
    assert_eq!(set, before);
    // A cycle closed by two links together is refused as a whole too.
    let mut flat = load(
        r#"{ "format": "okrs/1", "alignment": "cascading", "objectives": [
      { "id": "a", "title": "A", "level": "team" },
      { "id": "b", "title": "B", "level": "team" } ] }"#,
    );
    let before = flat.clone();
    let err = flat
        .apply_all([
            Edit::AddLink {
                from: id("a"),
                link: Link::new(id("b")),
            },
            Edit::AddLink {
                from: id("b"),
                link: Link::new(id("a")),
            },
        ])
        .unwrap_err();
    assert_eq!(err.code(), "cycle");
    assert_eq!(flat, before);
}

#[test]
fn a_transaction_of_adds_equals_a_load() {
    let document = okrs::sample::synthetic(2_000, 3);
    let mut empty = document.clone();
    empty.objectives.clear();
    let mut set = OkrSet::from_document(empty).unwrap();
    let edits: Vec<Edit> = document
        .objectives
        .iter()
        .cloned()
        .map(|objective| Edit::AddObjective { objective })
        .collect();
    let changes = set.apply_all(edits).unwrap();
    assert_eq!(set, OkrSet::from_document(document).unwrap());
    assert_eq!(changes.moved().len(), set.nodes().count());
}

#[test]
fn the_edit_format_is_json_with_an_op_tag() {
    let lines = [
        r#"{"op":"record-check-in","key_result":"t1","check_in":{"at":"2027-01-10","value":"5"},"by":"ana","at":"2027-01-10T08:00:00Z"}"#,
        r#"{"op":"set-title","id":"team","title":"Renamed"}"#,
        r#"{"op":"move-link","from":"team","target":"co","to":"other"}"#,
        r#"{"op":"correct-check-in","check_in":"t1#1","value":"6","reason":"typo"}"#,
        r#"{"op":"delete-check-in","check_in":"t1#1","reason":"wrong"}"#,
        r#"{"op":"set-commitment","id":"team","commitment":"committed"}"#,
        r#"{"op":"carry-forward","objective":"team","to":"Q2","keep_values":true}"#,
    ];
    for line in lines {
        let envelope: Envelope = serde_json::from_str(line).unwrap();
        let again: Envelope =
            serde_json::from_str(&serde_json::to_string(&envelope).unwrap()).unwrap();
        assert_eq!(again, envelope, "{line}");
    }
    // A JSON number is read exactly, never through f64.
    let envelope: Envelope = serde_json::from_str(
        r#"{"op":"set-weight","id":"t1","weight":0.1000000000000000055511151231}"#,
    )
    .unwrap();
    let Edit::SetWeight { weight, .. } = envelope.edit else {
        panic!("not a weight");
    };
    assert_eq!(weight.value(), d("0.1000000000000000055511151231"));
    for bad in [
        r#"{"op":"set-titel","id":"team","title":"x"}"#,
        r#"{"op":"set-title","id":"team","title":"x","extra":1}"#,
        r#"{"id":"team","title":"x"}"#,
    ] {
        assert!(serde_json::from_str::<Envelope>(bad).is_err(), "{bad}");
    }
}

/// An edit picked at random against the set as it stands: mostly valid,
/// sometimes not (refused edits are part of the test).
fn random_edit(set: &OkrSet, pick: &[u32; 4], step: usize) -> Edit {
    let nodes: Vec<okrs::NodeRef<'_>> = set.nodes().collect();
    let objectives: Vec<okrs::NodeRef<'_>> = set.objectives().collect();
    let node = &nodes[pick[1] as usize % nodes.len()];
    let objective = &objectives[pick[2] as usize % objectives.len()];
    let other = &objectives[pick[3] as usize % objectives.len()];
    let day = format!("2027-01-{:02}", 1 + step % 28);
    let check_in_of = |n: &okrs::NodeRef<'_>| -> Option<Id> {
        let check_ins = n.check_ins();
        check_ins
            .get(pick[3] as usize % check_ins.len().max(1))
            .and_then(|c| c.id.clone())
    };
    match pick[0] % 12 {
        0..=3 => Edit::RecordCheckIn {
            key_result: node.id().clone(),
            check_in: match node.metric() {
                Some(Metric::Binary { .. }) => {
                    CheckIn::new(day.parse().unwrap(), CheckInValue::Done(pick[3] % 2 == 0))
                }
                _ => CheckIn::new(
                    day.parse().unwrap(),
                    CheckInValue::Number(i64::from(pick[3] % 40).into()),
                ),
            },
        },
        4 => match check_in_of(node) {
            Some(check_in) => Edit::CorrectCheckIn {
                check_in,
                value: CheckInValue::Number(i64::from(pick[2] % 30).into()),
                confidence: None,
                note: None,
                reason: "corrected".into(),
            },
            None => Edit::SetTitle {
                id: node.id().clone(),
                title: format!("title {step}"),
            },
        },
        5 => match check_in_of(node) {
            Some(check_in) => Edit::DeleteCheckIn {
                check_in,
                reason: "deleted".into(),
            },
            None => Edit::SetOwners {
                id: node.id().clone(),
                owners: vec![format!("owner-{step}")],
            },
        },
        6 => Edit::SetWeight {
            id: node.id().clone(),
            weight: Weight::new((1 + i64::from(pick[3] % 5)).into()).unwrap(),
        },
        7 => Edit::AddLink {
            from: objective.id().clone(),
            link: Link::new(other.id().clone()),
        },
        8 => match objective.aligned_to().next() {
            Some(link) => Edit::RemoveLink {
                from: objective.id().clone(),
                target: link.target().id().clone(),
            },
            None => Edit::SetCommitment {
                id: objective.id().clone(),
                commitment: Commitment::Committed,
            },
        },
        9 => Edit::AddObjective {
            objective: Objective::new(id(&format!("new-{step}")), "New", "team")
                .with_link(Link::new(other.id().clone()))
                .with_key_result(
                    KeyResult::new(id(&format!("new-{step}-kr")), "KR")
                        .with_metric(Metric::numeric(0.into(), 10.into())),
                ),
        },
        10 => Edit::RemoveObjective {
            id: objective.id().clone(),
        },
        _ => Edit::SetTitle {
            id: objective.id().clone(),
            title: format!("renamed {step}"),
        },
    }
}

fn proptest_config() -> ProptestConfig {
    ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(proptest_config())]

    /// Edits applied live equal their replay; each edit's changes equal a
    /// brute-force diff; a refused edit changes nothing.
    #[test]
    fn a_log_replays_to_the_live_set(
        doc in generate::document(),
        picks in prop::collection::vec(any::<[u32; 4]>(), 1..40),
    ) {
        let mut live = OkrSet::from_document(doc.clone()).unwrap();
        let mut log: Vec<Envelope> = Vec::new();
        for (step, pick) in picks.iter().enumerate() {
            if live.nodes().next().is_none() {
                break;
            }
            let edit = random_edit(&live, pick, step);
            let before = live.clone();
            let before_view = view(&live);
            match live.apply(Envelope::new(edit.clone()).by(format!("user-{}", pick[0] % 3))) {
                Ok(changes) => {
                    assert_moves_match(&before_view, &live, &changes);
                    log.push(Envelope::new(edit).by(format!("user-{}", pick[0] % 3)));
                }
                Err(_) => prop_assert_eq!(&live, &before),
            }
        }
        let replayed = OkrSet::replay(doc, log.clone()).unwrap();
        prop_assert_eq!(&replayed, &live);
        // The log survives JSON lines.
        let lines: Vec<String> = log.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
        let parsed: Vec<Envelope> = lines.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
        prop_assert_eq!(parsed, log);
    }

    /// A transaction either applies every edit (and equals applying them
    /// one by one) or none.
    #[test]
    fn a_transaction_is_all_or_nothing(
        doc in generate::document(),
        picks in prop::collection::vec(any::<[u32; 4]>(), 1..12),
    ) {
        let set = OkrSet::from_document(doc).unwrap();
        prop_assume!(set.nodes().next().is_some());
        let edits: Vec<Edit> = picks
            .iter()
            .enumerate()
            .map(|(step, pick)| random_edit(&set, pick, step))
            .collect();
        let mut one_by_one = set.clone();
        let each: Result<Vec<Changes>, Error> =
            edits.iter().cloned().map(|e| one_by_one.apply(e)).collect();
        let mut together = set.clone();
        let before_view = view(&set);
        match together.apply_all(edits) {
            Ok(changes) => {
                prop_assert!(each.is_ok());
                prop_assert_eq!(&together, &one_by_one);
                assert_moves_match(&before_view, &together, &changes);
            }
            Err(_) => prop_assert_eq!(&together, &set),
        }
    }
}
