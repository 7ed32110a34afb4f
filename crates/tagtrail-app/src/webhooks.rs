//! Webhook subscriptions (the Metrc v2 Webhooks group) and the data the delivery worker needs.
//!
//! A vendor key subscribes, acting for one user key (its employee), to the changes of licenses
//! that employee may read. The change feed is the outbox: it is written in the same transaction
//! as each journal entry, so nothing committed can be missed, and each subscription keeps a
//! durable position (a feed cursor) per license, moved only after the receiver answered 2xx:
//! delivery is at least once, across restarts. Subscriptions are not journaled: they are a
//! vendor's configuration, change no regulated record, and what was sent is in their delivery
//! log (see migration 0020).
//!
//! Each subscription's signing secret is sealed at rest with AES-256-GCM under the ledger's
//! webhook key ([`WebhookKey`]), which the operator keeps in a file beside the database, never in
//! it: a stolen database or backup holds no usable secret. The secret is shown once, in the
//! answer that creates the subscription, and never logged.

use crate::identity::{Acting, hash_key};
use crate::{AppError, AppResult, Ledger, Scope};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD};
use rand::RngCore;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tagtrail_domain::Rejection;
use tagtrail_domain::records::{User, UserKey, VendorKey};
pub use tagtrail_store::{AttemptEnd, DeliveryRow, WebhookRow};
use tagtrail_store::{WebhookFields, WebhookOwner};

/// The longest URL a subscription may name.
pub const MAX_URL: usize = 2000;
/// The most licenses one subscription may name.
pub const MAX_LICENSES: usize = 50;
/// The longest `template` / `errorResponseJsonTemplate` kept.
pub const MAX_TEMPLATE: usize = 8000;
/// The longest disabled reason or last result kept (longer is cut).
pub const MAX_REASON: usize = 1000;

const SEALED_PREFIX: &str = "v1:";

/// How deliveries run. Tests shorten the backoff and the poll; the demo and the tests allow
/// private targets (their receivers listen on loopback).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// The key sealing subscription secrets; without it no subscription can be created and
    /// none is delivered (503).
    pub key: Option<WebhookKey>,
    /// Whether a subscription may target loopback, private, link-local or otherwise internal
    /// addresses. Off in production: a state system must not be made to post into the
    /// network it runs in (SSRF).
    pub allow_private_targets: bool,
    /// Failed deliveries in a row after which a subscription is disabled, with the reason.
    pub max_failures: u32,
    /// The wait after the first failure; it doubles with each further failure…
    pub backoff_base: Duration,
    /// …up to this.
    pub backoff_cap: Duration,
    /// Feed items per POST, at most.
    pub batch_size: u32,
    /// How long a receiver has to answer.
    pub request_timeout: Duration,
    /// How often the worker looks for due subscriptions when no write wakes it.
    pub poll: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            key: None,
            allow_private_targets: false,
            max_failures: 10,
            backoff_base: Duration::from_secs(10),
            backoff_cap: Duration::from_secs(3600),
            batch_size: 100,
            request_timeout: Duration::from_secs(10),
            poll: Duration::from_secs(5),
        }
    }
}

impl WebhookSettings {
    /// The wait before the next attempt after `failures` failures in a row: base × 2^(n-1),
    /// capped.
    pub fn backoff(&self, failures: u32) -> Duration {
        let factor = 1u32 << failures.saturating_sub(1).min(20);
        self.backoff_base
            .saturating_mul(factor)
            .min(self.backoff_cap)
    }
}

/// The ledger's key for sealing webhook secrets (AES-256-GCM). Its `Debug` shows nothing.
#[derive(Clone)]
pub struct WebhookKey(Arc<Aes256Gcm>);

impl std::fmt::Debug for WebhookKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WebhookKey(…)")
    }
}

/// The first line of a webhook key file.
pub const KEY_FILE_HEADER: &str = "# tagtrail webhook secret key (AES-256-GCM, base64)";

