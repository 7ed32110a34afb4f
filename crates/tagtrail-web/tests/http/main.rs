//! The web UI over HTTP, in-process: CSRF protection, database sessions, sign-in throttling,
//! cookies and security headers. The pages themselves are driven through a browser by
//! `webtests/`; the composed server with the demo data by `tagtrail-ledger`'s `web` tests.

// A test's unwrap is its assertion that the step succeeds.
#![allow(clippy::unwrap_used)]

mod csrf;
mod harness;
mod headers;
mod sessions;
mod throttle;
