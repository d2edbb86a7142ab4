//! Health checks: a linter for OKRs. Each [`Rule`] has a stable code, a
//! name, a default [`Severity`] and a message that names the nodes and says
//! what to do; a set can switch rules off or re-level them
//! ([`LintSettings`], the document's `"lint"`).
//!
//! The rules come from the seeds' rules of thumb; they read the set through
//! its public view only.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::{AlignmentModel, Date, Id, Metric, NodeKind, NodeRef, OkrSet, Progress};

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

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Note => "note",
            Self::Warning => "warning",
            Self::Error => "error",
        })
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
        "More than 5 (by default) top-level objectives in one period: focus on 3 to 5 a year.";
    TooFewTopObjectives = "OKR102", "too-few-top-objectives", Warning,
        "Fewer than 3 (by default) top-level objectives in one period, or none at all.";
    TooManyKeyResults = "OKR103", "too-many-key-results", Warning,
        "An objective with more than 5 (by default) key results.";
    UnmeasuredObjective = "OKR104", "unmeasured-objective", Error,
        "An objective with no key result and nothing contributing to it.";
    NoOwner = "OKR105", "no-owner", Warning,
        "An objective or key result without an owner.";
    AllCoOwned = "OKR106", "all-co-owned", Note,
        "Every objective and key result has several owners: the breakdown is too coarse.";
    OutputNotOutcome = "OKR107", "output-not-outcome", Warning,
        "Every key result of an objective is binary or a milestone list: a task list, not outcomes.";
    WeightsNot100 = "OKR108", "weights-not-100", Error,
        "With strict weights, the key results of an objective (or sub-key results of a key result) do not sum to 100.";
    Unaligned = "OKR201", "unaligned", Warning,
        "An objective below the top level that aligns to nothing.";
    Misaligned = "OKR202", "misaligned", Warning,
        "An objective whose alignment chains never reach a top-level objective.";
    CascadedTitle = "OKR203", "cascaded-title", Warning,
        "A child objective whose title repeats a key result it aligns to: the cascade copied instead of deriving.";
    PeriodOutsideParent = "OKR204", "period-outside-parent", Note,
        "An objective whose period lies outside the period of what it aligns to.";
    StaleKeyResult = "OKR301", "stale-key-result", Warning,
        "A key result of an open period, not yet done, without a check-in in the last 14 days (by default).";
    AlwaysPerfect = "OKR302", "always-perfect", Note,
        "An owner graded 1.0 in every closed period: the objectives are not ambitious enough.";
    AlwaysLow = "OKR303", "always-low", Note,
        "An owner graded below 0.3 in every closed period: the objectives are too aspirational.";
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

/// One finding of a health check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// The rule's code, like `OKR105`.
    pub code: &'static str,
    /// The rule's name, like `no-owner`.
    pub rule: &'static str,
    /// The severity in this set.
    pub severity: Severity,
    /// What is wrong and what to do, naming the nodes.
    pub message: String,
    /// The nodes (or, for calibration, the owner's objectives) concerned.
    pub nodes: Vec<Id>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}] {}: {}",
            self.severity, self.code, self.rule, self.message
        )
    }
}

struct Linter<'a> {
    set: &'a OkrSet,
    settings: &'a LintSettings,
    as_of: Date,
    review: crate::Review,
    findings: Vec<Finding>,
}

impl Linter<'_> {
    fn report(&mut self, rule: Rule, nodes: Vec<Id>, message: String) {
        let severity = match self.settings.level(rule) {
            RuleLevel::Off => return,
            RuleLevel::Note => Severity::Note,
            RuleLevel::Warning => Severity::Warning,
            RuleLevel::Error => Severity::Error,
        };
        self.findings.push(Finding {
            code: rule.code(),
            rule: rule.name(),
            severity,
            message,
            nodes,
        });
    }

    fn on(&self, rule: Rule) -> bool {
        self.settings.level(rule) != RuleLevel::Off
    }
}

