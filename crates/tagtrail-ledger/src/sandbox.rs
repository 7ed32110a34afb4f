//! Sandbox mode: fault injection on the Metrc API and a settable clock, so that integrations (the
//! workbench's sync and outbox first) are tested against what real Metrc does to them — 429s,
//! 500s, slow answers, connections that die, writes that commit while their answer is lost, and a
//! server clock that is not the client's.
//!
//! Off unless the ledger is started with a [`Sandbox`] (`tagtrail serve --sandbox`). Faults apply
//! to the Metrc API's paths (a `v2` path segment) and to writes to `/tagtrail/v1` (the extensions
//! that stand in for Metrc's web-UI steps), never to the web UI, `/tagtrail/v1` reads or
//! `/openapi.json`, and never to this module's own control endpoints, so a test can always reach
//! them to turn faults off:
//!
//! - `GET/PUT /tagtrail/v1/sandbox/faults`: the fault rates ([`Faults`]) and what was injected
//!   so far ([`Injected`]);
//! - `GET/PUT /tagtrail/v1/sandbox/clock`: the ledger clock's offset ([`ClockOffset`]).
//!
//! Rolls come from one seeded RNG, and every request draws the same number of values whatever
//! the rates, so a client that sends the same requests in the same order after the same `PUT`
//! meets the same faults.

use axum::body::{Body, Bytes};
use axum::extract::{FromRef, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tagtrail_api::AppState;
use tagtrail_api::error::ApiError;
use tagtrail_api::extract::Caller;
use tagtrail_app::Ledger;

/// Where the fault rates are read and set.
pub const FAULTS_PATH: &str = "/tagtrail/v1/sandbox/faults";
/// Where the clock offset is read and set.
pub const CLOCK_PATH: &str = "/tagtrail/v1/sandbox/clock";

/// The longest added latency (fixed plus jitter) accepted: a minute. Longer would only hang the
/// client's own timeouts, and a typo in milliseconds should not stall a test run for hours.
pub const MAX_LATENCY_MS: u64 = 60_000;

/// What to inject, per request to the Metrc API. Rates are probabilities (0 to 1). Each request
/// is rolled against them in the order 429, 500, drop, commit-then-drop, and the first that fires
/// is what happens; the latency comes before any of them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Faults {
    /// Answer 429 with `Retry-After: 1` before the handler runs (nothing is done).
    pub rate_429: f64,
    /// Answer 500 before the handler runs (nothing is done).
    pub rate_500: f64,
    /// Added to every request before it is handled, in milliseconds.
    pub latency_ms: u64,
    /// Up to this many more milliseconds, uniformly at random.
    pub latency_jitter_ms: u64,
    /// Drop the connection without running the handler (nothing is done).
    pub rate_drop: f64,
    /// Writes only (not GET or HEAD): run the handler, so the write commits, then drop the
    /// connection instead of answering. The client cannot know whether it happened.
    pub rate_commit_then_drop: f64,
    /// Seeds the RNG; every change of the faults re-seeds it.
    pub seed: u64,
}

impl Faults {
    /// Refuses rates outside 0..=1 (or not numbers) and latency beyond [`MAX_LATENCY_MS`].
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("Rate429", self.rate_429),
            ("Rate500", self.rate_500),
            ("RateDrop", self.rate_drop),
            ("RateCommitThenDrop", self.rate_commit_then_drop),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!(
                    "{name} must be a probability from 0 to 1; {rate} was given."
                ));
            }
        }
        if self.latency_ms.saturating_add(self.latency_jitter_ms) > MAX_LATENCY_MS {
            return Err(format!(
                "LatencyMs plus LatencyJitterMs may be at most {MAX_LATENCY_MS}."
            ));
        }
        Ok(())
    }

    /// True when any fault can fire.
    pub fn any(&self) -> bool {
        self.rate_429 > 0.0
            || self.rate_500 > 0.0
            || self.rate_drop > 0.0
            || self.rate_commit_then_drop > 0.0
            || self.latency_ms > 0
            || self.latency_jitter_ms > 0
    }
}

