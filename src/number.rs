//! Exact numbers: [`Weight`] and [`Progress`], and how decimals are read from
//! documents (strings or numbers, never through `f64`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::invariant::sure;

/// Why a text is not a decimal number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a decimal number within range (at most 28 decimal places and 29 digits)")]
pub struct DecimalError {
    text: String,
}

impl DecimalError {
    /// The text that failed to parse.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Parses a decimal exactly: plain (`"0.25"`, `"-3"`) or scientific
/// (`"2.5e-1"`). Text that cannot be held without rounding, `NaN` and
/// `Infinity` are errors.
///
/// # Errors
/// [`DecimalError`] naming the text. O(length).
///
/// # Example
/// ```
/// use okrs::{parse_decimal, Decimal};
///
/// assert_eq!(parse_decimal("2.5e-1")?, Decimal::new(25, 2));
/// assert!(parse_decimal("NaN").is_err());
/// # Ok::<(), okrs::DecimalError>(())
/// ```
pub fn parse_decimal(text: &str) -> Result<Decimal, DecimalError> {
    short_decimal(text)
        .or_else(|| exact_decimal(text))
        .ok_or_else(|| DecimalError {
            text: text.to_owned(),
        })
}

/// [`exact_decimal`] for `[+-]digits[.digits]` of at most 18 digits, as
/// nearly every number in a document is: read in 64 bits. `None` for
/// anything else, which the general reading then reads (or refuses).
fn short_decimal(text: &str) -> Option<Decimal> {
    const MOST: usize = 18;
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        all => (false, all),
    };
    if digits.len() > MOST + 1 {
        return None;
    }
    let (mut mantissa, mut count, mut point) = (0_i64, 0_usize, None);
    for (at, &byte) in digits.iter().enumerate() {
        match byte {
            b'0'..=b'9' if count < MOST => {
                mantissa = mantissa * 10 + i64::from(byte - b'0');
                count += 1;
            }
            b'.' if point.is_none() => point = Some(at),
            _ => return None,
        }
    }
    if count == 0 {
        return None;
    }
    let scale = point.map_or(0, |at| digits.len() - at - 1);
    let mantissa = if negative { -mantissa } else { mantissa };
    Decimal::try_new(mantissa, u32::try_from(scale).ok()?).ok()
}

/// Reads `[+-]digits[.digits][(e|E)[+-]digits]` into an integer and a scale,
/// so that nothing is ever rounded: `None` when the value cannot be held
/// exactly.
fn exact_decimal(text: &str) -> Option<Decimal> {
    const MAX_SCALE: i64 = 28;
    let (number, exponent) = match text.split_once(['e', 'E']) {
        Some((number, exponent)) => {
            let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (number, exponent.parse::<i64>().ok()?)
        }
        None => (text, 0),
    };
    let (negative, unsigned) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number.strip_prefix('+').unwrap_or(number)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut mantissa: i128 = 0;
    for byte in whole.bytes().chain(fraction.bytes()) {
        if !byte.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(i128::from(byte - b'0'))?;
    }
    let mut scale = i64::try_from(fraction.len()).ok()?.checked_sub(exponent)?;
    if mantissa == 0 {
        // Zero with any exponent is zero; the loops below would never end.
        scale = scale.clamp(0, MAX_SCALE);
    }
    while scale > MAX_SCALE && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    while scale < 0 {
        mantissa = mantissa.checked_mul(10)?;
        scale += 1;
    }
    if scale > MAX_SCALE {
        return None;
    }
    if negative {
        mantissa = -mantissa;
    }
    Decimal::try_from_i128_with_scale(mantissa, u32::try_from(scale).ok()?).ok()
}

/// The key under which serde_json's `arbitrary_precision` hands a number's
/// text to a visitor.
const JSON_NUMBER_TOKEN: &str = "$serde_json::private::Number";

struct DecimalVisitor;

