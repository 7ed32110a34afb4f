//! Additives: the facility's additive templates (`/additivestemplates/v2`) and additives applied
//! to plants and plant batches (`/plants/v2/additives*`, `/plantbatches/v2/additives*`). Every
//! action needs a facility that grows plants, loads exactly the templates, plants, batches and
//! places its request names (and, by location, the growing plants there), and calls its
//! decision in `tagtrail_domain::commands::additives`.

use crate::{Action, AppResult, Context, Definition, Needs, Outcome};
use std::collections::HashSet;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::additives::{
    self, Application, BatchAdditiveSpec, LocationAdditiveSpec, PlantAdditiveSpec, Product,
    TemplateSpec, World,
};
use tagtrail_domain::license::Capability;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{
    AdditivesTemplate, Location, Plant, PlantAdditive, PlantBatch, Sublocation, fold,
};
use tagtrail_store::{Column, ListQuery, WriteTx};

const GROW: Needs = Needs::Capability(Capability::CanGrowPlants);
const TEMPLATES: &[Permission] = &[Permission::ManageAdditives];
const APPLY: &[Permission] = &[Permission::ManagePlantsAdditives];

/// What an additive request names, so the load reads just those rows.
#[derive(Debug, Default)]
struct Names {
    templates: Vec<String>,
    template_ids: Vec<i64>,
    plants: Vec<String>,
    batches: Vec<String>,
    locations: Vec<String>,
    sublocations: Vec<String>,
}

impl Names {
    fn application(&mut self, a: &Application) {
        if let Product::Template(u) = &a.product {
            self.templates
                .extend(u.template_name.iter().map(|n| fold(n)));
        }
    }
}

async fn load_world(tx: &mut WriteTx, license: &str, n: Names) -> AppResult<World> {
    let lic = Some(license);
    let mut world = World {
        templates: tx
            .find_many::<AdditivesTemplate>(lic, &n.templates, Some(true))
            .await?
            .into_iter()
            .map(|t| (fold(&t.name), t))
            .collect(),
        plants: tx
            .find_many::<Plant>(lic, &n.plants, None)
            .await?
            .into_iter()
            .map(|p| (p.label.to_string(), p))
            .collect(),
        batches: tx
            .find_many::<PlantBatch>(lic, &n.batches, Some(true))
            .await?
            .into_iter()
            .map(|b| (fold(&b.name), b))
            .collect(),
        locations: tx
            .find_many::<Location>(lic, &n.locations, Some(true))
            .await?
            .into_iter()
            .map(|l| (fold(&l.name), l))
            .collect(),
        sublocations: tx
            .find_many::<Sublocation>(lic, &n.sublocations, Some(true))
            .await?
            .into_iter()
            .map(|s| (fold(&s.name), s))
            .collect(),
        ..World::default()
    };
    // Template names are unique among the active templates only; the ids an update addresses
    // are read one by one (archived ones too, so the refusal can say so).
    for id in n.template_ids.into_iter().collect::<HashSet<_>>() {
        if let Some(t) = tx
            .get::<AdditivesTemplate>(id)
            .await?
            .filter(|t: &AdditivesTemplate| t.license_number == license)
        {
            world.template_ids.insert(id, t);
        }
    }
    // By location: the growing (active) plants of every named location, filtered to a
    // sublocation by the decision.
    let location_ids: Vec<i64> = world.locations.values().map(|l| l.id).collect();
    if !location_ids.is_empty() {
        let q = ListQuery {
            license: Some(license.to_string()),
            active: Some(true),
            ..ListQuery::default()
        }
        .with(Column::LocationId, location_ids);
        world.location_plants = tx.list::<Plant>(&q).await?.rows;
    }
    Ok(world)
}

fn folded(v: &Option<String>) -> Option<String> {
    v.as_deref().map(fold)
}

/// `POST /additivestemplates/v2`.
pub struct CreateTemplates;

impl Action for CreateTemplates {
    const DEF: Definition =
        Definition::holders("Create additives templates", TEMPLATES).needs(GROW);
    type Request = Vec<TemplateSpec>;
    type World = (World, i64);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let n = Names {
            templates: req.iter().filter_map(|s| folded(&s.name)).collect(),
            ..Names::default()
        };
        let world = load_world(tx, &at.ctx.facility.license_number, n).await?;
        Ok((world, tx.next_id::<AdditivesTemplate>().await?))
    }

    fn decide(
        at: &Context<'_>,
        (world, next): Self::World,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        let made = additives::create_templates(&at.ctx, &world, &at.by, next, req)?;
        Ok(Outcome::of(&made))
    }
}

