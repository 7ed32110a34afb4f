//! Items (products): `POST`/`PUT /items/v2` and `DELETE /items/v2/{id}`. The category and the
//! units are California's closed lists; the strain and brand are the facility's own.

use super::form::{Form, Reader};
use super::{Filter, Kind, facts};
use crate::WebState;
use crate::error::WebError;
use crate::frame::Frame;
use crate::grid::Col;
use maud::{Markup, html};
use rust_decimal::Decimal;
use tagtrail_app::Scope;
use tagtrail_app::actions::{brands, items};
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_domain::commands::catalog::{BrandSpec, ItemSpec};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::quantity::{self, QuantityType, UNITS};
use tagtrail_domain::records::{Facility, Item, ItemBrand, Strain};
use tagtrail_domain::reference::{self, ADMINISTRATION_METHODS, ITEM_CATEGORIES};

pub struct Items;

/// The facility's active strains and brands, by name, for the item form.
pub struct Choices {
    strains: Vec<String>,
    brands: Vec<String>,
}

fn kind_words(q: QuantityType) -> &'static str {
    match q {
        QuantityType::WeightBased => "by weight",
        QuantityType::CountBased => "by count",
        QuantityType::VolumeBased => "by volume",
    }
}

/// Every category, with how it is measured and whether it needs a strain (rules 29, 30).
fn categories() -> Vec<(String, String)> {
    ITEM_CATEGORIES
        .iter()
        .map(|c| {
            let strain = if c.requires_strain {
                ", needs a strain"
            } else {
                ""
            };
            let words = format!("{} — {}{strain}", c.name, kind_words(c.quantity_type));
            (c.name.to_string(), words)
        })
        .collect()
}

/// Every unit an item may be measured in, with its kind.
fn units() -> Vec<(String, String)> {
    UNITS
        .iter()
        .filter(|u| u.active)
        .map(|u| {
            let kind = match u.quantity_type {
                QuantityType::WeightBased => "weight",
                QuantityType::CountBased => "count",
                QuantityType::VolumeBased => "volume",
            };
            (u.name.to_string(), format!("{} ({kind})", u.name))
        })
        .collect()
}

/// `names` as choices, with `current` kept when it is not among them (an archived strain: the
/// ledger then says why it cannot stay).
fn named(names: &[String], current: Option<&str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = names.iter().map(|n| (n.clone(), n.clone())).collect();
    if let Some(c) = current.filter(|c| !names.iter().any(|n| n.eq_ignore_ascii_case(c))) {
        out.push((c.to_string(), c.to_string()));
    }
    out
}

/// An amount with its unit's abbreviation (`100 mg`).
fn amount(value: Option<Decimal>, unit: Option<&str>) -> String {
    match value {
        Some(v) => {
            let unit = unit
                .map(|u| quantity::unit(u).map(|x| x.abbreviation).unwrap_or(u))
                .unwrap_or_default();
            format!("{} {unit}", v.normalize()).trim().to_string()
        }
        None => String::new(),
    }
}

fn percent(v: Option<Decimal>) -> String {
    v.map(|v| format!("{} %", v.normalize()))
        .unwrap_or_default()
}

async fn active_names<R: tagtrail_domain::records::Record>(
    s: &WebState,
    scope: &Scope,
    name: fn(&R) -> String,
) -> Result<Vec<String>, WebError> {
    let q = ListQuery {
        active: Some(true),
        ..Default::default()
    }
    .sorted(Column::NameKey, false);
    Ok(s.ledger
        .list::<R>(scope, q)
        .await?
        .rows
        .iter()
        .map(name)
        .collect())
}

impl Kind for Items {
    type Record = Item;
    type Spec = ItemSpec;
    type Create = items::Create;
    type Update = items::Update;
    type Archive = items::Archive;
    type Choices = Choices;

