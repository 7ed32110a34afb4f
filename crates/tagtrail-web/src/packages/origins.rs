//! The lineage section's "Grown from" and "Grown into" tables: the harvests, plants and plant
//! batches a package's ancestry and descent pass through, as the scoped lineage read gives them.
//! Another license's harvest is its name and plant count only; the read stops there, so nothing
//! of its plants can show. Downward the read lists only the viewer's own batches, plants and
//! harvests (packages made from them are with the packages above).

use crate::frame::Frame;
use crate::layout::wide;
use crate::when::date;
use maud::{Markup, html};
use tagtrail_app::reads::{Grown, Offspring, Origin};

/// Plant rows shown before the rest are folded into one line of tags (a harvest may hold
/// hundreds of plants).
const PLANT_ROWS: usize = 25;

/// "planted Jan 2, 2026 · vegetative … · flowering … · harvested …", the dates a plant has.
fn plant_dates(p: &tagtrail_domain::records::Plant) -> String {
    [
        ("planted", Some(&p.planted_date)),
        ("vegetative", p.vegetative_date.as_ref()),
        ("flowering", p.flowering_date.as_ref()),
        ("mother since", p.mother_plant_date.as_ref()),
        ("harvested", p.harvested_date.as_ref()),
        ("destroyed", p.destroyed_date.as_ref()),
    ]
    .into_iter()
    .filter_map(|(what, d)| d.map(|d| format!("{what} {}", date(d))))
    .collect::<Vec<_>>()
    .join(" · ")
}

/// A unit's abbreviation ("g" for Grams), or its name if it has none.
fn abbr(unit: &str) -> &str {
    tagtrail_domain::quantity::unit(unit).map_or(unit, |u| u.abbreviation)
}

/// One row: a cultivation record of the lineage, at its depth, with what it feeds or came from.
struct Row<'a> {
    depth: u32,
    grown: &'a Grown,
    names: &'a [String],
}

fn row(f: &Frame, o: &Row) -> Markup {
    let of = o.names.join(", ");
    html! { tr {
        td { (o.depth) }
        @match o.grown {
            Grown::Harvest(h) => {
                td { "Harvest" }
                td { a href=(f.url(&format!("harvests/{}", h.id))) { (h.name) } }
                td { (h.strain_names.join(", ")) }
                td.num { (h.total_wet_weight) " " (abbr(&h.unit_of_weight)) " wet" br; (h.plant_count()) " plants" }
                td { "started " (date(&h.harvest_start_date)) @if let Some(d) = &h.finished_date { " · finished " (date(d)) } }
            }
            Grown::OtherHarvest { name, plant_count } => {
                td { "Harvest" } td { (name) } td {}
                td.num { (plant_count) " plants" }
                td.muted { "another license's harvest" }
            }
            Grown::Plant(p) => {
                td { @if p.is_mother { "Mother plant" } @else { "Plant" } }
                td.mono { (p.label) }
                td { (p.strain_name) }
                td.num { @if let (Some(w), Some(u)) = (p.harvested_wet_weight, &p.harvested_unit_of_weight_name) { (w) " " (abbr(u)) " wet" } }
                td { (plant_dates(p)) }
            }
            Grown::PlantBatch(b) => {
                td { "Plant batch (" (b.plant_batch_type.as_str()) ")" }
                td { (b.name) @if let Some(t) = &b.tag { " " span.mono { (t) } } }
                td { (b.strain_name) }
                td.num { (b.tracked_count) " tagged" br; (b.untracked_count) " in the lot" }
                td {
                    "planted " (date(&b.planted_date))
                    @if let Some(l) = &b.source_package_label { " from package " span.mono { (l) } }
                    @if let Some(l) = &b.source_plant_label { " from mother plant " span.mono { (l) } }
                    @if !b.source_plant_batch_names.is_empty() { " from batch " (b.source_plant_batch_names.join(", ")) }
                }
            }
        }
        td { (of) }
    } }
}

/// The "Grown from" table, or nothing when the ancestry reaches no harvest.
pub fn table(f: &Frame, origins: &[Origin]) -> Markup {
    let rows: Vec<Row> = origins
        .iter()
        .map(|o| Row {
            depth: o.depth,
            grown: &o.grown,
            names: &o.source_of,
        })
        .collect();
    section(
        f,
        &rows,
        ("Grown from", "origins", "Source of"),
        "The harvests the package was made from, the plants harvested into them, their plant batches and what each batch was planted from (a seeds or clones package is listed with the packages above). Another license's harvest shows only its name and how many plants went into it.",
    )
}

/// The "Grown into" table, or nothing when the descent reaches no plant batch: for a recall of
/// a seeds or clones package, what was planted from it and harvested.
pub fn grown_into(f: &Frame, grown: &[Offspring]) -> Markup {
    let rows: Vec<Row> = grown
        .iter()
        .map(|o| Row {
            depth: o.depth,
            grown: &o.grown,
            names: &o.grown_from,
        })
        .collect();
    section(
        f,
        &rows,
        ("Grown into", "grown-into", "Grown from"),
        "Your plant batches planted from the package, their plants and the harvests they went into (the packages made from those harvests are listed with the packages above). Batches another license planted from it are not shown.",
    )
}

/// A table of rows under `title`, its plants past the first few folded into one line of tags.
fn section(f: &Frame, rows: &[Row], (title, id, last): (&str, &str, &str), note: &str) -> Markup {
    if rows.is_empty() {
        return html! {};
    }
    let is_plant = |o: &&Row| matches!(o.grown, Grown::Plant(_));
    let folded: Vec<&Row> = rows.iter().filter(is_plant).skip(PLANT_ROWS).collect();
    let mut plants = 0;
    html! {
        h3 { (title) }
        (wide(html! { table id=(id) {
            thead { tr { th { "Depth" } th { "What" } th { "Tag or name" } th { "Strain" } th { "Weight or count" } th { "Dates" } th { (last) } } }
            tbody {
                @for o in rows {
                    @if matches!(o.grown, Grown::Plant(_)) {
                        @if { plants += 1; plants <= PLANT_ROWS } { (row(f, o)) }
                    } @else { (row(f, o)) }
                }
                @if !folded.is_empty() {
                    tr { td colspan="7" { details {
                        summary { (folded.len()) " more plants" }
                        @for o in &folded { @if let Grown::Plant(p) = o.grown { span.mono { (p.label) } " " } }
                    } } }
                }
            }
        } }))
        p.muted { (note) }
    }
}
