//! Private objectives through the API: a person reads only what their
//! view shows — in every endpoint, export, the audit log, the answers to
//! their writes and the event stream — a node they may not see is
//! answered exactly as an unknown one, an edit naming it is refused as one
//! and changes nothing, and the numbers they read are those of their view.
//!
//! The server's sample has one private objective, `berlin-office` ("Open a
//! sales office in Berlin"), owned by `coo`, seen by the `leadership`
//! group (ceo, coo, cro) and by `head-people`, who owns its key result
//! `berlin-hires`; it contributes to the public `grow-revenue`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use common::{TestApp, check_in, start};
use okrs::{OkrSet, Viewer};
use serde_json::Value;

const ADMIN: &str = "admin-token";
const ANA: &str = "ana-token"; // sales: may not see it
const BIZOPS: &str = "dir-bizops-token"; // may not see it
const COO: &str = "coo-token"; // owns it
const CEO: &str = "ceo-token"; // in leadership, a listed viewer
const PEOPLE: &str = "head-people-token"; // owns one of its key results

const HIDDEN_IDS: [&str; 3] = ["berlin-office", "berlin-lease", "berlin-hires"];
const AS_OF: &str = "2026-12-01";

/// Whether a body shows anything of the private objective: its ids,
/// titles (all say "Berlin") or check-ins.
fn leaks(text: &str) -> bool {
    text.to_lowercase().contains("berlin")
}

/// Every read a person can make, with its path. A read that asks for a
/// hidden node by id is answered with that id (as for any unknown id): it
/// is blanked out of the text.
async fn every_read(t: &TestApp, token: &str) -> Vec<(String, StatusCode, String)> {
    let mut paths: Vec<String> = vec![
        "/api/me".into(),
        "/api/periods".into(),
        format!("/api/review?as_of={AS_OF}"),
        format!("/api/review?as_of={AS_OF}&period=FY2026"),
        "/api/coverage".into(),
        format!("/api/lint?as_of={AS_OF}"),
        "/api/edits".into(),
        "/api/edits?limit=10000".into(),
        "/api/impact/grow-revenue".into(),
        format!("/api/nodes/grow-revenue?as_of={AS_OF}"),
        format!("/api/review/grow-revenue?as_of={AS_OF}"),
    ];
    for format in ["json", "csv", "dot", "mermaid", "markdown"] {
        paths.push(format!("/api/export/{format}?as_of={AS_OF}"));
    }
    for id in HIDDEN_IDS {
        paths.push(format!("/api/nodes/{id}?as_of={AS_OF}"));
        paths.push(format!("/api/review/{id}?as_of={AS_OF}"));
        paths.push(format!("/api/impact/{id}"));
        paths.push(format!("/api/edits?node={id}"));
    }
    let mut out = Vec::new();
    for path in paths {
        let answer = t.get(&path, token).await;
        let mut text = answer.text;
        if let Some(asked) = HIDDEN_IDS.iter().find(|id| path.contains(*id)) {
            text = text.replace(asked, "(the id asked for)");
        }
        out.push((path, answer.status, text));
    }
    out
}

