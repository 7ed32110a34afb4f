//! Packages: creation from sources, adjustments, the many field changes, discontinuing, and
//! the operator's opening balances and holds. Each loads exactly the rows its request names.

use crate::{Action, AppResult, Context, Definition, Needs, Outcome};
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::packages::{
    self, AdjustSpec, CreateWorld, DatesSpec, ExternalIdSpec, FinishSpec, Flag, HoldSpec,
    ItemChangeSpec, Mode, MoveSpec, NewPackage, NextIds, NoteSpec, TreatmentSpec,
};
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{
    Item, Location, Package, PackageAdjustment, PackageLink, Sublocation, Tag, fold,
};
use tagtrail_store::WriteTx;

const CREATE: &[Permission] = &[Permission::CreateSubmitDiscontinuePackages];
const MANAGE: &[Permission] = &[Permission::ManagePackagesInventory];
const NOTES: &[Permission] = &[
    Permission::ManagePackageNotes,
    Permission::ManagePackagesInventory,
];

/// The names a package write refers to, so the load reads just those rows.
#[derive(Debug, Default, Clone)]
pub struct Refs {
    pub packages: Vec<String>,
    pub tags: Vec<String>,
    pub items: Vec<String>,
    pub locations: Vec<String>,
    pub sublocations: Vec<String>,
}

impl Refs {
    fn labels<'a>(labels: impl IntoIterator<Item = &'a Option<String>>) -> Refs {
        Refs {
            packages: labels.into_iter().flatten().cloned().collect(),
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

fn license<'a>(at: &'a Context<'_>) -> &'a str {
    &at.ctx.facility.license_number
}

/// Loads the world of a create and the next ids it writes with.
async fn load_create(
    tx: &mut WriteTx,
    at: &Context<'_>,
    specs: &[NewPackage],
) -> AppResult<(CreateWorld, NextIds)> {
    let world = load(tx, license(at), &Refs::of_new(specs)).await?;
    let next = NextIds {
        package: tx.next_id::<Package>().await?,
        link: tx.next_id::<PackageLink>().await?,
    };
    Ok((world, next))
}

fn created(
    at: &Context<'_>,
    (world, next): (CreateWorld, NextIds),
    specs: &[NewPackage],
    mode: Mode,
) -> Result<Outcome, Rejection> {
    let c = packages::create_packages(&at.ctx, &world, specs, mode, next)?;
    Ok(Outcome::of(&c.packages)
        .and(&c.sources)
        .and(&c.tags)
        .and(&c.links))
}

/// `POST /packages/v2`: packages from source packages (rule 23).
pub struct Create;

impl Action for Create {
    const DEF: Definition = Definition::holders("Create packages", CREATE);
    type Request = Vec<NewPackage>;
    type World = (CreateWorld, NextIds);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        load_create(tx, at, req).await
    }

    fn decide(at: &Context<'_>, w: Self::World, req: &Self::Request) -> Result<Outcome, Rejection> {
        created(at, w, req, Mode::Regular)
    }
}

/// `POST /packages/v2/testing`: testing samples from source packages (rule 36).
pub struct CreateTesting;

impl Action for CreateTesting {
    const DEF: Definition = Definition::holders("Create testing sample packages", CREATE);
    type Request = Vec<NewPackage>;
    type World = (CreateWorld, NextIds);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        load_create(tx, at, req).await
    }

    fn decide(at: &Context<'_>, w: Self::World, req: &Self::Request) -> Result<Outcome, Rejection> {
        created(at, w, req, Mode::Testing)
    }
}

/// An opening balance: a package with no source, the one way round rule 23.
#[derive(Debug, Clone)]
pub struct OpeningBalance {
    pub package: NewPackage,
    pub lab_state: LabState,
}

/// The operator enters a licensee's existing stock (a state migration, a sandbox).
pub struct OpenBalance;

impl Action for OpenBalance {
    const DEF: Definition = Definition::operator("Enter an opening balance")
        .reason("Opening balance entered by the operator");
    type Request = OpeningBalance;
    type World = (CreateWorld, NextIds);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        load_create(tx, at, std::slice::from_ref(&req.package)).await
    }

    fn decide(at: &Context<'_>, w: Self::World, req: &Self::Request) -> Result<Outcome, Rejection> {
        let mode = Mode::Opening {
            lab_state: req.lab_state,
        };
        created(at, w, std::slice::from_ref(&req.package), mode)
    }
}

/// Adjusts quantities with a reason (rule 28). `TO_FINAL` reads the quantity as the new
/// quantity (PUT) rather than a signed change (POST).
pub struct Adjust<const TO_FINAL: bool>;

