//! Updates of what the structure carries: titles, descriptions, owners,
//! commitment, level, period, initiatives and their status, moving a link,
//! and adding, removing and reopening periods. Each checks everything
//! first and changes nothing on error; none but moving a link recompiles
//! the plan.

use petgraph::Direction::Incoming;
use petgraph::visit::EdgeRef;

use super::OkrSet;
use super::guard::{non_empty, require_owners, require_title};
use super::lifecycle::validate;
use crate::engine::graph::{self, EdgeKind, Node};
use rust_decimal::Decimal;

use crate::{
    Commitment, Error, Id, Initiative, InitiativeStatus, Link, NodeKind, Period, ProgressFrom,
    Visibility,
};

impl OkrSet {
    /// Renames an objective, key result or initiative. O(title), plus an
    /// occasional O(V) compaction of the title text.
    pub(super) fn retitle(&mut self, id: &Id, title: String) -> Result<(), Error> {
        let node = self
            .lookup(id.as_str())
            .ok_or_else(|| Error::UnknownNode(id.clone()))?;
        self.refuse_if_closed(node)?;
        require_title(id, &title)?;
        let stored = match self.graph.node_weight(node) {
            Some(Node::Initiative(_)) => None,
            _ => Some(
                self.titles
                    .add(&title)
                    .ok_or_else(|| Error::TitlesFull(id.clone()))?,
            ),
        };
        let released = match self.graph.node_weight_mut(node) {
            Some(Node::Objective(o)) => stored.map(|t| std::mem::replace(&mut o.title, t)),
            Some(Node::KeyResult(k)) => stored.map(|t| std::mem::replace(&mut k.title, t)),
            Some(Node::Initiative(i)) => {
                i.title = title;
                None
            }
            None => None,
        };
        if let Some(old) = released {
            self.titles.release(old);
            graph::compact_titles(&mut self.graph, &mut self.titles);
        }
        Ok(())
    }

    /// Sets or clears an objective's or key result's description. O(1).
    pub(super) fn describe(&mut self, id: &Id, description: Option<String>) -> Result<(), Error> {
        let node = self
            .lookup(id.as_str())
            .ok_or_else(|| Error::UnknownNode(id.clone()))?;
        self.refuse_if_closed(node)?;
        let description = non_empty(description);
        match self.graph.node_weight_mut(node) {
            Some(Node::Objective(o)) => o.detail_mut().description = description,
            Some(Node::KeyResult(k)) => k.detail_mut().description = description,
            _ => {
                return Err(Error::WrongKind {
                    id: id.clone(),
                    expected: "an objective or a key result",
                });
            }
        }
        self.tidy_detail(node);
        Ok(())
    }

    /// Replaces a node's owners. O(owners).
    pub(super) fn reassign(&mut self, id: &Id, owners: Vec<String>) -> Result<(), Error> {
        let node = self
            .lookup(id.as_str())
            .ok_or_else(|| Error::UnknownNode(id.clone()))?;
        self.refuse_if_closed(node)?;
        require_owners(id, &owners)?;
        match self.graph.node_weight_mut(node) {
            Some(Node::Objective(o)) => o.detail_mut().owners = owners,
            Some(Node::KeyResult(k)) => k.detail_mut().owners = owners,
            Some(Node::Initiative(i)) => i.owners = owners,
            None => {}
        }
        self.tidy_detail(node);
        Ok(())
    }

