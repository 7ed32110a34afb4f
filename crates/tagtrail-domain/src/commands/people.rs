//! Licenses (facilities), users, employments and keys: the operator's side of the ledger, and
//! the onboarding of a license (seeds 000 and 001, steps 1 to 4): the operator issues an annual
//! (or temporary) license naming its account manager, records the account manager's training,
//! and only then may the license's people use the system; the account manager then employs the
//! license's people, within what the account manager holds.

use crate::error::Rejection;
use crate::license::{LicenseType, valid_license_number};
use crate::permission::Permission;
use crate::records::{Employment, Facility, Inspection, LicenseKind, Onboarding, User};
use chrono::NaiveDate;

#[derive(Debug, Clone)]
pub struct FacilitySpec {
    pub license_number: String,
    pub license_type: LicenseType,
    pub name: String,
    pub address: Option<String>,
    pub license_start_date: String,
    pub license_end_date: String,
}

pub fn create_facility(
    spec: &FacilitySpec,
    exists: bool,
    now: &str,
    id: i64,
) -> Result<Facility, Rejection> {
    if !valid_license_number(&spec.license_number) {
        return Err(Rejection::Invalid(format!(
            "License number {} is not valid.",
            spec.license_number
        )));
    }
    if exists {
        return Err(Rejection::Invalid(format!(
            "License {} already exists.",
            spec.license_number
        )));
    }
    if spec.name.trim().is_empty() {
        return Err(Rejection::Invalid(
            "Facility name was not specified.".into(),
        ));
    }
    Ok(Facility {
        id,
        license_number: spec.license_number.clone(),
        license_type: spec.license_type,
        name: spec.name.trim().to_string(),
        display_name: spec.name.trim().to_string(),
        license_start_date: spec.license_start_date.clone(),
        license_end_date: spec.license_end_date.clone(),
        address: spec.address.clone(),
        credentialed_date: now.get(..10).unwrap_or(now).to_string(),
        onboarding: Onboarding::default(),
        active: true,
        last_modified: now.to_string(),
    })
}

/// Issues a license on an application (seed 000, step 1): annual or temporary, naming the
/// account manager, who is employed at once as an owner (rule 2) holding every permission. Until
/// the account manager's training is recorded ([`record_training`]) nobody at the license has
/// access ([`access`]). Without an account manager the license is administered by the operator,
/// as every license issued before onboarding was recorded.
pub fn issue_license(
    spec: &FacilitySpec,
    kind: LicenseKind,
    account_manager: Option<&User>,
    exists: bool,
    now: &str,
    id: i64,
    job_id: i64,
) -> Result<(Facility, Option<Employment>), Rejection> {
    let mut f = create_facility(spec, exists, now, id)?;
    f.onboarding = Onboarding {
        license_kind: kind,
        account_manager_id: account_manager.map(|u| u.id),
        training_completed: None,
    };
    let job = account_manager.map(|u| Employment {
        id: job_id,
        user_id: u.id,
        license_number: f.license_number.clone(),
        permissions: Permission::ALL.to_vec(),
        is_owner: true,
        is_manager: true,
        hire_date: now.get(..10).unwrap_or(now).to_string(),
        active: true,
        last_modified: now.to_string(),
    });
    Ok((f, job))
}

/// How long after a license is issued its account manager has to complete the training and be
/// credentialed (rule 3, 4 CCR §15048(b)): 10 calendar days.
pub const TRAINING_DAYS: i64 = 10;

