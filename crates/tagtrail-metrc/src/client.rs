//! A client for any Metrc v2 API: Basic auth with vendor and user keys, `licenseNumber`
//! scoping, paging to the end, 429 handling with `Retry-After`, and Metrc's error bodies
//! decoded into [`Error`]. Writes are chunked to the object limit.

use crate::envelope::{ErrorMessage, Ids, Paged, RowError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Metrc's object limit per write request (§9).
pub const MAX_OBJECTS: usize = 10;
/// Metrc's largest page.
pub const MAX_PAGE_SIZE: u32 = 20;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("HTTP {status}: invalid objects: {rows:?}")]
    Rows { status: u16, rows: Vec<RowError> },
    #[error("HTTP {status}: {message}")]
    Api { status: u16, message: String },
    #[error("transport: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("unexpected response body: {0}")]
    Decode(String),
}

impl Error {
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Rows { status, .. } | Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// One request and what came back, as an [`Observer`] sees it. It never holds the keys (they
/// travel in the Authorization header, which is not recorded) and holds the answer only as its
/// SHA-256 and size.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    /// The query string as sent (licenseNumber, windows, paging).
    pub query: String,
    /// SHA-256 (hex) of the request body, when there was one.
    pub request_sha256: Option<String>,
    /// `None` when no answer arrived (connection refused, dropped, timed out).
    pub status: Option<u16>,
    pub response_sha256: Option<String>,
    pub response_bytes: usize,
    pub elapsed: Duration,
    pub error: Option<String>,
}

/// Sees every request the client sends, including each 429 retried: the workbench keeps them as
/// evidence of what Metrc was asked and answered.
pub trait Observer: Send + Sync {
    fn observe(&self, exchange: Exchange);
}

/// A client-side limit on requests per second, so a caller stays under the server's published
/// limits instead of learning them from 429s.
type Limiter = governor::DefaultDirectRateLimiter;

#[derive(Clone)]
pub struct Client {
    base: String,
    vendor_key: String,
    user_key: String,
    http: reqwest::Client,
    /// How many times a 429 is retried before it is returned.
    pub max_retries: u32,
    observer: Option<Arc<dyn Observer>>,
    limiter: Option<Arc<Limiter>>,
}

impl std::fmt::Debug for Client {
    // Keys never reach logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl Client {
    pub fn new(base_url: &str, vendor_key: &str, user_key: &str) -> Self {
        Client {
            base: base_url.trim_end_matches('/').to_string(),
            vendor_key: vendor_key.to_string(),
            user_key: user_key.to_string(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(100))
                .build()
                .unwrap_or_default(),
            max_retries: 5,
            observer: None,
            limiter: None,
        }
    }

