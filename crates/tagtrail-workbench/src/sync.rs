//! Sync (seed 003 §03): per license and entity group, read Metrc's records and keep each
//! version as a snapshot.
//!
//! Lists Metrc filters by `lastModified` are read window by window ([`model::window`]): each
//! window at most as wide as the server allows, each reaching back `overlap` into the one
//! before, so a record stamped late (clock drift, a slow commit) is still read; a version seen
//! twice is kept once (its key and content hash). After each window the group's cursor moves in
//! the same transaction as the window's records, so a run that dies resumes from the last
//! completed window. Lists Metrc does not window (facilities, employees, drivers, vehicles,
//! available tags) are read whole each run, and records no longer listed are dropped from the
//! current view (their snapshots stay).
//!
//! Every request is recorded (`metrc`), the client stays under its own rate limit and honours
//! 429 `Retry-After`.
//!
//! [`model::window`]: tagtrail_workbench_model::window

use crate::audit::{self, Door, Event};
use crate::metrc::{Purpose, Session};
use crate::people::{Caller, LicenseCtx};
use crate::{Result, WbError, Workbench, now, parse_ts, ts};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::BTreeSet;
use tagtrail_domain::time::Timestamp;
use tagtrail_metrc::client::MAX_PAGE_SIZE;
use tagtrail_metrc::envelope::Paged;
use tagtrail_workbench_model::window::{self, Window};

/// How a group is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `lastModifiedStart`/`End` windows, paged.
    Windowed,
    /// The whole list, paged, every run.
    Paged,
    /// The whole list in one answer (a bare array), every run.
    Whole,
}

/// One list of one entity.
#[derive(Debug, Clone, Copy)]
struct Group {
    /// The group's name in words and as its cursor's name.
    name: &'static str,
    entity: &'static str,
    list: &'static str,
    path: &'static str,
    mode: Mode,
}

const GROUPS: &[Group] = &[
    Group {
        name: "facilities",
        entity: "facility",
        list: "all",
        path: "/facilities/v2/",
        mode: Mode::Whole,
    },
    Group {
        name: "employees",
        entity: "employee",
        list: "all",
        path: "/employees/v2/",
        mode: Mode::Paged,
    },
    Group {
        name: "items",
        entity: "item",
        list: "active",
        path: "/items/v2/active",
        mode: Mode::Windowed,
    },
    Group {
        name: "strains",
        entity: "strain",
        list: "active",
        path: "/strains/v2/active",
        mode: Mode::Windowed,
    },
    Group {
        name: "locations",
        entity: "location",
        list: "active",
        path: "/locations/v2/active",
        mode: Mode::Windowed,
    },
    Group {
        name: "packages (active)",
        entity: "package",
        list: "active",
        path: "/packages/v2/active",
        mode: Mode::Windowed,
    },
    Group {
        name: "packages (on hold)",
        entity: "package",
        list: "onhold",
        path: "/packages/v2/onhold",
        mode: Mode::Windowed,
    },
    Group {
        name: "packages (in transit)",
        entity: "package",
        list: "intransit",
        path: "/packages/v2/intransit",
        mode: Mode::Windowed,
    },
    Group {
        name: "packages (inactive)",
        entity: "package",
        list: "inactive",
        path: "/packages/v2/inactive",
        mode: Mode::Windowed,
    },
    Group {
        name: "transfers (incoming)",
        entity: "transfer",
        list: "incoming",
        path: "/transfers/v2/incoming",
        mode: Mode::Windowed,
    },
    Group {
        name: "transfers (outgoing)",
        entity: "transfer",
        list: "outgoing",
        path: "/transfers/v2/outgoing",
        mode: Mode::Windowed,
    },
    Group {
        name: "transfers (rejected)",
        entity: "transfer",
        list: "rejected",
        path: "/transfers/v2/rejected",
        mode: Mode::Windowed,
    },
    Group {
        name: "drivers",
        entity: "driver",
        list: "all",
        path: "/transporters/v2/drivers",
        mode: Mode::Paged,
    },
    Group {
        name: "vehicles",
        entity: "vehicle",
        list: "all",
        path: "/transporters/v2/vehicles",
        mode: Mode::Paged,
    },
    Group {
        name: "package tags (available)",
        entity: "tag",
        list: "available",
        path: "/tags/v2/package/available",
        mode: Mode::Paged,
    },
];

