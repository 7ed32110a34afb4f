//! New packages from source packages (rule 23): a package made from one or more sources, a
//! testing sample pulled from a package for a laboratory (rule 36), and a repackage of one source
//! into several new packages.
//!
//! Each new package takes a received, unused package tag of this facility (rules 11, 13); what it
//! takes from each source leaves that source, which never goes below zero (rule 28); its unit
//! must measure the way its item does (rule 29). The forms offer only what can be chosen (the
//! facility's received tags, its items, locations and active packages); the ledger decides.
//!
//! A repackage is one request of several new packages, as `POST /packages/v2` takes them: the
//! ledger checks each row against what the earlier rows took and writes all of them or none.
//!
//! A create is reviewed before it is made: the review names the tags it uses for good and each
//! source's quantity before and after.

use super::words::{measured, plain, plainly};
use crate::WebState;
use crate::confirm;
use crate::error::WebError;
use crate::fields::{Fields, Posted};
use crate::flash::{Flash, Prefill, Typed, notices, reply};
use crate::frame::Frame;
use crate::layout::csrf_field;
use crate::session::Signed;
use crate::status;
use crate::urls::{segment, with_query};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::HashMap;
use tagtrail_app::actions::packages::{Create, CreateTesting};
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_app::{Action, Scope};
use tagtrail_domain::commands::packages::{Ingredient, NewPackage, check_changeable};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::quantity::{self, QuantityType, UNITS};
use tagtrail_domain::records::{Item, Location, Package, Sublocation, Tag};
use tagtrail_domain::reference;
use tagtrail_domain::tag::{TagKind, TagStatus};

/// The most tags and source packages a choice lists (tags in label order, as a roll is used).
const MOST: u32 = 500;
/// Source rows a new package's form starts with, and the most it grows to.
const SOURCE_ROWS: usize = 3;
const MOST_SOURCE_ROWS: usize = 12;
/// New packages a repackage form starts with, and the most one request makes.
const REPACKAGE_ROWS: usize = 3;
const MOST_REPACKAGE_ROWS: usize = 24;

/// What the new-package form makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `POST /packages/v2`.
    Package,
    /// `POST /packages/v2/testing`: a sample for a laboratory (rule 36).
    Sample,
}

impl Kind {
    fn slug(self) -> &'static str {
        match self {
            Kind::Package => "new",
            Kind::Sample => "sample",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Package => "New package",
            Kind::Sample => "New testing sample",
        }
    }

    fn def(self) -> &'static tagtrail_app::Definition {
        match self {
            Kind::Package => &Create::DEF,
            Kind::Sample => &CreateTesting::DEF,
        }
    }
}

/// What the forms offer to choose from.
pub struct Choices {
    pub tags: Vec<Tag>,
    pub items: Vec<Item>,
    pub locations: Vec<Location>,
    pub sublocations: Vec<Sublocation>,
    /// Active packages that may be drawn on (not held, not in transit, not empty).
    pub sources: Vec<Package>,
}

/// The facility's received, unused package tags, in label order.
pub async fn free_tags(s: &WebState, scope: &Scope) -> Result<Vec<Tag>, WebError> {
    let q = ListQuery {
        active: Some(true),
        page: Some((1, MOST)),
        ..Default::default()
    }
    .with(Column::Kind, [TagKind::Package.as_str()])
    .with(Column::Status, [TagStatus::Received.as_str()])
    .sorted(Column::Label, false);
    Ok(s.ledger.list::<Tag>(scope, q).await?.rows)
}

/// The facility's active items, by name.
pub async fn items(s: &WebState, scope: &Scope) -> Result<Vec<Item>, WebError> {
    let q = ListQuery {
        active: Some(true),
        ..Default::default()
    }
    .sorted(Column::NameKey, false);
    Ok(s.ledger.list::<Item>(scope, q).await?.rows)
}

async fn choices(s: &WebState, scope: &Scope) -> Result<Choices, WebError> {
    let active = || ListQuery {
        active: Some(true),
        ..Default::default()
    };
    let sources = ListQuery {
        page: Some((1, MOST)),
        ..active()
    }
    .with(Column::Status, ["Active"])
    .sorted(Column::Label, false);
    let sources = s.ledger.list::<Package>(scope, sources).await?.rows;
    Ok(Choices {
        tags: free_tags(s, scope).await?,
        items: items(s, scope).await?,
        locations: super::locations(s, scope).await?,
        sublocations: s
            .ledger
            .list::<Sublocation>(scope, active().sorted(Column::NameKey, false))
            .await?
            .rows,
        sources: sources
            .into_iter()
            .filter(|p| p.quantity > Decimal::ZERO && check_changeable(p).is_ok())
            .collect(),
    })
}

// ---- the choices as form controls ----

fn item_text(i: &Item) -> String {
    match reference::item_category(&i.category) {
        Some(c) => format!(
            "{} ({}, {} in {})",
            i.name,
            i.category,
            measured(c.quantity_type),
            i.unit_of_measure
        ),
        None => format!("{} ({})", i.name, i.category),
    }
}

/// A source package as a choice: what it is, how much is left, its lab state.
pub fn package_text(p: &Package) -> String {
    format!(
        "{} · {} · {} {} · {}",
        p.label,
        p.item_name,
        p.quantity,
        p.unit_of_measure,
        status::words(p.lab_testing_state)
    )
}

