//! A license's people and tags: its employees (and their permissions and API keys) and its UID
//! tag orders and tags.

use crate::{WebState, lic};
use axum::Router;
use axum::routing::{get, post};

pub fn routes() -> Router<WebState> {
    use crate::pages::{catalog, tags};
    Router::new()
        .route(&lic("/employees"), get(catalog::employees))
        .route(&lic("/tags"), get(tags::page))
        .route(&lic("/tags/receive"), post(tags::receive))
        .route(&lic("/tags/void"), post(tags::void))
}
