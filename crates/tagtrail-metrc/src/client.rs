//! A client for any Metrc v2 API: Basic auth with vendor and user keys, `licenseNumber`
//! scoping, paging to the end, 429 handling with `Retry-After`, and Metrc's error bodies
//! decoded into [`Error`]. Writes are chunked to the object limit.

use crate::envelope::{ErrorMessage, Ids, Paged, RowError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

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

#[derive(Clone)]
pub struct Client {
    base: String,
    vendor_key: String,
    user_key: String,
    http: reqwest::Client,
    /// How many times a 429 is retried before it is returned.
    pub max_retries: u32,
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
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<String, Error> {
        let url = format!("{}{}", self.base, path);
        let mut attempt = 0;
        loop {
            let mut req = self
                .http
                .request(method.clone(), &url)
                .basic_auth(&self.vendor_key, Some(&self.user_key))
                .query(query);
            if let Some(b) = body {
                req = req.json(b);
            }
            let resp = req.send().await?;
            let status = resp.status().as_u16();
            if status == 429 && attempt < self.max_retries {
                let wait = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok())
                    .map(Duration::from_secs)
                    .unwrap_or_else(|| Duration::from_millis(250 << attempt));
                tokio::time::sleep(wait).await;
                attempt += 1;
                continue;
            }
            let text = resp.text().await?;
            if (200..300).contains(&status) {
                return Ok(text);
            }
            // Metrc answers write validation with an array of {row, message}, anything else with
            // {Message}; some states use other casings, and a few answer plain text.
            if let Ok(rows) = serde_json::from_str::<Vec<RowError>>(&text) {
                return Err(Error::Rows { status, rows });
            }
            let value =
                serde_json::from_str::<serde_json::Value>(&text).map(crate::keys::pascalize);
            let message = value
                .ok()
                .and_then(|v| serde_json::from_value::<ErrorMessage>(v).ok())
                .map(|m| m.message)
                .unwrap_or(text);
            return Err(Error::Api { status, message });
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
