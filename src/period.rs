//! Periods: the stretches of calendar time (years, quarters, sprints)
//! objectives are set for, nested into a tree, and the grades frozen when
//! one closes. Every bound is inclusive.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::Id;
use crate::time::days_between;
use jiff::SignedDuration;

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
    /// Set once the period is closed: the grades frozen then, with any
    /// scores set since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<Closing>,
    /// Earlier closings that reopening the period undid, oldest first, each
    /// as it stood then (grades and scores): the history a reopened period
    /// keeps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reopened: Vec<Closing>,
}

/// The closing of a period: the grades frozen when it closed, set by
/// [`OkrSet::close_period`](crate::OkrSet::close_period). (Named `Closure`
/// before 0.2.)
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Closing {
    /// Each objective of the period and each of its key results, as graded
    /// when the period closed.
    pub grades: Vec<Grade>,
}

/// A frozen grade: a node's progress and band when its period closed,
/// and the score that may override it, with why and by whom (set by
/// [`OkrSet::set_score`](crate::OkrSet::set_score)).
///
/// # Example
/// ```
/// use okrs::Grade;
/// let grade: Grade = serde_json::from_str(
///     r#"{ "id": "o", "progress": "0.5", "band": "yellow", "score": "0.7", "reason": "the market halved", "by": "ceo" }"#,
/// )?;
/// assert_eq!(grade.progress.to_string(), "0.5"); // computed, still shown
/// assert_eq!(grade.final_score().to_string(), "0.7");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Grade {
    /// The objective or key result.
    pub id: Id,
    /// Its progress then: the computed grade.
    pub progress: crate::Progress,
    /// The band that progress graded to.
    pub band: crate::Band,
    /// The score set at close, overriding the computed grade (`None`: the
    /// computed grade stands).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<crate::Progress>,
    /// Why the score differs from the computed grade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who set the score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

impl Grade {
    /// A computed grade without a score. O(1).
    #[must_use]
    pub fn new(id: Id, progress: crate::Progress, band: crate::Band) -> Self {
        Self {
            id,
            progress,
            band,
            score: None,
            reason: None,
            by: None,
        }
    }

    /// The final score: the score set at close, else the computed grade.
    /// Calibration (OKR302, OKR303) reads it. O(1).
    #[must_use]
    pub fn final_score(&self) -> crate::Progress {
        self.score.unwrap_or(self.progress)
    }
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
            reopened: Vec::new(),
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

/// The old name of [`Closing`].
#[deprecated(since = "0.2.0", note = "renamed to `Closing`")]
pub type Closure = Closing;

#[cfg(test)]
mod tests {
    use super::*;

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
