//! `okrs-server`: serves the okrs API and page.
//!
//! ```text
//! okrs-server [--db okrs.db] [--listen 127.0.0.1:8080] [--tokens tokens.json]
//!             [--snapshot-every 100000] [--synthetic NODES]
//! ```

#![forbid(unsafe_code)]

use std::process::ExitCode;

use okrs_server::{Config, Seed, auth::Tokens};

const USAGE: &str = "usage: okrs-server [--db PATH] [--listen ADDR] [--tokens FILE] [--snapshot-every N] [--synthetic NODES]

  --db PATH            the SQLite database (default okrs.db; created and seeded with the sample)
  --listen ADDR        where to listen (default 127.0.0.1:8080)
  --tokens FILE        bearer tokens: {\"tokens\": [{\"token\", \"person\", \"groups\", \"admin\"}]}
                       (default: server/tokens.sample.json, built in; loopback addresses only)
  --snapshot-every N   a snapshot of the document every N edits (default 100000)
  --synthetic NODES    seed a new database with a synthetic organisation instead of the sample";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("okrs-server: {message}");
            ExitCode::from(2)
        }
    }
}

fn config() -> Result<Config, String> {
    use lexopt::prelude::*;
    let mut config = Config::new("okrs.db");
    let mut parser = lexopt::Parser::from_env();
    let text = |value: std::ffi::OsString| {
        value
            .into_string()
            .map_err(|_| "arguments must be UTF-8".to_owned())
    };
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("db") => config.db = parser.value().map_err(|e| e.to_string())?.into(),
            Long("listen") => {
                let value = text(parser.value().map_err(|e| e.to_string())?)?;
                config.listen = value
                    .parse()
                    .map_err(|e| format!("--listen {value}: {e}"))?;
            }
            Long("tokens") => {
                let path = parser.value().map_err(|e| e.to_string())?;
                config.tokens = Tokens::load(std::path::Path::new(&path))?;
                config.sample_tokens = false;
            }
            Long("snapshot-every") => {
                let value = text(parser.value().map_err(|e| e.to_string())?)?;
                config.snapshot_every = value
                    .parse()
                    .map_err(|e| format!("--snapshot-every {value}: {e}"))?;
            }
            Long("synthetic") => {
                let value = text(parser.value().map_err(|e| e.to_string())?)?;
                config.seed = Seed::Synthetic(
                    value
                        .parse()
                        .map_err(|e| format!("--synthetic {value}: {e}"))?,
                );
            }
            Long("help") | Short('h') => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("{}\n{USAGE}", other.unexpected())),
        }
    }
    if config.sample_tokens && !config.listen.ip().is_loopback() {
        return Err(format!(
            "the sample tokens are public: pass --tokens FILE to listen on {}",
            config.listen
        ));
    }
    Ok(config)
}

fn run() -> Result<(), String> {
    let config = config()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let (app, startup) = okrs_server::start(&config)?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        // One line a script can wait for (the crash test does).
        println!(
            "okrs-server listening on http://{address} (db {}, snapshot at {}, {} edits replayed, seq {}, loaded in {:.3} s{})",
            config.db.display(),
            startup.snapshot_seq,
            startup.replayed,
            startup.seq,
            startup.elapsed.as_secs_f64(),
            if config.sample_tokens { ", sample tokens" } else { "" },
        );
        axum::serve(listener, okrs_server::api::router(app))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| format!("server error: {e}"))
    })
}
