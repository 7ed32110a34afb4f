//! Package pages: the filtered list, the detail (lineage, adjustments, lab results, journal)
//! and the detail page's writes. (The laboratory's samples are in `crate::lab`.)

pub mod actions;
pub mod create;
pub mod detail;
pub mod label;
pub mod list;
mod origins;
mod words;

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
        .route(
            &lic("/packages/new"),
            get(create::new_get).post(create::new_post),
        )
        .route(
            &lic("/packages/sample"),
            get(create::sample_get).post(create::sample_post),
        )
        .route(
            &lic("/packages/{id}/repackage"),
            get(create::repackage_get).post(create::repackage_post),
        )
        .route(&lic("/packages/{id}"), get(detail::page))
        .route(&lic("/packages/{id}/label"), get(label::page))
        .route(&lic("/packages/{id}/label.pdf"), get(label::pdf))
        .route(&lic("/packages/{id}/{action}"), post(actions::act))
}
