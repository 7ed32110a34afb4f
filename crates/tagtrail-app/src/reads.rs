//! Reads, each scoped to what the caller may see: a [`Scope`]'s own records, and records of
//! other licenses only where a rule lets the scope see them (a manifest's parties, a sample's
//! laboratory, a lot's released results, another license's package in lineage as a label and an
//! item and nothing live).

use crate::actions::transfers::Loaded;
use crate::identity::{Acting, Scope};
use crate::{AppError, AppResult, Ledger};
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use tagtrail_domain::journal::Entry;
use tagtrail_domain::license::Capability;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{
    Employment, Facility, Harvest, Item, LabDocument, LabResult, LabSample, Package, PackageLink,
    Plant, PlantBatch, Record, Transfer, TransferPackage, TransferState, User, fold,
};
use tagtrail_domain::time;

use tagtrail_store::SourceKind;
pub use tagtrail_store::{Column, Filter, ListQuery, Page, Val};

/// A window whose end lies this little ahead of the ledger's horizon is waited for rather than
/// cut short (a client clock slightly ahead of the server's, a poll sent the moment a write
/// started).
const WINDOW_WAIT: Duration = Duration::from_secs(2);

/// One package of a lineage, as the viewer may see it.
#[derive(Debug, Clone)]
pub enum Relative {
    /// The viewer's own package (or a sample in its laboratory's custody), in full.
    Visible(Box<Package>),
    /// Another license's package: which one and what it is, nothing live (no quantity,
    /// location, state or lab results).
    Other { label: String, item: String },
}

/// What a search found at one license: packages by part of their UID, manifests by part of their
/// number, items by part of their name.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    pub packages: Vec<Package>,
    pub transfers: Vec<Transfer>,
    pub items: Vec<Item>,
}

/// Ancestors and descendants of a package, nearest first, with their depth.
#[derive(Debug, Clone)]
pub struct Lineage {
    pub package: Package,
    /// Packages the package came from: its source packages and theirs, and the seeds or clones
    /// package a plant batch was planted from.
    pub ancestors: Vec<(u32, Relative)>,
    pub descendants: Vec<(u32, Relative)>,
    /// The harvests, plants and plant batches the ancestry passes through, nearest first.
    pub origins: Vec<Origin>,
    /// The plant batches, plants and harvests the descent passes through, nearest first: a seeds
    /// or clones package's batches, their plants, and the harvests those went into (the
    /// packages made from them are in `descendants`).
    pub grown_into: Vec<Offspring>,
}

/// A plant batch, plant or harvest below a package, grown from it.
#[derive(Debug, Clone)]
pub struct Offspring {
    /// Steps from the package, counting every batch, plant, harvest and package on the way.
    pub depth: u32,
    /// What it came from, by the name the viewer has for it: package labels (a plant batch),
    /// plant batch names (a plant), plant labels (a harvest).
    pub grown_from: Vec<String>,
    /// Always the viewer's own record: the walk down goes only through its own batches,
    /// plants and harvests.
    pub grown: Grown,
}

/// A harvest, plant or plant batch in a package's ancestry.
#[derive(Debug, Clone)]
pub struct Origin {
    /// Steps from the package, counting every harvest, plant, batch and package on the way.
    pub depth: u32,
    /// What it is a source of, by the name the viewer has for it: package labels (a harvest),
    /// harvest names (a plant), plant labels (a plant batch, or a mother plant's batch), plant
    /// batch names (a batch split from another, or planted from a mother plant).
    pub source_of: Vec<String>,
    pub grown: Grown,
}

/// A cultivation record of a lineage, as the viewer may see it. A harvest, its plants and their
/// batches never leave the license that grew them, so custody is ownership.
#[derive(Debug, Clone)]
pub enum Grown {
    /// The viewer's own harvest, in full; the walk goes on to its plants.
    Harvest(Box<Harvest>),
    /// Another license's harvest: its name (which the packages made from it already carry) and
    /// how many plants went into it. Nothing of the plants (no tags, locations or dates), and
    /// the walk stops here.
    OtherHarvest { name: String, plant_count: usize },
    /// One of the viewer's plants harvested into a harvest, or a mother plant a batch came from.
    Plant(Box<Plant>),
    /// One of the viewer's plant batches.
    PlantBatch(Box<PlantBatch>),
}

/// A record a lineage walk visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Node {
    Package(i64),
    Harvest(i64),
    Plant(i64),
    Batch(i64),
}

/// What a package came from: its source packages and its source harvests.
fn package_sources(p: &Package) -> Vec<(Node, String)> {
    let of = p.label.to_string();
    p.source_package_ids
        .iter()
        .map(|id| Node::Package(*id))
        .chain(
            p.source_harvests
                .iter()
                .map(|h| Node::Harvest(h.harvest_id)),
        )
        .map(|n| (n, of.clone()))
        .collect()
}

