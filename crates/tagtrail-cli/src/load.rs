//! `tagtrail load`: a load model of California at 1/10 scale (issue 14), run against one ledger
//! node or two, printing throughput, latency and errors per minute and in all. It asserts
//! nothing; the figures go into the README.
//!
//! **What it models.** California has about 7,400 licenses whose integrators make about 77.76M
//! Metrc calls a day, some 95 % of them GETs, with a daily peak of five times the average. At
//! 1/10 scale that is 740 licenses (`--licenses`) and 7.776M calls a day: 90 requests a second
//! on average and 450 at the peak, which is the default `--rate`. The run lasts `--minutes`
//! (10 by default) at that rate.
//!
//! - **Licensees.** Licenses are ranked, and the `r`th (from 1) makes calls in proportion to
//!   `1/r^s` (Zipf, `--skew` s = 1 by default): with 740 licenses the busiest makes about 14 %
//!   of all calls and the top tenth about two thirds, as a few large licensees do. Their types
//!   follow the state's rough mix: half cultivators, a fifth retailers, 15 % distributors, 14 %
//!   manufacturers, 1 % testing laboratories, interleaved so that big and small licensees of
//!   every type exist.
//! - **Integrators.** One vendor key for every `--licenses-per-integrator` (20) licenses, the
//!   licenses dealt round-robin (license `i` to integrator `i mod k`), so every integrator has a
//!   large client and many small ones. Each integrator is its own HTTP client with its own
//!   connection pool and its own loopback address (127.0.1.x), as separate companies' servers
//!   would be; each license calls with its own employee's user key.
//! - **Calls.** Arrivals are a Poisson process at `--rate` (exponential gaps from a seeded
//!   generator), each for a license drawn by the skew and an endpoint drawn by the mix below.
//!   GETs (95 %): the active packages changed in the last hour (`lastModifiedStart/End`, page 1
//!   of 20), one package by label, incoming and outgoing transfers, active items and strains,
//!   and for cultivators vegetative and flowering plants and active harvests. Writes
//!   (`--write-percent`, 5 %): package adjustments (−0.001 g, `Scale Variance`), new packages
//!   made from a seeded package (1 g, on a tag received for the run), new items and new strains,
//!   each one object per request, so one journal entry each. A laboratory makes no packages; its
//!   package writes are adjustments.
//! - **Data.** Each license is seeded through the application layer, not HTTP (as `tagtrail
//!   demo` and `bench --history` do): its account manager with an API key, an item, a strain, a
//!   location, package tags ordered, shipped and received for the package writes it is expected
//!   to make (1.5× and two more), and active packages (`--packages` on average, 40: ten each
//!   plus the rest shared by the skew, so the busiest licensee holds thousands) imported in
//!   batches of 1,000 through the operator's bulk import. Plants, harvests and transfers are not
//!   seeded: those GETs answer empty pages, which still cost authentication, the limiter and a
//!   query.
//! - **Limits.** A state sizes its limits for its integrators' real traffic, so the GET limits
//!   are raised to twice the busiest facility's and the busiest vendor key's share of the peak
//!   (never below the defaults, 50/s and 150/s), and the concurrency limits to half a second of
//!   that rate. A 429 is still counted, on its own.
//!
//! **Targets.** One node: a fresh SQLite file in a temporary directory (`TMPDIR`), or with
//! `--postgres-admin-url` a fresh PostgreSQL database (left in place, its name printed), or
//! `--database-url`. `--nodes 2` (PostgreSQL only): a second ledger server on the same
//! database, opened as `tagtrail serve` would be, both with rate limits shared in the database
//! (`Config::shared_rate_limits`); the client sends requests to the two nodes in turn
//! (client-side round robin, as a load balancer would). Both nodes, the seeding and the client
//! share one process and the same cores: the servers on the command's runtime, the client on a
//! runtime of its own with one worker.
//!
//! **How to read it.** The model is open-loop: each request is sent when it is due whatever
//! the earlier ones are doing, and its latency runs from when it was due until its whole answer
//! was read, so a server that stalls shows it in the latency instead of slowing the offered
//! load. A row per minute (by when requests were due) and a total: the offered rate, the
//! achieved throughput (2xx answers a second), p50/p99/max for GETs and writes apart, and the
//! answers that were not 2xx: 429s, other statuses, timeouts (`--timeout-seconds`, 10) and
//! connection failures. Then the same per endpoint, a sample answer of each kind of error, and
//! the database's size.

use anyhow::{Context, Result, anyhow};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tagtrail_app::actions::import::ImportPackages;
use tagtrail_app::actions::people::{
    self, IssueVendorKey, LicenseApplication, NewEmployee, TrainingRecord,
};
use tagtrail_app::actions::tags::{Order, Receive, Ship};
use tagtrail_app::actions::{items, locations, strains};
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_app::{Acting, Config, Door, Ledger, RateLimits, Scope};
use tagtrail_domain::commands::catalog::{ItemSpec, StrainSpec};
use tagtrail_domain::commands::import::ImportedPackage;
use tagtrail_domain::commands::people::FacilitySpec;
use tagtrail_domain::commands::premises::LocationSpec;
use tagtrail_domain::commands::tags::OrderSpec;
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::records::{LicenseKind, Tag};
use tagtrail_domain::tag::TagLabel;
use tokio::time::Instant;

/// Packages per import (one journal entry each), as `bench --history` imports them.
const IMPORT_BATCH: usize = 1_000;
/// Most package tags in one order (the default of rule 12).
const TAGS_PER_ORDER: u32 = 5_000;
/// Where a package write takes from and to: each seeded package starts with this many grams.
const PACKAGE_GRAMS: i64 = 1_000;
/// The location every license's packages are in.
const LOCATION: &str = "Load Vault";
/// The strain every license has.
const STRAIN: &str = "Load Kush";
/// The window of the active-packages poll: what changed in the last hour.
const POLL_WINDOW: chrono::TimeDelta = chrono::TimeDelta::hours(1);

