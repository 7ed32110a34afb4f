//! Tagged plants by phase (vegetative, flowering, mother, on hold, inactive), each with its own
//! tag (rule 20). Plants are ticked in the list and one form acts on the ticked ones: start
//! flowering (in a canopy location, rule 21), change location, record waste, destroy (asks
//! first), and harvest flowering plants into a harvest, each with its wet weight.

use super::{day, decimal, done, frame, plainly, select, waste_fields, waste_spec};
use crate::WebState;
use crate::confirm;
use crate::error::WebError;
use crate::fields::Posted;
use crate::flash::{Typed, notices, reply};
use crate::layout::{csrf_field, wide};
use crate::session::Signed;
use crate::urls::{segment, with_query};
use crate::when::date;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use tagtrail_app::Action;
use tagtrail_app::actions::harvests::HarvestPlants;
use tagtrail_app::actions::plants::{
    ChangePlantGrowthPhase, DestroyPlants, MovePlants, RecordPlantWaste,
};
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::commands::harvests::HarvestPlantSpec;
use tagtrail_domain::commands::plants::tagged::{
    DestroySpec, GrowthPhaseSpec, MoveSpec, PlantWasteSpec,
};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::Plant;

const VIEW: &[Permission] = &[Permission::ViewVegFlowerPlants];

/// The tabs: address, words.
const TABS: &[(&str, &str)] = &[
    ("vegetative", "Vegetative"),
    ("flowering", "Flowering"),
    ("mother", "Mother plants"),
    ("onhold", "On hold"),
    ("inactive", "Harvested or destroyed"),
];

/// The most plants one tab lists (newest first).
const SHOWN: u32 = 200;

#[derive(Deserialize, Default)]
pub struct Tab {
    tab: Option<String>,
}

fn tab_of(asked: Option<&str>) -> &'static str {
    TABS.iter()
        .map(|(t, _)| *t)
        .find(|t| Some(*t) == asked)
        .unwrap_or("vegetative")
}

