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
    Synthetic::new(seed, false).build(nodes)
}

/// The organisation of [`synthetic`] shaped like a real one, for
/// benchmarks of what users run end to end (loading, writing, reviews):
/// a year `FY2027` and its quarters, company objectives for the year and
/// the rest for `2027-Q1`; an owner on every objective; titles of their
/// own; and key results of every kind a real set holds — one in eight
/// measured by 2–3 sub-key results, one in ten by three milestones (one
/// reached), the rest numeric with 0–3 check-ins in the quarter (with a
/// confidence and, one in four, a note).
///
/// Sub-key results count as nodes. O(nodes).
///
/// # Example
/// ```
/// let doc = okrs::sample::realistic(1_000, 7);
/// let set = okrs::OkrSet::from_document(doc.clone())?;
/// assert!(set.len() >= 1_000);
/// assert_eq!(set.periods().count(), 5);
/// assert!(set.nodes().any(|n| !n.check_ins().is_empty()));
/// assert_eq!(okrs::sample::realistic(1_000, 7), doc); // deterministic
/// # Ok::<(), okrs::Error>(())
/// ```
#[must_use]
pub fn realistic(nodes: usize, seed: u64) -> crate::Document {
    Synthetic::new(seed, true).build(nodes)
}

struct Synthetic {
    state: u64,
    document: crate::Document,
    nodes: usize,
    /// Periods, owners, titles, sub-key results, milestones, check-ins.
    realistic: bool,
}

impl Synthetic {
    fn new(seed: u64, realistic: bool) -> Self {
        let mut document = crate::Document::new(crate::AlignmentModel::Cascading);
        if realistic {
            document.periods = crate::Period::year(2027).into_iter().collect();
            if let Ok(quarters) = crate::Period::quarters(2027) {
                document.periods.extend(quarters);
            }
        }
        Self {
            // xorshift needs a non-zero state.
            state: seed ^ 0x9E37_79B9_7F4A_7C15,
            document,
            nodes: 0,
            realistic,
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
                let weight =
                    crate::Weight::new(Decimal::from(self.between(1, 3))).unwrap_or_default();
                let key_result = if self.realistic {
                    self.realistic_key_result(&format!("{id}k{k}"))
                } else {
                    KeyResult::new(Id::unchecked(&format!("{id}k{k}")), "Key result").with_metric(
                        Metric::numeric(Decimal::ZERO, Decimal::TEN).with_current(current),
                    )
                };
                objective = objective.with_key_result(key_result.with_weight(weight));
                self.nodes += 1;
            }
            if self.realistic {
                objective.title = format!("Objective {o} of {name}: grow what {level} owns");
                objective =
                    objective
                        .with_owner(format!("{name}-lead"))
                        .with_period(Id::unchecked(if level == "company" {
                            "FY2027"
                        } else {
                            "2027-Q1"
                        }));
            }
            self.nodes += 1;
            self.document.objectives.push(objective);
            ids.push(id);
        }
        ids
    }

    /// A key result of [`realistic`]: sub-key results, milestones or a
    /// number with check-ins.
    fn realistic_key_result(&mut self, id: &str) -> crate::KeyResult {
        use crate::{CheckIn, CheckInValue, Confidence, Decimal, Id, KeyResult, Metric, Milestone};
        let title = format!("Key result {id}: move the number that matters");
        let key_result = KeyResult::new(Id::unchecked(id), title);
        match self.next() % 40 {
            0..=4 => {
                let mut key_result = key_result;
                for s in 0..self.between(2, 3) {
                    let current = Decimal::from(self.between(0, 100));
                    key_result = key_result.with_key_result(
                        KeyResult::new(Id::unchecked(&format!("{id}s{s}")), "A part of it")
                            .with_metric(
                                Metric::numeric(Decimal::ZERO, Decimal::ONE_HUNDRED)
                                    .with_current(current),
                            ),
                    );
                    self.nodes += 1;
                }
                key_result
            }
            5..=8 => {
                let milestones = ["Draft", "Review", "Launch"].map(Milestone::new).to_vec();
                let key_result = key_result.with_metric(Metric::Milestones { milestones });
                match crate::Date::new(2027, 2, 10) {
                    Ok(date) => key_result.with_check_in(CheckIn::new(
                        date.into(),
                        CheckInValue::Milestones(vec!["Draft".to_owned()]),
                    )),
                    Err(_) => key_result,
                }
            }
            _ => {
                let mut key_result = key_result.with_metric(Metric::numeric(
                    Decimal::ZERO,
                    Decimal::from(self.between(1, 20) * 50),
                ));
                let mut value = 0;
                for (month, check_in) in (1..=3_i8).zip(0..self.between(0, 3)) {
                    value += self.between(0, 200);
                    let Ok(date) = crate::Date::new(2027, month, 15) else {
                        continue;
                    };
                    let mut entry = CheckIn::new(date.into(), CheckInValue::Number(value.into()))
                        .by(format!("{id}-owner"));
                    if let Ok(confidence) = Confidence::new(Decimal::new(
                        i64::try_from(self.between(3, 9)).unwrap_or(5),
                        1,
                    )) {
                        entry = entry.with_confidence(confidence);
                    }
                    if check_in % 4 == 3 || self.next() % 4 == 0 {
                        entry = entry.with_note("On track after the review with the team");
                    }
                    key_result = key_result.with_check_in(entry);
                }
                key_result
            }
        }
    }
}
