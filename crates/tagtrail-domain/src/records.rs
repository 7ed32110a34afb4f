//! The records the ledger keeps. Each is stored as a projection row whose `data` column is the
//! record's JSON, with a few columns pulled out for scoping and look-ups (see [`Record`]).

use crate::journal::Change;
use crate::lab_state::LabState;
use crate::license::LicenseType;
use crate::permission::Permission;
use crate::tag::{OrderStatus, TagKind, TagLabel, TagStatus};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

/// Projection tables. One per record type; every table has the same columns.
pub const TABLES: &[&str] = &[
    Facility::TABLE,
    User::TABLE,
    Employment::TABLE,
    Inspection::TABLE,
    VendorKey::TABLE,
    UserKey::TABLE,
    Item::TABLE,
    ItemBrand::TABLE,
    Strain::TABLE,
    Location::TABLE,
    Sublocation::TABLE,
    TagOrder::TABLE,
    Tag::TABLE,
    Package::TABLE,
    PackageAdjustment::TABLE,
    PackageLink::TABLE,
    LabSample::TABLE,
    LabResult::TABLE,
    LabDocument::TABLE,
    Driver::TABLE,
    Vehicle::TABLE,
    Transfer::TABLE,
    TransferDelivery::TABLE,
    TransferTransport::TABLE,
    TransferPackage::TABLE,
    PlantBatch::TABLE,
    Plant::TABLE,
    PlantWaste::TABLE,
    Harvest::TABLE,
    HarvestWaste::TABLE,
    AdditivesTemplate::TABLE,
    PlantAdditive::TABLE,
    SalesReceipt::TABLE,
    SalesDelivery::TABLE,
    RetailerDelivery::TABLE,
];

/// A record the ledger keeps: one row of a projection table, named by `TABLE` in the journal.
pub trait Record: Serialize + DeserializeOwned {
    const TABLE: &'static str;
    /// The version of the record's shape. A change of shape bumps it, and the store upcasts
    /// records journaled at an earlier version when it rebuilds.
    const SCHEMA: u32 = 1;
    fn id(&self) -> i64;
    /// The license the record belongs to (`None` for records that span licenses).
    fn license(&self) -> Option<&str>;
    fn active(&self) -> bool;
    fn last_modified(&self) -> &str;
    /// The natural key it is looked up by: a folded name, a label, a key hash, a username.
    fn lookup(&self) -> Option<String>;
    /// Marks the record active or archived as of `now`.
    fn set_active(&mut self, active: bool, now: &str);
    fn to_change(&self) -> Change {
        // A record type whose serialization fails is a programming error; `Null` keeps the path
        // total, and the store refuses to project it.
        let data = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        Change::new(Self::TABLE, self.id(), Self::SCHEMA, data)
    }
}

/// Folds a name for case-insensitive look-up (rule 71).
pub fn fold(name: &str) -> String {
    name.trim().to_lowercase()
}

macro_rules! record {
    ($t:ty, $table:literal, license = $lic:expr, lookup = $lookup:expr) => {
        impl Record for $t {
            const TABLE: &'static str = $table;
            fn id(&self) -> i64 {
                self.id
            }
            fn license(&self) -> Option<&str> {
                let f: fn(&Self) -> Option<&str> = $lic;
                f(self)
            }
            fn active(&self) -> bool {
                self.active
            }
            fn last_modified(&self) -> &str {
                &self.last_modified
            }
            fn set_active(&mut self, active: bool, now: &str) {
                self.active = active;
                self.last_modified = now.to_string();
            }
            fn lookup(&self) -> Option<String> {
                let f: fn(&Self) -> Option<String> = $lookup;
                f(self)
            }
        }
    };
}

