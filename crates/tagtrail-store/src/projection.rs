//! How each record is kept in its projection table: the columns every table shares (`id`,
//! `license_number`, `active`, `last_modified`, `schema`, `data`), and the typed columns that
//! are filtered, joined, summed or must be unique (labels, names, ids of related rows, states,
//! quantities). The record's JSON stays in `data` for everything else.
//!
//! A journal change carries a record's JSON and the version of its shape (`schema`). The columns
//! are derived from it here, by decoding it into the record type, on every write and again when
//! `audit verify` or a schema migration rebuilds the tables from the journal, so the live path
//! and the rebuild are the same code. A record whose shape changes gets a new schema version and
//! an upcast from the old one in [`decode`]; old entries keep meaning what they meant.

use crate::{Result, StoreError};
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tagtrail_domain::records::*;

/// A typed column some projection table carries. Filters name these, and the store refuses a
/// filter on a column the record's table does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    LicenseKey,
    LicenseType,
    UsernameKey,
    UserId,
    KeyHash,
    NameKey,
    Category,
    LocationType,
    Status,
    LabelPrefix,
    Label,
    Kind,
    OrderId,
    ItemId,
    LocationId,
    LabState,
    Quantity,
    PackageId,
    Reason,
    ParentId,
    ChildId,
    OwnerLicense,
    Released,
    DocumentId,
    Sha256,
    DriversLicenseKey,
    PlateKey,
    ManifestNumber,
    State,
    RecipientLicense,
    TransporterLicense,
    ShipperLicense,
    TransferId,
    PackageLabel,
    ItemName,
    LocationName,
    LicenseKind,
    AccountManagerId,
    TrainingCompleted,
    StrainId,
    PlantCount,
    GrowthPhase,
    Mother,
    PlantBatchId,
    HarvestId,
    AdditiveType,
    ExternalNumber,
    SalesDate,
    RetailerDeliveryId,
}

impl Column {
    pub fn name(self) -> &'static str {
        match self {
            Column::LicenseKey => "license_key",
            Column::LicenseType => "license_type",
            Column::UsernameKey => "username_key",
            Column::UserId => "user_id",
            Column::KeyHash => "key_hash",
            Column::NameKey => "name_key",
            Column::Category => "category",
            Column::LocationType => "location_type",
            Column::Status => "status",
            Column::LabelPrefix => "label_prefix",
            Column::Label => "label",
            Column::Kind => "kind",
            Column::OrderId => "order_id",
            Column::ItemId => "item_id",
            Column::LocationId => "location_id",
            Column::LabState => "lab_state",
            Column::Quantity => "quantity",
            Column::PackageId => "package_id",
            Column::Reason => "reason",
            Column::ParentId => "parent_id",
            Column::ChildId => "child_id",
            Column::OwnerLicense => "owner_license",
            Column::Released => "released",
            Column::DocumentId => "document_id",
            Column::Sha256 => "sha256",
            Column::DriversLicenseKey => "drivers_license_key",
            Column::PlateKey => "plate_key",
            Column::ManifestNumber => "manifest_number",
            Column::State => "state",
            Column::RecipientLicense => "recipient_license",
            Column::TransporterLicense => "transporter_license",
            Column::ShipperLicense => "shipper_license",
            Column::TransferId => "transfer_id",
            Column::PackageLabel => "package_label",
            Column::ItemName => "item_name",
            Column::LocationName => "location_name",
            Column::LicenseKind => "license_kind",
            Column::AccountManagerId => "account_manager_id",
            Column::TrainingCompleted => "training_completed",
            Column::StrainId => "strain_id",
            Column::PlantCount => "plant_count",
            Column::GrowthPhase => "growth_phase",
            Column::Mother => "mother",
            Column::PlantBatchId => "plant_batch_id",
            Column::HarvestId => "harvest_id",
            Column::AdditiveType => "additive_type",
            Column::ExternalNumber => "external_number",
            Column::SalesDate => "sales_date",
            Column::RetailerDeliveryId => "retailer_delivery_id",
        }
    }
}

/// The SQL type of a typed column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Int,
    Bool,
    /// Exact decimal: NUMERIC on PostgreSQL; on SQLite the decimal's text, which keeps its
    /// scale (SQLite's NUMERIC affinity would turn 12.50 into the float 12.5).
    Decimal,
}

/// A value bound to a column or a filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Text(Option<String>),
    Int(Option<i64>),
    Bool(bool),
    Decimal(Option<Decimal>),
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Text(Some(s.to_string()))
    }
}

impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Text(Some(s))
    }
}

impl From<i64> for Val {
    fn from(i: i64) -> Val {
        Val::Int(Some(i))
    }
}

impl From<bool> for Val {
    fn from(b: bool) -> Val {
        Val::Bool(b)
    }
}

/// One table's layout.
#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: &'static [(Column, Kind)],
    /// The column `find_many` looks records up by (their natural key), if any.
    pub key: Option<Column>,
}

impl Table {
    pub fn kind(&self, c: Column) -> Option<Kind> {
        self.columns.iter().find(|(x, _)| *x == c).map(|(_, k)| *k)
    }
}

/// A table kept in two tiers (rule 72, the July 2020 bulletin's "data optimization"): its
/// active rows in the table itself, its inactive ones (finished, finalized, voided) in a history
/// table of the same layout, so that the active lists, by-label look-ups and writes of a busy
/// facility never touch its years of history. Which tier a row is in is its `active` flag, and
/// the database checks it. Every row's identity (id, license, the natural key that must stay
/// unique across both tiers) is in a keys table that never moves, which the other tables'
/// foreign keys reference. A row moves in the transaction of the journal entry that changes its
/// `active` flag: a finish moves it to history, an unfinish back.
#[derive(Debug)]
pub(crate) struct Tier {
    pub history: &'static str,
    pub keys: &'static str,
    /// The typed columns the keys table repeats (unique there across both tiers).
    pub key_columns: &'static [Column],
}

const PACKAGES_TIER: Tier = Tier {
    history: "packages_history",
    keys: "package_keys",
    key_columns: &[Column::Label],
};

const HARVESTS_TIER: Tier = Tier {
    history: "harvests_history",
    keys: "harvest_keys",
    key_columns: &[Column::NameKey],
};

/// A receipt's external number is unique in its license among receipts not voided: the keys
/// table keeps the status for that index.
const SALES_RECEIPTS_TIER: Tier = Tier {
    history: "sales_receipts_history",
    keys: "sales_receipt_keys",
    key_columns: &[Column::ExternalNumber, Column::Status],
};

const TRANSFERS_TIER: Tier = Tier {
    history: "transfers_history",
    keys: "transfer_keys",
    key_columns: &[Column::ManifestNumber],
};

/// The tables whose `data` SQLite keeps packed ([`crate::packing`], migration 0027): the rows
/// there are many (a package's history row, its adjustments, its lineage links, its lab results) and
/// are read by id or by typed column, never searched inside. PostgreSQL keeps them as JSONB, which
/// its triggers and TOAST already handle; a reader takes either form from either backend.
pub(crate) const PACKED: [&str; 4] = [
    "packages_history",
    "package_adjustments",
    "package_links",
    "lab_results",
];

/// The history tier of `t`, if it has one (migrations 0022 to 0025).
pub(crate) fn tier(t: &Table) -> Option<&'static Tier> {
    match t.name {
        "packages" => Some(&PACKAGES_TIER),
        "harvests" => Some(&HARVESTS_TIER),
        "sales_receipts" => Some(&SALES_RECEIPTS_TIER),
        "transfers" => Some(&TRANSFERS_TIER),
        _ => None,
    }
}

/// The table expression a read of `t` selects from: for a tiered table the active tier when
/// only active rows are asked for, the history tier for inactive ones, else both.
pub(crate) fn source(t: &Table, active: Option<bool>) -> String {
    match (tier(t), active) {
        (None, _) | (Some(_), Some(true)) => t.name.to_string(),
        (Some(h), Some(false)) => format!("{} AS {}", h.history, t.name),
        (Some(h), None) => format!(
            "(SELECT * FROM {} UNION ALL SELECT * FROM {}) AS {}",
            t.name, h.history, t.name
        ),
    }
}

/// The physical tables of `t`: itself and, when tiered, its history.
pub(crate) fn tiers(t: &Table) -> Vec<&'static str> {
    let mut out = vec![t.name];
    if let Some(h) = tier(t) {
        out.push(h.history);
    }
    out
}

/// A record as its table row: the shared columns, the typed ones in table order, the JSON.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub id: i64,
    pub license_number: Option<String>,
    pub active: bool,
    pub last_modified: String,
    pub schema: u32,
    pub typed: Vec<Val>,
    pub data: String,
}

/// A record type's place in storage.
pub(crate) trait Projected: Record {
    const LAYOUT: Table;
    /// The typed columns' values, in [`Table::columns`] order.
    fn values(&self) -> Vec<Val>;
}

