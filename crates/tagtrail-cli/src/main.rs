//! `tagtrail`: the ledger server, the demo, the operator's admin commands and the audit.

mod abuse;
mod backup;
mod baseline;
mod bench;
mod checkpoints;
mod listen;
mod load;
mod sandbox;
mod scale;
mod tier;
mod webhooks;
mod workbench;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tagtrail_app::actions::harvests::HoldHarvests;
use tagtrail_app::actions::packages::{Hold, OpenBalance, OpeningBalance};
use tagtrail_app::actions::people::{
    self, CreateEmployee, Employ, IssueLicense, LicenseApplication, NewEmployee, PasswordHash,
    RecordTraining, SetPermissions, TrainingRecord,
};
use tagtrail_app::actions::tags::{Order, Ship};
use tagtrail_app::{Acting, AppError, Config, Door, Ledger, RateLimits};
use tagtrail_demo::{self as demo, DemoCredentials};
use tagtrail_domain::commands::harvests::HoldSpec as HarvestHold;
use tagtrail_domain::commands::packages::{HoldSpec, NewPackage};
use tagtrail_domain::commands::people::{FacilitySpec, Grant};
use tagtrail_domain::commands::tags::OrderSpec;
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::LicenseKind;
use tagtrail_ledger::{WebOptions, Zone};

const DEFAULT_DB: &str = "tagtrail-data/tagtrail.db";

