//! The plain-text review: the `okrs` command's report.

use std::fmt::Write as _;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

use super::{picture, plain, plain_char, rounded, write_rounded};
use crate::lint::Tally;
use crate::{Band, Date, GroupBy, NodeKind, NodeRef, NodeReview, OkrSet, Review, Status};

/// The width of the title column, in characters (indent and marker included).
const TITLE_WIDTH: usize = 60;

/// The cells of a progress bar.
const BAR_CELLS: usize = 10;

impl OkrSet {
    /// A plain-text review as of a date, for a terminal: the alignment
    /// model, strategy, levels and periods; then per level each objective
    /// with its key results (indented by depth) on one line each — title
    /// (cut with `…` at 60 characters), a progress bar, progress, band,
    /// status, expected progress, forecast and its band, confidence, and
    /// where they apply `regressed`, the zone and a `sum-of-values` key
    /// result's summed value and target — and under each objective its
    /// owners, period, frozen grade (and the score set at close, by whom
    /// and why), carry-forward
    /// and alignment links; last, the objectives per band and per status,
    /// the number of health-check findings per severity, and the
    /// objectives whose period lies outside the period of what they align
    /// to. Numbers have two decimal places, as in every rendering. O(V + E)
    /// plus one [`review`](Self::review) and one [`lint`](Self::lint).
    ///
    /// Safe to print: the report holds no control character but its own
    /// newlines. In every text it shows (titles, owners, level names, ids,
    /// the strategy) a tab, newline, CR or other whitespace control
    /// character is one space, so that each node keeps its one line, and
    /// any other control character is shown as its Unicode control picture
    /// (ESC as `␛`, BEL as `␇`; `�` for C1 controls), so no terminal escape
    /// sequence (setting the window title, clearing the screen) reaches the
    /// terminal.
    ///
    /// # Example
    /// ```
    /// use okrs::{Date, OkrSet};
    /// let set = OkrSet::from_document(okrs::sample::document())?;
    /// let text = set.to_text(Date::new(2026, 11, 23)?);
    /// assert!(text.starts_with("alignment: cascading, strategy: weighted-mean"));
    /// assert!(text.contains("\n== company ==\n"));
    /// assert!(text.contains("  KR Raise eNPS from 20 to 40 "));
    /// assert!(text.contains("] 0.33 red    | at-risk "));
    /// assert!(text.contains("\nobjectives: 2 green, 6 yellow, 0 red\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn to_text(&self, as_of: Date) -> String {
        // Everything up to the summary is written as soon as the review
        // is made, while lint may still count on the other thread.
        let ((mut out, review), tally) =
            self.review_and_tally(as_of, |review| (self.text_body(&review, as_of), review));
        write_summary(&mut out, self, &review, tally);
        // Every text above went through `plain`; this makes sure of it.
        if has_control(&out) {
            out = out
                .chars()
                .map(|c| {
                    if c.is_control() && c != '\n' {
                        picture(c)
                    } else {
                        c
                    }
                })
                .collect();
        }
        out
    }

    /// The report up to its summary. O(V + E).
    fn text_body(&self, review: &Review, as_of: Date) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "alignment: {}, strategy: {}, levels: {}",
            self.alignment(),
            plain(self.strategy()),
            plain(&self.levels().iter().collect::<Vec<_>>().join(" > "))
        );
        for period in self.periods() {
            let state = if period.is_closed() {
                "closed"
            } else if as_of < period.start {
                "not started"
            } else if as_of > period.end {
                "ended"
            } else {
                "open"
            };
            let _ = writeln!(
                out,
                "period {}: {} to {}, {state}",
                period.id, period.start, period.end
            );
        }
        let _ = writeln!(
            out,
            "\ncolumns: progress as of {as_of}, band | status, expected progress, forecast at the period's end and its band, confidence\n"
        );
        // Grouped in one pass: a search per level is quadratic in a
        // document with thousands of levels.
        let levels = self.levels();
        let mut by_level: Vec<Vec<NodeRef<'_>>> = vec![Vec::new(); levels.len()];
        for objective in self.objectives() {
            let rank = objective.level().and_then(|level| levels.rank(level));
            if let Some(group) = rank.and_then(|rank| by_level.get_mut(rank)) {
                group.push(objective);
            }
        }
        for (level, objectives) in levels.iter().zip(by_level) {
            if objectives.is_empty() {
                continue;
            }
            let _ = writeln!(out, "== {} ==", plain(level));
            for objective in objectives {
                if review.of(&objective).is_some() {
                    write_objective(&mut out, &objective, review);
                }
            }
        }
        out
    }
}

