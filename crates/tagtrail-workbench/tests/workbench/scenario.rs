//! Seed 003's whole flow as one scenario (issue 11), against a real ledger over loopback:
//! material accepted by manufacturing → a batch with two inputs, two outputs and waste,
//! balanced → submitted and accepted in the ledger → transferred to distribution and received →
//! sampled, tested, COA attached → released by a second QA person → transferred to the retailer
//! and accepted. At the end the ledger's journal and the workbench's audit log both verify.
//!
//! The brand's own steps go through the workbench (its outbox, its review, its gate); the other
//! parties' — the cultivator shipping, the transporter departing, the laboratory testing, the
//! retailer receiving — are their own systems' requests to the ledger.

use crate::kit::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use tagtrail_testkit::{CULTIVATOR, DISTRIBUTOR, LAB, MANUFACTURER, RETAILER, TestApp};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::batches::Line;
use tagtrail_workbench::model::batch::{Amount, BatchType, Input, Output, Status, Step, Waste};
use tagtrail_workbench::model::coa::Potency;
use tagtrail_workbench::model::manifest::{ManifestDraft, Receipt, ReceiptLine};
use tagtrail_workbench::model::preflight::{Ingredient, Intent, NewPackage, TransferDraft};
use tagtrail_workbench::model::qa::CheckItem;
use tagtrail_workbench::model::role::Role;
use tagtrail_workbench::model::submission::{State, Step as SubStep};
use tagtrail_workbench::outbox::Delivery;
use tagtrail_workbench::people::Caller;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Another party registers a manifest in its own system (the ledger's extension); its id.
async fn registered_by(app: &TestApp, shipper: &str, to: &str, labels: &[&str]) -> i64 {
    let t = transport();
    let body = json!([{
        "TransporterFacilityLicenseNumber": t.transporter_license,
        "DriverOccupationalLicenseNumber": t.driver_occupational_license,
        "DriverName": t.driver_name,
        "DriverLicenseNumber": t.driver_license,
        "PhoneNumberForQuestions": t.phone_for_questions,
        "VehicleMake": t.vehicle_make,
        "VehicleModel": t.vehicle_model,
        "VehicleLicensePlateNumber": t.vehicle_plate,
        "Destinations": [{
            "RecipientLicenseNumber": to,
            "TransferTypeName": "Transfer",
            "EstimatedDepartureDateTime": t.estimated_departure,
            "EstimatedArrivalDateTime": t.estimated_arrival,
            "Transporters": [],
            "Packages": labels.iter().map(|l| json!({"PackageLabel": l})).collect::<Vec<_>>(),
        }]
    }]);
    let r = app
        .post(shipper, "/tagtrail/v1/transfers/outgoing", body)
        .send()
        .await
        .ok();
    tagtrail_testkit::ids(&r)[0]
}

/// The transporter (the distributor) confirms the load and departs with the newest manifest
/// that carries `label`.
async fn depart_with(app: &TestApp, shipper: &str, label: &str) -> i64 {
    let mut found = None;
    for t in app.list(shipper, "/transfers/v2/outgoing").await {
        let id = t["Id"].as_i64().unwrap();
        for dl in app
            .list(shipper, &format!("/transfers/v2/{id}/deliveries"))
            .await
        {
            let did = dl["Id"].as_i64().unwrap();
            let packages = app
                .list(shipper, &format!("/transfers/v2/deliveries/{did}/packages"))
                .await;
            if packages.iter().any(|p| p["PackageLabel"] == label) {
                found = found.max(Some(id));
            }
        }
    }
    let id = found.expect("a manifest carries the package");
    app.post(
        DISTRIBUTOR,
        "/tagtrail/v1/transfers/depart",
        json!([{"TransferId": id}]),
    )
    .send()
    .await
    .ok();
    id
}

/// A party outside the brand receives every package of manifest `id`.
async fn received_by(app: &TestApp, recipient: &str, id: i64, labels: &[&str]) {
    let lines: Vec<Value> = labels
        .iter()
        .map(|l| json!({"PackageLabel": l, "Accepted": true}))
        .collect();
    app.post(
        recipient,
        &format!("/tagtrail/v1/transfers/deliveries/{id}/receive"),
        Value::Array(lines),
    )
    .send()
    .await
    .ok();
}

/// Drafted by `author`, approved by `approver` with the second factor, submitted by `submitter`,
/// then delivered: Metrc's answer must be acceptance.
async fn through_the_outbox(
    b: &Bench,
    number: &str,
    (author, approver, submitter): (&str, &str, &str),
    title: &str,
    intent: Intent,
) -> i64 {
    let a = b.caller(author).await;
    let la = b.license(&a, number).await;
    let id =
        b.wb.draft(&a, Door::Web, &la, title, "seed 003 flow", intent)
            .await
            .unwrap();
    let sub = b.wb.submission(&la, id).await.unwrap();
    assert!(sub.preflight.is_empty(), "{title}: {:?}", sub.preflight);
    review_and_send(b, number, id, (author, approver, submitter)).await;
    id
}

async fn review_and_send(
    b: &Bench,
    number: &str,
    id: i64,
    (author, approver, submitter): (&str, &str, &str),
) {
    for (who, step) in [
        (author, SubStep::SendToReview),
        (approver, SubStep::Approve),
        (submitter, SubStep::Submit),
    ] {
        let c = b.caller(who).await;
        let l = b.license(&c, number).await;
        b.wb.step(&c, Door::Web, &l, id, step, "").await.unwrap();
    }
    let c = b.caller(submitter).await;
    let l = b.license(&c, number).await;
    let sent = b.wb.deliver(&l, id).await.unwrap();
    let answer = b.wb.submission(&l, id).await.unwrap().response_body;
    assert_eq!(sent, Delivery::Accepted, "#{id}: {answer:?}");
}

/// The workbench's receipt of the delivery carrying `labels` into `number`, every package
/// accepted.
async fn receive(b: &Bench, number: &str, shipper: &str, labels: &[&str]) {
    let alice = b.caller("alice").await;
    sync(b, &alice, number).await;
    let l = b.license(&alice, number).await;
    let (delivery, d) =
        b.wb.incoming_deliveries(&l)
            .await
            .unwrap()
            .into_iter()
            .find(|(_, d)| labels.iter().all(|x| d.packages.contains_key(*x)))
            .expect("the sync saw the delivery");
    let intent = Intent::ReceiveDelivery(Receipt {
        delivery_id: delivery,
        manifest_number: d.manifest_number,
        shipper_license: shipper.into(),
        // The receiving checklist: each package counted on arrival (as shipped), its label
        // and seal checked.
        lines: labels
            .iter()
            .map(|x| ReceiptLine {
                label: x.to_string(),
                accept: true,
                received_quantity: None,
                reason: None,
                counted: d.packages.get(*x).map(|p| p.shipped_quantity),
                label_ok: Some(true),
                intact: Some(true),
            })
            .collect(),
    });
    through_the_outbox(b, number, ("carol", "alice", "alice"), "Receive", intent).await;
    sync(b, &alice, number).await;
}

fn grams(q: &str) -> Amount {
    Amount::new(d(q), "Grams")
}

/// Issue 11's scenario, on the run's backend.
#[tokio::test]
async fn seed_003_from_material_to_the_retailer() {
    for backend in backends() {
        let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
        let mut b = Bench::open(&backend, fast()).await;
        let company = b.brand(&app).await;
        let op = Caller::operator();
        b.wb.set_ledger_extensions(&op, Door::Cli, company, true)
            .await
            .unwrap();
        for name in ["quinn", "rhea"] {
            let u =
                b.wb.create_user(&op, Door::Cli, Some(company), name, name, PASSWORD)
                    .await
                    .unwrap();
            b.wb.grant(&op, Door::Cli, name, DISTRIBUTOR, Role::Qa)
                .await
                .unwrap();
            b.users.push((name.into(), u.totp_secret));
        }

        // 1. Material: the cultivator ships two lots of flower; manufacturing accepts them.
        let flower = free_tags(&app, CULTIVATOR, 2).await;
        for (tag, g) in [(&flower[0], 200), (&flower[1], 100)] {
            let spec = tagtrail_domain::commands::packages::NewPackage {
                tag: Some(tag.clone()),
                item: Some("Blue Dream Flower".into()),
                quantity: Some(Decimal::new(g, 0)),
                unit_of_measure: Some("Grams".into()),
                location: Some("Vault".into()),
                ..Default::default()
            };
            app.opening_balance(CULTIVATOR, spec, "TestPassed").await;
        }
        let f: Vec<&str> = flower.iter().map(String::as_str).collect();
        registered_by(&app, CULTIVATOR, MANUFACTURER, &f).await;
        depart_with(&app, CULTIVATOR, f[0]).await;
        receive(&b, MANUFACTURER, CULTIVATOR, &f).await;

        // 2. A batch: two inputs, two outputs and waste, balanced (extraction, 5 %).
        let out = free_tags(&app, MANUFACTURER, 2).await;
        let bob = b.caller("bob").await;
        let lb = b.license(&bob, MANUFACTURER).await;
        let batch =
            b.wb.create_batch(
                &bob,
                Door::Web,
                &lb,
                "Distillate 2026-48",
                BatchType::Extraction,
                "Ethanol extraction, winterized, distilled",
                None,
            )
            .await
            .unwrap();
        b.wb.batch_step(&bob, Door::Web, &lb, batch, Step::Start)
            .await
            .unwrap();
        let distillate = |tag: &str, g: &str| {
            Line::Output(Output {
                tag: tag.into(),
                item: "Blue Dream Distillate".into(),
                amount: grams(g),
                location: Some("Extraction Lab".into()),
            })
        };
        for line in [
            Line::Input(Input {
                package: flower[0].clone(),
                amount: grams("200"),
                untracked: false,
            }),
            Line::Input(Input {
                package: flower[1].clone(),
                amount: grams("100"),
                untracked: false,
            }),
            distillate(&out[0], "40"),
            distillate(&out[1], "20"),
            Line::Waste(Waste {
                method: "Mixed with soil".into(),
                amount: grams("226"),
                reason: "Spent biomass".into(),
                witness: "Carol".into(),
            }),
        ] {
            b.wb.add_batch_line(&bob, Door::Web, &lb, batch, line)
                .await
                .unwrap();
        }
        b.wb.set_process_loss(&bob, Door::Web, &lb, batch, Some(grams("14")))
            .await
            .unwrap();
        assert_eq!(
            b.wb.batch(&lb, batch)
                .await
                .unwrap()
                .balance()
                .unwrap()
                .difference,
            d("0")
        );
        b.wb.batch_step(&bob, Door::Web, &lb, batch, Step::Complete)
            .await
            .unwrap();
        b.wb.batch_step(&bob, Door::Web, &lb, batch, Step::Submit)
            .await
            .unwrap();

        // 3. Submitted and accepted in the ledger.
        let (sid, state) = b.wb.batch(&lb, batch).await.unwrap().submissions[0];
        assert_eq!(state, State::Draft);
        review_and_send(&b, MANUFACTURER, sid, ("bob", "carol", "alice")).await;
        assert_eq!(
            b.wb.batch(&lb, batch).await.unwrap().status,
            Status::Accepted
        );

        // 4. To distribution: registered by the kitchen's outbox, carried, received by the
        // distributor's.
        let lot = out[0].clone();
        let manifest = Intent::RegisterManifest(ManifestDraft {
            transfer: TransferDraft {
                name: "Distillate to distribution".into(),
                recipient_license: DISTRIBUTOR.into(),
                recipient_is_retailer: false,
                transfer_type: "Transfer".into(),
                packages: vec![lot.clone()],
                wholesale_prices: Default::default(),
            },
            transport: transport(),
        });
        let alice = b.caller("alice").await;
        sync(&b, &alice, MANUFACTURER).await;
        through_the_outbox(
            &b,
            MANUFACTURER,
            ("carol", "alice", "alice"),
            "To distribution",
            manifest,
        )
        .await;
        depart_with(&app, MANUFACTURER, &lot).await;
        receive(&b, DISTRIBUTOR, MANUFACTURER, &[&lot]).await;
        // The counts taken on arrival are evidence, and agree with Metrc after the receipt.
        let ld = b.license(&alice, DISTRIBUTOR).await;
        let line =
            b.wb.reconciliation_lines(&ld)
                .await
                .unwrap()
                .into_iter()
                .find(|l| l.label == lot)
                .expect("the received lot is reconciled");
        assert_eq!(line.counted.map(|c| c.quantity), Some(d("40")));
        assert!(line.discrepancies.is_empty(), "{:?}", line.discrepancies);

        // 5. Sampled and tested: the distributor's sample goes to the laboratory, which records
        // passing results and releases them.
        // (The distributor's catalog needs the item for a sample of its own.)
        app.post(
            DISTRIBUTOR,
            "/items/v2",
            json!([{"ItemCategory": "Concentrate", "Name": "Blue Dream Distillate", "UnitOfMeasure": "Grams"}]),
        )
        .send()
        .await
        .ok();
        let sample = free_tags(&app, DISTRIBUTOR, 1).await.remove(0);
        sync(&b, &alice, DISTRIBUTOR).await;
        let take = Intent::CreateTestingSamples(vec![NewPackage {
            tag: sample.clone(),
            item: "Blue Dream Distillate".into(),
            quantity: d("2"),
            unit: "Grams".into(),
            location: Some("Receiving Dock".into()),
            note: Some("Sample for potency and safety".into()),
            ingredients: vec![Ingredient {
                package: lot.clone(),
                quantity: d("2"),
                unit: "Grams".into(),
            }],
        }]);
        through_the_outbox(
            &b,
            DISTRIBUTOR,
            ("carol", "alice", "alice"),
            "Testing sample",
            take,
        )
        .await;
        let s = app
            .get(DISTRIBUTOR, &format!("/packages/v2/{sample}"))
            .send()
            .await
            .ok();
        assert_eq!(s.json()["IsTestingSample"], true, "{}", s.body);
        let to_lab = registered_by(&app, DISTRIBUTOR, LAB, &[&sample]).await;
        app.post(
            DISTRIBUTOR,
            "/tagtrail/v1/transfers/depart",
            json!([{"TransferId": to_lab}]),
        )
        .send()
        .await
        .ok();
        received_by(&app, LAB, to_lab, &[&sample]).await;
        let result = |t: &str, q: Value| json!({"LabTestTypeName": t, "Quantity": q, "Passed": true, "Notes": ""});
        app.post(
            LAB,
            "/labtests/v2/record",
            json!([{
                "Label": sample, "ResultDate": null,
                "Results": [result("Pesticides", json!(0)), result("Heavy Metals", json!(0)), result("Cannabinoids", json!(86.4))],
            }]),
        )
        .send()
        .await
        .ok();
        app.put(
            LAB,
            "/labtests/v2/results/release",
            json!([{"PackageLabel": sample}]),
        )
        .send()
        .await
        .ok();
        sync(&b, &alice, DISTRIBUTOR).await;

        // 6. COA attached, reviewed by one QA person, released by a second.
        let (quinn, rhea) = (b.caller("quinn").await, b.caller("rhea").await);
        let (lq, lr) = (
            b.license(&quinn, DISTRIBUTOR).await,
            b.license(&rhea, DISTRIBUTOR).await,
        );
        let potency = Potency {
            thc_percent: Some(d("86.4")),
            cbd_percent: None,
        };
        b.wb.attach_coa(
            &quinn,
            Door::Web,
            &lq,
            &lot,
            "Pacific Analytical Labs",
            "coa.pdf",
            "application/pdf",
            b"%PDF-1.4 COA",
            potency,
        )
        .await
        .unwrap();
        b.wb.record_label_claim(&quinn, Door::Web, &lq, &lot, &lot, potency)
            .await
            .unwrap();
        let all: BTreeSet<CheckItem> = CheckItem::ALL.iter().copied().collect();
        b.wb.prepare_review(&quinn, Door::Web, &lq, &lot, &all, "all checks done")
            .await
            .unwrap();
        assert!(
            b.wb.release(&quinn, Door::Web, &lq, &lot).await.is_err(),
            "one person cannot release"
        );
        b.wb.release(&rhea, Door::Web, &lr, &lot).await.unwrap();
        assert!(b.wb.lot(&lr, &lot).await.unwrap().sellable());

        // 7. To the retailer, wholesale: only sellable inventory may go, each package priced (rule
        // 42); the retailer accepts it.
        let to_store = Intent::RegisterManifest(ManifestDraft {
            transfer: TransferDraft {
                name: "To the dispensary".into(),
                recipient_license: RETAILER.into(),
                recipient_is_retailer: true,
                transfer_type: "Wholesale Manifest".into(),
                packages: vec![lot.clone()],
                wholesale_prices: [(lot.clone(), d("9.75"))].into_iter().collect(),
            },
            transport: transport(),
        });
        through_the_outbox(
            &b,
            DISTRIBUTOR,
            ("carol", "alice", "alice"),
            "To the dispensary",
            to_store,
        )
        .await;
        let id = depart_with(&app, DISTRIBUTOR, &lot).await;
        received_by(&app, RETAILER, id, &[&lot]).await;
        let at_store = app
            .get(RETAILER, &format!("/packages/v2/{lot}"))
            .send()
            .await
            .ok();
        assert_eq!(at_store.json()["Label"], lot.as_str());

        // The recall walks from the cultivator's flower to the lot on the retailer's manifest.
        sync(&b, &alice, DISTRIBUTOR).await;
        let recall = b.wb.recall(&alice, &flower[0]).await.unwrap();
        let down: Vec<&str> = recall
            .descendants
            .iter()
            .map(|r| r.label.as_str())
            .collect();
        assert!(
            down.contains(&lot.as_str()) && down.contains(&out[1].as_str()),
            "{down:?}"
        );
        assert!(
            recall
                .carried
                .iter()
                .any(|c| c.label == lot && c.recipient == RETAILER),
            "{:?}",
            recall.carried
        );

        // Both logs verify: the ledger's journal and the workbench's audit chain (in finish).
        let verified = app.verify().await;
        assert!(verified.problem.is_none(), "{:?}", verified.problem);
        b.finish().await;
        app.finish().await;
    }
}
