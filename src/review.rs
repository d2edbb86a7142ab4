//! Reviews: a set rolled up as of a date, with each node's expected
//! progress, status (under a pluggable [`StatusPolicy`]), confidence and
//! forecast. Built by [`OkrSet::review`](crate::OkrSet::review).

use std::collections::HashMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::number::serde_decimal;
use crate::time::days_between;
use crate::{Band, Confidence, ConfidenceLevel, Date, Id, NodeKind, Progress};

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

/// One node as of a review date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NodeReview {
    /// The node.
    pub id: Id,
    /// Objective or key result.
    pub kind: NodeKind,
    /// Progress as of the date.
    pub progress: Progress,
    /// The band that progress grades to.
    pub band: Band,
    /// The progress expected by the date; `None` without a period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Progress>,
    /// The status; `None` without a period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The latest confidence stated (for an objective, the weighted mean
    /// of its key results'); `None` when nobody stated one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// The progress at the period's end if the check-ins' trend goes on;
    /// `None` without a period, before it starts, or (for a key result) with
    /// no check-in yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast: Option<Progress>,
    /// The band the forecast grades to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast_band: Option<Band>,
}

impl NodeReview {
    /// The confidence's band. O(1).
    #[must_use]
    pub fn confidence_level(&self) -> Option<ConfidenceLevel> {
        self.confidence.map(Confidence::level)
    }
}

/// A whole set rolled up as of a date: every objective and key result
/// (initiatives aside), in the set's node order. Made by
/// [`OkrSet::review`](crate::OkrSet::review).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub(crate) as_of: Date,
    pub(crate) nodes: Vec<NodeReview>,
    pub(crate) index: HashMap<Id, usize>,
}

impl Review {
    /// The review's date. O(1).
    #[must_use]
    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// One node's review, by id (`&str`, `&Id`, `String`, …). O(1) average.
    #[must_use]
    pub fn get(&self, id: impl AsRef<str>) -> Option<&NodeReview> {
        self.nodes.get(*self.index.get(id.as_ref())?)
    }

    /// Every node's review, objectives each followed by their key results.
    pub fn iter(&self) -> std::slice::Iter<'_, NodeReview> {
        self.nodes.iter()
    }

    /// How many nodes are reviewed. O(1).
    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the review covers no node. O(1).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

impl<'a> IntoIterator for &'a Review {
    type Item = &'a NodeReview;
    type IntoIter = std::slice::Iter<'a, NodeReview>;
    fn into_iter(self) -> Self::IntoIter {
        self.nodes.iter()
    }
}

/// Expected progress on `date` through `(date, progress)` points, sorted by
/// date: 0 at `start`, 1 at `end`, linear between neighbouring points.
/// O(points).
pub(crate) fn piecewise_expected(
    start: Date,
    end: Date,
    phases: &[(Date, Decimal)],
    date: Date,
) -> Decimal {
    if date < start {
        return Decimal::ZERO;
    }
    let mut previous = (start, Decimal::ZERO);
    let last = if phases.last().is_some_and(|&(at, _)| at >= end) {
        None
    } else {
        Some((end, Decimal::ONE))
    };
    for &(at, value) in phases.iter().chain(last.iter()) {
        if date <= at {
            let span = Decimal::from(days_between(previous.0, at));
            if span.is_zero() {
                return value;
            }
            let done = Decimal::from(days_between(previous.0, date));
            let rise = value - previous.1;
            return rise
                .checked_mul(done)
                .and_then(|r| r.checked_div(span))
                .and_then(|r| r.checked_add(previous.1))
                .unwrap_or(value);
        }
        previous = (at, value);
    }
    previous.1
}

/// The least-squares line through `(day, progress)` points, evaluated at
/// day `x_end`. With every point on the same day, the mean. `None` on no
/// points or an overflow. O(points).
pub(crate) fn least_squares_at(points: &[(i64, Decimal)], x_end: i64) -> Option<Decimal> {
    let n = Decimal::from(points.len());
    if points.is_empty() {
        return None;
    }
    // Centre x on the first point to keep the sums small.
    let x0 = points.first()?.0;
    let (mut sx, mut sy, mut sxx, mut sxy) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for &(x, y) in points {
        let x = Decimal::from(x - x0);
        sx = sx.checked_add(x)?;
        sy = sy.checked_add(y)?;
        sxx = sxx.checked_add(x.checked_mul(x)?)?;
        sxy = sxy.checked_add(x.checked_mul(y)?)?;
    }
    let denominator = n.checked_mul(sxx)?.checked_sub(sx.checked_mul(sx)?)?;
    if denominator.is_zero() {
        return sy.checked_div(n);
    }
    let slope = n
        .checked_mul(sxy)?
        .checked_sub(sx.checked_mul(sy)?)?
        .checked_div(denominator)?;
    let intercept = sy.checked_sub(slope.checked_mul(sx)?)?.checked_div(n)?;
    intercept.checked_add(slope.checked_mul(Decimal::from(x_end - x0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: i8, d: i8) -> Date {
        Date::new(2027, m, d).unwrap()
    }

    #[test]
    fn least_squares_fits_a_known_line() {
        // y = 0.01 x exactly: the forecast at day 89 is 0.89.
        let points = [
            (0, Decimal::ZERO),
            (10, Decimal::new(1, 1)),
            (20, Decimal::new(2, 1)),
        ];
        assert_eq!(least_squares_at(&points, 89), Some(Decimal::new(89, 2)));
        // y = 0, 0.2, 0.1: slope 0.005, intercept 0.05.
        let noisy = [
            (0, Decimal::ZERO),
            (10, Decimal::new(2, 1)),
            (20, Decimal::new(1, 1)),
        ];
        assert_eq!(least_squares_at(&noisy, 30), Some(Decimal::new(2, 1)));
        assert_eq!(
            least_squares_at(&[(5, Decimal::ONE)], 9),
            Some(Decimal::ONE)
        );
        assert_eq!(least_squares_at(&[], 9), None);
    }

    #[test]
    fn piecewise_expected_runs_through_phases() {
        let (start, end) = (day(1, 1), day(3, 31));
        let phases = [(day(1, 31), Decimal::new(5, 1))];
        assert_eq!(
            piecewise_expected(start, end, &phases, start),
            Decimal::ZERO
        );
        assert_eq!(
            piecewise_expected(start, end, &phases, day(1, 16)),
            Decimal::new(25, 2)
        );
        assert_eq!(
            piecewise_expected(start, end, &phases, day(1, 31)),
            Decimal::new(5, 1)
        );
        assert_eq!(piecewise_expected(start, end, &phases, end), Decimal::ONE);
        assert_eq!(
            piecewise_expected(start, end, &phases, day(4, 5)),
            Decimal::ONE
        );
        // A last phase on the end date replaces the final 1.
        let short = [(end, Decimal::new(8, 1))];
        assert_eq!(
            piecewise_expected(start, end, &short, end),
            Decimal::new(8, 1)
        );
        // A phase on the first day counts on that day.
        let first = [(start, Decimal::new(1, 1))];
        assert_eq!(
            piecewise_expected(start, end, &first, start),
            Decimal::new(1, 1)
        );
    }
}
