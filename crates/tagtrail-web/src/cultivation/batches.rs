//! Plant batches (immature lots, rule 19): the active lots, planting a new lot from a package of
//! clones or seeds (or from a mother plant, rule 22), moving plants of a lot into the vegetative
//! or flowering phase (each gets its own plant tag, rule 20), waste, and destruction.

use super::{done, frame, plainly, select, waste_fields, waste_spec, whole};
use crate::WebState;
use crate::confirm;
use crate::error::WebError;
use crate::fields::Posted;
use crate::flash::{Typed, notices, reply};
use crate::frame::Frame;
use crate::layout::{csrf_field, wide};
use crate::session::Signed;
use crate::urls::segment;
use crate::when::date;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use tagtrail_app::Action;
use tagtrail_app::actions::plants::{
    ChangeBatchGrowthPhase, CreatePlantings, DestroyBatchPlants, RecordBatchWaste,
};
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::commands::plants::batches::{
    BatchWasteSpec, DestroySpec, GrowthPhaseSpec, Planting,
};
use tagtrail_domain::commands::plants::{MAX_LOT, tag_run};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Location, Plant, PlantBatch, PlantBatchType, Strain};
use tagtrail_domain::tag::TagKind;

const VIEW: &[Permission] = &[Permission::ViewImmaturePlants];

/// What the forms choose from.
struct Choices {
    strains: Vec<Strain>,
    batch_places: Vec<Location>,
    plant_places: Vec<Location>,
    /// Packages holding clones or seeds, with something left.
    sources: Vec<(String, String)>,
    /// Growing plants clones may be taken from.
    mothers: Vec<String>,
    plant_tags: Vec<String>,
}

pub async fn page(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
) -> Result<Response, WebError> {
    let f = frame(&s, signed, &license, VIEW).await?;
    let q = ListQuery {
        newest_first: true,
        ..Default::default()
    };
    let lots: Vec<PlantBatch> = super::active(&s, &f.scope, q).await?;
    let growing = ListQuery::default().with(Column::Status, ["Vegetative", "Flowering"]);
    let c = Choices {
        strains: super::active(&s, &f.scope, ListQuery::default()).await?,
        batch_places: super::locations(&s, &f.scope, |t| t.for_plant_batches).await?,
        plant_places: super::locations(&s, &f.scope, |t| t.for_plants).await?,
        sources: super::packages(&s, &f.scope)
            .await?
            .into_iter()
            .filter(|p| matches!(p.item_category.as_str(), "Immature Plants" | "Seeds"))
            .filter(|p| !p.quantity.is_zero())
            .map(|p| {
                let what = format!("{} · {} ({} left)", p.label, p.item_name, p.quantity);
                (p.label.to_string(), what)
            })
            .collect(),
        mothers: super::active::<Plant>(&s, &f.scope, growing)
            .await?
            .into_iter()
            .map(|p| p.label.to_string())
            .collect(),
        plant_tags: super::free_tags(&s, &f.scope, TagKind::Plant).await?,
    };
    let body = html! {
        h1 { "Plant batches · " (f.scope.facility().name) }
        (notices(f.flash()))
        p.muted { "Immature lots of up to " (MAX_LOT) " plants, counted rather than tagged one by one (rule 19). Plants leave a lot with their own plant tag when they move to the vegetative or flowering phase (rule 20)." }
        (wide(html! { table.grid #plant-batches {
            thead { tr { th { "Lot" } th { "Type" } th { "Strain" } th { "Location" } th.num { "Plants" } th { "Planted" } th { "Source" } } }
            tbody { @for b in &lots { tr {
                td { a href={ "#lot-" (b.id) } { (b.name) } }
                td { (b.plant_batch_type.as_str()) }
                td { (b.strain_name) }
                td { (b.location_name) @if let Some(sub) = &b.sublocation_name { " / " (sub) } }
                td.num { (b.untracked_count) }
                td { (date(&b.planted_date)) }
                td.mono { (b.source_package_label.clone().or_else(|| b.source_plant_label.clone()).unwrap_or_default()) }
            } } }
        } }))
        @if lots.is_empty() { p.muted #no-lots { "No active lots." } }
        @if f.can(&CreatePlantings::DEF) { (plant_form(&f, &c)) }
        @for b in &lots { (lot_actions(&f, b, &c)) }
    };
    Ok(f.page("Plant batches", "plantbatches", body)
        .into_response())
}

