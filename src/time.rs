//! Time: calendar dates, the moments check-ins are stamped with, and the
//! periods (years, quarters, …) objectives are set for.
//!
//! Dates are [`jiff`]'s civil dates, re-exported as [`Date`]; every period
//! bound is inclusive.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use jiff::civil::{Date, Time};
use jiff::tz::Offset;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Id;

/// When a check-in was made: a calendar date (`2027-02-03`) or an RFC 3339
/// timestamp (`2027-02-03T09:30:00+01:00`).
///
/// A timestamp belongs to the calendar date written in it (in its own
/// offset), so "as of a date" means the same to everyone who reads the
/// document. Moments order by date, then by instant, a plain date first.
///
/// # Example
/// ```
/// use okrs::Moment;
///
/// let day: Moment = "2027-02-03".parse()?;
/// let later: Moment = "2027-02-03T23:30:00-05:00".parse()?;
/// assert_eq!(later.date(), day.date());
/// assert!(day < later);
/// assert_eq!(later.to_string(), "2027-02-03T23:30:00-05:00");
/// # Ok::<(), okrs::MomentError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Moment {
    date: Date,
    clock: Option<(Timestamp, Offset)>,
}

/// Why a text is not a [`Moment`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is neither a date (2027-02-03) nor an RFC 3339 timestamp (2027-02-03T09:30:00Z)")]
pub struct MomentError {
    text: String,
}

impl MomentError {
    /// The text that failed to parse.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl Moment {
    /// The calendar date, in the moment's own offset. O(1).
    #[must_use]
    pub fn date(&self) -> Date {
        self.date
    }

    /// The instant, for timestamps; `None` for plain dates. O(1).
    #[must_use]
    pub fn timestamp(&self) -> Option<Timestamp> {
        self.clock.map(|(t, _)| t)
    }

    /// A timestamp in a fixed offset. Seconds of the offset are dropped:
    /// RFC 3339 offsets are whole minutes. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{Moment, Timestamp};
    /// let t: Timestamp = "2027-02-03T23:30:00Z".parse()?;
    /// let m = Moment::at(t, jiff::tz::Offset::constant(2));
    /// assert_eq!(m.date().to_string(), "2027-02-04");
    /// # Ok::<(), jiff::Error>(())
    /// ```
    #[must_use]
    pub fn at(timestamp: Timestamp, offset: Offset) -> Self {
        let offset =
            Offset::from_seconds(offset.seconds() - offset.seconds() % 60).unwrap_or(offset);
        Self {
            date: offset.to_datetime(timestamp).date(),
            clock: Some((timestamp, offset)),
        }
    }
}

impl From<Date> for Moment {
    fn from(date: Date) -> Self {
        Self { date, clock: None }
    }
}

impl Ord for Moment {
    fn cmp(&self, other: &Self) -> Ordering {
        self.date.cmp(&other.date).then_with(|| {
            let key = |m: &Self| m.clock.map(|(t, o)| (t, o.seconds()));
            key(self).cmp(&key(other))
        })
    }
}

impl PartialOrd for Moment {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Moment {
    type Err = MomentError;

    /// Parses `YYYY-MM-DD` or an RFC 3339 timestamp (`Z` or a numeric
    /// offset; no time zone annotation). O(length).
    fn from_str(text: &str) -> Result<Self, MomentError> {
        let error = || MomentError {
            text: text.to_owned(),
        };
        if !text.contains('T') && !text.contains('t') {
            return parse_date(text).map(Self::from).ok_or_else(error);
        }
        if !rfc3339_shape(text) {
            return Err(error());
        }
        let pieces = jiff::fmt::temporal::Pieces::parse(text).map_err(|_| error())?;
        if pieces.time_zone_annotation().is_some() {
            return Err(error());
        }
        let time: Time = pieces.time().ok_or_else(error)?;
        let offset = pieces.to_numeric_offset().ok_or_else(error)?;
        if offset.seconds() % 60 != 0 {
            return Err(error());
        }
        let timestamp = offset
            .to_timestamp(pieces.date().to_datetime(time))
            .map_err(|_| error())?;
        Ok(Self {
            date: pieces.date(),
            clock: Some((timestamp, offset)),
        })
    }
}

impl fmt::Display for Moment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.clock {
            None => write!(f, "{}", self.date),
            Some((timestamp, offset)) if offset.seconds() == 0 => write!(f, "{timestamp}"),
            Some((timestamp, offset)) => write!(f, "{}", timestamp.display_with_offset(offset)),
        }
    }
}

