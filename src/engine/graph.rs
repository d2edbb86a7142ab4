//! The alignment graph: nodes and edges held in a petgraph `StableDiGraph`,
//! the id index and the title text kept beside it, and the two cycle guards
//! (one Kahn pass for a bulk load, an upward search for a single link).
//!
//! Edges point from the supporting node to the supported one: key result →
//! objective, sub-key result → key result, initiative → key result,
//! objective → the objective or key result it aligns to.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use petgraph::Direction::{Incoming, Outgoing};
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};

use rust_decimal::Decimal;

use crate::engine::history::History;
use crate::invariant::sure;
use crate::time::AsOf;
use crate::{
    CheckIn, CheckInValue, Commitment, DeletedCheckIn, Id, Initiative, Metric, Phase, ProgressFrom,
    Weight,
};

pub(crate) type Graph = StableDiGraph<Node, Edge>;

#[derive(Debug, Clone)]
pub(crate) enum Node {
    Objective(ObjectiveNode),
    KeyResult(KeyResultNode),
    Initiative(Initiative),
}

/// An objective as the graph holds it: what reads and the roll-up touch
/// inline, the rest behind one optional box so that a node without owners,
/// description or carry-over costs 8 bytes for all of them.
#[derive(Debug, Clone)]
pub(crate) struct ObjectiveNode {
    pub(crate) id: Id,
    pub(crate) title: Title,
    pub(crate) level: usize,
    pub(crate) commitment: Commitment,
    /// Index into the set's strategies (as the roll-up plan holds it: a
    /// list of more strategies would not fit in memory).
    pub(crate) strategy: u32,
    /// Index into the set's periods.
    pub(crate) period: Option<usize>,
    /// What the objective counts; `None` takes the set's default.
    pub(crate) progress_from: Option<ProgressFrom>,
    pub(crate) key_results: Vec<NodeIndex>,
    pub(crate) links: Vec<EdgeIndex>,
    pub(crate) detail: Option<Box<ObjectiveDetail>>,
}

/// The parts of an objective most objectives leave empty.
#[derive(Debug, Clone, Default)]
pub(crate) struct ObjectiveDetail {
    pub(crate) owners: Vec<String>,
    pub(crate) description: Option<String>,
    pub(crate) strategy: Option<String>,
    pub(crate) carried_from: Option<Id>,
    pub(crate) carried_to: Option<Id>,
    pub(crate) aligned_share: Option<Decimal>,
    /// Private to its owners and these viewers (`None`: public).
    pub(crate) private: Option<Vec<String>>,
    /// Set on a fold view's folded member only: what it stands for where
    /// it counts (boxed: no other objective pays for it).
    pub(crate) folded: Option<Box<Folded>>,
}

impl ObjectiveDetail {
    /// Boxed, or `None` when every part is empty.
    pub(crate) fn boxed(self) -> Option<Box<Self>> {
        let empty = self.owners.is_empty()
            && self.description.is_none()
            && self.strategy.is_none()
            && self.carried_from.is_none()
            && self.carried_to.is_none()
            && self.aligned_share.is_none()
            && self.private.is_none()
            && self.folded.is_none();
        (!empty).then(|| Box::new(self))
    }
}

impl ObjectiveNode {
    pub(crate) fn owners(&self) -> &[String] {
        self.detail.as_ref().map_or(&[], |d| &d.owners)
    }

    /// The viewers of a private objective; `None` when it is public.
    pub(crate) fn private(&self) -> Option<&[String]> {
        self.detail.as_ref()?.private.as_deref()
    }

    pub(crate) fn description(&self) -> Option<&String> {
        self.detail.as_ref()?.description.as_ref()
    }

    pub(crate) fn strategy(&self) -> Option<&String> {
        self.detail.as_ref()?.strategy.as_ref()
    }

    pub(crate) fn carried_from(&self) -> Option<&Id> {
        self.detail.as_ref()?.carried_from.as_ref()
    }

    pub(crate) fn carried_to(&self) -> Option<&Id> {
        self.detail.as_ref()?.carried_to.as_ref()
    }

