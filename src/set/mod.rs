//! [`OkrSet`]: the validated model held as a graph. Owns every rule of the
//! model (ids, levels, weights, metrics, the alignment policy, cycle
//! refusal, periods), the edits that keep those rules, and the current
//! roll-up. Reports read it through [`NodeRef`] and a crate-private read
//! side ([`query`]); they never change it.
//!
//! - `builder`: [`SetBuilder`] and loading a [`Document`](crate::Document).
//! - `stream`: loading JSON straight from the parser, objective by objective.
//! - `query`: reads: lookups, iteration, the read side reports use.
//! - `node`: [`NodeRef`], a borrowed node.
//! - `edit`: structural and metric edits and their rollback.
//! - `guard`: the checks an edit must pass before it changes anything.
//! - `lifecycle`: check-ins, closing periods, carrying forward.
//! - `values`: the model values and documents rebuilt from the graph.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;
use petgraph::stable_graph::NodeIndex;
use rust_decimal::Decimal;

use crate::engine::graph::{Graph, IdIndex, Titles};
use crate::engine::rollup::{Config, State, Strategies};
use crate::{
    AlignmentModel, ConfidenceScale, GapPolicy, Id, Levels, LintSettings, Overachievement, Period,
    ProgressFrom, Scale, StatusPolicy,
};

mod apply;
mod builder;
mod edit;
mod guard;
mod lifecycle;
mod node;
#[cfg(feature = "json")]
mod parallel;
mod query;
#[cfg(feature = "json")]
mod stream;
mod update;
mod values;
mod view;

pub use builder::SetBuilder;
pub use lifecycle::{CarryForward, PeriodMismatch};
pub use node::{Children, LinkRef, Links, NodeRef, Nodes, Objectives, Supporters};
pub(crate) use query::{Numbers, almost_one};
pub use view::View;

/// A validated set of OKRs: objectives, key results, sub-key results and
/// initiatives held in an acyclic alignment graph, always rolled up.
///
/// Every edit either succeeds or returns an [`Error`](crate::Error) naming the offending
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
    strategy: String,
    default_strategy: usize,
    levels: Levels,
    cap: Decimal,
    /// What objectives count unless they say themselves.
    progress_from: ProgressFrom,
    /// Whether over-achievement flows into parents.
    overachievement: Overachievement,
    /// The time zone check-ins are counted in, and its name as the
    /// document gave it (`None`: UTC by default).
    zone: jiff::tz::TimeZone,
    zone_name: Option<String>,
    /// The scale check-ins state their confidence on.
    confidence_scale: ConfidenceScale,
    /// The document's status settings (what the policy is unless the
    /// builder gave another).
    status: GapPolicy,
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
    scale: Arc<dyn Scale>,
    status_policy: Arc<dyn StatusPolicy>,
    periods: IndexMap<Id, Period>,
    /// Where each frozen grade sits: (period index, node id) → its place in
    /// that period's grades. Rebuilt whenever a period's closing changes.
    grades: HashMap<(usize, Id), usize>,
    lint: LintSettings,
    state: State,
    /// Inside `apply_all`: structural edits leave the plan to be
    /// recompiled once, later.
    deferring: bool,
    /// The plan lags the graph (a deferred recompilation is due).
    stale: bool,
    /// The most threads its loads and reports may use
    /// ([`SetBuilder::threads`]; `None`: the default), kept for the sets
    /// made from it.
    threads: Option<usize>,
}

/// The fewest nodes per thread for which a load or a lint goes to a
/// second thread: a few milliseconds of work against tens of
/// microseconds to start a thread (a review does more per node and takes
/// its own, smaller count).
pub(crate) const THREAD_NODES: usize = 16 * 1024;

/// `here` on the calling thread and `there` on a second one at the same
/// time. A thread that cannot start, or whose work panics, leaves `there`
/// to the calling thread; the second thread ends before this returns.
pub(crate) fn beside<A, B: Send>(here: impl FnOnce() -> A, there: impl Fn() -> B + Sync) -> (A, B) {
    let there = &there;
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new().spawn_scoped(scope, there);
        let here = here();
        let there = worker
            .ok()
            .and_then(|worker| worker.join().ok())
            .unwrap_or_else(there);
        (here, there)
    })
}

/// `here` and `there` [`beside`] each other when `two`, else one after
/// the other on the calling thread.
pub(crate) fn beside_if<A, B: Send>(
    two: bool,
    here: impl FnOnce() -> A,
    there: impl Fn() -> B + Sync,
) -> (A, B) {
    if two {
        beside(here, there)
    } else {
        (here(), there())
    }
}

impl OkrSet {
    /// How many threads work over `nodes` nodes may use under
    /// [`SetBuilder::threads`], at least `per_thread` nodes each (a second
    /// thread from 2 × `per_thread` on; see [`THREAD_NODES`]). O(1); asks
    /// the system only then.
    pub(crate) fn threads_for_nodes(&self, nodes: usize, per_thread: usize) -> usize {
        SetBuilder::allowed(self.threads, nodes / per_thread.max(1))
    }

