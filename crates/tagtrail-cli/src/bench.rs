//! `tagtrail bench`: throughput and latency of the ledger over loopback, printed as figures,
//! and the headline figures again as ratios to two baselines measured in the same run (a bare
//! axum server serving the same bytes, raw single-row inserts at the same durability; see
//! `baseline.rs`). Nothing here asserts a number; the figures go into the README and issue notes.

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
    /// Times each headline figure and its baseline are measured, alternately (at least 1).
    pub rounds: u32,
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
    let listener = crate::listen::bind("127.0.0.1:0").await?;
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
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "tagtrail bench: {backend} backend, {} s per figure, {} concurrent connections, server and client in one process on loopback",
        opts.seconds, opts.concurrency
    );
    let caller = Caller {
        http: http.clone(),
        base: base.clone(),
        vendor_key: creds.vendor_key.clone(),
        user_key: lic.user_key.clone(),
        license: lic.license_number.clone(),
    };

    let mut ratios = package_reads(&caller, &opts).await?;
    let l = &caller.license;
    drive_get(
        "GET /items/v2/active (page of 20)",
        &caller,
        format!("/items/v2/active?licenseNumber={l}&pageNumber=1&pageSize=20"),
        &opts,
    )
    .await?;
    ratios.push(strain_writes(&caller, &opts, &url, &dir).await?);

    let c = caller.clone();
    drive("POST /items/v2 (10 objects per request)", opts.seconds, opts.concurrency, move |n| {
        let body: Vec<_> = (0..10)
            .map(|i| serde_json::json!({"Name": format!("Bench item {n}-{i}"), "ItemCategory": "Concentrate", "UnitOfMeasure": "Grams"}))
            .collect();
        let req = c.post("/items/v2").json(&body);
        async move { succeeded(req.send().await).await }
    })
    .await?;
    print_ratios(&ratios, backend, &opts);

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

/// The bench's client and credentials, pointed at one server (the ledger or a baseline).
#[derive(Clone)]
struct Caller {
    http: reqwest::Client,
    base: String,
    vendor_key: String,
    user_key: String,
    license: String,
}

impl Caller {
    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.base))
            .basic_auth(&self.vendor_key, Some(&self.user_key))
    }

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!(
                "{}{path}?licenseNumber={}",
                self.base, self.license
            ))
            .basic_auth(&self.vendor_key, Some(&self.user_key))
    }

    /// The same client, connection settings and credentials against another server, so a
    /// baseline's figure differs from the ledger's only by the server.
    fn at(&self, base: &str) -> Caller {
        Caller {
            base: base.to_string(),
            ..self.clone()
        }
    }

    /// One response's bytes, failing on any status but success.
    async fn fetch(&self, path: &str) -> Result<axum::body::Bytes> {
        let resp = self.get(path).send().await?.error_for_status()?;
        Ok(resp.bytes().await?)
    }
}

/// A request counts when it succeeds and its body has been read: reading it is part of what a
/// client pays, and it lets the connection go back to the pool for the next request.
async fn succeeded(resp: reqwest::Result<reqwest::Response>) -> bool {
    match resp {
        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
        _ => false,
    }
}

async fn drive_get(label: &str, caller: &Caller, path: String, opts: &Options) -> Result<Figure> {
    let c = caller.clone();
    drive(label, opts.seconds, opts.concurrency, move |_| {
        let req = c.get(&path);
        async move { succeeded(req.send().await).await }
    })
    .await
}

/// One row of the printed table: a ledger figure beside the limit measured in the same run,
/// once per round, the two alternating so that a drift of the host (another tenant, the disk's
/// mood) falls on both sides of the ratio alike.
struct Ratio {
    figure: &'static str,
    tagtrail: Vec<Figure>,
    baseline: &'static str,
    limit: Vec<Figure>,
    unit: &'static str,
}

impl Ratio {
    /// Each round's ratio of rates, in round order.
    fn per_round(&self) -> Vec<f64> {
        self.tagtrail
            .iter()
            .zip(&self.limit)
            .map(|(t, l)| t.per_second / l.per_second.max(f64::MIN_POSITIVE))
            .collect()
    }
}

/// The middle value (the mean of the middle two for an even count); 0 for none.
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if !n.is_multiple_of(2) => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn round_label(figure: &str, round: u32, rounds: u32) -> String {
    if rounds > 1 {
        format!("{figure} [{}/{rounds}]", round + 1)
    } else {
        figure.to_string()
    }
}

/// The package reads and a bare axum server serving the bytes they returned, driven alike,
/// alternately, `rounds` times each.
async fn package_reads(caller: &Caller, opts: &Options) -> Result<Vec<Ratio>> {
    let l = &caller.license;
    let active_path = format!("/packages/v2/active?licenseNumber={l}&pageNumber=1&pageSize=20");
    let active_body = caller
        .fetch(&active_path)
        .await
        .context("the manufacturer's active packages")?;
    let page: serde_json::Value = serde_json::from_slice(&active_body)?;
    let label = page["Data"][0]["Label"]
        .as_str()
        .context("the demo manufacturer has an active package")?
        .to_string();
    let label_path = format!("/packages/v2/{label}?licenseNumber={l}");
    let label_body = caller.fetch(&label_path).await?;

    let bare = crate::baseline::BareAxum::start(label_body, active_body).await?;
    let bare_caller = caller.at(&bare.base);
    let measured = async {
        let mut ratios = Vec::new();
        for (figure, name, path) in [
            (
                "`GET /packages/v2/{label}`",
                "GET /packages/v2/{label}",
                &label_path,
            ),
            (
                "`GET /packages/v2/active`, page of 20",
                "GET /packages/v2/active (page of 20)",
                &active_path,
            ),
        ] {
            let mut ratio = Ratio {
                figure,
                tagtrail: Vec::new(),
                baseline: "bare axum",
                limit: Vec::new(),
                unit: "req/s",
            };
            for round in 0..opts.rounds {
                let label = round_label(name, round, opts.rounds);
                ratio
                    .tagtrail
                    .push(drive_get(&label, caller, path.clone(), opts).await?);
                let label = round_label(&format!("bare axum: {name}"), round, opts.rounds);
                ratio
                    .limit
                    .push(drive_get(&label, &bare_caller, path.clone(), opts).await?);
            }
            ratios.push(ratio);
        }
        Ok::<_, anyhow::Error>(ratios)
    }
    .await;
    bare.stop().await;
    measured
}

