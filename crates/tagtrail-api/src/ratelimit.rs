//! GET rate limits per facility and per vendor key, with concurrency caps (rule 69). Writes
//! are never limited. Over a limit: 429 with `Retry-After: 1`.
//!
//! A request is charged to its facility's and its vendor key's rates together, and only when
//! both have room: a request one limit refuses spends nothing of the other. (With two separate
//! limiters, one facility's refused flood spent its integrator's key budget and starved the
//! integrator's other facilities.) governor cannot ask "is there room?" without spending, so
//! the rates are a small GCRA here, the algorithm governor implements. With several nodes on
//! PostgreSQL (`--shared-rate-limits`) the cells are also kept in the database (`rate_admit`,
//! migration 0026), so the nodes enforce one limit; concurrency caps stay per node, protecting
//! each node's own capacity.

use super::AppState;
use super::error::ApiError;
use super::extract::{Params, basic_credentials};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tagtrail_app::RateLimits;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct Limiter {
    cfg: RateLimits,
    rates: Rates,
    slots: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// A rate: `per_second` requests a second on average, as many at once.
#[derive(Clone, Copy)]
struct Rate {
    per_second: u32,
}

impl Rate {
    /// The interval each request adds to its key's theoretical arrival time.
    fn interval(self) -> Duration {
        Duration::from_secs(1) / self.per_second.max(1)
    }

    /// How far ahead of now the theoretical arrival time may run: the burst.
    fn tolerance(self) -> Duration {
        self.interval() * self.per_second.max(1)
    }
}

/// Generic cell rate algorithm over many keys, each key's theoretical arrival time kept as an
/// offset from `start`.
struct Rates {
    start: Instant,
    tat: Mutex<HashMap<String, Duration>>,
}

impl Rates {
    fn new() -> Rates {
        Rates {
            start: Instant::now(),
            tat: Mutex::new(HashMap::new()),
        }
    }

    /// Admits one request against every `(key, rate)` or none: the index of the first key
    /// without room, when one has none, and then nothing is charged.
    fn admit(&self, keys: &[(&str, Rate)]) -> Result<(), usize> {
        let now = self.start.elapsed();
        let mut tat = self.tat.lock().unwrap_or_else(|p| p.into_inner());
        let mut next = Vec::with_capacity(keys.len());
        for (i, (key, rate)) in keys.iter().enumerate() {
            let t = tat.get(*key).copied().unwrap_or(now).max(now) + rate.interval();
            if t > now + rate.tolerance() {
                return Err(i);
            }
            next.push(t);
        }
        for ((key, _), t) in keys.iter().zip(next) {
            tat.insert((*key).to_string(), t);
        }
        // Keys whose time has passed hold nothing a fresh key would not: forget them now and
        // then, so the map holds only callers active in the last moments.
        if tat.len() > 10_000 {
            tat.retain(|_, t| *t > now);
        }
        Ok(())
    }
}

impl Limiter {
    pub fn new(cfg: RateLimits) -> Self {
        Limiter {
            cfg,
            rates: Rates::new(),
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

/// Charges a request to its rates: in this process, and then, when nodes share them
/// (`--shared-rate-limits` on PostgreSQL), in the database. If the database cannot answer, this
/// node's cells have decided, so a database hiccup does not turn every GET away.
async fn admit(state: &AppState, keys: &[(&str, Rate)]) -> Result<(), usize> {
    // This node's own cells first: a flood is refused here without a database round trip, so
    // the shared cells see at most each node's admitted share.
    state.limiter.rates.admit(keys)?;
    if state.ledger.shares_rate_limits() {
        let cells: Vec<_> = keys
            .iter()
            .map(|(k, r)| (*k, r.interval(), r.tolerance()))
            .collect();
        match state.ledger.rate_admit(&cells).await {
            Ok(None) => {}
            Ok(Some(i)) => return Err(i),
            Err(e) => {
                tracing::warn!(error = %e, "shared rate limits unavailable; this node's decided")
            }
        }
    }
    Ok(())
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
    // Credentials are judged before the query string, as they always were: a caller with bad
    // keys hears 401 whatever else is wrong.
    let params = Params::parse(req.uri().query().unwrap_or(""));
    let license = params.as_ref().ok().and_then(|p| p.get("licenseNumber"));
    let (who, scope) = match state
        .ledger
        .authenticate_with_scope(&vendor_key, &user_key, license)
        .await
    {
        Ok(found) => found,
        Err(e) => return ApiError::from(e).into_response(),
    };
    if let Err(e) = params {
        return e.into_response();
    }
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
    let facility_rate = Rate {
        per_second: limiter.cfg.per_facility_per_second,
    };
    let vendor_rate = Rate {
        per_second: limiter.cfg.per_vendor_key_per_second,
    };
    let mut keys = Vec::with_capacity(2);
    if let Some(f) = &facility {
        keys.push((
            f.as_str(),
            facility_rate,
            "requests per second per facility",
        ));
    }
    if let Some(v) = &vendor {
        keys.push((
            v.as_str(),
            vendor_rate,
            "requests per second per vendor key",
        ));
    }
    let charged: Vec<(&str, Rate)> = keys.iter().map(|(k, r, _)| (*k, *r)).collect();
    if let Err(i) = admit(&state, &charged).await {
        return too_many(keys[i].2);
    }
    let resp = next.run(req).await;
    drop(permits);
    resp
}
