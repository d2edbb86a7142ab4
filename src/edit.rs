//! Edits as data: every change a product makes to a set, as a value
//! ([`Edit`], the *edit format*), stamped with who made it and when
//! ([`Envelope`]), and what applying it changed ([`Changes`]).
//!
//! The edit format is JSON with an `"op"` tag in kebab-case and the fields
//! of `okrs/1` (snake_case), one edit per line in a log:
//!
//! ```json
//! {"op": "record-check-in", "key_result": "hire-sdrs", "check_in": {"at": "2026-11-30", "value": "2"}, "by": "dir-bizops", "at": "2026-11-30T09:12:00Z"}
//! {"op": "set-title", "id": "grow-bizops", "title": "Grow the BizOps team to 6"}
//! ```
//!
//! Applying is [`OkrSet::apply`](crate::OkrSet::apply) (one edit) and
//! [`OkrSet::apply_all`](crate::OkrSet::apply_all) (a transaction); a log
//! of envelopes replays onto a document with
//! [`OkrSet::replay`](crate::OkrSet::replay).

use serde::{Deserialize, Serialize};

use crate::{
    Band, CheckIn, CheckInValue, Commitment, Confidence, Id, Initiative, InitiativeStatus,
    KeyResult, Link, Metric, Moment, NodeKind, Objective, Period, Progress, ProgressFrom,
    Visibility, Weight,
};

