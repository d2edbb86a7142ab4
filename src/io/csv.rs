//! CSV: a whole document as spreadsheet rows, one record per row, typed by
//! its `type` column.

//!
//! Every enum value in a cell (alignment model, commitment, metric kind,
//! initiative status, band, rule level) and every lint setting's name is
//! serde's: the private module `names` turns values into their serde names
//! and back, so the CSV spells none of them itself. What serde cannot give
//! is CSV's own vocabulary: the column names (a spreadsheet layout that
//! folds several `okrs/1` fields into one column, such as `target` for a
//! numeric target, a threshold, a range's high end, a phase's target and the
//! progress cap) and the row types in `row_type`.
//!
//! A check-in's history takes rows of its own. Each correction is a
//! `correction` row under its check-in: `parent` names the check-in by id,
//! `value`, `confidence` and `note` say what the check-in said before, and
//! `reason`, `by` and `at` why, by whom and when it was corrected. A
//! deleted check-in is a `deleted-check-in` row laid out as a `check-in`
//! row, then its `correction` rows, then a `deletion` row naming it in
//! `parent` with the deletion's `reason`, `by` and `at`. A check-in without
//! an id (a document may leave out a deleted check-in's) is named by an
//! empty `parent`: the nearest check-in row above.
//!
//! # Formula cells
//!
//! A spreadsheet takes a cell that begins with `=`, `+`, `-`, `@`, a tab or
//! a CR as a formula, so text from users (titles, owners, notes, ids, …)
//! could run one on whoever opens the export. [`Document::to_csv`] writes
//! such a text cell with a `'` in front, as OWASP advises, and
//! [`Document::from_csv`] takes exactly that `'` off again, so every text
//! reads back as it was written. To keep that unambiguous, a text that
//! itself begins with `'` followed by one of those characters or by
//! another `'` gets one more `'` too; reading removes a leading `'` only
//! when one of those follows it ([`Row::text_cell`], [`unescape_formula`]).
//! Numbers (`start`, `target`, `current`, `value`, `weight`, `confidence`
//! and the progress in a `grade` row) are written as they are, `-5` as
//! `-5`: they come only from decimals, which hold no formula, and a
//! spreadsheet shows them as numbers.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};
use std::mem::discriminant;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::de::DeserializeOwned;

use crate::invariant::sure;
use crate::number::{Plain, Trimmed};

use crate::{
    AlignmentModel, Band, CheckIn, CheckInValue, Closing, Commitment, Confidence, ConfidenceScale,
    Correction, CsvError, Date, DeletedCheckIn, Document, GapPolicy, Grade, Id, Initiative,
    InitiativeStatus, KeyResult, Levels, Link, LintSettings, Metric, Milestone, Moment, Objective,
    Overachievement, Period, Phase, Progress, ProgressFrom, RuleLevel, Visibility, Weight, Zones,
    parse_decimal,
};

/// The columns, in the order [`Document::to_csv`] writes them. Reading
/// accepts them in any order and leaves out any but `type`; a header with a
/// column not listed here, or with one twice, is refused. Columns added
/// later come last, so that the others keep their places.
pub const CSV_COLUMNS: [&str; 39] = [
    "type",
    "id",
    "parent",
    "title",
    "level",
    "owners",
    "weight",
    "contributes",
    "period",
    "commitment",
    "grading",
    "description",
    "metric",
    "start",
    "target",
    "current",
    "unit",
    "done",
    "value",
    "at",
    "confidence",
    "note",
    "by",
    "status",
    "end",
    "within",
    "carried_from",
    "carried_to",
    "reason",
    "progress_from",
    "aligned_share",
    "overachievement",
    "commit",
    "stretch",
    "visibility",
    "viewers",
    "time_zone",
    "confidence_scale",
    "score",
];

/// The `type` column's values: CSV's own names for its rows, which no serde
/// type defines (a `lint` row is one field of `LintSettings` or one rule, a
/// `closed` row a period's empty closing, …).
mod row_type {
    pub(super) const SET: &str = "set";
    pub(super) const LINT: &str = "lint";
    pub(super) const STATUS: &str = "status";
    pub(super) const PERIOD: &str = "period";
    pub(super) const CLOSED: &str = "closed";
    pub(super) const GRADE: &str = "grade";
    pub(super) const REOPENED: &str = "reopened";
    pub(super) const REOPENED_GRADE: &str = "reopened-grade";
    pub(super) const OBJECTIVE: &str = "objective";
    pub(super) const LINK: &str = "link";
    pub(super) const KEY_RESULT: &str = "key-result";
    pub(super) const MILESTONE: &str = "milestone";
    pub(super) const CHECK_IN: &str = "check-in";
    pub(super) const CORRECTION: &str = "correction";
    pub(super) const DELETED_CHECK_IN: &str = "deleted-check-in";
    pub(super) const DELETION: &str = "deletion";
    pub(super) const PHASE: &str = "phase";
    pub(super) const INITIATIVE: &str = "initiative";
}

/// The first characters that make a spreadsheet read a cell as a formula
/// (OWASP's list): `=`, `+`, `-`, `@`, tab and CR.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether [`Row::text_cell`] puts a `'` before the text: it begins with
/// one of [`FORMULA_STARTS`], or with `'` followed by one of them or by
/// another `'`.
fn needs_quote(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some('\'') => chars
            .next()
            .is_some_and(|c| c == '\'' || FORMULA_STARTS.contains(&c)),
        Some(c) => FORMULA_STARTS.contains(&c),
        None => false,
    }
}

/// A cell as read: without the `'` that [`Row::text_cell`] put in front,
/// that is, without a leading `'` that a formula's first character or
/// another `'` follows. Every other cell is kept as it is. O(1).
fn unescape_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(|c: char| c == '\'' || FORMULA_STARTS.contains(&c)) => rest,
        _ => cell,
    }
}

/// A value written as a number, not escaped: decimals and the types that
/// wrap one, whose text is digits, a `.` and perhaps a leading `-`.
trait Number: fmt::Display + Sized {
    /// Appends the text `Display` gives.
    fn write(self, text: &mut String);
}

impl Number for Decimal {
    fn write(self, text: &mut String) {
        Plain(self).push_to(text);
    }
}
impl Number for Weight {
    fn write(self, text: &mut String) {
        Plain(self.value()).push_to(text);
    }
}
impl Number for Progress {
    fn write(self, text: &mut String) {
        Trimmed(self.value()).push_to(text);
    }
}
impl Number for Confidence {
    fn write(self, text: &mut String) {
        Plain(self.value()).push_to(text);
    }
}

/// A column of [`CSV_COLUMNS`]: its place there and its name. Made only by
/// [`col!`], which finds the place when the crate compiles, so a cell is
/// read or written without looking its name up.
#[derive(Clone, Copy, Debug)]
struct Column {
    at: usize,
    name: &'static str,
}

impl Column {
    /// The column named `name`. Only [`col!`] calls it, in a `const`
    /// block, so a misspelt name fails the build, never a run.
    #[expect(clippy::panic, reason = "evaluated when the crate compiles")]
    const fn named(name: &'static str) -> Self {
        let mut at = 0;
        let mut rest: &[&str] = &CSV_COLUMNS;
        while let [column, tail @ ..] = rest {
            if same(column.as_bytes(), name.as_bytes()) {
                return Self { at, name };
            }
            at += 1;
            rest = tail;
        }
        panic!("no such CSV column")
    }
}

/// Byte equality usable in a `const fn`.
const fn same(mut a: &[u8], mut b: &[u8]) -> bool {
    loop {
        match (a, b) {
            ([], []) => return true,
            ([x, a_tail @ ..], [y, b_tail @ ..]) if *x == *y => {
                a = a_tail;
                b = b_tail;
            }
            _ => return false,
        }
    }
}

/// The [`Column`] named by a literal, found when the crate compiles.
macro_rules! col {
    ($name:literal) => {
        const { Column::named($name) }
    };
}

/// Where each known column stands in the sheet being read: the cell's
/// place in a row, by [`Column::at`]; `None` for a column the sheet leaves
/// out.
type Columns = [Option<usize>; CSV_COLUMNS.len()];

/// One row being written: the text of its cells one after the other, and
/// where each cell's text lies (an empty range for an empty cell). One
/// buffer a row: with a `String` a cell, allocating and freeing them took
/// a quarter of a sheet's writing.
struct Row {
    text: String,
    cells: [(usize, usize); CSV_COLUMNS.len()],
    /// Bit `n` is set when cell `n` has text.
    filled: u64,
}

impl Row {
    fn new(kind: &str) -> Self {
        let mut row = Self {
            text: String::with_capacity(128),
            cells: [(0, 0); CSV_COLUMNS.len()],
            filled: 0,
        };
        row.set(col!("type"), kind);
        row
    }

    /// Sets a text cell (text, an id, a name, a date, …), escaped by
    /// [`Row::text_cell`].
    fn set(&mut self, column: Column, value: impl Text) -> &mut Self {
        self.text_cell(column, |text| value.push_to(text))
    }

    fn set_opt(&mut self, column: Column, value: Option<impl Text>) -> &mut Self {
        if let Some(value) = value {
            self.set(column, value);
        }
        self
    }

    /// Sets a text cell to a list joined by [`join`], escaped by
    /// [`Row::text_cell`].
    fn list(&mut self, column: Column, items: &[impl AsRef<str>]) -> &mut Self {
        self.text_cell(column, |text| join(text, items))
    }

    /// Sets a number cell as the number's text, not escaped.
    fn number(&mut self, column: Column, value: impl Number) -> &mut Self {
        let start = self.text.len();
        value.write(&mut self.text);
        self.cell(column, start)
    }

    fn number_opt(&mut self, column: Column, value: Option<impl Number>) -> &mut Self {
        if let Some(value) = value {
            self.number(column, value);
        }
        self
    }

    /// Sets a text cell to what `write` appends to the row's text, with a
    /// `'` in front when it [needs one](needs_quote), so that no text cell
    /// begins like a formula. [`unescape_formula`] undoes it. O(length).
    fn text_cell(&mut self, column: Column, write: impl FnOnce(&mut String)) -> &mut Self {
        let start = self.text.len();
        write(&mut self.text);
        if self.text.get(start..).is_some_and(needs_quote) {
            self.text.insert(start, '\'');
        }
        self.cell(column, start)
    }

    /// The cell is the row's text from `start` on.
    fn cell(&mut self, column: Column, start: usize) -> &mut Self {
        if let Some(cell) = self.cells.get_mut(column.at) {
            *cell = (start, self.text.len());
            let bit = 1 << column.at;
            if start < self.text.len() {
                self.filled |= bit;
            } else {
                self.filled &= !bit;
            }
        }
        self
    }

    /// The cells with text, by place, in the columns' order.
    fn filled(&self) -> impl Iterator<Item = (usize, &str)> {
        let mut rest = self.filled;
        std::iter::from_fn(move || {
            let at = usize::try_from(rest.trailing_zeros()).ok()?;
            let &(start, end) = self.cells.get(at)?;
            rest &= rest - 1;
            Some((
                at,
                sure(self.text.get(start..end), "a cell lies in its row"),
            ))
        })
    }

    /// The cells' texts, in the columns' order.
    #[cfg(test)]
    fn cells(&self) -> impl Iterator<Item = &str> {
        self.cells
            .iter()
            .map(|&(start, end)| sure(self.text.get(start..end), "a cell lies in its row"))
    }
}

/// A value written as a text cell: its `Display` text, copied as it is
/// for the strings and ids that most cells hold.
trait Text: fmt::Display {
    /// Appends the text `Display` gives.
    fn push_to(&self, text: &mut String) {
        sure(write!(text, "{self}").ok(), "a String takes any text");
    }
}

impl Text for str {
    fn push_to(&self, text: &mut String) {
        text.push_str(self);
    }
}
impl Text for String {
    fn push_to(&self, text: &mut String) {
        text.push_str(self);
    }
}
impl Text for Id {
    fn push_to(&self, text: &mut String) {
        text.push_str(self.as_str());
    }
}
impl Text for bool {}
impl Text for Date {}
impl Text for Moment {}
impl<T: Text + ?Sized> Text for &T {
    fn push_to(&self, text: &mut String) {
        (**self).push_to(text);
    }
}

/// Appends the list items joined with `;`, escaping `;` and `\` with a
/// backslash.
fn join(text: &mut String, items: &[impl AsRef<str>]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            text.push(';');
        }
        for piece in item.as_ref().split_inclusive([';', '\\']) {
            if let Some(before) = piece.strip_suffix(';') {
                text.push_str(before);
                text.push_str("\\;");
            } else if let Some(before) = piece.strip_suffix('\\') {
                text.push_str(before);
                text.push_str("\\\\");
            } else {
                text.push_str(piece);
            }
        }
    }
}

/// Splits what [`join`] wrote.
fn split(cell: &str) -> Vec<String> {
    if cell.is_empty() {
        return Vec::new();
    }
    let mut items = vec![String::new()];
    let mut chars = cell.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(last)) = (chars.next(), items.last_mut()) {
                    last.push(next);
                }
            }
            ';' => items.push(String::new()),
            c => {
                if let Some(last) = items.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    items
}

