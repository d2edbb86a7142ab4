//! Renderings of a set for people: Graphviz DOT and Mermaid pictures of the
//! alignment graph and a Markdown report. They only read the set.

mod dot;
mod markdown;
mod mermaid;

use crate::{Band, NodeKind, NodeRef};

/// The fill colour of a band (light tones, readable under black text).
fn band_colour(band: Option<Band>) -> &'static str {
    match band {
        Some(Band::Red) => "#f4c7c3",
        Some(Band::Yellow) => "#fce8b2",
        Some(Band::Green) => "#b7e1cd",
        None => "#eeeeee",
    }
}

/// The edges of the alignment picture: (supporter, supported, style).
fn edges<'a>(nodes: &[NodeRef<'a>]) -> Vec<(NodeRef<'a>, NodeRef<'a>, EdgeStyle)> {
    let mut out = Vec::new();
    for node in nodes {
        if node.kind() == NodeKind::KeyResult {
            if let Some(parent) = node.parent() {
                out.push((*node, parent, EdgeStyle::KeyResult));
            }
        }
        for link in node.aligned_to() {
            let (target, contributes) = (link.target(), link.contributes());
            let style = if contributes {
                EdgeStyle::Contributes
            } else {
                EdgeStyle::Supports
            };
            out.push((*node, target, style));
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum EdgeStyle {
    /// A key result into its objective (or parent key result).
    KeyResult,
    /// An alignment link along which progress flows.
    Contributes,
    /// An alignment link that only shows support.
    Supports,
}

/// A title on one line, at most `max` characters.
fn one_line(title: &str, max: usize) -> String {
    let flat: String = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}
