//! Records of one type by many ids at once: a lineage walk reads every plant of a harvest in a
//! few statements rather than one per plant.

use crate::projection::{source, table};
use crate::{Result, Store};
use sqlx::Row;
use tagtrail_domain::records::Record;

/// Ids per statement, well inside both backends' limits on bound parameters.
const CHUNK: usize = 200;

impl Store {
    /// The records of type `R` with these ids, in the order of `ids` (each once); an id with no
    /// record is left out. Same SQL on both backends.
    pub async fn get_many<R: Record>(&self, ids: &[i64]) -> Result<Vec<R>> {
        let t = table(R::TABLE)?;
        let mut once = std::collections::HashSet::with_capacity(ids.len());
        let wanted: Vec<i64> = ids.iter().copied().filter(|id| once.insert(*id)).collect();
        let mut found: std::collections::HashMap<i64, R> =
            std::collections::HashMap::with_capacity(wanted.len());
        let mut conn = self.pool.acquire().await?;
        for chunk in wanted.chunks(CHUNK) {
            let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT id, CAST(data AS TEXT) AS data FROM {} WHERE id IN ({})",
                source(t, None),
                marks.join(",")
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(&mut *conn).await? {
                let id: i64 = row.try_get("id")?;
                let data: String = row.try_get("data")?;
                found.insert(id, serde_json::from_str(&crate::packing::unpack(&data)?)?);
            }
        }
        Ok(wanted.iter().filter_map(|id| found.remove(id)).collect())
    }
}
