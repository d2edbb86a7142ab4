//! Reviews: a set rolled up as of a date, with each node's expected
//! progress, status (under a pluggable [`StatusPolicy`]), confidence and
//! forecast. Built by [`OkrSet::review`](crate::OkrSet::review).

mod json;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::time::days_between;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::NodeIndexable;

use crate::engine::graph::{KeyResultNode, Node};
use crate::engine::rollup::Raws;
use crate::engine::{set_at, value_at};
use crate::invariant::to_u32;
use crate::number::serde_decimal;
use crate::set::{Numbers, almost_one, beside, beside_if};
use crate::{
    Band, CheckInValue, Commitment, Confidence, ConfidenceLevel, Date, Error, Id, Metric, NodeKind,
    NodeRef, OkrSet, Period, Progress, Status, StatusInput, Zone,
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
    /// The progress expected by the date (the plan: for a key result its
    /// period's elapsed fraction or its phases; for an objective, rolled
    /// up from its counted members' plans); `None` without a period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Progress>,
    /// The status (`achieved` or `missed` once the period has ended);
    /// `None` without a period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// The latest confidence stated, read on the set's confidence scale
    /// onto 0 to 1 (for an objective, the weighted mean of its key
    /// results'); `None` when nobody stated one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// The progress at the period's end if the check-ins' trend (their gap
    /// to the plan) goes on, rounded to 12 places; `None` without a period,
    /// for a key result without check-ins on two different dates, and for
    /// a node some counted member of which has none.
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
#[derive(Debug, Clone)]
pub struct Review {
    pub(crate) as_of: Date,
    pub(crate) nodes: Vec<NodeReview>,
    /// Each node's place in `nodes` by id, made on the first
    /// [`get`](Self::get): the reports find nodes by slot (`at`) and most
    /// reviews are never searched by id.
    index: OnceLock<HashMap<Id, usize>>,
    /// Each node's place in `nodes` by its index in the set's graph
    /// (`u32::MAX`: none), so that the reports, which walk the set, find
    /// a node's review without hashing its id.
    at: Vec<u32>,
}

/// Equal when the dates and the nodes' reviews are: `index` and `at`
/// follow from the nodes and the set's graph.
impl PartialEq for Review {
    fn eq(&self, other: &Self) -> bool {
        self.as_of == other.as_of && self.nodes == other.nodes
    }
}

impl Eq for Review {}

impl Review {
    /// The review's date. O(1).
    #[must_use]
    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// One node's review, by id (`&str`, `&Id`, `String`, …). O(1) average;
    /// the first call on a review indexes its nodes, O(n).
    #[must_use]
    pub fn get(&self, id: impl AsRef<str>) -> Option<&NodeReview> {
        let index = self.index.get_or_init(|| {
            let mut index = HashMap::with_capacity(self.nodes.len());
            for (at, node) in self.nodes.iter().enumerate() {
                index.insert(node.id.clone(), at);
            }
            index
        });
        self.nodes.get(*index.get(id.as_ref())?)
    }

    /// A node's review, found by its index in the set (O(1), no hashing)
    /// when the review is of that set, else by its id: a caller may pass
    /// a review made before an edit, or of another set.
    pub(crate) fn of(&self, node: &NodeRef<'_>) -> Option<&NodeReview> {
        let placed = self
            .at
            .get(node.index.index())
            .and_then(|&at| self.nodes.get(usize::try_from(at).ok()?))
            .filter(|reviewed| reviewed.id == *node.id());
        placed.or_else(|| self.get(node.id()))
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
            let span = days_between(previous.0, at);
            let done = days_between(previous.0, date);
            // On either end of the segment, its own value: no division.
            if span == 0 || done == span {
                return value;
            }
            if done == 0 {
                return previous.1;
            }
            let (span, done) = (Decimal::from(span), Decimal::from(done));
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

/// The decimal places a key result's forecast is rounded to: an
/// extrapolation has no more worth showing, and rounding there lets a key
/// result exactly on its plan forecast exactly 1 (not 0.99…, which a
/// committed key result would band yellow).
pub(crate) const FORECAST_PLACES: u32 = 12;

/// The plans of a review: expected progress by period, piecewise linear
/// through a key result's phases or, without phases, the elapsed fraction
/// of the period, which is worked out once per period and date.
struct Plans<'a> {
    periods: Vec<&'a Period>,
    as_of: Date,
    /// The linear plan of each period as of the review date.
    now: Vec<Option<Decimal>>,
    /// The linear plan of each period on each of its days, filled as
    /// check-ins ask for them.
    linear: Vec<Vec<Option<Decimal>>>,
}

impl<'a> Plans<'a> {
    fn new(periods: Vec<&'a Period>, as_of: Date) -> Self {
        let now = vec![None; periods.len()];
        let linear = vec![Vec::new(); periods.len()];
        Self {
            periods,
            as_of,
            now,
            linear,
        }
    }

    fn period(&self, index: usize) -> Option<&'a Period> {
        self.periods.get(index).copied()
    }

    /// The plan of period `index` with these phases, as of the review date.
    fn now(&mut self, index: usize, phases: &[(Date, Decimal)]) -> Option<Decimal> {
        let period = self.period(index)?;
        if !phases.is_empty() {
            return Some(piecewise_expected(
                period.start,
                period.end,
                phases,
                self.as_of,
            ));
        }
        let slot = self.now.get_mut(index)?;
        Some(
            *slot.get_or_insert_with(|| {
                piecewise_expected(period.start, period.end, &[], self.as_of)
            }),
        )
    }

    /// The plan of period `index` with these phases on `date`, a day of
    /// the period.
    fn at(&mut self, index: usize, phases: &[(Date, Decimal)], date: Date) -> Option<Decimal> {
        let period = self.period(index)?;
        let day = usize::try_from(days_between(period.start, date)).ok();
        let days = usize::try_from(period.days()).ok();
        let cached = match (day, days) {
            (Some(day), Some(days)) if phases.is_empty() && day < days => self
                .linear
                .get_mut(index)
                .map(|days_of| (days_of, day, days)),
            _ => None,
        };
        let Some((days_of, day, days)) = cached else {
            return Some(piecewise_expected(period.start, period.end, phases, date));
        };
        if days_of.is_empty() {
            days_of.resize(days, None);
        }
        let slot = days_of.get_mut(day)?;
        Some(*slot.get_or_insert_with(|| piecewise_expected(period.start, period.end, &[], date)))
    }
}

/// What a review reads of one measured node before the roll-up (see
/// [`OkrSet::read_nodes`]).
#[derive(Debug, Clone, Copy, Default)]
struct Fact {
    /// A key result's own progress as of the date.
    leaf: Decimal,
    /// The node's own plan as of the date; `None` without a period.
    expected: Option<Decimal>,
    /// A key result's own forecast; `None` without evidence.
    forecast: Option<Decimal>,
    /// Its objective's period, by index in the set's periods.
    period: Option<u32>,
    /// Its objective's commitment.
    commitment: Commitment,
    /// Whether the node is an objective (else a key result).
    objective: bool,
    /// Whether it is a key result measured by a control.
    control: bool,
    /// Where a numeric key result with commit or stretch values stands.
    zone: Option<Zone>,
    /// A numeric or `sum-of-values` key result's numbers as of the date.
    numbers: Option<Numbers>,
    /// The confidence last stated on a measured key result.
    confidence: Option<Confidence>,
}

/// What a review reads of the nodes of one range of node indices.
#[derive(Debug)]
struct Part {
    /// Each node's facts, in index order (nodes not measured: defaults).
    facts: Vec<Fact>,
    /// The raw values of the key results that have them.
    raw: Raws,
    /// Whether every key result's latest check-in counts by the date.
    every_one_counts: bool,
}

/// Every node's facts, by node index, read in two parts (on two threads,
/// each part faults its own memory in); the second part may be empty.
#[derive(Debug)]
struct Facts {
    first: Vec<Fact>,
    second: Vec<Fact>,
}

impl Facts {
    /// Node `n`'s facts, a node not measured (or not in the set) taking
    /// the defaults. O(1).
    fn of(&self, n: NodeIndex) -> Fact {
        let i = n.index();
        let fact = match i.checked_sub(self.first.len()) {
            None => self.first.get(i),
            Some(j) => self.second.get(j),
        };
        fact.copied().unwrap_or_default()
    }

    /// Every node's facts, in index order. O(1).
    fn iter(&self) -> impl Iterator<Item = &Fact> {
        self.first.iter().chain(&self.second)
    }
}

/// A review worked out, by node index, up to what each node's review is
/// made of: [`OkrSet::review`] gathers the nodes' reviews,
/// [`OkrSet::review_json`] writes them one by one.
struct Worked<'s> {
    set: &'s OkrSet,
    /// The reviewed nodes, in the set's node order.
    order: Vec<NodeIndex>,
    facts: Facts,
    progress: Vec<Decimal>,
    expected: Vec<Decimal>,
    planned: Vec<bool>,
    forecast: Vec<Decimal>,
    forecast_known: Vec<bool>,
    band: Vec<Option<Band>>,
    status: Vec<Option<Status>>,
    confidence: Vec<Option<Confidence>>,
}

