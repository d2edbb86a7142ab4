//! Findings as JSON, the list `okrs lint --json` prints. [`Finding`]'s
//! `Serialize` gives the shape to any serde format; [`findings_to_json`]
//! writes the same text that `serde_json::to_string_pretty` makes of a
//! list of them, by hand, because a large organisation has about a finding
//! per node and serde_json's pretty printer writes each line's indent a
//! few bytes at a time.

use super::Finding;
use crate::io::push_string;

/// Findings as pretty-printed JSON (two-space indents, no final newline):
/// byte for byte what `serde_json::to_string_pretty(findings)` gives,
/// written without serde. Each finding is an object of its `code`,
/// `rule`, `severity`, `message` and `nodes`. O(total length).
///
/// # Example
/// ```
/// let set = okrs::OkrSet::from_json(okrs::sample::SAMPLE_JSON)?;
/// let findings = set.lint(okrs::Date::new(2026, 11, 23)?);
/// let json = okrs::findings_to_json(&findings);
/// assert!(json.starts_with("[\n  {\n    \"code\": \"OKR"));
/// assert_eq!(json, serde_json::to_string_pretty(&findings)?);
/// assert_eq!(okrs::findings_to_json(&[]), "[]");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn findings_to_json(findings: &[Finding]) -> String {
    // About 250 bytes a finding in a large organisation's lint; pages
    // reserved and never written cost no memory, a reallocation copies
    // everything written so far.
    let mut out = String::with_capacity(2 + findings.len().saturating_mul(320));
    out.push('[');
    for (at, finding) in findings.iter().enumerate() {
        out.push_str(if at == 0 { "\n  {" } else { ",\n  {" });
        push_finding(&mut out, finding);
        out.push_str("\n  }");
    }
    out.push_str(if findings.is_empty() { "]" } else { "\n]" });
    out
}

/// One finding's fields, in `Finding`'s order. Codes, rule and severity
/// names are plain ASCII; messages and ids are escaped.
fn push_finding(out: &mut String, finding: &Finding) {
    out.push_str("\n    \"code\": ");
    push_string(out, finding.code);
    out.push_str(",\n    \"rule\": ");
    push_string(out, finding.rule);
    out.push_str(",\n    \"severity\": \"");
    out.push_str(finding.severity.name());
    out.push_str("\",\n    \"message\": ");
    push_string(out, &finding.message);
    out.push_str(",\n    \"nodes\": [");
    for (at, id) in finding.nodes.iter().enumerate() {
        out.push_str(if at == 0 { "\n      " } else { ",\n      " });
        push_string(out, id.as_str());
    }
    out.push_str(if finding.nodes.is_empty() {
        "]"
    } else {
        "\n    ]"
    });
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::findings_to_json;
    use crate::{Finding, Id, Rule, Severity};

    fn finding(rule: Rule, severity: Severity, message: String, nodes: Vec<Id>) -> Finding {
        Finding {
            code: rule.code(),
            rule: rule.name(),
            severity,
            message,
            nodes,
        }
    }

    proptest! {
        /// Any findings, with any message (quotes, backslashes, control
        /// characters, any script) and any ids, none or several, are
        /// written as serde_json writes them.
        #[test]
        fn findings_are_written_as_serde_json_writes_them(
            findings in proptest::collection::vec(
                (
                    proptest::sample::select(Rule::ALL),
                    proptest::sample::select(vec![Severity::Note, Severity::Warning, Severity::Error]),
                    "\\PC{0,16}|[\\x00-\\x7f]{0,16}|.{0,16}",
                    proptest::collection::vec("[a-z0-9\"\\\\ é-]{1,8}", 0..4),
                ),
                0..5,
            ),
        ) {
            let findings: Vec<Finding> = findings
                .into_iter()
                .map(|(rule, severity, message, nodes)| {
                    let nodes = nodes.iter().map(|id| Id::new(id).unwrap()).collect();
                    finding(rule, severity, message, nodes)
                })
                .collect();
            prop_assert_eq!(
                findings_to_json(&findings),
                serde_json::to_string_pretty(&findings).unwrap()
            );
        }
    }
}