    /// Makes an objective public or private, keeping every link to and
    /// from it honest: a public objective may not align to a private one.
    /// O(key results + links).
    pub(super) fn set_visibility(
        &mut self,
        id: &Id,
        visibility: Visibility,
        viewers: Vec<String>,
    ) -> Result<(), Error> {
        let node = self.expect_kind(id.as_str(), NodeKind::Objective)?;
        self.refuse_if_closed(node)?;
        self.check_visibility(id, visibility, &viewers)?;
        if visibility.is_public() {
            // Its own links may then reach only public objectives.
            for edge in self.graph.edges(node) {
                if matches!(edge.weight().kind, EdgeKind::Link { .. })
                    && self.is_private(edge.target())
                {
                    return Err(Error::PublicAlignedToPrivate {
                        from: id.clone(),
                        target: self.id_of(edge.target()),
                    });
                }
            }
        } else {
            // Public objectives aligned to it or its key results would
            // reveal it.
            for member in self.subtree(node) {
                for edge in self.graph.edges_directed(member, Incoming) {
                    if matches!(edge.weight().kind, EdgeKind::Link { .. })
                        && !self.is_private(edge.source())
                    {
                        return Err(Error::PublicAlignedToPrivate {
                            from: self.id_of(edge.source()),
                            target: self.id_of(member),
                        });
                    }
                }
            }
        }
        if let Some(Node::Objective(o)) = self.graph.node_weight_mut(node) {
            o.detail_mut().private = (!visibility.is_public()).then_some(viewers);
        }
        self.tidy_detail(node);
        Ok(())
    }

    /// Sets an objective's commitment. O(1).
    pub(super) fn commit(&mut self, id: &Id, commitment: Commitment) -> Result<(), Error> {
        let node = self.expect_kind(id.as_str(), NodeKind::Objective)?;
        self.refuse_if_closed(node)?;
        if let Some(Node::Objective(o)) = self.graph.node_weight_mut(node) {
            o.commitment = commitment;
        }
        Ok(())
    }

    /// Sets what an objective counts (`progress_from`) and its aligned
    /// group's share, then recompiles the plan. O(V + E).
    pub(super) fn count_from(
        &mut self,
        id: &Id,
        from: Option<ProgressFrom>,
        share: Option<Decimal>,
    ) -> Result<(), Error> {
        let node = self.expect_kind(id.as_str(), NodeKind::Objective)?;
        self.refuse_if_closed(node)?;
        if let Some(share) = share.filter(|s| *s < Decimal::ZERO || *s > Decimal::ONE) {
            return Err(Error::InvalidAlignedShare {
                objective: id.clone(),
                share,
            });
        }
        let set = |set: &mut Self, from: Option<ProgressFrom>, share: Option<Decimal>| {
            let before = match set.graph.node_weight_mut(node) {
                Some(Node::Objective(o)) => {
                    let before = (o.progress_from, o.aligned_share());
                    o.progress_from = from;
                    o.detail_mut().aligned_share = share;
                    before
                }
                _ => (None, None),
            };
            set.tidy_detail(node);
            before
        };
        let (old_from, old_share) = set(self, from, share);
        // Counting another group may leave only zero weights.
        if let Err(error) = self.check_weights(node, None) {
            set(self, old_from, old_share);
            return Err(error);
        }
        self.rebuild()
    }

    /// Moves an objective (and its key results) to another level, checking
    /// that every link to and from them still points up or across.
    /// O(key results + links).
    pub(super) fn relevel(&mut self, id: &Id, level: &str) -> Result<(), Error> {
        let node = self.expect_kind(id.as_str(), NodeKind::Objective)?;
        self.refuse_if_closed(node)?;
        let rank = self.levels.rank(level).ok_or_else(|| Error::UnknownLevel {
            objective: id.clone(),
            level: level.to_owned(),
        })?;
        let members: Vec<_> = self
            .subtree(node)
            .into_iter()
            .filter(|&n| !matches!(self.graph.node_weight(n), Some(Node::Initiative(_))))
            .collect();
        // Its own links may not point down from the new level.
        for edge in self.graph.edges(node) {
            if !matches!(edge.weight().kind, EdgeKind::Link { .. }) {
                continue;
            }
            let target_level = self.graph.node_weight(edge.target()).and_then(Node::level);
            if let Some(target_level) = target_level.filter(|&t| t > rank) {
                return Err(Error::LinkToLowerLevel {
                    from: id.clone(),
                    from_level: level.to_owned(),
                    target: self.id_of(edge.target()),
                    target_level: self.level_name(target_level),
                });
            }
        }
        // Links to it or its key results may not point down to it.
        for &member in &members {
            for edge in self.graph.edges_directed(member, Incoming) {
                if !matches!(edge.weight().kind, EdgeKind::Link { .. }) {
                    continue;
                }
                let source_level = self.graph.node_weight(edge.source()).and_then(Node::level);
                if let Some(source_level) = source_level.filter(|&s| s < rank) {
                    return Err(Error::LinkToLowerLevel {
                        from: self.id_of(edge.source()),
                        from_level: self.level_name(source_level),
                        target: self.id_of(member),
                        target_level: level.to_owned(),
                    });
                }
            }
        }
        let key_result_rank = crate::invariant::to_u32(rank);
        for member in members {
            match self.graph.node_weight_mut(member) {
                Some(Node::Objective(o)) => o.level = rank,
                Some(Node::KeyResult(k)) => k.level = key_result_rank,
                _ => {}
            }
        }
        Ok(())
    }

