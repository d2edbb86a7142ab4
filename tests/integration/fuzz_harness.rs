//! The fuzz harnesses, shared by the fuzz targets in `fuzz/` (which include
//! this file) and by the corpus replay in `fuzz_corpus.rs` (which CI runs).
//!
//! Each harness feeds arbitrary bytes to the public API and checks what must
//! always hold: no panic; a loaded set survives its document, JSON and CSV
//! round trips equal; every edit goes through `OkrSet::apply` (or
//! `apply_all`) as an `Edit`; a refused edit leaves the set `==` to before;
//! an accepted one reports exactly the nodes it moved and leaves a set equal
//! to a fresh load; the log of accepted edits replays to the live set.

use std::collections::HashMap;

use okrs::{
    Band, Change, Changes, CheckIn, CheckInValue, Commitment, Confidence, Date, Decimal, Document,
    Edit, Envelope, Id, Initiative, InitiativeStatus, KeyResult, Link, LoadError, Metric, NodeKind,
    Objective, OkrSet, Period, Progress, Weight,
};

/// Reads bytes as a JSON document and as a CSV sheet; every set that loads
/// must survive its round trips and every read-out.
pub(crate) fn load_document(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = OkrSet::from_json(text);
    // `from_json` builds the set as it parses (or falls back): it must
    // answer exactly what parsing a whole document and building it does.
    let exact = Document::from_json(text)
        .map_err(LoadError::from)
        .and_then(|document| OkrSet::from_document(document).map_err(LoadError::from));
    assert_eq!(loaded, exact, "OkrSet::from_json and the exact path agree");
    if let Ok(set) = loaded {
        check_loaded(&set);
    }
    if let Ok(document) = Document::from_csv(text) {
        // `okrs import` checks a sheet by building its document, not by
        // loading the JSON it writes: the two must agree.
        let json = document.to_json().expect("a document writes its JSON");
        let built = OkrSet::from_document(document);
        assert_eq!(
            built.clone().map_err(LoadError::from),
            OkrSet::from_json(&json),
            "a sheet's document builds as its JSON loads"
        );
        if let Ok(set) = built {
            check_loaded(&set);
        }
    }
}

fn check_loaded(set: &OkrSet) {
    let document = set.to_document();
    let again = OkrSet::from_document(document.clone()).expect("a set's own document loads");
    assert_eq!(&again, set, "document round trip");
    let json = document.to_json().expect("json");
    assert_eq!(
        set.to_json().expect("json"),
        json,
        "OkrSet::to_json writes what its document does"
    );
    let from_json = OkrSet::from_json(&json).expect("a set's own JSON loads");
    assert_eq!(&from_json, set, "JSON round trip");
    let csv = document.to_csv().expect("csv");
    assert_eq!(
        set.to_csv().expect("csv"),
        csv,
        "OkrSet::to_csv writes what its document does"
    );
    let from_csv = Document::from_csv(&csv).expect("a set's own CSV parses");
    let from_csv = OkrSet::from_document(from_csv).expect("a set's own CSV loads");
    assert_eq!(&from_csv, set, "CSV round trip");
    let cap = set.progress_cap();
    for date in [
        Date::new(2000, 1, 1).expect("date"),
        Date::new(2027, 2, 15).expect("date"),
    ] {
        let review = set.review(date);
        for node in &review {
            assert!(node.progress.value() <= cap, "progress above the cap");
        }
        let _ = set.lint(date);
        let _ = set.to_markdown(date);
    }
    let _ = set.to_dot();
    let _ = set.to_mermaid();
    let _ = set.alignment_coverage();
    if let Some(objective) = set.objectives().next() {
        let _ = set.impact(objective.id().as_str());
    }
    check_views(set);
}

/// A view of the set for a few viewers (nobody, each owner and listed
/// viewer of the first private objectives), under each policy, never
/// panics, holds no objective the viewer may not see, and no output of it
/// names one by id; under fold every node shows the whole set's number.
fn check_views(set: &OkrSet) {
    let mut viewers = vec![okrs::Viewer::new("")];
    for objective in set.objectives().take(8) {
        let value = objective.to_objective().expect("an objective");
        for name in value.owners.iter().chain(&value.viewers).take(2) {
            viewers.push(okrs::Viewer::new(name.clone()));
            viewers.push(okrs::Viewer::new("").in_group(name.clone()));
        }
    }
    for (viewer, policy) in viewers
        .iter()
        .flat_map(|viewer| okrs::ViewPolicy::ALL.map(|policy| (viewer, policy)))
    {
        // A document holds built-in strategies only: fold is always exact.
        let view = set
            .view_with(viewer, policy)
            .expect("a fold view of built-in strategies");
        let shown = view.set();
        if policy == okrs::ViewPolicy::Fold {
            for node in shown.nodes() {
                if let Some(whole) = set.node(node.id().as_str()) {
                    assert_eq!(
                        node.progress(),
                        whole.progress(),
                        "{:?} under fold for {viewer:?}",
                        node.id()
                    );
                }
            }
        }
        let hidden: Vec<okrs::Objective> = set
            .objectives()
            .filter_map(|o| o.to_objective())
            .filter(|o| !visible(o, viewer))
            .collect();
        let date = Date::new(2027, 2, 15).expect("date");
        let outputs = [
            shown.to_document().to_json().expect("json"),
            shown.to_markdown(date),
            shown.to_text(date),
            format!("{:?}", shown.lint(date)),
        ];
        for objective in &hidden {
            assert!(
                shown.node(objective.id.as_str()).is_none(),
                "{:?} in the view of {viewer:?}",
                objective.id
            );
            // Ids that are part of another visible text cannot be told
            // apart; a hidden id long enough to be its own is never shown.
            if objective.id.as_str().len() >= 12 {
                for output in &outputs {
                    assert!(
                        !output.contains(objective.id.as_str()),
                        "{:?} shows in the view of {viewer:?}",
                        objective.id
                    );
                }
            }
        }
    }
}

