//! Health checks: every rule triggers where it should and stays quiet where
//! it should not.

use okrs::{
    AlignmentModel, CheckIn, Date, Document, Error, KeyResult, Link, LintSettings, Metric,
    Objective, OkrSet, Period, Rule, RuleLevel, Severity, Weight,
};

use crate::d;

fn id(text: &str) -> okrs::Id {
    text.parse().unwrap()
}

fn kr(name: &str) -> KeyResult {
    KeyResult::new(id(name), format!("Key result {name}"))
        .with_owner("kr-owner")
        .with_metric(Metric::numeric(d("0"), d("10")).with_current(d("5")))
}

fn objective(name: &str, level: &str) -> Objective {
    Objective::new(id(name), format!("Objective {name}"), level)
        .with_owner(format!("{name}-owner"))
        .with_key_result(kr(&format!("{name}-a")))
        .with_key_result(kr(&format!("{name}-b")))
}

/// Three company objectives and a team objective aligned to one of them:
/// nothing to report.
fn healthy() -> Document {
    Document::new(AlignmentModel::Directional)
        .with_objective(objective("c1", "company"))
        .with_objective(objective("c2", "company"))
        .with_objective(objective("c3", "company"))
        .with_objective(objective("t1", "team").with_link(Link::new(id("c1-a"))))
}

const AS_OF: &str = "2027-02-01";

/// The codes of a set's findings; on the way, checks that the text
/// report's count of them (made without their messages) is theirs.
fn codes(doc: Document) -> Vec<&'static str> {
    let set = OkrSet::from_document(doc).unwrap();
    let as_of = AS_OF.parse().unwrap();
    let findings = set.lint(as_of);
    let counts = format!(
        "\nhealth checks: {} (the lint command lists them)\n",
        okrs::severity_counts(&findings)
    );
    assert!(set.to_text(as_of).contains(&counts), "{counts}");
    let mut codes: Vec<&str> = findings.iter().map(|f| f.code).collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

fn triggers(doc: Document, rule: Rule) -> bool {
    codes(doc).contains(&rule.code())
}

#[test]
fn a_healthy_set_has_no_findings() {
    assert_eq!(codes(healthy()), Vec::<&str>::new());
}

#[test]
fn okr101_too_many_top_objectives() {
    let mut doc = healthy();
    doc = doc.with_objective(objective("c4", "company"));
    doc = doc.with_objective(objective("c5", "company"));
    assert!(!triggers(doc.clone(), Rule::TooManyTopObjectives)); // 5
    doc = doc.with_objective(objective("c6", "company"));
    assert!(triggers(doc, Rule::TooManyTopObjectives)); // 6
}

#[test]
fn okr102_too_few_top_objectives() {
    let mut doc = healthy();
    assert!(!triggers(doc.clone(), Rule::TooFewTopObjectives)); // 3
    doc.objectives.retain(|o| o.id.as_str() != "c3");
    assert!(triggers(doc.clone(), Rule::TooFewTopObjectives)); // 2
    doc.objectives.retain(|o| o.level != "company");
    doc.objectives[0].aligned_to.clear();
    let set = OkrSet::from_document(doc).unwrap();
    let findings = set.lint(AS_OF.parse().unwrap());
    let none = findings.iter().find(|f| f.code == "OKR102").unwrap();
    assert!(
        none.message.contains("no company objective"),
        "{}",
        none.message
    );
}

#[test]
fn top_objectives_are_counted_per_period() {
    let mut doc = healthy().with_period(Period::year(2027).unwrap());
    for name in ["c1", "c2", "c3"] {
        let o = doc
            .objectives
            .iter_mut()
            .find(|o| o.id.as_str() == name)
            .unwrap();
        o.period = Some(id("FY2027"));
    }
    assert!(!triggers(doc.clone(), Rule::TooFewTopObjectives));
    doc.objectives[2].period = None;
    assert!(triggers(doc, Rule::TooFewTopObjectives)); // 2 in FY2027, 1 without
}

#[test]
fn okr103_too_many_key_results() {
    let mut five = objective("c1", "company");
    for k in ["c", "d", "e"] {
        five = five.with_key_result(kr(&format!("c1-{k}")));
    }
    let mut doc = healthy();
    doc.objectives[0] = five.clone();
    assert!(!triggers(doc.clone(), Rule::TooManyKeyResults));
    doc.objectives[0] = five.with_key_result(kr("c1-f"));
    assert!(triggers(doc, Rule::TooManyKeyResults));
}

