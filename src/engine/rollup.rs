//! Roll-up: a plan compiled from the graph (a topological order laid out
//! for locality, and flat contribution lists indexed by position in it), the
//! full pass over it, and the incremental pass that recomputes only the
//! ancestors of a changed key result.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use petgraph::Direction::Incoming;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::{EdgeRef, NodeIndexable};
use rust_decimal::Decimal;

use crate::engine::graph::{Graph, Node};
use crate::invariant::{sure, sure_or, to_u32};
use crate::strategy::{Builtin, Inputs, SumTree};
use crate::{AggregationStrategy, Contribution, Mean, Min, Progress, Weight, WeightedMean};

/// The strategies a set knows, built-ins first; a later one of the same name
/// wins.
#[derive(Debug, Clone)]
pub(crate) struct Strategies {
    list: Vec<Arc<dyn AggregationStrategy>>,
}

/// How the hot loop evaluates a node: built-ins inline, others through the
/// trait object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evaluator {
    Builtin(Builtin),
    Custom(u32),
}

const BUILTINS: usize = 3;

impl Default for Strategies {
    fn default() -> Self {
        Self {
            list: vec![Arc::new(WeightedMean), Arc::new(Mean), Arc::new(Min)],
        }
    }
}

impl Strategies {
    pub(crate) fn register(&mut self, strategy: Arc<dyn AggregationStrategy>) {
        self.list.push(strategy);
    }

    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        self.list.iter().rposition(|s| s.name() == name)
    }

    pub(crate) fn names(&self) -> Vec<&str> {
        self.list.iter().map(|s| s.name()).collect()
    }

    fn evaluator(&self, index: usize) -> Evaluator {
        match index {
            0 => Evaluator::Builtin(Builtin::WeightedMean),
            1 => Evaluator::Builtin(Builtin::Mean),
            2 => Evaluator::Builtin(Builtin::Min),
            i => Evaluator::Custom(to_u32(i)),
        }
    }

    fn custom(&self, index: u32) -> Option<&dyn AggregationStrategy> {
        debug_assert!(index as usize >= BUILTINS);
        self.list.get(index as usize).map(|s| &**s)
    }
}

/// Everything the roll-up needs, in flat arrays indexed by *slot*: a node's
/// position in the plan's order. Nodes outside the plan (initiatives,
/// vacant graph indices) have no slot.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    /// The node at each slot: objectives and key results, supporters first,
    /// laid out so that what one node reads sits together (see [`layout`]).
    order: Vec<NodeIndex>,
    /// The slot of each node index; [`NO_SLOT`] outside the plan.
    slots: Vec<u32>,
    /// One entry per slot, plus one past the end whose starts close the
    /// last slot's ranges. What a node's evaluation reads sits together,
    /// so an incremental pass over scattered nodes misses the cache once per
    /// node for it, not once per array.
    nodes: Vec<PlanNode>,
    /// CSR: the inputs of slot `s` (input slot, weight) are
    /// `inputs[nodes[s].inputs..nodes[s + 1].inputs]`.
    inputs: Vec<(u32, Decimal)>,
    /// CSR likewise: the slots that take slot `s` as an input.
    consumers: Vec<u32>,
}

const NO_SLOT: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct PlanNode {
    inputs: u32,
    consumers: u32,
    evaluator: Evaluator,
}

/// Current progress of every node plus the plan that produced it.
#[derive(Debug, Clone, Default)]
pub(crate) struct State {
    plan: Plan,
    /// Progress by slot: rolled up for nodes with inputs, their own (a key
    /// result's metric progress, 0 for an objective without any) for the
    /// rest. A node without inputs is never recomputed, so its own progress
    /// needs no second array.
    progress: Vec<Decimal>,
    /// The kept partial sums of nodes with a large fan-in (built-in
    /// strategies only), by slot.
    trees: HashMap<u32, Tree>,
    scratch: Vec<Contribution>,
    /// While an edit is being applied: each slot an incremental pass
    /// changed, with its value before, in the order they changed (a slot
    /// may repeat; its first entry holds the value before the edit).
    journal: Option<Vec<(u32, Decimal)>>,
}