/// Runs every rule the set's settings leave on. O(V + E) plus, for
/// calibration, O(closed grades).
pub(crate) fn lint(set: &OkrSet, settings: &LintSettings, as_of: Date) -> Vec<Finding> {
    let mut linter = Linter {
        set,
        settings,
        as_of,
        review: set.review(as_of),
        findings: Vec::new(),
    };
    top_objectives(&mut linter);
    objectives(&mut linter);
    owners(&mut linter);
    alignment(&mut linter);
    periods(&mut linter);
    stale(&mut linter);
    calibration(&mut linter);
    linter.findings
}

fn list(ids: &[Id]) -> String {
    let quoted: Vec<String> = ids.iter().map(|id| format!("{:?}", id.as_str())).collect();
    quoted.join(", ")
}

fn top_objectives(linter: &mut Linter<'_>) {
    let set = linter.set;
    let top = set.levels().name(0).unwrap_or("top").to_owned();
    // Every open period any objective is set for, and objectives without a
    // period as one more group; closed periods are history.
    let mut groups: BTreeMap<Option<&str>, Vec<Id>> = BTreeMap::new();
    for objective in set.objectives() {
        let period = objective.period();
        if period.is_some_and(crate::Period::is_closed) {
            continue;
        }
        let ids = groups.entry(period.map(|p| p.id.as_str())).or_default();
        if objective.level() == Some(top.as_str()) {
            ids.push(objective.id().clone());
        }
    }
    let (min, max) = (
        linter.settings.min_top_objectives,
        linter.settings.max_top_objectives,
    );
    // Objectives without a period that are all below the top count with
    // the periods, if there are any: they add no group of their own.
    if groups.len() > 1 && groups.get(&None).is_some_and(Vec::is_empty) {
        groups.remove(&None);
    }
    if set.objectives().next().is_none() && min > 0 {
        linter.report(
            Rule::TooFewTopObjectives,
            Vec::new(),
            format!(
                "the set has no {top} objective: set {min} to {max} to give everyone a direction"
            ),
        );
    }
    for (period, ids) in groups {
        let during = period.map(|p| format!(" in {p}")).unwrap_or_default();
        if ids.is_empty() && min > 0 {
            linter.report(
                Rule::TooFewTopObjectives,
                Vec::new(),
                format!(
                    "no {top} objective{during}: set {min} to {max} to give everyone a direction"
                ),
            );
            continue;
        }
        if ids.len() > max {
            let message = format!(
                "{} {top} objectives{during} ({}): keep at most {max} so that they stay a focus",
                ids.len(),
                list(&ids)
            );
            linter.report(Rule::TooManyTopObjectives, ids, message);
        } else if ids.len() < min {
            let message = format!(
                "only {} {top} objective{}{during} ({}): set {min} to {max} so that every team can align",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" },
                list(&ids)
            );
            linter.report(Rule::TooFewTopObjectives, ids, message);
        }
    }
}

fn objectives(linter: &mut Linter<'_>) {
    let set = linter.set;
    for objective in set.objectives() {
        let id = objective.id().clone();
        let key_results: Vec<NodeRef<'_>> = objective.key_results().collect();
        if key_results.len() > linter.settings.max_key_results {
            linter.report(
                Rule::TooManyKeyResults,
                vec![id.clone()],
                format!(
                    "objective {:?} has {} key results: keep at most {} and move the rest to initiatives",
                    id.as_str(),
                    key_results.len(),
                    linter.settings.max_key_results
                ),
            );
        }
        let contributed = objective.supporters().any(|s| {
            s.aligned_to()
                .any(|(target, _, contributes)| contributes && target.id() == &id)
        });
        if key_results.is_empty() && !contributed {
            linter.report(
                Rule::UnmeasuredObjective,
                vec![id.clone()],
                format!(
                    "objective {:?} has no key result: add 2 to 5 measurable key results",
                    id.as_str()
                ),
            );
        }
        let metrics: Vec<&Metric> = key_results.iter().filter_map(NodeRef::metric).collect();
        if !metrics.is_empty()
            && metrics
                .iter()
                .all(|m| matches!(m, Metric::Binary { .. } | Metric::Milestones { .. }))
        {
            linter.report(
                Rule::OutputNotOutcome,
                vec![id.clone()],
                format!(
                    "every key result of {:?} is a task (binary or milestones): measure the outcome the tasks should bring, and keep the tasks as initiatives",
                    id.as_str()
                ),
            );
        }
        if linter.settings.strict_weights && linter.on(Rule::WeightsNot100) {
            let mut parents = vec![objective];
            while let Some(parent) = parents.pop() {
                let children: Vec<NodeRef<'_>> = parent.key_results().collect();
                parents.extend(children.iter().copied());
                if children.is_empty() {
                    continue;
                }
                let sum = children
                    .iter()
                    .filter_map(NodeRef::weight)
                    .try_fold(Decimal::ZERO, |sum, w| sum.checked_add(w.value()));
                if sum != Some(Decimal::ONE_HUNDRED) {
                    let shown =
                        sum.map_or_else(|| "too much".to_owned(), |s| s.normalize().to_string());
                    linter.report(
                        Rule::WeightsNot100,
                        vec![parent.id().clone()],
                        format!(
                            "the key results of {:?} weigh {shown} in all: make them sum to 100",
                            parent.id().as_str()
                        ),
                    );
                }
            }
        }
    }
}

