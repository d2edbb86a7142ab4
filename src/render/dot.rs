//! Graphviz DOT.

use std::fmt::Write as _;

use super::{EdgeStyle, band_colour, edges, one_line, rounded};
use crate::invariant::sure_or;
use crate::{NodeKind, NodeRef, OkrSet, Progress};

impl OkrSet {
    /// The alignment graph as Graphviz DOT: objectives as rounded boxes and
    /// key results as ellipses, filled by band, with progress in the label
    /// (two places, half away from zero, as in every rendering: `0.50`);
    /// key-result edges thin, contributing links bold, supporting links
    /// dashed. Supporters point up to what they support. Render it with
    /// `dot -Tsvg`. O(V + E).
    ///
    /// # Example
    /// ```
    /// let set = okrs::OkrSet::from_document(okrs::sample::document())?;
    /// let dot = set.to_dot();
    /// assert!(dot.starts_with("digraph okrs {"));
    /// assert!(dot.contains(r#""grow-bizops" -> "onboard-well" [style=bold"#));
    /// # Ok::<(), okrs::Error>(())
    /// ```
    #[must_use]
    pub fn to_dot(&self) -> String {
        let nodes: Vec<NodeRef<'_>> = self.nodes().collect();
        let mut out = String::from("digraph okrs {\n");
        out.push_str("  rankdir=BT;\n");
        out.push_str("  node [style=\"filled\", fontname=\"Helvetica\", fontsize=10];\n");
        out.push_str("  edge [color=\"#555555\"];\n");
        for node in &nodes {
            let shape = match node.kind() {
                NodeKind::Objective => "box, style=\"rounded,filled\"",
                _ => "ellipse",
            };
            let progress = sure_or(
                node.progress(),
                Progress::ZERO,
                "measured nodes have progress",
            );
            let label = format!(
                "{}\\n{}",
                escape(&one_line(node.title(), 48)),
                rounded(progress.value())
            );
            let _ = writeln!(
                out,
                "  \"{}\" [shape={shape}, label=\"{label}\", fillcolor=\"{}\"];",
                escape(node.id().as_str()),
                band_colour(node.band()),
            );
        }
        for (from, to, style) in edges(&nodes) {
            let attributes = match style {
                EdgeStyle::KeyResult => "[arrowhead=none]",
                EdgeStyle::Contributes => "[style=bold, label=\"contributes\"]",
                EdgeStyle::Supports => "[style=dashed, label=\"supports\"]",
            };
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\" {attributes};",
                escape(from.id().as_str()),
                escape(to.id().as_str())
            );
        }
        out.push_str("}\n");
        out
    }
}

/// Escapes a DOT double-quoted string.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}
