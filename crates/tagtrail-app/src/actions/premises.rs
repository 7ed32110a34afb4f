//! Locations and sublocations.

use super::{archive, named_upserts};
use crate::Definition;
use tagtrail_domain::commands::premises::{self, LocationSpec, SublocationSpec};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::{Location, Sublocation, fold};

const PERMS: &[Permission] = &[Permission::ManageLocations];

pub mod locations {
    use super::*;

    named_upserts! {
        record: Location, spec: LocationSpec,
        key: |s| s.name.as_deref().map(fold),
        decide: |ctx, named, specs| premises::upsert_locations(
            ctx,
            &premises::LocationWorld { by_name: named.by_key, by_id: named.by_id },
            specs,
            named.next_id,
        ),
        Create: Definition::holders("Create locations", PERMS),
        Update: Definition::holders("Update locations", PERMS),
    }

    archive!(Archive, Location, "Location", "Archive location", PERMS);
}

pub mod sublocations {
    use super::*;

    named_upserts! {
        record: Sublocation, spec: SublocationSpec,
        key: |s| s.name.as_deref().map(fold),
        decide: |ctx, named, specs| premises::upsert_sublocations(
            ctx,
            &premises::SublocationWorld { by_name: named.by_key, by_id: named.by_id },
            specs,
            named.next_id,
        ),
        Create: Definition::holders("Create sublocations", PERMS),
        Update: Definition::holders("Update sublocations", PERMS),
    }

    archive!(
        Archive,
        Sublocation,
        "Sublocation",
        "Archive sublocation",
        PERMS
    );
}