impl Document {
    /// Writes the document as CSV rows, one per setting, period, frozen
    /// grade, objective, link, key result, milestone, check-in, correction,
    /// deleted check-in, deletion, phase and initiative, under the header
    /// [`CSV_COLUMNS`]. A check-in's corrections follow it, oldest first; a
    /// deleted check-in's follow it, then its deletion. Lists (owners, levels,
    /// milestone titles) are joined with `;`, escaped with `\`. Reading the
    /// text back with [`Document::from_csv`] gives an equal document.
    /// O(size of the document).
    ///
    /// Safe to open in a spreadsheet: a text cell (a title, owner, note,
    /// id, unit, level or milestone title, reason, …) that begins with `=`,
    /// `+`, `-`, `@`, a tab or a CR is written with a `'` in front, so that
    /// no spreadsheet runs it as a formula; so is a text that begins with
    /// `'` followed by one of those or by another `'`, so that reading takes
    /// off exactly the `'` that writing put on (`=1+1` → `'=1+1`, `'=1+1` →
    /// `''=1+1`, `'x` stays `'x`). Numbers (`start`, `target`, `current`,
    /// `weight`, `confidence`, a check-in's numeric `value`, a grade's
    /// progress) are written as they are: `-5` stays `-5`, a number in the
    /// spreadsheet.
    ///
    /// # Errors
    /// None in practice (writing to memory); the `Result` carries the CSV
    /// writer's own.
    ///
    /// # Example
    /// ```
    /// let doc = okrs::sample::document();
    /// let text = doc.to_csv()?;
    /// assert!(text.starts_with("type,id,parent,title"));
    /// assert_eq!(okrs::Document::from_csv(&text)?, doc);
    /// # Ok::<(), okrs::CsvError>(())
    /// ```
    pub fn to_csv(&self) -> Result<String, CsvError> {
        self.to_csv_with(self.objectives.iter().map(Cow::Borrowed))
    }

    /// [`to_csv`](Self::to_csv) with the document's settings and periods
    /// and the given objectives in place of its own (a set hands them over
    /// one at a time, without a document of them all). O(rows).
    pub(crate) fn to_csv_with<'a>(
        &self,
        objectives: impl Iterator<Item = Cow<'a, Objective>>,
    ) -> Result<String, CsvError> {
        let mut rows = Rows::new();
        let mut set = Row::new(row_type::SET);
        set.set(col!("value"), name(&self.alignment, "value")?)
            .set(col!("grading"), &self.strategy)
            .list(col!("level"), &self.levels.iter().collect::<Vec<_>>())
            .number(col!("target"), self.progress_cap);
        if self.progress_from != ProgressFrom::default() {
            set.set(
                col!("progress_from"),
                name(&self.progress_from, "progress_from")?,
            );
        }
        if self.overachievement != Overachievement::default() {
            set.set(
                col!("overachievement"),
                name(&self.overachievement, "overachievement")?,
            );
        }
        set.set_opt(col!("time_zone"), self.time_zone.as_ref());
        if self.confidence_scale != ConfidenceScale::default() {
            set.set(
                col!("confidence_scale"),
                name(&self.confidence_scale, "confidence_scale")?,
            );
        }
        rows.push(set);
        for (setting, value) in lint_rows(&self.lint)? {
            let mut row = Row::new(row_type::LINT);
            row.set(col!("id"), setting).set(col!("value"), value);
            rows.push(row);
        }
        for (setting, value) in status_rows(&self.status)? {
            let mut row = Row::new(row_type::STATUS);
            row.set(col!("id"), setting).set(col!("value"), value);
            rows.push(row);
        }
        for period in &self.periods {
            let mut row = Row::new(row_type::PERIOD);
            row.set(col!("id"), &period.id)
                .set(col!("start"), period.start)
                .set(col!("end"), period.end)
                .set_opt(col!("within"), period.within.as_ref());
            rows.push(row);
            for closing in &period.reopened {
                let mut row = Row::new(row_type::REOPENED);
                row.set(col!("parent"), &period.id);
                rows.push(row);
                for grade in &closing.grades {
                    rows.push(grade_row(row_type::REOPENED_GRADE, grade, &period.id)?);
                }
            }
            if let Some(closure) = &period.closed {
                if closure.grades.is_empty() {
                    let mut row = Row::new(row_type::CLOSED);
                    row.set(col!("parent"), &period.id);
                    rows.push(row);
                }
                for grade in &closure.grades {
                    rows.push(grade_row(row_type::GRADE, grade, &period.id)?);
                }
            }
        }
        for objective in objectives {
            let objective = objective.as_ref();
            let mut row = Row::new(row_type::OBJECTIVE);
            row.set(col!("id"), &objective.id)
                .set(col!("title"), &objective.title)
                .set(col!("level"), &objective.level)
                .list(col!("owners"), &objective.owners)
                .set_opt(col!("period"), objective.period.as_ref())
                .set_opt(col!("grading"), objective.strategy.as_ref())
                .set_opt(col!("description"), objective.description.as_ref())
                .set_opt(col!("carried_from"), objective.carried_from.as_ref())
                .set_opt(col!("carried_to"), objective.carried_to.as_ref())
                .number_opt(col!("aligned_share"), objective.aligned_share);
            if let Some(from) = &objective.progress_from {
                row.set(col!("progress_from"), name(from, "progress_from")?);
            }
            if !objective.visibility.is_public() {
                row.set(
                    col!("visibility"),
                    name(&objective.visibility, "visibility")?,
                )
                .list(col!("viewers"), &objective.viewers);
            }
            if objective.commitment != Commitment::default() {
                row.set(
                    col!("commitment"),
                    name(&objective.commitment, "commitment")?,
                );
            }
            rows.push(row);
            for link in &objective.aligned_to {
                let mut row = Row::new(row_type::LINK);
                row.set(col!("id"), &objective.id)
                    .set(col!("parent"), &link.id)
                    .number(col!("weight"), link.weight)
                    .set_opt(col!("contributes"), link.contributes);
                rows.push(row);
            }
            let mut stack: Vec<(&KeyResult, &Id)> = objective
                .key_results
                .iter()
                .rev()
                .map(|kr| (kr, &objective.id))
                .collect();
            while let Some((kr, parent)) = stack.pop() {
                key_result_rows(kr, parent, &mut rows)?;
                stack.extend(kr.key_results.iter().rev().map(|sub| (sub, &kr.id)));
            }
        }
        Ok(rows.out)
    }
}

/// The sheet being written: each row goes to the text as soon as it is
/// made, so a document's rows are never all held at once. Written as the
/// `csv` crate's writer does by default (fields joined with `,`, each row
/// ending in `\n`, a field quoted when it holds `,`, `"`, CR or LF, with
/// `"` doubled), without its per-field state machine: a row has 39 cells,
/// most of them empty. A property checks the bytes against that writer.
struct Rows {
    out: String,
}

impl Rows {
    fn new() -> Self {
        let mut rows = Self { out: String::new() };
        rows.write(CSV_COLUMNS.iter().copied());
        rows
    }

    fn push(&mut self, row: Row) {
        self.write_filled(CSV_COLUMNS.len(), row.filled());
    }

    /// Writes a row of every cell, empty or not.
    fn write<'a>(&mut self, cells: impl ExactSizeIterator<Item = &'a str>) {
        let count = cells.len();
        self.write_filled(
            count,
            cells.enumerate().filter(|(_, cell)| !cell.is_empty()),
        );
    }

    /// Writes a row of `count` cells, of which `filled` are the ones with
    /// text, by place, in order: most of a row's cells are empty, and each
    /// run of them is written as one run of commas.
    fn write_filled<'a>(&mut self, count: usize, filled: impl Iterator<Item = (usize, &'a str)>) {
        let start = self.out.len();
        // The separators written so far: a cell at place `at` follows
        // `at` of them.
        let mut separators = 0;
        for (at, cell) in filled {
            self.commas(at.saturating_sub(separators));
            separators = at;
            if cell
                .bytes()
                .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
            {
                self.out.push('"');
                for piece in cell.split_inclusive('"') {
                    self.out.push_str(piece);
                    if piece.ends_with('"') {
                        self.out.push('"');
                    }
                }
                self.out.push('"');
            } else {
                self.out.push_str(cell);
            }
        }
        self.commas(count.saturating_sub(1).saturating_sub(separators));
        // A row of one empty field would read as a blank line, which
        // readers skip.
        if count == 1 && self.out.len() == start {
            self.out.push_str("\"\"");
        }
        self.out.push('\n');
    }
}

impl Rows {
    /// `n` field separators.
    fn commas(&mut self, mut n: usize) {
        const COMMAS: &str = ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,";
        while n > 0 {
            let run = n.min(COMMAS.len());
            self.out
                .push_str(sure(COMMAS.get(..run), "a run is at most COMMAS long"));
            n -= run;
        }
    }
}

/// A `grade` (or `reopened-grade`) row: the node in `id`, the period in
/// `parent`, the computed progress in `current` and its band in `status`,
/// and a score in `score` with its `reason` and `by`.
fn grade_row(kind: &str, grade: &Grade, period: &Id) -> Result<Row, CsvError> {
    let mut row = Row::new(kind);
    row.set(col!("id"), &grade.id)
        .set(col!("parent"), period)
        .number(col!("current"), grade.progress)
        .set(col!("status"), name(&grade.band, "status")?)
        .number_opt(col!("score"), grade.score)
        .set_opt(col!("reason"), grade.reason.as_ref())
        .set_opt(col!("by"), grade.by.as_ref());
    Ok(row)
}

/// The `status` rows: each status setting ([`GapPolicy`]'s fields) that
/// differs from its default, under its serde name. O(1).
fn status_rows(status: &GapPolicy) -> Result<Vec<(String, String)>, CsvError> {
    let fields = |settings: &GapPolicy| match names::shape_of(settings) {
        Some(names::Shape::Entries(fields)) => Ok(fields),
        _ => Err(CsvError {
            line: 0,
            column: Some("id"),
            message: "serde does not write the status settings as fields".to_owned(),
        }),
    };
    let defaults = fields(&GapPolicy::default())?;
    let mut rows = Vec::new();
    for (field, value) in fields(status)? {
        let names::Shape::Text(text) = value else {
            return Err(CsvError {
                line: 0,
                column: Some("value"),
                message: format!("status setting {field:?} is not one value"),
            });
        };
        let default = defaults.iter().find(|(f, _)| *f == field);
        if default.is_none_or(|(_, d)| *d != names::Shape::Text(text.clone())) {
            rows.push((field, text));
        }
    }
    Ok(rows)
}

/// serde's name for an enum value in a cell of `column`.
fn name(value: &impl serde::Serialize, column: &'static str) -> Result<String, CsvError> {
    names::name_of(value).ok_or_else(|| CsvError {
        line: 0,
        column: Some(column),
        message: "serde gives the value no name".to_owned(),
    })
}

/// The `lint` rows: each field of [`LintSettings`] that differs from its
/// default, under its serde name and in serde's order, then each rule level
/// of the map field, by rule. O(rules).
fn lint_rows(lint: &LintSettings) -> Result<Vec<(String, String)>, CsvError> {
    let fields = |settings: &LintSettings| match names::shape_of(settings) {
        Some(names::Shape::Entries(fields)) => Ok(fields),
        _ => Err(CsvError {
            line: 0,
            column: Some("id"),
            message: "serde does not write the lint settings as fields".to_owned(),
        }),
    };
    let defaults = fields(&LintSettings::default())?;
    let mut settings = Vec::new();
    let mut rules = Vec::new();
    for (field, value) in fields(lint)? {
        match value {
            names::Shape::Text(text) => {
                let default = defaults.iter().find(|(f, _)| *f == field);
                if default.is_none_or(|(_, d)| *d != names::Shape::Text(text.clone())) {
                    settings.push((field, text));
                }
            }
            names::Shape::Entries(entries) => {
                for (rule, level) in entries {
                    let names::Shape::Text(level) = level else {
                        return Err(CsvError {
                            line: 0,
                            column: Some("value"),
                            message: format!("rule {rule:?} has no level name"),
                        });
                    };
                    rules.push((rule, level));
                }
            }
            names::Shape::Empty | names::Shape::List(_) => {
                return Err(CsvError {
                    line: 0,
                    column: Some("id"),
                    message: format!("lint setting {field:?} is not one value"),
                });
            }
        }
    }
    settings.extend(rules);
    Ok(settings)
}