fn tag_select(name: &str, tags: &[Tag], pf: &Prefill, default: Option<&str>) -> Markup {
    html! {
        select name=(name) required {
            @if tags.is_empty() { option value="" { "No received package tags: record a tag shipment's receipt first" } }
            @for t in tags {
                option value=(t.label) selected[pf.chosen(name, t.label.as_str(), default == Some(t.label.as_str()))] { (t.label) }
            }
        }
    }
}

fn item_select(items: &[Item], pf: &Prefill, default: Option<&str>) -> Markup {
    html! {
        select name="item" required {
            option value="" { "Choose an item" }
            @for i in items {
                option value=(i.name) selected[pf.chosen("item", &i.name, default == Some(i.name.as_str()))] { (item_text(i)) }
            }
        }
    }
}

/// Every unit, grouped by how it measures; `blank` offers an empty choice first.
fn unit_select(name: &str, pf: &Prefill, default: Option<&str>, blank: Option<&str>) -> Markup {
    let groups = [
        QuantityType::CountBased,
        QuantityType::WeightBased,
        QuantityType::VolumeBased,
    ];
    html! {
        select name=(name) {
            @if let Some(b) = blank { option value="" selected[pf.chosen(name, "", true)] { (b) } }
            @else if default.is_none() { option value="" { "Choose a unit" } }
            @for g in groups {
                optgroup label=(format!("{} ({})", capitalized(measured(g)), "units")) {
                    @for u in UNITS.iter().filter(|u| u.active && u.quantity_type == g) {
                        option value=(u.name) selected[pf.chosen(name, u.name, default == Some(u.name))] { (u.name) }
                    }
                }
            }
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn location_select(locations: &[Location], pf: &Prefill, default: Option<&str>) -> Markup {
    html! {
        select name="location" required {
            option value="" { "Choose a location" }
            @for l in locations {
                option value=(l.name) selected[pf.chosen("location", &l.name, default == Some(l.name.as_str()))] { (l.name) }
            }
        }
    }
}

fn sublocation_select(subs: &[Sublocation], pf: &Prefill, default: Option<&str>) -> Markup {
    html! {
        select name="sublocation" {
            option value="" selected[pf.chosen("sublocation", "", default.is_none())] { "None" }
            @for l in subs {
                option value=(l.name) selected[pf.chosen("sublocation", &l.name, default == Some(l.name.as_str()))] { (l.name) }
            }
        }
    }
}

/// The packaged date, note and optional dates every new package may carry.
fn details_fields(pf: &Prefill) -> Markup {
    html! {
        label { "Packaged on (blank: today)" input type="date" name="date" value=(pf.value("date", "")); }
        (pf.problem(&["Date "]))
        label { "Note" input type="text" name="note" size="40" maxlength="1000" value=(pf.value("note", "")); }
        details.more-dates {
            summary { "Expiration, sell-by and use-by dates" }
            label { "Expiration date" input type="date" name="expiration" value=(pf.value("expiration", "")); }
            (pf.problem(&["Expiration date"]))
            label { "Sell-by date" input type="date" name="sell_by" value=(pf.value("sell_by", "")); }
            (pf.problem(&["Sell-by date"]))
            label { "Use-by date" input type="date" name="use_by" value=(pf.value("use_by", "")); }
            (pf.problem(&["Use-by date"]))
        }
    }
}

/// Whether the form posting to `action` came back refused.
fn refused_here(flash: Option<&Flash>, action: &str) -> bool {
    flash
        .and_then(|f| f.form.as_ref())
        .is_some_and(|t| t.action == action)
}

// ---- reading the forms ----

/// A decimal as typed; blank is `None`. Commas and spaces are not read as thousands.
fn decimal(form: &Fields, name: &str, what: &str) -> Result<Option<Decimal>, String> {
    match form.text(name) {
        None => Ok(None),
        Some(t) => t
            .parse::<Decimal>()
            .map(Some)
            .map_err(|_| format!("{what}: {t} is not a number; enter one such as 2 or 1.5.")),
    }
}

/// How many rows a form says it has, within `1..=most`.
fn rows_of(form: &Fields, name: &str, start: usize, most: usize) -> usize {
    form.text(name)
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(start)
        .clamp(1, most)
}

/// The parts every new package shares, as posted.
fn common(form: &Fields) -> NewPackage {
    NewPackage {
        item: form.text("item"),
        unit_of_measure: form.text("unit"),
        location: form.text("location"),
        sublocation: form.text("sublocation"),
        note: form.text("note"),
        actual_date: form.text("date"),
        expiration_date: form.text("expiration"),
        sell_by_date: form.text("sell_by"),
        use_by_date: form.text("use_by"),
        ..Default::default()
    }
}

/// The new package of the new-package form: its fields and a source per filled row. A source
/// row left without a quantity takes the new package's own quantity and unit when it is the
/// only source (a package split off as it is); with several sources each says how much.
pub fn new_package(form: &Fields) -> Result<NewPackage, Vec<String>> {
    let mut errors = vec![];
    let mut spec = common(form);
    spec.tag = form.text("tag");
    spec.quantity = decimal(form, "quantity", "Quantity").unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    let rows = rows_of(form, "rows", SOURCE_ROWS, MOST_SOURCE_ROWS);
    let chosen: Vec<(String, Option<String>, Option<String>)> = (1..=rows)
        .filter_map(|i| {
            let take = form.text(&format!("take{i}"));
            match form.text(&format!("source{i}")) {
                Some(src) => Some((src, take, form.text(&format!("take_unit{i}")))),
                None => {
                    if let Some(t) = take {
                        errors.push(format!(
                            "Source row {i}: choose the package the {t} is taken from."
                        ));
                    }
                    None
                }
            }
        })
        .collect();
    let alone = chosen.len() == 1;
    for (src, take, unit) in chosen {
        let what = format!("Quantity taken from {src}");
        let qty = match decimal_text(take.as_deref(), &what) {
            Ok(Some(q)) => Some(q),
            Ok(None) if alone => {
                // The new package's own amount, in its own unit.
                spec.ingredients.push(Ingredient {
                    package: Some(src),
                    quantity: spec.quantity,
                    unit_of_measure: spec.unit_of_measure.clone(),
                });
                continue;
            }
            Ok(None) => {
                errors.push(format!(
                    "{what}: enter how much, since the package has several sources."
                ));
                None
            }
            Err(e) => {
                errors.push(e);
                None
            }
        };
        spec.ingredients.push(Ingredient {
            package: Some(src),
            quantity: qty,
            unit_of_measure: unit,
        });
    }
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

fn decimal_text(text: Option<&str>, what: &str) -> Result<Option<Decimal>, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t
            .parse::<Decimal>()
            .map(Some)
            .map_err(|_| format!("{what}: {t} is not a number; enter one such as 2 or 1.5.")),
    }
}

/// The new packages of a repackage of `source`: one per row with a quantity, each with its tag
/// and what it takes from the source (blank: its own quantity in its own unit).
pub fn repackaged(form: &Fields, source: &Package) -> Result<Vec<NewPackage>, Vec<String>> {
    let mut errors = vec![];
    let mut out = vec![];
    let base = common(form);
    let rows = rows_of(form, "count", REPACKAGE_ROWS, MOST_REPACKAGE_ROWS);
    for i in 1..=rows {
        let qty = decimal(
            form,
            &format!("quantity{i}"),
            &format!("Package {i}: quantity"),
        );
        let take = decimal(
            form,
            &format!("take{i}"),
            &format!("Package {i}: quantity taken from {}", source.label),
        );
        let (qty, take) = match (qty, take) {
            (Ok(q), Ok(t)) => (q, t),
            (q, t) => {
                errors.extend(q.err());
                errors.extend(t.err());
                continue;
            }
        };
        let Some(qty) = qty else {
            if take.is_some() {
                errors.push(format!(
                    "Package {i}: quantity: enter the new package's quantity."
                ));
            }
            continue;
        };
        let ingredient = match take {
            Some(t) => Ingredient {
                package: Some(source.label.to_string()),
                quantity: Some(t),
                unit_of_measure: Some(source.unit_of_measure.clone()),
            },
            None => Ingredient {
                package: Some(source.label.to_string()),
                quantity: Some(qty),
                unit_of_measure: base.unit_of_measure.clone(),
            },
        };
        out.push(NewPackage {
            tag: form.text(&format!("tag{i}")),
            quantity: Some(qty),
            ingredients: vec![ingredient],
            ..base.clone()
        });
    }
    if out.is_empty() && errors.is_empty() {
        errors.push("Package 1: quantity: enter the quantity of at least one new package.".into());
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

// ---- the review ----

/// What the review says a create does: each new package, the tag it uses for good, and each
/// source's quantity before and after. `Err` when a source does not hold what the request takes
/// (rule 28): there is nothing to confirm, and the form comes back saying so.
pub fn review(specs: &[NewPackage], sources: &HashMap<String, Package>) -> Result<String, String> {
    let mut left: HashMap<String, Decimal> = HashMap::new();
    let mut lines = vec![];
    for s in specs {
        let tag = s.tag.clone().unwrap_or_default();
        let qty = s
            .quantity
            .map(|q| q.normalize().to_string())
            .unwrap_or_default();
        let mut line = format!(
            "Tag {tag} becomes {qty} {} of {} at {}",
            s.unit_of_measure.clone().unwrap_or_default(),
            s.item.clone().unwrap_or_default(),
            s.location.clone().unwrap_or_default(),
        );
        let mut takes = vec![];
        for ing in &s.ingredients {
            let label = ing.package.clone().unwrap_or_default().to_ascii_uppercase();
            let q = ing.quantity.unwrap_or_default().normalize();
            let Some(src) = sources.get(&label) else {
                takes.push(format!("{q} from {label}"));
                continue;
            };
            let unit = ing
                .unit_of_measure
                .clone()
                .unwrap_or_else(|| src.unit_of_measure.clone());
            let converted = quantity::unit(&unit)
                .zip(quantity::unit(&src.unit_of_measure))
                .and_then(|(from, to)| quantity::convert(q, from, to).ok());
            let before = left
                .get(&label)
                .copied()
                .unwrap_or(src.quantity)
                .normalize();
            match converted {
                Some(take) => {
                    let take = take.normalize();
                    let after = (before - take).normalize();
                    if after < Decimal::ZERO {
                        return Err(format!(
                            "Package {label} has {before} {u}; {take} {u} cannot be taken from it (rule 28).",
                            u = src.unit_of_measure
                        ));
                    }
                    left.insert(label.clone(), after);
                    takes.push(format!(
                        "{q} {unit} from {label} ({before} → {after} {})",
                        src.unit_of_measure
                    ));
                }
                None => takes.push(format!("{q} {unit} from {label}")),
            }
        }
        if !takes.is_empty() {
            line.push_str(", taking ");
            line.push_str(&takes.join(" and "));
        }
        line.push('.');
        lines.push(line);
    }
    let used = if specs.len() == 1 {
        "The tag is used for good."
    } else {
        "The tags are used for good."
    };
    lines.push(used.to_string());
    Ok(lines.join(" "))
}

/// The sources a request names, as the person may see them now (for the review's numbers; the
/// ledger reads them again when it decides).
async fn sources_of(s: &WebState, scope: &Scope, specs: &[NewPackage]) -> HashMap<String, Package> {
    let mut out = HashMap::new();
    let mut labels = vec![];
    for spec in specs {
        for ing in &spec.ingredients {
            labels.extend(ing.package.clone());
        }
    }
    for label in labels {
        let key = label.trim().to_ascii_uppercase();
        if out.contains_key(&key) {
            continue;
        }
        if let Ok(p) = s.ledger.package(scope, &key).await {
            out.insert(key, p);
        }
    }
    out
}

/// A create as asked: what it makes, where a refusal goes back to, and the review's title.
struct Asked<'a> {
    kind: Kind,
    specs: Vec<NewPackage>,
    back: &'a str,
    label: &'a str,
}

/// Reviews (unless confirmed) and runs a create, then goes to `done(ids)`; a refusal goes back
/// with the form as typed.
async fn create(
    s: &WebState,
    signed: &Signed,
    license: &str,
    posted: &Posted,
    asked: Asked<'_>,
    done: impl FnOnce(&[i64]) -> String,
) -> Response {
    let Asked {
        kind,
        specs,
        back,
        label,
    } = asked;
    let typed = Typed::of(&posted.path, &posted.fields);
    if !confirm::confirmed(posted) {
        let scope = match s.ledger.scope(&signed.acting, license).await {
            Ok(scope) => scope,
            Err(e) => return reply(s, signed, back, Err(e.into()), Some(typed)).await,
        };
        let sources = sources_of(s, &scope, &specs).await;
        return match review(&specs, &sources) {
            Ok(consequence) => confirm::ask(posted, label, &consequence, back),
            Err(short) => reply(s, signed, back, Err(WebError::bad(short)), Some(typed)).await,
        };
    }
    let door = posted.door(None);
    let run = match kind {
        Kind::Package => {
            s.ledger
                .run_as::<Create>(&signed.acting, license, door, &specs)
                .await
        }
        Kind::Sample => {
            s.ledger
                .run_as::<CreateTesting>(&signed.acting, license, door, &specs)
                .await
        }
    };
    match run {
        Ok(w) => {
            let tags: Vec<String> = specs.iter().filter_map(|s| s.tag.clone()).collect();
            let what = match (kind, tags.len()) {
                (Kind::Sample, _) => "Testing sample",
                (_, 1) => "Package",
                _ => "Packages",
            };
            let mut msg = format!(
                "{what} {} created (journal entry {}).",
                tags.join(", "),
                w.seq
            );
            for warning in &w.warnings {
                msg.push('\n');
                msg.push_str(warning);
            }
            reply(s, signed, &done(&w.ids), Ok(msg), None).await
        }
        Err(e) => reply(s, signed, back, Err(plainly(e.into())), Some(typed)).await,
    }
}

// ---- the new-package and testing-sample form ----

#[derive(Deserialize, Default)]
pub struct Start {
    /// The package to start from (its item, unit and location, as the first source).
    from: Option<String>,
}

/// The form's first source, if the address names one of this facility's packages.
async fn start_from(s: &WebState, f: &Frame, from: Option<&str>) -> Option<Package> {
    let from = from.map(str::trim).filter(|k| !k.is_empty())?;
    s.ledger.package(&f.scope, from).await.ok()
}

fn new_form(f: &Frame, kind: Kind, c: &Choices, from: Option<&Package>) -> Markup {
    let action = f.url(&format!("packages/{}", kind.slug()));
    let pf = f.prefill(&action);
    let typed_rows = pf.value("rows", "").parse::<usize>().unwrap_or(0);
    let rows = typed_rows.clamp(SOURCE_ROWS, MOST_SOURCE_ROWS);
    let first_tag = c.tags.first().map(|t| t.label.as_str());
    let src_label = from.map(|p| p.label.to_string());
    let item = from.map(|p| p.item_name.as_str());
    let unit = from.map(|p| p.unit_of_measure.as_str());
    let location = from.and_then(|p| p.location_name.as_deref());
    let sublocation = from.and_then(|p| p.sublocation_name.as_deref());
    let typed_item = pf.value("item", item.unwrap_or_default());
    let typed_loc = pf.value("location", "");
    html! {
        form.card.create #create-form method="post" action=(action) {
            (csrf_field(f.csrf()))
            input type="hidden" name="rows" value=(rows);
            @if let Some(p) = from { input type="hidden" name="from" value=(p.id); }
            fieldset {
                legend { @if kind == Kind::Sample { "The sample" } @else { "The new package" } }
                label { "Package tag (received, unused)" (tag_select("tag", &c.tags, &pf, first_tag)) }
                (pf.problem(&["Tag ", "Choose a tag"]))
                label { "Item" (item_select(&c.items, &pf, item)) }
                (pf.problem(&["Choose an item", &format!("Item {typed_item} does not")]))
                div.qty-unit {
                    label { "Quantity" input type="text" name="quantity" inputmode="decimal" size="10" required autocomplete="off" value=(pf.value("quantity", "")); }
                    label { "Unit of measure" (unit_select("unit", &pf, unit, None)) }
                }
                (pf.problem(&["Quantity:", "Quantity must", "Quantity was", "Quantity is"]))
                (pf.problem(&["Unit of measure", "Choose a unit"]))
                p.hint { "The unit must measure the way the item does: a counted item in Each, a weighed one in a weight (rule 29)." }
                label { "Location" (location_select(&c.locations, &pf, location)) }
                (pf.problem(&["Choose a location", &format!("Location {typed_loc} does not")]))
                @if !c.sublocations.is_empty() {
                    label { "Sublocation" (sublocation_select(&c.sublocations, &pf, sublocation)) }
                    (pf.problem(&["Sublocation"]))
                }
                (details_fields(&pf))
            }
            fieldset #sources {
                legend { "Made from (source packages)" }
                p.hint {
                    "What the new package takes from each source leaves that source, which never goes below zero (rule 28). "
                    "With one source, a blank quantity takes the new package's own quantity and unit."
                }
                (pf.problem(&["Choose at least one source", "Choose the source package"]))
                @for i in 1..=rows {
                    @let name = format!("source{i}");
                    @let default = if i == 1 { src_label.as_deref() } else { None };
                    @let typed_src = pf.value(&name, default.unwrap_or_default());
                    div.source-row {
                        label { "Source " (i)
                            select name=(name) {
                                option value="" selected[pf.chosen(&name, "", default.is_none())] { "None" }
                                @for p in &c.sources {
                                    option value=(p.label) selected[pf.chosen(&name, p.label.as_str(), default == Some(p.label.as_str()))] { (package_text(p)) }
                                }
                            }
                        }
                        label { "Quantity taken" input type="text" name=(format!("take{i}")) inputmode="decimal" size="8" autocomplete="off" value=(pf.value(&format!("take{i}"), "")); }
                        label { "Unit" (unit_select(&format!("take_unit{i}"), &pf, None, Some("The source's unit"))) }
                        @if !typed_src.is_empty() { (pf.problem(&[&typed_src])) }
                        (pf.problem(&[&format!("Source row {i}:")]))
                    }
                }
                @if rows < MOST_SOURCE_ROWS {
                    button.secondary type="submit" name="more" value="1" formnovalidate { "More source rows" }
                }
            }
            @if refused_here(f.flash(), &action) { p.hint { "Nothing was created; the form is as you typed it." } }
            button.act type="submit" { "Review and create" }
        }
    }
}

async fn new_page(
    s: &WebState,
    signed: Signed,
    license: &str,
    kind: Kind,
    from: Option<&str>,
) -> Result<Response, WebError> {
    let f = Frame::of(s, signed, license, &[Permission::ViewPackages]).await?;
    if !f.can(kind.def()) {
        return Err(WebError::new(
            StatusCode::FORBIDDEN,
            format!(
                "{} at {} is not among your permissions.",
                kind.def().name,
                f.license()
            ),
        ));
    }
    let c = choices(s, &f.scope).await?;
    let from = start_from(s, &f, from).await;
    let body = html! {
        h1 { (kind.title()) " · " (f.scope.facility().name) }
        (notices(f.flash()))
        @if kind == Kind::Sample {
            p.lead { "A testing sample is a new package with its own tag, pulled from the package to be tested (rule 36). It is then sent to a laboratory on a manifest; the source waits for the results as Submitted for testing." }
        } @else {
            p.lead { "A new package is made from one or more of this facility's packages (rule 23). To split one package into several, use " strong { "Repackage" } " on its page." }
        }
        @if let Some(p) = &from { p { "Starting from " a.mono href=(f.url(&format!("packages/{}", p.id))) { (p.label) } " (" (p.item_name) ", " (p.quantity) " " (p.unit_of_measure) ")." } }
        (new_form(&f, kind, &c, from.as_ref()))
    };
    Ok(f.page(kind.title(), "packages", body).into_response())
}

pub async fn new_get(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(start): Query<Start>,
) -> Result<Response, WebError> {
    new_page(&s, signed, &license, Kind::Package, start.from.as_deref()).await
}

pub async fn sample_get(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    Query(start): Query<Start>,
) -> Result<Response, WebError> {
    new_page(&s, signed, &license, Kind::Sample, start.from.as_deref()).await
}

pub async fn new_post(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    posted: Posted,
) -> Response {
    post_new(&s, signed, &license, posted, Kind::Package).await
}

pub async fn sample_post(
    State(s): State<WebState>,
    signed: Signed,
    Path(license): Path<String>,
    posted: Posted,
) -> Response {
    post_new(&s, signed, &license, posted, Kind::Sample).await
}

async fn post_new(
    s: &WebState,
    mut signed: Signed,
    license: &str,
    posted: Posted,
    kind: Kind,
) -> Response {
    let page = format!("/ui/l/{}/packages/{}", segment(license), kind.slug());
    let back = match posted.fields.text("from") {
        Some(from) => with_query(&page, &[("from", &from)]),
        None => page,
    };
    let typed = Typed::of(&posted.path, &posted.fields);
    if posted.fields.get("more").is_some() {
        // More source rows: the same form again, as typed, with more rows. Nothing is written,
        // so the page is answered directly.
        let mut fields = typed.fields.clone();
        let rows = rows_of(&posted.fields, "rows", SOURCE_ROWS, MOST_SOURCE_ROWS);
        let more = (rows + 3).min(MOST_SOURCE_ROWS);
        fields.retain(|(k, _)| k != "rows" && k != "more");
        fields.push(("rows".into(), more.to_string()));
        signed.flash = Some(Flash {
            form: Some(Typed {
                action: typed.action.clone(),
                fields,
            }),
            ..Flash::default()
        });
        let from = posted.fields.text("from");
        return match new_page(s, signed, license, kind, from.as_deref()).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        };
    }
    let spec = match new_package(&posted.fields) {
        Ok(spec) => spec,
        Err(errors) => {
            let e = WebError {
                status: StatusCode::BAD_REQUEST,
                messages: errors,
            };
            return reply(s, &signed, &back, Err(e), Some(typed)).await;
        }
    };
    let label = match kind {
        Kind::Package => "Create package",
        Kind::Sample => "Create testing sample",
    };
    let lic = segment(license);
    create(
        s,
        &signed,
        license,
        &posted,
        Asked {
            kind,
            specs: vec![spec],
            back: &back,
            label,
        },
        |ids| match ids.first() {
            Some(id) => format!("/ui/l/{lic}/packages/{id}"),
            None => format!("/ui/l/{lic}/packages"),
        },
    )
    .await
}

