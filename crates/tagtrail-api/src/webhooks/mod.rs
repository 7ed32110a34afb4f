//! The webhook delivery worker: one tokio task per ledger server, woken after every committed
//! write while a subscription is active, and on a timer ([`tagtrail_app::webhooks::WebhookSettings::poll`]).
//!
//! For each due subscription it re-resolves the scope of every license the subscription names
//! (keys still active, employment still current; else the subscription is disabled with why),
//! reads the next batch of that license's change feed after the subscription's position —
//! exactly what [`crate::changes::feed_page`] gives that scope, filtered by the subscription's
//! object types and verbs — and POSTs it signed ([`sign`]). Only a 2xx answer moves the
//! position, so every change is delivered at least once, across restarts: the feed is written
//! in the same transaction as the journal entry, and the position is in the database. A failure
//! waits `backoff_base × 2^(n-1)` (capped) and, at `max_failures` in a row, disables the
//! subscription with the last failure as the reason. Every attempt is logged.
//!
//! Receivers de-duplicate by each item's `Cursor` (unique in a license's feed), or by the
//! `X-Tagtrail-Webhook-Id` of a batch. Two ledger processes on one database each run a worker
//! and may both deliver a batch: still at least once.
//!
//! Outbound requests follow no redirects. Unless the operator allows private targets, the
//! receiver's host is resolved at each delivery and refused if any address is internal; the
//! request then goes to the address checked, so a name cannot be re-pointed between check and
//! connect (DNS rebinding).

pub mod sign;

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tagtrail_app::webhooks::{AttemptEnd, DeliveryRow, WebhookRow, admits, is_internal};
use tagtrail_app::{Ledger, Scope};
use tagtrail_metrc::webhooks::WebhookDelivery;

/// Subscriptions taken per round.
const DUE_PER_ROUND: i64 = 50;
/// Batches delivered to one license per round before other subscriptions get their turn.
const BATCHES_PER_ROUND: usize = 20;

/// Starts the worker; it runs until the returned task is aborted (the server does when it
/// stops).
pub fn spawn(ledger: Ledger) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(ledger))
}

