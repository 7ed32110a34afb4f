//! What the Sales group's reference endpoints list: California's counties, the customer types
//! (see [`crate::records::CustomerType`]), payment types, patient registration locations and the
//! reasons a delivered sale comes back. Fixed lists: the state publishes them, licensees do not
//! edit them.

/// California's 58 counties, as `GET /sales/v2/counties` lists them (`Id` is the position in
/// this alphabetical list, from 1).
pub const COUNTIES: [&str; 58] = [
    "Alameda",
    "Alpine",
    "Amador",
    "Butte",
    "Calaveras",
    "Colusa",
    "Contra Costa",
    "Del Norte",
    "El Dorado",
    "Fresno",
    "Glenn",
    "Humboldt",
    "Imperial",
    "Inyo",
    "Kern",
    "Kings",
    "Lake",
    "Lassen",
    "Los Angeles",
    "Madera",
    "Marin",
    "Mariposa",
    "Mendocino",
    "Merced",
    "Modoc",
    "Mono",
    "Monterey",
    "Napa",
    "Nevada",
    "Orange",
    "Placer",
    "Plumas",
    "Riverside",
    "Sacramento",
    "San Benito",
    "San Bernardino",
    "San Diego",
    "San Francisco",
    "San Joaquin",
    "San Luis Obispo",
    "San Mateo",
    "Santa Barbara",
    "Santa Clara",
    "Santa Cruz",
    "Shasta",
    "Sierra",
    "Siskiyou",
    "Solano",
    "Sonoma",
    "Stanislaus",
    "Sutter",
    "Tehama",
    "Trinity",
    "Tulare",
    "Tuolumne",
    "Ventura",
    "Yolo",
    "Yuba",
];

/// How a retail customer may pay (`GET /sales/v2/paymenttypes`). Metrc publishes no example;
/// these are the tenders California point-of-sale systems report (`Id` from 1, in this order).
pub const PAYMENT_TYPES: [&str; 7] = [
    "Cash",
    "Debit Card",
    "Credit Card",
    "Check",
    "Gift Card",
    "Store Credit",
    "Other",
];

/// Where a patient's medicinal registration was checked (`GET
/// /sales/v2/patientregistration/locations`; a receipt's `PatientRegistrationLocationId` must be
/// one of these ids when given).
pub const PATIENT_REGISTRATION_LOCATIONS: [(i64, &str); 3] = [
    (1, "California Department of Public Health (MMIC)"),
    (2, "County Medical Marijuana Identification Card Program"),
    (3, "Physician's Recommendation On File"),
];

/// Whether `id` names a patient registration location.
pub fn patient_registration_location(id: i64) -> Option<&'static str> {
    PATIENT_REGISTRATION_LOCATIONS
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, n)| *n)
}

/// Why a delivered sale comes back (`GET /sales/v2/deliveries/returnreasons`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReturnReason {
    pub name: &'static str,
    pub requires_note: bool,
    pub requires_waste_weight: bool,
}

pub const RETURN_REASONS: &[ReturnReason] = &[
    ReturnReason {
        name: "Customer Refused",
        requires_note: false,
        requires_waste_weight: false,
    },
    ReturnReason {
        name: "Customer Not Available",
        requires_note: false,
        requires_waste_weight: false,
    },
    ReturnReason {
        name: "Incorrect Product",
        requires_note: true,
        requires_waste_weight: false,
    },
    ReturnReason {
        name: "Damaged",
        requires_note: true,
        requires_waste_weight: true,
    },
    ReturnReason {
        name: "Spoilage",
        requires_note: true,
        requires_waste_weight: true,
    },
    ReturnReason {
        name: "Theft",
        requires_note: true,
        requires_waste_weight: false,
    },
    ReturnReason {
        name: "Other",
        requires_note: true,
        requires_waste_weight: false,
    },
];

/// The return reason named `name`, in any case.
pub fn return_reason(name: &str) -> Option<&'static ReturnReason> {
    RETURN_REASONS
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(name.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifty_eight_counties_each_once_in_order() {
        let mut sorted = COUNTIES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, COUNTIES.to_vec());
        assert!(return_reason("spoilage").is_some_and(|r| r.requires_note));
        assert_eq!(patient_registration_location(4), None);
    }
}