impl<'de> Visitor<'de> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal number or a string holding one")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_decimal(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Decimal, E> {
        Decimal::try_from_i128_with_scale(v, 0)
            .map_err(|_| E::custom(format!("{v} is out of range")))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Decimal, E> {
        i128::try_from(v)
            .ok()
            .and_then(|v| Decimal::try_from_i128_with_scale(v, 0).ok())
            .ok_or_else(|| E::custom(format!("{v} is out of range")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        serde_decimal::from_f64(v).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Decimal, A::Error> {
        serde_decimal::from_json_number(map)
    }
}

/// Serde helpers for `Decimal` fields: written as strings (keeping their
/// scale, so `"20"` stays `"20"`), read from strings or numbers exactly.
pub(crate) mod serde_decimal {
    use super::{DecimalVisitor, JSON_NUMBER_TOKEN, Plain, parse_decimal};
    use rust_decimal::Decimal;
    use serde::de::{self, MapAccess};
    use serde::{Deserializer, Serialize as _, Serializer};

    // Formats without exact number text (YAML, TOML, …) hand over an f64: its
    // shortest round-trip form is the literal the author wrote whenever that
    // literal had at most 15 significant digits.
    pub(crate) fn from_f64(v: f64) -> Result<Decimal, String> {
        if !v.is_finite() {
            return Err(format!("{v} is not a finite number"));
        }
        parse_decimal(&v.to_string()).map_err(|e| e.to_string())
    }

    /// Reads the number text serde_json's `arbitrary_precision` hands over
    /// as a one-entry map.
    pub(crate) fn from_json_number<'de, A: MapAccess<'de>>(
        mut map: A,
    ) -> Result<Decimal, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == JSON_NUMBER_TOKEN => {
                let text: String = map.next_value()?;
                parse_decimal(&text).map_err(de::Error::custom)
            }
            _ => Err(de::Error::custom("expected a decimal number, found a map")),
        }
    }

    pub(crate) fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        Plain(*value).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(DecimalVisitor)
    }

    /// The same for `Option<Decimal>` fields.
    pub(crate) mod option {
        use super::{Decimal, DecimalVisitor};
        use serde::{Deserializer, Serialize as _, Serializer};

        #[allow(clippy::ref_option)] // serde's `with` hands us `&Option<T>`
        pub(crate) fn serialize<S: Serializer>(
            value: &Option<Decimal>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match value {
                Some(value) => super::Plain(*value).serialize(s),
                None => s.serialize_none(),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Decimal>, D::Error> {
            d.deserialize_any(DecimalVisitor).map(Some)
        }
    }
}

/// A relative, non-negative weight (default 1).
///
/// Weights are relative within the node they contribute to: `20/30/50` and
/// `0.2/0.3/0.5` mean the same. A weight of zero keeps a contribution
/// visible without letting it count.
///
/// # Example
/// ```
/// use okrs::{Decimal, Weight};
///
/// let w: Weight = "20".parse()?;
/// assert_eq!(w.value(), Decimal::from(20));
/// assert!("-1".parse::<Weight>().is_err());
/// assert_eq!(Weight::default(), Weight::ONE);
/// # Ok::<(), okrs::WeightError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Weight(Decimal);

/// Why a value is not a [`Weight`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WeightError {
    /// The weight was below zero.
    #[error("weight must not be negative, got {0}")]
    Negative(Decimal),
    /// The text was not a decimal number.
    #[error(transparent)]
    NotANumber(#[from] DecimalError),
}

impl Weight {
    /// Weight zero: tracked, never counted.
    pub const ZERO: Self = Self(Decimal::ZERO);
    /// Weight one, the default.
    pub const ONE: Self = Self(Decimal::ONE);

    /// Makes a weight, refusing negative values. O(1).
    ///
    /// # Errors
    /// [`WeightError::Negative`] below zero.
    ///
    /// # Example
    /// ```
    /// use okrs::{Decimal, Weight};
    /// assert!(Weight::new(Decimal::new(5, 1)).is_ok());
    /// assert!(Weight::new(Decimal::NEGATIVE_ONE).is_err());
    /// ```
    pub fn new(value: Decimal) -> Result<Self, WeightError> {
        if value.is_sign_negative() && !value.is_zero() {
            Err(WeightError::Negative(value))
        } else {
            Ok(Self(value))
        }
    }

    /// The weight as a decimal. O(1).
    #[must_use]
    pub const fn value(self) -> Decimal {
        self.0
    }

    /// Whether the weight is zero. O(1).
    #[must_use]
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

impl Default for Weight {
    fn default() -> Self {
        Self::ONE
    }
}

impl fmt::Display for Weight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Plain(self.0), f)
    }
}

