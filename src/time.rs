//! Time: calendar dates, the moments check-ins are stamped with, and the
//! time zone a set counts them in.
//!
//! Dates are [`jiff`]'s civil dates, re-exported as [`Date`]. Time zones
//! come from the IANA Time Zone Database bundled into the crate (jiff's
//! `tzdb-bundle-always`), so that a set reads its check-ins alike on every
//! machine, with or without a system copy of the database, whatever the
//! machine's own time zone.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::fmt::temporal::{Pieces, PiecesOffset, TimeZoneAnnotationKind};
use jiff::tz::{Offset, TimeZone, TimeZoneDatabase};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::invariant::sure;

/// The time zone database every set reads: the copy bundled into the
/// crate, loaded once.
fn database() -> &'static TimeZoneDatabase {
    static DATABASE: OnceLock<TimeZoneDatabase> = OnceLock::new();
    DATABASE.get_or_init(TimeZoneDatabase::bundled)
}

/// The time zone with an IANA name (`Europe/Oslo`, `UTC`, matched without
/// regard to case), from the bundled database; `None` for a name it does
/// not know. O(log zones) the first time a zone is asked for, then cached.
///
/// # Example
/// ```
/// let oslo = okrs::time_zone("Europe/Oslo").unwrap();
/// assert_eq!(oslo.iana_name(), Some("Europe/Oslo"));
/// assert!(okrs::time_zone("Mars/Olympus_Mons").is_none());
/// ```
#[must_use]
pub fn time_zone(name: &str) -> Option<TimeZone> {
    if name.eq_ignore_ascii_case("UTC") {
        return Some(TimeZone::UTC);
    }
    database().get(name).ok()
}

/// When a check-in was made: a calendar date (`2027-02-03`), an RFC 3339
/// timestamp (`2027-02-03T09:30:00+01:00`), or jiff's zoned form, a
/// timestamp with its time zone in brackets
/// (`2026-11-21T23:30:00-08:00[America/Los_Angeles]`; the offset may be
/// left out, and is then the zone's at that time), which reads as the
/// timestamp in that zone's offset.
///
/// A set counts a timestamp on its date in the set's own time zone
/// ([`date_in`](Self::date_in)) and orders check-ins by the instant they
/// happened ([`instant_in`](Self::instant_in)); a plain date happens at
/// the start of that day in the set's zone. [`date`](Self::date) is the
/// date written in the text. `Ord` compares the written dates, then the
/// instants, a plain date first: an order for sorting texts, not the order
/// a set counts check-ins in.
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
/// let zoned: Moment = "2027-02-03T23:30:00-05:00[America/New_York]".parse()?;
/// assert_eq!(zoned, later);
/// # Ok::<(), okrs::MomentError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Moment {
    date: Date,
    clock: Option<(Timestamp, Offset)>,
}

