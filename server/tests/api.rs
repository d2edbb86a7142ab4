//! The HTTP API through the router (tower's `oneshot`): every endpoint,
//! who may do what, bad input, and that a refused request leaves the log
//! and the set unchanged.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use axum::http::StatusCode;
use common::{check_in, start};
use serde_json::Value;

const OWNER: &str = "dir-bizops-token"; // owns grow-bizops and hire-sdrs
const OTHER: &str = "ana-token"; // owns close-200k only
const ADMIN: &str = "admin-token";

fn progress(review: &Value, id: &str) -> String {
    review["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in the review"))["progress"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn every_read_endpoint_answers() {
    let t = start("reads");
    let me = t.get("/api/me", OWNER).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["person"], "dir-bizops");
    // The scheme is case-insensitive; the token is not.
    let request = axum::http::Request::get("/api/me")
        .header("authorization", format!("bearer {OWNER}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let answer = tower::ServiceExt::oneshot(t.router.clone(), request)
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(
        t.get("/api/me", "DIR-BIZOPS-TOKEN").await.status,
        StatusCode::UNAUTHORIZED
    );
    // Only the event stream takes the token in the query.
    let in_query = t
        .call("GET", &format!("/api/me?access_token={OWNER}"), None, None)
        .await;
    assert_eq!(in_query.status, StatusCode::UNAUTHORIZED);

    let periods = t.get("/api/periods", OWNER).await.json();
    assert_eq!(periods["periods"].as_array().unwrap().len(), 3);

    let review = t.get("/api/review?as_of=2026-11-30", OWNER).await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.text);
    let review = review.json();
    assert_eq!(review["as_of"], "2026-11-30");
    assert_eq!(progress(&review, "grow-bizops"), "0.55");
    let row = review["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == "grow-bizops")
        .unwrap();
    // A forecast is absent until every counted key result has check-ins
    // on two dates of its period, so it is not required here.
    for field in ["band", "status", "expected", "owners", "title"] {
        assert!(!row[field].is_null(), "{field} missing: {row}");
    }
    let q4 = t
        .get("/api/review?as_of=2026-11-30&period=2026-Q4", OWNER)
        .await
        .json();
    assert!(
        q4["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["period"] == "2026-Q4")
    );
    assert!(q4["nodes"].as_array().unwrap().len() < review["nodes"].as_array().unwrap().len());

    let node = t.get("/api/nodes/hire-sdrs?as_of=2026-11-30", OWNER).await;
    assert_eq!(node.status, StatusCode::OK, "{}", node.text);
    let node = node.json();
    assert_eq!(node["detail"]["check_ins"].as_array().unwrap().len(), 2);
    assert_eq!(node["review"]["node"]["band"], "red");

    let one = t.get("/api/review/hire-sdrs?as_of=2026-11-30", OWNER).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    assert_eq!(one.json()["node"]["band"], "red");
    assert_eq!(one.json()["node"]["title"], node["review"]["node"]["title"]);

    let coverage = t.get("/api/coverage", OWNER).await.json();
    assert!(coverage["coverage"]["overall"]["total"].as_u64().unwrap() > 0);
    let lint = t.get("/api/lint?as_of=2026-11-30", OWNER).await.json();
    assert!(lint["findings"].is_array());
    let impact = t.get("/api/impact/grow-bizops", OWNER).await.json();
    assert_eq!(impact["impact"].as_array().unwrap().len(), 3);

    for (format, needle, content_type) in [
        ("csv", "type,id", "text/csv"),
        ("dot", "digraph", "text/vnd.graphviz"),
        ("mermaid", "flowchart", "text/markdown"),
        ("markdown", "# ", "text/markdown"),
        ("json", "\"okrs/1\"", "application/json"),
    ] {
        let export = t
            .get(&format!("/api/export/{format}?as_of=2026-11-30"), OWNER)
            .await;
        assert_eq!(export.status, StatusCode::OK, "{format}");
        assert!(
            export.text.contains(needle),
            "{format}: {}",
            &export.text[..80]
        );
        assert!(export.content_type.starts_with(content_type), "{format}");
    }

    let audit = t.get("/api/edits", OWNER).await.json();
    assert_eq!(audit["edits"].as_array().unwrap().len(), 0);

    let page = t.call("GET", "/", None, None).await;
    assert!(page.text.contains("<title>OKRs</title>"));
    assert!(page.content_type.starts_with("text/html"));
    for asset in ["/static/app.js", "/static/style.css", "/openapi.json"] {
        assert_eq!(
            t.call("GET", asset, None, None).await.status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn a_check_in_is_answered_with_its_changes_logged_and_read_back() {
    let t = start("write");
    let written = t.post(OWNER, &check_in("hire-sdrs", "2")).await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.text);
    let written = written.json();
    assert_eq!(written["seq"], 1);
    let moved = written["changes"]["moved"].as_array().unwrap();
    let parent = moved.iter().find(|m| m["id"] == "grow-bizops").unwrap();
    assert_eq!(parent["progress_before"], "0.55");
    assert_eq!(parent["progress"], "0.65");
    assert_eq!(t.logged(), 1);

    // Read your writes: the review reflects every acknowledged edit.
    let review = t.get("/api/review?as_of=2026-12-01", OWNER).await.json();
    assert_eq!(review["seq"], 1);
    assert_eq!(progress(&review, "grow-bizops"), "0.65");
    let node = t.get("/api/nodes/hire-sdrs", OWNER).await.json();
    let check_ins = node["detail"]["check_ins"].as_array().unwrap();
    assert_eq!(check_ins.len(), 3);
    // Signed by the token's person, whatever the client claims.
    assert_eq!(check_ins[2]["by"], "dir-bizops");

    // The audit log, by node and by author.
    let by_node = t.get("/api/edits?node=hire-sdrs", OWNER).await.json();
    assert_eq!(by_node["edits"].as_array().unwrap().len(), 1);
    assert_eq!(by_node["edits"][0]["author"], "dir-bizops");
    assert_eq!(by_node["edits"][0]["edit"]["op"], "record-check-in");
    let none = t.get("/api/edits?node=enps", OWNER).await.json();
    assert_eq!(none["edits"].as_array().unwrap().len(), 0);
    let by_author = t.get("/api/edits?author=ana", OWNER).await.json();
    assert_eq!(by_author["edits"].as_array().unwrap().len(), 0);
    let by_author = t
        .get("/api/edits?author=dir-bizops&after=0&limit=5", OWNER)
        .await
        .json();
    assert_eq!(by_author["edits"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_list_is_one_transaction() {
    let t = start("list");
    let bad = format!(
        "[{}, {}]",
        check_in("hire-sdrs", "2"),
        check_in("no-such-key-result", "1")
    );
    let refused = t.post(ADMIN, &bad).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(refused.code(), "unknown-node");
    assert_eq!(t.logged(), 0);
    let node = t.get("/api/nodes/hire-sdrs", ADMIN).await.json();
    assert_eq!(node["detail"]["check_ins"].as_array().unwrap().len(), 2);

    let good = format!(
        r#"[{}, {{"op": "set-title", "id": "grow-bizops", "title": "Grow BizOps"}}]"#,
        check_in("hire-sdrs", "3")
    );
    let written = t.post(ADMIN, &good).await;
    assert_eq!(written.status, StatusCode::OK, "{}", written.text);
    assert_eq!(written.json()["first_seq"], 1);
    assert_eq!(written.json()["seq"], 2);
    // Numbered as if the refused list had never been: nothing of it stayed
    // in the writer's working copy either.
    assert_eq!(
        written.json()["changes"]["edits"][0]["check_in"],
        "hire-sdrs#3"
    );
    assert_eq!(t.logged(), 2);
    let audit = t.get("/api/edits", ADMIN).await.json();
    assert_eq!(audit["edits"][0]["request"], 1);
    assert_eq!(audit["edits"][1]["request"], 1);
}

#[tokio::test]
async fn without_a_known_token_nothing_is_read_or_written() {
    let t = start("auth");
    for path in [
        "/api/me",
        "/api/review",
        "/api/nodes/hire-sdrs",
        "/api/coverage",
        "/api/lint",
        "/api/impact/grow-bizops",
        "/api/export/csv",
        "/api/edits",
        "/api/events",
        "/api/periods",
    ] {
        let answer = t.call("GET", path, None, None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(answer.code(), "unauthorized");
        let answer = t.call("GET", path, Some("wrong-token"), None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let body = check_in("hire-sdrs", "3").into_bytes();
    let answer = t.call("POST", "/api/edits", None, Some(body.clone())).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    let answer = t
        .call("POST", "/api/edits", Some("wrong"), Some(body))
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(t.logged(), 0);
}

#[tokio::test]
async fn a_person_edits_only_what_they_own() {
    let t = start("owners");
    let before = t.get("/api/export/json", ADMIN).await.text;

    // ana owns close-200k, not hire-sdrs nor grow-bizops.
    let refused = t.post(OTHER, &check_in("hire-sdrs", "3")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.code(), "forbidden");
    assert_eq!(refused.json()["ids"][0], "hire-sdrs");
    let rename = r#"{"op": "set-title", "id": "grow-bizops", "title": "Mine now"}"#;
    assert_eq!(t.post(OTHER, rename).await.status, StatusCode::FORBIDDEN);
    // A list with one forbidden edit is refused whole.
    let list = format!(
        "[{}, {}]",
        check_in("closed-revenue", "100000"),
        check_in("hire-sdrs", "3")
    );
    assert_eq!(t.post(OTHER, &list).await.status, StatusCode::FORBIDDEN);
    // Periods are for admins.
    let close = r#"{"op": "close-period", "period": "2026-Q4"}"#;
    assert_eq!(t.post(OWNER, close).await.status, StatusCode::FORBIDDEN);
    assert_eq!(t.logged(), 0);
    assert_eq!(t.get("/api/export/json", ADMIN).await.text, before);

    // The owner may; the owner of the objective may check in on its key
    // results; an admin may do anything.
    assert_eq!(
        t.post(OTHER, &check_in("closed-revenue", "100000"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        t.post(OWNER, &check_in("onboarding-system", "0"))
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(t.post(ADMIN, rename).await.status, StatusCode::OK);
    assert_eq!(t.logged(), 2);
}

#[tokio::test]
async fn bad_input_gets_its_4xx_and_changes_nothing() {
    let t = start("bad");
    let before = t.get("/api/export/json", ADMIN).await.text;
    let cases: Vec<(String, StatusCode, &str)> = vec![
        (r#"{"op": "record-check-in", "key_result": "#.into(), StatusCode::BAD_REQUEST, "malformed-json"),
        ("not json at all".into(), StatusCode::BAD_REQUEST, "malformed-json"),
        ("".into(), StatusCode::BAD_REQUEST, "malformed-json"),
        (r#"{"op": "record-check-in", "key_result": 42, "check_in": {"at": "2026-12-01", "value": "1"}}"#.into(), StatusCode::UNPROCESSABLE_ENTITY, "invalid-edit"),
        (r#"{"op": "record-check-in", "key_result": "hire-sdrs", "check_in": {"at": "yesterday", "value": "1"}}"#.into(), StatusCode::UNPROCESSABLE_ENTITY, "invalid-edit"),
        (r#"{"op": "no-such-op"}"#.into(), StatusCode::UNPROCESSABLE_ENTITY, "invalid-edit"),
        (r#"{"op": "set-title", "id": "grow-bizops", "title": "x", "by": "ceo"}"#.into(), StatusCode::UNPROCESSABLE_ENTITY, "invalid-edit"),
        ("[]".into(), StatusCode::UNPROCESSABLE_ENTITY, "empty-list"),
        (check_in("no-such-key-result", "1"), StatusCode::NOT_FOUND, "unknown-node"),
        (r#"{"op": "correct-check-in", "check_in": "hire-sdrs#9", "value": "1", "reason": "typo"}"#.into(), StatusCode::NOT_FOUND, "unknown-check-in"),
        // A check-in of the wrong kind: hire-assistant is binary.
        (check_in("hire-assistant", "2"), StatusCode::UNPROCESSABLE_ENTITY, "check-in-value"),
        // 2026-Q3 is closed: referral-signups is set for it.
        (
            r#"{"op": "record-check-in", "key_result": "referral-signups", "check_in": {"at": "2026-09-20", "value": "60"}}"#.into(),
            StatusCode::CONFLICT,
            "period-closed",
        ),
        (r#"{"op": "add-link", "from": "great-place", "link": {"id": "grow-bizops"}}"#.into(), StatusCode::UNPROCESSABLE_ENTITY, "link-to-lower-level"),
        (r#"{"op": "set-title", "id": "grow-bizops", "title": ""}"#.into(), StatusCode::UNPROCESSABLE_ENTITY, "empty-title"),
    ];
    for (body, status, code) in cases {
        let answer = t.post(ADMIN, &body).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.text);
        assert_eq!(answer.code(), code, "{body}: {}", answer.text);
        let json = answer.json();
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(json["ids"].is_array());
        assert!(json.as_object().unwrap().contains_key("field"));
    }
    let closed = t
        .post(
            ADMIN,
            r#"{"op": "record-check-in", "key_result": "referral-signups", "check_in": {"at": "2026-09-20", "value": "60"}}"#,
        )
        .await
        .json();
    assert_eq!(
        closed["ids"],
        serde_json::json!(["referral-signups", "2026-Q3"])
    );
    assert_eq!(closed["field"], "period");

    // Over the body limit (1 MiB, half axum's default): 413, with the
    // JSON error body.
    let huge = format!(
        r#"{{"op": "set-title", "id": "grow-bizops", "title": "{}"}}"#,
        "x".repeat(3 << 19)
    );
    let answer = t.post(ADMIN, &huge).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.code(), "body-too-large");

    // Bad queries and paths.
    for (path, status, code) in [
        (
            "/api/review?as_of=not-a-date",
            StatusCode::BAD_REQUEST,
            "bad-query",
        ),
        (
            "/api/review?min_seq=-1",
            StatusCode::BAD_REQUEST,
            "bad-query",
        ),
        ("/api/review?sort=up", StatusCode::BAD_REQUEST, "bad-query"),
        (
            "/api/review?min_seq=99",
            StatusCode::BAD_REQUEST,
            "bad-query",
        ),
        (
            "/api/review/hire-sdrs?min_seq=1",
            StatusCode::BAD_REQUEST,
            "bad-query",
        ),
        (
            "/api/review?period=2027-Q9",
            StatusCode::NOT_FOUND,
            "unknown-period",
        ),
        (
            "/api/review/no-such-node",
            StatusCode::NOT_FOUND,
            "unknown-node",
        ),
        (
            "/api/lint?as_of=2026-13-01",
            StatusCode::BAD_REQUEST,
            "bad-query",
        ),
        (
            "/api/nodes/no-such-node",
            StatusCode::NOT_FOUND,
            "unknown-node",
        ),
        (
            "/api/impact/no-such-node",
            StatusCode::NOT_FOUND,
            "unknown-node",
        ),
        ("/api/export/pdf", StatusCode::NOT_FOUND, "unknown-format"),
        (
            "/api/edits?limit=many",
            StatusCode::BAD_REQUEST,
            "bad-query",
        ),
        ("/api/nowhere", StatusCode::NOT_FOUND, "no-route"),
    ] {
        let answer = t.get(path, ADMIN).await;
        assert_eq!(answer.status, status, "{path}: {}", answer.text);
        assert_eq!(answer.code(), code, "{path}");
    }

    assert_eq!(t.logged(), 0);
    assert_eq!(t.get("/api/export/json", ADMIN).await.text, before);
}

#[tokio::test]
async fn a_failed_commit_rolls_the_set_back() {
    let t = start("rollback");
    // The database refuses one objective, as a full disk would refuse a
    // write.
    let conn = rusqlite::Connection::open(&t.db).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER refuse BEFORE INSERT ON edits
         WHEN NEW.envelope LIKE '%doomed%'
         BEGIN SELECT RAISE(ABORT, 'disk full (simulated)'); END;",
    )
    .unwrap();
    let add = r#"{"op": "add-objective", "objective": {"id": "doomed", "title": "Try again", "level": "team", "owners": ["dir-bizops"]}}"#;
    let answer = t.post(ADMIN, add).await;
    assert_eq!(
        answer.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        answer.text
    );
    assert_eq!(answer.code(), "storage");
    assert_eq!(t.logged(), 0);
    let missing = t.get("/api/nodes/doomed", ADMIN).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // The writer's working copy was rolled back too: the same objective
    // can be added once the disk has room (it would be a duplicate id if
    // the refused one had stayed).
    conn.execute_batch("DROP TRIGGER refuse").unwrap();
    let answer = t.post(ADMIN, add).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert_eq!(answer.json()["seq"], 1);
    assert_eq!(
        t.get("/api/nodes/doomed", ADMIN).await.status,
        StatusCode::OK
    );
    let audit = t.get("/api/edits?node=doomed", ADMIN).await.json();
    assert_eq!(audit["edits"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_restart_rebuilds_the_set_from_the_snapshot_and_the_log() {
    let dir = common::TempDir::new("restart");
    let t = common::start_at(&dir.db(), |config| config.snapshot_every = 3);
    for value in ["1", "2", "3"] {
        assert_eq!(
            t.post(OWNER, &check_in("hire-sdrs", value)).await.status,
            StatusCode::OK
        );
    }
    let list = format!(
        r#"[{{"op": "set-title", "id": "grow-bizops", "title": "Grow BizOps"}}, {}]"#,
        check_in("hire-assistant", "true").replace("\"true\"", "true")
    );
    assert_eq!(t.post(OWNER, &list).await.status, StatusCode::OK);
    let correction = r#"{"op": "correct-check-in", "check_in": "hire-sdrs#5", "value": "2", "reason": "an offer was withdrawn"}"#;
    assert_eq!(t.post(OWNER, correction).await.status, StatusCode::OK);
    // Give the replica time to hand its snapshot (at 3 edits or more) to
    // the writer, and the writer a turn to store it.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        t.post(OWNER, &check_in("hire-sdrs", "2")).await.status,
        StatusCode::OK
    );
    let document = t.get("/api/export/json", ADMIN).await.text;
    let review = t.get("/api/review?as_of=2026-12-01", ADMIN).await.json()["nodes"].clone();
    drop(t);

    let (app, startup) = okrs_server::start(&okrs_server::Config::new(dir.db())).unwrap();
    assert_eq!(startup.seq, 7);
    assert!(startup.snapshot_seq >= 3, "{startup:?}");
    assert_eq!(startup.snapshot_seq + startup.replayed, 7);
    drop(app);
    let t = common::start_at(&dir.db(), |_| {});
    assert_eq!(t.get("/api/export/json", ADMIN).await.text, document);
    let again = t.get("/api/review?as_of=2026-12-01", ADMIN).await.json()["nodes"].clone();
    assert_eq!(again, review);
    // And the next edit numbers on.
    let answer = t.post(OWNER, &check_in("hire-sdrs", "3")).await.json();
    assert_eq!(answer["seq"], 8);
    assert_eq!(answer["changes"]["edits"][0]["check_in"], "hire-sdrs#7");
}

#[tokio::test]
async fn the_event_stream_sends_each_committed_change() {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let t = start("events");
    let request = axum::http::Request::get("/api/events?access_token=ana-token")
        .body(axum::body::Body::empty())
        .unwrap();
    let response = t.router.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut body = response.into_body();
    assert_eq!(
        t.post(OWNER, &check_in("hire-sdrs", "2")).await.status,
        StatusCode::OK
    );
    let mut text = String::new();
    while !text.contains("\n\n") {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), body.frame())
            .await
            .expect("an event within 5 s")
            .unwrap()
            .unwrap();
        if let Ok(data) = frame.into_data() {
            text.push_str(&String::from_utf8_lossy(&data));
        }
    }
    assert!(text.starts_with("event: changes\n"), "{text}");
    let data = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
    let event: Value = serde_json::from_str(data).unwrap();
    assert_eq!(event["seq"], 1);
    assert_eq!(event["by"], "dir-bizops");
    assert_eq!(event["ops"][0], "record-check-in");
    assert!(
        event["changes"]["moved"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["id"] == "grow-bizops")
    );
}

#[test]
fn the_openapi_description_lists_exactly_the_routes() {
    let spec: Value = serde_json::from_str(okrs_server::openapi::OPENAPI_JSON).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let mut described: Vec<(String, String)> = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            described.push((method.clone(), path.clone()));
        }
    }
    let mut routed: Vec<(String, String)> = okrs_server::api::routes()
        .into_iter()
        .map(|(m, p)| (m.to_owned(), p.to_owned()))
        .collect();
    described.sort();
    routed.sort();
    assert_eq!(described, routed);
}
