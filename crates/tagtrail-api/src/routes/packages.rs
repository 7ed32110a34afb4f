//! Packages (`metrc-v2-api.md` §12 Packages) and the lineage extension.

use crate::error::ApiError;
use crate::json::Json;
use crate::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::{Read, Write, created, map, ok};
use axum::extract::Path;
use axum::http::StatusCode;
use tagtrail_app::actions::packages as act;
use tagtrail_app::reads::{Column, Grown, ListQuery, Offspring, Origin, Relative};
use tagtrail_domain::commands::packages::{
    AdjustSpec, DatesSpec, ExternalIdSpec, FinishSpec, ItemChangeSpec, MoveSpec, NoteSpec,
    TreatmentSpec,
};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Package, PackageAdjustment};
use tagtrail_domain::reference;
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::*;
use tagtrail_metrc::{Ids, Paged};

const VIEW: &[Permission] = &[Permission::ViewPackages];

fn by_status(statuses: &'static [&'static str]) -> impl FnOnce(ListQuery) -> ListQuery {
    move |q| q.with(Column::Status, statuses.iter().copied())
}

/// Packages in active inventory (held ones included, as Metrc lists them).
#[utoipa::path(get, path = "/packages/v2/active", tag = "Packages", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Package>)))]
pub async fn get_active_packages(r: Read) -> Result<Json<Paged<wire::Package>>, ApiError> {
    r.list::<Package, _>(VIEW, Some(true), true, |q| q, map::package)
        .await
}

/// Finished and discontinued packages: history stays readable (rule 72).
#[utoipa::path(get, path = "/packages/v2/inactive", tag = "Packages", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Package>)))]
pub async fn get_inactive_packages(r: Read) -> Result<Json<Paged<wire::Package>>, ApiError> {
    let statuses = by_status(&["Finished", "Discontinued"]);
    r.list::<Package, _>(VIEW, None, true, statuses, map::package)
        .await
}

#[utoipa::path(get, path = "/packages/v2/onhold", tag = "Packages", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Package>)))]
pub async fn get_onhold_packages(r: Read) -> Result<Json<Paged<wire::Package>>, ApiError> {
    r.list::<Package, _>(VIEW, None, true, by_status(&["OnHold"]), map::package)
        .await
}

/// Packages on a departed transfer.
#[utoipa::path(get, path = "/packages/v2/intransit", tag = "Packages", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Package>)))]
pub async fn get_intransit_packages(r: Read) -> Result<Json<Paged<wire::Package>>, ApiError> {
    r.list::<Package, _>(VIEW, None, true, by_status(&["InTransit"]), map::package)
        .await
}

/// One package by numeric id or by tag label (an all-digit segment is an id).
#[utoipa::path(get, path = "/packages/v2/{id}", tag = "Packages", params(("id" = String, Path, description = "Id or label"), LicenseParam), responses((status = 200, body = wire::Package)))]
pub async fn get_package(
    r: Read,
    Path(key): Path<String>,
) -> Result<Json<wire::Package>, ApiError> {
    let scope = r.scope(VIEW).await?;
    Ok(Json(map::package(&r.ledger().package(&scope, &key).await?)))
}

/// Source harvests of a package: the harvests it was packaged from (`POST
/// /harvests/v2/packages`); a package made from packages has none.
#[utoipa::path(get, path = "/packages/v2/{id}/source/harvests", tag = "Packages", params(("id" = i64, Path), LicenseParam), responses((status = 200, body = Vec<tagtrail_metrc::harvests::PackageSourceHarvest>)))]
pub async fn get_package_source_harvests(
    r: Read,
    Path(id): Path<String>,
) -> Result<Json<Vec<tagtrail_metrc::harvests::PackageSourceHarvest>>, ApiError> {
    // Metrc's own permission, or View Packages, which answered this before harvests existed.
    let scope = r
        .scope(&[
            Permission::ViewPackageSourceHarvests,
            Permission::ViewPackages,
        ])
        .await?;
    let p = r.ledger().package(&scope, &id).await?;
    Ok(Json(super::harvests::source_harvests(&p)))
}

