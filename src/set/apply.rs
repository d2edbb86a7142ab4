//! Applying edits: [`OkrSet::apply`] (one edit), [`OkrSet::apply_all`] (a
//! transaction), [`OkrSet::replay`] (a document plus a log), and the
//! [`Changes`] each reports.
//!
//! Changes come from where the work happened: an incremental pass records
//! each node it moves (a journal in the roll-up state), so a check-in's
//! changes cost what the check-in costs; an edit that recompiles the plan
//! compares every node before and after, which costs no more than the
//! recompilation itself.

use std::collections::{HashMap, HashSet};

use super::{NodeRef, OkrSet, SetBuilder};
use crate::edit::{Change, Changes, Edit, Envelope, Moved};
use crate::{Band, CarryForward, Decimal, Document, Error, Id, NodeKind, Progress};

/// How an edit can move progress, and so how its changes are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Only through the incremental pass: the journal lists the nodes.
    Incremental,
    /// The structure: the plan is updated where the edit reaches, the
    /// journal lists the nodes the incremental pass moved, and the edit
    /// itself the nodes it added and removed.
    Structure,
    /// Anywhere: every node is compared.
    Everywhere,
    /// Bands of one objective and its key results, not progress.
    Bands,
    /// Neither progress nor bands.
    Nothing,
}

fn reach(edit: &Edit) -> Reach {
    match edit {
        Edit::RecordCheckIn { .. }
        | Edit::CorrectCheckIn { .. }
        | Edit::DeleteCheckIn { .. }
        | Edit::SetMetric { .. } => Reach::Incremental,
        Edit::SetCommitment { .. } => Reach::Bands,
        Edit::AddObjective { .. }
        | Edit::RemoveObjective { .. }
        | Edit::AddKeyResult { .. }
        | Edit::RemoveKeyResult { .. }
        | Edit::AddLink { .. }
        | Edit::RemoveLink { .. }
        | Edit::SetWeight { .. }
        | Edit::SetLinkWeight { .. }
        | Edit::MoveLink { .. }
        | Edit::CarryForward { .. } => Reach::Structure,
        // What an objective counts can move it and everything above it.
        Edit::SetProgressFrom { .. } => Reach::Everywhere,
        // A level says where an objective sits, not what flows: whether a
        // link contributes is its own, so no progress or band moves.
        _ => Reach::Nothing,
    }
}

/// A node's kind, progress and band.
type Standing = (NodeKind, Option<Progress>, Option<Band>);

/// Every measured node's standing, by id.
type Snapshot = HashMap<Id, Standing>;

/// What was recorded before an edit, to find its changes after.
enum Before {
    /// The roll-up state's journal is on.
    Journal,
    /// The journal is on, and these nodes (the ones the edit removes)
    /// were recorded.
    Structure(Snapshot),
    /// Every measured node.
    All(Snapshot),
    /// Only these nodes can have moved (bands of one objective).
    Some(Snapshot),
    /// Nothing can move.
    Nothing,
}

