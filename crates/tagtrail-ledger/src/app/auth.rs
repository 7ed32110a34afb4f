//! Keys, sign-in and license scoping.

use super::{Acting, AppError, AppResult, Ledger, Scope};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tagtrail_domain::records::{Employment, Facility, User, UserKey, VendorKey, fold};
use tagtrail_store::ListQuery;

/// A new random API key: 36 random bytes, URL-safe base64 (48 characters).
pub fn new_key() -> String {
    let mut bytes = [0u8; 36];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Keys are stored only as this hash. Keys are high-entropy, so a fast hash is enough (unlike
/// passwords, which get argon2).
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

const BAD_KEYS: &str =
    "Invalid API credentials: the vendor key and user key must be valid and active.";

impl Ledger {
    /// HTTP Basic: username = vendor key, password = user key (rule 66).
    pub async fn authenticate(&self, vendor_key: &str, user_key: &str) -> AppResult<Acting> {
        let vendor: Option<VendorKey> = self.store.find(None, &hash_key(vendor_key)).await?;
        let vendor = vendor
            .filter(|v| v.active)
            .ok_or_else(|| AppError::Unauthorized(BAD_KEYS.into()))?;
        let key: Option<UserKey> = self.store.find(None, &hash_key(user_key)).await?;
        let key = key
            .filter(|k| k.active)
            .ok_or_else(|| AppError::Unauthorized(BAD_KEYS.into()))?;
        let user: Option<User> = self.store.get(key.user_id).await?;
        let user = user
            .filter(|u| u.active)
            .ok_or_else(|| AppError::Unauthorized(BAD_KEYS.into()))?;
        Ok(Acting {
            user: Some(user),
            vendor_key_id: Some(vendor.id),
            channel: "api".into(),
        })
    }

    /// Username and password for the web UI. Verification runs off the async threads because
    /// argon2 is deliberately slow.
    pub async fn sign_in(&self, username: &str, password: &str) -> AppResult<User> {
        const BAD: &str = "Unknown username or wrong password.";
        let user: Option<User> = self.store.find(None, &fold(username)).await?;
        let user = user
            .filter(|u| u.active)
            .ok_or_else(|| AppError::Unauthorized(BAD.into()))?;
        let hash = user
            .password_hash
            .clone()
            .ok_or_else(|| AppError::Unauthorized(BAD.into()))?;
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || {
            use argon2::{Argon2, PasswordHash, PasswordVerifier};
            PasswordHash::new(&hash)
                .map(|h| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &h)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        if ok {
            Ok(user)
        } else {
            Err(AppError::Unauthorized(BAD.into()))
        }
    }

    /// The user's active employments with their facilities, ordered by license number.
    pub async fn facilities_of(&self, user: &User) -> AppResult<Vec<(Facility, Employment)>> {
        let jobs: Vec<Employment> = self
            .store
            .find_many(None, &[user.id.to_string()], Some(true))
            .await?;
        let mut out = Vec::new();
        for job in jobs {
            let f: Option<Facility> = self.store.find(None, &fold(&job.license_number)).await?;
            if let Some(f) = f.filter(|f| f.active) {
                out.push((f, job));
            }
        }
        out.sort_by(|a, b| a.0.license_number.cmp(&b.0.license_number));
        Ok(out)
    }

    /// Scopes a call to `license`: the caller must be employed there (else 401, as Metrc answers
    /// for a facility the user cannot access) and hold one of `any_of` (else 403). An operator
    /// (no user) may act for any license.
    pub async fn authorize(
        &self,
        who: &Acting,
        license: &str,
        any_of: &[&str],
    ) -> AppResult<Scope> {
        let scope = self.resolve(who, license).await?;
        Self::permit(who, &scope, any_of)?;
        Ok(scope)
    }

    /// The facility and the caller's employment there, without a permission check.
    pub async fn resolve(&self, who: &Acting, license: &str) -> AppResult<Scope> {
        let facility: Option<Facility> = self.store.find(None, &fold(license)).await?;
        let Some(user) = &who.user else {
            let facility = facility
                .ok_or_else(|| AppError::NotFound(format!("License {license} does not exist.")))?;
            return Ok(Scope {
                facility,
                employment: None,
            });
        };
        let denied = || {
            AppError::Unauthorized(format!(
                "User {} is not authorized for license {license}.",
                user.username
            ))
        };
        let facility = facility.filter(|f| f.active).ok_or_else(denied)?;
        let jobs: Vec<Employment> = self
            .store
            .find_many(
                Some(&facility.license_number),
                &[user.id.to_string()],
                Some(true),
            )
            .await?;
        let job = jobs.into_iter().next().ok_or_else(denied)?;
        Ok(Scope {
            facility,
            employment: Some(job),
        })
    }

    /// Whether the caller holds one of `any_of` at the scope's facility (operators hold all).
    pub fn permit(who: &Acting, scope: &Scope, any_of: &[&str]) -> AppResult<()> {
        let (Some(user), Some(job)) = (&who.user, &scope.employment) else {
            return Ok(());
        };
        if !any_of.is_empty()
            && !any_of
                .iter()
                .any(|p| job.permissions.iter().any(|h| h == p))
        {
            return Err(AppError::Forbidden(format!(
                "User {} lacks the {} permission at license {}.",
                user.username,
                any_of.join(" or "),
                scope.license()
            )));
        }
        Ok(())
    }

    /// Employees (users employed) at a facility, paged by employment id.
    pub async fn employees(
        &self,
        license: &str,
        page: Option<(u32, u32)>,
    ) -> AppResult<(i64, Vec<(User, Employment)>)> {
        let jobs = self
            .store
            .list::<Employment>(&ListQuery {
                license: Some(license.into()),
                active: Some(true),
                page,
                ..Default::default()
            })
            .await?;
        let mut out = Vec::new();
        for job in jobs.rows {
            if let Some(u) = self.store.get::<User>(job.user_id).await? {
                out.push((u, job));
            }
        }
        Ok((jobs.total, out))
    }
}
