//! Cross-license reads (issue 8, "Close the leaks"): every read as each license against every
//! other license's records, lineage across a manifest, and a testing sample's results before and
//! after the laboratory releases them.
//!
//! A license may see another license's record only where a rule says so: a manifest's shipper,
//! recipient and transporter see its deliveries (a template: its shipper only); a laboratory sees
//! a sample sent to it and the results it recorded; the owner sees its sample's results and
//! certificate once released; lineage shows another license's package as its label and item.

use crate::helpers::*;
use base64::Engine;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use tagtrail_domain::commands::packages::NewPackage;

const LICENSES: [&str; 5] = [CULTIVATOR, MANUFACTURER, DISTRIBUTOR, LAB, RETAILER];

/// A certificate of analysis small enough to read in a failure message, and a PDF by its magic.
const COA: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

// ---- shared helpers ----------------------------------------------------------------------------

/// The records of a list answer: a paged envelope's `Data`, or a bare array.
fn data(v: Value) -> Vec<Value> {
    match v {
        Value::Array(rows) => rows,
        Value::Object(mut env) => match env.remove("Data") {
            Some(Value::Array(rows)) => rows,
            other => panic!("no Data array: {other:?}"),
        },
        other => panic!("not a list: {other}"),
    }
}

fn opt_str(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A manifest body element (Metrc's template shape) to `to`, carried by the distributor.
fn plan(to: &str, kind: &str, packages: Vec<Value>) -> Value {
    json!({
        "TransporterFacilityLicenseNumber": DISTRIBUTOR,
        "DriverOccupationalLicenseNumber": "EMP-300310",
        "DriverName": "Luis Ortega",
        "DriverLicenseNumber": "D4481237",
        "PhoneNumberForQuestions": "916-555-0142",
        "VehicleMake": "Ford",
        "VehicleModel": "Transit 250",
        "VehicleLicensePlateNumber": "8TGT123",
        "Destinations": [{
            "RecipientLicenseNumber": to,
            "TransferTypeName": kind,
            "PlannedRoute": "I-5 S to US-101 S; no stops",
            "EstimatedDepartureDateTime": "2026-11-21T08:00:00",
            "EstimatedArrivalDateTime": "2026-11-21T12:30:00",
            "Transporters": [],
            "Packages": packages,
        }]
    })
}

/// Registers a manifest from `shipper`, departs it (the distributor transports) and has
/// `recipient` accept every label; the manifest's id.
async fn ship_and_accept(app: &TestApp, shipper: &str, recipient: &str, labels: &[&str]) -> i64 {
    let lines = labels.iter().map(|l| json!({"PackageLabel": l})).collect();
    let r = app
        .post(
            shipper,
            "/tagtrail/v1/transfers/outgoing",
            json!([plan(recipient, "Transfer", lines)]),
        )
        .send()
        .await
        .ok();
    let id = ids(&r)[0];
    app.post(
        DISTRIBUTOR,
        "/tagtrail/v1/transfers/depart",
        json!([{"TransferId": id}]),
    )
    .send()
    .await
    .ok();
    let accept = labels
        .iter()
        .map(|l| json!({"PackageLabel": l, "Accepted": true}))
        .collect();
    app.post(
        recipient,
        &format!("/tagtrail/v1/transfers/deliveries/{id}/receive"),
        Value::Array(accept),
    )
    .send()
    .await
    .ok();
    id
}

/// A received, unused package tag of `license`.
async fn free_tag(app: &TestApp, license: &str) -> String {
    let tags = app.list(license, "/tags/v2/package/available").await;
    str_field(tags.first().expect("a free package tag"), "Label")
}

/// The package `label` of `license`, read as that license.
async fn package(app: &TestApp, license: &str, label: &str) -> Value {
    app.get(license, &format!("/packages/v2/{label}"))
        .send()
        .await
        .ok()
        .json()
}

/// The manufacturer fills 10 cartridges from its distillate and ships them to the distributor,
/// which accepts them: `(the distillate's label, the cartridges' label)`.
async fn fill_and_ship_cartridges(app: &TestApp) -> (String, String) {
    let distillate = app
        .list(MANUFACTURER, "/packages/v2/active")
        .await
        .into_iter()
        .find(|p| p["Item"]["Name"] == json!("Blue Dream Distillate"))
        .expect("the manufacturer's distillate");
    let source = str_field(&distillate, "Label");
    let carts = free_tag(app, MANUFACTURER).await;
    let body = json!([{
        "Tag": carts, "Item": "Blue Dream Vape 1g", "Quantity": 10, "UnitOfMeasure": "Each",
        "Location": "Packaging Line",
        "Ingredients": [{"Package": source, "Quantity": 10, "UnitOfMeasure": "Grams"}],
    }]);
    app.post(MANUFACTURER, "/packages/v2", body)
        .send()
        .await
        .ok();
    ship_and_accept(app, MANUFACTURER, DISTRIBUTOR, &[&carts]).await;
    (source, carts)
}

/// A distributor's lot and a testing sample of it, carried to the laboratory and accepted there,
/// with results (and a certificate) the laboratory recorded and has not released.
struct RecordedSample {
    lot: String,
    lot_id: i64,
    sample: String,
    sample_id: i64,
    results: Vec<i64>,
    document: i64,
}

async fn sample_with_unreleased_results(app: &TestApp) -> RecordedSample {
    let lot = free_tag(app, DISTRIBUTOR).await;
    let spec = NewPackage {
        tag: Some(lot.clone()),
        item: Some("Mango Gummies 10x10mg".into()),
        quantity: Some(Decimal::new(40, 0)),
        unit_of_measure: Some("Each".into()),
        location: Some("Receiving Dock".into()),
        ..Default::default()
    };
    app.opening_balance(DISTRIBUTOR, spec, "NotSubmitted").await;
    let sample = free_tag(app, DISTRIBUTOR).await;
    let body = json!([{
        "Tag": sample, "Item": "Mango Gummies 10x10mg", "Quantity": 4, "UnitOfMeasure": "Each",
        "Location": "Receiving Dock",
        "Ingredients": [{"Package": lot, "Quantity": 4, "UnitOfMeasure": "Each"}],
    }]);
    app.post(DISTRIBUTOR, "/packages/v2/testing", body)
        .send()
        .await
        .ok();
    ship_and_accept(app, DISTRIBUTOR, LAB, &[&sample]).await;
    let result = |t: &str, q: Value, pass: bool| json!({"LabTestTypeName": t, "Quantity": q, "Passed": pass, "Notes": "lab's own note"});
    let record = json!([{
        "Label": sample, "ResultDate": null,
        "DocumentFileName": "COA-leak-check.pdf",
        "DocumentFileBase64": base64::engine::general_purpose::STANDARD.encode(COA),
        "Results": [
            result("Pesticides", json!(0), true),
            result("Heavy Metals", json!(0.9), false),
            result("Cannabinoids", json!(9.8), true),
        ],
    }]);
    let results = ids(&app
        .post(LAB, "/labtests/v2/record", record)
        .send()
        .await
        .ok());
    let lot_id = int_field(&package(app, DISTRIBUTOR, &lot).await, "Id");
    let sample_id = int_field(&package(app, DISTRIBUTOR, &sample).await, "Id");
    let seen = data(
        app.get(LAB, "/labtests/v2/results")
            .query("packageId", &sample_id.to_string())
            .send()
            .await
            .ok()
            .json(),
    );
    let document = seen
        .iter()
        .find_map(|r| r["LabTestResultDocumentFileId"].as_i64())
        .unwrap_or_else(|| panic!("the laboratory sees its certificate: {seen:?}"));
    RecordedSample {
        lot,
        lot_id,
        sample,
        sample_id,
        results,
        document,
    }
}

/// Whether a field of another license's package says nothing: null, or an empty list.
fn says_nothing(v: &Value) -> bool {
    v.is_null() || v.as_array().is_some_and(Vec::is_empty)
}

/// The fields of a lineage package that say something, beyond `Label` and `Item.Name`.
fn live_fields(p: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in p.as_object().into_iter().flatten() {
        match k.as_str() {
            "Label" => {}
            "Item" => {
                for (ik, iv) in v.as_object().into_iter().flatten() {
                    if ik != "Name" && !says_nothing(iv) {
                        out.push(format!("Item.{ik}={iv}"));
                    }
                }
            }
            _ if !says_nothing(v) => out.push(format!("{k}={v}")),
            _ => {}
        }
    }
    out
}

/// `(Ancestors|Descendants, package)` of every step of a lineage answer.
fn lineage_steps(l: &Value) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    for side in ["Ancestors", "Descendants"] {
        for s in l[side].as_array().into_iter().flatten() {
            out.push((side, s["Package"].clone()));
        }
    }
    out
}

// ---- 1. every read, as every other license -----------------------------------------------------

/// How a route takes `licenseNumber`.
#[derive(Clone, Copy, PartialEq)]
enum Lic {
    /// Optional: without it, the record's own facility must be one the caller may act for.
    Optional,
    /// Required: without it the request is malformed (400).
    Required,
}

/// A transfer (manifest or template) and its parties, as its parties list it.
#[derive(Debug, Clone)]
struct Manifest {
    id: i64,
    number: Option<String>,
    shipper: String,
    recipient: String,
    transporter: String,
    template: bool,
}

impl Manifest {
    fn of(t: &Value) -> Manifest {
        Manifest {
            id: int_field(t, "Id"),
            number: opt_str(t, "ManifestNumber"),
            shipper: str_field(t, "ShipperFacilityLicenseNumber"),
            recipient: str_field(t, "RecipientFacilityLicenseNumber"),
            transporter: str_field(t, "TransporterFacilityLicenseNumber"),
            template: opt_str(t, "TagtrailState").as_deref() == Some("Template"),
        }
    }

    /// Who may read it: a template its shipper; a manifest its shipper, recipient, transporter.
    fn party(&self, license: &str) -> bool {
        self.shipper == license
            || (!self.template && (self.recipient == license || self.transporter == license))
    }
}

/// What each license owns, collected by asking as that license.
#[derive(Default)]
struct Owners {
    /// Package id → (owner, label).
    packages: BTreeMap<i64, (String, String)>,
    /// Sample package id → the laboratory holding it.
    custody: BTreeMap<i64, String>,
    /// `(route kind, id)` → owner, for items, strains, locations, sublocations, drivers, vehicles.
    records: BTreeMap<(&'static str, i64), String>,
    manifests: BTreeMap<i64, Manifest>,
    /// Manifest line id → manifest id (departed lines, from the shipper's `transferred`).
    lines: BTreeMap<i64, i64>,
    /// Certificate id → (package owner, laboratory, released).
    documents: BTreeMap<i64, (String, String, bool)>,
}

/// The failures of a walk, gathered so that one run names every leak.
struct Walk<'a> {
    app: &'a TestApp,
    leaks: Vec<String>,
    probes: usize,
}

impl Walk<'_> {
    fn leak(&mut self, what: String) {
        self.leaks.push(format!("[{}] {what}", self.app.backend));
    }

    /// `GET path?query` names a record of `owner` that `asker` may not read: asked with
    /// `licenseNumber` = the asker's license, without `licenseNumber`, and with the owner's
    /// license (where the asker is not employed), every answer must refuse: 401 or 404 (400
    /// without a license the route requires).
    async fn refused(
        &mut self,
        asker: &str,
        owner: &str,
        path: &str,
        query: &[(&str, String)],
        lic: Lic,
    ) {
        let variants: [(&str, Option<&str>); 3] = [
            ("licenseNumber=asker", Some(asker)),
            ("no licenseNumber", None),
            ("licenseNumber=owner", Some(owner)),
        ];
        for (how, license) in variants {
            let mut call = self.app.call(reqwest::Method::GET, path).acting_as(asker);
            for (k, v) in query {
                call = call.query(k, v);
            }
            if let Some(l) = license {
                call = call.license(l);
            }
            let r = call.send().await;
            self.probes += 1;
            let refused = match (license, lic) {
                (None, Lic::Required) => matches!(r.status, 400 | 401 | 404),
                _ => matches!(r.status, 401 | 404),
            };
            if !refused {
                let q: String = query.iter().map(|(k, v)| format!("?{k}={v}")).collect();
                let mut body = r.body.clone();
                body.truncate(400);
                self.leak(format!(
                    "GET {path}{q} as {asker} ({how}) about {owner}'s record → {}: {body}",
                    r.status
                ));
            }
        }
    }

    /// A list as `license`; records a leak and returns nothing when it does not answer 200.
    async fn list(&mut self, license: &str, path: &str) -> Vec<Value> {
        let r = self.app.get(license, path).send().await;
        self.probes += 1;
        if r.status != 200 {
            self.leak(format!(
                "GET {path} as {license} → {}: {}",
                r.status, r.body
            ));
            return vec![];
        }
        data(r.json())
    }
}

