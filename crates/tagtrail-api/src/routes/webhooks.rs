//! The Metrc v2 Webhooks group (`/webhooks/v2`, camelCase bodies) and two tagtrail extensions:
//! replay from a cursor and the delivery log. Metrc documents no responses for the group;
//! tagtrail answers the subscription (camelCase, the secret only on creation) for PUT, enable
//! and disable, an empty 200 for DELETE. A subscription belongs to the request's vendor key and
//! reads for its user key; another vendor key's subscription is not found (404).

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Params, basic_credentials, parse_id};
use crate::json::Json;
use axum::body::Bytes;
use axum::extract::{FromRef, FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde_json::Value;
use tagtrail_app::webhooks::{DeliveryRow, Subscriber, SubscriptionSpec, WebhookRow};
use tagtrail_metrc::webhooks::{
    WebhookAttempt, WebhookPosition, WebhookRequest, WebhookSubscription, camelize,
};

/// The caller of a webhook endpoint: HTTP Basic vendor key and user key, as every endpoint,
/// with the keys themselves (a body's `userApiKey`/`tpiApiKey` must match them).
pub struct WebhookCaller {
    who: Subscriber,
    vendor_key: String,
    user_key: String,
}

impl<S> FromRequestParts<S> for WebhookCaller
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let Some((vendor_key, user_key)) = basic_credentials(&parts.headers) else {
            return Err(ApiError::Status(
                StatusCode::UNAUTHORIZED,
                "Authorization required: HTTP Basic with vendor key and user key.".into(),
            ));
        };
        let who = state.ledger.subscriber(&vendor_key, &user_key).await?;
        Ok(WebhookCaller {
            who,
            vendor_key,
            user_key,
        })
    }
}

/// The wire form of a stored subscription (never its secret).
pub(crate) fn subscription(w: WebhookRow) -> WebhookSubscription {
    WebhookSubscription {
        id: w.id,
        object_type: w.object_types,
        verb: w.verbs,
        url: w.url,
        status: w.status,
        facility_license_numbers: w
            .positions
            .iter()
            .map(|(l, _)| l.as_str())
            .collect::<Vec<_>>()
            .join(","),
        server_public_key_fingerprint: w.server_public_key_fingerprint,
        template: w.template,
        error_response_json_template: w.error_response_json_template,
        disabled_reason: w.disabled_reason,
        disabled_at: w.disabled_at,
        consecutive_failures: w.consecutive_failures,
        next_attempt_at: w.next_attempt_at,
        last_attempt_at: w.last_attempt_at,
        last_result: w.last_result,
        positions: w
            .positions
            .into_iter()
            .map(|(license_number, cursor)| WebhookPosition {
                license_number,
                cursor,
            })
            .collect(),
        created_at: w.created_at,
        updated_at: w.updated_at,
        secret: None,
    }
}

fn attempt(d: DeliveryRow) -> WebhookAttempt {
    WebhookAttempt {
        id: d.id,
        delivery_id: d.delivery_id,
        license_number: d.license_number,
        after: d.after_cursor,
        cursor: d.last_cursor,
        items: d.items,
        attempt: d.attempt,
        attempted_at: d.attempted_at,
        http_status: d.http_status,
        error: d.error,
        duration_ms: d.duration_ms,
    }
}

/// The request body: one JSON object, any casing of each key's first letter, no NUL.
fn parse_request(bytes: &[u8]) -> Result<WebhookRequest, ApiError> {
    let raw: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("The request body is not valid JSON: {e}.")))?;
    if !raw.is_object() {
        return Err(ApiError::bad_request(
            "The request body must be one JSON object (the subscription).",
        ));
    }
    if raw.to_string().contains("\\u0000") {
        return Err(ApiError::bad_request(
            "Text may not contain NUL characters.",
        ));
    }
    serde_json::from_value(camelize(raw))
        .map_err(|e| ApiError::bad_request(format!("Invalid subscription: {e}.")))
}

/// Get the vendor key's webhook subscriptions (Metrc documents no response: tagtrail answers
/// an array of subscriptions, without secrets).
#[utoipa::path(get, path = "/webhooks/v2", tag = "Webhooks", responses((status = 200, body = Vec<WebhookSubscription>), (status = 401)))]
pub async fn get_webhooks(
    State(s): State<AppState>,
    c: WebhookCaller,
) -> Result<Json<Vec<WebhookSubscription>>, ApiError> {
    let all = s.ledger.webhooks(&c.who).await?;
    Ok(Json(all.into_iter().map(subscription).collect()))
}

/// Create or replace a webhook subscription. Answers the subscription with its `id`; when this
/// request created it, also its signing `secret`, shown this once. 400 for a bad body or URL
/// (http/https; internal addresses refused unless the operator allows them), 401 for a license
/// the user key's employee may not read, 403 when the ledger has no webhook key.
#[utoipa::path(put, path = "/webhooks/v2", tag = "Webhooks", request_body = WebhookRequest, responses((status = 200, body = WebhookSubscription), (status = 400), (status = 401), (status = 403)))]
pub async fn put_webhook(
    State(s): State<AppState>,
    c: WebhookCaller,
    body: Bytes,
) -> Result<Json<WebhookSubscription>, ApiError> {
    let req = parse_request(&body)?;
    if req.user_api_key.as_deref().is_some_and(|k| k != c.user_key) {
        return Err(ApiError::bad_request(
            "userApiKey must be the user key of the request's credentials.",
        ));
    }
    if req
        .tpi_api_key
        .as_deref()
        .is_some_and(|k| k != c.vendor_key)
    {
        return Err(ApiError::bad_request(
            "tpiApiKey must be the vendor key of the request's credentials.",
        ));
    }
    let active = match req.status.as_deref().map(str::trim) {
        None | Some("") => true,
        Some(s) if s.eq_ignore_ascii_case("active") || s.eq_ignore_ascii_case("enabled") => true,
        Some(s) if s.eq_ignore_ascii_case("inactive") || s.eq_ignore_ascii_case("disabled") => {
            false
        }
        Some(_) => {
            return Err(ApiError::bad_request("status must be Active or Inactive."));
        }
    };
    let spec = SubscriptionSpec {
        id: req.id,
        object_types: req.object_type.map(|o| o.values()).unwrap_or_default(),
        verbs: req.verb.map(|o| o.values()).unwrap_or_default(),
        url: req.url,
        active,
        licenses: req
            .facility_license_numbers
            .map(|o| o.values())
            .unwrap_or_default(),
        server_public_key_fingerprint: req.server_public_key_fingerprint,
        template: req.template,
        error_response_json_template: req.error_response_json_template,
    };
    let out = s.ledger.put_webhook(&c.who, &spec).await?;
    let mut wire = subscription(out.subscription);
    wire.secret = out.secret;
    Ok(Json(wire))
}

