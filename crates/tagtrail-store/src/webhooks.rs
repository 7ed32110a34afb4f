//! Webhook subscriptions, their positions in the change feed and their delivery log
//! (migration 0020). Not journaled: a subscription is a vendor's configuration and changes no
//! regulated record (see the migration). Writes take the in-process write turn first, as the
//! other unjournaled tables do, so that on SQLite they queue behind a long write instead of
//! timing out in the busy handler.

use crate::{Result, Store};
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

/// A stored subscription with its positions (one per license, ordered by license number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRow {
    pub id: i64,
    pub vendor_key_id: i64,
    pub user_key_id: i64,
    pub user_id: i64,
    pub object_types: String,
    pub verbs: String,
    pub url: String,
    /// `Active` or `Inactive`.
    pub status: String,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<String>,
    pub server_public_key_fingerprint: Option<String>,
    pub template: Option<String>,
    pub error_response_json_template: Option<String>,
    pub secret_sealed: String,
    pub consecutive_failures: i64,
    pub next_attempt_at: String,
    pub last_attempt_at: Option<String>,
    pub last_result: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// (license number, cursor of the last item delivered).
    pub positions: Vec<(String, Option<String>)>,
}

/// What a vendor sets on a subscription (create or replace).
#[derive(Debug, Clone)]
pub struct WebhookFields<'a> {
    pub object_types: &'a str,
    pub verbs: &'a str,
    pub url: &'a str,
    pub status: &'a str,
    pub server_public_key_fingerprint: Option<&'a str>,
    pub template: Option<&'a str>,
    pub error_response_json_template: Option<&'a str>,
    pub licenses: &'a [String],
}

/// Who a new subscription belongs to and acts for, and its sealed secret.
#[derive(Debug, Clone)]
pub struct WebhookOwner<'a> {
    pub vendor_key_id: i64,
    pub user_key_id: i64,
    pub user_id: i64,
    pub secret_sealed: &'a str,
}

/// One delivery attempt, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub id: i64,
    pub subscription_id: i64,
    pub delivery_id: String,
    pub license_number: String,
    pub after_cursor: Option<String>,
    pub last_cursor: String,
    pub items: i64,
    pub attempt: i64,
    pub attempted_at: String,
    pub http_status: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}

/// How an attempt ended, for the subscription's row.
#[derive(Debug, Clone)]
pub enum AttemptEnd<'a> {
    /// Answered 2xx: the license's position moves to `cursor`, failures reset.
    Delivered { license: &'a str, cursor: &'a str },
    /// Failed: `failures` in a row now; next try at `next_at`, or disabled with `disable`.
    Failed {
        failures: i64,
        next_at: &'a str,
        disable: Option<&'a str>,
    },
}

const COLUMNS: &str = "id, vendor_key_id, user_key_id, user_id, object_types, verbs, url, status, \
     disabled_reason, disabled_at, server_public_key_fingerprint, template, \
     error_response_json_template, secret_sealed, consecutive_failures, next_attempt_at, \
     last_attempt_at, last_result, created_at, updated_at";

const DELIVERY_COLUMNS: &str = "id, subscription_id, delivery_id, license_number, after_cursor, \
     last_cursor, items, attempt, attempted_at, http_status, error, duration_ms";

fn from_row(r: &AnyRow) -> Result<WebhookRow> {
    Ok(WebhookRow {
        id: r.try_get("id")?,
        vendor_key_id: r.try_get("vendor_key_id")?,
        user_key_id: r.try_get("user_key_id")?,
        user_id: r.try_get("user_id")?,
        object_types: r.try_get("object_types")?,
        verbs: r.try_get("verbs")?,
        url: r.try_get("url")?,
        status: r.try_get("status")?,
        disabled_reason: r.try_get("disabled_reason")?,
        disabled_at: r.try_get("disabled_at")?,
        server_public_key_fingerprint: r.try_get("server_public_key_fingerprint")?,
        template: r.try_get("template")?,
        error_response_json_template: r.try_get("error_response_json_template")?,
        secret_sealed: r.try_get("secret_sealed")?,
        consecutive_failures: r.try_get("consecutive_failures")?,
        next_attempt_at: r.try_get("next_attempt_at")?,
        last_attempt_at: r.try_get("last_attempt_at")?,
        last_result: r.try_get("last_result")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        positions: vec![],
    })
}