/// Whether a viewer may see an objective, from its document value.
fn visible(objective: &okrs::Objective, viewer: &okrs::Viewer) -> bool {
    let mut owners = objective.owners.clone();
    let mut key_results: Vec<&okrs::KeyResult> = objective.key_results.iter().collect();
    while let Some(key_result) = key_results.pop() {
        owners.extend(key_result.owners.iter().cloned());
        key_results.extend(&key_result.key_results);
    }
    viewer.may_see(objective.visibility, &owners, &objective.viewers)
}

/// The small organisation every edit sequence starts from: periods nested in
/// a year, a company objective with a measured and an open key result, a
/// team objective cascading into it, check-ins to correct and delete, and an
/// initiative.
const SEED: &str = r#"{ "format": "okrs/1", "alignment": "cascading",
  "periods": [ { "id": "FY", "start": "2027-01-01", "end": "2027-12-31" },
               { "id": "Q1", "start": "2027-01-01", "end": "2027-03-31", "within": "FY" },
               { "id": "Q2", "start": "2027-04-01", "end": "2027-06-30", "within": "FY" } ],
  "objectives": [
    { "id": "co", "title": "Company", "level": "company", "period": "FY", "owners": ["ceo"],
      "key_results": [ { "id": "co-k", "title": "K", "metric": { "kind": "numeric", "start": "0", "target": "10" },
                         "check_ins": [ { "at": "2027-01-10", "value": "2" }, { "at": "2027-02-10", "value": "4", "by": "ceo" } ] },
                       { "id": "co-open", "title": "Measured by teams" } ] },
    { "id": "team", "title": "Team", "level": "team", "period": "Q1", "aligned_to": [ { "id": "co" } ],
      "key_results": [ { "id": "team-k", "title": "K", "weight": "2",
        "metric": { "kind": "milestones", "milestones": [ { "title": "a" }, { "title": "b" } ] },
        "check_ins": [ { "at": "2027-01-20", "value": ["a"] } ],
        "initiatives": [ { "id": "team-i", "title": "Do it", "status": "doing" } ] } ] } ] }"#;

const LEVELS: [&str; 5] = ["company", "department", "team", "individual", "galaxy"];

/// At most this many steps (edits or transactions) per input.
const MAX_STEPS: usize = 48;

/// Bytes read one at a time; past the end every read is 0, so any input
/// decodes to something (a short input is padded with zeros).
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&first, rest)) => {
                self.0 = rest;
                first
            }
            None => 0,
        }
    }

    fn signed(&mut self) -> i8 {
        i8::from_ne_bytes([self.byte()])
    }
}

/// A metric: a kind byte, then three numbers (one byte each).
#[derive(Debug, Clone, Copy)]
struct MetricSpec(u8, i8, i8, i8);

impl MetricSpec {
    fn read(bytes: &mut Bytes<'_>) -> Self {
        Self(bytes.byte(), bytes.signed(), bytes.signed(), bytes.signed())
    }

    /// `None` (no metric) for one kind byte in six.
    fn metric(self) -> Option<Metric> {
        let Self(kind, a, b, c) = self;
        let (a, b, c) = (Decimal::from(a), Decimal::from(b), Decimal::from(c));
        Some(match kind % 6 {
            0 => Metric::numeric(a, b).with_current(c),
            1 => Metric::numeric(a, b),
            2 => Metric::binary(c > Decimal::ZERO),
            3 => Metric::manual(c / Decimal::from(100)),
            4 => Metric::AtLeast {
                threshold: a,
                current: None,
            },
            _ => return None,
        })
    }
}