fn text(s: impl Into<String>) -> Val {
    Val::Text(Some(s.into()))
}

fn opt(s: Option<impl Into<String>>) -> Val {
    Val::Text(s.map(Into::into))
}

fn int(i: i64) -> Val {
    Val::Int(Some(i))
}

macro_rules! projected {
    ($t:ty, key: $key:expr, [$($col:ident: $kind:ident),* $(,)?], |$r:ident| [$($val:expr),* $(,)?]) => {
        impl Projected for $t {
            const LAYOUT: Table = Table {
                name: <$t as Record>::TABLE,
                columns: &[$((Column::$col, Kind::$kind)),*],
                key: $key,
            };
            fn values(&self) -> Vec<Val> {
                let $r = self;
                vec![$($val),*]
            }
        }
    };
}

// The onboarding columns carry the database's own checks (a known kind, an account manager who
// is a user, training only with an account manager: migration 0012).
projected!(Facility, key: Some(Column::LicenseKey),
[LicenseKey: Text, LicenseType: Text, LicenseKind: Text, AccountManagerId: Int,
 TrainingCompleted: Text],
|r| [
    text(fold(&r.license_number)),
    text(r.license_type.as_str()),
    text(r.onboarding.license_kind.as_str()),
    Val::Int(r.onboarding.account_manager_id),
    opt(r.onboarding.training_completed.clone()),
]);
projected!(User, key: Some(Column::UsernameKey), [UsernameKey: Text],
    |r| [text(fold(&r.username))]);
projected!(Employment, key: Some(Column::UserId), [UserId: Int], |r| [int(r.user_id)]);
projected!(Inspection, key: Some(Column::UserId), [UserId: Int], |r| [int(r.user_id)]);
projected!(VendorKey, key: Some(Column::KeyHash), [KeyHash: Text], |r| [text(&*r.key_hash)]);
projected!(UserKey, key: Some(Column::KeyHash), [KeyHash: Text, UserId: Int],
    |r| [text(&*r.key_hash), int(r.user_id)]);
projected!(Item, key: Some(Column::NameKey), [NameKey: Text, Category: Text],
    |r| [text(fold(&r.name)), text(&*r.category)]);
projected!(ItemBrand, key: Some(Column::NameKey), [NameKey: Text], |r| [text(fold(&r.name))]);
projected!(Strain, key: Some(Column::NameKey), [NameKey: Text], |r| [text(fold(&r.name))]);
projected!(Location, key: Some(Column::NameKey), [NameKey: Text, LocationType: Text],
    |r| [text(fold(&r.name)), text(&*r.location_type_name)]);
projected!(Sublocation, key: Some(Column::NameKey), [NameKey: Text], |r| [text(fold(&r.name))]);
projected!(TagOrder, key: None, [Status: Text, LabelPrefix: Text],
    |r| [text(r.order_status.as_str()), opt(r.label_prefix.clone())]);
projected!(Tag, key: Some(Column::Label), [Label: Text, Kind: Text, Status: Text, OrderId: Int],
    |r| [text(r.label.as_str()), text(r.kind.as_str()), text(r.tag_status.as_str()), int(r.order_id)]);
projected!(Package, key: Some(Column::Label),
[Label: Text, Status: Text, ItemId: Int, LocationId: Int, LabState: Text, Quantity: Decimal,
 ItemName: Text, LocationName: Text],
|r| [
    text(r.label.as_str()),
    text(r.list_status()),
    int(r.item_id),
    Val::Int(r.location_id),
    text(r.lab_testing_state.name()),
    Val::Decimal(Some(r.quantity)),
    // Folded, as the package shows them: for sorting and partial matches in the web UI.
    text(fold(&r.item_name)),
    opt(r.location_name.as_deref().map(fold)),
]);
projected!(PackageAdjustment, key: Some(Column::PackageId), [PackageId: Int, Reason: Text],
    |r| [int(r.package_id), text(&*r.reason)]);
projected!(PackageLink, key: Some(Column::ParentId), [ParentId: Int, ChildId: Int],
    |r| [int(r.parent_id), int(r.child_id)]);
projected!(LabSample, key: Some(Column::OwnerLicense), [OwnerLicense: Text],
    |r| [text(&*r.owner_license)]);
projected!(LabResult, key: Some(Column::PackageId),
    [PackageId: Int, Released: Bool, OwnerLicense: Text, DocumentId: Int],
    |r| [int(r.package_id), Val::Bool(r.released), text(&*r.owner_license), Val::Int(r.document_id)]);
