//! The web page at `/`: plain HTML, CSS and JavaScript embedded in the
//! binary (no build step). It shows the alignment tree with progress bars,
//! bands, status, owners and forecast, lets a person record a check-in,
//! and follows the event stream to update live.

use axum::http::header;
use axum::response::{Html, IntoResponse};

/// `GET /`.
pub async fn index() -> Html<&'static str> {
    Html(include_str!("index.html"))
}

/// `GET /static/app.js`.
pub async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("app.js"),
    )
}

/// `GET /static/style.css`.
pub async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("style.css"),
    )
}
