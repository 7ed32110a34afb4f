//! The workbench of the demo brand (issue 10): Golden State Brands holds the demo's manufacturer
//! and distributor licenses. It is set up through the workbench's own application layer and
//! talks to the demo ledger only over the Metrc v2 API: a first sync, submissions in every
//! state, and one discrepancy to resolve.

use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::manifest::{ManifestDraft, Transport};
use tagtrail_workbench::model::preflight::{Intent, Move, NewLocation, TransferDraft};
use tagtrail_workbench::model::role::Role;
use tagtrail_workbench::model::submission::Step;
use tagtrail_workbench::people::{Caller, totp_code};
use tagtrail_workbench::sync::Trigger;
use tagtrail_workbench::vault::Secret;
use tagtrail_workbench::{WbError, Workbench};

use crate::DemoCredentials;

mod production;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkbenchUser {
    pub username: String,
    pub password: String,
    /// The base32 secret to put in an authenticator app (the demo shows it; a real
    /// installation shows it once, when the user is created).
    pub totp_secret: String,
    /// "license role" pairs, or "installation administrator".
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkbenchCredentials {
    pub url: String,
    pub users: Vec<WorkbenchUser>,
}

/// A demo user: user name, full name, and the roles granted per license.
type Person<'a> = (&'a str, &'a str, &'a [(&'a str, Role)]);

fn password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..16)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

fn license_of<'a>(
    creds: &'a DemoCredentials,
    kind: &str,
) -> Result<&'a crate::DemoLicense, WbError> {
    creds
        .licenses
        .iter()
        .find(|l| l.license_type.eq_ignore_ascii_case(kind))
        .ok_or_else(|| WbError::NotFound(format!("the demo's {kind} license")))
}

/// The demo distributor's driver and van (the demo ledger's own), departing tomorrow morning.
fn demo_transport(distributor: &str) -> Transport {
    let tomorrow = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    Transport {
        transporter_license: distributor.to_string(),
        driver_name: "Luis Ortega".into(),
        driver_occupational_license: "EMP-300310".into(),
        driver_license: "D4481237".into(),
        vehicle_make: "Ford".into(),
        vehicle_model: "Transit 250".into(),
        vehicle_plate: "8TGT123".into(),
        estimated_departure: format!("{tomorrow}T08:00:00"),
        estimated_arrival: format!("{tomorrow}T12:30:00"),
        phone_for_questions: "916-555-0142".into(),
    }
}

