//! Authenticated callers and their facilities, cached under the identity epoch
//! ([`tagtrail_store::Store::identity_epoch`]).
//!
//! Every journal entry that changes who may do what (a facility, a user, an employment, an
//! inspection, a key) raises the epoch in its own transaction, so a cache entry read at the
//! current epoch is exactly what the database would answer: one read of the epoch replaces the
//! three reads of authentication and the two to four of a scope. The epoch lives in the
//! database, not in this process, so a write through another node or the command line ends the
//! entries here too. Refusals are not cached (they carry messages, and must stay cheap to
//! change); only what was found.

use super::Access;
use std::collections::HashMap;
use std::sync::Mutex;
use tagtrail_domain::records::{Facility, User};

/// Entries kept at most; past it the cache starts over (a flood of random keys cannot grow it).
const MAX_ENTRIES: usize = 50_000;

/// What authentication found for a pair of keys: the user and the vendor key's id.
#[derive(Clone)]
pub(super) struct Caller {
    pub(super) user: User,
    pub(super) vendor_key_id: i64,
}

#[derive(Default)]
struct Entries {
    epoch: i64,
    /// By (vendor key hash, user key hash).
    callers: HashMap<(String, String), Caller>,
    /// By (user id, folded license number).
    scopes: HashMap<(i64, String), (Facility, Access)>,
}

#[derive(Default)]
pub(crate) struct IdentityCache {
    entries: Mutex<Entries>,
}

impl IdentityCache {
    /// The entries if they were read at `epoch`; a newer epoch empties them first.
    fn read_at(&self, epoch: i64) -> Option<std::sync::MutexGuard<'_, Entries>> {
        let mut e = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if e.epoch < epoch {
            e.callers.clear();
            e.scopes.clear();
            e.epoch = epoch;
        }
        (e.epoch == epoch).then_some(e)
    }

    /// The entries to add to at `epoch`, unless a newer epoch has been seen meanwhile (what was
    /// read at an older one is not kept).
    fn write_at(&self, epoch: i64) -> Option<std::sync::MutexGuard<'_, Entries>> {
        let mut e = self.read_at(epoch)?;
        if e.callers.len() + e.scopes.len() >= MAX_ENTRIES {
            e.callers.clear();
            e.scopes.clear();
        }
        Some(e)
    }

    pub(super) fn caller(&self, epoch: i64, keys: &(String, String)) -> Option<Caller> {
        self.read_at(epoch)?.callers.get(keys).cloned()
    }

    pub(super) fn keep_caller(&self, epoch: i64, keys: (String, String), caller: Caller) {
        if let Some(mut e) = self.write_at(epoch) {
            e.callers.insert(keys, caller);
        }
    }

    pub(super) fn scope(&self, epoch: i64, key: &(i64, String)) -> Option<(Facility, Access)> {
        self.read_at(epoch)?.scopes.get(key).cloned()
    }

    pub(super) fn keep_scope(&self, epoch: i64, key: (i64, String), found: (Facility, Access)) {
        if let Some(mut e) = self.write_at(epoch) {
            e.scopes.insert(key, found);
        }
    }
}
