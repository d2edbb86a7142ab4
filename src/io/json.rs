//! JSON in and out: `okrs/1` documents through serde_json, numbers read
//! exactly from their text.

use crate::{Document, ParseError};

impl Document {
    /// Reads a document from JSON text. Numbers may be written as JSON
    /// numbers or strings; both are read exactly, never through `f64`.
    /// Nesting deeper than 128 levels is refused, so hostile input cannot
    /// overflow the stack.
    ///
    /// # Errors
    /// [`ParseError`] naming the path, line and column of the first
    /// problem: bad syntax, a wrong type, an unknown field or format. O(length of the text).
    ///
    /// # Example
    /// ```
    /// let err = okrs::Document::from_json(r#"{"format": "okrs/2"}"#).unwrap_err();
    /// assert!(err.to_string().contains("okrs/2"));
    /// assert_eq!(err.line(), 1);
    /// ```
    pub fn from_json(text: &str) -> Result<Self, ParseError> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let document: Self =
            serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
                let path = error.path().to_string();
                parse_error(path, &error.into_inner())
            })?;
        deserializer
            .end()
            .map_err(|error| parse_error(".".to_owned(), &error))?;
        Ok(document)
    }

    /// Writes the document as pretty-printed JSON, decimals as strings
    /// so that their scale survives (`"20"` stays `"20"`, `"0.50"` stays
    /// `"0.50"`). O(size of the document).
    ///
    /// # Errors
    /// None in practice: every field serializes to JSON. The `Result`
    /// guards against a future field that cannot.
    pub fn to_json(&self) -> Result<String, ParseError> {
        let mut text = Vec::new();
        write_pretty(&mut text, self).map_err(|error| parse_error(".".to_owned(), &error))?;
        // serde_json writes UTF-8 only.
        String::from_utf8(text).map_err(|error| ParseError {
            path: ".".to_owned(),
            line: 0,
            column: 0,
            message: error.to_string(),
        })
    }
}

/// Writes `value` as `serde_json::to_writer_pretty` does, byte for byte,
/// with each line's break and indent as one write.
pub(crate) fn write_pretty<T: serde::Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), serde_json::Error> {
    let mut serializer = serde_json::Serializer::with_formatter(out, Pretty::default());
    value.serialize(&mut serializer)
}

/// `",\n"` and then the widest indent written in one piece; deeper lines
/// add the rest two spaces at a time.
const LINES: &[u8; 2 + 2 * 32] =
    b",\n                                                                ";

/// serde_json's `PrettyFormatter` with its two-space indent, writing a
/// line's comma, break and indent with one copy where that one writes the
/// indent two spaces at a time (a quarter of a document's writing
/// instructions went to those copies). Every method keeps
/// `PrettyFormatter`'s state and output exactly; a property holds it to
/// the original.
#[derive(Debug, Default)]
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    /// A break (after a comma unless `first`) and the indent of `depth`.
    fn line<W: ?Sized + std::io::Write>(
        writer: &mut W,
        first: bool,
        depth: usize,
    ) -> std::io::Result<()> {
        let start = usize::from(first);
        let width = depth.saturating_mul(2);
        let fits = width.min(LINES.len() - 2);
        let line = crate::invariant::sure(LINES.get(start..2 + fits), "a line fits LINES");
        writer.write_all(line)?;
        for _ in 0..(width - fits) / 2 {
            writer.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        writer.write_all(bracket)
    }

    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            Self::line(writer, true, self.depth)?;
        }
        writer.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Pretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.open(writer, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.close(writer, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        Self::line(writer, first, self.depth)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        _writer: &mut W,
    ) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.open(writer, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.close(writer, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        Self::line(writer, first, self.depth)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        _writer: &mut W,
    ) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

fn parse_error(path: String, error: &serde_json::Error) -> ParseError {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
    ParseError {
        path,
        line: error.line(),
        column: error.column(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::write_pretty;

    /// JSON values of any shape: empty and nested arrays and objects.
    fn values() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "[a-z\"\\\\\n]{0,4}".prop_map(Value::String),
        ];
        leaf.prop_recursive(48, 160, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(("[a-c]{1,2}", inner), 0..4)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    fn pretty(value: &Value) -> String {
        let mut out = Vec::new();
        write_pretty(&mut out, value).unwrap();
        String::from_utf8(out).unwrap()
    }

    proptest! {
        #[test]
        fn writes_what_serde_jsons_pretty_printer_writes(value in values()) {
            prop_assert_eq!(pretty(&value), serde_json::to_string_pretty(&value).unwrap());
        }
    }

    /// Past the widest indent `LINES` holds, which the property rarely
    /// reaches.
    #[test]
    fn lines_deeper_than_the_widest_indent_are_written_whole() {
        let mut value = serde_json::json!({"a": [1, {}, []], "b": {"c": []}});
        for depth in 0..80 {
            value = if depth % 2 == 0 {
                serde_json::json!([value, depth, []])
            } else {
                serde_json::json!({"x": value, "y": {}})
            };
            assert_eq!(
                pretty(&value),
                serde_json::to_string_pretty(&value).unwrap()
            );
        }
    }
}