    const ADDR: &'static str = "items";
    const SECTION: &'static str = "items";
    const TITLE: &'static str = "Items";
    const ONE: &'static str = "item";
    const ONE_TITLE: &'static str = "Item";
    const VIEW: &'static [Permission] = &[Permission::ManageItems];
    const COLS: &'static [Col] = &[
        Col::sorted("name", "Name", Column::NameKey),
        Col::sorted("category", "Category", Column::Category),
        Col::new("unit", "Unit of measure"),
        Col::new("strain", "Strain"),
        Col::new("brand", "Brand"),
        Col::new("thc", "THC per unit"),
        Col::new("modified", "Last modified"),
    ];
    const FIND: (Column, &'static str) = (Column::NameKey, "Name contains");
    const CSV: &'static [&'static str] = &[
        "Name",
        "Category",
        "Unit of measure",
        "Strain",
        "Brand",
        "THC content per unit",
        "THC content unit",
        "THC percent",
        "CBD content per unit",
        "CBD content unit",
        "Description",
    ];

    async fn choices(s: &WebState, scope: &Scope) -> Result<Choices, WebError> {
        Ok(Choices {
            strains: active_names::<Strain>(s, scope, |x| x.name.clone()).await?,
            brands: active_names::<ItemBrand>(s, scope, |x| x.name.clone()).await?,
        })
    }

    fn name(r: &Item) -> String {
        r.name.clone()
    }

    fn called(spec: &ItemSpec) -> String {
        spec.name.clone().unwrap_or_default()
    }

    fn spec(id: Option<i64>, f: &mut Reader) -> ItemSpec {
        ItemSpec {
            id,
            name: f.text("name"),
            category: f.text("category"),
            unit_of_measure: f.text("unit"),
            strain: f.text("strain"),
            brand: f.text("brand"),
            global_product_name: f.text("global_product_name"),
            administration_method: f.text("administration_method"),
            unit_thc_content: f.decimal("thc_content", "THC content"),
            unit_thc_content_unit: f.text("thc_content_unit"),
            unit_thc_percent: f.decimal("thc_percent", "THC percent"),
            unit_thc_content_dose: f.decimal("thc_dose", "THC per dose"),
            unit_thc_content_dose_unit: f.text("thc_dose_unit"),
            unit_cbd_content: f.decimal("cbd_content", "CBD content"),
            unit_cbd_content_unit: f.text("cbd_content_unit"),
            unit_cbd_percent: f.decimal("cbd_percent", "CBD percent"),
            unit_cbd_content_dose: f.decimal("cbd_dose", "CBD per dose"),
            unit_cbd_content_dose_unit: f.text("cbd_dose_unit"),
            unit_weight: f.decimal("weight", "Weight per unit"),
            unit_weight_unit: f.text("weight_unit"),
            unit_volume: f.decimal("volume", "Volume per unit"),
            unit_volume_unit: f.text("volume_unit"),
            serving_size: f.text("serving_size"),
            number_of_doses: f.count("doses", "Number of doses"),
            supply_duration_days: f.count("supply_days", "Supply duration (days)"),
            description: f.text("description"),
            public_ingredients: f.text("ingredients"),
            allergens: f.text("allergens"),
            product_photo_description: f.text("product_photo"),
            label_photo_description: f.text("label_photo"),
            packaging_photo_description: f.text("packaging_photo"),
            processing_job_type_name: f.text("processing_job_type"),
        }
    }

    fn fields(_: &Facility, form: &Form, r: Option<&Item>, c: &Choices) -> Markup {
        let text = |get: fn(&Item) -> Option<&str>| r.and_then(get).unwrap_or_default();
        let value = |get: fn(&Item) -> Option<Decimal>| r.and_then(get);
        let methods: Vec<(String, String)> = ADMINISTRATION_METHODS
            .iter()
            .map(|m| (m.to_string(), m.to_string()))
            .collect();
        let count = |get: fn(&Item) -> Option<i64>| r.and_then(get).map(Decimal::from);
        let strain = r.and_then(|i| i.strain_name.as_deref());
        let brand = r.and_then(|i| i.brand_name.as_deref());
        html! {
            fieldset { legend { "Item" }
                (form.text("name", "Name", text(|i| Some(&i.name)), true))
                (form.select("category", "Category", &categories(), text(|i| Some(&i.category)), Some("Choose a category"), true))
                (form.select("unit", "Unit of measure", &units(), text(|i| Some(&i.unit_of_measure)), Some("Choose a unit"), true))
                p.cat-hint { "The unit must suit the category: a weight unit for what is sold by weight, Each for what is counted, a volume unit for liquids." }
                (form.select("strain", "Strain", &named(&c.strains, strain), strain.unwrap_or_default(), Some("None"), false))
                (form.select("brand", "Brand", &named(&c.brands, brand), brand.unwrap_or_default(), Some("None"), false))
            }
            fieldset { legend { "Potency per unit" }
                (form.measure(("thc_content", "thc_content_unit"), "THC content", (value(|i| i.unit_thc_content), r.and_then(|i| i.unit_thc_content_unit.as_deref())), QuantityType::WeightBased, &["THC content"]))
                (form.number("thc_percent", "THC percent", value(|i| i.unit_thc_percent)))
                (form.measure(("thc_dose", "thc_dose_unit"), "THC per dose", (value(|i| i.unit_thc_content_dose), r.and_then(|i| i.unit_thc_content_dose_unit.as_deref())), QuantityType::WeightBased, &["THC per dose"]))
                (form.measure(("cbd_content", "cbd_content_unit"), "CBD content", (value(|i| i.unit_cbd_content), r.and_then(|i| i.unit_cbd_content_unit.as_deref())), QuantityType::WeightBased, &["CBD content"]))
                (form.number("cbd_percent", "CBD percent", value(|i| i.unit_cbd_percent)))
                (form.measure(("cbd_dose", "cbd_dose_unit"), "CBD per dose", (value(|i| i.unit_cbd_content_dose), r.and_then(|i| i.unit_cbd_content_dose_unit.as_deref())), QuantityType::WeightBased, &["CBD per dose"]))
            }
            fieldset { legend { "Size and dosing" }
                (form.measure(("weight", "weight_unit"), "Weight per unit", (value(|i| i.unit_weight), r.and_then(|i| i.unit_weight_unit.as_deref())), QuantityType::WeightBased, &["Weight per unit", "Weight unit"]))
                (form.measure(("volume", "volume_unit"), "Volume per unit", (value(|i| i.unit_volume), r.and_then(|i| i.unit_volume_unit.as_deref())), QuantityType::VolumeBased, &["Volume per unit", "Volume unit"]))
                (form.text("serving_size", "Serving size", text(|i| i.serving_size.as_deref()), false))
                (form.number("doses", "Number of doses", count(|i| i.number_of_doses)))
                (form.number("supply_days", "Supply duration (days)", count(|i| i.supply_duration_days)))
                (form.select("administration_method", "Administration method", &methods, text(|i| i.administration_method.as_deref()), Some("—"), false))
            }
            fieldset { legend { "Label and description" }
                (form.area("description", "Description", text(|i| i.description.as_deref())))
                (form.area("ingredients", "Public ingredients", text(|i| i.public_ingredients.as_deref())))
                (form.text("allergens", "Allergens", text(|i| i.allergens.as_deref()), false))
                (form.text("global_product_name", "Global product name", text(|i| i.global_product_name.as_deref()), false))
                (form.text("processing_job_type", "Processing job type", text(|i| i.processing_job_type_name.as_deref()), false))
                (form.text("product_photo", "Product photo description", text(|i| i.product_photo_description.as_deref()), false))
                (form.text("label_photo", "Label photo description", text(|i| i.label_photo_description.as_deref()), false))
                (form.text("packaging_photo", "Packaging photo description", text(|i| i.packaging_photo_description.as_deref()), false))
            }
        }
    }

    fn facts(_: &Frame, i: &Item) -> Markup {
        let t = |v: &Option<String>| html! { (v.clone().unwrap_or_default()) };
        let n = |v: Option<i64>| html! { (v.map(|v| v.to_string()).unwrap_or_default()) };
        facts(&[
            ("Category", html! { (i.category) }),
            ("Unit of measure", html! { (i.unit_of_measure) }),
            ("Strain", t(&i.strain_name)),
            ("Brand", t(&i.brand_name)),
            (
                "THC content",
                html! { (amount(i.unit_thc_content, i.unit_thc_content_unit.as_deref())) },
            ),
            ("THC percent", html! { (percent(i.unit_thc_percent)) }),
            (
                "THC per dose",
                html! { (amount(i.unit_thc_content_dose, i.unit_thc_content_dose_unit.as_deref())) },
            ),
            (
                "CBD content",
                html! { (amount(i.unit_cbd_content, i.unit_cbd_content_unit.as_deref())) },
            ),
            ("CBD percent", html! { (percent(i.unit_cbd_percent)) }),
            (
                "CBD per dose",
                html! { (amount(i.unit_cbd_content_dose, i.unit_cbd_content_dose_unit.as_deref())) },
            ),
            (
                "Weight per unit",
                html! { (amount(i.unit_weight, i.unit_weight_unit.as_deref())) },
            ),
            (
                "Volume per unit",
                html! { (amount(i.unit_volume, i.unit_volume_unit.as_deref())) },
            ),
            ("Serving size", t(&i.serving_size)),
            ("Number of doses", n(i.number_of_doses)),
            ("Supply duration (days)", n(i.supply_duration_days)),
            ("Administration method", t(&i.administration_method)),
            ("Description", t(&i.description)),
            ("Public ingredients", t(&i.public_ingredients)),
            ("Allergens", t(&i.allergens)),
            ("Global product name", t(&i.global_product_name)),
            ("Processing job type", t(&i.processing_job_type_name)),
            ("Product photo description", t(&i.product_photo_description)),
            ("Label photo description", t(&i.label_photo_description)),
            (
                "Packaging photo description",
                t(&i.packaging_photo_description),
            ),
        ])
    }

    fn cells(_: &Frame, i: &Item) -> Markup {
        html! {
            td { (i.category) }
            td { (i.unit_of_measure) }
            td { (i.strain_name.clone().unwrap_or_default()) }
            td { (i.brand_name.clone().unwrap_or_default()) }
            td.num { (amount(i.unit_thc_content, i.unit_thc_content_unit.as_deref())) }
        }
    }

    fn csv(i: &Item) -> Vec<String> {
        let d = |v: Option<Decimal>| v.map(|v| v.normalize().to_string()).unwrap_or_default();
        vec![
            i.name.clone(),
            i.category.clone(),
            i.unit_of_measure.clone(),
            i.strain_name.clone().unwrap_or_default(),
            i.brand_name.clone().unwrap_or_default(),
            d(i.unit_thc_content),
            i.unit_thc_content_unit.clone().unwrap_or_default(),
            d(i.unit_thc_percent),
            d(i.unit_cbd_content),
            i.unit_cbd_content_unit.clone().unwrap_or_default(),
            i.description.clone().unwrap_or_default(),
        ]
    }

    fn consequence(i: &Item) -> String {
        format!(
            "Item “{}” is archived: it leaves the active items and cannot be chosen for new packages.",
            i.name
        )
    }

    fn more_filters(filter: &Filter, _: &Facility) -> Markup {
        let on = filter.category().unwrap_or_default();
        html! {
            label { "Category" select name="category" {
                option value="" { "any" }
                @for c in ITEM_CATEGORIES { option value=(c.name) selected[c.name.eq_ignore_ascii_case(&on)] { (c.name) } }
            } }
        }
    }

    fn siblings(f: &Frame) -> Markup {
        siblings(f, false)
    }

    /// Items of one category; a category that is not one matches nothing.
    fn narrow(filter: &Filter, q: ListQuery) -> ListQuery {
        match filter.category() {
            Some(c) => {
                let name = reference::item_category(&c).map(|c| c.name).unwrap_or("");
                q.with(Column::Category, [name])
            }
            None => q,
        }
    }
}

