//! The Metrc v2 HTTP API, the `/tagtrail/v1` extensions, OpenAPI and the web UI router.

pub mod error;
pub mod extract;
mod map;
pub mod openapi;
pub mod ratelimit;
mod routes;

use crate::app::{Ledger, Written};
use crate::web;
use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Json, middleware};
use error::ApiError;
use extract::{Caller, Params};
use std::sync::Arc;
use tagtrail_domain::records::Record;
use tagtrail_metrc::{Ids, Paged};
use tagtrail_store::ListQuery;

#[derive(Clone)]
pub struct AppState {
    pub ledger: Ledger,
    pub limiter: Arc<ratelimit::Limiter>,
    pub sessions: web::Sessions,
}

impl AppState {
    pub fn new(ledger: Ledger) -> Self {
        let limiter = Arc::new(ratelimit::Limiter::new(ledger.config.rate));
        AppState {
            ledger,
            limiter,
            sessions: web::Sessions::default(),
        }
    }
}

/// The whole ledger service: Metrc API (rate-limited), extensions, OpenAPI, web UI.
pub fn router(state: AppState) -> Router {
    let api = routes::router().layer(middleware::from_fn_with_state(
        state.clone(),
        ratelimit::limit,
    ));
    Router::new()
        .merge(api)
        .merge(openapi::router())
        .merge(web::router())
        .fallback(|req: Request| async move {
            ApiError::Status(
                StatusCode::NOT_FOUND,
                format!("No such endpoint: {} {}", req.method(), req.uri().path()),
            )
        })
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Metrc's create answer.
pub(crate) fn created(w: Written) -> Json<Ids> {
    Json(Ids {
        ids: w.ids,
        warnings: if w.warnings.is_empty() {
            None
        } else {
            Some(w.warnings)
        },
    })
}

/// A paged list endpoint over one record type, scoped to the caller's `licenseNumber`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn list_scoped<R: Record, W>(
    s: &AppState,
    caller: &Caller,
    q: &Params,
    perms: &[&str],
    active: Option<bool>,
    windowed: bool,
    refine: impl FnOnce(&mut ListQuery),
    map: impl Fn(&R) -> W,
) -> Result<Json<Paged<W>>, ApiError> {
    let scope = caller.authorize(s, q.license()?, perms).await?;
    let mut lq = q.list_query(&s.ledger.config, Some(scope.license()), active, windowed)?;
    refine(&mut lq);
    let page = s
        .ledger
        .store
        .list::<R>(&lq)
        .await
        .map_err(crate::app::AppError::from)?;
    Ok(Json(q.paged(
        &s.ledger.config,
        page.rows.iter().map(map).collect(),
        page.total,
    )?))
}

/// A single record by id. With `licenseNumber`, a record of another facility answers 401, as
/// Metrc documents; without it, the record's own facility must be one the caller may act for.
pub(crate) async fn get_scoped<R: Record, W>(
    s: &AppState,
    caller: &Caller,
    q: &Params,
    id: &str,
    perms: &[&str],
    what: &str,
    map: impl Fn(&R) -> W,
) -> Result<Json<W>, ApiError> {
    let id = extract::parse_id(id)?;
    if let Some(lic) = q.get("licenseNumber") {
        caller.authorize(s, lic, perms).await?;
    }
    let rec: Option<R> = s
        .ledger
        .store
        .get(id)
        .await
        .map_err(crate::app::AppError::from)?;
    let rec = rec.ok_or_else(|| {
        ApiError::Status(
            StatusCode::NOT_FOUND,
            format!("{what} {id} does not exist."),
        )
    })?;
    let owner = rec.license().unwrap_or_default().to_string();
    match q.get("licenseNumber") {
        Some(lic) if !lic.eq_ignore_ascii_case(&owner) => {
            return Err(ApiError::Status(
                StatusCode::UNAUTHORIZED,
                format!("{what} {id} does not belong to license {lic}."),
            ));
        }
        Some(_) => {}
        None => {
            caller.authorize(s, &owner, perms).await?;
        }
    }
    Ok(Json(map(&rec)))
}

/// `DELETE /x/v2/{id}`: archives one record of the caller's facility. `what` is the endpoint's
/// collection path and the record's name ("/strains/v2", "Strain").
pub(crate) async fn archive_one<R: Record + Clone>(
    s: &AppState,
    caller: &Caller,
    q: &Params,
    headers: &axum::http::HeaderMap,
    id: &str,
    perms: &[&str],
    what: (&str, &str),
) -> Result<StatusCode, ApiError> {
    let scope = caller.authorize(s, q.license()?, perms).await?;
    let id = extract::parse_id(id)?;
    let reason = format!("Archive {}", what.1.to_lowercase());
    let act = extract::action(
        headers,
        &format!("DELETE {}/{id}", what.0),
        &reason,
        serde_json::Value::Null,
    )?;
    s.ledger
        .archive::<R>(&caller.0, &scope, act, what.1, id)
        .await?;
    Ok(StatusCode::OK)
}

/// PUT bodies address existing records: every element needs an `Id`, and one record is
/// addressed once per request (otherwise which element wins would be an accident of order).
pub(crate) fn require_ids(ids: impl Iterator<Item = Option<i64>>) -> Result<(), ApiError> {
    let mut seen = std::collections::HashSet::new();
    let rows: Vec<_> = ids
        .enumerate()
        .filter_map(|(row, id)| {
            let message = match id {
                None => "Id was not specified.".to_string(),
                Some(id) if !seen.insert(id) => format!("Id {id} appears more than once."),
                Some(_) => return None,
            };
            Some(tagtrail_metrc::RowError { row, message })
        })
        .collect();
    if rows.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Rows(rows))
    }
}

pub(crate) fn empty_ok() -> impl IntoResponse {
    StatusCode::OK
}

/// Serves the ledger on `listener` until `shutdown` resolves. Trailing slashes are trimmed
/// before routing, because Metrc's docs write `POST /items/v2/` and its Postman files do not.
pub async fn serve(
    ledger: Ledger,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use tower::Layer;
    let app = tower_http::normalize_path::NormalizePathLayer::trim_trailing_slash()
        .layer(router(AppState::new(ledger)));
    axum::serve(
        listener,
        axum::ServiceExt::<Request>::into_make_service(app),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