#[derive(Parser)]
#[command(
    name = "tagtrail",
    version,
    about = "Cannabis track-and-trace ledger speaking the Metrc v2 API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the ledger: Metrc v2 API, /tagtrail/v1 extensions, web UI, /openapi.json.
    Serve {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, env = "TAGTRAIL_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        web: WebArgs,
        #[command(flatten)]
        checkpoint: checkpoints::SignerArgs,
        #[command(flatten)]
        sandbox: sandbox::SandboxArgs,
        #[command(flatten)]
        webhooks: webhooks::WebhookArgs,
    },
    /// Seed a realistic California dataset (once per data directory) and serve it.
    Demo {
        #[arg(long, default_value = "./tagtrail-demo")]
        data_dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Database to use instead of DATA_DIR/tagtrail.db (e.g. postgres://…).
        #[arg(long)]
        database_url: Option<String>,
        /// Where the demo brand's workbench listens (its database is DATA_DIR/workbench.db).
        #[arg(long, default_value = "127.0.0.1:8081")]
        workbench_listen: String,
        /// Serve the ledger alone (the wire-conformance suite does: it tests the ledger).
        #[arg(long)]
        no_workbench: bool,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        web: WebArgs,
        #[command(flatten)]
        checkpoint: checkpoints::SignerArgs,
        #[command(flatten)]
        sandbox: sandbox::SandboxArgs,
        #[command(flatten)]
        webhooks: webhooks::WebhookArgs,
    },
    /// The operator's (regulator's) commands: licenses, employees, keys, tag shipments.
    Admin {
        #[command(flatten)]
        db: DbArg,
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Measure throughput and latency over loopback on a fresh database; prints figures.
    Bench {
        /// Use this database (default: a fresh SQLite file in a temporary directory).
        #[arg(long)]
        database_url: Option<String>,
        /// Create a fresh PostgreSQL database on this server for the run.
        #[arg(long)]
        postgres_admin_url: Option<String>,
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Packages of history to generate for the scale phases (then 10× that); 0 skips them.
        #[arg(long, default_value_t = 0)]
        history: u64,
        /// Finished packages of history (rule 72's history tier) to measure the active list and a
        /// package write beside, as ratios to the first: e.g. `0,1000000,10000000`. Added
        /// outside the journal, after the run's `audit verify`.
        #[arg(long, value_delimiter = ',')]
        tier_history: Vec<u64>,
        /// Times each headline figure and its baseline are measured, alternately; the table
        /// gives the median ratio and every round's.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
        rounds: u32,
    },
    /// Measure how a well-behaved caller fares while others abuse the ledger; prints figures.
    ///
    /// Seeds a fresh demo ledger, serves it in-process on loopback with its normal limits, and
    /// runs a victim (the demo's vendor key reading one facility's active packages at a steady
    /// pace) alone, then beside each abuse in turn: another key flooding at 20× its limit, the
    /// victim's own key flooding another facility at 20× its limit, a sign-in flood from one
    /// address and from many, and thousands of connections that never finish their headers.
    /// Prints the victim's p50/p99 per scenario and the ratio to its quiet p99 (issue 14's goal:
    /// within 1.5×); asserts nothing.
    Abuse {
        #[command(flatten)]
        opts: abuse::Options,
    },
    /// Run a load model of California at 1/10 scale against one node or two; prints figures.
    ///
    /// Seeds 740 licenses (skewed: a few large licensees make most calls) under 37 integrators,
    /// serves them in-process on loopback, and offers their calls open-loop at the model's peak
    /// (450 req/s, ~95 % GETs) for 10 minutes, printing per minute and in all the offered rate,
    /// the achieved throughput, GET and write p50/p99/max, and errors by kind; asserts nothing.
    Load {
        #[command(flatten)]
        opts: load::Options,
    },
    /// The workbench: a licensee's compliance app with its own database, talking to Metrc (or a
    /// tagtrail ledger) only over the Metrc v2 API.
    Workbench {
        #[command(flatten)]
        settings: workbench::Settings,
        #[command(subcommand)]
        command: workbench::Command,
    },
    /// Audit the journal.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Back up the ledger to one file while it serves: the journal exactly as stored, the
    /// certificates and the signed checkpoints, from one consistent snapshot. Either backend's
    /// backup restores into either backend. Never overwrites FILE.
    Backup {
        #[command(flatten)]
        db: DbArg,
        /// The backup file to write (gzip'd JSON lines); its directory is created if missing.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Restore a backup into a new, empty database (refused otherwise). The projections are
    /// rebuilt from the journal and `audit verify` runs before anything is kept: a file that does
    /// not verify is refused (exit 2) naming the first bad entry, and the target is left empty.
    Restore {
        /// The backup file (`tagtrail backup --out FILE`).
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Args)]
struct DbArg {
    /// A SQLite file path (created if missing) or a postgres:// URL.
    #[arg(long, global = true, env = "TAGTRAIL_DATABASE_URL", default_value = DEFAULT_DB)]
    database_url: String,
}

#[derive(Args, Clone)]
struct WebArgs {
    /// Mark the web UI's session cookies `Secure`: set this when browsers reach the ledger over
    /// HTTPS (behind a TLS-terminating proxy), so a cookie never travels in clear.
    #[arg(long, env = "TAGTRAIL_SECURE_COOKIES")]
    secure_cookies: bool,
    /// The address browsers use to reach the ledger; an https:// URL also turns on
    /// --secure-cookies.
    #[arg(long, env = "TAGTRAIL_PUBLIC_URL")]
    public_url: Option<String>,
    /// The time zone the web UI shows times in (the facilities'); the ledger keeps UTC.
    #[arg(long, env = "TAGTRAIL_TIME_ZONE", default_value = "America/Los_Angeles", value_parser = Zone::named)]
    time_zone: Zone,
}

impl WebArgs {
    fn workbench_options(&self) -> tagtrail_workbench_web::WebOptions {
        let ledger = self.options();
        tagtrail_workbench_web::WebOptions {
            secure_cookies: ledger.secure_cookies,
            zone: ledger.zone,
            ..tagtrail_workbench_web::WebOptions::default()
        }
    }

    fn options(&self) -> WebOptions {
        let https = self
            .public_url
            .as_deref()
            .is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"));
        WebOptions {
            secure_cookies: self.secure_cookies || https,
            zone: self.time_zone,
            ..WebOptions::default()
        }
    }
}

#[derive(Args, Clone, Copy)]
struct LimitArgs {
    #[arg(long, env = "TAGTRAIL_GET_RATE_PER_FACILITY", default_value_t = 50)]
    get_rate_per_facility: u32,
    #[arg(long, env = "TAGTRAIL_GET_RATE_PER_VENDOR", default_value_t = 150)]
    get_rate_per_vendor: u32,
    #[arg(
        long,
        env = "TAGTRAIL_GET_CONCURRENCY_PER_FACILITY",
        default_value_t = 10
    )]
    get_concurrency_per_facility: u32,
    #[arg(
        long,
        env = "TAGTRAIL_GET_CONCURRENCY_PER_VENDOR",
        default_value_t = 30
    )]
    get_concurrency_per_vendor: u32,
    /// Longest lastModified window in hours; 0 turns the check off.
    #[arg(long, env = "TAGTRAIL_MAX_WINDOW_HOURS", default_value_t = 24)]
    max_window_hours: u64,
    /// Most packages on one transfer manifest (rule 47).
    #[arg(
        long,
        env = "TAGTRAIL_MAX_PACKAGES_PER_TRANSFER",
        default_value_t = 200
    )]
    max_packages_per_transfer: usize,
    /// Keep GET rate limits in the database, so that several nodes serving one PostgreSQL
    /// database enforce one limit (each node alone would allow the full rate).
    #[arg(long, env = "TAGTRAIL_SHARED_RATE_LIMITS")]
    shared_rate_limits: bool,
    /// Open HTTP connections at most; past it, new ones wait in the kernel's backlog.
    #[arg(long, env = "TAGTRAIL_MAX_CONNECTIONS", default_value_t = 4096)]
    max_connections: usize,
    /// Open HTTP connections from one client address at most (raise it to --max-connections
    /// behind a load balancer, whose address every connection then has).
    #[arg(
        long,
        env = "TAGTRAIL_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 256
    )]
    max_connections_per_address: usize,
    /// Seconds a client has to send a request header, and a kept-alive connection may stay idle.
    #[arg(long, env = "TAGTRAIL_HEADER_READ_TIMEOUT", default_value_t = 10)]
    header_read_timeout_seconds: u64,
}

