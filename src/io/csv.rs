//! CSV: a whole document as spreadsheet rows, one record per row, typed by
//! its `type` column.

use std::collections::HashMap;
use std::fmt;

use rust_decimal::Decimal;

use crate::{
    AlignmentModel, CheckIn, CheckInValue, Closing, Commitment, Confidence, Date, Document, Grade,
    Id, Initiative, InitiativeStatus, KeyResult, Levels, Link, Metric, Milestone, Moment,
    Objective, Period, Phase, Progress, RuleLevel, Weight, parse_decimal,
};

/// The columns, in the order [`Document::to_csv`] writes them. Reading
/// accepts them in any order and leaves out any but `type`.
pub const CSV_COLUMNS: [&str; 28] = [
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
];

/// A CSV text that is not a valid document: where (line, column) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    line: u64,
    column: Option<&'static str>,
    message: String,
}

impl CsvError {
    /// The 1-based line of the offending record, 0 when unknown.
    #[must_use]
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The offending column, when one is to blame.
    #[must_use]
    pub fn column(&self) -> Option<&str> {
        self.column
    }

    /// What was wrong.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid csv")?;
        if self.line > 0 {
            write!(f, " at line {}", self.line)?;
        }
        if let Some(column) = self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for CsvError {}

fn column_index(name: &str) -> usize {
    CSV_COLUMNS
        .iter()
        .position(|c| *c == name)
        .unwrap_or(usize::MAX)
}

/// One row being written.
struct Row(Vec<String>);

impl Row {
    fn new(kind: &str) -> Self {
        let mut row = Self(vec![String::new(); CSV_COLUMNS.len()]);
        row.set("type", kind);
        row
    }

    fn set(&mut self, column: &str, value: impl fmt::Display) -> &mut Self {
        if let Some(cell) = self.0.get_mut(column_index(column)) {
            *cell = value.to_string();
        }
        self
    }

    fn set_opt(&mut self, column: &str, value: Option<impl fmt::Display>) -> &mut Self {
        if let Some(value) = value {
            self.set(column, value);
        }
        self
    }
}

/// Joins list items with `;`, escaping `;` and `\` with a backslash.
fn join(items: &[impl AsRef<str>]) -> String {
    let escaped: Vec<String> = items
        .iter()
        .map(|s| s.as_ref().replace('\\', "\\\\").replace(';', "\\;"))
        .collect();
    escaped.join(";")
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
    /// grade, objective, link, key result, milestone, check-in, phase and
    /// initiative, under the header [`CSV_COLUMNS`]. Lists (owners, levels,
    /// milestone titles) are joined with `;`, escaped with `\`. Reading the
    /// text back with [`Document::from_csv`] gives an equal document.
    /// O(size of the document).
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
        let mut rows = Vec::new();
        let mut set = Row::new("set");
        set.set("value", self.alignment)
            .set("grading", &self.strategy)
            .set("level", join(&self.levels.iter().collect::<Vec<_>>()))
            .set("target", self.progress_cap);
        rows.push(set);
        for (name, value) in lint_rows(self) {
            let mut row = Row::new("lint");
            row.set("id", name).set("value", value);
            rows.push(row);
        }
        for period in &self.periods {
            let mut row = Row::new("period");
            row.set("id", &period.id)
                .set("start", period.start)
                .set("end", period.end)
                .set_opt("within", period.within.as_ref());
            rows.push(row);
            if let Some(closure) = &period.closed {
                if closure.grades.is_empty() {
                    let mut row = Row::new("closed");
                    row.set("parent", &period.id);
                    rows.push(row);
                }
                for grade in &closure.grades {
                    let mut row = Row::new("grade");
                    row.set("id", &grade.id)
                        .set("parent", &period.id)
                        .set("current", grade.progress)
                        .set("status", grade.band);
                    rows.push(row);
                }
            }
        }
        for objective in &self.objectives {
            let mut row = Row::new("objective");
            row.set("id", &objective.id)
                .set("title", &objective.title)
                .set("level", &objective.level)
                .set("owners", join(&objective.owners))
                .set_opt("period", objective.period.as_ref())
                .set_opt("grading", objective.strategy.as_ref())
                .set_opt("description", objective.description.as_ref())
                .set_opt("carried_from", objective.carried_from.as_ref())
                .set_opt("carried_to", objective.carried_to.as_ref());
            if objective.commitment == Commitment::Committed {
                row.set("commitment", "committed");
            }
            rows.push(row);
            for link in &objective.aligned_to {
                let mut row = Row::new("link");
                row.set("id", &objective.id)
                    .set("parent", &link.id)
                    .set("weight", link.weight)
                    .set_opt("contributes", link.contributes);
                rows.push(row);
            }
            let mut stack: Vec<(&KeyResult, &Id)> = objective
                .key_results
                .iter()
                .rev()
                .map(|kr| (kr, &objective.id))
                .collect();
            while let Some((kr, parent)) = stack.pop() {
                key_result_rows(kr, parent, &mut rows);
                stack.extend(kr.key_results.iter().rev().map(|sub| (sub, &kr.id)));
            }
        }
        let mut writer = csv::Writer::from_writer(Vec::new());
        let error = |e: csv::Error| CsvError {
            line: 0,
            column: None,
            message: e.to_string(),
        };
        writer.write_record(CSV_COLUMNS).map_err(error)?;
        for row in rows {
            writer.write_record(&row.0).map_err(error)?;
        }
        let bytes = writer.into_inner().map_err(|e| CsvError {
            line: 0,
            column: None,
            message: e.to_string(),
        })?;
        String::from_utf8(bytes).map_err(|e| CsvError {
            line: 0,
            column: None,
            message: e.to_string(),
        })
    }
}

