//! Request extraction: Basic-auth callers, query parameters with Metrc's rules for
//! `licenseNumber`, paging and `lastModified` windows, and array write bodies.

use super::AppState;
use super::error::ApiError;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;
use tagtrail_app::reads::ListQuery;
use tagtrail_app::{Acting, AppError, Config, Definition, Door, Ledger, Scope};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::time;
use tagtrail_metrc::Paged;

/// The authenticated caller of a Metrc API request, with the facility the rate limiter already
/// resolved for this request's `licenseNumber`, if any.
pub struct Caller(pub Acting, pub Option<Scope>);

impl Caller {
    /// Scopes the request to `license` and checks `any_of`, reusing the facility and employment
    /// the rate limiter resolved for the same license (saving two queries on every GET).
    pub async fn authorize(
        &self,
        s: &AppState,
        license: &str,
        any_of: &[Permission],
    ) -> Result<Scope, AppError> {
        match &self.1 {
            Some(scope) if scope.license().eq_ignore_ascii_case(license.trim()) => {
                scope.require(any_of)?;
                Ok(scope.clone())
            }
            _ => s.ledger.authorize(&self.0, license, any_of).await,
        }
    }

    /// Scopes the request to `license` for the action `def` describes (permissions and the
    /// facility capability it needs).
    pub async fn authorize_for(
        &self,
        s: &AppState,
        license: &str,
        def: &Definition,
    ) -> Result<Scope, AppError> {
        match &self.1 {
            Some(scope) if scope.license().eq_ignore_ascii_case(license.trim()) => {
                scope.allows(def)?;
                Ok(scope.clone())
            }
            _ => s.ledger.authorize_for(&self.0, license, def).await,
        }
    }
}

/// Splits an `Authorization: Basic` header into (vendor key, user key).
pub fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (vendor, user) = text.split_once(':')?;
    Some((vendor.to_string(), user.to_string()))
}

impl<S> FromRequestParts<S> for Caller
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(done) = parts.extensions.get::<super::ratelimit::Authenticated>() {
            return Ok(Caller(done.0.clone(), done.1.clone()));
        }
        let state = AppState::from_ref(state);
        let Some((vendor, user)) = basic_credentials(&parts.headers) else {
            return Err(ApiError::Status(
                StatusCode::UNAUTHORIZED,
                "Authorization required: HTTP Basic with vendor key and user key.".into(),
            ));
        };
        Ok(Caller(
            state.ledger.authenticate(&vendor, &user).await?,
            None,
        ))
    }
}

/// Query parameters, matched without regard to case.
pub struct Params(HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Params::parse(parts.uri.query().unwrap_or(""))
    }
}

impl Params {
    /// Parses a query string: percent-decoded, names without case, the last value of a
    /// repeated name winning. The rate limiter reads `licenseNumber` through this too.
    pub fn parse(raw: &str) -> Result<Params, ApiError> {
        let mut out = HashMap::new();
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            // PostgreSQL cannot hold NUL in text and no Metrc value contains one.
            if k.contains('\0') || v.contains('\0') {
                return Err(ApiError::bad_request("The query string is malformed."));
            }
            out.insert(k.to_ascii_lowercase(), v.into_owned());
        }
        Ok(Params(out))
    }
}

/// True when any string (or key) in `v` contains a NUL character.
fn contains_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(contains_nul),
        Value::Object(m) => m.iter().any(|(k, v)| k.contains('\0') || contains_nul(v)),
        _ => false,
    }
}

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    pub fn license(&self) -> Result<&str, ApiError> {
        self.get("licenseNumber")
            .ok_or_else(|| ApiError::bad_request("licenseNumber is required."))
    }

    /// `pageNumber`/`pageSize`: paging is off unless a page size is given; a size above the
    /// maximum is refused, not capped (rule 68).
    pub fn paging(&self, cfg: &Config) -> Result<Option<(u32, u32)>, ApiError> {
        let Some(size) = self.get("pageSize") else {
            if self.get("pageNumber").is_some() {
                return Err(ApiError::bad_request("pageNumber requires pageSize."));
            }
            return Ok(None);
        };
        let size: u32 = size
            .trim()
            .parse()
            .map_err(|_| ApiError::bad_request("pageSize must be a whole number."))?;
        if size == 0 || size > cfg.max_page_size {
            return Err(ApiError::bad_request(format!(
                "pageSize must be between 1 and {}.",
                cfg.max_page_size
            )));
        }
        let page: u32 = match self.get("pageNumber") {
            None => 1,
            Some(p) => p
                .trim()
                .parse()
                .map_err(|_| ApiError::bad_request("pageNumber must be a whole number."))?,
        };
        if page == 0 {
            return Err(ApiError::bad_request("pageNumber starts at 1."));
        }
        Ok(Some((page, size)))
    }

    /// `lastModifiedStart`/`lastModifiedEnd` as formatted bounds. An end without a start is
    /// refused; a start without an end runs to `now` (the ledger's clock, which sandbox mode may
    /// shift); the span may not exceed the maximum (rule 67).
    pub fn window(
        &self,
        cfg: &Config,
        now: time::Timestamp,
    ) -> Result<(Option<String>, Option<String>), ApiError> {
        let parse = |name: &str| -> Result<Option<time::Timestamp>, ApiError> {
            match self.get(name) {
                None => Ok(None),
                Some(v) => time::parse_instant(v).map(Some).ok_or_else(|| {
                    ApiError::bad_request(format!("{name} is not an ISO 8601 date-time (a '+' in an offset must be sent as %2B)."))
                }),
            }
        };
        let (start, end) = (parse("lastModifiedStart")?, parse("lastModifiedEnd")?);
        let (start, end) = match (start, end) {
            (None, None) => return Ok((None, None)),
            (None, Some(_)) => {
                return Err(ApiError::bad_request(
                    "lastModifiedEnd requires lastModifiedStart.",
                ));
            }
            (Some(s), e) => (s, e.unwrap_or(now)),
        };
        if end < start {
            return Err(ApiError::bad_request(
                "lastModifiedEnd is before lastModifiedStart.",
            ));
        }
        if let Some(max) = cfg.max_window
            && (end - start).to_std().unwrap_or_default() > max
        {
            return Err(ApiError::bad_request(format!(
                "The date range cannot exceed {} hours.",
                max.as_secs() / 3600
            )));
        }
        Ok((Some(time::format(start)), Some(time::format(end))))
    }

    /// A list query for a list endpoint, with paging and (when `windowed`) the time window. The
    /// license comes from the scope the query is run for.
    pub fn list_query(
        &self,
        ledger: &Ledger,
        active: Option<bool>,
        windowed: bool,
    ) -> Result<ListQuery, ApiError> {
        let cfg = &ledger.config;
        let (modified_from, modified_to) = if windowed {
            self.window(cfg, ledger.now())?
        } else {
            (None, None)
        };
        Ok(ListQuery {
            active,
            modified_from,
            modified_to,
            page: self.paging(cfg)?,
            ..Default::default()
        })
    }

    pub fn paged<T>(&self, cfg: &Config, data: Vec<T>, total: i64) -> Result<Paged<T>, ApiError> {
        Ok(match self.paging(cfg)? {
            Some((page, size)) => Paged::new(data, total, i64::from(page), i64::from(size)),
            None => Paged::new(data, total, 1, total),
        })
    }
}

