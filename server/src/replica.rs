//! The replica: a thread with its own copy of the set (and its own viewer
//! views of it, [`Views`]), kept up to date with every committed request,
//! which computes reviews and snapshots.
//!
//! A review is O(V) (140 ms at 100k nodes), so it is not computed per
//! request: the replica computes the review for each audience (admins: the
//! set; anyone else: their view) and date someone asked for in the last
//! minute, publishes it stamped with the sequence number it reflects, and
//! recomputes it when edits have moved on — at once when a reader waits
//! for a newer one, else at most every [`REFRESH`]. Audiences that share a
//! view share its review: it is computed once. A reader asks for a minimum
//! sequence number: by default every edit acknowledged before its request
//! (read your writes), or 0 for whatever the replica has (bounded
//! staleness, for dashboards under load).
//!
//! Every `snapshot_every` edits it writes the document as JSON to the
//! snapshot file ([`Snapshots`]) on its own connection; start-up then
//! replays only the edits after it. Neither blocks readers or the writer.

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use okrs::{Date, Id, Metric, NodeKind, NodeReview, OkrSet};
use serde::Serialize;
use tokio::sync::watch;

use crate::app::App;
use crate::reader::Audience;
use crate::store::Snapshots;
use crate::views::Views;
use crate::writer::{CommittedRequest, apply_request};

/// How often a review that nobody waits for is brought up to date while
/// edits arrive.
pub const REFRESH: Duration = Duration::from_secs(1);

/// How long a date stays wanted after its last request.
const WANTED_FOR: Duration = Duration::from_secs(60);

/// How many reviews — distinct views and dates — are kept up to date at
/// once: each costs a review per refresh, so clients walking through dates
/// (or many views) cannot keep the replica busy with hundreds. The one
/// asked for longest ago gives way. Audiences that read the same view
/// share its review, however many they are.
const MAX_REVIEWS: usize = 8;

/// How many audiences and dates are remembered as wanted at once (a
/// bound on memory only: those reading one view share one review).
const MAX_WANTED: usize = 4096;

/// Whose review as of when.
type Wanted = (Audience, Date);

/// A review as the replica computes it: of a view (its key; `None` for the
/// whole set) as of a date.
type ReviewKey = (Option<crate::views::Key>, Date);

/// What the replica is told.
#[derive(Debug)]
pub enum ReplicaMessage {
    /// Requests the log now holds, up to this sequence number.
    Committed(Vec<CommittedRequest>, u64),
    /// Someone waits for a review as of this date.
    Wanted,
}

/// One node in a review, with what a page shows beside the numbers.
#[derive(Debug, Clone, Serialize)]
pub struct ReviewRow {
    /// Progress, band, expected, status, confidence, forecast.
    #[serde(flatten)]
    pub review: NodeReview,
    /// The title.
    pub title: String,
    /// The level (objectives).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The owners.
    pub owners: Vec<String>,
    /// The period (a key result's is its objective's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<Id>,
    /// What a key result belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<Id>,
    /// What an objective aligns to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aligned_to: Vec<Id>,
    /// A key result's metric (for a check-in form).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric: Option<Metric>,
    /// `private` for a private objective (its key results share it);
    /// absent for public ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<okrs::Visibility>,
    /// Who besides its owners may see a private objective.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub viewers: Vec<String>,
}

/// A whole review as of a date, at a sequence number.
#[derive(Debug, Serialize)]
pub struct ReviewView {
    /// The last edit it reflects.
    pub seq: u64,
    /// The review's date.
    pub as_of: Date,
    /// Every objective and key result, in the set's order.
    pub nodes: Vec<ReviewRow>,
    #[serde(skip)]
    index: HashMap<Id, usize>,
}

