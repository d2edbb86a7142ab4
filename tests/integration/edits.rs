use okrs::{Error, Initiative, KeyResult, Link, Metric, Objective, OkrSet, Weight};

use crate::{d, load, progress};

fn org() -> OkrSet {
    load(
        r#"{ "format": "okrs/1", "alignment": "cascading", "objectives": [
      { "id": "co", "title": "Company", "level": "company",
        "key_results": [ { "id": "co-kr", "title": "Measured",
                           "metric": { "kind": "manual", "progress": "0.2" } } ] },
      { "id": "team", "title": "Team", "level": "team", "aligned_to": [ { "id": "co" } ],
        "key_results": [
          { "id": "t1", "title": "T1", "metric": { "kind": "binary", "done": true } },
          { "id": "t2", "title": "T2", "metric": { "kind": "binary", "done": false },
            "initiatives": [ { "id": "t2-work", "title": "Do the work" } ] } ] } ] }"#,
    )
}

fn id(text: &str) -> okrs::Id {
    text.parse().unwrap()
}

/// Runs a refused edit and checks the set did not change at all.
fn refused<T: std::fmt::Debug>(
    set: &mut OkrSet,
    edit: impl FnOnce(&mut OkrSet) -> Result<T, Error>,
) -> Error {
    let before = set.clone();
    let err = edit(set).expect_err("the edit should be refused");
    assert_eq!(*set, before, "a refused edit changed the set: {err}");
    assert_eq!(set.to_document(), before.to_document());
    err
}

#[test]
fn adding_and_removing_an_objective() {
    let mut set = org();
    let objective = Objective::new(id("team2"), "Team 2", "team")
        .with_link(Link::new(id("co")))
        .with_key_result(KeyResult::new(id("t3"), "T3").with_metric(Metric::binary(true)));
    set.add_objective(objective.clone()).unwrap();
    // co: co-kr 0.2, team 0.5, team2 1 → 1.7 / 3
    assert_eq!(progress(&set, "co"), d("1.7") / d("3"));
    assert_eq!(set.remove_objective("team2").unwrap(), objective);
    assert_eq!(set, org());
}

#[test]
fn refused_objective_additions_change_nothing() {
    let mut set = org();
    let dup =
        Objective::new(id("x"), "X", "team").with_key_result(KeyResult::new(id("t1"), "again"));
    assert_eq!(
        refused(&mut set, |s| s.add_objective(dup)),
        Error::DuplicateId(id("t1"))
    );
    let bad_link = Objective::new(id("x"), "X", "team")
        .with_key_result(KeyResult::new(id("x1"), "X1"))
        .with_link(Link::new(id("nowhere")));
    refused(&mut set, |s| s.add_objective(bad_link));
    let own_kr = Objective::new(id("x"), "X", "team")
        .with_key_result(KeyResult::new(id("x1"), "X1"))
        .with_link(Link::new(id("x1")).contributes(false));
    refused(&mut set, |s| s.add_objective(own_kr));
    let zero = Objective::new(id("x"), "X", "team")
        .with_key_result(KeyResult::new(id("x1"), "X1").with_weight(Weight::ZERO));
    assert_eq!(
        refused(&mut set, |s| s.add_objective(zero)),
        Error::AllWeightsZero(id("x"))
    );
    let bad_level = Objective::new(id("x"), "X", "guild");
    refused(&mut set, |s| s.add_objective(bad_level));
    let too_deep = (0..=okrs::MAX_DEPTH + 1).fold(KeyResult::new(id("leaf"), "Leaf"), |kr, i| {
        KeyResult::new(id(&format!("deep{i}")), "Deep").with_key_result(kr)
    });
    let deep = Objective::new(id("x"), "X", "team").with_key_result(too_deep);
    assert!(matches!(
        refused(&mut set, |s| s.add_objective(deep)),
        Error::TooDeep(_)
    ));
}

#[test]
fn a_linked_objective_cannot_be_removed() {
    let mut set = org();
    let err = refused(&mut set, |s| s.remove_objective("co"));
    assert_eq!(
        err,
        Error::StillLinked {
            id: id("co"),
            by: id("team")
        }
    );
    refused(&mut set, |s| s.remove_objective("t1"));
    refused(&mut set, |s| s.remove_objective("nobody"));
}

#[test]
fn key_results_are_added_and_removed() {
    let mut set = org();
    set.add_key_result(
        "team",
        KeyResult::new(id("t3"), "T3").with_metric(Metric::binary(true)),
    )
    .unwrap();
    assert_eq!(progress(&set, "team"), d("2") / d("3"));
    let removed = set.remove_key_result("t3").unwrap();
    assert_eq!(removed.id, id("t3"));
    assert_eq!(set, org());
    let removed = set.remove_key_result("t2").unwrap();
    assert_eq!(
        removed.initiatives,
        vec![Initiative::new(id("t2-work"), "Do the work")]
    );
    assert!(!set.contains("t2-work"));
    assert_eq!(progress(&set, "team"), d("1"));
}

#[test]
fn refused_key_result_edits_change_nothing() {
    let mut set = org();
    let err = refused(&mut set, |s| {
        s.add_key_result("t1", KeyResult::new(id("sub"), "Sub"))
    });
    assert_eq!(err, Error::MetricAndSubKeyResults(id("t1")));
    refused(&mut set, |s| {
        s.add_key_result("t2-work", KeyResult::new(id("sub"), "Sub"))
    });
    refused(&mut set, |s| {
        s.add_key_result("team", KeyResult::new(id("co-kr"), "Dup"))
    });
    refused(&mut set, |s| {
        s.add_key_result("team", KeyResult::new(id("blank"), "  "))
    });
    let zero_t1 = |s: &mut OkrSet| {
        s.set_weight("t1", Weight::ZERO)?;
        s.set_weight("t2", Weight::ZERO)
    };
    // The first change is fine; the second would zero every weight of "team".
    let mut copy = set.clone();
    assert_eq!(
        zero_t1(&mut copy).unwrap_err(),
        Error::AllWeightsZero(id("team"))
    );
    assert_eq!(progress(&copy, "team"), d("0"));
}