/// Sets up the brand, its people and keys, syncs both licenses, and leaves work in every state.
/// The ledger must be serving at `creds.base_url`.
pub async fn seed(
    wb: &Workbench,
    creds: &DemoCredentials,
    url: &str,
) -> Result<WorkbenchCredentials, WbError> {
    let op = Caller::operator();
    let mfg = license_of(creds, "Manufacturer")?;
    let dist = license_of(creds, "Distributor")?;
    let company = wb
        .create_company(&op, Door::Cli, "Golden State Brands", &creds.base_url)
        .await?;
    // Its Metrc is the demo's tagtrail ledger: manifests go to its /tagtrail/v1 extensions
    // (against real Metrc they would be manual tasks with a checklist).
    wb.set_ledger_extensions(&op, Door::Cli, company, true)
        .await?;
    wb.add_license(
        &op,
        Door::Cli,
        company,
        &mfg.license_number,
        &mfg.facility_name,
        "Manufacturer",
        "#7c3aed",
    )
    .await?;
    wb.add_license(
        &op,
        Door::Cli,
        company,
        &dist.license_number,
        &dist.facility_name,
        "Distributor",
        "#0e7490",
    )
    .await?;
    wb.store_vendor_key(
        &op,
        Door::Cli,
        company,
        Secret::new(creds.vendor_key.clone()),
        None,
    )
    .await?;
    let expires = chrono::Utc::now().date_naive() + chrono::Days::new(21);
    for l in [mfg, dist] {
        wb.store_user_key_as_operator(
            &l.license_number,
            Secret::new(l.user_key.clone()),
            &l.employee_license_number,
            Some(expires),
        )
        .await?;
    }
    let people: [Person; 5] = [
        (
            "maya",
            "Maya Okafor",
            &[
                (&mfg.license_number, Role::Admin),
                (&dist.license_number, Role::Admin),
            ],
        ),
        (
            "luis",
            "Luis Romero",
            &[
                (&mfg.license_number, Role::ComplianceManager),
                (&dist.license_number, Role::ComplianceManager),
            ],
        ),
        (
            "june",
            "June Park",
            &[
                (&mfg.license_number, Role::Operator),
                (&dist.license_number, Role::Qa),
            ],
        ),
        (
            "sam",
            "Sam Whitfield",
            &[(&dist.license_number, Role::Viewer)],
        ),
        ("rosa", "Rosa Delgado", &[(&dist.license_number, Role::Qa)]),
    ];
    let mut users = vec![];
    let pw = password();
    let root = wb
        .create_user(
            &op,
            Door::Cli,
            None,
            "wbadmin",
            "Installation administrator",
            &pw,
        )
        .await?;
    users.push(WorkbenchUser {
        username: "wbadmin".into(),
        password: pw,
        totp_secret: root.totp_secret,
        roles: vec!["installation administrator".into()],
    });
    for (name, full, grants) in people {
        let pw = password();
        let u = wb
            .create_user(&op, Door::Cli, Some(company), name, full, &pw)
            .await?;
        for (l, r) in grants {
            wb.grant(&op, Door::Cli, name, l, *r).await?;
        }
        users.push(WorkbenchUser {
            username: name.into(),
            password: pw,
            totp_secret: u.totp_secret,
            roles: grants
                .iter()
                .map(|(l, r)| format!("{l} {}", r.label()))
                .collect(),
        });
    }
    let (maya, luis, june) = (
        sign_in(wb, &users, "maya").await?,
        sign_in(wb, &users, "luis").await?,
        sign_in(wb, &users, "june").await?,
    );
    let quiet = |_: &tagtrail_workbench::sync::Progress| {};
    for number in [&mfg.license_number, &dist.license_number] {
        let l = wb.license(&maya, number).await?;
        let r = wb
            .sync_license(&l, Some(&maya), Trigger::First, &quiet)
            .await?;
        if !r.errors.is_empty() {
            return Err(WbError::Metrc(r.errors.join("; ")));
        }
        wb.adopt_metrc_as_expected(&l).await?;
    }
    let (lm_june, lm_luis, lm_maya) = (
        wb.license(&june, &mfg.license_number).await?,
        wb.license(&luis, &mfg.license_number).await?,
        wb.license(&maya, &mfg.license_number).await?,
    );
    let packages = wb.records(&lm_luis, "package").await?;
    // The kitchen's own lots: not the cultivator's bulk flower it received for extraction.
    let live: Vec<&(String, Value)> = packages
        .iter()
        .filter(|(_, v)| v["IsFinished"] != true && v["IsOnHold"] != true)
        .filter(|(_, v)| v["Item"]["Name"] != crate::grow::FLOWER)
        .collect();
    let locations: Vec<String> = wb
        .records(&lm_luis, "location")
        .await?
        .iter()
        .filter_map(|(_, v)| v["Name"].as_str().map(str::to_string))
        .collect();
    let through = |id: i64, steps: Vec<(&'static str, Step)>| {
        let (maya, luis, june) = (maya.clone(), luis.clone(), june.clone());
        let (lm_maya, lm_luis, lm_june) = (lm_maya.clone(), lm_luis.clone(), lm_june.clone());
        async move {
            for (who, step) in steps {
                let (c, l) = match who {
                    "maya" => (&maya, &lm_maya),
                    "luis" => (&luis, &lm_luis),
                    _ => (&june, &lm_june),
                };
                wb.step(c, Door::Web, l, id, step, "").await?;
            }
            Ok::<(), WbError>(())
        }
    };
    // Accepted: a package moved to another room.
    if let Some((label, pkg)) = live.first()
        && let Some(to) = locations
            .iter()
            .find(|l| Some(l.as_str()) != pkg["LocationName"].as_str())
    {
        let id = wb
            .draft(
                &june,
                Door::Web,
                &lm_june,
                "Move to packaging",
                "Batch ready for packaging",
                Intent::MovePackages(vec![Move {
                    label: label.clone(),
                    location: to.clone(),
                }]),
            )
            .await?;
        through(
            id,
            vec![
                ("june", Step::SendToReview),
                ("luis", Step::Approve),
                ("luis", Step::Submit),
            ],
        )
        .await?;
        wb.deliver(&lm_luis, id).await?;
    }
    // Rejected by Metrc: a location type it does not know.
    let bad = wb
        .draft(
            &june,
            Door::Web,
            &lm_june,
            "New cold room",
            "More storage for infused goods",
            Intent::CreateLocations(vec![NewLocation {
                name: "Cold Room B".into(),
                location_type: "Walk-in Freezer".into(),
            }]),
        )
        .await?;
    through(
        bad,
        vec![
            ("june", Step::SendToReview),
            ("luis", Step::Approve),
            ("luis", Step::Submit),
        ],
    )
    .await?;
    wb.deliver(&lm_luis, bad).await?;
    // Approved, waiting to be submitted.
    let approved = wb
        .draft(
            &june,
            Door::Web,
            &lm_june,
            "Summer strains",
            "Summer menu launch",
            Intent::CreateStrains(vec!["Sunset Sherbet".into(), "Lemon Haze".into()]),
        )
        .await?;
    through(
        approved,
        vec![("june", Step::SendToReview), ("maya", Step::Approve)],
    )
    .await?;
    // Waiting for review.
    let review = wb
        .draft(
            &june,
            Door::Web,
            &lm_june,
            "Autumn strain",
            "Autumn menu",
            Intent::CreateStrains(vec!["Harvest Moon".into()]),
        )
        .await?;
    through(review, vec![("june", Step::SendToReview)]).await?;
    // Waiting for review: a manifest from the kitchen to the brand's distribution license,
    // carried by the distributor's driver and van (the moved package: the kitchen's only
    // other active one still holds product, for the finish draft below).
    if let Some((label, _)) = live.first() {
        let manifest = wb
            .draft(
                &june,
                Door::Web,
                &lm_june,
                "Gummies to distribution",
                "Weekly restock of the distribution warehouse",
                Intent::RegisterManifest(ManifestDraft {
                    transfer: TransferDraft {
                        name: "Weekly restock".into(),
                        recipient_license: dist.license_number.clone(),
                        recipient_is_retailer: false,
                        transfer_type: "Transfer".into(),
                        packages: vec![label.clone()],
                        wholesale_prices: Default::default(),
                    },
                    transport: demo_transport(&dist.license_number),
                }),
            )
            .await?;
        if wb
            .submission(&lm_june, manifest)
            .await?
            .preflight
            .is_empty()
        {
            through(manifest, vec![("june", Step::SendToReview)]).await?;
        }
    }
    // A draft preflight refuses: finishing a package that still holds product.
    if let Some((label, _)) = live.get(1) {
        wb.draft(
            &june,
            Door::Web,
            &lm_june,
            "Finish empty packages",
            "End of run",
            Intent::FinishPackages(vec![label.clone()]),
        )
        .await?;
    }
    // Production: the kitchen's batches, one in each status.
    production::batches(wb, &june, &luis, &maya, &mfg.license_number).await?;
    // Distribution's release gate: a released lot, one waiting for a second QA person, a
    // revised COA; the wholesale draft below carries the released lot.
    let rosa = sign_in(wb, &users, "rosa").await?;
    let released = production::release_gate(wb, &june, &rosa, &dist.license_number).await?;
    let ld_luis = wb.license(&luis, &dist.license_number).await?;
    let dlabels: Vec<String> = released.into_iter().collect();
    if let Ok(retailer) = license_of(creds, "Retailer") {
        wb.draft(
            &luis,
            Door::Web,
            &ld_luis,
            "Weekly order to the store",
            "Standing weekly order",
            Intent::OutgoingTransfer(TransferDraft {
                name: "Corner store weekly".into(),
                recipient_license: retailer.license_number.clone(),
                recipient_is_retailer: true,
                transfer_type: "Wholesale".into(),
                packages: dlabels.clone(),
                // Rule 42: a wholesale manifest prices every package.
                wholesale_prices: dlabels
                    .iter()
                    .map(|l| (l.clone(), rust_decimal::Decimal::new(1250, 2)))
                    .collect(),
            }),
        )
        .await?;
    }
    // One discrepancy: the floor count of a distributor's gummies lot disagrees with Metrc.
    let ld_maya = wb.license(&maya, &dist.license_number).await?;
    if let Some((label, pkg)) = wb
        .records(&ld_maya, "package")
        .await?
        .iter()
        .find(|(label, v)| {
            // Not a lot of the release gate's (a released lot with a discrepancy would not be
            // sellable, which the demo's wholesale draft needs it to be).
            !dlabels.contains(label)
                && v["Item"]["Name"] == "Mango Gummies 10x10mg"
                && v["IsFinished"] != true
                && v["Quantity"].as_f64().is_some_and(|q| q > 1.0)
        })
    {
        let unit = pkg["UnitOfMeasureName"].as_str().unwrap_or("Each");
        wb.record_count(&maya, &ld_maya, label, "1", unit).await?;
    }
    // A sync after the work above, as the scheduler would run it: the moved package gets its
    // second version, and reconciliation compares against Metrc's latest.
    for l in [&lm_maya, &ld_maya] {
        wb.sync_license(l, Some(&maya), Trigger::Incremental, &quiet)
            .await?;
        wb.reconcile(Some(&maya), l).await?;
    }
    Ok(WorkbenchCredentials {
        url: url.to_string(),
        users,
    })
}

async fn sign_in(wb: &Workbench, users: &[WorkbenchUser], name: &str) -> Result<Caller, WbError> {
    let u = users
        .iter()
        .find(|u| u.username == name)
        .ok_or_else(|| WbError::NotFound(name.to_string()))?;
    Ok(wb
        .sign_in(&u.username, &u.password, Some(&totp_code(&u.totp_secret)?))
        .await?
        .caller)
}