// ---- repackage: one source into several new packages ----

#[derive(Deserialize, Default)]
pub struct Count {
    count: Option<String>,
}

fn repackage_form(f: &Frame, c: &Choices, src: &Package, asked: usize) -> Markup {
    let action = f.url(&format!("packages/{}/repackage", src.id));
    let pf = f.prefill(&action);
    let rows = pf
        .value("count", "")
        .parse::<usize>()
        .unwrap_or(asked)
        .clamp(1, MOST_REPACKAGE_ROWS);
    let typed_item = pf.value("item", &src.item_name);
    let typed_loc = pf.value("location", "");
    html! {
        form.card.create #repackage-form method="post" action=(action) {
            (csrf_field(f.csrf()))
            input type="hidden" name="count" value=(rows);
            fieldset {
                legend { "Every new package" }
                label { "Item" (item_select(&c.items, &pf, Some(&src.item_name))) }
                (pf.problem(&["Choose an item", &format!("Item {typed_item} does not")]))
                label { "Unit of measure" (unit_select("unit", &pf, Some(&src.unit_of_measure), None)) }
                (pf.problem(&["Unit of measure"]))
                label { "Location" (location_select(&c.locations, &pf, src.location_name.as_deref())) }
                (pf.problem(&["Choose a location", &format!("Location {typed_loc} does not")]))
                @if !c.sublocations.is_empty() {
                    label { "Sublocation" (sublocation_select(&c.sublocations, &pf, src.sublocation_name.as_deref())) }
                }
                (details_fields(&pf))
            }
            fieldset #new-packages {
                legend { "New packages" }
                p.hint {
                    "Rows left without a quantity are skipped. "
                    "“Taken from the source” is in the source's unit (" (src.unit_of_measure) "); blank takes the new package's own quantity in its unit."
                }
                (pf.problem(&[src.label.as_str()]))
                ol.new-packages {
                    @for i in 1..=rows {
                        @let tag = format!("tag{i}");
                        @let default = c.tags.get(i - 1).map(|t| t.label.as_str());
                        @let typed_tag = pf.value(&tag, default.unwrap_or_default());
                        li.source-row {
                            label { "Tag" (tag_select(&tag, &c.tags, &pf, default)) }
                            label { "Quantity" input type="text" name=(format!("quantity{i}")) inputmode="decimal" size="8" autocomplete="off" value=(pf.value(&format!("quantity{i}"), "")); }
                            label { "Taken from the source" input type="text" name=(format!("take{i}")) inputmode="decimal" size="8" autocomplete="off" value=(pf.value(&format!("take{i}"), "")); }
                            @if !typed_tag.is_empty() { (pf.problem(&[&typed_tag])) }
                            (pf.problem(&[&format!("Package {i}:")]))
                        }
                    }
                }
            }
            button.act type="submit" { "Review and repackage" }
        }
    }
}