/// One edit, as bytes still to be resolved against the set as it stands
/// (`u8` fields pick among its current ids, or a bogus one). One variant
/// per [`Edit`] variant, in its order; the bytes each reads follow its tag
/// in this order, and every edit ends with an envelope byte (who and when).
#[derive(Debug, Clone)]
enum Op {
    /// Level, link (target, contributes), period, key results.
    AddObjective {
        level: u8,
        link: u8,
        contributes: u8,
        period: u8,
        krs: u8,
    },
    RemoveObjective(u8),
    /// Parent (a node), weight, metric.
    AddKeyResult {
        parent: u8,
        weight: u8,
        metric: MetricSpec,
    },
    RemoveKeyResult(u8),
    /// Key result, status, owners.
    AddInitiative {
        key_result: u8,
        status: u8,
        owners: u8,
    },
    RemoveInitiative(u8),
    /// From (an objective), to (a node), weight, contributes.
    AddLink {
        from: u8,
        to: u8,
        weight: u8,
        contributes: u8,
    },
    /// From (an objective), target (among its links, or any node).
    RemoveLink {
        from: u8,
        target: u8,
    },
    /// From, target (as for `RemoveLink`), to (a node).
    MoveLink {
        from: u8,
        target: u8,
        to: u8,
    },
    /// Start, length, within.
    AddPeriod {
        start: u8,
        length: i8,
        within: u8,
    },
    RemovePeriod(u8),
    /// Node, title (blank for one byte in four).
    SetTitle {
        node: u8,
        title: u8,
    },
    SetDescription {
        node: u8,
        description: u8,
    },
    /// Node (or initiative), owners (count and names; `""` is refused).
    SetOwners {
        node: u8,
        owners: u8,
    },
    SetWeight {
        key_result: u8,
        weight: u8,
    },
    /// From, target (as for `RemoveLink`), weight.
    SetLinkWeight {
        from: u8,
        target: u8,
        weight: u8,
    },
    SetCommitment {
        objective: u8,
        committed: u8,
    },
    SetLevel {
        objective: u8,
        level: u8,
    },
    SetVisibility {
        objective: u8,
        private: u8,
        viewer: u8,
    },
    SetProgressFrom {
        objective: u8,
        from: u8,
        share: u8,
    },
    SetPeriod {
        objective: u8,
        period: u8,
    },
    SetMetric {
        key_result: u8,
        metric: MetricSpec,
    },
    SetInitiativeStatus {
        initiative: u8,
        status: u8,
    },
    /// Key result, day, value kind, value, confidence.
    RecordCheckIn {
        key_result: u8,
        day: u8,
        kind: u8,
        value: i8,
        confidence: u8,
    },
    /// Check-in (real for three bytes in four, else bogus), value kind,
    /// value, confidence, note.
    CorrectCheckIn {
        check_in: u8,
        kind: u8,
        value: i8,
        confidence: u8,
        note: u8,
    },
    DeleteCheckIn {
        check_in: u8,
    },
    ClosePeriod(u8),
    ReopenPeriod(u8),
    /// Objective, period, keep values.
    CarryForward {
        objective: u8,
        period: u8,
        keep: u8,
    },
    /// Node (or initiative), score (none, 0 to 1 in tenths, or above the
    /// cap), reason (blank for one byte in three).
    SetScore {
        node: u8,
        score: u8,
        reason: u8,
    },
}

/// One step: one edit through [`OkrSet::apply`], or a transaction of up to
/// four through [`OkrSet::apply_all`]; each edit with its envelope byte.
#[derive(Debug, Clone)]
struct Step {
    transaction: bool,
    edits: Vec<(Op, u8)>,
}

impl Op {
    /// Reads one edit's bytes after its tag. Tags (mod 32): 0–26 the edits
    /// in [`Edit`]'s order (as they were when the harness was written); 27
    /// a visibility, 28 what an objective counts, 29 a score; 30 more links
    /// (the edits that move progress most); 31 is a transaction (see
    /// [`Step::read`]), read here as a check-in.
    fn read(tag: u8, b: &mut Bytes<'_>) -> Self {
        match tag % 32 {
            0 => Self::AddObjective {
                level: b.byte(),
                link: b.byte(),
                contributes: b.byte(),
                period: b.byte(),
                krs: b.byte(),
            },
            1 => Self::RemoveObjective(b.byte()),
            2 => Self::AddKeyResult {
                parent: b.byte(),
                weight: b.byte(),
                metric: MetricSpec::read(b),
            },
            3 => Self::RemoveKeyResult(b.byte()),
            4 => Self::AddInitiative {
                key_result: b.byte(),
                status: b.byte(),
                owners: b.byte(),
            },
            5 => Self::RemoveInitiative(b.byte()),
            6 | 30 => Self::AddLink {
                from: b.byte(),
                to: b.byte(),
                weight: b.byte(),
                contributes: b.byte(),
            },
            7 => Self::RemoveLink {
                from: b.byte(),
                target: b.byte(),
            },
            8 => Self::MoveLink {
                from: b.byte(),
                target: b.byte(),
                to: b.byte(),
            },
            9 => Self::AddPeriod {
                start: b.byte(),
                length: b.signed(),
                within: b.byte(),
            },
            10 => Self::RemovePeriod(b.byte()),
            11 => Self::SetTitle {
                node: b.byte(),
                title: b.byte(),
            },
            12 => Self::SetDescription {
                node: b.byte(),
                description: b.byte(),
            },
            13 => Self::SetOwners {
                node: b.byte(),
                owners: b.byte(),
            },
            14 => Self::SetWeight {
                key_result: b.byte(),
                weight: b.byte(),
            },
            15 => Self::SetLinkWeight {
                from: b.byte(),
                target: b.byte(),
                weight: b.byte(),
            },
            16 => Self::SetCommitment {
                objective: b.byte(),
                committed: b.byte(),
            },
            17 => Self::SetLevel {
                objective: b.byte(),
                level: b.byte(),
            },
            18 => Self::SetPeriod {
                objective: b.byte(),
                period: b.byte(),
            },
            19 => Self::SetMetric {
                key_result: b.byte(),
                metric: MetricSpec::read(b),
            },
            20 => Self::SetInitiativeStatus {
                initiative: b.byte(),
                status: b.byte(),
            },
            22 => Self::CorrectCheckIn {
                check_in: b.byte(),
                kind: b.byte(),
                value: b.signed(),
                confidence: b.byte(),
                note: b.byte(),
            },
            23 => Self::DeleteCheckIn { check_in: b.byte() },
            24 => Self::ClosePeriod(b.byte()),
            25 => Self::ReopenPeriod(b.byte()),
            26 => Self::CarryForward {
                objective: b.byte(),
                period: b.byte(),
                keep: b.byte(),
            },
            27 => Self::SetVisibility {
                objective: b.byte(),
                private: b.byte(),
                viewer: b.byte(),
            },
            28 => Self::SetProgressFrom {
                objective: b.byte(),
                from: b.byte(),
                share: b.byte(),
            },
            29 => Self::SetScore {
                node: b.byte(),
                score: b.byte(),
                reason: b.byte(),
            },
            _ => Self::RecordCheckIn {
                key_result: b.byte(),
                day: b.byte(),
                kind: b.byte(),
                value: b.signed(),
                confidence: b.byte(),
            },
        }
    }
}