    /// Gives up on a request after `timeout` (the default is 100 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .unwrap_or_default();
        self
    }

    /// Uses `http` (its connection pool, TLS set-up and timeout) instead of a client of its
    /// own: building a client loads the TLS roots, which costs more than a request on loopback.
    pub fn with_http(mut self, http: reqwest::Client) -> Self {
        self.http = http;
        self
    }

    /// Reports every exchange to `observer`.
    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Sends at most `per_second` requests per second (bursts of the same size), waiting
    /// before a request rather than being refused after it.
    pub fn with_rate_limit(mut self, per_second: u32) -> Self {
        if let Some(n) = std::num::NonZeroU32::new(per_second) {
            self.limiter = Some(Arc::new(governor::RateLimiter::direct(
                governor::Quota::per_second(n),
            )));
        }
        self
    }

    /// Sends one request and returns Metrc's status and body, whatever the status (429s are
    /// retried first, as everywhere). A transport error (no answer) is an `Err`.
    pub async fn exchange(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<(u16, String), Error> {
        let url = format!("{}{}", self.base, path);
        let body_text = body.map(|b| b.to_string());
        let mut attempt = 0;
        loop {
            if let Some(l) = &self.limiter {
                l.until_ready().await;
            }
            let started = Instant::now();
            let mut req = self
                .http
                .request(method.clone(), &url)
                .basic_auth(&self.vendor_key, Some(&self.user_key))
                .query(query);
            if let Some(b) = &body_text {
                req = req
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(b.clone());
            }
            let outcome = async {
                let resp = req.send().await?;
                let status = resp.status().as_u16();
                let retry_after = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok());
                let text = resp.text().await?;
                Ok::<_, reqwest::Error>((status, retry_after, text))
            }
            .await;
            if let Some(o) = &self.observer {
                o.observe(Exchange {
                    method: method.to_string(),
                    path: path.to_string(),
                    query: form_query(query),
                    request_sha256: body_text.as_deref().map(|b| sha256_hex(b.as_bytes())),
                    status: outcome.as_ref().ok().map(|o| o.0),
                    response_sha256: outcome.as_ref().ok().map(|o| sha256_hex(o.2.as_bytes())),
                    response_bytes: outcome.as_ref().map(|o| o.2.len()).unwrap_or(0),
                    elapsed: started.elapsed(),
                    error: outcome.as_ref().err().map(|e| e.to_string()),
                });
            }
            // A read changes nothing, so a read that got no answer, or a server error, is
            // simply asked again (with backoff); a write is never retried here — the caller
            // must first find out whether it was applied.
            let idempotent = method == reqwest::Method::GET;
            let transient = match &outcome {
                Err(_) => true,
                Ok((status, _, _)) => *status >= 500,
            };
            if idempotent && transient && attempt < self.max_retries {
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
                attempt += 1;
                continue;
            }
            let (status, retry_after, text) = outcome?;
            if status == 429 && attempt < self.max_retries {
                let wait = retry_after
                    .map(Duration::from_secs)
                    .unwrap_or_else(|| Duration::from_millis(250 << attempt));
                tokio::time::sleep(wait).await;
                attempt += 1;
                continue;
            }
            return Ok((status, text));
        }
    }

    /// Metrc's error body as an [`Error`]: an array of {row, message} for write validation,
    /// {Message} for anything else; some states use other casings, and a few answer plain text.
    pub fn error_of(status: u16, text: &str) -> Error {
        if let Ok(rows) = serde_json::from_str::<Vec<RowError>>(text) {
            return Error::Rows { status, rows };
        }
        let value = serde_json::from_str::<serde_json::Value>(text).map(crate::keys::pascalize);
        let message = value
            .ok()
            .and_then(|v| serde_json::from_value::<ErrorMessage>(v).ok())
            .map(|m| m.message)
            .unwrap_or_else(|| text.to_string());
        Error::Api { status, message }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<String, Error> {
        let (status, text) = self.exchange(method, path, query, body).await?;
        if (200..300).contains(&status) {
            Ok(text)
        } else {
            Err(Self::error_of(status, &text))
        }
    }

    fn decode<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| Error::Decode(e.to_string()))?;
        serde_json::from_value(crate::keys::pascalize(v)).map_err(|e| Error::Decode(e.to_string()))
    }

    /// A GET whose answer is a bare object or array.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, Error> {
        Self::decode(&self.send(reqwest::Method::GET, path, query, None).await?)
    }

    /// One page of a paged GET.
    pub async fn get_page<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        page: u32,
        size: u32,
    ) -> Result<Paged<T>, Error> {
        let mut q = query.to_vec();
        q.push(("pageNumber", page.to_string()));
        q.push(("pageSize", size.min(MAX_PAGE_SIZE).to_string()));
        self.get(path, &q).await
    }

    /// Every record of a paged GET, page by page, until the envelope says there is no more.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        let mut page = 1;
        loop {
            let p: Paged<T> = self.get_page(path, query, page, MAX_PAGE_SIZE).await?;
            let n = p.data.len();
            out.extend(p.data);
            if n == 0 || i64::from(page) * i64::from(MAX_PAGE_SIZE) >= p.total {
                return Ok(out);
            }
            page += 1;
        }
    }

    /// A create: posts `items` in chunks of at most [`MAX_OBJECTS`] and returns all new ids.
    /// Chunks are separate transactions on the server; a failure leaves earlier chunks written.
    pub async fn create<B: Serialize>(
        &self,
        path: &str,
        license: &str,
        items: &[B],
    ) -> Result<Ids, Error> {
        let mut all = Ids {
            ids: vec![],
            warnings: None,
        };
        for chunk in items.chunks(MAX_OBJECTS) {
            let body = serde_json::to_value(chunk).map_err(|e| Error::Decode(e.to_string()))?;
            let text = self
                .send(
                    reqwest::Method::POST,
                    path,
                    &[("licenseNumber", license.to_string())],
                    Some(&body),
                )
                .await?;
            let ids: Ids = Self::decode(&text)?;
            all.ids.extend(ids.ids);
            if let Some(w) = ids.warnings {
                all.warnings.get_or_insert_with(Vec::new).extend(w);
            }
        }
        Ok(all)
    }

    /// A write whose success answer is an empty body (most PUTs and DELETEs).
    pub async fn write<B: Serialize>(
        &self,
        method: reqwest::Method,
        path: &str,
        license: &str,
        items: Option<&[B]>,
    ) -> Result<(), Error> {
        let q = [("licenseNumber", license.to_string())];
        match items {
            None => {
                self.send(method, path, &q, None).await?;
            }
            Some(items) => {
                for chunk in items.chunks(MAX_OBJECTS) {
                    let body =
                        serde_json::to_value(chunk).map_err(|e| Error::Decode(e.to_string()))?;
                    self.send(method.clone(), path, &q, Some(&body)).await?;
                }
            }
        }
        Ok(())
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn form_query(query: &[(&str, String)]) -> String {
    query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}
