//! Strategies: how the contributions into a node combine into its progress
//! ([`AggregationStrategy`]), with the built-ins `weighted-mean`, `mean` and
//! `min` and the order in which they add up.

mod builtin;

use std::fmt;

use rust_decimal::Decimal;

pub(crate) use self::builtin::{
    BLOCK, Builtin, Inputs, SumTree, Sums, scaled_weighted_mean, two_groups, two_groups_by,
    whole_factors,
};
use crate::{Progress, Weight};

/// One input to an aggregation: the weight it carries at the node it
/// contributes to (normalised within its group, see
/// [`AggregationStrategy`]), and its progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Contribution {
    /// The relative weight.
    pub weight: Weight,
    /// The contributor's progress.
    pub progress: Progress,
}

impl Contribution {
    /// A contribution. O(1).
    #[must_use]
    pub const fn new(weight: Weight, progress: Progress) -> Self {
        Self { weight, progress }
    }
}

/// Combines the contributions of a node (an objective's key results and
/// contributing objectives, a key result's sub-key results) into its
/// progress.
///
/// The engine calls [`aggregate`](Self::aggregate) only with at least one
/// contribution of non-zero weight, and clamps the result to `[0, cap]`.
/// Each contribution's weight is normalised within its group (a node's key
/// results, or the objectives contributing to it): member *i* of a group of
/// *n* counted members whose weights sum to *W* carries *n·wᵢ/W* (with an
/// objective's `aligned_share` *s*, the groups carry *s* and *1 − s* of the
/// whole), so that the weights' unit never matters; and each progress is at
/// most 1 unless the set lets over-achievement count. An
/// implementation must be deterministic and should be monotone (more
/// progress in, never less out) for the engine's guarantees to carry over.
/// The trait is object safe: a `Box<dyn AggregationStrategy>` works.
///
/// # Example
/// ```
/// use okrs::{AggregationStrategy, Contribution, Decimal};
///
/// /// The best contribution counts: "any one of these gets us there".
/// #[derive(Debug)]
/// struct Max;
///
/// impl AggregationStrategy for Max {
///     fn name(&self) -> &str { "max" }
///     fn aggregate(&self, contributions: &[Contribution]) -> Decimal {
///         contributions.iter()
///             .filter(|c| !c.weight.is_zero())
///             .map(|c| c.progress.value())
///             .max()
///             .unwrap_or_default()
///     }
/// }
/// let boxed: Box<dyn AggregationStrategy> = Box::new(Max);
/// assert_eq!(boxed.name(), "max");
/// ```
pub trait AggregationStrategy: fmt::Debug + Send + Sync {
    /// The name documents use to pick this strategy (`"grading": "…"`).
    fn name(&self) -> &str;

    /// The progress of a node from its contributions.
    fn aggregate(&self, contributions: &[Contribution]) -> Decimal;
}

/// Σ weight × progress / Σ weight: the default.
///
/// One division per node. The order of additions is fixed, because a
/// `Decimal` sum rounds once it outgrows 28 significant digits: up to 32
/// terms are added left to right; longer lists in blocks of 32, and the
/// block totals pairwise. The engine keeps those block totals for nodes with
/// a large fan-in, so a changed input costs O(32 + log inputs) and the
/// incremental roll-up still equals a full one to the last digit. Should a
/// sum overflow (weights near `Decimal::MAX`), every weight is first
/// divided by the largest. O(contributions).
///
/// # Example
/// ```
/// use okrs::{AggregationStrategy, Contribution, Decimal, Progress, WeightedMean, Weight};
///
/// let c = |w: i64, p: &str| Contribution::new(
///     Weight::new(w.into()).unwrap(), Progress::new(p.parse().unwrap()).unwrap());
/// // The BizOps objective: 20% done, 30% at one third, 50% not started.
/// let p = WeightedMean.aggregate(&[c(20, "1"), c(30, "0.5"), c(50, "0")]);
/// assert_eq!(p, "0.35".parse::<Decimal>().unwrap());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct WeightedMean;

/// The plain average of contributions with non-zero weight (the seeds'
/// Google grading). Sums in the same fixed order as [`WeightedMean`].
/// O(contributions).
///
/// # Example
/// ```
/// use okrs::{AggregationStrategy, Contribution, Decimal, Mean, Progress, Weight};
/// let c = |p: &str| Contribution::new(Weight::ONE, Progress::new(p.parse().unwrap()).unwrap());
/// assert_eq!(Mean.aggregate(&[c("1"), c("0.5")]), "0.75".parse::<Decimal>().unwrap());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Mean;

/// The weakest contribution of non-zero weight: a chain is as strong as its
/// weakest link.
///
/// # Example
/// ```
/// use okrs::{AggregationStrategy, Contribution, Decimal, Min, Progress, Weight};
/// let c = |p: &str| Contribution::new(Weight::ONE, Progress::new(p.parse().unwrap()).unwrap());
/// assert_eq!(Min.aggregate(&[c("1"), c("0.5")]), "0.5".parse::<Decimal>().unwrap());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Min;

impl AggregationStrategy for WeightedMean {
    fn name(&self) -> &str {
        "weighted-mean"
    }
    fn aggregate(&self, contributions: &[Contribution]) -> Decimal {
        Builtin::WeightedMean.aggregate(contributions)
    }
}

impl AggregationStrategy for Mean {
    fn name(&self) -> &str {
        "mean"
    }
    fn aggregate(&self, contributions: &[Contribution]) -> Decimal {
        Builtin::Mean.aggregate(contributions)
    }
}

impl AggregationStrategy for Min {
    fn name(&self) -> &str {
        "min"
    }
    fn aggregate(&self, contributions: &[Contribution]) -> Decimal {
        Builtin::Min.aggregate(contributions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(w: &str, p: &str) -> Contribution {
        Contribution::new(
            Weight::new(w.parse().unwrap()).unwrap(),
            Progress::new(p.parse().unwrap()).unwrap(),
        )
    }

    #[test]
    fn weighted_mean_divides_once() {
        let p = WeightedMean.aggregate(&[c("1", "1"), c("1", "0"), c("1", "0")]);
        assert_eq!(p, Decimal::ONE / Decimal::from(3));
        let p = WeightedMean.aggregate(&[c("20", "1"), c("30", "0.5"), c("50", "0")]);
        assert_eq!(p, "0.35".parse::<Decimal>().unwrap());
    }

    #[test]
    fn weighted_mean_survives_huge_weights() {
        let max = Decimal::MAX.to_string();
        let p = WeightedMean.aggregate(&[c(&max, "1"), c(&max, "0")]);
        assert_eq!(p, Decimal::new(5, 1));
    }

    #[test]
    fn zero_weights_do_not_count_in_mean_and_min() {
        assert_eq!(Mean.aggregate(&[c("0", "0"), c("1", "1")]), Decimal::ONE);
        assert_eq!(Min.aggregate(&[c("0", "0"), c("1", "1")]), Decimal::ONE);
        assert_eq!(
            WeightedMean.aggregate(&[c("0", "0"), c("1", "1")]),
            Decimal::ONE
        );
    }
}
