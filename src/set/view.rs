//! A viewer's view of a set: the part of it the viewer may see, as a set
//! of its own, so that every read and report works on it unchanged and no
//! output can name what it leaves out. Under [`ViewPolicy::Fold`] the
//! hidden contributions into each visible node are one synthetic member
//! of that set (see [`OkrSet::view_with`]).

use std::collections::{HashMap, HashSet};

use petgraph::Direction::Incoming;
use petgraph::stable_graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rust_decimal::Decimal;

use super::{OkrSet, SetBuilder};
use crate::engine::graph::{EdgeKind, Folded, Node};
use crate::engine::rollup::{common_divisor, counted};
use crate::{
    Document, Edit, Error, Id, KeyResult, Link, Metric, Objective, Period, ViewPolicy, Viewer,
    Weight,
};

/// What one viewer may see of a set: a read-only [`OkrSet`] of the public
/// objectives and the private ones the viewer owns (an objective's or one
/// of its key results' owner) or is listed as a viewer of, by id or group.
/// Objectives the viewer may not see do not exist in it: no id, title,
/// owner, count, grade, link or finding of theirs appears in any read or
/// report of the view.
///
/// Under the default policy, [`ViewPolicy::Exclude`] ([`OkrSet::view`]), a
/// visible objective's progress is computed without the hidden
/// contributions, in every output of the view alike: a view shows the
/// organisation as if the hidden objectives did not exist. Under
/// [`ViewPolicy::Fold`] ([`OkrSet::view_with`]) it shows its true
/// progress, the hidden contributions folded into one anonymous member.
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
    policy: ViewPolicy,
    set: OkrSet,
}

impl View {
    /// Who the view is for. O(1).
    #[must_use]
    pub fn viewer(&self) -> &Viewer {
        &self.viewer
    }

    /// What the view shows of visible nodes hidden objectives contribute
    /// to. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{OkrSet, Viewer, ViewPolicy};
    /// let set = OkrSet::from_json(r#"{ "format": "okrs/1", "objectives": [
    ///   { "id": "grow", "title": "Grow", "level": "company" } ] }"#)?;
    /// assert_eq!(set.view(&Viewer::new("kim")).policy(), ViewPolicy::Exclude);
    /// let folded = set.view_with(&Viewer::new("kim"), ViewPolicy::Fold)?;
    /// assert_eq!(folded.policy(), ViewPolicy::Fold);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn policy(&self) -> ViewPolicy {
        self.policy
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
    /// The view of the set one viewer may see (see [`View`]), under the
    /// [`ViewPolicy::Exclude`] policy: `set.view(&viewer)` is
    /// `set.view_with(&viewer, ViewPolicy::Exclude)`, which cannot fail.
    /// Without a view, every read shows everything, as to an administrator.
    ///
    /// Complexity: O(objectives) to decide what is visible, plus building
    /// the visible part (O(its nodes and links)); hidden objectives are
    /// never copied.
    #[must_use]
    pub fn view(&self, viewer: &Viewer) -> View {
        let visible = self.visible_ids(viewer);
        View {
            viewer: viewer.clone(),
            policy: ViewPolicy::Exclude,
            set: self.assemble_view(self.visible_document(&visible)),
        }
    }