fn query(tab: &str) -> ListQuery {
    let q = ListQuery {
        newest_first: true,
        page: Some((1, SHOWN)),
        ..Default::default()
    };
    match tab {
        "flowering" => q
            .with(Column::Status, ["Flowering"])
            .with(Column::Mother, [false]),
        "mother" => q
            .with(Column::Status, ["Vegetative", "Flowering", "OnHold"])
            .with(Column::Mother, [true]),
        "onhold" => q.with(Column::Status, ["OnHold"]),
        "inactive" => q.with(Column::Status, ["Harvested", "Destroyed"]),
        _ => q
            .with(Column::Status, ["Vegetative"])
            .with(Column::Mother, [false]),
    }
}

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(t): Query<Tab>,
) -> Result<Response, WebError> {
    let f = frame(&s, signed, &license, VIEW).await?;
    let tab = tab_of(t.tab.as_deref());
    if tab == "mother" && !f.scope.holds_any(&[Permission::ViewMotherPlants]) {
        return Err(WebError::new(
            axum::http::StatusCode::FORBIDDEN,
            "Mother plants need the View Mother Plants permission.",
        ));
    }
    let found = s.ledger.list::<Plant>(&f.scope, query(tab)).await?;
    let growing = !matches!(tab, "inactive" | "onhold");
    let flowering = tab == "flowering";
    let acts = growing
        && (f.can(&MovePlants::DEF)
            || f.can(&RecordPlantWaste::DEF)
            || f.can(&DestroyPlants::DEF)
            || f.can(&HarvestPlants::DEF));
    let base = f.url("plants");
    // One form posts to several addresses; the refused one is filled again.
    let typed_at = f
        .flash()
        .and_then(|fl| fl.form.as_ref())
        .map(|t| t.action.clone())
        .filter(|a| a.starts_with(&format!("{base}/")))
        .unwrap_or_default();
    let pf = f.prefill(&typed_at);
    let canopy = super::locations(&s, &f.scope, |t| t.for_plants).await?;
    let drying = super::locations(&s, &f.scope, |t| t.for_harvests).await?;
    let canopy_names = || canopy.iter().map(|l| l.name.as_str());
    let table = html! { table.grid.stack.cult #plants {
        thead { tr {
            @if acts { th { "Pick" } }
            th { "Tag" } th { "Strain" } th { "Location" } th { "Phase" } th { "Lot" } th { "Planted" } th { "Vegetative" } th { "Flowering" }
            @if tab == "inactive" { th { "Harvested" } th { "Destroyed" } }
            @if flowering && acts { th { "Wet weight" } }
        } }
        tbody { @for p in &found.rows {
            @let label = p.label.to_string();
            tr {
                @if acts { td data-th="Pick" { input type="checkbox" name="plant" value=(label) aria-label={ "Pick " (label) } checked[pf.chosen("plant", &label, false)]; } }
                td.mono data-th="Tag" { span { (label) @if p.is_mother { " " span.badge.neutral { "Mother" } } } }
                td data-th="Strain" { (p.strain_name) }
                td data-th="Location" { (p.location_name) @if let Some(sub) = &p.sublocation_name { " / " (sub) } }
                td data-th="Phase" { span { (p.growth_phase.as_str()) @if p.on_hold { " " span.badge.hold { "‖ On hold" } } } }
                td data-th="Lot" { a href=(f.url(&format!("plantbatches/{}", p.plant_batch_id))) { (p.plant_batch_name) } }
                td data-th="Planted" { (date(&p.planted_date)) }
                td data-th="Vegetative" { (p.vegetative_date.as_deref().map(date).unwrap_or_default()) }
                td data-th="Flowering" { (p.flowering_date.as_deref().map(date).unwrap_or_default()) }
                @if tab == "inactive" {
                    td data-th="Harvested" { (p.harvested_date.as_deref().map(date).unwrap_or_default()) }
                    td data-th="Destroyed" { (p.destroyed_date.as_deref().map(date).unwrap_or_default()) }
                }
                @if flowering && acts {
                    @let field = format!("weight_{label}");
                    td data-th="Wet weight" { input type="text" name=(field) inputmode="decimal" size="7" aria-label={ "Wet weight of " (label) } value=(pf.value(&field, "")); }
                }
            }
        } }
    } };
    let body = html! {
        h1 { "Plants · " (f.scope.facility().name) }
        (notices(f.flash()))
        (super::path_links(&f))
        nav.tabs aria-label="Plants by phase" {
            @for (slug, words) in TABS {
                @if *slug == tab { strong.tab aria-current="page" { (words) } }
                @else { a.tab href=(with_query(&base, &[("tab", slug)])) { (words) } }
            }
        }
        @if found.total > i64::from(SHOWN) { p.muted { "The newest " (SHOWN) " of " (found.total) " plants." } }
        @if !acts || found.rows.is_empty() {
            (wide(table))
        } @else {
            div.actions { form #plant-actions method="post" action={ (base) "/destroy" } {
                (csrf_field(f.csrf()))
                input type="hidden" name="tab" value=(tab);
                (wide(table))
                (pf.problem(&["tick", "plant "]))
                @if flowering && f.can(&HarvestPlants::DEF) {
                    fieldset #harvest-fields { legend { "Harvest the ticked plants" }
                        p.hint { "Enter each ticked plant's wet weight in the list. The plants are cut down into one harvest, made in the drying location if none of that name exists." }
                        label { "Harvest name (blank: the date and the strain)" input type="text" name="harvest_name" size="22" value=(pf.value("harvest_name", "")); }
                        label { "Unit" (select("unit_of_weight", super::weight_units(), &pf, "Grams")) }
                        label { "Drying location" (select("drying_location", drying.iter().map(|l| l.name.as_str()), &pf, "")) }
                        label { "Harvested on (blank: today)" input type="date" name="harvest_date" value=(pf.value("harvest_date", "")); }
                        (pf.problem(&["harvest", "weight", "drying"]))
                        button.act type="submit" formaction={ (base) "/harvest" } { "Harvest" }
                    }
                }
                @if f.can(&MovePlants::DEF) || f.can(&ChangePlantGrowthPhase::DEF) {
                    fieldset { legend { "Location" @if !flowering { " and flowering" } }
                        label { "Location" (select("location", canopy_names(), &pf, "")) }
                        (pf.problem(&["location", "canopy"]))
                        @if f.can(&MovePlants::DEF) { button.act type="submit" formaction={ (base) "/move" } { "Change location" } " " }
                        @if !flowering && f.can(&ChangePlantGrowthPhase::DEF) {
                            button.act type="submit" formaction={ (base) "/flower" } { "Move to flowering" }
                            p.hint { "Flowering plants must be in a designated canopy location (rule 21)." }
                        }
                    }
                }
                @if f.can(&RecordPlantWaste::DEF) || f.can(&DestroyPlants::DEF) {
                    fieldset #waste-fields { legend { "Waste and destruction" }
                        p.hint { "Record waste: one record for the ticked plants, which keep growing. Destroy: each ticked plant is destroyed with this waste weight recorded for it (rule 17)." }
                        (waste_fields(&pf))
                        div.buttons {
                            @if f.can(&RecordPlantWaste::DEF) { button.act type="submit" formaction={ (base) "/waste" } { "Record waste" } }
                            @if f.can(&DestroyPlants::DEF) { (confirm::button("Destroy the ticked plants", "Each ticked plant is destroyed and its waste recorded; its tag is used for good.")) }
                        }
                    }
                }
            } }
        }
        @if found.rows.is_empty() { p.muted #no-plants { "No plants here." } }
    };
    Ok(f.page("Plants", "plants", body).into_response())
}