    pub(crate) fn aligned_share(&self) -> Option<Decimal> {
        self.detail.as_ref()?.aligned_share
    }

    /// The detail, created empty if the node has none. O(1).
    pub(crate) fn detail_mut(&mut self) -> &mut ObjectiveDetail {
        self.detail.get_or_insert_with(Box::default)
    }
}

/// A key result (or sub-key result) as the graph holds it: id, title,
/// metric and the links the roll-up follows inline (128 bytes); owners,
/// description, history and children behind one optional box.
#[derive(Debug, Clone)]
pub(crate) struct KeyResultNode {
    pub(crate) id: Id,
    pub(crate) title: Title,
    pub(crate) metric: Option<Metric>,
    /// The objective the key result (or sub-key result) belongs to.
    pub(crate) objective: NodeIndex,
    /// Its objective's level rank (ranks fit in `u32`: a list of more
    /// levels would not fit in memory).
    pub(crate) level: u32,
    pub(crate) detail: Option<Box<KeyResultDetail>>,
}

/// The parts of a key result that many key results leave empty.
#[derive(Debug, Clone, Default)]
pub(crate) struct KeyResultDetail {
    pub(crate) owners: Vec<String>,
    pub(crate) description: Option<String>,
    /// Sorted by the instant each happened in the set's time zone (a plain
    /// date at the start of its day there); check-ins at the same instant
    /// keep their order of arrival, so the one recorded later counts.
    pub(crate) check_ins: History,
    /// Sorted by date.
    pub(crate) phases: Vec<Phase>,
    pub(crate) key_results: Vec<NodeIndex>,
    pub(crate) initiatives: Vec<NodeIndex>,
    pub(crate) deleted: Vec<DeletedCheckIn>,
    /// How many check-in ids the key result has handed out: the next is
    /// `<id>#<issued + 1>`.
    pub(crate) issued: u32,
    /// The strategy it rolls its sub-key results up with, overriding its
    /// objective's: the name and its index into the set's strategies.
    pub(crate) strategy: Option<(String, u32)>,
}

impl KeyResultDetail {
    /// Boxed, or `None` when every part is empty.
    pub(crate) fn boxed(self) -> Option<Box<Self>> {
        let empty = self.owners.is_empty()
            && self.description.is_none()
            && self.check_ins.is_empty()
            && self.phases.is_empty()
            && self.key_results.is_empty()
            && self.initiatives.is_empty()
            && self.deleted.is_empty()
            && self.issued == 0
            && self.strategy.is_none();
        (!empty).then(|| Box::new(self))
    }
}

impl KeyResultNode {
    pub(crate) fn owners(&self) -> &[String] {
        self.detail.as_ref().map_or(&[], |d| &d.owners)
    }

    pub(crate) fn description(&self) -> Option<&String> {
        self.detail.as_ref()?.description.as_ref()
    }

    /// Sorted by the instant each happened in the set's time zone (a plain
    /// date at the start of its day there); check-ins at the same instant
    /// keep their order of arrival, so the one recorded later counts.
    pub(crate) fn check_ins(&self) -> &[CheckIn] {
        self.detail.as_ref().map_or(&[], |d| d.check_ins.as_slice())
    }

    /// Sorted by date.
    pub(crate) fn deleted(&self) -> &[DeletedCheckIn] {
        self.detail.as_ref().map_or(&[], |d| &d.deleted)
    }

    pub(crate) fn phases(&self) -> &[Phase] {
        self.detail.as_ref().map_or(&[], |d| &d.phases)
    }

    pub(crate) fn key_results(&self) -> &[NodeIndex] {
        self.detail.as_ref().map_or(&[], |d| &d.key_results)
    }

    pub(crate) fn initiatives(&self) -> &[NodeIndex] {
        self.detail.as_ref().map_or(&[], |d| &d.initiatives)
    }

    /// The detail, created empty if the node has none. O(1).
    pub(crate) fn detail_mut(&mut self) -> &mut KeyResultDetail {
        self.detail.get_or_insert_with(Box::default)
    }

