//! The review as JSON: `{"as_of": …, "nodes": [ … ]}`, the document
//! `okrs rollup --json` prints. [`Review`]'s `Serialize` gives the shape
//! to any serde format; [`Review::to_json`] writes the same text that
//! `serde_json::to_string_pretty` makes of it, by hand, because the roll-up
//! document of a large organisation is mostly this writing (serde_json's
//! pretty printer spends some 560 instructions per field; a review has
//! about eight fields per node).

use std::borrow::Borrow;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::{NodeReview, Review};
use crate::Date;
use crate::io::push_string;
use crate::number::{Plain, Trimmed};
use crate::time::push_date;

impl Serialize for Review {
    /// `as_of` and `nodes`, in the set's node order.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut document = s.serialize_struct("Review", 2)?;
        document.serialize_field("as_of", &self.as_of)?;
        document.serialize_field("nodes", &self.nodes)?;
        document.end()
    }
}

impl Review {
    /// The review as pretty-printed JSON (two-space indents, no final
    /// newline): byte for byte what `serde_json::to_string_pretty(&review)`
    /// gives, written without serde (about a fifth of the time). Every
    /// number is a string of its exact decimal, as in documents. O(n).
    ///
    /// # Example
    /// ```
    /// let set = okrs::OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
    /// let review = set.review("2027-02-20".parse()?);
    /// let json = review.to_json();
    /// assert!(json.starts_with("{\n  \"as_of\": \"2027-02-20\",\n  \"nodes\": [\n    {\n      \"id\": "));
    /// assert_eq!(json, serde_json::to_string_pretty(&review)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn to_json(&self) -> String {
        write(self.as_of, self.nodes.len(), &self.nodes)
    }
}

/// The review of `len` nodes as of `as_of` as JSON (see
/// [`Review::to_json`]), from their reviews in order. O(n).
pub(super) fn write<N: Borrow<NodeReview>>(
    as_of: Date,
    len: usize,
    nodes: impl IntoIterator<Item = N>,
) -> String {
    let mut out = begin(as_of, len);
    let empty = push_nodes(&mut out, nodes, true);
    end(&mut out, empty);
    out
}

/// The text before the first node, with room for `len` nodes. O(1).
pub(super) fn begin(as_of: Date, len: usize) -> String {
    let mut out = String::with_capacity(64 + room(len));
    out.push_str("{\n  \"as_of\": \"");
    push_date(&mut out, as_of);
    out.push_str("\",\n  \"nodes\": [");
    out
}

/// The room `len` nodes' text may take. About 270 bytes per node in the
/// sample organisations; pages reserved and never written cost no
/// memory, a reallocation copies it all.
pub(super) fn room(len: usize) -> usize {
    len.saturating_mul(384)
}

/// Appends the nodes' reviews, the first of them as the first node of
/// the document when `first` (no comma before it). Returns whether the
/// first node of the document is still to come (no node was written and
/// `first`). O(n).
pub(super) fn push_nodes<N: Borrow<NodeReview>>(
    out: &mut String,
    nodes: impl IntoIterator<Item = N>,
    mut first: bool,
) -> bool {
    for node in nodes {
        out.push_str(if first { "\n    {" } else { ",\n    {" });
        first = false;
        push_node(out, node.borrow());
        out.push_str("\n    }");
    }
    first
}

/// Closes the document, after its nodes (`empty`: none). O(1).
pub(super) fn end(out: &mut String, empty: bool) {
    out.push_str(if empty { "]\n}" } else { "\n  ]\n}" });
}

/// A field's key at a node's depth, after the comma that ends the field
/// before it, and the opening quote of a string value: one piece of text
/// per field.
macro_rules! key {
    ($name:literal) => {
        concat!(",\n      \"", $name, "\": \"")
    };
}

/// A string field whose text needs no escape: its key (from [`key!`]),
/// the text `write` appends, the closing quote.
fn field(out: &mut String, key: &str, write: impl FnOnce(&mut String)) {
    out.push_str(key);
    write(out);
    out.push('"');
}