/// One change to a set, as a value: what an app stores, sends and replays.
///
/// Every variant names the nodes it touches by id; applying it either
/// succeeds with its [`Changes`] or returns an [`Error`](crate::Error) and
/// leaves the set exactly as it was.
///
/// # Example
/// ```
/// use okrs::{Edit, OkrSet};
///
/// let mut set = OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
/// let edit: Edit = serde_json::from_str(
///     r#"{"op": "set-title", "id": "grow-bizops", "title": "Grow the BizOps team to 6"}"#,
/// )?;
/// let changes = set.apply(edit)?;
/// assert_eq!(set.node("grow-bizops").unwrap().title(), "Grow the BizOps team to 6");
/// assert!(changes.moved().is_empty()); // a title moves no progress
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Edit {
    /// Adds an objective with its key results and links, after the others.
    AddObjective {
        /// The objective.
        objective: Objective,
    },
    /// Removes an objective and everything under it; refused while other
    /// objectives align to it or its key results.
    RemoveObjective {
        /// The objective.
        id: Id,
    },
    /// Adds a key result (with its sub-key results) under an objective or
    /// a key result.
    AddKeyResult {
        /// The objective or key result it belongs to.
        parent: Id,
        /// The key result.
        key_result: KeyResult,
    },
    /// Removes a key result and everything under it.
    RemoveKeyResult {
        /// The key result.
        id: Id,
    },
    /// Adds an initiative to a key result.
    AddInitiative {
        /// The key result.
        key_result: Id,
        /// The initiative.
        initiative: Initiative,
    },
    /// Removes an initiative.
    RemoveInitiative {
        /// The initiative.
        id: Id,
    },
    /// Aligns an objective to another objective or a key result.
    AddLink {
        /// The supporting objective.
        from: Id,
        /// The link.
        link: Link,
    },
    /// Removes an alignment link.
    RemoveLink {
        /// The supporting objective.
        from: Id,
        /// What it aligned to.
        target: Id,
    },
    /// Moves an alignment link from one target to another in one step,
    /// keeping its weight and `contributes`.
    MoveLink {
        /// The supporting objective.
        from: Id,
        /// What it aligns to now.
        target: Id,
        /// What it aligns to after the edit.
        to: Id,
    },
    /// Adds a period.
    AddPeriod {
        /// The period.
        period: Period,
    },
    /// Removes a period no objective is set for and no period lies in.
    RemovePeriod {
        /// The period.
        id: Id,
    },
    /// Renames an objective, key result or initiative.
    SetTitle {
        /// The node.
        id: Id,
        /// The new, non-empty title.
        title: String,
    },
    /// Sets or clears the description of an objective or key result.
    SetDescription {
        /// The node.
        id: Id,
        /// The new description; `None` (or empty) clears it.
        #[serde(default)]
        description: Option<String>,
    },
    /// Replaces the owners of an objective, key result or initiative.
    SetOwners {
        /// The node.
        id: Id,
        /// The owners, none or more, each non-empty.
        owners: Vec<String>,
    },
    /// Makes an objective (and everything under it) public, or private to
    /// its owners and these viewers.
    SetVisibility {
        /// The objective.
        id: Id,
        /// Public or private.
        visibility: Visibility,
        /// Besides its owners, who may see it when private (people or
        /// groups); none when public.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        viewers: Vec<String>,
    },
    /// Sets a key result's weight in its parent.
    SetWeight {
        /// The key result.
        id: Id,
        /// The weight.
        weight: Weight,
    },
    /// Sets the weight of an alignment link at its target.
    SetLinkWeight {
        /// The supporting objective.
        from: Id,
        /// What it aligns to.
        target: Id,
        /// The weight.
        weight: Weight,
    },
    /// Sets what an objective's progress counts and the aligned group's
    /// share (both as in `okrs/1`; `None` takes the set's default and the
    /// count-based split).
    SetProgressFrom {
        /// The objective.
        id: Id,
        /// Its `progress_from`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        progress_from: Option<ProgressFrom>,
        /// Its `aligned_share`, from 0 to 1.
        #[serde(
            default,
            with = "crate::number::serde_decimal::option",
            skip_serializing_if = "Option::is_none"
        )]
        aligned_share: Option<rust_decimal::Decimal>,
    },
    /// Sets whether an objective is committed or aspirational.
    SetCommitment {
        /// The objective.
        id: Id,
        /// The commitment.
        commitment: Commitment,
    },
    /// Moves an objective to another level.
    SetLevel {
        /// The objective.
        id: Id,
        /// The level's name.
        level: String,
    },
    /// Sets or clears the period an objective is set for.
    SetPeriod {
        /// The objective.
        id: Id,
        /// The period; `None` clears it.
        #[serde(default)]
        period: Option<Id>,
    },
    /// Replaces a key result's metric (target, start, unit, kind…); its
    /// check-ins are kept and must fit the new metric.
    SetMetric {
        /// The key result.
        id: Id,
        /// The metric; `None` leaves the key result unmeasured (or measured
        /// by its sub-key results).
        #[serde(default)]
        metric: Option<Metric>,
    },
    /// Sets where an initiative stands.
    SetInitiativeStatus {
        /// The initiative.
        id: Id,
        /// The status.
        status: InitiativeStatus,
    },
    /// Records a value of a key result: the one way to update a value.
    RecordCheckIn {
        /// The key result.
        key_result: Id,
        /// The check-in; its id is given by the set.
        check_in: CheckIn,
    },
    /// Corrects a recorded check-in's value, confidence or note; what was
    /// there before is kept in its history with the reason.
    CorrectCheckIn {
        /// The check-in's id.
        check_in: Id,
        /// The corrected value.
        value: CheckInValue,
        /// The corrected confidence (`None` keeps none).
        #[serde(default)]
        confidence: Option<Confidence>,
        /// The corrected note (`None` keeps none).
        #[serde(default)]
        note: Option<String>,
        /// Why, for the history.
        reason: String,
    },
    /// Deletes a recorded check-in; it is kept, with the reason, among the
    /// key result's deleted check-ins.
    DeleteCheckIn {
        /// The check-in's id.
        check_in: Id,
        /// Why, for the history.
        reason: String,
    },
    /// Closes a period, freezing the grades of its objectives and key
    /// results.
    ClosePeriod {
        /// The period.
        period: Id,
    },
    /// Reopens a closed period: its grades are no longer frozen, and its
    /// closing (grades and scores) moves to the period's history
    /// (`reopened`).
    ReopenPeriod {
        /// The period.
        period: Id,
    },
    /// Carries an unfinished objective forward into a later period.
    CarryForward {
        /// The objective.
        objective: Id,
        /// The later period.
        to: Id,
        /// Keep each key result's latest value as the copy's first
        /// check-in.
        #[serde(default)]
        keep_values: bool,
    },
    /// Sets (or with `None` clears) the score of an objective or key result
    /// of a closed period, overriding its computed grade, which stays
    /// beside it; the envelope's `by` says who.
    SetScore {
        /// The objective or key result.
        id: Id,
        /// The score, 0 to the progress cap; `None` clears it.
        #[serde(default)]
        score: Option<Progress>,
        /// Why the score differs from the computed grade (required with a
        /// score).
        #[serde(default)]
        reason: String,
    },
}

