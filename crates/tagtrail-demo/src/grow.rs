//! The demo cultivator's season, through the same actions as the API and the web UI, dated over
//! the past twelve weeks (never ahead of the ledger's clock) so that its pages look lived-in:
//!
//! - a package of Sour Diesel clones (an opening balance) and two lots planted from it;
//! - plants tagged out of the first lot (rule 20: one plant tag each): two mother plants whose
//!   clones make two more lots (rule 22: a planting names its source), four plants growing
//!   vegetative and four flowering in the greenhouse canopy (rule 21);
//! - four plants harvested three weeks ago: the harvest's waste recorded, two packages of flower
//!   made from it and the harvest finished (its remaining weight is the moisture lost drying,
//!   rule 72); the packages travel to the manufacturer afterwards ([`ship`]);
//! - four plants harvested last week, drying, with their waste recorded (rule 57);
//! - two clones that died, destroyed with their waste (rules 24, 57), and trimmings of the
//!   flowering plants recorded as plant waste;
//! - additives: a pesticide applied to the flowering plants and a fertilizer to a lot, directly,
//!   a feeding template applied to a lot and to the vegetative plants (rule 17), and the mother
//!   plants' feeding uploaded as a Plant Additives CSV file (bulletin V, rule 73).
//!
//! It runs after the cultivator's other inventory, so the package tags that inventory was given
//! stay what they were; it adds records and changes none of the others.

use crate::{Tags, manifests, run};
use rust_decimal::Decimal;
use std::time::Duration;
use tagtrail_app::actions::{additives as add, harvests as hv, packages as pkg, plants};
use tagtrail_app::imports::{Import, ImportStatus};
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_app::{AppError, AppResult, Ledger, Scope};
use tagtrail_domain::commands::additives::{
    Application, BatchAdditiveSpec, IngredientSpec, PlantAdditiveSpec, Product, ProductSpec,
    TemplateSpec, TemplateUse,
};
use tagtrail_domain::commands::harvests::{
    FinishSpec, HarvestIngredient, HarvestPackageSpec, HarvestPlantSpec, WasteSpec as HarvestWaste,
};
use tagtrail_domain::commands::imports::ImportKind;
use tagtrail_domain::commands::packages::NewPackage;
use tagtrail_domain::commands::plants::batches::{DestroySpec, GrowthPhaseSpec, Planting};
use tagtrail_domain::commands::plants::tagged::{self, PlantWasteSpec};
use tagtrail_domain::commands::plants::{WasteSpec, tag_run};
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::records::{Package, Tag};
use tagtrail_domain::tag::{TagKind, TagStatus};

const STRAIN: &str = "Sour Diesel";
const CANOPY: &str = "Greenhouse A";
const DRYING: &str = "Drying Room";
const VAULT: &str = "Vault";
/// The item the finished harvest is packaged as (seeded with the cultivator's items).
pub(crate) const FLOWER: &str = "Sour Diesel Bulk Flower";
/// The feeding template the grower applies to lots and vegetative plants.
const FEED: &str = "Veg Feed A";

/// The day `days` before the ledger's clock, `YYYY-MM-DD`: every date the demo gives is in
/// the past of the clock it runs under, a shifted sandbox clock too.
fn ago(ledger: &Ledger, days: u64) -> String {
    let day = ledger.now().date_naive() - chrono::Days::new(days);
    tagtrail_domain::time::format_date(day)
}

fn grams(n: i64) -> Option<Decimal> {
    Some(Decimal::new(n, 0))
}

fn planting(name: &str, count: i64, date: &str) -> Planting {
    Planting {
        name: Some(name.into()),
        batch_type: Some("Clone".into()),
        count: Some(count),
        strain: Some(STRAIN.into()),
        location: Some(CANOPY.into()),
        actual_date: Some(date.into()),
        ..Default::default()
    }
}

/// Received plant tags of the season's order (the facility's newest), handed out in runs that
/// follow each other (a growth phase change names a starting tag and a count). The opening
/// order's plant tags stay as they were, first in the available list, for the demo's visitors.
struct PlantTags(Vec<String>);

