//! Edits: adding and removing objectives, key results and links, weights
//! and metrics. Each edit either succeeds or rolls back to `==` before.

use petgraph::Direction::{Incoming, Outgoing};
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::{EdgeRef, NodeIndexable};
use rust_decimal::Decimal;

use super::OkrSet;
use super::guard::{non_empty, require_owners, require_title};
use super::lifecycle::{check_history, number_check_ins, tidy_check_in};
use crate::edit::Edit;
use crate::engine::graph::{
    self, Edge, EdgeKind, Graph, KeyResultDetail, KeyResultNode, Node, ObjectiveDetail,
    ObjectiveNode, strategy_of,
};
use crate::engine::history::History;
use crate::engine::rollup::{Delta, Leaf, Plan, SUM_OF_VALUES, Strategies, counted};
use crate::invariant::{sure, to_u32};
use crate::time::AsOf;
use crate::{
    AlignmentModel, CheckIn, DeletedCheckIn, Error, Id, KeyResult, Link, MAX_DEPTH, Metric,
    NodeKind, Objective, Period, Weight,
};

/// Who checks what when a link goes in ([`OkrSet::insert_link`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Insertion {
    /// One link of an edit: refused here if it repeats a link or closes a
    /// cycle.
    Edit,
    /// A link of a document being loaded: the loader refuses repeats, and
    /// cycles are found once for the whole graph.
    Load,
}

