//! The running app: its configuration, start-up (the latest snapshot plus
//! the edits logged after it), and the state every request shares.
//!
//! Three copies of the set, each with one owner, so that nobody waits on
//! work that is not theirs:
//!
//! - the writer's working copy ([`crate::writer`]), where edits are
//!   validated and applied before they are logged;
//! - the committed copy, behind an `RwLock`: exactly what the log holds,
//!   updated after each commit; every read but reviews reads it;
//! - the replica's copy ([`crate::replica`]), which computes
//!   reviews (O(V): 140 ms at 100k nodes) and snapshots without holding
//!   any lock others need.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use okrs::{Envelope, OkrSet};
use tokio::sync::{broadcast, mpsc};

use crate::auth::Tokens;
use crate::events::{Event, Listeners};
use crate::replica::{self, Reviews};
use crate::store::{Snapshots, Store};
use crate::views::Views;
use crate::writer::{self, Command};

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SQLite database file.
    pub db: PathBuf,
    /// Where to listen.
    pub listen: SocketAddr,
    /// The bearer tokens.
    pub tokens: Tokens,
    /// Whether `tokens` are the shipped sample tokens.
    pub sample_tokens: bool,
    /// A snapshot of the document every this many edits.
    pub snapshot_every: u64,
    /// The largest request body, in bytes (413 above).
    pub body_limit: usize,
    /// The most requests one group commit takes.
    pub max_batch: usize,
    /// The document a new database starts from.
    pub seed: Seed,
}

/// What a new database starts from.
#[derive(Debug, Clone)]
pub enum Seed {
    /// The built-in sample organisation.
    Sample,
    /// A synthetic organisation of about this many nodes
    /// ([`okrs::sample::synthetic`]), for load tests.
    Synthetic(usize),
}

impl Config {
    /// The defaults: `okrs.db` in the working directory, 127.0.0.1:8080,
    /// the sample tokens, a snapshot every 100,000 edits (start-up replays
    /// at most that many: about a second at 100k nodes), 1 MiB bodies.
    #[must_use]
    pub fn new(db: impl Into<PathBuf>) -> Self {
        Self {
            db: db.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tokens: Tokens::parse(crate::auth::SAMPLE_TOKENS).unwrap_or_default(),
            sample_tokens: true,
            snapshot_every: 100_000,
            body_limit: 1 << 20,
            max_batch: 4096,
            seed: Seed::Sample,
        }
    }
}

/// The committed set, the last sequence number it includes, and the
/// viewer views of it that non-admins read.
#[derive(Debug)]
pub struct Committed {
    /// The set as the log holds it.
    pub set: OkrSet,
    /// The last edit applied to it (0 before any).
    pub seq: u64,
    /// Viewer views of `set`, kept in step with it by the writer; readers
    /// build missing ones under the lock ([`crate::reader::Reader`]).
    pub views: Mutex<Views>,
}

/// What every request shares.
pub struct App {
    /// The committed set: what the log holds.
    pub committed: RwLock<Committed>,
    /// The committed set's sequence number, readable without its lock
    /// (what "every edit acknowledged so far" means for a read).
    pub committed_seq: AtomicU64,
    /// Reviews as of dates, from the replica.
    pub reviews: Reviews,
    /// Accepted edits, for the event stream.
    pub events: broadcast::Sender<Arc<Event>>,
    /// Who listens to the event stream: the writer computes each one's
    /// part of every event.
    pub listeners: Listeners,
    /// The writer's queue.
    pub writer: mpsc::Sender<Command>,
    /// A connection for reading the audit log (WAL lets it read beside
    /// the writer).
    pub audit: Mutex<Store>,
    /// The bearer tokens.
    pub tokens: Tokens,
    /// The largest request body.
    pub body_limit: usize,
}

/// How start-up went.
#[derive(Debug, Clone, Copy)]
pub struct Startup {
    /// The snapshot's sequence number.
    pub snapshot_seq: u64,
    /// How many edits were replayed after it.
    pub replayed: u64,
    /// The last sequence number.
    pub seq: u64,
    /// How long reading, parsing and building the snapshot took.
    pub snapshot_load: std::time::Duration,
    /// How long loading and replaying took in all.
    pub elapsed: std::time::Duration,
}