/// Why a text is not a [`Moment`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{text:?} is neither a date (2027-02-03), an RFC 3339 timestamp (2027-02-03T09:30:00Z) nor one in a known time zone (2027-02-03T09:30:00+01:00[Europe/Oslo])"
)]
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
    /// The calendar date written in it (for a timestamp, in its own
    /// offset). O(1).
    #[must_use]
    pub fn date(&self) -> Date {
        self.date
    }

    /// The calendar date the moment falls on in a time zone: a timestamp's
    /// date there, or a plain date itself. A set counts a check-in on this
    /// date in the set's zone. O(log transitions) for a zone with
    /// transitions, O(1) for UTC and plain dates.
    ///
    /// # Example
    /// ```
    /// use okrs::Moment;
    /// let tokyo: Moment = "2027-02-04T01:00:00+09:00".parse()?;
    /// let utc = okrs::time_zone("UTC").unwrap();
    /// let oslo = okrs::time_zone("Europe/Oslo").unwrap();
    /// assert_eq!(tokyo.date().to_string(), "2027-02-04");
    /// assert_eq!(tokyo.date_in(&utc).to_string(), "2027-02-03"); // 16:00Z
    /// assert_eq!(tokyo.date_in(&oslo).to_string(), "2027-02-03"); // 17:00 in Oslo
    /// # Ok::<(), okrs::MomentError>(())
    /// ```
    #[must_use]
    pub fn date_in(&self, zone: &TimeZone) -> Date {
        match self.clock {
            None => self.date,
            Some((timestamp, _)) => zone.to_datetime(timestamp).date(),
        }
    }

    /// The instant the moment stands for in a time zone: a timestamp's
    /// own, or for a plain date the start of that day in the zone. A set
    /// orders check-ins by it. O(log transitions).
    ///
    /// # Example
    /// ```
    /// use okrs::Moment;
    /// let oslo = okrs::time_zone("Europe/Oslo").unwrap();
    /// let day: Moment = "2027-02-04".parse()?;
    /// assert_eq!(day.instant_in(&oslo).to_string(), "2027-02-03T23:00:00Z");
    /// let midnight: Moment = "2027-02-04T00:00:00+01:00".parse()?;
    /// assert_eq!(midnight.instant_in(&oslo), day.instant_in(&oslo));
    /// # Ok::<(), okrs::MomentError>(())
    /// ```
    #[must_use]
    pub fn instant_in(&self, zone: &TimeZone) -> Timestamp {
        match self.clock {
            Some((timestamp, _)) => timestamp,
            None => start_of_day(self.date, zone),
        }
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

    /// Parses `YYYY-MM-DD`, an RFC 3339 timestamp (`Z` or a numeric
    /// offset), or one followed by a time zone in brackets, a name from the
    /// IANA database or an offset (jiff's zoned form, RFC 9557), whose
    /// offset, when given, must be the zone's at that time. O(length).
    fn from_str(text: &str) -> Result<Self, MomentError> {
        let error = || MomentError {
            text: text.to_owned(),
        };
        if !text.contains('T') && !text.contains('t') {
            return parse_date(text).map(Self::from).ok_or_else(error);
        }
        let (head, zoned) = match text.find('[') {
            Some(at) => (text.get(..at).ok_or_else(error)?, true),
            None => (text, false),
        };
        if !rfc3339_shape(head, zoned) || (zoned && !text.ends_with(']')) {
            return Err(error());
        }
        let pieces = Pieces::parse(text).map_err(|_| error())?;
        let time: Time = pieces.time().ok_or_else(error)?;
        let datetime = pieces.date().to_datetime(time);
        let stated = pieces.to_numeric_offset();
        let zulu = matches!(pieces.offset(), Some(PiecesOffset::Zulu));
        let zone = match pieces.time_zone_annotation().map(|a| a.kind()) {
            None => None,
            Some(TimeZoneAnnotationKind::Named(name)) => {
                Some(time_zone(name.as_str()).ok_or_else(error)?)
            }
            Some(TimeZoneAnnotationKind::Offset(offset)) => Some(TimeZone::fixed(*offset)),
            Some(_) => return Err(error()),
        };
        let (timestamp, offset) = match (stated, zone) {
            (Some(offset), zone) => {
                let timestamp = offset.to_timestamp(datetime).map_err(|_| error())?;
                match zone {
                    // `Z` is the instant in UTC, the zone's offset unsaid.
                    Some(zone) if zulu => (timestamp, zone.to_offset(timestamp)),
                    // A numeric offset must be the zone's then.
                    Some(zone) if zone.to_offset(timestamp) != offset => return Err(error()),
                    _ => (timestamp, offset),
                }
            }
            (None, Some(zone)) => {
                let timestamp = zone
                    .to_ambiguous_timestamp(datetime)
                    .compatible()
                    .map_err(|_| error())?;
                (timestamp, zone.to_offset(timestamp))
            }
            (None, None) => return Err(error()),
        };
        if offset.seconds() % 60 != 0 {
            return Err(error());
        }
        Ok(Self {
            date: offset.to_datetime(timestamp).date(),
            clock: Some((timestamp, offset)),
        })
    }
}

/// The first instant of a date in a time zone (after a gap, if midnight
/// falls in one); the earliest or latest instant jiff knows for dates
/// beyond its range.
pub(crate) fn start_of_day(date: Date, zone: &TimeZone) -> Timestamp {
    zone.to_ambiguous_timestamp(date.to_datetime(Time::midnight()))
        .compatible()
        .unwrap_or(if date.year() < 0 {
            Timestamp::MIN
        } else {
            Timestamp::MAX
        })
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
        /// Reads the text where it lies: a document has a moment per
        /// check-in, and none needs a copy.
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Moment;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Moment, E> {
                text.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(Text)
    }
}