/// An objective's line, its details, its key results, and a blank line.
fn write_objective(out: &mut String, objective: &NodeRef<'_>, review: &Review) {
    write_line(out, objective, review, 0);
    let owners = if objective.owners().is_empty() {
        "no owner".to_owned()
    } else {
        plain(&objective.owners().join(", "))
    };
    let period = objective
        .period()
        .map(|p| format!(", period {}", p.id))
        .unwrap_or_default();
    let _ = writeln!(out, "      owner: {owners}{period}");
    if let Some(grade) = objective.frozen_grade() {
        let scored = grade
            .score
            .map(|score| {
                let by = grade
                    .by
                    .as_deref()
                    .map(|by| format!(" by {}", plain(by)))
                    .unwrap_or_default();
                let reason = grade.reason.as_deref().map(plain).unwrap_or_default();
                format!(", scored {}{by}: {reason}", rounded(score.value()))
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "      closed at {} ({}){scored}",
            rounded(grade.progress.value()),
            grade.band
        );
    }
    match objective.carried() {
        (Some(from), _) => {
            let _ = writeln!(out, "      carried forward from {from}");
        }
        (_, Some(to)) => {
            let _ = writeln!(out, "      carried forward to {to}");
        }
        _ => {}
    }
    for link in objective.aligned_to() {
        let how = if link.contributes() {
            "contributes to"
        } else {
            "supports"
        };
        let _ = writeln!(
            out,
            "      {how} {} (weight {})",
            link.target().id(),
            link.weight()
        );
    }
    write_key_results(out, objective, review, 1);
    out.push('\n');
}

/// The key results under a node, depth first, indented by depth.
fn write_key_results(out: &mut String, parent: &NodeRef<'_>, review: &Review, depth: usize) {
    for kr in parent.key_results() {
        write_line(out, &kr, review, depth);
        write_key_results(out, &kr, review, depth + 1);
    }
}

/// One node's line and its newline; an empty line for a node the review
/// does not hold. Written in place: the report has a line per node, and
/// building each part as a string of its own cost more than the review.
fn write_line(out: &mut String, node: &NodeRef<'_>, review: &Review, depth: usize) {
    let start = out.len();
    if let Some(reviewed) = review.of(node) {
        write_cells(out, node, reviewed, depth);
    }
    // The padded cells leave spaces at the end.
    let kept = out.get(start..).map_or(0, |line| line.trim_end().len());
    out.truncate(start + kept);
    out.push('\n');
}

/// The title cell: indent, marker, a space and the [`plain`](super::plain)
/// title, cut with `…` and padded with spaces to [`TITLE_WIDTH`]
/// characters.
fn write_title(out: &mut String, depth: usize, marker: &str, title: &str) {
    // Indent, marker and a space, then the title: `plain` keeps one
    // character for each.
    let prefix = 2 * depth + marker.len() + 1;
    // Most titles are printable ASCII, which `plain` keeps and which cut
    // at any byte: written as slices, not character by character.
    let ascii = title.bytes().all(|b| (b' '..=b'~').contains(&b));
    let width = prefix
        + if ascii {
            title.len()
        } else {
            title.chars().count()
        };
    let shown = if width <= TITLE_WIDTH {
        width
    } else {
        TITLE_WIDTH - 1
    };
    let rest = shown.saturating_sub(prefix);
    match title.get(..rest).filter(|_| ascii && prefix < shown) {
        Some(cut) => {
            push_repeated(out, SPACES, 2 * depth);
            out.push_str(marker);
            out.push(' ');
            out.push_str(cut);
        }
        None => {
            let head = std::iter::repeat_n(' ', 2 * depth)
                .chain(marker.chars())
                .chain(std::iter::once(' '))
                .chain(title.chars().map(plain_char));
            out.extend(head.take(shown));
        }
    }
    if width > TITLE_WIDTH {
        out.push('…');
    }
    push_repeated(out, SPACES, TITLE_WIDTH.saturating_sub(width));
}

/// A run of spaces for [`push_repeated`].
const SPACES: &str = "                ";

/// Whether the text holds a control character other than a newline, for
/// the check that ends [`OkrSet::to_text`], which reads the whole report.
/// Control characters (Unicode's `Cc`) are U+0000 to U+001F, U+007F, and
/// U+0080 to U+009F, which UTF-8 writes as `C2 80` to `C2 9F`.
fn has_control(text: &str) -> bool {
    // Blocks folded without branching, which the compiler vectorises; only
    // a text with a C0 control, DEL or a `C2` lead byte (U+0080 to U+00BF,
    // rare in titles) is then read character by character.
    let suspect = text.as_bytes().chunks(64).any(|block| {
        block.iter().fold(false, |seen, &b| {
            seen | ((b < 0x20) & (b != b'\n')) | (b == 0x7f) | (b == 0xC2)
        })
    });
    suspect && text.chars().any(|c| c.is_control() && c != '\n')
}

/// `count` copies of the one ASCII character `run` repeats, a slice of
/// `run` at a time.
fn push_repeated(out: &mut String, run: &str, count: usize) {
    let mut left = count;
    while left > 0 {
        let take = left.min(run.len());
        out.push_str(run.get(..take).unwrap_or_default());
        left -= take;
    }
}

/// `name` left-aligned in `width` columns, as `{:<width}` writes the
/// names' `Display` (`Formatter::pad`), without the formatter: a report
/// has a few per line.
fn push_padded(out: &mut String, name: &str, width: usize) {
    out.push_str(name);
    push_repeated(out, SPACES, width.saturating_sub(name.chars().count()));
}

/// The bar's filled cells: progress × [`BAR_CELLS`] rounded half to even
/// (as `Decimal::round` rounds the product, which is exact: it only adds a
/// zero), at most all of them. On the mantissa, in whole numbers, for
/// progress up to all cells (a report has one bar per line); through
/// `Decimal` past that, where the conversions have their own edges.
fn filled_cells(progress: Decimal) -> usize {
    let cells = || -> Option<usize> {
        let mantissa = u128::try_from(progress.mantissa()).ok()?;
        let product = mantissa.checked_mul(BAR_CELLS as u128)?;
        let unit = 10_u128.checked_pow(progress.scale())?;
        let (whole, rest) = (product / unit, product % unit);
        let twice = rest.checked_mul(2)?;
        let up = twice > unit || (twice == unit && whole % 2 == 1);
        usize::try_from(whole + u128::from(up))
            .ok()
            .filter(|&cells| cells <= BAR_CELLS)
    };
    cells().unwrap_or_else(|| decimal_cells(progress))
}

/// [`filled_cells`] through `Decimal`: the product rounded, none below
/// zero or past `usize`, all of them when the product overflows.
fn decimal_cells(progress: Decimal) -> usize {
    progress
        .checked_mul(Decimal::from(BAR_CELLS))
        .map_or(Some(BAR_CELLS), |cells| cells.round().to_usize())
        .unwrap_or(0)
        .min(BAR_CELLS)
}

/// The cells of [`write_line`]: title (cut with `…` and padded to
/// [`TITLE_WIDTH`]), bar, progress, band, then what applies.
fn write_cells(out: &mut String, node: &NodeRef<'_>, reviewed: &NodeReview, depth: usize) {
    let progress = reviewed.progress.value();
    let filled = filled_cells(progress);
    let marker = match node.kind() {
        NodeKind::Objective => "O ",
        _ => "KR",
    };
    write_title(out, depth, marker, node.title());
    out.push_str(" [");
    push_repeated(out, "##########", filled);
    push_repeated(out, "..........", BAR_CELLS - filled);
    out.push_str("] ");
    write_rounded(out, progress);
    out.push(' ');
    push_padded(out, reviewed.band.name(), 6);
    if let Some(status) = reviewed.status {
        out.push_str(" | ");
        push_padded(out, status.name(), 11);
    }
    if let Some(expected) = reviewed.expected {
        out.push_str(" exp ");
        write_rounded(out, expected.value());
    }
    if let (Some(forecast), Some(band)) = (reviewed.forecast, reviewed.forecast_band) {
        out.push_str("  fc ");
        write_rounded(out, forecast.value());
        out.push(' ');
        push_padded(out, band.name(), 6);
    }
    if let Some(confidence) = reviewed.confidence {
        out.push_str("  conf ");
        write_rounded(out, confidence.value());
        out.push(' ');
        out.push_str(confidence.level().name());
    }
    if reviewed.regressed {
        out.push_str("  regressed");
    }
    if let Some(zone) = reviewed.zone {
        out.push_str("  zone ");
        out.push_str(zone.name());
    }
    if node.metric().is_none() && node.key_results().next().is_some() {
        if let (Some(value), Some(target)) = (reviewed.value, reviewed.target) {
            let _ = write!(out, "  sum {} of {}", value.normalize(), target.normalize());
        }
    }
}

/// The objectives per band and per status (from the set's
/// [`distribution`](OkrSet::distribution) by level, summed), the health
/// checks per severity, and the period mismatches.
fn write_summary(out: &mut String, set: &OkrSet, review: &Review, tally: Tally) {
    let by_level = set.distribution(review, GroupBy::Level);
    let bands = |band: Band| -> usize { by_level.iter().map(|(_, d)| d.band_count(band)).sum() };
    let _ = writeln!(
        out,
        "objectives: {} green, {} yellow, {} red",
        bands(Band::Green),
        bands(Band::Yellow),
        bands(Band::Red)
    );
    // In order of first appearance, level by level.
    let mut statuses: Vec<Status> = Vec::new();
    for (_, distribution) in &by_level {
        for (status, _) in &distribution.statuses {
            if !statuses.contains(status) {
                statuses.push(*status);
            }
        }
    }
    if !statuses.is_empty() {
        let parts: Vec<String> = statuses
            .iter()
            .map(|&status| {
                let count: usize = by_level.iter().map(|(_, d)| d.status_count(status)).sum();
                format!("{count} {status}")
            })
            .collect();
        let _ = writeln!(out, "status: {}", parts.join(", "));
    }
    let _ = writeln!(out, "health checks: {tally} (the lint command lists them)");
    for mismatch in set.period_mismatches() {
        let _ = writeln!(
            out,
            "note: {} ({}) aligns to {} ({}), whose period does not contain its own",
            mismatch.objective, mismatch.period, mismatch.parent, mismatch.parent_period
        );
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use rust_decimal::prelude::ToPrimitive as _;

    use super::{BAR_CELLS, TITLE_WIDTH, decimal_cells, filled_cells, has_control, write_title};
    use crate::render::{plain, truncate};

    /// Every character up to U+10FF alone between letters, so each control
    /// character is seen without another to give it away.
    #[test]
    fn has_control_finds_each_control_character() {
        for c in ('\0'..='\u{10ff}').filter(|c| *c != '\n') {
            assert_eq!(has_control(&format!("a{c}b")), c.is_control(), "{c:?}");
        }
    }

    proptest! {
        /// The whole-number bar is the `Decimal` one: the product rounded
        /// half to even, at most all cells, none below zero.
        #[test]
        fn filled_cells_are_the_decimal_rounding(
            mantissa in any::<i128>(),
            bits in 0_u32..97,
            scale in 0_u32..=28,
        ) {
            use rust_decimal::Decimal;
            let mantissa = mantissa % (1_i128 << bits.min(96)).max(1);
            let Ok(value) = Decimal::try_from_i128_with_scale(mantissa, scale) else {
                return Ok(());
            };
            prop_assert_eq!(filled_cells(value), decimal_cells(value), "{}", value);
        }

        /// Half-way products round to even, as `Decimal::round` does.
        #[test]
        fn half_way_cells_round_to_even(tenths in 0_i64..200) {
            use rust_decimal::Decimal;
            let value = Decimal::new(tenths * 10 + 5, 2);
            let by_decimal = (value * Decimal::from(BAR_CELLS)).round().to_usize().unwrap().min(BAR_CELLS);
            prop_assert_eq!(filled_cells(value), by_decimal);
        }

        /// The byte scan agrees with `char::is_control`.
        #[test]
        fn has_control_is_is_control(
            text in "\\PC{0,20}|[a-z é\\n\\u{100}-\\u{10ff}]{0,8}[\\x00-\\x1f\\x7f-\\u{a0}]?[a-z é\\n]{0,8}"
        ) {
            let by_char = text.chars().any(|c| c.is_control() && c != '\n');
            prop_assert_eq!(has_control(&text), by_char);
        }

        /// The title cell is what cutting and padding the whole text
        /// gives, for any title and depth.
        #[test]
        fn title_cell_is_the_cut_and_padded_text(
            title in "\\PC{0,70}|[ -~]{0,70}|[a\\x00-\\x1f\\x7f\\u{85}\\u{2028}é]{0,70}",
            depth in 0usize..40,
            objective in any::<bool>(),
        ) {
            let marker = if objective { "O " } else { "KR" };
            let indent = "  ".repeat(depth);
            let text = truncate(&format!("{indent}{marker} {}", plain(&title)), TITLE_WIDTH);
            let mut out = String::new();
            write_title(&mut out, depth, marker, &title);
            prop_assert_eq!(out, format!("{text:<TITLE_WIDTH$}"));
        }
    }
}
