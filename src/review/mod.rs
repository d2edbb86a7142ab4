//! Reviews: a set rolled up as of a date, with each node's expected
//! progress, status (under a pluggable [`StatusPolicy`]), confidence and
//! forecast. Built by [`OkrSet::review`](crate::OkrSet::review).

use std::collections::HashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::time::days_between;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::NodeIndexable;

use crate::engine::graph::{KeyResultNode, Node};
use crate::engine::rollup::Raws;
use crate::engine::{set_at, value_at};
use crate::number::serde_decimal;
use crate::set::{Numbers, almost_one};
use crate::{
    Band, CheckInValue, Confidence, ConfidenceLevel, Date, Error, Id, Metric, NodeKind, NodeRef,
    OkrSet, Period, Progress, Status, StatusInput, Zone,
};

/// One node as of a review date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NodeReview {
    /// The node.
    pub id: Id,
    /// Objective or key result.
    pub kind: NodeKind,
    /// Progress as of the date.
    pub progress: Progress,
    /// The band that progress grades to.
    pub band: Band,
    /// The progress expected by the date; `None` without a period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Progress>,
    /// The status; `None` without a period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The latest confidence stated (for an objective, the weighted mean
    /// of its key results'); `None` when nobody stated one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// The progress at the period's end if the check-ins' trend goes on;
    /// `None` without a period, before it starts, or (for a key result) with
    /// no check-in yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast: Option<Progress>,
    /// The band the forecast grades to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast_band: Option<Band>,
    /// A numeric key result's value as of the date; for a `sum-of-values`
    /// key result, the sum of its counted sub-key results' values.
    #[serde(
        default,
        with = "serde_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<rust_decimal::Decimal>,
    /// Its target (for `sum-of-values`, the sum of the targets).
    #[serde(
        default,
        with = "serde_decimal::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub target: Option<rust_decimal::Decimal>,
    /// Whether the value lies on the wrong side of its start (moving away
    /// from the target): progress 0 and status `off-track`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub regressed: bool,
    /// Where a numeric key result with commit or stretch values stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<Zone>,
}

impl NodeReview {
    /// The confidence's band. O(1).
    #[must_use]
    pub fn confidence_level(&self) -> Option<ConfidenceLevel> {
        self.confidence.map(Confidence::level)
    }
}

/// A whole set rolled up as of a date: every objective and key result
/// (initiatives aside), in the set's node order. Made by
/// [`OkrSet::review`](crate::OkrSet::review).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub(crate) as_of: Date,
    pub(crate) nodes: Vec<NodeReview>,
    pub(crate) index: HashMap<Id, usize>,
}

impl Review {
    /// The review's date. O(1).
    #[must_use]
    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// One node's review, by id (`&str`, `&Id`, `String`, …). O(1) average.
    #[must_use]
    pub fn get(&self, id: impl AsRef<str>) -> Option<&NodeReview> {
        self.nodes.get(*self.index.get(id.as_ref())?)
    }

    /// Every node's review, objectives each followed by their key results.
    pub fn iter(&self) -> std::slice::Iter<'_, NodeReview> {
        self.nodes.iter()
    }

    /// How many nodes are reviewed. O(1).
    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the review covers no node. O(1).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

impl<'a> IntoIterator for &'a Review {
    type Item = &'a NodeReview;
    type IntoIter = std::slice::Iter<'a, NodeReview>;
    fn into_iter(self) -> Self::IntoIter {
        self.nodes.iter()
    }
}

/// Expected progress on `date` through `(date, progress)` points, sorted by
/// date: 0 at `start`, 1 at `end`, linear between neighbouring points.
/// O(points).
pub(crate) fn piecewise_expected(
    start: Date,
    end: Date,
    phases: &[(Date, Decimal)],
    date: Date,
) -> Decimal {
    if date < start {
        return Decimal::ZERO;
    }
    let mut previous = (start, Decimal::ZERO);
    let last = if phases.last().is_some_and(|&(at, _)| at >= end) {
        None
    } else {
        Some((end, Decimal::ONE))
    };
    for &(at, value) in phases.iter().chain(last.iter()) {
        if date <= at {
            let span = Decimal::from(days_between(previous.0, at));
            if span.is_zero() {
                return value;
            }
            let done = Decimal::from(days_between(previous.0, date));
            let rise = value - previous.1;
            return rise
                .checked_mul(done)
                .and_then(|r| r.checked_div(span))
                .and_then(|r| r.checked_add(previous.1))
                .unwrap_or(value);
        }
        previous = (at, value);
    }
    previous.1
}