#[derive(clap::Args)]
pub struct Options {
    /// Use this database (default: a fresh SQLite file in a temporary directory).
    #[arg(long)]
    database_url: Option<String>,
    /// Create a fresh PostgreSQL database on this server for the run (it is left in place).
    #[arg(long)]
    postgres_admin_url: Option<String>,
    /// Name prefix of the database created with --postgres-admin-url.
    #[arg(long, default_value = "tagtrail_load")]
    database_prefix: String,
    /// Ledger servers on the database: 1, or 2 (PostgreSQL only; requests alternate).
    #[arg(long, default_value_t = 1)]
    nodes: usize,
    /// Requests per second offered (open loop, Poisson arrivals); 450 is the 1/10 model's peak.
    #[arg(long, default_value_t = 450.0)]
    rate: f64,
    /// Minutes the load runs.
    #[arg(long, default_value_t = 10.0)]
    minutes: f64,
    /// Licenses in the model (1/10 of California's 7,400).
    #[arg(long, default_value_t = 740)]
    licenses: usize,
    /// Licenses per integrator (vendor key).
    #[arg(long, default_value_t = 20)]
    licenses_per_integrator: usize,
    /// Active packages seeded per license on average (skewed like the calls, at least 10 each).
    #[arg(long, default_value_t = 40)]
    packages: usize,
    /// Zipf exponent of the calls over licenses (0: all alike).
    #[arg(long, default_value_t = 1.0)]
    skew: f64,
    /// Share of calls that are writes, in percent.
    #[arg(long, default_value_t = 5.0)]
    write_percent: f64,
    /// Seed of the arrivals and the picks (the same seed gives the same calls).
    #[arg(long, default_value_t = 14)]
    seed: u64,
    /// Longest a request may take before it counts as a timeout.
    #[arg(long, default_value_t = 10)]
    timeout_seconds: u64,
}

// ---- the model -------------------------------------------------------------------------------

/// What one call asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Call {
    ActivePackages,
    PackageByLabel,
    TransfersIncoming,
    TransfersOutgoing,
    ActiveItems,
    ActiveStrains,
    VegetativePlants,
    FloweringPlants,
    ActiveHarvests,
    AdjustPackage,
    CreatePackage,
    CreateItem,
    CreateStrain,
}

impl Call {
    const ALL: [Call; 13] = [
        Call::ActivePackages,
        Call::PackageByLabel,
        Call::TransfersIncoming,
        Call::TransfersOutgoing,
        Call::ActiveItems,
        Call::ActiveStrains,
        Call::VegetativePlants,
        Call::FloweringPlants,
        Call::ActiveHarvests,
        Call::AdjustPackage,
        Call::CreatePackage,
        Call::CreateItem,
        Call::CreateStrain,
    ];

    fn is_write(self) -> bool {
        matches!(
            self,
            Call::AdjustPackage | Call::CreatePackage | Call::CreateItem | Call::CreateStrain
        )
    }

    fn label(self) -> &'static str {
        match self {
            Call::ActivePackages => "GET /packages/v2/active (last hour, page of 20)",
            Call::PackageByLabel => "GET /packages/v2/{label}",
            Call::TransfersIncoming => "GET /transfers/v2/incoming",
            Call::TransfersOutgoing => "GET /transfers/v2/outgoing",
            Call::ActiveItems => "GET /items/v2/active",
            Call::ActiveStrains => "GET /strains/v2/active",
            Call::VegetativePlants => "GET /plants/v2/vegetative",
            Call::FloweringPlants => "GET /plants/v2/flowering",
            Call::ActiveHarvests => "GET /harvests/v2/active",
            Call::AdjustPackage => "POST /packages/v2/adjust",
            Call::CreatePackage => "POST /packages/v2 (from a package)",
            Call::CreateItem => "POST /items/v2",
            Call::CreateStrain => "POST /strains/v2",
        }
    }
}

/// The GETs of a license that grows plants, by weight.
const CULTIVATOR_GETS: &[(Call, u32)] = &[
    (Call::ActivePackages, 30),
    (Call::PackageByLabel, 20),
    (Call::TransfersIncoming, 8),
    (Call::TransfersOutgoing, 8),
    (Call::ActiveItems, 8),
    (Call::ActiveStrains, 4),
    (Call::VegetativePlants, 8),
    (Call::FloweringPlants, 8),
    (Call::ActiveHarvests, 6),
];

/// The GETs of every other license, by weight.
const OTHER_GETS: &[(Call, u32)] = &[
    (Call::ActivePackages, 35),
    (Call::PackageByLabel, 25),
    (Call::TransfersIncoming, 14),
    (Call::TransfersOutgoing, 12),
    (Call::ActiveItems, 10),
    (Call::ActiveStrains, 4),
];

/// The writes, by weight.
const WRITES: &[(Call, u32)] = &[
    (Call::AdjustPackage, 40),
    (Call::CreatePackage, 25),
    (Call::CreateItem, 15),
    (Call::CreateStrain, 20),
];

/// A license's type by its rank: the state's rough mix (half cultivators, a fifth retailers,
/// 15 % distributors, 14 % manufacturers, 1 % laboratories), interleaved over the ranks.
fn kind_of(rank: usize) -> LicenseType {
    use LicenseType::*;
    const PATTERN: [LicenseType; 20] = [
        Distributor,
        Retailer,
        Cultivator,
        Manufacturer,
        Cultivator,
        Retailer,
        Cultivator,
        Distributor,
        Cultivator,
        Retailer,
        Cultivator,
        Manufacturer,
        Cultivator,
        Cultivator,
        Retailer,
        Cultivator,
        Distributor,
        Cultivator,
        Manufacturer,
        Cultivator,
    ];
    if rank % 100 == 99 {
        TestingLab
    } else {
        PATTERN[rank % PATTERN.len()]
    }
}