    /// The view of the set one viewer may see (see [`View`]), under a
    /// policy for the visible nodes hidden objectives contribute to (a
    /// hidden objective aligned to a visible objective or key result: a
    /// visible objective's key results are never hidden, they share its
    /// visibility).
    ///
    /// - [`ViewPolicy::Exclude`]: as [`view`](Self::view), their progress
    ///   is computed without the hidden contributions.
    /// - [`ViewPolicy::Fold`]: each shows its true progress, the number the
    ///   set itself shows, to the last digit, and the hidden contributions
    ///   into it are one synthetic member: an objective titled `hidden`,
    ///   aligned to it with the hidden links' combined weight, measured by
    ///   one key result titled `hidden` whose value is their combined
    ///   progress. Its ids (`hidden` and the visible node's id, joined by
    ///   the control character U+001F, which no user id may hold) never
    ///   collide with a node's. It has no owner, description, check-in or
    ///   finding of its own (lint leaves it out, and so do alignment
    ///   coverage and distributions, which count teams' objectives), the
    ///   level, period and
    ///   visibility of the node it folds into, and it counts as the number
    ///   of members it folds where a strategy counts members (`mean`, and
    ///   two groups without an `aligned_share`), so that every built-in
    ///   strategy gives the true number: its share of its parent is the
    ///   hidden part's share, in proportion, under such a strategy, to how
    ///   many members it folds, as the true number itself is. Its parent
    ///   adds it where the whole set added the last of the hidden
    ///   contributions (sums of decimals round by their order), so that a
    ///   member folding one hidden objective holds that objective's
    ///   progress and its parent comes out as in the whole set. Its value
    ///   is the hidden part's combined progress, adjusted in the last
    ///   digits where the parent's rounding needs it to come out exact.
    ///   Where no value does (a member folding several hidden objectives,
    ///   whose weight × value moves in steps coarser than the last digit
    ///   of their terms' sum; a node wider than a block of the roll-up's
    ///   sums, whose blocks the folding shifts), a weighted-mean parent
    ///   adds, while the member stands at its value, a term of the
    ///   member's own at full precision after its other inputs' terms,
    ///   which some term makes the whole set's sum.
    ///   It stands for the present: as-of reads of the view (a review as
    ///   of another date, [`series`](Self::series), forecasts) hold it at
    ///   its current value, so a node's past numbers in a fold view are
    ///   not the whole set's (a history of it would cost a roll-up of the
    ///   whole set per date a hidden check-in falls on).
    ///
    /// # Errors
    /// Under `Fold`, [`Error::FoldInexact`] naming a visible node whose
    /// true progress no single folded value gives: a custom strategy that
    /// counts its inputs or is not monotone (or, should a sum overflow a
    /// decimal, a node the fallback arithmetic cannot match). `Exclude`
    /// never fails.
    ///
    /// Complexity: that of [`view`](Self::view), plus, under `Fold`, the
    /// links into the visible part; a folded value adjusted in its last
    /// digits costs one incremental roll-up per step of a bisection, and a
    /// term of the member's own one more bisection, each step weighing
    /// the node's inputs again (O(its inputs + ancestors)).
    ///
    /// # Example
    /// ```
    /// use okrs::{KeyResult, Link, Metric, Objective, OkrSet, Viewer, ViewPolicy};
    /// let done = |id: &str, yes: bool| KeyResult::new(id.parse().unwrap(), "Done")
    ///     .with_metric(Metric::binary(yes));
    /// let set = OkrSet::from_document(okrs::Document::new(okrs::AlignmentModel::Cascading)
    ///     .with_objective(Objective::new("grow".parse()?, "Grow", "company")
    ///         .with_key_result(done("sales", false)))
    ///     .with_objective(Objective::new("cfo".parse()?, "Hire a CFO", "company")
    ///         .with_owner("ceo")
    ///         .private_to(["board"])
    ///         .with_link(Link::new("grow".parse()?))
    ///         .with_key_result(done("offer", true))))?;
    /// assert_eq!(set.progress("grow").unwrap().to_string(), "0.5");
    ///
    /// let kim = Viewer::new("kim");
    /// let excluded = set.view(&kim);
    /// assert_eq!(excluded.set().progress("grow").unwrap().to_string(), "0");
    ///
    /// let folded = set.view_with(&kim, ViewPolicy::Fold)?;
    /// assert_eq!(folded.set().progress("grow").unwrap().to_string(), "0.5");
    /// let hidden = folded.set().node("grow").unwrap().supporters().next().unwrap();
    /// assert_eq!(hidden.title(), "hidden");
    /// assert!(hidden.owners().is_empty());
    /// assert_eq!(hidden.progress().unwrap().to_string(), "1");
    /// assert!(!folded.set().to_markdown("2027-01-01".parse()?).contains("CFO"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn view_with(&self, viewer: &Viewer, policy: ViewPolicy) -> Result<View, Error> {
        let visible = self.visible_ids(viewer);
        let mut document = self.visible_document(&visible);
        let set = match policy {
            ViewPolicy::Exclude => self.assemble_view(document),
            ViewPolicy::Fold => {
                let folds = self.folds(&visible, &mut document)?;
                let mut set = self.assemble_view(document);
                set.fold(self, &folds)?;
                set
            }
        };
        Ok(View {
            viewer: viewer.clone(),
            policy,
            set,
        })
    }

    /// The ids of the objectives a viewer may see. O(objectives).
    fn visible_ids(&self, viewer: &Viewer) -> HashSet<&Id> {
        self.objective_indices()
            .filter_map(|node| match self.graph.node_weight(node) {
                Some(Node::Objective(o)) if self.visible_to(node, viewer) => Some(&o.id),
                _ => None,
            })
            .collect()
    }

    /// The visible part as a document: the visible objectives, their links
    /// and provenance to hidden ones left out, and the periods' grades of
    /// visible nodes. O(visible part).
    fn visible_document(&self, visible: &HashSet<&Id>) -> Document {
        let mut document = self.settings_document();
        document.periods = self
            .periods
            .values()
            .map(|period| self.visible_period(period, visible))
            .collect();
        document.objectives = self
            .objective_indices()
            .filter(|&node| {
                matches!(self.graph.node_weight(node), Some(Node::Objective(o)) if visible.contains(&o.id))
            })
            .filter_map(|node| self.objective_value(node))
            .map(|objective| self.visible_objective(objective, visible))
            .collect();
        document
    }

    /// A view's set from its document, built like this set (its
    /// strategies, scale and status policy).
    fn assemble_view(&self, document: Document) -> OkrSet {
        match SetBuilder::like(self).assemble(document, false) {
            Ok(set) => set,
            Err(error) => {
                debug_assert!(false, "a valid set's visible part loads: {error}");
                // Fails closed: a view that cannot be built shows nothing.
                let mut nothing = self.clone();
                nothing.clear();
                nothing
            }
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
        // Provenance naming no node at all (a document may hold one) is
        // kept: it hides nothing, and a carried objective's links stop
        // counting, in the view as in the set.
        let hidden = |id: &Id| self.lookup(id.as_str()).is_some() && !shown(id);
        objective.aligned_to.retain(|link| shown(&link.id));
        if objective.carried_from.as_ref().is_some_and(hidden) {
            objective.carried_from = None;
        }
        if objective.carried_to.as_ref().is_some_and(hidden) {
            objective.carried_to = None;
            // Carried on to a hidden objective: its links count no more,
            // which the view must say without naming where it went.
            for link in &mut objective.aligned_to {
                link.contributes = Some(false);
            }
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

/// What joins `hidden` and a visible node's id in the ids of the member
/// folded into it: a control character, which no user id may hold
/// ([`Id::new`] refuses it), so the synthetic ids never meet a node's.
const FOLD_SEPARATOR: char = '\u{1f}';

/// The title of a folded member and of its key result: all a viewer
/// learns of what it stands for.
const FOLD_TITLE: &str = "hidden";

/// One visible node hidden objectives contribute to, and the synthetic
/// member that folds their contributions.
#[derive(Debug)]
struct Fold {
    /// The visible node, by id (both sets have it).
    node: Id,
    /// Its index in the whole set.
    index: NodeIndex,
    /// The synthetic objective aligned to it.
    member: Id,
    /// The synthetic objective's one key result, which holds the value.
    measure: Id,
    /// How many hidden inputs of non-zero weight it stands for, and the
    /// greatest common divisor of their weights.
    folded: Folded,
    /// Values to try first: the hidden inputs' weighted mean, plain mean
    /// and minimum (one of them is the true combination under each
    /// built-in strategy).
    guesses: [Decimal; 3],
}

impl Fold {
    fn ids(node: &Id) -> (Id, Id) {
        let member = format!("{FOLD_TITLE}{FOLD_SEPARATOR}{node}");
        let measure = format!("{FOLD_TITLE}{FOLD_SEPARATOR}{FOLD_SEPARATOR}{node}");
        (Id::unchecked(&member), Id::unchecked(&measure))
    }
}

impl Id {
    /// Whether this is the id of a fold view's synthetic member or of its
    /// key result (see [`OkrSet::view_with`]). O(length).
    pub(crate) fn is_folded(&self) -> bool {
        self.as_str()
            .strip_prefix(FOLD_TITLE)
            .is_some_and(|rest| rest.starts_with(FOLD_SEPARATOR))
    }
}

impl OkrSet {
    /// Finds every visible node (objective or key result) that hidden
    /// objectives contribute to and adds to `document` one synthetic
    /// member per node, aligned to it, with the hidden links' combined
    /// weight and a first value. O(visible part + links into it).
    fn folds(&self, visible: &HashSet<&Id>, document: &mut Document) -> Result<Vec<Fold>, Error> {
        let config = self.config();
        let places: HashMap<&Id, usize> = document
            .objectives
            .iter()
            .enumerate()
            .map(|(place, objective)| (&objective.id, place))
            .collect();
        let mut folds = Vec::new();
        let mut members = Vec::new();
        for objective in self.objective_indices() {
            let Some(Node::Objective(o)) = self.graph.node_weight(objective) else {
                continue;
            };
            let Some(&place) = places.get(&o.id).filter(|_| visible.contains(&o.id)) else {
                continue;
            };
            let Some(home) = document.objectives.get(place) else {
                continue;
            };
            for node in self.subtree(objective) {
                if matches!(
                    self.graph.node_weight(node),
                    Some(Node::Initiative(_)) | None
                ) {
                    continue;
                }
                let (mut count, mut weight, mut weighted, mut sum) =
                    (0u32, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
                let mut least: Option<Decimal> = None;
                let mut hidden_weights = Vec::new();
                // The last hidden input in the whole set's order (links
                // sort by id within their group), and the visible links.
                let mut last: Option<&Id> = None;
                let mut shown = Vec::new();
                for edge in self.graph.edges_directed(node, Incoming) {
                    let kind = edge.weight().kind;
                    if !matches!(kind, EdgeKind::Link { .. })
                        || !counted(&self.graph, kind, node, config.from)
                    {
                        continue;
                    }
                    let Some(source) = self.graph.node_weight(edge.source()) else {
                        continue;
                    };
                    let hidden = matches!(source, Node::Objective(o) if !visible.contains(&o.id));
                    let w = edge.weight().weight.value();
                    if !hidden {
                        shown.push(source.id());
                        continue;
                    }
                    // A term of zero weight adds nothing to any sum.
                    if w.is_zero() {
                        continue;
                    }
                    last = last.max(Some(source.id()));
                    let mut p = self.state.progress_of(edge.source()).unwrap_or_default();
                    if config.clamp {
                        p = p.min(Decimal::ONE);
                    }
                    count = count.saturating_add(1);
                    hidden_weights.push(w);
                    weight = weight.saturating_add(w);
                    weighted = weighted.saturating_add(w.saturating_mul(p));
                    sum = sum.saturating_add(p);
                    least = Some(least.map_or(p, |l| l.min(p)));
                }
                if count == 0 {
                    continue;
                }
                let id = self.id_of(node);
                let after = shown.into_iter().filter(|&v| Some(v) < last).max().cloned();
                let mean = sum.checked_div(Decimal::from(count)).unwrap_or_default();
                let guesses = [
                    weighted.checked_div(weight).unwrap_or(mean),
                    mean,
                    least.unwrap_or_default(),
                ];
                let (member, measure) = Fold::ids(&id);
                let link_weight =
                    Weight::new(weight).map_err(|_| Error::FoldInexact(id.clone()))?;
                let mut synthetic = Objective::new(member.clone(), FOLD_TITLE, home.level.clone())
                    .with_link(
                        Link::new(id.clone())
                            .with_weight(link_weight)
                            .contributes(true),
                    )
                    .with_key_result(KeyResult::new(measure.clone(), FOLD_TITLE).with_metric(
                        Metric::numeric(Decimal::ZERO, Decimal::ONE).with_current(guesses[0]),
                    ));
                synthetic.period.clone_from(&home.period);
                synthetic.visibility = home.visibility;
                synthetic.viewers.clone_from(&home.viewers);
                if !self.progress_from.counts_key_results() {
                    synthetic.progress_from = Some(crate::ProgressFrom::KeyResults);
                }
                members.push(synthetic);
                folds.push(Fold {
                    node: id,
                    index: node,
                    member,
                    measure,
                    folded: Folded {
                        members: count,
                        unit: common_divisor(&hidden_weights).unwrap_or(weight),
                        after,
                        fixed: None,
                    },
                    guesses,
                });
            }
        }
        document.objectives.extend(members);
        Ok(folds)
    }

    /// Makes a fold view's set show the true progress of every node its
    /// synthetic members fold into: each member counts as the inputs it
    /// folds, and each value is set to the first that gives its node the
    /// whole set's number (its guesses, else a bisection around the
    /// first, else a term of the member's own: see [`Self::solve`]). Nodes
    /// without a member follow: their inputs are the whole
    /// set's, with the whole set's numbers. A node solved before the one
    /// below it may need solving again, so this runs in rounds, at most
    /// one per member.
    fn fold(&mut self, whole: &OkrSet, folds: &[Fold]) -> Result<(), Error> {
        if folds.is_empty() {
            return Ok(());
        }
        // Each member counts as what it folds, in its group's terms.
        for fold in folds {
            let member = self.lookup(fold.member.as_str());
            if let Some(Node::Objective(o)) = member.and_then(|m| self.graph.node_weight_mut(m)) {
                o.detail.get_or_insert_with(Box::default).folded =
                    Some(Box::new(fold.folded.clone()));
            }
        }
        self.rebuild()?;
        for _ in 0..=folds.len() {
            let Some(inexact) = folds.iter().find(|fold| !self.shows_true(whole, fold)) else {
                return Ok(());
            };
            // Solving a node may need the nodes below it right first: a
            // failure counts only once a whole round has found nothing.
            let mut progressed = self.solve(whole, inexact)?;
            for fold in folds {
                if !self.shows_true(whole, fold) {
                    progressed |= self.solve(whole, fold)?;
                }
            }
            if !progressed {
                return Err(Error::FoldInexact(inexact.node.clone()));
            }
        }
        match folds.iter().find(|fold| !self.shows_true(whole, fold)) {
            Some(inexact) => Err(Error::FoldInexact(inexact.node.clone())),
            None => Ok(()),
        }
    }

    /// Whether a fold's node shows here what it shows in the whole set.
    fn shows_true(&self, whole: &OkrSet, fold: &Fold) -> bool {
        let here = self
            .lookup(fold.node.as_str())
            .and_then(|node| self.state.progress_of(node));
        here.is_some() && here == whole.state.progress_of(fold.index)
    }

    /// Sets a folded member's value. O(its ancestors).
    fn set_folded(&mut self, fold: &Fold, value: Decimal) -> Result<(), Error> {
        self.apply(Edit::SetMetric {
            id: fold.measure.clone(),
            metric: Some(Metric::numeric(Decimal::ZERO, Decimal::ONE).with_current(value)),
        })
        .map(|_| ())
    }

    /// The node's progress here with the member at `value`.
    fn folded_at(&mut self, fold: &Fold, value: Decimal) -> Result<Option<Decimal>, Error> {
        self.set_folded(fold, value)?;
        Ok(self
            .lookup(fold.node.as_str())
            .and_then(|node| self.state.progress_of(node)))
    }

    /// Gives a folded member a term of its own, added while it stands at
    /// `value` (see [`Folded::fixed`]), or takes it away (`None`), and
    /// returns its node's progress. O(the node's inputs + ancestors).
    fn fix_term(
        &mut self,
        fold: &Fold,
        fixed: Option<(Decimal, Decimal)>,
    ) -> Result<Option<Decimal>, Error> {
        let member = self
            .lookup(fold.member.as_str())
            .ok_or_else(|| Error::FoldInexact(fold.node.clone()))?;
        let slot = match self.graph.node_weight_mut(member) {
            Some(Node::Objective(o)) => o.detail.as_mut().and_then(|d| d.folded.as_mut()),
            _ => None,
        };
        let Some(folded) = slot else {
            return Err(Error::FoldInexact(fold.node.clone()));
        };
        if folded.fixed != fixed {
            folded.fixed = fixed;
            self.state.refold(&self.graph, member, &self.strategies);
        }
        Ok(self
            .lookup(fold.node.as_str())
            .and_then(|node| self.state.progress_of(node)))
    }

    /// Finds a value of the folded member that gives its node the whole
    /// set's number, if one does: the guesses first, then a bisection
    /// around the first; failing that, where the node adds weight × value,
    /// a term of the member's own, found the same way around weight × the
    /// closest guess, which the member then shows. Leaves what it found,
    /// or the first guess and no term of its own.
    fn solve(&mut self, whole: &OkrSet, fold: &Fold) -> Result<bool, Error> {
        let Some(target) = whole.state.progress_of(fold.index) else {
            return Ok(false);
        };
        // A term found in an earlier round is stale: its inputs moved.
        self.fix_term(fold, None)?;
        let mut closest: Option<(Decimal, Decimal)> = None;
        for &guess in &fold.guesses {
            let Some(at) = self.folded_at(fold, guess)? else {
                continue;
            };
            if at == target {
                return Ok(true);
            }
            let off = at.saturating_sub(target).abs();
            if closest.is_none_or(|(best, _)| off < best) {
                closest = Some((off, guess));
            }
        }
        let [first, _, _] = fold.guesses;
        let ceiling = self.cap.max(Decimal::ONE);
        let mut value_at = |set: &mut Self, value: Decimal| set.folded_at(fold, value);
        if self.bisect(target, first, ceiling, &mut value_at)? {
            return Ok(true);
        }
        let start = closest.map_or(first, |(_, guess)| guess);
        // The member's weight sums several hidden weights: weight × a
        // value of 28 places lands on multiples of that weight in the last
        // place, and their sum may lie between two of them. A term of its
        // own reaches every sum the whole set's terms can make.
        self.set_folded(fold, start)?;
        let member = self.lookup(fold.member.as_str());
        let Some(weight) = member.and_then(|m| self.state.folded_weight(m)) else {
            self.set_folded(fold, first)?;
            return Ok(false);
        };
        let (Some(term), Some(most)) = (weight.checked_mul(start), weight.checked_mul(ceiling))
        else {
            self.set_folded(fold, first)?;
            return Ok(false);
        };
        let mut term_at = |set: &mut Self, term: Decimal| set.fix_term(fold, Some((start, term)));
        if self.bisect(target, term, most, &mut term_at)? {
            return Ok(true);
        }
        self.fix_term(fold, None)?;
        self.set_folded(fold, first)?;
        Ok(false)
    }

    /// Looks for an `x` in `[0, ceiling]` at which `at` gives `target`,
    /// from `first`: a bracket grown from it by doubling steps of 10⁻²⁸
    /// until it holds the target, then a bisection (what `at` gives never
    /// falls as `x` rises). Leaves `at` applied to what it found, or to
    /// `first`. O(log₂ of the distance in units of 10⁻²⁸) calls of `at`.
    fn bisect(
        &mut self,
        target: Decimal,
        first: Decimal,
        ceiling: Decimal,
        at: &mut impl FnMut(&mut Self, Decimal) -> Result<Option<Decimal>, Error>,
    ) -> Result<bool, Error> {
        let Some(at_first) = at(self, first)? else {
            return Ok(false);
        };
        if at_first == target {
            return Ok(true);
        }
        let upward = at_first < target;
        // Grow a bracket from the first guess, by doubling steps, until it
        // holds the target: the output at `low` below it, at `high` above.
        let (mut low, mut high) = (first, first);
        let mut step = Decimal::new(1, 28);
        loop {
            let next = if upward {
                first.saturating_add(step).min(ceiling)
            } else {
                first.saturating_sub(step).max(Decimal::ZERO)
            };
            let Some(output) = at(self, next)? else {
                return Ok(false);
            };
            if output == target {
                return Ok(true);
            }
            match (upward, output > target) {
                (true, true) => {
                    high = next;
                    break;
                }
                (false, false) => {
                    low = next;
                    break;
                }
                (true, false) => low = next,
                (false, true) => high = next,
            }
            if next == ceiling || next.is_zero() {
                at(self, first)?;
                return Ok(false);
            }
            step = step.saturating_mul(Decimal::TWO);
        }
        // Bisect: the output at `low` is below the target, at `high` above.
        loop {
            let middle = low
                .saturating_add(high)
                .checked_div(Decimal::TWO)
                .unwrap_or(low);
            if middle <= low || middle >= high {
                at(self, first)?;
                return Ok(false);
            }
            let Some(output) = at(self, middle)? else {
                return Ok(false);
            };
            if output == target {
                return Ok(true);
            }
            if output < target {
                low = middle;
            } else {
                high = middle;
            }
        }
    }
}
