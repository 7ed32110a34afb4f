//! The harness: a real ledger server on `127.0.0.1:0` over a fresh store (a SQLite file, and a
//! fresh PostgreSQL database when `TAGTRAIL_TEST_POSTGRES_URL` names a server), seeded with the
//! demo dataset, spoken to over real HTTP.
//!
//! The demo is seeded once per backend per test process and each test gets a fresh copy of that
//! seeded store (a copied SQLite file, or `CREATE DATABASE … TEMPLATE` on PostgreSQL).
//!
//! Every test runs through [`for_each_backend`] (or [`for_each_backend_with`]): once per backend,
//! and after the test body the journal chain and every projection are verified with
//! `tagtrail_store::verify` — the chain verifies after every test.
//!
//! Sandbox mode (fault injection on the Metrc API, a settable clock) is started with
//! [`TestApp::start_sandbox`], [`for_each_backend_sandbox`] or [`StartOptions`]; the test reaches
//! the server's [`Sandbox`] through [`TestApp::sandbox`].

use base64::Engine;
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;
use tagtrail_app::actions::packages::{Hold, OpenBalance, OpeningBalance};
use tagtrail_app::actions::tags::Ship;
use tagtrail_app::{Acting, Config, Door, Ledger, RateLimits, Written};
use tagtrail_demo::{self as demo, DemoCredentials};
use tagtrail_domain::commands::packages::{HoldSpec, NewPackage};
use tagtrail_domain::lab_state::LabState;
pub use tagtrail_ledger::sandbox::{self, ClockOffset, Faults, Injected, Report, Sandbox};
use tagtrail_metrc::client::Client;

pub const CULTIVATOR: &str = "CCL21-0001001";
pub const MANUFACTURER: &str = "CDPH-10003301";
pub const DISTRIBUTOR: &str = "C11-0000701-LIC";
pub const LAB: &str = "C8-0000042-LIC";
pub const RETAILER: &str = "C10-0000911-LIC";

