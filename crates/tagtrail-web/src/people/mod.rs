//! A license's people and tags (seed 000, steps 3 and 4): its employees (their permissions and
//! API keys), and its UID tag orders and tags.

mod employees;

use crate::{WebState, lic};
use axum::Router;
use axum::routing::{get, post};

pub fn routes() -> Router<WebState> {
    use crate::pages::tags;
    Router::new()
        .route(
            &lic("/employees"),
            get(employees::list).post(employees::hire),
        )
        .route(&lic("/employees/{id}"), get(employees::detail))
        .route(
            &lic("/employees/{id}/permissions"),
            post(employees::permissions),
        )
        .route(&lic("/employees/{id}/key"), post(employees::key))
        .route(
            &lic("/employees/{id}/deactivate"),
            post(employees::deactivate),
        )
        .route(&lic("/tags"), get(tags::page))
        .route(&lic("/tags/all"), get(tags::all))
        .route(&lic("/tags/order"), post(tags::order))
        .route(&lic("/tags/receive"), post(tags::receive))
        .route(&lic("/tags/void"), post(tags::void))
        .route(&lic("/tags/{label}"), get(tags::tag))
}
