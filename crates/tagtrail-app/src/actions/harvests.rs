//! Harvests: harvesting and manicuring plants, harvest waste, finishing, renaming, moving,
//! restoring harvested plants, and packages from harvests. Every one needs a facility that grows
//! plants, and loads exactly the harvests, plants, places, tags and items its request names. The
//! regulator's hold on harvests is here too.

use crate::{Action, AppResult, Context, Definition, Needs, Outcome};
use std::collections::HashMap;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::harvests::{
    self, FinishSpec, HarvestPackageSpec, HarvestPlantSpec, HarvestWorld, HoldSpec, MoveSpec,
    PackageWorld, RenameSpec, RestoreSpec, WasteSpec,
};
use tagtrail_domain::license::Capability;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{
    Harvest, HarvestWaste, Item, Location, Package, Plant, Sublocation, Tag, fold,
};
use tagtrail_store::WriteTx;

const GROW: Needs = Needs::Capability(Capability::CanGrowPlants);
const CUT: &[Permission] = &[Permission::ManicureHarvestVegFlowerPlants];
const MANAGE: &[Permission] = &[Permission::ManageHarvests];
const FINISH: &[Permission] = &[Permission::FinishDiscontinueHarvests];
const WASTE_OFF: &[Permission] = &[Permission::DiscontinueHarvestWaste];

fn license<'a>(at: &'a Context<'_>) -> &'a str {
    &at.ctx.facility.license_number
}

/// What a harvest write names: harvests by id and by name, places by name, plants by label.
#[derive(Debug, Default)]
struct Refs {
    ids: Vec<i64>,
    names: Vec<String>,
    locations: Vec<String>,
    sublocations: Vec<String>,
    plants: Vec<String>,
}

async fn load_world(tx: &mut WriteTx, license: &str, refs: Refs) -> AppResult<HarvestWorld> {
    let lic = Some(license);
    let folded = |v: &[String]| v.iter().map(|n| fold(n)).collect::<Vec<_>>();
    let upper = |v: &[String]| {
        v.iter()
            .map(|l| l.trim().to_ascii_uppercase())
            .collect::<Vec<_>>()
    };
    let mut by_id = HashMap::new();
    for id in refs.ids {
        if let Some(h) = tx
            .get::<Harvest>(id)
            .await?
            .filter(|h: &Harvest| h.license_number == license)
        {
            by_id.insert(id, h);
        }
    }
    // Names are unique among all the facility's harvests, finished ones too.
    let by_name: HashMap<String, Harvest> = tx
        .find_many::<Harvest>(lic, &folded(&refs.names), None)
        .await?
        .into_iter()
        .map(|h| (fold(&h.name), h))
        .collect();
    for h in by_name.values() {
        by_id.entry(h.id).or_insert_with(|| h.clone());
    }
    Ok(HarvestWorld {
        by_id,
        by_name,
        locations: tx
            .find_many::<Location>(lic, &folded(&refs.locations), Some(true))
            .await?
            .into_iter()
            .map(|l| (fold(&l.name), l))
            .collect(),
        sublocations: tx
            .find_many::<Sublocation>(lic, &folded(&refs.sublocations), Some(true))
            .await?
            .into_iter()
            .map(|s| (fold(&s.name), s))
            .collect(),
        plants: tx
            .find_many::<Plant>(lic, &upper(&refs.plants), None)
            .await?
            .into_iter()
            .map(|p| (p.label.to_string(), p))
            .collect(),
    })
}

/// Harvests (`MANICURE` false, `PUT /plants/v2/harvest`) or manicures (`POST
/// /plants/v2/manicure`, rule 25) plants into harvests by name.
pub struct Cut<const MANICURE: bool>;
/// `PUT /plants/v2/harvest`: whole flowering plants.
pub type HarvestPlants = Cut<false>;
/// `POST /plants/v2/manicure`: material trimmed from growing plants (rule 25).
pub type Manicure = Cut<true>;

impl<const MANICURE: bool> Action for Cut<MANICURE> {
    const DEF: Definition = if MANICURE {
        Definition::holders("Manicure plants", CUT).needs(GROW)
    } else {
        Definition::holders("Harvest plants", CUT).needs(GROW)
    };
    type Request = Vec<HarvestPlantSpec>;
    type World = (HarvestWorld, i64);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let plants = Refs {
            plants: req.iter().filter_map(|s| s.plant.clone()).collect(),
            ..Default::default()
        };
        let found = load_world(tx, license(at), plants).await?.plants;
        // A row without a harvest name goes into one named after its plant, so the plant is
        // read first.
        let names = req
            .iter()
            .filter_map(|s| {
                let plant = s
                    .plant
                    .as_deref()
                    .and_then(|l| found.get(&l.trim().to_ascii_uppercase()));
                harvests::harvest_name(&at.ctx, s, plant)
            })
            .collect();
        let refs = Refs {
            names,
            locations: req
                .iter()
                .filter_map(|s| s.drying_location.clone())
                .collect(),
            sublocations: req
                .iter()
                .filter_map(|s| s.drying_sublocation.clone())
                .collect(),
            ..Default::default()
        };
        let mut world = load_world(tx, license(at), refs).await?;
        world.plants = found;
        Ok((world, tx.next_id::<Harvest>().await?))
    }

    fn decide(
        at: &Context<'_>,
        (world, next): Self::World,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        let out = harvests::harvest_plants(&at.ctx, &world, req, MANICURE, next)?;
        let mut outcome = Outcome::of(&out.harvests).and(&out.plants);
        // Metrc answers with the harvest each row went into, in request order.
        outcome.ids = out.harvest_ids;
        Ok(outcome)
    }
}