impl Edit {
    /// The edit's `"op"` name, as written in the edit format. O(1).
    ///
    /// # Example
    /// ```
    /// let edit = okrs::Edit::RemoveObjective { id: "o".parse()? };
    /// assert_eq!(edit.op(), "remove-objective");
    /// # Ok::<(), okrs::IdError>(())
    /// ```
    #[must_use]
    pub fn op(&self) -> &'static str {
        match self {
            Self::AddObjective { .. } => "add-objective",
            Self::RemoveObjective { .. } => "remove-objective",
            Self::AddKeyResult { .. } => "add-key-result",
            Self::RemoveKeyResult { .. } => "remove-key-result",
            Self::AddInitiative { .. } => "add-initiative",
            Self::RemoveInitiative { .. } => "remove-initiative",
            Self::AddLink { .. } => "add-link",
            Self::RemoveLink { .. } => "remove-link",
            Self::MoveLink { .. } => "move-link",
            Self::AddPeriod { .. } => "add-period",
            Self::RemovePeriod { .. } => "remove-period",
            Self::SetTitle { .. } => "set-title",
            Self::SetDescription { .. } => "set-description",
            Self::SetOwners { .. } => "set-owners",
            Self::SetVisibility { .. } => "set-visibility",
            Self::SetWeight { .. } => "set-weight",
            Self::SetLinkWeight { .. } => "set-link-weight",
            Self::SetCommitment { .. } => "set-commitment",
            Self::SetProgressFrom { .. } => "set-progress-from",
            Self::SetLevel { .. } => "set-level",
            Self::SetPeriod { .. } => "set-period",
            Self::SetMetric { .. } => "set-metric",
            Self::SetInitiativeStatus { .. } => "set-initiative-status",
            Self::RecordCheckIn { .. } => "record-check-in",
            Self::CorrectCheckIn { .. } => "correct-check-in",
            Self::DeleteCheckIn { .. } => "delete-check-in",
            Self::ClosePeriod { .. } => "close-period",
            Self::ReopenPeriod { .. } => "reopen-period",
            Self::CarryForward { .. } => "carry-forward",
            Self::SetScore { .. } => "set-score",
        }
    }
}

