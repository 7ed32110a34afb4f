//! Packages as the sync found them: the list of the license's synced packages, and a page per
//! package with every version the sync kept (each a snapshot), newest first, saying what changed.

use super::Lic;
use crate::AppState;
use crate::error::{Fail, Result};
use crate::page::{segment, when, wide};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde_json::Value;

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.to_string(),
        _ => String::new(),
    }
}

fn item_name(v: &Value) -> String {
    v.get("Item")
        .and_then(|i| i.get("Name"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// A field's value as a person reads it in a list of changes.
fn shown(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "empty".into(),
        Some(Value::String(s)) if s.is_empty() => "empty".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.into(),
        Some(other) => {
            let s = other.to_string();
            if s.chars().count() > 120 {
                format!("{}…", s.chars().take(120).collect::<String>())
            } else {
                s
            }
        }
    }
}

/// A field name as words: `LabTestingState` → "Lab testing state".
fn words(key: &str) -> String {
    let mut out = String::new();
    for (i, c) in key.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// What changed from `before` to `after`, field by field (the sync's own bookkeeping left out).
fn changes(before: &Value, after: &Value) -> Vec<(String, String, String)> {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return vec![];
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        // Metrc's internal ids change with the names beside them, which say it in words.
        .filter(|k| k.as_str() != "LastModified" && !k.ends_with("Id"))
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| (words(k), shown(b.get(k)), shown(a.get(k))))
        .collect()
}

#[derive(serde::Deserialize, Default)]
pub struct Filter {
    q: Option<String>,
}

pub async fn list(State(s): State<AppState>, l: Lic, Query(f): Query<Filter>) -> Result<Response> {
    let all = s.wb.records(&l.lic, "package").await?;
    let q = f.q.as_deref().unwrap_or("").trim().to_lowercase();
    let shown: Vec<&(String, Value)> = all
        .iter()
        .filter(|(k, v)| {
            q.is_empty()
                || k.to_lowercase().contains(&q)
                || item_name(v).to_lowercase().contains(&q)
        })
        .collect();
    let body = html! {
        h1 { "Packages" }
        p.lead.muted { "This license's packages as the last sync found them in Metrc. Open one to see every version the sync kept." }
        form.card method="get" action=(l.url("/packages")) role="search" {
            label for="pq" { "Find by tag or item " }
            input type="search" id="pq" name="q" value=(q);
            " "
            button.act type="submit" { "Find" }
        }
        p { (shown.len()) " of " (all.len()) " packages" }
        @if !shown.is_empty() {
            (wide("Synced packages", html! {
                table.cards {
                    thead { tr { th { "Tag" } th { "Item" } th { "Quantity" } th { "Location" } th { "Lab testing" } th { "State" } th { "Last modified in Metrc" } } }
                    tbody {
                        @for (label, v) in &shown {
                            tr {
                                td.mono data-label="Tag" { a href=(l.url(&format!("/packages/{}", segment(label)))) { (label) } }
                                td data-label="Item" { (item_name(v)) }
                                td.num data-label="Quantity" { (text(v, "Quantity")) " " (text(v, "UnitOfMeasureName")) }
                                td data-label="Location" { (text(v, "LocationName")) }
                                td data-label="Lab testing" { (text(v, "LabTestingState")) }
                                td data-label="State" { (state_words(v)) }
                                td data-label="Modified" { (s.options.zone.maybe(Some(&text(v, "LastModified")))) }
                            }
                        }
                    }
                }
            }))
        }
    };
    Ok(l.page(
        StatusCode::OK,
        "/packages",
        &format!("Packages · {}", l.lic.name),
        body,
    ))
}

fn state_words(v: &Value) -> Markup {
    let finished = v.get("IsFinished").and_then(Value::as_bool) == Some(true)
        || !text(v, "FinishedDate").is_empty();
    let hold = v.get("IsOnHold").and_then(Value::as_bool) == Some(true);
    html! {
        @if finished { span.state { "finished" } }
        @else if !text(v, "ArchivedDate").is_empty() { span.state { "archived" } }
        @else { "active" }
        @if hold { " " span.badge.hold { "on hold" } }
    }
}

pub async fn detail(State(s): State<AppState>, l: Lic) -> Result<Response> {
    let label = l.param("label").to_string();
    let versions = s.wb.snapshots(&l.lic, "package", &label).await?;
    let Some((_, _, current)) = versions.last() else {
        return Err(Fail::not_found());
    };
    let zone = &s.options.zone;
    let facts: &[(&str, String)] = &[
        ("Item", item_name(current)),
        (
            "Quantity",
            format!(
                "{} {}",
                text(current, "Quantity"),
                text(current, "UnitOfMeasureName")
            ),
        ),
        ("Location", text(current, "LocationName")),
        ("Lab testing", text(current, "LabTestingState")),
        (
            "Packaged",
            tagtrail_web::shared::date(&text(current, "PackagedDate")),
        ),
        ("Received from", text(current, "ReceivedFromFacilityName")),
        ("Note", text(current, "Note")),
    ];
    let body = html! {
        h1.mono { (label) }
        p { (state_words(current)) }
        div.card {
            dl.facts {
                @for (k, v) in facts.iter().filter(|(_, v)| !v.trim().is_empty()) {
                    dt { (k) } dd { (v) }
                }
            }
        }
        h2 { (versions.len()) " version" @if versions.len() != 1 { "s" } " seen by the sync" }
        ol.history reversed {
            @for (i, (seen, run, data)) in versions.iter().enumerate().rev() {
                li {
                    "Seen " (when(zone, *seen)) " by sync run " (run)
                    @if !text(data, "LastModified").is_empty() { " · modified in Metrc " (zone.when(&text(data, "LastModified"))) }
                    @if i == 0 {
                        ul.changes { li { "First seen: " (text(data, "Quantity")) " " (text(data, "UnitOfMeasureName")) @if !text(data, "LocationName").is_empty() { " at " (text(data, "LocationName")) } } }
                    } @else {
                        @let c = changes(&versions[i - 1].2, data);
                        ul.changes {
                            @if c.is_empty() { li.muted { "Only Metrc's modification time changed." } }
                            @for (field, from, to) in &c { li { strong { (field) } ": " (from) " → " (to) } }
                        }
                    }
                }
            }
        }
        p { a href=(l.url("/packages")) { "All packages" } }
    };
    Ok(l.page(
        StatusCode::OK,
        "/packages",
        &format!("{label} · {}", l.lic.name),
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_are_named_in_words() {
        let a = json!({"Quantity": 10, "LocationName": "Vault", "LastModified": "x"});
        let b =
            json!({"Quantity": 8, "LocationName": "Vault", "LastModified": "y", "IsOnHold": true});
        let c = changes(&a, &b);
        assert_eq!(
            c,
            vec![
                (
                    "Is on hold".to_string(),
                    "empty".to_string(),
                    "yes".to_string()
                ),
                ("Quantity".to_string(), "10".to_string(), "8".to_string()),
            ]
        );
    }
}
