//! The operator's (regulator's) side: licenses, people, permissions and keys. Each is a journaled
//! action like any licensee's write; none belongs to a facility scope before it decides.

use crate::identity::{hash_key, new_key};
use crate::{Action, AppError, AppResult, Context, Definition, Outcome, SystemAction};
use serde::{Deserialize, Serialize};
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::people::{self, FacilitySpec, Grant, Grantor, HireSpec};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{
    Employment, Facility, Inspection, LicenseKind, User, UserKey, VendorKey, fold,
};
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

/// Issues a license (one license, one facility) that the operator administers: annual, with no
/// account manager, its people employed by the operator and given access at once, as every
/// license was before onboarding was recorded. [`IssueLicense`] issues one to an account manager.
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

/// A license application the operator grants (seed 000, step 1): the facility, annual or
/// temporary, and the username of its designated account manager.
#[derive(Debug, Clone)]
pub struct LicenseApplication {
    pub facility: FacilitySpec,
    pub kind: LicenseKind,
    /// `None`: the operator administers the license's people itself ([`CreateLicense`]).
    pub account_manager: Option<String>,
}

/// Issues a license naming its account manager, who is employed there at once as an owner with
/// every permission (rule 2) but, like everyone at the license, has no access until the operator
/// records the account-manager training ([`RecordTraining`]; rule 3). A temporary license never
/// gives access (rule 1).
pub struct IssueLicense;

impl SystemAction for IssueLicense {
    const DEF: Definition = Definition::operator("Issue a license").reason("License issued");
    type Request = LicenseApplication;
    type World = (bool, i64, Option<User>, i64);
    type Output = Facility;

    async fn load(tx: &mut WriteTx, a: &LicenseApplication) -> AppResult<Self::World> {
        let exists = !tx
            .find_many::<Facility>(None, &[fold(&a.facility.license_number)], None)
            .await?
            .is_empty();
        let manager = match &a.account_manager {
            Some(name) => Some(active_user(tx, name).await?),
            None => None,
        };
        let id = tx.next_id::<Facility>().await?;
        Ok((exists, id, manager, tx.next_id::<Employment>().await?))
    }

    fn decide(
        now: &str,
        (exists, id, manager, job_id): Self::World,
        a: &LicenseApplication,
    ) -> Result<(Option<String>, Outcome, Facility), Rejection> {
        let (f, job) = people::issue_license(
            &a.facility,
            a.kind,
            manager.as_ref(),
            exists,
            now,
            id,
            job_id,
        )?;
        let license = Some(f.license_number.clone());
        let outcome = Outcome::of(std::slice::from_ref(&f)).and(job.as_slice());
        Ok((license, outcome, f))
    }
}

/// The operator's record that a license's account manager completed the account-manager
/// training (seed 000, step 2).
#[derive(Debug, Clone)]
pub struct TrainingRecord {
    pub license_number: String,
    /// `YYYY-MM-DD`; today when `None`.
    pub completed: Option<String>,
}

/// Records the account manager's training as complete: from then on the license's people have
/// access (rule 3). Late training is recorded with a warning.
pub struct RecordTraining;

impl SystemAction for RecordTraining {
    const DEF: Definition = Definition::operator("Record account-manager training")
        .reason("Account-manager training completed");
    type Request = TrainingRecord;
    type World = Facility;
    type Output = (Facility, Vec<String>);

    async fn load(tx: &mut WriteTx, t: &TrainingRecord) -> AppResult<Facility> {
        active_facility(tx, &t.license_number).await
    }

    fn decide(
        now: &str,
        f: Facility,
        t: &TrainingRecord,
    ) -> Result<(Option<String>, Outcome, Self::Output), Rejection> {
        let (f, warnings) = people::record_training(&f, t.completed.as_deref(), now)?;
        let license = Some(f.license_number.clone());
        let outcome = Outcome::of(std::slice::from_ref(&f)).warn(warnings.clone());
        Ok((license, outcome, (f, warnings)))
    }
}

/// The active user named `username`.
async fn active_user(tx: &mut WriteTx, username: &str) -> AppResult<User> {
    tx.find_many::<User>(None, &[fold(username)], Some(true))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound(format!("User {username} does not exist.")))
}