impl WebhookKey {
    /// From its text form: base64 (or hex) of exactly 32 bytes.
    pub fn from_text(text: &str) -> Result<WebhookKey, String> {
        let t: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect::<String>()
            .trim()
            .to_string();
        let bytes = B64
            .decode(&t)
            .ok()
            .filter(|b| b.len() == 32)
            .or_else(|| hex::decode(&t).ok().filter(|b| b.len() == 32))
            .ok_or("the webhook key must be 32 bytes, written as base64 or hex")?;
        let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| "bad webhook key")?;
        Ok(WebhookKey(Arc::new(cipher)))
    }

    /// Reads the key file at `path`, creating it (readable by its owner only) with a new random
    /// key when it does not exist. Losing the file makes existing subscriptions undeliverable
    /// (their secrets cannot be opened): they are disabled with that reason and must be
    /// recreated; back it up with the database.
    pub fn load_or_create(path: &Path) -> Result<WebhookKey, String> {
        if !path.exists() {
            let mut k = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut k);
            let text = format!("{KEY_FILE_HEADER}\n{}\n", B64.encode(k));
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            write_private(path, &text).map_err(|e| format!("{}: {e}", path.display()))?;
        }
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        WebhookKey::from_text(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    fn seal(&self, secret: &str, bound_to: &str) -> AppResult<String> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ct = self
            .0
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: bound_to.as_bytes(),
                },
            )
            .map_err(|_| AppError::Forbidden("The webhook secret could not be sealed.".into()))?;
        let mut out = nonce.to_vec();
        out.extend(ct);
        Ok(format!("{SEALED_PREFIX}{}", B64.encode(out)))
    }

    fn open(&self, sealed: &str, bound_to: &str) -> Option<String> {
        let raw = sealed
            .strip_prefix(SEALED_PREFIX)
            .and_then(|b| B64.decode(b).ok())
            .filter(|b| b.len() > 12)?;
        let (nonce, ct) = raw.split_at(12);
        let pt = self
            .0
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: bound_to.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(pt).ok()
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// What a sealed secret is bound to: columns of its row that never change, so a ciphertext
/// copied into another subscription does not open.
fn bound_to(vendor_key_id: i64, user_key_id: i64, created_at: &str) -> String {
    format!("tagtrail webhook secret v1/vendor {vendor_key_id}/user key {user_key_id}/{created_at}")
}

/// A vendor key and the user key it acts with, authenticated: who owns and who reads for a
/// subscription.
#[derive(Debug, Clone)]
pub struct Subscriber {
    pub vendor_key_id: i64,
    pub user_key_id: i64,
    pub acting: Acting,
}

/// A subscription as a vendor sets it (Metrc's `PUT /webhooks/v2` body, parsed).
#[derive(Debug, Clone, Default)]
pub struct SubscriptionSpec {
    /// Replace this subscription (tagtrail extension); without, the vendor key's subscription to
    /// the same URL is replaced, or a new one created.
    pub id: Option<i64>,
    /// Object types as the change feed names them (`Package`, `Plant`, …); empty or `*`: all.
    pub object_types: Vec<String>,
    /// Verbs as the change feed names them; empty or `*`: all.
    pub verbs: Vec<String>,
    pub url: String,
    pub active: bool,
    pub licenses: Vec<String>,
    pub server_public_key_fingerprint: Option<String>,
    pub template: Option<String>,
    pub error_response_json_template: Option<String>,
}

/// The result of a PUT: the subscription, and its secret when it was just created.
#[derive(Debug, Clone)]
pub struct PutOutcome {
    pub subscription: WebhookRow,
    pub created: bool,
    pub secret: Option<String>,
}

fn invalid(msg: impl Into<String>) -> AppError {
    AppError::Rejected(Rejection::Invalid(msg.into()))
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("Webhook subscription {id} does not exist."))
}

/// Checks a receiver URL without touching the network: http or https, a host, no credentials,
/// bounded; with `allow_private` false, an IP literal must be public and `localhost` is refused.
/// Names are resolved and checked again at every delivery (see the worker).
pub fn check_url(raw: &str, allow_private: bool) -> Result<url::Url, String> {
    if raw.is_empty() || raw.len() > MAX_URL {
        return Err(format!("url must be 1 to {MAX_URL} characters."));
    }
    let url = url::Url::parse(raw).map_err(|e| format!("url is not a valid URL: {e}."))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("url must be http or https.".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("url may not carry credentials.".into());
    }
    let Some(host) = url.host() else {
        return Err("url must name a host.".into());
    };
    if !allow_private {
        let internal = match host {
            url::Host::Ipv4(ip) => is_internal(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => is_internal(IpAddr::V6(ip)),
            url::Host::Domain(d) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                d == "localhost" || d.ends_with(".localhost") || d.ends_with(".internal")
            }
        };
        if internal {
            return Err(
                "url targets a private, loopback or link-local address, which this ledger does not post to."
                    .into(),
            );
        }
    }
    Ok(url)
}

