//! Alignment coverage, distributions and impact on hand-computed
//! organisations.

use okrs::{Band, Date, Error, GroupBy, OkrSet, Status};

use crate::{d, load};

/// A cascading organisation, by hand:
///
/// - company `co` has key result `rev` (weight 3, numeric 0 → 100 at 50)
///   and receives team `ta` (link weight 1): two groups of one member each,
///   so `co` = (0.5 + ta) / 2 (weights are relative within their group);
/// - team `ta` has key results `a1` (weight 1, binary, not done) and `a2`
///   (weight 3, manual 0.2): `ta` = (0 + 3 × 0.2) / 4 = 0.15;
/// - team `tb` (owner `bob`) aligns to nothing; individual `ia` supports `ta`
///   without contributing.
fn org() -> OkrSet {
    load(
        r#"{ "format": "okrs/1", "alignment": "cascading",
        "periods": [ { "id": "Q", "start": "2027-01-01", "end": "2027-03-31" } ],
        "objectives": [
          { "id": "co", "title": "Company", "level": "company", "owners": ["ceo"], "period": "Q",
            "key_results": [ { "id": "rev", "title": "Revenue", "weight": "3",
              "metric": { "kind": "numeric", "start": "0", "target": "100", "current": "50" } } ] },
          { "id": "ta", "title": "Team A", "level": "team", "owners": ["ann"], "period": "Q",
            "aligned_to": [ { "id": "co" } ],
            "key_results": [
              { "id": "a1", "title": "A1", "weight": "1", "metric": { "kind": "binary" } },
              { "id": "a2", "title": "A2", "weight": "3", "metric": { "kind": "manual", "progress": "0.2" } } ] },
          { "id": "tb", "title": "Team B", "level": "team", "owners": ["bob"], "period": "Q",
            "key_results": [ { "id": "b1", "title": "B1", "metric": { "kind": "binary", "done": true } } ] },
          { "id": "ia", "title": "Ann's", "level": "individual", "owners": ["ann"],
            "aligned_to": [ { "id": "ta", "contributes": false } ],
            "key_results": [ { "id": "i1", "title": "I1", "metric": { "kind": "manual", "progress": "0.9" } } ] } ] }"#,
    )
}

#[test]
fn the_hand_computed_roll_up_holds() {
    let set = org();
    assert_eq!(set.progress("ta").unwrap().value(), d("0.15"));
    assert_eq!(set.progress("co").unwrap().value(), d("0.325")); // (0.5 + 0.15) / 2
}

#[test]
fn alignment_coverage_per_level_and_owner() {
    let coverage = org().alignment_coverage();
    // Below the top: ta (aligned), tb (not), ia (aligned).
    assert_eq!((coverage.overall.aligned, coverage.overall.total), (2, 3));
    assert_eq!(coverage.overall.share().unwrap().round_dp(4), d("0.6667"));
    let level = |name: &str| coverage.by_level.iter().find(|(l, _)| l == name).unwrap().1;
    assert_eq!((level("team").aligned, level("team").total), (1, 2));
    assert_eq!(
        (level("individual").aligned, level("individual").total),
        (1, 1)
    );
    assert!(coverage.by_level.iter().all(|(l, _)| l != "company"));
    let owner = |name: &str| coverage.by_owner.iter().find(|(o, _)| o == name).unwrap().1;
    assert_eq!((owner("ann").aligned, owner("ann").total), (2, 2));
    assert_eq!((owner("bob").aligned, owner("bob").total), (0, 1));
}

