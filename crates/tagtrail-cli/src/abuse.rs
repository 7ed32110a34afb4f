//! `tagtrail abuse`: how a well-behaved caller fares while someone else abuses the ledger
//! (issue 14, "Under abuse" and "Hardening under load"). It prints figures and asserts nothing;
//! the figures go into the issue's notes.
//!
//! A fresh demo ledger is seeded (SQLite in a temporary directory, or a new PostgreSQL database
//! with `--postgres-admin-url`) and served in-process on loopback with its normal limits
//! (`Config::default()`: 50 GETs/s per facility, 150/s per vendor key, the sign-in throttle).
//!
//! The **victim** is an ordinary integrator: the demo's vendor key with the manufacturer's user
//! key, asking for the first page of its active packages at a steady, open-loop pace
//! (`--victim-rate`, 10/s by default, well under every limit), each request on a new connection
//! as an occasional caller's would be, so that the accept path is measured too. Its latency is
//! counted from when the request was due to when its answer (whatever it was) arrived, so a
//! server that stalls cannot hide it by delaying the next send. The scenarios, each `--seconds`
//! long with the victim running beside:
//!
//! 1. **quiet**: the victim alone; every other figure is a ratio to this one.
//! 2. **flood, other key**: a second vendor key (issued for the run) at 20× the per-key limit,
//!    paced, reading the cultivator's packages.
//! 3. **same integrator, other facility**: the victim's own vendor key at 20× the per-facility
//!    limit on the distributor. Requests refused by the distributor's limit must not spend the
//!    vendor key's budget; the issue measured 19–54 % 429s for the victim here.
//! 4. **sign-in flood, one address**: `--sign-in-clients` clients posting wrong passwords for the
//!    demo's web users to `/ui/login` (with a matching double-submit CSRF token), all from
//!    127.0.0.1: the per-account and per-address throttle should refuse most before argon2 runs.
//! 5. **sign-in flood, many addresses**: the same, but every attempt comes from its own address in
//!    127.0.0.0/8 with an invented username, so no throttle recognises it and only a cap on
//!    concurrent password checks stands between the flood and the API's cores.
//! 6. **slow connections**: thousands of connections (`--slow-connections`, capped by the file
//!    descriptor limit, which is raised to its hard limit if it can be: client and server share
//!    this process, so each connection costs two) that send part of a request header and never
//!    finish it; cut off, they connect again. They all come from one address (127.0.0.9), one
//!    attacker's, which the server's per-address connection share bounds.
//!
//! The whole sequence runs `--rounds` times (3 by default), quiet first each time. A scenario's
//! p50 and p99 are taken over the victim's requests in all rounds, whatever their answer (300
//! by default, so p99 is not simply the slowest one), and compared with the quiet scenario's,
//! pooled alike; each round's own ratio is printed beside, to show how much one round says.
//! The attackers start a second before the victim and stop a second after it. The server runs
//! on the command's runtime; the victim and the attackers each on a runtime of their own, as
//! separate processes would, but all on the same cores.
//!
//! The issue's goal: an abusive key at 20× its limit, or a sign-in flood, leaves another key's
//! p99 within 1.5× of its quiet value.

use anyhow::{Context, Result, anyhow};
use serde_json::json;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;
use tagtrail_app::actions::people::IssueVendorKey;
use tagtrail_app::{Acting, Config, Door, Ledger};
use tagtrail_demo::DemoCredentials;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;
use tokio::time::Instant;

/// The goal's bound on the victim's p99 under abuse, as a multiple of its quiet p99.
const GOAL_RATIO: f64 = 1.5;
/// How much earlier than the victim the attackers start (and how much later they stop), so the
/// victim meets the attack at full strength.
const RAMP: Duration = Duration::from_secs(1);
/// Longest the victim waits for one answer; a request still unanswered then counts as an error.
const VICTIM_TIMEOUT: Duration = Duration::from_secs(10);
/// Multiple of a limit the floods ask for.
const FLOOD_FACTOR: u32 = 20;
/// File descriptors kept back from the slow connections for the database, the victim and the
/// server's own needs.
const FD_RESERVE: u64 = 1024;

