//! Items, item brands and strains.

use super::{Acting, Action, AppResult, Ledger, Outcome, Scope, Written};
use std::collections::HashMap;
use tagtrail_domain::commands::{self, catalog};
use tagtrail_domain::records::{Item, Record, fold};

fn by_name<R: Record + Clone>(rows: Vec<R>) -> HashMap<String, R> {
    rows.into_iter()
        .filter_map(|r| r.lookup().map(|k| (k, r.clone())))
        .collect()
}

impl Ledger {
    pub async fn upsert_items(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[catalog::ItemSpec],
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let lic = Some(scope.license());
        let mut tx = self.store.begin().await?;
        let names: Vec<String> = specs
            .iter()
            .filter_map(|s| s.name.as_deref().map(fold))
            .collect();
        let strains: Vec<String> = specs
            .iter()
            .filter_map(|s| s.strain.as_deref().map(fold))
            .collect();
        let brands: Vec<String> = specs
            .iter()
            .filter_map(|s| s.brand.as_deref().map(fold))
            .collect();
        let mut items_by_id = HashMap::new();
        for id in specs.iter().filter_map(|s| s.id) {
            if let Some(i) = tx
                .get::<Item>(id)
                .await?
                .filter(|i: &Item| i.license_number == scope.license())
            {
                items_by_id.insert(id, i);
            }
        }
        let world = catalog::ItemWorld {
            items_by_name: by_name(tx.find_many(lic, &names, Some(true)).await?),
            items_by_id,
            strains: by_name(tx.find_many(lic, &strains, Some(true)).await?),
            brands: by_name(tx.find_many(lic, &brands, Some(true)).await?),
        };
        let items = catalog::upsert_items(&ctx, &world, specs, tx.next_id::<Item>().await?)?;
        self.commit(tx, who, lic, action, &now, Outcome::of(&items))
            .await
    }

    pub async fn upsert_brands(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[catalog::BrandSpec],
    ) -> AppResult<Written> {
        let key = |s: &catalog::BrandSpec| s.name.as_deref().map(fold);
        self.upsert_named(
            who,
            scope,
            action,
            specs,
            key,
            |s| s.id,
            |ctx, by_name, by_id, next| {
                catalog::upsert_brands(ctx, &catalog::BrandWorld { by_name, by_id }, specs, next)
            },
        )
        .await
    }

    pub async fn upsert_strains(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[catalog::StrainSpec],
    ) -> AppResult<Written> {
        let key = |s: &catalog::StrainSpec| s.name.as_deref().map(fold);
        self.upsert_named(
            who,
            scope,
            action,
            specs,
            key,
            |s| s.id,
            |ctx, by_name, by_id, next| {
                catalog::upsert_strains(ctx, &catalog::StrainWorld { by_name, by_id }, specs, next)
            },
        )
        .await
    }

    /// Archives one record by id (`DELETE /x/v2/{id}`).
    pub async fn archive<R: Record + Clone>(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        what: &str,
        id: i64,
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let mut tx = self.store.begin().await?;
        let found: Option<R> = tx.get(id).await?;
        let archived = commands::archive(&ctx, found.as_ref(), what, id)?;
        self.commit(
            tx,
            who,
            Some(scope.license()),
            action,
            &now,
            Outcome::of(std::slice::from_ref(&archived)),
        )
        .await
    }
}
