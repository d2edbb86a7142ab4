//! Time: calendar dates and the moments check-ins are stamped with.
//!
//! Dates are [`jiff`]'s civil dates, re-exported as [`Date`].

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::Offset;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
}