/// Loopback, private (RFC 1918, unique local), link-local (cloud metadata), CGNAT,
/// unspecified, multicast, broadcast, documentation and IPv4-mapped forms of those.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (o[1] & 0xc0) == 64)
                || (o[0] == 198 && (o[1] & 0xfe) == 18)
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || s[0] == 0x2001 && s[1] == 0x0db8
        }
    }
}

/// A comma-separated list of names (object types or verbs): each 1–60 letters or digits, `*`
/// for all; stored as given, joined by commas.
fn names(what: &str, list: &[String]) -> AppResult<String> {
    let mut out: Vec<String> = Vec::new();
    for n in list.iter().flat_map(|s| s.split(',')).map(str::trim) {
        if n.is_empty() {
            continue;
        }
        if n != "*" && (n.len() > 60 || !n.chars().all(|c| c.is_ascii_alphanumeric())) {
            return Err(invalid(format!(
                "{what} '{}' is not a name of the change feed (letters and digits, at most 60).",
                n.chars().take(60).collect::<String>()
            )));
        }
        if !out.iter().any(|o| o.eq_ignore_ascii_case(n)) {
            out.push(n.to_string());
        }
    }
    if out.is_empty() || out.iter().any(|n| n == "*") {
        return Ok("*".into());
    }
    let joined = out.join(",");
    if joined.len() > 200 {
        return Err(invalid(format!("Too many {what}s.")));
    }
    Ok(joined)
}

/// Whether a stored list (`*` or comma-separated) admits `name`.
pub fn admits(list: &str, name: &str) -> bool {
    list == "*" || list.split(',').any(|n| n.eq_ignore_ascii_case(name))
}

fn bounded(what: &str, v: &Option<String>, max: usize) -> AppResult<()> {
    match v {
        Some(s) if s.chars().count() > max => {
            Err(invalid(format!("{what} may be at most {max} characters.")))
        }
        Some(s) if s.contains('\0') => Err(invalid(format!("{what} may not contain NUL."))),
        _ => Ok(()),
    }
}

/// Cuts a reason to what the log keeps.
pub fn cut(s: &str) -> String {
    s.chars().take(MAX_REASON).collect()
}

/// Wakes the delivery worker. A committed write wakes it only while it is *armed*: while the
/// worker's last look found an active subscription (or a subscription changed since). Without
/// one, a write would cost the worker two queries for nothing; a subscription made by another
/// process on the same database is found by the worker's timer instead.
pub struct WebhookWake {
    notify: tokio::sync::Notify,
    armed: std::sync::atomic::AtomicBool,
}

impl Default for WebhookWake {
    fn default() -> Self {
        WebhookWake {
            notify: tokio::sync::Notify::new(),
            // Armed until the worker has looked.
            armed: std::sync::atomic::AtomicBool::new(true),
        }
    }
}

impl WebhookWake {
    /// After a committed write: wakes the worker if a subscription may want it.
    pub fn after_write(&self) {
        if self.armed.load(std::sync::atomic::Ordering::Acquire) {
            self.notify.notify_one();
        }
    }

    /// A subscription changed here: arm and wake.
    pub fn arm(&self) {
        self.armed.store(true, std::sync::atomic::Ordering::Release);
        self.notify.notify_one();
    }

    /// The worker found an active subscription: later writes wake it.
    pub fn arm_quietly(&self) {
        self.armed.store(true, std::sync::atomic::Ordering::Release);
    }

    /// The worker found no active subscription. It disarms *before* it looks, so a
    /// subscription made during the look re-arms (and wakes it) rather than being lost.
    pub fn disarm(&self) {
        self.armed
            .store(false, std::sync::atomic::Ordering::Release);
    }

