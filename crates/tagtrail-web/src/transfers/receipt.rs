//! The recipient's receipt screen: a card per package (phone first), each showing its lab
//! testing state and any hold, accepted or rejected whole (rule 44); a rejected package needs a
//! reason and goes back to the shipper (rule 45). Accepted packages go to a location of the
//! receiving license: one for all, with a per-package override. A refused receipt comes back
//! with every choice as made.

use super::{
    MANAGE, MANAGE_TEMPLATES, detail_path, opt, page, party, planned, roles, title, visible,
    with_warnings,
};
use crate::WebState;
use crate::error::WebError;
use crate::fields::{Fields, Posted};
use crate::flash::reply;
use crate::frame::Frame;
use crate::layout::{csrf_field, notices};
use crate::session::Signed;
use crate::status::{self, Tone};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use rust_decimal::Decimal;
use tagtrail_app::actions::transfers::{Loaded, Receipt, Receive};
use tagtrail_app::reads::ListQuery;
use tagtrail_app::{Action, AppError};
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::transfers::ReceiptLine;
use tagtrail_domain::records::{Location, TransferState};
use tagtrail_domain::reference;

/// The receiving license's active locations that hold packages: where accepted packages may go.
async fn destinations(s: &WebState, f: &Frame) -> Result<Vec<Location>, WebError> {
    let q = ListQuery {
        active: Some(true),
        ..Default::default()
    };
    let mut out: Vec<Location> = s
        .ledger
        .list::<Location>(&f.scope, q)
        .await?
        .rows
        .into_iter()
        .filter(|l| {
            reference::LOCATION_TYPES
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(&l.location_type_name))
                .is_none_or(|t| t.for_packages)
        })
        .collect();
    out.sort_by_key(|l| l.name.to_lowercase());
    Ok(out)
}

fn location_options(locations: &[Location], chosen: &str, none: &str) -> Markup {
    html! {
        option value="" selected[chosen.is_empty()] { (none) }
        @for loc in locations {
            option value=(loc.name) selected[loc.name.eq_ignore_ascii_case(chosen)] {
                (loc.name) " (" (loc.location_type_name) ")"
            }
        }
    }
}

fn body(
    f: &Frame,
    l: &Loaded,
    locations: &[Location],
    values: &Fields,
    errors: &[String],
) -> Markup {
    let t = &l.transfer;
    let base = f.url(&format!("transfers/{}", t.id));
    let value = |k: String| values.get(&k).map(str::to_string);
    let wholesale = t.transfer_type == "Wholesale Manifest";
    let failed = l
        .lines
        .iter()
        .filter(|x| status::tone(x.package.lab_testing_state) == Tone::Failed)
        .count();
    let held = l.lines.iter().filter(|x| x.package.on_hold).count();
    // Until the user says otherwise, accepted packages go to the license's receiving location
    // (its location of the Default type), if it has one; "No location yet" stays a choice.
    let all_to = value("location".into()).unwrap_or_else(|| {
        locations
            .iter()
            .find(|l| l.location_type_name.eq_ignore_ascii_case("Default"))
            .map(|l| l.name.clone())
            .unwrap_or_default()
    });
    html! {
        h1 { "Receive · " (title(t)) }
        (notices(None, errors))
        p { "From " (party(&t.shipper)) " · " (l.lines.len()) " package(s)"
            @if let Some(d) = &t.actual_departure { " · departed " (f.when(d)) }
            @else { " · planned to arrive " (planned(f.zone, &t.estimated_arrival)) } }
        @if failed > 0 {
            div.banner.failed role="alert" #receipt-failed {
                strong { (failed) " package(s) on this manifest failed lab testing. " }
                "A failed lot may not be sold or sent on for sale; accept it only to quarantine, remediate or destroy it, or reject it."
            }
        }
        @if held > 0 {
            div.banner.hold role="alert" { strong { (held) " package(s) were on hold when shipped." } }
        }
        p.muted { "Decide every package, each whole (rule 44). A rejected package needs a reason and goes back to the shipper (rule 45)." }
        form #receipt method="post" action={ (base) "/receive" } {
            (csrf_field(f.csrf()))
            fieldset.put-away {
                legend { "Where accepted packages go" }
                label for="location" { "Location for every accepted package" }
                select #location name="location" {
                    (location_options(locations, &all_to, "No location yet (move them later)"))
                }
                p.muted { "A package below can go somewhere else. Only this license's active locations that hold packages are offered." }
            }
            div.receipt-lines {
                @for (i, line) in l.lines.iter().enumerate() {
                    @let p = &line.package;
                    @let decision = value(format!("decision_{i}")).unwrap_or_default();
                    @let label = p.label.to_string();
                    @let tone = status::tone(p.lab_testing_state);
                    section.card.receipt-line data-label=(label) data-lab=(p.lab_testing_state.name())
                        aria-labelledby={ "pkg_" (i) } {
                        input type="hidden" name={ "label_" (i) } value=(label);
                        h2 id={ "pkg_" (i) } { span.mono { (label) } }
                        p.what { (p.item_name) " · shipped " strong { (line.shipped_quantity) " " (line.shipped_unit) } }
                        p.states {
                            span.muted { "Lab testing: " } (status::lab(p.lab_testing_state))
                            @if p.on_hold { " " span.badge.hold { "⏸ On hold" } }
                            @if tone == Tone::Failed { br; strong.failed-words { "Failed lab testing: it may not be sold." } }
                        }
                        fieldset.decision {
                            legend { "Decision" span.vh { " for " (label) } }
                            label.accept { input type="radio" name={ "decision_" (i) } value="accept" checked[decision == "accept"]; " Accept" }
                            label.reject { input type="radio" name={ "decision_" (i) } value="reject" checked[decision == "reject"]; " Reject" }
                        }
                        div.receipt-fields {
                            label { "Received quantity (" (line.shipped_unit) ")"
                                input type="text" inputmode="decimal" name={ "qty_" (i) } size="8"
                                    value=(value(format!("qty_{i}")).unwrap_or_else(|| line.shipped_quantity.to_string()));
                            }
                            label { "Goes to"
                                select name={ "loc_" (i) } {
                                    (location_options(locations, &value(format!("loc_{i}")).unwrap_or_default(), "As chosen above"))
                                }
                            }
                            label { "Rejection reason"
                                input type="text" name={ "reason_" (i) } size="28" value=(value(format!("reason_{i}")).unwrap_or_default());
                            }
                            @if wholesale {
                                label { "Your wholesale price"
                                    input type="text" inputmode="decimal" name={ "price_" (i) } size="8" value=(value(format!("price_{i}")).unwrap_or_default());
                                }
                            }
                        }
                        @for e in errors.iter().filter(|e| e.contains(label.as_str())) {
                            span.field-error role="alert" { (e) }
                        }
                    }
                }
            }
            p { label { "Note for the journal " input type="text" name="note" size="40" value=(value("note".into()).unwrap_or_default()); } }
            p { button.act type="submit" { "Record receipt" } " " a href=(base) { "Cancel" } }
        }
    }
}