impl Worked<'_> {
    /// The reviews of `part`'s nodes, in its order. O(1), then O(1) per
    /// node as [`node`](Self::node).
    fn nodes<'w>(&'w self, part: &'w [NodeIndex]) -> impl Iterator<Item = NodeReview> + 'w {
        part.iter().filter_map(|&n| self.node(n))
    }

    /// Node `n`'s review; `None` only for an index not in the set. O(1),
    /// or O(inputs) for a committed node at 1.
    fn node(&self, n: NodeIndex) -> Option<NodeReview> {
        let set = self.set;
        let node = NodeRef::new(set, n)?;
        let at = n.index();
        let fact = self.facts.of(n);
        let member = |m: u32| value_at(&self.progress, NodeIndex::new(m as usize));
        let forecast_member = |m: u32| value_at(&self.forecast, NodeIndex::new(m as usize));
        let progress = OkrSet::progress_at(&self.progress, n);
        let commits = fact.commitment;
        let forecast = (self.forecast_known.get(at) == Some(&true))
            .then(|| Progress::new(value_at(&self.forecast, n)).ok())
            .flatten();
        let expected = (self.planned.get(at) == Some(&true))
            .then(|| Progress::clamped(value_at(&self.expected, n), Decimal::ONE));
        Some(NodeReview {
            id: node.id().clone(),
            kind: node.kind(),
            progress,
            band: self
                .band
                .get(at)
                .copied()
                .flatten()
                .unwrap_or_else(|| set.band_with(n, progress, commits, member)),
            expected,
            status: self.status.get(at).copied().flatten(),
            confidence: self.confidence.get(at).copied().flatten(),
            forecast,
            forecast_band: forecast.map(|f| set.band_with(n, f, commits, forecast_member)),
            value: fact.numbers.map(|at| at.value),
            target: fact.numbers.map(|at| at.target),
            regressed: fact.numbers.is_some_and(|at| at.regressed()),
            zone: fact.zone,
        })
    }
}