impl PlantTags {
    async fn of(ledger: &Ledger, scope: &Scope) -> AppResult<PlantTags> {
        let q = ListQuery {
            active: Some(true),
            ..Default::default()
        }
        .with(Column::Kind, [TagKind::Plant.as_str()])
        .with(Column::Status, [TagStatus::Received.as_str()]);
        let tags = ledger.list::<Tag>(scope, q).await?.rows;
        let season = tags.iter().map(|t| t.order_id).max();
        let mut labels: Vec<String> = tags
            .into_iter()
            .filter(|t| Some(t.order_id) == season)
            .map(|t| t.label.to_string())
            .collect();
        labels.sort();
        Ok(PlantTags(labels))
    }

    /// The next `n` tags that run in sequence (rule 20: one tag per plant).
    fn run(&mut self, n: usize) -> AppResult<Vec<String>> {
        let count = i64::try_from(n).unwrap_or(i64::MAX);
        for start in 0..self.0.len() {
            let Some(window) = self.0.get(start..start + n) else {
                break;
            };
            let wanted = tag_run(&self.0[start], count).unwrap_or_default();
            if wanted
                .iter()
                .map(|t| t.as_str())
                .eq(window.iter().map(String::as_str))
            {
                return Ok(self.0.drain(start..start + n).collect());
            }
        }
        Err(AppError::NotFound(format!(
            "the demo has no run of {n} received plant tags"
        )))
    }
}

/// Tags `n` plants of lot `batch` into the vegetative phase in the canopy on `date`; their
/// labels.
async fn tag_out(
    ledger: &Ledger,
    scope: &Scope,
    tags: &mut PlantTags,
    batch: &str,
    n: usize,
    date: &str,
    why: &str,
) -> AppResult<Vec<String>> {
    let labels = tags.run(n)?;
    let spec = GrowthPhaseSpec {
        name: Some(batch.into()),
        count: Some(i64::try_from(n).unwrap_or(i64::MAX)),
        starting_tag: labels.first().cloned(),
        growth_phase: Some("Vegetative".into()),
        new_location: Some(CANOPY.into()),
        growth_date: Some(date.into()),
        ..Default::default()
    };
    run::<plants::ChangeBatchGrowthPhase>(ledger, scope, why, &vec![spec]).await?;
    Ok(labels)
}

async fn flower(ledger: &Ledger, scope: &Scope, labels: &[String], date: &str) -> AppResult<()> {
    let specs: Vec<_> = labels
        .iter()
        .map(|l| tagged::GrowthPhaseSpec {
            label: Some(l.clone()),
            growth_phase: Some("Flowering".into()),
            growth_date: Some(date.into()),
            ..Default::default()
        })
        .collect();
    run::<plants::ChangePlantGrowthPhase>(ledger, scope, "Flip to 12/12", &specs).await?;
    Ok(())
}

/// Harvests `labels` (wet weights in grams) into a new harvest named `name` on `date`; its id.
async fn harvest(
    ledger: &Ledger,
    scope: &Scope,
    name: &str,
    plants: &[(String, i64)],
    date: &str,
) -> AppResult<i64> {
    let specs: Vec<_> = plants
        .iter()
        .map(|(label, wet)| HarvestPlantSpec {
            plant: Some(label.clone()),
            weight: grams(*wet),
            unit_of_weight: Some("Grams".into()),
            drying_location: Some(DRYING.into()),
            harvest_name: Some(name.into()),
            actual_date: Some(date.into()),
            ..Default::default()
        })
        .collect();
    let w = run::<hv::HarvestPlants>(ledger, scope, "Harvest day", &specs).await?;
    w.ids
        .first()
        .copied()
        .ok_or_else(|| AppError::NotFound("the demo harvest".into()))
}

async fn harvest_waste(
    ledger: &Ledger,
    scope: &Scope,
    id: i64,
    kind: &str,
    weight: i64,
    date: &str,
) -> AppResult<()> {
    let spec = HarvestWaste {
        id: Some(id),
        waste_type: Some(kind.into()),
        unit_of_weight: Some("Grams".into()),
        waste_weight: grams(weight),
        actual_date: Some(date.into()),
    };
    run::<hv::RecordWaste>(ledger, scope, "Stems and fan leaves", &vec![spec]).await?;
    Ok(())
}

fn waste(reason: &str, method: &str, weight: i64, date: &str) -> WasteSpec {
    WasteSpec {
        method: Some(method.into()),
        weight: grams(weight),
        unit: Some("Grams".into()),
        reason: Some(reason.into()),
        date: Some(date.into()),
        ..Default::default()
    }
}