/// The transfer `id`, if it is addressed to `f`'s license and awaits receipt.
async fn receivable(s: &WebState, f: &Frame, id: i64) -> Result<Loaded, WebError> {
    let l = visible(s, &f.scope, id, MANAGE_TEMPLATES, MANAGE).await?;
    let t = &l.transfer;
    if !roles(t, f.license()).recipient {
        return Err(WebError::bad(format!(
            "{} is not addressed to {}.",
            title(t),
            f.license()
        )));
    }
    if !matches!(t.state, TransferState::InTransit | TransferState::Delivered) {
        return Err(WebError::new(
            StatusCode::CONFLICT,
            format!(
                "{} is not awaiting receipt ({}).",
                title(t),
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
    let shown = async {
        let l = receivable(&s, &f, id).await?;
        let locations = destinations(&s, &f).await?;
        Ok::<_, WebError>((l, locations))
    }
    .await;
    match shown {
        Ok((l, locations)) => page(
            &f,
            &format!("Receive {}", title(&l.transfer)),
            body(&f, &l, &locations, &Fields::default(), &[]),
        )
        .into_response(),
        Err(e) => reply(&s, &f.signed, &detail_path(f.license(), id), Err(e), None).await,
    }
}

/// The receipt the form describes: a line per package, in the manifest's order. An accepted
/// package goes to its own location if one is chosen, else to the one chosen for all; a
/// rejected one takes none.
fn lines(count: usize, form: &Fields) -> Result<Vec<ReceiptLine>, WebError> {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    let for_all = form.get("location").and_then(opt);
    for i in 0..count {
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
        // A rejected package is received at nothing and goes nowhere here; its quantity and
        // location boxes are not read.
        let accepted = accept == Some(true);
        let received_quantity = if accepted {
            num("qty", "received quantity")
        } else {
            None
        };
        let location = if accepted {
            get("loc").or_else(|| for_all.clone())
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
            location,
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

/// Records the receipt. A refused receipt is shown again with every choice as made.
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
        let lines = lines(l.lines.len(), &posted.fields)?;
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
        let accepted: Vec<&ReceiptLine> = receipt
            .lines
            .iter()
            .filter(|x| x.accept == Some(true))
            .collect();
        let placed = accepted.iter().filter(|x| x.location.is_some()).count();
        let mut msg = format!(
            "Receipt recorded: {} accepted, {} rejected (journal entry {}).",
            accepted.len(),
            receipt.lines.len() - accepted.len(),
            w.seq
        );
        if placed < accepted.len() {
            msg.push_str(&format!(
                " {} accepted package(s) have no location yet: move them once they are put away.",
                accepted.len() - placed
            ));
        }
        Ok(with_warnings(msg, &w.warnings))
    }
    .await;
    match result {
        Ok(msg) => reply(&s, &f.signed, &detail, Ok(msg), None).await,
        Err(e) if e.shown() => {
            let locations = match destinations(&s, &f).await {
                Ok(x) => x,
                Err(e) => return e.into_response(),
            };
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                page(
                    &f,
                    &format!("Receive {}", title(&l.transfer)),
                    body(&f, &l, &locations, &posted.fields, &e.messages),
                ),
            )
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One location for every accepted package, a package's own choice over it, and none for a
    /// rejected package (it goes back to the shipper).
    #[test]
    fn accepted_packages_go_where_chosen_and_rejected_ones_nowhere() {
        let form = Fields::urlencoded(
            b"location=Receiving+Dock&label_0=A&decision_0=accept&loc_0=&label_1=B&decision_1=accept&loc_1=Quarantine+Cage&label_2=C&decision_2=reject&reason_2=Seal+broken&loc_2=Vault&label_3=D",
        );
        let got = lines(4, &form).unwrap_or_default();
        let at: Vec<(Option<bool>, Option<&str>)> = got
            .iter()
            .map(|l| (l.accept, l.location.as_deref()))
            .collect();
        assert_eq!(
            at,
            [
                (Some(true), Some("Receiving Dock")),
                (Some(true), Some("Quarantine Cage")),
                (Some(false), None),
                (None, None),
            ]
        );
        let none = Fields::urlencoded(b"location=&label_0=A&decision_0=accept&qty_0=x");
        assert!(lines(1, &none).is_err(), "a bad quantity is named");
        let none = Fields::urlencoded(b"location=&label_0=A&decision_0=accept");
        assert_eq!(lines(1, &none).unwrap_or_default()[0].location, None);
    }
}