    /// The check-in that counts at the end of a date in the set's time
    /// zone (the last of the history, sorted by instant, dated then or
    /// before); with `None`, the latest of all. O(log check-ins).
    pub(crate) fn check_in_as_of(&self, as_of: Option<AsOf<'_>>) -> Option<&CheckIn> {
        match as_of {
            None => self.check_ins().last(),
            Some(as_of) => {
                let check_ins = self.check_ins();
                let count = check_ins.partition_point(|c| as_of.counts(&c.at));
                check_ins.get(count.checked_sub(1)?)
            }
        }
    }

    /// The metric's progress as of a date (`None`: with every check-in);
    /// 0 without a metric. O(log check-ins + milestones).
    pub(crate) fn progress_as_of(&self, as_of: Option<AsOf<'_>>, cap: Decimal) -> Decimal {
        self.metric.as_ref().map_or(Decimal::ZERO, |m| {
            m.progress_at(self.check_in_as_of(as_of).map(|c| &c.value), cap)
                .value()
        })
    }

    /// The value checked in as of a date (`None`: the latest), if any.
    /// O(log check-ins).
    pub(crate) fn value_as_of(&self, as_of: Option<AsOf<'_>>) -> Option<&CheckInValue> {
        self.check_in_as_of(as_of).map(|c| &c.value)
    }

    /// The strategy override's index into the set's strategies. O(1).
    pub(crate) fn strategy(&self) -> Option<u32> {
        self.detail.as_ref()?.strategy.as_ref().map(|(_, i)| *i)
    }

    /// The strategy override's name. O(1).
    pub(crate) fn strategy_name(&self) -> Option<&String> {
        self.detail
            .as_ref()?
            .strategy
            .as_ref()
            .map(|(name, _)| name)
    }
}

/// Where a node's title sits in the set's [`Titles`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Title {
    start: u32,
    len: u32,
}

/// The titles of a set's objectives and key results, back to back in one
/// string: a node holds 8 bytes for its title and no allocation of its own.
/// A removed node's title stays behind as unused text until that outweighs
/// the rest (see [`compact_titles`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Titles {
    text: String,
    unused: usize,
}

impl Titles {
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            unused: 0,
        }
    }

    /// Gives back capacity beyond the titles' length. O(length) at worst.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
    }

    /// Appends a title; `None` when the text would pass `u32::MAX` bytes.
    /// O(length).
    pub(crate) fn add(&mut self, title: &str) -> Option<Title> {
        let start = u32::try_from(self.text.len()).ok()?;
        let len = u32::try_from(title.len()).ok()?;
        start.checked_add(len)?;
        self.text.push_str(title);
        Some(Title { start, len })
    }

    pub(crate) fn get(&self, title: Title) -> &str {
        let start = title.start as usize;
        sure(
            self.text.get(start..start + title.len as usize),
            "titles lie inside the text",
        )
    }

    /// Counts a removed node's title as unused.
    pub(crate) fn release(&mut self, title: Title) {
        self.unused += title.len as usize;
    }
}

/// Copies the titles still in use into a fresh text once unused text
/// outweighs them, and points the nodes at their new places. O(V) when it
/// runs, O(1) otherwise.
pub(crate) fn compact_titles(graph: &mut Graph, titles: &mut Titles) {
    if titles.unused <= titles.text.len() / 2 {
        return;
    }
    let mut fresh = Titles::with_capacity(titles.text.len() - titles.unused);
    for node in graph.node_weights_mut() {
        let title = match node {
            Node::Objective(o) => &mut o.title,
            Node::KeyResult(k) => &mut k.title,
            Node::Initiative(_) => continue,
        };
        // Never fails: the fresh text is shorter than the old one.
        if let Some(moved) = fresh.add(titles.get(*title)) {
            *title = moved;
        }
    }
    *titles = fresh;
}

impl Node {
    /// The node's title, read from the set's titles. O(1).
    pub(crate) fn title<'a>(&'a self, titles: &'a Titles) -> &'a str {
        match self {
            Self::Objective(o) => titles.get(o.title),
            Self::KeyResult(k) => titles.get(k.title),
            Self::Initiative(i) => &i.title,
        }
    }