/// The package lists whose rows are the asker's own packages.
const PACKAGE_LISTS: [&str; 4] = [
    "/packages/v2/active",
    "/packages/v2/inactive",
    "/packages/v2/onhold",
    "/packages/v2/intransit",
];

/// Records read by id, with the route that reads one and how it takes `licenseNumber`.
const BY_ID: [(&str, &[&str], &str, Lic); 6] = [
    (
        "item",
        &["/items/v2/active", "/items/v2/inactive"],
        "/items/v2",
        Lic::Optional,
    ),
    (
        "strain",
        &["/strains/v2/active", "/strains/v2/inactive"],
        "/strains/v2",
        Lic::Optional,
    ),
    (
        "location",
        &["/locations/v2/active", "/locations/v2/inactive"],
        "/locations/v2",
        Lic::Optional,
    ),
    (
        "sublocation",
        &["/sublocations/v2/active", "/sublocations/v2/inactive"],
        "/sublocations/v2",
        Lic::Optional,
    ),
    (
        "driver",
        &["/transporters/v2/drivers"],
        "/transporters/v2/drivers",
        Lic::Required,
    ),
    (
        "vehicle",
        &["/transporters/v2/vehicles"],
        "/transporters/v2/vehicles",
        Lic::Required,
    ),
];

