//! Companies, licenses, users, roles per license, passwords (argon2), the TOTP second factor,
//! and sessions kept in the database.

use crate::audit::{self, Door, Event};
use crate::vault::Secret;
use crate::{Result, WbError, Workbench, now, parse_ts, ts};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;
use tagtrail_domain::time::Timestamp;
use tagtrail_workbench_model::role::{Duty, Role, allows};
use totp_rs::{Algorithm, TOTP};

/// Who is acting: a signed-in user, or the operator at the command line.
#[derive(Debug, Clone)]
pub struct Caller {
    /// 0 for the operator at the command line, who is no user.
    pub user_id: i64,
    pub company_id: Option<i64>,
    pub username: String,
    pub full_name: String,
    pub installation_admin: bool,
    /// When this session last confirmed the second factor.
    pub second_factor_at: Option<Timestamp>,
}

impl Caller {
    /// The installation's operator at the command line (`tagtrail workbench admin …`): manages
    /// users and settings like an installation administrator.
    pub fn operator() -> Caller {
        Caller {
            user_id: 0,
            company_id: None,
            username: "operator".into(),
            full_name: "Installation operator (command line)".into(),
            installation_admin: true,
            second_factor_at: None,
        }
    }

    /// The user id for columns that reference users (the command-line operator is none).
    pub fn user_ref(&self) -> Option<i64> {
        (self.user_id > 0).then_some(self.user_id)
    }

    pub fn second_factor_fresh(&self, wb: &Workbench) -> bool {
        self.second_factor_at
            .is_some_and(|t| now() - t <= wb.config.second_factor_lifetime)
    }
}

/// One license's legal context as a caller sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseCtx {
    pub license_id: i64,
    pub company_id: i64,
    pub company: String,
    pub number: String,
    pub name: String,
    pub kind: String,
    pub colour: String,
    pub roles: Vec<Role>,
}

impl LicenseCtx {
    pub fn allows(&self, duty: Duty) -> bool {
        allows(&self.roles, duty)
    }

    pub fn require(&self, duty: Duty) -> Result<()> {
        if self.allows(duty) {
            Ok(())
        } else {
            Err(WbError::Forbidden(format!(
                "your role in {} ({}) does not allow this",
                self.name, self.number
            )))
        }
    }
}

/// A user as created: the TOTP secret (base32) is shown once, to be put in an authenticator.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub user_id: i64,
    pub totp_secret: String,
}

#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub csrf: String,
    pub caller: Caller,
}

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    /// The company the person belongs to; `None` for the installation's administrators.
    pub company: Option<String>,
    pub roles: Vec<(String, Role)>,
}

#[derive(Debug, Clone)]
pub struct Company {
    pub id: i64,
    pub name: String,
    pub metrc_url: String,
}

pub(crate) fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// RFC 6238 with the parameters every authenticator app assumes: SHA-1, 6 digits, 30 s
/// steps, one step of clock skew either way.
fn totp(secret: &[u8]) -> Result<TOTP> {
    TOTP::new(Algorithm::SHA1, 6, 1, 30, secret.to_vec())
        .map_err(|e| WbError::Invalid(format!("second factor: {e}")))
}

/// The current code for a base32 TOTP secret (what an authenticator app shows); the demo and
/// tests use it.
pub fn totp_code(secret_base32: &str) -> Result<String> {
    let bytes = totp_rs::Secret::Encoded(secret_base32.to_string())
        .to_bytes()
        .map_err(|_| WbError::Invalid("not a base32 secret".into()))?;
    totp(&bytes)?
        .generate_current()
        .map_err(|e| WbError::Invalid(e.to_string()))
}

fn check_name(what: &str, s: &str, max: usize) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(WbError::Invalid(format!("{what} is required")));
    }
    if t.chars().count() > max {
        return Err(WbError::Invalid(format!(
            "{what} is at most {max} characters"
        )));
    }
    Ok(t.to_string())
}

