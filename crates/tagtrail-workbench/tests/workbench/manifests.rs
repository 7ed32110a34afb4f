//! Manifests: the steps Metrc's API lacks (registering a manifest, receiving a delivery), as
//! manual tasks a sync confirms, and through a tagtrail ledger's extensions exactly once.

use crate::kit::*;
use serde_json::{Value, json};
use tagtrail_testkit::{DISTRIBUTOR, MANUFACTURER, TestApp};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::manifest::{
    ManifestDraft, Receipt, ReceiptLine, TakeBack, Transport,
};
use tagtrail_workbench::model::preflight::{Intent, TransferDraft};
use tagtrail_workbench::model::submission::{State, Step};
use tagtrail_workbench::people::Caller;

/// A fresh lot of the manufacturer's (an operator's opening balance on a free tag), so that no
/// manifest of the demo's carries it.
async fn fresh_lot(app: &TestApp) -> String {
    let tag = app
        .list(MANUFACTURER, "/tags/v2/package/available")
        .await
        .first()
        .and_then(|t| t["Label"].as_str().map(str::to_string))
        .expect("the manufacturer has a free package tag");
    let spec = tagtrail_domain::commands::packages::NewPackage {
        tag: Some(tag.clone()),
        item: Some("Mango Gummies 10x10mg".into()),
        quantity: Some(rust_decimal::Decimal::new(40, 0)),
        unit_of_measure: Some("Each".into()),
        location: Some("Finished Goods".into()),
        ..Default::default()
    };
    app.opening_balance(MANUFACTURER, spec, "NotSubmitted")
        .await;
    tag
}

fn manifest_of(label: &str, transport: Transport) -> Intent {
    Intent::RegisterManifest(ManifestDraft {
        transfer: TransferDraft {
            name: "Gummies to distribution".into(),
            recipient_license: DISTRIBUTOR.into(),
            recipient_is_retailer: false,
            transfer_type: "Transfer".into(),
            packages: vec![label.to_string()],
            wholesale_prices: Default::default(),
        },
        transport,
    })
}

/// Drafted by carol, approved (with her second factor) and submitted by alice.
async fn approved_and_submitted(b: &Bench, number: &str, title: &str, intent: Intent) -> i64 {
    let (alice, carol) = (b.caller("alice").await, b.caller("carol").await);
    let (la, lc) = (
        b.license(&alice, number).await,
        b.license(&carol, number).await,
    );
    let id =
        b.wb.draft(&carol, Door::Web, &lc, title, "weekly restock", intent)
            .await
            .unwrap();
    let sub = b.wb.submission(&lc, id).await.unwrap();
    assert!(sub.preflight.is_empty(), "{:?}", sub.preflight);
    for (who, l, step) in [
        (&carol, &lc, Step::SendToReview),
        (&alice, &la, Step::Approve),
        (&alice, &la, Step::Submit),
    ] {
        b.wb.step(who, Door::Web, l, id, step, "").await.unwrap();
    }
    id
}

/// The delivery of the incoming manifest that carries `label`, as the distributor's last sync
/// saw it.
async fn incoming_delivery(b: &Bench, label: &str) -> (i64, String) {
    let alice = b.caller("alice").await;
    let l = b.license(&alice, DISTRIBUTOR).await;
    let all = b.wb.incoming_deliveries(&l).await.unwrap();
    let (id, d) = all
        .iter()
        .find(|(_, d)| d.packages.contains_key(label))
        .expect("the distributor's sync saw the delivery");
    (*id, d.manifest_number.clone())
}

fn receipt_of(delivery_id: i64, manifest: &str, label: &str) -> Intent {
    Intent::ReceiveDelivery(Receipt {
        delivery_id,
        manifest_number: manifest.into(),
        shipper_license: MANUFACTURER.into(),
        lines: vec![ReceiptLine {
            label: label.into(),
            accept: true,
            received_quantity: None,
            reason: None,
            counted: None,
            label_ok: None,
            intact: None,
        }],
    })
}

/// The ledger's manifests (as the shipper lists them) whose delivery carries `label`.
async fn manifests_carrying(app: &TestApp, label: &str) -> usize {
    let mut n = 0;
    for t in app.list(MANUFACTURER, "/transfers/v2/outgoing").await {
        let id = t["Id"].as_i64().unwrap();
        for d in app
            .list(MANUFACTURER, &format!("/transfers/v2/{id}/deliveries"))
            .await
        {
            let d = d["Id"].as_i64().unwrap();
            let packages = app
                .list(
                    MANUFACTURER,
                    &format!("/transfers/v2/deliveries/{d}/packages"),
                )
                .await;
            n += packages
                .iter()
                .filter(|p| p["PackageLabel"] == label)
                .count();
        }
    }
    n
}

