//! Distribution's release gate (issue 11, seed 003 §02; the rules are `model::qa`'s and
//! `model::coa`'s): certificates of analysis per lot, versioned; the potency each label
//! carries; holds with an owner and a reason; the QA review a person prepares and a second
//! person with the QA role releases (or rejects to remediation or destruction); and sellable
//! inventory — released, agreeing with Metrc, on no hold.

use crate::audit::{self, Door, Event};
use crate::people::{Caller, LicenseCtx};
use crate::{Result, WbError, Workbench, now, parse_ts, ts};
use base64::Engine;
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::time::Timestamp;
use tagtrail_workbench_model::coa::{LABEL_TOLERANCE_PERCENT, Potency, label_within};
use tagtrail_workbench_model::discrepancy::{PackageView, Status};
use tagtrail_workbench_model::qa::{
    self, CheckItem, Disposition, Hold, HoldOwner, Refusal, ReleaseFacts,
};
use tagtrail_workbench_model::role::Duty;
use tagtrail_workbench_model::submission::Actor;

/// The largest COA document kept (a PDF of a few pages).
pub const MAX_COA_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Coa {
    pub id: i64,
    pub label: String,
    pub version: i64,
    pub lab: String,
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub potency: Potency,
    pub uploaded_by: String,
    pub uploaded_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct HoldRow {
    pub id: i64,
    pub label: String,
    pub reason: String,
    pub placed_by: String,
    pub placed_by_id: i64,
    pub placed_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct Review {
    pub id: i64,
    pub label: String,
    pub coa_id: Option<i64>,
    pub checked: BTreeSet<CheckItem>,
    pub notes: String,
    pub prepared_by: String,
    pub prepared_by_id: i64,
    pub prepared_at: Timestamp,
    /// `released`, `remediation` or `destruction`; `None` while waiting for a decision.
    pub outcome: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub decision_reason: Option<String>,
}

/// Everything the release gate looks at for one lot.
#[derive(Debug, Clone)]
pub struct Lot {
    pub label: String,
    /// Metrc's state at the last sync.
    pub metrc: Option<PackageView>,
    /// Every version, newest first.
    pub coas: Vec<Coa>,
    /// The newest review.
    pub review: Option<Review>,
    /// Open holds people placed.
    pub holds: Vec<HoldRow>,
    pub open_discrepancy: Option<String>,
    /// Whether the label's own claimed potency is outside the newest COA's tolerance.
    pub claim: Option<Potency>,
}

impl Lot {
    pub fn current_coa(&self) -> Option<&Coa> {
        self.coas.first()
    }

    pub fn released(&self) -> bool {
        self.review
            .as_ref()
            .is_some_and(|r| r.outcome.as_deref() == Some("released"))
    }

    pub fn on_hold(&self) -> bool {
        !self.holds.is_empty() || self.metrc.as_ref().is_some_and(|p| p.on_hold)
    }

    pub fn sellable(&self) -> bool {
        qa::sellable(
            self.released(),
            self.open_discrepancy.is_some(),
            self.on_hold(),
        ) && self
            .metrc
            .as_ref()
            .is_some_and(|p| p.status == Status::Active)
    }

    /// What the model needs to decide a release.
    pub fn facts(&self) -> ReleaseFacts {
        let review = self.review.as_ref().filter(|r| r.outcome.is_none());
        let mut holds: Vec<Hold> = self
            .holds
            .iter()
            .map(|h| Hold {
                owner: HoldOwner::Person {
                    user_id: h.placed_by_id,
                    name: h.placed_by.clone(),
                },
                reason: h.reason.clone(),
            })
            .collect();
        if self.metrc.as_ref().is_some_and(|p| p.on_hold) {
            holds.push(Hold {
                owner: HoldOwner::Metrc,
                reason: "on hold in Metrc".into(),
            });
        }
        ReleaseFacts {
            prepared_by: review.map(|r| r.prepared_by_id),
            checked: review.map(|r| r.checked.clone()).unwrap_or_default(),
            open_discrepancy: self.open_discrepancy.clone(),
            holds,
            coa_current: match (review.and_then(|r| r.coa_id), self.current_coa()) {
                (Some(reviewed), Some(current)) => reviewed == current.id,
                _ => false,
            },
            metrc_lab_passing: self
                .metrc
                .as_ref()
                .and_then(|p| p.lab_state.as_deref())
                .and_then(LabState::parse)
                .is_some_and(|s| s.passing()),
        }
    }

    /// Every reason `actor` may not release this lot now.
    pub fn refusals(&self, actor: &Actor) -> Vec<Refusal> {
        qa::release_refusals(actor, &self.facts())
    }
}

/// A package whose label's potency the newest COA of its lot contradicts.
#[derive(Debug, Clone)]
pub struct Flag {
    pub label: String,
    pub lot: String,
    pub claim: Potency,
    pub coa: Potency,
    pub coa_version: i64,
}

fn dec(s: Option<String>) -> Option<Decimal> {
    s.and_then(|s| s.parse().ok())
}

fn text(s: Option<Decimal>) -> Option<String> {
    s.map(|d| d.normalize().to_string())
}

fn coa_of(r: &sqlx::any::AnyRow) -> Result<Coa> {
    Ok(Coa {
        id: r.try_get("id")?,
        label: r.try_get("label")?,
        version: r.try_get("version")?,
        lab: r.try_get("lab")?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        sha256: r.try_get("sha256")?,
        potency: Potency {
            thc_percent: dec(r.try_get("thc_percent")?),
            cbd_percent: dec(r.try_get("cbd_percent")?),
        },
        uploaded_by: r.try_get("username")?,
        uploaded_at: parse_ts(&r.try_get::<String, _>("uploaded_at")?).unwrap_or_else(now),
    })
}

fn label_of(label: &str) -> Result<String> {
    let l = label.trim().to_ascii_uppercase();
    if l.is_empty() || l.len() > 200 {
        return Err(WbError::Invalid(
            "a package tag is 1 to 200 characters".into(),
        ));
    }
    Ok(l)
}

fn reason_of(what: &str, reason: &str) -> Result<String> {
    let r = reason.trim();
    if r.is_empty() || r.chars().count() > 1000 {
        return Err(WbError::Invalid(format!(
            "say {what}, in 1 to 1000 characters"
        )));
    }
    Ok(r.to_string())
}

impl Workbench {
    fn act(&self, caller: &Caller, license: &LicenseCtx, duty: Duty) -> Result<()> {
        if caller.installation_admin {
            return Err(WbError::Forbidden(
                "installation administrators make no compliance decisions".into(),
            ));
        }
        license.require(duty)
    }

    /// Attaches a COA to a lot: a new version (a revision never replaces the old one). Returns
    /// its id, its version and the packages whose labels it now contradicts.
    #[allow(clippy::too_many_arguments)]
    pub async fn attach_coa(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        label: &str,
        lab: &str,
        file_name: &str,
        content_type: &str,
        body: &[u8],
        potency: Potency,
    ) -> Result<(i64, i64, Vec<Flag>)> {
        self.act(caller, license, Duty::Hold)?;
        let label = label_of(label)?;
        let lab = reason_of("which lab issued it", lab)?;
        let file_name = reason_of("the file's name", file_name)?;
        if body.is_empty() || body.len() > MAX_COA_BYTES {
            return Err(WbError::Invalid(format!(
                "a COA document is 1 byte to {} MB",
                MAX_COA_BYTES / (1024 * 1024)
            )));
        }
        for p in [potency.thc_percent, potency.cbd_percent]
            .into_iter()
            .flatten()
        {
            if p < Decimal::ZERO || p > Decimal::ONE_HUNDRED {
                return Err(WbError::Invalid(
                    "a potency is a percentage from 0 to 100".into(),
                ));
            }
        }
        let content_type = match content_type.trim() {
            "" => "application/pdf".to_string(),
            t if t.len() <= 100 => t.to_string(),
            _ => return Err(WbError::Invalid("the document's type is too long".into())),
        };
        let sha = hex::encode(Sha256::digest(body));
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        let version: i64 = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) + 1 AS v FROM coa_documents WHERE license_id = $1 AND label = $2",
        )
        .bind(license.license_id)
        .bind(&label)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("v")?;
        let id: i64 = sqlx::query(
            "INSERT INTO coa_documents (license_id, label, version, lab, file_name, content_type, body_base64, sha256, thc_percent, cbd_percent, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(license.license_id)
        .bind(&label)
        .bind(version)
        .bind(&lab)
        .bind(&file_name)
        .bind(&content_type)
        .bind(base64::engine::general_purpose::STANDARD.encode(body))
        .bind(&sha)
        .bind(text(potency.thc_percent))
        .bind(text(potency.cbd_percent))
        .bind(caller.user_id)
        .bind(&at)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        let mut ev = Event::new(
            if version == 1 {
                "Attach COA"
            } else {
                "Revise COA"
            },
            format!(
                "{label}: COA version {version} from {lab} ({file_name}), THC {} %, CBD {} %",
                text(potency.thc_percent).unwrap_or_else(|| "—".into()),
                text(potency.cbd_percent).unwrap_or_else(|| "—".into())
            ),
        )
        .by(caller)
        .in_license(license);
        ev.response_sha256 = Some(sha);
        audit::append(&mut tx, door, ev).await?;
        tx.commit().await?;
        let flags = self
            .flagged_labels(license)
            .await?
            .into_iter()
            .filter(|f| f.lot == label)
            .collect();
        Ok((id, version, flags))
    }

    /// A lot's COA versions, newest first.
    pub async fn coas(&self, license: &LicenseCtx, label: &str) -> Result<Vec<Coa>> {
        let rows = sqlx::query(
            "SELECT c.id, c.label, c.version, c.lab, c.file_name, c.content_type, c.sha256, c.thc_percent, c.cbd_percent, c.uploaded_at, u.username \
             FROM coa_documents c JOIN users u ON u.id = c.uploaded_by WHERE c.license_id = $1 AND c.label = $2 ORDER BY c.version DESC",
        )
        .bind(license.license_id)
        .bind(label_of(label)?)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(coa_of).collect()
    }

    /// One COA's document: (content type, file name, bytes), if it belongs to the license.
    pub async fn coa_document(
        &self,
        license: &LicenseCtx,
        id: i64,
    ) -> Result<(String, String, Vec<u8>)> {
        let r = sqlx::query(
            "SELECT content_type, file_name, body_base64 FROM coa_documents WHERE id = $1 AND license_id = $2",
        )
        .bind(id)
        .bind(license.license_id)
        .fetch_optional(&self.db.pool)
        .await?
        .ok_or_else(|| WbError::NotFound(format!("COA {id}")))?;
        let body = base64::engine::general_purpose::STANDARD
            .decode(r.try_get::<String, _>("body_base64")?)
            .map_err(|_| WbError::Invalid("stored COA: not base64".into()))?;
        Ok((r.try_get("content_type")?, r.try_get("file_name")?, body))
    }

    /// Records the potency a package's label carries, and the lot whose COA it came from.
    pub async fn record_label_claim(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        label: &str,
        lot: &str,
        claim: Potency,
    ) -> Result<()> {
        self.act(caller, license, Duty::Draft)?;
        let (label, lot) = (label_of(label)?, label_of(lot)?);
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        sqlx::query("DELETE FROM label_claims WHERE license_id = $1 AND label = $2")
            .bind(license.license_id)
            .bind(&label)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query(
            "INSERT INTO label_claims (license_id, label, lot, thc_percent, cbd_percent, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(license.license_id)
        .bind(&label)
        .bind(&lot)
        .bind(text(claim.thc_percent))
        .bind(text(claim.cbd_percent))
        .bind(caller.user_id)
        .bind(&at)
        .execute(&mut *tx.tx)
        .await?;
        audit::append(
            &mut tx,
            door,
            Event::new(
                "Record label potency",
                format!(
                    "{label}: label carries THC {} %, CBD {} % from lot {lot}",
                    text(claim.thc_percent).unwrap_or_else(|| "—".into()),
                    text(claim.cbd_percent).unwrap_or_else(|| "—".into())
                ),
            )
            .by(caller)
            .in_license(license),
        )
        .await?;
        tx.commit().await
    }

    /// Every package whose label's potency is outside tolerance of its lot's newest COA.
    pub async fn flagged_labels(&self, license: &LicenseCtx) -> Result<Vec<Flag>> {
        let claims = sqlx::query(
            "SELECT label, lot, thc_percent, cbd_percent FROM label_claims WHERE license_id = $1 ORDER BY label",
        )
        .bind(license.license_id)
        .fetch_all(&self.db.pool)
        .await?;
        let newest = sqlx::query(
            "SELECT c.label, c.version, c.thc_percent, c.cbd_percent FROM coa_documents c WHERE c.license_id = $1 \
             AND c.version = (SELECT MAX(version) FROM coa_documents d WHERE d.license_id = c.license_id AND d.label = c.label)",
        )
        .bind(license.license_id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut coa: BTreeMap<String, (i64, Potency)> = BTreeMap::new();
        for r in &newest {
            coa.insert(
                r.try_get("label")?,
                (
                    r.try_get("version")?,
                    Potency {
                        thc_percent: dec(r.try_get("thc_percent")?),
                        cbd_percent: dec(r.try_get("cbd_percent")?),
                    },
                ),
            );
        }
        let mut out = vec![];
        for r in &claims {
            let lot: String = r.try_get("lot")?;
            let Some((version, potency)) = coa.get(&lot) else {
                continue;
            };
            let claim = Potency {
                thc_percent: dec(r.try_get("thc_percent")?),
                cbd_percent: dec(r.try_get("cbd_percent")?),
            };
            if !label_within(&claim, potency, LABEL_TOLERANCE_PERCENT) {
                out.push(Flag {
                    label: r.try_get("label")?,
                    lot,
                    claim,
                    coa: *potency,
                    coa_version: *version,
                });
            }
        }
        Ok(out)
    }

    /// A person places a hold on a lot, with a reason; only a person lifts it.
    pub async fn place_hold(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        label: &str,
        reason: &str,
    ) -> Result<i64> {
        self.act(caller, license, Duty::Hold)?;
        let (label, reason) = (label_of(label)?, reason_of("why it is held", reason)?);
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO holds (license_id, label, reason, placed_by, placed_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(license.license_id)
        .bind(&label)
        .bind(&reason)
        .bind(caller.user_id)
        .bind(&at)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        // What the workbench expects of the package holds it too (reconciliation and
        // preflight read it there), whatever Metrc says.
        sqlx::query("UPDATE expectations SET on_hold = 1, updated_at = $1 WHERE license_id = $2 AND label = $3")
            .bind(&at)
            .bind(license.license_id)
            .bind(&label)
            .execute(&mut *tx.tx)
            .await?;
        audit::append(
            &mut tx,
            door,
            Event::new("Place hold", format!("{label}: {reason}"))
                .by(caller)
                .in_license(license),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Lifts a hold a person placed: a person allowed to hold (the model's rule); never
    /// automation.
    pub async fn lift_hold(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        hold_id: i64,
        reason: &str,
    ) -> Result<()> {
        let reason = reason_of("why it is lifted", reason)?;
        let h = sqlx::query(
            "SELECT h.label, h.reason, h.placed_by, u.username FROM holds h JOIN users u ON u.id = h.placed_by WHERE h.id = $1 AND h.license_id = $2 AND h.lifted_at IS NULL",
        )
        .bind(hold_id)
        .bind(license.license_id)
        .fetch_optional(&self.db.pool)
        .await?
        .ok_or_else(|| WbError::NotFound(format!("open hold {hold_id}")))?;
        let hold = Hold {
            owner: HoldOwner::Person {
                user_id: h.try_get("placed_by")?,
                name: h.try_get("username")?,
            },
            reason: h.try_get("reason")?,
        };
        let actor = if caller.installation_admin {
            Actor::Installation {
                user_id: caller.user_id,
            }
        } else {
            Actor::Person {
                user_id: caller.user_id,
                roles: license.roles.clone(),
                second_factor: caller.second_factor_fresh(self),
            }
        };
        qa::may_lift(&actor, &hold).map_err(|r| WbError::Forbidden(r.to_string()))?;
        let label: String = h.try_get("label")?;
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE holds SET lifted_by = $1, lifted_at = $2, lift_reason = $3 WHERE id = $4 AND lifted_at IS NULL",
        )
        .bind(caller.user_id)
        .bind(&at)
        .bind(&reason)
        .bind(hold_id)
        .execute(&mut *tx.tx)
        .await?;
        let still: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM holds WHERE license_id = $1 AND label = $2 AND lifted_at IS NULL",
        )
        .bind(license.license_id)
        .bind(&label)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("n")?;
        if still == 0 {
            sqlx::query("UPDATE expectations SET on_hold = 0, updated_at = $1 WHERE license_id = $2 AND label = $3")
                .bind(&at)
                .bind(license.license_id)
                .bind(&label)
                .execute(&mut *tx.tx)
                .await?;
        }
        audit::append(
            &mut tx,
            door,
            Event::new(
                "Lift hold",
                format!("{label}: hold \"{}\" lifted: {reason}", hold.reason),
            )
            .by(caller)
            .in_license(license),
        )
        .await?;
        tx.commit().await
    }

    /// Everything the release gate looks at for one lot of the license.
    pub async fn lot(&self, license: &LicenseCtx, label: &str) -> Result<Lot> {
        let packages = self.metrc_packages(license.license_id).await?;
        let discrepancies = self.open_discrepancies(license.license_id).await?;
        self.lot_among(license, &label_of(label)?, &packages, &discrepancies)
            .await
    }

    /// One lot, with the license's synced packages and open discrepancies already loaded.
    async fn lot_among(
        &self,
        license: &LicenseCtx,
        label: &str,
        packages: &BTreeMap<String, PackageView>,
        discrepancies: &BTreeMap<String, String>,
    ) -> Result<Lot> {
        let label = label.to_string();
        let metrc = packages.get(&label).cloned();
        let coas = self.coas(license, &label).await?;
        let review = sqlx::query(
            "SELECT r.*, p.username AS preparer, d.username AS decider FROM qa_reviews r JOIN users p ON p.id = r.prepared_by LEFT JOIN users d ON d.id = r.decided_by \
             WHERE r.license_id = $1 AND r.label = $2 ORDER BY r.id DESC LIMIT 1",
        )
        .bind(license.license_id)
        .bind(&label)
        .fetch_optional(&self.db.pool)
        .await?
        .map(|r| -> Result<Review> {
            let checked: Vec<String> = serde_json::from_str(&r.try_get::<String, _>("checklist")?)
                .map_err(|_| WbError::Invalid("stored review: checklist".into()))?;
            Ok(Review {
                id: r.try_get("id")?,
                label: r.try_get("label")?,
                coa_id: r.try_get("coa_id")?,
                checked: checked.iter().filter_map(|c| CheckItem::parse(c)).collect(),
                notes: r.try_get("notes")?,
                prepared_by: r.try_get("preparer")?,
                prepared_by_id: r.try_get("prepared_by")?,
                prepared_at: parse_ts(&r.try_get::<String, _>("prepared_at")?).unwrap_or_else(now),
                outcome: r.try_get("outcome")?,
                decided_by: r.try_get("decider")?,
                decided_at: r
                    .try_get::<Option<String>, _>("decided_at")?
                    .as_deref()
                    .and_then(parse_ts),
                decision_reason: r.try_get("decision_reason")?,
            })
        })
        .transpose()?;
        let holds = sqlx::query(
            "SELECT h.id, h.label, h.reason, h.placed_by, h.placed_at, u.username FROM holds h JOIN users u ON u.id = h.placed_by \
             WHERE h.license_id = $1 AND h.label = $2 AND h.lifted_at IS NULL ORDER BY h.id",
        )
        .bind(license.license_id)
        .bind(&label)
        .fetch_all(&self.db.pool)
        .await?
        .iter()
        .map(|h| {
            Ok(HoldRow {
                id: h.try_get("id")?,
                label: h.try_get("label")?,
                reason: h.try_get("reason")?,
                placed_by: h.try_get("username")?,
                placed_by_id: h.try_get("placed_by")?,
                placed_at: parse_ts(&h.try_get::<String, _>("placed_at")?).unwrap_or_else(now),
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let claim = sqlx::query(
            "SELECT thc_percent, cbd_percent FROM label_claims WHERE license_id = $1 AND label = $2",
        )
        .bind(license.license_id)
        .bind(&label)
        .fetch_optional(&self.db.pool)
        .await?
        .map(|r| -> Result<Potency> {
            Ok(Potency {
                thc_percent: dec(r.try_get("thc_percent")?),
                cbd_percent: dec(r.try_get("cbd_percent")?),
            })
        })
        .transpose()?;
        Ok(Lot {
            open_discrepancy: discrepancies.get(&label).cloned(),
            label,
            metrc,
            coas,
            review,
            holds,
            claim,
        })
    }

    /// A QA reviewer prepares the lot's review: the checklist items they checked against the
    /// current COA, and notes. A new review replaces an undecided one.
    pub async fn prepare_review(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        label: &str,
        checked: &BTreeSet<CheckItem>,
        notes: &str,
    ) -> Result<i64> {
        self.act(caller, license, Duty::Hold)?;
        let lot = self.lot(license, label).await?;
        if lot.metrc.is_none() {
            return Err(WbError::NotFound(format!(
                "package {} in this license's last sync",
                lot.label
            )));
        }
        if lot.released() {
            return Err(WbError::Conflict(format!(
                "{} is already released",
                lot.label
            )));
        }
        let notes = notes.trim();
        if notes.chars().count() > 4000 {
            return Err(WbError::Invalid("notes are at most 4000 characters".into()));
        }
        let list: Vec<&str> = checked.iter().map(|c| c.as_str()).collect();
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "DELETE FROM qa_reviews WHERE license_id = $1 AND label = $2 AND outcome IS NULL",
        )
        .bind(license.license_id)
        .bind(&lot.label)
        .execute(&mut *tx.tx)
        .await?;
        let id: i64 = sqlx::query(
            "INSERT INTO qa_reviews (license_id, label, coa_id, checklist, notes, prepared_by, prepared_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(license.license_id)
        .bind(&lot.label)
        .bind(lot.current_coa().map(|c| c.id))
        .bind(serde_json::to_string(&list).unwrap_or_else(|_| "[]".into()))
        .bind(notes)
        .bind(caller.user_id)
        .bind(&at)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        audit::append(
            &mut tx,
            door,
            Event::new(
                "Prepare QA review",
                format!(
                    "{}: {} of {} checks, against COA version {}",
                    lot.label,
                    checked.len(),
                    CheckItem::ALL.len(),
                    lot.current_coa()
                        .map(|c| c.version.to_string())
                        .unwrap_or_else(|| "none".into())
                ),
            )
            .by(caller)
            .in_license(license),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Releases a lot to sellable inventory: a second person with the QA role and a fresh
    /// second factor, every gate open (the model says which are not).
    pub async fn release(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        label: &str,
    ) -> Result<()> {
        let lot = self.lot(license, label).await?;
        let actor = if caller.installation_admin {
            Actor::Installation {
                user_id: caller.user_id,
            }
        } else {
            Actor::Person {
                user_id: caller.user_id,
                roles: license.roles.clone(),
                second_factor: caller.second_factor_fresh(self),
            }
        };
        let refused = lot.refusals(&actor);
        if !refused.is_empty() {
            return Err(WbError::Forbidden(
                refused
                    .iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            ));
        }
        self.decide_review(caller, door, license, &lot, "released", "released by QA")
            .await
    }

    /// Rejects a lot to remediation or destruction (QA), which also holds it.
    pub async fn reject_lot(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        label: &str,
        to: Disposition,
        reason: &str,
    ) -> Result<()> {
        self.act(caller, license, Duty::Hold)?;
        let reason = reason_of("why it is rejected", reason)?;
        let lot = self.lot(license, label).await?;
        if lot.review.as_ref().is_none_or(|r| r.outcome.is_some()) {
            return Err(WbError::Conflict(format!(
                "{} has no QA review waiting for a decision",
                lot.label
            )));
        }
        self.decide_review(caller, door, license, &lot, to.as_str(), &reason)
            .await?;
        self.place_hold(
            caller,
            door,
            license,
            &lot.label,
            &format!("rejected by QA to {}: {reason}", to.as_str()),
        )
        .await?;
        Ok(())
    }

    async fn decide_review(
        &self,
        caller: &Caller,
        door: Door,
        license: &LicenseCtx,
        lot: &Lot,
        outcome: &str,
        reason: &str,
    ) -> Result<()> {
        let Some(review) = lot.review.as_ref().filter(|r| r.outcome.is_none()) else {
            return Err(WbError::Conflict(format!(
                "{} has no QA review waiting for a decision",
                lot.label
            )));
        };
        let at = ts(now());
        let mut tx = self.db.begin().await?;
        let n = sqlx::query(
            "UPDATE qa_reviews SET outcome = $1, decided_by = $2, decided_at = $3, decision_reason = $4 WHERE id = $5 AND outcome IS NULL",
        )
        .bind(outcome)
        .bind(caller.user_id)
        .bind(&at)
        .bind(reason)
        .bind(review.id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(WbError::Conflict(format!(
                "the review of {} changed while you were looking at it; reload and try again",
                lot.label
            )));
        }
        audit::append(
            &mut tx,
            door,
            Event::new(
                if outcome == "released" {
                    "Release lot"
                } else {
                    "Reject lot"
                },
                format!(
                    "{}: {outcome} (review prepared by {}): {reason}",
                    lot.label, review.prepared_by
                ),
            )
            .by(caller)
            .in_license(license),
        )
        .await?;
        tx.commit().await
    }

    /// The license's lots at the last sync that are not released yet, each with what it waits
    /// for (the QA queue), and the sellable inventory.
    pub async fn qa_queue(&self, license: &LicenseCtx) -> Result<(Vec<Lot>, Vec<Lot>)> {
        let packages = self.metrc_packages(license.license_id).await?;
        let discrepancies = self.open_discrepancies(license.license_id).await?;
        let (mut waiting, mut sellable) = (vec![], vec![]);
        for p in packages.values().filter(|p| p.status == Status::Active) {
            let lot = self
                .lot_among(license, &p.label, &packages, &discrepancies)
                .await?;
            if lot.sellable() {
                sellable.push(lot);
            } else {
                waiting.push(lot);
            }
        }
        Ok((waiting, sellable))
    }

    /// Which of `labels` are sellable now (for preflight of a transfer to a retailer).
    pub(crate) async fn sellable_among(
        &self,
        license: &LicenseCtx,
        labels: &[String],
    ) -> Result<BTreeSet<String>> {
        let packages = self.metrc_packages(license.license_id).await?;
        let discrepancies = self.open_discrepancies(license.license_id).await?;
        let mut out = BTreeSet::new();
        for l in labels {
            let Ok(label) = label_of(l) else { continue };
            if self
                .lot_among(license, &label, &packages, &discrepancies)
                .await?
                .sellable()
            {
                out.insert(label);
            }
        }
        Ok(out)
    }
}