/// Every list endpoint scoped by `licenseNumber`.
const LISTS: [&str; 29] = [
    "/packages/v2/active",
    "/packages/v2/inactive",
    "/packages/v2/onhold",
    "/packages/v2/intransit",
    "/packages/v2/transferred",
    "/packages/v2/labsamples",
    "/packages/v2/adjustments",
    "/items/v2/active",
    "/items/v2/inactive",
    "/items/v2/brands",
    "/strains/v2/active",
    "/strains/v2/inactive",
    "/locations/v2/active",
    "/locations/v2/inactive",
    "/sublocations/v2/active",
    "/sublocations/v2/inactive",
    "/tags/v2/package/available",
    "/tags/v2/plant/available",
    "/tags/v2/staged",
    "/tagtrail/v1/tags/orders",
    "/transporters/v2/drivers",
    "/transporters/v2/vehicles",
    "/transfers/v2/incoming",
    "/transfers/v2/outgoing",
    "/transfers/v2/rejected",
    "/transfers/v2/templates/outgoing",
    "/tagtrail/v1/transfers/transporting",
    "/employees/v2",
    "/tagtrail/v1/journal",
];

/// Collects what each license owns, asking as that license.
async fn collect(app: &TestApp, walk: &mut Walk<'_>) -> Owners {
    let mut o = Owners::default();
    for lic in LICENSES {
        for list in PACKAGE_LISTS {
            for p in walk.list(lic, list).await {
                let id = int_field(&p, "Id");
                let label = str_field(&p, "Label");
                if let Some((other, _)) = o.packages.get(&id)
                    && other.as_str() != lic
                {
                    walk.leak(format!(
                        "package {id} ({label}) is listed to both {other} and {lic} ({list})"
                    ));
                }
                o.packages.insert(id, (lic.to_string(), label));
            }
        }
        for (kind, lists, _, _) in BY_ID {
            for list in lists {
                for r in walk.list(lic, list).await {
                    let id = int_field(&r, "Id");
                    if let Some(other) = o.records.insert((kind, id), lic.to_string())
                        && other != lic
                    {
                        walk.leak(format!(
                            "{kind} {id} is listed to both {other} and {lic} ({list})"
                        ));
                    }
                }
            }
        }
        for list in [
            "/transfers/v2/outgoing",
            "/transfers/v2/incoming",
            "/transfers/v2/rejected",
            "/transfers/v2/templates/outgoing",
            "/tagtrail/v1/transfers/transporting",
        ] {
            for t in walk.list(lic, list).await {
                let m = Manifest::of(&t);
                o.manifests.insert(m.id, m);
            }
        }
    }
    // Samples in a laboratory's custody (the lab's view), and each shipper's departed lines.
    for lic in LICENSES {
        let facility = walk.list(lic, "/facilities/v2").await;
        let can_test = facility
            .first()
            .is_some_and(|f| f["FacilityType"]["CanTestPackages"] == json!(true));
        if can_test {
            for s in walk.list(lic, "/packages/v2/labsamples").await {
                o.custody.insert(int_field(&s, "Id"), lic.to_string());
            }
        }
        for line in walk.list(lic, "/packages/v2/transferred").await {
            let number = opt_str(&line, "ManifestNumber");
            let manifest = o
                .manifests
                .values()
                .find(|m| m.number == number && m.shipper == lic)
                .map(|m| m.id);
            match manifest {
                Some(m) => {
                    o.lines.insert(int_field(&line, "Id"), m);
                }
                None => walk.leak(format!(
                    "GET /packages/v2/transferred as {lic} lists line {line} of a manifest {lic} did not ship"
                )),
            }
        }
    }
    // Certificates: what each owner and each laboratory see of results.
    let mut seen_by: Vec<(String, i64)> = o
        .packages
        .iter()
        .map(|(id, (owner, _))| (owner.clone(), *id))
        .collect();
    seen_by.extend(o.custody.iter().map(|(id, lab)| (lab.clone(), *id)));
    for (viewer, id) in seen_by {
        let r = app
            .get(&viewer, "/labtests/v2/results")
            .query("packageId", &id.to_string())
            .send()
            .await
            .ok();
        for res in data(r.json()) {
            let lab = str_field(&res, "LabFacilityLicenseNumber");
            if res["ResultReleased"] != json!(true) && lab != viewer {
                walk.leak(format!(
                    "GET /labtests/v2/results?packageId={id} as {viewer} shows {lab}'s unreleased result {}",
                    res["LabTestResultId"]
                ));
            }
            if let Some(doc) = res["LabTestResultDocumentFileId"].as_i64() {
                let owner = o
                    .packages
                    .get(&int_field(&res, "PackageId"))
                    .map(|p| p.0.clone());
                let released = res["ResultReleased"] == json!(true);
                let entry =
                    o.documents
                        .entry(doc)
                        .or_insert((owner.unwrap_or_default(), lab, released));
                entry.2 = entry.2 && released;
            }
        }
    }
    o
}

