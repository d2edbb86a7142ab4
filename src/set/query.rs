//! Reads: lookups by id, iteration in document order, and the crate-private
//! read side that reports use (graph, plan, periods). O(1) unless stated.

use petgraph::Direction::Outgoing;
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeRef, NodeIndexable};
use rust_decimal::Decimal;

use super::edit::leaf;
use super::node::{Nodes, Objectives};
use super::{NodeRef, OkrSet, SetBuilder};
use crate::engine::graph::{Graph, KeyResultNode, Node};
use crate::engine::rollup::{Leaf, Raws, State, Strategies};
use crate::engine::{set_at, value_at};
use crate::invariant::{sure, sure_or, to_u32};
use crate::time::AsOf;
use crate::{
    AlignmentModel, Band, Commitment, ConfidenceScale, Date, Document, Error, GapPolicy, Id,
    KeyResult, Levels, LintSettings, Metric, NodeKind, Objective, Overachievement, Period,
    Progress, ProgressFrom, StatusPolicy,
};

/// A numeric key result's start, target and value (for `sum-of-values`,
/// their sums).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Numbers {
    pub(crate) start: Decimal,
    pub(crate) target: Decimal,
    pub(crate) value: Decimal,
}

impl Numbers {
    /// Whether the value lies on the wrong side of the start, moving away
    /// from the target. O(1).
    pub(crate) fn regressed(&self) -> bool {
        if self.target > self.start {
            self.value < self.start
        } else {
            self.value > self.start
        }
    }
}

/// The largest progress below 1 a decimal holds: how a committed node whose
/// inputs are not all done is banded and given its status.
pub(crate) fn almost_one() -> Progress {
    let value = Decimal::from_i128_with_scale(9_999_999_999_999_999_999_999_999_999, 28);
    sure_or(
        Progress::new(value).ok(),
        Progress::ZERO,
        "0.99… is a progress",
    )
}

impl OkrSet {
    /// A builder for sets with custom strategies, scale or status policy. O(1).
    #[must_use]
    pub fn builder() -> SetBuilder {
        SetBuilder::default()
    }

    /// Validates a document with the built-in strategies and Google scale.
    ///
    /// # Errors
    /// See [`SetBuilder::build`].
    ///
    /// # Example
    /// ```
    /// use okrs::{Document, Error, Objective, OkrSet};
    /// let doc = Document::default()
    ///     .with_objective(Objective::new("a".parse()?, "A", "company"))
    ///     .with_objective(Objective::new("a".parse()?, "Again", "company"));
    /// assert!(matches!(OkrSet::from_document(doc), Err(Error::DuplicateId(_))));
    /// # Ok::<(), okrs::IdError>(())
    /// ```
    pub fn from_document(document: Document) -> Result<Self, Error> {
        Self::builder().build(document)
    }

    /// Reads and validates a JSON document.
    ///
    /// # Errors
    /// See [`SetBuilder::from_json`].
    #[cfg(feature = "json")]
    pub fn from_json(text: &str) -> Result<Self, crate::LoadError> {
        Self::builder().from_json(text)
    }

    /// The alignment model. O(1).
    #[must_use]
    pub fn alignment(&self) -> AlignmentModel {
        self.alignment
    }

    /// The name of the set's aggregation strategy. O(1).
    #[must_use]
    pub fn strategy(&self) -> &str {
        &self.strategy
    }

    /// The old name of [`strategy`](Self::strategy).
    #[deprecated(since = "0.2.0", note = "renamed to `strategy`")]
    #[must_use]
    pub fn grading(&self) -> &str {
        self.strategy()
    }

    /// The levels, highest first. O(1).
    #[must_use]
    pub fn levels(&self) -> &Levels {
        &self.levels
    }

    /// The highest progress a numeric key result may show. O(1).
    #[must_use]
    pub fn progress_cap(&self) -> Decimal {
        self.cap
    }

    /// What objectives count unless they say themselves (their
    /// [`progress_from`](crate::Objective::progress_from)). O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{OkrSet, ProgressFrom};
    /// let set = OkrSet::from_json(r#"{ "format": "okrs/1", "progress_from": "aligned" }"#)?;
    /// assert_eq!(set.progress_from(), ProgressFrom::Aligned);
    /// # Ok::<(), okrs::LoadError>(())
    /// ```
    #[must_use]
    pub fn progress_from(&self) -> ProgressFrom {
        self.progress_from
    }