/// argon2 runs a few at a time (half the cores, at least one): it is deliberately slow, and a
/// flood of sign-ins must not take every core from the rest of the workbench. Those over the
/// cap wait their turn; the sign-in throttle keeps the queue short.
async fn argon2_turn() -> tokio::sync::SemaphorePermit<'static> {
    static TURNS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    let turns = TURNS.get_or_init(|| {
        let n = std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1));
        tokio::sync::Semaphore::new(n)
    });
    loop {
        // The semaphore is never closed; a closed one would only mean trying again.
        if let Ok(turn) = turns.acquire().await {
            return turn;
        }
    }
}

async fn hash_password(password: String) -> Result<String> {
    let _turn = argon2_turn().await;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| WbError::Invalid(format!("password: {e}")))
    })
    .await
    .map_err(|e| WbError::Invalid(e.to_string()))?
}

async fn password_matches(password: String, hash: String) -> bool {
    let _turn = argon2_turn().await;
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

fn license_of(r: &sqlx::any::AnyRow, roles: Vec<Role>) -> Result<LicenseCtx> {
    Ok(LicenseCtx {
        license_id: r.try_get("id")?,
        company_id: r.try_get("company_id")?,
        company: r.try_get("company")?,
        number: r.try_get("license_number")?,
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        colour: r.try_get("colour")?,
        roles,
    })
}

impl Workbench {
    fn require_installation(&self, caller: &Caller) -> Result<()> {
        if caller.installation_admin {
            Ok(())
        } else {
            Err(WbError::Forbidden(
                "only the installation's administrators manage companies and licenses".into(),
            ))
        }
    }

    /// A company (brand) and the Metrc API its licenses live in. A production Metrc URL is
    /// refused outside a production installation.
    pub async fn create_company(
        &self,
        caller: &Caller,
        door: Door,
        name: &str,
        metrc_url: &str,
    ) -> Result<i64> {
        self.require_installation(caller)?;
        let name = check_name("the company name", name, 200)?;
        let url = check_name("the Metrc URL", metrc_url, 300)?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(WbError::Invalid(
                "the Metrc URL starts with https:// (or http:// for a local ledger)".into(),
            ));
        }
        self.refuse_production_outside_prod(&url)?;
        let mut tx = self.db.begin().await?;
        let exists = sqlx::query("SELECT id FROM companies WHERE name = $1")
            .bind(&name)
            .fetch_optional(&mut *tx.tx)
            .await?;
        if exists.is_some() {
            return Err(WbError::Conflict(format!("a company named {name} exists")));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO companies (name, metrc_url, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(&name)
        .bind(&url)
        .bind(ts(now()))
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        let mut ev = Event::new("Create company", format!("Company {name} set up"))
            .by(caller)
            .request(format!("{{\"name\":{:?},\"metrc_url\":{:?}}}", name, url));
        ev.company_id = Some(id);
        audit::append(&mut tx, door, ev).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(crate) fn refuse_production_outside_prod(&self, url: &str) -> Result<()> {
        if crate::is_production_metrc(url) && self.config.environment != crate::Environment::Prod {
            return Err(WbError::Forbidden(format!(
                "{url} is a production Metrc API; this installation is {}, and production keys and URLs are used only in prod",
                self.config.environment.as_str()
            )));
        }
        Ok(())
    }

    pub async fn company(&self, id: i64) -> Result<Company> {
        let r = sqlx::query("SELECT id, name, metrc_url FROM companies WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or_else(|| WbError::NotFound("the company".into()))?;
        Ok(Company {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            metrc_url: r.try_get("metrc_url")?,
        })
    }

    pub async fn companies(&self, caller: &Caller) -> Result<Vec<Company>> {
        self.require_installation(caller)?;
        let rows = sqlx::query("SELECT id, name, metrc_url FROM companies ORDER BY name")
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Company {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    metrc_url: r.try_get("metrc_url")?,
                })
            })
            .collect()
    }

    /// Adds a license to a company: its number as Metrc knows it, a name and the colour its
    /// pages carry.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_license(
        &self,
        caller: &Caller,
        door: Door,
        company_id: i64,
        number: &str,
        name: &str,
        kind: &str,
        colour: &str,
    ) -> Result<i64> {
        self.require_installation(caller)?;
        let number = check_name("the license number", number, 50)?;
        let name = check_name("the license name", name, 200)?;
        let kind = check_name("the license type", kind, 50)?;
        let colour = colour.trim().to_ascii_lowercase();
        if colour.len() != 7
            || !colour.starts_with('#')
            || !colour[1..].chars().all(|c| c.is_ascii_hexdigit())
        {
            return Err(WbError::Invalid("the colour is #rrggbb".into()));
        }
        self.company(company_id).await?;
        let mut tx = self.db.begin().await?;
        if sqlx::query("SELECT id FROM licenses WHERE license_number = $1")
            .bind(&number)
            .fetch_optional(&mut *tx.tx)
            .await?
            .is_some()
        {
            return Err(WbError::Conflict(format!(
                "license {number} is already set up"
            )));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO licenses (company_id, license_number, name, kind, colour, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(company_id)
        .bind(&number)
        .bind(&name)
        .bind(&kind)
        .bind(&colour)
        .bind(ts(now()))
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        let mut ev =
            Event::new("Add license", format!("License {number} ({name}) added")).by(caller);
        ev.company_id = Some(company_id);
        ev.license_number = Some(number.clone());
        audit::append(&mut tx, door, ev).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Creates a user of `company_id` (or an installation administrator when `None`). The
    /// TOTP secret is returned once; it is stored sealed.
    pub async fn create_user(
        &self,
        caller: &Caller,
        door: Door,
        company_id: Option<i64>,
        username: &str,
        full_name: &str,
        password: &str,
    ) -> Result<NewUser> {
        match company_id {
            None => self.require_installation(caller)?,
            Some(c) => {
                if !caller.installation_admin && !self.is_company_admin(caller, c).await? {
                    return Err(WbError::Forbidden(
                        "only an administrator of the company or of the installation adds its people".into(),
                    ));
                }
            }
        }
        let username = check_name("the user name", username, 100)?.to_lowercase();
        let full_name = check_name("the full name", full_name, 200)?;
        if password.chars().count() < 12 {
            return Err(WbError::Invalid(
                "a password has at least 12 characters".into(),
            ));
        }
        if password.len() > 1000 {
            return Err(WbError::Invalid(
                "a password has at most 1000 characters".into(),
            ));
        }
        let hash = hash_password(password.to_string()).await?;
        let mut secret = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let base32 = match totp_rs::Secret::Raw(secret.to_vec()).to_encoded() {
            totp_rs::Secret::Encoded(s) => s,
            totp_rs::Secret::Raw(_) => return Err(WbError::Crypto),
        };
        let mut tx = self.db.begin().await?;
        if sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(&username)
            .fetch_optional(&mut *tx.tx)
            .await?
            .is_some()
        {
            return Err(WbError::Conflict(format!(
                "the user name {username} is taken"
            )));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO users (company_id, username, full_name, password_hash, installation_admin, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(company_id)
        .bind(&username)
        .bind(&full_name)
        .bind(&hash)
        .bind(i64::from(company_id.is_none()))
        .bind(ts(now()))
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        let sealed = self
            .kek
            .seal(&Secret::new(base32.clone()), &format!("totp user {id}"))?;
        sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2")
            .bind(&sealed)
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        let mut ev = Event::new(
            "Create user",
            format!("User {username} ({full_name}) created"),
        )
        .by(caller);
        ev.company_id = company_id;
        audit::append(&mut tx, door, ev).await?;
        tx.commit().await?;
        Ok(NewUser {
            user_id: id,
            totp_secret: base32,
        })
    }

    async fn is_company_admin(&self, caller: &Caller, company_id: i64) -> Result<bool> {
        if caller.company_id != Some(company_id) {
            return Ok(false);
        }
        Ok(sqlx::query(
            "SELECT 1 AS one FROM roles WHERE user_id = $1 AND company_id = $2 AND role = 'admin'",
        )
        .bind(caller.user_id)
        .bind(company_id)
        .fetch_optional(&self.db.pool)
        .await?
        .is_some())
    }

    /// Grants `role` in one license. The database refuses a grant across companies.
    pub async fn grant(
        &self,
        caller: &Caller,
        door: Door,
        username: &str,
        license_number: &str,
        role: Role,
    ) -> Result<()> {
        let lic = sqlx::query(
            "SELECT l.id, l.company_id, l.license_number, l.name FROM licenses l WHERE l.license_number = $1",
        )
        .bind(license_number.trim())
        .fetch_optional(&self.db.pool)
        .await?
        .ok_or_else(|| WbError::NotFound(format!("license {license_number}")))?;
        let license_id: i64 = lic.try_get("id")?;
        let company_id: i64 = lic.try_get("company_id")?;
        if !caller.installation_admin && !self.is_license_admin(caller, license_id).await? {
            return Err(WbError::NotFound(format!("license {license_number}")));
        }
        let user = sqlx::query("SELECT id, company_id FROM users WHERE username = $1")
            .bind(username.trim().to_lowercase())
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or_else(|| WbError::NotFound(format!("user {username}")))?;
        let user_id: i64 = user.try_get("id")?;
        if user.try_get::<Option<i64>, _>("company_id")? != Some(company_id) {
            return Err(WbError::Forbidden(format!(
                "{username} is not one of this company's people; a role is granted only within the company"
            )));
        }
        let mut tx = self.db.begin().await?;
        let held = sqlx::query(
            "SELECT 1 AS one FROM roles WHERE user_id = $1 AND license_id = $2 AND role = $3",
        )
        .bind(user_id)
        .bind(license_id)
        .bind(role.as_str())
        .fetch_optional(&mut *tx.tx)
        .await?;
        if held.is_some() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO roles (user_id, license_id, company_id, role, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user_id)
        .bind(license_id)
        .bind(company_id)
        .bind(role.as_str())
        .bind(caller.user_ref())
        .bind(ts(now()))
        .execute(&mut *tx.tx)
        .await?;
        let mut ev = Event::new(
            "Grant role",
            format!("{} granted to {username}", role.label()),
        )
        .by(caller);
        ev.company_id = Some(company_id);
        ev.license_number = Some(lic.try_get("license_number")?);
        audit::append(&mut tx, door, ev).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn is_license_admin(&self, caller: &Caller, license_id: i64) -> Result<bool> {
        Ok(sqlx::query(
            "SELECT 1 AS one FROM roles WHERE user_id = $1 AND license_id = $2 AND role = 'admin'",
        )
        .bind(caller.user_id)
        .bind(license_id)
        .fetch_optional(&self.db.pool)
        .await?
        .is_some())
    }

    /// Signs in with a password, and the TOTP code when the user needs one at sign-in
    /// (administrators of a license or of the installation). Every failure reads the same.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        code: Option<&str>,
    ) -> Result<SignedIn> {
        let row = sqlx::query(
            "SELECT id, company_id, username, full_name, password_hash, totp_secret, installation_admin, disabled FROM users WHERE username = $1",
        )
        .bind(username.trim().to_lowercase())
        .fetch_optional(&self.db.pool)
        .await?;
        let Some(row) = row else {
            // Spend the same time as a wrong password, so names cannot be probed by timing.
            let _ = hash_password(password.to_string()).await;
            return Err(WbError::SignIn);
        };
        let hash: String = row.try_get("password_hash")?;
        if !password_matches(password.to_string(), hash).await
            || row.try_get::<i64, _>("disabled")? != 0
        {
            return Err(WbError::SignIn);
        }
        let user_id: i64 = row.try_get("id")?;
        let installation_admin = row.try_get::<i64, _>("installation_admin")? == 1;
        let is_admin = installation_admin
            || sqlx::query("SELECT 1 AS one FROM roles WHERE user_id = $1 AND role = 'admin'")
                .bind(user_id)
                .fetch_optional(&self.db.pool)
                .await?
                .is_some();
        let mut second_factor_at = None;
        if let Some(code) = code.filter(|c| !c.trim().is_empty()) {
            if !self.code_matches(user_id, row.try_get("totp_secret")?, code)? {
                return Err(WbError::SignIn);
            }
            second_factor_at = Some(now());
        } else if is_admin {
            return Err(WbError::SignIn);
        }
        let token = random_token();
        let csrf = random_token();
        let at = now();
        sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(ts(at))
            .execute(&self.db.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, second_factor_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(&csrf)
        .bind(ts(at))
        .bind(ts(at + self.config.session_lifetime))
        .bind(second_factor_at.map(ts))
        .execute(&self.db.pool)
        .await?;
        Ok(SignedIn {
            token,
            csrf,
            caller: Caller {
                user_id,
                company_id: row.try_get("company_id")?,
                username: row.try_get("username")?,
                full_name: row.try_get("full_name")?,
                installation_admin,
                second_factor_at,
            },
        })
    }

    /// Whether the user needs the second factor to sign in (an administrator).
    pub async fn needs_code_at_sign_in(&self, username: &str) -> Result<bool> {
        Ok(sqlx::query(
            "SELECT 1 AS one FROM users u WHERE u.username = $1 AND (u.installation_admin = 1 OR EXISTS (SELECT 1 FROM roles r WHERE r.user_id = u.id AND r.role = 'admin'))",
        )
        .bind(username.trim().to_lowercase())
        .fetch_optional(&self.db.pool)
        .await?
        .is_some())
    }

    fn code_matches(&self, user_id: i64, sealed: Option<String>, code: &str) -> Result<bool> {
        let Some(sealed) = sealed else {
            return Ok(false);
        };
        let secret = self.kek.open(&sealed, &format!("totp user {user_id}"))?;
        let bytes = totp_rs::Secret::Encoded(secret.expose().to_string())
            .to_bytes()
            .map_err(|_| WbError::Crypto)?;
        Ok(totp(&bytes)?.check_current(code.trim()).unwrap_or(false))
    }

    /// The caller behind a session token and its CSRF token, if the session is live.
    pub async fn session(&self, token: &str) -> Result<Option<(Caller, String)>> {
        let row = sqlx::query(
            "SELECT u.id, u.company_id, u.username, u.full_name, u.installation_admin, s.csrf_token, s.second_factor_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at >= $2 AND u.disabled = 0",
        )
        .bind(token_hash(token))
        .bind(ts(now()))
        .fetch_optional(&self.db.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some((
            Caller {
                user_id: r.try_get("id")?,
                company_id: r.try_get("company_id")?,
                username: r.try_get("username")?,
                full_name: r.try_get("full_name")?,
                installation_admin: r.try_get::<i64, _>("installation_admin")? == 1,
                second_factor_at: r
                    .try_get::<Option<String>, _>("second_factor_at")?
                    .as_deref()
                    .and_then(parse_ts),
            },
            r.try_get("csrf_token")?,
        )))
    }

    /// Confirms the second factor in a session (before approving).
    pub async fn confirm_second_factor(
        &self,
        token: &str,
        caller: &Caller,
        code: &str,
    ) -> Result<()> {
        let sealed: Option<String> = sqlx::query("SELECT totp_secret FROM users WHERE id = $1")
            .bind(caller.user_id)
            .fetch_one(&self.db.pool)
            .await?
            .try_get("totp_secret")?;
        if !self.code_matches(caller.user_id, sealed, code)? {
            return Err(WbError::Invalid(
                "that code is not right; use the current code from your authenticator app".into(),
            ));
        }
        sqlx::query("UPDATE sessions SET second_factor_at = $1 WHERE token_hash = $2")
            .bind(ts(now()))
            .bind(token_hash(token))
            .execute(&self.db.pool)
            .await?;
        Ok(())
    }

    pub async fn sign_out(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&self.db.pool)
            .await?;
        Ok(())
    }

    pub async fn set_flash(&self, token: &str, flash: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET flash = $1 WHERE token_hash = $2")
            .bind(audit::clip(flash, 2000))
            .bind(token_hash(token))
            .execute(&self.db.pool)
            .await?;
        Ok(())
    }

    pub async fn take_flash(&self, token: &str) -> Result<Option<String>> {
        let f: Option<String> = sqlx::query("SELECT flash FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .fetch_optional(&self.db.pool)
            .await?
            .map(|r| r.try_get("flash"))
            .transpose()?
            .flatten();
        if f.is_some() {
            sqlx::query("UPDATE sessions SET flash = NULL WHERE token_hash = $1")
                .bind(token_hash(token))
                .execute(&self.db.pool)
                .await?;
        }
        Ok(f)
    }

    /// The licenses the caller holds a role in, with those roles.
    pub async fn licenses_of(&self, caller: &Caller) -> Result<Vec<LicenseCtx>> {
        let rows = sqlx::query(
            "SELECT l.id, l.company_id, c.name AS company, l.license_number, l.name, l.kind, l.colour, r.role \
             FROM roles r JOIN licenses l ON l.id = r.license_id JOIN companies c ON c.id = l.company_id \
             WHERE r.user_id = $1 ORDER BY l.name, l.id, r.role",
        )
        .bind(caller.user_id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut out: Vec<LicenseCtx> = vec![];
        for r in &rows {
            let role = Role::parse(&r.try_get::<String, _>("role")?);
            let id: i64 = r.try_get("id")?;
            match out.last_mut() {
                Some(l) if l.license_id == id => l.roles.extend(role),
                _ => out.push(license_of(r, role.into_iter().collect())?),
            }
        }
        Ok(out)
    }

    /// One license's context, if the caller holds a role in it. A license of another company
    /// is "not found", the same as one that does not exist.
    pub async fn license(&self, caller: &Caller, number: &str) -> Result<LicenseCtx> {
        self.licenses_of(caller)
            .await?
            .into_iter()
            .find(|l| l.number == number)
            .ok_or_else(|| WbError::NotFound(format!("license {number}")))
    }

    /// Every license of the installation (for the sync scheduler and the operator).
    pub async fn all_licenses(&self) -> Result<Vec<LicenseCtx>> {
        let rows = sqlx::query(
            "SELECT l.id, l.company_id, c.name AS company, l.license_number, l.name, l.kind, l.colour \
             FROM licenses l JOIN companies c ON c.id = l.company_id ORDER BY l.id",
        )
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(|r| license_of(r, vec![])).collect()
    }

    /// The people of the caller's company, with their roles per license.
    pub async fn people(&self, caller: &Caller) -> Result<Vec<UserRow>> {
        let rows = if caller.installation_admin {
            sqlx::query(
                "SELECT u.id, u.username, u.full_name, c.name AS company, l.license_number, r.role FROM users u \
                 LEFT JOIN companies c ON c.id = u.company_id \
                 LEFT JOIN roles r ON r.user_id = u.id LEFT JOIN licenses l ON l.id = r.license_id ORDER BY u.username, l.license_number",
            )
            .fetch_all(&self.db.pool)
            .await?
        } else {
            let Some(c) = caller.company_id else {
                return Ok(vec![]);
            };
            sqlx::query(
                "SELECT u.id, u.username, u.full_name, c.name AS company, l.license_number, r.role FROM users u \
                 LEFT JOIN companies c ON c.id = u.company_id \
                 LEFT JOIN roles r ON r.user_id = u.id LEFT JOIN licenses l ON l.id = r.license_id \
                 WHERE u.company_id = $1 ORDER BY u.username, l.license_number",
            )
            .bind(c)
            .fetch_all(&self.db.pool)
            .await?
        };
        let mut out: Vec<UserRow> = vec![];
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let grant = match (
                r.try_get::<Option<String>, _>("license_number")?,
                r.try_get::<Option<String>, _>("role")?
                    .as_deref()
                    .and_then(Role::parse),
            ) {
                (Some(l), Some(role)) => Some((l, role)),
                _ => None,
            };
            match out.last_mut() {
                Some(u) if u.id == id => u.roles.extend(grant),
                _ => out.push(UserRow {
                    id,
                    username: r.try_get("username")?,
                    full_name: r.try_get("full_name")?,
                    company: r.try_get("company")?,
                    roles: grant.into_iter().collect(),
                }),
            }
        }
        Ok(out)
    }
}
