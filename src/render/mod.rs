//! Renderings of a set for people: Graphviz DOT and Mermaid pictures of the
//! alignment graph, a Markdown report and a plain-text review. They only
//! read the set, and show every number the same way ([`rounded`]).
//!
//! They are safe to show to people other than the text's authors: no
//! title, owner, level name or id can inject into what reads them. No
//! rendering carries a control character out of a user's text (each is
//! shown as its Unicode control picture, [`picture`]; line breaks become
//! spaces where a text must stay on one line); a DOT or Mermaid label is a
//! label only, Markdown shows text as text and ids verbatim, and the text
//! report prints no terminal escape. Each rendering's docs say how.

mod dot;
mod markdown;
mod mermaid;
mod text;

use std::borrow::Cow;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::invariant::sure;
use crate::lint::Tally;
use crate::{Band, Finding, NodeKind, NodeRef};

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
    let mut text = String::new();
    write_rounded(&mut text, value);
    text
}

/// [`rounded`], written at the end of `out`.
fn write_rounded(out: &mut String, value: Decimal) {
    use std::fmt::Write as _;
    // Reports show a few numbers per node: whole-number arithmetic on the
    // mantissa is several times cheaper than rounding a `Decimal` and
    // formatting it, and gives the same text (a property checks it).
    if let Some(cents) = cents(value) {
        let mut whole = itoa::Buffer::new();
        out.push_str(match u64::try_from(cents / 100) {
            Ok(small) => whole.format(small),
            Err(_) => whole.format(cents / 100),
        });
        out.push('.');
        let part = sure(u8::try_from(cents % 100).ok(), "hundredths are below 100");
        out.push(char::from(b'0' + part / 10));
        out.push(char::from(b'0' + part % 10));
        return;
    }
    let rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let _ = write!(out, "{rounded:.2}");
}

/// A non-negative value in hundredths, rounded half away from zero;
/// `None` for a negative value (the `Decimal` path keeps its sign rules).
fn cents(value: Decimal) -> Option<u128> {
    if value.is_sign_negative() {
        return None;
    }
    let mantissa = u128::try_from(value.mantissa()).ok()?;
    match value.scale().checked_sub(2) {
        None => mantissa.checked_mul(10u128.checked_pow(2 - value.scale())?),
        Some(extra) => {
            let unit = 10u128.checked_pow(extra)?;
            let (whole, rest) = (mantissa / unit, mantissa % unit);
            Some(if rest >= unit - rest {
                whole + 1
            } else {
                whole
            })
        }
    }
}

/// Health-check findings counted by severity, as the text report and the
/// CLI's `lint` end: `N errors, N warnings, N notes`.
///
/// # Example
/// ```
/// let set = okrs::OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
/// let findings = set.lint(okrs::Date::new(2026, 11, 23)?);
/// assert_eq!(okrs::severity_counts(&findings), "0 errors, 3 warnings, 0 notes");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn severity_counts(findings: &[Finding]) -> String {
    Tally::of(findings).to_string()
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

/// A title on one line (runs of whitespace, line breaks included, as one
/// space; other control characters as their [`picture`]), at most `max`
/// characters (longer text keeps its first `max − 1` and ends with `…`):
/// a DOT or Mermaid label. Borrowed when there is nothing to change, as
/// for most titles. O(length).
fn one_line(title: &str, max: usize) -> Cow<'_, str> {
    // Already one line, a character a byte.
    if plain_words(title, &PRINTABLE) {
        return match title.get(..max.saturating_sub(1)) {
            Some(kept) if title.len() > max => {
                let mut cut = String::with_capacity(kept.len() + '…'.len_utf8());
                cut.push_str(kept);
                cut.push('…');
                Cow::Owned(cut)
            }
            _ => Cow::Borrowed(title),
        };
    }
    let mut out = String::with_capacity(title.len());
    let mut count = 0;
    // Where the text is cut if it is too long: after `max − 1` characters.
    let mut cut = None;
    for (at, word) in title.split_whitespace().enumerate() {
        let separator = (at > 0).then_some(' ');
        for c in separator.into_iter().chain(word.chars()) {
            if count + 1 == max {
                cut = Some(out.len());
            }
            out.push(if c.is_control() { picture(c) } else { c });
            count += 1;
        }
    }
    if count > max {
        out.truncate(cut.unwrap_or(0));
        out.push('…');
    }
    Cow::Owned(out)
}

