//! Properties of every set, over random organisations and edits.

use okrs::{
    AlignmentModel, CheckIn, CheckInValue, Commitment, Date, Decimal, Document, GoogleScale,
    GradingScale, Link, Metric, NodeKind, OkrSet, Weight,
};
use proptest::prelude::*;
use proptest::sample::Index;

use crate::fuzz_harness::is_acyclic;
use crate::{d, generate};

fn proptest_config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn progress_stays_within_zero_and_the_cap(doc in generate::document()) {
        let set = OkrSet::from_document(doc).unwrap();
        let scale = GoogleScale::default();
        for node in set.nodes() {
            let p = node.progress().unwrap().value();
            prop_assert!(p >= Decimal::ZERO && p <= set.progress_cap(), "{} = {p}", node.id());
            let commitment = node.commitment();
            prop_assert_eq!(node.band(), Some(scale.band(node.progress().unwrap(), commitment)));
            prop_assert_eq!(commitment, Commitment::Aspirational);
        }
    }

    #[test]
    fn documents_round_trip(doc in generate::document()) {
        let text = doc.to_json().unwrap();
        let again = Document::from_json(&text).unwrap();
        prop_assert_eq!(&again, &doc);
        let set = OkrSet::from_document(doc).unwrap();
        let reloaded = OkrSet::from_document(set.to_document()).unwrap();
        prop_assert_eq!(set, reloaded);
    }

    #[test]
    fn the_graph_stays_acyclic_and_refused_links_change_nothing(
        doc in generate::document(),
        attempts in prop::collection::vec((any::<Index>(), any::<Index>(), any::<Option<bool>>()), 1..20),
    ) {
        let mut set = OkrSet::from_document(doc).unwrap();
        let ids: Vec<String> = set.nodes().map(|n| n.id().to_string()).collect();
        let objectives: Vec<String> = set.objectives().map(|n| n.id().to_string()).collect();
        for (from, to, contributes) in attempts {
            let from = &objectives[from.index(objectives.len())];
            let to = &ids[to.index(ids.len())];
            let mut link = Link::new(to.parse().unwrap());
            if let Some(c) = contributes {
                link = link.contributes(c);
            }
            let before = set.clone();
            if set.add_link(from, link).is_err() {
                prop_assert_eq!(&set, &before);
            }
            prop_assert!(is_acyclic(&set));
        }
    }

    #[test]
    fn incremental_roll_up_equals_a_full_one(
        doc in prop_oneof![generate::document(), generate::document_with_rules()],
        changes in prop::collection::vec((any::<Index>(), -40i64..40), 1..10),
    ) {
        let mut set = OkrSet::from_document(doc).unwrap();
        let krs = measured_key_results(&set);
        prop_assume!(!krs.is_empty());
        for (pick, value) in changes {
            let kr = &krs[pick.index(krs.len())];
            let metric = Metric::numeric(Decimal::ZERO, Decimal::from(20)).with_current(Decimal::from(value));
            set.set_metric(kr, Some(metric)).unwrap();
            let full = OkrSet::from_document(set.to_document()).unwrap();
            for node in full.nodes() {
                prop_assert_eq!(set.progress(node.id().as_str()), node.progress(), "{}", node.id());
            }
        }
    }

    #[test]
    fn check_ins_roll_up_incrementally_and_time_travel_replays_them(
        doc in prop_oneof![generate::document(), generate::document_with_rules()],
        check_ins in prop::collection::vec((any::<Index>(), 0i16..60, -40i64..40), 1..16),
        cut in 0i16..60,
    ) {
        let mut set = OkrSet::from_document(doc).unwrap();
        let krs = measured_key_results(&set);
        prop_assume!(!krs.is_empty());
        for kr in &krs {
            set.set_metric(kr, Some(Metric::numeric(Decimal::ZERO, Decimal::from(20)))).unwrap();
        }
        let start = Date::new(2027, 1, 1).unwrap();
        let day = |d: i16| start.checked_add(jiff_days(d)).unwrap();
        let mut replay = set.clone();
        for &(pick, d, value) in &check_ins {
            let kr = &krs[pick.index(krs.len())];
            let check_in = CheckIn::new(day(d).into(), CheckInValue::Number(Decimal::from(value)));
            set.check_in(kr, check_in.clone()).unwrap();
            if d <= cut {
                replay.check_in(kr, check_in).unwrap();
            }
        }
        // Incremental roll-up after each check-in equals a full reload.
        let reloaded = OkrSet::from_document(set.to_document()).unwrap();
        prop_assert_eq!(&reloaded, &set);
        // As of the end, the review is the live roll-up.
        let end = set.review(day(60));
        for node in set.nodes() {
            prop_assert_eq!(Some(end.get(node.id().as_str()).unwrap().progress), node.progress());
        }
        // As of the cut, it is the set with only the check-ins made by then.
        let past = set.review(day(cut));
        for node in replay.nodes() {
            prop_assert_eq!(
                Some(past.get(node.id().as_str()).unwrap().progress),
                node.progress(),
                "{} as of day {}", node.id(), cut
            );
        }
    }

    #[test]
    fn roll_up_ignores_the_order_of_objectives_key_results_and_links(
        doc in generate::document(),
        seed in any::<u64>(),
    ) {
        let set = OkrSet::from_document(doc.clone()).unwrap();
        let mut shuffled = doc;
        let mut rng = seed | 1;
        shuffle(&mut shuffled.objectives, &mut rng);
        for objective in &mut shuffled.objectives {
            shuffle(&mut objective.key_results, &mut rng);
            shuffle(&mut objective.aligned_to, &mut rng);
            for kr in &mut objective.key_results {
                shuffle(&mut kr.key_results, &mut rng);
            }
        }
        let other = OkrSet::from_document(shuffled).unwrap();
        for node in set.nodes() {
            prop_assert_eq!(other.progress(node.id().as_str()), node.progress(), "{}", node.id());
        }
    }

    #[test]
    fn scaling_every_weight_by_one_factor_changes_nothing(
        doc in generate::document(),
        factor in prop::sample::select(vec!["2", "10", "0.5", "3", "0.01"]),
    ) {
        let set = OkrSet::from_document(doc.clone()).unwrap();
        let factor = d(factor);
        let mut scaled = doc;
        for objective in &mut scaled.objectives {
            for link in &mut objective.aligned_to {
                link.weight = Weight::new(link.weight.value() * factor).unwrap();
            }
            let mut stack: Vec<&mut okrs::KeyResult> = objective.key_results.iter_mut().collect();
            while let Some(kr) = stack.pop() {
                kr.weight = Weight::new(kr.weight.value() * factor).unwrap();
                stack.extend(kr.key_results.iter_mut());
            }
        }
        let other = OkrSet::from_document(scaled).unwrap();
        // Quotients keep 28 significant digits: compare to 20 places.
        for node in set.nodes() {
            let a = node.progress().unwrap().value().round_dp(20);
            let b = other.progress(node.id().as_str()).unwrap().value().round_dp(20);
            prop_assert_eq!(a, b, "{}", node.id());
        }
    }

    #[test]
    fn moving_a_key_result_toward_its_target_never_lowers_an_ancestor(
        doc in generate::document(),
        pick in any::<Index>(),
        step in 1i64..30,
    ) {
        let mut set = OkrSet::from_document(doc).unwrap();
        let numeric: Vec<(String, Metric)> = set
            .nodes()
            .filter_map(|n| match n.metric() {
                Some(m @ Metric::Numeric { .. }) => Some((n.id().to_string(), m.clone())),
                _ => None,
            })
            .collect();
        prop_assume!(!numeric.is_empty());
        let (id, metric) = &numeric[pick.index(numeric.len())];
        let Metric::Numeric { start, target, current, .. } = metric else { unreachable!() };
        let now = current.unwrap_or(*start);
        let toward = if target > start { now + Decimal::from(step) } else { now - Decimal::from(step) };
        let before = set.clone();
        set.set_metric(id, Some(Metric::numeric(*start, *target).with_current(toward))).unwrap();
        for node in before.nodes() {
            let old = node.progress().unwrap();
            let new = set.progress(node.id().as_str()).unwrap();
            prop_assert!(new >= old, "{} fell from {} to {}", node.id(), old, new);
        }
    }

    #[test]
    fn directional_links_never_change_progress(doc in generate::document()) {
        let mut directional = doc;
        directional.alignment = AlignmentModel::Directional;
        for objective in &mut directional.objectives {
            for link in &mut objective.aligned_to {
                link.contributes = None;
            }
        }
        let mut unlinked = directional.clone();
        for objective in &mut unlinked.objectives {
            objective.aligned_to.clear();
        }
        let with_links = OkrSet::from_document(directional).unwrap();
        let without = OkrSet::from_document(unlinked).unwrap();
        for node in with_links.nodes() {
            prop_assert_eq!(without.progress(node.id().as_str()), node.progress(), "{}", node.id());
        }
    }

    #[test]
    fn nodes_keep_their_titles_through_removals_and_re_additions(
        doc in generate::document(),
        picks in prop::collection::vec(any::<Index>(), 1..12),
    ) {
        let set = OkrSet::from_document(doc).unwrap();
        let titles = |set: &OkrSet| -> Vec<(String, String)> {
            let mut titles: Vec<(String, String)> = set
                .nodes()
                .map(|n| (n.id().to_string(), n.title().to_owned()))
                .collect();
            titles.sort();
            titles
        };
        let original = titles(&set);
        let mut edited = set.clone();
        // Removing most objectives leaves more unused title text than used:
        // the set compacts its titles on the way.
        let mut removed = Vec::new();
        for pick in picks {
            let ids: Vec<String> = edited.objectives().map(|o| o.id().to_string()).collect();
            if ids.is_empty() {
                break;
            }
            if let Ok(objective) = edited.remove_objective(&ids[pick.index(ids.len())]) {
                removed.push(objective);
            }
        }
        for (id, title) in titles(&edited) {
            prop_assert!(original.contains(&(id.clone(), title.clone())), "{id}: {title}");
        }
        for objective in removed.into_iter().rev() {
            edited.add_objective(objective).unwrap();
        }
        prop_assert_eq!(titles(&edited), original);
    }
}

fn jiff_days(days: i16) -> okrs::jiff::Span {
    okrs::jiff::Span::new().days(days)
}

/// Fisher–Yates with a xorshift generator: a reproducible shuffle.
fn shuffle<T>(items: &mut [T], state: &mut u64) {
    for i in (1..items.len()).rev() {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        let j = (*state % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// The ids of the key results measured by a metric.
pub(crate) fn measured_key_results(set: &OkrSet) -> Vec<String> {
    set.nodes()
        .filter(|n| n.kind() == NodeKind::KeyResult && n.metric().is_some())
        .map(|n| n.id().to_string())
        .collect()
}
