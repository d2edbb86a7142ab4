//! The arithmetic of the built-in strategies, shared by their
//! [`AggregationStrategy`](crate::AggregationStrategy) impls and the roll-up
//! engine so that both give the same digits.
//!
//! Every built-in is a reduction of one term per input followed by one
//! finishing step (`Σwp / Σw`, `Σp / count`, or nothing for `min`). Decimal
//! addition rounds once a sum outgrows 28 significant digits, so the order of
//! additions is part of the result. It is fixed here: up to [`BLOCK`] terms
//! are added left to right; longer lists are added in blocks of [`BLOCK`],
//! and the block totals pairwise along an implicit binary tree (node `i` adds
//! nodes `2i` and `2i + 1`; the blocks are the leaves `blocks..2 * blocks`).
//! That order lets [`SumTree`] keep the partial sums of a node with a large
//! fan-in and redo a single block and one path of the tree when one input
//! changes — O(BLOCK + log inputs) — and still equal a full evaluation to the
//! last digit.

use std::ops::Range;

use rust_decimal::Decimal;

use crate::Contribution;
use crate::invariant::sure;

/// Terms per block. A changed input re-adds its block, so the block is the
/// unit of incremental work; 32 keeps that under a microsecond while the
/// tree above it stays shallow.
pub(crate) const BLOCK: usize = 32;

/// A node's inputs by position.
pub(crate) trait Inputs {
    fn count(&self) -> usize;
    /// `(weight, progress)` of the inputs at `positions` (none out of range).
    fn pairs(&self, positions: Range<usize>) -> impl Iterator<Item = (Decimal, Decimal)> + '_;

    fn all(&self) -> impl Iterator<Item = (Decimal, Decimal)> + '_ {
        self.pairs(0..self.count())
    }
}

impl Inputs for [Contribution] {
    fn count(&self) -> usize {
        self.len()
    }
    fn pairs(&self, positions: Range<usize>) -> impl Iterator<Item = (Decimal, Decimal)> + '_ {
        sure(
            self.get(positions),
            "positions lie inside the contributions",
        )
        .iter()
        .map(|c| (c.weight.value(), c.progress.value()))
    }
}

/// The built-in strategies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    WeightedMean,
    Mean,
    Min,
}

/// How two partial results combine. `None` means "overflowed" for sums and
/// "no input yet" for the minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    Sum,
    Min,
}

impl Fold {
    #[inline(always)]
    fn identity(self) -> Option<Decimal> {
        match self {
            Self::Sum => Some(Decimal::ZERO),
            Self::Min => None,
        }
    }

    #[inline(always)]
    fn combine(self, a: Option<Decimal>, b: Option<Decimal>) -> Option<Decimal> {
        match self {
            Self::Sum => a?.checked_add(b?),
            Self::Min => match (a, b) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, None) => x,
                (None, y) => y,
            },
        }
    }
}

impl Builtin {
    #[inline(always)]
    fn fold(self) -> Fold {
        match self {
            Self::WeightedMean | Self::Mean => Fold::Sum,
            Self::Min => Fold::Min,
        }
    }

    /// The reduction of no terms.
    #[inline(always)]
    pub(crate) fn start(self) -> Option<Decimal> {
        self.fold().identity()
    }

    /// A running reduction with one more term, as every reduction adds
    /// them.
    #[inline(always)]
    pub(crate) fn add(self, reduced: Option<Decimal>, term: Option<Decimal>) -> Option<Decimal> {
        self.fold().combine(reduced, term)
    }

    /// The term an input adds to the reduction.
    #[inline(always)]
    pub(crate) fn term(self, weight: Decimal, progress: Decimal) -> Option<Decimal> {
        match self {
            Self::WeightedMean => weight.checked_mul(progress),
            Self::Mean if weight.is_zero() => Some(Decimal::ZERO),
            Self::Mean => Some(progress),
            Self::Min => (!weight.is_zero()).then_some(progress),
        }
    }

