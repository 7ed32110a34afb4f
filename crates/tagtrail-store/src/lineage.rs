//! The downward lineage walk's links by source (migration 0017): the plant batches planted from
//! a seeds or clones package, the harvests a plant went into, and the packages made from a
//! harvest. Kept by triggers, so every
//! write path and a rebuild from the journal fill them alike; read here a chunk of ids at a time.

use crate::{Result, Store};
use sqlx::Row;

/// Ids per statement, well inside both backends' limits on bound parameters.
const CHUNK: usize = 200;

/// What a source in `lineage_sources` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A package whose children are the plant batches planted from it.
    Package,
    /// A plant whose children are the harvests it went into (a manicure, then its harvest).
    Plant,
    /// A harvest whose children are the packages made from it.
    Harvest,
}

impl SourceKind {
    fn as_str(self) -> &'static str {
        match self {
            SourceKind::Package => "package",
            SourceKind::Plant => "plant",
            SourceKind::Harvest => "harvest",
        }
    }
}

impl Store {
    /// `(source id, child id)` for every child of these sources, by source then child id.
    /// Scoping is the caller's: these are ids only, and each child is read and checked after.
    pub async fn children_of(&self, kind: SourceKind, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
        let mut out = Vec::new();
        let mut conn = self.pool.acquire().await?;
        for chunk in ids.chunks(CHUNK) {
            let marks: Vec<String> = (2..=chunk.len() + 1).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT source_id, child_id FROM lineage_sources \
                 WHERE source_kind = $1 AND source_id IN ({}) ORDER BY source_id, child_id",
                marks.join(",")
            );
            let mut q = sqlx::query(&sql).bind(kind.as_str());
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(&mut *conn).await? {
                out.push((row.try_get("source_id")?, row.try_get("child_id")?));
            }
        }
        Ok(out)
    }
}