/// The active license numbered `license`.
async fn active_facility(tx: &mut WriteTx, license: &str) -> AppResult<Facility> {
    tx.find_many::<Facility>(None, &[fold(license)], Some(true))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound(format!("License {license} does not exist.")))
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

// ---- the license's own people: the account manager's work (seed 000, step 3) ----------------

/// Who may manage a license's people: its account manager holds Manage Employees (with every
/// other permission), and may grant it to others.
const MANAGE: &[Permission] = &[Permission::ManageEmployees];

/// The employment of the employee acting (`Grantor::Employee`), or the operator.
async fn grantor(tx: &mut WriteTx, at: &Context<'_>) -> AppResult<Option<Employment>> {
    let Some(user) = at.acting.user() else {
        return Ok(None);
    };
    let lic = Some(at.ctx.facility.license_number.as_str());
    tx.find_many::<Employment>(lic, &[user.id.to_string()], Some(true))
        .await?
        .into_iter()
        .next()
        .map(Some)
        .ok_or_else(|| {
            AppError::Unauthorized(format!(
                "User {} is not authorized for license {}.",
                user.username, at.ctx.facility.license_number
            ))
        })
}

fn as_grantor(job: &Option<Employment>) -> Grantor<'_> {
    match job {
        Some(j) => Grantor::Employee(j),
        None => Grantor::Operator,
    }
}

/// The user `user_id` and their active employment at the scope's license: another license's
/// people are not found here (404), whatever their id.
async fn employee_here(
    tx: &mut WriteTx,
    at: &Context<'_>,
    user_id: i64,
) -> AppResult<(User, Employment)> {
    let lic = &at.ctx.facility.license_number;
    let missing = || AppError::NotFound(format!("No employee {user_id} at license {lic}."));
    let job = tx
        .find_many::<Employment>(Some(lic), &[user_id.to_string()], Some(true))
        .await?
        .into_iter()
        .next()
        .ok_or_else(missing)?;
    let user = tx.get::<User>(user_id).await?.ok_or_else(missing)?;
    Ok((user, job))
}

/// A person the account manager adds to the license, with their first password.
#[derive(Debug, Clone)]
pub struct NewHire {
    pub person: HireSpec,
    /// None for an API-only account.
    pub password: Option<PasswordHash>,
}

/// Adds an employee to the scope's license: a new user with their own login (rule 4) and the
/// permissions given, each of which the person adding them must hold.
pub struct Hire;

impl Action for Hire {
    const DEF: Definition = Definition::holders("Add an employee", MANAGE).reason("Employee added");
    type Request = NewHire;
    type World = (Option<Employment>, bool, i64, i64);

    async fn load(tx: &mut WriteTx, at: &Context<'_>, h: &NewHire) -> AppResult<Self::World> {
        let by = grantor(tx, at).await?;
        let exists = !tx
            .find_many::<User>(None, &[fold(&h.person.username)], None)
            .await?
            .is_empty();
        let user_id = tx.next_id::<User>().await?;
        Ok((by, exists, user_id, tx.next_id::<Employment>().await?))
    }

    fn decide(
        at: &Context<'_>,
        (by, exists, user_id, job_id): Self::World,
        h: &NewHire,
    ) -> Result<Outcome, Rejection> {
        let (user, job) = people::hire(
            at.ctx.facility,
            as_grantor(&by),
            &h.person,
            h.password.as_ref().map(|p| p.0.clone()),
            exists,
            &at.ctx.now,
            user_id,
            job_id,
        )?;
        Ok(Outcome::of(std::slice::from_ref(&user)).and(std::slice::from_ref(&job)))
    }
}

/// New permissions for an employee of the scope's license, by user id.
#[derive(Debug, Clone)]
pub struct EmployeePermissions {
    pub user_id: i64,
    /// Metrc's names; they replace what the employee held.
    pub permissions: Vec<String>,
}

/// Changes an employee's permissions at the scope's license (never one's own, never the account
/// manager's, and only to permissions the person changing them holds).
pub struct ChangePermissions;

