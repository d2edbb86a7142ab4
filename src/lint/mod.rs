//! Health checks: runs the [`Rule`]s a set's [`LintSettings`] leave on and
//! reports [`Finding`]s whose messages name the nodes and say what to do.
//!
//! The rules come from the seeds' rules of thumb; they read the set through
//! its public view only.

use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};

use petgraph::visit::NodeIndexable as _;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::invariant::sure;
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

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}] {}: {}",
            self.severity, self.code, self.rule, self.message
        )
    }
}

impl OkrSet {
    /// Runs the health checks the set's [`LintSettings`] leave on, as of a
    /// date (for staleness), and returns the findings, most severe first.
    /// O(V + E + K log C): one review as of the date (K key results of up
    /// to C check-ins) and one pass per rule.
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
        self.lint_reviewed(&self.review(as_of))
    }

    /// [`lint`](Self::lint) on a review of the set already made (reports
    /// that show both make the review once).
    pub(crate) fn lint_reviewed(&self, review: &crate::Review) -> Vec<crate::Finding> {
        let mut findings = crate::lint::lint(self, self.lint_settings(), review);
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        findings
    }
}

struct Linter<'a> {
    set: &'a OkrSet,
    settings: &'a LintSettings,
    as_of: Date,
    review: &'a crate::Review,
    /// The nodes a contributing link targets, which two rules read.
    contributed: Marks,
    findings: Vec<Finding>,
}

