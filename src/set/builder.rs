//! Loading: [`SetBuilder`] (custom strategies, scale and status policy)
//! and building a set from a document in one pass.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use petgraph::stable_graph::NodeIndex;
use rust_decimal::Decimal;

use super::OkrSet;
use super::edit::Insertion;
use super::lifecycle::validate;
use crate::engine::graph::{Graph, IdIndex, Titles};
use crate::engine::rollup::{State, Strategies};
use crate::{
    AggregationStrategy, Document, Error, GoogleScale, KeyResult, Link, Objective, Scale,
    StatusPolicy,
};

/// Sets up custom aggregation strategies, a scale and a status policy before a set is
/// loaded.
///
/// # Example
/// ```
/// use okrs::{AggregationStrategy, Contribution, Decimal, Document, OkrSet};
///
/// #[derive(Debug)]
/// struct Max;
/// impl AggregationStrategy for Max {
///     fn name(&self) -> &str { "max" }
///     fn aggregate(&self, c: &[Contribution]) -> Decimal {
///         c.iter().map(|c| c.progress.value()).max().unwrap_or_default()
///     }
/// }
/// let mut doc = Document::default();
/// doc.strategy = "max".into();
/// let set = OkrSet::builder().strategy(Max).build(doc)?;
/// assert_eq!(set.strategy(), "max");
/// # Ok::<(), okrs::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SetBuilder {
    strategies: Strategies,
    scale: Arc<dyn Scale>,
    /// `None`: the document's status settings, a [`GapPolicy`].
    status_policy: Option<Arc<dyn StatusPolicy>>,
    /// `None`: the machine's parallelism, at most [`DEFAULT_THREADS`].
    threads: Option<usize>,
}

/// The most threads a JSON load uses unless told otherwise: a load's
/// parts beyond the first wait, parsed, until the calling thread adds
/// them, so each thread more holds more of the document at once, while
/// adding them and the checks after stay on one thread.
const DEFAULT_THREADS: usize = 2;

impl Default for SetBuilder {
    fn default() -> Self {
        Self {
            strategies: Strategies::default(),
            scale: Arc::new(GoogleScale::default()),
            status_policy: None,
            threads: None,
        }
    }
}

impl SetBuilder {
    /// A builder with a set's strategies, scale and status policy.
    pub(super) fn like(set: &OkrSet) -> Self {
        Self {
            strategies: set.strategies.clone(),
            scale: Arc::clone(&set.scale),
            status_policy: Some(Arc::clone(&set.status_policy)),
            threads: set.threads,
        }
    }

    /// Registers an aggregation strategy under its [`name`](AggregationStrategy::name);
    /// a strategy named like a built-in replaces it. O(1).
    #[must_use]
    pub fn strategy(mut self, strategy: impl AggregationStrategy + 'static) -> Self {
        self.strategies.register(Arc::new(strategy));
        self
    }

    /// Replaces the scale that bands progress (default [`GoogleScale`]).
    /// O(1).
    #[must_use]
    pub fn scale(mut self, scale: impl Scale + 'static) -> Self {
        self.scale = Arc::new(scale);
        self
    }

    /// The old name of [`scale`](Self::scale).
    #[deprecated(since = "0.2.0", note = "renamed to `scale`")]
    #[must_use]
    pub fn grading_scale(self, scale: impl Scale + 'static) -> Self {
        self.scale(scale)
    }

    /// Replaces the status policy (default: the [`GapPolicy`](crate::GapPolicy) the
    /// document's `"status"` settings describe, which it then overrides).
    /// O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{Document, GapPolicy, ObjectiveStatusRule, OkrSet};
    /// let perdoo = GapPolicy::default().with_objective_rule(ObjectiveStatusRule::WeakestKeyResult);
    /// let set = OkrSet::builder().status_policy(perdoo).build(Document::default())?;
    /// # Ok::<(), okrs::Error>(())
    /// ```
    #[must_use]
    pub fn status_policy(mut self, policy: impl StatusPolicy + 'static) -> Self {
        self.status_policy = Some(Arc::new(policy));
        self
    }

