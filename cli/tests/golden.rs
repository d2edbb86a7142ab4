//! Every output of the `okrs` binary on one seeded realistic organisation,
//! compared byte for byte with the files under `tests/golden/`, written by
//! the binary before the speed work of issue 17 (commit `8d295bb`). Making
//! a command faster must not change a byte of what it prints.
//!
//! A change meant to alter an output (and called out in the CHANGELOG)
//! rewrites them: `OKRS_BLESS=1 cargo test -p okrs-cli --test golden`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

const AS_OF: &str = "2027-02-20";

/// The commands compared, as a golden file's name and the arguments after
/// the binary (`{json}`, `{csv}` stand for the organisation's files).
const COMMANDS: [(&str, &[&str]); 15] = [
    ("check.txt", &["check", "{json}"]),
    (
        "rollup.json",
        &["rollup", "--json", "{json}", "--as-of", AS_OF],
    ),
    ("report.txt", &["report", "{json}", "--as-of", AS_OF]),
    ("lint.txt", &["lint", "{json}", "--as-of", AS_OF]),
    ("lint.json", &["lint", "--json", "{json}", "--as-of", AS_OF]),
    ("export.csv", &["export", "--to", "csv", "{json}"]),
    ("export.dot", &["export", "--to", "dot", "{json}"]),
    ("export.mmd", &["export", "--to", "mermaid", "{json}"]),
    (
        "export.md",
        &["export", "--to", "markdown", "{json}", "--as-of", AS_OF],
    ),
    ("import.json", &["import", "--from", "csv", "{csv}"]),
    ("impact-objective.txt", &["impact", "{json}", "co0"]),
    ("impact-key-result.txt", &["impact", "{json}", "co0k1"]),
    ("apply.json", &["apply", "{json}", "{edits}"]),
    (
        "apply-changes.jsonl",
        &["apply", "{json}", "{edits}", "--changes"],
    ),
    (
        "report-viewer.txt",
        &["report", "{json}", "--as-of", AS_OF, "--viewer", "c-lead"],
    ),
];

/// A few edits of every family, for `apply`.
const EDITS: &str = r#"{"op":"record-check-in","key_result":"co1k0","check_in":{"at":"2027-02-01","value":"120"}}
{"op":"set-title","id":"co1","title":"Objective 1, renamed"}
{"op":"set-weight","id":"co0k1","weight":"2"}
"#;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

#[test]
fn every_output_is_byte_identical_to_the_golden_files() {
    let dir = std::env::temp_dir().join(format!("okrs-golden-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let document = okrs::sample::realistic(400, 7);
    let json = dir.join("org.json");
    let csv = dir.join("org.csv");
    let edits = dir.join("edits.jsonl");
    std::fs::write(&json, document.to_json().unwrap()).unwrap();
    std::fs::write(&csv, document.to_csv().unwrap()).unwrap();
    std::fs::write(&edits, EDITS).unwrap();
    let bless = std::env::var_os("OKRS_BLESS").is_some();
    let mut differ = Vec::new();
    for (name, template) in COMMANDS {
        let args: Vec<String> = template
            .iter()
            .map(|a| match *a {
                "{json}" => json.display().to_string(),
                "{csv}" => csv.display().to_string(),
                "{edits}" => edits.display().to_string(),
                other => other.to_owned(),
            })
            .collect();
        let out = Command::new(env!("CARGO_BIN_EXE_okrs"))
            .args(&args)
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "okrs {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Paths differ per run: the golden files hold a placeholder.
        let text = String::from_utf8(out.stdout)
            .unwrap()
            .replace(&json.display().to_string(), "ORG.json")
            .replace(&csv.display().to_string(), "ORG.csv");
        let path = golden_dir().join(name);
        if bless {
            std::fs::create_dir_all(golden_dir()).unwrap();
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (OKRS_BLESS=1 writes it)", path.display()));
        if text != expected {
            let line = text
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .map_or_else(|| "the length".to_owned(), |n| format!("line {}", n + 1));
            differ.push(format!("{name} differs at {line}"));
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(differ.is_empty(), "{differ:#?}");
}