#[derive(clap::Args)]
pub struct Options {
    /// Use this database (default: a fresh SQLite file in a temporary directory).
    #[arg(long)]
    database_url: Option<String>,
    /// Create a fresh PostgreSQL database on this server for the run (it is left in place).
    #[arg(long)]
    postgres_admin_url: Option<String>,
    /// Seconds the victim runs in each scenario.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The victim's requests per second (open loop; keep it well under 50/s, a facility's limit).
    #[arg(long, default_value_t = 10.0)]
    victim_rate: f64,
    /// Concurrent clients of the sign-in floods.
    #[arg(long, default_value_t = 8)]
    sign_in_clients: usize,
    /// Connections the slow-header scenario holds open (capped by the file descriptor limit).
    #[arg(long, default_value_t = 20_000)]
    slow_connections: u64,
    /// Times the whole sequence of scenarios runs, quiet included; a scenario's figures are
    /// taken over all its rounds' requests, and each round's ratio is printed beside them.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    rounds: u32,
}

/// Where and as whom a GET caller asks.
#[derive(Clone)]
struct Caller {
    base: String,
    vendor_key: String,
    user_key: String,
    license: String,
}

impl Caller {
    fn active_page(&self, http: &reqwest::Client) -> reqwest::RequestBuilder {
        http.get(format!(
            "{}/packages/v2/active?licenseNumber={}&pageNumber=1&pageSize=20",
            self.base, self.license
        ))
        .basic_auth(&self.vendor_key, Some(&self.user_key))
    }
}

/// What the victim saw in one scenario (in one round, or in all of them together).
#[derive(Default, Clone)]
struct Seen {
    latencies: Vec<Duration>,
    ok: u64,
    limited: u64,
    errors: u64,
}

impl Seen {
    fn percentile_ms(&self, p: f64) -> f64 {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        if sorted.is_empty() {
            return 0.0;
        }
        let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[idx.min(sorted.len() - 1)].as_secs_f64() * 1e3
    }

    fn total(&self) -> u64 {
        self.ok + self.limited + self.errors
    }

    fn merge(&mut self, other: &Seen) {
        self.latencies.extend_from_slice(&other.latencies);
        self.ok += other.ok;
        self.limited += other.limited;
        self.errors += other.errors;
    }
}

/// Answers counted by status, shared by an attacker's tasks.
#[derive(Default)]
struct Tally {
    ok: AtomicU64,
    unauthorized: AtomicU64,
    limited: AtomicU64,
    other: AtomicU64,
    failed: AtomicU64,
}

impl Tally {
    fn count(&self, status: Option<u16>) {
        let slot = match status {
            Some(200..=399) => &self.ok,
            Some(401) => &self.unauthorized,
            Some(429) => &self.limited,
            Some(_) => &self.other,
            None => &self.failed,
        };
        slot.fetch_add(1, Ordering::Relaxed);
    }

    fn get(slot: &AtomicU64) -> u64 {
        slot.load(Ordering::Relaxed)
    }
}

/// One scenario's run in one round.
struct Row {
    scenario: &'static str,
    seen: Seen,
    notes: String,
}

/// The server and what the scenarios need to reach it.
struct Setup {
    addr: SocketAddr,
    base: String,
    creds: DemoCredentials,
    other_vendor_key: String,
}

