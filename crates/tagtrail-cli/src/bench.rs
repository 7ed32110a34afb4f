//! `tagtrail bench`: throughput and latency of the ledger over loopback, printed as figures.
//! Nothing here asserts a number; the figures go into the README and issue notes.

use anyhow::{Context, Result};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tagtrail_app::{Config, Ledger, RateLimits};
use tokio::sync::Mutex;

pub struct Options {
    pub database_url: Option<String>,
    pub postgres_admin_url: Option<String>,
    pub seconds: u64,
    pub concurrency: usize,
    /// Packages of history for the scale phases (0 skips them).
    pub history: u64,
    /// Finished packages in the history tier to measure beside (empty skips the phase).
    pub tier_history: Vec<u64>,
}

struct Sample {
    ok: u64,
    failed: u64,
    latencies: Vec<Duration>,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// One printed figure.
pub struct Figure {
    pub label: String,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

pub async fn drive<F, Fut>(label: &str, seconds: u64, concurrency: usize, make: F) -> Result<Figure>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let make = Arc::new(make);
    let sample = Arc::new(Mutex::new(Sample {
        ok: 0,
        failed: 0,
        latencies: Vec::new(),
    }));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (make, sample, counter) = (make.clone(), sample.clone(), counter.clone());
        tasks.push(tokio::spawn(async move {
            let mut local = Sample {
                ok: 0,
                failed: 0,
                latencies: Vec::new(),
            };
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let t = Instant::now();
                let ok = make(n).await;
                local.latencies.push(t.elapsed());
                if ok { local.ok += 1 } else { local.failed += 1 }
            }
            let mut s = sample.lock().await;
            s.ok += local.ok;
            s.failed += local.failed;
            s.latencies.extend(local.latencies);
        }));
    }
    for t in tasks {
        t.await?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mut s = sample.lock().await;
    s.latencies.sort();
    println!(
        "{label:<44} {:>9.0} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  ({} ok, {} failed, {} connections)",
        s.ok as f64 / elapsed,
        percentile(&s.latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&s.latencies, 0.99).as_secs_f64() * 1e3,
        s.ok,
        s.failed,
        concurrency
    );
    Ok(Figure {
        label: label.to_string(),
        per_second: s.ok as f64 / elapsed,
        p50_ms: percentile(&s.latencies, 0.50).as_secs_f64() * 1e3,
        p99_ms: percentile(&s.latencies, 0.99).as_secs_f64() * 1e3,
    })
}

pub async fn run(opts: Options) -> Result<()> {
    let dir = tempfile_dir()?;
    let url = match (&opts.database_url, &opts.postgres_admin_url) {
        (Some(u), _) => u.clone(),
        (None, Some(admin)) => {
            tagtrail_app::audit::create_postgres_database(admin, "tagtrail_bench")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
        }
        (None, None) => dir.join("bench.db").to_string_lossy().to_string(),
    };
    // Limits far above what two cores can reach: the bench measures the ledger, not the limiter.
    let config = Config {
        rate: RateLimits {
            per_facility_per_second: 1_000_000,
            per_vendor_key_per_second: 1_000_000,
            concurrent_per_facility: 10_000,
            concurrent_per_vendor_key: 10_000,
        },
        ..Config::default()
    };
    let ledger = Ledger::open(&url, config)
        .await
        .context("opening the bench database")?;
    let ledger_for_scale = ledger.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let creds = tagtrail_demo::seed(&ledger, &base)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(tagtrail_ledger::serve(
        ledger,
        tagtrail_ledger::WebOptions::default(),
        None,
        listener,
        async move {
            let _ = stop_rx.await;
        },
    ));
    let lic = creds
        .licenses
        .iter()
        .find(|l| l.license_type == "manufacturer")
        .context("demo has a manufacturer")?
        .clone();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(opts.concurrency)
        .build()?;
    println!(
        "tagtrail bench: {} backend, {} s per figure, {} concurrent connections, server and client in one process on loopback",
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        opts.seconds,
        opts.concurrency
    );

    let (h, b, v, k, l) = (
        http.clone(),
        base.clone(),
        creds.vendor_key.clone(),
        lic.user_key.clone(),
        lic.license_number.clone(),
    );
    drive(
        "GET /items/v2/active (page of 20)",
        opts.seconds,
        opts.concurrency,
        move |_| {
            let req = h
                .get(format!(
                    "{b}/items/v2/active?licenseNumber={l}&pageNumber=1&pageSize=20"
                ))
                .basic_auth(&v, Some(&k));
            async move { matches!(req.send().await, Ok(r) if r.status().is_success()) }
        },
    )
    .await
    .map(|_| ())?;

    let (h, b, v, k, l) = (
        http.clone(),
        base.clone(),
        creds.vendor_key.clone(),
        lic.user_key.clone(),
        lic.license_number.clone(),
    );
    drive("POST /strains/v2 (1 object = 1 journal entry)", opts.seconds, opts.concurrency, move |n| {
        let body = serde_json::json!([{"Name": format!("Bench strain {n}"), "TestingStatus": "None", "ThcLevel": 0.2}]);
        let req = h.post(format!("{b}/strains/v2?licenseNumber={l}")).basic_auth(&v, Some(&k)).json(&body);
        async move { matches!(req.send().await, Ok(r) if r.status().is_success()) }
    })
    .await
    .map(|_| ())?;

    let (h, b, v, k, l) = (
        http.clone(),
        base.clone(),
        creds.vendor_key.clone(),
        lic.user_key.clone(),
        lic.license_number.clone(),
    );
    drive("POST /items/v2 (10 objects per request)", opts.seconds, opts.concurrency, move |n| {
        let body: Vec<_> = (0..10)
            .map(|i| serde_json::json!({"Name": format!("Bench item {n}-{i}"), "ItemCategory": "Concentrate", "UnitOfMeasure": "Grams"}))
            .collect();
        let req = h.post(format!("{b}/items/v2?licenseNumber={l}")).basic_auth(&v, Some(&k)).json(&body);
        async move { matches!(req.send().await, Ok(r) if r.status().is_success()) }
    })
    .await?;

    if opts.history > 0 {
        let scale = crate::scale::Scale {
            ledger: &ledger_for_scale,
            base: base.clone(),
            vendor_key: creds.vendor_key.clone(),
            lic: lic.clone(),
            http: http.clone(),
            seconds: opts.seconds,
            concurrency: opts.concurrency,
        };
        scale.run(opts.history).await?;
    }

    let t = Instant::now();
    let report = ledger_for_scale
        .verify(&dir.join("verify.db"))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "audit verify: {} entries, {} rows, {} in {:.2} s",
        report.entries,
        report.rows,
        if report.ok() { "ok" } else { "FAILED" },
        t.elapsed().as_secs_f64()
    );

    // Last: it adds history outside the journal, which `audit verify` would rightly refuse.
    if !opts.tier_history.is_empty() {
        crate::tier::TierBench {
            ledger: &ledger_for_scale,
            base: base.clone(),
            vendor_key: creds.vendor_key.clone(),
            lic: lic.clone(),
            http: http.clone(),
            seconds: opts.seconds,
            concurrency: opts.concurrency,
        }
        .run(&opts.tier_history)
        .await?;
    }

    let _ = stop_tx.send(());
    let _ = server.await;
    ledger_for_scale.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("tagtrail-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
