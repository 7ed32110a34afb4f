//! Retail delivery (rule 65): sales deliveries, the hub steps, and retailer (route) deliveries.
//! Each action loads the packages its lines (and the edited records' lines) name, the records
//! it addresses by id, and the next ids; the decisions are `commands::sales::deliveries` and
//! `commands::sales::retailer_deliveries`.
//!
//! Who may act: a sales delivery needs a facility that delivers to consumers
//! (`CanDeliverSalesToConsumers`, refused with 403 like every other capability); a route, a
//! facility with `RetailerDelivery` (403). The hub steps belong to sales delivery hubs
//! (`IsSalesDeliveryHub`); no California license type is one, and Metrc answers a facility type
//! without an endpoint's capability with 401 (§8; the laboratory endpoints here do the same), so
//! they answer 401 everywhere.

use crate::{Action, AppResult, Context, Definition, Needs, Outcome};
use std::collections::HashMap;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::packages::Found;
use tagtrail_domain::commands::sales::deliveries::{
    self as sd, CompleteSpec, DeliverySpec, DeliveryWorld, HubStep,
};
use tagtrail_domain::commands::sales::lines::SaleLineSpec;
use tagtrail_domain::commands::sales::retailer_deliveries::{
    self as rd, EndSpec, RestockSpec, RouteSaleSpec, RouteSpec, RouteWorld, RouteWritten,
};
use tagtrail_domain::license::Capability;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Package, Record, RetailerDelivery, SalesDelivery};
use tagtrail_store::WriteTx;

const MANAGE: &[Permission] = &[Permission::ManageSalesDelivery];
/// Who may read sales deliveries (their GETs and the change feed).
pub const VIEW: &[Permission] = &[
    Permission::ViewSalesDelivery,
    Permission::ManageSalesDelivery,
];
/// Who may read retailer delivery routes.
pub const VIEW_ROUTES: &[Permission] = &[
    Permission::ViewRetailerDelivery,
    Permission::ManageRetailerDelivery,
];
const HUB: &[Permission] = &[Permission::ManageSalesDeliveryHub];
const ROUTES: &[Permission] = &[Permission::ManageRetailerDelivery];
const DELIVERS: Needs = Needs::Capability(Capability::CanDeliverSalesToConsumers);
const ROUTE: Needs = Needs::Capability(Capability::RetailerDelivery);
const IS_HUB: Needs = Needs::FacilityType(
    Capability::IsSalesDeliveryHub,
    "This facility is not a sales delivery hub.",
);

/// The facility's packages with these labels (any case), by label.
async fn packages(
    tx: &mut WriteTx,
    at: &Context<'_>,
    labels: impl IntoIterator<Item = String>,
) -> AppResult<Found> {
    let mut keys: Vec<String> = labels
        .into_iter()
        .map(|l| l.trim().to_ascii_uppercase())
        .filter(|l| !l.is_empty())
        .collect();
    keys.sort();
    keys.dedup();
    Ok(tx
        .find_many::<Package>(Some(&at.ctx.facility.license_number), &keys, None)
        .await?
        .into_iter()
        .map(|p| (p.label.to_string(), p))
        .collect())
}

/// The facility's records of type `R` with these ids.
async fn by_ids<R: Record>(
    tx: &mut WriteTx,
    at: &Context<'_>,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, R>> {
    let mut out = HashMap::new();
    for id in ids {
        if let Some(r) = tx.get::<R>(id).await?
            && r.license() == Some(at.ctx.facility.license_number.as_str())
        {
            out.insert(id, r);
        }
    }
    Ok(out)
}

fn line_labels<'a>(
    lines: impl IntoIterator<Item = &'a SaleLineSpec>,
) -> impl Iterator<Item = String> {
    lines.into_iter().filter_map(|l| l.package_label.clone())
}

/// Loads a sales-delivery world: the deliveries `ids` address, the packages named by `labels`
/// and by those deliveries' lines, and the next id.
async fn delivery_world(
    tx: &mut WriteTx,
    at: &Context<'_>,
    ids: Vec<i64>,
    labels: Vec<String>,
) -> AppResult<DeliveryWorld> {
    let deliveries = by_ids::<SalesDelivery>(tx, at, ids).await?;
    let old = deliveries
        .values()
        .flat_map(|d| d.transactions.iter().map(|l| l.package_label.clone()));
    let all: Vec<String> = labels.into_iter().chain(old).collect();
    Ok(DeliveryWorld {
        packages: packages(tx, at, all).await?,
        deliveries,
        next_id: tx.next_id::<SalesDelivery>().await?,
    })
}

fn written(w: sd::Written) -> Outcome {
    Outcome::of(&w.deliveries).and(&w.packages)
}

/// `POST /sales/v2/deliveries`.
pub struct Create;