    /// The most threads a load ([`from_json`](Self::from_json) or
    /// [`build`](Self::build)) and the set's reports may use (`0` and
    /// `1`: the calling thread only). By default they use the machine's
    /// [available parallelism](std::thread::available_parallelism), at
    /// most two threads. O(1).
    ///
    /// - A large JSON document laid out as the writers here lay it out
    ///   (one objective per block, indented alike) is cut between
    ///   objectives, at least 256 KiB per part, and each part parsed on its
    ///   own thread; the objectives are still added and checked in
    ///   document order on the calling thread.
    /// - A set of 32k nodes or more works out its key results' own
    ///   progress on a second thread while the first compiles the roll-up;
    ///   [`lint`](OkrSet::lint) runs its rules in two groups, one on each
    ///   thread; [`to_markdown`](OkrSet::to_markdown) lints on one thread
    ///   while the other reviews and writes what shows the review;
    ///   [`to_text`](OkrSet::to_text) reviews on both, then writes while
    ///   lint counts its findings.
    /// - [`review`](OkrSet::review) and
    ///   [`review_json`](OkrSet::review_json), from 8k nodes, read half of
    ///   the nodes on each thread, then roll plans up beside forecasts and
    ///   work out bands and statuses beside confidences.
    ///
    /// The set, every error and every report are the same with any number
    /// of threads; a set keeps the setting for the sets made from it
    /// (views, reloads). The threads end before the call returns.
    ///
    /// # Example
    /// ```
    /// use okrs::OkrSet;
    /// let text = okrs::sample::SAMPLE_JSON;
    /// let one = OkrSet::builder().threads(1).from_json(text)?;
    /// let four = OkrSet::builder().threads(4).from_json(text)?;
    /// assert_eq!(one, four);
    /// # Ok::<(), okrs::LoadError>(())
    /// ```
    #[must_use]
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// How many threads a load cut into at most `parts` may use. O(1);
    /// asks the system only when there are two parts or more.
    #[cfg(feature = "json")]
    pub(super) fn threads_for(&self, parts: usize) -> usize {
        Self::allowed(self.threads, parts)
    }

    /// How many threads work cut into at most `parts` may use, with at
    /// most `threads` (`None`: the default). O(1); asks the system only
    /// when there are two parts or more.
    pub(super) fn allowed(threads: Option<usize>, parts: usize) -> usize {
        let most = threads.unwrap_or_else(|| {
            if parts < 2 {
                return 1;
            }
            std::thread::available_parallelism().map_or(1, |n| n.get().min(DEFAULT_THREADS))
        });
        most.min(parts).max(1)
    }

    /// Validates a document and builds the set.
    ///
    /// # Errors
    /// The first [`Error`] found: a duplicate id, an empty title, an unknown
    /// level, strategy or time zone, an invalid metric, weights that all weigh zero, a
    /// link the alignment model forbids, a cycle (with its path), …
    ///
    /// Complexity: O(V + E) for V nodes and E links, plus O(L) per link for
    /// the duplicate check (L = that objective's links).
    pub fn build(self, document: Document) -> Result<OkrSet, Error> {
        self.assemble(document, true)
    }

    /// [`build`](Self::build), checking weights only with `weigh` (a view
    /// leaves them out: the part of a valid set a viewer sees may weigh
    /// zero where the hidden part did not).
    pub(super) fn assemble(self, mut document: Document, weigh: bool) -> Result<OkrSet, Error> {
        let size = DocumentSize::of(&document);
        let objectives = std::mem::take(&mut document.objectives);
        let mut loading = self.start(document, &size)?;
        for objective in objectives {
            loading.add(objective)?;
        }
        loading.finish(weigh)
    }

    /// The set with the document's settings and no objectives yet, its
    /// storage sized for `size`. The document's objectives are ignored
    /// (the caller adds them one by one).
    pub(super) fn start(self, document: Document, size: &DocumentSize) -> Result<Loading, Error> {
        if document.progress_cap < Decimal::ONE {
            return Err(Error::InvalidProgressCap(document.progress_cap));
        }
        if let Some(rule) = document.lint.unknown_rule() {
            return Err(Error::UnknownRule(rule.to_owned()));
        }
        let default_strategy =
            self.strategies
                .find(&document.strategy)
                .ok_or_else(|| Error::UnknownStrategy {
                    name: document.strategy.clone(),
                    objective: None,
                })?;
        if self.strategies.sums_values(default_strategy) {
            return Err(Error::MisplacedStrategy {
                name: document.strategy,
                id: None,
            });
        }
        let zone = match &document.time_zone {
            None => jiff::tz::TimeZone::UTC,
            Some(name) => {
                crate::time_zone(name).ok_or_else(|| Error::UnknownTimeZone(name.clone()))?
            }
        };
        let status_policy = self
            .status_policy
            .unwrap_or_else(|| Arc::new(document.status));
        let mut set = OkrSet {
            alignment: document.alignment,
            strategy: document.strategy,
            default_strategy,
            levels: document.levels,
            cap: document.progress_cap,
            progress_from: document.progress_from,
            overachievement: document.overachievement,
            zone,
            zone_name: document.time_zone,
            confidence_scale: document.confidence_scale,
            status: document.status,
            graph: Graph::with_capacity(size.nodes, size.edges),
            titles: Titles::with_capacity(size.title_bytes),
            index: IdIndex::default(),
            objectives: Vec::with_capacity(size.objectives),
            added: Vec::new(),
            strategies: self.strategies,
            scale: self.scale,
            status_policy,
            periods: validate(document.periods)?,
            grades: HashMap::new(),
            lint: document.lint,
            state: State::default(),
            deferring: false,
            stale: false,
            threads: self.threads,
        };
        set.index.reserve(&set.graph, size.ids);
        set.index_grades();
        Ok(Loading {
            pending_links: Vec::with_capacity(size.objectives),
            set,
        })
    }
    /// Reads a JSON document and builds the set.
    ///
    /// # Errors
    /// [`LoadError::Parse`](crate::LoadError::Parse) for text that is not an
    /// `okrs/1` document, [`LoadError::Invalid`](crate::LoadError::Invalid)
    /// for a model the rules refuse.
    ///
    /// Complexity: O(length of the text + V + E). A document with its
    /// settings before `"objectives"` (as every writer here puts them) is
    /// built as it is parsed, objective by objective, without holding a
    /// [`Document`] of the whole set; any other, and an invalid one, is
    /// parsed once more into a [`Document`] first.
    #[cfg(feature = "json")]
    pub fn from_json(self, text: &str) -> Result<OkrSet, crate::LoadError> {
        if let Some(set) = super::stream::from_json(self.clone(), text) {
            return Ok(set);
        }
        Ok(self.build(Document::from_json(text)?)?)
    }
}

