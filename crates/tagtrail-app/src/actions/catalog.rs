//! Items, item brands and strains.

use super::{archive, named_upserts};
use crate::{Action, AppResult, Context, Definition, Outcome};
use std::collections::HashMap;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::catalog::{self, BrandSpec, ItemSpec, ItemWorld, StrainSpec};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Item, ItemBrand, Record, Strain, fold};
use tagtrail_store::WriteTx;

const ITEMS: &[Permission] = &[Permission::ManageItems];
const STRAINS: &[Permission] = &[Permission::ManageStrains];

fn by_key<R: Record>(rows: Vec<R>) -> HashMap<String, R> {
    rows.into_iter()
        .filter_map(|r| r.lookup().map(|k| (k, r)))
        .collect()
}

/// Items refer to strains and brands by name, so their load is their own.
async fn load_items(
    tx: &mut WriteTx,
    at: &Context<'_>,
    specs: &[ItemSpec],
) -> AppResult<(ItemWorld, i64)> {
    let lic = at.ctx.facility.license_number.as_str();
    let folded = |f: fn(&ItemSpec) -> Option<&String>| -> Vec<String> {
        specs.iter().filter_map(|s| f(s).map(|v| fold(v))).collect()
    };
    let mut items_by_id = HashMap::new();
    for id in specs.iter().filter_map(|s| s.id) {
        if let Some(i) = tx
            .get::<Item>(id)
            .await?
            .filter(|i| i.license_number == lic)
        {
            items_by_id.insert(id, i);
        }
    }
    let world = ItemWorld {
        items_by_name: by_key(
            tx.find_many(Some(lic), &folded(|s| s.name.as_ref()), Some(true))
                .await?,
        ),
        items_by_id,
        strains: by_key(
            tx.find_many(Some(lic), &folded(|s| s.strain.as_ref()), Some(true))
                .await?,
        ),
        brands: by_key(
            tx.find_many(Some(lic), &folded(|s| s.brand.as_ref()), Some(true))
                .await?,
        ),
    };
    Ok((world, tx.next_id::<Item>().await?))
}

pub mod items {
    use super::*;

    /// Creates (`POST /items/v2`) or updates (`PUT`) items. Items name their strain and brand,
    /// so their load is their own.
    pub struct Upsert<const UPDATE: bool>;
    pub type Create = Upsert<false>;
    pub type Update = Upsert<true>;

    impl<const UPDATE: bool> Action for Upsert<UPDATE> {
        const DEF: Definition = if UPDATE {
            Definition::holders("Update items", ITEMS)
        } else {
            Definition::holders("Create items", ITEMS)
        };
        type Request = Vec<ItemSpec>;
        type World = (ItemWorld, i64);

        async fn load(
            tx: &mut WriteTx,
            at: &Context<'_>,
            req: &Self::Request,
        ) -> AppResult<Self::World> {
            load_items(tx, at, req).await
        }

        fn decide(
            at: &Context<'_>,
            (world, next): Self::World,
            req: &Self::Request,
        ) -> Result<Outcome, Rejection> {
            if UPDATE {
                tagtrail_domain::commands::require_ids(req.iter().map(|s| s.id))?;
            }
            Ok(Outcome::of(&catalog::upsert_items(
                &at.ctx, &world, req, next,
            )?))
        }
    }

    archive!(Archive, Item, "Item", "Archive item", ITEMS);
}

pub mod brands {
    use super::*;

    named_upserts! {
        record: ItemBrand, spec: BrandSpec,
        key: |s| s.name.as_deref().map(fold),
        decide: |ctx, named, specs| catalog::upsert_brands(
            ctx,
            &catalog::BrandWorld { by_name: named.by_key, by_id: named.by_id },
            specs,
            named.next_id,
        ),
        Create: Definition::holders("Create item brands", ITEMS),
        Update: Definition::holders("Update item brands", ITEMS),
    }

    archive!(
        Archive,
        ItemBrand,
        "Item Brand",
        "Archive item brand",
        ITEMS
    );
}

pub mod strains {
    use super::*;

    named_upserts! {
        record: Strain, spec: StrainSpec,
        key: |s| s.name.as_deref().map(fold),
        decide: |ctx, named, specs| catalog::upsert_strains(
            ctx,
            &catalog::StrainWorld { by_name: named.by_key, by_id: named.by_id },
            specs,
            named.next_id,
        ),
        Create: Definition::holders("Create strains", STRAINS),
        Update: Definition::holders("Update strains", STRAINS),
    }

    archive!(Archive, Strain, "Strain", "Archive strain", STRAINS);
}