/// Who calls how much, and what: the model's pure part (no I/O), so that it can be tested.
struct Model {
    /// Share of all calls made by each license (sums to 1), busiest first.
    weights: Vec<f64>,
    /// Running sums of `weights`, for drawing a license.
    cumulative: Vec<f64>,
    kinds: Vec<LicenseType>,
    integrators: usize,
    write_fraction: f64,
}

impl Model {
    fn new(licenses: usize, per_integrator: usize, skew: f64, write_percent: f64) -> Model {
        let raw: Vec<f64> = (1..=licenses.max(1))
            .map(|r| 1.0 / (r as f64).powf(skew))
            .collect();
        let sum: f64 = raw.iter().sum();
        let weights: Vec<f64> = raw.iter().map(|w| w / sum).collect();
        let mut acc = 0.0;
        let cumulative = weights
            .iter()
            .map(|w| {
                acc += w;
                acc
            })
            .collect();
        Model {
            kinds: (0..weights.len()).map(kind_of).collect(),
            integrators: weights.len().div_ceil(per_integrator.max(1)),
            weights,
            cumulative,
            write_fraction: (write_percent / 100.0).clamp(0.0, 1.0),
        }
    }

    fn integrator_of(&self, license: usize) -> usize {
        license % self.integrators
    }

    /// The license making the next call.
    fn pick_license(&self, rng: &mut impl Rng) -> usize {
        let x: f64 = rng.r#gen();
        self.cumulative
            .partition_point(|c| *c < x)
            .min(self.weights.len() - 1)
    }

    /// What the next call of `license` asks.
    fn pick_call(&self, license: usize, rng: &mut impl Rng) -> Call {
        let kind = self.kinds[license];
        let table = if rng.r#gen::<f64>() < self.write_fraction {
            WRITES
        } else if kind == LicenseType::Cultivator {
            CULTIVATOR_GETS
        } else {
            OTHER_GETS
        };
        let total: u32 = table.iter().map(|(_, w)| w).sum();
        let mut x = rng.gen_range(0..total);
        let mut call = table[0].0;
        for (c, w) in table {
            if x < *w {
                call = *c;
                break;
            }
            x -= w;
        }
        // A laboratory makes no packages of its own here: it adjusts instead.
        if call == Call::CreatePackage && kind == LicenseType::TestingLab {
            Call::AdjustPackage
        } else {
            call
        }
    }

    /// Package writes `license` is expected to make in `calls` calls.
    fn expected_creates(&self, license: usize, calls: f64) -> f64 {
        let create_share = WRITES
            .iter()
            .find(|(c, _)| *c == Call::CreatePackage)
            .map_or(0.0, |(_, w)| f64::from(*w))
            / f64::from(WRITES.iter().map(|(_, w)| w).sum::<u32>());
        calls * self.weights[license] * self.write_fraction * create_share
    }

    /// Active packages seeded at `license`: ten each, the rest of `average × licenses` shared
    /// out by the skew.
    fn packages_of(&self, license: usize, average: usize) -> usize {
        let floor = average.min(10);
        let rest = (average - floor) * self.weights.len();
        floor + (rest as f64 * self.weights[license]).round() as usize
    }

    /// GETs a second of the busiest license and of the busiest integrator at `rate`.
    fn busiest(&self, rate: f64) -> (f64, f64) {
        let gets = rate * (1.0 - self.write_fraction);
        let facility = self.weights.first().copied().unwrap_or(0.0) * gets;
        let mut per_key = vec![0.0; self.integrators];
        for (i, w) in self.weights.iter().enumerate() {
            per_key[self.integrator_of(i)] += w;
        }
        let key = per_key.iter().copied().fold(0.0, f64::max) * gets;
        (facility, key)
    }
}

/// The GET limits a state would set for this traffic: twice the busiest facility's and vendor
/// key's share of the peak, never below the defaults, and half a second of that in flight.
fn limits_for(model: &Model, rate: f64) -> RateLimits {
    let d = RateLimits::default();
    let (facility, key) = model.busiest(rate);
    let per_facility = d
        .per_facility_per_second
        .max((2.0 * facility).ceil() as u32);
    let per_key = d.per_vendor_key_per_second.max((2.0 * key).ceil() as u32);
    RateLimits {
        per_facility_per_second: per_facility,
        per_vendor_key_per_second: per_key,
        concurrent_per_facility: d.concurrent_per_facility.max(per_facility / 2),
        concurrent_per_vendor_key: d.concurrent_per_vendor_key.max(per_key / 2),
    }
}

// ---- seeding ---------------------------------------------------------------------------------

/// One seeded license, as its integrator's client sees it.
struct License {
    number: String,
    kind: LicenseType,
    user_key: String,
    integrator: usize,
    item: &'static str,
    /// Its seeded active packages (what GET by label, adjustments and new packages use).
    labels: Vec<String>,
    /// Received package tags not used yet.
    tags: Mutex<Vec<String>>,
    /// Numbers the names of new items and strains.
    made: AtomicU64,
}

fn license_number(rank: usize, kind: LicenseType) -> String {
    let n = 9_000_000 + rank;
    match kind {
        LicenseType::Cultivator => format!("CCL26-{n:07}"),
        LicenseType::Manufacturer => format!("CDPH-1{n:07}"),
        LicenseType::Distributor => format!("C11-{n:07}-LIC"),
        LicenseType::TestingLab => format!("C8-{n:07}-LIC"),
        LicenseType::Retailer => format!("C10-{n:07}-LIC"),
    }
}

fn door(what: &str) -> Door {
    Door::operator("tagtrail load", json!({ "Seeding": what })).because(Some(what))
}

fn app_err(e: tagtrail_app::AppError) -> anyhow::Error {
    anyhow!("{e}")
}