/// Ancestors and descendants of a package (tagtrail extension); `depth` defaults to 10 steps.
/// Another license's package appears with its label and item only: nothing live. `Origins`
/// continue the ancestry through source harvests to the harvested plants, their plant batches
/// and what each batch was planted from (whose package is then an ancestor); another license's
/// harvest appears with its name and plant count only, and the walk stops there. `GrownInto`
/// continues the descent the same way down, for a recall: the caller's own plant batches
/// planted from a seeds or clones package, their plants and the harvests they went into, whose
/// packages are then descendants; another license's batches and plants are never listed.
#[utoipa::path(get, path = "/tagtrail/v1/packages/{id}/lineage", tag = "tagtrail", params(("id" = String, Path, description = "Id or label"), LicenseParam, ("depth" = Option<u32>, Query, description = "Steps to walk each way, 1 to 50 (default 10); a package, harvest, plant or plant batch is one step each")), responses((status = 200, description = "The package, its ancestors and descendants, the harvests, plants and plant batches it came from, and those grown from it", body = wire::Lineage)))]
pub async fn get_package_lineage(
    r: Read,
    Path(key): Path<String>,
) -> Result<Json<wire::Lineage>, ApiError> {
    let scope = r.scope(VIEW).await?;
    let depth = match r.params().get("depth") {
        Some(d) => d
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=50).contains(d))
            .ok_or_else(|| ApiError::bad_request("depth must be between 1 and 50."))?,
        None => 10,
    };
    let p = r.ledger().package(&scope, &key).await?;
    let l = r.ledger().lineage(&scope, p, depth).await?;
    let step = |(depth, rel): &(u32, Relative)| wire::LineageStep {
        depth: *depth,
        package: match rel {
            Relative::Visible(p) => map::package(p),
            Relative::Other { label, item } => map::other_package(label, item),
        },
    };
    Ok(Json(wire::Lineage {
        package: map::package(&l.package),
        ancestors: l.ancestors.iter().map(step).collect(),
        descendants: l.descendants.iter().map(step).collect(),
        origins: l.origins.iter().map(origin).collect(),
        grown_into: l.grown_into.iter().map(offspring).collect(),
    }))
}

/// A harvest, plant or plant batch above a package on the wire.
fn origin(o: &Origin) -> wire::LineageOrigin {
    let (kind, harvest, plant, plant_batch) = grown(&o.grown);
    wire::LineageOrigin {
        depth: o.depth,
        kind,
        source_of: o.source_of.clone(),
        harvest,
        plant,
        plant_batch,
    }
}

/// A plant batch, plant or harvest below a package on the wire.
fn offspring(o: &Offspring) -> wire::LineageGrown {
    let (kind, harvest, plant, plant_batch) = grown(&o.grown);
    wire::LineageGrown {
        depth: o.depth,
        kind,
        grown_from: o.grown_from.clone(),
        harvest,
        plant,
        plant_batch,
    }
}

type GrownWire = (
    String,
    Option<tagtrail_metrc::harvests::Harvest>,
    Option<tagtrail_metrc::plants::Plant>,
    Option<tagtrail_metrc::plants::PlantBatch>,
);

/// A lineage's cultivation record as its kind and the one record of that kind.
fn grown(g: &Grown) -> GrownWire {
    match g {
        Grown::Harvest(h) => (
            "Harvest".into(),
            Some(super::harvests::harvest(h)),
            None,
            None,
        ),
        Grown::OtherHarvest { name, plant_count } => (
            "Harvest".into(),
            Some(map::other_harvest(name, *plant_count)),
            None,
            None,
        ),
        Grown::Plant(p) => ("Plant".into(), None, Some(super::plants::plant(p)), None),
        Grown::PlantBatch(b) => (
            "PlantBatch".into(),
            None,
            None,
            Some(super::plantbatches::batch(b)),
        ),
    }
}

#[utoipa::path(get, path = "/packages/v2/adjustments", tag = "Packages", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::PackageAdjustment>)))]
pub async fn get_package_adjustments(
    r: Read,
) -> Result<Json<Paged<wire::PackageAdjustment>>, ApiError> {
    r.list::<PackageAdjustment, _>(VIEW, None, false, |q| q, map::adjustment)
        .await
}

#[utoipa::path(get, path = "/packages/v2/adjust/reasons", tag = "Packages", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::ReasonDefinition>)))]
pub async fn get_adjust_reasons(r: Read) -> Result<Json<Paged<wire::ReasonDefinition>>, ApiError> {
    r.scope(&[]).await?;
    r.page_of(reference::ADJUST_REASONS.iter().map(map::reason).collect())
}

#[utoipa::path(get, path = "/packages/v2/types", tag = "Packages", responses((status = 200, body = Vec<String>)))]
pub async fn get_package_types(_: crate::extract::Caller) -> Json<Vec<String>> {
    Json(
        reference::PACKAGE_TYPES
            .iter()
            .map(|t| t.to_string())
            .collect(),
    )
}

/// Packages that left the facility on a manifest: departed lines, in whatever state their
/// receipt left them (Shipped, Accepted, Rejected, Returned).
#[utoipa::path(get, path = "/packages/v2/transferred", tag = "Packages", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<tagtrail_metrc::transfers::TransferredPackage>)))]
pub async fn get_transferred_packages(
    r: Read,
) -> Result<Json<Paged<tagtrail_metrc::transfers::TransferredPackage>>, ApiError> {
    let scope = r.scope(VIEW).await?;
    let q = r.params().list_query(r.ledger(), None, true)?.with(
        Column::Status,
        ["Shipped", "Accepted", "Rejected", "Returned"],
    );
    let page = r.ledger().transferred(&scope, q).await?;
    let data = page
        .rows
        .iter()
        .map(|(l, t)| super::transfers::transferred(l, t.as_ref()))
        .collect();
    r.paged(data, page.total)
}