/// Where a test's store lives.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// The admin URL of a PostgreSQL server; each test gets a fresh database on it.
    Postgres(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

/// SQLite, and PostgreSQL too when `TAGTRAIL_TEST_POSTGRES_URL` is set. CI's PostgreSQL step
/// also sets `TAGTRAIL_TEST_SKIP_SQLITE=1`: its SQLite step has already run every test on
/// SQLite, and running them again there bought nothing but minutes.
pub fn backends() -> Vec<Backend> {
    let skip_sqlite = std::env::var("TAGTRAIL_TEST_SKIP_SQLITE").is_ok_and(|v| v == "1");
    let mut out = if skip_sqlite {
        vec![]
    } else {
        vec![Backend::Sqlite]
    };
    if let Ok(url) = std::env::var("TAGTRAIL_TEST_POSTGRES_URL")
        && !url.trim().is_empty()
    {
        out.push(Backend::Postgres(url));
    }
    out
}

/// The ledger's defaults, except GET rate limits high enough that a test issuing many reads in
/// quick succession is never throttled (the rate-limit test sets its own).
pub fn test_config() -> Config {
    Config {
        rate: RateLimits {
            per_facility_per_second: 100_000,
            per_vendor_key_per_second: 100_000,
            concurrent_per_facility: 1_000,
            concurrent_per_vendor_key: 1_000,
        },
        ..Config::default()
    }
}

/// Runs `test` against every backend with [`test_config`], verifying the journal after each.
pub async fn for_each_backend(test: impl AsyncFn(&TestApp)) {
    for_each_backend_with(test_config(), test).await;
}

/// Runs `test` against every backend with a custom `config`, verifying the journal after each.
pub async fn for_each_backend_with(config: Config, test: impl AsyncFn(&TestApp)) {
    for_each_backend_started(
        StartOptions {
            config,
            ..StartOptions::default()
        },
        test,
    )
    .await;
}

/// Runs `test` against every backend in sandbox mode with `faults` (all zero: the control
/// endpoints are on and nothing is injected), verifying the journal after each.
pub async fn for_each_backend_sandbox(faults: Faults, test: impl AsyncFn(&TestApp)) {
    for_each_backend_started(StartOptions::sandbox(faults), test).await;
}

/// Runs `test` against every backend started with `options`, verifying the journal after each.
pub async fn for_each_backend_started(options: StartOptions, test: impl AsyncFn(&TestApp)) {
    for backend in backends() {
        let app = TestApp::start_with(&backend, options.clone()).await;
        test(&app).await;
        app.finish().await;
    }
}

/// How [`TestApp::start_with`] starts a ledger.
#[derive(Clone)]
pub struct StartOptions {
    pub config: Config,
    /// Sandbox mode with these faults; `None` (the default) serves as production does: no
    /// control endpoints, nothing injected.
    pub sandbox: Option<Faults>,
    /// Seconds the ledger's clock runs off real time *from before the demo was seeded*
    /// (negative: behind), left set for the test. Non-zero seeds a fresh store with the shift
    /// instead of copying the shared template, so that the whole history carries shifted times:
    /// only then can a clock behind real time stamp new entries behind real time (a clock set
    /// back later holds new stamps just after the newest entry). Costs a seeding per test.
    pub clock_offset_seconds: i64,
}

impl Default for StartOptions {
    fn default() -> Self {
        StartOptions {
            config: test_config(),
            sandbox: None,
            clock_offset_seconds: 0,
        }
    }
}

impl StartOptions {
    /// Sandbox mode with `faults`, the test configuration, and the real clock.
    pub fn sandbox(faults: Faults) -> Self {
        StartOptions {
            sandbox: Some(faults),
            ..StartOptions::default()
        }
    }
}

/// A running ledger server with the demo dataset.
pub struct TestApp {
    pub backend: &'static str,
    pub base_url: String,
    pub creds: DemoCredentials,
    /// A plain HTTP client (no credentials attached).
    pub http: reqwest::Client,
    /// The ledger the server runs on, for in-process operator actions (e.g. shipping tags).
    pub ledger: Ledger,
    /// The server's sandbox (fault rates and counters) when started in sandbox mode.
    sandbox: Option<Sandbox>,
    clients: HashMap<String, Client>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    dir: tempfile::TempDir,
    /// The PostgreSQL database of this test, dropped at the end (also when the test panics).
    postgres: Option<ScratchDatabase>,
    /// The database the ledger opened, for [`TestApp::restart`].
    url: String,
    /// A second node serving the same database (`TAGTRAIL_TEST_TWO_NODES=1` on PostgreSQL):
    /// requests alternate between the two.
    second: Option<Node>,
    turn: std::sync::atomic::AtomicUsize,
}

/// Another `tagtrail serve` on the same database: its own ledger (its own caches, limiter and
/// pool), on its own port.
pub struct Node {
    pub ledger: Ledger,
    pub base_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Node {
    /// Serves the database at `url` as a node of its own until [`Node::stop`].
    pub async fn start(url: &str, config: Config) -> Node {
        let ledger = Ledger::open(url, config)
            .await
            .expect("the second node opens the store");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let base_url = format!("http://{}", listener.local_addr().expect("a bound address"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(tagtrail_ledger::serve(
            ledger.clone(),
            tagtrail_ledger::WebOptions::default(),
            None,
            listener,
            async move {
                let _ = rx.await;
            },
        ));
        Node {
            ledger,
            base_url,
            shutdown: Some(tx),
            server,
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match tokio::time::timeout(Duration::from_secs(10), &mut self.server).await {
            Ok(joined) => joined
                .expect("the second node's task")
                .expect("the second node stops cleanly"),
            Err(_) => self.server.abort(),
        }
        self.ledger.close().await;
    }
}

/// Whether tests run against two nodes on one PostgreSQL database (`TAGTRAIL_TEST_TWO_NODES=1`).
/// Sandbox mode and a shifted clock live in one process, so those tests keep one node.
fn two_nodes(backend: &Backend, sandbox: bool, clock_offset_seconds: i64) -> bool {
    matches!(backend, Backend::Postgres(_))
        && !sandbox
        && clock_offset_seconds == 0
        && std::env::var("TAGTRAIL_TEST_TWO_NODES").is_ok_and(|v| v == "1")
}

/// A per-test PostgreSQL database. [`TestApp::finish`] drops it; if a test panics first, `Drop`
/// does, from a thread of its own (the test's runtime is unwinding).
struct ScratchDatabase {
    admin: String,
    name: String,
}

impl ScratchDatabase {
    async fn drop_database(admin: &str, name: &str) {
        let mut conn = admin_connection(admin).await;
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await;
    }

    /// Drops the database now; `Drop` then has nothing left to do.
    async fn drop_now(mut self) {
        let name = std::mem::take(&mut self.name);
        Self::drop_database(&self.admin, &name).await;
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        if self.name.is_empty() {
            return;
        }
        let (admin, name) = (self.admin.clone(), std::mem::take(&mut self.name));
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(Self::drop_database(&admin, &name));
            }
        })
        .join();
    }
}

/// A seeded demo dataset, made once per backend per test process: each test gets its own copy
/// (argon2 makes seeding slow in a debug build, seconds per run). The copy is the store exactly
/// as `demo::seed` left it, so every test starts from the same fresh, seeded ledger.
struct SqliteTemplate {
    db: Vec<u8>,
    wal: Option<Vec<u8>>,
    creds: DemoCredentials,
}

struct PostgresTemplate {
    name: String,
    creds: DemoCredentials,
}

static SQLITE_TEMPLATE: tokio::sync::OnceCell<SqliteTemplate> = tokio::sync::OnceCell::const_new();
static POSTGRES_TEMPLATE: tokio::sync::OnceCell<PostgresTemplate> =
    tokio::sync::OnceCell::const_new();

/// An empty database for another component's tests (the workbench keeps its own, never the
/// ledger's): a SQLite file in a directory of its own, or a new PostgreSQL database on the
/// server, dropped by [`EmptyDatabase::drop_now`] or, if a test panics first, when it goes.
pub struct EmptyDatabase {
    /// What the component opens: a file path, or a `postgres://` URL.
    pub url: String,
    postgres: Option<ScratchDatabase>,
    _dir: tempfile::TempDir,
}

impl EmptyDatabase {
    /// A new empty database on `backend`, its name starting with `prefix` on PostgreSQL.
    pub async fn create(backend: &Backend, prefix: &str) -> EmptyDatabase {
        let dir = tempfile::tempdir().expect("a temporary directory");
        match backend {
            Backend::Sqlite => EmptyDatabase {
                url: dir
                    .path()
                    .join(format!("{prefix}.db"))
                    .to_string_lossy()
                    .into_owned(),
                postgres: None,
                _dir: dir,
            },
            Backend::Postgres(admin) => {
                let name = format!("{prefix}_{}_{}", std::process::id(), unique());
                let mut conn = admin_connection(admin).await;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("the test database is created");
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
                EmptyDatabase {
                    url: format!("{base}/{name}"),
                    postgres: Some(ScratchDatabase {
                        admin: admin.clone(),
                        name,
                    }),
                    _dir: dir,
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// Drops a PostgreSQL database now (its users must have closed their connections); a
    /// SQLite file goes with its directory.
    pub async fn drop_now(mut self) {
        if let Some(db) = self.postgres.take() {
            db.drop_now().await;
        }
    }
}

const PG_PREFIX: &str = "tagtrail_api";
const PG_TEMPLATE_PREFIX: &str = "tagtrail_api_tmpl";

async fn seed_store(url: &str) -> DemoCredentials {
    seed_store_shifted(url, 0).await
}

/// Seeds the demo into the store at `url` with the ledger's clock `clock_offset_seconds` off.
async fn seed_store_shifted(url: &str, clock_offset_seconds: i64) -> DemoCredentials {
    let ledger = Ledger::open(url, Config::default())
        .await
        .expect("the template store opens");
    ledger
        .set_clock_offset(clock_offset_seconds)
        .expect("a clock offset the ledger accepts");
    let creds = demo::seed(&ledger, "http://template.invalid")
        .await
        .expect("the demo seeds");
    ledger.close().await;
    creds
}

async fn sqlite_template() -> &'static SqliteTemplate {
    SQLITE_TEMPLATE
        .get_or_init(|| async {
            let dir = tempfile::tempdir().expect("a temporary directory");
            let path = dir.path().join("template.db");
            let creds = seed_store(&path.to_string_lossy()).await;
            let wal = std::fs::read(dir.path().join("template.db-wal")).ok();
            SqliteTemplate {
                db: std::fs::read(&path).expect("the template file"),
                wal,
                creds,
            }
        })
        .await
}

async fn admin_connection(admin: &str) -> sqlx::AnyConnection {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(admin)
        .await
        .expect("the PostgreSQL server accepts connections")
}

/// The process id encoded in a template database's name, so that templates left by finished
/// test runs can be dropped.
fn template_owner(name: &str) -> Option<u32> {
    name.strip_prefix(PG_TEMPLATE_PREFIX)?
        .strip_prefix('_')?
        .split('_')
        .next()?
        .parse()
        .ok()
}

async fn postgres_template(admin: &str) -> &'static PostgresTemplate {
    POSTGRES_TEMPLATE
        .get_or_init(|| async {
            use sqlx::Row;
            let mut conn = admin_connection(admin).await;
            // Templates of earlier test processes that have exited.
            let rows = sqlx::query("SELECT datname::text AS datname FROM pg_database WHERE datname LIKE 'tagtrail_api_tmpl_%'")
                .fetch_all(&mut conn)
                .await
                .expect("pg_database is readable");
            for row in rows {
                let name: String = row.try_get("datname").expect("datname");
                if let Some(pid) = template_owner(&name)
                    && pid != std::process::id()
                    && !std::path::Path::new(&format!("/proc/{pid}")).exists()
                {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
                }
            }
            let name = format!("{PG_TEMPLATE_PREFIX}_{}_{}", std::process::id(), unique());
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("the template database is created");
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
            let creds = seed_store(&format!("{base}/{name}")).await;
            PostgresTemplate { name, creds }
        })
        .await
}

fn unique() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{nanos:x}{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

impl TestApp {
    /// A ledger with `config`, out of sandbox mode, on the real clock.
    pub async fn start(backend: &Backend, config: Config) -> TestApp {
        TestApp::start_with(
            backend,
            StartOptions {
                config,
                ..StartOptions::default()
            },
        )
        .await
    }

    /// A ledger in sandbox mode with `faults`, the test configuration and the real clock.
    pub async fn start_sandbox(backend: &Backend, faults: Faults) -> TestApp {
        TestApp::start_with(backend, StartOptions::sandbox(faults)).await
    }

    pub async fn start_with(backend: &Backend, options: StartOptions) -> TestApp {
        let StartOptions {
            config,
            sandbox,
            clock_offset_seconds,
        } = options;
        let sandbox =
            sandbox.map(|faults| Sandbox::new(faults).expect("fault settings the sandbox accepts"));
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (url, postgres, mut creds) = match backend {
            Backend::Sqlite if clock_offset_seconds != 0 => {
                let path = dir.path().join("ledger.db");
                let url = path.to_string_lossy().into_owned();
                let creds = seed_store_shifted(&url, clock_offset_seconds).await;
                (url, None, creds)
            }
            Backend::Postgres(admin) if clock_offset_seconds != 0 => {
                let name = format!("{PG_PREFIX}_{}_{}", std::process::id(), unique());
                let mut conn = admin_connection(admin).await;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("the test database is created");
                let scratch = ScratchDatabase {
                    admin: admin.clone(),
                    name: name.clone(),
                };
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
                let url = format!("{base}/{name}");
                let creds = seed_store_shifted(&url, clock_offset_seconds).await;
                (url, Some(scratch), creds)
            }
            Backend::Sqlite => {
                let t = sqlite_template().await;
                let path = dir.path().join("ledger.db");
                std::fs::write(&path, &t.db).expect("the store file is written");
                if let Some(wal) = &t.wal {
                    std::fs::write(dir.path().join("ledger.db-wal"), wal)
                        .expect("the WAL file is written");
                }
                (path.to_string_lossy().into_owned(), None, t.creds.clone())
            }
            Backend::Postgres(admin) => {
                let t = postgres_template(admin).await;
                let name = format!("{PG_PREFIX}_{}_{}", std::process::id(), unique());
                let mut conn = admin_connection(admin).await;
                // A template may be copied only while nobody is connected to it; concurrent
                // copies can briefly see each other, so retry.
                let mut attempt = 0;
                loop {
                    match sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {}", t.name))
                        .execute(&mut conn)
                        .await
                    {
                        Ok(_) => break,
                        Err(_) if attempt < 50 => {
                            attempt += 1;
                            tokio::time::sleep(Duration::from_millis(100)).await;
                        }
                        Err(e) => panic!("cannot copy the template database: {e}"),
                    }
                }
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin);
                (
                    format!("{base}/{name}"),
                    Some(ScratchDatabase {
                        admin: admin.clone(),
                        name,
                    }),
                    t.creds.clone(),
                )
            }
        };
        let two = two_nodes(backend, sandbox.is_some(), clock_offset_seconds);
        // Two nodes enforce one rate limit, as a deployment of several nodes must.
        let config = Config {
            shared_rate_limits: config.shared_rate_limits || two,
            ..config
        };
        let second = if two {
            Some(Node::start(&url, config.clone()).await)
        } else {
            None
        };
        let ledger = Ledger::open(&url, config).await.expect("the store opens");
        // The offset lives in the open store, not the database: the seeding ledger's is gone.
        ledger
            .set_clock_offset(clock_offset_seconds)
            .expect("a clock offset the ledger accepts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let base_url = format!("http://{}", listener.local_addr().expect("a bound address"));
        creds.base_url = base_url.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(tagtrail_ledger::serve(
            ledger.clone(),
            tagtrail_ledger::WebOptions::default(),
            sandbox.clone(),
            listener,
            async move {
                let _ = rx.await;
            },
        ));
        let mut clients = HashMap::new();
        for l in &creds.licenses {
            clients.insert(
                l.license_number.clone(),
                Client::new(&base_url, &creds.vendor_key, &l.user_key),
            );
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client");
        TestApp {
            backend: backend.name(),
            base_url,
            creds,
            http,
            ledger,
            sandbox,
            clients,
            shutdown: Some(tx),
            server,
            dir,
            postgres,
            url,
            second,
            turn: Default::default(),
        }
    }

    /// Where the next request goes: this node, or with a second node every other request there.
    pub fn next_base_url(&self) -> &str {
        match &self.second {
            Some(n) if self.turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 2 == 1 => {
                &n.base_url
            }
            _ => &self.base_url,
        }
    }

    /// A direct connection to the test's database, beside the server (for what only the
    /// database shows: a row's physical tier, a forged row).
    pub async fn raw_connection(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        let url = if self.url.starts_with("postgres") {
            self.url.clone()
        } else {
            format!("sqlite://{}", self.url)
        };
        <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
            .await
            .expect("a direct connection")
    }

    /// Whether a second node serves the same database (requests alternate).
    pub fn two_nodes(&self) -> bool {
        self.second.is_some()
    }

    /// The database the ledger opened: a SQLite path or a `postgres://` URL.
    pub fn database_url(&self) -> &str {
        &self.url
    }

    /// Stops the server and closes the ledger, then opens the same database again and serves it
    /// on a new port (what a process restart does; nothing in memory survives).
    pub async fn restart(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        match tokio::time::timeout(Duration::from_secs(10), &mut self.server).await {
            Ok(joined) => joined
                .expect("the server task")
                .expect("the server stops cleanly"),
            Err(_) => self.server.abort(),
        }
        let config = self.ledger.config.clone();
        if let Some(n) = self.second.take() {
            n.stop().await;
            self.second = Some(Node::start(&self.url, config.clone()).await);
        }
        self.ledger.close().await;
        self.ledger = Ledger::open(&self.url, config)
            .await
            .expect("the store opens again");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        self.base_url = format!("http://{}", listener.local_addr().expect("a bound address"));
        self.creds.base_url = self.base_url.clone();
        self.clients = self
            .creds
            .licenses
            .iter()
            .map(|l| {
                (
                    l.license_number.clone(),
                    Client::new(&self.base_url, &self.creds.vendor_key, &l.user_key),
                )
            })
            .collect();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        self.server = tokio::spawn(tagtrail_ledger::serve(
            self.ledger.clone(),
            tagtrail_ledger::WebOptions::default(),
            self.sandbox.clone(),
            listener,
            async move {
                let _ = rx.await;
            },
        ));
        self.shutdown = Some(tx);
    }

    /// Verifies the journal chain and projections, then stops the server and drops the store.
    pub async fn finish(mut self) {
        let scratch = self.dir.path().join("verify-scratch.db");
        let report = self.ledger.verify(&scratch).await.expect("verify runs");
        assert!(
            report.ok(),
            "[{}] the journal chain and projections must verify: {report:?}",
            self.backend
        );
        assert!(
            report.entries > 0 && report.rows > 0,
            "[{}] verify saw nothing: {report:?}",
            self.backend
        );
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(n) = self.second.take() {
            n.stop().await;
        }
        drop(self.http);
        drop(self.clients);
        match tokio::time::timeout(Duration::from_secs(10), &mut self.server).await {
            Ok(joined) => joined
                .expect("the server task")
                .expect("the server stops cleanly"),
            Err(_) => self.server.abort(),
        }
        self.ledger.close().await;
        if let Some(db) = self.postgres.take() {
            db.drop_now().await;
        }
    }

    // ---- sandbox mode ------------------------------------------------------------------

    /// The server's sandbox: its fault settings and counters, shared with the server (setting
    /// faults here is the same as `PUT /tagtrail/v1/sandbox/faults`). Panics unless the app was
    /// started in sandbox mode.
    #[track_caller]
    pub fn sandbox(&self) -> &Sandbox {
        self.sandbox
            .as_ref()
            .expect("the app was started in sandbox mode (TestApp::start_sandbox)")
    }

    // ---- the operator ------------------------------------------------------------------

    /// The door of the harness's own operator actions.
    fn operator_door(what: &str) -> Door {
        Door::operator("test harness", serde_json::json!({ "Test": what }))
    }

    /// The state's tag supplier ships order `id` (the operator's act).
    pub async fn ship_tags(&self, id: i64) -> Written {
        let door = Self::operator_door("ship tags");
        self.ledger
            .run_system::<Ship>(&Acting::operator("test"), door, &id)
            .await
            .expect("the operator ships the order")
            .0
    }

    /// The operator enters an opening balance at `license`.
    pub async fn opening_balance(
        &self,
        license: &str,
        package: NewPackage,
        lab_state: &str,
    ) -> Written {
        let lab_state = LabState::parse(lab_state).expect("a lab testing state");
        let scope = self
            .ledger
            .authorize(&Acting::operator("test"), license, &[])
            .await
            .expect("the license exists");
        let req = OpeningBalance { package, lab_state };
        self.ledger
            .run::<OpenBalance>(&scope, Self::operator_door("opening balance"), &req)
            .await
            .expect("the operator enters an opening balance")
    }

    /// The regulator's administrative hold (`hold`) or release of packages (rule 34).
    pub async fn hold(
        &self,
        license: &str,
        labels: &[String],
        hold: bool,
        reason: &str,
    ) -> Written {
        let scope = self
            .ledger
            .authorize(&Acting::operator("test"), license, &[])
            .await
            .expect("the license exists");
        let req = HoldSpec {
            labels: labels.to_vec(),
            hold,
            reason: reason.into(),
        };
        let door = Self::operator_door("hold").because(Some(reason));
        self.ledger
            .run::<Hold>(&scope, door, &req)
            .await
            .expect("the operator holds or releases the packages")
    }

    /// The package tags shipped to `license` and not yet received (the operator knows the labels
    /// printed on a shipment; the licensee's API does not list them until receipt).
    pub async fn shipped_tags(&self, license: &str) -> Vec<tagtrail_domain::records::Tag> {
        use tagtrail_app::reads::{Column, ListQuery};
        let scope = self
            .ledger
            .authorize(&Acting::operator("test"), license, &[])
            .await
            .expect("the license exists");
        let q = ListQuery::default()
            .with(Column::Kind, ["Package"])
            .with(Column::Status, ["Shipped"]);
        self.ledger.list(&scope, q).await.expect("tags").rows
    }

    /// What `tagtrail audit verify` runs: the journal chain and every projection, replayed.
    pub async fn verify(&self) -> tagtrail_app::audit::VerifyReport {
        let dir = tempfile::tempdir().expect("a temporary directory");
        self.ledger
            .verify(&dir.path().join("verify.db"))
            .await
            .expect("verify runs")
    }

    // ---- credentials -------------------------------------------------------------------

    /// The user key of the demo employee who holds every permission at `license`.
    pub fn user_key(&self, license: &str) -> &str {
        &self
            .creds
            .licenses
            .iter()
            .find(|l| l.license_number == license)
            .unwrap_or_else(|| panic!("no demo license {license}"))
            .user_key
    }

    /// The clerk at the distributor: only "View Employees" and "Manage Tags".
    pub fn clerk_key(&self) -> &str {
        let clerk = self
            .creds
            .restricted
            .first()
            .expect("the demo seeds a restricted clerk");
        assert_eq!(clerk.license_number, DISTRIBUTOR);
        &clerk.user_key
    }

    /// A Metrc client acting as the demo employee of `license`.
    pub fn client(&self, license: &str) -> &Client {
        self.clients
            .get(license)
            .unwrap_or_else(|| panic!("no client for {license}"))
    }

    // ---- raw HTTP ----------------------------------------------------------------------

    /// A request with no credentials and no query yet.
    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        Call {
            app: self,
            method,
            path: path.to_string(),
            auth: None,
            query: vec![],
            body: None,
            headers: vec![],
        }
    }

    /// `GET path?licenseNumber=license` as that license's employee.
    pub fn get(&self, license: &str, path: &str) -> Call<'_> {
        self.call(Method::GET, path)
            .acting_as(license)
            .license(license)
    }

    /// `POST path?licenseNumber=license` with a JSON body, as that license's employee.
    pub fn post(&self, license: &str, path: &str, body: Value) -> Call<'_> {
        self.call(Method::POST, path)
            .acting_as(license)
            .license(license)
            .json(body)
    }

    /// `PUT path?licenseNumber=license` with a JSON body, as that license's employee.
    pub fn put(&self, license: &str, path: &str, body: Value) -> Call<'_> {
        self.call(Method::PUT, path)
            .acting_as(license)
            .license(license)
            .json(body)
    }

    /// `DELETE path?licenseNumber=license` as that license's employee.
    pub fn delete(&self, license: &str, path: &str) -> Call<'_> {
        self.call(Method::DELETE, path)
            .acting_as(license)
            .license(license)
    }

    // ---- conveniences over the API -------------------------------------------------------

    /// Every record of an (unpaged) list endpoint: the envelope's `Data`, or a bare array.
    pub async fn list(&self, license: &str, path: &str) -> Vec<Value> {
        let resp = self.get(license, path).send().await.ok();
        match resp.json() {
            Value::Array(rows) => rows,
            Value::Object(mut env) => match env.remove("Data") {
                Some(Value::Array(rows)) => rows,
                other => panic!("GET {path}: no Data array in the envelope: {other:?}"),
            },
            other => panic!("GET {path}: not a list: {other}"),
        }
    }

    /// The `Name`s of an (unpaged) list endpoint, sorted.
    pub async fn names(&self, license: &str, path: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .list(license, path)
            .await
            .iter()
            .map(|r| str_field(r, "Name"))
            .collect();
        names.sort();
        names
    }

    /// Every journal entry of `license`, newest first, read through `GET /tagtrail/v1/journal`
    /// (paged back with `before`).
    pub async fn journal(&self, license: &str) -> Vec<Value> {
        let mut out: Vec<Value> = Vec::new();
        loop {
            let mut call = self
                .get(license, "/tagtrail/v1/journal")
                .query("pageSize", "20");
            if let Some(last) = out.last() {
                call = call.query("before", &int_field(last, "Seq").to_string());
            }
            let page = call.send().await.ok().json();
            let page = page.as_array().expect("the journal is an array").clone();
            if page.is_empty() {
                return out;
            }
            out.extend(page);
        }
    }

    /// The newest journal entry of `license`.
    pub async fn journal_head(&self, license: &str) -> Value {
        let page = self
            .get(license, "/tagtrail/v1/journal")
            .query("pageSize", "1")
            .send()
            .await
            .ok()
            .json();
        page.as_array()
            .and_then(|a| a.first())
            .cloned()
            .expect("the license has journal entries")
    }
}

/// A request being built.
pub struct Call<'a> {
    app: &'a TestApp,
    method: Method,
    path: String,
    auth: Option<String>,
    query: Vec<(String, String)>,
    body: Option<(String, Vec<u8>)>,
    headers: Vec<(String, String)>,
}

