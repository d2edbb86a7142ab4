//! Documents in and out: JSON (feature `json`) and spreadsheet-style CSV
//! (feature `csv`). Each reader checks the text's shape and names the
//! position of the first problem; the set checks the model.

#[cfg(feature = "csv")]
mod csv;
#[cfg(feature = "json")]
mod json;

#[cfg(feature = "csv")]
pub use self::csv::CSV_COLUMNS;
#[cfg(feature = "json")]
pub(crate) use self::json::write_pretty;

use crate::invariant::sure;

/// A JSON string as serde_json escapes it: the quote, the backslash and
/// control characters below U+0020 (the short forms where JSON has them,
/// else `\u00XX` in lowercase hex); everything else as it is. The next
/// byte to escape is found eight bytes at a time ([`first_to_escape`]): a
/// large organisation's findings are mostly text with nothing to escape.
pub(crate) fn push_string(out: &mut String, text: &str) {
    out.push('"');
    let bytes = text.as_bytes();
    let mut plain = 0;
    let mut at = 0;
    while at < bytes.len() {
        if let Some(word) = bytes.get(at..at + 8) {
            let word = u64::from_le_bytes(sure(word.try_into().ok(), "eight bytes"));
            match first_to_escape(word) {
                Some(first) => at += first,
                None => {
                    at += 8;
                    continue;
                }
            }
        }
        let byte = sure(bytes.get(at).copied(), "`at` is inside the text");
        let escaped = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => {
                at += 1;
                continue;
            }
        };
        // Escapes are ASCII, so `at` is a char boundary.
        out.push_str(text.get(plain..at).unwrap_or_default());
        if escaped.is_empty() {
            out.push_str("\\u00");
            for nibble in [byte >> 4, byte & 0xf] {
                out.push(sure(
                    char::from_digit(u32::from(nibble), 16),
                    "a nibble is one hex digit",
                ));
            }
        } else {
            out.push_str(escaped);
        }
        at += 1;
        plain = at;
    }
    out.push_str(text.get(plain..).unwrap_or_default());
    out.push('"');
}

/// Where the first byte JSON escapes (below 0x20, `"` or `\`) lies in a
/// word of eight bytes, read little-endian; `None` when there is none.
/// The classic borrow tricks ("a byte below n", "a zero byte") flag every
/// such byte, and may flag more only above one they flag rightly, so the
/// lowest flag is the first (a property checks it against the bytes).
fn first_to_escape(word: u64) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |w: u64, n: u64| w.wrapping_sub(ONES * n) & !w & HIGH;
    let flags = below(word, 0x20)
        | below(word ^ (ONES * u64::from(b'"')), 1)
        | below(word ^ (ONES * u64::from(b'\\')), 1);
    (flags != 0).then(|| (flags.trailing_zeros() / 8) as usize)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{first_to_escape, push_string};

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        push_string(&mut out, text);
        out
    }

    #[test]
    fn escapes_as_serde_json_does_every_ascii_byte() {
        for byte in 0_u8..0x80 {
            let text = format!("a{}b", char::from(byte));
            assert_eq!(
                escaped(&text),
                serde_json::to_string(&text).unwrap(),
                "{byte:#x}"
            );
        }
    }

    proptest! {
        /// The word test finds the first byte the byte test finds, on
        /// any word and on words of bytes near the ones escaped.
        #[test]
        fn a_words_first_byte_to_escape_is_the_bytes(
            word in any::<u64>(),
            near in proptest::collection::vec(
                proptest::sample::select(vec![0x00_u8, 0x01, 0x1f, 0x20, 0x21, b'"', 0x23, 0x5b, b'\\', 0x5d, 0x7f, 0x80, 0x9f, 0xa2, 0xdc, 0xff]),
                8,
            ),
        ) {
            let first = |bytes: [u8; 8]| bytes.iter().position(|&b| b < 0x20 || b == b'"' || b == b'\\');
            prop_assert_eq!(first_to_escape(word), first(word.to_le_bytes()));
            let bytes: [u8; 8] = near.try_into().unwrap();
            prop_assert_eq!(first_to_escape(u64::from_le_bytes(bytes)), first(bytes));
        }

        /// Strings longer than a word, with what needs escaping anywhere
        /// in them.
        #[test]
        fn long_strings_escape_as_serde_json_does(text in "[a-z \"\\\\\\x00-\\x1fé€😀]{0,40}") {
            prop_assert_eq!(escaped(&text), serde_json::to_string(&text).unwrap());
        }

        #[test]
        fn escapes_as_serde_json_does(text in "\\PC{0,12}|[\\x00-\\x7f]{0,12}|.{0,12}") {
            prop_assert_eq!(escaped(&text), serde_json::to_string(&text).unwrap());
        }
    }
}