/// Creates packages from source packages (rule 23: at least one).
#[utoipa::path(post, path = "/packages/v2", tag = "Packages", params(LicenseParam), request_body = Vec<PackageRequest>, responses((status = 200, body = Ids)))]
pub async fn create_packages(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::Create, PackageRequest>(map::each(map::new_package))
        .await
        .map(created)
}

/// Creates testing-sample packages from source packages (rule 36).
#[utoipa::path(post, path = "/packages/v2/testing", tag = "Packages", params(LicenseParam), request_body = Vec<PackageRequest>, responses((status = 200, body = Ids)))]
pub async fn create_testing_packages(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::CreateTesting, PackageRequest>(map::each(map::new_package))
        .await
        .map(created)
}

fn adjust_spec(r: &AdjustRequest) -> AdjustSpec {
    AdjustSpec {
        label: r.label.clone(),
        quantity: r.quantity,
        unit_of_measure: r.unit_of_measure.clone(),
        reason: r.adjustment_reason.clone(),
        date: r.adjustment_date.clone(),
        note: r.reason_note.clone(),
    }
}

/// Adjusts quantities by a signed amount, with a reason (rule 28). Answers the adjustment ids.
#[utoipa::path(post, path = "/packages/v2/adjust", tag = "Packages", params(LicenseParam), request_body = Vec<AdjustRequest>, responses((status = 200, body = Ids)))]
pub async fn adjust_packages(w: Write) -> Result<Json<Ids>, ApiError> {
    w.run::<act::AdjustBy, AdjustRequest>(map::each(adjust_spec))
        .await
        .map(created)
}

/// Adjusts packages to a stated final quantity, with a reason (rule 28).
#[utoipa::path(put, path = "/packages/v2/adjust", tag = "Packages", params(LicenseParam), request_body = Vec<AdjustRequest>, responses((status = 200, description = "empty body")))]
pub async fn adjust_packages_to(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::AdjustTo, AdjustRequest>(map::each(adjust_spec))
        .await
        .map(ok)
}

/// Finish packages (quantity must be zero, rule 33).
#[utoipa::path(put, path = "/packages/v2/finish", tag = "Packages", params(LicenseParam), request_body = Vec<FinishRequest>, responses((status = 200, description = "empty body")))]
pub async fn finish_packages(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::Finish, FinishRequest>(map::each(|r: &FinishRequest| FinishSpec {
        label: r.label.clone(),
        actual_date: r.actual_date.clone(),
    }))
    .await
    .map(ok)
}

fn label(r: &LabelRequest) -> Option<String> {
    r.label.clone()
}

/// Unfinish packages (bulletin III).
#[utoipa::path(put, path = "/packages/v2/unfinish", tag = "Packages", params(LicenseParam), request_body = Vec<LabelRequest>, responses((status = 200, description = "empty body")))]
pub async fn unfinish_packages(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::Unfinish, LabelRequest>(map::each(label))
        .await
        .map(ok)
}

/// Set package notes.
#[utoipa::path(put, path = "/packages/v2/note", tag = "Packages", params(LicenseParam), request_body = Vec<PackageNoteRequest>, responses((status = 200, description = "empty body")))]
pub async fn set_package_notes(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::SetNotes, PackageNoteRequest>(map::each(|r: &PackageNoteRequest| NoteSpec {
        label: r.package_label.clone(),
        note: r.note.clone(),
    }))
    .await
    .map(ok)
}

/// Set expiration, sell-by and use-by dates.
#[utoipa::path(put, path = "/packages/v2/usebydate", tag = "Packages", params(LicenseParam), request_body = Vec<UseByDateRequest>, responses((status = 200, description = "empty body")))]
pub async fn set_package_use_by_dates(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::SetDates, UseByDateRequest>(map::each(|r: &UseByDateRequest| DatesSpec {
        label: r.label.clone(),
        expiration_date: r.expiration_date.clone(),
        sell_by_date: r.sell_by_date.clone(),
        use_by_date: r.use_by_date.clone(),
    }))
    .await
    .map(ok)
}

/// Set external identifiers.
#[utoipa::path(put, path = "/packages/v2/externalid", tag = "Packages", params(LicenseParam), request_body = Vec<ExternalIdRequest>, responses((status = 200, description = "empty body")))]
pub async fn set_package_external_ids(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::SetExternalIds, ExternalIdRequest>(map::each(|r: &ExternalIdRequest| {
        ExternalIdSpec {
            label: r.package_label.clone(),
            external_id: r.external_id.clone(),
        }
    }))
    .await
    .map(ok)
}

