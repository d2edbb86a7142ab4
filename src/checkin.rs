//! Check-ins: the dated history of a key result's value, the confidence
//! its owner states with each, and phased targets (where a key result
//! should stand on given dates).

use std::fmt;

use rust_decimal::Decimal;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::number::{Plain, serde_decimal};
use crate::{Date, Id, Moment, parse_decimal};

/// One check-in: a key result's value at a moment, with the owner's
/// confidence and a note.
///
/// # Example
/// ```
/// use okrs::{CheckIn, CheckInValue, Confidence};
///
/// let c = CheckIn::new("2027-02-03".parse()?, CheckInValue::Number(41.into()))
///     .with_confidence("0.6".parse()?)
///     .with_note("two deals slipped")
///     .by("ana");
/// assert_eq!(c.confidence.unwrap().value().to_string(), "0.6");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CheckIn {
    /// The check-in's id, given by the set when the check-in is recorded
    /// (any id given with a new check-in is replaced): `<key result>#<n>`,
    /// `n` counting every check-in the key result has had, deleted ones
    /// included, so a log replayed gives the same ids. A document may leave
    /// it out; loading numbers such check-ins after the highest given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// When: a date or an RFC 3339 timestamp.
    pub at: Moment,
    /// The value, fitting the key result's metric.
    pub value: CheckInValue,
    /// How likely the owner thinks the target is, 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who checked in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// What the check-in said before each correction, oldest first: a
    /// correction never rewrites the history silently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<Correction>,
}

/// What a check-in said before a correction, and who corrected it, when
/// and why. Made by [`Edit::CorrectCheckIn`](crate::Edit::CorrectCheckIn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Correction {
    /// The value before.
    pub value: CheckInValue,
    /// The confidence before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// The note before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Why it was corrected.
    pub reason: String,
    /// Who corrected it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// When it was corrected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Moment>,
}

/// A deleted check-in, kept with who deleted it, when and why. Made by
/// [`Edit::DeleteCheckIn`](crate::Edit::DeleteCheckIn); it no longer
/// counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct DeletedCheckIn {
    /// The check-in as it was.
    pub check_in: CheckIn,
    /// Why it was deleted.
    pub reason: String,
    /// Who deleted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// When it was deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Moment>,
}

impl CheckIn {
    /// A check-in with no confidence, note or author. O(1).
    #[must_use]
    pub fn new(at: Moment, value: CheckInValue) -> Self {
        Self {
            id: None,
            at,
            value,
            confidence: None,
            note: None,
            by: None,
            corrections: Vec::new(),
        }
    }

    /// Sets the confidence. O(1).
    #[must_use]
    pub fn with_confidence(mut self, confidence: Confidence) -> Self {
        self.confidence = Some(confidence);
        self
    }

    /// Sets the note. O(1).
    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Sets who checked in. O(1).
    #[must_use]
    pub fn by(mut self, who: impl Into<String>) -> Self {
        self.by = Some(who.into());
        self
    }
}

/// A checked-in value. Which one fits depends on the metric:
///
/// | metric | value | in a document |
/// |---|---|---|
/// | numeric, at-least, at-most, range | [`Number`](Self::Number) | `"41"` or `41` |
/// | manual | [`Number`](Self::Number), the progress | `"0.4"` |
/// | binary | [`Done`](Self::Done) | `true` |
/// | milestones | [`Milestones`](Self::Milestones), the titles done so far | `["Pick a vendor"]` |
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckInValue {
    /// A measured number (or, for manual metrics, the stated progress).
    Number(Decimal),
    /// Whether a binary key result is done.
    Done(bool),
    /// The titles of the milestones reached so far.
    Milestones(Vec<String>),
}

impl CheckInValue {
    /// What kind of value this is, as error messages say it. O(1).
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Number(_) => "a number",
            Self::Done(_) => "true or false",
            Self::Milestones(_) => "a list of milestone titles",
        }
    }
}

impl From<Decimal> for CheckInValue {
    fn from(value: Decimal) -> Self {
        Self::Number(value)
    }
}

impl From<bool> for CheckInValue {
    fn from(done: bool) -> Self {
        Self::Done(done)
    }
}