impl Step {
    /// Reads one step: a tag, the edit's bytes and its envelope byte; tag
    /// 31 (mod 32) is a transaction of `1 + next % 4` edits, each read so.
    fn read(b: &mut Bytes<'_>) -> Self {
        // An edit after its tag: its bytes, then its envelope byte.
        let edit = |tag: u8, b: &mut Bytes<'_>| (Op::read(tag, b), b.byte());
        let tag = b.byte();
        if tag % 32 == 31 {
            let count = 1 + b.byte() % 4;
            let edits: Vec<(Op, u8)> = (0..count)
                .map(|_| {
                    let tag = b.byte();
                    edit(tag, b)
                })
                .collect();
            Self {
                transaction: true,
                edits,
            }
        } else {
            Self {
                transaction: false,
                edits: vec![edit(tag, b)],
            }
        }
    }
}

/// Decodes bytes into steps, deterministically: every input decodes, to at
/// most [`MAX_STEPS`] steps.
fn decode(data: &[u8]) -> Vec<Step> {
    let mut bytes = Bytes(data);
    let mut steps = Vec::new();
    while !bytes.0.is_empty() && steps.len() < MAX_STEPS {
        steps.push(Step::read(&mut bytes));
    }
    steps
}

/// The ids an edit can name, read from the set before a step (and grown by
/// the adds of a transaction as it is built).
#[derive(Debug, Default)]
struct Names {
    objectives: Vec<String>,
    /// Objectives and key results.
    nodes: Vec<String>,
    key_results: Vec<String>,
    initiatives: Vec<String>,
    check_ins: Vec<String>,
    /// Every period, then one that does not exist.
    periods: Vec<String>,
}

impl Names {
    fn of(set: &OkrSet) -> Self {
        let mut names = Self::default();
        for node in set.nodes() {
            let id = node.id().to_string();
            if node.kind() == NodeKind::Objective {
                names.objectives.push(id.clone());
            } else {
                names.key_results.push(id.clone());
                names
                    .initiatives
                    .extend(node.initiatives().map(|i| i.id().to_string()));
                names.check_ins.extend(
                    node.check_ins()
                        .iter()
                        .filter_map(|c| c.id.as_ref().map(ToString::to_string)),
                );
            }
            names.nodes.push(id);
        }
        names.periods = set.periods().map(|p| p.id.to_string()).collect();
        names.periods.push("nowhere".to_owned());
        names
    }
}

fn pick(ids: &[String], index: u8) -> Id {
    let chosen = match ids.len() {
        0 => "missing",
        len => ids[usize::from(index) % len].as_str(),
    };
    id(chosen)
}

fn id(text: &str) -> Id {
    text.parse().expect("a valid id")
}

fn weight(w: u8) -> Weight {
    Weight::new(Decimal::from(w % 5)).expect("a small weight")
}

/// A day from mid-December 2026 to spring 2028: before, in and after the
/// periods.
fn day(d: u8) -> Date {
    Date::new(2027, 1, 1)
        .expect("date")
        .checked_add(okrs::jiff::Span::new().days(i64::from(d) * 2 - 20))
        .expect("a date near 2027")
}

