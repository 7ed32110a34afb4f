//! Packages: every write loads exactly the rows its decision names, decides in the domain, and
//! commits through [`Ledger::commit`].

use super::{Acting, Action, AppResult, Ledger, Outcome, Scope, Written};
use std::collections::HashMap;
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::Ctx;
use tagtrail_domain::commands::packages::{
    self, AdjustSpec, CreateWorld, Mode, NewPackage, NextIds,
};
use tagtrail_domain::records::{
    Item, Location, Package, PackageAdjustment, PackageLink, Sublocation, Tag, fold,
};
use tagtrail_store::WriteTx;

/// The names a package write refers to, so the ledger loads just those rows.
#[derive(Debug, Default, Clone)]
pub struct Refs {
    pub packages: Vec<String>,
    pub tags: Vec<String>,
    pub items: Vec<String>,
    pub locations: Vec<String>,
    pub sublocations: Vec<String>,
}

impl Refs {
    pub fn labels(labels: impl IntoIterator<Item = Option<String>>) -> Refs {
        Refs {
            packages: labels.into_iter().flatten().collect(),
            ..Default::default()
        }
    }

    fn of_new(specs: &[NewPackage]) -> Refs {
        let mut r = Refs::default();
        for s in specs {
            r.tags.extend(s.tag.clone());
            r.items.extend(s.item.clone());
            r.locations.extend(s.location.clone());
            r.sublocations.extend(s.sublocation.clone());
            r.packages
                .extend(s.ingredients.iter().filter_map(|i| i.package.clone()));
        }
        r
    }
}

/// Ancestors and descendants of a package, nearest first.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    pub package: Option<Package>,
    pub ancestors: Vec<(u32, Package)>,
    pub descendants: Vec<(u32, Package)>,
}

async fn load(tx: &mut WriteTx, license: &str, refs: &Refs) -> AppResult<CreateWorld> {
    let lic = Some(license);
    let upper = |v: &[String]| {
        v.iter()
            .map(|l| l.trim().to_ascii_uppercase())
            .collect::<Vec<_>>()
    };
    let folded = |v: &[String]| v.iter().map(|n| fold(n)).collect::<Vec<_>>();
    Ok(CreateWorld {
        tags: tx
            .find_many::<Tag>(lic, &upper(&refs.tags), None)
            .await?
            .into_iter()
            .map(|t| (t.label.to_string(), t))
            .collect(),
        items: tx
            .find_many::<Item>(lic, &folded(&refs.items), Some(true))
            .await?
            .into_iter()
            .map(|i| (fold(&i.name), i))
            .collect(),
        locations: tx
            .find_many::<Location>(lic, &folded(&refs.locations), Some(true))
            .await?
            .into_iter()
            .map(|l| (fold(&l.name), l))
            .collect(),
        sublocations: tx
            .find_many::<Sublocation>(lic, &folded(&refs.sublocations), Some(true))
            .await?
            .into_iter()
            .map(|s| (fold(&s.name), s))
            .collect(),
        sources: tx
            .find_many::<Package>(lic, &upper(&refs.packages), None)
            .await?
            .into_iter()
            .map(|p| (p.label.to_string(), p))
            .collect(),
    })
}

impl Ledger {
    /// `POST /packages/v2`, `POST /packages/v2/testing`, and the operator's opening balances.
    pub async fn create_packages(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[NewPackage],
        mode: Mode<'_>,
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let mut tx = self.store.begin().await?;
        let world = load(&mut tx, scope.license(), &Refs::of_new(specs)).await?;
        let next = NextIds {
            package: tx.next_id::<Package>().await?,
            link: tx.next_id::<PackageLink>().await?,
        };
        let created = packages::create_packages(&ctx, &world, specs, mode, next)?;
        self.commit(
            tx,
            who,
            Some(scope.license()),
            action,
            &now,
            Outcome::of(&created.packages)
                .and(&created.sources)
                .and(&created.tags)
                .and(&created.links),
        )
        .await
    }

    /// `POST|PUT /packages/v2/adjust`.
    pub async fn adjust_packages(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[AdjustSpec],
        to_final: bool,
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let mut tx = self.store.begin().await?;
        let world = load(
            &mut tx,
            scope.license(),
            &Refs::labels(specs.iter().map(|s| s.label.clone())),
        )
        .await?;
        // Metrc's AdjustedByUserName is the user's name; the operator has none, so its actor name stands in.
        let by = who
            .user
            .as_ref()
            .map(|u| u.username.clone())
            .unwrap_or_else(|| who.actor().name);
        let (pkgs, adjs) = packages::adjust(
            &ctx,
            &world.sources,
            specs,
            to_final,
            &by,
            tx.next_id::<PackageAdjustment>().await?,
        )?;
        self.commit(
            tx,
            who,
            Some(scope.license()),
            action,
            &now,
            Outcome::of(&adjs).and(&pkgs),
        )
        .await
    }