impl Serialize for CheckInValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(n) => Plain(*n).serialize(s),
            Self::Done(b) => s.serialize_bool(*b),
            Self::Milestones(titles) => titles.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for CheckInValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = CheckInValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number, true or false, or a list of milestone titles")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<CheckInValue, E> {
        Ok(CheckInValue::Done(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<CheckInValue, E> {
        parse_decimal(v)
            .map(CheckInValue::Number)
            .map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<CheckInValue, E> {
        Ok(CheckInValue::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<CheckInValue, E> {
        Ok(CheckInValue::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<CheckInValue, E> {
        serde_decimal::from_f64(v)
            .map(CheckInValue::Number)
            .map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CheckInValue, A::Error> {
        serde_decimal::from_json_number(map).map(CheckInValue::Number)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<CheckInValue, A::Error> {
        let mut titles = Vec::new();
        while let Some(title) = seq.next_element::<String>()? {
            titles.push(title);
        }
        Ok(CheckInValue::Milestones(titles))
    }
}

/// How confident an owner is of reaching a target, as stated on the set's
/// [`ConfidenceScale`] (`0-1` by default, so `"0.7"`; `"7"` on `0-10` or
/// `1-10`, `"70"` on `percent`). The set reads it linearly onto 0 to 1
/// ([`ConfidenceScale::read`]) and refuses a value outside its scale;
/// reviews give confidences read so, on 0 to 1.
///
/// # Example
/// ```
/// use okrs::{Confidence, ConfidenceLevel, ConfidenceScale};
/// let c: Confidence = "7".parse()?;
/// assert_eq!(c.value().to_string(), "7"); // as stated
/// let read = ConfidenceScale::ZeroToTen.read(c).unwrap();
/// assert_eq!(read.value().to_string(), "0.7");
/// assert_eq!(read.level(), ConfidenceLevel::High);
/// assert!(ConfidenceScale::ZeroToOne.read(c).is_none()); // 7 is not on 0–1
/// assert!("-1".parse::<Confidence>().is_err());
/// # Ok::<(), okrs::ConfidenceError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Confidence(Decimal);

/// Why a value is not a [`Confidence`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("confidence {0} is not a number of zero or more")]
pub struct ConfidenceError(String);

impl Confidence {
    /// A confidence as stated: any number of zero or more (the set checks
    /// it against its scale). O(1).
    ///
    /// # Errors
    /// [`ConfidenceError`] for negative values.
    pub fn new(value: Decimal) -> Result<Self, ConfidenceError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(ConfidenceError(value.to_string()));
        }
        Ok(Self(value.normalize()))
    }

    /// The number as stated (a review's confidences: read onto 0 to 1).
    /// O(1).
    #[must_use]
    pub const fn value(self) -> Decimal {
        self.0
    }

    /// The band of a confidence read onto 0 to 1 (as reviews give them):
    /// high at 0.7 and above, medium at 0.4 and above, else low. O(1).
    #[must_use]
    pub fn level(self) -> ConfidenceLevel {
        if self.0 >= Decimal::new(7, 1) {
            ConfidenceLevel::High
        } else if self.0 >= Decimal::new(4, 1) {
            ConfidenceLevel::Medium
        } else {
            ConfidenceLevel::Low
        }
    }

    /// A confidence already known to lie in [0, 1].
    pub(crate) fn clamped(value: Decimal) -> Self {
        Self(value.max(Decimal::ZERO).min(Decimal::ONE).normalize())
    }
}

/// The scale a set's check-ins state their confidence on, read linearly
/// onto 0 to 1; in a document, `"confidence_scale"`. The value never
/// decides the scale: `"1"` is full confidence on `0-1` and none on `1-10`.
///
/// # Example
/// ```
/// use okrs::{Confidence, ConfidenceScale};
/// let read = |scale: ConfidenceScale, text: &str| {
///     scale.read(text.parse::<Confidence>().unwrap()).map(|c| c.value().to_string())
/// };
/// assert_eq!(read(ConfidenceScale::ZeroToOne, "1").as_deref(), Some("1"));
/// assert_eq!(read(ConfidenceScale::OneToTen, "1").as_deref(), Some("0"));
/// assert_eq!(read(ConfidenceScale::OneToTen, "10").as_deref(), Some("1"));
/// assert_eq!(read(ConfidenceScale::ZeroToTen, "5").as_deref(), Some("0.5"));
/// assert_eq!(read(ConfidenceScale::Percent, "85").as_deref(), Some("0.85"));
/// assert_eq!(read(ConfidenceScale::OneToTen, "0.5"), None); // below its 1
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ConfidenceScale {
    /// 0 to 1 (the default).
    #[default]
    #[serde(rename = "0-1")]
    ZeroToOne,
    /// 0 to 10: 0 is none, 10 full.
    #[serde(rename = "0-10")]
    ZeroToTen,
    /// 1 to 10, as many tools score: 1 is none, 10 full.
    #[serde(rename = "1-10")]
    OneToTen,
    /// 0 to 100.
    #[serde(rename = "percent")]
    Percent,
}

impl ConfidenceScale {
    /// The lowest and highest value the scale takes. O(1).
    #[must_use]
    pub fn bounds(self) -> (Decimal, Decimal) {
        match self {
            Self::ZeroToOne => (Decimal::ZERO, Decimal::ONE),
            Self::ZeroToTen => (Decimal::ZERO, Decimal::TEN),
            Self::OneToTen => (Decimal::ONE, Decimal::TEN),
            Self::Percent => (Decimal::ZERO, Decimal::ONE_HUNDRED),
        }
    }

    /// A stated confidence read linearly onto 0 to 1 (the lowest value of
    /// the scale to 0, the highest to 1); `None` outside the scale. O(1).
    #[must_use]
    pub fn read(self, stated: Confidence) -> Option<Confidence> {
        if !self.holds(stated) {
            return None;
        }
        // On 0 to 1 a stated confidence (normalised, and held) reads as
        // itself, without the division that is most of the cost.
        if self == Self::ZeroToOne {
            return Some(stated);
        }
        Some(Confidence::clamped(self.divided(stated.value())?))
    }

    /// The reading by the scale's formula, `(value − low) / (high − low)`.
    fn divided(self, value: Decimal) -> Option<Decimal> {
        let (low, high) = self.bounds();
        (value - low).checked_div(high - low)
    }

    /// Whether a stated confidence lies on the scale, which is when
    /// [`read`](Self::read) reads it: a check, with no division. O(1).
    pub(crate) fn holds(self, stated: Confidence) -> bool {
        let (low, high) = self.bounds();
        (low..=high).contains(&stated.value())
    }

    pub(crate) fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

impl fmt::Display for ConfidenceScale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::ZeroToOne => "0-1",
            Self::ZeroToTen => "0-10",
            Self::OneToTen => "1-10",
            Self::Percent => "percent",
        })
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Plain(self.0), f)
    }
}

impl std::str::FromStr for Confidence {
    type Err = ConfidenceError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let value = parse_decimal(s).map_err(|_| ConfidenceError(s.to_owned()))?;
        Self::new(value)
    }
}

impl Serialize for Confidence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Plain(self.0).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Confidence {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_decimal::deserialize(d)?;
        Self::new(value).map_err(de::Error::custom)
    }
}

