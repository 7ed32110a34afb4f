//! The submission outbox (seed 003 §03): every write to Metrc is a submission that moves draft →
//! review → approved → submitted → accepted (or rejected, or withdrawn). The list by state; a
//! page per submission with its intent as a table, preflight's problems by row, its history
//! from the audit log and Metrc's answer; the steps the person may take; and the draft forms.
//!
//! Which buttons a page offers is decided by the model's own rule (`submission::decide`), so a
//! page cannot offer a step the workbench would refuse; the step is decided again when it is
//! taken.

use super::{Lic, confirm};
use crate::AppState;
use crate::error::{Fail, Result};
use crate::form::{Fields, Refill};
use crate::page::{
    acting_for, acting_line, csrf_field, refusal, short_hash, when, when_text, wide,
};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use tagtrail_workbench::WbError;
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::manifests::{self, Tick};
use tagtrail_workbench::model::manifest::{
    IncomingDelivery, ManifestDraft, Receipt, ReceiptLine, Transport,
};
use tagtrail_workbench::model::preflight::{
    Ingredient, Intent, Move, NewLocation, NewPackage, Problem, TransferDraft,
};
use tagtrail_workbench::model::role::Duty;
use tagtrail_workbench::model::submission::{self, Actor, Facts, Kind, State as SubState, Step};
use tagtrail_workbench::outbox::{Delivery, Submission};
use tagtrail_workbench::people::LicenseCtx;

/// The draft forms: the address's `kind`, the kind, and what the form asks for.
const FORMS: &[(&str, Kind, &str)] = &[
    (
        "strains",
        Kind::CreateStrains,
        "New strains, one name per line.",
    ),
    (
        "locations",
        Kind::CreateLocations,
        "New locations of one type, one name per line.",
    ),
    (
        "move",
        Kind::MovePackages,
        "Packages to move to one location.",
    ),
    ("finish", Kind::FinishPackages, "Empty packages to finish."),
    (
        "create",
        Kind::CreatePackages,
        "A new package made from existing packages (its ingredients).",
    ),
    (
        "transfer",
        Kind::OutgoingTransferTemplate,
        "Packages to send to another license, as a transfer template.",
    ),
    (
        "manifest",
        Kind::RegisterManifest,
        "Packages leaving for another license on a manifest: the transfer, the driver and the vehicle.",
    ),
    (
        "receive",
        Kind::ReceiveDelivery,
        "A delivery from another license received: each of its packages accepted or rejected.",
    ),
];

/// How many ingredient rows the new-package form offers.
const INGREDIENT_ROWS: usize = 3;

/// A label inside a sentence: its first letter in lower case, names keep theirs ("accepted by
/// Metrc").
fn lower_first(label: &str) -> String {
    let mut c = label.chars();
    match c.next() {
        Some(first) => format!("{}{}", first.to_lowercase(), c.as_str()),
        None => String::new(),
    }
}

fn state_class(s: SubState) -> &'static str {
    s.as_str()
}

fn state_badge(s: SubState) -> Markup {
    html! { span class={ "state " (state_class(s)) } { (s.label()) } }
}

#[derive(serde::Deserialize, Default)]
pub struct ListQuery {
    state: Option<String>,
}

pub async fn list(
    State(s): State<AppState>,
    l: Lic,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let state = q.state.as_deref().and_then(SubState::parse);
    let subs = s.wb.submissions(&l.lic, state, 500).await?;
    let counts = s.wb.submission_counts(&l.lic).await?;
    let total: i64 = counts.values().sum();
    let zone = &s.options.zone;
    let may_draft = l.lic.allows(Duty::Draft) && !l.signed.caller.installation_admin;
    let body = html! {
        h1 { "Outbox" }
        p.lead.muted { "Every change to Metrc is a submission: drafted, checked by preflight, reviewed and approved by another person, then submitted." }
        @if may_draft {
            div.card {
                h2 { "New submission" }
                div.buttons {
                    @for (slug, kind, _) in FORMS {
                        a.act href={ (l.url("/outbox/new")) "?kind=" (slug) } { (kind.label()) }
                    }
                }
            }
        }
        nav.tabs aria-label="Submissions by state" {
            a class=@if state.is_none() { "on" } aria-current=[state.is_none().then_some("page")] href=(l.url("/outbox")) { "All (" (total) ")" }
            @for st in SubState::ALL {
                @let on = state == Some(*st);
                a class=@if on { "on" } aria-current=[on.then_some("page")] href={ (l.url("/outbox")) "?state=" (st.as_str()) } {
                    (st.label()) " (" (counts.get(st.as_str()).copied().unwrap_or(0)) ")"
                }
            }
        }
        @if subs.is_empty() {
            p { "No submissions" @if let Some(st) = state { " " (st.label().to_lowercase()) } "." }
        } @else {
            (wide("Submissions", html! {
                table.cards {
                    thead { tr { th { "#" } th { "Title" } th { "What" } th { "State" } th { "Author" } th { "Last change" } } }
                    tbody {
                        @for sub in &subs {
                            tr {
                                td data-label="#" { a href=(l.url(&format!("/outbox/{}", sub.id))) { (sub.id) } }
                                td data-label="Title" { a href=(l.url(&format!("/outbox/{}", sub.id))) { (sub.title) } }
                                td data-label="What" { (sub.kind.label()) ", " (sub.intent.rows()) " row" @if sub.intent.rows() != 1 { "s" } }
                                td data-label="State" { (state_badge(sub.state)) @if !sub.preflight.is_empty() && !sub.state.is_final() { " " span.badge.hold { (sub.preflight.len()) " problem" @if sub.preflight.len() != 1 { "s" } } } }
                                td data-label="Author" { (sub.author) }
                                td data-label="Last change" { (when(zone, sub.updated_at)) }
                            }
                        }
                    }
                }
            }))
        }
    };
    Ok(l.page(
        StatusCode::OK,
        "/outbox",
        &format!("Outbox · {}", l.lic.name),
        body,
    ))
}

// ----- drafting -----

#[derive(serde::Deserialize, Default)]
pub struct KindQuery {
    kind: Option<String>,
    /// The incoming delivery to receive (the receive form).
    delivery: Option<String>,
}

fn form_of(slug: &str) -> Option<&'static (&'static str, Kind, &'static str)> {
    FORMS.iter().find(|(s, _, _)| *s == slug)
}

/// Labels typed one per line (or separated by commas or spaces), as Metrc spells them.
fn labels(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .map(|t| t.trim().to_ascii_uppercase())
        .filter(|t| !t.is_empty())
        .collect()
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// A quantity typed into a form.
fn quantity(text: &str, what: &str) -> std::result::Result<Decimal, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(format!("Give the {what}."));
    }
    t.parse::<Decimal>()
        .map_err(|_| format!("{t} is not a quantity (the {what})."))
}

/// A text field, trimmed; `None` when left empty.
fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// A time from `<input type="datetime-local">` as Metrc takes it, `YYYY-MM-DDTHH:MM:SS` (a
/// browser leaves the seconds out when they are zero); empty when left empty, for preflight to
/// name.
fn local_time(text: &str, what: &str) -> std::result::Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(String::new());
    }
    let with_seconds = if t.len() == 16 {
        format!("{t}:00")
    } else {
        t.to_string()
    };
    chrono::NaiveDateTime::parse_from_str(&with_seconds, "%Y-%m-%dT%H:%M:%S")
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string())
        .map_err(|_| format!("The estimated {what} {t} is not a date and time."))
}

/// The index of the receipt line for `label` in a refilled receive form.
fn refilled_line(refill: Option<&Refill>, label: &str) -> Option<usize> {
    let r = refill.filter(|r| r.form == "draft")?;
    (0..r.fields.0.len()).find(|i| r.fields.get(&format!("label{i}")) == label)
}