/// Planting a new lot: it names its source (rule 22), a package of clones or seeds or a plant.
fn plant_form(f: &Frame, c: &Choices) -> Markup {
    let action = f.url("plantbatches/plant");
    let pf = f.prefill(&action);
    let strains = c.strains.iter().map(|x| x.name.as_str());
    html! {
        h2 { "Plant a new lot" }
        section.card.actions aria-label="Plant a new lot" { form #plant-form method="post" action=(action) {
            (csrf_field(f.csrf()))
            fieldset { legend { "New lot" }
                label { "Lot name" input type="text" name="name" size="20" required value=(pf.value("name", "")); }
                (pf.problem(&["name"]))
                label { "Type" (select("type", PlantBatchType::ALL.iter().map(|t| t.as_str()), &pf, "Clone")) }
                label { "Plants" input type="number" name="count" min="1" max=(MAX_LOT) step="1" inputmode="numeric" required value=(pf.value("count", "")); }
                (pf.problem(&["count", "exceed"]))
                label { "Strain" (select("strain", strains, &pf, "")) }
                (pf.problem(&["strain"]))
                label { "Location" (select("location", c.batch_places.iter().map(|l| l.name.as_str()), &pf, "")) }
                (pf.problem(&["location"]))
                label { "From a package of clones or seeds" select name="source_package" {
                    option value="" { "none" }
                    @for (label, what) in &c.sources { option value=(label) selected[pf.chosen("source_package", label, false)] { (what) } }
                } }
                label { "or from a mother plant" select name="source_plant" {
                    option value="" { "none" }
                    @for label in &c.mothers { option value=(label) selected[pf.chosen("source_plant", label, false)] { (label) } }
                } }
                (pf.problem(&["source", "package", "holds", "plant "]))
                label { "Planted on (blank: today)" input type="date" name="date" value=(pf.value("date", "")); }
                (pf.problem(&["date"]))
                button.act type="submit" { "Plant the lot" }
            }
            @if c.sources.is_empty() && c.mothers.is_empty() {
                p.muted { "No package of clones or seeds and no growing plant to take clones from: a lot needs a source (rule 22)." }
            }
        } }
    }
}

/// What plant tags a growth-phase change of `lot` would use (rule 20), in words.
fn tags_note(lot: &PlantBatch, tags: &[String]) -> Markup {
    let n = lot
        .untracked_count
        .min(i64::try_from(tags.len()).unwrap_or(i64::MAX));
    let run = tags
        .first()
        .and_then(|t| tag_run(t, n.max(1)).ok())
        .unwrap_or_default();
    html! {
        p.hint {
            strong { (tags.len()) } " plant tags available. Each plant gets its own tag, counted in sequence from the starting tag"
            @if let (Some(first), Some(last)) = (run.first(), run.last()) {
                ": moving " (n) " plants from " span.mono { (first) } " uses " span.mono { (first) } " to " span.mono { (last) } "."
            } @else { "." }
        }
    }
}

/// A lot's forms: into the vegetative or flowering phase, waste, destroy.
fn lot_actions(f: &Frame, b: &PlantBatch, c: &Choices) -> Markup {
    let base = f.url(&format!("plantbatches/{}", b.id));
    let phase = f.prefill(&format!("{base}/phase"));
    let waste = f.prefill(&format!("{base}/waste"));
    let destroy = f.prefill(&format!("{base}/destroy"));
    let csrf = f.csrf();
    html! {
        section.card.actions id={ "lot-" (b.id) } aria-label={ "Lot " (b.name) } {
            h2 { "Lot " (b.name) " · " (b.untracked_count) " plants" }
            @if f.can(&ChangeBatchGrowthPhase::DEF) {
                form method="post" action={ (base) "/phase" } {
                    (csrf_field(csrf))
                    fieldset { legend { "Move plants to vegetative or flowering" }
                        (tags_note(b, &c.plant_tags))
                        label { "Plants" input type="number" name="count" min="1" max=(b.untracked_count) step="1" inputmode="numeric" required value=(phase.value("count", "")); }
                        (phase.problem(&["count", "less than zero"]))
                        label { "Phase" (select("phase", ["Vegetative", "Flowering"], &phase, "Vegetative")) }
                        label { "Starting tag" (select("starting_tag", c.plant_tags.iter().map(String::as_str), &phase, "")) }
                        (phase.problem(&["tag"]))
                        label { "Location" (select("location", c.plant_places.iter().map(|l| l.name.as_str()), &phase, &b.location_name)) }
                        (phase.problem(&["location", "canopy"]))
                        label { "Date (blank: today)" input type="date" name="date" value=(phase.value("date", "")); }
                        (phase.problem(&["date"]))
                        button.act type="submit" { "Tag and move" }
                    }
                }
            }
            @if f.can(&RecordBatchWaste::DEF) {
                form method="post" action={ (base) "/waste" } {
                    (csrf_field(csrf))
                    fieldset { legend { "Record waste (no plants destroyed)" }
                        (waste_fields(&waste))
                        button.act type="submit" { "Record waste" }
                    }
                }
            }
            @if f.can(&DestroyBatchPlants::DEF) {
                form method="post" action={ (base) "/destroy" } {
                    (csrf_field(csrf))
                    fieldset { legend { "Destroy plants" }
                        label { "Plants" input type="number" name="count" min="1" max=(b.untracked_count) step="1" inputmode="numeric" required value=(destroy.value("count", "")); }
                        (destroy.problem(&["count", "less than zero"]))
                        (waste_fields(&destroy))
                        (confirm::button("Destroy", &format!("The plants counted here are destroyed and their waste recorded; lot {} keeps the rest.", b.name)))
                    }
                }
            }
        }
    }
}