#[test]
fn distributions_per_level_owner_and_period() {
    let set = org();
    let review = set.review(Date::new(2027, 2, 14).unwrap());
    let by_level = set.distribution(&review, GroupBy::Level);
    let names: Vec<&str> = by_level.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["company", "team", "individual"]);
    let team = &by_level[1].1;
    assert_eq!(team.objectives, 2);
    // (0.15 + 1) / 2
    assert_eq!(team.mean_progress.unwrap().value(), d("0.575"));
    assert_eq!(team.band_count(Band::Red), 1);
    assert_eq!(team.band_count(Band::Green), 1);
    assert_eq!(team.status_count(Status::Done), 1);
    // 0.15 against 0.7 × 44 / 89 aimed for: gap −0.196 (against 44 / 89,
    // −0.34, it was at risk).
    assert_eq!(team.status_count(Status::OnTrack), 1);
    let by_owner = set.distribution(&review, GroupBy::Owner);
    let owners: Vec<&str> = by_owner.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(owners, ["ann", "bob", "ceo"]);
    assert_eq!(by_owner[0].1.objectives, 2);
    let by_period = set.distribution(&review, GroupBy::Period);
    assert_eq!(by_period[0].0, "Q");
    assert_eq!(by_period[0].1.objectives, 3);
    assert_eq!(by_period[1].0, "(no period)");
    assert_eq!(by_period[1].1.statuses, vec![]);
}

#[test]
fn impact_multiplies_normalised_weights_along_paths() {
    let set = org();
    let impact = set.impact("co").unwrap();
    let share = |kr: &str| {
        impact
            .iter()
            .find(|i| i.key_result.as_str() == kr)
            .map(|i| i.share)
    };
    assert_eq!(share("rev"), Some(d("0.5"))); // one of two groups' members
    assert_eq!(share("a1"), Some(d("0.125"))); // 1/2 × 1/4
    assert_eq!(share("a2"), Some(d("0.375"))); // 1/2 × 3/4
    assert_eq!(share("i1"), None); // supports without contributing
    assert_eq!(share("b1"), None); // not aligned
    let total: okrs::Decimal = impact.iter().map(|i| i.share).sum();
    assert_eq!(total, d("1"));
    // What-if: rev done → co = (1 + 0.15) / 2 = 0.575, a gain of 0.25.
    let rev = impact
        .iter()
        .find(|i| i.key_result.as_str() == "rev")
        .unwrap();
    assert_eq!(rev.before.value(), d("0.325"));
    assert_eq!(rev.after.value(), d("0.575"));
    assert_eq!(rev.gain(), d("0.25"));
    // a1 done → ta = (1 + 0.6) / 4 = 0.4 → co = (0.5 + 0.4) / 2 = 0.45.
    assert_eq!(set.what_if("a1", "co").unwrap().value(), d("0.45"));
    // Largest gain first: a2 done → ta = 0.75 → co = 0.625, a gain of 0.3.
    assert_eq!(impact[0].key_result.as_str(), "a2");
    assert_eq!(impact[0].gain(), d("0.3"));
    // The what-if changes nothing in the set.
    assert_eq!(set.progress("co").unwrap().value(), d("0.325"));
}

#[test]
fn what_if_is_exact_for_min_as_well() {
    let set = load(
        r#"{ "format": "okrs/1", "grading": "min", "objectives": [
        { "id": "o", "title": "O", "level": "team", "key_results": [
          { "id": "a", "title": "A", "metric": { "kind": "manual", "progress": "0.2" } },
          { "id": "b", "title": "B", "metric": { "kind": "manual", "progress": "0.6" } } ] } ] }"#,
    );
    assert_eq!(set.what_if("a", "o").unwrap().value(), d("0.6"));
    assert_eq!(set.what_if("b", "o").unwrap().value(), d("0.2"));
}

#[test]
fn impact_errors_name_the_node() {
    let set = org();
    assert_eq!(
        set.impact("nobody"),
        Err(Error::UnknownNode("nobody".parse().unwrap()))
    );
    assert!(matches!(
        set.what_if("co", "co"),
        Err(Error::WrongKind { .. })
    ));
}

#[test]
fn shares_survive_weights_near_the_decimal_range() {
    let set = load(
        r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O", "level": "team", "key_results": [
        { "id": "a", "title": "A", "weight": "39614081257132168796771975167", "metric": { "kind": "binary" } },
        { "id": "b", "title": "B", "weight": "39614081257132168796771975167", "metric": { "kind": "binary" } } ] } ] }"#,
    );
    let impact = set.impact("o").unwrap();
    assert_eq!(impact.len(), 2);
    assert!(impact.iter().all(|i| i.share == d("0.5")), "{impact:?}");
}

