//! Live updates: every committed request becomes an [`Event`] (who, when,
//! the ops, the nodes they name, and what it changed), broadcast to every
//! open server-sent events stream (`GET /api/events`), so pages update
//! without polling.
//!
//! An event holds the whole request for admins and, for each non-admin
//! listening ([`Listeners`]), what that person may see of it, computed by
//! the writer from their view before and after ([`crate::views`]): only
//! the edits and nodes they may see, and the progress of their view. A
//! request about nodes they may not see sends them nothing.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::response::sse::{KeepAlive, Sse};
use futures_util::Stream;
use okrs::{Edit, Viewer};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::reader::{Audience, Delivery, Seen, VisibleChanges};

/// A committed request, as the event stream sends it (`event: changes`).
#[derive(Debug, Clone, Serialize)]
pub struct EventBody {
    /// The sequence number of the request's first edit.
    pub first_seq: u64,
    /// The sequence number of its last edit.
    pub seq: u64,
    /// Who made it.
    pub by: String,
    /// When the server accepted it.
    pub at: String,
    /// Its edits' ops, in order (those the listener may see).
    pub ops: Vec<&'static str>,
    /// The nodes its edits name (those the listener may see).
    pub nodes: Vec<String>,
    /// What it changed.
    pub changes: VisibleChanges,
}

impl EventBody {
    /// The part of the event a reader may see (`seen`), given the ids
    /// each edit names; `None` when that is nothing.
    #[must_use]
    pub fn seen_as(
        &self,
        seen: &Seen,
        ops: &[&'static str],
        named: &[Vec<String>],
    ) -> Option<Self> {
        let shown = |i: usize| seen.shown.get(i).copied().unwrap_or(false);
        let ops: Vec<&'static str> = ops
            .iter()
            .enumerate()
            .filter(|(i, _)| shown(*i))
            .map(|(_, op)| *op)
            .collect();
        if ops.is_empty() && seen.changes.is_empty() {
            return None;
        }
        let mut nodes: Vec<String> = Vec::new();
        for (_, ids) in named.iter().enumerate().filter(|(i, _)| shown(*i)) {
            for id in ids {
                if !nodes.contains(id) {
                    nodes.push(id.clone());
                }
            }
        }
        Some(Self {
            first_seq: self.first_seq,
            seq: self.seq,
            by: self.by.clone(),
            at: self.at.clone(),
            ops,
            nodes,
            changes: seen.changes.clone(),
        })
    }
}

/// A committed request: the whole of it, and each listening viewer's part.
#[derive(Debug, Clone)]
pub struct Event {
    /// The whole request (for admins).
    pub full: Arc<EventBody>,
    /// What each non-admin listening when it was made may see of it
    /// (`None`: nothing).
    pub seen: HashMap<Viewer, Option<Arc<EventBody>>>,
}

/// The non-admins who listen to the event stream, with how many streams
/// each has open.
#[derive(Debug, Clone, Default)]
pub struct Listeners(Arc<Mutex<HashMap<Viewer, usize>>>);

impl Listeners {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Viewer, usize>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Everyone listening now.
    #[must_use]
    pub fn viewers(&self) -> Vec<Viewer> {
        self.lock().keys().cloned().collect()
    }

    /// Counts a stream in until the returned guard is dropped.
    #[must_use]
    pub fn listen(&self, viewer: Viewer) -> Listening {
        *self.lock().entry(viewer.clone()).or_insert(0) += 1;
        Listening {
            listeners: self.clone(),
            viewer,
        }
    }
}

/// One open stream of a viewer's; counted out when dropped.
#[derive(Debug)]
pub struct Listening {
    listeners: Listeners,
    viewer: Viewer,
}

impl Drop for Listening {
    fn drop(&mut self) {
        let mut map = self.listeners.lock();
        if let Some(count) = map.get_mut(&self.viewer) {
            *count -= 1;
            if *count == 0 {
                map.remove(&self.viewer);
            }
        }
    }
}

/// The ids an edit names: what the audit log is searched by (every id
/// [`Edit::ids`] gives, once each: a check-in's id names its key result
/// too).
#[must_use]
pub fn named_ids(edit: &Edit) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (id, _) in edit.ids() {
        if !out.iter().any(|o| o == id.as_str()) {
            out.push(id.as_str().to_owned());
        }
    }
    out
}

/// The event stream for one audience: each committed request's event as
/// JSON, as the audience may see it ([`crate::reader::visible_event`]). A
/// client too slow to keep up is sent `event: resync` (it missed events
/// and should reload) and goes on from the newest; so is a viewer whose
/// part of an event was not computed (it began listening as the event was
/// made). `listening` counts a viewer's stream in while it is open.
pub fn stream(
    events: broadcast::Receiver<Arc<Event>>,
    audience: Audience,
    listening: Option<Listening>,
) -> Sse<impl Stream<Item = Result<axum::response::sse::Event, Infallible>>> {
    let resync = |why: &str| {
        axum::response::sse::Event::default()
            .event("resync")
            .data(why)
    };
    let stream = futures_util::stream::unfold(
        (events, audience, listening),
        move |(mut events, audience, listening)| async move {
            loop {
                let sse = match events.recv().await {
                    Ok(event) => match crate::reader::visible_event(&event, &audience) {
                        Delivery::Send(body) => axum::response::sse::Event::default()
                            .event("changes")
                            .id(body.seq.to_string())
                            .json_data(&*body)
                            .unwrap_or_else(|_| resync("")),
                        Delivery::Skip => continue,
                        Delivery::Resync => resync("reload"),
                    },
                    Err(broadcast::error::RecvError::Lagged(_)) => resync("missed events"),
                    Err(broadcast::error::RecvError::Closed) => return None,
                };
                return Some((Ok(sse), (events, audience, listening)));
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