fn value(kind: u8, value: i8) -> CheckInValue {
    match kind % 5 {
        0 => CheckInValue::Number(Decimal::from(value)),
        1 => CheckInValue::Number(Decimal::from(value) / Decimal::from(100)),
        2 => CheckInValue::Done(value > 0),
        3 => CheckInValue::Milestones(if value > 0 {
            vec!["a".into(), "b".into()]
        } else {
            vec!["a".into()]
        }),
        _ => CheckInValue::Milestones(vec!["no such milestone".into()]),
    }
}

/// `None` for one byte in three, else 0 to 1 in tenths.
fn confidence(c: u8) -> Option<Confidence> {
    (c % 3 != 0).then(|| Confidence::new(Decimal::new(i64::from(c % 11), 1)).expect("0 to 1"))
}

fn status(s: u8) -> InitiativeStatus {
    [
        InitiativeStatus::Todo,
        InitiativeStatus::Doing,
        InitiativeStatus::Done,
    ][usize::from(s % 3)]
}

/// Up to two owners; the blank one is refused.
fn owners(o: u8) -> Vec<String> {
    let names = ["ana", "bo", " "];
    (0..o % 3)
        .map(|i| names[usize::from(o / 3 + i) % names.len()].to_owned())
        .collect()
}

/// Who and when: nobody, `ana`, `bo` or a blank author; no time, a date or
/// a timestamp.
fn envelope(edit: Edit, e: u8) -> Envelope {
    let mut envelope = Envelope::new(edit);
    match e % 4 {
        1 => envelope = envelope.by("ana"),
        2 => envelope = envelope.by("bo"),
        3 => envelope = envelope.by(""),
        _ => {}
    }
    match (e / 4) % 3 {
        1 => envelope = envelope.at(day(e).into()),
        2 => envelope = envelope.at("2027-02-01T09:30:00+01:00".parse().expect("a timestamp")),
        _ => {}
    }
    envelope
}

/// A check-in id: for three bytes in four one the set holds (when it holds
/// any); else a bogus one: `#0`, never issued, no `#`, on an objective, on
/// no node, or one already deleted.
fn check_in_id(c: u8, names: &Names, deleted: &[String]) -> Id {
    if c % 4 != 3 && !names.check_ins.is_empty() {
        return pick(&names.check_ins, c / 4);
    }
    let key_result = pick(&names.key_results, c);
    id(&match (c / 4) % 6 {
        0 => format!("{key_result}#0"),
        1 => format!("{key_result}#{}", 200 + u32::from(c)),
        2 => key_result.to_string(),
        3 => format!("{}#1", pick(&names.objectives, c)),
        4 => "nowhere#1".to_owned(),
        _ => match deleted.len() {
            0 => format!("{key_result}#1"),
            len => deleted[usize::from(c) % len].clone(),
        },
    })
}

/// A link target of `from`: among its links for three bytes in four, else
/// any node.
fn link_target(set: &OkrSet, from: &Id, t: u8, names: &Names) -> Id {
    let links: Vec<String> = set
        .node(from.as_str())
        .map(|n| {
            n.aligned_to()
                .map(|l| l.target().id().to_string())
                .collect()
        })
        .unwrap_or_default();
    if t % 4 == 3 || links.is_empty() {
        pick(&names.nodes, t / 4)
    } else {
        pick(&links, t / 4)
    }
}