pub async fn run(opts: Options) -> Result<()> {
    let fd_limit = raise_fd_limit();
    let dir = std::env::temp_dir().join(format!("tagtrail-abuse-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = match (&opts.database_url, &opts.postgres_admin_url) {
        (Some(u), _) => u.clone(),
        (None, Some(admin)) => {
            tagtrail_app::audit::create_postgres_database(admin, "tagtrail_abuse")
                .await
                .map_err(|e| anyhow!("{e}"))?
        }
        (None, None) => dir.join("abuse.db").to_string_lossy().to_string(),
    };
    let ledger = Ledger::open(&url, Config::default())
        .await
        .context("opening the abuse database")?;
    let listener = crate::listen::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let base = format!("http://{addr}");
    let creds = tagtrail_demo::seed(&ledger, &base)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let other_vendor_key = issue_vendor_key(&ledger).await?;
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(tagtrail_ledger::serve(
        ledger.clone(),
        tagtrail_ledger::WebOptions::default(),
        None,
        listener,
        async move {
            let _ = stop_rx.await;
        },
    ));
    let setup = Setup {
        addr,
        base,
        creds,
        other_vendor_key,
    };
    println!(
        "tagtrail abuse: {} backend, default limits (50 GETs/s per facility, 150/s per vendor key), \
         victim at {}/s for {} s per scenario, open file limit {}; server and clients in one process on loopback",
        if url.starts_with("postgres") {
            format!("PostgreSQL ({url})")
        } else {
            "SQLite".to_string()
        },
        opts.victim_rate,
        opts.seconds,
        fd_limit.map_or("unknown".to_string(), |n| n.to_string()),
    );
    // Every round runs the whole sequence, quiet first, so that a drift of the host over the
    // minutes of a run falls on the quiet figure as much as on the others.
    let mut rounds = Vec::new();
    for round in 0..opts.rounds {
        eprintln!("round {} of {}", round + 1, opts.rounds);
        match scenarios(&opts, &setup, fd_limit).await {
            Ok(rows) => rounds.push(rows),
            Err(e) => {
                rounds.clear();
                eprintln!("abuse: {e:#}");
                break;
            }
        }
    }
    let _ = stop_tx.send(());
    let _ = server.await;
    ledger.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    if rounds.is_empty() {
        return Err(anyhow!("the scenarios did not run to the end"));
    }
    print_table(&rounds);
    Ok(())
}

/// Runs every scenario in turn, each on fresh runtimes for the victim and the attacker.
async fn scenarios(opts: &Options, s: &Setup, fd_limit: Option<u64>) -> Result<Vec<Row>> {
    let victim = Caller {
        base: s.base.clone(),
        vendor_key: s.creds.vendor_key.clone(),
        user_key: license(&s.creds, "manufacturer")?.user_key.clone(),
        license: license(&s.creds, "manufacturer")?.license_number.clone(),
    };
    let cultivator = license(&s.creds, "cultivator")?;
    let flood_other_key = Caller {
        vendor_key: s.other_vendor_key.clone(),
        user_key: cultivator.user_key.clone(),
        license: cultivator.license_number.clone(),
        ..victim.clone()
    };
    let distributor = license(&s.creds, "distributor")?;
    let flood_same_vendor = Caller {
        user_key: distributor.user_key.clone(),
        license: distributor.license_number.clone(),
        ..victim.clone()
    };
    let limits = Config::default().rate;
    let usernames = web_usernames(&s.creds);
    let secs = opts.seconds;
    let attack_secs = secs + 2 * RAMP.as_secs();
    // One-off costs (the database pool's connections, statement caches) are paid before the
    // quiet run, so that they do not pass for its p99.
    let warm = runtime("abuse-victim", 1)?;
    let _ = warm
        .spawn(run_victim(victim.clone(), opts.victim_rate, 1))
        .await;
    warm.shutdown_background();
    let mut rows = Vec::new();

    rows.push(scenario("quiet", opts, &victim, async { String::new() }).await?);
    let rate = f64::from(FLOOD_FACTOR * limits.per_vendor_key_per_second);
    rows.push(
        scenario(
            "flood, other key (20× key limit)",
            opts,
            &victim,
            async move { flood(flood_other_key, rate, 64, attack_secs).await },
        )
        .await?,
    );
    let rate = f64::from(FLOOD_FACTOR * limits.per_facility_per_second);
    rows.push(
        scenario(
            "same key, other facility (20×)",
            opts,
            &victim,
            async move { flood(flood_same_vendor, rate, 32, attack_secs).await },
        )
        .await?,
    );
    let (addr, clients) = (s.addr, opts.sign_in_clients);
    rows.push(
        scenario("sign-in flood, one address", opts, &victim, async move {
            sign_in_flood(addr, clients, usernames, false, attack_secs).await
        })
        .await?,
    );
    rows.push(
        scenario("sign-in flood, many addresses", opts, &victim, async move {
            sign_in_flood(addr, clients, Vec::new(), true, attack_secs).await
        })
        .await?,
    );
    let count = slow_connection_count(opts.slow_connections, fd_limit);
    rows.push(
        scenario("slow connections", opts, &victim, async move {
            slow_connections(addr, count, attack_secs).await
        })
        .await?,
    );
    Ok(rows)
}

fn license<'a>(creds: &'a DemoCredentials, kind: &str) -> Result<&'a tagtrail_demo::DemoLicense> {
    creds
        .licenses
        .iter()
        .find(|l| l.license_type == kind)
        .with_context(|| format!("the demo has no {kind} license"))
}