/// A [`SumTree`] and where each input sits in it.
#[derive(Debug, Clone)]
struct Tree {
    sums: SumTree,
    /// `(input slot, position among the node's inputs)`, sorted.
    positions: Vec<(u32, u32)>,
}

impl Tree {
    fn new(builtin: Builtin, inputs: &NodeInputs<'_, [Decimal]>) -> Self {
        let mut positions: Vec<(u32, u32)> = inputs
            .inputs
            .iter()
            .zip(0u32..)
            .map(|(&(source, _), position)| (source, position))
            .collect();
        positions.sort_unstable();
        Self {
            sums: SumTree::new(builtin, inputs),
            positions,
        }
    }

    /// Marks the positions `source` feeds. O(log inputs).
    fn mark(&mut self, source: u32) {
        let start = self.positions.partition_point(|&(s, _)| s < source);
        for &(s, position) in sure(self.positions.get(start..), "start is a partition point") {
            if s != source {
                break;
            }
            self.sums.mark(position as usize);
        }
    }
}

/// Lists of items stored back to back: list `i` is
/// `items[starts[i]..starts[i + 1]]`.
struct Lists<T> {
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy> Lists<T> {
    fn with_capacity(lists: usize, items: usize) -> Self {
        let mut starts = Vec::with_capacity(lists + 1);
        starts.push(0);
        Self {
            starts,
            items: Vec::with_capacity(items),
        }
    }

    fn push(&mut self, list: impl IntoIterator<Item = T>) {
        self.items.extend(list);
        self.starts.push(to_u32(self.items.len()));
    }

    fn get(&self, i: usize) -> &[T] {
        let start = sure(self.starts.get(i).copied(), "list i exists") as usize;
        let end = sure(self.starts.get(i + 1).copied(), "list i exists") as usize;
        sure(self.items.get(start..end), "lists lie inside the items")
    }
}

/// For each of `len` lists, the indices `i` with `keys[i]` equal to the
/// list's number, ascending (a counting sort). Keys out of range are left
/// out. O(len + keys).
fn group(keys: &[u32], len: usize) -> Lists<u32> {
    let mut starts = vec![0u32; len + 1];
    for &key in keys {
        if let Some(count) = starts.get_mut(key as usize + 1) {
            *count += 1;
        }
    }
    for i in 1..starts.len() {
        let before = sure(starts.get(i - 1).copied(), "i - 1 < len");
        if let Some(start) = starts.get_mut(i) {
            *start += before;
        }
    }
    let mut fill = starts.clone();
    let mut items = vec![0u32; sure(starts.last().copied(), "starts has len + 1 entries") as usize];
    for (i, &key) in keys.iter().enumerate() {
        if let Some(next) = fill.get_mut(key as usize) {
            if let Some(item) = items.get_mut(*next as usize) {
                *item = to_u32(i);
            }
            *next += 1;
        }
    }
    Lists { starts, items }
}

/// The plan's order: a topological order (inputs before what they feed)
/// in which what one node reads sits together.
///
/// Each node hangs under its first consumer, its primary parent. Below each
/// node, everything under its children comes first, then the children side
/// by side: an objective's key results and the objectives aligned to it
/// fill a few cache lines, and a node's own key results sit right before it
/// among its siblings' ones. A depth-first pass over the inputs then pulls a
/// node with a second consumer ahead of that consumer where the tree put it
/// later. Both passes are iterative. O(V + E).
fn layout(
    bound: usize,
    inputs: &Lists<(u32, Decimal)>,
    measured: impl Fn(usize) -> bool,
) -> Vec<u32> {
    let mut parent = vec![NO_SLOT; bound];
    for n in 0..bound {
        for &(source, _) in inputs.get(n) {
            if let Some(p) = parent.get_mut(source as usize) {
                if *p == NO_SLOT {
                    *p = to_u32(n);
                }
            }
        }
    }
    let children = group(&parent, bound);
    let mut tree_order: Vec<u32> = Vec::with_capacity(bound);
    let mut stack: Vec<(u32, u32)> = Vec::new();
    let roots = (0..bound).filter(|&n| measured(n) && parent.get(n) == Some(&NO_SLOT));
    for root in roots {
        stack.push((to_u32(root), 0));
        while let Some(&(node, next)) = stack.last() {
            let kids = children.get(node as usize);
            if let Some(&child) = kids.get(next as usize) {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                stack.push((child, 0));
            } else {
                tree_order.extend_from_slice(kids);
                stack.pop();
            }
        }
        tree_order.push(to_u32(root));
    }
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut status = vec![NEW; bound];
    let mut order = Vec::with_capacity(tree_order.len());
    for &start in &tree_order {
        if status.get(start as usize) != Some(&NEW) {
            continue;
        }
        set_status(&mut status, start, OPEN);
        stack.push((start, 0));
        while let Some(&(node, next)) = stack.last() {
            if let Some(&(source, _)) = inputs.get(node as usize).get(next as usize) {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                if status.get(source as usize) == Some(&NEW) {
                    set_status(&mut status, source, OPEN);
                    stack.push((source, 0));
                }
            } else {
                set_status(&mut status, node, DONE);
                order.push(node);
                stack.pop();
            }
        }
    }
    order
}

fn set_status(status: &mut [u8], node: u32, value: u8) {
    if let Some(slot) = status.get_mut(node as usize) {
        *slot = value;
    }
}

impl Plan {
    /// Compiles the plan from an acyclic graph. O(V + E), plus sorting each
    /// node's inputs by id.
    pub(crate) fn build(
        graph: &Graph,
        strategies: &Strategies,
        strategy_of: impl Fn(NodeIndex) -> usize,
    ) -> Self {
        let bound = graph.node_bound();
        let measured = |n: usize| {
            matches!(
                graph.node_weight(NodeIndex::new(n)),
                Some(Node::Objective(_) | Node::KeyResult(_))
            )
        };
        let mut by_node = Lists::with_capacity(bound, graph.edge_count());
        let mut list: Vec<(u32, Decimal)> = Vec::new();
        for n in 0..bound {
            list.clear();
            if measured(n) {
                list.extend(
                    graph
                        .edges_directed(NodeIndex::new(n), Incoming)
                        .filter(|e| e.weight().counts())
                        .map(|e| (index_u32(e.source()), e.weight().weight.value())),
                );
                // Sum in id order: a set built by edits and the same set
                // reloaded from its document then round alike, to the last digit.
                list.sort_by(|a, b| id_of(graph, a.0).cmp(&id_of(graph, b.0)));
            }
            by_node.push(list.iter().copied());
        }
        let order = layout(bound, &by_node, measured);
        let mut slots = vec![NO_SLOT; bound];
        for (slot, &n) in order.iter().enumerate() {
            if let Some(entry) = slots.get_mut(n as usize) {
                *entry = to_u32(slot);
            }
        }
        let mut plan = Self {
            order: order.iter().map(|&n| NodeIndex::new(n as usize)).collect(),
            slots,
            nodes: Vec::with_capacity(order.len() + 1),
            inputs: Vec::with_capacity(by_node.items.len()),
            consumers: Vec::new(),
        };
        for &n in &order {
            plan.nodes.push(PlanNode {
                inputs: to_u32(plan.inputs.len()),
                consumers: 0,
                evaluator: strategies.evaluator(strategy_of(NodeIndex::new(n as usize))),
            });
            for &(source, weight) in by_node.get(n as usize) {
                let slot = plan.slots.get(source as usize).copied().unwrap_or(NO_SLOT);
                plan.inputs.push((slot, weight));
            }
        }
        plan.nodes.push(PlanNode {
            inputs: to_u32(plan.inputs.len()),
            consumers: 0,
            evaluator: Evaluator::Builtin(Builtin::WeightedMean),
        });
        let mut keys = Vec::with_capacity(plan.inputs.len());
        let mut consumer_of = Vec::with_capacity(plan.inputs.len());
        for slot in 0..plan.len() {
            for &(source, _) in plan.inputs_of(slot) {
                keys.push(source);
                consumer_of.push(to_u32(slot));
            }
        }
        let grouped = group(&keys, plan.len());
        for (entry, &start) in plan.nodes.iter_mut().zip(&grouped.starts) {
            entry.consumers = start;
        }
        plan.consumers = grouped
            .items
            .iter()
            .map(|&i| consumer_of.get(i as usize).copied().unwrap_or(NO_SLOT))
            .collect();
        plan
    }

