//! The synthetic organisation and the batch edits.

use okrs::{CheckIn, CheckInValue, Decimal, Error, Metric, OkrSet};
use proptest::prelude::*;

use crate::d;
use crate::properties::measured_key_results;

#[test]
fn the_synthetic_organisation_has_the_promised_shape() {
    let doc = okrs::sample::synthetic(10_000, 3);
    assert_eq!(doc, okrs::sample::synthetic(10_000, 3), "deterministic");
    assert_ne!(doc, okrs::sample::synthetic(10_000, 4), "seeded");
    let set = OkrSet::from_document(doc.clone()).unwrap();
    let nodes = set.nodes().len();
    assert!((10_000..10_020).contains(&nodes), "{nodes}");
    let objectives = doc.objectives.len();
    let two_parents = doc
        .objectives
        .iter()
        .filter(|o| o.aligned_to.len() == 2)
        .count();
    // One in ten of those that can have two (all but the company's).
    let share = two_parents as f64 / objectives as f64;
    assert!((0.05..0.15).contains(&share), "{share}");
    for objective in &doc.objectives {
        assert!((2..=4).contains(&objective.key_results.len()));
    }
    assert_eq!(
        set.objectives()
            .filter(|o| o.level() == Some("company"))
            .count(),
        doc.objectives
            .iter()
            .filter(|o| o.level == "company")
            .count()
    );
}

#[test]
fn a_batch_is_all_or_nothing() {
    let mut set = OkrSet::from_document(okrs::sample::synthetic(300, 1)).unwrap();
    let krs: Vec<String> = measured_key_results(&set).into_iter().take(20).collect();
    let before = set.clone();
    let mut batch: Vec<(String, Option<Metric>)> = krs
        .iter()
        .map(|k| {
            (
                k.clone(),
                Some(Metric::numeric(d("0"), d("10")).with_current(d("7"))),
            )
        })
        .collect();
    batch.push(("nobody".into(), None));
    assert!(matches!(
        set.set_metric_many(batch),
        Err(Error::UnknownNode(_))
    ));
    assert_eq!(set, before);
    // Check-ins need metrics at their start: a key result measured by its
    // own current value refuses them, and so the whole batch.
    let checks: Vec<(String, CheckIn)> = krs
        .iter()
        .map(|k| {
            (
                k.clone(),
                CheckIn::new("2027-01-01".parse().unwrap(), CheckInValue::Number(d("3"))),
            )
        })
        .collect();
    assert!(matches!(
        set.check_in_many(checks),
        Err(Error::CurrentAndCheckIns(_))
    ));
    assert_eq!(set, before);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn a_batch_equals_the_same_edits_one_by_one(
        seed in any::<u64>(),
        values in prop::collection::vec((any::<prop::sample::Index>(), 0i64..=10), 1..40),
    ) {
        let mut one_by_one = OkrSet::from_document(okrs::sample::synthetic(400, seed)).unwrap();
        let krs = measured_key_results(&one_by_one);
        // Reset the picked key results to their start so that they take check-ins.
        let picked: Vec<(String, i64)> = values
            .iter()
            .map(|(i, v)| (krs[i.index(krs.len())].clone(), *v))
            .collect();
        let start = Metric::numeric(Decimal::ZERO, Decimal::TEN);
        for (kr, _) in &picked {
            one_by_one.set_metric(kr, Some(start.clone())).unwrap();
        }
        let mut batch = one_by_one.clone();
        let at: okrs::Moment = "2027-02-01".parse().unwrap();
        for (kr, v) in &picked {
            one_by_one.check_in(kr, CheckIn::new(at, CheckInValue::Number(Decimal::from(*v)))).unwrap();
        }
        batch
            .check_in_many(picked.iter().map(|(kr, v)| (kr, CheckIn::new(at, CheckInValue::Number(Decimal::from(*v))))))
            .unwrap();
        prop_assert_eq!(&batch, &one_by_one);
        let reloaded = OkrSet::from_document(batch.to_document()).unwrap();
        prop_assert_eq!(reloaded, batch);
    }
}
