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

use crate::engine::graph::{EdgeKind, Folded, Graph, Node, folded_of, strategy_of};
use crate::invariant::{sure, sure_or, to_u32};
use crate::number::Repeat;
use crate::strategy::{
    BLOCK, Builtin, Inputs, SumTree, Sums, scaled_weighted_mean, two_groups, two_groups_by,
    whole_factors,
};
use crate::{
    AggregationStrategy, Contribution, Mean, Min, Progress, ProgressFrom, Weight, WeightedMean,
};

/// The strategies a set knows, built-ins first; a later one of the same name
/// wins.
#[derive(Debug, Clone)]
pub(crate) struct Strategies {
    list: Vec<Arc<dyn AggregationStrategy>>,
}

/// How the hot loop evaluates a node: built-ins inline, others through the
/// trait object; `sum-of-values` from its inputs' values, not their progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Evaluator {
    Builtin(Builtin),
    /// A weighted mean over two groups that count by their number of
    /// members: the key results are the first `split` inputs, the
    /// contributing objectives the rest (see [`two_groups`]), which count
    /// `extra` members more than they have inputs (a fold view's folded
    /// member stands for several).
    Groups(u32, u32),
    SumOfValues,
    Custom(u32),
    /// A fold view's node whose folded member adds a term of its own
    /// ([`Folded::fixed`]): entry `i` of [`Plan::termed`] holds the
    /// evaluator it runs and the term. Only such nodes pay for looking for
    /// the member among their inputs.
    Termed(u32),
}

/// The key of the kept sums of a node's second group (its contributing
/// objectives) in [`State::trees`]: its slot with the high bit set (slots
/// stay below it: a plan that large would not fit in memory).
const ALIGNED_TREE: u32 = 1 << 31;

const BUILTINS: usize = 3;

/// The name of the built-in strategy that sums a key result's sub-key
/// results' values.
pub(crate) const SUM_OF_VALUES: &str = "sum-of-values";

/// The strategy index that stands for [`SUM_OF_VALUES`] (past any list a
/// set could hold).
const SUM_OF_VALUES_INDEX: usize = u32::MAX as usize;

/// The set-wide settings every roll-up applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Config {
    /// The highest progress a node may show.
    pub(crate) cap: Decimal,
    /// Whether what flows into a consumer is clamped to 1 (over-achievement
    /// does not count, and the cap lets a node exceed 1).
    pub(crate) clamp: bool,
    /// What an objective counts unless it says itself.
    pub(crate) from: ProgressFrom,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            cap: Decimal::ONE,
            clamp: false,
            from: ProgressFrom::Both,
        }
    }
}

/// The own values behind a key result's progress that a `sum-of-values`
/// parent adds up: (value − start, target − start). Only the sub-key
/// results of such parents have them.
pub(crate) type Raw = (Decimal, Decimal);

/// A node's own standing as the roll-up reads it: its progress and, under a
/// `sum-of-values` parent, its raw values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Leaf {
    pub(crate) progress: Decimal,
    pub(crate) raw: Option<Raw>,
}

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

    /// A strategy's index by name: a registered one, else the built-in
    /// `sum-of-values`. O(strategies).
    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        self.list
            .iter()
            .rposition(|s| s.name() == name)
            .or_else(|| (name == SUM_OF_VALUES).then_some(SUM_OF_VALUES_INDEX))
    }

    /// Whether the strategy at `index` sums values. O(1).
    pub(crate) fn sums_values(&self, index: usize) -> bool {
        self.evaluator(index) == Evaluator::SumOfValues
    }

    pub(crate) fn names(&self) -> Vec<&str> {
        self.list.iter().map(|s| s.name()).collect()
    }

    fn evaluator(&self, index: usize) -> Evaluator {
        match index {
            0 => Evaluator::Builtin(Builtin::WeightedMean),
            1 => Evaluator::Builtin(Builtin::Mean),
            2 => Evaluator::Builtin(Builtin::Min),
            SUM_OF_VALUES_INDEX => Evaluator::SumOfValues,
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
///
/// Structural edits update the plan in place: a new node takes a new slot at
/// the end, a removed node leaves its slot dead ([`dead`] in `order`), a
/// list that grows moves to the end of its array, and a link whose source
/// sits after its target reorders the few nodes between them (see
/// [`State::restructure`]). The space this abandons is counted; once it
/// outweighs the live part the set recompiles the plan ([`Plan::wasteful`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    /// The node at each slot: objectives and key results, supporters first,
    /// laid out so that what one node reads sits together (see [`layout`]);
    /// [`dead`] at a slot a removed node left.
    order: Vec<NodeIndex>,
    /// The slot of each node index; [`NO_SLOT`] outside the plan.
    slots: Vec<u32>,
    /// One entry per slot. What a node's evaluation reads sits together,
    /// so an incremental pass over scattered nodes misses the cache once per
    /// node for it, not once per array.
    nodes: Vec<PlanNode>,
    /// The inputs of slot `s` (input slot, weight), in the order of their
    /// ids, are `inputs[nodes[s].inputs..][..nodes[s].inputs_len]`. The
    /// weight is the one the node's evaluator reads (see [`weigh`]): the
    /// stated weight, or its share within its group where the node counts
    /// two groups or runs a custom strategy.
    inputs: Vec<(u32, Decimal)>,
    /// Likewise the slots that take slot `s` as an input, each with the
    /// position of `s` among that consumer's inputs (in no order).
    consumers: Vec<(u32, u32)>,
    /// Entries of `inputs` and `consumers` no list uses any more.
    garbage: usize,
    /// Dead slots.
    dead: usize,
    /// The settings the plan was compiled with.
    config: Config,
    /// What each [`Evaluator::Termed`] node runs (empty but in a fold
    /// view).
    termed: Vec<TermedNode>,
}

/// A node whose folded member adds a term of its own: the evaluator the
/// node runs (a weighted mean, of one group or two), the member, and the
/// term it adds while it stands at `value` (weight × progress otherwise,
/// so that a what-if or an edit that moves it counts as for any input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TermedNode {
    inner: Evaluator,
    member: NodeIndex,
    value: Decimal,
    term: Decimal,
}

/// The [`TermedNode`] of a node that [`weigh`] gave `evaluator`, if one of
/// its inputs (`sources`, with what [`folded_of`] reads) is a folded member
/// with a term of its own. Only weighted means add weight × value; the
/// other strategies take the member's value as it is.
fn termed_node<'a>(
    evaluator: Evaluator,
    mut sources: impl Iterator<Item = (NodeIndex, Option<&'a Folded>)>,
) -> Option<TermedNode> {
    if !matches!(
        evaluator,
        Evaluator::Builtin(Builtin::WeightedMean) | Evaluator::Groups(..)
    ) {
        return None;
    }
    sources.find_map(|(member, folded)| {
        let (value, term) = folded?.fixed?;
        Some(TermedNode {
            inner: evaluator,
            member,
            value,
            term,
        })
    })
}

const NO_SLOT: u32 = u32::MAX;

/// The node at a dead slot.
fn dead() -> NodeIndex {
    NodeIndex::end()
}