/// The fewest nodes per thread for which a review goes to a second
/// thread. A review does some 400 ns of work per node, against tens of
/// microseconds to start a thread: at 10k nodes, two threads took it from
/// 3.8 to 2.6 ms here, where a lint, which does less per node, went from
/// 2.7 to 3.4 ms (see [`THREAD_NODES`](crate::set::THREAD_NODES)).
const REVIEW_THREAD_NODES: usize = 4 * 1024;

/// The least-squares line through `(day, value)` points, evaluated at
/// day `x_end`. With every point on the same day, the mean. `None` on no
/// points or an overflow. O(points).
pub(crate) fn least_squares_at(points: &[(i64, Decimal)], x_end: i64) -> Option<Decimal> {
    whole_least_squares_at(points, x_end).or_else(|| decimal_least_squares_at(points, x_end))
}

/// [`least_squares_at`] in whole numbers, for values of few decimal places
/// (what check-ins state). `None` when a product would not fit, or for
/// values of more than 18 places. O(points).
fn whole_least_squares_at(points: &[(i64, Decimal)], x_end: i64) -> Option<Decimal> {
    whole_least_squares(points, x_end)?.to_decimal()
}

/// A fraction of whole numbers, `num / den` with `den > 0`: exact
/// arithmetic that rounds once, at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ratio {
    num: i128,
    den: i128,
}

impl Ratio {
    /// `self − d`, exactly, if it fits.
    fn minus(self, d: Decimal) -> Option<Self> {
        let unit = 10i128.checked_pow(d.scale())?;
        Some(Self {
            num: self
                .num
                .checked_mul(unit)?
                .checked_sub(d.mantissa().checked_mul(self.den)?)?,
            den: self.den.checked_mul(unit)?,
        })
    }

    /// `self / d`, exactly, if it fits and `d` is not 0.
    fn over(self, d: Decimal) -> Option<Self> {
        let unit = 10i128.checked_pow(d.scale())?;
        let m = d.mantissa();
        if m == 0 {
            return None;
        }
        let (num, den) = (
            self.num.checked_mul(unit)?,
            self.den.checked_mul(m.checked_abs()?)?,
        );
        Some(Self {
            num: if m < 0 { num.checked_neg()? } else { num },
            den,
        })
    }

    /// The value rounded to `places` decimal places (half to even), if it
    /// fits a decimal.
    fn round(self, places: u32) -> Option<Decimal> {
        let scaled = self.num.checked_mul(10i128.checked_pow(places)?)?;
        let (quotient, remainder) = (scaled / self.den, scaled % self.den);
        let twice = remainder.checked_abs()?.checked_mul(2)?;
        let away = twice > self.den || (twice == self.den && quotient % 2 != 0);
        let rounded = match (away, scaled < 0) {
            (false, _) => quotient,
            (true, false) => quotient.checked_add(1)?,
            (true, true) => quotient.checked_sub(1)?,
        };
        Decimal::try_from_i128_with_scale(rounded, places).ok()
    }

    /// The value as a decimal (one decimal division), if it fits.
    fn to_decimal(self) -> Option<Decimal> {
        decimal(self.num)?.checked_div(decimal(self.den)?)
    }
}

/// The least-squares line through `(day, value)` points at `x_end`, as an
/// exact fraction: every value as a whole number at the largest scale
/// among them, then [`whole_line`]. `None` when a product would not fit,
/// or for values of more than 18 places. O(points).
fn whole_least_squares(points: &[(i64, Decimal)], x_end: i64) -> Option<Ratio> {
    let scale = points.iter().map(|(_, y)| y.scale()).max()?;
    if scale > 18 {
        return None;
    }
    let whole = points.iter().map(|&(x, y)| {
        Some((
            x,
            y.mantissa()
                .checked_mul(10i128.checked_pow(scale - y.scale())?)?,
        ))
    });
    let (num, den) = whole_line(whole, x_end)?;
    Some(Ratio {
        num,
        den: den.checked_mul(10i128.checked_pow(scale)?)?,
    })
}

/// A numeric key result's plan in its own numbers: `(day, value)` knots
/// from its start on the first day (where the plan starts from) through its
/// phased targets (each held between start and target, as its progress is
/// clamped to [0, 1]) to its target on the last day, unless a phase falls
/// on that day. The knots of [`piecewise_expected`], in the metric's
/// numbers. O(phases).
fn raw_knots(
    phases: &[crate::Phase],
    start: Date,
    end: Date,
    from: Decimal,
    target: Decimal,
) -> Vec<(i64, Decimal)> {
    let (low, high) = if from <= target {
        (from, target)
    } else {
        (target, from)
    };
    let mut knots = Vec::with_capacity(phases.len() + 2);
    knots.push((0, from));
    knots.extend(
        phases
            .iter()
            .map(|p| (days_between(start, p.at), p.target.max(low).min(high))),
    );
    if phases.last().is_none_or(|p| p.at < end) {
        knots.push((days_between(start, end), target));
    }
    knots
}

