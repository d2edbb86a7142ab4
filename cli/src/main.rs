//! The `okrs` command line: reviews, health checks, impact, and formats in
//! and out for `okrs/1` documents.
//!
//! ```text
//! okrs                            # review the built-in sample organisation
//! okrs report FILE                # review an okrs/1 document
//! okrs check FILE                 # validate only
//! okrs rollup --json FILE         # every node's progress, status, forecast as JSON
//! okrs lint FILE [--json]         # health checks; exit 1 on an error-level finding
//! okrs impact FILE ID             # what each key result weighs in ID, and what-if
//! okrs export --to FORMAT FILE    # csv, dot, mermaid or markdown, to stdout
//! okrs import --from csv FILE     # a CSV sheet as an okrs/1 JSON document
//! okrs apply DOC EDITS.jsonl [--changes] [--atomic]
//!                                 # apply an edit log; the document after it
//! ```
//!
//! Every command that prints a set (`report`, `check`, `rollup`, `lint`,
//! `impact`, `export`) takes `--viewer ID[,GROUP…]`: it then shows only
//! what that person (in those groups) may see, as `OkrSet::view` does.
//! Beside it, `--view-policy exclude|fold` says what a visible objective
//! that private ones contribute to shows: its progress without them
//! (`exclude`, the default) or its true progress with them folded into
//! one anonymous member titled "hidden" (`fold`, `OkrSet::view_with`).
//!
//! `report`, `rollup`, `lint` and `export` take `--as-of YYYY-MM-DD`
//! (default: today in the document's time zone, `"time_zone"`, UTC unless
//! it names one): the set is rolled up as of the end of that date there,
//! with the expected progress, status, confidence and forecast of every
//! node whose objective has a period.
//!
//! `apply` reads DOC and a JSON-lines log of edits (one edit per line in
//! the edit format, `by` and `at` beside it if known; blank lines are
//! skipped), applies the lines in order and prints the document after
//! them. `--changes` prints instead, for each line, what it changed as one
//! JSON line (`edits` and `moved`, progress as exact decimal strings).
//! `--atomic` applies the whole log as one transaction: all of it or
//! nothing (with `--changes`, one line for the transaction). A line that is
//! not an edit, or an edit the set refuses, is an error naming its line
//! (`EDITS.jsonl:3: [unknown-node] no node has the id "x"`, exit 2); without
//! `--atomic` the document (or the change lines) after the lines before it
//! is printed first, with `--atomic` nothing is.
//!
//! `--timings` (any command) prints on stderr how long reading, loading
//! (parsing, validation, graph, cycle check and roll-up) and one more full
//! roll-up took, and at the end the whole command's time and (on Linux)
//! the process's peak memory.
//!
//! Exit status: 0 on success, 1 when `lint` finds an error-level problem,
//! 2 for an invalid document, a refused edit or bad usage (the error on
//! stderr).

use std::fmt::Write as _;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use okrs::{Date, Document, Envelope, NodeKind, OkrSet, Severity};

const USAGE: &str = "usage: okrs [report [FILE] | check FILE | rollup --json FILE | lint FILE [--json] | impact FILE ID | export --to csv|dot|mermaid|markdown FILE | import --from csv FILE | apply DOC EDITS.jsonl [--changes] [--atomic]] [--as-of YYYY-MM-DD] [--viewer ID[,GROUP…] [--view-policy exclude|fold]] [--timings]";

enum Command {
    Report(Option<String>),
    Check(String),
    Rollup(String),
    Lint {
        file: String,
        json: bool,
    },
    Impact {
        file: String,
        id: String,
    },
    Export {
        file: String,
        to: Format,
    },
    Import(String),
    Apply {
        file: String,
        edits: String,
        changes: bool,
        atomic: bool,
    },
}

#[derive(Clone, Copy)]
enum Format {
    Csv,
    Dot,
    Mermaid,
    Markdown,
}

/// A command that failed: what it printed before failing (on stdout),
/// then the error (on stderr, exit 2).
struct Failure {
    output: String,
    message: String,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Self {
            output: String::new(),
            message,
        }
    }
}