projected!(LabDocument, key: Some(Column::PackageId), [PackageId: Int, Sha256: Text],
    |r| [int(r.package_id), text(&*r.sha256)]);
projected!(Driver, key: Some(Column::DriversLicenseKey), [DriversLicenseKey: Text, NameKey: Text],
    |r| [text(fold(&r.drivers_license_number)), text(fold(&r.name))]);
projected!(Vehicle, key: Some(Column::PlateKey), [PlateKey: Text],
    |r| [text(fold(&r.license_plate_number))]);
projected!(Transfer, key: Some(Column::ManifestNumber),
[ManifestNumber: Text, State: Text, Status: Text, RecipientLicense: Text, TransporterLicense: Text],
|r| [
    opt((!r.manifest_number.is_empty()).then(|| r.manifest_number.clone())),
    text(r.state.as_str()),
    text(r.list_status()),
    text(&*r.recipient.license_number),
    text(&*r.transporter.license_number),
]);
projected!(TransferDelivery, key: Some(Column::ShipperLicense), [ShipperLicense: Text, Status: Text],
    |r| [text(&*r.shipper_license), text(&*r.status)]);
projected!(TransferTransport, key: Some(Column::ShipperLicense), [ShipperLicense: Text, Status: Text],
    |r| [text(&*r.shipper_license), text(&*r.status)]);
projected!(TransferPackage, key: Some(Column::PackageLabel),
    [PackageLabel: Text, Status: Text, TransferId: Int, PackageId: Int],
    |r| [text(r.package.label.as_str()), text(r.list_status()), int(r.transfer_id), int(r.package.id)]);

// Cultivation (migration 0013): the database holds a batch's count within 0..=100 (rules 19,
// 24), a plant's unique label and known status and phase, and a waste weight not negative.
projected!(PlantBatch, key: Some(Column::NameKey),
[NameKey: Text, Label: Text, StrainId: Int, LocationId: Int, PlantCount: Int],
|r| [
    text(fold(&r.name)),
    opt(r.tag.as_ref().map(|t| t.as_str().to_string())),
    int(r.strain_id),
    int(r.location_id),
    int(r.untracked_count),
]);
projected!(Plant, key: Some(Column::Label),
[Label: Text, Status: Text, GrowthPhase: Text, Mother: Bool, PlantBatchId: Int, StrainId: Int,
 LocationId: Int, HarvestId: Int],
|r| [
    text(r.label.as_str()),
    text(r.list_status()),
    text(r.growth_phase.as_str()),
    Val::Bool(r.is_mother),
    int(r.plant_batch_id),
    int(r.strain_id),
    int(r.location_id),
    Val::Int(r.harvest_id),
]);
projected!(PlantWaste, key: None, [Kind: Text, PlantBatchId: Int, Reason: Text, Quantity: Decimal],
|r| [
    text(r.kind()),
    Val::Int(r.plant_batch_id),
    text(&*r.waste_reason_name),
    Val::Decimal(Some(r.waste_weight)),
]);

// A harvest's name is unique in its license, finished or not (migration 0014); its quantity is
// its current weight, which the database keeps at zero or above.
projected!(Harvest, key: Some(Column::NameKey),
[NameKey: Text, Status: Text, LocationId: Int, Quantity: Decimal],
|r| [
    text(fold(&r.name)),
    text(r.list_status()),
    int(r.drying_location_id),
    Val::Decimal(Some(r.current_weight())),
]);
projected!(HarvestWaste, key: Some(Column::HarvestId), [HarvestId: Int],
    |r| [int(r.harvest_id)]);

// Additives (migration 0015): a template's name is unique among the license's active ones and
// its type a known one; an application's type is known, its amount above zero, it treats at
// least one plant, and a batch it names is a row.
projected!(AdditivesTemplate, key: Some(Column::NameKey), [NameKey: Text, AdditiveType: Text],
    |r| [text(fold(&r.name)), text(r.additive_type.as_str())]);
projected!(PlantAdditive, key: None,
[Kind: Text, AdditiveType: Text, PlantBatchId: Int, PlantCount: Int, Quantity: Decimal],
|r| [
    text(r.kind()),
    text(r.additive_type.as_str()),
    Val::Int(r.plant_batch_id),
    int(r.plant_count),
    Val::Decimal(Some(r.total_amount_applied)),
]);

// Sales receipts (migration 0019): the external number is unique per license among receipts
// not voided; the status agrees with `active` (rule 64); the total price is never negative.
projected!(SalesReceipt, key: Some(Column::ExternalNumber),
[ExternalNumber: Text, SalesDate: Text, Status: Text, Quantity: Decimal],
|r| [
    opt(r.external_receipt_number.clone()),
    text(&*r.sales_date_time),
    text(r.status()),
    Val::Decimal(Some(r.total_price())),
]);

