//! Health checks: runs the [`Rule`]s a set's [`LintSettings`] leave on and
//! reports [`Finding`]s whose messages name the nodes and say what to do.
//!
//! The rules come from the seeds' rules of thumb; they read the set through
//! its public view, and the stale rule whether each key result is done by
//! the date: from a review a report made anyway, or else from the key
//! result's own progress as of the date (a fraction of a review's work).
//! [`findings_to_json`] writes findings as `okrs lint --json` prints them.

mod json;

pub use self::json::findings_to_json;

use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};

use petgraph::visit::NodeIndexable as _;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::invariant::sure;
use crate::set::THREAD_NODES;
use crate::time::push_date;
use crate::{
    AlignmentModel, Date, Id, LintSettings, Metric, NodeKind, NodeRef, OkrSet, Progress,
    ProgressFrom, Rule, RuleLevel, Severity,
};

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

impl Finding {
    /// Appends the finding as [`Display`](fmt::Display) writes it
    /// (`error[OKR101] unmeasured-objective: …`), without the formatter:
    /// a large organisation has about a finding per node. O(length).
    ///
    /// # Example
    /// ```
    /// use okrs::{Date, OkrSet};
    /// let set = OkrSet::from_json(r#"{ "format": "okrs/1", "objectives": [
    ///   { "id": "o", "title": "Grow", "level": "company" } ] }"#)?;
    /// let findings = set.lint(Date::new(2027, 1, 1)?);
    /// assert!(!findings.is_empty());
    /// for finding in &findings {
    ///     let mut line = String::new();
    ///     finding.push_to(&mut line);
    ///     assert_eq!(line, finding.to_string());
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn push_to(&self, out: &mut String) {
        for piece in self.pieces() {
            out.push_str(piece);
        }
    }

    /// The finding's line, piece by piece: the one place its shape is
    /// written.
    fn pieces(&self) -> [&str; 7] {
        [
            self.severity.name(),
            "[",
            self.code,
            "] ",
            self.rule,
            ": ",
            &self.message,
        ]
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.pieces()
            .into_iter()
            .try_for_each(|piece| f.write_str(piece))
    }
}

impl OkrSet {
    /// Runs the health checks the set's [`LintSettings`] leave on, as of a
    /// date (for staleness), and returns the findings, most severe first.
    /// O(V + E + K log C): one pass per rule, and for the stale rule each
    /// stale key result's progress as of the date (K key results of up to
    /// C check-ins).
    ///
    /// # Example
    /// ```
    /// use okrs::{Date, OkrSet, Rule};
    /// let set = OkrSet::from_json(r#"{ "format": "okrs/1", "objectives": [
    ///   { "id": "o", "title": "Grow", "level": "company" } ] }"#)?;
    /// let findings = set.lint(Date::new(2027, 1, 1)?);
    /// assert!(findings.iter().any(|f| f.code == Rule::UnmeasuredObjective.code()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn lint(&self, as_of: crate::Date) -> Vec<crate::Finding> {
        let threads = self.threads_for_nodes(self.len(), THREAD_NODES);
        sorted(
            lint(
                self,
                self.lint_settings(),
                Done::Unreviewed(as_of),
                true,
                threads,
            )
            .findings,
        )
    }

    /// The review as of `as_of` and [`lint`](Self::lint)'s findings, for
    /// the reports that show both (the review is made once): what
    /// `reviewed` makes of the review and `findings` of the findings (see
    /// [`beside_a_review`](Self::beside_a_review)). O(V + E), as the two
    /// apart.
    pub(crate) fn review_and_lint<A, B: Send>(
        &self,
        as_of: Date,
        reviewed: impl FnOnce(crate::Review) -> A,
        findings: impl Fn(Vec<Finding>) -> B + Sync,
    ) -> (A, B) {
        self.beside_a_review(as_of, true, reviewed, |linted| {
            findings(sorted(linted.findings))
        })
    }

    /// What `reviewed` makes of the review as of `as_of`, and how many
    /// findings of each severity [`lint`](Self::lint) gives, without
    /// writing their messages (the text report shows only the counts).
    /// O(V + E), as the two apart.
    pub(crate) fn review_and_tally<A>(
        &self,
        as_of: Date,
        reviewed: impl FnOnce(crate::Review) -> A,
    ) -> (A, Tally) {
        if !self.reports_on_two_threads() {
            return self.beside_a_review(as_of, false, reviewed, |linted| linted.tally);
        }
        // Counting takes less than a review (at 1M nodes, on one thread,
        // 0.45 s against 0.78 s): the review takes both threads, then
        // `reviewed` runs while lint counts, alone (see
        // `beside_a_review`).
        let review = self.review(as_of);
        let settings = self.lint_settings();
        crate::set::beside(
            || reviewed(review),
            || lint(self, settings, Done::Unreviewed(as_of), false, 1).tally,
        )
    }

    /// Whether the reports that show a review and lint's findings may
    /// work on two threads (see [`THREAD_NODES`]). O(1).
    fn reports_on_two_threads(&self) -> bool {
        self.threads_for_nodes(self.len(), THREAD_NODES) >= 2
    }

    /// A review and a lint of the set, findings kept or only counted,
    /// handed to `reviewed` and `linted`. A large set lints (and runs
    /// `linted`) on a second thread while this one reviews and runs
    /// `reviewed`, when [`SetBuilder::threads`](crate::SetBuilder::threads)
    /// allows two: a report writes what shows the review while lint
    /// works. Lint reads a review only for whether a stale key result is
    /// done, which it works out alone to the same answer (the property
    /// `a_lint_without_a_review_is_a_lint_of_one`).
    fn beside_a_review<A, B: Send>(
        &self,
        as_of: Date,
        keep: bool,
        reviewed: impl FnOnce(crate::Review) -> A,
        linted: impl Fn(Linted) -> B + Sync,
    ) -> (A, B) {
        let settings = self.lint_settings();
        if !self.reports_on_two_threads() {
            let review = self.review(as_of);
            let found = lint(self, settings, Done::Reviewed(&review), keep, 1);
            return (reviewed(review), linted(found));
        }
        // The second thread goes to lint: the review on one.
        crate::set::beside(
            || reviewed(self.review_on(as_of, 1)),
            || linted(lint(self, settings, Done::Unreviewed(as_of), keep, 1)),
        )
    }
}

