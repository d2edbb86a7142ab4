//! The writer: one thread that owns the working copy of the set and the
//! database connection, and commits edits in groups.
//!
//! Each turn it takes every request waiting (up to a maximum), checks who
//! may make each, applies each to its working copy (a refused request is
//! answered at once and changed nothing), appends the accepted ones to the
//! log in **one** SQLite transaction, and only after that commit — the
//! fsync — applies them to the committed copy readers see, publishes their
//! changes and answers them. Many concurrent writers thus share one fsync:
//! group commit.
//!
//! Ordering: apply first, then log. Applying is what validates an edit
//! (the engine has no separate dry run), and the working copy is the
//! writer's alone, so nobody sees an edit before it is durable. If the
//! commit fails, the working copy is replaced by a clone of the committed
//! copy (which never saw the batch), the batch is answered 503 and the set
//! and the log agree again.

use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender as StdSender;
use std::sync::{Arc, Weak};

use std::collections::HashMap;

use okrs::{Changes, Edit, Envelope, Id, Moment, OkrSet, Viewer};
use tokio::sync::{mpsc, oneshot};

use crate::app::App;
use crate::auth::{Forbidden, Person, authorize};
use crate::error::ApiError;
use crate::events::{Event, EventBody};
use crate::reader::{Audience, EditIds, Seen, VisibleChanges, key_result_of};
use crate::replica::ReplicaMessage;
use crate::store::{NewEdit, NewRequest, Store};

/// What the writer is asked to do.
#[derive(Debug)]
pub enum Command {
    /// Apply and log a request.
    Write(WriteRequest),
}

/// One request: an edit, or a list applied as one transaction.
#[derive(Debug)]
pub struct WriteRequest {
    /// Who asks.
    pub person: Person,
    /// The edits.
    pub edits: Vec<Edit>,
    /// Whether it came as a list (one transaction, even of one edit).
    pub is_list: bool,
    /// Where the answer goes.
    pub reply: oneshot::Sender<Result<Written, WriteError>>,
}

/// A request the log now holds.
#[derive(Debug, Clone)]
pub struct Written {
    /// The sequence number of its first edit.
    pub first_seq: u64,
    /// The sequence number of its last edit.
    pub last_seq: u64,
    /// What it changed, as its author may see it.
    pub changes: VisibleChanges,
}

/// Why a request was not written.
#[derive(Debug, Clone)]
pub enum WriteError {
    /// The person may not make one of the edits.
    Forbidden(Forbidden),
    /// The engine refused an edit (or, for a node the person may not see,
    /// would have refused it as unknown).
    Refused(okrs::Error),
    /// The engine refused an edit naming nodes the person may not see:
    /// the answer without them.
    Obscured(ApiError),
    /// The log could not be written; nothing changed.
    Storage(String),
}

/// A request as the replica applies it.
#[derive(Debug, Clone)]
pub struct CommittedRequest {
    /// Whether it was a list.
    pub is_list: bool,
    /// Its envelopes.
    pub envelopes: Vec<Envelope>,
}

/// Applies one request as it was applied live: one edit with `apply`, a
/// list with `apply_all`, so that replaying the log gives the same set.
///
/// # Errors
/// The engine's error; the set is then unchanged.
pub fn apply_request(
    set: &mut OkrSet,
    is_list: bool,
    envelopes: Vec<Envelope>,
) -> Result<Changes, okrs::Error> {
    if is_list {
        return set.apply_all(envelopes);
    }
    match envelopes.into_iter().next() {
        Some(envelope) => set.apply(envelope),
        None => Ok(Changes::default()),
    }
}

/// Starts the writer thread.
///
/// # Errors
/// The thread could not be spawned.
pub(crate) fn spawn(
    working: OkrSet,
    store: Store,
    queue: mpsc::Receiver<Command>,
    app: Weak<App>,
    replica: StdSender<ReplicaMessage>,
    max_batch: usize,
) -> Result<(), String> {
    let writer = Writer {
        working,
        store,
        queue,
        app,
        replica,
        max_batch: max_batch.max(1),
    };
    std::thread::Builder::new()
        .name("okrs-writer".into())
        .spawn(move || writer.run())
        .map(|_| ())
        .map_err(|e| format!("cannot start the writer: {e}"))
}