/// The names of the entity groups a sync reads, in order (for pages and the CLI).
pub fn group_names() -> Vec<&'static str> {
    let mut v: Vec<&str> = GROUPS.iter().map(|g| g.name).collect();
    v.extend(["permissions", "transfer deliveries", "lab results"]);
    v
}

/// Why a sync runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The first sync of a license (windows reach back `first_sync_since`).
    First,
    /// The scheduler's.
    Incremental,
    /// A person asked.
    Manual,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::First => "first",
            Trigger::Incremental => "incremental",
            Trigger::Manual => "manual",
        }
    }
}

/// Where a run is, for a progress bar.
#[derive(Debug, Clone)]
pub struct Progress {
    pub license: String,
    pub group: &'static str,
    pub group_index: usize,
    pub groups: usize,
    pub window: usize,
    pub windows: usize,
    pub records: u64,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub run_id: i64,
    pub windows: u64,
    pub requests: u64,
    pub records: u64,
    pub new_versions: u64,
    pub errors: Vec<String>,
    /// Manual tasks this run's records confirmed (and so accepted).
    pub confirmed_tasks: usize,
}

/// A sync run as the sync runs page shows it.
#[derive(Debug, Clone)]
pub struct RunRow {
    pub id: i64,
    pub trigger: String,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub status: String,
    pub windows: i64,
    pub requests: i64,
    pub records: i64,
    pub new_versions: i64,
    pub errors: Option<String>,
}