impl Serialize for Moment {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Moment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Whether a text has RFC 3339's shape: `YYYY-MM-DDTHH:MM:SS`, an optional
/// fraction, then `Z` or `±HH:MM`.
fn rfc3339_shape(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    let at = |i: usize, c: u8| bytes.get(i) == Some(&c);
    let head = digits(0..4)
        && at(4, b'-')
        && digits(5..7)
        && at(7, b'-')
        && digits(8..10)
        && (at(10, b'T') || at(10, b't'))
        && digits(11..13)
        && at(13, b':')
        && digits(14..16)
        && at(16, b':')
        && digits(17..19);
    if !head {
        return false;
    }
    let mut i = 19;
    if at(i, b'.') {
        i += 1;
        let start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match bytes.get(i) {
        Some(b'Z' | b'z') => i + 1 == bytes.len(),
        Some(b'+' | b'-') => {
            i + 6 == bytes.len() && digits(i + 1..i + 3) && at(i + 3, b':') && digits(i + 4..i + 6)
        }
        _ => false,
    }
}

/// Parses exactly `YYYY-MM-DD`.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    if text.len() != 10 {
        return None;
    }
    text.parse().ok()
}

/// Whole days from `from` to `to` (negative when `to` is earlier). O(1).
pub(crate) fn days_between(from: Date, to: Date) -> i64 {
    from.duration_until(to).as_hours() / 24
}

/// A stretch of calendar time objectives are set for, bounds inclusive:
/// a year, a quarter, a sprint. Periods nest (`within`) into a tree.
///
/// # Example
/// ```
/// use okrs::{Date, Period};
///
/// let year = Period::year(2027)?;
/// let quarters = Period::quarters(2027)?;
/// assert_eq!(year.id.as_str(), "FY2027");
/// assert_eq!(quarters[1].id.as_str(), "2027-Q2");
/// assert_eq!(quarters[1].start, Date::new(2027, 4, 1)?);
/// assert_eq!(quarters[1].end, Date::new(2027, 6, 30)?);
/// assert!(year.contains_period(&quarters[3]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Period {
    /// Unique among the set's periods.
    pub id: Id,
    /// The first day.
    pub start: Date,
    /// The last day (inclusive).
    pub end: Date,
    /// The period this one lies inside, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<Id>,
    /// Set once the period is closed: the grades frozen then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<Closure>,
}

/// The frozen grades of a closed period, set by
/// [`OkrSet::close_period`](crate::OkrSet::close_period).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Closure {
    /// Each objective of the period and each of its key results, as graded
    /// when the period closed.
    pub grades: Vec<Grade>,
}

/// A frozen grade: a node's progress and band when its period closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Grade {
    /// The objective or key result.
    pub id: Id,
    /// Its progress then.
    pub progress: crate::Progress,
    /// The band that progress graded to.
    pub band: crate::Band,
}

/// Why a period helper could not make a period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("year {0} is outside the supported range -9999..=9999")]
pub struct YearError(i32);

impl Period {
    /// A period from `start` to `end`, both inclusive, nested in nothing.
    /// O(1). The set checks that `end` is not before `start`.
    #[must_use]
    pub fn new(id: Id, start: Date, end: Date) -> Self {
        Self {
            id,
            start,
            end,
            within: None,
            closed: None,
        }
    }

    /// Nests the period inside another. O(1).
    #[must_use]
    pub fn within(mut self, parent: Id) -> Self {
        self.within = Some(parent);
        self
    }

    /// The calendar year `FY<year>`, January 1 to December 31. O(1).
    ///
    /// # Errors
    /// [`YearError`] outside −9999..=9999.
    pub fn year(year: i32) -> Result<Self, YearError> {
        let (start, end) = (ymd(year, 1, 1)?, ymd(year, 12, 31)?);
        Ok(Self::new(Id::unchecked(&format!("FY{year}")), start, end))
    }

    /// The four quarters `<year>-Q1` … `<year>-Q4`, each within `FY<year>`.
    /// O(1).
    ///
    /// # Errors
    /// [`YearError`] outside −9999..=9999.
    pub fn quarters(year: i32) -> Result<[Self; 4], YearError> {
        let parent = Self::year(year)?.id;
        let quarter = |q: i8| -> Result<Self, YearError> {
            let start = ymd(year, 3 * q - 2, 1)?;
            let end = ymd(year, 3 * q, 1)?.last_of_month();
            Ok(
                Self::new(Id::unchecked(&format!("{year}-Q{q}")), start, end)
                    .within(parent.clone()),
            )
        };
        Ok([quarter(1)?, quarter(2)?, quarter(3)?, quarter(4)?])
    }

    /// Whether a date falls inside the period. O(1).
    #[must_use]
    pub fn contains(&self, date: Date) -> bool {
        self.start <= date && date <= self.end
    }