/// One metric of each kind, with placeholder values, beside serde's name
/// for the kind (the tag of `Metric`, an internally tagged enum). Rust
/// cannot list an enum's variants, so the list is by hand; the test
/// `metric_kinds_are_serdes` checks it against serde's own list of
/// `Metric`'s variants. Writing names a metric's kind from here; reading
/// finds a `metric` cell here and builds that variant from the row.
fn metric_kinds() -> &'static [(String, Metric)] {
    static KINDS: OnceLock<Vec<(String, Metric)>> = OnceLock::new();
    KINDS.get_or_init(|| {
        let zero = Decimal::ZERO;
        [
            Metric::numeric(zero, zero),
            Metric::Binary { done: false },
            Metric::Milestones {
                milestones: Vec::new(),
            },
            Metric::AtLeast {
                threshold: zero,
                current: None,
            },
            Metric::AtMost {
                threshold: zero,
                current: None,
            },
            Metric::Range {
                low: zero,
                high: zero,
                current: None,
            },
            Metric::Manual { progress: zero },
        ]
        .into_iter()
        .filter_map(|metric| Some((names::name_of(&metric)?, metric)))
        .collect()
    })
}

/// serde's name for a metric's kind.
fn metric_kind(metric: &Metric) -> Result<&'static str, CsvError> {
    metric_kinds()
        .iter()
        .find(|(_, kind)| discriminant(kind) == discriminant(metric))
        .map(|(name, _)| name.as_str())
        .ok_or_else(|| CsvError {
            line: 0,
            column: Some("metric"),
            message: "serde gives the metric kind no name".to_owned(),
        })
}

fn key_result_rows(kr: &KeyResult, parent: &Id, rows: &mut Rows) -> Result<(), CsvError> {
    let mut row = Row::new(row_type::KEY_RESULT);
    row.set(col!("id"), &kr.id)
        .set(col!("parent"), parent)
        .set(col!("title"), &kr.title)
        .list(col!("owners"), &kr.owners)
        .number(col!("weight"), kr.weight)
        .set_opt(col!("grading"), kr.strategy.as_ref())
        .set_opt(col!("description"), kr.description.as_ref());
    let mut milestones: &[Milestone] = &[];
    if let Some(metric) = &kr.metric {
        row.set(col!("metric"), metric_kind(metric)?);
        match metric {
            Metric::Numeric {
                start,
                target,
                current,
                unit,
                zones,
            } => {
                row.number(col!("start"), *start)
                    .number(col!("target"), *target)
                    .number_opt(col!("current"), *current)
                    .set_opt(col!("unit"), unit.as_ref())
                    .number_opt(col!("commit"), zones.as_ref().and_then(|z| z.commit))
                    .number_opt(col!("stretch"), zones.as_ref().and_then(|z| z.stretch));
            }
            Metric::Binary { done } => {
                row.set(col!("done"), done);
            }
            Metric::Milestones { milestones: list } => milestones = list,
            Metric::AtLeast { threshold, current } | Metric::AtMost { threshold, current } => {
                row.number(col!("target"), *threshold)
                    .number_opt(col!("current"), *current);
            }
            Metric::Range { low, high, current } => {
                row.number(col!("start"), *low)
                    .number(col!("target"), *high)
                    .number_opt(col!("current"), *current);
            }
            Metric::Manual { progress } => {
                row.number(col!("current"), *progress);
            }
        }
    }
    rows.push(row);
    for milestone in milestones {
        let mut row = Row::new(row_type::MILESTONE);
        row.set(col!("parent"), &kr.id)
            .set(col!("title"), &milestone.title)
            .number(col!("weight"), milestone.weight)
            .set(col!("done"), milestone.done);
        rows.push(row);
    }
    for check_in in &kr.check_ins {
        check_in_rows(row_type::CHECK_IN, check_in, &kr.id, rows);
    }
    for deleted in &kr.deleted_check_ins {
        check_in_rows(row_type::DELETED_CHECK_IN, &deleted.check_in, &kr.id, rows);
        let mut row = Row::new(row_type::DELETION);
        row.set_opt(col!("parent"), deleted.check_in.id.as_ref())
            .set(col!("reason"), &deleted.reason)
            .set_opt(col!("by"), deleted.by.as_ref())
            .set_opt(col!("at"), deleted.at);
        rows.push(row);
    }
    for phase in &kr.phases {
        let mut row = Row::new(row_type::PHASE);
        row.set(col!("parent"), &kr.id)
            .set(col!("at"), phase.at)
            .number(col!("target"), phase.target);
        rows.push(row);
    }
    for initiative in &kr.initiatives {
        let mut row = Row::new(row_type::INITIATIVE);
        row.set(col!("id"), &initiative.id)
            .set(col!("parent"), &kr.id)
            .set(col!("title"), &initiative.title)
            .list(col!("owners"), &initiative.owners)
            .set(col!("status"), name(&initiative.status, "status")?);
        rows.push(row);
    }
    Ok(())
}

/// Sets a check-in's `value` cell: a number, `true` or `false`, or
/// milestone titles joined with `;` (text, escaped).
fn set_value(row: &mut Row, value: &CheckInValue) {
    match value {
        CheckInValue::Number(n) => row.number(col!("value"), *n),
        CheckInValue::Done(done) => row.set(col!("value"), done),
        CheckInValue::Milestones(titles) => row.list(col!("value"), titles),
    };
}

/// A `check-in` or `deleted-check-in` row (`kind`) for a check-in of the
/// key result `kr`, then a `correction` row for each of its corrections,
/// oldest first.
fn check_in_rows(kind: &str, check_in: &CheckIn, kr: &Id, rows: &mut Rows) {
    let mut row = Row::new(kind);
    row.set_opt(col!("id"), check_in.id.as_ref())
        .set(col!("parent"), kr)
        .set(col!("at"), check_in.at)
        .number_opt(col!("confidence"), check_in.confidence)
        .set_opt(col!("note"), check_in.note.as_ref())
        .set_opt(col!("by"), check_in.by.as_ref());
    set_value(&mut row, &check_in.value);
    rows.push(row);
    for correction in &check_in.corrections {
        let mut row = Row::new(row_type::CORRECTION);
        row.set_opt(col!("parent"), check_in.id.as_ref())
            .number_opt(col!("confidence"), correction.confidence)
            .set_opt(col!("note"), correction.note.as_ref())
            .set(col!("reason"), &correction.reason)
            .set_opt(col!("by"), correction.by.as_ref())
            .set_opt(col!("at"), correction.at);
        set_value(&mut row, &correction.value);
        rows.push(row);
    }
}

/// A record being read, with its line for errors.
struct Record<'a> {
    record: &'a csv::StringRecord,
    columns: &'a Columns,
    line: u64,
}

impl Record<'_> {
    fn error(&self, column: Option<&'static str>, message: impl Into<String>) -> CsvError {
        CsvError {
            line: self.line,
            column,
            message: message.into(),
        }
    }

    /// The cell, without the `'` that writing put before a text that
    /// begins like a formula ([`unescape_formula`]).
    fn get(&self, column: Column) -> &str {
        unescape_formula(
            self.columns
                .get(column.at)
                .copied()
                .flatten()
                .and_then(|i| self.record.get(i))
                .unwrap_or(""),
        )
    }

    fn opt(&self, column: Column) -> Option<String> {
        let value = self.get(column);
        (!value.is_empty()).then(|| value.to_owned())
    }

    fn required(&self, column: Column) -> Result<&str, CsvError> {
        let value = self.get(column);
        if value.is_empty() {
            Err(self.error(Some(column.name), "a value is needed"))
        } else {
            Ok(value)
        }
    }

    fn id(&self, column: Column) -> Result<Id, CsvError> {
        self.required(column)?
            .parse()
            .map_err(|e: crate::IdError| self.error(Some(column.name), e.to_string()))
    }

    fn opt_id(&self, column: Column) -> Result<Option<Id>, CsvError> {
        match self.opt(column) {
            Some(_) => self.id(column).map(Some),
            None => Ok(None),
        }
    }

    fn decimal(&self, column: Column) -> Result<Decimal, CsvError> {
        parse_decimal(self.required(column)?)
            .map_err(|e| self.error(Some(column.name), e.to_string()))
    }

    fn opt_decimal(&self, column: Column) -> Result<Option<Decimal>, CsvError> {
        match self.opt(column) {
            Some(_) => self.decimal(column).map(Some),
            None => Ok(None),
        }
    }

    fn weight(&self) -> Result<Weight, CsvError> {
        match self.opt(col!("weight")) {
            None => Ok(Weight::ONE),
            Some(text) => text
                .parse()
                .map_err(|e: crate::WeightError| self.error(Some("weight"), e.to_string())),
        }
    }

    fn bool(&self, column: Column) -> Result<Option<bool>, CsvError> {
        match self.get(column) {
            "" => Ok(None),
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            other => Err(self.error(Some(column.name), format!("{other:?} is not true or false"))),
        }
    }

    /// The enum value serde names by this cell (even an empty one): `"x" is
    /// not a, b or c` when it names none.
    fn named<T: DeserializeOwned>(&self, column: Column) -> Result<T, CsvError> {
        let text = self.get(column);
        names::parse_name(text)
            .map_err(|problem| self.error(Some(column.name), problem.about(text)))
    }

    /// [`named`](Self::named), or the default for an empty cell.
    fn named_or_default<T: DeserializeOwned + Default>(
        &self,
        column: Column,
    ) -> Result<T, CsvError> {
        if self.get(column).is_empty() {
            Ok(T::default())
        } else {
            self.named(column)
        }
    }

    fn moment(&self, column: Column) -> Result<Moment, CsvError> {
        self.required(column)?
            .parse()
            .map_err(|e: crate::MomentError| self.error(Some(column.name), e.to_string()))
    }

    fn opt_moment(&self, column: Column) -> Result<Option<Moment>, CsvError> {
        match self.opt(column) {
            Some(_) => self.moment(column).map(Some),
            None => Ok(None),
        }
    }

    fn opt_confidence(&self) -> Result<Option<Confidence>, CsvError> {
        self.opt(col!("confidence"))
            .map(|text| {
                text.parse::<Confidence>()
                    .map_err(|e| self.error(Some("confidence"), e.to_string()))
            })
            .transpose()
    }

    /// The `value` cell as the key result's metric kind reads it: `true`
    /// or `false` for binary, milestone titles for milestones, else a
    /// number.
    fn value(&self, kind: Option<&Metric>) -> Result<CheckInValue, CsvError> {
        Ok(match kind {
            Some(Metric::Binary { .. }) => CheckInValue::Done(
                self.bool(col!("value"))?
                    .ok_or_else(|| self.error(Some("value"), "a value is needed"))?,
            ),
            Some(Metric::Milestones { .. }) => {
                CheckInValue::Milestones(split(self.get(col!("value"))))
            }
            _ => CheckInValue::Number(self.decimal(col!("value"))?),
        })
    }

    fn date(&self, column: Column) -> Result<Date, CsvError> {
        let text = self.required(column)?;
        crate::time::parse_date(text).ok_or_else(|| {
            self.error(
                Some(column.name),
                format!("{text:?} is not a date like 2027-01-31"),
            )
        })
    }
}

/// A key result being assembled, with where it goes.
struct PendingKr {
    kr: KeyResult,
    parent: Id,
    /// The kind named in the `metric` column, as one of [`metric_kinds`].
    kind: Option<&'static Metric>,
    milestones: Vec<Milestone>,
    /// Its deleted check-ins, each waiting for its `deletion` row.
    deleted: Vec<PendingDeleted>,
    line: u64,
}

/// A deleted check-in being assembled, with its line for errors.
struct PendingDeleted {
    check_in: CheckIn,
    /// The reason, who and when, from its `deletion` row.
    deletion: Option<(String, Option<String>, Option<Moment>)>,
    line: u64,
}

/// Where a `check-in` or `deleted-check-in` row's check-in went: the key
/// result's place among the pending ones, and the check-in's place in its
/// live or deleted list.
#[derive(Clone, Copy)]
struct Slot {
    kr: usize,
    deleted: bool,
    index: usize,
}

impl Slot {
    fn check_in(self, krs: &mut [PendingKr]) -> Option<&mut CheckIn> {
        let pending = krs.get_mut(self.kr)?;
        if self.deleted {
            pending.deleted.get_mut(self.index).map(|d| &mut d.check_in)
        } else {
            pending.kr.check_ins.get_mut(self.index)
        }
    }
}

impl Document {
    /// Reads a document from CSV rows as [`Document::to_csv`] writes them
    /// (columns in any order; all but `type` optional). Rows may come in any
    /// order, except that a key result's children, and a check-in's
    /// corrections, are kept in the order they appear. A `correction` or
    /// `deletion` row names its check-in by id in `parent` (if several
    /// check-ins share the id, the nearest above), or, with an empty
    /// `parent`, the nearest check-in row above it. A cell that begins with
    /// `'` followed by `=`, `+`, `-`, `@`, a tab, a CR or another `'` loses
    /// that first `'`, which [`Document::to_csv`] puts before such text.
    ///
    /// # Errors
    /// [`CsvError`] naming the line and column: an unknown or repeated
    /// column in the header (line 1), an unknown row type or column value,
    /// a missing id, a parent that is not there (a correction or deletion
    /// naming no check-in, a deletion naming a check-in that is not a
    /// deleted one), a deleted check-in without its one deletion row, key
    /// results nested in a loop or deeper than
    /// [`MAX_DEPTH`](crate::MAX_DEPTH).
    ///
    /// Complexity: O(rows) on average (ids are hashed). A sheet whose rows
    /// each come after the row they name, as [`Document::to_csv`] writes
    /// them, is read once; one that names a parent further down is read a
    /// second time from that row on, and one with corrections or
    /// deletions a last time from the first of them.
    pub fn from_csv(text: &str) -> Result<Self, CsvError> {
        match read_sheet(text, true)? {
            Some(document) => Ok(document),
            None => read_sheet(text, false).map(|document| {
                sure(
                    document,
                    "a reading that waits for every parent reads to the end",
                )
            }),
        }
    }
}

