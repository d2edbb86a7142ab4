//! The Markdown report.

use std::fmt::Write as _;

use super::rounded;
use crate::{Date, NodeKind, NodeReview, OkrSet};

impl OkrSet {
    /// A Markdown report as of a date: a summary, a table of objectives and
    /// one of key results (progress, band, status, expected progress,
    /// forecast, confidence — two places, half away from zero, as in every
    /// rendering: `0.50`), and the health-check findings. O(V + E).
    ///
    /// # Example
    /// ```
    /// use okrs::{Date, OkrSet};
    /// let set = OkrSet::from_document(okrs::sample::document())?;
    /// let report = set.to_markdown(Date::new(2026, 11, 23)?);
    /// assert!(report.contains("| Grow the BizOps team |"));
    /// assert!(report.contains("## Findings"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn to_markdown(&self, as_of: Date) -> String {
        let review = self.review(as_of);
        let findings = self.lint(as_of);
        let mut out = format!("# OKR report as of {as_of}\n\n");
        let objectives: Vec<&NodeReview> = review
            .iter()
            .filter(|n| n.kind == NodeKind::Objective)
            .collect();
        let coverage = self.alignment_coverage().overall;
        let _ = writeln!(
            out,
            "{} objectives and {} key results; alignment model {}, strategy {}; {} of the objectives below the top level are aligned.\n",
            objectives.len(),
            review.len() - objectives.len(),
            self.alignment(),
            self.strategy(),
            coverage,
        );
        out.push_str("## Objectives\n\n");
        out.push_str("| Objective | Id | Level | Owners | Period | Progress | Band | Status | Expected | Forecast | Confidence |\n");
        out.push_str("|---|---|---|---|---|---:|---|---|---:|---:|---:|\n");
        for reviewed in &objectives {
            let Some(node) = self.node(reviewed.id.as_str()) else {
                continue;
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(node.title()),
                code(node.id().as_str()),
                cell(node.level().unwrap_or_default()),
                cell(&node.owners().join(", ")),
                cell(node.period().map(|p| p.id.as_str()).unwrap_or("")),
                columns(reviewed),
            );
        }
        out.push_str("\n## Key results\n\n");
        out.push_str("| Key result | Id | Objective | Owners | Progress | Band | Status | Expected | Forecast | Confidence |\n");
        out.push_str("|---|---|---|---|---:|---|---|---:|---:|---:|\n");
        for reviewed in review.iter().filter(|n| n.kind == NodeKind::KeyResult) {
            let Some(node) = self.node(reviewed.id.as_str()) else {
                continue;
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                cell(node.title()),
                code(node.id().as_str()),
                code(node.objective().id().as_str()),
                cell(&node.owners().join(", ")),
                columns(reviewed),
            );
        }
        out.push_str("\n## Findings\n\n");
        if findings.is_empty() {
            out.push_str("No findings.\n");
        } else {
            out.push_str("| Severity | Code | Rule | Finding |\n|---|---|---|---|\n");
            for finding in &findings {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    finding.severity,
                    finding.code,
                    finding.rule,
                    cell(&finding.message)
                );
            }
        }
        out
    }
}

/// Progress, band, status, expected, forecast and confidence cells.
fn columns(node: &NodeReview) -> String {
    format!(
        "{} | {} | {} | {} | {} | {}",
        rounded(node.progress.value()),
        node.band,
        node.status.map(|s| s.to_string()).unwrap_or_default(),
        node.expected
            .map(|e| rounded(e.value()))
            .unwrap_or_default(),
        node.forecast
            .map(|f| rounded(f.value()))
            .unwrap_or_default(),
        node.confidence
            .map(|c| format!("{} ({})", rounded(c.value()), c.level()))
            .unwrap_or_default(),
    )
}

/// A table cell: one line, with backslashes, pipes and HTML escaped.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('&', "&amp;")
        .replace('<', "&lt;")
}

/// An id as inline code, fenced by more backticks than it holds in a row.
fn code(id: &str) -> String {
    let id = cell(id);
    let mut longest = 0;
    let mut run = 0;
    for c in id.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if longest > 0 {
        format!("{fence} {id} {fence}")
    } else {
        format!("{fence}{id}{fence}")
    }
}
