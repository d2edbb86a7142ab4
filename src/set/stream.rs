//! JSON in and out without a [`Document`] of the whole set.
//!
//! Loading straight from the parser: the document's settings are read
//! first, then each objective goes to the builder as soon as it is parsed,
//! so no [`Document`] tree of the whole set is ever built (half the time
//! and most of the memory of a load, at a million nodes). Writing, the
//! other way: [`OkrSet::to_json`] makes each objective's value as the
//! writer reaches it.
//!
//! Only the shape every writer produces streams: settings before
//! `"objectives"`, nothing after it. Anything else, and every error, gives
//! `None`, and the caller loads the exact way (a whole [`Document`], then
//! [`SetBuilder::build`]), which also names the error's path, line and
//! column. So this path decides nothing on its own: it runs the same
//! deserializers and the same checks in the same order as the exact one,
//! and a document it cannot take costs one more parse, never a different
//! answer.

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::OkrSet;
use super::builder::{DocumentSize, Loading, SetBuilder};
use crate::document::Format;
use crate::number::serde_decimal;
use crate::{
    AlignmentModel, ConfidenceScale, Document, GapPolicy, Levels, LintSettings, Objective,
    Overachievement, ParseError, Period, ProgressFrom,
};

impl OkrSet {
    /// The set's document as JSON: byte for byte what
    /// [`to_document`](Self::to_document)`().`[`to_json`](Document::to_json)`()`
    /// gives, written objective by objective without building the whole
    /// [`Document`] first (about half the memory and less time). O(V + E +
    /// text).
    ///
    /// # Errors
    /// None in practice, as for [`Document::to_json`].
    ///
    /// # Example
    /// ```
    /// let set = okrs::OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
    /// assert_eq!(set.to_json()?, set.to_document().to_json()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json(&self) -> Result<String, ParseError> {
        let settings = self.settings_document();
        let periods: Vec<&Period> = self.periods.values().collect();
        let out = DocumentOut {
            format: settings.format,
            alignment: settings.alignment,
            strategy: settings.strategy,
            levels: settings.levels,
            progress_cap: settings.progress_cap,
            progress_from: settings.progress_from,
            overachievement: settings.overachievement,
            time_zone: settings.time_zone,
            confidence_scale: settings.confidence_scale,
            status: settings.status,
            lint: settings.lint,
            periods,
            objectives: ObjectivesOut(self),
        };
        // Room for what a node usually takes, so that the text is not
        // copied over and over as it grows.
        let mut text = Vec::with_capacity(self.len().saturating_mul(256));
        let error = |error: serde_json::Error| ParseError {
            path: ".".to_owned(),
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        };
        crate::io::write_pretty(&mut text, &out).map_err(error)?;
        // serde_json writes UTF-8 only.
        String::from_utf8(text).map_err(|e| ParseError {
            path: ".".to_owned(),
            line: 0,
            column: 0,
            message: e.to_string(),
        })
    }
}

/// [`Document`] as it serializes, field for field and rule for rule, with
/// the objectives made one at a time. A test compares the two on every
/// set the fuzz harness loads; the golden files compare the CLI's output
/// with what it printed before.
#[derive(Serialize)]
struct DocumentOut<'a> {
    format: Format,
    alignment: AlignmentModel,
    #[serde(rename = "grading")]
    strategy: String,
    levels: Levels,
    #[serde(with = "serde_decimal")]
    progress_cap: Decimal,
    #[serde(skip_serializing_if = "ProgressFrom::is_default")]
    progress_from: ProgressFrom,
    #[serde(skip_serializing_if = "Overachievement::is_default")]
    overachievement: Overachievement,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_zone: Option<String>,
    #[serde(skip_serializing_if = "ConfidenceScale::is_default")]
    confidence_scale: ConfidenceScale,
    #[serde(skip_serializing_if = "GapPolicy::is_default")]
    status: GapPolicy,
    #[serde(skip_serializing_if = "LintSettings::is_default")]
    lint: LintSettings,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    periods: Vec<&'a Period>,
    objectives: ObjectivesOut<'a>,
}

/// A set's objectives, each made as a value just before it is written.
struct ObjectivesOut<'a>(&'a OkrSet);

impl Serialize for ObjectivesOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let set = self.0;
        serializer.collect_seq(
            set.objective_indices()
                .filter_map(|node| set.objective_value(node)),
        )
    }
}

/// Builds the set from JSON text in one pass, or `None` when the text
/// does not have the streamable shape or is invalid in any way.
/// O(length of the text + V + E).
pub(super) fn from_json(builder: SetBuilder, text: &str) -> Option<OkrSet> {
    if let Some(set) = super::parallel::from_json(&builder, text) {
        return Some(set);
    }
    loading(builder, text, DocumentSize::guess(text.len()))?
        .finish(true)
        .ok()
}

/// The set with the settings and objectives of a whole JSON document, its
/// links not yet added (see [`Loading::finish`]), or `None` as for
/// [`from_json`]. O(length of the text + V).
pub(super) fn loading(builder: SetBuilder, text: &str, size: DocumentSize) -> Option<Loading> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let stream = Stream { builder, size };
    let loading = de::Deserializer::deserialize_map(&mut deserializer, stream).ok()?;
    deserializer.end().ok()?;
    Some(loading)
}