impl Edit {
    /// Every id the edit names, each with what it names there, in the
    /// order the edit gives them: the node it changes (or adds to, or links
    /// from), the other nodes it names (a link's target, an added
    /// objective's links), the nodes it adds (an objective with its key
    /// results, their sub-key results and initiatives, depth first), a
    /// check-in (followed by its key result, read off the check-in's id),
    /// periods. An app decides from them who may make or see an edit and
    /// indexes its audit log by them. O(ids).
    ///
    /// # Example
    /// ```
    /// use okrs::{Edit, Link, Named};
    /// let edit = Edit::AddLink { from: "team".parse()?, link: Link::new("co".parse()?) };
    /// let ids: Vec<(String, Named)> =
    ///     edit.ids().into_iter().map(|(id, named)| (id.to_string(), named)).collect();
    /// assert_eq!(ids, [("team".into(), Named::Node), ("co".into(), Named::Linked)]);
    ///
    /// let edit = Edit::DeleteCheckIn { check_in: "kr#3".parse()?, reason: "typo".into() };
    /// let ids = edit.ids();
    /// assert_eq!(ids[0], ("kr#3".parse()?, Named::CheckIn));
    /// assert_eq!(ids[1], ("kr".parse()?, Named::Node));
    /// # Ok::<(), okrs::IdError>(())
    /// ```
    #[must_use]
    pub fn ids(&self) -> Vec<(Id, Named)> {
        let mut ids: Vec<(Id, Named)> = Vec::new();
        let mut push = |id: &Id, named: Named| ids.push((id.clone(), named));
        // No `_` arm: a new edit does not compile until its ids are listed.
        match self {
            Self::AddObjective { objective } => {
                push(&objective.id, Named::Added);
                for key_result in &objective.key_results {
                    added_key_result(key_result, &mut push);
                }
                for link in &objective.aligned_to {
                    push(&link.id, Named::Linked);
                }
                for carried in [&objective.carried_from, &objective.carried_to]
                    .into_iter()
                    .flatten()
                {
                    push(carried, Named::Linked);
                }
            }
            Self::AddKeyResult { parent, key_result } => {
                push(parent, Named::Node);
                added_key_result(key_result, &mut push);
            }
            Self::AddInitiative {
                key_result,
                initiative,
            } => {
                push(key_result, Named::Node);
                push(&initiative.id, Named::Added);
            }
            Self::AddLink { from, link } => {
                push(from, Named::Node);
                push(&link.id, Named::Linked);
            }
            Self::RemoveLink { from, target } | Self::SetLinkWeight { from, target, .. } => {
                push(from, Named::Node);
                push(target, Named::Linked);
            }
            Self::MoveLink { from, target, to } => {
                push(from, Named::Node);
                push(target, Named::Linked);
                push(to, Named::Linked);
            }
            Self::RemoveObjective { id }
            | Self::RemoveKeyResult { id }
            | Self::RemoveInitiative { id }
            | Self::SetTitle { id, .. }
            | Self::SetDescription { id, .. }
            | Self::SetOwners { id, .. }
            | Self::SetVisibility { id, .. }
            | Self::SetWeight { id, .. }
            | Self::SetProgressFrom { id, .. }
            | Self::SetCommitment { id, .. }
            | Self::SetLevel { id, .. }
            | Self::SetPeriod { id, .. }
            | Self::SetMetric { id, .. }
            | Self::SetInitiativeStatus { id, .. }
            | Self::SetScore { id, .. } => push(id, Named::Node),
            Self::RecordCheckIn { key_result, .. } => push(key_result, Named::Node),
            Self::CorrectCheckIn { check_in, .. } | Self::DeleteCheckIn { check_in, .. } => {
                push(check_in, Named::CheckIn);
                let key_result = check_in.as_str().rsplit_once('#').map(|(k, _)| k);
                if let Some(key_result) = key_result.and_then(|k| k.parse::<Id>().ok()) {
                    push(&key_result, Named::Node);
                }
            }
            Self::AddPeriod { period } => push(&period.id, Named::Period),
            Self::RemovePeriod { id } => push(id, Named::Period),
            Self::ClosePeriod { period } | Self::ReopenPeriod { period } => {
                push(period, Named::Period);
            }
            Self::CarryForward { objective, to, .. } => {
                push(objective, Named::Node);
                push(to, Named::Period);
            }
        }
        ids
    }
}

/// An added key result's id, then its initiatives', then its sub-key
/// results' (each the same way).
fn added_key_result(key_result: &KeyResult, push: &mut impl FnMut(&Id, Named)) {
    push(&key_result.id, Named::Added);
    for initiative in &key_result.initiatives {
        push(&initiative.id, Named::Added);
    }
    for sub in &key_result.key_results {
        added_key_result(sub, push);
    }
}

/// What an id names in an edit (see [`Edit::ids`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Named {
    /// The node the edit changes, adds to or links from: the one whose
    /// owners may make it (for a check-in's correction or deletion, its
    /// key result).
    Node,
    /// Another node the edit names, which must be there: a link's target,
    /// a moved link's new target, an added objective's links and the
    /// objectives it was carried from or to.
    Linked,
    /// A node the edit adds.
    Added,
    /// A check-in (`<key result>#<n>`).
    CheckIn,
    /// A period.
    Period,
}