    /// The number of slots.
    fn len(&self) -> usize {
        self.order.len()
    }

    /// The `field` range of slot `s`: from its entry to the next one's.
    fn range(&self, s: usize, field: impl Fn(&PlanNode) -> u32) -> (usize, usize) {
        let start = self.nodes.get(s).map_or(0, &field) as usize;
        let end = self.nodes.get(s + 1).map_or(0, &field) as usize;
        (start, end.max(start))
    }

    fn inputs_of(&self, s: usize) -> &[(u32, Decimal)] {
        let (start, end) = self.range(s, |e| e.inputs);
        sure(
            self.inputs.get(start..end),
            "plan ranges lie inside the inputs",
        )
    }

    fn consumers_of(&self, s: usize) -> &[u32] {
        let (start, end) = self.range(s, |e| e.consumers);
        sure(
            self.consumers.get(start..end),
            "plan ranges lie inside the consumers",
        )
    }

    fn evaluator_of(&self, s: usize) -> Evaluator {
        sure_or(
            self.nodes.get(s).map(|e| e.evaluator),
            Evaluator::Builtin(Builtin::WeightedMean),
            "every slot has a plan entry",
        )
    }

    /// A node's slot; `None` outside the plan. O(1).
    fn slot_of(&self, node: NodeIndex) -> Option<usize> {
        match self.slots.get(node.index()) {
            Some(&slot) if slot != NO_SLOT => Some(slot as usize),
            _ => None,
        }
    }

