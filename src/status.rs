//! Status: where a node stands against its period, and the pluggable
//! [`StatusPolicy`] that decides it (the default [`GapPolicy`] uses
//! BurningOKR's thresholds).

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::number::{at_least, serde_decimal};
use crate::{Band, Commitment, Date, GoogleScale, Progress, Scale};

/// Where a key result or objective stands against its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Status {
    /// The period has not begun.
    NotStarted,
    /// Progress is at most a little behind what is aimed for by now (a
    /// control: it holds).
    OnTrack,
    /// Progress is behind what is aimed for by now.
    AtRisk,
    /// Progress is far behind what is aimed for by now (a control: it is
    /// breached).
    OffTrack,
    /// Progress has reached 1 before the period ended (never a control).
    Done,
    /// The period has ended, and the node graded green.
    Achieved,
    /// The period has ended, and the node did not grade green.
    Missed,
}

impl Status {
    /// How bad the status is, for picking the weakest: missed is the
    /// worst, then off-track; done and achieved the best. O(1).
    #[must_use]
    pub fn severity(self) -> u8 {
        match self {
            Self::Missed => 5,
            Self::OffTrack => 4,
            Self::AtRisk => 3,
            Self::OnTrack => 2,
            Self::NotStarted => 1,
            Self::Done | Self::Achieved => 0,
        }
    }

    /// The status's name, as its `Display` and serde write it. O(1).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::NotStarted => "not-started",
            Self::OnTrack => "on-track",
            Self::AtRisk => "at-risk",
            Self::OffTrack => "off-track",
            Self::Done => "done",
            Self::Achieved => "achieved",
            Self::Missed => "missed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// What a [`StatusPolicy`] decides from.
///
/// # Example
/// ```
/// use okrs::{Band, Commitment, Date, GapPolicy, Progress, Status, StatusInput, StatusPolicy};
/// let (start, end) = (Date::new(2027, 1, 1)?, Date::new(2027, 4, 11)?);
/// let p = |s: &str| s.parse::<Progress>().unwrap();
/// // Day 50 of 100: 0.5 expected; an aspirational node aims at 0.7 of it.
/// let input = StatusInput::new(Date::new(2027, 2, 20)?, start, end, p("0.2"), p("0.5"))
///     .with_commitment(Commitment::Aspirational, "0.7".parse()?);
/// assert_eq!(input.gap().to_string(), "-0.15");
/// assert_eq!(GapPolicy::default().status(&input), Status::OnTrack);
/// // The day after the last day: green is achieved, else missed.
/// let after = StatusInput::new(Date::new(2027, 4, 12)?, start, end, p("0.7"), p("1"))
///     .with_band(Band::Green);
/// assert!(after.ended());
/// assert_eq!(GapPolicy::default().status(&after), Status::Achieved);
/// // A control holds (1) or not (0), and is never done before the end.
/// let control = StatusInput::new(Date::new(2027, 1, 5)?, start, end, p("1"), p("0.04"))
///     .with_controls(true, false);
/// assert_eq!(GapPolicy::default().status(&control), Status::OnTrack);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    /// Progress expected by then: the plan (for an objective, rolled up
    /// from its counted members' plans).
    pub expected: Progress,
    /// Whether the node (its objective) is committed or aspirational.
    pub commitment: Commitment,
    /// The share of the plan the node aims for: 1 for a committed node,
    /// the scale's green threshold (0.7 by default) for an aspirational one
    /// ([`Scale::aim`]).
    pub aim: Decimal,
    /// The band the progress grades to (a committed node: green only with
    /// every counted member done).
    pub band: Band,
    /// The node is a control key result (`at-least`, `at-most`, `range`):
    /// progress 1 means it holds, 0 that it is breached.
    pub control: bool,
    /// The node counts a control (at any depth), so reaching 1 before its
    /// period ends is not done: the control must still hold at the end.
    pub counts_controls: bool,
}