    /// Whether another period lies wholly inside this one. O(1).
    #[must_use]
    pub fn contains_period(&self, other: &Self) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Whether the two periods share at least one day. O(1).
    #[must_use]
    pub fn overlaps(&self, other: &Self) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    /// Whether the period has been closed. O(1).
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.closed.is_some()
    }

    /// The number of days in the period, counting both ends. O(1).
    #[must_use]
    pub fn days(&self) -> i64 {
        days_between(self.start, self.end) + 1
    }

    /// Dates every `step` days from the start, then the end: the points of a
    /// progress chart. A `step` of 0 is taken as 1. O(days / step).
    ///
    /// # Example
    /// ```
    /// use okrs::{Date, Period};
    /// let q1 = Period::quarters(2027)?[0].clone();
    /// let weeks = q1.every(7);
    /// assert_eq!(weeks.first(), Some(&Date::new(2027, 1, 1)?));
    /// assert_eq!(weeks.last(), Some(&Date::new(2027, 3, 31)?));
    /// assert_eq!(weeks.len(), 14);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn every(&self, step: u16) -> Vec<Date> {
        let step = SignedDuration::from_hours(24 * i64::from(step.max(1)));
        let mut dates = Vec::new();
        let mut date = self.start;
        while date < self.end {
            dates.push(date);
            match date.checked_add(step) {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        if self.start <= self.end {
            dates.push(self.end);
        }
        dates
    }

    /// The fraction of the period elapsed at `date`: 0 on the first day and
    /// before, 1 on the last day and after, linear in between. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{Date, Decimal, Period};
    /// let q1 = Period::quarters(2027)?[0].clone(); // 90 days
    /// assert_eq!(q1.elapsed(Date::new(2027, 1, 1)?), Decimal::ZERO);
    /// assert_eq!(q1.elapsed(Date::new(2027, 2, 15)?), Decimal::new(45, 0) / Decimal::new(89, 0));
    /// assert_eq!(q1.elapsed(Date::new(2027, 3, 31)?), Decimal::ONE);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn elapsed(&self, date: Date) -> rust_decimal::Decimal {
        use rust_decimal::Decimal;
        if date <= self.start {
            return Decimal::ZERO;
        }
        if date >= self.end {
            return Decimal::ONE;
        }
        let done = Decimal::from(days_between(self.start, date));
        let total = Decimal::from(days_between(self.start, self.end));
        done.checked_div(total).unwrap_or(Decimal::ONE)
    }
}

fn ymd(year: i32, month: i8, day: i8) -> Result<Date, YearError> {
    i16::try_from(year)
        .ok()
        .and_then(|y| Date::new(y, month, day).ok())
        .ok_or(YearError(year))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_parse_dates_and_rfc3339_only() {
        assert!("2027-02-03".parse::<Moment>().is_ok());
        assert!("2027-02-03T10:00:00Z".parse::<Moment>().is_ok());
        assert!("2027-02-03T10:00:00.5+05:30".parse::<Moment>().is_ok());
        for bad in [
            "",
            "2027-2-3",
            "20270203",
            "2027-02-30",
            "2027-02-03T10:00:00",
            "2027-02-03T10:00:00Z[Europe/Paris]",
            "2027-02-03T10:00:00+05:30:15",
            "2027-02-03T10-05",
            "20270203T100000Z",
            "2027-02-03T10:00:00.Z",
            "tomorrow",
        ] {
            assert!(bad.parse::<Moment>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn moments_round_trip_through_text() {
        for text in [
            "2027-02-03",
            "2027-02-03T10:00:00Z",
            "2027-02-03T10:00:00+05:30",
        ] {
            let m: Moment = text.parse().unwrap();
            assert_eq!(m.to_string(), text);
            assert_eq!(m.to_string().parse::<Moment>().unwrap(), m);
        }
    }

    #[test]
    fn a_timestamp_keeps_the_date_written_in_it() {
        let m: Moment = "2027-02-03T23:30:00-05:00".parse().unwrap();
        assert_eq!(m.date(), Date::new(2027, 2, 3).unwrap());
    }

    #[test]
    fn quarters_cover_the_year_without_overlap() {
        let year = Period::year(2028).unwrap();
        let q = Period::quarters(2028).unwrap();
        assert_eq!(q[0].start, year.start);
        assert_eq!(q[3].end, year.end);
        assert_eq!(q.iter().map(Period::days).sum::<i64>(), year.days());
        assert!(!q[0].overlaps(&q[1]));
        assert!(Period::year(10_000).is_err());
    }

    #[test]
    fn single_day_period_is_elapsed_on_its_day() {
        let d = Date::new(2027, 5, 5).unwrap();
        let p = Period::new(Id::unchecked("day"), d, d);
        assert_eq!(p.elapsed(d), rust_decimal::Decimal::ZERO);
        assert_eq!(p.every(7), vec![d]);
        assert_eq!(p.days(), 1);
    }
}