/// A parsed Metrc write body: the raw JSON (for the journal), its typed elements, and the rows
/// holding a text longer than its field allows. Those are refused together with whatever the
/// action refuses ([`tagtrail_app::Door::refusing`]), so that every bad row is reported at once.
pub struct WriteBody<T> {
    pub raw: Value,
    pub items: Vec<T>,
    pub long: Vec<(usize, String)>,
}

impl<T> WriteBody<T> {
    /// The body, or its over-long rows as a 400: for routes that build their request themselves
    /// and so cannot hand those rows to the action to report with its own.
    pub fn or_long_rows(self) -> Result<WriteBody<T>, ApiError> {
        if self.long.is_empty() {
            return Ok(self);
        }
        Err(ApiError::Rows(
            self.long
                .into_iter()
                .map(|(row, message)| tagtrail_metrc::RowError { row, message })
                .collect(),
        ))
    }
}

/// Parses an array write body: not JSON or not an array → 400; more than the object limit →
/// 413 (rule 70); an element that does not fit the type → 400 naming its row (with any rows
/// whose text is longer than its field's maximum, [`tagtrail_metrc::limits`]).
pub fn parse_body<T: DeserializeOwned>(
    max_objects: usize,
    bytes: &[u8],
) -> Result<WriteBody<T>, ApiError> {
    let raw: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("The request body is not valid JSON: {e}.")))?;
    let Value::Array(elements) = &raw else {
        return Err(ApiError::bad_request(
            "The request body must be a JSON array of objects.",
        ));
    };
    if elements.len() > max_objects {
        return Err(ApiError::Status(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Too many objects in request (max {}); {} were sent.",
                max_objects,
                elements.len()
            ),
        ));
    }
    if elements.is_empty() {
        return Err(ApiError::bad_request(
            "The request body contains no objects.",
        ));
    }
    let mut items = Vec::with_capacity(elements.len());
    let mut rows = Vec::new();
    let mut long = Vec::new();
    for (row, el) in elements.iter().enumerate() {
        if !el.is_object() {
            rows.push(tagtrail_metrc::RowError {
                row,
                message: "Each element must be a JSON object.".into(),
            });
            continue;
        }
        if contains_nul(el) {
            rows.push(tagtrail_metrc::RowError {
                row,
                message: "Text may not contain NUL characters.".into(),
            });
            continue;
        }
        let el = tagtrail_metrc::keys::pascalize(el.clone());
        if let Some(message) = tagtrail_metrc::limits::too_long(&el) {
            long.push((row, message));
        }
        match serde_json::from_value::<T>(el) {
            Ok(t) => items.push(t),
            Err(e) => rows.push(tagtrail_metrc::RowError {
                row,
                message: format!("Invalid object: {e}."),
            }),
        }
    }
    if !rows.is_empty() {
        for (row, message) in long {
            if !rows.iter().any(|r| r.row == row) {
                rows.push(tagtrail_metrc::RowError { row, message });
            }
        }
        rows.sort_by_key(|r| r.row);
        return Err(ApiError::Rows(rows));
    }
    Ok(WriteBody { raw, items, long })
}

/// The door of an API write: the endpoint as called, the body as sent, and the reason from
/// `X-Tagtrail-Reason` when given. The header is read as UTF-8 (so "Korrektur – Tippfehler" is
/// kept as sent); bytes that are not UTF-8 are refused, because a reason silently replaced
/// would be a false record.
pub fn door(headers: &HeaderMap, endpoint: String, raw: Value) -> Result<Door, ApiError> {
    let reason = match headers.get("x-tagtrail-reason") {
        Some(v) => Some(
            std::str::from_utf8(v.as_bytes())
                .map_err(|_| ApiError::bad_request("X-Tagtrail-Reason must be UTF-8 text."))?,
        ),
        None => None,
    };
    Ok(Door::api(endpoint, raw).because(reason))
}

pub fn parse_id(s: &str) -> Result<i64, ApiError> {
    s.parse()
        .map_err(|_| ApiError::Status(StatusCode::NOT_FOUND, format!("{s} is not a valid Id.")))
}
