//! The two additive files of the bulletin (V and VI): **Plant Additives** (additives applied to
//! tagged plants, by their tags or to every growing plant of a location) and **Immature Plant
//! Additives** (additives applied to plant batches, by name). Each row is one element of the
//! matching API request (`POST /plants/v2/additives`, `…/bylocation`, their `usingtemplate`
//! twins, `POST /plantbatches/v2/additives`); the columns are the request's fields, one active
//! ingredient list in one cell.
//!
//! What the parser checks here is only what the API's JSON shape would have settled: which of
//! the request shapes a row is (tags or a location, a template or a product named in full). The
//! rest (does the plant grow here, is the unit known, is the date in the past) is the decision's.

use super::{Column, Format, LineError, Row, col};
use crate::commands::additives::{
    Application, BatchAdditiveSpec, IngredientSpec, LocationAdditiveSpec, PlantAdditiveSpec,
    Product, ProductSpec, TemplateUse,
};
use rust_decimal::Decimal;
use std::str::FromStr;

/// A Plant Additives row: to tagged plants by label, or to every growing plant of a location.
#[derive(Debug, Clone, PartialEq)]
pub enum PlantAdditiveRow {
    Plants(PlantAdditiveSpec),
    Location(LocationAdditiveSpec),
}

impl PlantAdditiveRow {
    pub fn application(&self) -> &Application {
        match self {
            PlantAdditiveRow::Plants(s) => &s.application,
            PlantAdditiveRow::Location(s) => &s.application,
        }
    }
}

/// The columns every additive file ends with: the product (named in full, or an active
/// template), the amount and its unit, and the day.
macro_rules! application_columns {
    () => {
        [
            col(
                "AdditivesTemplateName",
                false,
                Format::Text,
                "",
                "An active additives template of the facility, by name: it gives the product, \
                 and the product columns (AdditiveType to ActiveIngredients) stay empty.",
            ),
            col(
                "Rate",
                false,
                Format::Text,
                "",
                "With a template only: the rate applied, free text (2 ml/gal).",
            ),
            col(
                "Volume",
                false,
                Format::Text,
                "",
                "With a template only: the volume applied, free text (5 gal).",
            ),
            col(
                "AdditiveType",
                false,
                Format::Text,
                "Fertilizer",
                "Fertilizer, Pesticide or Other. Required unless AdditivesTemplateName is given.",
            ),
            col(
                "ProductTradeName",
                false,
                Format::Text,
                "Grow Big",
                "The product's trade name. Required unless AdditivesTemplateName is given.",
            ),
            col(
                "EpaRegistrationNumber",
                false,
                Format::Text,
                "",
                "The product's EPA registration number, if it has one.",
            ),
            col(
                "ProductSupplier",
                false,
                Format::Text,
                "FoxFarm",
                "Who supplied the product.",
            ),
            col(
                "ApplicationDevice",
                false,
                Format::Text,
                "Watering can",
                "How it was applied.",
            ),
            col(
                "ActiveIngredients",
                false,
                Format::Ingredients,
                "Nitrogen=6;Phosphate=4",
                "Each active ingredient as Name=Percent, separated by semicolons; each \
                 percentage 0 to 100, together at most 100.",
            ),
            col(
                "TotalAmountApplied",
                true,
                Format::Decimal,
                "2.5",
                "How much was applied in all, in the unit TotalAmountUnitOfMeasure names; \
                 above zero.",
            ),
            col(
                "TotalAmountUnitOfMeasure",
                true,
                Format::Text,
                "Gallons",
                "A unit of measure of GET /unitsofmeasure/v2/active (Gallons, Liters, Grams, …).",
            ),
            col(
                "ActualDate",
                true,
                Format::Date,
                "2026-11-30",
                "The day it was applied; not in the future (rule 16).",
            ),
        ]
    };
}

const APPLICATION: [Column; 12] = application_columns!();

const fn concat<const A: usize, const B: usize, const N: usize>(
    a: [Column; A],
    b: [Column; B],
) -> [Column; N] {
    let mut out = [b[0]; N];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    while i < N {
        out[i] = b[i - A];
        i += 1;
    }
    out
}

const PLANT_TARGET: [Column; 3] = [
    col(
        "PlantLabels",
        false,
        Format::Text,
        "1A4FF0100000022000000001",
        "The tags of growing plants of the facility, separated by semicolons: one application \
         to them all. Give PlantLabels, or LocationName.",
    ),
    col(
        "LocationName",
        false,
        Format::Text,
        "",
        "Instead of tags: an active location of the facility; the additive goes on every plant \
         growing there (as POST /plants/v2/additives/bylocation).",
    ),
    col(
        "SublocationName",
        false,
        Format::Text,
        "",
        "With LocationName only: just the plants of this sublocation.",
    ),
];