fn lint_rows(document: &Document) -> Vec<(String, String)> {
    let lint = &document.lint;
    let defaults = crate::LintSettings::default();
    let mut rows = Vec::new();
    if lint.strict_weights {
        rows.push(("strict_weights".to_owned(), "true".to_owned()));
    }
    for (name, value, default) in [
        (
            "stale_after_days",
            lint.stale_after_days as usize,
            defaults.stale_after_days as usize,
        ),
        (
            "min_top_objectives",
            lint.min_top_objectives,
            defaults.min_top_objectives,
        ),
        (
            "max_top_objectives",
            lint.max_top_objectives,
            defaults.max_top_objectives,
        ),
        (
            "max_key_results",
            lint.max_key_results,
            defaults.max_key_results,
        ),
    ] {
        if value != default {
            rows.push((name.to_owned(), value.to_string()));
        }
    }
    for (rule, level) in &lint.rules {
        let level = match level {
            RuleLevel::Off => "off",
            RuleLevel::Note => "note",
            RuleLevel::Warning => "warning",
            RuleLevel::Error => "error",
        };
        rows.push((rule.clone(), level.to_owned()));
    }
    rows
}

fn key_result_rows(kr: &KeyResult, parent: &Id, rows: &mut Vec<Row>) {
    let mut row = Row::new("key-result");
    row.set("id", &kr.id)
        .set("parent", parent)
        .set("title", &kr.title)
        .set("owners", join(&kr.owners))
        .set("weight", kr.weight)
        .set_opt("description", kr.description.as_ref());
    let mut milestones: &[Milestone] = &[];
    if let Some(metric) = &kr.metric {
        row.set("metric", metric.kind());
        match metric {
            Metric::Numeric {
                start,
                target,
                current,
                unit,
            } => {
                row.set("start", start)
                    .set("target", target)
                    .set_opt("current", current.as_ref())
                    .set_opt("unit", unit.as_ref());
            }
            Metric::Binary { done } => {
                row.set("done", done);
            }
            Metric::Milestones { milestones: list } => milestones = list,
            Metric::AtLeast { threshold, current } | Metric::AtMost { threshold, current } => {
                row.set("target", threshold)
                    .set_opt("current", current.as_ref());
            }
            Metric::Range { low, high, current } => {
                row.set("start", low)
                    .set("target", high)
                    .set_opt("current", current.as_ref());
            }
            Metric::Manual { progress } => {
                row.set("current", progress);
            }
        }
    }
    rows.push(row);
    for milestone in milestones {
        let mut row = Row::new("milestone");
        row.set("parent", &kr.id)
            .set("title", &milestone.title)
            .set("weight", milestone.weight)
            .set("done", milestone.done);
        rows.push(row);
    }
    for check_in in &kr.check_ins {
        let value = match &check_in.value {
            CheckInValue::Number(n) => n.to_string(),
            CheckInValue::Done(done) => done.to_string(),
            CheckInValue::Milestones(titles) => join(titles),
        };
        let mut row = Row::new("check-in");
        row.set("parent", &kr.id)
            .set("at", check_in.at)
            .set("value", value)
            .set_opt("confidence", check_in.confidence)
            .set_opt("note", check_in.note.as_ref())
            .set_opt("by", check_in.by.as_ref());
        rows.push(row);
    }
    for phase in &kr.phases {
        let mut row = Row::new("phase");
        row.set("parent", &kr.id)
            .set("at", phase.at)
            .set("target", phase.target);
        rows.push(row);
    }
    for initiative in &kr.initiatives {
        let status = match initiative.status {
            InitiativeStatus::Todo => "todo",
            InitiativeStatus::Doing => "doing",
            InitiativeStatus::Done => "done",
        };
        let mut row = Row::new("initiative");
        row.set("id", &initiative.id)
            .set("parent", &kr.id)
            .set("title", &initiative.title)
            .set("owners", join(&initiative.owners))
            .set("status", status);
        rows.push(row);
    }
}

