//! Packages (`metrc-v2-api.md` §12 Packages) and the lineage extension.

use crate::app::Refs;
use crate::http::error::ApiError;
use crate::http::extract::{Caller, Params, action, parse_body, parse_id};
use crate::http::openapi::{LicenseParam, PagingParams, WindowParams};
use crate::http::{AppState, created, empty_ok, list_scoped, map};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::de::DeserializeOwned;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::Ctx;
use tagtrail_domain::commands::packages::{self, AdjustSpec, CreateWorld, Mode};
use tagtrail_domain::records::{Package, PackageAdjustment};
use tagtrail_domain::reference;
use tagtrail_metrc::records as wire;
use tagtrail_metrc::requests::*;
use tagtrail_metrc::{Ids, Paged};

const VIEW: &[&str] = &["View Packages"];
const CREATE: &[&str] = &["Create/Submit/Discontinue Packages"];
const MANAGE: &[&str] = &["Manage Packages Inventory"];
const NOTES: &[&str] = &["Manage Package Notes", "Manage Packages Inventory"];

async fn list(
    s: &AppState,
    caller: &Caller,
    q: &Params,
    refine: impl FnOnce(&mut tagtrail_store::ListQuery),
) -> Result<Json<Paged<wire::Package>>, ApiError> {
    list_scoped::<Package, _>(s, caller, q, VIEW, None, true, refine, map::package).await
}

/// Packages in active inventory (held ones included, as Metrc lists them).
#[utoipa::path(get, path = "/packages/v2/active", tag = "Packages", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Package>)))]
pub async fn get_active_packages(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::Package>>, ApiError> {
    list(&s, &caller, &q, |l| l.active = Some(true)).await
}

/// Finished and discontinued packages: history stays readable (rule 72).
#[utoipa::path(get, path = "/packages/v2/inactive", tag = "Packages", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Package>)))]
pub async fn get_inactive_packages(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::Package>>, ApiError> {
    list(&s, &caller, &q, |l| {
        l.status_in = vec!["Finished".into(), "Discontinued".into()]
    })
    .await
}

#[utoipa::path(get, path = "/packages/v2/onhold", tag = "Packages", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Package>)))]
pub async fn get_onhold_packages(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::Package>>, ApiError> {
    list(&s, &caller, &q, |l| l.status = Some("OnHold".into())).await
}

/// Packages on a departed transfer. Transfers arrive with issue 4; until then the list is empty.
#[utoipa::path(get, path = "/packages/v2/intransit", tag = "Packages", params(LicenseParam, PagingParams, WindowParams), responses((status = 200, body = Paged<wire::Package>)))]
pub async fn get_intransit_packages(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::Package>>, ApiError> {
    list(&s, &caller, &q, |l| l.status = Some("InTransit".into())).await
}

/// One package by numeric id or by tag label (an all-digit segment is an id).
#[utoipa::path(get, path = "/packages/v2/{id}", tag = "Packages", params(("id" = String, Path, description = "Id or label"), LicenseParam), responses((status = 200, body = wire::Package)))]
pub async fn get_package(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    Path(key): Path<String>,
) -> Result<Json<wire::Package>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, VIEW).await?;
    Ok(Json(map::package(&find(&s, scope.license(), &key).await?)))
}

async fn find(s: &AppState, license: &str, key: &str) -> Result<Package, ApiError> {
    let found: Option<Package> = if key.chars().all(|c| c.is_ascii_digit()) {
        s.ledger
            .store
            .get(parse_id(key)?)
            .await
            .map_err(crate::app::AppError::from)?
    } else {
        s.ledger
            .store
            .find(None, &key.trim().to_ascii_uppercase())
            .await
            .map_err(crate::app::AppError::from)?
    };
    match found {
        Some(p) if p.license_number == license => Ok(p),
        Some(_) => Err(ApiError::Status(
            StatusCode::UNAUTHORIZED,
            format!("Package {key} does not belong to license {license}."),
        )),
        None => Err(ApiError::Status(
            StatusCode::NOT_FOUND,
            format!("Package {key} does not exist."),
        )),
    }
}

/// Source harvests of a package. Harvests come with cultivation; packages made from source
/// packages have none, so the list is empty.
#[utoipa::path(get, path = "/packages/v2/{id}/source/harvests", tag = "Packages", params(("id" = i64, Path), LicenseParam), responses((status = 200, body = Vec<Object>)))]
pub async fn get_package_source_harvests(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    Path(id): Path<String>,
) -> Result<Json<Vec<serde_json::Value>>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, VIEW).await?;
    find(&s, scope.license(), &id).await?;
    Ok(Json(vec![]))
}