#[test]
fn okr104_unmeasured_objective() {
    let mut doc = healthy();
    doc.objectives[1].key_results.clear();
    assert!(triggers(doc.clone(), Rule::UnmeasuredObjective));
    // Measured by a contributing objective instead: fine.
    doc.alignment = AlignmentModel::Cascading;
    doc.objectives[3].aligned_to[0].contributes = Some(false);
    doc = doc.with_objective(objective("t2", "team").with_link(Link::new(id("c2"))));
    assert!(!triggers(doc, Rule::UnmeasuredObjective));
}

#[test]
fn okr105_no_owner() {
    let mut doc = healthy();
    doc.objectives[3].key_results[1].owners.clear();
    let set = OkrSet::from_document(doc).unwrap();
    let findings = set.lint(AS_OF.parse().unwrap());
    let found: Vec<_> = findings.iter().filter(|f| f.code == "OKR105").collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].nodes, vec![id("t1-b")]);
    assert!(found[0].message.contains("\"t1-b\""));
}

#[test]
fn okr106_all_co_owned() {
    let mut doc = healthy();
    assert!(!triggers(doc.clone(), Rule::AllCoOwned));
    for o in &mut doc.objectives {
        o.owners.push("second".into());
        for k in &mut o.key_results {
            k.owners.push("second".into());
        }
    }
    assert!(triggers(doc.clone(), Rule::AllCoOwned));
    doc.objectives[0].owners.truncate(1);
    assert!(!triggers(doc, Rule::AllCoOwned));
}

#[test]
fn okr107_output_not_outcome() {
    let mut doc = healthy();
    doc.objectives[0].key_results[0].metric = Some(Metric::binary(true));
    assert!(!triggers(doc.clone(), Rule::OutputNotOutcome)); // one outcome left
    doc.objectives[0].key_results[1].metric = Some(Metric::Milestones {
        milestones: vec![okrs::Milestone::new("Ship")],
    });
    assert!(triggers(doc, Rule::OutputNotOutcome));
}

#[test]
fn okr108_weights_not_100_when_strict() {
    let mut doc = healthy();
    for o in &mut doc.objectives {
        for k in &mut o.key_results {
            k.weight = Weight::new(d("50")).unwrap();
        }
    }
    doc.lint = LintSettings::default().strict_weights(true);
    assert!(!triggers(doc.clone(), Rule::WeightsNot100));
    doc.objectives[2].key_results[0].weight = Weight::new(d("40")).unwrap();
    let set = OkrSet::from_document(doc.clone()).unwrap();
    let findings = set.lint(AS_OF.parse().unwrap());
    let finding = findings.iter().find(|f| f.code == "OKR108").unwrap();
    assert_eq!(finding.severity, Severity::Error);
    assert!(finding.message.contains("90"), "{}", finding.message);
    doc.lint = LintSettings::default();
    assert!(!triggers(doc, Rule::WeightsNot100)); // not asked for
}

#[test]
fn okr201_unaligned_and_okr202_misaligned() {
    let mut doc = healthy();
    doc.objectives[3].aligned_to.clear();
    assert!(triggers(doc.clone(), Rule::Unaligned));
    assert!(!triggers(doc.clone(), Rule::Misaligned));
    // A department objective aligned to nothing, and a team aligned to it:
    // the team's chain never reaches the company.
    doc.objectives[3].aligned_to.push(Link::new(id("d1")));
    doc = doc.with_objective(objective("d1", "department"));
    let codes = codes(doc.clone());
    assert!(codes.contains(&"OKR202"), "{codes:?}");
    doc.objectives[4].aligned_to.push(Link::new(id("c2")));
    assert!(!triggers(doc.clone(), Rule::Misaligned));
    assert!(!triggers(doc.clone(), Rule::Unaligned));
    // Transparency has no links to check.
    doc.alignment = AlignmentModel::Transparency;
    for o in &mut doc.objectives {
        o.aligned_to.clear();
    }
    assert!(!triggers(doc, Rule::Unaligned));
}

