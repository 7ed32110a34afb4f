//! Who is acting, and for which facility. Neither can be built outside this crate except
//! through authentication ([`Ledger::authenticate`], [`Ledger::sign_in`]) or the operator's own
//! door ([`Acting::operator`]); a [`Scope`] only through [`Ledger::authorize`]. So a door cannot
//! hand the write path an employee it did not verify, or a facility the employee does not work
//! at.

mod cache;

pub(crate) use cache::IdentityCache;

use crate::action::{Allowed, Definition, Needs};
use crate::{AppError, AppResult, Ledger};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tagtrail_domain::commands::people::{self, Access as LicenseAccess};
use tagtrail_domain::journal::Actor;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Employment, Facility, Inspection, User, UserKey, VendorKey, fold};
use tagtrail_store::{Column, ListQuery};

/// An authenticated principal: an employee (through the API with keys, through the web UI with a
/// password, or on whose behalf the operator seeds a demo), or the operator (the state's
/// administrator, at the command line).
#[derive(Debug, Clone)]
pub struct Acting(Principal);

#[derive(Debug, Clone)]
enum Principal {
    Employee {
        user: User,
        vendor_key_id: Option<i64>,
        /// How the employee reached the ledger: `api`, `web`, or the operator command that acts
        /// on their behalf (`demo`). It prefixes the journal's actor name.
        channel: String,
    },
    Operator {
        name: String,
    },
}

impl Acting {
    /// The operator: the state's administrator at the command line, with authority over every
    /// license. Only the operator's own doors (the admin CLI, the demo seeder, the bench) use it.
    pub fn operator(name: &str) -> Acting {
        Acting(Principal::Operator {
            name: name.to_string(),
        })
    }

    /// The employee acting, if an employee acts.
    pub fn user(&self) -> Option<&User> {
        match &self.0 {
            Principal::Employee { user, .. } => Some(user),
            Principal::Operator { .. } => None,
        }
    }

    pub fn vendor_key_id(&self) -> Option<i64> {
        match &self.0 {
            Principal::Employee { vendor_key_id, .. } => *vendor_key_id,
            Principal::Operator { .. } => None,
        }
    }

    pub fn is_operator(&self) -> bool {
        matches!(self.0, Principal::Operator { .. })
    }

    /// The name the journal records: `api:ana`, `web:ana`, `operator:admin`.
    pub fn name(&self) -> String {
        match &self.0 {
            Principal::Employee { user, channel, .. } => format!("{channel}:{}", user.username),
            Principal::Operator { name } => format!("operator:{name}"),
        }
    }

    pub(crate) fn actor(&self) -> Actor {
        Actor {
            employee_id: self.user().map(|u| u.id),
            vendor_key_id: self.vendor_key_id(),
            name: self.name(),
        }
    }

    pub(crate) fn employee(user: User, vendor_key_id: Option<i64>, channel: &str) -> Acting {
        Acting(Principal::Employee {
            user,
            vendor_key_id,
            channel: channel.to_string(),
        })
    }
}

/// A facility the caller may act for, with what allows it: the caller's employment there, an
/// inspector's read-only access, or the operator's authority.
#[derive(Debug, Clone)]
pub struct Scope {
    acting: Acting,
    facility: Facility,
    access: Access,
}

/// What lets the caller at the scope's facility.
#[derive(Debug, Clone)]
enum Access {
    Operator,
    Employee(Employment),
    /// A state inspector: every read of the license, no action.
    Inspector,
}

impl Scope {
    pub fn license(&self) -> &str {
        &self.facility.license_number
    }

    pub fn facility(&self) -> &Facility {
        &self.facility
    }

    pub fn acting(&self) -> &Acting {
        &self.acting
    }

    /// Whether the caller may read what one of `any_of` covers here (the operator and an
    /// inspector read everything; an empty list asks only for access).
    pub fn holds_any(&self, any_of: &[Permission]) -> bool {
        match &self.access {
            Access::Operator | Access::Inspector => true,
            Access::Employee(job) => {
                any_of.is_empty() || any_of.iter().any(|p| job.permissions.contains(p))
            }
        }
    }