/// A confidence band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfidenceLevel {
    /// Below 0.4.
    Low,
    /// 0.4 up to 0.7.
    Medium,
    /// 0.7 and above.
    High,
}

impl ConfidenceLevel {
    /// The level's name, as shown. O(1).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }
}

impl fmt::Display for ConfidenceLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// A phased target: where a key result's value should stand on a date
/// within its period. Expected progress runs piecewise linearly through a
/// key result's phases (from 0 at the period's start to 1 at its end).
///
/// # Example
/// ```
/// use okrs::Phase;
/// let p = Phase::new("2027-02-15".parse()?, 30.into());
/// assert_eq!(p.target.to_string(), "30");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Phase {
    /// The date the target applies to.
    pub at: Date,
    /// The value the metric should show then, in the metric's own unit
    /// (for a manual metric, the progress).
    #[serde(with = "serde_decimal")]
    pub target: Decimal,
}

impl Phase {
    /// A phased target. O(1).
    #[must_use]
    pub fn new(at: Date, target: Decimal) -> Self {
        Self { at, target }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidences_are_read_on_their_declared_scale() {
        let read = |scale: ConfidenceScale, s: &str| {
            scale
                .read(s.parse::<Confidence>().unwrap())
                .map(Confidence::value)
        };
        use ConfidenceScale::{OneToTen, Percent, ZeroToOne, ZeroToTen};
        assert_eq!(read(ZeroToOne, "0"), Some(Decimal::ZERO));
        assert_eq!(read(ZeroToOne, "1"), Some(Decimal::ONE));
        assert_eq!(read(ZeroToOne, "0.60"), Some(Decimal::new(6, 1)));
        assert_eq!(read(ZeroToOne, "6"), None, "no guessing a 1-10 score");
        assert_eq!(read(ZeroToOne, "1.5"), None);
        assert_eq!(read(ZeroToTen, "0"), Some(Decimal::ZERO));
        assert_eq!(read(ZeroToTen, "6"), Some(Decimal::new(6, 1)));
        assert_eq!(read(ZeroToTen, "10.5"), None);
        assert_eq!(read(OneToTen, "1"), Some(Decimal::ZERO));
        assert_eq!(read(OneToTen, "10"), Some(Decimal::ONE));
        assert_eq!(read(OneToTen, "5.5"), Some(Decimal::new(5, 1)));
        assert_eq!(read(OneToTen, "0.9"), None);
        assert_eq!(read(Percent, "100"), Some(Decimal::ONE));
        assert_eq!(read(Percent, "70"), Some(Decimal::new(7, 1)));
        assert_eq!(read(Percent, "101"), None);
        assert!("-0.1".parse::<Confidence>().is_err());
        assert!("x".parse::<Confidence>().is_err());
    }

    #[test]
    fn reading_zeros_on_zero_to_one_is_the_formula_bit_for_bit() {
        let scale = ConfidenceScale::ZeroToOne;
        for text in [
            "0", "0.0", "0.000", "-0", "-0.00", "1", "1.0", "0.5", "0.50",
        ] {
            let value: Decimal = text.parse().unwrap();
            let Ok(stated) = Confidence::new(value) else {
                continue;
            };
            let formula = scale.divided(value).map(Confidence::clamped).unwrap();
            let read = scale.read(stated).unwrap();
            assert_eq!(
                read.value().serialize(),
                formula.value().serialize(),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        /// The shortcut on 0 to 1 gives the formula's decimal, scale and
        /// sign included (what reports print).
        #[test]
        fn reading_zero_to_one_is_the_formula_bit_for_bit(
            mantissa in 0i128..=10i128.pow(28), scale in 0u32..=28, small in 0i128..=1000,
            pick_small in proptest::bool::ANY, negative_zero in proptest::bool::ANY,
        ) {
            let mantissa = if pick_small { small } else { mantissa };
            let mut value = Decimal::from_i128_with_scale(mantissa, scale);
            value.set_sign_negative(negative_zero && mantissa == 0);
            let Ok(stated) = Confidence::new(value) else {
                return Ok(());
            };
            let scale = ConfidenceScale::ZeroToOne;
            let formula = scale
                .holds(stated)
                .then(|| scale.divided(value).map(Confidence::clamped))
                .flatten();
            let read = ConfidenceScale::ZeroToOne.read(stated);
            proptest::prop_assert_eq!(read.map(|c| c.value().serialize()), formula.map(|c| c.value().serialize()));
            proptest::prop_assert_eq!(read.map(|c| c.to_string()), formula.map(|c| c.to_string()));
        }
    }

    #[test]
    fn confidence_levels_at_their_boundaries() {
        let level = |s: &str| s.parse::<Confidence>().unwrap().level();
        assert_eq!(level("0.39"), ConfidenceLevel::Low);
        assert_eq!(level("0.4"), ConfidenceLevel::Medium);
        assert_eq!(level("0.69"), ConfidenceLevel::Medium);
        assert_eq!(level("0.7"), ConfidenceLevel::High);
    }
}
