//! Items (products), item brands and strains.

use super::{Ctx, optional, required};
use crate::error::{Rejection, RowErrors};
use crate::quantity::{self, QuantityType};
use crate::records::{Item, ItemBrand, Strain, fold};
use crate::reference;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

fn take_id(next_id: &mut i64) -> i64 {
    *next_id += 1;
    *next_id - 1
}

/// The fields of an item as a client sends them (names, not ids, for related records).
#[derive(Debug, Clone, Default)]
pub struct ItemSpec {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub category: Option<String>,
    pub unit_of_measure: Option<String>,
    pub strain: Option<String>,
    pub brand: Option<String>,
    pub global_product_name: Option<String>,
    pub administration_method: Option<String>,
    pub unit_cbd_percent: Option<Decimal>,
    pub unit_cbd_content: Option<Decimal>,
    pub unit_cbd_content_unit: Option<String>,
    pub unit_cbd_content_dose: Option<Decimal>,
    pub unit_cbd_content_dose_unit: Option<String>,
    pub unit_thc_percent: Option<Decimal>,
    pub unit_thc_content: Option<Decimal>,
    pub unit_thc_content_unit: Option<String>,
    pub unit_thc_content_dose: Option<Decimal>,
    pub unit_thc_content_dose_unit: Option<String>,
    pub unit_volume: Option<Decimal>,
    pub unit_volume_unit: Option<String>,
    pub unit_weight: Option<Decimal>,
    pub unit_weight_unit: Option<String>,
    pub serving_size: Option<String>,
    pub supply_duration_days: Option<i64>,
    pub number_of_doses: Option<i64>,
    pub public_ingredients: Option<String>,
    pub description: Option<String>,
    pub allergens: Option<String>,
    pub product_photo_description: Option<String>,
    pub label_photo_description: Option<String>,
    pub packaging_photo_description: Option<String>,
    pub processing_job_type_name: Option<String>,
}

/// What the ledger loaded for an item write, all scoped to the facility: active items by folded
/// name and by id, active strains and brands by folded name.
#[derive(Debug, Default)]
pub struct ItemWorld {
    pub items_by_name: HashMap<String, Item>,
    pub items_by_id: HashMap<i64, Item>,
    pub strains: HashMap<String, Strain>,
    pub brands: HashMap<String, ItemBrand>,
}

fn check_unit(
    field: &str,
    unit: &Option<String>,
    want: Option<QuantityType>,
) -> Result<Option<String>, String> {
    match optional(unit) {
        None => Ok(None),
        Some(u) => match quantity::unit(&u) {
            None => Err(format!("{field} {u} is not a valid unit of measure.")),
            Some(uom) if want.is_some_and(|w| w != uom.quantity_type) => Err(format!(
                "{field} {u} is not a {} unit.",
                want.map(QuantityType::as_str).unwrap_or_default()
            )),
            Some(uom) => Ok(Some(uom.name.to_string())),
        },
    }
}

fn check_non_negative(field: &str, v: Option<Decimal>) -> Result<Option<Decimal>, String> {
    match v {
        Some(d) if d.is_sign_negative() && !d.is_zero() => {
            Err(format!("{field} cannot be negative."))
        }
        other => Ok(other),
    }
}

fn check_percent(field: &str, v: Option<Decimal>) -> Result<Option<Decimal>, String> {
    match check_non_negative(field, v)? {
        Some(d) if d > Decimal::ONE_HUNDRED => Err(format!("{field} cannot exceed 100.")),
        other => Ok(other),
    }
}

