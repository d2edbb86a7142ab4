//! Values: the model values ([`Objective`], [`KeyResult`], [`Link`]) and
//! the [`Document`] rebuilt from the graph.

use petgraph::Direction::Outgoing;
use petgraph::stable_graph::{EdgeIndex, NodeIndex};

use super::{NodeRef, OkrSet};
use crate::engine::graph::{EdgeKind, Node};
use crate::{Document, KeyResult, Link, Objective, Visibility, Weight};

impl OkrSet {
    /// The set as a document, objectives in their order; loading it again
    /// gives an equal set. O(V + E).
    #[must_use]
    pub fn to_document(&self) -> Document {
        let mut document = self.settings_document();
        document.periods = self.periods.values().cloned().collect();
        document.objectives = self
            .objective_indices()
            .filter_map(|n| self.objective_value(n))
            .collect();
        document
    }

    /// The set's document as CSV: what
    /// [`to_document`](Self::to_document)`().`[`to_csv`](Document::to_csv)`()`
    /// gives, written objective by objective without building the whole
    /// [`Document`] first. O(V + E + text).
    ///
    /// # Errors
    /// None in practice, as for [`Document::to_csv`].
    ///
    /// # Example
    /// ```
    /// let set = okrs::OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
    /// assert_eq!(set.to_csv()?, set.to_document().to_csv()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(feature = "csv")]
    pub fn to_csv(&self) -> Result<String, crate::CsvError> {
        let mut settings = self.settings_document();
        settings.periods = self.periods.values().cloned().collect();
        settings.to_csv_with(
            self.objective_indices()
                .filter_map(|n| self.objective_value(n))
                .map(std::borrow::Cow::Owned),
        )
    }

    /// A document with the set's settings and no period or objective: what
    /// every document of the set (its own, a view's) starts from. O(levels
    /// + lint settings).
    pub(super) fn settings_document(&self) -> Document {
        let mut document = Document::new(self.alignment);
        document.strategy.clone_from(&self.strategy);
        document.levels = self.levels.clone();
        document.progress_cap = self.cap;
        document.progress_from = self.progress_from;
        document.overachievement = self.overachievement;
        document.time_zone.clone_from(&self.zone_name);
        document.confidence_scale = self.confidence_scale;
        document.status = self.status;
        document.lint = self.lint.clone();
        document
    }

    pub(super) fn link_value(&self, edge: EdgeIndex) -> Option<Link> {
        let (_, target) = self.graph.edge_endpoints(edge)?;
        let data = self.graph.edge_weight(edge)?;
        let EdgeKind::Link { stated, .. } = data.kind else {
            return None;
        };
        Some(Link {
            id: self.id_of(target),
            weight: data.weight,
            contributes: stated,
        })
    }

    pub(super) fn objective_value(&self, node: NodeIndex) -> Option<Objective> {
        let Some(Node::Objective(o)) = self.graph.node_weight(node) else {
            return None;
        };
        Some(Objective {
            id: o.id.clone(),
            title: self.titles.get(o.title).to_owned(),
            level: self.level_name(o.level),
            owners: o.owners().to_vec(),
            description: o.description().cloned(),
            commitment: o.commitment,
            strategy: o.strategy().cloned(),
            progress_from: o.progress_from,
            aligned_share: o.aligned_share(),
            period: o
                .period
                .and_then(|p| self.periods.get_index(p))
                .map(|(id, _)| id.clone()),
            carried_from: o.carried_from().cloned(),
            carried_to: o.carried_to().cloned(),
            visibility: if o.private().is_some() {
                Visibility::Private
            } else {
                Visibility::Public
            },
            viewers: o.private().map(<[String]>::to_vec).unwrap_or_default(),
            aligned_to: o.links.iter().filter_map(|&e| self.link_value(e)).collect(),
            key_results: o
                .key_results
                .iter()
                .filter_map(|&k| self.key_result_value(k))
                .collect(),
        })
    }

    pub(super) fn key_result_value(&self, node: NodeIndex) -> Option<KeyResult> {
        let Some(Node::KeyResult(k)) = self.graph.node_weight(node) else {
            return None;
        };
        let weight = self
            .graph
            .edges_directed(node, Outgoing)
            .next()
            .map_or(Weight::ONE, |e| e.weight().weight);
        Some(KeyResult {
            id: k.id.clone(),
            title: self.titles.get(k.title).to_owned(),
            owners: k.owners().to_vec(),
            weight,
            strategy: k.strategy_name().cloned(),
            description: k.description().cloned(),
            metric: k.metric.clone(),
            check_ins: k.check_ins().to_vec(),
            deleted_check_ins: k.deleted().to_vec(),
            phases: k.phases().to_vec(),
            key_results: k
                .key_results()
                .iter()
                .filter_map(|&c| self.key_result_value(c))
                .collect(),
            initiatives: k
                .initiatives()
                .iter()
                .filter_map(|&i| match self.graph.node_weight(i) {
                    Some(Node::Initiative(i)) => Some(i.clone()),
                    _ => None,
                })
                .collect(),
        })
    }
}

impl NodeRef<'_> {
    /// An objective as an owned model value, with its key results (and
    /// theirs, with initiatives and check-ins) and links: what a document
    /// holds for it. `None` for other nodes. O(size of the objective).
    ///
    /// # Example
    /// ```
    /// use okrs::OkrSet;
    /// let set = OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
    /// let objective = set.node("grow-bizops").and_then(|n| n.to_objective()).unwrap();
    /// assert_eq!(objective.key_results.len(), 3);
    /// # Ok::<(), okrs::LoadError>(())
    /// ```
    #[must_use]
    pub fn to_objective(&self) -> Option<Objective> {
        self.set.objective_value(self.index)
    }

    /// A key result as an owned model value, with its sub-key results,
    /// initiatives and check-ins. `None` for other nodes. O(size of the key
    /// result).
    #[must_use]
    pub fn to_key_result(&self) -> Option<KeyResult> {
        self.set.key_result_value(self.index)
    }
}
