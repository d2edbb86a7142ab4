//! Errors, one type per concern: [`ParseError`] for text that is not a
//! document, [`Error`] for a document or an edit the model refuses, and
//! [`LoadError`] for either while loading.

use std::fmt;

use rust_decimal::Decimal;

use crate::{Id, MetricError};

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
    /// A node other nodes still point at.
    #[error("{id:?} cannot be removed while {by:?} aligns to it: remove that link first")]
    StillLinked {
        /// The node to remove.
        id: Id,
        /// An objective that still aligns to it.
        by: Id,
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