/// [`Document::from_csv`]. `eager`: rows naming a parent are read as soon
/// as their parent has come, and a repeated objective or key result id
/// gives `None` (rows under the first may have been read into it, where
/// the last of a repeated id takes them all), for a reading that is not
/// eager.
fn read_sheet(text: &str, eager: bool) -> Result<Option<Document>, CsvError> {
    let mut first = Reading::new(text);
    let headers = first.reader.headers().map_err(|e| csv_error(&e))?.clone();
    let mut columns: Columns = [None; CSV_COLUMNS.len()];
    for (i, header) in headers.iter().enumerate() {
        let found = CSV_COLUMNS.iter().position(|c| *c == header);
        let Some((known, place)) =
            found.and_then(|at| Some((*CSV_COLUMNS.get(at)?, columns.get_mut(at)?)))
        else {
            return Err(CsvError {
                line: 1,
                column: None,
                message: format!("unknown column {header:?}"),
            });
        };
        if place.replace(i).is_some() {
            return Err(CsvError {
                line: 1,
                column: Some(known),
                message: format!("repeated column {header:?}"),
            });
        }
    }
    if columns.get(col!("type").at).copied().flatten().is_none() {
        return Err(CsvError {
            line: 1,
            column: Some("type"),
            message: "the header needs a type column".to_owned(),
        });
    }
    let mut document = Document::default();
    let mut tree = Tree::default();
    // Rows that name a parent (a period, an objective, a key result, a
    // check-in) are read as they come while their parents have all
    // come before them, as `to_csv` writes them. From the first whose
    // parent is not there yet, they wait for a second reading of the
    // text from that row on, when every parent is known: keeping them
    // meanwhile would hold each row's 39 cells, more than the document
    // they become.
    let mut waiting: Option<csv::Position> = None;
    // Where the first correction or deletion row is: they are read a
    // third time, from there, when every check-in they may name (even
    // below) is known.
    let mut history: Option<csv::Position> = None;
    let mut record = csv::StringRecord::new();
    let mut settings: Vec<(String, String)> = Vec::new();
    let mut status: Vec<(String, String)> = Vec::new();
    let mut rules: BTreeMap<String, RuleLevel> = BTreeMap::new();
    let mut reading = Some(first);
    while let Some(line) = next_row(reading.as_mut(), &mut record)? {
        let row = Record {
            record: &record,
            columns: &columns,
            line,
        };
        match row.get(col!("type")) {
            row_type::SET => read_set(&row, &mut document)?,
            row_type::LINT => read_lint(&row, &mut settings, &mut rules)?,
            row_type::STATUS => {
                let setting = row.required(col!("id"))?;
                let value = row.required(col!("value"))?;
                status.retain(|(s, _)| s != setting);
                status.push((setting.to_owned(), value.to_owned()));
            }
            row_type::PERIOD => {
                let mut period = Period::new(
                    row.id(col!("id"))?,
                    row.date(col!("start"))?,
                    row.date(col!("end"))?,
                );
                period.within = row.opt_id(col!("within"))?;
                // The first of a repeated id, as a search finds (the
                // set refuses the repeat).
                tree.period_at
                    .entry(period.id.clone())
                    .or_insert(document.periods.len());
                document.periods.push(period);
            }
            row_type::OBJECTIVE => {
                let objective = read_objective(&row)?;
                let repeated = tree
                    .objective_at
                    .insert(objective.id.clone(), tree.objectives.len());
                if eager && repeated.is_some() {
                    return Ok(None);
                }
                tree.objectives.push(objective);
            }
            row_type::KEY_RESULT => {
                let pending = read_key_result(&row)?;
                let repeated = tree.kr_at.insert(pending.kr.id.clone(), tree.krs.len());
                if eager && repeated.is_some() {
                    return Ok(None);
                }
                tree.krs.push(pending);
            }
            kind @ (row_type::GRADE
            | row_type::CLOSED
            | row_type::REOPENED
            | row_type::REOPENED_GRADE
            | row_type::LINK
            | row_type::MILESTONE
            | row_type::CHECK_IN
            | row_type::CORRECTION
            | row_type::DELETED_CHECK_IN
            | row_type::DELETION
            | row_type::PHASE
            | row_type::INITIATIVE) => {
                if matches!(kind, row_type::CORRECTION | row_type::DELETION) {
                    history = history.or_else(|| record.position().cloned());
                }
                if waiting.is_none() && !(eager && tree.read(&row, &mut document.periods, true)?) {
                    waiting = record.position().cloned();
                }
            }
            other => {
                return Err(row.error(Some("type"), format!("unknown row type {other:?}")));
            }
        }
    }
    document.lint = names::from_fields(
        settings
            .iter()
            .map(|(setting, value)| (setting.as_str(), value.as_str())),
    )
    .map_err(|problem| CsvError {
        line: 0,
        column: Some("value"),
        message: problem.to_string(),
    })?;
    document.lint.rules = rules;
    document.status = names::from_fields(
        status
            .iter()
            .map(|(setting, value)| (setting.as_str(), value.as_str())),
    )
    .map_err(|problem| CsvError {
        line: 0,
        column: Some("value"),
        message: format!("status settings: {problem}"),
    })?;
    let mut reading = waiting.map(|from| Reading::from(text, &from));
    while let Some(line) = next_row(reading.as_mut(), &mut record)? {
        let row = Record {
            record: &record,
            columns: &columns,
            line,
        };
        tree.read(&row, &mut document.periods, false)?;
    }
    let mut reading = history
        .filter(|_| !tree.above.is_empty())
        .map(|from| Reading::from(text, &from));
    let mut above = std::mem::take(&mut tree.above).into_iter();
    while let Some(line) = next_row(reading.as_mut(), &mut record)? {
        let row = Record {
            record: &record,
            columns: &columns,
            line,
        };
        if matches!(
            row.get(col!("type")),
            row_type::CORRECTION | row_type::DELETION
        ) {
            let Some(above) = above.next() else { break };
            read_history(&row, &mut tree.krs, &tree.named, above)?;
        }
    }
    for pending in &mut tree.krs {
        finish_metric(pending)?;
        finish_deleted(pending)?;
    }
    nest(
        tree.krs,
        &tree.kr_at,
        &mut tree.objectives,
        &tree.objective_at,
    )?;
    document.objectives = tree.objectives;
    Ok(Some(document))
}

/// What the rows of a sheet have built so far, with indexes by id.
#[derive(Default)]
struct Tree {
    /// Each period's place in the document's, by id.
    period_at: HashMap<Id, usize>,
    objectives: Vec<Objective>,
    objective_at: HashMap<Id, usize>,
    krs: Vec<PendingKr>,
    kr_at: HashMap<Id, usize>,
    /// Check-in rows by id, each with its line, in the order of the rows.
    named: HashMap<Id, Vec<(u64, Slot)>>,
    /// The nearest check-in row above each correction and deletion row,
    /// in the order of the rows.
    above: Vec<Option<Slot>>,
    last_check_in: Option<Slot>,
}

impl Tree {
    /// Reads a row that names its parent (any type but `set`, `lint`,
    /// `status`, `period`, `objective` and `key-result`, which other rows
    /// hang on). With `wait`, a row whose parent has not come yet changes
    /// nothing and answers `false`; without, that is an error.
    fn read(
        &mut self,
        row: &Record<'_>,
        periods: &mut [Period],
        wait: bool,
    ) -> Result<bool, CsvError> {
        match row.get(col!("type")) {
            kind @ (row_type::GRADE
            | row_type::CLOSED
            | row_type::REOPENED
            | row_type::REOPENED_GRADE) => {
                let period_id = row.id(col!("parent"))?;
                let Some(period) = self
                    .period_at
                    .get(&period_id)
                    .and_then(|&at| periods.get_mut(at))
                else {
                    return missing(wait, || {
                        row.error(
                            Some("parent"),
                            format!("no period {:?}", period_id.as_str()),
                        )
                    });
                };
                let closure = match kind {
                    row_type::REOPENED => {
                        period.reopened.push(Closing::default());
                        return Ok(true);
                    }
                    row_type::REOPENED_GRADE => period.reopened.last_mut().ok_or_else(|| {
                        row.error(
                            Some("type"),
                            "a reopened-grade row needs a reopened row of its period above it"
                                .to_owned(),
                        )
                    })?,
                    _ => period.closed.get_or_insert_with(Closing::default),
                };
                if kind != row_type::CLOSED {
                    closure.grades.push(read_grade(row)?);
                }
            }
            row_type::LINK => {
                let from = row.id(col!("id"))?;
                let Some(objective) = self
                    .objective_at
                    .get(&from)
                    .and_then(|&i| self.objectives.get_mut(i))
                else {
                    return missing(wait, || {
                        row.error(Some("id"), format!("no objective {:?}", from.as_str()))
                    });
                };
                objective.aligned_to.push(Link {
                    id: row.id(col!("parent"))?,
                    weight: row.weight()?,
                    contributes: row.bool(col!("contributes"))?,
                });
            }
            row_type::CORRECTION | row_type::DELETION => self.above.push(self.last_check_in),
            row_type::MILESTONE
            | row_type::CHECK_IN
            | row_type::DELETED_CHECK_IN
            | row_type::PHASE
            | row_type::INITIATIVE => {
                let parent = row.id(col!("parent"))?;
                let Some((kr, pending)) = self
                    .kr_at
                    .get(&parent)
                    .and_then(|&i| Some((i, self.krs.get_mut(i)?)))
                else {
                    return missing(wait, || {
                        row.error(
                            Some("parent"),
                            format!("no key result {:?}", parent.as_str()),
                        )
                    });
                };
                if let Some((deleted, index)) = read_kr_child(row, pending)? {
                    let slot = Slot { kr, deleted, index };
                    self.last_check_in = Some(slot);
                    if let Some(id) = row.opt_id(col!("id"))? {
                        self.named.entry(id).or_default().push((row.line, slot));
                    }
                }
            }
            // Read the first time.
            _ => {}
        }
        Ok(true)
    }
}

/// A row whose parent is not there: `false` while it may still come,
/// else the error.
fn missing(wait: bool, error: impl FnOnce() -> CsvError) -> Result<bool, CsvError> {
    if wait { Ok(false) } else { Err(error()) }
}

/// One reading of a sheet's rows by [`Document::from_csv`], from the
/// first row after the header or from a row a reading before found.
struct Reading<'t> {
    reader: csv::Reader<&'t [u8]>,
    /// The line before the first row read, which the reader counts as
    /// line 1 (0 when it reads the header).
    lines_before: u64,
}

impl<'t> Reading<'t> {
    /// From the top: the header, which `read_record` skips, then every
    /// row. O(1).
    fn new(text: &'t str) -> Self {
        Self {
            reader: csv::ReaderBuilder::new()
                .flexible(false)
                .from_reader(text.as_bytes()),
            lines_before: 0,
        }
    }

    /// From the row at `from` (a position the first reading gave, so the
    /// header has been checked) to the end. O(1).
    fn from(text: &'t str, from: &csv::Position) -> Self {
        let rest = usize::try_from(from.byte())
            .ok()
            .and_then(|start| text.as_bytes().get(start..));
        Self {
            reader: csv::ReaderBuilder::new()
                .flexible(false)
                .has_headers(false)
                .from_reader(sure(rest, "a row the first reading found lies in the text")),
            lines_before: from.line().saturating_sub(1),
        }
    }
}

/// Reads the next row into `record` and answers its line; `None` at the
/// end, or when there is no reading (one that is not needed).
/// O(the row's length).
fn next_row(
    reading: Option<&mut Reading<'_>>,
    record: &mut csv::StringRecord,
) -> Result<Option<u64>, CsvError> {
    let Some(reading) = reading else {
        return Ok(None);
    };
    let more = reading.reader.read_record(record).map_err(|e| {
        let mut error = csv_error(&e);
        error.line += reading.lines_before;
        error
    })?;
    Ok(more.then(|| {
        record
            .position()
            .map_or(0, |at| at.line() + reading.lines_before)
    }))
}

fn csv_error(error: &csv::Error) -> CsvError {
    CsvError {
        line: error.position().map_or(0, csv::Position::line),
        column: None,
        message: error.to_string(),
    }
}

