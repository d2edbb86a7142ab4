//! The plain-text review (`OkrSet::to_text`), and one number format across
//! text, DOT, Mermaid and Markdown.

use std::collections::HashMap;

use okrs::{Band, Date, Document, GroupBy, KeyResult, NodeRef, OkrSet, Severity};
use proptest::prelude::*;

use crate::{generate, load};

fn sample() -> OkrSet {
    OkrSet::from_document(okrs::sample::document()).unwrap()
}

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

/// The width of the text review's title column.
const TITLE_WIDTH: usize = 60;

/// A node's line of the text review: the title column, then ` [`, a bar of
/// ten `#` or `.`, and `]`.
fn is_node_line(line: &str) -> bool {
    let after: String = line.chars().skip(TITLE_WIDTH).take(13).collect();
    after.len() == 13
        && after.starts_with(" [")
        && after.ends_with(']')
        && after[2..12].chars().all(|c| c == '#' || c == '.')
}

/// The nodes in the order the text review lists them: level by level, each
/// objective followed by its key results, depth first.
fn text_order(set: &OkrSet) -> Vec<NodeRef<'_>> {
    fn key_results<'a>(node: NodeRef<'a>, out: &mut Vec<NodeRef<'a>>) {
        for kr in node.key_results() {
            out.push(kr);
            key_results(kr, out);
        }
    }
    let mut out = Vec::new();
    for level in set.levels().iter() {
        for objective in set.objectives().filter(|o| o.level() == Some(level)) {
            out.push(objective);
            key_results(objective, &mut out);
        }
    }
    out
}

/// The numbers a rendering shows for a node: progress, and where it shows
/// them, expected progress, forecast and confidence.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Shown {
    progress: String,
    expected: Option<String>,
    forecast: Option<String>,
    confidence: Option<String>,
}

/// Node id → numbers, from the text review.
fn from_text(set: &OkrSet, text: &str) -> HashMap<String, Shown> {
    let lines: Vec<&str> = text.lines().filter(|l| is_node_line(l)).collect();
    let order = text_order(set);
    assert_eq!(lines.len(), order.len(), "a line per node:\n{text}");
    let mut out = HashMap::new();
    for (node, line) in order.iter().zip(lines) {
        let columns: String = line.chars().skip(TITLE_WIDTH + 13).collect();
        let words: Vec<&str> = columns.split_whitespace().collect();
        let after = |key: &str| {
            words
                .iter()
                .position(|w| *w == key)
                .map(|i| words[i + 1].to_owned())
        };
        let shown = Shown {
            progress: words[0].to_owned(),
            expected: after("exp"),
            forecast: after("fc"),
            confidence: after("conf"),
        };
        out.insert(node.id().to_string(), shown);
    }
    out
}

/// Node id → numbers, from the Markdown tables.
fn from_markdown(set: &OkrSet, markdown: &str) -> HashMap<String, Shown> {
    let mut out = HashMap::new();
    for node in set.nodes() {
        let id = format!("`{}`", node.id());
        let row: Vec<&str> = markdown
            .lines()
            .filter(|l| l.starts_with("| "))
            .map(|l| l.split(" | ").collect::<Vec<_>>())
            .find(|cells| cells.get(1) == Some(&id.as_str()))
            .unwrap_or_else(|| panic!("a row for {id}:\n{markdown}"));
        // Objectives: id, level, owners, period, progress; key results:
        // id, objective, owners, progress. Then band, status, expected,
        // forecast, confidence.
        let progress = if node.kind() == okrs::NodeKind::Objective {
            5
        } else {
            4
        };
        let cell = |i: usize| {
            let text = row[i].trim_end_matches(" |");
            (!text.is_empty()).then(|| text.split(' ').next().unwrap().to_owned())
        };
        out.insert(
            node.id().to_string(),
            Shown {
                progress: cell(progress).unwrap(),
                expected: cell(progress + 3),
                forecast: cell(progress + 4),
                confidence: cell(progress + 5),
            },
        );
    }
    out
}

/// Node id → progress, from the DOT labels (`…\nNUMBER"`).
fn from_dot(dot: &str) -> HashMap<String, String> {
    dot.lines()
        .filter(|l| l.contains(" [shape="))
        .map(|l| {
            let id = l.trim_start().split('"').nth(1).unwrap().to_owned();
            let label = l.split("label=\"").nth(1).unwrap();
            let number = label.split('"').next().unwrap().rsplit("\\n").next();
            (id, number.unwrap().to_owned())
        })
        .collect()
}

/// Node id → progress, from the Mermaid labels (`…<br/>NUMBER"`); nodes
/// are named `n0`, `n1`… in the set's node order.
fn from_mermaid(set: &OkrSet, chart: &str) -> HashMap<String, String> {
    let ids: Vec<String> = set.nodes().map(|n| n.id().to_string()).collect();
    chart
        .lines()
        .filter(|l| l.contains(":::"))
        .map(|l| {
            let name = l.trim_start().split(['(', '[']).next().unwrap();
            let index: usize = name.trim_start_matches('n').parse().unwrap();
            let number = l.split("<br/>").nth(1).unwrap().split('"').next().unwrap();
            (ids[index].clone(), number.to_owned())
        })
        .collect()
}

