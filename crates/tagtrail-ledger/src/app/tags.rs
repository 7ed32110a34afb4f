//! UID tag orders, receipt and voiding, and the supplier's shipment.

use super::{Acting, Action, AppError, AppResult, Ledger, Outcome, Scope, Written};
use rand::RngCore;
use std::collections::HashMap;
use tagtrail_domain::commands::tags;
use tagtrail_domain::records::{Tag, TagOrder};
use tagtrail_store::ListQuery;

impl Ledger {
    pub async fn order_tags(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[tags::OrderSpec],
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let mut tx = self.store.begin().await?;
        let orders = tags::order_tags(
            &ctx,
            specs,
            self.config.max_tags_per_order,
            tx.next_id::<TagOrder>().await?,
        )?;
        self.commit(
            tx,
            who,
            Some(scope.license()),
            action,
            &now,
            Outcome::of(&orders),
        )
        .await
    }

    /// The supplier ships an order (operator side): the tags are issued to the facility.
    pub async fn ship_tag_order(&self, who: &Acting, order_id: i64) -> AppResult<Written> {
        let now = Self::now_string();
        let mut tx = self.store.begin().await?;
        let order: TagOrder = tx
            .get(order_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Tag order {order_id} does not exist.")))?;
        let batch = rand::rngs::OsRng.next_u64();
        let (order, tags) = tags::ship_order(&order, batch, &now, tx.next_id::<Tag>().await?)?;
        let action = Action::new(
            "tagtrail admin ship-tags",
            None,
            "Tag order shipped by the supplier",
            serde_json::json!({"OrderId": order_id}),
        );
        let license = order.license_number.clone();
        self.commit(
            tx,
            who,
            Some(&license),
            action,
            &now,
            Outcome::of(std::slice::from_ref(&order)).and(&tags),
        )
        .await
    }

    /// Records physical receipt of shipped orders: their tags become available (rule 11).
    pub async fn receive_tag_orders(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        ids: &[Option<i64>],
    ) -> AppResult<Written> {
        let now_ts = chrono::Utc::now();
        let now = tagtrail_domain::time::format(now_ts);
        let ctx = Self::ctx(scope, &now);
        let mut tx = self.store.begin().await?;
        let mut orders = HashMap::new();
        let mut by_order = HashMap::new();
        for id in ids.iter().flatten() {
            if let Some(o) = tx.get::<TagOrder>(*id).await? {
                if let Some(prefix) = &o.label_prefix {
                    let q = ListQuery {
                        license: Some(scope.license().into()),
                        lookup_prefix: Some(prefix.clone()),
                        ..Default::default()
                    };
                    let tags: Vec<Tag> = tx
                        .list::<Tag>(&q)
                        .await?
                        .rows
                        .into_iter()
                        .filter(|t| t.order_id == o.id)
                        .collect();
                    by_order.insert(o.id, tags);
                }
                orders.insert(*id, o);
            }
        }
        let receipt = tags::receive_orders(&ctx, ids, &orders, &by_order, now_ts)?;
        self.commit(
            tx,
            who,
            Some(scope.license()),
            action,
            &now,
            Outcome::of(&receipt.orders)
                .and(&receipt.tags)
                .warn(receipt.warnings),
        )
        .await
    }

    pub async fn void_tags(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        labels: &[Option<String>],
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let mut tx = self.store.begin().await?;
        let keys: Vec<String> = labels
            .iter()
            .flatten()
            .map(|l| l.trim().to_ascii_uppercase())
            .collect();
        let found: HashMap<String, Tag> = tx
            .find_many::<Tag>(None, &keys, None)
            .await?
            .into_iter()
            .map(|t| (t.label.as_str().to_string(), t))
            .collect();
        let voided = tags::void_tags(&ctx, labels, &found)?;
        self.commit(
            tx,
            who,
            Some(scope.license()),
            action,
            &now,
            Outcome::of(&voided),
        )
        .await
    }
}
