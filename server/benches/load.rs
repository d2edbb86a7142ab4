//! Load: the real binary (release) serving a 100k-node synthetic
//! organisation to 64 concurrent HTTP clients that mix check-ins with reads
//! of one node's review, in two phases:
//!
//! 1. **single**: each write is one check-in (its own request);
//! 2. **batched**: each write is a list of check-ins (one transaction);
//! 3. **paced**: lists again, but on a fixed beat: a quarter of the clients
//!    write (6,000 check-ins/s in all, `OKRS_LOAD_PACED_RATE`), the others
//!    read (4,800 reads/s in all, `OKRS_LOAD_PACED_READS`): latency under a
//!    given load (open loop), rather than under as much as the machine
//!    takes, where latency only measures the queue.
//!
//! It prints throughput of durable (acknowledged) check-ins, the latency
//! of writes and reads (p50, p99), how far the served reviews trailed the
//! log, and then checks the log: every acknowledged edit once, nothing
//! else (no loss, no duplicate).
//!
//! ```text
//! cargo bench -p okrs-server --bench load
//! OKRS_LOAD_SECONDS=20 OKRS_LOAD_CLIENTS=64 OKRS_LOAD_NODES=100000 OKRS_LOAD_BATCH=50 cargo bench -p okrs-server --bench load
//! ```
//!
//! Of the reads, two in five are one node's review (`/api/review/{id}`,
//! served from the replica's review without touching the set), two in
//! five one whole node (`/api/nodes/{id}`: its check-ins from the
//! committed set, under its read lock, plus its review), and one in five
//! `/api/me` — a token looked up and nothing of the set read: the floor
//! that HTTP, the runtimes and the machine set. Half the reviews and
//! whole nodes are read by the admin, half by `staff`, a person in no
//! group, who reads the view without the organisation's private
//! objectives (one in twenty individuals' objectives, see the server's
//! `app::synthetic`): from the replica's review of that view and the view
//! kept beside the committed set. Writes are the admin's. Reads ask for
//! `min_seq=0` (the latest review the replica has, see the server's
//! `replica` module); the lag says how many edits the review trailed the
//! reading client's own last acknowledged write.
// A benchmark's driver, not library code: indexing into its own tables
// and JSON answers is how it reads best.
#![allow(clippy::indexing_slicing)]

use std::error::Error;
use std::io::BufRead;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use tokio::sync::Mutex;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Settings {
    seconds: u64,
    clients: usize,
    batch: usize,
    /// One in `write_share` operations of a client is a write.
    write_share: u64,
    /// Check-ins a second in the paced phase.
    paced_rate: f64,
    /// Reads a second in the paced phase.
    paced_reads: f64,
    /// Whether half the reads are staff's (`OKRS_LOAD_STAFF=0`: all the
    /// admin's, as before privacy).
    staff: bool,
}

#[derive(Default)]
struct Tally {
    /// (first_seq, last_seq) of every acknowledged request.
    acked: Vec<(u64, u64)>,
    write_latency: Vec<Duration>,
    /// Reads of one node's review (`/api/review/{id}`).
    read_latency: Vec<Duration>,
    /// Reads of one node with its check-ins (`/api/nodes/{id}`).
    node_latency: Vec<Duration>,
    /// The same two reads by a non-admin, in their view.
    viewer_read_latency: Vec<Duration>,
    viewer_node_latency: Vec<Duration>,
    /// The floor: `/api/me` (a token looked up, nothing of the set read).
    floor_latency: Vec<Duration>,
    review_lag: Vec<u64>,
    errors: Vec<String>,
}

/// The tokens the server is started with.
const TOKENS: &str = r#"{"tokens": [
  {"token": "admin-token", "person": "admin", "admin": true},
  {"token": "staff-token", "person": "staff"}]}"#;

async fn send(
    client: &HttpClient,
    method: &str,
    url: &str,
    body: Option<String>,
) -> Result<(u16, Bytes), Box<dyn Error + Send + Sync>> {
    send_as(client, "admin-token", method, url, body).await
}

async fn send_as(
    client: &HttpClient,
    token: &str,
    method: &str,
    url: &str,
    body: Option<String>,
) -> Result<(u16, Bytes), Box<dyn Error + Send + Sync>> {
    let request = axum::http::Request::builder()
        .method(method)
        .uri(url)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.unwrap_or_default())))?;
    let response = client.request(request).await?;
    let status = response.status().as_u16();
    Ok((status, response.into_body().collect().await?.to_bytes()))
}