impl Action for Create {
    const DEF: Definition = Definition::holders("Record sales deliveries", MANAGE).needs(DELIVERS);
    type Request = Vec<DeliverySpec>;
    type World = DeliveryWorld;

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let labels = req
            .iter()
            .flat_map(|s| line_labels(&s.transactions))
            .collect();
        delivery_world(tx, at, vec![], labels).await
    }

    fn decide(at: &Context<'_>, w: Self::World, req: &Self::Request) -> Result<Outcome, Rejection> {
        Ok(written(sd::record(&at.ctx, &at.by, &w, req)?))
    }
}

/// `PUT /sales/v2/deliveries`.
pub struct Update;

impl Action for Update {
    const DEF: Definition = Definition::holders("Update sales deliveries", MANAGE).needs(DELIVERS);
    type Request = Vec<DeliverySpec>;
    type World = DeliveryWorld;

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let labels = req
            .iter()
            .flat_map(|s| line_labels(&s.transactions))
            .collect();
        delivery_world(tx, at, req.iter().filter_map(|s| s.id).collect(), labels).await
    }

    fn decide(at: &Context<'_>, w: Self::World, req: &Self::Request) -> Result<Outcome, Rejection> {
        Ok(written(sd::update(&at.ctx, &w, req)?))
    }
}

/// `DELETE /sales/v2/deliveries/{id}`.
pub struct Void;

impl Action for Void {
    const DEF: Definition = Definition::holders("Void sales delivery", MANAGE).needs(DELIVERS);
    type Request = i64;
    type World = DeliveryWorld;

    async fn load(tx: &mut WriteTx, at: &Context<'_>, id: &i64) -> AppResult<Self::World> {
        delivery_world(tx, at, vec![*id], vec![]).await
    }

    fn decide(at: &Context<'_>, w: Self::World, id: &i64) -> Result<Outcome, Rejection> {
        Ok(written(sd::void(&at.ctx, &w, *id)?))
    }
}

/// `PUT /sales/v2/deliveries/complete`.
pub struct Complete;

impl Action for Complete {
    const DEF: Definition =
        Definition::holders("Complete sales deliveries", MANAGE).needs(DELIVERS);
    type Request = Vec<CompleteSpec>;
    type World = DeliveryWorld;

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        delivery_world(tx, at, req.iter().filter_map(|s| s.id).collect(), vec![]).await
    }

    fn decide(at: &Context<'_>, w: Self::World, req: &Self::Request) -> Result<Outcome, Rejection> {
        Ok(written(sd::complete(&at.ctx, &w, req)?))
    }
}

/// The hub steps (`PUT /sales/v2/deliveries/hub`, `/hub/accept`, `/hub/depart`,
/// `/hub/verifyID`): `STEP` 0, 1, 2, 3.
pub struct Hub<const STEP: u8>;
pub type HubUpdate = Hub<0>;
pub type HubAccept = Hub<1>;
pub type HubDepart = Hub<2>;
pub type HubVerifyId = Hub<3>;

impl<const STEP: u8> Action for Hub<STEP> {
    const DEF: Definition = match STEP {
        0 => Definition::holders(
            "Update hub sales deliveries",
            &[
                Permission::ManageSalesDelivery,
                Permission::ManageSalesDeliveryHub,
            ],
        ),
        1 => Definition::holders("Accept hub sales deliveries", HUB),
        2 => Definition::holders("Depart hub sales deliveries", HUB),
        _ => Definition::holders("Verify hub sales delivery recipients", HUB),
    }
    .needs(IS_HUB);
    type Request = Vec<(Option<i64>, HubStep)>;
    type World = DeliveryWorld;

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        delivery_world(
            tx,
            at,
            req.iter().filter_map(|(id, _)| *id).collect(),
            vec![],
        )
        .await
    }

    fn decide(at: &Context<'_>, w: Self::World, req: &Self::Request) -> Result<Outcome, Rejection> {
        Ok(Outcome::of(&sd::hub(&at.ctx, &w, req)?))
    }
}

// ---- retailer (route) deliveries ---------------------------------------------------------

/// Loads a route world: the routes `ids` address, the packages named by `labels` and those on
/// the routes, and the next route id.
async fn route_world(
    tx: &mut WriteTx,
    at: &Context<'_>,
    ids: Vec<i64>,
    labels: Vec<String>,
) -> AppResult<RouteWorld> {
    let routes = by_ids::<RetailerDelivery>(tx, at, ids).await?;
    let on = routes
        .values()
        .flat_map(|r| r.packages.iter().map(|p| p.package_label.clone()));
    let all: Vec<String> = labels.into_iter().chain(on).collect();
    Ok(RouteWorld {
        packages: packages(tx, at, all).await?,
        routes,
        next_id: tx.next_id::<RetailerDelivery>().await?,
    })
}

fn route_outcome(w: RouteWritten, answer_sales: bool) -> Outcome {
    let o = if answer_sales {
        Outcome::of(&w.sales).and(&w.routes)
    } else {
        Outcome::of(&w.routes).and(&w.sales)
    };
    o.and(&w.packages).warn(w.warnings)
}

fn load_labels(specs: &[rd::LoadSpec]) -> impl Iterator<Item = String> + '_ {
    specs.iter().filter_map(|l| l.package_label.clone())
}