/// Whether a text has RFC 3339's shape: `YYYY-MM-DDTHH:MM:SS`, an optional
/// fraction, then `Z` or `±HH:MM`; with `zoned` (a time zone in brackets
/// follows), the offset may be left out.
fn rfc3339_shape(text: &str, zoned: bool) -> bool {
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
        None => zoned,
        Some(b'Z' | b'z') => i + 1 == bytes.len(),
        Some(b'+' | b'-') => {
            i + 6 == bytes.len() && digits(i + 1..i + 3) && at(i + 3, b':') && digits(i + 4..i + 6)
        }
        _ => false,
    }
}

/// A review date in a set's time zone: the check-ins dated up to the end of
/// `date` there count.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AsOf<'a> {
    pub(crate) date: Date,
    pub(crate) zone: &'a TimeZone,
}

impl AsOf<'_> {
    /// Whether a moment counts by the end of the date. O(log transitions).
    pub(crate) fn counts(&self, moment: &Moment) -> bool {
        moment.date_in(self.zone) <= self.date
    }
}

/// Parses exactly `YYYY-MM-DD`.
pub(crate) fn parse_date(text: &str) -> Option<Date> {
    if text.len() != 10 {
        return None;
    }
    // `YYYY-MM-DD`, a date per check-in: its digits read by hand, checked
    // by `Date::new` as jiff's parser checks them.
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *text.as_bytes() {
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
        if digits.iter().all(u8::is_ascii_digit) {
            let n = |hi: u8, lo: u8| i16::from(hi - b'0') * 10 + i16::from(lo - b'0');
            let year = n(y0, y1) * 100 + n(y2, y3);
            let (month, day) = (n(m0, m1), n(d0, d1));
            return Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok();
        }
    }
    text.parse().ok()
}

/// Writes a date as its `Display` does (`2027-01-31`), by hand for years
/// 0 to 9999: a report writes a date per finding, and the formatting
/// machinery costs several times the bytes. O(1).
pub(crate) fn push_date(out: &mut String, date: Date) {
    let year = date.year();
    if !(0..=9999).contains(&year) {
        use fmt::Write as _;
        let _ = write!(out, "{date}");
        return;
    }
    let digit = |n: i16| b'0' + (n % 10).unsigned_abs() as u8;
    let (month, day) = (i16::from(date.month()), i16::from(date.day()));
    let text = [
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(day / 10),
        digit(day),
    ];
    out.push_str(sure(std::str::from_utf8(&text).ok(), "digits are ASCII"));
}

/// Whole days from `from` to `to` (negative when `to` is earlier). O(1):
/// integer arithmetic on the two dates' day numbers.
pub(crate) fn days_between(from: Date, to: Date) -> i64 {
    day_number(to) - day_number(from)
}