/// What a lint found, apart from the set it read.
struct Linted {
    findings: Vec<Finding>,
    tally: Tally,
}

impl Linted {
    /// These findings, then `rest`'s. O(rest).
    fn then(mut self, rest: Self) -> Self {
        self.findings.extend(rest.findings);
        self.tally.errors += rest.tally.errors;
        self.tally.warnings += rest.tally.warnings;
        self.tally.notes += rest.tally.notes;
        self
    }
}

impl From<Linter<'_>> for Linted {
    fn from(linter: Linter<'_>) -> Self {
        Self {
            findings: linter.findings,
            tally: linter.tally,
        }
    }
}

/// Most severe first, in the rules' order within a severity.
fn sorted(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    findings
}

/// Where the stale rule reads whether a key result is done by the date:
/// the only thing the rules need of a review.
#[derive(Clone, Copy)]
enum Done<'a> {
    /// A review of the set already made, by a report that shows it too.
    Reviewed(&'a crate::Review),
    /// No review: the rule reads a stale key result's own progress as of
    /// the date (one with a metric has no inputs), a small part of a
    /// review's work: nothing is rolled up.
    Unreviewed(Date),
}

impl Done<'_> {
    fn as_of(self) -> Date {
        match self {
            Self::Reviewed(review) => review.as_of(),
            Self::Unreviewed(as_of) => as_of,
        }
    }
}

/// Findings counted by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
    pub(crate) notes: usize,
}

impl Tally {
    /// The findings of `findings` counted by severity. O(n).
    pub(crate) fn of(findings: &[Finding]) -> Self {
        let mut tally = Self::default();
        for finding in findings {
            tally.add(finding.severity);
        }
        tally
    }

    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Note => self.notes += 1,
        }
    }
}

impl fmt::Display for Tally {
    /// `N errors, N warnings, N notes`, as the text report and the CLI's
    /// `lint` end.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} errors, {} warnings, {} notes",
            self.errors, self.warnings, self.notes
        )
    }
}

struct Linter<'a> {
    set: &'a OkrSet,
    settings: &'a LintSettings,
    /// The date, and where the stale rule reads whether a key result is
    /// done by then.
    done: Done<'a>,
    /// The nodes a contributing link targets, which two rules read.
    contributed: &'a Marks,
    /// Whether findings are kept, messages and all, or only counted: a
    /// large organisation has about one finding per node, and writing
    /// their messages costs more than the checks.
    keep: bool,
    findings: Vec<Finding>,
    tally: Tally,
}

impl Linter<'_> {
    /// Reports a finding about one node; `message` is called only if the
    /// finding is kept.
    fn report_one(&mut self, rule: Rule, id: &Id, message: impl FnOnce(&Id) -> String) {
        let level = self.settings.level(rule);
        // A fold view's synthetic members are no one's work: a finding
        // about one (no owner, no check-in, a title like its target's)
        // would only confuse.
        if id.is_folded() {
            return;
        }
        if let Some(severity) = self.count(level) {
            let message = message(id);
            self.push(rule, severity, vec![id.clone()], message);
        }
    }

    /// Reports a finding about `nodes`; `message` is called only if the
    /// finding is kept.
    fn report(&mut self, rule: Rule, nodes: Vec<Id>, message: impl FnOnce(&[Id]) -> String) {
        let level = self.settings.level(rule);
        self.report_at(rule, level, nodes, message);
    }

    fn report_at(
        &mut self,
        rule: Rule,
        level: RuleLevel,
        nodes: Vec<Id>,
        message: impl FnOnce(&[Id]) -> String,
    ) {
        // Findings that list many nodes (the top objectives) leave fold
        // views' synthetic members out before they count.
        if nodes.iter().any(Id::is_folded) {
            return;
        }
        if let Some(severity) = self.count(level) {
            let message = message(&nodes);
            self.push(rule, severity, nodes, message);
        }
    }

    /// Counts a finding at `level` (none when the rule is off); its
    /// severity when findings are kept, so that the caller writes it.
    fn count(&mut self, level: RuleLevel) -> Option<Severity> {
        let severity = match level {
            RuleLevel::Off => return None,
            RuleLevel::Note => Severity::Note,
            RuleLevel::Warning => Severity::Warning,
            RuleLevel::Error => Severity::Error,
        };
        self.tally.add(severity);
        self.keep.then_some(severity)
    }

    fn push(&mut self, rule: Rule, severity: Severity, nodes: Vec<Id>, message: String) {
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

/// Runs every rule the set's settings leave on, keeping the findings or
/// only counting them, in the rules' order. With `threads` of two or more
/// the rules run in two groups of about equal work, the second on a
/// thread of its own, and their findings are put together in the same
/// order. O(V + E) plus, for calibration, O(closed grades).
fn lint(
    set: &OkrSet,
    settings: &LintSettings,
    done: Done<'_>,
    keep: bool,
    threads: usize,
) -> Linted {
    let contributed = contributed(set);
    let linter = || Linter {
        set,
        settings,
        done,
        contributed: &contributed,
        keep,
        findings: Vec::new(),
        tally: Tally::default(),
    };
    // The set's nodes in `OkrSet::nodes` order, walked once: four rules
    // read every node, in that order.
    let nodes: Vec<NodeRef<'_>> = set.nodes().collect();
    let first = |linter: &mut Linter<'_>| {
        top_objectives(linter);
        objectives(linter);
        unmeasured_key_results(linter, &nodes);
        owners(linter, &nodes);
        alignment(linter);
    };
    let second = |linter: &mut Linter<'_>| {
        periods(linter);
        stale(linter, &nodes);
        future_check_ins(linter, &nodes);
        calibration(linter);
    };
    let mut linted = linter();
    if threads < 2 {
        first(&mut linted);
        second(&mut linted);
        return Linted::from(linted);
    }
    let apart = || {
        let mut linter = linter();
        second(&mut linter);
        Linted::from(linter)
    };
    let ((), rest) = crate::set::beside(|| first(&mut linted), apart);
    Linted::from(linted).then(rest)
}

