//! The tagtrail ledger service: the Metrc v2 API ([`tagtrail_api`]) and the web UI
//! ([`tagtrail_web`]) over one application layer ([`tagtrail_app::Ledger`]), on one listener.
//! In sandbox mode ([`sandbox`]) it also injects faults into the Metrc API and lets its clock be
//! set, for testing integrations.

pub mod sandbox;

use axum::Router;
pub use sandbox::{ClockOffset, Faults, Injected, Report, Sandbox};
use tagtrail_app::Ledger;
pub use tagtrail_app::ServerLimits;
pub use tagtrail_web::{WebOptions, Zone};

/// The whole service: the Metrc API (rate-limited) and its OpenAPI document, the web UI, and an
/// answer in Metrc's shape for every path that matches neither. With a `sandbox`, also the
/// sandbox's control endpoints and fault injection on the Metrc API; without one, those
/// endpoints do not exist (404 like any unknown path) and nothing is injected.
pub fn router(ledger: Ledger, web: WebOptions, sandbox: Option<Sandbox>) -> Router {
    let mut app = Router::new()
        .merge(tagtrail_api::router(ledger.clone()))
        .merge(tagtrail_web::router(ledger.clone(), web));
    if let Some(s) = &sandbox {
        app = app.merge(sandbox::control(ledger, s.clone()));
    }
    let mut app = app.fallback(tagtrail_api::no_such_endpoint);
    if let Some(s) = sandbox {
        // Outside the routes and the rate limiter: an injected fault happens before anything
        // of the request is looked at, as a failure in front of Metrc would.
        app = app.layer(axum::middleware::from_fn_with_state(s, sandbox::inject));
    }
    app.layer(tower_http::trace::TraceLayer::new_for_http())
}

/// Serves the ledger on `listener` until `shutdown` resolves. Trailing slashes are trimmed
/// before routing, because Metrc's docs write `POST /items/v2/` and its Postman files do not.
/// Each request knows its client's address (the web UI throttles sign-in by it). Connections
/// are capped and a request header must arrive within a time limit ([`ServerLimits`]). `sandbox`
/// turns on sandbox mode (see [`router`]); production passes `None`.
pub async fn serve(
    ledger: Ledger,
    web: WebOptions,
    sandbox: Option<Sandbox>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use tower::Layer;
    // Webhook deliveries run beside the server and stop with it; a batch in flight when it stops
    // is sent again by the next start (its position moves only after a 2xx).
    let webhooks = tagtrail_api::webhooks::spawn(ledger.clone());
    let limits = ledger.config.server;
    let app = tower_http::normalize_path::NormalizePathLayer::trim_trailing_slash()
        .layer(router(ledger, web, sandbox));
    let served = tagtrail_web::shared::serve_limited(listener, app, limits, shutdown).await;
    webhooks.abort();
    served
}