    /// The node at a slot, as the `u32` the overlays and shares use.
    fn node_at(&self, slot: u32) -> u32 {
        let node = self.order.get(slot as usize).map(|&n| index_u32(n));
        sure_or(node, u32::MAX, "every slot has a node")
    }

    /// Objectives and key results, supporters first.
    pub(crate) fn order(&self) -> &[NodeIndex] {
        &self.order
    }
}

fn id_of(graph: &Graph, node: u32) -> Option<&crate::Id> {
    graph
        .node_weight(NodeIndex::new(node as usize))
        .map(Node::id)
}

fn index_u32(node: NodeIndex) -> u32 {
    to_u32(node.index())
}

impl Plan {
    /// Rolls `leaf` values (a key result's own progress, by node index) up
    /// the whole plan into a fresh vector, by node index. O(V + E).
    pub(crate) fn evaluate_all(
        &self,
        leaf: &[Decimal],
        strategies: &Strategies,
        cap: Decimal,
    ) -> Vec<Decimal> {
        let mut progress: Vec<Decimal> = self
            .order
            .iter()
            .map(|n| sure(leaf.get(n.index()).copied(), "leaf values cover the graph"))
            .collect();
        let mut scratch = Vec::new();
        for s in 0..self.len() {
            if self.inputs_of(s).is_empty() {
                continue;
            }
            let value = self.evaluate(s, progress.as_slice(), &mut scratch, strategies, cap);
            if let Some(slot) = progress.get_mut(s) {
                *slot = value;
            }
        }
        let mut by_node = vec![Decimal::ZERO; self.slots.len()];
        for (node, value) in self.order.iter().zip(progress) {
            if let Some(slot) = by_node.get_mut(node.index()) {
                *slot = value;
            }
        }
        by_node
    }

    /// The progress of every ancestor of `changed` had its own progress
    /// been `value`, as an overlay by node index on `progress` (by slot).
    /// O(A log A) for A ancestors.
    fn what_if(
        &self,
        progress: &[Decimal],
        changed: NodeIndex,
        value: Decimal,
        strategies: &Strategies,
        cap: Decimal,
    ) -> HashMap<u32, Decimal> {
        let Some(changed) = self.slot_of(changed) else {
            return HashMap::new();
        };
        let changed = to_u32(changed);
        let mut overlay: HashMap<u32, Decimal> = HashMap::new();
        let mut scratch = Vec::new();
        overlay.insert(changed, value);
        let mut queue: BinaryHeap<Reverse<u32>> = self
            .consumers_of(changed as usize)
            .iter()
            .map(|&c| Reverse(c))
            .collect();
        let mut last = None;
        while let Some(Reverse(s)) = queue.pop() {
            if last == Some(s) {
                continue;
            }
            last = Some(s);
            let view = Overlay {
                base: progress,
                overlay: &overlay,
            };
            let updated = self.evaluate(s as usize, &view, &mut scratch, strategies, cap);
            overlay.insert(s, updated);
            queue.extend(self.consumers_of(s as usize).iter().map(|&c| Reverse(c)));
        }
        overlay
            .into_iter()
            .map(|(s, value)| (self.node_at(s), value))
            .collect()
    }

