//! Harvests: the drying (active) and finished lists with their weights, and a harvest's page
//! with its waste records (add, remove), finishing and unfinishing (rule 72, both ask first),
//! and the package-from-harvest screen: a new tag, an item weighed, a weight taken from the
//! harvest and a location. The new package's page names its source harvest.

use super::{day, decimal, done, frame, plainly, select};
use crate::WebState;
use crate::confirm;
use crate::error::WebError;
use crate::fields::Posted;
use crate::flash::{Typed, notices, reply};
use crate::frame::Frame;
use crate::layout::{csrf_field, wide};
use crate::session::Signed;
use crate::urls::{segment, with_query};
use crate::when::date;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use tagtrail_app::Action;
use tagtrail_app::actions::harvests::{
    CreatePackages, DiscontinueWaste, Finish, RecordWaste, Unfinish,
};
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::commands::harvests::{
    FinishSpec, HarvestIngredient, HarvestPackageSpec, WASTE_TYPES, WasteSpec,
};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::quantity::QuantityType;
use tagtrail_domain::records::{Harvest, HarvestWaste, Item, Package, Plant};
use tagtrail_domain::reference;
use tagtrail_domain::tag::TagKind;

const VIEW: &[Permission] = &[Permission::ViewHarvests];

const TABS: &[(&str, &str)] = &[("active", "Drying (active)"), ("finished", "Finished")];

/// What follows finishing and unfinishing, which undo each other (rule 72): the confirmation
/// says so rather than "cannot be undone".
const AFTER_FINISH: &str =
    "It takes no more waste or packages until it is unfinished (Unfinish on its page).";
const AFTER_UNFINISH: &str = "It takes waste and packages again until it is finished.";

#[derive(Deserialize, Default)]
pub struct Tab {
    tab: Option<String>,
}

/// A harvest's weights, each in its unit.
fn weights(h: &Harvest) -> Markup {
    html! {
        td.num data-th="Wet weight" { (h.total_wet_weight) } td.num data-th="Waste" { (h.total_waste_weight) } td.num data-th="Packaged" { (h.total_packaged_weight) }
        td.num data-th="Current" { strong { (h.current_weight()) } } td data-th="Unit" { (h.unit_of_weight) } td.num data-th="Plants" { (h.plant_count()) }
    }
}

pub async fn list(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(t): Query<Tab>,
) -> Result<Response, WebError> {
    let f = frame(&s, signed, &license, VIEW).await?;
    let tab = if t.tab.as_deref() == Some("finished") {
        "finished"
    } else {
        "active"
    };
    let q = ListQuery {
        newest_first: true,
        active: Some(tab == "active"),
        ..Default::default()
    };
    let found = s.ledger.list::<Harvest>(&f.scope, q).await?;
    let base = f.url("harvests");
    let body = html! {
        h1 { "Harvests · " (f.scope.facility().name) }
        (notices(f.flash()))
        (super::path_links(&f))
        nav.tabs aria-label="Harvest lists" {
            @for (slug, words) in TABS {
                @if *slug == tab { strong.tab aria-current="page" { (words) } }
                @else { a.tab href=(with_query(&base, &[("tab", slug)])) { (words) } }
            }
        }
        p.muted { "Harvest flowering plants on the " a href=(with_query(&f.url("plants"), &[("tab", "flowering")])) { "Plants" } " page. A harvest's current weight is its wet weight less waste, packages and restored plants." }
        (wide(html! { table.grid.stack.cult #harvests {
            thead { tr { th { "Harvest" } th { "Strains" } th { "Drying location" } th { "Started" }
                th.num { "Wet weight" } th.num { "Waste" } th.num { "Packaged" } th.num { "Current" } th { "Unit" } th.num { "Plants" }
                @if tab == "finished" { th { "Finished" } } } }
            tbody { @for h in &found.rows { tr {
                td data-th="Harvest" { span { a href=(f.url(&format!("harvests/{}", h.id))) { (h.name) } @if h.on_hold { " " span.badge.hold { "‖ On hold" } } } }
                td data-th="Strains" { (h.strain_names.join(", ")) }
                td data-th="Drying location" { (h.drying_location_name) }
                td data-th="Started" { (date(&h.harvest_start_date)) }
                (weights(h))
                @if tab == "finished" { td data-th="Finished" { (h.finished_date.as_deref().map(date).unwrap_or_default()) } }
            } } }
        } }))
        @if found.rows.is_empty() { p.muted #no-harvests { "No harvests here." } }
    };
    Ok(f.page("Harvests", "harvests", body).into_response())
}

