//! A fresh, realistic California dataset: one license of each type, each with an employee who
//! holds every permission there, items, strains, locations, and UID tags ordered, shipped and
//! received. Everything is written through the application layer, so the journal holds it all.

use rand::Rng;
use rand::distributions::Alphanumeric;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tagtrail_app::actions::lab::{NewDocument, SampleResults};
use tagtrail_app::actions::packages::OpeningBalance;
use tagtrail_app::actions::people::{Employ, NewEmployee, PasswordHash};
use tagtrail_app::actions::{
    brands, drivers, items, lab, locations, packages as pkg, people, strains, sublocations,
    tags as tag, vehicles,
};
use tagtrail_app::reads::{Column, ListQuery};
use tagtrail_app::{Acting, Action, AppError, AppResult, Door, Ledger, Scope, SystemAction};
use tagtrail_domain::commands::catalog::{BrandSpec, ItemSpec, StrainSpec};
use tagtrail_domain::commands::lab::{RecordSpec, ResultSpec};
use tagtrail_domain::commands::packages::{
    AdjustSpec, FinishSpec, HoldSpec, Ingredient, NewPackage, TreatmentSpec,
};
use tagtrail_domain::commands::people::{FacilitySpec, Grant};
use tagtrail_domain::commands::premises::{LocationSpec, SublocationSpec};
use tagtrail_domain::commands::tags::OrderSpec;
use tagtrail_domain::commands::transporters::{DriverSpec, VehicleSpec};
use tagtrail_domain::lab_state::LabState;
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::records::{LicenseKind, Package, Tag};
use tagtrail_domain::tag::{TagKind, TagStatus};

mod grow;
mod manifests;
pub mod retail;
pub mod workbench;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoLicense {
    pub license_number: String,
    pub license_type: String,
    pub facility_name: String,
    pub user_key: String,
    pub username: String,
    pub password: String,
    /// The key holder's employee license number (Metrc's `employeeLicenseNumber`), which
    /// `GET /employees/v2/permissions` asks for.
    #[serde(default)]
    pub employee_license_number: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RestrictedUser {
    pub license_number: String,
    pub user_key: String,
    pub username: String,
    pub password: String,
    pub permissions: Vec<String>,
}

/// A state inspector: signs in to the web UI and reads, never writes, at `licenses`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InspectorUser {
    pub username: String,
    pub password: String,
    pub licenses: Vec<String>,
}

/// What `DIR/credentials.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoCredentials {
    pub base_url: String,
    pub vendor_key: String,
    pub licenses: Vec<DemoLicense>,
    #[serde(default)]
    pub restricted: Vec<RestrictedUser>,
    #[serde(default)]
    pub inspector: Option<InspectorUser>,
    /// The workbench served beside the ledger (its URL and people), once it is set up.
    #[serde(default)]
    pub workbench: Option<workbench::WorkbenchCredentials>,
}

struct Spec {
    license: &'static str,
    kind: LicenseType,
    name: &'static str,
    address: &'static str,
    username: &'static str,
    full_name: &'static str,
    badge: &'static str,
    strains: &'static [&'static str],
    brands: &'static [&'static str],
    items: &'static [(
        &'static str,
        &'static str,
        &'static str,
        Option<&'static str>,
    )],
    locations: &'static [(&'static str, &'static str)],
}