/// Issue 10: registering a manifest and receiving a delivery have no Metrc v2 endpoint, so
/// against Metrc each is a manual task with a checklist after review, and only a sync that
/// shows the effect accepts it — ticking the checklist accepts nothing. Rules 40 and 44 are
/// checked by preflight before review.
#[tokio::test]
async fn manifest_steps_are_manual_tasks_that_a_sync_confirms() {
    for backend in backends() {
        let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
        let mut b = Bench::open(&backend, fast()).await;
        b.brand(&app).await;
        let label = fresh_lot(&app).await;
        let (alice, bob, carol) = (
            b.caller("alice").await,
            b.caller("bob").await,
            b.caller("carol").await,
        );
        sync(&b, &alice, MANUFACTURER).await;
        sync(&b, &alice, DISTRIBUTOR).await;
        let lm = b.license(&carol, MANUFACTURER).await;

        // Rule 40: a manifest names its driver, vehicle and times; preflight says which are
        // missing before anyone reviews it.
        let bare =
            b.wb.draft(
                &carol,
                Door::Web,
                &lm,
                "Bare",
                "test",
                manifest_of(&label, Transport::default()),
            )
            .await
            .unwrap();
        let p = b.wb.submission(&lm, bare).await.unwrap().preflight;
        assert!(
            p.iter()
                .any(|p| p.message.contains("vehicle plate") && p.message.contains("rule 40")),
            "{p:?}"
        );

        let id = approved_and_submitted(
            &b,
            MANUFACTURER,
            "Gummies to distribution",
            manifest_of(&label, transport()),
        )
        .await;
        let la = b.license(&alice, MANUFACTURER).await;
        // Nothing is sent: the outbox leaves a manual task alone, and nothing reached the
        // ledger's extension.
        assert!(
            b.wb.deliver_pending()
                .await
                .unwrap()
                .iter()
                .all(|(s, _)| *s != id)
        );
        assert_eq!(
            b.wb.deliver(&la, id).await.unwrap(),
            tagtrail_workbench::outbox::Delivery::NotMine
        );
        let requests = b.wb.requests(&la, 10_000).await.unwrap();
        assert!(
            requests.iter().all(|r| !r.path.contains("/tagtrail/v1")),
            "no extension was called"
        );
        assert_eq!(manifests_carrying(&app, &label).await, 0);

        // The checklist: steps ticked by whoever may submit (an operator may not), each kept
        // in the audit log; ticking every step accepts nothing.
        let steps = tagtrail_workbench::manifests::checklist(
            &la,
            &b.wb.submission(&la, id).await.unwrap().intent,
        );
        assert!(steps.iter().any(|s| s.contains(&label)), "{steps:?}");
        let lb = b.license(&bob, MANUFACTURER).await;
        assert!(b.wb.tick(&bob, Door::Web, &lb, id, 0, true).await.is_err());
        for i in 0..steps.len() {
            b.wb.tick(&alice, Door::Web, &la, id, i, true)
                .await
                .unwrap();
        }
        assert!(
            b.wb.tick(&alice, Door::Web, &la, id, steps.len(), true)
                .await
                .is_err()
        );
        let sub = b.wb.submission(&la, id).await.unwrap();
        assert_eq!(sub.state, State::Submitted);
        assert_eq!(sub.ticks.len(), steps.len());
        assert!(sub.ticks.iter().all(|t| t.by == "alice"));
        let log = b.wb.audit_log(&alice, Some(&la), 100).await.unwrap();
        assert_eq!(
            log.iter()
                .filter(|e| e.entry.action == "Checklist step done")
                .count(),
            steps.len()
        );

        // A sync before the person registers it confirms nothing.
        sync(&b, &alice, MANUFACTURER).await;
        assert_eq!(
            b.wb.submission(&la, id).await.unwrap().state,
            State::Submitted
        );

        // The person registers it in Metrc's web UI (here: the ledger's own extension, as the
        // manufacturer), and the next sync accepts the task.
        let r = app
            .post(
                MANUFACTURER,
                "/tagtrail/v1/transfers/outgoing",
                json!([plan_body(&label)]),
            )
            .send()
            .await
            .ok();
        let manifest_id = tagtrail_testkit::ids(&r)[0];
        sync(&b, &alice, MANUFACTURER).await;
        let sub = b.wb.submission(&la, id).await.unwrap();
        assert_eq!(sub.state, State::Accepted, "{:?}", sub.last_error);
        assert!(
            sub.last_error
                .as_deref()
                .unwrap_or("")
                .contains("shows manifest"),
            "{:?}",
            sub.last_error
        );

        // The transporter departs; the distributor's sync sees the delivery; a receipt must
        // decide every package (rule 44) and is then the distributor's manual task.
        app.post(
            DISTRIBUTOR,
            "/tagtrail/v1/transfers/depart",
            json!([{"TransferId": manifest_id}]),
        )
        .send()
        .await
        .ok();
        sync(&b, &alice, DISTRIBUTOR).await;
        let (delivery, manifest) = incoming_delivery(&b, &label).await;
        let ld = b.license(&carol, DISTRIBUTOR).await;
        let partial = Intent::ReceiveDelivery(Receipt {
            delivery_id: delivery,
            manifest_number: manifest.clone(),
            shipper_license: MANUFACTURER.into(),
            lines: vec![],
        });
        let bad =
            b.wb.draft(&carol, Door::Web, &ld, "Partial", "test", partial)
                .await
                .unwrap();
        let p = b.wb.submission(&ld, bad).await.unwrap().preflight;
        assert!(
            p.iter().any(|p| p.message.contains("received whole")),
            "{p:?}"
        );
        let rid = approved_and_submitted(
            &b,
            DISTRIBUTOR,
            "Receive gummies",
            receipt_of(delivery, &manifest, &label),
        )
        .await;
        let lda = b.license(&alice, DISTRIBUTOR).await;
        app.post(
            DISTRIBUTOR,
            &format!("/tagtrail/v1/transfers/deliveries/{delivery}/receive"),
            json!([{"PackageLabel": label, "Accepted": true}]),
        )
        .send()
        .await
        .ok();
        sync(&b, &alice, DISTRIBUTOR).await;
        let sub = b.wb.submission(&lda, rid).await.unwrap();
        assert_eq!(sub.state, State::Accepted, "{:?}", sub.last_error);
        // The audit log names the manual task, not an API path the workbench never called.
        let log = b.wb.audit_log(&alice, Some(&lda), 100).await.unwrap();
        let answer = log
            .iter()
            .find(|e| e.entry.action == "Metrc answer")
            .unwrap();
        assert!(
            answer
                .entry
                .endpoint
                .as_deref()
                .unwrap_or("")
                .contains("manual task")
        );
        b.finish().await;
        app.finish().await;
    }
}

