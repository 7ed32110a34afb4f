//! Talking to Metrc: a [`tagtrail_metrc::client::Client`] per license with its keys opened
//! for the request, a client-side rate limit, and every exchange recorded in
//! `metrc_api_requests` with the SHA-256 of the answer (`metrc_api_response_hashes`).

use crate::people::LicenseCtx;
use crate::{Result, Workbench, now, ts};
use std::sync::{Arc, Mutex};
use tagtrail_metrc::client::{Client, Exchange, Observer};

/// Collects exchanges until they are written with the work they belong to.
#[derive(Default)]
pub(crate) struct RequestLog {
    pending: Mutex<Vec<(Exchange, String)>>,
}

impl Observer for RequestLog {
    fn observe(&self, exchange: Exchange) {
        let at = ts(now());
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((exchange, at));
    }
}

/// Whom a request is for, beyond the license.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Purpose {
    pub user_id: Option<i64>,
    pub sync_run_id: Option<i64>,
    pub submission_id: Option<i64>,
}

/// A license's client and the log of its exchanges.
pub(crate) struct Session {
    pub client: Client,
    /// The user key holder's employee license number.
    pub holder: Option<String>,
    log: Arc<RequestLog>,
    license_id: i64,
    company_id: i64,
    vendor_credential_id: i64,
    user_credential_id: i64,
    pub purpose: Purpose,
}

impl Workbench {
    pub(crate) async fn metrc(&self, license: &LicenseCtx, purpose: Purpose) -> Result<Session> {
        let keys = self.keys_for(license).await?;
        let company = self.company(license.company_id).await?;
        self.refuse_production_outside_prod(&company.metrc_url)?;
        let log = Arc::new(RequestLog::default());
        let client = Client::new(&company.metrc_url, keys.vendor.expose(), keys.user.expose())
            .with_http(self.http.clone())
            .with_rate_limit(self.config.rate_limit_per_second)
            .with_observer(log.clone());
        Ok(Session {
            client,
            holder: keys.holder.clone(),
            log,
            license_id: license.license_id,
            company_id: license.company_id,
            vendor_credential_id: keys.vendor_id,
            user_credential_id: keys.user_id,
            purpose,
        })
    }
}

impl Session {
    /// Writes the exchanges seen so far. Called after each page or submission attempt, and on
    /// failure too, so evidence of a request never depends on its success.
    pub(crate) async fn flush(&self, wb: &Workbench) -> Result<u64> {
        let pending: Vec<(Exchange, String)> =
            std::mem::take(&mut *self.log.pending.lock().unwrap_or_else(|p| p.into_inner()));
        if pending.is_empty() {
            return Ok(0);
        }
        let n = pending.len() as u64;
        let mut tx = wb.db.pool.begin().await?;
        for (e, at) in pending {
            if let Some(h) = &e.response_sha256 {
                sqlx::query(
                    "INSERT INTO metrc_api_response_hashes (sha256, bytes, first_seen) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING",
                )
                .bind(h)
                .bind(e.response_bytes as i64)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO metrc_api_requests (company_id, license_id, vendor_credential_id, user_credential_id, user_id, sync_run_id, submission_id, method, path, query, request_sha256, status, response_sha256, elapsed_ms, error, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(self.company_id)
            .bind(self.license_id)
            .bind(self.vendor_credential_id)
            .bind(self.user_credential_id)
            .bind(self.purpose.user_id)
            .bind(self.purpose.sync_run_id)
            .bind(self.purpose.submission_id)
            .bind(crate::audit::clip(&e.method, 10))
            .bind(crate::audit::clip(&e.path, 300))
            .bind(crate::audit::clip(&e.query, 1000))
            .bind(e.request_sha256)
            .bind(e.status.map(i64::from))
            .bind(e.response_sha256)
            .bind(e.elapsed.as_millis() as i64)
            .bind(e.error.map(|x| crate::audit::clip(&x, 1000)))
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(n)
    }
}

/// One request as the requests page shows it.
#[derive(Debug, Clone)]
pub struct RequestRow {
    pub at: String,
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: Option<i64>,
    pub response_sha256: Option<String>,
    pub elapsed_ms: i64,
    pub error: Option<String>,
    pub user: Option<String>,
    pub sync_run_id: Option<i64>,
    pub submission_id: Option<i64>,
}

impl Workbench {
    /// The newest requests made for a license.
    pub async fn requests(&self, license: &LicenseCtx, limit: i64) -> Result<Vec<RequestRow>> {
        use sqlx::Row;
        let rows = sqlx::query(
            "SELECT r.at, r.method, r.path, r.query, r.status, r.response_sha256, r.elapsed_ms, r.error, u.username, r.sync_run_id, r.submission_id \
             FROM metrc_api_requests r LEFT JOIN users u ON u.id = r.user_id WHERE r.license_id = $1 ORDER BY r.id DESC LIMIT $2",
        )
        .bind(license.license_id)
        .bind(limit)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RequestRow {
                    at: r.try_get("at")?,
                    method: r.try_get("method")?,
                    path: r.try_get("path")?,
                    query: r.try_get::<Option<String>, _>("query")?.unwrap_or_default(),
                    status: r.try_get("status")?,
                    response_sha256: r.try_get("response_sha256")?,
                    elapsed_ms: r.try_get("elapsed_ms")?,
                    error: r.try_get("error")?,
                    user: r.try_get("username")?,
                    sync_run_id: r.try_get("sync_run_id")?,
                    submission_id: r.try_get("submission_id")?,
                })
            })
            .collect()
    }
}