/// The facility's item brands (`/items/v2/brand`): a name each, chosen on the item form.
pub struct Brands;

fn siblings(f: &Frame, brands: bool) -> Markup {
    super::tabs(
        "Items or brands",
        &[
            ("Items", f.url("items"), !brands),
            ("Brands", f.url("brands"), brands),
        ],
    )
}

impl Kind for Brands {
    type Record = ItemBrand;
    type Spec = BrandSpec;
    type Create = brands::Create;
    type Update = brands::Update;
    type Archive = brands::Archive;
    type Choices = ();

    const ADDR: &'static str = "brands";
    const SECTION: &'static str = "items";
    const TITLE: &'static str = "Brands";
    const ONE: &'static str = "brand";
    const ONE_TITLE: &'static str = "Brand";
    const VIEW: &'static [Permission] = &[Permission::ManageItems];
    const COLS: &'static [Col] = &[
        Col::sorted("name", "Name", Column::NameKey),
        Col::new("modified", "Last modified"),
    ];
    const FIND: (Column, &'static str) = (Column::NameKey, "Name contains");
    const CSV: &'static [&'static str] = &["Name"];

    async fn choices(_: &WebState, _: &Scope) -> Result<(), WebError> {
        Ok(())
    }

    fn name(r: &ItemBrand) -> String {
        r.name.clone()
    }

    fn called(spec: &BrandSpec) -> String {
        spec.name.clone().unwrap_or_default()
    }

    fn spec(id: Option<i64>, f: &mut Reader) -> BrandSpec {
        BrandSpec {
            id,
            name: f.text("name"),
        }
    }

    fn fields(_: &Facility, form: &Form, r: Option<&ItemBrand>, _: &()) -> Markup {
        html! {
            fieldset { legend { "Brand" }
                (form.text("name", "Name", r.map(|b| b.name.as_str()).unwrap_or_default(), true))
                p.cat-hint { "Items name their brand; an item's form offers the active brands." }
            }
        }
    }

    fn facts(_: &Frame, _: &ItemBrand) -> Markup {
        html! { p.muted { "A brand has a name only." } }
    }

    fn cells(_: &Frame, _: &ItemBrand) -> Markup {
        html! {}
    }

    fn csv(b: &ItemBrand) -> Vec<String> {
        vec![b.name.clone()]
    }

    fn consequence(b: &ItemBrand) -> String {
        format!(
            "Brand “{}” is archived: it leaves the active brands and cannot be chosen for items.",
            b.name
        )
    }

    fn siblings(f: &Frame) -> Markup {
        siblings(f, true)
    }
}