async fn run(ledger: Ledger) {
    let wake = ledger.webhook_wake();
    let settings = ledger.config.webhooks.clone();
    // One node delivers: the others wait their turn here, and take over when it stops.
    let _leading = loop {
        match ledger.lead_webhook_delivery().await {
            Ok(Some(lead)) => break lead,
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "cannot tell whether another node delivers webhooks")
            }
        }
        tokio::time::sleep(settings.poll.max(Duration::from_secs(1))).await;
    };
    loop {
        // Registered before the round, so a write committed during it wakes the next one.
        let woken = wake.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        let progressed = match round(&ledger).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "webhook delivery round failed");
                false
            }
        };
        if progressed {
            continue;
        }
        let mut wait = settings.poll;
        // Disarmed before the look: a subscription made meanwhile re-arms and wakes.
        wake.disarm();
        match ledger.webhook_next_due().await {
            Ok(Some(due)) => {
                wake.arm_quietly();
                let until = (due - chrono::Utc::now()).to_std().unwrap_or_default();
                wait = wait.min(until.max(Duration::from_millis(20)));
            }
            Ok(None) => {}
            Err(_) => wake.arm_quietly(),
        }
        tokio::select! {
            _ = &mut woken => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// One pass over the due subscriptions, concurrently (a slow receiver delays only its own).
/// Whether any batch was delivered (then another pass follows at once).
async fn round(ledger: &Ledger) -> Res<bool> {
    let due = ledger.webhooks_due(DUE_PER_ROUND).await.map_err(app)?;
    if due.is_empty() {
        return Ok(false);
    }
    let mut set = tokio::task::JoinSet::new();
    for w in due {
        let ledger = ledger.clone();
        set.spawn(async move { deliver(&ledger, w).await });
    }
    let mut progressed = false;
    while let Some(done) = set.join_next().await {
        match done {
            Ok(Ok(p)) => progressed |= p,
            Ok(Err(e)) => tracing::warn!(error = %e, "webhook delivery failed"),
            Err(e) => tracing::warn!(error = %e, "webhook delivery task failed"),
        }
    }
    Ok(progressed)
}

/// Delivers what is pending for one subscription; whether a batch went out.
async fn deliver(ledger: &Ledger, w: WebhookRow) -> Res<bool> {
    let scopes = match ledger.webhook_scopes(&w).await.map_err(app)? {
        Ok(s) => s,
        Err(reason) => {
            ledger.webhook_disable(w.id, &reason).await.map_err(app)?;
            return Ok(false);
        }
    };
    let Some(secret) = ledger.webhook_secret(&w) else {
        let reason = "The signing secret cannot be opened: the ledger's webhook key is missing or \
                      not the one it was created with. Recreate the subscription.";
        ledger.webhook_disable(w.id, reason).await.map_err(app)?;
        return Ok(false);
    };
    let mut progressed = false;
    for scope in &scopes {
        let mut after = w
            .positions
            .iter()
            .find(|(l, _)| l == scope.license())
            .and_then(|(_, c)| c.clone());
        for _ in 0..BATCHES_PER_ROUND {
            let limit = ledger.config.webhooks.batch_size;
            let batch = next_batch(ledger, scope, after.as_deref(), limit).await?;
            let (items, last) = match batch {
                Some(b) => b,
                None => break,
            };
            let wanted: Vec<Value> = items
                .into_iter()
                .filter(|i| {
                    admits(&w.object_types, text(i, "ObjectType"))
                        && admits(&w.verbs, text(i, "Verb"))
                })
                .collect();
            if wanted.is_empty() {
                // Nothing this subscription wants: move past without a POST.
                ledger
                    .webhook_skip(w.id, scope.license(), after.as_deref(), &last)
                    .await
                    .map_err(app)?;
                after = Some(last);
                continue;
            }
            match post(
                ledger,
                &w,
                &secret,
                scope.license(),
                after.as_deref(),
                &last,
                wanted,
            )
            .await
            .map_err(app)?
            {
                true => {
                    progressed = true;
                    after = Some(last);
                }
                false => return Ok(progressed),
            }
        }
    }
    Ok(progressed)
}

fn text<'a>(item: &'a Value, field: &str) -> &'a str {
    item.get(field).and_then(Value::as_str).unwrap_or_default()
}

/// The next items of the scope's feed after `after` (exactly what `GET /tagtrail/v1/changes`
/// gives the scope), with the position after them; `None` when the subscription is caught up.
/// The position is the page's `Next`, not the last item's cursor: a page may step over rows the
/// scope may not see, and the position moves past those too.
async fn next_batch(
    ledger: &Ledger,
    scope: &Scope,
    after: Option<&str>,
    limit: u32,
) -> Res<Option<(Vec<Value>, String)>> {
    let from = crate::changes::parse_cursor(after).map_err(api)?;
    let page = crate::changes::feed_page(ledger, scope, from, limit)
        .await
        .map_err(api)?;
    let next = page.next.to_string();
    if page.data.is_empty() && page.next == from {
        return Ok(None);
    }
    let items = page
        .data
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("feed item: {e}"))?;
    Ok(Some((items, next)))
}

type Res<T> = Result<T, String>;

fn api(e: crate::error::ApiError) -> String {
    match e {
        crate::error::ApiError::Status(s, m) => format!("{s}: {m}"),
        crate::error::ApiError::Rows(r) => format!("{r:?}"),
    }
}

fn app(e: tagtrail_app::AppError) -> String {
    e.to_string()
}

