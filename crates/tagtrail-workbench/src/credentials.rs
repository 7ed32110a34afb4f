//! Metrc keys (seed 003 §06: "Customer provides user API keys. Never ask for shared passwords.
//! Never hardcode production credentials."). The vendor key is the company's; each license has
//! its own user key. Stored sealed (`vault`), shown only as their last four characters,
//! rotated by storing a new one (the old one is retired in the same transaction), with an
//! expiry reminder; every use is a row of `metrc_api_requests` naming the key by id.

use crate::audit::{self, Door, Event};
use crate::people::{Caller, LicenseCtx};
use crate::vault::Secret;
use crate::{Result, WbError, Workbench, now, parse_ts, ts};
use chrono::NaiveDate;
use sqlx::Row;
use tagtrail_domain::time::Timestamp;
use tagtrail_workbench_model::role::Duty;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Vendor,
    User,
}

impl KeyKind {
    fn as_str(self) -> &'static str {
        match self {
            KeyKind::Vendor => "vendor",
            KeyKind::User => "user",
        }
    }
}

/// A key as pages see it: never the key.
#[derive(Debug, Clone)]
pub struct KeyStatus {
    pub kind: KeyKind,
    pub last4: String,
    pub created_at: Timestamp,
    pub expires_on: Option<NaiveDate>,
    /// Days left before it expires (negative once expired).
    pub days_left: Option<i64>,
    pub reminder: bool,
}

/// The two keys a license's requests carry, opened for use.
pub(crate) struct Keys {
    /// The user key holder's employee license number.
    pub holder: Option<String>,
    pub vendor: Secret,
    pub vendor_id: i64,
    pub user: Secret,
    pub user_id: i64,
}

fn binding(company_id: i64, license_id: Option<i64>, kind: KeyKind) -> String {
    format!(
        "metrc {} key company {company_id} license {}",
        kind.as_str(),
        license_id.unwrap_or(0)
    )
}

impl Workbench {
    /// Stores (or rotates) the company's vendor key.
    pub async fn store_vendor_key(
        &self,
        caller: &Caller,
        door: Door,
        company_id: i64,
        key: Secret,
        expires_on: Option<NaiveDate>,
    ) -> Result<()> {
        let admin = caller.installation_admin
            || (caller.company_id == Some(company_id)
                && self
                    .licenses_of(caller)
                    .await?
                    .iter()
                    .any(|l| l.company_id == company_id && l.allows(Duty::ManageLicense)));
        if !admin {
            return Err(WbError::Forbidden(
                "only an administrator stores the company's vendor key".into(),
            ));
        }
        self.store_key(
            caller,
            door,
            company_id,
            None,
            KeyKind::Vendor,
            key,
            None,
            expires_on,
        )
        .await
    }

    /// Stores (or rotates) a license's user key. Only the licensee's own administrator does
    /// this: the key is theirs.
    pub async fn store_user_key(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        key: Secret,
        holder: &str,
        expires_on: Option<NaiveDate>,
    ) -> Result<()> {
        license.require(Duty::ManageLicense)?;
        self.store_key(
            caller,
            door,
            license.company_id,
            Some((license.license_id, license.number.clone())),
            KeyKind::User,
            key,
            Some(holder),
            expires_on,
        )
        .await
    }