    /// Whether the caller may act with one of `any_of` here: as [`Scope::holds_any`], except
    /// that an inspector never acts. Doors use it to offer an action or not; the action is
    /// authorized again when taken.
    pub fn may_act(&self, any_of: &[Permission]) -> bool {
        !self.is_inspector() && self.holds_any(any_of)
    }

    /// Whether the caller is a state inspector here (read-only).
    pub fn is_inspector(&self) -> bool {
        matches!(self.access, Access::Inspector)
    }

    /// The caller's employment here, if they are an employee.
    pub fn employment(&self) -> Option<&Employment> {
        match &self.access {
            Access::Employee(job) => Some(job),
            _ => None,
        }
    }

    /// Refuses (403) unless the caller holds one of `any_of`.
    pub fn require(&self, any_of: &[Permission]) -> AppResult<()> {
        if self.holds_any(any_of) {
            return Ok(());
        }
        let names: Vec<&str> = any_of.iter().map(|p| p.name()).collect();
        Err(AppError::Forbidden(format!(
            "User {} lacks the {} permission at license {}.",
            self.acting
                .user()
                .map(|u| u.username.as_str())
                .unwrap_or("?"),
            names.join(" or "),
            self.license()
        )))
    }

    /// Whether this caller, at this facility, may take the action `def` describes: its
    /// permissions (operator-only actions refuse every employee) and the facility capability it
    /// needs.
    pub fn allows(&self, def: &Definition) -> AppResult<()> {
        if self.is_inspector() {
            return Err(AppError::Forbidden(format!(
                "An inspector's access to {} is read-only; {} is not possible.",
                self.license(),
                def.name
            )));
        }
        match def.allowed {
            Allowed::Holders(perms) => self.require(perms)?,
            Allowed::Operator if self.acting.is_operator() => {}
            Allowed::Operator => {
                return Err(AppError::Forbidden(format!(
                    "{} is the operator's action; no employee may take it.",
                    def.name
                )));
            }
        }
        match def.needs {
            Needs::Nothing => Ok(()),
            Needs::Capability(cap) if self.facility.license_type.can(cap) => Ok(()),
            Needs::Capability(cap) => Err(AppError::Forbidden(format!(
                "This facility's license type cannot do that ({cap})."
            ))),
            Needs::FacilityType(cap, _) if self.facility.license_type.can(cap) => Ok(()),
            Needs::FacilityType(_, message) => Err(AppError::Unauthorized(message.into())),
        }
    }
}

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

