//! The recipient's receipt screen: accept or reject every package of a delivery, each whole
//! (rule 44); a rejected package needs a reason and goes back to the shipper (rule 45).

use super::{
    MANAGE, MANAGE_TEMPLATES, detail_path, opt, page, party, roles, title, visible, with_warnings,
};
use crate::WebState;
use crate::error::WebError;
use crate::fields::{Fields, Posted};
use crate::flash::reply;
use crate::frame::Frame;
use crate::layout::{csrf_field, notices, wide};
use crate::session::Signed;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use rust_decimal::Decimal;
use tagtrail_app::actions::transfers::{Loaded, Receipt, Receive};
use tagtrail_app::{Action, AppError};
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::transfers::ReceiptLine;
use tagtrail_domain::records::TransferState;

fn body(f: &Frame, l: &Loaded, values: &Fields, errors: &[String]) -> Markup {
    let t = &l.transfer;
    let base = format!("/ui/l/{}/transfers/{}", f.license(), t.id);
    let value = |k: String| values.get(&k).map(str::to_string);
    let wholesale = t.transfer_type == "Wholesale Manifest";
    html! {
        h1 { "Receive " (title(t)) }
        (notices(None, errors))
        p { "From " (party(&t.shipper)) " · " (l.lines.len()) " package(s). "
            span.muted { "Decide every package, each whole (rule 44); a rejected package needs a reason and goes back to the shipper (rule 45)." } }
        form #receipt method="post" action={ (base) "/receive" } {
            (csrf_field(f.csrf()))
            (wide(html! { table {
                thead { tr { th { "Label" } th { "Item" } th { "Shipped" } th { "Decision" } th { "Received quantity" } th { "Rejection reason" }
                    @if wholesale { th { "Your wholesale price" } } } }
                tbody { @for (i, line) in l.lines.iter().enumerate() {
                    @let p = &line.package;
                    @let decision = value(format!("decision_{i}")).unwrap_or_default();
                    tr.receipt-line data-label=(p.label) {
                        td.mono { (p.label) input type="hidden" name={ "label_" (i) } value=(p.label); }
                        td { (p.item_name) }
                        td { (line.shipped_quantity) " " (line.shipped_unit) }
                        td {
                            label { input type="radio" name={ "decision_" (i) } value="accept" checked[decision == "accept"]; " Accept" } " "
                            label { input type="radio" name={ "decision_" (i) } value="reject" checked[decision == "reject"]; " Reject" }
                        }
                        td { input type="text" name={ "qty_" (i) } size="8" value=(value(format!("qty_{i}")).unwrap_or_else(|| line.shipped_quantity.to_string())) aria-label="Received quantity"; " " (line.shipped_unit) }
                        td { input type="text" name={ "reason_" (i) } size="28" value=(value(format!("reason_{i}")).unwrap_or_default()) aria-label="Rejection reason"; }
                        @if wholesale { td { input type="text" name={ "price_" (i) } size="8" value=(value(format!("price_{i}")).unwrap_or_default()) aria-label="Your wholesale price"; } }
                    }
                } }
            } }))
            p { label { "Note for the journal " input type="text" name="note" size="40" value=(value("note".into()).unwrap_or_default()); } }
            p { button.act type="submit" { "Record receipt" } " " a href=(base) { "Cancel" } }
        }
    }
}

/// The delivery `id`, if it is addressed to `f`'s license and awaits receipt.
async fn receivable(s: &WebState, f: &Frame, id: i64) -> Result<Loaded, WebError> {
    let l = visible(s, &f.scope, id, MANAGE_TEMPLATES, MANAGE).await?;
    let t = &l.transfer;
    if !roles(t, f.license()).recipient {
        return Err(WebError::bad(format!(
            "Delivery {id} is not addressed to {}.",
            f.license()
        )));
    }
    if !matches!(t.state, TransferState::InTransit | TransferState::Delivered) {
        return Err(WebError::new(
            StatusCode::CONFLICT,
            format!(
                "Delivery {id} is not awaiting receipt ({}).",
                t.list_status()
            ),
        ));
    }
    Ok(l)
}

