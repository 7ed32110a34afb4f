//! The recall query (issue 11): from any package, every package made from it and every package
//! it was made from, across the caller's licenses (a lot made in manufacturing keeps its label
//! in distribution), and every manifest that carried one of them — the retail-bound ones first.
//!
//! Edges come from the workbench's own accepted batches and from Metrc's source package labels
//! (sync). Only the licenses the caller holds a role in are walked: a recall never shows a
//! package of a license the person cannot see.

use crate::people::{Caller, LicenseCtx};
use crate::{Result, Workbench};
use serde_json::Value;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use tagtrail_workbench_model::lineage::{Edge, Reached, ancestors, descendants};

/// A manifest that carried a package of the recall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    pub label: String,
    pub manifest: String,
    pub recipient: String,
    /// Which of the caller's licenses saw it (shipper or recipient side).
    pub seen_in: String,
    /// Metrc's state of the package on that delivery (Shipped, Accepted, Rejected, Returned).
    pub state: String,
}

#[derive(Debug, Clone, Default)]
pub struct Recall {
    pub start: String,
    pub descendants: Vec<Reached>,
    pub ancestors: Vec<Reached>,
    /// Manifests carrying the start or a descendant, newest delivery id first.
    pub carried: Vec<Carried>,
}

impl Workbench {
    /// Walks the lineage of `label` over every license `caller` holds a role in.
    pub async fn recall(&self, caller: &Caller, label: &str) -> Result<Recall> {
        let label = label.trim().to_ascii_uppercase();
        let licenses: Vec<LicenseCtx> = self.licenses_of(caller).await?;
        let mut edges = BTreeSet::new();
        for l in &licenses {
            let rows = sqlx::query(
                "SELECT child_label, parent_label FROM package_lineage WHERE license_id = $1",
            )
            .bind(l.license_id)
            .fetch_all(&self.db.pool)
            .await?;
            for r in &rows {
                edges.insert(Edge {
                    parent: r.try_get("parent_label")?,
                    child: r.try_get("child_label")?,
                });
            }
        }
        let edges: Vec<Edge> = edges.into_iter().collect();
        let down = descendants(&edges, &label);
        let up = ancestors(&edges, &label);
        let wanted: BTreeSet<&str> = std::iter::once(label.as_str())
            .chain(down.iter().map(|r| r.label.as_str()))
            .collect();
        let mut carried = vec![];
        for l in &licenses {
            let deliveries: BTreeMap<String, Value> =
                self.records(l, "delivery").await?.into_iter().collect();
            for (key, p) in self.records(l, "delivery_package").await? {
                let Some((d, pl)) = key.split_once(':') else {
                    continue;
                };
                if !wanted.contains(pl) {
                    continue;
                }
                let text = |v: Option<&Value>, k: &str| {
                    v.and_then(|v| v.get(k))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string()
                };
                let delivery = deliveries.get(d);
                carried.push((
                    d.parse::<i64>().unwrap_or_default(),
                    Carried {
                        label: pl.to_string(),
                        manifest: text(delivery, "ManifestNumber"),
                        recipient: text(delivery, "RecipientFacilityLicenseNumber"),
                        seen_in: l.number.clone(),
                        state: text(Some(&p), "ShipmentPackageState"),
                    },
                ));
            }
        }
        carried.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.label.cmp(&b.1.label)));
        // One line per manifest and package, whichever side saw it first.
        let mut seen = BTreeSet::new();
        let carried = carried
            .into_iter()
            .map(|(_, c)| c)
            .filter(|c| seen.insert((c.manifest.clone(), c.label.clone())))
            .collect();
        Ok(Recall {
            start: label,
            descendants: down,
            ancestors: up,
            carried,
        })
    }
}
