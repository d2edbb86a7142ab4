//! The running app: its configuration, start-up (the latest snapshot plus
//! the edits logged after it), and the state every request shares.
//!
//! Three copies of the set, each with one owner, so that nobody waits on
//! work that is not theirs:
//!
//! - the writer's working copy ([`writer`](crate::writer)), where edits are
//!   validated and applied before they are logged;
//! - the committed copy, behind an `RwLock`: exactly what the log holds,
//!   updated after each commit; every read but reviews reads it;
//! - the replica's copy ([`replica`](crate::replica)), which computes
//!   reviews (O(V): 140 ms at 100k nodes) and snapshots without holding
//!   any lock others need.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use okrs::{Envelope, OkrSet};
use tokio::sync::{broadcast, mpsc};

use crate::auth::Tokens;
use crate::events::Event;
use crate::replica::{self, Reviews};
use crate::store::Store;
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
    /// the sample tokens, a snapshot every 10,000 edits, 1 MiB bodies.
    #[must_use]
    pub fn new(db: impl Into<PathBuf>) -> Self {
        Self {
            db: db.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tokens: Tokens::parse(crate::auth::SAMPLE_TOKENS).unwrap_or_default(),
            sample_tokens: true,
            snapshot_every: 10_000,
            body_limit: 1 << 20,
            max_batch: 4096,
            seed: Seed::Sample,
        }
    }
}

/// The committed set and the last sequence number it includes.
#[derive(Debug)]
pub struct Committed {
    /// The set as the log holds it.
    pub set: OkrSet,
    /// The last edit applied to it (0 before any).
    pub seq: u64,
}

/// What every request shares.
pub struct App {
    /// The committed set: what the log holds.
    pub committed: RwLock<Committed>,
    /// Reviews as of dates, from the replica.
    pub reviews: Reviews,
    /// Accepted edits, for the event stream.
    pub events: broadcast::Sender<Arc<Event>>,
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
    /// How long loading and replaying took.
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
    let (snapshot_seq, document) = match store
        .latest_snapshot()
        .map_err(|e| db_error(&config.db, &e))?
    {
        Some((seq, json)) => (
            seq,
            okrs::Document::from_json(&json).map_err(|e| format!("the snapshot at {seq}: {e}"))?,
        ),
        None => {
            // A new database: the seed is the first snapshot.
            let document = match config.seed {
                Seed::Sample => okrs::sample::document(),
                Seed::Synthetic(nodes) => okrs::sample::synthetic(nodes, 42),
            };
            let json = document.to_json().map_err(|e| e.to_string())?;
            store
                .put_snapshot(0, &json)
                .map_err(|e| db_error(&config.db, &e))?;
            (0, document)
        }
    };
    let mut set = OkrSet::from_document(document).map_err(|e| format!("the snapshot: {e}"))?;
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
        }),
        reviews: Reviews::new(replica_tx.clone()),
        events,
        writer: writer_tx.clone(),
        audit: Mutex::new(audit),
        tokens: config.tokens.clone(),
        body_limit: config.body_limit,
    });
    replica::spawn(
        set.clone(),
        seq,
        replica_rx,
        Arc::downgrade(&app),
        writer_tx,
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

fn db_error(path: &Path, error: &rusqlite::Error) -> String {
    format!("database {}: {error}", path.display())
}