fn build_item(ctx: &Ctx, world: &ItemWorld, spec: &ItemSpec, id: i64) -> Result<Item, String> {
    let name = required(&spec.name, "Name")?;
    let category_name = required(&spec.category, "ItemCategory")?;
    let category = reference::item_category(&category_name)
        .ok_or_else(|| format!("Item Category {category_name} does not exist."))?;
    let unit_name = required(&spec.unit_of_measure, "UnitOfMeasure")?;
    let unit = quantity::unit(&unit_name)
        .ok_or_else(|| format!("Unit of Measure {unit_name} does not exist."))?;
    // Rule 29: the item's unit must fit its category's quantity type.
    if unit.quantity_type != category.quantity_type {
        return Err(format!(
            "Unit of Measure {} is {} but Item Category {} requires {}.",
            unit.name,
            unit.quantity_type.as_str(),
            category.name,
            category.quantity_type.as_str()
        ));
    }
    let strain = match optional(&spec.strain) {
        Some(s) => Some(
            world
                .strains
                .get(&fold(&s))
                .ok_or_else(|| format!("Strain {s} does not exist in the current Facility."))?,
        ),
        None => None,
    };
    // Rule 30: categories such as Buds and Immature Plants need a strain.
    if category.requires_strain && strain.is_none() {
        return Err(format!(
            "Item Category {} requires a Strain.",
            category.name
        ));
    }
    let brand =
        match optional(&spec.brand) {
            Some(b) => Some(world.brands.get(&fold(&b)).ok_or_else(|| {
                format!("Item Brand {b} does not exist in the current Facility.")
            })?),
            None => None,
        };
    if let Some(m) = optional(&spec.administration_method)
        && !reference::ADMINISTRATION_METHODS
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&m))
    {
        return Err(format!("Administration Method {m} is not valid."));
    }
    let unit_thc_content = check_non_negative("UnitThcContent", spec.unit_thc_content)?;
    if category.requires_unit_thc_content && unit_thc_content.is_none() {
        return Err(format!(
            "Item Category {} requires UnitThcContent.",
            category.name
        ));
    }
    let unit_thc_content_unit = check_unit(
        "UnitThcContentUnitOfMeasure",
        &spec.unit_thc_content_unit,
        Some(QuantityType::WeightBased),
    )?;
    if unit_thc_content.is_some() && unit_thc_content_unit.is_none() {
        return Err("UnitThcContentUnitOfMeasure was not specified.".into());
    }
    Ok(Item {
        id,
        license_number: ctx.facility.license_number.clone(),
        name,
        category: category.name.to_string(),
        unit_of_measure: unit.name.to_string(),
        strain_id: strain.map(|s| s.id),
        strain_name: strain.map(|s| s.name.clone()),
        brand_id: brand.map(|b| b.id),
        brand_name: brand.map(|b| b.name.clone()),
        global_product_name: optional(&spec.global_product_name),
        administration_method: optional(&spec.administration_method),
        unit_cbd_percent: check_percent("UnitCbdPercent", spec.unit_cbd_percent)?,
        unit_cbd_content: check_non_negative("UnitCbdContent", spec.unit_cbd_content)?,
        unit_cbd_content_unit: check_unit(
            "UnitCbdContentUnitOfMeasure",
            &spec.unit_cbd_content_unit,
            Some(QuantityType::WeightBased),
        )?,
        unit_cbd_content_dose: check_non_negative(
            "UnitCbdContentDose",
            spec.unit_cbd_content_dose,
        )?,
        unit_cbd_content_dose_unit: check_unit(
            "UnitCbdContentDoseUnitOfMeasure",
            &spec.unit_cbd_content_dose_unit,
            Some(QuantityType::WeightBased),
        )?,
        unit_thc_percent: check_percent("UnitThcPercent", spec.unit_thc_percent)?,
        unit_thc_content,
        unit_thc_content_unit,
        unit_thc_content_dose: check_non_negative(
            "UnitThcContentDose",
            spec.unit_thc_content_dose,
        )?,
        unit_thc_content_dose_unit: check_unit(
            "UnitThcContentDoseUnitOfMeasure",
            &spec.unit_thc_content_dose_unit,
            Some(QuantityType::WeightBased),
        )?,
        unit_volume: check_non_negative("UnitVolume", spec.unit_volume)?,
        unit_volume_unit: check_unit(
            "UnitVolumeUnitOfMeasure",
            &spec.unit_volume_unit,
            Some(QuantityType::VolumeBased),
        )?,
        unit_weight: check_non_negative("UnitWeight", spec.unit_weight)?,
        unit_weight_unit: check_unit(
            "UnitWeightUnitOfMeasure",
            &spec.unit_weight_unit,
            Some(QuantityType::WeightBased),
        )?,
        serving_size: optional(&spec.serving_size),
        supply_duration_days: spec.supply_duration_days.filter(|d| *d >= 0),
        number_of_doses: spec.number_of_doses.filter(|d| *d >= 0),
        public_ingredients: optional(&spec.public_ingredients),
        description: optional(&spec.description),
        allergens: optional(&spec.allergens),
        product_photo_description: optional(&spec.product_photo_description),
        label_photo_description: optional(&spec.label_photo_description),
        packaging_photo_description: optional(&spec.packaging_photo_description),
        processing_job_type_name: optional(&spec.processing_job_type_name),
        approval_status_date_time: ctx.now.clone(),
        active: true,
        last_modified: ctx.now.clone(),
    })
}

