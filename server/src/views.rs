//! Viewer views kept beside a copy of the set, edit by edit.
//!
//! Building a view is O(V) (about 0.3 s at 100k nodes), too slow for every
//! read or every edit; so a [`Views`] keeps the views people read beside
//! the set they are views of, and applies each committed request to them
//! as well:
//!
//! - Viewers who may not see the same private objectives share one view
//!   (the view depends on nothing else), and a viewer who may see every
//!   objective reads the set itself, with no view at all. An organisation
//!   with a few private objectives has a handful of views, however many
//!   people read it.
//! - A request whose edits only change values — check-ins, titles,
//!   weights, metrics, links, initiatives ([`follows`]) — is applied to
//!   each view too, leaving out the edits that name a node the view does
//!   not hold (under the engine's exclude rule such an edit changes
//!   nothing in it): about as cheap as the edit itself, and the view's
//!   own `Changes` are what the request changed as its viewers see it.
//! - Any other request (visibility, owners, adding or removing objectives
//!   and key results, periods, carrying forward, moving a link) may change
//!   who sees what: every view is dropped and built again when next read.

use std::collections::HashMap;
use std::sync::Arc;

use okrs::{Changes, Edit, Envelope, Id, OkrSet, Viewer};

use crate::reader::{Audience, Seen, key_result_of};
use crate::writer::apply_request;

/// The private objectives a viewer may not see, in the set's order: the
/// views of two viewers with the same key are the same. Empty: the viewer
/// sees everything.
pub type Key = Arc<[Id]>;

/// The most views kept at once (each holds the visible part of the set);
/// the one read longest ago gives way.
pub const MAX_VIEWS: usize = 16;

struct Slot {
    set: Arc<OkrSet>,
    /// A viewer of this view, to build it again from.
    viewer: Viewer,
    /// When it was last read (a counter).
    used: u64,
}

/// Views of one set, kept in step with it (see the module's description).
#[derive(Default)]
pub struct Views {
    keys: HashMap<Viewer, Key>,
    views: HashMap<Key, Slot>,
    clock: u64,
}

impl std::fmt::Debug for Views {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Views")
            .field("viewers", &self.keys.len())
            .field("views", &self.views.len())
            .finish()
    }
}

/// Whether a request's edits can be followed edit by edit in every view
/// (they change no one's visibility and no closed period).
#[must_use]
pub fn follows(edits: &[&Edit]) -> bool {
    edits.iter().all(|edit| anchors(edit).is_some())
}

/// The nodes an edit that [`follows`] acts on; a view that holds them all
/// takes the edit, any other is untouched by it. `None`: the edit may
/// change who sees what.
fn anchors(edit: &Edit) -> Option<Vec<&str>> {
    Some(match edit {
        Edit::RecordCheckIn { key_result, .. } | Edit::AddInitiative { key_result, .. } => {
            vec![key_result.as_str()]
        }
        Edit::CorrectCheckIn { check_in, .. } | Edit::DeleteCheckIn { check_in, .. } => {
            vec![key_result_of(check_in)?]
        }
        Edit::SetTitle { id, .. }
        | Edit::SetDescription { id, .. }
        | Edit::SetWeight { id, .. }
        | Edit::SetCommitment { id, .. }
        | Edit::SetLevel { id, .. }
        | Edit::SetMetric { id, .. }
        | Edit::SetInitiativeStatus { id, .. }
        | Edit::RemoveInitiative { id } => vec![id.as_str()],
        // A link from or to a node the view does not hold is not in it;
        // a moved link may leave or enter the view, so it is not here.
        Edit::AddLink { from, link } => vec![from.as_str(), link.id.as_str()],
        Edit::RemoveLink { from, target } | Edit::SetLinkWeight { from, target, .. } => {
            vec![from.as_str(), target.as_str()]
        }
        _ => return None,
    })
}

/// The viewers a request must be followed for before it is applied
/// ([`Views::before`]), and what they read before it.
pub struct Pending {
    follows: bool,
    /// Each viewer and what they read before: their view, or the whole set
    /// (`None`).
    before: Vec<(Viewer, Option<Arc<OkrSet>>)>,
    /// The whole set before, when someone read it and the request may
    /// change who sees what.
    full_before: Option<OkrSet>,
}

impl Views {
    /// No views yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The private objectives `viewer` may not see in `full`. O(objectives)
    /// the first time, then kept until a request may change them.
    pub fn key(&mut self, full: &OkrSet, viewer: &Viewer) -> Key {
        if let Some(key) = self.keys.get(viewer) {
            return key.clone();
        }
        let key: Key = full
            .objectives()
            .filter(|o| !o.visibility().is_public() && !full.is_visible_to(o.id().as_str(), viewer))
            .map(|o| o.id().clone())
            .collect();
        self.keys.insert(viewer.clone(), key.clone());
        key
    }

