//! The pages that are not about packages or transfers: signing in and out, the employee's
//! facilities, a license's catalog (items, strains, locations, employees), its UID tags and its
//! journal.

pub mod catalog;
pub mod home;
pub mod journal;
pub mod signin;
pub mod tags;

/// A page that does not exist.
pub async fn not_found() -> crate::error::WebError {
    crate::error::WebError::not_found("There is no such page.")
}