/// Creates items (`id == None` in every spec) or updates them (`id` in every spec).
pub fn upsert_items(
    ctx: &Ctx,
    world: &ItemWorld,
    specs: &[ItemSpec],
    mut next_id: i64,
) -> Result<Vec<Item>, Rejection> {
    let mut errors = RowErrors::default();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (row, spec) in specs.iter().enumerate() {
        let existing = match spec.id {
            Some(id) => match world.items_by_id.get(&id) {
                Some(i) if i.active => Some(i),
                _ => {
                    errors.push(
                        row,
                        format!("Item {id} does not exist in the current Facility."),
                    );
                    continue;
                }
            },
            None => None,
        };
        let id = existing
            .map(|i| i.id)
            .unwrap_or_else(|| take_id(&mut next_id));
        match build_item(ctx, world, spec, id) {
            Ok(mut item) => {
                let key = fold(&item.name);
                if world
                    .items_by_name
                    .get(&key)
                    .is_some_and(|i| i.id != item.id)
                    || !seen.insert(key)
                {
                    errors.push(row, format!("An item named {} already exists.", item.name));
                    continue;
                }
                if let Some(old) = existing {
                    item.approval_status_date_time = old.approval_status_date_time.clone();
                }
                out.push(item);
            }
            Err(e) => errors.push(row, e),
        }
    }
    errors.into_result()?;
    Ok(out)
}

#[derive(Debug, Clone, Default)]
pub struct BrandSpec {
    pub id: Option<i64>,
    pub name: Option<String>,
}

#[derive(Debug, Default)]
pub struct BrandWorld {
    pub by_name: HashMap<String, ItemBrand>,
    pub by_id: HashMap<i64, ItemBrand>,
}

pub fn upsert_brands(
    ctx: &Ctx,
    world: &BrandWorld,
    specs: &[BrandSpec],
    mut next_id: i64,
) -> Result<Vec<ItemBrand>, Rejection> {
    let mut errors = RowErrors::default();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (row, spec) in specs.iter().enumerate() {
        let name = match required(&spec.name, "Name") {
            Ok(n) => n,
            Err(e) => {
                errors.push(row, e);
                continue;
            }
        };
        let existing = match spec.id {
            Some(id) => match world.by_id.get(&id) {
                Some(b) if b.active => Some(b),
                _ => {
                    errors.push(
                        row,
                        format!("Item Brand {id} does not exist in the current Facility."),
                    );
                    continue;
                }
            },
            None => None,
        };
        let key = fold(&name);
        if world
            .by_name
            .get(&key)
            .is_some_and(|b| Some(b.id) != spec.id)
            || !seen.insert(key)
        {
            errors.push(row, format!("An item brand named {name} already exists."));
            continue;
        }
        let id = existing
            .map(|b| b.id)
            .unwrap_or_else(|| take_id(&mut next_id));
        out.push(ItemBrand {
            id,
            license_number: ctx.facility.license_number.clone(),
            name,
            active: true,
            last_modified: ctx.now.clone(),
        });
    }
    errors.into_result()?;
    Ok(out)
}

#[derive(Debug, Clone, Default)]
pub struct StrainSpec {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub testing_status: Option<String>,
    pub thc_level: Option<Decimal>,
    pub cbd_level: Option<Decimal>,
    pub indica_percentage: Option<Decimal>,
    pub sativa_percentage: Option<Decimal>,
    pub genetics: Option<String>,
}

#[derive(Debug, Default)]
pub struct StrainWorld {
    pub by_name: HashMap<String, Strain>,
    pub by_id: HashMap<i64, Strain>,
}

fn build_strain(ctx: &Ctx, spec: &StrainSpec, id: i64) -> Result<Strain, String> {
    let name = required(&spec.name, "Name")?;
    let testing_status = optional(&spec.testing_status).unwrap_or_else(|| "None".into());
    let testing_status = reference::STRAIN_TESTING_STATUSES
        .iter()
        .find(|s| s.eq_ignore_ascii_case(&testing_status))
        .ok_or_else(|| {
            format!("TestingStatus {testing_status} is not valid; use None, InHouse or ThirdParty.")
        })?;
    // Metrc sends THC/CBD levels as fractions (0.1865 = 18.65 %).
    for (field, v) in [("ThcLevel", spec.thc_level), ("CbdLevel", spec.cbd_level)] {
        if let Some(d) = v
            && (d.is_sign_negative() && !d.is_zero() || d > Decimal::ONE)
        {
            return Err(format!("{field} must be between 0 and 1."));
        }
    }
    let indica = check_percent("IndicaPercentage", spec.indica_percentage)?;
    let sativa = check_percent("SativaPercentage", spec.sativa_percentage)?;
    if indica.unwrap_or_default() + sativa.unwrap_or_default() > Decimal::ONE_HUNDRED {
        return Err("IndicaPercentage and SativaPercentage cannot add up to more than 100.".into());
    }
    Ok(Strain {
        id,
        license_number: ctx.facility.license_number.clone(),
        name,
        testing_status: testing_status.to_string(),
        thc_level: spec.thc_level,
        cbd_level: spec.cbd_level,
        indica_percentage: indica,
        sativa_percentage: sativa,
        genetics: optional(&spec.genetics),
        active: true,
        last_modified: ctx.now.clone(),
    })
}