/// The ledger's register body for `label` (what a person types into Metrc's form).
fn plan_body(label: &str) -> Value {
    let t = transport();
    json!({
        "TransporterFacilityLicenseNumber": t.transporter_license,
        "DriverOccupationalLicenseNumber": t.driver_occupational_license,
        "DriverName": t.driver_name,
        "DriverLicenseNumber": t.driver_license,
        "PhoneNumberForQuestions": t.phone_for_questions,
        "VehicleMake": t.vehicle_make,
        "VehicleModel": t.vehicle_model,
        "VehicleLicensePlateNumber": t.vehicle_plate,
        "Destinations": [{
            "RecipientLicenseNumber": DISTRIBUTOR,
            "TransferTypeName": "Transfer",
            "EstimatedDepartureDateTime": t.estimated_departure,
            "EstimatedArrivalDateTime": t.estimated_arrival,
            "Transporters": [],
            "Packages": [{"PackageLabel": label}],
        }]
    })
}

/// Against a tagtrail ledger the outbox does both steps itself through `/tagtrail/v1`, exactly
/// once: a registration whose answer is lost after the ledger committed it is found by reading
/// back, not registered twice.
#[tokio::test]
async fn against_a_tagtrail_ledger_the_outbox_does_the_manifest_steps_once() {
    for backend in backends() {
        let app = TestApp::start_sandbox(&backend, Default::default()).await;
        let mut b = Bench::open(&backend, fast()).await;
        let company = b.brand(&app).await;
        let op = Caller::operator();
        b.wb.set_ledger_extensions(&op, Door::Cli, company, true)
            .await
            .unwrap();
        let alice = b.caller("alice").await;
        assert!(
            b.wb.set_ledger_extensions(&alice, Door::Web, company, false)
                .await
                .is_err()
        );
        let label = fresh_lot(&app).await;
        sync(&b, &alice, MANUFACTURER).await;
        let id = approved_and_submitted(
            &b,
            MANUFACTURER,
            "Gummies to distribution",
            manifest_of(&label, transport()),
        )
        .await;
        let la = b.license(&alice, MANUFACTURER).await;
        sandbox(
            &app,
            "/tagtrail/v1/sandbox/faults",
            json!({"RateCommitThenDrop": 1.0}),
        )
        .await;
        let first = b.wb.deliver(&la, id).await.unwrap();
        assert!(
            matches!(first, tagtrail_workbench::outbox::Delivery::Pending(_)),
            "{first:?}"
        );
        sandbox(&app, "/tagtrail/v1/sandbox/faults", json!({})).await;
        assert_eq!(
            manifests_carrying(&app, &label).await,
            1,
            "the lost answer's manifest exists"
        );
        assert_eq!(
            b.wb.deliver(&la, id).await.unwrap(),
            tagtrail_workbench::outbox::Delivery::Accepted
        );
        let sub = b.wb.submission(&la, id).await.unwrap();
        assert!(
            sub.last_error
                .as_deref()
                .unwrap_or("")
                .contains("nothing was sent again"),
            "{:?}",
            sub.last_error
        );
        assert_eq!(manifests_carrying(&app, &label).await, 1, "registered once");

        // The transporter departs (outside the workbench); the distributor receives through
        // the outbox.
        let manifest_id = app
            .list(MANUFACTURER, "/transfers/v2/outgoing")
            .await
            .iter()
            .map(|t| t["Id"].as_i64().unwrap())
            .max()
            .unwrap();
        app.post(
            DISTRIBUTOR,
            "/tagtrail/v1/transfers/depart",
            json!([{"TransferId": manifest_id}]),
        )
        .send()
        .await
        .ok();
        sync(&b, &alice, DISTRIBUTOR).await;
        let (delivery, manifest) = incoming_delivery(&b, &label).await;
        let rid = approved_and_submitted(
            &b,
            DISTRIBUTOR,
            "Receive gummies",
            receipt_of(delivery, &manifest, &label),
        )
        .await;
        let done = b.wb.deliver_pending().await.unwrap();
        assert_eq!(
            done,
            vec![(rid, tagtrail_workbench::outbox::Delivery::Accepted)]
        );
        assert!(
            ledger_labels(&app, DISTRIBUTOR, "active")
                .await
                .contains(&label)
        );
        // The shipper's confirmation of delivery: its next sync shows the package accepted.
        sync(&b, &alice, MANUFACTURER).await;
        let la = b.license(&alice, MANUFACTURER).await;
        let states = b.wb.outgoing_package_states(&la).await.unwrap();
        assert_eq!(states[&label].state, "Accepted");
        let ld = b.license(&alice, DISTRIBUTOR).await;
        let log = b.wb.audit_log(&alice, Some(&ld), 100).await.unwrap();
        let answer = log
            .iter()
            .find(|e| e.entry.action == "Metrc answer")
            .unwrap();
        assert_eq!(
            answer.entry.endpoint.as_deref(),
            Some(format!("POST /tagtrail/v1/transfers/deliveries/{delivery}/receive").as_str())
        );
        b.finish().await;
        app.finish().await;
    }
}