fn delivery_from_row(r: &AnyRow) -> Result<DeliveryRow> {
    Ok(DeliveryRow {
        id: r.try_get("id")?,
        subscription_id: r.try_get("subscription_id")?,
        delivery_id: r.try_get("delivery_id")?,
        license_number: r.try_get("license_number")?,
        after_cursor: r.try_get("after_cursor")?,
        last_cursor: r.try_get("last_cursor")?,
        items: r.try_get("items")?,
        attempt: r.try_get("attempt")?,
        attempted_at: r.try_get("attempted_at")?,
        http_status: r.try_get("http_status")?,
        error: r.try_get("error")?,
        duration_ms: r.try_get("duration_ms")?,
    })
}

impl Store {
    async fn webhook_tx(&self) -> Result<Transaction<'static, Any>> {
        crate::group::begin_bookkeeping(&self.pool, self.backend).await
    }

    async fn with_positions(&self, mut rows: Vec<WebhookRow>) -> Result<Vec<WebhookRow>> {
        for row in &mut rows {
            let found = sqlx::query(
                "SELECT license_number, cursor FROM webhook_positions \
                 WHERE subscription_id = $1 ORDER BY license_number",
            )
            .bind(row.id)
            .fetch_all(&self.pool)
            .await?;
            row.positions = found
                .iter()
                .map(|p| Ok((p.try_get("license_number")?, p.try_get("cursor")?)))
                .collect::<Result<_>>()?;
        }
        Ok(rows)
    }

    /// Stores a new subscription (its positions at the start of each license's feed); its id.
    pub async fn webhook_insert(
        &self,
        owner: &WebhookOwner<'_>,
        fields: &WebhookFields<'_>,
        now: &str,
    ) -> Result<i64> {
        let _turn = self.turn().await?;
        let mut tx = self.webhook_tx().await?;
        let row = sqlx::query(
            "INSERT INTO webhook_subscriptions (vendor_key_id, user_key_id, user_id, object_types, \
             verbs, url, status, server_public_key_fingerprint, template, \
             error_response_json_template, secret_sealed, next_attempt_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $12) RETURNING id",
        )
        .bind(owner.vendor_key_id)
        .bind(owner.user_key_id)
        .bind(owner.user_id)
        .bind(fields.object_types.to_string())
        .bind(fields.verbs.to_string())
        .bind(fields.url.to_string())
        .bind(fields.status.to_string())
        .bind(fields.server_public_key_fingerprint.map(str::to_string))
        .bind(fields.template.map(str::to_string))
        .bind(fields.error_response_json_template.map(str::to_string))
        .bind(owner.secret_sealed.to_string())
        .bind(now.to_string())
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        for license in fields.licenses {
            sqlx::query(
                "INSERT INTO webhook_positions (subscription_id, license_number) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(license.clone())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces a subscription's settings, keeping its id, secret and the positions of the
    /// licenses it still names (a license newly named starts at the beginning of its feed).
    /// Setting it `Active` clears a disabled reason and the run of failures.
    pub async fn webhook_replace(
        &self,
        id: i64,
        fields: &WebhookFields<'_>,
        now: &str,
    ) -> Result<()> {
        let _turn = self.turn().await?;
        let mut tx = self.webhook_tx().await?;
        sqlx::query(
            "UPDATE webhook_subscriptions SET object_types = $1, verbs = $2, url = $3, \
             server_public_key_fingerprint = $4, template = $5, \
             error_response_json_template = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(fields.object_types.to_string())
        .bind(fields.verbs.to_string())
        .bind(fields.url.to_string())
        .bind(fields.server_public_key_fingerprint.map(str::to_string))
        .bind(fields.template.map(str::to_string))
        .bind(fields.error_response_json_template.map(str::to_string))
        .bind(now.to_string())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        set_status(&mut tx, id, fields.status, None, now).await?;
        let kept =
            sqlx::query("SELECT license_number FROM webhook_positions WHERE subscription_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>("license_number"))
                .collect::<std::result::Result<Vec<_>, _>>()?;
        for license in &kept {
            if !fields.licenses.contains(license) {
                sqlx::query(
                    "DELETE FROM webhook_positions WHERE subscription_id = $1 AND license_number = $2",
                )
                .bind(id)
                .bind(license.clone())
                .execute(&mut *tx)
                .await?;
            }
        }
        for license in fields.licenses {
            if !kept.contains(license) {
                sqlx::query(
                    "INSERT INTO webhook_positions (subscription_id, license_number) VALUES ($1, $2)",
                )
                .bind(id)
                .bind(license.clone())
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The subscriptions of a vendor key, by id.
    pub async fn webhooks_of_vendor(&self, vendor_key_id: i64) -> Result<Vec<WebhookRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webhook_subscriptions WHERE vendor_key_id = $1 ORDER BY id"
        ))
        .bind(vendor_key_id)
        .fetch_all(&self.pool)
        .await?;
        let rows = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        self.with_positions(rows).await
    }

    /// The vendor key's subscription to `url`, if it has one.
    pub async fn webhook_by_url(&self, vendor_key_id: i64, url: &str) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT id FROM webhook_subscriptions WHERE vendor_key_id = $1 AND url = $2 \
             ORDER BY id LIMIT 1",
        )
        .bind(vendor_key_id)
        .bind(url.to_string())
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => Some(r.try_get("id")?),
            None => None,
        })
    }

    pub async fn webhook_get(&self, id: i64) -> Result<Option<WebhookRow>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webhook_subscriptions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row.as_ref().map(from_row).transpose()? else {
            return Ok(None);
        };
        Ok(self.with_positions(vec![row]).await?.pop())
    }

    /// Deletes a subscription with its positions and delivery log.
    pub async fn webhook_delete(&self, id: i64) -> Result<()> {
        let _turn = self.turn().await?;
        let mut tx = self.webhook_tx().await?;
        // Explicitly, not by cascade: SQLite enforces foreign keys only where the pragma is on.
        for table in ["webhook_deliveries", "webhook_positions"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE subscription_id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM webhook_subscriptions WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Enables (`Active`: failures reset, due at once) or disables (`Inactive`, with `reason`).
    pub async fn webhook_set_status(
        &self,
        id: i64,
        status: &str,
        reason: Option<&str>,
        now: &str,
    ) -> Result<()> {
        let _turn = self.turn().await?;
        let mut tx = self.webhook_tx().await?;
        set_status(&mut tx, id, status, reason, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a subscription's position in `license`'s feed (replay); `None` is the start.
    pub async fn webhook_set_position(
        &self,
        id: i64,
        license: &str,
        cursor: Option<&str>,
    ) -> Result<bool> {
        let _turn = self.turn().await?;
        let done = sqlx::query(
            "UPDATE webhook_positions SET cursor = $1 WHERE subscription_id = $2 AND license_number = $3",
        )
        .bind(cursor.map(str::to_string))
        .bind(id)
        .bind(license.to_string())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Moves a position from `from` to `to` if it is still at `from` (past items the
    /// subscription does not want, with nothing to post).
    pub async fn webhook_advance(
        &self,
        id: i64,
        license: &str,
        from: Option<&str>,
        to: &str,
    ) -> Result<()> {
        let _turn = self.turn().await?;
        let q = match from {
            Some(from) => sqlx::query(
                "UPDATE webhook_positions SET cursor = $1 WHERE subscription_id = $2 \
                 AND license_number = $3 AND cursor = $4",
            )
            .bind(to.to_string())
            .bind(id)
            .bind(license.to_string())
            .bind(from.to_string()),
            None => sqlx::query(
                "UPDATE webhook_positions SET cursor = $1 WHERE subscription_id = $2 \
                 AND license_number = $3 AND cursor IS NULL",
            )
            .bind(to.to_string())
            .bind(id)
            .bind(license.to_string()),
        };
        q.execute(&self.pool).await?;
        Ok(())
    }

    /// The active subscriptions due for an attempt at `now`, those waiting longest first.
    pub async fn webhooks_due(&self, now: &str, limit: i64) -> Result<Vec<WebhookRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webhook_subscriptions WHERE status = 'Active' \
             AND next_attempt_at <= $1 ORDER BY next_attempt_at, id LIMIT $2"
        ))
        .bind(now.to_string())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let rows = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        self.with_positions(rows).await
    }

    /// The earliest time an active subscription is due, to sleep until.
    pub async fn webhook_next_due(&self) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT MIN(next_attempt_at) AS due FROM webhook_subscriptions WHERE status = 'Active'",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("due")?)
    }

    /// Records an attempt: the log row and its effect on the subscription, in one transaction.
    /// A delivery only moves the position if the subscription still exists and its position
    /// is still `from` (a replay set meanwhile wins).
    pub async fn webhook_attempted(
        &self,
        log: &DeliveryRow,
        end: &AttemptEnd<'_>,
        result: &str,
    ) -> Result<()> {
        let _turn = self.turn().await?;
        let mut tx = self.webhook_tx().await?;
        let exists = sqlx::query("SELECT id FROM webhook_subscriptions WHERE id = $1")
            .bind(log.subscription_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if !exists {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO webhook_deliveries (subscription_id, delivery_id, license_number, \
             after_cursor, last_cursor, items, attempt, attempted_at, http_status, error, \
             duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(log.subscription_id)
        .bind(log.delivery_id.clone())
        .bind(log.license_number.clone())
        .bind(log.after_cursor.clone())
        .bind(log.last_cursor.clone())
        .bind(log.items)
        .bind(log.attempt)
        .bind(log.attempted_at.clone())
        .bind(log.http_status)
        .bind(log.error.clone())
        .bind(log.duration_ms)
        .execute(&mut *tx)
        .await?;
        let at = log.attempted_at.clone();
        match end {
            AttemptEnd::Delivered { license, cursor } => {
                // Compare-and-set (a replay set meanwhile wins); NULL = NULL is not true in
                // SQL, hence two forms.
                let q = match &log.after_cursor {
                    Some(from) => sqlx::query(
                        "UPDATE webhook_positions SET cursor = $1 WHERE subscription_id = $2 \
                         AND license_number = $3 AND cursor = $4",
                    )
                    .bind(cursor.to_string())
                    .bind(log.subscription_id)
                    .bind(license.to_string())
                    .bind(from.clone()),
                    None => sqlx::query(
                        "UPDATE webhook_positions SET cursor = $1 WHERE subscription_id = $2 \
                         AND license_number = $3 AND cursor IS NULL",
                    )
                    .bind(cursor.to_string())
                    .bind(log.subscription_id)
                    .bind(license.to_string()),
                };
                q.execute(&mut *tx).await?;
                sqlx::query(
                    "UPDATE webhook_subscriptions SET consecutive_failures = 0, \
                     last_attempt_at = $1, last_result = $2 WHERE id = $3",
                )
                .bind(at)
                .bind(result.to_string())
                .bind(log.subscription_id)
                .execute(&mut *tx)
                .await?;
            }
            AttemptEnd::Failed {
                failures,
                next_at,
                disable,
            } => {
                sqlx::query(
                    "UPDATE webhook_subscriptions SET consecutive_failures = $1, \
                     next_attempt_at = $2, last_attempt_at = $3, last_result = $4 WHERE id = $5",
                )
                .bind(*failures)
                .bind(next_at.to_string())
                .bind(at.clone())
                .bind(result.to_string())
                .bind(log.subscription_id)
                .execute(&mut *tx)
                .await?;
                if let Some(reason) = disable {
                    set_status(&mut tx, log.subscription_id, "Inactive", Some(reason), &at).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// A subscription's delivery log, newest first: at most `limit` attempts before id `before`.
    pub async fn webhook_deliveries(
        &self,
        id: i64,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE subscription_id = $1 \
             AND id < $2 ORDER BY id DESC LIMIT $3"
        ))
        .bind(id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery_from_row).collect()
    }
}

/// `Active` resets the run of failures and makes the subscription due at once; `Inactive`
/// records why and when (an unchanged status keeps its reason and time).
async fn set_status(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    status: &str,
    reason: Option<&str>,
    now: &str,
) -> Result<()> {
    if status == "Active" {
        sqlx::query(
            "UPDATE webhook_subscriptions SET status = 'Active', disabled_reason = NULL, \
             disabled_at = NULL, consecutive_failures = CASE WHEN status = 'Active' \
             THEN consecutive_failures ELSE 0 END, next_attempt_at = CASE WHEN status = 'Active' \
             THEN next_attempt_at ELSE $1 END, updated_at = $1 WHERE id = $2",
        )
        .bind(now.to_string())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query(
            "UPDATE webhook_subscriptions SET disabled_reason = CASE WHEN status = 'Inactive' \
             AND $1 IS NULL THEN disabled_reason ELSE $1 END, disabled_at = CASE WHEN \
             status = 'Inactive' THEN COALESCE(disabled_at, $2) ELSE $2 END, \
             status = 'Inactive', updated_at = $2 WHERE id = $3",
        )
        .bind(reason.map(str::to_string))
        .bind(now.to_string())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

// ---- a facility's view (the web UI's Webhooks page) -----------------------------------------

impl Store {
    /// The subscriptions that read `license` (hold a position in its feed), by id, each with
    /// all its positions. The same SQL on both backends.
    pub async fn webhooks_of_license(&self, license: &str) -> Result<Vec<WebhookRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM webhook_subscriptions WHERE id IN \
             (SELECT subscription_id FROM webhook_positions WHERE license_number = $1) ORDER BY id"
        ))
        .bind(license.to_string())
        .fetch_all(&self.pool)
        .await?;
        let rows = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        self.with_positions(rows).await
    }

    /// A subscription's deliveries of `license`'s feed, newest first: at most `limit` attempts
    /// before id `before`. A facility sees only what was sent of its own data.
    pub async fn webhook_deliveries_of_license(
        &self,
        id: i64,
        license: &str,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<DeliveryRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE subscription_id = $1 \
             AND license_number = $2 AND id < $3 ORDER BY id DESC LIMIT $4"
        ))
        .bind(id)
        .bind(license.to_string())
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery_from_row).collect()
    }
}
