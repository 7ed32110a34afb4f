//! The cultivator's pages: plant batches (lots) and a lot's page, tagged plants by phase, and
//! harvests with the package-from-harvest screen, each leading to the next (`path_links`, and
//! each write answering on the page where its result is). Only a license that grows plants has them (any other answers
//! 404, as the sections are not offered there). Every form maps its fields to the request of the
//! action the matching Metrc endpoint runs, through the web door.

mod batches;
mod harvests;
mod plants;

use crate::error::WebError;
use crate::fields::Fields;
use crate::flash::Prefill;
use crate::frame::Frame;
use crate::session::Signed;
use crate::{WebState, lic};
use axum::Router;
use axum::routing::{get, post};
use maud::{Markup, html};
use rust_decimal::Decimal;
use tagtrail_app::Scope;
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::commands::plants::{WASTE_REASONS, WasteSpec};
use tagtrail_domain::license::Capability;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::quantity::{QuantityType, UNITS};
use tagtrail_domain::records::{Location, Package, Tag};
use tagtrail_domain::reference::{self, WASTE_METHODS};
use tagtrail_domain::tag::{TagKind, TagStatus};

pub fn routes() -> Router<WebState> {
    Router::new()
        .route(&lic("/plantbatches"), get(batches::page))
        .route(&lic("/plantbatches/plant"), post(batches::plant))
        .route(&lic("/plantbatches/{id}"), get(batches::lot))
        .route(&lic("/plantbatches/{id}/{action}"), post(batches::act))
        .route(&lic("/plants"), get(plants::page))
        .route(&lic("/plants/{action}"), post(plants::act))
        .route(&lic("/harvests"), get(harvests::list))
        .route(&lic("/harvests/{id}"), get(harvests::page))
        .route(&lic("/harvests/{id}/{action}"), post(harvests::act))
}

/// A page of a license that grows plants, for a person holding one of `perms`. Another license
/// has no such page (404), whoever asks.
async fn frame(
    s: &WebState,
    signed: Signed,
    license: &str,
    perms: &[Permission],
) -> Result<Frame, WebError> {
    let f = Frame::of(s, signed, license, perms).await?;
    if !f
        .scope
        .facility()
        .license_type
        .can(Capability::CanGrowPlants)
    {
        return Err(WebError::not_found(
            "This facility does not grow plants, so it has no cultivation pages.",
        ));
    }
    Ok(f)
}

/// Every active record of `R` at the scope's license matching `q`.
async fn active<R: tagtrail_domain::records::Record>(
    s: &WebState,
    scope: &Scope,
    q: ListQuery,
) -> Result<Vec<R>, WebError> {
    let q = ListQuery {
        active: Some(true),
        ..q
    };
    Ok(s.ledger.list::<R>(scope, q).await?.rows)
}

/// The facility's active locations of a type `fits` accepts (plants, batches, harvests…).
async fn locations(
    s: &WebState,
    scope: &Scope,
    fits: fn(&reference::LocationType) -> bool,
) -> Result<Vec<Location>, WebError> {
    let all: Vec<Location> = active(s, scope, ListQuery::default()).await?;
    Ok(all
        .into_iter()
        .filter(|l| {
            reference::LOCATION_TYPES
                .iter()
                .any(|t| fits(t) && t.name.eq_ignore_ascii_case(&l.location_type_name))
        })
        .collect())
}

/// The facility's received, unused tags of `kind`, in label order (the order a run of plant
/// tags is counted in).
async fn free_tags(s: &WebState, scope: &Scope, kind: TagKind) -> Result<Vec<String>, WebError> {
    let q = ListQuery::default()
        .with(Column::Kind, [kind.as_str()])
        .with(Column::Status, [TagStatus::Received.as_str()]);
    let mut tags: Vec<String> = active::<Tag>(s, scope, q)
        .await?
        .into_iter()
        .map(|t| t.label.to_string())
        .collect();
    tags.sort();
    Ok(tags)
}

/// The facility's active packages (sources of plantings).
async fn packages(s: &WebState, scope: &Scope) -> Result<Vec<Package>, WebError> {
    active(s, scope, ListQuery::default()).await
}

/// The units a weight may be given in.
fn weight_units() -> impl Iterator<Item = &'static str> {
    UNITS
        .iter()
        .filter(|u| u.quantity_type == QuantityType::WeightBased)
        .map(|u| u.name)
}

/// A `<select>` of `options`, `chosen` selected (as typed, or the default).
fn select<'a>(
    name: &str,
    options: impl IntoIterator<Item = &'a str>,
    pf: &Prefill,
    default: &str,
) -> Markup {
    let picked = pf.value(name, default);
    html! {
        select name=(name) {
            @for o in options { option value=(o) selected[o == picked] { (o) } }
        }
    }
}

/// A date field: blank is today on the facility's clock (the domain's own default is the UTC
/// date, which in California is tomorrow's from 4 pm on).
fn day(s: &WebState, form: &Fields, name: &str) -> Option<String> {
    form.text(name)
        .or_else(|| Some(s.options.zone.today(s.ledger.now())))
}

