//! Cultivation: plant batches (`/plantbatches/v2`) and tagged plants (`/plants/v2`). Every
//! action needs a facility that grows plants, loads the rows its request names (batches, plants,
//! tags, strains, locations, source packages) and the next ids, and calls its decision in
//! `tagtrail_domain::commands::plants`.

use crate::{Action, AppResult, Context, Definition, Needs, Outcome};
use std::collections::HashMap;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::plants::{
    Changed, NextIds, World,
    batches::{
        self, AdjustSpec, BatchWasteSpec, GrowthPhaseSpec, PackageSpec, Planting, SplitSpec,
    },
    clones::{self, PlantPackageSpec},
    tagged::{self, PlantWasteSpec},
};
use tagtrail_domain::license::Capability;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{
    Item, Location, Package, Plant, PlantBatch, PlantWaste, Strain, Sublocation, Tag, fold,
};
use tagtrail_store::WriteTx;

const GROW: Needs = Needs::Capability(Capability::CanGrowPlants);
const IMMATURE: &[Permission] = &[Permission::ManageImmaturePlantsInventory];
const VEG_FLOWER: &[Permission] = &[Permission::ManageVegFlowerPlantsInventory];
/// Batch edits Metrc files under either inventory permission.
const ANY_INVENTORY: &[Permission] = &[
    Permission::ManageImmaturePlantsInventory,
    Permission::ManageVegFlowerPlantsInventory,
];
const WASTE: &[Permission] = &[Permission::ManagePlantsWaste];
const DESTROY_IMMATURE: &[Permission] = &[Permission::DestroyImmaturePlants];
const DESTROY_VEG_FLOWER: &[Permission] = &[Permission::DestroyVegFlowerPlants];

/// The names and ids a cultivation request refers to, so the load reads just those rows.
#[derive(Debug, Default)]
pub struct Names {
    pub batches: Vec<String>,
    pub batch_ids: Vec<i64>,
    pub plants: Vec<String>,
    pub plant_ids: Vec<i64>,
    pub tags: Vec<String>,
    pub strains: Vec<String>,
    pub strain_ids: Vec<i64>,
    pub locations: Vec<String>,
    pub sublocations: Vec<String>,
    pub packages: Vec<String>,
    pub items: Vec<String>,
}

fn push(v: &mut Vec<String>, s: &Option<String>) {
    v.extend(s.iter().map(|x| x.trim().to_string()));
}

async fn by_ids<R: tagtrail_domain::records::Record>(
    tx: &mut WriteTx,
    license: &str,
    ids: &[i64],
) -> AppResult<HashMap<i64, R>> {
    let mut out = HashMap::new();
    for &id in ids {
        if out.contains_key(&id) {
            continue;
        }
        if let Some(r) = tx
            .get::<R>(id)
            .await?
            .filter(|r: &R| r.license() == Some(license))
        {
            out.insert(id, r);
        }
    }
    Ok(out)
}

async fn load_world(tx: &mut WriteTx, license: &str, mut n: Names) -> AppResult<(World, NextIds)> {
    let lic = Some(license);
    let folded = |v: &[String]| v.iter().map(|x| fold(x)).collect::<Vec<_>>();
    let upper = |v: &[String]| {
        v.iter()
            .map(|x| x.trim().to_ascii_uppercase())
            .collect::<Vec<_>>()
    };
    let batches: HashMap<String, PlantBatch> = tx
        .find_many::<PlantBatch>(lic, &folded(&n.batches), Some(true))
        .await?
        .into_iter()
        .map(|b| (fold(&b.name), b))
        .collect();
    let batch_ids: HashMap<i64, PlantBatch> = by_ids(tx, license, &n.batch_ids).await?;
    // A split or phase change that keeps a batch's or plant's strain or location needs those
    // rows too, and packages from a mother plant the plant a batch was planted from.
    for b in batches.values().chain(batch_ids.values()) {
        n.locations.push(b.location_name.clone());
        n.strain_ids.push(b.strain_id);
        n.plant_ids.extend(b.source_plant_id);
    }
    let mut plants: HashMap<String, Plant> = tx
        .find_many::<Plant>(lic, &upper(&n.plants), None)
        .await?
        .into_iter()
        .map(|p| (p.label.to_string(), p))
        .collect();
    let plant_ids: HashMap<i64, Plant> = by_ids(tx, license, &n.plant_ids).await?;
    // A plant found by id is also found by its label (a planting names its source plant so).
    for p in plant_ids.values() {
        plants
            .entry(p.label.to_string())
            .or_insert_with(|| p.clone());
    }
    for p in plants.values() {
        n.locations.push(p.location_name.clone());
        n.sublocations.extend(p.sublocation_name.clone());
        n.strains.push(p.strain_name.clone());
    }
    let world = World {
        tags: tx
            .find_many::<Tag>(lic, &upper(&n.tags), None)
            .await?
            .into_iter()
            .map(|t| (t.label.to_string(), t))
            .collect(),
        strains: tx
            .find_many::<Strain>(lic, &folded(&n.strains), Some(true))
            .await?
            .into_iter()
            .map(|s| (fold(&s.name), s))
            .collect(),
        strain_ids: by_ids(tx, license, &n.strain_ids).await?,
        locations: tx
            .find_many::<Location>(lic, &folded(&n.locations), Some(true))
            .await?
            .into_iter()
            .map(|l| (fold(&l.name), l))
            .collect(),
        sublocations: tx
            .find_many::<Sublocation>(lic, &folded(&n.sublocations), Some(true))
            .await?
            .into_iter()
            .map(|s| (fold(&s.name), s))
            .collect(),
        packages: tx
            .find_many::<Package>(lic, &upper(&n.packages), None)
            .await?
            .into_iter()
            .map(|p| (p.label.to_string(), p))
            .collect(),
        items: tx
            .find_many::<Item>(lic, &folded(&n.items), Some(true))
            .await?
            .into_iter()
            .map(|i| (fold(&i.name), i))
            .collect(),
        batches,
        batch_ids,
        plants,
        plant_ids,
    };
    let next = NextIds {
        batch: tx.next_id::<PlantBatch>().await?,
        plant: tx.next_id::<Plant>().await?,
        waste: tx.next_id::<PlantWaste>().await?,
        package: tx.next_id::<Package>().await?,
    };
    Ok((world, next))
}