/// The least-squares line through `(day, progress)` points, evaluated at
/// day `x_end`. With every point on the same day, the mean. `None` on no
/// points or an overflow. O(points).
pub(crate) fn least_squares_at(points: &[(i64, Decimal)], x_end: i64) -> Option<Decimal> {
    let n = Decimal::from(points.len());
    if points.is_empty() {
        return None;
    }
    // Centre x on the first point to keep the sums small.
    let x0 = points.first()?.0;
    let (mut sx, mut sy, mut sxx, mut sxy) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for &(x, y) in points {
        let x = Decimal::from(x - x0);
        sx = sx.checked_add(x)?;
        sy = sy.checked_add(y)?;
        sxx = sxx.checked_add(x.checked_mul(x)?)?;
        sxy = sxy.checked_add(x.checked_mul(y)?)?;
    }
    let denominator = n.checked_mul(sxx)?.checked_sub(sx.checked_mul(sx)?)?;
    if denominator.is_zero() {
        return sy.checked_div(n);
    }
    let slope = n
        .checked_mul(sxy)?
        .checked_sub(sx.checked_mul(sy)?)?
        .checked_div(denominator)?;
    let intercept = sy.checked_sub(slope.checked_mul(sx)?)?.checked_div(n)?;
    intercept.checked_add(slope.checked_mul(Decimal::from(x_end - x0))?)
}

impl OkrSet {
    /// Rolls the whole set up as of a date ("time travel"): each key result
    /// at its latest check-in dated on or before `as_of` in the set's time
    /// zone (else its start), and with it every node's expected progress,
    /// status, confidence and forecast. Nodes whose objective has no period
    /// get progress and band only.
    ///
    /// - **Expected** progress follows the plan: for a key result, the
    ///   elapsed fraction of its period (0 on its first day, 1 on its last),
    ///   or piecewise linear through its phased targets; a key result with
    ///   sub-key results and an objective roll their counted members'
    ///   expected progress up exactly like progress (same strategy and
    ///   weights), and take the elapsed fraction of their own period only
    ///   when a counted member has no period.
    /// - **Status** comes from the set's [`StatusPolicy`](crate::StatusPolicy):
    ///   by default [`GapPolicy`](crate::GapPolicy), which compares
    ///   progress with expected progress times the node's aim (1 for
    ///   committed, the scale's green threshold for aspirational nodes);
    ///   controls (`at-least`, `at-most`, `range`) are on track while they
    ///   hold; from the day after the period's last day a node is
    ///   `achieved` (green) or `missed`.
    /// - **Confidence** is the latest stated on a key result, read on the
    ///   set's [`ConfidenceScale`](crate::ConfidenceScale); a key result
    ///   with sub-key results, or an objective, takes the weighted mean of
    ///   its own key results'.
    /// - **Forecast** needs evidence: none until a key result has check-ins
    ///   on two different dates. The least-squares line through its
    ///   check-ins (one per date, no invented start) extends its gap to the
    ///   plan (progress − expected) to the period's end: the forecast is
    ///   the plan's end plus that gap, clamped, so a key result on its plan
    ///   forecasts 1. A control extends its value instead: 1 if it would
    ///   still hold at the end, 0 if not. Objectives roll their counted
    ///   members' forecasts up like progress; a member without a forecast
    ///   leaves the objective without one.
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
    /// // 60 of 89 days in, an aspirational key result aims at 0.7 × 60/89.
    /// assert_eq!(kr.status, Some(Status::AtRisk));
    /// assert_eq!(kr.confidence.unwrap().to_string(), "0.5");
    /// assert!(kr.forecast.is_some()); // check-ins on two dates
    /// // As of January 31st, only the first check-in counts, and one date
    /// // is no trend: no forecast.
    /// let january = set.review(Date::new(2027, 1, 31)?);
    /// assert_eq!(january.get("kr").unwrap().progress.to_string(), "0.1111111111111111111111111111");
    /// assert_eq!(january.get("kr").unwrap().forecast, None);
    /// assert_eq!(january.get("o").unwrap().forecast, None);
    /// // After the period, a node is achieved or missed.
    /// let april = set.review(Date::new(2027, 4, 1)?);
    /// assert_eq!(april.get("o").unwrap().status, Some(Status::Missed));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn review(&self, as_of: Date) -> Review {
        let graph = self.graph();
        let plan = self.state().plan();
        let bound = graph.node_bound();
        let progress = self.rolled_up_as_of(as_of);
        let member = |n: u32| value_at(&progress, NodeIndex::new(n as usize));
        let day = self.as_of(as_of);
        let scale = self.confidence_scale();