const SPECS: &[Spec] = &[
    Spec {
        license: "CCL21-0001001",
        kind: LicenseType::Cultivator,
        name: "Emerald Triangle Farms",
        address: "1200 Redwood Hwy, Garberville, CA 95542",
        username: "grower",
        full_name: "Rosa Alvarez",
        badge: "EMP-100101",
        strains: &["Blue Dream", "OG Kush", "Sour Diesel"],
        brands: &["Emerald Triangle"],
        items: &[
            ("Blue Dream Flower", "Buds", "Grams", Some("Blue Dream")),
            ("OG Kush Trim", "Shake/Trim", "Grams", Some("OG Kush")),
            (
                "Sour Diesel Clones",
                "Immature Plants",
                "Each",
                Some("Sour Diesel"),
            ),
            (grow::FLOWER, "Buds", "Grams", Some("Sour Diesel")),
        ],
        locations: &[
            ("Greenhouse A", "Planting"),
            ("Drying Room", "Drying"),
            ("Vault", "Storage"),
        ],
    },
    Spec {
        license: "CDPH-10003301",
        kind: LicenseType::Manufacturer,
        name: "Golden State Kitchens",
        address: "455 Industrial Way, Oakland, CA 94607",
        username: "maker",
        full_name: "Marcus Chen",
        badge: "EMP-200201",
        strains: &["Blue Dream"],
        brands: &["Golden State"],
        items: &[
            ("Blue Dream Distillate", "Concentrate", "Grams", None),
            ("Mango Gummies 10x10mg", "Edible (Each)", "Each", None),
            ("Blue Dream Vape 1g", "Vape Cartridge", "Each", None),
        ],
        locations: &[
            ("Extraction Lab", "Default"),
            ("Packaging Line", "Packing"),
            ("Finished Goods", "Storage"),
        ],
    },
    Spec {
        license: "C11-0000701-LIC",
        kind: LicenseType::Distributor,
        name: "Golden State Distribution",
        address: "88 Harbor Blvd, West Sacramento, CA 95691",
        username: "distro",
        full_name: "Priya Natarajan",
        badge: "EMP-300301",
        strains: &["Blue Dream"],
        brands: &["Golden State"],
        items: &[
            ("Mango Gummies 10x10mg", "Edible (Each)", "Each", None),
            ("Blue Dream Vape 1g", "Vape Cartridge", "Each", None),
        ],
        locations: &[
            ("Receiving Dock", "Default"),
            ("Quarantine Cage", "Quarantine"),
            ("Sellable Inventory", "Storage"),
        ],
    },
    Spec {
        license: "C8-0000042-LIC",
        kind: LicenseType::TestingLab,
        name: "Pacific Analytical Labs",
        address: "9 Science Park Dr, San Diego, CA 92121",
        username: "labtech",
        full_name: "Dana Okafor",
        badge: "EMP-400401",
        strains: &["Blue Dream"],
        brands: &[],
        items: &[("Test Sample - Edibles", "Edible (Each)", "Each", None)],
        locations: &[("Sample Intake", "Default"), ("Retention", "Storage")],
    },
    Spec {
        license: "C10-0000911-LIC",
        kind: LicenseType::Retailer,
        name: "Sunset Dispensary",
        address: "2100 Sunset Blvd, Los Angeles, CA 90026",
        username: "budtender",
        full_name: "Jamie Brooks",
        badge: "EMP-500501",
        strains: &["Blue Dream"],
        brands: &["Golden State"],
        items: &[
            ("Mango Gummies 10x10mg", "Edible (Each)", "Each", None),
            ("Blue Dream Vape 1g", "Vape Cartridge", "Each", None),
        ],
        locations: &[("Sales Floor", "Default"), ("Back Stock", "Storage")],
    },
];

fn password() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(16)
        .map(char::from)
        .collect()
}

/// The door of every write the seeder makes: the operator's `tagtrail demo` command, seeding the
/// step named `what` (which is also the entry's reason).
pub(crate) fn door(what: &str) -> Door {
    Door::operator("tagtrail demo", json!({ "Seeding": what })).because(Some(what))
}

/// Takes `A` for the scope as the seeder's step `what`.
pub(crate) async fn run<A: Action>(
    ledger: &Ledger,
    scope: &Scope,
    what: &str,
    req: &A::Request,
) -> AppResult<tagtrail_app::Written> {
    ledger.run::<A>(scope, door(what), req).await
}

