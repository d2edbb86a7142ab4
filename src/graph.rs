//! The alignment graph: nodes and edges held in a petgraph `StableDiGraph`,
//! and the two cycle guards (one topological sort for a bulk load, an
//! upward search for a single link).
//!
//! Edges point from the supporting node to the supported one: key result →
//! objective, sub-key result → key result, initiative → key result,
//! objective → the objective or key result it aligns to.

use std::collections::{HashMap, VecDeque};

use petgraph::Direction::{Incoming, Outgoing};
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};

use rust_decimal::Decimal;

use crate::{CheckIn, Commitment, Date, Id, Initiative, Metric, Phase, Weight};

pub(crate) type Graph = StableDiGraph<Node, Edge>;

#[derive(Debug, Clone)]
pub(crate) enum Node {
    Objective(ObjectiveNode),
    KeyResult(KeyResultNode),
    Initiative(Initiative),
}

#[derive(Debug, Clone)]
pub(crate) struct ObjectiveNode {
    pub(crate) id: Id,
    pub(crate) title: String,
    pub(crate) level: usize,
    pub(crate) owners: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) commitment: Commitment,
    pub(crate) grading: Option<String>,
    pub(crate) strategy: usize,
    /// Index into the set's periods.
    pub(crate) period: Option<usize>,
    pub(crate) carried_from: Option<Id>,
    pub(crate) carried_to: Option<Id>,
    pub(crate) key_results: Vec<NodeIndex>,
    pub(crate) links: Vec<EdgeIndex>,
}

#[derive(Debug, Clone)]
pub(crate) struct KeyResultNode {
    pub(crate) id: Id,
    pub(crate) title: String,
    pub(crate) owners: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) metric: Option<Metric>,
    /// Sorted by moment; equal moments keep their order of arrival.
    pub(crate) check_ins: Vec<CheckIn>,
    /// Sorted by date.
    pub(crate) phases: Vec<Phase>,
    pub(crate) key_results: Vec<NodeIndex>,
    pub(crate) initiatives: Vec<NodeIndex>,
    /// The objective the key result (or sub-key result) belongs to.
    pub(crate) objective: NodeIndex,
    pub(crate) level: usize,
    pub(crate) depth: usize,
}

impl KeyResultNode {
    /// The latest check-in at or before the end of `date`; with `None`, the
    /// latest of all. O(log check-ins).
    pub(crate) fn check_in_as_of(&self, date: Option<Date>) -> Option<&CheckIn> {
        match date {
            None => self.check_ins.last(),
            Some(date) => {
                let count = self.check_ins.partition_point(|c| c.at.date() <= date);
                self.check_ins.get(count.checked_sub(1)?)
            }
        }
    }

    /// The metric's progress as of a date (`None`: with every check-in);
    /// 0 without a metric. O(log check-ins + milestones).
    pub(crate) fn progress_as_of(&self, date: Option<Date>, cap: Decimal) -> Decimal {
        self.metric.as_ref().map_or(Decimal::ZERO, |m| {
            m.progress_at(self.check_in_as_of(date).map(|c| &c.value), cap)
                .value()
        })
    }
}

impl Node {
    pub(crate) fn id(&self) -> &Id {
        match self {
            Self::Objective(o) => &o.id,
            Self::KeyResult(k) => &k.id,
            Self::Initiative(i) => &i.id,
        }
    }

    /// The level rank; initiatives have none.
    pub(crate) fn level(&self) -> Option<usize> {
        match self {
            Self::Objective(o) => Some(o.level),
            Self::KeyResult(k) => Some(k.level),
            Self::Initiative(_) => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EdgeKind {
    /// A key result (or sub-key result) into its parent.
    KeyResult,
    /// An initiative into its key result; never counts.
    Initiative,
    /// An alignment link, as stated and as resolved against the model.
    Link {
        stated: Option<bool>,
        contributes: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edge {
    pub(crate) kind: EdgeKind,
    pub(crate) weight: Weight,
}

impl Edge {
    /// Whether progress flows along the edge.
    pub(crate) fn counts(&self) -> bool {
        match self.kind {
            EdgeKind::KeyResult => true,
            EdgeKind::Initiative => false,
            EdgeKind::Link { contributes, .. } => contributes,
        }
    }
}

/// Kahn's topological sort, supporters before the supported. On a cycle,
/// returns one cycle's path (first node repeated at the end). O(V + E),
/// iterative.
pub(crate) fn toposort(graph: &Graph) -> Result<Vec<NodeIndex>, Vec<NodeIndex>> {
    let bound = graph.node_bound();
    let mut pending = vec![0usize; bound];
    for edge in graph.edge_references() {
        if let Some(count) = pending.get_mut(edge.target().index()) {
            *count += 1;
        }
    }
    let mut ready: Vec<NodeIndex> = graph
        .node_indices()
        .filter(|n| pending.get(n.index()) == Some(&0))
        .collect();
    let mut order = Vec::with_capacity(graph.node_count());
    while let Some(node) = ready.pop() {
        order.push(node);
        for edge in graph.edges_directed(node, Outgoing) {
            if let Some(count) = pending.get_mut(edge.target().index()) {
                *count -= 1;
                if *count == 0 {
                    ready.push(edge.target());
                }
            }
        }
    }
    if order.len() == graph.node_count() {
        return Ok(order);
    }
    Err(cycle_among_pending(graph, &pending))
}

/// Walks backwards through nodes Kahn could not order: each has an unordered
/// predecessor, so the walk must repeat a node, and the repeat closes a cycle.
fn cycle_among_pending(graph: &Graph, pending: &[usize]) -> Vec<NodeIndex> {
    let is_pending = |n: NodeIndex| pending.get(n.index()).is_some_and(|&c| c > 0);
    let Some(start) = graph.node_indices().find(|&n| is_pending(n)) else {
        return Vec::new();
    };
    let mut seen_at: HashMap<NodeIndex, usize> = HashMap::new();
    let mut walk = vec![start];
    let mut current = start;
    seen_at.insert(start, 0);
    loop {
        let Some(previous) = graph
            .edges_directed(current, Incoming)
            .map(|e| e.source())
            .find(|&s| is_pending(s))
        else {
            return Vec::new();
        };
        if let Some(&at) = seen_at.get(&previous) {
            // walk[at..] is the cycle, backwards.
            let mut cycle: Vec<NodeIndex> = walk.get(at..).unwrap_or_default().to_vec();
            cycle.reverse();
            if let Some(&first) = cycle.first() {
                cycle.push(first);
            }
            return cycle;
        }
        seen_at.insert(previous, walk.len());
        walk.push(previous);
        current = previous;
    }
}

/// The path from `target` up to `from` if one exists, following supported
/// directions only through nodes on `level`. Because links never point down
/// the levels, a path that leaves `level` cannot come back, so this is exact.
/// O(nodes on that level above `target`).
pub(crate) fn path_up(
    graph: &Graph,
    target: NodeIndex,
    from: NodeIndex,
    level: usize,
) -> Option<Vec<NodeIndex>> {
    let mut came_from: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = VecDeque::from([target]);
    came_from.insert(target, target);
    while let Some(node) = queue.pop_front() {
        if node == from {
            let mut path = vec![node];
            let mut at = node;
            while at != target {
                at = *came_from.get(&at)?;
                path.push(at);
            }
            path.reverse();
            return Some(path);
        }
        for next in graph.neighbors_directed(node, Outgoing) {
            let on_level = graph.node_weight(next).and_then(Node::level) == Some(level);
            if on_level && !came_from.contains_key(&next) {
                came_from.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}
