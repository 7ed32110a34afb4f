//! The Metrc v2 HTTP API and the `/tagtrail/v1` extensions: thin routes over the application
//! layer. A route maps the wire to an action's typed request and runs the action
//! ([`Write::run`]); a read authorizes, asks one of the app's scoped reads and maps the records
//! to the wire. One route list ([`routes::api`]) makes both the router and the OpenAPI document.

pub mod error;
pub mod extract;
mod json;
mod map;
pub mod openapi;
pub mod ratelimit;
mod routes;
pub mod webhooks;

/// The change feed as the API serves it, for doors that deliver it elsewhere (webhooks).
pub mod changes {
    pub use crate::routes::changes::{
        Cursor, DEFAULT_PAGE_SIZE, FeedItem, FeedPage, MAX_PAGE_SIZE, feed_page, parse_cursor,
    };
}

use crate::json::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware;
use axum::response::IntoResponse;
use error::ApiError;
use extract::{Caller, Params, WriteBody, door, parse_body, parse_id};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use tagtrail_app::reads::ListQuery;
use tagtrail_app::{Action, Ledger, Written};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::Record;
use tagtrail_metrc::{Ids, Paged};

#[derive(Clone)]
pub struct AppState {
    pub ledger: Ledger,
    pub limiter: Arc<ratelimit::Limiter>,
}

impl AppState {
    pub fn new(ledger: Ledger) -> Self {
        let limiter = Arc::new(ratelimit::Limiter::new(ledger.config.rate));
        AppState { ledger, limiter }
    }
}

/// The Metrc API (rate-limited) and the OpenAPI document at `/openapi.json`, with the state
/// applied. The caller adds the fallback and the tracing layer.
pub fn router(ledger: Ledger) -> Router {
    let state = AppState::new(ledger);
    let (api, doc) = routes::api().split_for_parts();
    let api = api.layer(middleware::from_fn_with_state(
        state.clone(),
        ratelimit::limit,
    ));
    let doc = openapi::finish(doc);
    Router::new()
        .merge(api)
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { Json(doc) }
            }),
        )
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

/// Everything a write endpoint receives: the state, the authenticated caller, the query, the
/// headers, the body, and the endpoint as called (`PUT /packages/v2/finish`,
/// `DELETE /strains/v2/12`), which the journal records as the door.
pub struct Write {
    s: AppState,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
    endpoint: String,
}

impl<S> FromRequest<S> for Write
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let caller = Caller::from_request_parts(&mut parts, state).await?;
        let q = Params::from_request_parts(&mut parts, state).await?;
        let endpoint = format!("{} {}", parts.method, parts.uri.path());
        let headers = parts.headers.clone();
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| ApiError::Status(e.status(), e.body_text()))?;
        Ok(Write {
            s: AppState::from_ref(state),
            caller,
            q,
            headers,
            body,
            endpoint,
        })
    }
}

impl Write {
    /// Runs `A` on an array body of `T`: authorizes for the action first (so a caller who may not
    /// act learns that before anything about the body), parses the body, maps it to the action's
    /// request, and runs the action through the API door.
    pub async fn run<A: Action, T: DeserializeOwned>(
        self,
        map: impl FnOnce(Vec<T>) -> A::Request,
    ) -> Result<Written, ApiError> {
        let max = self.s.ledger.config.max_objects;
        self.run_limited::<A, T>(max, map).await
    }

    /// As [`Write::run`], with `max_objects` elements allowed in the body.
    pub async fn run_limited<A: Action, T: DeserializeOwned>(
        self,
        max_objects: usize,
        map: impl FnOnce(Vec<T>) -> A::Request,
    ) -> Result<Written, ApiError> {
        let scope = self
            .caller
            .authorize_for(&self.s, self.q.license()?, &A::DEF)
            .await?;
        let WriteBody { raw, items, long } = parse_body::<T>(max_objects, &self.body)?;
        let req = map(items);
        let door = door(&self.headers, self.endpoint, raw)?.refusing(long);
        Ok(self.s.ledger.run::<A>(&scope, door, &req).await?)
    }

    /// Runs `A` on a request the route builds from the body it gets (`build` may refuse it); the
    /// journal keeps `raw` as the request.
    pub async fn run_built<A: Action>(
        self,
        build: impl FnOnce(&AppState, &[u8]) -> Result<(serde_json::Value, A::Request), ApiError>,
    ) -> Result<Written, ApiError> {
        let scope = self
            .caller
            .authorize_for(&self.s, self.q.license()?, &A::DEF)
            .await?;
        let (raw, req) = build(&self.s, &self.body)?;
        let door = door(&self.headers, self.endpoint, raw)?;
        Ok(self.s.ledger.run::<A>(&scope, door, &req).await?)
    }

