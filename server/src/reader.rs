//! The one way reads reach the set: every endpoint that returns data about
//! nodes — reviews, a node, coverage, lint, impact, exports, the audit log,
//! the event stream and the changes a write answers with — goes through a
//! [`Reader`] made for the person asking, or through the `visible_*`
//! functions here.
//!
//! **Privacy is not filtered yet.** The engine has no viewer views (issue
//! 16 adds `set.view(&viewer)`); until then every authenticated person
//! reads the whole set, and these functions pass everything through. They
//! exist so that wiring views in is a change to this file alone: build the
//! view in [`Reader::new`] and drop what the view hides in the
//! `visible_*` functions.

use std::sync::Arc;

use okrs::{Date, OkrSet};

use crate::auth::Person;
use crate::events::Event;
use crate::replica::{ReviewRow, ReviewView};
use crate::store::AuditEntry;

/// A person's reading of the set.
pub struct Reader<'a> {
    set: &'a OkrSet,
    #[allow(dead_code)] // read by the views of issue 16
    viewer: &'a Person,
}

/// The formats a set is exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The `okrs/1` document as JSON.
    Json,
    /// The document as spreadsheet rows.
    Csv,
    /// Graphviz DOT.
    Dot,
    /// Mermaid.
    Mermaid,
    /// A Markdown report as of a date.
    Markdown,
}

impl ExportFormat {
    /// The format named in the URL.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "json" => Self::Json,
            "csv" => Self::Csv,
            "dot" => Self::Dot,
            "mermaid" => Self::Mermaid,
            "markdown" => Self::Markdown,
            _ => return None,
        })
    }

    /// Its media type.
    #[must_use]
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Dot => "text/vnd.graphviz; charset=utf-8",
            Self::Mermaid | Self::Markdown => "text/markdown; charset=utf-8",
        }
    }
}

impl<'a> Reader<'a> {
    /// The set as `viewer` may read it.
    #[must_use]
    pub fn new(set: &'a OkrSet, viewer: &'a Person) -> Self {
        Self { set, viewer }
    }

    /// The set read.
    #[must_use]
    pub fn set(&self) -> &'a OkrSet {
        self.set
    }

    /// Whether the viewer may see the node.
    #[must_use]
    pub fn can_see(&self, id: &str) -> bool {
        self.set.contains(id)
    }

    /// A node's model value: the objective, key result or initiative as a
    /// document holds it (check-ins included).
    #[must_use]
    pub fn node_detail(&self, id: &str) -> Option<serde_json::Value> {
        if !self.can_see(id) {
            return None;
        }
        let node = self.set.node(id)?;
        let value = match node.kind() {
            okrs::NodeKind::Objective => serde_json::to_value(node.to_objective()?),
            okrs::NodeKind::KeyResult => serde_json::to_value(node.to_key_result()?),
            _ => serde_json::to_value(node.initiative()?),
        };
        value.ok()
    }

    /// The alignment coverage.
    #[must_use]
    pub fn coverage(&self) -> okrs::AlignmentCoverage {
        self.set.alignment_coverage()
    }

    /// The lint findings as of a date.
    #[must_use]
    pub fn lint(&self, as_of: Date) -> Vec<okrs::Finding> {
        self.set.lint(as_of)
    }

    /// Each key result's share of an objective.
    ///
    /// # Errors
    /// The engine's (unknown node, wrong kind).
    pub fn impact(&self, id: &str) -> Result<Vec<okrs::Impact>, okrs::Error> {
        self.set.impact(id)
    }

    /// The set exported.
    ///
    /// # Errors
    /// A document that cannot be written (not expected).
    pub fn export(&self, format: ExportFormat, as_of: Date) -> Result<String, String> {
        Ok(match format {
            ExportFormat::Json => self
                .set
                .to_document()
                .to_json()
                .map_err(|e| e.to_string())?,
            ExportFormat::Csv => self.set.to_document().to_csv().map_err(|e| e.to_string())?,
            ExportFormat::Dot => self.set.to_dot(),
            ExportFormat::Mermaid => self.set.to_mermaid(),
            ExportFormat::Markdown => self.set.to_markdown(as_of),
        })
    }

    /// The periods.
    #[must_use]
    pub fn periods(&self) -> Vec<okrs::Period> {
        self.set.periods().cloned().collect()
    }
}

/// The rows of a review the viewer may see, in one period (or all).
#[must_use]
pub fn visible_review<'v>(
    view: &'v ReviewView,
    _viewer: &Person,
    period: Option<&str>,
) -> Vec<&'v ReviewRow> {
    view.nodes
        .iter()
        .filter(|row| period.is_none_or(|p| row.period.as_ref().is_some_and(|id| id.as_str() == p)))
        .collect()
}

/// One node's review row, if the viewer may see it.
#[must_use]
pub fn visible_row<'v>(view: &'v ReviewView, _viewer: &Person, id: &str) -> Option<&'v ReviewRow> {
    view.get(id)
}

/// The changes of the viewer's own write, as the viewer may see them (a
/// check-in moves ancestors the viewer may not be allowed to see).
#[must_use]
pub fn visible_changes(changes: okrs::Changes, _viewer: &Person) -> okrs::Changes {
    changes
}

/// An event as the viewer may see it (`None`: not at all).
#[must_use]
pub fn visible_event(event: &Arc<Event>, _viewer: &Person) -> Option<Arc<Event>> {
    Some(event.clone())
}

/// Audit entries the viewer may see.
#[must_use]
pub fn visible_audit(entries: Vec<AuditEntry>, _viewer: &Person) -> Vec<AuditEntry> {
    entries
}