mod wide {
    use okrs::{
        AlignmentModel, Decimal, Document, KeyResult, Link, Metric, Objective, OkrSet, Weight,
    };
    use proptest::prelude::*;

    /// A team objective with `values.len()` key results (more than 32, so
    /// it keeps partial sums) contributing to a company objective with two
    /// key results of its own.
    fn organisation(values: &[(u8, u8)], strategy: &str) -> OkrSet {
        let numeric = |v: u8| {
            Metric::numeric(Decimal::ZERO, Decimal::TEN).with_current(Decimal::from(v % 11))
        };
        let mut team = Objective::new("team".parse().unwrap(), "Team", "team")
            .with_strategy(strategy)
            .with_link(Link::new("co".parse().unwrap()));
        for (i, &(weight, value)) in values.iter().enumerate() {
            team = team.with_key_result(
                KeyResult::new(format!("k{i}").parse().unwrap(), "K")
                    .with_weight(Weight::new(Decimal::from(weight % 5 + 1)).unwrap())
                    .with_metric(numeric(value)),
            );
        }
        let co = Objective::new("co".parse().unwrap(), "Company", "company")
            .with_key_result(KeyResult::new("c0".parse().unwrap(), "C").with_metric(numeric(3)))
            .with_key_result(KeyResult::new("c1".parse().unwrap(), "C").with_metric(numeric(7)));
        let mut document = Document::new(AlignmentModel::Cascading);
        document.objectives = vec![co, team];
        OkrSet::from_document(document).unwrap()
    }

    /// A company objective of two wide groups: `values.len()` key results
    /// and as many team objectives aligned to it (each with one key
    /// result), weights drawn from `values`; with a key result of weight 2
    /// among weights 1 the groups keep their sums apart
    /// (`Evaluator::Groups`).
    fn two_groups(values: &[(u8, u8)], uneven: bool) -> OkrSet {
        let numeric = |v: u8| {
            Metric::numeric(Decimal::ZERO, Decimal::TEN).with_current(Decimal::from(v % 11))
        };
        let weight =
            |w: u8| Weight::new(Decimal::from(if uneven { w % 3 + 1 } else { 1 })).unwrap();
        let mut co = Objective::new("co".parse().unwrap(), "Company", "company");
        let mut objectives = Vec::new();
        for (i, &(w, value)) in values.iter().enumerate() {
            let first = if i == 0 {
                Weight::new(Decimal::TWO).unwrap()
            } else {
                weight(w)
            };
            co = co.with_key_result(
                KeyResult::new(format!("c{i}").parse().unwrap(), "C")
                    .with_weight(first)
                    .with_metric(numeric(value)),
            );
            objectives.push(
                Objective::new(format!("t{i}").parse().unwrap(), "Team", "team")
                    .with_link(Link::new("co".parse().unwrap()).with_weight(weight(value)))
                    .with_key_result(
                        KeyResult::new(format!("k{i}").parse().unwrap(), "K")
                            .with_metric(numeric((value / 3) ^ w)),
                    ),
            );
        }
        objectives.insert(0, co);
        let mut document = Document::new(AlignmentModel::Cascading);
        document.objectives = objectives;
        OkrSet::from_document(document).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// A what-if through a node of two wide groups, each keeping its
        /// sums, equals recording the key result at its target, to the
        /// last digit, from either group; and so does impact's.
        #[test]
        fn what_if_through_two_wide_groups_equals_reaching_the_target(
            values in proptest::collection::vec((any::<u8>(), any::<u8>()), 33..120),
            pick in any::<proptest::sample::Index>(),
            uneven in any::<bool>(),
            clamp in any::<bool>(),
        ) {
            let mut set = two_groups(&values, uneven);
            if !clamp {
                let mut document = set.to_document();
                document.progress_cap = Decimal::new(15, 1);
                document.overachievement = okrs::Overachievement::Counts;
                set = OkrSet::from_document(document).unwrap();
            }
            let impact = set.impact("co").unwrap();
            let i = pick.index(values.len());
            for k in [format!("k{i}"), format!("c{i}")] {
                let mut reached = set.clone();
                reached
                    .set_metric(&k, Some(Metric::numeric(Decimal::ZERO, Decimal::TEN).with_current(Decimal::TEN)))
                    .unwrap();
                let expected = reached.progress("co").unwrap().value();
                prop_assert_eq!(set.what_if(&k, "co").unwrap().value(), expected, "{}", k);
                if let Some(found) = impact.iter().find(|x| x.key_result.as_str() == k) {
                    prop_assert_eq!(found.after.value(), expected, "impact of {}", k);
                }
            }
        }

        /// A what-if through kept partial sums equals recording the key
        /// result at its target and reading the objectives, to the last
        /// digit, under every built-in strategy.
        #[test]
        fn what_if_through_kept_sums_equals_reaching_the_target(
            values in proptest::collection::vec((any::<u8>(), any::<u8>()), 33..150),
            pick in any::<proptest::sample::Index>(),
            strategy in prop_oneof![Just("weighted-mean"), Just("mean"), Just("min")],
        ) {
            let set = organisation(&values, strategy);
            let k = format!("k{}", pick.index(values.len()));
            let mut reached = set.clone();
            reached
                .set_metric(&k, Some(Metric::numeric(Decimal::ZERO, Decimal::TEN).with_current(Decimal::TEN)))
                .unwrap();
            for target in ["team", "co"] {
                prop_assert_eq!(
                    set.what_if(&k, target).unwrap().value(),
                    reached.progress(target).unwrap().value(),
                    "{} on {}", k, target
                );
            }
        }
    }
}