/// The key a record is kept under: packages and tags by label, others by Metrc's id, and the
/// few records that carry neither by their license or name.
fn record_key(entity: &str, v: &Value) -> Option<(String, Option<String>)> {
    let s = |k: &str| {
        v.get(k).and_then(|x| match x {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    };
    let label = s("Label");
    let key = match entity {
        "package" | "tag" => label.clone(),
        "facility" => v
            .get("License")
            .and_then(|l| l.get("Number"))
            .and_then(Value::as_str)
            .map(str::to_string),
        "employee" => v
            .get("License")
            .and_then(|l| l.get("Number"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| s("FullName")),
        _ => s("Id"),
    }?;
    Some((key.chars().take(200).collect(), label))
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// What one page of records changed.
#[derive(Default)]
struct Stored {
    records: u64,
    new_versions: u64,
    keys: Vec<String>,
}

impl Workbench {
    /// Syncs every entity group of one license once. `caller` is who asked (`None`: the
    /// scheduler).
    pub async fn sync_license(
        &self,
        license: &LicenseCtx,
        caller: Option<&Caller>,
        trigger: Trigger,
        progress: &(dyn Fn(&Progress) + Sync),
    ) -> Result<Report> {
        if let Some(c) = caller {
            if c.installation_admin {
                return Err(WbError::Forbidden(
                    "installation administrators do not act in a license's context".into(),
                ));
            }
            license.require(tagtrail_workbench_model::role::Duty::Sync)?;
        }
        let user_id = caller.and_then(Caller::user_ref);
        // A run still marked running was cut short (a crash or a kill): it is history now, and
        // this run resumes from its cursors.
        sqlx::query(
            "UPDATE sync_runs SET status = 'interrupted', finished_at = $1 WHERE license_id = $2 AND status = 'running'",
        )
        .bind(ts(now()))
        .bind(license.license_id)
        .execute(&self.db.pool)
        .await?;
        let run_id: i64 = sqlx::query(
            "INSERT INTO sync_runs (license_id, trigger_kind, started_by, started_at, status) VALUES ($1, $2, $3, $4, 'running') RETURNING id",
        )
        .bind(license.license_id)
        .bind(trigger.as_str())
        .bind(user_id)
        .bind(ts(now()))
        .fetch_one(&self.db.pool)
        .await?
        .try_get("id")?;
        let mut report = Report {
            run_id,
            ..Report::default()
        };
        let outcome = self
            .run_groups(license, user_id, run_id, &mut report, progress)
            .await;
        if let Err(e) = &outcome {
            report.errors.push(e.to_string());
        }
        // Manual tasks (manifest steps done in Metrc's web UI) are confirmed by what this sync
        // saw.
        match self.confirm_manual_tasks(license, run_id).await {
            Ok(n) => report.confirmed_tasks = n,
            Err(e) => report.errors.push(format!("confirming manual tasks: {e}")),
        }
        let status = if report.errors.is_empty() {
            "finished"
        } else {
            "failed"
        };
        let errors =
            (!report.errors.is_empty()).then(|| audit::clip(&report.errors.join("\n"), 4000));
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE sync_runs SET status = $1, finished_at = $2, windows = $3, requests = $4, records = $5, new_versions = $6, errors = $7 WHERE id = $8",
        )
        .bind(status)
        .bind(ts(now()))
        .bind(report.windows as i64)
        .bind(report.requests as i64)
        .bind(report.records as i64)
        .bind(report.new_versions as i64)
        .bind(&errors)
        .bind(run_id)
        .execute(&mut *tx.tx)
        .await?;
        let mut ev = Event::new(
            "Sync",
            format!(
                "{} sync run {run_id} {status}: {} records read, {} new versions, {} windows, {} requests",
                trigger.as_str(),
                report.records,
                report.new_versions,
                report.windows,
                report.requests
            ),
        )
        .in_license(license);
        ev.user_id = user_id;
        audit::append(&mut tx, Door::Sync, ev).await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn run_groups(
        &self,
        license: &LicenseCtx,
        user_id: Option<i64>,
        run_id: i64,
        report: &mut Report,
        progress: &(dyn Fn(&Progress) + Sync),
    ) -> Result<()> {
        let session = self
            .metrc(
                license,
                Purpose {
                    user_id,
                    sync_run_id: Some(run_id),
                    submission_id: None,
                },
            )
            .await?;
        let end = now();
        let groups = GROUPS.len() + 3;
        let mut changed_transfers = BTreeSet::new();
        let mut changed_packages = BTreeSet::new();
        for (gi, g) in GROUPS.iter().enumerate() {
            let mut p = Progress {
                license: license.number.clone(),
                group: g.name,
                group_index: gi,
                groups,
                window: 0,
                windows: 1,
                records: report.records,
            };
            progress(&p);
            let result = match g.mode {
                Mode::Windowed => {
                    self.sync_windowed(license, &session, run_id, g, end, report, &mut p, progress)
                        .await
                }
                Mode::Paged | Mode::Whole => {
                    self.sync_whole(license, &session, run_id, g, report).await
                }
            };
            report.requests += session.flush(self).await?;
            match result {
                Ok(keys) => {
                    if g.entity == "transfer" {
                        changed_transfers.extend(keys);
                    } else if g.entity == "package" {
                        changed_packages.extend(keys);
                    }
                }
                Err(e) => report.errors.push(format!("{}: {e}", g.name)),
            }
        }
        // Permissions of the key holder at this facility (what preflight checks).
        progress(&Progress {
            license: license.number.clone(),
            group: "permissions",
            group_index: GROUPS.len(),
            groups,
            window: 0,
            windows: 1,
            records: report.records,
        });
        if let Err(e) = self
            .sync_permissions(license, &session, run_id, report)
            .await
        {
            report.errors.push(format!("permissions: {e}"));
        }
        report.requests += session.flush(self).await?;
        progress(&Progress {
            license: license.number.clone(),
            group: "transfer deliveries",
            group_index: GROUPS.len() + 1,
            groups,
            window: 0,
            windows: 1,
            records: report.records,
        });
        for t in &changed_transfers {
            if let Err(e) = self
                .sync_deliveries(license, &session, run_id, t, report)
                .await
            {
                report
                    .errors
                    .push(format!("deliveries of transfer {t}: {e}"));
            }
            report.requests += session.flush(self).await?;
        }
        progress(&Progress {
            license: license.number.clone(),
            group: "lab results",
            group_index: GROUPS.len() + 2,
            groups,
            window: 0,
            windows: 1,
            records: report.records,
        });
        for label in &changed_packages {
            if let Err(e) = self
                .sync_lab_results(license, &session, run_id, label, report)
                .await
            {
                report.errors.push(format!("lab results of {label}: {e}"));
            }
            report.requests += session.flush(self).await?;
        }
        Ok(())
    }

    /// Walks the windows of one group from its cursor (minus the overlap) to `end`, moving
    /// the cursor with each completed window.
    #[allow(clippy::too_many_arguments)]
    async fn sync_windowed(
        &self,
        license: &LicenseCtx,
        session: &Session,
        run_id: i64,
        g: &Group,
        end: Timestamp,
        report: &mut Report,
        p: &mut Progress,
        progress: &(dyn Fn(&Progress) + Sync),
    ) -> Result<Vec<String>> {
        let cursor = sqlx::query(
            "SELECT completed_until FROM sync_cursors WHERE license_id = $1 AND entity = $2",
        )
        .bind(license.license_id)
        .bind(g.name)
        .fetch_optional(&self.db.pool)
        .await?
        .map(|r| r.try_get::<String, _>("completed_until"))
        .transpose()?
        .and_then(|s| parse_ts(&s));
        let policy = self.config.window;
        let from = window::resume_from(cursor, end - self.config.first_sync_since, &policy);
        let windows = window::plan(from, end, &policy);
        p.windows = windows.len();
        let mut changed = vec![];
        for (i, w) in windows.iter().enumerate() {
            p.window = i + 1;
            p.records = report.records;
            progress(p);
            let stored = self
                .read_window(license, session, run_id, g, Some(w))
                .await?;
            report.windows += 1;
            report.records += stored.records;
            report.new_versions += stored.new_versions;
            changed.extend(stored.keys);
            // The window is complete: move the cursor (a crash after this resumes here).
            sqlx::query(
                "INSERT INTO sync_cursors (license_id, entity, completed_until, sync_run_id) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (license_id, entity) DO UPDATE SET completed_until = excluded.completed_until, sync_run_id = excluded.sync_run_id",
            )
            .bind(license.license_id)
            .bind(g.name)
            .bind(ts(w.end))
            .bind(run_id)
            .execute(&self.db.pool)
            .await?;
            report.requests += session.flush(self).await?;
        }
        Ok(changed)
    }

    /// Reads every page of one window (or of a whole list) and stores its records.
    async fn read_window(
        &self,
        license: &LicenseCtx,
        session: &Session,
        run_id: i64,
        g: &Group,
        w: Option<&Window>,
    ) -> Result<Stored> {
        let mut query = vec![("licenseNumber", license.number.clone())];
        if let Some(w) = w {
            query.push(("lastModifiedStart", ts(w.start)));
            query.push(("lastModifiedEnd", ts(w.end)));
        }
        let mut all = Stored::default();
        let mut page = 1u32;
        loop {
            let mut q = query.clone();
            q.push(("pageNumber", page.to_string()));
            q.push(("pageSize", MAX_PAGE_SIZE.to_string()));
            let answer: Value = session
                .client
                .get(g.path, &q)
                .await
                .map_err(|e| WbError::Metrc(e.to_string()))?;
            // Most lists answer Metrc's paging envelope; a few (available tags on some
            // servers) answer a bare array, which is the whole list.
            let (data, total) = match answer {
                Value::Array(list) => {
                    let n = list.len() as i64;
                    (list, n)
                }
                other => {
                    let p: Paged<Value> = serde_json::from_value(other)
                        .map_err(|e| WbError::Metrc(format!("{}: {e}", g.path)))?;
                    (p.data, p.total)
                }
            };
            let n = data.len();
            let s = self.store(license, run_id, g.entity, g.list, &data).await?;
            all.records += s.records;
            all.new_versions += s.new_versions;
            all.keys.extend(s.keys);
            if n == 0 || i64::from(page) * i64::from(MAX_PAGE_SIZE) >= total {
                return Ok(all);
            }
            page += 1;
        }
    }

    /// A list read whole: records no longer listed leave the current view.
    async fn sync_whole(
        &self,
        license: &LicenseCtx,
        session: &Session,
        run_id: i64,
        g: &Group,
        report: &mut Report,
    ) -> Result<Vec<String>> {
        let stored = match g.mode {
            Mode::Whole => {
                let q = [("licenseNumber", license.number.clone())];
                let list: Vec<Value> = session
                    .client
                    .get(g.path, &q)
                    .await
                    .map_err(|e| WbError::Metrc(e.to_string()))?;
                // Metrc lists every facility the user key reaches; this license keeps its own.
                let mine: Vec<Value> = if g.entity == "facility" {
                    list.into_iter()
                        .filter(|f| {
                            f.get("License")
                                .and_then(|l| l.get("Number"))
                                .and_then(Value::as_str)
                                == Some(license.number.as_str())
                        })
                        .collect()
                } else {
                    list
                };
                self.store(license, run_id, g.entity, g.list, &mine).await?
            }
            _ => self.read_window(license, session, run_id, g, None).await?,
        };
        report.records += stored.records;
        report.new_versions += stored.new_versions;
        // Drop from the current view what the list no longer holds.
        let current = sqlx::query(
            "SELECT record_key FROM metrc_records WHERE license_id = $1 AND entity = $2 AND list = $3",
        )
        .bind(license.license_id)
        .bind(g.entity)
        .bind(g.list)
        .fetch_all(&self.db.pool)
        .await?;
        let listed: BTreeSet<&String> = stored.keys.iter().collect();
        for r in &current {
            let k: String = r.try_get("record_key")?;
            if !listed.contains(&k) {
                sqlx::query(
                    "DELETE FROM metrc_records WHERE license_id = $1 AND entity = $2 AND record_key = $3",
                )
                .bind(license.license_id)
                .bind(g.entity)
                .bind(&k)
                .execute(&self.db.pool)
                .await?;
            }
        }
        Ok(stored.keys)
    }

    async fn sync_permissions(
        &self,
        license: &LicenseCtx,
        session: &Session,
        run_id: i64,
        report: &mut Report,
    ) -> Result<()> {
        let Some(holder) = &session.holder else {
            return Err(WbError::Invalid(
                "the user key's holder (employee license number) is not set".into(),
            ));
        };
        let perms: Vec<String> = session
            .client
            .get(
                "/employees/v2/permissions",
                &[
                    ("licenseNumber", license.number.clone()),
                    ("employeeLicenseNumber", holder.clone()),
                ],
            )
            .await
            .map_err(|e| WbError::Metrc(e.to_string()))?;
        let v = serde_json::json!({ "Holder": holder, "Permissions": perms });
        let s = self
            .store_keyed(
                license,
                run_id,
                "permissions",
                "all",
                &[(holder.clone(), None, v)],
            )
            .await?;
        report.records += s.records;
        report.new_versions += s.new_versions;
        Ok(())
    }

    async fn sync_deliveries(
        &self,
        license: &LicenseCtx,
        session: &Session,
        run_id: i64,
        transfer_key: &str,
        report: &mut Report,
    ) -> Result<()> {
        let deliveries: Vec<Value> = session
            .client
            .get_all(&format!("/transfers/v2/{transfer_key}/deliveries"), &[])
            .await
            .map_err(|e| WbError::Metrc(e.to_string()))?;
        let s = self
            .store(license, run_id, "delivery", "all", &deliveries)
            .await?;
        report.records += s.records;
        report.new_versions += s.new_versions;
        for d in &s.keys {
            let packages: Vec<Value> = session
                .client
                .get_all(&format!("/transfers/v2/deliveries/{d}/packages"), &[])
                .await
                .map_err(|e| WbError::Metrc(e.to_string()))?;
            let keyed: Vec<(String, Option<String>, Value)> = packages
                .into_iter()
                .filter_map(|p| {
                    let label = p.get("PackageLabel").and_then(Value::as_str)?.to_string();
                    Some((format!("{d}:{label}"), Some(label), p))
                })
                .collect();
            let s = self
                .store_keyed(license, run_id, "delivery_package", "all", &keyed)
                .await?;
            report.records += s.records;
            report.new_versions += s.new_versions;
        }
        Ok(())
    }

    async fn sync_lab_results(
        &self,
        license: &LicenseCtx,
        session: &Session,
        run_id: i64,
        label: &str,
        report: &mut Report,
    ) -> Result<()> {
        let row = sqlx::query(
            "SELECT data FROM metrc_records WHERE license_id = $1 AND entity = 'package' AND record_key = $2",
        )
        .bind(license.license_id)
        .bind(label)
        .fetch_optional(&self.db.pool)
        .await?;
        let Some(row) = row else { return Ok(()) };
        let v: Value = serde_json::from_str(&row.try_get::<String, _>("data")?)
            .map_err(|e| WbError::Invalid(e.to_string()))?;
        let untested = matches!(
            v.get("LabTestingState").and_then(Value::as_str),
            None | Some("NotSubmitted") | Some("NotRequired")
        );
        let Some(id) = v.get("Id").and_then(Value::as_i64).filter(|_| !untested) else {
            return Ok(());
        };
        let results: Vec<Value> = session
            .client
            .get_all(
                "/labtests/v2/results",
                &[
                    ("licenseNumber", license.number.clone()),
                    ("packageId", id.to_string()),
                ],
            )
            .await
            .map_err(|e| WbError::Metrc(e.to_string()))?;
        let keyed: Vec<(String, Option<String>, Value)> = results
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let key = r
                    .get("LabTestResultId")
                    .and_then(Value::as_i64)
                    .map(|x| x.to_string())
                    .unwrap_or_else(|| format!("{label}:{i}"));
                (key, Some(label.to_string()), r)
            })
            .collect();
        let s = self
            .store_keyed(license, run_id, "lab_result", "all", &keyed)
            .await?;
        report.records += s.records;
        report.new_versions += s.new_versions;
        Ok(())
    }

    async fn store(
        &self,
        license: &LicenseCtx,
        run_id: i64,
        entity: &str,
        list: &str,
        records: &[Value],
    ) -> Result<Stored> {
        let keyed: Vec<(String, Option<String>, Value)> = records
            .iter()
            .filter_map(|v| record_key(entity, v).map(|(k, l)| (k, l, v.clone())))
            .collect();
        self.store_keyed(license, run_id, entity, list, &keyed)
            .await
    }

    /// Stores one page: a snapshot for each version not seen before, the current view, and
    /// lineage for packages. One transaction per page.
    async fn store_keyed(
        &self,
        license: &LicenseCtx,
        run_id: i64,
        entity: &str,
        list: &str,
        records: &[(String, Option<String>, Value)],
    ) -> Result<Stored> {
        let mut out = Stored::default();
        let at = ts(now());
        let mut tx = self.db.pool.begin().await?;
        for (key, label, v) in records {
            let data = v.to_string();
            let sha = sha256_hex(data.as_bytes());
            let last_modified = v
                .get("LastModified")
                .and_then(Value::as_str)
                .map(|s| audit::clip(s, 40));
            let label = label.as_deref().map(|l| audit::clip(l, 200));
            out.records += 1;
            out.keys.push(key.clone());
            let inserted = sqlx::query(
                "INSERT INTO snapshots (license_id, entity, record_key, label, list, last_modified, sha256, data, sync_run_id, seen_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (license_id, entity, record_key, sha256) DO NOTHING",
            )
            .bind(license.license_id)
            .bind(entity)
            .bind(key)
            .bind(&label)
            .bind(list)
            .bind(&last_modified)
            .bind(&sha)
            .bind(&data)
            .bind(run_id)
            .bind(&at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            out.new_versions += inserted;
            // The current view follows the newest version; an older version read again in an
            // overlapping window does not replace a newer one.
            sqlx::query(
                "INSERT INTO metrc_records (license_id, entity, record_key, label, list, last_modified, sha256, data, sync_run_id, synced_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (license_id, entity, record_key) DO UPDATE SET label = excluded.label, list = excluded.list, \
                 last_modified = excluded.last_modified, sha256 = excluded.sha256, data = excluded.data, sync_run_id = excluded.sync_run_id, synced_at = excluded.synced_at \
                 WHERE metrc_records.last_modified IS NULL OR excluded.last_modified IS NULL OR metrc_records.last_modified <= excluded.last_modified",
            )
            .bind(license.license_id)
            .bind(entity)
            .bind(key)
            .bind(&label)
            .bind(list)
            .bind(&last_modified)
            .bind(&sha)
            .bind(&data)
            .bind(run_id)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            if entity == "package"
                && let Some(parents) = v.get("SourcePackageLabels").and_then(Value::as_str)
            {
                for parent in parents.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    sqlx::query(
                        "INSERT INTO package_lineage (license_id, child_label, parent_label) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    )
                    .bind(license.license_id)
                    .bind(key)
                    .bind(audit::clip(parent, 200))
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    /// The newest sync runs of a license.
    pub async fn sync_runs(&self, license: &LicenseCtx, limit: i64) -> Result<Vec<RunRow>> {
        let rows = sqlx::query(
            "SELECT id, trigger_kind, started_at, finished_at, status, windows, requests, records, new_versions, errors FROM sync_runs WHERE license_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(license.license_id)
        .bind(limit)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RunRow {
                    id: r.try_get("id")?,
                    trigger: r.try_get("trigger_kind")?,
                    started_at: parse_ts(&r.try_get::<String, _>("started_at")?)
                        .unwrap_or_else(now),
                    finished_at: r
                        .try_get::<Option<String>, _>("finished_at")?
                        .as_deref()
                        .and_then(parse_ts),
                    status: r.try_get("status")?,
                    windows: r.try_get("windows")?,
                    requests: r.try_get("requests")?,
                    records: r.try_get("records")?,
                    new_versions: r.try_get("new_versions")?,
                    errors: r.try_get("errors")?,
                })
            })
            .collect()
    }

    /// Whether the license has ever finished a sync (the first sync adopts Metrc's packages as
    /// the workbench's expectations).
    pub(crate) async fn has_synced(&self, license_id: i64) -> Result<bool> {
        Ok(sqlx::query(
            "SELECT 1 AS one FROM sync_runs WHERE license_id = $1 AND status = 'finished'",
        )
        .bind(license_id)
        .fetch_optional(&self.db.pool)
        .await?
        .is_some())
    }

    /// Syncs every license that has keys, one after another (the scheduler's loop body). A
    /// license's first finished sync is a first sync.
    pub async fn sync_all(
        &self,
        progress: &(dyn Fn(&Progress) + Sync),
    ) -> Vec<(String, Result<Report>)> {
        let mut out = vec![];
        let licenses = match self.all_licenses().await {
            Ok(l) => l,
            Err(e) => return vec![("all".into(), Err(e))],
        };
        for l in licenses {
            if self.keys_for(&l).await.is_err() {
                continue;
            }
            let trigger = match self.has_synced(l.license_id).await {
                Ok(true) => Trigger::Incremental,
                _ => Trigger::First,
            };
            let r = self.sync_license(&l, None, trigger, progress).await;
            if trigger == Trigger::First
                && let Ok(rep) = &r
                && rep.errors.is_empty()
                && let Err(e) = self.adopt_metrc_as_expected(&l).await
            {
                out.push((l.number.clone(), Err(e)));
                continue;
            }
            out.push((l.number.clone(), r));
        }
        out
    }
}

impl Workbench {
    /// The current synced records of one entity ("package", "item", "strain", "transfer", …)
    /// of a license, by key.
    pub async fn records(
        &self,
        license: &LicenseCtx,
        entity: &str,
    ) -> Result<Vec<(String, Value)>> {
        let rows = sqlx::query(
            "SELECT record_key, data FROM metrc_records WHERE license_id = $1 AND entity = $2 ORDER BY record_key",
        )
        .bind(license.license_id)
        .bind(entity)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("record_key")?,
                    serde_json::from_str(&r.try_get::<String, _>("data")?)
                        .map_err(|e| WbError::Invalid(e.to_string()))?,
                ))
            })
            .collect()
    }

    /// Every version of one record seen by sync, oldest first: (seen at, sync run, data).
    pub async fn snapshots(
        &self,
        license: &LicenseCtx,
        entity: &str,
        key: &str,
    ) -> Result<Vec<(Timestamp, i64, Value)>> {
        let rows = sqlx::query(
            "SELECT seen_at, sync_run_id, data FROM snapshots WHERE license_id = $1 AND entity = $2 AND record_key = $3 ORDER BY id",
        )
        .bind(license.license_id)
        .bind(entity)
        .bind(key)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    parse_ts(&r.try_get::<String, _>("seen_at")?).unwrap_or_else(now),
                    r.try_get("sync_run_id")?,
                    serde_json::from_str(&r.try_get::<String, _>("data")?)
                        .map_err(|e| WbError::Invalid(e.to_string()))?,
                ))
            })
            .collect()
    }
}
