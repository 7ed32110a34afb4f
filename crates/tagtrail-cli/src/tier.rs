//! `tagtrail bench --tier-history 0,1000000,10000000`: rule 72's history tier, measured. The
//! manufacturer's active list (a page of 20) and a single-package write (a note: one journal
//! entry that rewrites one active package) are timed with 0 finished packages of history, then
//! with each larger size, in one run; each figure is printed beside the same figure at the
//! first size, as a ratio. The history is added outside the journal
//! ([`Ledger::bench_add_finished_history`]: millions of journaled finishes would take hours),
//! which is why this phase runs after the bench's `audit verify`.

use crate::bench::{Figure, drive};
use anyhow::{Context, Result};
use std::time::Instant;
use tagtrail_app::reads::ListQuery;
use tagtrail_app::{Acting, Ledger};
use tagtrail_demo::DemoLicense;
use tagtrail_domain::records::Package;

/// Finished packages added per transaction.
const BATCH: u64 = 20_000;

pub struct TierBench<'a> {
    pub ledger: &'a Ledger,
    pub base: String,
    pub vendor_key: String,
    pub lic: DemoLicense,
    pub http: reqwest::Client,
    pub seconds: u64,
    pub concurrency: usize,
}

impl TierBench<'_> {
    pub async fn run(&self, sizes: &[u64]) -> Result<()> {
        let err = |e: tagtrail_app::AppError| anyhow::anyhow!("{e}");
        let scope = self
            .ledger
            .authorize(&Acting::operator("bench"), &self.lic.license_number, &[])
            .await
            .map_err(err)?;
        let active: Vec<Package> = self
            .ledger
            .list::<Package>(
                &scope,
                ListQuery {
                    active: Some(true),
                    ..Default::default()
                },
            )
            .await
            .map_err(err)?
            .rows;
        let template = active
            .first()
            .context("the manufacturer's packages")?
            .clone();
        // The packages a note can be written to (not on hold, not in transit), tried once each.
        let mut labels = Vec::new();
        for p in &active {
            let (h, b, v, k, l) = self.keys();
            let body = serde_json::json!([{"PackageLabel": p.label.as_str(), "Note": "bench"}]);
            let r = h
                .put(format!("{b}/packages/v2/note?licenseNumber={l}"))
                .basic_auth(&v, Some(&k))
                .json(&body)
                .send()
                .await?;
            if r.status().is_success() {
                labels.push(p.label.to_string());
            }
        }
        anyhow::ensure!(
            !labels.is_empty(),
            "no package of {} takes a note",
            scope.license()
        );
        println!(
            "\nhistory tier (rule 72): manufacturer {}, {} active packages ({} take the note writes); finished history added outside the journal",
            scope.license(),
            active.len(),
            labels.len()
        );
        let mut sizes = sizes.to_vec();
        sizes.sort_unstable();
        sizes.dedup();
        let mut added = 0u64;
        let mut stages: Vec<(u64, Vec<Figure>)> = Vec::new();
        for size in sizes {
            let t = Instant::now();
            let grow = size.saturating_sub(added);
            added += self
                .ledger
                .bench_add_finished_history(&template, grow, BATCH)
                .await
                .map_err(err)?;
            self.ledger.maintain().await.map_err(err)?;
            println!(
                "\n== {added} finished packages in history (added {grow} in {:.1} s)",
                t.elapsed().as_secs_f64()
            );
            let mut figures = Vec::new();
            let (h, b, v, k, l) = self.keys();
            figures.push(
                drive(
                    "GET /packages/v2/active (page of 20)",
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
            let (h, b, v, k, l) = self.keys();
            let labels = labels.clone();
            figures.push(
                drive(
                    "PUT /packages/v2/note (1 package = 1 entry)",
                    self.seconds,
                    self.concurrency,
                    move |n| {
                        let label = &labels[n as usize % labels.len()];
                        let body = serde_json::json!([{"PackageLabel": label, "Note": format!("bench {n}")}]);
                        let req = h
                            .put(format!("{b}/packages/v2/note?licenseNumber={l}"))
                            .basic_auth(&v, Some(&k))
                            .json(&body);
                        async move { matches!(req.send().await, Ok(r) if r.status().is_success()) }
                    },
                )
                .await?,
            );
            stages.push((added, figures));
        }
        if let Some((first, base)) = stages.first() {
            println!(
                "\n== with history, as ratios to {first} finished packages (1.00 = no slower)"
            );
            println!(
                "{:<44} {:>12} {:>10} {:>8} {:>12}",
                "", "history", "req/s", "p50 ms", "ratio p50/rate"
            );
            for (size, figures) in &stages {
                for (x, b) in figures.iter().zip(base) {
                    println!(
                        "{:<44} {:>12} {:>10.0} {:>8.2} {:>6.2} / {:<5.2}",
                        x.label,
                        size,
                        x.per_second,
                        x.p50_ms,
                        x.p50_ms / b.p50_ms.max(0.000_001),
                        x.per_second / b.per_second.max(0.000_001)
                    );
                }
            }
        }
        Ok(())
    }

    fn keys(&self) -> (reqwest::Client, String, String, String, String) {
        (
            self.http.clone(),
            self.base.clone(),
            self.vendor_key.clone(),
            self.lic.user_key.clone(),
            self.lic.license_number.clone(),
        )
    }
}