    /// What the finishing step divides by, from the running divisor and one
    /// more input's weight: Σw for the weighted mean, the count of inputs of
    /// non-zero weight for the mean.
    #[inline(always)]
    fn add_to_divisor(self, divisor: Option<Decimal>, weight: Decimal) -> Option<Decimal> {
        match self {
            Self::WeightedMean => divisor?.checked_add(weight),
            Self::Mean if weight.is_zero() => divisor,
            Self::Mean => divisor?.checked_add(Decimal::ONE),
            Self::Min => None,
        }
    }

    /// The divisor over every input. O(inputs).
    fn divisor(self, inputs: &(impl Inputs + ?Sized)) -> Option<Decimal> {
        inputs
            .all()
            .try_fold(Decimal::ZERO, |divisor, (weight, _)| {
                self.add_to_divisor(Some(divisor), weight)
            })
    }

    /// Block `j`'s total, left to right. O(BLOCK).
    fn block(self, inputs: &(impl Inputs + ?Sized), j: usize) -> Option<Decimal> {
        let fold = self.fold();
        let start = j.saturating_mul(BLOCK);
        let end = start.saturating_add(BLOCK).min(inputs.count());
        inputs
            .pairs(start..end)
            .fold(fold.identity(), |acc, (w, p)| {
                fold.combine(acc, self.term(w, p))
            })
    }

    /// Tree node `i` over `blocks` leaves, computed without storage; the
    /// recursion is as deep as the tree (under 30 levels).
    fn subtree(self, inputs: &(impl Inputs + ?Sized), i: usize, blocks: usize) -> Option<Decimal> {
        if i >= blocks {
            return self.block(inputs, i - blocks);
        }
        let left = self.subtree(inputs, 2 * i, blocks);
        let right = self.subtree(inputs, 2 * i + 1, blocks);
        self.fold().combine(left, right)
    }

    /// The reduction of every term, in the fixed order. O(inputs), no
    /// allocation.
    fn reduce(self, inputs: &(impl Inputs + ?Sized)) -> Option<Decimal> {
        // With one block, node 1 is that block itself.
        self.subtree(inputs, 1, inputs.count().div_ceil(BLOCK).max(1))
    }

    /// The strategy's result, unclamped. O(inputs), no allocation.
    pub(crate) fn aggregate(self, inputs: &(impl Inputs + ?Sized)) -> Decimal {
        if inputs.count() > BLOCK {
            return self.aggregate_blocks(inputs);
        }
        // One block: the reduction and the divisor in one pass over the
        // inputs, the same operations in the same order as the two apart.
        // This is the roll-up's inner loop, so it stays small.
        match self {
            Self::WeightedMean => {
                // Stops at the first overflow, which `finish` then handles:
                // a zero Σw cannot come with an overflowed Σwp.
                let sums =
                    inputs
                        .all()
                        .try_fold((Decimal::ZERO, Decimal::ZERO), |(wp, w), (wi, pi)| {
                            Some((wp.checked_add(wi.checked_mul(pi)?)?, w.checked_add(wi)?))
                        });
                let (wp, w) = sums.unzip();
                self.finish(wp, w, inputs)
            }
            Self::Mean | Self::Min => {
                let fold = self.fold();
                let (reduced, divisor) = inputs.all().fold(
                    (fold.identity(), Some(Decimal::ZERO)),
                    |(reduced, divisor), (w, p)| {
                        (
                            fold.combine(reduced, self.term(w, p)),
                            self.add_to_divisor(divisor, w),
                        )
                    },
                );
                self.finish(reduced, divisor, inputs)
            }
        }
    }