impl OkrSet {
    /// Adds an objective with its key results and links.
    ///
    /// # Errors
    /// Any [`Error`] a document could raise for this objective; the set is
    /// unchanged. O(V + E) (the roll-up plan is rebuilt).
    ///
    /// # Example
    /// ```
    /// use okrs::{Document, Link, Objective, OkrSet};
    /// let mut set = OkrSet::from_document(Document::default()
    ///     .with_objective(Objective::new("co".parse()?, "Company goal", "company")))?;
    /// set.add_objective(Objective::new("team".parse()?, "Team goal", "team")
    ///     .with_link(Link::new("co".parse()?)))?;
    /// assert_eq!(set.objectives().count(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_objective(&mut self, objective: Objective) -> Result<(), Error> {
        self.apply(Edit::AddObjective { objective }).map(drop)
    }

    /// Carries out [`add_objective`](Self::add_objective) for [`apply`](Self::apply).
    pub(super) fn edit_add_objective(&mut self, mut objective: Objective) -> Result<(), Error> {
        if let Some(period) = &objective.period {
            if self.periods.get(period).is_some_and(Period::is_closed) {
                return Err(Error::PeriodClosed {
                    period: period.clone(),
                    id: objective.id,
                });
            }
        }
        let links = std::mem::take(&mut objective.aligned_to);
        let result = (|| {
            let node = self.insert_objective(objective)?;
            for link in links {
                let edge = self.insert_link(node, link, Insertion::Edit)?;
                if let Some((_, target)) = self.graph.edge_endpoints(edge) {
                    self.check_weights(target, None)?;
                }
            }
            self.check_weights_of_added()?;
            Ok(())
        })();
        self.finish(result)
    }

    /// Removes an objective with its key results and initiatives, and
    /// returns it.
    ///
    /// # Errors
    /// [`Error::UnknownNode`], [`Error::WrongKind`], [`Error::PeriodClosed`],
    /// [`Error::StillLinked`] while another objective aligns to it or its key results,
    /// [`Error::AllWeightsZero`] when a node it contributes to would be left
    /// with only zero weights. O(V + E).
    pub fn remove_objective(&mut self, id: &str) -> Result<Objective, Error> {
        let value = self.node(id).and_then(|n| n.to_objective());
        self.apply(Edit::RemoveObjective {
            id: Id::unchecked(id),
        })?;
        value.ok_or_else(|| Error::UnknownNode(Id::unchecked(id)))
    }

    /// Carries out [`remove_objective`](Self::remove_objective) for [`apply`](Self::apply).
    pub(super) fn edit_remove_objective(&mut self, id: &str) -> Result<Objective, Error> {
        let node = self.expect_kind(id, NodeKind::Objective)?;
        self.refuse_if_closed(node)?;
        let source = match self.graph.node_weight(node) {
            Some(Node::Objective(o)) => o.carried_from().cloned(),
            _ => None,
        };
        let subtree = self.subtree(node);
        self.refuse_if_linked(&subtree)?;
        for edge in self.graph.edges_directed(node, Outgoing) {
            if edge.weight().counts() {
                self.check_weights(edge.target(), Some((edge.id(), None)))?;
            }
        }
        let value = self
            .objective_value(node)
            .ok_or_else(|| Error::UnknownNode(self.id_of(node)))?;
        // The original of a removed copy can be carried forward again, and
        // contributes again: its links are checked as new ones would be,
        // so the removal keeps a copy of the set to go back to (rare).
        let original = source
            .as_ref()
            .and_then(|s| self.lookup(s.as_str()))
            .filter(|&o| match self.graph.node_weight(o) {
                Some(Node::Objective(o)) => o.carried_to() == Some(&value.id),
                _ => false,
            });
        let backup = original.map(|_| self.clone());
        self.remove_nodes(&subtree);
        self.restructure(Delta {
            removed: subtree,
            ..Delta::default()
        })?;
        if let Some(original) = original {
            if let Some(Node::Objective(o)) = self.graph.node_weight_mut(original) {
                o.detail_mut().carried_to = None;
                if let Some(detail) = o.detail.take() {
                    o.detail = (*detail).boxed();
                }
            }
            if let Err(error) = self.recount_links(original) {
                if let Some(backup) = backup {
                    *self = backup;
                }
                return Err(error);
            }
        }
        Ok(value)
    }

    /// Adds a key result under an objective, or a sub-key result under a key
    /// result.
    ///
    /// # Errors
    /// [`Error::UnknownNode`] for the parent, [`Error::MetricAndSubKeyResults`]
    /// when the parent key result has a metric,
    /// [`Error::ContributesToMeasuredKeyResult`] when objectives contribute
    /// to it, [`Error::TooDeep`], [`Error::PeriodClosed`], and any error the
    /// key result itself raises.
    /// O(V + E).
    ///
    /// # Example
    /// ```
    /// use okrs::{Document, KeyResult, Metric, Objective, OkrSet};
    /// let mut set = OkrSet::from_document(Document::default()
    ///     .with_objective(Objective::new("o".parse()?, "Objective", "team")))?;
    /// set.add_key_result("o", KeyResult::new("kr".parse()?, "KR").with_metric(Metric::binary(true)))?;
    /// assert_eq!(set.progress("o").unwrap().to_string(), "1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_key_result(&mut self, parent: &str, key_result: KeyResult) -> Result<(), Error> {
        self.apply(Edit::AddKeyResult {
            parent: Id::unchecked(parent),
            key_result,
        })
        .map(drop)
    }

    /// Carries out [`add_key_result`](Self::add_key_result) for [`apply`](Self::apply).
    pub(super) fn edit_add_key_result(
        &mut self,
        parent: &str,
        key_result: KeyResult,
    ) -> Result<(), Error> {
        let parent_index = self
            .lookup(parent)
            .ok_or_else(|| Error::UnknownNode(Id::unchecked(parent)))?;
        let (objective, level, depth) = match self.graph.node_weight(parent_index) {
            Some(Node::Objective(o)) => (parent_index, o.level, 0),
            Some(Node::KeyResult(k)) => {
                if k.metric.is_some() {
                    return Err(Error::MetricAndSubKeyResults(k.id.clone()));
                }
                self.refuse_contributing_links(parent_index)?;
                (k.objective, k.level as usize, self.depth(parent_index) + 1)
            }
            _ => {
                return Err(Error::WrongKind {
                    id: self.id_of(parent_index),
                    expected: "an objective or a key result",
                });
            }
        };
        self.refuse_if_closed(parent_index)?;
        let result = (|| {
            let node = self.insert_key_result(key_result, parent_index, objective, level, depth)?;
            self.check_weights(parent_index, None)?;
            self.check_weights_of_added()?;
            Ok(node)
        })();
        let result = match result {
            Ok(node) => {
                if let Some(list) = self.children_mut(parent_index) {
                    list.push(node);
                }
                let checked = self.check_sum(parent_index, None);
                if checked.is_err() {
                    if let Some(list) = self.children_mut(parent_index) {
                        list.retain(|&n| n != node);
                    }
                }
                checked
            }
            Err(error) => Err(error),
        };
        self.finish(result)
    }

    /// Removes a key result (with its sub-key results and initiatives) and
    /// returns it.
    ///
    /// # Errors
    /// [`Error::UnknownNode`], [`Error::WrongKind`], [`Error::StillLinked`],
    /// [`Error::PeriodClosed`], [`Error::AllWeightsZero`] when its parent
    /// would be left with only zero weights. O(V + E).
    pub fn remove_key_result(&mut self, id: &str) -> Result<KeyResult, Error> {
        let value = self.node(id).and_then(|n| n.to_key_result());
        self.apply(Edit::RemoveKeyResult {
            id: Id::unchecked(id),
        })?;
        value.ok_or_else(|| Error::UnknownNode(Id::unchecked(id)))
    }

    /// Carries out [`remove_key_result`](Self::remove_key_result) for [`apply`](Self::apply).
    pub(super) fn edit_remove_key_result(&mut self, id: &str) -> Result<KeyResult, Error> {
        let node = self.expect_kind(id, NodeKind::KeyResult)?;
        self.refuse_if_closed(node)?;
        let subtree = self.subtree(node);
        self.refuse_if_linked(&subtree)?;
        let up = self.parent_edge(node);
        if let Some((edge, parent)) = up {
            self.check_weights(parent, Some((edge, None)))?;
            self.check_sum(parent, Some(node))?;
        }
        let value = self
            .key_result_value(node)
            .ok_or_else(|| Error::UnknownNode(self.id_of(node)))?;
        if let Some((_, parent)) = up {
            if let Some(list) = self.children_mut(parent) {
                list.retain(|&n| n != node);
            }
        }
        self.remove_nodes(&subtree);
        self.restructure(Delta {
            removed: subtree,
            ..Delta::default()
        })?;
        Ok(value)
    }

    /// Links an objective to the objective or key result it supports.
    ///
    /// # Errors
    /// [`Error::LinksForbidden`] under transparency,
    /// [`Error::UnknownLinkTarget`], [`Error::InvalidLinkTarget`],
    /// [`Error::LinkToLowerLevel`], [`Error::DuplicateLink`],
    /// [`Error::ContributesToMeasuredKeyResult`], [`Error::AllWeightsZero`],
    /// [`Error::PeriodClosed`] when the source's period is closed, and
    /// [`Error::Cycle`] with the cycle's path. On error the set is
    /// unchanged.
    ///
    /// Complexity: the cycle check searches upward from the target through
    /// nodes on the same level only (a link to a higher level cannot close a
    /// cycle), then the plan is updated in place and the target's ancestors
    /// rolled up (see `restructure`).
    ///
    /// # Example
    /// ```
    /// use okrs::{AlignmentModel, Document, Error, Link, Objective, OkrSet};
    /// let doc = Document::new(AlignmentModel::Cascading)
    ///     .with_objective(Objective::new("a".parse()?, "A", "team"))
    ///     .with_objective(Objective::new("b".parse()?, "B", "team").with_link(Link::new("a".parse()?)));
    /// let mut set = OkrSet::from_document(doc)?;
    /// let before = set.clone();
    /// let err = set.add_link("a", Link::new("b".parse()?)).unwrap_err();
    /// assert!(matches!(err, Error::Cycle { .. }));
    /// assert_eq!(err.to_string(), "alignment cycle: a -> b -> a");
    /// assert_eq!(set, before);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_link(&mut self, from: &str, link: Link) -> Result<(), Error> {
        self.apply(Edit::AddLink {
            from: Id::unchecked(from),
            link,
        })
        .map(drop)
    }

    /// Carries out [`add_link`](Self::add_link) for [`apply`](Self::apply).
    pub(super) fn edit_add_link(&mut self, from: &str, link: Link) -> Result<(), Error> {
        let from_index = self.expect_kind(from, NodeKind::Objective)?;
        self.refuse_if_closed(from_index)?;
        let edge = self.insert_link(from_index, link, Insertion::Edit)?;
        let target = self.graph.edge_endpoints(edge).map(|(_, t)| t);
        if let Some(target) = target {
            if let Err(error) = self.check_weights(target, None) {
                self.graph.remove_edge(edge);
                if let Some(Node::Objective(o)) = self.graph.node_weight_mut(from_index) {
                    o.links.pop();
                }
                return Err(error);
            }
        }
        let linked = self.counting_edge(edge).into_iter().collect();
        self.restructure(Delta {
            linked,
            ..Delta::default()
        })
    }

    /// Removes a link and returns it.
    ///
    /// # Errors
    /// [`Error::UnknownLink`] (or [`Error::UnknownNode`]),
    /// [`Error::PeriodClosed`] when the source's period is closed,
    /// [`Error::AllWeightsZero`] when the target would be left with only
    /// zero weights. O(V + E).
    pub fn remove_link(&mut self, from: &str, target: &str) -> Result<Link, Error> {
        let (edge, target_index) = self.find_link(from, target)?;
        let value = self
            .link_value(edge)
            .ok_or_else(|| Error::UnknownNode(self.id_of(target_index)))?;
        self.apply(Edit::RemoveLink {
            from: Id::unchecked(from),
            target: Id::unchecked(target),
        })?;
        Ok(value)
    }

    /// Carries out [`remove_link`](Self::remove_link) for [`apply`](Self::apply).
    pub(super) fn edit_remove_link(&mut self, from: &str, target: &str) -> Result<Link, Error> {
        let (edge, target_index) = self.find_link(from, target)?;
        if let Some(from_index) = self.lookup(from) {
            self.refuse_if_closed(from_index)?;
        }
        self.check_weights(target_index, Some((edge, None)))?;
        let link = self
            .link_value(edge)
            .ok_or_else(|| Error::UnknownNode(self.id_of(target_index)))?;
        let unlinked = self.counting_edge(edge).into_iter().collect();
        self.graph.remove_edge(edge);
        if let Some(from_index) = self.lookup(from) {
            if let Some(Node::Objective(o)) = self.graph.node_weight_mut(from_index) {
                o.links.retain(|&e| e != edge);
            }
        }
        self.restructure(Delta {
            unlinked,
            ..Delta::default()
        })?;
        Ok(link)
    }

    /// Changes a key result's weight within its parent.
    ///
    /// # Errors
    /// [`Error::UnknownNode`], [`Error::WrongKind`], [`Error::PeriodClosed`],
    /// [`Error::AllWeightsZero`], [`Error::WeightOverflow`]. O(V + E).
    pub fn set_weight(&mut self, key_result: &str, weight: Weight) -> Result<(), Error> {
        self.apply(Edit::SetWeight {
            id: Id::unchecked(key_result),
            weight,
        })
        .map(drop)
    }

    /// Carries out [`set_weight`](Self::set_weight) for [`apply`](Self::apply).
    pub(super) fn edit_set_weight(
        &mut self,
        key_result: &str,
        weight: Weight,
    ) -> Result<(), Error> {
        let node = self.expect_kind(key_result, NodeKind::KeyResult)?;
        self.refuse_if_closed(node)?;
        let up = self.parent_edge(node);
        let Some((edge, parent)) = up else {
            return Err(Error::UnknownNode(self.id_of(node)));
        };
        self.reweigh(edge, parent, weight)
    }

    /// Changes the weight of a link.
    ///
    /// # Errors
    /// [`Error::UnknownLink`], [`Error::PeriodClosed`],
    /// [`Error::AllWeightsZero`], [`Error::WeightOverflow`]. O(V + E).
    pub fn set_link_weight(
        &mut self,
        from: &str,
        target: &str,
        weight: Weight,
    ) -> Result<(), Error> {
        self.apply(Edit::SetLinkWeight {
            from: Id::unchecked(from),
            target: Id::unchecked(target),
            weight,
        })
        .map(drop)
    }

    /// Carries out [`set_link_weight`](Self::set_link_weight) for [`apply`](Self::apply).
    pub(super) fn edit_set_link_weight(
        &mut self,
        from: &str,
        target: &str,
        weight: Weight,
    ) -> Result<(), Error> {
        let (edge, target_index) = self.find_link(from, target)?;
        if let Some(from_index) = self.lookup(from) {
            self.refuse_if_closed(from_index)?;
        }
        self.reweigh(edge, target_index, weight)
    }

    /// Replaces a key result's metric (`None` makes it measured by the
    /// objectives that contribute to it) and rolls the change up
    /// incrementally.
    ///
    /// # Errors
    /// [`Error::InvalidMetric`], [`Error::MetricAndSubKeyResults`],
    /// [`Error::ContributesToMeasuredKeyResult`], [`Error::PeriodClosed`];
    /// with a check-in history, [`Error::NoMetric`],
    /// [`Error::CurrentAndCheckIns`], [`Error::CheckInValue`] and
    /// [`Error::PhaseOnUnphasedMetric`] when the new metric does not fit it.
    /// The set is unchanged on error.
    ///
    /// Complexity: O(C × M) to check C check-ins against M milestones, plus
    /// O(A log A) for the A nodes the key result rolls into.
    ///
    /// # Example
    /// ```
    /// use okrs::{Document, KeyResult, Metric, Objective, OkrSet};
    /// let mut set = OkrSet::from_document(Document::default().with_objective(
    ///     Objective::new("o".parse()?, "O", "team").with_key_result(
    ///         KeyResult::new("kr".parse()?, "KR").with_metric(Metric::numeric(0.into(), 4.into())))))?;
    /// set.set_metric("kr", Some(Metric::numeric(0.into(), 4.into()).with_current(1.into())))?;
    /// assert_eq!(set.progress("o").unwrap().to_string(), "0.25");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_metric(&mut self, key_result: &str, metric: Option<Metric>) -> Result<(), Error> {
        self.apply(Edit::SetMetric {
            id: Id::unchecked(key_result),
            metric,
        })
        .map(drop)
    }

    /// Replaces many key results' metrics at once, all or nothing, and rolls
    /// them up in one incremental pass: each node they reach is recomputed
    /// once. The batch form of [`set_metric`](Self::set_metric), for
    /// check-ins that arrive together.
    ///
    /// # Errors
    /// The first error `set_metric` would raise for any of them; then none
    /// is applied and the set is unchanged.
    ///
    /// Complexity: O(B) to validate B metrics (times their check-in
    /// histories), plus O(A log A) for the A distinct nodes they roll into.
    ///
    /// # Example
    /// ```
    /// use okrs::{Document, KeyResult, Metric, Objective, OkrSet};
    /// let mut set = OkrSet::from_document(Document::default().with_objective(
    ///     Objective::new("o".parse()?, "O", "team")
    ///         .with_key_result(KeyResult::new("a".parse()?, "A").with_metric(Metric::binary(false)))
    ///         .with_key_result(KeyResult::new("b".parse()?, "B").with_metric(Metric::binary(false)))))?;
    /// set.set_metric_many([("a", Some(Metric::binary(true))), ("b", Some(Metric::binary(true)))])?;
    /// assert_eq!(set.progress("o").unwrap().to_string(), "1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_metric_many<I, S>(&mut self, metrics: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = (S, Option<Metric>)>,
        S: AsRef<str>,
    {
        let edits: Vec<Edit> = metrics
            .into_iter()
            .map(|(key_result, metric)| Edit::SetMetric {
                id: Id::unchecked(key_result.as_ref()),
                metric,
            })
            .collect();
        self.apply_all(edits).map(drop)
    }

    /// Sets many metrics, all validated against the set as it is before
    /// any changes, then rolled up in one incremental pass.
    pub(super) fn edit_set_metrics(
        &mut self,
        metrics: Vec<(Id, Option<Metric>)>,
    ) -> Result<(), Error> {
        let mut accepted: Vec<(NodeIndex, Option<Metric>)> = Vec::new();
        for (key_result, metric) in metrics {
            let node = self.validate_metric(key_result.as_str(), metric.as_ref())?;
            accepted.push((node, metric));
        }
        // A `sum-of-values` parent checks its sub-key results as they will
        // be, all changes made (a batch may change every unit at once): the
        // metrics they replace are kept to put back on a refusal.
        let summed = accepted.iter().any(|&(n, _)| self.sums_values_under(n));
        let mut changed: Vec<NodeIndex> = Vec::with_capacity(accepted.len());
        let mut before: Vec<(NodeIndex, Option<Metric>)> = Vec::new();
        for (node, metric) in accepted {
            if let Some(Node::KeyResult(k)) = self.graph.node_weight_mut(node) {
                // With a history the value comes from the check-ins: a
                // metric's `current` there is only its shape's start.
                let history = !k.check_ins().is_empty();
                let metric = metric
                    .map(|m| if history { m.at_start() } else { m })
                    .map(tidy_metric);
                let old = std::mem::replace(&mut k.metric, metric);
                if summed {
                    before.push((node, old));
                }
            }
            changed.push(node);
        }
        if summed {
            let parents: Vec<NodeIndex> = changed
                .iter()
                .filter_map(|&n| self.parent_edge(n).map(|(_, p)| p))
                .collect();
            if let Err(error) = parents
                .into_iter()
                .try_for_each(|p| self.check_sum(p, None))
            {
                for (node, metric) in before.into_iter().rev() {
                    if let Some(Node::KeyResult(k)) = self.graph.node_weight_mut(node) {
                        k.metric = metric;
                    }
                }
                return Err(error);
            }
        }
        self.refresh_leaves(changed);
        Ok(())
    }

    /// Whether a key result's parent is a key result that sums values.
    /// O(1).
    fn sums_values_under(&self, node: NodeIndex) -> bool {
        self.graph
            .neighbors_directed(node, Outgoing)
            .next()
            .is_some_and(|parent| {
                matches!(self.graph.node_weight(parent), Some(Node::KeyResult(_)))
                    && self
                        .strategies
                        .sums_values(strategy_of(&self.graph, parent))
            })
    }

    /// Everything [`set_metric`](Self::set_metric) checks before it applies.
    pub(super) fn validate_metric(
        &self,
        key_result: &str,
        metric: Option<&Metric>,
    ) -> Result<NodeIndex, Error> {
        let node = self.expect_kind(key_result, NodeKind::KeyResult)?;
        self.refuse_if_closed(node)?;
        let Some(Node::KeyResult(k)) = self.graph.node_weight(node) else {
            return Err(Error::UnknownNode(self.id_of(node)));
        };
        if let Some(metric) = metric {
            metric.validate().map_err(|source| Error::InvalidMetric {
                key_result: k.id.clone(),
                source,
            })?;
            if !k.key_results().is_empty() {
                return Err(Error::MetricAndSubKeyResults(k.id.clone()));
            }
            if self.strategies.sums_values(strategy_of(&self.graph, node)) {
                return Err(Error::MisplacedStrategy {
                    name: SUM_OF_VALUES.to_owned(),
                    id: Some(k.id.clone()),
                });
            }
            self.refuse_contributing_links(node)?;
        }
        // With a history only the metric's shape counts (its `current`
        // gives way to the check-ins); without one it is taken as given.
        let shape;
        let metric = if k.check_ins().is_empty() {
            metric
        } else {
            shape = metric.map(Metric::at_start);
            shape.as_ref()
        };
        check_history(&k.id, metric, k.check_ins(), k.phases())?;
        Ok(node)
    }

    /// Rolls the whole set up again from its key results' own progress.
    /// The set is always rolled up, so this changes nothing: it is the full
    /// pass that benchmarks measure and that incremental roll-ups must equal.
    /// O(V + E), no allocation.
    ///
    /// # Example
    /// ```
    /// let mut set = okrs::OkrSet::from_document(okrs::sample::synthetic(500, 1))?;
    /// let before = set.clone();
    /// set.recompute();
    /// assert_eq!(set, before);
    /// # Ok::<(), okrs::Error>(())
    /// ```
    pub fn recompute(&mut self) {
        self.state.full(&self.strategies);
    }

    /// Recomputes the own progress of key results whose metric or latest
    /// check-in changed, each once, and rolls them up in one incremental
    /// pass. O(K log K + A log A) for K key results and A ancestors.
    pub(super) fn refresh_leaves(&mut self, mut nodes: Vec<NodeIndex>) {
        nodes.sort_unstable();
        nodes.dedup();
        let graph = &self.graph;
        let (strategies, cap) = (&self.strategies, self.cap);
        let leaves = nodes
            .into_iter()
            .map(|node| (node, leaf(graph, strategies, node, None, cap)));
        self.state.update_leaves(leaves, strategies);
    }

    pub(super) fn children_mut(&mut self, node: NodeIndex) -> Option<&mut Vec<NodeIndex>> {
        match self.graph.node_weight_mut(node) {
            Some(Node::Objective(o)) => Some(&mut o.key_results),
            Some(Node::KeyResult(k)) => Some(&mut k.detail_mut().key_results),
            _ => None,
        }
    }

    /// Adds a node to the graph, the id index and the edit's record.
    pub(super) fn add_node(&mut self, node: Node) -> Result<NodeIndex, Error> {
        let index = self.graph.add_node(node);
        if self.index.insert(&self.graph, index).is_err() {
            let id = self.id_of(index);
            self.remove_from_graph(index);
            return Err(Error::DuplicateId(id));
        }
        self.added.push(index);
        Ok(index)
    }

    /// Inserts the objective and its key results (not its links). On error
    /// the nodes inserted so far stay: callers roll back with [`Self::finish`].
    pub(super) fn insert_objective(&mut self, objective: Objective) -> Result<NodeIndex, Error> {
        if self.contains(objective.id.as_str()) {
            return Err(Error::DuplicateId(objective.id));
        }
        require_title(&objective.id, &objective.title)?;
        require_owners(&objective.id, &objective.owners)?;
        self.check_visibility(&objective.id, objective.visibility, &objective.viewers)?;
        let level = self
            .levels
            .rank(&objective.level)
            .ok_or_else(|| Error::UnknownLevel {
                objective: objective.id.clone(),
                level: objective.level.clone(),
            })?;
        let strategy = match &objective.strategy {
            Some(name) => self
                .strategies
                .find(name)
                .ok_or_else(|| Error::UnknownStrategy {
                    name: name.clone(),
                    objective: Some(objective.id.clone()),
                })?,
            None => self.default_strategy,
        };
        if self.strategies.sums_values(strategy) {
            return Err(Error::MisplacedStrategy {
                name: SUM_OF_VALUES.to_owned(),
                id: Some(objective.id),
            });
        }
        if let Some(share) = objective.aligned_share {
            if share < Decimal::ZERO || share > Decimal::ONE {
                return Err(Error::InvalidAlignedShare {
                    objective: objective.id,
                    share,
                });
            }
        }
        let strategy = to_u32(strategy);
        let period = match &objective.period {
            Some(period) => {
                Some(
                    self.periods
                        .get_index_of(period)
                        .ok_or_else(|| Error::UnknownPeriod {
                            period: period.clone(),
                            by: objective.id.clone(),
                        })?,
                )
            }
            None => None,
        };
        let title = self
            .titles
            .add(&objective.title)
            .ok_or_else(|| Error::TitlesFull(objective.id.clone()))?;
        let node = self.add_node(Node::Objective(ObjectiveNode {
            id: objective.id,
            title,
            level,
            commitment: objective.commitment,
            strategy,
            period,
            progress_from: objective.progress_from,
            key_results: Vec::with_capacity(objective.key_results.len()),
            links: Vec::new(),
            detail: ObjectiveDetail {
                owners: objective.owners,
                description: non_empty(objective.description),
                strategy: objective.strategy,
                carried_from: objective.carried_from,
                carried_to: objective.carried_to,
                aligned_share: objective.aligned_share,
                private: (!objective.visibility.is_public()).then_some(objective.viewers),
                folded: None,
            }
            .boxed(),
        }))?;
        self.objectives.push(node);
        for key_result in objective.key_results {
            let child = self.insert_key_result(key_result, node, node, level, 0)?;
            if let Some(list) = self.children_mut(node) {
                list.push(child);
            }
        }
        Ok(node)
    }

    pub(super) fn insert_key_result(
        &mut self,
        key_result: KeyResult,
        parent: NodeIndex,
        objective: NodeIndex,
        level: usize,
        depth: usize,
    ) -> Result<NodeIndex, Error> {
        let id = key_result.id;
        if self.contains(id.as_str()) {
            return Err(Error::DuplicateId(id));
        }
        if depth > MAX_DEPTH {
            return Err(Error::TooDeep(id));
        }
        require_title(&id, &key_result.title)?;
        require_owners(&id, &key_result.owners)?;
        if let Some(metric) = &key_result.metric {
            metric.validate().map_err(|source| Error::InvalidMetric {
                key_result: id.clone(),
                source,
            })?;
            if !key_result.key_results.is_empty() {
                return Err(Error::MetricAndSubKeyResults(id));
            }
        }
        let strategy = match key_result.strategy {
            Some(name) => {
                let index = self
                    .strategies
                    .find(&name)
                    .ok_or_else(|| Error::UnknownStrategy {
                        name: name.clone(),
                        objective: Some(id.clone()),
                    })?;
                if self.strategies.sums_values(index) && key_result.metric.is_some() {
                    return Err(Error::MisplacedStrategy { name, id: Some(id) });
                }
                Some((name, to_u32(index)))
            }
            None => None,
        };
        let mut check_ins: Vec<CheckIn> = key_result
            .check_ins
            .into_iter()
            .map(tidy_check_in)
            .collect();
        // In the order they happened, in the set's time zone; check-ins at
        // the same instant keep the document's order (the later counts).
        let zone = &self.zone;
        if !check_ins.is_sorted_by_key(|c| c.at.instant_in(zone)) {
            check_ins.sort_by_cached_key(|c| c.at.instant_in(zone));
        }
        let deleted: Vec<DeletedCheckIn> = key_result
            .deleted_check_ins
            .into_iter()
            .map(|mut d| {
                d.check_in = tidy_check_in(d.check_in);
                d
            })
            .collect();
        let issued = number_check_ins(&id, &mut check_ins, &deleted)?;
        let mut phases = key_result.phases;
        phases.sort_by_key(|p| p.at);
        check_history(&id, key_result.metric.as_ref(), &check_ins, &phases)?;
        self.check_dates(&id, objective, &check_ins, &phases)?;
        self.check_confidences(&id, &check_ins)?;
        let level_rank = to_u32(level);
        let title = self
            .titles
            .add(&key_result.title)
            .ok_or_else(|| Error::TitlesFull(id.clone()))?;
        let node = self.add_node(Node::KeyResult(KeyResultNode {
            id,
            title,
            // A `current` that repeats the latest check-in (all that
            // `check_history` lets through) is kept as the check-in alone.
            metric: key_result
                .metric
                .map(|m| {
                    if check_ins.is_empty() {
                        m
                    } else {
                        m.at_start()
                    }
                })
                .map(tidy_metric),
            objective,
            level: level_rank,
            detail: KeyResultDetail {
                owners: key_result.owners,
                description: non_empty(key_result.description),
                check_ins: History::from_vec(check_ins),
                phases,
                key_results: Vec::new(),
                initiatives: Vec::new(),
                deleted,
                issued,
                strategy,
            }
            .boxed(),
        }))?;
        self.graph.add_edge(
            node,
            parent,
            Edge {
                kind: EdgeKind::KeyResult,
                weight: key_result.weight,
            },
        );
        for sub in key_result.key_results {
            let child = self.insert_key_result(sub, node, objective, level, depth + 1)?;
            if let Some(list) = self.children_mut(node) {
                list.push(child);
            }
        }
        self.check_sum(node, None)?;
        for initiative in key_result.initiatives {
            if self.contains(initiative.id.as_str()) {
                return Err(Error::DuplicateId(initiative.id));
            }
            require_title(&initiative.id, &initiative.title)?;
            require_owners(&initiative.id, &initiative.owners)?;
            let child = self.add_node(Node::Initiative(initiative))?;
            self.graph.add_edge(
                child,
                node,
                Edge {
                    kind: EdgeKind::Initiative,
                    weight: Weight::ZERO,
                },
            );
            if let Some(Node::KeyResult(k)) = self.graph.node_weight_mut(node) {
                k.detail_mut().initiatives.push(child);
            }
        }
        Ok(node)
    }

    /// Validates and inserts one link. An edit's link is refused here when
    /// it repeats a link or closes a cycle; a load refuses repeats itself
    /// (a search of the source's links per link is quadratic in an
    /// objective with thousands of them) and cycles once, at the end.
    pub(super) fn insert_link(
        &mut self,
        from: NodeIndex,
        link: Link,
        insertion: Insertion,
    ) -> Result<EdgeIndex, Error> {
        let check_cycle = insertion == Insertion::Edit;
        let from_id = self.id_of(from);
        if self.alignment == AlignmentModel::Transparency {
            return Err(Error::LinksForbidden(from_id));
        }
        let target = self
            .lookup(link.id.as_str())
            .ok_or_else(|| Error::UnknownLinkTarget {
                from: from_id.clone(),
                target: link.id.clone(),
            })?;
        let invalid = || Error::InvalidLinkTarget {
            from: from_id.clone(),
            target: link.id.clone(),
        };
        if target == from {
            return Err(invalid());
        }
        if self.is_private(target) && !self.is_private(from) {
            return Err(Error::PublicAlignedToPrivate {
                from: from_id,
                target: link.id,
            });
        }
        let from_level = sure(
            self.graph.node_weight(from).and_then(Node::level),
            "objectives have a level",
        );
        let target_node = self.graph.node_weight(target).ok_or_else(invalid)?;
        let target_level = target_node.level().ok_or_else(invalid)?;
        if target_level > from_level {
            return Err(Error::LinkToLowerLevel {
                from: from_id,
                from_level: self.level_name(from_level),
                target: link.id,
                target_level: self.level_name(target_level),
            });
        }
        if check_cycle && self.graph.find_edge(from, target).is_some() {
            return Err(Error::DuplicateLink {
                from: from_id,
                target: link.id,
            });
        }
        let contributes = self.contributes(from, link.contributes);
        if contributes && self.measured_on_its_own(target) {
            return Err(Error::ContributesToMeasuredKeyResult {
                from: from_id,
                target: link.id,
            });
        }
        if check_cycle && target_level == from_level {
            if let Some(path) = graph::path_up(&self.graph, target, from, from_level) {
                let mut ids = vec![from_id];
                ids.extend(path.into_iter().map(|n| self.id_of(n)));
                return Err(Error::Cycle { path: ids });
            }
        }
        let edge = self.graph.add_edge(
            from,
            target,
            Edge {
                kind: EdgeKind::Link {
                    stated: link.contributes,
                    contributes,
                },
                weight: link.weight,
            },
        );
        if let Some(Node::Objective(o)) = self.graph.node_weight_mut(from) {
            o.links.push(edge);
        }
        Ok(edge)
    }

    pub(super) fn reweigh(
        &mut self,
        edge: EdgeIndex,
        target: NodeIndex,
        weight: Weight,
    ) -> Result<(), Error> {
        self.check_weights(target, Some((edge, Some(weight))))?;
        let before = self.graph.edge_weight(edge).map(|e| e.weight);
        if let Some(e) = self.graph.edge_weight_mut(edge) {
            e.weight = weight;
        }
        if let Err(error) = self.check_sum(target, None) {
            if let (Some(e), Some(before)) = (self.graph.edge_weight_mut(edge), before) {
                e.weight = before;
            }
            return Err(error);
        }
        let reweighed = self.counting_edge(edge).into_iter().collect();
        self.restructure(Delta {
            reweighed,
            ..Delta::default()
        })
    }

    /// An edge's source and target, if progress flows along it and its
    /// target counts it (an objective's `progress_from`).
    pub(super) fn counting_edge(&self, edge: EdgeIndex) -> Option<(NodeIndex, NodeIndex)> {
        let (source, target) = self.graph.edge_endpoints(edge)?;
        let data = self.graph.edge_weight(edge)?;
        counted(&self.graph, data.kind, target, self.progress_from).then_some((source, target))
    }

    /// The node and everything that hangs under it. O(size).
    pub(super) fn subtree(&self, root: NodeIndex) -> Vec<NodeIndex> {
        let mut out = Vec::new();
        let mut stack = vec![root];
        while let Some(node) = stack.pop() {
            out.push(node);
            stack.extend(self.graph.edges_directed(node, Incoming).filter_map(|e| {
                (!matches!(e.weight().kind, EdgeKind::Link { .. })).then_some(e.source())
            }));
        }
        out
    }

    /// Removes nodes from the graph, the id index and the objectives' order.
    /// O(nodes + objectives).
    pub(super) fn remove_nodes(&mut self, nodes: &[NodeIndex]) {
        for &node in nodes {
            if matches!(self.graph.node_weight(node), Some(Node::Objective(_))) {
                // From the end: the objectives added last go first most
                // often (a refused edit, an undo).
                if let Some(at) = self.objectives.iter().rposition(|&n| n == node) {
                    self.objectives.remove(at);
                }
            }
        }
        for &node in nodes {
            self.index.remove(&self.graph, node);
            self.remove_from_graph(node);
        }
        graph::compact_titles(&mut self.graph, &mut self.titles);
    }

    /// Removes a node from the graph and counts its title as unused.
    pub(super) fn remove_from_graph(&mut self, node: NodeIndex) {
        if let Some(title) = self
            .graph
            .remove_node(node)
            .as_ref()
            .and_then(Node::title_ref)
        {
            self.titles.release(title);
        }
    }

    /// Commits an edit that inserted the nodes in `added`, or rolls it back.
    pub(super) fn finish(&mut self, result: Result<(), Error>) -> Result<(), Error> {
        let added = std::mem::take(&mut self.added);
        match result {
            Ok(()) => {
                let result = self.restructure(Delta {
                    added: added.clone(),
                    ..Delta::default()
                });
                if result.is_err() {
                    self.remove_nodes(&added);
                    // Ignoring the result is sound: the graph is what it was before.
                    let _ = self.rebuild();
                }
                result
            }
            // The plan never saw the nodes: dropping them from the graph
            // is all the rollback there is.
            Err(error) => {
                self.remove_nodes(&added);
                Err(error)
            }
        }
    }

    /// Brings the roll-up up to date with a structural edit made in the
    /// graph: incrementally ([`State::restructure`](crate::engine::rollup::State::restructure)),
    /// or, inside a transaction that defers, by one recompilation later.
    /// A single edit's cycle check is [`insert_link`](Self::insert_link)'s
    /// (links never point down the levels, so only a same-level link can
    /// close a cycle, and it searches that level); bulk loads and
    /// transactions keep the global one in [`rebuild`](Self::rebuild).
    /// Recompiles the plan once the space edits abandoned outweighs it
    /// (amortised O(1) per edit).
    pub(super) fn restructure(&mut self, delta: Delta) -> Result<(), Error> {
        if self.deferring || self.stale {
            return self.rebuild();
        }
        let graph = &self.graph;
        let (strategies, cap) = (&self.strategies, self.cap);
        self.state.restructure(
            graph,
            delta,
            |node| leaf(graph, strategies, node, None, cap),
            strategies,
        );
        if self.state.plan().wasteful() {
            self.rebuild()?;
        }
        Ok(())
    }

    /// Refuses a cycle, recompiles the roll-up plan and rolls everything
    /// up. O(V + E).
    pub(super) fn rebuild(&mut self) -> Result<(), Error> {
        self.rebuild_on(1)
    }

    /// [`rebuild`](Self::rebuild), with each key result's own progress
    /// worked out on a second thread while this one refuses cycles and
    /// compiles the plan when `threads` allows two: the same set and the
    /// same error either way. O(V + E).
    pub(super) fn rebuild_on(&mut self, threads: usize) -> Result<(), Error> {
        if self.deferring {
            // A transaction recompiles once its run of structural edits
            // ends (see `apply_all`).
            self.stale = true;
            return Ok(());
        }
        self.stale = false;
        let graph = &self.graph;
        let (strategies, cap, config) = (&self.strategies, self.cap, self.config());
        let compile = || match graph::find_cycle(graph) {
            Some(cycle) => Err(cycle),
            None => Ok(Plan::build(graph, strategies, config)),
        };
        let own = || {
            let mut leaves = vec![Leaf::default(); NodeIndexable::node_bound(graph)];
            for node in graph.node_indices() {
                if let Some(slot) = leaves.get_mut(node.index()) {
                    *slot = leaf(graph, strategies, node, None, cap);
                }
            }
            leaves
        };
        let (planned, leaves) = if threads < 2 {
            (compile(), None)
        } else {
            let (planned, leaves) = super::beside(compile, own);
            (planned, Some(leaves))
        };
        let plan = planned.map_err(|cycle| Error::Cycle {
            path: cycle.into_iter().map(|n| self.id_of(n)).collect(),
        })?;
        match leaves {
            Some(leaves) => self.state.rebuild(
                plan,
                |node| sure(leaves.get(node.index()).copied(), "a leaf for every node"),
                strategies,
            ),
            // One thread works each leaf out as the plan reaches it,
            // without a list of them all.
            None => self.state.rebuild(
                plan,
                |node| leaf(graph, strategies, node, None, cap),
                strategies,
            ),
        }
        Ok(())
    }
}

