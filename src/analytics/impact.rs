//! Impact and what-if: how much each key result weighs in an objective,
//! and how far the objective would move were the key result at its target.

use petgraph::stable_graph::NodeIndex;
use petgraph::visit::NodeIndexable;
use rust_decimal::Decimal;

use crate::engine::graph::Node;
use crate::invariant::{sure, sure_or, to_u32};
use crate::number::{Repeat, order_key};
use crate::{Error, Impact, Progress};
use crate::{NodeKind, NodeRef, OkrSet};

impl OkrSet {
    /// Every measured key result (one with a metric) that contributes to an
    /// objective or key result, with its effective share and the target's
    /// progress were it reached, largest gain first.
    ///
    /// The share multiplies normalised weights (each input's weight over
    /// the total at each node, with weights relative within their group —
    /// key results, contributing objectives — and only the groups the
    /// objective's `progress_from` counts; `mean` counts every non-zero
    /// weight alike; `sum-of-values` weighs by each sub-key result's
    /// distance from start to target) along every contributing path and
    /// sums the paths: exact for `weighted-mean`, `mean` and
    /// `sum-of-values` while no input is clamped, a weight-based reading
    /// for `min` and custom strategies. The what-if re-runs the real
    /// strategies, so it is exact for all.
    ///
    /// # Errors
    /// [`Error::UnknownNode`], [`Error::WrongKind`] for an initiative.
    ///
    /// Complexity: O(V + E) for the shares (one pass down from the target)
    /// and the what-ifs' set-up (which nodes count toward the target, found
    /// once; each node's terms, once), plus per key result O(A log A) for
    /// the A nodes between it and the target that move, each re-adding the
    /// changed block of its inputs from the changed one on (O(32)), and,
    /// in a node with kept sums, one path of them (O(log inputs)): a
    /// what-if through a node of n inputs costs O(log n), not O(n), one
    /// group or two. Then O(K log K) to sort the K key results.
    ///
    /// # Example
    /// ```
    /// use okrs::{Decimal, OkrSet};
    /// let set = OkrSet::from_json(r#"{ "format": "okrs/1", "alignment": "cascading", "objectives": [
    ///   { "id": "co", "title": "Company", "level": "company", "key_results": [
    ///     { "id": "a", "title": "A", "weight": "3", "metric": { "kind": "binary" } } ] },
    ///   { "id": "team", "title": "Team", "level": "team", "aligned_to": [{ "id": "co" }],
    ///     "key_results": [ { "id": "b", "title": "B", "metric": { "kind": "binary" } } ] } ] }"#)?;
    /// let impact = set.impact("co")?;
    /// // Two groups of one member each (the key result, the team): weights
    /// // are relative within their group, so each counts one half.
    /// assert_eq!(impact[0].key_result.as_str(), "a");
    /// assert_eq!(impact[0].share, Decimal::new(5, 1));
    /// assert_eq!(impact[1].share, Decimal::new(5, 1));    // 1/2 × 1/1
    /// assert_eq!(impact[1].after.to_string(), "0.5");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn impact(&self, target: &str) -> Result<Vec<Impact>, Error> {
        let root = self.measured_node(target)?;
        let bound = self.graph().node_bound();
        let mut share = vec![Decimal::ZERO; bound];
        if let Some(slot) = share.get_mut(root.index()) {
            *slot = Decimal::ONE;
        }
        // Supported nodes come after their supporters in the plan's order:
        // walk it backwards to push shares down from the target.
        let mut shares = Vec::new();
        for node in self.state().plan().order().iter().rev() {
            let mine = sure(share.get(node.index()).copied(), "shares cover the graph");
            if mine.is_zero() {
                continue;
            }
            self.state()
                .plan()
                .shares(*node, self.state().raws(), &mut shares);
            // Inputs of one weight (most of a wide node's) multiply once.
            let mut product = Repeat::default();
            for &(source, weight) in &shares {
                if let Some(slot) = share.get_mut(source as usize) {
                    let add = product.get(weight, |w| mine.checked_mul(w).unwrap_or_default());
                    *slot = slot.checked_add(add).unwrap_or(*slot);
                }
            }
        }
        let before = self.progress_at_index(root);
        let mut what_ifs = self.state().what_ifs(root, self.strategies());
        let mut out = Vec::new();
        // Sort keys that compare as the decimals do, each made once (a
        // decimal comparison rescales): one word each while gains and
        // shares stay within a few billion (any progress cap short of
        // that), the full keys once one does not.
        type Key = (bool, u128, u128);
        let small = |(sign, high, _): Key| sign && high == 0;
        let mut compact: Vec<(u128, u128, u32)> = Vec::new();
        let mut wide: Option<Vec<(Key, Key, u32)>> = None;
        for (n, &node_share) in share.iter().enumerate() {
            let node = NodeIndex::new(n);
            let Some(Node::KeyResult(k)) = self.graph().node_weight(node) else {
                continue;
            };
            if k.metric.is_none() || node == root || node_share.is_zero() {
                continue;
            }
            let reached = self.progress_at_index(node).value().max(Decimal::ONE);
            let after = what_ifs.as_mut().and_then(|w| w.reach(node, reached));
            let impact = Impact {
                key_result: k.id.clone(),
                share: node_share.normalize(),
                before,
                after: self.progress_or_now(after, root),
            };
            let (gain, share, i) = (
                order_key(impact.gain()),
                order_key(impact.share),
                to_u32(out.len()),
            );
            match &mut wide {
                Some(keys) => keys.push((gain, share, i)),
                None if small(gain) && small(share) => compact.push((gain.2, share.2, i)),
                None => {
                    let mut keys: Vec<(Key, Key, u32)> = compact
                        .drain(..)
                        .map(|(g, s, i)| ((true, 0, g), (true, 0, s), i))
                        .collect();
                    keys.push((gain, share, i));
                    wide = Some(keys);
                }
            }
            out.push(impact);
        }
        // Largest gain first, then largest share, then by id. Ids are
        // unique, so the order is total and an unstable sort gives the one
        // order; the keys are sorted apart from the larger impacts.
        let id = |i: u32| out.get(i as usize).map(|impact| &impact.key_result);
        let order: Vec<u32> = match wide {
            None => {
                compact.sort_unstable_by(|(gain_a, share_a, a), (gain_b, share_b, b)| {
                    gain_b
                        .cmp(gain_a)
                        .then_with(|| share_b.cmp(share_a))
                        .then_with(|| id(*a).cmp(&id(*b)))
                });
                compact.into_iter().map(|(_, _, i)| i).collect()
            }
            Some(mut keys) => {
                keys.sort_unstable_by(|(gain_a, share_a, a), (gain_b, share_b, b)| {
                    gain_b
                        .cmp(gain_a)
                        .then_with(|| share_b.cmp(share_a))
                        .then_with(|| id(*a).cmp(&id(*b)))
                });
                keys.into_iter().map(|(_, _, i)| i).collect()
            }
        };
        permute(&mut out, &order);
        Ok(out)
    }

    /// The progress `target` would show were `key_result` at its target
    /// (progress 1, or more if it is already above), everything else as it
    /// is now.
    ///
    /// # Errors
    /// [`Error::UnknownNode`], [`Error::WrongKind`].
    ///
    /// Complexity: O(A log A) for the A nodes between them that move, each
    /// O(inputs), or O(32 + log inputs) where it keeps sums (one group's,
    /// or both).
    ///
    /// # Example
    /// ```
    /// use okrs::OkrSet;
    /// let set = OkrSet::from_json(r#"{ "format": "okrs/1", "objectives": [
    ///   { "id": "o", "title": "O", "level": "team", "key_results": [
    ///     { "id": "a", "title": "A", "metric": { "kind": "binary" } },
    ///     { "id": "b", "title": "B", "metric": { "kind": "binary" } } ] } ] }"#)?;
    /// assert_eq!(set.what_if("a", "o")?.to_string(), "0.5");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn what_if(&self, key_result: &str, target: &str) -> Result<Progress, Error> {
        let node = self.expect_kind(key_result, NodeKind::KeyResult)?;
        let root = self.measured_node(target)?;
        Ok(self.what_if_index(node, root))
    }

    fn progress_at_index(&self, node: NodeIndex) -> Progress {
        let progress = NodeRef::new(self, node).and_then(|n| n.progress());
        sure_or(progress, Progress::ZERO, "measured nodes have progress")
    }

    fn what_if_index(&self, key_result: NodeIndex, target: NodeIndex) -> Progress {
        let reached = self.progress_at_index(key_result).value().max(Decimal::ONE);
        let after = self
            .state()
            .what_if(key_result, reached, target, self.strategies());
        self.progress_or_now(after, target)
    }

    /// A what-if's value as progress, or the target's progress now where
    /// the what-if found none.
    fn progress_or_now(&self, value: Option<Decimal>, target: NodeIndex) -> Progress {
        match value {
            Some(value) => sure_or(
                Progress::new(value).ok(),
                Progress::ZERO,
                "roll-ups clamp to [0, cap]",
            ),
            None => self.progress_at_index(target),
        }
    }
}

/// Puts `items` in the order `order` lists their current positions, by
/// following its cycles: O(n) swaps, no second copy of the items.
fn permute<T>(items: &mut [T], order: &[u32]) {
    // Where each item goes.
    let mut rank = vec![0u32; order.len()];
    for (k, &i) in order.iter().enumerate() {
        if let Some(slot) = rank.get_mut(i as usize) {
            *slot = to_u32(k);
        }
    }
    for i in 0..rank.len() {
        while let Some(&j) = rank.get(i) {
            let j = j as usize;
            if j == i || j >= items.len() {
                break;
            }
            items.swap(i, j);
            rank.swap(i, j);
        }
    }
}
