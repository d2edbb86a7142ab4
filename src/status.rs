//! Status: where a node stands against its period, and the pluggable
//! [`StatusPolicy`] that decides it (the default [`GapPolicy`] uses
//! BurningOKR's thresholds).

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::number::serde_decimal;
use crate::{Date, Progress};

/// Where a key result or objective stands against its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The period has not begun.
    NotStarted,
    /// Progress is at most a little behind what is expected.
    OnTrack,
    /// Progress is behind what is expected.
    AtRisk,
    /// Progress is far behind what is expected.
    OffTrack,
    /// Progress has reached 1.
    Done,
}

impl Status {
    /// How bad the status is, for picking the weakest: off-track is the
    /// worst, done the best. O(1).
    #[must_use]
    pub fn severity(self) -> u8 {
        match self {
            Self::OffTrack => 4,
            Self::AtRisk => 3,
            Self::OnTrack => 2,
            Self::NotStarted => 1,
            Self::Done => 0,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::NotStarted => "not-started",
            Self::OnTrack => "on-track",
            Self::AtRisk => "at-risk",
            Self::OffTrack => "off-track",
            Self::Done => "done",
        })
    }
}

/// What a [`StatusPolicy`] decides from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatusInput {
    /// The date of the review.
    pub as_of: Date,
    /// The first day of the node's period.
    pub start: Date,
    /// The last day of the node's period.
    pub end: Date,
    /// Progress as of the review date.
    pub progress: Progress,
    /// Progress expected by then.
    pub expected: Progress,
}

impl StatusInput {
    /// The inputs of a status decision. O(1).
    #[must_use]
    pub fn new(
        as_of: Date,
        start: Date,
        end: Date,
        progress: Progress,
        expected: Progress,
    ) -> Self {
        Self {
            as_of,
            start,
            end,
            progress,
            expected,
        }
    }

    /// Progress minus expected progress: negative when behind. O(1).
    #[must_use]
    pub fn gap(&self) -> Decimal {
        self.progress.value() - self.expected.value()
    }
}

/// Decides the [`Status`] of key results and objectives. Object safe; set
/// one with [`SetBuilder::status_policy`](crate::SetBuilder::status_policy).
///
/// # Example
/// ```
/// use okrs::{Status, StatusInput, StatusPolicy};
///
/// /// Green only when ahead of plan.
/// #[derive(Debug)]
/// struct Strict;
/// impl StatusPolicy for Strict {
///     fn status(&self, input: &StatusInput) -> Status {
///         if input.progress >= input.expected { Status::OnTrack } else { Status::OffTrack }
///     }
/// }
/// ```
pub trait StatusPolicy: fmt::Debug + Send + Sync {
    /// The status of a key result, or of an objective by default.
    fn status(&self, input: &StatusInput) -> Status;

    /// The status of an objective, given the statuses of its key results
    /// (not sub-key results). Defaults to [`status`](Self::status).
    fn objective_status(&self, input: &StatusInput, key_results: &[Status]) -> Status {
        let _ = key_results;
        self.status(input)
    }
}

/// How [`GapPolicy`] decides an objective's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ObjectiveStatusRule {
    /// Like a key result's: from its own progress and expected progress.
    #[default]
    Gap,
    /// The weakest status among its key results (Perdoo's rule); the gap
    /// rule when it has none.
    WeakestKeyResult,
}

/// The default [`StatusPolicy`] (BurningOKR's): `not-started` before the
/// period, `done` at progress 1, else from the gap between progress and
/// expected progress: `on-track` from −0.2, `at-risk` from −0.4,
/// `off-track` below.
///
/// # Example
/// ```
/// use okrs::{Date, GapPolicy, Progress, Status, StatusInput, StatusPolicy};
///
/// let start = Date::new(2027, 1, 1)?;
/// let end = Date::new(2027, 3, 31)?;
/// let p = |s: &str| s.parse::<Progress>().unwrap();
/// let input = |progress, expected| StatusInput::new(Date::new(2027, 2, 1).unwrap(), start, end, p(progress), p(expected));
/// let policy = GapPolicy::default();
/// assert_eq!(policy.status(&input("0.3", "0.5")), Status::OnTrack);  // gap -0.2
/// assert_eq!(policy.status(&input("0.29", "0.5")), Status::AtRisk);
/// assert_eq!(policy.status(&input("0.1", "0.5")), Status::AtRisk);   // gap -0.4
/// assert_eq!(policy.status(&input("0.09", "0.5")), Status::OffTrack);
/// # Ok::<(), jiff::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GapPolicy {
    /// The smallest gap that is still on track (default −0.2).
    #[serde(with = "serde_decimal")]
    pub on_track_from: Decimal,
    /// The smallest gap that is at risk rather than off track (default −0.4).
    #[serde(with = "serde_decimal")]
    pub at_risk_from: Decimal,
    /// How objectives get their status.
    pub objectives: ObjectiveStatusRule,
}

impl Default for GapPolicy {
    fn default() -> Self {
        Self {
            on_track_from: Decimal::new(-2, 1),
            at_risk_from: Decimal::new(-4, 1),
            objectives: ObjectiveStatusRule::Gap,
        }
    }
}

impl GapPolicy {
    /// The default thresholds with another rule for objectives. O(1).
    #[must_use]
    pub fn with_objective_rule(mut self, rule: ObjectiveStatusRule) -> Self {
        self.objectives = rule;
        self
    }

    /// Other thresholds: on track from `on_track_from`, at risk from
    /// `at_risk_from` (both gaps, usually negative; with `at_risk_from`
    /// above `on_track_from` nothing is ever at risk). O(1).
    #[must_use]
    pub fn with_thresholds(mut self, on_track_from: Decimal, at_risk_from: Decimal) -> Self {
        self.on_track_from = on_track_from;
        self.at_risk_from = at_risk_from;
        self
    }
}

impl StatusPolicy for GapPolicy {
    fn status(&self, input: &StatusInput) -> Status {
        if input.as_of < input.start {
            return Status::NotStarted;
        }
        if input.progress >= Progress::ONE {
            return Status::Done;
        }
        let gap = input.gap();
        if gap >= self.on_track_from {
            Status::OnTrack
        } else if gap >= self.at_risk_from {
            Status::AtRisk
        } else {
            Status::OffTrack
        }
    }

    fn objective_status(&self, input: &StatusInput, key_results: &[Status]) -> Status {
        match self.objectives {
            ObjectiveStatusRule::WeakestKeyResult if input.as_of >= input.start => key_results
                .iter()
                .copied()
                .max_by_key(|s| s.severity())
                .unwrap_or_else(|| self.status(input)),
            _ => self.status(input),
        }
    }
}