fn applied(product: Product, amount: i64, unit: &str, date: &str) -> Application {
    Application {
        product,
        total_amount_applied: Some(Decimal::new(amount, 0)),
        total_amount_unit_of_measure: Some(unit.into()),
        actual_date: Some(date.into()),
    }
}

fn feed(rate: &str, volume: &str) -> Product {
    Product::Template(TemplateUse {
        template_name: Some(FEED.into()),
        rate: Some(rate.into()),
        volume: Some(volume.into()),
    })
}

/// How long the demo waits for its upload to be checked, and then applied.
const IMPORT_WAIT: Duration = Duration::from_secs(120);

/// Bulletin V (rule 73): the mother room's feeding arrives as a Plant Additives CSV file, through
/// the Data Import page's path: uploaded, checked row by row as the API would check it, then
/// applied (the entries name the upload).
async fn import_additives(ledger: &Ledger, scope: &Scope, mothers: &[String]) -> AppResult<()> {
    let file = format!(
        "PlantLabels,AdditivesTemplateName,Rate,Volume,TotalAmountApplied,TotalAmountUnitOfMeasure,ActualDate\r\n\
         {},{FEED},3 ml/gal,2 gal,6,Milliliters,{}\r\n",
        mothers.join(";"),
        ago(ledger, 2)
    );
    let kind = ImportKind::PlantAdditives;
    let id = ledger
        .import_upload(scope, kind, "mother-room-feed.csv", file.as_bytes())
        .await?;
    let failed = |i: Import| {
        let first = i.errors.first().map(|e| e.text()).unwrap_or_default();
        AppError::NotFound(format!(
            "the demo's additives import: {} {first}",
            i.status.words()
        ))
    };
    let checked = ledger.import_wait(scope, id, IMPORT_WAIT).await?;
    if checked.status != ImportStatus::Ready {
        return Err(failed(checked));
    }
    ledger.import_apply(scope, id).await?;
    let applied = ledger.import_wait(scope, id, IMPORT_WAIT).await?;
    if !matches!(applied.status, ImportStatus::Applied { .. }) {
        return Err(failed(applied));
    }
    Ok(())
}

async fn additives(
    ledger: &Ledger,
    scope: &Scope,
    flowering: &[String],
    vegetative: &[String],
) -> AppResult<()> {
    let template = TemplateSpec {
        name: Some(FEED.into()),
        additive_type: Some("Fertilizer".into()),
        product_trade_name: Some("FloraGro 2-1-6".into()),
        product_supplier: Some("General Hydroponics".into()),
        application_device: Some("Drip line".into()),
        note: Some("Vegetative feed, every third watering".into()),
        active_ingredients: vec![
            IngredientSpec {
                name: Some("Nitrogen".into()),
                percentage: Some(Decimal::new(2, 0)),
            },
            IngredientSpec {
                name: Some("Soluble Potash".into()),
                percentage: Some(Decimal::new(6, 0)),
            },
        ],
        ..Default::default()
    };
    run::<add::CreateTemplates>(ledger, scope, "Feeding schedule", &vec![template]).await?;
    // Directly, a biofungicide on the flowering plants.
    let spray = Product::Direct(ProductSpec {
        additive_type: Some("Pesticide".into()),
        product_trade_name: Some("Regalia Biofungicide".into()),
        epa_registration_number: Some("84059-3".into()),
        product_supplier: Some("Marrone Bio Innovations".into()),
        application_device: Some("Backpack sprayer".into()),
        active_ingredients: vec![IngredientSpec {
            name: Some("Extract of Reynoutria sachalinensis".into()),
            percentage: Some(Decimal::new(5, 0)),
        }],
    });
    let to_plants = PlantAdditiveSpec {
        application: applied(spray, 2, "Liters", &ago(ledger, 12)),
        plant_labels: flowering.to_vec(),
    };
    run::<add::ApplyToPlants>(ledger, scope, "Powdery mildew prevention", &vec![to_plants]).await?;
    // Directly, a calcium supplement on the newest lot.
    let calmag = Product::Direct(ProductSpec {
        additive_type: Some("Fertilizer".into()),
        product_trade_name: Some("CALiMAGic 1-0-0".into()),
        product_supplier: Some("General Hydroponics".into()),
        application_device: Some("Watering can".into()),
        active_ingredients: vec![IngredientSpec {
            name: Some("Calcium".into()),
            percentage: Some(Decimal::new(5, 0)),
        }],
        ..Default::default()
    });
    let batches = vec![
        BatchAdditiveSpec {
            application: applied(calmag, 500, "Milliliters", &ago(ledger, 3)),
            plant_batch_name: Some("SD-Clones-04".into()),
        },
        // From the template, on the lot planted from the package.
        BatchAdditiveSpec {
            application: applied(
                feed("2 ml/gal", "5 gal"),
                10,
                "Milliliters",
                &ago(ledger, 9),
            ),
            plant_batch_name: Some("SD-Clones-02".into()),
        },
    ];
    run::<add::ApplyToBatches>(ledger, scope, "Feeding the clones", &batches).await?;
    let to_veg = PlantAdditiveSpec {
        application: applied(
            feed("4 ml/gal", "10 gal"),
            40,
            "Milliliters",
            &ago(ledger, 4),
        ),
        plant_labels: vegetative.to_vec(),
    };
    run::<add::ApplyToPlants>(
        ledger,
        scope,
        "Feeding the vegetative plants",
        &vec![to_veg],
    )
    .await?;
    Ok(())
}