    /// The title's place in the set's titles; `None` for initiatives.
    pub(crate) fn title_ref(&self) -> Option<Title> {
        match self {
            Self::Objective(o) => Some(o.title),
            Self::KeyResult(k) => Some(k.title),
            Self::Initiative(_) => None,
        }
    }

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
            Self::KeyResult(k) => Some(k.level as usize),
            Self::Initiative(_) => None,
        }
    }
}

/// The id index: node indices hashed by the id each node holds, so the
/// index stores 4 bytes per node and no second copy of the key.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    table: HashTable<NodeIndex>,
    hasher: RandomState,
}

impl IdIndex {
    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    /// The node with this id. O(1) average.
    pub(crate) fn get(&self, graph: &Graph, id: &str) -> Option<NodeIndex> {
        let hash = self.hasher.hash_one(id);
        self.table
            .find(hash, |&n| id_at(graph, n) == Some(id))
            .copied()
    }

    /// Indexes a node already in the graph; hands back the node already
    /// holding its id instead. O(1) average.
    pub(crate) fn insert(&mut self, graph: &Graph, node: NodeIndex) -> Result<(), NodeIndex> {
        let Some(id) = id_at(graph, node) else {
            return Ok(());
        };
        let hasher = &self.hasher;
        let hash = hasher.hash_one(id);
        match self.table.entry(
            hash,
            |&n| id_at(graph, n) == Some(id),
            |&n| hasher.hash_one(sure(id_at(graph, n), "indexed nodes are in the graph")),
        ) {
            hashbrown::hash_table::Entry::Occupied(entry) => Err(*entry.get()),
            hashbrown::hash_table::Entry::Vacant(entry) => {
                entry.insert(node);
                Ok(())
            }
        }
    }

    /// Drops a node from the index; call while it is still in the graph.
    /// O(1) average.
    pub(crate) fn remove(&mut self, graph: &Graph, node: NodeIndex) {
        let Some(id) = id_at(graph, node) else {
            return;
        };
        let hash = self.hasher.hash_one(id);
        if let Ok(entry) = self.table.find_entry(hash, |&n| n == node) {
            entry.remove();
        }
    }

    /// Room for `additional` more nodes without rehashing. O(len).
    pub(crate) fn reserve(&mut self, graph: &Graph, additional: usize) {
        let hasher = &self.hasher;
        self.table.reserve(additional, |&n| {
            hasher.hash_one(sure(id_at(graph, n), "indexed nodes are in the graph"))
        });
    }
}

fn id_at(graph: &Graph, node: NodeIndex) -> Option<&str> {
    graph.node_weight(node).map(|n| n.id().as_str())
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

/// What the objective at `node` stands for when it is a fold view's folded
/// member (read where its links count). O(1).
pub(crate) fn folded_of(graph: &Graph, node: NodeIndex) -> Option<&Folded> {
    match graph.node_weight(node) {
        Some(Node::Objective(o)) => o.detail.as_ref()?.folded.as_deref(),
        _ => None,
    }
}

/// What a fold view's folded member stands for, so that its parent weighs
/// its inputs as the whole set does: how many hidden inputs (of non-zero
/// weight) it folds, where a group counts by its members (`mean`, two
/// groups without a share), and the greatest common divisor of their
/// stated weights, which brings a group's weights to the same lowest terms;
/// and where it sorts among its parent's inputs.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Folded {
    pub(crate) members: u32,
    pub(crate) unit: rust_decimal::Decimal,
    /// The visible input of its group that the last of its hidden inputs
    /// came after in the whole set's order (`None`: before them all). It
    /// sorts just after it, so that its parent adds the same terms in the
    /// same order as the whole set and rounds alike (decimal sums round
    /// by their order); it names a visible node only, never a hidden one.
    pub(crate) after: Option<Id>,
    /// The term its parent adds for it while it stands at a value, as
    /// (value, term), in the parent's weights; `None`: weight × value, in
    /// its place. Set where no value gives the parent the whole set's
    /// number: its weight sums several hidden weights, so weight × a value
    /// of 28 places moves in steps coarser than the last digit of their
    /// terms' sum, and a wide parent's blocks of sums begin elsewhere than
    /// the whole set's; a term of its own, added after the others, moves
    /// the sum by its last place (see `Evaluator::Termed`).
    pub(crate) fixed: Option<(rust_decimal::Decimal, rust_decimal::Decimal)>,
}

