//! The demo brand's production and release work (issue 11): the kitchen's batches in every
//! status, one out of balance with an explanation waiting for review; at the distributor a lot
//! released by a second QA person, one waiting for that release, and a revised COA that
//! contradicts a label.

use rust_decimal::Decimal;
use std::collections::BTreeSet;
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::batches::{Line, ProcessStep};
use tagtrail_workbench::model::batch::{Amount, BatchType, Input, Output, Step, Waste};
use tagtrail_workbench::model::coa::Potency;
use tagtrail_workbench::model::qa::CheckItem;
use tagtrail_workbench::model::submission::Step as SubStep;
use tagtrail_workbench::people::Caller;
use tagtrail_workbench::{WbError, Workbench};

fn grams(q: i64) -> Amount {
    Amount::new(Decimal::new(q, 0), "Grams")
}

fn cartridges(tag: &str, count: i64) -> Line {
    Line::Output(Output {
        tag: tag.to_string(),
        item: "Blue Dream Vape 1g".into(),
        amount: Amount {
            quantity: Decimal::new(count, 0),
            unit: "Each".into(),
            grams_each: Some(Decimal::ONE),
        },
        location: Some("Finished Goods".into()),
    })
}

fn waste(tenths: i64, reason: &str) -> Line {
    Line::Waste(Waste {
        method: "Mixed with kitty litter, 50:50".into(),
        amount: Amount::new(Decimal::new(tenths, 1), "Grams"),
        reason: reason.into(),
        witness: "Luis Romero".into(),
    })
}

/// The fill, run `days_ago` at 10 AM California time (18:00 UTC; written up from the floor's
/// record), so the yield chart has the weeks the batches ran on.
fn fill(operator: &str, days_ago: i64) -> Line {
    let day = chrono::Utc::now() - chrono::TimeDelta::days(days_ago);
    Line::Step(ProcessStep {
        what: "Cartridge fill".into(),
        operator: operator.into(),
        notes: "Fill machine 2, 1.0 g per cartridge, capped and weighed".into(),
        done_at: day
            .date_naive()
            .and_hms_opt(18, 0, 0)
            .map(|t| t.and_utc())
            .filter(|_| days_ago > 0),
    })
}

/// The kitchen's batches: planned; in progress and out of balance (its explanation waits for
/// review); completed; submitted (its packages in the outbox); accepted by Metrc.
pub(super) async fn batches(
    wb: &Workbench,
    june: &Caller,
    luis: &Caller,
    maya: &Caller,
    number: &str,
) -> Result<(), WbError> {
    let (lj, ll, lm) = (
        wb.license(june, number).await?,
        wb.license(luis, number).await?,
        wb.license(maya, number).await?,
    );
    // The distillate lot the cartridges are filled from, and free tags for the outputs.
    let distillate = wb
        .records(&lj, "package")
        .await?
        .into_iter()
        .find(|(_, v)| v["Item"]["Name"] == "Blue Dream Distillate" && v["IsFinished"] != true)
        .map(|(k, _)| k);
    let Some(distillate) = distillate else {
        return Ok(());
    };
    let tags: Vec<String> = wb
        .records(&lj, "tag")
        .await?
        .into_iter()
        .map(|(k, _)| k)
        .take(4)
        .collect();
    if tags.len() < 4 {
        return Ok(());
    }
    let input = |g: i64| {
        Line::Input(Input {
            package: distillate.clone(),
            amount: grams(g),
            untracked: false,
        })
    };
    // A packaging batch planned, started, worked with `lines`, then taken through `steps`.
    let worked = async |name: &str, lines: Vec<Line>, steps: &[Step]| -> Result<i64, WbError> {
        let plan = "Fill 1 g cartridges from bulk distillate; weigh rejects as waste";
        let id = wb
            .create_batch(june, Door::Web, &lj, name, BatchType::Packaging, plan, None)
            .await?;
        wb.batch_step(june, Door::Web, &lj, id, Step::Start).await?;
        for l in lines {
            wb.add_batch_line(june, Door::Web, &lj, id, l).await?;
        }
        for step in steps {
            wb.batch_step(june, Door::Web, &lj, id, *step).await?;
        }
        Ok(id)
    };
    wb.create_batch(
        june,
        Door::Web,
        &lj,
        "Gummies run 2026-49",
        BatchType::Infusion,
        "Infuse gummy base at 10 mg per piece",
        None,
    )
    .await?;
    // Accepted: through the outbox to Metrc.
    let accepted = worked(
        "Vapes 2026-45",
        vec![
            input(40),
            fill("June Park", 23),
            cartridges(&tags[0], 39),
            waste(10, "Cracked cartridges"),
        ],
        &[Step::Complete, Step::Submit],
    )
    .await?;
    if let Some((sid, _)) = wb.batch(&lj, accepted).await?.submissions.first().copied() {
        wb.step(june, Door::Web, &lj, sid, SubStep::SendToReview, "")
            .await?;
        wb.step(
            luis,
            Door::Web,
            &ll,
            sid,
            SubStep::Approve,
            "fill weights checked",
        )
        .await?;
        wb.step(maya, Door::Web, &lm, sid, SubStep::Submit, "")
            .await?;
        wb.deliver(&lm, sid).await?;
    }
    // Submitted: its packages wait for review in the outbox.
    let submitted = worked(
        "Vapes 2026-46",
        vec![input(30), fill("June Park", 16), cartridges(&tags[1], 30)],
        &[Step::Complete, Step::Submit],
    )
    .await?;
    if let Some((sid, _)) = wb.batch(&lj, submitted).await?.submissions.first().copied() {
        wb.step(june, Door::Web, &lj, sid, SubStep::SendToReview, "")
            .await?;
    }
    // Completed, not yet submitted.
    worked(
        "Vapes 2026-47",
        vec![
            input(25),
            fill("June Park", 9),
            cartridges(&tags[2], 24),
            waste(10, "Test fills"),
        ],
        &[Step::Complete],
    )
    .await?;
    // In progress and out of balance: 6 g unaccounted for, explained, waiting for review.
    let open = worked(
        "Vapes 2026-48",
        vec![
            input(50),
            fill("June Park", 2),
            cartridges(&tags[3], 42),
            waste(20, "Spill at the filler"),
        ],
        &[],
    )
    .await?;
    wb.explain_batch(
        june,
        Door::Web,
        &lj,
        open,
        "The filler leaked during the second hour; the spill was wiped up, not weighed. Maintenance ticket M-311.",
    )
    .await?;
    Ok(())
}

