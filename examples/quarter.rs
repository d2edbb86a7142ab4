//! A quarter in the life of a team's OKRs: set them for a period, check in
//! every week, review mid-quarter (status, confidence, forecast), chart the
//! objective's progress, close the quarter and carry what is unfinished
//! into the next one.
//!
//! ```text
//! cargo run --example quarter
//! ```

use okrs::{
    CarryForward, CheckIn, CheckInValue, Date, Document, KeyResult, Metric, Objective, OkrSet,
    Period, Phase,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let [q1, q2, ..] = Period::quarters(2027)?;
    let document = Document::default()
        .with_period(Period::year(2027)?)
        .with_period(q1.clone())
        .with_period(q2)
        .with_objective(
            Objective::new("activation".parse()?, "Make new users successful", "team")
                .with_owner("growth")
                .with_period(q1.id.clone())
                .with_key_result(
                    KeyResult::new("activated".parse()?, "Activate 600 new accounts")
                        .with_metric(Metric::numeric(0.into(), 600.into()))
                        // Most sign-ups come after the March launch.
                        .with_phase(Phase::new("2027-02-28".parse()?, 150.into())),
                )
                .with_key_result(
                    KeyResult::new("docs".parse()?, "Publish the getting-started guide")
                        .with_metric(Metric::binary(false)),
                ),
        );
    let mut set = OkrSet::from_document(document)?;

    // Weekly check-ins, each with the owner's confidence.
    for (day, value, confidence) in [
        ("2027-01-08", 20, "0.8"),
        ("2027-01-15", 45, "0.8"),
        ("2027-01-22", 70, "0.7"),
        ("2027-01-29", 85, "0.6"),
        ("2027-02-05", 110, "0.6"),
    ] {
        set.check_in(
            "activated",
            CheckIn::new(day.parse()?, CheckInValue::Number(value.into()))
                .with_confidence(confidence.parse()?)
                .by("growth"),
        )?;
    }
    set.check_in(
        "docs",
        CheckIn::new(
            "2027-01-20T16:30:00+01:00".parse()?,
            CheckInValue::Done(true),
        ),
    )?;

    // A check-in of the wrong kind is refused and changes nothing.
    let before = set.clone();
    let wrong = CheckIn::new("2027-02-06".parse()?, CheckInValue::Done(true));
    if let Err(refused) = set.check_in("activated", wrong) {
        println!("refused: {refused}");
    }
    assert_eq!(set, before);

    // Mid-quarter review. A forecast needs check-ins on two dates: the
    // guide's one check-in gives none, and so neither does the objective.
    let review = set.review(Date::new(2027, 2, 8)?);
    println!("\nreview as of {}", review.as_of());
    for node in &review {
        println!(
            "  {:<12} progress {}  expected {}  status {:<10} forecast {}  confidence {}",
            node.id.as_str(),
            okrs::rounded(node.progress.value()),
            node.expected
                .map(|e| okrs::rounded(e.value()))
                .unwrap_or_default(),
            node.status.map(|s| s.to_string()).unwrap_or_default(),
            match (node.forecast, node.forecast_band) {
                (Some(f), Some(band)) => format!("{} ({band})", okrs::rounded(f.value())),
                _ => "-".to_owned(),
            },
            node.confidence
                .map(|c| c.to_string())
                .unwrap_or_else(|| "-".into()),
        );
    }

    // A weekly chart of the objective's progress.
    println!("\nweekly progress of \"activation\"");
    for (date, progress) in set.series("activation", &q1.every(7))? {
        let bar = "#".repeat(
            (progress.value() * okrs::Decimal::from(40))
                .round()
                .to_string()
                .parse()
                .unwrap_or(0),
        );
        println!("  {date} {:>5} {bar}", okrs::rounded(progress.value()));
    }

    // Close the quarter: grades freeze, further check-ins are refused.
    set.close_period("2027-Q1")?;
    let grade = set.frozen_grade("activation").ok_or("no frozen grade")?;
    println!(
        "\nQ1 closed: activation graded {} ({})",
        okrs::rounded(grade.progress.value()),
        grade.band
    );

    // Carry the unfinished objective into Q2, starting its key results afresh.
    let copy = set.carry_forward("activation", "2027-Q2", CarryForward::default())?;
    let carried = set.node(copy.as_str()).ok_or("no copy")?;
    println!(
        "carried forward as {copy} (from {}), period {}",
        carried.carried().0.map(|id| id.as_str()).unwrap_or("?"),
        carried.period().map(|p| p.id.as_str()).unwrap_or("?"),
    );
    Ok(())
}