#[derive(Debug, Clone, Copy)]
struct PlanNode {
    inputs: u32,
    inputs_len: u32,
    consumers: u32,
    consumers_len: u32,
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
    /// strategies only), by slot. A node's sums go whenever its inputs or
    /// their weights change, and are built again on its next evaluation.
    trees: HashMap<u32, SumTree>,
    scratch: Vec<Contribution>,
    /// The raw values of the inputs of `sum-of-values` nodes, by node index
    /// (empty in a set without such nodes).
    raw: Raws,
    /// While an edit is being applied: each node an incremental pass
    /// changed, with its value before, in the order they changed (a node
    /// may repeat; its first entry holds the value before the edit). By
    /// node, not slot: structural edits move slots.
    journal: Vec<(NodeIndex, Decimal)>,
    /// Whether incremental passes record into `journal` (its buffer is
    /// kept between edits, so a check-in allocates none).
    journaling: bool,
    /// While journaling: each node whose inputs a structural edit changed,
    /// with whether all its counted inputs stood at 1 or more before (what
    /// a committed node's band needs, see [`Plan::members_reach_one`]).
    reach_before: Vec<(NodeIndex, bool)>,
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

/// The two groups an objective counts: its key results, and the
/// objectives aligned to it that contribute.
const KEY_RESULTS: u8 = 0;
const ALIGNED: u8 = 1;

/// The group an edge into a node belongs to.
fn group_of(kind: EdgeKind) -> u8 {
    match kind {
        EdgeKind::Link { .. } => ALIGNED,
        _ => KEY_RESULTS,
    }
}

/// Whether progress flows along an edge into `target` and the target counts
/// it: the edge counts, and an objective's `progress_from` takes its group.
pub(crate) fn counted(
    graph: &Graph,
    kind: EdgeKind,
    target: NodeIndex,
    from: ProgressFrom,
) -> bool {
    let flows = match kind {
        EdgeKind::KeyResult => true,
        EdgeKind::Initiative => false,
        EdgeKind::Link { contributes, .. } => contributes,
    };
    flows
        && match graph.node_weight(target) {
            Some(Node::Objective(o)) => {
                let from = o.progress_from.unwrap_or(from);
                match group_of(kind) {
                    ALIGNED => from.counts_aligned(),
                    _ => from.counts_key_results(),
                }
            }
            _ => true,
        }
}

/// How a node weighs its inputs: the evaluator it runs and, in `weights`,
/// the weight each input carries into it, from the stated weights and
/// groups in `inputs`.
///
/// Weights are relative within their group: member *i* of a group of *n*
/// counted members (weight > 0) whose weights sum to *W* gets the share
/// *n·wᵢ/W*, so that two groups count by their number of members whatever
/// the unit of either's weights. With `share` (an objective's
/// `aligned_share` *s*) and both groups counted, the aligned group counts
/// *s* of the whole and the key results *1 − s*, each member its part of
/// its group's.
///
/// Custom strategies receive these normalised shares. A weighted mean over
/// two groups keeps the stated weights (in lowest whole terms) and runs as
/// [`Evaluator::Groups`]: each group sums its own terms, and the groups
/// meet in one division ([`two_groups`]), so that no weight grows with the
/// other group's size. With a share, each member carries *(1 − s)·wᵢ·W₁*
/// or *s·wᵢ·W₀*: exact products of the stated numbers (should one
/// overflow, the normalised share). A node with one group keeps the stated
/// weights (a weighted mean does not depend on their unit). `mean` counts
/// every counted member alike (with a share, as a weighted mean of the two
/// groups' means); `min` and `sum-of-values` read the stated weights, zero
/// or not. Inputs come key results first (`inputs` in that order).
///
/// `folded` marks, input by input (missing ones are not), a fold view's
/// folded member: it counts as the hidden inputs it folds, and its group
/// comes to the lowest terms of the hidden weights it sums, so that the
/// counts, terms and path of the arithmetic are the whole set's. A `mean`
/// with one runs as a weighted mean of the counts. O(inputs).
pub(crate) fn weigh(
    evaluator: Evaluator,
    share: Option<Decimal>,
    inputs: &[(Decimal, u8)],
    folded: &[Option<&Folded>],
    weights: &mut Vec<Decimal>,
) -> Evaluator {
    weights.clear();
    let members_of = |i: usize| folded.get(i).copied().flatten().map_or(1, |f| f.members);
    let any_folded = folded.iter().any(Option::is_some);
    // A weighted mean reads the weights' proportions only: each group's in
    // lowest whole terms, so that any unit of the same proportions gives
    // the very same digits (20/30/50 and 0.2/0.3/0.5 are both 2/3/5).
    let reduced;
    let inputs = match evaluator {
        Evaluator::Builtin(Builtin::WeightedMean) | Evaluator::Custom(_) => {
            reduced = in_lowest_terms(inputs, folded);
            &reduced
        }
        _ => inputs,
    };
    let mut count = [0u32; 2];
    let mut total = [Decimal::ZERO; 2];
    for (i, &(w, group)) in inputs.iter().enumerate() {
        let g = usize::from(group == ALIGNED);
        if !w.is_zero() {
            if let Some(c) = count.get_mut(g) {
                *c = c.saturating_add(members_of(i));
            }
        }
        if let Some(t) = total.get_mut(g) {
            *t = t.saturating_add(w);
        }
    }
    let [n0, n1] = count;
    let [w0, w1] = total;
    let both = n0 > 0 && n1 > 0;
    let share = share.filter(|_| both);
    let group = |g: u8| usize::from(g == ALIGNED);
    let stated = |weights: &mut Vec<Decimal>| weights.extend(inputs.iter().map(|&(w, _)| w));
    // The normalised shares: n·w/W within each group, or with a share
    // (1 − s)·N·w/W₀ and s·N·w/W₁ for N counted members in all.
    let normalised = |weights: &mut Vec<Decimal>| {
        let all = Decimal::from(n0 + n1);
        let factors = match share {
            Some(s) => [
                Decimal::ONE.saturating_sub(s).saturating_mul(all),
                s.saturating_mul(all),
            ],
            None => [Decimal::from(n0), Decimal::from(n1)],
        };
        weights.extend(inputs.iter().map(|&(w, g)| {
            let factor = factors.get(group(g)).copied().unwrap_or_default();
            let total = total.get(group(g)).copied().unwrap_or_default();
            part(factor, w, total)
        }));
    };
    // The same proportions without a division, when every product fits.
    let exact = |weights: &mut Vec<Decimal>, factors: [Decimal; 2]| -> bool {
        for &(w, g) in inputs {
            let factor = factors.get(group(g)).copied().unwrap_or_default();
            match factor.checked_mul(w) {
                Some(weight) => weights.push(weight),
                None => {
                    weights.clear();
                    return false;
                }
            }
        }
        true
    };
    let products = |counts: [Decimal; 2]| -> Option<[Decimal; 2]> {
        let [a, b] = counts;
        Some(lowest_terms([a.checked_mul(w1)?, b.checked_mul(w0)?]))
    };
    match evaluator {
        Evaluator::Builtin(Builtin::Min) | Evaluator::SumOfValues => {
            stated(weights);
            evaluator
        }
        Evaluator::Builtin(Builtin::Mean) => {
            let Some(s) = share else {
                if !any_folded {
                    stated(weights);
                    return evaluator;
                }
                // Each counted member its count: a folded member weighs as
                // many as it folds.
                weights.extend(inputs.iter().enumerate().map(|(i, &(w, _))| {
                    if w.is_zero() {
                        Decimal::ZERO
                    } else {
                        Decimal::from(members_of(i))
                    }
                }));
                return Evaluator::Builtin(Builtin::WeightedMean);
            };
            // Each counted member its group's share over the group's count:
            // (1 − s) / n₀ and s / n₁, both times n₀·n₁.
            let each = [
                Decimal::ONE
                    .saturating_sub(s)
                    .saturating_mul(Decimal::from(n1)),
                s.saturating_mul(Decimal::from(n0)),
            ];
            weights.extend(inputs.iter().enumerate().map(|(i, &(w, g))| {
                if w.is_zero() {
                    Decimal::ZERO
                } else {
                    each.get(group(g))
                        .copied()
                        .unwrap_or_default()
                        .saturating_mul(Decimal::from(members_of(i)))
                }
            }));
            Evaluator::Builtin(Builtin::WeightedMean)
        }
        Evaluator::Builtin(Builtin::WeightedMean) if !both => {
            stated(weights);
            evaluator
        }
        Evaluator::Builtin(Builtin::WeightedMean) => match share {
            // Each group sums its own stated weights (few digits, so each
            // weight × progress stays exact); the groups meet once.
            None => {
                // Where the groups' factors n₀·W₁ and n₁·W₀ come down to
                // small whole numbers, each member carries its factor times
                // its weight: one sum over all, as cheap as one group.
                // Otherwise those products would push weight × progress
                // past a decimal's 96 bits: each group sums its own
                // stated weights, and the groups meet once.
                let counts = [Decimal::from(n0), Decimal::from(n1)];
                let small = products(counts)
                    .filter(|f| f.iter().all(|&f| f <= Decimal::from(SMALL_FACTOR)));
                if small.is_some_and(|factors| exact(weights, factors)) {
                    return evaluator;
                }
                weights.clear();
                stated(weights);
                let split = inputs.iter().filter(|&&(_, g)| g != ALIGNED).count();
                // Folded members sit in the aligned group (they are links).
                let extra = inputs
                    .iter()
                    .enumerate()
                    .filter(|&(_, &(w, g))| g == ALIGNED && !w.is_zero())
                    .map(|(i, _)| members_of(i).saturating_sub(1))
                    .fold(0u32, u32::saturating_add);
                Evaluator::Groups(to_u32(split), extra)
            }
            Some(s) => {
                let counts = [Decimal::ONE.saturating_sub(s), s];
                if !products(counts).is_some_and(|factors| exact(weights, factors)) {
                    normalised(weights);
                }
                evaluator
            }
        },
        // Strategies name neither: a plan makes them.
        Evaluator::Groups(..) | Evaluator::Termed(_) => {
            stated(weights);
            evaluator
        }
        Evaluator::Custom(_) => {
            normalised(weights);
            evaluator
        }
    }
}

/// Each group's weights as whole numbers in lowest terms, in the same
/// proportions (zeros stay zero); a group whose weights do not fit that
/// way stays as stated. A folded member (see [`weigh`]) brings its unit,
/// the divisor of the weights it sums, to the common divisor in place of
/// its weight, so that the group comes to the whole set's terms.
/// O(inputs).
fn in_lowest_terms(inputs: &[(Decimal, u8)], folded: &[Option<&Folded>]) -> Vec<(Decimal, u8)> {
    let mut out = inputs.to_vec();
    let unit = |i: usize, w: Decimal| folded.get(i).copied().flatten().map_or(w, |f| f.unit);
    for group in [KEY_RESULTS, ALIGNED] {
        let members = || {
            inputs
                .iter()
                .enumerate()
                .filter(move |(_, (w, g))| *g == group && !w.is_zero())
                .map(|(i, &(w, _))| (w, unit(i, w)))
        };
        let Some(scale) = members().map(|(w, u)| w.scale().max(u.scale())).max() else {
            continue;
        };
        // Every weight as a whole number at the largest scale.
        let whole = |w: Decimal| -> Option<u128> {
            let m = u128::try_from(w.mantissa()).ok()?;
            m.checked_mul(10u128.checked_pow(scale - w.scale())?)
        };
        let Some(divisor) = members().try_fold(0u128, |g, (_, u)| Some(gcd(g, whole(u)?))) else {
            continue;
        };
        if divisor == 0 {
            continue;
        }
        let reduced: Option<Vec<Decimal>> = out
            .iter()
            .filter(|(_, g)| *g == group)
            .map(|&(w, _)| {
                if w.is_zero() {
                    return Some(Decimal::ZERO);
                }
                let m = i128::try_from(whole(w)? / divisor).ok()?;
                Decimal::try_from_i128_with_scale(m, 0).ok()
            })
            .collect();
        // Whole numbers may be longer than the weights were (thirds become
        // 28-digit numbers): keep them only while their sum fits.
        let fits = |reduced: &Vec<Decimal>| {
            reduced
                .iter()
                .try_fold(Decimal::ZERO, |sum, w| sum.checked_add(*w))
                .is_some()
        };
        if let Some(reduced) = reduced.filter(fits) {
            let slots = out.iter_mut().filter(|(_, g)| *g == group);
            for (slot, w) in slots.zip(reduced) {
                slot.0 = w;
            }
        }
    }
    out
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The largest factor (see [`weigh`]) a member of a two-group node may
/// carry in one sum over all: past it, each group sums apart.
const SMALL_FACTOR: i64 = 2;

/// Two positive whole factors divided by their greatest common divisor
/// (others as they are): the same proportions with fewer digits, so that
/// each input's weight times its progress stays within a decimal's 96 bits
/// and needs no rounding. O(log factors).
fn lowest_terms(factors: [Decimal; 2]) -> [Decimal; 2] {
    let whole = |f: Decimal| {
        let f = f.normalize();
        (f.scale() == 0 && f.is_sign_positive())
            .then(|| u128::try_from(f.mantissa()).ok())
            .flatten()
            .filter(|&m| m > 0)
    };
    let (Some(mut a), Some(b)) = (whole(factors[0]), whole(factors[1])) else {
        return factors;
    };
    let (x, y) = (a, b);
    a = gcd(a, b);
    let reduce = |m: u128| {
        let m = i128::try_from(m / a).ok()?;
        Decimal::try_from_i128_with_scale(m, 0).ok()
    };
    match (reduce(x), reduce(y)) {
        (Some(x), Some(y)) => [x, y],
        _ => factors,
    }
}

/// `factor × weight / total`, exactly when the product fits, else divided
/// first; 0 for a zero total. O(1).
fn part(factor: Decimal, weight: Decimal, total: Decimal) -> Decimal {
    if total.is_zero() || weight.is_zero() {
        return Decimal::ZERO;
    }
    match factor.checked_mul(weight) {
        Some(product) => product.checked_div(total).unwrap_or_default(),
        None => weight
            .checked_div(total)
            .and_then(|q| q.checked_mul(factor))
            .unwrap_or_default(),
    }
}

/// A node's strategy and share as the plan reads them: its strategy's
/// evaluator, and an objective's `aligned_share`.
fn rule_of(
    graph: &Graph,
    node: NodeIndex,
    strategies: &Strategies,
) -> (Evaluator, Option<Decimal>) {
    let evaluator = strategies.evaluator(strategy_of(graph, node));
    let share = match graph.node_weight(node) {
        Some(Node::Objective(o)) => o.aligned_share(),
        _ => None,
    };
    (evaluator, share)
}

impl Plan {
    /// Compiles the plan from an acyclic graph. O(V + E), plus sorting each
    /// node's inputs by id.
    pub(crate) fn build(graph: &Graph, strategies: &Strategies, config: Config) -> Self {
        let bound = graph.node_bound();
        let measured = |n: usize| {
            matches!(
                graph.node_weight(NodeIndex::new(n)),
                Some(Node::Objective(_) | Node::KeyResult(_))
            )
        };
        let mut by_node = Lists::with_capacity(bound, graph.edge_count());
        let mut evaluators = vec![Evaluator::Builtin(Builtin::WeightedMean); bound];
        let mut list: Vec<(u32, Decimal, u8, Option<&Folded>)> = Vec::new();
        let mut stated: Vec<(Decimal, u8)> = Vec::new();
        let mut folded: Vec<Option<&Folded>> = Vec::new();
        let mut weights: Vec<Decimal> = Vec::new();
        let mut termed: Vec<TermedNode> = Vec::new();
        for n in 0..bound {
            list.clear();
            weights.clear();
            if measured(n) {
                let node = NodeIndex::new(n);
                list.extend(
                    graph
                        .edges_directed(node, Incoming)
                        .filter(|e| counted(graph, e.weight().kind, node, config.from))
                        .map(|e| {
                            (
                                index_u32(e.source()),
                                e.weight().weight.value(),
                                group_of(e.weight().kind),
                                folded_of(graph, e.source()),
                            )
                        }),
                );
                // Sum in id order, the key results first: a set built by
                // edits and the same set reloaded from its document then
                // round alike, to the last digit. A fold view's member
                // sorts where its hidden inputs did (see `place`).
                list.sort_by(|a, b| {
                    (a.2, place(graph, a.0, a.3)).cmp(&(b.2, place(graph, b.0, b.3)))
                });
                stated.clear();
                stated.extend(list.iter().map(|&(_, w, g, _)| (w, g)));
                folded.clear();
                folded.extend(list.iter().map(|&(_, _, _, f)| f));
                let (evaluator, share) = rule_of(graph, node, strategies);
                let mut evaluator = weigh(evaluator, share, &stated, &folded, &mut weights);
                let sources = list
                    .iter()
                    .map(|&(source, _, _, f)| (NodeIndex::new(source as usize), f));
                if let Some(entry) = termed_node(evaluator, sources) {
                    evaluator = Evaluator::Termed(to_u32(termed.len()));
                    termed.push(entry);
                }
                if let Some(slot) = evaluators.get_mut(n) {
                    *slot = evaluator;
                }
            }
            by_node.push(
                list.iter()
                    .zip(&weights)
                    .map(|(&(source, _, _, _), &w)| (source, w)),
            );
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
            nodes: Vec::with_capacity(order.len()),
            inputs: Vec::with_capacity(by_node.items.len()),
            consumers: Vec::new(),
            garbage: 0,
            dead: 0,
            config,
            termed,
        };
        for &n in &order {
            let start = to_u32(plan.inputs.len());
            for &(source, weight) in by_node.get(n as usize) {
                let slot = plan.slots.get(source as usize).copied().unwrap_or(NO_SLOT);
                plan.inputs.push((slot, weight));
            }
            plan.nodes.push(PlanNode {
                inputs: start,
                inputs_len: to_u32(plan.inputs.len()) - start,
                consumers: 0,
                consumers_len: 0,
                evaluator: evaluators
                    .get(n as usize)
                    .copied()
                    .unwrap_or(Evaluator::Builtin(Builtin::WeightedMean)),
            });
        }
        let mut keys = Vec::with_capacity(plan.inputs.len());
        let mut consumer_of = Vec::with_capacity(plan.inputs.len());
        for slot in 0..plan.len() {
            for (&(source, _), position) in plan.inputs_of(slot).iter().zip(0u32..) {
                keys.push(source);
                consumer_of.push((to_u32(slot), position));
            }
        }
        let grouped = group(&keys, plan.len());
        for (i, entry) in plan.nodes.iter_mut().enumerate() {
            let start = grouped.starts.get(i).copied().unwrap_or(0);
            let end = grouped.starts.get(i + 1).copied().unwrap_or(start);
            entry.consumers = start;
            entry.consumers_len = end.saturating_sub(start);
        }
        plan.consumers = grouped
            .items
            .iter()
            .map(|&i| consumer_of.get(i as usize).copied().unwrap_or((NO_SLOT, 0)))
            .collect();
        plan
    }

    /// The number of slots, dead ones included.
    fn len(&self) -> usize {
        self.order.len()
    }

    fn entry(&self, s: usize) -> Option<&PlanNode> {
        self.nodes.get(s)
    }

    /// An empty list may start past the end of its array (a list there
    /// shrank): it reads as empty.
    fn inputs_of(&self, s: usize) -> &[(u32, Decimal)] {
        let range = self
            .entry(s)
            .filter(|e| e.inputs_len > 0)
            .map_or(0..0, |e| {
                e.inputs as usize..(e.inputs + e.inputs_len) as usize
            });
        sure(self.inputs.get(range), "plan ranges lie inside the inputs")
    }

    fn consumers_of(&self, s: usize) -> &[(u32, u32)] {
        let range = self
            .entry(s)
            .filter(|e| e.consumers_len > 0)
            .map_or(0..0, |e| {
                e.consumers as usize..(e.consumers + e.consumers_len) as usize
            });
        sure(
            self.consumers.get(range),
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

    /// The evaluator slot `s` runs, a [`Evaluator::Termed`] node's own.
    fn rule(&self, s: usize) -> Evaluator {
        match self.evaluator_of(s) {
            Evaluator::Termed(i) => self
                .termed_entry(i)
                .map_or(Evaluator::Builtin(Builtin::WeightedMean), |entry| {
                    entry.inner
                }),
            evaluator => evaluator,
        }
    }

    fn termed_entry(&self, i: u32) -> Option<&TermedNode> {
        let entry = self.termed.get(i as usize);
        debug_assert!(
            entry.is_some(),
            "broken invariant: termed evaluators name an entry"
        );
        entry
    }

    /// Whether the node is in the plan without inputs: its roll-up is its
    /// own progress, passed through. O(1).
    pub(crate) fn is_source(&self, node: NodeIndex) -> bool {
        self.slot_of(node)
            .is_some_and(|s| self.inputs_of(s).is_empty())
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
    pub(crate) fn order(&self) -> Order<'_> {
        Order(&self.order)
    }

    /// Whether the space structural edits abandoned (dead slots, moved
    /// lists) outweighs the live part: then recompiling the plan, O(V + E),
    /// pays for itself over the edits that made the waste. Small plans keep
    /// some waste, so that edits on them exercise the same paths.
    pub(crate) fn wasteful(&self) -> bool {
        const SLACK: usize = 64;
        let items = self.inputs.len() + self.consumers.len();
        self.dead > SLACK && self.dead * 2 > self.len()
            || self.garbage > SLACK && self.garbage * 2 > items
    }
}

/// The plan's order without its dead slots: objectives and key results,
/// supporters first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Order<'a>(&'a [NodeIndex]);

impl<'a> Order<'a> {
    /// The nodes, supporters first.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &'a NodeIndex> + 'a {
        self.0.iter().filter(|&&n| n != dead())
    }

    /// How many nodes. O(slots).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.iter().count()
    }
}

fn id_of(graph: &Graph, node: u32) -> Option<&crate::Id> {
    graph
        .node_weight(NodeIndex::new(node as usize))
        .map(Node::id)
}

/// Where an input sorts within its group of a node's inputs: by its id,
/// or, for a fold view's folded member (`folded`, as [`folded_of`] reads
/// it), just after the visible input its hidden inputs came after in the
/// whole set (see [`Folded::after`]). Sorted by its own id, its parent's
/// sum would round otherwise than the whole set's, which no value of the
/// member can always make up for.
fn place<'a>(
    graph: &'a Graph,
    node: u32,
    folded: Option<&'a Folded>,
) -> (Option<&'a crate::Id>, bool) {
    match folded {
        Some(f) => (f.after.as_ref(), true),
        None => (id_of(graph, node), false),
    }
}

fn index_u32(node: NodeIndex) -> u32 {
    to_u32(node.index())
}

/// Raw values by node index (see [`Raw`]).
pub(crate) type Raws = HashMap<u32, Raw>;

/// Where `evaluate` reads the raw values a `sum-of-values` node adds, by
/// node index.
trait RawValues {
    fn raw(&self, node: u32) -> Option<Raw>;
}

impl RawValues for Raws {
    fn raw(&self, node: u32) -> Option<Raw> {
        self.get(&node).copied()
    }
}

/// One node's raw values changed over the others' (a what-if).
struct RawOverlay<'a> {
    base: &'a Raws,
    changed: Option<(u32, Raw)>,
}

