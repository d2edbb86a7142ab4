//! The HTTP routes: reads (reviews, a node, coverage, lint, impact,
//! exports, periods), writes (one edit or a list as one transaction), the
//! audit log, the event stream, the OpenAPI description and the page.
//!
//! Every route but the page, its assets and the OpenAPI description needs
//! a bearer token; every read goes through [`crate::reader`].

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use okrs::{Date, Edit};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::oneshot;

use crate::app::App;
use crate::auth::Person;
use crate::error::ApiError;
use crate::reader::{self, Audience, ExportFormat, Reader};
use crate::store::AuditFilter;
use crate::writer::{Command, WriteError, WriteRequest, read_committed};

/// How long a read waits for the replica's review.
const REVIEW_WAIT: Duration = Duration::from_secs(30);

/// Every route: method (as the OpenAPI description spells it), path and
/// handler. The router is built from this table and [`routes`] lists it,
/// so a test can check that the description names exactly these.
fn table() -> Vec<(&'static str, &'static str, MethodRouter<Arc<App>>)> {
    vec![
        ("get", "/", get(crate::page::index)),
        ("get", "/static/app.js", get(crate::page::script)),
        ("get", "/static/style.css", get(crate::page::style)),
        ("get", "/openapi.json", get(crate::openapi::serve)),
        ("get", "/api/me", get(me)),
        ("get", "/api/periods", get(periods)),
        ("get", "/api/review", get(review)),
        ("get", "/api/review/{id}", get(review_node)),
        ("get", "/api/nodes/{id}", get(node)),
        ("get", "/api/coverage", get(coverage)),
        ("get", "/api/lint", get(lint)),
        ("get", "/api/impact/{id}", get(impact)),
        ("get", "/api/export/{format}", get(export)),
        ("get", "/api/edits", get(audit)),
        ("post", "/api/edits", post(write)),
        ("get", "/api/events", get(events)),
    ]
}

/// The routes as `(method, path)`.
#[must_use]
pub fn routes() -> Vec<(&'static str, &'static str)> {
    table()
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect()
}

/// The router over a started app.
pub fn router(app: Arc<App>) -> Router {
    let limit = app.body_limit;
    let mut router = Router::new();
    for (_, path, handler) in table() {
        // Routing a path again adds the new method to it.
        router = router.route(path, handler);
    }
    router
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .with_state(app)
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no-route", "no such route")
}

/// The person a request's bearer token stands for. The event stream also
/// takes the token as `?access_token=` (RFC 6750 §2.3), since a browser's
/// `EventSource` cannot send headers.
pub struct Caller(pub Person);

impl FromRequestParts<Arc<App>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, ApiError> {
        // The scheme's name is case-insensitive (RFC 9110 §11.1).
        let from_header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().to_owned());
        let from_query = || {
            Query::<std::collections::HashMap<String, String>>::try_from_uri(&parts.uri)
                .ok()
                .and_then(|Query(mut query)| query.remove("access_token"))
        };
        let token = from_header
            .or_else(|| {
                (parts.uri.path() == "/api/events")
                    .then(from_query)
                    .flatten()
            })
            .ok_or_else(ApiError::unauthorized)?;
        app.tokens
            .person(&token)
            .cloned()
            .map(Caller)
            .ok_or_else(ApiError::unauthorized)
    }
}

fn bad_query(rejection: &QueryRejection) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad-query", rejection.body_text())
}

fn today() -> Date {
    okrs::Moment::at(okrs::Timestamp::now(), okrs::jiff::tz::Offset::UTC).date()
}