pub(crate) async fn seed(
    ledger: &Ledger,
    scope: &Scope,
    operator_scope: &Scope,
    tags: &mut Tags,
) -> AppResult<()> {
    let clones = tags.next()?;
    let opening = pkg::OpeningBalance {
        package: NewPackage {
            tag: Some(clones.clone()),
            item: Some("Sour Diesel Clones".into()),
            // A nursery's tray of 100: the season plants 32 of them, and the rest stay for
            // visitors (and the browser suites, which plant lots of their own) to plant.
            quantity: Some(Decimal::new(100, 0)),
            unit_of_measure: Some("Each".into()),
            location: Some(VAULT.into()),
            ..Default::default()
        },
        lab_state: LabState::NotRequired,
    };
    run::<pkg::OpenBalance>(ledger, operator_scope, "Opening balance", &opening).await?;
    // Two lots of clones from the package (rule 22: a planting names its source).
    let mut first = planting("SD-Clones-01", 20, &ago(ledger, 84));
    first.source_package = Some(clones.clone());
    let mut second = planting("SD-Clones-02", 12, &ago(ledger, 21));
    second.source_package = Some(clones);
    run::<plants::CreatePlantings>(ledger, scope, "Plant clones", &vec![first, second]).await?;

    let mut plant_tags = PlantTags::of(ledger, scope).await?;
    let lot = "SD-Clones-01";
    // Two mothers and the four plants harvested three weeks ago.
    let early = tag_out(
        ledger,
        scope,
        &mut plant_tags,
        lot,
        6,
        &ago(ledger, 77),
        "Into the canopy",
    )
    .await?;
    let (mothers, finished) = early.split_at(2);
    let drying = tag_out(
        ledger,
        scope,
        &mut plant_tags,
        lot,
        4,
        &ago(ledger, 70),
        "Into the canopy",
    )
    .await?;
    let blooming = tag_out(
        ledger,
        scope,
        &mut plant_tags,
        lot,
        4,
        &ago(ledger, 49),
        "Into the canopy",
    )
    .await?;
    // Rules 24 and 57: two clones died; their waste is recorded as they are destroyed.
    let died = DestroySpec {
        batch: Some(lot.into()),
        count: Some(2),
        waste: waste("Unhealthy or Died", "Compost", 40, &ago(ledger, 42)),
    };
    run::<plants::DestroyBatchPlants>(ledger, scope, "Root rot", &vec![died]).await?;
    let vegetative = tag_out(
        ledger,
        scope,
        &mut plant_tags,
        lot,
        4,
        &ago(ledger, 14),
        "Into the canopy",
    )
    .await?;

    // Clones taken from the mothers make them mother plants (rule 22: the lot names its source).
    let mut from_first = planting("SD-Clones-03", 10, &ago(ledger, 28));
    from_first.source_plant = mothers.first().cloned();
    run::<plants::CreatePlantings>(ledger, scope, "Clones from mother 1", &vec![from_first])
        .await?;
    let mut from_second = planting("SD-Clones-04", 8, &ago(ledger, 7));
    from_second.source_plant = mothers.get(1).cloned();
    run::<plants::CreatePlantings>(ledger, scope, "Clones from mother 2", &vec![from_second])
        .await?;

    // Rule 21: plants flower in the canopy, where they already are.
    flower(ledger, scope, finished, &ago(ledger, 63)).await?;
    flower(ledger, scope, &drying, &ago(ledger, 56)).await?;
    flower(ledger, scope, &blooming, &ago(ledger, 28)).await?;
    let trim = PlantWasteSpec {
        labels: blooming.clone(),
        location: None,
        sublocation: None,
        waste: waste("Trimming/Pruning", "Compost", 350, &ago(ledger, 10)),
    };
    run::<plants::RecordPlantWaste>(ledger, scope, "Lollipopping", &vec![trim]).await?;

    // The harvest three weeks ago: waste, two packages of dried flower, finished.
    let wet = [2250, 2180, 2310, 2260];
    let weigh =
        |labels: &[String]| -> Vec<(String, i64)> { labels.iter().cloned().zip(wet).collect() };
    let done_name = format!("SD-GHA-{}", ago(ledger, 21));
    let done = harvest(
        ledger,
        scope,
        &done_name,
        &weigh(finished),
        &ago(ledger, 21),
    )
    .await?;
    harvest_waste(
        ledger,
        scope,
        done,
        "Plant Material",
        3100,
        &ago(ledger, 20),
    )
    .await?;
    let bags: Vec<_> = (0..2)
        .map(|_| -> AppResult<HarvestPackageSpec> {
            Ok(HarvestPackageSpec {
                tag: Some(tags.next()?),
                location: Some(VAULT.into()),
                item: Some(FLOWER.into()),
                unit_of_weight: Some("Grams".into()),
                actual_date: Some(ago(ledger, 7)),
                ingredients: vec![HarvestIngredient {
                    harvest_id: Some(done),
                    harvest_name: None,
                    weight: grams(1000),
                    unit_of_weight: Some("Grams".into()),
                }],
                ..Default::default()
            })
        })
        .collect::<AppResult<_>>()?;
    run::<hv::CreatePackages>(ledger, scope, "Dried and bucked", &bags).await?;
    let finish = FinishSpec {
        id: Some(done),
        actual_date: Some(ago(ledger, 5)),
    };
    run::<hv::Finish>(ledger, scope, "Cure complete", &vec![finish]).await?;

    // The harvest last week, drying, its waste recorded.
    let drying_name = format!("SD-GHA-{}", ago(ledger, 6));
    let hanging = harvest(
        ledger,
        scope,
        &drying_name,
        &weigh(&drying),
        &ago(ledger, 6),
    )
    .await?;
    harvest_waste(
        ledger,
        scope,
        hanging,
        "Plant Material",
        1850,
        &ago(ledger, 5),
    )
    .await?;

    additives(ledger, scope, &blooming, &vegetative).await?;
    import_additives(ledger, scope, mothers).await
}

