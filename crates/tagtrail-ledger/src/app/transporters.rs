//! Drivers and vehicles.

use super::{Acting, Action, AppResult, Ledger, Scope, Written};
use tagtrail_domain::commands::transporters::{
    self, DriverSpec, DriverWorld, VehicleSpec, VehicleWorld,
};
use tagtrail_domain::records::fold;

impl Ledger {
    pub async fn upsert_drivers(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[DriverSpec],
    ) -> AppResult<Written> {
        let key = |s: &DriverSpec| s.drivers_license_number.as_deref().map(fold);
        self.upsert_named(
            who,
            scope,
            action,
            specs,
            key,
            |s| s.id,
            |ctx, by_license, by_id, next| {
                transporters::upsert_drivers(ctx, &DriverWorld { by_license, by_id }, specs, next)
            },
        )
        .await
    }

    pub async fn upsert_vehicles(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[VehicleSpec],
    ) -> AppResult<Written> {
        let key = |s: &VehicleSpec| s.license_plate_number.as_deref().map(fold);
        self.upsert_named(
            who,
            scope,
            action,
            specs,
            key,
            |s| s.id,
            |ctx, by_plate, by_id, next| {
                transporters::upsert_vehicles(ctx, &VehicleWorld { by_plate, by_id }, specs, next)
            },
        )
        .await
    }
}