impl RawOverlay<'_> {
    /// Whether the changed node's raw values differ from the state's.
    fn moves(&self) -> bool {
        self.changed.is_some_and(|(node, (done, distance))| {
            self.base.raw(node).is_none_or(|(d, r)| {
                d.serialize() != done.serialize() || r.serialize() != distance.serialize()
            })
        })
    }
}

impl RawValues for RawOverlay<'_> {
    fn raw(&self, node: u32) -> Option<Raw> {
        match self.changed {
            Some((changed, raw)) if changed == node => Some(raw),
            _ => self.base.raw(node),
        }
    }
}

/// `done / distance` clamped to `[0, cap]`; an overflowing quotient clamps
/// by its sign, a zero distance gives 0. O(1).
pub(crate) fn ratio(done: Decimal, distance: Decimal, cap: Decimal) -> Decimal {
    if distance.is_zero() {
        return Decimal::ZERO;
    }
    let value = done.checked_div(distance).unwrap_or_else(|| {
        if done.is_sign_negative() == distance.is_sign_negative() {
            cap
        } else {
            Decimal::ZERO
        }
    });
    Progress::clamped(value, cap).value()
}

/// Raw values at the target: a value short of it moves there, one beyond
/// it stays. O(1).
fn reached((done, distance): Raw) -> Raw {
    let short = if distance.is_sign_negative() {
        done > distance
    } else {
        done < distance
    };
    (if short { distance } else { done }, distance)
}

impl Plan {
    /// Rolls `leaf` values (a key result's own progress, by node index) and
    /// the `raw` values `sum-of-values` nodes add up the whole plan into a
    /// fresh vector, by node index. O(V + E).
    pub(crate) fn evaluate_all(
        &self,
        leaf: impl Fn(NodeIndex) -> Decimal,
        raw: &Raws,
        strategies: &Strategies,
    ) -> Vec<Decimal> {
        let mut progress: Vec<Decimal> = self
            .order
            .iter()
            .map(|&n| if n == dead() { Decimal::ZERO } else { leaf(n) })
            .collect();
        let mut scratch = Vec::new();
        for s in 0..self.len() {
            if self.inputs_of(s).is_empty() {
                continue;
            }
            let value = self.evaluate(s, progress.as_slice(), raw, &mut scratch, strategies);
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

    /// Like [`evaluate_all`](Self::evaluate_all), for values some nodes
    /// lack (a forecast without evidence, a plan without a period): `leaf`
    /// gives, by node index, the values that stand. A node with inputs
    /// takes the roll-up of its inputs when every counted input (weight
    /// above 0) has a value, and is then present; otherwise it keeps its
    /// own `leaf` value, if any. Returns every node's value (0 where none
    /// stands) and whether it stands, by node index. O(V + E).
    pub(crate) fn evaluate_present(
        &self,
        leaf: impl Fn(NodeIndex) -> Option<Decimal>,
        raw: &Raws,
        strategies: &Strategies,
    ) -> (Vec<Decimal>, Vec<bool>) {
        let mut progress: Vec<Decimal> = Vec::with_capacity(self.len());
        let mut here: Vec<bool> = Vec::with_capacity(self.len());
        for &n in &self.order {
            let own = if n == dead() { None } else { leaf(n) };
            here.push(own.is_some());
            progress.push(own.unwrap_or(Decimal::ZERO));
        }
        let mut scratch = Vec::new();
        for s in 0..self.len() {
            let inputs = self.inputs_of(s);
            if inputs.is_empty() {
                continue;
            }
            let complete = inputs
                .iter()
                .all(|&(input, w)| w.is_zero() || here.get(input as usize) == Some(&true));
            if !complete {
                continue;
            }
            // The built-ins give every counted input's value when they all
            // have the same (a plan shared by a whole period): no sums.
            let value = match self.same_inputs(s, progress.as_slice()) {
                Some(value) => Progress::clamped(value, self.config.cap).value(),
                None => self.evaluate(s, progress.as_slice(), raw, &mut scratch, strategies),
            };
            if let Some(slot) = progress.get_mut(s) {
                *slot = value;
            }
            if let Some(slot) = here.get_mut(s) {
                *slot = true;
            }
        }
        let mut by_node = vec![Decimal::ZERO; self.slots.len()];
        let mut present = vec![false; self.slots.len()];
        for ((node, value), known) in self.order.iter().zip(progress).zip(here) {
            if let Some(slot) = by_node.get_mut(node.index()) {
                *slot = value;
            }
            if let Some(slot) = present.get_mut(node.index()) {
                *slot = known;
            }
        }
        (by_node, present)
    }

    /// The value every counted input of slot `s` has, when they all have
    /// the same and a built-in mean or minimum rolls them up; else `None`.
    /// O(inputs).
    fn same_inputs(&self, s: usize, progress: &[Decimal]) -> Option<Decimal> {
        if !matches!(self.evaluator_of(s), Evaluator::Builtin(_)) {
            return None;
        }
        let mut counted = self
            .inputs_of(s)
            .iter()
            .filter(|(_, w)| !w.is_zero())
            .map(|&(input, _)| progress.get(input as usize).copied());
        let first = counted.next()??;
        counted.all(|v| v == Some(first)).then_some(first)
    }

    /// Marks, by node index, every node that counts (through inputs of
    /// weight above 0, at any depth) a node already marked. O(V + E).
    pub(crate) fn mark_counting(&self, marked: &mut [bool]) {
        for (s, &node) in self.order.iter().enumerate() {
            if node == dead() || marked.get(node.index()) == Some(&true) {
                continue;
            }
            let counts = self.inputs_of(s).iter().any(|&(input, w)| {
                !w.is_zero() && marked.get(self.node_at(input) as usize) == Some(&true)
            });
            if counts {
                if let Some(slot) = marked.get_mut(node.index()) {
                    *slot = true;
                }
            }
        }
    }

    /// The counted members of a node (inputs of weight above 0: key
    /// results, and objectives contributing as its `progress_from`
    /// chooses), by node index, in id order. O(inputs).
    pub(crate) fn counted_members(&self, node: NodeIndex) -> impl Iterator<Item = u32> + '_ {
        let inputs = self.slot_of(node).map_or(&[][..], |s| self.inputs_of(s));
        inputs
            .iter()
            .filter(|(_, w)| !w.is_zero())
            .map(|&(input, _)| self.node_at(input))
    }

    /// Rolls one changed node (`changed`, by slot, standing at `value`)
    /// up to `root` through `scratch`, which holds the changes, and returns
    /// the root's value. Only consumers at or before the root that
    /// `reaches` can move it; a node whose value comes out bit for bit as
    /// it stands moves nothing above it (the roll-up equals a full
    /// recomputation, so its consumers would come out as they stand too).
    /// O(A log A) for the A nodes evaluated, each O(inputs), or O(32 + log
    /// inputs) per changed input where it keeps sums.
    #[allow(clippy::too_many_arguments)]
    fn roll_what_if<S: Scratch>(
        &self,
        scratch: &mut S,
        buffers: &mut Buffers,
        raw: &RawOverlay<'_>,
        trees: &HashMap<u32, SumTree>,
        (changed, value): (u32, Decimal),
        root: u32,
        reaches: impl Fn(u32) -> bool,
        strategies: &Strategies,
    ) -> Decimal {
        if value.serialize() == scratch.base(changed).serialize() && !raw.moves() {
            // Already at its target: nothing moves.
            return scratch.at(root);
        }
        scratch.set(changed, value);
        buffers.queue.clear();
        let queue = |scratch: &mut S, queue: &mut BinaryHeap<Reverse<u32>>, s: u32| {
            for &(c, position) in self.consumers_of(s as usize) {
                if c <= root && reaches(c) {
                    scratch.note(c, position);
                    queue.push(Reverse(c));
                }
            }
        };
        queue(scratch, &mut buffers.queue, changed);
        let mut last = None;
        while let Some(Reverse(s)) = buffers.queue.pop() {
            if last == Some(s) {
                continue;
            }
            last = Some(s);
            scratch.take_positions(s, &mut buffers.positions);
            let termed = match &mut buffers.terms {
                Some(terms) => {
                    let sorted = &mut buffers.sorted;
                    sorted.clear();
                    sorted.extend(buffers.positions.iter().map(|&p| p as usize));
                    sorted.sort_unstable();
                    sorted.dedup();
                    let base = scratch.base_values();
                    if self.config.clamp {
                        self.term_what_if::<true>(s as usize, trees, base, scratch, sorted, terms)
                    } else {
                        self.term_what_if::<false>(s as usize, trees, base, scratch, sorted, terms)
                    }
                }
                None => None,
            };
            let updated = match termed {
                Some(value) => value,
                None => match self.kept_what_if(s as usize, trees, scratch, buffers) {
                    Some(value) => value,
                    None => self.evaluate(
                        s as usize,
                        scratch,
                        raw,
                        &mut buffers.contributions,
                        strategies,
                    ),
                },
            };
            if updated.serialize() == scratch.base(s).serialize() {
                continue;
            }
            scratch.set(s, updated);
            if s != root {
                queue(scratch, &mut buffers.queue, s);
            }
        }
        scratch.at(root)
    }

    /// A slot's value from its kept sums, the blocks of its inputs at
    /// `buffers.positions` re-added from `view` (both groups' sums for
    /// [`Evaluator::Groups`]), as an incremental pass would find it; `None`
    /// for a slot that keeps no sums (evaluated in full instead).
    /// O(B · (32 + log inputs)) for B changed blocks.
    fn kept_what_if(
        &self,
        s: usize,
        trees: &HashMap<u32, SumTree>,
        view: &(impl Progresses + ?Sized),
        buffers: &mut Buffers,
    ) -> Option<Decimal> {
        let inputs = self.inputs_of(s);
        if !SumTree::pays(inputs.len()) {
            return None;
        }
        let slot = to_u32(s);
        let blocks = &mut buffers.blocks;
        blocks.clear();
        let value = match self.evaluator_of(s) {
            Evaluator::Builtin(_) => {
                let tree = trees.get(&slot)?;
                blocks.extend(
                    buffers
                        .positions
                        .iter()
                        .map(|&p| SumTree::block_of(p as usize)),
                );
                if self.config.clamp {
                    tree.value_with(
                        &NodeInputs::<_, true> {
                            inputs,
                            progress: view,
                        },
                        blocks,
                    )
                } else {
                    tree.value_with(
                        &NodeInputs::<_, false> {
                            inputs,
                            progress: view,
                        },
                        blocks,
                    )
                }
            }
            Evaluator::Groups(split, extra) => {
                // The first group's blocks, then the second's (positions
                // within it), split where the second's begin.
                blocks.extend(
                    buffers
                        .positions
                        .iter()
                        .filter(|&&p| p < split)
                        .map(|&p| SumTree::block_of(p as usize)),
                );
                let first = blocks.len();
                blocks.extend(
                    buffers
                        .positions
                        .iter()
                        .filter(|&&p| p >= split)
                        .map(|&p| SumTree::block_of((p - split) as usize)),
                );
                let (a, b) = blocks.split_at(first);
                if self.config.clamp {
                    let view = NodeInputs::<_, true> {
                        inputs,
                        progress: view,
                    };
                    groups_with(trees, slot, (split, extra), &view, [a, b])
                } else {
                    let view = NodeInputs::<_, false> {
                        inputs,
                        progress: view,
                    };
                    groups_with(trees, slot, (split, extra), &view, [a, b])
                }
            }
            _ => return None,
        };
        Some(Progress::clamped(value, self.config.cap).value())
    }

    /// Each input's share of a node's progress under a linear reading of
    /// its strategy, by input node index, into `out` (cleared first): its
    /// weight over the total (the weights [`weigh`] gives, so relative
    /// within each group); `mean`: one over the count of counted inputs;
    /// `sum-of-values`: its distance (target − start) over their sum.
    /// O(inputs), no allocation once `out` has grown.
    pub(crate) fn shares(&self, node: NodeIndex, raw: &Raws, out: &mut Vec<(u32, Decimal)>) {
        out.clear();
        let Some(s) = self.slot_of(node) else {
            return;
        };
        let inputs = self.inputs_of(s);
        // Each entry's value, then (where a total is needed) its share. A
        // value like the one before gives the same quotient: inputs of one
        // weight (most of a wide node's) divide once.
        let divide_by_total = |out: &mut Vec<(u32, Decimal)>| {
            let total = out
                .iter()
                .fold(Decimal::ZERO, |sum, (_, v)| sum.saturating_add(*v));
            let mut last = Repeat::default();
            for (_, v) in out.iter_mut() {
                *v = last.get(*v, |v| v.checked_div(total).unwrap_or_default());
            }
        };
        match self.rule(s) {
            Evaluator::Builtin(Builtin::Mean) => {
                let count = inputs.iter().filter(|(_, w)| !w.is_zero()).count();
                let each = Decimal::ONE
                    .checked_div(Decimal::from(count))
                    .unwrap_or_default();
                out.extend(inputs.iter().map(|&(input, w)| {
                    (
                        self.node_at(input),
                        if w.is_zero() { Decimal::ZERO } else { each },
                    )
                }));
            }
            Evaluator::Groups(split, extra) => {
                // n·w/W within each group, over the n₀ + n₁ members.
                let split = (split as usize).min(inputs.len());
                let (first, second) = inputs.split_at(split);
                let members = |group: &[(u32, Decimal)]| {
                    let count = group.iter().filter(|(_, w)| !w.is_zero()).count();
                    let total = group
                        .iter()
                        .fold(Decimal::ZERO, |sum, (_, w)| sum.saturating_add(*w));
                    (Decimal::from(count), total)
                };
                // A folded member stands for `extra` more of the second
                // group (a view's hidden contributions).
                let extra = Decimal::from(extra);
                let all = {
                    let ((n0, _), (n1, _)) = (members(first), members(second));
                    n0.saturating_add(n1).saturating_add(extra)
                };
                for (group, more) in [(first, Decimal::ZERO), (second, extra)] {
                    let (n, total) = members(group);
                    let n = n.saturating_add(more);
                    let mut last = Repeat::default();
                    out.extend(group.iter().map(|&(input, w)| {
                        let share = last.get(w, |w| {
                            part(n, w, total).checked_div(all).unwrap_or_default()
                        });
                        (self.node_at(input), share)
                    }));
                }
            }
            Evaluator::SumOfValues => {
                out.extend(inputs.iter().map(|&(input, w)| {
                    let node = self.node_at(input);
                    let distance = raw.raw(node).map(|(_, r)| r);
                    (node, distance.filter(|_| !w.is_zero()).unwrap_or_default())
                }));
                divide_by_total(out);
            }
            _ => {
                // Weights near the decimal range would overflow their sum:
                // scale them by the largest first, as `weighted_mean` does.
                let largest = inputs.iter().map(|(_, w)| *w).max().unwrap_or_default();
                let mut last = Repeat::default();
                out.extend(inputs.iter().map(|&(input, w)| {
                    let scaled = last.get(w, |w| w.checked_div(largest).unwrap_or_default());
                    (self.node_at(input), scaled)
                }));
                divide_by_total(out);
            }
        }
    }

    /// Whether every counted input (weight > 0) of a node stands at 1 or
    /// more, reading each input's progress by node index from `value`
    /// (true for a node without inputs). O(inputs).
    pub(crate) fn members_reach_one(
        &self,
        node: NodeIndex,
        value: impl Fn(u32) -> Decimal,
    ) -> bool {
        let Some(s) = self.slot_of(node) else {
            return true;
        };
        self.inputs_of(s)
            .iter()
            .filter(|(_, w)| !w.is_zero())
            .all(|&(input, _)| value(self.node_at(input)) >= Decimal::ONE)
    }

    /// A node's progress from its inputs' (a node without inputs keeps its
    /// own), clamped to `[0, cap]`; what flows in clamped to 1 unless
    /// over-achievement counts; everything by slot but `raw`, by node.
    /// O(inputs), no allocation for the built-ins.
    #[inline]
    fn evaluate(
        &self,
        s: usize,
        progress: &(impl Progresses + ?Sized),
        raw: &(impl RawValues + ?Sized),
        scratch: &mut Vec<Contribution>,
        strategies: &Strategies,
    ) -> Decimal {
        let inputs = self.inputs_of(s);
        if inputs.is_empty() {
            return progress.at(to_u32(s));
        }
        let cap = self.config.cap;
        let value = match self.evaluator_of(s) {
            Evaluator::Builtin(builtin) if self.config.clamp => {
                builtin.aggregate(&NodeInputs::<_, true> { inputs, progress })
            }
            Evaluator::Builtin(builtin) => {
                builtin.aggregate(&NodeInputs::<_, false> { inputs, progress })
            }
            Evaluator::Groups(split, extra) if self.config.clamp => {
                groups(&NodeInputs::<_, true> { inputs, progress }, split, extra)
            }
            Evaluator::Groups(split, extra) => {
                groups(&NodeInputs::<_, false> { inputs, progress }, split, extra)
            }
            Evaluator::SumOfValues => return self.sum_of_values(inputs, raw),
            Evaluator::Termed(i) => self.termed_value(s, i, progress),
            Evaluator::Custom(index) => {
                let clamp = self.config.clamp;
                scratch.clear();
                scratch.extend(inputs.iter().map(|&(source, w)| {
                    let p = progress.at(source);
                    let p = if clamp { p.min(Decimal::ONE) } else { p };
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

    /// An [`Evaluator::Termed`] node's value, unclamped: its evaluator's,
    /// its folded member adding its own term while it stands at its value.
    /// Out of line: no other node runs it. O(inputs).
    #[inline(never)]
    fn termed_value(&self, s: usize, i: u32, progress: &(impl Progresses + ?Sized)) -> Decimal {
        let inputs = self.inputs_of(s);
        let Some(&entry) = self.termed_entry(i) else {
            return Decimal::ZERO;
        };
        let member = self.slot_of(entry.member);
        let at = inputs
            .iter()
            .position(|&(source, _)| Some(source as usize) == member);
        if self.config.clamp {
            let view = NodeInputs::<_, true> { inputs, progress };
            termed(&Fixed::new(&view, at, &entry), entry.inner)
        } else {
            let view = NodeInputs::<_, false> { inputs, progress };
            termed(&Fixed::new(&view, at, &entry), entry.inner)
        }
    }

    /// `sum-of-values`: Σ(value − start) / Σ(target − start) over the
    /// counted inputs, in their fixed order, clamped to `[0, cap]`. Should
    /// a sum overflow, every term is divided by their count first.
    /// O(inputs).
    #[inline(never)]
    fn sum_of_values(&self, inputs: &[(u32, Decimal)], raw: &(impl RawValues + ?Sized)) -> Decimal {
        let terms = || {
            inputs
                .iter()
                .filter(|(_, w)| !w.is_zero())
                .filter_map(|&(input, _)| raw.raw(self.node_at(input)))
        };
        let sums = terms().try_fold((Decimal::ZERO, Decimal::ZERO), |(d, r), (di, ri)| {
            Some((d.checked_add(di)?, r.checked_add(ri)?))
        });
        let (done, distance) = sums.unwrap_or_else(|| {
            let count = Decimal::from(terms().count());
            terms().fold((Decimal::ZERO, Decimal::ZERO), |(d, r), (di, ri)| {
                (
                    d.saturating_add(di.checked_div(count).unwrap_or_default()),
                    r.saturating_add(ri.checked_div(count).unwrap_or_default()),
                )
            })
        });
        ratio(done, distance, self.config.cap)
    }
}

/// A termed node's value over its inputs (see [`Evaluator::Termed`]): its
/// weighted mean's sums with the member's term added last, to the sum of
/// its group. Added last, the term moves that sum by its own last place
/// whatever the other terms' order and blocks (the whole set's interleave
/// the hidden terms with the rest, and a wide node's blocks begin where
/// the hidden inputs shift them), so some term gives the whole set's sum.
/// O(inputs).
fn termed<V: Inputs + ?Sized>(inputs: &Fixed<'_, V>, inner: Evaluator) -> Decimal {
    let close = |sums: Sums, part: Range<usize>| match inputs.closing(part) {
        Some(term) => Sums {
            weighted: sums.weighted.and_then(|s| s.checked_add(term)),
            ..sums
        },
        None => sums,
    };
    match inner {
        Evaluator::Groups(split, extra) => {
            let [first, second] = parts(inputs, split);
            let split = first.count();
            let a = close(Builtin::weighted_sums(&first), 0..split);
            let b = close(Builtin::weighted_sums(&second), split..inputs.count());
            two_groups(a, with_extra(b, extra), |group| {
                if group == 0 {
                    scaled_weighted_mean(&first)
                } else {
                    scaled_weighted_mean(&second)
                }
            })
        }
        _ => {
            let sums = close(Builtin::weighted_sums(inputs), 0..inputs.count());
            Builtin::WeightedMean.finish(sums.weighted, sums.total, inputs)
        }
    }
}

/// A termed node's inputs: the folded member's (at `at`) adds nothing
/// where it stands while its progress is `value`, its `term` being added
/// last instead (see [`termed`]); at any other value it counts as any
/// input does.
struct Fixed<'a, V: ?Sized> {
    inputs: &'a V,
    at: Option<usize>,
    value: Decimal,
    term: Decimal,
}

impl<'a, V: Inputs + ?Sized> Fixed<'a, V> {
    fn new(inputs: &'a V, at: Option<usize>, entry: &TermedNode) -> Self {
        Self {
            inputs,
            at,
            value: entry.value,
            term: entry.term,
        }
    }

    /// Whether the member stands at the value its term is for.
    fn holds(&self) -> bool {
        self.at.is_some_and(|at| {
            self.inputs
                .pairs(at..at + 1)
                .next()
                .is_some_and(|(_, p)| p == self.value)
        })
    }

    /// The term added after the inputs at `positions`: the member's, if it
    /// is among them and holds.
    fn closing(&self, positions: Range<usize>) -> Option<Decimal> {
        self.at
            .filter(|at| positions.contains(at) && self.holds())
            .map(|_| self.term)
    }
}

impl<V: Inputs + ?Sized> Inputs for Fixed<'_, V> {
    fn count(&self) -> usize {
        self.inputs.count()
    }
    fn pairs(&self, positions: Range<usize>) -> impl Iterator<Item = (Decimal, Decimal)> + '_ {
        let holds = self.holds();
        let start = positions.start;
        self.inputs
            .pairs(positions)
            .zip(start..)
            .map(move |((w, p), j)| {
                if holds && Some(j) == self.at {
                    (w, Decimal::ZERO)
                } else {
                    (w, p)
                }
            })
    }
}

/// Some of a node's inputs: positions `start..start + len` of `inputs`.
struct Part<'a, V: ?Sized> {
    inputs: &'a V,
    start: usize,
    len: usize,
}

impl<V: Inputs + ?Sized> Inputs for Part<'_, V> {
    fn count(&self) -> usize {
        self.len
    }
    fn pairs(&self, positions: Range<usize>) -> impl Iterator<Item = (Decimal, Decimal)> + '_ {
        let end = positions.end.min(self.len);
        self.inputs
            .pairs(self.start + positions.start..self.start + end)
    }
}

/// The two groups of `inputs`, split at `split`.
fn parts<V: Inputs + ?Sized>(inputs: &V, split: u32) -> [Part<'_, V>; 2] {
    let split = (split as usize).min(inputs.count());
    [
        Part {
            inputs,
            start: 0,
            len: split,
        },
        Part {
            inputs,
            start: split,
            len: inputs.count() - split,
        },
    ]
}

/// [`Evaluator::Groups`] over every input: each group's sums in the fixed
/// order, met by [`two_groups`], the second counting `extra` more members.
/// O(inputs), no allocation.
fn groups(inputs: &(impl Inputs + ?Sized), split: u32, extra: u32) -> Decimal {
    let [first, second] = parts(inputs, split);
    two_groups(
        Builtin::weighted_sums(&first),
        with_extra(Builtin::weighted_sums(&second), extra),
        |group| {
            if group == 0 {
                scaled_weighted_mean(&first)
            } else {
                scaled_weighted_mean(&second)
            }
        },
    )
}

/// A node's inputs in plan order, their progress read from `progress`;
/// with `CLAMP`, each at most 1 (what flows into a parent when
/// over-achievement does not count).
struct NodeInputs<'a, P: ?Sized, const CLAMP: bool> {
    inputs: &'a [(u32, Decimal)],
    progress: &'a P,
}

