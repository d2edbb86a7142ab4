//! Arbitrary sequences of edits on a small organisation.
#![no_main]

#[path = "../../tests/integration/fuzz_harness.rs"]
#[allow(dead_code)] // each target uses one of the two harnesses
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::edit_sequence(data));