/// The intent a draft form describes, or what is missing. `incoming` is the license's incoming
/// deliveries at the last sync (for a receipt's manifest and shipper).
fn intent_of(
    kind: Kind,
    f: &Fields,
    incoming: &BTreeMap<i64, IncomingDelivery>,
) -> std::result::Result<Intent, String> {
    let need = |v: Vec<String>, what: &str| {
        if v.is_empty() {
            Err(format!("Name at least one {what}."))
        } else {
            Ok(v)
        }
    };
    Ok(match kind {
        Kind::CreateStrains => Intent::CreateStrains(need(lines(f.get("names")), "strain")?),
        Kind::CreateLocations => {
            let ty = f.get("location_type").trim();
            if ty.is_empty() {
                return Err("Say which type of location these are.".into());
            }
            Intent::CreateLocations(
                need(lines(f.get("names")), "location")?
                    .into_iter()
                    .map(|name| NewLocation {
                        name,
                        location_type: ty.to_string(),
                    })
                    .collect(),
            )
        }
        Kind::MovePackages => {
            let to = f.get("location").trim();
            if to.is_empty() {
                return Err("Say which location the packages move to.".into());
            }
            Intent::MovePackages(
                need(labels(f.get("labels")), "package")?
                    .into_iter()
                    .map(|label| Move {
                        label,
                        location: to.to_string(),
                    })
                    .collect(),
            )
        }
        Kind::FinishPackages => Intent::FinishPackages(need(labels(f.get("labels")), "package")?),
        Kind::OutgoingTransferTemplate => {
            let recipient = f.get("recipient").trim().to_string();
            if recipient.is_empty() {
                return Err("Say which license receives the transfer.".into());
            }
            let name = f.get("template").trim().to_string();
            if name.is_empty() {
                return Err("Give the transfer template a name.".into());
            }
            let ty = f.get("transfer_type").trim().to_string();
            if ty.is_empty() {
                return Err("Say which type of transfer this is.".into());
            }
            Intent::OutgoingTransfer(TransferDraft {
                name,
                recipient_license: recipient,
                recipient_is_retailer: f.get("retailer") == "yes",
                transfer_type: ty,
                packages: need(labels(f.get("labels")), "package")?,
            })
        }
        Kind::CreatePackages => {
            let tag = f.get("tag").trim().to_ascii_uppercase();
            if tag.is_empty() {
                return Err("Give the new package's tag.".into());
            }
            let item = f.get("item").trim().to_string();
            if item.is_empty() {
                return Err("Say which item the new package holds.".into());
            }
            let unit = f.get("unit").trim().to_string();
            if unit.is_empty() {
                return Err("Say the new package's unit of measure.".into());
            }
            let mut ingredients = vec![];
            for i in 0..INGREDIENT_ROWS {
                let (pkg, qty, u) = (
                    f.get(&format!("ing_package{i}"))
                        .trim()
                        .to_ascii_uppercase(),
                    f.get(&format!("ing_quantity{i}")),
                    f.get(&format!("ing_unit{i}")).trim().to_string(),
                );
                if pkg.is_empty() && qty.trim().is_empty() && u.is_empty() {
                    continue;
                }
                let n = i + 1;
                if pkg.is_empty() {
                    return Err(format!("Ingredient {n}: name the package it comes from."));
                }
                let quantity = quantity(qty, &format!("quantity taken from {pkg}"))?;
                if u.is_empty() {
                    return Err(format!(
                        "Ingredient {n}: say the unit of the quantity taken."
                    ));
                }
                ingredients.push(Ingredient {
                    package: pkg,
                    quantity,
                    unit: u,
                });
            }
            if ingredients.is_empty() {
                return Err(
                    "Name at least one ingredient: a package the new one is made from.".into(),
                );
            }
            Intent::CreatePackages(vec![NewPackage {
                tag,
                item,
                quantity: quantity(f.get("quantity"), "new package's quantity")?,
                unit,
                location: optional(f.get("location")),
                note: optional(f.get("note")),
                ingredients,
            }])
        }
        Kind::RegisterManifest => {
            let recipient = f.get("recipient").trim().to_string();
            if recipient.is_empty() {
                return Err("Say which license receives the manifest.".into());
            }
            let name = f.get("template").trim().to_string();
            if name.is_empty() {
                return Err("Give the manifest a reference name.".into());
            }
            let ty = f.get("transfer_type").trim().to_string();
            if ty.is_empty() {
                return Err("Say which type of transfer this is.".into());
            }
            let departure = local_time(f.get("departure"), "departure")?;
            let arrival = local_time(f.get("arrival"), "arrival")?;
            if !departure.is_empty() && !arrival.is_empty() && arrival < departure {
                return Err("The estimated arrival is before the estimated departure.".into());
            }
            let t = |name: &str| f.get(name).trim().to_string();
            Intent::RegisterManifest(ManifestDraft {
                transfer: TransferDraft {
                    name,
                    recipient_license: recipient,
                    recipient_is_retailer: f.get("retailer") == "yes",
                    transfer_type: ty,
                    packages: need(labels(f.get("labels")), "package")?,
                },
                transport: Transport {
                    transporter_license: t("transporter"),
                    driver_name: t("driver_name"),
                    driver_occupational_license: t("driver_occupational"),
                    driver_license: t("driver_license"),
                    vehicle_make: t("vehicle_make"),
                    vehicle_model: t("vehicle_model"),
                    vehicle_plate: t("vehicle_plate"),
                    estimated_departure: departure,
                    estimated_arrival: arrival,
                    phone_for_questions: t("phone"),
                },
            })
        }
        Kind::ReceiveDelivery => {
            let Ok(delivery_id) = f.get("delivery").trim().parse::<i64>() else {
                return Err("Choose the delivery to receive.".into());
            };
            let synced = incoming.get(&delivery_id);
            let mut lines = vec![];
            // One line per package the form listed; a package left undecided is left out, for
            // preflight to name (rule 44: a delivery is received whole).
            for i in 0..f.0.len() {
                let label = f.get(&format!("label{i}")).trim().to_string();
                if label.is_empty() {
                    break;
                }
                let accept = match f.get(&format!("accept{i}")) {
                    "yes" => true,
                    "no" => false,
                    _ => continue,
                };
                let typed = f.get(&format!("quantity{i}")).trim();
                let received_quantity = if accept && !typed.is_empty() {
                    Some(quantity(typed, &format!("quantity received of {label}"))?)
                } else {
                    None
                };
                lines.push(ReceiptLine {
                    accept,
                    received_quantity,
                    reason: if accept {
                        None
                    } else {
                        optional(f.get(&format!("reason{i}")))
                    },
                    label,
                });
            }
            Intent::ReceiveDelivery(Receipt {
                delivery_id,
                manifest_number: synced
                    .map(|d| d.manifest_number.clone())
                    .unwrap_or_else(|| f.get("manifest").trim().to_string()),
                shipper_license: synced
                    .map(|d| d.shipper_license.clone())
                    .unwrap_or_else(|| f.get("shipper").trim().to_string()),
                lines,
            })
        }
    })
}

