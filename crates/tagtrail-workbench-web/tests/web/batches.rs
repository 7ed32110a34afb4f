//! Production batches and the recall query in the browser's terms (issue 11): a batch planned,
//! worked and completed through the forms, its mass balance and flow on its page, an
//! out-of-balance refusal and refused forms keeping what was typed, the explanation reviewed by
//! another person, the submission it drafts in the outbox, and the recall after Metrc accepts.

use super::common::{Answer, Browser, PASSWORD, World};
use super::{lic, license};
use rust_decimal::Decimal;
use tagtrail_testkit::{Backend, MANUFACTURER, RETAILER};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::batch::Status;
use tagtrail_workbench::model::submission::Step as SubStep;
use tagtrail_workbench::outbox::Delivery;
use tagtrail_workbench_web::WebOptions;

/// `n` of the manufacturer's free package tags.
async fn free_tags(w: &World, n: usize) -> Vec<String> {
    let tags: Vec<String> = w
        .app
        .list(MANUFACTURER, "/tags/v2/package/available")
        .await
        .iter()
        .filter_map(|t| t["Label"].as_str().map(str::to_string))
        .take(n)
        .collect();
    assert_eq!(tags.len(), n, "the manufacturer has {n} free tags");
    tags
}

/// A bulk lot of distillate at the manufacturer (an operator's opening balance).
async fn distillate(w: &World, tag: &str, grams: i64) {
    let spec = tagtrail_domain::commands::packages::NewPackage {
        tag: Some(tag.to_string()),
        item: Some("Blue Dream Distillate".into()),
        quantity: Some(Decimal::new(grams, 0)),
        unit_of_measure: Some("Grams".into()),
        location: Some("Extraction Lab".into()),
        ..Default::default()
    };
    w.app
        .opening_balance(MANUFACTURER, spec, "TestPassed")
        .await;
}