        // Each measured node's own plan, forecast, numbers and confidence.
        let mut expected = vec![Decimal::ZERO; bound];
        let mut planned = vec![false; bound];
        let mut forecast = vec![Decimal::ZERO; bound];
        let mut forecast_known = vec![false; bound];
        let mut controls = vec![false; bound];
        let mut numbers: Vec<Option<Numbers>> = vec![None; bound];
        let mut own_confidence: Vec<Option<Confidence>> = vec![None; bound];
        for n in graph.node_indices() {
            let (period, k) = match graph.node_weight(n) {
                Some(Node::Objective(_)) => (self.period_of(n), None),
                Some(Node::KeyResult(k)) => (self.period_of(n), Some(k)),
                _ => continue,
            };
            let plan_points = k.map(|k| self.phase_points(k)).unwrap_or_default();
            if let Some(period) = period {
                set_at(
                    &mut expected,
                    n,
                    piecewise_expected(period.start, period.end, &plan_points, as_of),
                );
                set_at(&mut planned, n, true);
            }
            let Some(k) = k else {
                continue;
            };
            set_at(&mut numbers, n, self.numbers_as_of(n, Some(as_of)));
            let Some(metric) = &k.metric else {
                continue;
            };
            set_at(&mut controls, n, metric.is_control());
            let stated = k
                .check_ins()
                .iter()
                .rev()
                .filter(|c| day.counts(&c.at))
                .find_map(|c| c.confidence);
            set_at(&mut own_confidence, n, stated.and_then(|c| scale.read(c)));
            let own =
                period.and_then(|p| self.key_result_forecast(k, metric, p, &plan_points, as_of));
            if let Some(f) = own {
                set_at(&mut forecast, n, f);
                set_at(&mut forecast_known, n, true);
            }
        }
        // Plans and forecasts roll up like progress; sub-key results of a
        // `sum-of-values` key result add their values.
        let mut expected_raw = Raws::new();
        let mut forecast_raw = Raws::new();
        for &node in self.state().raws().keys() {
            let n = NodeIndex::new(node as usize);
            let Some(at) = numbers.get(n.index()).copied().flatten() else {
                continue;
            };
            let distance = at.target - at.start;
            if let Some(done) = value_at(&expected, n).checked_mul(distance) {
                expected_raw.insert(node, (done, distance));
            }
            if let Some(done) = value_at(&forecast, n).checked_mul(distance) {
                forecast_raw.insert(node, (done, distance));
            }
        }
        let expected =
            plan.evaluate_present(&expected, &expected_raw, self.strategies(), &mut planned);
        let forecast = plan.evaluate_present(
            &forecast,
            &forecast_raw,
            self.strategies(),
            &mut forecast_known,
        );
        let mut counts_controls = controls.clone();
        plan.mark_counting(&mut counts_controls);

