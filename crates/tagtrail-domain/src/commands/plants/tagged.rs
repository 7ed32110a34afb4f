//! Individually tagged plants (`/plants/v2`): growth phase, moves, strain and tag changes, waste
//! and destruction. Plantings from a plant are [`super::batches::plantings`] with a source plant.

use super::{Changed, NextIds, WasteSpec, WasteTarget, Work, World, date, required};
use crate::commands::{Ctx, optional};
use crate::error::Rejection;
use crate::records::{GrowthPhase, PlantState};

/// `PUT /plants/v2/growthphase`.
#[derive(Debug, Clone, Default)]
pub struct GrowthPhaseSpec {
    pub id: Option<i64>,
    pub label: Option<String>,
    pub new_tag: Option<String>,
    pub growth_phase: Option<String>,
    pub new_location: Option<String>,
    pub new_sublocation: Option<String>,
    pub growth_date: Option<String>,
}

/// Changes plants' growth phase: a vegetative plant starts flowering, in a canopy location
/// (rule 21; where it is unless `NewLocation` moves it), optionally under a new tag.
pub fn change_growth_phase(
    ctx: &Ctx,
    world: &World,
    by: &str,
    specs: &[GrowthPhaseSpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, NextIds::default()).each(specs, |w, s| {
        let mut p = w.plant(s.id, &s.label)?;
        let phase_name = required(&s.growth_phase, "GrowthPhase")?;
        let phase = GrowthPhase::parse(&phase_name)
            .ok_or_else(|| format!("Growth phase {phase_name} does not exist."))?;
        if phase == p.growth_phase {
            return Err(format!("Plant {} is already {}.", p.label, phase.as_str()));
        }
        if phase == GrowthPhase::Vegetative {
            return Err(format!(
                "Plant {} is flowering; a flowering plant does not go back to vegetative.",
                p.label
            ));
        }
        // Rule 21: flowering only inside the canopy; a plant that stays where it is must
        // already be there.
        let place = optional(&s.new_location).or_else(|| Some(p.location_name.clone()));
        let l = w.location(&place, "NewLocation", true).map_err(|e| {
            format!("{e} Flowering plants must be in a designated canopy location.")
        })?;
        let stays = optional(&s.new_location).is_none() && optional(&s.new_sublocation).is_none();
        let sub = w.sublocation(&s.new_sublocation)?;
        let day = date("GrowthDate", &s.growth_date, w.ctx)?;
        if let Some(raw) = optional(&s.new_tag) {
            p.label = w.use_plant_tag(&raw)?;
        }
        p.growth_phase = phase;
        p.flowering_date = Some(day);
        p.location_id = l.id;
        p.location_name = l.name;
        p.location_type_name = l.location_type_name;
        if !stays {
            p.sublocation_id = sub.as_ref().map(|x| x.id);
            p.sublocation_name = sub.map(|x| x.name);
        }
        w.answer(p.id);
        w.put_plant(p);
        Ok(())
    })
}

/// `PUT /plants/v2/location`.
#[derive(Debug, Clone, Default)]
pub struct MoveSpec {
    pub id: Option<i64>,
    pub label: Option<String>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub date: Option<String>,
}

pub fn relocate(
    ctx: &Ctx,
    world: &World,
    by: &str,
    specs: &[MoveSpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, NextIds::default()).each(specs, |w, s| {
        let mut p = w.plant(s.id, &s.label)?;
        let l = w.location(&s.location, "Location", true);
        // Rule 21: a flowering plant stays inside the canopy.
        let l = match p.growth_phase {
            GrowthPhase::Flowering => l.map_err(|e| {
                format!("{e} Flowering plants must be in a designated canopy location.")
            })?,
            GrowthPhase::Vegetative => l?,
        };
        let sub = w.sublocation(&s.sublocation)?;
        date("ActualDate", &s.date, w.ctx)?;
        p.location_id = l.id;
        p.location_name = l.name;
        p.location_type_name = l.location_type_name;
        p.sublocation_id = sub.as_ref().map(|x| x.id);
        p.sublocation_name = sub.map(|x| x.name);
        w.answer(p.id);
        w.put_plant(p);
        Ok(())
    })
}

/// `PUT /plants/v2/strain`.
#[derive(Debug, Clone, Default)]
pub struct StrainSpec {
    pub id: Option<i64>,
    pub label: Option<String>,
    pub strain_id: Option<i64>,
    pub strain_name: Option<String>,
}