/// A record being read, with its line for errors.
struct Record<'a> {
    record: &'a csv::StringRecord,
    columns: &'a HashMap<&'static str, usize>,
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

    fn get(&self, column: &'static str) -> &str {
        self.columns
            .get(column)
            .and_then(|&i| self.record.get(i))
            .unwrap_or("")
    }

    fn opt(&self, column: &'static str) -> Option<String> {
        let value = self.get(column);
        (!value.is_empty()).then(|| value.to_owned())
    }

    fn required(&self, column: &'static str) -> Result<&str, CsvError> {
        let value = self.get(column);
        if value.is_empty() {
            Err(self.error(Some(column), "a value is needed"))
        } else {
            Ok(value)
        }
    }

    fn id(&self, column: &'static str) -> Result<Id, CsvError> {
        self.required(column)?
            .parse()
            .map_err(|e: crate::IdError| self.error(Some(column), e.to_string()))
    }

    fn opt_id(&self, column: &'static str) -> Result<Option<Id>, CsvError> {
        match self.opt(column) {
            Some(_) => self.id(column).map(Some),
            None => Ok(None),
        }
    }

    fn decimal(&self, column: &'static str) -> Result<Decimal, CsvError> {
        parse_decimal(self.required(column)?).map_err(|e| self.error(Some(column), e.to_string()))
    }

    fn opt_decimal(&self, column: &'static str) -> Result<Option<Decimal>, CsvError> {
        match self.opt(column) {
            Some(_) => self.decimal(column).map(Some),
            None => Ok(None),
        }
    }

    fn weight(&self) -> Result<Weight, CsvError> {
        match self.opt("weight") {
            None => Ok(Weight::ONE),
            Some(text) => text
                .parse()
                .map_err(|e: crate::WeightError| self.error(Some("weight"), e.to_string())),
        }
    }

    fn bool(&self, column: &'static str) -> Result<Option<bool>, CsvError> {
        match self.get(column) {
            "" => Ok(None),
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            other => Err(self.error(Some(column), format!("{other:?} is not true or false"))),
        }
    }

    fn date(&self, column: &'static str) -> Result<Date, CsvError> {
        let text = self.required(column)?;
        crate::time::parse_date(text).ok_or_else(|| {
            self.error(
                Some(column),
                format!("{text:?} is not a date like 2027-01-31"),
            )
        })
    }
}

/// A key result being assembled, with where it goes.
struct PendingKr {
    kr: KeyResult,
    parent: Id,
    kind: Option<String>,
    milestones: Vec<Milestone>,
    line: u64,
}