pub async fn form(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Response {
    let f = match Frame::of(&s, signed, &license, MANAGE).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    match receivable(&s, &f, id).await {
        Ok(l) => page(
            &f,
            &format!("Receive {}", title(&l.transfer)),
            body(&f, &l, &Fields::default(), &[]),
        )
        .into_response(),
        Err(e) => reply(&s, &f.signed, &detail_path(f.license(), id), Err(e), None).await,
    }
}

/// The receipt the form describes: a line per package, in the manifest's order.
fn lines(l: &Loaded, form: &Fields) -> Result<Vec<ReceiptLine>, WebError> {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for i in 0..l.lines.len() {
        let get = |k: &str| form.get(&format!("{k}_{i}")).and_then(opt);
        let label = get("label");
        let name = label.clone().unwrap_or_else(|| format!("row {}", i + 1));
        let mut num = |k: &str, what: &str| match get(k) {
            None => None,
            Some(v) => v.parse::<Decimal>().ok().or_else(|| {
                problems.push(format!("Package {name}: {what} {v} is not a number."));
                None
            }),
        };
        let accept = match get("decision").as_deref() {
            Some("accept") => Some(true),
            Some("reject") => Some(false),
            _ => None,
        };
        // A rejected package is received at nothing; its quantity box is not read.
        let received_quantity = if accept == Some(true) {
            num("qty", "received quantity")
        } else {
            None
        };
        let receiver_wholesale_price = num("price", "wholesale price");
        lines.push(ReceiptLine {
            package_label: label,
            accept,
            reason: get("reason"),
            received_quantity,
            receiver_wholesale_price,
        });
    }
    if !problems.is_empty() {
        return Err(WebError {
            status: StatusCode::BAD_REQUEST,
            messages: problems,
        });
    }
    Ok(lines)
}

/// Records the receipt. A refused receipt is shown again with the decisions made so far.
pub async fn receive(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    posted: Posted,
) -> Response {
    let f = match Frame::of(&s, signed, &license, MANAGE).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let detail = detail_path(f.license(), id);
    let l = match receivable(&s, &f, id).await {
        Ok(l) => l,
        Err(e) => return reply(&s, &f.signed, &detail, Err(e), None).await,
    };
    let result: Result<String, WebError> = async {
        let lines = lines(&l, &posted.fields)?;
        let scope = s
            .ledger
            .authorize_for(&f.signed.acting, &license, &Receive::DEF)
            .await?;
        let receipt = Receipt {
            delivery_id: id,
            lines,
        };
        let door = posted.door(posted.fields.get("note"));
        let w = s
            .ledger
            .run::<Receive>(&scope, door, &receipt)
            .await
            .map_err(|e| match e {
                // Row i is line i: name its package where the message does not.
                AppError::Rejected(Rejection::Rows(rows)) => WebError {
                    status: StatusCode::BAD_REQUEST,
                    messages: rows
                        .into_iter()
                        .map(|r| {
                            let label = receipt
                                .lines
                                .get(r.row)
                                .and_then(|x| x.package_label.as_ref());
                            match label {
                                Some(label) if !r.message.contains(label.as_str()) => {
                                    format!("Package {label}: {}", r.message)
                                }
                                _ => r.message,
                            }
                        })
                        .collect(),
                },
                e => e.into(),
            })?;
        let accepted = receipt
            .lines
            .iter()
            .filter(|x| x.accept == Some(true))
            .count();
        Ok(with_warnings(
            format!(
                "Receipt recorded: {accepted} accepted, {} rejected (journal entry {}).",
                receipt.lines.len() - accepted,
                w.seq
            ),
            &w.warnings,
        ))
    }
    .await;
    match result {
        Ok(msg) => reply(&s, &f.signed, &detail, Ok(msg), None).await,
        Err(e) if e.shown() => (
            StatusCode::UNPROCESSABLE_ENTITY,
            page(
                &f,
                &format!("Receive {}", title(&l.transfer)),
                body(&f, &l, &posted.fields, &e.messages),
            ),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}