impl FromStr for Weight {
    type Err = WeightError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(parse_decimal(s)?)
    }
}

impl TryFrom<Decimal> for Weight {
    type Error = WeightError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Weight> for Decimal {
    fn from(w: Weight) -> Self {
        w.0
    }
}

impl Serialize for Weight {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Plain(self.0).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Weight {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = d.deserialize_any(DecimalVisitor)?;
        Self::new(value).map_err(de::Error::custom)
    }
}

/// Progress toward a target: 0 is none, 1 is achieved, above 1 only where the
/// set allows over-achievement (its progress cap).
///
/// Always an exact, non-negative decimal.
///
/// # Example
/// ```
/// use okrs::{Decimal, Progress};
///
/// let p = Progress::new(Decimal::new(7, 1))?;
/// assert_eq!(p.to_string(), "0.7");
/// assert!(p < Progress::ONE);
/// # Ok::<(), okrs::ProgressError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Progress(Decimal);

impl Ord for Progress {
    fn cmp(&self, other: &Self) -> Ordering {
        compare(self.0, other.0)
    }
}

impl PartialOrd for Progress {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Why a value is not a [`Progress`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("progress must be a decimal number not below zero, got {0}")]
pub struct ProgressError(String);

impl Progress {
    /// No progress.
    pub const ZERO: Self = Self(Decimal::ZERO);
    /// Achieved.
    pub const ONE: Self = Self(Decimal::ONE);

    /// Makes a progress value, refusing negative values. O(1).
    ///
    /// # Errors
    /// [`ProgressError`] below zero.
    ///
    /// # Example
    /// ```
    /// use okrs::{Decimal, Progress};
    /// assert_eq!(Progress::new(Decimal::ONE)?, Progress::ONE);
    /// # Ok::<(), okrs::ProgressError>(())
    /// ```
    pub fn new(value: Decimal) -> Result<Self, ProgressError> {
        if value.is_sign_negative() && !value.is_zero() {
            Err(ProgressError(value.to_string()))
        } else {
            Ok(Self(value))
        }
    }

    /// Clamps any decimal into `[0, cap]`. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{Decimal, Progress};
    /// let p = Progress::clamped(Decimal::new(15, 1), Decimal::ONE);
    /// assert_eq!(p, Progress::ONE);
    /// ```
    #[must_use]
    pub fn clamped(value: Decimal, cap: Decimal) -> Self {
        // Most progress lies in [0, 1) under a cap of at least 1: tell that
        // from the mantissas, as comparing decimals rescales one side (a
        // tenth of a full roll-up when every node paid for it).
        if below_one(value) && !below_one(cap) && !cap.is_sign_negative() {
            return Self(value);
        }
        Self(value.max(Decimal::ZERO).min(cap))
    }

