//! The demo cultivator's season as the demo seeds it, read back through the application layer
//! on a real store (SQLite; PostgreSQL too when `TAGTRAIL_TEST_POSTGRES_URL` names a server,
//! SQLite skipped when `TAGTRAIL_TEST_SKIP_SQLITE=1`), and `audit verify` after it.

use tagtrail_app::imports::ImportStatus;
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_app::{Acting, Config, Ledger, Scope};
use tagtrail_domain::commands::imports::ImportKind;
use tagtrail_domain::records::{
    GrowthPhase, Harvest, HarvestWaste, Package, Plant, PlantAdditive, PlantBatch, PlantState,
    PlantWaste, Tag,
};
use tagtrail_domain::tag::{TagKind, TagStatus};

const CULTIVATOR: &str = "CCL21-0001001";
const MANUFACTURER: &str = "CDPH-10003301";
const RETAILER: &str = "C10-0000911-LIC";

async fn all<R: tagtrail_domain::records::Record>(
    ledger: &Ledger,
    scope: &Scope,
    active: Option<bool>,
) -> Vec<R> {
    let q = ListQuery {
        active,
        ..Default::default()
    };
    ledger.list::<R>(scope, q).await.expect("a list").rows
}

async fn story(url: &str, scratch: &std::path::Path) {
    let ledger = Ledger::open(url, Config::default())
        .await
        .expect("the store opens");
    tagtrail_demo::seed(&ledger, "http://demo.invalid")
        .await
        .expect("the demo seeds");
    let operator = Acting::operator("demo-test");
    let cult = ledger
        .authorize(&operator, CULTIVATOR, &[])
        .await
        .expect("the cultivator");
    let mfg = ledger
        .authorize(&operator, MANUFACTURER, &[])
        .await
        .expect("the manufacturer");
    let today = tagtrail_domain::time::format_date(ledger.now().date_naive());

    let plants: Vec<Plant> = all(&ledger, &cult, None).await;
    let growing = |phase: GrowthPhase, mother: bool| {
        plants
            .iter()
            .filter(|p| {
                p.state == PlantState::Growing && p.growth_phase == phase && p.is_mother == mother
            })
            .count()
    };
    assert_eq!(
        growing(GrowthPhase::Vegetative, true),
        2,
        "two mother plants"
    );
    assert_eq!(
        growing(GrowthPhase::Vegetative, false),
        4,
        "vegetative plants"
    );
    assert_eq!(
        growing(GrowthPhase::Flowering, false),
        4,
        "flowering plants"
    );
    let harvested = plants
        .iter()
        .filter(|p| p.state == PlantState::Harvested)
        .count();
    assert_eq!(harvested, 8, "two harvests of four plants");
    // Rule 20: every plant has its own plant tag; rule 21: they grow in the canopy.
    let mut labels: Vec<_> = plants.iter().map(|p| p.label.to_string()).collect();
    labels.sort();
    labels.dedup();
    assert_eq!(labels.len(), plants.len());
    assert!(plants.iter().all(|p| p.location_name == "Greenhouse A"));
    // Never dated ahead of the clock, and spread over weeks.
    for p in &plants {
        for d in [
            &Some(p.planted_date.clone()),
            &p.vegetative_date,
            &p.flowering_date,
        ]
        .into_iter()
        .flatten()
        {
            assert!(*d <= today, "{} dated {d}, after {today}", p.label);
        }
    }
    let oldest = plants
        .iter()
        .filter_map(|p| chrono::NaiveDate::parse_from_str(&p.planted_date, "%Y-%m-%d").ok())
        .min()
        .expect("planting dates");
    assert!(
        (ledger.now().date_naive() - oldest).num_days() >= 60,
        "{oldest}"
    );

    // Rule 22: the lots name their sources, a package of clones or a mother plant.
    let lots: Vec<PlantBatch> = all(&ledger, &cult, Some(true)).await;
    assert!(lots.len() >= 3, "{lots:?}");
    assert!(
        lots.iter()
            .all(|b| b.source_package_label.is_some() || b.source_plant_label.is_some())
    );
    let from_mothers = lots
        .iter()
        .filter(|b| b.source_plant_label.is_some())
        .count();
    assert_eq!(from_mothers, 2);

    // Plant tags: enough left after the season for the demo's visitors (rules 11, 20).
    let q = ListQuery {
        active: Some(true),
        ..Default::default()
    }
    .with(Column::Kind, [TagKind::Plant.as_str()])
    .with(Column::Status, [TagStatus::Received.as_str()]);
    let free = ledger.list::<Tag>(&cult, q).await.expect("tags").rows.len();
    assert!(free >= 100, "{free} plant tags left");

    // One harvest drying, one finished whose packages went on to the manufacturer (rule 72:
    // a finished harvest stays readable).
    let harvests: Vec<Harvest> = all(&ledger, &cult, None).await;
    let drying: Vec<_> = harvests.iter().filter(|h| h.active).collect();
    let finished: Vec<_> = harvests.iter().filter(|h| !h.active).collect();
    assert_eq!((drying.len(), finished.len()), (1, 1), "{harvests:?}");
    assert!(drying[0].finished_date.is_none() && drying[0].package_count == 0);
    let done = finished[0];
    assert!(done.finished_date.is_some() && done.package_count == 2);
    let received: Vec<Package> = all::<Package>(&ledger, &mfg, Some(true))
        .await
        .into_iter()
        .filter(|p| p.source_harvests.iter().any(|s| s.harvest_id == done.id))
        .collect();
    assert_eq!(
        received.len(),
        2,
        "the harvest's packages are at the manufacturer"
    );
    assert!(received.iter().all(|p| p.license_number == MANUFACTURER));
    let left: Vec<Package> = all::<Package>(&ledger, &cult, Some(true))
        .await
        .into_iter()
        .filter(|p| !p.source_harvests.is_empty())
        .collect();
    assert!(left.is_empty(), "none stayed at the cultivator: {left:?}");

    // Waste recorded (rule 57): harvests, plants, dead clones.
    let hw: Vec<HarvestWaste> = all(&ledger, &cult, None).await;
    assert!(hw.iter().any(|w| w.harvest_id == done.id));
    assert!(hw.iter().any(|w| w.harvest_id == drying[0].id));
    let pw: Vec<PlantWaste> = all(&ledger, &cult, None).await;
    assert!(
        pw.iter()
            .any(|w| w.waste_reason_name == "Unhealthy or Died")
    );
    assert!(pw.iter().any(|w| w.waste_reason_name == "Trimming/Pruning"));

    // Additives (rule 17): to plants and to lots, directly and from a template.
    let adds: Vec<PlantAdditive> = all(&ledger, &cult, None).await;
    assert!(
        adds.iter()
            .any(|a| a.plant_batch_name.is_some() && a.template_name.is_some())
    );
    assert!(
        adds.iter()
            .any(|a| a.template_name.is_none() && !a.plant_labels.is_empty())
    );
    assert!(adds.iter().all(|a| a.actual_date <= today));

    // Bulletin V (rule 73): the mother plants' feeding came as a Plant Additives upload, applied.
    let uploads = ledger.imports(&cult).await.expect("the uploads");
    assert!(
        uploads.iter().any(|i| i.kind == ImportKind::PlantAdditives
            && matches!(i.status, ImportStatus::Applied { .. })),
        "{uploads:?}"
    );
    let mothers: Vec<String> = plants
        .iter()
        .filter(|p| p.is_mother)
        .map(|p| p.label.to_string())
        .collect();
    assert!(adds.iter().any(|a| {
        a.template_name.is_some() && mothers.iter().all(|m| a.plant_labels.contains(m))
    }));

    retail_day(&ledger, &operator).await;

    let report = ledger.verify(scratch).await.expect("audit verify runs");
    assert!(report.ok(), "audit verify: {:?}", report.problem);
    ledger.close().await;
}

