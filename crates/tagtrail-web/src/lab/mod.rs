//! The laboratory's pages: its samples, result entry with the certificate, release, and the
//! certificates it serves.

use crate::{LARGEST_FORM, WebState, lic};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub fn routes() -> Router<WebState> {
    use crate::packages::lab;
    Router::new()
        .route(&lic("/documents/{id}"), get(lab::document))
        .route(&lic("/labsamples"), get(lab::samples))
        .route(
            &lic("/labsamples/{id}/record"),
            post(lab::record).layer(DefaultBodyLimit::max(LARGEST_FORM)),
        )
        .route(&lic("/labsamples/{id}/release"), post(lab::release))
}