    /// A weighted mean's parts over `inputs`: Σwp (in the fixed order),
    /// Σw and how many weights are not zero, each `None` on overflow.
    /// O(inputs), no allocation.
    pub(crate) fn weighted_sums(inputs: &(impl Inputs + ?Sized)) -> Sums {
        if inputs.count() <= BLOCK {
            // The same additions in the same order as `reduce` and
            // `divisor`, and the count, in one pass.
            let sums = inputs.all().try_fold(
                (Decimal::ZERO, Decimal::ZERO, 0usize),
                |(wp, w, n), (wi, pi)| {
                    Some((
                        wp.checked_add(wi.checked_mul(pi)?)?,
                        w.checked_add(wi)?,
                        n + usize::from(!wi.is_zero()),
                    ))
                },
            );
            if let Some((weighted, total, count)) = sums {
                return Sums {
                    weighted: Some(weighted),
                    total: Some(total),
                    count,
                };
            }
        }
        Sums {
            weighted: Self::WeightedMean.reduce(inputs),
            total: Self::WeightedMean.divisor(inputs),
            count: inputs.all().filter(|(w, _)| !w.is_zero()).count(),
        }
    }

    #[inline(never)]
    fn aggregate_blocks(self, inputs: &(impl Inputs + ?Sized)) -> Decimal {
        self.finish(self.reduce(inputs), self.divisor(inputs), inputs)
    }

    /// The result from a reduction and a divisor. Should a sum overflow
    /// (weights or progress near `Decimal::MAX`), falls back to dividing
    /// every term first, which cannot. O(1), or O(inputs) on that fallback.
    pub(crate) fn finish(
        self,
        reduced: Option<Decimal>,
        divisor: Option<Decimal>,
        inputs: &(impl Inputs + ?Sized),
    ) -> Decimal {
        match (self, reduced, divisor) {
            (Self::Min, min, _) => min.unwrap_or_default(),
            (_, _, Some(divisor)) if divisor.is_zero() => Decimal::ZERO,
            (_, Some(sum), Some(divisor)) => sum.checked_div(divisor).unwrap_or_default(),
            (Self::WeightedMean, _, _) => scaled_weighted_mean(inputs),
            (Self::Mean, _, divisor) => {
                let count = divisor.unwrap_or(Decimal::ONE);
                inputs
                    .all()
                    .filter(|(w, _)| !w.is_zero())
                    .map(|(_, p)| p.checked_div(count).unwrap_or_default())
                    .fold(Decimal::ZERO, Decimal::saturating_add)
            }
        }
    }
}

/// A weighted mean's parts over one group of inputs: Σwp, Σw (each `None`
/// on overflow) and the count of non-zero weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sums {
    pub(crate) weighted: Option<Decimal>,
    pub(crate) total: Option<Decimal>,
    pub(crate) count: usize,
}

/// Two groups' weighted means, each group counting by its number of
/// members: (n₀·W₁·S₀ + n₁·W₀·S₁) / ((n₀ + n₁)·W₀·W₁) for sums S, totals W
/// and counts n — one division, products of the groups' few-digit totals —
/// or, should that overflow, the groups' means combined; `fallback` gives
/// a group's mean when even its own sums overflowed. O(1) but for the
/// fallback.
pub(crate) fn two_groups(
    first: Sums,
    second: Sums,
    fallback: impl Fn(usize) -> Decimal,
) -> Decimal {
    let factors = match (first.total, second.total) {
        (Some(w0), Some(w1)) => whole_factors(first.count, second.count, w0, w1),
        _ => None,
    };
    two_groups_by(first, second, factors, fallback)
}

