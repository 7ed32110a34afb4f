//! The inspection view, made for a phone in one hand at a loading dock: scan a tag with the
//! camera (where the browser can read barcodes) or type it, and see the package card — what it
//! is, how much, its lab state, holds, who packaged it, where it came from and went, its last
//! movements and its manifests. Anyone signed in may use it; each sees only packages of the
//! licenses they may open, and an inspector can change nothing.

use crate::WebState;
use crate::error::{Page, WebError};
use crate::frame::licenses;
use crate::layout::{Nav, page_with};
use crate::pages::journal::said;
use crate::session::Signed;
use crate::status;
use crate::urls::{segment, with_query};
use crate::when::{Zone, date};
use axum::extract::{Query, State};
use maud::{Markup, html};
use serde::Deserialize;
use tagtrail_app::Scope;
use tagtrail_app::reads::Relative;
use tagtrail_domain::commands::manifests::manifest_number;
use tagtrail_domain::records::Package;

/// How far the card walks the lineage each way.
const DEPTH: u32 = 3;
/// How many movements and partial matches the card lists.
const RECENT: u32 = 8;

/// The script that reads barcodes with the camera (served from this site, as the CSP wants).
pub const SCAN_JS: &str = include_str!("../scan.js");

pub async fn scan_js() -> impl axum::response::IntoResponse {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/javascript; charset=utf-8",
            ),
            (axum::http::header::CACHE_CONTROL, "public, max-age=300"),
        ],
        SCAN_JS,
    )
}

#[derive(Deserialize, Default)]
pub struct Lookup {
    uid: Option<String>,
}

/// The form: a large field, and a camera button the script shows where it can work.
fn lookup(uid: &str) -> Markup {
    html! {
        form.card.lookup #lookup method="get" action="/ui/inspect" role="search" {
            label for="uid" { "Package tag UID" }
            input #uid type="text" name="uid" value=(uid) autocomplete="off" autocapitalize="characters" spellcheck="false" placeholder="1A4…" maxlength="64";
            div.lookup-buttons {
                button.act type="submit" { "Look up" }
                button.scan #scan type="button" hidden { "Scan with camera" }
            }
            div #scanner hidden {
                video #scan-video playsinline muted {}
                p.muted #scan-status role="status" {}
            }
        }
    }
}