/// Takes the operator's `A` as the seeder's step `what`.
async fn system<A: SystemAction>(
    ledger: &Ledger,
    operator: &Acting,
    what: &str,
    req: &A::Request,
) -> AppResult<A::Output> {
    Ok(ledger.run_system::<A>(operator, door(what), req).await?.1)
}

/// A state inspector with read-only access to every demo license but the laboratory's: enough
/// to inspect the supply chain, and one license to show that the access has limits.
async fn inspector(ledger: &Ledger, operator: &Acting) -> AppResult<InspectorUser> {
    let pw = password();
    let user = system::<people::CreateEmployee>(
        ledger,
        operator,
        "Create the demo inspector's account",
        &NewEmployee {
            username: "inspector".into(),
            full_name: "Dana Okafor".into(),
            employee_license_number: "DCC-INSP-0042".into(),
            password: Some(PasswordHash::of(&pw).await?),
        },
    )
    .await?;
    let mut licenses = Vec::new();
    for spec in SPECS.iter().filter(|s| s.kind != LicenseType::TestingLab) {
        let grant = people::InspectionGrant {
            username: user.username.clone(),
            license_number: spec.license.into(),
            active: true,
        };
        system::<people::GrantInspection>(
            ledger,
            operator,
            "Grant the demo inspector access",
            &grant,
        )
        .await?;
        licenses.push(spec.license.to_string());
    }
    Ok(InspectorUser {
        username: user.username,
        password: pw,
        licenses,
    })
}

/// Seeds an empty ledger and returns the credentials (shown once; only hashes are stored).
pub async fn seed(ledger: &Ledger, base_url: &str) -> AppResult<DemoCredentials> {
    let operator = Acting::operator("demo");
    let vendor = system::<people::IssueVendorKey>(
        ledger,
        &operator,
        "Issue the demo integrator's vendor key",
        &"Demo Integrator".to_string(),
    )
    .await?;
    let mut staff: Vec<(LicenseType, Scope)> = Vec::new();
    let mut out = DemoCredentials {
        base_url: base_url.to_string(),
        vendor_key: vendor.key,
        licenses: vec![],
        restricted: vec![],
        inspector: None,
        workbench: None,
    };
    for spec in SPECS {
        // Onboarding as the seeds describe it (000 and 001, steps 1 and 2): the demo employee is
        // the license's account manager, named when the annual license is issued (and so an
        // owner holding every permission), and has access once the operator records the
        // account-manager training.
        let pw = password();
        let user = system::<people::CreateEmployee>(
            ledger,
            &operator,
            "Create a demo account manager",
            &NewEmployee {
                username: spec.username.into(),
                full_name: spec.full_name.into(),
                employee_license_number: spec.badge.into(),
                password: Some(PasswordHash::of(&pw).await?),
            },
        )
        .await?;
        let application = people::LicenseApplication {
            facility: FacilitySpec {
                license_number: spec.license.into(),
                license_type: spec.kind,
                name: spec.name.into(),
                address: Some(spec.address.into()),
                license_start_date: "2026-01-01".into(),
                license_end_date: "2026-12-31".into(),
            },
            kind: LicenseKind::Annual,
            account_manager: Some(user.username.clone()),
        };
        system::<people::IssueLicense>(ledger, &operator, "Issue a demo license", &application)
            .await?;
        let training = people::TrainingRecord {
            license_number: spec.license.into(),
            completed: None,
        };
        system::<people::RecordTraining>(
            ledger,
            &operator,
            "The demo account manager completed the account-manager training",
            &training,
        )
        .await?;
        let key = system::<people::IssueUserKey>(
            ledger,
            &operator,
            "Issue a demo employee's API key",
            &user.username,
        )
        .await?;
        let who = ledger.on_behalf_of(&operator, &user.username).await?;
        let scope = ledger.authorize(&who, spec.license, &[]).await?;
        let operator_scope = ledger.authorize(&operator, spec.license, &[]).await?;
        seed_license(ledger, &scope, &operator, &operator_scope, spec).await?;
        staff.push((spec.kind, scope));
        out.licenses.push(DemoLicense {
            license_number: spec.license.into(),
            license_type: spec.kind.as_str().into(),
            facility_name: spec.name.into(),
            user_key: key.key,
            username: user.username,
            password: pw,
            employee_license_number: spec.badge.into(),
        });
    }
    // A clerk at the distributor who may look but not manage: for permission tests and demos.
    let pw = password();
    let clerk = system::<people::CreateEmployee>(
        ledger,
        &operator,
        "Create a demo employee",
        &NewEmployee {
            username: "clerk".into(),
            full_name: "Sam Rivera".into(),
            employee_license_number: "EMP-300302".into(),
            password: Some(PasswordHash::of(&pw).await?),
        },
    )
    .await?;
    let perms = vec!["View Employees".to_string(), "Manage Tags".to_string()];
    employ(
        ledger,
        &operator,
        &clerk.username,
        "C11-0000701-LIC",
        &perms,
        false,
    )
    .await?;
    let key = system::<people::IssueUserKey>(
        ledger,
        &operator,
        "Issue a demo employee's API key",
        &clerk.username,
    )
    .await?;
    out.restricted.push(RestrictedUser {
        license_number: "C11-0000701-LIC".into(),
        user_key: key.key,
        username: clerk.username,
        password: pw,
        permissions: perms,
    });
    out.inspector = Some(inspector(ledger, &operator).await?);
    seed_lab_flow(ledger, &staff).await?;
    let party = |k: LicenseType| {
        staff
            .iter()
            .find(|(t, _)| *t == k)
            .map(|(_, scope)| scope)
            .ok_or_else(|| AppError::NotFound("demo license".into()))
    };
    let retailer = party(LicenseType::Retailer)?.license().to_string();
    manifests::seed(
        ledger,
        party(LicenseType::Manufacturer)?,
        party(LicenseType::Distributor)?,
        &retailer,
    )
    .await?;
    grow::ship(
        ledger,
        party(LicenseType::Cultivator)?,
        party(LicenseType::Manufacturer)?,
        party(LicenseType::Distributor)?,
    )
    .await?;
    retail::seed(
        ledger,
        party(LicenseType::Distributor)?,
        party(LicenseType::Retailer)?,
    )
    .await?;
    Ok(out)
}

