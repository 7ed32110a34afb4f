//! The operator's (regulator's) side: licenses, people, permissions and keys. Each is a
//! journaled action like any licensee's write.

use super::{Acting, Action, AppError, AppResult, Ledger, Outcome, auth};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::people::{self, FacilitySpec, Grant};
use tagtrail_domain::records::{Employment, Facility, User, UserKey, VendorKey, fold};

/// A key shown once, at issuance; only its hash is stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credentials {
    pub id: i64,
    pub key: String,
}

fn hash_password(password: &str) -> AppResult<String> {
    use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            AppError::Rejected(Rejection::Invalid(format!(
                "password cannot be hashed: {e}"
            )))
        })
}

impl Ledger {
    pub async fn create_facility(&self, who: &Acting, spec: &FacilitySpec) -> AppResult<Facility> {
        let now = Self::now_string();
        let mut tx = self.store.begin().await?;
        let exists = !tx
            .find_many::<Facility>(None, &[fold(&spec.license_number)], None)
            .await?
            .is_empty();
        let f = people::create_facility(spec, exists, &now, tx.next_id::<Facility>().await?)?;
        let action = Action::new(
            "tagtrail admin create-license",
            None,
            "License issued",
            json!({"LicenseNumber": spec.license_number, "LicenseType": spec.license_type.as_str(), "Name": spec.name}),
        );
        self.commit(
            tx,
            who,
            Some(&f.license_number),
            action,
            &now,
            Outcome::of(std::slice::from_ref(&f)),
        )
        .await?;
        Ok(f)
    }

    pub async fn create_user(
        &self,
        who: &Acting,
        username: &str,
        full_name: &str,
        employee_license_number: &str,
        password: Option<&str>,
    ) -> AppResult<User> {
        let now = Self::now_string();
        let hash = match password {
            Some(p) if p.len() < 8 => {
                return Err(
                    Rejection::Invalid("A password needs at least 8 characters.".into()).into(),
                );
            }
            Some(p) => Some(hash_password(p)?),
            None => None,
        };
        let mut tx = self.store.begin().await?;
        let exists = !tx
            .find_many::<User>(None, &[fold(username)], None)
            .await?
            .is_empty();
        let u = people::create_user(
            username,
            full_name,
            employee_license_number,
            hash,
            exists,
            &now,
            tx.next_id::<User>().await?,
        )?;
        // The request records who was created, never the password.
        let action = Action::new(
            "tagtrail admin create-employee",
            None,
            "Employee account created",
            json!({"Username": u.username, "FullName": u.full_name}),
        );
        self.commit(
            tx,
            who,
            None,
            action,
            &now,
            Outcome::of(std::slice::from_ref(&u)),
        )
        .await?;
        Ok(u)
    }

    /// Employs a user at a license with the given permissions (replacing earlier ones).
    pub async fn employ(
        &self,
        who: &Acting,
        username: &str,
        license: &str,
        permissions: &[String],
        is_owner: bool,
        is_manager: bool,
    ) -> AppResult<Employment> {
        let now = Self::now_string();
        let mut tx = self.store.begin().await?;
        let user = tx
            .find_many::<User>(None, &[fold(username)], Some(true))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("User {username} does not exist.")))?;
        let facility = tx
            .find_many::<Facility>(None, &[fold(license)], Some(true))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("License {license} does not exist.")))?;
        let existing = tx
            .find_many::<Employment>(Some(&facility.license_number), &[user.id.to_string()], None)
            .await?
            .into_iter()
            .next();
        let e = people::employ(
            &user,
            &facility,
            existing.as_ref(),
            &Grant {
                permissions: permissions.to_vec(),
                is_owner,
                is_manager,
            },
            &now,
            tx.next_id::<Employment>().await?,
        )?;
        let action = Action::new(
            "tagtrail admin grant",
            None,
            "Employee permissions set",
            json!({"Username": username, "LicenseNumber": license, "Permissions": e.permissions}),
        );
        self.commit(
            tx,
            who,
            Some(&facility.license_number),
            action,
            &now,
            Outcome::of(std::slice::from_ref(&e)),
        )
        .await?;
        Ok(e)
    }

    pub async fn issue_vendor_key(&self, who: &Acting, name: &str) -> AppResult<Credentials> {
        let now = Self::now_string();
        let key = auth::new_key();
        let mut tx = self.store.begin().await?;
        let v = VendorKey {
            id: tx.next_id::<VendorKey>().await?,
            name: name.trim().to_string(),
            key_hash: auth::hash_key(&key),
            active: true,
            last_modified: now.clone(),
        };
        let action = Action::new(
            "tagtrail admin vendor-key",
            None,
            "Vendor (integrator) key issued",
            json!({"Name": v.name}),
        );
        self.commit(
            tx,
            who,
            None,
            action,
            &now,
            Outcome::of(std::slice::from_ref(&v)),
        )
        .await?;
        Ok(Credentials { id: v.id, key })
    }

    pub async fn issue_user_key(&self, who: &Acting, username: &str) -> AppResult<Credentials> {
        let now = Self::now_string();
        let key = auth::new_key();
        let mut tx = self.store.begin().await?;
        let user = tx
            .find_many::<User>(None, &[fold(username)], Some(true))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("User {username} does not exist.")))?;
        let k = UserKey {
            id: tx.next_id::<UserKey>().await?,
            user_id: user.id,
            key_hash: auth::hash_key(&key),
            active: true,
            last_modified: now.clone(),
        };
        let action = Action::new(
            "tagtrail admin user-key",
            None,
            "User API key issued",
            json!({"Username": user.username}),
        );
        self.commit(
            tx,
            who,
            None,
            action,
            &now,
            Outcome::of(std::slice::from_ref(&k)),
        )
        .await?;
        Ok(Credentials { id: k.id, key })
    }
}
