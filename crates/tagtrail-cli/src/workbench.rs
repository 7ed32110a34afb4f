//! `tagtrail workbench …`: the licensee's compliance app (issue 10), its own server and
//! database, talking to Metrc only over the Metrc v2 API.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::backup;
use tagtrail_workbench::model::role::Role;
use tagtrail_workbench::model::window::Policy;
use tagtrail_workbench::people::Caller;
use tagtrail_workbench::sync::{Progress, Trigger};
use tagtrail_workbench::vault::{KEK_ENV, Kek, Secret};
use tagtrail_workbench::{Config, Environment, Workbench};

const DEFAULT_DB: &str = "tagtrail-data/workbench.db";

#[derive(Args, Clone)]
pub struct Settings {
    /// The workbench's own database: a SQLite file path (created if missing) or a postgres:// URL.
    /// Never the ledger's.
    #[arg(long, env = "TAGTRAIL_WORKBENCH_DATABASE_URL", default_value = DEFAULT_DB, global = true)]
    pub database_url: String,
    /// The key-encryption key file (base64 of 32 bytes; `tagtrail workbench kek` makes one).
    /// Without it the key is read from TAGTRAIL_WORKBENCH_KEK. Never kept in the database.
    #[arg(long, env = "TAGTRAIL_WORKBENCH_KEK_FILE", global = true)]
    pub kek_file: Option<PathBuf>,
    /// Which environment this installation is: production Metrc URLs and keys are refused
    /// anywhere but prod.
    #[arg(long, env = "TAGTRAIL_WORKBENCH_ENVIRONMENT", default_value = "dev", value_parser = Environment::parse, global = true)]
    pub environment: Environment,
    /// The widest lastModified window the Metrc server accepts, in hours.
    #[arg(long, default_value_t = 24, global = true)]
    pub window_hours: i64,
    /// How far each window reaches back into the one before, in seconds (clock drift margin).
    #[arg(long, default_value_t = 300, global = true)]
    pub overlap_seconds: i64,
    /// How far back a license's first sync reads, in days.
    #[arg(long, default_value_t = 30, global = true)]
    pub first_sync_days: i64,
    /// Requests per second the workbench allows itself per license (Metrc publishes 50).
    #[arg(long, default_value_t = 40, global = true)]
    pub rate_limit: u32,
}

impl Settings {
    pub fn config(&self) -> Config {
        Config {
            environment: self.environment,
            window: Policy {
                max_width: chrono::TimeDelta::hours(self.window_hours),
                overlap: chrono::TimeDelta::seconds(self.overlap_seconds),
            },
            first_sync_since: chrono::TimeDelta::days(self.first_sync_days),
            rate_limit_per_second: self.rate_limit,
            ..Config::default()
        }
    }

    pub async fn open(&self) -> Result<Workbench> {
        let kek = Kek::load(self.kek_file.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
        Workbench::open(&self.database_url, kek, self.config())
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "opening the workbench database {}: {e}",
                    crate::redact(&self.database_url)
                )
            })
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the workbench's web UI, sync every license on a schedule and send approved
    /// submissions.
    Serve {
        #[arg(
            long,
            env = "TAGTRAIL_WORKBENCH_LISTEN",
            default_value = "127.0.0.1:8081"
        )]
        listen: String,
        /// Minutes between incremental syncs of every license (0: only when asked).
        #[arg(long, default_value_t = 15)]
        sync_every_minutes: u64,
        #[command(flatten)]
        web: crate::WebArgs,
    },
    /// Sync now: every license with keys, or one, with a progress bar.
    Sync {
        #[arg(long)]
        license: Option<String>,
    },
    /// Print a new random key-encryption key (base64); keep it in a file readable only by the
    /// workbench's user, or in TAGTRAIL_WORKBENCH_KEK.
    Kek,
    /// Back up the workbench's database to one file (gzip'd JSON lines) while it serves. Web
    /// sign-ins are left out, and the key-encryption key is never in it: keep that separately.
    Backup {
        /// The file to write; never overwritten.
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into a new, empty database (either backend), kept only if the restored
    /// audit chain verifies and ends where the backup's does.
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// Verify the audit log's hash chain from its first entry.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The installation operator's set-up commands.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    Verify,
}

