//! The demo retailer's day (rules 63–65, bulletin III), through the same actions as the API:
//!
//! - **Stock**: the distributor ships three tested lots (gummies, cartridges, and a small lot of
//!   gummies) on a wholesale manifest, and the retailer receives them onto its sales floor (rule
//!   38: an accepted manifest is how product changes hands);
//! - **Sales** at the counter across one business day in the facility's zone (California): ten
//!   receipts of every customer type, the morning's five finalized at the shift change (rule
//!   64), one voided (its quantity back on the shelf);
//! - **A delivery route** (rule 65): a delivery inventory ledger loaded from the shelf, departed,
//!   a sale from the van, and ended with what came back;
//! - **Bulletin III**: the small gummies lot is emptied by a sale and finished; the customer
//!   returns one pack, and editing the receipt is refused while the package is finished; once
//!   it is unfinished the edit is accepted. The refusal writes nothing (the seeder only checks
//!   that it happened); the journal shows Finish, Unfinish, then the edit.
//!
//! It runs after the other licenses' flows, adds records and changes none of theirs except the
//! distributor's three new lots, which leave on the manifest.

use crate::manifests::{DRIVERS, line, plan, register};
use crate::{Tags, new, run};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use tagtrail_app::actions::deliveries::{CreateRoutes, DepartRoutes, EndRoutes, SellFromRoutes};
use tagtrail_app::actions::packages::{self as pkg, OpenBalance, OpeningBalance};
use tagtrail_app::actions::sales::{FinalizeReceipts, RecordReceipts, UpdateReceipts, VoidReceipt};
use tagtrail_app::actions::transfers::{self as act, Receipt};
use tagtrail_app::{Acting, AppError, AppResult, Ledger, Scope};
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::packages::FinishSpec;
use tagtrail_domain::commands::sales::deliveries::{CourierSpec, RecipientSpec};
use tagtrail_domain::commands::sales::lines::SaleLineSpec;
use tagtrail_domain::commands::sales::receipts::ReceiptSpec;
use tagtrail_domain::commands::sales::retailer_deliveries::{
    EndLine, EndSpec, LoadSpec, RouteSaleSpec, RouteSpec,
};
use tagtrail_domain::commands::transfers::ReceiptLine;
use tagtrail_domain::lab_state::LabState;

/// The retailer's zone: its day is a California day.
const ZONE: Tz = chrono_tz::America::Los_Angeles;
const GUMMIES: &str = "Mango Gummies 10x10mg";
const VAPES: &str = "Blue Dream Vape 1g";
/// The shelf the received lots are put on (seeded with the retailer).
const FLOOR: &str = "Sales Floor";

/// The external receipt number of the sale the bulletin III story edits.
pub const STORY_RECEIPT: &str = "SUNSET-0006";
/// The receipt voided at the counter.
pub const VOIDED_RECEIPT: &str = "SUNSET-0008";
/// How many receipts the day records at the counter, and how many of them are finalized.
pub const RECEIPTS: usize = 10;
pub const FINALIZED: usize = 5;

/// The business day's hours the sales are spread over, as instants: today's 09:00 in the zone
/// to a few minutes ago, or, before 11:00 there, yesterday's 09:00–21:00, cut to the last
/// 23 hours so that no sale is recorded late (rule 63's 24 hours).
fn business_day(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let local = now.with_timezone(&ZONE);
    let at = |day: chrono::NaiveDate, h: u32| {
        ZONE.from_local_datetime(
            &day.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default()),
        )
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now)
    };
    let today = local.date_naive();
    let end = now - Duration::minutes(10);
    if local.time() >= NaiveTime::from_hms_opt(11, 0, 0).unwrap_or_default() {
        return (at(today, 9), end);
    }
    let yesterday = today.pred_opt().unwrap_or(today);
    let start = at(yesterday, 9).max(now - Duration::hours(23));
    (start, at(yesterday, 21).min(end))
}

