//! Embedding okrs in an application: load a document, react to a check-in,
//! refuse a bad edit, and save the set again.
//!
//! ```text
//! cargo run --example embed
//! ```

use okrs::{CheckIn, CheckInValue, Error, KeyResult, Link, Metric, Objective, OkrSet};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Load: the app's stored document (here: the built-in sample).
    let mut set = OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
    println!(
        "BizOps before: {}",
        set.progress("grow-bizops").unwrap_or_default()
    );

    // 2. A check-in arrives: the second SDR is hired. Only the key result's
    //    ancestors are recomputed.
    let check_in = CheckIn::new("2026-11-30".parse()?, CheckInValue::Number(2.into()))
        .with_note("second SDR signed")
        .by("sales-lead");
    set.check_in("hire-sdrs", check_in)?;
    println!(
        "BizOps after:  {}",
        set.progress("grow-bizops").unwrap_or_default()
    );
    println!(
        "company goal:  {}",
        set.progress("great-place").unwrap_or_default()
    );

    // 3. A user adds a team objective under the revenue goal.
    let objective = Objective::new("expand-emea".parse()?, "Expand into EMEA", "team")
        .with_owner("emea-lead")
        .with_link(Link::new("grow-revenue".parse()?))
        .with_key_result(
            KeyResult::new("emea-deals".parse()?, "Sign 10 EMEA customers")
                .with_metric(Metric::numeric(0.into(), 10.into()).with_current(4.into())),
        );
    set.add_objective(objective)?;

    // 4. A bad edit is refused with a typed error; the set is untouched.
    let before = set.clone();
    match set.add_link("grow-revenue", Link::new("expand-emea".parse()?)) {
        Err(Error::LinkToLowerLevel { from, target, .. }) => {
            println!("refused: {from} cannot align down to {target}");
        }
        other => println!("unexpected: {other:?}"),
    }
    assert_eq!(set, before);

    // 5. Save: the set as an okrs/1 document.
    let saved = set.to_document().to_json()?;
    println!("saved {} bytes, {} nodes", saved.len(), set.len());
    Ok(())
}