/// Records that the license's account manager completed the account-manager training, on
/// `date` (`YYYY-MM-DD`; today when `None`) (seed 000, step 2; rule 3). From then on the
/// license's people have access, unless it is temporary. A date more than [`TRAINING_DAYS`]
/// after the license was issued is recorded with a warning: rule 3 makes lateness a flag for the
/// regulator, not a refusal.
pub fn record_training(
    f: &Facility,
    date: Option<&str>,
    now: &str,
) -> Result<(Facility, Vec<String>), Rejection> {
    let lic = &f.license_number;
    if f.onboarding.account_manager_id.is_none() {
        return Err(Rejection::Invalid(format!(
            "License {lic} has no account manager: the operator administers its people, and no \
             account-manager training is recorded for it."
        )));
    }
    if let Some(done) = &f.onboarding.training_completed {
        return Err(Rejection::Conflict(format!(
            "The account-manager training of license {lic} was already recorded as complete \
             ({done})."
        )));
    }
    let today = now.get(..10).unwrap_or(now);
    let date = date
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(today);
    let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
        Rejection::Invalid(format!("Training date {date} is not a date (YYYY-MM-DD)."))
    })?;
    let future = match NaiveDate::parse_from_str(today, "%Y-%m-%d") {
        Ok(t) => day > t,
        Err(_) => false,
    };
    if future {
        return Err(Rejection::Invalid(format!(
            "Training date {date} is in the future: record the training once it is complete."
        )));
    }
    let mut warnings = Vec::new();
    if let Ok(issued) = NaiveDate::parse_from_str(&f.credentialed_date, "%Y-%m-%d") {
        let days = (day - issued).num_days();
        if days > TRAINING_DAYS {
            warnings.push(format!(
                "Recorded {days} days after license {lic} was issued ({issued}): rule 3 asks for \
                 the account-manager training within {TRAINING_DAYS} calendar days."
            ));
        }
    }
    let mut out = f.clone();
    out.onboarding.training_completed = Some(day.format("%Y-%m-%d").to_string());
    out.last_modified = now.to_string();
    Ok((out, warnings))
}

/// Whether a license's people may use the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Open,
    /// A temporary license: never any access (seed 001; rule 1).
    Temporary,
    /// The account manager's training is not recorded yet (seed 000, step 2; rule 3).
    Untrained {
        account_manager_id: i64,
    },
}

/// Whether the people of `f` may use the system: not a temporary license's (rule 1), and not an
/// annual license's until its account manager's training is recorded (rule 3). A license with no
/// account manager (the operator's to administer, as every license issued before onboarding was
/// recorded) is open.
pub fn access(f: &Facility) -> Access {
    let o = &f.onboarding;
    if o.license_kind == LicenseKind::Temporary {
        return Access::Temporary;
    }
    match (o.account_manager_id, &o.training_completed) {
        (Some(account_manager_id), None) => Access::Untrained { account_manager_id },
        _ => Access::Open,
    }
}

/// Why the user `user_id` has no access to license `f`, for their screen: what is missing and
/// whom to contact. `None` when the license is open. `manager` is the account manager's name.
pub fn no_access(f: &Facility, user_id: i64, manager: Option<&str>) -> Option<String> {
    let lic = &f.license_number;
    let name = &f.name;
    match access(f) {
        Access::Open => None,
        Access::Temporary => Some(format!(
            "License {lic} ({name}) is a temporary license: temporary licensees are not provided \
             access to the track-and-trace system. Contact the state's licensing authority about \
             an annual license."
        )),
        Access::Untrained { account_manager_id } if account_manager_id == user_id => Some(format!(
            "Your account-manager training is not yet recorded as complete, so license {lic} \
             ({name}) has no access to the track-and-trace system yet. Contact the state's \
             track-and-trace team (the operator of this ledger) to have your completed training \
             recorded."
        )),
        Access::Untrained { .. } => {
            let manager = manager.unwrap_or("the license's account manager");
            Some(format!(
                "License {lic} ({name}) has no access to the track-and-trace system yet: its \
                 account manager's training is not yet recorded as complete. Contact {manager}, \
                 the license's account manager."
            ))
        }
    }
}

/// A password needs at least 8 characters.
pub fn check_password(password: &str) -> Result<(), Rejection> {
    if password.chars().count() < 8 {
        return Err(Rejection::Invalid(
            "A password needs at least 8 characters.".into(),
        ));
    }
    Ok(())
}

