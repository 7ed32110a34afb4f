//! The web UI: server-rendered pages for employees, scoped to the licenses they work at.
//!
//! No front-end build step and no script: every action posts a form whose handler maps the
//! fields to the application layer's request for that action and runs it through
//! [`tagtrail_app::Ledger::run`], so the UI cannot do what the API would refuse, and the journal
//! records the web door (`POST /ui/l/…` with the fields as posted).
//!
//! Around the pages: database-backed sessions ([`session`]), a CSRF token on every form checked
//! before any handler runs, sign-in throttling per account and per address ([`throttle`]), and
//! security headers on every response ([`security`]).

mod error;
mod fields;
mod frame;
mod layout;
mod packages;
mod pages;
mod security;
mod session;
mod throttle;
mod transfers;
mod urls;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use std::sync::Arc;
use tagtrail_app::Ledger;

/// How the web UI is served.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebOptions {
    /// Marks cookies `Secure`, so a browser sends them over HTTPS only. Turn on whenever the UI is
    /// reached over TLS (directly or through a proxy); off, the UI also works over plain HTTP on
    /// a workstation.
    pub secure_cookies: bool,
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct WebState {
    pub ledger: Ledger,
    pub options: WebOptions,
    pub throttle: Arc<throttle::Throttle>,
}

/// The largest body any form may post: a certificate of analysis (at most 5 MB by rule, checked
/// by the domain) with its result fields, in multipart encoding.
const LARGEST_FORM: usize = 8 * 1024 * 1024;

/// Any other form: axum's default body limit, which the other routes keep.
const DEFAULT_FORM: usize = 2 * 1024 * 1024;

/// The web UI's routes, with their state applied, to be merged beside the API.
pub fn router(ledger: Ledger, options: WebOptions) -> Router {
    let state = WebState {
        ledger,
        options,
        throttle: Arc::new(throttle::Throttle::default()),
    };
    let lic = "/ui/l/{license}";
    Router::new()
        .route("/", get(pages::signin::root))
        .route("/ui", get(pages::home::home))
        .route("/ui/style.css", get(layout::stylesheet))
        .route(
            "/ui/login",
            get(pages::signin::form).post(pages::signin::sign_in),
        )
        .route("/ui/logout", post(pages::signin::sign_out))
        .route(&format!("{lic}/employees"), get(pages::catalog::employees))
        .route(&format!("{lic}/items"), get(pages::catalog::items))
        .route(&format!("{lic}/strains"), get(pages::catalog::strains))
        .route(&format!("{lic}/locations"), get(pages::catalog::locations))
        .route(&format!("{lic}/tags"), get(pages::tags::page))
        .route(&format!("{lic}/tags/receive"), post(pages::tags::receive))
        .route(&format!("{lic}/tags/void"), post(pages::tags::void))
        .route(&format!("{lic}/journal"), get(pages::journal::page))
        .route(&format!("{lic}/packages"), get(packages::list::page))
        .route(
            &format!("{lic}/packages/{{id}}"),
            get(packages::detail::page),
        )
        .route(
            &format!("{lic}/packages/{{id}}/{{action}}"),
            post(packages::actions::act),
        )
        .route(
            &format!("{lic}/documents/{{id}}"),
            get(packages::lab::document),
        )
        .route(&format!("{lic}/labsamples"), get(packages::lab::samples))
        .route(
            &format!("{lic}/labsamples/{{id}}/record"),
            post(packages::lab::record).layer(DefaultBodyLimit::max(LARGEST_FORM)),
        )
        .route(
            &format!("{lic}/labsamples/{{id}}/release"),
            post(packages::lab::release),
        )
        .route(&format!("{lic}/transfers"), get(transfers::lists::page_of))
        .route(
            &format!("{lic}/transfers/new"),
            get(transfers::editor::new_form).post(transfers::editor::create),
        )
        .route(
            &format!("{lic}/transfers/{{id}}"),
            get(transfers::detail::page_of),
        )
        .route(
            &format!("{lic}/transfers/{{id}}/edit"),
            get(transfers::editor::edit_form).post(transfers::editor::update),
        )
        .route(
            &format!("{lic}/transfers/{{id}}/upload"),
            post(transfers::detail::upload),
        )
        .route(
            &format!("{lic}/transfers/{{id}}/receive"),
            get(transfers::receipt::form).post(transfers::receipt::receive),
        )
        .route(
            &format!("{lic}/transfers/{{id}}/manifest.pdf"),
            get(transfers::document::pdf),
        )
        .route(
            &format!("{lic}/transfers/{{id}}/manifest.html"),
            get(transfers::document::html),
        )
        .route(
            &format!("{lic}/transfers/{{id}}/{{action}}"),
            post(transfers::detail::act),
        )
        // Any other address under /ui is a page that does not exist, answered as one (with the
        // headers below), not with the API's JSON.
        .route("/ui/{*rest}", axum::routing::any(pages::not_found))
        // Inner: every POST proves it came from one of this site's forms before a handler runs.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::guard_posts,
        ))
        // Outer: so that refusals by the guard carry the headers too.
        .layer(middleware::from_fn(security::headers))
        .with_state(state)
}