/// `POST …/plants/{flower|move|waste|destroy|harvest}` for the ticked plants.
pub async fn act(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, what)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    let tab = tab_of(posted.fields.get("tab"));
    let to = with_query(
        &format!("/ui/l/{}/plants", segment(&license)),
        &[("tab", tab)],
    );
    let typed = Typed::of(&posted.path, &posted.fields);
    let form = &posted.fields;
    let picked: Vec<String> = form.all("plant").map(str::to_string).collect();
    if what == "destroy" && !picked.is_empty() && !confirm::confirmed(&posted) {
        let consequence = format!(
            "Plants {} are destroyed, each with its waste recorded; their tags are used for good.",
            picked.join(", ")
        );
        return confirm::ask(
            &posted,
            &format!("Destroy {} plants", picked.len()),
            &consequence,
            &to,
        );
    }
    let mut to_after = to.clone();
    let result = async {
        if picked.is_empty() {
            return Err(WebError::bad("Tick at least one plant in the list."));
        }
        let who = &signed.acting;
        let label = |l: &String| Some(l.clone());
        let msg = match what.as_str() {
            "flower" => {
                let req: Vec<GrowthPhaseSpec> = picked
                    .iter()
                    .map(|l| GrowthPhaseSpec {
                        label: label(l),
                        growth_phase: Some("Flowering".into()),
                        new_location: form.text("location"),
                        // The facility's day, as every date on these pages (a harvest dated
                        // today must not fall before a flowering dated by UTC's tomorrow).
                        growth_date: day(&s, form, "date"),
                        ..Default::default()
                    })
                    .collect();
                let w = s
                    .ledger
                    .run_as::<ChangePlantGrowthPhase>(who, &license, posted.door(None), &req)
                    .await?;
                done(&w, &format!("{} plants flowering", req.len()))
            }
            "move" => {
                let req: Vec<MoveSpec> = picked
                    .iter()
                    .map(|l| MoveSpec {
                        label: label(l),
                        location: form.text("location"),
                        date: day(&s, form, "date"),
                        ..Default::default()
                    })
                    .collect();
                let w = s
                    .ledger
                    .run_as::<MovePlants>(who, &license, posted.door(None), &req)
                    .await?;
                done(&w, &format!("{} plants moved", req.len()))
            }
            "waste" => {
                let req = vec![PlantWasteSpec {
                    labels: picked.clone(),
                    location: None,
                    sublocation: None,
                    waste: waste_spec(&s, form)?,
                }];
                let door = posted.door(form.get("reason"));
                let w = s
                    .ledger
                    .run_as::<RecordPlantWaste>(who, &license, door, &req)
                    .await?;
                done(&w, "Waste recorded")
            }
            "destroy" => {
                let waste = waste_spec(&s, form)?;
                let req: Vec<DestroySpec> = picked
                    .iter()
                    .map(|l| DestroySpec {
                        label: label(l),
                        waste: waste.clone(),
                        ..Default::default()
                    })
                    .collect();
                let door = posted.door(form.get("reason"));
                let w = s
                    .ledger
                    .run_as::<DestroyPlants>(who, &license, door, &req)
                    .await?;
                done(&w, &format!("{} plants destroyed", req.len()))
            }
            "harvest" => {
                let mut req = Vec::new();
                for l in &picked {
                    let field = format!("weight_{l}");
                    req.push(HarvestPlantSpec {
                        plant: label(l),
                        weight: decimal(form, &field, &format!("Wet weight of {l}"))?,
                        unit_of_weight: form.text("unit_of_weight"),
                        drying_location: form.text("drying_location"),
                        harvest_name: form.text("harvest_name"),
                        actual_date: day(&s, form, "harvest_date"),
                        ..Default::default()
                    });
                }
                let w = s
                    .ledger
                    .run_as::<HarvestPlants>(who, &license, posted.door(None), &req)
                    .await?;
                // On to the harvest's page, where it is weighed, wasted and packaged.
                if let Some(h) = w.ids.first() {
                    to_after = format!("/ui/l/{}/harvests/{h}", segment(&license));
                }
                done(&w, &format!("{} plants harvested", req.len()))
            }
            _ => return Err(WebError::not_found("No such action.")),
        };
        Ok(msg)
    }
    .await;
    let to = if result.is_ok() { to_after } else { to };
    reply(&s, &signed, &to, result.map_err(plainly), Some(typed)).await
}
