//! A viewer's view of a set: the part of it the viewer may see, as a set
//! of its own, so that every read and report works on it unchanged and no
//! output can name what it leaves out.

use std::collections::HashSet;

use super::{OkrSet, SetBuilder};
use crate::engine::graph::Node;
use crate::{Id, Objective, Period, Viewer};

/// What one viewer may see of a set: a read-only [`OkrSet`] of the public
/// objectives and the private ones the viewer owns (an objective's or one
/// of its key results' owner) or is listed as a viewer of, by id or group.
/// Objectives the viewer may not see do not exist in it: no id, title,
/// owner, count, grade, link or finding of theirs appears in any read or
/// report of the view.
///
/// A visible objective's progress is computed without the hidden
/// contributions, in every output of the view alike: a view shows the
/// organisation as if the hidden objectives did not exist.
///
/// # Example
/// ```
/// use okrs::{Objective, KeyResult, Link, Metric, OkrSet, Viewer};
/// let set = OkrSet::from_document(okrs::Document::new(okrs::AlignmentModel::Cascading)
///     .with_objective(Objective::new("grow".parse()?, "Grow", "company")
///         .with_key_result(KeyResult::new("sales".parse()?, "Sales")
///             .with_metric(Metric::numeric(0.into(), 10.into()).with_current(5.into()))))
///     .with_objective(Objective::new("cfo".parse()?, "Hire a CFO", "department")
///         .with_owner("ceo")
///         .private_to(["board"])
///         .with_link(Link::new("grow".parse()?))
///         .with_key_result(KeyResult::new("offer".parse()?, "Offer signed")
///             .with_metric(Metric::binary(true)))))?;
/// // The set itself (an administrator's view) counts the private objective.
/// assert_eq!(set.progress("grow").unwrap().to_string(), "0.75");
///
/// let staff = set.view(&Viewer::new("kim"));
/// assert!(staff.set().node("cfo").is_none());
/// assert_eq!(staff.set().progress("grow").unwrap().to_string(), "0.5");
/// assert!(!staff.set().to_markdown("2027-01-01".parse()?).contains("CFO"));
///
/// let board = set.view(&Viewer::new("lee").in_group("board"));
/// assert_eq!(board.set().progress("grow").unwrap().to_string(), "0.75");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct View {
    viewer: Viewer,
    set: OkrSet,
}

impl View {
    /// Who the view is for. O(1).
    #[must_use]
    pub fn viewer(&self) -> &Viewer {
        &self.viewer
    }

    /// The visible part as a set: every read and report of [`OkrSet`]
    /// works on it. O(1).
    #[must_use]
    pub fn set(&self) -> &OkrSet {
        &self.set
    }

    /// The visible part as a set of its own (edits to it do not reach the
    /// set it was made from). O(1).
    #[must_use]
    pub fn into_set(self) -> OkrSet {
        self.set
    }
}

impl AsRef<OkrSet> for View {
    fn as_ref(&self) -> &OkrSet {
        &self.set
    }
}

impl OkrSet {
    /// The view of the set one viewer may see (see [`View`]). Without a
    /// view, every read shows everything, as to an administrator.
    ///
    /// Complexity: O(objectives) to decide what is visible, plus building
    /// the visible part (O(its nodes and links)); hidden objectives are
    /// never copied.
    #[must_use]
    pub fn view(&self, viewer: &Viewer) -> View {
        let visible: HashSet<&Id> = self
            .objective_indices()
            .filter_map(|node| match self.graph.node_weight(node) {
                Some(Node::Objective(o)) if self.visible_to(node, viewer) => Some(&o.id),
                _ => None,
            })
            .collect();
        let mut document = self.settings_document();
        document.periods = self
            .periods
            .values()
            .map(|period| self.visible_period(period, &visible))
            .collect();
        document.objectives = self
            .objective_indices()
            .filter(|&node| {
                matches!(self.graph.node_weight(node), Some(Node::Objective(o)) if visible.contains(&o.id))
            })
            .filter_map(|node| self.objective_value(node))
            .map(|objective| self.visible_objective(objective, &visible))
            .collect();
        let set = match SetBuilder::like(self).assemble(document, false) {
            Ok(set) => set,
            Err(error) => {
                debug_assert!(false, "a valid set's visible part loads: {error}");
                // Fails closed: a view that cannot be built shows nothing.
                let mut nothing = self.clone();
                nothing.clear();
                nothing
            }
        };
        View {
            viewer: viewer.clone(),
            set,
        }
    }