    /// The settings the roll-up applies: the cap, whether what flows into
    /// a parent is clamped to 1, and the default `progress_from`.
    pub(crate) fn config(&self) -> Config {
        Config {
            cap: self.cap,
            clamp: self.cap > Decimal::ONE && self.overachievement == Overachievement::Clamped,
            from: self.progress_from,
        }
    }
}

impl PartialEq for OkrSet {
    /// Equal content: the same document, the same strategies by name, and
    /// the same roll-up. The scale is not compared (trait objects
    /// have no equality); the bands follow from it. O(V + E).
    fn eq(&self, other: &Self) -> bool {
        self.to_document() == other.to_document()
            && self.strategies.names() == other.strategies.names()
            && self
                .nodes()
                .zip(other.nodes())
                .all(|(a, b)| a.progress() == b.progress())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Document, KeyResult, Link, Metric, Objective, Weight};

    #[test]
    fn plans_are_topological_and_cover_every_measured_node() {
        for seed in 0..12 {
            let mut set = OkrSet::from_document(crate::sample::synthetic(2_000, seed)).unwrap();
            set.state
                .plan()
                .assert_consistent(&set.graph, &set.strategies);
            // And after an edit gives an objective a second parent.
            set.add_link("d0t0o0", Link::new(Id::unchecked("d1t0o0")))
                .unwrap();
            set.state
                .plan()
                .assert_consistent(&set.graph, &set.strategies);
        }
    }

    fn consistent(set: &OkrSet) {
        set.state
            .plan()
            .assert_consistent(&set.graph, &set.strategies);
    }

    fn reloaded(set: &OkrSet) -> OkrSet {
        OkrSet::from_document(set.to_document()).unwrap()
    }

    fn leaf(id: &str, level: &str, target: &str, value: i64) -> Objective {
        Objective::new(Id::unchecked(id), "Leaf", level)
            .with_link(Link::new(Id::unchecked(target)))
            .with_key_result(
                KeyResult::new(Id::unchecked(&format!("{id}k0")), "K")
                    .with_metric(Metric::manual(Decimal::new(value % 10, 1))),
            )
            .with_key_result(
                KeyResult::new(Id::unchecked(&format!("{id}k1")), "K")
                    .with_weight(Weight::new(Decimal::from(2)).unwrap())
                    .with_metric(Metric::manual(Decimal::new(value % 7, 1))),
            )
    }

    #[test]
    fn structural_edits_keep_the_slots_topological() {
        for seed in 0..4 {
            let document = crate::sample::synthetic(3_000, seed);
            let mut set = OkrSet::from_document(document.clone()).unwrap();
            let ids: Vec<Id> = document.objectives.iter().map(|o| o.id.clone()).collect();
            let team = |i: usize| {
                document
                    .objectives
                    .iter()
                    .filter(|o| o.level == "team")
                    .nth(i)
                    .unwrap()
                    .id
                    .clone()
            };
            for i in 0..40 {
                let target = &ids[(i * 37) % ids.len()];
                let level = match set.node(target.as_str()).unwrap().level() {
                    Some("company") => "department",
                    _ => "individual",
                };
                let new = format!("new{i}");
                set.add_objective(leaf(&new, level, target.as_str(), i as i64))
                    .unwrap();
                consistent(&set);
                // Its link runs against the slot order (new slots come
                // last): the new nodes and the target's ancestors reorder.
                let slot = |id: &str| set.state.plan().slot(set.lookup(id).unwrap()).unwrap();
                assert!(slot(&new) < slot(target.as_str()));
                if level == "department" {
                    // And a team aligned to it, from an earlier slot.
                    set.add_link(team(i).as_str(), Link::new(Id::unchecked(&new)))
                        .unwrap();
                    consistent(&set);
                }
                if i % 5 == 4 {
                    set.remove_objective(&new).unwrap_or_else(|_| {
                        // Linked from a team: unlink first.
                        set.remove_link(team(i).as_str(), &new).unwrap();
                        set.remove_objective(&new).unwrap()
                    });
                    consistent(&set);
                }
                set.set_weight(&format!("new{i}k1"), Weight::new(Decimal::from(3)).unwrap())
                    .ok();
                consistent(&set);
            }
            assert!(set == reloaded(&set));
        }
    }

    #[test]
    fn waste_is_recompiled_away() {
        let mut set = OkrSet::from_document(crate::sample::synthetic(2_000, 1)).unwrap();
        let mut recompiled = false;
        for i in 0..400 {
            let (dead, _) = set.state.plan().waste();
            set.add_objective(leaf(&format!("w{i}"), "individual", "d0t0o0", i))
                .unwrap();
            set.remove_objective(&format!("w{i}")).unwrap();
            consistent(&set);
            assert!(!set.state.plan().wasteful(), "waste stays bounded");
            recompiled |= set.state.plan().waste().0 < dead;
        }
        assert!(recompiled, "the plan was recompiled at least once");
        assert!(set == OkrSet::from_document(crate::sample::synthetic(2_000, 1)).unwrap());
    }

