//! Embedding okrs in an application: one set shared behind a lock, readers
//! serving progress while a writer applies edits that arrive as JSON, refused
//! edits reported to their author, changes turned into notifications, and an
//! edit log that rebuilds the set at start-up.
//!
//! ```text
//! cargo run --example embed
//! ```

use std::collections::BTreeSet;
use std::error::Error;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use okrs::{Changes, Document, Edit, Envelope, NodeKind, OkrSet, rounded};

/// Requests as JSON lines, each after the author the app's session layer
/// vouches for (a client cannot sign as someone else). In order: two
/// check-ins; a typo in an id; a company objective aligning down to an
/// individual's; a client cut off mid-request; and a correction of the first
/// check-in by the id the set gave it (`<key result>#<n>`), since the third
/// hire fell through.
const REQUESTS: &str = r#"
dir-bizops {"op": "record-check-in", "key_result": "hire-sdrs", "check_in": {"at": "2026-11-30", "value": "3", "confidence": "0.9"}}
ops-lead {"op": "record-check-in", "key_result": "onboarding-system", "check_in": {"at": "2026-11-30", "value": ["Write the onboarding checklist", "Assign a buddy to every new hire", "Run the first cohort through it"]}}
cro {"op": "set-title", "id": "grow-revenu", "title": "Grow revenue"}
cro {"op": "add-link", "from": "grow-revenue", "link": {"id": "close-200k"}}
ana {"op": "record-check-in", "key_result": "closed-revenue", "check_
dir-bizops {"op": "correct-check-in", "check_in": "hire-sdrs#3", "value": "2", "reason": "the signed offer was withdrawn"}
"#;

/// The objective the readers keep serving (a dashboard tile, say).
const WATCHED: &str = "grow-bizops";

fn main() -> Result<(), Box<dyn Error>> {
    // The app's storage: a saved document plus the log of edits since.
    // A unique directory, so parallel runs do not share files.
    let dir = std::env::temp_dir().join(format!("okrs-embed-{}", std::process::id()));
    fs::create_dir_all(&dir)?;
    let (document_path, log_path) = (dir.join("okrs.json"), dir.join("edits.jsonl"));
    fs::write(&document_path, okrs::sample::document().to_json()?)?;
    fs::write(&log_path, "")?; // a document just saved starts an empty log
    let result = run(&document_path, &log_path);
    fs::remove_dir_all(&dir)?;
    result
}

fn run(document_path: &Path, log_path: &Path) -> Result<(), Box<dyn Error>> {
    let set = RwLock::new(OkrSet::from_json(&fs::read_to_string(document_path)?)?);
    let mut log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_path)?;
    let done = AtomicBool::new(false);

    // Two readers serve progress while the writer applies the requests.
    // Edits are made inside the write lock, so a reader sees the set
    // between edits, never halfway through one.
    let (reads, seen, published) = thread::scope(|s| -> Result<_, Box<dyn Error>> {
        let readers: Vec<_> = (0..2)
            .map(|_| s.spawn(|| serve_progress(&set, &done)))
            .collect();
        let published = serve_edits(&set, &mut log);
        done.store(true, Ordering::Release); // even if the writer failed
        let published = published?;
        let (mut reads, mut seen) = (0, BTreeSet::new());
        for reader in readers {
            let (n, values) = reader.join().map_err(|_| "a reader panicked")??;
            reads += n;
            seen.extend(values);
        }
        Ok((reads, seen, published))
    })?;
    // What a reader saw is always a value some edit left behind.
    assert!(seen.is_subset(&published), "{seen:?} ⊄ {published:?}");
    let seen: Vec<String> = seen.into_iter().collect();
    println!(
        "readers served {reads} reads of {WATCHED}, each between edits: {}",
        seen.join(", ")
    );

    // Start-up after a restart: the saved document plus the log rebuild
    // the set exactly, check-in ids and corrections included.
    let document = Document::from_json(&fs::read_to_string(document_path)?)?;
    let mut lines = Vec::new();
    for line in BufReader::new(File::open(log_path)?).lines() {
        lines.push(serde_json::from_str::<Envelope>(&line?)?);
    }
    let count = lines.len();
    let rebuilt = OkrSet::replay(document, lines)?;
    let live = set.read().map_err(|_| "lock poisoned")?;
    assert_eq!(rebuilt, *live);
    println!("restart: the saved document plus {count} logged edits rebuild the live set");

    // The correction did not rewrite history: what the check-in said
    // before is kept, with who corrected it and why.
    let sdrs = rebuilt.node("hire-sdrs").ok_or("no hire-sdrs")?;
    for check_in in sdrs.check_ins() {
        for old in &check_in.corrections {
            println!(
                "{} said {} until {} corrected it ({}); it now says {}",
                check_in.id.as_ref().map_or("?", |id| id.as_str()),
                serde_json::to_string(&old.value)?,
                old.by.as_deref().unwrap_or("?"),
                old.reason,
                serde_json::to_string(&check_in.value)?,
            );
        }
    }
    Ok(())
}