    /// Each input's share of a node's progress under a linear reading of
    /// its strategy: weight over total weight (`mean`: one over the count of
    /// non-zero weights), by input node index. O(inputs).
    pub(crate) fn shares(&self, node: NodeIndex) -> Vec<(u32, Decimal)> {
        let Some(s) = self.slot_of(node) else {
            return Vec::new();
        };
        let inputs = self.inputs_of(s);
        let shares: Vec<Decimal> = if self.evaluator_of(s) == Evaluator::Builtin(Builtin::Mean) {
            let count = inputs.iter().filter(|(_, w)| !w.is_zero()).count();
            let each = Decimal::ONE
                .checked_div(Decimal::from(count))
                .unwrap_or_default();
            inputs
                .iter()
                .map(|&(_, w)| if w.is_zero() { Decimal::ZERO } else { each })
                .collect()
        } else {
            // Weights near the decimal range would overflow their sum: scale
            // them by the largest first, as `weighted_mean` does.
            let largest = inputs.iter().map(|(_, w)| *w).max().unwrap_or_default();
            let scaled: Vec<Decimal> = inputs
                .iter()
                .map(|&(_, w)| w.checked_div(largest).unwrap_or_default())
                .collect();
            let total = scaled
                .iter()
                .fold(Decimal::ZERO, |sum, w| sum.saturating_add(*w));
            scaled
                .into_iter()
                .map(|w| w.checked_div(total).unwrap_or_default())
                .collect()
        };
        inputs
            .iter()
            .zip(shares)
            .map(|(&(source, _), share)| (self.node_at(source), share))
            .collect()
    }

    /// A node's progress from its inputs' (a node without inputs keeps its
    /// own), clamped to `[0, cap]`; everything by slot. O(inputs), no
    /// allocation for the built-ins.
    #[inline]
    fn evaluate(
        &self,
        s: usize,
        progress: &(impl Progresses + ?Sized),
        scratch: &mut Vec<Contribution>,
        strategies: &Strategies,
        cap: Decimal,
    ) -> Decimal {
        let inputs = self.inputs_of(s);
        if inputs.is_empty() {
            return progress.at(to_u32(s));
        }
        let view = NodeInputs { inputs, progress };
        let value = match self.evaluator_of(s) {
            Evaluator::Builtin(builtin) => builtin.aggregate(&view),
            Evaluator::Custom(index) => {
                scratch.clear();
                scratch.extend(view.all().map(|(w, p)| {
                    Contribution::new(
                        sure_or(
                            Weight::new(w).ok(),
                            Weight::ZERO,
                            "plan weights are weights",
                        ),
                        sure_or(
                            Progress::new(p).ok(),
                            Progress::ZERO,
                            "roll-up values are progress",
                        ),
                    )
                }));
                let strategy = strategies.custom(index);
                sure(
                    strategy.map(|s| s.aggregate(scratch)),
                    "plans name registered strategies",
                )
            }
        };
        Progress::clamped(value, cap).value()
    }
}

/// A node's inputs in plan order, their progress read from `progress`.
struct NodeInputs<'a, P: ?Sized> {
    inputs: &'a [(u32, Decimal)],
    progress: &'a P,
}

impl<P: Progresses + ?Sized> Inputs for NodeInputs<'_, P> {
    fn count(&self) -> usize {
        self.inputs.len()
    }
    fn pairs(&self, positions: Range<usize>) -> impl Iterator<Item = (Decimal, Decimal)> + '_ {
        sure(
            self.inputs.get(positions),
            "positions lie inside the inputs",
        )
        .iter()
        .map(|&(source, weight)| (weight, self.progress.at(source)))
    }
}

/// Where `evaluate` reads its inputs' progress, by slot.
trait Progresses {
    fn at(&self, slot: u32) -> Decimal;
}

