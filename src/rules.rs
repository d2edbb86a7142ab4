//! Rules: the catalogue of health checks (each [`Rule`] with a stable code,
//! a name and a default [`Severity`]) and the [`LintSettings`] a document
//! keeps under `"lint"` to switch rules off or re-level them. The checks
//! themselves run in the `lint` report.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Note,
    /// Worth fixing.
    Warning,
    /// Must be fixed: `okrs lint` exits 1.
    Error,
}

impl Severity {
    /// The severity's name, as [`Display`](fmt::Display) writes it,
    /// without the formatter. O(1).
    ///
    /// # Example
    /// ```
    /// assert_eq!(okrs::Severity::Warning.name(), "warning");
    /// ```
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Note => "note",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// A rule's level in a set: off, or a severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    /// The rule does not run.
    Off,
    /// Findings are notes.
    Note,
    /// Findings are warnings.
    Warning,
    /// Findings are errors.
    Error,
}

macro_rules! rules {
    ($($variant:ident = $code:literal, $name:literal, $severity:ident, $doc:literal;)*) => {
        /// A health check.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Rule {
            $(#[doc = $doc] $variant,)*
        }

        impl Rule {
            /// Every rule, by code.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The stable code, like `OKR101`. O(1).
            #[must_use]
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// The kebab-case name. O(1).
            #[must_use]
            pub fn name(self) -> &'static str {
                match self { $(Self::$variant => $name,)* }
            }

            /// The severity when the set does not re-level it. O(1).
            #[must_use]
            pub fn default_severity(self) -> Severity {
                match self { $(Self::$variant => Severity::$severity,)* }
            }

            /// What the rule checks. O(1).
            #[must_use]
            pub fn description(self) -> &'static str {
                match self { $(Self::$variant => $doc,)* }
            }
        }
    };
}

rules! {
    TooManyTopObjectives = "OKR101", "too-many-top-objectives", Warning,
        "More than 5 (by default) top-level objectives in one period, counting those of the periods containing it (a quarter counts the year's): focus on 3 to 5 a year.";
    TooFewTopObjectives = "OKR102", "too-few-top-objectives", Warning,
        "Fewer than 3 (by default) top-level objectives in one period, counting those of the periods containing it, or none at all.";
    TooManyKeyResults = "OKR103", "too-many-key-results", Warning,
        "An objective with more than 5 (by default) key results.";
    UnmeasuredObjective = "OKR104", "unmeasured-objective", Error,
        "An objective with nothing to count: no key result and nothing contributing to it, or none in the group its `progress_from` chooses.";
    NoOwner = "OKR105", "no-owner", Warning,
        "An objective or key result without an owner.";
    AllCoOwned = "OKR106", "all-co-owned", Note,
        "Every objective and key result has several owners: the breakdown is too coarse.";
    OutputNotOutcome = "OKR107", "output-not-outcome", Warning,
        "Every key result of an objective is binary or a milestone list: a task list, not outcomes.";
    WeightsNot100 = "OKR108", "weights-not-100", Error,
        "With strict weights, the key results of an objective (or sub-key results of a key result) do not sum to 100.";
    UnmeasuredKeyResult = "OKR109", "unmeasured-key-result", Error,
        "A key result without a metric, sub-key results or contributing objectives: it counts as 0.";
    Unaligned = "OKR201", "unaligned", Warning,
        "An objective below the top level that aligns to nothing: a warning under cascading alignment, a note under directional alignment (where not every objective needs a parent), unless the set re-levels it.";
    Misaligned = "OKR202", "misaligned", Warning,
        "An objective whose alignment chains never reach a top-level objective.";
    CascadedTitle = "OKR203", "cascaded-title", Warning,
        "A child objective whose title repeats a key result it aligns to: the cascade copied instead of deriving.";
    PeriodOutsideParent = "OKR204", "period-outside-parent", Note,
        "An objective whose period lies outside the period of what it aligns to.";
    StaleKeyResult = "OKR301", "stale-key-result", Warning,
        "A key result of an open period, not yet done, without a check-in in the last 14 days (by default).";
    AlwaysPerfect = "OKR302", "always-perfect", Note,
        "An owner whose aspirational objectives scored 1.0 in every closed period (final scores): they are not ambitious enough. Committed objectives are meant to reach 1.";
    AlwaysLow = "OKR303", "always-low", Note,
        "An owner whose objectives scored below 0.3 in every closed period (final scores): they are too aspirational.";
    CheckInAfterAsOf = "OKR304", "check-in-after-as-of", Warning,
        "A key result with a check-in dated after the date of the review: live progress counts it, the review as of that date does not.";
}