mod additives;
pub use additives::{ActiveIngredient, AdditiveType, AdditivesTemplate, PlantAdditive};
mod harvests;
pub use harvests::{Harvest, HarvestType, HarvestWaste, SourceHarvest};
mod plants;
pub use plants::{
    GrowthPhase, Plant, PlantBatch, PlantBatchType, PlantState, PlantWaste, WastedPlant,
};
mod deliveries;
pub use deliveries::{
    Courier, PlannedLine, PlannedStop, Recipient, RetailerDelivery, RetailerDeliveryState,
    ReturnedPackage, RoutePackage, SalesDelivery, SalesDeliveryState,
};
mod sales;
pub use sales::{CustomerType, SaleLine, SaleLineExtras, SalesReceipt};
mod transfers;
pub use transfers::{
    Party, ShipmentState, Transfer, TransferDelivery, TransferPackage, TransferState,
    TransferTransport,
};

/// A licensed premises: one license, one facility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    pub id: i64,
    pub license_number: String,
    pub license_type: LicenseType,
    pub name: String,
    pub display_name: String,
    pub license_start_date: String,
    pub license_end_date: String,
    pub address: Option<String>,
    pub credentialed_date: String,
    /// How the license came into the system (seeds 000 and 001, steps 1 and 2). Licenses
    /// journaled before this was recorded read as annual, administered by the operator.
    #[serde(default)]
    pub onboarding: Onboarding,
    pub active: bool,
    pub last_modified: String,
}
record!(
    Facility,
    "facilities",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(fold(&r.license_number))
);

/// A license's kind, its designated account manager and that person's training: what decides
/// whether the license's people may use the system at all (rules 1 to 3; seeds 000 and 001).
///
/// The default is what every license issued before onboarding was recorded is taken to be: an
/// annual license with no account manager, administered by the operator, whose employees have
/// access as soon as the operator employs them (the operator vouched for their training then).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Onboarding {
    pub license_kind: LicenseKind,
    /// The user the operator named as the license's account manager (rule 2), if any.
    pub account_manager_id: Option<i64>,
    /// The date (`YYYY-MM-DD`) the operator recorded the account manager's training as complete
    /// (rule 3); until then nobody at the license has access.
    pub training_completed: Option<String>,
}

/// Annual or temporary (seed 001; rule 1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenseKind {
    /// Issued on an annual application (seed 000, step 1).
    #[default]
    Annual,
    /// Temporary licensees are not provided access to the system (seed 001, step 5; rule 1).
    Temporary,
}

impl LicenseKind {
    pub const ALL: [LicenseKind; 2] = [LicenseKind::Annual, LicenseKind::Temporary];

    /// The name stored and accepted: `annual`, `temporary`.
    pub fn as_str(self) -> &'static str {
        match self {
            LicenseKind::Annual => "annual",
            LicenseKind::Temporary => "temporary",
        }
    }

    /// The kind named `name`, in any case.
    pub fn parse(name: &str) -> Option<LicenseKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(name.trim()))
    }
}

/// A person who signs in: to the web UI with username and password, to the API with user keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    /// The employee's own state license (badge) number, as Metrc's `EmployeeLicenseNumber`.
    pub employee_license_number: String,
    /// argon2 PHC string; never the password.
    pub password_hash: Option<String>,
    pub active: bool,
    pub last_modified: String,
}
record!(
    User,
    "users",
    license = |_| None,
    lookup = |r| Some(fold(&r.username))
);

/// A user's employment at one facility, with the permissions held there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Employment {
    pub id: i64,
    pub user_id: i64,
    pub license_number: String,
    pub permissions: Vec<Permission>,
    pub is_owner: bool,
    pub is_manager: bool,
    pub hire_date: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    Employment,
    "employments",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.user_id.to_string())
);

/// A state inspector's read-only access to one license, granted by the operator. An inspector
/// is a user who signs in like an employee but is not one: they appear in no facility's employee
/// list and can take no action there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inspection {
    pub id: i64,
    pub user_id: i64,
    pub license_number: String,
    pub granted_date: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    Inspection,
    "inspections",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.user_id.to_string())
);