/// [`two_groups`] with the groups' whole factors found before (see
/// [`whole_factors`]): they depend on the counts and totals alone, which
/// many what-ifs at one node share. O(1) but for the fallback.
pub(crate) fn two_groups_by(
    first: Sums,
    second: Sums,
    factors: Option<[u64; 3]>,
    fallback: impl Fn(usize) -> Decimal,
) -> Decimal {
    let (n0, n1) = (Decimal::from(first.count), Decimal::from(second.count));
    let direct = (|| {
        let (s0, w0) = (first.weighted?, first.total?);
        let (s1, w1) = (second.weighted?, second.total?);
        // Whole totals (the common case: weights in lowest whole terms)
        // give the three factors in lowest terms as integers.
        if let Some([a, b, c]) = factors {
            let term = |s: Decimal, k: u64| {
                if k == 1 {
                    Some(s)
                } else {
                    s.checked_mul(Decimal::from(k))
                }
            };
            return term(s0, a)?
                .checked_add(term(s1, b)?)?
                .checked_div(Decimal::from(c));
        }
        let numerator = n0
            .checked_mul(w1)?
            .checked_mul(s0)?
            .checked_add(n1.checked_mul(w0)?.checked_mul(s1)?)?;
        let denominator = n0.checked_add(n1)?.checked_mul(w0)?.checked_mul(w1)?;
        numerator.checked_div(denominator)
    })();
    direct.unwrap_or_else(|| {
        let mean = |sums: Sums, group: usize| match (sums.weighted, sums.total) {
            (Some(s), Some(w)) => s.checked_div(w).unwrap_or_default(),
            _ => fallback(group),
        };
        let (m0, m1) = (mean(first, 0), mean(second, 1));
        n0.saturating_mul(m0)
            .saturating_add(n1.saturating_mul(m1))
            .checked_div(n0.saturating_add(n1))
            .unwrap_or_default()
    })
}

/// n₀·W₁, n₁·W₀ and (n₀ + n₁)·W₀·W₁ divided by their greatest common
/// divisor, when the totals are whole and all three fit in 64 bits: the
/// same quotient as the decimal products, with small factors. O(log).
pub(crate) fn whole_factors(n0: usize, n1: usize, w0: Decimal, w1: Decimal) -> Option<[u64; 3]> {
    let whole = |w: Decimal| {
        (w.scale() == 0 && w.is_sign_positive())
            .then(|| u64::try_from(w.mantissa()).ok())
            .flatten()
    };
    let (w0, w1) = (whole(w0)?, whole(w1)?);
    let (n0, n1) = (u64::try_from(n0).ok()?, u64::try_from(n1).ok()?);
    let a = n0.checked_mul(w1)?;
    let b = n1.checked_mul(w0)?;
    let c = n0.checked_add(n1)?.checked_mul(w0)?.checked_mul(w1)?;
    let gcd = |mut x: u64, mut y: u64| {
        while y != 0 {
            (x, y) = (y, x % y);
        }
        x
    };
    let g = gcd(gcd(a, b), c);
    (g > 0).then(|| [a / g, b / g, c / g])
}

/// Σwp / Σw with every weight first divided by the largest, so that no term
/// or sum can overflow. O(inputs).
pub(crate) fn scaled_weighted_mean(inputs: &(impl Inputs + ?Sized)) -> Decimal {
    let largest = inputs.all().map(|(w, _)| w).max().unwrap_or_default();
    if largest.is_zero() {
        return Decimal::ZERO;
    }
    let (wp, w) = inputs.all().fold(
        (Decimal::ZERO, Decimal::ZERO),
        |(wp, w), (weight, progress)| {
            let scaled = weight.checked_div(largest).unwrap_or_default();
            (
                wp.saturating_add(scaled.saturating_mul(progress)),
                w.saturating_add(scaled),
            )
        },
    );
    wp.checked_div(w).unwrap_or_default()
}

/// The stored partial sums of one node with more than [`BLOCK`] inputs: the
/// tree [`Builtin::reduce`] walks, kept, so that changed inputs cost their
/// blocks and paths instead of the whole fan-in.
#[derive(Debug, Clone)]
pub(crate) struct SumTree {
    builtin: Builtin,
    blocks: usize,
    /// Index 0 unused; `1..blocks` inner nodes; `blocks..2 * blocks` leaves.
    nodes: Vec<Option<Decimal>>,
    divisor: Option<Decimal>,
    /// How many inputs weigh more than zero (weights change only with a
    /// new tree).
    count: usize,
    /// Blocks whose inputs changed since the last [`refresh`](Self::refresh).
    dirty: Vec<usize>,
}