/// What the package form chooses from.
struct Choices {
    tags: Vec<String>,
    items: Vec<Item>,
    places: Vec<String>,
}

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let f = frame(&s, signed, &license, VIEW).await?;
    let h: Harvest = s.ledger.get(&f.scope, id, "Harvest").await?;
    let q = ListQuery {
        newest_first: true,
        ..Default::default()
    }
    .with(Column::HarvestId, [h.id]);
    let wastes = s.ledger.list::<HarvestWaste>(&f.scope, q).await?.rows;
    let plants = s
        .ledger
        .list::<Plant>(
            &f.scope,
            ListQuery::default().with(Column::HarvestId, [h.id]),
        )
        .await?
        .rows;
    // No column holds a package's source harvests, so the license's packages are read and
    // sorted here: a cultivator makes packages by the hundred, not the hundred thousand, and
    // packages that left (shipped, finished) still came from this harvest.
    let all = ListQuery {
        newest_first: true,
        ..Default::default()
    };
    let packaged: Vec<Package> = s
        .ledger
        .list::<Package>(&f.scope, all)
        .await?
        .rows
        .into_iter()
        .filter(|p| p.source_harvests.iter().any(|sh| sh.harvest_id == h.id))
        .collect();
    let weighed = |i: &Item| {
        reference::item_category(&i.category).map(|c| c.quantity_type)
            == Some(QuantityType::WeightBased)
    };
    let c = if f.can(&CreatePackages::DEF) && !h.is_finished() {
        Choices {
            tags: super::free_tags(&s, &f.scope, TagKind::Package).await?,
            items: super::active::<Item>(&s, &f.scope, ListQuery::default())
                .await?
                .into_iter()
                .filter(weighed)
                .collect(),
            places: super::locations(&s, &f.scope, |t| t.for_packages)
                .await?
                .into_iter()
                .map(|l| l.name)
                .collect(),
        }
    } else {
        Choices {
            tags: vec![],
            items: vec![],
            places: vec![],
        }
    };
    let base = f.url(&format!("harvests/{}", h.id));
    let body = html! {
        h1 { "Harvest " (h.name) }
        (notices(f.flash()))
        (super::path_links(&f))
        div.card { table.fields #facts {
            tr { th { "Strains" } td { (h.strain_names.join(", ")) } th { "Type" } td { @if h.harvest_type.as_str() == "Product" { "Manicured material" } @else { "Whole plants" } } }
            tr { th { "Drying location" } td { (h.drying_location_name) @if let Some(sub) = &h.drying_sublocation_name { " / " (sub) } } th { "Plants" } td { (h.plant_count()) } }
            tr { th { "Wet weight" } td { (h.total_wet_weight) " " (h.unit_of_weight) } th { "Waste" } td { (h.total_waste_weight) " " (h.unit_of_weight) } }
            tr { th { "Packaged" } td { (h.total_packaged_weight) " " (h.unit_of_weight) " in " (h.package_count) @if h.package_count == 1 { " package" } @else { " packages" } } th { "Current weight" } td #current { strong { (h.current_weight()) " " (h.unit_of_weight) } } }
            tr { th { "Started" } td { (date(&h.harvest_start_date)) } th { "State" } td { @if let Some(d) = &h.finished_date { span.badge.closed { "Finished " (date(d)) } } @else { span.badge.neutral { "Drying" } } } }
            tr { th { "Last changed" } td colspan="3" { (f.when(&h.last_modified)) } }
        } }
        @if h.is_finished() {
            section.card.actions aria-label="Actions on this harvest" {
                p { "A finished harvest takes no waste or packages until it is unfinished (rule 72)." }
                @if f.can(&Unfinish::DEF) {
                    form method="post" action={ (base) "/unfinish" } {
                        (csrf_field(f.csrf()))
                        (confirm::button_then("Unfinish", &format!("Harvest {} returns to the active list with {} {}.", h.name, h.current_weight(), h.unit_of_weight), AFTER_UNFINISH))
                    }
                }
            }
        } @else {
            (package_form(&f, &h, &base, &c))
            (actions(&f, &h, &base))
        }
        h2 { "Packages from this harvest" }
        (wide(html! { table.stack.cult #harvest-packages {
            thead { tr { th { "Package" } th { "Item" } th.num { "Taken from the harvest" } th.num { "Now holds" } th { "Packaged" } th { "State" } } }
            tbody { @for p in &packaged { tr {
                td.mono data-th="Package" { a href=(f.url(&format!("packages/{}", p.id))) { (p.label) } }
                td data-th="Item" { (p.item_name) }
                td.num data-th="Taken" { span { @for sh in p.source_harvests.iter().filter(|sh| sh.harvest_id == h.id) { (sh.weight) " " (sh.unit_of_weight) } } }
                td.num data-th="Now holds" { (p.quantity) " " (p.unit_of_measure) }
                td data-th="Packaged" { (date(&p.packaged_date)) }
                td data-th="State" { span { (crate::status::package(p)) } }
            } } }
        } }))
        @if packaged.is_empty() { p.muted { "No packages yet." } }
        h2 { "Plants" }
        (wide(html! { table.stack.cult #harvest-plants {
            thead { tr { th { "Tag" } th { "Strain" } th { "Lot" } th { "Flowering since" } th { "Harvested" } } }
            tbody { @for p in &plants { tr {
                td.mono data-th="Tag" { (p.label) }
                td data-th="Strain" { (p.strain_name) }
                td data-th="Lot" { a href=(f.url(&format!("plantbatches/{}", p.plant_batch_id))) { (p.plant_batch_name) } }
                td data-th="Flowering since" { (p.flowering_date.as_deref().map(date).unwrap_or_default()) }
                td data-th="Harvested" { (p.harvested_date.as_deref().map(date).unwrap_or_default()) }
            } } }
        } }))
        @if plants.is_empty() { p.muted { "No plants recorded." } }
        h2 { "Waste" }
        (wide(html! { table.stack.cult #harvest-waste {
            thead { tr { th { "Date" } th { "Type" } th.num { "Weight" } th { "Recorded by" } th { "State" } th { span.muted { "Action" } } } }
            tbody { @for w in &wastes { tr {
                td data-th="Date" { (date(&w.actual_date)) } td data-th="Type" { (w.waste_type) } td.num data-th="Weight" { (w.waste_weight) " " (w.unit_of_weight) } td data-th="Recorded by" { (w.recorded_by) }
                td data-th="State" { @if w.active { "Recorded" } @else { span.muted { "Removed" } } }
                td data-th="Action" { @if w.active && !h.is_finished() && f.can(&DiscontinueWaste::DEF) {
                    form.inline method="post" action={ (base) "/unwaste" } {
                        (csrf_field(f.csrf()))
                        input type="hidden" name="waste" value=(w.id);
                        (confirm::button("Remove", &format!("The waste of {} {} ({}) is removed and its weight returns to harvest {}.", w.waste_weight, w.unit_of_weight, w.waste_type, h.name)))
                    }
                } }
            } } }
        } }))
        @if wastes.is_empty() { p.muted { "No waste recorded." } }
    };
    Ok(f.page(&format!("Harvest {}", h.name), "harvests", body)
        .into_response())
}