/// The package card.
async fn card(s: &WebState, scope: &Scope, p: &Package, zone: Zone) -> Result<Markup, WebError> {
    let lic = segment(scope.license());
    let lineage = s.ledger.lineage(scope, p.clone(), DEPTH).await?;
    let history = s.ledger.package_history(scope, p.id, RECENT).await?;
    let manifests = s.ledger.package_manifests(scope, p).await?;
    let relative = |r: &Relative| match r {
        Relative::Visible(q) => html! {
            a.mono href=(with_query("/ui/inspect", &[("uid", q.label.as_str())])) { (q.label) }
            " " (q.item_name) " · " (status::lab(q.lab_testing_state))
        },
        Relative::Other { label, item } => html! {
            span.mono { (label) } " " (item) " " span.muted { "(another license's)" }
        },
    };
    Ok(html! {
        article.package-card #card {
            (status::banner(p))
            h2.mono.uid { (p.label) }
            p.item { strong { (p.item_name) } br; span.muted { (p.item_category) } }
            dl.facts {
                div { dt { "Quantity" } dd.big { (p.quantity) " " (p.unit_of_measure) } }
                div { dt { "Lab testing" } dd { (status::lab(p.lab_testing_state)) br; span.muted { "since " (date(&p.lab_testing_state_date)) } } }
                div { dt { "State" } dd { (status::package(p)) } }
                div { dt { "Packaged by" } dd { span.mono { (p.packaged_by_license) } br; (p.packaged_by_name) } }
                div { dt { "Held by" } dd { span.mono { (p.license_number) } } }
                div { dt { "Location" } dd { (p.location_name.clone().unwrap_or_else(|| "—".into())) @if let Some(sub) = &p.sublocation_name { " / " (sub) } } }
                div { dt { "Packaged" } dd { (date(&p.packaged_date)) } }
                @if p.is_testing_sample { div { dt { "Testing sample" } dd { "Yes" @if let Some(l) = &p.lab_license { ", sent to " span.mono { (l) } } } } }
            }
            h3 { "Where it came from" }
            @if lineage.ancestors.is_empty() { p.muted { "No source package (an opening balance or a plant's harvest)." } }
            ul.lineage { @for (d, r) in &lineage.ancestors { li { span.depth { (d) } " " (relative(r)) } } }
            @if !lineage.descendants.is_empty() {
                h3 { "Made from it" }
                ul.lineage { @for (d, r) in &lineage.descendants { li { span.depth { (d) } " " (relative(r)) } } }
            }
            h3 { "Manifests" }
            @if manifests.is_empty() { p.muted { "Not on any manifest of this license." } }
            ul.manifests { @for (line, t) in &manifests {
                li {
                    a.mono href={ "/ui/l/" (lic) "/transfers/" (t.id) } { (manifest_number(t.id)) }
                    " " (t.shipper.name) " → " (t.recipient.name) " · " (t.list_status())
                    br; span.muted { (line.shipped_quantity) " " (line.shipped_unit) " · departs " (zone.text(&t.estimated_departure)) }
                }
            } }
            h3 { "Last movements" }
            ol.movements { @for e in &history {
                li { (zone.when(&e.body.recorded_at)) br; (said(e)) }
            } }
            p { a href={ "/ui/l/" (lic) "/packages/" (p.id) } { "Full package page →" } }
        }
    })
}

pub async fn page(State(s): State<WebState>, signed: Signed, Query(q): Query<Lookup>) -> Page {
    let uid: String = q
        .uid
        .as_deref()
        .unwrap_or("")
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(64)
        .collect();
    let all = licenses(&s, &signed).await?;
    let zone = s.options.zone;
    let mut found: Option<Markup> = None;
    let mut partial: Vec<(String, Package)> = Vec::new();
    if !uid.is_empty() {
        if let Some((license, id)) = s.ledger.locate_package(&signed.acting, &uid).await? {
            let scope = s.ledger.authorize(&signed.acting, &license, &[]).await?;
            let p = s.ledger.package_seen(&scope, id).await?;
            found = Some(card(&s, &scope, &p, zone).await?);
        } else {
            // Part of a UID (its last digits, usually): the packages it may be.
            for (lic, _) in &all {
                let scope = s.ledger.authorize(&signed.acting, lic, &[]).await?;
                let h = s.ledger.search(&scope, &uid, RECENT).await?;
                partial.extend(h.packages.into_iter().map(|p| (lic.clone(), p)));
            }
        }
    }
    let nav = Nav {
        license: None,
        licenses: &all,
        active: "",
        username: signed.username(),
        csrf: &signed.csrf,
        sections: &[],
    };
    let body = html! {
        h1 { "Inspect a tag" }
        (lookup(&uid))
        @if let Some(card) = found {
            (card)
        } @else if !partial.is_empty() {
            h2 { "Packages whose UID contains “" (uid) "”" }
            ul.matches #matches { @for (lic, p) in &partial {
                li { a.mono href=(with_query("/ui/inspect", &[("uid", p.label.as_str())])) { (p.label) } br;
                     (p.item_name) " · " span.mono { (lic) } " · " (status::lab(p.lab_testing_state)) }
            } }
        } @else if !uid.is_empty() {
            div.flash.error #not-found role="alert" {
                "No package with tag " span.mono { (uid) } " at the licenses you may open. Check the UID, or ask whose tag it is."
            }
        }
    };
    Ok(page_with(
        "Inspect a tag",
        Some(nav),
        body,
        &["/ui/scan.js"],
    ))
}
