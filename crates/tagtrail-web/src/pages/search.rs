//! Find anything by what is printed on it: a full or partial tag UID, a manifest number, part of
//! an item's name, in any case. On a license's pages the search covers that license; from the
//! start page, every license the person may open. A full UID that names one package goes
//! straight to it.

use crate::WebState;
use crate::error::WebError;
use crate::frame::{Frame, licenses};
use crate::layout::{Nav, page, wide};
use crate::session::Signed;
use crate::status;
use crate::urls::{segment, with_query};
use crate::when::Zone;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use tagtrail_app::reads::Hits;
use tagtrail_domain::commands::manifests::manifest_number;

/// How many of each kind a search shows per license.
const LIMIT: u32 = 25;

/// The longest search text taken (a UID is 24 characters; a name at most 250).
const MAX_TEXT: usize = 250;

#[derive(Deserialize, Default)]
pub struct Search {
    q: Option<String>,
}

impl Search {
    fn text(&self) -> String {
        self.q
            .as_deref()
            .unwrap_or("")
            .trim()
            .chars()
            .take(MAX_TEXT)
            .collect()
    }
}

/// One license's hits.
fn hits(license: &str, zone: Zone, h: &Hits) -> Markup {
    let lic = segment(license);
    html! {
        @if !h.packages.is_empty() {
            h3 { "Packages" }
            (wide(html! { table.hits {
                thead { tr { th { "Tag UID" } th { "Item" } th { "Quantity" } th { "Lab testing" } th { "State" } } }
                tbody { @for p in &h.packages { tr {
                    td.mono { a href={ "/ui/l/" (lic) "/packages/" (p.id) } { (p.label) } }
                    td { (p.item_name) }
                    td { (p.quantity) " " (p.unit_of_measure) }
                    td { (status::lab(p.lab_testing_state)) }
                    td { (status::package(p)) }
                } } }
            } }))
        }
        @if !h.transfers.is_empty() {
            h3 { "Manifests" }
            (wide(html! { table.hits {
                thead { tr { th { "Manifest" } th { "Status" } th { "Shipper" } th { "Recipient" } th { "Estimated departure" } } }
                tbody { @for t in &h.transfers { tr {
                    td.mono { a href={ "/ui/l/" (lic) "/transfers/" (t.id) } { (manifest_number(t.id)) } }
                    td { (t.list_status()) }
                    td { (t.shipper.name) } td { (t.recipient.name) }
                    td { (zone.when(&t.estimated_departure)) }
                } } }
            } }))
        }
        @if !h.items.is_empty() {
            h3 { "Items" }
            ul { @for i in &h.items {
                li { a href=(with_query(&format!("/ui/l/{lic}/packages"), &[("item", &i.name)])) { (i.name) } " " span.muted { (i.category) } }
            } }
        }
    }
}

fn empty(h: &Hits) -> bool {
    h.packages.is_empty() && h.transfers.is_empty() && h.items.is_empty()
}

/// A full UID matching exactly one package: its page.
fn exact(text: &str, h: &Hits) -> Option<i64> {
    match h.packages.as_slice() {
        [p] if p.label.as_str().eq_ignore_ascii_case(text) => Some(p.id),
        _ => None,
    }
}

fn form(action: &str, text: &str) -> Markup {
    html! {
        form.card.lookup method="get" action=(action) role="search" {
            label for="search-q" { "Tag UID, manifest number or item name" }
            input #search-q type="search" name="q" value=(text) autocomplete="off" spellcheck="false";
            button.act type="submit" { "Search" }
        }
    }
}

/// `/ui/l/{license}/search`: one license.
pub async fn at_license(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(q): Query<Search>,
) -> Result<Response, WebError> {
    let f = Frame::of(&s, signed, &license, &[]).await?;
    let text = q.text();
    let h = s.ledger.search(&f.scope, &text, LIMIT).await?;
    if let Some(id) = exact(&text, &h) {
        return Ok(Redirect::to(&f.url(&format!("packages/{id}"))).into_response());
    }
    let body = html! {
        h1 { "Search · " (f.scope.facility().name) }
        (form(&f.url("search"), &text))
        @if text.is_empty() {
            p.muted { "Type all of a tag UID or its last few characters, a manifest number, or part of an item's name." }
        } @else if empty(&h) {
            p #no-hits { "Nothing at " (f.license()) " matches “" (text) "”." }
        } @else {
            (hits(f.license(), f.zone, &h))
        }
    };
    Ok(f.page("Search", "", body).into_response())
}

/// `/ui/search`: every license the person may open.
pub async fn everywhere(
    State(s): State<WebState>,
    signed: Signed,
    Query(q): Query<Search>,
) -> Result<Response, WebError> {
    let text = q.text();
    let all = licenses(&s, &signed).await?;
    let mut found: Vec<(String, String, Hits)> = Vec::new();
    if !text.is_empty() {
        for (lic, name) in &all {
            let scope = s.ledger.authorize(&signed.acting, lic, &[]).await?;
            let h = s.ledger.search(&scope, &text, LIMIT).await?;
            if !empty(&h) {
                found.push((lic.clone(), name.clone(), h));
            }
        }
    }
    if let [(lic, _, h)] = found.as_slice()
        && let Some(id) = exact(&text, h)
    {
        let to = format!("/ui/l/{}/packages/{id}", segment(lic));
        return Ok(Redirect::to(&to).into_response());
    }
    let nav = Nav {
        license: None,
        licenses: &all,
        active: "",
        username: signed.username(),
        csrf: &signed.csrf,
        sections: &[],
    };
    let zone = s.options.zone;
    let body = html! {
        h1 { "Search" }
        (form("/ui/search", &text))
        @if !text.is_empty() && found.is_empty() {
            p #no-hits { "Nothing at your licenses matches “" (text) "”." }
        }
        @for (lic, name, h) in &found {
            h2 { span.mono { (lic) } " · " (name) }
            (hits(lic, zone, h))
        }
    };
    Ok(page("Search", Some(nav), body).into_response())
}