/// An integrator's (software vendor's) key. Only its SHA-256 is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VendorKey {
    pub id: i64,
    pub name: String,
    pub key_hash: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    VendorKey,
    "vendor_keys",
    license = |_| None,
    lookup = |r| Some(r.key_hash.clone())
);

/// A user's API key. Only its SHA-256 is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserKey {
    pub id: i64,
    pub user_id: i64,
    pub key_hash: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    UserKey,
    "user_keys",
    license = |_| None,
    lookup = |r| Some(r.key_hash.clone())
);

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: i64,
    pub license_number: String,
    pub name: String,
    pub category: String,
    pub unit_of_measure: String,
    pub strain_id: Option<i64>,
    pub strain_name: Option<String>,
    pub brand_id: Option<i64>,
    pub brand_name: Option<String>,
    pub global_product_name: Option<String>,
    pub administration_method: Option<String>,
    pub unit_cbd_percent: Option<Decimal>,
    pub unit_cbd_content: Option<Decimal>,
    pub unit_cbd_content_unit: Option<String>,
    pub unit_cbd_content_dose: Option<Decimal>,
    pub unit_cbd_content_dose_unit: Option<String>,
    pub unit_thc_percent: Option<Decimal>,
    pub unit_thc_content: Option<Decimal>,
    pub unit_thc_content_unit: Option<String>,
    pub unit_thc_content_dose: Option<Decimal>,
    pub unit_thc_content_dose_unit: Option<String>,
    pub unit_volume: Option<Decimal>,
    pub unit_volume_unit: Option<String>,
    pub unit_weight: Option<Decimal>,
    pub unit_weight_unit: Option<String>,
    pub serving_size: Option<String>,
    pub supply_duration_days: Option<i64>,
    pub number_of_doses: Option<i64>,
    pub public_ingredients: Option<String>,
    pub description: Option<String>,
    pub allergens: Option<String>,
    pub product_photo_description: Option<String>,
    pub label_photo_description: Option<String>,
    pub packaging_photo_description: Option<String>,
    pub processing_job_type_name: Option<String>,
    pub approval_status_date_time: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    Item,
    "items",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(fold(&r.name))
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemBrand {
    pub id: i64,
    pub license_number: String,
    pub name: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    ItemBrand,
    "item_brands",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(fold(&r.name))
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Strain {
    pub id: i64,
    pub license_number: String,
    pub name: String,
    pub testing_status: String,
    pub thc_level: Option<Decimal>,
    pub cbd_level: Option<Decimal>,
    pub indica_percentage: Option<Decimal>,
    pub sativa_percentage: Option<Decimal>,
    pub genetics: Option<String>,
    pub active: bool,
    pub last_modified: String,
}
record!(
    Strain,
    "strains",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(fold(&r.name))
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub id: i64,
    pub license_number: String,
    pub name: String,
    pub location_type_id: i64,
    pub location_type_name: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    Location,
    "locations",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(fold(&r.name))
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sublocation {
    pub id: i64,
    pub license_number: String,
    pub name: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    Sublocation,
    "sublocations",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(fold(&r.name))
);

/// A tag order placed by a licensee and fulfilled (shipped) by the state's tag supplier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagOrder {
    pub id: i64,
    pub license_number: String,
    pub plant_tags: u32,
    pub package_tags: u32,
    pub order_status: OrderStatus,
    pub ordered_at: String,
    pub shipped_at: Option<String>,
    pub received_at: Option<String>,
    /// The first 15 characters every label of this order's shipment shares.
    pub label_prefix: Option<String>,
    /// Orders are never cancelled (rule 12); `active` is false once received.
    pub active: bool,
    pub last_modified: String,
}
record!(
    TagOrder,
    "tag_orders",
    license = |r| Some(&r.license_number),
    lookup = |_| None
);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    pub id: i64,
    pub license_number: String,
    pub label: TagLabel,
    pub kind: TagKind,
    pub tag_status: TagStatus,
    pub order_id: i64,
    pub shipped_at: String,
    pub received_at: Option<String>,
    pub used_at: Option<String>,
    pub voided_at: Option<String>,
    /// False once used or voided.
    pub active: bool,
    pub last_modified: String,
}
record!(
    Tag,
    "tags",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.label.as_str().to_string())
);

