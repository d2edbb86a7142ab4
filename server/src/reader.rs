//! The one way reads reach the set: every endpoint that returns data about
//! nodes — reviews, a node, coverage, lint, impact, exports, periods, the
//! audit log, the event stream and the changes a write answers with —
//! goes through the person's [`Audience`]: an admin reads the whole set,
//! anyone else the engine's viewer view of it (`set.view(&viewer)`,
//! [`okrs::View`]), in which the private objectives they may not see do
//! not exist and every number is computed without them.
//!
//! - Reads of the committed set go through a [`Reader`], which holds the
//!   person's view ([`crate::views::Views`] keeps one per distinct set of
//!   hidden objectives, edit by edit, beside the committed set).
//! - Reviews come from the replica, which computes one per audience and
//!   date from its own copy of the views ([`crate::replica`]).
//! - The changes of a write and the events of the stream are computed by
//!   the writer for each person who writes or listens, from their view
//!   before and after ([`Seen`]); [`visible_event`] picks a listener's.
//! - The audit log shows an edit only when every node it names is in the
//!   reader's view now ([`visible_audit`]).
//!
//! A hidden node's id is answered exactly as an unknown one (404
//! `unknown-node`), never 403, which would tell that it exists.

use std::sync::Arc;

use okrs::{Change, Changes, Date, Edit, Id, Moved, Named, NodeKind, OkrSet, Viewer};
use serde::Serialize;

use crate::app::Committed;
use crate::auth::Person;
use crate::events::{Event, EventBody};
use crate::replica::{ReviewRow, ReviewView};
use crate::store::AuditEntry;

/// Who reads: an admin reads everything; anyone else their view.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Audience {
    /// The whole set (admins).
    Everything,
    /// What this viewer may see.
    Viewer(Viewer),
}

impl Audience {
    /// The audience a person belongs to: admins read everything, anyone
    /// else reads as a viewer with the token's person and groups (sorted,
    /// so that the same person always makes the same viewer).
    #[must_use]
    pub fn of(person: &Person) -> Self {
        if person.admin {
            return Self::Everything;
        }
        let mut groups = person.groups.clone();
        groups.sort();
        groups.dedup();
        Self::Viewer(Viewer {
            id: person.person.clone(),
            groups,
        })
    }

    /// The viewer, unless the audience reads everything.
    #[must_use]
    pub fn viewer(&self) -> Option<&Viewer> {
        match self {
            Self::Everything => None,
            Self::Viewer(viewer) => Some(viewer),
        }
    }
}

/// A person's reading of the committed set: the set itself for an admin,
/// their view for anyone else. Hold it no longer than the committed set's
/// read lock.
pub struct Reader<'a> {
    full: &'a OkrSet,
    view: Option<Arc<OkrSet>>,
}

/// The formats a set is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The `okrs/1` document as JSON.
    Json,
    /// The document as spreadsheet rows.
    Csv,
    /// Graphviz DOT.
    Dot,
    /// Mermaid.
    Mermaid,
    /// A Markdown report as of a date.
    Markdown,
}

impl ExportFormat {
    /// The format named in the URL.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "json" => Self::Json,
            "csv" => Self::Csv,
            "dot" => Self::Dot,
            "mermaid" => Self::Mermaid,
            "markdown" => Self::Markdown,
            _ => return None,
        })
    }

    /// Its media type.
    #[must_use]
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Dot => "text/vnd.graphviz; charset=utf-8",
            Self::Mermaid | Self::Markdown => "text/markdown; charset=utf-8",
        }
    }
}

impl<'a> Reader<'a> {
    /// The committed set as `person` may read it. The first read of a new
    /// view builds it (O(V): about 0.3 s at 100k nodes); later reads find
    /// it kept up to date.
    #[must_use]
    pub fn new(committed: &'a Committed, person: &Person) -> Self {
        let view = committed
            .views
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .view(&committed.set, &Audience::of(person));
        Self {
            full: &committed.set,
            view,
        }
    }

    /// The set read: the view, or the whole set.
    #[must_use]
    pub fn set(&self) -> &OkrSet {
        self.view.as_deref().unwrap_or(self.full)
    }