/// Everyone the demo lets sign in to the web UI.
fn web_usernames(creds: &DemoCredentials) -> Vec<String> {
    let mut names: Vec<String> = creds.licenses.iter().map(|l| l.username.clone()).collect();
    names.extend(creds.restricted.iter().map(|r| r.username.clone()));
    names.extend(creds.inspector.iter().map(|i| i.username.clone()));
    names
}

/// A second integrator's vendor key, issued by the operator as `tagtrail admin vendor-key` does.
async fn issue_vendor_key(ledger: &Ledger) -> Result<String> {
    let name = "Abusive Integrator".to_string();
    let door = Door::operator("tagtrail abuse", json!({ "Name": name }))
        .because(Some("A second integrator for the abuse measurement"));
    let (_, k) = ledger
        .run_system::<IssueVendorKey>(&Acting::operator("abuse"), door, &name)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    Ok(k.key)
}

/// One scenario: `attack` on its own runtime, the victim on another once the attack is under
/// way. The attack's result is the row's notes.
async fn scenario<A>(name: &'static str, opts: &Options, victim: &Caller, attack: A) -> Result<Row>
where
    A: Future<Output = String> + Send + 'static,
{
    eprintln!("scenario: {name}");
    let attacker = runtime("abuse-attacker", 2)?;
    let victim_rt = runtime("abuse-victim", 1)?;
    let attack = attacker.spawn(attack);
    tokio::time::sleep(RAMP).await;
    let seen = victim_rt
        .spawn(run_victim(victim.clone(), opts.victim_rate, opts.seconds))
        .await?;
    let notes = attack.await?;
    victim_rt.shutdown_background();
    attacker.shutdown_background();
    // Let the limiters' buckets refill and the last connections close before the next one.
    tokio::time::sleep(Duration::from_secs(2)).await;
    Ok(Row {
        scenario: name,
        seen,
        notes,
    })
}

fn runtime(name: &str, workers: usize) -> Result<Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name(name)
        .enable_all()
        .build()?)
}

/// The victim: `rate` GETs a second for `seconds`, each sent when due whatever the earlier ones
/// are doing (open loop), each on a new connection.
async fn run_victim(caller: Caller, rate: f64, seconds: u64) -> Seen {
    let http = match reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(VICTIM_TIMEOUT)
        .build()
    {
        Ok(h) => h,
        Err(_) => return Seen::default(),
    };
    let start = Instant::now();
    let total = (rate * seconds as f64).round() as u64;
    let mut sent = Vec::new();
    for i in 0..total {
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due).await;
        let req = caller.active_page(&http);
        sent.push(tokio::spawn(async move {
            let status = req.send().await.ok().map(|r| r.status().as_u16());
            (due.elapsed(), status)
        }));
    }
    let mut seen = Seen::default();
    for task in sent {
        let Ok((latency, status)) = task.await else {
            seen.errors += 1;
            continue;
        };
        seen.latencies.push(latency);
        match status {
            Some(200..=299) => seen.ok += 1,
            Some(429) => seen.limited += 1,
            _ => seen.errors += 1,
        }
    }
    seen
}