struct Writer {
    working: OkrSet,
    store: Store,
    queue: mpsc::Receiver<Command>,
    app: Weak<App>,
    replica: StdSender<ReplicaMessage>,
    max_batch: usize,
}

/// A request the working copy accepted, waiting for the commit.
struct Accepted {
    request: WriteRequest,
    envelopes: Vec<Envelope>,
    changes: Changes,
    row: NewRequest,
}

impl Writer {
    fn run(mut self) {
        while let Some(first) = self.queue.blocking_recv() {
            let mut commands = vec![first];
            while commands.len() < self.max_batch {
                match self.queue.try_recv() {
                    Ok(command) => commands.push(command),
                    Err(_) => break,
                }
            }
            self.turn(commands);
        }
    }

    /// One group commit.
    fn turn(&mut self, commands: Vec<Command>) {
        let mut accepted = Vec::new();
        let at = Moment::at(okrs::Timestamp::now(), okrs::jiff::tz::Offset::UTC);
        for Command::Write(request) in commands {
            if let Some(ok) = self.try_apply(request, at) {
                accepted.push(ok);
            }
        }
        if accepted.is_empty() {
            return;
        }
        let rows: Vec<&NewRequest> = accepted.iter().map(|a| &a.row).collect();
        let result = self.store.append(&rows);
        let Some(app) = self.app.upgrade() else {
            return;
        };
        match result {
            Ok(firsts) => self.publish(&app, accepted, &firsts),
            Err(error) => {
                // Nothing of the batch is in the log: neither may it be in
                // the working copy.
                self.working = read_committed(&app).set.clone();
                let message = format!("the edit log could not be written: {error}");
                for a in accepted {
                    let _ = a
                        .request
                        .reply
                        .send(Err(WriteError::Storage(message.clone())));
                }
            }
        }
    }

    /// Checks and applies one request to the working copy; a refused one
    /// is answered here.
    fn try_apply(&mut self, request: WriteRequest, at: Moment) -> Option<Accepted> {
        if let Err(error) = self.check(&request) {
            let _ = request.reply.send(Err(error));
            return None;
        }
        let author = request.person.person.clone();
        let envelopes: Vec<Envelope> = request
            .edits
            .iter()
            .map(|edit| {
                Envelope::new(signed(edit.clone(), &author))
                    .by(author.clone())
                    .at(at)
            })
            .collect();
        let rows = envelopes
            .iter()
            .map(|envelope| {
                Ok(NewEdit {
                    op: envelope.edit.op(),
                    envelope: serde_json::to_string(envelope)?,
                    nodes: crate::events::named_ids(&envelope.edit),
                })
            })
            .collect::<Result<Vec<_>, serde_json::Error>>();
        let rows = match rows {
            Ok(rows) => rows,
            Err(e) => {
                let _ = request.reply.send(Err(WriteError::Storage(format!(
                    "cannot encode the edit: {e}"
                ))));
                return None;
            }
        };
        match apply_request(&mut self.working, request.is_list, envelopes.clone()) {
            Ok(changes) => Some(Accepted {
                row: NewRequest {
                    is_list: request.is_list,
                    author,
                    at: at.to_string(),
                    edits: rows,
                },
                request,
                envelopes,
                changes,
            }),
            Err(error) => {
                let error = refused(&self.working, &request.person, error);
                let _ = request.reply.send(Err(error));
                None
            }
        }
    }

    /// Whether the person may make the request: they own what it edits
    /// ([`authorize`]) and may see every node it names. A node they may
    /// not see is answered exactly as one that does not exist: it passes
    /// `authorize` (which leaves unknown nodes to the engine), and the
    /// answer is the engine's for the request in the person's view, where
    /// the node does not exist — the request up to the first edit naming
    /// it, tried on a copy of the view and undone (O(V) for the copy: a
    /// cost only such requests pay).
    fn check(&mut self, request: &WriteRequest) -> Result<(), WriteError> {
        for edit in &request.edits {
            authorize(&self.working, &request.person, edit).map_err(WriteError::Forbidden)?;
        }
        let Audience::Viewer(viewer) = Audience::of(&request.person) else {
            return Ok(());
        };
        let Some((k, unknown)) =
            request.edits.iter().enumerate().find_map(|(k, edit)| {
                hidden_reference(&self.working, &viewer, edit).map(|e| (k, e))
            })
        else {
            return Ok(());
        };
        // The engine's answer in the person's world, where the node does
        // not exist: the request up to that edit, tried on a copy of their
        // view (and undone).
        let view = self.app.upgrade().and_then(|app| {
            let committed = read_committed(&app);
            let view = committed
                .views
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .view(&committed.set, &Audience::Viewer(viewer.clone()));
            view.map(|view| (*view).clone())
        });
        let mut view = view.unwrap_or_else(|| self.working.view(&viewer).into_set());
        Err(WriteError::Refused(
            probe(
                &mut view,
                request.edits.get(..=k).unwrap_or_default(),
                request.is_list,
            )
            .unwrap_or(unknown),
        ))
    }

