//! Memory per node: the live heap a set holds, counted by a wrapping
//! allocator (exact bytes requested, before the system allocator's own
//! rounding), next to the growth of the resident set. Run with
//! `cargo bench --bench memory`; `OKRS_BENCH_MAX` caps the size.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::alloc::System;

use cap::Cap;
use okrs::OkrSet;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// Resident memory of this process in bytes (Linux), 0 elsewhere.
fn resident_bytes() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing here takes arguments.
    let max: usize = std::env::var("OKRS_BENCH_MAX")
        .ok()
        .and_then(|m| m.parse().ok())
        .unwrap_or(1_000_000);
    println!(
        "| nodes | set: live heap per node | for comparison, the document alone | resident growth per node (upper bound) |"
    );
    println!("|---|---|---|---|");
    for target in [1_000, 10_000, 100_000, 1_000_000] {
        if target > max {
            break;
        }
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
        let nodes = set.nodes().len();
        println!(
            "| {nodes} | {} B | {} B | {} B |",
            heap / nodes,
            document_bytes / nodes,
            resident / nodes
        );
        drop(set);
    }
}
