//! [`OkrSet`]: the validated model held as a graph. Owns every rule of the
//! model (ids, levels, weights, metrics, the alignment policy, cycle
//! refusal), the edits that keep those rules, and the current roll-up.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;
use petgraph::Direction::{Incoming, Outgoing};
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::graph::{
    self, Edge, EdgeKind, Graph, IdIndex, KeyResultDetail, KeyResultNode, Node, ObjectiveDetail,
    ObjectiveNode, Titles,
};
use crate::rollup::{Plan, State, Strategies};
use crate::{
    AggregationStrategy, AlignmentModel, Band, CheckIn, Commitment, Document, Error, GapPolicy,
    GoogleScale, GradingScale, Id, Initiative, KeyResult, Levels, Link, LintSettings, Metric,
    Objective, Period, Progress, StatusPolicy, Weight,
};

mod impact;
mod periods;

use periods::check_history;
pub use periods::{CarryForward, PeriodMismatch};

/// How deep sub-key results may nest below a key result.
///
/// Deeper nesting is refused with [`Error::TooDeep`]. `KeyResult`'s derived
/// serde, `Clone` and `Drop` recurse, so read documents only through formats
/// with a recursion limit (serde_json has one: 128) and do not build
/// key results nested thousands deep by hand.
pub const MAX_DEPTH: usize = 16;

/// A validated set of OKRs: objectives, key results, sub-key results and
/// initiatives held in an acyclic alignment graph, always rolled up.
///
/// Every edit either succeeds or returns an [`Error`] naming the offending
/// node and leaves the set exactly as it was (`==` to before). Reads are
/// O(1) lookups of the current roll-up.
///
/// # Example
/// ```
/// use okrs::{Band, OkrSet};
///
/// let set = OkrSet::from_json(r#"{
///   "format": "okrs/1",
///   "objectives": [{
///     "id": "grow-bizops", "title": "Grow the BizOps team", "level": "team",
///     "key_results": [
///       { "id": "hire-assistant", "title": "Hire 1 assistant", "weight": "20",
///         "metric": { "kind": "binary", "done": true } },
///       { "id": "hire-sdrs", "title": "Hire 3 SDRs", "weight": "30",
///         "metric": { "kind": "numeric", "start": 0, "target": 3, "current": 3 } },
///       { "id": "onboarding", "title": "Set up onboarding", "weight": "50",
///         "metric": { "kind": "binary", "done": false } } ] }] }"#)?;
/// assert_eq!(set.progress("grow-bizops").unwrap().to_string(), "0.5");
/// assert_eq!(set.band("grow-bizops"), Some(Band::Yellow));
/// # Ok::<(), okrs::LoadError>(())
/// ```
#[derive(Debug, Clone)]
pub struct OkrSet {
    alignment: AlignmentModel,
    grading: String,
    default_strategy: usize,
    levels: Levels,
    cap: Decimal,
    graph: Graph,
    /// The titles of objectives and key results (initiatives keep their own).
    titles: Titles,
    index: IdIndex,
    /// Objectives in document order.
    objectives: Vec<NodeIndex>,
    /// The nodes the edit in progress has inserted, for its rollback; empty
    /// between edits.
    added: Vec<NodeIndex>,
    strategies: Strategies,
    scale: Arc<dyn GradingScale>,
    status_policy: Arc<dyn StatusPolicy>,
    periods: IndexMap<Id, Period>,
    lint: LintSettings,
    state: State,
}

/// Sets up custom aggregation strategies and a grading scale before a set is
/// loaded.
///
/// # Example
/// ```
/// use okrs::{AggregationStrategy, Contribution, Decimal, Document, OkrSet};
///
/// #[derive(Debug)]
/// struct Max;
/// impl AggregationStrategy for Max {
///     fn name(&self) -> &str { "max" }
///     fn aggregate(&self, c: &[Contribution]) -> Decimal {
///         c.iter().map(|c| c.progress.value()).max().unwrap_or_default()
///     }
/// }
/// let mut doc = Document::default();
/// doc.grading = "max".into();
/// let set = OkrSet::builder().strategy(Max).build(doc)?;
/// assert_eq!(set.grading(), "max");
/// # Ok::<(), okrs::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SetBuilder {
    strategies: Strategies,
    scale: Arc<dyn GradingScale>,
    status_policy: Arc<dyn StatusPolicy>,
}

impl Default for SetBuilder {
    fn default() -> Self {
        Self {
            strategies: Strategies::default(),
            scale: Arc::new(GoogleScale::default()),
            status_policy: Arc::new(GapPolicy::default()),
        }
    }
}

impl SetBuilder {
    /// Registers an aggregation strategy under its [`name`](AggregationStrategy::name);
    /// a strategy named like a built-in replaces it. O(1).
    #[must_use]
    pub fn strategy(mut self, strategy: impl AggregationStrategy + 'static) -> Self {
        self.strategies.register(Arc::new(strategy));
        self
    }

