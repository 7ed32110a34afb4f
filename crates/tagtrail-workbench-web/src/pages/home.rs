//! Home: the licenses the person holds roles in, each a card in its colour. The installation's
//! administrators hold none (they decide nothing for a licensee) and see the admin home.

use crate::AppState;
use crate::error::Result;
use crate::page::{self, Frame, Place, cls, lic_url};
use crate::session::Signed;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

pub async fn home(State(s): State<AppState>, signed: Signed) -> Result<Response> {
    if signed.caller.installation_admin {
        return super::admin::admin_home(&s, &signed).await;
    }
    let licenses = s.wb.licenses_of(&signed.caller).await?;
    let body = html! {
        h1 { "Your licenses" }
        @if licenses.is_empty() {
            div.card {
                p { "You hold no role in any license yet. Ask your company's administrator to grant you one." }
            }
        } @else {
            p.lead.muted { "Each license is its own legal context: open one to work in it. Every page and every action says which license it is for." }
            div.lic-cards {
                @for l in &licenses {
                    a class={ "lic-card " (cls(l)) } href=(lic_url(l, "")) {
                        strong { (l.name) }
                        span.mono { (l.number) }
                        div.muted { (l.kind) " · " (l.company) }
                        div.roles { "Your role: " (l.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")) }
                    }
                }
            }
        }
    };
    Ok(page::framed(
        StatusCode::OK,
        Frame {
            signed: &signed,
            licenses: &licenses,
            place: Place::Home,
            also: &[],
        },
        "Your licenses",
        body,
    ))
}