        // Statuses in the plan's order: members before what counts them.
        let mut status: Vec<Option<Status>> = vec![None; bound];
        let mut members: Vec<Status> = Vec::new();
        for &n in plan.order().iter() {
            let Some(period) = self.period_of(n) else {
                continue;
            };
            let Some(node) = NodeRef::new(self, n) else {
                continue;
            };
            let commitment = node.commitment();
            let node_progress = Self::progress_at(&progress, n);
            let band = self.band_with(n, node_progress, commitment, member);
            // A committed node whose inputs are not all done is not done.
            let node_progress = if self.short_of_done(n, node_progress, commitment, member) {
                almost_one()
            } else {
                node_progress
            };
            let node_expected = Progress::clamped(value_at(&expected, n), Decimal::ONE);
            let control = controls.get(n.index()) == Some(&true);
            let input = StatusInput::new(
                as_of,
                period.start,
                period.end,
                node_progress,
                node_expected,
            )
            .with_commitment(commitment, self.scale().aim(commitment))
            .with_band(band)
            .with_controls(
                control,
                !control && counts_controls.get(n.index()) == Some(&true),
            );
            let regressed = numbers
                .get(n.index())
                .copied()
                .flatten()
                .is_some_and(|at| at.regressed());
            let during = as_of >= period.start && as_of <= period.end;
            let node_status = if regressed && during {
                Status::OffTrack
            } else if node.kind() == NodeKind::Objective {
                members.clear();
                members.extend(
                    plan.counted_members(n)
                        .filter_map(|m| status.get(m as usize).copied().flatten()),
                );
                self.status_policy().objective_status(&input, &members)
            } else {
                self.status_policy().status(&input)
            };
            set_at(&mut status, n, Some(node_status));
        }

        let order: Vec<NodeRef<'_>> = self.nodes().collect();
        // Confidence: children come after their parent in `order`; walk it
        // backwards so that key results are read before what they roll into.
        let mut confidence = own_confidence;
        for node in order.iter().rev() {
            let n = node.index;
            let own = match graph.node_weight(n) {
                Some(Node::KeyResult(k)) if k.metric.is_some() => continue,
                _ => self.mean_confidence(n, &confidence),
            };
            set_at(&mut confidence, n, own);
        }