    /// Replaces the grading scale (default [`GoogleScale`]). O(1).
    #[must_use]
    pub fn grading_scale(mut self, scale: impl GradingScale + 'static) -> Self {
        self.scale = Arc::new(scale);
        self
    }

    /// Replaces the status policy (default [`GapPolicy`]). O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{Document, GapPolicy, ObjectiveStatusRule, OkrSet};
    /// let perdoo = GapPolicy::default().with_objective_rule(ObjectiveStatusRule::WeakestKeyResult);
    /// let set = OkrSet::builder().status_policy(perdoo).build(Document::default())?;
    /// # Ok::<(), okrs::Error>(())
    /// ```
    #[must_use]
    pub fn status_policy(mut self, policy: impl StatusPolicy + 'static) -> Self {
        self.status_policy = Arc::new(policy);
        self
    }

    /// Validates a document and builds the set.
    ///
    /// # Errors
    /// The first [`Error`] found: a duplicate id, an empty title, an unknown
    /// level or strategy, an invalid metric, weights that all weigh zero, a
    /// link the alignment model forbids, a cycle (with its path), …
    ///
    /// Complexity: O(V + E) for V nodes and E links, plus O(L) per link for
    /// the duplicate check (L = that objective's links).
    pub fn build(self, document: Document) -> Result<OkrSet, Error> {
        if document.progress_cap < Decimal::ONE {
            return Err(Error::InvalidProgressCap(document.progress_cap));
        }
        if let Some(rule) = document.lint.unknown_rule() {
            return Err(Error::UnknownRule(rule.to_owned()));
        }
        let default_strategy =
            self.strategies
                .find(&document.grading)
                .ok_or_else(|| Error::UnknownStrategy {
                    name: document.grading.clone(),
                    objective: None,
                })?;
        let size = DocumentSize::of(&document);
        let mut set = OkrSet {
            alignment: document.alignment,
            grading: document.grading,
            default_strategy,
            levels: document.levels,
            cap: document.progress_cap,
            graph: Graph::with_capacity(size.nodes, size.edges),
            titles: Titles::with_capacity(size.title_bytes),
            index: IdIndex::default(),
            objectives: Vec::with_capacity(document.objectives.len()),
            added: Vec::new(),
            strategies: self.strategies,
            scale: self.scale,
            status_policy: self.status_policy,
            periods: periods::validate(document.periods)?,
            lint: document.lint,
            state: State::default(),
        };
        set.index.reserve(&set.graph, size.nodes);
        let mut pending_links = Vec::with_capacity(document.objectives.len());
        for mut objective in document.objectives {
            let links = std::mem::take(&mut objective.aligned_to);
            let node = set.insert_objective(objective)?;
            pending_links.push((node, links));
        }
        for (from, links) in pending_links {
            for link in links {
                set.insert_link(from, link, false)?;
            }
        }
        let nodes: Vec<NodeIndex> = set.graph.node_indices().collect();
        for node in nodes {
            set.check_weights(node, None)?;
        }
        set.check_closures()?;
        set.added = Vec::new();
        set.rebuild()?;
        Ok(set)
    }

    /// Reads a JSON document and builds the set.
    ///
    /// # Errors
    /// [`LoadError::Parse`](crate::LoadError::Parse) for text that is not an
    /// `okrs/1` document, [`LoadError::Invalid`](crate::LoadError::Invalid)
    /// for a model the rules refuse.
    #[cfg(feature = "json")]
    pub fn from_json(self, text: &str) -> Result<OkrSet, crate::LoadError> {
        Ok(self.build(Document::from_json(text)?)?)
    }
}

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// An objective.
    Objective,
    /// A key result or a sub-key result.
    KeyResult,
    /// An initiative.
    Initiative,
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Objective => "objective",
            Self::KeyResult => "key-result",
            Self::Initiative => "initiative",
        })
    }
}

impl OkrSet {
    /// A builder for sets with custom strategies or grading scale. O(1).
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

    /// The set as a document, objectives in their order; loading it again
    /// gives an equal set. O(V + E).
    #[must_use]
    pub fn to_document(&self) -> Document {
        let mut document = Document::new(self.alignment);
        document.grading.clone_from(&self.grading);
        document.levels = self.levels.clone();
        document.progress_cap = self.cap;
        document.periods = self.periods.values().cloned().collect();
        document.lint = self.lint.clone();
        document.objectives = self
            .objective_indices()
            .filter_map(|n| self.objective_value(n))
            .collect();
        document
    }

    /// The alignment model. O(1).
    #[must_use]
    pub fn alignment(&self) -> AlignmentModel {
        self.alignment
    }

    /// The name of the set's aggregation strategy. O(1).
    #[must_use]
    pub fn grading(&self) -> &str {
        &self.grading
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
        let mut findings = crate::lint::lint(self, &self.lint, as_of);
        findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        findings
    }