fn owners(linter: &mut Linter<'_>) {
    let set = linter.set;
    let nodes = set.nodes();
    for node in &nodes {
        if node.owners().is_empty() {
            linter.report(
                Rule::NoOwner,
                vec![node.id().clone()],
                format!(
                    "{} {:?} has no owner: name the person or team who answers for it",
                    node.kind(),
                    node.id().as_str()
                ),
            );
        }
    }
    if nodes.len() >= 2 && nodes.iter().all(|n| n.owners().len() >= 2) {
        let ids: Vec<Id> = nodes.iter().map(|n| n.id().clone()).collect();
        linter.report(
            Rule::AllCoOwned,
            ids,
            "every objective and key result has several owners: break the work down until each has one".to_owned(),
        );
    }
}

fn alignment(linter: &mut Linter<'_>) {
    let set = linter.set;
    if set.alignment() == AlignmentModel::Transparency {
        return;
    }
    let top = set.levels().name(0).unwrap_or_default();
    let reaches = reaches_top(set);
    for objective in set.objectives() {
        if objective.level() == Some(top) {
            continue;
        }
        let id = objective.id().clone();
        if objective.aligned_to().next().is_none() {
            linter.report(
                Rule::Unaligned,
                vec![id.clone()],
                format!(
                    "objective {:?} ({}) aligns to nothing: link it to the objective or key result it supports",
                    id.as_str(),
                    objective.level().unwrap_or_default()
                ),
            );
        } else if !reaches.get(&id).copied().unwrap_or(false) {
            linter.report(
                Rule::Misaligned,
                vec![id.clone()],
                format!(
                    "objective {:?} aligns only to objectives that never reach a {top} objective: link the chain to the top",
                    id.as_str()
                ),
            );
        }
        for (target, _, _) in objective.aligned_to() {
            let candidates: Vec<NodeRef<'_>> = match target.kind() {
                NodeKind::KeyResult => vec![target],
                _ => target.key_results().collect(),
            };
            let title = normalise(objective.title());
            if let Some(kr) = candidates.iter().find(|kr| normalise(kr.title()) == title) {
                linter.report(
                    Rule::CascadedTitle,
                    vec![id.clone(), kr.id().clone()],
                    format!(
                        "objective {:?} repeats the title of key result {:?}: say what this team will achieve toward it instead",
                        id.as_str(),
                        kr.id().as_str()
                    ),
                );
            }
        }
    }
}

