//! What the server's tests share: a temporary directory, an app started on
//! a database in it, and requests through the router.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use okrs_server::{App, Config};
use serde_json::Value;
use tower::ServiceExt;

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "okrs-server-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    pub fn db(&self) -> PathBuf {
        self.0.join("okrs.db")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct TestApp {
    pub app: Arc<App>,
    pub router: axum::Router,
    pub db: PathBuf,
    /// The directory of a database made for this app alone.
    _dir: Option<TempDir>,
}

/// An app on a new database of its own.
pub fn start(name: &str) -> TestApp {
    let dir = TempDir::new(name);
    let mut t = start_at(&dir.db(), |_| {});
    t._dir = Some(dir);
    t
}

/// An app on the database at `db` (which outlives it).
pub fn start_at(db: &Path, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config::new(db);
    adjust(&mut config);
    let (app, _) = okrs_server::start(&config).unwrap();
    let router = okrs_server::api::router(app.clone());
    TestApp {
        app,
        router,
        db: db.to_path_buf(),
        _dir: None,
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub text: String,
    pub content_type: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// An error body: its code.
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_owned()
    }
}

impl TestApp {
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request
            .body(body.map_or_else(Body::empty, Body::from))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            content_type,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Answer {
        self.call("GET", path, Some(token), None).await
    }

    pub async fn post(&self, token: &str, body: &str) -> Answer {
        self.call(
            "POST",
            "/api/edits",
            Some(token),
            Some(body.as_bytes().to_vec()),
        )
        .await
    }

    /// How many edits the log holds.
    pub fn logged(&self) -> u64 {
        logged(&self.db)
    }
}

pub fn logged(db: &Path) -> u64 {
    okrs_server::store::Store::open(db)
        .unwrap()
        .count_edits()
        .unwrap()
}

/// A check-in on `key_result` as JSON.
pub fn check_in(key_result: &str, value: &str) -> String {
    format!(
        r#"{{"op": "record-check-in", "key_result": "{key_result}", "check_in": {{"at": "2026-12-01", "value": "{value}"}}}}"#
    )
}