/// Opens the database (seeding a new one), rebuilds the set from the
/// latest snapshot and the edits after it, and starts the writer and the
/// replica.
///
/// # Errors
/// The database cannot be opened, or what it holds does not load.
pub fn start(config: &Config) -> Result<(Arc<App>, Startup), String> {
    let started = Instant::now();
    let mut store = Store::open(&config.db).map_err(|e| db_error(&config.db, &e))?;
    let seed = match store
        .latest_snapshot()
        .map_err(|e| db_error(&config.db, &e))?
    {
        Some(seed) => seed,
        None => {
            // A new database: the seed is snapshot 0.
            let document = match config.seed {
                Seed::Sample => sample(),
                Seed::Synthetic(nodes) => synthetic(nodes),
            };
            let json = document.to_json().map_err(|e| e.to_string())?;
            store
                .put_seed(&json)
                .map_err(|e| db_error(&config.db, &e))?;
            (0, json)
        }
    };
    // The newest snapshot the log reaches, else the seed; a snapshot file
    // that cannot be read only costs a longer replay.
    let last_seq = store.last_seq().map_err(|e| db_error(&config.db, &e))?;
    let snapshots_path = Snapshots::path_for(&config.db);
    let newer = Snapshots::open(&snapshots_path)
        .and_then(|snapshots| snapshots.latest(last_seq))
        .unwrap_or_else(|e| {
            eprintln!(
                "okrs-server: ignoring the snapshots in {}: {e}",
                snapshots_path.display()
            );
            None
        });
    let mut loaded = None;
    for (seq, json) in newer.into_iter().chain(std::iter::once(seed)) {
        match okrs::Document::from_json(&json) {
            Ok(document) => {
                loaded = Some((seq, document));
                break;
            }
            Err(e) => eprintln!("okrs-server: ignoring the snapshot at {seq}: {e}"),
        }
    }
    let (snapshot_seq, document) = loaded.ok_or("the seed document does not load")?;
    let mut set = OkrSet::from_document(document).map_err(|e| format!("the snapshot: {e}"))?;
    let snapshot_load = started.elapsed();
    let requests = store
        .requests_after(snapshot_seq)
        .map_err(|e| db_error(&config.db, &e))?;
    let mut seq = snapshot_seq;
    let mut replayed = 0;
    for request in requests {
        let envelopes = request
            .envelopes
            .iter()
            .map(|text| serde_json::from_str::<Envelope>(text))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("edit {} in the log: {e}", request.first_seq))?;
        let count = envelopes.len() as u64;
        writer::apply_request(&mut set, request.is_list, envelopes)
            .map_err(|e| format!("edit {} in the log does not apply: {e}", request.first_seq))?;
        seq = request.first_seq + count - 1;
        replayed += count;
    }
    let startup = Startup {
        snapshot_seq,
        replayed,
        seq,
        snapshot_load,
        elapsed: started.elapsed(),
    };

    let audit = Store::open(&config.db).map_err(|e| db_error(&config.db, &e))?;
    let (events, _) = broadcast::channel(4096);
    let (writer_tx, writer_rx) = mpsc::channel(config.max_batch.max(1) * 2);
    let (replica_tx, replica_rx) = std::sync::mpsc::channel();
    let app = Arc::new(App {
        committed: RwLock::new(Committed {
            set: set.clone(),
            seq,
            views: Mutex::new(Views::new()),
        }),
        committed_seq: AtomicU64::new(seq),
        reviews: Reviews::new(replica_tx.clone()),
        events,
        listeners: Listeners::default(),
        writer: writer_tx,
        audit: Mutex::new(audit),
        tokens: config.tokens.clone(),
        body_limit: config.body_limit,
    });
    replica::spawn(
        set.clone(),
        seq,
        replica_rx,
        Arc::downgrade(&app),
        snapshots_path,
        config.snapshot_every,
        snapshot_seq,
    )?;
    writer::spawn(
        set,
        store,
        writer_rx,
        Arc::downgrade(&app),
        replica_tx,
        config.max_batch,
    )?;
    Ok((app, startup))
}

/// The built-in sample organisation, with one private objective: the
/// leadership's plan to open an office in Berlin, owned by the COO, seen by
/// the `leadership` group and by the head of people (who owns one of its
/// key results), hidden from everyone else. It contributes to "Grow new
/// revenue", whose progress therefore differs between those who may see
/// it and those who may not.
#[must_use]
pub fn sample() -> okrs::Document {
    let mut document = okrs::sample::document();
    let private = r#"{
        "id": "berlin-office", "title": "Open a sales office in Berlin", "level": "department",
        "owners": ["coo"], "period": "FY2026", "visibility": "private", "viewers": ["leadership"],
        "aligned_to": [{ "id": "grow-revenue" }],
        "key_results": [
          { "id": "berlin-lease", "title": "Sign the lease for the Berlin office", "owners": ["coo"],
            "metric": { "kind": "binary", "done": true } },
          { "id": "berlin-hires", "title": "Hire 4 people for the Berlin office", "owners": ["head-people"],
            "metric": { "kind": "numeric", "start": "0", "target": "4" },
            "check_ins": [ { "at": "2026-11-16", "value": "1", "confidence": "0.6", "by": "head-people" } ] }
        ] }"#;
    match serde_json::from_str(private) {
        Ok(objective) => document.objectives.push(objective),
        Err(e) => debug_assert!(false, "the sample's private objective: {e}"),
    }
    document
}

/// The synthetic organisation of [`okrs::sample::synthetic`], with one
/// in twenty of the individuals' objectives private to their owner's
/// group `finance` (nothing aligns to an individual's objective, so a
/// public one never aligns to a private one): a non-admin sees a view
/// without them, and the teams they align to count without them.
#[must_use]
pub fn synthetic(nodes: usize) -> okrs::Document {
    let mut document = okrs::sample::synthetic(nodes, 42);
    for (i, objective) in document.objectives.iter_mut().enumerate() {
        if objective.level == "individual" && i % 20 == 0 {
            objective.visibility = okrs::Visibility::Private;
            objective.viewers = vec!["finance".into()];
        }
    }
    document
}

fn db_error(path: &Path, error: &rusqlite::Error) -> String {
    format!("database {}: {error}", path.display())
}