/// Shows nothing of what it folds: a view's `{:?}` is an output a
/// developer may log, and the number of hidden members, their unit and
/// the term are not the viewer's to see.
impl std::fmt::Debug for Folded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Folded").finish_non_exhaustive()
    }
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

/// The strategy (index into the set's) a node aggregates its inputs with: a
/// key result's own override, else its objective's. O(1).
pub(crate) fn strategy_of(graph: &Graph, node: NodeIndex) -> usize {
    match graph.node_weight(node) {
        Some(Node::Objective(o)) => o.strategy as usize,
        Some(Node::KeyResult(k)) => match k.strategy() {
            Some(index) => index as usize,
            None => match graph.node_weight(k.objective) {
                Some(Node::Objective(o)) => o.strategy as usize,
                _ => 0,
            },
        },
        _ => 0,
    }
}

/// A cycle's path (first node repeated at the end), if the graph has one:
/// Kahn's algorithm orders what it can, and whatever it cannot lies on or
/// behind a cycle. O(V + E), iterative.
pub(crate) fn find_cycle(graph: &Graph) -> Option<Vec<NodeIndex>> {
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
    let mut ordered = 0;
    while let Some(node) = ready.pop() {
        ordered += 1;
        for edge in graph.edges_directed(node, Outgoing) {
            if let Some(count) = pending.get_mut(edge.target().index()) {
                *count -= 1;
                if *count == 0 {
                    ready.push(edge.target());
                }
            }
        }
    }
    (ordered != graph.node_count()).then(|| cycle_among_pending(graph, &pending))
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
            let mut cycle: Vec<NodeIndex> =
                sure(walk.get(at..), "seen nodes are on the walk").to_vec();
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

#[cfg(all(test, target_pointer_width = "64"))]
mod tests {
    use super::*;

    /// The memory budget (BENCHMARKS.md) rests on these sizes: a key
    /// result's hot data in 136 bytes (128 until a numeric metric's boxed
    /// zones took one more word), the enum's tag in a niche, and no extra
    /// word for the vacant slots of the stable graph.
    #[test]
    fn nodes_stay_small() {
        assert_eq!(size_of::<crate::Metric>(), 88);
        assert_eq!(size_of::<KeyResultNode>(), 136);
        assert!(size_of::<ObjectiveNode>() <= 136);
        assert_eq!(size_of::<Node>(), 136);
        assert_eq!(size_of::<Option<Node>>(), 136);
    }

    #[test]
    fn titles_compact_once_unused_text_outweighs_the_rest() {
        let mut titles = Titles::default();
        let mut graph = Graph::default();
        let objective = |id: &str, title: Title| {
            Node::Objective(ObjectiveNode {
                id: Id::unchecked(id),
                title,
                level: 0,
                commitment: Commitment::Aspirational,
                strategy: 0,
                period: None,
                progress_from: None,
                key_results: Vec::new(),
                links: Vec::new(),
                detail: None,
            })
        };
        let kept = titles.add("kept").unwrap();
        let gone = titles.add("a much longer title that goes").unwrap();
        let a = graph.add_node(objective("a", kept));
        let b = graph.add_node(objective("b", gone));
        compact_titles(&mut graph, &mut titles);
        assert_eq!(titles.text.len(), 33, "nothing unused yet");
        titles.release(gone);
        graph.remove_node(b);
        compact_titles(&mut graph, &mut titles);
        assert_eq!(titles.text, "kept");
        assert_eq!(graph.node_weight(a).unwrap().title(&titles), "kept");
    }
}
