//! The web UI: server-rendered pages for employees, scoped to the licenses they work at.
//! No front-end build step; every action posts a form that calls the same application-layer
//! function as the API, so the UI cannot do what the API would refuse.

mod layout;
mod packages;
mod pages;
mod session;
mod transfers;

pub use session::Sessions;

use crate::http::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::root))
        .route("/ui", get(pages::home))
        .route("/ui/login", get(pages::login_form).post(pages::login))
        .route("/ui/logout", post(pages::logout))
        .route("/ui/l/{license}/employees", get(pages::employees))
        .route("/ui/l/{license}/items", get(pages::items))
        .route("/ui/l/{license}/strains", get(pages::strains))
        .route("/ui/l/{license}/locations", get(pages::locations))
        .route("/ui/l/{license}/tags", get(pages::tags))
        .route("/ui/l/{license}/tags/receive", post(pages::receive_tags))
        .route("/ui/l/{license}/tags/void", post(pages::void_tag))
        .route("/ui/l/{license}/journal", get(pages::journal))
        .route("/ui/l/{license}/packages", get(packages::list))
        .route("/ui/l/{license}/packages/{id}", get(packages::detail))
        .route(
            "/ui/l/{license}/packages/{id}/{action}",
            post(packages::act),
        )
        .route("/ui/l/{license}/documents/{id}", get(packages::document))
        .route("/ui/l/{license}/labsamples", get(packages::lab_samples))
        .route(
            "/ui/l/{license}/labsamples/{id}/record",
            post(packages::record).layer(axum::extract::DefaultBodyLimit::max(8 * 1024 * 1024)),
        )
        .route(
            "/ui/l/{license}/labsamples/{id}/release",
            post(packages::release),
        )
        .route("/ui/l/{license}/transfers", get(transfers::list))
        .route(
            "/ui/l/{license}/transfers/new",
            get(transfers::new_form).post(transfers::create),
        )
        .route("/ui/l/{license}/transfers/{id}", get(transfers::detail))
        .route(
            "/ui/l/{license}/transfers/{id}/edit",
            get(transfers::edit_form).post(transfers::update),
        )
        .route(
            "/ui/l/{license}/transfers/{id}/upload",
            post(transfers::upload),
        )
        .route(
            "/ui/l/{license}/transfers/{id}/receive",
            get(transfers::receipt_form).post(transfers::receive),
        )
        .route(
            "/ui/l/{license}/transfers/{id}/manifest.pdf",
            get(transfers::manifest_pdf),
        )
        .route(
            "/ui/l/{license}/transfers/{id}/manifest.html",
            get(transfers::manifest_html),
        )
        .route(
            "/ui/l/{license}/transfers/{id}/{action}",
            post(transfers::act),
        )
}