/// Asserts that every node shows the same numbers in text, Markdown, DOT
/// and Mermaid as of a date. DOT and Mermaid draw the set as it stands, so
/// the set must hold no check-in after the date.
fn assert_same_numbers(set: &OkrSet, as_of: Date) {
    let text = from_text(set, &set.to_text(as_of));
    let markdown = from_markdown(set, &set.to_markdown(as_of));
    let dot = from_dot(&set.to_dot());
    let mermaid = from_mermaid(set, &set.to_mermaid());
    assert_eq!(text.len(), set.nodes().count());
    for node in set.nodes() {
        let id = node.id().to_string();
        let shown = &text[&id];
        assert_eq!(shown, &markdown[&id], "{id} as of {as_of}: text, Markdown");
        assert_eq!(shown.progress, dot[&id], "{id} as of {as_of}: text, DOT");
        assert_eq!(
            shown.progress, mermaid[&id],
            "{id} as of {as_of}: text, Mermaid"
        );
    }
}

/// The sample as it stood on a date: its check-ins after the date dropped.
fn sample_as_it_stood(as_of: Date) -> OkrSet {
    fn drop_later(key_results: &mut [KeyResult], as_of: Date) {
        for kr in key_results {
            kr.check_ins.retain(|c| c.at.date() <= as_of);
            drop_later(&mut kr.key_results, as_of);
        }
    }
    let mut document: Document = okrs::sample::document();
    for objective in &mut document.objectives {
        drop_later(&mut objective.key_results, as_of);
    }
    OkrSet::from_document(document).unwrap()
}

#[test]
fn the_sample_review_has_levels_bands_statuses_and_health_checks() {
    let set = sample();
    let as_of = date("2026-11-23");
    let text = set.to_text(as_of);
    assert!(text.starts_with("alignment: cascading, strategy: weighted-mean, levels: company > department > team > individual\n"));
    assert!(text.contains("\nperiod 2026-Q3: 2026-07-01 to 2026-09-30, closed\n"));
    assert!(text.contains("\ncolumns: progress as of 2026-11-23, "));

    // A section per level with objectives, in level order.
    let review = set.review(as_of);
    let by_level = set.distribution(&review, GroupBy::Level);
    let sections: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("== ")?.strip_suffix(" =="))
        .collect();
    let levels: Vec<&str> = by_level.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(sections, levels);
    assert_eq!(sections, ["company", "team", "individual"]);

    // Band and status counts are the distribution's.
    let band = |b: Band| -> usize { by_level.iter().map(|(_, d)| d.band_count(b)).sum() };
    let bands = format!(
        "\nobjectives: {} green, {} yellow, {} red\n",
        band(Band::Green),
        band(Band::Yellow),
        band(Band::Red)
    );
    assert!(text.contains(&bands), "{bands} in\n{text}");
    assert!(text.contains("\nobjectives: 2 green, 6 yellow, 0 red\n"));
    let status_line = text.lines().find(|l| l.starts_with("status: ")).unwrap();
    let mut listed = 0;
    for part in status_line.trim_start_matches("status: ").split(", ") {
        let (count, status) = part.split_once(' ').unwrap();
        let status = set
            .objectives()
            .filter_map(|o| review.get(o.id().as_str())?.status)
            .find(|s| s.to_string() == status)
            .unwrap();
        let expected: usize = by_level.iter().map(|(_, d)| d.status_count(status)).sum();
        assert_eq!(count.parse::<usize>().unwrap(), expected, "{status}");
        listed += expected;
    }
    assert_eq!(
        listed,
        set.objectives().count(),
        "every objective has a status"
    );
    // Aspirational objectives aim at 0.7 of their plans, plans roll up, and
    // the closed quarter's objective is over: missed (it was 5 on-track,
    // 2 at-risk, 1 off-track).
    assert_eq!(status_line, "status: 7 on-track, 1 missed");

    // The health-check counts are lint's.
    let findings = set.lint(as_of);
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let health = format!(
        "\nhealth checks: {} errors, {} warnings, {} notes (the lint command lists them)\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Note)
    );
    assert!(text.contains(&health), "{health} in\n{text}");

    // Details under objectives, and the numbers of a key result.
    assert!(text.contains("\n      owner: dir-bizops, period 2026-Q4\n"));
    assert!(text.contains("\n      closed at 0.55 (yellow)\n"));
    assert!(text.contains("\n      carried forward to referrals@2026-Q4\n"));
    assert!(text.contains("\n      supports improve-nps (weight 1)\n"));
    let enps = text
        .lines()
        .find(|l| l.starts_with("  KR Raise eNPS"))
        .unwrap();
    assert!(
        enps.ends_with(
            "[######....] 0.60 yellow | on-track    exp 0.90  fc 0.67 yellow  conf 0.70 high"
        ),
        "{enps}"
    );
}