/// Employs `username` at `license` with `permissions`, as owner and manager when `lead`.
async fn employ(
    ledger: &Ledger,
    operator: &Acting,
    username: &str,
    license: &str,
    permissions: &[String],
    lead: bool,
) -> AppResult<()> {
    let req = Employ {
        username: username.into(),
        license_number: license.into(),
        grant: Grant {
            permissions: permissions.to_vec(),
            is_owner: lead,
            is_manager: lead,
        },
    };
    system::<people::SetPermissions>(ledger, operator, "Employ a demo employee", &req).await?;
    Ok(())
}

/// The distributor sends its testing sample to the laboratory; the lab records a full panel with
/// a certificate of analysis and releases it, so the sample and its lot pass.
async fn seed_lab_flow(ledger: &Ledger, staff: &[(LicenseType, Scope)]) -> AppResult<()> {
    let find = |k: LicenseType| {
        staff
            .iter()
            .find(|(t, _)| *t == k)
            .map(|(_, scope)| scope)
            .ok_or_else(|| AppError::NotFound("demo license".into()))
    };
    let distro_scope = find(LicenseType::Distributor)?;
    let lab_scope = find(LicenseType::TestingLab)?;
    let q = ListQuery {
        active: Some(true),
        ..Default::default()
    };
    let sample = ledger
        .list::<Package>(distro_scope, q)
        .await?
        .rows
        .into_iter()
        .find(|p| p.is_testing_sample)
        .ok_or_else(|| AppError::NotFound("the distributor's testing sample".into()))?;
    let label = sample.label.to_string();
    // The sample travels on a manifest: the distributor carries it to the laboratory, which
    // accepts it into its custody (rule 38).
    let id = manifests::register(
        ledger,
        distro_scope,
        manifests::plan(
            lab_scope.license(),
            distro_scope.license(),
            manifests::DRIVERS[1],
            "Transfer",
            vec![manifests::line(&label, None)],
        ),
        "Sampler pick-up",
    )
    .await?;
    manifests::depart(ledger, distro_scope, id).await?;
    manifests::accept_all(ledger, lab_scope, id).await?;
    let panel = [
        ("Cannabinoids", "9.8", true, Some("THC mg per unit")),
        ("Moisture Content", "0.12", true, None),
        ("Residual Solvents", "0", true, None),
        ("Pesticides", "0", true, None),
        ("Microbial Impurities", "0", true, None),
        ("Mycotoxins", "0", true, None),
        ("Heavy Metals", "0.02", true, None),
        ("Foreign Material", "0", true, None),
    ];
    let certificate = tagtrail_documents::Certificate {
        lab_name: lab_scope.facility().name.clone(),
        lab_license: lab_scope.license().to_string(),
        sample_label: label.clone(),
        item_name: sample.item_name.clone(),
        owner_license: distro_scope.license().to_string(),
        batch_labels: sample.source_package_labels.clone(),
        results: panel
            .iter()
            .map(|(t, q, p, n)| tagtrail_documents::CertificateResult {
                test_type: (*t).into(),
                value: (*q).into(),
                passed: *p,
                note: n.map(str::to_string),
            })
            .collect(),
        issued: sample.packaged_date.clone(),
    };
    let bytes = tagtrail_documents::certificate_pdf(&certificate)
        .map_err(|e| AppError::NotFound(format!("the demo certificate: {e}")))?;
    let results = SampleResults {
        spec: RecordSpec {
            label: Some(label.clone()),
            result_date: None,
            document: None,
            results: panel
                .iter()
                .map(|(t, q, p, n)| ResultSpec {
                    test_type: Some((*t).into()),
                    quantity: q.parse().ok(),
                    passed: Some(*p),
                    notes: n.map(str::to_string),
                })
                .collect(),
        },
        document: Some(NewDocument {
            file_name: Some(format!("COA-{label}.pdf")),
            bytes,
        }),
    };
    run::<lab::Record>(ledger, lab_scope, "Full compliance panel", &vec![results]).await?;
    run::<lab::Release>(ledger, lab_scope, "Results reviewed", &vec![Some(label)]).await?;
    Ok(())
}

