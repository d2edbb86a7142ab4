//! Mermaid flowcharts.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{EdgeStyle, band_colour, edges, one_line, rounded};
use crate::invariant::{sure, sure_or};
use crate::{Band, Id, NodeKind, NodeRef, OkrSet, Progress};

impl OkrSet {
    /// The alignment graph as a Mermaid flowchart (bottom to top), for
    /// Markdown pages that render Mermaid: objectives as rounded boxes, key
    /// results as stadiums, coloured by band; key-result edges plain,
    /// contributing links thick, supporting links dotted; progress in the
    /// label to two places, as in every rendering (`0.50`). O(V + E).
    ///
    /// # Example
    /// ```
    /// let set = okrs::OkrSet::from_document(okrs::sample::document())?;
    /// let chart = set.to_mermaid();
    /// assert!(chart.starts_with("flowchart BT"));
    /// assert!(chart.contains("classDef green"));
    /// # Ok::<(), okrs::Error>(())
    /// ```
    #[must_use]
    pub fn to_mermaid(&self) -> String {
        let nodes: Vec<NodeRef<'_>> = self.nodes().collect();
        let names: HashMap<&Id, String> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id(), format!("n{i}")))
            .collect();
        let name = |id: &Id| sure(names.get(id).cloned(), "edges join drawn nodes");
        let mut out = String::from("flowchart BT\n");
        for node in &nodes {
            let label = format!(
                "{}<br/>{}",
                escape(&one_line(node.title(), 48)),
                rounded(
                    sure_or(
                        node.progress(),
                        Progress::ZERO,
                        "measured nodes have progress"
                    )
                    .value()
                )
            );
            let (open, close) = match node.kind() {
                NodeKind::Objective => ("(\"", "\")"),
                _ => ("([\"", "\"])"),
            };
            let class = node.band().map_or("none", |b| match b {
                Band::Red => "red",
                Band::Yellow => "yellow",
                Band::Green => "green",
            });
            let _ = writeln!(out, "  {}{open}{label}{close}:::{class}", name(node.id()));
        }
        for (from, to, style) in edges(&nodes) {
            let arrow = match style {
                EdgeStyle::KeyResult => "-->",
                EdgeStyle::Contributes => "==>|contributes|",
                EdgeStyle::Supports => "-.->|supports|",
            };
            let _ = writeln!(out, "  {} {arrow} {}", name(from.id()), name(to.id()));
        }
        for band in [Some(Band::Red), Some(Band::Yellow), Some(Band::Green), None] {
            let class = band.map_or("none".to_owned(), |b| b.to_string());
            let _ = writeln!(
                out,
                "  classDef {class} fill:{},stroke:#555555,color:#000000;",
                band_colour(band)
            );
        }
        out
    }
}

/// Escapes a Mermaid quoted label: `#` first, since Mermaid reads `#…;`
/// as an entity.
fn escape(text: &str) -> String {
    text.replace('#', "#35;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}
