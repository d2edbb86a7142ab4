//! The built-in sample organisation, from the seeds' examples: the
//! company objective "Make our company a great place to work", the weighted
//! BizOps team objective, the team objective "Improve our NPS score by 20%"
//! and the individual objective "Close 200K in new revenue".
//!
//! It runs through 2026: company objectives for the year `FY2026`, team and
//! individual objectives for `2026-Q4` with weekly check-ins up to
//! mid-November (so a review as of late November shows statuses and
//! forecasts), and a `2026-Q3` already closed, whose unfinished referral
//! objective was carried forward into the fourth quarter.

/// The sample organisation as an `okrs/1` JSON document (cascading).
pub const SAMPLE_JSON: &str = include_str!("sample.json");

/// The sample organisation as a document.
///
/// # Example
/// ```
/// let doc = okrs::sample::document();
/// let set = okrs::OkrSet::from_document(doc)?;
/// assert!(set.contains("grow-bizops"));
/// # Ok::<(), okrs::Error>(())
/// ```
#[cfg(feature = "json")]
#[must_use]
pub fn document() -> crate::Document {
    // The sample is a constant checked by this crate's tests.
    crate::invariant::sure(
        crate::Document::from_json(SAMPLE_JSON).ok(),
        "the sample parses",
    )
}

/// A synthetic organisation for benchmarks and load tests, seeded and
/// deterministic: one company, departments of about 10 teams, teams of
/// about 8 people; every unit and person holds 2–4 objectives of 2–4
/// numeric key results; every objective below the company cascades into an
/// objective of the unit above, and one in ten into a second one.
///
/// Departments are added until the set holds at least `nodes` objectives
/// and key results. O(nodes).
///
/// # Example
/// ```
/// let doc = okrs::sample::synthetic(1_000, 7);
/// let set = okrs::OkrSet::from_document(doc.clone())?;
/// assert!(set.len() >= 1_000);
/// assert_eq!(okrs::sample::synthetic(1_000, 7), doc); // deterministic
/// # Ok::<(), okrs::Error>(())
/// ```
#[must_use]
pub fn synthetic(nodes: usize, seed: u64) -> crate::Document {
    Synthetic::new(seed).build(nodes)
}

struct Synthetic {
    state: u64,
    document: crate::Document,
    nodes: usize,
}

impl Synthetic {
    fn new(seed: u64) -> Self {
        Self {
            // xorshift needs a non-zero state.
            state: seed ^ 0x9E37_79B9_7F4A_7C15,
            document: crate::Document::new(crate::AlignmentModel::Cascading),
            nodes: 0,
        }
    }

    fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }

    fn build(mut self, nodes: usize) -> crate::Document {
        let company = self.unit("c", "company", &[]);
        let mut d = 0;
        while self.nodes < nodes {
            let department = self.unit(&format!("d{d}"), "department", &company);
            let teams = self.between(9, 11);
            for t in 0..teams {
                let team = self.unit(&format!("d{d}t{t}"), "team", &department);
                let people = self.between(7, 9);
                for p in 0..people {
                    self.unit(&format!("d{d}t{t}p{p}"), "individual", &team);
                    if self.nodes >= nodes {
                        break;
                    }
                }
                if self.nodes >= nodes {
                    break;
                }
            }
            d += 1;
        }
        self.document
    }

    /// Adds a unit's (or person's) objectives aligned to `parents`, and
    /// returns their ids.
    fn unit(&mut self, name: &str, level: &str, parents: &[String]) -> Vec<String> {
        use crate::{Decimal, Id, KeyResult, Link, Metric, Objective};
        let count = self.between(2, 4);
        let mut ids = Vec::new();
        for o in 0..count {
            let id = format!("{name}o{o}");
            let mut objective = Objective::new(Id::unchecked(&id), "Objective", level);
            if !parents.is_empty() {
                let len = parents.len() as u64;
                let first = self.next() % len;
                objective = objective.with_link(Link::new(Id::unchecked(
                    parents.get(first as usize).map_or("c", String::as_str),
                )));
                if len > 1 && self.next() % 10 == 0 {
                    let second = (first + 1 + self.next() % (len - 1)) % len;
                    objective = objective.with_link(Link::new(Id::unchecked(
                        parents.get(second as usize).map_or("c", String::as_str),
                    )));
                }
            }
            for k in 0..self.between(2, 4) {
                let current = Decimal::from(self.between(0, 10));
                objective = objective.with_key_result(
                    KeyResult::new(Id::unchecked(&format!("{id}k{k}")), "Key result")
                        .with_weight(
                            crate::Weight::new(Decimal::from(self.between(1, 3)))
                                .unwrap_or_default(),
                        )
                        .with_metric(
                            Metric::numeric(Decimal::ZERO, Decimal::TEN).with_current(current),
                        ),
                );
                self.nodes += 1;
            }
            self.nodes += 1;
            self.document.objectives.push(objective);
            ids.push(id);
        }
        ids
    }
}