/// Issue 8, "a test walks every read as each license against every other license's objects":
/// for every record with an id (packages by id and label, their lineage, source harvests and lab
/// results; items, strains, locations, sublocations, drivers, vehicles; certificates; manifests
/// and templates with their deliveries, packages, wholesale prices, transporters and documents;
/// manifest lines), every license that no rule lets see it is refused (401/404) with its own
/// `licenseNumber`, without one, and with the owner's; every list a license reads holds only its
/// own records (or those a rule shares), and no list can be read by naming another license.
#[tokio::test]
async fn no_license_reads_another_licenses_records() {
    for_each_backend(async |app| {
        // Beyond the demo: a template (its shipper only may read it) and a sample in the lab's
        // custody whose results are recorded and not yet released.
        let vapes = app
            .list(DISTRIBUTOR, "/packages/v2/active")
            .await
            .into_iter()
            .find(|p| p["LocationName"] == json!("Sellable Inventory"))
            .map(|p| str_field(&p, "Label"))
            .expect("the distributor's tested vapes");
        let mut template = plan(
            RETAILER,
            "Wholesale Manifest",
            vec![json!({"PackageLabel": vapes, "WholesalePrice": 12.5})],
        );
        template["Name"] = json!("Weekly vapes");
        app.post(DISTRIBUTOR, "/transfers/v2/templates/outgoing", json!([template]))
            .send()
            .await
            .ok();
        let pending = sample_with_unreleased_results(app).await;
        // Lineage across a manifest: the distributor's cartridges come from the manufacturer's
        // distillate.
        let (source, carts) = fill_and_ship_cartridges(app).await;

        let mut walk = Walk {
            app,
            leaks: vec![],
            probes: 0,
        };
        // Batches, plants and harvests lineage listed below a package (a recall's walk).
        let mut grown = 0usize;
        let o = collect(app, &mut walk).await;
        assert!(
            o.packages.len() >= 15
                && o.manifests.values().any(|m| m.template)
                && o.custody.contains_key(&pending.sample_id)
                && o.documents.contains_key(&pending.document)
                && !o.lines.is_empty()
                && o.packages.values().any(|p| p.1 == source && p.0 == MANUFACTURER)
                && o.packages.values().any(|p| p.1 == carts && p.0 == DISTRIBUTOR),
            "[{}] the walk sees the demo's records",
            app.backend
        );

        // Packages: by id, by label, lineage, source harvests, lab results.
        for (id, (owner, label)) in &o.packages {
            for asker in LICENSES.into_iter().filter(|l| *l != owner.as_str()) {
                // A laboratory may read a sample in its custody.
                if o.custody.get(id).map(String::as_str) == Some(asker) {
                    continue;
                }
                let none: &[(&str, String)] = &[];
                for path in [
                    format!("/packages/v2/{id}"),
                    format!("/packages/v2/{label}"),
                    format!("/tagtrail/v1/packages/{label}/lineage"),
                    format!("/tagtrail/v1/packages/{id}/lineage"),
                    format!("/packages/v2/{id}/source/harvests"),
                ] {
                    walk.refused(asker, owner, &path, none, Lic::Required).await;
                }
                let q = [("packageId", id.to_string())];
                walk.refused(asker, owner, "/labtests/v2/results", &q, Lic::Required)
                    .await;
            }
        }

        // Items, strains, locations, sublocations, drivers, vehicles.
        for ((kind, id), owner) in &o.records {
            let (_, _, base, lic) = BY_ID.iter().find(|b| b.0 == *kind).expect("a route");
            for asker in LICENSES.into_iter().filter(|l| *l != owner.as_str()) {
                walk.refused(asker, owner, &format!("{base}/{id}"), &[], *lic)
                    .await;
            }
        }

        // Certificates: the laboratory that stored one, and its owner once released.
        for (doc, (owner, lab, released)) in &o.documents {
            for asker in LICENSES {
                if asker == lab.as_str() || (asker == owner.as_str() && *released) {
                    continue;
                }
                let path = format!("/labtests/v2/labtestdocument/{doc}");
                let named = if asker == owner.as_str() { lab } else { owner };
                walk.refused(asker, named, &path, &[], Lic::Required).await;
            }
        }

        // Manifests and templates, through both route families.
        let manifest_routes = [
            ("/transfers/v2/{}/deliveries", Lic::Optional),
            ("/transfers/v2/deliveries/{}/packages", Lic::Optional),
            ("/transfers/v2/deliveries/{}/packages/wholesale", Lic::Optional),
            ("/transfers/v2/deliveries/{}/transporters", Lic::Optional),
            ("/transfers/v2/deliveries/{}/transporters/details", Lic::Optional),
            ("/transfers/v2/manifest/{}/pdf", Lic::Required),
            ("/transfers/v2/manifest/{}/html", Lic::Required),
            ("/transfers/v2/templates/outgoing/{}/deliveries", Lic::Optional),
            ("/transfers/v2/templates/outgoing/deliveries/{}/packages", Lic::Optional),
            ("/transfers/v2/templates/outgoing/deliveries/{}/transporters", Lic::Optional),
            ("/transfers/v2/templates/outgoing/deliveries/{}/transporters/details", Lic::Optional),
        ];
        for m in o.manifests.values() {
            for asker in LICENSES.into_iter().filter(|l| !m.party(l)) {
                for (route, lic) in manifest_routes {
                    let path = route.replace("{}", &m.id.to_string());
                    walk.refused(asker, &m.shipper, &path, &[], lic).await;
                }
            }
        }
        for (line, manifest) in &o.lines {
            let m = &o.manifests[manifest];
            for asker in LICENSES.into_iter().filter(|l| !m.party(l)) {
                let path = format!("/transfers/v2/deliveries/package/{line}/requiredlabtestbatches");
                walk.refused(asker, &m.shipper, &path, &[], Lic::Optional).await;
            }
        }

        // Lists: none is readable by naming another license ...
        for list in LISTS {
            for asker in LICENSES {
                for owner in LICENSES.into_iter().filter(|l| *l != asker) {
                    let r = app.get(asker, list).license(owner).send().await;
                    walk.probes += 1;
                    if !matches!(r.status, 401 | 404) {
                        let mut body = r.body;
                        body.truncate(400);
                        walk.leak(format!(
                            "GET {list}?licenseNumber={owner} as {asker} → {}: {body}",
                            r.status
                        ));
                    }
                }
            }
        }
        // ... and each holds only the asker's own records.
        let mut facility_of: BTreeMap<&str, i64> = BTreeMap::new();
        for lic in LICENSES {
            let f = walk.list(lic, "/facilities/v2").await;
            for row in &f {
                if row["License"]["Number"] != json!(lic) {
                    walk.leak(format!("GET /facilities/v2 as {lic} lists {row}"));
                }
            }
            facility_of.insert(lic, f.first().map(|r| int_field(r, "FacilityId")).unwrap_or(-1));
        }
        let mut brands: BTreeMap<i64, &str> = BTreeMap::new();
        let mut tags: BTreeMap<i64, &str> = BTreeMap::new();
        let mut staff: BTreeMap<String, &str> = BTreeMap::new();
        for lic in LICENSES {
            let fid = facility_of[&lic];
            let owns = |id: i64| o.packages.get(&id).is_some_and(|(l, _)| l.as_str() == lic);
            for list in PACKAGE_LISTS {
                for p in walk.list(lic, list).await {
                    if !owns(int_field(&p, "Id")) {
                        walk.leak(format!("GET {list} as {lic} lists another license's package {}", p["Label"]));
                    }
                }
            }
            for s in walk.list(lic, "/packages/v2/labsamples").await {
                let id = int_field(&s, "Id");
                let held = o.custody.get(&id).map(String::as_str) == Some(lic);
                if !(owns(id) || held) {
                    walk.leak(format!(
                        "GET /packages/v2/labsamples as {lic} lists sample {} of {:?} at {:?}",
                        s["Label"],
                        o.packages.get(&id).map(|p| &p.0),
                        s["LabFacilityLicenseNumber"]
                    ));
                }
            }
            let shipped: BTreeSet<i64> = walk
                .list(lic, "/packages/v2/transferred")
                .await
                .iter()
                .map(|l| int_field(l, "PackageId"))
                .collect();
            for a in walk.list(lic, "/packages/v2/adjustments").await {
                let id = int_field(&a, "PackageId");
                if !(owns(id) || shipped.contains(&id)) {
                    walk.leak(format!("GET /packages/v2/adjustments as {lic} lists {a}"));
                }
            }
            for (kind, lists, _, _) in BY_ID {
                for list in lists {
                    for r in walk.list(lic, list).await {
                        let id = int_field(&r, "Id");
                        if o.records.get(&(kind, id)).map(String::as_str) != Some(lic) {
                            walk.leak(format!("GET {list} as {lic} lists {kind} {id} of {:?}", o.records.get(&(kind, id))));
                        }
                        if let Some(f) = r.get("FacilityId").and_then(Value::as_i64)
                            && f != fid
                        {
                            walk.leak(format!("GET {list} as {lic} (facility {fid}) lists {r}"));
                        }
                    }
                }
            }
            for b in walk.list(lic, "/items/v2/brands").await {
                if let Some(other) = brands.insert(int_field(&b, "Id"), lic) {
                    walk.leak(format!("brand {b} is listed to both {other} and {lic}"));
                }
            }
            for list in ["/tags/v2/package/available", "/tags/v2/plant/available", "/tags/v2/staged"] {
                for t in walk.list(lic, list).await {
                    if let Some(other) = tags.insert(int_field(&t, "Id"), lic) {
                        walk.leak(format!("tag {} is listed to both {other} and {lic}", t["Label"]));
                    }
                    if t["FacilityId"].as_i64() != Some(fid) {
                        walk.leak(format!("GET {list} as {lic} (facility {fid}) lists {t}"));
                    }
                }
            }
            for order in walk.list(lic, "/tagtrail/v1/tags/orders").await {
                if order["LicenseNumber"] != json!(lic) {
                    walk.leak(format!("GET /tagtrail/v1/tags/orders as {lic} lists {order}"));
                }
            }
            for (list, field) in [
                ("/transfers/v2/incoming", "RecipientFacilityLicenseNumber"),
                ("/transfers/v2/outgoing", "ShipperFacilityLicenseNumber"),
                ("/transfers/v2/rejected", "ShipperFacilityLicenseNumber"),
                ("/transfers/v2/templates/outgoing", "ShipperFacilityLicenseNumber"),
                ("/tagtrail/v1/transfers/transporting", "TransporterFacilityLicenseNumber"),
            ] {
                for t in walk.list(lic, list).await {
                    if t[field] != json!(lic) {
                        walk.leak(format!("GET {list} as {lic} lists manifest {} with {field} {}", t["Id"], t[field]));
                    }
                }
            }
            for e in walk.list(lic, "/employees/v2").await {
                let badge = e["License"]["EmployeeLicenseNumber"].to_string();
                if let Some(other) = staff.insert(badge.clone(), lic) {
                    walk.leak(format!("employee {badge} is listed to both {other} and {lic}"));
                }
            }
            for entry in app.journal(lic).await {
                walk.probes += 1;
                if entry["LicenseNumber"] != json!(lic) {
                    walk.leak(format!("GET /tagtrail/v1/journal as {lic} holds entry {}", entry["Seq"]));
                }
            }
            // Lineage as the owner: other licenses' relatives are a label and an item.
            for (id, (owner, _)) in &o.packages {
                if owner.as_str() != lic {
                    continue;
                }
                let l = app
                    .get(lic, &format!("/tagtrail/v1/packages/{id}/lineage"))
                    .send()
                    .await
                    .ok()
                    .json();
                walk.probes += 1;
                for (side, p) in lineage_steps(&l) {
                    let label = p["Label"].as_str().unwrap_or_default().to_string();
                    let theirs = o
                        .packages
                        .values()
                        .any(|(l2, lb)| *lb == label && l2.as_str() != lic);
                    let live = live_fields(&p);
                    if theirs && !live.is_empty() {
                        walk.leak(format!(
                            "GET /tagtrail/v1/packages/{id}/lineage as {lic}: {side} {label} of another license shows {live:?}"
                        ));
                    }
                }
                // Harvests, plants and batches: in full (with an Id) only the caller's own, which
                // it can read by id itself; another license's harvest is a name and a plant count
                // above a package (`Origins`), and never listed below one (`GrownInto`).
                let up = l["Origins"].as_array().into_iter().flatten().map(|o| ("Origins", o));
                let down = l["GrownInto"].as_array().into_iter().flatten().map(|o| ("GrownInto", o));
                for (side, o) in up.chain(down) {
                    grown += usize::from(side == "GrownInto");
                    let (record, path) = match o["Kind"].as_str() {
                        Some("Harvest") => (&o["Harvest"], "/harvests/v2"),
                        Some("Plant") => (&o["Plant"], "/plants/v2"),
                        _ => (&o["PlantBatch"], "/plantbatches/v2"),
                    };
                    let Some(rid) = record["Id"].as_i64() else {
                        let live: Vec<&String> = record
                            .as_object()
                            .into_iter()
                            .flatten()
                            .filter(|(k, v)| !says_nothing(v) && *k != "Name" && *k != "PlantCount")
                            .map(|(k, _)| k)
                            .collect();
                        if !live.is_empty() || o["Kind"] != "Harvest" || side == "GrownInto" {
                            walk.leak(format!(
                                "GET /tagtrail/v1/packages/{id}/lineage as {lic}: {side} another license's {} shows {live:?}",
                                o["Kind"]
                            ));
                        }
                        continue;
                    };
                    walk.probes += 1;
                    let own = app.get(lic, &format!("{path}/{rid}")).send().await;
                    if own.status != 200 {
                        walk.leak(format!(
                            "GET /tagtrail/v1/packages/{id}/lineage as {lic}: {side} {path}/{rid} in full, which {lic} may not read ({})",
                            own.status
                        ));
                    }
                }
            }
        }

        println!(
            "[{}] {} reads walked, {} leaks, {grown} lineage records grown from packages",
            app.backend,
            walk.probes,
            walk.leaks.len()
        );
        assert!(
            grown > 0,
            "[{}] the demo's clones packages grow into batches, plants and harvests",
            app.backend
        );
        assert!(
            walk.leaks.is_empty(),
            "[{}] {} cross-license leaks:\n{}",
            app.backend,
            walk.leaks.len(),
            walk.leaks.join("\n")
        );
    })
    .await;
}