impl Rule {
    /// The rule with this code or name. O(rules).
    ///
    /// # Example
    /// ```
    /// use okrs::Rule;
    /// assert_eq!(Rule::find("OKR105"), Some(Rule::NoOwner));
    /// assert_eq!(Rule::find("no-owner"), Some(Rule::NoOwner));
    /// ```
    #[must_use]
    pub fn find(code_or_name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|r| r.code() == code_or_name || r.name() == code_or_name)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.name())
    }
}

/// A set's lint settings: rule levels and thresholds. In a document, the
/// optional `"lint"` object.
///
/// # Example
/// ```
/// use okrs::{LintSettings, Rule, RuleLevel};
/// let settings = LintSettings::default()
///     .with_rule(Rule::NoOwner, RuleLevel::Off)
///     .with_rule(Rule::Unaligned, RuleLevel::Error);
/// assert_eq!(settings.level(Rule::NoOwner), RuleLevel::Off);
/// assert_eq!(settings.level(Rule::TooManyKeyResults), RuleLevel::Warning);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[non_exhaustive]
pub struct LintSettings {
    /// Rule levels by code or name (`{"OKR105": "off"}`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, RuleLevel>,
    /// Whether the weights of every objective's key results must sum to 100.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub strict_weights: bool,
    /// How many days without a check-in make a key result stale.
    pub stale_after_days: u32,
    /// The fewest top-level objectives per period.
    pub min_top_objectives: usize,
    /// The most top-level objectives per period.
    pub max_top_objectives: usize,
    /// The most key results per objective.
    pub max_key_results: usize,
}

impl Default for LintSettings {
    fn default() -> Self {
        Self {
            rules: BTreeMap::new(),
            strict_weights: false,
            stale_after_days: 14,
            min_top_objectives: 3,
            max_top_objectives: 5,
            max_key_results: 5,
        }
    }
}

impl LintSettings {
    /// Sets a rule's level. O(log rules).
    #[must_use]
    pub fn with_rule(mut self, rule: Rule, level: RuleLevel) -> Self {
        self.rules.insert(rule.code().to_owned(), level);
        self
    }

    /// Requires every objective's key result weights to sum to 100. O(1).
    #[must_use]
    pub fn strict_weights(mut self, strict: bool) -> Self {
        self.strict_weights = strict;
        self
    }

    /// A rule's level in this set. O(log rules).
    #[must_use]
    pub fn level(&self, rule: Rule) -> RuleLevel {
        let configured = self
            .rules
            .get(rule.code())
            .or_else(|| self.rules.get(rule.name()));
        match configured {
            Some(level) => *level,
            None => match rule.default_severity() {
                Severity::Note => RuleLevel::Note,
                Severity::Warning => RuleLevel::Warning,
                Severity::Error => RuleLevel::Error,
            },
        }
    }

    /// A rule's level when the set sets one, by code or name. O(log rules).
    pub(crate) fn configured(&self, rule: Rule) -> Option<RuleLevel> {
        self.rules
            .get(rule.code())
            .or_else(|| self.rules.get(rule.name()))
            .copied()
    }

    /// The first rule key that names no rule, if any. O(rules).
    pub(crate) fn unknown_rule(&self) -> Option<&str> {
        self.rules
            .keys()
            .find(|key| Rule::find(key).is_none())
            .map(String::as_str)
    }

    pub(crate) fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_stable() {
        let mut codes: Vec<&str> = Rule::ALL.iter().map(|r| r.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Rule::ALL.len());
        assert!(codes.iter().all(|c| c.starts_with("OKR") && c.len() == 6));
        assert_eq!(Rule::find("OKR301"), Some(Rule::StaleKeyResult));
        assert_eq!(Rule::find("OKR999"), None);
    }
}
