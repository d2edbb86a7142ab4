//! Guards: the checks an edit or a document must pass before the set
//! changes (weights, links, owners, titles, closed periods).

use std::collections::HashSet;

use petgraph::Direction::Incoming;
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use rust_decimal::Decimal;

use super::OkrSet;
use crate::engine::graph::{EdgeKind, Node, strategy_of};
use crate::engine::rollup::counted;
use crate::{AlignmentModel, Error, Id, Metric, NodeKind, Period, Visibility, Weight};

impl OkrSet {
    /// Checks the weights of every node the edit in progress inserted.
    pub(super) fn check_weights_of_added(&self) -> Result<(), Error> {
        self.added
            .iter()
            .try_for_each(|&node| self.check_weights(node, None))
    }

    /// Refuses when every contribution to `node` would weigh zero, or their
    /// sum would overflow, after optionally re-weighing (or, with `None`,
    /// dropping) one incoming edge. O(in-degree).
    pub(super) fn check_weights(
        &self,
        node: NodeIndex,
        change: Option<(EdgeIndex, Option<Weight>)>,
    ) -> Result<(), Error> {
        let mut any = false;
        let mut sum = Some(Decimal::ZERO);
        for edge in self.graph.edges_directed(node, Incoming) {
            if !counted(&self.graph, edge.weight().kind, node, self.progress_from) {
                continue;
            }
            let weight = match change {
                Some((changed, replacement)) if changed == edge.id() => match replacement {
                    Some(w) => w,
                    None => continue,
                },
                _ => edge.weight().weight,
            };
            any = true;
            sum = sum.and_then(|s| s.checked_add(weight.value()));
        }
        match sum {
            _ if !any => Ok(()),
            None => Err(Error::WeightOverflow(self.id_of(node))),
            Some(s) if s.is_zero() => Err(Error::AllWeightsZero(self.id_of(node))),
            Some(_) => Ok(()),
        }
    }

    /// Whether a link from `from` carries progress: as stated, else as the
    /// alignment model says; never from an objective carried forward (its
    /// copy took its contribution over). O(1).
    pub(super) fn contributes(&self, from: NodeIndex, stated: Option<bool>) -> bool {
        let carried = match self.graph.node_weight(from) {
            Some(Node::Objective(o)) => o.carried_to().is_some(),
            _ => false,
        };
        !carried && stated.unwrap_or(self.alignment.contributes_by_default())
    }

    /// Whether a key result is measured on its own (a metric, sub-key
    /// results, or `sum-of-values`), so that no objective may contribute
    /// to it. O(1).
    pub(super) fn measured_on_its_own(&self, node: NodeIndex) -> bool {
        match self.graph.node_weight(node) {
            Some(Node::KeyResult(k)) => {
                k.metric.is_some()
                    || !k.key_results().is_empty()
                    || self.strategies.sums_values(strategy_of(&self.graph, node))
            }
            _ => false,
        }
    }

    /// Checks a `sum-of-values` key result (other nodes pass): no metric of
    /// its own, every sub-key result (but `skip`, about to go) numeric, no
    /// two units that differ, and the counted ones' (weight > 0) targets
    /// not summing to their starts. O(sub-key results).
    pub(super) fn check_sum(&self, node: NodeIndex, skip: Option<NodeIndex>) -> Result<(), Error> {
        let Some(Node::KeyResult(k)) = self.graph.node_weight(node) else {
            return Ok(());
        };
        if !self.strategies.sums_values(strategy_of(&self.graph, node)) {
            return Ok(());
        }
        if k.metric.is_some() {
            return Err(Error::MisplacedStrategy {
                name: crate::engine::rollup::SUM_OF_VALUES.to_owned(),
                id: Some(k.id.clone()),
            });
        }
        let children: Vec<NodeIndex> = k
            .key_results()
            .iter()
            .copied()
            .filter(|&c| Some(c) != skip)
            .collect();
        let metric = |c: NodeIndex| match self.graph.node_weight(c) {
            Some(Node::KeyResult(child)) => child.metric.as_ref(),
            _ => None,
        };
        let not_numeric: Vec<Id> = children
            .iter()
            .filter(|&&c| !matches!(metric(c), Some(Metric::Numeric { .. })))
            .map(|&c| self.id_of(c))
            .collect();
        if !not_numeric.is_empty() {
            return Err(Error::SumOfNonNumeric {
                key_result: k.id.clone(),
                sub_key_results: not_numeric,
            });
        }
        let mut first_unit: Option<(NodeIndex, &String)> = None;
        let mut distance = Some(rust_decimal::Decimal::ZERO);
        let mut counted_children = Vec::new();
        for &c in &children {
            let Some(Metric::Numeric {
                start,
                target,
                unit,
                ..
            }) = metric(c)
            else {
                continue;
            };
            if let Some(unit) = unit {
                match first_unit {
                    Some((first, seen)) if seen != unit => {
                        return Err(Error::SumOfMixedUnits {
                            key_result: k.id.clone(),
                            sub_key_results: vec![self.id_of(first), self.id_of(c)],
                        });
                    }
                    Some(_) => {}
                    None => first_unit = Some((c, unit)),
                }
            }
            let weight = self
                .parent_edge(c)
                .and_then(|(e, _)| self.graph.edge_weight(e))
                .map_or(Weight::ONE, |e| e.weight);
            if !weight.is_zero() {
                counted_children.push(c);
                distance = distance.and_then(|d| d.checked_add(target.checked_sub(*start)?));
            }
        }
        if !counted_children.is_empty() && distance.is_some_and(|d| d.is_zero()) {
            return Err(Error::SumWithoutDistance {
                key_result: k.id.clone(),
                sub_key_results: counted_children
                    .into_iter()
                    .map(|c| self.id_of(c))
                    .collect(),
            });
        }
        Ok(())
    }