impl Linter<'_> {
    fn report(&mut self, rule: Rule, nodes: Vec<Id>, message: String) {
        let level = self.settings.level(rule);
        self.report_at(rule, level, nodes, message);
    }

    fn report_at(&mut self, rule: Rule, level: RuleLevel, nodes: Vec<Id>, message: String) {
        // A fold view's synthetic members are no one's work: a finding
        // about one (no owner, no check-in, a title like its target's)
        // would only confuse. Findings that list many nodes (the top
        // objectives) leave them out before they count.
        if nodes.iter().any(Id::is_folded) {
            return;
        }
        let severity = match level {
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
pub(crate) fn lint(set: &OkrSet, settings: &LintSettings, review: &crate::Review) -> Vec<Finding> {
    let mut linter = Linter {
        set,
        settings,
        as_of: review.as_of(),
        review,
        contributed: contributed(set),
        findings: Vec::new(),
    };
    top_objectives(&mut linter);
    objectives(&mut linter);
    unmeasured_key_results(&mut linter);
    owners(&mut linter);
    alignment(&mut linter);
    periods(&mut linter);
    stale(&mut linter);
    future_check_ins(&mut linter);
    calibration(&mut linter);
    linter.findings
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
    // Which objectives some contributing link reaches: one pass over the
    // links, not a search of every supporter's links per objective.
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
        let from = objective.progress_from();
        let message = match (key_results.is_empty(), linter.contributed.has(&objective)) {
            (true, false) => Some(format!(
                "objective {:?} has no key result: add 2 to 5 measurable key results",
                id.as_str()
            )),
            (true, true) if from == ProgressFrom::KeyResults => Some(format!(
                "objective {:?} counts its key results (progress_from: key-results) but has none: add 2 to 5 measurable key results, or count the objectives aligned to it",
                id.as_str()
            )),
            (_, false) if from == ProgressFrom::Aligned => Some(format!(
                "objective {:?} counts the objectives aligned to it (progress_from: aligned) but none contributes: align one to it, or count its key results",
                id.as_str()
            )),
            _ => None,
        };
        if let Some(message) = message {
            linter.report(Rule::UnmeasuredObjective, vec![id.clone()], message);
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

/// Key results that nothing measures: no metric, no sub-key results, no
/// objective contributing. They count as 0 and halve what they belong to.
fn unmeasured_key_results(linter: &mut Linter<'_>) {
    let set = linter.set;
    for node in set.nodes() {
        if node.kind() != NodeKind::KeyResult
            || node.metric().is_some()
            || node.key_results().next().is_some()
            || linter.contributed.has(&node)
        {
            continue;
        }
        linter.report(
            Rule::UnmeasuredKeyResult,
            vec![node.id().clone()],
            format!(
                "key result {:?} has no metric, no sub-key results and no objective contributing to it, so it counts as 0: give it a metric, or align the objectives that deliver it",
                node.id().as_str()
            ),
        );
    }
}

fn owners(linter: &mut Linter<'_>) {
    let set = linter.set;
    let nodes: Vec<NodeRef<'_>> = set.nodes().collect();
    for node in &nodes {
        if node.owners().is_empty() {
            linter.report(
                Rule::NoOwner,
                vec![node.id().clone()],
                no_owner_message(node.kind(), node.id()),
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
    let mut titles_of: Vec<Option<Box<HashMap<String, Id>>>> = vec![None; set.graph().node_bound()];
    for objective in set.objectives() {
        if objective.level() == Some(top) {
            continue;
        }
        let id = objective.id().clone();
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
            linter.report_at(
                Rule::Unaligned,
                level,
                vec![id.clone()],
                format!(
                    "objective {:?} ({}) aligns to nothing: link it to the objective or key result it supports",
                    id.as_str(),
                    sure(objective.level(), "objectives have a level")
                ),
            );
        } else if !reaches.has(&objective) {
            linter.report(
                Rule::Misaligned,
                vec![id.clone()],
                format!(
                    "objective {:?} aligns only to objectives that never reach a {top} objective: link the chain to the top",
                    id.as_str()
                ),
            );
        }
        let title = normalise(objective.title());
        for target in objective.aligned_to().map(|link| link.target()) {
            let Some(slot) = titles_of.get_mut(target.index.index()) else {
                continue;
            };
            let titles = slot.get_or_insert_with(|| {
                let candidates: Vec<NodeRef<'_>> = match target.kind() {
                    NodeKind::KeyResult => vec![target],
                    _ => target.key_results().collect(),
                };
                let mut titles = HashMap::with_capacity(candidates.len());
                for kr in candidates {
                    // The first key result with a title names it, as a
                    // search in order would.
                    titles
                        .entry(normalise(kr.title()))
                        .or_insert_with(|| kr.id().clone());
                }
                Box::new(titles)
            });
            if let Some(kr) = titles.get(&title) {
                let kr = kr.clone();
                linter.report(
                    Rule::CascadedTitle,
                    vec![id.clone(), kr.clone()],
                    format!(
                        "objective {:?} repeats the title of key result {:?}: say what this team will achieve toward it instead",
                        id.as_str(),
                        kr.as_str()
                    ),
                );
            }
        }
    }
}

fn normalise(title: &str) -> String {
    if title.is_ascii() {
        // Byte by byte: ASCII whitespace as `char::is_whitespace` has it
        // (tab to carriage return, and space).
        let mut words = Vec::with_capacity(title.len());
        let whitespace = |byte: &u8| matches!(byte, b'\t'..=b'\r' | b' ');
        for word in title.as_bytes().split(whitespace).filter(|w| !w.is_empty()) {
            if !words.is_empty() {
                words.push(b' ');
            }
            words.extend_from_slice(word);
        }
        words.make_ascii_lowercase();
        return sure(String::from_utf8(words).ok(), "ASCII is UTF-8");
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
        words
    } else {
        words.to_lowercase()
    }
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
            .of(&node)
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
        let zone = linter.set.time_zone();
        let last = node
            .check_ins()
            .iter()
            .rev()
            .map(|c| c.at.date_in(zone))
            .find(|d| *d <= as_of);
        let since = last.unwrap_or(period.start);
        if crate::time::days_between(since, as_of) > days {
            // "key result "kr" was last checked in on 2027-01-15, more than
            // 14 days before 2027-02-20: check in at least every 14 days",
            // written piece by piece: a late organisation has one per key
            // result.
            let mut message = String::with_capacity(160);
            message.push_str("key result ");
            Quoted(node.id()).push_to(&mut message);
            message.push_str(match last {
                Some(_) => " was last checked in on ",
                None => " has had no check-in since its period began on ",
            });
            push_date(&mut message, since);
            let _ = write!(message, ", more than {days} days before ");
            push_date(&mut message, as_of);
            let _ = write!(message, ": check in at least every {days} days");
            linter.report(Rule::StaleKeyResult, vec![node.id().clone()], message);
        }
    }
}

/// Key results with check-ins dated (in the set's time zone) after the
/// date of the review: live progress counts them, the review does not.
fn future_check_ins(linter: &mut Linter<'_>) {
    let as_of = linter.as_of;
    let zone = linter.set.time_zone();
    for node in linter.set.nodes() {
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
        // "key result "kr" has a check-in dated 2027-03-15, after
        // 2027-02-20: live progress (as of the latest check-in) counts it,
        // the review as of 2027-02-20 does not; check its date", piece by
        // piece like the stale finding.
        let mut message = String::with_capacity(200);
        message.push_str("key result ");
        Quoted(node.id()).push_to(&mut message);
        message.push_str(" has a check-in dated ");
        push_date(&mut message, first);
        message.push_str(", after ");
        push_date(&mut message, as_of);
        message
            .push_str(": live progress (as of the latest check-in) counts it, the review as of ");
        push_date(&mut message, as_of);
        message.push_str(" does not; check its date");
        linter.report(Rule::CheckInAfterAsOf, vec![node.id().clone()], message);
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
        let (Some(grade), Some(period)) = (objective.frozen_grade(), objective.period()) else {
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
            let ids = ids(&aspirational);
            let message = format!(
                "{owner} scored 1.0 on every closed aspirational objective ({}): set goals that stretch, where 0.7 is a good score",
                list(&ids)
            );
            linter.report(Rule::AlwaysPerfect, ids, message);
        } else if periods_of(&all) >= 2 && all.iter().all(|(_, p, _, _)| p.value() < low) {
            let ids = ids(&all);
            let message = format!(
                "{owner} scored below 0.3 on every closed objective ({}): set goals within reach, aiming for 0.6 to 0.7",
                list(&ids)
            );
            linter.report(Rule::AlwaysLow, ids, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Quoted, no_owner_message, normalise};
    use crate::{Id, NodeKind};

    proptest! {
        /// The fast path writes what `{:?}` writes, for any id.
        #[test]
        fn quoted_is_debug(text in "\\PC{1,12}|[ -~]{1,12}") {
            let id = Id::new(&text).unwrap();
            prop_assert_eq!(Quoted(&id).to_string(), format!("{:?}", id.as_str()));
        }

        /// The ASCII path lowercases as `to_lowercase` does, runs of
        /// whitespace as one space.
        #[test]
        fn normalise_is_the_plain_rule(text in "\\PC{0,12}|[ -~\t\n\x0b\x0c\r\x1c-\x1f]{0,12}") {
            let plain = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            prop_assert_eq!(normalise(&text), plain);
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
