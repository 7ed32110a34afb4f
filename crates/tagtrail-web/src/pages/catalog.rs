//! Empty: the employees page moved to `crate::people` and the catalog's pages (items, strains,
//! locations, drivers and vehicles) to `crate::catalog`. This file and its `mod` line in
//! `pages/mod.rs` can go.
