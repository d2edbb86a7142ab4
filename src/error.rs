//! Errors, one type per concern: [`ParseError`] for text that is not a
//! document, [`Error`] for a document or an edit the model refuses, and
//! [`LoadError`] for either while loading. [`Error`] is also the one
//! top-level error: it wraps every other error of the crate, each with a
//! stable code ([`Error::code`]).

use std::fmt;

use rust_decimal::Decimal;

use crate::{
    ConfidenceError, Date, DecimalError, Id, IdError, LevelsError, MetricError, Moment,
    MomentError, ProgressError, ValueMismatch, WeightError, YearError,
};

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

#[cfg(feature = "csv")]
/// A CSV text that is not a valid document: where (line, column) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    pub(crate) line: u64,
    pub(crate) column: Option<&'static str>,
    pub(crate) message: String,
}

#[cfg(feature = "csv")]
impl CsvError {
    /// The 1-based line of the offending record, 0 when unknown.
    #[must_use]
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The offending column, when one is to blame: always one of
    /// [`CSV_COLUMNS`](crate::CSV_COLUMNS), so that callers can match on it. A header naming a
    /// column that is not one has `None` here and the name in
    /// [`message`](Self::message) (`unknown column "titel"`); a repeated
    /// column is named here and in the message.
    #[must_use]
    pub fn column(&self) -> Option<&str> {
        self.column
    }

