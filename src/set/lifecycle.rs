//! The time side of a set: validating periods and check-in histories,
//! checking in, closing periods and carrying unfinished objectives forward.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use petgraph::stable_graph::NodeIndex;

use super::OkrSet;
use super::guard::non_empty;
use crate::edit::{Change, Edit};
use crate::engine::graph::{EdgeKind, Node};
use crate::engine::rollup::Delta;
use crate::{
    CheckIn, CheckInValue, Closing, Confidence, Correction, Date, DeletedCheckIn, Error, Grade, Id,
    InitiativeStatus, KeyResult, Metric, Moment, NodeKind, Period, Phase, Progress,
};

/// How [`OkrSet::carry_forward`] copies an objective.
///
/// # Example
/// ```
/// use okrs::CarryForward;
/// let options = CarryForward::default().keep_values(true);
/// # let _ = options;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct CarryForward {
    /// Keep each key result's current value as the copy's current value
    /// (default: the copies start afresh at their metric's start).
    pub keep_values: bool,
}

impl CarryForward {
    /// Sets whether the copies keep their current values. O(1).
    #[must_use]
    pub fn keep_values(mut self, keep: bool) -> Self {
        self.keep_values = keep;
        self
    }
}

/// An objective whose period lies outside the period of what it aligns to:
/// allowed, and reported (a quarterly objective aligned to another
/// quarter's, say).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PeriodMismatch {
    /// The aligned objective.
    pub objective: Id,
    /// Its period.
    pub period: Id,
    /// The objective it aligns to (or whose key result it aligns to).
    pub parent: Id,
    /// That objective's period.
    pub parent_period: Id,
}

/// Checks a score: at most the progress cap, with a reason.
pub(super) fn check_score(
    id: &Id,
    score: Progress,
    reason: Option<&String>,
    cap: rust_decimal::Decimal,
) -> Result<(), Error> {
    if score.value() > cap {
        return Err(Error::InvalidScore {
            id: id.clone(),
            score: score.value(),
            cap,
        });
    }
    if reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(Error::ScoreWithoutReason(id.clone()));
    }
    Ok(())
}

/// A check-in with empty texts taken as absent.
pub(super) fn tidy_check_in(mut check_in: CheckIn) -> CheckIn {
    check_in.note = non_empty(check_in.note.take());
    check_in.by = non_empty(check_in.by.take());
    check_in
}

/// The id of a key result's `n`th check-in.
fn check_in_id(key_result: &Id, n: u32) -> Id {
    // Still an id: a valid id followed by `#` and digits. A load numbers
    // every check-in that comes without an id, most short enough to be
    // held inline.
    Id::joined(&[key_result.as_str(), "#", itoa::Buffer::new().format(n)])
}

/// Where [`OkrSet::record_check_in`] may put a check-in that is not the
/// newest of its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// In its place, wherever that is.
    Anywhere,
    /// In front if it is the oldest, else at the back (the batch sorts).
    Ends,
    /// At the back: the history is already out of order.
    Back,
}

/// Gives each check-in of a key result that has none the id after the
/// highest in use, in history order, after checking the ids a document
/// gave (live and deleted): each `<key result>#<n>` with `n` ≥ 1 written
/// plainly, none twice. Returns how many ids the key result has issued.
/// O(check-ins).
pub(super) fn number_check_ins(
    key_result: &Id,
    check_ins: &mut [CheckIn],
    deleted: &[DeletedCheckIn],
) -> Result<u32, Error> {
    let mut seen = HashSet::new();
    let mut issued = 0u32;
    let given = check_ins
        .iter()
        .filter_map(|c| c.id.as_ref())
        .chain(deleted.iter().filter_map(|d| d.check_in.id.as_ref()));
    for id in given {
        let n = id
            .as_str()
            .strip_prefix(key_result.as_str())
            .and_then(|rest| rest.strip_prefix('#'))
            .and_then(|digits| {
                // Written plainly: digits only, no leading zero (what
                // `n.to_string()` gives back), without making that text.
                let plain = !digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit());
                digits.parse::<u32>().ok().filter(|_| plain)
            })
            .filter(|&n| n > 0);
        match n {
            Some(n) if seen.insert(n) => issued = issued.max(n),
            _ => {
                return Err(Error::InvalidCheckInId {
                    key_result: key_result.clone(),
                    id: id.clone(),
                });
            }
        }
    }
    for check_in in check_ins.iter_mut().filter(|c| c.id.is_none()) {
        issued = issued
            .checked_add(1)
            .ok_or_else(|| Error::InvalidCheckInId {
                key_result: key_result.clone(),
                id: check_in_id(key_result, u32::MAX),
            })?;
        check_in.id = Some(check_in_id(key_result, issued));
    }
    Ok(issued)
}