/// A set being loaded: objectives added one at a time (in document
/// order, each checked as it comes), their links held back until every
/// objective is in, since a link may name one further down.
pub(super) struct Loading {
    set: OkrSet,
    pending_links: Vec<(NodeIndex, Vec<Link>)>,
}

impl Loading {
    /// Whether no objective has been added. O(1).
    #[cfg(feature = "json")]
    pub(super) fn is_empty(&self) -> bool {
        self.pending_links.is_empty()
    }

    /// Checks and adds one objective with its key results; its links wait
    /// for [`finish`](Self::finish). O(its nodes).
    pub(super) fn add(&mut self, mut objective: Objective) -> Result<(), Error> {
        let links = std::mem::take(&mut objective.aligned_to);
        let node = self.set.insert_objective(objective)?;
        self.pending_links.push((node, links));
        Ok(())
    }

    /// Adds the held-back links, checks weights (with `weigh`) and
    /// closures, and rolls the set up. O(V + E), plus O(L) per link for
    /// the duplicate check (L = that objective's links).
    pub(super) fn finish(self, weigh: bool) -> Result<OkrSet, Error> {
        let Self {
            mut set,
            pending_links,
        } = self;
        let mut targets = HashSet::new();
        for (from, links) in pending_links {
            targets.clear();
            let several = links.len() > 1;
            for link in links {
                // The link before it with the same target passed every
                // other check, so a repeat fails first on being one.
                if several && !targets.insert(link.id.clone()) {
                    return Err(Error::DuplicateLink {
                        from: set.id_of(from),
                        target: link.id,
                    });
                }
                set.insert_link(from, link, Insertion::Load)?;
            }
        }
        let nodes: Vec<NodeIndex> = set.graph.node_indices().collect();
        for node in nodes {
            if weigh {
                set.check_weights(node, None)?;
            }
        }
        set.check_closures()?;
        // Storage that grew by doubling (a streamed load) gives back its
        // unused half; exactly sized storage is left as it is.
        set.graph.shrink_to_fit();
        set.titles.shrink_to_fit();
        set.added = Vec::new();
        let threads = set.threads_for_nodes(set.graph.node_count(), super::THREAD_NODES);
        set.rebuild_on(threads)?;
        Ok(set)
    }
}

/// How much a document makes, to allocate the set's storage once.
#[derive(Debug, Default)]
pub(super) struct DocumentSize {
    /// The id index's capacity (`nodes` when the document is known).
    ids: usize,
    objectives: usize,
    nodes: usize,
    edges: usize,
    title_bytes: usize,
}

impl DocumentSize {
    /// For a document not yet read: only the id index is sized, from a
    /// guess on the high side (a node takes 200 to 450 bytes of the JSON
    /// the writers here produce), since growing it means rehashing, which
    /// reads every node's id again; an index slot is 5 bytes. The rest
    /// grows as the objectives come and is trimmed at the end.
    #[cfg(feature = "json")]
    pub(super) fn guess(text_bytes: usize) -> Self {
        Self {
            ids: text_bytes / 160,
            ..Self::default()
        }
    }

    /// O(nodes), iterative.
    pub(super) fn of(document: &Document) -> Self {
        let mut size = Self {
            ids: 0,
            objectives: document.objectives.len(),
            nodes: 0,
            edges: 0,
            title_bytes: 0,
        };
        let mut key_results: Vec<&KeyResult> = Vec::new();
        for objective in &document.objectives {
            size.nodes += 1;
            size.edges += objective.aligned_to.len();
            size.title_bytes += objective.title.len();
            key_results.extend(&objective.key_results);
        }
        while let Some(key_result) = key_results.pop() {
            size.nodes += 1 + key_result.initiatives.len();
            size.edges += 1 + key_result.initiatives.len();
            size.title_bytes += key_result.title.len();
            key_results.extend(&key_result.key_results);
        }
        size.ids = size.nodes;
        size
    }
}
