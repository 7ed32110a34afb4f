//! Ledger settings. Metrc's limits are defaults here, not constants, because states set their
//! own (cctt-rules 67–70 are marked as varying or unverified).

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// Objects per write body; more is answered 413 (rule 70).
    pub max_objects: usize,
    /// Largest `pageSize` (rule 68).
    pub max_page_size: u32,
    /// Longest `lastModifiedStart`..`lastModifiedEnd` window; `None` turns the check off (rule 67).
    pub max_window: Option<Duration>,
    pub rate: RateLimits,
    /// Keep GET rate limits in the database, one limit for every node serving it (PostgreSQL,
    /// several nodes). Off, each node keeps its own, which is exact for one node and costs
    /// nothing: the shared cells cost a round trip and serialize a busy facility's requests.
    pub shared_rate_limits: bool,
    /// Most tags of one kind in one order (rule 12).
    pub max_tags_per_order: u32,
    /// Most packages on one manifest (rule 47, `MaxPackagesPerTransfer`).
    pub max_packages_per_transfer: usize,
    /// Webhook delivery: the key sealing secrets, internal targets, retries and backoff.
    pub webhooks: crate::webhooks::WebhookSettings,
    /// Connection limits of the HTTP server in front of the ledger.
    pub server: ServerLimits,
    /// Most password checks (argon2, deliberately slow) running at once; more sign-ins wait
    /// their turn, and past [`SIGN_IN_QUEUE`] waiting they are refused at once (429), so a
    /// sign-in flood cannot take the cores the API needs.
    pub password_checks: usize,
}

/// Sign-ins that may wait for a password check before more are refused.
pub const SIGN_IN_QUEUE: usize = 32;

/// Connection limits of the HTTP server.
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// Open connections at most; past it, new ones wait in the kernel's backlog.
    pub max_connections: usize,
    /// Open connections from one client address at most; past it, its new ones are closed.
    pub per_address: usize,
    /// How long a client may take to send a request's header, and how long a kept-alive
    /// connection may sit idle, before it is closed.
    pub header_read_timeout: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: 4096,
            per_address: 256,
            header_read_timeout: Duration::from_secs(10),
        }
    }
}

/// GET rate limits (rule 69). Only GETs are limited.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub per_facility_per_second: u32,
    pub per_vendor_key_per_second: u32,
    pub concurrent_per_facility: u32,
    pub concurrent_per_vendor_key: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            per_facility_per_second: 50,
            per_vendor_key_per_second: 150,
            concurrent_per_facility: 10,
            concurrent_per_vendor_key: 30,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_objects: 10,
            max_page_size: 20,
            max_window: Some(Duration::from_secs(24 * 3600)),
            rate: RateLimits::default(),
            shared_rate_limits: false,
            max_tags_per_order: tagtrail_domain::commands::tags::DEFAULT_MAX_TAGS_PER_ORDER,
            max_packages_per_transfer:
                tagtrail_domain::commands::transfers::DEFAULT_MAX_PACKAGES_PER_TRANSFER,
            webhooks: Default::default(),
            server: ServerLimits::default(),
            // Half the cores (at least one): the rest stay with the API.
            password_checks: std::thread::available_parallelism()
                .map(|n| (n.get() / 2).max(1))
                .unwrap_or(1),
        }
    }
}