pub fn change_strain(
    ctx: &Ctx,
    world: &World,
    by: &str,
    specs: &[StrainSpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, NextIds::default()).each(specs, |w, s| {
        let mut p = w.plant(s.id, &s.label)?;
        let strain = w.strain(s.strain_id, &s.strain_name)?;
        p.strain_id = strain.id;
        p.strain_name = strain.name;
        w.answer(p.id);
        w.put_plant(p);
        Ok(())
    })
}

/// `PUT /plants/v2/tag`: a replacement tag (a damaged or lost one); the new tag is used.
#[derive(Debug, Clone, Default)]
pub struct TagSpec {
    pub id: Option<i64>,
    pub label: Option<String>,
    pub new_tag: Option<String>,
    pub date: Option<String>,
}

pub fn retag(ctx: &Ctx, world: &World, by: &str, specs: &[TagSpec]) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, NextIds::default()).each(specs, |w, s| {
        let mut p = w.plant(s.id, &s.label)?;
        let raw = required(&s.new_tag, "NewTag")?;
        date("ReplaceDate", &s.date, w.ctx)?;
        p.label = w.use_plant_tag(&raw)?;
        w.answer(p.id);
        w.put_plant(p);
        Ok(())
    })
}

/// `POST /plants/v2/waste`: waste of tagged plants (trimmings, a dead leaf…), the plants live on.
#[derive(Debug, Clone, Default)]
pub struct PlantWasteSpec {
    pub labels: Vec<String>,
    pub location: Option<String>,
    pub sublocation: Option<String>,
    pub waste: WasteSpec,
}

pub fn record_waste(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next: NextIds,
    specs: &[PlantWasteSpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, next).each(specs, |w, s| {
        let mut plants = Vec::new();
        for l in &s.labels {
            let p = w.plant(None, &Some(l.clone()))?;
            if plants.iter().any(|x: &crate::records::Plant| x.id == p.id) {
                return Err(format!("Plant {l} appears more than once."));
            }
            plants.push(p);
        }
        let (location_name, sublocation_name) = match optional(&s.location) {
            Some(_) => {
                let l = w.location(&s.location, "LocationName", true)?;
                (Some(l.name), w.sublocation(&s.sublocation)?.map(|x| x.name))
            }
            None if plants.is_empty() => {
                return Err("PlantLabels or LocationName must be specified.".into());
            }
            None => (None, None),
        };
        let target = WasteTarget {
            plants,
            location_name,
            sublocation_name,
            ..Default::default()
        };
        let waste = w.record_waste(&s.waste, "WasteDate", target)?;
        w.answer(waste.id);
        Ok(())
    })
}

/// `DELETE /plants/v2`: destroys plants, recording their waste first (rules 17, 25, 26, 57).
#[derive(Debug, Clone, Default)]
pub struct DestroySpec {
    pub id: Option<i64>,
    pub label: Option<String>,
    pub count: Option<i64>,
    pub waste: WasteSpec,
}

pub fn destroy(
    ctx: &Ctx,
    world: &World,
    by: &str,
    next: NextIds,
    specs: &[DestroySpec],
) -> Result<Changed, Rejection> {
    Work::new(ctx, world, by, next).each(specs, |w, s| {
        let mut p = w.plant(s.id, &s.label)?;
        // Each California plant carries its own tag (rule 20), so one row destroys one plant.
        if s.count.is_some_and(|c| c != 1) {
            return Err(format!("Plant {} is one plant; Count must be 1.", p.label));
        }
        let waste = w.record_waste(&s.waste, "ActualDate", WasteTarget::of_plant(&p))?;
        p.state = PlantState::Destroyed;
        p.destroyed_date = Some(waste.waste_date);
        // Rule 17: a destruction note names the employee and the reason.
        let reason = waste.waste_reason_name;
        p.destroyed_note = Some(match waste.note {
            Some(n) => format!("{reason}: {n}"),
            None => reason,
        });
        p.destroyed_by_user_name = Some(w.by.to_string());
        p.active = false;
        w.answer(p.id);
        w.put_plant(p);
        Ok(())
    })
}

/// `PUT /plants/v2/split`, `PUT /plants/v2/merge` and `PUT /plants/v2/adjust` work on plant
/// groups (several plants under one tag), which Metrc offers where a state allows group tagging
/// of mature plants. California does not (rule 20: every plant in the canopy has its own tag;
/// group tagging is only proposed, DCC-2026-03-R), so they are refused.
pub fn refuse_group_tagging(what: &str) -> Rejection {
    Rejection::Invalid(format!(
        "{what} is not available in California: every plant carries its own tag (rule 20)."
    ))
}