/// Where a package is in its life (cctt-rules §2.4). `OnHold` is a flag on top of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PackageState {
    Active,
    /// On a transfer that has departed (issue 4); the shipper cannot change it (rule 35).
    InTransit,
    /// Quantity 0, finished with a date; readable, and can be unfinished (rule 33, bulletin III).
    Finished,
    /// Discontinued (`DELETE /packages/v2/{id}`): created in error, taken out of inventory.
    Discontinued,
}

/// A package of product: a tagged, quantified lot of one item at one facility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Package {
    pub id: i64,
    pub license_number: String,
    pub label: TagLabel,
    pub package_type: String,
    pub item_id: i64,
    pub item_name: String,
    pub item_category: String,
    pub item_strain_name: Option<String>,
    pub quantity: Decimal,
    pub unit_of_measure: String,
    pub original_quantity: Decimal,
    pub location_id: Option<i64>,
    pub location_name: Option<String>,
    pub sublocation_id: Option<i64>,
    pub sublocation_name: Option<String>,
    pub note: Option<String>,
    pub packaged_date: String,
    /// The license that created the package ("Packaged By", bulletin I).
    pub packaged_by_license: String,
    pub packaged_by_name: String,
    pub source_package_ids: Vec<i64>,
    pub source_package_labels: Vec<String>,
    pub production_batch_number: Option<String>,
    pub is_production_batch: bool,
    pub is_testing_sample: bool,
    pub is_trade_sample: bool,
    pub is_donation: bool,
    pub is_finished_good: bool,
    pub product_requires_remediation: bool,
    pub initial_lab_testing_state: LabState,
    pub lab_testing_state: LabState,
    pub lab_testing_state_date: String,
    pub remediation_count: u32,
    pub remediation_date: Option<String>,
    pub decontamination_date: Option<String>,
    pub on_hold: bool,
    pub hold_reason: Option<String>,
    pub state: PackageState,
    pub finished_date: Option<String>,
    pub expiration_date: Option<String>,
    pub sell_by_date: Option<String>,
    pub use_by_date: Option<String>,
    pub external_id: Option<String>,
    pub archived_date: Option<String>,
    /// The laboratory a testing sample was sent to.
    #[serde(default)]
    pub lab_license: Option<String>,
    /// The manifest it last arrived on, when it was accepted, and from whom.
    #[serde(default)]
    pub received: Option<Received>,
    /// The harvests it was packaged from (`POST /harvests/v2/packages`); none for packages made
    /// from packages, and for every package journaled before harvests existed.
    #[serde(default)]
    pub source_harvests: Vec<SourceHarvest>,
    pub active: bool,
    pub last_modified: String,
}

impl Package {
    /// The list a package belongs to: `active` and `onhold` overlap (a held package is still in
    /// active inventory), `inactive` holds finished and discontinued ones.
    pub fn list_status(&self) -> &'static str {
        match (self.state, self.on_hold) {
            (PackageState::Active, true) => "OnHold",
            (PackageState::Active, false) => "Active",
            (PackageState::InTransit, _) => "InTransit",
            (PackageState::Finished, _) => "Finished",
            (PackageState::Discontinued, _) => "Discontinued",
        }
    }
}
record!(
    Package,
    "packages",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.label.as_str().to_string())
);

/// Where a package came from when it arrived on a manifest (`ReceivedFrom…` on the wire).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Received {
    pub at: String,
    pub manifest_number: String,
    pub license_number: String,
    pub name: String,
}