async fn seed_license(
    ledger: &Ledger,
    scope: &Scope,
    operator: &Acting,
    operator_scope: &Scope,
    spec: &Spec,
) -> AppResult<()> {
    let strains: Vec<_> = spec
        .strains
        .iter()
        .enumerate()
        .map(|(i, n)| StrainSpec {
            name: Some((*n).into()),
            testing_status: Some("ThirdParty".into()),
            thc_level: Some(rust_decimal::Decimal::new(1800 + 150 * i as i64, 4)),
            cbd_level: Some(rust_decimal::Decimal::new(5, 3)),
            indica_percentage: Some(rust_decimal::Decimal::new(40 + 10 * i as i64, 0)),
            sativa_percentage: Some(rust_decimal::Decimal::new(60 - 10 * i as i64, 0)),
            ..Default::default()
        })
        .collect();
    run::<strains::Create>(ledger, scope, "Demo strains", &strains).await?;
    if !spec.brands.is_empty() {
        let brands: Vec<_> = spec
            .brands
            .iter()
            .map(|b| BrandSpec {
                id: None,
                name: Some((*b).into()),
            })
            .collect();
        run::<brands::Create>(ledger, scope, "Demo brands", &brands).await?;
    }
    let items: Vec<_> = spec
        .items
        .iter()
        .map(|(name, cat, uom, strain)| {
            let each = *uom == "Each";
            ItemSpec {
                name: Some((*name).into()),
                category: Some((*cat).into()),
                unit_of_measure: Some((*uom).into()),
                strain: strain.map(str::to_string),
                brand: spec.brands.first().map(|b| b.to_string()),
                unit_thc_content: each.then(|| rust_decimal::Decimal::new(100, 0)),
                unit_thc_content_unit: each.then(|| "Milligrams".to_string()),
                description: Some(format!("{name} from {}", spec.name)),
                ..Default::default()
            }
        })
        .collect();
    run::<items::Create>(ledger, scope, "Demo items", &items).await?;
    let locs: Vec<_> = spec
        .locations
        .iter()
        .map(|(n, t)| LocationSpec {
            id: None,
            name: Some((*n).into()),
            location_type_name: Some((*t).into()),
        })
        .collect();
    run::<locations::Create>(ledger, scope, "Demo locations", &locs).await?;
    let subs = vec![
        SublocationSpec {
            id: None,
            name: Some("Shelf 1".into()),
        },
        SublocationSpec {
            id: None,
            name: Some("Shelf 2".into()),
        },
    ];
    run::<sublocations::Create>(ledger, scope, "Demo sublocations", &subs).await?;
    // Two orders: one shipped and received (usable tags), one shipped and awaiting receipt (a
    // cultivator orders plant tags for its season too, below).
    let plant = if spec.kind.may_order_plant_tags() {
        Some(25)
    } else {
        None
    };
    let first = run::<tag::Order>(
        ledger,
        scope,
        "Opening tag order",
        &vec![OrderSpec {
            plant_tags: plant,
            package_tags: Some(50),
        }],
    )
    .await?;
    let second = run::<tag::Order>(
        ledger,
        scope,
        "Reorder",
        &vec![OrderSpec {
            plant_tags: None,
            package_tags: Some(10),
        }],
    )
    .await?;
    for id in first.ids.iter().chain(&second.ids) {
        system::<tag::Ship>(ledger, operator, "Tag order shipped by the supplier", id).await?;
    }
    let received: Vec<_> = first.ids.iter().map(|id| Some(*id)).collect();
    run::<tag::Receive>(ledger, scope, "Tags arrived", &received).await?;
    if spec.kind.may_order_plant_tags() {
        // Rules 11 and 20: the grower's season takes a plant tag per plant in the canopy, more
        // than the opening order held; a third order, plant tags only, shipped and received.
        let season = run::<tag::Order>(
            ledger,
            scope,
            "Plant tags for the season",
            &vec![OrderSpec {
                plant_tags: Some(100),
                package_tags: None,
            }],
        )
        .await?;
        for id in &season.ids {
            system::<tag::Ship>(ledger, operator, "Tag order shipped by the supplier", id).await?;
        }
        let received: Vec<_> = season.ids.iter().map(|id| Some(*id)).collect();
        run::<tag::Receive>(ledger, scope, "Plant tags arrived", &received).await?;
    }
    seed_inventory(ledger, scope, operator_scope, spec.kind).await
}