/// Resolves an op into an edit against the set as it stands. `fresh` makes
/// the ids of new nodes and periods unique across the sequence.
fn resolve(op: &Op, set: &OkrSet, names: &mut Names, deleted: &[String], fresh: &str) -> Edit {
    match *op {
        Op::AddObjective {
            level,
            link,
            contributes,
            period,
            krs,
        } => {
            let id_text = format!("o{fresh}");
            let mut objective = Objective::new(
                id(&id_text),
                "New",
                LEVELS[usize::from(level) % LEVELS.len()],
            );
            if period % 2 == 0 {
                objective = objective.with_period(pick(&names.periods, period / 2));
            }
            if link % 3 != 0 {
                let mut link = Link::new(pick(&names.nodes, link / 3));
                if contributes % 3 != 0 {
                    link = link.contributes(contributes % 3 == 1);
                }
                objective = objective.with_link(link);
            }
            names.objectives.push(id_text.clone());
            names.nodes.push(id_text.clone());
            for k in 0..krs % 3 {
                let kr = format!("{id_text}-k{k}");
                objective = objective.with_key_result(
                    KeyResult::new(id(&kr), "K")
                        .with_metric(Metric::numeric(Decimal::ZERO, Decimal::TEN)),
                );
                names.key_results.push(kr.clone());
                names.nodes.push(kr);
            }
            Edit::AddObjective { objective }
        }
        Op::RemoveObjective(o) => Edit::RemoveObjective {
            id: pick(&names.objectives, o),
        },
        Op::AddKeyResult {
            parent,
            weight: w,
            metric,
        } => {
            let kr = format!("k{fresh}");
            let mut key_result = KeyResult::new(id(&kr), "K").with_weight(weight(w));
            if let Some(metric) = metric.metric() {
                key_result = key_result.with_metric(metric);
            }
            names.key_results.push(kr.clone());
            names.nodes.push(kr);
            Edit::AddKeyResult {
                parent: pick(&names.nodes, parent),
                key_result,
            }
        }
        Op::RemoveKeyResult(k) => Edit::RemoveKeyResult {
            id: pick(&names.key_results, k),
        },
        Op::AddInitiative {
            key_result,
            status: s,
            owners: o,
        } => {
            let initiative_id = format!("i{fresh}");
            let mut initiative = Initiative::new(id(&initiative_id), "I").with_status(status(s));
            initiative.owners = owners(o);
            names.initiatives.push(initiative_id);
            Edit::AddInitiative {
                key_result: pick(&names.key_results, key_result),
                initiative,
            }
        }
        Op::RemoveInitiative(i) => Edit::RemoveInitiative {
            id: pick(&names.initiatives, i),
        },
        Op::AddLink {
            from,
            to,
            weight: w,
            contributes,
        } => {
            let mut link = Link::new(pick(&names.nodes, to)).with_weight(weight(w));
            if contributes % 3 != 0 {
                link = link.contributes(contributes % 3 == 1);
            }
            Edit::AddLink {
                from: pick(&names.objectives, from),
                link,
            }
        }
        Op::RemoveLink { from, target } => {
            let from = pick(&names.objectives, from);
            let target = link_target(set, &from, target, names);
            Edit::RemoveLink { from, target }
        }
        Op::MoveLink { from, target, to } => {
            let from = pick(&names.objectives, from);
            let target = link_target(set, &from, target, names);
            Edit::MoveLink {
                from,
                target,
                to: pick(&names.nodes, to),
            }
        }
        Op::AddPeriod {
            start,
            length,
            within,
        } => {
            let period_id = format!("P{fresh}");
            let start = Date::new(2026, 7, 1)
                .expect("date")
                .checked_add(okrs::jiff::Span::new().days(i64::from(start) * 4))
                .expect("a date in 2026-2029");
            let end = start
                .checked_add(okrs::jiff::Span::new().days(i64::from(length) * 3))
                .expect("a date near 2027");
            let mut period = Period::new(id(&period_id), start, end);
            if within % 3 != 0 {
                period = period.within(pick(&names.periods, within / 3));
            }
            names.periods.push(period_id);
            Edit::AddPeriod { period }
        }
        Op::RemovePeriod(p) => Edit::RemovePeriod {
            id: pick(&names.periods, p),
        },
        Op::SetTitle { node, title } => Edit::SetTitle {
            id: pick_node_or_initiative(names, node),
            title: if title % 4 == 0 {
                " ".to_owned()
            } else {
                format!("Title {title}")
            },
        },
        Op::SetDescription { node, description } => Edit::SetDescription {
            id: pick_node_or_initiative(names, node),
            description: match description % 3 {
                0 => None,
                1 => Some(String::new()),
                _ => Some(format!("Why {description}")),
            },
        },
        Op::SetOwners { node, owners: o } => Edit::SetOwners {
            id: pick_node_or_initiative(names, node),
            owners: owners(o),
        },
        Op::SetWeight {
            key_result,
            weight: w,
        } => Edit::SetWeight {
            id: pick(&names.key_results, key_result),
            weight: weight(w),
        },
        Op::SetLinkWeight {
            from,
            target,
            weight: w,
        } => {
            let from = pick(&names.objectives, from);
            let target = link_target(set, &from, target, names);
            Edit::SetLinkWeight {
                from,
                target,
                weight: weight(w),
            }
        }
        Op::SetCommitment {
            objective,
            committed,
        } => Edit::SetCommitment {
            id: pick(&names.nodes, objective),
            commitment: if committed % 2 == 0 {
                Commitment::Committed
            } else {
                Commitment::Aspirational
            },
        },
        Op::SetLevel { objective, level } => Edit::SetLevel {
            id: pick(&names.objectives, objective),
            level: LEVELS[usize::from(level) % LEVELS.len()].to_owned(),
        },
        Op::SetVisibility {
            objective,
            private,
            viewer,
        } => Edit::SetVisibility {
            id: pick(&names.objectives, objective),
            visibility: if private % 2 == 1 {
                okrs::Visibility::Private
            } else {
                okrs::Visibility::Public
            },
            // Now and then viewers on a public objective: refused.
            viewers: (viewer % 3 != 0)
                .then(|| format!("viewer{}", viewer % 4))
                .into_iter()
                .collect(),
        },
        Op::SetProgressFrom {
            objective,
            from,
            share,
        } => Edit::SetProgressFrom {
            id: pick(&names.objectives, objective),
            progress_from: match from % 4 {
                0 => None,
                1 => Some(okrs::ProgressFrom::KeyResults),
                2 => Some(okrs::ProgressFrom::Aligned),
                _ => Some(okrs::ProgressFrom::Both),
            },
            // Tenths from 0 to 1.2: past 1 is refused.
            aligned_share: (share % 2 == 1).then(|| Decimal::new(i64::from(share % 13), 1)),
        },
        Op::SetPeriod { objective, period } => Edit::SetPeriod {
            id: pick(&names.objectives, objective),
            period: (period % 4 != 0).then(|| pick(&names.periods, period / 4)),
        },
        Op::SetMetric { key_result, metric } => Edit::SetMetric {
            id: pick(&names.key_results, key_result),
            metric: metric.metric(),
        },
        Op::SetInitiativeStatus {
            initiative,
            status: s,
        } => Edit::SetInitiativeStatus {
            id: pick(&names.initiatives, initiative),
            status: status(s),
        },
        Op::RecordCheckIn {
            key_result,
            day: d,
            kind,
            value: v,
            confidence: c,
        } => {
            let mut check_in = CheckIn::new(day(d).into(), value(kind, v));
            check_in.confidence = confidence(c);
            Edit::RecordCheckIn {
                key_result: pick(&names.key_results, key_result),
                check_in,
            }
        }
        Op::CorrectCheckIn {
            check_in,
            kind,
            value: v,
            confidence: c,
            note,
        } => Edit::CorrectCheckIn {
            check_in: check_in_id(check_in, names, deleted),
            value: value(kind, v),
            confidence: confidence(c),
            note: (note % 2 == 1).then(|| format!("note {note}")),
            reason: "typo".to_owned(),
        },
        Op::DeleteCheckIn { check_in } => Edit::DeleteCheckIn {
            check_in: check_in_id(check_in, names, deleted),
            reason: "duplicate".to_owned(),
        },
        Op::ClosePeriod(p) => Edit::ClosePeriod {
            period: pick(&names.periods, p),
        },
        Op::ReopenPeriod(p) => Edit::ReopenPeriod {
            period: pick(&names.periods, p),
        },
        Op::CarryForward {
            objective,
            period,
            keep,
        } => Edit::CarryForward {
            objective: pick(&names.objectives, objective),
            to: pick(&names.periods, period),
            keep_values: keep % 2 == 1,
        },
        Op::SetScore {
            node,
            score,
            reason,
        } => Edit::SetScore {
            id: pick_node_or_initiative(names, node),
            score: match score % 13 {
                0 => None,
                12 => Some(Progress::new(Decimal::TWO).expect("2 is a progress")),
                tenths => {
                    Some(Progress::new(Decimal::new(i64::from(tenths - 1), 1)).expect("0 to 1"))
                }
            },
            reason: if reason % 3 == 0 {
                String::new()
            } else {
                format!("calibrated {reason}")
            },
        },
    }
}