fn read_grade(row: &Record<'_>) -> Result<Grade, CsvError> {
    let progress = |column: &'static str, value: Decimal| {
        Progress::new(value).map_err(|e| row.error(Some(column), e.to_string()))
    };
    let mut grade = Grade::new(
        row.id(col!("id"))?,
        progress("current", row.decimal(col!("current"))?)?,
        row.named::<Band>(col!("status"))?,
    );
    grade.score = match row.opt_decimal(col!("score"))? {
        Some(score) => Some(progress("score", score)?),
        None => None,
    };
    grade.reason = row.opt(col!("reason"));
    grade.by = row.opt(col!("by"));
    Ok(grade)
}

fn read_set(row: &Record<'_>, document: &mut Document) -> Result<(), CsvError> {
    if let Some(alignment) = row.opt(col!("value")) {
        document.alignment = names::parse_name::<AlignmentModel>(&alignment).map_err(|_| {
            row.error(
                Some("value"),
                format!("unknown alignment model {alignment:?}"),
            )
        })?;
    }
    if let Some(grading) = row.opt(col!("grading")) {
        document.strategy = grading;
    }
    if let Some(levels) = row.opt(col!("level")) {
        document.levels =
            Levels::new(split(&levels)).map_err(|e| row.error(Some("level"), e.to_string()))?;
    }
    if let Some(cap) = row.opt_decimal(col!("target"))? {
        document.progress_cap = cap;
    }
    document.progress_from = row.named_or_default::<ProgressFrom>(col!("progress_from"))?;
    document.overachievement = row.named_or_default::<Overachievement>(col!("overachievement"))?;
    document.time_zone = row.opt(col!("time_zone"));
    document.confidence_scale =
        row.named_or_default::<ConfidenceScale>(col!("confidence_scale"))?;
    Ok(())
}

/// Reads a `lint` row: a field of [`LintSettings`] under its serde name
/// (the last row wins) or, for any other name, a rule's level.
fn read_lint(
    row: &Record<'_>,
    settings: &mut Vec<(String, String)>,
    rules: &mut BTreeMap<String, RuleLevel>,
) -> Result<(), CsvError> {
    let setting = row.required(col!("id"))?;
    let value = row.required(col!("value"))?;
    match names::from_fields::<LintSettings>([(setting, value)]) {
        Ok(_) => {
            settings.retain(|(s, _)| s != setting);
            settings.push((setting.to_owned(), value.to_owned()));
        }
        // Not a field, or the field of the rule map: a rule.
        Err(names::Problem::UnknownField | names::Problem::NotACell) => {
            rules.insert(setting.to_owned(), row.named(col!("value"))?);
        }
        Err(problem) => return Err(row.error(Some("value"), problem.about(value))),
    }
    Ok(())
}

fn read_objective(row: &Record<'_>) -> Result<Objective, CsvError> {
    let mut objective = Objective::new(
        row.id(col!("id"))?,
        row.get(col!("title")),
        row.get(col!("level")),
    );
    objective.owners = split(row.get(col!("owners")));
    objective.period = row.opt_id(col!("period"))?;
    objective.strategy = row.opt(col!("grading"));
    objective.description = row.opt(col!("description"));
    objective.carried_from = row.opt_id(col!("carried_from"))?;
    objective.carried_to = row.opt_id(col!("carried_to"))?;
    objective.commitment = row.named_or_default::<Commitment>(col!("commitment"))?;
    objective.aligned_share = row.opt_decimal(col!("aligned_share"))?;
    if row.opt(col!("progress_from")).is_some() {
        objective.progress_from = Some(row.named::<ProgressFrom>(col!("progress_from"))?);
    }
    objective.visibility = row.named_or_default::<Visibility>(col!("visibility"))?;
    objective.viewers = split(row.get(col!("viewers")));
    Ok(objective)
}

fn read_key_result(row: &Record<'_>) -> Result<PendingKr, CsvError> {
    let mut kr = KeyResult::new(row.id(col!("id"))?, row.get(col!("title")));
    kr.owners = split(row.get(col!("owners")));
    kr.weight = row.weight()?;
    kr.strategy = row.opt(col!("grading"));
    kr.description = row.opt(col!("description"));
    let kind = match row.opt(col!("metric")) {
        None => None,
        Some(name) => Some(
            metric_kinds()
                .iter()
                .find(|(kind, _)| *kind == name)
                .map(|(_, metric)| metric)
                .ok_or_else(|| {
                    row.error(Some("metric"), format!("unknown metric kind {name:?}"))
                })?,
        ),
    };
    kr.metric = match kind {
        None | Some(Metric::Milestones { .. }) => None,
        Some(Metric::Numeric { .. }) => Some(Metric::Numeric {
            start: row.decimal(col!("start"))?,
            target: row.decimal(col!("target"))?,
            current: row.opt_decimal(col!("current"))?,
            unit: row.opt(col!("unit")),
            zones: Some(Zones::new(
                row.opt_decimal(col!("commit"))?,
                row.opt_decimal(col!("stretch"))?,
            ))
            .filter(|z| !z.is_empty())
            .map(Box::new),
        }),
        Some(Metric::Binary { .. }) => Some(Metric::Binary {
            done: row.bool(col!("done"))?.unwrap_or(false),
        }),
        Some(Metric::AtLeast { .. }) => Some(Metric::AtLeast {
            threshold: row.decimal(col!("target"))?,
            current: row.opt_decimal(col!("current"))?,
        }),
        Some(Metric::AtMost { .. }) => Some(Metric::AtMost {
            threshold: row.decimal(col!("target"))?,
            current: row.opt_decimal(col!("current"))?,
        }),
        Some(Metric::Range { .. }) => Some(Metric::Range {
            low: row.decimal(col!("start"))?,
            high: row.decimal(col!("target"))?,
            current: row.opt_decimal(col!("current"))?,
        }),
        Some(Metric::Manual { .. }) => Some(Metric::Manual {
            progress: row.opt_decimal(col!("current"))?.unwrap_or_default(),
        }),
    };
    Ok(PendingKr {
        kr,
        parent: row.id(col!("parent"))?,
        kind,
        milestones: Vec::new(),
        deleted: Vec::new(),
        line: row.line,
    })
}

/// Reads a key result's child row; for a `check-in` or `deleted-check-in`
/// row, returns where its check-in went in `pending`'s lists.
fn read_kr_child(
    row: &Record<'_>,
    pending: &mut PendingKr,
) -> Result<Option<(bool, usize)>, CsvError> {
    match row.get(col!("type")) {
        row_type::MILESTONE => pending.milestones.push(Milestone {
            title: row.get(col!("title")).to_owned(),
            done: row.bool(col!("done"))?.unwrap_or(false),
            weight: row.weight()?,
        }),
        row_type::CHECK_IN => {
            let index = pending.kr.check_ins.len();
            pending.kr.check_ins.push(read_check_in(row, pending.kind)?);
            return Ok(Some((false, index)));
        }
        row_type::DELETED_CHECK_IN => {
            let index = pending.deleted.len();
            pending.deleted.push(PendingDeleted {
                check_in: read_check_in(row, pending.kind)?,
                deletion: None,
                line: row.line,
            });
            return Ok(Some((true, index)));
        }
        row_type::PHASE => pending.kr.phases.push(Phase::new(
            row.date(col!("at"))?,
            row.decimal(col!("target"))?,
        )),
        _ => {
            let mut initiative = Initiative::new(row.id(col!("id"))?, row.get(col!("title")));
            initiative.owners = split(row.get(col!("owners")));
            initiative.status = row.named_or_default::<InitiativeStatus>(col!("status"))?;
            pending.kr.initiatives.push(initiative);
        }
    }
    Ok(None)
}

/// A `check-in` or `deleted-check-in` row's check-in, without its
/// corrections (their rows are read later).
fn read_check_in(row: &Record<'_>, kind: Option<&Metric>) -> Result<CheckIn, CsvError> {
    let mut check_in = CheckIn::new(row.moment(col!("at"))?, row.value(kind)?);
    check_in.id = row.opt_id(col!("id"))?;
    check_in.confidence = row.opt_confidence()?;
    check_in.note = row.opt(col!("note"));
    check_in.by = row.opt(col!("by"));
    Ok(check_in)
}

/// Reads a `correction` or `deletion` row into the check-in it names:
/// `named` lists the check-in rows by id, each with its line, in the
/// order of the rows; `above` is the nearest check-in row above this one,
/// which an empty `parent` names.
fn read_history(
    row: &Record<'_>,
    krs: &mut [PendingKr],
    named: &HashMap<Id, Vec<(u64, Slot)>>,
    above: Option<Slot>,
) -> Result<(), CsvError> {
    let parent = row.opt_id(col!("parent"))?;
    let slot = match &parent {
        None => above.ok_or_else(|| {
            row.error(
                Some("parent"),
                "no check-in row above for a row with no parent",
            )
        })?,
        // Ids are unique in a valid document; if several check-ins share
        // one, the nearest above, else the first below.
        Some(id) => named
            .get(id)
            .and_then(|slots| {
                let before = slots.partition_point(|(line, _)| *line < row.line);
                before
                    .checked_sub(1)
                    .and_then(|i| slots.get(i))
                    .or_else(|| slots.first())
            })
            .map(|(_, slot)| *slot)
            .ok_or_else(|| row.error(Some("parent"), format!("no check-in {:?}", id.as_str())))?,
    };
    let named_as = || {
        parent
            .as_ref()
            .map_or_else(|| "above".to_owned(), |id| format!("{:?}", id.as_str()))
    };
    if row.get(col!("type")) == row_type::CORRECTION {
        let kind = krs.get(slot.kr).and_then(|pending| pending.kind);
        let correction = Correction {
            value: row.value(kind)?,
            confidence: row.opt_confidence()?,
            note: row.opt(col!("note")),
            reason: row.get(col!("reason")).to_owned(),
            by: row.opt(col!("by")),
            at: row.opt_moment(col!("at"))?,
        };
        if let Some(check_in) = slot.check_in(krs) {
            check_in.corrections.push(correction);
        }
        return Ok(());
    }
    let deleted = krs
        .get_mut(slot.kr)
        .filter(|_| slot.deleted)
        .and_then(|pending| pending.deleted.get_mut(slot.index))
        .ok_or_else(|| {
            row.error(
                Some("parent"),
                format!("the check-in {} is not a deleted-check-in row", named_as()),
            )
        })?;
    if deleted.deletion.is_some() {
        return Err(row.error(
            Some("parent"),
            format!("the check-in {} has a deletion row already", named_as()),
        ));
    }
    deleted.deletion = Some((
        row.get(col!("reason")).to_owned(),
        row.opt(col!("by")),
        row.opt_moment(col!("at"))?,
    ));
    Ok(())
}

/// Moves a key result's deleted check-ins into it, each with its deletion.
fn finish_deleted(pending: &mut PendingKr) -> Result<(), CsvError> {
    for deleted in std::mem::take(&mut pending.deleted) {
        let Some((reason, by, at)) = deleted.deletion else {
            return Err(CsvError {
                line: deleted.line,
                column: Some("id"),
                message: match &deleted.check_in.id {
                    Some(id) => format!("deleted check-in {:?} has no deletion row", id.as_str()),
                    None => "the deleted check-in has no deletion row".to_owned(),
                },
            });
        };
        pending.kr.deleted_check_ins.push(DeletedCheckIn {
            check_in: deleted.check_in,
            reason,
            by,
            at,
        });
    }
    Ok(())
}

fn finish_metric(pending: &mut PendingKr) -> Result<(), CsvError> {
    if matches!(pending.kind, Some(Metric::Milestones { .. })) {
        pending.kr.metric = Some(Metric::Milestones {
            milestones: std::mem::take(&mut pending.milestones),
        });
    } else if !pending.milestones.is_empty() {
        return Err(CsvError {
            line: pending.line,
            column: Some("metric"),
            message: format!(
                "key result {:?} has milestone rows but its metric is not milestones",
                pending.kr.id.as_str()
            ),
        });
    }
    Ok(())
}

