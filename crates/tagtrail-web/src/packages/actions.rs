//! The package detail page's writes: adjust (rule 28), move, set the note, finish (rule 33) and
//! unfinish. Each maps the form to the action's request and runs the action the matching Metrc
//! endpoint runs.

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
use tagtrail_app::actions::packages::{AdjustBy, Finish, Move, SetNotes, Unfinish};
use tagtrail_domain::commands::packages::{AdjustSpec, FinishSpec, MoveSpec, NoteSpec};

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
            "finish" => {
                let consequence = format!(
                    "Package {} is finished and leaves active inventory.",
                    package.label
                );
                return confirm::ask(&posted, "Finish", &consequence, &to);
            }
            _ => {}
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
                    actual_date: None,
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
            _ => return Err(WebError::not_found("No such action.")),
        };
        Ok(format!("Done (journal entry {}).", w.seq))
    }
    .await;
    reply(&s, &signed, &to, result, Some(typed)).await
}