impl Call<'_> {
    /// Basic auth with the demo vendor key and the user key of `license`'s employee.
    pub fn acting_as(self, license: &str) -> Self {
        let (v, u) = (
            self.app.creds.vendor_key.clone(),
            self.app.user_key(license).to_string(),
        );
        self.keys(&v, &u)
    }

    /// Basic auth as the restricted clerk at the distributor.
    pub fn acting_as_clerk(self) -> Self {
        let (v, u) = (
            self.app.creds.vendor_key.clone(),
            self.app.clerk_key().to_string(),
        );
        self.keys(&v, &u)
    }

    /// Basic auth with these keys.
    pub fn keys(self, vendor_key: &str, user_key: &str) -> Self {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{vendor_key}:{user_key}"));
        self.authorization(&format!("Basic {encoded}"))
    }

    /// A literal `Authorization` header.
    pub fn authorization(mut self, value: &str) -> Self {
        self.auth = Some(value.to_string());
        self
    }

    /// No `Authorization` header at all.
    pub fn no_auth(mut self) -> Self {
        self.auth = None;
        self
    }

    /// Replaces any `licenseNumber` in the query.
    pub fn license(mut self, license: &str) -> Self {
        self.query.retain(|(k, _)| k != "licenseNumber");
        self.query.push(("licenseNumber".into(), license.into()));
        self
    }

    pub fn without_license(mut self) -> Self {
        self.query.retain(|(k, _)| k != "licenseNumber");
        self
    }

    pub fn query(mut self, key: &str, value: &str) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some((
            "application/json".into(),
            serde_json::to_vec(&body).expect("JSON serializes"),
        ));
        self
    }

    pub fn raw_body(mut self, body: &str) -> Self {
        self.body = Some(("application/json".into(), body.as_bytes().to_vec()));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The request, ready to send (for concurrent sends from spawned tasks, with [`Resp::read`]).
    pub fn build(self) -> (String, reqwest::RequestBuilder) {
        let url = format!("{}{}", self.app.next_base_url(), self.path);
        let what = format!("[{}] {} {}", self.app.backend, self.method, self.path);
        let mut req = self.app.http.request(self.method, &url).query(&self.query);
        if let Some(a) = &self.auth {
            req = req.header(reqwest::header::AUTHORIZATION, a);
        }
        if let Some((ct, bytes)) = self.body {
            req = req.header(reqwest::header::CONTENT_TYPE, ct).body(bytes);
        }
        for (k, v) in &self.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        (what, req)
    }

    pub async fn send(self) -> Resp {
        let (what, req) = self.build();
        Resp::read(what, req).await
    }
}

