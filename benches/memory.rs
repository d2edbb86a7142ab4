//! Memory per node: the live heap a set holds, counted by a wrapping
//! allocator (exact bytes requested, before the system allocator's own
//! rounding), next to the growth of the resident set. Run with
//! `cargo bench --bench memory`; `OKRS_BENCH_MAX` caps the size.
//!
//! Then the peak of each operation a command runs, on a realistic
//! organisation (`okrs::sample::realistic`), against the bound issue 16
//! sets: the set's own memory twice plus the input text. Each operation
//! runs in a process of its own (this binary, re-run with `--peak OP N`),
//! so that its peak heap starts from what it holds before it begins: the
//! input text, and the set for the operations that read one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod common;

use std::alloc::System;

use cap::Cap;
use common::{resident_bytes, sizes};
use okrs::OkrSet;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// The commands whose peak heap is measured, each as the `okrs` binary
/// runs it: read the file, load, work, make the output text.
const COMMANDS: [&str; 9] = [
    "check",
    "rollup_json",
    "report",
    "lint",
    "export_csv",
    "export_markdown",
    "apply",
    "import_csv",
    "impact",
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--peak") {
        command_peak(&args[at + 1], &args[at + 2]);
        return;
    }
    // `cargo bench` passes `--bench`; nothing else here takes arguments.
    println!(
        "| nodes | set: live heap per node | for comparison, the document alone | resident growth per node (upper bound) |"
    );
    println!("|---|---|---|---|");
    for target in sizes() {
        let doc = okrs::sample::synthetic(target, 42);
        // The copy is made inside the measured span and consumed by the
        // load: what it moves into the set is counted, what the load frees
        // is not, so the difference is exactly what the set holds.
        let resident_before = resident_bytes();
        let heap_before = ALLOCATOR.allocated();
        let copy = doc.clone();
        let document_bytes = ALLOCATOR.allocated() - heap_before;
        let set = OkrSet::from_document(copy).unwrap();
        let heap = ALLOCATOR.allocated() - heap_before + size_of::<OkrSet>();
        // Includes what the allocator keeps of the freed copy and build
        // temporaries.
        let resident = resident_bytes().saturating_sub(resident_before);
        let nodes = set.nodes().count();
        println!(
            "| {nodes} | {} B | {} B | {} B |",
            heap / nodes,
            document_bytes / nodes,
            resident / nodes
        );
        drop(set);
    }
    peaks();
}

/// The peak table: one child process per command and size, on files
/// written here first.
fn peaks() {
    println!();
    println!(
        "| nodes | input | set (live heap) | bound: 2 x set + input | {} |",
        COMMANDS.join(" | ")
    );
    println!("|---|---|---|---|{}", "---|".repeat(COMMANDS.len()));
    let exe = std::env::current_exe().unwrap();
    let dir = std::env::temp_dir().join(format!("okrs-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for target in sizes().into_iter().filter(|&n| n >= 10_000) {
        let document = okrs::sample::realistic(target, 42);
        let json = dir.join("org.json");
        std::fs::write(&json, document.to_json().unwrap()).unwrap();
        std::fs::write(dir.join("org.csv"), document.to_csv().unwrap()).unwrap();
        drop(document);
        let mut cells = Vec::new();
        let mut head = String::new();
        let mut set = 0;
        for command in COMMANDS {
            let out = std::process::Command::new(&exe)
                .args(["--peak", command, &json.display().to_string()])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let line = String::from_utf8(out.stdout).unwrap();
            let fields: Vec<usize> = line
                .split_whitespace()
                .map(|f| f.parse().unwrap())
                .collect();
            let [input, own_set, peak] = fields[..] else {
                panic!("{line}")
            };
            if command == "check" {
                set = own_set;
            }
            let bound = 2 * set + input;
            if command == "check" {
                head = format!(
                    "| {target} | {} JSON | {} | {} |",
                    mib(input),
                    mib(set),
                    mib(bound)
                );
            }
            cells.push(format!(
                "{} ({:.2}x)",
                mib(peak),
                peak as f64 / bound as f64
            ));
        }
        println!("{head} {} |", cells.join(" | "));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn mib(bytes: usize) -> String {
    format!("{:.0} MiB", bytes as f64 / 1_048_576.0)
}

/// Runs one command as the binary does and prints its input's bytes, the
/// set's live heap (0 for `import_csv`, whose set is built from a
/// document and measured by `check`) and the peak heap of the whole
/// process. The bound for every command of a row uses `check`'s set.
fn command_peak(command: &str, json: &str) {
    let as_of: okrs::Date = "2027-02-20".parse().unwrap();
    let path = if command == "import_csv" {
        json.replace(".json", ".csv")
    } else {
        json.to_owned()
    };
    let text = std::fs::read_to_string(&path).unwrap();
    let input = text.len();
    // As the binary does, the text is dropped once it is loaded.
    let (set, output) = if command == "import_csv" {
        let document = okrs::Document::from_csv(&text).unwrap();
        drop(text);
        let mut output = document.to_json().unwrap();
        output.push('\n');
        output.shrink_to_fit();
        // The binary never frees the set it builds to check the sheet.
        std::mem::forget(OkrSet::from_document(document).unwrap());
        // The set's memory is the one `check` measures.
        (0, output)
    } else {
        let before = ALLOCATOR.allocated();
        let set = OkrSet::from_json(&text).unwrap();
        let set_heap = ALLOCATOR.allocated() - before;
        drop(text);
        let output = match command {
            "check" => format!("{} nodes", set.len()),
            "rollup_json" => set.review_json(as_of),
            "report" => set.to_text(as_of),
            "lint" => set.lint(as_of).iter().map(|f| format!("{f}\n")).collect(),
            "export_csv" => set.to_csv().unwrap(),
            "export_markdown" => set.to_markdown(as_of),
            "apply" => set.to_json().unwrap(),
            "impact" => format!("{:?}", set.impact("co0").unwrap().len()),
            other => panic!("no command {other}"),
        };
        (set_heap + size_of::<OkrSet>(), output)
    };
    std::hint::black_box(&output);
    println!("{input} {set} {}", ALLOCATOR.max_allocated());
}