impl<P: Progresses + ?Sized, const CLAMP: bool> Inputs for NodeInputs<'_, P, CLAMP> {
    fn count(&self) -> usize {
        self.inputs.len()
    }
    fn pairs(&self, positions: Range<usize>) -> impl Iterator<Item = (Decimal, Decimal)> + '_ {
        sure(
            self.inputs.get(positions),
            "positions lie inside the inputs",
        )
        .iter()
        .map(|&(source, weight)| {
            let p = self.progress.at(source);
            (weight, if CLAMP { p.min(Decimal::ONE) } else { p })
        })
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

/// What many what-ifs toward one target share, by node, computed on the
/// first what-if that reaches the node: each input's weighted-mean term as
/// the set stands (weight × progress) and the running sum of its block
/// through it, and each group's total weight and count. A what-if that
/// changes a node's inputs from position p on resumes the block's sum at
/// p, with the stored products of the inputs it did not change: the same
/// additions in the same order as a full evaluation, so the same digits,
/// for about half the additions and none of the products.
#[derive(Default)]
struct Terms {
    /// By slot: one past the node's entry in `nodes`, 0 until computed
    /// (zeroes: the allocator hands them out without writing them).
    at: Vec<u32>,
    nodes: Vec<TermsNode>,
    /// (term, running sum of its block through it) of each input of each
    /// computed node, from the node's `first`.
    entries: Vec<(Option<Decimal>, Option<Decimal>)>,
    /// Block totals of one what-if at one node: (block, total).
    totals: Vec<(usize, Option<Decimal>)>,
}

#[derive(Debug, Clone, Copy)]
struct TermsNode {
    first: usize,
    /// Whether no term or sum overflowed as the set stands: if one did,
    /// what-ifs evaluate the node in full, as the fallbacks require.
    usable: bool,
    /// Each group's Σw and count of non-zero weights (one group but for
    /// [`Evaluator::Groups`]).
    totals: [Option<Decimal>; 2],
    counts: [usize; 2],
    /// The groups' whole factors (see [`two_groups_by`]).
    factors: Option<[u64; 3]>,
}

const WEIGHTED: Builtin = Builtin::WeightedMean;

/// The inputs a weighted-mean node sums apart, by position: all of them,
/// or the two groups of [`Evaluator::Groups`]; `None` for other
/// evaluators.
fn segments(evaluator: Evaluator, len: usize) -> Option<[Range<usize>; 2]> {
    match evaluator {
        Evaluator::Builtin(Builtin::WeightedMean) => Some([0..len, len..len]),
        Evaluator::Groups(split, _) => {
            let split = (split as usize).min(len);
            Some([0..split, split..len])
        }
        _ => None,
    }
}

/// The block of a segment position `j` falls in (by the segment's
/// numbering), and the positions the block spans.
fn block_in(segment: &Range<usize>, j: usize) -> (usize, Range<usize>) {
    let block = (j - segment.start) / BLOCK;
    let start = segment.start + block * BLOCK;
    (block, start..(start + BLOCK).min(segment.end))
}

impl Terms {
    fn new(slots: usize) -> Self {
        Self {
            at: vec![0; slots],
            ..Self::default()
        }
    }