    /// Waits for a wake-up ([`tokio::sync::Notify::notified`]).
    pub fn notified(&self) -> tokio::sync::futures::Notified<'_> {
        self.notify.notified()
    }
}

impl Ledger {
    /// What wakes the delivery worker.
    pub fn webhook_wake(&self) -> Arc<WebhookWake> {
        self.webhook_wake.clone()
    }

    /// Makes this node the webhook deliverer, unless another node serving the same database
    /// is (`None`; try again later). Held while delivering, so that two nodes never send the
    /// same batch; released when dropped or when the node stops.
    pub async fn lead_webhook_delivery(&self) -> AppResult<Option<tagtrail_store::Leadership>> {
        /// The advisory lock naming the webhook deliverer (any constant no other lock uses).
        const DELIVERER: i64 = 0x7461_6774_7768_6b31;
        Ok(self.store.try_lead(DELIVERER).await?)
    }

    /// Authenticates a vendor key and user key (as [`Ledger::authenticate`]) and names both
    /// keys, because a subscription belongs to the one and reads for the other.
    pub async fn subscriber(&self, vendor_key: &str, user_key: &str) -> AppResult<Subscriber> {
        let acting = self.authenticate(vendor_key, user_key).await?;
        let key: Option<UserKey> = self.store.find(None, &hash_key(user_key)).await?;
        let (Some(vendor_key_id), Some(key)) = (acting.vendor_key_id(), key) else {
            return Err(AppError::Unauthorized(
                "Invalid API credentials: the vendor key and user key must be valid and active."
                    .into(),
            ));
        };
        Ok(Subscriber {
            vendor_key_id,
            user_key_id: key.id,
            acting,
        })
    }

    fn webhook_key(&self) -> AppResult<&WebhookKey> {
        self.config.webhooks.key.as_ref().ok_or_else(|| {
            AppError::Forbidden(
                "Webhooks are not configured on this ledger (the operator starts it with a webhook key file)."
                    .into(),
            )
        })
    }

    /// Whether this ledger can seal secrets (a webhook key is configured).
    pub fn webhooks_configured(&self) -> bool {
        self.config.webhooks.key.is_some()
    }