    /// Sets or clears the period an objective is set for, checking its key
    /// results' check-ins and phases against it. O(size of the objective).
    pub(super) fn reperiod(&mut self, id: &Id, period: Option<&Id>) -> Result<(), Error> {
        let node = self.expect_kind(id.as_str(), NodeKind::Objective)?;
        self.refuse_if_closed(node)?;
        let index = match period {
            None => None,
            Some(period) => {
                let (index, _, found) =
                    self.periods
                        .get_full(period)
                        .ok_or_else(|| Error::UnknownPeriod {
                            period: period.clone(),
                            by: id.clone(),
                        })?;
                if found.is_closed() {
                    return Err(Error::PeriodClosed {
                        period: period.clone(),
                        id: id.clone(),
                    });
                }
                Some(index)
            }
        };
        let before = match self.graph.node_weight_mut(node) {
            Some(Node::Objective(o)) => std::mem::replace(&mut o.period, index),
            _ => None,
        };
        let checked = self.subtree(node).into_iter().try_for_each(|member| {
            let Some(Node::KeyResult(k)) = self.graph.node_weight(member) else {
                return Ok(());
            };
            self.check_dates(&k.id, node, k.check_ins(), k.phases())
        });
        if checked.is_err() {
            if let Some(Node::Objective(o)) = self.graph.node_weight_mut(node) {
                o.period = before;
            }
        }
        checked
    }

    /// Sets where an initiative stands. O(1).
    pub(super) fn restatus(&mut self, id: &Id, status: InitiativeStatus) -> Result<(), Error> {
        let node = self.expect_kind(id.as_str(), NodeKind::Initiative)?;
        self.refuse_if_closed(node)?;
        if let Some(Node::Initiative(i)) = self.graph.node_weight_mut(node) {
            i.status = status;
        }
        Ok(())
    }

    /// Adds an initiative to a key result. O(1) average.
    pub(super) fn add_initiative(
        &mut self,
        key_result: &Id,
        initiative: Initiative,
    ) -> Result<(), Error> {
        let parent = self.expect_kind(key_result.as_str(), NodeKind::KeyResult)?;
        self.refuse_if_closed(parent)?;
        if self.contains(initiative.id.as_str()) {
            return Err(Error::DuplicateId(initiative.id));
        }
        require_title(&initiative.id, &initiative.title)?;
        require_owners(&initiative.id, &initiative.owners)?;
        let child = self.add_node(Node::Initiative(initiative))?;
        self.added.clear();
        self.graph.add_edge(
            child,
            parent,
            graph::Edge {
                kind: EdgeKind::Initiative,
                weight: crate::Weight::ZERO,
            },
        );
        if let Some(Node::KeyResult(k)) = self.graph.node_weight_mut(parent) {
            k.detail_mut().initiatives.push(child);
        }
        Ok(())
    }

    /// Removes an initiative. O(initiatives of its key result).
    pub(super) fn remove_initiative(&mut self, id: &Id) -> Result<(), Error> {
        let node = self.expect_kind(id.as_str(), NodeKind::Initiative)?;
        self.refuse_if_closed(node)?;
        if let Some((_, parent)) = self.parent_edge(node) {
            if let Some(Node::KeyResult(k)) = self.graph.node_weight_mut(parent) {
                k.detail_mut().initiatives.retain(|&n| n != node);
            }
            self.tidy_detail(parent);
        }
        self.remove_nodes(&[node]);
        Ok(())
    }