fn main() -> ExitCode {
    let started = Instant::now();
    let code = match run() {
        Ok((output, code)) => {
            write_out(&output);
            ExitCode::from(code)
        }
        Err(Failure { output, message }) => {
            write_out(&output);
            eprintln!("okrs: {message}");
            ExitCode::from(2)
        }
    };
    if TIMINGS.load(Ordering::Relaxed) {
        let _ = std::io::Write::flush(&mut std::io::stdout());
        let peak = peak_memory().map_or_else(String::new, |bytes| {
            format!(", peak memory {:.1} MiB", bytes as f64 / 1_048_576.0)
        });
        eprintln!(
            "okrs: timings: whole command {:.3} ms{peak}",
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    code
}

fn run() -> Result<(String, u8), Failure> {
    let (command, as_of) = parse_args().map_err(|e| format!("{e}\n{USAGE}"))?;
    // Without --as-of: today in the document's time zone.
    let as_of = |set: &OkrSet| as_of.unwrap_or_else(|| set.today());
    let output = match command {
        Command::Report(None) => {
            let set = load_sample()?;
            let out = report(&set, "the built-in sample organisation", as_of(&set));
            exiting(set);
            out
        }
        Command::Report(Some(path)) => {
            let set = load(&path)?;
            let out = report(&set, &path, as_of(&set));
            exiting(set);
            out
        }
        Command::Check(path) => {
            let set = load(&path)?;
            let out = format!("{path}: valid, {} nodes\n", set.len());
            exiting(set);
            out
        }
        Command::Rollup(path) => {
            let set = load(&path)?;
            let out = rollup_json(&set, as_of(&set));
            exiting(set);
            out
        }
        Command::Lint { file, json } => {
            let set = load(&file)?;
            let out = lint(&set, &file, json, as_of(&set))?;
            exiting(set);
            return Ok(out);
        }
        Command::Impact { file, id } => {
            let set = load(&file)?;
            let out = impact(&set, &id)?;
            exiting(set);
            out
        }
        Command::Export { file, to } => {
            let set = load(&file)?;
            let out = match to {
                Format::Csv => set.to_csv().map_err(|e| e.to_string())?,
                Format::Dot => set.to_dot(),
                Format::Mermaid => set.to_mermaid(),
                Format::Markdown => set.to_markdown(as_of(&set)),
            };
            exiting(set);
            out
        }
        Command::Import(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
            let document = Document::from_csv(&text).map_err(|e| format!("{path}: {e}"))?;
            drop(text);
            // Validate before printing: an import that cannot load is
            // refused. The JSON is written first, then the document is
            // built into a set, which takes its strings over rather than
            // copying them: no copy of the document is made, the document
            // is never held beside the set, and the set is never freed
            // (the process ends). At 1M nodes that is 4.0 s against 5.1 s
            // for copying the document into a set, freeing it and then
            // writing, at a lower peak (BENCHMARKS.md, issue 17, eleventh
            // round).
            let mut json = document.to_json().map_err(|e| e.to_string())?;
            json.push('\n');
            // The text grew by doubling; it is held while the set is
            // built, so its unused half would count towards the peak
            // (at 10k nodes, over the bound of twice the set plus the
            // sheet). Giving it back moves no bytes with glibc.
            json.shrink_to_fit();
            let set =
                OkrSet::from_document(document).map_err(|e| format!("{path}: invalid set: {e}"))?;
            exiting(set);
            json
        }
        Command::Apply {
            file,
            edits,
            changes,
            atomic,
        } => apply(load(&file)?, &edits, changes, atomic)?,
    };
    Ok((output, 0))
}

/// Writes the output in one call. A reader that stops early (`okrs report
/// | head`) closes the pipe: that ends the output, it is not a failure
/// (`print!` would panic).
fn write_out(output: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = std::io::Write::write_all(&mut stdout, output.as_bytes())
        .and_then(|()| std::io::Write::flush(&mut stdout));
}

/// Leaves a value for the end of the process: the command prints and
/// exits right after, and the system takes the memory back at once, where
/// dropping a set frees its many small blocks one by one (a tenth of
/// `check`'s time at 100k nodes, BENCHMARKS.md).
fn exiting<T>(value: T) {
    std::mem::forget(value);
}

fn parse_args() -> Result<(Command, Option<Date>), lexopt::Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut positional: Vec<String> = Vec::new();
    let mut json = false;
    let mut as_of = None;
    let mut to = None;
    let mut from = None;
    let mut changes = false;
    let mut atomic = false;
    let mut viewer = None;
    let mut policy = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Long("view-policy") => {
                let text = parser.value()?.string()?;
                policy = Some(
                    okrs::ViewPolicy::ALL
                        .into_iter()
                        .find(|p| p.name() == text)
                        .ok_or_else(|| format!("unknown view policy {text:?}: exclude or fold"))?,
                );
            }
            Long("viewer") => {
                let text = parser.value()?.string()?;
                let mut names = text.split(',').map(str::trim);
                let id = names
                    .next()
                    .filter(|id| !id.is_empty())
                    .ok_or_else(|| format!("--viewer {text:?} names no one: give ID[,GROUP…]"))?;
                viewer = Some(
                    names
                        .filter(|g| !g.is_empty())
                        .fold(okrs::Viewer::new(id), okrs::Viewer::in_group),
                );
            }
            Long("json") => json = true,
            Long("timings") => TIMINGS.store(true, Ordering::Relaxed),
            Long("as-of") => {
                let text = parser.value()?.string()?;
                let date = text
                    .parse::<okrs::Moment>()
                    .ok()
                    .filter(|m| m.timestamp().is_none())
                    .ok_or_else(|| format!("--as-of {text:?} is not a date like 2027-02-15"))?;
                as_of = Some(date.date());
            }
            Long("to") => to = Some(parser.value()?.string()?),
            Long("from") => from = Some(parser.value()?.string()?),
            Long("changes") => changes = true,
            Long("atomic") => atomic = true,
            Value(value) => positional.push(value.string()?),
            other => return Err(other.unexpected()),
        }
    }
    let mut args = positional.into_iter();
    let subcommand = args.next();
    let file = args.next();
    let id = args.next();
    if let Some(extra) = args.next() {
        return Err(format!("unexpected argument {extra:?}").into());
    }
    let only = |allowed: &[&str]| -> Result<(), lexopt::Error> {
        let given = [
            ("--json", json),
            ("--as-of", as_of.is_some()),
            ("--to", to.is_some()),
            ("--from", from.is_some()),
            ("--changes", changes),
            ("--atomic", atomic),
            ("--viewer", viewer.is_some()),
        ];
        match given
            .iter()
            .find(|(name, set)| *set && !allowed.contains(name))
        {
            Some((name, _)) => Err(format!("{name} does not go with this command").into()),
            None => Ok(()),
        }
    };
    let need = |file: Option<String>| file.ok_or_else(|| lexopt::Error::from("a FILE is needed"));
    let no_id = |id: &Option<String>| match id {
        Some(id) => Err(lexopt::Error::from(format!("unexpected argument {id:?}"))),
        None => Ok(()),
    };
    let command = match subcommand.as_deref() {
        None | Some("report") => {
            only(&["--as-of", "--viewer"])?;
            no_id(&id)?;
            Command::Report(file)
        }
        Some("check") => {
            only(&["--viewer"])?;
            no_id(&id)?;
            Command::Check(need(file)?)
        }
        Some("rollup") => {
            only(&["--json", "--as-of", "--viewer"])?;
            no_id(&id)?;
            if !json {
                return Err("rollup prints JSON only: pass --json".into());
            }
            Command::Rollup(need(file)?)
        }
        Some("lint") => {
            only(&["--json", "--as-of", "--viewer"])?;
            no_id(&id)?;
            Command::Lint {
                file: need(file)?,
                json,
            }
        }
        Some("impact") => {
            only(&["--viewer"])?;
            Command::Impact {
                file: need(file)?,
                id: id.ok_or_else(|| {
                    lexopt::Error::from("an objective or key result ID is needed")
                })?,
            }
        }
        Some("export") => {
            only(&["--to", "--as-of", "--viewer"])?;
            if as_of.is_some() && to.as_deref() != Some("markdown") {
                return Err("--as-of goes with --to markdown only".into());
            }
            no_id(&id)?;
            let to = match to.as_deref() {
                Some("csv") => Format::Csv,
                Some("dot") => Format::Dot,
                Some("mermaid") => Format::Mermaid,
                Some("markdown") => Format::Markdown,
                Some(other) => {
                    return Err(
                        format!("unknown format {other:?}: csv, dot, mermaid or markdown").into(),
                    );
                }
                None => return Err("export needs --to csv|dot|mermaid|markdown".into()),
            };
            Command::Export {
                file: need(file)?,
                to,
            }
        }
        Some("import") => {
            only(&["--from"])?;
            no_id(&id)?;
            match from.as_deref() {
                Some("csv") => Command::Import(need(file)?),
                Some(other) => {
                    return Err(format!("unknown format {other:?}: import reads csv").into());
                }
                None => return Err("import needs --from csv".into()),
            }
        }
        Some("apply") => {
            only(&["--changes", "--atomic"])?;
            let (Some(file), Some(edits)) = (file, id) else {
                return Err("apply needs a DOC and an EDITS.jsonl".into());
            };
            Command::Apply {
                file,
                edits,
                changes,
                atomic,
            }
        }
        Some(other) => return Err(format!("unknown command {other:?}").into()),
    };
    if let Some(viewer) = viewer {
        let _ = VIEWER.set((viewer, policy.unwrap_or_default()));
    } else if policy.is_some() {
        return Err("--view-policy goes with --viewer".into());
    }
    Ok((command, as_of))
}

