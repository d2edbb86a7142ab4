//! Scales: how progress maps to a [`Band`] ([`Scale`], pluggable), with
//! Google's red/yellow/green as the built-in [`GoogleScale`].

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{Commitment, Progress};

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
/// `Box<dyn Scale>` or `Arc<dyn Scale>` works.
///
/// # Example
/// ```
/// use okrs::{Band, Commitment, Scale, Progress};
///
/// /// Pass or fail.
/// #[derive(Debug)]
/// struct PassFail;
/// impl Scale for PassFail {
///     fn band(&self, progress: Progress, _: Commitment) -> Band {
///         if progress >= Progress::ONE { Band::Green } else { Band::Red }
///     }
/// }
/// assert_eq!(PassFail.band(Progress::ZERO, Commitment::Aspirational), Band::Red);
/// ```
pub trait Scale: fmt::Debug + Send + Sync {
    /// The band a node with this progress and commitment grades to.
    fn band(&self, progress: Progress, commitment: Commitment) -> Band;
}

/// Google's scale: below 0.4 red, below 0.7 yellow, else green; a committed
/// objective is green only at 1.0.
///
/// # Example
/// ```
/// use okrs::{Band, Commitment, GoogleScale, Scale, Progress};
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

impl Scale for GoogleScale {
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