    /// Slot `s`'s entry, computed from `base` (its inputs as the set
    /// stands) the first time. O(inputs) the first time, O(1) after.
    fn node<const CLAMP: bool>(
        &mut self,
        plan: &Plan,
        s: usize,
        segments: &[Range<usize>; 2],
        base: &(impl Progresses + ?Sized),
    ) -> Option<TermsNode> {
        let at = *self.at.get(s)?;
        if at != 0 {
            return self.nodes.get(at as usize - 1).copied();
        }
        let inputs = plan.inputs_of(s);
        let mut node = TermsNode {
            first: self.entries.len(),
            usable: true,
            totals: [None; 2],
            counts: [0; 2],
            factors: None,
        };
        for (g, segment) in segments.iter().enumerate() {
            let mut sum = WEIGHTED.start();
            let mut total = Some(Decimal::ZERO);
            let mut count = 0;
            let pairs = sure(
                inputs.get(segment.clone()),
                "segments lie inside the inputs",
            );
            for (k, &(source, weight)) in pairs.iter().enumerate() {
                if k % BLOCK == 0 {
                    sum = WEIGHTED.start();
                }
                let p = base.at(source);
                let term = WEIGHTED.term(weight, if CLAMP { p.min(Decimal::ONE) } else { p });
                sum = WEIGHTED.add(sum, term);
                total = total.and_then(|t| t.checked_add(weight));
                count += usize::from(!weight.is_zero());
                node.usable &= term.is_some() && sum.is_some();
                self.entries.push((term, sum));
            }
            node.usable &= total.is_some();
            if let (Some(t), Some(c)) = (node.totals.get_mut(g), node.counts.get_mut(g)) {
                *t = total;
                *c = count;
            }
        }
        // A view's folded member stands for more members of the second
        // group than it is (its sums gain them in `with_extra`).
        let extra = match plan.evaluator_of(s) {
            Evaluator::Groups(_, extra) => extra as usize,
            _ => 0,
        };
        if let ([Some(w0), Some(w1)], [n0, n1]) = (node.totals, node.counts) {
            node.factors = whole_factors(n0, n1.saturating_add(extra), w0, w1);
        }
        if let Some(entry) = self.at.get_mut(s) {
            *entry = to_u32(self.nodes.len() + 1);
        }
        self.nodes.push(node);
        Some(node)
    }

    /// The total of the block spanning `block` were the inputs at
    /// `changed` (sorted positions inside it) as `view` gives them: the
    /// stored running sum before the first, then every term from there,
    /// stored or (where changed) from `view`. O(block).
    #[allow(clippy::too_many_arguments)]
    fn resume<const CLAMP: bool>(
        &self,
        node: &TermsNode,
        inputs: &[(u32, Decimal)],
        block: Range<usize>,
        changed: &[usize],
        view: &(impl Progresses + ?Sized),
    ) -> Option<Decimal> {
        let &from = changed.first()?;
        let mut sum = if from == block.start {
            WEIGHTED.start()
        } else {
            self.entries.get(node.first + from - 1)?.1
        };
        let mut next = changed.iter().peekable();
        for j in from..block.end {
            let term = if next.next_if_eq(&&j).is_some() {
                let &(source, weight) = inputs.get(j)?;
                let p = view.at(source);
                WEIGHTED.term(weight, if CLAMP { p.min(Decimal::ONE) } else { p })
            } else {
                self.entries.get(node.first + j)?.0
            };
            sum = WEIGHTED.add(sum, term);
        }
        sum
    }
}

impl Plan {
    /// A weighted-mean slot's value in a what-if from the stored terms and
    /// running sums ([`Terms`]) and, in a group wider than a block, the
    /// kept sums; `positions` are the changed inputs, sorted. `None` where
    /// that does not apply (other strategies, overflow, no kept sums): the
    /// slot is then evaluated as before. The same digits as a full
    /// evaluation. O(B · BLOCK + log inputs) for the B changed blocks.
    fn term_what_if<const CLAMP: bool>(
        &self,
        s: usize,
        trees: &HashMap<u32, SumTree>,
        base: &(impl Progresses + ?Sized),
        view: &(impl Progresses + ?Sized),
        positions: &[usize],
        terms: &mut Terms,
    ) -> Option<Decimal> {
        let evaluator = self.evaluator_of(s);
        let inputs = self.inputs_of(s);
        let segments = segments(evaluator, inputs.len())?;
        let node = terms.node::<CLAMP>(self, s, &segments, base)?;
        if !node.usable {
            return None;
        }
        let slot = to_u32(s);
        let mut sums = [None; 2];
        for (g, segment) in segments.iter().enumerate() {
            let lo = positions.partition_point(|&p| p < segment.start);
            let hi = positions.partition_point(|&p| p < segment.end);
            let changed = positions.get(lo..hi)?;
            let total = *node.totals.get(g)?;
            let count = *node.counts.get(g)?;
            let group = if SumTree::pays(segment.len()) {
                let key = if g == 0 { slot } else { slot | ALIGNED_TREE };
                let tree = trees.get(&key)?;
                terms.totals.clear();
                let mut rest = changed;
                while let Some(&first) = rest.first() {
                    let (block, span) = block_in(segment, first);
                    let end = rest.partition_point(|&p| p < span.end);
                    let (here, after) = rest.split_at(end);
                    let sum = terms.resume::<CLAMP>(&node, inputs, span, here, view)?;
                    terms.totals.push((block, Some(sum)));
                    rest = after;
                }
                tree.sums_of(tree.root_with(&terms.totals))
            } else {
                let weighted = match changed.first() {
                    Some(&first) => {
                        let (_, span) = block_in(segment, first);
                        terms.resume::<CLAMP>(&node, inputs, span, changed, view)?
                    }
                    None if segment.is_empty() => Decimal::ZERO,
                    None => terms.entries.get(node.first + segment.end - 1)?.1?,
                };
                Sums {
                    weighted: Some(weighted),
                    total,
                    count,
                }
            };
            if let Some(entry) = sums.get_mut(g) {
                *entry = Some(group);
            }
        }
        let view = NodeInputs::<_, CLAMP> {
            inputs,
            progress: view,
        };
        let [first, second] = sums;
        let (first, second) = (first?, second?);
        let value = match evaluator {
            Evaluator::Groups(split, extra) => {
                let [a, b] = parts(&view, split);
                two_groups_by(first, with_extra(second, extra), node.factors, |group| {
                    if group == 0 {
                        scaled_weighted_mean(&a)
                    } else {
                        scaled_weighted_mean(&b)
                    }
                })
            }
            _ => WEIGHTED.finish(first.weighted, first.total, &view),
        };
        Some(Progress::clamped(value, self.config.cap).value())
    }
}

/// Where a what-if keeps the values it changed, by slot, over the state's
/// progress, and which inputs of each reached node changed (the blocks its
/// kept sums re-add). Read through [`Progresses`] like the state itself.
trait Scratch: Progresses {
    /// The value a slot stands at in the state.
    fn base(&self, slot: u32) -> Decimal {
        self.base_values().at(slot)
    }
    /// The values as they stand in the state, by slot.
    fn base_values(&self) -> &[Decimal];
    fn set(&mut self, slot: u32, value: Decimal);
    /// Notes that the input at `position` of `consumer` changed.
    fn note(&mut self, consumer: u32, position: u32);
    /// The positions noted for `slot`, into `into` (cleared first).
    fn take_positions(&mut self, slot: u32, into: &mut Vec<u32>);
}

/// One what-if's changes in maps: O(changes), whatever the set's size.
struct Sparse<'a> {
    base: &'a [Decimal],
    changed: HashMap<u32, Decimal>,
    noted: HashMap<u32, Vec<u32>>,
}

impl Progresses for Sparse<'_> {
    fn at(&self, slot: u32) -> Decimal {
        match self.changed.get(&slot) {
            Some(value) => *value,
            None => self.base.at(slot),
        }
    }
}

impl Scratch for Sparse<'_> {
    fn base_values(&self) -> &[Decimal] {
        self.base
    }
    fn set(&mut self, slot: u32, value: Decimal) {
        self.changed.insert(slot, value);
    }
    fn note(&mut self, consumer: u32, position: u32) {
        self.noted.entry(consumer).or_default().push(position);
    }
    fn take_positions(&mut self, slot: u32, into: &mut Vec<u32>) {
        into.clear();
        into.extend(self.noted.remove(&slot).unwrap_or_default());
    }
}

/// Many what-ifs' changes, one at a time, written into a copy of the
/// state's progress and undone after each: a what-if then reads its inputs
/// as a full pass does, without a lookup per input. O(V) to set up, then
/// O(changes) per what-if.
struct Dense<'a> {
    base: &'a [Decimal],
    values: Vec<Decimal>,
    /// The slots the current what-if changed.
    changed: Vec<u32>,
    /// By slot: one past its first noted position's entry in `noted`, 0
    /// for none (zeroes: the allocator hands them out without writing
    /// them).
    first: Vec<u32>,
    /// Noted positions: (position, one past the next entry of the same
    /// slot, 0 for none).
    noted: Vec<(u32, u32)>,
    /// The slots with noted positions.
    noting: Vec<u32>,
}

impl<'a> Dense<'a> {
    fn new(base: &'a [Decimal]) -> Self {
        Self {
            base,
            values: base.to_vec(),
            changed: Vec::new(),
            first: vec![0; base.len()],
            noted: Vec::new(),
            noting: Vec::new(),
        }
    }

    /// Puts back what the last what-if changed. O(changes).
    fn undo(&mut self) {
        for slot in self.changed.drain(..) {
            let s = slot as usize;
            if let (Some(value), Some(&base)) = (self.values.get_mut(s), self.base.get(s)) {
                *value = base;
            }
        }
        for slot in self.noting.drain(..) {
            if let Some(first) = self.first.get_mut(slot as usize) {
                *first = 0;
            }
        }
        self.noted.clear();
    }
}

impl Progresses for Dense<'_> {
    fn at(&self, slot: u32) -> Decimal {
        self.values.as_slice().at(slot)
    }
}

impl Scratch for Dense<'_> {
    fn base_values(&self) -> &[Decimal] {
        self.base
    }
    fn set(&mut self, slot: u32, value: Decimal) {
        if let Some(entry) = self.values.get_mut(slot as usize) {
            *entry = value;
            self.changed.push(slot);
        }
    }
    fn note(&mut self, consumer: u32, position: u32) {
        let Some(first) = self.first.get_mut(consumer as usize) else {
            return;
        };
        if *first == 0 {
            self.noting.push(consumer);
        }
        self.noted.push((position, *first));
        *first = to_u32(self.noted.len());
    }
    fn take_positions(&mut self, slot: u32, into: &mut Vec<u32>) {
        into.clear();
        let Some(first) = self.first.get_mut(slot as usize) else {
            return;
        };
        let mut next = std::mem::replace(first, 0);
        while next != 0 {
            let Some(&(position, after)) = self.noted.get(next as usize - 1) else {
                break;
            };
            into.push(position);
            next = after;
        }
    }
}

/// The buffers a what-if works in, kept between what-ifs.
#[derive(Default)]
struct Buffers {
    queue: BinaryHeap<Reverse<u32>>,
    positions: Vec<u32>,
    /// `positions`, sorted and each once.
    sorted: Vec<usize>,
    blocks: Vec<usize>,
    contributions: Vec<Contribution>,
    /// For many what-ifs toward one target; none for one what-if.
    terms: Option<Terms>,
}

/// Many what-ifs toward one target (see [`State::what_ifs`]).
pub(crate) struct WhatIfs<'a> {
    state: &'a State,
    strategies: &'a Strategies,
    root: u32,
    /// By slot: whether the node counts toward the target at all.
    reaches: Vec<bool>,
    scratch: Dense<'a>,
    buffers: Buffers,
}

impl WhatIfs<'_> {
    /// The target's progress had `changed` reached its target (own
    /// progress `value`; raw values, if a `sum-of-values` node adds them,
    /// at the target); `None` for a node outside the plan. O(A log A) for
    /// the A nodes between them that move, each O(inputs), or O(32 + log
    /// inputs) per changed input where it keeps sums.
    pub(crate) fn reach(&mut self, changed: NodeIndex, value: Decimal) -> Option<Decimal> {
        let state = self.state;
        let slot = state.plan.slot_of(changed)?;
        let raw = state.raw_overlay(changed);
        let reaches = &self.reaches;
        let value = state.plan.roll_what_if(
            &mut self.scratch,
            &mut self.buffers,
            &raw,
            &state.trees,
            (to_u32(slot), value),
            self.root,
            |s| reaches.get(s as usize) == Some(&true),
            self.strategies,
        );
        self.scratch.undo();
        Some(value)
    }
}

impl State {
    /// Starts recording the nodes incremental passes change. O(1).
    pub(crate) fn start_journal(&mut self) {
        self.journal.clear();
        self.reach_before.clear();
        self.journaling = true;
    }

    /// Stops recording and leaves each changed node once in the journal,
    /// with its value before the journal started, in the order first
    /// changed (see [`journal`](Self::journal)). O(entries).
    pub(crate) fn close_journal(&mut self) {
        self.journaling = false;
        // One pass stores each node once; only several passes (a
        // transaction) repeat one. A short journal, a check-in's, is
        // deduplicated by a scan, cheaper than hashing.
        if self.journal.len() > 32 {
            let mut seen = std::collections::HashSet::with_capacity(self.journal.len());
            self.journal.retain(|(node, _)| seen.insert(*node));
        } else {
            let mut kept = 0;
            for i in 0..self.journal.len() {
                let Some(&(node, before)) = self.journal.get(i) else {
                    break;
                };
                let seen = self
                    .journal
                    .get(..kept)
                    .is_some_and(|first| first.iter().any(|(n, _)| *n == node));
                if !seen {
                    if let Some(slot) = self.journal.get_mut(kept) {
                        *slot = (node, before);
                    }
                    kept += 1;
                }
            }
            self.journal.truncate(kept);
        }
    }

    /// What the last closed journal recorded: each changed node once with
    /// its value before. O(1).
    pub(crate) fn journal(&self) -> &[(NodeIndex, Decimal)] {
        &self.journal
    }

    /// Whether every counted input of a node stood at 1 or more before the
    /// journaled edit changed its inputs; `None` when its inputs did not
    /// change. O(entries).
    pub(crate) fn reached_before(&self, node: NodeIndex) -> Option<bool> {
        self.reach_before
            .iter()
            .find(|(n, _)| *n == node)
            .map(|(_, reached)| *reached)
    }

    /// Records, for the journal, whether each of `nodes` has all its
    /// counted inputs at 1 or more, before their inputs change (the first
    /// record of a node in an edit wins).
    fn note_reach(&mut self, nodes: impl IntoIterator<Item = NodeIndex>) {
        for node in nodes {
            if self.reach_before.iter().any(|(n, _)| *n == node) {
                continue;
            }
            let reached = self.plan.members_reach_one(node, |n| {
                self.progress_of(NodeIndex::new(n as usize))
                    .unwrap_or_default()
            });
            self.reach_before.push((node, reached));
        }
    }

    /// The plan the state rolls up over.
    pub(crate) fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The current progress of a node; `None` outside the plan. O(1).
    pub(crate) fn progress_of(&self, node: NodeIndex) -> Option<Decimal> {
        self.progress.get(self.plan.slot_of(node)?).copied()
    }

    /// A node's kept own progress and the raw values a `sum-of-values`
    /// parent adds for it, when the plan gives it no inputs (then its kept
    /// progress is its own, not a roll-up); `None` otherwise. O(1) average.
    pub(crate) fn kept_leaf(&self, node: NodeIndex) -> Option<(Decimal, Option<Raw>)> {
        let s = self.plan.slot_of(node)?;
        if !self.plan.inputs_of(s).is_empty() {
            return None;
        }
        let raw = self.raw.get(&to_u32(node.index())).copied();
        Some((*self.progress.get(s)?, raw))
    }