/// Record remediation of failed packages (at most twice).
#[utoipa::path(put, path = "/packages/v2/remediate", tag = "Packages", params(LicenseParam), request_body = Vec<RemediateRequest>, responses((status = 200, description = "empty body")))]
pub async fn remediate_packages(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::Remediate, RemediateRequest>(map::each(|r: &RemediateRequest| TreatmentSpec {
        label: r.package_label.clone(),
        method: r.remediation_method_name.clone(),
        date: r.remediation_date.clone(),
    }))
    .await
    .map(ok)
}

/// Record decontamination of failed packages.
#[utoipa::path(put, path = "/packages/v2/decontaminate", tag = "Packages", params(LicenseParam), request_body = Vec<DecontaminateRequest>, responses((status = 200, description = "empty body")))]
pub async fn decontaminate_packages(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::Decontaminate, DecontaminateRequest>(map::each(|r: &DecontaminateRequest| {
        TreatmentSpec {
            label: r.package_label.clone(),
            method: r.decontamination_method_name.clone(),
            date: r.decontamination_date.clone(),
        }
    }))
    .await
    .map(ok)
}

/// Flag packages as donations.
#[utoipa::path(put, path = "/packages/v2/donation/flag", tag = "Packages", params(LicenseParam), request_body = Vec<LabelRequest>, responses((status = 200, description = "empty body")))]
pub async fn flag_donation(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::FlagDonation, LabelRequest>(map::each(label))
        .await
        .map(ok)
}

/// Clear the donation flag.
#[utoipa::path(put, path = "/packages/v2/donation/unflag", tag = "Packages", params(LicenseParam), request_body = Vec<LabelRequest>, responses((status = 200, description = "empty body")))]
pub async fn unflag_donation(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::UnflagDonation, LabelRequest>(map::each(label))
        .await
        .map(ok)
}

/// Flag packages as trade samples.
#[utoipa::path(put, path = "/packages/v2/tradesample/flag", tag = "Packages", params(LicenseParam), request_body = Vec<LabelRequest>, responses((status = 200, description = "empty body")))]
pub async fn flag_trade_sample(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::FlagTradeSample, LabelRequest>(map::each(label))
        .await
        .map(ok)
}

/// Clear the trade-sample flag.
#[utoipa::path(put, path = "/packages/v2/tradesample/unflag", tag = "Packages", params(LicenseParam), request_body = Vec<LabelRequest>, responses((status = 200, description = "empty body")))]
pub async fn unflag_trade_sample(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::UnflagTradeSample, LabelRequest>(map::each(label))
        .await
        .map(ok)
}

/// Flag packages as finished goods.
#[utoipa::path(put, path = "/packages/v2/finishedgood/flag", tag = "Packages", params(LicenseParam), request_body = Vec<LabelRequest>, responses((status = 200, description = "empty body")))]
pub async fn flag_finished_good(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::FlagFinishedGood, LabelRequest>(map::each(label))
        .await
        .map(ok)
}

/// Clear the finished-good flag.
#[utoipa::path(put, path = "/packages/v2/finishedgood/unflag", tag = "Packages", params(LicenseParam), request_body = Vec<LabelRequest>, responses((status = 200, description = "empty body")))]
pub async fn unflag_finished_good(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::UnflagFinishedGood, LabelRequest>(map::each(label))
        .await
        .map(ok)
}

/// Moves packages to another location (and sublocation).
#[utoipa::path(put, path = "/packages/v2/location", tag = "Packages", params(LicenseParam), request_body = Vec<PackageLocationRequest>, responses((status = 200, description = "empty body")))]
pub async fn move_packages(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::Move, PackageLocationRequest>(map::each(|r: &PackageLocationRequest| MoveSpec {
        label: r.label.clone(),
        location: r.location.clone(),
        sublocation: r.sublocation.clone(),
    }))
    .await
    .map(ok)
}

/// Changes the item of packages (same quantity type, rule 29).
#[utoipa::path(put, path = "/packages/v2/item", tag = "Packages", params(LicenseParam), request_body = Vec<PackageItemRequest>, responses((status = 200, description = "empty body")))]
pub async fn change_package_items(w: Write) -> Result<StatusCode, ApiError> {
    w.run::<act::ChangeItem, PackageItemRequest>(map::each(|r: &PackageItemRequest| {
        ItemChangeSpec {
            label: r.label.clone(),
            item: r.item.clone(),
        }
    }))
    .await
    .map(ok)
}

/// Discontinues one package.
#[utoipa::path(delete, path = "/packages/v2/{id}", tag = "Packages", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn discontinue_package(Path(id): Path<String>, w: Write) -> Result<StatusCode, ApiError> {
    w.run_on::<act::Discontinue>(&id).await
}