fn normalise(title: &str) -> String {
    title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether each objective reaches a top-level objective by following its
/// links upward. Iterative, memoised: O(V + E).
fn reaches_top(set: &OkrSet) -> HashMap<Id, bool> {
    let top = set.levels().name(0).unwrap_or_default();
    let mut memo: HashMap<Id, bool> = HashMap::new();
    for start in set.objectives() {
        let mut stack = vec![(start, false)];
        while let Some((objective, expanded)) = stack.pop() {
            let id = objective.id();
            if memo.contains_key(id) {
                continue;
            }
            if objective.level() == Some(top) {
                memo.insert(id.clone(), true);
                continue;
            }
            let parents: Vec<NodeRef<'_>> = objective
                .aligned_to()
                .map(|(target, _, _)| target.objective())
                .collect();
            if expanded {
                let reached = parents
                    .iter()
                    .any(|p| memo.get(p.id()).copied().unwrap_or(false));
                memo.insert(id.clone(), reached);
            } else {
                stack.push((objective, true));
                stack.extend(
                    parents
                        .into_iter()
                        .filter(|p| !memo.contains_key(p.id()))
                        .map(|p| (p, false)),
                );
            }
        }
    }
    memo
}

fn periods(linter: &mut Linter<'_>) {
    for mismatch in linter.set.period_mismatches() {
        linter.report(
            Rule::PeriodOutsideParent,
            vec![mismatch.objective.clone(), mismatch.parent.clone()],
            format!(
                "objective {:?} ({}) aligns to {:?} ({}), whose period does not contain its own: align it to an objective of the same or an enclosing period",
                mismatch.objective.as_str(),
                mismatch.period.as_str(),
                mismatch.parent.as_str(),
                mismatch.parent_period.as_str()
            ),
        );
    }
}

fn stale(linter: &mut Linter<'_>) {
    let as_of = linter.as_of;
    let days = i64::from(linter.settings.stale_after_days);
    for node in linter.set.nodes() {
        let Some(metric) = node.metric() else {
            continue;
        };
        // A key result measured by its metric's own value takes no check-in.
        if node.check_ins().is_empty() && !metric.is_at_start() {
            continue;
        }
        let done = linter
            .review
            .get(node.id().as_str())
            .is_some_and(|r| r.progress >= Progress::ONE);
        if done {
            continue;
        }
        let Some(period) = node.period() else {
            continue;
        };
        if period.is_closed() || !period.contains(as_of) {
            continue;
        }
        let last = node
            .check_ins()
            .iter()
            .rev()
            .map(|c| c.at.date())
            .find(|d| *d <= as_of);
        let since = last.unwrap_or(period.start);
        if crate::time::days_between(since, as_of) > days {
            let when = last.map_or_else(
                || {
                    format!(
                        "has had no check-in since its period began on {}",
                        period.start
                    )
                },
                |d| format!("was last checked in on {d}"),
            );
            linter.report(
                Rule::StaleKeyResult,
                vec![node.id().clone()],
                format!(
                    "key result {:?} {when}, more than {days} days before {as_of}: check in at least every {days} days",
                    node.id().as_str()
                ),
            );
        }
    }
}

fn calibration(linter: &mut Linter<'_>) {
    let set = linter.set;
    let mut by_owner: BTreeMap<&str, Vec<(Id, Progress, &str)>> = BTreeMap::new();
    for objective in set.objectives() {
        let (Some(grade), Some(period)) = (objective.frozen_grade(), objective.period()) else {
            continue;
        };
        for owner in objective.owners() {
            by_owner.entry(owner.as_str()).or_default().push((
                objective.id().clone(),
                grade.progress,
                period.id.as_str(),
            ));
        }
    }
    let low = Decimal::new(3, 1);
    for (owner, grades) in by_owner {
        let mut periods: Vec<&str> = grades.iter().map(|(_, _, p)| *p).collect();
        periods.sort_unstable();
        periods.dedup();
        if periods.len() < 2 {
            continue;
        }
        let ids: Vec<Id> = grades.iter().map(|(id, _, _)| id.clone()).collect();
        if grades.iter().all(|(_, p, _)| *p >= Progress::ONE) {
            let message = format!(
                "{owner} graded 1.0 on every closed objective ({}): set goals that stretch, where 0.7 is a good grade",
                list(&ids)
            );
            linter.report(Rule::AlwaysPerfect, ids, message);
        } else if grades.iter().all(|(_, p, _)| p.value() < low) {
            let message = format!(
                "{owner} graded below 0.3 on every closed objective ({}): set goals within reach, aiming for 0.6 to 0.7",
                list(&ids)
            );
            linter.report(Rule::AlwaysLow, ids, message);
        }
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
