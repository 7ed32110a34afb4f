//! UID tag orders, shipment, receipt and voiding (cctt-rules §1.B and §2.1).

use super::Ctx;
use crate::error::{Rejection, RowErrors};
use crate::records::{Tag, TagOrder};
use crate::tag::{self, OrderStatus, TagKind, TagLabel, TagStatus};
use std::collections::{HashMap, HashSet};

/// Most tags of one kind in one order. California caps orders per license type and by tag
/// inventory (rule 12); the exact caps are not published, so this is configurable upstream.
pub const DEFAULT_MAX_TAGS_PER_ORDER: u32 = 5_000;

#[derive(Debug, Clone, Default)]
pub struct OrderSpec {
    pub plant_tags: Option<i64>,
    pub package_tags: Option<i64>,
}

/// Places tag orders. Plant tags only for cultivation licenses (rule 12); orders cannot be
/// cancelled once placed (rule 12), so there is no cancel.
pub fn order_tags(
    ctx: &Ctx,
    specs: &[OrderSpec],
    max_per_order: u32,
    mut next_id: i64,
) -> Result<Vec<TagOrder>, Rejection> {
    let mut errors = RowErrors::default();
    let mut out = Vec::new();
    for (row, spec) in specs.iter().enumerate() {
        let plant = spec.plant_tags.unwrap_or(0);
        let package = spec.package_tags.unwrap_or(0);
        if plant > 0 && !ctx.facility.license_type.may_order_plant_tags() {
            return Err(Rejection::Forbidden(
                "License type cannot order plant tags.".into(),
            ));
        }
        if plant < 0 || package < 0 {
            errors.push(row, "Tag quantities cannot be negative.");
            continue;
        }
        if plant == 0 && package == 0 {
            errors.push(row, "An order needs at least one plant or package tag.");
            continue;
        }
        if plant > i64::from(max_per_order) || package > i64::from(max_per_order) {
            errors.push(
                row,
                format!("Requested quantity exceeds maximum {max_per_order}."),
            );
            continue;
        }
        out.push(TagOrder {
            id: next_id,
            license_number: ctx.facility.license_number.clone(),
            plant_tags: plant as u32,
            package_tags: package as u32,
            order_status: OrderStatus::Ordered,
            ordered_at: ctx.now.clone(),
            shipped_at: None,
            received_at: None,
            label_prefix: None,
            active: true,
            last_modified: ctx.now.clone(),
        });
        next_id += 1;
    }
    errors.into_result()?;
    Ok(out)
}

/// The supplier ships an order: its tags come into being, issued to the ordering facility, with
/// labels drawn from `batch` (randomness supplied by the caller). They are not usable until the
/// licensee records receipt.
pub fn ship_order(
    order: &TagOrder,
    batch: u64,
    now: &str,
    mut next_id: i64,
) -> Result<(TagOrder, Vec<Tag>), Rejection> {
    if order.order_status != OrderStatus::Ordered {
        return Err(Rejection::Invalid(format!(
            "Tag order {} has already shipped.",
            order.id
        )));
    }
    let mut tags = Vec::with_capacity((order.plant_tags + order.package_tags) as usize);
    let kinds = std::iter::repeat_n(TagKind::Plant, order.plant_tags as usize).chain(
        std::iter::repeat_n(TagKind::Package, order.package_tags as usize),
    );
    for (seq, kind) in kinds.enumerate() {
        tags.push(Tag {
            id: next_id,
            license_number: order.license_number.clone(),
            label: TagLabel::issue(batch, seq as u32 + 1),
            kind,
            tag_status: TagStatus::Shipped,
            order_id: order.id,
            shipped_at: now.to_string(),
            received_at: None,
            used_at: None,
            voided_at: None,
            active: true,
            last_modified: now.to_string(),
        });
        next_id += 1;
    }
    let mut shipped = order.clone();
    shipped.order_status = OrderStatus::Shipped;
    shipped.shipped_at = Some(now.to_string());
    shipped.label_prefix = Some(TagLabel::issue(batch, 0).as_str()[..15].to_string());
    shipped.last_modified = now.to_string();
    Ok((shipped, tags))
}

/// Outcome of recording receipt: the changed order and tags, and warnings for late entries.
#[derive(Debug)]
pub struct Receipt {
    pub orders: Vec<TagOrder>,
    pub tags: Vec<Tag>,
    pub warnings: Vec<String>,
}

