//! Scales: how progress maps to a [`Band`] ([`Scale`], pluggable), with
//! Google's red/yellow/green as the built-in [`GoogleScale`].

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::number::{at_least, at_max_scale};
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

impl Band {
    /// The band's name, as its `Display` and serde write it. O(1).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Red => "red",
            Self::Yellow => "yellow",
            Self::Green => "green",
        }
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
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

    /// The share of its plan a node of this commitment aims for: the least
    /// progress that grades green. Status compares progress with the
    /// expected progress times this. Defaults to 1 for committed nodes and
    /// 0.7 for aspirational ones.
    ///
    /// # Example
    /// ```
    /// use okrs::{Commitment, GoogleScale, Scale};
    /// let scale = GoogleScale::new("0.3".parse().unwrap(), "0.6".parse().unwrap()).unwrap();
    /// assert_eq!(scale.aim(Commitment::Aspirational).to_string(), "0.6");
    /// assert_eq!(scale.aim(Commitment::Committed).to_string(), "1");
    /// ```
    fn aim(&self, commitment: Commitment) -> Decimal {
        match commitment {
            Commitment::Committed => Decimal::ONE,
            Commitment::Aspirational => Decimal::new(7, 1),
        }
    }
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
    /// The yellow, green and committed-green thresholds as mantissas at
    /// the largest scale: a progress lifted there too is banded by two
    /// integer comparisons, not two decimal ones (which rescale).
    lifted: Option<[u128; 3]>,
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
        (Decimal::ZERO <= yellow_from && yellow_from <= green_from)
            .then(|| Self::lifted(yellow_from, green_from))
    }

    fn lifted(yellow_from: Decimal, green_from: Decimal) -> Self {
        let committed = if at_least(green_from, Decimal::ONE) {
            green_from
        } else {
            Decimal::ONE
        };
        let lifted = match (
            at_max_scale(yellow_from),
            at_max_scale(green_from),
            at_max_scale(committed),
        ) {
            (Some(y), Some(g), Some(c)) => Some([y, g, c]),
            _ => None,
        };
        Self {
            yellow_from,
            green_from,
            lifted,
        }
    }
}

impl Default for GoogleScale {
    fn default() -> Self {
        Self::lifted(Decimal::new(4, 1), Decimal::new(7, 1))
    }
}

impl Scale for GoogleScale {
    /// The green threshold: `green_from` for aspirational nodes, 1 (or
    /// `green_from` if higher) for committed ones.
    fn aim(&self, commitment: Commitment) -> Decimal {
        match commitment {
            Commitment::Committed if !at_least(self.green_from, Decimal::ONE) => Decimal::ONE,
            _ => self.green_from,
        }
    }

    fn band(&self, progress: Progress, commitment: Commitment) -> Band {
        let p = progress.value();
        if let Some([yellow, green, committed]) = self.lifted {
            if let Some(m) = at_max_scale(p) {
                let green = match commitment {
                    Commitment::Committed => committed,
                    Commitment::Aspirational => green,
                };
                return if m >= green {
                    Band::Green
                } else if m >= yellow {
                    Band::Yellow
                } else {
                    Band::Red
                };
            }
        }
        let green_from = match commitment {
            Commitment::Committed if !at_least(self.green_from, Decimal::ONE) => Decimal::ONE,
            _ => self.green_from,
        };
        if at_least(p, green_from) {
            Band::Green
        } else if at_least(p, self.yellow_from) {
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
    fn integer_bands_agree_with_decimal_ones() {
        let scales = [
            GoogleScale::default(),
            GoogleScale::new("0.3".parse().unwrap(), "0.65".parse().unwrap()).unwrap(),
            GoogleScale::new("0.5".parse().unwrap(), "1.2".parse().unwrap()).unwrap(),
        ];
        let third = Decimal::ONE / Decimal::from(3);
        let values: Vec<Decimal> = [
            "0",
            "0.4",
            "0.7",
            "1",
            "1.2",
            "0.65",
            "0.3",
            "0.3999999999999999999999999999",
            "0.4000000000000000000000000000",
            "0.6999999999999999999999999999",
            "0.7000000000000000000000000001",
            "0.9999999999999999999999999999",
            "1.0000000000000000000000000000",
        ]
        .iter()
        .map(|v| v.parse().unwrap())
        .chain([third, third * Decimal::TWO, Decimal::new(12, 1) * third])
        .collect();
        for scale in scales {
            let slow = GoogleScale {
                lifted: None,
                ..scale
            };
            assert!(scale.lifted.is_some());
            for &value in &values {
                let p = Progress::new(value).unwrap();
                for c in [Commitment::Aspirational, Commitment::Committed] {
                    assert_eq!(scale.band(p, c), slow.band(p, c), "{value} {c:?}");
                }
            }
        }
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
