//! How healthy and how aligned are an organisation's OKRs? Health checks
//! (re-levelled for this organisation), alignment coverage, status by
//! level, the key results that matter most to each company objective, and
//! the set written out as Mermaid and CSV.
//!
//! ```text
//! cargo run --example health
//! ```

use okrs::{Date, Document, GroupBy, LintSettings, OkrSet, Rule, RuleLevel};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut document = okrs::sample::document();
    // This organisation checks in every three weeks and treats an
    // unaligned objective as an error.
    document.lint = LintSettings::default()
        .with_rule(Rule::Unaligned, RuleLevel::Error)
        .with_rule(Rule::AllCoOwned, RuleLevel::Off);
    document.lint.stale_after_days = 21;
    let set = OkrSet::from_document(document)?;
    let as_of = Date::new(2026, 11, 23)?;

    println!("health checks as of {as_of}");
    for finding in set.lint(as_of) {
        println!("  {finding}");
    }

    let coverage = set.alignment_coverage();
    println!(
        "\nalignment coverage: {} objectives below the top are aligned",
        coverage.overall
    );
    for (level, c) in &coverage.by_level {
        println!("  {level:<12} {c}");
    }

    let review = set.review(as_of);
    println!("\nstatus by level");
    for (level, d) in set.distribution(&review, GroupBy::Level) {
        let statuses: Vec<String> = d.statuses.iter().map(|(s, n)| format!("{n} {s}")).collect();
        println!(
            "  {level:<12} {} objectives, mean progress {}, {}",
            d.objectives,
            d.mean_progress
                .map(|p| okrs::rounded(p.value()))
                .unwrap_or_default(),
            statuses.join(", ")
        );
    }

    let top = set.levels().name(0).unwrap_or("company");
    for objective in set.objectives().filter(|o| o.level() == Some(top)) {
        println!("\nwhat moves {:?} most", objective.title());
        for impact in set.impact(objective.id().as_str())?.iter().take(3) {
            println!(
                "  {:<22} share {:>5.1}%   done, it would take the objective from {} to {}",
                impact.key_result.as_str(),
                (impact.share * okrs::Decimal::ONE_HUNDRED).round_dp(1),
                okrs::rounded(impact.before.value()),
                okrs::rounded(impact.after.value()),
            );
        }
    }

    let mermaid = set.to_mermaid();
    println!(
        "\nMermaid: {} lines (paste into any Markdown page that renders Mermaid)",
        mermaid.lines().count()
    );
    let csv = set.to_document().to_csv()?;
    let back = OkrSet::from_document(Document::from_csv(&csv)?)?;
    println!(
        "CSV: {} rows, and it reads back as the same set: {}",
        csv.lines().count() - 1,
        back == set
    );
    Ok(())
}