/// Seeds license `rank`: its account manager and key, catalog, tags and packages.
async fn seed_license(
    ledger: &Ledger,
    model: &Model,
    rank: usize,
    packages: usize,
    tags: u32,
) -> Result<License> {
    let operator = Acting::operator("load");
    let kind = model.kinds[rank];
    let number = license_number(rank, kind);
    let username = format!("load{rank}");
    let (_, user) = ledger
        .run_system::<people::CreateEmployee>(
            &operator,
            door("Create an account manager"),
            &NewEmployee {
                username: username.clone(),
                full_name: format!("Account Manager {rank}"),
                employee_license_number: format!("EMP-L{rank:06}"),
                password: None,
            },
        )
        .await
        .map_err(app_err)?;
    let application = LicenseApplication {
        facility: FacilitySpec {
            license_number: number.clone(),
            license_type: kind,
            name: format!("Load Model Licensee {rank}"),
            address: Some(format!("{} Main St, Sacramento, CA 95814", rank + 1)),
            license_start_date: "2026-01-01".into(),
            license_end_date: "2026-12-31".into(),
        },
        kind: LicenseKind::Annual,
        account_manager: Some(user.username.clone()),
    };
    ledger
        .run_system::<people::IssueLicense>(&operator, door("Issue a license"), &application)
        .await
        .map_err(app_err)?;
    let training = TrainingRecord {
        license_number: number.clone(),
        completed: None,
    };
    ledger
        .run_system::<people::RecordTraining>(&operator, door("Training done"), &training)
        .await
        .map_err(app_err)?;
    let (_, key) = ledger
        .run_system::<people::IssueUserKey>(&operator, door("Issue an API key"), &username)
        .await
        .map_err(app_err)?;
    let who = ledger
        .on_behalf_of(&operator, &username)
        .await
        .map_err(app_err)?;
    let scope = ledger
        .authorize(&who, &number, &[])
        .await
        .map_err(app_err)?;
    let operator_scope = ledger
        .authorize(&operator, &number, &[])
        .await
        .map_err(app_err)?;
    let strain = vec![StrainSpec {
        name: Some(STRAIN.into()),
        testing_status: Some("ThirdParty".into()),
        thc_level: Some(Decimal::new(2100, 4)),
        ..Default::default()
    }];
    ledger
        .run::<strains::Create>(&scope, door("A strain"), &strain)
        .await
        .map_err(app_err)?;
    let (item, category, item_strain) = item_of(kind);
    let item_spec = vec![ItemSpec {
        name: Some(item.into()),
        category: Some(category.into()),
        unit_of_measure: Some("Grams".into()),
        strain: item_strain.map(str::to_string),
        ..Default::default()
    }];
    ledger
        .run::<items::Create>(&scope, door("An item"), &item_spec)
        .await
        .map_err(app_err)?;
    let location = vec![LocationSpec {
        id: None,
        name: Some(LOCATION.into()),
        location_type_name: Some("Storage".into()),
    }];
    ledger
        .run::<locations::Create>(&scope, door("A location"), &location)
        .await
        .map_err(app_err)?;
    let tags = receive_tags(ledger, &scope, &operator, tags).await?;
    let labels = import_packages(ledger, &operator_scope, item, packages).await?;
    Ok(License {
        number,
        kind,
        user_key: key.key,
        integrator: model.integrator_of(rank),
        item,
        labels,
        tags: Mutex::new(tags),
        made: AtomicU64::new(0),
    })
}

/// The item a license of `kind` keeps: its name, category and strain.
fn item_of(kind: LicenseType) -> (&'static str, &'static str, Option<&'static str>) {
    if kind == LicenseType::Cultivator {
        ("Load Flower", "Buds", Some(STRAIN))
    } else {
        ("Load Distillate", "Concentrate", None)
    }
}

/// Orders, ships and receives `count` package tags for the license; their labels.
async fn receive_tags(
    ledger: &Ledger,
    scope: &Scope,
    operator: &Acting,
    count: u32,
) -> Result<Vec<String>> {
    let mut left = count;
    while left > 0 {
        let n = left.min(TAGS_PER_ORDER);
        let spec = vec![OrderSpec {
            plant_tags: None,
            package_tags: Some(i64::from(n)),
        }];
        let w = ledger
            .run::<Order>(scope, door("Order package tags"), &spec)
            .await
            .map_err(app_err)?;
        for id in &w.ids {
            ledger
                .run_system::<Ship>(operator, door("Ship package tags"), id)
                .await
                .map_err(app_err)?;
        }
        let ids: Vec<Option<i64>> = w.ids.iter().map(|id| Some(*id)).collect();
        ledger
            .run::<Receive>(scope, door("Receive package tags"), &ids)
            .await
            .map_err(app_err)?;
        left -= n;
    }
    if count == 0 {
        return Ok(Vec::new());
    }
    let q = ListQuery {
        active: Some(true),
        ..Default::default()
    }
    .with(Column::Kind, ["Package"])
    .with(Column::Status, ["Received"]);
    let tags = ledger.list::<Tag>(scope, q).await.map_err(app_err)?;
    Ok(tags.rows.iter().map(|t| t.label.to_string()).collect())
}

/// Imports `count` active packages of `item` (1 kg each, tested) at the license, in batches of
/// [`IMPORT_BATCH`]; their labels.
async fn import_packages(
    ledger: &Ledger,
    operator_scope: &Scope,
    item: &str,
    count: usize,
) -> Result<Vec<String>> {
    let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let mut labels = Vec::with_capacity(count);
    let mut made = 0;
    while made < count {
        let n = IMPORT_BATCH.min(count - made);
        // A fresh random batch number keeps labels unique ledger-wide.
        let batch: u64 = rand::random();
        let packages: Vec<ImportedPackage> = (0..n)
            .map(|i| ImportedPackage {
                label: TagLabel::issue(batch, i as u32 + 1).to_string(),
                item: item.to_string(),
                quantity: Decimal::new(PACKAGE_GRAMS, 0),
                original_quantity: Decimal::new(PACKAGE_GRAMS, 0),
                finished: false,
                lab_testing_state: LabState::TestPassed,
                packaged_date: day.clone(),
                source: None,
                location: Some(LOCATION.into()),
                adjustment: None,
                lab_result: None,
            })
            .collect();
        let file = serde_json::to_vec(&packages)?;
        let door = Door::import(
            "tagtrail load",
            json!({
                "File": format!("load-model-{batch:016x}.json"),
                "Sha256": hex::encode(Sha256::digest(&file)),
                "Packages": n,
            }),
        )
        .because(Some("Active packages for the load model"));
        ledger
            .run::<ImportPackages>(operator_scope, door, &packages)
            .await
            .map_err(app_err)?;
        labels.extend(packages.into_iter().map(|p| p.label));
        made += n;
    }
    Ok(labels)
}