#[derive(Subcommand)]
pub enum AdminCommand {
    /// A company (brand) and the Metrc API its licenses live in.
    CreateCompany {
        #[arg(long)]
        name: String,
        /// e.g. https://sandbox-api-ca.metrc.com, or a tagtrail ledger's URL.
        #[arg(long)]
        metrc_url: String,
        /// The Metrc URL is a tagtrail ledger: registering and receiving manifests (which Metrc
        /// does only in its web UI) go to its /tagtrail/v1 extensions instead of becoming manual
        /// tasks.
        #[arg(long)]
        tagtrail_ledger: bool,
    },
    /// A license of a company (its Metrc license number) and the colour its pages carry.
    AddLicense {
        #[arg(long)]
        company: String,
        #[arg(long)]
        number: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        kind: String,
        #[arg(long, default_value = "#0e7490")]
        colour: String,
    },
    /// A user; the password is read from standard input (or TAGTRAIL_WORKBENCH_PASSWORD).
    /// Prints the TOTP secret once.
    CreateUser {
        /// The company; omit for an installation administrator.
        #[arg(long)]
        company: Option<String>,
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
    },
    /// Grant a role (admin, compliance_manager, qa, operator, viewer) in one license.
    Grant {
        #[arg(long)]
        username: String,
        #[arg(long)]
        license: String,
        #[arg(long)]
        role: String,
    },
    /// Store (or rotate) a company's Metrc vendor key, read from standard input.
    VendorKey {
        #[arg(long)]
        company: String,
        /// YYYY-MM-DD, for the expiry reminder.
        #[arg(long)]
        expires: Option<chrono::NaiveDate>,
    },
    /// Store (or rotate) a license's Metrc user key, read from standard input.
    UserKey {
        #[arg(long)]
        license: String,
        /// The key holder's employee license number (Metrc lists their permissions by it).
        #[arg(long)]
        holder: String,
        #[arg(long)]
        expires: Option<chrono::NaiveDate>,
    },
}

fn read_secret(what: &str, env: &str) -> Result<String> {
    if let Ok(v) = std::env::var(env) {
        return Ok(v);
    }
    if std::io::stdin().is_terminal() {
        eprintln!("{what} (then Enter, Ctrl-D):");
    }
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    let s = s.trim().to_string();
    if s.is_empty() {
        bail!("no {what} on standard input (or in {env})");
    }
    Ok(s)
}

async fn company_id(wb: &Workbench, name: &str) -> Result<i64> {
    wb.companies(&Caller::operator())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .into_iter()
        .find(|c| c.name == name)
        .map(|c| c.id)
        .with_context(|| format!("no company named {name}"))
}

/// A progress bar per run, on standard error.
pub fn progress_bar() -> impl Fn(&Progress) + Sync {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    move |p: &Progress| {
        bar.set_prefix(p.license.clone());
        bar.set_length(p.groups as u64);
        bar.set_position(p.group_index as u64);
        bar.set_message(format!(
            "{} window {}/{} · {} records",
            p.group, p.window, p.windows, p.records
        ));
    }
}

pub async fn run(settings: &Settings, command: Command) -> Result<i32> {
    if let Command::Kek = command {
        println!("{}", Kek::generate());
        return Ok(0);
    }
    match command {
        Command::Backup { out } => return backup(settings, &out).await,
        Command::Restore { from } => return restore(settings, &from).await,
        command => run_open(settings, command).await,
    }
}

/// Exit code of a restore refused because the file does not verify (as `audit verify` fails).
const REFUSED: i32 = 2;

fn head_words(h: &backup::Header) -> String {
    match &h.audit_head {
        Some(head) => format!("audit head entry {} hash {}", head.seq, head.hash),
        None => "no audit entries".into(),
    }
}

fn row_words(rows: &std::collections::BTreeMap<String, i64>) -> String {
    let n = |t: &str| rows.get(t).copied().unwrap_or(0);
    format!(
        "{} companies, {} licenses, {} users, {} synced records, {} submissions, {} audit entries",
        n("companies"),
        n("licenses"),
        n("users"),
        n("metrc_records"),
        n("submissions"),
        n("compliance_events")
    )
}

/// `tagtrail workbench backup --out FILE`.
async fn backup(settings: &Settings, out: &Path) -> Result<i32> {
    // Opening a SQLite path creates the file: a mistyped path in a nightly job would otherwise
    // back up a new, empty workbench every night without a word.
    if let Some(path) = backup::sqlite_file(&settings.database_url)
        && !path.exists()
    {
        bail!(
            "there is no workbench database at {}: check --database-url (a backup never creates one)",
            path.display()
        );
    }
    let wb = settings.open().await?;
    let started = std::time::Instant::now();
    let header = wb.backup(out).await.map_err(|e| anyhow::anyhow!("{e}"));
    wb.close().await;
    let header = header?;
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or_default();
    println!(
        "workbench backup of {} written to {} ({size} bytes, {:.1} s): {}; {}",
        crate::redact(&settings.database_url),
        out.display(),
        started.elapsed().as_secs_f64(),
        row_words(&header.rows),
        head_words(&header)
    );
    println!(
        "the key-encryption key is not in the backup: keep it separately, the Metrc keys and second factors in the backup open only with it"
    );
    Ok(0)
}

