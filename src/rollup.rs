//! Roll-up: a plan compiled from the graph (topological order and flat
//! contribution lists), the full pass over it, and the incremental pass that
//! recomputes only the ancestors of a changed key result.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::ops::Range;
use std::sync::Arc;

use petgraph::Direction::Incoming;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::{EdgeRef, NodeIndexable};
use rust_decimal::Decimal;

use crate::grading::{Builtin, Inputs, SumTree};
use crate::graph::{Graph, Node};
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
            i => Evaluator::Custom(u32::try_from(i).unwrap_or(u32::MAX)),
        }
    }

    fn custom(&self, index: u32) -> Option<&dyn AggregationStrategy> {
        debug_assert!(index as usize >= BUILTINS);
        self.list.get(index as usize).map(|s| &**s)
    }
}

/// Everything the roll-up needs, in flat arrays indexed by node index.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    /// Objectives and key results, supporters first.
    order: Vec<NodeIndex>,
    /// One entry per node index, plus one past the end whose starts close
    /// the last node's ranges. What a node's evaluation reads sits together,
    /// so an incremental pass over scattered nodes misses the cache once per
    /// node for it, not once per array.
    nodes: Vec<PlanNode>,
    /// CSR: the inputs of node `n` are `inputs[nodes[n].inputs..nodes[n + 1].inputs]`.
    inputs: Vec<(u32, Decimal)>,
    /// CSR likewise: the nodes that take node `n` as an input.
    consumers: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
struct PlanNode {
    /// Position in `order`; `u32::MAX` for nodes outside it.
    rank: u32,
    inputs: u32,
    consumers: u32,
    evaluator: Evaluator,
}

impl PlanNode {
    const OUTSIDE: Self = Self {
        rank: u32::MAX,
        inputs: 0,
        consumers: 0,
        evaluator: Evaluator::Builtin(Builtin::WeightedMean),
    };
}

/// Current progress of every node plus the plan that produced it.
#[derive(Debug, Clone, Default)]
pub(crate) struct State {
    plan: Plan,
    /// Metric progress of each key result (0 for every other node).
    pub(crate) leaf: Vec<Decimal>,
    pub(crate) progress: Vec<Decimal>,
    /// The kept partial sums of nodes with a large fan-in (built-in
    /// strategies only), by node index.
    trees: HashMap<u32, Tree>,
    scratch: Vec<Contribution>,
}

/// A [`SumTree`] and where each input sits in it.
#[derive(Debug, Clone)]
struct Tree {
    sums: SumTree,
    /// `(input node, position among the node's inputs)`, sorted.
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
        for &(s, position) in self.positions.get(start..).unwrap_or_default() {
            if s != source {
                break;
            }
            self.sums.mark(position as usize);
        }
    }
}

impl Plan {
    /// Compiles the plan from a graph whose `order` is topological. O(V + E).
    pub(crate) fn build(
        graph: &Graph,
        order: &[NodeIndex],
        strategies: &Strategies,
        strategy_of: impl Fn(NodeIndex) -> usize,
    ) -> Self {
        let bound = graph.node_bound();
        let mut plan = Self {
            order: Vec::with_capacity(order.len()),
            nodes: vec![PlanNode::OUTSIDE; bound + 1],
            inputs: Vec::with_capacity(graph.edge_count()),
            consumers: Vec::new(),
        };
        for &node in order {
            if matches!(graph.node_weight(node), Some(Node::Initiative(_)) | None) {
                continue;
            }
            if let Some(entry) = plan.nodes.get_mut(node.index()) {
                entry.rank = u32::try_from(plan.order.len()).unwrap_or(u32::MAX);
                entry.evaluator = strategies.evaluator(strategy_of(node));
            }
            plan.order.push(node);
        }
        let mut consumer_counts = vec![0u32; bound + 1];
        for n in 0..bound {
            let node = NodeIndex::new(n);
            if graph.node_weight(node).is_some() {
                let mut inputs: Vec<(u32, Decimal)> = graph
                    .edges_directed(node, Incoming)
                    .filter(|e| e.weight().counts())
                    .map(|e| (index_u32(e.source()), e.weight().weight.value()))
                    .collect();
                // Sum in id order: a set built by edits and the same set
                // reloaded from its document then round alike, to the last digit.
                inputs.sort_by(|a, b| id_of(graph, a.0).cmp(&id_of(graph, b.0)));
                for &(source, _) in &inputs {
                    if let Some(c) = consumer_counts.get_mut(source as usize) {
                        *c += 1;
                    }
                }
                plan.inputs.extend(inputs);
            }
            if let Some(next) = plan.nodes.get_mut(n + 1) {
                next.inputs = to_u32(plan.inputs.len());
            }
        }
        let mut consumers_so_far = 0u32;
        for (entry, count) in plan.nodes.iter_mut().zip(&consumer_counts) {
            entry.consumers = consumers_so_far;
            consumers_so_far = consumers_so_far.saturating_add(*count);
        }
        let mut fill: Vec<u32> = plan.nodes.iter().map(|e| e.consumers).collect();
        plan.consumers = vec![0; consumers_so_far as usize];
        for n in 0..bound {
            let (start, end) = plan.range(n, |e| e.inputs);
            for &(source, _) in plan.inputs.get(start..end).unwrap_or_default() {
                if let Some(slot) = fill.get_mut(source as usize) {
                    if let Some(c) = plan.consumers.get_mut(*slot as usize) {
                        *c = to_u32(n);
                    }
                    *slot += 1;
                }
            }
        }
        plan
    }

