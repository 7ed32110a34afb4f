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

mod catalog;
mod confirm;
mod cultivation;
mod error;
mod fields;
mod flash;
mod frame;
mod grid;
mod imports;
mod lab;
mod layout;
mod packages;
mod pages;
mod people;
mod sales;
mod security;
mod session;
mod status;
mod throttle;
mod transfers;
mod urls;
mod webhooks;
mod when;

use axum::Router;
use axum::middleware;
use std::sync::Arc;
use tagtrail_app::Ledger;

/// How the web UI is served.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebOptions {
    /// Marks cookies `Secure`, so a browser sends them over HTTPS only. Turn on whenever the UI is
    /// reached over TLS (directly or through a proxy); off, the UI also works over plain HTTP on
    /// a workstation.
    pub secure_cookies: bool,
    /// The zone times are shown in: the facilities' (California's by default).
    pub zone: when::Zone,
    /// Wrong passwords taken before sign-in answers 429.
    pub sign_in: SignInLimits,
}

pub use throttle::{Budget, SignInLimits};
pub use when::{CALIFORNIA, Zone};

/// What the workbench's web UI (`tagtrail-workbench-web`) shares with this one, so the two look
/// alike and are guarded alike: the security headers, the checks of a posted form's origin and
/// CSRF token, the sign-in throttle and the base styles.
mod server;

pub mod shared {
    pub use crate::security::{POLICY, csrf_token_in, headers, same_origin, tokens_match};
    pub use crate::server::serve as serve_limited;
    pub use crate::session::safe_path_under;
    pub use crate::throttle::{Client, Throttle};
    pub use crate::when::date;
    pub use tagtrail_app::ServerLimits;

    /// The base stylesheet and the forms' styles (the pieces that are not about the ledger's
    /// own pages).
    pub const BASE_CSS: &str = concat!(include_str!("css/base.css"), include_str!("css/forms.css"));
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

/// The address of a license's page: `/ui/l/{license}` and `rest`.
fn lic(rest: &str) -> String {
    format!("/ui/l/{{license}}{rest}")
}

/// The web UI's routes, with their state applied, to be merged beside the API. Each part of the
/// UI lists its own routes.
pub fn router(ledger: Ledger, options: WebOptions) -> Router {
    let state = WebState {
        ledger,
        options,
        throttle: Arc::new(throttle::Throttle::of(options.sign_in)),
    };
    Router::new()
        .merge(pages::routes())
        .merge(packages::routes())
        .merge(lab::routes())
        .merge(transfers::routes())
        .merge(catalog::routes())
        .merge(people::routes())
        .merge(imports::routes())
        .merge(cultivation::routes())
        .merge(sales::routes())
        .merge(webhooks::routes())
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
