//! Locations and sublocations.

use super::{Ctx, required};
use crate::error::{Rejection, RowErrors};
use crate::records::{Location, Sublocation, fold};
use crate::reference;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Default)]
pub struct LocationSpec {
    /// Present on updates.
    pub id: Option<i64>,
    pub name: Option<String>,
    pub location_type_name: Option<String>,
}

/// What the ledger loaded for a location write: the facility's active locations by folded name,
/// and (for updates) the addressed locations by id.
#[derive(Debug, Default)]
pub struct LocationWorld {
    pub by_name: HashMap<String, Location>,
    pub by_id: HashMap<i64, Location>,
}

/// Creates (`id == None`) or updates locations. Names are unique among a facility's active
/// locations, case-insensitively; the type must be one the license type may use.
pub fn upsert_locations(
    ctx: &Ctx,
    world: &LocationWorld,
    specs: &[LocationSpec],
    mut next_id: i64,
) -> Result<Vec<Location>, Rejection> {
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
        let type_name = required(&spec.location_type_name, "LocationTypeName");
        let ltype = match &type_name {
            Ok(t) => reference::location_type(ctx.facility.license_type, t),
            Err(_) => None,
        };
        let ltype = match (type_name, ltype) {
            (Err(e), _) => {
                errors.push(row, e);
                continue;
            }
            (Ok(t), None) => {
                errors.push(
                    row,
                    format!("Location Type {t} is not available to this facility."),
                );
                continue;
            }
            (Ok(_), Some(lt)) => lt,
        };
        let existing = match spec.id {
            Some(id) => match world.by_id.get(&id) {
                Some(l) if l.active => Some(l),
                _ => {
                    errors.push(
                        row,
                        format!("Location {id} does not exist in the current Facility."),
                    );
                    continue;
                }
            },
            None => None,
        };
        let key = fold(&name);
        let clash = world.by_name.get(&key).filter(|l| Some(l.id) != spec.id);
        if clash.is_some() || !seen.insert(key) {
            errors.push(row, format!("A location named {name} already exists."));
            continue;
        }
        let id = existing.map(|l| l.id).unwrap_or_else(|| {
            next_id += 1;
            next_id - 1
        });
        out.push(Location {
            id,
            license_number: ctx.facility.license_number.clone(),
            name,
            location_type_id: ltype.id,
            location_type_name: ltype.name.to_string(),
            active: true,
            last_modified: ctx.now.clone(),
        });
    }
    errors.into_result()?;
    Ok(out)
}

#[derive(Debug, Clone, Default)]
pub struct SublocationSpec {
    pub id: Option<i64>,
    pub name: Option<String>,
}

#[derive(Debug, Default)]
pub struct SublocationWorld {
    pub by_name: HashMap<String, Sublocation>,
    pub by_id: HashMap<i64, Sublocation>,
}

pub fn upsert_sublocations(
    ctx: &Ctx,
    world: &SublocationWorld,
    specs: &[SublocationSpec],
    mut next_id: i64,
) -> Result<Vec<Sublocation>, Rejection> {
    if !ctx
        .facility
        .license_type
        .can(crate::license::Capability::EnableSublocations)
    {
        return Err(Rejection::Forbidden(
            "Sublocations are not enabled for this facility.".into(),
        ));
    }
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
                Some(s) if s.active => Some(s),
                _ => {
                    errors.push(
                        row,
                        format!("Sublocation {id} does not exist in the current Facility."),
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
            .is_some_and(|s| Some(s.id) != spec.id)
            || !seen.insert(key)
        {
            errors.push(row, format!("A sublocation named {name} already exists."));
            continue;
        }
        let id = existing.map(|s| s.id).unwrap_or_else(|| {
            next_id += 1;
            next_id - 1
        });
        out.push(Sublocation {
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
