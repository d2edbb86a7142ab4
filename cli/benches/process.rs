//! What a user runs, end to end: the `okrs` binary as a whole process
//! (start, read the file, load, work, write the output) on a realistic
//! organisation's document (`okrs::sample::realistic`), side by side with
//! the floors of the same run: reading the text and skimming it with
//! serde_json (`IgnoredAny`), in process.
//!
//! `cargo bench -p okrs-cli --bench process` (about 15 minutes with the
//! million-node size; `OKRS_BENCH_MAX=100000` skips it). Before the timed
//! runs it runs each command once with `--timings` and prints the
//! process's peak memory beside the document's size. Figures in
//! BENCHMARKS.md.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};

const OKRS: &str = env!("CARGO_BIN_EXE_okrs");

fn sizes() -> Vec<usize> {
    let max: usize = std::env::var("OKRS_BENCH_MAX")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(1_000_000);
    [10_000, 100_000, 1_000_000]
        .into_iter()
        .filter(|&n| n <= max)
        .collect()
}

/// The commands measured, as arguments after the binary (`{json}` and
/// `{csv}` stand for the document's files, `{top}` for a company
/// objective).
const COMMANDS: [(&str, &[&str]); 9] = [
    ("check", &["check", "{json}"]),
    (
        "rollup_json",
        &["rollup", "--json", "{json}", "--as-of", AS_OF],
    ),
    ("report", &["report", "{json}", "--as-of", AS_OF]),
    ("lint", &["lint", "{json}", "--as-of", AS_OF]),
    ("export_csv", &["export", "--to", "csv", "{json}"]),
    (
        "export_markdown",
        &["export", "--to", "markdown", "{json}", "--as-of", AS_OF],
    ),
    ("export_mermaid", &["export", "--to", "mermaid", "{json}"]),
    ("import_csv", &["import", "--from", "csv", "{csv}"]),
    ("impact", &["impact", "{json}", "{top}"]),
];

const AS_OF: &str = "2027-02-20";

fn args(template: &[&str], json: &Path, csv: &Path) -> Vec<String> {
    template
        .iter()
        .map(|a| match *a {
            "{json}" => json.display().to_string(),
            "{csv}" => csv.display().to_string(),
            "{top}" => "co0".to_owned(),
            other => other.to_owned(),
        })
        .collect()
}

/// Runs the binary once, its output thrown away; exit 0 or 1 (a lint
/// error) counts as done.
fn run(args: &[String]) -> Duration {
    let started = Instant::now();
    let status = Command::new(OKRS)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "okrs {args:?}: {status}"
    );
    elapsed
}

/// The peak memory `--timings` reports, in MiB.
fn peak(args: &[String]) -> String {
    let output = Command::new(OKRS)
        .args(args)
        .arg("--timings")
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "okrs {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .find_map(|l| l.split_once("peak memory ").map(|(_, p)| p.to_owned()))
        .unwrap_or_else(|| "?".to_owned())
}

fn files(nodes: usize, dir: &Path) -> (PathBuf, PathBuf, String) {
    let document = okrs::sample::realistic(nodes, 42);
    let json = dir.join(format!("realistic-{nodes}.json"));
    let csv = dir.join(format!("realistic-{nodes}.csv"));
    let text = document.to_json().unwrap();
    std::fs::write(&json, &text).unwrap();
    std::fs::write(&csv, document.to_csv().unwrap()).unwrap();
    (json, csv, text)
}

/// The Python floor (`rollup.py` beside this file): run once, timed, and
/// checked against `okrs rollup --json` to ten places. `None` without
/// `python3`.
fn python_rollup(json: &Path) -> Option<Duration> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/rollup.py");
    let started = Instant::now();
    let output = Command::new("python3")
        .arg(&script)
        .arg(json)
        .arg(AS_OF)
        .output()
        .ok()?;
    let elapsed = started.elapsed();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let python: std::collections::HashMap<String, String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(id, p)| (id.to_owned(), p.to_owned()))
        .collect();
    let ours = Command::new(OKRS)
        .args([
            "rollup",
            "--json",
            &json.display().to_string(),
            "--as-of",
            AS_OF,
        ])
        .output()
        .unwrap();
    let ours: serde_json::Value = serde_json::from_slice(&ours.stdout).unwrap();
    let mut compared = 0;
    for node in ours["nodes"].as_array().unwrap() {
        let id = node["id"].as_str().unwrap();
        let Some(theirs) = python.get(id) else {
            continue;
        };
        let progress: rust_decimal::Decimal = node["progress"].as_str().unwrap().parse().unwrap();
        let progress = progress.round_dp(10);
        let theirs: rust_decimal::Decimal = theirs.parse().unwrap();
        assert_eq!(progress, theirs, "{id}: okrs {progress}, python {theirs}");
        compared += 1;
    }
    assert_eq!(compared, python.len(), "every node compared");
    Some(elapsed)
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join("okrs-process-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let mut group = c.benchmark_group("process");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(100));
    group.measurement_time(Duration::from_secs(1));
    for nodes in sizes() {
        let (json, csv, text) = files(nodes, &dir);
        eprintln!(
            "okrs: {nodes} nodes: {:.1} MiB of JSON, {:.1} MiB of CSV",
            text.len() as f64 / 1_048_576.0,
            std::fs::metadata(&csv).unwrap().len() as f64 / 1_048_576.0
        );
        for (name, template) in COMMANDS {
            let args = args(template, &json, &csv);
            eprintln!("okrs: {name} at {nodes}: peak memory {}", peak(&args));
        }
        match python_rollup(&json) {
            Some(elapsed) => eprintln!(
                "okrs: the Python decimal roll-up at {nodes}: {:.3} s (same numbers to ten places)",
                elapsed.as_secs_f64()
            ),
            None => eprintln!("okrs: no python3: the Python floor is not measured"),
        }
        group.bench_function(BenchmarkId::new("floor_read", nodes), |b| {
            b.iter(|| std::fs::read_to_string(&json).unwrap());
        });
        group.bench_function(BenchmarkId::new("floor_ignored_any_parse", nodes), |b| {
            b.iter(|| serde_json::from_str::<serde::de::IgnoredAny>(&text).unwrap());
        });
        for (name, template) in COMMANDS {
            let args = args(template, &json, &csv);
            group.bench_function(BenchmarkId::new(name, nodes), |b| {
                b.iter_custom(|iters| (0..iters).map(|_| run(&args)).sum());
            });
        }
        std::fs::remove_file(&json).ok();
        std::fs::remove_file(&csv).ok();
    }
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
