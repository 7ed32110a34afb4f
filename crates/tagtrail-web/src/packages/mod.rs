//! Package pages: the filtered list, the detail (lineage, adjustments, lab results, journal),
//! the detail page's writes, and the laboratory's samples with result entry and release.

pub mod actions;
pub mod detail;
pub mod lab;
pub mod list;

use crate::error::WebError;
use crate::{WebState, lic};
use axum::Router;
use axum::routing::{get, post};
use tagtrail_app::Scope;
use tagtrail_app::reads::ListQuery;
use tagtrail_domain::records::Location;

/// The facility's active locations, for the filters and the move form.
async fn locations(s: &WebState, scope: &Scope) -> Result<Vec<Location>, WebError> {
    let q = ListQuery {
        active: Some(true),
        ..Default::default()
    };
    Ok(s.ledger.list::<Location>(scope, q).await?.rows)
}

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/ui/packages/{uid}", get(detail::by_uid))
        .route(&lic("/packages"), get(list::page))
        .route(&lic("/packages/{id}"), get(detail::page))
        .route(&lic("/packages/{id}/{action}"), post(actions::act))
}
