//! The `okrs` command line: a quarterly review of an organisation's OKRs.
//!
//! ```text
//! cargo run --example okrs                          # review the built-in sample organisation
//! cargo run --example okrs -- report FILE           # review an okrs/1 document
//! cargo run --example okrs -- check FILE            # validate only
//! cargo run --example okrs -- rollup --json FILE    # every node's progress, status, forecast as JSON
//! ```
//!
//! `report` (with or without a FILE) and `rollup` take `--as-of YYYY-MM-DD`
//! (default: today, in UTC): the set is rolled up as of that date, with the
//! expected progress, status, confidence and forecast of every node whose
//! objective has a period.
//!
//! Exit status: 0 on success, 2 for an invalid document or bad usage (the
//! error on stderr).

use std::fmt::Write as _;
use std::process::ExitCode;

use okrs::{Band, Date, NodeKind, NodeRef, NodeReview, OkrSet, Review, Status};

const USAGE: &str =
    "usage: okrs [report [FILE] | check FILE | rollup --json FILE] [--as-of YYYY-MM-DD]";

enum Command {
    Report(Option<String>),
    Check(String),
    Rollup(String),
}

fn main() -> ExitCode {
    match run() {
        Ok(output) => {
            print!("{output}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("okrs: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<String, String> {
    let (command, as_of) = parse_args().map_err(|e| format!("{e}\n{USAGE}"))?;
    let as_of = match as_of {
        Some(date) => date,
        None => today(),
    };
    match command {
        Command::Report(None) => {
            let set = OkrSet::from_json(okrs::sample::SAMPLE_JSON).map_err(|e| e.to_string())?;
            Ok(report(&set, "the built-in sample organisation", as_of))
        }
        Command::Report(Some(path)) => Ok(report(&load(&path)?, &path, as_of)),
        Command::Check(path) => {
            let set = load(&path)?;
            Ok(format!("{path}: valid, {} nodes\n", set.len()))
        }
        Command::Rollup(path) => rollup_json(&load(&path)?, as_of),
    }
}

fn today() -> Date {
    okrs::Timestamp::now()
        .to_zoned(okrs::jiff::tz::TimeZone::UTC)
        .date()
}

fn parse_args() -> Result<(Command, Option<Date>), lexopt::Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let mut subcommand = None;
    let mut json = false;
    let mut as_of = None;
    let mut file = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Long("json") => json = true,
            Long("as-of") => {
                let text = parser.value()?.string()?;
                let date = text
                    .parse::<okrs::Moment>()
                    .ok()
                    .filter(|m| m.timestamp().is_none())
                    .ok_or_else(|| format!("--as-of {text:?} is not a date like 2027-02-15"))?;
                as_of = Some(date.date());
            }
            Value(value) if subcommand.is_none() => subcommand = Some(value.string()?),
            Value(value) if file.is_none() => file = Some(value.string()?),
            other => return Err(other.unexpected()),
        }
    }
    let command = match (subcommand.as_deref(), file) {
        (None, _) if json => return Err("--json goes with rollup".into()),
        (None, _) => Command::Report(None),
        (Some("report"), file) if !json => Command::Report(file),
        (Some("check"), Some(file)) if !json && as_of.is_none() => Command::Check(file),
        (Some("rollup"), Some(file)) if json => Command::Rollup(file),
        (Some("rollup"), Some(_)) => return Err("rollup prints JSON only: pass --json".into()),
        (Some("report" | "check" | "rollup"), _) => {
            return Err("a FILE is needed, and --json and --as-of only where they apply".into());
        }
        (Some(other), _) => return Err(format!("unknown command {other:?}").into()),
    };
    Ok((command, as_of))
}

fn load(path: &str) -> Result<OkrSet, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    OkrSet::from_json(&text).map_err(|e| format!("{path}: {e}"))
}

fn rollup_json(set: &OkrSet, as_of: Date) -> Result<String, String> {
    #[derive(serde::Serialize)]
    struct Rollup<'a> {
        as_of: Date,
        nodes: Vec<&'a NodeReview>,
    }
    let review = set.review(as_of);
    let document = Rollup {
        as_of,
        nodes: review.iter().collect(),
    };
    let mut out = serde_json::to_string_pretty(&document).map_err(|e| e.to_string())?;
    out.push('\n');
    Ok(out)
}