    /// The operator's door for setting up a license's user key at the command line (the demo,
    /// an installation being set up for a licensee who hands over the key in person).
    pub async fn store_user_key_as_operator(
        &self,
        license_number: &str,
        key: Secret,
        holder: &str,
        expires_on: Option<NaiveDate>,
    ) -> Result<()> {
        let l = self
            .all_licenses()
            .await?
            .into_iter()
            .find(|l| l.number == license_number)
            .ok_or_else(|| WbError::NotFound(format!("license {license_number}")))?;
        self.store_key(
            &Caller::operator(),
            Door::Cli,
            l.company_id,
            Some((l.license_id, l.number.clone())),
            KeyKind::User,
            key,
            Some(holder),
            expires_on,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn store_key(
        &self,
        caller: &Caller,
        door: Door,
        company_id: i64,
        license: Option<(i64, String)>,
        kind: KeyKind,
        key: Secret,
        holder: Option<&str>,
        expires_on: Option<NaiveDate>,
    ) -> Result<()> {
        let holder = match holder.map(str::trim) {
            Some(h) if h.is_empty() || h.len() > 100 => {
                return Err(WbError::Invalid(
                    "the key holder's employee license number is 1 to 100 characters".into(),
                ));
            }
            h => h.map(str::to_string),
        };
        let k = key.expose().trim();
        if k.len() < 8 || k.len() > 500 || k.chars().any(char::is_whitespace) {
            return Err(WbError::Invalid(
                "a Metrc key is 8 to 500 characters without spaces".into(),
            ));
        }
        let key = Secret::new(k);
        let company = self.company(company_id).await?;
        self.refuse_production_outside_prod(&company.metrc_url)?;
        let license_id = license.as_ref().map(|l| l.0);
        let sealed = self
            .kek
            .seal(&key, &binding(company_id, license_id, kind))?;
        let mut tx = self.db.begin().await?;
        let retired = sqlx::query(
            "UPDATE metrc_credentials SET retired_at = $1 WHERE company_id = $2 AND kind = $3 AND COALESCE(license_id, 0) = $4 AND retired_at IS NULL",
        )
        .bind(ts(now()))
        .bind(company_id)
        .bind(kind.as_str())
        .bind(license_id.unwrap_or(0))
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        sqlx::query(
            "INSERT INTO metrc_credentials (company_id, license_id, kind, sealed, last4, holder, environment, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(company_id)
        .bind(license_id)
        .bind(kind.as_str())
        .bind(&sealed)
        .bind(key.last4())
        .bind(&holder)
        .bind(self.config.environment.as_str())
        .bind(caller.user_ref())
        .bind(ts(now()))
        .bind(expires_on.map(|d| d.format("%Y-%m-%d").to_string()))
        .execute(&mut *tx.tx)
        .await?;
        let verb = if retired > 0 { "Rotate" } else { "Store" };
        let mut ev = Event::new(
            format!("{verb} Metrc {} key", kind.as_str()),
            format!(
                "Metrc {} key {} {}",
                kind.as_str(),
                key.masked(),
                if retired > 0 {
                    "replaces the previous key"
                } else {
                    "stored"
                }
            ),
        )
        .by(caller);
        ev.company_id = Some(company_id);
        ev.license_number = license.map(|l| l.1);
        audit::append(&mut tx, door, ev).await?;
        tx.commit().await
    }

    /// The current keys of a license, masked, with the expiry reminder.
    pub async fn key_status(&self, license: &LicenseCtx) -> Result<Vec<KeyStatus>> {
        let rows = sqlx::query(
            "SELECT kind, last4, created_at, expires_at FROM metrc_credentials WHERE company_id = $1 AND retired_at IS NULL AND (license_id IS NULL OR license_id = $2) ORDER BY kind DESC",
        )
        .bind(license.company_id)
        .bind(license.license_id)
        .fetch_all(&self.db.pool)
        .await?;
        let today = now().date_naive();
        rows.iter()
            .map(|r| {
                let kind = if r.try_get::<String, _>("kind")? == "vendor" {
                    KeyKind::Vendor
                } else {
                    KeyKind::User
                };
                let expires_on = r
                    .try_get::<Option<String>, _>("expires_at")?
                    .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
                let days_left = expires_on.map(|d| (d - today).num_days());
                Ok(KeyStatus {
                    kind,
                    last4: r.try_get("last4")?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)
                        .unwrap_or_else(now),
                    expires_on,
                    days_left,
                    reminder: days_left.is_some_and(|d| d <= self.config.key_expiry_warning_days),
                })
            })
            .collect()
    }

    /// Opens the license's current keys for a request. Keys stored for another environment are
    /// refused.
    pub(crate) async fn keys_for(&self, license: &LicenseCtx) -> Result<Keys> {
        let rows = sqlx::query(
            "SELECT id, kind, license_id, sealed, environment, holder FROM metrc_credentials WHERE company_id = $1 AND retired_at IS NULL AND (license_id IS NULL OR license_id = $2)",
        )
        .bind(license.company_id)
        .bind(license.license_id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut vendor = None;
        let mut user = None;
        let mut holder = None;
        for r in &rows {
            let env: String = r.try_get("environment")?;
            if env != self.config.environment.as_str() {
                return Err(WbError::Forbidden(format!(
                    "the Metrc keys of {} were stored for {env}; this installation is {}. Store this environment's keys.",
                    license.number,
                    self.config.environment.as_str()
                )));
            }
            let id: i64 = r.try_get("id")?;
            let sealed: String = r.try_get("sealed")?;
            match r.try_get::<String, _>("kind")?.as_str() {
                "vendor" => {
                    let s = self
                        .kek
                        .open(&sealed, &binding(license.company_id, None, KeyKind::Vendor))?;
                    vendor = Some((s, id));
                }
                _ => {
                    let s = self.kek.open(
                        &sealed,
                        &binding(license.company_id, Some(license.license_id), KeyKind::User),
                    )?;
                    user = Some((s, id));
                    holder = r.try_get("holder")?;
                }
            }
        }
        match (vendor, user) {
            (Some((vendor, vendor_id)), Some((user, user_id))) => Ok(Keys {
                holder,
                vendor,
                vendor_id,
                user,
                user_id,
            }),
            (None, _) => Err(WbError::Invalid(format!(
                "{} has no vendor key yet; an administrator stores it under Settings",
                license.company
            ))),
            (_, None) => Err(WbError::Invalid(format!(
                "{} ({}) has no Metrc user key yet; its administrator stores it under Settings",
                license.name, license.number
            ))),
        }
    }
}
