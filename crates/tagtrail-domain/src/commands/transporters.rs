//! Transporters: a distributor's drivers and vehicles (rule 39: only a licensed distributor, or
//! its employees, transports, and only in vehicles it owns or leases).

use super::{Ctx, optional, required};
use crate::error::{Rejection, RowErrors};
use crate::records::{Driver, Vehicle, fold};
use std::collections::{HashMap, HashSet};

fn transports(ctx: &Ctx) -> Result<(), Rejection> {
    if ctx.facility.license_type == crate::license::LicenseType::Distributor {
        Ok(())
    } else {
        Err(Rejection::Forbidden(
            "Only a licensed distributor transports cannabis goods (rule 39).".into(),
        ))
    }
}

#[derive(Debug, Clone, Default)]
pub struct DriverSpec {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub drivers_license_number: Option<String>,
    pub employee_id: Option<String>,
}

/// What the ledger loaded: the facility's active drivers by folded license number, and the
/// addressed ones by id.
#[derive(Debug, Default)]
pub struct DriverWorld {
    pub by_license: HashMap<String, Driver>,
    pub by_id: HashMap<i64, Driver>,
}

/// Creates (no `id`) or updates drivers. A driver's license number is unique among the
/// facility's active drivers.
pub fn upsert_drivers(
    ctx: &Ctx,
    world: &DriverWorld,
    specs: &[DriverSpec],
    mut next_id: i64,
) -> Result<Vec<Driver>, Rejection> {
    transports(ctx)?;
    let mut errors = RowErrors::default();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (row, s) in specs.iter().enumerate() {
        let built = (|| -> Result<Driver, String> {
            let name = required(&s.name, "Name")?;
            let dl = required(&s.drivers_license_number, "DriversLicenseNumber")?;
            let existing = match s.id {
                Some(id) => Some(world.by_id.get(&id).filter(|d| d.active).ok_or_else(|| {
                    format!("Driver {id} does not exist in the current Facility.")
                })?),
                None => None,
            };
            let key = fold(&dl);
            if world
                .by_license
                .get(&key)
                .is_some_and(|d| Some(d.id) != s.id)
                || !seen.insert(key)
            {
                return Err(format!("A driver with license number {dl} already exists."));
            }
            let id = existing.map(|d| d.id).unwrap_or_else(|| {
                next_id += 1;
                next_id - 1
            });
            Ok(Driver {
                id,
                license_number: ctx.facility.license_number.clone(),
                name,
                drivers_license_number: dl,
                employee_id: optional(&s.employee_id),
                active: true,
                last_modified: ctx.now.clone(),
            })
        })();
        match built {
            Ok(d) => out.push(d),
            Err(e) => errors.push(row, e),
        }
    }
    errors.into_result()?;
    Ok(out)
}

#[derive(Debug, Clone, Default)]
pub struct VehicleSpec {
    pub id: Option<i64>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub license_plate_number: Option<String>,
}

#[derive(Debug, Default)]
pub struct VehicleWorld {
    pub by_plate: HashMap<String, Vehicle>,
    pub by_id: HashMap<i64, Vehicle>,
}

/// Creates (no `id`) or updates vehicles. A plate is unique among the facility's active vehicles.
pub fn upsert_vehicles(
    ctx: &Ctx,
    world: &VehicleWorld,
    specs: &[VehicleSpec],
    mut next_id: i64,
) -> Result<Vec<Vehicle>, Rejection> {
    transports(ctx)?;
    let mut errors = RowErrors::default();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (row, s) in specs.iter().enumerate() {
        let built = (|| -> Result<Vehicle, String> {
            let make = required(&s.make, "Make")?;
            let model = required(&s.model, "Model")?;
            let plate =
                required(&s.license_plate_number, "LicensePlateNumber")?.to_ascii_uppercase();
            let existing = match s.id {
                Some(id) => Some(world.by_id.get(&id).filter(|v| v.active).ok_or_else(|| {
                    format!("Vehicle {id} does not exist in the current Facility.")
                })?),
                None => None,
            };
            let key = fold(&plate);
            if world.by_plate.get(&key).is_some_and(|v| Some(v.id) != s.id) || !seen.insert(key) {
                return Err(format!("A vehicle with plate {plate} already exists."));
            }
            let id = existing.map(|v| v.id).unwrap_or_else(|| {
                next_id += 1;
                next_id - 1
            });
            Ok(Vehicle {
                id,
                license_number: ctx.facility.license_number.clone(),
                make,
                model,
                license_plate_number: plate,
                active: true,
                last_modified: ctx.now.clone(),
            })
        })();
        match built {
            Ok(v) => out.push(v),
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

    fn facility(t: LicenseType) -> Facility {
        Facility {
            id: 1,
            license_number: "L-1".into(),
            license_type: t,
            name: "F".into(),
            display_name: "F".into(),
            license_start_date: "2026-01-01".into(),
            license_end_date: "2026-12-31".into(),
            address: None,
            credentialed_date: "2026-01-01".into(),
            onboarding: Default::default(),
            active: true,
            last_modified: "t".into(),
        }
    }

    /// Rule 39: only a distributor registers drivers and vehicles.
    #[test]
    fn rule_39_only_distributors_transport() {
        let spec = DriverSpec {
            name: Some("Ana".into()),
            drivers_license_number: Some("D1".into()),
            ..Default::default()
        };
        for t in LicenseType::ALL {
            let f = facility(t);
            let ctx = Ctx {
                facility: &f,
                now: "t".into(),
            };
            let r = upsert_drivers(
                &ctx,
                &DriverWorld::default(),
                std::slice::from_ref(&spec),
                1,
            );
            assert_eq!(r.is_ok(), t == LicenseType::Distributor, "{t:?}");
        }
    }

    #[test]
    fn plates_are_unique_and_normalized() {
        let f = facility(LicenseType::Distributor);
        let ctx = Ctx {
            facility: &f,
            now: "t".into(),
        };
        let v = |plate: &str| VehicleSpec {
            make: Some("Ford".into()),
            model: Some("Transit".into()),
            license_plate_number: Some(plate.into()),
            ..Default::default()
        };
        let Err(Rejection::Rows(rows)) = upsert_vehicles(
            &ctx,
            &VehicleWorld::default(),
            &[v("8abc123"), v("8ABC123"), v("")],
            1,
        ) else {
            panic!()
        };
        assert_eq!(rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(
            upsert_vehicles(&ctx, &VehicleWorld::default(), &[v("8abc123")], 1).unwrap()[0]
                .license_plate_number,
            "8ABC123"
        );
    }
}
