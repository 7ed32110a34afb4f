//! `tagtrail bench --history N`: a manufacturer with N packages of history (95 % finished, each
//! with lineage, an adjustment, and lab results on every tenth), measured, then grown 10× and
//! measured again: the failure mode of the July 2020 bulletin is reads and writes slowing as
//! finished history accumulates.

use crate::bench::{Figure, drive};
use anyhow::{Context, Result};
use rand::RngCore;
use rust_decimal::Decimal;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tagtrail_domain::journal::{Actor, Draft};
use tagtrail_domain::records::{
    Facility, Item, LabResult, Package, PackageAdjustment, PackageLink, PackageState, Record,
};
use tagtrail_domain::tag::TagLabel;
use tagtrail_ledger::Ledger;
use tagtrail_ledger::app::{Acting, Action};
use tagtrail_ledger::demo::DemoLicense;
use tagtrail_store::{ListQuery, Store};

/// Packages per generated journal entry.
const BATCH: u64 = 1_000;

pub struct Scale<'a> {
    pub ledger: &'a Ledger,
    pub store: &'a Store,
    pub base: String,
    pub vendor_key: String,
    pub lic: DemoLicense,
    pub http: reqwest::Client,
    pub seconds: u64,
    pub concurrency: usize,
}

fn package(
    facility: &Facility,
    item: &Item,
    id: i64,
    label: TagLabel,
    finished: bool,
    now: &str,
    source: Option<(i64, String)>,
) -> Package {
    Package {
        id,
        license_number: facility.license_number.clone(),
        label,
        package_type: "Product".into(),
        item_id: item.id,
        item_name: item.name.clone(),
        item_category: item.category.clone(),
        item_strain_name: item.strain_name.clone(),
        quantity: Decimal::ZERO,
        unit_of_measure: item.unit_of_measure.clone(),
        original_quantity: Decimal::new(1000, 0),
        location_id: None,
        location_name: Some("Finished Goods".into()),
        sublocation_id: None,
        sublocation_name: None,
        note: None,
        packaged_date: now.get(..10).unwrap_or_default().into(),
        packaged_by_license: facility.license_number.clone(),
        packaged_by_name: facility.name.clone(),
        source_package_ids: source.iter().map(|s| s.0).collect(),
        source_package_labels: source.iter().map(|s| s.1.clone()).collect(),
        production_batch_number: None,
        is_production_batch: false,
        is_testing_sample: false,
        is_trade_sample: false,
        is_donation: false,
        is_finished_good: false,
        product_requires_remediation: false,
        initial_lab_testing_state: "TestPassed".into(),
        lab_testing_state: "TestPassed".into(),
        lab_testing_state_date: now.get(..10).unwrap_or_default().into(),
        remediation_count: 0,
        remediation_date: None,
        decontamination_date: None,
        on_hold: false,
        hold_reason: None,
        state: if finished {
            PackageState::Finished
        } else {
            PackageState::Active
        },
        finished_date: finished.then(|| now.get(..10).unwrap_or_default().into()),
        expiration_date: None,
        sell_by_date: None,
        use_by_date: None,
        external_id: None,
        archived_date: None,
        lab_license: None,
        received: None,
        active: !finished,
        last_modified: now.into(),
    }
}

/// Appends `count` generated packages to the journal in entries of [`BATCH`], finished or
/// active (with quantity 0, ready to be finished) as `mix` says. Returns both sets of labels.
/// What a generated batch holds.
#[derive(Clone, Copy, PartialEq)]
enum Mix {
    /// 95 % finished, 5 % active and empty.
    Realistic,
    /// All finished.
    Finished,
    /// All active and empty (ready to finish).
    Open,
}

