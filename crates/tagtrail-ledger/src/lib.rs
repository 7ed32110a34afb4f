//! The tagtrail ledger: the application layer every regulated write goes through
//! ([`app::Ledger`]), the Metrc v2 HTTP API ([`http`]), the web UI ([`web`]) and the demo
//! dataset ([`demo`]).

pub mod app;
pub mod config;
pub mod demo;
pub mod http;
pub mod manifest_doc;
pub mod pdf;
pub mod web;

pub use app::{AppError, Ledger};
pub use config::Config;