/// A key result's own standing as of a date in the set's time zone
/// (`None`: with every check-in): the progress of its metric and, for a
/// numeric sub-key result of a `sum-of-values` key result, the raw values
/// its parent adds up; 0 for every other node.
pub(crate) fn leaf(
    graph: &Graph,
    strategies: &Strategies,
    node: NodeIndex,
    as_of: Option<AsOf<'_>>,
    cap: Decimal,
) -> Leaf {
    let Some(Node::KeyResult(k)) = graph.node_weight(node) else {
        return Leaf::default();
    };
    let progress = k.progress_as_of(as_of, cap);
    let raw = match &k.metric {
        Some(metric @ Metric::Numeric { start, target, .. }) => {
            let parent = graph.neighbors_directed(node, Outgoing).next();
            let summed = parent.is_some_and(|p| {
                matches!(graph.node_weight(p), Some(Node::KeyResult(_)))
                    && strategies.sums_values(strategy_of(graph, p))
            });
            summed
                .then(|| {
                    let value = metric.value_at(k.value_as_of(as_of))?;
                    Some((value.checked_sub(*start)?, target.checked_sub(*start)?))
                })
                .flatten()
        }
        _ => None,
    };
    Leaf { progress, raw }
}

pub(super) fn tidy_metric(mut metric: Metric) -> Metric {
    if let Metric::Numeric { unit, .. } = &mut metric {
        *unit = non_empty(unit.take());
    }
    metric
}
