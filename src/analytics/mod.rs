//! Analytics over a set: alignment coverage, distributions of progress,
//! bands and statuses, and the impact of key results on top objectives
//! (with what-if).

mod impact;

use std::fmt;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::invariant::sure;
use crate::{Band, Id, NodeRef, OkrSet, Progress, Review, Status, Zone};

/// How many objectives are aligned out of how many could be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[non_exhaustive]
pub struct Coverage {
    /// Objectives linked upward.
    pub aligned: usize,
    /// Objectives below the top level.
    pub total: usize,
}

impl Coverage {
    /// `aligned / total`; `None` when there is nothing to align. O(1).
    #[must_use]
    pub fn share(&self) -> Option<Decimal> {
        Decimal::from(self.aligned).checked_div(Decimal::from(self.total))
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.aligned, self.total)
    }
}

/// The share of objectives below the top level that are linked upward,
/// overall, per level and per owner ("team").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct AlignmentCoverage {
    /// Every objective below the top level.
    pub overall: Coverage,
    /// Per level, in the set's level order (levels with objectives only).
    pub by_level: Vec<(String, Coverage)>,
    /// Per owner, sorted by owner; an objective counts for each owner.
    pub by_owner: Vec<(String, Coverage)>,
}

/// What a [`Distribution`] groups objectives by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GroupBy {
    /// The objective's level.
    Level,
    /// Each of the objective's owners (`(no owner)` for none).
    Owner,
    /// The objective's period (`(no period)` for none).
    Period,
}

/// Progress, bands and statuses of a group of objectives in a review.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct Distribution {
    /// How many objectives.
    pub objectives: usize,
    /// Their mean progress.
    pub mean_progress: Option<Progress>,
    /// How many grade red, yellow, green.
    pub bands: [usize; 3],
    /// How many have each status, in order of first appearance.
    pub statuses: Vec<(Status, usize)>,
    /// How many of their key results (sub-key results included) stand in
    /// each zone — fail, commit, target, stretch — among those with commit
    /// or stretch values (puzzle/okr's evaluation at the end of a period).
    pub zones: [usize; 4],
}

impl Distribution {
    /// How many objectives grade to a band. O(1).
    #[must_use]
    pub fn band_count(&self, band: Band) -> usize {
        sure(self.bands.get(band_slot(band)).copied(), "a slot per band")
    }

    /// How many key results stand in a zone. O(1).
    ///
    /// # Example
    /// ```
    /// use okrs::{Date, GroupBy, OkrSet, Zone};
    /// let set = OkrSet::from_json(r#"{ "format": "okrs/1",
    ///   "periods": [ { "id": "Q1", "start": "2027-01-01", "end": "2027-03-31" } ],
    ///   "objectives": [ { "id": "o", "title": "Grow", "level": "team", "owners": ["sales"], "period": "Q1",
    ///     "key_results": [
    ///       { "id": "a", "title": "Reach 100 customers", "metric": { "kind": "numeric",
    ///         "start": "0", "commit": "60", "target": "100", "stretch": "130", "current": "70" } },
    ///       { "id": "b", "title": "Reach 50 partners", "metric": { "kind": "numeric",
    ///         "start": "0", "commit": "30", "target": "50", "current": "20" } } ] } ] }"#)?;
    /// let review = set.review(Date::new(2027, 3, 31)?);
    /// let by_period = set.distribution(&review, GroupBy::Period);
    /// assert_eq!(by_period[0].1.zone_count(Zone::Commit), 1);
    /// assert_eq!(by_period[0].1.zone_count(Zone::Fail), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn zone_count(&self, zone: Zone) -> usize {
        sure(self.zones.get(zone_slot(zone)).copied(), "a slot per zone")
    }

    /// How many objectives have a status. O(statuses).
    #[must_use]
    pub fn status_count(&self, status: Status) -> usize {
        self.statuses
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    }
}

/// A key result's weight in a top objective: its effective share (the
/// product of normalised weights along contributing paths, summed over
/// paths) and what reaching its target would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Impact {
    /// The key result.
    pub key_result: Id,
    /// Its effective share of the objective, 0 to 1.
    #[serde(with = "crate::number::serde_decimal")]
    pub share: Decimal,
    /// The objective's progress now.
    pub before: Progress,
    /// The objective's progress were the key result at its target (progress 1).
    pub after: Progress,
}

impl Impact {
    /// How far the objective would move: `after − before`. O(1).
    #[must_use]
    pub fn gain(&self) -> Decimal {
        self.after.value() - self.before.value()
    }
}