/// Any objective or key result for three bytes in four, else an initiative.
fn pick_node_or_initiative(names: &Names, n: u8) -> Id {
    if n % 4 == 3 && !names.initiatives.is_empty() {
        pick(&names.initiatives, n / 4)
    } else {
        pick(&names.nodes, n)
    }
}

/// Every objective's and key result's progress and band, by id.
type View = HashMap<String, (Option<Progress>, Option<Band>)>;

fn view(set: &OkrSet) -> View {
    set.nodes()
        .map(|n| (n.id().to_string(), (n.progress(), n.band())))
        .collect()
}

/// Checks `changes.moved` against a brute-force diff of every node before
/// and after: exactly the nodes whose progress or band changed (a removed
/// node always counts, an added one from nothing), each once, old → new.
fn check_moves(before: &View, set: &OkrSet, changes: &Changes, step: &Step) {
    let after = view(set);
    let mut expected: Vec<&str> = after
        .iter()
        .filter(|(id, now)| before.get(id.as_str()) != Some(now))
        .map(|(id, _)| id.as_str())
        .chain(
            before
                .keys()
                .filter(|id| !after.contains_key(id.as_str()))
                .map(String::as_str),
        )
        .collect();
    expected.sort_unstable();
    let mut listed: Vec<&str> = changes.moved().iter().map(|m| m.id.as_str()).collect();
    listed.sort_unstable();
    assert_eq!(listed, expected, "moved nodes after {step:?}");
    for moved in changes.moved() {
        let none = (None, None);
        let old = before.get(moved.id.as_str()).unwrap_or(&none);
        let new = after.get(moved.id.as_str()).unwrap_or(&none);
        assert_eq!(
            (&moved.progress_before, &moved.band_before),
            (&old.0, &old.1),
            "{} before, after {step:?}",
            moved.id
        );
        assert_eq!(
            (&moved.progress, &moved.band),
            (&new.0, &new.1),
            "{} after {step:?}",
            moved.id
        );
    }
}

/// Checks what one accepted edit says it did against the set: nodes added
/// exist, nodes removed do not, check-ins recorded or corrected are there
/// under their ids and deleted ones are not.
fn check_edits(set: &OkrSet, changes: &Changes, step: &Step) {
    assert!(!changes.edits.is_empty(), "no changes listed for {step:?}");
    for change in &changes.edits {
        match change {
            Change::Added { id, .. } => assert!(set.contains(id.as_str()), "{id} not added"),
            Change::Removed { id, .. } => assert!(!set.contains(id.as_str()), "{id} not removed"),
            Change::CheckIn {
                key_result,
                check_in,
                action,
            } => {
                let there = set.node(key_result.as_str()).is_some_and(|n| {
                    n.check_ins()
                        .iter()
                        .any(|c| c.id.as_ref() == Some(check_in))
                });
                assert_eq!(there, *action != "deleted", "{check_in} {action}: {step:?}");
            }
            _ => {}
        }
    }
}