    /// Creates or replaces a subscription (see [`SubscriptionSpec::id`]). Every license it names
    /// must be one the subscriber's employee may read (else the answer `authorize` gives: 401
    /// not employed there). A created subscription answers its secret, once.
    pub async fn put_webhook(
        &self,
        who: &Subscriber,
        spec: &SubscriptionSpec,
    ) -> AppResult<PutOutcome> {
        let url = check_url(spec.url.trim(), self.config.webhooks.allow_private_targets)
            .map_err(invalid)?;
        let url = url.as_str().to_string();
        if url.len() > MAX_URL {
            return Err(invalid(format!("url must be 1 to {MAX_URL} characters.")));
        }
        let object_types = names("objectType", &spec.object_types)?;
        let verbs = names("verb", &spec.verbs)?;
        bounded(
            "serverPublicKeyFingerprint",
            &spec.server_public_key_fingerprint,
            200,
        )?;
        bounded("template", &spec.template, MAX_TEMPLATE)?;
        bounded(
            "errorResponseJsonTemplate",
            &spec.error_response_json_template,
            MAX_TEMPLATE,
        )?;
        let mut licenses: Vec<String> = Vec::new();
        for l in spec
            .licenses
            .iter()
            .flat_map(|s| s.split(','))
            .map(str::trim)
        {
            if l.is_empty() {
                continue;
            }
            if l.len() > 100 || l.contains('\0') {
                return Err(invalid("A license number may be at most 100 characters."));
            }
            let scope = self.authorize(&who.acting, l, &[]).await?;
            let canonical = scope.license().to_string();
            if !licenses.contains(&canonical) {
                licenses.push(canonical);
            }
        }
        if licenses.is_empty() {
            return Err(invalid(
                "facilityLicenseNumbers must name at least one license.",
            ));
        }
        if licenses.len() > MAX_LICENSES {
            return Err(invalid(format!(
                "facilityLicenseNumbers may name at most {MAX_LICENSES} licenses."
            )));
        }
        licenses.sort();
        let fields = WebhookFields {
            object_types: &object_types,
            verbs: &verbs,
            url: &url,
            status: if spec.active { "Active" } else { "Inactive" },
            server_public_key_fingerprint: spec.server_public_key_fingerprint.as_deref(),
            template: spec.template.as_deref(),
            error_response_json_template: spec.error_response_json_template.as_deref(),
            licenses: &licenses,
        };
        let now = tagtrail_domain::time::format(chrono::Utc::now());
        let existing = match spec.id {
            Some(id) => Some(self.own_webhook(who, id).await?.id),
            None => self.store.webhook_by_url(who.vendor_key_id, &url).await?,
        };
        if let Some(id) = existing {
            self.store.webhook_replace(id, &fields, &now).await?;
            let subscription = self
                .store
                .webhook_get(id)
                .await?
                .ok_or_else(|| not_found(id))?;
            self.webhook_wake.arm();
            return Ok(PutOutcome {
                subscription,
                created: false,
                secret: None,
            });
        }
        let key = self.webhook_key()?;
        let mut raw = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut raw);
        let secret = format!("whsec_{}", URL_SAFE_NO_PAD.encode(raw));
        let sealed = key.seal(&secret, &bound_to(who.vendor_key_id, who.user_key_id, &now))?;
        let owner = WebhookOwner {
            vendor_key_id: who.vendor_key_id,
            user_key_id: who.user_key_id,
            user_id: who.acting.user().map(|u| u.id).unwrap_or_default(),
            secret_sealed: &sealed,
        };
        let id = self.store.webhook_insert(&owner, &fields, &now).await?;
        let subscription = self
            .store
            .webhook_get(id)
            .await?
            .ok_or_else(|| not_found(id))?;
        self.webhook_wake.arm();
        Ok(PutOutcome {
            subscription,
            created: true,
            secret: Some(secret),
        })
    }

    /// The subscriptions of the subscriber's vendor key.
    pub async fn webhooks(&self, who: &Subscriber) -> AppResult<Vec<WebhookRow>> {
        Ok(self.store.webhooks_of_vendor(who.vendor_key_id).await?)
    }

    /// One of the vendor key's subscriptions; another vendor's is not found (404), as if it
    /// did not exist.
    pub async fn own_webhook(&self, who: &Subscriber, id: i64) -> AppResult<WebhookRow> {
        self.store
            .webhook_get(id)
            .await?
            .filter(|w| w.vendor_key_id == who.vendor_key_id)
            .ok_or_else(|| not_found(id))
    }

    pub async fn delete_webhook(&self, who: &Subscriber, id: i64) -> AppResult<()> {
        let w = self.own_webhook(who, id).await?;
        Ok(self.store.webhook_delete(w.id).await?)
    }

    /// Enables (resuming from the positions it has) or disables a subscription by hand.
    pub async fn set_webhook_enabled(
        &self,
        who: &Subscriber,
        id: i64,
        enabled: bool,
    ) -> AppResult<WebhookRow> {
        let w = self.own_webhook(who, id).await?;
        let now = tagtrail_domain::time::format(chrono::Utc::now());
        if enabled {
            self.store
                .webhook_set_status(w.id, "Active", None, &now)
                .await?;
            self.webhook_wake.arm();
        } else {
            let reason = "Disabled by the vendor.";
            self.store
                .webhook_set_status(w.id, "Inactive", Some(reason), &now)
                .await?;
        }
        self.own_webhook(who, id).await
    }

    /// Moves the subscription's position in `license`'s feed (every license it names when
    /// `None`) to `after` (`None`: the start), so that what follows is delivered again.
    pub async fn replay_webhook(
        &self,
        who: &Subscriber,
        id: i64,
        license: Option<&str>,
        after: Option<&str>,
    ) -> AppResult<WebhookRow> {
        let w = self.own_webhook(who, id).await?;
        let targets: Vec<String> = match license {
            Some(l) => {
                let found = w
                    .positions
                    .iter()
                    .find(|(p, _)| p.eq_ignore_ascii_case(l.trim()))
                    .map(|(p, _)| p.clone())
                    .ok_or_else(|| {
                        invalid(format!("Subscription {id} does not name license {l}."))
                    })?;
                vec![found]
            }
            None => w.positions.iter().map(|(p, _)| p.clone()).collect(),
        };
        for l in &targets {
            self.store.webhook_set_position(w.id, l, after).await?;
        }
        self.webhook_wake.arm();
        self.own_webhook(who, id).await
    }

    /// A subscription's delivery log, newest first.
    pub async fn webhook_log(
        &self,
        who: &Subscriber,
        id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> AppResult<Vec<DeliveryRow>> {
        let w = self.own_webhook(who, id).await?;
        Ok(self
            .store
            .webhook_deliveries(w.id, before, i64::from(limit))
            .await?)
    }

    // ---- the delivery worker's access ------------------------------------------------------

    /// Active subscriptions due now (real time, not the sandbox clock: backoff is wall time).
    pub async fn webhooks_due(&self, limit: i64) -> AppResult<Vec<WebhookRow>> {
        let now = tagtrail_domain::time::format(chrono::Utc::now());
        Ok(self.store.webhooks_due(&now, limit).await?)
    }

    /// When the next active subscription falls due, if any.
    pub async fn webhook_next_due(&self) -> AppResult<Option<chrono::DateTime<chrono::Utc>>> {
        Ok(self
            .store
            .webhook_next_due()
            .await?
            .and_then(|s| tagtrail_domain::time::parse_instant(&s)))
    }

    /// The scope of each license `w` names, re-resolved now from its keys: the vendor key and
    /// user key still active, the employee still active and still employed at each license.
    /// `Err` is why delivery must stop (the worker disables the subscription with it).
    pub async fn webhook_scopes(&self, w: &WebhookRow) -> AppResult<Result<Vec<Scope>, String>> {
        let vendor: Option<VendorKey> = self.store.get(w.vendor_key_id).await?;
        if !vendor.is_some_and(|v| v.active) {
            return Ok(Err("The vendor key was revoked.".into()));
        }
        let key: Option<UserKey> = self.store.get(w.user_key_id).await?;
        let Some(key) = key.filter(|k| k.active) else {
            return Ok(Err("The user key was revoked.".into()));
        };
        let user: Option<User> = self.store.get(key.user_id).await?;
        let Some(user) = user.filter(|u| u.active) else {
            return Ok(Err("The user key's employee is no longer active.".into()));
        };
        let acting = Acting::employee(user, Some(w.vendor_key_id), "webhook");
        let mut scopes = Vec::new();
        for (license, _) in &w.positions {
            match self.authorize(&acting, license, &[]).await {
                Ok(scope) => scopes.push(scope),
                Err(AppError::Store(e)) => return Err(AppError::Store(e)),
                Err(e) => {
                    return Ok(Err(cut(&format!(
                        "No longer allowed to read license {license}: {e}"
                    ))));
                }
            }
        }
        Ok(Ok(scopes))
    }

    /// The subscription's signing secret, opened; `None` when the webhook key is missing or is
    /// not the one that sealed it.
    pub fn webhook_secret(&self, w: &WebhookRow) -> Option<String> {
        let key = self.config.webhooks.key.as_ref()?;
        key.open(
            &w.secret_sealed,
            &bound_to(w.vendor_key_id, w.user_key_id, &w.created_at),
        )
    }

    /// Records a delivery attempt and its effect (position moved, or failure counted, backoff
    /// set and perhaps the subscription disabled).
    pub async fn webhook_attempted(
        &self,
        log: &DeliveryRow,
        end: &AttemptEnd<'_>,
        result: &str,
    ) -> AppResult<()> {
        Ok(self.store.webhook_attempted(log, end, &cut(result)).await?)
    }

    /// Moves a position past items the subscription does not want (no POST, no log).
    pub async fn webhook_skip(
        &self,
        id: i64,
        license: &str,
        from: Option<&str>,
        to: &str,
    ) -> AppResult<()> {
        Ok(self.store.webhook_advance(id, license, from, to).await?)
    }

    /// Disables a subscription the worker cannot deliver, with why.
    pub async fn webhook_disable(&self, id: i64, reason: &str) -> AppResult<()> {
        let now = tagtrail_domain::time::format(chrono::Utc::now());
        Ok(self
            .store
            .webhook_set_status(id, "Inactive", Some(&cut(reason)), &now)
            .await?)
    }
}

