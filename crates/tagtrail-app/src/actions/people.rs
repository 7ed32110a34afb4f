//! The operator's (regulator's) side: licenses, people, permissions and keys. Each is a journaled
//! action like any licensee's write; none belongs to a facility scope before it decides.

use crate::identity::{hash_key, new_key};
use crate::{AppError, AppResult, Definition, Outcome, SystemAction};
use serde::{Deserialize, Serialize};
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::people::{self, FacilitySpec, Grant};
use tagtrail_domain::records::{Employment, Facility, Inspection, User, UserKey, VendorKey, fold};
use tagtrail_store::WriteTx;

/// A key shown once, at issuance; only its hash is stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credentials {
    pub id: i64,
    pub key: String,
}

/// An argon2 hash of a password that met the rules. Only [`PasswordHash::of`] makes one, so no
/// door can store a weak password or a hash it made itself.
#[derive(Debug, Clone)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Checks the password (at least 8 characters) and hashes it off the async threads, because
    /// argon2 is deliberately slow.
    pub async fn of(password: &str) -> AppResult<PasswordHash> {
        people::check_password(password)?;
        let password = password.to_string();
        let hashed = tokio::task::spawn_blocking(move || {
            use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
            let salt = SaltString::generate(&mut OsRng);
            argon2::Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| format!("password cannot be hashed: {e}"))
        })
        .await
        .map_err(|e| format!("password cannot be hashed: {e}"))
        .and_then(|r| r)
        .map_err(|m| AppError::Rejected(Rejection::Invalid(m)))?;
        Ok(PasswordHash(hashed))
    }
}

/// Issues a license (one license, one facility).
pub struct CreateLicense;

impl SystemAction for CreateLicense {
    const DEF: Definition = Definition::operator("Issue a license").reason("License issued");
    type Request = FacilitySpec;
    type World = (bool, i64);
    type Output = Facility;

    async fn load(tx: &mut WriteTx, spec: &FacilitySpec) -> AppResult<(bool, i64)> {
        let exists = !tx
            .find_many::<Facility>(None, &[fold(&spec.license_number)], None)
            .await?
            .is_empty();
        Ok((exists, tx.next_id::<Facility>().await?))
    }

    fn decide(
        now: &str,
        (exists, id): (bool, i64),
        spec: &FacilitySpec,
    ) -> Result<(Option<String>, Outcome, Facility), Rejection> {
        let f = people::create_facility(spec, exists, now, id)?;
        let license = Some(f.license_number.clone());
        Ok((license, Outcome::of(std::slice::from_ref(&f)), f))
    }
}

/// A new employee account.
#[derive(Debug, Clone)]
pub struct NewEmployee {
    pub username: String,
    pub full_name: String,
    pub employee_license_number: String,
    /// None for an API-only account.
    pub password: Option<PasswordHash>,
}

/// Creates an employee account.
pub struct CreateEmployee;

impl SystemAction for CreateEmployee {
    const DEF: Definition =
        Definition::operator("Create an employee account").reason("Employee account created");
    type Request = NewEmployee;
    type World = (bool, i64);
    type Output = User;

    async fn load(tx: &mut WriteTx, e: &NewEmployee) -> AppResult<(bool, i64)> {
        let exists = !tx
            .find_many::<User>(None, &[fold(&e.username)], None)
            .await?
            .is_empty();
        Ok((exists, tx.next_id::<User>().await?))
    }

    fn decide(
        now: &str,
        (exists, id): (bool, i64),
        e: &NewEmployee,
    ) -> Result<(Option<String>, Outcome, User), Rejection> {
        let u = people::create_user(
            &e.username,
            &e.full_name,
            &e.employee_license_number,
            e.password.as_ref().map(|h| h.0.clone()),
            exists,
            now,
            id,
        )?;
        Ok((None, Outcome::of(std::slice::from_ref(&u)), u))
    }
}

/// Employs a user at a license with permissions (replacing earlier ones).
#[derive(Debug, Clone)]
pub struct Employ {
    pub username: String,
    pub license_number: String,
    pub grant: Grant,
}

/// Sets an employee's permissions at a license.
pub struct SetPermissions;

impl SystemAction for SetPermissions {
    const DEF: Definition =
        Definition::operator("Set employee permissions").reason("Employee permissions set");
    type Request = Employ;
    type World = (User, Facility, Option<Employment>, i64);
    type Output = Employment;

