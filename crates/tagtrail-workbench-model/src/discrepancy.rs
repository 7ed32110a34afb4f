//! Reconciliation (seed 003 §03): for each package, what the workbench expects (what it last
//! submitted, adopted or a person recorded), what Metrc says (the last snapshot) and what was
//! physically counted, side by side, with each disagreement named.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use tagtrail_domain::quantity::{convert, unit};

/// A package as one of the three sources sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageView {
    pub label: String,
    pub quantity: Decimal,
    pub unit: String,
    pub location: Option<String>,
    pub status: Status,
    pub lab_state: Option<String>,
    pub on_hold: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Active,
    InTransit,
    /// Finished, discontinued or transferred away: no longer in this license's inventory.
    Inactive,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::InTransit => "in transit",
            Status::Inactive => "inactive",
        }
    }
}

/// A physical count of one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub label: String,
    pub quantity: Decimal,
    pub unit: String,
}

/// The named classes of disagreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Class {
    /// The workbench expects a package Metrc does not have.
    MissingInMetrc,
    /// Metrc has a package the workbench never expected (made outside it, or not yet adopted).
    MissingLocally,
    /// Quantities differ (expected, Metrc's or counted).
    Quantity,
    Status,
    LabState,
    /// A hold a person placed is not in Metrc, or Metrc holds what the workbench does not.
    Hold,
    Location,
    /// Counted on the floor, known to neither the workbench nor Metrc.
    UnknownPackage,
}

impl Class {
    pub const ALL: &'static [Class] = &[
        Class::MissingInMetrc,
        Class::MissingLocally,
        Class::Quantity,
        Class::Status,
        Class::LabState,
        Class::Hold,
        Class::Location,
        Class::UnknownPackage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::MissingInMetrc => "missing_in_metrc",
            Class::MissingLocally => "missing_locally",
            Class::Quantity => "quantity",
            Class::Status => "status",
            Class::LabState => "lab_state",
            Class::Hold => "hold",
            Class::Location => "location",
            Class::UnknownPackage => "unknown_package",
        }
    }

    pub fn parse(s: &str) -> Option<Class> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Class::MissingInMetrc => "Missing in Metrc",
            Class::MissingLocally => "Missing locally",
            Class::Quantity => "Quantity differs",
            Class::Status => "Status differs",
            Class::LabState => "Lab state differs",
            Class::Hold => "Hold differs",
            Class::Location => "Location differs",
            Class::UnknownPackage => "Unknown package",
        }
    }
}

/// One named disagreement, with the words a person reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discrepancy {
    pub label: String,
    pub class: Class,
    pub detail: String,
}

fn same_quantity(a: Decimal, a_unit: &str, b: Decimal, b_unit: &str) -> bool {
    if a_unit.eq_ignore_ascii_case(b_unit) {
        return a == b;
    }
    match (unit(a_unit), unit(b_unit)) {
        (Some(ua), Some(ub)) => convert(a, ua, ub).is_ok_and(|x| x == b),
        _ => false,
    }
}

