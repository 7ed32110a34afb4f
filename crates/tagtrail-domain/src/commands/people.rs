//! Licenses (facilities), users, employments and keys: the operator's side of the ledger.

use crate::error::Rejection;
use crate::license::{LicenseType, valid_license_number};
use crate::permission::Permission;
use crate::records::{Employment, Facility, Inspection, User};

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
        active: true,
        last_modified: now.to_string(),
    })
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

pub fn employ(
    user: &User,
    facility: &Facility,
    existing: Option<&Employment>,
    grant: &Grant,
    now: &str,
    id: i64,
) -> Result<Employment, Rejection> {
    let mut perms = Vec::new();
    for p in &grant.permissions {
        let Some(c) = Permission::parse(p) else {
            return Err(Rejection::Invalid(format!(
                "Permission {p} does not exist."
            )));
        };
        if !perms.contains(&c) {
            perms.push(c);
        }
    }
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