// Retail delivery (migration 0021): a route's status agrees with `active` and nothing on it is
// sold or returned beyond what was loaded (the least of loaded − sold − returned over its
// packages is not negative); a sales delivery's status agrees with `active`, its total price is
// not negative, and the route it was sold from is a row.
projected!(RetailerDelivery, key: None, [Status: Text, Quantity: Decimal],
    |r| [text(r.state.as_str()), Val::Decimal(Some(r.least_unaccounted()))]);
projected!(SalesDelivery, key: None,
[SalesDate: Text, Status: Text, RetailerDeliveryId: Int, Quantity: Decimal],
|r| [
    text(&*r.sales_date_time),
    text(r.state.as_str()),
    Val::Int(r.retailer_delivery_id),
    Val::Decimal(Some(r.total_price())),
]);

/// Calls `$m!(Type)` for every projected record type, in the order their tables are created
/// (referenced tables first).
macro_rules! each_projected {
    ($m:ident) => {
        $m!(Facility);
        $m!(User);
        $m!(Employment);
        $m!(Inspection);
        $m!(VendorKey);
        $m!(UserKey);
        $m!(Strain);
        $m!(ItemBrand);
        $m!(Item);
        $m!(Location);
        $m!(Sublocation);
        $m!(TagOrder);
        $m!(Tag);
        $m!(Package);
        $m!(PackageAdjustment);
        $m!(PackageLink);
        $m!(LabSample);
        $m!(LabDocument);
        $m!(LabResult);
        $m!(Driver);
        $m!(Vehicle);
        $m!(Transfer);
        $m!(TransferDelivery);
        $m!(TransferTransport);
        $m!(TransferPackage);
        $m!(Harvest);
        $m!(HarvestWaste);
        $m!(PlantBatch);
        $m!(Plant);
        $m!(PlantWaste);
        $m!(AdditivesTemplate);
        $m!(PlantAdditive);
        $m!(SalesReceipt);
        $m!(RetailerDelivery);
        $m!(SalesDelivery);
    };
}

/// Every projection table's layout, referenced tables first.
pub(crate) fn tables() -> &'static [&'static Table] {
    static TABLES: std::sync::OnceLock<Vec<&'static Table>> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let mut out: Vec<&'static Table> = Vec::new();
        macro_rules! push {
            ($t:ty) => {
                out.push(&<$t as Projected>::LAYOUT);
            };
        }
        each_projected!(push);
        out
    })
}

/// The layout of the table named `name`, which guards every table name spliced into SQL.
pub(crate) fn table(name: &str) -> Result<&'static Table> {
    tables()
        .iter()
        .copied()
        .find(|t| t.name == name)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown table {name:?}")))
}

/// Decodes a record of shape version `schema`. Every record type is at version 1; a later shape
/// adds its upcast from the earlier one here.
fn decode<R: DeserializeOwned>(schema: u32, data: &Value) -> Result<R> {
    match schema {
        1 => Ok(R::deserialize(data)?),
        v => Err(StoreError::Corrupt(format!(
            "record shape version {v} is newer than this release of tagtrail"
        ))),
    }
}

fn row_of<R: Projected>(r: &R, schema: u32) -> Result<Row> {
    Ok(Row {
        id: r.id(),
        license_number: r.license().map(str::to_string),
        active: r.active(),
        last_modified: r.last_modified().to_string(),
        schema,
        typed: r.values(),
        data: serde_json::to_string(r)?,
    })
}

/// The row a change writes into its table.
pub(crate) fn project(table_name: &str, schema: u32, data: &Value) -> Result<Row> {
    macro_rules! try_table {
        ($t:ty) => {
            if table_name == <$t as Record>::TABLE {
                let r: $t = decode(schema, data)?;
                return row_of(&r, schema);
            }
        };
    }
    each_projected!(try_table);
    Err(StoreError::Corrupt(format!("unknown table {table_name:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_table_has_a_layout_and_keys_are_columns() {
        let names: Vec<&str> = tables().iter().map(|t| t.name).collect();
        for t in TABLES {
            assert!(names.contains(t), "{t} has no layout");
        }
        assert_eq!(names.len(), TABLES.len());
        for t in tables() {
            if let Some(k) = t.key {
                assert!(t.kind(k).is_some(), "{}: key {k:?} is not a column", t.name);
            }
        }
    }
}