fn list(ids: &[Id]) -> String {
    let quoted: Vec<String> = ids.iter().map(|id| Quoted(id).to_string()).collect();
    quoted.join(", ")
}

/// An id in a message, as `{:?}` writes a string: in double quotes, with
/// Rust's escapes. Most ids are printable ASCII without `"` or `\`, which
/// need none, and skip the escaping machinery: a large set gets a finding
/// per node or so.
struct Quoted<'a>(&'a Id);

impl Quoted<'_> {
    /// Whether `{:?}` writes the id as it is between quotes.
    fn is_plain(&self) -> bool {
        self.0
            .as_str()
            .bytes()
            .all(|b| matches!(b, b' '..=b'~') && b != b'"' && b != b'\\')
    }

    /// The quoted id at the end of `out`, without the formatting machinery
    /// when the id is plain.
    fn push_to(&self, out: &mut String) {
        if self.is_plain() {
            out.push('"');
            out.push_str(self.0.as_str());
            out.push('"');
        } else {
            let _ = write!(out, "{self}");
        }
    }
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.0.as_str();
        if self.is_plain() {
            f.write_str("\"")?;
            f.write_str(id)?;
            f.write_str("\"")
        } else {
            write!(f, "{id:?}")
        }
    }
}

fn top_objectives(linter: &mut Linter<'_>) {
    let set = linter.set;
    let top = set.levels().name(0).unwrap_or("top").to_owned();
    // Every open period any objective is set for, and objectives without a
    // period as one more group; closed periods are history. A period
    // counts the top objectives of the periods containing it too: a
    // quarter counts the year's.
    let mut groups: BTreeMap<Option<&str>, Vec<Id>> = BTreeMap::new();
    for objective in set.objectives() {
        let period = objective.period();
        if period.is_some_and(crate::Period::is_closed) {
            continue;
        }
        groups.entry(period.map(|p| p.id.as_str())).or_default();
    }
    let within = |period: &str, other: &str| {
        let mut at = set.period(period);
        let mut steps = 0;
        while let Some(p) = at {
            if p.id.as_str() == other {
                return true;
            }
            steps += 1;
            if steps > set.periods().len() {
                break;
            }
            at = p.within.as_ref().and_then(|w| set.period(w.as_str()));
        }
        false
    };
    let tops: Vec<(Option<&str>, Id)> = set
        .objectives()
        .filter(|o| o.level() == Some(top.as_str()) && !o.id().is_folded())
        .map(|o| (o.period().map(|p| p.id.as_str()), o.id().clone()))
        .collect();
    for (group, ids) in &mut groups {
        ids.extend(
            tops.iter()
                .filter(|(period, _)| match (group, period) {
                    (Some(group), Some(period)) => within(group, period),
                    (None, None) => true,
                    _ => false,
                })
                .map(|(_, id)| id.clone()),
        );
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
        linter.report(Rule::TooFewTopObjectives, Vec::new(), |_| {
            format!(
                "the set has no {top} objective: set {min} to {max} to give everyone a direction"
            )
        });
    }
    for (period, ids) in groups {
        let during = period.map(|p| format!(" in {p}")).unwrap_or_default();
        if ids.is_empty() && min > 0 {
            linter.report(Rule::TooFewTopObjectives, Vec::new(), |_| {
                format!(
                    "no {top} objective{during}: set {min} to {max} to give everyone a direction"
                )
            });
            continue;
        }
        if ids.len() > max {
            linter.report(Rule::TooManyTopObjectives, ids, |ids| {
                format!(
                    "{} {top} objectives{during} ({}): keep at most {max} so that they stay a focus",
                    ids.len(),
                    list(ids)
                )
            });
        } else if ids.len() < min {
            linter.report(Rule::TooFewTopObjectives, ids, |ids| {
                format!(
                    "only {} {top} objective{}{during} ({}): set {min} to {max} so that every team can align",
                    ids.len(),
                    if ids.len() == 1 { "" } else { "s" },
                    list(ids)
                )
            });
        }
    }
}