impl OkrSet {
    /// Applies one edit and reports what it changed.
    ///
    /// `edit` is an [`Edit`] or an [`Envelope`] (an edit with who made it
    /// and when: the author signs check-ins that name none, and corrections
    /// and deletions keep both in the history).
    ///
    /// # Errors
    /// Any [`Error`] the edit raises; the set is then exactly as it was.
    ///
    /// Complexity: that of the edit. Check-ins, corrections, deletions and
    /// metric changes are incremental (O(A log A) for the A nodes they
    /// move, their changes included); adding and removing objectives, key
    /// results and links and changing weights update the plan where they
    /// reach and roll up incrementally too (their changes from the journal
    /// plus the nodes they add and remove), and so does moving a link;
    /// changing what an objective counts (`set-progress-from`) compares
    /// every node (O(V)); the other edits move no progress (O(1) changes).
    ///
    /// # Example
    /// ```
    /// use okrs::{CheckIn, CheckInValue, Edit, Envelope, OkrSet};
    ///
    /// let mut set = OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
    /// let edit = Edit::RecordCheckIn {
    ///     key_result: "hire-sdrs".parse()?,
    ///     check_in: CheckIn::new("2026-11-30".parse()?, CheckInValue::Number(2.into())),
    /// };
    /// let changes = set.apply(Envelope::new(edit).by("dir-bizops"))?;
    /// let moved = changes.get("grow-bizops").unwrap();
    /// assert_eq!(moved.progress_before.unwrap().to_string(), "0.55");
    /// assert_eq!(moved.progress.unwrap().to_string(), "0.65");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&mut self, edit: impl Into<Envelope>) -> Result<Changes, Error> {
        let envelope = edit.into();
        let reach = reach(&envelope.edit);
        let before = self.watch(reach, &envelope.edit);
        let mut edits = Vec::new();
        match self.perform(envelope, &mut edits) {
            Ok(()) => Ok(self.changes(before, edits)),
            Err(error) => {
                self.state.close_journal();
                Err(error)
            }
        }
    }

    /// Applies edits as one transaction: all of them or none. The roll-up
    /// is recomputed once, after the last edit.
    ///
    /// # Errors
    /// The first [`Error`] any edit raises (or a cycle the edits close
    /// together); the set is then exactly as it was.
    ///
    /// Complexity: O(V + E) to keep the set as it was in case an edit
    /// fails, plus each edit without its own recomputation, plus one
    /// recomputation: O(V + E) when any edit changes the structure, else
    /// incremental.
    ///
    /// # Example
    /// ```
    /// use okrs::{Edit, OkrSet};
    ///
    /// let mut set = OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
    /// let before = set.clone();
    /// let result = set.apply_all([
    ///     Edit::SetTitle { id: "grow-bizops".parse()?, title: "Grow BizOps".into() },
    ///     Edit::RemoveObjective { id: "no-such-objective".parse()? },
    /// ]);
    /// assert_eq!(result.unwrap_err().code(), "unknown-node");
    /// assert_eq!(set, before); // the title change was not kept either
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply_all<I>(&mut self, edits: I) -> Result<Changes, Error>
    where
        I: IntoIterator,
        I::Item: Into<Envelope>,
    {
        let envelopes: Vec<Envelope> = edits.into_iter().map(Into::into).collect();
        if let Some(changes) = self.apply_batch(&envelopes) {
            return changes;
        }
        let all_incremental = envelopes
            .iter()
            .all(|e| matches!(reach(&e.edit), Reach::Incremental | Reach::Nothing));
        let backup = self.clone();
        let before = if all_incremental {
            self.state.start_journal();
            Before::Journal
        } else {
            Before::All(self.snapshot())
        };
        // Runs of structural edits share one recompilation: each defers
        // its own, and the plan is recompiled before any edit that reads
        // progress, and once at the end.
        self.deferring = true;
        let mut changes = Vec::new();
        let mut result = Ok(());
        for envelope in envelopes {
            // A level change reads no progress either.
            let reads = !matches!(reach(&envelope.edit), Reach::Structure | Reach::Everywhere)
                && !matches!(envelope.edit, Edit::SetLevel { .. });
            if self.stale && reads || matches!(envelope.edit, Edit::CarryForward { .. }) {
                result = self.flush();
                if result.is_err() {
                    break;
                }
            }
            result = self.perform(envelope, &mut changes);
            if result.is_err() {
                break;
            }
        }
        self.deferring = false;
        if result.is_ok() {
            result = self.flush();
        }
        match result {
            Ok(()) => Ok(self.changes(before, changes)),
            Err(error) => {
                *self = backup;
                Err(error)
            }
        }
    }

    /// A transaction of check-ins only, or of metric changes only: every
    /// edit is validated against the set as it is, then all are made and
    /// rolled up in one incremental pass, with nothing to copy for a
    /// rollback. `None` for any other transaction.
    fn apply_batch(&mut self, envelopes: &[Envelope]) -> Option<Result<Changes, Error>> {
        let check_ins: Option<Vec<(Id, crate::CheckIn)>> = envelopes
            .iter()
            .map(|e| match &e.edit {
                Edit::RecordCheckIn {
                    key_result,
                    check_in,
                } => {
                    let mut check_in = check_in.clone();
                    if check_in.by.is_none() {
                        check_in.by.clone_from(&e.by);
                    }
                    Some((key_result.clone(), check_in))
                }
                _ => None,
            })
            .collect();
        if let Some(check_ins) = check_ins.filter(|c| !c.is_empty()) {
            self.state.start_journal();
            return Some(match self.edit_check_ins(check_ins) {
                Ok(ids) => {
                    let edits = ids
                        .into_iter()
                        .map(|(key_result, check_in)| Change::CheckIn {
                            key_result,
                            check_in,
                            action: "recorded",
                        })
                        .collect();
                    Ok(self.changes(Before::Journal, edits))
                }
                Err(error) => {
                    self.state.close_journal();
                    Err(error)
                }
            });
        }
        let metrics: Option<Vec<(Id, Option<crate::Metric>)>> = envelopes
            .iter()
            .map(|e| match &e.edit {
                Edit::SetMetric { id, metric } => Some((id.clone(), metric.clone())),
                _ => None,
            })
            .collect();
        let metrics = metrics.filter(|m| !m.is_empty())?;
        self.state.start_journal();
        let edits = metrics
            .iter()
            .map(|(id, _)| Change::Updated {
                id: id.clone(),
                field: "metric",
            })
            .collect();
        Some(match self.edit_set_metrics(metrics) {
            Ok(()) => Ok(self.changes(Before::Journal, edits)),
            Err(error) => {
                self.state.close_journal();
                Err(error)
            }
        })
    }

    /// The objectives and key results whose progress or band differ
    /// between `before` and this set: those in both that moved, those only
    /// here (added, without old values), then those only in `before`
    /// (removed, without new values); each in its set's node order. For
    /// two readings of a set that are not one edit apart (another view of
    /// it, say). O(V) average.
    ///
    /// # Example
    /// ```
    /// use okrs::{Edit, Envelope, OkrSet};
    /// let before = OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
    /// let mut after = before.clone();
    /// let changes = after.apply(Envelope::new(Edit::SetWeight {
    ///     id: "hire-sdrs".parse()?,
    ///     weight: "3".parse()?,
    /// }))?;
    /// // The same nodes and numbers the edit's changes name (in node order).
    /// let mut moved = after.moved_since(&before);
    /// let mut by_apply = changes.moved;
    /// moved.sort_by(|a, b| a.id.cmp(&b.id));
    /// by_apply.sort_by(|a, b| a.id.cmp(&b.id));
    /// assert_eq!(moved, by_apply);
    /// assert_eq!(moved.len(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn moved_since(&self, before: &OkrSet) -> Vec<Moved> {
        let counted = |kind: NodeKind| matches!(kind, NodeKind::Objective | NodeKind::KeyResult);
        let mut moved = Vec::new();
        for node in self.nodes().filter(|n| counted(n.kind())) {
            let old = before.node(node.id().as_str());
            let (progress_before, band_before) =
                (old.and_then(|b| b.progress()), old.and_then(|b| b.band()));
            let (progress, band) = (node.progress(), node.band());
            if old.is_some() && progress_before == progress && band_before == band {
                continue;
            }
            moved.push(Moved {
                id: node.id().clone(),
                kind: node.kind(),
                progress_before,
                progress,
                band_before,
                band,
            });
        }
        for node in before.nodes().filter(|n| counted(n.kind())) {
            if !self.contains(node.id().as_str()) {
                moved.push(Moved {
                    id: node.id().clone(),
                    kind: node.kind(),
                    progress_before: node.progress(),
                    progress: None,
                    band_before: node.band(),
                    band: None,
                });
            }
        }
        moved
    }

    /// Rebuilds a set from a document and the log of edits applied to it
    /// since: the result equals (`==`) the set the edits were applied to
    /// live, check-in ids, corrections and deletions included. Use
    /// [`SetBuilder::replay`] for custom strategies or scales.
    ///
    /// # Errors
    /// The document's [`Error`], or the first edit's; every edit is applied
    /// on its own, as it was live.
    ///
    /// Complexity: loading the document, then each edit's own cost.
    ///
    /// # Example
    /// ```
    /// use okrs::{Edit, Envelope, OkrSet};
    ///
    /// let document = okrs::sample::document();
    /// let log: Vec<Envelope> = vec![
    ///     Edit::SetTitle { id: "grow-bizops".parse()?, title: "Grow BizOps".into() }.into(),
    /// ];
    /// let mut live = OkrSet::from_document(document.clone())?;
    /// for envelope in &log {
    ///     live.apply(envelope.clone())?;
    /// }
    /// assert_eq!(OkrSet::replay(document, log)?, live);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn replay(
        document: Document,
        log: impl IntoIterator<Item = Envelope>,
    ) -> Result<Self, Error> {
        Self::builder().replay(document, log)
    }

    /// Recompiles a plan left stale by deferred structural edits.
    fn flush(&mut self) -> Result<(), Error> {
        if !self.stale {
            return Ok(());
        }
        let deferring = std::mem::replace(&mut self.deferring, false);
        let result = self.rebuild();
        self.deferring = deferring;
        result
    }

    /// Records what an edit is about to change: the nodes and their values
    /// before, as far as its reach needs.
    fn watch(&mut self, reach: Reach, edit: &Edit) -> Before {
        match reach {
            Reach::Incremental => {
                self.state.start_journal();
                Before::Journal
            }
            Reach::Structure => {
                self.state.start_journal();
                let removed = match edit {
                    Edit::RemoveObjective { id } | Edit::RemoveKeyResult { id } => {
                        self.standings_under(id)
                    }
                    _ => Snapshot::new(),
                };
                Before::Structure(removed)
            }
            Reach::Everywhere => Before::All(self.snapshot()),
            Reach::Bands => {
                let Edit::SetCommitment { id, .. } = edit else {
                    return Before::Nothing;
                };
                Before::Some(self.standings_under(id))
            }
            Reach::Nothing => Before::Nothing,
        }
    }

    /// The standing of a node and the measured nodes under it. O(size).
    fn standings_under(&self, id: &Id) -> Snapshot {
        let mut snapshot = Snapshot::new();
        let Some(root) = self.lookup(id.as_str()) else {
            return snapshot;
        };
        for node in self.subtree(root) {
            // Initiatives have no progress or band: nothing of theirs moves.
            let node = NodeRef::new(self, node).filter(|n| n.kind() != NodeKind::Initiative);
            if let Some(node) = node {
                snapshot.insert(
                    node.id().clone(),
                    (node.kind(), node.progress(), node.band()),
                );
            }
        }
        snapshot
    }

    fn snapshot(&self) -> Snapshot {
        self.nodes()
            .map(|n| (n.id().clone(), (n.kind(), n.progress(), n.band())))
            .collect()
    }

    /// The changes since [`watch`](Self::watch).
    fn changes(&mut self, before: Before, edits: Vec<Change>) -> Changes {
        let mut moved = Vec::new();
        let (mut snapshot, scoped) = match before {
            Before::Journal => {
                return Changes {
                    edits,
                    moved: self.journal_moves(&HashSet::new()),
                };
            }
            Before::Structure(removed) => {
                let moved = self.structure_moves(&edits, removed);
                return Changes { edits, moved };
            }
            Before::Nothing => return Changes { edits, moved },
            Before::All(snapshot) => (snapshot, false),
            Before::Some(snapshot) => (snapshot, true),
        };
        let nodes: Vec<NodeRef<'_>> = if scoped {
            let mut ids: Vec<&Id> = snapshot.keys().collect();
            ids.sort_unstable();
            ids.into_iter()
                .filter_map(|id| self.node(id.as_str()))
                .collect()
        } else {
            self.nodes().collect()
        };
        for node in nodes {
            let (progress, band) = (node.progress(), node.band());
            let before = snapshot.remove(node.id());
            let (progress_before, band_before) = before.map_or((None, None), |(_, p, b)| (p, b));
            if progress_before != progress || band_before != band {
                moved.push(Moved {
                    id: node.id().clone(),
                    kind: node.kind(),
                    progress_before,
                    progress,
                    band_before,
                    band,
                });
            }
        }
        let mut removed: Vec<(Id, Standing)> = snapshot
            .into_iter()
            .filter(|(id, _)| !self.contains(id.as_str()))
            .collect();
        removed.sort_by(|a, b| a.0.cmp(&b.0));
        for (id, (kind, progress_before, band_before)) in removed {
            moved.push(Moved {
                id,
                kind,
                progress_before,
                progress: None,
                band_before,
                band: None,
            });
        }
        Changes { edits, moved }
    }

    /// What a structural edit moved, in O(what changed): the nodes it
    /// added (no value before), those the incremental pass moved, in the
    /// order it reached them, then those it removed (no value after), by
    /// id.
    fn structure_moves(&mut self, edits: &[Change], removed: Snapshot) -> Vec<Moved> {
        let added: HashSet<&Id> = edits
            .iter()
            .filter_map(|change| match change {
                Change::Added { id, kind } if *kind != NodeKind::Initiative => Some(id),
                _ => None,
            })
            .collect();
        let mut moved = Vec::new();
        for change in edits {
            let Change::Added { id, .. } = change else {
                continue;
            };
            let Some(node) = self.node(id.as_str()).filter(|n| added.contains(n.id())) else {
                continue;
            };
            moved.push(Moved {
                id: node.id().clone(),
                kind: node.kind(),
                progress_before: None,
                progress: node.progress(),
                band_before: None,
                band: node.band(),
            });
        }
        let skip: HashSet<Id> = added.into_iter().cloned().collect();
        moved.extend(self.journal_moves(&skip));
        let mut removed: Vec<(Id, Standing)> = removed
            .into_iter()
            .filter(|(id, _)| !self.contains(id.as_str()))
            .collect();
        removed.sort_by(|a, b| a.0.cmp(&b.0));
        for (id, (kind, progress_before, band_before)) in removed {
            moved.push(Moved {
                id,
                kind,
                progress_before,
                progress: None,
                band_before,
                band: None,
            });
        }
        moved
    }

    /// The nodes the incremental passes since [`watch`](Self::watch)
    /// moved, from the journal, but for those in `skip`: O(entries).
    fn journal_moves(&mut self, skip: &HashSet<Id>) -> Vec<Moved> {
        self.state.close_journal();
        let this: &Self = self;
        let journal = this.state.journal();
        // A committed node's band reads its inputs' values (see
        // `band_with`): before the edit, those the journal holds.
        let mut earlier: Option<HashMap<u32, Decimal>> = None;
        let mut moved = Vec::with_capacity(journal.len());
        for &(node, before) in journal {
            let Some(node) = NodeRef::new(self, node) else {
                continue;
            };
            if skip.contains(node.id()) {
                continue;
            }
            // Read the node's standing once: a band needs its commitment
            // (its objective's), and both bands share it.
            let commitment = node.commitment();
            let progress = node.progress();
            let progress_before = Progress::new(before).ok();
            let now = |n: u32| {
                let index = petgraph::stable_graph::NodeIndex::new(n as usize);
                self.state.progress_of(index).unwrap_or_default()
            };
            let band_before = progress_before.map(|p| {
                let band = self.scale.band(p, commitment);
                if commitment != crate::Commitment::Committed || band != Band::Green {
                    return band;
                }
                // The inputs as they were: a structural edit noted whether
                // they all stood at 1; otherwise they are the same inputs,
                // at the values the journal holds.
                match self.state.reached_before(node.index) {
                    Some(true) => band,
                    Some(false) => self.short_band(p, commitment),
                    None => {
                        let earlier = earlier.get_or_insert_with(|| {
                            journal
                                .iter()
                                .map(|&(n, value)| (crate::invariant::to_u32(n.index()), value))
                                .collect()
                        });
                        self.band_with(node.index, p, commitment, |n| {
                            earlier.get(&n).copied().unwrap_or_else(|| now(n))
                        })
                    }
                }
            });
            let band = progress.map(|p| self.band_with(node.index, p, commitment, now));
            if progress_before != progress || band_before != band {
                moved.push(Moved {
                    id: node.id().clone(),
                    kind: node.kind(),
                    progress_before,
                    progress,
                    band_before,
                    band,
                });
            }
        }
        moved
    }

    /// Carries out one edit, appending what it did to `changes`. Leaves the
    /// set as it was on error (each underlying edit is atomic).
    fn perform(&mut self, envelope: Envelope, changes: &mut Vec<Change>) -> Result<(), Error> {
        let Envelope { edit, by, at } = envelope;
        match edit {
            Edit::AddObjective { objective } => {
                let added = added_ids(&objective);
                let links: Vec<Id> = objective.aligned_to.iter().map(|l| l.id.clone()).collect();
                let from = objective.id.clone();
                self.edit_add_objective(objective)?;
                changes.extend(added);
                changes.extend(links.into_iter().map(|target| Change::Linked {
                    from: from.clone(),
                    target,
                }));
            }
            Edit::RemoveObjective { id } => {
                let removed = self.removed_ids(&id);
                self.edit_remove_objective(id.as_str())?;
                changes.extend(removed);
            }
            Edit::AddKeyResult { parent, key_result } => {
                let mut added = Vec::new();
                key_result_ids(&key_result, &mut added);
                self.edit_add_key_result(parent.as_str(), key_result)?;
                changes.extend(added);
            }
            Edit::RemoveKeyResult { id } => {
                let removed = self.removed_ids(&id);
                self.edit_remove_key_result(id.as_str())?;
                changes.extend(removed);
            }
            Edit::AddLink { from, link } => {
                let target = link.id.clone();
                self.edit_add_link(from.as_str(), link)?;
                changes.push(Change::Linked { from, target });
            }
            Edit::RemoveLink { from, target } => {
                self.edit_remove_link(from.as_str(), target.as_str())?;
                changes.push(Change::Unlinked { from, target });
            }
            Edit::SetWeight { id, weight } => {
                self.edit_set_weight(id.as_str(), weight)?;
                changes.push(Change::Updated {
                    id,
                    field: "weight",
                });
            }
            Edit::SetLinkWeight {
                from,
                target,
                weight,
            } => {
                self.edit_set_link_weight(from.as_str(), target.as_str(), weight)?;
                changes.push(Change::Updated {
                    id: from,
                    field: "aligned_to",
                });
            }
            Edit::SetMetric { id, metric } => {
                self.edit_set_metrics(vec![(id.clone(), metric)])?;
                changes.push(Change::Updated {
                    id,
                    field: "metric",
                });
            }
            Edit::RecordCheckIn {
                key_result,
                mut check_in,
            } => {
                if check_in.by.is_none() {
                    check_in.by = by;
                }
                for (key_result, check_in) in self.edit_check_ins(vec![(key_result, check_in)])? {
                    changes.push(Change::CheckIn {
                        key_result,
                        check_in,
                        action: "recorded",
                    });
                }
            }
            Edit::ClosePeriod { period } => {
                self.edit_close_period(period.as_str())?;
                changes.push(Change::Period {
                    id: period,
                    action: "closed",
                });
            }
            Edit::CarryForward {
                objective,
                to,
                keep_values,
            } => {
                let copy = self.edit_carry_forward(
                    objective.as_str(),
                    to.as_str(),
                    CarryForward::default().keep_values(keep_values),
                )?;
                if let Some(copy) = self.node(copy.as_str()).and_then(|n| n.to_objective()) {
                    changes.extend(added_ids(&copy));
                }
                changes.push(Change::Updated {
                    id: objective,
                    field: "carried_to",
                });
            }
            Edit::AddInitiative {
                key_result,
                initiative,
            } => {
                let id = initiative.id.clone();
                self.add_initiative(&key_result, initiative)?;
                changes.push(Change::Added {
                    id,
                    kind: NodeKind::Initiative,
                });
            }
            Edit::RemoveInitiative { id } => {
                self.remove_initiative(&id)?;
                changes.push(Change::Removed {
                    id,
                    kind: NodeKind::Initiative,
                });
            }
            Edit::MoveLink { from, target, to } => {
                self.move_link(&from, &target, &to)?;
                changes.push(Change::Unlinked {
                    from: from.clone(),
                    target,
                });
                changes.push(Change::Linked { from, target: to });
            }
            Edit::AddPeriod { period } => {
                let id = period.id.clone();
                self.add_period(period)?;
                changes.push(Change::Period {
                    id,
                    action: "added",
                });
            }
            Edit::RemovePeriod { id } => {
                self.remove_period(&id)?;
                changes.push(Change::Period {
                    id,
                    action: "removed",
                });
            }
            Edit::ReopenPeriod { period } => {
                self.edit_reopen_period(&period)?;
                changes.push(Change::Period {
                    id: period,
                    action: "reopened",
                });
            }
            Edit::SetTitle { id, title } => {
                self.retitle(&id, title)?;
                changes.push(Change::Updated { id, field: "title" });
            }
            Edit::SetDescription { id, description } => {
                self.describe(&id, description)?;
                changes.push(Change::Updated {
                    id,
                    field: "description",
                });
            }
            Edit::SetOwners { id, owners } => {
                self.reassign(&id, owners)?;
                changes.push(Change::Updated {
                    id,
                    field: "owners",
                });
            }
            Edit::SetVisibility {
                id,
                visibility,
                viewers,
            } => {
                self.set_visibility(&id, visibility, viewers)?;
                changes.push(Change::Updated {
                    id,
                    field: "visibility",
                });
            }
            Edit::SetCommitment { id, commitment } => {
                self.commit(&id, commitment)?;
                changes.push(Change::Updated {
                    id,
                    field: "commitment",
                });
            }
            Edit::SetProgressFrom {
                id,
                progress_from,
                aligned_share,
            } => {
                self.count_from(&id, progress_from, aligned_share)?;
                changes.push(Change::Updated {
                    id,
                    field: "progress_from",
                });
            }
            Edit::SetLevel { id, level } => {
                self.relevel(&id, &level)?;
                changes.push(Change::Updated { id, field: "level" });
            }
            Edit::SetPeriod { id, period } => {
                self.reperiod(&id, period.as_ref())?;
                changes.push(Change::Updated {
                    id,
                    field: "period",
                });
            }
            Edit::SetInitiativeStatus { id, status } => {
                self.restatus(&id, status)?;
                changes.push(Change::Updated {
                    id,
                    field: "status",
                });
            }
            Edit::CorrectCheckIn {
                check_in,
                value,
                confidence,
                note,
                reason,
            } => {
                let key_result =
                    self.correct_check_in(&check_in, value, confidence, note, reason, by, at)?;
                changes.push(Change::CheckIn {
                    key_result,
                    check_in,
                    action: "corrected",
                });
            }
            Edit::SetScore { id, score, reason } => {
                self.edit_set_score(&id, score, reason, by)?;
                changes.push(Change::Updated { id, field: "score" });
            }
            Edit::DeleteCheckIn { check_in, reason } => {
                let key_result = self.delete_check_in(&check_in, reason, by, at)?;
                changes.push(Change::CheckIn {
                    key_result,
                    check_in,
                    action: "deleted",
                });
            }
        }
        Ok(())
    }

    /// The `Removed` changes of a node and everything under it.
    fn removed_ids(&self, id: &Id) -> Vec<Change> {
        let Some(root) = self.lookup(id.as_str()) else {
            return Vec::new();
        };
        self.subtree(root)
            .into_iter()
            .filter_map(|n| NodeRef::new(self, n))
            .map(|n| Change::Removed {
                id: n.id().clone(),
                kind: n.kind(),
            })
            .collect()
    }
}