async fn generate(
    store: &Store,
    facility: &Facility,
    item: &Item,
    count: u64,
    mix: Mix,
) -> Result<(Vec<String>, Vec<String>)> {
    let (mut finished_labels, mut open_labels) = (Vec::new(), Vec::new());
    let mut made = 0;
    while made < count {
        let n = BATCH.min(count - made);
        let now = tagtrail_domain::time::format(chrono::Utc::now());
        let batch = rand::rngs::OsRng.next_u64();
        let mut tx = store.begin().await?;
        let (mut pid, mut lid, mut aid, mut rid) = (
            tx.next_id::<Package>().await?,
            tx.next_id::<PackageLink>().await?,
            tx.next_id::<PackageAdjustment>().await?,
            tx.next_id::<LabResult>().await?,
        );
        let mut changes = Vec::with_capacity(n as usize * 3);
        let mut prev: Option<(i64, String)> = None;
        for i in 0..n {
            let finished = match mix {
                Mix::Realistic => (made + i) % 20 != 0,
                Mix::Finished => true,
                Mix::Open => false,
            };
            let label = TagLabel::issue(batch, i as u32 + 1);
            let p = package(
                facility,
                item,
                pid,
                label.clone(),
                finished,
                &now,
                prev.clone(),
            );
            if let Some((parent, parent_label)) = &prev {
                changes.push(
                    PackageLink {
                        id: lid,
                        license_number: facility.license_number.clone(),
                        parent_id: *parent,
                        parent_label: parent_label.clone(),
                        child_id: pid,
                        child_label: label.to_string(),
                        quantity: Decimal::ONE,
                        unit_of_measure: p.unit_of_measure.clone(),
                        active: true,
                        last_modified: now.clone(),
                    }
                    .to_change(),
                );
                lid += 1;
            }
            changes.push(
                PackageAdjustment {
                    id: aid,
                    license_number: facility.license_number.clone(),
                    package_id: pid,
                    package_label: label.to_string(),
                    item_name: item.name.clone(),
                    item_category: item.category.clone(),
                    quantity: Decimal::new(-1000, 0),
                    unit_of_measure: p.unit_of_measure.clone(),
                    reason: "Scale Variance".into(),
                    note: None,
                    adjustment_date: now.get(..10).unwrap_or_default().into(),
                    packaged_date: p.packaged_date.clone(),
                    adjusted_by: "bench".into(),
                    active: true,
                    last_modified: now.clone(),
                }
                .to_change(),
            );
            aid += 1;
            if i % 10 == 0 {
                changes.push(
                    LabResult {
                        id: rid,
                        lab_license: "C8-0000042-LIC".into(),
                        lab_name: "Pacific Analytical Labs".into(),
                        package_id: pid,
                        package_label: label.to_string(),
                        owner_license: facility.license_number.clone(),
                        item_name: item.name.clone(),
                        item_category: item.category.clone(),
                        test_type: "Pesticides".into(),
                        quantity: Some(Decimal::ZERO),
                        passed: true,
                        notes: None,
                        informational: false,
                        research: false,
                        result_date: now.clone(),
                        document_id: None,
                        released: true,
                        released_at: Some(now.clone()),
                        active: true,
                        last_modified: now.clone(),
                    }
                    .to_change(),
                );
                rid += 1;
            }
            if finished {
                finished_labels.push(label.to_string())
            } else {
                open_labels.push(label.to_string())
            }
            prev = Some((pid, label.to_string()));
            changes.push(p.to_change());
            pid += 1;
        }
        tx.append(Draft {
            recorded_at: now.clone(),
            license_number: Some(facility.license_number.clone()),
            actor: Actor {
                employee_id: None,
                vendor_key_id: None,
                name: "operator:bench".into(),
            },
            endpoint: "tagtrail bench generate".into(),
            reason: "Generated package history for the scale benchmark".into(),
            request: serde_json::json!({"Packages": n}),
            result_ids: vec![],
            changes,
        })
        .await?;
        tx.commit().await?;
        made += n;
    }
    Ok((finished_labels, open_labels))
}