/// Received package tags of the facility, to hand out in order.
struct Tags(std::vec::IntoIter<String>);

impl Tags {
    async fn of(ledger: &Ledger, scope: &Scope) -> AppResult<Tags> {
        let q = ListQuery {
            active: Some(true),
            ..Default::default()
        }
        .with(Column::Kind, [TagKind::Package.as_str()])
        .with(Column::Status, [TagStatus::Received.as_str()]);
        let tags = ledger.list::<Tag>(scope, q).await?.rows;
        Ok(Tags(
            tags.into_iter()
                .map(|t| t.label.to_string())
                .collect::<Vec<_>>()
                .into_iter(),
        ))
    }
    fn next(&mut self) -> AppResult<String> {
        self.0
            .next()
            .ok_or_else(|| AppError::NotFound("the demo ran out of received package tags".into()))
    }
}

fn new(tag: String, item: &str, qty: i64, unit: &str, location: &str) -> NewPackage {
    NewPackage {
        tag: Some(tag),
        item: Some(item.into()),
        quantity: Some(Decimal::new(qty, 0)),
        unit_of_measure: Some(unit.into()),
        location: Some(location.into()),
        ..Default::default()
    }
}

fn from(mut p: NewPackage, source: &str, qty: i64, unit: &str) -> NewPackage {
    p.ingredients = vec![Ingredient {
        package: Some(source.into()),
        quantity: Some(Decimal::new(qty, 0)),
        unit_of_measure: Some(unit.into()),
    }];
    p
}