impl SetBuilder {
    /// Builds a set from a document, then applies the log of edits made
    /// since, one by one as they were made live. See [`OkrSet::replay`].
    ///
    /// # Errors
    /// The document's [`Error`], or the first failing edit's.
    pub fn replay(
        self,
        document: Document,
        log: impl IntoIterator<Item = Envelope>,
    ) -> Result<OkrSet, Error> {
        let mut set = self.build(document)?;
        for envelope in log {
            set.apply(envelope)?;
        }
        Ok(set)
    }
}

/// The `Added` changes of an objective and everything under it.
fn added_ids(objective: &crate::Objective) -> Vec<Change> {
    let mut out = vec![Change::Added {
        id: objective.id.clone(),
        kind: NodeKind::Objective,
    }];
    for key_result in &objective.key_results {
        key_result_ids(key_result, &mut out);
    }
    out
}

fn key_result_ids(key_result: &crate::KeyResult, out: &mut Vec<Change>) {
    out.push(Change::Added {
        id: key_result.id.clone(),
        kind: NodeKind::KeyResult,
    });
    for initiative in &key_result.initiatives {
        out.push(Change::Added {
            id: initiative.id.clone(),
            kind: NodeKind::Initiative,
        });
    }
    for sub in &key_result.key_results {
        key_result_ids(sub, out);
    }
}