    /// Whether a viewer may see the node with this id, by the rule of
    /// [`OkrSet::view`]: the node's objective is public, or the viewer owns
    /// it or one of its key results, or is among its viewers. `false` for
    /// an id no node has. It answers for one node without building a view:
    /// `set.is_visible_to(id, &viewer)` is `set.view(&viewer).set().contains(id)`.
    ///
    /// Complexity: O(1) for a node of a public objective; O(its key
    /// results + viewers) for a private one.
    ///
    /// # Example
    /// ```
    /// use okrs::{KeyResult, Objective, OkrSet, Viewer};
    /// let set = OkrSet::from_document(okrs::Document::new(okrs::AlignmentModel::Cascading)
    ///     .with_objective(Objective::new("grow".parse()?, "Grow", "company"))
    ///     .with_objective(Objective::new("cfo".parse()?, "Hire a CFO", "company")
    ///         .with_owner("ceo")
    ///         .private_to(["board"])
    ///         .with_key_result(KeyResult::new("offer".parse()?, "Offer signed").with_owner("hr"))))?;
    /// let kim = Viewer::new("kim");
    /// assert!(set.is_visible_to("grow", &kim));
    /// assert!(!set.is_visible_to("cfo", &kim) && !set.is_visible_to("offer", &kim));
    /// assert!(set.is_visible_to("offer", &Viewer::new("lee").in_group("board")));
    /// assert!(set.is_visible_to("cfo", &Viewer::new("hr"))); // owns a key result
    /// assert!(!set.is_visible_to("no-such-node", &kim));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn is_visible_to(&self, id: &str, viewer: &Viewer) -> bool {
        self.node(id)
            .is_some_and(|node| self.visible_to(node.objective().index, viewer))
    }

    /// Whether a viewer may see an objective: it is public, or the viewer
    /// owns it or one of its key results, or is among its viewers. O(key
    /// results + viewers).
    fn visible_to(&self, objective: petgraph::stable_graph::NodeIndex, viewer: &Viewer) -> bool {
        let Some(Node::Objective(o)) = self.graph.node_weight(objective) else {
            return false;
        };
        let Some(viewers) = o.private() else {
            return true;
        };
        if viewers.iter().any(|v| viewer.is(v)) || o.owners().contains(&viewer.id) {
            return true;
        }
        self.subtree(objective).into_iter().any(|node| {
            matches!(
                self.graph.node_weight(node),
                Some(Node::KeyResult(k)) if k.owners().contains(&viewer.id)
            )
        })
    }

    /// A period with the frozen grades of visible nodes only.
    fn visible_period(&self, period: &Period, visible: &HashSet<&Id>) -> Period {
        let mut period = period.clone();
        if let Some(closing) = period.closed.as_mut() {
            closing.grades.retain(|grade| {
                self.lookup(grade.id.as_str())
                    .and_then(|node| self.objective_id_of(node))
                    .is_some_and(|objective| visible.contains(objective))
            });
        }
        period
    }

    /// A visible objective with its links and provenance to hidden
    /// objectives left out. O(links).
    fn visible_objective(&self, mut objective: Objective, visible: &HashSet<&Id>) -> Objective {
        let shown = |id: &Id| {
            self.lookup(id.as_str())
                .and_then(|node| self.objective_id_of(node))
                .is_some_and(|objective| visible.contains(objective))
        };
        objective.aligned_to.retain(|link| shown(&link.id));
        if objective.carried_from.as_ref().is_some_and(|id| !shown(id)) {
            objective.carried_from = None;
        }
        if objective.carried_to.as_ref().is_some_and(|id| !shown(id)) {
            objective.carried_to = None;
        }
        objective
    }

    /// The id of a node's objective. O(1).
    fn objective_id_of(&self, node: petgraph::stable_graph::NodeIndex) -> Option<&Id> {
        match self.graph.node_weight(self.objective_of(node)?)? {
            Node::Objective(o) => Some(&o.id),
            _ => None,
        }
    }
}

impl OkrSet {
    /// Empties the set: no node, link or period, its settings kept. O(V).
    fn clear(&mut self) {
        self.graph.clear();
        self.titles = crate::engine::graph::Titles::default();
        self.index = crate::engine::graph::IdIndex::default();
        self.objectives.clear();
        self.added.clear();
        self.periods.clear();
        self.grades.clear();
        self.state = crate::engine::rollup::State::default();
    }
}
