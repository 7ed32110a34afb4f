//! The Metrc v2 Webhooks group on the wire. Unlike the state API, the subscription body is
//! camelCase (`metrc-v2-api.md` §4); a reader accepts any casing of the first letter. Metrc
//! documents no responses for the group: tagtrail's are described on each type.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// A text field Metrc types as a string that clients also send as a list of strings
/// (`"Package,Plant"` or `["Package", "Plant"]`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The values, comma-separated strings split.
    pub fn values(&self) -> Vec<String> {
        let all: Vec<&str> = match self {
            OneOrMany::One(s) => vec![s.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        };
        all.iter()
            .flat_map(|s| s.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// `PUT /webhooks/v2`: create or replace a subscription.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRequest {
    /// tagtrail extension: replace this subscription. Without it, the vendor key's
    /// subscription to the same `url` is replaced, or a new one is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Object types as the change feed names them (`Package`, `Plant`, `Harvest`, …), one, a
    /// comma-separated list or an array; `*` or absent: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_type: Option<OneOrMany>,
    /// The receiver: http or https.
    #[serde(default)]
    pub url: String,
    /// Verbs as the change feed names them; `*` or absent: all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verb: Option<OneOrMany>,
    /// `Active` (default) or `Inactive`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The user key the subscription reads for; if given, it must be the request's own user key
    /// (tagtrail acts for the caller's credentials and stores no key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_api_key: Option<String>,
    /// The integrator's (vendor) key; if given, it must be the request's own vendor key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tpi_api_key: Option<String>,
    /// Stored and echoed; tagtrail signs with HMAC-SHA256 instead (see the README).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_public_key_fingerprint: Option<String>,
    /// Stored and echoed, not applied: tagtrail always posts its own payload shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Stored and echoed, not applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_response_json_template: Option<String>,
    /// The licenses whose changes are delivered: each one the user key's employee may read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility_license_numbers: Option<OneOrMany>,
}

/// Where a subscription stands in one license's change feed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WebhookPosition {
    pub license_number: String,
    /// The cursor of the last item delivered (a 2xx answered); null before the first.
    pub cursor: Option<String>,
}

/// A subscription as tagtrail answers it (`GET /webhooks/v2`, `PUT …`, enable, disable). The
/// secret appears only in the answer to the PUT that created it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSubscription {
    pub id: i64,
    /// `*` or the comma-separated object types.
    pub object_type: String,
    pub verb: String,
    pub url: String,
    /// `Active` or `Inactive`.
    pub status: String,
    /// Comma-separated.
    pub facility_license_numbers: String,
    pub server_public_key_fingerprint: Option<String>,
    pub template: Option<String>,
    pub error_response_json_template: Option<String>,
    /// Why it is inactive: disabled by the vendor, after repeated failed deliveries (with the
    /// last failure), or because its key or employment no longer allows reading.
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<String>,
    pub consecutive_failures: i64,
    pub next_attempt_at: String,
    pub last_attempt_at: Option<String>,
    /// The last attempt's outcome: `HTTP 204`, `HTTP 500`, or the connection error.
    pub last_result: Option<String>,
    pub positions: Vec<WebhookPosition>,
    pub created_at: String,
    pub updated_at: String,
    /// The HMAC-SHA256 signing secret: only when the subscription was created by this request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// What a receiver is POSTed: a batch of one license's change-feed items, in feed order, as
/// `GET /tagtrail/v1/changes` returns them. Headers: `X-Tagtrail-Webhook-Id` (the batch, stable
/// across its retries while no newer item joins it), `X-Tagtrail-Timestamp` (Unix seconds),
/// `X-Tagtrail-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    pub subscription_id: i64,
    pub delivery_id: String,
    pub license_number: String,
    /// The position the batch starts after (null: the start of the feed).
    pub after: Option<String>,
    /// The last item's cursor: the subscription's position once this is answered 2xx.
    pub cursor: String,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
}

/// One delivery attempt in a subscription's log (`GET /tagtrail/v1/webhooks/{id}/deliveries`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookAttempt {
    pub id: i64,
    pub delivery_id: String,
    pub license_number: String,
    pub after: Option<String>,
    pub cursor: String,
    pub items: i64,
    /// 1 for a first try; n for the nth try in a run of failures.
    pub attempt: i64,
    pub attempted_at: String,
    pub http_status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// Rewrites an object's keys to camelCase (first letter lower-cased), one level deep: the
/// subscription body is flat.
pub fn camelize(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let mut c = k.chars();
                    let key = match c.next() {
                        Some(f) => f.to_lowercase().chain(c).collect(),
                        None => k,
                    };
                    (key, v)
                })
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn any_casing_and_lists_are_read() {
        let body = camelize(json!({"ObjectType": "Package,Plant", "Url": "https://x",
            "facilityLicenseNumbers": ["A", "B"]}));
        let r: WebhookRequest = serde_json::from_value(body).expect("a request");
        assert_eq!(
            r.object_type.expect("types").values(),
            vec!["Package", "Plant"]
        );
        assert_eq!(r.url, "https://x");
        assert_eq!(
            r.facility_license_numbers.expect("licenses").values(),
            vec!["A", "B"]
        );
    }
}