    /// Whether over-achievement flows into parents. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{OkrSet, Overachievement};
    /// let set = OkrSet::from_json(r#"{ "format": "okrs/1", "progress_cap": "1.5", "overachievement": "counts" }"#)?;
    /// assert_eq!(set.overachievement(), Overachievement::Counts);
    /// # Ok::<(), okrs::LoadError>(())
    /// ```
    #[must_use]
    pub fn overachievement(&self) -> Overachievement {
        self.overachievement
    }

    /// The time zone the set counts check-ins in (UTC unless its document
    /// names one in `"time_zone"`). O(1).
    ///
    /// # Example
    /// ```
    /// let set = okrs::OkrSet::from_json(r#"{ "format": "okrs/1", "time_zone": "Europe/Oslo" }"#)?;
    /// assert_eq!(set.time_zone().iana_name(), Some("Europe/Oslo"));
    /// # Ok::<(), okrs::LoadError>(())
    /// ```
    #[must_use]
    pub fn time_zone(&self) -> &jiff::tz::TimeZone {
        &self.zone
    }

    /// Today's date in the set's time zone: the one reading of the
    /// machine's clock (the CLI's default `--as-of`). O(log transitions).
    ///
    /// # Example
    /// ```
    /// let set = okrs::OkrSet::from_json(r#"{ "format": "okrs/1", "time_zone": "Pacific/Kiritimati" }"#)?;
    /// let utc = okrs::Timestamp::now().to_zoned(okrs::TimeZone::UTC).date();
    /// // UTC+14: today there is today or tomorrow in UTC.
    /// assert!(set.today() >= utc);
    /// # Ok::<(), okrs::LoadError>(())
    /// ```
    #[must_use]
    pub fn today(&self) -> Date {
        jiff::Timestamp::now().to_zoned(self.zone.clone()).date()
    }

    /// The scale check-ins state their confidence on (`"confidence_scale"`,
    /// `0-1` unless the document declares another). O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::ConfidenceScale;
    /// let set = okrs::OkrSet::from_json(r#"{ "format": "okrs/1", "confidence_scale": "1-10" }"#)?;
    /// assert_eq!(set.confidence_scale(), ConfidenceScale::OneToTen);
    /// # Ok::<(), okrs::LoadError>(())
    /// ```
    #[must_use]
    pub fn confidence_scale(&self) -> ConfidenceScale {
        self.confidence_scale
    }

    /// The status settings the document gave (`"status"`): the gap
    /// thresholds and the objective rule. They decide statuses unless the
    /// builder set another [`StatusPolicy`]. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::ObjectiveStatusRule;
    /// let set = okrs::OkrSet::from_json(
    ///     r#"{ "format": "okrs/1", "status": { "objectives": "weakest-key-result" } }"#,
    /// )?;
    /// assert_eq!(set.status_settings().objectives, ObjectiveStatusRule::WeakestKeyResult);
    /// assert_eq!(set.status_settings().on_track_from.to_string(), "-0.2"); // the default
    /// # Ok::<(), okrs::LoadError>(())
    /// ```
    #[must_use]
    pub fn status_settings(&self) -> &GapPolicy {
        &self.status
    }

    /// The set's health-check settings. O(1).
    #[must_use]
    pub fn lint_settings(&self) -> &LintSettings {
        &self.lint
    }