impl SumTree {
    /// Whether a node with this many inputs keeps a tree.
    pub(crate) fn pays(inputs: usize) -> bool {
        inputs > BLOCK
    }

    /// Builds every block and inner node. O(inputs).
    pub(crate) fn new(builtin: Builtin, inputs: &(impl Inputs + ?Sized)) -> Self {
        let blocks = inputs.count().div_ceil(BLOCK).max(1);
        let mut tree = Self {
            builtin,
            blocks,
            nodes: vec![None; 2 * blocks],
            divisor: builtin.divisor(inputs),
            count: inputs.all().filter(|(w, _)| !w.is_zero()).count(),
            dirty: Vec::new(),
        };
        tree.rebuild(inputs);
        tree
    }

    /// Recomputes every block and inner node (weights unchanged). O(inputs).
    pub(crate) fn rebuild(&mut self, inputs: &(impl Inputs + ?Sized)) {
        self.dirty.clear();
        for j in 0..self.blocks {
            let total = self.builtin.block(inputs, j);
            if let Some(slot) = self.nodes.get_mut(self.blocks + j) {
                *slot = total;
            }
        }
        for i in (1..self.blocks).rev() {
            self.recombine(i);
        }
    }

    /// Notes that input `position` changed. O(1).
    pub(crate) fn mark(&mut self, position: usize) {
        self.dirty.push(position / BLOCK);
    }

    /// Redoes the marked blocks and the inner nodes above them, each once,
    /// children before parents (a child's index is twice its parent's).
    /// O(D · (BLOCK + log blocks)) for D marked blocks.
    pub(crate) fn refresh(&mut self, inputs: &(impl Inputs + ?Sized)) {
        if self.dirty.len() * 4 >= self.blocks {
            self.rebuild(inputs);
            return;
        }
        let mut pending = std::mem::take(&mut self.dirty);
        pending.sort_unstable();
        pending.dedup();
        let leaves = pending.len();
        for k in 0..leaves {
            let Some(&block) = pending.get(k) else { break };
            let total = self.builtin.block(inputs, block);
            let mut i = self.blocks + block;
            if let Some(slot) = self.nodes.get_mut(i) {
                *slot = total;
            }
            while i > 1 {
                i /= 2;
                pending.push(i);
            }
        }
        let inner = sure(pending.get_mut(leaves..), "the leaves are pending first");
        inner.sort_unstable_by(|a, b| b.cmp(a));
        let mut last = 0;
        for k in leaves..pending.len() {
            let Some(&i) = pending.get(k) else { break };
            if i != last {
                self.recombine(i);
                last = i;
            }
        }
        pending.clear();
        self.dirty = pending;
    }

    fn recombine(&mut self, i: usize) {
        let left = self.nodes.get(2 * i).copied().flatten();
        let right = self.nodes.get(2 * i + 1).copied().flatten();
        if let Some(slot) = self.nodes.get_mut(i) {
            *slot = self.builtin.fold().combine(left, right);
        }
    }

    /// The node's value were the inputs of `blocks` (block indices, see
    /// [`block_of`](Self::block_of); repeats allowed) as `inputs` gives
    /// them now, the stored sums of the other blocks kept: a what-if that
    /// leaves the tree as it is. O(B · (BLOCK + log blocks)) for B blocks.
    pub(crate) fn value_with(&self, inputs: &(impl Inputs + ?Sized), blocks: &[usize]) -> Decimal {
        self.finish_with(self.reduced_with(inputs, blocks), inputs)
    }

    /// A weighted mean's parts were the inputs of `blocks` as `inputs`
    /// gives them now (see [`value_with`](Self::value_with) and
    /// [`sums`](Self::sums)). O(B · (BLOCK + log blocks)) for B blocks.
    pub(crate) fn sums_with(&self, inputs: &(impl Inputs + ?Sized), blocks: &[usize]) -> Sums {
        self.sums_of(self.reduced_with(inputs, blocks))
    }