const BATCH_TARGET: [Column; 1] = [col(
    "PlantBatchName",
    true,
    Format::Text,
    "SD Clones 2026-11-30 A",
    "An active plant batch (immature lot) of the facility, by name.",
)];

/// The Plant Additives file.
pub(super) static PLANT_ADDITIVES: [Column; 15] = concat(PLANT_TARGET, APPLICATION);

/// The Immature Plant Additives file.
pub(super) static BATCH_ADDITIVES: [Column; 13] = concat(BATCH_TARGET, APPLICATION);

/// The product columns a template replaces.
const PRODUCT: &[&str] = &[
    "AdditiveType",
    "ProductTradeName",
    "EpaRegistrationNumber",
    "ProductSupplier",
    "ApplicationDevice",
    "ActiveIngredients",
];

/// `Nitrogen=6;Phosphate=4` as ingredients; `None` when a pair is not `name=percent`.
pub(super) fn ingredients(cell: &str) -> Option<Vec<IngredientSpec>> {
    cell.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (name, pct) = pair.rsplit_once('=')?;
            let pct = pct.trim().trim_end_matches('%').trim();
            let plain = !pct.is_empty() && pct.chars().all(|c| c.is_ascii_digit() || c == '.');
            let percentage = plain.then(|| Decimal::from_str(pct).ok()).flatten()?;
            let name = name.trim();
            (!name.is_empty()).then(|| IngredientSpec {
                name: Some(name.to_string()),
                percentage: Some(percentage),
            })
        })
        .collect()
}

fn application(r: &Row) -> Result<Application, LineError> {
    let product = match r.text("AdditivesTemplateName") {
        Some(template_name) => {
            if let Some(c) = PRODUCT.iter().find(|c| r.text(c).is_some()) {
                return Err(LineError::new(
                    r.line,
                    format!(
                        "AdditivesTemplateName gives the product, so {c} must be empty; \
                         give the template or the product's columns, not both."
                    ),
                ));
            }
            Product::Template(TemplateUse {
                template_name: Some(template_name),
                rate: r.text("Rate"),
                volume: r.text("Volume"),
            })
        }
        None => {
            if let Some(c) = ["Rate", "Volume"].iter().find(|c| r.text(c).is_some()) {
                return Err(LineError::new(
                    r.line,
                    format!("{c} goes with AdditivesTemplateName, which is empty."),
                ));
            }
            Product::Direct(ProductSpec {
                additive_type: r.text("AdditiveType"),
                product_trade_name: r.text("ProductTradeName"),
                epa_registration_number: r.text("EpaRegistrationNumber"),
                product_supplier: r.text("ProductSupplier"),
                application_device: r.text("ApplicationDevice"),
                // The cell's format was checked as the row was read.
                active_ingredients: r
                    .text("ActiveIngredients")
                    .and_then(|c| ingredients(&c))
                    .unwrap_or_default(),
            })
        }
    };
    Ok(Application {
        product,
        total_amount_applied: r.decimal("TotalAmountApplied"),
        total_amount_unit_of_measure: r.text("TotalAmountUnitOfMeasure"),
        actual_date: r.text("ActualDate"),
    })
}

/// A Plant Additives row as its request: by tags or by location, exactly one.
pub(super) fn plant_row(r: &Row) -> Result<PlantAdditiveRow, LineError> {
    let application = application(r)?;
    let labels: Vec<String> = r
        .text("PlantLabels")
        .map(|c| {
            c.split([';', ' ', '\t'])
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let location = r.text("LocationName");
    let sublocation = r.text("SublocationName");
    match (labels.is_empty(), location) {
        (false, Some(_)) => Err(LineError::new(
            r.line,
            "Give PlantLabels or LocationName, not both.",
        )),
        (true, None) => Err(LineError::new(
            r.line,
            "PlantLabels or LocationName is required.",
        )),
        (false, None) if sublocation.is_some() => Err(LineError::new(
            r.line,
            "SublocationName goes with LocationName, which is empty.",
        )),
        (false, None) => Ok(PlantAdditiveRow::Plants(PlantAdditiveSpec {
            application,
            plant_labels: labels,
        })),
        (true, Some(location)) => Ok(PlantAdditiveRow::Location(LocationAdditiveSpec {
            application,
            location_name: Some(location),
            sublocation_name: sublocation,
        })),
    }
}

/// An Immature Plant Additives row as its request.
pub(super) fn batch_row(r: &Row) -> Result<BatchAdditiveSpec, LineError> {
    Ok(BatchAdditiveSpec {
        application: application(r)?,
        plant_batch_name: r.text("PlantBatchName"),
    })
}
