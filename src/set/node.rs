//! [`NodeRef`]: one node of a set, borrowed, with its data and current
//! roll-up; [`LinkRef`], one alignment link; and the named iterators over
//! both.

use petgraph::Direction::{Incoming, Outgoing};
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;

use super::OkrSet;
use crate::engine::graph::{Edge, EdgeKind, Node};
use crate::{
    Band, CheckIn, Commitment, Grade, Id, Initiative, Metric, NodeKind, Period, Phase, Progress,
    Weight,
};

/// A node of an [`OkrSet`], borrowed: read its data and current roll-up.
///
/// A `NodeRef` always names a node that is there: the set is borrowed while
/// it lives, so every read below is infallible.
#[derive(Debug, Clone, Copy)]
pub struct NodeRef<'a> {
    pub(crate) set: &'a OkrSet,
    pub(crate) index: NodeIndex,
    node: &'a Node,
}

impl<'a> NodeRef<'a> {
    /// The node at `index`. Indices come from the set's own structures, so
    /// a missing node is a broken invariant: debug builds (every test) stop.
    pub(crate) fn new(set: &'a OkrSet, index: NodeIndex) -> Option<Self> {
        let node = set.graph.node_weight(index);
        debug_assert!(node.is_some(), "node {} is not in the graph", index.index());
        Some(Self {
            set,
            index,
            node: node?,
        })
    }