/// The top-level keys of an `okrs/1` document, spelled as [`Document`]
/// spells them. A key missing here only sends its documents down the
/// exact path (an unknown key fails the stream).
#[derive(Deserialize, Clone, Copy)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    Format,
    Alignment,
    #[serde(rename = "grading")]
    Strategy,
    Levels,
    ProgressCap,
    ProgressFrom,
    Overachievement,
    TimeZone,
    ConfidenceScale,
    Status,
    Lint,
    Periods,
    Objectives,
}

/// Why the stream gave up; never shown (the exact path finds the real
/// error, or loads what the stream would not).
const GIVE_UP: &str = "not streamable";

struct Stream {
    builder: SetBuilder,
    size: DocumentSize,
}

impl<'de> Visitor<'de> for Stream {
    type Value = Loading;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an okrs/1 document")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Loading, A::Error> {
        let mut settings = Document::default();
        let mut seen = 0_u16;
        let mut loading: Option<Loading> = None;
        let mut builder = Some(self.builder);
        let size = &self.size;
        while let Some(field) = map.next_key::<Field>()? {
            let bit = 1_u16 << (field as u16);
            // A repeated key is an error of the exact path; a key after
            // the objectives would change how they load.
            if seen & bit != 0 || loading.is_some() {
                return Err(de::Error::custom(GIVE_UP));
            }
            seen |= bit;
            match field {
                Field::Format => settings.format = map.next_value::<Format>()?,
                Field::Alignment => settings.alignment = map.next_value::<AlignmentModel>()?,
                Field::Strategy => settings.strategy = map.next_value::<String>()?,
                Field::Levels => settings.levels = map.next_value::<Levels>()?,
                Field::ProgressCap => settings.progress_cap = map.next_value::<Cap>()?.0,
                Field::ProgressFrom => settings.progress_from = map.next_value::<ProgressFrom>()?,
                Field::Overachievement => {
                    settings.overachievement = map.next_value::<Overachievement>()?;
                }
                Field::TimeZone => settings.time_zone = map.next_value::<Option<String>>()?,
                Field::ConfidenceScale => {
                    settings.confidence_scale = map.next_value::<ConfidenceScale>()?;
                }
                Field::Status => settings.status = map.next_value::<GapPolicy>()?,
                Field::Lint => settings.lint = map.next_value::<LintSettings>()?,
                Field::Periods => settings.periods = map.next_value::<Vec<Period>>()?,
                Field::Objectives => {
                    let mut started = begin(&mut builder, &mut settings, size)?;
                    map.next_value_seed(Objectives(&mut started))?;
                    loading = Some(started);
                }
            }
        }
        if seen & (1 << (Field::Format as u16)) == 0 {
            return Err(de::Error::custom(GIVE_UP));
        }
        match loading {
            Some(loading) => Ok(loading),
            None => begin(&mut builder, &mut settings, size),
        }
    }
}

/// The set with the settings read so far (they are all there: nothing may
/// follow the objectives).
fn begin<E: de::Error>(
    builder: &mut Option<SetBuilder>,
    settings: &mut Document,
    size: &DocumentSize,
) -> Result<Loading, E> {
    let builder = builder.take().ok_or_else(|| E::custom(GIVE_UP))?;
    builder
        .start(std::mem::take(settings), size)
        .map_err(|_| E::custom(GIVE_UP))
}

/// `progress_cap` read as [`Document`] reads it.
struct Cap(Decimal);

impl<'de> Deserialize<'de> for Cap {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_decimal::deserialize(d).map(Cap)
    }
}

/// The objectives array, each objective added to the set as it is parsed
/// (and dropped, so the memory it held is reused by the next).
struct Objectives<'a>(&'a mut Loading);

impl<'de> DeserializeSeed<'de> for Objectives<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Objectives<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of objectives")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(objective) = seq.next_element::<Objective>()? {
            self.0
                .add(objective)
                .map_err(|_| de::Error::custom(GIVE_UP))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stream starts from `Document::default()` where the exact path
    /// starts from serde's field defaults: they must be the same.
    #[test]
    fn starts_from_the_documents_defaults() {
        let read: Document = serde_json::from_str(r#"{"format": "okrs/1"}"#).unwrap();
        assert_eq!(read, Document::default());
    }

    #[test]
    fn gives_up_on_keys_after_the_objectives_and_on_repeats() {
        let streams = |text: &str| from_json(SetBuilder::default(), text).is_some();
        assert!(streams(
            r#"{"format": "okrs/1", "levels": ["a"], "objectives": []}"#
        ));
        assert!(!streams(
            r#"{"format": "okrs/1", "objectives": [], "levels": ["a"]}"#
        ));
        assert!(!streams(r#"{"format": "okrs/1", "format": "okrs/1"}"#));
        assert!(!streams(r#"{"levels": ["a"]}"#));
        assert!(!streams(r#"{"format": "okrs/1"} x"#));
    }
}