pub async fn repackage_get(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, String)>,
    Query(count): Query<Count>,
) -> Result<Response, WebError> {
    let f = Frame::of(&s, signed, &license, &[Permission::ViewPackages]).await?;
    if !f.can(&Create::DEF) {
        return Err(WebError::new(
            StatusCode::FORBIDDEN,
            format!(
                "{} at {} is not among your permissions.",
                Create::DEF.name,
                f.license()
            ),
        ));
    }
    let id: i64 = id
        .trim()
        .parse()
        .map_err(|_| WebError::not_found(format!("No package {id} to repackage.")))?;
    let src = s.ledger.package(&f.scope, &id.to_string()).await?;
    let asked = count
        .count
        .and_then(|c| c.trim().parse::<usize>().ok())
        .unwrap_or(REPACKAGE_ROWS)
        .clamp(1, MOST_REPACKAGE_ROWS);
    let refused = check_changeable(&src).err().or_else(|| {
        (src.quantity <= Decimal::ZERO).then(|| {
            format!(
                "Package {} is empty; nothing is left to repackage.",
                src.label
            )
        })
    });
    let c = if refused.is_none() {
        Some(choices(&s, &f.scope).await?)
    } else {
        None
    };
    let here = f.url(&format!("packages/{}/repackage", src.id));
    let body = html! {
        (status::banner(&src))
        h1 { "Repackage " span.mono { (src.label) } }
        (notices(f.flash()))
        div.card {
            p { strong { (src.item_name) } " · " (src.quantity) " " (src.unit_of_measure) " left · " (status::lab(src.lab_testing_state)) }
            p.hint { "Splits this package into new packages, each with its own tag, in one step: all of them are made or none. What they take leaves this package, which never goes below zero (rule 28). A lot carries its lab testing state into the new packages." }
            p { a href=(f.url(&format!("packages/{}", src.id))) { "Back to the package" } }
        }
        @match (&refused, &c) {
            (Some(why), _) => { div.flash.error role="alert" { (plain(why)) } }
            (None, Some(c)) => {
                form.card.filters method="get" action=(here) {
                    label { "How many new packages"
                        select name="count" {
                            @for n in 1..=MOST_REPACKAGE_ROWS { option value=(n) selected[n == asked] { (n) } }
                        }
                    }
                    button.act type="submit" { "Show rows" }
                }
                (repackage_form(&f, c, &src, asked))
            }
            (None, None) => {}
        }
    };
    Ok(
        f.page(&format!("Repackage {}", src.label), "packages", body)
            .into_response(),
    )
}

