//! The OpenAPI description of the API, written by hand in
//! `openapi.json` and served at `/openapi.json`; a test checks that it
//! lists exactly the router's routes ([`crate::api::routes`]).

use axum::http::header;
use axum::response::IntoResponse;

/// The description, as served.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

/// `GET /openapi.json`.
pub async fn serve() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON)
}