/// A vendor key for integrator `n`, issued by the operator.
async fn issue_vendor_key(ledger: &Ledger, n: usize) -> Result<String> {
    let name = format!("Load Model Integrator {n}");
    let door = Door::operator("tagtrail load", json!({ "Name": name }))
        .because(Some("An integrator of the load model"));
    let (_, k) = ledger
        .run_system::<IssueVendorKey>(&Acting::operator("load"), door, &name)
        .await
        .map_err(app_err)?;
    Ok(k.key)
}

// ---- measuring -------------------------------------------------------------------------------

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Status(u16),
    Timeout,
    Failed,
}

/// What was seen of the requests due in one stretch of time (a minute, or one endpoint).
#[derive(Default, Clone)]
struct Tally {
    /// Latencies in microseconds, from due to the answer read.
    gets: Vec<u32>,
    writes: Vec<u32>,
    ok: u64,
    limited: u64,
    /// Other non-2xx statuses, by status.
    statuses: BTreeMap<u16, u64>,
    timeouts: u64,
    failed: u64,
}

impl Tally {
    fn add(&mut self, write: bool, latency: Duration, outcome: Outcome) {
        let us = latency.as_micros().min(u128::from(u32::MAX)) as u32;
        if write {
            self.writes.push(us)
        } else {
            self.gets.push(us)
        }
        match outcome {
            Outcome::Status(200..=299) => self.ok += 1,
            Outcome::Status(429) => self.limited += 1,
            Outcome::Status(s) => *self.statuses.entry(s).or_default() += 1,
            Outcome::Timeout => self.timeouts += 1,
            Outcome::Failed => self.failed += 1,
        }
    }

    fn merge(&mut self, other: &Tally) {
        self.gets.extend(&other.gets);
        self.writes.extend(&other.writes);
        self.ok += other.ok;
        self.limited += other.limited;
        for (s, n) in &other.statuses {
            *self.statuses.entry(*s).or_default() += n;
        }
        self.timeouts += other.timeouts;
        self.failed += other.failed;
    }

    fn total(&self) -> u64 {
        (self.gets.len() + self.writes.len()) as u64
    }

    fn other_statuses(&self) -> u64 {
        self.statuses.values().sum()
    }
}

/// p50, p99 and the maximum of `us` (microseconds), in milliseconds.
fn percentiles(us: &[u32]) -> (f64, f64, f64) {
    if us.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mut sorted = us.to_vec();
    sorted.sort_unstable();
    let at = |p: f64| {
        let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        f64::from(sorted[idx.min(sorted.len() - 1)]) / 1e3
    };
    (at(0.50), at(0.99), at(1.0))
}

/// Everything the run records, shared by the request tasks.
#[derive(Default)]
struct Record {
    /// By minute of when requests were due.
    minutes: Vec<Tally>,
    by_call: BTreeMap<Call, Tally>,
    /// The first answer body of each endpoint and kind of error, to show what went wrong.
    samples: BTreeMap<(Call, Outcome), String>,
}

/// The run's clients: one per integrator, each with its vendor key, pool and address.
struct Clients {
    http: Vec<reqwest::Client>,
    vendor_keys: Vec<String>,
    bases: Vec<String>,
}

/// Integrator `n`'s own loopback address: 127.0.1.1, 127.0.1.2, … (never 127.0.0.1).
fn integrator_address(n: usize) -> IpAddr {
    let c = 1 + (n % 254) as u8;
    let b = 1 + ((n / 254) % 255) as u8;
    IpAddr::V4(Ipv4Addr::new(127, b, 0, c))
}

impl Clients {
    fn new(vendor_keys: Vec<String>, bases: Vec<String>, timeout: Duration) -> Result<Clients> {
        let http = (0..vendor_keys.len())
            .map(|n| {
                reqwest::Client::builder()
                    .local_address(integrator_address(n))
                    .timeout(timeout)
                    // Idle connections are dropped before the server's idle timeout (10 s)
                    // closes them, so no request is sent on a connection being closed.
                    .pool_idle_timeout(Duration::from_secs(5))
                    .build()
            })
            .collect::<reqwest::Result<Vec<_>>>()?;
        Ok(Clients {
            http,
            vendor_keys,
            bases,
        })
    }

