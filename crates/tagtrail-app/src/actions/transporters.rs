//! A distributor's drivers and vehicles (rule 39).

use super::{archive, named_upserts};
use crate::Definition;
use tagtrail_domain::commands::transporters::{self, DriverSpec, VehicleSpec};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Driver, Vehicle, fold};

const PERMS: &[Permission] = &[Permission::ManageTransporters];

pub mod drivers {
    use super::*;

    named_upserts! {
        record: Driver, spec: DriverSpec,
        key: |s| s.drivers_license_number.as_deref().map(fold),
        decide: |ctx, named, specs| transporters::upsert_drivers(
            ctx,
            &transporters::DriverWorld { by_license: named.by_key, by_id: named.by_id },
            specs,
            named.next_id,
        ),
        Create: Definition::holders("Register drivers", PERMS),
        Update: Definition::holders("Update drivers", PERMS),
    }

    archive!(Archive, Driver, "Driver", "Archive driver", PERMS);
}

pub mod vehicles {
    use super::*;

    named_upserts! {
        record: Vehicle, spec: VehicleSpec,
        key: |s| s.license_plate_number.as_deref().map(fold),
        decide: |ctx, named, specs| transporters::upsert_vehicles(
            ctx,
            &transporters::VehicleWorld { by_plate: named.by_key, by_id: named.by_id },
            specs,
            named.next_id,
        ),
        Create: Definition::holders("Register vehicles", PERMS),
        Update: Definition::holders("Update vehicles", PERMS),
    }

    archive!(Archive, Vehicle, "Vehicle", "Archive vehicle", PERMS);
}