/// `POST /packages/v2/adjust`: by a signed amount; answers the adjustment ids.
pub type AdjustBy = Adjust<false>;
/// `PUT /packages/v2/adjust`: to a stated quantity.
pub type AdjustTo = Adjust<true>;

impl<const TO_FINAL: bool> Action for Adjust<TO_FINAL> {
    const DEF: Definition = if TO_FINAL {
        Definition::holders("Adjust packages to a stated quantity", MANAGE)
    } else {
        Definition::holders("Adjust packages", MANAGE)
    };
    type Request = Vec<AdjustSpec>;
    type World = (CreateWorld, i64);

    async fn load(
        tx: &mut WriteTx,
        at: &Context<'_>,
        req: &Self::Request,
    ) -> AppResult<Self::World> {
        let world = load(tx, license(at), &Refs::labels(req.iter().map(|s| &s.label))).await?;
        Ok((world, tx.next_id::<PackageAdjustment>().await?))
    }

    fn decide(
        at: &Context<'_>,
        (w, next): Self::World,
        req: &Self::Request,
    ) -> Result<Outcome, Rejection> {
        // Metrc's AdjustedByUserName is the user's name; the operator has none, so its actor
        // name stands in.
        let by = at
            .acting
            .user()
            .map(|u| u.username.clone())
            .unwrap_or_else(|| at.by.clone());
        let (pkgs, adjs) = packages::adjust(&at.ctx, &w.sources, req, TO_FINAL, &by, next)?;
        Ok(Outcome::of(&adjs).and(&pkgs))
    }
}