fn objectives(linter: &mut Linter<'_>) {
    let set = linter.set;
    // Which objectives some contributing link reaches: one pass over the
    // links, not a search of every supporter's links per objective.
    let most = linter.settings.max_key_results;
    for objective in set.objectives() {
        let id = objective.id();
        // One walk of the key results: how many, whether any is measured,
        // and whether every measured one is a task.
        let (mut count, mut measured, mut tasks) = (0, false, true);
        for kr in objective.key_results() {
            count += 1;
            if let Some(metric) = kr.metric() {
                measured = true;
                tasks &= matches!(metric, Metric::Binary { .. } | Metric::Milestones { .. });
            }
        }
        if count > most {
            linter.report_one(Rule::TooManyKeyResults, id, |id| {
                format!(
                    "objective {} has {count} key results: keep at most {most} and move the rest to initiatives",
                    Quoted(id)
                )
            });
        }
        let from = objective.progress_from();
        let unmeasured: Option<fn(&Id) -> String> = match (
            count == 0,
            linter.contributed.has(&objective),
        ) {
            (true, false) => Some(|id| {
                format!(
                    "objective {} has no key result: add 2 to 5 measurable key results",
                    Quoted(id)
                )
            }),
            (true, true) if from == ProgressFrom::KeyResults => Some(|id| {
                format!(
                    "objective {} counts its key results (progress_from: key-results) but has none: add 2 to 5 measurable key results, or count the objectives aligned to it",
                    Quoted(id)
                )
            }),
            (_, false) if from == ProgressFrom::Aligned => Some(|id| {
                format!(
                    "objective {} counts the objectives aligned to it (progress_from: aligned) but none contributes: align one to it, or count its key results",
                    Quoted(id)
                )
            }),
            _ => None,
        };
        if let Some(message) = unmeasured {
            linter.report_one(Rule::UnmeasuredObjective, id, message);
        }
        if measured && tasks {
            linter.report_one(Rule::OutputNotOutcome, id, |id| {
                format!(
                    "every key result of {} is a task (binary or milestones): measure the outcome the tasks should bring, and keep the tasks as initiatives",
                    Quoted(id)
                )
            });
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
                    linter.report_one(Rule::WeightsNot100, parent.id(), |id| {
                        let shown = sum
                            .map_or_else(|| "too much".to_owned(), |s| s.normalize().to_string());
                        format!(
                            "the key results of {} weigh {shown} in all: make them sum to 100",
                            Quoted(id)
                        )
                    });
                }
            }
        }
    }
}

/// Key results that nothing measures: no metric, no sub-key results, no
/// objective contributing. They count as 0 and halve what they belong to.
fn unmeasured_key_results(linter: &mut Linter<'_>, nodes: &[NodeRef<'_>]) {
    for node in nodes {
        if node.kind() != NodeKind::KeyResult
            || node.metric().is_some()
            || node.key_results().next().is_some()
            || linter.contributed.has(node)
        {
            continue;
        }
        linter.report_one(Rule::UnmeasuredKeyResult, node.id(), |id| {
            format!(
                "key result {} has no metric, no sub-key results and no objective contributing to it, so it counts as 0: give it a metric, or align the objectives that deliver it",
                Quoted(id)
            )
        });
    }
}

fn owners(linter: &mut Linter<'_>, nodes: &[NodeRef<'_>]) {
    let mut co_owned = true;
    for node in nodes {
        let owners = node.owners().len();
        co_owned &= owners >= 2;
        if owners == 0 {
            let kind = node.kind();
            linter.report_one(Rule::NoOwner, node.id(), |id| no_owner_message(kind, id));
        }
    }
    if nodes.len() >= 2 && co_owned {
        let ids: Vec<Id> = nodes.iter().map(|n| n.id().clone()).collect();
        linter.report(Rule::AllCoOwned, ids, |_| {
            "every objective and key result has several owners: break the work down until each has one".to_owned()
        });
    }
}

/// The no-owner finding's message, written piece by piece: it is the
/// finding a large organisation has most of.
fn no_owner_message(kind: NodeKind, id: &Id) -> String {
    const REST: &str = " has no owner: name the person or team who answers for it";
    let mut message = String::with_capacity(kind.name().len() + id.as_str().len() + 3 + REST.len());
    message.push_str(kind.name());
    message.push(' ');
    Quoted(id).push_to(&mut message);
    message.push_str(REST);
    message
}

fn alignment(linter: &mut Linter<'_>) {
    let set = linter.set;
    if set.alignment() == AlignmentModel::Transparency {
        return;
    }
    let top = sure(set.levels().name(0), "levels are never empty");
    let reaches = reaches_top(set);
    // The normalised titles of each link target's key results, made once
    // per target however many objectives align to it.
    // By the target's slot; boxed, so that a node no link targets costs a
    // pointer.
    let mut titles_of: Vec<Option<Box<Titles>>> = vec![None; set.graph().node_bound()];
    // Each objective's normalised title, in one buffer: it is only looked up.
    let mut title = Vec::new();
    for objective in set.objectives() {
        if objective.level() == Some(top) {
            continue;
        }
        let id = objective.id();
        if objective.aligned_to().next().is_none() {
            // Seed 002: under directional alignment, not every objective
            // needs a parent.
            let level = linter.settings.configured(Rule::Unaligned).unwrap_or(
                if set.alignment() == AlignmentModel::Directional {
                    RuleLevel::Note
                } else {
                    linter.settings.level(Rule::Unaligned)
                },
            );
            linter.report_at(Rule::Unaligned, level, vec![id.clone()], |_| {
                format!(
                    "objective {} ({}) aligns to nothing: link it to the objective or key result it supports",
                    Quoted(id),
                    sure(objective.level(), "objectives have a level")
                )
            });
        } else if !reaches.has(&objective) {
            linter.report_one(Rule::Misaligned, id, |id| {
                format!(
                    "objective {} aligns only to objectives that never reach a {top} objective: link the chain to the top",
                    Quoted(id)
                )
            });
        }
        // The objective's normalised title, made when a target with
        // several key results asks for it.
        let mut normalised = false;
        for target in objective.aligned_to().map(|link| link.target()) {
            if target.kind() == NodeKind::KeyResult {
                // One title to compare with: compared as it is read, with
                // nothing written or hashed.
                if same_title(objective.title(), target.title()) {
                    report_cascaded(linter, id, target.id());
                }
                continue;
            }
            // A target with a few key results is searched in order, each
            // title compared as it is read: most differ within a few
            // bytes, and nothing is written or hashed. One with more goes
            // through a map of normalised titles, built once, so that
            // thousands of key results and as many objectives aligned to
            // them stay linear.
            if target.key_results().len() <= FEW_KEY_RESULTS {
                let title = objective.title();
                if let Some(kr) = target
                    .key_results()
                    .find(|kr| same_title(title, kr.title()))
                {
                    report_cascaded(linter, id, kr.id());
                }
                continue;
            }
            let Some(slot) = titles_of.get_mut(target.index.index()) else {
                continue;
            };
            let titles = slot.get_or_insert_with(|| {
                let mut titles = HashMap::new();
                for kr in target.key_results() {
                    // The first key result with a title names it, as a
                    // search in order would.
                    titles
                        .entry(normalise(kr.title()))
                        .or_insert_with(|| kr.id().clone());
                }
                Box::new(titles)
            });
            if titles.is_empty() {
                continue;
            }
            if !normalised {
                normalise_into(objective.title(), &mut title);
                normalised = true;
            }
            if let Some(kr) = titles.get(title.as_slice()) {
                report_cascaded(linter, id, kr);
            }
        }
    }
}

