//! Renderings of a set for people: Graphviz DOT and Mermaid pictures of the
//! alignment graph, a Markdown report and a plain-text review. They only
//! read the set, and show every number the same way ([`rounded`]).

mod dot;
mod markdown;
mod mermaid;
mod text;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::{Band, Finding, NodeKind, NodeRef, Severity};

/// A number as every rendering shows it: two decimal places, rounded half
/// away from zero, always both places (`0.125` → `0.13`, `0.5` → `0.50`,
/// `1` → `1.00`), so that a node shows the same figure in every format.
/// Use it to show okrs' numbers beside its own outputs.
///
/// # Example
/// ```
/// use okrs::{Decimal, rounded};
/// assert_eq!(rounded(Decimal::new(125, 3)), "0.13");
/// assert_eq!(rounded(Decimal::new(5, 1)), "0.50");
/// assert_eq!(rounded(Decimal::ONE), "1.00");
/// ```
#[must_use]
pub fn rounded(value: Decimal) -> String {
    let rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    format!("{rounded:.2}")
}

/// Health-check findings counted by severity, as the text report and the
/// CLI's `lint` end: `N errors, N warnings, N notes`.
///
/// # Example
/// ```
/// let set = okrs::OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
/// let findings = set.lint(okrs::Date::new(2026, 11, 23)?);
/// assert_eq!(okrs::severity_counts(&findings), "0 errors, 4 warnings, 0 notes");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn severity_counts(findings: &[Finding]) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    format!(
        "{} errors, {} warnings, {} notes",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note)
    )
}

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

/// A title on one line (runs of whitespace as one space), at most `max`
/// characters.
fn one_line(title: &str, max: usize) -> String {
    truncate(&title.split_whitespace().collect::<Vec<_>>().join(" "), max)
}

/// Text of at most `max` characters: longer text keeps its first `max − 1`
/// and ends with `…`.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}