    /// The node's id. O(1).
    #[must_use]
    pub fn id(&self) -> &'a Id {
        self.node.id()
    }

    /// What the node is. O(1).
    #[must_use]
    pub fn kind(&self) -> NodeKind {
        match self.node {
            Node::Objective(_) => NodeKind::Objective,
            Node::KeyResult(_) => NodeKind::KeyResult,
            Node::Initiative(_) => NodeKind::Initiative,
        }
    }

    /// The title. O(1).
    #[must_use]
    pub fn title(&self) -> &'a str {
        self.node.title(&self.set.titles)
    }

    /// The level's name (a key result's is its objective's); `None` for
    /// initiatives. O(1).
    #[must_use]
    pub fn level(&self) -> Option<&'a str> {
        self.set.levels.name(self.node.level()?)
    }

    /// The owners. O(1).
    #[must_use]
    pub fn owners(&self) -> &'a [String] {
        match self.node {
            Node::Objective(o) => o.owners(),
            Node::KeyResult(k) => k.owners(),
            Node::Initiative(i) => &i.owners,
        }
    }

    /// Whether the node's objective is public or private (a key result,
    /// sub-key result or initiative shares its objective's). O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{Objective, OkrSet, Visibility};
    /// let set = OkrSet::from_document(okrs::Document::new(okrs::AlignmentModel::Cascading)
    ///     .with_objective(Objective::new("cfo".parse()?, "Hire a CFO", "company")
    ///         .with_owner("ceo")
    ///         .private_to(["board"])))?;
    /// let cfo = set.node("cfo").unwrap();
    /// assert_eq!(cfo.visibility(), Visibility::Private);
    /// assert_eq!(cfo.viewers(), ["board"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn visibility(&self) -> crate::Visibility {
        match self.objective().node {
            Node::Objective(o) if o.private().is_some() => crate::Visibility::Private,
            _ => crate::Visibility::Public,
        }
    }

    /// The people and groups besides its owners who may see the node's
    /// private objective; empty when it is public. O(1).
    #[must_use]
    pub fn viewers(&self) -> &'a [String] {
        match self.objective().node {
            Node::Objective(o) => o.private().unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The commitment of the objective (for a key result, of its objective).
    /// O(1).
    #[must_use]
    pub fn commitment(&self) -> Commitment {
        match self.objective().node {
            Node::Objective(o) => o.commitment,
            // An initiative's objective is reached through its key result.
            _ => Commitment::Aspirational,
        }
    }

    /// The current progress; `None` for initiatives. O(1).
    #[must_use]
    pub fn progress(&self) -> Option<Progress> {
        if self.kind() == NodeKind::Initiative {
            return None;
        }
        let value = self.set.state.progress_of(self.index);
        debug_assert!(value.is_some(), "a measured node without progress");
        let progress = Progress::new(value?);
        debug_assert!(progress.is_ok(), "roll-up value out of range");
        progress.ok()
    }

    /// The band the current progress grades to; `None` for initiatives.
    /// A committed node is green only when every counted input (weight >
    /// 0) stands at 1 or more. O(1), or O(inputs) for a committed node at 1.
    #[must_use]
    pub fn band(&self) -> Option<Band> {
        let state = &self.set.state;
        Some(
            self.set
                .band_with(self.index, self.progress()?, self.commitment(), |n| {
                    state
                        .progress_of(NodeIndex::new(n as usize))
                        .unwrap_or_default()
                }),
        )
    }

    /// The key results of an objective, or the sub-key results of a key
    /// result, in order. O(children).
    pub fn key_results(&self) -> Children<'a> {
        Children {
            set: self.set,
            children: self.set.children(self.index).iter(),
        }
    }

    /// A key result's initiatives, in order (none for other nodes). O(1) to
    /// create.
    pub fn initiatives(&self) -> Children<'a> {
        let initiatives: &'a [NodeIndex] = match self.node {
            Node::KeyResult(k) => k.initiatives(),
            _ => &[],
        };
        Children {
            set: self.set,
            children: initiatives.iter(),
        }
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
        NodeRef::new(self.set, parent)
    }

    /// The links of an objective: the node it supports, the weight, and
    /// whether progress flows along it. O(links).
    pub fn aligned_to(&self) -> Links<'a> {
        let links: &'a [EdgeIndex] = match self.node {
            Node::Objective(o) => &o.links,
            _ => &[],
        };
        Links {
            set: self.set,
            links: links.iter(),
        }
    }

    /// The objectives aligned to this node. O(in-degree).
    pub fn supporters(&self) -> Supporters<'a> {
        Supporters {
            set: self.set,
            edges: self.set.graph.edges_directed(self.index, Incoming),
        }
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
        match self.node {
            Node::KeyResult(k) => k.metric.as_ref(),
            _ => None,
        }
    }

    /// The initiative's data, for initiatives. O(1).
    #[must_use]
    pub fn initiative(&self) -> Option<&'a Initiative> {
        match self.node {
            Node::Initiative(i) => Some(i),
            _ => None,
        }
    }
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
        let key_result = match self.node {
            Node::Objective(_) => return *self,
            Node::KeyResult(_) => Some(*self),
            Node::Initiative(_) => self.parent(),
        };
        let objective = key_result.and_then(|k| match k.node {
            Node::KeyResult(k) => NodeRef::new(self.set, k.objective),
            _ => None,
        });
        debug_assert!(objective.is_some(), "a node without an objective");
        objective.unwrap_or(*self)
    }

    /// A key result's check-ins, oldest first. O(1).
    #[must_use]
    pub fn check_ins(&self) -> &'a [CheckIn] {
        match self.node {
            Node::KeyResult(k) => k.check_ins(),
            _ => &[],
        }
    }

    /// A key result's phased targets, by date. O(1).
    #[must_use]
    pub fn phases(&self) -> &'a [Phase] {
        match self.node {
            Node::KeyResult(k) => k.phases(),
            _ => &[],
        }
    }

    /// What an objective's progress counts (its own `progress_from`, else
    /// the set's); `both` for other nodes. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{OkrSet, ProgressFrom};
    /// let set = OkrSet::from_json(r#"{ "format": "okrs/1", "progress_from": "key-results", "objectives": [
    ///   { "id": "a", "title": "A", "level": "team" },
    ///   { "id": "b", "title": "B", "level": "team", "progress_from": "both", "aligned_share": "0.5" } ] }"#)?;
    /// assert_eq!(set.node("a").unwrap().progress_from(), ProgressFrom::KeyResults);
    /// assert_eq!(set.node("b").unwrap().progress_from(), ProgressFrom::Both);
    /// assert_eq!(set.node("b").unwrap().aligned_share().unwrap().to_string(), "0.5");
    /// # Ok::<(), okrs::LoadError>(())
    /// ```
    #[must_use]
    pub fn progress_from(&self) -> crate::ProgressFrom {
        match self.node {
            Node::Objective(o) => o.progress_from.unwrap_or(self.set.progress_from),
            _ => crate::ProgressFrom::Both,
        }
    }

    /// An objective's `aligned_share`, if it fixes one (see
    /// [`progress_from`](Self::progress_from)). O(1).
    #[must_use]
    pub fn aligned_share(&self) -> Option<rust_decimal::Decimal> {
        match self.node {
            Node::Objective(o) => o.aligned_share(),
            _ => None,
        }
    }

    /// The name of the strategy the node rolls its inputs up with: its own
    /// (a key result's `grading`), its objective's, or the set's. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::OkrSet;
    /// let set = OkrSet::from_json(r#"{ "format": "okrs/1", "objectives": [
    ///   { "id": "o", "title": "O", "level": "team", "grading": "min", "key_results": [
    ///     { "id": "k", "title": "K", "grading": "sum-of-values" }, { "id": "j", "title": "J" } ] } ] }"#)?;
    /// assert_eq!(set.node("k").unwrap().strategy(), "sum-of-values");
    /// assert_eq!(set.node("j").unwrap().strategy(), "min");
    /// assert_eq!(set.node("o").unwrap().strategy(), "min");
    /// # Ok::<(), okrs::LoadError>(())
    /// ```
    #[must_use]
    pub fn strategy(&self) -> &'a str {
        let own = match self.node {
            Node::Objective(o) => o.strategy(),
            Node::KeyResult(k) => k.strategy_name().or_else(|| match self.objective().node {
                Node::Objective(o) => o.strategy(),
                _ => None,
            }),
            Node::Initiative(_) => None,
        };
        own.map_or(self.set.strategy.as_str(), String::as_str)
    }

    /// Whether a numeric key result's current value (for `sum-of-values`,
    /// the sum of its sub-key results') lies on the wrong side of its
    /// start, moving away from the target. O(1), O(sub-key results) for
    /// `sum-of-values`.
    ///
    /// # Example
    /// ```
    /// use okrs::{Document, KeyResult, Metric, Objective, OkrSet};
    /// let set = OkrSet::from_document(Document::default().with_objective(
    ///     Objective::new("o".parse()?, "O", "team").with_key_result(
    ///         KeyResult::new("resets".parse()?, "Cut resets from 1000 to 100")
    ///             .with_metric(Metric::numeric(1000.into(), 100.into()).with_current(1200.into())))))?;
    /// let resets = set.node("resets").unwrap();
    /// assert!(resets.regressed());
    /// assert_eq!(resets.progress().unwrap().to_string(), "0");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn regressed(&self) -> bool {
        self.set
            .numbers_as_of(self.index, None)
            .is_some_and(|n| n.regressed())
    }

    /// The zone a numeric key result with commit or stretch values stands
    /// in now. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{OkrSet, Zone};
    /// let set = OkrSet::from_json(r#"{ "format": "okrs/1", "objectives": [ { "id": "o", "title": "O",
    ///   "level": "team", "key_results": [ { "id": "k", "title": "K", "metric": { "kind": "numeric",
    ///   "start": "0", "commit": "6", "target": "10", "current": "7" } } ] } ] }"#)?;
    /// assert_eq!(set.node("k").unwrap().zone(), Some(Zone::Commit));
    /// # Ok::<(), okrs::LoadError>(())
    /// ```
    #[must_use]
    pub fn zone(&self) -> Option<crate::Zone> {
        match self.node {
            Node::KeyResult(k) => k.metric.as_ref()?.zone_at(k.value_as_of(None)),
            _ => None,
        }
    }

    /// Where an objective was carried forward from and to. O(1).
    #[must_use]
    pub fn carried(&self) -> (Option<&'a Id>, Option<&'a Id>) {
        match self.node {
            Node::Objective(o) => (o.carried_from(), o.carried_to()),
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

/// An alignment link of an objective, borrowed: the objective it aligns
/// to, the link's weight, and whether progress flows along it.
#[derive(Debug, Clone, Copy)]
pub struct LinkRef<'a> {
    target: NodeRef<'a>,
    weight: Weight,
    contributes: bool,
}

impl<'a> LinkRef<'a> {
    /// The objective (or key result) the link aligns to. O(1).
    #[must_use]
    pub fn target(&self) -> NodeRef<'a> {
        self.target
    }

    /// The link's weight at its target. O(1).
    #[must_use]
    pub fn weight(&self) -> Weight {
        self.weight
    }

    /// Whether progress flows along the link (cascading links and measured
    /// links do; supporting links of the directional and transparency
    /// models only show support). O(1).
    #[must_use]
    pub fn contributes(&self) -> bool {
        self.contributes
    }
}