    /// What an audience reads of `full`: its view, or `None` for the whole
    /// set (admins, and viewers who may see every objective). Builds the
    /// view the first time (O(V)).
    pub fn view(&mut self, full: &OkrSet, audience: &Audience) -> Option<Arc<OkrSet>> {
        let viewer = audience.viewer()?;
        let key = self.key(full, viewer);
        if key.is_empty() {
            return None;
        }
        self.clock += 1;
        if let Some(slot) = self.views.get_mut(&key) {
            slot.used = self.clock;
            return Some(slot.set.clone());
        }
        if self.views.len() >= MAX_VIEWS {
            let oldest = self
                .views
                .iter()
                .min_by_key(|(_, slot)| slot.used)
                .map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                self.views.remove(&oldest);
            }
        }
        let set = Arc::new(full.view(viewer).into_set());
        self.views.insert(
            key,
            Slot {
                set: set.clone(),
                viewer: viewer.clone(),
                used: self.clock,
            },
        );
        Some(set)
    }

    /// Forgets every view and key (after a request that may change who
    /// sees what).
    pub fn clear(&mut self) {
        self.keys.clear();
        self.views.clear();
    }

    /// Keeps every view in step with a request that [`follows`], which
    /// `full` has just taken (its `changes`): each view takes the edits
    /// that name only nodes it holds. Returns, per view, what the request
    /// changed in it. A view that refuses what it takes (not expected) is
    /// built again and compared whole.
    pub fn follow(
        &mut self,
        full: &OkrSet,
        is_list: bool,
        envelopes: &[Envelope],
        changes: &Changes,
    ) -> HashMap<Key, Arc<Seen>> {
        let mut seen = HashMap::with_capacity(self.views.len());
        for (key, slot) in &mut self.views {
            let shown: Vec<bool> = envelopes
                .iter()
                .map(|e| {
                    anchors(&e.edit).is_some_and(|ids| ids.iter().all(|id| slot.set.contains(id)))
                })
                .collect();
            let taken: Vec<Envelope> = envelopes
                .iter()
                .zip(&shown)
                .filter(|(_, shown)| **shown)
                .map(|(e, _)| e.clone())
                .collect();
            let result = if taken.is_empty() {
                Seen {
                    changes: crate::reader::VisibleChanges::default(),
                    shown,
                }
            } else {
                match apply_request(Arc::make_mut(&mut slot.set), is_list, taken) {
                    Ok(changes) => Seen {
                        changes: changes.into(),
                        shown,
                    },
                    Err(_) => {
                        let old = slot.set.clone();
                        slot.set = Arc::new(full.view(&slot.viewer).into_set());
                        let edits: Vec<&Edit> = envelopes.iter().map(|e| &e.edit).collect();
                        Seen::between(&old, &slot.set, changes, &edits)
                    }
                }
            };
            seen.insert(key.clone(), Arc::new(result));
        }
        seen
    }

    /// Keeps the views in step with a request `full` has just taken:
    /// followed when it [`follows`], else every view dropped. For a copy
    /// of the set that needs no one's changes (the replica).
    pub fn follow_or_clear(
        &mut self,
        full: &OkrSet,
        is_list: bool,
        envelopes: &[Envelope],
        changes: &Changes,
    ) {
        let edits: Vec<&Edit> = envelopes.iter().map(|e| &e.edit).collect();
        if follows(&edits) {
            self.follow(full, is_list, envelopes, changes);
        } else {
            self.clear();
        }
    }

    /// Before `full` takes a request: makes sure each of `viewers` has its
    /// view, and keeps what they read in case the request changes who sees
    /// what. Hand the result to [`Views::after`].
    pub fn before(&mut self, full: &OkrSet, envelopes: &[Envelope], viewers: &[Viewer]) -> Pending {
        let edits: Vec<&Edit> = envelopes.iter().map(|e| &e.edit).collect();
        let follows = follows(&edits);
        let before: Vec<(Viewer, Option<Arc<OkrSet>>)> = viewers
            .iter()
            .map(|viewer| {
                let view = self.view(full, &Audience::Viewer(viewer.clone()));
                (viewer.clone(), view)
            })
            .collect();
        let full_before =
            (!follows && before.iter().any(|(_, view)| view.is_none())).then(|| full.clone());
        Pending {
            follows,
            before: if follows {
                // Following needs the views to exist, not the old ones.
                before
                    .into_iter()
                    .map(|(viewer, _)| (viewer, None))
                    .collect()
            } else {
                before
            },
            full_before,
        }
    }

    /// After `full` took the request (its `changes`): keeps the views in
    /// step and returns what it changed as each of the pending viewers
    /// sees it. A viewer missing from the answer (more distinct views at
    /// once than [`MAX_VIEWS`]) is not expected.
    pub fn after(
        &mut self,
        full: &OkrSet,
        pending: Pending,
        is_list: bool,
        envelopes: &[Envelope],
        changes: &Changes,
    ) -> HashMap<Viewer, Arc<Seen>> {
        let mut out = HashMap::with_capacity(pending.before.len());
        if pending.follows {
            let by_key = self.follow(full, is_list, envelopes, changes);
            let everything = Arc::new(Seen::everything(changes, envelopes.len()));
            for (viewer, _) in pending.before {
                let key = self.key(full, &viewer);
                let seen = if key.is_empty() {
                    Some(everything.clone())
                } else {
                    by_key.get(&key).cloned()
                };
                if let Some(seen) = seen {
                    out.insert(viewer, seen);
                }
            }
            return out;
        }
        self.clear();
        let edits: Vec<&Edit> = envelopes.iter().map(|e| &e.edit).collect();
        for (viewer, old) in pending.before {
            let new = self.view(full, &Audience::Viewer(viewer.clone()));
            let seen = match (&old, &new) {
                (None, None) => Seen::everything(changes, envelopes.len()),
                _ => {
                    let Some(old) = old.as_deref().or(pending.full_before.as_ref()) else {
                        continue;
                    };
                    Seen::between(old, new.as_deref().unwrap_or(full), changes, &edits)
                }
            };
            out.insert(viewer, Arc::new(seen));
        }
        out
    }
}
