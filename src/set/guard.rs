//! Guards: the checks an edit or a document must pass before the set
//! changes (weights, links, owners, titles, closed periods).

use std::collections::HashSet;

use petgraph::Direction::Incoming;
use petgraph::stable_graph::{EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use rust_decimal::Decimal;

use super::OkrSet;
use crate::engine::graph::{EdgeKind, Node};
use crate::{Error, Id, NodeKind, Period, Weight};

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
            if !edge.weight().counts() {
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

    /// Checks that each closed period's grades name its own nodes. O(V).
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