/// One node's fields, in `NodeReview`'s order, leaving out what its serde
/// attributes skip. Every value but `regressed` is a string; only the id
/// can hold what JSON escapes (names and decimals are plain ASCII).
fn push_node(out: &mut String, node: &NodeReview) {
    out.push_str("\n      \"id\": ");
    push_string(out, node.id.as_str());
    field(out, key!("kind"), |out| out.push_str(node.kind.name()));
    field(out, key!("progress"), |out| {
        Trimmed(node.progress.value()).push_to(out);
    });
    field(out, key!("band"), |out| out.push_str(node.band.name()));
    if let Some(expected) = node.expected {
        field(out, key!("expected"), |out| {
            Trimmed(expected.value()).push_to(out);
        });
    }
    if let Some(status) = node.status {
        field(out, key!("status"), |out| out.push_str(status.name()));
    }
    if let Some(confidence) = node.confidence {
        field(out, key!("confidence"), |out| {
            Plain(confidence.value()).push_to(out);
        });
    }
    if let Some(forecast) = node.forecast {
        field(out, key!("forecast"), |out| {
            Trimmed(forecast.value()).push_to(out);
        });
    }
    if let Some(band) = node.forecast_band {
        field(out, key!("forecast_band"), |out| out.push_str(band.name()));
    }
    if let Some(value) = node.value {
        field(out, key!("value"), |out| Plain(value).push_to(out));
    }
    if let Some(target) = node.target {
        field(out, key!("target"), |out| Plain(target).push_to(out));
    }
    if node.regressed {
        out.push_str(",\n      \"regressed\": true");
    }
    if let Some(zone) = node.zone {
        field(out, key!("zone"), |out| out.push_str(zone.name()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field set, each decimal with trailing zeros (which `Progress`
    /// drops and the others keep): what no roll-up happens to produce.
    #[test]
    fn writes_every_field_as_serde_json_does() {
        use crate::{Band, Confidence, NodeKind, Progress, Status, Zone};
        use rust_decimal::Decimal;
        let decimal = |text: &str| -> Decimal { text.parse().unwrap() };
        let progress = |text: &str| Progress::new(decimal(text)).unwrap();
        let node = NodeReview {
            id: "kr \"1\"".parse().unwrap(),
            kind: NodeKind::KeyResult,
            progress: progress("0.500"),
            band: Band::Yellow,
            expected: Some(progress("0.70")),
            status: Some(Status::AtRisk),
            confidence: Some(Confidence::new(decimal("0.80")).unwrap()),
            forecast: Some(progress("1.0")),
            forecast_band: Some(Band::Green),
            value: Some(decimal("-12.50")),
            target: Some(decimal("100.00")),
            regressed: true,
            zone: Some(Zone::Commit),
        };
        let bare = NodeReview {
            id: "o".parse().unwrap(),
            kind: NodeKind::Objective,
            progress: progress("0"),
            band: Band::Red,
            expected: None,
            status: None,
            confidence: None,
            forecast: None,
            forecast_band: None,
            value: None,
            target: None,
            regressed: false,
            zone: None,
        };
        let review = Review {
            as_of: "2027-02-20".parse().unwrap(),
            nodes: vec![bare, node],
            index: std::sync::OnceLock::new(),
            at: Vec::new(),
        };
        assert_eq!(
            review.to_json(),
            serde_json::to_string_pretty(&review).unwrap()
        );
    }

    #[test]
    fn names_are_the_serde_names() {
        use crate::{Band, NodeKind, Status, Zone};
        let json = |name: &str| format!("\"{name}\"");
        for band in [Band::Red, Band::Yellow, Band::Green] {
            assert_eq!(serde_json::to_string(&band).unwrap(), json(band.name()));
        }
        for status in [
            Status::NotStarted,
            Status::OnTrack,
            Status::AtRisk,
            Status::OffTrack,
            Status::Done,
            Status::Achieved,
            Status::Missed,
        ] {
            assert_eq!(serde_json::to_string(&status).unwrap(), json(status.name()));
        }
        for zone in Zone::ALL {
            assert_eq!(serde_json::to_string(&zone).unwrap(), json(zone.name()));
        }
        for kind in [
            NodeKind::Objective,
            NodeKind::KeyResult,
            NodeKind::Initiative,
        ] {
            assert_eq!(serde_json::to_string(&kind).unwrap(), json(kind.name()));
        }
    }
}