/// GETs by `caller` at `rate` a second over at most `connections` kept-alive connections, for
/// `seconds`. Uses the bench's driver, whose printed latencies here include each request's wait
/// for its slot in the pace.
async fn flood(caller: Caller, rate: f64, connections: usize, seconds: u64) -> String {
    let http = match reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
    {
        Ok(h) => h,
        Err(e) => return format!("no client: {e}"),
    };
    let tally = Arc::new(Tally::default());
    let start = Instant::now();
    let t = tally.clone();
    let label = format!("  flood at {rate:.0}/s (paced)");
    let driven = crate::bench::drive(&label, seconds, connections, move |n| {
        let due = start + Duration::from_secs_f64(n as f64 / rate);
        let req = caller.active_page(&http);
        let t = t.clone();
        async move {
            tokio::time::sleep_until(due).await;
            let status = req.send().await.ok().map(|r| r.status().as_u16());
            t.count(status);
            status.is_some()
        }
    })
    .await;
    let elapsed = start.elapsed().as_secs_f64();
    let sent = Tally::get(&tally.ok)
        + Tally::get(&tally.limited)
        + Tally::get(&tally.other)
        + Tally::get(&tally.unauthorized);
    let mut notes = format!(
        "flood {:.0}/s answered (asked {rate:.0}/s): {} ok, {} 429, {} other, {} failed",
        sent as f64 / elapsed,
        Tally::get(&tally.ok),
        Tally::get(&tally.limited),
        Tally::get(&tally.other) + Tally::get(&tally.unauthorized),
        Tally::get(&tally.failed),
    );
    if let Err(e) = driven {
        notes.push_str(&format!(" (driver: {e})"));
    }
    notes
}

/// `clients` closed-loop clients posting wrong passwords to the sign-in form for `seconds`:
/// for `usernames` in turn from 127.0.0.1, or (`spread`) each attempt for an invented username
/// from an address of its own.
async fn sign_in_flood(
    server: SocketAddr,
    clients: usize,
    usernames: Vec<String>,
    spread: bool,
    seconds: u64,
) -> String {
    let tally = Arc::new(Tally::default());
    let t = tally.clone();
    let usernames = Arc::new(usernames);
    let start = Instant::now();
    let driven = crate::bench::drive("  sign-in attempts", seconds, clients, move |n| {
        let (from, username) = if spread || usernames.is_empty() {
            (spread_address(n), format!("guess-{n}"))
        } else {
            let name = &usernames[(n as usize) % usernames.len()];
            (IpAddr::V4(Ipv4Addr::LOCALHOST), name.clone())
        };
        let t = t.clone();
        async move {
            let status = sign_in_once(server, from, &username).await.ok();
            t.count(status);
            status.is_some()
        }
    })
    .await;
    let elapsed = start.elapsed().as_secs_f64();
    let checked = Tally::get(&tally.unauthorized);
    let refused = Tally::get(&tally.limited);
    let mut notes = format!(
        "{:.0} sign-ins/s: {checked} checked (401), {refused} refused (429), {} other, {} failed",
        (checked + refused + Tally::get(&tally.other) + Tally::get(&tally.ok)) as f64 / elapsed,
        Tally::get(&tally.other) + Tally::get(&tally.ok),
        Tally::get(&tally.failed),
    );
    if let Err(e) = driven {
        notes.push_str(&format!(" (driver: {e})"));
    }
    notes
}