/// Checks a list of periods: unique ids, end not before start, `within`
/// naming a period without looping, nested periods inside their parent,
/// siblings disjoint. O(P log P).
pub(super) fn validate(periods: Vec<Period>) -> Result<IndexMap<Id, Period>, Error> {
    let mut map: IndexMap<Id, Period> = IndexMap::with_capacity(periods.len());
    for period in periods {
        if period.end < period.start {
            return Err(Error::PeriodEndsBeforeStart {
                period: period.id,
                start: period.start,
                end: period.end,
            });
        }
        if map.contains_key(&period.id) {
            return Err(Error::DuplicatePeriod(period.id));
        }
        map.insert(period.id.clone(), period);
    }
    for period in map.values() {
        let Some(within) = &period.within else {
            continue;
        };
        let parent = map.get(within).ok_or_else(|| Error::UnknownPeriod {
            period: within.clone(),
            by: period.id.clone(),
        })?;
        if !parent.contains_period(period) {
            return Err(Error::PeriodOutsideParent {
                period: period.id.clone(),
                within: within.clone(),
            });
        }
    }
    refuse_period_cycles(&map)?;
    let mut siblings: HashMap<Option<&Id>, Vec<&Period>> = HashMap::new();
    for period in map.values() {
        siblings
            .entry(period.within.as_ref())
            .or_default()
            .push(period);
    }
    for group in siblings.values_mut() {
        group.sort_by_key(|p| (p.start, p.end));
        for pair in group.windows(2) {
            if let [first, second] = pair {
                if first.overlaps(second) {
                    return Err(Error::PeriodsOverlap {
                        first: first.id.clone(),
                        second: second.id.clone(),
                    });
                }
            }
        }
    }
    Ok(map)
}

/// Refuses a `within` chain that loops, naming the first period (in
/// document order) whose chain reaches the loop. O(P): each period is
/// walked once; a walk stops at a period already known to end.
fn refuse_period_cycles(map: &IndexMap<Id, Period>) -> Result<(), Error> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Unseen,
        OnWalk,
        Ends,
    }
    let mut marks = vec![Mark::Unseen; map.len()];
    let mut walk = Vec::new();
    for (start, period) in map.values().enumerate() {
        let mut cursor = Some(start);
        while let Some(at) = cursor {
            match marks.get(at).copied() {
                Some(Mark::Unseen) => {}
                Some(Mark::OnWalk) => return Err(Error::PeriodCycle(period.id.clone())),
                Some(Mark::Ends) | None => break,
            }
            if let Some(mark) = marks.get_mut(at) {
                *mark = Mark::OnWalk;
            }
            walk.push(at);
            cursor = map
                .get_index(at)
                .and_then(|(_, p)| p.within.as_ref())
                .and_then(|within| map.get_index_of(within));
        }
        for at in walk.drain(..) {
            if let Some(mark) = marks.get_mut(at) {
                *mark = Mark::Ends;
            }
        }
    }
    Ok(())
}

/// Checks a key result's history against its metric: check-ins and phases
/// need a metric, check-ins a metric left at its start and values that fit
/// it, phases a metric that takes numbers. O(check-ins × milestones).
pub(super) fn check_history(
    id: &Id,
    metric: Option<&Metric>,
    check_ins: &[CheckIn],
    phases: &[Phase],
) -> Result<(), Error> {
    if check_ins.is_empty() && phases.is_empty() {
        return Ok(());
    }
    let Some(metric) = metric else {
        return Err(Error::NoMetric(id.clone()));
    };
    // With a history, `current` may only say what the latest check-in
    // says (the set then keeps the metric at its start). Histories are
    // sorted by instant: the last counts.
    if let Some(latest) = check_ins.last() {
        if !metric.is_at_start() && metric.at_start().measured(Some(&latest.value)) != *metric {
            return Err(Error::CurrentAndCheckIns(id.clone()));
        }
    }
    for check_in in check_ins {
        metric
            .fits(&check_in.value)
            .map_err(|source| Error::CheckInValue {
                key_result: id.clone(),
                at: check_in.at,
                source,
            })?;
    }
    if !phases.is_empty() && matches!(metric, Metric::Binary { .. } | Metric::Milestones { .. }) {
        return Err(Error::PhaseOnUnphasedMetric(id.clone(), metric.kind()));
    }
    Ok(())
}