    /// Runs `A` on the record addressed by the path's id (the `DELETE`s): no body.
    pub async fn run_on<A: Action<Request = i64>>(self, id: &str) -> Result<StatusCode, ApiError> {
        let scope = self
            .caller
            .authorize_for(&self.s, self.q.license()?, &A::DEF)
            .await?;
        let id = parse_id(id)?;
        let door = door(&self.headers, self.endpoint, serde_json::Value::Null)?;
        self.s.ledger.run::<A>(&scope, door, &id).await?;
        Ok(StatusCode::OK)
    }

    pub fn state(&self) -> &AppState {
        &self.s
    }

    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    pub fn params(&self) -> &Params {
        &self.q
    }
}

/// Everything a read endpoint receives.
pub struct Read {
    s: AppState,
    caller: Caller,
    q: Params,
}

impl<S> FromRequestParts<S> for Read
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Read {
            caller: Caller::from_request_parts(parts, state).await?,
            q: Params::from_request_parts(parts, state).await?,
            s: AppState::from_ref(state),
        })
    }
}

impl Read {
    /// The caller's scope at the request's `licenseNumber`, holding one of `perms`.
    pub async fn scope(&self, perms: &[Permission]) -> Result<tagtrail_app::Scope, ApiError> {
        Ok(self
            .caller
            .authorize(&self.s, self.q.license()?, perms)
            .await?)
    }

    /// A paged list of the scope's records of type `R`: `active` filters, `windowed` honours
    /// `lastModifiedStart/End`, `refine` adds the endpoint's own filters.
    pub async fn list<R: Record, W>(
        &self,
        perms: &[Permission],
        active: Option<bool>,
        windowed: bool,
        refine: impl FnOnce(ListQuery) -> ListQuery,
        map: impl Fn(&R) -> W,
    ) -> Result<Json<Paged<W>>, ApiError> {
        let scope = self.scope(perms).await?;
        let lq = refine(self.q.list_query(&self.s.ledger, active, windowed)?);
        let page = self.s.ledger.list::<R>(&scope, lq).await?;
        self.paged(page.rows.iter().map(map).collect(), page.total)
    }

    /// One record by id. With `licenseNumber`, a record of another facility answers 401, as
    /// Metrc documents; without it, the record's own facility must be one the caller may act for.
    pub async fn one<R: Record, W>(
        &self,
        id: &str,
        perms: &[Permission],
        what: &str,
        map: impl Fn(&R) -> W,
    ) -> Result<Json<W>, ApiError> {
        let id = parse_id(id)?;
        let r: R = match self.q.get("licenseNumber") {
            Some(lic) => {
                let scope = self.caller.authorize(&self.s, lic, perms).await?;
                self.s.ledger.get(&scope, id, what).await?
            }
            None => {
                self.s
                    .ledger
                    .get_any(&self.caller.0, id, perms, what)
                    .await?
            }
        };
        Ok(Json(map(&r)))
    }

    /// Metrc's paging envelope around `data`, of `total` records.
    pub fn paged<W>(&self, data: Vec<W>, total: i64) -> Result<Json<Paged<W>>, ApiError> {
        Ok(Json(self.q.paged(&self.s.ledger.config, data, total)?))
    }

    /// Pages an in-memory list (reference data) the way the store pages a table.
    pub fn page_of<W>(&self, all: Vec<W>) -> Result<Json<Paged<W>>, ApiError> {
        let total = all.len() as i64;
        let data = match self.q.paging(&self.s.ledger.config)? {
            Some((page, size)) => all
                .into_iter()
                .skip(usize::try_from(u64::from(page - 1) * u64::from(size)).unwrap_or(usize::MAX))
                .take(size as usize)
                .collect(),
            None => all,
        };
        self.paged(data, total)
    }

    pub fn state(&self) -> &AppState {
        &self.s
    }

    pub fn ledger(&self) -> &Ledger {
        &self.s.ledger
    }

    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    pub fn params(&self) -> &Params {
        &self.q
    }
}

/// An empty 200, Metrc's answer to a successful update.
pub(crate) fn ok(_: Written) -> StatusCode {
    StatusCode::OK
}

/// Answers every request that matches no route.
pub async fn no_such_endpoint(method: Method, uri: axum::http::Uri) -> impl IntoResponse {
    ApiError::Status(
        StatusCode::NOT_FOUND,
        format!("No such endpoint: {method} {}", uri.path()),
    )
}
