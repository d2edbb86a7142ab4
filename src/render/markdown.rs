//! The Markdown report.

use std::fmt::Write as _;

use super::{Plain, picture, plain_words, rounded, write_rounded};
use crate::{Date, NodeKind, NodeRef, NodeReview, OkrSet};

impl OkrSet {
    /// A Markdown report as of a date: a summary, a table of objectives and
    /// one of key results (progress, band, status, expected progress,
    /// forecast, confidence — two places, half away from zero, as in every
    /// rendering: `0.50`), the grades of closed periods with any score set
    /// at close (its reason and who set it), and the health-check
    /// findings. O(V + E).
    ///
    /// A CommonMark or GitHub renderer shows every text as typed, and no
    /// text makes a link, an image, HTML, emphasis, code or a new table
    /// cell. Titles, level names, owners, periods, the strategy and the
    /// findings' messages are written on one line (runs of whitespace as
    /// one space, control characters as their Unicode control pictures)
    /// with `\`, `` ` ``, `*`, `_`, `~`, `[`, `]` and `|` escaped by a
    /// backslash and `&` and `<` as `&amp;` and `&lt;`; every text lands
    /// inside a line (a table cell or a sentence), so nothing can start a
    /// heading, a quote or a list. Ids are inline code, shown verbatim:
    /// fenced by more backticks than the id holds in a row, padded with a
    /// space where CommonMark strips one, with only `|` escaped (GitHub's
    /// tables read `\|` as `|` even in code). (GitHub also links bare
    /// `http://…` and `www.…` text; such a link shows where it goes.)
    ///
    /// # Example
    /// ```
    /// use okrs::{Date, OkrSet};
    /// let set = OkrSet::from_document(okrs::sample::document())?;
    /// let report = set.to_markdown(Date::new(2026, 11, 23)?);
    /// assert!(report.contains("| Grow the BizOps team |"));
    /// assert!(report.contains("| 2026-Q3 | `referrals` | 0.55 | yellow |"));
    /// assert!(report.contains("## Findings"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn to_markdown(&self, as_of: Date) -> String {
        // Everything up to the findings is written as soon as the review
        // is made, while lint may still run on the other thread.
        let (mut out, findings) = self.review_and_lint(
            as_of,
            |review| self.markdown_head(&review, as_of),
            |findings| {
                let mut out = String::new();
                push_findings(&mut out, &findings);
                out
            },
        );
        out.push_str(&findings);
        out
    }

    /// The report up to its findings. O(V + E).
    fn markdown_head(&self, review: &crate::Review, as_of: Date) -> String {
        let mut out = format!("# OKR report as of {as_of}\n\n");
        // The review holds the set's nodes in the set's order: walking the
        // set finds each node's review by its slot, not by hashing its id.
        let reviewed: Vec<(NodeRef<'_>, &NodeReview)> = self
            .nodes()
            .filter_map(|node| Some((node, review.of(&node)?)))
            .collect();
        let objectives: Vec<&(NodeRef<'_>, &NodeReview)> = reviewed
            .iter()
            .filter(|(_, r)| r.kind == NodeKind::Objective)
            .collect();
        let coverage = self.alignment_coverage().overall;
        let _ = writeln!(
            out,
            "{} objectives and {} key results; alignment model {}, strategy {}; {} of the objectives below the top level are aligned.\n",
            objectives.len(),
            review.len() - objectives.len(),
            self.alignment(),
            cell(self.strategy()),
            coverage,
        );
        out.push_str("## Objectives\n\n");
        out.push_str("| Objective | Id | Level | Owners | Period | Progress | Band | Status | Expected | Forecast | Confidence |\n");
        out.push_str("|---|---|---|---|---|---:|---|---|---:|---:|---:|\n");
        for (node, reviewed) in objectives {
            // Written in place: a table row per node, and a string for each
            // cell cost more than the review.
            out.push_str("| ");
            write_cell(&mut out, node.title());
            out.push_str(" | ");
            write_code(&mut out, node.id().as_str());
            out.push_str(" | ");
            write_cell(&mut out, node.level().unwrap_or_default());
            out.push_str(" | ");
            write_owners(&mut out, node.owners());
            out.push_str(" | ");
            write_cell(&mut out, node.period().map(|p| p.id.as_str()).unwrap_or(""));
            out.push_str(" | ");
            write_columns(&mut out, reviewed);
            out.push_str(" |\n");
        }
        out.push_str("\n## Key results\n\n");
        out.push_str("| Key result | Id | Objective | Owners | Progress | Band | Status | Expected | Forecast | Confidence |\n");
        out.push_str("|---|---|---|---|---:|---|---|---:|---:|---:|\n");
        for (node, reviewed) in reviewed
            .iter()
            .filter(|(_, r)| r.kind == NodeKind::KeyResult)
        {
            out.push_str("| ");
            write_cell(&mut out, node.title());
            out.push_str(" | ");
            write_code(&mut out, node.id().as_str());
            out.push_str(" | ");
            write_code(&mut out, node.objective().id().as_str());
            out.push_str(" | ");
            write_owners(&mut out, node.owners());
            out.push_str(" | ");
            write_columns(&mut out, reviewed);
            out.push_str(" |\n");
        }
        // The grades frozen at close, and the scores that override them.
        let closed: Vec<(&crate::Period, &crate::Grade)> = self
            .periods()
            .filter_map(|p| Some((p, p.closed.as_ref()?)))
            .flat_map(|(p, c)| c.grades.iter().map(move |g| (p, g)))
            .collect();
        if !closed.is_empty() {
            out.push_str("\n## Closed periods\n\n");
            out.push_str("| Period | Id | Grade | Band | Score | Reason | By |\n");
            out.push_str("|---|---|---:|---|---:|---|---|\n");
            for (period, grade) in closed {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    cell(period.id.as_str()),
                    code(grade.id.as_str()),
                    rounded(grade.progress.value()),
                    grade.band,
                    grade.score.map(|s| rounded(s.value())).unwrap_or_default(),
                    cell(grade.reason.as_deref().unwrap_or_default()),
                    cell(grade.by.as_deref().unwrap_or_default()),
                );
            }
        }
        out
    }
}