#[test]
fn long_titles_are_cut_with_an_ellipsis_at_the_column_width() {
    let long = "Make the onboarding of every new engineer a delight from day one onwards";
    let fits = "x".repeat(TITLE_WIDTH - 3); // "O  " + 57 = 60
    let set = load(&format!(
        r#"{{ "format": "okrs/1", "objectives": [
        {{ "id": "o", "title": "{long}", "level": "company",
          "key_results": [
            {{ "id": "k", "title": "{long}",
              "key_results": [ {{ "id": "s", "title": "{long}",
                "metric": {{ "kind": "manual", "progress": "0.5" }} }} ] }},
            {{ "id": "fits", "title": "{fits}", "metric": {{ "kind": "binary" }} }} ] }},
        {{ "id": "exact", "title": "{fits}", "level": "company" }} ] }}"#
    ));
    let text = set.to_text(date("2027-01-01"));
    let lines: Vec<&str> = text.lines().filter(|l| is_node_line(l)).collect();
    assert_eq!(lines.len(), 5, "{text}");
    let title = |line: &str| -> String { line.chars().take(TITLE_WIDTH).collect() };
    // Cut: the first 59 characters, indent and marker included, then `…`.
    for (line, prefix) in [
        (lines[0], "O  "),
        (lines[1], "  KR "),
        (lines[2], "    KR "),
    ] {
        let shown = title(line);
        assert_eq!(shown.chars().count(), TITLE_WIDTH);
        assert!(shown.ends_with('…'), "{shown}");
        let kept = format!("{prefix}{long}")
            .chars()
            .take(TITLE_WIDTH - 1)
            .collect::<String>();
        assert_eq!(shown, format!("{kept}…"));
    }
    // With a deeper marker, the same title is cut.
    assert_eq!(
        title(lines[3]),
        format!("  KR {}…", &fits[..TITLE_WIDTH - 6])
    );
    // Exactly the column's width: whole, no ellipsis.
    assert_eq!(title(lines[4]), format!("O  {fits}"));
    assert!(!lines[4].contains('…'));
    // The bar starts in the same column on every line.
    assert!(
        lines
            .iter()
            .all(|l| l.chars().nth(TITLE_WIDTH + 1) == Some('['))
    );
    // Half way, half a bar, and two places.
    assert!(lines[2].contains(" [#####.....] 0.50 "), "{}", lines[2]);
}

#[test]
fn ties_round_half_away_from_zero_in_every_rendering() {
    let set = load(
        r#"{ "format": "okrs/1", "objectives": [
        { "id": "o", "title": "O", "level": "company",
          "key_results": [
            { "id": "a", "title": "A", "metric": { "kind": "manual", "progress": "0.125" } },
            { "id": "b", "title": "B", "metric": { "kind": "manual", "progress": "0.5" } },
            { "id": "c", "title": "C", "metric": { "kind": "manual", "progress": "0.005" } },
            { "id": "d", "title": "D", "metric": { "kind": "binary", "done": true } } ] } ] }"#,
    );
    let as_of = date("2027-01-01");
    let text = from_text(&set, &set.to_text(as_of));
    let shown = |id: &str| text[id].progress.clone();
    // o = (0.125 + 0.5 + 0.005 + 1) / 4 = 0.4075
    assert_eq!(
        [shown("o"), shown("a"), shown("b"), shown("c"), shown("d")],
        ["0.41", "0.13", "0.50", "0.01", "1.00"]
    );
    assert_same_numbers(&set, as_of);
}

#[test]
fn every_rendering_shows_a_node_of_the_sample_with_the_same_numbers() {
    // 2026-03-17: `arr` expects 0.125; 2026-07-15: `arr` stands at 0.325;
    // 2026-10-15: `grow-bizops` and `onboard-well` stand at 0.125 — ties
    // that banker's rounding would show otherwise.
    for day in [
        "2026-03-17",
        "2026-07-15",
        "2026-10-01",
        "2026-10-15",
        "2026-10-25",
        "2026-11-23",
        "2026-12-31",
    ] {
        let as_of = date(day);
        let set = sample_as_it_stood(as_of);
        assert_same_numbers(&set, as_of);
        // Text and Markdown of the whole sample, which take the date, agree too.
        let whole = sample();
        assert_eq!(
            from_text(&whole, &whole.to_text(as_of)),
            from_markdown(&whole, &whole.to_markdown(as_of)),
            "as of {day}"
        );
    }
    let set = sample_as_it_stood(date("2026-07-15"));
    let text = from_text(&set, &set.to_text(date("2026-07-15")));
    assert_eq!(text["arr"].progress, "0.33");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Generated organisations (no periods, no check-ins: the set as it
    /// stands is the set as of any date).
    #[test]
    fn any_set_shows_each_node_with_one_number(doc in generate::document()) {
        let set = OkrSet::from_document(doc).unwrap();
        assert_same_numbers(&set, date("2027-01-01"));
    }
}
