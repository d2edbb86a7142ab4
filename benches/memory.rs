//! Memory per node: the live heap a set holds, counted by a wrapping
//! allocator (exact bytes requested, before the system allocator's own
//! rounding), next to the growth of the resident set. Run with
//! `cargo bench --bench memory`; `OKRS_BENCH_MAX` caps the size.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::alloc::System;

use cap::Cap;
use common::{resident_bytes, sizes};
use okrs::OkrSet;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

fn main() {
    // `cargo bench` passes `--bench`; nothing here takes arguments.
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
}