    /// Any change that rewrites the addressed packages and nothing else (move, note, item,
    /// finish, unfinish, flags, dates, remediation, holds). `decide` gets what `refs` names.
    pub async fn update_packages(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        refs: &Refs,
        decide: impl FnOnce(&Ctx, &CreateWorld) -> Result<Vec<Package>, Rejection>,
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let mut tx = self.store.begin().await?;
        let world = load(&mut tx, scope.license(), refs).await?;
        let changed = decide(&ctx, &world)?;
        self.commit(
            tx,
            who,
            Some(scope.license()),
            action,
            &now,
            Outcome::of(&changed),
        )
        .await
    }

    /// `DELETE /packages/v2/{id}`.
    pub async fn discontinue_package(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        id: i64,
    ) -> AppResult<Written> {
        let now = Self::now_string();
        let ctx = Self::ctx(scope, &now);
        let mut tx = self.store.begin().await?;
        let found: Option<Package> = tx.get(id).await?;
        let p = packages::discontinue(&ctx, found.as_ref(), id)?;
        self.commit(
            tx,
            who,
            Some(scope.license()),
            action,
            &now,
            Outcome::of(std::slice::from_ref(&p)),
        )
        .await
    }

    /// Walks the package's sources up and its derived packages down, breadth first, to `depth`.
    pub async fn lineage(&self, package: Package, depth: u32) -> AppResult<Lineage> {
        let mut out = Lineage::default();
        let mut seen = std::collections::HashSet::from([package.id]);
        let mut frontier = package.source_package_ids.clone();
        for level in 1..=depth {
            let mut next = Vec::new();
            for id in frontier.drain(..) {
                if seen.insert(id)
                    && let Some(p) = self.store.get::<Package>(id).await?
                {
                    next.extend(p.source_package_ids.iter().copied());
                    out.ancestors.push((level, p));
                }
            }
            frontier = next;
        }
        let mut frontier = vec![package.id];
        for level in 1..=depth {
            let keys: Vec<String> = frontier.iter().map(i64::to_string).collect();
            if keys.is_empty() {
                break;
            }
            let links: Vec<PackageLink> = self.store.find_many(None, &keys, None).await?;
            let mut children: HashMap<i64, ()> = HashMap::new();
            for l in links {
                children.insert(l.child_id, ());
            }
            frontier = Vec::new();
            let mut ids: Vec<i64> = children.into_keys().collect();
            ids.sort_unstable();
            for id in ids {
                if seen.insert(id)
                    && let Some(p) = self.store.get::<Package>(id).await?
                {
                    frontier.push(p.id);
                    out.descendants.push((level, p));
                }
            }
        }
        out.package = Some(package);
        Ok(out)
    }
}

impl Ledger {
    /// The operator's opening balance: a package with no source (see `Mode::Opening`).
    pub async fn open_balance(
        &self,
        who: &Acting,
        license: &str,
        spec: &NewPackage,
        lab_state: &str,
    ) -> AppResult<Written> {
        let scope = self.authorize(who, license, &[]).await?;
        let action = Action::new(
            "tagtrail admin opening-package",
            None,
            "Opening balance entered by the operator",
            serde_json::json!({"Tag": spec.tag, "Item": spec.item, "Quantity": spec.quantity, "UnitOfMeasure": spec.unit_of_measure, "LabTestingState": lab_state}),
        );
        self.create_packages(
            who,
            &scope,
            action,
            std::slice::from_ref(spec),
            Mode::Opening { lab_state },
        )
        .await
    }

    /// Administrative hold or release (rule 34): the regulator's action, never a licensee's.
    pub async fn set_hold(
        &self,
        who: &Acting,
        license: &str,
        labels: &[String],
        hold: bool,
        reason: &str,
    ) -> AppResult<Written> {
        let scope = self.authorize(who, license, &[]).await?;
        let endpoint = if hold {
            "tagtrail admin hold"
        } else {
            "tagtrail admin release"
        };
        let action = Action::new(
            endpoint,
            Some(reason),
            "Administrative hold",
            serde_json::json!({"Labels": labels}),
        );
        let refs = Refs::labels(labels.iter().cloned().map(Some));
        let labels: Vec<Option<String>> = labels.iter().cloned().map(Some).collect();
        self.update_packages(who, &scope, action, &refs, |ctx, world| {
            packages::set_hold(ctx, &world.sources, &labels, hold, reason)
        })
        .await
    }
}