/// A response, read in full.
#[derive(Debug)]
pub struct Resp {
    pub what: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    /// Sends `req` and reads the whole answer; `what` names the request in failure messages.
    pub async fn read(what: String, req: reqwest::RequestBuilder) -> Resp {
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{what}: transport error: {e}"));
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp
            .text()
            .await
            .unwrap_or_else(|e| panic!("{what}: body unreadable: {e}"));
        Resp {
            what,
            status,
            headers,
            body,
        }
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn status(self, want: u16) -> Self {
        assert_eq!(
            self.status, want,
            "{}: expected HTTP {want}, got {}: {}",
            self.what, self.status, self.body
        );
        self
    }

    /// Asserts 200.
    #[track_caller]
    pub fn ok(self) -> Self {
        self.status(200)
    }

    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{}: body is not JSON ({e}): {:?}", self.what, self.body))
    }

    /// The message of a `{"Message": "..."}` body, asserting that this is exactly the shape.
    #[track_caller]
    pub fn message(&self) -> String {
        let v = self.json();
        let obj = v
            .as_object()
            .unwrap_or_else(|| panic!("{}: error body is not an object: {v}", self.what));
        assert_eq!(
            obj.len(),
            1,
            "{}: error body must be exactly {{\"Message\"}}: {v}",
            self.what
        );
        obj.get("Message")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{}: no string Message: {v}", self.what))
            .to_string()
    }