/// How many faults of each kind were injected since the ledger started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Injected {
    #[serde(rename = "Injected429")]
    pub too_many_requests: u64,
    #[serde(rename = "Injected500")]
    pub internal_error: u64,
    /// Requests delayed (by a non-zero latency).
    #[serde(rename = "InjectedLatency")]
    pub latency: u64,
    #[serde(rename = "InjectedDrop")]
    pub drop: u64,
    #[serde(rename = "InjectedCommitThenDrop")]
    pub commit_then_drop: u64,
}

/// The answer of `GET`/`PUT /tagtrail/v1/sandbox/faults`: the faults in force and the counters,
/// in one flat object.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "FlatReport", into = "FlatReport")]
pub struct Report {
    pub faults: Faults,
    pub injected: Injected,
}

/// [`Report`] on the wire. Spelt out rather than `#[serde(flatten)]`: flattening buffers the
/// fields, and with serde_json's `arbitrary_precision` (on in this workspace) a buffered number
/// no longer reads back as an `f64`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FlatReport {
    rate_429: f64,
    rate_500: f64,
    latency_ms: u64,
    latency_jitter_ms: u64,
    rate_drop: f64,
    rate_commit_then_drop: f64,
    seed: u64,
    #[serde(rename = "Injected429")]
    injected_429: u64,
    #[serde(rename = "Injected500")]
    injected_500: u64,
    injected_latency: u64,
    injected_drop: u64,
    injected_commit_then_drop: u64,
}

impl From<Report> for FlatReport {
    fn from(r: Report) -> Self {
        let (f, i) = (r.faults, r.injected);
        FlatReport {
            rate_429: f.rate_429,
            rate_500: f.rate_500,
            latency_ms: f.latency_ms,
            latency_jitter_ms: f.latency_jitter_ms,
            rate_drop: f.rate_drop,
            rate_commit_then_drop: f.rate_commit_then_drop,
            seed: f.seed,
            injected_429: i.too_many_requests,
            injected_500: i.internal_error,
            injected_latency: i.latency,
            injected_drop: i.drop,
            injected_commit_then_drop: i.commit_then_drop,
        }
    }
}

impl From<FlatReport> for Report {
    fn from(r: FlatReport) -> Self {
        Report {
            faults: Faults {
                rate_429: r.rate_429,
                rate_500: r.rate_500,
                latency_ms: r.latency_ms,
                latency_jitter_ms: r.latency_jitter_ms,
                rate_drop: r.rate_drop,
                rate_commit_then_drop: r.rate_commit_then_drop,
                seed: r.seed,
            },
            injected: Injected {
                too_many_requests: r.injected_429,
                internal_error: r.injected_500,
                latency: r.injected_latency,
                drop: r.injected_drop,
                commit_then_drop: r.injected_commit_then_drop,
            },
        }
    }
}

/// The body of `GET`/`PUT /tagtrail/v1/sandbox/clock`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ClockOffset {
    /// Seconds added to the ledger's clock (negative: it runs behind).
    pub offset_seconds: i64,
}

/// Sandbox mode's state: the faults, their RNG and the counters. Clones share it, so a test (or
/// the CLI) keeps a handle to the one the server runs with.
#[derive(Clone)]
pub struct Sandbox {
    inner: Arc<Inner>,
}

struct Inner {
    dice: Mutex<Dice>,
    counts: Counts,
}

struct Dice {
    faults: Faults,
    rng: StdRng,
}

#[derive(Default)]
struct Counts {
    too_many_requests: AtomicU64,
    internal_error: AtomicU64,
    latency: AtomicU64,
    drop: AtomicU64,
    commit_then_drop: AtomicU64,
}

/// What one request gets.
struct Plan {
    delay: Option<Duration>,
    fault: Option<Fault>,
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    TooManyRequests,
    InternalError,
    Drop,
    CommitThenDrop,
}

impl Default for Sandbox {
    /// Sandbox mode with no faults: the control endpoints are served, and nothing is injected
    /// until faults are set.
    fn default() -> Self {
        Sandbox::with_valid(Faults::default())
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("faults", &self.faults())
            .field("injected", &self.injected())
            .finish()
    }
}

impl Sandbox {
    /// Sandbox mode with `faults` (refused if [`Faults::validate`] refuses them).
    pub fn new(faults: Faults) -> Result<Sandbox, String> {
        faults.validate()?;
        Ok(Sandbox::with_valid(faults))
    }

