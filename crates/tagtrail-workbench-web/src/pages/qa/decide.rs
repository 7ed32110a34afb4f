//! The lot's forms: the review, the release (with the code), the rejection, holds and the
//! label's potency. Each is decided again by the application layer; a refusal shows the lot's
//! page with the refusal at its form and what was typed.

use super::{Lic, SECTION, answer, label_of, lot_url, potency, refuse};
use crate::AppState;
use crate::error::{Fail, Result};
use crate::form::Fields;
use crate::page::{acting_for, csrf_field};
use crate::pages::confirm;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use rust_decimal::Decimal;
use std::collections::BTreeSet;
use tagtrail_workbench::WbError;
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::coa::Potency;
use tagtrail_workbench::model::qa::{CheckItem, Disposition};

/// A percentage as typed ("20", "20.5 %", "20,5"); empty is none.
pub(super) fn percent(what: &str, typed: &str) -> std::result::Result<Option<Decimal>, String> {
    let t = typed.trim().trim_end_matches('%').trim().replace(',', ".");
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<Decimal>().map(Some).map_err(|_| {
        format!(
            "{what} is a percentage, like 21.4; “{}” is not",
            typed.trim()
        )
    })
}

/// The THC and CBD fields of a form.
pub(super) fn potency_of(fields: &Fields) -> std::result::Result<Potency, String> {
    Ok(Potency {
        thc_percent: percent("THC", fields.get("thc"))?,
        cbd_percent: percent("CBD", fields.get("cbd"))?,
    })
}

fn bad(m: impl Into<String>) -> Fail {
    Fail::new(StatusCode::BAD_REQUEST, m)
}

pub async fn prepare(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let label = label_of(&l);
    let checked: BTreeSet<CheckItem> = fields
        .0
        .iter()
        .filter(|(k, _)| k == "check")
        .filter_map(|(_, c)| CheckItem::parse(c))
        .collect();
    let outcome = s
        .wb
        .prepare_review(
            &l.signed.caller,
            Door::Web,
            &l.lic,
            &label,
            &checked,
            fields.get("notes"),
        )
        .await
        .map(|_| {
            format!(
                "The review of {label} is saved: {} of {} checks ticked. Another person with the QA role releases it.",
                checked.len(),
                CheckItem::ALL.len()
            )
        });
    answer(&s, &l, &label, "review", &fields, outcome).await
}

pub async fn claim(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let label = label_of(&l);
    let claimed = match potency_of(&fields) {
        Ok(p) => p,
        Err(m) => return refuse(&s, &l, &label, "claim", &fields, bad(m)).await,
    };
    let lot = match fields.get("lot").trim() {
        "" => label.clone(),
        typed => typed.to_ascii_uppercase(),
    };
    let outcome =
        s.wb.record_label_claim(&l.signed.caller, Door::Web, &l.lic, &label, &lot, claimed)
            .await
            .map(|()| {
                format!(
                    "{label}'s label potency recorded: {} from lot {lot}.",
                    potency(&claimed)
                )
            });
    answer(&s, &l, &label, "claim", &fields, outcome).await
}

/// The confirmation a release posted without it gets: the code is a secret never sent back in
/// a page, so it is asked for again here.
fn ask_release(l: &Lic, label: &str) -> Response {
    let back = lot_url(l, label);
    let body = html! {
        h1 { "Release " span.mono { (label) } "?" }
        div.card {
            p { (label) " becomes sellable inventory, released by you. This cannot be undone." }
            form.stack method="post" action={ (back) "/release#decision" } autocomplete="off" {
                (csrf_field(&l.signed.csrf))
                label for="release-code" { "Your 6-digit code" }
                input type="text" id="release-code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required autocomplete="one-time-code";
                div.buttons {
                    button.act.danger type="submit" name="confirmed" value="yes" { "Yes, release" }
                    (acting_for(&l.lic))
                }
                p { a href=(back) { "Cancel" } }
            }
        }
    };
    l.page(StatusCode::OK, SECTION, "Release?", body)
}

