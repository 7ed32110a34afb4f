//! Packages of clones or seeds taken from a plant that stays where it is: Metrc's
//! `POST /plants/v2/plantbatch/packages` (the plant named by its label) and
//! `POST /plantbatches/v2/packages/frommotherplant` (the mother plant a batch was planted from).
//!
//! Neither restates a rule. What is cut from the plant is a planting from that plant
//! ([`batches::planting`]: rules 16, 19, 22; the plant becomes a mother and counts its clones),
//! and the whole planting is then packaged ([`batches::package`]: rule 24, an Immature Plants
//! item counted in Each, a received unused package tag, rules 11 and 13). The batch between the
//! two is named after the package's tag and, emptied by the packaging, is inactive at once: it is
//! where the package's source stays readable (`SourcePlantLabel`, `PackagedCount`).

use super::batches::{self, PackageSpec, Planting};
use super::{Changed, NextIds, Work, World};
use crate::commands::{Ctx, required};
use crate::error::Rejection;
use crate::records::Plant;
use crate::tag::TagLabel;

/// `POST /plants/v2/plantbatch/packages`: `Count` clones or seeds of `PlantLabel` into a new
/// package. The package fields are those of `POST /plantbatches/v2/packages` (`batch` is not
/// read: the batch is the one this creates).
#[derive(Debug, Clone, Default)]
pub struct PlantPackageSpec {
    pub plant: Option<String>,
    /// `Clone` or `Seed`: what was taken from the plant (the new batch's type).
    pub batch_type: Option<String>,
    pub package: PackageSpec,
}

/// Packages clones or seeds taken from plants; answers with the packages' ids.
pub fn from_plants(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next: NextIds,
    specs: &[PlantPackageSpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, next).each(specs, |w, s| {
        let label = required(&s.plant, "PlantLabel")?;
        let plant = w.plant(None, &Some(label))?;
        cut_and_package(w, &plant, s.batch_type.clone(), vec![], &s.package)
    })
}

/// `POST /plantbatches/v2/packages/frommotherplant` (and `POST /plantbatches/v2/packages` with
/// `isFromMotherPlant=true`): `Count` new clones of the mother plant batch `PlantBatch` was
/// planted from, packaged. The batch's own plants stay (its counts do not change, as Metrc
/// keeps a mother batch's count); the new batch names it among its sources.
pub fn from_mother_plants(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next: NextIds,
    specs: &[PackageSpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, next).each(specs, |w, s| {
        let name = required(&s.batch, "PlantBatch")?;
        let batch = w.batch(&name)?;
        let Some(mother) = batch.source_plant_id else {
            return Err(format!(
                "Plant Batch {} was not planted from a plant; packages from mother plants need a batch planted from one (POST /plants/v2/plantings).",
                batch.name
            ));
        };
        let mother = w.plant(Some(mother), &None)?;
        let batch_type = Some(batch.plant_batch_type.as_str().to_string());
        cut_and_package(w, &mother, batch_type, vec![batch.name], s)
    })
}

/// Plants `s.count` cuttings of `plant` as a batch named after the package tag, then packages
/// that whole batch under the tag.
fn cut_and_package(
    w: &mut Work,
    plant: &Plant,
    batch_type: Option<String>,
    source_batches: Vec<String>,
    s: &PackageSpec,
) -> Result<(), String> {
    let tag = required(&s.tag, "Tag")?;
    let name = TagLabel::parse(&tag)?.to_string();
    batches::planting(
        w,
        &Planting {
            name: Some(name.clone()),
            batch_type,
            count: s.count,
            strain: Some(plant.strain_name.clone()),
            // The cuttings are taken where the plant stands; every location that takes plants
            // takes plant batches too.
            location: Some(plant.location_name.clone()),
            sublocation: plant.sublocation_name.clone(),
            patient_license_number: s.patient_license_number.clone(),
            actual_date: s.actual_date.clone(),
            source_package: None,
            source_plant_batches: source_batches,
            source_plant: Some(plant.label.to_string()),
        },
    )?;
    batches::package(
        w,
        &PackageSpec {
            batch: Some(name),
            ..s.clone()
        },
    )
}
