//! Demo manifests: a testing sample to the laboratory, product from the manufacturer to the
//! distributor (one received, one still on the road) and a wholesale manifest to the retailer
//! waiting for its driver. All of it goes through the same application calls as the API.

use super::run;
use rust_decimal::Decimal;
use tagtrail_app::actions::packages::{OpenBalance, OpeningBalance};
use tagtrail_app::actions::transfers::{self as act, ManifestRequest, Receipt};
use tagtrail_app::{Acting, AppError, AppResult, Ledger, Scope};
use tagtrail_domain::commands::transfers::{ManifestLine, ManifestSpec, ReceiptLine};
use tagtrail_domain::lab_state::LabState;

/// The distributor's van and drivers (seeded with the distributor).
pub const VAN: &str = "8TGT123";
pub const DRIVERS: [&str; 2] = ["D4481237", "D9920054"];

/// A manifest plan from `shipper` to `to`, carried by the distributor `via`.
pub fn plan(
    to: &str,
    via: &str,
    driver: &str,
    kind: &str,
    lines: Vec<ManifestLine>,
) -> ManifestSpec {
    ManifestSpec {
        recipient_license: Some(to.into()),
        transfer_type: Some(kind.into()),
        transporter_license: Some(via.into()),
        driver_license_number: Some(driver.into()),
        vehicle_plate: Some(VAN.into()),
        planned_route: Some("I-5 N to CA-99 N; no stops".into()),
        estimated_departure: Some("2026-11-20T08:00:00".into()),
        estimated_arrival: Some("2026-11-20T12:30:00".into()),
        phone_for_questions: Some("916-555-0142".into()),
        packages: lines,
        destination_count: 1,
        transporter_count: 1,
        ..Default::default()
    }
}

pub fn line(label: &str, price: Option<i64>) -> ManifestLine {
    ManifestLine {
        package_label: Some(label.into()),
        wholesale_price: price.map(Decimal::from),
        gross_weight: None,
        gross_unit: None,
    }
}

/// Registers a manifest and returns its id.
pub async fn register(
    ledger: &Ledger,
    scope: &Scope,
    spec: ManifestSpec,
    why: &str,
) -> AppResult<i64> {
    let req = vec![ManifestRequest {
        id: None,
        template_id: None,
        spec,
        keep_line_details: false,
    }];
    let w = run::<act::Register>(ledger, scope, why, &req).await?;
    w.ids
        .first()
        .copied()
        .ok_or_else(|| AppError::NotFound("the registered manifest".into()))
}

pub async fn depart(ledger: &Ledger, scope: &Scope, id: i64) -> AppResult<()> {
    run::<act::Depart>(ledger, scope, "Load checked, departing", &vec![Some(id)])
        .await
        .map(|_| ())
}

/// The recipient accepts every package of manifest `id` as shipped.
pub async fn accept_all(ledger: &Ledger, scope: &Scope, id: i64) -> AppResult<()> {
    let loaded = ledger.manifest_in(scope, id).await?;
    let lines: Vec<ReceiptLine> = loaded
        .lines
        .iter()
        .map(|l| ReceiptLine {
            package_label: Some(l.package.label.to_string()),
            accept: Some(true),
            ..Default::default()
        })
        .collect();
    let receipt = Receipt {
        delivery_id: id,
        lines,
    };
    run::<act::Receive>(ledger, scope, "Received at the dock", &receipt)
        .await
        .map(|_| ())
}

/// The manufacturer ships cartridges to the distributor (received) and distillate (on the road,
/// carried by the distributor's second driver); the distributor registers a wholesale manifest
/// of tested cartridges to the retailer that has not left yet.
pub async fn seed(
    ledger: &Ledger,
    mfg_scope: &Scope,
    dist_scope: &Scope,
    retailer: &str,
) -> AppResult<()> {
    let d = dist_scope.license().to_string();
    // Two lots of their own, so that the manufacturer's other demo stock stays as it was.
    let lic = mfg_scope.license().to_string();
    let mut tags = super::Tags::of(ledger, mfg_scope).await?;
    let operator = ledger
        .authorize(&Acting::operator("demo"), &lic, &[])
        .await?;
    let (vapes, distillate) = (tags.next()?, tags.next()?);
    for (tag, item, qty, unit, loc) in [
        (&vapes, "Blue Dream Vape 1g", 24, "Each", "Finished Goods"),
        (
            &distillate,
            "Blue Dream Distillate",
            100,
            "Grams",
            "Extraction Lab",
        ),
    ] {
        let req = OpeningBalance {
            package: super::new(tag.clone(), item, qty, unit, loc),
            lab_state: LabState::TestPassed,
        };
        run::<OpenBalance>(ledger, &operator, "Opening balance", &req).await?;
    }
    let first = register(
        ledger,
        mfg_scope,
        plan(&d, &d, DRIVERS[0], "Transfer", vec![line(&vapes, None)]),
        "Cartridges to distribution",
    )
    .await?;
    depart(ledger, dist_scope, first).await?;
    accept_all(ledger, dist_scope, first).await?;
    let second = register(
        ledger,
        mfg_scope,
        plan(
            &d,
            &d,
            DRIVERS[1],
            "Transfer",
            vec![line(&distillate, None)],
        ),
        "Distillate for the next fill run",
    )
    .await?;
    depart(ledger, dist_scope, second).await?;
    // The cartridges just received go on to the retailer.
    let tested = vapes.clone();
    register(
        ledger,
        dist_scope,
        plan(
            retailer,
            &d,
            DRIVERS[0],
            "Wholesale Manifest",
            vec![line(&tested, Some(2400))],
        ),
        "Weekly order PO-5521",
    )
    .await?;
    Ok(())
}
