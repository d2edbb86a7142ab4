//! The time side of an [`OkrSet`]: validating periods and check-in
//! histories, checking in, reviewing as of a date, closing periods and
//! carrying unfinished objectives forward.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::NodeIndexable;
use rust_decimal::Decimal;

use super::{NodeKind, NodeRef, OkrSet};
use crate::graph::{KeyResultNode, Node};
use crate::review::{least_squares_at, piecewise_expected};
use crate::time::days_between;
use crate::{
    CheckIn, CheckInValue, Closure, Confidence, Date, Error, Grade, Id, InitiativeStatus,
    KeyResult, Metric, NodeReview, Period, Phase, Progress, Review, Status, StatusInput,
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

/// A check-in with empty texts taken as absent.
pub(super) fn tidy_check_in(mut check_in: CheckIn) -> CheckIn {
    check_in.note = super::non_empty(check_in.note.take());
    check_in.by = super::non_empty(check_in.by.take());
    check_in
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
        // A chain longer than the number of periods must loop.
        let mut steps = 0;
        let mut cursor = Some(within);
        while let Some(id) = cursor {
            if id == &period.id || steps > map.len() {
                return Err(Error::PeriodCycle(period.id.clone()));
            }
            steps += 1;
            cursor = map.get(id).and_then(|p| p.within.as_ref());
        }
    }
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
    if !check_ins.is_empty() && !metric.is_at_start() {
        return Err(Error::CurrentAndCheckIns(id.clone()));
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
    // ----- periods -----------------------------------------------------

    /// The periods, in document order. O(1) to create.
    pub fn periods(&self) -> impl ExactSizeIterator<Item = &Period> {
        self.periods.values()
    }

    /// A period by id. O(1) average.
    #[must_use]
    pub fn period(&self, id: &str) -> Option<&Period> {
        self.periods.get(id)
    }

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
            for (target, _, _) in objective.aligned_to() {
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

    // ----- check-ins ---------------------------------------------------

    /// Records a check-in on a key result and rolls it up incrementally.
    /// The history stays sorted by moment; a check-in at the same moment as
    /// an earlier one goes after it.
    ///
    /// # Errors
    /// [`Error::UnknownNode`], [`Error::WrongKind`], [`Error::NoMetric`],
    /// [`Error::CurrentAndCheckIns`] when the metric carries its own
    /// current value, [`Error::CheckInValue`] for a value that does not fit
    /// the metric, [`Error::CheckInBeforePeriod`], [`Error::PeriodClosed`].
    /// The set is unchanged on error.
    ///
    /// Complexity: O(C) to insert among C check-ins (O(1) when appended in
    /// order) plus O(A log A) for the A nodes it rolls into.
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
        let check_in = tidy_check_in(check_in);
        let node = self.validate_check_in(key_result, &check_in)?;
        self.record_check_in(node, check_in);
        self.refresh_leaves(vec![node]);
        Ok(())
    }

    /// Records many check-ins at once, all or nothing, and rolls them up in
    /// one incremental pass: each node they reach is recomputed once, however
    /// many of its key results changed.
    ///
    /// # Errors
    /// The first error [`check_in`](Self::check_in) would raise for any of
    /// them; then none is recorded and the set is unchanged.
    ///
    /// Complexity: O(B log C) to validate and insert B check-ins among C
    /// (appending in order is O(1) each), plus O(A log A) for the A distinct
    /// nodes they roll into.
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
        let mut accepted: Vec<(NodeIndex, CheckIn)> = Vec::new();
        for (key_result, check_in) in check_ins {
            let check_in = tidy_check_in(check_in);
            let node = self.validate_check_in(key_result.as_ref(), &check_in)?;
            accepted.push((node, check_in));
        }
        let mut changed: Vec<NodeIndex> = Vec::with_capacity(accepted.len());
        for (node, check_in) in accepted {
            self.record_check_in(node, check_in);
            changed.push(node);
        }
        self.refresh_leaves(changed);
        Ok(())
    }

    /// Inserts a validated check-in into its key result's history, after
    /// any at the same moment.
    fn record_check_in(&mut self, node: NodeIndex, check_in: CheckIn) {
        if let Some(Node::KeyResult(k)) = self.graph.node_weight_mut(node) {
            let check_ins = &mut k.detail_mut().check_ins;
            let at = check_ins.partition_point(|c| c.at <= check_in.at);
            check_ins.insert(at, check_in);
        }
    }

    /// Everything [`check_in`](Self::check_in) checks before it records.
    fn validate_check_in(&self, key_result: &str, check_in: &CheckIn) -> Result<NodeIndex, Error> {
        let node = self.expect_kind(key_result, NodeKind::KeyResult)?;
        self.refuse_if_closed(node)?;
        let Some(Node::KeyResult(k)) = self.graph.node_weight(node) else {
            return Err(Error::UnknownNode(self.id_of(node)));
        };
        if k.check_ins().is_empty() {
            let metric = k
                .metric
                .as_ref()
                .ok_or_else(|| Error::NoMetric(k.id.clone()))?;
            if !metric.is_at_start() {
                return Err(Error::CurrentAndCheckIns(k.id.clone()));
            }
        }
        check_history(
            &k.id,
            k.metric.as_ref(),
            std::slice::from_ref(check_in),
            &[],
        )?;
        self.check_dates(&k.id, k.objective, std::slice::from_ref(check_in), &[])?;
        Ok(node)
    }

    /// Checks that check-ins do not predate, and phases lie within, the
    /// period of the key result's objective. O(check-ins + phases).
    pub(super) fn check_dates(
        &self,
        id: &Id,
        objective: NodeIndex,
        check_ins: &[CheckIn],
        phases: &[Phase],
    ) -> Result<(), Error> {
        let period = self.period_of(objective);
        if let Some(period) = period {
            if let Some(early) = check_ins.iter().find(|c| c.at.date() < period.start) {
                return Err(Error::CheckInBeforePeriod {
                    key_result: id.clone(),
                    at: early.at,
                    start: period.start,
                });
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

    // ----- closing and carrying forward --------------------------------

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
        let end = self.period_at(index).map(|p| p.end);
        let review = end.map(|end| self.review(end));
        let grades: Vec<Grade> = self
            .nodes()
            .into_iter()
            .filter(|node| self.period_index_of(node.index) == Some(index))
            .filter_map(|node| {
                let reviewed = review.as_ref()?.get(node.id().as_str())?;
                Some(Grade {
                    id: node.id().clone(),
                    progress: reviewed.progress,
                    band: reviewed.band,
                })
            })
            .collect();
        if let Some((_, p)) = self.periods.get_index_mut(index) {
            p.closed = Some(Closure { grades });
        }
        Ok(())
    }

    /// The grade an objective or key result was frozen at when its period
    /// closed. O(nodes in the period).
    #[must_use]
    pub fn frozen_grade(&self, id: &str) -> Option<&Grade> {
        let node = self.lookup(id)?;
        let period = self.period_of(node)?;
        period
            .closed
            .as_ref()?
            .grades
            .iter()
            .find(|g| g.id.as_str() == id)
    }

    /// Carries an unfinished objective forward into a later period: adds a
    /// copy (id `<id>@<period>`, key results and open initiatives likewise)
    /// that records where it came from, and marks the original carried.
    /// The copy keeps the links; its key results have no phases and start
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
        self.add_objective(copy)?;
        if let Some(Node::Objective(o)) = self.graph.node_weight_mut(node) {
            o.detail_mut().carried_to = Some(id.clone());
        }
        Ok(id)
    }

    // ----- reviews -----------------------------------------------------

    /// Rolls the whole set up as of a date ("time travel"): each key result
    /// at its latest check-in on or before `as_of` (else its start), and
    /// with it every node's expected progress, status, confidence and
    /// forecast. Nodes whose objective has no period get progress and band
    /// only.
    ///
    /// - **Expected** progress is the elapsed fraction of the period (0 on
    ///   its first day, 1 on its last), or for a key result with phased
    ///   targets, piecewise linear through them.
    /// - **Status** comes from the set's [`StatusPolicy`](crate::StatusPolicy).
    /// - **Confidence** is the latest stated on a key result; a key result
    ///   with sub-key results, or an objective, takes the weighted mean of
    ///   its own key results'.
    /// - **Forecast** is the least-squares line through the period's start
    ///   (at the metric's start) and the check-ins so far, read at the
    ///   period's end and clamped; objectives roll their key results'
    ///   forecasts up, counting key results without check-ins at their
    ///   current progress.
    ///
    /// Complexity: O(V + E + K log C) for K key results of up to C
    /// check-ins, plus O(C) per key result for its forecast.
    ///
    /// # Example
    /// ```
    /// use okrs::{Date, OkrSet, Status};
    /// let set = OkrSet::from_json(r#"{
    ///   "format": "okrs/1",
    ///   "periods": [{ "id": "Q1", "start": "2027-01-01", "end": "2027-03-31" }],
    ///   "objectives": [{ "id": "o", "title": "Grow", "level": "team", "period": "Q1",
    ///     "key_results": [{ "id": "kr", "title": "Reach 90 customers",
    ///       "metric": { "kind": "numeric", "start": "0", "target": "90" },
    ///       "check_ins": [ { "at": "2027-01-31", "value": "10", "confidence": "0.5" },
    ///                      { "at": "2027-03-02", "value": "20" } ] }] }] }"#)?;
    /// let review = set.review(Date::new(2027, 3, 2)?);
    /// let kr = review.get("kr").unwrap();
    /// assert_eq!(kr.progress.to_string(), "0.2222222222222222222222222222");
    /// assert_eq!(kr.status, Some(Status::OffTrack));
    /// assert_eq!(kr.confidence.unwrap().to_string(), "0.5");
    /// // As of January 31st, only the first check-in counts.
    /// assert_eq!(set.review(Date::new(2027, 1, 31)?).get("kr").unwrap().progress.to_string(),
    ///            "0.1111111111111111111111111111");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn review(&self, as_of: Date) -> Review {
        let cap = self.cap;
        let bound = self.graph.node_bound();
        let progress = self.rolled_up_as_of(as_of);
        let mut forecast_leaf = vec![Decimal::ZERO; bound];
        let mut own_forecast: Vec<Option<Decimal>> = vec![None; bound];
        for n in self.graph.node_indices() {
            if let Some(Node::KeyResult(k)) = self.graph.node_weight(n) {
                let forecast = self.key_result_forecast(k, as_of);
                // A measured key result has no inputs: its rolled-up
                // progress is its own.
                set_at(
                    &mut forecast_leaf,
                    n,
                    forecast.unwrap_or_else(|| value_at(&progress, n)),
                );
                if let Some(slot) = own_forecast.get_mut(n.index()) {
                    *slot = forecast;
                }
            }
        }
        let forecast = self
            .state
            .plan()
            .evaluate_all(&forecast_leaf, &self.strategies, cap);

        let order = self.nodes();
        let mut confidence: Vec<Option<Confidence>> = vec![None; bound];
        let mut status: Vec<Option<Status>> = vec![None; bound];
        let mut expected: Vec<Option<Progress>> = vec![None; bound];
        // Children come after their parent in `order`: walk it backwards so
        // that key results are reviewed before what they roll into.
        for node in order.iter().rev() {
            let n = node.index;
            let own_confidence = match self.graph.node_weight(n) {
                Some(Node::KeyResult(k)) if k.metric.is_some() => k
                    .check_ins()
                    .iter()
                    .rev()
                    .filter(|c| c.at.date() <= as_of)
                    .find_map(|c| c.confidence),
                _ => self.mean_confidence(n, &confidence),
            };
            set_at(&mut confidence, n, own_confidence);
            let Some(period) = self.period_of(n) else {
                continue;
            };
            let node_expected = self.expected(n, period, as_of);
            set_at(&mut expected, n, Some(node_expected));
            let input = StatusInput::new(
                as_of,
                period.start,
                period.end,
                Progress::new(value_at(&progress, n)).unwrap_or(Progress::ZERO),
                node_expected,
            );
            let node_status = if node.kind() == NodeKind::Objective {
                let children: Vec<Status> = self
                    .children(n)
                    .iter()
                    .filter_map(|c| status.get(c.index()).copied().flatten())
                    .collect();
                self.status_policy.objective_status(&input, &children)
            } else {
                self.status_policy.status(&input)
            };
            set_at(&mut status, n, Some(node_status));
        }

        let mut nodes = Vec::with_capacity(order.len());
        let mut index = HashMap::with_capacity(order.len());
        for node in &order {
            let n = node.index;
            let period = self.period_of(n);
            let started = period.is_some_and(|p| as_of >= p.start);
            let node_forecast = match self.graph.node_weight(n) {
                Some(Node::KeyResult(k)) if k.metric.is_some() => {
                    own_forecast.get(n.index()).copied().flatten()
                }
                _ if started => Some(value_at(&forecast, n)),
                _ => None,
            }
            .and_then(|f| Progress::new(f).ok());
            let node_progress = Progress::new(value_at(&progress, n)).unwrap_or(Progress::ZERO);
            let commitment = node.commitment();
            index.insert(node.id().clone(), nodes.len());
            nodes.push(NodeReview {
                id: node.id().clone(),
                kind: node.kind(),
                progress: node_progress,
                band: self.scale.band(node_progress, commitment),
                expected: expected.get(n.index()).copied().flatten(),
                status: status.get(n.index()).copied().flatten(),
                confidence: confidence.get(n.index()).copied().flatten(),
                forecast: node_forecast,
                forecast_band: node_forecast.map(|f| self.scale.band(f, commitment)),
            });
        }
        Review {
            as_of,
            nodes,
            index,
        }
    }

    /// A node's progress on each of `dates` (time travel, one roll-up per
    /// date), for charts. Pair it with [`Period::every`].
    ///
    /// # Errors
    /// [`Error::UnknownNode`], [`Error::WrongKind`] for initiatives.
    ///
    /// Complexity: O(D × (V + E + K log C)) for D dates.
    ///
    /// # Example
    /// ```
    /// use okrs::{CheckIn, CheckInValue, Date, Document, KeyResult, Metric, Objective, OkrSet};
    /// let mut set = OkrSet::from_document(Document::default().with_objective(
    ///     Objective::new("o".parse()?, "O", "team").with_key_result(
    ///         KeyResult::new("kr".parse()?, "KR").with_metric(Metric::numeric(0.into(), 4.into())))))?;
    /// set.check_in("kr", CheckIn::new("2027-01-10".parse()?, CheckInValue::Number(1.into())))?;
    /// set.check_in("kr", CheckIn::new("2027-01-20".parse()?, CheckInValue::Number(2.into())))?;
    /// let dates = [Date::new(2027, 1, 1)?, Date::new(2027, 1, 15)?, Date::new(2027, 1, 31)?];
    /// let points: Vec<String> = set.series("o", &dates)?.iter().map(|(_, p)| p.to_string()).collect();
    /// assert_eq!(points, ["0", "0.25", "0.5"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn series(&self, id: &str, dates: &[Date]) -> Result<Vec<(Date, Progress)>, Error> {
        let node = self.measured_node(id)?;
        let mut out = Vec::with_capacity(dates.len());
        for &date in dates {
            let progress = self.rolled_up_as_of(date);
            out.push((
                date,
                Progress::new(value_at(&progress, node)).unwrap_or(Progress::ZERO),
            ));
        }
        Ok(out)
    }

    // ----- internals ---------------------------------------------------

    /// Every node's progress with each key result at its latest check-in
    /// on or before `date`, by node index. O(V + E + K log C).
    fn rolled_up_as_of(&self, date: Date) -> Vec<Decimal> {
        let mut leaf = vec![Decimal::ZERO; self.graph.node_bound()];
        for n in self.graph.node_indices() {
            if let Some(Node::KeyResult(k)) = self.graph.node_weight(n) {
                set_at(&mut leaf, n, k.progress_as_of(Some(date), self.cap));
            }
        }
        self.state
            .plan()
            .evaluate_all(&leaf, &self.strategies, self.cap)
    }

    /// The period of a node's objective.
    fn period_of(&self, node: NodeIndex) -> Option<&Period> {
        self.period_at(self.period_index_of(node)?)
    }

    pub(super) fn period_at(&self, index: usize) -> Option<&Period> {
        self.periods.get_index(index).map(|(_, p)| p)
    }

    /// The period of a node's objective, as an index into `periods`.
    pub(super) fn period_index_of(&self, node: NodeIndex) -> Option<usize> {
        let objective = match self.graph.node_weight(node)? {
            Node::KeyResult(k) => k.objective,
            Node::Objective(_) => node,
            Node::Initiative(_) => {
                self.parent_edge(node)
                    .and_then(|(_, kr)| match self.graph.node_weight(kr) {
                        Some(Node::KeyResult(k)) => Some(k.objective),
                        _ => None,
                    })?
            }
        };
        match self.graph.node_weight(objective)? {
            Node::Objective(o) => o.period,
            _ => None,
        }
    }

    /// Refuses an edit of a node whose period is closed. O(periods).
    pub(super) fn refuse_if_closed(&self, node: NodeIndex) -> Result<(), Error> {
        // Spares a check-in the read of its objective while nothing is closed.
        if !self.periods.values().any(Period::is_closed) {
            return Ok(());
        }
        let Some(period) = self.period_of(node) else {
            return Ok(());
        };
        if period.is_closed() {
            return Err(Error::PeriodClosed {
                period: period.id.clone(),
                id: self.id_of(node),
            });
        }
        Ok(())
    }

    /// Checks that each closed period's grades name its own nodes. O(V).
    pub(super) fn check_closures(&self) -> Result<(), Error> {
        for (index, period) in self.periods.values().enumerate() {
            let Some(closure) = &period.closed else {
                continue;
            };
            let mut seen = HashSet::new();
            for grade in &closure.grades {
                let belongs = self.lookup(grade.id.as_str()).is_some_and(|n| {
                    self.period_index_of(n) == Some(index)
                        && !matches!(self.graph.node_weight(n), Some(Node::Initiative(_)))
                });
                if !belongs || !seen.insert(&grade.id) {
                    return Err(Error::GradeOfUnknownNode {
                        period: period.id.clone(),
                        id: grade.id.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    fn expected(&self, node: NodeIndex, period: &Period, as_of: Date) -> Progress {
        let value = match self.graph.node_weight(node) {
            Some(Node::KeyResult(KeyResultNode {
                metric: Some(metric),
                detail: Some(detail),
                ..
            })) if !detail.phases.is_empty() => {
                let points: Vec<(Date, Decimal)> = detail
                    .phases
                    .iter()
                    .map(|p| {
                        let value = CheckInValue::Number(p.target);
                        (p.at, metric.progress_at(Some(&value), Decimal::ONE).value())
                    })
                    .collect();
                piecewise_expected(period.start, period.end, &points, as_of)
            }
            _ => period.elapsed(as_of),
        };
        Progress::clamped(value, Decimal::ONE)
    }

    /// The trend of a key result's check-ins up to `as_of`, read at its
    /// period's end. O(C).
    fn key_result_forecast(&self, k: &KeyResultNode, as_of: Date) -> Option<Decimal> {
        let metric = k.metric.as_ref()?;
        let period = self.period_of(k.objective)?;
        if as_of < period.start {
            return None;
        }
        let cap = match metric {
            Metric::Numeric { .. } => self.cap,
            _ => Decimal::ONE,
        };
        let mut points = vec![(0, metric.progress(cap).value())];
        points.extend(
            k.check_ins()
                .iter()
                .take_while(|c| c.at.date() <= as_of)
                .map(|c| {
                    (
                        days_between(period.start, c.at.date()),
                        metric.progress_at(Some(&c.value), cap).value(),
                    )
                }),
        );
        if points.len() < 2 {
            return None;
        }
        let line = least_squares_at(&points, days_between(period.start, period.end))?;
        Some(line.max(Decimal::ZERO).min(cap))
    }

    /// The weighted mean of the confidences of a node's own key results
    /// that have one. O(children).
    fn mean_confidence(
        &self,
        node: NodeIndex,
        confidence: &[Option<Confidence>],
    ) -> Option<Confidence> {
        let mut total = Decimal::ZERO;
        let mut weighted = Decimal::ZERO;
        let mut count = 0usize;
        let mut plain = Decimal::ZERO;
        for &child in self.children(node) {
            let Some(c) = confidence.get(child.index()).copied().flatten() else {
                continue;
            };
            let weight = self
                .parent_edge(child)
                .and_then(|(e, _)| self.graph.edge_weight(e))
                .map_or(Decimal::ONE, |e| e.weight.value());
            total = total.checked_add(weight)?;
            weighted = weighted.checked_add(weight.checked_mul(c.value())?)?;
            plain = plain.checked_add(c.value())?;
            count += 1;
        }
        if count == 0 {
            return None;
        }
        let mean = if total.is_zero() {
            plain.checked_div(Decimal::from(count))?
        } else {
            weighted.checked_div(total)?
        };
        Some(Confidence::clamped(mean))
    }
}

fn carried_key_result(
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

fn set_at<T>(values: &mut [T], node: NodeIndex, value: T) {
    if let Some(slot) = values.get_mut(node.index()) {
        *slot = value;
    }
}

fn value_at(values: &[Decimal], node: NodeIndex) -> Decimal {
    values.get(node.index()).copied().unwrap_or_default()
}

impl<'a> NodeRef<'a> {
    /// The period of the node's objective. O(1).
    #[must_use]
    pub fn period(&self) -> Option<&'a Period> {
        self.set.period_of(self.index)
    }

    /// The objective a node belongs to (itself for an objective; an
    /// initiative's key result's objective). O(1).
    #[must_use]
    pub fn objective(&self) -> NodeRef<'a> {
        let set = self.set;
        let index = match set.graph.node_weight(self.index) {
            Some(Node::KeyResult(k)) => k.objective,
            Some(Node::Initiative(_)) => match self.parent().and_then(|p| p.data()) {
                Some(Node::KeyResult(k)) => k.objective,
                _ => self.index,
            },
            _ => self.index,
        };
        NodeRef { set, index }
    }

    /// A key result's check-ins, oldest first. O(1).
    #[must_use]
    pub fn check_ins(&self) -> &'a [CheckIn] {
        match self.data() {
            Some(Node::KeyResult(k)) => k.check_ins(),
            _ => &[],
        }
    }

    /// A key result's phased targets, by date. O(1).
    #[must_use]
    pub fn phases(&self) -> &'a [Phase] {
        match self.data() {
            Some(Node::KeyResult(k)) => k.phases(),
            _ => &[],
        }
    }

    /// Where an objective was carried forward from and to. O(1).
    #[must_use]
    pub fn carried(&self) -> (Option<&'a Id>, Option<&'a Id>) {
        match self.data() {
            Some(Node::Objective(o)) => (o.carried_from(), o.carried_to()),
            _ => (None, None),
        }
    }

    /// The grade frozen when the node's period closed. O(nodes in the
    /// period).
    #[must_use]
    pub fn frozen_grade(&self) -> Option<&'a Grade> {
        self.set.frozen_grade(self.id().as_str())
    }
}