    /// The raw values `sum-of-values` nodes add, by node index. O(1).
    pub(crate) fn raws(&self) -> &Raws {
        &self.raw
    }

    /// Keeps a node's raw values (or forgets them). Returns whether they
    /// changed. O(1) average.
    fn store_raw(&mut self, node: NodeIndex, raw: Option<Raw>) -> bool {
        // Most sets sum no values: spare their check-ins the hashing.
        if raw.is_none() && self.raw.is_empty() {
            return false;
        }
        let key = index_u32(node);
        match raw {
            Some(raw) => self.raw.insert(key, raw).is_none_or(|old| {
                old.0.serialize() != raw.0.serialize() || old.1.serialize() != raw.1.serialize()
            }),
            None => self.raw.remove(&key).is_some(),
        }
    }

    /// Replaces the plan (after a structural edit), takes each key result's
    /// own progress (and raw values) from `leaf_of` and rolls everything
    /// up. O(V + E).
    pub(crate) fn rebuild(
        &mut self,
        plan: Plan,
        leaf_of: impl Fn(NodeIndex) -> Leaf,
        strategies: &Strategies,
    ) {
        self.raw.clear();
        let mut progress = Vec::with_capacity(plan.order.len());
        for &n in &plan.order {
            let leaf = leaf_of(n);
            progress.push(leaf.progress);
            if let Some(raw) = leaf.raw {
                self.raw.insert(index_u32(n), raw);
            }
        }
        self.progress = progress;
        self.plan = plan;
        self.trees.clear();
        self.full(strategies);
    }

    /// Recomputes every node with inputs in the plan's order, from the own
    /// progress of the nodes without. O(V + E); allocates only, on the first
    /// pass after a new plan, the kept sums of nodes with more than 32
    /// inputs.
    pub(crate) fn full(&mut self, strategies: &Strategies) {
        for s in 0..self.plan.len() {
            if !self.plan.inputs_of(s).is_empty() {
                self.recompute(s, Pass::Full, strategies);
            }
        }
    }

    /// Sets key results' own progress (and raw values) and rolls the
    /// changes up in one incremental pass. O(A log A) for A ancestors, plus
    /// O(32 + log inputs) per changed input of a node with kept sums.
    pub(crate) fn update_leaves(
        &mut self,
        leaves: impl IntoIterator<Item = (NodeIndex, Leaf)>,
        strategies: &Strategies,
    ) {
        let mut queue: BinaryHeap<Reverse<u32>> = BinaryHeap::new();
        for (node, leaf) in leaves {
            let Some(s) = self.plan.slot_of(node) else {
                continue;
            };
            // A key result with inputs (sub-key results) has no own progress.
            if !self.plan.inputs_of(s).is_empty() {
                continue;
            }
            // Both, always: a raw value can move while the progress stays
            // clamped.
            let raw = self.store_raw(node, leaf.raw);
            let progress = self.store(s, leaf.progress, Pass::Incremental);
            if raw || progress {
                self.feed(s, &mut queue);
            }
        }
        self.drain(queue, strategies);
    }

    /// Queues what slot `s` feeds, after its value changed, and marks its
    /// place in their kept sums.
    fn feed(&mut self, s: usize, queue: &mut BinaryHeap<Reverse<u32>>) {
        for &(consumer, position) in self.plan.consumers_of(s) {
            // Only a node with a large fan-in can keep sums: the count sits
            // in the plan entry read anyway, and spares most consumers a
            // hash lookup. A node of two groups keeps each group's apart.
            let kept = self.plan.entry(consumer as usize).and_then(|e| {
                let len = e.inputs_len;
                match e.evaluator {
                    Evaluator::Groups(split, _) if position < split => {
                        SumTree::pays(split as usize).then_some((consumer, position))
                    }
                    Evaluator::Groups(split, _) => SumTree::pays((len - split) as usize)
                        .then_some((consumer | ALIGNED_TREE, position - split)),
                    _ => SumTree::pays(len as usize).then_some((consumer, position)),
                }
            });
            if let Some((key, at)) = kept {
                if let Some(tree) = self.trees.get_mut(&key) {
                    tree.mark(at as usize);
                }
            }
            queue.push(Reverse(consumer));
        }
    }

    /// Weighs again the node a fold view's member folds into, after the
    /// member's term changed in `graph` ([`Folded::fixed`]), and rolls up
    /// what that moves. O(its inputs × their out-degrees + ancestors).
    pub(crate) fn refold(&mut self, graph: &Graph, member: NodeIndex, strategies: &Strategies) {
        let Some(m) = self.plan.slot_of(member) else {
            return;
        };
        let consumers: Vec<u32> = self.plan.consumers_of(m).iter().map(|e| e.0).collect();
        let mut queue: BinaryHeap<Reverse<u32>> = BinaryHeap::new();
        for c in consumers {
            self.plan.reweigh_node(graph, c as usize, strategies);
            self.drop_trees(c);
            queue.push(Reverse(c));
        }
        self.drain(queue, strategies);
    }

    /// The weight a fold view's member carries into the node it folds
    /// into, in that node's terms, where the node adds weight × value (a
    /// weighted mean, which a term of the member's own can stand in for);
    /// `None` elsewhere. O(1).
    pub(crate) fn folded_weight(&self, member: NodeIndex) -> Option<Decimal> {
        let m = self.plan.slot_of(member)?;
        let &(c, position) = self.plan.consumers_of(m).first()?;
        let c = c as usize;
        matches!(
            self.plan.rule(c),
            Evaluator::Builtin(Builtin::WeightedMean) | Evaluator::Groups(..)
        )
        .then(|| self.plan.inputs_of(c).get(position as usize).map(|e| e.1))
        .flatten()
    }

    /// Forgets the kept sums of slot `s` (both groups'). O(1).
    fn drop_trees(&mut self, s: u32) {
        self.trees.remove(&s);
        self.trees.remove(&(s | ALIGNED_TREE));
    }

    /// The progress `target` would show had `changed` reached its target
    /// (own progress `value`; raw values, if a `sum-of-values` node adds
    /// them, at the target), everything else as it stands; `None` for a
    /// node outside the plan. O(A log A) for the A nodes between them that
    /// move, each O(inputs), or O(32 + log inputs) per changed input of a
    /// node that keeps sums (one group's, or both).
    pub(crate) fn what_if(
        &self,
        changed: NodeIndex,
        value: Decimal,
        target: NodeIndex,
        strategies: &Strategies,
    ) -> Option<Decimal> {
        let slot = to_u32(self.plan.slot_of(changed)?);
        let root = to_u32(self.plan.slot_of(target)?);
        let mut scratch = Sparse {
            base: &self.progress,
            changed: HashMap::new(),
            noted: HashMap::new(),
        };
        let raw = self.raw_overlay(changed);
        Some(self.plan.roll_what_if(
            &mut scratch,
            &mut Buffers::default(),
            &raw,
            &self.trees,
            (slot, value),
            root,
            |_| true,
            strategies,
        ))
    }

    /// Many what-ifs toward `target`, one after the other, sharing their
    /// set-up: which nodes count toward it at all (found once, so each
    /// what-if leaves the rest alone) and the buffers; `None` for a node
    /// outside the plan. O(V + E).
    pub(crate) fn what_ifs<'a>(
        &'a self,
        target: NodeIndex,
        strategies: &'a Strategies,
    ) -> Option<WhatIfs<'a>> {
        let root = self.plan.slot_of(target)?;
        let mut reaches = vec![false; self.plan.len()];
        if let Some(entry) = reaches.get_mut(root) {
            *entry = true;
        }
        // Consumers come after their inputs: one pass down from the target.
        for s in (0..=root).rev() {
            if reaches.get(s) != Some(&true) {
                continue;
            }
            for &(input, _) in self.plan.inputs_of(s) {
                if let Some(entry) = reaches.get_mut(input as usize) {
                    *entry = true;
                }
            }
        }
        // The stored terms of every input of the nodes that count.
        let inputs: usize = (0..=root)
            .filter(|&s| reaches.get(s) == Some(&true))
            .map(|s| self.plan.inputs_of(s).len())
            .sum();
        let mut terms = Terms::new(self.plan.len());
        terms.entries.reserve(inputs);
        Some(WhatIfs {
            state: self,
            strategies,
            root: to_u32(root),
            reaches,
            scratch: Dense::new(&self.progress),
            buffers: Buffers {
                terms: Some(terms),
                ..Buffers::default()
            },
        })
    }

    /// The raw values with `changed`'s, if it has any, at its target.
    fn raw_overlay(&self, changed: NodeIndex) -> RawOverlay<'_> {
        let node = index_u32(changed);
        RawOverlay {
            base: &self.raw,
            changed: self.raw.raw(node).map(|r| (node, reached(r))),
        }
    }

    /// A node with kept sums: refreshes (or builds) them and reads the
    /// value off their root. Out of line, to keep the common path small.
    #[inline(never)]
    fn evaluate_kept(&mut self, s: usize, builtin: Builtin, pass: Pass) -> Decimal {
        let cap = self.plan.config.cap;
        if self.plan.config.clamp {
            let view = NodeInputs::<_, true> {
                inputs: self.plan.inputs_of(s),
                progress: self.progress.as_slice(),
            };
            Progress::clamped(kept(&mut self.trees, s, builtin, pass, &view), cap).value()
        } else {
            let view = NodeInputs::<_, false> {
                inputs: self.plan.inputs_of(s),
                progress: self.progress.as_slice(),
            };
            Progress::clamped(kept(&mut self.trees, s, builtin, pass, &view), cap).value()
        }
    }

    /// A node of two groups of which one or both keep sums: each group's
    /// from its kept sums, or summed afresh. Out of line, like
    /// [`evaluate_kept`](Self::evaluate_kept).
    #[inline(never)]
    fn evaluate_groups(&mut self, s: usize, split: u32, extra: u32, pass: Pass) -> Decimal {
        let cap = self.plan.config.cap;
        let value = if self.plan.config.clamp {
            let view = NodeInputs::<_, true> {
                inputs: self.plan.inputs_of(s),
                progress: self.progress.as_slice(),
            };
            kept_groups(&mut self.trees, s, (split, extra), pass, &view)
        } else {
            let view = NodeInputs::<_, false> {
                inputs: self.plan.inputs_of(s),
                progress: self.progress.as_slice(),
            };
            kept_groups(&mut self.trees, s, (split, extra), pass, &view)
        };
        Progress::clamped(value, cap).value()
    }

    /// Evaluates one slot with inputs and stores it. Returns whether the
    /// stored value changed.
    #[inline]
    fn recompute(&mut self, s: usize, pass: Pass, strategies: &Strategies) -> bool {
        let inputs = self.plan.inputs_of(s);
        // Most nodes are key results without inputs: test the count before
        // reading the evaluator.
        let kept = SumTree::pays(inputs.len()).then(|| self.plan.evaluator_of(s));
        let value = match kept {
            Some(Evaluator::Builtin(builtin)) => self.evaluate_kept(s, builtin, pass),
            Some(Evaluator::Groups(split, extra)) => self.evaluate_groups(s, split, extra, pass),
            _ => self.plan.evaluate(
                s,
                self.progress.as_slice(),
                &self.raw,
                &mut self.scratch,
                strategies,
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
                if self.journaling {
                    if let Some(&node) = self.plan.order.get(s) {
                        self.journal.push((node, *slot));
                    }
                }
                *slot = value;
                true
            }
            _ => false,
        }
    }
}

/// Refreshes (or builds) the kept sums of slot `s` over `view` and reads
/// the value off their root.
fn kept(
    trees: &mut HashMap<u32, SumTree>,
    s: usize,
    builtin: Builtin,
    pass: Pass,
    view: &(impl Inputs + ?Sized),
) -> Decimal {
    let tree = trees
        .entry(to_u32(s))
        .and_modify(|tree| match pass {
            Pass::Full => tree.rebuild(view),
            Pass::Incremental => tree.refresh(view),
        })
        .or_insert_with(|| SumTree::new(builtin, view));
    tree.value(view)
}

/// [`Evaluator::Groups`] with kept sums: a group wide enough keeps its
/// sums under its key (the slot, or the slot with [`ALIGNED_TREE`] for the
/// second group) and reads them off; a narrow one is summed afresh. The
/// same digits as [`groups`].
fn kept_groups(
    trees: &mut HashMap<u32, SumTree>,
    s: usize,
    (split, extra): (u32, u32),
    pass: Pass,
    view: &(impl Inputs + ?Sized),
) -> Decimal {
    let [first, second] = parts(view, split);
    let mut sums = |part: &Part<'_, _>, key: u32| -> Sums {
        if !SumTree::pays(part.count()) {
            return Builtin::weighted_sums(part);
        }
        let tree = trees
            .entry(key)
            .and_modify(|tree| match pass {
                Pass::Full => tree.rebuild(part),
                Pass::Incremental => tree.refresh(part),
            })
            .or_insert_with(|| SumTree::new(Builtin::WeightedMean, part));
        tree.sums()
    };
    let slot = to_u32(s);
    let (a, b) = (
        sums(&first, slot),
        with_extra(sums(&second, slot | ALIGNED_TREE), extra),
    );
    two_groups(a, b, |group| {
        if group == 0 {
            scaled_weighted_mean(&first)
        } else {
            scaled_weighted_mean(&second)
        }
    })
}

/// [`Evaluator::Groups`] in a what-if: a group that keeps sums reads them
/// with its changed `blocks` re-added from `view`, without touching them;
/// any other is summed afresh. The same digits as [`groups`].
/// O(B · (32 + log inputs)) for B changed blocks, plus any narrow group.
fn groups_with(
    trees: &HashMap<u32, SumTree>,
    slot: u32,
    (split, extra): (u32, u32),
    view: &(impl Inputs + ?Sized),
    blocks: [&[usize]; 2],
) -> Decimal {
    let [first, second] = parts(view, split);
    let sums = |part: &Part<'_, _>, key: u32, blocks: &[usize]| -> Sums {
        match trees.get(&key) {
            Some(tree) if SumTree::pays(part.count()) => tree.sums_with(part, blocks),
            _ => Builtin::weighted_sums(part),
        }
    };
    let [a, b] = blocks;
    two_groups(
        sums(&first, slot, a),
        with_extra(sums(&second, slot | ALIGNED_TREE, b), extra),
        |group| {
            if group == 0 {
                scaled_weighted_mean(&first)
            } else {
                scaled_weighted_mean(&second)
            }
        },
    )
}

