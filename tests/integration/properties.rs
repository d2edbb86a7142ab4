//! Properties of every set, over random organisations and edits.

use std::collections::HashMap;

use okrs::{
    CheckIn, CheckInValue, Commitment, Date, Decimal, Document, GoogleScale, GradingScale, Link,
    Metric, NodeKind, OkrSet,
};
use proptest::prelude::*;
use proptest::sample::Index;

use crate::generate;

/// Depth-first search over the public view (key result → parent, objective →
/// link targets) for a cycle.
fn is_acyclic(set: &OkrSet) -> bool {
    let mut state: HashMap<String, u8> = HashMap::new(); // 1 visiting, 2 done
    for start in set.nodes() {
        if state.contains_key(start.id().as_str()) {
            continue;
        }
        let mut stack = vec![(start, false)];
        while let Some((node, leaving)) = stack.pop() {
            let id = node.id().as_str().to_owned();
            if leaving {
                state.insert(id, 2);
                continue;
            }
            match state.get(&id) {
                Some(2) => continue,
                Some(1) => return false,
                _ => {}
            }
            state.insert(id, 1);
            stack.push((node, true));
            let ups = node
                .parent()
                .into_iter()
                .chain(node.aligned_to().map(|(t, _, _)| t));
            for up in ups {
                match state.get(up.id().as_str()) {
                    Some(1) => return false,
                    Some(2) => {}
                    _ => stack.push((up, false)),
                }
            }
        }
    }
    true
}

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
        let ids: Vec<String> = set.nodes().iter().map(|n| n.id().to_string()).collect();
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
        doc in generate::document(),
        changes in prop::collection::vec((any::<Index>(), -40i64..40), 1..10),
    ) {
        let mut set = OkrSet::from_document(doc).unwrap();
        let krs: Vec<String> = set
            .nodes()
            .iter()
            .filter(|n| n.kind() == NodeKind::KeyResult && n.metric().is_some())
            .map(|n| n.id().to_string())
            .collect();
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
        doc in generate::document(),
        check_ins in prop::collection::vec((any::<Index>(), 0i16..60, -40i64..40), 1..16),
        cut in 0i16..60,
    ) {
        let mut set = OkrSet::from_document(doc).unwrap();
        let krs: Vec<String> = set
            .nodes()
            .iter()
            .filter(|n| n.kind() == NodeKind::KeyResult && n.metric().is_some())
            .map(|n| n.id().to_string())
            .collect();
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
}

fn jiff_days(days: i16) -> okrs::jiff::Span {
    okrs::jiff::Span::new().days(days)
}