/// Single-object strain writes and raw single-row inserts of a strain's JSON at the same
/// durability, driven alike, alternately, `rounds` times each.
async fn strain_writes(
    caller: &Caller,
    opts: &Options,
    url: &str,
    dir: &std::path::Path,
) -> Result<Ratio> {
    // Every round's names (and the baseline's row ids) are new: a strain's name is unique in
    // its facility, and a round must not spend itself on refusals.
    let first_of = |round: u32| u64::from(round) * 1_000_000_000;
    let post = |round: u32| {
        let c = caller.clone();
        let first = first_of(round);
        let label = round_label(
            "POST /strains/v2 (1 object = 1 journal entry)",
            round,
            opts.rounds,
        );
        async move {
            drive(&label, opts.seconds, opts.concurrency, move |n| {
                let body = serde_json::json!([{"Name": format!("Bench strain {}", first + n), "TestingStatus": "None", "ThcLevel": 0.2}]);
                let req = c.post("/strains/v2").json(&body);
                async move { succeeded(req.send().await).await }
            })
            .await
        }
    };
    // The first round's writes run before the baseline exists: its row is a strain the ledger
    // wrote, read back as the ledger serves it. The later rounds run in the loop below.
    let mut posted = vec![post(0).await?];

    let l = &caller.license;
    let page = caller
        .fetch(&format!(
            "/strains/v2/active?licenseNumber={l}&pageNumber=1&pageSize=1"
        ))
        .await?;
    let page: serde_json::Value = serde_json::from_slice(&page)?;
    let row = crate::baseline::Row {
        license_number: l.clone(),
        data: serde_json::to_string(&page["Data"][0])?,
    };
    let raw = if url.starts_with("postgres") {
        crate::baseline::RawInsert::postgres(url).await?
    } else if opts.database_url.is_some() {
        crate::baseline::RawInsert::sqlite(&crate::baseline::scratch_beside(url)).await?
    } else {
        crate::baseline::RawInsert::sqlite(&dir.join("raw-insert.db")).await?
    };
    let name = raw.name();
    let raw = Arc::new((raw, row));
    let measured = async {
        let mut limit = Vec::new();
        for round in 0..opts.rounds {
            if round > 0 {
                posted.push(post(round).await?);
            }
            let r = raw.clone();
            let first = first_of(round);
            limit.push(
                drive(
                    &round_label("raw insert: 1 row per transaction", round, opts.rounds),
                    opts.seconds,
                    opts.concurrency,
                    move |n| {
                        let r = r.clone();
                        async move { r.0.insert(first + n, &r.1).await }
                    },
                )
                .await?,
            );
        }
        Ok::<_, anyhow::Error>(limit)
    }
    .await;
    if let Ok((raw, _)) = Arc::try_unwrap(raw) {
        raw.remove().await;
    }
    Ok(Ratio {
        figure: "`POST /strains/v2`, 1 object = 1 entry",
        tagtrail: posted,
        baseline: name,
        limit: measured?,
        unit: "tx/s",
    })
}

/// The table for the README: every figure beside its same-run limit, as a ratio of rates.
fn print_ratios(rows: &[Ratio], backend: &str, opts: &Options) {
    let history = if opts.history > 0 {
        format!(
            "history 0 packages beyond the demo's (the --history {} phases follow this table)",
            opts.history
        )
    } else {
        "history 0 packages beyond the demo's".to_string()
    };
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "\n== tagtrail beside its baselines, measured in this run: {backend}, {history}, {} connections, {} s per figure, {} rounds (each figure then its baseline; rates are medians), {build} build",
        opts.concurrency, opts.seconds, opts.rounds
    );
    println!(
        "| figure | tagtrail req/s, p50 | baseline req/s, p50 | ratio (tagtrail rate / baseline rate) |"
    );
    println!("|---|---|---|---|");
    let rates =
        |figures: &[Figure]| median(&figures.iter().map(|f| f.per_second).collect::<Vec<_>>());
    let p50s = |figures: &[Figure]| median(&figures.iter().map(|f| f.p50_ms).collect::<Vec<_>>());
    for r in rows {
        let rounds = r.per_round();
        let each = if rounds.len() > 1 {
            let listed: Vec<String> = rounds.iter().map(|x| format!("{x:.2}")).collect();
            format!(" (median of rounds {})", listed.join(", "))
        } else {
            String::new()
        };
        println!(
            "| {} | {:.0} req/s, p50 {:.2} ms | {} {:.0} {}, p50 {:.2} ms | {:.2}{each} |",
            r.figure,
            rates(&r.tagtrail),
            p50s(&r.tagtrail),
            r.baseline,
            rates(&r.limit),
            r.unit,
            p50s(&r.limit),
            median(&rounds),
        );
    }
    println!();
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_of_rounds_is_the_middle_one_or_the_mean_of_the_middle_two() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[0.5]), 0.5);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