    /// The `(row, message)` pairs of a `[{"row": i, "message": "..."}]` body, asserting the shape.
    #[track_caller]
    pub fn rows(&self) -> Vec<(u64, String)> {
        let v = self.json();
        let rows = v
            .as_array()
            .unwrap_or_else(|| panic!("{}: a row-error body is an array: {v}", self.what));
        assert!(
            !rows.is_empty(),
            "{}: a row-error body names at least one row",
            self.what
        );
        rows.iter()
            .map(|r| {
                let o = r
                    .as_object()
                    .unwrap_or_else(|| panic!("{}: row error is not an object: {r}", self.what));
                assert_eq!(
                    o.len(),
                    2,
                    "{}: row errors have exactly `row` and `message`: {r}",
                    self.what
                );
                let row = o
                    .get("row")
                    .and_then(Value::as_u64)
                    .unwrap_or_else(|| panic!("{}: no numeric `row`: {r}", self.what));
                let msg = o
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_else(|| panic!("{}: no string `message`: {r}", self.what));
                (row, msg.to_string())
            })
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

/// A string field of a JSON record (PascalCase key), panicking when absent or not a string.
#[track_caller]
pub fn str_field(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string {key} in {v}"))
        .to_string()
}

/// An integer field of a JSON record (PascalCase key), panicking when absent or not an integer.
#[track_caller]
pub fn int_field(v: &Value, key: &str) -> i64 {
    v.get(key)
        .and_then(Value::as_i64)
        .unwrap_or_else(|| panic!("no integer {key} in {v}"))
}

/// The text of a decimal field (`ThcLevel`, `UnitThcContent`, ...), which must be a JSON number:
/// Metrc sends decimals as numbers (`metrc-v2-api.md` §4), and exactly as given (`0.1865`, not a
/// binary float's nearest neighbour).
#[track_caller]
pub fn decimal(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::Number(n)) => n.to_string(),
        other => panic!("{key} is not a JSON number in {v}: {other:?}"),
    }
}

