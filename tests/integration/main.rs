//! Integration tests: the public API only, as one test binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod adversarial;
mod alignment;
mod analytics;
mod apply;
mod documents;
mod edits;
mod errors;
mod formats;
mod fuzz_corpus;
mod fuzz_harness;
mod generate;
mod lint;
mod privacy;
mod properties;
mod rollup;
mod rules;
mod safety;
mod scale;
mod structure;
mod text;
mod time;
mod time_rules;

use okrs::{Decimal, OkrSet};

/// Parses a decimal literal.
pub fn d(text: &str) -> Decimal {
    okrs::parse_decimal(text).unwrap()
}

/// Loads a JSON document, panicking with the error on failure.
pub fn load(json: &str) -> OkrSet {
    OkrSet::from_json(json).unwrap_or_else(|e| panic!("{e}"))
}

/// The progress of a node as a decimal.
pub fn progress(set: &OkrSet, id: &str) -> Decimal {
    set.progress(id)
        .unwrap_or_else(|| panic!("no progress for {id}"))
        .value()
}