/// The finished harvest's packages travel on a manifest to the manufacturer, carried by the
/// distributor (rule 39), and are received there; a cultivator's flower going to processing
/// needs no lab result first (rule 46 asks for one only of what a retailer receives).
pub(crate) async fn ship(
    ledger: &Ledger,
    cultivator: &Scope,
    manufacturer: &Scope,
    distributor: &Scope,
) -> AppResult<()> {
    let q = ListQuery {
        active: Some(true),
        ..Default::default()
    };
    let lines: Vec<_> = ledger
        .list::<Package>(cultivator, q)
        .await?
        .rows
        .into_iter()
        .filter(|p: &Package| p.item_name == FLOWER)
        .map(|p| manifests::line(p.label.as_str(), None))
        .collect();
    if lines.is_empty() {
        return Err(AppError::NotFound("the demo harvest's packages".into()));
    }
    let d = distributor.license();
    let mut spec = manifests::plan(
        manufacturer.license(),
        d,
        manifests::DRIVERS[1],
        "Transfer",
        lines,
    );
    let day = ago(ledger, 4);
    spec.estimated_departure = Some(format!("{day}T09:00:00"));
    spec.estimated_arrival = Some(format!("{day}T14:00:00"));
    spec.planned_route = Some("US-101 S to I-80 E; no stops".into());
    let id = manifests::register(ledger, cultivator, spec, "Flower for extraction").await?;
    manifests::depart(ledger, distributor, id).await?;
    manifests::accept_all(ledger, manufacturer, id).await
}
