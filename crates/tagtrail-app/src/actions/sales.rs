//! Sales receipts (Metrc's Sales group, the receipt endpoints; rules 63 and 64, bulletin III).
//! Each action loads the packages its lines name (and the addressed receipts' old lines name),
//! the addressed receipts, and the external receipt numbers it would claim; the decisions are
//! `tagtrail_domain::commands::sales::receipts`. A sale's package after-images and the receipt
//! are one journal entry.

use crate::{Action, AppResult, Context, Definition, Needs, Outcome};
use std::collections::HashMap;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::sales::receipts::{self, ReceiptSpec, ReceiptWorld, Receipted};
use tagtrail_domain::license::Capability;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Package, SalesReceipt};
use tagtrail_store::WriteTx;

/// Metrc's permission for every receipt write.
pub const MANAGE: &[Permission] = &[Permission::ManageSales];
/// Metrc's permissions for the receipt reads.
pub const VIEW: &[Permission] = &[Permission::ViewSales, Permission::ManageSales];

/// Rule 63: a facility type that cannot sell is answered as Metrc answers a facility type
/// lacking an endpoint's capability ("Industry/Facility Type/Consumer Sales"): 401.
const RETAIL: Needs = Needs::FacilityType(
    Capability::CanSellToConsumers,
    "Only a retailer license records sales (rule 63).",
);

/// Loads what a receipt decision needs: the receipts addressed by `ids`, the packages named by
/// `labels` and by those receipts' lines, and the external numbers claimed.
async fn load(
    tx: &mut WriteTx,
    at: &Context<'_>,
    labels: Vec<String>,
    ids: Vec<i64>,
    externals: Vec<String>,
) -> AppResult<ReceiptWorld> {
    let license = at.ctx.facility.license_number.as_str();
    let mut receipts = HashMap::new();
    let mut labels = labels;
    for id in ids {
        if let Some(r) = tx.get::<SalesReceipt>(id).await? {
            labels.extend(r.transactions.iter().map(|l| l.package_label.clone()));
            receipts.insert(id, r);
        }
    }
    let mut keys: Vec<String> = labels
        .iter()
        .map(|l| l.trim().to_ascii_uppercase())
        .filter(|l| !l.is_empty())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let packages = tx
        .find_many::<Package>(Some(license), &keys, None)
        .await?
        .into_iter()
        .map(|p| (p.label.to_string(), p))
        .collect();
    let externals: Vec<String> = externals
        .iter()
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .collect();
    let external_numbers = tx
        .find_many::<SalesReceipt>(Some(license), &externals, None)
        .await?
        .into_iter()
        .filter(|r| !r.voided)
        .filter_map(|r| r.external_receipt_number.clone().map(|n| (n, r.id)))
        .collect();
    Ok(ReceiptWorld {
        packages,
        receipts,
        external_numbers,
        next_id: tx.next_id::<SalesReceipt>().await?,
    })
}

fn labels_of(specs: &[ReceiptSpec]) -> Vec<String> {
    specs
        .iter()
        .flat_map(|s| {
            s.transactions
                .iter()
                .filter_map(|l| l.package_label.clone())
        })
        .collect()
}

fn externals_of(specs: &[ReceiptSpec]) -> Vec<String> {
    specs
        .iter()
        .filter_map(|s| s.external_receipt_number.clone())
        .collect()
}

fn written(r: Receipted) -> Outcome {
    Outcome::of(&r.receipts).and(&r.packages).warn(r.warnings)
}

/// `POST /sales/v2/receipts`: records sales; each line takes its quantity from its package.
pub struct RecordReceipts;

impl Action for RecordReceipts {
    const DEF: Definition = Definition::holders("Record sales receipts", MANAGE).needs(RETAIL);
    type Request = Vec<ReceiptSpec>;
    type World = ReceiptWorld;

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<ReceiptWorld> {
        load(tx, at, labels_of(req), vec![], externals_of(req)).await
    }

    fn decide(
        at: &Context<'_>,
        w: ReceiptWorld,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        Ok(written(receipts::record(&at.ctx, &w, req, &at.by)?))
    }
}

/// `PUT /sales/v2/receipts`: edits unfinalized receipts (old quantities back, new ones taken).
pub struct UpdateReceipts;

impl Action for UpdateReceipts {
    const DEF: Definition = Definition::holders("Update sales receipts", MANAGE).needs(RETAIL);
    type Request = Vec<ReceiptSpec>;
    type World = ReceiptWorld;

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<ReceiptWorld> {
        let ids = req.iter().filter_map(|s| s.id).collect();
        load(tx, at, labels_of(req), ids, externals_of(req)).await
    }

    fn decide(
        at: &Context<'_>,
        w: ReceiptWorld,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        Ok(written(receipts::update(&at.ctx, &w, req)?))
    }
}

/// `DELETE /sales/v2/receipts/{id}`: voids a receipt; its quantities go back to the packages.
pub struct VoidReceipt;

impl Action for VoidReceipt {
    const DEF: Definition = Definition::holders("Void a sales receipt", MANAGE).needs(RETAIL);
    /// The receipt's id.
    type Request = i64;
    type World = ReceiptWorld;

    async fn load(tx: &mut WriteTx, at: &Context<'_>, id: &i64) -> AppResult<ReceiptWorld> {
        load(tx, at, vec![], vec![*id], vec![]).await
    }

    fn decide(at: &Context<'_>, w: ReceiptWorld, id: &i64) -> Result<Outcome, Rejection> {
        Ok(written(receipts::void(&at.ctx, &w, *id)?))
    }
}

/// `PUT /sales/v2/receipts/finalize` (`FINAL` true) and `/unfinalize` (false), body `[{Id}]`.
pub struct SetFinal<const FINAL: bool>;
/// Finalizes receipts (rule 64): they leave the active list and cannot be edited.
pub type FinalizeReceipts = SetFinal<true>;
/// Unfinalizes receipts: back to the active list, editable again.
pub type UnfinalizeReceipts = SetFinal<false>;

impl<const FINAL: bool> Action for SetFinal<FINAL> {
    const DEF: Definition = if FINAL {
        Definition::holders("Finalize sales receipts", MANAGE).needs(RETAIL)
    } else {
        Definition::holders("Unfinalize sales receipts", MANAGE).needs(RETAIL)
    };
    /// The receipts' ids, in body order (`None` where an element had no `Id`).
    type Request = Vec<Option<i64>>;
    type World = ReceiptWorld;

    async fn load(
        tx: &mut WriteTx,
        _: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<ReceiptWorld> {
        let mut receipts = HashMap::new();
        for id in req.iter().flatten() {
            if let Some(r) = tx.get::<SalesReceipt>(*id).await? {
                receipts.insert(*id, r);
            }
        }
        Ok(ReceiptWorld {
            receipts,
            ..Default::default()
        })
    }

    fn decide(
        at: &Context<'_>,
        w: ReceiptWorld,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        let changed = receipts::set_final(&at.ctx, &w, req, FINAL)?;
        Ok(Outcome::of(&changed))
    }
}
