//! One node at a time for work that must not run twice: the webhook deliverer. On PostgreSQL
//! the node holding a session-level advisory lock leads; the lock is held by a connection taken
//! out of the pool for good, so it ends when the node does (its connection closes) and another
//! node's next try takes over. SQLite serves one node, which always leads.

use crate::open::Backend;
use crate::{Result, Store};
use sqlx::AnyConnection;

/// Held while this node leads; dropping it closes the connection, which releases the lock.
pub struct Leadership {
    _conn: Option<AnyConnection>,
}

impl Store {
    /// Leads the work named `lock` if no other node does: `None` while another holds it.
    pub async fn try_lead(&self, lock: i64) -> Result<Option<Leadership>> {
        if self.backend != Backend::Postgres {
            return Ok(Some(Leadership { _conn: None }));
        }
        // Out of the pool: returned to it, the connection would keep the lock for whoever
        // borrows it next.
        let mut conn = self.pool.acquire().await?.detach();
        let led: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(lock)
            .fetch_one(&mut conn)
            .await?;
        Ok(led.then_some(Leadership { _conn: Some(conn) }))
    }
}