/// What the license's last sync knows, for the forms' suggestions.
async fn suggestions(
    s: &AppState,
    l: &Lic,
) -> Result<(Vec<String>, Vec<String>, BTreeSet<String>)> {
    let packages: Vec<String> =
        s.wb.records(&l.lic, "package")
            .await?
            .into_iter()
            .filter(|(_, v)| v.get("IsFinished").and_then(Value::as_bool) != Some(true))
            .map(|(k, _)| k)
            .collect();
    let locs = s.wb.records(&l.lic, "location").await?;
    let names = locs
        .iter()
        .filter_map(|(_, v)| v.get("Name").and_then(Value::as_str).map(str::to_string))
        .collect();
    let types = locs
        .iter()
        .filter_map(|(_, v)| {
            v.get("LocationTypeName")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    Ok((packages, names, types))
}

/// The distinct values of a text field of synced records not archived, for a datalist.
fn values(records: &[(String, Value)], field: &str) -> BTreeSet<String> {
    records
        .iter()
        .filter(|(_, v)| v.get("IsArchived").and_then(Value::as_bool) != Some(true))
        .filter_map(|(_, v)| v.get(field).and_then(Value::as_str))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn datalist(id: &str, options: &BTreeSet<String>) -> Markup {
    html! { datalist id=(id) { @for o in options { option value=(o) {} } } }
}

/// The incoming deliveries with a package still to receive (shipped, not yet accepted or
/// rejected).
fn open_deliveries(all: BTreeMap<i64, IncomingDelivery>) -> BTreeMap<i64, IncomingDelivery> {
    all.into_iter()
        .filter(|(_, d)| d.packages.values().any(|p| p.state == "Shipped"))
        .collect()
}

/// What becomes of a manifest step after approval, in words: a task in Metrc's web UI, or sent
/// by the workbench when the company's Metrc is a tagtrail ledger.
fn manual_words(kind: Kind, ledger: bool) -> Markup {
    let what = match kind {
        Kind::ReceiveDelivery => "receiving a delivery",
        _ => "registering a manifest",
    };
    html! {
        @if ledger {
            p.banner.info {
                "Metrc's API has no way of " (what) ". This company's Metrc is a tagtrail ledger, which has one: after approval the workbench sends it itself, like any other submission."
            }
        } @else {
            p.banner.info {
                "Metrc's API has no way of " (what) ". After approval it becomes a checklist on its page, to work through in Metrc's web UI; the next sync that shows it done in Metrc accepts it."
            }
        }
    }
}

/// Whether a license is a distributor's (a manifest's transporter is one).
fn distributor(l: &LicenseCtx) -> bool {
    l.kind.to_ascii_lowercase().contains("distributor")
}

#[allow(clippy::too_many_arguments)]
async fn draft_page(
    s: &AppState,
    l: &Lic,
    slug: &str,
    delivery: Option<i64>,
    status: StatusCode,
    refill: Option<&Refill>,
) -> Result<Response> {
    if !l.lic.allows(Duty::Draft) || l.signed.caller.installation_admin {
        return Err(Fail::new(
            StatusCode::FORBIDDEN,
            format!(
                "Your role in {} ({}) does not allow drafting submissions.",
                l.lic.name, l.lic.number
            ),
        ));
    }
    let Some((slug, kind, what)) = form_of(slug) else {
        // No kind chosen yet: which kind of submission.
        let body = html! {
            h1 { "New submission" }
            div.card {
                p { "What should the submission ask Metrc to do?" }
                ul {
                    @for (slug, kind, what) in FORMS {
                        li { a href={ (l.url("/outbox/new")) "?kind=" (slug) } { (kind.label()) } ": " (what) }
                    }
                }
            }
        };
        return Ok(l.page(
            status,
            "/outbox",
            &format!("New submission · {}", l.lic.name),
            body,
        ));
    };
    let ledger = s.wb.ledger_extensions(l.lic.company_id).await?;
    // Receiving: first which delivery, then its packages.
    let incoming = if *kind == Kind::ReceiveDelivery {
        open_deliveries(s.wb.incoming_deliveries(&l.lic).await?)
    } else {
        BTreeMap::new()
    };
    let chosen = delivery.and_then(|id| incoming.get(&id).map(|d| (id, d)));
    if *kind == Kind::ReceiveDelivery && chosen.is_none() {
        let gone = delivery.is_some();
        let body = html! {
            h1 { "Receive a delivery" }
            p.lead.muted { (what) }
            (manual_words(*kind, ledger))
            @if gone || refill.is_some() {
                (refusal(Some(refill.map(|r| r.error.as_str()).filter(|e| !e.is_empty()).unwrap_or("That delivery has nothing left to receive at the last sync; choose another, or run a sync."))))
            }
            h2 { "Deliveries waiting to be received" }
            @if incoming.is_empty() {
                p { "No delivery to this license is waiting to be received at the last sync. "
                    a href=(l.url("/sync")) { "Sync runs" } " shows when the last sync ran." }
            } @else {
                (wide("Deliveries waiting to be received", html! {
                    table.cards {
                        thead { tr { th { "Manifest" } th { "From" } th { "Packages" } th { "Receive" } } }
                        tbody {
                            @for (id, d) in &incoming {
                                @let waiting = d.packages.values().filter(|p| p.state == "Shipped").count();
                                tr {
                                    td.mono data-label="Manifest" { (d.manifest_number) }
                                    td.mono data-label="From" { (d.shipper_license) }
                                    td data-label="Packages" {
                                        (waiting) " to receive"
                                        @if waiting != d.packages.len() { " (of " (d.packages.len()) ")" }
                                    }
                                    td data-label="Receive" {
                                        a.act href={ (l.url("/outbox/new")) "?kind=receive&delivery=" (id) } { "Receive manifest " (d.manifest_number) }
                                    }
                                }
                            }
                        }
                    }
                }))
            }
        };
        let status = if gone && status == StatusCode::OK {
            StatusCode::NOT_FOUND
        } else {
            status
        };
        return Ok(l.page(
            status,
            "/outbox",
            &format!("Receive a delivery · {}", l.lic.name),
            body,
        ));
    }
    let (packages, locations, types) = suggestions(s, l).await?;
    let v = |name: &str| Refill::value(refill, "draft", name);
    let title = if refill.is_some() {
        v("title")
    } else if let Some((_, d)) = chosen {
        format!("Receive manifest {}", d.manifest_number)
    } else {
        kind.label().to_string()
    };
    let (drivers, vehicles, items) = match kind {
        Kind::RegisterManifest => {
            // The drivers and vehicles of this license and of the person's distributor
            // licenses (which transport for it), as the last sync saw them.
            let (mut d, mut v) = (vec![], vec![]);
            for x in l
                .licenses
                .iter()
                .filter(|x| x.license_id == l.lic.license_id || distributor(x))
            {
                d.extend(s.wb.records(x, "driver").await?);
                v.extend(s.wb.records(x, "vehicle").await?);
            }
            (d, v, vec![])
        }
        Kind::CreatePackages => (vec![], vec![], s.wb.records(&l.lic, "item").await?),
        _ => (vec![], vec![], vec![]),
    };
    let units: BTreeSet<String> = tagtrail_domain::quantity::UNITS
        .iter()
        .filter(|u| u.active)
        .map(|u| u.name.to_string())
        .collect();
    let others: BTreeSet<String> = l
        .licenses
        .iter()
        .filter(|x| x.license_id != l.lic.license_id)
        .map(|x| x.number.clone())
        .collect();
    // Transporters hold a distributor license: this person's that do.
    let transporters: BTreeSet<String> = l
        .licenses
        .iter()
        .filter(|x| distributor(x))
        .map(|x| x.number.clone())
        .collect();
    let heading = match chosen {
        Some((_, d)) => format!("Receive manifest {}", d.manifest_number),
        None => format!("New submission: {}", kind.label().to_lowercase()),
    };
    let body = html! {
        h1 { (heading) }
        p.lead.muted { (what) " It is saved as a draft and checked by preflight; nothing reaches Metrc until another person approves it and it is submitted." }
        @if kind.manual_in_metrc() { (manual_words(*kind, ledger)) }
        form.card.stack method="post" action=(l.url("/outbox/new")) {
            (csrf_field(&l.signed.csrf))
            input type="hidden" name="kind" value=(slug);
            (refusal(Refill::error(refill, "draft")))
            label for="d-title" { "Title" }
            input type="text" id="d-title" name="title" required maxlength="200" value=(title);
            label for="d-reason" { "Why (recorded in the audit log)" }
            input type="text" id="d-reason" name="reason" required maxlength="1000" value=(v("reason"));
            @match kind {
                Kind::CreateStrains => {
                    label for="d-names" { "Strain names, one per line" }
                    textarea id="d-names" name="names" required { (v("names")) }
                }
                Kind::CreateLocations => {
                    label for="d-names" { "Location names, one per line" }
                    textarea id="d-names" name="names" required { (v("names")) }
                    label for="d-type" { "Location type" }
                    input type="text" id="d-type" name="location_type" required list="location-types" value=(v("location_type"));
                    datalist #location-types { @for t in &types { option value=(t) {} } }
                }
                Kind::MovePackages => {
                    label for="d-labels" { "Package tags, one per line" }
                    textarea id="d-labels" name="labels" required autocapitalize="characters" { (v("labels")) }
                    label for="d-loc" { "New location" }
                    input type="text" id="d-loc" name="location" required list="locations" value=(v("location"));
                    datalist #locations { @for n in &locations { option value=(n) {} } }
                }
                Kind::FinishPackages => {
                    label for="d-labels" { "Package tags, one per line" }
                    textarea id="d-labels" name="labels" required autocapitalize="characters" { (v("labels")) }
                }
                Kind::OutgoingTransferTemplate => {
                    label for="d-template" { "Template name" }
                    input type="text" id="d-template" name="template" required maxlength="200" value=(v("template"));
                    label for="d-recipient" { "Recipient license number" }
                    input type="text" id="d-recipient" name="recipient" required list="licenses" value=(v("recipient"));
                    (datalist("licenses", &others))
                    label.choice { input type="checkbox" name="retailer" value="yes" checked[v("retailer") == "yes"]; " The recipient is a retailer (only packages that passed testing may go)" }
                    label for="d-type" { "Transfer type" }
                    input type="text" id="d-type" name="transfer_type" required list="transfer-types" value=(Some(v("transfer_type")).filter(|t| !t.is_empty()).unwrap_or_else(|| "Transfer".into()));
                    datalist #transfer-types { option value="Transfer" {} option value="Wholesale" {} option value="Wholesale Manifest" {} }
                    label for="d-labels" { "Package tags, one per line" }
                    textarea id="d-labels" name="labels" required autocapitalize="characters" { (v("labels")) }
                }
                Kind::RegisterManifest => {
                    h2 { "The transfer" }
                    label for="d-template" { "Reference name" }
                    input type="text" id="d-template" name="template" required maxlength="200" aria-describedby="d-template-hint" value=(v("template"));
                    p.hint #d-template-hint { "How people here will know this manifest, e.g. “Corner Store, Tuesday run”." }
                    label for="d-recipient" { "Recipient license number" }
                    input type="text" id="d-recipient" name="recipient" required list="licenses" autocapitalize="characters" value=(v("recipient"));
                    (datalist("licenses", &others))
                    label.choice { input type="checkbox" name="retailer" value="yes" checked[v("retailer") == "yes"]; " The recipient is a retailer (only packages that passed testing may go)" }
                    label for="d-type" { "Transfer type" }
                    input type="text" id="d-type" name="transfer_type" required list="transfer-types" value=(Some(v("transfer_type")).filter(|t| !t.is_empty()).unwrap_or_else(|| "Transfer".into()));
                    datalist #transfer-types { option value="Transfer" {} option value="Wholesale" {} option value="Wholesale Manifest" {} }
                    label for="d-labels" { "Package tags, one per line" }
                    textarea id="d-labels" name="labels" required autocapitalize="characters" { (v("labels")) }
                    h2 { "How it travels" }
                    p.hint { "Metrc needs all of these on a manifest, except the phone number." }
                    label for="d-transporter" { "Transporter license number" }
                    input type="text" id="d-transporter" name="transporter" required list="transporters" autocapitalize="characters" aria-describedby="d-transporter-hint" value=(Some(v("transporter")).filter(|t| !t.is_empty() || refill.is_some()).or_else(|| distributor(&l.lic).then(|| l.lic.number.clone()))
                        .or_else(|| (transporters.len() == 1).then(|| transporters.iter().next().cloned()).flatten()).unwrap_or_default());
                    p.hint #d-transporter-hint { "The transporter holds a distributor license." }
                    (datalist("transporters", &transporters))
                    div.row.fields {
                        div {
                            label for="d-driver" { "Driver's name" }
                            input type="text" id="d-driver" name="driver_name" required list="driver-names" value=(v("driver_name"));
                        }
                        div {
                            label for="d-occupational" { "Driver's occupational license" }
                            input type="text" id="d-occupational" name="driver_occupational" required list="driver-occupational" value=(v("driver_occupational"));
                        }
                        div {
                            label for="d-dl" { "Driver's license number" }
                            input type="text" id="d-dl" name="driver_license" required list="driver-licenses" value=(v("driver_license"));
                        }
                    }
                    (datalist("driver-names", &values(&drivers, "Name")))
                    (datalist("driver-occupational", &values(&drivers, "EmployeeId")))
                    (datalist("driver-licenses", &values(&drivers, "DriversLicenseNumber")))
                    div.row.fields {
                        div {
                            label for="d-make" { "Vehicle make" }
                            input type="text" id="d-make" name="vehicle_make" required list="vehicle-makes" value=(v("vehicle_make"));
                        }
                        div {
                            label for="d-model" { "Vehicle model" }
                            input type="text" id="d-model" name="vehicle_model" required list="vehicle-models" value=(v("vehicle_model"));
                        }
                        div {
                            label for="d-plate" { "License plate" }
                            input type="text" id="d-plate" name="vehicle_plate" required list="vehicle-plates" autocapitalize="characters" value=(v("vehicle_plate"));
                        }
                    }
                    (datalist("vehicle-makes", &values(&vehicles, "Make")))
                    (datalist("vehicle-models", &values(&vehicles, "Model")))
                    (datalist("vehicle-plates", &values(&vehicles, "LicensePlateNumber")))
                    div.row.fields {
                        div {
                            label for="d-departure" { "Estimated departure" }
                            input type="datetime-local" id="d-departure" name="departure" required step="1" value=(v("departure"));
                        }
                        div {
                            label for="d-arrival" { "Estimated arrival" }
                            input type="datetime-local" id="d-arrival" name="arrival" required step="1" value=(v("arrival"));
                        }
                    }
                    p.hint { "In the facility's local time (" (s.options.zone.0.name()) ")." }
                    label for="d-phone" { "Phone number for questions (optional)" }
                    input type="text" id="d-phone" name="phone" inputmode="tel" autocomplete="tel" value=(v("phone"));
                }
                Kind::ReceiveDelivery => {
                    @if let Some((id, d)) = chosen {
                        input type="hidden" name="delivery" value=(id);
                        input type="hidden" name="manifest" value=(d.manifest_number);
                        input type="hidden" name="shipper" value=(d.shipper_license);
                        dl.facts.receipt {
                            dt { "Manifest" } dd.mono { (d.manifest_number) }
                            dt { "From" } dd.mono { (d.shipper_license) }
                        }
                        p.hint { "A delivery is received whole: accept or reject every package. An accepted package is received at the quantity shipped unless you give the quantity received; a rejected one needs a reason." }
                        @for (i, (label, p)) in d.packages.iter().filter(|(_, p)| p.state == "Shipped").enumerate() {
                            @let at = refilled_line(refill, label);
                            @let typed = |name: &str| at.map(|j| v(&format!("{name}{j}"))).unwrap_or_default();
                            @let rejected = typed("accept") == "no";
                            fieldset.receipt-line {
                                legend { "Package " span.mono { (label) } }
                                input type="hidden" name={ "label" (i) } value=(label);
                                p.shipped { "Shipped: " (p.shipped_quantity.normalize()) " " (p.unit) }
                                div.decide {
                                    label.choice { input type="radio" name={ "accept" (i) } value="yes" checked[!rejected]; "Accept" }
                                    label.choice { input type="radio" name={ "accept" (i) } value="no" checked[rejected]; "Reject" }
                                }
                                div.row.fields {
                                    div {
                                        label for={ "d-qty" (i) } { "Quantity received (" (p.unit) ")" }
                                        input type="text" id={ "d-qty" (i) } name={ "quantity" (i) } inputmode="decimal" placeholder=(p.shipped_quantity.normalize()) value=(typed("quantity"));
                                    }
                                    div {
                                        label for={ "d-why" (i) } { "Reason, if rejected" }
                                        input type="text" id={ "d-why" (i) } name={ "reason" (i) } maxlength="300" value=(typed("reason"));
                                    }
                                }
                            }
                        }
                    }
                }
                Kind::CreatePackages => {
                    label for="d-tag" { "New package's tag" }
                    input type="text" id="d-tag" name="tag" required autocapitalize="characters" value=(v("tag"));
                    label for="d-item" { "Item" }
                    input type="text" id="d-item" name="item" required list="items" value=(v("item"));
                    (datalist("items", &values(&items, "Name")))
                    div.row.fields {
                        div {
                            label for="d-quantity" { "Quantity" }
                            input type="text" id="d-quantity" name="quantity" required inputmode="decimal" value=(v("quantity"));
                        }
                        div {
                            label for="d-unit" { "Unit" }
                            input type="text" id="d-unit" name="unit" required list="units" value=(v("unit"));
                        }
                    }
                    (datalist("units", &units))
                    label for="d-loc" { "Location (optional)" }
                    input type="text" id="d-loc" name="location" list="locations" value=(v("location"));
                    datalist #locations { @for n in &locations { option value=(n) {} } }
                    label for="d-note" { "Note (optional)" }
                    input type="text" id="d-note" name="note" maxlength="1000" value=(v("note"));
                    h2 { "Made from" }
                    p.hint { "The packages it is made from and how much is taken from each: at least one." }
                    @for i in 0..INGREDIENT_ROWS {
                        fieldset.ingredient {
                            legend { "Ingredient " (i + 1) @if i > 0 { " (optional)" } }
                            div.row.fields {
                                div {
                                    label for={ "d-ing" (i) } { "Package tag" }
                                    input type="text" id={ "d-ing" (i) } name={ "ing_package" (i) } list="packages" autocapitalize="characters" required[i == 0] value=(v(&format!("ing_package{i}")));
                                }
                                div {
                                    label for={ "d-ingq" (i) } { "Quantity taken" }
                                    input type="text" id={ "d-ingq" (i) } name={ "ing_quantity" (i) } inputmode="decimal" required[i == 0] value=(v(&format!("ing_quantity{i}")));
                                }
                                div {
                                    label for={ "d-ingu" (i) } { "Unit" }
                                    input type="text" id={ "d-ingu" (i) } name={ "ing_unit" (i) } list="units" required[i == 0] value=(v(&format!("ing_unit{i}")));
                                }
                            }
                        }
                    }
                    datalist #packages { @for p in &packages { option value=(p) {} } }
                }
            }
            @if matches!(kind, Kind::MovePackages | Kind::FinishPackages | Kind::OutgoingTransferTemplate | Kind::RegisterManifest) && !packages.is_empty() {
                details {
                    summary { "Packages of this license at the last sync (" (packages.len()) ")" }
                    p.mono.hint { (packages.join(" ")) }
                }
            }
            div.buttons {
                button.act type="submit" { "Save draft" }
                (acting_for(&l.lic))
            }
        }
        @if *kind == Kind::ReceiveDelivery {
            p { a href={ (l.url("/outbox/new")) "?kind=receive" } { "Choose another delivery" } }
        }
    };
    Ok(l.page(
        status,
        "/outbox",
        &format!("New submission · {}", l.lic.name),
        body,
    ))
}

pub async fn new_form(
    State(s): State<AppState>,
    l: Lic,
    Query(q): Query<KindQuery>,
) -> Result<Response> {
    draft_page(
        &s,
        &l,
        q.kind.as_deref().unwrap_or(""),
        q.delivery.as_deref().and_then(|d| d.trim().parse().ok()),
        StatusCode::OK,
        None,
    )
    .await
}

pub async fn create(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let slug = fields.get("kind").to_string();
    let Some((_, kind, _)) = form_of(&slug) else {
        return Err(Fail::not_found());
    };
    let delivery = fields.get("delivery").trim().parse::<i64>().ok();
    let incoming = if *kind == Kind::ReceiveDelivery {
        s.wb.incoming_deliveries(&l.lic).await?
    } else {
        BTreeMap::new()
    };
    let intent = match intent_of(*kind, &fields, &incoming) {
        Ok(i) => i,
        Err(m) => {
            let r = Refill::new("draft", &fields, m);
            return draft_page(&s, &l, &slug, delivery, StatusCode::BAD_REQUEST, Some(&r)).await;
        }
    };
    match s
        .wb
        .draft(
            &l.signed.caller,
            Door::Web,
            &l.lic,
            fields.get("title"),
            fields.get("reason"),
            intent,
        )
        .await
    {
        Ok(id) => {
            let sub = s.wb.submission(&l.lic, id).await?;
            let m = if sub.preflight.is_empty() {
                format!(
                    "Draft #{id} saved. Preflight found nothing that would fail; send it to review when ready."
                )
            } else {
                format!(
                    "Draft #{id} saved. Preflight found {} problem(s): fix them before it can go to review.",
                    sub.preflight.len()
                )
            };
            Ok(l.done(&s, &l.url(&format!("/outbox/{id}")), &m).await)
        }
        Err(e) => {
            let f = Fail::from(e);
            if f.status == StatusCode::NOT_FOUND || f.status.is_server_error() {
                return Err(f);
            }
            let r = Refill::new("draft", &fields, f.message.clone());
            draft_page(&s, &l, &slug, delivery, f.status, Some(&r)).await
        }
    }
}

// ----- one submission -----

fn problems(list: &[Problem]) -> Markup {
    html! {
        ul.problems {
            @for p in list {
                li {
                    @match p.row { Some(r) => { strong { "Row " (r + 1) ": " } } None => { strong { "Whole submission: " } } }
                    (p.message)
                }
            }
        }
    }
}

/// What Metrc said in a refusal, row by row (its two error shapes: a list of `{row, message}`,
/// or one `{Message}`), in words; nothing when the answer is neither.
fn metrc_messages(body: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return vec![];
    };
    let message = |o: &Value| {
        o.get("message")
            .or_else(|| o.get("Message"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    match &v {
        Value::Array(rows) => rows
            .iter()
            .filter_map(|r| {
                let m = message(r)?;
                Some(
                    match r
                        .get("row")
                        .or_else(|| r.get("Row"))
                        .and_then(Value::as_u64)
                    {
                        Some(n) => format!("Row {}: {m}", n + 1),
                        None => m,
                    },
                )
            })
            .collect(),
        other => message(other).into_iter().collect(),
    }
}

/// The intent as a table a person reads, rows numbered as preflight names them.
fn intent_table(intent: &Intent, problems: &[Problem]) -> Markup {
    let title = "What it asks Metrc to do";
    let bad: BTreeSet<usize> = problems.iter().filter_map(|p| p.row).collect();
    let mark = |i: usize| if bad.contains(&i) { "bad-row" } else { "" };
    let table = match intent {
        Intent::CreateStrains(names) => html! {
            table { thead { tr { th.row { "Row" } th { "New strain" } } }
                tbody { @for (i, n) in names.iter().enumerate() { tr class=(mark(i)) { td.row { (i + 1) } td { (n) } } } } }
        },
        Intent::CreateLocations(list) => html! {
            table { thead { tr { th.row { "Row" } th { "New location" } th { "Type" } } }
                tbody { @for (i, x) in list.iter().enumerate() { tr class=(mark(i)) { td.row { (i + 1) } td { (x.name) } td { (x.location_type) } } } } }
        },
        Intent::MovePackages(list) => html! {
            table { thead { tr { th.row { "Row" } th { "Package" } th { "Moves to" } } }
                tbody { @for (i, m) in list.iter().enumerate() { tr class=(mark(i)) { td.row { (i + 1) } td.mono { (m.label) } td { (m.location) } } } } }
        },
        Intent::FinishPackages(list) => html! {
            table { thead { tr { th.row { "Row" } th { "Package to finish" } } }
                tbody { @for (i, p) in list.iter().enumerate() { tr class=(mark(i)) { td.row { (i + 1) } td.mono { (p) } } } } }
        },
        Intent::OutgoingTransfer(t) => html! {
            dl.facts {
                dt { "Template" } dd { (t.name) }
                dt { "Recipient" } dd.mono { (t.recipient_license) }
                dt { "Recipient is a retailer" } dd { @if t.recipient_is_retailer { "yes" } @else { "no" } }
                dt { "Transfer type" } dd { (t.transfer_type) }
            }
            table { thead { tr { th.row { "#" } th { "Package on the transfer" } } }
                tbody { @for (i, p) in t.packages.iter().enumerate() { tr { td.row { (i + 1) } td.mono { (p) } } } } }
        },
        Intent::RegisterManifest(m) => {
            let (t, x) = (&m.transfer, &m.transport);
            // Preflight names a manifest's packages in its messages (all of row 1).
            let named = |label: &str| {
                problems
                    .iter()
                    .any(|p| p.row == Some(0) && p.message.contains(label))
            };
            let transport: [(&str, &str, bool); 10] = [
                ("Transporter license", &x.transporter_license, true),
                ("Driver's name", &x.driver_name, true),
                (
                    "Driver's occupational license",
                    &x.driver_occupational_license,
                    true,
                ),
                ("Driver's license number", &x.driver_license, true),
                ("Vehicle make", &x.vehicle_make, true),
                ("Vehicle model", &x.vehicle_model, true),
                ("License plate", &x.vehicle_plate, true),
                ("Estimated departure", &x.estimated_departure, true),
                ("Estimated arrival", &x.estimated_arrival, true),
                ("Phone for questions", &x.phone_for_questions, false),
            ];
            return html! {
                div class={ "card manifest" @if bad.contains(&0) { " bad" } } {
                    h3 { "Row 1: the manifest" }
                    dl.facts {
                        dt { "Reference name" } dd { (t.name) }
                        dt { "Recipient" } dd.mono { (t.recipient_license) }
                        dt { "Recipient is a retailer" } dd { @if t.recipient_is_retailer { "yes" } @else { "no" } }
                        dt { "Transfer type" } dd { (t.transfer_type) }
                        @for (name, value, needed) in transport {
                            dt { (name) }
                            @if value.trim().is_empty() {
                                @if needed { dd.missing { "missing" } } @else { dd.muted { "not given" } }
                            } @else if name.starts_with("Estimated") {
                                dd { (value.replacen('T', " ", 1)) }
                            } @else {
                                dd { (value) }
                            }
                        }
                    }
                }
                (wide("Packages on the manifest", html! {
                    table { thead { tr { th.row { "#" } th { "Package on the manifest" } } }
                        tbody { @for (i, p) in t.packages.iter().enumerate() {
                            tr class=(if named(p) { "bad-row" } else { "" }) { td.row { (i + 1) } td.mono { (p) } }
                        } } }
                }))
            };
        }
        Intent::ReceiveDelivery(r) => {
            return html! {
                dl.facts.receipt {
                    dt { "Manifest" } dd.mono { (r.manifest_number) }
                    dt { "From" } dd.mono { (r.shipper_license) }
                }
                (wide(title, html! {
                    table.cards { thead { tr { th.row { "Row" } th { "Package" } th { "Decision" } th { "Quantity received" } th { "Reason" } } }
                        tbody { @for (i, x) in r.lines.iter().enumerate() { tr class=(mark(i)) {
                            td.row data-label="Row" { (i + 1) } td.mono data-label="Package" { (x.label) }
                            td data-label="Decision" { @if x.accept { "Accept" } @else { strong { "Reject" } } }
                            td data-label="Received" { @if !x.accept { "" } @else if let Some(q) = x.received_quantity { (q.normalize()) } @else { span.muted { "as shipped" } } }
                            td data-label="Reason" { (x.reason.as_deref().unwrap_or("")) }
                        } } } }
                }))
            };
        }
        Intent::CreatePackages(list) => html! {
            table { thead { tr { th.row { "Row" } th { "New tag" } th { "Item" } th { "Quantity" } th { "Location" } th { "From" } } }
                tbody { @for (i, p) in list.iter().enumerate() { tr class=(mark(i)) {
                    td.row { (i + 1) } td.mono { (p.tag) } td { (p.item) } td { (p.quantity.normalize()) " " (p.unit) }
                    td { (p.location.as_deref().unwrap_or("")) }
                    td { @for ing in &p.ingredients { div { span.mono { (ing.package) } " " (ing.quantity.normalize()) " " (ing.unit) } } }
                } } } }
        },
    };
    wide(title, table)
}

/// The steps this person could take on the submission now (the model's rule; approving also
/// needs the code, asked for on the form).
fn offered(l: &Lic, sub: &Submission) -> Vec<Step> {
    if l.signed.caller.installation_admin {
        return vec![];
    }
    let actor = Actor::Person {
        user_id: l.signed.caller.user_id,
        roles: l.lic.roles.clone(),
        second_factor: true,
    };
    // Preflight runs again on the way to review, so the button is offered and the rule decides.
    let facts = Facts {
        author_id: sub.author_id,
        preflight_passed: true,
    };
    [
        Step::SendToReview,
        Step::Approve,
        Step::SendBack,
        Step::Submit,
        Step::Withdraw,
    ]
    .into_iter()
    .filter(|st| submission::decide(sub.state, *st, &actor, facts).is_ok())
    .collect()
}

fn step_slug(st: Step) -> &'static str {
    match st {
        Step::SendToReview => "send_to_review",
        Step::Approve => "approve",
        Step::SendBack => "send_back",
        Step::Withdraw => "withdraw",
        Step::Submit => "submit",
        Step::Accept => "accept",
        Step::Reject => "reject",
    }
}

fn step_of(slug: &str) -> Option<Step> {
    [
        Step::SendToReview,
        Step::Approve,
        Step::SendBack,
        Step::Withdraw,
        Step::Submit,
    ]
    .into_iter()
    .find(|s| step_slug(*s) == slug)
}

/// Who ticked a checklist step, and when.
fn ticked(zone: &tagtrail_web::Zone, t: &Tick) -> Markup {
    html! { span.ticked { "✓ Done: ticked by " (t.by) ", " (when_text(zone, &t.at)) } }
}

/// The submit step's label, hint and consequence: a manual task becomes a task to do in
/// Metrc's web UI; anything else is sent now.
fn submit_words(manual: bool, id: i64, l: &Lic) -> (&'static str, &'static str, String) {
    if manual {
        (
            "Submit as a task",
            "Metrc's API cannot do this step: once submitted it becomes a task on this page, a checklist to work through in Metrc's web UI. The next sync that shows it done accepts it.",
            format!(
                "Submission #{id} becomes a task to do in Metrc's web UI for {} ({}).",
                l.lic.name, l.lic.number
            ),
        )
    } else {
        (
            "Submit to Metrc",
            "Sent once now; if Metrc does not answer, the outbox tries again, first checking whether it was applied.",
            format!(
                "Submission #{id} is sent to Metrc for {} ({}) now.",
                l.lic.name, l.lic.number
            ),
        )
    }
}

async fn detail_page(
    s: &AppState,
    l: &Lic,
    id: i64,
    status: StatusCode,
    refill: Option<&Refill>,
) -> Result<Response> {
    let sub = s.wb.submission(&l.lic, id).await?;
    let zone = &s.options.zone;
    let history: Vec<_> =
        s.wb.audit_log(&l.signed.caller, Some(&l.lic), 5000)
            .await?
            .into_iter()
            .filter(|e| e.entry.reason.starts_with(&format!("#{id} ")))
            .collect();
    let steps = offered(l, &sub);
    let ledger = s.wb.ledger_extensions(l.lic.company_id).await?;
    let manual = sub.kind.manual_in_metrc() && !ledger;
    // A manual task's checklist, while it waits to be done in Metrc's web UI.
    let task = if manual && sub.state == SubState::Submitted {
        manifests::checklist(&l.lic, &sub.intent)
    } else {
        vec![]
    };
    let may_tick = l.lic.allows(Duty::Submit) && !l.signed.caller.installation_admin;
    let (submit_label, submit_hint, submit_what) = submit_words(manual, id, l);
    let action = l.url(&format!("/outbox/{id}/step"));
    let v = |name: &str| Refill::value(refill, "step", name);
    let for_step = |st: Step| {
        refill
            .filter(|r| r.fields.get("step") == step_slug(st))
            .map(|r| r.error.as_str())
    };
    let approver = l.lic.allows(Duty::Approve) && !l.signed.caller.installation_admin;
    let body = html! {
        h1 { "#" (sub.id) " " (sub.title) }
        p {
            (state_badge(sub.state))
            @if !task.is_empty() { " " span.badge.hold { "To do in Metrc's web UI" } }
            " " (sub.kind.label()) ", " (sub.intent.rows()) " row" @if sub.intent.rows() != 1 { "s" }
        }
        // A refusal of a step this page offers is shown at its form; any other at the top.
        (refusal(refill.filter(|r| if r.form == "tick" { task.is_empty() } else { step_of(r.fields.get("step")).is_none_or(|st| !steps.contains(&st)) }).map(|r| r.error.as_str())))
        @if steps.is_empty() {
            p.muted #actions {
                @if sub.state == SubState::Review && sub.author_id == l.signed.caller.user_id && approver {
                    "You wrote this submission; another person must review and approve it."
                } @else if sub.state.is_final() {
                    "This submission is " (lower_first(sub.state.label())) "; nothing more happens to it."
                } @else if sub.state == SubState::Submitted && manual {
                    "It is a task to do in Metrc's web UI: Metrc's API has no way of doing it. The next sync that shows it done in Metrc accepts it."
                } @else if sub.state == SubState::Submitted {
                    "It is with Metrc. The outbox keeps trying until Metrc answers, checking first whether an earlier try was applied."
                } @else {
                    "Your role in this license allows no step at this stage."
                }
            }
        } @else {
            div.card #actions {
                h2 { "What you can do" }
                (acting_line(&l.lic))
                @if sub.state == SubState::Review && sub.author_id == l.signed.caller.user_id && approver {
                    p.hint { "You wrote this submission, so you cannot approve it; another person must." }
                }
                div.steps {
                    @for st in &steps {
                        @match st {
                            Step::SendToReview => {
                                form.step.stack method="post" action=(action) {
                                    (csrf_field(&l.signed.csrf))
                                    input type="hidden" name="step" value="send_to_review";
                                    h3 { "Send to review" }
                                    (refusal(for_step(*st)))
                                    p.hint { "Preflight runs again first; it must find nothing that would fail. Then another person reviews it." }
                                    div.buttons { button.act type="submit" { "Send to review" } }
                                }
                            }
                            Step::Approve => {
                                form.step.stack method="post" action=(action) autocomplete="off" {
                                    (csrf_field(&l.signed.csrf))
                                    input type="hidden" name="step" value="approve";
                                    h3 { "Approve" }
                                    (refusal(for_step(*st)))
                                    label for="approve-code" { "Your 6-digit code" }
                                    input type="text" id="approve-code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required autocomplete="one-time-code" aria-describedby="approve-hint";
                                    p.hint #approve-hint { "Approving needs your second factor: the code from your authenticator app." }
                                    label for="approve-note" { "Note (optional)" }
                                    input type="text" id="approve-note" name="note" maxlength="1000" value=(if for_step(*st).is_some() { v("note") } else { String::new() });
                                    div.buttons { button.act type="submit" { "Approve" } }
                                }
                            }
                            Step::SendBack => {
                                form.step.stack method="post" action=(action) {
                                    (csrf_field(&l.signed.csrf))
                                    input type="hidden" name="step" value="send_back";
                                    h3 { "Send back to draft" }
                                    (refusal(for_step(*st)))
                                    label for="back-note" { "What to change" }
                                    input type="text" id="back-note" name="note" maxlength="1000" value=(if for_step(*st).is_some() { v("note") } else { String::new() });
                                    div.buttons { button.act type="submit" { "Send back" } }
                                }
                            }
                            Step::Submit => {
                                form.step method="post" action=(action) {
                                    (csrf_field(&l.signed.csrf))
                                    input type="hidden" name="step" value="submit";
                                    h3 { (submit_label) }
                                    (refusal(for_step(*st)))
                                    p.hint { (submit_hint) }
                                    (confirm::button(submit_label, &submit_what))
                                }
                            }
                            Step::Withdraw => {
                                form.step method="post" action=(action) {
                                    (csrf_field(&l.signed.csrf))
                                    input type="hidden" name="step" value="withdraw";
                                    h3 { "Withdraw" }
                                    (refusal(for_step(*st)))
                                    p.hint { "It is never sent, and stays in the outbox as withdrawn." }
                                    (confirm::button("Withdraw", &format!("Submission #{} is withdrawn and never sent.", sub.id)))
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        @if !task.is_empty() {
            section.card.task #task aria-labelledby="task-h" {
                h2 #task-h { "A task to do in Metrc's web UI" }
                p { "Metrc's API has no way of " (if sub.kind == Kind::ReceiveDelivery { "receiving a delivery" } else { "registering a manifest" }) ", so a person does it in Metrc's web UI. Work through these steps there and tick each one as it is done; every tick is recorded in the audit log." }
                (refusal(Refill::error(refill, "tick")))
                @let next = (0..task.len()).find(|i| !sub.ticks.iter().any(|t| t.step == *i));
                ol.checklist {
                    @for (i, words) in task.iter().enumerate() {
                        @let done = sub.ticks.iter().find(|t| t.step == i);
                        li class=@if done.is_some() { "done" } {
                            span.words { (words) }
                            @if let Some(t) = done { (ticked(zone, t)) }
                            @if may_tick {
                                form.tick method="post" action=(l.url(&format!("/outbox/{id}/tick"))) {
                                    (csrf_field(&l.signed.csrf))
                                    input type="hidden" name="step" value=(i);
                                    @if done.is_some() {
                                        input type="hidden" name="done" value="no";
                                        button type="submit" { "Untick step " (i + 1) }
                                    } @else {
                                        input type="hidden" name="done" value="yes";
                                        button class=@if next == Some(i) { "act" } type="submit" { "Tick step " (i + 1) " as done" }
                                    }
                                }
                            }
                        }
                    }
                }
                p { strong { "Ticking the steps accepts nothing." } " The task is accepted when the next sync shows it done in Metrc's records. "
                    a href=(l.url("/sync")) { "Sync runs" } " shows the syncs of " (l.lic.name) " and lets you start one." }
                @if !may_tick {
                    p.muted { "Your role in this license does not allow doing the task." }
                }
            }
        }
        h2 { "Preflight" }
        @if sub.preflight.is_empty() {
            p { "Preflight found nothing that would fail." }
        } @else {
            div.banner.failed role="status" {
                strong { (sub.preflight.len()) " problem" @if sub.preflight.len() != 1 { "s" } " Metrc or the workbench would refuse:" }
                (problems(&sub.preflight))
            }
        }
        h2 { "What it asks Metrc to do" }
        (intent_table(&sub.intent, &sub.preflight))
        h2 { "Details" }
        div.card {
            dl.facts {
                dt { "Why" } dd { (sub.reason) }
                dt { "Author" } dd { (sub.author) }
                dt { "Drafted" } dd { (when(zone, sub.created_at)) }
                dt { "Last change" } dd { (when(zone, sub.updated_at)) }
                @if let Some(a) = &sub.approved_by { dt { "Approved by" } dd { (a) } }
                @if sub.attempts > 0 { dt { "Attempts to send" } dd { (sub.attempts) } }
                @if let Some(e) = &sub.last_error { dt { "Last note from the outbox" } dd { (e) } }
            }
        }
        @if sub.response_status.is_some() || sub.response_sha256.is_some() {
            h2 { "Metrc's answer" }
            div.card {
                dl.facts {
                    dt { "Status" } dd { (sub.response_status.map(|s| s.to_string()).unwrap_or_else(|| "none (found applied by reading back)".into())) }
                    @if let Some(h) = &sub.response_sha256 { dt { "SHA-256 of the answer" } dd.mono { (h) } }
                }
                @let said = metrc_messages(sub.response_body.as_deref().unwrap_or(""));
                @if sub.state == SubState::Rejected && !said.is_empty() {
                    ul.problems { @for m in &said { li { (m) } } }
                }
                @if let Some(b) = sub.response_body.as_deref().filter(|b| !b.is_empty()) {
                    details open[sub.state == SubState::Rejected] {
                        summary { "The answer as Metrc sent it" }
                        pre { (b.chars().take(20_000).collect::<String>()) }
                    }
                }
            }
        }
        h2 { "History" }
        @if history.is_empty() { p.muted { "Nothing recorded." } }
        @else {
            ol.history {
                @for e in history.iter().rev() {
                    li {
                        (when_text(zone, &e.entry.at)) " · " strong { (e.entry.action) }
                        " by " (e.user.as_deref().unwrap_or(match e.entry.door.as_str() { "outbox" => "the outbox", "sync" => "the sync", _ => "the workbench" }))
                        br;
                        span.muted { (e.entry.reason) }
                        @if let Some(h) = &e.entry.response_sha256 { br; "Answer " (short_hash(h)) }
                    }
                }
            }
        }
        p { a href=(l.url("/outbox")) { "Back to the outbox" } }
    };
    Ok(l.page(
        status,
        "/outbox",
        &format!("#{} {} · {}", sub.id, sub.title, l.lic.name),
        body,
    ))
}

pub async fn detail(State(s): State<AppState>, l: Lic) -> Result<Response> {
    let id = l.id()?;
    detail_page(&s, &l, id, StatusCode::OK, None).await
}

/// What delivering once did, in words.
fn delivery_words(id: i64, manual: bool, d: std::result::Result<Delivery, WbError>) -> String {
    match d {
        Ok(Delivery::NotMine) if manual => format!(
            "Submitted. #{id} is now a task: work through the checklist in Metrc's web UI; the next sync that shows it done accepts it."
        ),
        Ok(Delivery::Accepted) => format!("Submitted. Metrc accepted #{id}."),
        Ok(Delivery::Rejected) => format!("Submitted. Metrc rejected #{id}: its answer is below."),
        Ok(Delivery::Pending(why)) => format!(
            "Submitted, but Metrc did not answer yet ({why}). The outbox tries again in the background, first checking whether Metrc applied it."
        ),
        Ok(Delivery::NotMine) => format!("Submitted. The outbox is sending #{id}."),
        Err(e) => {
            format!("Submitted, but sending failed: {e}. The outbox tries again in the background.")
        }
    }
}

pub async fn step(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let id = l.id()?;
    let refuse = |status: StatusCode, m: String| {
        let (s, l, fields) = (&s, &l, &fields);
        async move {
            let r = Refill::new("step", fields, m);
            detail_page(s, l, id, status, Some(&r)).await
        }
    };
    let Some(step) = step_of(fields.get("step")) else {
        return refuse(StatusCode::BAD_REQUEST, "Choose a step.".into()).await;
    };
    // Submitting a manual task makes it a task in Metrc's web UI rather than sending it.
    let manual = if step == Step::Submit {
        let sub = s.wb.submission(&l.lic, id).await?;
        sub.kind.manual_in_metrc() && !s.wb.ledger_extensions(l.lic.company_id).await?
    } else {
        false
    };
    let mut caller = l.signed.caller.clone();
    if step == Step::Approve {
        let code = fields.get("code").trim();
        if code.is_empty() {
            return refuse(
                StatusCode::BAD_REQUEST,
                "Enter the 6-digit code from your authenticator app: approving needs your second factor.".into(),
            )
            .await;
        }
        if let Err(e) =
            s.wb.confirm_second_factor(l.signed.token(), &caller, code)
                .await
        {
            let f = Fail::from(e);
            return refuse(f.status, f.message).await;
        }
        // The session now holds the confirmation; the step reads it from the caller.
        match s.wb.session(l.signed.token()).await? {
            Some((fresh, _)) => caller = fresh,
            None => {
                return Err(Fail::new(
                    StatusCode::UNAUTHORIZED,
                    "Your session ended; sign in again.",
                ));
            }
        }
    }
    if matches!(step, Step::Submit | Step::Withdraw) && !confirm::confirmed(&fields) {
        let (label, what) = match step {
            Step::Submit => {
                let (label, _, what) = submit_words(manual, id, &l);
                (label, what)
            }
            _ => (
                "Withdraw",
                format!("Submission #{id} is withdrawn and never sent."),
            ),
        };
        return Ok(confirm::ask(
            &l,
            "/outbox",
            &fields,
            &l.url(&format!("/outbox/{id}/step")),
            label,
            &what,
            &l.url(&format!("/outbox/{id}")),
        ));
    }
    let to = match s
        .wb
        .step(&caller, Door::Web, &l.lic, id, step, fields.get("note"))
        .await
    {
        Ok(to) => to,
        Err(e) => {
            let f = Fail::from(e);
            if f.status == StatusCode::NOT_FOUND || f.status.is_server_error() {
                return Err(f);
            }
            return refuse(f.status, f.message).await;
        }
    };
    let message = if step == Step::Submit {
        // Once, now, so the person sees how it ended; the background worker retries.
        delivery_words(id, manual, s.wb.deliver(&l.lic, id).await)
    } else {
        format!("#{id} is now {}.", lower_first(to.label()))
    };
    Ok(l.done(&s, &l.url(&format!("/outbox/{id}")), &message).await)
}

/// Ticks (or unticks) one step of a manual task's checklist.
pub async fn tick(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let id = l.id()?;
    let refuse = |status: StatusCode, m: String| {
        let (s, l, fields) = (&s, &l, &fields);
        async move {
            let r = Refill::new("tick", fields, m);
            detail_page(s, l, id, status, Some(&r)).await
        }
    };
    let Ok(step) = fields.get("step").trim().parse::<usize>() else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "Choose a step of the checklist.".into(),
        )
        .await;
    };
    let done = fields.get("done") == "yes";
    match s
        .wb
        .tick(&l.signed.caller, Door::Web, &l.lic, id, step, done)
        .await
    {
        Ok(()) => {
            let m = if done {
                format!("Step {} of #{id} ticked as done.", step + 1)
            } else {
                format!("Step {} of #{id} unticked.", step + 1)
            };
            Ok(l.done(&s, &l.url(&format!("/outbox/{id}#task")), &m).await)
        }
        Err(e) => {
            let f = Fail::from(e);
            if f.status == StatusCode::NOT_FOUND || f.status.is_server_error() {
                return Err(f);
            }
            refuse(f.status, f.message).await
        }
    }
}