/// Records by their id.
fn by_id<R>(rows: Vec<R>, id: impl Fn(&R) -> i64) -> HashMap<i64, R> {
    rows.into_iter().map(|r| (id(&r), r)).collect()
}

/// What a plant batch came from (rule 22): its seeds or clones package, its mother plant, or the
/// batches it was split from.
fn batch_sources(b: &PlantBatch) -> Vec<(Node, String)> {
    b.source_package_id
        .map(Node::Package)
        .into_iter()
        .chain(b.source_plant_id.map(Node::Plant))
        .chain(b.source_plant_batch_ids.iter().map(|id| Node::Batch(*id)))
        .map(|n| (n, b.name.clone()))
        .collect()
}

fn not_found(what: &str, id: impl std::fmt::Display) -> AppError {
    AppError::NotFound(format!("{what} {id} does not exist."))
}

fn not_yours(what: &str, id: impl std::fmt::Display, license: &str) -> AppError {
    AppError::Unauthorized(format!("{what} {id} does not belong to license {license}."))
}

/// A laboratory holds a testing sample sent to it; the lab may see it as its owner does.
fn in_custody_of(p: &Package, license: &str) -> bool {
    p.lab_license.as_deref() == Some(license)
}

impl Ledger {
    /// One page of the scope's own records of type `R`. A query with a `lastModified` window is
    /// answered only up to what is committed: it first waits for any write in flight, and never
    /// reaches past the ledger's horizon, so a client walking back-to-back windows sees every
    /// record exactly once.
    pub async fn list<R: Record>(&self, scope: &Scope, mut q: ListQuery) -> AppResult<Page<R>> {
        q.license = Some(scope.license().to_string());
        if q.modified_from.is_some() {
            self.bound_window(&mut q).await?;
        }
        Ok(self.store.list(&q).await?)
    }

    /// How many of the scope's records of type `R` match `q` for each value of the text column
    /// `by`, most first.
    pub async fn count_by<R: Record>(
        &self,
        scope: &Scope,
        mut q: ListQuery,
        by: Column,
    ) -> AppResult<Vec<(Option<String>, i64)>> {
        q.license = Some(scope.license().to_string());
        Ok(self.store.count_by::<R>(&q, by).await?)
    }