/// The findings' section. O(findings).
fn push_findings(out: &mut String, findings: &[crate::Finding]) {
    out.push_str("\n## Findings\n\n");
    if findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        out.push_str("| Severity | Code | Rule | Finding |\n|---|---|---|---|\n");
        for finding in findings {
            for cell in [finding.severity.name(), finding.code, finding.rule] {
                out.push_str("| ");
                out.push_str(cell);
                out.push(' ');
            }
            out.push_str("| ");
            write_cell(out, &finding.message);
            out.push_str(" |\n");
        }
    }
}

/// Progress, band, status, expected, forecast and confidence cells.
fn write_columns(out: &mut String, node: &NodeReview) {
    write_rounded(out, node.progress.value());
    out.push_str(" | ");
    out.push_str(node.band.name());
    out.push_str(" | ");
    if let Some(status) = node.status {
        out.push_str(status.name());
    }
    out.push_str(" | ");
    if let Some(expected) = node.expected {
        write_rounded(out, expected.value());
    }
    out.push_str(" | ");
    if let Some(forecast) = node.forecast {
        write_rounded(out, forecast.value());
    }
    out.push_str(" | ");
    if let Some(confidence) = node.confidence {
        write_rounded(out, confidence.value());
        out.push_str(" (");
        out.push_str(confidence.level().name());
        out.push(')');
    }
}

/// A node's owners in one cell, a comma between them: what
/// [`write_cell`] makes of them joined, without joining the one most nodes
/// have (a string per node otherwise).
fn write_owners(out: &mut String, owners: &[String]) {
    match owners {
        [] => {}
        [owner] => write_cell(out, owner),
        owners => write_cell(out, &owners.join(", ")),
    }
}

/// A text inside a line of Markdown (a table cell or a sentence): one line
/// (runs of whitespace as one space), control characters as their
/// [`picture`], the characters that start CommonMark's inline syntax
/// escaped (`\`, `` ` ``, `*`, `_`, `~`, `[`, `]`; with `[` escaped, `!`,
/// `(` and `)` make no link or image) and `|`, which ends a table cell;
/// `&` and `<` as `&amp;` and `&lt;`, so no entity, HTML or autolink.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    write_cell(&mut out, text);
    out
}

/// [`cell`], written at the end of `out`.
fn write_cell(out: &mut String, text: &str) {
    // Most cells are printable ASCII words one space apart, with nothing to
    // escape: copied whole after one look at each byte.
    if plain_words(text, &CELL) {
        out.push_str(text);
        return;
    }
    // ASCII text splits at ASCII whitespace byte by byte; that is all of
    // Unicode's whitespace in it but the vertical tab.
    if text.is_ascii() && !text.contains('\u{b}') {
        write_words(out, text.split_ascii_whitespace());
    } else {
        write_words(out, text.split_whitespace());
    }
}

/// The words of a cell, one space between them, escaped.
fn write_words<'a>(out: &mut String, words: impl Iterator<Item = &'a str>) {
    for (i, word) in words.enumerate() {
        if i > 0 {
            out.push(' ');
        }
        // Runs of plain text are copied whole; a report has a cell or more
        // per node and a message per finding.
        let mut rest = word;
        while let Some(at) = rest.bytes().position(may_escape) {
            let (plain, tail) = rest.split_at(at);
            out.push_str(plain);
            let mut chars = tail.chars();
            if let Some(c) = chars.next() {
                write_escaped(out, c);
            }
            rest = chars.as_str();
        }
        out.push_str(rest);
    }
}