impl Document {
    /// Reads a document from CSV rows as [`Document::to_csv`] writes them
    /// (columns in any order; all but `type` optional). Rows may come in any
    /// order, except that a key result's children are kept in the order
    /// they appear.
    ///
    /// # Errors
    /// [`CsvError`] naming the line and column: an unknown row type or
    /// column value, a missing id, a parent that is not there, key results
    /// nested in a loop or deeper than [`MAX_DEPTH`](crate::MAX_DEPTH).
    /// Complexity: O(rows log rows).
    pub fn from_csv(text: &str) -> Result<Self, CsvError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| csv_error(&e))?.clone();
        let mut columns: HashMap<&'static str, usize> = HashMap::new();
        for (i, header) in headers.iter().enumerate() {
            let Some(&known) = CSV_COLUMNS.iter().find(|c| **c == header) else {
                return Err(CsvError {
                    line: 1,
                    column: None,
                    message: format!("unknown column {header:?}"),
                });
            };
            columns.insert(known, i);
        }
        if !columns.contains_key("type") {
            return Err(CsvError {
                line: 1,
                column: Some("type"),
                message: "the header needs a type column".to_owned(),
            });
        }
        let mut document = Self::default();
        let mut objectives: Vec<Objective> = Vec::new();
        let mut objective_at: HashMap<Id, usize> = HashMap::new();
        let mut krs: Vec<PendingKr> = Vec::new();
        let mut kr_at: HashMap<Id, usize> = HashMap::new();
        let mut later: Vec<(csv::StringRecord, u64)> = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(&e))?;
            let line = record.position().map_or(0, csv::Position::line);
            let row = Record {
                record: &record,
                columns: &columns,
                line,
            };
            match row.get("type") {
                "set" => read_set(&row, &mut document)?,
                "lint" => read_lint(&row, &mut document)?,
                "period" => document.periods.push(Period {
                    id: row.id("id")?,
                    start: row.date("start")?,
                    end: row.date("end")?,
                    within: row.opt_id("within")?,
                    closed: None,
                }),
                "objective" => {
                    let objective = read_objective(&row)?;
                    objective_at.insert(objective.id.clone(), objectives.len());
                    objectives.push(objective);
                }
                "key-result" => {
                    let pending = read_key_result(&row)?;
                    kr_at.insert(pending.kr.id.clone(), krs.len());
                    krs.push(pending);
                }
                "grade" | "closed" | "link" | "milestone" | "check-in" | "phase" | "initiative" => {
                    later.push((record.clone(), line))
                }
                other => {
                    return Err(row.error(Some("type"), format!("unknown row type {other:?}")));
                }
            }
        }
        for (record, line) in &later {
            let row = Record {
                record,
                columns: &columns,
                line: *line,
            };
            match row.get("type") {
                "grade" | "closed" => {
                    let period_id = row.id("parent")?;
                    let period = document
                        .periods
                        .iter_mut()
                        .find(|p| p.id == period_id)
                        .ok_or_else(|| {
                            row.error(
                                Some("parent"),
                                format!("no period {:?}", period_id.as_str()),
                            )
                        })?;
                    let closure = period.closed.get_or_insert_with(Closing::default);
                    if row.get("type") == "grade" {
                        closure.grades.push(Grade {
                            id: row.id("id")?,
                            progress: Progress::new(row.decimal("current")?)
                                .map_err(|e| row.error(Some("current"), e.to_string()))?,
                            band: parse_band(&row)?,
                        });
                    }
                }
                "link" => {
                    let from = row.id("id")?;
                    let objective = objective_at
                        .get(&from)
                        .and_then(|&i| objectives.get_mut(i))
                        .ok_or_else(|| {
                            row.error(Some("id"), format!("no objective {:?}", from.as_str()))
                        })?;
                    objective.aligned_to.push(Link {
                        id: row.id("parent")?,
                        weight: row.weight()?,
                        contributes: row.bool("contributes")?,
                    });
                }
                _ => {
                    let parent = row.id("parent")?;
                    let pending = kr_at
                        .get(&parent)
                        .and_then(|&i| krs.get_mut(i))
                        .ok_or_else(|| {
                            row.error(
                                Some("parent"),
                                format!("no key result {:?}", parent.as_str()),
                            )
                        })?;
                    read_kr_child(&row, pending)?;
                }
            }
        }
        for pending in &mut krs {
            finish_metric(pending)?;
        }
        nest(krs, &kr_at, &mut objectives, &objective_at)?;
        document.objectives = objectives;
        Ok(document)
    }
}

fn csv_error(error: &csv::Error) -> CsvError {
    CsvError {
        line: error.position().map_or(0, csv::Position::line),
        column: None,
        message: error.to_string(),
    }
}

fn read_set(row: &Record<'_>, document: &mut Document) -> Result<(), CsvError> {
    if let Some(alignment) = row.opt("value") {
        document.alignment = match alignment.as_str() {
            "directional" => AlignmentModel::Directional,
            "cascading" => AlignmentModel::Cascading,
            "transparency" => AlignmentModel::Transparency,
            other => {
                return Err(row.error(Some("value"), format!("unknown alignment model {other:?}")));
            }
        };
    }
    if let Some(grading) = row.opt("grading") {
        document.strategy = grading;
    }
    if let Some(levels) = row.opt("level") {
        document.levels =
            Levels::new(split(&levels)).map_err(|e| row.error(Some("level"), e.to_string()))?;
    }
    if let Some(cap) = row.opt_decimal("target")? {
        document.progress_cap = cap;
    }
    Ok(())
}

