//! The retailer's pages: a point-of-sale receipt screen (record a sale, edit one not yet
//! finalized), the receipts by state with a receipt's page (finalize, unfinalize, void; rules 63
//! and 64, bulletin III), and the delivery routes and sales deliveries (rule 65). Only a license
//! that sells to consumers has them (any other answers 404, as the sections are not offered
//! there). Every form maps its fields to the request of the action the matching Metrc endpoint
//! runs, through the web door.

mod deliveries;
mod pos;
mod receipts;

use crate::WebState;
use crate::error::WebError;
use crate::frame::Frame;
use crate::lic;
use crate::session::Signed;
use axum::Router;
use axum::routing::{get, post};
use tagtrail_app::AppError;
use tagtrail_domain::Rejection;
use tagtrail_domain::license::Capability;
use tagtrail_domain::permission::Permission;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route(&lic("/sales"), get(receipts::list))
        .route(&lic("/sales/new"), get(pos::new_page).post(pos::record))
        .route(&lic("/sales/{id}"), get(receipts::page))
        .route(
            &lic("/sales/{id}/edit"),
            get(pos::edit_page).post(pos::update),
        )
        .route(&lic("/sales/{id}/{action}"), post(receipts::act))
        .route(&lic("/deliveries"), get(deliveries::list))
        .route(
            &lic("/deliveries/routes/new"),
            get(deliveries::new_route::page).post(deliveries::new_route::submit),
        )
        .route(
            &lic("/deliveries/routes/{id}"),
            get(deliveries::route::page),
        )
        .route(
            &lic("/deliveries/routes/{id}/sale"),
            get(deliveries::route_sale::page).post(deliveries::route_sale::submit),
        )
        .route(
            &lic("/deliveries/routes/{id}/{action}"),
            post(deliveries::route::act),
        )
        .route(&lic("/deliveries/sales/{id}"), get(deliveries::sale::page))
        .route(
            &lic("/deliveries/sales/{id}/{action}"),
            post(deliveries::sale::act),
        )
}

/// Who may see the receipts (Metrc's receipt reads).
const VIEW: &[Permission] = tagtrail_app::actions::sales::VIEW;
/// Who may record and change them.
const MANAGE_PERMS: &[Permission] = tagtrail_app::actions::sales::MANAGE;

/// A page of a license that sells to consumers, for a person holding one of `perms`. Another
/// license has no such page (404), whoever asks.
async fn frame(
    s: &WebState,
    signed: Signed,
    license: &str,
    perms: &[Permission],
) -> Result<Frame, WebError> {
    let f = Frame::of(s, signed, license, perms).await?;
    if !f
        .scope
        .facility()
        .license_type
        .can(Capability::CanSellToConsumers)
    {
        return Err(WebError::not_found(
            "This facility does not sell to consumers, so it has no sales pages.",
        ));
    }
    Ok(f)
}

/// The API's field names in the form's words: the rule and its values stay as the ledger said
/// them.
const WORDS: &[(&str, &str)] = &[
    ("SalesDateTime", "Sale time"),
    ("SalesCustomerType", "Customer type"),
    ("PatientLicenseNumber", "Patient license number"),
    ("CaregiverLicenseNumber", "Caregiver license number"),
    ("ExternalReceiptNumber", "Your receipt number"),
    ("IdentificationMethod", "Identification"),
    ("PackageLabel was not specified.", "Enter the package UID."),
    ("PackageLabel", "Package UID"),
    ("UnitOfMeasure", "Unit"),
    ("Unit of Measure", "Unit"),
    ("TotalAmount", "Price"),
    ("Quantity was not specified.", "Enter the quantity sold."),
    (
        "Transactions were not specified.",
        "Add at least one line: a package UID, a quantity and a price.",
    ),
    (" in the current Facility", " at this facility"),
];

/// One message in the form's words.
fn words(m: &str) -> String {
    WORDS
        .iter()
        .fold(m.to_string(), |m, (api, words)| m.replace(api, words))
}

/// A refusal of a one-receipt request with every message in the form's words, and each line's
/// problem naming the line as the form numbers it (`rows[i]`: the form's line number of the
/// request's line `i`).
fn plainly(e: AppError, rows: &[usize]) -> WebError {
    match e {
        AppError::Rejected(Rejection::Rows(errs)) => WebError {
            status: axum::http::StatusCode::BAD_REQUEST,
            messages: errs
                .into_iter()
                .map(|r| match r.line {
                    Some(i) => {
                        let n = rows.get(i).copied().unwrap_or(i + 1);
                        format!("Line {n}: {}", words(&r.message))
                    }
                    None => words(&r.message),
                })
                .collect(),
        },
        other => {
            let mut w = WebError::from(other);
            w.messages = w.messages.iter().map(|m| words(m)).collect();
            w
        }
    }
}

/// The package a bulletin III refusal names ("Package X is finished; …"), to link to.
fn finished_label(message: &str) -> Option<&str> {
    let rest = message.split("Package ").nth(1)?;
    let (label, tail) = rest.split_once(' ')?;
    tail.starts_with("is finished").then_some(label)
}

/// What a write answers on the page it leads to.
fn done(w: &tagtrail_app::Written, what: &str) -> String {
    let mut msg = format!("{what} (journal entry {}).", w.seq);
    for warning in &w.warnings {
        msg.push(' ');
        msg.push_str(warning);
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_package_is_found_in_bulletin_iii_words() {
        let m =
            tagtrail_domain::commands::sales::lines::finished_message("1A4000000000000000000123");
        assert_eq!(
            finished_label(&format!("Line 2: {m}")),
            Some("1A4000000000000000000123")
        );
        assert_eq!(
            finished_label("Package X is on hold and cannot be sold."),
            None
        );
    }

    #[test]
    fn line_problems_name_the_forms_line_in_words() {
        let e = AppError::Rejected(Rejection::Rows(vec![tagtrail_domain::RowError {
            row: 0,
            message: "UnitOfMeasure Grams does not match package X's Each.".into(),
            line: Some(1),
        }]));
        let w = plainly(e, &[1, 3]);
        assert_eq!(
            w.messages,
            ["Line 3: Unit Grams does not match package X's Each."]
        );
    }
}
