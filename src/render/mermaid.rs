//! Mermaid flowcharts.

use std::fmt::Write as _;

use petgraph::visit::NodeIndexable as _;

use super::{
    EdgeStyle, Plain, band_colour, edges, entity_follows, escape_with, one_line, picture,
    write_rounded,
};
use crate::invariant::{sure, sure_or, to_u32};
use crate::{Band, NodeKind, NodeRef, OkrSet, Progress};

impl OkrSet {
    /// The alignment graph as a Mermaid flowchart (bottom to top), for
    /// Markdown pages that render Mermaid: objectives as rounded boxes, key
    /// results as stadiums, coloured by band; key-result edges plain,
    /// contributing links thick, supporting links dotted; progress in the
    /// label to two places, as in every rendering (`0.50`). O(V + E).
    ///
    /// A title is shown as typed and cannot change the chart: it is one
    /// line (runs of whitespace as one space, at most 48 characters, control
    /// characters as their Unicode control pictures), inside a quoted label
    /// where `#`, `"`, `<`, `>` and `` ` `` are written as Mermaid's entity
    /// codes (`#35;`, `#quot;`, `#lt;`, `#gt;`, `#96;`), as are a `%` next to
    /// another `%` (`#37;`; a lone `%`, as in `5%`, stays) and an `&` that
    /// would start an HTML character reference (`#38;`), and, in a title
    /// holding `style` or `classDef`, a `:` (`#58;`). So no
    /// title opens a `%%{init: …}%%` directive or a `%%` comment, a
    /// markdown string, HTML, or another statement; ids are not written
    /// (nodes are named `n0`, `n1`, …).
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
        // Each node's name, `n` and its place in `nodes`, by its index in
        // the graph.
        let mut place = vec![u32::MAX; self.graph().node_bound()];
        for (at, node) in nodes.iter().enumerate() {
            if let Some(slot) = place.get_mut(node.index.index()) {
                *slot = to_u32(at);
            }
        }
        let name = |out: &mut String, node: &NodeRef<'_>| {
            let at = place.get(node.index.index()).copied();
            out.push('n');
            out.push_str(itoa::Buffer::new().format(sure(at, "edges join drawn nodes")));
        };
        // About 80 bytes a node and 30 an edge.
        let mut out = String::with_capacity(64 + nodes.len() * 128);
        out.push_str("flowchart BT\n");
        for node in &nodes {
            let (open, close) = match node.kind() {
                NodeKind::Objective => ("(\"", "\")"),
                _ => ("([\"", "\"])"),
            };
            out.push_str("  ");
            name(&mut out, node);
            out.push_str(open);
            escape(&mut out, &one_line(node.title(), 48));
            out.push_str("<br/>");
            let progress = sure_or(
                node.progress(),
                Progress::ZERO,
                "measured nodes have progress",
            );
            write_rounded(&mut out, progress.value());
            out.push_str(close);
            out.push_str(":::");
            out.push_str(node.band().map_or("none", Band::name));
            out.push('\n');
        }
        for (from, to, style) in edges(&nodes) {
            let arrow = match style {
                EdgeStyle::KeyResult => " --> ",
                EdgeStyle::Contributes => " ==>|contributes| ",
                EdgeStyle::Supports => " -.->|supports| ",
            };
            out.push_str("  ");
            name(&mut out, &from);
            out.push_str(arrow);
            name(&mut out, &to);
            out.push('\n');
        }
        for band in [Some(Band::Red), Some(Band::Yellow), Some(Band::Green), None] {
            let class = band.map_or("none", Band::name);
            let _ = writeln!(
                out,
                "  classDef {class} fill:{},stroke:#555555,color:#000000;",
                band_colour(band)
            );
        }
        out
    }
}

/// Escapes a Mermaid quoted label with Mermaid's entity codes: `#` first
/// (Mermaid reads `#…;` as an entity), `"` (ends the label), `<` and `>`
/// (HTML), `%` next to another `%` (`%%` starts a directive or a
/// comment; Mermaid looks for directives anywhere in the text), `` ` ``
/// (a markdown string), an `&` that would start an HTML character
/// reference, and any control character left as its [`picture`]. In a
/// label holding `style` or `classDef`, `:` too: Mermaid takes a line with
/// one of those words, then `:`, then `#…;` for a style and cuts its last
/// `;`, which would spoil the label's entity codes.
pub(super) fn escape(out: &mut String, text: &str) {
    escape_with(out, text, &PLAIN, escape_each);
}

/// What [`escape`] copies as it is: printable ASCII but the bytes that
/// may need escaping.
const PLAIN: Plain = Plain::without(b"#\"<>%`&:");

/// [`escape`], a character at a time.
pub(super) fn escape_each(out: &mut String, text: &str) {
    let styled = text.contains("style") || text.contains("classDef");
    let mut previous = None;
    for (i, c) in text.char_indices() {
        let rest = text.get(i + c.len_utf8()..).unwrap_or("");
        let doubled = previous == Some('%') || rest.starts_with('%');
        previous = Some(c);
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '%' if doubled => out.push_str("#37;"),
            '`' => out.push_str("#96;"),
            '&' if entity_follows(rest) => out.push_str("#38;"),
            ':' if styled => out.push_str("#58;"),
            c if c.is_control() => out.push(picture(c)),
            c => out.push(c),
        }
    }
}