/// What a structural edit changed in the graph, for
/// [`State::restructure`]. Only edges along which progress flows count.
#[derive(Debug, Default)]
pub(crate) struct Delta {
    /// Nodes the edit added (initiatives are left out); their edges, in
    /// and out, are read from the graph.
    pub(crate) added: Vec<NodeIndex>,
    /// Nodes the edit removed from the graph, with their edges.
    pub(crate) removed: Vec<NodeIndex>,
    /// Edges added (or that began to count) between nodes already there:
    /// source, target. Those the target does not count are left out here.
    pub(crate) linked: Vec<(NodeIndex, NodeIndex)>,
    /// Edges removed between nodes that stay: source, target.
    pub(crate) unlinked: Vec<(NodeIndex, NodeIndex)>,
    /// Edges whose weight changed: source, target.
    pub(crate) reweighed: Vec<(NodeIndex, NodeIndex)>,
}

impl Plan {
    fn entry_mut(&mut self, s: usize) -> Option<&mut PlanNode> {
        self.nodes.get_mut(s)
    }

    /// Appends a slot for `node`, without inputs or consumers. O(1)
    /// amortised.
    fn push_slot(&mut self, node: NodeIndex, evaluator: Evaluator) -> u32 {
        let slot = to_u32(self.order.len());
        if self.slots.len() <= node.index() {
            self.slots.resize(node.index() + 1, NO_SLOT);
        }
        if let Some(entry) = self.slots.get_mut(node.index()) {
            *entry = slot;
        }
        self.order.push(node);
        self.nodes.push(PlanNode {
            inputs: to_u32(self.inputs.len()),
            inputs_len: 0,
            consumers: to_u32(self.consumers.len()),
            consumers_len: 0,
            evaluator,
        });
        slot
    }

    /// Marks a slot dead, its lists abandoned; its neighbours must already
    /// have let go of it. O(1).
    fn kill_slot(&mut self, s: usize) {
        let node = self.order.get(s).copied().unwrap_or(dead());
        if let Some(entry) = self.slots.get_mut(node.index()) {
            *entry = NO_SLOT;
        }
        if let Some(n) = self.order.get_mut(s) {
            *n = dead();
        }
        if let Some(entry) = self.nodes.get_mut(s) {
            self.garbage += (entry.inputs_len + entry.consumers_len) as usize;
            entry.inputs_len = 0;
            entry.consumers_len = 0;
        }
        self.dead += 1;
    }

    /// Moves slot `s`'s inputs to the end of the array unless they are
    /// there already, so that the list can grow in place. O(inputs).
    fn inputs_to_end(&mut self, s: usize) -> usize {
        let Some(&PlanNode {
            inputs: start,
            inputs_len: len,
            ..
        }) = self.entry(s)
        else {
            return self.inputs.len();
        };
        let (start, len) = (start as usize, len as usize);
        if len == 0 || start + len != self.inputs.len() {
            let end = self.inputs.len();
            if len > 0 {
                self.inputs.extend_from_within(start..start + len);
            }
            self.garbage += len;
            if let Some(entry) = self.entry_mut(s) {
                entry.inputs = to_u32(end);
            }
            return end;
        }
        start
    }

    /// Likewise for the consumers.
    fn consumers_to_end(&mut self, s: usize) -> usize {
        let Some(&PlanNode {
            consumers: start,
            consumers_len: len,
            ..
        }) = self.entry(s)
        else {
            return self.consumers.len();
        };
        let (start, len) = (start as usize, len as usize);
        if len == 0 || start + len != self.consumers.len() {
            let end = self.consumers.len();
            if len > 0 {
                self.consumers.extend_from_within(start..start + len);
            }
            self.garbage += len;
            if let Some(entry) = self.entry_mut(s) {
                entry.consumers = to_u32(end);
            }
            return end;
        }
        start
    }

    /// Where consumer `c` reads `source`, set to `position`. O(consumers
    /// of `source`).
    fn set_position(&mut self, source: u32, c: u32, position: u32) {
        let Some(&PlanNode {
            consumers: start,
            consumers_len: len,
            ..
        }) = self.entry(source as usize)
        else {
            return;
        };
        let range = start as usize..(start + len) as usize;
        let list = self.consumers.get_mut(range).into_iter().flatten();
        if let Some(entry) = list.into_iter().find(|e| e.0 == c) {
            entry.1 = position;
        }
    }

    /// Refreshes the positions recorded for the inputs of `c` from
    /// `from` on. O(moved inputs × their consumers).
    fn renumber_from(&mut self, c: u32, from: usize) {
        let tail: Vec<u32> = self
            .inputs_of(c as usize)
            .iter()
            .skip(from)
            .map(|&(source, _)| source)
            .collect();
        for (source, position) in tail.into_iter().zip(from..) {
            self.set_position(source, c, to_u32(position));
        }
    }

    /// Inserts `source` among the inputs of `c`, at its place in id order,
    /// and `c` among the consumers of `source`. O(inputs of `c`).
    fn insert_input(&mut self, graph: &Graph, c: u32, source: u32, weight: Decimal) {
        // Key results first, then by id (see `Plan::build`).
        let target = NodeIndex::new(self.node_at(c) as usize);
        let key = |x: u32| {
            let node = NodeIndex::new(self.node_at(x) as usize);
            let group = graph
                .find_edge(node, target)
                .and_then(|e| graph.edge_weight(e))
                .map_or(KEY_RESULTS, |e| group_of(e.kind));
            (group, place(graph, self.node_at(x), folded_of(graph, node)))
        };
        let new = key(source);
        let position = self
            .inputs_of(c as usize)
            .partition_point(|&(x, _)| key(x) < new);
        let start = self.inputs_to_end(c as usize);
        self.inputs.insert(start + position, (source, weight));
        if let Some(entry) = self.entry_mut(c as usize) {
            entry.inputs_len += 1;
        }
        self.renumber_from(c, position + 1);
        let start = self.consumers_to_end(source as usize);
        let len = self.entry(source as usize).map_or(0, |e| e.consumers_len) as usize;
        self.consumers.insert(start + len, (c, to_u32(position)));
        if let Some(entry) = self.entry_mut(source as usize) {
            entry.consumers_len += 1;
        }
    }

    /// The position of `source` among the inputs of `c`.
    fn position_of(&self, c: u32, source: u32) -> Option<usize> {
        self.inputs_of(c as usize)
            .iter()
            .position(|&(x, _)| x == source)
    }

    /// Removes `source` from the inputs of `c`, keeping the others in
    /// order, and `c` from the consumers of `source`. O(inputs of `c` +
    /// consumers of `source`).
    fn remove_input(&mut self, c: u32, source: u32) {
        if let Some(position) = self.position_of(c, source) {
            if let Some(&PlanNode {
                inputs: start,
                inputs_len: len,
                ..
            }) = self.entry(c as usize)
            {
                let (start, len) = (start as usize, len as usize);
                if let Some(list) = self.inputs.get_mut(start..start + len) {
                    if let Some(tail) = list.get_mut(position..) {
                        tail.rotate_left(1);
                    }
                }
                if start + len == self.inputs.len() {
                    self.inputs.pop();
                } else {
                    self.garbage += 1;
                }
                if let Some(entry) = self.entry_mut(c as usize) {
                    entry.inputs_len -= 1;
                }
                self.renumber_from(c, position);
            }
        }
        if let Some(&PlanNode {
            consumers: start,
            consumers_len: len,
            ..
        }) = self.entry(source as usize)
        {
            let (start, len) = (start as usize, len as usize);
            if let Some(list) = self.consumers.get_mut(start..start + len) {
                if let Some(k) = list.iter().position(|e| e.0 == c) {
                    list.swap(k, len - 1);
                    if start + len == self.consumers.len() {
                        self.consumers.pop();
                    } else {
                        self.garbage += 1;
                    }
                    if let Some(entry) = self.entry_mut(source as usize) {
                        entry.consumers_len -= 1;
                    }
                }
            }
        }
    }

    /// Weighs slot `s`'s inputs again from the graph (their stated
    /// weights and groups, see [`weigh`]) and sets its evaluator. O(inputs
    /// of `s` × out-degree of each).
    fn reweigh_node(&mut self, graph: &Graph, s: usize, strategies: &Strategies) {
        let node = NodeIndex::new(self.node_at(to_u32(s)) as usize);
        let (stated, folded): (Vec<(Decimal, u8)>, Vec<Option<&Folded>>) = self
            .inputs_of(s)
            .iter()
            .map(|&(input, _)| {
                let source = NodeIndex::new(self.node_at(input) as usize);
                let edge = graph
                    .find_edge(source, node)
                    .and_then(|e| graph.edge_weight(e))
                    .map(|e| {
                        (
                            (e.weight.value(), group_of(e.kind)),
                            folded_of(graph, source),
                        )
                    });
                sure_or(
                    edge,
                    ((Decimal::ZERO, KEY_RESULTS), None),
                    "plan inputs are edges of the graph",
                )
            })
            .unzip();
        let (evaluator, share) = rule_of(graph, node, strategies);
        let mut weights = Vec::with_capacity(stated.len());
        let mut evaluator = weigh(evaluator, share, &stated, &folded, &mut weights);
        let sources = self
            .inputs_of(s)
            .iter()
            .map(|&(input, _)| NodeIndex::new(self.node_at(input) as usize))
            .zip(folded.iter().copied());
        if let Some(entry) = termed_node(evaluator, sources) {
            // A member folds into one node: its entry is that node's.
            let i = match self.termed.iter().position(|e| e.member == entry.member) {
                Some(i) => i,
                None => {
                    self.termed.push(entry);
                    self.termed.len() - 1
                }
            };
            if let Some(slot) = self.termed.get_mut(i) {
                *slot = entry;
            }
            evaluator = Evaluator::Termed(to_u32(i));
        }
        let start = self.entry(s).map_or(0, |e| e.inputs) as usize;
        for (offset, weight) in weights.into_iter().enumerate() {
            if let Some(entry) = self.inputs.get_mut(start + offset) {
                entry.1 = weight;
            }
        }
        if let Some(entry) = self.entry_mut(s) {
            entry.evaluator = evaluator;
        }
    }
}

impl State {
    /// Brings the plan and the roll-up up to date with a structural edit
    /// already made in `graph`, touching only what the edit reaches: new
    /// nodes take new slots, removed ones leave dead slots, each changed
    /// input list keeps its id order, a link that runs against the slot
    /// order reorders the nodes between its ends ([`Self::reorder`]), and
    /// one incremental pass recomputes the nodes whose inputs changed and
    /// what they feed. The journal records the nodes it moves (added nodes
    /// included, with their first value as the one before).
    ///
    /// O(Δ · fan-in + R log R + A log A) for the R nodes a reorder moves
    /// and the A nodes the pass recomputes; the plan keeps the space it
    /// abandons until [`Plan::wasteful`] says to recompile.
    pub(crate) fn restructure(
        &mut self,
        graph: &Graph,
        delta: Delta,
        leaf_of: impl Fn(NodeIndex) -> Leaf,
        strategies: &Strategies,
    ) {
        let from = self.plan.config.from;
        if self.journaling {
            // What a committed node's band was before reads its inputs as
            // they were: note it for every node whose inputs change.
            let mut touched: Vec<NodeIndex> = Vec::new();
            for &node in &delta.removed {
                touched.extend(graph.neighbors_directed(node, petgraph::Direction::Outgoing));
                if let Some(s) = self.plan.slot_of(node) {
                    touched.extend(
                        self.plan
                            .consumers_of(s)
                            .iter()
                            .map(|&(c, _)| NodeIndex::new(self.plan.node_at(c) as usize)),
                    );
                }
            }
            for &node in &delta.added {
                touched.extend(graph.neighbors_directed(node, petgraph::Direction::Outgoing));
            }
            touched.extend(delta.linked.iter().map(|&(_, t)| t));
            touched.extend(delta.unlinked.iter().map(|&(_, t)| t));
            touched.extend(delta.reweighed.iter().map(|&(_, t)| t));
            touched.retain(|&n| self.plan.slot_of(n).is_some());
            self.note_reach(touched);
        }
        let mut dirty: Vec<NodeIndex> = Vec::new();
        // Nodes whose inputs changed: their weights are weighed again (a
        // group's members share its weight) once every list is in place.
        let mut reweigh: Vec<NodeIndex> = Vec::new();
        for &node in &delta.removed {
            self.raw.remove(&index_u32(node));
            let Some(s) = self.plan.slot_of(node) else {
                continue;
            };
            let s = to_u32(s);
            let consumers: Vec<u32> = self
                .plan
                .consumers_of(s as usize)
                .iter()
                .map(|e| e.0)
                .collect();
            for c in consumers {
                self.plan.remove_input(c, s);
                self.drop_trees(c);
                let consumer = NodeIndex::new(self.plan.node_at(c) as usize);
                dirty.push(consumer);
                reweigh.push(consumer);
            }
            let inputs: Vec<u32> = self
                .plan
                .inputs_of(s as usize)
                .iter()
                .map(|e| e.0)
                .collect();
            for i in inputs {
                self.plan.remove_input(s, i);
            }
            self.drop_trees(s);
            if let Some(value) = self.progress.get_mut(s as usize) {
                *value = Decimal::ZERO;
            }
            self.plan.kill_slot(s as usize);
        }
        let measured = |n: NodeIndex| {
            matches!(
                graph.node_weight(n),
                Some(Node::Objective(_) | Node::KeyResult(_))
            )
        };
        // Supporters before what they support: a key result is added
        // after its parent.
        let added: Vec<NodeIndex> = delta
            .added
            .iter()
            .rev()
            .copied()
            .filter(|&n| measured(n))
            .collect();
        for &node in &added {
            let (evaluator, _) = rule_of(graph, node, strategies);
            self.plan.push_slot(node, evaluator);
            let leaf = leaf_of(node);
            self.progress.push(leaf.progress);
            self.store_raw(node, leaf.raw);
            dirty.push(node);
            reweigh.push(node);
        }
        let mut linked = delta.linked;
        for &node in &added {
            for edge in graph.edges_directed(node, Incoming) {
                linked.push((edge.source(), node));
            }
            for edge in graph.edges_directed(node, petgraph::Direction::Outgoing) {
                if !added.contains(&edge.target()) {
                    linked.push((node, edge.target()));
                }
            }
        }
        for (source, target) in linked {
            let counts = graph
                .find_edge(source, target)
                .and_then(|e| graph.edge_weight(e))
                .is_some_and(|e| counted(graph, e.kind, target, from));
            let (Some(a), Some(b)) = (self.plan.slot_of(source), self.plan.slot_of(target)) else {
                continue;
            };
            if !counts {
                continue;
            }
            let (a, b) = (to_u32(a), to_u32(b));
            self.plan.insert_input(graph, b, a, Decimal::ZERO);
            self.drop_trees(b);
            dirty.push(target);
            reweigh.push(target);
            if a > b {
                self.reorder(a, b);
            }
        }
        for (source, target) in delta.unlinked {
            let (Some(a), Some(b)) = (self.plan.slot_of(source), self.plan.slot_of(target)) else {
                continue;
            };
            self.plan.remove_input(to_u32(b), to_u32(a));
            self.drop_trees(to_u32(b));
            dirty.push(target);
            reweigh.push(target);
        }
        for (_, target) in delta.reweighed {
            dirty.push(target);
            reweigh.push(target);
        }
        reweigh.sort_unstable();
        reweigh.dedup();
        for node in reweigh {
            if let Some(s) = self.plan.slot_of(node) {
                self.plan.reweigh_node(graph, s, strategies);
                self.drop_trees(to_u32(s));
            }
        }
        let mut queue: BinaryHeap<Reverse<u32>> = BinaryHeap::new();
        for node in dirty {
            let Some(s) = self.plan.slot_of(node) else {
                continue;
            };
            if !self.plan.inputs_of(s).is_empty() {
                queue.push(Reverse(to_u32(s)));
            } else {
                let leaf = leaf_of(node);
                let raw = self.store_raw(node, leaf.raw);
                if self.store(s, leaf.progress, Pass::Incremental) || raw {
                    self.feed(s, &mut queue);
                }
            }
        }
        self.drain(queue, strategies);
    }