/// Normalised key-result titles, each naming the first key result with it.
type Titles = HashMap<Vec<u8>, Id>;

/// The most key results a link target's titles are searched in order
/// for; a target with more has a [`Titles`] map. The seeds advise three
/// to five key results an objective.
const FEW_KEY_RESULTS: usize = 8;

fn report_cascaded(linter: &mut Linter<'_>, objective: &Id, key_result: &Id) {
    let nodes = vec![objective.clone(), key_result.clone()];
    linter.report(Rule::CascadedTitle, nodes, |_| {
        format!(
            "objective {} repeats the title of key result {}: say what this team will achieve toward it instead",
            Quoted(objective),
            Quoted(key_result)
        )
    });
}

/// Whether two titles are the same once normalised, as
/// `normalise(a) == normalise(b)`; two ASCII titles are compared a byte at
/// a time as they are read, and most differ within a few bytes.
fn same_title(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        ascii_words(a).eq(ascii_words(b))
    } else {
        normalise(a) == normalise(b)
    }
}

/// ASCII whitespace as `char::is_whitespace` has it: tab to carriage
/// return, and space. Titles split at it ([`ascii_split`], [`ascii_words`]).
fn is_space(byte: u8) -> bool {
    matches!(byte, b'\t'..=b'\r' | b' ')
}

/// An ASCII title's words: split at ASCII whitespace ([`is_space`]).
fn ascii_split(title: &str) -> impl Iterator<Item = &[u8]> {
    title
        .as_bytes()
        .split(|&byte| is_space(byte))
        .filter(|word| !word.is_empty())
}

/// An ASCII title's bytes normalised: lowercase, each run of whitespace as
/// one space, none at either end. Read a byte at a time, so that two
/// titles compared through it stop at their first difference.
fn ascii_words(title: &str) -> AsciiWords<'_> {
    AsciiWords {
        bytes: title.as_bytes(),
        at: 0,
        started: false,
        space: false,
    }
}

/// [`ascii_words`]: the title's bytes, where a run of whitespace after a
/// word is one space, written only when another word follows.
struct AsciiWords<'a> {
    bytes: &'a [u8],
    at: usize,
    /// Whether a word has been read (whitespace before the first is
    /// dropped).
    started: bool,
    /// Whether whitespace has been skipped since the last word's byte.
    space: bool,
}

impl Iterator for AsciiWords<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        loop {
            let byte = *self.bytes.get(self.at)?;
            if is_space(byte) {
                self.at += 1;
                self.space = self.started;
                continue;
            }
            if self.space {
                self.space = false;
                return Some(b' ');
            }
            self.started = true;
            self.at += 1;
            return Some(byte.to_ascii_lowercase());
        }
    }
}

/// A title as titles compare: lowercase, runs of whitespace as one space,
/// none at either end. Bytes of UTF-8: titles are only compared and
/// hashed, never shown.
fn normalise(title: &str) -> Vec<u8> {
    let mut words = Vec::with_capacity(title.len());
    normalise_into(title, &mut words);
    words
}

/// [`normalise`] into `out`, replacing what it held.
fn normalise_into(title: &str, out: &mut Vec<u8>) {
    out.clear();
    if title.is_ascii() {
        for word in ascii_split(title) {
            if !out.is_empty() {
                out.push(b' ');
            }
            out.extend_from_slice(word);
        }
        out.make_ascii_lowercase();
        return;
    }
    let mut words = String::with_capacity(title.len());
    for (i, word) in title.split_whitespace().enumerate() {
        if i > 0 {
            words.push(' ');
        }
        words.push_str(word);
    }
    // ASCII lowercases in place; other text takes `to_lowercase`, whose
    // rules (a final sigma) depend on the neighbours.
    if words.is_ascii() {
        words.make_ascii_lowercase();
    } else {
        words = words.to_lowercase();
    }
    out.extend_from_slice(words.as_bytes());
}

/// Whether each objective reaches a top-level objective by following its
/// links upward. Iterative, memoised: O(V + E).
fn reaches_top(set: &OkrSet) -> Marks {
    let top = set.levels().name(0).unwrap_or_default();
    // Per node: not yet known, known not to reach, known to reach.
    const UNKNOWN: u8 = 0;
    const NO: u8 = 1;
    const YES: u8 = 2;
    let mut memo = vec![UNKNOWN; set.graph().node_bound()];
    let known =
        |memo: &[u8], node: &NodeRef<'_>| memo.get(node.index.index()).copied().unwrap_or(UNKNOWN);
    let mut stack = Vec::new();
    for start in set.objectives() {
        stack.push((start, false));
        while let Some((objective, expanded)) = stack.pop() {
            if known(&memo, &objective) != UNKNOWN {
                continue;
            }
            let reached = if objective.level() == Some(top) {
                true
            } else if expanded {
                objective
                    .aligned_to()
                    .any(|link| known(&memo, &link.target().objective()) == YES)
            } else {
                stack.push((objective, true));
                stack.extend(
                    objective
                        .aligned_to()
                        .map(|link| link.target().objective())
                        .filter(|parent| known(&memo, parent) == UNKNOWN)
                        .map(|parent| (parent, false)),
                );
                continue;
            };
            if let Some(slot) = memo.get_mut(objective.index.index()) {
                *slot = if reached { YES } else { NO };
            }
        }
    }
    Marks(memo.into_iter().map(|m| m == YES).collect())
}