// ---- 2. lineage across a manifest --------------------------------------------------------------

/// Issue 8's first leak: lineage as the receiving distributor shows the manufacturer's source
/// package only as its `Label` and `Item.Name`; no quantity, location, lab state, id or any other
/// live field. The demo's received cartridges are an opening balance (no sources), so the
/// manufacturer fills cartridges from its distillate and ships them; the manufacturer's view of
/// its distillate, whose product now belongs to the distributor, is held to the same rule.
#[tokio::test]
async fn lineage_shows_another_licenses_package_as_label_and_item_only() {
    for_each_backend(async |app| {
        let b = app.backend;
        let received = app
            .list(DISTRIBUTOR, "/packages/v2/active")
            .await
            .into_iter()
            .find(|p| p["ReceivedFromFacilityLicenseNumber"] == json!(MANUFACTURER))
            .expect("the demo's received cartridges");
        let own: BTreeSet<String> = app
            .list(DISTRIBUTOR, "/packages/v2/active")
            .await
            .iter()
            .map(|p| str_field(p, "Label"))
            .collect();
        let l = app
            .get(
                DISTRIBUTOR,
                &format!(
                    "/tagtrail/v1/packages/{}/lineage",
                    str_field(&received, "Label")
                ),
            )
            .send()
            .await
            .ok()
            .json();
        for (side, p) in lineage_steps(&l) {
            if !own.contains(p["Label"].as_str().unwrap_or_default()) {
                assert_eq!(live_fields(&p), Vec::<String>::new(), "[{b}] {side}: {p}");
            }
        }

        let (source, carts) = fill_and_ship_cartridges(app).await;
        assert_eq!(
            package(app, DISTRIBUTOR, &carts).await["Quantity"],
            json!(10),
            "[{b}] the distributor holds the cartridges"
        );
        let refused = app
            .get(DISTRIBUTOR, &format!("/packages/v2/{source}"))
            .send()
            .await;
        assert!(
            matches!(refused.status, 401 | 404),
            "[{b}] the source is not the distributor's: {refused:?}"
        );

        // As the distributor: the source is a label and an item.
        let l = app
            .get(
                DISTRIBUTOR,
                &format!("/tagtrail/v1/packages/{carts}/lineage"),
            )
            .send()
            .await
            .ok()
            .json();
        assert_eq!(str_field(&l["Package"], "Label"), carts, "[{b}] {l}");
        let ancestors = l["Ancestors"].as_array().cloned().unwrap_or_default();
        let step = ancestors
            .iter()
            .find(|s| s["Package"]["Label"] == json!(source))
            .unwrap_or_else(|| panic!("[{b}] the distillate is an ancestor: {l}"));
        assert_eq!(step["Depth"], json!(1), "[{b}] {step}");
        let p = &step["Package"];
        assert_eq!(
            p["Item"]["Name"],
            json!("Blue Dream Distillate"),
            "[{b}] {p}"
        );
        for field in [
            "Id",
            "Quantity",
            "LocationName",
            "LabTestingState",
            "UnitOfMeasureName",
        ] {
            assert!(
                says_nothing(&p[field]),
                "[{b}] the source's {field} leaks: {p}"
            );
        }
        assert_eq!(
            live_fields(p),
            Vec::<String>::new(),
            "[{b}] the manufacturer's source package shows only Label and Item.Name: {p}"
        );

        // As the manufacturer: its own relatives in full, the shipped cartridges as label+item.
        let l = app
            .get(
                MANUFACTURER,
                &format!("/tagtrail/v1/packages/{source}/lineage"),
            )
            .send()
            .await
            .ok()
            .json();
        let mut shipped = None;
        for (_, p) in lineage_steps(&l) {
            if p["Label"] == json!(carts) {
                shipped = Some(p);
            } else {
                assert!(
                    p["Quantity"].is_number(),
                    "[{b}] the manufacturer's own package in full: {p}"
                );
            }
        }
        let shipped = shipped
            .unwrap_or_else(|| panic!("[{b}] the cartridges descend from the distillate: {l}"));
        assert_eq!(
            shipped["Item"]["Name"],
            json!("Blue Dream Vape 1g"),
            "[{b}] {shipped}"
        );
        assert_eq!(
            live_fields(&shipped),
            Vec::<String>::new(),
            "[{b}] the distributor's cartridges show only Label and Item.Name: {shipped}"
        );
    })
    .await;
}