/// What [`write_cell`] copies as it is: printable ASCII but the bytes
/// [`may_escape`] names.
const CELL: Plain = Plain::without(b"\\`*_~[]|&<");

/// Whether a byte may begin a character that [`write_cell`] escapes: one
/// of its ASCII characters, a C0 control or DEL, or `C2`, which begins the
/// C1 controls (and some characters that need nothing).
fn may_escape(b: u8) -> bool {
    matches!(
        b,
        b'\\' | b'`' | b'*' | b'_' | b'~' | b'[' | b']' | b'|' | b'&' | b'<'
    ) || b < 0x20
        || b == 0x7f
        || b == 0xC2
}

/// One character of a cell as [`cell`] writes it.
fn write_escaped(out: &mut String, c: char) {
    match c {
        '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '|' => {
            out.push('\\');
            out.push(c);
        }
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        c if c.is_control() => out.push(picture(c)),
        c => out.push(c),
    }
}

/// An id as inline code in a table cell, shown verbatim: fenced by more
/// backticks than it holds in a row, padded with a space on each side when
/// it holds a backtick or begins and ends with a space (CommonMark strips
/// one from each side), `|` as `\|` for the table. Ids hold no control
/// characters.
fn code(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 2);
    write_code(&mut out, id);
    out
}

/// [`code`], written at the end of `out`.
fn write_code(out: &mut String, id: &str) {
    // Most ids hold no backtick or bar and do not start with a space: one
    // backtick either side.
    if !id.starts_with(' ') && !id.bytes().any(|b| b == b'`' || b == b'|') {
        out.push('`');
        out.push_str(id);
        out.push('`');
    } else {
        write_fenced(out, id);
    }
}

/// [`write_code`] for any id: fenced by one more backtick than its longest
/// run of them, padded, its bars escaped.
fn write_fenced(out: &mut String, id: &str) {
    let mut longest = 0;
    let mut run = 0;
    for c in id.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = || std::iter::repeat_n('`', longest + 1);
    let spaced = id.starts_with(' ') && id.ends_with(' ') && id.chars().any(|c| c != ' ');
    let pad = longest > 0 || spaced;
    out.extend(fence());
    if pad {
        out.push(' ');
    }
    for piece in id.split_inclusive('|') {
        match piece.strip_suffix('|') {
            Some(before) => {
                out.push_str(before);
                out.push_str("\\|");
            }
            None => out.push_str(piece),
        }
    }
    if pad {
        out.push(' ');
    }
    out.extend(fence());
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{cell, write_escaped};

    /// [`cell`] a character at a time, as it was first written: each
    /// word's every character through [`write_escaped`].
    fn by_char(text: &str) -> String {
        let mut out = String::new();
        for (i, word) in text.split_whitespace().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            word.chars().for_each(|c| write_escaped(&mut out, c));
        }
        out
    }

    proptest! {
        /// Copying runs gives what escaping each character gave.
        #[test]
        fn cell_is_the_character_rule(
            text in "\\PC{0,30}|[a-z \\\\`*_~\\[\\]|&<\\x00-\\x1f\\x7f-\\u{a5}é]{0,30}"
        ) {
            prop_assert_eq!(cell(&text), by_char(&text));
        }
    }

    proptest! {
        /// Owners are written as their joined text is, however many.
        #[test]
        fn owners_are_their_joined_cell(
            owners in prop::collection::vec("\\PC{0,6}|[a-z \\t|*]{0,6}", 0..4)
        ) {
            let mut out = String::new();
            super::write_owners(&mut out, &owners);
            prop_assert_eq!(out, cell(&owners.join(", ")));
        }
    }

    proptest! {
        /// The one-backtick path writes what fencing writes.
        #[test]
        fn code_is_the_fenced_rule(id in "[a-z`| ]{0,8}|\\PC{0,8}") {
            let mut fenced = String::new();
            super::write_fenced(&mut fenced, &id);
            prop_assert_eq!(super::code(&id), fenced);
        }
    }

    /// The table of bytes a cell copies is the printable ones
    /// `may_escape` leaves.
    #[test]
    fn cell_copies_what_may_escape_leaves() {
        for b in 0..=u8::MAX {
            let printable = b == b' ' || b.is_ascii_graphic();
            assert_eq!(
                super::CELL.has(b),
                printable && !super::may_escape(b),
                "{b:#x}"
            );
        }
    }

    #[test]
    fn cell_keeps_one_space_between_words() {
        for text in [
            "a  b", " a", "a ", "  ", "", " ", "a b c", "a\tb", "a\u{b}b", "a\u{a0}b",
        ] {
            assert_eq!(cell(text), by_char(text), "{text:?}");
        }
    }

    #[test]
    fn cell_escapes_every_special_character_alone() {
        for c in ('\0'..='\u{10ff}').chain(['\u{2028}', '\u{3000}']) {
            let text = format!("a{c}b");
            assert_eq!(cell(&text), by_char(&text), "{c:?}");
        }
    }
}
