//! Employee permissions, named as Metrc names them.

/// Every permission an employee can hold at a facility. An endpoint names the permissions that
/// allow it (any one suffices).
pub const ALL: &[&str] = &[
    "View Employees",
    "Manage Employees",
    "Manage Items",
    "Manage Strains",
    "Manage Locations",
    "Manage Tags",
    "View Packages",
    "Create/Submit/Discontinue Packages",
    "Manage Packages Inventory",
    "Manage Package Notes",
    "View Transfers",
    "Manage Transfers",
    "View Transfer Templates",
    "Manage Transfer Templates",
    "Transporters",
    "Manage Transporters",
    "View Journal",
];

/// Finds a permission by name without regard to case, returning Metrc's spelling.
pub fn canonical(name: &str) -> Option<&'static str> {
    ALL.iter()
        .copied()
        .find(|p| p.eq_ignore_ascii_case(name.trim()))
}

/// Metrc answers `GET /employees/v2/permissions` with lower-case names.
pub fn wire_name(p: &str) -> String {
    p.to_ascii_lowercase()
}