    /// The `field` range of node `n`: from its entry to the next one's.
    fn range(&self, n: usize, field: impl Fn(&PlanNode) -> u32) -> (usize, usize) {
        let start = self.nodes.get(n).map_or(0, &field) as usize;
        let end = self.nodes.get(n + 1).map_or(0, &field) as usize;
        (start, end.max(start))
    }

    fn inputs_of(&self, n: usize) -> &[(u32, Decimal)] {
        let (start, end) = self.range(n, |e| e.inputs);
        self.inputs.get(start..end).unwrap_or_default()
    }

    fn consumers_of(&self, n: usize) -> &[u32] {
        let (start, end) = self.range(n, |e| e.consumers);
        self.consumers.get(start..end).unwrap_or_default()
    }

    /// Node indices the plan covers (the graph's node bound).
    fn bound(&self) -> usize {
        self.nodes.len().saturating_sub(1)
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn id_of(graph: &Graph, node: u32) -> Option<&crate::Id> {
    graph
        .node_weight(NodeIndex::new(node as usize))
        .map(Node::id)
}

fn index_u32(node: NodeIndex) -> u32 {
    u32::try_from(node.index()).unwrap_or(u32::MAX)
}

impl Plan {
    /// Rolls `leaf` values (a key result's own progress, by node index) up
    /// the whole plan into a fresh vector. O(V + E).
    pub(crate) fn evaluate_all(
        &self,
        leaf: &[Decimal],
        strategies: &Strategies,
        cap: Decimal,
    ) -> Vec<Decimal> {
        let mut progress = vec![Decimal::ZERO; self.bound()];
        let mut scratch = Vec::new();
        for node in &self.order {
            let n = node.index();
            let value = self.evaluate(n, leaf, progress.as_slice(), &mut scratch, strategies, cap);
            if let Some(slot) = progress.get_mut(n) {
                *slot = value;
            }
        }
        progress
    }

    /// The progress of every ancestor of `changed` had its own progress
    /// been `value`, as an overlay on `progress` (which `leaf` produced).
    /// O(A log A) for A ancestors.
    pub(crate) fn what_if(
        &self,
        leaf: &[Decimal],
        progress: &[Decimal],
        changed: NodeIndex,
        value: Decimal,
        strategies: &Strategies,
        cap: Decimal,
    ) -> HashMap<u32, Decimal> {
        let mut overlay: HashMap<u32, Decimal> = HashMap::new();
        let mut scratch = Vec::new();
        let changed = index_u32(changed);
        overlay.insert(changed, value);
        let mut queue: BinaryHeap<Reverse<(u32, u32)>> = BinaryHeap::new();
        for &consumer in self.consumers_of(changed as usize) {
            queue.push(Reverse((self.rank_of(consumer), consumer)));
        }
        let mut last = None;
        while let Some(Reverse((rank, n))) = queue.pop() {
            if last == Some(n) || rank == u32::MAX {
                continue;
            }
            last = Some(n);
            let view = Overlay {
                base: progress,
                overlay: &overlay,
            };
            let updated = self.evaluate(n as usize, leaf, &view, &mut scratch, strategies, cap);
            overlay.insert(n, updated);
            for &consumer in self.consumers_of(n as usize) {
                queue.push(Reverse((self.rank_of(consumer), consumer)));
            }
        }
        overlay
    }

    /// Each input's share of a node's progress under a linear reading of
    /// its strategy: weight over total weight (`mean`: one over the count of
    /// non-zero weights). O(inputs).
    pub(crate) fn shares(&self, n: usize) -> Vec<(u32, Decimal)> {
        let inputs = self.inputs_of(n);
        if self.evaluator_of(n) == Evaluator::Builtin(Builtin::Mean) {
            let count = inputs.iter().filter(|(_, w)| !w.is_zero()).count();
            let each = Decimal::ONE
                .checked_div(Decimal::from(count))
                .unwrap_or_default();
            return inputs
                .iter()
                .map(|&(source, w)| (source, if w.is_zero() { Decimal::ZERO } else { each }))
                .collect();
        }
        // Weights near the decimal range would overflow their sum: scale
        // them by the largest first, as `weighted_mean` does.
        let largest = inputs.iter().map(|(_, w)| *w).max().unwrap_or_default();
        if largest.is_zero() {
            return inputs.iter().map(|&(s, _)| (s, Decimal::ZERO)).collect();
        }
        let scaled: Vec<(u32, Decimal)> = inputs
            .iter()
            .map(|&(s, w)| (s, w.checked_div(largest).unwrap_or_default()))
            .collect();
        let total = scaled
            .iter()
            .fold(Decimal::ZERO, |sum, (_, w)| sum.saturating_add(*w));
        scaled
            .into_iter()
            .map(|(source, w)| (source, w.checked_div(total).unwrap_or_default()))
            .collect()
    }

    /// A node's position in the order; `u32::MAX` outside it.
    fn rank_of(&self, n: u32) -> u32 {
        self.nodes.get(n as usize).map_or(u32::MAX, |e| e.rank)
    }

    /// Objectives and key results, supporters first.
    pub(crate) fn order(&self) -> &[NodeIndex] {
        &self.order
    }

    fn evaluator_of(&self, n: usize) -> Evaluator {
        self.nodes
            .get(n)
            .map_or(Evaluator::Builtin(Builtin::WeightedMean), |e| e.evaluator)
    }

    /// A node's progress from its inputs' (or its own leaf value), clamped
    /// to `[0, cap]`. O(inputs), no allocation for the built-ins.
    #[inline]
    fn evaluate(
        &self,
        n: usize,
        leaf: &[Decimal],
        progress: &(impl Progresses + ?Sized),
        scratch: &mut Vec<Contribution>,
        strategies: &Strategies,
        cap: Decimal,
    ) -> Decimal {
        let inputs = self.inputs_of(n);
        if inputs.is_empty() {
            return leaf.get(n).copied().unwrap_or_default();
        }
        let view = NodeInputs { inputs, progress };
        let value = match self.evaluator_of(n) {
            Evaluator::Builtin(builtin) => builtin.aggregate(&view),
            Evaluator::Custom(index) => {
                scratch.clear();
                scratch.extend(view.all().map(|(w, p)| {
                    Contribution::new(
                        Weight::new(w).unwrap_or(Weight::ZERO),
                        Progress::new(p).unwrap_or(Progress::ZERO),
                    )
                }));
                strategies
                    .custom(index)
                    .map(|s| s.aggregate(scratch))
                    .unwrap_or_default()
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
        self.inputs
            .get(positions)
            .unwrap_or_default()
            .iter()
            .map(|&(source, weight)| (weight, self.progress.at(source)))
    }
}

/// Where `evaluate` reads its inputs' progress.
trait Progresses {
    fn at(&self, node: u32) -> Decimal;
}

impl Progresses for [Decimal] {
    fn at(&self, node: u32) -> Decimal {
        self.get(node as usize).copied().unwrap_or_default()
    }
}

/// A few changed values over a full progress array.
struct Overlay<'a> {
    base: &'a [Decimal],
    overlay: &'a HashMap<u32, Decimal>,
}

impl Progresses for Overlay<'_> {
    fn at(&self, node: u32) -> Decimal {
        match self.overlay.get(&node) {
            Some(value) => *value,
            None => self.base.at(node),
        }
    }
}

impl State {
    /// The plan the state rolls up over.
    pub(crate) fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Replaces the plan (after a structural edit); [`full`](Self::full)
    /// must follow. O(1) plus dropping the kept sums.
    pub(crate) fn replan(&mut self, plan: Plan) {
        self.plan = plan;
        self.trees.clear();
    }

    /// Recomputes every node in topological order. O(V + E); allocates only
    /// the progress array and, on the first pass after a new plan, the kept
    /// sums of nodes with more than 32 inputs.
    pub(crate) fn full(&mut self, strategies: &Strategies, cap: Decimal) {
        self.progress.clear();
        self.progress.resize(self.plan.bound(), Decimal::ZERO);
        for i in 0..self.plan.order.len() {
            if let Some(node) = self.plan.order.get(i) {
                self.recompute_node(node.index(), Pass::Full, strategies, cap);
            }
        }
    }

    /// Recomputes the ancestors of `changed` whose inputs changed, each
    /// once, in topological order. A node with a kept sum tree redoes only
    /// the blocks of its changed inputs. O(A log A) for A ancestors, plus
    /// O(32 + log inputs) per changed input of a large node.
    pub(crate) fn incremental(
        &mut self,
        changed: &[NodeIndex],
        strategies: &Strategies,
        cap: Decimal,
    ) {
        let mut queue: BinaryHeap<Reverse<(u32, u32)>> = changed
            .iter()
            .map(|node| Reverse((self.plan.rank_of(index_u32(*node)), index_u32(*node))))
            .collect();
        let mut last: Option<u32> = None;
        while let Some(Reverse((rank, n))) = queue.pop() {
            if last == Some(n) || rank == u32::MAX {
                continue;
            }
            last = Some(n);
            if !self.recompute_node(n as usize, Pass::Incremental, strategies, cap) {
                continue;
            }
            for &consumer in self.plan.consumers_of(n as usize) {
                // Only a node with a large fan-in can keep sums: the count
                // sits in the plan entry read for its rank anyway, and
                // spares most consumers a hash lookup.
                let wide = SumTree::pays(self.plan.inputs_of(consumer as usize).len());
                if let Some(tree) = wide.then(|| self.trees.get_mut(&consumer)).flatten() {
                    tree.mark(n);
                }
                queue.push(Reverse((self.plan.rank_of(consumer), consumer)));
            }
        }
    }

    /// A node with kept sums: refreshes (or builds) them and reads the
    /// value off their root. Out of line, to keep the common path small.
    #[inline(never)]
    fn evaluate_kept(&mut self, n: usize, builtin: Builtin, pass: Pass, cap: Decimal) -> Decimal {
        let view = NodeInputs {
            inputs: self.plan.inputs_of(n),
            progress: self.progress.as_slice(),
        };
        let tree = self
            .trees
            .entry(index_u32(NodeIndex::new(n)))
            .and_modify(|tree| match pass {
                Pass::Full => tree.sums.rebuild(&view),
                Pass::Incremental => tree.sums.refresh(&view),
            })
            .or_insert_with(|| Tree::new(builtin, &view));
        Progress::clamped(tree.sums.value(&view), cap).value()
    }

    /// Evaluates one node from its inputs (or its leaf) and stores it.
    /// Returns whether the stored value changed (always true on a full
    /// pass; false for an index outside the arrays).
    fn recompute_node(
        &mut self,
        n: usize,
        pass: Pass,
        strategies: &Strategies,
        cap: Decimal,
    ) -> bool {
        let inputs = self.plan.inputs_of(n);
        // Most nodes are key results without inputs: test the count before
        // reading the evaluator.
        let kept = SumTree::pays(inputs.len()).then(|| self.plan.evaluator_of(n));
        let value = match kept {
            Some(Evaluator::Builtin(builtin)) => self.evaluate_kept(n, builtin, pass, cap),
            _ => self.plan.evaluate(
                n,
                &self.leaf,
                self.progress.as_slice(),
                &mut self.scratch,
                strategies,
                cap,
            ),
        };
        match self.progress.get_mut(n) {
            Some(slot) if pass == Pass::Full => {
                *slot = value;
                true
            }
            // Bit for bit: an equal value of another scale could round
            // differently further up.
            Some(slot) if slot.serialize() != value.serialize() => {
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
