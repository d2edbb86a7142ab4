//! The OKR model: objectives, key results (and sub-key results),
//! initiatives, alignment links, levels and commitments, as plain values.
//!
//! These types are what documents hold and what [`OkrSet`](crate::OkrSet)
//! accepts and hands back; the set validates them as a whole.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::number::serde_decimal;
use crate::{CheckIn, DeletedCheckIn, Id, Metric, Phase, Visibility, Weight};

/// An objective: where we want to go. Qualitative, owned, on a level, and
/// measured only through what supports it.
///
/// # Example
/// ```
/// use okrs::{KeyResult, Metric, Objective};
///
/// let objective = Objective::new("grow-bizops".parse()?, "Grow the BizOps team", "team")
///     .with_owner("dir-bizops")
///     .with_key_result(KeyResult::new("hire-assistant".parse()?, "Hire 1 assistant")
///         .with_metric(Metric::binary(true)));
/// assert_eq!(objective.key_results.len(), 1);
/// # Ok::<(), okrs::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Objective {
    /// Unique id across the whole set.
    pub id: Id,
    /// Non-empty title.
    pub title: String,
    /// The level's name; one of the set's levels.
    pub level: String,
    /// Owners (people or teams); none is allowed and left to health checks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Aspirational (default) or committed.
    #[serde(default, skip_serializing_if = "Commitment::is_default")]
    pub commitment: Commitment,
    /// The aggregation strategy for this objective (and its key results'
    /// sub-key results), overriding the set's.
    /// Written `"grading"` in `okrs/1`. (The field was `grading` before 0.2.)
    #[serde(rename = "grading", default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    /// What the objective's progress counts: its key results, the
    /// objectives aligned to it (that contribute), or both; `None` takes
    /// the set's default ([`Document::progress_from`](crate::Document::progress_from),
    /// `both` unless the document says otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_from: Option<ProgressFrom>,
    /// The share, from 0 to 1, of the aligned group (the contributing
    /// objectives) when both groups count; the key-result group gets the
    /// rest. Without it each group counts by its number of members.
    /// Ignored when one group is empty, and by `min`.
    #[serde(
        default,
        with = "serde_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub aligned_share: Option<Decimal>,
    /// The id of the period the objective is set for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Id>,
    /// The objective this one was carried forward from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_from: Option<Id>,
    /// The objective this one was carried forward to: set when an
    /// unfinished objective moves on to a later period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried_to: Option<Id>,
    /// Who may see it: public (the default) or private to its owners and
    /// `viewers`. Its key results share it.
    #[serde(default, skip_serializing_if = "Visibility::is_public")]
    pub visibility: Visibility,
    /// Besides its owners, the people and groups who may see a private
    /// objective.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub viewers: Vec<String>,
    /// What this objective supports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aligned_to: Vec<Link>,
    /// Its key results, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_results: Vec<KeyResult>,
}

impl Objective {
    /// An objective with no owners, links or key results. O(1).
    #[must_use]
    pub fn new(id: Id, title: impl Into<String>, level: impl Into<String>) -> Self {
        Self {
            id,
            title: title.into(),
            level: level.into(),
            owners: Vec::new(),
            description: None,
            commitment: Commitment::Aspirational,
            strategy: None,
            progress_from: None,
            aligned_share: None,
            period: None,
            carried_from: None,
            carried_to: None,
            visibility: Visibility::Public,
            viewers: Vec::new(),
            aligned_to: Vec::new(),
            key_results: Vec::new(),
        }
    }

    /// Adds an owner. O(1) amortised.
    #[must_use]
    pub fn with_owner(mut self, owner: impl Into<String>) -> Self {
        self.owners.push(owner.into());
        self
    }

    /// Sets the description. O(1).
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the commitment. O(1).
    #[must_use]
    pub fn with_commitment(mut self, commitment: Commitment) -> Self {
        self.commitment = commitment;
        self
    }

    /// Sets the period the objective is for. O(1).
    #[must_use]
    pub fn with_period(mut self, period: Id) -> Self {
        self.period = Some(period);
        self
    }

    /// Picks the aggregation strategy by name. O(1).
    #[must_use]
    pub fn with_strategy(mut self, strategy: impl Into<String>) -> Self {
        self.strategy = Some(strategy.into());
        self
    }

    /// The old name of [`with_strategy`](Self::with_strategy).
    #[deprecated(since = "0.2.0", note = "renamed to `with_strategy`")]
    #[must_use]
    pub fn with_grading(self, strategy: impl Into<String>) -> Self {
        self.with_strategy(strategy)
    }