    /// The node's value from the root of its reduction (see
    /// [`root_with`](Self::root_with)); `inputs` only for the overflow
    /// fallback. O(1) but for that fallback.
    pub(crate) fn finish_with(
        &self,
        reduced: Option<Decimal>,
        inputs: &(impl Inputs + ?Sized),
    ) -> Decimal {
        self.builtin.finish(reduced, self.divisor, inputs)
    }

    /// A weighted mean's parts from the root of its reduction. O(1).
    pub(crate) fn sums_of(&self, reduced: Option<Decimal>) -> Sums {
        Sums {
            weighted: reduced,
            total: self.divisor,
            count: self.count,
        }
    }

    /// The root of the tree with `blocks` re-added from `inputs`.
    fn reduced_with(&self, inputs: &(impl Inputs + ?Sized), blocks: &[usize]) -> Option<Decimal> {
        match blocks.split_first() {
            None => self.root_with(&[]),
            Some((&block, rest)) if rest.iter().all(|&b| b == block) => {
                self.root_with(&[(block, self.builtin.block(inputs, block))])
            }
            Some(_) => {
                let mut distinct = blocks.to_vec();
                distinct.sort_unstable();
                distinct.dedup();
                let totals: Vec<(usize, Option<Decimal>)> = distinct
                    .into_iter()
                    .map(|b| (b, self.builtin.block(inputs, b)))
                    .collect();
                self.root_with(&totals)
            }
        }
    }

    /// The root of the tree were the blocks of `totals` (block, its total;
    /// distinct blocks in ascending order) to total that, the stored sums
    /// of the others kept; the tree is left as it is. O(B · log blocks)
    /// for B blocks.
    pub(crate) fn root_with(&self, totals: &[(usize, Option<Decimal>)]) -> Option<Decimal> {
        let fold = self.builtin.fold();
        let stored = |i: usize| self.nodes.get(i).copied().flatten();
        let Some((&(block, total), rest)) = totals.split_first() else {
            return stored(1);
        };
        if rest.is_empty() {
            // One block (the common what-if): up its path, each node from
            // the changed child and the stored other, no allocation.
            let mut i = self.blocks + block;
            let mut sum = total;
            while i > 1 {
                let other = stored(i ^ 1);
                sum = if i % 2 == 0 {
                    fold.combine(sum, other)
                } else {
                    fold.combine(other, sum)
                };
                i /= 2;
            }
            return sum;
        }
        // Every changed node once, children before parents (a child's index
        // is twice its parent's), found by a search in the sorted list.
        let mut changed: Vec<usize> = Vec::with_capacity(totals.len() * 8);
        for &(block, _) in totals {
            let mut i = self.blocks + block;
            changed.push(i);
            while i > 1 {
                i /= 2;
                changed.push(i);
            }
        }
        changed.sort_unstable();
        changed.dedup();
        let mut values: Vec<Option<Decimal>> = vec![None; changed.len()];
        for k in (0..changed.len()).rev() {
            let Some(&i) = changed.get(k) else { break };
            let value = if i >= self.blocks {
                let leaf = totals.binary_search_by_key(&(i - self.blocks), |&(b, _)| b);
                leaf.ok()
                    .and_then(|at| totals.get(at))
                    .and_then(|&(_, total)| total)
            } else {
                let read = |j: usize| match changed.binary_search(&j) {
                    Ok(at) => values.get(at).copied().flatten(),
                    Err(_) => stored(j),
                };
                fold.combine(read(2 * i), read(2 * i + 1))
            };
            if let Some(slot) = values.get_mut(k) {
                *slot = value;
            }
        }
        match changed.binary_search(&1) {
            Ok(at) => values.get(at).copied().flatten(),
            Err(_) => stored(1),
        }
    }