/// `tagtrail workbench restore --from FILE`.
async fn restore(settings: &Settings, from: &Path) -> Result<i32> {
    // Checked before the target is opened, so a wrong path creates no database.
    if !from.is_file() {
        bail!("there is no backup file at {}", from.display());
    }
    let created = backup::sqlite_file(&settings.database_url).filter(|p| !p.exists());
    let wb = settings.open().await?;
    let started = std::time::Instant::now();
    let outcome = wb.restore(from).await;
    wb.close().await;
    let target = crate::redact(&settings.database_url);
    let restored = matches!(outcome, Ok(backup::RestoreOutcome::Restored(_)));
    if !restored && let Some(path) = created {
        // A SQLite file this command created is removed again, so a second attempt starts from
        // the same place.
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    match outcome.map_err(|e| anyhow::anyhow!("{e}"))? {
        backup::RestoreOutcome::Restored(header) => {
            println!(
                "restored {} into {target} in {:.1} s: {} (backup taken {} from {})",
                from.display(),
                started.elapsed().as_secs_f64(),
                row_words(&header.rows),
                header.created_at,
                header.backend
            );
            println!(
                "ok: {}, as the backup names it; hash chain intact",
                head_words(&header)
            );
            println!(
                "web sign-ins are not restored: everyone signs in again. Metrc keys open only with the key-encryption key the backup was taken under."
            );
            Ok(0)
        }
        backup::RestoreOutcome::TargetNotEmpty(what) => {
            bail!("refusing to restore into {target}: {what}. Restore into a new, empty database")
        }
        backup::RestoreOutcome::Refused { problem } => {
            println!("REFUSED: {problem}");
            println!(
                "nothing was kept: {target} holds no workbench data (the restore rolled back)"
            );
            Ok(REFUSED)
        }
    }
}

async fn run_open(settings: &Settings, command: Command) -> Result<i32> {
    let wb = settings.open().await?;
    let op = Caller::operator();
    let err = |e: tagtrail_workbench::WbError| anyhow::anyhow!("{e}");
    match command {
        Command::Kek | Command::Backup { .. } | Command::Restore { .. } => {}
        Command::Serve {
            listen,
            sync_every_minutes,
            web,
        } => {
            let listener = crate::listen::bind(&listen).await?;
            println!(
                "tagtrail workbench on http://{listen} ({} environment, database {})",
                settings.environment.as_str(),
                crate::redact(&settings.database_url)
            );
            serve(wb, listener, web.workbench_options(), sync_every_minutes).await?;
        }
        Command::Sync { license } => {
            let show = progress_bar();
            let licenses = wb.all_licenses().await.map_err(err)?;
            let mut failed = false;
            for l in licenses
                .iter()
                .filter(|l| license.as_deref().is_none_or(|n| n == l.number))
            {
                let started = std::time::Instant::now();
                match wb.sync_license(l, None, Trigger::Manual, &show).await {
                    Ok(r) => {
                        let secs = started.elapsed().as_secs_f64();
                        println!(
                            "{}: run {} — {} records ({:.0}/s), {} new versions, {} windows, {} requests{}",
                            l.number,
                            r.run_id,
                            r.records,
                            r.records as f64 / secs.max(0.001),
                            r.new_versions,
                            r.windows,
                            r.requests,
                            if r.errors.is_empty() {
                                String::new()
                            } else {
                                format!("; errors: {}", r.errors.join("; "))
                            }
                        );
                        failed |= !r.errors.is_empty();
                    }
                    Err(e) => {
                        println!("{}: {e}", l.number);
                        failed = true;
                    }
                }
            }
            return Ok(if failed { 2 } else { 0 });
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let v = wb.verify_audit().await.map_err(err)?;
            match v.problem {
                None => println!(
                    "ok: {} audit entries, hash chain intact (head {})",
                    v.entries, v.head
                ),
                Some(b) => {
                    println!(
                        "FAILED at entry {} after {} good entries: {}",
                        b.seq, v.entries, b.problem
                    );
                    return Ok(2);
                }
            }
        }
        Command::Admin { command } => match command {
            AdminCommand::CreateCompany {
                name,
                metrc_url,
                tagtrail_ledger,
            } => {
                let id = wb
                    .create_company(&op, Door::Cli, &name, &metrc_url)
                    .await
                    .map_err(err)?;
                if tagtrail_ledger {
                    wb.set_ledger_extensions(&op, Door::Cli, id, true)
                        .await
                        .map_err(err)?;
                }
                println!(
                    "company {id}: {name} ({metrc_url}{})",
                    if tagtrail_ledger {
                        ", a tagtrail ledger"
                    } else {
                        ""
                    }
                );
            }
            AdminCommand::AddLicense {
                company,
                number,
                name,
                kind,
                colour,
            } => {
                let c = company_id(&wb, &company).await?;
                wb.add_license(&op, Door::Cli, c, &number, &name, &kind, &colour)
                    .await
                    .map_err(err)?;
                println!("license {number} ({name}) added to {company}");
            }
            AdminCommand::CreateUser {
                company,
                username,
                full_name,
            } => {
                let c = match company {
                    Some(c) => Some(company_id(&wb, &c).await?),
                    None => None,
                };
                let password = read_secret("password", "TAGTRAIL_WORKBENCH_PASSWORD")?;
                let u = wb
                    .create_user(&op, Door::Cli, c, &username, &full_name, &password)
                    .await
                    .map_err(err)?;
                println!(
                    "user {username} created; TOTP secret (add it to an authenticator app now, it is not shown again): {}",
                    u.totp_secret
                );
            }
            AdminCommand::Grant {
                username,
                license,
                role,
            } => {
                let r = Role::parse(&role).with_context(|| {
                    format!(
                        "{role} is not a role (admin, compliance_manager, qa, operator, viewer)"
                    )
                })?;
                wb.grant(&op, Door::Cli, &username, &license, r)
                    .await
                    .map_err(err)?;
                println!("{} granted to {username} at {license}", r.label());
            }
            AdminCommand::VendorKey { company, expires } => {
                let c = company_id(&wb, &company).await?;
                let key = read_secret("vendor key", "TAGTRAIL_WORKBENCH_KEY")?;
                let key = Secret::new(key);
                wb.store_vendor_key(&op, Door::Cli, c, key.clone(), expires)
                    .await
                    .map_err(err)?;
                println!("vendor key {} stored for {company}", key.masked());
            }
            AdminCommand::UserKey {
                license,
                holder,
                expires,
            } => {
                let key = Secret::new(read_secret("user key", "TAGTRAIL_WORKBENCH_KEY")?);
                wb.store_user_key_as_operator(&license, key.clone(), &holder, expires)
                    .await
                    .map_err(err)?;
                println!("user key {} stored for {license}", key.masked());
            }
        },
    }
    Ok(0)
}

/// Serves the web UI with the outbox worker (every few seconds) and the sync scheduler beside
/// it, until a shutdown signal.
pub async fn serve(
    wb: Workbench,
    listener: tokio::net::TcpListener,
    options: tagtrail_workbench_web::WebOptions,
    sync_every_minutes: u64,
) -> Result<()> {
    let worker = wb.clone();
    let outbox = tokio::spawn(async move {
        loop {
            if let Err(e) = worker.deliver_pending().await {
                tracing::warn!(error = %e, "outbox round failed");
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    });
    let scheduler = (sync_every_minutes > 0).then(|| {
        let wb = wb.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(sync_every_minutes * 60)).await;
                for (license, r) in wb.sync_all(&|_| {}).await {
                    match r {
                        Ok(r) if r.errors.is_empty() => {
                            tracing::info!(license, records = r.records, "sync finished")
                        }
                        Ok(r) => tracing::warn!(
                            license,
                            errors = r.errors.len(),
                            "sync finished with errors"
                        ),
                        Err(e) => tracing::warn!(license, error = %e, "sync failed"),
                    }
                }
            }
        })
    });
    let served =
        tagtrail_workbench_web::serve(wb, options, listener, crate::shutdown_signal()).await;
    outbox.abort();
    if let Some(s) = scheduler {
        s.abort();
    }
    served.context("serving the workbench")
}

/// The demo's workbench: on the first run it is set up for the demo brand through its own
/// application layer and synced from the ledger (which must be serving); later runs reuse it.
pub async fn demo(
    dir: &Path,
    creds: &mut tagtrail_demo::DemoCredentials,
    listen: &str,
) -> Result<Workbench> {
    let kek_path = dir.join("workbench.kek");
    if !kek_path.exists() {
        crate::write_private(&kek_path, &Kek::generate())?;
    }
    let settings = Settings {
        database_url: dir.join("workbench.db").to_string_lossy().to_string(),
        kek_file: Some(kek_path),
        environment: Environment::Dev,
        window_hours: 24,
        overlap_seconds: 300,
        first_sync_days: 2,
        rate_limit: 40,
    };
    let wb = settings.open().await?;
    let url = format!("http://{listen}");
    match &mut creds.workbench {
        Some(w) => w.url = url,
        None => {
            let w = tagtrail_demo::workbench::seed(&wb, creds, &url)
                .await
                .map_err(|e| anyhow::anyhow!("setting up the demo workbench: {e}"))?;
            creds.workbench = Some(w);
        }
    }
    let _ = KEK_ENV;
    Ok(wb)
}
