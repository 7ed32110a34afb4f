//! The web UI on the composed ledger server, with the demo data, over real HTTP, on SQLite and
//! (with `TAGTRAIL_TEST_POSTGRES_URL`) PostgreSQL, with the journal verified after every test:
//! CSRF protection, sessions kept in the database, and what one license's pages show of
//! another's records. The web crate's own tests cover its pieces in-process; `webtests/` drives
//! the pages through a browser.

mod helpers {
    pub use tagtrail_testkit::*;
}

mod browser;
mod csrf;
mod cultivation;
mod deliveries;
mod imports;
mod inspection;
mod receipt;
mod sales;
mod sessions;
mod visibility;
mod webhooks;
