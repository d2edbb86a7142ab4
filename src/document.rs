//! Documents: the `okrs/1` serde model of a whole set, and reading and
//! writing it as JSON.
//!
//! Any serde format can carry a [`Document`]; JSON comes built in (feature
//! `json`). Unknown fields are rejected, so that a misspelt `"wieght"` is an
//! error instead of a silent default.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::number::serde_decimal;
use crate::{
    AlignmentModel, ConfidenceScale, GapPolicy, Levels, LintSettings, Objective, Overachievement,
    Period, ProgressFrom,
};

/// The document format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Format {
    /// `okrs/1`, the only version so far.
    #[default]
    #[serde(rename = "okrs/1")]
    V1,
}

/// A whole set of OKRs as a document: settings and objectives, nothing
/// validated beyond each field's own shape. Turn it into an
/// [`OkrSet`](crate::OkrSet) to validate and roll it up.
///
/// # Example
/// ```
/// use okrs::{AlignmentModel, Document};
///
/// let doc = Document::from_json(r#"{
///   "format": "okrs/1", "alignment": "cascading",
///   "objectives": [{ "id": "o", "title": "Delight customers", "level": "company" }]
/// }"#)?;
/// assert_eq!(doc.alignment, AlignmentModel::Cascading);
/// assert_eq!(Document::from_json(&doc.to_json()?)?, doc);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Document {
    /// Always `okrs/1`.
    pub format: Format,
    /// The alignment model (default directional).
    #[serde(default)]
    pub alignment: AlignmentModel,
    /// The aggregation strategy's name (default `weighted-mean`), written
    /// `"grading"` in `okrs/1`. (The field was `grading` before 0.2.)
    #[serde(rename = "grading", default = "default_strategy")]
    pub strategy: String,
    /// The levels, highest first (default company, department, team, individual).
    #[serde(default)]
    pub levels: Levels,
    /// The highest progress a numeric key result may show (default 1; 1.5
    /// allows 50 % over-achievement).
    #[serde(default = "default_cap", with = "serde_decimal")]
    pub progress_cap: Decimal,
    /// What an objective's progress counts unless it says itself (default
    /// `both`: its key results and the objectives contributing to it).
    #[serde(default, skip_serializing_if = "ProgressFrom::is_default")]
    pub progress_from: ProgressFrom,
    /// Whether over-achievement flows into parents (default `clamped`:
    /// what flows is at most 1; `counts`: up to the progress cap).
    #[serde(default, skip_serializing_if = "Overachievement::is_default")]
    pub overachievement: Overachievement,
    /// The time zone check-ins are counted in: an IANA name such as
    /// `"Europe/Oslo"` (default UTC). A timestamped check-in counts on its
    /// date there; a set refuses a name the bundled time zone database does
    /// not know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// The scale check-ins state their confidence on (default `0-1`).
    #[serde(default, skip_serializing_if = "ConfidenceScale::is_default")]
    pub confidence_scale: ConfidenceScale,
    /// How statuses are decided: the gap thresholds and the objective rule
    /// (default BurningOKR's thresholds and the gap rule).
    #[serde(default, skip_serializing_if = "GapPolicy::is_default")]
    pub status: GapPolicy,
    /// Health-check settings: rule levels and thresholds.
    #[serde(default, skip_serializing_if = "LintSettings::is_default")]
    pub lint: LintSettings,
    /// The periods objectives are set for (years, quarters, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub periods: Vec<Period>,
    /// The objectives, in order.
    #[serde(default)]
    pub objectives: Vec<Objective>,
}

/// The name of the default aggregation strategy.
pub const DEFAULT_STRATEGY: &str = "weighted-mean";

/// The old name of [`DEFAULT_STRATEGY`].
#[deprecated(since = "0.2.0", note = "renamed to `DEFAULT_STRATEGY`")]
pub const DEFAULT_GRADING: &str = DEFAULT_STRATEGY;

fn default_strategy() -> String {
    DEFAULT_STRATEGY.to_owned()
}

fn default_cap() -> Decimal {
    Decimal::ONE
}

impl Default for Document {
    fn default() -> Self {
        Self {
            format: Format::V1,
            alignment: AlignmentModel::Directional,
            strategy: default_strategy(),
            levels: Levels::default(),
            progress_cap: Decimal::ONE,
            progress_from: ProgressFrom::Both,
            overachievement: Overachievement::Clamped,
            time_zone: None,
            confidence_scale: ConfidenceScale::ZeroToOne,
            status: GapPolicy::default(),
            lint: LintSettings::default(),
            periods: Vec::new(),
            objectives: Vec::new(),
        }
    }
}

impl Document {
    /// An empty document with default settings. O(1).
    #[must_use]
    pub fn new(alignment: AlignmentModel) -> Self {
        Self {
            alignment,
            ..Self::default()
        }
    }

    /// Adds a period. O(1) amortised.
    #[must_use]
    pub fn with_period(mut self, period: Period) -> Self {
        self.periods.push(period);
        self
    }

    /// Adds an objective. O(1) amortised.
    #[must_use]
    pub fn with_objective(mut self, objective: Objective) -> Self {
        self.objectives.push(objective);
        self
    }
}