    /// Whether the reader may see the node.
    #[must_use]
    pub fn can_see(&self, id: &str) -> bool {
        self.set().contains(id)
    }

    /// A node's model value: the objective, key result or initiative as a
    /// document holds it (check-ins included; links to hidden objectives
    /// left out).
    #[must_use]
    pub fn node_detail(&self, id: &str) -> Option<serde_json::Value> {
        let node = self.set().node(id)?;
        let value = match node.kind() {
            NodeKind::Objective => serde_json::to_value(node.to_objective()?),
            NodeKind::KeyResult => serde_json::to_value(node.to_key_result()?),
            _ => serde_json::to_value(node.initiative()?),
        };
        value.ok()
    }

    /// The alignment coverage.
    #[must_use]
    pub fn coverage(&self) -> okrs::AlignmentCoverage {
        self.set().alignment_coverage()
    }

    /// The lint findings as of a date.
    #[must_use]
    pub fn lint(&self, as_of: Date) -> Vec<okrs::Finding> {
        self.set().lint(as_of)
    }

    /// Each key result's share of an objective.
    ///
    /// # Errors
    /// The engine's (unknown node, wrong kind).
    pub fn impact(&self, id: &str) -> Result<Vec<okrs::Impact>, okrs::Error> {
        self.set().impact(id)
    }

    /// The set exported.
    ///
    /// # Errors
    /// A document that cannot be written (not expected).
    pub fn export(&self, format: ExportFormat, as_of: Date) -> Result<String, String> {
        let set = self.set();
        Ok(match format {
            ExportFormat::Json => set.to_document().to_json().map_err(|e| e.to_string())?,
            ExportFormat::Csv => set.to_document().to_csv().map_err(|e| e.to_string())?,
            ExportFormat::Dot => set.to_dot(),
            ExportFormat::Mermaid => set.to_mermaid(),
            ExportFormat::Markdown => set.to_markdown(as_of),
        })
    }

    /// The periods (a closed one's grades of visible nodes only).
    #[must_use]
    pub fn periods(&self) -> Vec<okrs::Period> {
        self.set().periods().cloned().collect()
    }
}

/// The rows of a review in one period (or all). The review is the
/// audience's own (see [`crate::replica::Reviews::get`]).
#[must_use]
pub fn visible_review<'v>(view: &'v ReviewView, period: Option<&str>) -> Vec<&'v ReviewRow> {
    view.nodes
        .iter()
        .filter(|row| period.is_none_or(|p| row.period.as_ref().is_some_and(|id| id.as_str() == p)))
        .collect()
}

/// One node's row of the audience's review.
#[must_use]
pub fn visible_row<'v>(view: &'v ReviewView, id: &str) -> Option<&'v ReviewRow> {
    view.get(id)
}

/// What a listener of the event stream gets for one event.
#[derive(Debug, Clone)]
pub enum Delivery {
    /// This body.
    Send(Arc<EventBody>),
    /// Nothing: the request changed nothing the listener may see.
    Skip,
    /// `resync`: the writer did not compute this listener's part (it began
    /// to listen as the event was made); reload through the API.
    Resync,
}

/// An event as an audience may see it.
#[must_use]
pub fn visible_event(event: &Event, audience: &Audience) -> Delivery {
    match audience {
        Audience::Everything => Delivery::Send(event.full.clone()),
        Audience::Viewer(viewer) => match event.seen.get(viewer) {
            Some(Some(body)) => Delivery::Send(body.clone()),
            Some(None) => Delivery::Skip,
            None => Delivery::Resync,
        },
    }
}

/// Audit entries the reader may see: those whose every named node is in
/// the reader's view now. An edit about a node removed since is shown to
/// admins only: the log cannot tell whether it was private.
#[must_use]
pub fn visible_audit(entries: Vec<AuditEntry>, reader: &Reader<'_>) -> Vec<AuditEntry> {
    if reader.view.is_none() {
        return entries;
    }
    let set = reader.set();
    entries
        .into_iter()
        .filter(|entry| {
            serde_json::from_value::<okrs::Envelope>(entry.edit.clone())
                .ok()
                .and_then(|envelope| {
                    EditIds::of(&envelope.edit).map(|ids| ids.all().all(|id| set.contains(id)))
                })
                .unwrap_or(false)
        })
        .collect()
}

