//! A fresh, realistic California dataset: one license of each type, each with an employee who
//! holds every permission there, items, strains, locations, and UID tags ordered, shipped and
//! received. Everything is written through the application layer, so the journal holds it all.

use crate::app::{Acting, Action, AppError, AppResult, Ledger, NewDocument, Refs, Scope};
use rand::Rng;
use rand::distributions::Alphanumeric;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tagtrail_domain::commands::catalog::{BrandSpec, ItemSpec, StrainSpec};
use tagtrail_domain::commands::lab::{RecordSpec, ResultSpec};
use tagtrail_domain::commands::packages::{self, AdjustSpec, Ingredient, Mode, NewPackage};
use tagtrail_domain::commands::people::FacilitySpec;
use tagtrail_domain::commands::premises::{LocationSpec, SublocationSpec};
use tagtrail_domain::commands::tags::OrderSpec;
use tagtrail_domain::commands::transporters::{DriverSpec, VehicleSpec};
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::permission;
use tagtrail_domain::records::Tag;
use tagtrail_store::ListQuery;

mod manifests;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoLicense {
    pub license_number: String,
    pub license_type: String,
    pub facility_name: String,
    pub user_key: String,
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RestrictedUser {
    pub license_number: String,
    pub user_key: String,
    pub username: String,
    pub password: String,
    pub permissions: Vec<String>,
}

/// What `DIR/credentials.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DemoCredentials {
    pub base_url: String,
    pub vendor_key: String,
    pub licenses: Vec<DemoLicense>,
    #[serde(default)]
    pub restricted: Vec<RestrictedUser>,
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

pub(crate) fn demo_action(endpoint: &str, reason: &str) -> Action {
    Action::new(endpoint, None, reason, json!("demo seed"))
}

/// Seeds an empty ledger and returns the credentials (shown once; only hashes are stored).
pub async fn seed(ledger: &Ledger, base_url: &str) -> AppResult<DemoCredentials> {
    let operator = Acting::operator("demo");
    let vendor = ledger
        .issue_vendor_key(&operator, "Demo Integrator")
        .await?;
    let all_permissions: Vec<String> = permission::ALL.iter().map(|p| p.to_string()).collect();
    let mut staff: Vec<(LicenseType, Acting, Scope)> = Vec::new();
    let mut out = DemoCredentials {
        base_url: base_url.to_string(),
        vendor_key: vendor.key,
        licenses: vec![],
        restricted: vec![],
    };
    for spec in SPECS {
        let facility = ledger
            .create_facility(
                &operator,
                &FacilitySpec {
                    license_number: spec.license.into(),
                    license_type: spec.kind,
                    name: spec.name.into(),
                    address: Some(spec.address.into()),
                    license_start_date: "2026-01-01".into(),
                    license_end_date: "2026-12-31".into(),
                },
            )
            .await?;
        let pw = password();
        let user = ledger
            .create_user(
                &operator,
                spec.username,
                spec.full_name,
                spec.badge,
                Some(&pw),
            )
            .await?;
        ledger
            .employ(
                &operator,
                &user.username,
                spec.license,
                &all_permissions,
                true,
                true,
            )
            .await?;
        let key = ledger.issue_user_key(&operator, &user.username).await?;
        let who = Acting {
            user: Some(user.clone()),
            vendor_key_id: None,
            channel: "demo".into(),
        };
        let scope = Scope {
            facility: facility.clone(),
            employment: None,
        };
        seed_license(ledger, &who, &operator, &scope, spec).await?;
        staff.push((spec.kind, who.clone(), scope.clone()));
        out.licenses.push(DemoLicense {
            license_number: spec.license.into(),
            license_type: spec.kind.as_str().into(),
            facility_name: spec.name.into(),
            user_key: key.key,
            username: user.username,
            password: pw,
        });
    }
    // A clerk at the distributor who may look but not manage: for permission tests and demos.
    let pw = password();
    let clerk = ledger
        .create_user(&operator, "clerk", "Sam Rivera", "EMP-300302", Some(&pw))
        .await?;
    let perms = vec!["View Employees".to_string(), "Manage Tags".to_string()];
    ledger
        .employ(
            &operator,
            &clerk.username,
            "C11-0000701-LIC",
            &perms,
            false,
            false,
        )
        .await?;
    let key = ledger.issue_user_key(&operator, &clerk.username).await?;
    out.restricted.push(RestrictedUser {
        license_number: "C11-0000701-LIC".into(),
        user_key: key.key,
        username: clerk.username,
        password: pw,
        permissions: perms,
    });
    seed_lab_flow(ledger, &staff).await?;
    let party = |k: LicenseType| {
        staff
            .iter()
            .find(|(t, _, _)| *t == k)
            .map(|(_, who, scope)| (who, scope))
            .ok_or_else(|| AppError::NotFound("demo license".into()))
    };
    let retailer = party(LicenseType::Retailer)?.1.license().to_string();
    manifests::seed(
        ledger,
        party(LicenseType::Manufacturer)?,
        party(LicenseType::Distributor)?,
        &retailer,
    )
    .await?;
    Ok(out)
}

/// The distributor sends its testing sample to the laboratory; the lab records a full panel with
/// a certificate of analysis and releases it, so the sample and its lot pass.
async fn seed_lab_flow(ledger: &Ledger, staff: &[(LicenseType, Acting, Scope)]) -> AppResult<()> {
    let find = |k: LicenseType| {
        staff
            .iter()
            .find(|(t, _, _)| *t == k)
            .ok_or_else(|| AppError::NotFound("demo license".into()))
    };
    let (_, distro, distro_scope) = find(LicenseType::Distributor)?;
    let (_, lab, lab_scope) = find(LicenseType::TestingLab)?;
    let q = ListQuery {
        license: Some(distro_scope.license().into()),
        active: Some(true),
        ..Default::default()
    };
    let sample = ledger
        .store
        .list::<tagtrail_domain::records::Package>(&q)
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
        distro,
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
    manifests::depart(ledger, distro, distro_scope, id).await?;
    manifests::accept_all(ledger, lab, lab_scope, id).await?;
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
    let mut lines = vec![
        crate::pdf::Line::new(18, "Certificate of Analysis"),
        crate::pdf::Line::new(
            11,
            format!(
                "Laboratory: {} ({})",
                lab_scope.facility.name,
                lab_scope.license()
            ),
        ),
        crate::pdf::Line::new(
            11,
            format!(
                "Sample: {label} - {} from {}",
                sample.item_name,
                distro_scope.license()
            ),
        ),
        crate::pdf::Line::new(
            11,
            format!("Batch: {}", sample.source_package_labels.join(", ")),
        ),
        crate::pdf::Line::new(11, " "),
    ];
    lines.extend(panel.iter().map(|(t, q, p, _)| {
        crate::pdf::Line::new(
            11,
            format!("{t}: {q} - {}", if *p { "PASS" } else { "FAIL" }),
        )
    }));
    let doc = NewDocument {
        file_name: format!("COA-{label}.pdf"),
        bytes: crate::pdf::render("Certificate of Analysis", &lines),
    };
    let spec = RecordSpec {
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
    };
    ledger
        .record_lab_results(
            lab,
            lab_scope,
            demo_action("POST /labtests/v2/record", "Full compliance panel"),
            &[spec],
            &[Some(doc)],
        )
        .await?;
    ledger
        .release_lab_results(
            lab,
            lab_scope,
            demo_action("PUT /labtests/v2/results/release", "Results reviewed"),
            &[Some(label)],
        )
        .await?;
    Ok(())
}

async fn seed_license(
    ledger: &Ledger,
    who: &Acting,
    operator: &Acting,
    scope: &Scope,
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
    ledger
        .upsert_strains(
            who,
            scope,
            demo_action("POST /strains/v2", "Demo strains"),
            &strains,
        )
        .await?;
    if !spec.brands.is_empty() {
        let brands: Vec<_> = spec
            .brands
            .iter()
            .map(|b| BrandSpec {
                id: None,
                name: Some((*b).into()),
            })
            .collect();
        ledger
            .upsert_brands(
                who,
                scope,
                demo_action("POST /items/v2/brand", "Demo brands"),
                &brands,
            )
            .await?;
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
    ledger
        .upsert_items(
            who,
            scope,
            demo_action("POST /items/v2", "Demo items"),
            &items,
        )
        .await?;
    let locs: Vec<_> = spec
        .locations
        .iter()
        .map(|(n, t)| LocationSpec {
            id: None,
            name: Some((*n).into()),
            location_type_name: Some((*t).into()),
        })
        .collect();
    ledger
        .upsert_locations(
            who,
            scope,
            demo_action("POST /locations/v2", "Demo locations"),
            &locs,
        )
        .await?;
    let subs = [
        SublocationSpec {
            id: None,
            name: Some("Shelf 1".into()),
        },
        SublocationSpec {
            id: None,
            name: Some("Shelf 2".into()),
        },
    ];
    ledger
        .upsert_sublocations(
            who,
            scope,
            demo_action("POST /sublocations/v2", "Demo sublocations"),
            &subs,
        )
        .await?;
    // Two orders: one shipped and received (usable tags), one shipped and awaiting receipt.
    let plant = if spec.kind.may_order_plant_tags() {
        Some(25)
    } else {
        None
    };
    let first = ledger
        .order_tags(
            who,
            scope,
            demo_action("POST /tagtrail/v1/tags/orders", "Opening tag order"),
            &[OrderSpec {
                plant_tags: plant,
                package_tags: Some(50),
            }],
        )
        .await?;
    let second = ledger
        .order_tags(
            who,
            scope,
            demo_action("POST /tagtrail/v1/tags/orders", "Reorder"),
            &[OrderSpec {
                plant_tags: None,
                package_tags: Some(10),
            }],
        )
        .await?;
    for id in first.ids.iter().chain(&second.ids) {
        ledger.ship_tag_order(operator, *id).await?;
    }
    let received: Vec<_> = first.ids.iter().map(|id| Some(*id)).collect();
    ledger
        .receive_tag_orders(
            who,
            scope,
            demo_action("PUT /tagtrail/v1/tags/orders/receive", "Tags arrived"),
            &received,
        )
        .await?;
    seed_inventory(ledger, who, operator, scope, spec.kind).await
}

/// Received package tags of the facility, to hand out in order.
struct Tags(std::vec::IntoIter<String>);

impl Tags {
    async fn of(ledger: &Ledger, license: &str) -> AppResult<Tags> {
        let q = ListQuery {
            license: Some(license.into()),
            active: Some(true),
            status: Some("Package:Received".into()),
            ..Default::default()
        };
        let tags = ledger.store.list::<Tag>(&q).await?.rows;
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
    who: &Acting,
    operator: &Acting,
    scope: &Scope,
    kind: LicenseType,
) -> AppResult<()> {
    let lic = scope.license().to_string();
    let mut tags = Tags::of(ledger, &lic).await?;
    let open = async |t: String,
                      item: &str,
                      qty: i64,
                      unit: &str,
                      loc: &str,
                      state: &str|
           -> AppResult<()> {
        ledger
            .open_balance(operator, &lic, &new(t, item, qty, unit, loc), state)
            .await
            .map(|_| ())
    };
    let make = async |specs: Vec<NewPackage>,
                      endpoint: &str,
                      why: &str,
                      mode: Mode<'_>|
           -> AppResult<()> {
        ledger
            .create_packages(who, scope, demo_action(endpoint, why), &specs, mode)
            .await
            .map(|_| ())
    };
    let adj = async |spec: AdjustSpec, to_final: bool, why: &str| -> AppResult<()> {
        let endpoint = if to_final {
            "PUT /packages/v2/adjust"
        } else {
            "POST /packages/v2/adjust"
        };
        ledger
            .adjust_packages(who, scope, demo_action(endpoint, why), &[spec], to_final)
            .await
            .map(|_| ())
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
                "NotSubmitted",
            )
            .await?;
            open(
                tags.next()?,
                "OG Kush Trim",
                2000,
                "Grams",
                "Vault",
                "NotSubmitted",
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
                "POST /packages/v2",
                "Split a pound for sale",
                Mode::Regular,
            )
            .await?;
            adj(
                adjust(&bag, -12, "Grams", "Drying", None),
                false,
                "Moisture loss",
            )
            .await?;
        }
        LicenseType::Manufacturer => {
            let distillate = tags.next()?;
            open(
                distillate.clone(),
                "Blue Dream Distillate",
                1000,
                "Grams",
                "Extraction Lab",
                "TestPassed",
            )
            .await?;
            let gummies = tags.next()?;
            open(
                gummies.clone(),
                "Mango Gummies 10x10mg",
                500,
                "Each",
                "Finished Goods",
                "NotSubmitted",
            )
            .await?;
            let (vapes, offcut) = (tags.next()?, tags.next()?);
            let run = vec![
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
            make(
                run,
                "POST /packages/v2",
                "Cartridge fill run",
                Mode::Regular,
            )
            .await?;
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
            let labels = [Some(offcut.clone())];
            ledger
                .update_packages(
                    who,
                    scope,
                    demo_action("PUT /packages/v2/finish", "Empty"),
                    &Refs::labels(labels.clone()),
                    |ctx, w| packages::finish(ctx, &w.sources, &[(labels[0].clone(), None)]),
                )
                .await?;
            ledger
                .set_hold(
                    operator,
                    scope.license(),
                    &[gummies],
                    true,
                    "DCC embargo pending label review",
                )
                .await?;
        }
        LicenseType::Distributor => {
            let gummies = tags.next()?;
            open(
                gummies.clone(),
                "Mango Gummies 10x10mg",
                1000,
                "Each",
                "Receiving Dock",
                "NotSubmitted",
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
            make(
                vec![sample],
                "POST /packages/v2/testing",
                "Lab sample for batch MG-0921",
                Mode::Testing,
            )
            .await?;
            open(
                tags.next()?,
                "Blue Dream Vape 1g",
                300,
                "Each",
                "Sellable Inventory",
                "TestPassed",
            )
            .await?;
            let failed = tags.next()?;
            open(
                failed.clone(),
                "Blue Dream Vape 1g",
                100,
                "Each",
                "Quarantine Cage",
                "TestFailed",
            )
            .await?;
            let labels = [Some(failed.clone())];
            ledger
                .update_packages(
                    who,
                    scope,
                    demo_action(
                        "PUT /packages/v2/remediate",
                        "Corrective action plan CAP-77",
                    ),
                    &Refs::labels(labels.clone()),
                    |ctx, w| {
                        packages::remediate(
                            ctx,
                            &w.sources,
                            &[(labels[0].clone(), Some("Re-extraction".into()), None)],
                        )
                    },
                )
                .await?;
            let drivers = [
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
            ledger
                .upsert_drivers(
                    who,
                    scope,
                    demo_action("POST /transporters/v2/drivers", "Drivers"),
                    &drivers,
                )
                .await?;
            let van = VehicleSpec {
                id: None,
                make: Some("Ford".into()),
                model: Some("Transit 250".into()),
                license_plate_number: Some("8TGT123".into()),
            };
            ledger
                .upsert_vehicles(
                    who,
                    scope,
                    demo_action("POST /transporters/v2/vehicles", "Delivery van"),
                    &[van],
                )
                .await?;
        }
        LicenseType::TestingLab => {}
        LicenseType::Retailer => {
            open(
                tags.next()?,
                "Mango Gummies 10x10mg",
                200,
                "Each",
                "Sales Floor",
                "TestPassed",
            )
            .await?;
            open(
                tags.next()?,
                "Blue Dream Vape 1g",
                50,
                "Each",
                "Back Stock",
                "TestPassed",
            )
            .await?;
        }
    }
    Ok(())
}