/// `as_of` and `min_seq`, for reviews.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewQuery {
    as_of: Option<Date>,
    period: Option<String>,
    min_seq: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeQuery {
    as_of: Option<Date>,
    min_seq: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AsOfQuery {
    as_of: Option<Date>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    node: Option<String>,
    author: Option<String>,
    after: Option<u64>,
    limit: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventsQuery {
    #[allow(dead_code)] // read by `Caller`
    access_token: Option<String>,
}

async fn me(Caller(person): Caller) -> Response {
    axum::Json(person).into_response()
}

async fn periods(State(app): State<Arc<App>>, Caller(person): Caller) -> Response {
    let committed = read_committed(&app);
    let reader = Reader::new(&committed, &person);
    axum::Json(json!({ "seq": committed.seq, "periods": reader.periods() })).into_response()
}

/// The person's review from the replica, reflecting at least `min_seq`
/// (default: every edit acknowledged so far).
async fn review_view(
    app: &App,
    person: &Person,
    as_of: Option<Date>,
    min_seq: Option<u64>,
) -> Result<Arc<crate::replica::ReviewView>, ApiError> {
    let committed = app.committed_seq.load(std::sync::atomic::Ordering::Acquire);
    let min_seq = min_seq.unwrap_or(committed);
    if min_seq > committed {
        // Every acknowledged edit is committed before its answer, so a
        // number beyond the log was never handed out.
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-query",
            format!("min_seq {min_seq} is beyond the log's last edit, {committed}"),
        ));
    }
    app.reviews
        .get(
            Audience::of(person),
            as_of.unwrap_or_else(today),
            min_seq,
            REVIEW_WAIT,
        )
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "review-timeout",
                "the review is not ready yet (a very large set under load); try again",
            )
        })
}

async fn review(
    State(app): State<Arc<App>>,
    Caller(person): Caller,
    query: Result<Query<ReviewQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| bad_query(&e))?;
    if let Some(period) = &query.period {
        let committed = read_committed(&app);
        if !Reader::new(&committed, &person)
            .periods()
            .iter()
            .any(|p| p.id.as_str() == period)
        {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown-period",
                format!("no period has the id {period:?}"),
            )
            .with_ids(vec![period.clone()]));
        }
    }
    let view = review_view(&app, &person, query.as_of, query.min_seq).await?;
    let rows = reader::visible_review(&view, query.period.as_deref());
    Ok(axum::Json(json!({ "seq": view.seq, "as_of": view.as_of, "nodes": rows })).into_response())
}

/// One node's review: served from the replica's review alone, without
/// touching the set (the cheapest read there is).
async fn review_node(
    State(app): State<Arc<App>>,
    Caller(person): Caller,
    Path(id): Path<String>,
    query: Result<Query<NodeQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| bad_query(&e))?;
    let view = review_view(&app, &person, query.as_of, query.min_seq).await?;
    let row = reader::visible_row(&view, &id).ok_or_else(|| ApiError::unknown_node(&id))?;
    Ok(axum::Json(json!({ "seq": view.seq, "as_of": view.as_of, "node": row })).into_response())
}

async fn node(
    State(app): State<Arc<App>>,
    Caller(person): Caller,
    Path(id): Path<String>,
    query: Result<Query<NodeQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| bad_query(&e))?;
    let (detail, seq) = {
        let committed = read_committed(&app);
        let reader = Reader::new(&committed, &person);
        (reader.node_detail(&id), committed.seq)
    };
    let detail = detail.ok_or_else(|| ApiError::unknown_node(&id))?;
    let view = review_view(&app, &person, query.as_of, query.min_seq).await?;
    let row = reader::visible_row(&view, &id);
    Ok(axum::Json(json!({
        "id": id,
        "seq": seq,
        "detail": detail,
        "review": row.map(|row| json!({ "seq": view.seq, "as_of": view.as_of, "node": row })),
    }))
    .into_response())
}

async fn coverage(State(app): State<Arc<App>>, Caller(person): Caller) -> Response {
    let committed = read_committed(&app);
    let coverage = Reader::new(&committed, &person).coverage();
    axum::Json(json!({ "seq": committed.seq, "coverage": coverage })).into_response()
}

async fn lint(
    State(app): State<Arc<App>>,
    Caller(person): Caller,
    query: Result<Query<AsOfQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| bad_query(&e))?;
    let as_of = query.as_of.unwrap_or_else(today);
    let committed = read_committed(&app);
    let findings = Reader::new(&committed, &person).lint(as_of);
    Ok(
        axum::Json(json!({ "seq": committed.seq, "as_of": as_of, "findings": findings }))
            .into_response(),
    )
}

async fn impact(
    State(app): State<Arc<App>>,
    Caller(person): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let committed = read_committed(&app);
    let reader = Reader::new(&committed, &person);
    if !reader.can_see(&id) {
        return Err(ApiError::unknown_node(&id));
    }
    let impact = reader.impact(&id).map_err(|e| ApiError::from(&e))?;
    let rows: Vec<_> = impact
        .iter()
        .map(|i| {
            json!({
                "key_result": i.key_result,
                "share": i.share.to_string(),
                "before": i.before,
                "after": i.after,
                "gain": i.gain().to_string(),
            })
        })
        .collect();
    Ok(
        axum::Json(json!({ "seq": committed.seq, "objective": id, "impact": rows }))
            .into_response(),
    )
}