/// The bytes a rendering writes as they are in plain words: printable
/// ASCII and the space, less the rendering's special bytes. A table, made
/// when the crate compiles, so that [`plain_words`] looks a byte up once.
pub(super) struct Plain([bool; 256]);

impl Plain {
    /// Printable ASCII and the space, less `special`.
    #[expect(
        clippy::indexing_slicing,
        reason = "evaluated when the crate compiles, for i below 256"
    )]
    pub(super) const fn without(special: &[u8]) -> Self {
        let mut table = [false; 256];
        let mut i = 0;
        while i < 256 {
            let b = i as u8;
            table[i] = (b == b' ' || b.is_ascii_graphic()) && !contains(special, b);
            i += 1;
        }
        Self(table)
    }

    fn has(&self, b: u8) -> bool {
        self.0.get(usize::from(b)).copied().unwrap_or(false)
    }
}

/// Whether `bytes` holds `b`, usable in a `const fn`.
const fn contains(mut bytes: &[u8], b: u8) -> bool {
    while let [first, rest @ ..] = bytes {
        if *first == b {
            return true;
        }
        bytes = rest;
    }
    false
}

/// Printable ASCII and the space: a label's plain words.
const PRINTABLE: Plain = Plain::without(b"");

/// Whether `text` is printable ASCII words one space apart (no space at
/// either end, none doubled) of `plain` bytes: text a rendering that puts
/// words on one line writes as it is, as most titles are. One look at
/// each byte, without a branch. O(length).
fn plain_words(text: &str, plain: &Plain) -> bool {
    let mut ok = true;
    // A space first is as bad as a space doubled.
    let mut after_space = true;
    for &b in text.as_bytes() {
        let space = b == b' ';
        ok &= plain.has(b) & !(space & after_space);
        after_space = space;
    }
    // Nor a space last (the empty text ends in none).
    ok && (text.is_empty() || !after_space)
}

/// Writes `text` as it is when every byte is one of `plain`'s, as most
/// titles and ids are; else through `each`, a rendering's escape a
/// character at a time. O(length).
fn escape_with(out: &mut String, text: &str, plain: &Plain, each: fn(&mut String, &str)) {
    if text.bytes().all(|b| plain.has(b)) {
        out.push_str(text);
    } else {
        each(out, text);
    }
}

/// Text for one line of a terminal: each line-breaking or other whitespace
/// control character (tab, newline, CR, …) and each line or paragraph
/// separator as one space, every other control character as its
/// [`picture`], and every other character as it is (runs of spaces stay).
fn plain(text: &str) -> String {
    text.chars().map(plain_char).collect()
}

/// One character as [`plain`] shows it.
fn plain_char(c: char) -> char {
    match c {
        '\u{2028}' | '\u{2029}' => ' ',
        c if c.is_control() && c.is_whitespace() => ' ',
        c if c.is_control() => picture(c),
        c => c,
    }
}

/// How the renderings show a control character: a C0 control as its
/// Unicode control picture (NUL `␀`, ESC `␛`, BEL `␇`, U+2400 + its code),
/// DEL as `␡`, and a C1 control (U+0080 to U+009F), which has no picture,
/// as the replacement character `�`. Visible, so that a reader sees what
/// was typed, and harmless in a terminal, DOT, SVG, Mermaid and HTML.
fn picture(c: char) -> char {
    const REPLACEMENT: char = '\u{fffd}';
    match u32::from(c) {
        code @ 0..=0x1f => char::from_u32(0x2400 + code).unwrap_or(REPLACEMENT),
        0x7f => '\u{2421}',
        _ => REPLACEMENT,
    }
}

/// Whether text after an `&` would make it an HTML character reference
/// (`&lt;`, `&#27;`, `&#x1b;`): one or more ASCII letters, digits or `#`,
/// then `;`. Graphviz and Mermaid's HTML labels decode such references, so
/// they escape that `&` to show the text as typed.
fn entity_follows(rest: &str) -> bool {
    let name = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .count();
    name > 0 && rest.get(name..).is_some_and(|after| after.starts_with(';'))
}

