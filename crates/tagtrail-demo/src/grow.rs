//! The demo cultivator starts growing, through the same actions as the API and the web UI: a
//! package of clones (an opening balance) and two lots of clones planted from it.
//!
//! It runs after the cultivator's other inventory, so the package tags that inventory was given
//! stay what they were; it adds records and changes none of the others. It goes no further
//! (no tagged, mother or flowering plants, no harvest) because the API tests count what the demo
//! cultivator starts with: 25 available plant tags from 2 tag orders (`tests/api/tags.rs`), and
//! no harvest (`tests/api/harvests.rs`). Tagging a plant uses a plant tag, and a new order of
//! plant tags would be a third order.

use crate::{Tags, run};
use rust_decimal::Decimal;
use tagtrail_app::actions::{packages as pkg, plants};
use tagtrail_app::{AppResult, Ledger, Scope};
use tagtrail_domain::commands::packages::NewPackage;
use tagtrail_domain::commands::plants::batches::Planting;
use tagtrail_domain::lab_state::LabState;

const STRAIN: &str = "Sour Diesel";
const CANOPY: &str = "Greenhouse A";

fn planting(name: &str, count: i64, package: &str) -> Planting {
    Planting {
        name: Some(name.into()),
        batch_type: Some("Clone".into()),
        count: Some(count),
        strain: Some(STRAIN.into()),
        location: Some(CANOPY.into()),
        source_package: Some(package.into()),
        ..Default::default()
    }
}

pub(crate) async fn seed(
    ledger: &Ledger,
    scope: &Scope,
    operator_scope: &Scope,
    tags: &mut Tags,
) -> AppResult<()> {
    let clones = tags.next()?;
    let opening = pkg::OpeningBalance {
        package: NewPackage {
            tag: Some(clones.clone()),
            item: Some("Sour Diesel Clones".into()),
            quantity: Some(Decimal::new(40, 0)),
            unit_of_measure: Some("Each".into()),
            location: Some("Vault".into()),
            ..Default::default()
        },
        lab_state: LabState::NotRequired,
    };
    run::<pkg::OpenBalance>(ledger, operator_scope, "Opening balance", &opening).await?;
    // Two lots of clones from the package (rule 22: a planting names its source).
    let lots = vec![
        planting("SD-Clones-01", 20, &clones),
        planting("SD-Clones-02", 12, &clones),
    ];
    run::<plants::CreatePlantings>(ledger, scope, "Plant clones", &lots).await?;
    Ok(())
}
