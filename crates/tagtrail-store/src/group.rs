//! Group commit: the write transactions of writers that queue behind one another share one
//! database transaction and one commit (one fsync on SQLite, one WAL flush on PostgreSQL).
//!
//! The write turn is still taken by one writer at a time, in arrival order, and each writer
//! still sees everything written before it (its neighbours' entries are in the same
//! transaction), so the chain's order and every decision are exactly as with one commit per
//! writer. What changes is when the work becomes durable:
//!
//! - A writer works inside a **savepoint** of the group's transaction. A writer that fails or is
//!   dropped half-way (a rejected decision, a database error, a client that went away) is rolled
//!   back to its savepoint: its neighbours' work stays and nothing of its own does.
//! - A writer that finishes releases its savepoint and becomes a **member** of the group. It is
//!   answered only when the group's commit has succeeded; if the commit fails, every member is
//!   told so, and none of their work is in the database.
//! - The group commits when its last member finds **no writer queued** for the turn. A member
//!   that finds writers queued hands the turn on and queues again itself, behind them: the first
//!   member to come round again commits for everyone before it. So a lone writer commits at once,
//!   and under load a commit carries every writer that arrived while the previous one ran.
//!
//! Everything after a savepoint is released runs in a task of its own, so a caller that goes
//! away cannot leave a group half-committed, and a group is never left open with the turn free
//! and nobody queued to commit it. Anything else that takes the turn (webhook bookkeeping, the
//! windows' horizon) commits an open group first ([`Store::turn`]).

use crate::{Backend, Result, Store, StoreError};
use sqlx::{Any, AnyPool, Transaction};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::OwnedMutexGuard;

/// Arbitrary constant naming the ledger's advisory lock on PostgreSQL.
pub(crate) const WRITE_LOCK_KEY: i64 = 0x7461_6774_7261_696c; // "tagtrail"

/// A group's fate, shared by its members: set once, by whoever commits (or abandons) it.
type Fate = Arc<OnceLock<std::result::Result<(), String>>>;

/// The open group, if any, between two holders of the turn.
#[derive(Default)]
struct Open {
    tx: Option<Transaction<'static, Any>>,
    /// The last holder left its savepoint unreleased (it failed or was dropped): the next user
    /// of the transaction rolls back to it first.
    dirty: bool,
    /// Members whose work is in `tx`, waiting for its commit.
    members: usize,
    fate: Fate,
    /// The journal's head after the last member's work: the next writer in this group starts
    /// from it without asking the database (a rolled-back writer never set it).
    head: Option<Head>,
}

/// The journal's head as a writer left it.
#[derive(Clone, Debug)]
pub(crate) struct Head {
    pub(crate) seq: i64,
    pub(crate) hash: String,
    pub(crate) time: tagtrail_domain::time::Timestamp,
}

/// The turn and the open group, shared by a store's clones.
#[derive(Default)]
pub(crate) struct Groups {
    turn: Arc<tokio::sync::Mutex<()>>,
    /// Tasks queued for the turn and not yet holding it.
    waiting: AtomicUsize,
    open: Mutex<Open>,
    /// Commits of groups with at least one member, and those members: how much grouping saved.
    commits: AtomicU64,
    members: AtomicU64,
}

