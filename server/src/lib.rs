//! okrs-server: a reference app that embeds the okrs engine — an HTTP
//! API over one shared set, a SQLite edit log with snapshots, a live web
//! page, bearer tokens for who may edit what.
//!
//! How a write travels: the handler ([`api`]) parses the edit and sends
//! it to the writer ([`writer`]), which checks the person may make it
//! ([`auth`]), applies it to its working copy, appends it to the log in
//! one transaction with every other request waiting ([`store`]), then
//! applies it to the committed copy readers see, hands it to the replica
//! ([`replica`], reviews and snapshots) and the event stream
//! ([`events`]), and answers. Reads go through one seam ([`reader`]):
//! an admin reads the whole set, anyone else the engine's viewer view of
//! it, kept edit by edit beside each copy of the set ([`views`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
pub mod app;
pub mod auth;
pub mod error;
pub mod events;
pub mod openapi;
pub mod page;
pub mod reader;
pub mod replica;
pub mod store;
pub mod views;
pub mod writer;

pub use app::{App, Config, Seed, Startup, start};
