//! A license's settings: its Metrc keys, masked (the last four characters, when stored, when
//! they expire), and the form its administrator rotates the license's user key with. The key is
//! typed into a password field and never written back into a page, not even when the form is
//! refused.

use super::Lic;
use super::admin::optional_date;
use super::dashboard::{expiry_words, key_title};
use crate::AppState;
use crate::error::{Fail, Result};
use crate::form::{Fields, Refill};
use crate::page::{acting_for, csrf_field, refusal, when, wide};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::role::Duty;
use tagtrail_workbench::vault::Secret;

async fn render(
    s: &AppState,
    l: &Lic,
    status: StatusCode,
    refill: Option<&Refill>,
) -> Result<Response> {
    let keys = s.wb.key_status(&l.lic).await?;
    let zone = &s.options.zone;
    let people: Vec<_> =
        s.wb.people(&l.signed.caller)
            .await?
            .into_iter()
            .filter(|u| u.roles.iter().any(|(n, _)| *n == l.lic.number))
            .collect();
    let v = |name: &str| Refill::value(refill, "key", name);
    let may = l.lic.allows(Duty::ManageLicense) && !l.signed.caller.installation_admin;
    let body = html! {
        h1 { "Settings" }
        div.card {
            h2 { "This license" }
            dl.facts {
                dt { "Name" } dd { (l.lic.name) }
                dt { "License number" } dd.mono { (l.lic.number) }
                dt { "Type" } dd { (l.lic.kind) }
                dt { "Company" } dd { (l.lic.company) }
                dt { "Your role" } dd { (l.lic.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")) }
            }
        }
        h2 { "Metrc keys" }
        p.muted { "Stored encrypted; only the last four characters are ever shown." }
        @if keys.is_empty() { p { "No keys stored." } }
        @else {
            (wide("Metrc keys", html! {
                table.cards {
                    thead { tr { th { "Key" } th { "Ends in" } th { "Stored" } th { "Expiry" } } }
                    tbody {
                        @for k in &keys {
                            tr {
                                td data-label="Key" { (key_title(k)) }
                                td.mono data-label="Ends in" { "••••" (k.last4) }
                                td data-label="Stored" { (when(zone, k.created_at)) }
                                td data-label="Expiry" {
                                    @match expiry_words(k) {
                                        Some(w) => { @if k.reminder { span.badge.hold { (w) } } @else { (w) } }
                                        None => { span.muted { "no date recorded" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }))
        }
        @if may {
            form.card.stack method="post" action=(l.url("/settings/key")) autocomplete="off" {
                (csrf_field(&l.signed.csrf))
                h2 { "Rotate this license's Metrc user key" }
                (refusal(Refill::error(refill, "key")))
                p.hint { "The new key replaces the current one at once; the old one is kept only as retired. Create the key in Metrc under the employee whose permissions the workbench should act with." }
                label for="k-key" { "New user key" }
                input type="password" id="k-key" name="key" required autocomplete="new-password" spellcheck="false";
                label for="k-holder" { "Key holder's employee license number" }
                input type="text" id="k-holder" name="holder" required value=(v("holder"));
                label for="k-exp" { "Expires on (optional)" }
                input type="date" id="k-exp" name="expires_on" value=(v("expires_on"));
                div.buttons {
                    button.act type="submit" { "Store new key" }
                    (acting_for(&l.lic))
                }
            }
        }
        h2 { "People with a role here" }
        @if people.is_empty() { p.muted { "Only administrators see who holds roles." } }
        @else {
            ul {
                @for u in &people {
                    li {
                        (u.full_name) " (" span.mono { (u.username) } "): "
                        (u.roles.iter().filter(|(n, _)| *n == l.lic.number).map(|(_, r)| r.label()).collect::<Vec<_>>().join(", "))
                    }
                }
            }
        }
    };
    Ok(l.page(
        status,
        "/settings",
        &format!("Settings · {}", l.lic.name),
        body,
    ))
}

pub async fn page(State(s): State<AppState>, l: Lic) -> Result<Response> {
    render(&s, &l, StatusCode::OK, None).await
}

pub async fn store_key(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let outcome = async {
        let expires = optional_date(fields.get("expires_on"))?;
        let key = Secret::new(fields.get("key").trim());
        let last4 = key.masked();
        s.wb.store_user_key(
            &l.signed.caller,
            Door::Web,
            &l.lic,
            key,
            fields.get("holder"),
            expires,
        )
        .await?;
        Ok::<_, Fail>(format!(
            "The Metrc user key of {} is now the one ending {last4}.",
            l.lic.name
        ))
    }
    .await;
    match outcome {
        Ok(m) => Ok(l.done(&s, &l.url("/settings"), &m).await),
        Err(f) if f.status == StatusCode::NOT_FOUND || f.status.is_server_error() => Err(f),
        // `Refill` drops the key field: a refused form never carries the key back.
        Err(f) => {
            let r = Refill::new("key", &fields, f.message.clone());
            render(&s, &l, f.status, Some(&r)).await
        }
    }
}