impl Progresses for [Decimal] {
    fn at(&self, slot: u32) -> Decimal {
        sure(
            self.get(slot as usize).copied(),
            "progress arrays cover the plan",
        )
    }
}

/// A few changed values over a full progress array.
struct Overlay<'a> {
    base: &'a [Decimal],
    overlay: &'a HashMap<u32, Decimal>,
}

impl Progresses for Overlay<'_> {
    fn at(&self, slot: u32) -> Decimal {
        match self.overlay.get(&slot) {
            Some(value) => *value,
            None => self.base.at(slot),
        }
    }
}

impl State {
    /// Starts recording the slots incremental passes change. O(1).
    pub(crate) fn start_journal(&mut self) {
        self.journal = Some(Vec::new());
    }

    /// Stops recording and returns each changed node once, with its value
    /// before the journal started and now, in the order first changed.
    /// O(entries).
    pub(crate) fn take_journal(&mut self) -> Vec<(NodeIndex, Decimal, Decimal)> {
        let entries = self.journal.take().unwrap_or_default();
        let mut seen = std::collections::HashSet::with_capacity(entries.len());
        let mut out = Vec::with_capacity(entries.len());
        for (s, before) in entries {
            if !seen.insert(s) {
                continue;
            }
            let node = self.plan.order.get(s as usize).copied();
            let now = self.progress.get(s as usize).copied();
            if let (Some(node), Some(now)) = (node, now) {
                out.push((node, before, now));
            }
        }
        out
    }

    /// The plan the state rolls up over.
    pub(crate) fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The current progress of a node; `None` outside the plan. O(1).
    pub(crate) fn progress_of(&self, node: NodeIndex) -> Option<Decimal> {
        self.progress.get(self.plan.slot_of(node)?).copied()
    }

    /// Replaces the plan (after a structural edit), takes each key result's
    /// own progress from `leaf_of` and rolls everything up. O(V + E).
    pub(crate) fn rebuild(
        &mut self,
        plan: Plan,
        leaf_of: impl Fn(NodeIndex) -> Decimal,
        strategies: &Strategies,
        cap: Decimal,
    ) {
        self.progress = plan.order.iter().map(|&n| leaf_of(n)).collect();
        self.plan = plan;
        self.trees.clear();
        self.full(strategies, cap);
    }

    /// Recomputes every node with inputs in the plan's order, from the own
    /// progress of the nodes without. O(V + E); allocates only, on the first
    /// pass after a new plan, the kept sums of nodes with more than 32
    /// inputs.
    pub(crate) fn full(&mut self, strategies: &Strategies, cap: Decimal) {
        for s in 0..self.plan.len() {
            if !self.plan.inputs_of(s).is_empty() {
                self.recompute(s, Pass::Full, strategies, cap);
            }
        }
    }

    /// Sets key results' own progress and rolls the changes up in one
    /// incremental pass. O(A log A) for A ancestors, plus O(32 + log inputs)
    /// per changed input of a node with kept sums.
    pub(crate) fn update_leaves(
        &mut self,
        leaves: impl IntoIterator<Item = (NodeIndex, Decimal)>,
        strategies: &Strategies,
        cap: Decimal,
    ) {
        let mut queue: BinaryHeap<Reverse<u32>> = BinaryHeap::new();
        for (node, value) in leaves {
            let Some(s) = self.plan.slot_of(node) else {
                continue;
            };
            // A key result with inputs (sub-key results) has no own progress.
            if self.plan.inputs_of(s).is_empty() && self.store(s, value, Pass::Incremental) {
                self.feed(s, &mut queue);
            }
        }
        let mut last: Option<u32> = None;
        while let Some(Reverse(s)) = queue.pop() {
            if last == Some(s) {
                continue;
            }
            last = Some(s);
            if self.recompute(s as usize, Pass::Incremental, strategies, cap) {
                self.feed(s as usize, &mut queue);
            }
        }
    }

