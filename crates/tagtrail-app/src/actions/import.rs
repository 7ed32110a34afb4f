//! The operator's bulk import of package history, journaled as an import (one entry per batch).

use crate::{Action, AppResult, Context, Definition, Outcome};
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::import::{self, ImportIds, ImportWorld, ImportedPackage};
use tagtrail_domain::records::{Item, LabResult, Package, PackageAdjustment, PackageLink, fold};
use tagtrail_store::WriteTx;

/// Imports packages with their lineage, adjustments and released results (a state migration, a
/// sandbox's history). The door is [`crate::Door::import`], which records the file's digest.
pub struct ImportPackages;

impl Action for ImportPackages {
    const DEF: Definition =
        Definition::operator("Import package history").reason("Package history imported");
    type Request = Vec<ImportedPackage>;
    type World = (ImportWorld, ImportIds);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let lic = at.ctx.facility.license_number.as_str();
        let items: Vec<String> = req.iter().map(|p| fold(&p.item)).collect();
        let mut labels: Vec<String> = req
            .iter()
            .map(|p| p.label.trim().to_ascii_uppercase())
            .collect();
        labels.extend(
            req.iter()
                .filter_map(|p| p.source.as_deref())
                .map(|s| s.trim().to_ascii_uppercase()),
        );
        labels.sort();
        labels.dedup();
        let mut names = items;
        names.sort();
        names.dedup();
        let world = ImportWorld {
            items: tx
                .find_many::<Item>(Some(lic), &names, Some(true))
                .await?
                .into_iter()
                .map(|i| (fold(&i.name), i))
                .collect(),
            // Every package under these labels, whoever holds it: a label is unique ledger-wide.
            packages: tx
                .find_many::<Package>(None, &labels, None)
                .await?
                .into_iter()
                .map(|p| (p.label.to_string(), p))
                .collect(),
        };
        let ids = ImportIds {
            package: tx.next_id::<Package>().await?,
            link: tx.next_id::<PackageLink>().await?,
            adjustment: tx.next_id::<PackageAdjustment>().await?,
            result: tx.next_id::<LabResult>().await?,
        };
        Ok((world, ids))
    }

    fn decide(
        at: &Context<'_>,
        (world, ids): Self::World,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        let i = import::import_packages(&at.ctx, &world, req, ids)?;
        Ok(Outcome::of(&i.packages)
            .and(&i.links)
            .and(&i.adjustments)
            .and(&i.results))
    }
}