// ---- 3. a testing sample's results before release -----------------------------------------------

/// Issue 8's second leak: the owner (the distributor) of a testing sample does not see the
/// laboratory's results or certificate before the laboratory releases them, for the sample or
/// for the lot it came from; after `PUT /labtests/v2/results/release` it sees all of them.
#[tokio::test]
async fn a_samples_owner_sees_lab_results_only_once_released() {
    for_each_backend(async |app| {
        let b = app.backend;
        let s = sample_with_unreleased_results(app).await;
        assert_eq!(s.results.len(), 3, "[{b}] three results recorded");
        let results = async |license: &str, id: i64| -> Vec<Value> {
            data(
                app.get(license, "/labtests/v2/results")
                    .query("packageId", &id.to_string())
                    .send()
                    .await
                    .ok()
                    .json(),
            )
        };
        let result_ids = |rows: &[Value]| -> BTreeSet<i64> {
            rows.iter().map(|r| int_field(r, "LabTestResultId")).collect()
        };
        let recorded: BTreeSet<i64> = s.results.iter().copied().collect();
        // The laboratory sees what it recorded.
        assert_eq!(result_ids(&results(LAB, s.sample_id).await), recorded, "[{b}]");

        // Before release, the owner sees none of it.
        for (what, id) in [("sample", s.sample_id), ("lot", s.lot_id)] {
            let rows = results(DISTRIBUTOR, id).await;
            assert!(
                result_ids(&rows).is_disjoint(&recorded),
                "[{b}] GET /labtests/v2/results?packageId={id} ({what}) as the distributor before release: {rows:?}"
            );
        }
        let doc = format!("/labtests/v2/labtestdocument/{}", s.document);
        let r = app.get(DISTRIBUTOR, &doc).send().await;
        assert!(
            matches!(r.status, 401 | 404),
            "[{b}] GET {doc} as the distributor before release → {}: {}",
            r.status,
            r.body
        );
        let listed = app
            .list(DISTRIBUTOR, "/packages/v2/labsamples")
            .await
            .into_iter()
            .find(|x| str_field(x, "Label") == s.sample)
            .unwrap_or_else(|| panic!("[{b}] the distributor lists its sample"));
        for field in ["OverallPassed", "TestPerformedDate", "ResultReleaseDateTime"] {
            assert!(
                listed[field].is_null(),
                "[{b}] labsamples shows the owner {field} before release: {listed}"
            );
        }
        assert_eq!(listed["ResultReleased"], json!(false), "[{b}] {listed}");
        // Nobody else sees them either.
        for other in [CULTIVATOR, MANUFACTURER, RETAILER] {
            let r = app
                .get(other, "/labtests/v2/results")
                .query("packageId", &s.sample_id.to_string())
                .send()
                .await;
            assert!(matches!(r.status, 401 | 404), "[{b}] {other}: {} {}", r.status, r.body);
        }

        // The laboratory releases; the owner sees every result, on the sample and on the lot.
        app.put(LAB, "/labtests/v2/results/release", json!([{"PackageLabel": s.sample}]))
            .send()
            .await
            .ok();
        for id in [s.sample_id, s.lot_id] {
            let rows = results(DISTRIBUTOR, id).await;
            assert_eq!(
                result_ids(&rows),
                recorded,
                "[{b}] released results of {id} (sample {}, lot {}): {rows:?}",
                s.sample,
                s.lot
            );
            assert!(
                rows.iter().all(|r| r["ResultReleased"] == json!(true)),
                "[{b}] {rows:?}"
            );
        }
        let got = app.get(DISTRIBUTOR, &doc).send().await.ok().json();
        assert_eq!(
            got["FileContents"],
            json!(base64::engine::general_purpose::STANDARD.encode(COA)),
            "[{b}] the released certificate reaches the owner"
        );
    })
    .await;
}