    fn with_valid(faults: Faults) -> Sandbox {
        Sandbox {
            inner: Arc::new(Inner {
                dice: Mutex::new(Dice {
                    rng: StdRng::seed_from_u64(faults.seed),
                    faults,
                }),
                counts: Counts::default(),
            }),
        }
    }

    // A panic while the lock is held cannot leave the dice half-changed (each change is one
    // assignment), so a poisoned lock is used as it is.
    fn dice(&self) -> std::sync::MutexGuard<'_, Dice> {
        self.inner.dice.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.dice().faults.clone()
    }

    /// Replaces the faults and re-seeds the RNG from their `seed`; the counters carry on.
    pub fn set_faults(&self, faults: Faults) -> Result<(), String> {
        faults.validate()?;
        let mut dice = self.dice();
        dice.rng = StdRng::seed_from_u64(faults.seed);
        dice.faults = faults;
        Ok(())
    }

    /// The counters of injected faults.
    pub fn injected(&self) -> Injected {
        let c = &self.inner.counts;
        let read = |n: &AtomicU64| n.load(Ordering::SeqCst);
        Injected {
            too_many_requests: read(&c.too_many_requests),
            internal_error: read(&c.internal_error),
            latency: read(&c.latency),
            drop: read(&c.drop),
            commit_then_drop: read(&c.commit_then_drop),
        }
    }

    /// The faults in force with the counters.
    pub fn report(&self) -> Report {
        Report {
            faults: self.faults(),
            injected: self.injected(),
        }
    }

    /// Rolls for one request. Every request draws four rolls (and the jitter, when there is
    /// one) whatever the rates and the method, so which request meets which fault depends only
    /// on the seed and the order of requests.
    fn roll(&self, write: bool) -> Plan {
        let mut dice = self.dice();
        let f = dice.faults.clone();
        let mut rolls = [0.0f64; 4];
        for r in &mut rolls {
            *r = dice.rng.gen_range(0.0..1.0);
        }
        let jitter = if f.latency_jitter_ms > 0 {
            dice.rng.gen_range(0..=f.latency_jitter_ms)
        } else {
            0
        };
        drop(dice);
        let delay_ms = f.latency_ms + jitter;
        let fault = if rolls[0] < f.rate_429 {
            Some(Fault::TooManyRequests)
        } else if rolls[1] < f.rate_500 {
            Some(Fault::InternalError)
        } else if rolls[2] < f.rate_drop {
            Some(Fault::Drop)
        } else if write && rolls[3] < f.rate_commit_then_drop {
            Some(Fault::CommitThenDrop)
        } else {
            None
        };
        Plan {
            delay: (delay_ms > 0).then(|| Duration::from_millis(delay_ms)),
            fault,
        }
    }

    fn count(&self, fault: Fault) {
        let c = &self.inner.counts;
        let n = match fault {
            Fault::TooManyRequests => &c.too_many_requests,
            Fault::InternalError => &c.internal_error,
            Fault::Drop => &c.drop,
            Fault::CommitThenDrop => &c.commit_then_drop,
        };
        n.fetch_add(1, Ordering::SeqCst);
    }
}

/// True for the requests faults apply to: the Metrc API's paths (`/strains/v2/active`,
/// `/packages/v2`), and writes to tagtrail's `/tagtrail/v1` extensions, which stand in for the
/// steps Metrc does in its web UI (registering and receiving manifests) and so meet the same
/// network. The web UI, the sandbox's own controls, `/tagtrail/v1` reads (the journal and
/// checkpoints an inspector or test reads) and the OpenAPI document always answer.
fn faultable(method: &Method, path: &str) -> bool {
    if path.starts_with("/ui") {
        return false;
    }
    if path.split('/').any(|segment| segment == "v2") {
        return true;
    }
    path.starts_with("/tagtrail/v1/")
        && !path.starts_with("/tagtrail/v1/sandbox/")
        && !matches!(*method, Method::GET | Method::HEAD)
}

/// An answer whose body fails before its first byte: hyper then aborts the connection without
/// writing the answer, and the client sees a transport error, as when Metrc's load balancer
/// drops a connection.
fn dropped() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "sandbox: connection dropped",
        ))
    });
    Response::new(Body::from_stream(failing))
}

