use okrs::{
    AggregationStrategy, Band, Commitment, Contribution, Decimal, Document, Error, GradingScale,
    KeyResult, Metric, Objective, OkrSet, Progress,
};

use crate::{d, load, progress};

const BIZOPS: &str = r#"{ "format": "okrs/1", "grading": "GRADING", "objectives": [
  { "id": "grow-bizops", "title": "Grow the BizOps team", "level": "team", "owners": ["dir-bizops"],
    "key_results": [
      { "id": "hire-assistant", "title": "Hire 1 assistant", "weight": "20",
        "metric": { "kind": "binary", "done": true } },
      { "id": "hire-sdrs", "title": "Hire 3 SDRs", "weight": "30",
        "metric": { "kind": "numeric", "start": "0", "target": "3", "current": "1" } },
      { "id": "onboarding", "title": "Set up an onboarding system", "weight": "50",
        "metric": { "kind": "binary", "done": false } } ] } ] }"#;

fn bizops(grading: &str) -> OkrSet {
    load(&BIZOPS.replace("GRADING", grading))
}

#[test]
fn weighted_mean_is_the_seeds_weighted_example() {
    let set = bizops("weighted-mean");
    // (20 × 1 + 30 × 1/3 + 50 × 0) / 100, divided once.
    let expected = (d("20") + d("30") * (d("1") / d("3"))) / d("100");
    assert_eq!(progress(&set, "grow-bizops"), expected);
    assert_eq!(set.band("grow-bizops"), Some(Band::Red));
}

#[test]
fn relative_weights_mean_the_same_at_any_scale() {
    let a = bizops("weighted-mean");
    let b = load(
        &BIZOPS
            .replace("GRADING", "weighted-mean")
            .replace(r#""weight": "20""#, r#""weight": "0.2""#)
            .replace(r#""weight": "30""#, r#""weight": "0.3""#)
            .replace(r#""weight": "50""#, r#""weight": "0.5""#),
    );
    assert_eq!(progress(&a, "grow-bizops"), progress(&b, "grow-bizops"));
}

#[test]
fn mean_and_min_strategies() {
    assert_eq!(
        progress(&bizops("mean"), "grow-bizops"),
        (d("1") + d("1") / d("3")) / d("3")
    );
    assert_eq!(progress(&bizops("min"), "grow-bizops"), d("0"));
}

#[test]
fn an_objective_may_override_the_sets_strategy() {
    let json = BIZOPS.replace("GRADING", "weighted-mean").replace(
        r#""owners": ["dir-bizops"],"#,
        r#""owners": ["dir-bizops"], "grading": "min","#,
    );
    assert_eq!(progress(&load(&json), "grow-bizops"), d("0"));
}

#[test]
fn unknown_strategies_are_named() {
    let err = OkrSet::from_json(&BIZOPS.replace("GRADING", "median")).unwrap_err();
    assert!(err.to_string().contains("\"median\""), "{err}");
}

#[test]
fn sub_key_results_roll_into_their_key_result() {
    let doc = Document::default().with_objective(
        Objective::new("o".parse().unwrap(), "O", "team").with_key_result(
            KeyResult::new("k".parse().unwrap(), "K")
                .with_key_result(
                    KeyResult::new("k1".parse().unwrap(), "K1")
                        .with_weight("3".parse().unwrap())
                        .with_metric(Metric::binary(true)),
                )
                .with_key_result(
                    KeyResult::new("k2".parse().unwrap(), "K2").with_metric(Metric::binary(false)),
                ),
        ),
    );
    let set = OkrSet::from_document(doc).unwrap();
    assert_eq!(progress(&set, "k"), d("0.75"));
    assert_eq!(progress(&set, "o"), d("0.75"));
}

#[test]
fn an_objective_with_no_contributions_has_no_progress() {
    let set = load(r#"{"format":"okrs/1","objectives":[{"id":"o","title":"O","level":"team"}]}"#);
    assert_eq!(progress(&set, "o"), d("0"));
}

#[test]
fn all_zero_weights_are_refused_naming_the_node() {
    let err = OkrSet::from_json(
        r#"{"format":"okrs/1","objectives":[{"id":"o","title":"O","level":"team","key_results":[
            {"id":"a","title":"A","weight":"0"},{"id":"b","title":"B","weight":0}]}]}"#,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"invalid set: every contribution to "o" weighs zero: give at least one a positive weight"#
    );
}

#[test]
fn weights_whose_sum_overflows_are_refused() {
    let max = Decimal::MAX;
    let err = OkrSet::from_json(&format!(
        r#"{{"format":"okrs/1","objectives":[{{"id":"o","title":"O","level":"team","key_results":[
            {{"id":"a","title":"A","weight":"{max}"}},{{"id":"b","title":"B","weight":"{max}"}}]}}]}}"#
    ))
    .unwrap_err();
    assert!(err.to_string().contains("sum beyond"), "{err}");
}