    /// The number of nodes: objectives, key results and initiatives alike.
    /// ([`nodes`](Self::nodes) walks the measured ones, objectives and key
    /// results, and leaves initiatives to [`NodeRef::initiatives`].) O(1).
    #[must_use]
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether the set has no node at all. O(1).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.index.len() == 0
    }

    /// Whether a node has this id. O(1) average.
    #[must_use]
    pub fn contains(&self, id: &str) -> bool {
        self.lookup(id).is_some()
    }

    /// A node by id. O(1) average.
    #[must_use]
    pub fn node(&self, id: &str) -> Option<NodeRef<'_>> {
        NodeRef::new(self, self.lookup(id)?)
    }

    /// The current progress of an objective or key result; `None` for
    /// unknown ids and initiatives. O(1) average.
    #[must_use]
    pub fn progress(&self, id: &str) -> Option<Progress> {
        self.node(id)?.progress()
    }

    /// The band an objective or key result grades to now. O(1) average.
    #[must_use]
    pub fn band(&self, id: &str) -> Option<Band> {
        self.node(id)?.band()
    }

    /// The objectives in document order. O(1) to create, O(objectives)
    /// to exhaust.
    pub fn objectives(&self) -> Objectives<'_> {
        Objectives {
            set: self,
            objectives: self.objectives.iter(),
        }
    }

    /// Every objective followed by its key results and their sub-key results
    /// (depth first): the measured nodes, in document order. Initiatives are
    /// left out (read them through [`NodeRef::initiatives`]). O(1) to
    /// create, O(V) to exhaust.
    pub fn nodes(&self) -> Nodes<'_> {
        Nodes {
            objectives: self.objectives(),
            stack: Vec::new(),
        }
    }

    /// The objective with this id, as an owned model value with its key
    /// results and links. O(size of the objective): prefer
    /// [`node`](Self::node) to read, and call
    /// [`NodeRef::to_objective`] when an owned copy is the point.
    #[deprecated(since = "0.2.0", note = "use `node(id)?.to_objective()`")]
    #[must_use]
    pub fn objective(&self, id: &str) -> Option<Objective> {
        self.node(id)?.to_objective()
    }

    /// The key result with this id, as an owned model value. O(size of the
    /// key result).
    #[deprecated(since = "0.2.0", note = "use `node(id)?.to_key_result()`")]
    #[must_use]
    pub fn key_result(&self, id: &str) -> Option<KeyResult> {
        self.node(id)?.to_key_result()
    }

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
}

impl OkrSet {
    /// The node with this id. O(1) average.
    pub(crate) fn lookup(&self, id: &str) -> Option<NodeIndex> {
        self.index.get(&self.graph, id)
    }

    pub(crate) fn objective_indices(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        self.objectives.iter().copied()
    }

    pub(crate) fn children(&self, node: NodeIndex) -> &[NodeIndex] {
        match self.graph.node_weight(node) {
            Some(Node::Objective(o)) => &o.key_results,
            Some(Node::KeyResult(k)) => k.key_results(),
            _ => &[],
        }
    }

    /// How many key results a key result nests under (0 directly under
    /// its objective). O(depth).
    pub(crate) fn depth(&self, key_result: NodeIndex) -> usize {
        let mut depth = 0;
        let mut at = key_result;
        while let Some((_, parent)) = self.parent_edge(at) {
            if !matches!(self.graph.node_weight(parent), Some(Node::KeyResult(_))) {
                break;
            }
            depth += 1;
            at = parent;
        }
        depth
    }

    pub(crate) fn id_of(&self, node: NodeIndex) -> Id {
        let id = self.graph.node_weight(node).map(|n| n.id().clone());
        debug_assert!(
            id.is_some(),
            "broken invariant: the set names its own nodes"
        );
        // Built only on the broken path: an error names nodes on every
        // refusal, so the fallback must cost nothing otherwise.
        id.unwrap_or_else(|| Id::unchecked("?"))
    }

    pub(crate) fn expect_kind(&self, id: &str, kind: NodeKind) -> Result<NodeIndex, Error> {
        let node = self
            .node(id)
            .ok_or_else(|| Error::UnknownNode(Id::unchecked(id)))?;
        if node.kind() == kind {
            Ok(node.index)
        } else {
            Err(Error::WrongKind {
                id: node.id().clone(),
                expected: match kind {
                    NodeKind::Objective => "an objective",
                    NodeKind::KeyResult => "a key result",
                    NodeKind::Initiative => "an initiative",
                },
            })
        }
    }

    pub(crate) fn level_name(&self, rank: usize) -> String {
        sure(self.levels.name(rank), "ranks come from the levels").to_owned()
    }

    /// The edge from a key result (or initiative) to its parent, and the parent.
    pub(crate) fn parent_edge(&self, node: NodeIndex) -> Option<(EdgeIndex, NodeIndex)> {
        self.graph
            .edges_directed(node, Outgoing)
            .next()
            .map(|e| (e.id(), e.target()))
    }

    /// The period of a node's objective.
    /// Whether a node belongs to a private objective. O(1) (an
    /// initiative: its key result's parent).
    pub(crate) fn is_private(&self, node: NodeIndex) -> bool {
        self.objective_of(node).is_some_and(|objective| {
            matches!(
                self.graph.node_weight(objective),
                Some(Node::Objective(o)) if o.private().is_some()
            )
        })
    }

