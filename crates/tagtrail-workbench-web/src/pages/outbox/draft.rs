//! Drafting a submission: the forms per kind, what each form describes as an intent, and the
//! suggestions from the last sync.

use super::super::Lic;
use crate::AppState;
use crate::error::{Fail, Result};
use crate::form::{Fields, Refill};
use crate::page::{acting_for, csrf_field, refusal, wide};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::manifest::{
    IncomingDelivery, ManifestDraft, Receipt, ReceiptLine, Rejected, TakeBack, Transport,
};
use tagtrail_workbench::model::preflight::{
    Ingredient, Intent, Move, NewLocation, NewPackage, TransferDraft,
};
use tagtrail_workbench::model::role::Duty;
use tagtrail_workbench::model::submission::Kind;
use tagtrail_workbench::people::LicenseCtx;

/// The draft forms: the address's `kind`, the kind, and what the form asks for.
pub(super) const FORMS: &[(&str, Kind, &str)] = &[
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
        "takeback",
        Kind::TakeBackRejected,
        "Packages a recipient rejected, received back into this license's inventory.",
    ),
    (
        "destroy",
        Kind::DestroyPackages,
        "Packages destroyed whole as unusable waste: how, who witnessed it, and why.",
    ),
    (
        "create",
        Kind::CreatePackages,
        "A new package made from existing packages (its ingredients).",
    ),
    (
        "sample",
        Kind::CreateTestingSamples,
        "A testing sample for a laboratory: a new package taken from its lot.",
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

// ----- drafting -----

#[derive(serde::Deserialize, Default)]
pub struct KindQuery {
    kind: Option<String>,
    /// The incoming delivery to receive (the receive form).
    delivery: Option<String>,
    /// Packages to start a destruction with (from a take-back or a lot rejected to
    /// destruction), and why.
    labels: Option<String>,
    why: Option<String>,
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

/// Rejected packages still waiting to be taken back, by delivery.
fn waiting_returns(rejected: &BTreeMap<String, Rejected>) -> BTreeMap<i64, Vec<(&str, &Rejected)>> {
    let mut out: BTreeMap<i64, Vec<(&str, &Rejected)>> = BTreeMap::new();
    for (label, r) in rejected.iter().filter(|(_, r)| r.state == "Rejected") {
        out.entry(r.delivery_id)
            .or_default()
            .push((label.as_str(), r));
    }
    out
}

/// The take-back of every package rejected on one delivery, as the last sync saw them.
fn take_back_of(rejected: &BTreeMap<String, Rejected>, delivery: Option<i64>) -> Option<Intent> {
    let waiting = waiting_returns(rejected);
    let lines = waiting.get(&delivery?)?;
    let first = lines.first()?.1;
    Some(Intent::TakeBack(TakeBack {
        transfer_id: first.transfer_id,
        delivery_id: first.delivery_id,
        manifest_number: first.manifest_number.clone(),
        recipient_license: first.recipient_license.clone(),
        labels: lines.iter().map(|(l, _)| l.to_string()).collect(),
    }))
}

/// Wholesale prices typed one per line: a package tag, then a price.
fn prices(text: &str) -> std::result::Result<BTreeMap<String, Decimal>, String> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut parts = line
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty());
        let (Some(tag), Some(price), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!(
                "Line {} of the wholesale prices: give a package tag and its price, nothing else.",
                i + 1
            ));
        };
        let price: Decimal = price.trim_start_matches('$').parse().map_err(|_| {
            format!(
                "Line {} of the wholesale prices: {price} is not a price.",
                i + 1
            )
        })?;
        out.insert(tag.to_ascii_uppercase(), price);
    }
    Ok(out)
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
        // Built from the last sync's rejected packages: see `create`.
        Kind::TakeBackRejected => {
            return Err("Choose the manifest whose rejected packages came back.".into());
        }
        // Built by the application from the last sync (each package's whole quantity): see
        // `create`.
        Kind::DestroyPackages => {
            need(labels(f.get("labels")), "package")?;
            return Err("The packages to destroy could not be read from the last sync.".into());
        }
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
                wholesale_prices: prices(f.get("prices"))?,
            })
        }
        Kind::CreatePackages | Kind::CreateTestingSamples => {
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
            let made = vec![NewPackage {
                tag,
                item,
                quantity: quantity(f.get("quantity"), "new package's quantity")?,
                unit,
                location: optional(f.get("location")),
                note: optional(f.get("note")),
                ingredients,
            }];
            if kind == Kind::CreateTestingSamples {
                Intent::CreateTestingSamples(made)
            } else {
                Intent::CreatePackages(made)
            }
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
                    wholesale_prices: prices(f.get("prices"))?,
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
                // The receiving checklist: a count if one was taken, and the two checks the
                // form asks of every package (ticked when something is wrong).
                let counted = match f.get(&format!("counted{i}")).trim() {
                    "" => None,
                    c => Some(quantity(c, &format!("count on arrival of {label}"))?),
                };
                lines.push(ReceiptLine {
                    accept,
                    received_quantity,
                    reason: if accept {
                        None
                    } else {
                        optional(f.get(&format!("reason{i}")))
                    },
                    counted,
                    label_ok: Some(f.get(&format!("label_bad{i}")) != "yes"),
                    intact: Some(f.get(&format!("damaged{i}")) != "yes"),
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
    let rejected = if *kind == Kind::TakeBackRejected {
        s.wb.rejected_outgoing(&l.lic).await?
    } else {
        BTreeMap::new()
    };
    let returns = waiting_returns(&rejected);
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
        Kind::CreatePackages | Kind::CreateTestingSamples => {
            (vec![], vec![], s.wb.records(&l.lic, "item").await?)
        }
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
                Kind::TakeBackRejected => {
                    @if returns.is_empty() {
                        p { "No package of this license's manifests is rejected and waiting to be taken back at the last sync." }
                    } @else {
                        fieldset {
                            legend { "The manifest whose rejected packages came back" }
                            @for (id, lines) in &returns {
                                @let r = lines[0].1;
                                label.choice {
                                    input type="radio" name="delivery" value=(id) required checked[returns.len() == 1 || v("delivery") == id.to_string() || (refill.is_none() && delivery == Some(*id))];
                                    " Manifest " span.mono { (r.manifest_number) } ", rejected by " span.mono { (r.recipient_license) } ": "
                                    span.mono { (lines.iter().map(|(l, _)| *l).collect::<Vec<_>>().join(", ")) }
                                }
                            }
                        }
                        p.hint { "Every package rejected on the manifest comes back at once, into this license's active inventory (rule 45)." }
                    }
                }
                Kind::DestroyPackages => {
                    label for="d-labels" { "Package tags, one per line" }
                    textarea id="d-labels" name="labels" required autocapitalize="characters" { (v("labels")) }
                    p.hint { "Each is destroyed whole: all it holds at the last sync is recorded as unusable waste, and it can then be finished." }
                    label for="d-method" { "How it is made unusable" }
                    input type="text" id="d-method" name="method" required maxlength="300" list="destroy-methods" value=(v("method"));
                    datalist #destroy-methods { option value="Mixed 50:50 with kitty litter" {} option value="Mixed 50:50 with soil" {} option value="Ground and mixed with food waste" {} }
                    label for="d-witness" { "Witnessed by" }
                    input type="text" id="d-witness" name="witness" required maxlength="300" value=(v("witness"));
                    label for="d-why" { "Why it is destroyed" }
                    input type="text" id="d-why" name="why" required maxlength="300" value=(v("why"));
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
                    label for="d-prices" { "Wholesale prices (a wholesale manifest prices every package)" }
                    textarea id="d-prices" name="prices" autocapitalize="characters" aria-describedby="d-prices-hint" { (v("prices")) }
                    p.hint #d-prices-hint { "One package per line: its tag, then its price in dollars, e.g. 1A4000000000000000000101 12.50." }
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
                    label for="d-prices" { "Wholesale prices (a wholesale manifest prices every package)" }
                    textarea id="d-prices" name="prices" autocapitalize="characters" aria-describedby="d-prices-hint" { (v("prices")) }
                    p.hint #d-prices-hint { "One package per line: its tag, then its price in dollars, e.g. 1A4000000000000000000101 12.50." }
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
                        p.hint { "A delivery is received whole: accept or reject every package. Count or weigh each on arrival and check its label and seal: what you find is kept as evidence, and a package is accepted at what was counted (a variance from the manifest is reported to the state). A rejected package needs a reason." }
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
                                        label for={ "d-count" (i) } { "Counted on arrival (" (p.unit) ")" }
                                        input type="text" id={ "d-count" (i) } name={ "counted" (i) } inputmode="decimal" value=(typed("counted"));
                                    }
                                    div.checks {
                                        label.choice { input type="checkbox" name={ "label_bad" (i) } value="yes" checked[typed("label_bad") == "yes"]; "The label does not match the manifest" }
                                        label.choice { input type="checkbox" name={ "damaged" (i) } value="yes" checked[typed("damaged") == "yes"]; "Damaged or opened" }
                                    }
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
                Kind::CreatePackages | Kind::CreateTestingSamples => {
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
            @if matches!(kind, Kind::MovePackages | Kind::FinishPackages | Kind::DestroyPackages | Kind::OutgoingTransferTemplate | Kind::RegisterManifest) && !packages.is_empty() {
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
    let slug = q.kind.as_deref().unwrap_or("");
    // A destruction started from another page arrives with its packages and reason filled
    // in; the person still says how and who witnessed it, and reviews it like any other.
    let prefill = match (form_of(slug), q.labels.as_deref()) {
        (Some((_, Kind::DestroyPackages, _)), Some(labels)) if !labels.trim().is_empty() => {
            let labels = self::labels(labels);
            let why = q.why.unwrap_or_default();
            Some(Refill {
                form: "draft",
                fields: Fields(vec![
                    ("title".into(), format!("Destroy {}", labels.join(", "))),
                    ("labels".into(), labels.join("\n")),
                    ("why".into(), why.clone()),
                    ("reason".into(), why),
                ]),
                error: String::new(),
            })
        }
        _ => None,
    };
    draft_page(
        &s,
        &l,
        slug,
        q.delivery.as_deref().and_then(|d| d.trim().parse().ok()),
        StatusCode::OK,
        prefill.as_ref(),
    )
    .await
}

/// The address of a destruction draft of `labels`, started for `why`.
pub fn destruction_url(l: &Lic, labels: &[String], why: &str) -> String {
    let q = form_urlencoded::Serializer::new(String::new())
        .append_pair("kind", "destroy")
        .append_pair("labels", &labels.join(","))
        .append_pair("why", why)
        .finish();
    format!("{}?{q}", l.url("/outbox/new"))
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
    let destroyed = if *kind == Kind::DestroyPackages && !labels(fields.get("labels")).is_empty() {
        Some(
            s.wb.destruction_of(
                &l.lic,
                &labels(fields.get("labels")),
                fields.get("method"),
                fields.get("witness"),
                fields.get("why"),
            )
            .await?,
        )
    } else {
        None
    };
    let taken_back = if *kind == Kind::TakeBackRejected {
        take_back_of(&s.wb.rejected_outgoing(&l.lic).await?, delivery)
    } else {
        None
    };
    let intent = match destroyed
        .or(taken_back)
        .map(Ok)
        .unwrap_or_else(|| intent_of(*kind, &fields, &incoming))
    {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_one_package_per_line() {
        let p = prices("1a4000000000000000000101 12.50\n\n1A4000000000000000000102, $9\n").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p["1A4000000000000000000101"], Decimal::new(1250, 2));
        assert_eq!(p["1A4000000000000000000102"], Decimal::new(9, 0));
        assert!(
            prices("1A4000000000000000000101")
                .unwrap_err()
                .contains("Line 1")
        );
        assert!(prices("A 1\nB twelve").unwrap_err().contains("Line 2"));
        // The submission page shows a price in dollars and cents.
        assert_eq!(format!("{:.2}", Decimal::new(125, 1)), "12.50");
    }
}
