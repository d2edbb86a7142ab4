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

/// The server binary, started on a free port.
pub struct Server {
    pub child: std::process::Child,
    pub base: String,
}

impl Server {
    /// Starts `okrs-server --db DB --listen 127.0.0.1:0 ARGS…` and waits
    /// for its "listening on" line.
    pub fn spawn(db: &Path, args: &[&str]) -> Self {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_okrs-server"))
            .arg("--db")
            .arg(db)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::inherit())
            .spawn()
            .expect("the server starts");
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        let line = lines
            .next()
            .expect("a line from the server")
            .expect("readable");
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        // Keep draining stdout so that the server never blocks on it.
        std::thread::spawn(move || for _ in lines {});
        Self { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 client for talking to a real server.
#[derive(Clone)]
pub struct Client(
    hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        http_body_util::Full<axum::body::Bytes>,
    >,
);

impl Client {
    pub fn new() -> Self {
        Self(
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http(),
        )
    }

    /// Sends a request; `Err` when the connection failed.
    pub async fn send(
        &self,
        method: &str,
        url: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> Result<(u16, String), String> {
        let mut request = axum::http::Request::builder().method(method).uri(url);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request
            .body(http_body_util::Full::new(axum::body::Bytes::from(
                body.unwrap_or_default(),
            )))
            .map_err(|e| e.to_string())?;
        let response = self.0.request(request).await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    }
}
