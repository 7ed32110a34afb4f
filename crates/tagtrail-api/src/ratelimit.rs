//! GET rate limits per facility and per vendor key, with concurrency caps (rule 69). Writes
//! are never limited. Over a limit: 429 with `Retry-After: 1`.

use super::AppState;
use super::error::ApiError;
use super::extract::{Params, basic_credentials};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use tagtrail_app::RateLimits;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct Limiter {
    cfg: RateLimits,
    per_facility: DefaultKeyedRateLimiter<String>,
    per_vendor: DefaultKeyedRateLimiter<String>,
    slots: Mutex<HashMap<String, Arc<Semaphore>>>,
}

fn quota(n: u32) -> Quota {
    Quota::per_second(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl Limiter {
    pub fn new(cfg: RateLimits) -> Self {
        Limiter {
            cfg,
            per_facility: RateLimiter::keyed(quota(cfg.per_facility_per_second)),
            per_vendor: RateLimiter::keyed(quota(cfg.per_vendor_key_per_second)),
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, key: &str, size: u32) -> Option<OwnedSemaphorePermit> {
        let sem = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            slots
                .entry(key.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(size as usize)))
                .clone()
        };
        sem.try_acquire_owned().ok()
    }
}

fn too_many(what: &str) -> Response {
    ApiError::Status(
        StatusCode::TOO_MANY_REQUESTS,
        format!("Rate limit exceeded ({what}); retry after 1 second."),
    )
    .into_response()
}

/// The caller authenticated by the limiter, handed on to the [`super::extract::Caller`]
/// extractor so each request authenticates once.
#[derive(Clone)]
pub struct Authenticated(pub tagtrail_app::Acting, pub Option<tagtrail_app::Scope>);

/// Limits reads (GET, and HEAD, which axum answers with the GET handlers). The caller is
/// authenticated first, so a request that fails authentication never spends anyone's quota, and
/// quotas are keyed by what was verified: the vendor key's id, and the canonical license of a
/// facility the caller is employed at. The license is read with the same parser the handlers use
/// (percent-decoded, last value wins), so no spelling of it escapes its quota.
pub async fn limit(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return next.run(req).await;
    }
    let Some((vendor_key, user_key)) = basic_credentials(req.headers()) else {
        // No credentials: the handler answers 401 without touching any quota.
        return next.run(req).await;
    };
    let who = match state.ledger.authenticate(&vendor_key, &user_key).await {
        Ok(who) => who,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let params = match Params::parse(req.uri().query().unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let scope = match params.get("licenseNumber") {
        Some(l) => state.ledger.scope(&who, l).await.ok(),
        None => None,
    };
    let facility = scope
        .as_ref()
        .map(|scope| format!("f:{}", scope.facility().id));
    let vendor = who.vendor_key_id().map(|id| format!("v:{id}"));
    req.extensions_mut().insert(Authenticated(who, scope));

    let limiter = &state.limiter;
    let mut permits = Vec::new();
    if let Some(v) = &vendor {
        match limiter.slot(v, limiter.cfg.concurrent_per_vendor_key) {
            Some(p) => permits.push(p),
            None => return too_many("concurrent requests per vendor key"),
        }
    }
    if let Some(f) = &facility {
        match limiter.slot(f, limiter.cfg.concurrent_per_facility) {
            Some(p) => permits.push(p),
            None => return too_many("concurrent requests per facility"),
        }
    }
    if let Some(v) = vendor
        && limiter.per_vendor.check_key(&v).is_err()
    {
        return too_many("requests per second per vendor key");
    }
    if let Some(f) = facility
        && limiter.per_facility.check_key(&f).is_err()
    {
        return too_many("requests per second per facility");
    }
    let resp = next.run(req).await;
    drop(permits);
    resp
}