/// Progress by node id in a review.
fn progress(review: &Value) -> BTreeMap<String, String> {
    review["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["id"].as_str().unwrap().to_owned(),
                n["progress"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The set as the admin exports it now.
async fn admin_set(t: &TestApp) -> OkrSet {
    let json = t.get("/api/export/json", ADMIN).await.text;
    OkrSet::from_json(&json).unwrap()
}

/// The viewer a token stands for, as the server makes it.
fn viewer_of(token: &str) -> Option<Viewer> {
    let file: Value = serde_json::from_str(okrs_server::auth::SAMPLE_TOKENS).unwrap();
    let entry = file["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["token"] == token)
        .unwrap();
    if entry["admin"] == true {
        return None;
    }
    let mut viewer = Viewer::new(entry["person"].as_str().unwrap());
    let mut groups: Vec<String> = entry["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap().to_owned())
        .collect();
    groups.sort();
    for group in groups {
        viewer = viewer.in_group(group);
    }
    Some(viewer)
}

fn sample_tokens() -> Vec<String> {
    let file: Value = serde_json::from_str(okrs_server::auth::SAMPLE_TOKENS).unwrap();
    file["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["token"].as_str().unwrap().to_owned())
        .collect()
}

/// The review progress the library's own view gives a token's person.
fn expected_progress(set: &OkrSet, token: &str) -> BTreeMap<String, String> {
    let date: okrs::Date = AS_OF.parse().unwrap();
    let view = viewer_of(token).map(|viewer| set.view(&viewer));
    let set = view.as_ref().map_or(set, |v| v.set());
    set.review(date)
        .iter()
        .map(|r| (r.id.as_str().to_owned(), r.progress.to_string()))
        .collect()
}

/// An error body with one id replaced by another, to compare the answer
/// for a hidden node with that for an unknown one.
fn error_as(answer: &common::Answer, from: &str, to: &str) -> (StatusCode, String) {
    (answer.status, answer.text.replace(from, to))
}

#[tokio::test]
async fn a_person_who_may_not_see_it_finds_it_in_no_read() {
    let t = start("privacy-reads");
    // Something about it in the log, too.
    assert_eq!(
        t.post(ADMIN, &check_in("berlin-hires", "2")).await.status,
        StatusCode::OK
    );
    for token in [ANA, BIZOPS] {
        for (path, status, text) in every_read(&t, token).await {
            assert!(!leaks(&text), "{token} {path}: {text}");
            assert!(
                status == StatusCode::OK || status == StatusCode::NOT_FOUND,
                "{token} {path}: {status} {text}"
            );
        }
        // A hidden node is answered exactly as one that does not exist:
        // 404 unknown-node, never 403.
        for id in HIDDEN_IDS {
            for path in [
                format!("/api/nodes/{id}"),
                format!("/api/review/{id}"),
                format!("/api/impact/{id}"),
            ] {
                let hidden = t.get(&path, token).await;
                assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{path}");
                assert_eq!(hidden.code(), "unknown-node", "{path}");
                let unknown = t.get(&path.replace(id, "no-such-node"), token).await;
                assert_eq!(
                    error_as(&hidden, id, "no-such-node"),
                    (unknown.status, unknown.text),
                    "{path}"
                );
            }
            let audit = t.get(&format!("/api/edits?node={id}"), token).await;
            assert_eq!(audit.json()["edits"], serde_json::json!([]));
        }
    }
}

#[tokio::test]
async fn its_owner_a_listed_group_and_a_key_result_owner_see_it_and_count_it() {
    let t = start("privacy-see");
    let set = admin_set(&t).await;
    let admin = progress(
        &t.get(&format!("/api/review?as_of={AS_OF}"), ADMIN)
            .await
            .json(),
    );
    for token in [COO, CEO, PEOPLE] {
        for id in HIDDEN_IDS {
            let node = t
                .get(&format!("/api/nodes/{id}?as_of={AS_OF}"), token)
                .await;
            assert_eq!(node.status, StatusCode::OK, "{token} {id}: {}", node.text);
        }
        let export = t.get("/api/export/markdown", token).await.text;
        assert!(export.contains("Open a sales office in Berlin"), "{token}");
        let review = progress(
            &t.get(&format!("/api/review?as_of={AS_OF}"), token)
                .await
                .json(),
        );
        assert_eq!(review, admin, "{token}");
        assert_eq!(review, expected_progress(&set, token));
    }
    // Anyone else reads "Grow new revenue" without it: the exclude rule.
    let ana = progress(
        &t.get(&format!("/api/review?as_of={AS_OF}"), ANA)
            .await
            .json(),
    );
    assert_ne!(ana["grow-revenue"], admin["grow-revenue"]);
    assert_eq!(ana, expected_progress(&set, ANA));
    assert!(!ana.contains_key("berlin-office"));
}

/// The edits a person without access may try on the private objective,
/// each with the same edit on a node that does not exist.
fn edits_on_hidden_nodes() -> Vec<(String, &'static str, &'static str)> {
    vec![
        (
            r#"{"op": "set-title", "id": "berlin-office", "title": "Mine"}"#.into(),
            "berlin-office",
            "no-such-objective",
        ),
        (check_in("berlin-hires", "3"), "berlin-hires", "no-such-key-result"),
        (
            r#"{"op": "correct-check-in", "check_in": "berlin-hires#1", "value": "2", "reason": "typo"}"#.into(),
            "berlin-hires",
            "no-such-key-result",
        ),
        (
            r#"{"op": "delete-check-in", "check_in": "berlin-hires#1", "reason": "typo"}"#.into(),
            "berlin-hires",
            "no-such-key-result",
        ),
        (
            r#"{"op": "add-link", "from": "close-200k", "link": {"id": "berlin-office"}}"#.into(),
            "berlin-office",
            "no-such-objective",
        ),
        (
            r#"{"op": "add-key-result", "parent": "berlin-office", "key_result": {"id": "spy", "title": "Spy"}}"#.into(),
            "berlin-office",
            "no-such-objective",
        ),
        (
            r#"{"op": "set-visibility", "id": "berlin-office", "visibility": "public"}"#.into(),
            "berlin-office",
            "no-such-objective",
        ),
        (
            r#"{"op": "remove-objective", "id": "berlin-office"}"#.into(),
            "berlin-office",
            "no-such-objective",
        ),
        (
            r#"{"op": "set-metric", "id": "berlin-lease", "metric": {"kind": "binary"}}"#.into(),
            "berlin-lease",
            "no-such-key-result",
        ),
        (
            r#"{"op": "add-objective", "objective": {"id": "mine", "title": "Mine", "level": "individual", "owners": ["ana"], "aligned_to": [{"id": "berlin-office"}]}}"#.into(),
            "berlin-office",
            "no-such-objective",
        ),
        // In a list: after an edit the engine takes...
        (
            format!(
                "[{}, {}]",
                check_in("closed-revenue", "1000"),
                check_in("berlin-hires", "3")
            ),
            "berlin-hires",
            "no-such-key-result",
        ),
        // ... and after one it refuses (a key result measured by
        // milestones takes the milestones reached, not a number): that
        // refusal is the answer, as for an unknown node.
        (
            format!(
                "[{}, {}]",
                check_in("top-accounts", "2"),
                check_in("berlin-hires", "3")
            ),
            "berlin-hires",
            "no-such-key-result",
        ),
    ]
}

#[tokio::test]
async fn an_edit_naming_a_hidden_node_is_refused_as_an_unknown_one_and_changes_nothing() {
    let t = start("privacy-writes");
    let before = t.get("/api/export/json", ADMIN).await.text;
    for token in [ANA, BIZOPS] {
        for (body, id, unknown_id) in edits_on_hidden_nodes() {
            let hidden = t.post(token, &body).await;
            if token == ANA && body.contains("top-accounts") {
                assert_eq!(hidden.code(), "check-in-value", "{}", hidden.text);
            }
            assert!(
                hidden.status.is_client_error(),
                "{token} {body}: {}",
                hidden.text
            );
            // Never a 403 for the hidden node, which would tell it exists
            // (a 403 for a visible node of someone else's is as for any).
            assert!(
                hidden.status != StatusCode::FORBIDDEN || !hidden.text.contains(id),
                "{body}: {}",
                hidden.text
            );
            assert!(
                !leaks(&hidden.text.replace(id, "")),
                "{body}: {}",
                hidden.text
            );
            let unknown = t.post(token, &body.replace(id, unknown_id)).await;
            assert_eq!(
                error_as(&hidden, id, unknown_id),
                (unknown.status, unknown.text),
                "{token} {body}"
            );
        }
    }
    assert_eq!(
        t.get("/api/edits", ADMIN).await.json()["edits"],
        serde_json::json!([])
    );
    assert_eq!(t.logged(), 0);
    assert_eq!(t.get("/api/export/json", ADMIN).await.text, before);
    // The simplest case spelled out: 404 unknown-node naming the id asked for.
    let refused = t
        .post(
            ANA,
            r#"{"op": "set-title", "id": "berlin-office", "title": "x"}"#,
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(refused.code(), "unknown-node");
    assert_eq!(refused.json()["ids"], serde_json::json!(["berlin-office"]));
}

#[tokio::test]
async fn who_may_see_it_is_for_its_owners_and_admins_to_change() {
    let t = start("privacy-visibility");
    let public = r#"{"op": "set-visibility", "id": "berlin-office", "visibility": "public"}"#;
    let private = r#"{"op": "set-visibility", "id": "berlin-office", "visibility": "private", "viewers": ["leadership"]}"#;
    // Seeing it is not owning it; owning a key result is not owning it.
    for token in [CEO, PEOPLE] {
        let refused = t.post(token, public).await;
        assert_eq!(
            refused.status,
            StatusCode::FORBIDDEN,
            "{token}: {}",
            refused.text
        );
    }
    assert_eq!(t.logged(), 0);
    // The person who may see it edits what they own in it.
    assert_eq!(
        t.post(PEOPLE, &check_in("berlin-hires", "2")).await.status,
        StatusCode::OK
    );
    let answer = t.post(COO, public).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    // Now everyone sees it...
    let node = t.get("/api/nodes/berlin-office", ANA).await;
    assert_eq!(node.status, StatusCode::OK);
    let set = admin_set(&t).await;
    let ana = progress(
        &t.get(&format!("/api/review?as_of={AS_OF}"), ANA)
            .await
            .json(),
    );
    assert_eq!(ana, expected_progress(&set, ADMIN));
    // ... until its owner makes it private again.
    assert_eq!(t.post(COO, private).await.status, StatusCode::OK);
    assert_eq!(
        t.get("/api/nodes/berlin-office", ANA).await.status,
        StatusCode::NOT_FOUND
    );
    let set = admin_set(&t).await;
    let ana = progress(
        &t.get(&format!("/api/review?as_of={AS_OF}"), ANA)
            .await
            .json(),
    );
    assert_eq!(ana, expected_progress(&set, ANA));
    assert!(!ana.contains_key("berlin-office"));
    // And an admin may.
    assert_eq!(t.post(ADMIN, public).await.status, StatusCode::OK);
    assert_eq!(t.logged(), 4);
}

#[tokio::test]
async fn the_answer_to_a_write_holds_the_writers_view() {
    let t = start("privacy-answers");
    // ana's check-in moves her objective and "Grow new revenue": as her
    // view counts it, without the private objective.
    let written = t.post(ANA, &check_in("closed-revenue", "150000")).await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.text);
    assert!(!leaks(&written.text));
    let set = admin_set(&t).await;
    let mine = expected_progress(&set, ANA);
    let all = expected_progress(&set, ADMIN);
    let moved = written.json()["changes"]["moved"].clone();
    let grow = moved
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "grow-revenue")
        .unwrap_or_else(|| panic!("{moved}"));
    assert_eq!(grow["progress"].as_str().unwrap(), mine["grow-revenue"]);
    assert_ne!(grow["progress"].as_str().unwrap(), all["grow-revenue"]);

    // The head of people's check-in on the private key result, as they
    // see it: the private objective and the whole of "Grow new revenue".
    let written = t.post(PEOPLE, &check_in("berlin-hires", "3")).await.json();
    let set = admin_set(&t).await;
    let all = expected_progress(&set, ADMIN);
    let ids: Vec<&str> = written["changes"]["moved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"berlin-office") && ids.contains(&"grow-revenue"),
        "{ids:?}"
    );
    let grow = written["changes"]["moved"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "grow-revenue")
        .unwrap();
    assert_eq!(grow["progress"].as_str().unwrap(), all["grow-revenue"]);
}

/// Reads one server-sent event from a stream (`None` after `wait`).
async fn next_event(
    body: &mut axum::body::Body,
    wait: std::time::Duration,
) -> Option<(String, Value)> {
    use http_body_util::BodyExt;
    let mut text = String::new();
    while !text.contains("\n\n") {
        let frame = tokio::time::timeout(wait, body.frame()).await.ok()??.ok()?;
        if let Ok(data) = frame.into_data() {
            text.push_str(&String::from_utf8_lossy(&data));
        }
    }
    let name = text
        .lines()
        .find_map(|l| l.strip_prefix("event: "))?
        .to_owned();
    let data = text.lines().find_map(|l| l.strip_prefix("data: "))?;
    Some((name, serde_json::from_str(data).unwrap_or(Value::Null)))
}

async fn listen(t: &TestApp, token: &str) -> axum::body::Body {
    use tower::ServiceExt;
    let request = axum::http::Request::get(format!("/api/events?access_token={token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let response = t.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.into_body()
}

#[tokio::test]
async fn each_listener_receives_only_what_their_view_shows() {
    let t = start("privacy-events");
    let second = std::time::Duration::from_secs(5);
    let mut ana = listen(&t, ANA).await;
    let mut ceo = listen(&t, CEO).await;
    let mut admin = listen(&t, ADMIN).await;
    // 1: on the private objective only; 2: on "Reach 2M in new ARR", which
    // moves "Grow new revenue" — differently for ana than for the others.
    assert_eq!(
        t.post(ADMIN, &check_in("berlin-hires", "2")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        t.post(ADMIN, &check_in("arr", "1500000")).await.status,
        StatusCode::OK
    );
    let set = admin_set(&t).await;
    let (name, first) = next_event(&mut ana, second).await.unwrap();
    assert_eq!(name, "changes");
    assert_eq!(first["seq"], 2, "ana hears nothing of edit 1: {first}");
    assert!(!leaks(&first.to_string()), "{first}");
    let grow = |event: &Value| {
        event["changes"]["moved"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == "grow-revenue")
            .unwrap_or_else(|| panic!("{event}"))["progress"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(grow(&first), expected_progress(&set, ANA)["grow-revenue"]);
    for stream in [&mut ceo, &mut admin] {
        let (_, one) = next_event(stream, second).await.unwrap();
        assert_eq!(one["seq"], 1);
        assert!(leaks(&one.to_string()));
        let (_, two) = next_event(stream, second).await.unwrap();
        assert_eq!(two["seq"], 2);
        assert_eq!(grow(&two), expected_progress(&set, ADMIN)["grow-revenue"]);
    }
    // A list by an admin about both: ana hears her part only.
    let list = format!(
        "[{}, {}]",
        check_in("berlin-hires", "3"),
        check_in("hire-sdrs", "2")
    );
    assert_eq!(t.post(ADMIN, &list).await.status, StatusCode::OK);
    let (_, part) = next_event(&mut ana, second).await.unwrap();
    assert_eq!(part["ops"], serde_json::json!(["record-check-in"]));
    assert_eq!(part["nodes"], serde_json::json!(["hire-sdrs"]));
    assert!(!leaks(&part.to_string()), "{part}");
    // Made public, it appears for ana with the change that showed it;
    // made private again, she hears that it went, and nothing after.
    let public = r#"{"op": "set-visibility", "id": "berlin-office", "visibility": "public"}"#;
    assert_eq!(t.post(ADMIN, public).await.status, StatusCode::OK);
    let (_, shown) = next_event(&mut ana, second).await.unwrap();
    assert!(
        shown["changes"]["moved"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == "berlin-office" && m.get("progress_before").is_none()),
        "{shown}"
    );
    let private = r#"{"op": "set-visibility", "id": "berlin-office", "visibility": "private", "viewers": ["leadership"]}"#;
    assert_eq!(t.post(ADMIN, private).await.status, StatusCode::OK);
    let (_, gone) = next_event(&mut ana, second).await.unwrap();
    assert!(
        gone["changes"]["moved"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == "berlin-office" && m.get("progress").is_none()),
        "{gone}"
    );
    assert_eq!(
        t.post(ADMIN, &check_in("berlin-hires", "4")).await.status,
        StatusCode::OK
    );
    assert!(
        next_event(&mut ana, std::time::Duration::from_millis(300))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn the_audit_log_leaves_out_every_edit_naming_a_hidden_node() {
    let t = start("privacy-audit");
    let list = format!(
        "[{}, {}]",
        check_in("berlin-hires", "3"),
        check_in("hire-sdrs", "2")
    );
    assert_eq!(t.post(ADMIN, &list).await.status, StatusCode::OK);
    let link = r#"{"op": "add-link", "from": "berlin-office", "link": {"id": "great-place"}}"#;
    assert_eq!(
        t.post(ADMIN, link).await.status,
        StatusCode::OK,
        "{}",
        t.post(ADMIN, link).await.text
    );
    assert_eq!(
        t.post(ADMIN, &check_in("closed-revenue", "1")).await.status,
        StatusCode::OK
    );
    let seqs = |answer: &Value| -> Vec<u64> {
        answer["edits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_u64().unwrap())
            .collect()
    };
    let ana = t.get("/api/edits", ANA).await;
    assert!(!leaks(&ana.text), "{}", ana.text);
    assert_eq!(seqs(&ana.json()), [2, 4]);
    // The limit counts what is shown: the hidden ones do not use it up.
    assert_eq!(seqs(&t.get("/api/edits?limit=2", ANA).await.json()), [2, 4]);
    assert_eq!(
        seqs(&t.get("/api/edits?limit=1&after=2", ANA).await.json()),
        [4]
    );
    assert_eq!(seqs(&t.get("/api/edits", CEO).await.json()), [1, 2, 3, 4]);
    assert_eq!(
        seqs(&t.get("/api/edits?node=berlin-hires", CEO).await.json()),
        [1]
    );
    assert_eq!(
        seqs(&t.get("/api/edits?node=berlin-hires", ANA).await.json()),
        [] as [u64; 0]
    );
}

/// Every sample token, through a run of edits by the admin (check-ins
/// on public and private key results, the private objective made public
/// and private again): each reads exactly its view — every review number
/// that of the library's view of the admin's set, every hidden id and
/// title absent from every read, every visible node answered.
#[tokio::test]
async fn every_token_reads_exactly_its_view_through_a_run_of_edits() {
    let t = start("privacy-property");
    let public = r#"{"op": "set-visibility", "id": "berlin-office", "visibility": "public"}"#;
    let private = r#"{"op": "set-visibility", "id": "berlin-office", "visibility": "private", "viewers": ["leadership"]}"#;
    let steps: Vec<String> = vec![
        String::new(),
        check_in("berlin-hires", "3"),
        check_in("arr", "1900000"),
        format!(
            "[{}, {}]",
            check_in("berlin-hires", "1"),
            check_in("closed-revenue", "90000")
        ),
        public.into(),
        check_in("berlin-hires", "4"),
        private.into(),
        r#"{"op": "set-title", "id": "berlin-lease", "title": "Sign the Berlin lease"}"#.into(),
        r#"{"op": "set-owners", "id": "berlin-hires", "owners": ["ana"]}"#.into(),
        check_in("berlin-hires", "2"),
    ];
    let tokens = sample_tokens();
    let mut listeners = Vec::new();
    for token in &tokens {
        listeners.push((token.clone(), listen(&t, token).await));
    }
    // Per step: its last sequence number, and per token what its view
    // left out and the progress it showed after it.
    let mut seq_of_step = Vec::new();
    let mut hidden_at: Vec<BTreeMap<String, Vec<String>>> = Vec::new();
    let mut progress_at: Vec<BTreeMap<String, BTreeMap<String, String>>> = Vec::new();
    for (step, body) in steps.iter().enumerate() {
        let mut seq = 0;
        if !body.is_empty() {
            let answer = t.post(ADMIN, body).await;
            assert_eq!(answer.status, StatusCode::OK, "{body}: {}", answer.text);
            seq = answer.json()["seq"].as_u64().unwrap();
        }
        seq_of_step.push(seq);
        let set = admin_set(&t).await;
        let mut hidden_now = BTreeMap::new();
        let mut progress_now = BTreeMap::new();
        for token in &tokens {
            let viewer = viewer_of(token);
            let view = viewer.as_ref().map(|v| set.view(v));
            let seen = view.as_ref().map_or(&set, |v| v.set());
            let review = t
                .get(&format!("/api/review?as_of={AS_OF}"), token)
                .await
                .json();
            let expected = expected_progress(&set, token);
            assert_eq!(progress(&review), expected, "step {step}: {token}");
            // What the view leaves out is nowhere; what it holds answers.
            let hidden: Vec<String> = set
                .nodes()
                .filter(|n| !seen.contains(n.id().as_str()))
                .flat_map(|n| [n.id().as_str().to_owned(), n.title().to_owned()])
                .collect();
            for (path, _, text) in every_read(&t, token).await {
                for needle in &hidden {
                    assert!(
                        !text.contains(needle.as_str()),
                        "step {step}: {token} {path} shows {needle}"
                    );
                }
            }
            for node in set
                .nodes()
                .filter(|n| n.kind() != okrs::NodeKind::Initiative)
            {
                let id = node.id().as_str();
                let status = t.get(&format!("/api/nodes/{id}"), token).await.status;
                let expected = if seen.contains(id) {
                    StatusCode::OK
                } else {
                    StatusCode::NOT_FOUND
                };
                assert_eq!(status, expected, "step {step}: {token} {id}");
            }
            // The committed views agree with the library's, byte for byte.
            let export = t.get("/api/export/json", token).await.text;
            assert_eq!(
                export,
                seen.to_document().to_json().unwrap(),
                "step {step}: {token}"
            );
            hidden_now.insert(token.clone(), hidden);
            progress_now.insert(token.clone(), expected);
        }
        hidden_at.push(hidden_now);
        progress_at.push(progress_now);
    }
    // Each listener heard of each step only what its view showed before
    // or after it, with the numbers of its view after it.
    for (token, mut stream) in listeners {
        let mut heard = 0;
        while let Some((name, event)) =
            next_event(&mut stream, std::time::Duration::from_millis(200)).await
        {
            assert_eq!(name, "changes", "{token}: {event}");
            let step = seq_of_step
                .iter()
                .position(|seq| event["seq"] == *seq)
                .unwrap_or_else(|| panic!("{token}: {event}"));
            let text = event.to_string();
            for needle in &hidden_at[step - 1][&token] {
                if hidden_at[step][&token].contains(needle) {
                    assert!(
                        !text.contains(needle.as_str()),
                        "step {step}: {token}: {event}"
                    );
                }
            }
            for moved in event["changes"]["moved"].as_array().unwrap() {
                if let Some(after) = moved["progress"].as_str() {
                    assert_eq!(
                        Some(after),
                        progress_at[step][&token]
                            .get(moved["id"].as_str().unwrap())
                            .map(String::as_str),
                        "step {step}: {token}: {event}"
                    );
                }
            }
            heard += 1;
        }
        assert!(heard > 0, "{token}");
    }
}

#[tokio::test]
async fn a_refusal_because_of_a_hidden_node_does_not_name_it() {
    let t = start("privacy-refusal");
    // ana owns "Delight our customers", which the private objective (and
    // public ones) support.
    for body in [
        r#"{"op": "set-owners", "id": "delight-customers", "owners": ["ana"]}"#,
        r#"{"op": "add-link", "from": "berlin-office", "link": {"id": "delight-customers"}}"#,
    ] {
        let answer = t.post(ADMIN, body).await;
        assert_eq!(answer.status, StatusCode::OK, "{body}: {}", answer.text);
    }
    let before = t.logged();
    let remove = r#"{"op": "remove-objective", "id": "delight-customers"}"#;
    let admin = t.post(ADMIN, &format!("[{remove}]")).await;
    assert_eq!(admin.status, StatusCode::CONFLICT, "{}", admin.text);
    assert!(leaks(&admin.text), "the admin is told: {}", admin.text);
    let refused = t.post(ANA, remove).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    assert_eq!(refused.code(), admin.code());
    assert!(!leaks(&refused.text), "{}", refused.text);
    assert_eq!(t.logged(), before);
}