// ---- a facility's view (the web UI's Webhooks page) -----------------------------------------

/// A subscription as the people of one facility see it: who receives the data and how far it
/// has gone. Never the secret (it was shown once, at creation, over the API).
#[derive(Debug, Clone)]
pub struct FacilityWebhook {
    pub id: i64,
    /// The integrator's vendor key, by the name the operator gave it.
    pub vendor: String,
    /// The employee whose user key the subscription reads with.
    pub employee_id: i64,
    pub employee: String,
    pub url: String,
    pub object_types: String,
    pub verbs: String,
    /// `Active` or `Inactive`.
    pub status: String,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<String>,
    pub consecutive_failures: i64,
    pub next_attempt_at: String,
    pub last_attempt_at: Option<String>,
    /// The cursor of the last item of this facility's feed it was sent (`None`: nothing yet).
    pub position: Option<String>,
    /// How many other licenses it reads (their numbers are not this facility's business).
    pub other_licenses: usize,
    /// Whether the person looking may disable or enable it.
    pub may_change: bool,
}

/// Whether the caller oversees every subscription reading the scope's license: whoever may
/// manage its employees (they decide who works there and with which permissions, so who
/// receives its data), the operator, and a state inspector (reads only).
fn oversees(scope: &Scope) -> bool {
    scope.holds_any(&[tagtrail_domain::permission::Permission::ManageEmployees])
}

