//! A custom aggregation strategy and a custom scale.
//!
//! ```text
//! cargo run --example custom_grading
//! ```

use okrs::{
    AggregationStrategy, Band, Commitment, Contribution, Decimal, Document, OkrSet, Progress, Scale,
};

/// Geometric-style "all must move": the product of progress values. One key
/// result at zero pulls the objective to zero, but unlike `min` every
/// improvement shows.
#[derive(Debug)]
struct Product;

impl AggregationStrategy for Product {
    fn name(&self) -> &str {
        "product"
    }

    fn aggregate(&self, contributions: &[Contribution]) -> Decimal {
        contributions
            .iter()
            .filter(|c| !c.weight.is_zero())
            .try_fold(Decimal::ONE, |acc, c| acc.checked_mul(c.progress.value()))
            .unwrap_or_default()
    }
}

/// A stricter scale: green from 0.8, red below 0.5.
#[derive(Debug)]
struct Strict;

impl Scale for Strict {
    fn band(&self, progress: Progress, commitment: Commitment) -> Band {
        let p = progress.value();
        let green = match commitment {
            Commitment::Aspirational => Decimal::new(8, 1),
            Commitment::Committed => Decimal::ONE,
        };
        if p >= green {
            Band::Green
        } else if p >= Decimal::new(5, 1) {
            Band::Yellow
        } else {
            Band::Red
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut document: Document = okrs::sample::document();
    document.strategy = "product".to_owned();
    let set = OkrSet::builder()
        .strategy(Product)
        .scale(Strict)
        .build(document)?;
    for objective in set.objectives() {
        let progress = objective.progress().unwrap_or_default();
        let band = objective.band().map(|b| b.to_string()).unwrap_or_default();
        println!(
            "{:<45} {:>8} {band}",
            objective.title(),
            progress.value().round_dp(4)
        );
    }
    Ok(())
}