fn thc(p: i64) -> Potency {
    Potency {
        thc_percent: Some(Decimal::new(p, 0)),
        cbd_percent: None,
    }
}

/// The distributor's release gate; returns the released lot (for the wholesale draft).
pub(super) async fn release_gate(
    wb: &Workbench,
    june: &Caller,
    rosa: &Caller,
    number: &str,
) -> Result<BTreeSet<String>, WbError> {
    let (lj, lr) = (
        wb.license(june, number).await?,
        wb.license(rosa, number).await?,
    );
    // The cartridge lots: those that passed testing, largest first (the first is released, the
    // second waits for its release), then the rest (a remediated lot gets the revised COA).
    let mut lots: Vec<(bool, i64, String)> = wb
        .records(&lj, "package")
        .await?
        .into_iter()
        .filter(|(_, v)| v["Item"]["Name"] == "Blue Dream Vape 1g" && v["IsFinished"] != true)
        .map(|(k, v)| {
            let passed = v["LabTestingState"] == "TestPassed";
            let quantity = v["Quantity"].as_f64().unwrap_or(0.0) as i64;
            (!passed, -quantity, k)
        })
        .collect();
    lots.sort();
    let (passed, other): (Vec<_>, Vec<_>) = lots.into_iter().partition(|(failed, _, _)| !failed);
    let vapes: Vec<String> = passed
        .iter()
        .take(2)
        .chain(other.iter().take(1))
        .map(|(_, _, k)| k.clone())
        .collect();
    let all: BTreeSet<CheckItem> = CheckItem::ALL.iter().copied().collect();
    // The laboratory's certificate for `lot`, version `version`, stating `potency` % THC.
    let attach = async |lot: &str, version: i64, potency: i64| -> Result<(), WbError> {
        let body = format!(
            "%PDF-1.4\n% Pacific Analytical Labs certificate of analysis for {lot}, version {version}\n"
        );
        wb.attach_coa(
            june,
            Door::Web,
            &lj,
            lot,
            "Pacific Analytical Labs",
            &format!("coa-{version}.pdf"),
            "application/pdf",
            body.as_bytes(),
            thc(potency),
        )
        .await
        .map(|_| ())
    };
    let mut released = BTreeSet::new();
    for (i, lot) in vapes.iter().enumerate() {
        let lot = lot.as_str();
        match i {
            // Released by a second QA person (june prepared, rosa released with her code).
            0 => {
                attach(lot, 1, 86).await?;
                wb.record_label_claim(june, Door::Web, &lj, lot, lot, thc(86))
                    .await?;
                wb.prepare_review(
                    june,
                    Door::Web,
                    &lj,
                    lot,
                    &all,
                    "Labels, seals and counts checked against the COA",
                )
                .await?;
                if wb.release(rosa, Door::Web, &lr, lot).await.is_ok() {
                    released.insert(lot.to_string());
                }
            }
            // Waiting for a second person's release.
            1 => {
                attach(lot, 1, 84).await?;
                wb.prepare_review(june, Door::Web, &lj, lot, &all, "Ready for release")
                    .await?;
            }
            // A revised COA contradicts the label's potency.
            2 => {
                attach(lot, 1, 82).await?;
                wb.record_label_claim(june, Door::Web, &lj, lot, lot, thc(82))
                    .await?;
                attach(lot, 2, 71).await?;
            }
            _ => {}
        }
    }
    Ok(released)
}
