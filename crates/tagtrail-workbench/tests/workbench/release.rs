//! Distribution's release gate (issue 11): one person cannot release; a sync cannot lift a hold
//! a person placed; the release needs every gate open; sellable inventory is all a retailer's
//! transfer may carry; a revised COA flags the labels it contradicts.

use crate::kit::*;
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use tagtrail_testkit::{DISTRIBUTOR, RETAILER, TestApp};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::coa::Potency;
use tagtrail_workbench::model::preflight::{Intent, TransferDraft};
use tagtrail_workbench::model::qa::{CheckItem, Disposition};
use tagtrail_workbench::model::role::Role;
use tagtrail_workbench::model::submission::Step;
use tagtrail_workbench::people::Caller;

fn thc(p: &str) -> Potency {
    Potency {
        thc_percent: Some(p.parse().unwrap()),
        cbd_percent: None,
    }
}

/// A lot of vape cartridges at the distributor, tested and passed (an operator's opening
/// balance on a free tag).
async fn lot(app: &TestApp) -> String {
    let tag = app
        .list(DISTRIBUTOR, "/tags/v2/package/available")
        .await
        .first()
        .and_then(|t| t["Label"].as_str().map(str::to_string))
        .expect("the distributor has a free tag");
    let spec = tagtrail_domain::commands::packages::NewPackage {
        tag: Some(tag.clone()),
        item: Some("Blue Dream Vape 1g".into()),
        quantity: Some(Decimal::new(60, 0)),
        unit_of_measure: Some("Each".into()),
        location: Some("Sellable Inventory".into()),
        ..Default::default()
    };
    app.opening_balance(DISTRIBUTOR, spec, "TestPassed").await;
    tag
}

fn wholesale(labels: &[&str]) -> Intent {
    Intent::OutgoingTransfer(TransferDraft {
        name: "To the dispensary".into(),
        recipient_license: RETAILER.into(),
        recipient_is_retailer: true,
        transfer_type: "Wholesale Manifest".into(),
        packages: labels.iter().map(|l| l.to_string()).collect(),
        wholesale_prices: labels
            .iter()
            .map(|l| (l.to_string(), Decimal::new(1250, 2)))
            .collect(),
    })
}