/// Whether the subscription reads with the caller's own user key.
fn owns(scope: &Scope, w: &WebhookRow) -> bool {
    scope.acting().user().map(|u| u.id) == Some(w.user_id)
}

impl Ledger {
    /// The subscriptions reading the scope's license that the caller may see: all of them for
    /// whoever oversees the license ([`oversees`]), else the caller's own. Someone with neither
    /// is refused (403): the page is not for them.
    pub async fn facility_webhooks(&self, scope: &Scope) -> AppResult<Vec<FacilityWebhook>> {
        let all = oversees(scope);
        let rows = self.store.webhooks_of_license(scope.license()).await?;
        let mut out = Vec::new();
        for w in rows.iter().filter(|w| all || owns(scope, w)) {
            out.push(self.facility_view(scope, w).await?);
        }
        if !all && out.is_empty() {
            return Err(AppError::Forbidden(format!(
                "Only whoever manages employees at license {} sees who receives its data.",
                scope.license()
            )));
        }
        Ok(out)
    }

    /// One subscription reading the scope's license, if the caller may see it; else not found
    /// (404), as if it did not exist.
    pub async fn facility_webhook(&self, scope: &Scope, id: i64) -> AppResult<FacilityWebhook> {
        let w = self.facility_row(scope, id).await?;
        self.facility_view(scope, &w).await
    }

