//! Plant batches (immature lots, rule 19): the active lots and planting a new lot from a package
//! of clones or seeds (or from a mother plant, rule 22), its strain the source's unless another
//! is chosen; and a lot's own page: its counts, the plants tagged from it, and its forms (moving
//! plants into the vegetative or flowering phase, each with its own plant tag, rule 20; waste;
//! destruction, which asks first). The forms live on the lot's page rather than under the list
//! because three forms per lot made the list thousands of pixels long on a phone.

use super::{day, done, frame, plainly, select, waste_fields, waste_spec, whole};
use crate::WebState;
use crate::confirm;
use crate::error::WebError;
use crate::fields::{Fields, Posted};
use crate::flash::{Typed, notices, reply};
use crate::frame::Frame;
use crate::layout::{csrf_field, wide};
use crate::session::Signed;
use crate::urls::{segment, with_query};
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
use tagtrail_domain::records::{Location, Package, Plant, PlantBatch, PlantBatchType, Strain};
use tagtrail_domain::tag::TagKind;

const VIEW: &[Permission] = &[Permission::ViewImmaturePlants];

/// What the planting form chooses from.
struct Choices {
    strains: Vec<Strain>,
    batch_places: Vec<Location>,
    /// Packages holding clones or seeds, with something left.
    sources: Vec<(String, String)>,
    /// Growing plants clones may be taken from.
    mothers: Vec<String>,
}

/// The words a `strain` field sends when the strain is the source's (the default).
const SOURCE_STRAIN: &str = "";

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
    };
    let body = html! {
        h1 { "Plant batches · " (f.scope.facility().name) }
        (notices(f.flash()))
        (super::path_links(&f))
        p.muted { "Immature lots of up to " (MAX_LOT) " plants, counted rather than tagged one by one (rule 19). Open a lot to tag its plants into the vegetative or flowering phase (each plant gets its own plant tag, rule 20), record waste or destroy plants; or " a href="#plant-form" { "plant a new lot" } "." }
        (wide(html! { table.grid.stack.cult #plant-batches {
            thead { tr { th { "Lot" } th { "Type" } th { "Strain" } th { "Location" } th.num { "Plants" } th.num { "Tagged" } th { "Planted" } th { "Source" } } }
            tbody { @for b in &lots { tr {
                td data-th="Lot" { a href=(f.url(&format!("plantbatches/{}", b.id))) { (b.name) } }
                td data-th="Type" { (b.plant_batch_type.as_str()) }
                td data-th="Strain" { (b.strain_name) }
                td data-th="Location" { (b.location_name) @if let Some(sub) = &b.sublocation_name { " / " (sub) } }
                td.num data-th="Plants" { (b.untracked_count) }
                td.num data-th="Tagged" { (b.tracked_count) }
                td data-th="Planted" { (date(&b.planted_date)) }
                td.mono data-th="Source" { (source_of(b)) }
            } } }
        } }))
        @if lots.is_empty() { p.muted #no-lots { "No active lots." } }
        @if f.can(&CreatePlantings::DEF) { (plant_form(&f, &c)) }
    };
    Ok(f.page("Plant batches", "plantbatches", body)
        .into_response())
}

/// Where a lot came from: a package's or a mother plant's tag.
fn source_of(b: &PlantBatch) -> String {
    b.source_package_label
        .clone()
        .or_else(|| b.source_plant_label.clone())
        .unwrap_or_default()
}