#[test]
fn okr203_cascaded_title() {
    let mut doc = healthy();
    doc.objectives[3].title = "key result  C1-A".into(); // the KR it aligns to, loosely
    assert!(triggers(doc.clone(), Rule::CascadedTitle));
    // Aligned to the objective, repeating one of its key results.
    doc.objectives[3].aligned_to = vec![Link::new(id("c1"))];
    doc.objectives[3].title = "Key result c1-b".into();
    assert!(triggers(doc.clone(), Rule::CascadedTitle));
    doc.objectives[3].title = "Make onboarding delightful".into();
    assert!(!triggers(doc, Rule::CascadedTitle));
}

#[test]
fn okr204_period_outside_parent() {
    let [q1, q2, ..] = Period::quarters(2027).unwrap();
    let mut doc = healthy()
        .with_period(Period::year(2027).unwrap())
        .with_period(q1)
        .with_period(q2);
    doc.objectives[0].period = Some(id("2027-Q1"));
    doc.objectives[3].period = Some(id("2027-Q1"));
    assert!(!triggers(doc.clone(), Rule::PeriodOutsideParent));
    doc.objectives[3].period = Some(id("2027-Q2"));
    assert!(triggers(doc, Rule::PeriodOutsideParent));
}

fn with_q1(mut doc: Document) -> Document {
    doc = doc
        .with_period(Period::year(2027).unwrap())
        .with_period(Period::quarters(2027).unwrap()[0].clone());
    doc.objectives[3].period = Some(id("2027-Q1"));
    for k in &mut doc.objectives[3].key_results {
        k.metric = Some(Metric::numeric(d("0"), d("10")));
        k.check_ins
            .push(CheckIn::new("2027-01-25".parse().unwrap(), d("3").into()));
    }
    doc
}

#[test]
fn okr301_stale_key_result() {
    // Checked in on January 25th; as of February 1st that is 7 days.
    let doc = with_q1(healthy());
    assert!(!triggers(doc.clone(), Rule::StaleKeyResult));
    let set = OkrSet::from_document(doc).unwrap();
    let late: Date = "2027-02-09".parse().unwrap(); // 15 days
    let stale: Vec<_> = set
        .lint(late)
        .into_iter()
        .filter(|f| f.code == "OKR301")
        .collect();
    assert_eq!(stale.len(), 2);
    assert!(stale[0].message.contains("2027-01-25"));
    // After the period ends, nothing is stale any more.
    assert!(
        set.lint("2027-04-15".parse().unwrap())
            .iter()
            .all(|f| f.code != "OKR301")
    );
    // A done key result needs no more check-ins.
    let mut done = with_q1(healthy());
    for k in &mut done.objectives[3].key_results {
        k.check_ins
            .push(CheckIn::new("2027-01-26".parse().unwrap(), d("10").into()));
    }
    let set = OkrSet::from_document(done).unwrap();
    assert!(set.lint(late).iter().all(|f| f.code != "OKR301"));
}

fn calibrated(grades: [&str; 2]) -> Document {
    let mut doc = healthy();
    let mut periods = Vec::new();
    for (i, grade) in grades.iter().enumerate() {
        let year = 2020 + i as i32;
        let period = Period::year(year).unwrap();
        let name = format!("old-{i}");
        let mut o = objective(&name, "team").with_link(Link::new(id("c1")));
        o.owners = vec!["sam".into()];
        o.period = Some(period.id.clone());
        for k in &mut o.key_results {
            k.metric = Some(Metric::manual(d(grade)));
        }
        doc = doc.with_objective(o);
        periods.push(period);
    }
    let mut reopened = doc;
    reopened.periods = periods.clone();
    // Close the periods through the API so that the grades are real.
    let mut set = OkrSet::from_document(reopened).unwrap();
    for period in &periods {
        set.close_period(period.id.as_str()).unwrap();
    }
    set.to_document()
}

#[test]
fn okr302_always_perfect_and_okr303_always_low() {
    assert!(triggers(calibrated(["1", "1"]), Rule::AlwaysPerfect));
    assert!(triggers(calibrated(["0.1", "0.2"]), Rule::AlwaysLow));
    let mixed = codes(calibrated(["1", "0.2"]));
    assert!(!mixed.contains(&"OKR302") && !mixed.contains(&"OKR303"));
    let fine = codes(calibrated(["0.7", "0.6"]));
    assert!(!fine.contains(&"OKR302") && !fine.contains(&"OKR303"));
}