    /// The subscription's deliveries of the scope's license, newest first, `limit` before
    /// delivery `before`.
    pub async fn facility_webhook_log(
        &self,
        scope: &Scope,
        id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> AppResult<Vec<DeliveryRow>> {
        let w = self.facility_row(scope, id).await?;
        Ok(self
            .store
            .webhook_deliveries_of_license(w.id, scope.license(), before, i64::from(limit))
            .await?)
    }

    /// Disables (with who did it, as the reason) or enables a subscription reading the scope's
    /// license: its own employee, or whoever may manage the license's employees; never an
    /// inspector. Enabling resumes from the positions it has, as the vendor's enable does.
    pub async fn set_facility_webhook_enabled(
        &self,
        scope: &Scope,
        id: i64,
        enabled: bool,
    ) -> AppResult<FacilityWebhook> {
        let w = self.facility_row(scope, id).await?;
        if !may_change(scope, &w) {
            return Err(AppError::Forbidden(format!(
                "Only its own employee or whoever manages employees at license {} may change subscription {id}.",
                scope.license()
            )));
        }
        let now = tagtrail_domain::time::format(chrono::Utc::now());
        if enabled {
            self.store
                .webhook_set_status(w.id, "Active", None, &now)
                .await?;
            self.webhook_wake.arm();
        } else {
            let who = scope
                .acting()
                .user()
                .map(|u| u.full_name.clone())
                .unwrap_or_else(|| "the operator".into());
            let reason = cut(&format!(
                "Disabled by {who} at license {} (web).",
                scope.license()
            ));
            self.store
                .webhook_set_status(w.id, "Inactive", Some(&reason), &now)
                .await?;
        }
        self.facility_webhook(scope, id).await
    }

    async fn facility_row(&self, scope: &Scope, id: i64) -> AppResult<WebhookRow> {
        self.store
            .webhook_get(id)
            .await?
            .filter(|w| w.positions.iter().any(|(l, _)| l == scope.license()))
            .filter(|w| oversees(scope) || owns(scope, w))
            .ok_or_else(|| not_found(id))
    }

    async fn facility_view(&self, scope: &Scope, w: &WebhookRow) -> AppResult<FacilityWebhook> {
        let vendor: Option<VendorKey> = self.store.get(w.vendor_key_id).await?;
        let user: Option<User> = self.store.get(w.user_id).await?;
        let position = w
            .positions
            .iter()
            .find(|(l, _)| l == scope.license())
            .and_then(|(_, c)| c.clone());
        Ok(FacilityWebhook {
            id: w.id,
            vendor: vendor.map_or_else(|| format!("Vendor key {}", w.vendor_key_id), |v| v.name),
            employee_id: w.user_id,
            employee: user.map_or_else(|| format!("User {}", w.user_id), |u| u.full_name),
            url: w.url.clone(),
            object_types: w.object_types.clone(),
            verbs: w.verbs.clone(),
            status: w.status.clone(),
            disabled_reason: w.disabled_reason.clone(),
            disabled_at: w.disabled_at.clone(),
            consecutive_failures: w.consecutive_failures,
            next_attempt_at: w.next_attempt_at.clone(),
            last_attempt_at: w.last_attempt_at.clone(),
            position,
            other_licenses: w.positions.len().saturating_sub(1),
            may_change: may_change(scope, w),
        })
    }
}

/// Its own employee or a manager of the license's employees, never an inspector.
fn may_change(scope: &Scope, w: &WebhookRow) -> bool {
    !scope.is_inspector()
        && (owns(scope, w)
            || scope.may_act(&[tagtrail_domain::permission::Permission::ManageEmployees]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_targets_are_refused_unless_allowed() {
        for bad in [
            "http://127.0.0.1/x",
            "http://10.1.2.3/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]:8080/",
            "http://[::ffff:192.168.0.1]/",
            "http://localhost:9000/",
            "http://100.64.0.1/",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
            assert!(check_url(bad, true).is_ok(), "{bad}");
        }
        assert!(check_url("https://hooks.example.com/metrc", false).is_ok());
        assert!(check_url("ftp://hooks.example.com/", true).is_err());
        assert!(check_url("http://user:pw@hooks.example.com/", true).is_err());
    }

    #[test]
    fn secrets_open_only_where_sealed() {
        let key = WebhookKey::from_text(&hex::encode([7u8; 32])).expect("a key");
        let sealed = key.seal("whsec_abc", "a").expect("sealed");
        assert!(!sealed.contains("whsec_abc"));
        assert_eq!(key.open(&sealed, "a").as_deref(), Some("whsec_abc"));
        assert!(key.open(&sealed, "b").is_none());
        let other = WebhookKey::from_text(&hex::encode([8u8; 32])).expect("a key");
        assert!(other.open(&sealed, "a").is_none());
    }

    #[test]
    fn backoff_doubles_to_the_cap() {
        let s = WebhookSettings {
            backoff_base: Duration::from_secs(10),
            backoff_cap: Duration::from_secs(60),
            ..WebhookSettings::default()
        };
        assert_eq!(s.backoff(1), Duration::from_secs(10));
        assert_eq!(s.backoff(2), Duration::from_secs(20));
        assert_eq!(s.backoff(3), Duration::from_secs(40));
        assert_eq!(s.backoff(4), Duration::from_secs(60));
        assert_eq!(s.backoff(40), Duration::from_secs(60));
    }
}