    /// The request for call `call` of `lic`, to node `node`.
    fn request(
        &self,
        lic: &License,
        call: Call,
        node: usize,
        rng: &mut impl Rng,
    ) -> reqwest::RequestBuilder {
        let base = &self.bases[node % self.bases.len()];
        let http = &self.http[lic.integrator];
        let l = &lic.number;
        let page = "pageNumber=1&pageSize=20";
        let any_label = |rng: &mut dyn rand::RngCore| {
            lic.labels
                .get(rng.gen_range(0..lic.labels.len().max(1)))
                .cloned()
                .unwrap_or_default()
        };
        let req = match call {
            Call::ActivePackages => {
                let now = chrono::Utc::now();
                let iso = |t: chrono::DateTime<chrono::Utc>| {
                    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                };
                http.get(format!(
                    "{base}/packages/v2/active?licenseNumber={l}&{page}&lastModifiedStart={}&lastModifiedEnd={}",
                    iso(now - POLL_WINDOW),
                    iso(now)
                ))
            }
            Call::PackageByLabel => http.get(format!(
                "{base}/packages/v2/{}?licenseNumber={l}",
                any_label(rng)
            )),
            Call::TransfersIncoming => http.get(format!(
                "{base}/transfers/v2/incoming?licenseNumber={l}&{page}"
            )),
            Call::TransfersOutgoing => http.get(format!(
                "{base}/transfers/v2/outgoing?licenseNumber={l}&{page}"
            )),
            Call::ActiveItems => {
                http.get(format!("{base}/items/v2/active?licenseNumber={l}&{page}"))
            }
            Call::ActiveStrains => {
                http.get(format!("{base}/strains/v2/active?licenseNumber={l}&{page}"))
            }
            Call::VegetativePlants => http.get(format!(
                "{base}/plants/v2/vegetative?licenseNumber={l}&{page}"
            )),
            Call::FloweringPlants => http.get(format!(
                "{base}/plants/v2/flowering?licenseNumber={l}&{page}"
            )),
            Call::ActiveHarvests => http.get(format!(
                "{base}/harvests/v2/active?licenseNumber={l}&{page}"
            )),
            Call::AdjustPackage => http
                .post(format!("{base}/packages/v2/adjust?licenseNumber={l}"))
                .json(&json!([{
                    "Label": any_label(rng),
                    "Quantity": -0.001,
                    "UnitOfMeasure": "Grams",
                    "AdjustmentReason": "Scale Variance",
                }])),
            Call::CreatePackage => {
                let tag = lic.tags.lock().ok().and_then(|mut t| t.pop());
                match tag {
                    Some(tag) => http
                        .post(format!("{base}/packages/v2?licenseNumber={l}"))
                        .json(&json!([{
                            "Tag": tag,
                            "Location": LOCATION,
                            "Item": lic.item,
                            "Quantity": 1,
                            "UnitOfMeasure": "Grams",
                            "Ingredients": [{
                                "Package": any_label(rng),
                                "Quantity": 1,
                                "UnitOfMeasure": "Grams",
                            }],
                        }])),
                    // Out of tags (more creates than expected): an adjustment instead.
                    None => return self.request(lic, Call::AdjustPackage, node, rng),
                }
            }
            Call::CreateItem => {
                let n = lic.made.fetch_add(1, Ordering::Relaxed);
                let (_, category, strain) = item_of(lic.kind);
                let mut item = json!({
                    "Name": format!("Load item {n}"),
                    "ItemCategory": category,
                    "UnitOfMeasure": "Grams",
                });
                if let Some(s) = strain {
                    item["Strain"] = Value::from(s);
                }
                http.post(format!("{base}/items/v2?licenseNumber={l}"))
                    .json(&json!([item]))
            }
            Call::CreateStrain => {
                let n = lic.made.fetch_add(1, Ordering::Relaxed);
                http.post(format!("{base}/strains/v2?licenseNumber={l}"))
                    .json(&json!([{
                        "Name": format!("Load strain {n}"),
                        "TestingStatus": "None",
                        "ThcLevel": 0.2,
                    }]))
            }
        };
        req.basic_auth(&self.vendor_keys[lic.integrator], Some(&lic.user_key))
    }
}

/// Sends one request and reads its whole answer: the outcome and, for an error, the body.
async fn send(req: reqwest::RequestBuilder) -> (Outcome, Option<String>) {
    let kind = |e: &reqwest::Error| {
        if e.is_timeout() {
            Outcome::Timeout
        } else {
            Outcome::Failed
        }
    };
    match req.send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            match r.bytes().await {
                Ok(_) if (200..300).contains(&status) => (Outcome::Status(status), None),
                Ok(b) => (
                    Outcome::Status(status),
                    Some(String::from_utf8_lossy(&b[..b.len().min(300)]).into_owned()),
                ),
                Err(e) => (kind(&e), Some(chain(&e))),
            }
        }
        Err(e) => (kind(&e), Some(chain(&e))),
    }
}

/// An error with its causes ("error sending request" alone says nothing of why).
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// The load: open loop, each request sent when due and timed from then. Returns the record.
async fn drive(
    model: Arc<Model>,
    licenses: Arc<Vec<License>>,
    clients: Arc<Clients>,
    opts: RunShape,
) -> Record {
    let minutes = opts.seconds.div_ceil(60).max(1) as usize;
    let record = Arc::new(Mutex::new(Record {
        minutes: vec![Tally::default(); minutes],
        ..Default::default()
    }));
    let in_flight = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let end = start + Duration::from_secs(opts.seconds);
    // A row per minute, printed once every request due in it has had its time.
    let reporter = {
        let record = record.clone();
        let timeout = opts.timeout;
        tokio::spawn(async move {
            print_minute_header();
            for m in 0..minutes {
                let minute_end = (start + Duration::from_secs(60 * (m as u64 + 1))).min(end);
                tokio::time::sleep_until(minute_end + timeout + Duration::from_secs(1)).await;
                let secs =
                    (minute_end - (start + Duration::from_secs(60 * m as u64))).as_secs_f64();
                if let Ok(r) = record.lock() {
                    print_row(&format!("{}", m + 1), &r.minutes[m], secs);
                }
            }
        })
    };
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let mut due = start;
    let mut n: usize = 0;
    loop {
        // Poisson arrivals: exponential gaps at the offered rate.
        let u: f64 = rng.r#gen::<f64>().max(f64::MIN_POSITIVE);
        due += Duration::from_secs_f64(-u.ln() / opts.rate);
        if due >= end {
            break;
        }
        let lic_index = model.pick_license(&mut rng);
        let call = model.pick_call(lic_index, &mut rng);
        let req = clients.request(&licenses[lic_index], call, n, &mut rng);
        n += 1;
        if due > Instant::now() {
            tokio::time::sleep_until(due).await;
        }
        let minute = ((due - start).as_secs() / 60) as usize;
        let (record, in_flight) = (record.clone(), in_flight.clone());
        in_flight.fetch_add(1, Ordering::Relaxed);
        let this_due = due;
        tokio::spawn(async move {
            let (outcome, body) = send(req).await;
            let latency = this_due.elapsed();
            if let Ok(mut r) = record.lock() {
                let write = call.is_write();
                if let Some(t) = r.minutes.get_mut(minute) {
                    t.add(write, latency, outcome);
                }
                r.by_call
                    .entry(call)
                    .or_default()
                    .add(write, latency, outcome);
                if let Some(body) = body {
                    r.samples.entry((call, outcome)).or_insert(body);
                }
            }
            in_flight.fetch_sub(1, Ordering::Relaxed);
        });
    }
    while in_flight.load(Ordering::Relaxed) > 0 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = reporter.await;
    let mut out = Record::default();
    if let Ok(mut r) = record.lock() {
        std::mem::swap(&mut out, &mut r);
    }
    out
}

