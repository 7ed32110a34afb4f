//! Integration tests of the ledger's HTTP API: a real server per test on `127.0.0.1:0`, spoken
//! to over real HTTP, against SQLite and (with `TAGTRAIL_TEST_POSTGRES_URL`) PostgreSQL, with the
//! journal chain and projections verified after every test. See `helpers.rs` for the harness.

/// The harness lives in `tagtrail-testkit`, shared with other suites.
mod helpers {
    pub use tagtrail_testkit::*;
}

mod additives;
mod auth;
mod bodies;
mod changes;
mod deliveries;
mod doors;
mod harvest_holds;
mod harvests;
mod imports;
mod items;
mod journal;
mod leaks;
mod locations;
mod nodes;
mod onboarding;
mod packages;
mod paging;
mod plant_packages;
mod plantbatches;
mod plants;
mod ratelimit;
mod reference;
mod sales;
mod sales_import;
mod sandbox;
mod seed_to_sale;
mod server;
mod strains;
mod tags;
mod transfers;
mod transporters;
mod webhooks;
mod windows;
mod wire;