/// Text of at most `max` characters: longer text keeps its first `max − 1`
/// and ends with `…`. The rule the renderings cut text by, written plainly
/// for their tests to check them against.
#[cfg(test)]
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal::{Decimal, RoundingStrategy};

    use super::rounded;

    /// What `rounded` wrote before its whole-number path.
    fn by_decimal(value: Decimal) -> String {
        let rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        format!("{rounded:.2}")
    }

    #[test]
    fn rounded_at_the_edges() {
        for (mantissa, scale) in [
            (125, 3),
            (5, 3),
            (49_999, 7),
            (1, 0),
            (0, 0),
            (0, 28),
            (-5, 3),
            (-1, 28),
            (i128::from(u64::MAX) << 32 | 0xffff_ffff, 0),
            (i128::from(u64::MAX) << 32 | 0xffff_ffff, 28),
            (995, 3),
            (1, 1),
        ] {
            let value = Decimal::from_i128_with_scale(mantissa, scale);
            assert_eq!(rounded(value), by_decimal(value), "{value}");
        }
    }

    /// What `one_line` wrote before its one pass: words joined by one
    /// space, control characters as pictures, then cut to `max`.
    fn one_line_by_parts(title: &str, max: usize) -> String {
        let joined = title.split_whitespace().collect::<Vec<_>>().join(" ");
        let visible: String = joined
            .chars()
            .map(|c| if c.is_control() { super::picture(c) } else { c })
            .collect();
        super::truncate(&visible, max)
    }

    #[test]
    fn one_line_at_the_edges() {
        for title in [
            "",
            " ",
            "a",
            "a b",
            "a  b",
            " a",
            "a ",
            "tab\there",
            "line\nbreak",
            "nul\u{0}",
            "del\u{7f}",
            "c1\u{85}next\u{9b}",
            "nbsp\u{a0}x",
            "ümlaut",
            "exactly ten",
        ] {
            for max in [0, 1, 2, 5, 10, 11, 48] {
                assert_eq!(
                    super::one_line(title, max),
                    one_line_by_parts(title, max),
                    "{title:?} {max}"
                );
            }
        }
    }

    proptest! {
        /// DOT's and Mermaid's escapes leave as it is only text that
        /// escaping a character at a time leaves as it is.
        #[test]
        fn plain_text_is_left_as_escaping_each_character_leaves_it(
            text in "[ -~]{0,40}|([a-z ]|&[a-z#0-9]{1,3};|%%|style|[#\"<>`:\\\\\t]){0,12}|\\PC{0,20}",
        ) {
            type Escape = fn(&mut String, &str);
            let escapes: [(Escape, Escape); 2] = [
                (super::dot::escape, super::dot::escape_each),
                (super::mermaid::escape, super::mermaid::escape_each),
            ];
            for (escape, escape_each) in escapes {
                let (mut whole, mut each) = (String::new(), String::new());
                escape(&mut whole, &text);
                escape_each(&mut each, &text);
                prop_assert_eq!(whole, each);
            }
        }

        /// One look at each byte decides what the search for a doubled
        /// space and the byte predicate decided.
        #[test]
        fn plain_words_is_the_search(text in "[ -~]{0,20}|[ a\"&]{0,8}|\\PC{0,10}") {
            fn by_search(text: &str, special: impl Fn(u8) -> bool) -> bool {
                text.bytes().all(|b| b == b' ' || (b.is_ascii_graphic() && !special(b)))
                    && !text.contains("  ")
                    && !text.starts_with(' ')
                    && !text.ends_with(' ')
            }
            prop_assert_eq!(super::plain_words(&text, &super::PRINTABLE), by_search(&text, |_| false));
            let quotes = super::Plain::without(b"\"&");
            prop_assert_eq!(
                super::plain_words(&text, &quotes),
                by_search(&text, |b| b == b'"' || b == b'&')
            );
        }

        #[test]
        fn one_line_is_words_joined_shown_and_cut(
            title in "\\PC{0,60}|[ -~\t\n]{0,60}|(\\s|\\PC|\\p{Cc}){0,60}",
            max in 0usize..64,
        ) {
            prop_assert_eq!(super::one_line(&title, max), one_line_by_parts(&title, max));
        }

        /// The whole-number path writes what rounding the `Decimal` and
        /// formatting it writes, for any value.
        #[test]
        fn rounded_is_the_decimal_rule(
            mantissa in -(1i128 << 96) + 1..(1i128 << 96),
            small in -100_000i128..100_000,
            scale in 0u32..=28,
            pick in any::<bool>(),
        ) {
            let value = Decimal::from_i128_with_scale(if pick { mantissa } else { small }, scale);
            prop_assert_eq!(rounded(value), by_decimal(value));
        }
    }
}