/// Child nodes in order: the key results of [`NodeRef::key_results`] or
/// the initiatives of [`NodeRef::initiatives`].
#[derive(Debug, Clone)]
pub struct Children<'a> {
    set: &'a OkrSet,
    children: std::slice::Iter<'a, NodeIndex>,
}

impl<'a> Iterator for Children<'a> {
    type Item = NodeRef<'a>;
    fn next(&mut self) -> Option<Self::Item> {
        NodeRef::new(self.set, *self.children.next()?)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.children.size_hint()
    }
}

impl ExactSizeIterator for Children<'_> {}

/// The alignment links of an objective: see [`NodeRef::aligned_to`].
#[derive(Debug, Clone)]
pub struct Links<'a> {
    set: &'a OkrSet,
    links: std::slice::Iter<'a, EdgeIndex>,
}

impl<'a> Iterator for Links<'a> {
    type Item = LinkRef<'a>;
    fn next(&mut self) -> Option<Self::Item> {
        let edge = *self.links.next()?;
        let endpoints = self.set.graph.edge_endpoints(edge);
        let data = self.set.graph.edge_weight(edge);
        debug_assert!(data.is_some(), "an objective lists a removed link");
        let ((_, target), data) = endpoints.zip(data)?;
        Some(LinkRef {
            target: NodeRef::new(self.set, target)?,
            weight: data.weight,
            contributes: matches!(
                data.kind,
                EdgeKind::Link {
                    contributes: true,
                    ..
                }
            ),
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.links.size_hint()
    }
}

impl ExactSizeIterator for Links<'_> {}

/// The objectives aligned to a node: see [`NodeRef::supporters`].
#[derive(Clone)]
pub struct Supporters<'a> {
    set: &'a OkrSet,
    edges: petgraph::stable_graph::Edges<'a, Edge, petgraph::Directed>,
}

impl std::fmt::Debug for Supporters<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Supporters").finish_non_exhaustive()
    }
}

