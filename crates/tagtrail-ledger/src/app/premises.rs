//! Locations and sublocations.

use super::{Acting, Action, AppResult, Ledger, Scope, Written};
use tagtrail_domain::commands::premises;
use tagtrail_domain::records::fold;

impl Ledger {
    pub async fn upsert_locations(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[premises::LocationSpec],
    ) -> AppResult<Written> {
        let key = |s: &premises::LocationSpec| s.name.as_deref().map(fold);
        self.upsert_named(
            who,
            scope,
            action,
            specs,
            key,
            |s| s.id,
            |ctx, by_name, by_id, next| {
                premises::upsert_locations(
                    ctx,
                    &premises::LocationWorld { by_name, by_id },
                    specs,
                    next,
                )
            },
        )
        .await
    }

    pub async fn upsert_sublocations(
        &self,
        who: &Acting,
        scope: &Scope,
        action: Action,
        specs: &[premises::SublocationSpec],
    ) -> AppResult<Written> {
        let key = |s: &premises::SublocationSpec| s.name.as_deref().map(fold);
        self.upsert_named(
            who,
            scope,
            action,
            specs,
            key,
            |s| s.id,
            |ctx, by_name, by_id, next| {
                premises::upsert_sublocations(
                    ctx,
                    &premises::SublocationWorld { by_name, by_id },
                    specs,
                    next,
                )
            },
        )
        .await
    }
}
