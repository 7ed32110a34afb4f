//! The tagtrail ledger service: the Metrc v2 API ([`tagtrail_api`]) and the web UI
//! ([`tagtrail_web`]) over one application layer ([`tagtrail_app::Ledger`]), on one listener.

use axum::Router;
use axum::extract::Request;
use std::net::SocketAddr;
use tagtrail_app::Ledger;
pub use tagtrail_web::{WebOptions, Zone};

/// The whole service: the Metrc API (rate-limited) and its OpenAPI document, the web UI, and an
/// answer in Metrc's shape for every path that matches neither.
pub fn router(ledger: Ledger, web: WebOptions) -> Router {
    Router::new()
        .merge(tagtrail_api::router(ledger.clone()))
        .merge(tagtrail_web::router(ledger, web))
        .fallback(tagtrail_api::no_such_endpoint)
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// Serves the ledger on `listener` until `shutdown` resolves. Trailing slashes are trimmed
/// before routing, because Metrc's docs write `POST /items/v2/` and its Postman files do not.
/// Each request knows its client's address (the web UI throttles sign-in by it).
pub async fn serve(
    ledger: Ledger,
    web: WebOptions,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use tower::Layer;
    let app = tower_http::normalize_path::NormalizePathLayer::trim_trailing_slash()
        .layer(router(ledger, web));
    axum::serve(
        listener,
        axum::ServiceExt::<Request>::into_make_service_with_connect_info::<SocketAddr>(app),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