/// Defines an action that rewrites the packages its request addresses and nothing else.
macro_rules! package_edit {
    (
        $(#[$doc:meta])* $name:ident: $def:expr, $spec:ty,
        refs: |$r:ident| $refs:expr,
        decide: |$ctx:ident, $w:ident, $req:ident| $decide:expr $(,)?
    ) => {
        $(#[$doc])*
        pub struct $name;

        impl Action for $name {
            const DEF: Definition = $def;
            type Request = Vec<$spec>;
            type World = CreateWorld;

            async fn load(
                tx: &mut WriteTx,
                at: &Context<'_>,
                $r: &Self::Request,
            ) -> AppResult<CreateWorld> {
                load(tx, license(at), &$refs).await
            }

            fn decide(
                at: &Context<'_>,
                $w: CreateWorld,
                $req: &Self::Request,
            ) -> Result<Outcome, Rejection> {
                let $ctx = &at.ctx;
                let changed: Vec<Package> = $decide?;
                Ok(Outcome::of(&changed))
            }
        }
    };
}

package_edit! {
    /// Finishes empty packages (rule 33).
    Finish: Definition::holders("Finish packages", MANAGE), FinishSpec,
    refs: |r| Refs::labels(r.iter().map(|s| &s.label)),
    decide: |ctx, w, req| packages::finish(ctx, &w.sources, req),
}

package_edit! {
    /// Unfinishes packages (bulletin III).
    Unfinish: Definition::holders("Unfinish packages", MANAGE), Option<String>,
    refs: |r| Refs::labels(r.iter()),
    decide: |ctx, w, req| packages::unfinish(ctx, &w.sources, req),
}

package_edit! {
    /// Sets or clears package notes.
    SetNotes: Definition::holders("Set package notes", NOTES), NoteSpec,
    refs: |r| Refs::labels(r.iter().map(|s| &s.label)),
    decide: |ctx, w, req| packages::set_notes(ctx, &w.sources, req),
}

package_edit! {
    /// Sets expiration, sell-by and use-by dates.
    SetDates: Definition::holders("Set expiration, sell-by and use-by dates", CREATE), DatesSpec,
    refs: |r| Refs::labels(r.iter().map(|s| &s.label)),
    decide: |ctx, w, req| packages::set_dates(ctx, &w.sources, req),
}

package_edit! {
    /// Sets or clears external identifiers.
    SetExternalIds: Definition::holders("Set external identifiers", MANAGE), ExternalIdSpec,
    refs: |r| Refs::labels(r.iter().map(|s| &s.label)),
    decide: |ctx, w, req| packages::set_external_ids(ctx, &w.sources, req),
}

package_edit! {
    /// Records remediation of failed packages (at most twice).
    Remediate: Definition::holders("Record remediation of failed packages", MANAGE), TreatmentSpec,
    refs: |r| Refs::labels(r.iter().map(|s| &s.label)),
    decide: |ctx, w, req| packages::remediate(ctx, &w.sources, req),
}

package_edit! {
    /// Records decontamination of failed packages.
    Decontaminate: Definition::holders("Record decontamination of failed packages", MANAGE), TreatmentSpec,
    refs: |r| Refs::labels(r.iter().map(|s| &s.label)),
    decide: |ctx, w, req| packages::decontaminate(ctx, &w.sources, req),
}

package_edit! {
    /// Moves packages to another location (and sublocation).
    Move: Definition::holders("Move packages", CREATE), MoveSpec,
    refs: |r| Refs {
        packages: r.iter().filter_map(|s| s.label.clone()).collect(),
        locations: r.iter().filter_map(|s| s.location.clone()).collect(),
        sublocations: r.iter().filter_map(|s| s.sublocation.clone()).collect(),
        ..Default::default()
    },
    decide: |ctx, w, req| packages::relocate(ctx, &w.sources, req, &w.locations, &w.sublocations),
}

package_edit! {
    /// Changes the item of packages (same quantity type, rule 29).
    ChangeItem: Definition::holders("Change package items", CREATE), ItemChangeSpec,
    refs: |r| Refs {
        packages: r.iter().filter_map(|s| s.label.clone()).collect(),
        items: r.iter().filter_map(|s| s.item.clone()).collect(),
        ..Default::default()
    },
    decide: |ctx, w, req| packages::change_item(ctx, &w.sources, req, &w.items),
}

macro_rules! flag_action {
    ($(#[$doc:meta])* $name:ident, $what:literal, $flag:expr, $on:literal, $needs:expr) => {
        package_edit! {
            $(#[$doc])*
            $name: Definition::holders($what, MANAGE).needs($needs), Option<String>,
            refs: |r| Refs::labels(r.iter()),
            decide: |ctx, w, req| packages::set_flag(ctx, &w.sources, req, $flag, $on),
        }
    };
}

flag_action!(
    /// Flags packages as donations (retailers, `CanDonatePackages`).
    FlagDonation, "Flag packages as donations.", Flag::Donation, true,
    Needs::Capability(Flag::Donation.capability())
);
flag_action!(
    /// Clears the donation flag.
    UnflagDonation, "Clear the donation flag.", Flag::Donation, false, Needs::Nothing
);
flag_action!(
    /// Flags packages as trade samples (`CanCreateTradeSamplePackages`).
    FlagTradeSample, "Flag packages as trade samples.", Flag::TradeSample, true,
    Needs::Capability(Flag::TradeSample.capability())
);
flag_action!(
    /// Clears the trade-sample flag.
    UnflagTradeSample, "Clear the trade-sample flag.", Flag::TradeSample, false, Needs::Nothing
);
flag_action!(
    /// Flags packages as finished goods (`CanTrackFinishedGoods`).
    FlagFinishedGood, "Flag packages as finished goods.", Flag::FinishedGood, true,
    Needs::Capability(Flag::FinishedGood.capability())
);
flag_action!(
    /// Clears the finished-good flag.
    UnflagFinishedGood, "Clear the finished-good flag.", Flag::FinishedGood, false, Needs::Nothing
);

/// `DELETE /packages/v2/{id}`: a package created in error leaves inventory.
pub struct Discontinue;

impl Action for Discontinue {
    const DEF: Definition = Definition::holders("Discontinue package", CREATE);
    /// The package's id.
    type Request = i64;
    type World = Option<Package>;

    async fn load(tx: &mut WriteTx, _: &Context<'_>, id: &i64) -> AppResult<Self::World> {
        Ok(tx.get(*id).await?)
    }

    fn decide(at: &Context<'_>, found: Self::World, id: &i64) -> Result<Outcome, Rejection> {
        let p = packages::discontinue(&at.ctx, found.as_ref(), *id)?;
        Ok(Outcome::of(std::slice::from_ref(&p)))
    }
}

/// Administrative hold or release (rule 34): the regulator's act, never a licensee's.
pub struct Hold;

impl Action for Hold {
    const DEF: Definition =
        Definition::operator("Administrative hold or release").reason("Administrative hold");
    type Request = HoldSpec;
    type World = CreateWorld;

    async fn load(tx: &mut WriteTx, at: &Context<'_>, req: &HoldSpec) -> AppResult<CreateWorld> {
        let refs = Refs {
            packages: req.labels.clone(),
            ..Default::default()
        };
        load(tx, license(at), &refs).await
    }

    fn decide(at: &Context<'_>, w: CreateWorld, req: &HoldSpec) -> Result<Outcome, Rejection> {
        Ok(Outcome::of(&packages::set_hold(&at.ctx, &w.sources, req)?))
    }
}