impl ReviewView {
    /// One node's row.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&ReviewRow> {
        self.nodes.get(*self.index.get(id)?)
    }

    fn build(set: &OkrSet, seq: u64, as_of: Date) -> Self {
        let review = set.review(as_of);
        let mut nodes = Vec::with_capacity(review.len());
        let mut index = HashMap::with_capacity(review.len());
        for node_review in review.iter() {
            let Some(node) = set.node(node_review.id.as_str()) else {
                continue;
            };
            let is_objective = node.kind() == NodeKind::Objective;
            index.insert(node.id().clone(), nodes.len());
            nodes.push(ReviewRow {
                review: node_review.clone(),
                title: node.title().to_owned(),
                level: node.level().map(str::to_owned),
                owners: node.owners().to_vec(),
                period: node.objective().period().map(|p| p.id.clone()),
                parent: if is_objective {
                    None
                } else {
                    node.parent().map(|p| p.id().clone())
                },
                aligned_to: node.aligned_to().map(|l| l.target().id().clone()).collect(),
                metric: node.metric().cloned(),
                visibility: (is_objective && !node.visibility().is_public())
                    .then(|| node.visibility()),
                viewers: if is_objective {
                    node.viewers().to_vec()
                } else {
                    Vec::new()
                },
            });
        }
        Self {
            seq,
            as_of,
            nodes,
            index,
        }
    }
}

/// Why a review could not be had.
#[derive(Debug, Clone, Copy)]
pub struct ReviewTimeout;

#[derive(Default)]
struct ReviewsInner {
    published: HashMap<Wanted, Arc<ReviewView>>,
    /// Reviews asked for: when last, and the newest sequence number a
    /// reader waits for.
    wanted: HashMap<Wanted, (Instant, u64)>,
}

/// The reviews the replica publishes, shared with request handlers.
pub struct Reviews {
    inner: Mutex<ReviewsInner>,
    published: watch::Sender<u64>,
    replica: Sender<ReplicaMessage>,
}

