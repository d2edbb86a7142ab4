//! Start-up time: a database holding a snapshot of a 100k-node synthetic
//! organisation (the server's `--synthetic`, with private objectives) and
//! 100,000 check-ins logged after it, loaded the way the server loads it
//! (the snapshot parsed and built, every edit replayed); then the time a
//! non-admin's first read takes to build their view.
//!
//! ```text
//! cargo bench -p okrs-server --bench startup     # OKRS_STARTUP_NODES, OKRS_STARTUP_EDITS to change the size
//! ```
// A benchmark's driver, not library code: indexing into its own tables
// and JSON answers is how it reads best.
#![allow(clippy::indexing_slicing)]

use std::error::Error;
use std::time::Instant;

use okrs::{CheckIn, CheckInValue, Decimal, Edit, Envelope, Moment};
use okrs_server::store::{NewEdit, NewRequest, Store};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn Error>> {
    let nodes = env_or("OKRS_STARTUP_NODES", 100_000);
    let edits = env_or("OKRS_STARTUP_EDITS", 100_000);
    let dir = std::env::temp_dir().join(format!("okrs-startup-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("okrs.db");

    // The database: the snapshot at 0, then the check-ins.
    let document = okrs_server::app::synthetic(nodes);
    let key_results: Vec<String> = document
        .objectives
        .iter()
        .flat_map(|o| o.key_results.iter().map(|k| k.id.as_str().to_owned()))
        .collect();
    let mut store = Store::open(&db)?;
    store.put_seed(&document.to_json()?)?;
    let at: Moment = "2026-12-01T09:00:00Z".parse()?;
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut written = 0;
    while written < edits {
        let batch: Vec<NewRequest> = (0..1000.min(edits - written))
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let key_result = &key_results[(state % key_results.len() as u64) as usize];
                let edit = Edit::RecordCheckIn {
                    key_result: key_result.parse()?,
                    check_in: CheckIn::new(at, CheckInValue::Number(Decimal::from(state % 11)))
                        .by("bench"),
                };
                let envelope = Envelope::new(edit).by("bench").at(at);
                Ok(NewRequest {
                    is_list: false,
                    author: "bench".into(),
                    at: at.to_string(),
                    edits: vec![NewEdit {
                        op: "record-check-in",
                        envelope: serde_json::to_string(&envelope)?,
                        nodes: vec![key_result.clone()],
                    }],
                })
            })
            .collect::<Result<_, Box<dyn Error>>>()?;
        let rows: Vec<&NewRequest> = batch.iter().collect();
        store.append(&rows)?;
        written += batch.len();
    }
    drop(store);

    let mut config = okrs_server::Config::new(&db);
    config.snapshot_every = u64::MAX / 2; // no snapshot while measuring
    let started = Instant::now();
    let (app, startup) = okrs_server::start(&config).map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    let set_nodes = okrs_server::writer::read_committed(&app).set.len();
    println!(
        "start-up: {set_nodes} nodes, snapshot at {}, {} edits replayed: {:.2} s to load and replay (snapshot {:.2} s, replay {:.2} s; {:.2} s in all, threads started)",
        startup.snapshot_seq,
        startup.replayed,
        startup.elapsed.as_secs_f64(),
        startup.snapshot_load.as_secs_f64(),
        (startup.elapsed - startup.snapshot_load).as_secs_f64(),
        elapsed.as_secs_f64()
    );
    // A non-admin's first read builds their view of the set (then kept
    // edit by edit).
    let staff = okrs::Viewer::new("staff");
    let started = Instant::now();
    let view = okrs_server::writer::read_committed(&app).set.view(&staff);
    println!(
        "a viewer's view (in no group: without the {} private objectives): {} nodes, built in {:.2} s",
        okrs_server::writer::read_committed(&app)
            .set
            .objectives()
            .filter(|o| !o.visibility().is_public())
            .count(),
        view.set().len(),
        started.elapsed().as_secs_f64()
    );
    drop(view);
    // What the writer does, under the committed set's write lock, for a
    // request that may change who sees what while one person listens in a
    // view: the view built again and compared with the old one (the
    // listener's event); and for a check-in, which it follows.
    let mut committed = okrs_server::writer::read_committed(&app).set.clone();
    let mut views = okrs_server::views::Views::new();
    let _ = views.view(
        &committed,
        &okrs_server::reader::Audience::Viewer(staff.clone()),
    );
    let private = committed
        .objectives()
        .find(|o| !o.visibility().is_public())
        .map(|o| o.id().clone())
        .ok_or("no private objective")?;
    let key_result = key_results
        .iter()
        .find(|k| committed.is_visible_to(k, &staff))
        .ok_or("no public key result")?
        .clone();
    for (what, edit) in [
        (
            "a check-in (followed in the view)",
            serde_json::from_str::<Edit>(&format!(
                r#"{{"op": "record-check-in", "key_result": "{key_result}", "check_in": {{"at": "2027-01-01", "value": "4.5"}}}}"#
            ))?,
        ),
        (
            "making a private objective public (every view built again)",
            serde_json::from_str::<Edit>(&format!(
                r#"{{"op": "set-visibility", "id": "{private}", "visibility": "public"}}"#
            ))?,
        ),
    ] {
        let envelopes = vec![Envelope::new(edit)];
        let started = Instant::now();
        let pending = views.before(&committed, &envelopes, std::slice::from_ref(&staff));
        let changes = committed.apply(envelopes[0].clone())?;
        let seen = views.after(&committed, pending, false, &envelopes, &changes);
        println!(
            "{what}, one listener in a view: {:.1} ms ({} nodes moved in the set, {} for the listener)",
            started.elapsed().as_secs_f64() * 1000.0,
            changes.moved.len(),
            seen.get(&staff).map_or(0, |s| s.changes.moved.len())
        );
    }
    drop(app);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