    /// The objective a node belongs to: itself, a key result's (or
    /// sub-key result's), an initiative's key result's. O(1).
    pub(crate) fn objective_of(&self, node: NodeIndex) -> Option<NodeIndex> {
        match self.graph.node_weight(node)? {
            Node::Objective(_) => Some(node),
            Node::KeyResult(k) => Some(k.objective),
            Node::Initiative(_) => match self.graph.node_weight(self.parent_edge(node)?.1)? {
                Node::KeyResult(k) => Some(k.objective),
                _ => None,
            },
        }
    }

    pub(crate) fn period_of(&self, node: NodeIndex) -> Option<&Period> {
        self.period_at(self.period_index_of(node)?)
    }

    pub(crate) fn period_at(&self, index: usize) -> Option<&Period> {
        self.periods.get_index(index).map(|(_, p)| p)
    }

    /// The period of a node's objective, as an index into `periods`.
    pub(crate) fn period_index_of(&self, node: NodeIndex) -> Option<usize> {
        match self.graph.node_weight(self.objective_of(node)?)? {
            Node::Objective(o) => o.period,
            _ => None,
        }
    }

    /// Every node's progress with each key result at its latest check-in
    /// on or before `date`, by node index. O(V + E + K log C).
    ///
    /// When every key result's latest check-in counts by then (a review
    /// as of today, most often), that is the kept roll-up: it is read, not
    /// computed again. O(V + K) then.
    pub(crate) fn rolled_up_as_of(&self, date: Date) -> Vec<Decimal> {
        if self.every_check_in_counts(date) {
            return self.kept_roll_up();
        }
        self.rolled_up_from_leaves(date, true)
    }

    /// Whether every check-in of the set counts as of the end of `date`:
    /// each key result's latest does. O(K).
    fn every_check_in_counts(&self, date: Date) -> bool {
        let as_of = self.as_of(date);
        self.graph.node_weights().all(|node| match node {
            Node::KeyResult(k) => k.check_ins().last().is_none_or(|c| as_of.counts(&c.at)),
            _ => true,
        })
    }

    /// [`rolled_up_as_of`](Self::rolled_up_as_of) from each key result's
    /// check-ins as of the date, whatever they are. O(V + E + K log C).
    #[cfg(test)]
    pub(crate) fn rolled_up_as_of_check_ins(&self, date: Date) -> Vec<Decimal> {
        self.rolled_up_from_leaves(date, false)
    }

    /// The roll-up from each key result's own progress as of the date.
    /// With `reuse`, a key result the plan gives no inputs, whose latest
    /// check-in counts by then, takes its kept progress and raw values
    /// (the same to the last digit: reading its check-ins as of the date
    /// finds the latest one, as the kept roll-up did), so that a review
    /// mid-period reads only the histories that reach past its date.
    /// O(V + E + K log C).
    fn rolled_up_from_leaves(&self, date: Date, reuse: bool) -> Vec<Decimal> {
        let as_of = self.as_of(date);
        let mut progress = vec![Decimal::ZERO; self.graph.node_bound()];
        let mut raw = Raws::new();
        for n in self.graph.node_indices() {
            if let Some(Node::KeyResult(k)) = self.graph.node_weight(n) {
                let (leaf, _) = self.leaf_as_of(n, k, as_of, reuse);
                set_at(&mut progress, n, leaf.progress);
                if let Some(values) = leaf.raw {
                    raw.insert(to_u32(n.index()), values);
                }
            }
        }
        self.rolled_up_from(|n| value_at(&progress, n), &raw)
    }

    /// Key result `k`'s (node `n`'s) own progress and raw values as of the
    /// date, and whether its latest check-in counts by then. With `reuse`,
    /// a key result the plan gives no inputs, whose latest check-in
    /// counts, takes its kept progress and raw values (see
    /// [`rolled_up_from_leaves`](Self::rolled_up_from_leaves)). O(log
    /// check-ins).
    pub(crate) fn leaf_as_of(
        &self,
        n: NodeIndex,
        k: &KeyResultNode,
        as_of: AsOf<'_>,
        reuse: bool,
    ) -> (Leaf, bool) {
        let counts = k.check_ins().last().is_none_or(|c| as_of.counts(&c.at));
        let kept = (reuse && counts)
            .then(|| self.state.kept_leaf(n))
            .flatten()
            .map(|(progress, raw)| Leaf { progress, raw });
        let leaf =
            kept.unwrap_or_else(|| leaf(&self.graph, &self.strategies, n, Some(as_of), self.cap));
        (leaf, counts)
    }

