//! Locations and sublocations.

use super::{Acting, Action, AppResult, Ledger, Outcome, Scope, Written};
use tagtrail_domain::commands::premises;
use tagtrail_domain::records::{Location, Record, Sublocation, fold};

impl Ledger {
    pub async fn upsert_locations(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[premises::LocationSpec],
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let lic = Some(scope.license());
        let mut tx = self.store.begin().await?;
        let names: Vec<String> = specs
            .iter()
            .filter_map(|s| s.name.as_deref().map(fold))
            .collect();
        let mut world = premises::LocationWorld::default();
        for l in tx.find_many::<Location>(lic, &names, Some(true)).await? {
            world.by_name.insert(fold(&l.name), l);
        }
        for id in specs.iter().filter_map(|s| s.id) {
            if let Some(l) = tx
                .get::<Location>(id)
                .await?
                .filter(|l: &Location| l.license_number == scope.license())
            {
                world.by_id.insert(id, l);
            }
        }
        let rows =
            premises::upsert_locations(&ctx, &world, specs, tx.next_id::<Location>().await?)?;
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

    pub async fn upsert_sublocations(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[premises::SublocationSpec],
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let lic = Some(scope.license());
        let mut tx = self.store.begin().await?;
        let names: Vec<String> = specs
            .iter()
            .filter_map(|s| s.name.as_deref().map(fold))
            .collect();
        let mut world = premises::SublocationWorld::default();
        for s in tx.find_many::<Sublocation>(lic, &names, Some(true)).await? {
            world.by_name.insert(fold(&s.name), s);
        }
        for id in specs.iter().filter_map(|s| s.id) {
            if let Some(s) = tx
                .get::<Sublocation>(id)
                .await?
                .filter(|s: &Sublocation| s.license_number == scope.license())
            {
                world.by_id.insert(id, s);
            }
        }
        let rows =
            premises::upsert_sublocations(&ctx, &world, specs, tx.next_id::<Sublocation>().await?)?;
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