impl OkrSet {
    /// Alignment coverage: which objectives below the top level are linked
    /// upward. O(V + E).
    ///
    /// # Example
    /// ```
    /// use okrs::{Decimal, OkrSet};
    /// let set = OkrSet::from_json(r#"{ "format": "okrs/1", "objectives": [
    ///   { "id": "co", "title": "Company", "level": "company" },
    ///   { "id": "a", "title": "A", "level": "team", "aligned_to": [{ "id": "co" }] },
    ///   { "id": "b", "title": "B", "level": "team" } ] }"#)?;
    /// let coverage = set.alignment_coverage();
    /// assert_eq!(coverage.overall.share(), Some(Decimal::new(5, 1)));
    /// # Ok::<(), okrs::LoadError>(())
    /// ```
    #[must_use]
    pub fn alignment_coverage(&self) -> AlignmentCoverage {
        let top = sure(self.levels().name(0), "levels are never empty");
        let mut out = AlignmentCoverage::default();
        let mut by_level: Vec<(String, Coverage)> = self
            .levels()
            .iter()
            .skip(1)
            .map(|l| (l.to_owned(), Coverage::default()))
            .collect();
        let mut by_owner: std::collections::BTreeMap<String, Coverage> = Default::default();
        // A fold view's synthetic members are no team's objectives: they
        // would count the hidden part as one aligned objective.
        for objective in self.objectives().filter(|o| !o.id().is_folded()) {
            let level = sure(objective.level(), "objectives have a level");
            if level == top {
                continue;
            }
            let aligned = usize::from(objective.aligned_to().next().is_some());
            let count = |c: &mut Coverage| {
                c.total += 1;
                c.aligned += aligned;
            };
            count(&mut out.overall);
            // By rank, not by a search of the names: linear in levels too.
            let rank = self.levels().rank(level).and_then(|r| r.checked_sub(1));
            if let Some((_, c)) = rank.and_then(|r| by_level.get_mut(r)) {
                count(c);
            }
            for owner in objective.owners() {
                count(by_owner.entry(owner.clone()).or_default());
            }
        }
        by_level.retain(|(_, c)| c.total > 0);
        out.by_level = by_level;
        out.by_owner = by_owner.into_iter().collect();
        out
    }

    /// Objectives grouped by level, owner ("team") or period, with their
    /// progress, bands and statuses in a review, and their key results per
    /// zone. Groups come in the set's level or
    /// period order, owners sorted. O(V + G log G) for G groups.
    ///
    /// # Example
    /// ```
    /// use okrs::{Band, Date, GroupBy, OkrSet};
    /// let set = OkrSet::from_document(okrs::sample::document())?;
    /// let review = set.review(Date::new(2026, 11, 23)?);
    /// let by_level = set.distribution(&review, GroupBy::Level);
    /// assert_eq!(by_level[0].0, "company");
    /// assert_eq!(by_level[0].1.objectives, 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn distribution(&self, review: &Review, by: GroupBy) -> Vec<(String, Distribution)> {
        let mut groups: Vec<(String, Vec<NodeRef<'_>>)> = match by {
            GroupBy::Level => self
                .levels()
                .iter()
                .map(|l| (l.to_owned(), Vec::new()))
                .collect(),
            GroupBy::Period => self
                .periods()
                .map(|p| (p.id.to_string(), Vec::new()))
                .collect(),
            GroupBy::Owner => Vec::new(),
        };
        let mut position: std::collections::HashMap<String, usize> = groups
            .iter()
            .enumerate()
            .map(|(at, (key, _))| (key.clone(), at))
            .collect();
        for objective in self.objectives().filter(|o| !o.id().is_folded()) {
            let keys: Vec<String> = match by {
                GroupBy::Level => {
                    vec![sure(objective.level(), "objectives have a level").to_owned()]
                }
                GroupBy::Period => vec![
                    objective
                        .period()
                        .map_or_else(|| "(no period)".to_owned(), |p| p.id.to_string()),
                ],
                GroupBy::Owner if objective.owners().is_empty() => vec!["(no owner)".to_owned()],
                GroupBy::Owner => objective.owners().to_vec(),
            };
            for key in keys {
                // An index by key keeps this linear in objectives and groups
                // (thousands of owners are a plausible organisation).
                match position.get(&key) {
                    Some(&at) => {
                        if let Some((_, members)) = groups.get_mut(at) {
                            members.push(objective);
                        }
                    }
                    None => {
                        position.insert(key.clone(), groups.len());
                        groups.push((key, vec![objective]));
                    }
                }
            }
        }
        if by == GroupBy::Owner {
            groups.sort_by(|a, b| a.0.cmp(&b.0));
        }
        groups
            .into_iter()
            .filter(|(_, members)| !members.is_empty())
            .map(|(key, members)| (key, distribution_of(review, &members)))
            .collect()
    }
}

/// Where a zone is counted in [`Distribution::zones`].
fn zone_slot(zone: Zone) -> usize {
    match zone {
        Zone::Fail => 0,
        Zone::Commit => 1,
        Zone::Target => 2,
        Zone::Stretch => 3,
    }
}

/// Where a band is counted in [`Distribution::bands`].
fn band_slot(band: Band) -> usize {
    match band {
        Band::Red => 0,
        Band::Yellow => 1,
        Band::Green => 2,
    }
}

fn distribution_of(review: &Review, members: &[NodeRef<'_>]) -> Distribution {
    let mut out = Distribution::default();
    let mut sum = Decimal::ZERO;
    for member in members {
        let Some(node) = review.of(member) else {
            continue;
        };
        out.objectives += 1;
        sum = sum.checked_add(node.progress.value()).unwrap_or(sum);
        if let Some(count) = out.bands.get_mut(band_slot(node.band)) {
            *count += 1;
        }
        if let Some(status) = node.status {
            match out.statuses.iter_mut().find(|(s, _)| *s == status) {
                Some((_, n)) => *n += 1,
                None => out.statuses.push((status, 1)),
            }
        }
        let mut key_results: Vec<NodeRef<'_>> = member.key_results().collect();
        while let Some(key_result) = key_results.pop() {
            key_results.extend(key_result.key_results());
            let zone = review.of(&key_result).and_then(|r| r.zone);
            if let Some(count) = zone.and_then(|z| out.zones.get_mut(zone_slot(z))) {
                *count += 1;
            }
        }
    }
    out.mean_progress = sum
        .checked_div(Decimal::from(out.objectives))
        .and_then(|m| Progress::new(m).ok());
    out
}