fn check_in(key_result: &str, value: u64) -> String {
    format!(
        r#"{{"op": "record-check-in", "key_result": "{key_result}", "check_in": {{"at": "2026-12-01", "value": "{value}"}}}}"#
    )
}

async fn phase(
    name: &str,
    base: &str,
    key_results: &Arc<Vec<String>>,
    public_key_results: &Arc<Vec<String>>,
    settings: &Settings,
    batch: usize,
    paced: Option<f64>,
) -> Result<Tally, Box<dyn Error>> {
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(settings.clients)
        .build_http();
    let tally = Arc::new(Mutex::new(Tally::default()));
    let deadline = Instant::now() + Duration::from_secs(settings.seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..settings.clients {
        let (client, tally, key_results) = (client.clone(), tally.clone(), key_results.clone());
        let public_key_results = public_key_results.clone();
        let with_staff = settings.staff;
        let base = base.to_owned();
        let write_share = settings.write_share;
        // Paced: a quarter of the clients write, each on a fixed beat so
        // that together they send `rate` check-ins a second; the rest read.
        let writers = (settings.clients / 4).max(1);
        let beat = paced.map(|rate| {
            let mut beat = tokio::time::interval(Duration::from_secs_f64(
                writers as f64 * batch as f64 / rate,
            ));
            beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            beat
        });
        let paced_writer = paced.is_some() && c < writers;
        let read_beat = paced.map(|_| {
            let readers = (settings.clients - writers).max(1);
            let mut beat = tokio::time::interval(Duration::from_secs_f64(
                readers as f64 / settings.paced_reads,
            ));
            beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            beat
        });
        tasks.push(tokio::spawn(async move {
            let (mut beat, mut read_beat) = (beat, read_beat);
            let mut state = 0x9E37_79B9_7F4A_7C15_u64 ^ (c as u64 + 1);
            let mut next = move || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            };
            let mut mine = Tally::default();
            while Instant::now() < deadline {
                let write = match (&mut beat, paced_writer) {
                    (Some(beat), true) => {
                        beat.tick().await;
                        true
                    }
                    (Some(_), false) => {
                        if let Some(read_beat) = &mut read_beat {
                            read_beat.tick().await;
                        }
                        false
                    }
                    (None, _) => next() % write_share == 0,
                };
                if Instant::now() >= deadline {
                    break;
                }
                let t = Instant::now();
                if write {
                    let edits: Vec<String> = (0..batch)
                        .map(|_| {
                            let k = &key_results[(next() % key_results.len() as u64) as usize];
                            check_in(k, next() % 11)
                        })
                        .collect();
                    let body = if batch == 1 {
                        edits.into_iter().next().unwrap_or_default()
                    } else {
                        format!("[{}]", edits.join(","))
                    };
                    match send(&client, "POST", &format!("{base}/api/edits"), Some(body)).await {
                        Ok((200, bytes)) => {
                            mine.write_latency.push(t.elapsed());
                            let answer: Value = serde_json::from_slice(&bytes).unwrap_or_default();
                            mine.acked.push((
                                answer["first_seq"].as_u64().unwrap_or(0),
                                answer["seq"].as_u64().unwrap_or(0),
                            ));
                        }
                        Ok((status, bytes)) => mine.errors.push(format!(
                            "write {status}: {}",
                            String::from_utf8_lossy(&bytes)
                        )),
                        Err(e) => mine.errors.push(format!("write: {e}")),
                    }
                } else {
                    let kind = next() % 10;
                    let (whole_node, floor) = (kind < 4, kind >= 8);
                    let staff = with_staff && kind % 2 == 1;
                    // Staff reads what their view holds.
                    let k = if staff && !floor {
                        &public_key_results[(next() % public_key_results.len() as u64) as usize]
                    } else {
                        &key_results[(next() % key_results.len() as u64) as usize]
                    };
                    let token = if staff && !floor {
                        "staff-token"
                    } else {
                        "admin-token"
                    };
                    let url = if floor {
                        format!("{base}/api/me")
                    } else if whole_node {
                        format!("{base}/api/nodes/{k}?as_of=2026-12-01&min_seq=0")
                    } else {
                        format!("{base}/api/review/{k}?as_of=2026-12-01&min_seq=0")
                    };
                    match send_as(&client, token, "GET", &url, None).await {
                        Ok((200, bytes)) => {
                            if floor {
                                mine.floor_latency.push(t.elapsed());
                            } else if staff && whole_node {
                                mine.viewer_node_latency.push(t.elapsed());
                            } else if staff {
                                mine.viewer_read_latency.push(t.elapsed());
                            } else if whole_node {
                                mine.node_latency.push(t.elapsed());
                            } else {
                                mine.read_latency.push(t.elapsed());
                                let answer: Value =
                                    serde_json::from_slice(&bytes).unwrap_or_default();
                                let review_seq = answer["seq"].as_u64().unwrap_or(0);
                                let acked = mine.acked.last().map_or(0, |(_, last)| *last);
                                mine.review_lag.push(acked.saturating_sub(review_seq));
                            }
                        }
                        Ok((status, bytes)) => mine.errors.push(format!(
                            "read {status}: {}",
                            String::from_utf8_lossy(&bytes)
                        )),
                        Err(e) => mine.errors.push(format!("read: {e}")),
                    }
                }
            }
            let mut all = tally.lock().await;
            all.acked.extend(mine.acked);
            all.write_latency.extend(mine.write_latency);
            all.read_latency.extend(mine.read_latency);
            all.node_latency.extend(mine.node_latency);
            all.viewer_read_latency.extend(mine.viewer_read_latency);
            all.viewer_node_latency.extend(mine.viewer_node_latency);
            all.floor_latency.extend(mine.floor_latency);
            all.review_lag.extend(mine.review_lag);
            all.errors.extend(mine.errors);
        }));
    }
    for task in tasks {
        task.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut tally = Arc::try_unwrap(tally)
        .map_err(|_| "tally still shared")?
        .into_inner();
    let check_ins: u64 = tally.acked.iter().map(|(a, b)| b - a + 1).sum();
    tally.write_latency.sort();
    tally.read_latency.sort();
    tally.node_latency.sort();
    tally.viewer_read_latency.sort();
    tally.viewer_node_latency.sort();
    tally.floor_latency.sort();
    tally.review_lag.sort();
    println!(
        "{name:>8}: {} clients{}, {}s, batch {batch}: {:.0} durable check-ins/s ({} requests, {:.0}/s); writes p50 {} p99 {}\n          admin: node reviews {:.0}/s p50 {} p99 {}; whole nodes {:.0}/s p50 {} p99 {}\n          staff (a view): node reviews {:.0}/s p50 {} p99 {}; whole nodes {:.0}/s p50 {} p99 {}\n          floor (/api/me) p50 {} p99 {}; review lag behind the client's own last write p50 {} p99 {} edits; {} errors",
        settings.clients,
        paced.map_or(String::new(), |rate| format!(
            " (16 writing at {rate:.0} check-ins/s, 48 reading at {:.0} reads/s)",
            settings.paced_reads
        )),
        settings.seconds,
        check_ins as f64 / elapsed,
        tally.acked.len(),
        tally.acked.len() as f64 / elapsed,
        ms(percentile(&tally.write_latency, 50)),
        ms(percentile(&tally.write_latency, 99)),
        tally.read_latency.len() as f64 / elapsed,
        ms(percentile(&tally.read_latency, 50)),
        ms(percentile(&tally.read_latency, 99)),
        tally.node_latency.len() as f64 / elapsed,
        ms(percentile(&tally.node_latency, 50)),
        ms(percentile(&tally.node_latency, 99)),
        tally.viewer_read_latency.len() as f64 / elapsed,
        ms(percentile(&tally.viewer_read_latency, 50)),
        ms(percentile(&tally.viewer_read_latency, 99)),
        tally.viewer_node_latency.len() as f64 / elapsed,
        ms(percentile(&tally.viewer_node_latency, 50)),
        ms(percentile(&tally.viewer_node_latency, 99)),
        ms(percentile(&tally.floor_latency, 50)),
        ms(percentile(&tally.floor_latency, 99)),
        percentile(&tally.review_lag, 50),
        percentile(&tally.review_lag, 99),
        tally.errors.len(),
    );
    for error in tally.errors.iter().take(5) {
        println!("          error: {error}");
    }
    Ok(tally)
}

fn percentile<T: Copy + Default>(sorted: &[T], p: usize) -> T {
    if sorted.is_empty() {
        return T::default();
    }
    let index = ((sorted.len() - 1) * p).div_ceil(100);
    sorted.get(index).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The three phases, one after the other: every acknowledged request.
async fn phases(
    base: &str,
    key_results: &Arc<Vec<String>>,
    public_key_results: &Arc<Vec<String>>,
    settings: &Settings,
) -> Result<Tally, Box<dyn Error>> {
    let single = phase(
        "single",
        base,
        key_results,
        public_key_results,
        settings,
        1,
        None,
    )
    .await?;
    let batched = phase(
        "batched",
        base,
        key_results,
        public_key_results,
        settings,
        settings.batch,
        None,
    )
    .await?;
    let paced = phase(
        "paced",
        base,
        key_results,
        public_key_results,
        settings,
        settings.batch,
        Some(settings.paced_rate),
    )
    .await?;
    let mut all = single;
    all.acked.extend(batched.acked);
    all.acked.extend(paced.acked);
    Ok(all)
}

fn main() -> Result<(), Box<dyn Error>> {
    let nodes = env_or("OKRS_LOAD_NODES", 100_000);
    let settings = Settings {
        seconds: env_or("OKRS_LOAD_SECONDS", 20) as u64,
        clients: env_or("OKRS_LOAD_CLIENTS", 64),
        batch: env_or("OKRS_LOAD_BATCH", 50),
        write_share: 2,
        paced_rate: env_or("OKRS_LOAD_PACED_RATE", 6000) as f64,
        paced_reads: env_or("OKRS_LOAD_PACED_READS", 4800) as f64,
        staff: env_or("OKRS_LOAD_STAFF", 1) != 0,
    };
    let dir = std::env::temp_dir().join(format!("okrs-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("okrs.db");
    let tokens = dir.join("tokens.json");
    std::fs::write(&tokens, TOKENS)?;
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_okrs-server"))
        .arg("--db")
        .arg(&db)
        .arg("--tokens")
        .arg(&tokens)
        .args(["--listen", "127.0.0.1:0", "--synthetic", &nodes.to_string()])
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    let stdout = server.stdout.take().ok_or("no stdout")?;
    let mut lines = std::io::BufReader::new(stdout).lines();
    let line = lines.next().ok_or("the server said nothing")??;
    println!("{line}");
    std::thread::spawn(move || for _ in lines {});
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .ok_or("no address")?
        .to_owned();
    let document = okrs_server::app::synthetic(nodes);
    let key_results_of = |public_only: bool| -> Arc<Vec<String>> {
        Arc::new(
            document
                .objectives
                .iter()
                .filter(|o| !public_only || o.visibility.is_public())
                .flat_map(|o| o.key_results.iter().map(|k| k.id.as_str().to_owned()))
                .collect(),
        )
    };
    let key_results = key_results_of(false);
    let public_key_results = key_results_of(true);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        // Warm up: the first review of the date (O(V)) is computed once.
        let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
        let warm = format!("{base}/api/nodes/{}?as_of=2026-12-01", key_results[0]);
        let (status, _) = send(&client, "GET", &warm, None)
            .await
            .map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("warm-up read: {status}").into());
        }
        // And staff's view, beside the committed set and in the replica.
        if !settings.staff {
            return phases(&base, &key_results, &public_key_results, &settings).await;
        }
        let warm = format!(
            "{base}/api/nodes/{}?as_of=2026-12-01",
            public_key_results[0]
        );
        let started = Instant::now();
        let (status, _) = send_as(&client, "staff-token", "GET", &warm, None)
            .await
            .map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("warm-up read as staff: {status}").into());
        }
        println!(
            "  warm-up: staff's first read (its view built twice, reviewed once) {:.2} s",
            started.elapsed().as_secs_f64()
        );
        phases(&base, &key_results, &public_key_results, &settings).await
    });
    let result = result.and_then(|all| {
        // Every acknowledged edit once, and nothing else.
        let mut ranges: Vec<(u64, u64)> = all.acked;
        ranges.sort_unstable();
        let mut expected = 1;
        for (first, last) in &ranges {
            if *first != expected || last < first {
                return Err(format!("acknowledged ranges overlap or leave a gap at {expected}: {first}..={last}").into());
            }
            expected = last + 1;
        }
        let acknowledged = expected - 1;
        let logged = okrs_server::store::Store::open(&db)?.count_edits()?;
        println!(
            "   check: {acknowledged} edits acknowledged, {logged} in the log, numbered 1..={acknowledged} without gap or overlap: {}",
            if logged == acknowledged { "no loss, no duplicate" } else { "MISMATCH" }
        );
        if logged != acknowledged {
            return Err("the log does not hold exactly the acknowledged edits".into());
        }
        Ok(())
    });
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    result
}
