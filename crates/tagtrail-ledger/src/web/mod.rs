//! The web UI: server-rendered pages for employees, scoped to the licenses they work at.
//! No front-end build step; every action posts a form that calls the same application-layer
//! function as the API, so the UI cannot do what the API would refuse.

mod layout;
mod pages;
mod session;

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
}