    /// After the commit: the committed copy (and the views of it), the
    /// replica, the event stream, then the answers.
    fn publish(&mut self, app: &Arc<App>, accepted: Vec<Accepted>, firsts: &[u64]) {
        let listeners = app.listeners.viewers();
        let mut committed_requests = Vec::with_capacity(accepted.len());
        let mut seen_by = Vec::with_capacity(accepted.len());
        let mut last_seq = 0;
        let mut diverged = false;
        for (a, first) in accepted.iter().zip(firsts) {
            // The lock is taken per request, so that readers wait for one
            // request's apply at most, never for a whole batch's; each
            // request is durable already, so any prefix is a state the log
            // holds.
            let mut guard = write_committed(app);
            let committed = &mut *guard;
            let views = committed
                .views
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // What the request changes for each listener and its author,
            // from their views before and after.
            let mut viewers = listeners.clone();
            if let Audience::Viewer(author) = Audience::of(&a.request.person) {
                if !viewers.contains(&author) {
                    viewers.push(author);
                }
            }
            let pending = views.before(&committed.set, &a.envelopes, &viewers);
            diverged = diverged
                || apply_request(&mut committed.set, a.request.is_list, a.envelopes.clone())
                    .is_err();
            seen_by.push(views.after(
                &committed.set,
                pending,
                a.request.is_list,
                &a.envelopes,
                &a.changes,
            ));
            last_seq = first + a.envelopes.len() as u64 - 1;
            committed.seq = last_seq;
            drop(guard);
            app.committed_seq.store(last_seq, Ordering::Release);
            committed_requests.push(CommittedRequest {
                is_list: a.request.is_list,
                envelopes: a.envelopes.clone(),
            });
            // Let readers queued on the lock in before the next request:
            // the lock prefers writers, and this loop would otherwise take
            // it back before they wake.
            std::thread::yield_now();
        }
        if diverged {
            // The engine is deterministic, so this does not happen; if it
            // did, the working copy (which holds the whole batch) is the
            // truth the log agrees with.
            let mut committed = write_committed(app);
            committed.set = self.working.clone();
            committed
                .views
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clear();
        }
        if !committed_requests.is_empty() {
            let _ = self
                .replica
                .send(ReplicaMessage::Committed(committed_requests, last_seq));
        }
        for ((a, &first), seen) in accepted.into_iter().zip(firsts).zip(seen_by) {
            let last = first + a.envelopes.len() as u64 - 1;
            let ops: Vec<&'static str> = a.envelopes.iter().map(|e| e.edit.op()).collect();
            let named: Vec<Vec<String>> = a.row.edits.iter().map(|e| e.nodes.clone()).collect();
            let full = EventBody {
                first_seq: first,
                seq: last,
                by: a.row.author.clone(),
                at: a.row.at.clone(),
                ops: ops.clone(),
                nodes: named.iter().flatten().cloned().collect(),
                changes: a.changes.clone().into(),
            };
            let event = Event {
                seen: listeners
                    .iter()
                    .filter_map(|viewer| {
                        let part = full.seen_as(seen.get(viewer)?, &ops, &named);
                        Some((viewer.clone(), part.map(Arc::new)))
                    })
                    .collect(),
                full: Arc::new(full),
            };
            let _ = app.events.send(Arc::new(event));
            let changes = author_changes(&a.request.person, a.changes, &seen);
            let _ = a.request.reply.send(Ok(Written {
                first_seq: first,
                last_seq: last,
                changes,
            }));
        }
    }
}

