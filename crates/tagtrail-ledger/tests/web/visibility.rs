//! What one license's web pages show of another license's records (issue 8): in a lineage,
//! another license's package is its label and item, with no link and nothing live; a testing
//! sample's results and certificate reach its owner only once the laboratory releases them.

use crate::browser::{Browser, element};
use crate::helpers::*;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn field(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn id(v: &Value) -> i64 {
    v.get("Id").and_then(Value::as_i64).unwrap_or_default()
}

/// The manufacturer's cartridge made from its distillate, and the distillate.
async fn cartridge_and_source(app: &TestApp) -> (Value, Value) {
    let active = app.list(MANUFACTURER, "/packages/v2/active").await;
    let vape = active
        .iter()
        .find(|p| {
            !field(p, "SourcePackageLabels").is_empty()
                && p.to_string().contains("Blue Dream Vape 1g")
        })
        .cloned()
        .expect("the demo's cartridge made from distillate");
    let source_label = field(&vape, "SourcePackageLabels");
    let source = active
        .iter()
        .find(|p| field(p, "Label") == source_label)
        .cloned()
        .expect("its distillate");
    (vape, source)
}

#[tokio::test]
async fn lineage_shows_another_licenses_package_as_label_and_item_only() {
    for_each_backend(async |app| {
        let b = app.backend;
        let (vape, source) = cartridge_and_source(app).await;
        let (label, source_label) = (field(&vape, "Label"), field(&source, "Label"));
        // The manufacturer ships the cartridge to the distributor, which carries and accepts it.
        let plan = json!([{
            "TransporterFacilityLicenseNumber": DISTRIBUTOR,
            "DriverLicenseNumber": "D4481237",
            "VehicleLicensePlateNumber": "8TGT123",
            "Destinations": [{
                "RecipientLicenseNumber": DISTRIBUTOR,
                "TransferTypeName": "Transfer",
                "EstimatedDepartureDateTime": "2026-11-21T08:00:00",
                "EstimatedArrivalDateTime": "2026-11-21T12:30:00",
                "Packages": [{"PackageLabel": label}],
            }]
        }]);
        let r = app
            .post(MANUFACTURER, "/tagtrail/v1/transfers/outgoing", plan)
            .send()
            .await
            .ok();
        let manifest = ids(&r)[0];
        app.post(
            DISTRIBUTOR,
            "/tagtrail/v1/transfers/depart",
            json!([{"TransferId": manifest}]),
        )
        .send()
        .await
        .ok();
        app.post(
            DISTRIBUTOR,
            &format!("/tagtrail/v1/transfers/deliveries/{manifest}/receive"),
            json!([{"PackageLabel": label, "Accepted": true}]),
        )
        .send()
        .await
        .ok();

        // The distributor's cartridge: its source shows as what it is, and nothing more.
        let dist = Browser::sign_in(app, DISTRIBUTOR).await;
        let page = dist
            .get(&format!("/ui/l/{DISTRIBUTOR}/packages/{}", id(&vape)))
            .await;
        assert_eq!(page.status, StatusCode::OK, "[{b}]");
        let lineage = element(&page.body, "<table id=\"lineage\"", "</table>");
        assert!(lineage.contains(&source_label), "[{b}] {lineage}");
        assert!(lineage.contains("Blue Dream Distillate"), "[{b}]");
        assert!(
            lineage.contains("another license's package"),
            "[{b}] {lineage}"
        );
        assert!(
            !lineage.contains(&format!("/packages/{}\"", id(&source))),
            "[{b}] no link to it"
        );
        assert!(!lineage.contains(MANUFACTURER), "[{b}] nor its license");
        assert!(
            !lineage.contains("Grams"),
            "[{b}] nor its quantity (the distillate's is in grams)"
        );
        // Its page stays the manufacturer's.
        let there = dist
            .get(&format!("/ui/l/{DISTRIBUTOR}/packages/{}", id(&source)))
            .await;
        assert_eq!(there.status, StatusCode::UNAUTHORIZED, "[{b}]");

        // The manufacturer's distillate: the cartridge it made is now the distributor's.
        let mfg = Browser::sign_in(app, MANUFACTURER).await;
        let page = mfg
            .get(&format!("/ui/l/{MANUFACTURER}/packages/{}", id(&source)))
            .await;
        let lineage = element(&page.body, "<table id=\"lineage\"", "</table>");
        assert!(lineage.contains(&label), "[{b}]");
        assert!(
            !lineage.contains(&format!("/packages/{}\"", id(&vape))),
            "[{b}]"
        );
        assert!(!lineage.contains(DISTRIBUTOR), "[{b}]");
    })
    .await;
}

/// The lineage's "Grown from" table (issue 12): the cultivator sees its own harvest, every plant
/// harvested into it and their batch; the manufacturer that received flower from that harvest
/// sees its name and plant count, with no link and none of the plants' tags.
#[tokio::test]
async fn lineage_grown_from_shows_another_licenses_harvest_as_name_and_plant_count_only() {
    for_each_backend(async |app| {
        let b = app.backend;
        // The demo's flower that went from the cultivator's harvest to the manufacturer.
        let flower = app
            .list(MANUFACTURER, "/packages/v2/active")
            .await
            .into_iter()
            .find(|p| !field(p, "SourceHarvestNames").is_empty())
            .expect("the demo's flower from the cultivator's harvest");
        let name = field(&flower, "SourceHarvestNames");
        let harvests: Vec<Value> = [
            app.list(CULTIVATOR, "/harvests/v2/active").await,
            app.list(CULTIVATOR, "/harvests/v2/inactive").await,
        ]
        .concat();
        let theirs = harvests
            .iter()
            .find(|h| field(h, "Name") == name)
            .expect("the cultivator's harvest");
        let plants: Vec<String> = app
            .list(CULTIVATOR, "/plants/v2/inactive")
            .await
            .iter()
            .filter(|p| p.get("HarvestId").and_then(Value::as_i64) == Some(id(theirs)))
            .map(|p| field(p, "Label"))
            .collect();
        assert!(!plants.is_empty(), "[{b}] the harvest's plants");

        let mfg = Browser::sign_in(app, MANUFACTURER).await;
        let page = mfg
            .get(&format!("/ui/l/{MANUFACTURER}/packages/{}", id(&flower)))
            .await;
        assert_eq!(page.status, StatusCode::OK, "[{b}]");
        let grown = element(&page.body, "<table id=\"origins\"", "</table>");
        assert!(grown.contains(&name), "[{b}] {grown}");
        assert!(grown.contains("another license's harvest"), "[{b}] {grown}");
        let count = theirs.get("PlantCount").and_then(Value::as_i64).unwrap_or(-1);
        assert!(grown.contains(&format!("{count} plants")), "[{b}] {grown}");
        assert!(!grown.contains("/harvests/"), "[{b}] no link to it");
        for p in &plants {
            assert!(!page.body.contains(p.as_str()), "[{b}] the page names plant {p}");
        }
        assert!(!grown.contains("Drying"), "[{b}] nor where it dries");

        // The cultivator packages what is left of a harvest of its own; its page goes on to
        // the plants and their batch.
        let mine = harvests
            .iter()
            .find(|h| {
                h.get("FinishedDate").is_none_or(Value::is_null)
                    && decimal(h, "CurrentWeight").parse::<f64>().unwrap_or(0.0) >= 100.0
            })
            .expect("a harvest with weight left");
        let tags = app.list(CULTIVATOR, "/tags/v2/package/available").await;
        let tag = field(tags.first().expect("a package tag"), "Label");
        let r = app
            .post(
                CULTIVATOR,
                "/harvests/v2/packages",
                json!([{"Tag": tag, "Location": "Vault", "Item": "Blue Dream Flower", "UnitOfWeight": "Grams",
                        "Ingredients": [{"HarvestId": id(mine), "Weight": 100, "UnitOfWeight": "Grams"}]}]),
            )
            .send()
            .await
            .ok();
        let bag = ids(&r)[0];
        let own: Vec<Value> = app
            .list(CULTIVATOR, "/plants/v2/inactive")
            .await
            .into_iter()
            .filter(|p| p.get("HarvestId").and_then(Value::as_i64) == Some(id(mine)))
            .collect();
        assert!(!own.is_empty(), "[{b}]");
        let grower = Browser::sign_in(app, CULTIVATOR).await;
        let page = grower
            .get(&format!("/ui/l/{CULTIVATOR}/packages/{bag}"))
            .await;
        let grown = element(&page.body, "<table id=\"origins\"", "</table>");
        assert!(
            grown.contains(&format!("/harvests/{}\"", id(mine))),
            "[{b}] a link to its harvest: {grown}"
        );
        for p in &own {
            assert!(grown.contains(&field(p, "Label")), "[{b}] {grown}");
            assert!(grown.contains(&field(p, "PlantBatchName")), "[{b}] {grown}");
        }
    })
    .await;
}

/// A one-page PDF, enough for a certificate of analysis.
fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% {text}\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

/// How many lab result rows a package page shows, and how many of them are unreleased.
fn results(html: &str) -> (usize, usize) {
    let table = element(html, "<table id=\"results\"", "</table>");
    let body = element(table, "<tbody>", "</tbody>");
    let rows = body.matches("<tr>").count();
    let unreleased = body
        .split("<tr>")
        // The sixth cell of a row is "Released"; an unreleased result shows the "no" pill.
        .filter(|r| {
            r.split("<td")
                .nth(6)
                .is_some_and(|c| c.contains("pill off"))
        })
        .count();
    (rows, unreleased)
}

#[tokio::test]
async fn sample_results_and_coa_reach_the_owner_only_once_released() {
    for_each_backend(async |app| {
        let b = app.backend;
        let samples = app.list(LAB, "/packages/v2/labsamples").await;
        let sample = samples
            .iter()
            .find(|s| field(s, "LabFacilityLicenseNumber") == LAB)
            .cloned()
            .expect("the demo's sample at the laboratory");
        let (label, sample_id) = (field(&sample, "Label"), id(&sample));
        let dist = Browser::sign_in(app, DISTRIBUTOR).await;
        let lab = Browser::sign_in(app, LAB).await;
        let page = format!("/ui/l/{DISTRIBUTOR}/packages/{sample_id}");
        let (shown, unreleased) = results(&dist.get(&page).await.body);
        assert_eq!(unreleased, 0, "[{b}]");

        // The laboratory records a retest with a certificate, not released yet.
        let coa = base64::engine::general_purpose::STANDARD.encode(pdf("retest"));
        let record = json!([{
            "Label": label,
            "Results": [{"LabTestTypeName": "Heavy Metals", "Quantity": 0.03, "Passed": true}],
            "DocumentFileName": "retest.pdf",
            "DocumentFileBase64": coa,
        }]);
        app.post(LAB, "/labtests/v2/record", record)
            .send()
            .await
            .ok();
        let lab_page = lab.get(&format!("/ui/l/{LAB}/packages/{sample_id}")).await;
        let (_, lab_unreleased) = results(&lab_page.body);
        assert_eq!(
            lab_unreleased, 1,
            "[{b}] the laboratory sees what it recorded"
        );
        let doc: i64 = lab_page
            .body
            .match_indices("/documents/")
            .filter_map(|(i, _)| {
                let rest = &lab_page.body[i + "/documents/".len()..];
                rest[..rest.find('"')?].parse().ok()
            })
            .max()
            .expect("the laboratory's link to its certificate");

        // The owner sees nothing of it yet: no row, no link, no file.
        let owner = dist.get(&page).await;
        assert_eq!(results(&owner.body), (shown, 0), "[{b}]");
        assert!(
            !owner.body.contains(&format!("/documents/{doc}\"")),
            "[{b}]"
        );
        let file = dist
            .get(&format!("/ui/l/{DISTRIBUTOR}/documents/{doc}"))
            .await;
        assert_ne!(file.status, StatusCode::OK, "[{b}]");
        assert!(!file.bytes.starts_with(b"%PDF"), "[{b}]");

        // Released: the owner sees the result and gets the certificate.
        app.put(
            LAB,
            "/labtests/v2/results/release",
            json!([{"PackageLabel": label}]),
        )
        .send()
        .await
        .ok();
        let owner = dist.get(&page).await;
        assert_eq!(results(&owner.body), (shown + 1, 0), "[{b}]");
        let file = dist
            .get(&format!("/ui/l/{DISTRIBUTOR}/documents/{doc}"))
            .await;
        assert_eq!(file.status, StatusCode::OK, "[{b}]");
        assert!(file.bytes.starts_with(b"%PDF"), "[{b}]");
    })
    .await;
}