pub async fn repackage_post(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, String)>,
    posted: Posted,
) -> Response {
    let lic = segment(&license);
    let Ok(id) = id.trim().parse::<i64>() else {
        return WebError::not_found(format!("No package {id} to repackage.")).into_response();
    };
    let count = posted.fields.text("count").unwrap_or_default();
    let back = with_query(
        &format!("/ui/l/{lic}/packages/{id}/repackage"),
        &[("count", &count)],
    );
    let typed = Typed::of(&posted.path, &posted.fields);
    let src = async {
        let scope = s.ledger.scope(&signed.acting, &license).await?;
        Ok::<_, WebError>(s.ledger.package(&scope, &id.to_string()).await?)
    }
    .await;
    let src = match src {
        Ok(p) => p,
        Err(e) => return reply(&s, &signed, &back, Err(e), Some(typed)).await,
    };
    let specs = match repackaged(&posted.fields, &src) {
        Ok(specs) => specs,
        Err(errors) => {
            let e = WebError {
                status: StatusCode::BAD_REQUEST,
                messages: errors,
            };
            return reply(&s, &signed, &back, Err(e), Some(typed)).await;
        }
    };
    let label = format!(
        "Repackage into {} package{}",
        specs.len(),
        if specs.len() == 1 { "" } else { "s" }
    );
    let to = format!("/ui/l/{lic}/packages/{id}");
    create(
        &s,
        &signed,
        &license,
        &posted,
        Asked {
            kind: Kind::Package,
            specs,
            back: &back,
            label: &label,
        },
        move |_| to,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tagtrail_domain::lab_state::LabState;
    use tagtrail_domain::records::PackageState;
    use tagtrail_domain::tag::TagLabel;

    fn form(pairs: &[(&str, &str)]) -> Fields {
        let body = crate::urls::with_query("", pairs);
        Fields::urlencoded(body.trim_start_matches('?').as_bytes())
    }

    fn source(qty: i64, unit: &str) -> Package {
        Package {
            id: 7,
            license_number: "L-1".into(),
            label: TagLabel::issue(9, 1),
            package_type: "Product".into(),
            item_id: 1,
            item_name: "Distillate".into(),
            item_category: "Concentrate".into(),
            item_strain_name: None,
            quantity: Decimal::new(qty, 0),
            unit_of_measure: unit.into(),
            original_quantity: Decimal::new(qty, 0),
            location_id: Some(1),
            location_name: Some("Vault".into()),
            sublocation_id: None,
            sublocation_name: None,
            note: None,
            packaged_date: "2026-05-01".into(),
            packaged_by_license: "L-1".into(),
            packaged_by_name: "Distro".into(),
            source_package_ids: vec![],
            source_package_labels: vec![],
            production_batch_number: None,
            is_production_batch: false,
            is_testing_sample: false,
            is_trade_sample: false,
            is_donation: false,
            is_finished_good: false,
            product_requires_remediation: false,
            initial_lab_testing_state: LabState::TestPassed,
            lab_testing_state: LabState::TestPassed,
            lab_testing_state_date: "2026-05-01".into(),
            remediation_count: 0,
            remediation_date: None,
            decontamination_date: None,
            on_hold: false,
            hold_reason: None,
            state: PackageState::Active,
            finished_date: None,
            expiration_date: None,
            sell_by_date: None,
            use_by_date: None,
            external_id: None,
            archived_date: None,
            lab_license: None,
            received: None,
            source_harvests: vec![],
            active: true,
            last_modified: "2026-05-01T00:00:00.000000+00:00".into(),
        }
    }

    /// Rule 23: the form's source rows become the request's ingredients; a lone source with no
    /// quantity takes the new package's own amount, and empty rows are not sources.
    #[test]
    fn rule_23_source_rows_become_ingredients() {
        let src = source(100, "Grams").label.to_string();
        let f = form(&[
            ("tag", "1A4000000000000000000005"),
            ("item", "Distillate"),
            ("quantity", "10"),
            ("unit", "Grams"),
            ("location", "Vault"),
            ("rows", "3"),
            ("source1", &src),
            ("take1", ""),
            ("take_unit1", ""),
            ("source2", ""),
            ("take2", ""),
        ]);
        let spec = new_package(&f).expect("a valid form");
        assert_eq!(spec.ingredients.len(), 1);
        assert_eq!(spec.ingredients[0].quantity, Some(Decimal::TEN));
        assert_eq!(
            spec.ingredients[0].unit_of_measure.as_deref(),
            Some("Grams")
        );
        assert_eq!(spec.location.as_deref(), Some("Vault"));
        // Two sources must each say how much.
        let f = form(&[
            ("quantity", "10"),
            ("source1", &src),
            ("source2", "1A4000000000000000000009"),
            ("take2", "3"),
        ]);
        let errors = new_package(&f).expect_err("an amount is missing");
        assert!(errors[0].contains("several sources"), "{errors:?}");
        // A quantity with no package is a problem, not silently dropped.
        let errors = new_package(&form(&[("quantity", "1"), ("take2", "4")])).unwrap_err();
        assert!(errors[0].starts_with("Source row 2:"), "{errors:?}");
        let errors = new_package(&form(&[("quantity", "ten")])).unwrap_err();
        assert!(
            errors[0].starts_with("Quantity: ten is not a number"),
            "{errors:?}"
        );
    }

    /// A repackage is one request: a new package per row with a quantity, each taking from the
    /// one source, in the source's unit when stated.
    #[test]
    fn a_repackage_is_one_request_of_several_packages() {
        let src = source(100, "Grams");
        let f = form(&[
            ("count", "3"),
            ("item", "Distillate"),
            ("unit", "Grams"),
            ("location", "Vault"),
            ("tag1", "1A4000000000000000000005"),
            ("quantity1", "10"),
            ("tag2", "1A4000000000000000000006"),
            ("quantity2", "20"),
            ("take2", "21"),
            ("tag3", "1A4000000000000000000007"),
            ("quantity3", ""),
        ]);
        let specs = repackaged(&f, &src).expect("two rows");
        assert_eq!(specs.len(), 2, "the row without a quantity is skipped");
        assert_eq!(specs[0].ingredients[0].quantity, Some(Decimal::TEN));
        assert_eq!(specs[1].ingredients[0].quantity, Some(Decimal::new(21, 0)));
        assert_eq!(
            specs[1].ingredients[0].package.as_deref(),
            Some(src.label.as_str())
        );
        assert_eq!(specs[1].location.as_deref(), Some("Vault"));
        let none = repackaged(&form(&[("count", "2")]), &src).unwrap_err();
        assert!(none[0].contains("at least one"), "{none:?}");
    }

    /// Rule 28: the review names each source before and after, across every new package of the
    /// request, and refuses to ask about a request that would take a source below zero.
    #[test]
    fn rule_28_the_review_adds_up_the_draws_and_stops_below_zero() {
        let src = source(100, "Grams");
        let sources: HashMap<String, Package> = [(src.label.to_string(), src.clone())].into();
        let spec = |tag: &str, take: i64, unit: &str| NewPackage {
            tag: Some(tag.into()),
            item: Some("Distillate".into()),
            quantity: Some(Decimal::new(take, 0)),
            unit_of_measure: Some("Grams".into()),
            location: Some("Vault".into()),
            ingredients: vec![Ingredient {
                package: Some(src.label.to_string()),
                quantity: Some(Decimal::new(take, 0)),
                unit_of_measure: Some(unit.into()),
            }],
            ..Default::default()
        };
        let text = review(
            &[spec("T1", 60, "Grams"), spec("T2", 30, "Grams")],
            &sources,
        )
        .expect("90 of 100 g");
        assert!(text.contains("(100 → 40 Grams)"), "{text}");
        assert!(text.contains("(40 → 10 Grams)"), "{text}");
        assert!(
            text.contains("Tag T1 becomes 60 Grams of Distillate at Vault"),
            "{text}"
        );
        assert!(text.ends_with("The tags are used for good."), "{text}");
        let short = review(
            &[spec("T1", 60, "Grams"), spec("T2", 50, "Grams")],
            &sources,
        )
        .expect_err("110 of 100 g");
        assert!(
            short.contains("has 40 Grams; 50 Grams cannot be taken"),
            "{short}"
        );
        // Units convert: a kilogram is a thousand grams.
        let kg = review(&[spec("T1", 1, "Kilograms")], &sources).unwrap_err();
        assert!(kg.contains("1000 Grams cannot be taken"), "{kg}");
    }
}
