//! The package detail page's writes: adjust (rule 28), move, change the item (rule 29), record
//! remediation or decontamination of a failed lot (§2.5), set the note, the dates and the
//! external identifier, flag and unflag, finish (rule 33) and unfinish, and discontinue. Each
//! maps the form to the action's request and runs the action the matching Metrc endpoint runs.
//! Whatever cannot be undone asks first, naming the package.

use super::words::plainly;
use crate::WebState;
use crate::confirm;
use crate::error::WebError;
use crate::fields::Posted;
use crate::flash::{Typed, reply};
use crate::session::Signed;
use crate::urls::segment;
use axum::extract::{Path, State};
use axum::response::Response;
use rust_decimal::Decimal;
use tagtrail_app::Written;
use tagtrail_app::actions::packages::{
    AdjustBy, ChangeItem, Decontaminate, Discontinue, Finish, FlagDonation, FlagFinishedGood,
    FlagTradeSample, Move, Remediate, SetDates, SetExternalIds, SetNotes, Unfinish, UnflagDonation,
    UnflagFinishedGood, UnflagTradeSample,
};
use tagtrail_domain::commands::packages::{
    AdjustSpec, DatesSpec, ExternalIdSpec, FinishSpec, ItemChangeSpec, MoveSpec, NoteSpec,
    TreatmentSpec,
};

/// What an irreversible write does to `package`, for its confirmation; `None` for the writes
/// that need none.
fn consequence(
    what: &str,
    p: &tagtrail_domain::records::Package,
) -> Option<(&'static str, String)> {
    let amount = format!("{} {}", p.quantity, p.unit_of_measure);
    Some(match what {
        "finish" => (
            "Finish",
            format!(
                "Package {} is finished and leaves active inventory.",
                p.label
            ),
        ),
        "unfinish" => (
            "Unfinish",
            format!(
                "Package {} returns to active inventory with {amount}.",
                p.label
            ),
        ),
        "remediate" => (
            "Record remediation",
            format!(
                "Package {} ({amount}) is recorded as remediated; its lab testing state becomes Remediated and it must pass a retest before sale.",
                p.label
            ),
        ),
        "decontaminate" => (
            "Record decontamination",
            format!(
                "Package {} ({amount}) is recorded as decontaminated; its lab testing state becomes Decontaminated.",
                p.label
            ),
        ),
        "discontinue" => (
            "Discontinue",
            format!(
                "Package {} ({amount}) is discontinued and leaves inventory for good; its tag is not freed, and what it took from its sources is not returned.",
                p.label
            ),
        ),
        _ => return None,
    })
}