/// `POST …/plantbatches/plant`: a new lot.
pub async fn plant(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    posted: Posted,
) -> Response {
    let to = format!("/ui/l/{}/plantbatches", segment(&license));
    let typed = Typed::of(&posted.path, &posted.fields);
    let result = async {
        let form = &posted.fields;
        let spec = Planting {
            name: form.text("name"),
            batch_type: form.text("type"),
            count: whole(form, "count", "Plants")?,
            strain: form.text("strain"),
            location: form.text("location"),
            actual_date: form.text("date"),
            source_package: form.text("source_package"),
            source_plant: form.text("source_plant"),
            ..Default::default()
        };
        let w = s
            .ledger
            .run_as::<CreatePlantings>(&signed.acting, &license, posted.door(None), &vec![spec])
            .await?;
        Ok(done(&w, "Lot planted"))
    }
    .await;
    reply(&s, &signed, &to, result.map_err(plainly), Some(typed)).await
}

/// `POST …/plantbatches/{id}/{phase|waste|destroy}`.
pub async fn act(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id, what)): Path<(String, i64, String)>,
    posted: Posted,
) -> Response {
    let to = format!("/ui/l/{}/plantbatches", segment(&license));
    let typed = Typed::of(&posted.path, &posted.fields);
    let lot = async {
        let scope = s.ledger.scope(&signed.acting, &license).await?;
        Ok::<_, WebError>(
            s.ledger
                .get::<PlantBatch>(&scope, id, "Plant batch")
                .await?,
        )
    }
    .await;
    let lot = match lot {
        Ok(b) => b,
        Err(e) => return reply(&s, &signed, &to, Err(e), Some(typed)).await,
    };
    if what == "destroy" && !confirm::confirmed(&posted) {
        let n = posted.fields.text("count").unwrap_or_default();
        let consequence = format!(
            "{n} of the {} plants of lot {} are destroyed, with their waste recorded.",
            lot.untracked_count, lot.name
        );
        return confirm::ask(
            &posted,
            &format!("Destroy {n} plants of {}", lot.name),
            &consequence,
            &to,
        );
    }
    let result = async {
        let form = &posted.fields;
        let (who, name) = (&signed.acting, Some(lot.name.clone()));
        let w = match what.as_str() {
            "phase" => {
                let spec = GrowthPhaseSpec {
                    name,
                    count: whole(form, "count", "Plants")?,
                    starting_tag: form.text("starting_tag"),
                    growth_phase: form.text("phase"),
                    new_location: form.text("location"),
                    new_sublocation: None,
                    growth_date: form.text("date"),
                };
                let w = s
                    .ledger
                    .run_as::<ChangeBatchGrowthPhase>(who, &license, posted.door(None), &vec![spec])
                    .await?;
                done(&w, &format!("{} plants tagged and moved", w.ids.len()))
            }
            "waste" => {
                let spec = BatchWasteSpec {
                    batch: name,
                    waste: waste_spec(form)?,
                };
                let door = posted.door(form.get("reason"));
                let w = s
                    .ledger
                    .run_as::<RecordBatchWaste>(who, &license, door, &vec![spec])
                    .await?;
                done(&w, "Waste recorded")
            }
            "destroy" => {
                let spec = DestroySpec {
                    batch: name,
                    count: whole(form, "count", "Plants")?,
                    waste: waste_spec(form)?,
                };
                let door = posted.door(form.get("reason"));
                let w = s
                    .ledger
                    .run_as::<DestroyBatchPlants>(who, &license, door, &vec![spec])
                    .await?;
                done(&w, "Plants destroyed")
            }
            _ => return Err(WebError::not_found("No such action.")),
        };
        Ok(w)
    }
    .await;
    reply(&s, &signed, &to, result.map_err(plainly), Some(typed)).await
}