    /// The progress as a decimal. O(1).
    #[must_use]
    pub const fn value(self) -> Decimal {
        self.0
    }
}

/// `a >= b` for decimals, exactly, by [`compare`] (a band costs two). O(1).
#[inline]
pub(crate) fn at_least(a: Decimal, b: Decimal) -> bool {
    compare(a, b).is_ge()
}

/// Orders two decimals as `Decimal`'s `cmp` does, on their mantissas:
/// at one scale they compare as integers; else the one of smaller scale is
/// raised to the other's, and if that would pass 127 bits it lies beyond
/// any mantissa of 96 bits, so its sign decides. `Decimal::cmp` rescales
/// in 192-bit arithmetic on every call, several times the cost; the
/// review compares a few times per node. O(1).
#[inline]
pub(crate) fn compare(a: Decimal, b: Decimal) -> Ordering {
    let (scale_a, scale_b) = (a.scale(), b.scale());
    // Signed, so that −0 and 0 are one integer.
    let (mantissa_a, mantissa_b) = (a.mantissa(), b.mantissa());
    match scale_a.cmp(&scale_b) {
        Ordering::Equal => mantissa_a.cmp(&mantissa_b),
        Ordering::Less => match raise(mantissa_a, scale_b - scale_a) {
            Some(raised) => raised.cmp(&mantissa_b),
            None => mantissa_a.cmp(&0),
        },
        Ordering::Greater => match raise(mantissa_b, scale_a - scale_b) {
            Some(raised) => mantissa_a.cmp(&raised),
            None => 0.cmp(&mantissa_b),
        },
    }
}

/// `mantissa × 10^by` when it stays under 2^127. O(1).
#[inline]
fn raise(mantissa: i128, by: u32) -> Option<i128> {
    let power = *POWERS_OF_TEN.get(by as usize)?;
    let magnitude = mantissa.unsigned_abs();
    // Bits are counted instead of a checked 128-bit multiply (a slow call):
    // factors of m and n significant bits make at most m + n.
    if magnitude.leading_zeros() + power.leading_zeros() < 129 {
        return None;
    }
    let raised = i128::try_from(magnitude * power).ok()?;
    Some(if mantissa < 0 { -raised } else { raised })
}

/// A non-negative decimal's mantissa at the largest scale (28), when it
/// fits in 128 bits: any progress up to a cap of a few billion does. Two
/// such mantissas compare as their decimals do. O(1).
#[inline]
pub(crate) fn at_max_scale(value: Decimal) -> Option<u128> {
    if value.is_sign_negative() && !value.is_zero() {
        return None;
    }
    let mantissa = value.mantissa().unsigned_abs();
    let power = *POWERS_OF_TEN.get((Decimal::MAX_SCALE - value.scale()) as usize)?;
    (mantissa.leading_zeros() + power.leading_zeros() >= 128).then(|| mantissa * power)
}

/// A key that orders like the decimal and is cheap to compare: its sign,
/// then its magnitude brought to the largest scale (up to 190 bits, high
/// part first), inverted below zero. Sorting many decimals by it saves a
/// rescale per comparison. O(1).
#[inline]
pub(crate) fn order_key(value: Decimal) -> (bool, u128, u128) {
    const LOW: u128 = u64::MAX as u128;
    let m = value.mantissa().unsigned_abs();
    let power = POWERS_OF_TEN
        .get((Decimal::MAX_SCALE.saturating_sub(value.scale())) as usize)
        .copied()
        .unwrap_or(1);
    // m < 2^96 and power < 2^94: four 64-bit partial products.
    let (m1, m0) = (m >> 64, m & LOW);
    let (p1, p0) = (power >> 64, power & LOW);
    let middle = m0 * p1 + m1 * p0;
    let (low, carry) = (m0 * p0).overflowing_add(middle << 64);
    let high = m1 * p1 + (middle >> 64) + u128::from(carry);
    if value.is_sign_negative() && m != 0 {
        (false, !high, !low)
    } else {
        (true, high, low)
    }
}

/// The last argument of a function of one decimal and its result: the
/// same argument, bit for bit, gives the same result without the call.
#[derive(Default)]
pub(crate) struct Repeat {
    last: Option<([u8; 16], Decimal)>,
}

impl Repeat {
    pub(crate) fn get(&mut self, argument: Decimal, f: impl FnOnce(Decimal) -> Decimal) -> Decimal {
        let key = argument.serialize();
        match self.last {
            Some((last, result)) if last == key => result,
            _ => {
                let result = f(argument);
                self.last = Some((key, result));
                result
            }
        }
    }
}

/// A decimal that displays exactly as `Decimal` does, written from the
/// mantissa's digits as the standard library prints an integer:
/// `Decimal`'s `Display` divides the 96-bit mantissa by ten once per
/// digit, hundreds of instructions for a progress of 28 places, and every
/// node of a roll-up document carries several. With a width, precision or
/// sign flag it hands over to `Decimal`'s own. O(digits).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plain(pub(crate) Decimal);

impl fmt::Display for Plain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if flagged(f) {
            return fmt::Display::fmt(&self.0, f);
        }
        f.write_str(Text::of(self.0, false).as_str())
    }
}

