//! Errors, one type per concern: [`ParseError`] for text that is not a
//! document, [`Error`] for a document or an edit the model refuses, and
//! [`LoadError`] for either while loading.

use std::fmt;

use rust_decimal::Decimal;

use crate::{Date, Id, MetricError, Moment, ValueMismatch};

/// A document whose text could not be read: malformed syntax, a field of the
/// wrong type, an unknown format or field.
///
/// Says where: the path to the offending value (`objectives[2].key_results[0].weight`)
/// and the line and column in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub(crate) path: String,
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
}

impl ParseError {
    /// The path to the offending value, `.` for the top level.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The 1-based line in the text, 0 when unknown.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column in the text, 0 when unknown.
    #[must_use]
    pub fn column(&self) -> usize {
        self.column
    }

    /// What was wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid document at {}", self.path)?;
        if self.line > 0 {
            write!(f, " (line {}, column {})", self.line, self.column)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ParseError {}

/// A document or an edit that the model refuses. Every variant names the
/// node(s) concerned; a refused edit leaves the set exactly as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Two nodes share an id.
    #[error(
        "duplicate id {0:?}: ids must be unique across objectives, key results and initiatives"
    )]
    DuplicateId(Id),
    /// A node with an empty (or blank) owner name.
    #[error("{0:?} has an empty owner name")]
    EmptyOwner(Id),
    /// A node with an empty (or blank) title.
    #[error("{0:?} has an empty title")]
    EmptyTitle(Id),
    /// An objective on a level the set does not define.
    #[error("objective {objective:?} is on level {level:?}, which is not one of the set's levels")]
    UnknownLevel {
        /// The objective.
        objective: Id,
        /// Its level.
        level: String,
    },
    /// The set's or an objective's aggregation strategy is not known.
    #[error("unknown grading strategy {name:?}{}", objective.as_ref().map(|o| format!(" on objective {o:?}")).unwrap_or_default())]
    UnknownStrategy {
        /// The strategy's name.
        name: String,
        /// The objective that names it, `None` for the set's own.
        objective: Option<Id>,
    },
    /// A progress cap below 1.
    #[error("progress cap {0} must be at least 1")]
    InvalidProgressCap(Decimal),
    /// A key result whose metric cannot be measured.
    #[error("key result {key_result:?} has an invalid metric: {source}")]
    InvalidMetric {
        /// The key result.
        key_result: Id,
        /// Why.
        source: MetricError,
    },
    /// A key result with both a metric and sub-key results.
    #[error("key result {0:?} has both a metric and sub-key results: keep one")]
    MetricAndSubKeyResults(Id),
    /// All contributions of a node weigh zero.
    #[error("every contribution to {0:?} weighs zero: give at least one a positive weight")]
    AllWeightsZero(Id),
    /// The weights of a node's contributions sum beyond a decimal's range.
    #[error("the weights contributing to {0:?} sum beyond the decimal range")]
    WeightOverflow(Id),
    /// No node has this id.
    #[error("no node has the id {0:?}")]
    UnknownNode(Id),
    /// The node exists but is of the wrong kind for the operation.
    #[error("{id:?} is not {expected}")]
    WrongKind {
        /// The node.
        id: Id,
        /// What was expected (`"an objective"`, `"a key result"`, …).
        expected: &'static str,
    },
    /// A link whose target does not exist.
    #[error("objective {from:?} aligns to {target:?}, which does not exist")]
    UnknownLinkTarget {
        /// The supporting objective.
        from: Id,
        /// The missing target.
        target: Id,
    },
    /// A link to an initiative or to the objective itself.
    #[error(
        "objective {from:?} cannot align to {target:?}: links go to another objective or a key result"
    )]
    InvalidLinkTarget {
        /// The supporting objective.
        from: Id,
        /// The target.
        target: Id,
    },
    /// The same link twice.
    #[error("objective {from:?} aligns to {target:?} twice")]
    DuplicateLink {
        /// The supporting objective.
        from: Id,
        /// The target.
        target: Id,
    },
    /// No such link.
    #[error("objective {from:?} does not align to {target:?}")]
    UnknownLink {
        /// The supporting objective.
        from: Id,
        /// The target.
        target: Id,
    },
    /// A link that points down the levels.
    #[error(
        "objective {from:?} ({from_level}) cannot align to {target:?} on the lower level {target_level}"
    )]
    LinkToLowerLevel {
        /// The supporting objective.
        from: Id,
        /// Its level.
        from_level: String,
        /// The target.
        target: Id,
        /// The target's level.
        target_level: String,
    },
    /// Any link under the transparency model.
    #[error(
        "objective {0:?} has alignment links, but the set uses the transparency model, which has none"
    )]
    LinksForbidden(Id),
    /// A contributing link to a key result measured by its own metric or
    /// sub-key results.
    #[error(
        "objective {from:?} contributes to key result {target:?}, which is already measured by its own metric or sub-key results"
    )]
    ContributesToMeasuredKeyResult {
        /// The supporting objective.
        from: Id,
        /// The key result.
        target: Id,
    },
    /// A link that would close a cycle. The path starts with the link's
    /// source and follows the links (and key-result-to-objective steps) back
    /// to it.
    #[error("alignment cycle: {}", format_path(.path))]
    Cycle {
        /// The nodes of the cycle, first and last the same.
        path: Vec<Id>,
    },
    /// Sub-key results nested deeper than [`MAX_DEPTH`](crate::MAX_DEPTH).
    #[error("key result {0:?} nests sub-key results deeper than {max} levels", max = crate::MAX_DEPTH)]
    TooDeep(Id),
    /// The titles of a set's objectives and key results are kept in one
    /// text of at most 4 GiB; this node's title does not fit any more.
    #[error("the title of {0:?} does not fit: a set holds at most 4 GiB of titles")]
    TitlesFull(Id),
    /// A node other nodes still point at.
    #[error("{id:?} cannot be removed while {by:?} aligns to it: remove that link first")]
    StillLinked {
        /// The node to remove.
        id: Id,
        /// An objective that still aligns to it.
        by: Id,
    },
    /// Two periods share an id.
    #[error("duplicate period id {0:?}")]
    DuplicatePeriod(Id),
    /// A period whose end lies before its start.
    #[error("period {period:?} ends on {end}, before it starts on {start}")]
    PeriodEndsBeforeStart {
        /// The period.
        period: Id,
        /// Its first day.
        start: Date,
        /// Its last day.
        end: Date,
    },
    /// A period id that no period has.
    #[error("{by:?} names period {period:?}, which the set does not define")]
    UnknownPeriod {
        /// The missing period.
        period: Id,
        /// The objective or period that names it.
        by: Id,
    },
    /// A nested period reaching outside the period it lies within.
    #[error("period {period:?} is within {within:?} but reaches outside it")]
    PeriodOutsideParent {
        /// The nested period.
        period: Id,
        /// The period it should lie inside.
        within: Id,
    },
    /// Two periods nested in the same parent (or both top-level) that
    /// overlap: one should lie within the other.
    #[error(
        "periods {first:?} and {second:?} overlap: nest one within the other or make them disjoint"
    )]
    PeriodsOverlap {
        /// The earlier period.
        first: Id,
        /// The later period.
        second: Id,
    },
    /// Periods nested within each other in a loop.
    #[error("period {0:?} is nested within itself")]
    PeriodCycle(Id),
    /// A key result with both a measured metric and check-ins.
    #[error(
        "key result {0:?} has both a current value and check-ins: keep its metric at the start and let the check-ins say where it stands"
    )]
    CurrentAndCheckIns(Id),
    /// Check-ins or phased targets on a key result without a metric.
    #[error("key result {0:?} has no metric to check in or phase against")]
    NoMetric(Id),
    /// A check-in whose value does not fit the key result's metric.
    #[error("check-in of key result {key_result:?} at {at}: {source}")]
    CheckInValue {
        /// The key result.
        key_result: Id,
        /// When the check-in was made.
        at: Moment,
        /// What was wrong.
        source: ValueMismatch,
    },
    /// A check-in dated before the key result's period starts.
    #[error("check-in of key result {key_result:?} at {at} is before its period starts on {start}")]
    CheckInBeforePeriod {
        /// The key result.
        key_result: Id,
        /// When the check-in was made.
        at: Moment,
        /// The period's first day.
        start: Date,
    },
    /// An edit of a node whose period is closed.
    #[error("{id:?} belongs to the closed period {period:?}: its grades are frozen")]
    PeriodClosed {
        /// The closed period.
        period: Id,
        /// The node the edit touches.
        id: Id,
    },
    /// A phased target on a key result whose objective has no period, or
    /// dated outside that period.
    #[error(
        "key result {key_result:?} has a phased target on {at}, outside its objective's period (or its objective has no period)"
    )]
    PhaseOutsidePeriod {
        /// The key result.
        key_result: Id,
        /// The phase's date.
        at: Date,
    },
    /// A phased target on a metric that takes no number (binary,
    /// milestones).
    #[error("key result {0:?} is measured by a {1} metric, which cannot have phased targets")]
    PhaseOnUnphasedMetric(Id, &'static str),
    /// A frozen grade of a node that is not in the closed period.
    #[error("closed period {period:?} holds a grade for {id:?}, which is not one of its nodes")]
    GradeOfUnknownNode {
        /// The period.
        period: Id,
        /// The graded id.
        id: Id,
    },
    /// Closing a period twice.
    #[error("period {0:?} is already closed")]
    AlreadyClosed(Id),
    /// An operation that needs the objective to have a period.
    #[error("objective {0:?} has no period")]
    NoPeriod(Id),
    /// Carrying an objective forward to a period that does not start after
    /// its own ends.
    #[error(
        "objective {objective:?} can only be carried to a period that starts after its own ends, not {period:?}"
    )]
    NotALaterPeriod {
        /// The objective.
        objective: Id,
        /// The target period.
        period: Id,
    },
    /// Carrying forward an objective that is already done.
    #[error("objective {0:?} is done: there is nothing to carry forward")]
    AlreadyDone(Id),
    /// Lint settings naming a rule that does not exist.
    #[error("lint settings name {0:?}, which is not a rule code or name")]
    UnknownRule(String),
    /// Carrying forward an objective twice.
    #[error("objective {id:?} was already carried forward to {to:?}")]
    AlreadyCarried {
        /// The objective.
        id: Id,
        /// Where it went.
        to: Id,
    },
}

fn format_path(path: &[Id]) -> String {
    let parts: Vec<&str> = path.iter().map(Id::as_str).collect();
    parts.join(" -> ")
}

/// Loading a document failed, either reading its text or validating its
/// model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The text is not a valid `okrs/1` document.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The document is well formed but the model refuses it.
    #[error("invalid set: {0}")]
    Invalid(#[from] Error),
}