async fn export(
    State(app): State<Arc<App>>,
    Caller(person): Caller,
    Path(format): Path<String>,
    query: Result<Query<AsOfQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| bad_query(&e))?;
    let format = ExportFormat::parse(&format).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown-format",
            format!("no export format {format:?}: json, csv, dot, mermaid or markdown"),
        )
    })?;
    let text = {
        let committed = read_committed(&app);
        Reader::new(&committed, &person).export(format, query.as_of.unwrap_or_else(today))
    }
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "export", e))?;
    Ok(([(header::CONTENT_TYPE, format.content_type())], text).into_response())
}

async fn audit(
    State(app): State<Arc<App>>,
    Caller(person): Caller,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| bad_query(&e))?;
    let limit = query.limit.unwrap_or(100).min(10_000);
    let mut filter = AuditFilter {
        node: query.node,
        author: query.author,
        after: query.after,
        limit,
    };
    let audience = Audience::of(&person);
    let mut shown = Vec::new();
    // Entries the person may not see are left out; read on until `limit`
    // are shown or the log ends.
    loop {
        let entries = {
            let store = app
                .audit
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            store.audit(&filter)
        }
        .map_err(|e| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "storage", e.to_string()))?;
        let done = entries.len() < filter.limit as usize;
        filter.after = entries.last().map(|e| e.seq).or(filter.after);
        let entries = if audience == Audience::Everything {
            entries
        } else {
            let committed = read_committed(&app);
            reader::visible_audit(entries, &Reader::new(&committed, &person))
        };
        shown.extend(entries);
        if done || shown.len() >= limit as usize {
            break;
        }
    }
    shown.truncate(limit as usize);
    Ok(axum::Json(json!({ "edits": shown })).into_response())
}

async fn events(
    State(app): State<Arc<App>>,
    Caller(person): Caller,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    query.map_err(|e| bad_query(&e))?;
    let audience = Audience::of(&person);
    // Counted in before subscribing, so that the writer computes this
    // listener's part of every event it receives (but the first few).
    let listening = audience
        .viewer()
        .map(|viewer| app.listeners.listen(viewer.clone()));
    let events = app.events.subscribe();
    Ok(crate::events::stream(events, audience, listening).into_response())
}

/// The body: one edit (`{"op": …}`) or a list (`[{"op": …}, …]`, one
/// transaction).
fn parse_edits(body: &[u8]) -> Result<(Vec<Edit>, bool), ApiError> {
    let is_list = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'[');
    let parsed = if is_list {
        serde_json::from_slice::<Vec<Edit>>(body)
    } else {
        serde_json::from_slice::<Edit>(body).map(|edit| vec![edit])
    };
    let edits = parsed.map_err(|e| {
        if e.is_data() {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-edit",
                format!("not an edit: {e}"),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed-json",
                format!("the body is not JSON: {e}"),
            )
        }
    })?;
    if edits.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty-list",
            "a list of edits must hold at least one",
        ));
    }
    Ok((edits, is_list))
}

async fn write(
    State(app): State<Arc<App>>,
    Caller(person): Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                format!("the body is over the limit of {} bytes", app.body_limit),
            )
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "bad-body", rejection.body_text())
        }
    })?;
    let (edits, is_list) = parse_edits(&body)?;
    let (reply, answer) = oneshot::channel();
    let request = WriteRequest {
        person: person.clone(),
        edits,
        is_list,
        reply,
    };
    let unavailable = || {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "stopping",
            "the server is stopping",
        )
    };
    app.writer
        .send(Command::Write(request))
        .await
        .map_err(|_| unavailable())?;
    match answer.await.map_err(|_| unavailable())? {
        Ok(written) => Ok(axum::Json(json!({
            "first_seq": written.first_seq,
            "seq": written.last_seq,
            "changes": written.changes,
        }))
        .into_response()),
        Err(WriteError::Forbidden(forbidden)) => {
            Err(
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", forbidden.reason).with_ids(
                    forbidden
                        .ids
                        .iter()
                        .map(|id| id.as_str().to_owned())
                        .collect(),
                ),
            )
        }
        Err(WriteError::Refused(error)) => Err(ApiError::from(&error)),
        Err(WriteError::Obscured(error)) => Err(error),
        Err(WriteError::Storage(message)) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "storage",
            message,
        )),
    }
}