fn report(set: &OkrSet, source: &str, as_of: Date) -> String {
    let review = set.review(as_of);
    let mut out = String::new();
    let _ = writeln!(out, "OKR review of {source}, as of {as_of}");
    let _ = writeln!(
        out,
        "alignment: {}, grading: {}, levels: {}",
        set.alignment(),
        set.grading(),
        set.levels().iter().collect::<Vec<_>>().join(" > ")
    );
    for period in set.periods() {
        let state = if period.is_closed() {
            "closed"
        } else if as_of < period.start {
            "not started"
        } else if as_of > period.end {
            "ended"
        } else {
            "open"
        };
        let _ = writeln!(
            out,
            "period {}: {} to {}, {state}",
            period.id, period.start, period.end
        );
    }
    let _ = writeln!(
        out,
        "\ncolumns: progress as of {as_of}, band | status, expected progress, forecast at the period's end and its band, confidence\n"
    );
    let mut bands = [0usize; 3];
    let mut statuses: Vec<(Status, usize)> = Vec::new();
    for level in set.levels().iter() {
        let objectives: Vec<NodeRef<'_>> = set
            .objectives()
            .filter(|o| o.level() == Some(level))
            .collect();
        if objectives.is_empty() {
            continue;
        }
        let _ = writeln!(out, "== {level} ==");
        for objective in objectives {
            let Some(reviewed) = review.get(objective.id().as_str()) else {
                continue;
            };
            let slot = match reviewed.band {
                Band::Red => 0,
                Band::Yellow => 1,
                Band::Green => 2,
            };
            if let Some(count) = bands.get_mut(slot) {
                *count += 1;
            }
            if let Some(status) = reviewed.status {
                match statuses.iter_mut().find(|(s, _)| *s == status) {
                    Some((_, count)) => *count += 1,
                    None => statuses.push((status, 1)),
                }
            }
            let _ = writeln!(out, "{}", line(&objective, &review, 0));
            let owners = if objective.owners().is_empty() {
                "no owner".to_owned()
            } else {
                objective.owners().join(", ")
            };
            let period = objective
                .period()
                .map(|p| format!(", period {}", p.id))
                .unwrap_or_default();
            let _ = writeln!(out, "      owner: {owners}{period}");
            if let Some(grade) = objective.frozen_grade() {
                let _ = writeln!(
                    out,
                    "      closed at {} ({})",
                    fixed(grade.progress.value()),
                    grade.band
                );
            }
            match objective.carried() {
                (Some(from), _) => {
                    let _ = writeln!(out, "      carried forward from {from}");
                }
                (_, Some(to)) => {
                    let _ = writeln!(out, "      carried forward to {to}");
                }
                _ => {}
            }
            for (target, weight, contributes) in objective.aligned_to() {
                let how = if contributes {
                    "contributes to"
                } else {
                    "supports"
                };
                let _ = writeln!(out, "      {how} {} (weight {weight})", target.id());
            }
            write_key_results(&mut out, &objective, &review, 1);
            out.push('\n');
        }
    }
    let [red, yellow, green] = bands;
    let _ = writeln!(out, "objectives: {green} green, {yellow} yellow, {red} red");
    if !statuses.is_empty() {
        let parts: Vec<String> = statuses
            .iter()
            .map(|(status, count)| format!("{count} {status}"))
            .collect();
        let _ = writeln!(out, "status: {}", parts.join(", "));
    }
    for mismatch in set.period_mismatches() {
        let _ = writeln!(
            out,
            "note: {} ({}) aligns to {} ({}), whose period does not contain its own",
            mismatch.objective, mismatch.period, mismatch.parent, mismatch.parent_period
        );
    }
    out
}

fn write_key_results(out: &mut String, parent: &NodeRef<'_>, review: &Review, depth: usize) {
    for kr in parent.key_results() {
        let _ = writeln!(out, "{}", line(&kr, review, depth));
        write_key_results(out, &kr, review, depth + 1);
    }
}

fn line(node: &NodeRef<'_>, review: &Review, depth: usize) -> String {
    let Some(reviewed) = review.get(node.id().as_str()) else {
        return String::new();
    };
    let progress = reviewed.progress.value();
    let filled = (progress * okrs::Decimal::from(10))
        .round()
        .to_string()
        .parse::<usize>()
        .unwrap_or(0)
        .min(10);
    let bar = format!("{}{}", "#".repeat(filled), ".".repeat(10 - filled));
    let marker = match node.kind() {
        NodeKind::Objective => "O ",
        _ => "KR",
    };
    let indent = "  ".repeat(depth);
    let mut title = format!("{indent}{marker} {}", node.title());
    if title.chars().count() > 60 {
        title = title.chars().take(59).collect::<String>() + "…";
    }
    let mut text = format!(
        "{title:<60} [{bar}] {} {:<6}",
        fixed(progress),
        reviewed.band
    );
    if let Some(status) = reviewed.status {
        let _ = write!(text, " | {status:<11}");
    }
    if let Some(expected) = reviewed.expected {
        let _ = write!(text, " exp {}", fixed(expected.value()));
    }
    if let (Some(forecast), Some(band)) = (reviewed.forecast, reviewed.forecast_band) {
        let _ = write!(text, "  fc {} {band:<6}", fixed(forecast.value()));
    }
    if let Some(confidence) = reviewed.confidence {
        let _ = write!(
            text,
            "  conf {} {}",
            fixed(confidence.value()),
            confidence.level()
        );
    }
    text.trim_end().to_owned()
}

/// Two decimal places, rounded half away from zero.
fn fixed(value: okrs::Decimal) -> String {
    let rounded =
        value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    format!("{rounded:.2}")
}