impl OkrSet {
    /// Objectives aligned to an objective (or its key result) whose period
    /// does not contain theirs. O(V + E).
    ///
    /// # Example
    /// ```
    /// use okrs::{Document, Link, Objective, OkrSet, Period};
    /// let [q1, q2, ..] = Period::quarters(2027)?;
    /// let doc = Document::default()
    ///     .with_period(Period::year(2027)?).with_period(q1).with_period(q2)
    ///     .with_objective(Objective::new("co".parse()?, "Company", "company").with_period("2027-Q1".parse()?))
    ///     .with_objective(Objective::new("team".parse()?, "Team", "team")
    ///         .with_period("2027-Q2".parse()?).with_link(Link::new("co".parse()?)));
    /// let set = OkrSet::from_document(doc)?;
    /// let mismatch = &set.period_mismatches()[0];
    /// assert_eq!((mismatch.objective.as_str(), mismatch.parent.as_str()), ("team", "co"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn period_mismatches(&self) -> Vec<PeriodMismatch> {
        let mut out = Vec::new();
        for objective in self.objectives() {
            let Some(period) = objective.period() else {
                continue;
            };
            for target in objective.aligned_to().map(|link| link.target()) {
                let parent = target.objective();
                let Some(parent_period) = parent.period() else {
                    continue;
                };
                if !parent_period.contains_period(period) {
                    out.push(PeriodMismatch {
                        objective: objective.id().clone(),
                        period: period.id.clone(),
                        parent: parent.id().clone(),
                        parent_period: parent_period.id.clone(),
                    });
                }
            }
        }
        out
    }

    /// Records a check-in on a key result and rolls it up incrementally.
    /// The history stays sorted by the instant each check-in happened (a
    /// plain date at the start of its day in the set's time zone); a
    /// check-in at the same instant as an earlier one goes after it, and so
    /// counts. Live progress is as of the latest check-in.
    ///
    /// # Errors
    /// [`Error::UnknownNode`], [`Error::WrongKind`], [`Error::NoMetric`],
    /// [`Error::CurrentAndCheckIns`] when the metric carries its own
    /// current value, [`Error::CheckInValue`] for a value that does not fit
    /// the metric, [`Error::CheckInBeforePeriod`] and
    /// [`Error::CheckInAfterPeriod`] for a check-in dated (in the set's time
    /// zone) outside its objective's period, [`Error::ConfidenceOutOfScale`],
    /// [`Error::PeriodClosed`].
    /// The set is unchanged on error.
    ///
    /// Complexity: O(log C) to find its place among C check-ins, amortized
    /// O(1) to put it there when it is the newest or the oldest (so a long
    /// history recorded one call per check-in, oldest or newest first,
    /// costs O(C log C) in all), O(min(before, after)) between; plus
    /// O(A log A) for the A nodes it rolls into.
    ///
    /// # Example
    /// ```
    /// use okrs::{CheckIn, CheckInValue, Document, KeyResult, Metric, Objective, OkrSet};
    /// let mut set = OkrSet::from_document(Document::default().with_objective(
    ///     Objective::new("o".parse()?, "O", "team").with_key_result(
    ///         KeyResult::new("kr".parse()?, "KR").with_metric(Metric::numeric(0.into(), 4.into())))))?;
    /// set.check_in("kr", CheckIn::new("2027-01-10".parse()?, CheckInValue::Number(1.into())))?;
    /// assert_eq!(set.progress("o").unwrap().to_string(), "0.25");
    /// let err = set.check_in("kr", CheckIn::new("2027-01-11".parse()?, CheckInValue::Done(true)));
    /// assert!(err.is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_in(&mut self, key_result: &str, check_in: CheckIn) -> Result<(), Error> {
        self.apply(Edit::RecordCheckIn {
            key_result: Id::unchecked(key_result),
            check_in,
        })
        .map(drop)
    }

    /// Records many check-ins at once, all or nothing, and rolls them up in
    /// one incremental pass: each node they reach is recomputed once, however
    /// many of its key results changed.
    ///
    /// # Errors
    /// The first error [`check_in`](Self::check_in) would raise for any of
    /// them; then none is recorded and the set is unchanged.
    ///
    /// Complexity: O(B) to validate and append B check-ins, plus
    /// O(C log C) for each history of C check-ins that one of them lands in
    /// before its latest (sorted once, whatever the batch's order), plus
    /// O(A log A) for the A distinct nodes they roll into.
    ///
    /// # Example
    /// ```
    /// use okrs::{CheckIn, CheckInValue, Document, KeyResult, Metric, Objective, OkrSet};
    /// let mut set = OkrSet::from_document(Document::default().with_objective(
    ///     Objective::new("o".parse()?, "O", "team")
    ///         .with_key_result(KeyResult::new("a".parse()?, "A").with_metric(Metric::numeric(0.into(), 4.into())))
    ///         .with_key_result(KeyResult::new("b".parse()?, "B").with_metric(Metric::binary(false)))))?;
    /// set.check_in_many([
    ///     ("a", CheckIn::new("2027-01-10".parse()?, CheckInValue::Number(2.into()))),
    ///     ("b", CheckIn::new("2027-01-10".parse()?, CheckInValue::Done(true))),
    /// ])?;
    /// assert_eq!(set.progress("o").unwrap().to_string(), "0.75");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_in_many<I, S>(&mut self, check_ins: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = (S, CheckIn)>,
        S: AsRef<str>,
    {
        let edits: Vec<Edit> = check_ins
            .into_iter()
            .map(|(key_result, check_in)| Edit::RecordCheckIn {
                key_result: Id::unchecked(key_result.as_ref()),
                check_in,
            })
            .collect();
        self.apply_all(edits).map(drop)
    }

    /// Records many check-ins, all validated before any is recorded, then
    /// rolled up in one incremental pass. Returns their ids, in order.
    pub(super) fn edit_check_ins(
        &mut self,
        check_ins: Vec<(Id, CheckIn)>,
    ) -> Result<Vec<(Id, Id)>, Error> {
        let mut accepted: Vec<(NodeIndex, Id, CheckIn)> = Vec::with_capacity(check_ins.len());
        for (key_result, check_in) in check_ins {
            let check_in = tidy_check_in(check_in);
            let node = self.validate_check_in(key_result.as_str(), &check_in)?;
            accepted.push((node, key_result, check_in));
        }
        let mut changed: Vec<NodeIndex> = Vec::with_capacity(accepted.len());
        let mut ids = Vec::with_capacity(accepted.len());
        // Histories a check-in of this batch landed in out of order: sorted
        // once at the end, so a batch in any order costs O(n log n), not a
        // shift of the history per check-in. A check-in alone, or one that
        // goes at either end, takes its place at once.
        let alone = accepted.len() == 1;
        let mut unsorted: std::collections::HashSet<NodeIndex> = std::collections::HashSet::new();
        for (node, key_result, check_in) in accepted {
            if let Some(Node::KeyResult(k)) = self.graph.node_weight_mut(node) {
                // Recording a value is a check-in, history or not: the
                // metric's own `current` gives way to the first one.
                if let Some(metric) = k.metric.as_mut().filter(|m| !m.is_at_start()) {
                    *metric = metric.at_start();
                }
            }
            let place = if unsorted.contains(&node) {
                Place::Back
            } else if alone {
                Place::Anywhere
            } else {
                Place::Ends
            };
            let (id, in_order) = self.record_check_in(node, check_in, place);
            if !in_order {
                unsorted.insert(node);
            }
            ids.push((key_result, id));
            changed.push(node);
        }
        let zone = &self.zone;
        for node in unsorted {
            if let Some(Node::KeyResult(k)) = self.graph.node_weight_mut(node) {
                // Stable: at one instant, the check-in recorded later
                // stays later.
                k.detail_mut()
                    .check_ins
                    .as_mut_slice()
                    .sort_by_cached_key(|c| c.at.instant_in(zone));
            }
        }
        self.refresh_leaves(changed);
        Ok(ids)
    }

    /// Records a validated check-in in its key result's history, in its
    /// place (after every check-in at or before its instant) where `place`
    /// allows, else at the back; says whether the history is still in
    /// order (the caller sorts it otherwise). O(log history) comparisons
    /// and, for a check-in neither newer nor older than all the others,
    /// O(min(before, after)) check-ins moved; amortized O(1) at either
    /// end.
    pub(super) fn record_check_in(
        &mut self,
        node: NodeIndex,
        mut check_in: CheckIn,
        place: Place,
    ) -> (Id, bool) {
        let Some(Node::KeyResult(k)) = self.graph.node_weight_mut(node) else {
            return (Id::unchecked("?"), true);
        };
        let key_result = k.id.clone();
        let detail = k.detail_mut();
        // Four billion check-ins on one key result would not fit in memory.
        detail.issued = detail.issued.saturating_add(1);
        let id = check_in_id(&key_result, detail.issued);
        check_in.id = Some(id.clone());
        check_in.corrections.clear();
        let history = &mut detail.check_ins;
        let zone = &self.zone;
        let instant = check_in.at.instant_in(zone);
        let newest = history
            .last()
            .is_none_or(|last| last.at.instant_in(zone) <= instant);
        if newest || place == Place::Back {
            history.push(check_in);
            return (id, newest);
        }
        let oldest = history
            .first()
            .is_some_and(|first| instant < first.at.instant_in(zone));
        if oldest {
            history.insert(0, check_in);
            return (id, true);
        }
        if place == Place::Ends {
            history.push(check_in);
            return (id, false);
        }
        let at = history.partition_point(|c| c.at.instant_in(zone) <= instant);
        history.insert(at, check_in);
        (id, true)
    }

    /// Finds a check-in by id: its key result and its place in the
    /// history. O(check-ins of the key result).
    fn find_check_in(&self, check_in: &Id) -> Result<(NodeIndex, usize), Error> {
        let unknown = || Error::UnknownCheckIn(check_in.clone());
        let (key_result, _) = check_in.as_str().rsplit_once('#').ok_or_else(unknown)?;
        let node = self.lookup(key_result).ok_or_else(unknown)?;
        let Some(Node::KeyResult(k)) = self.graph.node_weight(node) else {
            return Err(unknown());
        };
        let position = k
            .check_ins()
            .iter()
            .position(|c| c.id.as_ref() == Some(check_in))
            .ok_or_else(unknown)?;
        Ok((node, position))
    }

    /// Corrects a check-in's value, confidence and note, keeping what it
    /// said before with the reason. Returns its key result.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn correct_check_in(
        &mut self,
        check_in: &Id,
        value: CheckInValue,
        confidence: Option<Confidence>,
        note: Option<String>,
        reason: String,
        by: Option<String>,
        at: Option<Moment>,
    ) -> Result<Id, Error> {
        let (node, position) = self.find_check_in(check_in)?;
        let Some(Node::KeyResult(k)) = self.graph.node_weight(node) else {
            return Err(Error::UnknownCheckIn(check_in.clone()));
        };
        let key_result = k.id.clone();
        let Some(old) = k.check_ins().get(position).cloned() else {
            return Err(Error::UnknownCheckIn(check_in.clone()));
        };
        let mut corrected = old.clone();
        corrected.value = value;
        corrected.confidence = confidence;
        corrected.note = note;
        let corrected = tidy_check_in(corrected);
        self.refuse_if_closed(node)?;
        check_history(
            &key_result,
            k.metric.as_ref(),
            std::slice::from_ref(&corrected),
            &[],
        )?;
        self.check_confidences(&key_result, std::slice::from_ref(&corrected))?;
        let mut corrected = corrected;
        corrected.corrections.push(Correction {
            value: old.value,
            confidence: old.confidence,
            note: old.note,
            reason,
            by: non_empty(by),
            at,
        });
        if let Some(Node::KeyResult(k)) = self.graph.node_weight_mut(node) {
            if let Some(slot) = k.detail_mut().check_ins.as_mut_slice().get_mut(position) {
                *slot = corrected;
            }
        }
        self.refresh_leaves(vec![node]);
        Ok(key_result)
    }

    /// Deletes a check-in, keeping it with the reason among the key
    /// result's deleted check-ins. Returns its key result.
    pub(super) fn delete_check_in(
        &mut self,
        check_in: &Id,
        reason: String,
        by: Option<String>,
        at: Option<Moment>,
    ) -> Result<Id, Error> {
        let (node, position) = self.find_check_in(check_in)?;
        self.refuse_if_closed(node)?;
        let Some(Node::KeyResult(k)) = self.graph.node_weight_mut(node) else {
            return Err(Error::UnknownCheckIn(check_in.clone()));
        };
        let key_result = k.id.clone();
        let detail = k.detail_mut();
        if let Some(removed) = detail.check_ins.remove(position) {
            detail.deleted.push(DeletedCheckIn {
                check_in: removed,
                reason,
                by: non_empty(by),
                at,
            });
        }
        self.refresh_leaves(vec![node]);
        Ok(key_result)
    }

    /// Everything [`check_in`](Self::check_in) checks before it records.
    pub(super) fn validate_check_in(
        &self,
        key_result: &str,
        check_in: &CheckIn,
    ) -> Result<NodeIndex, Error> {
        let node = self.expect_kind(key_result, NodeKind::KeyResult)?;
        self.refuse_if_closed(node)?;
        let Some(Node::KeyResult(k)) = self.graph.node_weight(node) else {
            return Err(Error::UnknownNode(self.id_of(node)));
        };
        // The first check-in takes over from a metric's `current`: the
        // metric is checked, and kept, at its start.
        let metric = k.metric.as_ref().map(Metric::at_start);
        check_history(&k.id, metric.as_ref(), std::slice::from_ref(check_in), &[])?;
        self.check_dates(&k.id, k.objective, std::slice::from_ref(check_in), &[])?;
        self.check_confidences(&k.id, std::slice::from_ref(check_in))?;
        Ok(node)
    }

    /// Checks that check-ins lie within the period of the key result's
    /// objective (on their dates in the set's time zone), and phases too.
    /// O(check-ins + phases).
    pub(super) fn check_dates(
        &self,
        id: &Id,
        objective: NodeIndex,
        check_ins: &[CheckIn],
        phases: &[Phase],
    ) -> Result<(), Error> {
        let period = self.period_of(objective);
        if let Some(period) = period {
            for check_in in check_ins {
                let date = check_in.at.date_in(&self.zone);
                if date < period.start {
                    return Err(Error::CheckInBeforePeriod {
                        key_result: id.clone(),
                        at: check_in.at,
                        start: period.start,
                    });
                }
                if date > period.end {
                    return Err(Error::CheckInAfterPeriod {
                        key_result: id.clone(),
                        at: check_in.at,
                        end: period.end,
                    });
                }
            }
        }
        let outside = phases
            .iter()
            .find(|p| !period.is_some_and(|period| period.contains(p.at)));
        if let Some(phase) = outside {
            return Err(Error::PhaseOutsidePeriod {
                key_result: id.clone(),
                at: phase.at,
            });
        }
        Ok(())
    }

    /// Checks that every check-in's confidence lies on the set's confidence
    /// scale. O(check-ins).
    pub(super) fn check_confidences(&self, id: &Id, check_ins: &[CheckIn]) -> Result<(), Error> {
        for check_in in check_ins {
            let Some(confidence) = check_in.confidence else {
                continue;
            };
            if !self.confidence_scale.holds(confidence) {
                return Err(Error::ConfidenceOutOfScale {
                    key_result: id.clone(),
                    at: check_in.at,
                    confidence: confidence.value(),
                    scale: self.confidence_scale,
                });
            }
        }
        Ok(())
    }

    /// Closes a period: freezes the grade (progress and band as of the
    /// period's last day, so check-ins dated later do not count) of each of
    /// its objectives and their key results, and refuses from then on every
    /// edit inside it: check-ins, metrics, weights, key results, links from
    /// its objectives. Links to its objectives and carrying them forward
    /// stay allowed; the frozen grades never change. Periods nested within
    /// it are closed separately.
    ///
    /// # Errors
    /// [`Error::UnknownPeriod`], [`Error::AlreadyClosed`]. O(V + E) (one
    /// review).
    ///
    /// # Example
    /// ```
    /// use okrs::{CheckIn, CheckInValue, Document, KeyResult, Metric, Objective, OkrSet, Period};
    /// let mut set = OkrSet::from_document(Document::default()
    ///     .with_period(Period::year(2027)?)
    ///     .with_objective(Objective::new("o".parse()?, "O", "team").with_period("FY2027".parse()?)
    ///         .with_key_result(KeyResult::new("kr".parse()?, "KR")
    ///             .with_metric(Metric::numeric(0.into(), 4.into())))))?;
    /// set.check_in("kr", CheckIn::new("2027-06-01".parse()?, CheckInValue::Number(3.into())))?;
    /// set.close_period("FY2027")?;
    /// assert_eq!(set.frozen_grade("o").unwrap().progress.to_string(), "0.75");
    /// let before = set.clone();
    /// assert!(set.check_in("kr", CheckIn::new("2027-12-31".parse()?, CheckInValue::Number(4.into()))).is_err());
    /// assert_eq!(set, before);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn close_period(&mut self, period: &str) -> Result<(), Error> {
        self.apply(Edit::ClosePeriod {
            period: Id::unchecked(period),
        })
        .map(drop)
    }

    /// Carries out [`close_period`](Self::close_period) for [`apply`](Self::apply).
    pub(super) fn edit_close_period(&mut self, period: &str) -> Result<(), Error> {
        let index = self
            .periods
            .get_index_of(period)
            .ok_or_else(|| Error::UnknownPeriod {
                period: Id::unchecked(period),
                by: Id::unchecked(period),
            })?;
        if self.period_at(index).is_some_and(Period::is_closed) {
            return Err(Error::AlreadyClosed(Id::unchecked(period)));
        }
        // Grades are the roll-up as of the period's last day, banded as now.
        let Some(end) = self.period_at(index).map(|p| p.end) else {
            return Err(Error::UnknownPeriod {
                period: Id::unchecked(period),
                by: Id::unchecked(period),
            });
        };
        let progress = self.rolled_up_as_of(end);
        let member = |n: u32| crate::engine::value_at(&progress, NodeIndex::new(n as usize));
        let grades: Vec<Grade> = self
            .nodes()
            .filter(|node| self.period_index_of(node.index) == Some(index))
            .map(|node| {
                let node_progress = Self::progress_at(&progress, node.index);
                Grade::new(
                    node.id().clone(),
                    node_progress,
                    self.band_with(node.index, node_progress, node.commitment(), member),
                )
            })
            .collect();
        if let Some((_, p)) = self.periods.get_index_mut(index) {
            p.closed = Some(Closing { grades });
        }
        self.index_grades();
        Ok(())
    }

    /// Reopens a closed period: its objectives and key results take edits
    /// and check-ins again, and [`frozen_grade`](Self::frozen_grade) gives
    /// nothing until it closes again. The closing, grades and scores, moves
    /// to the period's history ([`Period::reopened`]).
    ///
    /// # Errors
    /// [`Error::UnknownPeriod`], [`Error::NotClosed`]; the set is then
    /// unchanged. O(periods).
    ///
    /// # Example
    /// ```
    /// let mut set = okrs::OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
    /// assert!(set.frozen_grade("referrals").is_some());
    /// set.reopen_period("2026-Q3")?;
    /// assert!(set.frozen_grade("referrals").is_none());
    /// assert_eq!(set.period("2026-Q3").unwrap().reopened.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reopen_period(&mut self, period: &str) -> Result<(), Error> {
        self.apply(Edit::ReopenPeriod {
            period: Id::unchecked(period),
        })
        .map(drop)
    }

    /// Sets the score of an objective or key result of a closed period,
    /// overriding its computed grade (which stays visible beside it, in
    /// [`Grade::progress`] and [`Grade::band`]), with the reason and who
    /// set it: what Viva Goals and Perdoo record at a period's close. The
    /// calibration checks read the final scores. To clear a score, apply
    /// [`Edit::SetScore`] with `score: None`.
    ///
    /// # Errors
    /// [`Error::UnknownNode`], [`Error::WrongKind`] for an initiative,
    /// [`Error::NoPeriod`], [`Error::NotGraded`] while its period is open,
    /// [`Error::InvalidScore`] above the progress cap,
    /// [`Error::ScoreWithoutReason`] for a blank reason. The set is
    /// unchanged on error. O(nodes in the period).
    ///
    /// # Example
    /// ```
    /// let mut set = okrs::OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
    /// set.set_score("referrals", "0.7".parse()?, "the programme launched late, on purpose", "cro")?;
    /// let grade = set.frozen_grade("referrals").unwrap();
    /// assert_eq!(grade.progress.to_string(), "0.55");
    /// assert_eq!(grade.final_score().to_string(), "0.7");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_score(
        &mut self,
        id: &str,
        score: Progress,
        reason: impl Into<String>,
        by: impl Into<String>,
    ) -> Result<(), Error> {
        let edit = Edit::SetScore {
            id: Id::unchecked(id),
            score: Some(score),
            reason: reason.into(),
        };
        self.apply(crate::Envelope::new(edit).by(by)).map(drop)
    }

    /// Carries out [`Edit::SetScore`] for [`apply`](Self::apply).
    pub(super) fn edit_set_score(
        &mut self,
        id: &Id,
        score: Option<Progress>,
        reason: String,
        by: Option<String>,
    ) -> Result<(), Error> {
        let node = self.measured_node(id.as_str())?;
        let index = self.period_index_of(node).ok_or_else(|| {
            let objective = match self.graph.node_weight(node) {
                Some(Node::KeyResult(k)) => k.objective,
                _ => node,
            };
            Error::NoPeriod(self.id_of(objective))
        })?;
        let cap = self.cap;
        let Some((period_id, period)) = self.periods.get_index_mut(index) else {
            return Err(Error::UnknownNode(id.clone()));
        };
        let not_graded = || Error::NotGraded {
            id: id.clone(),
            period: period_id.clone(),
        };
        let grade = period
            .closed
            .as_mut()
            .and_then(|c| c.grades.iter_mut().find(|g| g.id == *id))
            .ok_or_else(not_graded)?;
        match score {
            Some(score) => {
                check_score(id, score, Some(&reason), cap)?;
                grade.score = Some(score);
                grade.reason = Some(reason);
                grade.by = non_empty(by);
            }
            None => {
                grade.score = None;
                grade.reason = None;
                grade.by = None;
            }
        }
        Ok(())
    }

    /// Rebuilds the index of frozen grades. O(grades).
    pub(super) fn index_grades(&mut self) {
        self.grades.clear();
        for (period, p) in self.periods.values().enumerate() {
            let Some(closing) = &p.closed else {
                continue;
            };
            for (at, grade) in closing.grades.iter().enumerate() {
                // The first grade of an id counts, as a search would find.
                self.grades.entry((period, grade.id.clone())).or_insert(at);
            }
        }
    }

    /// The grade an objective or key result was frozen at when its period
    /// closed, with its score if one was set. O(1).
    #[must_use]
    pub fn frozen_grade(&self, id: &str) -> Option<&Grade> {
        let node = self.lookup(id)?;
        let period = self.period_index_of(node)?;
        let at = self.grades.get(&(period, Id::unchecked(id)))?;
        self.period_at(period)?.closed.as_ref()?.grades.get(*at)
    }

    /// Carries an unfinished objective forward into a later period: adds a
    /// copy (id `<id>@<period>`, key results and open initiatives likewise)
    /// that records where it came from, and marks the original carried.
    /// The copy takes over the original's contribution: it gets the links,
    /// and the original keeps them (and its frozen grade and provenance)
    /// but no longer contributes along them, so that no parent counts both.
    /// The copy's key results have no phases and start
    /// afresh, unless `options` keeps their values: then a key result with
    /// check-ins gets one check-in on the new period's first day at its
    /// latest value, and one without keeps its metric's current value.
    /// Returns the copy's id.
    ///
    /// # Errors
    /// [`Error::NoPeriod`], [`Error::UnknownPeriod`],
    /// [`Error::NotALaterPeriod`], [`Error::PeriodClosed`] for a closed
    /// target, [`Error::AlreadyDone`], [`Error::AlreadyCarried`],
    /// [`Error::DuplicateId`] when a copy's id is taken. The set is
    /// unchanged on error. O(V + E).
    ///
    /// # Example
    /// ```
    /// use okrs::{CarryForward, Document, KeyResult, Metric, Objective, OkrSet, Period};
    /// let [q1, q2, ..] = Period::quarters(2027)?;
    /// let mut set = OkrSet::from_document(Document::default()
    ///     .with_period(Period::year(2027)?).with_period(q1).with_period(q2)
    ///     .with_objective(Objective::new("o".parse()?, "O", "team").with_period("2027-Q1".parse()?)
    ///         .with_key_result(KeyResult::new("kr".parse()?, "KR")
    ///             .with_metric(Metric::numeric(0.into(), 4.into()).with_current(1.into())))))?;
    /// let copy = set.carry_forward("o", "2027-Q2", CarryForward::default().keep_values(true))?;
    /// assert_eq!(copy.as_str(), "o@2027-Q2");
    /// assert_eq!(set.objective("o@2027-Q2").unwrap().carried_from.unwrap().as_str(), "o");
    /// assert_eq!(set.objective("o").unwrap().carried_to, Some(copy));
    /// assert_eq!(set.progress("kr@2027-Q2").unwrap().to_string(), "0.25");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn carry_forward(
        &mut self,
        objective: &str,
        to: &str,
        options: CarryForward,
    ) -> Result<Id, Error> {
        let changes = self.apply(Edit::CarryForward {
            objective: Id::unchecked(objective),
            to: Id::unchecked(to),
            keep_values: options.keep_values,
        })?;
        let copy = changes.edits.into_iter().find_map(|change| match change {
            Change::Added {
                id,
                kind: NodeKind::Objective,
            } => Some(id),
            _ => None,
        });
        copy.ok_or_else(|| Error::UnknownNode(Id::unchecked(objective)))
    }

    /// Carries out [`carry_forward`](Self::carry_forward) for [`apply`](Self::apply).
    pub(super) fn edit_carry_forward(
        &mut self,
        objective: &str,
        to: &str,
        options: CarryForward,
    ) -> Result<Id, Error> {
        let node = self.expect_kind(objective, NodeKind::Objective)?;
        let Some(Node::Objective(o)) = self.graph.node_weight(node) else {
            return Err(Error::UnknownNode(self.id_of(node)));
        };
        if let Some(to) = o.carried_to() {
            return Err(Error::AlreadyCarried {
                id: o.id.clone(),
                to: to.clone(),
            });
        }
        let from = o
            .period
            .and_then(|p| self.period_at(p))
            .ok_or_else(|| Error::NoPeriod(o.id.clone()))?;
        let target = self.periods.get(to).ok_or_else(|| Error::UnknownPeriod {
            period: Id::unchecked(to),
            by: o.id.clone(),
        })?;
        if target.start <= from.end {
            return Err(Error::NotALaterPeriod {
                objective: o.id.clone(),
                period: target.id.clone(),
            });
        }
        if target.is_closed() {
            return Err(Error::PeriodClosed {
                period: target.id.clone(),
                id: o.id.clone(),
            });
        }
        if self.progress(objective).is_some_and(|p| p >= Progress::ONE) {
            return Err(Error::AlreadyDone(o.id.clone()));
        }
        let mut copy = self
            .objective_value(node)
            .ok_or_else(|| Error::UnknownNode(self.id_of(node)))?;
        let suffix = format!("@{}", target.id);
        let renamed = |id: &Id| Id::unchecked(&format!("{id}{suffix}"));
        copy.carried_from = Some(copy.id.clone());
        copy.id = renamed(&copy.id);
        copy.period = Some(target.id.clone());
        copy.carried_to = None;
        let start = target.start;
        copy.key_results = copy
            .key_results
            .into_iter()
            .map(|kr| carried_key_result(kr, &renamed, options, start))
            .collect();
        let id = copy.id.clone();
        self.edit_add_objective(copy)?;
        if let Some(Node::Objective(o)) = self.graph.node_weight_mut(node) {
            o.detail_mut().carried_to = Some(id.clone());
        }
        // The original stops contributing: the copy's links count instead.
        self.recount_links(node)?;
        Ok(id)
    }

    /// Resolves again whether each link of an objective contributes (after
    /// its `carried_to` changed) and brings the roll-up up to date. A link
    /// that begins to contribute is checked as a new one would be.
    pub(super) fn recount_links(&mut self, objective: NodeIndex) -> Result<(), Error> {
        let links: Vec<petgraph::stable_graph::EdgeIndex> = match self.graph.node_weight(objective)
        {
            Some(Node::Objective(o)) => o.links.clone(),
            _ => return Ok(()),
        };
        let mut flips = Vec::new();
        for edge in links {
            let (Some(data), Some((_, target))) = (
                self.graph.edge_weight(edge),
                self.graph.edge_endpoints(edge),
            ) else {
                continue;
            };
            let EdgeKind::Link {
                stated,
                contributes,
            } = data.kind
            else {
                continue;
            };
            let now = self.contributes(objective, stated);
            if now == contributes {
                continue;
            }
            if now && self.measured_on_its_own(target) {
                return Err(Error::ContributesToMeasuredKeyResult {
                    from: self.id_of(objective),
                    target: self.id_of(target),
                });
            }
            flips.push((edge, target, stated, now));
        }
        if flips.is_empty() {
            return Ok(());
        }
        let mut delta = Delta::default();
        let set_kind = |set: &mut Self, edge, stated, contributes| {
            if let Some(e) = set.graph.edge_weight_mut(edge) {
                e.kind = EdgeKind::Link {
                    stated,
                    contributes,
                };
            }
        };
        for &(edge, _, stated, now) in &flips {
            // Unlinked while it still counts, linked once it does.
            if !now {
                delta.unlinked.extend(self.counting_edge(edge));
            }
            set_kind(self, edge, stated, now);
            if now {
                delta.linked.extend(self.counting_edge(edge));
            }
        }
        let checked = flips
            .iter()
            .filter(|f| f.3)
            .try_for_each(|&(_, target, _, _)| self.check_weights(target, None));
        if let Err(error) = checked {
            for &(edge, _, stated, now) in &flips {
                set_kind(self, edge, stated, !now);
            }
            return Err(error);
        }
        self.restructure(delta)
    }
}

