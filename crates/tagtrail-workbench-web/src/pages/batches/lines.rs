//! A batch's lines: the tables of what it draws, makes, wastes and does (each with who
//! recorded it and when), the forms that record them with the license's synced packages,
//! tags, items and locations as suggestions, and removing a line recorded in error.

use super::super::Lic;
use super::detail::detail_page;
use super::{decimal, grams, may_produce, optional_decimal, refused};
use crate::AppState;
use crate::error::{Fail, Result};
use crate::form::{Fields, Refill};
use crate::page::{acting_for, csrf_field, refusal, segment, when, wide};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use serde_json::Value;
use std::collections::BTreeSet;
use tagtrail_domain::quantity::{QuantityType, UNITS, unit};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::batches::{Batch, Line, ProcessStep, Recorded};
use tagtrail_workbench::model::batch::{Amount, Input, Output, Status, Waste};

/// How many of the license's free tags the new-output form suggests: enough to choose from,
/// few enough for the page.
const TAGS_SUGGESTED: usize = 200;

/// What the license's last sync knows, for the forms' suggestions.
pub(super) struct Suggestions {
    /// Open packages: label, and "item · quantity unit" to tell them apart.
    packages: Vec<(String, String)>,
    tags: Vec<String>,
    items: BTreeSet<String>,
    locations: BTreeSet<String>,
}

fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// The names of synced records that are not archived.
fn names(records: &[(String, Value)]) -> BTreeSet<String> {
    records
        .iter()
        .filter(|(_, v)| v.get("IsArchived").and_then(Value::as_bool) != Some(true))
        .filter_map(|(_, v)| v.get("Name").and_then(Value::as_str))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

pub(super) async fn suggestions(s: &AppState, l: &Lic) -> Result<Suggestions> {
    let packages =
        s.wb.records(&l.lic, "package")
            .await?
            .into_iter()
            .filter(|(_, v)| v.get("IsFinished").and_then(Value::as_bool) != Some(true))
            .map(|(label, v)| {
                let item = v
                    .get("Item")
                    .and_then(|i| i.get("Name"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let what = format!(
                    "{item} · {} {}",
                    text(&v, "Quantity"),
                    text(&v, "UnitOfMeasureName")
                );
                (label, what)
            })
            .collect();
    let tags =
        s.wb.records(&l.lic, "tag")
            .await?
            .into_iter()
            .map(|(label, _)| label)
            .take(TAGS_SUGGESTED)
            .collect();
    Ok(Suggestions {
        packages,
        tags,
        items: names(&s.wb.records(&l.lic, "item").await?),
        locations: names(&s.wb.records(&l.lic, "location").await?),
    })
}

/// "100 Grams", "140 Each (1 g each)".
fn amount(a: &Amount) -> Markup {
    html! {
        (a.quantity.normalize()) " " (a.unit)
        @if let Some(g) = a.grams_each { " " span.muted { "(" (grams(g)) " g each)" } }
    }
}

/// Who recorded a line and when.
fn recorded<T>(zone: &tagtrail_web::Zone, r: &Recorded<T>) -> Markup {
    html! { (r.by) ", " (when(zone, r.at)) }
}

/// The remove button of a line, while the batch is open.
fn remove(l: &Lic, b: &Batch, line: i64, what: &str) -> Markup {
    html! {
        form.inline method="post" action=(l.url(&format!("/batches/{}/line/{line}/remove", b.id))) {
            (csrf_field(&l.signed.csrf))
            button.small type="submit" aria-label={ "Remove " (what) } { "Remove" }
        }
    }
}

/// The four tables of a batch's lines.
pub(super) fn tables(l: &Lic, zone: &tagtrail_web::Zone, b: &Batch) -> Markup {
    let editable = b.status.open() && may_produce(l);
    let pkg = |label: &str| l.url(&format!("/packages/{}", segment(label)));
    html! {
        h3 #inputs { "Inputs" }
        @if b.inputs.is_empty() { p.muted { "No input recorded yet." } } @else {
            (wide("Inputs", html! {
                table.cards.lines {
                    thead { tr { th.row { "#" } th { "Package" } th { "Quantity" } th { "Unit" } th { "Recorded" } @if editable { th { span.sr { "Remove" } } } } }
                    tbody { @for (i, r) in b.inputs.iter().enumerate() { tr {
                        td.row data-label="#" { "input " (i + 1) }
                        @if r.line.untracked {
                            td data-label="Package" { (r.line.package) " " span.muted { "(ingredient, not a Metrc package)" } }
                        } @else {
                            td.mono data-label="Package" { a href=(pkg(&r.line.package)) { (r.line.package) } }
                        }
                        td.num data-label="Quantity" { (r.line.amount.quantity.normalize()) @if let Some(g) = r.line.amount.grams_each { " " span.muted { "(" (grams(g)) " g each)" } } }
                        td data-label="Unit" { (r.line.amount.unit) }
                        td data-label="Recorded" { (recorded(zone, r)) }
                        @if editable { td data-label="" { (remove(l, b, r.id, &format!("input {}", i + 1))) } }
                    } } }
                }
            }))
        }
        h3 #outputs { "Outputs (new packages)" }
        @if b.outputs.is_empty() { p.muted { "No output recorded yet." } } @else {
            (wide("Outputs", html! {
                table.cards.lines {
                    thead { tr { th.row { "#" } th { "New tag" } th { "Item" } th { "Quantity" } th { "Unit" } th { "Unit weight" } th { "Location" } th { "Recorded" } @if editable { th { span.sr { "Remove" } } } } }
                    tbody { @for (i, r) in b.outputs.iter().enumerate() { tr {
                        td.row data-label="#" { "output " (i + 1) }
                        // A new tag is a package once Metrc accepted the batch.
                        td.mono data-label="New tag" { @if b.status == Status::Accepted { a href=(pkg(&r.line.tag)) { (r.line.tag) } } @else { (r.line.tag) } }
                        td data-label="Item" { (r.line.item) }
                        td.num data-label="Quantity" { (r.line.amount.quantity.normalize()) }
                        td data-label="Unit" { (r.line.amount.unit) }
                        td.num data-label="Unit weight" { @if let Some(g) = r.line.amount.grams_each { (grams(g)) " g" } @else { span.muted { "—" } } }
                        td data-label="Location" { (r.line.location.as_deref().unwrap_or("")) }
                        td data-label="Recorded" { (recorded(zone, r)) }
                        @if editable { td data-label="" { (remove(l, b, r.id, &format!("output {}", i + 1))) } }
                    } } }
                }
            }))
        }
        h3 #waste { "Waste" }
        @if b.waste.is_empty() { p.muted { "No waste recorded." } } @else {
            (wide("Waste", html! {
                table.cards.lines {
                    thead { tr { th.row { "#" } th { "Method" } th { "Weight" } th { "Reason" } th { "Witness" } th { "Recorded" } @if editable { th { span.sr { "Remove" } } } } }
                    tbody { @for (i, r) in b.waste.iter().enumerate() { tr {
                        td.row data-label="#" { "waste " (i + 1) }
                        td data-label="Method" { (r.line.method) }
                        td.num data-label="Weight" { (amount(&r.line.amount)) }
                        td data-label="Reason" { (r.line.reason) }
                        td data-label="Witness" { (r.line.witness) }
                        td data-label="Recorded" { (recorded(zone, r)) }
                        @if editable { td data-label="" { (remove(l, b, r.id, &format!("waste {}", i + 1))) } }
                    } } }
                }
            }))
        }
        h3 #steps { "Process steps" }
        @if b.steps.is_empty() { p.muted { "No step recorded." } } @else {
            (wide("Process steps", html! {
                table.cards.lines {
                    thead { tr { th.row { "#" } th { "What" } th { "Operator" } th { "Done" } th { "Notes" } th { "Recorded" } @if editable { th { span.sr { "Remove" } } } } }
                    tbody { @for (i, r) in b.steps.iter().enumerate() { tr {
                        td.row data-label="#" { "step " (i + 1) }
                        td data-label="What" { (r.line.what) }
                        td data-label="Operator" { (r.line.operator) }
                        td data-label="Done" { (when(zone, r.line.done(r.at))) }
                        td.notes data-label="Notes" { (r.line.notes) }
                        td data-label="Recorded" { (recorded(zone, r)) }
                        @if editable { td data-label="" { (remove(l, b, r.id, &format!("step {}", i + 1))) } }
                    } } }
                }
            }))
        }
    }
}

/// A unit select: `only` limits it to one kind of unit (waste is weighed).
fn unit_select(id: &str, chosen: &str, only: Option<QuantityType>) -> Markup {
    html! {
        select id=(id) name="unit" {
            @for u in UNITS.iter().filter(|u| u.active && only.is_none_or(|q| u.quantity_type == q)) {
                option value=(u.name) selected[chosen == u.name] { (u.name) }
            }
        }
    }
}

fn datalist<'a>(id: &str, options: impl Iterator<Item = &'a String>) -> Markup {
    html! { datalist id=(id) { @for o in options { option value=(o) {} } } }
}

/// The quantity, unit and unit-weight fields of a line's form.
fn amount_fields(form: &str, refill: Option<&Refill>, default_unit: &str) -> Markup {
    let v = |name: &str| Refill::value(refill, form, name);
    let typed_unit = v("unit");
    let chosen = if typed_unit.is_empty() {
        default_unit.to_string()
    } else {
        typed_unit
    };
    html! {
        div.row {
            div {
                label for={ (form) "-quantity" } { "Quantity" }
                input type="text" id={ (form) "-quantity" } name="quantity" inputmode="decimal" required value=(v("quantity"));
            }
            div {
                label for={ (form) "-unit" } { "Unit" }
                (unit_select(&format!("{form}-unit"), &chosen, None))
            }
            div {
                label for={ (form) "-each" } { "Grams per unit" }
                input type="text" id={ (form) "-each" } name="grams_each" inputmode="decimal" aria-describedby={ (form) "-each-hint" } value=(v("grams_each"));
            }
        }
        p.hint id={ (form) "-each-hint" } { "Only for a count (Each) or a volume: the weight of one, so the line can be weighed in the balance." }
    }
}

/// The forms that record lines, while the batch is open.
pub(super) fn forms(l: &Lic, b: &Batch, sug: &Suggestions, refill: Option<&Refill>) -> Markup {
    let action = l.url(&format!("/batches/{}/line", b.id));
    let v = |form: &str, name: &str| Refill::value(refill, form, name);
    let open = |form: &str| Refill::error(refill, form).is_some();
    html! {
        datalist #packages { @for (label, what) in &sug.packages { option value=(label) { (what) } } }
        (datalist("free-tags", sug.tags.iter()))
        (datalist("items", sug.items.iter()))
        (datalist("locations", sug.locations.iter()))
        datalist #waste-methods { option value="Mixed with kitty litter" {} option value="Mixed with soil" {} option value="Ground and mixed with cat litter" {} option value="Composted" {} }
        div.addlines {
            details.addline open[open("input") || (b.inputs.is_empty() && refill.is_none())] {
                summary { "Record an input" }
                form.stack method="post" action=(action) {
                    (csrf_field(&l.signed.csrf))
                    input type="hidden" name="kind" value="input";
                    (refusal(Refill::error(refill, "input")))
                    label for="input-package" { "Package tag, or the ingredient's name" }
                    input type="text" id="input-package" name="package" list="packages" required value=(v("input", "package"));
                    label.choice { input type="checkbox" name="untracked" value="yes" checked[v("input", "untracked") == "yes"]; " Not a Metrc package: an ingredient such as sugar or gummy base, weighed for the balance and never sent to Metrc" }
                    (amount_fields("input", refill, "Grams"))
                    div.buttons { button.act type="submit" { "Record the input" } (acting_for(&l.lic)) }
                }
            }
            details.addline open[open("output")] {
                summary { "Record an output" }
                form.stack method="post" action=(action) {
                    (csrf_field(&l.signed.csrf))
                    input type="hidden" name="kind" value="output";
                    (refusal(Refill::error(refill, "output")))
                    label for="output-tag" { "New package tag" }
                    input type="text" id="output-tag" name="tag" list="free-tags" required autocapitalize="characters" value=(v("output", "tag"));
                    label for="output-item" { "Item" }
                    input type="text" id="output-item" name="item" list="items" required value=(v("output", "item"));
                    (amount_fields("output", refill, "Each"))
                    label for="output-location" { "Location (optional)" }
                    input type="text" id="output-location" name="location" list="locations" value=(v("output", "location"));
                    div.buttons { button.act type="submit" { "Record the output" } (acting_for(&l.lic)) }
                }
            }
            details.addline open[open("waste")] {
                summary { "Record waste" }
                form.stack method="post" action=(action) {
                    (csrf_field(&l.signed.csrf))
                    input type="hidden" name="kind" value="waste";
                    (refusal(Refill::error(refill, "waste")))
                    label for="waste-method" { "How it was made unusable" }
                    input type="text" id="waste-method" name="method" list="waste-methods" required value=(v("waste", "method"));
                    div.row {
                        div {
                            label for="waste-quantity" { "Weight" }
                            input type="text" id="waste-quantity" name="quantity" inputmode="decimal" required value=(v("waste", "quantity"));
                        }
                        div {
                            label for="waste-unit" { "Unit" }
                            @let u = v("waste", "unit");
                            (unit_select("waste-unit", if u.is_empty() { "Grams" } else { &u }, Some(QuantityType::WeightBased)))
                        }
                    }
                    label for="waste-reason" { "Reason" }
                    input type="text" id="waste-reason" name="reason" required maxlength="1000" value=(v("waste", "reason"));
                    label for="waste-witness" { "Witness" }
                    input type="text" id="waste-witness" name="witness" required maxlength="200" value=(v("waste", "witness"));
                    div.buttons { button.act type="submit" { "Record the waste" } (acting_for(&l.lic)) }
                }
            }
            details.addline open[open("step")] {
                summary { "Record a process step" }
                form.stack method="post" action=(action) {
                    (csrf_field(&l.signed.csrf))
                    input type="hidden" name="kind" value="step";
                    (refusal(Refill::error(refill, "step-line")))
                    label for="step-what" { "What was done" }
                    input type="text" id="step-what" name="what" required maxlength="200" value=(v("step-line", "what"));
                    label for="step-operator" { "Operator" }
                    @let typed = v("step-line", "operator");
                    input type="text" id="step-operator" name="operator" required maxlength="200" value=(if refill.is_some_and(|r| r.form == "step-line") { typed } else { l.signed.caller.full_name.clone() });
                    label for="step-done" { "When it was done (optional)" }
                    input type="datetime-local" id="step-done" name="done_at" aria-describedby="step-done-hint" value=(v("step-line", "done_at"));
                    p.hint #step-done-hint { "On the facility's clock. Leave it empty for now; fill it in when writing up a run from the floor's record." }
                    label for="step-notes" { "Notes (optional)" }
                    textarea id="step-notes" name="notes" maxlength="4000" { (v("step-line", "notes")) }
                    div.buttons { button.act type="submit" { "Record the step" } (acting_for(&l.lic)) }
                }
            }
        }
    }
}

/// The amount a line's form describes.
fn amount_of(f: &Fields, what: &str) -> std::result::Result<Amount, String> {
    let u = f.get("unit").trim();
    if unit(u).is_none() {
        return Err(format!("Choose the unit of the {what}."));
    }
    Ok(Amount {
        quantity: decimal(f.get("quantity"), &format!("{what}'s quantity"))?,
        unit: u.to_string(),
        grams_each: optional_decimal(f.get("grams_each"), "grams per unit")?,
    })
}

/// The line a form describes and the form's name, or what is missing.
fn line_of(
    f: &Fields,
    zone: &tagtrail_web::Zone,
) -> (&'static str, std::result::Result<Line, String>) {
    let t = |name: &str| f.get(name).trim().to_string();
    match f.get("kind") {
        "input" => (
            "input",
            amount_of(f, "input").map(|amount| {
                let untracked = f.get("untracked") == "yes";
                Line::Input(Input {
                    // A tag is upper case; an ingredient's name is kept as typed.
                    package: if untracked {
                        t("package")
                    } else {
                        t("package").to_ascii_uppercase()
                    },
                    amount,
                    untracked,
                })
            }),
        ),
        "output" => (
            "output",
            amount_of(f, "output").map(|amount| {
                Line::Output(Output {
                    tag: t("tag").to_ascii_uppercase(),
                    item: t("item"),
                    amount,
                    location: Some(t("location")).filter(|x| !x.is_empty()),
                })
            }),
        ),
        "waste" => (
            "waste",
            amount_of(f, "waste").map(|amount| {
                Line::Waste(Waste {
                    method: t("method"),
                    amount,
                    reason: t("reason"),
                    witness: t("witness"),
                })
            }),
        ),
        "step" => {
            // Empty means now; otherwise the facility's wall clock, as the floor wrote it.
            let done_at = match t("done_at").as_str() {
                "" => Ok(None),
                typed => zone.instant(typed).map(Some).ok_or_else(|| {
                    format!("{typed} is not a time on the facility's clock; give the date and time the step was done.")
                }),
            };
            (
                "step-line",
                done_at.map(|done_at| {
                    Line::Step(ProcessStep {
                        what: t("what"),
                        operator: t("operator"),
                        notes: t("notes"),
                        done_at,
                    })
                }),
            )
        }
        _ => ("lines", Err("Choose what kind of line to record.".into())),
    }
}

fn recorded_words(line: &Line) -> String {
    match line {
        Line::Input(i) if i.untracked => format!(
            "Ingredient recorded: {} {} of {} (not a Metrc package).",
            i.amount.quantity.normalize(),
            i.amount.unit,
            i.package
        ),
        Line::Input(i) => format!(
            "Input recorded: {} {} from {}.",
            i.amount.quantity.normalize(),
            i.amount.unit,
            i.package
        ),
        Line::Output(o) => format!(
            "Output recorded: {} {} of {} as {}.",
            o.amount.quantity.normalize(),
            o.amount.unit,
            o.item,
            o.tag
        ),
        Line::Waste(w) => format!(
            "Waste recorded: {} {}.",
            w.amount.quantity.normalize(),
            w.amount.unit
        ),
        Line::Step(s) => format!("Step recorded: {}.", s.what),
    }
}

pub async fn add_line(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let id = l.id()?;
    let (form, line) = line_of(&fields, &s.options.zone);
    let refuse = |status: StatusCode, m: String| {
        let (s, l, fields) = (&s, &l, &fields);
        async move {
            let r = Refill::new(form, fields, m);
            detail_page(s, l, id, status, Some(&r)).await
        }
    };
    let line = match line {
        Ok(line) => line,
        Err(m) => return refuse(StatusCode::BAD_REQUEST, m).await,
    };
    let words = recorded_words(&line);
    match s
        .wb
        .add_batch_line(&l.signed.caller, Door::Web, &l.lic, id, line)
        .await
    {
        Ok(_) => Ok(l
            .done(&s, &l.url(&format!("/batches/{id}#lines")), &words)
            .await),
        Err(e) => {
            let f = refused(e)?;
            refuse(f.status, f.message).await
        }
    }
}

pub async fn remove_line(State(s): State<AppState>, l: Lic, fields: Fields) -> Result<Response> {
    let id = l.id()?;
    let line: i64 = l.param("line").parse().map_err(|_| Fail::not_found())?;
    match s
        .wb
        .remove_batch_line(&l.signed.caller, Door::Web, &l.lic, id, line)
        .await
    {
        Ok(()) => Ok(l
            .done(
                &s,
                &l.url(&format!("/batches/{id}#lines")),
                "Line removed. The audit log keeps what it said.",
            )
            .await),
        Err(e) => {
            let f = refused(e)?;
            let r = Refill::new("lines", &fields, f.message);
            detail_page(&s, &l, id, f.status, Some(&r)).await
        }
    }
}