impl std::fmt::Debug for Groups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Groups")
            .field("waiting", &self.waiting.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Holding the write turn. Dropping it lets the next writer in.
pub(crate) struct Turn(#[allow(dead_code)] OwnedMutexGuard<()>);

/// Counts a task as waiting for the turn until it holds it (or gives up waiting).
struct Queued<'a>(&'a AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Groups {
    async fn take_turn(self: &Arc<Self>) -> Turn {
        self.waiting.fetch_add(1, Ordering::AcqRel);
        let _queued = Queued(&self.waiting);
        Turn(self.turn.clone().lock_owned().await)
    }

    fn lock_open(&self) -> std::sync::MutexGuard<'_, Open> {
        // The lock is only held for a few field moves, never across an await; a panic there
        // cannot leave `Open` half-updated, so a poisoned lock's value is still whole.
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Commits the open group, if any (the caller holds the turn), and records its fate for
    /// the members.
    async fn flush(&self, _turn: &Turn) -> Result<()> {
        let (tx, dirty, fate, members) = {
            let mut open = self.lock_open();
            let tx = open.tx.take();
            let dirty = std::mem::take(&mut open.dirty);
            let members = std::mem::take(&mut open.members);
            open.head = None;
            (tx, dirty, std::mem::take(&mut open.fate), members)
        };
        let Some(mut tx) = tx else { return Ok(()) };
        let done = async {
            if dirty {
                undo_savepoint(&mut tx).await?;
            }
            tx.commit().await?;
            Ok::<(), StoreError>(())
        }
        .await;
        let _ = fate.set(done.as_ref().map(|_| ()).map_err(|e| e.to_string()));
        if done.is_ok() && members > 0 {
            self.commits.fetch_add(1, Ordering::Relaxed);
            self.members.fetch_add(members as u64, Ordering::Relaxed);
        }
        done
    }
}

async fn undo_savepoint(tx: &mut Transaction<'static, Any>) -> Result<()> {
    sqlx::query("ROLLBACK TO SAVEPOINT member")
        .execute(&mut **tx)
        .await?;
    sqlx::query("RELEASE SAVEPOINT member")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A writer's use of the group's transaction. Dropped without [`Lease::finish`], it gives the
/// transaction back marked for rollback to the writer's savepoint, or rolls it all back when no
/// member's work is in it.
pub(crate) struct Lease {
    tx: Option<Transaction<'static, Any>>,
    groups: Arc<Groups>,
    in_savepoint: bool,
    /// The head the group's previous member left, when this lease joined an open group.
    pub(crate) head: Option<Head>,
}

impl Lease {
    pub(crate) fn tx(&mut self) -> &mut Transaction<'static, Any> {
        self.tx
            .as_mut()
            .expect("a lease holds its transaction until it is finished or dropped")
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let Some(tx) = self.tx.take() else { return };
        let mut open = self.groups.lock_open();
        if open.members == 0 {
            // Nobody else's work is in it: dropping the transaction rolls it back.
            drop(tx);
            open.dirty = false;
            open.head = None;
        } else {
            open.dirty |= self.in_savepoint;
            open.tx = Some(tx);
        }
    }
}

impl Store {
    /// Writes committed by this process so far, and the commits that carried them (fewer when
    /// writers were grouped).
    pub fn group_commits(&self) -> (u64, u64) {
        (
            self.groups.members.load(Ordering::Relaxed),
            self.groups.commits.load(Ordering::Relaxed),
        )
    }

    /// Takes the write turn for work outside the journal's transactions (webhook bookkeeping,
    /// the horizon), after committing any open group so that work sees it and never waits on
    /// its lock.
    pub(crate) async fn turn(&self) -> Result<Turn> {
        // In a task of its own: a caller that went away during the flush would otherwise drop
        // the group's transaction between its commit and the recording of its fate, and its
        // members would be told "not written" about work that was.
        let groups = self.groups.clone();
        to_the_end(async move {
            let turn = groups.take_turn().await;
            groups.flush(&turn).await?;
            Ok(turn)
        })
        .await
    }

    /// Takes the turn and a savepoint in the open group's transaction (opening one if there is
    /// none: `BEGIN IMMEDIATE` on SQLite, the advisory lock on PostgreSQL).
    pub(crate) async fn lease(&self) -> Result<Held> {
        let turn = self.groups.take_turn().await;
        let (tx, dirty, head) = {
            let mut open = self.groups.lock_open();
            (
                open.tx.take(),
                std::mem::take(&mut open.dirty),
                open.head.clone(),
            )
        };
        // From here the lease owns the transaction: if this future is dropped, it goes back
        // (the lease is declared after the turn, so it is dropped first).
        let mut lease = Lease {
            tx,
            groups: self.groups.clone(),
            in_savepoint: dirty,
            head,
        };
        if lease.tx.is_some() && dirty {
            if let Err(e) = undo_savepoint(lease.tx()).await {
                // The group cannot be trusted: abandon it, telling its members.
                abandon(&self.groups, &mut lease, &e);
            }
            lease.in_savepoint = false;
        }
        if lease.tx.is_none() {
            lease.head = None;
            lease.tx = Some(begin_writing(&self.pool, self.backend).await?);
        }
        sqlx::query("SAVEPOINT member")
            .execute(&mut **lease.tx())
            .await?;
        lease.in_savepoint = true;
        Ok(Held { lease, turn })
    }
}

/// A writer's turn and its lease, in the order they must be let go: the transaction is handed
/// back (fields drop in declaration order) before the next writer may take the turn.
pub(crate) struct Held {
    pub(crate) lease: Lease,
    pub(crate) turn: Turn,
}

impl Held {
    /// Releases the writer's savepoint; then the returned future waits until the group holding
    /// its work has committed. Everything after the release runs at once or in a task of its
    /// own, so a caller that goes away cannot leave its group without a committer.
    pub(crate) async fn commit(mut self, head: Head) -> Result<()> {
        sqlx::query("RELEASE SAVEPOINT member")
            .execute(&mut **self.lease.tx())
            .await?;
        self.lease.in_savepoint = false;
        // No await from here until the task is spawned: nothing below can be cut short.
        let groups = self.lease.groups.clone();
        let fate = {
            let mut open = groups.lock_open();
            open.tx = self.lease.tx.take();
            open.members += 1;
            open.head = Some(head);
            open.fate.clone()
        };
        let turn = self.turn;
        let done = tokio::spawn(async move {
            let mut turn = turn;
            if groups.waiting.load(Ordering::Acquire) > 0 {
                // Writers are queued: let them add their work, and come round again behind them.
                drop(turn);
                turn = groups.take_turn().await;
            }
            if fate.get().is_none() {
                // Still open: this member commits for the group (an error is the group's fate,
                // read below).
                let _ = groups.flush(&turn).await;
            }
            drop(turn);
            fate.get()
                .cloned()
                .unwrap_or_else(|| Err("the group's commit did not finish".to_string()))
        });
        match done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(StoreError::Commit(message)),
            Err(e) => Err(StoreError::Commit(e.to_string())),
        }
    }
}

/// Rolls back the open group after its transaction failed between writers, and tells its
/// members their work was not written.
fn abandon(groups: &Groups, lease: &mut Lease, e: &StoreError) {
    let fate = {
        let mut open = groups.lock_open();
        open.members = 0;
        open.head = None;
        std::mem::take(&mut open.fate)
    };
    let _ = fate.set(Err(format!("the group's transaction failed: {e}")));
    lease.in_savepoint = false;
    lease.tx = None;
}

/// Opens the transaction a group writes in, its lock taken, in a task of its own.
async fn begin_writing(pool: &AnyPool, backend: Backend) -> Result<Transaction<'static, Any>> {
    match backend {
        // IMMEDIATE takes SQLite's write lock now, so two writers never both read the same
        // journal head and then race to append after it.
        Backend::Sqlite => begin_immediate(pool).await,
        Backend::Postgres => {
            // sqlx rolls back a PostgreSQL `BEGIN` cut short; the lock's query runs to its end
            // here all the same, so a caller going away never leaves a connection mid-query.
            let pool = pool.clone();
            to_the_end(async move {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(WRITE_LOCK_KEY)
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            })
            .await
        }
    }
}