/// The `n`th attacker's own loopback address: 127.a.b.c, never 127.0.0.1 (the victim's) nor a
/// network or broadcast address.
fn spread_address(n: u64) -> IpAddr {
    let c = 1 + (n % 254) as u8;
    let b = ((n / 254) % 256) as u8;
    let a = 2 + ((n / (254 * 256)) % 250) as u8;
    IpAddr::V4(Ipv4Addr::new(127, a, b, c))
}

/// One wrong-password sign-in from `from`, on a connection of its own; the answer's status.
/// The sign-in form has no session, so its CSRF check is a double-submit token: the same
/// value in the `tagtrail_signin` cookie and the form's `csrf` field.
async fn sign_in_once(server: SocketAddr, from: IpAddr, username: &str) -> std::io::Result<u16> {
    const TOKEN: &str = "abuseabuseabuseabuseabuseabuseabuseabuseabuseabu";
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    let mut stream = tokio::time::timeout(VICTIM_TIMEOUT, socket.connect(server)).await??;
    let body = format!("csrf={TOKEN}&username={username}&password=not-the-password");
    let request = format!(
        "POST /ui/login HTTP/1.1\r\nHost: {server}\r\nCookie: tagtrail_signin={TOKEN}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await?;
    read_status(&mut stream).await
}

/// The status code of the HTTP/1.1 answer arriving on `stream` (the rest is not read).
async fn read_status(stream: &mut TcpStream) -> std::io::Result<u16> {
    let mut head = Vec::with_capacity(64);
    let mut buf = [0u8; 64];
    while head.len() < 12 {
        let n = tokio::time::timeout(VICTIM_TIMEOUT, stream.read(&mut buf)).await??;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    std::str::from_utf8(head.get(9..12).unwrap_or_default())
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no HTTP status line"))
}

/// Slow connections that fit beside everything else: each costs a descriptor at both ends.
fn slow_connection_count(asked: u64, fd_limit: Option<u64>) -> u64 {
    let open_now = std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count() as u64);
    match fd_limit {
        Some(limit) => asked.min(limit.saturating_sub(open_now + FD_RESERVE) / 2),
        None => asked.min(1000),
    }
}

/// Counts of the slow-connection attack.
#[derive(Default)]
struct SlowTally {
    opened: AtomicU64,
    cut_off: AtomicU64,
    refused: AtomicU64,
    open: AtomicI64,
    most_open: AtomicI64,
}

/// `count` clients that each open a connection, send part of a request header and wait; when
/// the server cuts one off, it connects again, until `seconds` have passed.
async fn slow_connections(server: SocketAddr, count: u64, seconds: u64) -> String {
    let tally = Arc::new(SlowTally::default());
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..count)
        .map(|_| tokio::spawn(slow_client(server, deadline, tally.clone())))
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    format!(
        "{count} slow clients: {} connections opened, at most {} open at once, {} cut off by the server, {} connects failed or timed out",
        tally.opened.load(Ordering::Relaxed),
        tally.most_open.load(Ordering::Relaxed),
        tally.cut_off.load(Ordering::Relaxed),
        tally.refused.load(Ordering::Relaxed),
    )
}

/// The slow clients' address.
const SLOW_FROM: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9));

/// A connection to `server` from the loopback address `from`.
async fn connect_from(from: IpAddr, server: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    socket.connect(server).await
}