/// Records physical receipt of shipped orders (cctt-rules step 4, rule 11). `tags_by_order`
/// holds every tag of each addressed order. A receipt recorded more than three days after
/// shipment is accepted with a warning, as the rule asks for a compliance flag, not a refusal.
pub fn receive_orders(
    ctx: &Ctx,
    order_ids: &[Option<i64>],
    orders: &HashMap<i64, TagOrder>,
    tags_by_order: &HashMap<i64, Vec<Tag>>,
    now: crate::time::Timestamp,
) -> Result<Receipt, Rejection> {
    let mut errors = RowErrors::default();
    let mut seen = HashSet::new();
    let mut receipt = Receipt {
        orders: vec![],
        tags: vec![],
        warnings: vec![],
    };
    for (row, id) in order_ids.iter().enumerate() {
        let Some(id) = id else {
            errors.push(row, "Id was not specified.");
            continue;
        };
        let Some(order) = orders
            .get(id)
            .filter(|o| o.license_number == ctx.facility.license_number)
        else {
            errors.push(
                row,
                format!("Tag order {id} does not exist in the current Facility."),
            );
            continue;
        };
        if !seen.insert(*id) {
            errors.push(row, format!("Tag order {id} appears more than once."));
            continue;
        }
        match order.order_status {
            OrderStatus::Ordered => {
                errors.push(row, format!("Tag order {id} has not shipped yet."));
                continue;
            }
            OrderStatus::Received => {
                errors.push(
                    row,
                    format!("Receipt of tag order {id} is already recorded."),
                );
                continue;
            }
            OrderStatus::Shipped => {}
        }
        if let Some(shipped) = order
            .shipped_at
            .as_deref()
            .and_then(crate::time::parse_instant)
            && now - shipped > chrono::Duration::days(3)
        {
            receipt.warnings.push(format!(
                "Receipt of tag order {id} recorded more than 3 days after shipment; 4 CCR §15048.3(a)(2) requires 3 days."
            ));
        }
        let mut o = order.clone();
        o.order_status = OrderStatus::Received;
        o.received_at = Some(ctx.now.clone());
        o.active = false;
        o.last_modified = ctx.now.clone();
        receipt.orders.push(o);
        for t in tags_by_order.get(id).into_iter().flatten() {
            if t.tag_status == TagStatus::Shipped {
                let mut t = t.clone();
                t.tag_status = TagStatus::Received;
                t.received_at = Some(ctx.now.clone());
                t.last_modified = ctx.now.clone();
                receipt.tags.push(t);
            }
        }
    }
    errors.into_result()?;
    Ok(receipt)
}

/// Voids unused tags (rule 14). `found` maps each requested label to the tag, if it exists.
pub fn void_tags(
    ctx: &Ctx,
    labels: &[Option<String>],
    found: &HashMap<String, Tag>,
) -> Result<Vec<Tag>, Rejection> {
    let mut errors = RowErrors::default();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (row, label) in labels.iter().enumerate() {
        let label = match label.as_deref().map(TagLabel::parse) {
            None => {
                errors.push(row, "Label was not specified.");
                continue;
            }
            Some(Err(e)) => {
                errors.push(row, e);
                continue;
            }
            Some(Ok(l)) => l,
        };
        let Some(t) = found
            .get(label.as_str())
            .filter(|t| t.license_number == ctx.facility.license_number)
        else {
            errors.push(
                row,
                format!(
                    "Tag {label} is not assigned to facility {}.",
                    ctx.facility.license_number
                ),
            );
            continue;
        };
        if !seen.insert(label.clone()) {
            errors.push(row, format!("Tag {label} appears more than once."));
            continue;
        }
        if let Err(e) = tag::check_voidable(&label, t.tag_status) {
            errors.push(row, e);
            continue;
        }
        let mut t = t.clone();
        t.tag_status = TagStatus::Voided;
        t.voided_at = Some(ctx.now.clone());
        t.active = false;
        t.last_modified = ctx.now.clone();
        out.push(t);
    }
    errors.into_result()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::LicenseType;
    use crate::records::Facility;

    fn facility(t: LicenseType) -> Facility {
        Facility {
            id: 1,
            license_number: "L-1".into(),
            license_type: t,
            name: "F".into(),
            display_name: "F".into(),
            license_start_date: "2026-01-01".into(),
            license_end_date: "2027-01-01".into(),
            address: None,
            credentialed_date: "2026-01-01".into(),
            onboarding: Default::default(),
            active: true,
            last_modified: "t".into(),
        }
    }

    /// Rule 12: a non-cultivation license cannot order plant tags.
    #[test]
    fn rule_12_plant_tags_need_cultivation_license() {
        let f = facility(LicenseType::Distributor);
        let ctx = Ctx {
            facility: &f,
            now: "t".into(),
        };
        let spec = OrderSpec {
            plant_tags: Some(10),
            package_tags: None,
        };
        assert!(matches!(
            order_tags(&ctx, std::slice::from_ref(&spec), 100, 1),
            Err(Rejection::Forbidden(_))
        ));
        let f = facility(LicenseType::Cultivator);
        let ctx = Ctx {
            facility: &f,
            now: "t".into(),
        };
        assert_eq!(order_tags(&ctx, &[spec], 100, 1).unwrap()[0].plant_tags, 10);
    }

    /// Rule 11 + §2.1: shipped tags become usable only once receipt is recorded; late receipt warns.
    #[test]
    fn rule_11_receipt_makes_tags_available() {
        let f = facility(LicenseType::Manufacturer);
        let ctx = Ctx {
            facility: &f,
            now: "2026-01-10T00:00:00.000000+00:00".into(),
        };
        let order = order_tags(
            &ctx,
            &[OrderSpec {
                plant_tags: None,
                package_tags: Some(3),
            }],
            100,
            1,
        )
        .unwrap()
        .remove(0);
        let (shipped, tags) =
            ship_order(&order, 42, "2026-01-01T00:00:00.000000+00:00", 1).unwrap();
        assert!(tags.iter().all(|t| t.tag_status == TagStatus::Shipped));
        assert!(ship_order(&shipped, 42, "x", 1).is_err());
        let orders = HashMap::from([(shipped.id, shipped.clone())]);
        let by_order = HashMap::from([(shipped.id, tags)]);
        let now = crate::time::parse_instant(&ctx.now).unwrap();
        let r = receive_orders(&ctx, &[Some(shipped.id)], &orders, &by_order, now).unwrap();
        assert_eq!(r.tags.len(), 3);
        assert!(r.tags.iter().all(|t| t.tag_status == TagStatus::Received));
        assert_eq!(r.warnings.len(), 1, "received 9 days after shipment");
    }
}