    #[test]
    fn wide_nodes_keep_exact_sums_as_inputs_come_and_go() {
        // Thirds do not add exactly: the order of additions shows in the
        // last digit, so only the id order gives a reload's result.
        let third = Decimal::ONE / Decimal::from(3);
        // Two groups: top's own key result beside the objectives aligned
        // to it, whose sums top keeps apart.
        let mut document = Document::new(AlignmentModel::Cascading).with_objective(
            Objective::new(Id::unchecked("top"), "Top", "company").with_key_result(
                KeyResult::new(Id::unchecked("top-kr"), "Own")
                    .with_weight(Weight::new(Decimal::from(3)).unwrap())
                    .with_metric(Metric::manual(third)),
            ),
        );
        for i in (0..40).rev() {
            document = document.with_objective(
                Objective::new(Id::unchecked(&format!("s{i:02}")), "S", "team")
                    .with_link(
                        Link::new(Id::unchecked("top"))
                            .with_weight(Weight::new(Decimal::from(i % 3 + 1)).unwrap()),
                    )
                    .with_key_result(
                        KeyResult::new(Id::unchecked(&format!("s{i:02}k")), "K")
                            .with_metric(Metric::manual(third * Decimal::from(i % 3 + 1))),
                    ),
            );
        }
        let mut set = OkrSet::from_document(document).unwrap();
        let top = set.lookup("top").unwrap();
        assert!(set.state.keeps_sums(top));
        // Ids that sort first, last and in between; one reorders slots.
        for (n, id) in ["a", "s15x", "zz", "s00a"].iter().enumerate() {
            set.add_objective(leaf(id, "team", "top", 3 + n as i64))
                .unwrap();
            consistent(&set);
            assert!(set == reloaded(&set), "after adding {id}");
            assert!(set.state.keeps_sums(set.lookup("top").unwrap()));
            set.set_link_weight(id, "top", Weight::new(Decimal::from(7)).unwrap())
                .unwrap();
            assert!(set == reloaded(&set), "after reweighing {id}");
        }
        // A check-in under a wide node after its inputs moved uses the
        // rebuilt sums.
        set.set_metric("s15xk0", Some(Metric::manual(third)))
            .unwrap();
        assert!(set == reloaded(&set));
        for id in ["s15x", "a", "s07", "zz", "s00a"] {
            if id == "s07" {
                set.remove_link(id, "top").unwrap();
            } else {
                set.remove_objective(id).unwrap();
            }
            consistent(&set);
            assert!(set == reloaded(&set), "after removing {id}");
        }
        // Down to 32 inputs and below: no sums kept, still exact.
        for i in 0..10 {
            set.remove_link(&format!("s{i:02}"), "top").ok();
        }
        consistent(&set);
        assert!(!set.state.keeps_sums(set.lookup("top").unwrap()));
        assert!(set == reloaded(&set));
    }

    #[test]
    fn a_wide_group_beside_another_keeps_its_sums_exact_for_every_input() {
        // top: two key results (the first group) and 200 objectives aligned
        // to it (the second, in 7 blocks of kept sums): a change to each
        // input, whichever block of the second group it sits in, equals a
        // full recomputation to the last digit.
        let third = Decimal::ONE / Decimal::from(3);
        let mut top = Objective::new(Id::unchecked("top"), "Top", "company");
        for k in 0..2 {
            top = top.with_key_result(
                KeyResult::new(Id::unchecked(&format!("top-k{k}")), "K")
                    .with_weight(Weight::new(Decimal::from(k + 2)).unwrap())
                    .with_metric(Metric::manual(third)),
            );
        }
        let mut document = Document::new(AlignmentModel::Cascading).with_objective(top);
        for i in 0..200 {
            document = document.with_objective(
                Objective::new(Id::unchecked(&format!("c{i:03}")), "C", "team")
                    .with_link(
                        Link::new(Id::unchecked("top"))
                            .with_weight(Weight::new(Decimal::from(i % 3 + 1)).unwrap()),
                    )
                    .with_key_result(
                        KeyResult::new(Id::unchecked(&format!("c{i:03}k")), "K")
                            .with_metric(Metric::manual(third * Decimal::from(i % 3))),
                    ),
            );
        }
        let mut set = OkrSet::from_document(document).unwrap();
        let top = set.lookup("top").unwrap();
        assert!(set.state.keeps_sums(top));
        for (round, value) in [Decimal::ONE, third, Decimal::ZERO].into_iter().enumerate() {
            for i in 0..200 {
                set.set_metric(&format!("c{i:03}k"), Some(Metric::manual(value)))
                    .unwrap();
                let mut full = set.clone();
                full.recompute();
                assert_eq!(
                    set.progress("top").map(|p| p.value().serialize()),
                    full.progress("top").map(|p| p.value().serialize()),
                    "round {round}, input c{i:03}"
                );
            }
            set.set_metric("top-k0", Some(Metric::manual(value)))
                .unwrap();
            assert!(set == reloaded(&set), "round {round}");
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
        set.state
            .plan()
            .assert_consistent(&set.graph, &set.strategies);
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
        set.state
            .plan()
            .assert_consistent(&set.graph, &set.strategies);
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