/// An argon2 hash of a random password nobody knows, made once per process.
fn stand_in_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        use argon2::password_hash::{PasswordHasher, SaltString, rand_core::OsRng};
        let salt = SaltString::generate(&mut OsRng);
        argon2::Argon2::default()
            .hash_password(new_key().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

const BAD_KEYS: &str =
    "Invalid API credentials: the vendor key and user key must be valid and active.";

impl Ledger {
    /// HTTP Basic: username = vendor key, password = user key (rule 66).
    pub async fn authenticate(&self, vendor_key: &str, user_key: &str) -> AppResult<Acting> {
        // The epoch first: what is read after it is at least as new as it.
        let epoch = self.store.identity_epoch().await?;
        self.authenticate_at(epoch, vendor_key, user_key).await
    }

    /// [`Ledger::authenticate`], and the caller's scope at `license` when one is named and the
    /// caller may see it (`None` otherwise: the handler's own authorization then says why), on
    /// one reading of the identity epoch. The API's rate limiter needs both before it can pick
    /// the quotas to charge. The epoch never leaves this call: a caller kept across an identity
    /// change is scoped afresh by the next call, which reads the epoch again.
    pub async fn authenticate_with_scope(
        &self,
        vendor_key: &str,
        user_key: &str,
        license: Option<&str>,
    ) -> AppResult<(Acting, Option<Scope>)> {
        let epoch = self.store.identity_epoch().await?;
        let who = self.authenticate_at(epoch, vendor_key, user_key).await?;
        let scope = match license {
            Some(license) => self.scope_at(epoch, &who, license).await.ok(),
            None => None,
        };
        Ok((who, scope))
    }

    /// [`Ledger::authenticate`] as of `epoch`, read by the caller before this call.
    async fn authenticate_at(
        &self,
        epoch: i64,
        vendor_key: &str,
        user_key: &str,
    ) -> AppResult<Acting> {
        let keys = (hash_key(vendor_key), hash_key(user_key));
        if let Some(c) = self.identity_cache.caller(epoch, &keys) {
            return Ok(Acting::employee(c.user, Some(c.vendor_key_id), "api"));
        }
        let vendor: Option<VendorKey> = self.store.find(None, &keys.0).await?;
        let vendor = vendor
            .filter(|v| v.active)
            .ok_or_else(|| AppError::Unauthorized(BAD_KEYS.into()))?;
        let key: Option<UserKey> = self.store.find(None, &keys.1).await?;
        let key = key
            .filter(|k| k.active)
            .ok_or_else(|| AppError::Unauthorized(BAD_KEYS.into()))?;
        let user: Option<User> = self.store.get(key.user_id).await?;
        let user = user
            .filter(|u| u.active)
            .ok_or_else(|| AppError::Unauthorized(BAD_KEYS.into()))?;
        let caller = cache::Caller {
            user,
            vendor_key_id: vendor.id,
        };
        self.identity_cache.keep_caller(epoch, keys, caller.clone());
        Ok(Acting::employee(caller.user, Some(vendor.id), "api"))
    }

    /// Username and password for the web UI. Verification runs off the async threads because
    /// argon2 is deliberately slow.
    pub async fn sign_in(&self, username: &str, password: &str) -> AppResult<Acting> {
        const BAD: &str = "Unknown username or wrong password.";
        let user: Option<User> = self.store.find(None, &fold(username)).await?;
        let user = user.filter(|u| u.active);
        // An unknown username is checked against a stand-in hash, so that the answer takes as
        // long as for a known one and its timing does not tell which usernames exist.
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let password = password.to_string();
        let _turn = self.password_gate.enter().await?;
        let ok = tokio::task::spawn_blocking(move || {
            use argon2::{Argon2, PasswordHash, PasswordVerifier};
            let hash = hash.unwrap_or_else(|| stand_in_hash().to_string());
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
        let who = match user {
            Some(user) if ok => Acting::employee(user, None, "web"),
            _ => return Err(AppError::Unauthorized(BAD.into())),
        };
        // Only now, with the password proven, is the person told why they have no access: an
        // account manager whose training is not recorded, an employee of such a license, a
        // temporary licensee (seeds 000 and 001).
        if let Some(why) = self.no_access_anywhere(&who).await? {
            return Err(AppError::Forbidden(why));
        }
        Ok(who)
    }

    /// Why `who` may open no license at all, when every license they work at is closed to its
    /// people (and they inspect none); `None` when they may open one, or work nowhere.
    async fn no_access_anywhere(&self, who: &Acting) -> AppResult<Option<String>> {
        if !self.facilities_of(who).await?.is_empty() || !self.inspected_by(who).await?.is_empty() {
            return Ok(None);
        }
        let closed = self.closed_to(who).await?;
        if closed.is_empty() {
            return Ok(None);
        }
        let reasons: Vec<String> = closed.into_iter().map(|(_, why)| why).collect();
        Ok(Some(reasons.join(" ")))
    }

    /// Why `user` may not use license `f` (rules 1 and 3), naming the account manager to
    /// contact; `None` when its people may.
    async fn closed_reason(&self, f: &Facility, user: &User) -> AppResult<Option<String>> {
        let manager = match people::access(f) {
            LicenseAccess::Open => return Ok(None),
            LicenseAccess::Untrained { account_manager_id } if account_manager_id != user.id => {
                self.store
                    .get::<User>(account_manager_id)
                    .await?
                    .map(|u| u.full_name)
            }
            _ => None,
        };
        Ok(people::no_access(f, user.id, manager.as_deref()))
    }

    /// The licenses `who` is employed at whose people may not use the system yet (a temporary
    /// license, or an account manager not yet trained), each with why, for the person's screen.
    pub async fn closed_to(&self, who: &Acting) -> AppResult<Vec<(Facility, String)>> {
        let Some(user) = who.user() else {
            return Ok(vec![]);
        };
        let mut out = Vec::new();
        for (f, _) in self.employers(user).await? {
            if let Some(why) = self.closed_reason(&f, user).await? {
                out.push((f, why));
            }
        }
        Ok(out)
    }

    /// Every active license `user` is employed at, with the employment, by license number.
    async fn employers(&self, user: &User) -> AppResult<Vec<(Facility, Employment)>> {
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

    /// The operator acting on an employee's behalf (the demo seeder): the journal names the
    /// employee, prefixed with the operator's command, and the employee's own permissions apply.
    pub async fn on_behalf_of(&self, operator: &Acting, username: &str) -> AppResult<Acting> {
        let Principal::Operator { name } = &operator.0 else {
            return Err(AppError::Forbidden(
                "Only the operator acts on an employee's behalf.".into(),
            ));
        };
        let user: Option<User> = self.store.find(None, &fold(username)).await?;
        let user = user
            .filter(|u| u.active)
            .ok_or_else(|| AppError::NotFound(format!("User {username} does not exist.")))?;
        Ok(Acting::employee(user, None, name))
    }

    /// The facilities `who` works at and may use, with the employment, ordered by license
    /// number. A license whose people have no access yet (see [`Ledger::closed_to`]) is not
    /// among them, in the web UI or the API's facility list.
    pub async fn facilities_of(&self, who: &Acting) -> AppResult<Vec<(Facility, Employment)>> {
        let Some(user) = who.user() else {
            return Ok(vec![]);
        };
        let mut out = self.employers(user).await?;
        out.retain(|(f, _)| people::access(f) == LicenseAccess::Open);
        Ok(out)
    }

    /// Scopes a call to `license`: the caller must be employed there (else 401, as Metrc answers
    /// for a facility the user cannot access) and hold one of `any_of` (else 403). The operator
    /// may act for any license that exists.
    pub async fn authorize(
        &self,
        who: &Acting,
        license: &str,
        any_of: &[Permission],
    ) -> AppResult<Scope> {
        let scope = self.scope(who, license).await?;
        scope.require(any_of)?;
        Ok(scope)
    }

    /// Scopes a call to `license` for the action `def` describes: employment, its permissions and
    /// the facility capability it needs. Doors call this before reading a request body, so that a
    /// caller who may not act is told so first; [`Ledger::run`] checks again.
    pub async fn authorize_for(
        &self,
        who: &Acting,
        license: &str,
        def: &Definition,
    ) -> AppResult<Scope> {
        let scope = self.scope(who, license).await?;
        scope.allows(def)?;
        Ok(scope)
    }

    /// The facility and the caller's employment there, without a permission check.
    pub async fn scope(&self, who: &Acting, license: &str) -> AppResult<Scope> {
        if who.user().is_none() {
            return self.operator_scope(who, license).await;
        }
        let epoch = self.store.identity_epoch().await?;
        self.scope_at(epoch, who, license).await
    }

    /// The operator's scope: any license that exists.
    async fn operator_scope(&self, who: &Acting, license: &str) -> AppResult<Scope> {
        let facility: Option<Facility> = self.store.find(None, &fold(license)).await?;
        let facility = facility
            .ok_or_else(|| AppError::NotFound(format!("License {license} does not exist.")))?;
        Ok(Scope {
            acting: who.clone(),
            facility,
            access: Access::Operator,
        })
    }

    /// [`Ledger::scope`] as of `epoch`, read by the caller before this call.
    async fn scope_at(&self, epoch: i64, who: &Acting, license: &str) -> AppResult<Scope> {
        let Some(user) = who.user() else {
            return self.operator_scope(who, license).await;
        };
        let key = (user.id, fold(license));
        if let Some((facility, access)) = self.identity_cache.scope(epoch, &key) {
            return Ok(Scope {
                acting: who.clone(),
                facility,
                access,
            });
        }
        let scope = self.scope_of_user(who, user, license).await?;
        self.identity_cache
            .keep_scope(epoch, key, (scope.facility.clone(), scope.access.clone()));
        Ok(scope)
    }

    /// [`Ledger::scope`] for an employee or inspector, read from the store.
    async fn scope_of_user(&self, who: &Acting, user: &User, license: &str) -> AppResult<Scope> {
        let facility: Option<Facility> = self.store.find(None, &fold(license)).await?;
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
        if let Some(job) = jobs.into_iter().next() {
            // Employed, but the license is not open to its people yet (rules 1 and 3): refused
            // with why, at every door. An inspector (the state) still reads it.
            if let Some(why) = self.closed_reason(&facility, user).await? {
                return Err(AppError::Forbidden(why));
            }
            return Ok(Scope {
                acting: who.clone(),
                facility,
                access: Access::Employee(job),
            });
        }
        let inspections: Vec<Inspection> = self
            .store
            .find_many(
                Some(&facility.license_number),
                &[user.id.to_string()],
                Some(true),
            )
            .await?;
        if inspections.is_empty() {
            return Err(denied());
        }
        Ok(Scope {
            acting: who.clone(),
            facility,
            access: Access::Inspector,
        })
    }

    /// An employee of the scope's license, by user id: the user, their employment there, and
    /// how many active API keys they hold. Another license's people are not found (404). Needs
    /// View Employees or Manage Employees.
    pub async fn employee(
        &self,
        scope: &Scope,
        user_id: i64,
    ) -> AppResult<(User, Employment, i64)> {
        scope.require(&[Permission::ViewEmployees, Permission::ManageEmployees])?;
        let missing = || {
            AppError::NotFound(format!(
                "No employee {user_id} at license {}.",
                scope.license()
            ))
        };
        let job: Option<Employment> = self
            .store
            .find_many(Some(scope.license()), &[user_id.to_string()], Some(true))
            .await?
            .into_iter()
            .next();
        let job = job.ok_or_else(missing)?;
        let user: User = self.store.get(user_id).await?.ok_or_else(missing)?;
        let keys = ListQuery {
            active: Some(true),
            page: Some((1, 1)),
            ..Default::default()
        }
        .with(Column::UserId, [user_id]);
        let keys = self.store.list::<UserKey>(&keys).await?.total;
        Ok((user, job, keys))
    }

    /// The licenses `who` may inspect (read-only), with the facilities, by license number.
    pub async fn inspected_by(&self, who: &Acting) -> AppResult<Vec<Facility>> {
        let Some(user) = who.user() else {
            return Ok(vec![]);
        };
        let grants: Vec<Inspection> = self
            .store
            .find_many(None, &[user.id.to_string()], Some(true))
            .await?;
        let mut out = Vec::new();
        for g in grants {
            let f: Option<Facility> = self.store.find(None, &fold(&g.license_number)).await?;
            out.extend(f.filter(|f| f.active));
        }
        out.sort_by(|a, b| a.license_number.cmp(&b.license_number));
        Ok(out)
    }
}

/// Bounds password checking: at most `running` argon2 checks at once, at most
/// [`crate::SIGN_IN_QUEUE`] more waiting, and past that a refusal at once (429). argon2 is
/// deliberately slow; unbounded, a flood of sign-ins takes every core from the API.
pub(crate) struct PasswordGate {
    running: tokio::sync::Semaphore,
    waiting: std::sync::atomic::AtomicUsize,
}

impl PasswordGate {
    pub(crate) fn new(running: usize) -> PasswordGate {
        PasswordGate {
            running: tokio::sync::Semaphore::new(running.max(1)),
            waiting: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// A turn to check one password, held until dropped.
    async fn enter(&self) -> AppResult<tokio::sync::SemaphorePermit<'_>> {
        use std::sync::atomic::Ordering;
        if let Ok(turn) = self.running.try_acquire() {
            return Ok(turn);
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= crate::SIGN_IN_QUEUE {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(AppError::Busy(
                "Too many sign-ins at once; try again in a moment.".into(),
            ));
        }
        let turn = self.running.acquire().await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        // The semaphore is never closed.
        turn.map_err(|_| AppError::Busy("Sign-in is unavailable.".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Action;
    use crate::actions::{lab, packages, strains};
    use tagtrail_domain::license::LicenseType;

    fn facility(kind: LicenseType) -> Facility {
        Facility {
            id: 1,
            license_number: "L-1".into(),
            license_type: kind,
            name: "F".into(),
            display_name: "F".into(),
            license_start_date: "2026-01-01".into(),
            license_end_date: "2026-12-31".into(),
            address: None,
            credentialed_date: "2026-01-01".into(),
            onboarding: Default::default(),
            active: true,
            last_modified: "t".into(),
        }
    }

    fn employee(kind: LicenseType, perms: Vec<Permission>) -> Scope {
        let user = User {
            id: 7,
            username: "ana".into(),
            full_name: "Ana".into(),
            employee_license_number: "E-1".into(),
            password_hash: None,
            active: true,
            last_modified: "t".into(),
        };
        Scope {
            acting: Acting::employee(user, Some(1), "api"),
            facility: facility(kind),
            access: Access::Employee(Employment {
                id: 1,
                user_id: 7,
                license_number: "L-1".into(),
                permissions: perms,
                is_owner: false,
                is_manager: false,
                hire_date: "2026-01-01".into(),
                active: true,
                last_modified: "t".into(),
            }),
        }
    }

    /// Only a laboratory records or releases results, and Metrc answers other facility types 401
    /// (moved here from the domain: the action's definition owns the capability).
    #[test]
    fn only_a_laboratory_records_results() {
        let perms = vec![Permission::ManagePackagesInventory];
        let distro = employee(LicenseType::Distributor, perms.clone());
        assert!(matches!(
            distro.allows(&lab::Record::DEF),
            Err(AppError::Unauthorized(_))
        ));
        assert!(matches!(
            distro.allows(&lab::Release::DEF),
            Err(AppError::Unauthorized(_))
        ));
        assert!(
            employee(LicenseType::TestingLab, perms)
                .allows(&lab::Record::DEF)
                .is_ok()
        );
    }

    /// A definition's permissions: any one of them suffices, none refuses with 403.
    #[test]
    fn permissions_come_from_the_definition() {
        let clerk = employee(LicenseType::Cultivator, vec![Permission::ViewEmployees]);
        assert!(matches!(
            clerk.allows(&strains::Create::DEF),
            Err(AppError::Forbidden(_))
        ));
        let grower = employee(LicenseType::Cultivator, vec![Permission::ManageStrains]);
        assert!(grower.allows(&strains::Create::DEF).is_ok());
    }

    /// Rule 34: a hold is the regulator's act. No employee may take it, whatever they hold; the
    /// operator may.
    #[test]
    fn rule_34_holds_are_the_operators_alone() {
        let owner = employee(LicenseType::Manufacturer, Permission::ALL.to_vec());
        assert!(matches!(
            owner.allows(&packages::Hold::DEF),
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            owner.allows(&packages::OpenBalance::DEF),
            Err(AppError::Forbidden(_))
        ));
        let operator = Scope {
            acting: Acting::operator("state"),
            facility: facility(LicenseType::Manufacturer),
            access: Access::Operator,
        };
        assert!(operator.allows(&packages::Hold::DEF).is_ok());
    }

    /// An inspector reads whatever the license's permissions cover and takes no action at all,
    /// not even one needing no permission.
    #[test]
    fn an_inspector_reads_and_never_acts() {
        let mut inspector = employee(LicenseType::Distributor, vec![]);
        inspector.access = Access::Inspector;
        assert!(inspector.holds_any(&[Permission::ViewPackages]));
        assert!(inspector.holds_any(&[Permission::ManageItems]));
        assert!(inspector.require(&[Permission::ViewJournal]).is_ok());
        assert!(!inspector.may_act(&[]));
        for def in [
            &strains::Create::DEF,
            &packages::Hold::DEF,
            &lab::Release::DEF,
        ] {
            assert!(matches!(inspector.allows(def), Err(AppError::Forbidden(_))));
        }
        assert!(inspector.employment().is_none());
    }

    /// Flags need the capability their definition names; clearing one needs none.
    #[test]
    fn flag_capabilities_come_from_the_definition() {
        let perms = vec![Permission::ManagePackagesInventory];
        let maker = employee(LicenseType::Manufacturer, perms.clone());
        assert!(maker.allows(&packages::FlagDonation::DEF).is_err());
        assert!(maker.allows(&packages::UnflagDonation::DEF).is_ok());
        assert!(
            employee(LicenseType::Retailer, perms)
                .allows(&packages::FlagDonation::DEF)
                .is_ok()
        );
    }
}
