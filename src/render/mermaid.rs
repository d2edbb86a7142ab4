//! Mermaid flowcharts.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::{EdgeStyle, band_colour, edges, entity_follows, one_line, picture, rounded};
use crate::invariant::{sure, sure_or};
use crate::{Band, Id, NodeKind, NodeRef, OkrSet, Progress};

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

/// Escapes a Mermaid quoted label with Mermaid's entity codes: `#` first
/// (Mermaid reads `#…;` as an entity), `"` (ends the label), `<` and `>`
/// (HTML), `%` next to another `%` (`%%` starts a directive or a
/// comment; Mermaid looks for directives anywhere in the text), `` ` ``
/// (a markdown string), an `&` that would start an HTML character
/// reference, and any control character left as its [`picture`]. In a
/// label holding `style` or `classDef`, `:` too: Mermaid takes a line with
/// one of those words, then `:`, then `#…;` for a style and cuts its last
/// `;`, which would spoil the label's entity codes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
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
    out
}
