//! Documents in and out: JSON (feature `json`) and spreadsheet-style CSV
//! (feature `csv`). Each reader checks the text's shape and names the
//! position of the first problem; the set checks the model.

#[cfg(feature = "csv")]
mod csv;
#[cfg(feature = "json")]
mod json;

#[cfg(feature = "csv")]
pub use self::csv::CSV_COLUMNS;
#[cfg(feature = "json")]
pub(crate) use self::json::write_pretty;