#[test]
fn numeric_start_equal_to_target_names_the_key_result() {
    let err = OkrSet::from_json(
        r#"{"format":"okrs/1","objectives":[{"id":"o","title":"O","level":"team","key_results":[
            {"id":"flat","title":"Flat","metric":{"kind":"numeric","start":"5","target":"5"}}]}]}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("\"flat\""), "{err}");
}

#[test]
fn a_metric_and_sub_key_results_together_are_refused() {
    let err = OkrSet::from_json(
        r#"{"format":"okrs/1","objectives":[{"id":"o","title":"O","level":"team","key_results":[
            {"id":"k","title":"K","metric":{"kind":"binary"},
             "key_results":[{"id":"s","title":"S"}]}]}]}"#,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("both a metric and sub-key results"),
        "{err}"
    );
}

#[test]
fn progress_cap_allows_over_achievement() {
    let json = r#"{"format":"okrs/1","progress_cap":"1.5","objectives":[{"id":"o","title":"O","level":"team",
        "key_results":[{"id":"k","title":"K","metric":{"kind":"numeric","start":0,"target":10,"current":20}}]}]}"#;
    let set = load(json);
    // The cap applies to the key result's own progress; what flows into its
    // objective is clamped to 1 unless over-achievement counts.
    assert_eq!(progress(&set, "k"), d("1.5"));
    assert_eq!(progress(&set, "o"), d("1"));
    let counts = load(&json.replace(
        r#""progress_cap":"1.5","#,
        r#""progress_cap":"1.5","overachievement":"counts","#,
    ));
    assert_eq!(progress(&counts, "o"), d("1.5"));
    let capped = load(&json.replace(r#""progress_cap":"1.5","#, ""));
    assert_eq!(progress(&capped, "k"), d("1"));
    assert!(OkrSet::from_json(&json.replace("1.5", "0.5")).is_err());
}

#[test]
fn committed_objectives_are_green_only_when_done() {
    let set = load(
        r#"{"format":"okrs/1","objectives":[{"id":"o","title":"O","level":"team","commitment":"committed",
            "key_results":[{"id":"k","title":"K","metric":{"kind":"manual","progress":"0.9"}}]}]}"#,
    );
    assert_eq!(set.band("o"), Some(Band::Yellow));
    assert_eq!(set.band("k"), Some(Band::Yellow));
    assert_eq!(set.node("k").unwrap().commitment(), Commitment::Committed);
}

#[derive(Debug)]
struct Max;

impl AggregationStrategy for Max {
    fn name(&self) -> &str {
        "max"
    }
    fn aggregate(&self, contributions: &[Contribution]) -> Decimal {
        contributions
            .iter()
            .map(|c| c.progress.value())
            .max()
            .unwrap_or_default()
    }
}

#[derive(Debug)]
struct PassFail;

impl GradingScale for PassFail {
    fn band(&self, progress: Progress, _: Commitment) -> Band {
        if progress >= Progress::ONE {
            Band::Green
        } else {
            Band::Red
        }
    }
}

#[test]
fn custom_strategies_and_scales_plug_in() {
    let doc = okrs::Document::from_json(&BIZOPS.replace("GRADING", "max")).unwrap();
    let set = OkrSet::builder()
        .strategy(Max)
        .scale(PassFail)
        .build(doc)
        .unwrap();
    assert_eq!(progress(&set, "grow-bizops"), d("1"));
    assert_eq!(set.band("grow-bizops"), Some(Band::Green));
    assert_eq!(set.band("hire-sdrs"), Some(Band::Red));
    let boxed: Box<dyn AggregationStrategy> = Box::new(Max);
    assert_eq!(boxed.name(), "max");
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<OkrSet>();
    assert_send_sync::<Document>();
    assert_send_sync::<Error>();
    assert_send_sync::<okrs::LoadError>();
    assert_send_sync::<okrs::ParseError>();
    assert_send_sync::<okrs::NodeRef<'static>>();
    assert_send_sync::<okrs::Review>();
    assert_send_sync::<okrs::NodeReview>();
    assert_send_sync::<okrs::Period>();
    assert_send_sync::<okrs::CheckIn>();
    assert_send_sync::<okrs::Moment>();
    assert_send_sync::<Box<dyn okrs::StatusPolicy>>();
}

#[test]
fn every_measured_node_is_listed_in_document_order() {
    let set = OkrSet::from_document(okrs::sample::document()).unwrap();
    let ids: Vec<&str> = set.nodes().map(|n| n.id().as_str()).collect();
    assert_eq!(ids.first(), Some(&"great-place"));
    assert_eq!(ids.get(1), Some(&"enps"));
    assert!(
        !ids.contains(&"buddy-program"),
        "initiatives are not measured"
    );
    assert!(set.node("buddy-program").unwrap().progress().is_none());
}