fn adjust(label: &str, qty: i64, unit: &str, reason: &str, note: Option<&str>) -> AdjustSpec {
    AdjustSpec {
        label: Some(label.into()),
        quantity: Some(Decimal::new(qty, 0)),
        unit_of_measure: Some(unit.into()),
        reason: Some(reason.into()),
        note: note.map(str::to_string),
        date: None,
    }
}

/// Inventory in several lab-testing states, with lineage, adjustments, a finished package and
/// a held one. Root packages are opening balances entered by the operator (rule 23 allows no
/// other source-less package); everything after that goes through the licensee's own paths.
async fn seed_inventory(
    ledger: &Ledger,
    scope: &Scope,
    operator_scope: &Scope,
    kind: LicenseType,
) -> AppResult<()> {
    let mut tags = Tags::of(ledger, scope).await?;
    let open = async |t: String,
                      item: &str,
                      qty: i64,
                      unit: &str,
                      loc: &str,
                      state: LabState|
           -> AppResult<()> {
        let req = OpeningBalance {
            package: new(t, item, qty, unit, loc),
            lab_state: state,
        };
        run::<pkg::OpenBalance>(ledger, operator_scope, "Opening balance", &req)
            .await
            .map(|_| ())
    };
    let make = async |specs: Vec<NewPackage>, why: &str, testing: bool| -> AppResult<()> {
        if testing {
            run::<pkg::CreateTesting>(ledger, scope, why, &specs).await?;
        } else {
            run::<pkg::Create>(ledger, scope, why, &specs).await?;
        }
        Ok(())
    };
    let adj = async |spec: AdjustSpec, to_final: bool, why: &str| -> AppResult<()> {
        let specs = vec![spec];
        if to_final {
            run::<pkg::AdjustTo>(ledger, scope, why, &specs).await?;
        } else {
            run::<pkg::AdjustBy>(ledger, scope, why, &specs).await?;
        }
        Ok(())
    };
    match kind {
        LicenseType::Cultivator => {
            let flower = tags.next()?;
            open(
                flower.clone(),
                "Blue Dream Flower",
                4536,
                "Grams",
                "Vault",
                LabState::NotSubmitted,
            )
            .await?;
            open(
                tags.next()?,
                "OG Kush Trim",
                2000,
                "Grams",
                "Vault",
                LabState::NotSubmitted,
            )
            .await?;
            let bag = tags.next()?;
            make(
                vec![from(
                    new(bag.clone(), "Blue Dream Flower", 1000, "Grams", "Vault"),
                    &flower,
                    1000,
                    "Grams",
                )],
                "Split a pound for sale",
                false,
            )
            .await?;
            adj(
                adjust(&bag, -12, "Grams", "Drying", None),
                false,
                "Moisture loss",
            )
            .await?;
            grow::seed(ledger, scope, operator_scope, &mut tags).await?;
        }
        LicenseType::Manufacturer => {
            let distillate = tags.next()?;
            open(
                distillate.clone(),
                "Blue Dream Distillate",
                1000,
                "Grams",
                "Extraction Lab",
                LabState::TestPassed,
            )
            .await?;
            let gummies = tags.next()?;
            open(
                gummies.clone(),
                "Mango Gummies 10x10mg",
                500,
                "Each",
                "Finished Goods",
                LabState::NotSubmitted,
            )
            .await?;
            let (vapes, offcut) = (tags.next()?, tags.next()?);
            let fill = vec![
                from(
                    new(
                        vapes.clone(),
                        "Blue Dream Vape 1g",
                        200,
                        "Each",
                        "Packaging Line",
                    ),
                    &distillate,
                    200,
                    "Grams",
                ),
                from(
                    new(
                        offcut.clone(),
                        "Blue Dream Distillate",
                        5,
                        "Grams",
                        "Extraction Lab",
                    ),
                    &distillate,
                    5,
                    "Grams",
                ),
            ];
            make(fill, "Cartridge fill run", false).await?;
            adj(
                adjust(&vapes, -2, "Each", "Waste (Unusable Product)", None),
                false,
                "Cracked cartridges",
            )
            .await?;
            adj(
                adjust(
                    &offcut,
                    0,
                    "Grams",
                    "Typing/Entry Error",
                    Some("offcut was consumed in run 12"),
                ),
                true,
                "Offcut used up",
            )
            .await?;
            let finish = vec![FinishSpec {
                label: Some(offcut.clone()),
                actual_date: None,
            }];
            run::<pkg::Finish>(ledger, scope, "Empty", &finish).await?;
            let hold = HoldSpec {
                labels: vec![gummies],
                hold: true,
                reason: "DCC embargo pending label review".into(),
            };
            run::<pkg::Hold>(ledger, operator_scope, &hold.reason, &hold).await?;
        }
        LicenseType::Distributor => {
            let gummies = tags.next()?;
            open(
                gummies.clone(),
                "Mango Gummies 10x10mg",
                1000,
                "Each",
                "Receiving Dock",
                LabState::NotSubmitted,
            )
            .await?;
            let sample = from(
                new(
                    tags.next()?,
                    "Mango Gummies 10x10mg",
                    10,
                    "Each",
                    "Receiving Dock",
                ),
                &gummies,
                10,
                "Each",
            );
            make(vec![sample], "Lab sample for batch MG-0921", true).await?;
            open(
                tags.next()?,
                "Blue Dream Vape 1g",
                300,
                "Each",
                "Sellable Inventory",
                LabState::TestPassed,
            )
            .await?;
            let failed = tags.next()?;
            open(
                failed.clone(),
                "Blue Dream Vape 1g",
                100,
                "Each",
                "Quarantine Cage",
                LabState::TestFailed,
            )
            .await?;
            let treatment = vec![TreatmentSpec {
                label: Some(failed.clone()),
                method: Some("Re-extraction".into()),
                date: None,
            }];
            run::<pkg::Remediate>(ledger, scope, "Corrective action plan CAP-77", &treatment)
                .await?;
            let fleet = vec![
                DriverSpec {
                    id: None,
                    name: Some("Luis Ortega".into()),
                    drivers_license_number: Some("D4481237".into()),
                    employee_id: Some("EMP-300310".into()),
                },
                DriverSpec {
                    id: None,
                    name: Some("Mei Tanaka".into()),
                    drivers_license_number: Some("D9920054".into()),
                    employee_id: Some("EMP-300311".into()),
                },
            ];
            run::<drivers::Create>(ledger, scope, "Drivers", &fleet).await?;
            let van = VehicleSpec {
                id: None,
                make: Some("Ford".into()),
                model: Some("Transit 250".into()),
                license_plate_number: Some("8TGT123".into()),
            };
            run::<vehicles::Create>(ledger, scope, "Delivery van", &vec![van]).await?;
        }
        LicenseType::TestingLab => {}
        LicenseType::Retailer => {
            open(
                tags.next()?,
                "Mango Gummies 10x10mg",
                200,
                "Each",
                "Sales Floor",
                LabState::TestPassed,
            )
            .await?;
            open(
                tags.next()?,
                "Blue Dream Vape 1g",
                50,
                "Each",
                "Back Stock",
                LabState::TestPassed,
            )
            .await?;
        }
    }
    Ok(())
}