    async fn load(tx: &mut WriteTx, e: &Employ) -> AppResult<Self::World> {
        let user = tx
            .find_many::<User>(None, &[fold(&e.username)], Some(true))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("User {} does not exist.", e.username)))?;
        let facility = tx
            .find_many::<Facility>(None, &[fold(&e.license_number)], Some(true))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                AppError::NotFound(format!("License {} does not exist.", e.license_number))
            })?;
        let existing = tx
            .find_many::<Employment>(Some(&facility.license_number), &[user.id.to_string()], None)
            .await?
            .into_iter()
            .next();
        let next = tx.next_id::<Employment>().await?;
        Ok((user, facility, existing, next))
    }

    fn decide(
        now: &str,
        (user, facility, existing, next): Self::World,
        e: &Employ,
    ) -> Result<(Option<String>, Outcome, Employment), Rejection> {
        let job = people::employ(&user, &facility, existing.as_ref(), &e.grant, now, next)?;
        let license = Some(facility.license_number.clone());
        Ok((license, Outcome::of(std::slice::from_ref(&job)), job))
    }
}

/// A state inspector's read-only access to a license, granted or withdrawn.
#[derive(Debug, Clone)]
pub struct InspectionGrant {
    pub username: String,
    pub license_number: String,
    /// `false` withdraws the access.
    pub active: bool,
}

/// Grants or withdraws an inspector's read-only access to a license. The inspector is a user
/// account like an employee's (made with [`CreateEmployee`]) with no employment there.
pub struct GrantInspection;

impl SystemAction for GrantInspection {
    const DEF: Definition = Definition::operator("Grant or withdraw inspection access")
        .reason("Inspection access changed");
    type Request = InspectionGrant;
    type World = (User, Facility, Option<Inspection>, bool, i64);
    type Output = Inspection;

    async fn load(tx: &mut WriteTx, g: &InspectionGrant) -> AppResult<Self::World> {
        let user = tx
            .find_many::<User>(None, &[fold(&g.username)], Some(true))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("User {} does not exist.", g.username)))?;
        let facility = tx
            .find_many::<Facility>(None, &[fold(&g.license_number)], Some(true))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                AppError::NotFound(format!("License {} does not exist.", g.license_number))
            })?;
        let lic = Some(facility.license_number.as_str());
        let existing = tx
            .find_many::<Inspection>(lic, &[user.id.to_string()], None)
            .await?
            .into_iter()
            .next();
        let employed = !tx
            .find_many::<Employment>(lic, &[user.id.to_string()], Some(true))
            .await?
            .is_empty();
        let next = tx.next_id::<Inspection>().await?;
        Ok((user, facility, existing, employed, next))
    }

    fn decide(
        now: &str,
        (user, facility, existing, employed, next): Self::World,
        g: &InspectionGrant,
    ) -> Result<(Option<String>, Outcome, Inspection), Rejection> {
        let i = people::inspect(
            &user,
            &facility,
            existing.as_ref(),
            employed,
            g.active,
            now,
            next,
        )?;
        let license = Some(facility.license_number.clone());
        Ok((license, Outcome::of(std::slice::from_ref(&i)), i))
    }
}

/// Issues a vendor (integrator) key; the key is shown once and stored hashed.
pub struct IssueVendorKey;

impl SystemAction for IssueVendorKey {
    const DEF: Definition =
        Definition::operator("Issue a vendor key").reason("Vendor (integrator) key issued");
    /// The integrator's name.
    type Request = String;
    type World = (i64, String);
    type Output = Credentials;

    async fn load(tx: &mut WriteTx, _: &String) -> AppResult<(i64, String)> {
        Ok((tx.next_id::<VendorKey>().await?, new_key()))
    }

    fn decide(
        now: &str,
        (id, key): (i64, String),
        name: &String,
    ) -> Result<(Option<String>, Outcome, Credentials), Rejection> {
        let v = VendorKey {
            id,
            name: name.trim().to_string(),
            key_hash: hash_key(&key),
            active: true,
            last_modified: now.to_string(),
        };
        Ok((
            None,
            Outcome::of(std::slice::from_ref(&v)),
            Credentials { id, key },
        ))
    }
}

/// Issues a user API key; the key is shown once and stored hashed.
pub struct IssueUserKey;

impl SystemAction for IssueUserKey {
    const DEF: Definition =
        Definition::operator("Issue a user API key").reason("User API key issued");
    /// The user's username.
    type Request = String;
    type World = (User, i64, String);
    type Output = Credentials;

    async fn load(tx: &mut WriteTx, username: &String) -> AppResult<Self::World> {
        let user = tx
            .find_many::<User>(None, &[fold(username)], Some(true))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| AppError::NotFound(format!("User {username} does not exist.")))?;
        Ok((user, tx.next_id::<UserKey>().await?, new_key()))
    }

    fn decide(
        now: &str,
        (user, id, key): Self::World,
        _: &String,
    ) -> Result<(Option<String>, Outcome, Credentials), Rejection> {
        let k = UserKey {
            id,
            user_id: user.id,
            key_hash: hash_key(&key),
            active: true,
            last_modified: now.to_string(),
        };
        Ok((
            None,
            Outcome::of(std::slice::from_ref(&k)),
            Credentials { id, key },
        ))
    }
}
