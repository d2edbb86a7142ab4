//! The `okrs` command line: a quarterly review of an organisation's OKRs.
//!
//! ```text
//! cargo run --example okrs                          # review the built-in sample organisation
//! cargo run --example okrs -- report FILE           # review an okrs/1 document
//! cargo run --example okrs -- check FILE            # validate only
//! cargo run --example okrs -- rollup --json FILE    # every node's progress and band as JSON
//! ```
//!
//! Exit status: 0 on success, 2 for an invalid document or bad usage (the
//! error on stderr).

use std::fmt::Write as _;
use std::process::ExitCode;

use okrs::{Band, NodeKind, NodeRef, OkrSet, Progress};

const USAGE: &str = "usage: okrs [report FILE | check FILE | rollup --json FILE]";

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
    match parse_args().map_err(|e| format!("{e}\n{USAGE}"))? {
        Command::Report(None) => {
            let set = OkrSet::from_json(okrs::sample::SAMPLE_JSON).map_err(|e| e.to_string())?;
            Ok(report(&set, "the built-in sample organisation"))
        }
        Command::Report(Some(path)) => Ok(report(&load(&path)?, &path)),
        Command::Check(path) => {
            let set = load(&path)?;
            Ok(format!("{path}: valid, {} nodes\n", set.len()))
        }
        Command::Rollup(path) => rollup_json(&load(&path)?),
    }
}

fn parse_args() -> Result<Command, lexopt::Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let Some(arg) = parser.next()? else {
        return Ok(Command::Report(None));
    };
    let subcommand = match arg {
        Value(value) => value.string()?,
        other => return Err(other.unexpected()),
    };
    let mut json = false;
    let mut file = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Long("json") if subcommand == "rollup" => json = true,
            Value(value) if file.is_none() => file = Some(value.string()?),
            other => return Err(other.unexpected()),
        }
    }
    let file = file.ok_or_else(|| lexopt::Error::from("a FILE is needed"))?;
    match subcommand.as_str() {
        "report" => Ok(Command::Report(Some(file))),
        "check" => Ok(Command::Check(file)),
        "rollup" if json => Ok(Command::Rollup(file)),
        "rollup" => Err("rollup prints JSON only: pass --json".into()),
        other => Err(format!("unknown command {other:?}").into()),
    }
}

fn load(path: &str) -> Result<OkrSet, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    OkrSet::from_json(&text).map_err(|e| format!("{path}: {e}"))
}

fn rollup_json(set: &OkrSet) -> Result<String, String> {
    let nodes: Vec<serde_json::Value> = set
        .nodes()
        .iter()
        .map(|node| {
            serde_json::json!({
                "id": node.id(),
                "kind": node.kind(),
                "progress": node.progress().unwrap_or(Progress::ZERO).to_string(),
                "band": node.band(),
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&serde_json::json!({ "nodes": nodes }))
        .map_err(|e| e.to_string())?;
    out.push('\n');
    Ok(out)
}

fn report(set: &OkrSet, source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "OKR review of {source}");
    let _ = writeln!(
        out,
        "alignment: {}, grading: {}, levels: {}\n",
        set.alignment(),
        set.grading(),
        set.levels().iter().collect::<Vec<_>>().join(" > ")
    );
    let (mut green, mut yellow, mut red) = (0, 0, 0);
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
            match objective.band() {
                Some(Band::Green) => green += 1,
                Some(Band::Yellow) => yellow += 1,
                Some(Band::Red) => red += 1,
                None => {}
            }
            let owners = if objective.owners().is_empty() {
                "no owner".to_owned()
            } else {
                objective.owners().join(", ")
            };
            let _ = writeln!(out, "{}", line(&objective, 0));
            let _ = writeln!(out, "      owner: {owners}");
            for (target, weight, contributes) in objective.aligned_to() {
                let how = if contributes {
                    "contributes to"
                } else {
                    "supports"
                };
                let _ = writeln!(out, "      {how} {} (weight {weight})", target.id());
            }
            write_key_results(&mut out, &objective, 1);
            out.push('\n');
        }
    }
    let _ = writeln!(out, "objectives: {green} green, {yellow} yellow, {red} red");
    out
}

fn write_key_results(out: &mut String, parent: &NodeRef<'_>, depth: usize) {
    for kr in parent.key_results() {
        let _ = writeln!(out, "{}", line(&kr, depth));
        write_key_results(out, &kr, depth + 1);
    }
}

fn line(node: &NodeRef<'_>, depth: usize) -> String {
    let progress = node.progress().unwrap_or(Progress::ZERO).value();
    let shown = progress.round_dp(2);
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
    let title = format!("{indent}{marker} {}", node.title());
    let band = node.band().map(|b| b.to_string()).unwrap_or_default();
    format!("{title:<72} [{bar}] {shown:>5}  {band}")
}
