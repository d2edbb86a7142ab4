//! Replays the committed fuzz corpus (`fuzz/corpus/*`) through the fuzz
//! harnesses, and runs them on random bytes: the fuzzers' findings stay
//! fixed in CI, without a fuzzer.

use std::path::Path;

use okrs::Envelope;
use proptest::prelude::*;

use crate::fuzz_harness;

fn replay(target: &str, harness: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join("corpus")
        .join(target);
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| harness(&data));
            assert!(outcome.is_ok(), "{} fails", path.display());
            count += 1;
        }
    }
    count
}

#[test]
fn the_load_document_corpus_replays_cleanly() {
    assert!(replay("load_document", fuzz_harness::load_document) > 0);
}

/// The edit-sequence harness, plus what the fuzz crate cannot check (it
/// has no serde_json): the log of accepted edits survives JSON lines.
fn edit_sequence(data: &[u8]) {
    let log = fuzz_harness::edit_sequence(data);
    for envelope in &log {
        let line = serde_json::to_string(envelope).unwrap();
        let parsed: Envelope = serde_json::from_str(&line).unwrap();
        assert_eq!(&parsed, envelope, "{line}");
    }
}

#[test]
fn the_edit_sequence_corpus_replays_cleanly() {
    assert!(replay("edit_sequence", edit_sequence) > 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_edit_sequences_keep_the_invariants(data in prop::collection::vec(any::<u8>(), 0..512)) {
        edit_sequence(&data);
    }

    #[test]
    fn random_text_never_panics_the_loaders(text in ".{0,256}") {
        fuzz_harness::load_document(text.as_bytes());
    }
}