/// Puts each key result under its parent, deepest first so that every key
/// result is complete when it moves. Iterative: O(K) when every key result
/// comes after its parent, as `to_csv` writes them (each takes its depth
/// from its parent's); O(K × depth) at worst, the depth bounded by
/// [`MAX_DEPTH`](crate::MAX_DEPTH).
fn nest(
    krs: Vec<PendingKr>,
    kr_at: &HashMap<Id, usize>,
    objectives: &mut [Objective],
    objective_at: &HashMap<Id, usize>,
) -> Result<(), CsvError> {
    // Each key result's depth, and the key result or objective it goes in.
    let mut depth = vec![0usize; krs.len()];
    let mut home: Vec<Home> = Vec::with_capacity(krs.len());
    for (i, pending) in krs.iter().enumerate() {
        let (steps, place) = match kr_at.get(&pending.parent) {
            // Its parent's chain was walked (and ends at an objective).
            Some(&up) if up < i => (depth.get(up).map_or(0, |d| d + 1), Home::KeyResult(up)),
            Some(&up) => (
                walk_up(pending, &krs, kr_at, objective_at)?,
                Home::KeyResult(up),
            ),
            None => match objective_at.get(&pending.parent) {
                Some(&objective) => (0, Home::Objective(objective)),
                None => return Err(no_parent(pending, &pending.parent)),
            },
        };
        if steps > crate::MAX_DEPTH + 1 {
            return Err(too_deep(pending));
        }
        if let Some(d) = depth.get_mut(i) {
            *d = steps;
        }
        home.push(place);
    }
    // Deepest first; within a depth, in the order of the rows.
    let mut by_depth: Vec<Vec<usize>> = vec![Vec::new(); crate::MAX_DEPTH + 2];
    for (i, &d) in depth.iter().enumerate() {
        if let Some(bucket) = by_depth.get_mut(d) {
            bucket.push(i);
        }
    }
    let mut slots: Vec<Option<PendingKr>> = krs.into_iter().map(Some).collect();
    for i in by_depth.into_iter().rev().flatten() {
        let Some(pending) = slots.get_mut(i).and_then(Option::take) else {
            continue;
        };
        match home.get(i) {
            Some(&Home::KeyResult(up)) => {
                if let Some(Some(parent)) = slots.get_mut(up) {
                    parent.kr.key_results.push(pending.kr);
                }
            }
            Some(&Home::Objective(o)) => {
                if let Some(objective) = objectives.get_mut(o) {
                    objective.key_results.push(pending.kr);
                }
            }
            None => {}
        }
    }
    Ok(())
}

/// Where a key result goes: into a key result or an objective, by place.
#[derive(Clone, Copy)]
enum Home {
    KeyResult(usize),
    Objective(usize),
}

/// How many key results a key result's chain of parents passes before it
/// reaches an objective, found by walking it. O(depth).
fn walk_up(
    pending: &PendingKr,
    krs: &[PendingKr],
    kr_at: &HashMap<Id, usize>,
    objective_at: &HashMap<Id, usize>,
) -> Result<usize, CsvError> {
    let mut steps = 0;
    let mut parent = &pending.parent;
    while let Some(&up) = kr_at.get(parent) {
        steps += 1;
        if steps > crate::MAX_DEPTH + 1 {
            return Err(too_deep(pending));
        }
        parent = krs.get(up).map_or(parent, |p| &p.parent);
    }
    if !objective_at.contains_key(parent) {
        return Err(no_parent(pending, parent));
    }
    Ok(steps)
}

/// A chain of parents that ends at neither an objective nor a key result.
fn no_parent(pending: &PendingKr, parent: &Id) -> CsvError {
    CsvError {
        line: pending.line,
        column: Some("parent"),
        message: format!("no objective or key result {:?}", parent.as_str()),
    }
}

fn too_deep(pending: &PendingKr) -> CsvError {
    CsvError {
        line: pending.line,
        column: Some("parent"),
        message: format!(
            "key result {:?} nests in a loop or deeper than {} levels",
            pending.kr.id.as_str(),
            crate::MAX_DEPTH
        ),
    }
}

/// serde's names for the CSV: a value's serde shape ([`Shape`](names::Shape),
/// through a small [`Serializer`](serde::Serializer)), a unit variant's name
/// ([`name_of`](names::name_of)) and back ([`parse_name`](names::parse_name)),
/// and a struct read from `(field, cell)` pairs
/// ([`from_fields`](names::from_fields)).
mod names {
    use std::fmt;

    use serde::de::value::{MapDeserializer, StrDeserializer};
    use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
    use serde::ser::{self, Impossible, Serialize};