/// Rule 45: rejected packages stay the shipper's, who takes them back when they return — a
/// submission like any other: here sent to a tagtrail ledger's extension, applied once, and the
/// package is in the shipper's active inventory again.
#[tokio::test]
async fn rejected_packages_are_taken_back_through_the_outbox() {
    for backend in backends() {
        let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
        let mut b = Bench::open(&backend, fast()).await;
        let company = b.brand(&app).await;
        b.wb.set_ledger_extensions(&Caller::operator(), Door::Cli, company, true)
            .await
            .unwrap();
        let alice = b.caller("alice").await;
        let label = fresh_lot(&app).await;
        sync(&b, &alice, MANUFACTURER).await;
        let id = approved_and_submitted(
            &b,
            MANUFACTURER,
            "To distribution",
            manifest_of(&label, transport()),
        )
        .await;
        let lm = b.license(&alice, MANUFACTURER).await;
        assert_eq!(
            b.wb.deliver(&lm, id).await.unwrap(),
            tagtrail_workbench::outbox::Delivery::Accepted
        );
        let manifest_id = app
            .list(MANUFACTURER, "/transfers/v2/outgoing")
            .await
            .iter()
            .map(|t| t["Id"].as_i64().unwrap())
            .max()
            .unwrap();
        app.post(
            DISTRIBUTOR,
            "/tagtrail/v1/transfers/depart",
            json!([{"TransferId": manifest_id}]),
        )
        .send()
        .await
        .ok();
        // The distributor rejects it on arrival (a torn seal), through its own outbox.
        sync(&b, &alice, DISTRIBUTOR).await;
        let (delivery, manifest) = incoming_delivery(&b, &label).await;
        let reject = Intent::ReceiveDelivery(Receipt {
            delivery_id: delivery,
            manifest_number: manifest.clone(),
            shipper_license: MANUFACTURER.into(),
            lines: vec![ReceiptLine {
                label: label.clone(),
                accept: false,
                received_quantity: None,
                reason: Some("seal torn".into()),
                counted: None,
                label_ok: Some(true),
                intact: Some(false),
            }],
        });
        let rid = approved_and_submitted(&b, DISTRIBUTOR, "Reject", reject).await;
        let ld = b.license(&alice, DISTRIBUTOR).await;
        assert_eq!(
            b.wb.deliver(&ld, rid).await.unwrap(),
            tagtrail_workbench::outbox::Delivery::Accepted
        );
        // The kitchen's sync sees the rejection; it takes the package back.
        sync(&b, &alice, MANUFACTURER).await;
        let rejected = b.wb.rejected_outgoing(&lm).await.unwrap();
        let r = rejected.get(&label).expect("the rejection is synced");
        assert_eq!(
            (r.state.as_str(), r.recipient_license.as_str()),
            ("Rejected", DISTRIBUTOR)
        );
        let partial = Intent::TakeBack(TakeBack {
            transfer_id: r.transfer_id,
            delivery_id: r.delivery_id,
            manifest_number: r.manifest_number.clone(),
            recipient_license: r.recipient_license.clone(),
            labels: vec![],
        });
        let carol = b.caller("carol").await;
        let lc = b.license(&carol, MANUFACTURER).await;
        let bad =
            b.wb.draft(&carol, Door::Web, &lc, "Take back", "returned", partial)
                .await
                .unwrap();
        let problems = b.wb.submission(&lc, bad).await.unwrap().preflight;
        assert!(
            problems
                .iter()
                .any(|p| p.message.contains("every package rejected")),
            "{problems:?}"
        );
        let back = Intent::TakeBack(TakeBack {
            transfer_id: r.transfer_id,
            delivery_id: r.delivery_id,
            manifest_number: r.manifest_number.clone(),
            recipient_license: r.recipient_license.clone(),
            labels: vec![label.clone()],
        });
        let tid = approved_and_submitted(&b, MANUFACTURER, "Take back", back).await;
        assert_eq!(
            b.wb.deliver(&lm, tid).await.unwrap(),
            tagtrail_workbench::outbox::Delivery::Accepted
        );
        assert!(
            ledger_labels(&app, MANUFACTURER, "active")
                .await
                .contains(&label)
        );
        sync(&b, &alice, MANUFACTURER).await;
        assert_eq!(
            b.wb.rejected_outgoing(&lm).await.unwrap()[&label].state,
            "Returned"
        );
        // Both sides' manifest lists show it: the kitchen's as sent and returned, the
        // distributor's (after its sync) as received from the kitchen.
        let sent = b.wb.manifests_seen(&lm).await.unwrap();
        let m = sent
            .iter()
            .find(|m| m.manifest_number == manifest)
            .expect("the kitchen's list has the manifest");
        assert!(m.outgoing && m.other_license == DISTRIBUTOR, "{m:?}");
        assert_eq!(m.packages, vec![(label.clone(), "Returned".to_string())]);
        sync(&b, &alice, DISTRIBUTOR).await;
        let got = b.wb.manifests_seen(&ld).await.unwrap();
        let m = got
            .iter()
            .find(|m| m.manifest_number == manifest)
            .expect("the distributor's list has the manifest");
        assert!(!m.outgoing && m.other_license == MANUFACTURER, "{m:?}");

        // Back in inventory, it cannot be sold: it goes to destruction, with its witness, through
        // the outbox like any other write; the ledger then holds nothing in it.
        let destroy =
            b.wb.destruction_of(
                &lm,
                std::slice::from_ref(&label),
                "Mixed 50:50 with kitty litter",
                "Bea Witness",
                "Rejected on arrival, seal torn",
            )
            .await
            .unwrap();
        let did = approved_and_submitted(&b, MANUFACTURER, "Destroy returned", destroy).await;
        assert_eq!(
            b.wb.deliver(&lm, did).await.unwrap(),
            tagtrail_workbench::outbox::Delivery::Accepted
        );
        let after = app
            .get(MANUFACTURER, &format!("/packages/v2/{label}"))
            .send()
            .await
            .ok()
            .json();
        assert_eq!(after["Quantity"].as_f64(), Some(0.0), "{after}");
        b.finish().await;
        app.finish().await;
    }
}