/// Nodes marked by their slot in the set's graph: a check is O(1) and
/// hashes no id (the checks run once per node of large sets).
struct Marks(Vec<bool>);

impl Marks {
    fn has(&self, node: &NodeRef<'_>) -> bool {
        self.0.get(node.index.index()).copied().unwrap_or(false)
    }
}

/// The objectives and key results that an objective's contributing link
/// targets. O(V + E).
fn contributed(set: &OkrSet) -> Marks {
    let mut marks = vec![false; set.graph().node_bound()];
    for link in set.objectives().flat_map(|o| o.aligned_to()) {
        if link.contributes() {
            if let Some(mark) = marks.get_mut(link.target().index.index()) {
                *mark = true;
            }
        }
    }
    Marks(marks)
}

fn periods(linter: &mut Linter<'_>) {
    for mismatch in linter.set.period_mismatches() {
        let nodes = vec![mismatch.objective.clone(), mismatch.parent.clone()];
        linter.report(Rule::PeriodOutsideParent, nodes, |_| {
            format!(
                "objective {} ({}) aligns to {} ({}), whose period does not contain its own: align it to an objective of the same or an enclosing period",
                Quoted(&mismatch.objective),
                mismatch.period.as_str(),
                Quoted(&mismatch.parent),
                mismatch.parent_period.as_str()
            )
        });
    }
}

fn stale(linter: &mut Linter<'_>, nodes: &[NodeRef<'_>]) {
    if !linter.on(Rule::StaleKeyResult) {
        return;
    }
    let as_of = linter.done.as_of();
    let set = linter.set;
    let zone = set.time_zone();
    let days = i64::from(linter.settings.stale_after_days);
    // "key result "kr" was last checked in on 2027-01-15, more than 14
    // days before 2027-02-20: check in at least every 14 days", written
    // piece by piece, its end once: a late organisation has one per key
    // result.
    let mut end = format!(", more than {days} days before ");
    push_date(&mut end, as_of);
    let _ = write!(end, ": check in at least every {days} days");
    for node in nodes {
        let Some(metric) = node.metric() else {
            continue;
        };
        // A key result measured by its metric's own value takes no check-in.
        if node.check_ins().is_empty() && !metric.is_at_start() {
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
            .map(|c| c.at.date_in(zone))
            .find(|d| *d <= as_of);
        let since = last.unwrap_or(period.start);
        if crate::time::days_between(since, as_of) <= days {
            continue;
        }
        // Asked last, of stale key results only. A key result with a
        // metric has no inputs (the model refuses sub-key results or
        // contributing objectives beside a metric), so without a review
        // its progress as of the date is its own: nothing is rolled up.
        let done = match linter.done {
            Done::Reviewed(review) => review.of(node).map(|r| r.progress),
            Done::Unreviewed(_) => set.own_progress_as_of(node.index, as_of),
        };
        let done = sure(
            done,
            "a review holds every key result, and one with a metric has no inputs",
        );
        if done < Progress::ONE {
            linter.report_one(Rule::StaleKeyResult, node.id(), |id| {
                let mut message = String::with_capacity(160);
                message.push_str("key result ");
                Quoted(id).push_to(&mut message);
                message.push_str(match last {
                    Some(_) => " was last checked in on ",
                    None => " has had no check-in since its period began on ",
                });
                push_date(&mut message, since);
                message.push_str(&end);
                message
            });
        }
    }
}

/// Key results with check-ins dated (in the set's time zone) after the
/// date of the review: live progress counts them, the review does not.
fn future_check_ins(linter: &mut Linter<'_>, nodes: &[NodeRef<'_>]) {
    let as_of = linter.done.as_of();
    let zone = linter.set.time_zone();
    // "key result "kr" has a check-in dated 2027-03-15, after 2027-02-20:
    // live progress (as of the latest check-in) counts it, the review as
    // of 2027-02-20 does not; check its date", piece by piece like the
    // stale finding.
    let mut end = String::from(", after ");
    push_date(&mut end, as_of);
    end.push_str(": live progress (as of the latest check-in) counts it, the review as of ");
    push_date(&mut end, as_of);
    end.push_str(" does not; check its date");
    for node in nodes {
        // Sorted by instant: the last is the latest.
        let Some(latest) = node.check_ins().last() else {
            continue;
        };
        if latest.at.date_in(zone) <= as_of {
            continue;
        }
        let first = node
            .check_ins()
            .iter()
            .map(|c| c.at.date_in(zone))
            .find(|d| *d > as_of)
            .unwrap_or(as_of);
        linter.report_one(Rule::CheckInAfterAsOf, node.id(), |id| {
            let mut message = String::with_capacity(200);
            message.push_str("key result ");
            Quoted(id).push_to(&mut message);
            message.push_str(" has a check-in dated ");
            push_date(&mut message, first);
            message.push_str(&end);
            message
        });
    }
}