/// Delete one webhook subscription with its delivery log (empty 200).
#[utoipa::path(delete, path = "/webhooks/v2/{subscriptionId}", tag = "Webhooks", params(("subscriptionId" = i64, Path)), responses((status = 200), (status = 401), (status = 404)))]
pub async fn delete_webhook(
    State(s): State<AppState>,
    c: WebhookCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    s.ledger.delete_webhook(&c.who, parse_id(&id)?).await?;
    Ok(StatusCode::OK)
}

/// Disable one webhook subscription (answers it, `status` `Inactive`).
#[utoipa::path(put, path = "/webhooks/v2/disable/{subscriptionId}", tag = "Webhooks", params(("subscriptionId" = i64, Path)), responses((status = 200, body = WebhookSubscription), (status = 401), (status = 404)))]
pub async fn disable_webhook(
    State(s): State<AppState>,
    c: WebhookCaller,
    Path(id): Path<String>,
) -> Result<Json<WebhookSubscription>, ApiError> {
    let w = s
        .ledger
        .set_webhook_enabled(&c.who, parse_id(&id)?, false)
        .await?;
    Ok(Json(subscription(w)))
}

/// Enable one webhook subscription: delivery resumes from its positions, the failure count
/// reset (answers it, `status` `Active`).
#[utoipa::path(put, path = "/webhooks/v2/enable/{subscriptionId}", tag = "Webhooks", params(("subscriptionId" = i64, Path)), responses((status = 200, body = WebhookSubscription), (status = 401), (status = 404)))]
pub async fn enable_webhook(
    State(s): State<AppState>,
    c: WebhookCaller,
    Path(id): Path<String>,
) -> Result<Json<WebhookSubscription>, ApiError> {
    let w = s
        .ledger
        .set_webhook_enabled(&c.who, parse_id(&id)?, true)
        .await?;
    Ok(Json(subscription(w)))
}

/// tagtrail extension: deliver again from a cursor. Sets the subscription's position in
/// `licenseNumber`'s feed (every license it names without one) to `after` (a cursor of
/// `GET /tagtrail/v1/changes`; absent: the start of the feed).
#[utoipa::path(put, path = "/tagtrail/v1/webhooks/{subscriptionId}/replay", tag = "tagtrail", params(("subscriptionId" = i64, Path), ("after" = Option<String>, Query), ("licenseNumber" = Option<String>, Query)), responses((status = 200, body = WebhookSubscription), (status = 400), (status = 401), (status = 404)))]
pub async fn replay_webhook(
    State(s): State<AppState>,
    c: WebhookCaller,
    Path(id): Path<String>,
    q: Params,
) -> Result<Json<WebhookSubscription>, ApiError> {
    let after = match q.get("after") {
        Some(a) => {
            let a = a.trim();
            let ok = a.len() <= 40
                && !a.is_empty()
                && a.split('.').count() <= 2
                && a.split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                return Err(ApiError::bad_request(
                    "after must be a cursor of the change feed (SEQ or SEQ.ORDINAL).",
                ));
            }
            Some(a.to_string())
        }
        None => None,
    };
    let w = s
        .ledger
        .replay_webhook(
            &c.who,
            parse_id(&id)?,
            q.get("licenseNumber"),
            after.as_deref(),
        )
        .await?;
    Ok(Json(subscription(w)))
}

/// tagtrail extension: the subscription's delivery attempts, newest first; `before` (an
/// attempt id) pages back, `pageSize` (≤ 20) limits.
#[utoipa::path(get, path = "/tagtrail/v1/webhooks/{subscriptionId}/deliveries", tag = "tagtrail", params(("subscriptionId" = i64, Path), ("before" = Option<i64>, Query), ("pageSize" = Option<u32>, Query)), responses((status = 200, body = Vec<WebhookAttempt>), (status = 401), (status = 404)))]
pub async fn get_webhook_deliveries(
    State(s): State<AppState>,
    c: WebhookCaller,
    Path(id): Path<String>,
    q: Params,
) -> Result<Json<Vec<WebhookAttempt>>, ApiError> {
    let cfg = &s.ledger.config;
    let limit = q
        .paging(cfg)?
        .map(|(_, size)| size)
        .unwrap_or(cfg.max_page_size);
    let before = match q.get("before") {
        Some(b) => Some(
            b.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request("before must be an attempt id."))?,
        ),
        None => None,
    };
    let log = s
        .ledger
        .webhook_log(&c.who, parse_id(&id)?, before, limit)
        .await?;
    Ok(Json(log.into_iter().map(attempt).collect()))
}