/// The nodes an edit names, for deciding who may see or make it.
#[derive(Debug, Default)]
pub struct EditIds {
    /// Nodes that must exist for the edit to apply: what it changes, what
    /// it links to, the key result of a check-in.
    pub refs: Vec<Id>,
    /// Nodes the edit adds (new ids).
    pub adds: Vec<Id>,
}

impl EditIds {
    /// The nodes of an edit, from [`Edit::ids`]; `None` for an edit this
    /// server does not know (its ids cannot be vouched for, so only admins
    /// may make it or read it). Periods are not nodes: everyone sees them;
    /// a check-in is vouched for by its key result.
    #[must_use]
    pub fn of(edit: &Edit) -> Option<Self> {
        let mut ids = Self::default();
        for (id, named) in edit.ids() {
            match named {
                Named::Node | Named::Linked => ids.refs.push(id),
                Named::Added => ids.adds.push(id),
                Named::CheckIn | Named::Period => {}
                _ => return None,
            }
        }
        Some(ids)
    }

    /// Every node named, referenced or added.
    pub fn all(&self) -> impl Iterator<Item = &str> + '_ {
        self.refs.iter().chain(&self.adds).map(Id::as_str)
    }
}

/// The key result a check-in id names (`<key result>#<n>`).
#[must_use]
pub fn key_result_of(check_in: &Id) -> Option<&str> {
    check_in
        .as_str()
        .rsplit_once('#')
        .map(|(key_result, _)| key_result)
}

/// The nodes a change names; `None` for a kind of change this server does
/// not know (shown to admins only).
fn change_ids(change: &Change) -> Option<Vec<&Id>> {
    Some(match change {
        Change::Added { id, .. } | Change::Removed { id, .. } | Change::Updated { id, .. } => {
            vec![id]
        }
        Change::Linked { from, target } | Change::Unlinked { from, target } => vec![from, target],
        Change::CheckIn { key_result, .. } => vec![key_result],
        Change::Period { .. } => Vec::new(),
        _ => return None,
    })
}

/// What an edit changed, as one reader sees it: the engine's `Changes`,
/// in the same JSON, holding only nodes the reader may see, with the
/// numbers of the reader's view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VisibleChanges {
    /// What the edits did, in order.
    pub edits: Vec<Change>,
    /// Nodes whose progress or band moved.
    pub moved: Vec<Moved>,
}

impl From<Changes> for VisibleChanges {
    fn from(changes: Changes) -> Self {
        Self {
            moved: changes.moved,
            edits: changes.edits,
        }
    }
}

impl VisibleChanges {
    /// Whether nothing changed at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.edits.is_empty() && self.moved.is_empty()
    }
}

/// What one request did as one reader sees it: the changes, and which of
/// its edits the reader may see (the event stream names only those).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The changes in the reader's view.
    pub changes: VisibleChanges,
    /// For each edit of the request, whether the reader may see it.
    pub shown: Vec<bool>,
}

impl Seen {
    /// Everything: what an admin (or a viewer who may see every node) sees.
    #[must_use]
    pub fn everything(changes: &Changes, edits: usize) -> Self {
        Self {
            changes: changes.clone().into(),
            shown: vec![true; edits],
        }
    }

    /// What changed between two readings of the set — `old` before the
    /// request, `new` after — for a request that may have changed who
    /// sees what: nodes that moved between them (O(V)), the request's
    /// changes that name only nodes the reader saw before or sees after,
    /// and those of its edits.
    #[must_use]
    pub fn between(old: &OkrSet, new: &OkrSet, full: &Changes, edits: &[&Edit]) -> Self {
        let known = |id: &str| old.contains(id) || new.contains(id);
        let changes = VisibleChanges {
            edits: full
                .edits
                .iter()
                .filter(|c| {
                    change_ids(c).is_some_and(|ids| ids.iter().all(|id| known(id.as_str())))
                })
                .cloned()
                .collect(),
            moved: new.moved_since(old),
        };
        let shown = edits
            .iter()
            .map(|edit| EditIds::of(edit).is_some_and(|ids| ids.all().all(known)))
            .collect();
        Self { changes, shown }
    }
}