pub async fn release(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let label = label_of(&l);
    if !confirm::confirmed(&fields) {
        return Ok(ask_release(&l, &label));
    }
    let code = fields.get("code").trim();
    if code.is_empty() {
        let m = "Enter the 6-digit code from your authenticator app: releasing needs your second factor.";
        return refuse(&s, &l, &label, "release", &fields, bad(m)).await;
    }
    if let Err(e) =
        s.wb.confirm_second_factor(l.signed.token(), &l.signed.caller, code)
            .await
    {
        return refuse(&s, &l, &label, "release", &fields, Fail::from(e)).await;
    }
    // The session now holds the confirmation; the release reads it from the caller.
    let Some((caller, _)) = s.wb.session(l.signed.token()).await? else {
        return Err(Fail::new(
            StatusCode::UNAUTHORIZED,
            "Your session ended; sign in again.",
        ));
    };
    let outcome =
        s.wb.release(&caller, Door::Web, &l.lic, &label)
            .await
            .map(|()| format!("{label} is released by you: it is sellable inventory now."));
    answer(&s, &l, &label, "release", &fields, outcome).await
}

pub async fn reject(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let label = label_of(&l);
    let Some(to) = Disposition::parse(fields.get("to")) else {
        let m = "Choose where the lot goes: remediation or destruction.";
        return refuse(&s, &l, &label, "reject", &fields, bad(m)).await;
    };
    if fields.get("reason").trim().is_empty() {
        let m = "Say why the lot is rejected.";
        return refuse(&s, &l, &label, "reject", &fields, bad(m)).await;
    }
    if !confirm::confirmed(&fields) {
        let back = lot_url(&l, &label);
        return Ok(confirm::ask(
            &l,
            SECTION,
            &fields,
            &format!("{back}/reject#decision"),
            &format!("Reject to {}", to.as_str()),
            &format!(
                "The review of {label} ends rejected to {}, and the lot is placed on hold.",
                to.as_str()
            ),
            &back,
        ));
    }
    let outcome =
        s.wb.reject_lot(
            &l.signed.caller,
            Door::Web,
            &l.lic,
            &label,
            to,
            fields.get("reason"),
        )
        .await
        .map(|()| {
            format!(
                "{label} is rejected to {}, and placed on hold.",
                to.as_str()
            )
        });
    answer(&s, &l, &label, "reject", &fields, outcome).await
}

pub async fn hold(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let label = label_of(&l);
    let reason = fields.get("reason").trim();
    let outcome =
        s.wb.place_hold(&l.signed.caller, Door::Web, &l.lic, &label, reason)
            .await
            .map(|_| format!("{label} is on hold: {reason}."));
    answer(&s, &l, &label, "hold", &fields, outcome).await
}

pub async fn lift(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let id = l.id()?;
    let label = label_of(&l);
    // The hold must be one of this lot's: an address naming another lot's hold is no form.
    let lot = match s.wb.lot(&l.lic, &label).await {
        Ok(lot) => lot,
        Err(WbError::Invalid(_)) => return Err(Fail::not_found()),
        Err(e) => return Err(e.into()),
    };
    let Some(held) = lot.holds.iter().find(|h| h.id == id) else {
        return Err(Fail::not_found());
    };
    let outcome =
        s.wb.lift_hold(
            &l.signed.caller,
            Door::Web,
            &l.lic,
            id,
            fields.get("reason"),
        )
        .await
        .map(|()| format!("The hold on {label} (“{}”) is lifted.", held.reason));
    answer(&s, &l, &label, "lift", &fields, outcome).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_as_people_type_them() {
        assert_eq!(percent("THC", " 20,5 % "), Ok(Some(Decimal::new(205, 1))));
        assert_eq!(percent("THC", ""), Ok(None));
        assert!(percent("THC", "lots").is_err());
    }
}