/// Checks what every set must satisfy: acyclic, every id and link resolves,
/// and the incremental roll-up equals a fresh load of its document.
fn check_set(set: &OkrSet, step: &Step) {
    assert!(is_acyclic(set), "an accepted edit closed a cycle: {step:?}");
    for node in set.nodes() {
        assert!(
            set.node(node.id().as_str()).is_some(),
            "an id does not resolve"
        );
        for target in node.aligned_to().map(|link| link.target()) {
            assert!(set.contains(target.id().as_str()), "a link points nowhere");
        }
    }
    let reloaded = OkrSet::from_document(set.to_document()).expect("an edited set reloads");
    assert_eq!(
        &reloaded, set,
        "incremental state differs from a reload after {step:?}"
    );
}

/// Applies a sequence of steps (single edits through [`OkrSet::apply`],
/// transactions through [`OkrSet::apply_all`]) to a small organisation.
/// After each: a refused step leaves the set `==` to before; an accepted
/// one lists exactly the nodes it moved (against a brute-force diff of every
/// node), what it added, removed and checked in, and leaves a valid set
/// equal to its own reload. At the end the log of accepted edits replays
/// onto the starting document to the live set, and the set's JSON reloads
/// equal. Returns that log (the test side checks it survives JSON lines).
pub(crate) fn edit_sequence(data: &[u8]) -> Vec<Envelope> {
    let start = Document::from_json(SEED).expect("the seed parses");
    let mut set = OkrSet::from_document(start.clone()).expect("the seed loads");
    let mut log: Vec<Vec<Envelope>> = Vec::new();
    let mut deleted: Vec<String> = Vec::new();
    for (index, step) in decode(data).into_iter().enumerate() {
        let mut names = Names::of(&set);
        let envelopes: Vec<Envelope> = step
            .edits
            .iter()
            .enumerate()
            .map(|(sub, (op, e))| {
                let fresh = format!("{index}-{sub}");
                envelope(resolve(op, &set, &mut names, &deleted, &fresh), *e)
            })
            .collect();
        let before = set.clone();
        let before_view = view(&set);
        let result = match envelopes.as_slice() {
            [one] if !step.transaction => set.apply(one.clone()),
            _ => set.apply_all(envelopes.clone()),
        };
        match result {
            Err(error) => {
                assert_eq!(set, before, "a refused {step:?} changed the set: {error}");
                assert!(!error.code().is_empty() && !error.to_string().is_empty());
            }
            Ok(changes) => {
                check_moves(&before_view, &set, &changes, &step);
                if !step.transaction {
                    check_edits(&set, &changes, &step);
                }
                check_set(&set, &step);
                for change in &changes.edits {
                    if let Change::CheckIn {
                        check_in,
                        action: "deleted",
                        ..
                    } = change
                    {
                        deleted.push(check_in.to_string());
                    }
                }
                log.push(envelopes);
            }
        }
    }
    check_replay(&start, &set, &log);
    let json = set.to_document().to_json().expect("json");
    let reloaded = OkrSet::from_json(&json).expect("a set's own JSON loads");
    assert_eq!(reloaded, set, "the set's JSON reloads to another set");
    log.into_iter().flatten().collect()
}

/// The accepted edits, replayed one by one onto the starting document
/// through [`OkrSet::replay`], give the live set (an accepted transaction
/// equals its edits applied one by one).
fn check_replay(start: &Document, live: &OkrSet, log: &[Vec<Envelope>]) {
    let flat: Vec<Envelope> = log.iter().flatten().cloned().collect();
    match OkrSet::replay(start.clone(), flat) {
        Ok(replayed) => assert_eq!(&replayed, live, "the replayed log differs"),
        Err(error) => panic!("the log does not replay: {error}"),
    }
}

/// Depth-first search over the public view (key result → parent, objective →
/// link targets) for a cycle.
pub(crate) fn is_acyclic(set: &OkrSet) -> bool {
    let mut state: HashMap<String, u8> = HashMap::new(); // 1 visiting, 2 done
    for start in set.nodes() {
        if state.contains_key(start.id().as_str()) {
            continue;
        }
        let mut stack = vec![(start, false)];
        while let Some((node, leaving)) = stack.pop() {
            let id = node.id().as_str().to_owned();
            if leaving {
                state.insert(id, 2);
                continue;
            }
            match state.get(&id) {
                Some(2) => continue,
                Some(1) => return false,
                _ => {}
            }
            state.insert(id, 1);
            stack.push((node, true));
            let ups = node
                .parent()
                .into_iter()
                .chain(node.aligned_to().map(|link| link.target()));
            for up in ups {
                match state.get(up.id().as_str()) {
                    Some(1) => return false,
                    Some(2) => {}
                    _ => stack.push((up, false)),
                }
            }
        }
    }
    true
}