/// The package-from-harvest screen.
fn package_form(f: &Frame, h: &Harvest, base: &str, c: &Choices) -> Markup {
    if !f.can(&CreatePackages::DEF) {
        return html! {};
    }
    let action = format!("{base}/package");
    let pf = f.prefill(&action);
    let current = h.current_weight().to_string();
    // The harvest's own strain first: Sour Diesel plants make Sour Diesel flower.
    let same_strain = c
        .items
        .iter()
        .find(|i| {
            i.strain_name
                .as_ref()
                .is_some_and(|n| h.strain_names.contains(n))
        })
        .map_or("", |i| i.name.as_str());
    html! {
        h2 { "Package from this harvest" }
        section.card.actions aria-label="Package from this harvest" { form #package-form method="post" action=(action) {
            (csrf_field(f.csrf()))
            fieldset { legend { "New package" }
                @if c.tags.is_empty() { p.muted { "No package tags available: order and receive some on the Tags page." } }
                label { "New tag (" (c.tags.len()) " available)" (select("tag", c.tags.iter().map(String::as_str), &pf, "")) }
                (pf.problem(&["tag"]))
                label { "Item (weighed)" (select("item", c.items.iter().map(|i| i.name.as_str()), &pf, same_strain)) }
                (pf.problem(&["item"]))
                label { "Weight taken from the harvest" input type="text" name="weight" inputmode="decimal" size="8" required value=(pf.value("weight", &current)); }
                label { "Unit" (select("unit", super::weight_units(), &pf, &h.unit_of_weight)) }
                (pf.problem(&["weight", "unit", "current"]))
                label { "Location" (select("location", c.places.iter().map(String::as_str), &pf, "")) }
                (pf.problem(&["location"]))
                label { "Packaged on (blank: today)" input type="date" name="date" value=(pf.value("date", "")); }
                (pf.problem(&["date"]))
                label { "Note" input type="text" name="note" size="30" value=(pf.value("note", "")); }
                button.act type="submit" { "Create package" }
            }
        } }
    }
}