    /// What was wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

#[cfg(feature = "csv")]
impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid csv")?;
        if self.line > 0 {
            write!(f, " at line {}", self.line)?;
        }
        if let Some(column) = self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

#[cfg(feature = "csv")]
impl std::error::Error for CsvError {}

/// The crate's one error type: a document or an edit that the model
/// refuses, or (wrapped, with its message unchanged) any other error of the
/// crate, so that `?` works on every public operation in a function
/// returning `Result<_, okrs::Error>`.
///
/// The model's variants name the node(s) concerned; a refused edit leaves
/// the set exactly as it was.
///
/// For programs and user interfaces, every error has a machine-readable
/// [`code`](Error::code) (`"duplicate-id"`, `"cycle"`, …), the
/// [`ids`](Error::ids) it is about and the document
/// [`field`](Error::field) it concerns. **Codes are stable across
/// releases**: a code is never renamed or reused for another failure; new
/// failures get new codes. They are listed, with their meanings, in the
/// table under [`Error::code`]. Messages (`Display`) are for people and may
/// be reworded.
///
/// # Example
/// ```
/// use okrs::{Id, OkrSet, Weight};
///
/// fn load_and_check(json: &str, id: &str) -> Result<OkrSet, okrs::Error> {
///     let set = OkrSet::from_json(json)?; // a LoadError
///     let id = Id::new(id)?; // an IdError
///     let _weight: Weight = "2".parse()?; // a WeightError
///     if set.node(id.as_str()).is_none() {
///         return Err(okrs::Error::UnknownNode(id));
///     }
///     Ok(set)
/// }
///
/// let err = load_and_check(r#"{"format": "okrs/1"}"#, "growth").unwrap_err();
/// assert_eq!(err.code(), "unknown-node");
/// assert_eq!(err.ids()[0].as_str(), "growth");
/// assert_eq!(load_and_check(r#"{"format": "okrs/1"}"#, "").unwrap_err().code(), "empty-id");
/// ```
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
    #[error("unknown grading strategy {name:?}{}", objective.as_ref().map(|o| format!(" on {o:?}")).unwrap_or_default())]
    UnknownStrategy {
        /// The strategy's name.
        name: String,
        /// The objective (or key result) that names it, `None` for the
        /// set's own.
        objective: Option<Id>,
    },
    /// `sum-of-values` named where it cannot apply: by the set or an
    /// objective (whose contributions are not values), or by a key result
    /// measured by its own metric.
    #[error("the strategy {name:?} sums the values of a key result's sub-key results: {}", misplaced(.id))]
    MisplacedStrategy {
        /// The strategy's name.
        name: String,
        /// The objective or key result that names it, `None` for the set.
        id: Option<Id>,
    },
    /// An objective's `aligned_share` outside [0, 1].
    #[error("objective {objective:?} has aligned_share {share}: it must lie between 0 and 1")]
    InvalidAlignedShare {
        /// The objective.
        objective: Id,
        /// The share it gives.
        share: Decimal,
    },
    /// A `sum-of-values` key result with a sub-key result that is not
    /// measured by a numeric metric.
    #[error("key result {key_result:?} sums the values of its sub-key results, but {} not numeric", are(.sub_key_results))]
    SumOfNonNumeric {
        /// The key result.
        key_result: Id,
        /// Its sub-key results without a numeric metric.
        sub_key_results: Vec<Id>,
    },
    /// A `sum-of-values` key result whose sub-key results name different
    /// units.
    #[error("key result {key_result:?} sums the values of its sub-key results, but {} give different units", format_list(.sub_key_results))]
    SumOfMixedUnits {
        /// The key result.
        key_result: Id,
        /// Two sub-key results whose units differ.
        sub_key_results: Vec<Id>,
    },
    /// A `sum-of-values` key result whose sub-key results' targets sum to
    /// their starts: no distance to cover.
    #[error("key result {key_result:?} sums the values of {}, but their targets sum to their starts: there is no distance to cover", format_list(.sub_key_results))]
    SumWithoutDistance {
        /// The key result.
        key_result: Id,
        /// The sub-key results it sums.
        sub_key_results: Vec<Id>,
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
    /// A private objective in a set that uses the transparency model, where
    /// every OKR is public.
    #[error(
        "objective {0:?} is private, but the set uses the transparency model, where every OKR is public"
    )]
    PrivateUnderTransparency(Id),
    /// Viewers on a public objective (everyone sees it already).
    #[error("objective {0:?} lists viewers but is public; make it private or drop the viewers")]
    ViewersOnPublic(Id),
    /// A public objective aligned to a private one (which would reveal it).
    #[error(
        "public objective {from:?} aligns to private objective {target:?}, which would reveal it; make {from:?} private too or align it elsewhere"
    )]
    PublicAlignedToPrivate {
        /// The public objective.
        from: Id,
        /// The private target.
        target: Id,
    },
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
    /// Removing a period an objective is set for or another period lies in.
    #[error("period {period:?} cannot be removed while {by:?} uses it")]
    PeriodInUse {
        /// The period.
        period: Id,
        /// An objective set for it, or a period within it.
        by: Id,
    },
    /// Reopening a period that is not closed.
    #[error("period {0:?} is not closed")]
    NotClosed(Id),
    /// A check-in id in a document that is not `<key result>#<n>` for its
    /// own key result, or that the key result uses twice.
    #[error(
        "check-in id {id:?} of key result {key_result:?} is not {key_result}#<n> or is used twice"
    )]
    InvalidCheckInId {
        /// The key result.
        key_result: Id,
        /// The id.
        id: Id,
    },
    /// A check-in id that no key result's history holds.
    #[error("no check-in has the id {0:?}")]
    UnknownCheckIn(Id),
    /// A time zone name the bundled IANA database does not know.
    #[error(
        "unknown time zone {0:?}: name one from the IANA time zone database, such as \"Europe/Oslo\""
    )]
    UnknownTimeZone(String),
    /// A check-in dated after the key result's period ends.
    #[error("check-in of key result {key_result:?} at {at} is after its period ends on {end}")]
    CheckInAfterPeriod {
        /// The key result.
        key_result: Id,
        /// When the check-in was made.
        at: Moment,
        /// The period's last day.
        end: Date,
    },
    /// A check-in's confidence outside the set's confidence scale.
    #[error(
        "check-in of key result {key_result:?} at {at} states confidence {confidence}, outside the set's confidence scale {scale}"
    )]
    ConfidenceOutOfScale {
        /// The key result.
        key_result: Id,
        /// When the check-in was made.
        at: Moment,
        /// The confidence as stated.
        confidence: Decimal,
        /// The set's scale.
        scale: crate::ConfidenceScale,
    },
    /// A score set on a node whose period is not closed (or that has no
    /// frozen grade there).
    #[error("{id:?} has no frozen grade to score: close its period {period:?} first")]
    NotGraded {
        /// The objective or key result.
        id: Id,
        /// Its period.
        period: Id,
    },
    /// A score outside 0 to the progress cap.
    #[error("score {score} of {id:?} must lie between 0 and the progress cap {cap}")]
    InvalidScore {
        /// The objective or key result.
        id: Id,
        /// The score.
        score: Decimal,
        /// The set's progress cap.
        cap: Decimal,
    },
    /// A score that overrides a grade without saying why.
    #[error("the score of {0:?} overrides its computed grade: give the reason")]
    ScoreWithoutReason(Id),
    /// A fold view that cannot show this visible node's true progress to
    /// the last digit (see [`OkrSet::view_with`](crate::OkrSet::view_with)):
    /// its strategy gives no single folded member a value (or, under a
    /// weighted mean, a term of its own) that does (a custom strategy that
    /// counts its inputs, say). Only its id is named: nothing of what it
    /// folds.
    #[error(
        "a fold view cannot show the progress of {0:?} exactly: its strategy gives the hidden contributions no single folded value; use the exclude policy"
    )]
    FoldInexact(Id),
    /// A document text that could not be read (see
    /// [`Document::from_json`](crate::Document::from_json)).
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A CSV text that is not a valid document (see
    /// [`Document::from_csv`](crate::Document::from_csv)).
    #[cfg(feature = "csv")]
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// A text that is not a valid [`Id`].
    #[error(transparent)]
    Id(#[from] IdError),
    /// A text that is not a decimal number.
    #[error(transparent)]
    Decimal(#[from] DecimalError),
    /// A value that is not a [`Weight`](crate::Weight).
    #[error(transparent)]
    Weight(#[from] WeightError),
    /// A value that is not a [`Progress`](crate::Progress).
    #[error(transparent)]
    Progress(#[from] ProgressError),
    /// A value that is not a [`Confidence`](crate::Confidence).
    #[error(transparent)]
    Confidence(#[from] ConfidenceError),
    /// A metric that cannot be measured, outside a set (see
    /// [`Metric::validate`](crate::Metric::validate); in a set it is
    /// [`Error::InvalidMetric`]).
    #[error(transparent)]
    Metric(#[from] MetricError),
    /// A value that does not fit a metric, outside a set (see
    /// [`Metric::fits`](crate::Metric::fits); in a set it is
    /// [`Error::CheckInValue`]).
    #[error(transparent)]
    Value(#[from] ValueMismatch),
    /// A list of levels that is not usable.
    #[error(transparent)]
    Levels(#[from] LevelsError),
    /// A text that is not a [`Moment`].
    #[error(transparent)]
    Moment(#[from] MomentError),
    /// A year outside the range the period helpers support.
    #[error(transparent)]
    Year(#[from] YearError),
}

impl From<LoadError> for Error {
    /// A parse failure becomes [`Error::Parse`], a refused model the
    /// [`Error`] itself.
    fn from(error: LoadError) -> Self {
        match error {
            LoadError::Parse(e) => Self::Parse(e),
            LoadError::Invalid(e) => e,
        }
    }
}

/// The field names of the `okrs/1` format, for [`Error::field`] of parse
/// and CSV errors.
const FIELDS: [&str; 65] = [
    // The document.
    "format",
    "alignment",
    "grading",
    "levels",
    "progress_cap",
    "progress_from",
    "overachievement",
    "time_zone",
    "confidence_scale",
    "lint",
    "periods",
    "objectives",
    // Lint settings.
    "rules",
    "strict_weights",
    "stale_after_days",
    "min_top_objectives",
    "max_top_objectives",
    "max_key_results",
    // Periods, closings and grades.
    "id",
    "start",
    "end",
    "within",
    "closed",
    "grades",
    "progress",
    "band",
    "score",
    "reason",
    "reopened",
    // Status settings.
    "on_track_from",
    "at_risk_from",
    // Objectives, key results, initiatives and links.
    "title",
    "level",
    "owners",
    "description",
    "commitment",
    "period",
    "carried_from",
    "carried_to",
    "aligned_share",
    "aligned_to",
    "key_results",
    "weight",
    "metric",
    "check_ins",
    "phases",
    "initiatives",
    "status",
    "contributes",
    // Check-ins and phases.
    "at",
    "value",
    "confidence",
    "note",
    "by",
    "target",
    // Metrics and milestones.
    "kind",
    "current",
    "unit",
    "done",
    "milestones",
    "threshold",
    "low",
    "high",
    "commit",
    "stretch",
];

/// The `okrs/1` field a name stands for, as a `'static` string.
fn known_field(name: &str) -> Option<&'static str> {
    FIELDS.iter().find(|f| **f == name).copied()
}

/// The field a parse error's path ends in: `weight` for
/// `objectives[0].key_results[1].weight`, `owners` for
/// `objectives[0].owners[2]`, `None` for the top level.
fn field_of_path(path: &str) -> Option<&'static str> {
    let last = path.rsplit('.').next()?;
    known_field(last.split('[').next()?)
}

impl Error {
    /// A stable, machine-readable code for the kind of failure: kebab-case,
    /// never renamed or reused across releases, one per kind of failure
    /// (wrapped errors that are enums get one code per variant). Match on
    /// it in programs and user interfaces rather than on messages. O(1).
    ///
    /// | Code | Meaning |
    /// |------|---------|
    /// | `duplicate-id` | two nodes share an id |
    /// | `empty-owner` | a node has an empty owner name |
    /// | `empty-title` | a node has an empty title |
    /// | `unknown-level` | an objective is on a level the set does not define |
    /// | `unknown-strategy` | a grading (aggregation) strategy is not known |
    /// | `misplaced-strategy` | `sum-of-values` named by the set, an objective or a key result with a metric |
    /// | `invalid-aligned-share` | an objective's `aligned_share` lies outside [0, 1] |
    /// | `sum-of-non-numeric` | a `sum-of-values` key result has a sub-key result without a numeric metric |
    /// | `sum-of-mixed-units` | the sub-key results of a `sum-of-values` key result give different units |
    /// | `sum-without-distance` | the targets of a `sum-of-values` key result's sub-key results sum to their starts |
    /// | `invalid-progress-cap` | the progress cap is below 1 |
    /// | `invalid-metric` | a key result's metric cannot be measured |
    /// | `metric-and-sub-key-results` | a key result has both a metric and sub-key results |
    /// | `all-weights-zero` | every contribution to a node weighs zero |
    /// | `weight-overflow` | the weights contributing to a node sum beyond the decimal range |
    /// | `unknown-node` | no node has the id |
    /// | `wrong-kind` | the node is of the wrong kind for the operation |
    /// | `unknown-link-target` | a link's target does not exist |
    /// | `invalid-link-target` | a link goes to an initiative or to its own objective |
    /// | `duplicate-link` | the same link twice |
    /// | `unknown-link` | no such link |
    /// | `link-to-lower-level` | a link points down the levels |
    /// | `links-forbidden` | a link under the transparency model |
    /// | `contributes-to-measured-key-result` | a contributing link to a key result measured on its own |
    /// | `cycle` | a link would close an alignment cycle |
    /// | `too-deep` | sub-key results nest deeper than [`MAX_DEPTH`](crate::MAX_DEPTH) |
    /// | `titles-full` | the set's titles exceed 4 GiB |
    /// | `still-linked` | a node to remove is still aligned to |
    /// | `duplicate-period` | two periods share an id |
    /// | `period-ends-before-start` | a period ends before it starts |
    /// | `unknown-period` | a period id that no period has |
    /// | `period-outside-parent` | a nested period reaches outside its parent |
    /// | `periods-overlap` | two sibling periods overlap |
    /// | `period-cycle` | periods nested within each other in a loop |
    /// | `current-and-check-ins` | a key result has both a current value and check-ins |
    /// | `no-metric` | check-ins or phases on a key result without a metric |
    /// | `check-in-value` | a check-in's value does not fit the key result's metric |
    /// | `check-in-before-period` | a check-in dated before its period starts |
    /// | `period-closed` | an edit of a node whose period is closed |
    /// | `phase-outside-period` | a phased target outside its objective's period |
    /// | `phase-on-unphased-metric` | a phased target on a binary or milestones metric |
    /// | `grade-of-unknown-node` | a closed period holds a grade for a node not in it |
    /// | `already-closed` | closing a period twice |
    /// | `no-period` | the objective has no period |
    /// | `not-a-later-period` | carrying forward to a period that does not start later |
    /// | `already-done` | carrying forward an objective that is done |
    /// | `unknown-rule` | lint settings name a rule that does not exist |
    /// | `already-carried` | carrying forward an objective twice |
    /// | `period-in-use` | removing a period an objective or period uses |
    /// | `not-closed` | reopening a period that is open |
    /// | `unknown-check-in` | a check-in id no history holds |
    /// | `invalid-check-in-id` | a document's check-in id is malformed or used twice |
    /// | `unknown-time-zone` | a time zone name the bundled IANA database does not know |
    /// | `check-in-after-period` | a check-in dated after its period ends |
    /// | `confidence-out-of-scale` | a check-in's confidence lies outside the set's confidence scale |
    /// | `not-graded` | a score for a node without a frozen grade (its period is open) |
    /// | `invalid-score` | a score below 0 or above the progress cap |
    /// | `score-without-reason` | a score that overrides a grade without a reason |
    /// | `fold-inexact` | a fold view cannot show a node's true progress exactly |
    /// | `parse` | a JSON text is not a valid `okrs/1` document ([`ParseError`]) |
    /// | `csv` | a CSV text is not a valid document (`CsvError`, feature `csv`) |
    /// | `empty-id` | an id is empty ([`IdError::Empty`]) |
    /// | `id-control-character` | an id holds a control character ([`IdError::ControlCharacter`]) |
    /// | `not-a-decimal` | a text is not a decimal number ([`DecimalError`]) |
    /// | `negative-weight` | a weight is below zero ([`WeightError::Negative`]) |
    /// | `weight-not-a-number` | a weight's text is not a number ([`WeightError::NotANumber`]) |
    /// | `invalid-progress` | a progress is not a number or below zero ([`ProgressError`]) |
    /// | `invalid-confidence` | a confidence is neither 0 to 1 nor 2 to 10 ([`ConfidenceError`]) |
    /// | `metric-start-equals-target` | a numeric metric's start equals its target ([`MetricError::StartEqualsTarget`]) |
    /// | `metric-overflow` | a numeric metric's distances overflow ([`MetricError::Overflow`]) |
    /// | `metric-inverted-range` | a range's low bound is above its high ([`MetricError::InvertedRange`]) |
    /// | `metric-milestone-weights` | milestones are empty, weigh zero or overflow ([`MetricError::MilestoneWeights`]) |
    /// | `metric-empty-milestone-title` | a milestone has an empty title ([`MetricError::EmptyMilestoneTitle`]) |
    /// | `metric-zones-out-of-order` | a numeric metric's commit and stretch values are not in its direction ([`MetricError::ZonesOutOfOrder`]) |
    /// | `value-wrong-kind` | a value of the wrong kind for a metric ([`ValueMismatch::Kind`]) |
    /// | `value-out-of-range` | a number too far from a metric's start ([`ValueMismatch::OutOfRange`]) |
    /// | `unknown-milestone` | a milestone title the metric does not list ([`ValueMismatch::UnknownMilestone`]) |
    /// | `no-levels` | a list of levels is empty ([`LevelsError::Empty`]) |
    /// | `empty-level-name` | a level has an empty name ([`LevelsError::EmptyName`]) |
    /// | `duplicate-level` | a level is listed twice ([`LevelsError::Duplicate`]) |
    /// | `invalid-moment` | a text is neither a date nor an RFC 3339 timestamp ([`MomentError`]) |
    /// | `year-out-of-range` | a year outside −9999..=9999 ([`YearError`]) |
    ///
    /// # Example
    /// ```
    /// use okrs::OkrSet;
    ///
    /// let err = OkrSet::from_json(r#"{ "format": "okrs/1", "objectives": [
    ///     { "id": "a", "title": "A", "level": "company" },
    ///     { "id": "a", "title": "B", "level": "company" } ] }"#).unwrap_err();
    /// assert_eq!(err.code(), "duplicate-id");
    ///
    /// let err = okrs::Error::from(okrs::Id::new("").unwrap_err());
    /// assert_eq!(err.code(), "empty-id");
    /// ```
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::DuplicateId(_) => "duplicate-id",
            Self::EmptyOwner(_) => "empty-owner",
            Self::EmptyTitle(_) => "empty-title",
            Self::UnknownLevel { .. } => "unknown-level",
            Self::UnknownStrategy { .. } => "unknown-strategy",
            Self::MisplacedStrategy { .. } => "misplaced-strategy",
            Self::InvalidAlignedShare { .. } => "invalid-aligned-share",
            Self::SumOfNonNumeric { .. } => "sum-of-non-numeric",
            Self::SumOfMixedUnits { .. } => "sum-of-mixed-units",
            Self::SumWithoutDistance { .. } => "sum-without-distance",
            Self::InvalidProgressCap(_) => "invalid-progress-cap",
            Self::InvalidMetric { .. } => "invalid-metric",
            Self::MetricAndSubKeyResults(_) => "metric-and-sub-key-results",
            Self::AllWeightsZero(_) => "all-weights-zero",
            Self::WeightOverflow(_) => "weight-overflow",
            Self::UnknownNode(_) => "unknown-node",
            Self::WrongKind { .. } => "wrong-kind",
            Self::UnknownLinkTarget { .. } => "unknown-link-target",
            Self::InvalidLinkTarget { .. } => "invalid-link-target",
            Self::DuplicateLink { .. } => "duplicate-link",
            Self::UnknownLink { .. } => "unknown-link",
            Self::LinkToLowerLevel { .. } => "link-to-lower-level",
            Self::LinksForbidden(_) => "links-forbidden",
            Self::PrivateUnderTransparency(_) => "private-under-transparency",
            Self::ViewersOnPublic(_) => "viewers-on-public",
            Self::PublicAlignedToPrivate { .. } => "public-aligned-to-private",
            Self::ContributesToMeasuredKeyResult { .. } => "contributes-to-measured-key-result",
            Self::Cycle { .. } => "cycle",
            Self::TooDeep(_) => "too-deep",
            Self::TitlesFull(_) => "titles-full",
            Self::StillLinked { .. } => "still-linked",
            Self::DuplicatePeriod(_) => "duplicate-period",
            Self::PeriodEndsBeforeStart { .. } => "period-ends-before-start",
            Self::UnknownPeriod { .. } => "unknown-period",
            Self::PeriodOutsideParent { .. } => "period-outside-parent",
            Self::PeriodsOverlap { .. } => "periods-overlap",
            Self::PeriodCycle(_) => "period-cycle",
            Self::CurrentAndCheckIns(_) => "current-and-check-ins",
            Self::NoMetric(_) => "no-metric",
            Self::CheckInValue { .. } => "check-in-value",
            Self::CheckInBeforePeriod { .. } => "check-in-before-period",
            Self::PeriodClosed { .. } => "period-closed",
            Self::PhaseOutsidePeriod { .. } => "phase-outside-period",
            Self::PhaseOnUnphasedMetric(..) => "phase-on-unphased-metric",
            Self::GradeOfUnknownNode { .. } => "grade-of-unknown-node",
            Self::AlreadyClosed(_) => "already-closed",
            Self::NoPeriod(_) => "no-period",
            Self::NotALaterPeriod { .. } => "not-a-later-period",
            Self::AlreadyDone(_) => "already-done",
            Self::UnknownRule(_) => "unknown-rule",
            Self::AlreadyCarried { .. } => "already-carried",
            Self::PeriodInUse { .. } => "period-in-use",
            Self::NotClosed(_) => "not-closed",
            Self::UnknownCheckIn(_) => "unknown-check-in",
            Self::InvalidCheckInId { .. } => "invalid-check-in-id",
            Self::UnknownTimeZone(_) => "unknown-time-zone",
            Self::CheckInAfterPeriod { .. } => "check-in-after-period",
            Self::ConfidenceOutOfScale { .. } => "confidence-out-of-scale",
            Self::NotGraded { .. } => "not-graded",
            Self::InvalidScore { .. } => "invalid-score",
            Self::ScoreWithoutReason(_) => "score-without-reason",
            Self::FoldInexact(_) => "fold-inexact",
            Self::Parse(_) => "parse",
            #[cfg(feature = "csv")]
            Self::Csv(_) => "csv",
            Self::Id(IdError::Empty) => "empty-id",
            Self::Id(IdError::ControlCharacter { .. }) => "id-control-character",
            Self::Decimal(_) => "not-a-decimal",
            Self::Weight(WeightError::Negative(_)) => "negative-weight",
            Self::Weight(WeightError::NotANumber(_)) => "weight-not-a-number",
            Self::Progress(_) => "invalid-progress",
            Self::Confidence(_) => "invalid-confidence",
            Self::Metric(MetricError::StartEqualsTarget(_)) => "metric-start-equals-target",
            Self::Metric(MetricError::Overflow) => "metric-overflow",
            Self::Metric(MetricError::InvertedRange { .. }) => "metric-inverted-range",
            Self::Metric(MetricError::MilestoneWeights) => "metric-milestone-weights",
            Self::Metric(MetricError::EmptyMilestoneTitle(_)) => "metric-empty-milestone-title",
            Self::Metric(MetricError::ZonesOutOfOrder) => "metric-zones-out-of-order",
            Self::Value(ValueMismatch::Kind { .. }) => "value-wrong-kind",
            Self::Value(ValueMismatch::OutOfRange(_)) => "value-out-of-range",
            Self::Value(ValueMismatch::UnknownMilestone(_)) => "unknown-milestone",
            Self::Levels(LevelsError::Empty) => "no-levels",
            Self::Levels(LevelsError::EmptyName(_)) => "empty-level-name",
            Self::Levels(LevelsError::Duplicate(_)) => "duplicate-level",
            Self::Moment(_) => "invalid-moment",
            Self::Year(_) => "year-out-of-range",
        }
    }

    /// The ids of the nodes and periods the error is about, each once, in
    /// the order the message first names them, so that a user interface
    /// can highlight them: `[from, target]` for a link, the cycle's path
    /// (without repeating its first node) for [`Error::Cycle`],
    /// `[node, period]` for [`Error::PeriodClosed`]. Empty for errors about
    /// no node (a progress cap, a lint rule, and the wrapped errors, which
    /// arise before there is a node). O(ids).
    ///
    /// # Example
    /// ```
    /// use okrs::{Link, OkrSet};
    ///
    /// let mut set = OkrSet::from_json(r#"{ "format": "okrs/1", "objectives": [
    ///     { "id": "a", "title": "A", "level": "company", "aligned_to": [{ "id": "b" }] },
    ///     { "id": "b", "title": "B", "level": "company" } ] }"#)?;
    /// let err = set.add_link("b", Link::new("a".parse()?)).unwrap_err();
    /// assert_eq!(err.code(), "cycle");
    /// let ids: Vec<&str> = err.ids().into_iter().map(|id| id.as_str()).collect();
    /// assert_eq!(ids, ["b", "a"]);
    /// # Ok::<(), okrs::Error>(())
    /// ```
    #[must_use]
    pub fn ids(&self) -> Vec<&Id> {
        let named: Vec<&Id> = match self {
            Self::DuplicateId(id)
            | Self::EmptyOwner(id)
            | Self::EmptyTitle(id)
            | Self::UnknownLevel { objective: id, .. }
            | Self::InvalidMetric { key_result: id, .. }
            | Self::MetricAndSubKeyResults(id)
            | Self::AllWeightsZero(id)
            | Self::WeightOverflow(id)
            | Self::UnknownNode(id)
            | Self::WrongKind { id, .. }
            | Self::LinksForbidden(id)
            | Self::PrivateUnderTransparency(id)
            | Self::ViewersOnPublic(id)
            | Self::TooDeep(id)
            | Self::TitlesFull(id)
            | Self::DuplicatePeriod(id)
            | Self::PeriodEndsBeforeStart { period: id, .. }
            | Self::PeriodCycle(id)
            | Self::CurrentAndCheckIns(id)
            | Self::NoMetric(id)
            | Self::CheckInValue { key_result: id, .. }
            | Self::CheckInBeforePeriod { key_result: id, .. }
            | Self::CheckInAfterPeriod { key_result: id, .. }
            | Self::ConfidenceOutOfScale { key_result: id, .. }
            | Self::InvalidScore { id, .. }
            | Self::ScoreWithoutReason(id)
            | Self::FoldInexact(id)
            | Self::PhaseOutsidePeriod { key_result: id, .. }
            | Self::PhaseOnUnphasedMetric(id, _)
            | Self::AlreadyClosed(id)
            | Self::NoPeriod(id)
            | Self::AlreadyDone(id) => vec![id],
            Self::UnknownStrategy { objective, .. } => objective.iter().collect(),
            Self::MisplacedStrategy { id, .. } => id.iter().collect(),
            Self::InvalidAlignedShare { objective, .. } => vec![objective],
            Self::SumOfNonNumeric {
                key_result,
                sub_key_results,
            }
            | Self::SumOfMixedUnits {
                key_result,
                sub_key_results,
            }
            | Self::SumWithoutDistance {
                key_result,
                sub_key_results,
            } => std::iter::once(key_result).chain(sub_key_results).collect(),
            Self::UnknownLinkTarget { from, target }
            | Self::InvalidLinkTarget { from, target }
            | Self::DuplicateLink { from, target }
            | Self::PublicAlignedToPrivate { from, target }
            | Self::UnknownLink { from, target }
            | Self::LinkToLowerLevel { from, target, .. }
            | Self::ContributesToMeasuredKeyResult { from, target } => vec![from, target],
            Self::Cycle { path } => path.iter().collect(),
            Self::StillLinked { id, by } => vec![id, by],
            Self::UnknownPeriod { period, by } => vec![by, period],
            Self::PeriodOutsideParent { period, within } => vec![period, within],
            Self::PeriodsOverlap { first, second } => vec![first, second],
            Self::PeriodClosed { period, id } => vec![id, period],
            Self::GradeOfUnknownNode { period, id } => vec![period, id],
            Self::NotALaterPeriod { objective, period } => vec![objective, period],
            Self::NotGraded { id, period } => vec![id, period],
            Self::AlreadyCarried { id, to } => vec![id, to],
            Self::PeriodInUse { period, by } => vec![period, by],
            Self::NotClosed(id) | Self::UnknownCheckIn(id) => vec![id],
            Self::InvalidCheckInId { key_result, id } => vec![key_result, id],
            Self::InvalidProgressCap(_)
            | Self::UnknownRule(_)
            | Self::UnknownTimeZone(_)
            | Self::Parse(_)
            | Self::Id(_)
            | Self::Decimal(_)
            | Self::Weight(_)
            | Self::Progress(_)
            | Self::Confidence(_)
            | Self::Metric(_)
            | Self::Value(_)
            | Self::Levels(_)
            | Self::Moment(_)
            | Self::Year(_) => Vec::new(),
            #[cfg(feature = "csv")]
            Self::Csv(_) => Vec::new(),
        };
        let mut ids: Vec<&Id> = Vec::with_capacity(named.len());
        for id in named {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }

    /// The `okrs/1` document field the error is about, where there is one:
    /// `"weight"`, `"metric"`, `"period"`, `"owners"`, `"title"`,
    /// `"aligned_to"`, `"level"`, `"check_ins"`, … (the JSON names, as in
    /// `objectives[0].key_results[1].weight`). For a parse error, the field
    /// its path ends in; for a CSV error, its column when that is also an
    /// `okrs/1` field. `None` for errors about no one field (an unknown
    /// node, a wrong kind, overlapping periods, …). O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::OkrSet;
    ///
    /// let err = OkrSet::from_json(r#"{ "format": "okrs/1", "objectives": [
    ///     { "id": "a", "title": " ", "level": "company" } ] }"#).unwrap_err();
    /// assert_eq!(okrs::Error::from(err).field(), Some("title"));
    /// ```
    #[must_use]
    pub fn field(&self) -> Option<&'static str> {
        let field = match self {
            Self::DuplicateId(_) | Self::DuplicatePeriod(_) | Self::Id(_) => "id",
            Self::EmptyOwner(_) => "owners",
            Self::EmptyTitle(_) | Self::TitlesFull(_) => "title",
            Self::UnknownLevel { .. } => "level",
            Self::UnknownStrategy { .. } | Self::MisplacedStrategy { .. } => "grading",
            Self::InvalidAlignedShare { .. } => "aligned_share",
            Self::PrivateUnderTransparency(_) => "visibility",
            Self::ViewersOnPublic(_) => "viewers",
            Self::SumOfNonNumeric { .. } => "metric",
            Self::SumOfMixedUnits { .. } => "unit",
            Self::SumWithoutDistance { .. } => "target",
            Self::InvalidProgressCap(_) => "progress_cap",
            Self::InvalidMetric { .. }
            | Self::MetricAndSubKeyResults(_)
            | Self::NoMetric(_)
            | Self::Metric(_) => "metric",
            Self::AllWeightsZero(_) | Self::WeightOverflow(_) | Self::Weight(_) => "weight",
            Self::UnknownLinkTarget { .. }
            | Self::InvalidLinkTarget { .. }
            | Self::DuplicateLink { .. }
            | Self::PublicAlignedToPrivate { .. }
            | Self::UnknownLink { .. }
            | Self::LinkToLowerLevel { .. }
            | Self::LinksForbidden(_)
            | Self::Cycle { .. }
            | Self::StillLinked { .. } => "aligned_to",
            Self::ContributesToMeasuredKeyResult { .. } => "contributes",
            Self::TooDeep(_) => "key_results",
            Self::PeriodEndsBeforeStart { .. } => "end",
            Self::UnknownPeriod { .. }
            | Self::PeriodClosed { .. }
            | Self::NoPeriod(_)
            | Self::NotALaterPeriod { .. } => "period",
            Self::PeriodOutsideParent { .. } | Self::PeriodCycle(_) => "within",
            Self::CurrentAndCheckIns(_) => "current",
            Self::CheckInValue { .. } | Self::Value(_) => "value",
            Self::CheckInBeforePeriod { .. }
            | Self::CheckInAfterPeriod { .. }
            | Self::Moment(_) => "at",
            Self::UnknownTimeZone(_) => "time_zone",
            Self::ConfidenceOutOfScale { .. } => "confidence",
            Self::NotGraded { .. } => "closed",
            Self::InvalidScore { .. } | Self::ScoreWithoutReason(_) => "score",
            Self::PhaseOutsidePeriod { .. } | Self::PhaseOnUnphasedMetric(..) => "phases",
            Self::GradeOfUnknownNode { .. } => "grades",
            Self::AlreadyClosed(_) => "closed",
            Self::UnknownRule(_) => "lint",
            Self::AlreadyCarried { .. } => "carried_to",
            Self::PeriodInUse { .. } | Self::NotClosed(_) => "periods",
            Self::UnknownCheckIn(_) | Self::InvalidCheckInId { .. } => "check_ins",
            Self::Progress(_) => "progress",
            Self::Confidence(_) => "confidence",
            Self::Levels(_) => "levels",
            Self::Parse(e) => return field_of_path(e.path()),
            #[cfg(feature = "csv")]
            Self::Csv(e) => return e.column().and_then(known_field),
            Self::UnknownNode(_)
            | Self::WrongKind { .. }
            | Self::PeriodsOverlap { .. }
            | Self::AlreadyDone(_)
            | Self::FoldInexact(_)
            | Self::Decimal(_)
            | Self::Year(_) => return None,
        };
        Some(field)
    }
}

fn misplaced(id: &Option<Id>) -> String {
    match id {
        Some(id) => format!(
            "{id:?} has no sub-key results to sum (objectives, and key results with their own metric, take another strategy)"
        ),
        None => "the set's own strategy rolls up objectives, whose contributions are no values"
            .to_owned(),
    }
}

fn format_list(ids: &[Id]) -> String {
    let quoted: Vec<String> = ids.iter().map(|id| format!("{:?}", id.as_str())).collect();
    quoted.join(", ")
}

fn are(ids: &[Id]) -> String {
    match ids {
        [one] => format!("{:?} is", one.as_str()),
        _ => format!("{} are", format_list(ids)),
    }
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

impl LoadError {
    /// The stable code of the failure: `"parse"` for text that is not a
    /// document, else the [`Error::code`] of the refused model. O(1).
    ///
    /// # Example
    /// ```
    /// let err = okrs::OkrSet::from_json(r#"{"format": "okrs/2"}"#).unwrap_err();
    /// assert_eq!(err.code(), "parse");
    /// let err = okrs::OkrSet::from_json(r#"{"format": "okrs/1", "progress_cap": "0.5"}"#)
    ///     .unwrap_err();
    /// assert_eq!(err.code(), "invalid-progress-cap");
    /// ```
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::Parse(_) => "parse",
            Self::Invalid(e) => e.code(),
        }
    }
}