/// The writer: parses each request, applies it under the write lock, logs
/// what was applied and notifies. Returns every value of the watched
/// objective's progress it left behind.
fn serve_edits(set: &RwLock<OkrSet>, log: &mut File) -> Result<BTreeSet<String>, Box<dyn Error>> {
    let mut published = BTreeSet::from([watched(&*set.read().map_err(|_| "lock poisoned")?)]);
    let requests = REQUESTS.lines().filter_map(|line| line.split_once(' '));
    for (minute, (by, request)) in requests.enumerate() {
        thread::sleep(std::time::Duration::from_millis(2)); // requests trickle in
        // Malformed input never reaches the set: serde refuses it first.
        let edit: Edit = match serde_json::from_str(request) {
            Ok(edit) => edit,
            Err(e) => {
                println!("{by}: bad request, not an edit ({e})");
                continue;
            }
        };
        // Stamped by the server's clock (simulated), not the client's.
        let at = format!("2026-11-30T09:{minute:02}:00Z").parse()?;
        let envelope = Envelope::new(edit).by(by).at(at);
        let mut set = set.write().map_err(|_| "lock poisoned")?;
        // Only to show the promise below; an app never needs this copy.
        let before = set.clone();
        match set.apply(envelope.clone()) {
            Ok(changes) => {
                // Logged inside the lock, so the log's order is the order
                // the edits were applied in. A real app would fsync before
                // acknowledging, and compact by saving a new document and
                // starting an empty log.
                writeln!(log, "{}", serde_json::to_string(&envelope)?)?;
                println!("{by}: {} applied", envelope.edit.op());
                notify(&set, &changes);
                published.insert(watched(&set));
            }
            Err(e) => {
                // `code()` is stable for a UI to match, `ids()` are what to
                // highlight, `field()` the form field to point at.
                let ids: Vec<&str> = e.ids().into_iter().map(|id| id.as_str()).collect();
                println!(
                    "{by}: {} refused: {} {ids:?} field {}: {e}",
                    envelope.edit.op(),
                    e.code(),
                    e.field().unwrap_or("-"),
                );
                assert_eq!(*set, before, "a refused edit leaves the set as it was");
            }
        }
    }
    Ok(published)
}

/// Changes become notifications: objectives whose band changed alert their
/// owners; others whose progress moved only update dashboards.
fn notify(set: &OkrSet, changes: &Changes) {
    for moved in changes.moved() {
        if moved.kind != NodeKind::Objective {
            continue;
        }
        let (Some(from), Some(to)) = (moved.progress_before, moved.progress) else {
            continue; // added or removed: not a move to announce
        };
        let owners = set
            .node(moved.id.as_str())
            .map(|n| n.owners().join(", "))
            .unwrap_or_default();
        let progress = format!("{} → {}", rounded(from.value()), rounded(to.value()));
        match (moved.band_before, moved.band) {
            (Some(a), Some(b)) if a != b => {
                println!(
                    "  notify {owners}: {} moved from {a} to {b} ({progress})",
                    moved.id
                );
            }
            _ => println!("  dashboard: {} {progress}", moved.id),
        }
    }
}

/// A reader: serves the watched objective's progress until the writer is
/// done, and returns how many reads it served and the values it saw.
fn serve_progress(
    set: &RwLock<OkrSet>,
    done: &AtomicBool,
) -> Result<(usize, BTreeSet<String>), String> {
    let (mut reads, mut seen) = (0, BTreeSet::new());
    loop {
        let last = done.load(Ordering::Acquire); // one more read after the writer ends
        seen.insert(watched(&*set.read().map_err(|_| "lock poisoned")?));
        reads += 1;
        if last {
            return Ok((reads, seen));
        }
        thread::yield_now();
    }
}

fn watched(set: &OkrSet) -> String {
    set.progress(WATCHED)
        .map(|p| rounded(p.value()))
        .unwrap_or_default()
}