    /// Every node's progress rolled up from the key results' own
    /// (`progress` of each node, and `raw` by node index, as
    /// [`leaf_as_of`](Self::leaf_as_of) gives them). O(V + E).
    pub(crate) fn rolled_up_from(
        &self,
        progress: impl Fn(NodeIndex) -> Decimal,
        raw: &Raws,
    ) -> Vec<Decimal> {
        self.state
            .plan()
            .evaluate_all(progress, raw, &self.strategies)
    }

    /// The kept roll-up, by node index: what
    /// [`rolled_up_as_of`](Self::rolled_up_as_of) gives for a date by which
    /// every key result's latest check-in counts. O(V).
    pub(crate) fn kept_roll_up(&self) -> Vec<Decimal> {
        let mut progress = vec![Decimal::ZERO; self.graph.node_bound()];
        for n in self.graph.node_indices() {
            if let Some(value) = self.state.progress_of(n) {
                set_at(&mut progress, n, value);
            }
        }
        progress
    }

    /// A date in the set's time zone, to read check-ins as of its end.
    pub(crate) fn as_of(&self, date: Date) -> AsOf<'_> {
        AsOf {
            date,
            zone: &self.zone,
        }
    }

    /// The numbers behind a numeric key result, or a `sum-of-values` key
    /// result's sums over its counted sub-key results, as of a date
    /// (`None`: with every check-in). `None` for other nodes. O(sub-key
    /// results × log check-ins).
    pub(crate) fn numbers_as_of(&self, node: NodeIndex, date: Option<Date>) -> Option<Numbers> {
        let as_of = date.map(|date| self.as_of(date));
        let Some(Node::KeyResult(k)) = self.graph.node_weight(node) else {
            return None;
        };
        if let Some(Metric::Numeric { start, target, .. }) = &k.metric {
            return Some(Numbers {
                start: *start,
                target: *target,
                value: k.metric.as_ref()?.value_at(k.value_as_of(as_of))?,
            });
        }
        if k.metric.is_some()
            || !self
                .strategies
                .sums_values(crate::engine::graph::strategy_of(&self.graph, node))
        {
            return None;
        }
        let mut sums = Numbers::default();
        let mut any = false;
        for &child in k.key_results() {
            let weight = self
                .parent_edge(child)
                .and_then(|(e, _)| self.graph.edge_weight(e))
                .map(|e| e.weight);
            if weight.is_none_or(|w| w.is_zero()) {
                continue;
            }
            let Some(child) = self.numbers_as_of(child, date) else {
                continue;
            };
            any = true;
            sums.start = sums.start.checked_add(child.start)?;
            sums.target = sums.target.checked_add(child.target)?;
            sums.value = sums.value.checked_add(child.value)?;
        }
        any.then_some(sums)
    }

    /// The band a node grades to at `progress`, reading its inputs'
    /// progress by node index from `member`: the scale's, but a committed
    /// node is green only when every counted input (weight > 0) stands at
    /// 1 or more; otherwise it grades as just short of 1 would, and never
    /// green. O(1), or O(inputs) for a committed node the scale finds green.
    pub(crate) fn band_with(
        &self,
        node: NodeIndex,
        progress: Progress,
        commitment: Commitment,
        member: impl Fn(u32) -> Decimal,
    ) -> Band {
        let band = self.scale.band(progress, commitment);
        if band != Band::Green || commitment != Commitment::Committed {
            return band;
        }
        if self.state.plan().members_reach_one(node, member) {
            return band;
        }
        self.short_band(progress, commitment)
    }

    /// The band of a committed node whose inputs are not all done: as
    /// just short of 1 would grade, and never green. O(1).
    pub(crate) fn short_band(&self, progress: Progress, commitment: Commitment) -> Band {
        match self.scale.band(progress.min(almost_one()), commitment) {
            Band::Green => Band::Yellow,
            band => band,
        }
    }

    /// Whether a committed node falls short of "done" though its progress
    /// says so: some counted input stands below 1 (see
    /// [`band_with`](Self::band_with)). O(inputs).
    pub(crate) fn short_of_done(
        &self,
        node: NodeIndex,
        progress: Progress,
        commitment: Commitment,
        member: impl Fn(u32) -> Decimal,
    ) -> bool {
        commitment == Commitment::Committed
            && progress >= Progress::ONE
            && !self.state.plan().members_reach_one(node, member)
    }

    /// The graph of nodes and links, for reports.
    pub(crate) fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The roll-up state (plan and current values), for reports.
    pub(crate) fn state(&self) -> &State {
        &self.state
    }

    /// The strategies the roll-up evaluates with, for reports.
    pub(crate) fn strategies(&self) -> &Strategies {
        &self.strategies
    }

    /// The scale that bands progress.
    pub(crate) fn scale(&self) -> &dyn crate::Scale {
        &*self.scale
    }

    /// The policy that decides statuses.
    pub(crate) fn status_policy(&self) -> &dyn StatusPolicy {
        &*self.status_policy
    }

    /// A key result's progress as of the date when the plan gives it no
    /// inputs: its own, which is what [`rolled_up_as_of`](Self::rolled_up_as_of)
    /// holds for it, without rolling the set up. `None` for a key result
    /// with inputs (sub-key results, contributing objectives) and for any
    /// other node. O(log check-ins).
    pub(crate) fn own_progress_as_of(&self, n: NodeIndex, date: Date) -> Option<Progress> {
        let Some(Node::KeyResult(k)) = self.graph.node_weight(n) else {
            return None;
        };
        if !self.state.plan().is_source(n) {
            return None;
        }
        let (leaf, _) = self.leaf_as_of(n, k, self.as_of(date), true);
        Some(clamped(leaf.progress))
    }

    /// A node's progress in an array from [`rolled_up_as_of`](Self::rolled_up_as_of)
    /// ([`clamped`]).
    pub(crate) fn progress_at(values: &[Decimal], node: NodeIndex) -> Progress {
        clamped(value_at(values, node))
    }

    /// An objective or key result by id.
    pub(crate) fn measured_node(&self, id: &str) -> Result<NodeIndex, Error> {
        let node = self
            .lookup(id)
            .ok_or_else(|| Error::UnknownNode(Id::unchecked(id)))?;
        if matches!(self.graph.node_weight(node), Some(Node::Initiative(_))) {
            return Err(Error::WrongKind {
                id: self.id_of(node),
                expected: "an objective or a key result",
            });
        }
        Ok(node)
    }
}

