//! `tagtrail bench --history N`: a manufacturer with N packages of history (95 % finished, each
//! with lineage, an adjustment, and lab results on every tenth), measured, then grown 10× and
//! measured again: the failure mode of the July 2020 bulletin is reads and writes slowing as
//! finished history accumulates.

use crate::bench::{Figure, drive};
use anyhow::{Context, Result};
use rand::RngCore;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tagtrail_app::actions::import::ImportPackages;
use tagtrail_app::actions::packages::{OpenBalance, OpeningBalance};
use tagtrail_app::actions::tags::{Order, Receive, Ship};
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_app::{Acting, Door, Ledger, Scope};
use tagtrail_demo::DemoLicense;
use tagtrail_domain::commands::import::{ImportedAdjustment, ImportedPackage, ImportedResult};
use tagtrail_domain::commands::tags::OrderSpec;
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::records::{Item, Package, Tag};
use tagtrail_domain::tag::TagLabel;

/// Packages per import batch (one journal entry each).
const BATCH: u64 = 1_000;

/// One finished label in this many is kept for the reads of history.
const SAMPLE_EVERY: u64 = 100;

pub struct Scale<'a> {
    pub ledger: &'a Ledger,
    pub base: String,
    pub vendor_key: String,
    pub lic: DemoLicense,
    pub http: reqwest::Client,
    pub seconds: u64,
    pub concurrency: usize,
}

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

/// One generated package of history: empty, each made from the one before (lineage), with an
/// adjustment, and a released result on every tenth.
fn imported(
    item: &Item,
    label: &TagLabel,
    finished: bool,
    prev: Option<&str>,
    n: u64,
    day: &str,
) -> ImportedPackage {
    ImportedPackage {
        label: label.to_string(),
        item: item.name.clone(),
        quantity: Decimal::ZERO,
        original_quantity: Decimal::new(1000, 0),
        finished,
        lab_testing_state: LabState::TestPassed,
        packaged_date: day.to_string(),
        source: prev.map(str::to_string),
        location: Some("Finished Goods".into()),
        adjustment: Some(ImportedAdjustment {
            quantity: Decimal::new(-1000, 0),
            reason: "Scale Variance".into(),
        }),
        lab_result: n.is_multiple_of(10).then(|| ImportedResult {
            lab_license: "C8-0000042-LIC".into(),
            lab_name: "Pacific Analytical Labs".into(),
            test_type: "Pesticides".into(),
            passed: true,
        }),
    }
}

/// Imports `count` generated packages of history in batches of [`BATCH`], through the operator's
/// bulk-import action, each batch one journal entry named as an import of the generated file
/// (its SHA-256 recorded). Returns how many finished, a sample of their labels (one in
/// [`SAMPLE_EVERY`]: the client keeps no million strings beside the server it measures), and the
/// open labels.
async fn generate(
    ledger: &Ledger,
    operator: &Scope,
    item: &Item,
    count: u64,
    mix: Mix,
) -> Result<(u64, Vec<String>, Vec<String>)> {
    let (mut finished_n, mut finished_labels, mut open_labels) = (0u64, Vec::new(), Vec::new());
    let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let mut made = 0;
    while made < count {
        let n = BATCH.min(count - made);
        let batch = rand::rngs::OsRng.next_u64();
        let mut prev: Option<String> = None;
        let mut packages = Vec::with_capacity(n as usize);
        for i in 0..n {
            let finished = match mix {
                Mix::Realistic => (made + i) % 20 != 0,
                Mix::Finished => true,
                Mix::Open => false,
            };
            let label = TagLabel::issue(batch, i as u32 + 1);
            packages.push(imported(item, &label, finished, prev.as_deref(), i, &day));
            if finished {
                if finished_n % SAMPLE_EVERY == 0 {
                    finished_labels.push(label.to_string())
                }
                finished_n += 1;
            } else {
                open_labels.push(label.to_string())
            }
            prev = Some(label.to_string());
        }
        let file = serde_json::to_vec(&packages)?;
        let door = Door::import(
            "tagtrail bench --history",
            serde_json::json!({
                "File": format!("generated-history-{batch:016x}.json"),
                "Sha256": hex::encode(Sha256::digest(&file)),
                "Packages": n,
            }),
        )
        .because(Some("Generated package history for the scale benchmark"));
        ledger
            .run::<ImportPackages>(operator, door, &packages)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        made += n;
    }
    Ok((finished_n, finished_labels, open_labels))
}