/// `BEGIN IMMEDIATE` on SQLite, run to its end even if the caller goes away.
///
/// sqlx's `begin_with` awaits twice on SQLite: the `BEGIN`, then a check that it took. A caller
/// cut off between the two leaves the pooled connection inside a transaction that holds the
/// write lock, with no `Transaction` to roll it back: every other writer then waits out the busy
/// timeout and fails, until that connection is closed. In a task of its own the opening always
/// finishes; if nobody is left to take the transaction, dropping it rolls it back.
pub(crate) async fn begin_immediate(pool: &AnyPool) -> Result<Transaction<'static, Any>> {
    let pool = pool.clone();
    to_the_end(async move { Ok(pool.begin_with("BEGIN IMMEDIATE").await?) }).await
}

/// A transaction for bookkeeping outside the journal (webhook state, import status) that reads
/// a row and then writes it, taken while holding the turn: `BEGIN IMMEDIATE` on SQLite, since a
/// deferred transaction that read before another connection's write committed cannot upgrade
/// and is refused at once ("database is locked"), whereas IMMEDIATE waits under busy_timeout; a
/// plain `BEGIN` on PostgreSQL, whose row locks do the rest (sqlx rolls back a `BEGIN` cut short
/// there).
pub(crate) async fn begin_bookkeeping(
    pool: &AnyPool,
    backend: Backend,
) -> Result<Transaction<'static, Any>> {
    match backend {
        Backend::Sqlite => begin_immediate(pool).await,
        Backend::Postgres => Ok(pool.begin().await?),
    }
}

/// Runs `work` to its end in a task of its own, whether or not its caller is still there to
/// take the result (a result nobody takes is dropped when the task ends).
async fn to_the_end<T: Send + 'static>(
    work: impl Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    match tokio::spawn(work).await {
        Ok(result) => result,
        Err(e) => Err(StoreError::Commit(format!("the write's task failed: {e}"))),
    }
}