    /// A value as serde writes it, as far as the CSV needs.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(super) enum Shape {
        /// A scalar or a unit variant, as text.
        Text(String),
        /// `None` or `()`.
        Empty,
        /// A struct's fields or a map's entries, in serde's order.
        Entries(Vec<(String, Shape)>),
        /// A sequence or a tuple.
        List(Vec<Shape>),
    }

    /// Why serde and a CSV cell do not agree.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(super) enum Problem {
        /// The name is not a field of the struct being read.
        UnknownField,
        /// The name is none of these variants.
        UnknownVariant(&'static [&'static str]),
        /// The value wanted is a map, a struct or a list, not one cell.
        NotACell,
        /// Anything else.
        Message(String),
    }

    impl Problem {
        /// The message for a cell holding `text`.
        pub(super) fn about(&self, text: &str) -> String {
            match self {
                Self::UnknownVariant(expected) => format!("{text:?} is not {}", one_of(expected)),
                other => other.to_string(),
            }
        }
    }

    /// `a, b or c`.
    fn one_of(names: &[&str]) -> String {
        match names.split_last() {
            None => "anything".to_owned(),
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        }
    }

    impl fmt::Display for Problem {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                Self::UnknownField => write!(f, "unknown field"),
                Self::UnknownVariant(expected) => write!(f, "not {}", one_of(expected)),
                Self::NotACell => write!(f, "not a single value"),
                Self::Message(message) => write!(f, "{message}"),
            }
        }
    }

    impl std::error::Error for Problem {}

    impl ser::Error for Problem {
        fn custom<T: fmt::Display>(msg: T) -> Self {
            Self::Message(msg.to_string())
        }
    }

    impl de::Error for Problem {
        fn custom<T: fmt::Display>(msg: T) -> Self {
            Self::Message(msg.to_string())
        }

        fn unknown_field(_: &str, _: &'static [&'static str]) -> Self {
            Self::UnknownField
        }

        fn unknown_variant(_: &str, expected: &'static [&'static str]) -> Self {
            Self::UnknownVariant(expected)
        }
    }

    /// How serde writes `value`; `None` for what a CSV cannot hold (bytes,
    /// tuple and struct variants).
    pub(super) fn shape_of<T: Serialize + ?Sized>(value: &T) -> Option<Shape> {
        value.serialize(ShapeOf).ok()
    }

    /// serde's name for an enum value: a unit variant's
    /// (`Commitment::Committed` → `committed`) or an internally tagged
    /// variant's tag, which serde writes as the first field
    /// (`Metric::AtLeast { .. }` → `at-least`).
    pub(super) fn name_of<T: Serialize + ?Sized>(value: &T) -> Option<String> {
        match shape_of(value)? {
            Shape::Text(name) => Some(name),
            Shape::Entries(fields) => match fields.into_iter().next()? {
                (_, Shape::Text(tag)) => Some(tag),
                _ => None,
            },
            Shape::Empty | Shape::List(_) => None,
        }
    }

    /// The unit variant serde names `name`. O(variants).
    ///
    /// # Errors
    /// [`Problem::UnknownVariant`] with serde's list of names.
    pub(super) fn parse_name<T: DeserializeOwned>(name: &str) -> Result<T, Problem> {
        T::deserialize(StrDeserializer::<Problem>::new(name))
    }

    /// A struct read from `(serde field name, cell)` pairs, its other
    /// fields at their defaults.
    ///
    /// # Errors
    /// [`Problem::UnknownField`] for a name that is no field,
    /// [`Problem::NotACell`] for a field that is not one value, and the
    /// cell's own problem.
    pub(super) fn from_fields<'a, T: DeserializeOwned>(
        fields: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<T, Problem> {
        T::deserialize(MapDeserializer::new(
            fields.into_iter().map(|(field, text)| (field, Cell(text))),
        ))
    }

    /// A CSV cell as one value: flags are `true` or `false`, counts are
    /// decimal digits, variants go by their serde names.
    #[derive(Debug, Clone, Copy)]
    struct Cell<'a>(&'a str);

    impl Cell<'_> {
        fn count<N: TryFrom<u64>>(self) -> Result<N, Problem> {
            let count: u64 = self
                .0
                .parse()
                .map_err(|_| Problem::Message(format!("{:?} is not a count", self.0)))?;
            N::try_from(count).map_err(|_| Problem::Message(format!("{:?} is too large", self.0)))
        }
    }

    impl<'de> IntoDeserializer<'de, Problem> for Cell<'de> {
        type Deserializer = Self;

        fn into_deserializer(self) -> Self {
            self
        }
    }

    impl<'de> de::Deserializer<'de> for Cell<'de> {
        type Error = Problem;

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
            visitor.visit_borrowed_str(self.0)
        }

        fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
            match self.0 {
                "true" => visitor.visit_bool(true),
                "false" => visitor.visit_bool(false),
                other => Err(Problem::Message(format!("{other:?} is not true or false"))),
            }
        }

        fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
            visitor.visit_u8(self.count()?)
        }

        fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
            visitor.visit_u16(self.count()?)
        }

        fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
            visitor.visit_u32(self.count()?)
        }

        fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
            visitor.visit_u64(self.count()?)
        }

        fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
            visitor.visit_some(self)
        }

        fn deserialize_enum<V: Visitor<'de>>(
            self,
            _: &'static str,
            _: &'static [&'static str],
            visitor: V,
        ) -> Result<V::Value, Problem> {
            visitor.visit_enum(StrDeserializer::new(self.0))
        }

        fn deserialize_seq<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Problem> {
            Err(Problem::NotACell)
        }

        fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Problem> {
            Err(Problem::NotACell)
        }

        fn deserialize_tuple_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            _: usize,
            _: V,
        ) -> Result<V::Value, Problem> {
            Err(Problem::NotACell)
        }

        fn deserialize_map<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Problem> {
            Err(Problem::NotACell)
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            _: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Problem> {
            Err(Problem::NotACell)
        }

        serde::forward_to_deserialize_any! {
            i8 i16 i32 i64 i128 u128 f32 f64 char str string bytes byte_buf unit
            unit_struct newtype_struct identifier ignored_any
        }
    }

    /// The [`Serializer`](serde::Serializer) behind [`shape_of`].
    struct ShapeOf;

    fn text(value: impl fmt::Display) -> Result<Shape, Problem> {
        Ok(Shape::Text(value.to_string()))
    }

    impl ser::Serializer for ShapeOf {
        type Ok = Shape;
        type Error = Problem;
        type SerializeSeq = ListOf;
        type SerializeTuple = ListOf;
        type SerializeTupleStruct = ListOf;
        type SerializeTupleVariant = Impossible<Shape, Problem>;
        type SerializeMap = EntriesOf;
        type SerializeStruct = EntriesOf;
        type SerializeStructVariant = Impossible<Shape, Problem>;

        fn serialize_bool(self, v: bool) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_i8(self, v: i8) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_i16(self, v: i16) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_i32(self, v: i32) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_i64(self, v: i64) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_i128(self, v: i128) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_u8(self, v: u8) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_u16(self, v: u16) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_u32(self, v: u32) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_u64(self, v: u64) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_u128(self, v: u128) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_f32(self, v: f32) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_f64(self, v: f64) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_char(self, v: char) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_str(self, v: &str) -> Result<Shape, Problem> {
            text(v)
        }
        fn serialize_bytes(self, _: &[u8]) -> Result<Shape, Problem> {
            Err(Problem::NotACell)
        }
        fn serialize_none(self) -> Result<Shape, Problem> {
            Ok(Shape::Empty)
        }
        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Shape, Problem> {
            value.serialize(self)
        }
        fn serialize_unit(self) -> Result<Shape, Problem> {
            Ok(Shape::Empty)
        }
        fn serialize_unit_struct(self, _: &'static str) -> Result<Shape, Problem> {
            Ok(Shape::Empty)
        }
        fn serialize_unit_variant(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
        ) -> Result<Shape, Problem> {
            text(variant)
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            value: &T,
        ) -> Result<Shape, Problem> {
            value.serialize(self)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
            value: &T,
        ) -> Result<Shape, Problem> {
            Ok(Shape::Entries(vec![(
                variant.to_owned(),
                value.serialize(self)?,
            )]))
        }
        fn serialize_seq(self, len: Option<usize>) -> Result<ListOf, Problem> {
            Ok(ListOf(Vec::with_capacity(len.unwrap_or(0))))
        }
        fn serialize_tuple(self, len: usize) -> Result<ListOf, Problem> {
            self.serialize_seq(Some(len))
        }
        fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<ListOf, Problem> {
            self.serialize_seq(Some(len))
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Problem> {
            Err(Problem::NotACell)
        }
        fn serialize_map(self, len: Option<usize>) -> Result<EntriesOf, Problem> {
            Ok(EntriesOf {
                entries: Vec::with_capacity(len.unwrap_or(0)),
                key: None,
            })
        }
        fn serialize_struct(self, _: &'static str, len: usize) -> Result<EntriesOf, Problem> {
            self.serialize_map(Some(len))
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Problem> {
            Err(Problem::NotACell)
        }
    }

    /// A sequence being shaped.
    struct ListOf(Vec<Shape>);

    impl ser::SerializeSeq for ListOf {
        type Ok = Shape;
        type Error = Problem;
        fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Problem> {
            self.0.push(value.serialize(ShapeOf)?);
            Ok(())
        }
        fn end(self) -> Result<Shape, Problem> {
            Ok(Shape::List(self.0))
        }
    }

    impl ser::SerializeTuple for ListOf {
        type Ok = Shape;
        type Error = Problem;
        fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Problem> {
            ser::SerializeSeq::serialize_element(self, value)
        }
        fn end(self) -> Result<Shape, Problem> {
            ser::SerializeSeq::end(self)
        }
    }

    impl ser::SerializeTupleStruct for ListOf {
        type Ok = Shape;
        type Error = Problem;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Problem> {
            ser::SerializeSeq::serialize_element(self, value)
        }
        fn end(self) -> Result<Shape, Problem> {
            ser::SerializeSeq::end(self)
        }
    }

    /// A map or a struct being shaped; map keys must be text.
    struct EntriesOf {
        entries: Vec<(String, Shape)>,
        key: Option<String>,
    }

    impl ser::SerializeMap for EntriesOf {
        type Ok = Shape;
        type Error = Problem;
        fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Problem> {
            match key.serialize(ShapeOf)? {
                Shape::Text(key) => {
                    self.key = Some(key);
                    Ok(())
                }
                _ => Err(Problem::NotACell),
            }
        }
        fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Problem> {
            let key = self
                .key
                .take()
                .ok_or_else(|| Problem::Message("a map value without a key".to_owned()))?;
            self.entries.push((key, value.serialize(ShapeOf)?));
            Ok(())
        }
        fn end(self) -> Result<Shape, Problem> {
            Ok(Shape::Entries(self.entries))
        }
    }

    impl ser::SerializeStruct for EntriesOf {
        type Ok = Shape;
        type Error = Problem;
        fn serialize_field<T: Serialize + ?Sized>(
            &mut self,
            key: &'static str,
            value: &T,
        ) -> Result<(), Problem> {
            self.entries
                .push((key.to_owned(), value.serialize(ShapeOf)?));
            Ok(())
        }
        fn end(self) -> Result<Shape, Problem> {
            Ok(Shape::Entries(self.entries))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::names::{Problem, Shape};
    use super::*;

    /// Every variant of a unit enum, from serde's own list of its names.
    fn variants<T: DeserializeOwned>() -> Vec<T> {
        let Err(Problem::UnknownVariant(all)) = names::parse_name::<T>("\u{0}") else {
            panic!("not a unit enum");
        };
        all.iter()
            .map(|name| names::parse_name(name).unwrap())
            .collect()
    }

    /// How JSON spells a value: the CSV must spell it the same.
    fn json_name(value: &impl Serialize) -> String {
        let value = serde_json::to_value(value).unwrap();
        let value = value.get("kind").unwrap_or(&value);
        value.as_str().unwrap().to_owned()
    }

    fn id(text: &str) -> Id {
        text.parse().unwrap()
    }

    /// The document's CSV, checked to read back equal.
    fn round_trip(doc: &Document) -> String {
        let text = doc.to_csv().unwrap();
        assert_eq!(&Document::from_csv(&text).unwrap(), doc, "{text}");
        text
    }

    /// A realistic organisation's sheet as `to_csv` writes it, with
    /// corrected and deleted check-ins: its rows, the header first.
    fn sheet_with_history(seed: u64) -> Vec<String> {
        let mut doc = crate::sample::realistic(60, seed);
        let mut n = 0;
        for kr in doc.objectives.iter_mut().flat_map(|o| &mut o.key_results) {
            if kr.check_ins.len() < 2 {
                continue;
            }
            n += 1;
            // Check-ins with ids (which corrections name) and without
            // (corrections name the nearest check-in row above).
            if n % 3 != 0 {
                for (at, check_in) in kr.check_ins.iter_mut().enumerate() {
                    check_in.id = Some(id(&format!("{}#{}", kr.id, at + 1)));
                }
            }
            let before = kr.check_ins[0].value.clone();
            kr.check_ins[0].corrections.push(Correction {
                value: before,
                confidence: None,
                note: Some("was".to_owned()),
                reason: "typo".to_owned(),
                by: Some("ana".to_owned()),
                at: None,
            });
            if n % 2 == 0 {
                let gone = kr.check_ins.remove(1);
                kr.deleted_check_ins.push(DeletedCheckIn {
                    check_in: gone,
                    reason: "twice".to_owned(),
                    by: None,
                    at: None,
                });
            }
        }
        let text = round_trip(&doc);
        assert!(text.contains("\ncorrection,") && text.contains("\ndeletion,"));
        let rows: Vec<String> = text.lines().map(str::to_owned).collect();
        // One record per line, so that rows can be moved as lines.
        assert!(cells(&text, "check-in", "id").len() > 10);
        assert_eq!(
            csv::Reader::from_reader(text.as_bytes()).records().count(),
            rows.len() - 1
        );
        rows
    }

    /// Reading rows as their parents come (the eager reading) gives what
    /// waiting for every parent gives: the same document, or the same
    /// error, whatever the order of the rows. Sheets as written, with a
    /// few rows moved (a reading that starts to wait part of the way), and
    /// shuffled.
    #[test]
    fn reading_eagerly_is_reading_after_every_parent() {
        let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
            cases: 48,
            ..Default::default()
        });
        let moves = proptest::collection::vec((1usize..10_000, 1usize..10_000), 0..6);
        runner
            .run(
                &(0u64..1_000, moves, proptest::bool::weighted(0.2)),
                |(seed, moves, shuffle)| {
                    let mut rows = sheet_with_history(seed);
                    let last = rows.len() - 1;
                    for (a, b) in moves {
                        rows.swap(1 + a % last, 1 + b % last);
                    }
                    if shuffle {
                        // A fixed shuffle of the rows after the header.
                        let tail = &mut rows[1..];
                        let len = tail.len();
                        for i in (1..len).rev() {
                            let j = (seed as usize)
                                .wrapping_mul(2_654_435_761)
                                .wrapping_add(i * 40_503)
                                % (i + 1);
                            tail.swap(i, j);
                        }
                    }
                    let text = rows.join("\n");
                    let eager = read_sheet(&text, true);
                    let waiting = read_sheet(&text, false);
                    proptest::prop_assert_eq!(&eager, &waiting);
                    proptest::prop_assert!(!matches!(waiting, Ok(None)));
                    Ok(())
                },
            )
            .unwrap();
    }

    /// A repeated key result id: every row under it goes to the last, so
    /// the eager reading gives up and the sheet is read again waiting.
    #[test]
    fn a_repeated_id_is_read_as_waiting_reads_it() {
        let sheet = "type,id,parent,title,level,metric,start,target,at,value\n\
                     objective,o,,O,company,,,,,\n\
                     key-result,k,o,First,,numeric,0,50,,\n\
                     check-in,,k,,,,,,2027-01-05,10\n\
                     key-result,k,o,Second,,numeric,0,90,,\n\
                     check-in,,k,,,,,,2027-01-06,20\n";
        assert_eq!(read_sheet(sheet, true), Ok(None));
        let waiting = read_sheet(sheet, false).unwrap().unwrap();
        assert_eq!(Document::from_csv(sheet).unwrap(), waiting);
        assert_eq!(waiting.objectives[0].key_results[0].check_ins.len(), 0);
        assert_eq!(waiting.objectives[0].key_results[1].check_ins.len(), 2);
        // The same for a repeated objective and the links under it.
        let sheet = "type,id,parent,title,level,weight\n\
                     objective,p,,P,company,\n\
                     objective,o,,First,team,\n\
                     link,o,p,,,2\n\
                     objective,o,,Second,team,\n";
        assert_eq!(read_sheet(sheet, true), Ok(None));
        let waiting = read_sheet(sheet, false).unwrap().unwrap();
        assert_eq!(Document::from_csv(sheet).unwrap(), waiting);
        assert_eq!(waiting.objectives[1].aligned_to.len(), 0);
        assert_eq!(waiting.objectives[2].aligned_to.len(), 1);
    }

    /// Too deep or in a loop: the first key result, in the order of the
    /// rows, whose chain of parents passes more than `MAX_DEPTH + 1` key
    /// results is named, whether its depth is walked or taken from its
    /// parent's.
    #[test]
    fn nesting_too_deep_names_the_first_row_too_deep() {
        let head = "type,id,parent,title,level\nobjective,o,,O,team\n";
        let chain = |order: &mut dyn Iterator<Item = usize>| {
            let mut sheet = head.to_owned();
            for i in order {
                let parent = if i == 0 {
                    "o".to_owned()
                } else {
                    format!("k{}", i - 1)
                };
                sheet.push_str(&format!("key-result,k{i},{parent},K,\n"));
            }
            Document::from_csv(&sheet)
        };
        let deepest = crate::MAX_DEPTH + 1;
        // k0 to k(MAX_DEPTH + 1) nest within the limit (k0 counts 0).
        assert!(chain(&mut (0..=deepest)).is_ok());
        let error = chain(&mut (0..=deepest + 3)).unwrap_err();
        // Line 3 holds k0, so k(deepest + 1) is on line deepest + 4.
        assert_eq!(error.line, (deepest + 4) as u64, "{error}");
        assert!(error.message.contains(&format!("\"k{}\"", deepest + 1)));
        // Children before their parents: the first row is the deepest.
        let error = chain(&mut (0..=deepest + 3).rev()).unwrap_err();
        assert_eq!(error.line, 3, "{error}");
        let looped = format!("{head}key-result,a,b,A,\nkey-result,b,a,B,\n");
        let error = Document::from_csv(&looped).unwrap_err();
        assert_eq!(error.line, 3, "{error}");
        assert!(error.message.contains("loop"), "{error}");
    }

    /// Errors found by a reading that starts part of the way (rows waiting
    /// for a parent below them; corrections) name the sheet's own line.
    #[test]
    fn later_readings_name_the_sheets_lines() {
        let head = "type,id,parent,title,level,metric,start,target,at,value,reason\n\
                    objective,o,,O,company,,,,,,\n";
        // The check-in on line 3 waits for `k` on line 4; line 6 is bad.
        let sheet = format!(
            "{head}check-in,,k,,,,,,2027-01-05,10,\n\
             key-result,k,o,K,,numeric,0,90,,,\n\
             check-in,,k,,,,,,2027-01-06,20,\n\
             check-in,,k,,,,,,2027-01-07,lots,\n"
        );
        let error = Document::from_csv(&sheet).unwrap_err();
        assert_eq!((error.line, error.column), (6, Some("value")), "{error}");
        let sheet = format!(
            "{head}check-in,,nowhere,,,,,,2027-01-05,10,\n\
             key-result,k,o,K,,numeric,0,90,,,\n"
        );
        let error = Document::from_csv(&sheet).unwrap_err();
        assert_eq!((error.line, error.column), (3, Some("parent")), "{error}");
        // A correction on line 5 naming a check-in that is not there.
        let sheet = format!(
            "{head}key-result,k,o,K,,numeric,0,90,,,\n\
             check-in,k#1,k,,,,,,2027-01-05,10,\n\
             correction,,k#9,,,,,,,8,typo\n"
        );
        let error = Document::from_csv(&sheet).unwrap_err();
        assert_eq!((error.line, error.column), (5, Some("parent")), "{error}");
        // A row that breaks the CSV itself, found by the later reading.
        let sheet = format!(
            "{head}check-in,,k,,,,,,2027-01-05,10,\n\
             key-result,k,o,K,,numeric,0,90,,,\n\
             check-in,,k,,,,,,2027-01-06,20\n"
        );
        let error = Document::from_csv(&sheet).unwrap_err();
        assert_eq!(error.line, 5, "{error}");
    }

    /// The `column` cells of the rows of type `kind`.
    fn cells(text: &str, kind: &str, column: &str) -> Vec<String> {
        let at = CSV_COLUMNS.iter().position(|c| *c == column).unwrap();
        csv::Reader::from_reader(text.as_bytes())
            .records()
            .map(Result::unwrap)
            .filter(|record| &record[0] == kind)
            .map(|record| record[at].to_owned())
            .collect()
    }

    /// A document with one objective `o` and one key result `k`.
    fn with_key_result(kr: KeyResult) -> Document {
        let mut objective = Objective::new(id("o"), "O", "company");
        objective.key_results.push(kr);
        let mut doc = Document::default();
        doc.objectives.push(objective);
        doc
    }

    #[test]
    fn every_enum_value_round_trips_under_its_serde_name() {
        let mut checked = 0;
        for alignment in variants::<AlignmentModel>() {
            let doc = Document {
                alignment,
                ..Document::default()
            };
            let text = round_trip(&doc);
            assert_eq!(cells(&text, "set", "value"), [json_name(&alignment)]);
            checked += 1;
        }
        for commitment in variants::<Commitment>() {
            let mut doc = with_key_result(KeyResult::new(id("k"), "K"));
            doc.objectives[0].commitment = commitment;
            let text = round_trip(&doc);
            // The default is written as an empty cell.
            let expected = if commitment == Commitment::default() {
                String::new()
            } else {
                json_name(&commitment)
            };
            assert_eq!(cells(&text, "objective", "commitment"), [expected]);
            checked += 1;
        }
        for status in variants::<InitiativeStatus>() {
            let mut kr = KeyResult::new(id("k"), "K");
            kr.initiatives
                .push(Initiative::new(id("i"), "I").with_status(status));
            let text = round_trip(&with_key_result(kr));
            assert_eq!(cells(&text, "initiative", "status"), [json_name(&status)]);
            checked += 1;
        }
        for level in variants::<RuleLevel>() {
            let mut doc = Document::default();
            doc.lint.rules.insert("OKR105".to_owned(), level);
            let text = round_trip(&doc);
            assert_eq!(cells(&text, "lint", "value"), [json_name(&level)]);
            checked += 1;
        }
        for band in variants::<Band>() {
            let mut doc = Document::default();
            let mut period = Period::new(
                id("q"),
                crate::time::parse_date("2027-01-01").unwrap(),
                crate::time::parse_date("2027-03-31").unwrap(),
            );
            period.closed = Some(Closing {
                grades: vec![Grade::new(id("o"), Progress::ONE, band)],
            });
            doc.periods.push(period);
            let text = round_trip(&doc);
            assert_eq!(cells(&text, "grade", "status"), [json_name(&band)]);
            checked += 1;
        }
        for scale in variants::<ConfidenceScale>() {
            let doc = Document {
                confidence_scale: scale,
                ..Document::default()
            };
            let text = round_trip(&doc);
            let expected: Vec<String> = if scale == ConfidenceScale::default() {
                vec![String::new()]
            } else {
                vec![json_name(&scale)]
            };
            assert_eq!(cells(&text, "set", "confidence_scale"), expected);
            checked += 1;
        }
        for rule in variants::<crate::ObjectiveStatusRule>() {
            let doc = Document {
                status: GapPolicy::default().with_objective_rule(rule),
                ..Document::default()
            };
            let text = round_trip(&doc);
            if rule != crate::ObjectiveStatusRule::default() {
                assert_eq!(cells(&text, "status", "value"), [json_name(&rule)]);
            }
            checked += 1;
        }
        for (name, metric) in metric_kinds() {
            let mut kr = KeyResult::new(id("k"), "K");
            kr.metric = Some(metric.clone());
            let text = round_trip(&with_key_result(kr));
            assert_eq!(cells(&text, "key-result", "metric"), [json_name(metric)]);
            assert_eq!(*name, json_name(metric));
            checked += 1;
        }
        assert_eq!(checked, 3 + 2 + 3 + 4 + 3 + 4 + 2 + 7);
    }

    #[test]
    fn metric_kinds_are_serdes() {
        // serde's list of Metric's kinds: the tag (written first) set to no
        // kind makes serde name them all.
        let Some(Shape::Entries(fields)) = names::shape_of(&metric_kinds()[0].1) else {
            panic!("a metric is written as fields");
        };
        let tag = fields[0].0.as_str();
        let Err(Problem::UnknownVariant(all)) = Metric::deserialize(
            serde::de::value::MapDeserializer::<_, Problem>::new([(tag, "\u{0}")].into_iter()),
        ) else {
            panic!("Metric is an internally tagged enum");
        };
        let mut ours: Vec<&str> = metric_kinds().iter().map(|(n, _)| n.as_str()).collect();
        ours.sort_unstable();
        let mut all = all.to_vec();
        all.sort_unstable();
        assert_eq!(ours, all);
    }

    #[test]
    fn lint_settings_round_trip_under_their_serde_names() {
        let mut doc = Document::default();
        assert!(cells(&round_trip(&doc), "lint", "id").is_empty());
        doc.lint = LintSettings {
            rules: [("OKR105", RuleLevel::Off), ("rules", RuleLevel::Note)]
                .into_iter()
                .map(|(rule, level)| (rule.to_owned(), level))
                .collect(),
            strict_weights: true,
            stale_after_days: 30,
            min_top_objectives: 1,
            max_top_objectives: 9,
            max_key_results: 7,
        };
        let text = round_trip(&doc);
        let mut written = cells(&text, "lint", "id");
        written.sort_unstable();
        let serde_json::Value::Object(json) = serde_json::to_value(&doc.lint).unwrap() else {
            panic!("settings are an object");
        };
        let mut expected: Vec<String> = Vec::new();
        for (field, value) in json {
            match value {
                serde_json::Value::Object(rules) => expected.extend(rules.keys().cloned()),
                _ => expected.push(field),
            }
        }
        expected.sort_unstable();
        assert_eq!(written, expected);
        // A setting back at its default is left out.
        doc.lint.max_key_results = LintSettings::default().max_key_results;
        assert_eq!(
            cells(&round_trip(&doc), "lint", "id").len(),
            written.len() - 1
        );
    }

    #[test]
    fn bad_lint_values_name_the_value() {
        for (sheet, message) in [
            ("lint,stale_after_days,soon", "\"soon\" is not a count"),
            (
                "lint,stale_after_days,99999999999",
                "\"99999999999\" is too large",
            ),
            ("lint,strict_weights,yes", "\"yes\" is not true or false"),
            (
                "lint,OKR105,loud",
                "\"loud\" is not off, note, warning or error",
            ),
        ] {
            let e = Document::from_csv(&format!("type,id,value\n{sheet}\n")).unwrap_err();
            assert_eq!(
                (e.line(), e.column(), e.message()),
                (2, Some("value"), message)
            );
        }
    }

    #[test]
    fn history_of_check_ins_without_ids_or_sharing_one_round_trips() {
        let at = |text: &str| text.parse::<Moment>().unwrap();
        let correction = |n: i64, reason: &str| Correction {
            value: CheckInValue::Number(n.into()),
            confidence: Some(Confidence::clamped(Decimal::new(n, 1))),
            note: Some(format!("was {n}")),
            reason: reason.to_owned(),
            by: None,
            at: None,
        };
        let check_in = |id_: Option<&str>, corrections: Vec<Correction>| {
            let mut check_in = CheckIn::new(at("2027-01-01"), CheckInValue::Number(1.into()));
            check_in.id = id_.map(id);
            check_in.corrections = corrections;
            check_in
        };
        // No id, then two check-ins sharing one (neither loads, but both
        // are documents): each correction goes back to its own check-in.
        let mut kr = KeyResult::new(id("k"), "K");
        kr.metric = Some(Metric::numeric(Decimal::ZERO, Decimal::TEN));
        kr.check_ins = vec![
            check_in(None, vec![correction(0, "a"), correction(5, "b")]),
            check_in(Some("k#1"), vec![correction(2, "c")]),
            check_in(Some("k#1"), vec![correction(3, "d"), correction(4, "e")]),
        ];
        kr.deleted_check_ins = vec![
            DeletedCheckIn {
                check_in: check_in(None, vec![correction(6, "f")]),
                reason: "gone".to_owned(),
                by: Some("ana".to_owned()),
                at: Some(at("2027-01-02T10:00:00Z")),
            },
            DeletedCheckIn {
                check_in: check_in(Some("k#1"), vec![correction(7, "g")]),
                reason: String::new(),
                by: None,
                at: None,
            },
        ];
        let text = round_trip(&with_key_result(kr));
        assert_eq!(
            cells(&text, row_type::CORRECTION, "parent"),
            ["", "", "k#1", "k#1", "k#1", "", "k#1"]
        );
        assert_eq!(
            cells(&text, row_type::CORRECTION, "reason"),
            ["a", "b", "c", "d", "e", "f", "g"]
        );
        assert_eq!(cells(&text, row_type::DELETION, "parent"), ["", "k#1"]);
        assert_eq!(cells(&text, row_type::DELETION, "reason"), ["gone", ""]);
        // Without history, no history rows.
        let text = round_trip(&with_key_result(KeyResult::new(id("k"), "K")));
        for kind in [
            row_type::CORRECTION,
            row_type::DELETED_CHECK_IN,
            row_type::DELETION,
        ] {
            assert!(cells(&text, kind, "type").is_empty());
        }
    }

    #[test]
    fn lists_escape_their_separator() {
        let items = ["a;b", "c\\d", "", "e"];
        let mut text = String::new();
        join(&mut text, &items);
        assert_eq!(text, r"a\;b;c\\d;;e");
        assert_eq!(split(&text), items);
        assert!(split("").is_empty());
    }

    /// Runs of empty cells of every length up to past two runs of commas,
    /// before a cell with text and at the end, as the `csv` crate writes
    /// them.
    #[test]
    fn runs_of_empty_cells_are_the_csv_writers() {
        for n in 0..120 {
            for last in ["", "x"] {
                let mut cells = vec![String::new(); n];
                cells.push(last.to_owned());
                let mut rows = super::Rows { out: String::new() };
                rows.write(cells.iter().map(String::as_str));
                let mut writer = csv::Writer::from_writer(Vec::new());
                writer.write_record(&cells).unwrap();
                let expected = String::from_utf8(writer.into_inner().unwrap()).unwrap();
                assert_eq!(rows.out, expected, "{n} {last:?}");
            }
        }
    }

    /// A cell as the writer set it before rows had one buffer: the value's
    /// `to_string()`, and for a text cell a `'` in front when it needs
    /// one; lists joined by `replace` and `join`.
    #[derive(Debug, Clone)]
    enum Cell {
        Text(String),
        List(Vec<String>),
        Number(Decimal),
        Weight(Weight),
        Progress(Progress),
        Confidence(Confidence),
    }

    impl Cell {
        fn set(&self, row: &mut Row, column: Column) {
            match self {
                Self::Text(text) => row.set(column, text),
                Self::List(items) => row.list(column, items),
                Self::Number(n) => row.number(column, *n),
                Self::Weight(w) => row.number(column, *w),
                Self::Progress(p) => row.number(column, *p),
                Self::Confidence(c) => row.number(column, *c),
            };
        }

        fn old_text(&self) -> String {
            let escaped = |mut text: String| {
                if needs_quote(&text) {
                    text.insert(0, '\'');
                }
                text
            };
            match self {
                Self::Text(text) => escaped(text.clone()),
                Self::List(items) => escaped(
                    items
                        .iter()
                        .map(|s| s.replace('\\', "\\\\").replace(';', "\\;"))
                        .collect::<Vec<_>>()
                        .join(";"),
                ),
                Self::Number(n) => n.to_string(),
                Self::Weight(w) => w.to_string(),
                Self::Progress(p) => p.to_string(),
                Self::Confidence(c) => c.to_string(),
            }
        }
    }

    fn cell_values() -> impl proptest::strategy::Strategy<Value = Cell> {
        use proptest::prelude::*;
        let decimal = (any::<i64>(), 0u32..12).prop_map(|(m, scale)| Decimal::new(m, scale));
        let text = "[-=+@'\t\r;\\\\a-c ]{0,5}|\\PC{0,3}";
        prop_oneof![
            text.prop_map(Cell::Text),
            proptest::collection::vec(text, 0..4).prop_map(Cell::List),
            decimal.clone().prop_map(Cell::Number),
            decimal
                .clone()
                .prop_filter_map("a weight", |d| Weight::new(d).ok())
                .prop_map(Cell::Weight),
            decimal
                .clone()
                .prop_map(|d| Cell::Progress(Progress::clamped(d.abs(), Decimal::from(3)))),
            decimal
                .prop_filter_map("a confidence", |d| Confidence::new(d).ok())
                .prop_map(Cell::Confidence),
        ]
    }

    proptest::proptest! {
        /// A row's cells are what a `String` a cell gave: the same text,
        /// the same `'` in front, the last value set in a column kept.
        #[test]
        fn a_rows_cells_are_each_values_own_text(
            sets in proptest::collection::vec((0..CSV_COLUMNS.len(), cell_values()), 0..24),
        ) {
            let mut row = Row::new("key-result");
            let mut expected: Vec<String> = vec![String::new(); CSV_COLUMNS.len()];
            expected[0] = "key-result".to_owned();
            for (at, cell) in &sets {
                cell.set(&mut row, Column { at: *at, name: CSV_COLUMNS[*at] });
                expected[*at] = cell.old_text();
            }
            let cells: Vec<&str> = row.cells().collect();
            proptest::prop_assert_eq!(&cells, &expected);
            // A row is written from its filled cells as from all of them.
            let mut every = super::Rows { out: String::new() };
            every.write(cells.iter().copied());
            let mut filled = super::Rows { out: String::new() };
            filled.push(row);
            proptest::prop_assert_eq!(filled.out, every.out);
        }
    }

    proptest::proptest! {
        /// `Rows` writes what the `csv` crate's writer writes.
        #[test]
        fn rows_are_the_csv_writers(
            cells in proptest::collection::vec(
                proptest::prop_oneof![
                    3 => proptest::strategy::Just(String::new()),
                    1 => "[a-z,\"\r\n ']{0,6}|\\PC{0,4}",
                ],
                1..60,
            ),
        ) {
            let mut rows = super::Rows { out: String::new() };
            rows.write(cells.iter().map(String::as_str));
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(&cells).unwrap();
            let expected = String::from_utf8(writer.into_inner().unwrap()).unwrap();
            proptest::prop_assert_eq!(rows.out, expected);
        }
    }
}