pub(super) fn carried_key_result(
    mut kr: KeyResult,
    renamed: &impl Fn(&Id) -> Id,
    options: CarryForward,
    start: Date,
) -> KeyResult {
    let latest = kr.check_ins.pop();
    kr.check_ins.clear();
    if !options.keep_values {
        kr.metric = kr.metric.map(|m| m.at_start());
    } else if let Some(latest) = latest {
        let mut kept = CheckIn::new(start.into(), latest.value)
            .with_note(format!("carried forward from {}", kr.id));
        kept.confidence = latest.confidence;
        kept.by = latest.by;
        kr.check_ins.push(kept);
    }
    kr.id = renamed(&kr.id);
    // The copy starts a history of its own (the kept value is a new
    // check-in, given a new id), with nothing deleted.
    kr.deleted_check_ins.clear();
    kr.phases.clear();
    kr.initiatives
        .retain(|i| i.status != InitiativeStatus::Done);
    for initiative in &mut kr.initiatives {
        initiative.id = renamed(&initiative.id);
    }
    kr.key_results = kr
        .key_results
        .into_iter()
        .map(|sub| carried_key_result(sub, renamed, options, start))
        .collect();
    kr
}

#[cfg(test)]
mod tests {
    use super::check_in_id;
    use crate::Id;

    #[test]
    fn check_in_ids_are_the_key_result_hash_and_the_number() {
        let kr: Id = "kr".parse().unwrap();
        for n in [0, 1, 9, 10, 99, 100, 12_345, 1_000_000_000, u32::MAX] {
            assert_eq!(check_in_id(&kr, n).as_str(), format!("kr#{n}"));
        }
    }
}