/// The middleware: delays and injects faults on Metrc API requests.
pub(crate) async fn inject(State(sandbox): State<Sandbox>, req: Request, next: Next) -> Response {
    if !faultable(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    let write = !matches!(*req.method(), Method::GET | Method::HEAD);
    let plan = sandbox.roll(write);
    if let Some(delay) = plan.delay {
        sandbox.inner.counts.latency.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(delay).await;
    }
    let Some(fault) = plan.fault else {
        return next.run(req).await;
    };
    sandbox.count(fault);
    let (method, path) = (req.method(), req.uri().path());
    tracing::info!(?fault, %method, path, "sandbox fault injected");
    match fault {
        // The messages say the fault was injected: a person reading a log should not go looking
        // for a real outage. Clients must not (and Metrc's do not) depend on the text.
        Fault::TooManyRequests => ApiError::Status(
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit exceeded (sandbox fault injection); retry after 1 second.".into(),
        )
        .into_response(),
        Fault::InternalError => ApiError::Status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An internal error occurred (sandbox fault injection); the request was not applied."
                .into(),
        )
        .into_response(),
        Fault::Drop => dropped(),
        Fault::CommitThenDrop => {
            // The handler runs to its end (the write commits, or is refused), and its answer is
            // thrown away.
            let answer = next.run(req).await;
            drop(answer);
            dropped()
        }
    }
}

/// The control endpoints' state: the API's (for authenticating callers as the API does) and the
/// sandbox.
#[derive(Clone)]
struct Control {
    api: AppState,
    sandbox: Sandbox,
}

impl FromRef<Control> for AppState {
    fn from_ref(c: &Control) -> AppState {
        c.api.clone()
    }
}

/// The sandbox's control endpoints. Any valid vendor and user key pair may use them (Basic auth,
/// as every `/tagtrail/v1` endpoint): sandbox mode is for test ledgers, where whoever can call
/// the API is the tester.
pub(crate) fn control(ledger: Ledger, sandbox: Sandbox) -> Router {
    Router::new()
        .route(FAULTS_PATH, get(get_faults).put(put_faults))
        .route(CLOCK_PATH, get(get_clock).put(put_clock))
        .with_state(Control {
            api: AppState::new(ledger),
            sandbox,
        })
}

fn parse_json(body: &[u8]) -> Result<serde_json::Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("The request body is not valid JSON: {e}.")))
}

async fn get_faults(State(c): State<Control>, _caller: Caller) -> Json<Report> {
    Json(c.sandbox.report())
}

/// Replaces the faults: a field left out is zero. The counters of a `GET`'s answer may be sent
/// back as they are (they are ignored), so a client can change one field of what it read; any
/// other unknown field is refused, so a misspelt rate is not silently zero.
async fn put_faults(
    State(c): State<Control>,
    _caller: Caller,
    body: Bytes,
) -> Result<Json<Report>, ApiError> {
    let serde_json::Value::Object(fields) = parse_json(&body)? else {
        return Err(ApiError::bad_request(
            "The request body must be a JSON object.",
        ));
    };
    let known = |name: &str| -> bool {
        matches!(
            name,
            "Rate429"
                | "Rate500"
                | "LatencyMs"
                | "LatencyJitterMs"
                | "RateDrop"
                | "RateCommitThenDrop"
                | "Seed"
        )
    };
    if let Some(unknown) = fields
        .keys()
        .find(|k| !known(k) && !k.starts_with("Injected"))
    {
        return Err(ApiError::bad_request(format!(
            "{unknown} is not a fault setting."
        )));
    }
    let faults: Faults = serde_json::from_value(serde_json::Value::Object(fields))
        .map_err(|e| ApiError::bad_request(format!("Invalid fault settings: {e}.")))?;
    c.sandbox
        .set_faults(faults)
        .map_err(ApiError::bad_request)?;
    tracing::info!(faults = ?c.sandbox.faults(), "sandbox faults set");
    Ok(Json(c.sandbox.report()))
}

async fn get_clock(State(c): State<Control>, _caller: Caller) -> Json<ClockOffset> {
    Json(ClockOffset {
        offset_seconds: c.api.ledger.clock_offset(),
    })
}