/// The `i`-th of `n` moments spread over the day, as the point-of-sale sends it (local time
/// with its offset).
fn moment(day: (DateTime<Utc>, DateTime<Utc>), i: usize, n: usize) -> String {
    let span = (day.1 - day.0).num_seconds().max(60);
    let t = day.0 + Duration::seconds(span * i as i64 / n.max(1) as i64);
    t.with_timezone(&ZONE)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn dec(n: i64, scale: u32) -> Option<Decimal> {
    Some(Decimal::new(n, scale))
}

fn sold(label: &str, qty: i64, cents: i64) -> SaleLineSpec {
    SaleLineSpec {
        package_label: Some(label.into()),
        quantity: dec(qty, 0),
        unit_of_measure: Some("Each".into()),
        total_amount: dec(cents, 2),
        extras: Default::default(),
    }
}

/// The retailer's stock for the day: three tested lots from the distributor, received onto the
/// sales floor. Their labels: gummies, cartridges, the small gummies lot.
async fn stock(
    ledger: &Ledger,
    dist_scope: &Scope,
    retail_scope: &Scope,
) -> AppResult<(String, String, String)> {
    let d = dist_scope.license().to_string();
    let operator = ledger.authorize(&Acting::operator("demo"), &d, &[]).await?;
    let mut tags = Tags::of(ledger, dist_scope).await?;
    let (gummies, vapes, small) = (tags.next()?, tags.next()?, tags.next()?);
    for (tag, item, qty) in [
        (&gummies, GUMMIES, 120),
        (&vapes, VAPES, 40),
        (&small, GUMMIES, 6),
    ] {
        let req = OpeningBalance {
            package: new(tag.clone(), item, qty, "Each", "Sellable Inventory"),
            lab_state: LabState::TestPassed,
        };
        run::<OpenBalance>(ledger, &operator, "Opening balance", &req).await?;
    }
    let lines = vec![
        line(&gummies, Some(960)),
        line(&vapes, Some(800)),
        line(&small, Some(48)),
    ];
    let id = register(
        ledger,
        dist_scope,
        plan(
            retail_scope.license(),
            &d,
            DRIVERS[1],
            "Wholesale Manifest",
            lines,
        ),
        "Restock order PO-5530",
    )
    .await?;
    crate::manifests::depart(ledger, dist_scope, id).await?;
    let loaded = ledger.manifest_in(retail_scope, id).await?;
    let receipt = Receipt {
        delivery_id: id,
        lines: loaded
            .lines
            .iter()
            .map(|l| ReceiptLine {
                package_label: Some(l.package.label.to_string()),
                accept: Some(true),
                location: Some(FLOOR.into()),
                ..Default::default()
            })
            .collect(),
    };
    run::<act::Receive>(ledger, retail_scope, "Restock received", &receipt).await?;
    Ok((gummies, vapes, small))
}

/// Seeds the retailer's day (see the module's comment).
pub async fn seed(ledger: &Ledger, dist_scope: &Scope, scope: &Scope) -> AppResult<()> {
    let (g, v, small) = stock(ledger, dist_scope, scope).await?;
    let day = business_day(ledger.now());
    let when = |i: usize| moment(day, i, RECEIPTS + 2);
    let receipt = |n: usize, customer: &str, lines: Vec<SaleLineSpec>| ReceiptSpec {
        sales_date_time: Some(when(n)),
        external_receipt_number: Some(format!("SUNSET-{n:04}")),
        sales_customer_type: Some(customer.into()),
        identification_method: Some("Driver's license".into()),
        transactions: lines,
        ..Default::default()
    };
    let patient = |mut r: ReceiptSpec, number: &str| {
        r.patient_license_number = Some(number.into());
        r
    };
    let mut caregiver = receipt(4, "Caregiver", vec![sold(&v, 2, 9000)]);
    caregiver.caregiver_license_number = Some("CG-CA-7781".into());
    let story = receipt(6, "Consumer", vec![sold(&small, 6, 10800)]);
    let day_sales = vec![
        receipt(1, "Consumer", vec![sold(&g, 2, 3600)]),
        receipt(2, "Consumer", vec![sold(&v, 1, 4500), sold(&g, 1, 1800)]),
        patient(
            receipt(3, "Patient", vec![sold(&g, 3, 4050)]),
            "PAT-CA-20441",
        ),
        caregiver,
        receipt(5, "NonResidentConsumer", vec![sold(&v, 1, 4500)]),
        story.clone(),
        patient(
            receipt(7, "ExternalPatient", vec![sold(&g, 2, 3600)]),
            "NV-MMJ-880214",
        ),
        receipt(8, "Consumer", vec![sold(&g, 4, 7200)]),
        receipt(9, "Consumer", vec![sold(&g, 1, 1800), sold(&v, 1, 4500)]),
        receipt(10, "Consumer", vec![sold(&v, 2, 9000)]),
    ];
    // The counter records sales as they happen: one receipt per call, as a POS sends them.
    let mut ids = Vec::with_capacity(day_sales.len());
    for r in &day_sales {
        let w = run::<RecordReceipts>(ledger, scope, "Counter sale", &vec![r.clone()]).await?;
        ids.extend(w.ids.first().copied());
    }
    let id_of = |n: usize| {
        ids.get(n - 1)
            .copied()
            .ok_or_else(|| AppError::NotFound(format!("demo receipt {n}")))
    };
    // Rule 64: the morning's receipts are finalized at the shift change.
    let morning: Vec<Option<i64>> = (1..=FINALIZED).map(|n| id_of(n).ok()).collect();
    run::<FinalizeReceipts>(ledger, scope, "Shift change: morning receipts", &morning).await?;
    // A sale rung up twice: voided, its four packs back on the shelf.
    run::<VoidReceipt>(ledger, scope, "Rung up twice", &id_of(8)?).await?;

    // Bulletin III: the small lot was emptied by receipt 6 and finished; a pack comes back.
    let finish = vec![FinishSpec {
        label: Some(small.clone()),
        actual_date: None,
    }];
    run::<pkg::Finish>(ledger, scope, "Lot sold out", &finish).await?;
    let mut edit = story.clone();
    edit.id = Some(id_of(6)?);
    edit.transactions = vec![sold(&small, 5, 9000)];
    match run::<UpdateReceipts>(
        ledger,
        scope,
        "Customer returned one pack",
        &vec![edit.clone()],
    )
    .await
    {
        Err(AppError::Rejected(Rejection::Rows(rows)))
            if rows
                .iter()
                .any(|r| r.message.contains("must be unfinished")) => {}
        other => {
            return Err(AppError::NotFound(format!(
                "the demo expected editing a sale of a finished package to be refused \
                 (bulletin III), got {other:?}"
            )));
        }
    }
    run::<pkg::Unfinish>(
        ledger,
        scope,
        "Unfinished for a return",
        &vec![Some(small.clone())],
    )
    .await?;
    run::<UpdateReceipts>(ledger, scope, "Customer returned one pack", &vec![edit]).await?;

    route(ledger, scope, &g, &v, day).await
}

/// Rule 65: a delivery inventory ledger loaded from the shelf in the afternoon, departed, one
/// sale from the van, and ended with the rest back on the shelf.
async fn route(
    ledger: &Ledger,
    scope: &Scope,
    g: &str,
    v: &str,
    day: (DateTime<Utc>, DateTime<Utc>),
) -> AppResult<()> {
    let at = |i: usize| moment(day, i, 12);
    let load = |label: &str, qty: i64, cents: i64| LoadSpec {
        package_label: Some(label.into()),
        quantity: dec(qty, 0),
        unit_of_measure: Some("Each".into()),
        total_price: dec(cents, 2),
        remove_current: false,
    };
    let spec = RouteSpec {
        date_time: Some(at(8)),
        courier: CourierSpec {
            driver_employee_id: Some("EMP-500510".into()),
            driver_name: Some("Rosa Delgado".into()),
            drivers_license_number: Some("D6620431".into()),
            phone_number_for_questions: Some("213-555-0188".into()),
            vehicle_make: Some("Toyota".into()),
            vehicle_model: Some("Prius".into()),
            vehicle_license_plate_number: Some("9SUN911".into()),
        },
        estimated_departure: Some(at(8)),
        packages: vec![load(g, 10, 18000), load(v, 5, 22500)],
        ..Default::default()
    };
    let w = run::<CreateRoutes>(ledger, scope, "Afternoon delivery route", &vec![spec]).await?;
    let id = w
        .ids
        .first()
        .copied()
        .ok_or_else(|| AppError::NotFound("the demo route".into()))?;
    run::<DepartRoutes>(ledger, scope, "Route departed", &vec![Some(id)]).await?;
    let sale = RouteSaleSpec {
        retailer_delivery_id: Some(id),
        sales_date_time: Some(at(9)),
        sales_customer_type: Some("Consumer".into()),
        consumer_id: Some("C-30917".into()),
        recipient: RecipientSpec {
            name: Some("A. Nguyen".into()),
            street1: Some("1450 Echo Park Ave".into()),
            city: Some("Los Angeles".into()),
            county: Some("Los Angeles".into()),
            state: Some("CA".into()),
            postal_code: Some("90026".into()),
            ..Default::default()
        },
        lines: vec![sold(g, 2, 3600), sold(v, 1, 4500)],
        ..Default::default()
    };
    run::<SellFromRoutes>(ledger, scope, "Delivered order", &vec![sale]).await?;
    let back = |label: &str, qty: i64| EndLine {
        label: Some(label.into()),
        end_quantity: dec(qty, 0),
        end_unit_of_measure: Some("Each".into()),
    };
    let end = EndSpec {
        id: Some(id),
        actual_arrival: Some(at(10)),
        packages: vec![back(g, 8), back(v, 4)],
    };
    run::<EndRoutes>(
        ledger,
        scope,
        "Route ended, stock back on the shelf",
        &vec![end],
    )
    .await?;
    Ok(())
}