/// An edit stamped with who made it and when: one line of an audit log.
///
/// In the edit format the envelope's fields sit beside the edit's:
/// `{"op": "set-title", "id": "o", "title": "…", "by": "ana", "at": "2027-01-05T10:00:00Z"}`.
///
/// # Example
/// ```
/// use okrs::{Edit, Envelope};
/// let line = r#"{"op": "remove-link", "from": "team", "target": "company", "by": "ana", "at": "2027-01-05"}"#;
/// let envelope: Envelope = serde_json::from_str(line)?;
/// assert_eq!(envelope.by.as_deref(), Some("ana"));
/// assert!(matches!(envelope.edit, Edit::RemoveLink { .. }));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Envelope {
    /// The edit.
    #[serde(flatten)]
    pub edit: Edit,
    /// Who made it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// When it was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Moment>,
}

impl Envelope {
    /// An edit made by nobody in particular, at no recorded time. O(1).
    #[must_use]
    pub fn new(edit: Edit) -> Self {
        Self {
            edit,
            by: None,
            at: None,
        }
    }

    /// Who made the edit. O(1).
    #[must_use]
    pub fn by(mut self, who: impl Into<String>) -> Self {
        self.by = Some(who.into());
        self
    }

    /// When the edit was made. O(1).
    #[must_use]
    pub fn at(mut self, at: Moment) -> Self {
        self.at = Some(at);
        self
    }
}

impl From<Edit> for Envelope {
    fn from(edit: Edit) -> Self {
        Self::new(edit)
    }
}

/// What applying one edit (or a transaction) changed: the changes the
/// edits made themselves, and every node whose progress or band moved.
///
/// It is exact: a node whose progress and band did not change is not
/// listed, and each node is listed once, with its value before the first
/// edit and after the last.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct Changes {
    /// What the edits did, in order.
    pub edits: Vec<Change>,
    /// Nodes whose progress or band moved. After a check-in, correction,
    /// deletion or metric change: in the order the roll-up reached them
    /// (the key result first, then up). After a structural edit: the nodes
    /// it added, then the rest in roll-up order, then the nodes it removed
    /// by id (a moved link: as a structural edit). After a transaction
    /// with structural edits, or a change of what an objective counts: in
    /// the set's node order, then removed nodes by id.
    pub moved: Vec<Moved>,
}

impl Changes {
    /// The nodes whose progress or band moved. O(1).
    #[must_use]
    pub fn moved(&self) -> &[Moved] {
        &self.moved
    }

    /// Whether nothing changed at all. O(1).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty() && self.moved.is_empty()
    }

    /// The move of one node, by id. O(moved).
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Moved> {
        self.moved.iter().find(|m| m.id.as_str() == id)
    }
}

/// One node whose progress or band moved: old → new. A node added by the
/// edit has no old values; a removed node no new ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Moved {
    /// The node.
    pub id: Id,
    /// Objective or key result.
    pub kind: NodeKind,
    /// Progress before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress_before: Option<Progress>,
    /// Progress after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    /// Band before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band_before: Option<Band>,
    /// Band after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
}

/// What an edit did itself, beside the progress it moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Change {
    /// A node was added.
    Added {
        /// The node.
        id: Id,
        /// What it is.
        kind: NodeKind,
    },
    /// A node was removed.
    Removed {
        /// The node.
        id: Id,
        /// What it was.
        kind: NodeKind,
    },
    /// A field of a node changed (title, owners, metric, weight, score, …).
    Updated {
        /// The node.
        id: Id,
        /// The field's name in `okrs/1`.
        field: &'static str,
    },
    /// An alignment link was added.
    Linked {
        /// The supporting objective.
        from: Id,
        /// What it aligns to.
        target: Id,
    },
    /// An alignment link was removed.
    Unlinked {
        /// The supporting objective.
        from: Id,
        /// What it aligned to.
        target: Id,
    },
    /// A check-in was recorded, corrected or deleted.
    CheckIn {
        /// The key result.
        key_result: Id,
        /// The check-in's id.
        check_in: Id,
        /// `recorded`, `corrected` or `deleted`.
        action: &'static str,
    },
    /// A period was added, removed, closed or reopened.
    Period {
        /// The period.
        id: Id,
        /// `added`, `removed`, `closed` or `reopened`.
        action: &'static str,
    },
}