/// Posts a form expecting it done (303), and follows to the page it leads to.
async fn done(b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Answer {
    let a = b.post(path, fields).await;
    assert_eq!(a.status, 303, "{path} {fields:?}: {}", a.body);
    b.follow(&a).await
}

/// The batch id a redirect to its page names.
fn batch_id(a: &Answer) -> i64 {
    let to = a.location.as_deref().unwrap_or_default();
    to.rsplit("/batches/")
        .next()
        .and_then(|t| t.split(['#', '?']).next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no batch in {to}: {}", a.body))
}

#[tokio::test]
async fn a_batch_is_planned_worked_balanced_submitted_and_recalled() {
    let w = World::start(&Backend::Sqlite, WebOptions::default()).await;
    let tags = free_tags(&w, 4).await;
    distillate(&w, &tags[0], 100).await;
    distillate(&w, &tags[1], 50).await;
    w.sync().await;
    let mut bob = w.browser("bob").await;
    let board = lic("/batches", MANUFACTURER);

    // The board, and the plan form; a refused plan keeps what was typed.
    let page = bob.get(&board).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Plan a batch") && page.body.contains("Packaging (tolerance 0.5 %)")
    );
    assert!(
        page.body.contains("No batch has been completed yet"),
        "{}",
        page.body
    );
    let refused = bob
        .post(
            &board,
            &[
                ("name", "Vapes 2026-47"),
                ("batch_type", "packaging"),
                ("plan", "Fill 1 g cartridges"),
                ("tolerance", "lots"),
            ],
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(
        refused.body.contains("must be a number, not “lots”")
            && refused.body.contains("value=\"Vapes 2026-47\"")
            && refused.body.contains("Fill 1 g cartridges"),
        "{}",
        refused.body
    );
    let planned = bob
        .post(
            &board,
            &[
                ("name", "Vapes 2026-47"),
                ("batch_type", "packaging"),
                ("plan", "Fill 1 g cartridges"),
                ("tolerance", ""),
            ],
        )
        .await;
    assert_eq!(planned.status, 303, "{}", planned.body);
    let id = batch_id(&planned);
    let page = bob.follow(&planned).await;
    assert!(
        page.body.contains("Batch Vapes 2026-47 planned"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Start the batch"));
    let path = |rest: &str| lic(&format!("/batches/{id}{rest}"), MANUFACTURER);
    let start = done(&mut bob, &path("/step"), &[("step", "start")]).await;
    assert!(start.body.contains("In progress"), "{}", start.body);
    // The forms suggest the synced packages, free tags and items.
    assert!(
        start
            .body
            .contains(&format!("<option value=\"{}\"", tags[0]))
            && start
                .body
                .contains(&format!("<option value=\"{}\"", tags[2]))
            && start.body.contains("Blue Dream Vape 1g"),
        "{}",
        start.body
    );

    // Lines through the forms.
    let line = path("/line");
    for fields in [
        vec![
            ("kind", "input"),
            ("package", tags[0].as_str()),
            ("quantity", "100"),
            ("unit", "Grams"),
            ("grams_each", ""),
        ],
        vec![
            ("kind", "input"),
            ("package", tags[1].as_str()),
            ("quantity", "50"),
            ("unit", "Grams"),
            ("grams_each", ""),
        ],
        vec![
            ("kind", "output"),
            ("tag", tags[2].as_str()),
            ("item", "Blue Dream Vape 1g"),
            ("quantity", "100"),
            ("unit", "Each"),
            ("grams_each", "1"),
            ("location", "Finished Goods"),
        ],
        vec![
            ("kind", "output"),
            ("tag", tags[3].as_str()),
            ("item", "Blue Dream Vape 1g"),
            ("quantity", "40"),
            ("unit", "Each"),
            ("grams_each", "1"),
            ("location", "Finished Goods"),
        ],
        vec![
            ("kind", "waste"),
            ("method", "Mixed with kitty litter"),
            ("quantity", "30"),
            ("unit", "Grams"),
            ("reason", "Cartridges that failed the fill check"),
            ("witness", "June Park"),
        ],
        vec![
            ("kind", "step"),
            ("what", "Filled cartridges"),
            ("operator", "Bob Example"),
            ("notes", "Line 2"),
            ("done_at", "2026-11-02T09:15"),
        ],
    ] {
        done(&mut bob, &line, &fields).await;
    }
    // A refused line keeps what was typed, in its own form.
    let bad = bob
        .post(
            &line,
            &[
                ("kind", "output"),
                ("tag", tags[3].as_str()),
                ("item", "Blue Dream Vape 1g"),
                ("quantity", "forty"),
                ("unit", "Each"),
                ("grams_each", "1"),
                ("location", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(
        bad.body.contains("must be a number, not “forty”") && bad.body.contains("value=\"forty\""),
        "{}",
        bad.body
    );
    // A step's time is the facility's wall clock; one that is not a time is refused, kept.
    let bad = bob
        .post(
            &line,
            &[
                ("kind", "step"),
                ("what", "Capping"),
                ("operator", "Bob Example"),
                ("done_at", "2026-13-40T09:15"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(
        bad.body.contains("not a time on the facility") && bad.body.contains("value=\"Capping\""),
        "{}",
        bad.body
    );

    // The mass balance: 150 g in, 140 g of cartridges and 30 g of waste out, 20 g more than
    // went in, over packaging's 0.5 %; the flow drawn, its numbers in words.
    let page = bob.get(&path("")).await;
    let body = &page.body;
    assert_eq!(page.status, 200, "{body}");
    assert!(
        body.contains("Out of tolerance") && body.contains("20 g more came out than went in"),
        "{body}"
    );
    assert!(
        body.contains("150 g") && body.contains("140 g") && body.contains("93.33 %"),
        "{body}"
    );
    assert!(
        body.contains("<svg")
            && body.contains("<title id=\"flow-title\"")
            && body.contains("<desc id=\"flow-desc\">150 g in from 2 packages"),
        "{body}"
    );
    assert!(body.contains("Filled cartridges") && body.contains("June Park"));
    // The step was done at 9:15 in the morning in California, whenever it was recorded.
    assert!(body.contains("Nov 2, 2026, 9:15 AM PST"), "{body}");
    // Completing out of balance is refused, with the reason on the page.
    let refused = bob
        .post(
            &path("/step"),
            &[("step", "complete"), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.body.contains("20 g more came out than went in"),
        "{}",
        refused.body
    );
    // A refused process loss keeps what was typed.
    let bad = bob
        .post(
            &path("/loss"),
            &[("quantity", "a little"), ("unit", "Grams")],
        )
        .await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.body.contains("value=\"a little\""), "{}", bad.body);

    // The explanation: its author cannot review it; another person who approves can.
    let mut alice = w.browser("alice").await;
    let mut carol = w.browser("carol").await;
    done(
        &mut alice,
        &path("/explain"),
        &[("why", "Waste weighed with the trays")],
    )
    .await;
    let own = alice.get(&path("")).await;
    assert!(
        own.body.contains("You wrote this explanation"),
        "{}",
        own.body
    );
    let refused = alice.post(&path("/review"), &[]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("another person must review it"));
    assert_eq!(
        bob.post(&path("/review"), &[]).await.status,
        403,
        "an operator does not review"
    );
    let reviewed = done(&mut carol, &path("/review"), &[]).await;
    assert!(
        reviewed.body.contains("Reviewed") && reviewed.body.contains("carol"),
        "{}",
        reviewed.body
    );

    // The waste line was wrong: removed, weighed again, the loss declared; it balances.
    let batch =
        w.wb.batch(&license(&w, "bob", MANUFACTURER).await, id)
            .await
            .unwrap();
    let waste_line = batch.waste[0].id;
    done(&mut bob, &path(&format!("/line/{waste_line}/remove")), &[]).await;
    done(
        &mut bob,
        &line,
        &[
            ("kind", "waste"),
            ("method", "Mixed with kitty litter"),
            ("quantity", "8"),
            ("unit", "Grams"),
            ("reason", "Failed fill"),
            ("witness", "June Park"),
        ],
    )
    .await;
    let page = done(
        &mut bob,
        &path("/loss"),
        &[("quantity", "2000"), ("unit", "Milligrams")],
    )
    .await;
    assert!(page.body.contains("Within tolerance"), "{}", page.body);

    // Completing and submitting confirm first.
    let ask = bob.post(&path("/step"), &[("step", "complete")]).await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("cannot be undone"), "{}", ask.body);
    let page = done(
        &mut bob,
        &path("/step"),
        &[("step", "complete"), ("confirmed", "yes")],
    )
    .await;
    assert!(
        page.body.contains("Completed") && !page.body.contains("Record an input"),
        "{}",
        page.body
    );
    let ask = bob.post(&path("/step"), &[("step", "submit")]).await;
    assert!(
        ask.body.contains("cannot be undone") && ask.body.contains("drafted in the outbox"),
        "{}",
        ask.body
    );
    let page = done(
        &mut bob,
        &path("/step"),
        &[("step", "submit"), ("confirmed", "yes")],
    )
    .await;
    let lb = license(&w, "bob", MANUFACTURER).await;
    let (sid, _) = w.wb.batch(&lb, id).await.unwrap().submissions[0];
    assert!(
        page.body.contains(&format!("outbox submission #{sid}"))
            && page
                .body
                .contains(&format!("href=\"/l/{MANUFACTURER}/outbox/{sid}\"")),
        "{}",
        page.body
    );
    let draft = bob.get(&lic(&format!("/outbox/{sid}"), MANUFACTURER)).await;
    assert_eq!(draft.status, 200);
    assert!(draft.body.contains("Batch Vapes 2026-47"), "{}", draft.body);

    // Review and Metrc, through the application as the outbox's own test does.
    let caller = |u: &'static str| {
        let w = &w;
        async move {
            w.wb.sign_in(u, PASSWORD, Some(&w.code(u)))
                .await
                .unwrap()
                .caller
        }
    };
    let (la, lc) = (
        license(&w, "alice", MANUFACTURER).await,
        license(&w, "carol", MANUFACTURER).await,
    );
    w.wb.step(
        &caller("bob").await,
        Door::Web,
        &lb,
        sid,
        SubStep::SendToReview,
        "",
    )
    .await
    .unwrap();
    w.wb.step(
        &caller("carol").await,
        Door::Web,
        &lc,
        sid,
        SubStep::Approve,
        "",
    )
    .await
    .unwrap();
    w.wb.step(
        &caller("alice").await,
        Door::Web,
        &la,
        sid,
        SubStep::Submit,
        "",
    )
    .await
    .unwrap();
    assert_eq!(w.wb.deliver(&la, sid).await.unwrap(), Delivery::Accepted);
    assert_eq!(w.wb.batch(&lb, id).await.unwrap().status, Status::Accepted);
    w.sync().await;
    let page = bob.get(&path("")).await;
    assert!(
        page.body.contains("Accepted by Metrc") && !page.body.contains("Remove"),
        "{}",
        page.body
    );
    let board_now = bob.get(&board).await;
    assert!(
        board_now.body.contains("Vapes 2026-47"),
        "{}",
        board_now.body
    );
    // Its yield on the chart and in the table beneath: 140 g of cartridges from 150 g.
    let yields = board_now
        .body
        .split("Yield over time")
        .nth(1)
        .unwrap_or_default();
    assert!(
        yields.contains("role=\"img\"")
            && yields.contains("Blue Dream Vape 1g: 1 batch, yield from 93.33 %")
            && yields.contains(&format!(
                "<a href=\"/l/{MANUFACTURER}/batches/{id}\">Vapes 2026-47</a>"
            ))
            && yields.contains("<td data-label=\"Product\">Blue Dream Vape 1g</td>")
            && yields.contains("93.33 %</td>")
            && yields.contains("Yes</td>"),
        "{}",
        board_now.body
    );

    // The recall: from an input down to both outputs, from an output up to both inputs.
    let recall = lic("/recall", MANUFACTURER);
    let empty = alice.get(&recall).await;
    assert_eq!(empty.status, 200);
    assert!(
        empty
            .body
            .contains("walks only the licenses you hold a role in"),
        "{}",
        empty.body
    );
    let down = alice
        .get(&format!("{recall}?label={}", tags[0].to_lowercase()))
        .await;
    assert_eq!(down.status, 200, "{}", down.body);
    for t in &tags[2..] {
        assert!(
            down.body
                .contains(&format!("/l/{MANUFACTURER}/packages/{t}")),
            "{t}: {}",
            down.body
        );
    }
    assert!(down.body.contains("Blue Dream Vape 1g"), "{}", down.body);
    let up = alice.get(&format!("{recall}?label={}", tags[3])).await;
    for t in &tags[..2] {
        assert!(up.body.contains(t.as_str()), "{t}: {}", up.body);
    }
    assert!(up.body.contains("Its sources"));

    // Another company's person and a batch of no license: nothing.
    let mut eve = w.browser("eve").await;
    assert_eq!(eve.get(&path("")).await.status, 404);
    assert_eq!(
        eve.get(&format!("{recall}?label={}", tags[0])).await.status,
        404
    );
    assert_eq!(
        alice
            .get(&lic("/batches/999999", MANUFACTURER))
            .await
            .status,
        404
    );
    assert_eq!(
        alice
            .get(&lic(&format!("/batches/{id}"), RETAILER))
            .await
            .status,
        404
    );
    w.finish().await;
}