impl Scale<'_> {
    async fn tags(
        &self,
        scope: &tagtrail_ledger::app::Scope,
        operator: &Acting,
        count: u32,
    ) -> Result<Vec<String>> {
        let err = |e: tagtrail_ledger::AppError| anyhow::anyhow!("{e}");
        let mut labels = Vec::new();
        let mut left = count;
        while left > 0 {
            let n = left.min(5_000);
            let spec = tagtrail_domain::commands::tags::OrderSpec {
                plant_tags: None,
                package_tags: Some(i64::from(n)),
            };
            let act = Action::new(
                "POST /tagtrail/v1/tags/orders",
                None,
                "Bench tags",
                serde_json::json!([]),
            );
            let w = self
                .ledger
                .order_tags(operator, scope, act, &[spec])
                .await
                .map_err(err)?;
            let id = w.ids[0];
            self.ledger
                .ship_tag_order(operator, id)
                .await
                .map_err(err)?;
            let act = Action::new(
                "PUT /tagtrail/v1/tags/orders/receive",
                None,
                "Bench tags",
                serde_json::json!([]),
            );
            self.ledger
                .receive_tag_orders(operator, scope, act, &[Some(id)])
                .await
                .map_err(err)?;
            left -= n;
        }
        let q = ListQuery {
            license: Some(scope.license().into()),
            active: Some(true),
            status: Some("Package:Received".into()),
            ..Default::default()
        };
        for t in self
            .store
            .list::<tagtrail_domain::records::Tag>(&q)
            .await?
            .rows
        {
            labels.push(t.label.to_string());
        }
        Ok(labels)
    }

    pub async fn run(&self, history: u64) -> Result<()> {
        let err = |e: tagtrail_ledger::AppError| anyhow::anyhow!("{e}");
        let operator = Acting::operator("bench");
        let scope = self
            .ledger
            .authorize(&operator, &self.lic.license_number, &[])
            .await
            .map_err(err)?;
        let item: Item = self
            .store
            .find(Some(scope.license()), "blue dream distillate")
            .await?
            .context("the demo's distillate item")?;
        let (mut finished, mut open) = (Vec::new(), Vec::new());
        let mut raw_row = String::new();
        let mut stages: Vec<(usize, Vec<Figure>)> = Vec::new();
        println!(
            "\nscale: manufacturer {} — package history, then 10× more",
            scope.license()
        );
        for size in [history, history * 10] {
            let t = Instant::now();
            let grow = size.saturating_sub(finished.len() as u64 + open.len() as u64);
            // The first size has a realistic active share (5 %); growth adds finished history only, so
            // the active inventory stays the same and any slowdown is history's doing.
            let (f, o) = generate(
                self.store,
                &scope.facility,
                &item,
                grow,
                if finished.is_empty() {
                    Mix::Realistic
                } else {
                    Mix::Finished
                },
            )
            .await?;
            finished.extend(f);
            open.extend(o);
            let gen_secs = t.elapsed().as_secs_f64();
            // What an operator does after a bulk import (and autovacuum does on its own).
            let m = Instant::now();
            self.store.maintain().await?;
            let maintain_secs = m.elapsed().as_secs_f64();
            if raw_row.is_empty()
                && let Some(label) = finished.first()
                && let Some(p) = self.store.find::<Package>(None, label).await?
            {
                raw_row = serde_json::to_string(&p)?;
            }
            println!(
                "\n== history: {} packages ({} finished, {} active, generated in {:.1} s, {:.0} packages/s through the journal; maintenance {:.1} s)",
                finished.len() + open.len(),
                finished.len(),
                open.len(),
                gen_secs,
                grow as f64 / gen_secs.max(0.001),
                maintain_secs
            );
            // A large source package to draw on, and received tags for the creates.
            let tags = self.tags(&scope, &operator, 6_000).await?;
            let source_tag = tags.first().cloned().context("tags")?;
            let spec = tagtrail_domain::commands::packages::NewPackage {
                tag: Some(source_tag.clone()),
                item: Some(item.name.clone()),
                quantity: Some(Decimal::new(10_000_000, 0)),
                unit_of_measure: Some("Grams".into()),
                location: Some("Extraction Lab".into()),
                ..Default::default()
            };
            self.ledger
                .open_balance(&operator, scope.license(), &spec, "TestPassed")
                .await
                .map_err(err)?;
            let tag_queue = Arc::new(Mutex::new(tags.into_iter().skip(1).collect::<Vec<_>>()));
            // Empty packages ready to finish, more than one phase can use.
            let (_, ready) = generate(self.store, &scope.facility, &item, 8_000, Mix::Open).await?;
            let finish_queue = Arc::new(Mutex::new(ready.clone()));
            let mut figures: Vec<Figure> = Vec::new();

            let (h, b, v, k, l, src, q) = (
                self.http.clone(),
                self.base.clone(),
                self.vendor_key.clone(),
                self.lic.user_key.clone(),
                self.lic.license_number.clone(),
                source_tag.clone(),
                tag_queue.clone(),
            );
            figures.push(drive("POST /packages/v2 (create from a source)", self.seconds, self.concurrency, move |_| {
                let tag = q.lock().ok().and_then(|mut q| q.pop());
                let body = serde_json::json!([{"Tag": tag, "Location": "Finished Goods", "Item": "Blue Dream Distillate", "Quantity": 1, "UnitOfMeasure": "Grams", "Ingredients": [{"Package": src, "Quantity": 1, "UnitOfMeasure": "Grams"}]}]);
                let req = h.post(format!("{b}/packages/v2?licenseNumber={l}")).basic_auth(&v, Some(&k)).json(&body);
                async move { matches!(req.send().await, Ok(r) if r.status().is_success()) }
            }).await?);

            let (h, b, v, k, l, src) = (
                self.http.clone(),
                self.base.clone(),
                self.vendor_key.clone(),
                self.lic.user_key.clone(),
                self.lic.license_number.clone(),
                source_tag.clone(),
            );
            figures.push(drive("POST /packages/v2/adjust", self.seconds, self.concurrency, move |_| {
                let body = serde_json::json!([{"Label": src, "Quantity": -0.001, "UnitOfMeasure": "Grams", "AdjustmentReason": "Scale Variance"}]);
                let req = h.post(format!("{b}/packages/v2/adjust?licenseNumber={l}")).basic_auth(&v, Some(&k)).json(&body);
                async move { matches!(req.send().await, Ok(r) if r.status().is_success()) }
            }).await?);

            let (h, b, v, k, l, q) = (
                self.http.clone(),
                self.base.clone(),
                self.vendor_key.clone(),
                self.lic.user_key.clone(),
                self.lic.license_number.clone(),
                finish_queue.clone(),
            );
            figures.push(
                drive(
                    "PUT /packages/v2/finish",
                    self.seconds,
                    self.concurrency,
                    move |_| {
                        let label = q.lock().ok().and_then(|mut q| q.pop());
                        let body = serde_json::json!([{"Label": label}]);
                        let req = h
                            .put(format!("{b}/packages/v2/finish?licenseNumber={l}"))
                            .basic_auth(&v, Some(&k))
                            .json(&body);
                        async move {
                            label.is_some()
                                && matches!(req.send().await, Ok(r) if r.status().is_success())
                        }
                    },
                )
                .await?,
            );
            // Packages finished by the bench join the history; the rest stay active.
            if let Ok(left) = finish_queue.lock() {
                let unfinished: std::collections::HashSet<&String> = left.iter().collect();
                for l in ready {
                    if unfinished.contains(&l) {
                        open.push(l)
                    } else {
                        finished.push(l)
                    }
                }
            }

            let (rows, secs) =
                tagtrail_store::scratch::raw_insert_rate(self.store, &raw_row, self.seconds)
                    .await?;
            figures.push(Figure {
                label: "raw INSERT of a package row".into(),
                per_second: rows as f64 / secs,
                p50_ms: 0.0,
                p99_ms: 0.0,
            });
            println!(
                "{:<44} {:>9.0} rows/s  (one row per transaction, same database and durability, no HTTP or journal)",
                "raw INSERT of a package row",
                rows as f64 / secs
            );

            let sample: Arc<Vec<String>> = Arc::new(
                finished
                    .iter()
                    .step_by((finished.len() / 5000).max(1))
                    .cloned()
                    .collect(),
            );
            let (h, b, v, k, l, s) = (
                self.http.clone(),
                self.base.clone(),
                self.vendor_key.clone(),
                self.lic.user_key.clone(),
                self.lic.license_number.clone(),
                sample.clone(),
            );
            figures.push(
                drive(
                    "GET /packages/v2/{label} (finished history)",
                    self.seconds,
                    self.concurrency,
                    move |n| {
                        let label = &s[(n as usize) % s.len().max(1)];
                        let req = h
                            .get(format!("{b}/packages/v2/{label}?licenseNumber={l}"))
                            .basic_auth(&v, Some(&k));
                        async move { matches!(req.send().await, Ok(r) if r.status().is_success()) }
                    },
                )
                .await?,
            );

            let (h, b, v, k, l) = (
                self.http.clone(),
                self.base.clone(),
                self.vendor_key.clone(),
                self.lic.user_key.clone(),
                self.lic.license_number.clone(),
            );
            figures.push(
                drive(
                    "GET /packages/v2/active (page 1 of 20)",
                    self.seconds,
                    self.concurrency,
                    move |_| {
                        let req = h
                            .get(format!(
                                "{b}/packages/v2/active?licenseNumber={l}&pageNumber=1&pageSize=20"
                            ))
                            .basic_auth(&v, Some(&k));
                        async move { matches!(req.send().await, Ok(r) if r.status().is_success()) }
                    },
                )
                .await?,
            );
            stages.push((finished.len() + open.len(), figures));
        }
        if let [(small, a), (large, b)] = stages.as_slice() {
            println!("\n== as history grows from {small} to {large} packages");
            println!(
                "{:<44} {:>12} {:>12} {:>8}   {:>17} {:>17}",
                "",
                "req/s before",
                "req/s after",
                "change",
                "p50/p99 ms before",
                "p50/p99 ms after"
            );
            for (x, y) in a.iter().zip(b) {
                println!(
                    "{:<44} {:>12.0} {:>12.0} {:>+7.0}%   {:>8.2}/{:<8.2} {:>8.2}/{:<8.2}",
                    x.label,
                    x.per_second,
                    y.per_second,
                    (y.per_second / x.per_second.max(0.001) - 1.0) * 100.0,
                    x.p50_ms,
                    x.p99_ms,
                    y.p50_ms,
                    y.p99_ms
                );
            }
        }
        Ok(())
    }
}
