//! The pages that belong to no one area: signing in and out, the start page, a license's
//! dashboard, search, the inspection card, help, and the journal. (Employees and tags are served
//! by `people`, the catalog by `catalog`, whose pages still live partly here.)

pub mod catalog;
pub mod dashboard;
pub mod help;
pub mod home;
pub mod inspect;
pub mod journal;
pub mod search;
pub mod signin;
pub mod tags;

use crate::{WebState, layout, lic};
use axum::Router;
use axum::routing::{get, post};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route("/", get(signin::root))
        .route("/ui", get(home::home))
        .route("/ui/style.css", get(layout::stylesheet))
        .route("/ui/scan.js", get(inspect::scan_js))
        .route("/ui/login", get(signin::form).post(signin::sign_in))
        .route("/ui/logout", post(signin::sign_out))
        .route("/ui/help", get(help::page_of))
        .route("/ui/help/csv", get(help::csv_guide))
        .route("/ui/search", get(search::everywhere))
        .route("/ui/inspect", get(inspect::page))
        .route(&lic("/search"), get(search::at_license))
        .route(&lic(""), get(dashboard::page))
        .route(&lic("/dashboard"), get(dashboard::page))
        .route(&lic("/journal"), get(journal::page))
        .route(&lic("/journal/{seq}"), get(journal::entry))
}

/// A page that does not exist.
pub async fn not_found() -> crate::error::WebError {
    crate::error::WebError::not_found("There is no such page.")
}