impl LimitArgs {
    fn config(self) -> Config {
        Config {
            rate: RateLimits {
                per_facility_per_second: self.get_rate_per_facility,
                per_vendor_key_per_second: self.get_rate_per_vendor,
                concurrent_per_facility: self.get_concurrency_per_facility,
                concurrent_per_vendor_key: self.get_concurrency_per_vendor,
            },
            max_window: (self.max_window_hours > 0)
                .then(|| Duration::from_secs(self.max_window_hours * 3600)),
            max_packages_per_transfer: self.max_packages_per_transfer,
            shared_rate_limits: self.shared_rate_limits,
            server: tagtrail_app::ServerLimits {
                max_connections: self.max_connections,
                per_address: self.max_connections_per_address,
                header_read_timeout: Duration::from_secs(self.header_read_timeout_seconds.max(1)),
            },
            ..Config::default()
        }
    }
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Issue a license (one license, one facility). Naming its account manager (a user made with
    /// create-employee) employs them there as owner with every permission; nobody at the license
    /// has access until `record-training`. Without --account-manager the operator administers the
    /// license's people, who have access once employed (`grant`).
    CreateLicense {
        #[arg(long)]
        license_number: String,
        /// cultivator, manufacturer, distributor, testing_lab or retailer
        #[arg(long)]
        license_type: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        address: Option<String>,
        #[arg(long, default_value = "2026-01-01")]
        start_date: String,
        #[arg(long, default_value = "2026-12-31")]
        end_date: String,
        /// annual, or temporary (a temporary licensee gets no access to the system)
        #[arg(long, default_value = "annual")]
        license_kind: String,
        /// The username of the license's designated account manager.
        #[arg(long, value_name = "USER")]
        account_manager: Option<String>,
    },
    /// Record that a license's account manager completed the account-manager training: from
    /// then on the license's people have access (an annual license's).
    RecordTraining {
        #[arg(long)]
        license_number: String,
        /// The day the training was completed (YYYY-MM-DD); today if not given.
        #[arg(long)]
        date: Option<String>,
    },
    /// Create an employee account; the password is read from TAGTRAIL_PASSWORD if set.
    CreateEmployee {
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
        #[arg(long)]
        employee_license_number: String,
        #[arg(long, env = "TAGTRAIL_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Employ a user at a license with permissions (replaces earlier ones).
    Grant {
        #[arg(long)]
        username: String,
        #[arg(long)]
        license_number: String,
        /// Repeat or comma-separate: "Manage Items,Manage Tags"
        #[arg(long, value_delimiter = ',')]
        permission: Vec<String>,
        #[arg(long)]
        owner: bool,
        #[arg(long)]
        manager: bool,
    },
    /// Give a state inspector (a user made with create-employee) read-only access to a license,
    /// or take it away with --withdraw. An inspector sees every record of the license in the web
    /// UI and can change nothing.
    GrantInspection {
        #[arg(long)]
        username: String,
        #[arg(long)]
        license_number: String,
        #[arg(long)]
        withdraw: bool,
    },
    /// Issue a vendor (integrator) key; printed once, stored hashed.
    VendorKey {
        #[arg(long)]
        name: String,
    },
    /// Issue a user API key; printed once, stored hashed.
    UserKey {
        #[arg(long)]
        username: String,
    },
    /// Place a tag order on a license's behalf.
    OrderTags {
        #[arg(long)]
        license_number: String,
        #[arg(long, default_value_t = 0)]
        plant: i64,
        #[arg(long, default_value_t = 0)]
        package: i64,
    },
    /// Ship a tag order: its tags are issued to the facility, to be received there.
    ShipTags {
        #[arg(long)]
        order_id: i64,
    },
    /// Enter an opening-balance package (no source package): a licensee's existing stock.
    OpeningPackage {
        #[arg(long)]
        license_number: String,
        #[arg(long)]
        tag: String,
        #[arg(long)]
        item: String,
        #[arg(long)]
        quantity: rust_decimal::Decimal,
        #[arg(long)]
        unit: String,
        #[arg(long)]
        location: String,
        #[arg(long, default_value = "NotSubmitted")]
        lab_state: String,
    },
    /// Put packages (or, with `--harvest`, harvests) on administrative hold (rule 34).
    Hold {
        #[arg(long)]
        license_number: String,
        /// Package labels, comma-separated.
        #[arg(long, value_delimiter = ',', required_unless_present = "harvest")]
        label: Vec<String>,
        /// A harvest's name (repeat for more): held, its packaging and waste are refused.
        #[arg(long, conflicts_with = "label")]
        harvest: Vec<String>,
        #[arg(long)]
        reason: String,
    },
    /// Release packages (or, with `--harvest`, harvests) from administrative hold.
    Release {
        #[arg(long)]
        license_number: String,
        /// Package labels, comma-separated.
        #[arg(long, value_delimiter = ',', required_unless_present = "harvest")]
        label: Vec<String>,
        /// A harvest's name (repeat for more): held, its packaging and waste are refused.
        #[arg(long, conflicts_with = "label")]
        harvest: Vec<String>,
        #[arg(long)]
        reason: String,
    },
    /// Refresh planner statistics and visibility information (VACUUM ANALYZE / PRAGMA optimize);
    /// run after bulk imports, or regularly where PostgreSQL's autovacuum is off.
    Maintain,
    /// List the permission names.
    Permissions,
    /// Create a checkpoint signing key (ed25519): the secret in FILE (mode 0600, never
    /// overwritten), the public key in FILE with the extension .pub and on standard output.
    CheckpointKey {
        /// Where to write the secret key; keep it outside the database and its backups.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Sign the journal head now (when no server signs, or before taking a copy); a no-op if
    /// the newest entry is already checkpointed.
    Checkpoint {
        /// The signing key file (see `admin checkpoint-key`).
        #[arg(long, env = "TAGTRAIL_CHECKPOINT_KEY", value_name = "FILE")]
        checkpoint_key: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain and rebuild every projection from the journal into a scratch
    /// database; exit non-zero naming the first disagreement.
    Verify {
        #[command(flatten)]
        db: DbArg,
        /// Then check every checkpoint of this export file (`audit checkpoints --out`) against
        /// the database: its signature, and that the journal still holds exactly the signed hash
        /// at its entry. Exit 3 naming the first checkpoint that does not hold.
        #[arg(long, value_name = "FILE")]
        checkpoints: Option<PathBuf>,
        /// The public key to trust (64 hex digits, or a .pub file); repeat it for keys used in
        /// turn. Without it the keys in the checkpoints file are trusted, which proves only that
        /// the file and the database agree.
        #[arg(long, value_name = "HEX_OR_FILE", requires = "checkpoints")]
        public_key: Vec<String>,
    },
    /// Export every signed checkpoint and the public keys as JSON: the file an inspector keeps
    /// and later passes to `audit verify --checkpoints`.
    Checkpoints {
        #[command(flatten)]
        db: DbArg,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// mimalloc instead of glibc's malloc. A read answers from dozens of short-lived strings (the
/// record's fields, the wire record, the JSON); under load glibc spent about a tenth of the
/// active page's samples in `malloc`, `free` and its consolidation of freed chunks across
/// threads (issue 14's profile), where mimalloc's per-thread free lists are a few instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TAGTRAIL_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let code = match run(Cli::parse()).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            1
        }
    };
    std::process::exit(code);
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn open(url: &str, config: Config) -> Result<Ledger> {
    Ledger::open(url, config)
        .await
        .with_context(|| format!("opening database {}", redact(url)))
}

/// Database URLs may carry a password; it never reaches output.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}://{}:***@{}", &url[..s], user, &url[at + 1..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

async fn serve(
    ledger: Ledger,
    listen: &str,
    web: WebOptions,
    sandbox: Option<tagtrail_ledger::Sandbox>,
) -> Result<()> {
    let listener = listen::bind(listen).await?;
    tagtrail_ledger::serve(ledger, web, sandbox, listener, shutdown_signal()).await?;
    Ok(())
}

fn app_err(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

async fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Serve {
            db,
            listen,
            limits,
            web,
            checkpoint,
            sandbox,
            webhooks,
        } => {
            let sandbox = sandbox.sandbox()?;
            let mut config = limits.config();
            config.webhooks =
                webhooks.settings(webhooks::beside(&db.database_url).as_deref(), false)?;
            let ledger = open(&db.database_url, config).await?;
            println!(
                "tagtrail ledger on http://{listen} (database {})",
                redact(&db.database_url)
            );
            let signer = checkpoints::signer(&ledger, &checkpoint)?;
            serve(ledger, &listen, web.options(), sandbox).await?;
            checkpoints::finish(signer).await;
        }
        Command::Demo {
            data_dir,
            listen,
            database_url,
            workbench_listen,
            no_workbench,
            limits,
            web,
            checkpoint,
            sandbox,
            webhooks,
        } => {
            let sandbox = sandbox.sandbox()?;
            std::fs::create_dir_all(&data_dir)
                .with_context(|| format!("creating {}", data_dir.display()))?;
            let url = database_url
                .unwrap_or_else(|| data_dir.join("tagtrail.db").to_string_lossy().to_string());
            let mut config = limits.config();
            config.webhooks = webhooks.settings(Some(&data_dir.join("webhook.key")), true)?;
            let ledger = open(&url, config).await?;
            let mut creds = demo_credentials(&ledger, &data_dir, &listen).await?;
            let signer = checkpoints::demo_signer(&ledger, &checkpoint, &data_dir)?;
            // The ledger serves first: the workbench reaches it only over HTTP, as it would
            // reach Metrc.
            let listener = listen::bind(&listen).await?;
            let ledger_task = tokio::spawn(tagtrail_ledger::serve(
                ledger,
                web.options(),
                sandbox,
                listener,
                shutdown_signal(),
            ));
            if no_workbench {
                print_demo(&creds, &data_dir);
            } else {
                let wb = workbench::demo(&data_dir, &mut creds, &workbench_listen).await?;
                write_private(
                    &data_dir.join("credentials.json"),
                    &serde_json::to_string_pretty(&creds)?,
                )?;
                print_demo(&creds, &data_dir);
                let wl = listen::bind(&workbench_listen).await?;
                workbench::serve(wb, wl, web.workbench_options(), 15).await?;
            }
            ledger_task.await.context("the ledger server")??;
            signer.finish().await;
        }
        Command::Workbench { settings, command } => {
            return workbench::run(&settings, command).await;
        }
        Command::Admin {
            command: AdminCommand::CheckpointKey { out },
            ..
        } => checkpoints::create_key(&out)?,
        Command::Admin { db, command } => {
            let ledger = open(&db.database_url, Config::default()).await?;
            admin(&ledger, command).await?;
        }
        Command::Bench {
            database_url,
            postgres_admin_url,
            seconds,
            concurrency,
            history,
            tier_history,
            rounds,
        } => {
            bench::run(bench::Options {
                database_url,
                postgres_admin_url,
                seconds,
                concurrency,
                history,
                tier_history,
                rounds,
            })
            .await?;
        }
        Command::Abuse { opts } => abuse::run(opts).await?,
        Command::Load { opts } => load::run(opts).await?,
        Command::Backup { db, out } => return backup::backup(&db.database_url, &out).await,
        Command::Restore { from, db } => return backup::restore(&from, &db.database_url).await,
        Command::Audit {
            command: AuditCommand::Checkpoints { db, out },
        } => {
            let ledger = open(&db.database_url, Config::default()).await?;
            checkpoints::export(&ledger, &out).await?;
        }
        Command::Audit {
            command:
                AuditCommand::Verify {
                    db,
                    checkpoints: file,
                    public_key,
                },
        } => {
            let ledger = open(&db.database_url, Config::default()).await?;
            if let Some(file) = file {
                return checkpoints::verify(&ledger, &file, &public_key).await;
            }
            let scratch =
                std::env::temp_dir().join(format!("tagtrail-verify-{}.db", std::process::id()));
            let report = ledger.verify(&scratch).await?;
            match &report.problem {
                None => {
                    println!(
                        "ok: {} journal entries, hash chain intact; {} projection rows match the rebuild",
                        report.entries, report.rows
                    );
                }
                Some(p) => {
                    println!("FAILED after {} good entries: {p}", report.entries);
                    return Ok(2);
                }
            }
        }
    }
    Ok(0)
}

/// Seeds on first run; later runs reuse the data and the credentials file written then.
async fn demo_credentials(ledger: &Ledger, dir: &Path, listen: &str) -> Result<DemoCredentials> {
    let path = dir.join("credentials.json");
    let base_url = format!("http://{listen}");
    if ledger.journal_len().await? > 0 {
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!("{} holds data but {} is missing; keys are stored only as hashes and cannot be shown again. Use a new --data-dir.", dir.display(), path.display())
        })?;
        let mut creds: DemoCredentials =
            serde_json::from_str(&text).context("reading credentials.json")?;
        if creds.base_url != base_url {
            creds.base_url = base_url;
            write_private(&path, &serde_json::to_string_pretty(&creds)?)?;
        }
        return Ok(creds);
    }
    let creds = demo::seed(ledger, &base_url).await.map_err(app_err)?;
    write_private(&path, &serde_json::to_string_pretty(&creds)?)?;
    Ok(creds)
}

/// Credentials files are readable by their owner only.
fn write_private(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

fn print_demo(creds: &DemoCredentials, dir: &Path) {
    println!("tagtrail demo ledger");
    println!(
        "  web UI:       {}/ui  (sign in with a username and password below)",
        creds.base_url
    );
    println!(
        "  Metrc v2 API: {}  (HTTP Basic: vendor key : user key)",
        creds.base_url
    );
    println!("  OpenAPI:      {}/openapi.json", creds.base_url);
    println!("  credentials:  {}", dir.join("credentials.json").display());
    for l in &creds.licenses {
        println!(
            "  {:<16} {:<13} {:<27} user {:<10} password {}",
            l.license_number, l.license_type, l.facility_name, l.username, l.password
        );
    }
    if let Some(i) = &creds.inspector {
        println!(
            "  {:<16} {:<13} {:<27} user {:<10} password {}",
            "(state)",
            "inspector",
            format!("read-only at {} licenses", i.licenses.len()),
            i.username,
            i.password
        );
    }
    if let Some(w) = &creds.workbench {
        println!(
            "tagtrail demo workbench (Golden State Brands: the manufacturer and distributor above)"
        );
        println!(
            "  web UI:       {}  (user, password and the 6-digit code from the TOTP secret in credentials.json)",
            w.url
        );
        for u in &w.users {
            println!(
                "  {:<10} password {}  {}",
                u.username,
                u.password,
                u.roles.join(", ")
            );
        }
    }
    if let Some(l) = creds.licenses.first() {
        println!(
            "try:\n  curl -u '{}:{}' '{}/items/v2/active?licenseNumber={}&pageNumber=1&pageSize=5'",
            creds.vendor_key, l.user_key, creds.base_url, l.license_number
        );
    }
}

/// The door of an admin command: `tagtrail admin <command>` and its arguments (never a
/// password).
fn admin_door(command: &str, args: serde_json::Value) -> Door {
    Door::operator(format!("tagtrail admin {command}"), args)
}

/// The operator's scope at `license`.
async fn operator_scope(
    ledger: &Ledger,
    who: &Acting,
    license: &str,
) -> Result<tagtrail_app::Scope> {
    ledger.authorize(who, license, &[]).await.map_err(app_err)
}

async fn admin(ledger: &Ledger, command: AdminCommand) -> Result<()> {
    let who = Acting::operator(&std::env::var("USER").unwrap_or_else(|_| "admin".into()));
    match command {
        AdminCommand::CreateLicense {
            license_number,
            license_type,
            name,
            address,
            start_date,
            end_date,
            license_kind,
            account_manager,
        } => {
            let Some(kind) = LicenseType::parse(&license_type) else {
                bail!(
                    "unknown license type {license_type}: use cultivator, manufacturer, distributor, testing_lab or retailer"
                );
            };
            let Some(license_kind) = LicenseKind::parse(&license_kind) else {
                bail!("unknown license kind {license_kind}: use annual or temporary");
            };
            let door = admin_door(
                "create-license",
                json!({"LicenseNumber": license_number, "LicenseType": kind.as_str(), "Name": name,
                       "LicenseKind": license_kind.as_str(), "AccountManager": account_manager}),
            );
            let application = LicenseApplication {
                facility: FacilitySpec {
                    license_number,
                    license_type: kind,
                    name,
                    address,
                    license_start_date: start_date,
                    license_end_date: end_date,
                },
                kind: license_kind,
                account_manager,
            };
            let (_, f) = ledger
                .run_system::<IssueLicense>(&who, door, &application)
                .await
                .map_err(app_err)?;
            println!(
                "{} license {} ({}) issued: facility {} \"{}\"",
                f.onboarding.license_kind.as_str(),
                f.license_number,
                f.license_type.as_str(),
                f.id,
                f.name
            );
            match (&application.account_manager, f.onboarding.license_kind) {
                (_, LicenseKind::Temporary) => {
                    println!("a temporary licensee is not provided access to the system")
                }
                (Some(am), _) => println!(
                    "account manager {am}: no access for anyone at the license until `tagtrail admin record-training --license-number {}`",
                    f.license_number
                ),
                (None, _) => {}
            }
        }
        AdminCommand::RecordTraining {
            license_number,
            date,
        } => {
            let door = admin_door(
                "record-training",
                json!({"LicenseNumber": license_number, "Date": date}),
            );
            let req = TrainingRecord {
                license_number,
                completed: date,
            };
            let (_, (f, warnings)) = ledger
                .run_system::<RecordTraining>(&who, door, &req)
                .await
                .map_err(app_err)?;
            println!(
                "account-manager training of license {} recorded as complete on {}; its people now have access",
                f.license_number,
                f.onboarding
                    .training_completed
                    .as_deref()
                    .unwrap_or_default()
            );
            for w in warnings {
                println!("warning: {w}");
            }
        }
        AdminCommand::CreateEmployee {
            username,
            full_name,
            employee_license_number,
            password,
        } => {
            let password = match password.as_deref() {
                Some(p) => Some(PasswordHash::of(p).await.map_err(app_err)?),
                None => None,
            };
            // The request records who was created, never the password.
            let door = admin_door(
                "create-employee",
                json!({"Username": username, "FullName": full_name}),
            );
            let req = NewEmployee {
                username,
                full_name,
                employee_license_number,
                password,
            };
            let (_, u) = ledger
                .run_system::<CreateEmployee>(&who, door, &req)
                .await
                .map_err(app_err)?;
            println!("employee {} created (id {})", u.username, u.id);
        }
        AdminCommand::Grant {
            username,
            license_number,
            permission,
            owner,
            manager,
        } => {
            let door = admin_door(
                "grant",
                json!({"Username": username, "LicenseNumber": license_number, "Permissions": permission}),
            );
            let req = Employ {
                username: username.clone(),
                license_number: license_number.clone(),
                grant: Grant {
                    permissions: permission,
                    is_owner: owner,
                    is_manager: manager,
                },
            };
            let (_, e) = ledger
                .run_system::<SetPermissions>(&who, door, &req)
                .await
                .map_err(app_err)?;
            let names: Vec<&str> = e.permissions.iter().map(|p| p.name()).collect();
            println!("{username} at {license_number}: {}", names.join(", "));
        }
        AdminCommand::GrantInspection {
            username,
            license_number,
            withdraw,
        } => {
            let door = admin_door(
                "grant-inspection",
                json!({"Username": username, "LicenseNumber": license_number, "Withdraw": withdraw}),
            );
            let req = people::InspectionGrant {
                username: username.clone(),
                license_number: license_number.clone(),
                active: !withdraw,
            };
            ledger
                .run_system::<people::GrantInspection>(&who, door, &req)
                .await
                .map_err(app_err)?;
            if withdraw {
                println!("{username} no longer inspects {license_number}");
            } else {
                println!("{username} may inspect {license_number} (read-only)");
            }
        }
        AdminCommand::VendorKey { name } => {
            let door = admin_door("vendor-key", json!({"Name": name}));
            let (_, k) = ledger
                .run_system::<people::IssueVendorKey>(&who, door, &name)
                .await
                .map_err(app_err)?;
            println!(
                "vendor key {} for {name} (shown once; stored hashed):\n{}",
                k.id, k.key
            );
        }
        AdminCommand::UserKey { username } => {
            let door = admin_door("user-key", json!({"Username": username}));
            let (_, k) = ledger
                .run_system::<people::IssueUserKey>(&who, door, &username)
                .await
                .map_err(app_err)?;
            println!(
                "user key {} for {username} (shown once; stored hashed):\n{}",
                k.id, k.key
            );
        }
        AdminCommand::OrderTags {
            license_number,
            plant,
            package,
        } => {
            let scope = operator_scope(ledger, &who, &license_number).await?;
            let door = admin_door(
                "order-tags",
                json!({"LicenseNumber": license_number, "PlantTags": plant, "PackageTags": package}),
            );
            let spec = vec![OrderSpec {
                plant_tags: Some(plant),
                package_tags: Some(package),
            }];
            let w = ledger
                .run::<Order>(&scope, door, &spec)
                .await
                .map_err(app_err)?;
            println!(
                "tag order {} placed for {license_number}",
                w.ids.first().copied().unwrap_or_default()
            );
        }
        AdminCommand::ShipTags { order_id } => {
            let door = admin_door("ship-tags", json!({"OrderId": order_id}));
            ledger
                .run_system::<Ship>(&who, door, &order_id)
                .await
                .map_err(app_err)?;
            println!("tag order {order_id} shipped; the licensee must record receipt before use");
        }
        AdminCommand::OpeningPackage {
            license_number,
            tag,
            item,
            quantity,
            unit,
            location,
            lab_state,
        } => {
            let Some(state) = LabState::parse(&lab_state) else {
                bail!("lab testing state {lab_state} does not exist");
            };
            let scope = operator_scope(ledger, &who, &license_number).await?;
            let door = admin_door(
                "opening-package",
                json!({"LicenseNumber": license_number, "Tag": tag, "Item": item, "Quantity": quantity, "UnitOfMeasure": unit, "Location": location, "LabTestingState": lab_state}),
            );
            let req = OpeningBalance {
                package: NewPackage {
                    tag: Some(tag),
                    item: Some(item),
                    quantity: Some(quantity),
                    unit_of_measure: Some(unit),
                    location: Some(location),
                    ..Default::default()
                },
                lab_state: state,
            };
            let w = ledger
                .run::<OpenBalance>(&scope, door, &req)
                .await
                .map_err(app_err)?;
            println!(
                "opening-balance package {} entered at {license_number}",
                w.ids.first().copied().unwrap_or_default()
            );
        }
        AdminCommand::Hold {
            license_number,
            label,
            harvest,
            reason,
        } => {
            hold(ledger, &who, &license_number, label, harvest, true, reason).await?;
        }
        AdminCommand::Release {
            license_number,
            label,
            harvest,
            reason,
        } => {
            hold(ledger, &who, &license_number, label, harvest, false, reason).await?;
        }
        AdminCommand::Maintain => {
            let t = std::time::Instant::now();
            ledger.maintain().await?;
            println!("maintenance done in {:.1} s", t.elapsed().as_secs_f64());
        }
        AdminCommand::Permissions => {
            for p in Permission::ALL {
                println!("{p}");
            }
        }
        AdminCommand::CheckpointKey { out } => checkpoints::create_key(&out)?,
        AdminCommand::Checkpoint { checkpoint_key } => {
            checkpoints::sign_now(ledger, &checkpoint_key).await?
        }
    }
    Ok(())
}

/// An administrative hold (`hold`) or release of packages by label, or of harvests by name
/// (rule 34).
async fn hold(
    ledger: &Ledger,
    who: &Acting,
    license: &str,
    labels: Vec<String>,
    harvests: Vec<String>,
    hold: bool,
    reason: String,
) -> Result<()> {
    let scope = operator_scope(ledger, who, license).await?;
    let command = if hold { "hold" } else { "release" };
    let packages = harvests.is_empty();
    let (key, what, names) = if packages {
        ("Labels", "package(s)", labels)
    } else {
        ("Harvests", "harvest(s)", harvests)
    };
    let door = admin_door(
        command,
        json!({"LicenseNumber": license, key: names, "Reason": reason}),
    )
    .because(Some(&reason));
    let n = names.len();
    let run = if packages {
        let req = HoldSpec {
            labels: names,
            hold,
            reason,
        };
        ledger.run::<Hold>(&scope, door, &req).await
    } else {
        let req = HarvestHold { names, hold };
        ledger.run::<HoldHarvests>(&scope, door, &req).await
    };
    run.map_err(app_err)?;
    let done = if hold { "on hold" } else { "released" };
    println!("{n} {what} {done} at {license}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("data/t.db"), "data/t.db");
    }
}