    /// Recomputes the queued slots and what they feed, each once, in slot
    /// order. O(A log A).
    fn drain(&mut self, mut queue: BinaryHeap<Reverse<u32>>, strategies: &Strategies) {
        let mut last: Option<u32> = None;
        while let Some(Reverse(s)) = queue.pop() {
            if last == Some(s) {
                continue;
            }
            last = Some(s);
            if self.recompute(s as usize, Pass::Incremental, strategies) {
                self.feed(s as usize, &mut queue);
            }
        }
    }

    /// Restores a topological slot order after an input `a` was given to
    /// `b`, with `a > b` (Pearce and Kelly): the nodes `b` feeds up to slot
    /// `a`, and the nodes that feed `a` down to slot `b`, take the same
    /// slots, the latter first. O(R log R + their degrees) for the R nodes
    /// moved.
    fn reorder(&mut self, a: u32, b: u32) {
        let mut seen: std::collections::HashSet<u32> = std::collections::HashSet::from([a, b]);
        let mut forward = Vec::new();
        let mut stack = vec![b];
        while let Some(n) = stack.pop() {
            forward.push(n);
            for &(c, _) in self.plan.consumers_of(n as usize) {
                debug_assert!(c != a, "broken invariant: a structural edit closed a cycle");
                if c < a && seen.insert(c) {
                    stack.push(c);
                }
            }
        }
        let mut backward = Vec::new();
        stack.push(a);
        while let Some(n) = stack.pop() {
            backward.push(n);
            for &(i, _) in self.plan.inputs_of(n as usize) {
                if i > b && seen.insert(i) {
                    stack.push(i);
                }
            }
        }
        forward.sort_unstable();
        backward.sort_unstable();
        let mut pool: Vec<u32> = forward.iter().chain(&backward).copied().collect();
        pool.sort_unstable();
        let renames: Vec<(u32, u32)> = backward
            .iter()
            .chain(&forward)
            .zip(pool)
            .filter(|(old, new)| **old != *new)
            .map(|(&old, new)| (old, new))
            .collect();
        self.rename(&renames);
    }

    /// Moves each node at slot `old` to slot `new` (a permutation of a few
    /// slots), with its plan entry, progress and kept sums, and rewrites
    /// every reference to a moved slot: a consumer names the position its
    /// input sits at, so the entries to rewrite are found before anything
    /// moves, then rewritten. O(moved nodes' degrees × their inputs'
    /// consumers), no hashing.
    fn rename(&mut self, renames: &[(u32, u32)]) {
        let mut input_fixes: Vec<(usize, u32)> = Vec::new();
        let mut consumer_fixes: Vec<(usize, u32)> = Vec::new();
        for &(old, new) in renames {
            for &(c, position) in self.plan.consumers_of(old as usize) {
                if let Some(entry) = self.plan.entry(c as usize) {
                    input_fixes.push(((entry.inputs + position) as usize, new));
                }
            }
            for &(i, _) in self.plan.inputs_of(old as usize) {
                if let Some(entry) = self.plan.entry(i as usize) {
                    let at = self
                        .plan
                        .consumers_of(i as usize)
                        .iter()
                        .position(|e| e.0 == old);
                    if let Some(at) = at {
                        consumer_fixes.push((entry.consumers as usize + at, new));
                    }
                }
            }
        }
        for (at, new) in input_fixes {
            if let Some(entry) = self.plan.inputs.get_mut(at) {
                entry.0 = new;
            }
        }
        for (at, new) in consumer_fixes {
            if let Some(entry) = self.plan.consumers.get_mut(at) {
                entry.0 = new;
            }
        }
        let moved: Vec<_> = renames
            .iter()
            .map(|&(old, new)| {
                let old = old as usize;
                (
                    new,
                    self.plan.order.get(old).copied().unwrap_or_else(dead),
                    self.plan.entry(old).copied(),
                    self.progress.get(old).copied().unwrap_or_default(),
                    self.trees.remove(&to_u32(old)),
                    self.trees.remove(&(to_u32(old) | ALIGNED_TREE)),
                )
            })
            .collect();
        for (new, node, entry, value, tree, aligned) in moved {
            let s = new as usize;
            if let Some(n) = self.plan.order.get_mut(s) {
                *n = node;
            }
            if let (Some(slot), Some(entry)) = (self.plan.nodes.get_mut(s), entry) {
                *slot = entry;
            }
            if let Some(slot) = self.progress.get_mut(s) {
                *slot = value;
            }
            if let Some(tree) = tree {
                self.trees.insert(new, tree);
            }
            if let Some(tree) = aligned {
                self.trees.insert(new | ALIGNED_TREE, tree);
            }
            if let Some(slot) = self.plan.slots.get_mut(node.index()) {
                *slot = new;
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Full,
    Incremental,
}

#[cfg(test)]
impl State {
    /// Whether a node keeps partial sums now.
    pub(crate) fn keeps_sums(&self, node: NodeIndex) -> bool {
        self.plan.slot_of(node).is_some_and(|s| {
            self.trees.contains_key(&to_u32(s))
                || self.trees.contains_key(&(to_u32(s) | ALIGNED_TREE))
        })
    }
}

#[cfg(test)]
impl Plan {
    /// Dead slots and abandoned list entries.
    pub(crate) fn waste(&self) -> (usize, usize) {
        (self.dead, self.garbage)
    }

    /// A node's slot.
    pub(crate) fn slot(&self, node: NodeIndex) -> Option<usize> {
        self.slot_of(node)
    }

    /// Checks that every objective and key result has exactly one slot and
    /// that every input sits before what it feeds, in both directions of
    /// the CSR; that each node's inputs are the graph's, with their
    /// weights, in id order; that each consumer entry names the input's
    /// position; that no two lists overlap; and that the counts of dead
    /// slots and abandoned entries add up.
    pub(crate) fn assert_consistent(&self, graph: &Graph, strategies: &Strategies) {
        let measured = graph
            .node_indices()
            .filter(|&n| !matches!(graph.node_weight(n), Some(Node::Initiative(_))))
            .count();
        let live = self.order.iter().filter(|&&n| n != dead()).count();
        assert_eq!(live, measured, "one slot per measured node");
        assert_eq!(self.len() - live, self.dead, "dead slots counted");
        assert_eq!(self.nodes.len(), self.len(), "one entry per slot");
        let mut used_inputs = vec![false; self.inputs.len()];
        let mut used_consumers = vec![false; self.consumers.len()];
        for (s, node) in self.order.iter().enumerate() {
            let entry = self.nodes[s];
            if *node == dead() {
                assert_eq!(entry.inputs_len + entry.consumers_len, 0, "dead slot {s}");
                continue;
            }
            for i in entry.inputs..entry.inputs + entry.inputs_len {
                assert!(
                    !std::mem::replace(&mut used_inputs[i as usize], true),
                    "overlap"
                );
            }
            for i in entry.consumers..entry.consumers + entry.consumers_len {
                assert!(
                    !std::mem::replace(&mut used_consumers[i as usize], true),
                    "overlap"
                );
            }
            assert_eq!(self.slot_of(*node), Some(s), "slot of {node:?}");
            let mut stated: Vec<(Option<&crate::Id>, Decimal, u8, Option<&Folded>)> = graph
                .edges_directed(*node, Incoming)
                .filter(|e| counted(graph, e.weight().kind, *node, self.config.from))
                .map(|e| {
                    (
                        id_of(graph, index_u32(e.source())),
                        e.weight().weight.value(),
                        group_of(e.weight().kind),
                        folded_of(graph, e.source()),
                    )
                })
                .collect();
            stated.sort_by_key(|&(id, _, group, folded)| {
                (
                    group,
                    folded.map_or((id, false), |f| (f.after.as_ref(), true)),
                )
            });
            let (evaluator, share) = rule_of(graph, *node, strategies);
            let mut weights = Vec::new();
            let evaluator = weigh(
                evaluator,
                share,
                &stated
                    .iter()
                    .map(|&(_, w, g, _)| (w, g))
                    .collect::<Vec<_>>(),
                &stated.iter().map(|&(_, _, _, f)| f).collect::<Vec<_>>(),
                &mut weights,
            );
            assert_eq!(self.rule(s), evaluator, "evaluator of {node:?}");
            let expected: Vec<(Option<&crate::Id>, Decimal)> = stated
                .iter()
                .zip(weights)
                .map(|(&(id, _, _, _), w)| (id, w))
                .collect();
            let actual: Vec<(Option<&crate::Id>, Decimal)> = self
                .inputs_of(s)
                .iter()
                .map(|&(input, w)| (id_of(graph, self.node_at(input)), w))
                .collect();
            assert_eq!(actual, expected, "inputs of {node:?}, in id order");
            for (position, &(input, _)) in self.inputs_of(s).iter().enumerate() {
                assert!((input as usize) < s, "input {input} after its consumer {s}");
                assert!(
                    self.consumers_of(input as usize)
                        .contains(&(to_u32(s), to_u32(position))),
                    "consumer entry of {input} for {s} at {position}"
                );
            }
            for &(consumer, position) in self.consumers_of(s) {
                assert!(consumer as usize > s, "consumer {consumer} before {s}");
                assert_eq!(
                    self.inputs_of(consumer as usize)
                        .get(position as usize)
                        .map(|e| e.0),
                    Some(to_u32(s))
                );
            }
        }
        let unused = used_inputs
            .iter()
            .chain(&used_consumers)
            .filter(|u| !**u)
            .count();
        assert_eq!(unused, self.garbage, "abandoned entries counted");
    }
}

/// A group's sums counting `extra` more members than it has inputs.
fn with_extra(mut sums: Sums, extra: u32) -> Sums {
    sums.count = sums.count.saturating_add(extra as usize);
    sums
}

/// The greatest common divisor of positive weights, at the largest of
/// their scales (6 and 1.5 give 1.5): a folded member's unit (see
/// [`weigh`]). `None` for no weights or ones too long to bring to one
/// scale. O(weights).
pub(crate) fn common_divisor(weights: &[Decimal]) -> Option<Decimal> {
    let scale = weights.iter().map(Decimal::scale).max()?;
    let whole = |w: &Decimal| -> Option<u128> {
        let m = u128::try_from(w.mantissa()).ok()?;
        m.checked_mul(10u128.checked_pow(scale - w.scale())?)
    };
    let divisor = weights
        .iter()
        .try_fold(0u128, |g, w| Some(gcd(g, whole(w)?)))?;
    let divisor = i128::try_from(divisor).ok().filter(|&d| d > 0)?;
    Decimal::try_from_i128_with_scale(divisor, scale).ok()
}

#[cfg(test)]
mod members {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    /// A folded member of three under `mean`: four members, it weighs three.
    fn folded(members: u32, unit: &str) -> Folded {
        Folded {
            members,
            unit: d(unit),
            after: None,
            fixed: None,
        }
    }

    #[test]
    fn common_divisors_come_at_the_largest_scale() {
        assert_eq!(common_divisor(&[d("6"), d("1.5")]), Some(d("1.5")));
        assert_eq!(common_divisor(&[d("4"), d("6")]), Some(d("2")));
        assert_eq!(common_divisor(&[]), None);
    }

    #[test]
    fn a_folded_member_counts_as_the_members_it_folds_under_mean() {
        let mut weights = Vec::new();
        let inputs = [(d("1"), KEY_RESULTS), (d("5"), KEY_RESULTS)];
        let evaluator = weigh(
            Evaluator::Builtin(Builtin::Mean),
            None,
            &inputs,
            &[None, Some(&folded(3, "1"))],
            &mut weights,
        );
        assert_eq!(evaluator, Evaluator::Builtin(Builtin::WeightedMean));
        assert_eq!(weights, [d("1"), d("3")]);
        // Without one, `mean` is left as it is.
        let evaluator = weigh(
            Evaluator::Builtin(Builtin::Mean),
            None,
            &inputs,
            &[],
            &mut weights,
        );
        assert_eq!(evaluator, Evaluator::Builtin(Builtin::Mean));
    }

    /// Two groups by their members: one key result, and an aligned group
    /// of one visible objective (weight 4) and a folded member of two
    /// (weights 2 and 2: stated 4, unit 2). The whole set's aligned group
    /// is 4, 2, 2, in lowest terms 2, 1, 1, three members: the view's is
    /// 2 and 2 with one extra member, not 1 and 1.
    #[test]
    fn a_folded_member_keeps_the_groups_counts_and_terms() {
        let mut weights = Vec::new();
        let inputs = [(d("1"), KEY_RESULTS), (d("4"), ALIGNED), (d("4"), ALIGNED)];
        let evaluator = weigh(
            Evaluator::Builtin(Builtin::WeightedMean),
            None,
            &inputs,
            &[None, None, Some(&folded(2, "2"))],
            &mut weights,
        );
        assert_eq!(evaluator, Evaluator::Groups(1, 1));
        assert_eq!(weights, [d("1"), d("2"), d("2")]);
        let whole = [
            (d("1"), KEY_RESULTS),
            (d("4"), ALIGNED),
            (d("2"), ALIGNED),
            (d("2"), ALIGNED),
        ];
        let evaluator = weigh(
            Evaluator::Builtin(Builtin::WeightedMean),
            None,
            &whole,
            &[],
            &mut weights,
        );
        assert_eq!(evaluator, Evaluator::Groups(1, 0));
        assert_eq!(weights, [d("1"), d("2"), d("1"), d("1")]);
    }
}