/// POSTs one batch and records the attempt; whether the receiver took it (2xx).
async fn post(
    ledger: &Ledger,
    w: &WebhookRow,
    secret: &str,
    license: &str,
    after: Option<&str>,
    last: &str,
    items: Vec<Value>,
) -> tagtrail_app::AppResult<bool> {
    let settings = &ledger.config.webhooks;
    let delivery_id = {
        let h = Sha256::digest(format!("{}|{license}|{}|{last}", w.id, after.unwrap_or("")));
        format!("whd_{}", &hex::encode(h)[..32])
    };
    let count = items.len() as i64;
    let payload = WebhookDelivery {
        subscription_id: w.id,
        delivery_id: delivery_id.clone(),
        license_number: license.to_string(),
        after: after.map(str::to_string),
        cursor: last.to_string(),
        items,
    };
    let body = serde_json::to_vec(&payload).unwrap_or_default();
    let timestamp = chrono::Utc::now().timestamp();
    let attempted_at = tagtrail_domain::time::format(chrono::Utc::now());
    let started = Instant::now();
    let outcome = send(settings, &w.url, &delivery_id, timestamp, secret, body).await;
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (http_status, error) = match &outcome {
        Ok(status) => (Some(i64::from(*status)), None),
        Err(e) => (None, Some(tagtrail_app::webhooks::cut(e))),
    };
    let ok = matches!(outcome, Ok(s) if (200..300).contains(&s));
    let result = match (&http_status, &error) {
        (Some(s), _) => format!("HTTP {s}"),
        (None, Some(e)) => e.clone(),
        (None, None) => String::new(),
    };
    let log = DeliveryRow {
        id: 0,
        subscription_id: w.id,
        delivery_id,
        license_number: license.to_string(),
        after_cursor: after.map(str::to_string),
        last_cursor: last.to_string(),
        items: count,
        attempt: w.consecutive_failures + 1,
        attempted_at,
        http_status,
        error,
        duration_ms,
    };
    if ok {
        let end = AttemptEnd::Delivered {
            license,
            cursor: last,
        };
        ledger.webhook_attempted(&log, &end, &result).await?;
        return Ok(true);
    }
    let failures = w.consecutive_failures + 1;
    let max = i64::from(settings.max_failures.max(1));
    let wait = settings.backoff(u32::try_from(failures).unwrap_or(u32::MAX));
    let next_at = tagtrail_domain::time::format(
        chrono::Utc::now()
            + chrono::TimeDelta::from_std(wait).unwrap_or(chrono::TimeDelta::hours(1)),
    );
    let reason = (failures >= max).then(|| {
        format!("Disabled after {failures} failed deliveries in a row; the last: {result}.")
    });
    let end = AttemptEnd::Failed {
        failures,
        next_at: &next_at,
        disable: reason.as_deref(),
    };
    ledger.webhook_attempted(&log, &end, &result).await?;
    Ok(false)
}

/// Sends the signed POST; the HTTP status, or why there was none.
async fn send(
    settings: &tagtrail_app::webhooks::WebhookSettings,
    url: &str,
    delivery_id: &str,
    timestamp: i64,
    secret: &str,
    body: Vec<u8>,
) -> Result<u16, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("bad url: {e}"))?;
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(settings.request_timeout)
        .user_agent(concat!("tagtrail-webhooks/", env!("CARGO_PKG_VERSION")));
    if !settings.allow_private_targets {
        let host = parsed.host_str().ok_or("the url has no host")?.to_string();
        let port = parsed.port_or_known_default().unwrap_or(443);
        let host_for_lookup = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host_for_lookup.as_str(), port))
            .await
            .map_err(|e| format!("cannot resolve {host}: {e}"))?
            .collect();
        let Some(first) = addrs.first().copied() else {
            return Err(format!("{host} resolves to no address"));
        };
        if addrs.iter().any(|a| is_internal(a.ip())) {
            return Err(format!(
                "refused: {host} resolves to an internal address, which this ledger does not post to"
            ));
        }
        builder = builder.resolve(&host_for_lookup, first);
    }
    let client = builder.build().map_err(|e| format!("client: {e}"))?;
    let resp = client
        .post(parsed)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(sign::ID_HEADER, delivery_id)
        .header(sign::TIMESTAMP_HEADER, timestamp.to_string())
        .header(
            sign::SIGNATURE_HEADER,
            sign::signature(secret, timestamp, &body),
        )
        .body(body)
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                "timed out waiting for the receiver".to_string()
            } else if e.is_connect() {
                "could not connect to the receiver".to_string()
            } else {
                format!("request failed: {e}")
            }
        })?;
    Ok(resp.status().as_u16())
}