#[tokio::test]
async fn the_demo_cultivator_grows_harvests_and_ships_to_the_manufacturer() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    if std::env::var("TAGTRAIL_TEST_SKIP_SQLITE").as_deref() != Ok("1") {
        let db = dir.path().join("demo.db");
        story(&db.to_string_lossy(), &dir.path().join("verify-sqlite.db")).await;
    }
    if let Ok(admin) = std::env::var("TAGTRAIL_TEST_POSTGRES_URL") {
        let url = tagtrail_app::audit::create_postgres_database(&admin, "tt_demo_story")
            .await
            .expect("a PostgreSQL database");
        story(&url, &dir.path().join("verify-postgres.db")).await;
        drop_database(&admin, &url).await;
    }
}

/// Drops the scratch database at `url` (its ledger has closed its connections).
async fn drop_database(admin: &str, url: &str) {
    use sqlx::Connection;
    let name = url.rsplit('/').next().expect("a database name");
    let mut conn = sqlx::PgConnection::connect(admin)
        .await
        .expect("the PostgreSQL server");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut conn)
        .await
        .expect("the scratch database is dropped");
}

/// The retailer's day (rules 63–65, bulletin III): the counter's receipts, the route, and the
/// sale edited only after its finished package was unfinished.
async fn retail_day(ledger: &Ledger, operator: &Acting) {
    use tagtrail_demo::retail;
    use tagtrail_domain::records::{
        CustomerType, RetailerDelivery, RetailerDeliveryState, SalesDelivery, SalesReceipt,
    };
    let shop = ledger
        .authorize(operator, RETAILER, &[])
        .await
        .expect("the retailer");
    let receipts: Vec<SalesReceipt> = all(ledger, &shop, None).await;
    assert_eq!(receipts.len(), retail::RECEIPTS, "the counter's receipts");
    let active = receipts.iter().filter(|r| r.active).count();
    let finalized = receipts.iter().filter(|r| r.is_final).count();
    let voided: Vec<&SalesReceipt> = receipts.iter().filter(|r| r.voided).collect();
    assert_eq!(
        finalized,
        retail::FINALIZED,
        "rule 64: the morning's receipts"
    );
    assert_eq!(voided.len(), 1);
    assert_eq!(
        voided[0].external_receipt_number.as_deref(),
        Some(retail::VOIDED_RECEIPT)
    );
    assert_eq!(active, retail::RECEIPTS - retail::FINALIZED - 1);
    let types: std::collections::HashSet<CustomerType> =
        receipts.iter().map(|r| r.sales_customer_type).collect();
    assert!(types.len() >= 4, "several customer types: {types:?}");
    // Rule 63: every sale within the last 24 hours (none recorded late).
    let now = ledger.now();
    for r in &receipts {
        let t = tagtrail_domain::time::parse_instant(&r.sales_date_time).expect("a time");
        assert!(
            t <= now && now - t < chrono::Duration::hours(24),
            "{}",
            r.sales_date_time
        );
    }

    // Rule 65: one route, departed, a sale from the van, ended.
    let routes: Vec<RetailerDelivery> = all(ledger, &shop, None).await;
    assert_eq!(routes.len(), 1, "one delivery inventory ledger");
    assert_eq!(routes[0].state, RetailerDeliveryState::Ended);
    assert!(routes[0].actual_departure.is_some());
    assert_eq!(routes[0].sales.len(), 1, "one sale from the route");
    let sold: Vec<SalesDelivery> = all(ledger, &shop, None).await;
    assert!(
        sold.iter()
            .any(|d| d.retailer_delivery_id == Some(routes[0].id))
    );

    // Bulletin III: the sale of the finished lot was edited only after it was unfinished; the
    // refused edit left nothing in the journal.
    let story = receipts
        .iter()
        .find(|r| r.external_receipt_number.as_deref() == Some(retail::STORY_RECEIPT))
        .expect("the story receipt");
    assert_eq!(story.transactions.len(), 1);
    assert_eq!(
        story.transactions[0].quantity,
        rust_decimal::Decimal::from(5)
    );
    let label = story.transactions[0].package_label.clone();
    let packages: Vec<Package> = all(ledger, &shop, None).await;
    let lot = packages
        .iter()
        .find(|p| p.label.to_string() == label)
        .expect("the small lot");
    assert!(lot.finished_date.is_none(), "unfinished");
    assert_eq!(
        lot.quantity,
        rust_decimal::Decimal::from(1),
        "the returned pack"
    );
    let journal = ledger
        .journal(&shop, None, 1000)
        .await
        .expect("the journal");
    let seq_of = |action: &str| {
        journal
            .iter()
            .filter(|e| e.body.action.as_deref() == Some(action))
            .filter(|e| {
                e.body.result_ids.contains(&story.id) || e.body.result_ids.contains(&lot.id)
            })
            .map(|e| e.seq)
            .collect::<Vec<_>>()
    };
    let (finish, unfinish, edit) = (
        seq_of("Finish packages"),
        seq_of("Unfinish packages"),
        seq_of("Update sales receipts"),
    );
    assert_eq!(
        (finish.len(), unfinish.len(), edit.len()),
        (1, 1, 1),
        "one of each"
    );
    assert!(
        finish[0] < unfinish[0] && unfinish[0] < edit[0],
        "finish, unfinish, then edit"
    );
}
