//! The built-in sample organisation, from the seeds' examples: the
//! company objective "Make our company a great place to work", the weighted
//! BizOps team objective, the team objective "Improve our NPS score by 20%"
//! and the individual objective "Close 200K in new revenue".
//!
//! It runs through 2026: company objectives for the year `FY2026`, team and
//! individual objectives for `2026-Q4` with weekly check-ins up to
//! mid-November (so a review as of late November shows statuses and
//! forecasts), and a `2026-Q3` already closed, whose unfinished referral
//! objective was carried forward into the fourth quarter.

/// The sample organisation as an `okrs/1` JSON document (cascading).
pub const SAMPLE_JSON: &str = include_str!("sample.json");

/// The sample organisation as a document.
///
/// # Example
/// ```
/// let doc = okrs::sample::document();
/// let set = okrs::OkrSet::from_document(doc)?;
/// assert!(set.contains("grow-bizops"));
/// # Ok::<(), okrs::Error>(())
/// ```
#[cfg(feature = "json")]
#[must_use]
pub fn document() -> crate::Document {
    // The sample is a constant checked by this crate's tests; an empty
    // document stands in should it ever fail to parse.
    crate::Document::from_json(SAMPLE_JSON).unwrap_or_default()
}