impl<'a> Iterator for Supporters<'a> {
    type Item = NodeRef<'a>;
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let edge = self.edges.next()?;
            if matches!(edge.weight().kind, EdgeKind::Link { .. }) {
                return NodeRef::new(self.set, edge.source());
            }
        }
    }
}

/// The objectives of a set, in document order: see [`OkrSet::objectives`].
#[derive(Debug, Clone)]
pub struct Objectives<'a> {
    pub(super) set: &'a OkrSet,
    pub(super) objectives: std::slice::Iter<'a, NodeIndex>,
}

impl<'a> Iterator for Objectives<'a> {
    type Item = NodeRef<'a>;
    fn next(&mut self) -> Option<Self::Item> {
        NodeRef::new(self.set, *self.objectives.next()?)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.objectives.size_hint()
    }
}

impl ExactSizeIterator for Objectives<'_> {}

/// Every objective followed by its key results and their sub-key results,
/// depth first, in document order: see [`OkrSet::nodes`].
#[derive(Debug, Clone)]
pub struct Nodes<'a> {
    pub(super) objectives: Objectives<'a>,
    pub(super) stack: Vec<NodeIndex>,
}

impl<'a> Iterator for Nodes<'a> {
    type Item = NodeRef<'a>;
    fn next(&mut self) -> Option<Self::Item> {
        let set = self.objectives.set;
        let node = match self.stack.pop() {
            Some(index) => NodeRef::new(set, index)?,
            None => self.objectives.next()?,
        };
        self.stack.extend(set.children(node.index).iter().rev());
        Some(node)
    }
}