/// The rows a decision changed, answering with the ids it chose (in request order).
fn outcome(c: Changed) -> Outcome {
    let mut o = Outcome::default()
        .and(&c.batches)
        .and(&c.plants)
        .and(&c.waste)
        .and(&c.tags)
        .and(&c.packages);
    o.ids = c.ids;
    o.warn(c.warnings)
}

/// Defines one cultivation action: its name and permissions, the request element, the names it
/// refers to, and its decision.
macro_rules! cultivation {
    (
        $(#[$doc:meta])*
        $name:ident, $what:literal, $perms:expr, $spec:ty,
        names: |$n:ident, $s:ident| $names:block,
        decide: |$ctx:ident, $world:ident, $by:ident, $next:ident, $req:ident| $decide:expr $(,)?
    ) => {
        $(#[$doc])*
        pub struct $name;

        impl Action for $name {
            const DEF: Definition = Definition::holders($what, $perms).needs(GROW);
            type Request = Vec<$spec>;
            type World = (World, NextIds);

            async fn load(
                tx: &mut WriteTx,
                at: &Context<'_>,
                req: &Self::Request,
            ) -> AppResult<Self::World> {
                let mut $n = Names::default();
                for $s in req {
                    $names
                }
                load_world(tx, &at.ctx.facility.license_number, $n).await
            }

            fn decide(
                at: &Context<'_>,
                (world, next): Self::World,
                req: &Self::Request,
            ) -> Result<Outcome, Rejection> {
                let ($ctx, $world, $by, $next, $req) =
                    (&at.ctx, &world, at.by.as_str(), next, req.as_slice());
                // Not every decision adds records, so not every one takes the next ids.
                let _ = $next;
                Ok(outcome($decide?))
            }
        }
    };
}

fn planting_names(n: &mut Names, s: &Planting) {
    push(&mut n.batches, &s.name);
    push(&mut n.strains, &s.strain);
    push(&mut n.locations, &s.location);
    push(&mut n.sublocations, &s.sublocation);
    push(&mut n.packages, &s.source_package);
    push(&mut n.plants, &s.source_plant);
    n.batches.extend(s.source_plant_batches.iter().cloned());
}

cultivation!(
    /// `POST /plantbatches/v2/plantings` and `POST /plants/v2/plantings` (rules 19, 22).
    CreatePlantings, "Create plantings", IMMATURE, Planting,
    names: |n, s| { planting_names(&mut n, s); },
    decide: |ctx, world, by, next, req| batches::plantings(ctx, world, by, next, req),
);

cultivation!(
    /// `POST /plantbatches/v2/growthphase`: plants leave a batch with their own tags (rules 20, 21).
    ChangeBatchGrowthPhase, "Change plant batch growth phase", ANY_INVENTORY, GrowthPhaseSpec,
    names: |n, s| {
        push(&mut n.batches, &s.name);
        push(&mut n.locations, &s.new_location);
        push(&mut n.sublocations, &s.new_sublocation);
        n.tags.extend(s.tags());
    },
    decide: |ctx, world, by, next, req| batches::change_growth_phase(ctx, world, by, next, req),
);

cultivation!(
    /// `POST /plantbatches/v2/adjust` (rules 19, 24).
    AdjustBatches, "Adjust plant batches", IMMATURE, AdjustSpec,
    names: |n, s| { push(&mut n.batches, &s.name); },
    decide: |ctx, world, by, next, req| batches::adjust(ctx, world, by, next, req),
);

cultivation!(
    /// `POST /plantbatches/v2/split` (rules 19, 24).
    SplitBatches, "Split plant batches", IMMATURE, SplitSpec,
    names: |n, s| {
        push(&mut n.batches, &s.batch);
        push(&mut n.batches, &s.group_name);
        push(&mut n.strains, &s.strain);
        push(&mut n.locations, &s.location);
        push(&mut n.sublocations, &s.sublocation);
    },
    decide: |ctx, world, by, next, req| batches::split(ctx, world, by, next, req),
);

cultivation!(
    /// `PUT /plantbatches/v2/location`.
    MoveBatches, "Move plant batches", IMMATURE, batches::MoveSpec,
    names: |n, s| {
        push(&mut n.batches, &s.name);
        push(&mut n.locations, &s.location);
        push(&mut n.sublocations, &s.sublocation);
    },
    decide: |ctx, world, by, next, req| batches::relocate(ctx, world, by, req),
);

cultivation!(
    /// `PUT /plantbatches/v2/name`.
    RenameBatches, "Rename plant batches", ANY_INVENTORY, batches::RenameSpec,
    names: |n, s| {
        push(&mut n.batches, &s.group);
        push(&mut n.batches, &s.new_group);
        n.batch_ids.extend(s.id);
    },
    decide: |ctx, world, by, next, req| batches::rename(ctx, world, by, req),
);

cultivation!(
    /// `PUT /plantbatches/v2/strain`.
    ChangeBatchStrains, "Change plant batch strains", ANY_INVENTORY, batches::StrainSpec,
    names: |n, s| {
        push(&mut n.batches, &s.name);
        n.batch_ids.extend(s.id);
        push(&mut n.strains, &s.strain_name);
        n.strain_ids.extend(s.strain_id);
    },
    decide: |ctx, world, by, next, req| batches::change_strain(ctx, world, by, req),
);

cultivation!(
    /// `PUT /plantbatches/v2/tag`: the lot's plant-tag UID (rule 19).
    TagBatches, "Replace plant batch tags", ANY_INVENTORY, batches::TagSpec,
    names: |n, s| {
        push(&mut n.batches, &s.group);
        n.batch_ids.extend(s.id);
        push(&mut n.tags, &s.new_tag);
    },
    decide: |ctx, world, by, next, req| batches::retag(ctx, world, by, req),
);

cultivation!(
    /// `POST /plantbatches/v2/waste` (rules 17, 57).
    RecordBatchWaste, "Record plant batch waste", WASTE, BatchWasteSpec,
    names: |n, s| { push(&mut n.batches, &s.batch); },
    decide: |ctx, world, by, next, req| batches::record_waste(ctx, world, by, next, req),
);

cultivation!(
    /// `DELETE /plantbatches/v2`: destroys plants of batches, waste first (rules 17, 24, 57).
    DestroyBatchPlants, "Destroy plant batch plants", DESTROY_IMMATURE, batches::DestroySpec,
    names: |n, s| { push(&mut n.batches, &s.batch); },
    decide: |ctx, world, by, next, req| batches::destroy(ctx, world, by, next, req),
);

cultivation!(
    /// `POST /plantbatches/v2/packages`: immature plants of batches into packages (rule 24).
    PackageBatches, "Package immature plants", IMMATURE, PackageSpec,
    names: |n, s| { package_names(&mut n, s); },
    decide: |ctx, world, by, next, req| batches::packages(ctx, world, by, next, req),
);

fn package_names(n: &mut Names, s: &PackageSpec) {
    push(&mut n.batches, &s.batch);
    push(&mut n.items, &s.item);
    push(&mut n.locations, &s.location);
    push(&mut n.sublocations, &s.sublocation);
    push(&mut n.tags, &s.tag);
}

/// Packages cut from a plant also plant a batch named after the package's tag, whose name must
/// be free.
fn cutting_names(n: &mut Names, s: &PackageSpec) {
    package_names(n, s);
    push(&mut n.batches, &s.tag);
}

cultivation!(
    /// `POST /plants/v2/plantbatch/packages`: clones or seeds of a plant into packages, the
    /// plant staying (rules 16, 19, 22, 24).
    PackagePlantCuttings, "Package clones from plants", IMMATURE, PlantPackageSpec,
    names: |n, s| {
        cutting_names(&mut n, &s.package);
        push(&mut n.plants, &s.plant);
    },
    decide: |ctx, world, by, next, req| clones::from_plants(ctx, world, by, next, req),
);

cultivation!(
    /// `POST /plantbatches/v2/packages/frommotherplant`: new clones of the mother plant a batch
    /// was planted from, into packages; the batch keeps its count (rules 16, 19, 22, 24).
    PackageMotherPlantCuttings, "Package clones from mother plants", IMMATURE, PackageSpec,
    names: |n, s| { cutting_names(&mut n, s); },
    decide: |ctx, world, by, next, req| clones::from_mother_plants(ctx, world, by, next, req),
);

fn plant_names(n: &mut Names, id: Option<i64>, label: &Option<String>) {
    n.plant_ids.extend(id);
    push(&mut n.plants, label);
}

cultivation!(
    /// `PUT /plants/v2/growthphase` (rule 21).
    ChangePlantGrowthPhase, "Change plant growth phase", VEG_FLOWER, tagged::GrowthPhaseSpec,
    names: |n, s| {
        plant_names(&mut n, s.id, &s.label);
        push(&mut n.tags, &s.new_tag);
        push(&mut n.locations, &s.new_location);
        push(&mut n.sublocations, &s.new_sublocation);
    },
    decide: |ctx, world, by, next, req| tagged::change_growth_phase(ctx, world, by, req),
);

cultivation!(
    /// `PUT /plants/v2/location`.
    MovePlants, "Move plants", VEG_FLOWER, tagged::MoveSpec,
    names: |n, s| {
        plant_names(&mut n, s.id, &s.label);
        push(&mut n.locations, &s.location);
        push(&mut n.sublocations, &s.sublocation);
    },
    decide: |ctx, world, by, next, req| tagged::relocate(ctx, world, by, req),
);

cultivation!(
    /// `PUT /plants/v2/strain`.
    ChangePlantStrains, "Change plant strains", VEG_FLOWER, tagged::StrainSpec,
    names: |n, s| {
        plant_names(&mut n, s.id, &s.label);
        push(&mut n.strains, &s.strain_name);
        n.strain_ids.extend(s.strain_id);
    },
    decide: |ctx, world, by, next, req| tagged::change_strain(ctx, world, by, req),
);

cultivation!(
    /// `PUT /plants/v2/tag`.
    TagPlants, "Replace plant tags", VEG_FLOWER, tagged::TagSpec,
    names: |n, s| {
        plant_names(&mut n, s.id, &s.label);
        push(&mut n.tags, &s.new_tag);
    },
    decide: |ctx, world, by, next, req| tagged::retag(ctx, world, by, req),
);

cultivation!(
    /// `POST /plants/v2/waste` (rules 17, 57).
    RecordPlantWaste, "Record plant waste", WASTE, PlantWasteSpec,
    names: |n, s| {
        n.plants.extend(s.labels.iter().cloned());
        push(&mut n.locations, &s.location);
        push(&mut n.sublocations, &s.sublocation);
    },
    decide: |ctx, world, by, next, req| tagged::record_waste(ctx, world, by, next, req),
);

cultivation!(
    /// `DELETE /plants/v2`: destroys plants, waste first (rules 17, 25, 26, 57).
    DestroyPlants, "Destroy plants", DESTROY_VEG_FLOWER, tagged::DestroySpec,
    names: |n, s| { plant_names(&mut n, s.id, &s.label); },
    decide: |ctx, world, by, next, req| tagged::destroy(ctx, world, by, next, req),
);

/// Defines an action on plant groups, which California refuses (rule 20). It is still an action,
/// so a caller who may not manage plants is told that first.
macro_rules! group_tagging {
    ($name:ident, $what:literal) => {
        #[doc = concat!("`", $what, "`: refused in California (rule 20).")]
        pub struct $name;

        impl Action for $name {
            const DEF: Definition = Definition::holders($what, VEG_FLOWER).needs(GROW);
            type Request = usize;
            type World = ();

            async fn load(_: &mut WriteTx, _: &Context<'_>, _: &usize) -> AppResult<()> {
                Ok(())
            }

            fn decide(_: &Context<'_>, _: (), _: &usize) -> Result<Outcome, Rejection> {
                Err(tagged::refuse_group_tagging($what))
            }
        }
    };
}

group_tagging!(SplitPlantGroups, "Splitting plant groups");
group_tagging!(MergePlantGroups, "Merging plant groups");
group_tagging!(AdjustPlantGroups, "Adjusting plant group counts");