/// Recording waste, and finishing.
fn actions(f: &Frame, h: &Harvest, base: &str) -> Markup {
    let waste = f.prefill(&format!("{base}/waste"));
    let finish = f.prefill(&format!("{base}/finish"));
    html! {
        h2 { "Actions" }
        section.card.actions aria-label="Actions on this harvest" {
            @if f.can(&RecordWaste::DEF) {
                form #waste-form method="post" action={ (base) "/waste" } {
                    (csrf_field(f.csrf()))
                    fieldset { legend { "Record waste" }
                        label { "Waste type" (select("waste_type", WASTE_TYPES.iter().copied(), &waste, "Plant Material")) }
                        label { "Weight" input type="text" name="weight" inputmode="decimal" size="8" required value=(waste.value("weight", "")); }
                        label { "Unit" (select("unit", super::weight_units(), &waste, &h.unit_of_weight)) }
                        (waste.problem(&["weight", "unit", "waste"]))
                        label { "Date (blank: today)" input type="date" name="date" value=(waste.value("date", "")); }
                        (waste.problem(&["date"]))
                        button.act type="submit" { "Record waste" }
                    }
                }
            }
            @if f.can(&Finish::DEF) {
                form #finish-form method="post" action={ (base) "/finish" } {
                    (csrf_field(f.csrf()))
                    fieldset { legend { "Finish" }
                        label { "Finished on (blank: today)" input type="date" name="date" value=(finish.value("date", "")); }
                        (finish.problem(&["date"]))
                        (confirm::button_then("Finish", &format!("Harvest {} is finished and leaves the active list with {} {} unpackaged.", h.name, h.current_weight(), h.unit_of_weight), AFTER_FINISH))
                    }
                }
            }
        }
    }
}