fn read_lint(row: &Record<'_>, document: &mut Document) -> Result<(), CsvError> {
    let name = row.required("id")?;
    let value = row.required("value")?;
    let number = || -> Result<usize, CsvError> {
        value
            .parse()
            .map_err(|_| row.error(Some("value"), format!("{value:?} is not a count")))
    };
    let lint = &mut document.lint;
    match name {
        "strict_weights" => lint.strict_weights = row.bool("value")?.unwrap_or(false),
        "stale_after_days" => {
            lint.stale_after_days =
                u32::try_from(number()?).map_err(|_| row.error(Some("value"), "too many days"))?;
        }
        "min_top_objectives" => lint.min_top_objectives = number()?,
        "max_top_objectives" => lint.max_top_objectives = number()?,
        "max_key_results" => lint.max_key_results = number()?,
        rule => {
            let level = match value {
                "off" => RuleLevel::Off,
                "note" => RuleLevel::Note,
                "warning" => RuleLevel::Warning,
                "error" => RuleLevel::Error,
                other => {
                    return Err(row.error(
                        Some("value"),
                        format!("{other:?} is not off, note, warning or error"),
                    ));
                }
            };
            lint.rules.insert(rule.to_owned(), level);
        }
    }
    Ok(())
}

fn read_objective(row: &Record<'_>) -> Result<Objective, CsvError> {
    let mut objective = Objective::new(row.id("id")?, row.get("title"), row.get("level"));
    objective.owners = split(row.get("owners"));
    objective.period = row.opt_id("period")?;
    objective.strategy = row.opt("grading");
    objective.description = row.opt("description");
    objective.carried_from = row.opt_id("carried_from")?;
    objective.carried_to = row.opt_id("carried_to")?;
    objective.commitment = match row.get("commitment") {
        "" | "aspirational" => Commitment::Aspirational,
        "committed" => Commitment::Committed,
        other => {
            return Err(row.error(
                Some("commitment"),
                format!("{other:?} is not aspirational or committed"),
            ));
        }
    };
    Ok(objective)
}

fn read_key_result(row: &Record<'_>) -> Result<PendingKr, CsvError> {
    let mut kr = KeyResult::new(row.id("id")?, row.get("title"));
    kr.owners = split(row.get("owners"));
    kr.weight = row.weight()?;
    kr.description = row.opt("description");
    let kind = row.opt("metric");
    kr.metric = match kind.as_deref() {
        None | Some("milestones") => None,
        Some("numeric") => Some(Metric::Numeric {
            start: row.decimal("start")?,
            target: row.decimal("target")?,
            current: row.opt_decimal("current")?,
            unit: row.opt("unit"),
        }),
        Some("binary") => Some(Metric::Binary {
            done: row.bool("done")?.unwrap_or(false),
        }),
        Some("at-least") => Some(Metric::AtLeast {
            threshold: row.decimal("target")?,
            current: row.opt_decimal("current")?,
        }),
        Some("at-most") => Some(Metric::AtMost {
            threshold: row.decimal("target")?,
            current: row.opt_decimal("current")?,
        }),
        Some("range") => Some(Metric::Range {
            low: row.decimal("start")?,
            high: row.decimal("target")?,
            current: row.opt_decimal("current")?,
        }),
        Some("manual") => Some(Metric::Manual {
            progress: row.opt_decimal("current")?.unwrap_or_default(),
        }),
        Some(other) => {
            return Err(row.error(Some("metric"), format!("unknown metric kind {other:?}")));
        }
    };
    Ok(PendingKr {
        kr,
        parent: row.id("parent")?,
        kind,
        milestones: Vec::new(),
        line: row.line,
    })
}