#[test]
fn rules_can_be_switched_off_or_relevelled_per_set() {
    let mut doc = healthy();
    doc.objectives[3].aligned_to.clear();
    doc.lint = LintSettings::default().with_rule(Rule::Unaligned, RuleLevel::Off);
    assert!(!triggers(doc.clone(), Rule::Unaligned));
    doc.lint = LintSettings::default().with_rule(Rule::Unaligned, RuleLevel::Error);
    let set = OkrSet::from_document(doc.clone()).unwrap();
    let findings = set.lint(AS_OF.parse().unwrap());
    assert_eq!(findings[0].severity, Severity::Error);
    // By name too, and in a JSON document.
    let mut json: serde_json::Value = serde_json::from_str(&doc.to_json().unwrap()).unwrap();
    json["lint"] = serde_json::json!({ "rules": { "unaligned": "off" }, "stale_after_days": 30 });
    let set = OkrSet::from_json(&json.to_string()).unwrap();
    assert!(set.lint(AS_OF.parse().unwrap()).is_empty());
    assert_eq!(set.lint_settings().stale_after_days, 30);
    // An unknown rule is an error naming it.
    json["lint"] = serde_json::json!({ "rules": { "OKR999": "off" } });
    let err = OkrSet::from_json(&json.to_string()).unwrap_err();
    assert_eq!(
        err,
        okrs::LoadError::Invalid(Error::UnknownRule("OKR999".into()))
    );
}

#[test]
fn every_rule_has_a_code_name_and_description() {
    for rule in Rule::ALL {
        assert!(rule.code().starts_with("OKR"));
        assert!(!rule.name().is_empty() && !rule.description().is_empty());
        assert_eq!(Rule::find(rule.code()), Some(*rule));
        assert_eq!(Rule::find(rule.name()), Some(*rule));
    }
}

#[test]
fn review_findings_stay_fixed() {
    // A period with team objectives but no top-level one is flagged; a
    // closed period is history and is not.
    let [q1, q2, ..] = Period::quarters(2027).unwrap();
    let mut doc = healthy()
        .with_period(Period::year(2027).unwrap())
        .with_period(q1)
        .with_period(q2);
    doc.objectives[3].period = Some(id("2027-Q2"));
    let set = OkrSet::from_document(doc.clone()).unwrap();
    let findings = set.lint(AS_OF.parse().unwrap());
    assert!(
        findings
            .iter()
            .any(|f| f.code == "OKR102" && f.message.contains("in 2027-Q2")),
        "{findings:?}"
    );
    let mut closed = set.clone();
    closed.close_period("2027-Q2").unwrap();
    assert!(
        closed
            .lint(AS_OF.parse().unwrap())
            .iter()
            .all(|f| !f.message.contains("2027-Q2"))
    );
    // With a minimum of 0, no top objective at all is fine.
    let mut none = Document::default().with_objective(objective("t", "team"));
    none.lint.min_top_objectives = 0;
    assert!(!triggers(none, Rule::TooFewTopObjectives));
    // Unowned nodes do not make "every node is co-owned" true.
    let mut doc = healthy();
    for o in &mut doc.objectives {
        o.owners = vec!["a".into(), "b".into()];
        for k in &mut o.key_results {
            k.owners.clear();
        }
    }
    assert!(!triggers(doc, Rule::AllCoOwned));
    // A key result measured by its metric's own value is never stale: it
    // takes no check-in.
    let mut doc = with_q1(healthy());
    for k in &mut doc.objectives[3].key_results {
        k.check_ins.clear();
        k.metric = Some(Metric::numeric(d("0"), d("10")).with_current(d("2")));
    }
    let set = OkrSet::from_document(doc).unwrap();
    assert!(
        set.lint("2027-03-01".parse().unwrap())
            .iter()
            .all(|f| f.code != "OKR301")
    );
}

#[test]
fn calibration_needs_two_closed_periods() {
    let mut doc = healthy().with_period(Period::year(2020).unwrap());
    for name in ["x", "y"] {
        let mut o = objective(name, "team").with_link(Link::new(id("c1")));
        o.owners = vec!["sam".into()];
        o.period = Some(id("FY2020"));
        for k in &mut o.key_results {
            k.metric = Some(Metric::manual(d("1")));
        }
        doc = doc.with_objective(o);
    }
    let mut set = OkrSet::from_document(doc).unwrap();
    set.close_period("FY2020").unwrap();
    assert!(
        set.lint(AS_OF.parse().unwrap())
            .iter()
            .all(|f| f.code != "OKR302")
    );
}