    pub(super) fn refuse_contributing_links(&self, key_result: NodeIndex) -> Result<(), Error> {
        let contributing = self.graph.edges_directed(key_result, Incoming).find(|e| {
            matches!(
                e.weight().kind,
                EdgeKind::Link {
                    contributes: true,
                    ..
                }
            )
        });
        match contributing {
            Some(edge) => Err(Error::ContributesToMeasuredKeyResult {
                from: self.id_of(edge.source()),
                target: self.id_of(key_result),
            }),
            None => Ok(()),
        }
    }

    pub(super) fn refuse_if_linked(&self, subtree: &[NodeIndex]) -> Result<(), Error> {
        for &node in subtree {
            let link = self
                .graph
                .edges_directed(node, Incoming)
                .find(|e| matches!(e.weight().kind, EdgeKind::Link { .. }));
            if let Some(edge) = link {
                return Err(Error::StillLinked {
                    id: self.id_of(node),
                    by: self.id_of(edge.source()),
                });
            }
        }
        Ok(())
    }

    pub(super) fn find_link(
        &self,
        from: &str,
        target: &str,
    ) -> Result<(EdgeIndex, NodeIndex), Error> {
        let from_index = self.expect_kind(from, NodeKind::Objective)?;
        let unknown = || Error::UnknownLink {
            from: self.id_of(from_index),
            target: Id::unchecked(target),
        };
        let target_index = self.lookup(target).ok_or_else(unknown)?;
        let edge = self
            .graph
            .find_edge(from_index, target_index)
            .ok_or_else(unknown)?;
        Ok((edge, target_index))
    }

    /// Refuses a visibility the set's model does not allow: a private
    /// objective under transparency, viewers on a public one. O(1).
    pub(super) fn check_visibility(
        &self,
        id: &Id,
        visibility: Visibility,
        viewers: &[String],
    ) -> Result<(), Error> {
        if visibility.is_public() {
            if !viewers.is_empty() {
                return Err(Error::ViewersOnPublic(id.clone()));
            }
        } else if self.alignment == AlignmentModel::Transparency {
            return Err(Error::PrivateUnderTransparency(id.clone()));
        }
        Ok(())
    }

    /// Refuses an edit of a node whose period is closed. O(periods).
    pub(super) fn refuse_if_closed(&self, node: NodeIndex) -> Result<(), Error> {
        // Spares a check-in the read of its objective while nothing is closed.
        if !self.periods.values().any(Period::is_closed) {
            return Ok(());
        }
        let Some(period) = self.period_of(node) else {
            return Ok(());
        };
        if period.is_closed() {
            return Err(Error::PeriodClosed {
                period: period.id.clone(),
                id: self.id_of(node),
            });
        }
        Ok(())
    }

    /// Checks that each closed period's grades name its own nodes, and
    /// that their scores lie within the cap and give a reason. (The
    /// closings a reopened period keeps are history, taken as they are.)
    /// O(V).
    pub(super) fn check_closures(&self) -> Result<(), Error> {
        for (index, period) in self.periods.values().enumerate() {
            let Some(closure) = &period.closed else {
                continue;
            };
            let mut seen = HashSet::new();
            for grade in &closure.grades {
                let belongs = self.lookup(grade.id.as_str()).is_some_and(|n| {
                    self.period_index_of(n) == Some(index)
                        && !matches!(self.graph.node_weight(n), Some(Node::Initiative(_)))
                });
                if !belongs || !seen.insert(&grade.id) {
                    return Err(Error::GradeOfUnknownNode {
                        period: period.id.clone(),
                        id: grade.id.clone(),
                    });
                }
                if let Some(score) = grade.score {
                    super::lifecycle::check_score(
                        &grade.id,
                        score,
                        grade.reason.as_ref(),
                        self.cap,
                    )?;
                }
            }
        }
        Ok(())
    }
}

pub(super) fn require_owners(id: &Id, owners: &[String]) -> Result<(), Error> {
    if owners.iter().any(|o| o.trim().is_empty()) {
        Err(Error::EmptyOwner(id.clone()))
    } else {
        Ok(())
    }
}

/// An empty optional text means the same as none: keep one of the two, so
/// that every format round-trips it.
pub(super) fn non_empty(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.is_empty())
}

pub(super) fn require_title(id: &Id, title: &str) -> Result<(), Error> {
    if title.trim().is_empty() {
        Err(Error::EmptyTitle(id.clone()))
    } else {
        Ok(())
    }
}