/// Issue 11's release gate, end to end on the application layer against a real ledger.
#[tokio::test]
async fn release_needs_a_second_qa_person_and_every_gate_open() {
    for backend in backends() {
        let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
        let mut b = Bench::open(&backend, fast()).await;
        let company = b.brand(&app).await;
        // Two QA people at the distributor.
        let op = Caller::operator();
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
        let label = lot(&app).await;
        let other = lot(&app).await;
        let (alice, carol, quinn, rhea) = (
            b.caller("alice").await,
            b.caller("carol").await,
            b.caller("quinn").await,
            b.caller("rhea").await,
        );
        sync(&b, &alice, DISTRIBUTOR).await;
        let (lq, lr, lc) = (
            b.license(&quinn, DISTRIBUTOR).await,
            b.license(&rhea, DISTRIBUTOR).await,
            b.license(&carol, DISTRIBUTOR).await,
        );
        let pdf = b"%PDF-1.4 certificate of analysis, Pacific Analytical Labs";
        let (_, v1, flags) =
            b.wb.attach_coa(
                &quinn,
                Door::Web,
                &lq,
                &label,
                "Pacific Analytical Labs",
                "coa.pdf",
                "application/pdf",
                pdf,
                thc("20"),
            )
            .await
            .unwrap();
        assert_eq!((v1, flags.len()), (1, 0));
        b.wb.record_label_claim(&quinn, Door::Web, &lq, &label, &label, thc("20"))
            .await
            .unwrap();
        let all: BTreeSet<CheckItem> = CheckItem::ALL.iter().copied().collect();
        b.wb.prepare_review(&quinn, Door::Web, &lq, &label, &all, "looks right")
            .await
            .unwrap();

        // The one who prepared it cannot release it.
        let own =
            b.wb.release(&quinn, Door::Web, &lq, &label)
                .await
                .unwrap_err();
        assert!(own.to_string().contains("second person"), "{own}");
        // A compliance manager holds no QA role.
        let manager =
            b.wb.release(&carol, Door::Web, &lc, &label)
                .await
                .unwrap_err();
        assert!(manager.to_string().contains("QA role"), "{manager}");
        // A person's hold: named in the refusal; a sync does not lift it.
        let hold =
            b.wb.place_hold(&carol, Door::Web, &lc, &label, "torn label")
                .await
                .unwrap();
        let held =
            b.wb.release(&rhea, Door::Web, &lr, &label)
                .await
                .unwrap_err();
        assert!(
            held.to_string().contains("torn label (placed by carol)"),
            "{held}"
        );
        sync(&b, &alice, DISTRIBUTOR).await;
        assert_eq!(
            b.wb.lot(&lr, &label).await.unwrap().holds.len(),
            1,
            "the sync left the hold"
        );
        // Without a fresh second factor, no release either.
        let mut stale = rhea.clone();
        stale.second_factor_at = None;
        b.wb.lift_hold(&rhea, Door::Web, &lr, hold, "label replaced")
            .await
            .unwrap();
        let mfa =
            b.wb.release(&stale, Door::Web, &lr, &label)
                .await
                .unwrap_err();
        assert!(mfa.to_string().contains("second factor"), "{mfa}");
        b.wb.release(&rhea, Door::Web, &lr, &label).await.unwrap();
        let released = b.wb.lot(&lr, &label).await.unwrap();
        assert!(released.released() && released.sellable());
        assert_eq!(
            released.review.and_then(|r| r.decided_by).as_deref(),
            Some("rhea")
        );

        // Only sellable inventory goes to a retailer.
        let ok =
            b.wb.draft(
                &carol,
                Door::Web,
                &lc,
                "Wholesale",
                "restock",
                wholesale(&[&label]),
            )
            .await
            .unwrap();
        let problems = b.wb.submission(&lc, ok).await.unwrap().preflight;
        assert!(
            problems.iter().all(|p| !p.message.contains("sellable")),
            "{problems:?}"
        );
        let not =
            b.wb.draft(
                &carol,
                Door::Web,
                &lc,
                "Wholesale",
                "restock",
                wholesale(&[&label, &other]),
            )
            .await
            .unwrap();
        let problems = b.wb.submission(&lc, not).await.unwrap().preflight;
        assert!(
            problems.iter().any(|p| p
                .message
                .contains(&format!("package {other} is not sellable"))),
            "{problems:?}"
        );

        // A revised COA with a lower potency flags the label that carried the old one.
        let (_, v2, flags) =
            b.wb.attach_coa(
                &quinn,
                Door::Web,
                &lq,
                &label,
                "Pacific Analytical Labs",
                "coa-rev.pdf",
                "application/pdf",
                b"%PDF-1.4 revised",
                thc("17"),
            )
            .await
            .unwrap();
        assert_eq!(v2, 2);
        assert_eq!(
            flags.iter().map(|f| f.label.as_str()).collect::<Vec<_>>(),
            vec![label.as_str()]
        );
        assert_eq!(
            b.wb.coas(&lq, &label).await.unwrap().len(),
            2,
            "the first version is kept"
        );

        // A lot QA rejects to destruction is held, then destroyed through the outbox: its whole
        // quantity recorded in Metrc as unusable waste, with the method and witness.
        b.wb.prepare_review(
            &quinn,
            Door::Web,
            &lq,
            &other,
            &BTreeSet::new(),
            "seal broken",
        )
        .await
        .unwrap();
        b.wb.reject_lot(
            &rhea,
            Door::Web,
            &lr,
            &other,
            Disposition::Destruction,
            "seal broken in transit",
        )
        .await
        .unwrap();
        assert!(b.wb.lot(&lr, &other).await.unwrap().on_hold());
        let destroy =
            b.wb.destruction_of(
                &lc,
                std::slice::from_ref(&other),
                "Mixed 50:50 with kitty litter",
                "Rosa Delgado",
                "QA rejection: seal broken",
            )
            .await
            .unwrap();
        let id =
            b.wb.draft(&carol, Door::Web, &lc, "Destroy", "QA rejection", destroy)
                .await
                .unwrap();
        let sub = b.wb.submission(&lc, id).await.unwrap();
        assert!(sub.preflight.is_empty(), "{:?}", sub.preflight);
        let la = b.license(&alice, DISTRIBUTOR).await;
        b.wb.step(&carol, Door::Web, &lc, id, Step::SendToReview, "")
            .await
            .unwrap();
        b.wb.step(&alice, Door::Web, &la, id, Step::Approve, "")
            .await
            .unwrap();
        b.wb.step(&alice, Door::Web, &la, id, Step::Submit, "")
            .await
            .unwrap();
        let sent = b.wb.deliver(&la, id).await.unwrap();
        let answer = b.wb.submission(&la, id).await.unwrap().response_body;
        assert_eq!(
            sent,
            tagtrail_workbench::outbox::Delivery::Accepted,
            "{answer:?}"
        );
        let p = app
            .get(DISTRIBUTOR, &format!("/packages/v2/{other}"))
            .send()
            .await
            .ok();
        assert_eq!(p.json()["Quantity"].as_f64(), Some(0.0), "{}", p.body);
        b.finish().await;
        app.finish().await;
    }
}