async fn slow_client(server: SocketAddr, deadline: Instant, tally: Arc<SlowTally>) {
    const PARTIAL: &[u8] = b"GET /packages/v2/active HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    while Instant::now() < deadline {
        // A server that stops accepting leaves connects waiting in (or dropped from) its backlog.
        // One attacker: every slow connection comes from one address that is not the victim's.
        let connect = tokio::time::timeout(Duration::from_secs(2), connect_from(SLOW_FROM, server));
        let Ok(Ok(Ok(mut stream))) = tokio::time::timeout_at(deadline, connect).await else {
            tally.refused.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        tally.opened.fetch_add(1, Ordering::Relaxed);
        let now_open = tally.open.fetch_add(1, Ordering::Relaxed) + 1;
        tally.most_open.fetch_max(now_open, Ordering::Relaxed);
        let mut buf = [0u8; 256];
        if stream.write_all(PARTIAL).await.is_ok() {
            // Whatever the server does next (a 408, or closing) ends this connection's wait.
            if tokio::time::timeout_at(deadline, stream.read(&mut buf))
                .await
                .is_ok()
            {
                tally.cut_off.fetch_add(1, Ordering::Relaxed);
            }
        }
        tally.open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The soft limit on open files, first raised to the hard limit when it is lower. Without
/// `unsafe` (forbidden here) the process cannot call setrlimit itself, so it asks util-linux's
/// `prlimit` to change it from outside; if that is missing, the soft limit stays.
fn raise_fd_limit() -> Option<u64> {
    let (soft, hard) = fd_limits()?;
    if soft < hard {
        let pid = std::process::id().to_string();
        let to = format!("--nofile={hard}:{hard}");
        let _ = std::process::Command::new("prlimit")
            .args(["--pid", &pid, &to])
            .status();
    }
    fd_limits().map(|(soft, _)| soft)
}

/// The soft and hard limits on open files, from /proc/self/limits ("unlimited" read as
/// u64::MAX).
fn fd_limits() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    let mut fields = line["Max open files".len()..].split_whitespace();
    let parse = |s: Option<&str>| match s? {
        "unlimited" => Some(u64::MAX),
        n => n.parse().ok(),
    };
    Some((parse(fields.next())?, parse(fields.next())?))
}

fn print_table(rounds: &[Vec<Row>]) {
    let Some(first) = rounds.first() else { return };
    // Each scenario's requests over every round, and each round's ratio to its own quiet p99.
    let pooled = |i: usize| {
        let mut seen = Seen::default();
        for round in rounds {
            if let Some(row) = round.get(i) {
                seen.merge(&row.seen);
            }
        }
        seen
    };
    let ratio = |p99: f64, quiet: f64| if quiet > 0.0 { p99 / quiet } else { 0.0 };
    let quiet_p99 = pooled(0).percentile_ms(0.99);
    println!();
    println!(
        "| scenario | victim p50 | victim p99 | p99 ratio to quiet | each round's ratio | victim errors / 429 | notes (last round) |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (i, row) in first.iter().enumerate() {
        let seen = pooled(i);
        let p99 = seen.percentile_ms(0.99);
        let all = ratio(p99, quiet_p99);
        let each: Vec<String> = rounds
            .iter()
            .filter_map(|round| {
                let quiet = round.first()?.seen.percentile_ms(0.99);
                Some(format!(
                    "{:.2}",
                    ratio(round.get(i)?.seen.percentile_ms(0.99), quiet)
                ))
            })
            .collect();
        let notes = rounds
            .last()
            .and_then(|round| round.get(i))
            .map_or("", |r| r.notes.as_str());
        let total = seen.total().max(1);
        println!(
            "| {} | {:.2} ms | {:.2} ms | {:.2}{} | {} | {} / {} ({:.1} % 429) of {} | {} |",
            row.scenario,
            seen.percentile_ms(0.50),
            p99,
            all,
            if all > GOAL_RATIO { " (over 1.5)" } else { "" },
            each.join(", "),
            seen.errors,
            seen.limited,
            seen.limited as f64 * 100.0 / total as f64,
            seen.total(),
            notes,
        );
    }
    println!(
        "\nvictim: GET /packages/v2/active (page of 20), new connection per request, latency from when each was due; \
         {} round(s), p50 and p99 over all rounds' requests; goal: p99 within {GOAL_RATIO}× of quiet",
        rounds.len()
    );
}