    /// The set's health-check settings. O(1).
    #[must_use]
    pub fn lint_settings(&self) -> &LintSettings {
        &self.lint
    }

    /// The number of nodes (objectives, key results, initiatives). O(1).
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
        let index = self.lookup(id)?;
        Some(NodeRef { set: self, index })
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

    /// The objectives in document order. O(1) to create, O(V) to exhaust.
    pub fn objectives(&self) -> impl Iterator<Item = NodeRef<'_>> {
        self.objective_indices()
            .map(move |index| NodeRef { set: self, index })
    }

    /// Every objective followed by its key results and their sub-key results
    /// (depth first): the measured nodes, in document order. Initiatives are
    /// left out. O(V) to exhaust.
    #[must_use]
    pub fn nodes(&self) -> Vec<NodeRef<'_>> {
        let mut out = Vec::with_capacity(self.index.len());
        for objective in self.objective_indices() {
            out.push(NodeRef {
                set: self,
                index: objective,
            });
            let mut stack: Vec<NodeIndex> =
                self.children(objective).iter().rev().copied().collect();
            while let Some(index) = stack.pop() {
                out.push(NodeRef { set: self, index });
                stack.extend(self.children(index).iter().rev());
            }
        }
        out
    }

    /// The objective with this id, as a model value with its key results and
    /// links. O(size of the objective).
    #[must_use]
    pub fn objective(&self, id: &str) -> Option<Objective> {
        self.objective_value(self.lookup(id)?)
    }

    /// The key result with this id, with its sub-key results and initiatives.
    /// O(size of the key result).
    #[must_use]
    pub fn key_result(&self, id: &str) -> Option<KeyResult> {
        self.key_result_value(self.lookup(id)?)
    }

    // ----- edits -------------------------------------------------------

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
    pub fn add_objective(&mut self, mut objective: Objective) -> Result<(), Error> {
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
                let edge = self.insert_link(node, link, true)?;
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
        self.remove_nodes(&subtree);
        // The original of a removed copy can be carried forward again.
        if let Some(original) = source.as_ref().and_then(|s| self.lookup(s.as_str())) {
            if let Some(Node::Objective(o)) = self.graph.node_weight_mut(original) {
                if o.carried_to() == Some(&value.id) {
                    o.detail_mut().carried_to = None;
                }
            }
        }
        self.rebuild()?;
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
        if let Ok(node) = result {
            if let Some(list) = self.children_mut(parent_index) {
                list.push(node);
            }
        }
        self.finish(result.map(|_| ()))
    }

    /// Removes a key result (with its sub-key results and initiatives) and
    /// returns it.
    ///
    /// # Errors
    /// [`Error::UnknownNode`], [`Error::WrongKind`], [`Error::StillLinked`],
    /// [`Error::PeriodClosed`], [`Error::AllWeightsZero`] when its parent
    /// would be left with only zero weights. O(V + E).
    pub fn remove_key_result(&mut self, id: &str) -> Result<KeyResult, Error> {
        let node = self.expect_kind(id, NodeKind::KeyResult)?;
        self.refuse_if_closed(node)?;
        let subtree = self.subtree(node);
        self.refuse_if_linked(&subtree)?;
        let up = self.parent_edge(node);
        if let Some((edge, parent)) = up {
            self.check_weights(parent, Some((edge, None)))?;
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
        self.rebuild()?;
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
    /// cycle), then O(V + E) to rebuild the roll-up plan.
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
        let from_index = self.expect_kind(from, NodeKind::Objective)?;
        self.refuse_if_closed(from_index)?;
        let edge = self.insert_link(from_index, link, true)?;
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
        self.rebuild()
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
        if let Some(from_index) = self.lookup(from) {
            self.refuse_if_closed(from_index)?;
        }
        self.check_weights(target_index, Some((edge, None)))?;
        let link = self
            .link_value(edge)
            .ok_or_else(|| Error::UnknownNode(self.id_of(target_index)))?;
        self.graph.remove_edge(edge);
        if let Some(from_index) = self.lookup(from) {
            if let Some(Node::Objective(o)) = self.graph.node_weight_mut(from_index) {
                o.links.retain(|&e| e != edge);
            }
        }
        self.rebuild()?;
        Ok(link)
    }

    /// Changes a key result's weight within its parent.
    ///
    /// # Errors
    /// [`Error::UnknownNode`], [`Error::WrongKind`], [`Error::PeriodClosed`],
    /// [`Error::AllWeightsZero`], [`Error::WeightOverflow`]. O(V + E).
    pub fn set_weight(&mut self, key_result: &str, weight: Weight) -> Result<(), Error> {
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
        let node = self.validate_metric(key_result, metric.as_ref())?;
        if let Some(Node::KeyResult(k)) = self.graph.node_weight_mut(node) {
            k.metric = metric.map(tidy_metric);
        }
        self.refresh_leaves(vec![node]);
        Ok(())
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
        let mut accepted: Vec<(NodeIndex, Option<Metric>)> = Vec::new();
        for (key_result, metric) in metrics {
            let node = self.validate_metric(key_result.as_ref(), metric.as_ref())?;
            accepted.push((node, metric));
        }
        let mut changed: Vec<NodeIndex> = Vec::with_capacity(accepted.len());
        for (node, metric) in accepted {
            if let Some(Node::KeyResult(k)) = self.graph.node_weight_mut(node) {
                k.metric = metric.map(tidy_metric);
            }
            changed.push(node);
        }
        self.refresh_leaves(changed);
        Ok(())
    }

    /// Everything [`set_metric`](Self::set_metric) checks before it applies.
    fn validate_metric(
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
            self.refuse_contributing_links(node)?;
        }
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
        self.state.full(&self.strategies, self.cap);
    }

    /// Recomputes the own progress of key results whose metric or latest
    /// check-in changed, each once, and rolls them up in one incremental
    /// pass. O(K log K + A log A) for K key results and A ancestors.
    fn refresh_leaves(&mut self, mut nodes: Vec<NodeIndex>) {
        nodes.sort_unstable();
        nodes.dedup();
        let graph = &self.graph;
        let cap = self.cap;
        let leaves = nodes
            .into_iter()
            .map(|node| (node, leaf_progress(graph, node, cap)));
        self.state.update_leaves(leaves, &self.strategies, cap);
    }

    // ----- internals ---------------------------------------------------

    /// The node with this id. O(1) average.
    fn lookup(&self, id: &str) -> Option<NodeIndex> {
        self.index.get(&self.graph, id)
    }

    fn objective_indices(&self) -> impl Iterator<Item = NodeIndex> + '_ {
        self.objectives.iter().copied()
    }

    fn children(&self, node: NodeIndex) -> &[NodeIndex] {
        match self.graph.node_weight(node) {
            Some(Node::Objective(o)) => &o.key_results,
            Some(Node::KeyResult(k)) => k.key_results(),
            _ => &[],
        }
    }

    fn children_mut(&mut self, node: NodeIndex) -> Option<&mut Vec<NodeIndex>> {
        match self.graph.node_weight_mut(node) {
            Some(Node::Objective(o)) => Some(&mut o.key_results),
            Some(Node::KeyResult(k)) => Some(&mut k.detail_mut().key_results),
            _ => None,
        }
    }

    /// How many key results a key result nests under (0 directly under
    /// its objective). O(depth).
    fn depth(&self, key_result: NodeIndex) -> usize {
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

    fn id_of(&self, node: NodeIndex) -> Id {
        self.graph
            .node_weight(node)
            .map_or_else(unknown_id, |n| n.id().clone())
    }

    fn expect_kind(&self, id: &str, kind: NodeKind) -> Result<NodeIndex, Error> {
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

    /// Adds a node to the graph, the id index and the edit's record.
    fn add_node(&mut self, node: Node) -> Result<NodeIndex, Error> {
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
    fn insert_objective(&mut self, objective: Objective) -> Result<NodeIndex, Error> {
        if self.contains(objective.id.as_str()) {
            return Err(Error::DuplicateId(objective.id));
        }
        require_title(&objective.id, &objective.title)?;
        require_owners(&objective.id, &objective.owners)?;
        let level = self
            .levels
            .rank(&objective.level)
            .ok_or_else(|| Error::UnknownLevel {
                objective: objective.id.clone(),
                level: objective.level.clone(),
            })?;
        let strategy = match &objective.grading {
            Some(name) => self
                .strategies
                .find(name)
                .ok_or_else(|| Error::UnknownStrategy {
                    name: name.clone(),
                    objective: Some(objective.id.clone()),
                })?,
            None => self.default_strategy,
        };
        let strategy = u32::try_from(strategy).unwrap_or(u32::MAX);
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
            key_results: Vec::with_capacity(objective.key_results.len()),
            links: Vec::new(),
            detail: ObjectiveDetail {
                owners: objective.owners,
                description: non_empty(objective.description),
                grading: objective.grading,
                carried_from: objective.carried_from,
                carried_to: objective.carried_to,
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

    fn insert_key_result(
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
        let mut check_ins: Vec<CheckIn> = key_result
            .check_ins
            .into_iter()
            .map(periods::tidy_check_in)
            .collect();
        check_ins.sort_by_key(|c| c.at);
        let mut phases = key_result.phases;
        phases.sort_by_key(|p| p.at);
        check_history(&id, key_result.metric.as_ref(), &check_ins, &phases)?;
        self.check_dates(&id, objective, &check_ins, &phases)?;
        // A rank beyond u32 would need a list of levels larger than memory.
        let level_rank = u32::try_from(level).unwrap_or(u32::MAX);
        let title = self
            .titles
            .add(&key_result.title)
            .ok_or_else(|| Error::TitlesFull(id.clone()))?;
        let node = self.add_node(Node::KeyResult(KeyResultNode {
            id,
            title,
            metric: key_result.metric.map(tidy_metric),
            objective,
            level: level_rank,
            detail: KeyResultDetail {
                owners: key_result.owners,
                description: non_empty(key_result.description),
                check_ins,
                phases,
                key_results: Vec::new(),
                initiatives: Vec::new(),
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

    /// Validates and inserts one link; with `check_cycle`, refuses a link
    /// that closes a cycle (a bulk load checks once, at the end, instead).
    fn insert_link(
        &mut self,
        from: NodeIndex,
        link: Link,
        check_cycle: bool,
    ) -> Result<EdgeIndex, Error> {
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
        let from_level = self
            .graph
            .node_weight(from)
            .and_then(Node::level)
            .unwrap_or(0);
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
        if self.graph.find_edge(from, target).is_some() {
            return Err(Error::DuplicateLink {
                from: from_id,
                target: link.id,
            });
        }
        let contributes = link
            .contributes
            .unwrap_or(self.alignment.contributes_by_default());
        if contributes {
            if let Node::KeyResult(k) = target_node {
                if k.metric.is_some() || !k.key_results().is_empty() {
                    return Err(Error::ContributesToMeasuredKeyResult {
                        from: from_id,
                        target: link.id,
                    });
                }
            }
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

    fn level_name(&self, rank: usize) -> String {
        self.levels.name(rank).unwrap_or_default().to_owned()
    }

    /// The edge from a key result (or initiative) to its parent, and the parent.
    fn parent_edge(&self, node: NodeIndex) -> Option<(EdgeIndex, NodeIndex)> {
        self.graph
            .edges_directed(node, Outgoing)
            .next()
            .map(|e| (e.id(), e.target()))
    }

    /// Checks the weights of every node the edit in progress inserted.
    fn check_weights_of_added(&self) -> Result<(), Error> {
        self.added
            .iter()
            .try_for_each(|&node| self.check_weights(node, None))
    }

    /// Refuses when every contribution to `node` would weigh zero, or their
    /// sum would overflow, after optionally re-weighing (or, with `None`,
    /// dropping) one incoming edge. O(in-degree).
    fn check_weights(
        &self,
        node: NodeIndex,
        change: Option<(EdgeIndex, Option<Weight>)>,
    ) -> Result<(), Error> {
        let mut any = false;
        let mut sum = Some(Decimal::ZERO);
        for edge in self.graph.edges_directed(node, Incoming) {
            if !edge.weight().counts() {
                continue;
            }
            let weight = match change {
                Some((changed, replacement)) if changed == edge.id() => match replacement {
                    Some(w) => w,
                    None => continue,
                },
                _ => edge.weight().weight,
            };
            any = true;
            sum = sum.and_then(|s| s.checked_add(weight.value()));
        }
        match sum {
            _ if !any => Ok(()),
            None => Err(Error::WeightOverflow(self.id_of(node))),
            Some(s) if s.is_zero() => Err(Error::AllWeightsZero(self.id_of(node))),
            Some(_) => Ok(()),
        }
    }

    fn reweigh(&mut self, edge: EdgeIndex, target: NodeIndex, weight: Weight) -> Result<(), Error> {
        self.check_weights(target, Some((edge, Some(weight))))?;
        if let Some(e) = self.graph.edge_weight_mut(edge) {
            e.weight = weight;
        }
        self.rebuild()
    }

    fn refuse_contributing_links(&self, key_result: NodeIndex) -> Result<(), Error> {
        let contributing = self.graph.edges_directed(key_result, Incoming).find(|e| {
            matches!(
                e.weight().kind,
                EdgeKind::Link {
                    contributes: true,
                    ..
                }
            )
        });
        match contributing {
            Some(edge) => Err(Error::ContributesToMeasuredKeyResult {
                from: self.id_of(edge.source()),
                target: self.id_of(key_result),
            }),
            None => Ok(()),
        }
    }

    fn refuse_if_linked(&self, subtree: &[NodeIndex]) -> Result<(), Error> {
        for &node in subtree {
            let link = self
                .graph
                .edges_directed(node, Incoming)
                .find(|e| matches!(e.weight().kind, EdgeKind::Link { .. }));
            if let Some(edge) = link {
                return Err(Error::StillLinked {
                    id: self.id_of(node),
                    by: self.id_of(edge.source()),
                });
            }
        }
        Ok(())
    }

    fn find_link(&self, from: &str, target: &str) -> Result<(EdgeIndex, NodeIndex), Error> {
        let from_index = self.expect_kind(from, NodeKind::Objective)?;
        let unknown = || Error::UnknownLink {
            from: self.id_of(from_index),
            target: Id::unchecked(target),
        };
        let target_index = self.lookup(target).ok_or_else(unknown)?;
        let edge = self
            .graph
            .find_edge(from_index, target_index)
            .ok_or_else(unknown)?;
        Ok((edge, target_index))
    }

    /// The node and everything that hangs under it. O(size).
    fn subtree(&self, root: NodeIndex) -> Vec<NodeIndex> {
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
    fn remove_nodes(&mut self, nodes: &[NodeIndex]) {
        let doomed: HashSet<NodeIndex> = nodes.iter().copied().collect();
        self.objectives.retain(|n| !doomed.contains(n));
        for &node in nodes {
            self.index.remove(&self.graph, node);
            self.remove_from_graph(node);
        }
        graph::compact_titles(&mut self.graph, &mut self.titles);
    }

    /// Removes a node from the graph and counts its title as unused.
    fn remove_from_graph(&mut self, node: NodeIndex) {
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
    fn finish(&mut self, result: Result<(), Error>) -> Result<(), Error> {
        let result = result.and_then(|()| self.rebuild());
        let added = std::mem::take(&mut self.added);
        if result.is_err() {
            self.remove_nodes(&added);
            // Ignoring the result is sound: the graph is what it was before.
            let _ = self.rebuild();
        }
        result
    }

    /// Refuses a cycle, recompiles the roll-up plan and rolls everything
    /// up. O(V + E).
    fn rebuild(&mut self) -> Result<(), Error> {
        if let Some(cycle) = graph::find_cycle(&self.graph) {
            return Err(Error::Cycle {
                path: cycle.into_iter().map(|n| self.id_of(n)).collect(),
            });
        }
        let graph = &self.graph;
        let strategy_of = |node: NodeIndex| match graph.node_weight(node) {
            Some(Node::Objective(o)) => o.strategy as usize,
            Some(Node::KeyResult(k)) => match graph.node_weight(k.objective) {
                Some(Node::Objective(o)) => o.strategy as usize,
                _ => 0,
            },
            _ => 0,
        };
        let cap = self.cap;
        self.state.rebuild(
            Plan::build(graph, &self.strategies, strategy_of),
            |node| leaf_progress(graph, node, cap),
            &self.strategies,
            cap,
        );
        Ok(())
    }

    fn link_value(&self, edge: EdgeIndex) -> Option<Link> {
        let (_, target) = self.graph.edge_endpoints(edge)?;
        let data = self.graph.edge_weight(edge)?;
        let EdgeKind::Link { stated, .. } = data.kind else {
            return None;
        };
        Some(Link {
            id: self.id_of(target),
            weight: data.weight,
            contributes: stated,
        })
    }

    fn objective_value(&self, node: NodeIndex) -> Option<Objective> {
        let Some(Node::Objective(o)) = self.graph.node_weight(node) else {
            return None;
        };
        Some(Objective {
            id: o.id.clone(),
            title: self.titles.get(o.title).to_owned(),
            level: self.level_name(o.level),
            owners: o.owners().to_vec(),
            description: o.description().cloned(),
            commitment: o.commitment,
            grading: o.grading().cloned(),
            period: o
                .period
                .and_then(|p| self.periods.get_index(p))
                .map(|(id, _)| id.clone()),
            carried_from: o.carried_from().cloned(),
            carried_to: o.carried_to().cloned(),
            aligned_to: o.links.iter().filter_map(|&e| self.link_value(e)).collect(),
            key_results: o
                .key_results
                .iter()
                .filter_map(|&k| self.key_result_value(k))
                .collect(),
        })
    }

    fn key_result_value(&self, node: NodeIndex) -> Option<KeyResult> {
        let Some(Node::KeyResult(k)) = self.graph.node_weight(node) else {
            return None;
        };
        let weight = self
            .graph
            .edges_directed(node, Outgoing)
            .next()
            .map_or(Weight::ONE, |e| e.weight().weight);
        Some(KeyResult {
            id: k.id.clone(),
            title: self.titles.get(k.title).to_owned(),
            owners: k.owners().to_vec(),
            weight,
            description: k.description().cloned(),
            metric: k.metric.clone(),
            check_ins: k.check_ins().to_vec(),
            phases: k.phases().to_vec(),
            key_results: k
                .key_results()
                .iter()
                .filter_map(|&c| self.key_result_value(c))
                .collect(),
            initiatives: k
                .initiatives()
                .iter()
                .filter_map(|&i| match self.graph.node_weight(i) {
                    Some(Node::Initiative(i)) => Some(i.clone()),
                    _ => None,
                })
                .collect(),
        })
    }
}

/// How much a document makes, to allocate the set's storage once.
struct DocumentSize {
    nodes: usize,
    edges: usize,
    title_bytes: usize,
}

impl DocumentSize {
    /// O(nodes), iterative.
    fn of(document: &Document) -> Self {
        let mut size = Self {
            nodes: 0,
            edges: 0,
            title_bytes: 0,
        };
        let mut key_results: Vec<&KeyResult> = Vec::new();
        for objective in &document.objectives {
            size.nodes += 1;
            size.edges += objective.aligned_to.len();
            size.title_bytes += objective.title.len();
            key_results.extend(&objective.key_results);
        }
        while let Some(key_result) = key_results.pop() {
            size.nodes += 1 + key_result.initiatives.len();
            size.edges += 1 + key_result.initiatives.len();
            size.title_bytes += key_result.title.len();
            key_results.extend(&key_result.key_results);
        }
        size
    }
}

/// A key result's own progress from its metric and latest check-in; 0 for
/// every other node.
fn leaf_progress(graph: &Graph, node: NodeIndex, cap: Decimal) -> Decimal {
    match graph.node_weight(node) {
        Some(Node::KeyResult(k)) => k.progress_as_of(None, cap),
        _ => Decimal::ZERO,
    }
}

fn tidy_metric(mut metric: Metric) -> Metric {
    if let Metric::Numeric { unit, .. } = &mut metric {
        *unit = non_empty(unit.take());
    }
    metric
}

fn require_owners(id: &Id, owners: &[String]) -> Result<(), Error> {
    if owners.iter().any(|o| o.trim().is_empty()) {
        Err(Error::EmptyOwner(id.clone()))
    } else {
        Ok(())
    }
}

/// An empty optional text means the same as none: keep one of the two, so
/// that every format round-trips it.
pub(crate) fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.is_empty())
}

fn require_title(id: &Id, title: &str) -> Result<(), Error> {
    if title.trim().is_empty() {
        Err(Error::EmptyTitle(id.clone()))
    } else {
        Ok(())
    }
}

/// Stands in for the id of a node that is not there (never in practice:
/// node indices come from the set's own index).
fn unknown_id() -> Id {
    Id::unchecked("?")
}

impl PartialEq for OkrSet {
    /// Equal content: the same document, the same strategies by name, and
    /// the same roll-up. The grading scale is not compared (trait objects
    /// have no equality); the bands follow from it. O(V + E).
    fn eq(&self, other: &Self) -> bool {
        self.to_document() == other.to_document()
            && self.strategies.names() == other.strategies.names()
            && self
                .nodes()
                .iter()
                .zip(other.nodes().iter())
                .all(|(a, b)| a.progress() == b.progress())
    }
}

/// A node of an [`OkrSet`], borrowed: read its data and current roll-up.
#[derive(Debug, Clone, Copy)]
pub struct NodeRef<'a> {
    set: &'a OkrSet,
    index: NodeIndex,
}

impl<'a> NodeRef<'a> {
    fn data(&self) -> Option<&'a Node> {
        self.set.graph.node_weight(self.index)
    }

    /// The node's id. O(1).
    #[must_use]
    pub fn id(&self) -> &'a Id {
        match self.data() {
            Some(node) => node.id(),
            None => &PLACEHOLDER,
        }
    }

    /// What the node is. O(1).
    #[must_use]
    pub fn kind(&self) -> NodeKind {
        match self.data() {
            Some(Node::Objective(_)) => NodeKind::Objective,
            Some(Node::KeyResult(_)) => NodeKind::KeyResult,
            _ => NodeKind::Initiative,
        }
    }

    /// The title. O(1).
    #[must_use]
    pub fn title(&self) -> &'a str {
        self.data().map_or("", |node| node.title(&self.set.titles))
    }

    /// The level's name (a key result's is its objective's); `None` for
    /// initiatives. O(1).
    #[must_use]
    pub fn level(&self) -> Option<&'a str> {
        self.set.levels.name(self.data()?.level()?)
    }

    /// The owners. O(1).
    #[must_use]
    pub fn owners(&self) -> &'a [String] {
        match self.data() {
            Some(Node::Objective(o)) => o.owners(),
            Some(Node::KeyResult(k)) => k.owners(),
            Some(Node::Initiative(i)) => &i.owners,
            None => &[],
        }
    }

    /// The commitment of the objective (for a key result, of its objective).
    /// O(1).
    #[must_use]
    pub fn commitment(&self) -> Commitment {
        let objective = match self.data() {
            Some(Node::KeyResult(k)) => self.set.graph.node_weight(k.objective),
            other => other,
        };
        match objective {
            Some(Node::Objective(o)) => o.commitment,
            _ => Commitment::Aspirational,
        }
    }

    /// The current progress; `None` for initiatives. O(1).
    #[must_use]
    pub fn progress(&self) -> Option<Progress> {
        if self.kind() == NodeKind::Initiative {
            return None;
        }
        let value = self.set.state.progress_of(self.index)?;
        Progress::new(value).ok()
    }

    /// The band the current progress grades to; `None` for initiatives. O(1).
    #[must_use]
    pub fn band(&self) -> Option<Band> {
        Some(self.set.scale.band(self.progress()?, self.commitment()))
    }

    /// The key results of an objective, or the sub-key results of a key
    /// result, in order. O(children).
    pub fn key_results(&self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        let set = self.set;
        set.children(self.index)
            .iter()
            .map(move |&index| NodeRef { set, index })
    }

    /// The objective (or key result) a key result belongs to, the key result
    /// an initiative belongs to; `None` for objectives. O(1).
    #[must_use]
    pub fn parent(&self) -> Option<NodeRef<'a>> {
        if self.kind() == NodeKind::Objective {
            return None;
        }
        let parent = self
            .set
            .graph
            .neighbors_directed(self.index, Outgoing)
            .next()?;
        Some(NodeRef {
            set: self.set,
            index: parent,
        })
    }

    /// The links of an objective: the node it supports, the weight, and
    /// whether progress flows along it. O(links).
    pub fn aligned_to(&self) -> impl Iterator<Item = (NodeRef<'a>, Weight, bool)> + 'a {
        let set = self.set;
        let links: &'a [EdgeIndex] = match self.data() {
            Some(Node::Objective(o)) => &o.links,
            _ => &[],
        };
        links.iter().filter_map(move |&edge| {
            let (_, target) = set.graph.edge_endpoints(edge)?;
            let data = set.graph.edge_weight(edge)?;
            let contributes = matches!(
                data.kind,
                EdgeKind::Link {
                    contributes: true,
                    ..
                }
            );
            Some((NodeRef { set, index: target }, data.weight, contributes))
        })
    }

    /// The objectives aligned to this node. O(in-degree).
    pub fn supporters(&self) -> impl Iterator<Item = NodeRef<'a>> + 'a {
        let set = self.set;
        set.graph
            .edges_directed(self.index, Incoming)
            .filter(|e| matches!(e.weight().kind, EdgeKind::Link { .. }))
            .map(move |e| NodeRef {
                set,
                index: e.source(),
            })
    }

    /// A key result's weight within its parent; `None` for objectives and
    /// initiatives. O(1).
    #[must_use]
    pub fn weight(&self) -> Option<Weight> {
        if self.kind() != NodeKind::KeyResult {
            return None;
        }
        let (edge, _) = self.set.parent_edge(self.index)?;
        self.set.graph.edge_weight(edge).map(|e| e.weight)
    }

    /// The metric of a key result, if it has one. O(1).
    #[must_use]
    pub fn metric(&self) -> Option<&'a Metric> {
        match self.data() {
            Some(Node::KeyResult(k)) => k.metric.as_ref(),
            _ => None,
        }
    }

    /// The initiative's data, for initiatives. O(1).
    #[must_use]
    pub fn initiative(&self) -> Option<&'a Initiative> {
        match self.data() {
            Some(Node::Initiative(i)) => Some(i),
            _ => None,
        }
    }
}

static PLACEHOLDER: std::sync::LazyLock<Id> = std::sync::LazyLock::new(unknown_id);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_topological_and_cover_every_measured_node() {
        for seed in 0..12 {
            let mut set = OkrSet::from_document(crate::sample::synthetic(2_000, seed)).unwrap();
            set.state.plan().assert_consistent(&set.graph);
            // And after an edit gives an objective a second parent.
            set.add_link("d0t0o0", Link::new(Id::unchecked("d1t0o0")))
                .unwrap();
            set.state.plan().assert_consistent(&set.graph);
        }
    }

    #[test]
    fn a_long_chain_of_links_is_laid_out_without_recursion() {
        let count = 50_000;
        let mut document = Document::new(AlignmentModel::Cascading);
        for i in 0..count {
            let mut objective = Objective::new(Id::unchecked(&format!("o{i}")), "O", "team");
            if i > 0 {
                objective = objective.with_link(Link::new(Id::unchecked(&format!("o{}", i - 1))));
            }
            document = document.with_objective(objective);
        }
        let set = OkrSet::from_document(document).unwrap();
        set.state.plan().assert_consistent(&set.graph);
        assert_eq!(set.state.plan().order().len(), count);
    }

    #[test]
    fn a_second_parent_laid_out_first_pulls_its_input_ahead() {
        // x hangs under a (its first consumer), in r2's subtree, which is
        // laid out after r1's: b, in r1's subtree, would come before x.
        let objective = |id: &str, level: &str, links: &[&str]| {
            links
                .iter()
                .fold(Objective::new(Id::unchecked(id), id, level), |o, target| {
                    o.with_link(Link::new(Id::unchecked(target)))
                })
        };
        let document = Document::new(AlignmentModel::Cascading)
            .with_objective(objective("r1", "company", &[]))
            .with_objective(objective("r2", "company", &[]))
            .with_objective(objective("a", "department", &["r2"]))
            .with_objective(objective("b", "department", &["r1"]))
            .with_objective(objective("x", "team", &["a", "b"]));
        let set = OkrSet::from_document(document).unwrap();
        set.state.plan().assert_consistent(&set.graph);
        let order: Vec<Id> = set
            .state
            .plan()
            .order()
            .iter()
            .map(|&n| set.id_of(n))
            .collect();
        assert_eq!(order, ["x", "b", "r1", "a", "r2"].map(Id::unchecked));
    }
}
