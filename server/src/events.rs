//! Live updates: every committed request becomes an [`Event`] (who, when,
//! the ops, the nodes they name, and the engine's `Changes`), broadcast to
//! every open server-sent events stream (`GET /api/events`), so pages
//! update without polling.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{KeepAlive, Sse};
use futures_util::Stream;
use okrs::{Changes, Edit};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::auth::Person;

/// A committed request, as the event stream sends it (`event: changes`).
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// The sequence number of the request's first edit.
    pub first_seq: u64,
    /// The sequence number of its last edit.
    pub seq: u64,
    /// Who made it.
    pub by: String,
    /// When the server accepted it.
    pub at: String,
    /// Its edits' ops, in order.
    pub ops: Vec<&'static str>,
    /// The nodes its edits name.
    pub nodes: Vec<String>,
    /// What it changed.
    pub changes: Changes,
}

/// The ids an edit names: what the audit log is searched by. A check-in's
/// id (`<key result>#<n>`) also names its key result.
#[must_use]
pub fn named_ids(edit: &Edit) -> Vec<String> {
    let ids: Vec<&okrs::Id> = match edit {
        Edit::AddObjective { objective } => {
            let mut ids: Vec<&okrs::Id> = vec![&objective.id];
            ids.extend(objective.key_results.iter().map(|k| &k.id));
            ids.extend(objective.aligned_to.iter().map(|l| &l.id));
            ids
        }
        Edit::AddKeyResult { parent, key_result } => vec![parent, &key_result.id],
        Edit::AddInitiative {
            key_result,
            initiative,
        } => vec![key_result, &initiative.id],
        Edit::AddLink { from, link } => vec![from, &link.id],
        Edit::RemoveLink { from, target } | Edit::SetLinkWeight { from, target, .. } => {
            vec![from, target]
        }
        Edit::MoveLink { from, target, to } => vec![from, target, to],
        Edit::RemoveObjective { id }
        | Edit::RemoveKeyResult { id }
        | Edit::RemoveInitiative { id }
        | Edit::SetTitle { id, .. }
        | Edit::SetDescription { id, .. }
        | Edit::SetOwners { id, .. }
        | Edit::SetWeight { id, .. }
        | Edit::SetCommitment { id, .. }
        | Edit::SetLevel { id, .. }
        | Edit::SetPeriod { id, .. }
        | Edit::SetMetric { id, .. }
        | Edit::SetInitiativeStatus { id, .. } => vec![id],
        Edit::RecordCheckIn { key_result, .. } => vec![key_result],
        Edit::CorrectCheckIn { check_in, .. } | Edit::DeleteCheckIn { check_in, .. } => {
            let mut ids = vec![check_in.as_str().to_owned()];
            if let Some((key_result, _)) = check_in.as_str().rsplit_once('#') {
                ids.push(key_result.to_owned());
            }
            return ids;
        }
        Edit::AddPeriod { period } => vec![&period.id],
        Edit::RemovePeriod { id } => vec![id],
        Edit::ClosePeriod { period } | Edit::ReopenPeriod { period } => vec![period],
        Edit::CarryForward { objective, to, .. } => vec![objective, to],
        _ => Vec::new(),
    };
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.iter().any(|o| o == id.as_str()) {
            out.push(id.as_str().to_owned());
        }
    }
    out
}

/// The event stream for one person: each committed request's event as
/// JSON, through the reading seam ([`crate::reader::visible_event`]). A
/// client too slow to keep up is sent `event: resync` (it missed events
/// and should reload) and goes on from the newest.
pub fn stream(
    events: broadcast::Receiver<Arc<Event>>,
    viewer: Person,
) -> Sse<impl Stream<Item = Result<axum::response::sse::Event, Infallible>>> {
    let stream =
        futures_util::stream::unfold((events, viewer), |(mut events, viewer)| async move {
            loop {
                let sse = match events.recv().await {
                    Ok(event) => match crate::reader::visible_event(&event, &viewer) {
                        Some(event) => axum::response::sse::Event::default()
                            .event("changes")
                            .id(event.seq.to_string())
                            .json_data(&*event)
                            .unwrap_or_else(|_| {
                                axum::response::sse::Event::default()
                                    .event("resync")
                                    .data("")
                            }),
                        None => continue,
                    },
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        axum::response::sse::Event::default()
                            .event("resync")
                            .data("missed events")
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                };
                return Some((Ok(sse), (events, viewer)));
            }
        });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
