//! The workbench's web UI: server-rendered pages (maud) over [`tagtrail_workbench::Workbench`],
//! in the ledger UI's look, with no script.
//!
//! Every compliance page belongs to one license (`/l/{license}/…`): the license is looked up
//! through [`Workbench::license`] for the signed-in person on every request, so a license of
//! another company is "not found" exactly like one that does not exist, and every page carries
//! the license's colour band, name and number (seed 003 §01, "two licenses, two legal worlds").
//! The installation's own administrators see the admin pages (companies, people) and no
//! license's work.
//!
//! Around the pages: sessions kept by the workbench's database, a CSRF token on every form
//! checked before any handler runs ([`guard`]), sign-in throttling per account and per address
//! (the ledger UI's throttle), and the ledger UI's security headers on every response.

mod error;
mod form;
mod guard;
mod page;
mod pages;
mod session;

use axum::Router;
use axum::middleware;
use std::sync::Arc;
use tagtrail_web::shared::Throttle;
use tagtrail_workbench::Workbench;

pub use pages::LICENSE_ROUTES;
pub use tagtrail_web::{Budget, SignInLimits, Zone};

/// How the workbench's web UI is served.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebOptions {
    /// Marks cookies `Secure`, so a browser sends them over HTTPS only. Turn on whenever the UI
    /// is reached over TLS (directly or through a proxy); off, it also works over plain HTTP on
    /// a workstation.
    pub secure_cookies: bool,
    /// The zone times are shown in: the facilities' (California's by default).
    pub zone: Zone,
    /// Wrong sign-ins taken per account and per address before sign-in answers 429.
    pub sign_in: SignInLimits,
    /// Connection limits: the ledger's defaults (a 10 s header-read timeout, 4,096 connections,
    /// 256 from one address).
    pub server: tagtrail_web::shared::ServerLimits,
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub wb: Workbench,
    pub options: WebOptions,
    pub throttle: Arc<Throttle>,
}

/// The UI's routes with their state and guards applied.
pub fn router(wb: Workbench, options: WebOptions) -> Router {
    let state = AppState {
        wb,
        options,
        throttle: Arc::new(Throttle::of(options.sign_in)),
    };
    pages::routes()
        .fallback(pages::not_found)
        // Innermost: a failure shown to a signed-in person keeps their frame.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::framed_failures,
        ))
        // Inner: every POST proves it came from one of this site's forms before a handler runs.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::guard_posts,
        ))
        // Outer: so that the guard's refusals carry the headers too.
        .layer(middleware::from_fn(tagtrail_web::shared::headers))
        .with_state(state)
}

/// Serves the UI on `listener` until `shutdown` resolves, with each connection's address known
/// to the sign-in throttle, within `options.server`'s connection limits.
pub async fn serve(
    wb: Workbench,
    options: WebOptions,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use tower::Layer;
    let app = tower_http::normalize_path::NormalizePathLayer::trim_trailing_slash()
        .layer(router(wb, options));
    // The ledger's accept loop and limits: a header-read timeout, a connection cap and a
    // per-address share of it.
    tagtrail_web::shared::serve_limited(listener, app, options.server, shutdown).await
}