impl Reviews {
    pub(crate) fn new(replica: Sender<ReplicaMessage>) -> Self {
        Self {
            inner: Mutex::new(ReviewsInner::default()),
            published: watch::Sender::new(0),
            replica,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ReviewsInner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The audience's review as of `as_of` reflecting at least edit
    /// `min_seq`, waiting for the replica up to `timeout`.
    ///
    /// # Errors
    /// [`ReviewTimeout`] when none came in time.
    pub async fn get(
        &self,
        audience: Audience,
        as_of: Date,
        min_seq: u64,
        timeout: Duration,
    ) -> Result<Arc<ReviewView>, ReviewTimeout> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut published = self.published.subscribe();
        let wanted: Wanted = (audience, as_of);
        loop {
            {
                let mut inner = self.lock();
                let now = Instant::now();
                let want = inner.wanted.entry(wanted.clone()).or_insert((now, 0));
                want.0 = now;
                if let Some(view) = inner.published.get(&wanted) {
                    if view.seq >= min_seq {
                        return Ok(view.clone());
                    }
                }
                let want = inner.wanted.entry(wanted.clone()).or_insert((now, 0));
                want.1 = want.1.max(min_seq);
                while inner.wanted.len() > MAX_WANTED {
                    let oldest = inner
                        .wanted
                        .iter()
                        .filter(|(key, _)| **key != wanted)
                        .min_by_key(|(_, (asked, _))| *asked)
                        .map(|(key, _)| key.clone());
                    match oldest {
                        Some(key) => inner.wanted.remove(&key),
                        None => break,
                    };
                }
            }
            published.mark_unchanged();
            let _ = self.replica.send(ReplicaMessage::Wanted);
            if tokio::time::timeout_at(deadline, published.changed())
                .await
                .is_err()
            {
                return Err(ReviewTimeout);
            }
        }
    }
}

/// Starts the replica thread.
///
/// # Errors
/// The thread could not be spawned.
pub(crate) fn spawn(
    set: OkrSet,
    seq: u64,
    inbox: Receiver<ReplicaMessage>,
    app: Weak<App>,
    snapshots: std::path::PathBuf,
    snapshot_every: u64,
    snapshot_seq: u64,
) -> Result<(), String> {
    let replica = Replica {
        set,
        seq,
        inbox,
        app,
        snapshots,
        snapshot_every: snapshot_every.max(1),
        snapshot_seq,
        computed: HashMap::new(),
        views: Views::new(),
    };
    std::thread::Builder::new()
        .name("okrs-replica".into())
        .spawn(move || replica.run())
        .map(|_| ())
        .map_err(|e| format!("cannot start the replica: {e}"))
}

struct Replica {
    set: OkrSet,
    seq: u64,
    inbox: Receiver<ReplicaMessage>,
    app: Weak<App>,
    snapshots: std::path::PathBuf,
    snapshot_every: u64,
    snapshot_seq: u64,
    /// When each review (view and date) was last computed.
    computed: HashMap<ReviewKey, Instant>,
    /// The views of `set` that reviews are computed from.
    views: Views,
}

impl Replica {
    fn run(mut self) {
        loop {
            match self.inbox.recv_timeout(REFRESH) {
                Ok(message) => self.take(message),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            while let Ok(message) = self.inbox.try_recv() {
                self.take(message);
            }
            let Some(app) = self.app.upgrade() else {
                return; // the app is gone: so is the need for reviews
            };
            self.refresh(&app);
            drop(app);
            if self.seq >= self.snapshot_seq + self.snapshot_every {
                self.snapshot();
            }
        }
    }

    fn take(&mut self, message: ReplicaMessage) {
        if let ReplicaMessage::Committed(requests, seq) = message {
            for request in requests {
                match apply_request(&mut self.set, request.is_list, request.envelopes.clone()) {
                    Ok(changes) => self.views.follow_or_clear(
                        &self.set,
                        request.is_list,
                        &request.envelopes,
                        &changes,
                    ),
                    Err(_) => {
                        // Cannot happen (the same edits applied to the same
                        // set live); if it did, the committed copy is the
                        // truth.
                        if let Some(app) = self.app.upgrade() {
                            self.set = crate::writer::read_committed(&app).set.clone();
                        }
                        self.views.clear();
                        break;
                    }
                }
            }
            self.seq = seq;
        }
    }

    /// Recomputes the wanted reviews that are behind: once per distinct
    /// view and date, shared by every audience reading that view; at most
    /// [`MAX_REVIEWS`] of them, those asked for last.
    fn refresh(&mut self, app: &App) {
        let now = Instant::now();
        let wanted: Vec<(Wanted, Instant, u64)> = {
            let mut inner = app.reviews.lock();
            inner
                .wanted
                .retain(|_, (asked, _)| now.duration_since(*asked) < WANTED_FOR);
            inner
                .wanted
                .iter()
                .map(|(wanted, (asked, waited_for))| (wanted.clone(), *asked, *waited_for))
                .collect()
        };
        // By review: the view (its key; `None` for the set) and the date.
        let mut reviews: HashMap<ReviewKey, Vec<(Wanted, Instant, u64)>> = HashMap::new();
        for entry in wanted {
            let (audience, date) = &entry.0;
            let key = audience
                .viewer()
                .map(|viewer| self.views.key(&self.set, viewer))
                .filter(|key| !key.is_empty());
            reviews.entry((key, *date)).or_default().push(entry);
        }
        if reviews.len() > MAX_REVIEWS {
            let mut by_ask: Vec<(ReviewKey, Instant)> = reviews
                .iter()
                .map(|(review, entries)| {
                    let last = entries.iter().map(|(_, asked, _)| *asked).max();
                    (review.clone(), last.unwrap_or(now))
                })
                .collect();
            by_ask.sort_by_key(|(_, asked)| std::cmp::Reverse(*asked));
            let mut inner = app.reviews.lock();
            for (review, _) in by_ask.split_off(MAX_REVIEWS) {
                for (wanted, _, _) in reviews.remove(&review).unwrap_or_default() {
                    inner.wanted.remove(&wanted);
                }
            }
        }
        for (review, entries) in reviews {
            let (due, current) = {
                let inner = app.reviews.lock();
                let stale_long = self
                    .computed
                    .get(&review)
                    .is_none_or(|at| now.duration_since(*at) >= REFRESH);
                let due = entries.iter().any(|(wanted, _, waited_for)| {
                    let published = inner.published.get(wanted);
                    let behind = published.is_none_or(|v| v.seq < self.seq);
                    let someone_waits = published.is_none_or(|v| *waited_for > v.seq);
                    behind && (someone_waits || stale_long)
                });
                // One of them may have it up to date already (the same
                // view, asked for by someone else first).
                let current = entries.iter().find_map(|(wanted, _, _)| {
                    inner
                        .published
                        .get(wanted)
                        .filter(|v| v.seq == self.seq)
                        .cloned()
                });
                (due, current)
            };
            if !due {
                continue;
            }
            let view = if let Some(view) = current {
                view
            } else {
                let audience = &entries.first().map(|(wanted, _, _)| wanted.0.clone());
                let set = audience
                    .as_ref()
                    .and_then(|audience| self.views.view(&self.set, audience));
                let view = Arc::new(ReviewView::build(
                    set.as_deref().unwrap_or(&self.set),
                    self.seq,
                    review.1,
                ));
                drop(set);
                self.computed.insert(review.clone(), Instant::now());
                view
            };
            let mut inner = app.reviews.lock();
            let replaced: Vec<_> = entries
                .into_iter()
                .filter_map(|(wanted, _, _)| inner.published.insert(wanted, view.clone()))
                .collect();
            let unwanted: Vec<Wanted> = inner
                .published
                .keys()
                .filter(|w| !inner.wanted.contains_key(w))
                .cloned()
                .collect();
            let dropped: Vec<_> = unwanted
                .iter()
                .filter_map(|w| inner.published.remove(w))
                .collect();
            drop(inner);
            app.reviews
                .published
                .send_modify(|generation| *generation += 1);
            // Freeing a review of 100k rows takes milliseconds: never
            // while readers wait for the lock.
            drop((replaced, dropped));
        }
        self.computed
            .retain(|_, at| now.duration_since(*at) < WANTED_FOR);
    }

    fn snapshot(&mut self) {
        let stored = self
            .set
            .to_document()
            .to_json()
            .map_err(|e| e.to_string())
            .and_then(|json| {
                Snapshots::open(&self.snapshots)
                    .and_then(|mut snapshots| snapshots.put(self.seq, &json))
                    .map_err(|e| e.to_string())
            });
        match stored {
            Ok(()) => self.snapshot_seq = self.seq,
            Err(e) => {
                // Tried again after the next `snapshot_every` edits; until
                // then start-up replays more.
                eprintln!("okrs-server: the snapshot at {} failed: {e}", self.seq);
                self.snapshot_seq = self.seq;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(name: &str) -> Audience {
        Audience::Viewer(okrs::Viewer::new(name))
    }

    #[tokio::test]
    async fn audiences_reading_the_same_view_share_one_review() {
        let dir = std::env::temp_dir().join(format!("okrs-replica-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (app, _) = crate::start(&crate::Config::new(dir.join("okrs.db"))).unwrap();
        let date: Date = "2026-12-01".parse().unwrap();
        let wait = Duration::from_secs(30);
        // Forty people who may not see the private objective, more than
        // the reviews kept at once: one review, theirs.
        let mut reviews = Vec::new();
        for n in 0..40 {
            reviews.push(
                app.reviews
                    .get(viewer(&format!("person{n}")), date, 0, wait)
                    .await
                    .unwrap(),
            );
        }
        assert!(reviews.iter().all(|r| Arc::ptr_eq(r, &reviews[0])));
        assert!(reviews[0].get("berlin-office").is_none());
        // Those who may see it share another; the admin reads the set's.
        let coo = app.reviews.get(viewer("coo"), date, 0, wait).await.unwrap();
        let admin = app
            .reviews
            .get(Audience::Everything, date, 0, wait)
            .await
            .unwrap();
        assert!(!Arc::ptr_eq(&coo, &reviews[0]));
        assert!(coo.get("berlin-office").is_some() && admin.get("berlin-office").is_some());
        // All forty are still served from the one review.
        let again = app
            .reviews
            .get(viewer("person0"), date, 0, wait)
            .await
            .unwrap();
        assert!(Arc::ptr_eq(&again, &reviews[0]));
        drop(app);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