#[test]
fn links_are_added_reweighed_and_removed() {
    let mut set = org();
    set.add_objective(Objective::new(id("co2"), "Company 2", "company"))
        .unwrap();
    set.add_link("team", Link::new(id("co2"))).unwrap();
    assert_eq!(progress(&set, "co2"), d("0.5"));
    set.set_link_weight("team", "co", "3".parse().unwrap())
        .unwrap();
    // co: co-kr 0.2 and team 0.5, one member in each group: a link's
    // weight is relative within the aligned group → (0.2 + 0.5) / 2.
    assert_eq!(progress(&set, "co"), d("0.35"));
    let link = set.remove_link("team", "co2").unwrap();
    assert_eq!(link, Link::new(id("co2")));
    assert_eq!(progress(&set, "co2"), d("0"));
}

#[test]
fn refused_link_edits_change_nothing() {
    let mut set = org();
    refused(&mut set, |s| s.add_link("team", Link::new(id("co"))));
    refused(&mut set, |s| s.add_link("co", Link::new(id("team"))));
    refused(&mut set, |s| s.add_link("team", Link::new(id("co-kr"))));
    refused(&mut set, |s| s.add_link("t1", Link::new(id("co"))));
    refused(&mut set, |s| s.remove_link("team", "co-kr"));
    refused(&mut set, |s| s.remove_link("co", "team"));
    set.add_objective(Objective::new(id("co2"), "Company 2", "company"))
        .unwrap();
    let err = refused(&mut set, |s| {
        s.add_link("team", Link::new(id("co2")).with_weight(Weight::ZERO))
    });
    assert_eq!(err, Error::AllWeightsZero(id("co2")));
}

#[test]
fn metrics_change_incrementally() {
    let mut set = org();
    set.set_metric("t2", Some(Metric::binary(true))).unwrap();
    assert_eq!(progress(&set, "team"), d("1"));
    assert_eq!(progress(&set, "co"), d("0.6"));
    set.set_metric("t2", None).unwrap();
    assert_eq!(progress(&set, "team"), d("0.5"));
    let full = OkrSet::from_document(set.to_document()).unwrap();
    assert_eq!(set, full);
    let err = refused(&mut set, |s| {
        s.set_metric("t2", Some(Metric::numeric(d("1"), d("1"))))
    });
    assert!(matches!(err, Error::InvalidMetric { .. }));
    refused(&mut set, |s| {
        s.set_metric("team", Some(Metric::binary(true)))
    });
}

/// `Edit::ids` names what each edit names, in its order: an added
/// objective's whole tree depth first, then its links and carried ties;
/// the node a change is made to; periods and check-ins as such.
#[test]
fn an_edit_names_its_ids_with_what_they_name() {
    use okrs::{Edit, Named};
    let id = |text: &str| -> okrs::Id { text.parse().unwrap() };
    let mut objective = Objective::new(id("o"), "O", "team")
        .with_link(Link::new(id("co")))
        .with_key_result(
            KeyResult::new(id("k"), "K")
                .with_initiative(Initiative::new(id("i"), "I"))
                .with_key_result(KeyResult::new(id("s"), "S")),
        )
        .with_key_result(KeyResult::new(id("k2"), "K2"));
    objective.carried_from = Some(id("old"));
    let names = |edit: Edit| -> Vec<(String, Named)> {
        edit.ids()
            .into_iter()
            .map(|(id, named)| (id.to_string(), named))
            .collect()
    };
    let own = |pairs: &[(&str, Named)]| -> Vec<(String, Named)> {
        pairs.iter().map(|&(id, n)| (id.to_owned(), n)).collect()
    };
    assert_eq!(
        names(Edit::AddObjective { objective }),
        own(&[
            ("o", Named::Added),
            ("k", Named::Added),
            ("i", Named::Added),
            ("s", Named::Added),
            ("k2", Named::Added),
            ("co", Named::Linked),
            ("old", Named::Linked),
        ])
    );
    assert_eq!(
        names(Edit::MoveLink {
            from: id("t"),
            target: id("a"),
            to: id("b")
        }),
        own(&[
            ("t", Named::Node),
            ("a", Named::Linked),
            ("b", Named::Linked)
        ])
    );
    assert_eq!(
        names(Edit::SetScore {
            id: id("o"),
            score: None,
            reason: String::new()
        }),
        own(&[("o", Named::Node)])
    );
    assert_eq!(
        names(Edit::CarryForward {
            objective: id("o"),
            to: id("Q2"),
            keep_values: false
        }),
        own(&[("o", Named::Node), ("Q2", Named::Period)])
    );
    assert_eq!(
        names(Edit::CorrectCheckIn {
            check_in: id("k#2"),
            value: okrs::CheckInValue::Done(true),
            confidence: None,
            note: None,
            reason: "typo".into(),
        }),
        own(&[("k#2", Named::CheckIn), ("k", Named::Node)])
    );
    assert_eq!(
        names(Edit::ClosePeriod { period: id("Q1") }),
        own(&[("Q1", Named::Period)])
    );
}
