//! The engine: the private storage behind an [`OkrSet`](crate::OkrSet).
//!
//! - [`graph`]: the petgraph DAG of nodes and links, the title arena and
//!   the id index.
//! - [`history`]: a key result's check-ins in order, with room in front.
//! - [`rollup`]: the roll-up plan (a locality-aware topological order with
//!   each node's inputs and consumers) and the passes over it: full,
//!   incremental, as of a date, and what-if overlays.
//!
//! Nothing here is public; the set keeps the model's rules and calls in.

pub(crate) mod graph;
pub(crate) mod history;
pub(crate) mod rollup;

use crate::invariant::sure;
use petgraph::stable_graph::NodeIndex;
use rust_decimal::Decimal;

/// Sets `node`'s slot of a per-node array. Every array is sized to the
/// graph's node bound, so a node outside it is a broken invariant: debug
/// builds (and so every test) stop there.
pub(crate) fn set_at<T>(values: &mut [T], node: NodeIndex, value: T) {
    let slot = values.get_mut(node.index());
    debug_assert!(slot.is_some(), "broken invariant: arrays cover the graph");
    if let Some(slot) = slot {
        *slot = value;
    }
}

/// `node`'s slot of a per-node array of values (see [`set_at`]).
pub(crate) fn value_at(values: &[Decimal], node: NodeIndex) -> Decimal {
    sure(values.get(node.index()).copied(), "arrays cover the graph")
}