    /// Sets what the objective's progress counts. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{Objective, ProgressFrom};
    /// let o = Objective::new("co".parse()?, "Company", "company")
    ///     .with_progress_from(ProgressFrom::Aligned);
    /// assert_eq!(o.progress_from, Some(ProgressFrom::Aligned));
    /// # Ok::<(), okrs::IdError>(())
    /// ```
    #[must_use]
    pub fn with_progress_from(mut self, from: ProgressFrom) -> Self {
        self.progress_from = Some(from);
        self
    }

    /// Fixes the aligned group's share (0 to 1) when both groups count.
    /// O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::Objective;
    /// let o = Objective::new("co".parse()?, "Company", "company")
    ///     .with_aligned_share("0.25".parse().unwrap());
    /// assert_eq!(o.aligned_share.unwrap().to_string(), "0.25");
    /// # Ok::<(), okrs::IdError>(())
    /// ```
    #[must_use]
    pub fn with_aligned_share(mut self, share: Decimal) -> Self {
        self.aligned_share = Some(share);
        self
    }

    /// Makes the objective private to its owners and these viewers
    /// (people or groups). O(viewers).
    ///
    /// # Example
    /// ```
    /// use okrs::{Objective, Visibility};
    /// let o = Objective::new("hiring".parse()?, "Hire a CFO", "company")
    ///     .private_to(["board"]);
    /// assert_eq!(o.visibility, Visibility::Private);
    /// assert_eq!(o.viewers, ["board"]);
    /// # Ok::<(), okrs::IdError>(())
    /// ```
    #[must_use]
    pub fn private_to<I, S>(mut self, viewers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.visibility = Visibility::Private;
        self.viewers = viewers.into_iter().map(Into::into).collect();
        self
    }

    /// Adds an alignment link. O(1) amortised.
    #[must_use]
    pub fn with_link(mut self, link: Link) -> Self {
        self.aligned_to.push(link);
        self
    }

    /// Adds a key result. O(1) amortised.
    #[must_use]
    pub fn with_key_result(mut self, key_result: KeyResult) -> Self {
        self.key_results.push(key_result);
        self
    }
}

/// A key result: how we know we got there. Measured by a metric, by sub-key
/// results, or (with neither) by the objectives that contribute to it.
///
/// # Example
/// ```
/// use okrs::{KeyResult, Metric, Weight};
///
/// let kr = KeyResult::new("hire-sdrs".parse()?, "Hire 3 SDRs")
///     .with_weight("30".parse::<Weight>()?)
///     .with_metric(Metric::numeric(0.into(), 3.into()).with_current(1.into()));
/// assert!(kr.metric.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct KeyResult {
    /// Unique id across the whole set.
    pub id: Id,
    /// Non-empty title.
    pub title: String,
    /// Owners; none is allowed and left to health checks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    /// Relative weight within its objective (or parent key result).
    #[serde(default, skip_serializing_if = "is_one")]
    pub weight: Weight,
    /// How its sub-key results roll up, overriding its objective's
    /// strategy: any strategy's name, or `sum-of-values` (the sum of the
    /// sub-key results' numeric values against the sum of their targets).
    /// Written `"grading"` in `okrs/1`, like an objective's.
    #[serde(rename = "grading", default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How it is measured; exclusive with sub-key results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<Metric>,
    /// The dated history of the metric's value; with check-ins the metric
    /// itself stays at its start.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub check_ins: Vec<CheckIn>,
    /// Check-ins deleted from the history, with why; they no longer count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleted_check_ins: Vec<DeletedCheckIn>,
    /// Where the metric should stand on given dates (phased targets).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phases: Vec<Phase>,
    /// Sub-key results, rolled up like key results into an objective.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_results: Vec<KeyResult>,
    /// Work that supports the key result; never counts toward progress.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub initiatives: Vec<Initiative>,
}

fn is_one(w: &Weight) -> bool {
    *w == Weight::ONE
}

impl KeyResult {
    /// A key result of weight 1 with no metric yet. O(1).
    #[must_use]
    pub fn new(id: Id, title: impl Into<String>) -> Self {
        Self {
            id,
            title: title.into(),
            owners: Vec::new(),
            weight: Weight::ONE,
            strategy: None,
            description: None,
            metric: None,
            check_ins: Vec::new(),
            deleted_check_ins: Vec::new(),
            phases: Vec::new(),
            key_results: Vec::new(),
            initiatives: Vec::new(),
        }
    }

    /// Adds an owner. O(1) amortised.
    #[must_use]
    pub fn with_owner(mut self, owner: impl Into<String>) -> Self {
        self.owners.push(owner.into());
        self
    }