fn lint(set: &OkrSet, source: &str, json: bool, as_of: Date) -> Result<(String, u8), String> {
    let findings = set.lint(as_of);
    let failed = findings.iter().any(|f| f.severity == Severity::Error);
    let mut out = if json {
        okrs::findings_to_json(&findings)
    } else {
        let mut out = String::new();
        for finding in &findings {
            // `{source}: {finding}`, without the formatter: a large
            // organisation has about a finding per node.
            out.push_str(source);
            out.push_str(": ");
            finding.push_to(&mut out);
            out.push('\n');
        }
        out.push_str(&okrs::severity_counts(&findings));
        out
    };
    out.push('\n');
    exiting(findings);
    Ok((out, u8::from(failed)))
}

fn impact(set: &OkrSet, id: &str) -> Result<String, String> {
    let mut out = String::new();
    let contributors = set.impact(id).map_err(|e| e.to_string())?;
    let node = set
        .node(id)
        .ok_or_else(|| format!("no node has the id {id:?}"))?;
    let now = node.progress().unwrap_or_default().value();
    let _ = writeln!(
        out,
        "{} {id:?} stands at {}",
        node.kind(),
        okrs::rounded(now)
    );
    if contributors.is_empty() {
        let _ = writeln!(out, "no measured key result contributes to it");
    } else {
        let _ = writeln!(
            out,
            "{:<40} {:>7} {:>9} {:>9}",
            "key result", "share", "if done", "gain"
        );
        for c in &contributors {
            let _ = writeln!(
                out,
                "{:<40} {:>6}% {:>9} {:>9}",
                c.key_result.as_str(),
                okrs::rounded(c.share * okrs::Decimal::ONE_HUNDRED),
                okrs::rounded(c.after.value()),
                okrs::rounded(c.gain())
            );
        }
    }
    if node.kind() == NodeKind::KeyResult && node.metric().is_some() {
        let top = set.levels().name(0).unwrap_or_default();
        for objective in set.objectives().filter(|o| o.level() == Some(top)) {
            let reach = set
                .impact(objective.id().as_str())
                .map_err(|e| e.to_string())?;
            if let Some(mine) = reach.iter().find(|c| c.key_result.as_str() == id) {
                let _ = writeln!(
                    out,
                    "{id} is {}% of {top} objective {:?}: done, it would move it from {} to {}",
                    okrs::rounded(mine.share * okrs::Decimal::ONE_HUNDRED),
                    objective.id().as_str(),
                    okrs::rounded(mine.before.value()),
                    okrs::rounded(mine.after.value())
                );
            }
        }
    }
    Ok(out)
}