    /// The block input `position` falls in. O(1).
    pub(crate) fn block_of(position: usize) -> usize {
        position / BLOCK
    }

    /// The node's value from the stored sums; `inputs` only for the
    /// overflow fallback. O(1) but for that fallback.
    pub(crate) fn value(&self, inputs: &(impl Inputs + ?Sized)) -> Decimal {
        let reduced = self.nodes.get(1).copied().flatten();
        self.builtin.finish(reduced, self.divisor, inputs)
    }

    /// A weighted mean's parts from the stored sums (see
    /// [`Builtin::weighted_sums`], which gives the same digits). O(1).
    pub(crate) fn sums(&self) -> Sums {
        Sums {
            weighted: self.nodes.get(1).copied().flatten(),
            total: self.divisor,
            count: self.count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Progress, Weight};

    /// Inputs whose sums round: weights and progress with many digits.
    fn awkward(n: usize) -> Vec<Contribution> {
        (0..n)
            .map(|i| {
                let w = Decimal::from(i as u64 % 7 + 1) / Decimal::from(3);
                let p = Decimal::from(i as u64 % 11) / Decimal::from(13);
                Contribution::new(Weight::new(w).unwrap(), Progress::new(p).unwrap())
            })
            .collect()
    }

    #[test]
    fn stored_tree_equals_reduction_after_changes() {
        for n in [1, BLOCK, BLOCK + 1, 100, 1_000, 1_527] {
            for builtin in [Builtin::WeightedMean, Builtin::Mean, Builtin::Min] {
                let mut inputs = awkward(n);
                let mut tree = SumTree::new(builtin, &inputs[..]);
                assert_eq!(tree.value(&inputs[..]), builtin.aggregate(&inputs[..]));
                // One change at a time, then several at once (blocks at
                // different depths of an uneven tree).
                let rounds: [&[usize]; 5] =
                    [&[0], &[n / 2], &[n - 1], &[n / 3], &[0, n - 1, n / 2]];
                for (step, positions) in rounds.into_iter().enumerate() {
                    for &position in positions {
                        let p = Decimal::from((step + position) as u64 % 9) / Decimal::from(7);
                        inputs[position].progress = Progress::new(p).unwrap();
                        tree.mark(position);
                    }
                    tree.refresh(&inputs[..]);
                    assert_eq!(
                        tree.value(&inputs[..]),
                        builtin.aggregate(&inputs[..]),
                        "{builtin:?} n={n} step={step}"
                    );
                }
            }
        }
    }

    #[test]
    fn short_lists_add_left_to_right() {
        let inputs = awkward(BLOCK);
        let linear = inputs.iter().fold(Decimal::ZERO, |s, c| {
            s + c.weight.value() * c.progress.value()
        });
        let total = inputs
            .iter()
            .fold(Decimal::ZERO, |s, c| s + c.weight.value());
        assert_eq!(Builtin::WeightedMean.aggregate(&inputs[..]), linear / total);
    }

    #[test]
    fn min_ignores_zero_weights_in_every_block() {
        let mut inputs = awkward(100);
        inputs[70] = Contribution::new(Weight::ZERO, Progress::ZERO);
        let tree = SumTree::new(Builtin::Min, &inputs[..]);
        assert_eq!(tree.value(&inputs[..]), Decimal::ZERO); // i % 11 == 0 at 0
        inputs[0] = Contribution::new(Weight::ZERO, Progress::ZERO);
        for i in (11..100).step_by(11) {
            inputs[i] = Contribution::new(Weight::ZERO, Progress::ZERO);
        }
        let expected = Decimal::ONE / Decimal::from(13);
        assert_eq!(Builtin::Min.aggregate(&inputs[..]), expected);
        assert_eq!(
            SumTree::new(Builtin::Min, &inputs[..]).value(&inputs[..]),
            expected
        );
    }
}