    /// Sets the weight. O(1).
    #[must_use]
    pub fn with_weight(mut self, weight: Weight) -> Self {
        self.weight = weight;
        self
    }

    /// Picks the strategy its sub-key results roll up with, by name
    /// (`sum-of-values` sums their values). O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{KeyResult, Metric};
    /// let revenue = KeyResult::new("revenue".parse()?, "Revenue $1M")
    ///     .with_strategy("sum-of-values")
    ///     .with_key_result(KeyResult::new("east".parse()?, "East $600k")
    ///         .with_metric(Metric::numeric(0.into(), 600_000.into())))
    ///     .with_key_result(KeyResult::new("west".parse()?, "West $400k")
    ///         .with_metric(Metric::numeric(0.into(), 400_000.into())));
    /// assert_eq!(revenue.strategy.as_deref(), Some("sum-of-values"));
    /// # Ok::<(), okrs::IdError>(())
    /// ```
    #[must_use]
    pub fn with_strategy(mut self, strategy: impl Into<String>) -> Self {
        self.strategy = Some(strategy.into());
        self
    }

    /// Sets the metric. O(1).
    #[must_use]
    pub fn with_metric(mut self, metric: Metric) -> Self {
        self.metric = Some(metric);
        self
    }

    /// Adds a check-in to the history. O(1) amortised.
    #[must_use]
    pub fn with_check_in(mut self, check_in: CheckIn) -> Self {
        self.check_ins.push(check_in);
        self
    }

    /// Adds a phased target. O(1) amortised.
    #[must_use]
    pub fn with_phase(mut self, phase: Phase) -> Self {
        self.phases.push(phase);
        self
    }

    /// Adds a sub-key result. O(1) amortised.
    #[must_use]
    pub fn with_key_result(mut self, key_result: KeyResult) -> Self {
        self.key_results.push(key_result);
        self
    }

    /// Adds an initiative. O(1) amortised.
    #[must_use]
    pub fn with_initiative(mut self, initiative: Initiative) -> Self {
        self.initiatives.push(initiative);
        self
    }
}

/// Work that supports a key result ("what do I have to do to get there").
/// Tracked, never measured as progress.
///
/// # Example
/// ```
/// use okrs::{Initiative, InitiativeStatus};
/// let i = Initiative::new("write-job-ad".parse()?, "Write the job ad")
///     .with_status(InitiativeStatus::Doing);
/// assert_eq!(i.status, InitiativeStatus::Doing);
/// # Ok::<(), okrs::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Initiative {
    /// Unique id across the whole set.
    pub id: Id,
    /// Non-empty title.
    pub title: String,
    /// Where the work stands.
    #[serde(default)]
    pub status: InitiativeStatus,
    /// Owners.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
}

impl Initiative {
    /// An initiative still to do. O(1).
    #[must_use]
    pub fn new(id: Id, title: impl Into<String>) -> Self {
        Self {
            id,
            title: title.into(),
            status: InitiativeStatus::Todo,
            owners: Vec::new(),
        }
    }

    /// Sets the status. O(1).
    #[must_use]
    pub fn with_status(mut self, status: InitiativeStatus) -> Self {
        self.status = status;
        self
    }
}

/// Where an initiative stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InitiativeStatus {
    /// Not started.
    #[default]
    Todo,
    /// Under way.
    Doing,
    /// Finished.
    Done,
}

/// A link from a supporting objective to the objective or key result it
/// supports.
///
/// # Example
/// ```
/// use okrs::Link;
/// let link = Link::new("company-1".parse()?).with_weight("2".parse()?).contributes(false);
/// assert_eq!(link.contributes, Some(false));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Link {
    /// The supported objective or key result.
    pub id: Id,
    /// The weight of this contribution at the target (default 1).
    #[serde(default, skip_serializing_if = "is_one")]
    pub weight: Weight,
    /// Overrides the set's alignment model: `true` makes progress flow along
    /// the link, `false` makes it a visible support link only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contributes: Option<bool>,
}

impl Link {
    /// A link of weight 1 that follows the set's alignment model. O(1).
    #[must_use]
    pub fn new(target: Id) -> Self {
        Self {
            id: target,
            weight: Weight::ONE,
            contributes: None,
        }
    }

    /// Sets the weight. O(1).
    #[must_use]
    pub fn with_weight(mut self, weight: Weight) -> Self {
        self.weight = weight;
        self
    }