/// `PUT /additivestemplates/v2`.
pub struct UpdateTemplates;

impl Action for UpdateTemplates {
    const DEF: Definition =
        Definition::holders("Update additives templates", TEMPLATES).needs(GROW);
    type Request = Vec<TemplateSpec>;
    type World = World;

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let n = Names {
            templates: req.iter().filter_map(|s| folded(&s.name)).collect(),
            template_ids: req.iter().filter_map(|s| s.id).collect(),
            ..Names::default()
        };
        load_world(tx, &at.ctx.facility.license_number, n).await
    }

    fn decide(
        at: &Context<'_>,
        world: Self::World,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        let changed = additives::update_templates(&at.ctx, &world, &at.by, req)?;
        Ok(Outcome::of(&changed))
    }
}

/// Archives one template by id: it leaves the active list and can no longer be applied. Metrc's
/// v2 documents no endpoint for it; the web pages and the operator's doors may offer it.
pub struct ArchiveTemplate;

impl Action for ArchiveTemplate {
    const DEF: Definition =
        Definition::holders("Archive additives template", TEMPLATES).needs(GROW);
    /// The template's id.
    type Request = i64;
    type World = World;

    async fn load(tx: &mut WriteTx, at: &Context<'_>, id: &i64) -> AppResult<Self::World> {
        let n = Names {
            template_ids: vec![*id],
            ..Names::default()
        };
        load_world(tx, &at.ctx.facility.license_number, n).await
    }

    fn decide(at: &Context<'_>, world: Self::World, id: &i64) -> Result<Outcome, Rejection> {
        let archived = additives::archive_template(&at.ctx, &world, *id)?;
        Ok(Outcome::of(std::slice::from_ref(&archived)))
    }
}

/// `POST /plants/v2/additives` and `POST /plants/v2/additives/usingtemplate` (rule 17).
pub struct ApplyToPlants;

impl Action for ApplyToPlants {
    const DEF: Definition = Definition::holders("Record plant additives", APPLY).needs(GROW);
    type Request = Vec<PlantAdditiveSpec>;
    type World = (World, i64);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let mut n = Names::default();
        for s in req {
            n.application(&s.application);
            n.plants
                .extend(s.plant_labels.iter().map(|l| l.trim().to_ascii_uppercase()));
        }
        let world = load_world(tx, &at.ctx.facility.license_number, n).await?;
        Ok((world, tx.next_id::<PlantAdditive>().await?))
    }

    fn decide(
        at: &Context<'_>,
        (world, next): Self::World,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        let made = additives::apply_to_plants(&at.ctx, &world, &at.by, next, req)?;
        Ok(Outcome::of(&made))
    }
}

/// `POST /plants/v2/additives/bylocation` and `…/bylocation/usingtemplate` (rule 17).
pub struct ApplyByLocation;

impl Action for ApplyByLocation {
    const DEF: Definition =
        Definition::holders("Record plant additives by location", APPLY).needs(GROW);
    type Request = Vec<LocationAdditiveSpec>;
    type World = (World, i64);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let mut n = Names::default();
        for s in req {
            n.application(&s.application);
            n.locations.extend(folded(&s.location_name));
            n.sublocations.extend(folded(&s.sublocation_name));
        }
        let world = load_world(tx, &at.ctx.facility.license_number, n).await?;
        Ok((world, tx.next_id::<PlantAdditive>().await?))
    }

    fn decide(
        at: &Context<'_>,
        (world, next): Self::World,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        let made = additives::apply_by_location(&at.ctx, &world, &at.by, next, req)?;
        Ok(Outcome::of(&made))
    }
}

/// `POST /plantbatches/v2/additives` and `…/usingtemplate` (rule 17).
pub struct ApplyToBatches;

impl Action for ApplyToBatches {
    const DEF: Definition = Definition::holders("Record plant batch additives", APPLY).needs(GROW);
    type Request = Vec<BatchAdditiveSpec>;
    type World = (World, i64);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let mut n = Names::default();
        for s in req {
            n.application(&s.application);
            n.batches.extend(folded(&s.plant_batch_name));
        }
        let world = load_world(tx, &at.ctx.facility.license_number, n).await?;
        Ok((world, tx.next_id::<PlantAdditive>().await?))
    }

    fn decide(
        at: &Context<'_>,
        (world, next): Self::World,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        let made = additives::apply_to_batches(&at.ctx, &world, &at.by, next, req)?;
        Ok(Outcome::of(&made))
    }
}
