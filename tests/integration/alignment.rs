use okrs::{AlignmentModel, Document, Error, KeyResult, Link, Metric, Objective, OkrSet};

use crate::{d, progress};

fn id(text: &str) -> okrs::Id {
    text.parse().unwrap()
}

/// A company objective with one measured key result and one unmeasured,
/// and a team objective whose only key result is done.
fn org(model: AlignmentModel, link: Link) -> Result<OkrSet, Error> {
    let doc = Document::new(model)
        .with_objective(
            Objective::new(id("co"), "Company", "company")
                .with_key_result(
                    KeyResult::new(id("co-kr"), "Measured")
                        .with_metric(Metric::numeric(d("0"), d("10"))),
                )
                .with_key_result(KeyResult::new(id("co-open"), "Measured by teams")),
        )
        .with_objective(
            Objective::new(id("team"), "Team", "team")
                .with_link(link)
                .with_key_result(
                    KeyResult::new(id("team-kr"), "Done").with_metric(Metric::binary(true)),
                ),
        );
    OkrSet::from_document(doc)
}

#[test]
fn directional_links_are_visible_but_carry_no_progress() {
    let set = org(AlignmentModel::Directional, Link::new(id("co-kr"))).unwrap();
    assert_eq!(progress(&set, "co"), d("0"));
    let team = set.node("team").unwrap();
    let link = team.aligned_to().next().unwrap();
    let (target, contributes) = (link.target(), link.contributes());
    assert_eq!(target.id().as_str(), "co-kr");
    assert!(!contributes);
    assert_eq!(set.node("co-kr").unwrap().supporters().count(), 1);
}

#[test]
fn cascading_to_an_objective_counts_like_one_more_key_result() {
    let set = org(
        AlignmentModel::Cascading,
        Link::new(id("co")).with_weight("2".parse().unwrap()),
    )
    .unwrap();
    // co: key results co-kr 0 and co-open 0 (two members), and team 1
    // (one member: its weight 2 is relative within its own group) → 1/3.
    // (Before 0.3 the link's weight shared the key results' denominator: 2/4.)
    assert_eq!(progress(&set, "co"), d("1") / d("3"));
}

#[test]
fn cascading_to_an_unmeasured_key_result_measures_it() {
    let set = org(AlignmentModel::Cascading, Link::new(id("co-open"))).unwrap();
    assert_eq!(progress(&set, "co-open"), d("1"));
    assert_eq!(progress(&set, "co"), d("0.5"));
}

#[test]
fn cascading_to_a_measured_key_result_is_refused() {
    let err = org(AlignmentModel::Cascading, Link::new(id("co-kr"))).unwrap_err();
    assert_eq!(
        err,
        Error::ContributesToMeasuredKeyResult {
            from: id("team"),
            target: id("co-kr")
        }
    );
    // …unless the link only supports.
    assert!(
        org(
            AlignmentModel::Cascading,
            Link::new(id("co-kr")).contributes(false)
        )
        .is_ok()
    );
}

#[test]
fn links_may_override_the_model() {
    let set = org(
        AlignmentModel::Directional,
        Link::new(id("co")).contributes(true),
    )
    .unwrap();
    assert_eq!(progress(&set, "co"), d("1") / d("3"));
    let set = org(
        AlignmentModel::Cascading,
        Link::new(id("co")).contributes(false),
    )
    .unwrap();
    assert_eq!(progress(&set, "co"), d("0"));
}

#[test]
fn transparency_has_no_links() {
    let err = org(AlignmentModel::Transparency, Link::new(id("co"))).unwrap_err();
    assert_eq!(err, Error::LinksForbidden(id("team")));
    assert!(err.to_string().contains("transparency"));
}