/// `POST /sales/v2/deliveries/retailer`: opens delivery inventory ledgers.
pub struct CreateRoutes;

impl Action for CreateRoutes {
    const DEF: Definition = Definition::holders("Create retailer deliveries", ROUTES).needs(ROUTE);
    type Request = Vec<RouteSpec>;
    type World = RouteWorld;

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let labels = req.iter().flat_map(|s| load_labels(&s.packages)).collect();
        route_world(tx, at, vec![], labels).await
    }

    fn decide(at: &Context<'_>, w: Self::World, req: &Self::Request) -> Result<Outcome, Rejection> {
        Ok(route_outcome(rd::create(&at.ctx, &at.by, &w, req)?, false))
    }
}

/// `PUT /sales/v2/deliveries/retailer`.
pub struct UpdateRoutes;

impl Action for UpdateRoutes {
    const DEF: Definition = Definition::holders("Update retailer deliveries", ROUTES).needs(ROUTE);
    type Request = Vec<RouteSpec>;
    type World = RouteWorld;

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let labels = req.iter().flat_map(|s| load_labels(&s.packages)).collect();
        route_world(tx, at, req.iter().filter_map(|s| s.id).collect(), labels).await
    }

    fn decide(at: &Context<'_>, w: Self::World, req: &Self::Request) -> Result<Outcome, Rejection> {
        Ok(route_outcome(rd::update(&at.ctx, &w, req)?, false))
    }
}

/// `DELETE /sales/v2/deliveries/retailer/{id}`.
pub struct VoidRoute;

impl Action for VoidRoute {
    const DEF: Definition = Definition::holders("Void retailer delivery", ROUTES).needs(ROUTE);
    type Request = i64;
    type World = RouteWorld;

    async fn load(tx: &mut WriteTx, at: &Context<'_>, id: &i64) -> AppResult<Self::World> {
        route_world(tx, at, vec![*id], vec![]).await
    }

    fn decide(at: &Context<'_>, w: Self::World, id: &i64) -> Result<Outcome, Rejection> {
        Ok(route_outcome(rd::void(&at.ctx, &w, *id)?, false))
    }
}

/// `POST /sales/v2/deliveries/retailer/depart`.
pub struct DepartRoutes;

impl Action for DepartRoutes {
    const DEF: Definition = Definition::holders("Depart retailer deliveries", ROUTES).needs(ROUTE);
    type Request = Vec<Option<i64>>;
    type World = RouteWorld;

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        route_world(tx, at, req.iter().flatten().copied().collect(), vec![]).await
    }

    fn decide(at: &Context<'_>, w: Self::World, req: &Self::Request) -> Result<Outcome, Rejection> {
        Ok(route_outcome(rd::depart(&at.ctx, &w, req)?, false))
    }
}

/// `POST /sales/v2/deliveries/retailer/restock`.
pub struct RestockRoutes;

impl Action for RestockRoutes {
    const DEF: Definition = Definition::holders("Restock retailer deliveries", ROUTES).needs(ROUTE);
    type Request = Vec<RestockSpec>;
    type World = RouteWorld;

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let labels = req.iter().flat_map(|s| load_labels(&s.packages)).collect();
        route_world(tx, at, req.iter().filter_map(|s| s.id).collect(), labels).await
    }

    fn decide(at: &Context<'_>, w: Self::World, req: &Self::Request) -> Result<Outcome, Rejection> {
        Ok(route_outcome(rd::restock(&at.ctx, &w, req)?, false))
    }
}

/// `POST /sales/v2/deliveries/retailer/end`.
pub struct EndRoutes;

impl Action for EndRoutes {
    const DEF: Definition = Definition::holders("End retailer deliveries", ROUTES).needs(ROUTE);
    type Request = Vec<EndSpec>;
    type World = RouteWorld;

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        route_world(tx, at, req.iter().filter_map(|s| s.id).collect(), vec![]).await
    }

    fn decide(at: &Context<'_>, w: Self::World, req: &Self::Request) -> Result<Outcome, Rejection> {
        Ok(route_outcome(rd::end(&at.ctx, &w, req)?, false))
    }
}

/// `POST /sales/v2/deliveries/retailer/sale`: answered with the new sales deliveries' ids.
pub struct SellFromRoutes;

impl Action for SellFromRoutes {
    const DEF: Definition =
        Definition::holders("Record sales from retailer deliveries", ROUTES).needs(ROUTE);
    type Request = Vec<RouteSaleSpec>;
    type World = (RouteWorld, i64);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let w = route_world(
            tx,
            at,
            req.iter().filter_map(|s| s.retailer_delivery_id).collect(),
            vec![],
        )
        .await?;
        Ok((w, tx.next_id::<SalesDelivery>().await?))
    }

    fn decide(
        at: &Context<'_>,
        (w, next): Self::World,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        Ok(route_outcome(
            rd::sell(&at.ctx, &at.by, &w, next, req)?,
            true,
        ))
    }
}
