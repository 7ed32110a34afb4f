//! The recall query (issue 11): from one package tag, every package made from it however many
//! batches away, every package it was made from, and every manifest that carried it or a
//! descendant — over the licenses the person holds a role in, and no other.

use super::Lic;
use crate::AppState;
use crate::error::Result;
use crate::page::{segment, wide};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde_json::Value;
use std::collections::BTreeMap;
use tagtrail_workbench::lineage::Recall;
use tagtrail_workbench::model::lineage::Reached;
use tagtrail_workbench::people::LicenseCtx;

#[derive(serde::Deserialize, Default)]
pub struct RecallQuery {
    label: Option<String>,
}

/// A package as the sync last saw it, and the license it was seen in.
struct Seen<'a> {
    license: &'a LicenseCtx,
    record: Value,
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn item(v: &Value) -> String {
    v.get("Item")
        .and_then(|i| i.get("Name"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// Every package the person's licenses synced, by label: the page's own license first, so a
/// package it holds links there.
async fn known<'a>(s: &AppState, l: &'a Lic) -> Result<BTreeMap<String, Seen<'a>>> {
    let mut out = BTreeMap::new();
    let order = std::iter::once(&l.lic).chain(
        l.licenses
            .iter()
            .filter(|x| x.license_id != l.lic.license_id),
    );
    for lic in order {
        for (label, record) in s.wb.records(lic, "package").await? {
            out.entry(label).or_insert(Seen {
                license: lic,
                record,
            });
        }
    }
    Ok(out)
}

/// A package's tag linked to its page in the license that holds it, or as text when none of
/// the person's licenses synced it.
fn package_link(label: &str, seen: Option<&Seen>) -> Markup {
    match seen {
        Some(x) => html! {
            a.mono href=(crate::page::lic_url(x.license, &format!("/packages/{}", segment(label)))) { (label) }
        },
        None => html! { span.mono { (label) } },
    }
}

fn seen_cells(seen: Option<&Seen>) -> Markup {
    match seen {
        Some(x) => html! {
            td data-label="Item" { (item(&x.record)) }
            td.num data-label="Quantity" { (text(&x.record, "Quantity")) " " (text(&x.record, "UnitOfMeasureName")) }
            td data-label="Held by" { (x.license.name) " " span.mono.muted { (x.license.number) } }
        },
        None => html! {
            td data-label="Item" { span.muted { "not in your licenses' synced records" } }
            td data-label="Quantity" {}
            td data-label="Held by" {}
        },
    }
}

fn reached(title: &str, rows: &[Reached], known: &BTreeMap<String, Seen>) -> Markup {
    html! {
        (wide(title, html! {
            table.cards {
                thead { tr { th { "Steps away" } th { "Package" } th { "Item" } th { "Quantity" } th { "Held by" } } }
                tbody {
                    @for r in rows {
                        @let seen = known.get(&r.label);
                        tr {
                            td.num data-label="Steps away" { (r.depth) }
                            td data-label="Package" { (package_link(&r.label, seen)) }
                            (seen_cells(seen))
                        }
                    }
                }
            }
        }))
    }
}

fn result(l: &Lic, r: &Recall, known: &BTreeMap<String, Seen>) -> Markup {
    let start = known.get(&r.start);
    let name_of = |number: &str| {
        l.licenses
            .iter()
            .find(|x| x.number == number)
            .map(|x| x.name.clone())
            .unwrap_or_default()
    };
    html! {
        section.card.recall-start aria-labelledby="start-h" {
            h2 #start-h { "Package " (package_link(&r.start, start)) }
            @match start {
                Some(x) => {
                    dl.facts {
                        dt { "Item" } dd { (item(&x.record)) }
                        dt { "Quantity" } dd { (text(&x.record, "Quantity")) " " (text(&x.record, "UnitOfMeasureName")) }
                        dt { "Held by" } dd { (x.license.name) " " span.mono { (x.license.number) } }
                        dt { "Lab testing" } dd { (text(&x.record, "LabTestingState")) }
                    }
                }
                None => p.muted { "None of your licenses' synced records holds this package." }
            }
            p.recall-sum {
                strong { (r.descendants.len()) } " package" @if r.descendants.len() != 1 { "s" } " made from it, "
                strong { (r.ancestors.len()) } " source" @if r.ancestors.len() != 1 { "s" } ", "
                strong { (r.carried.len()) } " manifest line" @if r.carried.len() != 1 { "s" } " carrying it or a package made from it."
            }
        }
        h2 { "Made from it" }
        @if r.descendants.is_empty() { p.muted { "No package was made from it in your licenses." } }
        @else { (reached("Packages made from it", &r.descendants, known)) }
        h2 { "Its sources" }
        @if r.ancestors.is_empty() { p.muted { "No recorded source." } }
        @else { (reached("Packages it was made from", &r.ancestors, known)) }
        h2 { "On manifests" }
        @if r.carried.is_empty() { p.muted { "No manifest synced by your licenses carried it or a package made from it." } }
        @else {
            (wide("Manifests that carried it", html! {
                table.cards {
                    thead { tr { th { "Manifest" } th { "Package" } th { "Recipient" } th { "Package state" } th { "Seen by" } } }
                    tbody {
                        @for c in &r.carried {
                            tr {
                                td.mono data-label="Manifest" { (c.manifest) }
                                td data-label="Package" { (package_link(&c.label, known.get(&c.label))) }
                                td.mono data-label="Recipient" { (c.recipient) }
                                td data-label="Package state" { span class={ "state " (c.state.to_lowercase()) } { (c.state) } }
                                td data-label="Seen by" { (name_of(&c.seen_in)) " " span.mono.muted { (c.seen_in) } }
                            }
                        }
                    }
                }
            }))
        }
    }
}

pub async fn page(
    State(s): State<AppState>,
    l: Lic,
    Query(q): Query<RecallQuery>,
) -> Result<Response> {
    let label = q.label.unwrap_or_default().trim().to_ascii_uppercase();
    let (found, known) = if label.is_empty() {
        (None, BTreeMap::new())
    } else {
        (
            Some(s.wb.recall(&l.signed.caller, &label).await?),
            known(&s, &l).await?,
        )
    };
    let here: Vec<String> =
        s.wb.records(&l.lic, "package")
            .await?
            .into_iter()
            .map(|(k, _)| k)
            .collect();
    let body = html! {
        h1 { "Recall" }
        p.lead { "From one package, every package made from it, every package it was made from, and every manifest that carried it or a package made from it. "
            strong { "The recall walks only the licenses you hold a role in" } " (" (l.licenses.len()) " of them): what another license made or shipped is not shown." }
        form.card.recall-search method="get" action=(l.url("/recall")) role="search" {
            label for="recall-label" { "Package tag" }
            div.searchrow {
                input type="search" id="recall-label" name="label" list="recall-packages" required autocapitalize="characters" spellcheck="false" value=(label);
                button.act type="submit" { "Trace" }
            }
            datalist #recall-packages { @for p in &here { option value=(p) {} } }
        }
        @if let Some(r) = &found { (result(&l, r, &known)) }
    };
    Ok(l.page(
        StatusCode::OK,
        "/recall",
        &format!("Recall · {}", l.lic.name),
        body,
    ))
}
