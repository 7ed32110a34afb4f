//! A license's catalog: items, strains, locations and sublocations, drivers and vehicles.

use crate::{WebState, lic};
use axum::Router;
use axum::routing::get;

pub fn routes() -> Router<WebState> {
    use crate::pages::catalog;
    Router::new()
        .route(&lic("/items"), get(catalog::items))
        .route(&lic("/strains"), get(catalog::strains))
        .route(&lic("/locations"), get(catalog::locations))
}
