//! # okrs
//!
//! An OKR (Objectives and Key Results) engine to embed in Rust programs.
//!
//! Objectives, key results, sub-key results and initiatives live in an
//! [`OkrSet`]: a validated model held in an acyclic alignment graph
//! (petgraph), whose links follow the organisation's alignment model
//! ([directional, cascading or transparency](AlignmentModel)). Progress rolls
//! up exactly, in [`Decimal`]s, never `f64`; aggregation
//! ([`AggregationStrategy`]) and banding ([`Scale`]) are pluggable.
//!
//! ```
//! use okrs::{Band, OkrSet};
//!
//! let set = OkrSet::from_json(r#"{
//!   "format": "okrs/1", "alignment": "cascading",
//!   "objectives": [
//!     { "id": "company", "title": "Make our company a great place to work", "level": "company" },
//!     { "id": "people", "title": "Hire and onboard well", "level": "team",
//!       "aligned_to": [{ "id": "company" }],
//!       "key_results": [
//!         { "id": "hires", "title": "Hire 3 SDRs",
//!           "metric": { "kind": "numeric", "start": "0", "target": "3", "current": "3" } },
//!         { "id": "nps", "title": "Onboarding NPS of 8 or higher",
//!           "metric": { "kind": "at-least", "threshold": "8", "current": "7" } } ] } ] }"#)?;
//!
//! assert_eq!(set.progress("people").unwrap().to_string(), "0.5");
//! assert_eq!(set.progress("company").unwrap().to_string(), "0.5"); // cascaded up
//! assert_eq!(set.band("company"), Some(Band::Yellow));
//! # Ok::<(), okrs::LoadError>(())
//! ```
//!
//! ## How data flows
//! [`Document`] (any serde format; JSON and CSV built in) → [`OkrSet`]
//! (validated, acyclic, rolled up) → reads through [`NodeRef`], edits that
//! either succeed or leave the set untouched, and reports:
//! [`OkrSet::review`] as of any date (expected progress, [`Status`],
//! confidence, forecast), [`OkrSet::lint`] (health checks),
//! [`OkrSet::alignment_coverage`], [`OkrSet::impact`], and
//! [`OkrSet::to_dot`], [`OkrSet::to_mermaid`], [`OkrSet::to_markdown`].
//!
//! ## Time
//! Dates are [`jiff`]'s civil dates, re-exported as [`Date`] (with
//! [`Timestamp`], [`TimeZone`] and the crate itself as `okrs::jiff`).
//! Objectives are set for [`Period`]s; key results carry [`CheckIn`]
//! histories, counted on their dates in the set's time zone
//! ([`OkrSet::time_zone`], an IANA name from the database bundled into the
//! crate, so a review never depends on the machine it runs on) and ordered
//! by the instant they happened. A review gives each node its plan
//! (expected progress, rolled up like progress), its status against the
//! plan times its aim (achieved or missed once the period is over), and a
//! forecast once two dates of check-ins make a trend.
//!
//! ## Crate features
//! The IANA Time Zone Database is always bundled (jiff's
//! `tzdb-bundle-always`), so time zones work offline and alike everywhere.
//! - `json` (default): [`Document::from_json`], [`OkrSet::from_json`]. Pulls
//!   in serde_json with `arbitrary_precision`, so that JSON numbers reach
//!   [`Decimal`] as text.
//! - `csv` (default): `Document::to_csv`, `Document::from_csv`, spreadsheet
//!   rows through the `csv` crate.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

// Values: plain data with their own rules, no set in sight.
mod checkin;
mod edit;
mod error;
mod id;
mod invariant;
mod metric;
mod model;
mod number;
mod period;
mod rules;
mod scale;
mod status;
mod strategy;
mod time;
mod visibility;

// Documents and their formats.
mod document;
mod io;

// The engine (private storage and roll-up) and the set over it.
mod engine;
mod set;

// Reports: they read a set, never change it.
mod analytics;
mod lint;
mod render;
mod review;

pub mod sample;

pub use analytics::{AlignmentCoverage, Coverage, Distribution, GroupBy, Impact};
pub use checkin::{
    CheckIn, CheckInValue, Confidence, ConfidenceError, ConfidenceLevel, ConfidenceScale,
    Correction, DeletedCheckIn, Phase,
};
#[allow(deprecated)]
pub use document::{DEFAULT_GRADING, DEFAULT_STRATEGY, Document, Format};
pub use edit::{Change, Changes, Edit, Envelope, Moved, Named};
#[cfg(feature = "csv")]
pub use error::CsvError;
pub use error::{Error, LoadError, ParseError};
pub use id::{Id, IdError};
#[cfg(feature = "csv")]
pub use io::CSV_COLUMNS;
pub use jiff;
pub use jiff::Timestamp;
pub use jiff::civil::Date;
pub use lint::{Finding, findings_to_json};
pub use metric::{Metric, MetricError, Milestone, ValueMismatch, Zone, Zones};
pub use model::{
    AlignmentModel, Commitment, Initiative, InitiativeStatus, KeyResult, Levels, LevelsError, Link,
    MAX_DEPTH, NodeKind, Objective, Overachievement, ProgressFrom,
};
pub use number::{DecimalError, Progress, ProgressError, Weight, WeightError, parse_decimal};
#[allow(deprecated)]
pub use period::{Closing, Closure, Grade, Period, YearError};
pub use render::{rounded, severity_counts};
pub use review::{NodeReview, Review};
pub use rules::{LintSettings, Rule, RuleLevel, Severity};
pub use rust_decimal::Decimal;
/// The old name of [`Scale`]: the trait that maps progress to a [`Band`].
/// Deprecated since 0.2.0 (a re-export cannot carry the attribute); new
/// code names `Scale`.
pub use scale::Scale as GradingScale;
pub use scale::{Band, GoogleScale, Scale};
pub use set::{CarryForward, LinkRef, NodeRef, OkrSet, PeriodMismatch, SetBuilder, View};

/// The named iterators of [`OkrSet`] and [`NodeRef`], for code that stores
/// or returns them.
pub mod iter {
    pub use crate::set::{Children, Links, Nodes, Objectives, Supporters};
}
pub use jiff::tz::TimeZone;
pub use status::{GapPolicy, ObjectiveStatusRule, Status, StatusInput, StatusPolicy};
pub use strategy::{AggregationStrategy, Contribution, Mean, Min, WeightedMean};
pub use time::{Moment, MomentError, time_zone};
pub use visibility::{ViewPolicy, Viewer, Visibility};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
