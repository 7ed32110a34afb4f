//! The change feed, scoped: a license's changed records in journal order, each as the entry that
//! changed it left it, and only the record types the API shows and the caller may read there.
//!
//! The store keeps, per license, which rows each entry changed (its own rows, and the manifests
//! naming it as recipient or transporter; `tagtrail-store/src/feed.rs`). Here the feed is cut to
//! what the scope may see: a closed list of record types, each with the permissions its Metrc
//! endpoints ask ([`VISIBLE`]); users, keys, employments, inspections and facilities are never
//! in it, nor records another license reaches only through a rule of its own (samples, lab
//! results, manifest lines), which have no place in a license's own feed.

use crate::identity::Scope;
use crate::{AppResult, Ledger};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{
    Driver, Harvest, Item, ItemBrand, Location, Package, PackageAdjustment, Plant, PlantBatch,
    Record, RetailerDelivery, SalesDelivery, SalesReceipt, Strain, Sublocation, Tag, Transfer,
    TransferState, Vehicle,
};
pub use tagtrail_store::FeedCursor as Cursor;
use tagtrail_store::FeedRow;

/// Store rows read per visible item asked for before a short page is returned: a caller who may
/// see few of a license's types still gets an answer in bounded time, and its cursor moves past
/// what it may not see.
const SCAN_FACTOR: u32 = 10;

/// A changed record, typed.
#[derive(Debug, Clone)]
pub enum Changed {
    Package(Box<Package>),
    PackageAdjustment(Box<PackageAdjustment>),
    Item(Box<Item>),
    ItemBrand(Box<ItemBrand>),
    Strain(Box<Strain>),
    Location(Box<Location>),
    Sublocation(Box<Sublocation>),
    Tag(Box<Tag>),
    Harvest(Box<Harvest>),
    PlantBatch(Box<PlantBatch>),
    Plant(Box<Plant>),
    Transfer(Box<Transfer>),
    Driver(Box<Driver>),
    Vehicle(Box<Vehicle>),
    SalesReceipt(Box<SalesReceipt>),
    SalesDelivery(Box<SalesDelivery>),
    RetailerDelivery(Box<RetailerDelivery>),
}

/// The record types in a feed, with the permissions that let a caller read them over the API
/// (any one suffices; the same ones their `GET` endpoints ask). A manifest template asks
/// [`TEMPLATES`] instead.
pub const VISIBLE: &[(&str, &[Permission])] = &[
    (Package::TABLE, &[Permission::ViewPackages]),
    (PackageAdjustment::TABLE, &[Permission::ViewPackages]),
    (Item::TABLE, &[Permission::ManageItems]),
    (ItemBrand::TABLE, &[Permission::ManageItems]),
    (Strain::TABLE, &[Permission::ManageStrains]),
    (Location::TABLE, &[Permission::ManageLocations]),
    (Sublocation::TABLE, &[Permission::ManageLocations]),
    (Tag::TABLE, &[Permission::ManageTags]),
    (Harvest::TABLE, &[Permission::ViewHarvests]),
    (PlantBatch::TABLE, &[Permission::ViewImmaturePlants]),
    (Plant::TABLE, &[Permission::ViewVegFlowerPlants]),
    (
        Transfer::TABLE,
        &[Permission::ViewTransfers, Permission::ManageTransfers],
    ),
    (
        Driver::TABLE,
        &[Permission::Transporters, Permission::ManageTransporters],
    ),
    (
        Vehicle::TABLE,
        &[Permission::Transporters, Permission::ManageTransporters],
    ),
    (SalesReceipt::TABLE, crate::actions::sales::VIEW),
    (SalesDelivery::TABLE, crate::actions::deliveries::VIEW),
    (
        RetailerDelivery::TABLE,
        crate::actions::deliveries::VIEW_ROUTES,
    ),
];

/// Who may read a manifest template (its shipper's people only: the store never puts a template
/// in another license's feed).
pub const TEMPLATES: &[Permission] = &[
    Permission::ViewTransferTemplates,
    Permission::ManageTransferTemplates,
];

/// One item of a feed.
#[derive(Debug, Clone)]
pub struct Change {
    /// The cursor just after this item.
    pub cursor: Cursor,
    pub seq: i64,
    /// The feed's license (for a manifest, the shipper's, recipient's or transporter's).
    pub license_number: String,
    pub id: i64,
    /// When the entry was recorded.
    pub recorded_at: String,
    /// Whether this entry created the record (no earlier entry touched it).
    pub created: bool,
    /// Whether the record is active as this entry left it.
    pub active: bool,
    /// The record as this entry left it.
    pub record: Changed,
}

/// One page of a feed.
#[derive(Debug, Clone)]
pub struct Changes {
    pub items: Vec<Change>,
    /// Where the next page starts: after the last row read, which may be past the last item
    /// (rows the caller may not see are stepped over). Equal to the cursor asked for when
    /// nothing has changed since.
    pub next: Cursor,
}

fn typed(row: &FeedRow) -> AppResult<Option<Changed>> {
    macro_rules! of {
        ($($t:ident),*) => {
            $(if row.table == $t::TABLE {
                return Ok(Some(Changed::$t(Box::new(row.record::<$t>()?))));
            })*
        };
    }
    of!(
        Package,
        PackageAdjustment,
        Item,
        ItemBrand,
        Strain,
        Location,
        Sublocation,
        Tag,
        Harvest,
        PlantBatch,
        Plant,
        Transfer,
        Driver,
        Vehicle,
        SalesReceipt,
        SalesDelivery,
        RetailerDelivery
    );
    Ok(None)
}

impl Ledger {
    /// Up to `limit` items of the scope's change feed after `after`. A page holds fewer when
    /// the feed ends or when many rows in a row are ones the caller may not see; the feed has
    /// ended when a page's `next` equals `after`.
    pub async fn changes(&self, scope: &Scope, after: Cursor, limit: u32) -> AppResult<Changes> {
        let limit = limit.max(1);
        let mut items = Vec::new();
        let mut next = after;
        let mut budget = limit.saturating_mul(SCAN_FACTOR);
        while items.len() < limit as usize && budget > 0 {
            let ask = (limit - items.len() as u32).min(budget);
            let rows = self.store.changes(scope.license(), next, ask).await?;
            budget = budget.saturating_sub(rows.len() as u32);
            let ended = (rows.len() as u32) < ask;
            for row in &rows {
                next = row.cursor();
                let Some(perms) = VISIBLE
                    .iter()
                    .find(|(t, _)| *t == row.table)
                    .map(|(_, p)| *p)
                else {
                    continue;
                };
                let Some(record) = typed(row)? else {
                    continue;
                };
                let perms = match &record {
                    Changed::Transfer(t) if t.state == TransferState::Template => TEMPLATES,
                    _ => perms,
                };
                if !scope.holds_any(perms) {
                    continue;
                }
                items.push(Change {
                    cursor: row.cursor(),
                    seq: row.seq,
                    license_number: row.license_number.clone(),
                    id: row.row_id,
                    recorded_at: row.recorded_at.clone(),
                    created: row.created,
                    active: row.active,
                    record,
                });
            }
            if ended {
                break;
            }
        }
        Ok(Changes { items, next })
    }
}
