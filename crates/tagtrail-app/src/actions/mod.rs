//! Every regulated action of the ledger, one definition each, grouped by area. A door takes an
//! action by naming its type: `ledger.run::<actions::strains::Create>(&scope, door, &specs)`.
//!
//! Adding an endpoint: define the action here (its [`crate::Definition`], what it loads, which
//! domain decision it calls), write the decision in `tagtrail_domain::commands`, and add a thin
//! route that maps the wire body to the action's request.

pub mod additives;
pub mod catalog;
pub mod deliveries;
pub mod harvests;
pub mod import;
pub mod lab;
pub mod packages;
pub mod people;
pub mod plants;
pub mod premises;
pub mod sales;
pub mod tags;
pub mod transfers;
pub mod transporters;

pub use catalog::{brands, items, strains};
pub use premises::{locations, sublocations};
pub use transporters::{drivers, vehicles};

use crate::AppResult;
use std::collections::HashMap;
use tagtrail_domain::records::Record;
use tagtrail_store::WriteTx;

/// What a create-or-update of named records loads: the facility's active records the request
/// names (by lookup key) and the ones it addresses by id, and the next free id.
pub struct Named<R> {
    pub by_key: HashMap<String, R>,
    pub by_id: HashMap<i64, R>,
    pub next_id: i64,
}

/// Loads [`Named`] for `license`. `keys` must be folded the way the record's lookup key is.
pub(crate) async fn load_named<R: Record + Clone>(
    tx: &mut WriteTx,
    license: &str,
    keys: Vec<String>,
    ids: impl Iterator<Item = i64>,
) -> AppResult<Named<R>> {
    let by_key = tx
        .find_many::<R>(Some(license), &keys, Some(true))
        .await?
        .into_iter()
        .filter_map(|r| r.lookup().map(|k| (k, r)))
        .collect();
    let mut by_id = HashMap::new();
    for id in ids {
        if let Some(r) = tx
            .get::<R>(id)
            .await?
            .filter(|r: &R| r.license() == Some(license))
        {
            by_id.insert(id, r);
        }
    }
    Ok(Named {
        by_key,
        by_id,
        next_id: tx.next_id::<R>().await?,
    })
}

/// Defines the create and update actions over named records: one action, `Upsert<UPDATE>`, with
/// two definitions (Metrc's POST and PUT, each with its own name and default reason). Updates
/// must address every element by `Id`, once.
macro_rules! named_upserts {
    (
        record: $rec:ty, spec: $spec:ty,
        key: |$ks:ident| $key:expr,
        decide: |$ctx:ident, $named:ident, $specs:ident| $decide:expr,
        Create: $create_def:expr,
        Update: $update_def:expr $(,)?
    ) => {
        #[doc = concat!("Creates (`UPDATE` false) or updates ", stringify!($rec), " records.")]
        pub struct Upsert<const UPDATE: bool>;
        #[doc = concat!("Creates ", stringify!($rec), " records.")]
        pub type Create = Upsert<false>;
        #[doc = concat!("Updates ", stringify!($rec), " records addressed by id.")]
        pub type Update = Upsert<true>;

        impl<const UPDATE: bool> $crate::Action for Upsert<UPDATE> {
            const DEF: $crate::Definition = if UPDATE { $update_def } else { $create_def };
            type Request = Vec<$spec>;
            type World = $crate::actions::Named<$rec>;

            async fn load(
                tx: &mut tagtrail_store::WriteTx,
                at: &$crate::Context<'_>,
                req: &Self::Request,
            ) -> $crate::AppResult<Self::World> {
                let key = |$ks: &$spec| -> Option<String> { $key };
                $crate::actions::load_named(
                    tx,
                    &at.ctx.facility.license_number,
                    req.iter().filter_map(key).collect(),
                    req.iter().filter_map(|s| s.id),
                )
                .await
            }

            fn decide(
                at: &$crate::Context<'_>,
                $named: Self::World,
                $specs: &Self::Request,
            ) -> Result<$crate::Outcome, tagtrail_domain::Rejection> {
                if UPDATE {
                    tagtrail_domain::commands::require_ids($specs.iter().map(|s| s.id))?;
                }
                let $ctx = &at.ctx;
                let rows: Vec<$rec> = $decide?;
                Ok($crate::Outcome::of(&rows))
            }
        }
    };
}
pub(crate) use named_upserts;

/// Defines the action that archives one record of a facility by id (Metrc's `DELETE /x/v2/{id}`).
macro_rules! archive {
    ($name:ident, $rec:ty, $what:literal, $action:literal, $perms:expr) => {
        #[doc = concat!($action, " (`DELETE`).")]
        pub struct $name;

        impl $crate::Action for $name {
            const DEF: $crate::Definition = $crate::Definition::holders($action, $perms);
            /// The record's id.
            type Request = i64;
            type World = Option<$rec>;

            async fn load(
                tx: &mut tagtrail_store::WriteTx,
                _: &$crate::Context<'_>,
                id: &i64,
            ) -> $crate::AppResult<Self::World> {
                Ok(tx.get::<$rec>(*id).await?)
            }

            fn decide(
                at: &$crate::Context<'_>,
                found: Self::World,
                id: &i64,
            ) -> Result<$crate::Outcome, tagtrail_domain::Rejection> {
                let archived =
                    tagtrail_domain::commands::archive(&at.ctx, found.as_ref(), $what, *id)?;
                Ok($crate::Outcome::of(std::slice::from_ref(&archived)))
            }
        }
    };
}
pub(crate) use archive;