/// `apply`: applies the edit log at `path` to `set`, line by line or (with
/// `atomic`) as one transaction, and prints the document after it or (with
/// `changes`) what each line (or the transaction) changed.
///
/// A bad line fails naming it; without `atomic` the output up to the line
/// before is kept for stdout, with `atomic` there is none.
fn apply(mut set: OkrSet, path: &str, changes: bool, atomic: bool) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    // Line numbers count every line, blank ones included, as editors do.
    let lines = text
        .lines()
        .enumerate()
        .map(|(index, line)| (index + 1, line))
        .filter(|(_, line)| !line.trim().is_empty());
    let mut output = String::new();
    if atomic {
        let mut numbers = Vec::new();
        let mut envelopes = Vec::new();
        for (number, line) in lines {
            envelopes.push(parse_edit(path, number, line)?);
            numbers.push(number);
        }
        match set.apply_all(envelopes.clone()) {
            Ok(transaction) => {
                if changes {
                    output.push_str(&changes_line(&transaction)?);
                }
            }
            Err(error) => {
                // The set is as it was: applying the lines one by one finds
                // the line that fails.
                for (number, envelope) in numbers.into_iter().zip(envelopes) {
                    if let Err(error) = set.apply(envelope) {
                        return Err(
                            format!("{}; nothing applied", refused(path, number, &error)).into(),
                        );
                    }
                }
                return Err(format!(
                    "{path}: [{}] {error} (the edits together); nothing applied",
                    error.code()
                )
                .into());
            }
        }
    } else {
        for (number, line) in lines {
            let applied = parse_edit(path, number, line)
                .and_then(|envelope| set.apply(envelope).map_err(|e| refused(path, number, &e)));
            match applied {
                Ok(applied) if changes => output.push_str(&changes_line(&applied)?),
                Ok(_) => {}
                Err(message) => {
                    if !changes {
                        output = document_json(&set)?;
                    }
                    return Err(Failure { output, message });
                }
            }
        }
    }
    if !changes {
        output = document_json(&set)?;
    }
    Ok(output)
}