pub fn upsert_strains(
    ctx: &Ctx,
    world: &StrainWorld,
    specs: &[StrainSpec],
    mut next_id: i64,
) -> Result<Vec<Strain>, Rejection> {
    let mut errors = RowErrors::default();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (row, spec) in specs.iter().enumerate() {
        let existing = match spec.id {
            Some(id) => match world.by_id.get(&id) {
                Some(s) if s.active => Some(s),
                _ => {
                    errors.push(
                        row,
                        format!("Strain {id} does not exist in the current Facility."),
                    );
                    continue;
                }
            },
            None => None,
        };
        let id = existing
            .map(|s| s.id)
            .unwrap_or_else(|| take_id(&mut next_id));
        match build_strain(ctx, spec, id) {
            Ok(s) => {
                let key = fold(&s.name);
                if world.by_name.get(&key).is_some_and(|x| x.id != s.id) || !seen.insert(key) {
                    errors.push(row, format!("A strain named {} already exists.", s.name));
                    continue;
                }
                out.push(s);
            }
            Err(e) => errors.push(row, e),
        }
    }
    errors.into_result()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::LicenseType;
    use crate::records::Facility;

    fn facility() -> Facility {
        Facility {
            id: 1,
            license_number: "C11-1".into(),
            license_type: LicenseType::Manufacturer,
            name: "Mfg".into(),
            display_name: "Mfg".into(),
            license_start_date: "2026-01-01".into(),
            license_end_date: "2027-01-01".into(),
            address: None,
            credentialed_date: "2026-01-01".into(),
            onboarding: Default::default(),
            active: true,
            last_modified: "t".into(),
        }
    }

    fn spec(name: &str, cat: &str, uom: &str) -> ItemSpec {
        ItemSpec {
            name: Some(name.into()),
            category: Some(cat.into()),
            unit_of_measure: Some(uom.into()),
            ..Default::default()
        }
    }

    /// Rule 29: an item's unit must fit its category's quantity type.
    #[test]
    fn rule_29_item_unit_matches_category() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: "t".into(),
        };
        let err = upsert_items(
            &ctx,
            &ItemWorld::default(),
            &[spec("Gummies", "Edible (Each)", "Grams")],
            1,
        )
        .unwrap_err();
        assert!(
            matches!(err, Rejection::Rows(ref r) if r[0].message.contains("requires CountBased")),
            "{err:?}"
        );
        let mut ok = spec("Chocolate", "Edible (Weight)", "grams");
        ok.unit_weight = Some(Decimal::TEN);
        assert_eq!(
            upsert_items(&ctx, &ItemWorld::default(), &[ok], 1).unwrap()[0].unit_of_measure,
            "Grams"
        );
    }

    /// Rule 30: categories that need a strain refuse items without one.
    #[test]
    fn rule_30_strain_required() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: "t".into(),
        };
        let err = upsert_items(
            &ctx,
            &ItemWorld::default(),
            &[spec("OG Flower", "Buds", "Grams")],
            1,
        )
        .unwrap_err();
        assert!(
            matches!(err, Rejection::Rows(ref r) if r[0].message.contains("requires a Strain"))
        );
    }

    #[test]
    fn every_bad_row_is_reported_and_duplicates_within_a_body_clash() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: "t".into(),
        };
        let specs = [
            spec("A", "Concentrate", "Grams"),
            spec("", "Concentrate", "Grams"),
            spec("a", "Concentrate", "Grams"),
            spec("B", "Nope", "Grams"),
        ];
        let Err(Rejection::Rows(rows)) = upsert_items(&ctx, &ItemWorld::default(), &specs, 1)
        else {
            panic!()
        };
        assert_eq!(
            rows.iter().map(|r| r.row).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
    }

    #[test]
    fn strain_levels_are_fractions() {
        let f = facility();
        let ctx = Ctx {
            facility: &f,
            now: "t".into(),
        };
        let s = StrainSpec {
            name: Some("X".into()),
            thc_level: Some(Decimal::new(185, 1)),
            ..Default::default()
        };
        assert!(upsert_strains(&ctx, &StrainWorld::default(), &[s], 1).is_err());
    }
}
