//! Web UI (placeholder until the pages land in this change).
use crate::http::AppState;
use axum::Router;
#[derive(Clone, Default)]
pub struct Sessions;
pub fn router() -> Router<AppState> { Router::new() }