/// The number of days from 1970-01-01 to a date of the proleptic Gregorian
/// calendar (negative before), by Howard Hinnant's `days_from_civil`. O(1).
fn day_number(date: Date) -> i64 {
    let (y, m, d) = (
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let month = (m + 9) % 12; // March is 0
    let day_of_year = (153 * month + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Reading `YYYY-MM-DD` by hand accepts and gives what jiff's
        /// parser does, impossible days and months included.
        #[test]
        fn dates_read_as_jiff_reads_them(
            text in "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-(0[0-9]|1[0-3])-([0-2][0-9]|3[0-2])|[0-9+-]{10}|[0-9T:W-]{10}"
        ) {
            proptest::prop_assert_eq!(parse_date(&text), text.parse::<Date>().ok(), "{}", text);
        }

        #[test]
        fn push_date_writes_what_display_writes(day in -4_371_587i64..=2_932_896) {
            // Every date jiff has: day numbers from -9999-01-01 to 9999-12-31.
            let date = Date::constant(1970, 1, 1)
                .checked_add(jiff::Span::new().days(day))
                .unwrap();
            let mut out = String::from("x");
            push_date(&mut out, date);
            proptest::prop_assert_eq!(out, format!("x{date}"));
        }
    }

    #[test]
    fn push_date_writes_the_edges_as_display_does() {
        for (y, m, d) in [
            (0, 1, 1),
            (9999, 12, 31),
            (-1, 12, 31),
            (-9999, 1, 1),
            (1, 2, 3),
            (999, 10, 10),
        ] {
            let date = Date::new(y, m, d).unwrap();
            let mut out = String::new();
            push_date(&mut out, date);
            assert_eq!(out, date.to_string());
        }
    }

    #[test]
    fn moments_parse_dates_rfc3339_and_zoned_timestamps_only() {
        assert!("2027-02-03".parse::<Moment>().is_ok());
        assert!("2027-02-03T10:00:00Z".parse::<Moment>().is_ok());
        assert!("2027-02-03T10:00:00.5+05:30".parse::<Moment>().is_ok());
        for bad in [
            "",
            "2027-2-3",
            "20270203",
            "2027-02-30",
            "2027-02-03T10:00:00",
            "2027-02-03T10:00:00+05:00[Europe/Paris]",
            "2027-02-03T10:00:00+01:00[Mars/Olympus]",
            "2027-02-03T10:00:00+01:00[Europe/Paris",
            "2027-02-03T10:00:00+01:00[Europe/Paris]x",
            "2027-02-03T10:00:00[u-ca=iso8601]",
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
    fn zoned_timestamps_read_as_their_instant_in_the_zones_offset() {
        let moment = |text: &str| text.parse::<Moment>().unwrap();
        let la = moment("2026-11-21T23:30:00-08:00[America/Los_Angeles]");
        assert_eq!(la, moment("2026-11-21T23:30:00-08:00"));
        assert_eq!(la.to_string(), "2026-11-21T23:30:00-08:00");
        // Without the offset, the zone's at that time.
        assert_eq!(moment("2026-11-21T23:30:00[America/Los_Angeles]"), la);
        assert_eq!(
            moment("2026-07-01T12:00:00[Europe/Oslo]").to_string(),
            "2026-07-01T12:00:00+02:00"
        );
        // `Z` says the instant, the zone the offset; names ignore case.
        assert_eq!(moment("2026-11-22T07:30:00Z[america/los_angeles]"), la);
        assert_eq!(
            moment("2026-11-21T23:30:00-08:00[!America/Los_Angeles]"),
            la
        );
        assert_eq!(moment("2026-11-21T23:30:00[-08:00]"), la);
    }

    #[test]
    fn dates_and_instants_in_a_zone() {
        let oslo = time_zone("Europe/Oslo").unwrap();
        let moment = |text: &str| text.parse::<Moment>().unwrap();
        let late = moment("2027-02-03T23:30:00Z");
        assert_eq!(late.date_in(&oslo), Date::new(2027, 2, 4).unwrap());
        assert_eq!(late.date_in(&TimeZone::UTC), Date::new(2027, 2, 3).unwrap());
        let day = moment("2027-02-04");
        assert_eq!(day.date_in(&oslo), day.date());
        assert!(day.instant_in(&oslo) < late.instant_in(&oslo));
        assert!(day.instant_in(&TimeZone::UTC) > late.instant_in(&TimeZone::UTC));
        assert_eq!(
            start_of_day(Date::MIN, &oslo),
            Timestamp::MIN,
            "dates beyond jiff's instants clamp"
        );
        assert!(time_zone("utc").is_some());
        assert!(time_zone("Nowhere/Town").is_none());
    }

    #[test]
    fn day_numbers_agree_with_jiff() {
        let epoch = Date::new(1970, 1, 1).unwrap();
        for date in [
            epoch,
            Date::MIN,
            Date::MAX,
            Date::new(2000, 2, 29).unwrap(),
            Date::new(2027, 3, 1).unwrap(),
            Date::new(1900, 3, 1).unwrap(),
            Date::new(-1, 12, 31).unwrap(),
            Date::new(2100, 2, 28).unwrap(),
        ] {
            let jiff = epoch.duration_until(date).as_hours() / 24;
            assert_eq!(day_number(date), jiff, "{date}");
        }
        let mut date = Date::new(1999, 12, 1).unwrap();
        for _ in 0..800 {
            let next = date.tomorrow().unwrap();
            assert_eq!(days_between(date, next), 1, "{date}");
            date = next;
        }
    }

    #[test]
    fn a_timestamp_keeps_the_date_written_in_it() {
        let m: Moment = "2027-02-03T23:30:00-05:00".parse().unwrap();
        assert_eq!(m.date(), Date::new(2027, 2, 3).unwrap());
    }
}