impl Action for ChangePermissions {
    const DEF: Definition = Definition::holders("Change an employee's permissions", MANAGE)
        .reason("Employee permissions changed");
    type Request = EmployeePermissions;
    type World = (Option<Employment>, User, Employment);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        r: &EmployeePermissions,
    ) -> AppResult<Self::World> {
        let by = grantor(tx, at).await?;
        let (user, job) = employee_here(tx, at, r.user_id).await?;
        Ok((by, user, job))
    }

    fn decide(
        at: &Context<'_>,
        (by, user, job): Self::World,
        r: &EmployeePermissions,
    ) -> Result<Outcome, Rejection> {
        let job = people::change_permissions(
            at.ctx.facility,
            as_grantor(&by),
            &user,
            &job,
            &r.permissions,
            &at.ctx.now,
        )?;
        Ok(Outcome::of(std::slice::from_ref(&job)))
    }
}

/// Ends an employee's employment at the scope's license (rule 5), by user id: they lose access
/// there at once; their account and their work elsewhere stay.
pub struct Deactivate;

impl Action for Deactivate {
    const DEF: Definition =
        Definition::holders("Deactivate an employee", MANAGE).reason("Employee deactivated");
    /// The employee's user id.
    type Request = i64;
    type World = (Option<Employment>, User, Employment);

    async fn load(tx: &mut WriteTx, at: &Context<'_>, id: &i64) -> AppResult<Self::World> {
        let by = grantor(tx, at).await?;
        let (user, job) = employee_here(tx, at, *id).await?;
        Ok((by, user, job))
    }

    fn decide(
        at: &Context<'_>,
        (by, user, job): Self::World,
        _: &i64,
    ) -> Result<Outcome, Rejection> {
        let job = people::dismiss(at.ctx.facility, as_grantor(&by), &user, &job, &at.ctx.now)?;
        Ok(Outcome::of(std::slice::from_ref(&job)))
    }
}

/// A new random API key. Only [`FreshKey::new`] makes one, so a door cannot choose a weak key;
/// the door that asked shows it once, and the ledger keeps only its hash.
pub struct FreshKey(String);

impl FreshKey {
    #[allow(
        clippy::new_without_default,
        reason = "each call makes a different key"
    )]
    pub fn new() -> FreshKey {
        FreshKey(new_key())
    }

    /// The key itself, to show the person it was issued for, once.
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for FreshKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FreshKey(…)")
    }
}

/// An API key for an employee of the scope's license, by user id.
#[derive(Debug)]
pub struct EmployeeKey {
    pub user_id: i64,
    pub key: FreshKey,
}

/// Issues an employee's user API key at the scope's license: one's own, or that of an employee
/// one may manage who works at no other license (rule 4). Stored hashed.
pub struct IssueEmployeeKey;

impl Action for IssueEmployeeKey {
    const DEF: Definition =
        Definition::holders("Issue an employee's API key", MANAGE).reason("User API key issued");
    type Request = EmployeeKey;
    /// The issuer's employment, the employee, their employment here, the licenses they also
    /// work at, and the key's id.
    type World = (Option<Employment>, User, Employment, Vec<String>, i64);

    async fn load(tx: &mut WriteTx, at: &Context<'_>, k: &EmployeeKey) -> AppResult<Self::World> {
        let by = grantor(tx, at).await?;
        let (user, job) = employee_here(tx, at, k.user_id).await?;
        let elsewhere = tx
            .find_many::<Employment>(None, &[user.id.to_string()], Some(true))
            .await?
            .into_iter()
            .map(|e| e.license_number)
            .filter(|l| *l != job.license_number)
            .collect();
        let id = tx.next_id::<UserKey>().await?;
        Ok((by, user, job, elsewhere, id))
    }

    fn decide(
        at: &Context<'_>,
        (by, user, job, elsewhere, id): Self::World,
        k: &EmployeeKey,
    ) -> Result<Outcome, Rejection> {
        people::may_issue_key(at.ctx.facility, as_grantor(&by), &user, &job, &elsewhere)?;
        let key = UserKey {
            id,
            user_id: user.id,
            key_hash: hash_key(k.key.reveal()),
            active: true,
            last_modified: at.ctx.now.clone(),
        };
        Ok(Outcome::of(std::slice::from_ref(&key)))
    }
}