/// A value a roll-up gave as a progress. Roll-ups clamp every value to
/// [0, cap], so a value that is not a progress is a broken invariant
/// (caught in debug builds).
fn clamped(value: Decimal) -> Progress {
    sure_or(
        Progress::new(value).ok(),
        Progress::ZERO,
        "roll-ups clamp to [0, cap]",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CheckIn, Edit, Envelope};

    /// The kept roll-up stands in for the as-of pass only when it is the
    /// same to the last digit, after loads and after edits alike.
    #[test]
    fn the_kept_roll_up_is_the_as_of_pass_when_every_check_in_counts() {
        let late = Date::new(2027, 12, 31).unwrap();
        for seed in 0..6 {
            let mut set = OkrSet::from_document(crate::sample::realistic(600, seed)).unwrap();
            assert!(set.every_check_in_counts(late));
            assert_eq!(
                set.rolled_up_as_of(late),
                set.rolled_up_as_of_check_ins(late)
            );
            let key_result = set
                .graph
                .node_weights()
                .find_map(|n| match n {
                    Node::KeyResult(k) if k.metric.is_some() && !k.check_ins().is_empty() => {
                        Some(k.id.clone())
                    }
                    _ => None,
                })
                .unwrap();
            let value = set.node(key_result.as_str()).unwrap().check_ins()[0]
                .value
                .clone();
            set.apply(Envelope::new(Edit::RecordCheckIn {
                key_result: key_result.clone(),
                check_in: CheckIn::new("2027-12-30".parse().unwrap(), value),
            }))
            .unwrap();
            assert_eq!(
                set.rolled_up_as_of(late),
                set.rolled_up_as_of_check_ins(late)
            );
            // Before the new check-in, the shortcut does not apply.
            let before = Date::new(2027, 12, 29).unwrap();
            assert!(!set.every_check_in_counts(before));
            assert_eq!(
                set.rolled_up_as_of(before),
                set.rolled_up_as_of_check_ins(before)
            );
            // Mid-period, some histories reach past the date and some do
            // not: the kept leaves of the others are their as-of ones.
            for month in 1..=12 {
                let date = Date::new(2027, month, 15).unwrap();
                assert_eq!(
                    set.rolled_up_as_of(date),
                    set.rolled_up_as_of_check_ins(date),
                    "{date}"
                );
            }
        }
    }
}