/// Whether a formatter asks for a width, a precision or a sign, which
/// `Decimal`'s own `Display` handles.
fn flagged(f: &fmt::Formatter<'_>) -> bool {
    f.width().is_some() || f.precision().is_some() || f.sign_plus() || f.sign_aware_zero_pad()
}

impl Plain {
    /// Appends the text `Display` writes. O(digits).
    pub(crate) fn push_to(self, out: &mut String) {
        pieces(self.0, false, |part| out.push_str(part));
    }
}

impl Serialize for Plain {
    /// As a string of its `Display` text, without the formatting machinery
    /// that `collect_str` goes through.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(Text::of(self.0, false).as_str())
    }
}

/// A decimal that displays as its [`normalize`](Decimal::normalize)d self
/// does ([`Plain`] of it), without normalizing: trailing zeros are left
/// off the text instead of divided out of the 96-bit mantissa. How a
/// [`Progress`] is written. O(digits).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Trimmed(pub(crate) Decimal);

impl fmt::Display for Trimmed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if flagged(f) {
            return fmt::Display::fmt(&Plain(self.0.normalize()), f);
        }
        f.write_str(Text::of(self.0, true).as_str())
    }
}

impl Trimmed {
    /// Appends the text `Display` writes. O(digits).
    pub(crate) fn push_to(self, out: &mut String) {
        pieces(self.0, true, |part| out.push_str(part));
    }
}

impl Serialize for Trimmed {
    /// As [`Plain`]'s, of the text `Display` writes.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(Text::of(self.0, true).as_str())
    }
}

/// A decimal's text as `Decimal` displays it, handed to `emit` in pieces:
/// the sign (of −0 too), the whole digits ("0" for none), the point and
/// the fraction's digits (its scale's worth, zeros in front when the
/// mantissa is shorter). At most 31 bytes in all. `trim`: as the
/// decimal normalized would be, without the fraction's trailing zeros (or
/// the sign of −0).
fn pieces(value: Decimal, trim: bool, mut emit: impl FnMut(&str)) {
    let mut integer = itoa::Buffer::new();
    let mantissa = value.mantissa().unsigned_abs();
    // `Decimal` writes no digit for a zero mantissa; most mantissas fit
    // 64 bits, which format in a fraction of 128's time.
    let mut digits = match u64::try_from(mantissa) {
        Ok(0) => "",
        Ok(small) => integer.format(small),
        Err(_) => integer.format(mantissa),
    };
    let mut scale = value.scale() as usize;
    if trim {
        if digits.is_empty() {
            // Normalized, zero is `0`.
            scale = 0;
        } else {
            let zeros = digits.len() - digits.trim_end_matches('0').len();
            let (kept, _) = digits.split_at(digits.len() - zeros.min(scale));
            scale -= zeros.min(scale);
            digits = kept;
        }
    }
    if value.is_sign_negative() && !(trim && digits.is_empty()) {
        emit("-");
    }
    if scale == 0 {
        emit(if digits.is_empty() { "0" } else { digits });
    } else if digits.len() > scale {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        emit(whole);
        emit(".");
        emit(fraction);
    } else {
        emit("0.");
        // A scale is at most 28.
        const ZEROS: &str = "0000000000000000000000000000";
        emit(sure(
            ZEROS.get(..scale - digits.len()),
            "a scale is at most 28",
        ));
        emit(digits);
    }
}

/// A decimal's text ([`pieces`]) on the stack, for the writers that take
/// one `&str`.
struct Text {
    bytes: [u8; 32],
    len: usize,
}

impl Text {
    fn of(value: Decimal, trim: bool) -> Self {
        let mut text = Self {
            bytes: [0; 32],
            len: 0,
        };
        pieces(value, trim, |part| text.push(part));
        text
    }

    fn push(&mut self, part: &str) {
        let end = self.len + part.len();
        let room = sure(
            self.bytes.get_mut(self.len..end),
            "a decimal's text fits 31 bytes",
        );
        if room.len() == part.len() {
            room.copy_from_slice(part.as_bytes());
            self.len = end;
        }
    }

    fn as_str(&self) -> &str {
        let text = self.bytes.get(..self.len).unwrap_or_default();
        sure(
            std::str::from_utf8(text).ok(),
            "digits, a point and a sign are ASCII",
        )
    }
}