    /// Finds, at the scope's license, up to `limit` each of: packages whose UID contains `text`
    /// (any case), manifests (shipped, received or carried) whose number contains it, and items
    /// whose name contains it. Newest first.
    pub async fn search(&self, scope: &Scope, text: &str, limit: u32) -> AppResult<Hits> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Hits::default());
        }
        let newest = |q: ListQuery| ListQuery {
            page: Some((1, limit)),
            newest_first: true,
            ..q
        };
        let upper = text.to_uppercase();
        let packages = self
            .list::<Package>(
                scope,
                newest(ListQuery::default()).containing(Column::Label, &upper),
            )
            .await?
            .rows;
        let items = self
            .list::<Item>(
                scope,
                newest(ListQuery::default()).containing(Column::NameKey, fold(text)),
            )
            .await?
            .rows;
        // Manifest numbers are digits; a search for anything else finds none.
        let mut transfers: Vec<Transfer> = Vec::new();
        if text.chars().all(|c| c.is_ascii_digit()) {
            let lic = scope.license().to_string();
            let parties = [
                (Some(lic.clone()), None),
                (None, Some(Column::RecipientLicense)),
                (None, Some(Column::TransporterLicense)),
            ];
            for (license, party) in parties {
                let mut q = newest(ListQuery::default()).containing(Column::ManifestNumber, text);
                q.license = license;
                if let Some(c) = party {
                    q = q.with(c, [lic.as_str()]);
                }
                for t in self.store.list::<Transfer>(&q).await?.rows {
                    if !transfers.iter().any(|x| x.id == t.id) {
                        transfers.push(t);
                    }
                }
            }
            transfers.sort_by_key(|t| std::cmp::Reverse(t.id));
            transfers.truncate(limit as usize);
        }
        Ok(Hits {
            packages,
            transfers,
            items,
        })
    }

    /// Where `who` may look at the package with this exact UID: the license (its owner's, or
    /// the laboratory's that holds it as a sample) and its id. `None` when there is no such
    /// package or `who` may not see it, which are not told apart.
    pub async fn locate_package(
        &self,
        who: &Acting,
        label: &str,
    ) -> AppResult<Option<(String, i64)>> {
        let label = label.trim().to_uppercase();
        let Some(p) = self.store.find::<Package>(None, &label).await? else {
            return Ok(None);
        };
        let places = std::iter::once(p.license_number.clone()).chain(p.lab_license.clone());
        for license in places {
            match self
                .authorize(who, &license, &[Permission::ViewPackages])
                .await
            {
                Ok(_) => return Ok(Some((license, p.id))),
                Err(AppError::Unauthorized(_) | AppError::Forbidden(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// Ends the window at the horizon. An end slightly ahead of it is waited for (the horizon
    /// moves with the clock); an end further ahead is cut to the horizon.
    async fn bound_window(&self, q: &mut ListQuery) -> AppResult<()> {
        let mut horizon = self.store.horizon().await?;
        let end = q.modified_to.as_deref().and_then(time::parse_instant);
        if let Some(end) = end
            && end > horizon
            && let Ok(wait) = (end - horizon).to_std()
            && wait <= WINDOW_WAIT
        {
            tokio::time::sleep(wait).await;
            horizon = self.store.horizon().await?;
        }
        let bound = match end {
            Some(end) if end <= horizon => end,
            _ => horizon,
        };
        q.modified_to = Some(time::format(bound));
        Ok(())
    }

    /// A record of the scope's facility by id: 404 if there is none, 401 if it is another
    /// license's (as Metrc answers).
    pub async fn get<R: Record>(&self, scope: &Scope, id: i64, what: &str) -> AppResult<R> {
        let r: R = self
            .store
            .get(id)
            .await?
            .ok_or_else(|| not_found(what, id))?;
        if r.license() != Some(scope.license()) {
            return Err(not_yours(what, id, scope.license()));
        }
        Ok(r)
    }

    /// A record by id for a caller who named no license: its own facility must be one the caller
    /// may act for, holding one of `perms`.
    pub async fn get_any<R: Record>(
        &self,
        who: &Acting,
        id: i64,
        perms: &[Permission],
        what: &str,
    ) -> AppResult<R> {
        let r: R = self
            .store
            .get(id)
            .await?
            .ok_or_else(|| not_found(what, id))?;
        let owner = r.license().unwrap_or_default().to_string();
        self.authorize(who, &owner, perms).await?;
        Ok(r)
    }

    /// A record of the scope's facility by its natural key (name, label, plate…), active ones
    /// first.
    pub async fn find<R: Record>(&self, scope: &Scope, key: &str) -> AppResult<Option<R>> {
        Ok(self.store.find(Some(scope.license()), key).await?)
    }

    /// A record of the scope's facility by its natural key (a plant's tag label…). One of another
    /// facility answers 401 as [`Ledger::get`] does by id, so a label read and an id read of the
    /// same record agree (Metrc: "not in that facility → 401").
    pub async fn by_key<R: Record>(&self, scope: &Scope, key: &str, what: &str) -> AppResult<R> {
        if let Some(r) = self.store.find::<R>(Some(scope.license()), key).await? {
            return Ok(r);
        }
        match self.store.find::<R>(None, key).await? {
            Some(_) => Err(not_yours(what, key, scope.license())),
            None => Err(not_found(what, key)),
        }
    }

    /// One of the scope's packages by id or by label (an all-digit key is an id).
    pub async fn package(&self, scope: &Scope, key: &str) -> AppResult<Package> {
        let key = key.trim();
        let found: Option<Package> = if !key.is_empty() && key.chars().all(|c| c.is_ascii_digit()) {
            match key.parse::<i64>() {
                Ok(id) => self.store.get(id).await?,
                Err(_) => None,
            }
        } else {
            self.store.find(None, &key.to_ascii_uppercase()).await?
        };
        match found {
            Some(p) if p.license_number == scope.license() => Ok(p),
            Some(_) => Err(not_yours("Package", key, scope.license())),
            None => Err(not_found("Package", key)),
        }
    }

    /// A package the scope may look at: its own, or a sample in its laboratory's custody.
    pub async fn package_seen(&self, scope: &Scope, id: i64) -> AppResult<Package> {
        match self.store.get::<Package>(id).await? {
            Some(p)
                if p.license_number == scope.license() || in_custody_of(&p, scope.license()) =>
            {
                Ok(p)
            }
            Some(_) => Err(not_yours("Package", id, scope.license())),
            None => Err(not_found("Package", id)),
        }
    }

    /// The employees (users employed) at the scope's facility, paged by employment id.
    pub async fn employees(
        &self,
        scope: &Scope,
        page: Option<(u32, u32)>,
    ) -> AppResult<(i64, Vec<(User, Employment)>)> {
        let jobs = self
            .store
            .list::<Employment>(&ListQuery {
                license: Some(scope.license().into()),
                active: Some(true),
                page,
                ..Default::default()
            })
            .await?;
        let mut out = Vec::new();
        for job in jobs.rows {
            if let Some(u) = self.store.get::<User>(job.user_id).await? {
                out.push((u, job));
            }
        }
        Ok((jobs.total, out))
    }

    /// The scope's journal entries, newest first, below `before` when paging back.
    pub async fn journal(
        &self,
        scope: &Scope,
        before: Option<i64>,
        limit: u32,
    ) -> AppResult<Vec<Entry>> {
        Ok(self
            .store
            .journal(Some(&[scope.license().to_string()]), before, limit)
            .await?)
    }

    /// The journal entries that changed a package the scope may look at, newest first.
    pub async fn package_history(
        &self,
        scope: &Scope,
        id: i64,
        limit: u32,
    ) -> AppResult<Vec<Entry>> {
        self.package_seen(scope, id).await?;
        Ok(self
            .store
            .journal_touching(Package::TABLE, id, limit)
            .await?)
    }

    /// The journal entries that changed a manifest the scope is a party to, newest first.
    pub async fn manifest_history(
        &self,
        scope: &Scope,
        id: i64,
        limit: u32,
    ) -> AppResult<Vec<Entry>> {
        self.manifest_in(scope, id).await?;
        Ok(self
            .store
            .journal_touching(Transfer::TABLE, id, limit)
            .await?)
    }

    /// The adjustments recorded on one of the scope's packages.
    pub async fn adjustments(
        &self,
        scope: &Scope,
        package: &Package,
    ) -> AppResult<Vec<tagtrail_domain::records::PackageAdjustment>> {
        Ok(self
            .store
            .find_many(Some(scope.license()), &[package.id.to_string()], None)
            .await?)
    }

    /// Walks a package's sources up and its derived packages down, breadth first, to `depth`.
    /// Upward the walk also goes through source harvests to the plants harvested into them,
    /// their plant batches, and what each batch was planted from (a seeds or clones package, a
    /// mother plant, or another batch), then on up that package's own sources.
    ///
    /// Packages of other licenses are shown as [`Relative::Other`]: the walk passes through
    /// them (lineage crosses manifests), but the viewer learns only what they are. Another
    /// license's harvest is [`Grown::OtherHarvest`], where the walk stops: a manufacturer sees
    /// which harvest its flower came from and how many plants, never its supplier's plants.
    pub async fn lineage(&self, scope: &Scope, package: Package, depth: u32) -> AppResult<Lineage> {
        let lic = scope.license();
        let seen_by = |p: Package| -> Relative {
            if p.license_number == lic || in_custody_of(&p, lic) {
                Relative::Visible(Box::new(p))
            } else {
                Relative::Other {
                    label: p.label.to_string(),
                    item: p.item_name,
                }
            }
        };
        let mut out = Lineage {
            package: package.clone(),
            ancestors: vec![],
            descendants: vec![],
            origins: vec![],
            grown_into: vec![],
        };
        let mut seen = HashSet::from([Node::Package(package.id)]);
        // Where each origin already shown sits in `out.origins`, to add what else it feeds.
        let mut placed: HashMap<Node, usize> = HashMap::new();
        let mut frontier = package_sources(&package);
        for level in 1..=depth {
            if frontier.is_empty() {
                break;
            }
            // This level's records, each once, with everything below that named it.
            let mut fresh: Vec<(Node, Vec<String>)> = Vec::new();
            let mut at: HashMap<Node, usize> = HashMap::new();
            for (node, of) in frontier.drain(..) {
                let names = if let Some(i) = placed.get(&node) {
                    &mut out.origins[*i].source_of
                } else if let Some(i) = at.get(&node) {
                    &mut fresh[*i].1
                } else if seen.insert(node) {
                    let i = fresh.len();
                    at.insert(node, i);
                    fresh.push((node, vec![]));
                    &mut fresh[i].1
                } else {
                    // An ancestor package already listed: packages carry no `source_of`.
                    continue;
                };
                if !names.contains(&of) {
                    names.push(of);
                }
            }
            // A harvest's plants are read together (a harvest may hold hundreds).
            let plant_ids: Vec<i64> = fresh
                .iter()
                .filter_map(|(n, _)| match n {
                    Node::Plant(id) => Some(*id),
                    _ => None,
                })
                .collect();
            let mut plants: HashMap<i64, Plant> = self
                .store
                .get_many::<Plant>(&plant_ids)
                .await?
                .into_iter()
                .map(|p| (p.id, p))
                .collect();
            let mut next = Vec::new();
            for (node, source_of) in fresh {
                let grown = match node {
                    Node::Package(id) => {
                        if let Some(p) = self.store.get::<Package>(id).await? {
                            next.extend(package_sources(&p));
                            out.ancestors.push((level, seen_by(p)));
                        }
                        continue;
                    }
                    Node::Harvest(id) => match self.store.get::<Harvest>(id).await? {
                        Some(h) if h.license_number == lic => {
                            next.extend(
                                h.plant_ids
                                    .iter()
                                    .map(|p| (Node::Plant(*p), h.name.clone())),
                            );
                            Grown::Harvest(Box::new(h))
                        }
                        Some(h) => Grown::OtherHarvest {
                            plant_count: h.plant_count(),
                            name: h.name,
                        },
                        None => continue,
                    },
                    // Plants and batches are reached only from the viewer's own harvests and
                    // batches, so they are its own; the check keeps it so.
                    Node::Plant(id) => match plants.remove(&id) {
                        Some(p) if p.license_number == lic => {
                            next.push((Node::Batch(p.plant_batch_id), p.label.to_string()));
                            Grown::Plant(Box::new(p))
                        }
                        _ => continue,
                    },
                    Node::Batch(id) => match self.store.get::<PlantBatch>(id).await? {
                        Some(b) if b.license_number == lic => {
                            next.extend(batch_sources(&b));
                            Grown::PlantBatch(Box::new(b))
                        }
                        _ => continue,
                    },
                };
                placed.insert(node, out.origins.len());
                out.origins.push(Origin {
                    depth: level,
                    source_of,
                    grown,
                });
            }
            frontier = next;
        }
        // Downward: derived packages, and from a seeds or clones package through the viewer's
        // own plant batches, their plants and the harvests they went into to the packages made
        // from those. Nothing listed above is listed again below.
        let mut frontier = vec![(Node::Package(package.id), package.label.to_string())];
        let mut placed: HashMap<Node, usize> = HashMap::new();
        for level in 1..=depth {
            if frontier.is_empty() {
                break;
            }
            let found = self.grown_below(lic, &frontier).await?;
            // This level's records, each once, in the order found.
            let mut fresh: Vec<(Node, Vec<String>)> = Vec::new();
            let mut at: HashMap<Node, usize> = HashMap::new();
            for (node, of) in found {
                let names = if let Some(i) = placed.get(&node) {
                    &mut out.grown_into[*i].grown_from
                } else if let Some(i) = at.get(&node) {
                    &mut fresh[*i].1
                } else if seen.insert(node) {
                    let i = fresh.len();
                    at.insert(node, i);
                    fresh.push((node, vec![]));
                    &mut fresh[i].1
                } else {
                    continue;
                };
                if !names.contains(&of) {
                    names.push(of);
                }
            }
            // Read together, a kind at a time (a batch may hold hundreds of plants).
            let ids = |want: fn(Node) -> Option<i64>| -> Vec<i64> {
                fresh.iter().filter_map(|(n, _)| want(*n)).collect()
            };
            let mut packages = by_id(
                self.store
                    .get_many::<Package>(&ids(|n| match n {
                        Node::Package(id) => Some(id),
                        _ => None,
                    }))
                    .await?,
                |p| p.id,
            );
            let mut batches = by_id(
                self.store
                    .get_many::<PlantBatch>(&ids(|n| match n {
                        Node::Batch(id) => Some(id),
                        _ => None,
                    }))
                    .await?,
                |b| b.id,
            );
            let mut plants = by_id(
                self.store
                    .get_many::<Plant>(&ids(|n| match n {
                        Node::Plant(id) => Some(id),
                        _ => None,
                    }))
                    .await?,
                |p| p.id,
            );
            let mut harvests = by_id(
                self.store
                    .get_many::<Harvest>(&ids(|n| match n {
                        Node::Harvest(id) => Some(id),
                        _ => None,
                    }))
                    .await?,
                |h| h.id,
            );
            frontier = Vec::new();
            for (node, grown_from) in fresh {
                // Batches, plants and harvests are the viewer's own or not shown at all.
                let (grown, name) = match node {
                    Node::Package(id) => {
                        if let Some(p) = packages.remove(&id) {
                            frontier.push((node, p.label.to_string()));
                            out.descendants.push((level, seen_by(p)));
                        }
                        continue;
                    }
                    Node::Batch(id) => match batches.remove(&id) {
                        Some(b) if b.license_number == lic => {
                            let name = b.name.clone();
                            (Grown::PlantBatch(Box::new(b)), name)
                        }
                        _ => continue,
                    },
                    Node::Plant(id) => match plants.remove(&id) {
                        Some(p) if p.license_number == lic => {
                            let name = p.label.to_string();
                            (Grown::Plant(Box::new(p)), name)
                        }
                        _ => continue,
                    },
                    Node::Harvest(id) => match harvests.remove(&id) {
                        Some(h) if h.license_number == lic => {
                            let name = h.name.clone();
                            (Grown::Harvest(Box::new(h)), name)
                        }
                        _ => continue,
                    },
                };
                frontier.push((node, name));
                placed.insert(node, out.grown_into.len());
                out.grown_into.push(Offspring {
                    depth: level,
                    grown_from,
                    grown,
                });
            }
        }
        Ok(out)
    }

    /// One level down from `frontier` (each record with the name the level below knows it
    /// by): each package's derived packages and the plant batches planted from it, each batch's
    /// plants, each plant's harvests and each harvest's packages, with the name of what each came
    /// from, by the order of the records above. A few statements per kind of record, whatever
    /// the level's size. Batches, plants and harvests are followed only within `lic`: a batch
    /// another license planted from a package it received is not the viewer's to see.
    async fn grown_below(
        &self,
        lic: &str,
        frontier: &[(Node, String)],
    ) -> AppResult<Vec<(Node, String)>> {
        let name: HashMap<Node, &String> = frontier.iter().map(|(n, s)| (*n, s)).collect();
        let of = |n: Node| name.get(&n).map(|s| (*s).clone()).unwrap_or_default();
        let ids = |want: fn(Node) -> Option<i64>| -> Vec<i64> {
            frontier.iter().filter_map(|(n, _)| want(*n)).collect()
        };
        let packages = ids(|n| match n {
            Node::Package(id) => Some(id),
            _ => None,
        });
        let batches = ids(|n| match n {
            Node::Batch(id) => Some(id),
            _ => None,
        });
        let plants = ids(|n| match n {
            Node::Plant(id) => Some(id),
            _ => None,
        });
        let harvests = ids(|n| match n {
            Node::Harvest(id) => Some(id),
            _ => None,
        });
        let mut out = Vec::new();
        if !packages.is_empty() {
            let keys: Vec<String> = packages.iter().map(i64::to_string).collect();
            let mut links: Vec<PackageLink> = self.store.find_many(None, &keys, None).await?;
            links.sort_by_key(|l| (l.parent_id, l.child_id));
            for l in links {
                out.push((Node::Package(l.child_id), of(Node::Package(l.parent_id))));
            }
            for (from, batch) in self
                .store
                .children_of(SourceKind::Package, &packages)
                .await?
            {
                out.push((Node::Batch(batch), of(Node::Package(from))));
            }
        }
        if !batches.is_empty() {
            let q = ListQuery {
                license: Some(lic.to_string()),
                ..Default::default()
            }
            .with(Column::PlantBatchId, batches.iter().copied());
            for p in self.store.list::<Plant>(&q).await?.rows {
                out.push((Node::Plant(p.id), of(Node::Batch(p.plant_batch_id))));
            }
        }
        if !plants.is_empty() {
            // Every harvest a plant went into, a manicure's as well as its harvest's (the plant
            // itself names only the last).
            for (from, h) in self.store.children_of(SourceKind::Plant, &plants).await? {
                out.push((Node::Harvest(h), of(Node::Plant(from))));
            }
        }
        if !harvests.is_empty() {
            for (from, p) in self
                .store
                .children_of(SourceKind::Harvest, &harvests)
                .await?
            {
                out.push((Node::Package(p), of(Node::Harvest(from))));
            }
        }
        Ok(out)
    }

    /// The lab results the scope may see for a package: the laboratory sees what it recorded;
    /// the owner sees a sample's results, and for a lot those of the samples taken from it, only
    /// once the laboratory has released them.
    pub async fn lab_results(&self, scope: &Scope, package_id: i64) -> AppResult<Vec<LabResult>> {
        let p = self.package_seen(scope, package_id).await?;
        let mut ids = vec![p.id.to_string()];
        let links: Vec<PackageLink> = self
            .store
            .find_many(None, &[p.id.to_string()], None)
            .await?;
        for l in links {
            if let Some(c) = self.store.get::<Package>(l.child_id).await?
                && c.is_testing_sample
            {
                ids.push(c.id.to_string());
            }
        }
        let mut rows: Vec<LabResult> = self.store.find_many(None, &ids, Some(true)).await?;
        rows.retain(|r| visible_result(r, scope.license()));
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    /// A certificate of analysis and its bytes, if the scope may see it: the laboratory that
    /// stored it, or the owner once a released result names it.
    pub async fn lab_document(&self, scope: &Scope, id: i64) -> AppResult<(LabDocument, Vec<u8>)> {
        let what = "Lab test document";
        let doc: LabDocument = self
            .store
            .get(id)
            .await?
            .ok_or_else(|| not_found(what, id))?;
        let lic = scope.license();
        let allowed = if doc.lab_license == lic {
            true
        } else {
            let p: Option<Package> = self.store.get(doc.package_id).await?;
            let owner = p.is_some_and(|p| p.license_number == lic);
            let results: Vec<LabResult> = self
                .store
                .find_many(None, &[doc.package_id.to_string()], Some(true))
                .await?;
            owner
                && results
                    .iter()
                    .any(|r| r.released && r.document_id == Some(doc.id))
        };
        if !allowed {
            return Err(not_yours(what, id, lic));
        }
        let bytes = self
            .store
            .document(&doc.sha256)
            .await?
            .ok_or_else(|| not_found(what, id))?;
        Ok((doc, bytes))
    }

    /// Sample records for a facility: the ones it received (a laboratory) or sent (anyone else).
    pub async fn lab_samples(&self, scope: &Scope, q: ListQuery) -> AppResult<Page<LabSample>> {
        if scope
            .facility()
            .license_type
            .can(Capability::CanTestPackages)
        {
            return self.list(scope, q).await;
        }
        // The owner's view: rows whose owner is this license, on whichever laboratory's books.
        let mut q = q;
        q.license = None;
        q.filters.push(Filter {
            column: Column::OwnerLicense,
            values: vec![Val::from(scope.license())],
        });
        Ok(self.store.list(&q).await?)
    }

    /// A sample and the results of it the scope may see (see [`Ledger::lab_results`]).
    pub async fn sample(
        &self,
        scope: &Scope,
        s: &LabSample,
    ) -> AppResult<Option<(Package, Vec<LabResult>)>> {
        let Some(p) = self.store.get::<Package>(s.id).await? else {
            return Ok(None);
        };
        if p.license_number != scope.license() && !in_custody_of(&p, scope.license()) {
            return Ok(None);
        }
        let mut results: Vec<LabResult> = self
            .store
            .find_many(None, &[p.id.to_string()], Some(true))
            .await?;
        results.retain(|r| visible_result(r, scope.license()));
        Ok(Some((p, results)))
    }

    /// A manifest (or template) and its lines, if the scope's license is one of its parties
    /// (templates: the shipper only).
    pub async fn manifest_in(&self, scope: &Scope, id: i64) -> AppResult<Loaded> {
        let l = self
            .manifest(id)
            .await?
            .ok_or_else(|| not_found("Transfer", id))?;
        if !parties(&l.transfer).contains(&scope.license()) {
            return Err(AppError::NotFound(format!(
                "Transfer {id} does not exist for license {}.",
                scope.license()
            )));
        }
        Ok(l)
    }

    /// A manifest (`template` false) or a template the caller may see, with the scope it is seen
    /// through. With `license`, that license must be one of its parties; without, any party
    /// license the caller may act for holding `perms` will do.
    pub async fn manifest_for(
        &self,
        who: &Acting,
        license: Option<&str>,
        id: i64,
        template: bool,
        perms: &[Permission],
    ) -> AppResult<(Loaded, Scope)> {
        let what = if template {
            "Transfer template"
        } else {
            "Delivery"
        };
        let loaded = self
            .manifest(id)
            .await?
            .filter(|l| (l.transfer.state == TransferState::Template) == template)
            .ok_or_else(|| not_found(what, id))?;
        let parties: Vec<String> = parties(&loaded.transfer)
            .into_iter()
            .map(str::to_string)
            .collect();
        if let Some(lic) = license {
            let scope = self.authorize(who, lic, perms).await?;
            if !parties.iter().any(|p| p == scope.license()) {
                return Err(AppError::Unauthorized(format!(
                    "{what} {id} does not belong to license {lic}."
                )));
            }
            return Ok((loaded, scope));
        }
        let mut last = None;
        for p in &parties {
            match self.authorize(who, p, perms).await {
                Ok(scope) => return Ok((loaded, scope)),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| AppError::Unauthorized("Not authorized.".into())))
    }

    /// A manifest line by id, if the caller may see its manifest.
    pub async fn manifest_line(
        &self,
        who: &Acting,
        license: Option<&str>,
        line_id: i64,
        perms: &[Permission],
    ) -> AppResult<TransferPackage> {
        let line: TransferPackage = self
            .store
            .get(line_id)
            .await?
            .filter(|l: &TransferPackage| !l.is_template)
            .ok_or_else(|| not_found("Delivery package", line_id))?;
        self.manifest_for(who, license, line.transfer_id, false, perms)
            .await?;
        Ok(line)
    }

    /// Whether a transfer is a template (`Some(true)`), a manifest, or does not exist: a door
    /// that serves both asks this to choose the action and permissions.
    pub async fn transfer_is_template(&self, id: i64) -> AppResult<Option<bool>> {
        Ok(self
            .store
            .get::<Transfer>(id)
            .await?
            .map(|t| t.state == TransferState::Template))
    }

    /// Manifests listed through one of the parties' index tables (`R` is `TransferDelivery` for
    /// the recipient, `TransferTransport` for the transporter), whose rows share the manifest's
    /// id and follow its changes.
    pub async fn manifests_via<R: Record>(
        &self,
        scope: &Scope,
        q: ListQuery,
    ) -> AppResult<Page<Transfer>> {
        let page = self.list::<R>(scope, q).await?;
        let mut rows = Vec::with_capacity(page.rows.len());
        for r in &page.rows {
            if let Some(t) = self.store.get::<Transfer>(r.id()).await? {
                rows.push(t);
            }
        }
        Ok(Page {
            total: page.total,
            rows,
        })
    }

    /// The scope's lines on manifests (`GET /packages/v2/transferred`), each with its manifest.
    pub async fn transferred(
        &self,
        scope: &Scope,
        q: ListQuery,
    ) -> AppResult<Page<(TransferPackage, Option<Transfer>)>> {
        let page = self.list::<TransferPackage>(scope, q).await?;
        let mut manifests: HashMap<i64, Option<Transfer>> = HashMap::new();
        let mut rows = Vec::with_capacity(page.rows.len());
        for l in page.rows {
            if let std::collections::hash_map::Entry::Vacant(e) = manifests.entry(l.transfer_id) {
                e.insert(self.store.get::<Transfer>(l.transfer_id).await?);
            }
            let t = manifests.get(&l.transfer_id).cloned().flatten();
            rows.push((l, t));
        }
        Ok(Page {
            total: page.total,
            rows,
        })
    }

    /// The manifests a package the scope may look at has been on, where the scope's license is a
    /// party (shipper, recipient or transporter), newest first, with the package's line.
    pub async fn package_manifests(
        &self,
        scope: &Scope,
        package: &Package,
    ) -> AppResult<Vec<(TransferPackage, Transfer)>> {
        self.package_seen(scope, package.id).await?;
        let lic = scope.license();
        let lines: Vec<TransferPackage> = self
            .store
            .find_many(None, &[package.label.as_str().to_string()], None)
            .await?;
        let mut out = Vec::new();
        for line in lines {
            let Some(t) = self.store.get::<Transfer>(line.transfer_id).await? else {
                continue;
            };
            let party = t.license_number == lic
                || t.recipient.license_number == lic
                || t.transporter.license_number == lic;
            if party && t.state != TransferState::Template {
                out.push((line, t));
            }
        }
        out.sort_by_key(|(_, t)| std::cmp::Reverse(t.id));
        Ok(out)
    }

    /// The licensed facilities a shipper may name on a manifest, as the state's license registry
    /// shows them: license number, name and type, nothing else. (Another distributor's drivers
    /// and vehicles are not listed: a shipper names them by driver's license number and plate, as
    /// Metrc's template bodies do, and the plan is checked against the carrier's books.)
    /// Only an authorized caller (one holding a scope) asks.
    pub async fn facility_directory(&self, _scope: &Scope) -> AppResult<Vec<Facility>> {
        let q = ListQuery {
            active: Some(true),
            ..Default::default()
        };
        let mut rows: Vec<Facility> = self.store.list(&q).await?.rows;
        for f in &mut rows {
            f.address = None;
        }
        Ok(rows)
    }

    /// A manifest and its lines, by id, for this crate's reads.
    async fn manifest(&self, id: i64) -> AppResult<Option<Loaded>> {
        let Some(transfer) = self.store.get::<Transfer>(id).await? else {
            return Ok(None);
        };
        let mut lines = Vec::with_capacity(transfer.lines.len());
        for l in &transfer.lines {
            if let Some(line) = self.store.get::<TransferPackage>(*l).await? {
                lines.push(line);
            }
        }
        Ok(Some(Loaded { transfer, lines }))
    }

    /// The scope's manifests and templates, loaded, for a page listing them.
    pub async fn manifests(&self, scope: &Scope, q: ListQuery) -> AppResult<Page<Transfer>> {
        self.list::<Transfer>(scope, q).await
    }

    /// Many samples at once, each with its package and the results the scope may see (as
    /// [`Ledger::sample`] answers for one), in the order given: two reads in all, however many
    /// samples, so that a laboratory's sample grid can filter and sort all of them. A sample
    /// whose package the scope may not look at is left out.
    pub async fn samples_seen(
        &self,
        scope: &Scope,
        samples: Vec<LabSample>,
    ) -> AppResult<Vec<(LabSample, Package, Vec<LabResult>)>> {
        let lic = scope.license();
        let labels: Vec<String> = samples.iter().map(|s| s.package_label.clone()).collect();
        let packages: HashMap<i64, Package> = self
            .store
            .find_many::<Package>(None, &labels, None)
            .await?
            .into_iter()
            .filter(|p| p.license_number == lic || in_custody_of(p, lic))
            .map(|p| (p.id, p))
            .collect();
        let ids: Vec<String> = packages.keys().map(i64::to_string).collect();
        let mut results: HashMap<i64, Vec<LabResult>> = HashMap::new();
        for r in self
            .store
            .find_many::<LabResult>(None, &ids, Some(true))
            .await?
        {
            if visible_result(&r, lic) {
                results.entry(r.package_id).or_default().push(r);
            }
        }
        Ok(samples
            .into_iter()
            .filter_map(|s| {
                let p = packages.get(&s.id)?.clone();
                let mut rs = results.remove(&s.id).unwrap_or_default();
                rs.sort_by_key(|r| r.id);
                Some((s, p, rs))
            })
            .collect())
    }
}

/// The licenses a manifest concerns: its shipper, and for a registered manifest its recipient
/// and transporter.
fn parties(t: &Transfer) -> Vec<&str> {
    let mut v = vec![t.license_number.as_str()];
    if t.state != TransferState::Template {
        v.push(t.recipient.license_number.as_str());
        v.push(t.transporter.license_number.as_str());
    }
    v
}

/// The laboratory sees every result it recorded; anyone else only released ones.
fn visible_result(r: &LabResult, license: &str) -> bool {
    r.lab_license == license || r.released
}