/// `POST /harvests/v2/waste`: waste against harvests (rule 57).
pub struct RecordWaste;

impl Action for RecordWaste {
    const DEF: Definition = Definition::holders("Record harvest waste", MANAGE).needs(GROW);
    type Request = Vec<WasteSpec>;
    type World = (HarvestWorld, i64);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let refs = Refs {
            ids: req.iter().filter_map(|s| s.id).collect(),
            ..Default::default()
        };
        let world = load_world(tx, license(at), refs).await?;
        Ok((world, tx.next_id::<HarvestWaste>().await?))
    }

    fn decide(
        at: &Context<'_>,
        (world, next): Self::World,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        // Rule 17: waste names the employee who recorded it; the operator by its actor name.
        let by = at
            .acting
            .user()
            .map(|u| u.username.clone())
            .unwrap_or_else(|| at.by.clone());
        let (wastes, changed) = harvests::record_waste(&at.ctx, &world, req, &by, next)?;
        Ok(Outcome::of(&wastes).and(&changed))
    }
}

/// `DELETE /harvests/v2/waste/{id}`: discontinues one waste record.
pub struct DiscontinueWaste;

impl Action for DiscontinueWaste {
    const DEF: Definition = Definition::holders("Discontinue harvest waste", WASTE_OFF).needs(GROW);
    /// The waste record's id.
    type Request = i64;
    type World = (Option<HarvestWaste>, Option<Harvest>);

    async fn load(tx: &mut WriteTx, _: &Context<'_>, id: &i64) -> AppResult<Self::World> {
        let waste: Option<HarvestWaste> = tx.get(*id).await?;
        let harvest = match &waste {
            Some(w) => tx.get::<Harvest>(w.harvest_id).await?,
            None => None,
        };
        Ok((waste, harvest))
    }

    fn decide(
        at: &Context<'_>,
        (waste, harvest): Self::World,
        id: &i64,
    ) -> Result<Outcome, Rejection> {
        let (w, h) = harvests::discontinue_waste(&at.ctx, waste.as_ref(), harvest.as_ref(), *id)?;
        Ok(Outcome::of(std::slice::from_ref(&w)).and(std::slice::from_ref(&h)))
    }
}