#[test]
fn links_never_point_down_the_levels() {
    let doc = Document::new(AlignmentModel::Cascading)
        .with_objective(Objective::new(id("team"), "Team", "team"))
        .with_objective(
            Objective::new(id("co"), "Company", "company").with_link(Link::new(id("team"))),
        );
    let err = OkrSet::from_document(doc).unwrap_err();
    assert!(matches!(err, Error::LinkToLowerLevel { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        r#"objective "co" (company) cannot align to "team" on the lower level team"#
    );
}

#[test]
fn unknown_and_invalid_targets_are_named() {
    let err = org(AlignmentModel::Directional, Link::new(id("nowhere"))).unwrap_err();
    assert_eq!(
        err,
        Error::UnknownLinkTarget {
            from: id("team"),
            target: id("nowhere")
        }
    );
    let err = org(AlignmentModel::Directional, Link::new(id("team"))).unwrap_err();
    assert_eq!(
        err,
        Error::InvalidLinkTarget {
            from: id("team"),
            target: id("team")
        }
    );
}

#[test]
fn multiple_parents_make_a_dag() {
    let doc = Document::new(AlignmentModel::Cascading)
        .with_objective(Objective::new(id("a"), "A", "company"))
        .with_objective(Objective::new(id("b"), "B", "company"))
        .with_objective(
            Objective::new(id("t"), "T", "team")
                .with_link(Link::new(id("a")))
                .with_link(Link::new(id("b")))
                .with_key_result(
                    KeyResult::new(id("k"), "K").with_metric(Metric::manual(d("0.6"))),
                ),
        );
    let set = OkrSet::from_document(doc).unwrap();
    assert_eq!(progress(&set, "a"), d("0.6"));
    assert_eq!(progress(&set, "b"), d("0.6"));
}

#[test]
fn a_cycle_in_a_document_is_refused_with_its_path() {
    let doc = Document::new(AlignmentModel::Cascading)
        .with_objective(Objective::new(id("a"), "A", "team").with_link(Link::new(id("c"))))
        .with_objective(Objective::new(id("b"), "B", "team").with_link(Link::new(id("a"))))
        .with_objective(Objective::new(id("c"), "C", "team").with_link(Link::new(id("b"))));
    let Error::Cycle { path } = OkrSet::from_document(doc).unwrap_err() else {
        panic!("expected a cycle")
    };
    assert_eq!(path.len(), 4);
    assert_eq!(path.first(), path.last());
    let mut members: Vec<&str> = path[..3].iter().map(|i| i.as_str()).collect();
    members.sort_unstable();
    assert_eq!(members, ["a", "b", "c"]);
}

#[test]
fn a_link_through_a_key_result_that_closes_a_cycle_is_refused() {
    let doc = Document::new(AlignmentModel::Directional)
        .with_objective(
            Objective::new(id("a"), "A", "team")
                .with_key_result(KeyResult::new(id("a-kr"), "A KR")),
        )
        .with_objective(Objective::new(id("b"), "B", "team").with_link(Link::new(id("a-kr"))));
    let mut set = OkrSet::from_document(doc).unwrap();
    let before = set.clone();
    let err = set.add_link("a", Link::new(id("b"))).unwrap_err();
    assert_eq!(err.to_string(), "alignment cycle: a -> b -> a-kr -> a");
    assert_eq!(set, before);
}

#[test]
fn a_hundred_thousand_deep_chain_has_no_stack_overflow() {
    const N: usize = 100_000;
    let mut doc = Document::new(AlignmentModel::Cascading);
    for i in 0..N {
        let mut objective = Objective::new(id(&format!("o{i}")), "Link in a chain", "team");
        if i > 0 {
            objective = objective.with_link(Link::new(id(&format!("o{}", i - 1))));
        }
        if i == N - 1 {
            let seed = KeyResult::new(id("seed"), "Seed").with_metric(Metric::manual(d("0.5")));
            objective = objective.with_key_result(seed);
        }
        doc.objectives.push(objective);
    }
    // Links point to objectives listed earlier and later alike.
    doc.objectives.reverse();
    let mut set = OkrSet::from_document(doc).unwrap();
    // The only measurement sits at the bottom: it travels the whole chain.
    assert_eq!(progress(&set, "o0"), d("0.5"));
    // Closing the chain into a cycle is refused after a 100,000-node search.
    let err = set
        .add_link("o0", Link::new(id(&format!("o{}", N - 1))))
        .unwrap_err();
    let Error::Cycle { path } = err else {
        panic!("expected a cycle")
    };
    assert_eq!(path.len(), N + 1);
    let back = set.to_document();
    assert_eq!(back.objectives.len(), N);
    drop(set);
    drop(back);
}

#[test]
fn a_hundred_thousand_node_cycle_is_refused_with_its_whole_path() {
    const N: usize = 100_000;
    let mut doc = Document::new(AlignmentModel::Directional);
    for i in 0..N {
        let next = format!("o{}", (i + 1) % N);
        doc.objectives.push(
            Objective::new(id(&format!("o{i}")), "Link in a ring", "team")
                .with_link(Link::new(id(&next))),
        );
    }
    let Error::Cycle { path } = OkrSet::from_document(doc).unwrap_err() else {
        panic!("expected a cycle")
    };
    assert_eq!(path.len(), N + 1);
    assert_eq!(path.first(), path.last());
}