pub async fn act(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id, what)): Path<(String, i64, String)>,
    posted: Posted,
) -> Response {
    let to = format!("/ui/l/{}/packages/{id}", segment(&license));
    let typed = Typed::of(&posted.path, &posted.fields);
    // Only the owner's own packages are changed here (a laboratory sees samples it holds, but
    // they are not its to adjust).
    let package = async {
        let scope = s.ledger.scope(&signed.acting, &license).await?;
        Ok::<_, WebError>(s.ledger.package(&scope, &id.to_string()).await?)
    }
    .await;
    let package = match package {
        Ok(p) => p,
        Err(e) => return reply(&s, &signed, &to, Err(e), Some(typed)).await,
    };
    // An adjustment is reviewed before it is made, with the quantity before and after; finishing
    // asks first.
    if !confirm::confirmed(&posted) {
        match what.as_str() {
            "adjust" => {
                let by = posted.fields.text("quantity").unwrap_or_default();
                match by.parse::<Decimal>() {
                    Ok(by) => {
                        let label = format!(
                            "Adjust {} by {by} {}",
                            package.label, package.unit_of_measure
                        );
                        let consequence = format!(
                            "{} {} becomes {} {} (reason: {}).",
                            package.quantity,
                            package.unit_of_measure,
                            package.quantity + by,
                            package.unit_of_measure,
                            posted.fields.text("reason").unwrap_or_default()
                        );
                        return confirm::ask(&posted, &label, &consequence, &to);
                    }
                    Err(_) => {
                        let e = WebError::bad("Quantity: enter a number, such as -1.5 or 2.");
                        return reply(&s, &signed, &to, Err(e), Some(typed)).await;
                    }
                }
            }
            other => {
                if let Some((label, consequence)) = consequence(other, &package) {
                    return confirm::ask(&posted, label, &consequence, &to);
                }
            }
        }
    }
    let result = async {
        let form = &posted.fields;
        let label = Some(package.label.to_string());
        let w = match what.as_str() {
            "adjust" => {
                let quantity: Decimal = form
                    .text("quantity")
                    .and_then(|q| q.parse().ok())
                    .ok_or_else(|| WebError::bad("Quantity: enter a number, such as -1.5 or 2."))?;
                let spec = AdjustSpec {
                    label,
                    quantity: Some(quantity),
                    unit_of_measure: None,
                    reason: form.text("reason"),
                    date: None,
                    note: form.text("note"),
                };
                // The note is why this adjustment was made, so it is the journal's reason too.
                let door = posted.door(form.get("note"));
                s.ledger
                    .run_as::<AdjustBy>(&signed.acting, &license, door, &vec![spec])
                    .await?
            }
            "move" => {
                let spec = MoveSpec {
                    label,
                    location: form.text("location"),
                    sublocation: None,
                };
                s.ledger
                    .run_as::<Move>(&signed.acting, &license, posted.door(None), &vec![spec])
                    .await?
            }
            "note" => {
                let spec = NoteSpec {
                    label,
                    note: form.get("note").map(str::to_string),
                };
                s.ledger
                    .run_as::<SetNotes>(&signed.acting, &license, posted.door(None), &vec![spec])
                    .await?
            }
            "finish" => {
                let spec = FinishSpec {
                    label,
                    actual_date: form.text("date"),
                };
                s.ledger
                    .run_as::<Finish>(&signed.acting, &license, posted.door(None), &vec![spec])
                    .await?
            }
            "unfinish" => {
                s.ledger
                    .run_as::<Unfinish>(&signed.acting, &license, posted.door(None), &vec![label])
                    .await?
            }
            "item" => {
                let spec = ItemChangeSpec {
                    label,
                    item: form.text("item"),
                };
                s.ledger
                    .run_as::<ChangeItem>(&signed.acting, &license, posted.door(None), &vec![spec])
                    .await?
            }
            "remediate" | "decontaminate" => {
                let spec = TreatmentSpec {
                    label,
                    method: form.text("method"),
                    date: form.text("date"),
                };
                // The method is why the lab state changes, so it is the journal's reason too.
                let door = posted.door(form.get("method"));
                let req = vec![spec];
                if what == "remediate" {
                    s.ledger
                        .run_as::<Remediate>(&signed.acting, &license, door, &req)
                        .await?
                } else {
                    s.ledger
                        .run_as::<Decontaminate>(&signed.acting, &license, door, &req)
                        .await?
                }
            }
            "dates" => {
                let spec = DatesSpec {
                    label,
                    expiration_date: form.text("expiration"),
                    sell_by_date: form.text("sell_by"),
                    use_by_date: form.text("use_by"),
                };
                s.ledger
                    .run_as::<SetDates>(&signed.acting, &license, posted.door(None), &vec![spec])
                    .await?
            }
            "external-id" => {
                let spec = ExternalIdSpec {
                    label,
                    external_id: form.get("external_id").map(str::to_string),
                };
                let req = vec![spec];
                s.ledger
                    .run_as::<SetExternalIds>(&signed.acting, &license, posted.door(None), &req)
                    .await?
            }
            "discontinue" => {
                s.ledger
                    .run_as::<Discontinue>(&signed.acting, &license, posted.door(None), &id)
                    .await?
            }
            flag => flagged(&s, &signed, &license, &posted, flag, label).await?,
        };
        Ok(format!("Done (journal entry {}).", w.seq))
    }
    .await;
    reply(&s, &signed, &to, result.map_err(plainly), Some(typed)).await
}

/// Sets or clears one of the package's flags (`donation-on`, `trade-sample-off`…).
async fn flagged(
    s: &WebState,
    signed: &Signed,
    license: &str,
    posted: &Posted,
    what: &str,
    label: Option<String>,
) -> Result<Written, WebError> {
    let (who, door, req) = (&signed.acting, posted.door(None), &vec![label]);
    let w = match what {
        "donation-on" => {
            s.ledger
                .run_as::<FlagDonation>(who, license, door, req)
                .await
        }
        "donation-off" => {
            s.ledger
                .run_as::<UnflagDonation>(who, license, door, req)
                .await
        }
        "trade-sample-on" => {
            s.ledger
                .run_as::<FlagTradeSample>(who, license, door, req)
                .await
        }
        "trade-sample-off" => {
            s.ledger
                .run_as::<UnflagTradeSample>(who, license, door, req)
                .await
        }
        "finished-good-on" => {
            s.ledger
                .run_as::<FlagFinishedGood>(who, license, door, req)
                .await
        }
        "finished-good-off" => {
            s.ledger
                .run_as::<UnflagFinishedGood>(who, license, door, req)
                .await
        }
        _ => return Err(WebError::not_found("No such action.")),
    };
    Ok(w?)
}