pub fn create_user(
    username: &str,
    full_name: &str,
    employee_license_number: &str,
    password_hash: Option<String>,
    exists: bool,
    now: &str,
    id: i64,
) -> Result<User, Rejection> {
    let username = username.trim();
    if username.is_empty()
        || username.len() > 100
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
    {
        return Err(Rejection::Invalid(format!(
            "Username {username} is not valid."
        )));
    }
    if exists {
        // Rule 4: every person has a unique login.
        return Err(Rejection::Invalid(format!("Username {username} is taken.")));
    }
    Ok(User {
        id,
        username: username.to_string(),
        full_name: full_name.trim().to_string(),
        employee_license_number: employee_license_number.trim().to_string(),
        password_hash,
        active: true,
        last_modified: now.to_string(),
    })
}

/// Employs `user` at `facility` with `permissions` (Metrc's names), or replaces the permissions
/// of an existing employment.
/// What an employment grants: Metrc permission names and the owner/manager flags.
#[derive(Debug, Clone, Default)]
pub struct Grant {
    pub permissions: Vec<String>,
    pub is_owner: bool,
    pub is_manager: bool,
}

/// Metrc permission names as permissions, each once, in the order given.
pub fn parse_permissions(names: &[String]) -> Result<Vec<Permission>, Rejection> {
    let mut perms = Vec::new();
    for p in names {
        let Some(c) = Permission::parse(p) else {
            return Err(Rejection::Invalid(format!(
                "Permission {p} does not exist."
            )));
        };
        if !perms.contains(&c) {
            perms.push(c);
        }
    }
    Ok(perms)
}

pub fn employ(
    user: &User,
    facility: &Facility,
    existing: Option<&Employment>,
    grant: &Grant,
    now: &str,
    id: i64,
) -> Result<Employment, Rejection> {
    let perms = parse_permissions(&grant.permissions)?;
    Ok(Employment {
        id: existing.map(|e| e.id).unwrap_or(id),
        user_id: user.id,
        license_number: facility.license_number.clone(),
        permissions: perms,
        is_owner: grant.is_owner,
        is_manager: grant.is_manager,
        hire_date: existing
            .map(|e| e.hire_date.clone())
            .unwrap_or_else(|| now.get(..10).unwrap_or(now).to_string()),
        active: true,
        last_modified: now.to_string(),
    })
}

/// Grants (or, with `active` false, withdraws) an inspector's read-only access to a license.
/// An employee of the license cannot also inspect it: the two kinds of access would blur what
/// the person may do there.
pub fn inspect(
    user: &User,
    facility: &Facility,
    existing: Option<&Inspection>,
    employed: bool,
    active: bool,
    now: &str,
    id: i64,
) -> Result<Inspection, Rejection> {
    if employed && active {
        return Err(Rejection::Conflict(format!(
            "{} is employed at {}; an employee cannot also inspect the license.",
            user.username, facility.license_number
        )));
    }
    if existing.is_none() && !active {
        return Err(Rejection::NotFound(format!(
            "{} has no inspection access to {}.",
            user.username, facility.license_number
        )));
    }
    Ok(Inspection {
        id: existing.map(|e| e.id).unwrap_or(id),
        user_id: user.id,
        license_number: facility.license_number.clone(),
        granted_date: match existing {
            Some(e) if e.active || !active => e.granted_date.clone(),
            _ => now.get(..10).unwrap_or(now).to_string(),
        },
        active,
        last_modified: now.to_string(),
    })
}

/// Who changes a license's people: the operator, or an employee of the license (its account
/// manager, or someone holding Manage Employees) by their employment there.
#[derive(Debug, Clone, Copy)]
pub enum Grantor<'a> {
    Operator,
    Employee(&'a Employment),
}

/// The permissions in `wanted` that `holds` lacks, by name.
fn lacking(holds: &[Permission], wanted: &[Permission]) -> Vec<&'static str> {
    wanted
        .iter()
        .filter(|p| !holds.contains(p))
        .map(|p| p.name())
        .collect()
}