impl StatusInput {
    /// The inputs of a status decision for an aspirational node that aims
    /// at the whole plan (aim 1), banded by the default [`GoogleScale`],
    /// neither a control nor counting one; the `with_*` methods say more.
    /// O(1).
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
            commitment: Commitment::Aspirational,
            aim: Decimal::ONE,
            band: GoogleScale::default().band(progress, Commitment::Aspirational),
            control: false,
            counts_controls: false,
        }
    }

    /// Sets the commitment and the share of the plan it aims for. O(1).
    #[must_use]
    pub fn with_commitment(mut self, commitment: Commitment, aim: Decimal) -> Self {
        self.commitment = commitment;
        self.aim = aim;
        self
    }

    /// Sets the band the progress grades to. O(1).
    #[must_use]
    pub fn with_band(mut self, band: Band) -> Self {
        self.band = band;
        self
    }

    /// Sets whether the node is a control, and whether it counts one.
    /// O(1).
    #[must_use]
    pub fn with_controls(mut self, control: bool, counts_controls: bool) -> Self {
        self.control = control;
        self.counts_controls = counts_controls;
        self
    }

    /// Progress minus the progress aimed for by now (expected × aim):
    /// negative when behind. O(1).
    #[must_use]
    pub fn gap(&self) -> Decimal {
        let aimed = self
            .expected
            .value()
            .checked_mul(self.aim)
            .unwrap_or(self.expected.value());
        self.progress.value() - aimed
    }

    /// Whether the period is over: the review date is after its last day.
    /// O(1).
    #[must_use]
    pub fn ended(&self) -> bool {
        self.as_of > self.end
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

    /// The status of an objective, given the statuses of its counted
    /// members: its key results of weight above 0 and the objectives that
    /// contribute to it, as its `progress_from` chooses (the members its
    /// progress rolls up from). Defaults to [`status`](Self::status).
    fn objective_status(&self, input: &StatusInput, members: &[Status]) -> Status {
        let _ = members;
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
    /// During its period, the weakest status among its counted members
    /// (Perdoo's rule): its key results of weight above 0 and the
    /// objectives contributing to it; the gap rule when it has none, and
    /// before and after its period.
    WeakestKeyResult,
}

/// The default [`StatusPolicy`], after BurningOKR's: `not-started` before
/// the period; during it (its last day included) a control is `on-track`
/// while it holds and `off-track` while breached, anything else `done` at
/// progress 1 (unless it counts a control), else decided by the gap between
/// progress and the progress aimed for by now (expected × aim, see
/// [`StatusInput::gap`]): `on-track` from −0.2, `at-risk` from −0.4,
/// `off-track` below; from the day after its last day, `achieved` when
/// the band is green and `missed` otherwise. In a document, the `"status"`
/// settings (`{"on_track_from": "-0.2", "at_risk_from": "-0.4",
/// "objectives": "weakest-key-result"}`, each optional).
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
#[serde(default, deny_unknown_fields)]
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
    pub(crate) fn is_default(&self) -> bool {
        *self == Self::default()
    }

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
        if input.ended() {
            return if input.band == Band::Green {
                Status::Achieved
            } else {
                Status::Missed
            };
        }
        if input.control {
            return if input.progress >= Progress::ONE {
                Status::OnTrack
            } else {
                Status::OffTrack
            };
        }
        if input.progress >= Progress::ONE && !input.counts_controls {
            return Status::Done;
        }
        // At or ahead of the whole plan is at or ahead of any share of it
        // (the aim is at most 1 but for scales green above 1).
        if input.progress >= input.expected
            && at_least(Decimal::ONE, input.aim)
            && at_least(Decimal::ZERO, self.on_track_from)
        {
            return Status::OnTrack;
        }
        let gap = input.gap();
        if at_least(gap, self.on_track_from) {
            Status::OnTrack
        } else if at_least(gap, self.at_risk_from) {
            Status::AtRisk
        } else {
            Status::OffTrack
        }
    }

    fn objective_status(&self, input: &StatusInput, members: &[Status]) -> Status {
        let during = input.as_of >= input.start && !input.ended();
        match self.objectives {
            ObjectiveStatusRule::WeakestKeyResult if during => members
                .iter()
                .copied()
                .max_by_key(|s| s.severity())
                .unwrap_or_else(|| self.status(input)),
            _ => self.status(input),
        }
    }
}