/// Where check-ins on a phased plan point at its end, exactly, in the
/// metric's numbers: the plan at the end plus the least-squares line
/// through the gaps between each value and the plan that day (the plan
/// interpolated between its knots, as [`piecewise_expected`] does), all in
/// whole numbers over a common denominator. `None` when a number would
/// not fit. O(points × knots).
fn whole_phased_forecast(
    points: &[(i64, Decimal)],
    knots: &[(i64, Decimal)],
    x_end: i64,
) -> Option<Ratio> {
    // The plan's segment for a day: (the knot before, the knot on or after).
    let segment = |x: i64| -> Option<((i64, Decimal), (i64, Decimal))> {
        // The first knot is where the plan starts from; a phase on the
        // first day counts that day.
        let (origin, rest) = knots.split_first()?;
        let mut previous = *origin;
        for &knot in rest {
            if x <= knot.0 {
                return Some((previous, knot));
            }
            previous = knot;
        }
        Some((previous, previous))
    };
    let scale = points.iter().chain(knots).map(|(_, v)| v.scale()).max()?;
    if scale > 18 {
        return None;
    }
    let whole = |v: Decimal| -> Option<i128> {
        v.mantissa()
            .checked_mul(10i128.checked_pow(scale - v.scale())?)
    };
    // Every gap over the least common multiple of the spans it needs.
    let mut common = 1i128;
    for &(x, _) in points {
        let (a, b) = segment(x)?;
        let span = i128::from(b.0 - a.0);
        if span > 0 && x != a.0 && x != b.0 {
            common = lcm(common, span)?;
        }
    }
    let mut gaps: Vec<(i64, i128)> = Vec::with_capacity(points.len());
    for &(x, v) in points {
        let (a, b) = segment(x)?;
        let v = whole(v)?;
        // gap = v − a − (b − a)·done/span, times the common denominator.
        let gap = if x == b.0 || a.0 == b.0 {
            v.checked_sub(whole(b.1)?)?.checked_mul(common)?
        } else if x == a.0 {
            v.checked_sub(whole(a.1)?)?.checked_mul(common)?
        } else {
            let span = i128::from(b.0 - a.0);
            let done = i128::from(x - a.0);
            let rise = whole(b.1)?.checked_sub(whole(a.1)?)?;
            v.checked_sub(whole(a.1)?)?
                .checked_mul(common)?
                .checked_sub(rise.checked_mul(done)?.checked_mul(common / span)?)?
        };
        gaps.push((x, gap));
    }
    let (num, den) = whole_line(gaps.into_iter().map(Some), x_end)?;
    let gap = Ratio {
        num,
        den: den
            .checked_mul(common)?
            .checked_mul(10i128.checked_pow(scale)?)?,
    };
    // The plan at the end is the last knot.
    let planned_end = knots.last()?.1;
    gap.minus(-planned_end)
}

/// The least common multiple of two positive whole numbers, if it fits.
fn lcm(a: i128, b: i128) -> Option<i128> {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    a.checked_div(x)?.checked_mul(b)
}

/// The least-squares line through whole `(day, value)` points at `x_end`,
/// as a fraction `(num, den)` with `den > 0`:
/// `(Σy · den + num · (n · dx − Σx)) / (n · den)` with
/// `den = n · Σx² − (Σx)²` and `num = n · Σxy − Σx · Σy` (x centred on the
/// first point; with every point on one day, the mean). `None` when a
/// product would not fit, there are no points, or a point is `None`
/// (one that could not be made whole). O(points).
fn whole_line(
    points: impl IntoIterator<Item = Option<(i64, i128)>>,
    x_end: i64,
) -> Option<(i128, i128)> {
    let mut first = None;
    let mut count = 0i128;
    let (mut sx, mut sxx, mut sy, mut sxy) = (0i128, 0i128, 0i128, 0i128);
    for point in points {
        let (x, y) = point?;
        let x0 = *first.get_or_insert(x);
        count = count.checked_add(1)?;
        let x = i128::from(x) - i128::from(x0);
        sx = sx.checked_add(x)?;
        sxx = sxx.checked_add(x.checked_mul(x)?)?;
        sy = sy.checked_add(y)?;
        sxy = sxy.checked_add(x.checked_mul(y)?)?;
    }
    let x0 = first?;
    let den = count.checked_mul(sxx)?.checked_sub(sx.checked_mul(sx)?)?;
    if den == 0 {
        return Some((sy, count));
    }
    let slope = count.checked_mul(sxy)?.checked_sub(sx.checked_mul(sy)?)?;
    let dx = i128::from(x_end) - i128::from(x0);
    let lever = count.checked_mul(dx)?.checked_sub(sx)?;
    Some((
        sy.checked_mul(den)?
            .checked_add(slope.checked_mul(lever)?)?,
        count.checked_mul(den)?,
    ))
}

/// [`least_squares_at`] in decimals. O(points).
fn decimal_least_squares_at(points: &[(i64, Decimal)], x_end: i64) -> Option<Decimal> {
    if points.is_empty() {
        return None;
    }
    // Centre x on the first point to keep the sums small; days sum in
    // integers, only the products with y are decimal.
    let x0 = points.first()?.0;
    let count = i128::try_from(points.len()).ok()?;
    let (mut sx, mut sxx) = (0i128, 0i128);
    let (mut sy, mut sxy) = (Decimal::ZERO, Decimal::ZERO);
    for &(x, y) in points {
        let x = i128::from(x) - i128::from(x0);
        sx = sx.checked_add(x)?;
        sxx = sxx.checked_add(x.checked_mul(x)?)?;
        sy = sy.checked_add(y)?;
        if x != 0 {
            sxy = sxy.checked_add(decimal(x)?.checked_mul(y)?)?;
        }
    }
    let n = decimal(count)?;
    let denominator = count.checked_mul(sxx)?.checked_sub(sx.checked_mul(sx)?)?;
    if denominator == 0 {
        return sy.checked_div(n);
    }
    let sx = decimal(sx)?;
    let slope = n
        .checked_mul(sxy)?
        .checked_sub(sx.checked_mul(sy)?)?
        .checked_div(decimal(denominator)?)?;
    let intercept = sy.checked_sub(slope.checked_mul(sx)?)?.checked_div(n)?;
    intercept.checked_add(slope.checked_mul(decimal(i128::from(x_end) - i128::from(x0))?)?)
}