/// A decimal field: blank is none; anything else must be a number.
fn decimal(form: &Fields, name: &str, what: &str) -> Result<Option<Decimal>, WebError> {
    match form.text(name) {
        None => Ok(None),
        Some(v) => v
            .parse::<Decimal>()
            .map(Some)
            .map_err(|_| WebError::bad(format!("{what}: enter a number, such as 12.5."))),
    }
}

/// A whole-number field: blank is none; anything else must be a whole number.
fn whole(form: &Fields, name: &str, what: &str) -> Result<Option<i64>, WebError> {
    match form.text(name) {
        None => Ok(None),
        Some(v) => v
            .parse::<i64>()
            .map(Some)
            .map_err(|_| WebError::bad(format!("{what}: enter a whole number, such as 10."))),
    }
}

/// The plant waste fields (rules 17, 57): method, weight and unit, reason, note, date.
fn waste_fields(pf: &Prefill) -> Markup {
    html! {
        label { "Waste method" (select("method", WASTE_METHODS.iter().copied(), pf, "Compost")) }
        label { "Waste weight" input type="text" name="weight" inputmode="decimal" size="8" placeholder="e.g. 250" value=(pf.value("weight", "")); }
        label { "Unit" (select("unit", weight_units(), pf, "Grams")) }
        (pf.problem(&["weight", "unit of measure"]))
        label { "Reason" select name="reason" {
            @for r in WASTE_REASONS {
                option value=(r.name) selected[pf.chosen("reason", r.name, false)] { (r.name) @if r.requires_note { " (note required)" } }
            }
        } }
        label { "Note" input type="text" name="note" size="30" value=(pf.value("note", "")); }
        (pf.problem(&["reason", "note"]))
        label { "Date (blank: today)" input type="date" name="date" value=(pf.value("date", "")); }
        (pf.problem(&["date"]))
    }
}

/// The waste fields of a posted form, as the actions take them.
fn waste_spec(s: &WebState, form: &Fields) -> Result<WasteSpec, WebError> {
    Ok(WasteSpec {
        method: form.text("method"),
        mixed: None,
        weight: decimal(form, "weight", "Waste weight")?,
        unit: form.text("unit"),
        reason: form.text("reason"),
        note: form.text("note"),
        date: day(s, form, "date"),
    })
}

/// The API's field names in a form's words: the rule and its values stay as the ledger said
/// them.
const WORDS: &[(&str, &str)] = &[
    ("StartingTag", "Starting tag"),
    ("GrowthPhase", "Growth phase"),
    ("GrowthDate", "Date"),
    ("NewLocation", "Location"),
    ("WasteWeight", "Waste weight"),
    ("WasteMethodName", "Waste method"),
    ("PlantBatchName", "Lot"),
    ("PlantBatch ", "Lot "),
    ("Plant Batch ", "Lot "),
    ("ActualDate", "Date"),
    ("UnitOfWeight", "Unit"),
    ("Ingredient Weight", "Weight"),
    ("DryingLocation", "Drying location"),
    ("HarvestName", "Harvest name"),
    (" in the current Facility", " at this facility"),
];

/// A refusal with every message in the form's words.
fn plainly(mut e: WebError) -> WebError {
    e.messages = e
        .messages
        .iter()
        .map(|m| {
            WORDS
                .iter()
                .fold(m.clone(), |m, (api, words)| m.replace(api, words))
        })
        .collect();
    e
}

/// The way along the cultivator's pages, at the top of each: lots become tagged plants, which
/// are harvested, and harvests are packaged. The section navigation names the pages; this says
/// where each step's result is found.
fn path_links(f: &Frame) -> Markup {
    let plants = f.url("plants");
    let tab = |t: &str| crate::urls::with_query(&plants, &[("tab", t)]);
    html! {
        nav #cultivation-links aria-label="From lot to package" { p.page-links {
            a href=(f.url("plantbatches")) { "Plant batches" } " → "
            a href=(tab("vegetative")) { "Vegetative plants" } " → "
            a href=(tab("flowering")) { "Flowering plants" } " → "
            a href=(f.url("harvests")) { "Harvests" } " → packages"
        } }
    }
}

/// What a write answers on the page it leads back to.
fn done(w: &tagtrail_app::Written, what: &str) -> String {
    let mut msg = format!("{what} (journal entry {}).", w.seq);
    for warning in &w.warnings {
        msg.push(' ');
        msg.push_str(warning);
    }
    msg
}

/// The harvests a package was made from, for its page (`GET /packages/v2/{id}/source/harvests`
/// in words), linked to the harvest's page where it is this license's.
pub fn source_harvests(f: &Frame, p: &Package) -> Markup {
    if p.source_harvests.is_empty() {
        return html! {};
    }
    let own = p.license_number == f.license();
    html! {
        h2 { "Source harvests" }
        (crate::layout::wide(html! { table #source-harvests {
            thead { tr { th { "Harvest" } th { "Started" } th { "Harvested by" } th.num { "Weight taken" } } }
            tbody { @for h in &p.source_harvests { tr {
                td { @if own && h.harvested_by_license == p.license_number { a href=(f.url(&format!("harvests/{}", h.harvest_id))) { (h.name) } } @else { (h.name) } }
                td { (crate::when::date(&h.harvest_start_date)) }
                td { span.mono { (h.harvested_by_license) } " " (h.harvested_by_name) }
                td.num { (h.weight) " " (h.unit_of_weight) }
            } } }
        } }))
    }
}