/// Whether `by` may change the employment of `target` (who holds `target_holds`) at `f`: never
/// their own (nobody raises their own permissions), never the account manager's (rule 2: the
/// account manager is the regulator's to change), and never that of someone holding a
/// permission `by` does not (or a clerk with Manage Employees could strip the owner).
pub fn may_manage(
    f: &Facility,
    by: Grantor<'_>,
    target: &User,
    target_holds: &[Permission],
) -> Result<(), Rejection> {
    let Grantor::Employee(own) = by else {
        return Ok(());
    };
    if own.user_id == target.id {
        return Err(Rejection::Forbidden(
            "You cannot change your own employment; another person managing employees at the \
             license, or the state, can."
                .into(),
        ));
    }
    if f.onboarding.account_manager_id == Some(target.id) {
        return Err(Rejection::Forbidden(format!(
            "{} is the account manager of license {}; only the state changes the account \
             manager's employment.",
            target.username, f.license_number
        )));
    }
    let lacks = lacking(&own.permissions, target_holds);
    if !lacks.is_empty() {
        return Err(Rejection::Forbidden(format!(
            "{} holds permissions you do not ({}); only someone holding all of them may change \
             their employment.",
            target.username,
            lacks.join(", ")
        )));
    }
    Ok(())
}

/// Whether `by` may grant `wanted`: nobody grants a permission they do not hold themselves, so
/// nobody at a license holds more than its account manager was given.
pub fn may_grant(by: Grantor<'_>, wanted: &[Permission]) -> Result<(), Rejection> {
    let Grantor::Employee(own) = by else {
        return Ok(());
    };
    let lacks = lacking(&own.permissions, wanted);
    if lacks.is_empty() {
        return Ok(());
    }
    Err(Rejection::Invalid(format!(
        "Permissions: you cannot grant {}, which you do not hold yourself.",
        lacks.join(", ")
    )))
}

/// A person the account manager adds to the license (seed 000, step 3: the account manager
/// credentials the license's users; rule 5: the licensee keeps the list of its users, with full
/// names).
#[derive(Debug, Clone, Default)]
pub struct HireSpec {
    pub username: String,
    pub full_name: String,
    pub employee_license_number: String,
    /// Metrc's names.
    pub permissions: Vec<String>,
}

/// Adds a new user employed at `f` with `spec.permissions`, which `by` must hold (never an
/// owner or a manager: those are the regulator's to name). Every person gets their own login
/// (rule 4), so an existing username is refused.
#[allow(clippy::too_many_arguments)]
pub fn hire(
    f: &Facility,
    by: Grantor<'_>,
    spec: &HireSpec,
    password_hash: Option<String>,
    exists: bool,
    now: &str,
    user_id: i64,
    job_id: i64,
) -> Result<(User, Employment), Rejection> {
    if spec.full_name.trim().is_empty() {
        return Err(Rejection::Invalid("Full name was not specified.".into()));
    }
    if spec.employee_license_number.trim().is_empty() {
        return Err(Rejection::Invalid(
            "Employee license number was not specified.".into(),
        ));
    }
    for (what, text) in [
        ("Full name", &spec.full_name),
        ("Employee license number", &spec.employee_license_number),
    ] {
        if text.trim().chars().count() > super::MAX_NAME_CHARS {
            return Err(Rejection::Invalid(format!(
                "{what} is longer than {} characters.",
                super::MAX_NAME_CHARS
            )));
        }
    }
    let perms = parse_permissions(&spec.permissions)?;
    may_grant(by, &perms)?;
    let user = create_user(
        &spec.username,
        &spec.full_name,
        &spec.employee_license_number,
        password_hash,
        exists,
        now,
        user_id,
    )?;
    let job = Employment {
        id: job_id,
        user_id: user.id,
        license_number: f.license_number.clone(),
        permissions: perms,
        is_owner: false,
        is_manager: false,
        hire_date: now.get(..10).unwrap_or(now).to_string(),
        active: true,
        last_modified: now.to_string(),
    };
    Ok((user, job))
}

/// Replaces the permissions `target` holds at `f` (their active employment `job`).
pub fn change_permissions(
    f: &Facility,
    by: Grantor<'_>,
    target: &User,
    job: &Employment,
    names: &[String],
    now: &str,
) -> Result<Employment, Rejection> {
    may_manage(f, by, target, &job.permissions)?;
    let perms = parse_permissions(names)?;
    may_grant(by, &perms)?;
    Ok(Employment {
        permissions: perms,
        last_modified: now.to_string(),
        ..job.clone()
    })
}