/// The shape of the load: how long, how fast, how patient, which seed.
#[derive(Clone, Copy)]
struct RunShape {
    seconds: u64,
    rate: f64,
    timeout: Duration,
    seed: u64,
}

fn print_minute_header() {
    println!(
        "\n| minute | offered/s | achieved/s (2xx) | GET p50 / p99 / max ms | write p50 / p99 / max ms | 429 | other non-2xx | timeouts | failed |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
}

fn print_row(name: &str, t: &Tally, seconds: f64) {
    let (g50, g99, gmax) = percentiles(&t.gets);
    let (w50, w99, wmax) = percentiles(&t.writes);
    let secs = seconds.max(f64::MIN_POSITIVE);
    println!(
        "| {name} | {:.1} | {:.1} | {g50:.2} / {g99:.2} / {gmax:.1} | {w50:.2} / {w99:.2} / {wmax:.1} | {} | {} | {} | {} |",
        t.total() as f64 / secs,
        t.ok as f64 / secs,
        t.limited,
        t.other_statuses(),
        t.timeouts,
        t.failed,
    );
}

// ---- the command -----------------------------------------------------------------------------

/// A ledger server in this process, until `stop`.
struct Node {
    ledger: Ledger,
    base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start_node(ledger: Ledger) -> Result<Node> {
    let listener = crate::listen::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(tagtrail_ledger::serve(
        ledger.clone(),
        tagtrail_ledger::WebOptions::default(),
        None,
        listener,
        async move {
            let _ = stop_rx.await;
        },
    ));
    Ok(Node {
        ledger,
        base,
        stop,
        server,
    })
}

pub async fn run(opts: Options) -> Result<()> {
    if !(1..=2).contains(&opts.nodes) {
        return Err(anyhow!("--nodes is 1 or 2"));
    }
    if opts.rate <= 0.0 || opts.minutes <= 0.0 || opts.licenses == 0 {
        return Err(anyhow!("--rate, --minutes and --licenses must be positive"));
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = std::env::temp_dir().join(format!("tagtrail-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = match (&opts.database_url, &opts.postgres_admin_url) {
        (Some(u), _) => u.clone(),
        (None, Some(admin)) => {
            tagtrail_app::audit::create_postgres_database(admin, &opts.database_prefix)
                .await
                .map_err(|e| anyhow!("{e}"))?
        }
        (None, None) => dir.join("load.db").to_string_lossy().to_string(),
    };
    let postgres = url.starts_with("postgres");
    if opts.nodes == 2 && !postgres {
        return Err(anyhow!(
            "--nodes 2 needs PostgreSQL (--postgres-admin-url or a postgres:// --database-url)"
        ));
    }
    let model = Arc::new(Model::new(
        opts.licenses,
        opts.licenses_per_integrator,
        opts.skew,
        opts.write_percent,
    ));
    let seconds = (opts.minutes * 60.0).round().max(1.0) as u64;
    let config = Config {
        rate: limits_for(&model, opts.rate),
        shared_rate_limits: opts.nodes == 2,
        ..Config::default()
    };
    let first = Ledger::open(&url, config.clone())
        .await
        .context("opening the load database")?;
    let (busy_facility, busy_key) = model.busiest(opts.rate);
    println!(
        "tagtrail load: California at 1/10 scale: {} licenses, {} integrators, {:.0} req/s offered for {:.1} min ({:.0} % writes), {} build",
        opts.licenses,
        model.integrators,
        opts.rate,
        seconds as f64 / 60.0,
        model.write_fraction * 100.0,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
    );
    println!(
        "target: {} node{} on {}; {cpus} CPUs; server{}, seeding and client in one process on loopback",
        opts.nodes,
        if opts.nodes == 2 { "s" } else { "" },
        if postgres {
            format!("PostgreSQL ({url})")
        } else {
            "SQLite".to_string()
        },
        if opts.nodes == 2 { "s" } else { "" },
    );
    println!(
        "limits: {}/s per facility (busiest {busy_facility:.0}/s), {}/s per vendor key (busiest {busy_key:.0}/s), {} / {} in flight; rate limits {}",
        config.rate.per_facility_per_second,
        config.rate.per_vendor_key_per_second,
        config.rate.concurrent_per_facility,
        config.rate.concurrent_per_vendor_key,
        if config.shared_rate_limits {
            "shared in the database"
        } else {
            "per node"
        },
    );

    // Seeding, through the application layer.
    let t = std::time::Instant::now();
    let calls = opts.rate * seconds as f64;
    let mut vendor_keys = Vec::with_capacity(model.integrators);
    for n in 0..model.integrators {
        vendor_keys.push(issue_vendor_key(&first, n).await?);
    }
    let mut licenses = Vec::with_capacity(opts.licenses);
    let (mut packages, mut tags) = (0, 0);
    for rank in 0..opts.licenses {
        let p = model.packages_of(rank, opts.packages);
        let expected = model.expected_creates(rank, calls);
        let tag_count = (expected * 1.5).ceil() as u32 + 2;
        if model.kinds[rank] == LicenseType::TestingLab {
            licenses.push(seed_license(&first, &model, rank, p, 0).await?);
        } else {
            licenses.push(seed_license(&first, &model, rank, p, tag_count).await?);
            tags += tag_count;
        }
        packages += p;
        if (rank + 1) % 100 == 0 {
            eprintln!("seeded {} licenses", rank + 1);
        }
    }
    let journal = first.journal_len().await.map_err(app_err)?;
    println!(
        "seeded {} licenses, {} vendor keys, {packages} active packages (busiest licensee {}), {tags} package tags in {:.1} s ({journal} journal entries)",
        opts.licenses,
        model.integrators,
        licenses.first().map_or(0, |l| l.labels.len()),
        t.elapsed().as_secs_f64(),
    );
    first.maintain().await.map_err(app_err)?;

    let mut nodes = vec![start_node(first.clone()).await?];
    if opts.nodes == 2 {
        let second = Ledger::open(&url, config.clone())
            .await
            .context("opening the second node")?;
        nodes.push(start_node(second).await?);
    }
    let bases: Vec<String> = nodes.iter().map(|n| n.base.clone()).collect();
    let timeout = Duration::from_secs(opts.timeout_seconds);
    let clients = Arc::new(Clients::new(vendor_keys, bases, timeout)?);
    let licenses = Arc::new(licenses);
    let shape = RunShape {
        seconds,
        rate: opts.rate,
        timeout,
        seed: opts.seed,
    };
    // The client on a runtime of its own, as a separate process would be (same cores).
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("load-client")
        .enable_all()
        .build()?;
    let record = client_rt
        .spawn(drive(model.clone(), licenses.clone(), clients, shape))
        .await?;
    client_rt.shutdown_background();

    report(&record, seconds as f64);
    let bytes = first.database_bytes().await.map_err(app_err)?;
    let journal = first.journal_len().await.map_err(app_err)?;
    println!(
        "\ndatabase: {:.1} MB after the run ({journal} journal entries); {cpus} CPUs",
        bytes as f64 / 1e6
    );
    if postgres && opts.database_url.is_none() {
        println!("the PostgreSQL database is left in place: {url}");
    }
    for node in nodes {
        let _ = node.stop.send(());
        let _ = node.server.await;
        node.ledger.close().await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The total row, the table per endpoint and a sample of each error.
fn report(record: &Record, seconds: f64) {
    let mut all = Tally::default();
    for m in &record.minutes {
        all.merge(m);
    }
    println!("\n== in all");
    print_minute_header();
    print_row("all", &all, seconds);
    if !all.statuses.is_empty() {
        let by: Vec<String> = all
            .statuses
            .iter()
            .map(|(s, n)| format!("{s}: {n}"))
            .collect();
        println!("non-2xx other than 429, by status: {}", by.join(", "));
    }
    println!(
        "\n| endpoint | requests | share | p50 ms | p99 ms | max ms | 2xx | 429 | other non-2xx | timeouts | failed |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let total = all.total().max(1) as f64;
    for call in Call::ALL {
        let Some(t) = record.by_call.get(&call) else {
            continue;
        };
        let lat = if call.is_write() { &t.writes } else { &t.gets };
        let (p50, p99, max) = percentiles(lat);
        println!(
            "| {} | {} | {:.1} % | {p50:.2} | {p99:.2} | {max:.1} | {} | {} | {} | {} | {} |",
            call.label(),
            t.total(),
            t.total() as f64 * 100.0 / total,
            t.ok,
            t.limited,
            t.other_statuses(),
            t.timeouts,
            t.failed,
        );
    }
    if !record.samples.is_empty() {
        println!("\nfirst answer of each kind of error:");
        for ((call, outcome), body) in &record.samples {
            println!("  {} → {outcome:?}: {body}", call.label());
        }
    }
    println!(
        "\nlatency runs from when each request was due (open loop) until its answer was read; achieved = 2xx answers a second"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The skew puts most calls on a few licensees, the mix holds ~5 % writes, and the same
    /// seed gives the same picks.
    #[test]
    fn picks_follow_the_skew_and_the_mix() {
        let model = Model::new(740, 20, 1.0, 5.0);
        assert_eq!(model.integrators, 37);
        let mut rng = StdRng::seed_from_u64(7);
        let n = 200_000;
        let mut per_license = vec![0u64; 740];
        let mut writes = 0;
        let mut plants_elsewhere = 0;
        let mut picks = Vec::new();
        for _ in 0..n {
            let l = model.pick_license(&mut rng);
            let c = model.pick_call(l, &mut rng);
            per_license[l] += 1;
            writes += u64::from(c.is_write());
            if matches!(c, Call::VegetativePlants | Call::FloweringPlants)
                && model.kinds[l] != LicenseType::Cultivator
            {
                plants_elsewhere += 1;
            }
            if picks.len() < 50 {
                picks.push((l, c));
            }
        }
        let share = |k: u64| k as f64 / n as f64;
        // Zipf with s = 1 over 740: the busiest ~13.9 %, the top 74 ~68 %.
        assert!((share(per_license[0]) - 0.139).abs() < 0.01);
        let top: u64 = per_license[..74].iter().sum();
        assert!((share(top) - 0.68).abs() < 0.02);
        assert!((share(writes) - 0.05).abs() < 0.005);
        assert_eq!(plants_elsewhere, 0);
        // Deterministic: the same seed, the same first picks.
        let mut again = StdRng::seed_from_u64(7);
        for (l, c) in picks {
            let l2 = model.pick_license(&mut again);
            assert_eq!((l, c), (l2, model.pick_call(l2, &mut again)));
        }
    }

    /// The limits let the model's own peak through, and packages follow the skew.
    #[test]
    fn limits_and_packages_fit_the_model() {
        let model = Model::new(740, 20, 1.0, 5.0);
        let limits = limits_for(&model, 450.0);
        let (facility, key) = model.busiest(450.0);
        assert!(f64::from(limits.per_facility_per_second) >= 2.0 * facility);
        assert!(f64::from(limits.per_vendor_key_per_second) >= 2.0 * key);
        let total: usize = (0..740).map(|l| model.packages_of(l, 40)).sum();
        assert!((total as f64 - 740.0 * 40.0).abs() < 740.0);
        assert!(model.packages_of(0, 40) > 1_000);
        assert_eq!(
            model.packages_of(739, 40),
            10 + (30.0 * 740.0 * model.weights[739]).round() as usize
        );
    }
}