/// What a request changed as its author may see it.
fn author_changes(
    person: &Person,
    changes: Changes,
    seen: &HashMap<Viewer, Arc<Seen>>,
) -> VisibleChanges {
    match Audience::of(person) {
        Audience::Everything => changes.into(),
        // Missing only with more distinct views at once than are kept:
        // nothing rather than something unchecked.
        Audience::Viewer(viewer) => seen
            .get(&viewer)
            .map(|seen| seen.changes.clone())
            .unwrap_or_default(),
    }
}

/// The error the engine would give if the first node of `edit` that
/// `viewer` may not see did not exist; `None` when they may see them all.
fn hidden_reference(set: &OkrSet, viewer: &Viewer, edit: &Edit) -> Option<okrs::Error> {
    let hidden = |id: &str| set.contains(id) && !set.is_visible_to(id, viewer);
    match edit {
        Edit::CorrectCheckIn { check_in, .. } | Edit::DeleteCheckIn { check_in, .. } => {
            key_result_of(check_in)
                .filter(|key_result| hidden(key_result))
                .map(|_| okrs::Error::UnknownCheckIn(check_in.clone()))
        }
        _ => EditIds::of(edit)?
            .refs
            .into_iter()
            .find(|id| hidden(id.as_str()))
            .map(okrs::Error::UnknownNode),
    }
}

/// Tries `edits` as the engine would take the request (one edit alone, a
/// list as one transaction) and undoes them: the error the engine gives,
/// if any. The set is as it was afterwards.
fn probe(set: &mut OkrSet, edits: &[Edit], is_list: bool) -> Option<okrs::Error> {
    if let [edit] = edits {
        if !is_list {
            // One edit, as `apply` takes it; undone by taking it on a copy.
            let mut copy = set.clone();
            return copy.apply(edit.clone()).err();
        }
    }
    // A last edit that always fails (a node no set has), so that the
    // transaction is always undone.
    let mut n = 0;
    let sentinel = loop {
        let id: Id = format!("okrs-server-probe-{n}").parse().ok()?;
        if !set.contains(id.as_str()) {
            break id;
        }
        n += 1;
    };
    let mut edits: Vec<Edit> = edits.to_vec();
    edits.push(Edit::SetTitle {
        id: sentinel.clone(),
        title: "probe".into(),
    });
    match set.apply_all(edits) {
        Err(okrs::Error::UnknownNode(id)) if id == sentinel => None,
        Err(error) => Some(error),
        Ok(_) => {
            debug_assert!(false, "a probe ending in an unknown node was applied");
            None
        }
    }
}

/// The engine's refusal as `person` may read it: when it names nodes they
/// may not see, those ids are left out and the message says no more than
/// the code.
fn refused(set: &OkrSet, person: &Person, error: okrs::Error) -> WriteError {
    let Audience::Viewer(viewer) = Audience::of(person) else {
        return WriteError::Refused(error);
    };
    let hidden = |id: &Id| {
        let node = if set.contains(id.as_str()) {
            Some(id.as_str())
        } else {
            key_result_of(id)
        };
        node.is_some_and(|node| set.contains(node) && !set.is_visible_to(node, &viewer))
    };
    let ids = error.ids();
    if !ids.iter().any(|id| hidden(id)) {
        return WriteError::Refused(error);
    }
    let code = error.code();
    WriteError::Obscured(
        ApiError::new(
            crate::error::status_for(code),
            code,
            format!("the edit is refused ({code})"),
        )
        .with_ids(
            ids.iter()
                .filter(|id| !hidden(id))
                .map(|id| id.as_str().to_owned())
                .collect(),
        )
        .with_field(error.field().map(str::to_owned)),
    )
}

/// The author signs a check-in: a client cannot record one in another
/// person's name.
fn signed(edit: Edit, author: &str) -> Edit {
    match edit {
        Edit::RecordCheckIn {
            key_result,
            mut check_in,
        } => {
            check_in.by = Some(author.to_owned());
            Edit::RecordCheckIn {
                key_result,
                check_in,
            }
        }
        other => other,
    }
}

/// The committed copy for reading; a poisoned lock (a panic while it was
/// held) still holds a consistent set, since every write to it is a
/// whole edit.
pub fn read_committed(app: &App) -> std::sync::RwLockReadGuard<'_, crate::app::Committed> {
    app.committed
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write_committed(app: &App) -> std::sync::RwLockWriteGuard<'_, crate::app::Committed> {
    app.committed
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
