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
        serde_json::to_string_pretty(self).map_err(|error| parse_error(".".to_owned(), &error))
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