/// Compares the three sources for one package label. Inactive packages that everyone agrees
/// are gone have nothing to compare.
pub fn compare(
    label: &str,
    expected: Option<&PackageView>,
    metrc: Option<&PackageView>,
    counted: Option<&Count>,
) -> Vec<Discrepancy> {
    let mut out = vec![];
    let mut push = |class: Class, detail: String| {
        out.push(Discrepancy {
            label: label.to_string(),
            class,
            detail,
        })
    };
    match (expected, metrc) {
        (None, None) => {
            if let Some(c) = counted {
                push(
                    Class::UnknownPackage,
                    format!(
                        "counted {} {} on the floor; neither the workbench nor Metrc knows this tag",
                        c.quantity, c.unit
                    ),
                );
            }
        }
        (Some(e), None) => {
            if e.status != Status::Inactive {
                push(
                    Class::MissingInMetrc,
                    "the workbench expects this package but Metrc has no record of it".into(),
                );
            }
        }
        (None, Some(m)) => {
            if m.status != Status::Inactive {
                push(
                    Class::MissingLocally,
                    format!(
                        "Metrc has {} {} that the workbench never expected",
                        m.quantity, m.unit
                    ),
                );
            }
        }
        (Some(e), Some(m)) => {
            if e.status != m.status {
                push(
                    Class::Status,
                    format!(
                        "expected {}, Metrc says {}",
                        e.status.as_str(),
                        m.status.as_str()
                    ),
                );
            }
            if e.status != Status::Inactive || m.status != Status::Inactive {
                if !same_quantity(e.quantity, &e.unit, m.quantity, &m.unit) {
                    push(
                        Class::Quantity,
                        format!(
                            "expected {} {}, Metrc says {} {}",
                            e.quantity, e.unit, m.quantity, m.unit
                        ),
                    );
                }
                if e.on_hold != m.on_hold {
                    push(
                        Class::Hold,
                        if e.on_hold {
                            "a person placed this package on hold; Metrc does not show the hold"
                                .into()
                        } else {
                            "Metrc shows a hold the workbench does not expect".into()
                        },
                    );
                }
                // The workbench may not know a location or lab state (a package it created before
                // Metrc assigned one); only an expectation it holds can disagree.
                if e.location.is_some() && e.location != m.location {
                    push(
                        Class::Location,
                        format!(
                            "expected {}, Metrc says {}",
                            e.location.as_deref().unwrap_or("no location"),
                            m.location.as_deref().unwrap_or("no location")
                        ),
                    );
                }
                if e.lab_state.is_some() && e.lab_state != m.lab_state {
                    push(
                        Class::LabState,
                        format!(
                            "expected {}, Metrc says {}",
                            e.lab_state.as_deref().unwrap_or("none"),
                            m.lab_state.as_deref().unwrap_or("none")
                        ),
                    );
                }
            }
        }
    }
    if let (Some(c), Some(m)) = (counted, metrc.or(expected))
        && !same_quantity(c.quantity, &c.unit, m.quantity, &m.unit)
    {
        push(
            Class::Quantity,
            format!(
                "counted {} {}, records say {} {}",
                c.quantity, c.unit, m.quantity, m.unit
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros_free::dec;

    mod rust_decimal_macros_free {
        macro_rules! dec {
            ($s:literal) => {
                $s.parse::<rust_decimal::Decimal>().unwrap()
            };
        }
        pub(crate) use dec;
    }

    fn view(q: Decimal, unit: &str) -> PackageView {
        PackageView {
            label: "1A4000000000000000000001".into(),
            quantity: q,
            unit: unit.into(),
            location: Some("Vault".into()),
            status: Status::Active,
            lab_state: Some("TestPassed".into()),
            on_hold: false,
        }
    }

    fn classes(d: &[Discrepancy]) -> Vec<Class> {
        d.iter().map(|x| x.class).collect()
    }

    #[test]
    fn agreeing_sources_have_nothing_to_say() {
        let v = view(dec!("10.5"), "Grams");
        let c = Count {
            label: v.label.clone(),
            quantity: dec!("10.50"),
            unit: "Grams".into(),
        };
        assert!(compare(&v.label, Some(&v), Some(&v), Some(&c)).is_empty());
    }

    #[test]
    fn quantities_compare_across_units() {
        let e = view(dec!("1"), "Kilograms");
        let m = view(dec!("1000"), "Grams");
        assert!(compare("x", Some(&e), Some(&m), None).is_empty());
        let m = view(dec!("999"), "Grams");
        assert_eq!(
            classes(&compare("x", Some(&e), Some(&m), None)),
            vec![Class::Quantity]
        );
    }

    #[test]
    fn a_hold_a_person_placed_is_not_lifted_silently() {
        let mut e = view(dec!("5"), "Each");
        e.on_hold = true;
        let m = view(dec!("5"), "Each");
        assert_eq!(
            classes(&compare("x", Some(&e), Some(&m), None)),
            vec![Class::Hold]
        );
    }

    #[test]
    fn each_class_is_named() {
        let e = view(dec!("5"), "Each");
        assert_eq!(
            classes(&compare("x", Some(&e), None, None)),
            vec![Class::MissingInMetrc]
        );
        assert_eq!(
            classes(&compare("x", None, Some(&e), None)),
            vec![Class::MissingLocally]
        );
        let c = Count {
            label: "x".into(),
            quantity: dec!("1"),
            unit: "Each".into(),
        };
        assert_eq!(
            classes(&compare("x", None, None, Some(&c))),
            vec![Class::UnknownPackage]
        );
        assert_eq!(
            classes(&compare("x", Some(&e), Some(&e), Some(&c))),
            vec![Class::Quantity]
        );
        let mut m = e.clone();
        m.location = Some("Dock".into());
        m.lab_state = Some("TestFailed".into());
        m.status = Status::InTransit;
        assert_eq!(
            classes(&compare("x", Some(&e), Some(&m), None)),
            vec![Class::Status, Class::Location, Class::LabState]
        );
    }

    #[test]
    fn packages_gone_on_both_sides_are_quiet() {
        let mut e = view(dec!("0"), "Each");
        e.status = Status::Inactive;
        assert!(compare("x", Some(&e), Some(&e), None).is_empty());
        assert!(compare("x", None, Some(&e), None).is_empty());
        assert!(compare("x", Some(&e), None, None).is_empty());
    }
}