    /// Overrides whether progress flows along the link. O(1).
    #[must_use]
    pub fn contributes(mut self, contributes: bool) -> Self {
        self.contributes = Some(contributes);
        self
    }
}

/// How firmly an objective is promised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Commitment {
    /// A stretch goal: 0.7 is a good grade (the default).
    #[default]
    Aspirational,
    /// A promise: only 1.0 is green.
    Committed,
}

impl Commitment {
    fn is_default(&self) -> bool {
        *self == Self::Aspirational
    }
}

/// What an objective's progress counts (`"progress_from"`): its key
/// results, the objectives aligned to it that contribute, or both (the
/// default). Seed 002's cascading replaces an objective's key results by
/// the objectives of the next level down: `aligned`.
///
/// With `aligned`, the objective's own key results are still tracked and
/// shown; they just do not count. An objective whose chosen group is empty
/// is unmeasured (progress 0), and the health checks flag it.
///
/// # Example
/// ```
/// use okrs::ProgressFrom;
/// assert!(ProgressFrom::Both.counts_key_results() && ProgressFrom::Both.counts_aligned());
/// assert!(!ProgressFrom::Aligned.counts_key_results());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProgressFrom {
    /// Only the objective's key results.
    KeyResults,
    /// Only the objectives that contribute to it.
    Aligned,
    /// Both groups, each weighted within itself (the default).
    #[default]
    Both,
}

impl ProgressFrom {
    /// Whether the key-result group counts. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::ProgressFrom;
    /// assert!(ProgressFrom::KeyResults.counts_key_results());
    /// assert!(!ProgressFrom::Aligned.counts_key_results());
    /// ```
    #[must_use]
    pub fn counts_key_results(self) -> bool {
        matches!(self, Self::KeyResults | Self::Both)
    }

    /// Whether the aligned group (contributing objectives) counts. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::ProgressFrom;
    /// assert!(ProgressFrom::Aligned.counts_aligned());
    /// assert!(!ProgressFrom::KeyResults.counts_aligned());
    /// ```
    #[must_use]
    pub fn counts_aligned(self) -> bool {
        matches!(self, Self::Aligned | Self::Both)
    }

    pub(crate) fn is_default(&self) -> bool {
        *self == Self::Both
    }
}

impl fmt::Display for ProgressFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::KeyResults => "key-results",
            Self::Aligned => "aligned",
            Self::Both => "both",
        })
    }
}

/// Whether progress beyond a key result's target flows into what it
/// contributes to (`"overachievement"` in a document). The progress cap
/// lets a key result show more than 1 either way.
///
/// # Example
/// ```
/// use okrs::Overachievement;
/// assert_eq!(Overachievement::default(), Overachievement::Clamped);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Overachievement {
    /// What flows into a parent is clamped to 1, so that one key result
    /// over its target cannot hide another's miss (the default).
    #[default]
    Clamped,
    /// Over-achievement flows into parents as it is (up to the cap).
    Counts,
}

impl Overachievement {
    pub(crate) fn is_default(&self) -> bool {
        *self == Self::Clamped
    }
}

/// The organisation's alignment model: which links are allowed and whether
/// progress flows along them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlignmentModel {
    /// Objectives align to objectives or key results; links are visible but
    /// progress does not flow along them (the default).
    #[default]
    Directional,
    /// Objectives contribute to the objectives (or to the unmeasured key
    /// results) they align to, and progress rolls up.
    Cascading,
    /// No links at all; everything is visible to everyone.
    Transparency,
}

impl AlignmentModel {
    /// Whether a link without an explicit `contributes` carries progress. O(1).
    #[must_use]
    pub fn contributes_by_default(self) -> bool {
        matches!(self, Self::Cascading)
    }
}

impl fmt::Display for AlignmentModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Directional => "directional",
            Self::Cascading => "cascading",
            Self::Transparency => "transparency",
        })
    }
}

/// The ordered list of levels, highest first.
///
/// # Example
/// ```
/// use okrs::Levels;
///
/// let levels = Levels::default();
/// assert_eq!(levels.rank("company"), Some(0));
/// assert_eq!(levels.rank("individual"), Some(3));
/// let custom = Levels::new(["group", "tribe", "squad"])?;
/// assert_eq!(custom.rank("squad"), Some(2));
/// # Ok::<(), okrs::LevelsError>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct Levels {
    names: Vec<String>,
    /// Rank by name, kept for long lists only (a short scan is faster than
    /// hashing): a document with thousands of levels and objectives stays
    /// linear.
    ranks: Option<std::collections::HashMap<String, usize>>,
}

impl PartialEq for Levels {
    fn eq(&self, other: &Self) -> bool {
        self.names == other.names
    }
}