fn read_kr_child(row: &Record<'_>, pending: &mut PendingKr) -> Result<(), CsvError> {
    match row.get("type") {
        "milestone" => pending.milestones.push(Milestone {
            title: row.get("title").to_owned(),
            done: row.bool("done")?.unwrap_or(false),
            weight: row.weight()?,
        }),
        "check-in" => {
            let at: Moment = row
                .required("at")?
                .parse()
                .map_err(|e: crate::MomentError| row.error(Some("at"), e.to_string()))?;
            let text = row.get("value");
            let value = match pending.kind.as_deref() {
                Some("binary") => CheckInValue::Done(
                    row.bool("value")?
                        .ok_or_else(|| row.error(Some("value"), "a value is needed"))?,
                ),
                Some("milestones") => CheckInValue::Milestones(split(text)),
                _ => CheckInValue::Number(row.decimal("value")?),
            };
            let mut check_in = CheckIn::new(at, value);
            if let Some(confidence) = row.opt("confidence") {
                check_in.confidence = Some(
                    confidence
                        .parse::<Confidence>()
                        .map_err(|e| row.error(Some("confidence"), e.to_string()))?,
                );
            }
            check_in.note = row.opt("note");
            check_in.by = row.opt("by");
            pending.kr.check_ins.push(check_in);
        }
        "phase" => pending
            .kr
            .phases
            .push(Phase::new(row.date("at")?, row.decimal("target")?)),
        _ => {
            let mut initiative = Initiative::new(row.id("id")?, row.get("title"));
            initiative.owners = split(row.get("owners"));
            initiative.status = match row.get("status") {
                "" | "todo" => InitiativeStatus::Todo,
                "doing" => InitiativeStatus::Doing,
                "done" => InitiativeStatus::Done,
                other => {
                    return Err(row.error(
                        Some("status"),
                        format!("{other:?} is not todo, doing or done"),
                    ));
                }
            };
            pending.kr.initiatives.push(initiative);
        }
    }
    Ok(())
}

fn finish_metric(pending: &mut PendingKr) -> Result<(), CsvError> {
    if pending.kind.as_deref() == Some("milestones") {
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
/// result is complete when it moves. Iterative: O(K log K).
fn nest(
    krs: Vec<PendingKr>,
    kr_at: &HashMap<Id, usize>,
    objectives: &mut [Objective],
    objective_at: &HashMap<Id, usize>,
) -> Result<(), CsvError> {
    let mut depth = vec![0usize; krs.len()];
    for (i, pending) in krs.iter().enumerate() {
        let mut steps = 0;
        let mut parent = &pending.parent;
        while let Some(&up) = kr_at.get(parent) {
            steps += 1;
            if steps > crate::MAX_DEPTH + 1 {
                return Err(CsvError {
                    line: pending.line,
                    column: Some("parent"),
                    message: format!(
                        "key result {:?} nests in a loop or deeper than {} levels",
                        pending.kr.id.as_str(),
                        crate::MAX_DEPTH
                    ),
                });
            }
            parent = krs.get(up).map_or(parent, |p| &p.parent);
        }
        if !objective_at.contains_key(parent) {
            return Err(CsvError {
                line: pending.line,
                column: Some("parent"),
                message: format!("no objective or key result {:?}", parent.as_str()),
            });
        }
        if let Some(d) = depth.get_mut(i) {
            *d = steps;
        }
    }
    let mut order: Vec<usize> = (0..krs.len()).collect();
    // Deepest first; within a depth, in the order of the rows.
    order.sort_by_key(|&i| (std::cmp::Reverse(depth.get(i).copied().unwrap_or(0)), i));
    let mut slots: Vec<Option<PendingKr>> = krs.into_iter().map(Some).collect();
    for i in order {
        let Some(pending) = slots.get_mut(i).and_then(Option::take) else {
            continue;
        };
        if let Some(&up) = kr_at.get(&pending.parent) {
            if let Some(Some(parent)) = slots.get_mut(up) {
                parent.kr.key_results.push(pending.kr);
            }
        } else if let Some(objective) = objective_at
            .get(&pending.parent)
            .and_then(|&o| objectives.get_mut(o))
        {
            objective.key_results.push(pending.kr);
        }
    }
    Ok(())
}

fn parse_band(row: &Record<'_>) -> Result<crate::Band, CsvError> {
    match row.get("status") {
        "red" => Ok(crate::Band::Red),
        "yellow" => Ok(crate::Band::Yellow),
        "green" => Ok(crate::Band::Green),
        other => Err(row.error(
            Some("status"),
            format!("{other:?} is not red, yellow or green"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_escape_their_separator() {
        let items = ["a;b", "c\\d", "", "e"];
        assert_eq!(split(&join(&items)), items);
        assert!(split("").is_empty());
    }
}