        let forecast_member = |m: u32| value_at(&forecast, NodeIndex::new(m as usize));
        let mut nodes = Vec::with_capacity(order.len());
        let mut index = HashMap::with_capacity(order.len());
        for node in &order {
            let n = node.index;
            let node_forecast = (forecast_known.get(n.index()) == Some(&true))
                .then(|| Progress::new(value_at(&forecast, n)).ok())
                .flatten();
            let node_progress = Self::progress_at(&progress, n);
            let commitment = node.commitment();
            let at = numbers.get(n.index()).copied().flatten();
            let zone = match graph.node_weight(n) {
                Some(Node::KeyResult(k)) => k
                    .metric
                    .as_ref()
                    .and_then(|m| m.zone_at(k.value_as_of(Some(day)))),
                _ => None,
            };
            let node_expected = (planned.get(n.index()) == Some(&true))
                .then(|| Progress::clamped(value_at(&expected, n), Decimal::ONE));
            index.insert(node.id().clone(), nodes.len());
            nodes.push(NodeReview {
                id: node.id().clone(),
                kind: node.kind(),
                progress: node_progress,
                band: self.band_with(n, node_progress, commitment, member),
                expected: node_expected,
                status: status.get(n.index()).copied().flatten(),
                confidence: confidence.get(n.index()).copied().flatten(),
                forecast: node_forecast,
                forecast_band: node_forecast
                    .map(|f| self.band_with(n, f, commitment, forecast_member)),
                value: at.map(|at| at.value),
                target: at.map(|at| at.target),
                regressed: at.is_some_and(|at| at.regressed()),
                zone,
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
            out.push((date, Self::progress_at(&progress, node)));
        }
        Ok(out)
    }

    /// A key result's phased targets as `(date, progress)` points, in date
    /// order; empty for other nodes and metrics that take no number.
    /// O(phases).
    fn phase_points(&self, k: &KeyResultNode) -> Vec<(Date, Decimal)> {
        let (Some(metric), Some(detail)) = (&k.metric, &k.detail) else {
            return Vec::new();
        };
        detail
            .phases
            .iter()
            .map(|p| {
                let value = CheckInValue::Number(p.target);
                (p.at, metric.progress_at(Some(&value), Decimal::ONE).value())
            })
            .collect()
    }

    /// Where a key result's check-ins up to `as_of` point at its period's
    /// end: `None` without check-ins on two different dates. One point per
    /// date (the check-in that counts that day). A control's value is
    /// extrapolated and read against its bounds (1 or 0); any other key
    /// result's gap to its plan is, and added to the plan's end, clamped.
    /// O(C × phases).
    fn key_result_forecast(
        &self,
        k: &KeyResultNode,
        metric: &Metric,
        period: &Period,
        phases: &[(Date, Decimal)],
        as_of: Date,
    ) -> Option<Decimal> {
        if as_of < period.start {
            return None;
        }
        let zone = self.time_zone();
        let cap = match metric {
            Metric::Numeric { .. } => self.progress_cap(),
            _ => Decimal::ONE,
        };
        let control = metric.is_control();
        // The check-in that counts on each date: the last of that date.
        let mut points: Vec<(i64, Decimal)> = Vec::new();
        let mut last: Option<Date> = None;
        for c in k.check_ins() {
            let date = c.at.date_in(zone);
            if date > as_of || date > period.end {
                break;
            }
            let x = days_between(period.start, date);
            let y = if control {
                match &c.value {
                    CheckInValue::Number(n) => *n,
                    _ => continue,
                }
            } else {
                let progress = metric.progress_at(Some(&c.value), cap).value();
                progress - piecewise_expected(period.start, period.end, phases, date)
            };
            if last == Some(date) {
                points.pop();
            }
            points.push((x, y));
            last = Some(date);
        }
        if points.len() < 2 {
            return None;
        }
        let x_end = days_between(period.start, period.end);
        let line = least_squares_at(&points, x_end)?;
        if control {
            let held = metric.progress_at(Some(&CheckInValue::Number(line)), Decimal::ONE);
            return Some(held.value());
        }
        let planned = piecewise_expected(period.start, period.end, phases, period.end);
        let forecast = planned.checked_add(line)?;
        Some(forecast.max(Decimal::ZERO).min(cap))
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
                .and_then(|(e, _)| self.graph().edge_weight(e))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: i8, d: i8) -> Date {
        Date::new(2027, m, d).unwrap()
    }

    #[test]
    fn least_squares_fits_a_known_line() {
        // y = 0.01 x exactly: the forecast at day 89 is 0.89.
        let points = [
            (0, Decimal::ZERO),
            (10, Decimal::new(1, 1)),
            (20, Decimal::new(2, 1)),
        ];
        assert_eq!(least_squares_at(&points, 89), Some(Decimal::new(89, 2)));
        // y = 0, 0.2, 0.1: slope 0.005, intercept 0.05.
        let noisy = [
            (0, Decimal::ZERO),
            (10, Decimal::new(2, 1)),
            (20, Decimal::new(1, 1)),
        ];
        assert_eq!(least_squares_at(&noisy, 30), Some(Decimal::new(2, 1)));
        assert_eq!(
            least_squares_at(&[(5, Decimal::ONE)], 9),
            Some(Decimal::ONE)
        );
        assert_eq!(least_squares_at(&[], 9), None);
    }

    #[test]
    fn piecewise_expected_runs_through_phases() {
        let (start, end) = (day(1, 1), day(3, 31));
        let phases = [(day(1, 31), Decimal::new(5, 1))];
        assert_eq!(
            piecewise_expected(start, end, &phases, start),
            Decimal::ZERO
        );
        assert_eq!(
            piecewise_expected(start, end, &phases, day(1, 16)),
            Decimal::new(25, 2)
        );
        assert_eq!(
            piecewise_expected(start, end, &phases, day(1, 31)),
            Decimal::new(5, 1)
        );
        assert_eq!(piecewise_expected(start, end, &phases, end), Decimal::ONE);
        assert_eq!(
            piecewise_expected(start, end, &phases, day(4, 5)),
            Decimal::ONE
        );
        // A last phase on the end date replaces the final 1.
        let short = [(end, Decimal::new(8, 1))];
        assert_eq!(
            piecewise_expected(start, end, &short, end),
            Decimal::new(8, 1)
        );
        // A phase on the first day counts on that day.
        let first = [(start, Decimal::new(1, 1))];
        assert_eq!(
            piecewise_expected(start, end, &first, start),
            Decimal::new(1, 1)
        );
    }
}
