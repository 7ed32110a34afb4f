//! Drivers and vehicles.

use super::{Acting, Action, AppResult, Ledger, Outcome, Scope, Written};
use tagtrail_domain::commands::transporters::{
    self, DriverSpec, DriverWorld, VehicleSpec, VehicleWorld,
};
use tagtrail_domain::records::{Driver, Record, Vehicle, fold};

impl Ledger {
    pub async fn upsert_drivers(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[DriverSpec],
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let lic = Some(scope.license());
        let mut tx = self.store.begin().await?;
        let keys: Vec<String> = specs
            .iter()
            .filter_map(|s| s.drivers_license_number.as_deref().map(fold))
            .collect();
        let mut world = DriverWorld::default();
        for d in tx.find_many::<Driver>(lic, &keys, Some(true)).await? {
            world.by_license.insert(fold(&d.drivers_license_number), d);
        }
        for id in specs.iter().filter_map(|s| s.id) {
            if let Some(d) = tx
                .get::<Driver>(id)
                .await?
                .filter(|d: &Driver| d.license_number == scope.license())
            {
                world.by_id.insert(id, d);
            }
        }
        let rows =
            transporters::upsert_drivers(&ctx, &world, specs, tx.next_id::<Driver>().await?)?;
        let ids = rows.iter().map(|r| r.id).collect();
        let changes = rows.iter().map(Record::to_change).collect();
        self.commit(
            tx,
            who,
            lic,
            action,
            &now,
            Outcome {
                changes,
                ids,
                warnings: vec![],
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
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let lic = Some(scope.license());
        let mut tx = self.store.begin().await?;
        let keys: Vec<String> = specs
            .iter()
            .filter_map(|s| s.license_plate_number.as_deref().map(fold))
            .collect();
        let mut world = VehicleWorld::default();
        for v in tx.find_many::<Vehicle>(lic, &keys, Some(true)).await? {
            world.by_plate.insert(fold(&v.license_plate_number), v);
        }
        for id in specs.iter().filter_map(|s| s.id) {
            if let Some(v) = tx
                .get::<Vehicle>(id)
                .await?
                .filter(|v: &Vehicle| v.license_number == scope.license())
            {
                world.by_id.insert(id, v);
            }
        }
        let rows =
            transporters::upsert_vehicles(&ctx, &world, specs, tx.next_id::<Vehicle>().await?)?;
        let ids = rows.iter().map(|r| r.id).collect();
        let changes = rows.iter().map(Record::to_change).collect();
        self.commit(
            tx,
            who,
            lic,
            action,
            &now,
            Outcome {
                changes,
                ids,
                warnings: vec![],
            },
        )
        .await
    }
}