/// Whether `0 ≤ value < 1`, read off the mantissa and scale. O(1).
fn below_one(value: Decimal) -> bool {
    !value.is_sign_negative()
        && POWERS_OF_TEN
            .get(value.scale() as usize)
            .is_some_and(|&one| value.mantissa().unsigned_abs() < one)
}

/// 10^0 to 10^28: the mantissa of 1 at each scale a decimal can have.
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of range fails the build"
)]
const POWERS_OF_TEN: [u128; 29] = {
    let mut powers = [1u128; 29];
    let mut i = 1;
    while i < powers.len() {
        powers[i] = powers[i - 1] * 10;
        i += 1;
    }
    powers
};

impl fmt::Display for Progress {
    /// Without trailing zeros: `0.5`, never `0.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Trimmed(self.0), f)
    }
}

impl From<Progress> for Decimal {
    fn from(p: Progress) -> Self {
        p.0
    }
}

impl FromStr for Progress {
    type Err = ProgressError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(parse_decimal(s).map_err(|_| ProgressError(s.to_owned()))?)
    }
}

impl TryFrom<Decimal> for Progress {
    type Error = ProgressError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl Serialize for Progress {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Trimmed(self.0).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Progress {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = d.deserialize_any(DecimalVisitor)?;
        Self::new(value).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// The 64-bit reading gives what the general one gives, to the
        /// digit and the scale (and the sign of zero), or leaves the text
        /// to it.
        #[test]
        fn short_decimals_read_as_exact_ones(
            text in "[+-]?[0-9]{0,20}(\\.[0-9]{0,20})?|[+-]?[0-9.]{0,6}|[0-9]{17,20}|-?0\\.0{0,4}"
        ) {
            if let Some(short) = super::short_decimal(&text) {
                let exact = super::exact_decimal(&text);
                prop_assert!(exact.is_some(), "{text:?}");
                let exact = exact.unwrap();
                prop_assert_eq!(short.mantissa(), exact.mantissa(), "{:?}", text);
                prop_assert_eq!(short.scale(), exact.scale(), "{:?}", text);
                prop_assert_eq!(short.is_sign_negative(), exact.is_sign_negative(), "{:?}", text);
            }
        }
    }

    #[test]
    fn order_keys_order_like_their_decimals() {
        use super::order_key;
        let values: Vec<Decimal> = [
            "0",
            "-0",
            "0.0",
            "1",
            "1.000",
            "-1",
            "0.5",
            "0.50",
            "-0.5",
            "0.3333333333333333333333333333",
            "0.3333333333333333333333333334",
            "-0.3333333333333333333333333333",
            "2",
            "10",
            "1e-28",
            "-1e-28",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7.9228162514264337593543950335",
            "0.0000000000000000000000000001",
            "123456789.123456789",
        ]
        .iter()
        .map(|t| {
            t.parse::<Decimal>()
                .or_else(|_| Decimal::from_scientific(t))
                .unwrap()
        })
        .collect();
        for a in &values {
            for b in &values {
                assert_eq!(
                    order_key(*a).cmp(&order_key(*b)),
                    a.cmp(b),
                    "{a} against {b}"
                );
            }
        }
    }

    use super::*;

    #[test]
    fn at_least_agrees_with_decimal_comparison() {
        let values = [
            "0",
            "0.0",
            "0.4",
            "0.39999999999999999999999999",
            "0.4000000000000000000000000000",
            "0.7",
            "0.6999999999999999999999999999",
            "1",
            "1.00",
            "1.5",
            "-0.1",
            "-0",
            "12.5",
            "79228162514264337593543950335",
            "0.0000000000000000000000000001",
        ];
        for a in values {
            for b in values {
                let (x, y): (Decimal, Decimal) = (a.parse().unwrap(), b.parse().unwrap());
                assert_eq!(at_least(x, y), x >= y, "{a} >= {b}");
            }
        }
    }

    #[test]
    fn compare_agrees_with_decimal_ordering_on_edge_values() {
        let values: Vec<Decimal> = [
            "0",
            "-0",
            "0.000",
            "-0.000",
            "1",
            "1.00",
            "-1",
            "-1.0",
            "0.2",
            "-0.2",
            "-0.4",
            "-0.39999999999999999999999999",
            "0.6999999999999999999999999999",
            "12.5",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7.9228162514264337593543950335",
            "-7.9228162514264337593543950335",
            "0.0000000000000000000000000001",
            "-0.0000000000000000000000000001",
            "7922816251426433759354395033.5",
            "1000000000000000000000000000",
        ]
        .iter()
        .map(|t| t.parse().unwrap())
        .collect();
        for a in &values {
            for b in &values {
                assert_eq!(compare(*a, *b), a.cmp(b), "{a} against {b}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn compare_agrees_with_decimal_ordering(
            a in proptest::num::i128::ANY, scale_a in 0u32..=28,
            b in proptest::num::i128::ANY, scale_b in 0u32..=28,
            narrow in proptest::bool::ANY,
        ) {
            // Whole 96-bit mantissas, or small ones that often tie.
            let mantissa = |m: i128| if narrow { m % 1000 } else { m % (1i128 << 96) };
            let a = Decimal::from_i128_with_scale(mantissa(a), scale_a);
            let b = Decimal::from_i128_with_scale(mantissa(b), scale_b);
            proptest::prop_assert_eq!(compare(a, b), a.cmp(&b), "{} against {}", a, b);
        }
    }

    #[test]
    fn plain_writes_what_decimal_writes_on_edge_values() {
        let values = [
            "0",
            "-0",
            "0.0",
            "0.000",
            "-0.00",
            "1",
            "-1",
            "10",
            "1.0",
            "0.5",
            "0.50",
            "0.005",
            "-0.005",
            "123.456",
            "0.3333333333333333333333333333",
            "1e-28",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "7.9228162514264337593543950335",
            "0.0000000000000000000000000001",
            "10000000000000000000",
            "9999999999999999999",
            "12345678901234567890.5",
            "10000000000000000005",
            "1000000000000000000000000000",
            "0.1000000000000000000000000001",
            "18446744073709551615",
            "18446744073709551616",
            "-1844674407370955161.6",
        ];
        for text in values {
            let value = text
                .parse::<Decimal>()
                .or_else(|_| Decimal::from_scientific(text))
                .unwrap();
            assert_eq!(Plain(value).to_string(), value.to_string(), "{text}");
            let mut pushed = String::from("x");
            Plain(value).push_to(&mut pushed);
            assert_eq!(pushed, format!("x{value}"), "{text}");
            let normal = value.normalize();
            assert_eq!(Trimmed(value).to_string(), normal.to_string(), "{text}");
            let mut pushed = String::from("x");
            Trimmed(value).push_to(&mut pushed);
            assert_eq!(pushed, format!("x{normal}"), "{text}");
            assert_eq!(format!("{:>40}", Trimmed(value)), format!("{normal:>40}"));
            // Flags go to `Decimal`'s own.
            assert_eq!(
                format!("{:>40}", Plain(value)),
                format!("{value:>40}"),
                "{text}"
            );
            // (`Decimal`'s own panics past 32 characters with a precision.)
            if value.abs() < Decimal::from(1_000_000) {
                assert_eq!(
                    format!("{:.3}", Plain(value)),
                    format!("{value:.3}"),
                    "{text}"
                );
            }
            assert_eq!(
                format!("{:+}", Plain(value)),
                format!("{value:+}"),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn plain_writes_what_decimal_writes(
            mantissa in proptest::num::i128::ANY, scale in 0u32..=28,
            narrow in 0u32..4, negative_zero in proptest::bool::ANY,
        ) {
            // Whole 96-bit mantissas, ones either side of 64 bits, short
            // ones, and zeros of any scale.
            let mantissa = match narrow {
                0 => mantissa % (1i128 << 96),
                1 => mantissa % (1i128 << 65),
                2 => mantissa % 100_000,
                _ => 0,
            };
            let mut value = Decimal::from_i128_with_scale(mantissa, scale);
            if negative_zero && mantissa == 0 {
                value.set_sign_negative(true);
            }
            proptest::prop_assert_eq!(Plain(value).to_string(), value.to_string());
            let mut pushed = String::new();
            Plain(value).push_to(&mut pushed);
            proptest::prop_assert_eq!(pushed, value.to_string());
            let normal = value.normalize();
            proptest::prop_assert_eq!(Trimmed(value).to_string(), normal.to_string());
            let mut pushed = String::new();
            Trimmed(value).push_to(&mut pushed);
            proptest::prop_assert_eq!(pushed, normal.to_string());
            #[cfg(feature = "json")]
            proptest::prop_assert_eq!(
                serde_json::to_string(&Trimmed(value)).unwrap(),
                format!("\"{normal}\"")
            );
            #[cfg(feature = "json")]
            proptest::prop_assert_eq!(
                serde_json::to_string(&Plain(value)).unwrap(),
                format!("\"{value}\"")
            );
            proptest::prop_assert_eq!(
                Progress::clamped(value, Decimal::MAX).to_string(),
                Progress::clamped(value, Decimal::MAX).value().normalize().to_string()
            );
        }
    }

    #[test]
    fn clamping_by_mantissa_agrees_with_comparing_decimals() {
        let values = [
            Decimal::ZERO,
            -Decimal::ZERO,
            Decimal::new(0, 5),
            Decimal::new(-1, 28),
            Decimal::new(5, 1),
            Decimal::new(9_999, 4),
            Decimal::ONE,
            Decimal::new(10, 1),
            Decimal::new(14, 1),
            Decimal::new(16, 1),
            Decimal::new(-3, 0),
            Decimal::MAX,
            Decimal::MIN,
            Decimal::from_i128_with_scale(10_i128.pow(28) - 1, 28),
            Decimal::from_i128_with_scale(10_i128.pow(28), 28),
        ];
        let caps = [
            Decimal::new(15, 1),
            Decimal::ONE,
            Decimal::new(100, 2),
            Decimal::new(5, 1),
            Decimal::ZERO,
            Decimal::NEGATIVE_ONE,
        ];
        for cap in caps {
            for value in values {
                let clamped = Progress::clamped(value, cap).value();
                let compared = value.max(Decimal::ZERO).min(cap);
                assert_eq!(clamped, compared, "{value} under {cap}");
                assert_eq!(clamped.scale(), compared.scale(), "{value} under {cap}");
                assert_eq!(
                    clamped.is_sign_negative(),
                    compared.is_sign_negative(),
                    "{value} under {cap}"
                );
            }
        }
    }

    #[test]
    fn parses_plain_and_scientific_exactly() {
        assert_eq!(parse_decimal("0.1").unwrap(), Decimal::new(1, 1));
        assert_eq!(parse_decimal("1.5E3").unwrap(), Decimal::from(1500));
        assert_eq!(parse_decimal("-2.5e-1").unwrap(), Decimal::new(-25, 2));
        assert_eq!(parse_decimal("0e-999999999999999").unwrap(), Decimal::ZERO);
        assert_eq!(parse_decimal("0e999999999999999").unwrap(), Decimal::ZERO);
        assert_eq!(parse_decimal("20.0").unwrap().to_string(), "20.0");
        assert_eq!(parse_decimal("+3").unwrap(), Decimal::from(3));
        assert_eq!(
            parse_decimal("0.00000000000000000000000000015e1").unwrap(),
            Decimal::new(15, 28)
        );
        assert_eq!(
            parse_decimal("7.9e28").unwrap(),
            Decimal::from_str_exact("79000000000000000000000000000").unwrap()
        );
        assert_eq!(parse_decimal("20").unwrap().to_string(), "20");
    }

    #[test]
    fn refuses_non_numbers_and_out_of_range() {
        for bad in [
            "NaN", "Infinity", "-inf", "", "1e-30", "1e40", "abc", "1.2.3",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad} parsed");
        }
        assert!(parse_decimal("99999999999999999999999999999999").is_err());
    }

    #[test]
    fn negative_zero_is_a_valid_weight() {
        assert!(Weight::new(Decimal::new(0, 0) * Decimal::NEGATIVE_ONE).is_ok());
    }
}
