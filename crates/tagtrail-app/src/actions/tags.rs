//! UID tags: orders, the supplier's shipment, receipt and voiding (rules 11–14).

use crate::{Action, AppError, AppResult, Context, Definition, Outcome, SystemAction};
use rand::RngCore;
use std::collections::HashMap;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::tags::{self, OrderSpec};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Tag, TagOrder};
use tagtrail_domain::time;
use tagtrail_store::{Column, ListQuery, WriteTx};

const PERMS: &[Permission] = &[Permission::ManageTags];

/// Places tag orders (plant tags for cultivators only, rule 12).
pub struct Order;

impl Action for Order {
    const DEF: Definition = Definition::holders("Order UID tags", PERMS);
    type Request = Vec<OrderSpec>;
    type World = i64;

    async fn load(tx: &mut WriteTx, _: &Context<'_>, _: &Self::Request) -> AppResult<i64> {
        Ok(tx.next_id::<TagOrder>().await?)
    }

    fn decide(at: &Context<'_>, next: i64, req: &Self::Request) -> Result<Outcome, Rejection> {
        let orders = tags::order_tags(&at.ctx, req, at.config.max_tags_per_order, next)?;
        Ok(Outcome::of(&orders))
    }
}

/// Records physical receipt of shipped orders: their tags become available (rule 11).
pub struct Receive;

impl Action for Receive {
    const DEF: Definition = Definition::holders("Record receipt of UID tags", PERMS);
    /// The orders' ids, as listed (a missing one is reported on its row).
    type Request = Vec<Option<i64>>;
    type World = (HashMap<i64, TagOrder>, HashMap<i64, Vec<Tag>>);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        ids: &Self::Request,
    ) -> AppResult<Self::World> {
        let mut orders = HashMap::new();
        let mut by_order = HashMap::new();
        for id in ids.iter().flatten() {
            if let Some(o) = tx.get::<TagOrder>(*id).await? {
                if o.label_prefix.is_some() {
                    let q = ListQuery {
                        license: Some(at.ctx.facility.license_number.clone()),
                        ..Default::default()
                    }
                    .with(Column::OrderId, [o.id]);
                    by_order.insert(o.id, tx.list::<Tag>(&q).await?.rows);
                }
                orders.insert(*id, o);
            }
        }
        Ok((orders, by_order))
    }

    fn decide(
        at: &Context<'_>,
        (orders, by_order): Self::World,
        ids: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        let now = time::parse_instant(&at.ctx.now)
            .ok_or_else(|| Rejection::Invalid("The clock reading is unreadable.".into()))?;
        let receipt = tags::receive_orders(&at.ctx, ids, &orders, &by_order, now)?;
        Ok(Outcome::of(&receipt.orders)
            .and(&receipt.tags)
            .warn(receipt.warnings))
    }
}

/// Voids unused tags (rule 14).
pub struct Void;

impl Action for Void {
    const DEF: Definition = Definition::holders("Void unused UID tags", PERMS);
    /// The labels, as listed.
    type Request = Vec<Option<String>>;
    type World = HashMap<String, Tag>;

    async fn load(
        tx: &mut WriteTx,
        _: &Context<'_>,
        labels: &Self::Request,
    ) -> AppResult<Self::World> {
        let keys: Vec<String> = labels
            .iter()
            .flatten()
            .map(|l| l.trim().to_ascii_uppercase())
            .collect();
        Ok(tx
            .find_many::<Tag>(None, &keys, None)
            .await?
            .into_iter()
            .map(|t| (t.label.as_str().to_string(), t))
            .collect())
    }

    fn decide(
        at: &Context<'_>,
        found: Self::World,
        labels: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        Ok(Outcome::of(&tags::void_tags(&at.ctx, labels, &found)?))
    }
}

/// The supplier ships an order (the operator's act): its tags are issued to the facility, to
/// be received there before use.
pub struct Ship;

impl SystemAction for Ship {
    const DEF: Definition =
        Definition::operator("Ship a tag order").reason("Tag order shipped by the supplier");
    /// The order's id.
    type Request = i64;
    /// The order, the label batch drawn for it, and the next tag id.
    type World = (TagOrder, u64, i64);
    type Output = ();

    async fn load(tx: &mut WriteTx, id: &i64) -> AppResult<Self::World> {
        let order: TagOrder = tx
            .get(*id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Tag order {id} does not exist.")))?;
        let batch = rand::rngs::OsRng.next_u64();
        Ok((order, batch, tx.next_id::<Tag>().await?))
    }

    fn decide(
        now: &str,
        (order, batch, next): Self::World,
        _: &i64,
    ) -> Result<(Option<String>, Outcome, ()), Rejection> {
        let (order, tags) = tags::ship_order(&order, batch, now, next)?;
        let license = Some(order.license_number.clone());
        Ok((
            license,
            Outcome::of(std::slice::from_ref(&order)).and(&tags),
            (),
        ))
    }
}
