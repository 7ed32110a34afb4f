//! Where the UI starts: the facilities the person works at, the licenses an inspector may
//! inspect, and a box to look up a tag.

use crate::WebState;
use crate::error::Page;
use crate::flash::notices;
use crate::frame::licenses;
use crate::layout::{Nav, page, wide, yes_no};
use crate::session::Signed;
use crate::urls::segment;
use axum::extract::State;
use maud::html;

pub async fn home(State(s): State<WebState>, signed: Signed) -> Page {
    let facilities = s.ledger.facilities_of(&signed.acting).await?;
    let inspected = s.ledger.inspected_by(&signed.acting).await?;
    let licenses = licenses(&s, &signed).await?;
    let nav = Nav {
        license: None,
        licenses: &licenses,
        active: "",
        username: signed.username(),
        csrf: &signed.csrf,
        sections: &[],
    };
    Ok(page(
        "Facilities",
        Some(nav),
        html! {
            (notices(signed.flash.as_ref()))
            @if !facilities.is_empty() || inspected.is_empty() {
                h1 { "Your facilities" }
                @if facilities.is_empty() { p.muted { "You are not employed at any active license." } }
                (wide(html! { table #facilities {
                    thead { tr { th { "License" } th { "Facility" } th { "Type" } th { "Your permissions" } th { "Owner" } th { "Manager" } } }
                    tbody {
                        @for (f, job) in &facilities {
                            tr {
                                td.mono { a href={ "/ui/l/" (segment(&f.license_number)) "/dashboard" } { (f.license_number) } }
                                td { (f.name) br; span.muted { (f.address.clone().unwrap_or_default()) } }
                                td { (f.license_type.metrc_name()) }
                                td { @for p in &job.permissions { span.pill { (p.name()) } " " } }
                                td { (yes_no(job.is_owner)) } td { (yes_no(job.is_manager)) }
                            }
                        }
                    }
                } }))
            }
            @if !inspected.is_empty() {
                h1 { "Licenses you inspect" }
                p.muted { "Read-only: you can look at every record of these licenses and change nothing." }
                ul.cards #inspected {
                    @for f in &inspected {
                        li { a href={ "/ui/l/" (segment(&f.license_number)) "/dashboard" } {
                            strong.mono { (f.license_number) } br;
                            (f.name) br;
                            span.muted { (f.license_type.metrc_name()) " · " (f.address.clone().unwrap_or_default()) }
                        } }
                    }
                }
            }
            h2 { "Look up a tag" }
            form.card.lookup method="get" action="/ui/inspect" {
                label for="home-uid" { "Package tag UID (all of it, or the last digits)" }
                input #home-uid type="text" name="uid" inputmode="text" autocomplete="off" spellcheck="false";
                button.act type="submit" { "Look up" }
            }
        },
    ))
}
