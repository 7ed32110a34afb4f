//! The change feed over the API (tagtrail extension): a license's changed records in journal
//! order, behind a cursor, so an integrator syncs without `lastModified` windows. Each item
//! carries the record as the matching Metrc `GET` shows it, as the entry left it; webhook
//! deliveries carry exactly these items ([`feed_page`]).

use super::{deliveries, harvests, plantbatches, plants, sales, transfers, transporters};
use crate::Read;
use crate::error::ApiError;
use crate::json::Json;
use crate::map;
use serde::{Serialize, Serializer};
use serde_json::Value;
pub use tagtrail_app::changes::Cursor;
use tagtrail_app::changes::{Change, Changed};
use tagtrail_app::{Ledger, Scope};
use utoipa::ToSchema;

/// Items per page when `pageSize` is not given.
pub const DEFAULT_PAGE_SIZE: u32 = 100;
/// The most items a page may ask for: larger than Metrc's 20 because a feed is read to its end.
pub const MAX_PAGE_SIZE: u32 = 500;

fn as_text<S: Serializer>(c: &Cursor, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(c)
}

/// One changed record.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FeedItem {
    /// Where the feed continues after this item (`SEQ.ORDINAL`).
    #[serde(serialize_with = "as_text")]
    #[schema(value_type = String)]
    pub cursor: Cursor,
    /// The journal entry that made the change.
    pub seq: i64,
    /// `Package`, `Item`, `Strain`, `Transfer`… (the record type's Metrc name).
    pub object_type: String,
    /// `Created` (the first change of the record) or `Updated` (any later one, including
    /// finishing, archiving, voiding: `Record` says which).
    pub verb: String,
    pub id: i64,
    /// The feed's license (a manifest is also in its recipient's and transporter's feeds).
    pub license_number: String,
    /// When the entry was recorded.
    pub recorded_at: String,
    /// The record as the matching Metrc `GET` returns it, as this change left it.
    #[schema(value_type = Object)]
    pub record: Value,
}

/// One page of a feed: `{"Data": [...], "Next": "SEQ.ORDINAL"}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FeedPage {
    pub data: Vec<FeedItem>,
    /// The cursor to send as `after` for the next page; the cursor sent when nothing has changed
    /// since. A short or empty page with a `Next` different from the cursor sent means rows the
    /// caller may not see were stepped over: keep reading until `Next` comes back unchanged.
    #[serde(serialize_with = "as_text")]
    #[schema(value_type = String)]
    pub next: Cursor,
}

/// The Metrc name of a changed record's type and its wire form.
fn wire(c: &Changed, facility_id: i64) -> Result<(&'static str, Value), serde_json::Error> {
    Ok(match c {
        Changed::Package(p) => ("Package", serde_json::to_value(map::package(p))?),
        Changed::PackageAdjustment(a) => (
            "PackageAdjustment",
            serde_json::to_value(map::adjustment(a))?,
        ),
        Changed::Item(i) => ("Item", serde_json::to_value(map::item(i))?),
        Changed::ItemBrand(b) => ("ItemBrand", serde_json::to_value(map::brand(b))?),
        Changed::Strain(s) => ("Strain", serde_json::to_value(map::strain(s))?),
        Changed::Location(l) => ("Location", serde_json::to_value(map::location(l))?),
        Changed::Sublocation(s) => ("Sublocation", serde_json::to_value(map::sublocation(s))?),
        Changed::Tag(t) => ("Tag", serde_json::to_value(map::tag(t, facility_id))?),
        Changed::Harvest(h) => ("Harvest", serde_json::to_value(harvests::harvest(h))?),
        Changed::PlantBatch(b) => ("PlantBatch", serde_json::to_value(plantbatches::batch(b))?),
        Changed::Plant(p) => ("Plant", serde_json::to_value(plants::plant(p))?),
        Changed::Transfer(t) => ("Transfer", serde_json::to_value(transfers::transfer(t))?),
        Changed::Driver(d) => (
            "Driver",
            serde_json::to_value(transporters::driver(d, facility_id))?,
        ),
        Changed::Vehicle(v) => (
            "Vehicle",
            serde_json::to_value(transporters::vehicle(v, facility_id))?,
        ),
        Changed::SalesReceipt(r) => ("SalesReceipt", serde_json::to_value(sales::receipt(r))?),
        Changed::SalesDelivery(d) => (
            "SalesDelivery",
            serde_json::to_value(deliveries::sales_delivery(d))?,
        ),
        Changed::RetailerDelivery(r) => (
            "RetailerDelivery",
            serde_json::to_value(deliveries::route(r))?,
        ),
    })
}

fn item(c: Change, facility_id: i64) -> Result<FeedItem, ApiError> {
    let (object_type, record) = wire(&c.record, facility_id).map_err(|e| {
        tracing::error!(error = %e, "feed item not serializable");
        ApiError::Status(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "An internal error occurred.".into(),
        )
    })?;
    Ok(FeedItem {
        cursor: c.cursor,
        seq: c.seq,
        object_type: object_type.to_string(),
        verb: if c.created { "Created" } else { "Updated" }.to_string(),
        id: c.id,
        license_number: c.license_number,
        recorded_at: c.recorded_at,
        record,
    })
}

/// Up to `limit` items (at most [`MAX_PAGE_SIZE`]) of the scope's change feed after `after`:
/// what `GET /tagtrail/v1/changes` answers, for doors that deliver the feed elsewhere (webhooks).
pub async fn feed_page(
    ledger: &Ledger,
    scope: &Scope,
    after: Cursor,
    limit: u32,
) -> Result<FeedPage, ApiError> {
    let page = ledger
        .changes(scope, after, limit.clamp(1, MAX_PAGE_SIZE))
        .await?;
    let fid = scope.facility().id;
    Ok(FeedPage {
        data: page
            .items
            .into_iter()
            .map(|c| item(c, fid))
            .collect::<Result<_, _>>()?,
        next: page.next,
    })
}

/// Reads `after` as a cursor (absent: the start).
pub fn parse_cursor(after: Option<&str>) -> Result<Cursor, ApiError> {
    match after {
        None => Ok(Cursor::START),
        Some(s) => Cursor::parse(s).ok_or_else(|| {
            ApiError::bad_request(
                "after must be a cursor: a Next value from this feed, or a journal sequence number.",
            )
        }),
    }
}

/// The license's changed records in journal order, after the cursor `after` (omit it to start
/// from the beginning), `pageSize` (1–500, default 100) at a time. Send each page's `Next` as the
/// next `after`; the feed is read to its end when `Next` comes back as sent.
#[utoipa::path(get, path = "/tagtrail/v1/changes", tag = "tagtrail", params(("licenseNumber" = String, Query), ("after" = Option<String>, Query), ("pageSize" = Option<u32>, Query)), responses((status = 200, body = FeedPage)))]
pub async fn get_changes(r: Read) -> Result<Json<FeedPage>, ApiError> {
    // Any access to the license opens its feed; each item is then shown only if the caller may
    // read its type there.
    let scope = r.scope(&[]).await?;
    let after = parse_cursor(r.params().get("after"))?;
    let limit = match r.params().get("pageSize") {
        None => DEFAULT_PAGE_SIZE,
        Some(s) => match s.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => n,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "pageSize must be between 1 and {MAX_PAGE_SIZE}."
                )));
            }
        },
    };
    Ok(Json(feed_page(r.ledger(), &scope, after, limit).await?))
}
