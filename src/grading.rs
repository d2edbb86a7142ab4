//! Grading: how contributions combine into progress
//! ([`AggregationStrategy`]) and how progress maps to a band
//! ([`GradingScale`]). Both are pluggable traits with built-ins.

mod builtin;

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub(crate) use self::builtin::{Builtin, Inputs, SumTree};
use crate::{Commitment, Progress, Weight};

/// One input to an aggregation: the weight it carries at the node it
/// contributes to, and its progress.
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
/// contribution of non-zero weight, and clamps the result to `[0, cap]`. An
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

/// A grade band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    /// Failed to make real progress.
    Red,
    /// Progress, but short of the goal.
    Yellow,
    /// Delivered.
    Green,
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Red => "red",
            Self::Yellow => "yellow",
            Self::Green => "green",
        })
    }
}

/// Maps progress to a [`Band`]. Object safe, so a
/// `Box<dyn GradingScale>` or `Arc<dyn GradingScale>` works.
///
/// # Example
/// ```
/// use okrs::{Band, Commitment, GradingScale, Progress};
///
/// /// Pass or fail.
/// #[derive(Debug)]
/// struct PassFail;
/// impl GradingScale for PassFail {
///     fn band(&self, progress: Progress, _: Commitment) -> Band {
///         if progress >= Progress::ONE { Band::Green } else { Band::Red }
///     }
/// }
/// assert_eq!(PassFail.band(Progress::ZERO, Commitment::Aspirational), Band::Red);
/// ```
pub trait GradingScale: fmt::Debug + Send + Sync {
    /// The band a node with this progress and commitment grades to.
    fn band(&self, progress: Progress, commitment: Commitment) -> Band;
}

/// Google's scale: below 0.4 red, below 0.7 yellow, else green; a committed
/// objective is green only at 1.0.
///
/// # Example
/// ```
/// use okrs::{Band, Commitment, GoogleScale, GradingScale, Progress};
/// let p = Progress::new("0.7".parse().unwrap()).unwrap();
/// assert_eq!(GoogleScale::default().band(p, Commitment::Aspirational), Band::Green);
/// assert_eq!(GoogleScale::default().band(p, Commitment::Committed), Band::Yellow);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GoogleScale {
    yellow_from: Decimal,
    green_from: Decimal,
}

impl GoogleScale {
    /// A scale with other thresholds: yellow from `yellow_from`, green from
    /// `green_from` (both inclusive). Returns `None` unless
    /// `0 ≤ yellow_from ≤ green_from`. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::GoogleScale;
    /// assert!(GoogleScale::new("0.3".parse().unwrap(), "0.6".parse().unwrap()).is_some());
    /// assert!(GoogleScale::new("0.8".parse().unwrap(), "0.6".parse().unwrap()).is_none());
    /// ```
    #[must_use]
    pub fn new(yellow_from: Decimal, green_from: Decimal) -> Option<Self> {
        (Decimal::ZERO <= yellow_from && yellow_from <= green_from).then_some(Self {
            yellow_from,
            green_from,
        })
    }
}

impl Default for GoogleScale {
    fn default() -> Self {
        Self {
            yellow_from: Decimal::new(4, 1),
            green_from: Decimal::new(7, 1),
        }
    }
}

impl GradingScale for GoogleScale {
    fn band(&self, progress: Progress, commitment: Commitment) -> Band {
        let p = progress.value();
        let green_from = match commitment {
            Commitment::Aspirational => self.green_from,
            Commitment::Committed => Decimal::ONE.max(self.green_from),
        };
        if p >= green_from {
            Band::Green
        } else if p >= self.yellow_from {
            Band::Yellow
        } else {
            Band::Red
        }
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

    #[test]
    fn google_scale_boundaries() {
        let s = GoogleScale::default();
        let band = |p: &str, c| s.band(Progress::new(p.parse().unwrap()).unwrap(), c);
        use Commitment::{Aspirational as A, Committed as C};
        assert_eq!(band("0.39", A), Band::Red);
        assert_eq!(band("0.4", A), Band::Yellow);
        assert_eq!(band("0.69", A), Band::Yellow);
        assert_eq!(band("0.7", A), Band::Green);
        assert_eq!(band("0.99", C), Band::Yellow);
        assert_eq!(band("1", C), Band::Green);
        assert_eq!(band("0.3", C), Band::Red);
    }
}
