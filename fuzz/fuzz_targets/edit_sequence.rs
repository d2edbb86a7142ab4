//! Arbitrary sequences of edits (every `Edit`, through `OkrSet::apply` and
//! `apply_all`) on a small organisation.
#![no_main]

#[path = "../../tests/integration/fuzz_harness.rs"]
#[allow(dead_code)] // each target uses one of the two harnesses
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // The log of accepted edits is for the tests (its JSON round trip).
    let _log = harness::edit_sequence(data);
});