/// Planting a new lot: it names its source (rule 22), a package of clones or seeds or a plant.
fn plant_form(f: &Frame, c: &Choices) -> Markup {
    let action = f.url("plantbatches/plant");
    let pf = f.prefill(&action);
    // A problem with the source names it: "source", the package, or the mother plant's tag.
    let mother = pf.value("source_plant", "");
    let mut source_words = vec!["source", "package"];
    if !mother.is_empty() {
        source_words.push(mother.as_str());
    }
    html! {
        h2 { "Plant a new lot" }
        section.card.actions aria-label="Plant a new lot" { form #plant-form method="post" action=(action) {
            (csrf_field(f.csrf()))
            fieldset { legend { "New lot" }
                label { "Lot name" input type="text" name="name" size="20" required value=(pf.value("name", "")); }
                (pf.problem(&["name"]))
                label { "Type" (select("type", PlantBatchType::ALL.iter().map(|t| t.as_str()), &pf, "Clone")) }
                label { "Plants (at most " (MAX_LOT) ")" input type="number" name="count" min="1" max=(MAX_LOT) step="1" inputmode="numeric" required value=(pf.value("count", "")); }
                (pf.problem(&["count", "exceed"]))
                label { "From a package of clones or seeds" select name="source_package" {
                    option value="" { "none" }
                    @for (label, what) in &c.sources { option value=(label) selected[pf.chosen("source_package", label, false)] { (what) } }
                } }
                label { "or from a mother plant" select name="source_plant" {
                    option value="" { "none" }
                    @for label in &c.mothers { option value=(label) selected[pf.chosen("source_plant", label, false)] { (label) } }
                } }
                (pf.problem(&source_words))
                // The strain is the source's unless said otherwise: clones of Sour Diesel are
                // Sour Diesel, and a default of the first strain in the list would mislabel them.
                label { "Strain" select name="strain" {
                    option value=(SOURCE_STRAIN) selected[pf.chosen("strain", SOURCE_STRAIN, true)] { "the source's strain" }
                    @for x in &c.strains { option value=(x.name) selected[pf.chosen("strain", &x.name, false)] { (x.name) } }
                } }
                (pf.problem(&["strain"]))
                label { "Location" (select("location", c.batch_places.iter().map(|l| l.name.as_str()), &pf, "")) }
                (pf.problem(&["location"]))
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

/// `GET …/plantbatches/{id}`: a lot, what became of its plants, and its forms.
pub async fn lot(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let f = frame(&s, signed, &license, VIEW).await?;
    let b: PlantBatch = s.ledger.get(&f.scope, id, "Plant batch").await?;
    let tagged = ListQuery {
        newest_first: true,
        ..Default::default()
    }
    .with(Column::PlantBatchId, [b.id]);
    let plants = s.ledger.list::<Plant>(&f.scope, tagged).await?.rows;
    let open = b.active && b.untracked_count > 0;
    let (places, tags) = if open {
        (
            super::locations(&s, &f.scope, |t| t.for_plants).await?,
            super::free_tags(&s, &f.scope, TagKind::Plant).await?,
        )
    } else {
        (vec![], vec![])
    };
    let plants_url = f.url("plants");
    let body = html! {
        h1 { "Lot " (b.name) }
        (notices(f.flash()))
        (super::path_links(&f))
        div.card { table.fields #facts {
            tr { th { "Type" } td { (b.plant_batch_type.as_str()) } th { "Strain" } td { (b.strain_name) } }
            tr { th { "Plants in the lot" } td #count { strong { (b.untracked_count) } } th { "Location" } td { (b.location_name) @if let Some(sub) = &b.sublocation_name { " / " (sub) } } }
            tr { th { "Tagged from it" } td { (b.tracked_count) } th { "Destroyed" } td { (b.destroyed_count) } }
            tr { th { "Planted" } td { (date(&b.planted_date)) } th { "Source" } td.mono { (source_of(&b)) } }
            tr { th { "Last changed" } td colspan="3" { (f.when(&b.last_modified)) } }
        } }
        @if open {
            (lot_actions(&f, &b, &places, &tags))
        } @else {
            p.muted #lot-closed { "No plants are left in this lot: its plants are tagged, destroyed or packaged." }
        }
        h2 { "Plants tagged from this lot" }
        (wide(html! { table.stack.cult #lot-plants {
            thead { tr { th { "Tag" } th { "Phase" } th { "Location" } th { "Tagged" } th { "State" } } }
            tbody { @for p in &plants { tr {
                td.mono data-th="Tag" { (p.label) }
                td data-th="Phase" { (p.growth_phase.as_str()) }
                td data-th="Location" { (p.location_name) }
                td data-th="Tagged" { (p.vegetative_date.as_deref().or(p.flowering_date.as_deref()).map(date).unwrap_or_default()) }
                td data-th="State" { (plant_state(p, &plants_url)) }
            } } }
        } }))
        @if plants.is_empty() { p.muted { "No plants tagged yet." } }
    };
    Ok(f.page(&format!("Lot {}", b.name), "plantbatches", body)
        .into_response())
}

/// A tagged plant's state, linked to the list of plants it is in.
fn plant_state(p: &Plant, plants_url: &str) -> Markup {
    let tab = match p.list_status() {
        "Flowering" if !p.is_mother => "flowering",
        "Vegetative" if !p.is_mother => "vegetative",
        "Vegetative" | "Flowering" => "mother",
        "OnHold" => "onhold",
        _ => "inactive",
    };
    let words = match tab {
        "inactive" => p.list_status(),
        "onhold" => "On hold",
        "mother" => "Mother plant",
        _ => "Growing",
    };
    html! { a href=(with_query(plants_url, &[("tab", tab)])) { (words) } }
}

/// A lot's forms: into the vegetative or flowering phase, waste, destroy.
fn lot_actions(f: &Frame, b: &PlantBatch, places: &[Location], tags: &[String]) -> Markup {
    let base = f.url(&format!("plantbatches/{}", b.id));
    let phase = f.prefill(&format!("{base}/phase"));
    let waste = f.prefill(&format!("{base}/waste"));
    let destroy = f.prefill(&format!("{base}/destroy"));
    let csrf = f.csrf();
    html! {
        h2 { "Actions" }
        section.card.actions #lot-actions aria-label={ "Actions on lot " (b.name) } {
            @if f.can(&ChangeBatchGrowthPhase::DEF) {
                form #phase-form method="post" action={ (base) "/phase" } {
                    (csrf_field(csrf))
                    fieldset { legend { "Tag plants into the vegetative or flowering phase" }
                        (tags_note(b, tags))
                        label { "Plants" input type="number" name="count" min="1" max=(b.untracked_count) step="1" inputmode="numeric" required value=(phase.value("count", "")); }
                        (phase.problem(&["count", "less than zero"]))
                        label { "Phase" (select("phase", ["Vegetative", "Flowering"], &phase, "Vegetative")) }
                        label { "Starting tag" (select("starting_tag", tags.iter().map(String::as_str), &phase, "")) }
                        (phase.problem(&["tag"]))
                        label { "Location" (select("location", places.iter().map(|l| l.name.as_str()), &phase, &b.location_name)) }
                        (phase.problem(&["location", "canopy"]))
                        label { "Date (blank: today)" input type="date" name="date" value=(phase.value("date", "")); }
                        (phase.problem(&["date"]))
                        button.act type="submit" { "Tag and move" }
                    }
                }
            }
            @if f.can(&RecordBatchWaste::DEF) {
                form #waste-form method="post" action={ (base) "/waste" } {
                    (csrf_field(csrf))
                    fieldset { legend { "Record waste (no plants destroyed)" }
                        (waste_fields(&waste))
                        button.act type="submit" { "Record waste" }
                    }
                }
            }
            @if f.can(&DestroyBatchPlants::DEF) {
                form #destroy-form method="post" action={ (base) "/destroy" } {
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
                ": moving " (n) @if n == 1 { " plant" } @else { " plants" } " from " span.mono { (first) } " uses " span.mono { (first) } " to " span.mono { (last) } "."
            } @else { "." }
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
        let strain = match form.text("strain") {
            Some(named) => Some(named),
            None => source_strain(&s, &signed, &license, form).await?,
        };
        let spec = Planting {
            name: form.text("name"),
            batch_type: form.text("type"),
            count: whole(form, "count", "Plants")?,
            strain,
            location: form.text("location"),
            actual_date: day(&s, form, "date"),
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

/// The strain of the planting's source (a package's item's, or a mother plant's), for a form
/// that left the strain to the source. None when the source names none; the ledger then says
/// the strain is missing.
async fn source_strain(
    s: &WebState,
    signed: &Signed,
    license: &str,
    form: &Fields,
) -> Result<Option<String>, WebError> {
    let scope = s.ledger.scope(&signed.acting, license).await?;
    // Labels are kept in upper case.
    let by_label =
        |label: String| ListQuery::default().with(Column::Label, [label.to_ascii_uppercase()]);
    if let Some(label) = form.text("source_package") {
        let found = s
            .ledger
            .list::<Package>(&scope, by_label(label))
            .await?
            .rows;
        return Ok(found.into_iter().next().and_then(|p| p.item_strain_name));
    }
    if let Some(label) = form.text("source_plant") {
        let found = s.ledger.list::<Plant>(&scope, by_label(label)).await?.rows;
        return Ok(found.into_iter().next().map(|p| p.strain_name));
    }
    Ok(None)
}

/// `POST …/plantbatches/{id}/{phase|waste|destroy}`: back to the lot's page.
pub async fn act(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id, what)): Path<(String, i64, String)>,
    posted: Posted,
) -> Response {
    let to = format!("/ui/l/{}/plantbatches/{id}", segment(&license));
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
                    growth_date: day(&s, form, "date"),
                };
                let w = s
                    .ledger
                    .run_as::<ChangeBatchGrowthPhase>(who, &license, posted.door(None), &vec![spec])
                    .await?;
                let to = form.text("phase").unwrap_or_default().to_lowercase();
                done(
                    &w,
                    &format!("{} plants tagged and moved to {to}", w.ids.len()),
                )
            }
            "waste" => {
                let spec = BatchWasteSpec {
                    batch: name,
                    waste: waste_spec(&s, form)?,
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
                    waste: waste_spec(&s, form)?,
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