impl Scale<'_> {
    /// Orders, ships and receives `count` package tags for the bench's creates, as the operator
    /// (each step journaled as the bench's operator command).
    async fn tags(&self, scope: &Scope, operator: &Acting, count: u32) -> Result<Vec<String>> {
        let err = |e: tagtrail_app::AppError| anyhow::anyhow!("{e}");
        let door =
            |what: &str| Door::operator("tagtrail bench", serde_json::json!({ "Step": what }));
        let mut left = count;
        while left > 0 {
            let n = left.min(5_000);
            let spec = vec![OrderSpec {
                plant_tags: None,
                package_tags: Some(i64::from(n)),
            }];
            let w = self
                .ledger
                .run::<Order>(scope, door("order tags"), &spec)
                .await
                .map_err(err)?;
            let id = w.ids.first().copied().context("the order's id")?;
            self.ledger
                .run_system::<Ship>(operator, door("ship tags"), &id)
                .await
                .map_err(err)?;
            self.ledger
                .run::<Receive>(scope, door("receive tags"), &vec![Some(id)])
                .await
                .map_err(err)?;
            left -= n;
        }
        let q = ListQuery {
            active: Some(true),
            ..Default::default()
        }
        .with(Column::Kind, ["Package"])
        .with(Column::Status, ["Received"]);
        let tags = self.ledger.list::<Tag>(scope, q).await.map_err(err)?;
        Ok(tags.rows.iter().map(|t| t.label.to_string()).collect())
    }

    pub async fn run(&self, history: u64) -> Result<()> {
        let err = |e: tagtrail_app::AppError| anyhow::anyhow!("{e}");
        let operator = Acting::operator("bench");
        let scope = self
            .ledger
            .authorize(&operator, &self.lic.license_number, &[])
            .await
            .map_err(err)?;
        let item: Item = self
            .ledger
            .find(&scope, "blue dream distillate")
            .await
            .map_err(err)?
            .context("the demo's distillate item")?;
        // `finished` holds a sample of the finished labels; `finished_n` counts them all.
        let (mut finished, mut finished_n, mut open) = (Vec::new(), 0usize, Vec::new());
        let mut raw_row = String::new();
        let mut stages: Vec<(usize, Vec<Figure>)> = Vec::new();
        println!(
            "\nscale: manufacturer {} — package history, then 10× more",
            scope.license()
        );
        for size in [history, history * 10] {
            let t = Instant::now();
            let grow = size.saturating_sub(finished_n as u64 + open.len() as u64);
            // The first size has a realistic active share (5 %); growth adds finished history only, so
            // the active inventory stays the same and any slowdown is history's doing.
            let (n, f, o) = generate(
                self.ledger,
                &scope,
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
            finished_n += n as usize;
            open.extend(o);
            let gen_secs = t.elapsed().as_secs_f64();
            // What an operator does after a bulk import (and autovacuum does on its own).
            let m = Instant::now();
            self.ledger.maintain().await.map_err(err)?;
            let maintain_secs = m.elapsed().as_secs_f64();
            if raw_row.is_empty()
                && let Some(label) = finished.first()
                && let Some(p) = self
                    .ledger
                    .find::<Package>(&scope, label)
                    .await
                    .map_err(err)?
            {
                raw_row = serde_json::to_string(&p)?;
            }
            println!(
                "\n== history: {} packages ({} finished, {} active, generated in {:.1} s, {:.0} packages/s through the journal; maintenance {:.1} s)",
                finished_n + open.len(),
                finished_n,
                open.len(),
                gen_secs,
                grow as f64 / gen_secs.max(0.001),
                maintain_secs
            );
            storage(self.ledger, finished_n + open.len()).await?;
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
            let req = OpeningBalance {
                package: spec,
                lab_state: LabState::TestPassed,
            };
            let door = Door::operator(
                "tagtrail bench",
                serde_json::json!({ "Step": "source package" }),
            );
            self.ledger
                .run::<OpenBalance>(&scope, door, &req)
                .await
                .map_err(err)?;
            let tag_queue = Arc::new(Mutex::new(tags.into_iter().skip(1).collect::<Vec<_>>()));
            // Empty packages ready to finish, more than one phase can use.
            let (_, _, ready) = generate(self.ledger, &scope, &item, 8_000, Mix::Open).await?;
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
                        finished.push(l);
                        finished_n += 1;
                    }
                }
            }

            let (rows, secs) = self
                .ledger
                .raw_insert_rate(&raw_row, self.seconds)
                .await
                .map_err(err)?;
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
            // Measured again once the reads above have been served at this size: the figure
            // after generation alone would miss what serving them holds.
            println!("after serving these: {}", resident());
            stages.push((finished_n + open.len(), figures));
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

/// Prints what the database takes per package at this size (journal, projections, touches and
/// indexes, all divided by the packages, the demo's few aside), and the process's resident
/// memory (server and client share the process; the client's part is small).
async fn storage(ledger: &Ledger, packages: usize) -> Result<()> {
    let bytes = ledger
        .database_bytes()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "storage: {:.2} GB in all, {:.0} bytes per package; {}",
        bytes as f64 / 1e9,
        bytes as f64 / packages.max(1) as f64,
        resident()
    );
    Ok(())
}

/// The process's resident memory now and at its peak so far (the peak includes generating the
/// history, which a serving ledger never does in bulk), from `/proc/self/status`.
fn resident() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mb = |field: &str| {
        status
            .lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or("unknown".to_string(), |kb| {
                format!("{:.0} MB", kb as f64 / 1024.0)
            })
    };
    format!("resident memory {} (peak {})", mb("VmRSS:"), mb("VmHWM:"))
}
