//! A workbench with something in every page, served for a browser: a ledger on loopback (the
//! test kit's), the demo brand's two licenses and a second company, a first sync, submissions in
//! every state, a package moved (so it has a history) and a discrepancy to resolve.
//!
//! For working on the UI and for the browser tests until `tagtrail demo` serves the workbench:
//! `cargo run -p tagtrail-workbench-web --example demo_workbench -- 127.0.0.1:8091 creds.json`
//! writes the people (passwords, TOTP secrets) to `creds.json` as the demo's `workbench`
//! section, then serves until interrupted.

#![allow(clippy::unwrap_used, reason = "a demo fails loudly on any setup error")]

#[path = "../tests/common/mod.rs"]
mod common;

use common::{PASSWORD, PEOPLE, World};
use serde_json::{Value, json};
use tagtrail_testkit::{Backend, DISTRIBUTOR, MANUFACTURER};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::manifest::{ManifestDraft, Transport};
use tagtrail_workbench::model::preflight::{Intent, Move, NewLocation, TransferDraft};
use tagtrail_workbench::model::submission::Step;
use tagtrail_workbench::people::Caller;
use tagtrail_workbench_web::WebOptions;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:8091".into());
    let creds = args
        .next()
        .unwrap_or_else(|| "workbench-credentials.json".into());
    let w = World::start_on(&Backend::Sqlite, WebOptions::default(), &listen).await;
    w.sync().await;
    let wb = &w.wb;
    let who = |name: &str| {
        let w = &w;
        let name = name.to_string();
        async move {
            wb.sign_in(&name, PASSWORD, Some(&w.code(&name)))
                .await
                .unwrap()
                .caller
        }
    };
    let (alice, carol) = (who("alice").await, who("carol").await);
    let lm = wb.license(&carol, MANUFACTURER).await.unwrap();
    let lm_alice = wb.license(&alice, MANUFACTURER).await.unwrap();
    let ld = wb.license(&carol, DISTRIBUTOR).await.unwrap();
    let draft = |c: &Caller, l, title: &str, reason: &str, intent| {
        let (c, title, reason) = (c.clone(), title.to_string(), reason.to_string());
        async move {
            wb.draft(&c, Door::Web, l, &title, &reason, intent)
                .await
                .unwrap()
        }
    };
    let packages = wb.records(&lm, "package").await.unwrap();
    let live: Vec<&(String, Value)> = packages
        .iter()
        .filter(|(_, v)| v["IsFinished"] != true && v["IsOnHold"] != true)
        .collect();
    let locations: Vec<String> = wb
        .records(&lm, "location")
        .await
        .unwrap()
        .iter()
        .filter_map(|(_, v)| v["Name"].as_str().map(str::to_string))
        .collect();

    // Accepted: a package moved (so its page has two versions after the next sync).
    let (label, pkg) = live[0];
    let to = locations
        .iter()
        .find(|l| Some(l.as_str()) != pkg["LocationName"].as_str())
        .unwrap()
        .clone();
    let moved = draft(
        &carol,
        &lm,
        "Move to packaging",
        "Ready for packaging",
        Intent::MovePackages(vec![Move {
            label: label.clone(),
            location: to,
        }]),
    )
    .await;
    for (c, l, step) in [
        (&carol, &lm, Step::SendToReview),
        (&alice, &lm_alice, Step::Approve),
        (&alice, &lm_alice, Step::Submit),
    ] {
        wb.step(c, Door::Web, l, moved, step, "").await.unwrap();
    }
    wb.deliver(&lm, moved).await.unwrap();
    // Rejected: a location type Metrc does not know.
    let bad = draft(
        &carol,
        &lm,
        "New vault",
        "More storage",
        Intent::CreateLocations(vec![NewLocation {
            name: "Vault B".into(),
            location_type: "Spaceship".into(),
        }]),
    )
    .await;
    for (c, l, step) in [
        (&carol, &lm, Step::SendToReview),
        (&alice, &lm_alice, Step::Approve),
        (&alice, &lm_alice, Step::Submit),
    ] {
        wb.step(c, Door::Web, l, bad, step, "").await.unwrap();
    }
    wb.deliver(&lm, bad).await.unwrap();
    // Approved, waiting to be submitted.
    let approved = draft(
        &carol,
        &lm,
        "Summer strains",
        "Summer menu",
        Intent::CreateStrains(vec!["Sunset Sherbet".into(), "Lemon Haze".into()]),
    )
    .await;
    wb.step(&carol, Door::Web, &lm, approved, Step::SendToReview, "")
        .await
        .unwrap();
    wb.step(
        &alice,
        Door::Web,
        &lm_alice,
        approved,
        Step::Approve,
        "checked the names",
    )
    .await
    .unwrap();
    // Waiting for review.
    let review = draft(
        &carol,
        &lm,
        "Autumn strain",
        "Autumn menu",
        Intent::CreateStrains(vec!["Harvest Moon".into()]),
    )
    .await;
    wb.step(&carol, Door::Web, &lm, review, Step::SendToReview, "")
        .await
        .unwrap();
    // A draft that preflight refuses: finishing a package that still holds product.
    draft(
        &carol,
        &lm,
        "Finish empty packages",
        "End of run",
        Intent::FinishPackages(vec![live[1].0.clone(), "1A4NOSUCHPACKAGE0000000".into()]),
    )
    .await;
    // Withdrawn.
    let gone = draft(
        &carol,
        &lm,
        "Old strain",
        "Not needed after all",
        Intent::CreateStrains(vec!["Old Timer".into()]),
    )
    .await;
    wb.step(&carol, Door::Web, &lm, gone, Step::Withdraw, "")
        .await
        .unwrap();
    // The distributor: a transfer draft and one in review.
    let dpk = wb.records(&ld, "package").await.unwrap();
    let dlabels: Vec<String> = dpk
        .iter()
        .filter(|(_, v)| v["IsFinished"] != true)
        .map(|(k, _)| k.clone())
        .take(2)
        .collect();
    draft(
        &carol,
        &ld,
        "To the corner store",
        "Weekly order",
        Intent::OutgoingTransfer(TransferDraft {
            name: "Corner store weekly".into(),
            recipient_license: tagtrail_testkit::RETAILER.into(),
            recipient_is_retailer: true,
            transfer_type: "Wholesale".into(),
            packages: dlabels,
            wholesale_prices: Default::default(),
        }),
    )
    .await;
    let dr = draft(
        &carol,
        &ld,
        "Distribution strains",
        "Catalog",
        Intent::CreateStrains(vec!["Golden Hour OG".into()]),
    )
    .await;
    wb.step(&carol, Door::Web, &ld, dr, Step::SendToReview, "")
        .await
        .unwrap();
    // Manifests: one registered through the ledger's extension (so the distributor has a
    // delivery to receive after the next sync), then, with the company's Metrc treated as
    // Metrc again, one that is a task to do by hand in Metrc's web UI, its first step ticked.
    // The distributor transports: its first driver and vehicle.
    let text = |v: &Value, k: &str| v[k].as_str().unwrap_or("").to_string();
    let driver = wb
        .records(&ld, "driver")
        .await
        .unwrap()
        .first()
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let vehicle = wb
        .records(&ld, "vehicle")
        .await
        .unwrap()
        .first()
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let manifest = |label: &str, name: &str| {
        Intent::RegisterManifest(ManifestDraft {
            transfer: TransferDraft {
                name: name.into(),
                recipient_license: DISTRIBUTOR.into(),
                recipient_is_retailer: false,
                transfer_type: "Transfer".into(),
                packages: vec![label.to_string()],
                wholesale_prices: Default::default(),
            },
            transport: Transport {
                transporter_license: DISTRIBUTOR.into(),
                driver_name: text(&driver, "Name"),
                driver_occupational_license: text(&driver, "EmployeeId"),
                driver_license: text(&driver, "DriversLicenseNumber"),
                vehicle_make: text(&vehicle, "Make"),
                vehicle_model: text(&vehicle, "Model"),
                vehicle_plate: text(&vehicle, "LicensePlateNumber"),
                estimated_departure: "2030-01-02T09:30:00".into(),
                estimated_arrival: "2030-01-02T11:00:00".into(),
                phone_for_questions: "555-0100".into(),
            },
        })
    };
    let op = Caller::operator();
    // Packages free to go: not moved above, not counted below; one in transit already is
    // found by preflight, and its draft withdrawn.
    let (c_ref, lm_ref, a_ref, lma_ref) = (&carol, &lm, &alice, &lm_alice);
    let approve_and_submit = move |id: i64| async move {
        for (c, l, step) in [
            (c_ref, lm_ref, Step::SendToReview),
            (a_ref, lma_ref, Step::Approve),
            (a_ref, lma_ref, Step::Submit),
        ] {
            wb.step(c, Door::Web, l, id, step, "").await.unwrap();
        }
    };
    wb.set_ledger_extensions(&op, Door::Cli, lm.company_id, true)
        .await
        .unwrap();
    for (label, _) in &live[1..live.len() - 1] {
        let name = "Distribution, Monday";
        let id = draft(&carol, &lm, name, "Weekly order", manifest(label, name)).await;
        if wb.submission(&lm, id).await.unwrap().preflight.is_empty() {
            approve_and_submit(id).await;
            println!(
                "registering through the ledger: {:?}",
                wb.deliver(&lm, id).await
            );
            break;
        }
        wb.step(&carol, Door::Web, &lm, id, Step::Withdraw, "")
            .await
            .unwrap();
    }
    wb.set_ledger_extensions(&op, Door::Cli, lm.company_id, false)
        .await
        .unwrap();
    // The next sync sees the move; a count that differs opens an exception.
    w.sync().await;
    // After it, a manifest that is a task in Metrc's web UI, its first step ticked (a later
    // sync would accept it once Metrc shows it).
    for (label, _) in live[1..].iter().rev() {
        let name = "Distribution, Tuesday";
        let task = draft(&carol, &lm, name, "Weekly order", manifest(label, name)).await;
        if wb.submission(&lm, task).await.unwrap().preflight.is_empty() {
            approve_and_submit(task).await;
            wb.tick(&carol, Door::Web, &lm, task, 0, true)
                .await
                .unwrap();
            break;
        }
        wb.step(&carol, Door::Web, &lm, task, Step::Withdraw, "")
            .await
            .unwrap();
    }
    let (clabel, cpkg) = live[live.len() - 1];
    let unit = cpkg["UnitOfMeasureName"].as_str().unwrap();
    wb.record_count(&alice, &lm_alice, clabel, "0.5", unit)
        .await
        .unwrap();
    wb.reconcile(Some(&alice), &lm_alice).await.unwrap();

    let users: Vec<Value> = PEOPLE
        .iter()
        .map(|(name, _, roles)| {
            // As `tagtrail demo` writes them: "LICENSE Role label" pairs, or "installation
            // administrator".
            let roles: Vec<String> = if roles.is_empty() {
                vec!["installation administrator".into()]
            } else {
                roles
                    .iter()
                    .map(|(l, r)| format!("{l} {}", r.label()))
                    .collect()
            };
            json!({
                "username": name,
                "password": PASSWORD,
                "totp_secret": w.totp[*name],
                "roles": roles,
            })
        })
        .collect();
    let out = json!({ "workbench": { "url": w.base, "users": users } });
    std::fs::write(&creds, serde_json::to_string_pretty(&out).unwrap()).unwrap();
    println!("workbench: {}", w.base);
    let _ = tokio::signal::ctrl_c().await;
    w.finish().await;
}