/// Calibration, on the final scores of closed periods (a score set at
/// close, else the computed grade): always perfect counts aspirational
/// objectives only (committed ones are meant to reach 1), always low
/// every objective.
fn calibration(linter: &mut Linter<'_>) {
    let set = linter.set;
    let mut by_owner: BTreeMap<&str, Vec<(Id, Progress, &str, bool)>> = BTreeMap::new();
    for objective in set.objectives() {
        // Only a closed period's objectives have a frozen grade: the
        // period is asked first, without a look-up by id.
        let Some(period) = objective.period().filter(|p| p.is_closed()) else {
            continue;
        };
        let Some(grade) = objective.frozen_grade() else {
            continue;
        };
        let aspirational = objective.commitment() == crate::Commitment::Aspirational;
        for owner in objective.owners() {
            by_owner.entry(owner.as_str()).or_default().push((
                objective.id().clone(),
                grade.final_score(),
                period.id.as_str(),
                aspirational,
            ));
        }
    }
    let low = Decimal::new(3, 1);
    let periods_of = |grades: &[&(Id, Progress, &str, bool)]| {
        let mut periods: Vec<&str> = grades.iter().map(|(_, _, p, _)| *p).collect();
        periods.sort_unstable();
        periods.dedup();
        periods.len()
    };
    for (owner, grades) in by_owner {
        let all: Vec<&(Id, Progress, &str, bool)> = grades.iter().collect();
        let aspirational: Vec<&(Id, Progress, &str, bool)> =
            grades.iter().filter(|g| g.3).collect();
        let ids = |grades: &[&(Id, Progress, &str, bool)]| -> Vec<Id> {
            grades.iter().map(|(id, _, _, _)| id.clone()).collect()
        };
        if periods_of(&aspirational) >= 2
            && aspirational.iter().all(|(_, p, _, _)| *p >= Progress::ONE)
        {
            linter.report(Rule::AlwaysPerfect, ids(&aspirational), |ids| {
                format!(
                    "{owner} scored 1.0 on every closed aspirational objective ({}): set goals that stretch, where 0.7 is a good score",
                    list(ids)
                )
            });
        } else if periods_of(&all) >= 2 && all.iter().all(|(_, p, _, _)| p.value() < low) {
            linter.report(Rule::AlwaysLow, ids(&all), |ids| {
                format!(
                    "{owner} scored below 0.3 on every closed objective ({}): set goals within reach, aiming for 0.6 to 0.7",
                    list(ids)
                )
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{
        Done, Quoted, Tally, ascii_words, lint, no_owner_message, normalise, same_title, sorted,
    };
    use crate::{Date, Finding, Id, NodeKind, OkrSet, Review, Rule, RuleLevel};

    /// Lint's findings on a review already made, as the reports made them
    /// on one thread.
    fn lint_reviewed(set: &OkrSet, review: &Review) -> Vec<Finding> {
        sorted(lint(set, set.lint_settings(), Done::Reviewed(review), true, 1).findings)
    }

    /// Lint's counts on a review already made, as the text report made
    /// them on one thread.
    fn lint_tally(set: &OkrSet, review: &Review) -> Tally {
        lint(set, set.lint_settings(), Done::Reviewed(review), false, 1).tally
    }

    proptest! {
        /// What the stale rule reads without a review: every key result
        /// with a metric has its own progress as of any date, and it is
        /// the roll-up's as of that date (a source passes through).
        #[test]
        fn a_measured_key_results_own_progress_is_its_roll_up(
            nodes in 1_usize..400,
            seed in any::<u64>(),
            day in 0_i64..500,
        ) {
            let set = OkrSet::from_document(crate::sample::realistic(nodes, seed)).unwrap();
            let as_of = Date::new(2026, 10, 1)
                .unwrap()
                .checked_add(jiff::Span::new().days(day))
                .unwrap();
            let rolled = set.rolled_up_as_of(as_of);
            for node in set.nodes().filter(|n| n.metric().is_some()) {
                prop_assert_eq!(
                    set.own_progress_as_of(node.index, as_of),
                    Some(OkrSet::progress_at(&rolled, node.index)),
                    "{}", node.id()
                );
            }
        }
    }

    /// Titles in several spellings of a few: the cascaded-title rule has
    /// matches to find, first ones to choose and near misses to skip.
    const TITLES: [&str; 7] = [
        "Grow revenue",
        "grow  REVENUE",
        " Grow revenue\t",
        "Grow revenues",
        "Ship it",
        "ship\nit",
        "Schön wachsen",
    ];

    proptest! {
        /// The cascaded-title rule names, for each objective and each of
        /// its links in order, the key result it links to when their
        /// titles are equal once normalised, or the first key result of
        /// the objective it links to whose title is: a brute-force oracle
        /// over targets of no key results to more than
        /// [`FEW_KEY_RESULTS`](super::FEW_KEY_RESULTS) (searched in order
        /// below that, through a map above).
        #[test]
        fn cascaded_titles_are_the_brute_force_ones(
            targets in proptest::collection::vec(
                proptest::collection::vec(0_usize..TITLES.len(), 0..12), 1..4),
            children in proptest::collection::vec(
                (0_usize..TITLES.len(), proptest::collection::vec((0_usize..4, proptest::option::of(0_usize..12)), 1..3)),
                0..12),
        ) {
            use crate::{Document, KeyResult, Link, Objective};
            let mut doc = Document::default();
            for (t, krs) in targets.iter().enumerate() {
                let mut objective = Objective::new(format!("t{t}").parse().unwrap(), TITLES[0], "company");
                for (k, &title) in krs.iter().enumerate() {
                    objective = objective
                        .with_key_result(KeyResult::new(format!("t{t}k{k}").parse().unwrap(), TITLES[title]));
                }
                doc = doc.with_objective(objective);
            }
            for (c, (title, links)) in children.iter().enumerate() {
                let mut objective = Objective::new(format!("c{c}").parse().unwrap(), TITLES[*title], "team");
                let mut seen = Vec::new();
                for &(t, kr) in links {
                    let t = t % targets.len();
                    let target = match kr {
                        Some(k) if k < targets[t].len() => format!("t{t}k{k}"),
                        _ => format!("t{t}"),
                    };
                    if !seen.contains(&target) {
                        objective = objective.with_link(Link::new(target.parse().unwrap()));
                        seen.push(target);
                    }
                }
                doc = doc.with_objective(objective);
            }
            let set = OkrSet::from_document(doc).unwrap();
            let found: Vec<Vec<Id>> = set
                .lint(Date::new(2027, 1, 1).unwrap())
                .into_iter()
                .filter(|f| f.code == Rule::CascadedTitle.code())
                .map(|f| f.nodes)
                .collect();
            let mut expected = Vec::new();
            for objective in set.objectives().filter(|o| o.level() != Some("company")) {
                let title = normalise(objective.title());
                for target in objective.aligned_to().map(|link| link.target()) {
                    let named = if target.kind() == NodeKind::KeyResult {
                        Some(target).filter(|kr| normalise(kr.title()) == title)
                    } else {
                        target.key_results().find(|kr| normalise(kr.title()) == title)
                    };
                    if let Some(kr) = named {
                        expected.push(vec![objective.id().clone(), kr.id().clone()]);
                    }
                }
            }
            prop_assert_eq!(found, expected);
        }

        /// Counting without messages counts what keeping the findings
        /// keeps, whatever rules are on, re-levelled or off, and whatever
        /// the date.
        #[test]
        fn the_tally_counts_the_kept_findings(
            nodes in 1_usize..400,
            seed in any::<u64>(),
            strict in any::<bool>(),
            relevel in proptest::collection::vec(
                (proptest::sample::select(Rule::ALL), 0_usize..4), 0..4),
            day in 0_i64..500,
        ) {
            let mut doc = crate::sample::realistic(nodes, seed);
            let levels = [RuleLevel::Off, RuleLevel::Note, RuleLevel::Warning, RuleLevel::Error];
            let mut settings = doc.lint.clone().strict_weights(strict);
            for (rule, level) in relevel {
                settings = settings.with_rule(rule, levels[level]);
            }
            doc.lint = settings;
            let set = OkrSet::from_document(doc).unwrap();
            let as_of = Date::new(2026, 10, 1)
                .unwrap()
                .checked_add(jiff::Span::new().days(day))
                .unwrap();
            let review = set.review(as_of);
            let findings = lint_reviewed(&set, &review);
            prop_assert_eq!(lint_tally(&set, &review), Tally::of(&findings));
        }

        /// Linting without a review finds what linting a review finds,
        /// whatever the date: before, between and after key results'
        /// check-ins (some done only by later ones), and under any level
        /// of the stale rule.
        #[test]
        fn a_lint_without_a_review_is_a_lint_of_one(
            nodes in 1_usize..400,
            seed in any::<u64>(),
            level in 0_usize..4,
            day in 0_i64..500,
        ) {
            let mut doc = crate::sample::realistic(nodes, seed);
            let levels = [RuleLevel::Off, RuleLevel::Note, RuleLevel::Warning, RuleLevel::Error];
            doc.lint = doc.lint.clone().with_rule(Rule::StaleKeyResult, levels[level]);
            let set = OkrSet::from_document(doc).unwrap();
            let as_of = Date::new(2026, 10, 1)
                .unwrap()
                .checked_add(jiff::Span::new().days(day))
                .unwrap();
            prop_assert_eq!(set.lint(as_of), lint_reviewed(&set, &set.review(as_of)));
        }

        /// The fast path writes what `{:?}` writes, for any id.
        #[test]
        fn quoted_is_debug(text in "\\PC{1,12}|[ -~]{1,12}") {
            let id = Id::new(&text).unwrap();
            prop_assert_eq!(Quoted(&id).to_string(), format!("{:?}", id.as_str()));
        }

        /// Titles compared as they are read compare as their normalised
        /// forms do: `b` is `a` with its case and whitespace changed, or
        /// another title.
        #[test]
        fn same_title_is_normalised_equality(
            a in "[ -~\t\n\x0b\x0c\r]{0,16}|\\PC{0,8}",
            changes in proptest::collection::vec((any::<bool>(), 0_usize..4), 0..20),
            other in "[ aAbB\t]{0,6}",
            use_other in any::<bool>(),
        ) {
            let b = if use_other {
                other
            } else {
                let spaces = [" ", "\t", "  ", "\x0b "];
                let mut b = String::from(spaces[changes.len() % 4]);
                let mut changes = changes.iter().cycle();
                for c in a.chars() {
                    let (upper, space) = changes.next().copied().unwrap_or((false, 0));
                    if c.is_whitespace() && space > 0 {
                        b.push_str(spaces[space]);
                    } else if upper {
                        b.extend(c.to_uppercase());
                    } else {
                        b.push(c);
                    }
                }
                b
            };
            if a.is_ascii() {
                prop_assert_eq!(ascii_words(&a).collect::<Vec<u8>>(), normalise(&a));
            }
            prop_assert_eq!(same_title(&a, &b), normalise(&a) == normalise(&b));
            prop_assert_eq!(same_title(&b, &a), normalise(&a) == normalise(&b));
        }

        /// The ASCII path lowercases as `to_lowercase` does, runs of
        /// whitespace as one space.
        #[test]
        fn normalise_is_the_plain_rule(text in "\\PC{0,12}|[ -~\t\n\x0b\x0c\r\x1c-\x1f]{0,12}") {
            let plain = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            prop_assert_eq!(normalise(&text), plain.into_bytes());
        }
    }

    #[test]
    fn quoted_escapes_what_debug_escapes() {
        for text in ["a\"b", "a\\b", "é", "soft\u{ad}hyphen", "plain-id_1"] {
            let id = Id::new(text).unwrap();
            assert_eq!(Quoted(&id).to_string(), format!("{text:?}"));
            let mut pushed = String::from("x");
            Quoted(&id).push_to(&mut pushed);
            assert_eq!(pushed, format!("x{text:?}"));
        }
    }

    #[test]
    fn the_no_owner_message_is_the_sentence() {
        for kind in [NodeKind::Objective, NodeKind::KeyResult] {
            for text in ["kr-1", "a\"b"] {
                let id = Id::new(text).unwrap();
                assert_eq!(
                    no_owner_message(kind, &id),
                    format!(
                        "{kind} {text:?} has no owner: name the person or team who answers for it"
                    )
                );
            }
        }
    }
}
