//! The employee's facilities: where the UI starts.

use crate::WebState;
use crate::error::Page;
use crate::frame::licenses;
use crate::layout::{Nav, page, wide, yes_no};
use crate::session::Signed;
use axum::extract::State;
use maud::html;

pub async fn home(State(s): State<WebState>, signed: Signed) -> Page {
    let facilities = s.ledger.facilities_of(&signed.acting).await?;
    let licenses = licenses(&s, &signed).await?;
    let nav = Nav {
        license: None,
        licenses: &licenses,
        active: "",
        username: signed.username(),
        csrf: &signed.csrf,
    };
    Ok(page(
        "Facilities",
        Some(nav),
        html! {
            h1 { "Your facilities" }
            @if facilities.is_empty() { p.muted { "You are not employed at any active license." } }
            (wide(html! { table {
                thead { tr { th { "License" } th { "Facility" } th { "Type" } th { "Your permissions" } th { "Owner" } th { "Manager" } } }
                tbody {
                    @for (f, job) in &facilities {
                        tr {
                            td.mono { a href={ "/ui/l/" (f.license_number) "/packages" } { (f.license_number) } }
                            td { (f.name) br; span.muted { (f.address.clone().unwrap_or_default()) } }
                            td { (f.license_type.metrc_name()) }
                            td { @for p in &job.permissions { span.pill { (p.name()) } " " } }
                            td { (yes_no(job.is_owner)) } td { (yes_no(job.is_manager)) }
                        }
                    }
                }
            } }))
        },
    ))
}