async fn put_clock(
    State(c): State<Control>,
    _caller: Caller,
    body: Bytes,
) -> Result<Json<ClockOffset>, ApiError> {
    let set: ClockOffset = serde_json::from_value(parse_json(&body)?)
        .map_err(|e| ApiError::bad_request(format!("Invalid clock setting: {e}.")))?;
    c.api.ledger.set_clock_offset(set.offset_seconds)?;
    tracing::info!(
        offset_seconds = set.offset_seconds,
        "sandbox clock offset set"
    );
    Ok(Json(ClockOffset {
        offset_seconds: c.api.ledger.clock_offset(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_settings_are_pascal_case() {
        let v = serde_json::to_value(Report::default()).expect("serializes");
        let mut keys: Vec<&str> = v
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "Injected429",
                "Injected500",
                "InjectedCommitThenDrop",
                "InjectedDrop",
                "InjectedLatency",
                "LatencyJitterMs",
                "LatencyMs",
                "Rate429",
                "Rate500",
                "RateCommitThenDrop",
                "RateDrop",
                "Seed"
            ]
        );
        // A client reads the report back into the same type.
        let report = Report {
            faults: Faults {
                rate_429: 0.25,
                latency_ms: 20,
                seed: 3,
                ..Faults::default()
            },
            injected: Injected {
                drop: 2,
                ..Injected::default()
            },
        };
        let wire = serde_json::to_string(&report).expect("serializes");
        let back: Report = serde_json::from_str(&wire).expect("deserializes");
        assert_eq!(back, report);
    }

    #[test]
    fn rates_must_be_probabilities() {
        for bad in [-0.1, 1.5, f64::NAN] {
            let faults = Faults {
                rate_drop: bad,
                ..Faults::default()
            };
            assert!(Sandbox::new(faults).is_err(), "{bad} is refused");
        }
        let slow = Faults {
            latency_ms: MAX_LATENCY_MS,
            latency_jitter_ms: 1,
            ..Faults::default()
        };
        assert!(Sandbox::new(slow).is_err());
        assert!(
            Sandbox::new(Faults {
                rate_429: 1.0,
                ..Faults::default()
            })
            .is_ok()
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let faults = Faults {
            rate_429: 0.3,
            rate_500: 0.3,
            rate_drop: 0.3,
            rate_commit_then_drop: 0.5,
            latency_jitter_ms: 10,
            seed: 42,
            ..Faults::default()
        };
        let run = |sandbox: &Sandbox| -> Vec<String> {
            (0..200)
                .map(|i| {
                    let p = sandbox.roll(i % 3 == 0);
                    let fault = p.fault.map_or("None".to_string(), |f| format!("{f:?}"));
                    format!("{fault} {:?}", p.delay)
                })
                .collect()
        };
        let a = Sandbox::new(faults.clone()).expect("valid");
        let first = run(&a);
        let b = Sandbox::new(faults.clone()).expect("valid");
        assert_eq!(first, run(&b));
        // Re-setting the faults re-seeds.
        a.set_faults(faults).expect("valid");
        assert_eq!(first, run(&a));
        // Every kind shows up at these rates, and commit-then-drop only on writes.
        for kind in [
            "TooManyRequests",
            "InternalError",
            "Drop",
            "CommitThenDrop",
            "None",
        ] {
            assert!(first.iter().any(|p| p.starts_with(kind)), "{kind} occurs");
        }
        let reads_only = Sandbox::new(Faults {
            rate_commit_then_drop: 1.0,
            ..Faults::default()
        })
        .expect("valid");
        assert!((0..50).all(|_| reads_only.roll(false).fault.is_none()));
        assert!(
            (0..50).all(|_| matches!(reads_only.roll(true).fault, Some(Fault::CommitThenDrop)))
        );
    }

    #[test]
    fn metrc_paths_and_extension_writes_are_faulted() {
        let (get, post, put) = (Method::GET, Method::POST, Method::PUT);
        assert!(faultable(&get, "/strains/v2/active"));
        assert!(faultable(&post, "/packages/v2"));
        assert!(faultable(&post, "/tagtrail/v1/transfers/outgoing"));
        assert!(!faultable(&put, "/tagtrail/v1/sandbox/faults"));
        assert!(!faultable(&get, "/tagtrail/v1/journal"));
        assert!(!faultable(&get, "/openapi.json"));
        assert!(!faultable(&get, "/ui/l/C10-0000911-LIC/items"));
        assert!(!faultable(&post, "/ui/v2"));
        assert!(!faultable(&get, "/"));
    }
}