    /// Moves a link from one target to another in one step, keeping its
    /// weight and `contributes`. Incremental, like adding and removing a
    /// link: the removal's checks run first, then the new link is added
    /// (levels, cycles, weights at the new target), then the old one
    /// removed; a removal refused after all takes the new link out again.
    pub(super) fn move_link(&mut self, from: &Id, target: &Id, to: &Id) -> Result<(), Error> {
        let (edge, target_index) = self.find_link(from.as_str(), target.as_str())?;
        let link = self
            .link_value(edge)
            .ok_or_else(|| Error::UnknownNode(target.clone()))?;
        if let Some(from_index) = self.lookup(from.as_str()) {
            self.refuse_if_closed(from_index)?;
        }
        if to == target {
            return Ok(());
        }
        self.check_weights(target_index, Some((edge, None)))?;
        let moved = Link {
            id: to.clone(),
            ..link
        };
        self.edit_add_link(from.as_str(), moved)?;
        if let Err(error) = self.edit_remove_link(from.as_str(), target.as_str()) {
            // The new link was just added, so taking it out leaves its
            // target as it was before, which passed every check.
            let undone = self.edit_remove_link(from.as_str(), to.as_str());
            debug_assert!(undone.is_ok(), "a link just added can be taken out");
            return Err(error);
        }
        Ok(())
    }

    /// Adds a period. O(periods).
    pub(super) fn add_period(&mut self, period: Period) -> Result<(), Error> {
        let mut periods: Vec<Period> = self.periods.values().cloned().collect();
        periods.push(period);
        self.periods = validate(periods)?;
        self.index_grades();
        Ok(())
    }

    /// Removes a period no objective is set for and no period lies in.
    /// O(periods + objectives).
    pub(super) fn remove_period(&mut self, id: &Id) -> Result<(), Error> {
        let index = self
            .periods
            .get_index_of(id)
            .ok_or_else(|| Error::UnknownPeriod {
                period: id.clone(),
                by: id.clone(),
            })?;
        let used_by = self
            .objectives
            .iter()
            .find_map(|&n| match self.graph.node_weight(n) {
                Some(Node::Objective(o)) if o.period == Some(index) => Some(o.id.clone()),
                _ => None,
            });
        let nested = self
            .periods
            .values()
            .find(|p| p.within.as_ref() == Some(id))
            .map(|p| p.id.clone());
        if let Some(by) = used_by.or(nested) {
            return Err(Error::PeriodInUse {
                period: id.clone(),
                by,
            });
        }
        self.periods.shift_remove_index(index);
        self.index_grades();
        // Objectives keep periods by index: those after it move down one.
        for &n in &self.objectives {
            if let Some(Node::Objective(o)) = self.graph.node_weight_mut(n) {
                if let Some(p) = o.period.as_mut().filter(|p| **p > index) {
                    *p -= 1;
                }
            }
        }
        Ok(())
    }

    /// Reopens a closed period, dropping its frozen grades. O(periods).
    pub(super) fn edit_reopen_period(&mut self, id: &Id) -> Result<(), Error> {
        let period = self
            .periods
            .get_mut(id)
            .ok_or_else(|| Error::UnknownPeriod {
                period: id.clone(),
                by: id.clone(),
            })?;
        let Some(closing) = period.closed.take() else {
            return Err(Error::NotClosed(id.clone()));
        };
        period.reopened.push(closing);
        self.index_grades();
        Ok(())
    }

    /// Drops a node's detail box once it holds nothing, so that a set
    /// edited back to what it was is laid out as if loaded so.
    fn tidy_detail(&mut self, node: petgraph::stable_graph::NodeIndex) {
        match self.graph.node_weight_mut(node) {
            Some(Node::Objective(o)) => {
                if let Some(detail) = o.detail.take() {
                    o.detail = (*detail).boxed();
                }
            }
            Some(Node::KeyResult(k)) => {
                if let Some(detail) = k.detail.take() {
                    k.detail = (*detail).boxed();
                }
            }
            _ => {}
        }
    }
}
