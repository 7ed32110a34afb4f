//! GET rate limits per facility and per vendor key, with concurrency caps (rule 69). Writes
//! are never limited. Over a limit: 429 with `Retry-After: 1`.

use super::AppState;
use super::error::ApiError;
use super::extract::basic_credentials;
use crate::config::RateLimits;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
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

fn license_param(query: Option<&str>) -> Option<String> {
    query?.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.eq_ignore_ascii_case("licenseNumber")
            .then(|| v.to_ascii_lowercase())
    })
}

pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let limiter = &state.limiter;
    // Keyed by a hash: raw keys are never held in memory longer than the request.
    let vendor =
        basic_credentials(req.headers()).map(|(v, _)| format!("v:{}", crate::app::hash_key(&v)));
    let facility = license_param(req.uri().query()).map(|l| format!("f:{l}"));
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
