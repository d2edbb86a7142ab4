//! Errors as the API answers them: a JSON body `{code, message, ids,
//! field}` with the engine's stable code where the engine refused, and the
//! status that fits — 4xx for anything the request got wrong, 5xx only
//! when the server could not do its part (the log could not be written).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answer.
#[derive(Debug, Clone, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    status: StatusCode,
    /// A stable, machine-readable code: the engine's (`unknown-node`,
    /// `period-closed`, …) or the server's (`unauthorized`, `forbidden`,
    /// `malformed-json`, `invalid-edit`, `body-too-large`, …).
    pub code: String,
    /// For people.
    pub message: String,
    /// The ids concerned.
    pub ids: Vec<String>,
    /// The document field concerned, if any.
    pub field: Option<String>,
}

impl ApiError {
    /// An error of the server's own.
    #[must_use]
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            ids: Vec::new(),
            field: None,
        }
    }

    /// The status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// With the ids concerned.
    #[must_use]
    pub fn with_ids(mut self, ids: Vec<String>) -> Self {
        self.ids = ids;
        self
    }

    /// With the document field concerned.
    #[must_use]
    pub fn with_field(mut self, field: Option<String>) -> Self {
        self.field = field;
        self
    }

    /// 401: no token, or one the server does not know.
    #[must_use]
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send a bearer token from the tokens file: Authorization: Bearer <token>",
        )
    }

    /// 404 for a node that does not exist or that the reader may not see
    /// (the same answer for both, so that it tells nothing).
    #[must_use]
    pub fn unknown_node(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "unknown-node",
            format!("no node has the id {id:?}"),
        )
        .with_ids(vec![id.to_owned()])
    }
}

/// The status for an engine error, by its code: a missing node or period
/// is 404, a conflict with the set's state (a cycle, a closed period, a
/// duplicate) 409, anything else the edit got wrong 422.
#[must_use]
pub fn status_for(code: &str) -> StatusCode {
    match code {
        "unknown-node" | "unknown-check-in" | "unknown-period" | "unknown-link" => {
            StatusCode::NOT_FOUND
        }
        "cycle" | "duplicate-id" | "duplicate-link" | "duplicate-period" | "still-linked"
        | "period-closed" | "already-closed" | "not-closed" | "period-in-use"
        | "already-carried" | "already-done" | "titles-full" => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl From<&okrs::Error> for ApiError {
    fn from(error: &okrs::Error) -> Self {
        Self {
            status: status_for(error.code()),
            code: error.code().to_owned(),
            message: error.to_string(),
            ids: error
                .ids()
                .into_iter()
                .map(|id| id.as_str().to_owned())
                .collect(),
            field: error.field().map(str::to_owned),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status;
        let mut response = (status, axum::Json(&self)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"okrs\""),
            );
        }
        response
    }
}