/// `POST …/harvests/{id}/{waste|unwaste|finish|unfinish|package}`.
pub async fn act(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id, what)): Path<(String, i64, String)>,
    posted: Posted,
) -> Response {
    let to = format!("/ui/l/{}/harvests/{id}", segment(&license));
    let typed = Typed::of(&posted.path, &posted.fields);
    let harvest = async {
        let scope = s.ledger.scope(&signed.acting, &license).await?;
        Ok::<_, WebError>(s.ledger.get::<Harvest>(&scope, id, "Harvest").await?)
    }
    .await;
    let h = match harvest {
        Ok(h) => h,
        Err(e) => return reply(&s, &signed, &to, Err(e), Some(typed)).await,
    };
    if !confirm::confirmed(&posted) {
        let unit = &h.unit_of_weight;
        let ask = match what.as_str() {
            "finish" => Some((
                "Finish",
                AFTER_FINISH,
                format!(
                    "Harvest {} is finished and leaves the active list with {} {unit} unpackaged.",
                    h.name,
                    h.current_weight()
                ),
            )),
            "unfinish" => Some((
                "Unfinish",
                AFTER_UNFINISH,
                format!(
                    "Harvest {} returns to the active list with {} {unit}.",
                    h.name,
                    h.current_weight()
                ),
            )),
            "unwaste" => Some((
                "Remove",
                "This cannot be undone.",
                format!(
                    "The waste record is removed and its weight returns to harvest {}.",
                    h.name
                ),
            )),
            _ => None,
        };
        if let Some((label, after, consequence)) = ask {
            let title = format!("{label} {}", h.name);
            return confirm::ask_then(&posted, &title, &consequence, after, &to);
        }
    }
    let mut to_after = to.clone();
    let result = async {
        let form = &posted.fields;
        let who = &signed.acting;
        let msg = match what.as_str() {
            "waste" => {
                let spec = WasteSpec {
                    id: Some(h.id),
                    waste_type: form.text("waste_type"),
                    unit_of_weight: form.text("unit"),
                    waste_weight: decimal(form, "weight", "Weight")?,
                    actual_date: day(&s, form, "date"),
                };
                let w = s
                    .ledger
                    .run_as::<RecordWaste>(who, &license, posted.door(None), &vec![spec])
                    .await?;
                done(&w, "Waste recorded")
            }
            "unwaste" => {
                let waste = form
                    .text("waste")
                    .and_then(|v| v.parse::<i64>().ok())
                    .ok_or_else(|| WebError::bad("Choose the waste record to remove."))?;
                let w = s
                    .ledger
                    .run_as::<DiscontinueWaste>(who, &license, posted.door(None), &waste)
                    .await?;
                done(&w, "Waste removed")
            }
            "finish" => {
                let spec = FinishSpec {
                    id: Some(h.id),
                    actual_date: day(&s, form, "date"),
                };
                let w = s
                    .ledger
                    .run_as::<Finish>(who, &license, posted.door(None), &vec![spec])
                    .await?;
                done(&w, "Harvest finished")
            }
            "unfinish" => {
                let w = s
                    .ledger
                    .run_as::<Unfinish>(who, &license, posted.door(None), &vec![Some(h.id)])
                    .await?;
                done(&w, "Harvest unfinished")
            }
            "package" => {
                let unit = form.text("unit");
                let spec = HarvestPackageSpec {
                    tag: form.text("tag"),
                    location: form.text("location"),
                    item: form.text("item"),
                    unit_of_weight: unit.clone(),
                    note: form.text("note"),
                    actual_date: day(&s, form, "date"),
                    ingredients: vec![HarvestIngredient {
                        harvest_id: Some(h.id),
                        harvest_name: None,
                        weight: decimal(form, "weight", "Weight")?,
                        unit_of_weight: unit,
                    }],
                    ..Default::default()
                };
                let w = s
                    .ledger
                    .run_as::<CreatePackages>(who, &license, posted.door(None), &vec![spec])
                    .await?;
                // The new package's page, which names this harvest as its source.
                if let Some(p) = w.ids.first() {
                    to_after = format!("/ui/l/{}/packages/{p}", segment(&license));
                }
                done(&w, &format!("Package made from harvest {}", h.name))
            }
            _ => return Err(WebError::not_found("No such action.")),
        };
        Ok(msg)
    }
    .await;
    let to = if result.is_ok() { to_after } else { to };
    reply(&s, &signed, &to, result.map_err(plainly), Some(typed)).await
}