/// Ancestors and descendants of a package (tagtrail extension); `depth` defaults to 10.
#[utoipa::path(get, path = "/tagtrail/v1/packages/{id}/lineage", tag = "tagtrail", params(("id" = String, Path, description = "Id or label"), LicenseParam, ("depth" = Option<u32>, Query)), responses((status = 200, body = wire::Lineage)))]
pub async fn get_package_lineage(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    Path(key): Path<String>,
) -> Result<Json<wire::Lineage>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, VIEW).await?;
    let depth = match q.get("depth") {
        Some(d) => d
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=50).contains(d))
            .ok_or_else(|| ApiError::bad_request("depth must be between 1 and 50."))?,
        None => 10,
    };
    let p = find(&s, scope.license(), &key).await?;
    let l = s.ledger.lineage(p, depth).await?;
    let step = |(depth, p): &(u32, Package)| wire::LineageStep {
        depth: *depth,
        package: map::package(p),
    };
    Ok(Json(wire::Lineage {
        package: l.package.as_ref().map(map::package).unwrap_or_default(),
        ancestors: l.ancestors.iter().map(step).collect(),
        descendants: l.descendants.iter().map(step).collect(),
    }))
}

#[utoipa::path(get, path = "/packages/v2/adjustments", tag = "Packages", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::PackageAdjustment>)))]
pub async fn get_package_adjustments(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::PackageAdjustment>>, ApiError> {
    list_scoped::<PackageAdjustment, _>(&s, &caller, &q, VIEW, None, false, |_| {}, map::adjustment)
        .await
}

#[utoipa::path(get, path = "/packages/v2/adjust/reasons", tag = "Packages", params(LicenseParam, PagingParams), responses((status = 200, body = Paged<wire::ReasonDefinition>)))]
pub async fn get_adjust_reasons(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<wire::ReasonDefinition>>, ApiError> {
    caller.authorize(&s, q.license()?, &[]).await?;
    let all: Vec<_> = reference::ADJUST_REASONS.iter().map(map::reason).collect();
    let total = all.len() as i64;
    let data = match q.paging(&s.ledger.config)? {
        Some((page, size)) => all
            .into_iter()
            .skip(usize::try_from(u64::from(page - 1) * u64::from(size)).unwrap_or(usize::MAX))
            .take(size as usize)
            .collect(),
        None => all,
    };
    Ok(Json(q.paged(&s.ledger.config, data, total)?))
}

#[utoipa::path(get, path = "/packages/v2/types", tag = "Packages", responses((status = 200, body = Vec<String>)))]
pub async fn get_package_types(_: Caller) -> Json<Vec<String>> {
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
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
) -> Result<Json<Paged<tagtrail_metrc::transfers::TransferredPackage>>, ApiError> {
    use tagtrail_domain::records::{Transfer, TransferPackage};
    let scope = caller.authorize(&s, q.license()?, VIEW).await?;
    let mut lq = q.list_query(&s.ledger.config, Some(scope.license()), None, true)?;
    lq.status_in = ["Shipped", "Accepted", "Rejected", "Returned"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let page = s
        .ledger
        .store
        .list::<TransferPackage>(&lq)
        .await
        .map_err(crate::app::AppError::from)?;
    let mut data = Vec::with_capacity(page.rows.len());
    for l in &page.rows {
        let t = s
            .ledger
            .store
            .get::<Transfer>(l.transfer_id)
            .await
            .map_err(crate::app::AppError::from)?;
        data.push(super::transfers::transferred(l, t.as_ref()));
    }
    Ok(Json(q.paged(&s.ledger.config, data, page.total)?))
}

/// `what`: the journal's endpoint and default reason.
async fn create(
    s: AppState,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
    mode: Mode<'static>,
    what: (&str, &str),
) -> Result<Json<Ids>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, CREATE).await?;
    let body = parse_body::<PackageRequest>(&s.ledger.config, &body)?;
    let specs: Vec<_> = body.items.iter().map(map::new_package).collect();
    let w = s
        .ledger
        .create_packages(
            &caller.0,
            &scope,
            action(&headers, what.0, what.1, body.raw)?,
            &specs,
            mode,
        )
        .await?;
    Ok(created(w))
}

/// Creates packages from source packages (rule 23: at least one).
#[utoipa::path(post, path = "/packages/v2", tag = "Packages", params(LicenseParam), request_body = Vec<PackageRequest>, responses((status = 200, body = Ids)))]
pub async fn create_packages(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Ids>, ApiError> {
    create(
        s,
        caller,
        q,
        headers,
        body,
        Mode::Regular,
        ("POST /packages/v2", "Create packages"),
    )
    .await
}

/// Creates testing-sample packages from source packages (rule 36).
#[utoipa::path(post, path = "/packages/v2/testing", tag = "Packages", params(LicenseParam), request_body = Vec<PackageRequest>, responses((status = 200, body = Ids)))]
pub async fn create_testing_packages(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Ids>, ApiError> {
    create(
        s,
        caller,
        q,
        headers,
        body,
        Mode::Testing,
        (
            "POST /packages/v2/testing",
            "Create testing sample packages",
        ),
    )
    .await
}

fn adjust_specs(items: &[AdjustRequest]) -> Vec<AdjustSpec> {
    items
        .iter()
        .map(|r| AdjustSpec {
            label: r.label.clone(),
            quantity: r.quantity,
            unit_of_measure: r.unit_of_measure.clone(),
            reason: r.adjustment_reason.clone(),
            date: r.adjustment_date.clone(),
            note: r.reason_note.clone(),
        })
        .collect()
}

/// Adjusts quantities by a signed amount, with a reason (rule 28). Answers the adjustment ids.
#[utoipa::path(post, path = "/packages/v2/adjust", tag = "Packages", params(LicenseParam), request_body = Vec<AdjustRequest>, responses((status = 200, body = Ids)))]
pub async fn adjust_packages(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Ids>, ApiError> {
    let scope = caller.authorize(&s, q.license()?, MANAGE).await?;
    let body = parse_body::<AdjustRequest>(&s.ledger.config, &body)?;
    let act = action(
        &headers,
        "POST /packages/v2/adjust",
        "Adjust packages",
        body.raw,
    )?;
    Ok(created(
        s.ledger
            .adjust_packages(&caller.0, &scope, act, &adjust_specs(&body.items), false)
            .await?,
    ))
}

/// Adjusts packages to a stated final quantity, with a reason (rule 28).
#[utoipa::path(put, path = "/packages/v2/adjust", tag = "Packages", params(LicenseParam), request_body = Vec<AdjustRequest>, responses((status = 200, description = "empty body")))]
pub async fn adjust_packages_to(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let scope = caller.authorize(&s, q.license()?, MANAGE).await?;
    let body = parse_body::<AdjustRequest>(&s.ledger.config, &body)?;
    let act = action(
        &headers,
        "PUT /packages/v2/adjust",
        "Adjust packages to a stated quantity",
        body.raw,
    )?;
    s.ledger
        .adjust_packages(&caller.0, &scope, act, &adjust_specs(&body.items), true)
        .await?;
    Ok(empty_ok())
}

/// The shape of every PUT that rewrites addressed packages: authorize, parse, load what the
/// body names, decide, commit.
#[allow(clippy::too_many_arguments)]
async fn put_packages<T: DeserializeOwned>(
    s: &AppState,
    caller: &Caller,
    q: &Params,
    headers: &HeaderMap,
    body: &[u8],
    perms: &[&str],
    endpoint: &str,
    why: &str,
    refs: impl FnOnce(&[T]) -> Refs,
    decide: impl FnOnce(&Ctx, &CreateWorld, &[T]) -> Result<Vec<Package>, Rejection>,
) -> Result<StatusCode, ApiError> {
    let scope = caller.authorize(s, q.license()?, perms).await?;
    let body = parse_body::<T>(&s.ledger.config, body)?;
    let refs = refs(&body.items);
    let items = body.items;
    let act = action(headers, endpoint, why, body.raw)?;
    s.ledger
        .update_packages(&caller.0, &scope, act, &refs, |ctx, world| {
            decide(ctx, world, &items)
        })
        .await?;
    Ok(StatusCode::OK)
}

macro_rules! label_put {
    ($name:ident, $path:literal, $req:ty, $perms:expr, $why:literal, $label:ident, |$ctx:ident, $world:ident, $items:ident| $decide:expr) => {
        #[doc = $why]
        #[utoipa::path(put, path = $path, tag = "Packages", params(LicenseParam), request_body = Vec<$req>, responses((status = 200, description = "empty body")))]
        pub async fn $name(State(s): State<AppState>, caller: Caller, q: Params, headers: HeaderMap, body: Bytes) -> Result<StatusCode, ApiError> {
            put_packages::<$req>(
                &s,
                &caller,
                &q,
                &headers,
                &body,
                $perms,
                concat!("PUT ", $path),
                $why,
                |items| Refs::labels(items.iter().map(|r| r.$label.clone())),
                |$ctx, $world, $items| $decide,
            )
            .await
        }
    };
}

label_put!(
    finish_packages,
    "/packages/v2/finish",
    FinishRequest,
    MANAGE,
    "Finish packages (quantity must be zero, rule 33).",
    label,
    |ctx, world, items| {
        let specs: Vec<_> = items
            .iter()
            .map(|r| (r.label.clone(), r.actual_date.clone()))
            .collect();
        packages::finish(ctx, &world.sources, &specs)
    }
);

label_put!(
    unfinish_packages,
    "/packages/v2/unfinish",
    LabelRequest,
    MANAGE,
    "Unfinish packages (bulletin III).",
    label,
    |ctx, world, items| {
        let labels: Vec<_> = items.iter().map(|r| r.label.clone()).collect();
        packages::unfinish(ctx, &world.sources, &labels)
    }
);

label_put!(
    set_package_notes,
    "/packages/v2/note",
    PackageNoteRequest,
    NOTES,
    "Set package notes.",
    package_label,
    |ctx, world, items| {
        let labels: Vec<_> = items.iter().map(|r| r.package_label.clone()).collect();
        packages::edit(ctx, &world.sources, &labels, |p, i| {
            p.note = items[i].note.clone().filter(|n| !n.trim().is_empty());
            Ok(())
        })
    }
);

label_put!(
    set_package_use_by_dates,
    "/packages/v2/usebydate",
    UseByDateRequest,
    CREATE,
    "Set expiration, sell-by and use-by dates.",
    label,
    |ctx, world, items| {
        let labels: Vec<_> = items.iter().map(|r| r.label.clone()).collect();
        packages::edit(ctx, &world.sources, &labels, |p, i| {
            let r = &items[i];
            let date = |field: &str, v: &Option<String>| -> Result<Option<String>, String> {
                match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                    None => Ok(None),
                    Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .map(|_| Some(d.to_string()))
                        .map_err(|_| format!("{field} {d} is not a date (YYYY-MM-DD).")),
                }
            };
            p.expiration_date = date("ExpirationDate", &r.expiration_date)?;
            p.sell_by_date = date("SellByDate", &r.sell_by_date)?;
            p.use_by_date = date("UseByDate", &r.use_by_date)?;
            Ok(())
        })
    }
);

label_put!(
    set_package_external_ids,
    "/packages/v2/externalid",
    ExternalIdRequest,
    MANAGE,
    "Set external identifiers.",
    package_label,
    |ctx, world, items| {
        let labels: Vec<_> = items.iter().map(|r| r.package_label.clone()).collect();
        packages::edit(ctx, &world.sources, &labels, |p, i| {
            p.external_id = items[i]
                .external_id
                .clone()
                .filter(|n| !n.trim().is_empty());
            Ok(())
        })
    }
);

label_put!(
    remediate_packages,
    "/packages/v2/remediate",
    RemediateRequest,
    MANAGE,
    "Record remediation of failed packages (at most twice).",
    package_label,
    |ctx, world, items| {
        let specs: Vec<_> = items
            .iter()
            .map(|r| {
                (
                    r.package_label.clone(),
                    r.remediation_method_name.clone(),
                    r.remediation_date.clone(),
                )
            })
            .collect();
        packages::remediate(ctx, &world.sources, &specs)
    }
);

label_put!(
    decontaminate_packages,
    "/packages/v2/decontaminate",
    DecontaminateRequest,
    MANAGE,
    "Record decontamination of failed packages.",
    package_label,
    |ctx, world, items| {
        let specs: Vec<_> = items
            .iter()
            .map(|r| {
                (
                    r.package_label.clone(),
                    r.decontamination_method_name.clone(),
                    r.decontamination_date.clone(),
                )
            })
            .collect();
        packages::decontaminate(ctx, &world.sources, &specs)
    }
);

macro_rules! flag_put {
    ($name:ident, $path:literal, $why:literal, $field:ident, $value:expr, $capability:expr) => {
        label_put!(
            $name,
            $path,
            LabelRequest,
            MANAGE,
            $why,
            label,
            |ctx, world, items| {
                if let Some(cap) = $capability
                    && !ctx.facility.license_type.can(cap)
                {
                    return Err(Rejection::Forbidden(format!(
                        "This facility's license type cannot do that ({cap})."
                    )));
                }
                let labels: Vec<_> = items.iter().map(|r| r.label.clone()).collect();
                packages::edit(ctx, &world.sources, &labels, |p, _| {
                    p.$field = $value;
                    Ok(())
                })
            }
        );
    };
}

flag_put!(
    flag_donation,
    "/packages/v2/donation/flag",
    "Flag packages as donations.",
    is_donation,
    true,
    Some("CanDonatePackages")
);
flag_put!(
    unflag_donation,
    "/packages/v2/donation/unflag",
    "Clear the donation flag.",
    is_donation,
    false,
    None::<&str>
);
flag_put!(
    flag_trade_sample,
    "/packages/v2/tradesample/flag",
    "Flag packages as trade samples.",
    is_trade_sample,
    true,
    Some("CanCreateTradeSamplePackages")
);
flag_put!(
    unflag_trade_sample,
    "/packages/v2/tradesample/unflag",
    "Clear the trade-sample flag.",
    is_trade_sample,
    false,
    None::<&str>
);
flag_put!(
    flag_finished_good,
    "/packages/v2/finishedgood/flag",
    "Flag packages as finished goods.",
    is_finished_good,
    true,
    Some("CanTrackFinishedGoods")
);
flag_put!(
    unflag_finished_good,
    "/packages/v2/finishedgood/unflag",
    "Clear the finished-good flag.",
    is_finished_good,
    false,
    None::<&str>
);

/// Moves packages to another location (and sublocation).
#[utoipa::path(put, path = "/packages/v2/location", tag = "Packages", params(LicenseParam), request_body = Vec<PackageLocationRequest>, responses((status = 200, description = "empty body")))]
pub async fn move_packages(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    put_packages::<PackageLocationRequest>(
        &s,
        &caller,
        &q,
        &headers,
        &body,
        CREATE,
        "PUT /packages/v2/location",
        "Move packages",
        |items| Refs {
            packages: items.iter().filter_map(|r| r.label.clone()).collect(),
            locations: items.iter().filter_map(|r| r.location.clone()).collect(),
            sublocations: items.iter().filter_map(|r| r.sublocation.clone()).collect(),
            ..Default::default()
        },
        |ctx, world, items| {
            let specs: Vec<_> = items
                .iter()
                .map(|r| (r.label.clone(), r.location.clone(), r.sublocation.clone()))
                .collect();
            packages::relocate(
                ctx,
                &world.sources,
                &specs,
                &world.locations,
                &world.sublocations,
            )
        },
    )
    .await
}

/// Changes the item of packages (same quantity type, rule 29).
#[utoipa::path(put, path = "/packages/v2/item", tag = "Packages", params(LicenseParam), request_body = Vec<PackageItemRequest>, responses((status = 200, description = "empty body")))]
pub async fn change_package_items(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    put_packages::<PackageItemRequest>(
        &s,
        &caller,
        &q,
        &headers,
        &body,
        CREATE,
        "PUT /packages/v2/item",
        "Change package items",
        |items| Refs {
            packages: items.iter().filter_map(|r| r.label.clone()).collect(),
            items: items.iter().filter_map(|r| r.item.clone()).collect(),
            ..Default::default()
        },
        |ctx, world, items| {
            let specs: Vec<_> = items
                .iter()
                .map(|r| (r.label.clone(), r.item.clone()))
                .collect();
            packages::change_item(ctx, &world.sources, &specs, &world.items)
        },
    )
    .await
}

/// Discontinues one package.
#[utoipa::path(delete, path = "/packages/v2/{id}", tag = "Packages", params(("id" = i64, Path), LicenseParam), responses((status = 200, description = "empty body")))]
pub async fn discontinue_package(
    State(s): State<AppState>,
    caller: Caller,
    q: Params,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let scope = caller.authorize(&s, q.license()?, CREATE).await?;
    let id = parse_id(&id)?;
    let act = action(
        &headers,
        &format!("DELETE /packages/v2/{id}"),
        "Discontinue package",
        serde_json::Value::Null,
    )?;
    s.ledger
        .discontinue_package(&caller.0, &scope, act, id)
        .await?;
    Ok(empty_ok())
}