impl Eq for Levels {}

impl std::hash::Hash for Levels {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.names.hash(state);
    }
}

/// Why a list of levels is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LevelsError {
    /// No level at all.
    #[error("at least one level is needed")]
    Empty,
    /// A level with an empty name.
    #[error("level {0} has an empty name")]
    EmptyName(usize),
    /// The same level twice.
    #[error("level {0:?} is listed twice")]
    Duplicate(String),
}

impl Levels {
    /// Levels from highest to lowest. O(n) for n levels.
    ///
    /// # Errors
    /// [`LevelsError`] for an empty list, an empty name or a duplicate.
    ///
    /// # Example
    /// ```
    /// use okrs::{Levels, LevelsError};
    /// assert!(Levels::new(["tribe", "squad"]).is_ok());
    /// assert_eq!(
    ///     Levels::new(["tribe", "squad", "tribe"]),
    ///     Err(LevelsError::Duplicate("tribe".into()))
    /// );
    /// ```
    pub fn new<I, S>(levels: I) -> Result<Self, LevelsError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let levels: Vec<String> = levels.into_iter().map(Into::into).collect();
        if levels.is_empty() {
            return Err(LevelsError::Empty);
        }
        let mut seen = std::collections::HashSet::with_capacity(levels.len());
        for (i, level) in levels.iter().enumerate() {
            if level.trim().is_empty() {
                return Err(LevelsError::EmptyName(i));
            }
            if !seen.insert(level.as_str()) {
                return Err(LevelsError::Duplicate(level.clone()));
            }
        }
        Ok(Self::from_checked(levels))
    }

    /// Levels already checked: unique, non-empty names.
    fn from_checked(names: Vec<String>) -> Self {
        let ranks = (names.len() > 8).then(|| {
            names
                .iter()
                .enumerate()
                .map(|(rank, name)| (name.clone(), rank))
                .collect()
        });
        Self { names, ranks }
    }

    /// The position of a level, 0 being the highest. O(1) average (a scan
    /// of up to 8 levels, a hash lookup past that).
    #[must_use]
    pub fn rank(&self, level: &str) -> Option<usize> {
        match &self.ranks {
            Some(ranks) => ranks.get(level).copied(),
            None => self.names.iter().position(|l| l == level),
        }
    }

    /// The level at a rank. O(1).
    #[must_use]
    pub fn name(&self, rank: usize) -> Option<&str> {
        self.names.get(rank).map(String::as_str)
    }

    /// The levels, highest first. O(1).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// How many levels there are. O(1).
    #[must_use]
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Always false: a valid list has at least one level. O(1).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

impl Default for Levels {
    /// `company, department, team, individual`.
    fn default() -> Self {
        Self::from_checked(
            ["company", "department", "team", "individual"]
                .map(String::from)
                .to_vec(),
        )
    }
}

impl TryFrom<Vec<String>> for Levels {
    type Error = LevelsError;
    fn try_from(levels: Vec<String>) -> Result<Self, Self::Error> {
        Self::new(levels)
    }
}

impl From<Levels> for Vec<String> {
    fn from(levels: Levels) -> Self {
        levels.names
    }
}

/// How deep sub-key results may nest below a key result.
///
/// Deeper nesting is refused with [`Error::TooDeep`](crate::Error::TooDeep). `KeyResult`'s derived
/// serde, `Clone` and `Drop` recurse, so read documents only through formats
/// with a recursion limit (serde_json has one: 128) and do not build
/// key results nested thousands deep by hand.
pub const MAX_DEPTH: usize = 16;

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// An objective.
    Objective,
    /// A key result or a sub-key result.
    KeyResult,
    /// An initiative.
    Initiative,
}

impl NodeKind {
    /// The kind's name, as its `Display` and serde write it. O(1).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Objective => "objective",
            Self::KeyResult => "key-result",
            Self::Initiative => "initiative",
        }
    }
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_of_levels_rank_like_short_ones() {
        for count in [1usize, 8, 9, 500] {
            let names: Vec<String> = (0..count).map(|i| format!("level {i}")).collect();
            let levels = Levels::new(names.clone()).unwrap();
            for (rank, name) in names.iter().enumerate() {
                assert_eq!(levels.rank(name), Some(rank));
                assert_eq!(levels.name(rank), Some(name.as_str()));
            }
            assert_eq!(levels.rank("nowhere"), None);
            assert_eq!(levels, Levels::try_from(names.clone()).unwrap());
            assert_eq!(Vec::from(levels), names);
        }
    }
}
