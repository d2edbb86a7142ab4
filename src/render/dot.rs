//! Graphviz DOT.

use super::{
    EdgeStyle, Plain, band_colour, edges, entity_follows, escape_with, one_line, picture,
    write_rounded,
};
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
    /// Titles and ids are shown as typed and cannot change the graph: a
    /// title is one line (runs of whitespace as one space, at most 48
    /// characters), `"` and `\` are escaped, an `&` that would start an
    /// HTML character reference (`&lt;`, `&#27;`) is written `&amp;`, and a
    /// control character is shown as its Unicode control picture (`␀`,
    /// `␛`; `�` for C1 controls), so neither the DOT nor the SVG that `dot`
    /// makes of it carries a control character.
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
        // About 120 bytes a node and 40 an edge.
        let mut out = String::with_capacity(128 + nodes.len() * 192);
        out.push_str("digraph okrs {\n");
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
            out.push_str("  \"");
            escape(&mut out, node.id().as_str());
            out.push_str("\" [shape=");
            out.push_str(shape);
            out.push_str(", label=\"");
            escape(&mut out, &one_line(node.title(), 48));
            out.push_str("\\n");
            write_rounded(&mut out, progress.value());
            out.push_str("\", fillcolor=\"");
            out.push_str(band_colour(node.band()));
            out.push_str("\"];\n");
        }
        for (from, to, style) in edges(&nodes) {
            let attributes = match style {
                EdgeStyle::KeyResult => "[arrowhead=none]",
                EdgeStyle::Contributes => "[style=bold, label=\"contributes\"]",
                EdgeStyle::Supports => "[style=dashed, label=\"supports\"]",
            };
            out.push_str("  \"");
            escape(&mut out, from.id().as_str());
            out.push_str("\" -> \"");
            escape(&mut out, to.id().as_str());
            out.push_str("\" ");
            out.push_str(attributes);
            out.push_str(";\n");
        }
        out.push_str("}\n");
        out
    }
}

/// Escapes a DOT double-quoted string: `"` and `\` with a backslash (so
/// no `\N`, `\G` or `\l` reaches Graphviz), an `&` that would start a
/// character reference as `&amp;`, a newline or CR as a space and any
/// other control character as its [`picture`].
pub(super) fn escape(out: &mut String, text: &str) {
    escape_with(out, text, &PLAIN, escape_each);
}

/// What [`escape`] copies as it is: printable ASCII but `"`, `\` and `&`.
const PLAIN: Plain = Plain::without(b"\"\\&");

/// [`escape`], a character at a time.
pub(super) fn escape_each(out: &mut String, text: &str) {
    for (i, c) in text.char_indices() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '&' if entity_follows(text.get(i + 1..).unwrap_or("")) => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => out.push(picture(c)),
            c => out.push(c),
        }
    }
}
