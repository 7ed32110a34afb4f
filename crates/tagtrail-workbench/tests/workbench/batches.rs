//! Production batches (issue 11): mass balance with units, the reviewed explanation an
//! imbalance needs, the batch's packages through the outbox into the ledger, and the recall
//! query over the lineage the accepted batch recorded.

use crate::kit::*;
use chrono::SubsecRound;
use rust_decimal::Decimal;
use tagtrail_testkit::{MANUFACTURER, TestApp};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::batches::{Line, ProcessStep};
use tagtrail_workbench::model::batch::{Amount, BatchType, Input, Output, Status, Step, Waste};
use tagtrail_workbench::model::submission::{State, Step as SubStep};
use tagtrail_workbench::outbox::Delivery;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A bulk lot of distillate at the manufacturer (an operator's opening balance).
async fn distillate(app: &TestApp, tag: &str, grams: i64) {
    let spec = tagtrail_domain::commands::packages::NewPackage {
        tag: Some(tag.to_string()),
        item: Some("Blue Dream Distillate".into()),
        quantity: Some(Decimal::new(grams, 0)),
        unit_of_measure: Some("Grams".into()),
        location: Some("Extraction Lab".into()),
        ..Default::default()
    };
    app.opening_balance(MANUFACTURER, spec, "TestPassed").await;
}

fn input(package: &str, grams: &str) -> Line {
    Line::Input(Input {
        package: package.into(),
        amount: Amount::new(d(grams), "Grams"),
        untracked: false,
    })
}

fn vapes(tag: &str, count: &str) -> Line {
    Line::Output(Output {
        tag: tag.into(),
        item: "Blue Dream Vape 1g".into(),
        amount: Amount {
            quantity: d(count),
            unit: "Each".into(),
            grams_each: Some(d("1")),
        },
        location: Some("Finished Goods".into()),
    })
}

fn waste(grams: &str) -> Line {
    Line::Waste(Waste {
        method: "Mixed with kitty litter".into(),
        amount: Amount::new(d(grams), "Grams"),
        reason: "Cartridges that failed the fill check".into(),
        witness: "June Park".into(),
    })
}

/// Issue 11: a packaging batch with two inputs, two outputs and waste balances exactly (units
/// converted: grams in, cartridges of one gram out); an unbalanced one cannot complete until a
/// second person reviews its explanation; completing and submitting drafts the outputs as new
/// packages drawing from both inputs, which pass preflight and review, reach the ledger, accept
/// the batch and record its lineage; the recall query walks it both ways.
#[tokio::test]
async fn a_batch_balances_becomes_packages_and_lineage() {
    for backend in backends() {
        let app = TestApp::start(&backend, tagtrail_testkit::test_config()).await;
        let mut b = Bench::open(&backend, fast()).await;
        b.brand(&app).await;
        let tags = free_tags(&app, MANUFACTURER, 4).await;
        distillate(&app, &tags[0], 100).await;
        distillate(&app, &tags[1], 50).await;
        let (alice, bob, carol) = (
            b.caller("alice").await,
            b.caller("bob").await,
            b.caller("carol").await,
        );
        sync(&b, &alice, MANUFACTURER).await;
        let lb = b.license(&bob, MANUFACTURER).await;
        let id =
            b.wb.create_batch(
                &bob,
                Door::Web,
                &lb,
                "Vapes 2026-47",
                BatchType::Packaging,
                "Fill 1 g cartridges",
                None,
            )
            .await
            .unwrap();
        assert!(
            b.wb.batch_step(&bob, Door::Web, &lb, id, Step::Complete)
                .await
                .is_err(),
            "not started"
        );
        b.wb.batch_step(&bob, Door::Web, &lb, id, Step::Start)
            .await
            .unwrap();
        for line in [
            input(&tags[0], "100"),
            input(&tags[1], "50"),
            vapes(&tags[2], "100"),
            vapes(&tags[3], "40"),
            waste("30"),
        ] {
            b.wb.add_batch_line(&bob, Door::Web, &lb, id, line)
                .await
                .unwrap();
        }
        // The fill ran three days ago (written up from the floor's record); a step in the
        // future is a typo, refused.
        let ran = (chrono::Utc::now() - chrono::TimeDelta::days(3)).trunc_subsecs(0);
        let step = |at| {
            Line::Step(ProcessStep {
                what: "Cartridge fill".into(),
                operator: "Bob Example".into(),
                notes: String::new(),
                done_at: Some(at),
            })
        };
        let ahead = chrono::Utc::now() + chrono::TimeDelta::hours(1);
        let future =
            b.wb.add_batch_line(&bob, Door::Web, &lb, id, step(ahead))
                .await
                .unwrap_err();
        assert!(future.to_string().contains("in the future"), "{future}");
        b.wb.add_batch_line(&bob, Door::Web, &lb, id, step(ran))
            .await
            .unwrap();
        // 150 g in, 140 g of cartridges and 30 g of waste out: 20 g more than went in, far
        // over packaging's 0.5 %.
        let batch = b.wb.batch(&lb, id).await.unwrap();
        let bal = batch.balance().unwrap();
        assert_eq!(
            (bal.inputs, bal.outputs, bal.difference),
            (d("150"), d("140"), d("-20"))
        );
        let refused =
            b.wb.batch_step(&bob, Door::Web, &lb, id, Step::Complete)
                .await
                .unwrap_err();
        assert!(refused.to_string().contains("out of balance"), "{refused}");
        // An explanation is not enough until a second person reviews it: not its author, not
        // an operator.
        let la = b.license(&alice, MANUFACTURER).await;
        b.wb.explain_batch(&alice, Door::Web, &la, id, "Waste weighed with the trays")
            .await
            .unwrap();
        assert!(
            b.wb.batch_step(&bob, Door::Web, &lb, id, Step::Complete)
                .await
                .is_err()
        );
        let own =
            b.wb.review_explanation(&alice, Door::Web, &la, id)
                .await
                .unwrap_err();
        assert!(own.to_string().contains("another person"), "{own}");
        assert!(
            b.wb.review_explanation(&bob, Door::Web, &lb, id)
                .await
                .is_err(),
            "an operator does not review"
        );
        let lc = b.license(&carol, MANUFACTURER).await;
        b.wb.review_explanation(&carol, Door::Web, &lc, id)
            .await
            .unwrap();
        assert_eq!(
            b.wb.batch(&lb, id)
                .await
                .unwrap()
                .explanation
                .and_then(|e| e.reviewed_by)
                .as_deref(),
            Some("carol")
        );
        // The waste line was wrong (trays weighed with it): fixed, the batch balances.
        let waste_line = batch.waste[0].id;
        b.wb.remove_batch_line(&bob, Door::Web, &lb, id, waste_line)
            .await
            .unwrap();
        b.wb.add_batch_line(&bob, Door::Web, &lb, id, waste("8"))
            .await
            .unwrap();
        b.wb.set_process_loss(
            &bob,
            Door::Web,
            &lb,
            id,
            Some(Amount::new(d("2000"), "Milligrams")),
        )
        .await
        .unwrap();
        let bal = b.wb.batch(&lb, id).await.unwrap().balance().unwrap();
        assert_eq!((bal.difference, bal.yield_percent), (d("0"), d("93.33")));
        assert_eq!(
            b.wb.batch_step(&bob, Door::Web, &lb, id, Step::Complete)
                .await
                .unwrap(),
            Status::Completed
        );
        assert!(
            b.wb.add_batch_line(&bob, Door::Web, &lb, id, waste("1"))
                .await
                .is_err(),
            "a completed batch's lines do not change"
        );
        b.wb.batch_step(&bob, Door::Web, &lb, id, Step::Submit)
            .await
            .unwrap();
        let batch = b.wb.batch(&lb, id).await.unwrap();
        let (sid, state) = batch.submissions[0];
        assert_eq!(state, State::Draft);
        let sub = b.wb.submission(&lb, sid).await.unwrap();
        assert!(sub.preflight.is_empty(), "{:?}", sub.preflight);
        // Each output draws from both inputs in proportion to its weight (100 : 40).
        let tagtrail_workbench::model::preflight::Intent::CreatePackages(made) = &sub.intent else {
            panic!("{:?}", sub.intent);
        };
        let draws: Vec<Vec<Decimal>> = made
            .iter()
            .map(|p| p.ingredients.iter().map(|i| i.quantity).collect())
            .collect();
        assert_eq!(
            draws,
            vec![
                vec![d("71.4286"), d("35.7143")],
                vec![d("28.5714"), d("14.2857")]
            ]
        );
        // Review like any other submission, then Metrc.
        b.wb.step(&bob, Door::Web, &lb, sid, SubStep::SendToReview, "")
            .await
            .unwrap();
        b.wb.step(&carol, Door::Web, &lc, sid, SubStep::Approve, "")
            .await
            .unwrap();
        b.wb.step(&alice, Door::Web, &la, sid, SubStep::Submit, "")
            .await
            .unwrap();
        let sent = b.wb.deliver(&la, sid).await.unwrap();
        let answer = b.wb.submission(&la, sid).await.unwrap().response_body;
        assert_eq!(sent, Delivery::Accepted, "{answer:?}");
        assert_eq!(b.wb.batch(&lb, id).await.unwrap().status, Status::Accepted);
        for t in &tags[2..] {
            let p = app
                .get(MANUFACTURER, &format!("/packages/v2/{t}"))
                .send()
                .await
                .ok();
            assert_eq!(p.json()["Item"]["Name"], "Blue Dream Vape 1g");
        }
        // Its yield is on record for the chart of yields over time, by product.
        let yields = b.wb.yield_history(&lb).await.unwrap();
        assert_eq!(yields.len(), 1);
        assert_eq!(
            yields[0].ran_at, ran,
            "a batch ran when its steps were done"
        );
        assert_eq!(
            (
                yields[0].product.as_str(),
                yields[0].yield_percent,
                yields[0].within_tolerance
            ),
            ("Blue Dream Vape 1g", d("93.33"), true)
        );
        // The recall walks from an input to both outputs, and from an output to both inputs.
        let down = b.wb.recall(&alice, &tags[0]).await.unwrap();
        let found: Vec<&str> = down.descendants.iter().map(|r| r.label.as_str()).collect();
        assert!(
            found.contains(&tags[2].as_str()) && found.contains(&tags[3].as_str()),
            "{found:?}"
        );
        let up = b.wb.recall(&alice, &tags[3]).await.unwrap();
        let found: Vec<&str> = up.ancestors.iter().map(|r| r.label.as_str()).collect();
        assert!(
            found.contains(&tags[0].as_str()) && found.contains(&tags[1].as_str()),
            "{found:?}"
        );
        b.finish().await;
        app.finish().await;
    }
}