/// A whole number as a decimal, if it fits.
fn decimal(value: i128) -> Option<Decimal> {
    Decimal::try_from_i128_with_scale(value, 0).ok()
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
        self.review_on(as_of, self.review_threads())
    }

    /// [`review`](Self::review) on at most `threads` threads (the reports
    /// lint on a second thread beside a review on one).
    pub(crate) fn review_on(&self, as_of: Date, threads: usize) -> Review {
        let worked = self.work_out(as_of, threads);
        let mut nodes = Vec::with_capacity(worked.order.len());
        let mut place = vec![u32::MAX; worked.progress.len()];
        for &n in &worked.order {
            if let Some(node) = worked.node(n) {
                set_at(&mut place, n, to_u32(nodes.len()));
                nodes.push(node);
            }
        }
        Review {
            as_of,
            nodes,
            index: OnceLock::new(),
            at: place,
        }
    }

    /// The review as of `as_of` as JSON: the same text as
    /// [`review(as_of)`](Self::review)[`.to_json()`](Review::to_json),
    /// written node by node without keeping every node's review at once.
    /// It is what `okrs rollup --json` prints. O(V + E + K log C), like
    /// [`review`](Self::review).
    ///
    /// # Example
    /// ```
    /// let set = okrs::OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
    /// let as_of = "2027-02-20".parse()?;
    /// assert_eq!(set.review_json(as_of), set.review(as_of).to_json());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn review_json(&self, as_of: Date) -> String {
        let threads = self.review_threads();
        let worked = self.work_out(as_of, threads);
        let order = worked.order.as_slice();
        let nodes = |part| worked.nodes(part);
        if threads < 2 {
            return json::write(as_of, order.len(), nodes(order));
        }
        // The second half of the nodes is written on the second thread,
        // then copied in after the first: fresh pages cost most of the
        // writing here, and two threads fault theirs in at once.
        let (first, second) = order.split_at(order.len() / 2);
        let (mut out, (tail, empty)) = beside(
            || {
                let mut out = json::begin(as_of, order.len());
                json::push_nodes(&mut out, nodes(first), true);
                out
            },
            || {
                let mut tail = String::with_capacity(json::room(second.len()));
                // No node of the first half written: the document's first
                // node is this half's, and with none either, it is empty.
                let empty = json::push_nodes(&mut tail, nodes(second), first.is_empty());
                (tail, empty)
            },
        );
        out.push_str(&tail);
        json::end(&mut out, empty);
        out
    }

    /// How many threads a review of the set may use: a second one from
    /// 2 × [`REVIEW_THREAD_NODES`] nodes on. O(1).
    fn review_threads(&self) -> usize {
        self.threads_for_nodes(self.graph().node_bound(), REVIEW_THREAD_NODES)
    }

    /// Works a review out, node by node, up to what each node's review is
    /// made of (see [`Worked`]), on at most `threads` threads.
    fn work_out(&self, as_of: Date, threads: usize) -> Worked<'_> {
        let plan = self.state().plan();
        let strategies = self.strategies();
        let bound = self.graph().node_bound();
        let two = threads > 1;
        let periods: Vec<&Period> = self.periods().collect();

        // Each measured node's facts: its own plan and forecast, and a key
        // result's own progress as of the date (read here, where its
        // check-ins are read anyway: a pass of its own reads every history
        // from memory once more). Nodes are independent here: with two
        // threads, each reads half of them.
        let read = |range: Range<usize>| self.read_nodes(range, as_of, &periods);
        let half = if two { bound / 2 } else { bound };
        let (mut first, second) = beside_if(two, || read(0..half), || read(half..bound));
        first.raw.extend(second.raw);
        let raw = first.raw;
        let every_one_counts = first.every_one_counts && second.every_one_counts;
        let facts = Facts {
            first: first.facts,
            second: second.facts,
        };
        let fact = |n: NodeIndex| facts.of(n);

        // Plans and forecasts roll up like progress; sub-key results of a
        // `sum-of-values` key result add their values.
        let mut expected_raw = Raws::new();
        let mut forecast_raw = Raws::new();
        for &node in self.state().raws().keys() {
            let n = NodeIndex::new(node as usize);
            let fact = fact(n);
            let Some(at) = fact.numbers else {
                continue;
            };
            let distance = at.target - at.start;
            let expected = fact.expected.unwrap_or(Decimal::ZERO);
            if let Some(done) = expected.checked_mul(distance) {
                expected_raw.insert(node, (done, distance));
            }
            let forecast = fact.forecast.unwrap_or(Decimal::ZERO);
            if let Some(done) = forecast.checked_mul(distance) {
                forecast_raw.insert(node, (done, distance));
            }
        }
        // Progress (when every latest check-in counts, the kept roll-up is
        // the one as of the date, as `rolled_up_as_of` finds) and plans on
        // this thread; forecasts and the node order beside them.
        let progress_and_plans = || {
            let progress = if every_one_counts {
                self.kept_roll_up()
            } else {
                self.rolled_up_from(|n| fact(n).leaf, &raw)
            };
            let plans = plan.evaluate_present(|n| fact(n).expected, &expected_raw, strategies);
            (progress, plans)
        };
        let forecasts_and_order = || {
            let forecasts = plan.evaluate_present(|n| fact(n).forecast, &forecast_raw, strategies);
            let order: Vec<NodeIndex> = self.nodes().map(|node| node.index).collect();
            (forecasts, order)
        };
        let ((progress, (expected, planned)), ((forecast, forecast_known), order)) =
            beside_if(two, progress_and_plans, forecasts_and_order);

        // Bands and statuses on this thread, confidences beside them: the
        // two read nothing of each other's.
        let bands_and_statuses =
            || self.bands_and_statuses(as_of, &periods, &facts, &progress, &expected);
        let confidences = || self.confidences(&order, &facts);
        let ((band, status), confidence) = beside_if(two, bands_and_statuses, confidences);
        Worked {
            set: self,
            order,
            facts,
            progress,
            expected,
            planned,
            forecast,
            forecast_known,
            band,
            status,
            confidence,
        }
    }

    /// Reads the nodes of a range of node indices: each measured node's
    /// facts (see [`Fact`]), the raw values of the key results that have
    /// them, and whether every latest check-in counts by the date.
    /// O(nodes + K log C).
    fn read_nodes(&self, range: Range<usize>, as_of: Date, periods: &[&Period]) -> Part {
        let graph = self.graph();
        let day = self.as_of(as_of);
        let scale = self.confidence_scale();
        // A linear plan depends on its period and the date only: each
        // period's, as of the review date and at the dates check-ins fall
        // on, is worked out once.
        let mut plans = Plans::new(periods.to_vec(), as_of);
        let mut points = Vec::new();
        let mut part = Part {
            facts: Vec::with_capacity(range.len()),
            raw: Raws::new(),
            every_one_counts: true,
        };
        for n in range.map(NodeIndex::new) {
            let mut fact = Fact::default();
            let (k, commits) = match graph.node_weight(n) {
                Some(Node::Objective(o)) => (None, o.commitment),
                Some(Node::KeyResult(k)) => match graph.node_weight(k.objective) {
                    Some(Node::Objective(o)) => (Some(k), o.commitment),
                    _ => (Some(k), Commitment::Aspirational),
                },
                _ => {
                    part.facts.push(fact);
                    continue;
                }
            };
            fact.commitment = commits;
            fact.objective = k.is_none();
            let index = self.period_index_of(n);
            fact.period = index.map(to_u32);
            let phases = k.map(|k| self.phase_points(k)).unwrap_or_default();
            fact.expected = index.and_then(|index| plans.now(index, &phases));
            if let Some(k) = k {
                let (leaf, counts) = self.leaf_as_of(n, k, day, true);
                part.every_one_counts &= counts;
                fact.leaf = leaf.progress;
                if let Some(values) = leaf.raw {
                    part.raw.insert(to_u32(n.index()), values);
                }
                fact.numbers = self.numbers_as_of(n, Some(as_of));
                if let Some(metric) = &k.metric {
                    fact.control = metric.is_control();
                    fact.zone = metric.zone_at(k.value_as_of(Some(day)));
                    let stated = k
                        .check_ins()
                        .iter()
                        .rev()
                        .filter(|c| day.counts(&c.at))
                        .find_map(|c| c.confidence);
                    fact.confidence = stated.and_then(|c| scale.read(c));
                    fact.forecast = index.and_then(|index| {
                        self.key_result_forecast(k, metric, index, &phases, &mut plans, &mut points)
                    });
                }
            }
            part.facts.push(fact);
        }
        part
    }

    /// Every node's band and status, by node index. Only the plan's nodes
    /// take them here. Bands and key results' statuses are worked out node
    /// by node, in the order the arrays lie in memory; then objectives'
    /// statuses in the plan's order, members before what counts them (an
    /// objective's status reads its members', a key result's reads
    /// nothing of another node's). O(V + E).
    fn bands_and_statuses(
        &self,
        as_of: Date,
        periods: &[&Period],
        facts: &Facts,
        progress: &[Decimal],
        expected: &[Decimal],
    ) -> (Vec<Option<Band>>, Vec<Option<Status>>) {
        let member = |n: u32| value_at(progress, NodeIndex::new(n as usize));
        let graph = self.graph();
        let plan = self.state().plan();
        let bound = graph.node_bound();
        let mut counts_controls: Vec<bool> = facts.iter().map(|f| f.control).collect();
        plan.mark_counting(&mut counts_controls);
        let mut band: Vec<Option<Band>> = vec![None; bound];
        let mut status: Vec<Option<Status>> = vec![None; bound];
        let mut planned_node = vec![false; bound];
        for &n in plan.order().iter() {
            set_at(&mut planned_node, n, true);
        }
        let mut members: Vec<Status> = Vec::new();
        let policy = self.status_policy();
        let status_of = |n: NodeIndex,
                         band: &[Option<Band>],
                         status: &[Option<Status>],
                         members: &mut Vec<Status>| {
            let fact = facts.of(n);
            let commits = fact.commitment;
            let node_band = band.get(n.index()).copied().flatten()?;
            let period = periods.get(fact.period? as usize)?;
            let node_progress = Self::progress_at(progress, n);
            // A committed node whose inputs are not all done is not done.
            let node_progress = if self.short_of_done(n, node_progress, commits, member) {
                almost_one()
            } else {
                node_progress
            };
            let input = StatusInput {
                as_of,
                start: period.start,
                end: period.end,
                progress: node_progress,
                expected: Progress::clamped(value_at(expected, n), Decimal::ONE),
                commitment: commits,
                aim: self.scale().aim(commits),
                band: node_band,
                control: fact.control,
                counts_controls: !fact.control && counts_controls.get(n.index()) == Some(&true),
            };
            let regressed = fact.numbers.is_some_and(|at| at.regressed());
            let during = as_of >= period.start && as_of <= period.end;
            Some(if regressed && during {
                Status::OffTrack
            } else if fact.objective {
                members.clear();
                members.extend(
                    plan.counted_members(n)
                        .filter_map(|m| status.get(m as usize).copied().flatten()),
                );
                policy.objective_status(&input, members)
            } else {
                policy.status(&input)
            })
        };
        for n in graph.node_indices() {
            if planned_node.get(n.index()) != Some(&true) {
                continue;
            }
            let fact = facts.of(n);
            let node_progress = Self::progress_at(progress, n);
            set_at(
                &mut band,
                n,
                Some(self.band_with(n, node_progress, fact.commitment, member)),
            );
            if !fact.objective {
                let node_status = status_of(n, &band, &status, &mut members);
                set_at(&mut status, n, node_status);
            }
        }
        for &n in plan.order().iter() {
            if facts.of(n).objective {
                let node_status = status_of(n, &band, &status, &mut members);
                set_at(&mut status, n, node_status);
            }
        }
        (band, status)
    }

    /// Every node's confidence, by node index: a key result's stated one
    /// (its fact), and for a key result with sub-key results or an
    /// objective the weighted mean of its own key results'. Children come
    /// after their parent in `order`, the set's node order, which is
    /// walked backwards so that key results are read before what they
    /// roll into. O(V).
    fn confidences(&self, order: &[NodeIndex], facts: &Facts) -> Vec<Option<Confidence>> {
        let graph = self.graph();
        let mut confidence: Vec<Option<Confidence>> = facts.iter().map(|f| f.confidence).collect();
        for &n in order.iter().rev() {
            let own = match graph.node_weight(n) {
                Some(Node::KeyResult(k)) if k.metric.is_some() => continue,
                _ => self.mean_confidence(n, &confidence),
            };
            set_at(&mut confidence, n, own);
        }
        confidence
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

    /// Where a key result's check-ins up to the review date point at its
    /// period's end: `None` without check-ins on two different dates. One
    /// point per date (the check-in that counts that day). The
    /// least-squares line extends the gap between each check-in and the
    /// plan, and the forecast is the plan's end plus the gap there,
    /// clamped and rounded to [`FORECAST_PLACES`]; on a linear plan that is
    /// the line through the check-ins themselves. A numeric key result is
    /// fitted on its values (its progress is linear in them), a control on
    /// its value too, read against its bounds at the end (1 or 0). O(C ×
    /// phases); `points` is scratch space.
    fn key_result_forecast(
        &self,
        k: &KeyResultNode,
        metric: &Metric,
        index: usize,
        phases: &[(Date, Decimal)],
        plans: &mut Plans<'_>,
        points: &mut Vec<(i64, Decimal)>,
    ) -> Option<Decimal> {
        let period = plans.period(index)?;
        if plans.as_of < period.start {
            return None;
        }
        let (start, end) = (period.start, period.end);
        let last_day = plans.as_of.min(end);
        let zone = self.time_zone();
        let cap = match metric {
            Metric::Numeric { .. } => self.progress_cap(),
            _ => Decimal::ONE,
        };
        // What is fitted: a number's value (numeric metrics and controls),
        // else the progress; on a phased plan, less the plan's.
        let raw = match metric {
            Metric::Numeric { start, target, .. } => Some((*start, *target)),
            _ => None,
        };
        let control = metric.is_control();
        let phased = !phases.is_empty() && !control;
        // The check-in that counts on each date: the last of that date.
        points.clear();
        let mut last: Option<Date> = None;
        for c in k.check_ins() {
            let date = c.at.date_in(zone);
            if date > last_day {
                break;
            }
            let y = match (&c.value, raw) {
                (CheckInValue::Number(n), Some(_)) => *n,
                (CheckInValue::Number(n), None) if control => *n,
                (value, None) if !control => metric.progress_at(Some(value), cap).value(),
                _ => continue,
            };
            if last == Some(date) {
                points.pop();
            }
            points.push((days_between(start, date), y));
            last = Some(date);
        }
        if points.len() < 2 {
            return None;
        }
        let x_end = days_between(start, end);
        let clamp = |forecast: Decimal| Some(Progress::clamped(forecast, cap).value().normalize());
        // Exactly, in whole numbers, rounded once: the line through the
        // check-ins, or on a phased plan through their gaps to it, in the
        // metric's own numbers.
        let exact = match (control, phased, raw) {
            (true, _, _) => None,
            (false, false, raw) => whole_least_squares(points, x_end).and_then(|line| match raw {
                Some((from, target)) => line.minus(from)?.over(target.checked_sub(from)?),
                None => Some(line),
            }),
            (false, true, Some((from, target))) => {
                let knots = raw_knots(k.phases(), start, end, from, target);
                whole_phased_forecast(points, &knots, x_end)
                    .and_then(|f| f.minus(from)?.over(target.checked_sub(from)?))
            }
            (false, true, None) => None,
        };
        if let Some(forecast) = exact.and_then(|f| f.round(FORECAST_PLACES)) {
            return clamp(forecast);
        }
        // In decimals: a phased plan's gaps first.
        if phased {
            for point in points.iter_mut() {
                let date = start
                    .checked_add(jiff::SignedDuration::from_hours(point.0.checked_mul(24)?))
                    .ok()?;
                let plan = plans.at(index, phases, date)?;
                let plan = match raw {
                    Some((from, target)) => {
                        from.checked_add(plan.checked_mul(target.checked_sub(from)?)?)?
                    }
                    None => plan,
                };
                point.1 = point.1.checked_sub(plan)?;
            }
        }
        let line = least_squares_at(points, x_end)?;
        if control {
            let held = metric.progress_at(Some(&CheckInValue::Number(line)), Decimal::ONE);
            return Some(held.value());
        }
        // Back to progress: the gap (or the line) over the distance.
        let fitted = match raw {
            Some((from, target)) if phased => line.checked_div(target.checked_sub(from)?)?,
            Some((from, target)) => line
                .checked_sub(from)?
                .checked_div(target.checked_sub(from)?)?,
            None => line,
        };
        let forecast = if phased {
            plans.at(index, phases, end)?.checked_add(fitted)?
        } else {
            fitted
        };
        clamp(if forecast.scale() > FORECAST_PLACES {
            forecast.round_dp(FORECAST_PLACES)
        } else {
            forecast
        })
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

    /// A review made before an edit finds each node by id, even where the
    /// edit gave a removed node's slot in the graph to a new one.
    #[test]
    fn a_review_finds_nodes_of_an_edited_set_by_id() {
        let mut set = OkrSet::from_json(crate::sample::SAMPLE_JSON).unwrap();
        let before = set.review(day(1, 1));
        let objective = set.objectives().next().unwrap().id().clone();
        let old = set
            .node(objective.as_str())
            .unwrap()
            .key_results()
            .next()
            .unwrap();
        let old_id = old.id().clone();
        let slot = old.index;
        set.remove_key_result(old_id.as_str()).unwrap();
        let kr = crate::KeyResult::new("fresh".parse().unwrap(), "Fresh");
        set.add_key_result(objective.as_str(), kr).unwrap();
        let fresh = set.node("fresh").unwrap();
        assert_eq!(
            fresh.index, slot,
            "the new key result takes the old one's slot"
        );
        assert!(before.of(&fresh).is_none(), "no review of the new node");
        for node in set.nodes() {
            assert_eq!(before.of(&node), before.get(node.id()), "{}", node.id());
        }
        // In the set it was made of, every node is found by its slot.
        let again = set.review(day(1, 1));
        for node in set.nodes() {
            assert_eq!(again.of(&node).map(|r| &r.id), Some(node.id()));
        }
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
        // Whole numbers and decimals agree where both apply.
        let values = [
            (3, Decimal::new(31, 1)),
            (9, Decimal::new(-205, 2)),
            (10, Decimal::new(7, 0)),
            (40, Decimal::new(1234, 3)),
        ];
        let whole = whole_least_squares_at(&values, 90).unwrap();
        let decimal = decimal_least_squares_at(&values, 90).unwrap();
        assert!(
            (whole - decimal).abs() < Decimal::new(1, 25),
            "{whole} {decimal}"
        );
        // Exact fractions, rounded once, half to even.
        let ratio = whole_least_squares(&[(0, Decimal::ZERO), (3, Decimal::ONE)], 1).unwrap();
        assert_eq!(ratio.round(4), Some(Decimal::new(3333, 4)));
        assert_eq!(
            ratio.minus(Decimal::ONE).unwrap().round(2),
            Some(Decimal::new(-67, 2))
        );
        assert_eq!(
            ratio.over(Decimal::new(-5, 1)).unwrap().round(3),
            Some(Decimal::new(-667, 3))
        );
        let half = Ratio { num: 5, den: 1000 };
        assert_eq!(half.round(2), Some(Decimal::ZERO)); // 0.005 → 0.00
        assert_eq!(
            Ratio { num: 15, den: 1000 }.round(2),
            Some(Decimal::new(2, 2))
        );
        assert_eq!(
            Ratio {
                num: -15,
                den: 1000
            }
            .round(2),
            Some(Decimal::new(-2, 2))
        );
        assert_eq!(ratio.over(Decimal::ZERO), None);
        // Values of many places go the decimal way.
        let thirds = [(0, Decimal::ONE / Decimal::from(3)), (1, Decimal::ONE)];
        assert_eq!(whole_least_squares_at(&thirds, 2), None);
        assert!(least_squares_at(&thirds, 2).is_some());
    }

    #[test]
    fn whole_phased_forecasts_agree_with_decimal_ones() {
        let (start, end) = (day(1, 1), day(3, 31));
        let x_end = days_between(start, end);
        type Case<'a> = (&'a [(Date, i64)], &'a [(i64, &'a str)]);
        let cases: [Case<'_>; 4] = [
            (
                &[(day(2, 1), 30)],
                &[(10, "7.5"), (40, "33"), (61, "41.25")],
            ),
            (
                &[(day(1, 20), 5), (day(3, 1), 140)],
                &[(3, "1"), (19, "4"), (70, "88")],
            ),
            (&[(end, 80)], &[(0, "0"), (45, "50.5")]),
            (
                &[(start, 10), (day(2, 14), 40)],
                &[(0, "10"), (44, "12"), (60, "70")],
            ),
        ];
        for (phases, values) in cases {
            let phases: Vec<crate::Phase> = phases
                .iter()
                .map(|&(at, target)| crate::Phase::new(at, Decimal::from(target)))
                .collect();
            let points: Vec<(i64, Decimal)> = values
                .iter()
                .map(|&(x, v)| (x, v.parse().unwrap()))
                .collect();
            let knots = raw_knots(&phases, start, end, Decimal::ZERO, Decimal::ONE_HUNDRED);
            let exact = whole_phased_forecast(&points, &knots, x_end)
                .unwrap()
                .to_decimal()
                .unwrap();
            // The same in decimals: gaps to the plan in progress, times 100.
            let progress: Vec<(Date, Decimal)> = phases
                .iter()
                .map(|p| (p.at, (p.target / Decimal::ONE_HUNDRED).min(Decimal::ONE)))
                .collect();
            let plan = |x: i64| {
                let date = start
                    .checked_add(jiff::SignedDuration::from_hours(x * 24))
                    .unwrap();
                piecewise_expected(start, end, &progress, date) * Decimal::ONE_HUNDRED
            };
            let gaps: Vec<(i64, Decimal)> = points.iter().map(|&(x, v)| (x, v - plan(x))).collect();
            let decimal = plan(x_end) + least_squares_at(&gaps, x_end).unwrap();
            assert!(
                (exact - decimal).abs() < Decimal::new(1, 20),
                "{phases:?}: {exact} vs {decimal}"
            );
        }
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
