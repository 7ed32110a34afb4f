//! The serve and demo flags for webhook delivery: where the key sealing subscription secrets
//! lives, whether receivers may be internal addresses, and the retry policy.

use anyhow::{Result, anyhow};
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tagtrail_app::webhooks::{WebhookKey, WebhookSettings};

#[derive(Args, Clone)]
pub struct WebhookArgs {
    /// The key sealing webhook signing secrets at rest (AES-256-GCM; base64 of 32 bytes), made
    /// (readable by its owner only) if missing. Keep it beside the database and back it up
    /// with it, but never in it. Default: DATABASE.webhook.key for a SQLite file, DATA_DIR/webhook.key
    /// for the demo; on PostgreSQL without it, webhook subscriptions cannot be created.
    #[arg(long, env = "TAGTRAIL_WEBHOOK_KEY_FILE")]
    webhook_key_file: Option<PathBuf>,
    /// Let subscriptions target loopback, private and link-local addresses. Off by default: a
    /// state system must not be made to post into its own network (SSRF). The demo turns it on.
    #[arg(long, env = "TAGTRAIL_WEBHOOK_ALLOW_PRIVATE")]
    webhook_allow_private: bool,
    /// Failed deliveries in a row after which a subscription is disabled (with the reason).
    #[arg(long, env = "TAGTRAIL_WEBHOOK_MAX_FAILURES", default_value_t = 10)]
    webhook_max_failures: u32,
    /// The wait after a first failed delivery, doubling with each further one (milliseconds).
    #[arg(long, env = "TAGTRAIL_WEBHOOK_BACKOFF_MS", default_value_t = 10_000)]
    webhook_backoff_ms: u64,
    /// The longest wait between attempts (milliseconds).
    #[arg(
        long,
        env = "TAGTRAIL_WEBHOOK_BACKOFF_CAP_MS",
        default_value_t = 3_600_000
    )]
    webhook_backoff_cap_ms: u64,
}

impl WebhookArgs {
    /// The settings, with the key from the flag or `default_key` (created if missing).
    pub fn settings(&self, default_key: Option<&Path>, demo: bool) -> Result<WebhookSettings> {
        let path = self.webhook_key_file.as_deref().or(default_key);
        let key = match path {
            Some(p) => Some(WebhookKey::load_or_create(p).map_err(|e| anyhow!(e))?),
            None => None,
        };
        Ok(WebhookSettings {
            key,
            allow_private_targets: self.webhook_allow_private || demo,
            max_failures: self.webhook_max_failures.max(1),
            backoff_base: Duration::from_millis(self.webhook_backoff_ms),
            backoff_cap: Duration::from_millis(
                self.webhook_backoff_cap_ms.max(self.webhook_backoff_ms),
            ),
            ..WebhookSettings::default()
        })
    }
}

/// The default key file of a SQLite database (`DATABASE.webhook.key`); none for PostgreSQL.
pub fn beside(database_url: &str) -> Option<PathBuf> {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        return None;
    }
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
        .unwrap_or(database_url);
    let path = path.split('?').next().unwrap_or(path);
    Some(PathBuf::from(format!("{path}.webhook.key")))
}