/// One line of an edit log as an [`Envelope`], or an error naming the line
/// and column: `EDITS.jsonl:3:12: [parse] …`.
fn parse_edit(path: &str, number: usize, line: &str) -> Result<Envelope, String> {
    serde_json::from_str(line).map_err(|e| {
        let text = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        match text.strip_suffix(&suffix) {
            Some(message) => format!("{path}:{number}:{}: [parse] {message}", e.column()),
            None => format!("{path}:{number}: [parse] {text}"),
        }
    })
}

/// An edit the set refused: `EDITS.jsonl:3: [unknown-node] no node has …`.
fn refused(path: &str, number: usize, error: &okrs::Error) -> String {
    format!("{path}:{number}: [{}] {error}", error.code())
}

/// [`okrs::Changes`] as one JSON line.
fn changes_line(changes: &okrs::Changes) -> Result<String, String> {
    let mut line = serde_json::to_string(changes).map_err(|e| e.to_string())?;
    line.push('\n');
    Ok(line)
}

/// The set's document as pretty JSON, with a final newline.
fn document_json(set: &OkrSet) -> Result<String, String> {
    let mut json = set.to_json().map_err(|e| e.to_string())?;
    json.push('\n');
    Ok(json)
}

/// The `--viewer` given, with its `--view-policy`: every set loaded is
/// then that viewer's view.
static VIEWER: std::sync::OnceLock<(okrs::Viewer, okrs::ViewPolicy)> = std::sync::OnceLock::new();

/// The set as `--viewer` may see it (all of it without one).
fn as_viewed(set: OkrSet) -> Result<OkrSet, String> {
    match VIEWER.get() {
        Some((viewer, policy)) => set
            .view_with(viewer, *policy)
            .map(okrs::View::into_set)
            .map_err(|e| e.to_string()),
        None => Ok(set),
    }
}

/// Whether `--timings` was given: loads then report their times on stderr.
static TIMINGS: AtomicBool = AtomicBool::new(false);

fn load(path: &str) -> Result<OkrSet, String> {
    let started = Instant::now();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let read = started.elapsed();
    let set = as_viewed(OkrSet::from_json(&text).map_err(|e| format!("{path}: {e}"))?)
        .map_err(|e| format!("{path}: {e}"))?;
    report_timings(path, read, started.elapsed() - read, set)
}

fn load_sample() -> Result<OkrSet, String> {
    let started = Instant::now();
    let set = as_viewed(OkrSet::from_json(okrs::sample::SAMPLE_JSON).map_err(|e| e.to_string())?)?;
    report_timings("the sample", Duration::ZERO, started.elapsed(), set)
}

/// The process's peak resident memory in bytes (`VmHWM`; Linux only).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// With `--timings`, prints how long reading, loading (parse, validation,
/// graph, cycle check, roll-up) and one more full roll-up took.
fn report_timings(
    source: &str,
    read: Duration,
    load: Duration,
    mut set: OkrSet,
) -> Result<OkrSet, String> {
    if TIMINGS.load(Ordering::Relaxed) {
        let started = Instant::now();
        set.recompute();
        let rollup = started.elapsed();
        eprintln!(
            "okrs: timings for {source}: read {:.3} ms, load {:.3} ms ({} nodes), full roll-up {:.3} ms",
            read.as_secs_f64() * 1e3,
            load.as_secs_f64() * 1e3,
            set.len(),
            rollup.as_secs_f64() * 1e3
        );
    }
    Ok(set)
}

/// The review as JSON ([`OkrSet::review_json`]), ending in a newline.
fn rollup_json(set: &OkrSet, as_of: Date) -> String {
    let mut out = set.review_json(as_of);
    out.push('\n');
    out
}

/// The review: a heading naming the source, then the library's text
/// rendering ([`OkrSet::to_text`]).
fn report(set: &OkrSet, source: &str, as_of: Date) -> String {
    // The heading goes in front of the text where it lies: moving the
    // text within its own memory costs less than writing it afresh.
    let mut out = set.to_text(as_of);
    out.insert_str(0, &format!("OKR review of {source}, as of {as_of}\n"));
    out
}