/// A driver of a distributor's transport (rule 39).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Driver {
    pub id: i64,
    pub license_number: String,
    pub name: String,
    pub drivers_license_number: String,
    /// The driver's employee id at the facility, as Metrc's `EmployeeId`.
    pub employee_id: Option<String>,
    pub active: bool,
    pub last_modified: String,
}
record!(
    Driver,
    "drivers",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(fold(&r.drivers_license_number))
);

/// A vehicle a distributor owns or leases (rule 39).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vehicle {
    pub id: i64,
    pub license_number: String,
    pub make: String,
    pub model: String,
    pub license_plate_number: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    Vehicle,
    "vehicles",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(fold(&r.license_plate_number))
);

/// A testing sample sent to a laboratory: the lab's view of it (`GET /packages/v2/labsamples`).
/// Until transfer manifests exist (issue 4) this record is how custody is documented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabSample {
    /// The sample package's id.
    pub id: i64,
    /// The laboratory's license.
    pub lab_license: String,
    pub lab_name: String,
    pub owner_license: String,
    pub package_label: String,
    pub sent_at: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    LabSample,
    "lab_samples",
    license = |r| Some(&r.lab_license),
    lookup = |r| Some(fold(&r.owner_license))
);

/// One test-type result a laboratory recorded for a sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabResult {
    pub id: i64,
    pub lab_license: String,
    pub lab_name: String,
    pub package_id: i64,
    pub package_label: String,
    pub owner_license: String,
    pub item_name: String,
    pub item_category: String,
    pub test_type: String,
    pub quantity: Option<Decimal>,
    pub passed: bool,
    pub notes: Option<String>,
    pub informational: bool,
    pub research: bool,
    pub result_date: String,
    pub document_id: Option<i64>,
    pub released: bool,
    pub released_at: Option<String>,
    pub active: bool,
    pub last_modified: String,
}
record!(
    LabResult,
    "lab_results",
    license = |r| Some(&r.lab_license),
    lookup = |r| Some(r.package_id.to_string())
);

/// A certificate of analysis: its metadata here, its bytes in the content-addressed document
/// store under `sha256` (the journal carries the hash, not the file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabDocument {
    pub id: i64,
    pub lab_license: String,
    pub package_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    LabDocument,
    "lab_documents",
    license = |r| Some(&r.lab_license),
    lookup = |r| Some(r.package_id.to_string())
);

/// One recorded quantity adjustment of a package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageAdjustment {
    pub id: i64,
    pub license_number: String,
    pub package_id: i64,
    pub package_label: String,
    pub item_name: String,
    pub item_category: String,
    /// Signed: negative removes.
    pub quantity: Decimal,
    pub unit_of_measure: String,
    pub reason: String,
    pub note: Option<String>,
    pub adjustment_date: String,
    pub packaged_date: String,
    pub adjusted_by: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    PackageAdjustment,
    "package_adjustments",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.package_id.to_string())
);

/// A lineage edge: `child_id` was made (in part) from `parent_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageLink {
    pub id: i64,
    pub license_number: String,
    pub parent_id: i64,
    pub parent_label: String,
    pub child_id: i64,
    pub child_label: String,
    pub quantity: Decimal,
    pub unit_of_measure: String,
    pub active: bool,
    pub last_modified: String,
}
record!(
    PackageLink,
    "package_links",
    license = |r| Some(&r.license_number),
    lookup = |r| Some(r.parent_id.to_string())
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_carries_scoping_columns() {
        let s = Strain {
            id: 3,
            license_number: "L-1".into(),
            name: "Blue Dream".into(),
            testing_status: "None".into(),
            thc_level: Some(Decimal::new(1865, 4)),
            cbd_level: None,
            indica_percentage: None,
            sativa_percentage: None,
            genetics: None,
            active: true,
            last_modified: "t".into(),
        };
        let c = s.to_change();
        assert_eq!(c.table, "strains");
        assert_eq!(s.lookup().as_deref(), Some("blue dream"));
        let back: Strain = serde_json::from_value(c.data).unwrap();
        assert_eq!(back, s);
    }
}