/// Defines an action that changes the harvests its request addresses (by id) and nothing else.
macro_rules! harvest_edit {
    (
        $(#[$doc:meta])* $name:ident: $def:expr, $spec:ty,
        refs: |$r:ident| $refs:expr,
        decide: |$ctx:ident, $w:ident, $req:ident| $decide:expr $(,)?
    ) => {
        $(#[$doc])*
        pub struct $name;

        impl Action for $name {
            const DEF: Definition = $def;
            type Request = Vec<$spec>;
            type World = HarvestWorld;

            async fn load(
                tx: &mut WriteTx,
                at: &Context<'_>,
                $r: &Self::Request,
            ) -> AppResult<HarvestWorld> {
                load_world(tx, license(at), $refs).await
            }

            fn decide(
                at: &Context<'_>,
                $w: HarvestWorld,
                $req: &Self::Request,
            ) -> Result<Outcome, Rejection> {
                let $ctx = &at.ctx;
                let changed: Vec<Harvest> = $decide?;
                Ok(Outcome::of(&changed))
            }
        }
    };
}

harvest_edit! {
    /// `PUT /harvests/v2/finish` (rule 72).
    Finish: Definition::holders("Finish harvests", FINISH).needs(GROW), FinishSpec,
    refs: |r| Refs { ids: r.iter().filter_map(|s| s.id).collect(), ..Default::default() },
    decide: |ctx, w, req| harvests::finish(ctx, &w, req),
}

harvest_edit! {
    /// `PUT /harvests/v2/unfinish` (rule 72).
    Unfinish: Definition::holders("Unfinish harvests", FINISH).needs(GROW), Option<i64>,
    refs: |r| Refs { ids: r.iter().flatten().copied().collect(), ..Default::default() },
    decide: |ctx, w, req| harvests::unfinish(ctx, &w, req),
}

harvest_edit! {
    /// `PUT /harvests/v2/rename`.
    Rename: Definition::holders("Rename harvests", MANAGE).needs(GROW), RenameSpec,
    refs: |r| Refs {
        ids: r.iter().filter_map(|s| s.id).collect(),
        names: r.iter().filter_map(|s| s.new_name.clone()).collect(),
        ..Default::default()
    },
    decide: |ctx, w, req| harvests::rename(ctx, &w, req),
}

harvest_edit! {
    /// `PUT /harvests/v2/location`.
    Move: Definition::holders("Move harvests", MANAGE).needs(GROW), MoveSpec,
    refs: |r| Refs {
        ids: r.iter().filter_map(|s| s.id).collect(),
        locations: r.iter().filter_map(|s| s.drying_location.clone()).collect(),
        sublocations: r.iter().filter_map(|s| s.drying_sublocation.clone()).collect(),
        ..Default::default()
    },
    decide: |ctx, w, req| harvests::relocate(ctx, &w, req),
}

/// The regulator's administrative hold or release of harvests (rule 34, as for packages): the
/// operator's act, never a licensee's. A held harvest refuses its packaging, waste and every
/// other change until released.
pub struct HoldHarvests;

impl Action for HoldHarvests {
    const DEF: Definition = Definition::operator("Administrative hold or release of harvests")
        .reason("Administrative hold");
    type Request = HoldSpec;
    type World = HarvestWorld;

    async fn load(tx: &mut WriteTx, at: &Context<'_>, req: &HoldSpec) -> AppResult<HarvestWorld> {
        let refs = Refs {
            names: req.names.clone(),
            ..Default::default()
        };
        load_world(tx, license(at), refs).await
    }

    fn decide(at: &Context<'_>, w: HarvestWorld, req: &HoldSpec) -> Result<Outcome, Rejection> {
        Ok(Outcome::of(&harvests::set_hold(&at.ctx, &w, req)?))
    }
}

/// `PUT /harvests/v2/restore/harvestedplants`: harvested plants go back to flowering.
pub struct RestorePlants;

impl Action for RestorePlants {
    const DEF: Definition = Definition::holders("Restore harvested plants", FINISH).needs(GROW);
    type Request = Vec<RestoreSpec>;
    type World = HarvestWorld;

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<HarvestWorld> {
        let refs = Refs {
            ids: req.iter().filter_map(|s| s.harvest_id).collect(),
            plants: req.iter().flat_map(|s| s.plant_tags.clone()).collect(),
            ..Default::default()
        };
        load_world(tx, license(at), refs).await
    }

    fn decide(
        at: &Context<'_>,
        w: HarvestWorld,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        let (changed, plants) = harvests::restore_plants(&at.ctx, &w, req)?;
        Ok(Outcome::of(&changed).and(&plants))
    }
}

/// Packages from harvests (`TESTING`: testing samples).
pub struct FromHarvests<const TESTING: bool>;
/// `POST /harvests/v2/packages`.
pub type CreatePackages = FromHarvests<false>;
/// `POST /harvests/v2/packages/testing`.
pub type CreateTestingPackages = FromHarvests<true>;

impl<const TESTING: bool> Action for FromHarvests<TESTING> {
    const DEF: Definition = if TESTING {
        Definition::holders("Create testing sample packages from harvests", MANAGE).needs(GROW)
    } else {
        Definition::holders("Create packages from harvests", MANAGE).needs(GROW)
    };
    type Request = Vec<HarvestPackageSpec>;
    type World = (PackageWorld, i64);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let lic = license(at);
        let ings = || req.iter().flat_map(|s| s.ingredients.iter());
        let refs = Refs {
            ids: ings().filter_map(|i| i.harvest_id).collect(),
            names: ings().filter_map(|i| i.harvest_name.clone()).collect(),
            locations: req.iter().filter_map(|s| s.location.clone()).collect(),
            sublocations: req.iter().filter_map(|s| s.sublocation.clone()).collect(),
            ..Default::default()
        };
        let harvests = load_world(tx, lic, refs).await?;
        let tags: Vec<String> = req
            .iter()
            .filter_map(|s| s.tag.as_deref())
            .map(|t| t.trim().to_ascii_uppercase())
            .collect();
        let items: Vec<String> = req
            .iter()
            .filter_map(|s| s.item.as_deref())
            .map(fold)
            .collect();
        let world = PackageWorld {
            harvests,
            tags: tx
                .find_many::<Tag>(Some(lic), &tags, None)
                .await?
                .into_iter()
                .map(|t| (t.label.to_string(), t))
                .collect(),
            items: tx
                .find_many::<Item>(Some(lic), &items, Some(true))
                .await?
                .into_iter()
                .map(|i| (fold(&i.name), i))
                .collect(),
        };
        Ok((world, tx.next_id::<Package>().await?))
    }

    fn decide(
        at: &Context<'_>,
        (world, next): Self::World,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        let deadline = harvests::PACKAGING_DEADLINE_DAYS;
        let out = harvests::create_packages(&at.ctx, &world, req, TESTING, deadline, next)?;
        Ok(Outcome::of(&out.packages)
            .and(&out.harvests)
            .and(&out.tags)
            .warn(out.warnings))
    }
}