/// The impact of a seeded realistic organisation's objectives, pinned by a
/// hash of every digit: the way impact is computed may change, its output
/// may not.
mod pinned {
    use okrs::{AggregationStrategy, Contribution, Decimal, Document, OkrSet, Overachievement};

    /// A strategy the engine cannot see into: the best counted input.
    #[derive(Debug)]
    struct Best;

    impl AggregationStrategy for Best {
        fn name(&self) -> &str {
            "best"
        }
        fn aggregate(&self, contributions: &[Contribution]) -> Decimal {
            contributions
                .iter()
                .filter(|c| !c.weight.value().is_zero())
                .map(|c| c.progress.value())
                .max()
                .unwrap_or_default()
        }
    }

    /// FNV-1a: a hash that stays the same across Rust releases.
    fn fnv(text: &str) -> u64 {
        text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    /// Every line of `impact(target)`, each number with all its digits.
    fn lines(set: &OkrSet, target: &str) -> String {
        let mut out = String::new();
        for i in set.impact(target).unwrap() {
            out.push_str(&format!(
                "{target} {} {} {} {}\n",
                i.key_result, i.share, i.before, i.after
            ));
        }
        out
    }

    fn realistic() -> Document {
        okrs::sample::realistic(60_000, 42)
    }

    /// Hash and line count of the impact of the company objectives, a
    /// department objective and a key result with sub-key results.
    fn digest(set: &OkrSet) -> (u64, usize) {
        let mut text = String::new();
        for target in ["co0", "co1", "co2", "d0o0", "d0o0k0", "d3o1"] {
            if set.node(target).is_some() {
                text.push_str(&lines(set, target));
            }
        }
        (fnv(&text), text.lines().count())
    }

    #[test]
    fn the_top_objective_is_wide() {
        let set = OkrSet::from_document(realistic()).unwrap();
        let co0 = set.node("co0").unwrap();
        assert!(
            co0.supporters().count() > 32,
            "{}",
            co0.supporters().count()
        );
    }

    #[test]
    fn impact_of_a_realistic_organisation_is_pinned() {
        let set = OkrSet::from_document(realistic()).unwrap();
        assert_eq!(digest(&set), (8_868_305_189_278_801_040, 54_404));
    }

    #[test]
    fn impact_under_other_rules_is_pinned() {
        type Rules = fn(&mut Document);
        let variants: [(&str, Rules); 6] = [
            ("mean", |d| d.strategy = "mean".into()),
            ("min", |d| d.strategy = "min".into()),
            ("best", |d| d.strategy = "best".into()),
            ("counts", |d| {
                d.progress_cap = Decimal::new(15, 1);
                d.overachievement = Overachievement::Counts;
            }),
            ("aligned", |d| {
                for o in &mut d.objectives {
                    if o.level == "company" {
                        o.progress_from = Some(okrs::ProgressFrom::Aligned);
                    }
                }
            }),
            ("sum-of-values", |d| {
                for o in &mut d.objectives {
                    for k in &mut o.key_results {
                        if !k.key_results.is_empty() {
                            k.strategy = Some("sum-of-values".into());
                        }
                        // Distances of their own, so that the sum differs
                        // from a mean.
                        for (i, sub) in k.key_results.iter_mut().enumerate() {
                            if let Some(okrs::Metric::Numeric { target, .. }) = &mut sub.metric {
                                *target = Decimal::from(50 * (i + 1));
                            }
                        }
                    }
                }
            }),
        ];
        let mut found = Vec::new();
        for (name, change) in variants {
            let mut doc = realistic();
            change(&mut doc);
            let set = OkrSet::builder().strategy(Best).build(doc).unwrap();
            found.push((name, digest(&set)));
        }
        assert_eq!(
            found,
            [
                ("mean", (14_098_191_381_654_907_187, 54_404)),
                ("min", (10_966_470_980_881_689_982, 54_404)),
                ("best", (18_051_727_484_055_673_111, 54_404)),
                ("counts", (11_070_022_506_764_529_788, 54_404)),
                ("aligned", (3_235_195_744_492_921_586, 54_399)),
                ("sum-of-values", (3_916_339_538_790_596_054, 54_404)),
            ]
        );
    }
}

/// Impact sorts by gain (largest first), then share, then id, whatever
/// the gains' signs: a strategy that falls as its inputs rise gives
/// negative gains.
#[test]
fn impact_is_sorted_by_gain_share_and_id_even_when_gains_are_negative() {
    use okrs::{AggregationStrategy, Contribution, Decimal, OkrSet};
    #[derive(Debug)]
    struct Falling;
    impl AggregationStrategy for Falling {
        fn name(&self) -> &str {
            "falling"
        }
        fn aggregate(&self, contributions: &[Contribution]) -> Decimal {
            let sum: Decimal = contributions
                .iter()
                .map(|c| c.weight.value() * c.progress.value())
                .sum();
            let total: Decimal = contributions.iter().map(|c| c.weight.value()).sum();
            (Decimal::ONE - sum / total).max(Decimal::ZERO)
        }
    }
    let json = r#"{ "format": "okrs/1", "grading": "falling", "objectives": [
      { "id": "o", "title": "O", "level": "team", "key_results": [
        { "id": "a", "title": "A", "weight": "2", "metric": { "kind": "numeric", "start": "0", "target": "10", "current": "1" } },
        { "id": "b", "title": "B", "metric": { "kind": "numeric", "start": "0", "target": "10", "current": "5" } },
        { "id": "c", "title": "C", "metric": { "kind": "numeric", "start": "0", "target": "10", "current": "5" } },
        { "id": "d", "title": "D", "metric": { "kind": "numeric", "start": "0", "target": "10", "current": "10" } } ] } ] }"#;
    let document = okrs::Document::from_json(json).unwrap();
    let set = OkrSet::builder().strategy(Falling).build(document).unwrap();
    let impact = set.impact("o").unwrap();
    let order: Vec<&str> = impact.iter().map(|i| i.key_result.as_str()).collect();
    assert_eq!(order, ["d", "b", "c", "a"]);
    assert!(impact[3].gain() < Decimal::ZERO, "{impact:?}");
}