    /// Queues what slot `s` feeds, after its value changed, and marks its
    /// place in their kept sums.
    fn feed(&mut self, s: usize, queue: &mut BinaryHeap<Reverse<u32>>) {
        for &consumer in self.plan.consumers_of(s) {
            // Only a node with a large fan-in can keep sums: the count sits
            // in the plan entry read anyway, and spares most consumers a
            // hash lookup.
            let wide = SumTree::pays(self.plan.inputs_of(consumer as usize).len());
            if let Some(tree) = wide.then(|| self.trees.get_mut(&consumer)).flatten() {
                tree.mark(to_u32(s));
            }
            queue.push(Reverse(consumer));
        }
    }

    /// The progress of every ancestor of `changed` had its own progress
    /// been `value`, by node index. O(A log A) for A ancestors.
    pub(crate) fn what_if(
        &self,
        changed: NodeIndex,
        value: Decimal,
        strategies: &Strategies,
        cap: Decimal,
    ) -> HashMap<u32, Decimal> {
        self.plan
            .what_if(&self.progress, changed, value, strategies, cap)
    }

    /// A node with kept sums: refreshes (or builds) them and reads the
    /// value off their root. Out of line, to keep the common path small.
    #[inline(never)]
    fn evaluate_kept(&mut self, s: usize, builtin: Builtin, pass: Pass, cap: Decimal) -> Decimal {
        let view = NodeInputs {
            inputs: self.plan.inputs_of(s),
            progress: self.progress.as_slice(),
        };
        let tree = self
            .trees
            .entry(to_u32(s))
            .and_modify(|tree| match pass {
                Pass::Full => tree.sums.rebuild(&view),
                Pass::Incremental => tree.sums.refresh(&view),
            })
            .or_insert_with(|| Tree::new(builtin, &view));
        Progress::clamped(tree.sums.value(&view), cap).value()
    }

    /// Evaluates one slot with inputs and stores it. Returns whether the
    /// stored value changed.
    fn recompute(&mut self, s: usize, pass: Pass, strategies: &Strategies, cap: Decimal) -> bool {
        let inputs = self.plan.inputs_of(s);
        // Most nodes are key results without inputs: test the count before
        // reading the evaluator.
        let kept = SumTree::pays(inputs.len()).then(|| self.plan.evaluator_of(s));
        let value = match kept {
            Some(Evaluator::Builtin(builtin)) => self.evaluate_kept(s, builtin, pass, cap),
            _ => self.plan.evaluate(
                s,
                self.progress.as_slice(),
                &mut self.scratch,
                strategies,
                cap,
            ),
        };
        self.store(s, value, pass)
    }

    /// Stores a slot's value. Returns whether it changed (always true on a
    /// full pass; false for a slot outside the array).
    fn store(&mut self, s: usize, value: Decimal, pass: Pass) -> bool {
        match self.progress.get_mut(s) {
            Some(slot) if pass == Pass::Full => {
                *slot = value;
                true
            }
            // Bit for bit: an equal value of another scale could round
            // differently further up.
            Some(slot) if slot.serialize() != value.serialize() => {
                if let Some(journal) = &mut self.journal {
                    journal.push((to_u32(s), *slot));
                }
                *slot = value;
                true
            }
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Full,
    Incremental,
}

#[cfg(test)]
impl Plan {
    /// Checks that every objective and key result has exactly one slot and
    /// that every input sits before what it feeds, in both directions of
    /// the CSR.
    pub(crate) fn assert_consistent(&self, graph: &Graph) {
        let measured = graph
            .node_indices()
            .filter(|&n| !matches!(graph.node_weight(n), Some(Node::Initiative(_))))
            .count();
        assert_eq!(self.len(), measured, "one slot per measured node");
        for (s, node) in self.order.iter().enumerate() {
            assert_eq!(self.slot_of(*node), Some(s), "slot of {node:?}");
            let counting = graph
                .edges_directed(*node, Incoming)
                .filter(|e| e.weight().counts())
                .count();
            assert_eq!(self.inputs_of(s).len(), counting, "inputs of {node:?}");
            for &(input, _) in self.inputs_of(s) {
                assert!((input as usize) < s, "input {input} after its consumer {s}");
                assert!(self.consumers_of(input as usize).contains(&to_u32(s)));
            }
            for &consumer in self.consumers_of(s) {
                assert!(consumer as usize > s, "consumer {consumer} before {s}");
            }
        }
    }
}