/// Ends `target`'s employment at `f` (rule 5: someone no longer authorized is removed at once).
/// Their user account stays, for their employments elsewhere and for the journal's names.
pub fn dismiss(
    f: &Facility,
    by: Grantor<'_>,
    target: &User,
    job: &Employment,
    now: &str,
) -> Result<Employment, Rejection> {
    may_manage(f, by, target, &job.permissions)?;
    let mut out = job.clone();
    out.active = false;
    out.last_modified = now.to_string();
    Ok(out)
}

/// Whether `by` may issue an API key for `target`, employed at `f` by `job` and also at the
/// licenses `elsewhere`. Whoever issues a key sees it, so it is issued only as far as the issuer
/// could act anyway: their own key, or a key of someone whose employment they may manage and who
/// works at no other license (a key there would let the issuer act at that license as them;
/// rule 4: people act only under their own login). The operator issues any.
pub fn may_issue_key(
    f: &Facility,
    by: Grantor<'_>,
    target: &User,
    job: &Employment,
    elsewhere: &[String],
) -> Result<(), Rejection> {
    match by {
        Grantor::Operator => Ok(()),
        Grantor::Employee(own) if own.user_id == target.id => Ok(()),
        Grantor::Employee(_) => {
            may_manage(f, by, target, &job.permissions)?;
            if let Some(other) = elsewhere.first() {
                return Err(Rejection::Forbidden(format!(
                    "{} also works at license {other}; a key would let you act there as them. \
                     Only the state issues keys to people employed at more than one license.",
                    target.username
                )));
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2026-03-20T17:00:00.000000+00:00";

    fn spec() -> FacilitySpec {
        FacilitySpec {
            license_number: "C11-0000777-LIC".into(),
            license_type: LicenseType::Distributor,
            name: "Harbor Distribution".into(),
            address: None,
            license_start_date: "2026-03-01".into(),
            license_end_date: "2027-02-28".into(),
        }
    }

    fn user(id: i64, name: &str) -> User {
        create_user(name, name, "EMP-1", None, false, NOW, id).unwrap()
    }

    fn issued(kind: LicenseKind, manager: Option<&User>) -> (Facility, Option<Employment>) {
        issue_license(&spec(), kind, manager, false, NOW, 1, 9).unwrap()
    }

    fn job(user_id: i64, perms: &[Permission]) -> Employment {
        Employment {
            id: user_id + 100,
            user_id,
            license_number: "C11-0000777-LIC".into(),
            permissions: perms.to_vec(),
            is_owner: false,
            is_manager: false,
            hire_date: "2026-03-20".into(),
            active: true,
            last_modified: NOW.into(),
        }
    }

    fn names(perms: &[Permission]) -> Vec<String> {
        perms.iter().map(|p| p.name().to_string()).collect()
    }

    /// Rule 2 (the account manager is an owner) and rule 3 (no access until the account
    /// manager's training is recorded): an annual license issued naming its account manager
    /// employs them as owner with every permission, and is closed until training.
    #[test]
    fn rule_3_an_annual_license_is_closed_until_its_account_manager_is_trained() {
        let am = user(5, "ana");
        let (f, job) = issued(LicenseKind::Annual, Some(&am));
        let job = job.expect("the account manager is employed");
        assert!(job.is_owner && job.is_manager, "rule 2: an owner");
        assert_eq!(job.permissions, Permission::ALL);
        assert_eq!(
            access(&f),
            Access::Untrained {
                account_manager_id: 5
            }
        );
        let mine = no_access(&f, 5, Some("Ana")).expect("refused");
        assert!(
            mine.contains("Your account-manager training") && mine.contains("not yet recorded"),
            "{mine}"
        );
        let theirs = no_access(&f, 6, Some("Ana Ruiz")).expect("refused");
        assert!(theirs.contains("Contact Ana Ruiz"), "{theirs}");
        let (trained, warnings) = record_training(&f, None, NOW).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(
            trained.onboarding.training_completed.as_deref(),
            Some("2026-03-20")
        );
        assert_eq!(access(&trained), Access::Open);
        assert_eq!(no_access(&trained, 6, None), None);
    }

    /// Rule 1 (seed 001): a temporary licensee is not provided access, trained or not.
    #[test]
    fn rule_1_a_temporary_license_never_has_access() {
        let am = user(5, "ana");
        let (f, _) = issued(LicenseKind::Temporary, Some(&am));
        let (trained, _) = record_training(&f, None, NOW).unwrap();
        for f in [&f, &trained] {
            assert_eq!(access(f), Access::Temporary);
            assert!(no_access(f, 5, None).unwrap().contains("temporary license"));
        }
        let (no_manager, _) = issued(LicenseKind::Temporary, None);
        assert_eq!(access(&no_manager), Access::Temporary);
    }

    /// Licenses issued before onboarding was recorded, and licenses the operator issues without
    /// an account manager, are annual and open: their people have access once employed.
    #[test]
    fn a_license_without_an_account_manager_is_open() {
        let old: Facility = serde_json::from_value(serde_json::json!({
            "id": 1, "license_number": "L-1", "license_type": "retailer", "name": "F",
            "display_name": "F", "license_start_date": "2026-01-01",
            "license_end_date": "2026-12-31", "address": null,
            "credentialed_date": "2026-01-01", "active": true, "last_modified": "t"
        }))
        .expect("a record journaled before onboarding reads");
        assert_eq!(old.onboarding, Onboarding::default());
        assert_eq!(old.onboarding.license_kind, LicenseKind::Annual);
        assert_eq!(access(&old), Access::Open);
        let (f, job) = issued(LicenseKind::Annual, None);
        assert!(job.is_none());
        assert_eq!(access(&f), Access::Open);
        assert!(matches!(
            record_training(&f, None, NOW),
            Err(Rejection::Invalid(_))
        ));
    }

    /// Rule 3: training is recorded once, not in the future, and late training (more than 10
    /// calendar days after issue) is recorded with a warning, not refused.
    #[test]
    fn rule_3_training_is_recorded_once_and_late_training_warns() {
        let am = user(5, "ana");
        let (f, _) = issued(LicenseKind::Annual, Some(&am));
        assert!(matches!(
            record_training(&f, Some("2026-03-21"), NOW),
            Err(Rejection::Invalid(m)) if m.contains("future")
        ));
        assert!(matches!(
            record_training(&f, Some("March 1"), NOW),
            Err(Rejection::Invalid(_))
        ));
        let later = "2026-04-05T17:00:00.000000+00:00";
        let (trained, warnings) = record_training(&f, Some("2026-04-02"), later).unwrap();
        assert_eq!(warnings.len(), 1, "13 days after issue: {warnings:?}");
        assert!(warnings[0].contains("rule 3"));
        assert!(matches!(
            record_training(&trained, None, later),
            Err(Rejection::Conflict(_))
        ));
    }

    /// Rules 4 and 5: the account manager adds people with their own logins and only the
    /// permissions the account manager holds; a clerk with Manage Employees cannot grant what
    /// the clerk lacks.
    #[test]
    fn rule_5_nobody_grants_more_than_they_hold() {
        let am = user(5, "ana");
        let (f, am_job) = issued(LicenseKind::Annual, Some(&am));
        let am_job = am_job.unwrap();
        let new = HireSpec {
            username: "sam".into(),
            full_name: "Sam Rivera".into(),
            employee_license_number: "EMP-2".into(),
            permissions: names(&[Permission::ManageTags, Permission::ViewPackages]),
        };
        let (u, hired) =
            hire(&f, Grantor::Employee(&am_job), &new, None, false, NOW, 6, 7).unwrap();
        assert_eq!(u.username, "sam");
        assert!(!hired.is_owner && !hired.is_manager);
        assert_eq!(hired.license_number, f.license_number);
        assert!(matches!(
            hire(&f, Grantor::Employee(&am_job), &new, None, true, NOW, 6, 7),
            Err(Rejection::Invalid(m)) if m.contains("taken")
        ));
        let clerk = job(8, &[Permission::ManageEmployees, Permission::ViewPackages]);
        let greedy = HireSpec {
            username: "max".into(),
            permissions: names(&[Permission::ManageTransfers]),
            ..new.clone()
        };
        assert!(matches!(
            hire(&f, Grantor::Employee(&clerk), &greedy, None, false, NOW, 9, 10),
            Err(Rejection::Invalid(m)) if m.contains("Manage Transfers")
        ));
        assert!(hire(&f, Grantor::Operator, &greedy, None, false, NOW, 9, 10).is_ok());
        let nameless = HireSpec {
            full_name: " ".into(),
            ..new
        };
        assert!(matches!(
            hire(&f, Grantor::Employee(&am_job), &nameless, None, false, NOW, 9, 10),
            Err(Rejection::Invalid(m)) if m.contains("Full name")
        ));
    }

    /// Nobody changes their own permissions or the account manager's (rule 2), nor those of
    /// someone holding more than they do.
    #[test]
    fn rule_2_nobody_raises_themselves_or_touches_the_account_manager() {
        let am = user(5, "ana");
        let (f, am_job) = issued(LicenseKind::Annual, Some(&am));
        let am_job = am_job.unwrap();
        let clerk_user = user(8, "clerk");
        let clerk = job(8, &[Permission::ManageEmployees]);
        let all = names(Permission::ALL);
        assert!(matches!(
            change_permissions(&f, Grantor::Employee(&clerk), &clerk_user, &clerk, &all, NOW),
            Err(Rejection::Forbidden(m)) if m.contains("your own")
        ));
        assert!(matches!(
            change_permissions(&f, Grantor::Employee(&clerk), &am, &am_job, &[], NOW),
            Err(Rejection::Forbidden(m)) if m.contains("account manager")
        ));
        assert!(matches!(
            dismiss(&f, Grantor::Employee(&clerk), &am, &am_job, NOW),
            Err(Rejection::Forbidden(_))
        ));
        let boss_user = user(9, "boss");
        let boss = job(
            9,
            &[Permission::ManageEmployees, Permission::ManageTransfers],
        );
        assert!(matches!(
            dismiss(&f, Grantor::Employee(&clerk), &boss_user, &boss, NOW),
            Err(Rejection::Forbidden(m)) if m.contains("Manage Transfers")
        ));
        let changed = change_permissions(
            &f,
            Grantor::Employee(&am_job),
            &clerk_user,
            &clerk,
            &names(&[Permission::ViewPackages]),
            NOW,
        )
        .unwrap();
        assert_eq!(changed.permissions, [Permission::ViewPackages]);
        assert_eq!(changed.id, clerk.id);
        let gone = dismiss(&f, Grantor::Employee(&am_job), &clerk_user, &clerk, NOW).unwrap();
        assert!(!gone.active);
        assert!(change_permissions(&f, Grantor::Operator, &am, &am_job, &[], NOW).is_ok());
    }

    /// Rule 4: a key is seen by whoever issues it, so the account manager issues keys only to
    /// the license's own people (their own key always), never to someone who also works at
    /// another license.
    #[test]
    fn rule_4_keys_only_for_the_licenses_own_people() {
        let am = user(5, "ana");
        let (f, am_job) = issued(LicenseKind::Annual, Some(&am));
        let am_job = am_job.unwrap();
        let sam = user(6, "sam");
        let sam_job = job(6, &[Permission::ViewPackages]);
        let by = Grantor::Employee(&am_job);
        assert!(may_issue_key(&f, by, &sam, &sam_job, &[]).is_ok());
        assert!(may_issue_key(&f, by, &am, &am_job, &["C8-1".into()]).is_ok());
        assert!(matches!(
            may_issue_key(&f, by, &sam, &sam_job, &["C8-0000042-LIC".into()]),
            Err(Rejection::Forbidden(m)) if m.contains("C8-0000042-LIC")
        ));
        let clerk = job(8, &[Permission::ManageEmployees]);
        assert!(may_issue_key(&f, Grantor::Employee(&clerk), &sam, &sam_job, &[]).is_err());
    }
}