/// The `Ids` of a create answer `{"Ids": [...], "Warnings": ...}`.
#[track_caller]
pub fn ids(resp: &Resp) -> Vec<i64> {
    let v = resp.json();
    v.get("Ids")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("{}: no Ids array: {v}", resp.what))
        .iter()
        .map(|i| {
            i.as_i64()
                .unwrap_or_else(|| panic!("{}: Ids holds a non-integer: {v}", resp.what))
        })
        .collect()
}

/// The record with `Name == name` in `rows`, if any.
pub fn by_name<'a>(rows: &'a [Value], name: &str) -> Option<&'a Value> {
    rows.iter()
        .find(|r| r.get("Name").and_then(Value::as_str) == Some(name))
}

/// Asserts that every object key in `v`, recursively, is PascalCase (starts upper-case), except
/// inside fields holding free-form JSON (`Request`).
#[track_caller]
pub fn assert_pascal_case(v: &Value, at: &str) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                assert!(
                    k.chars().next().is_some_and(|c| c.is_ascii_uppercase()),
                    "{at}: key {k:?} is not PascalCase"
                );
                if k != "Request" {
                    assert_pascal_case(child, &format!("{at}.{k}"));
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                assert_pascal_case(item, &format!("{at}[{i}]"));
            }
        }
        _ => {}
    }
}

/// Package tags the demo's opening order left available at `license`: each package the license
/// made (active or not) used one of the 50 received tags.
pub async fn demo_tags_left(app: &TestApp, license: &str) -> usize {
    // Every package made at `license` used one of its tags, wherever the package is now: it may
    // have moved on a manifest, so every license's lists are counted.
    let mut made = 0;
    for holder in [CULTIVATOR, MANUFACTURER, DISTRIBUTOR, LAB, RETAILER] {
        for list in ["active", "inactive", "intransit"] {
            made += app
                .list(holder, &format!("/packages/v2/{list}"))
                .await
                .iter()
                .filter(|p| p["PackagedByFacilityLicenseNumber"] == license)
                .count();
        }
    }
    50 - made
}
