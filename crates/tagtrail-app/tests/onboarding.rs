//! Onboarding through the application layer (seeds 000 and 001, steps 1 to 4), on a real SQLite
//! file and on PostgreSQL when `TAGTRAIL_TEST_POSTGRES_URL` names a server: a license is closed to
//! its people until its account manager's training is recorded (rule 3), a temporary license never
//! opens (rule 1), and the account manager then manages the license's own people and nobody
//! else's, within what the account manager holds (rules 2, 4 and 5).
#![allow(clippy::unwrap_used, reason = "a test fails loudly on any setup error")]

use serde_json::json;
use tagtrail_app::actions::people::{
    ChangePermissions, CreateEmployee, CreateLicense, Deactivate, EmployeeKey, EmployeePermissions,
    FreshKey, Hire, IssueEmployeeKey, IssueLicense, IssueVendorKey, LicenseApplication,
    NewEmployee, NewHire, PasswordHash, RecordTraining, TrainingRecord,
};
use tagtrail_app::actions::tags::Order;
use tagtrail_app::{Acting, AppError, Config, Door, Ledger};
use tagtrail_domain::Rejection;
use tagtrail_domain::commands::people::{FacilitySpec, HireSpec};
use tagtrail_domain::commands::tags::OrderSpec;
use tagtrail_domain::license::LicenseType;
use tagtrail_domain::permission::Permission;
use tagtrail_domain::records::LicenseKind;

const PASSWORD: &str = "correct horse battery";

async fn ledgers(dir: &std::path::Path) -> Vec<Ledger> {
    let mut out = vec![
        Ledger::open(&dir.join("t.db").to_string_lossy(), Config::default())
            .await
            .unwrap(),
    ];
    if let Ok(admin) = std::env::var("TAGTRAIL_TEST_POSTGRES_URL") {
        let url = tagtrail_app::audit::create_postgres_database(&admin, "tagtrail_onboard_app")
            .await
            .unwrap();
        out.push(Ledger::open(&url, Config::default()).await.unwrap());
    }
    out
}

fn operator() -> Acting {
    Acting::operator("test")
}

fn door() -> Door {
    Door::operator("test", json!({}))
}

fn facility(lic: &str) -> FacilitySpec {
    FacilitySpec {
        license_number: lic.into(),
        license_type: LicenseType::Distributor,
        name: format!("Distribution {lic}"),
        address: None,
        license_start_date: "2026-01-01".into(),
        license_end_date: "2026-12-31".into(),
    }
}

async fn user(ledger: &Ledger, username: &str) {
    let req = NewEmployee {
        username: username.into(),
        full_name: format!("{username} Person"),
        employee_license_number: format!("EMP-{username}"),
        password: Some(PasswordHash::of(PASSWORD).await.unwrap()),
    };
    ledger
        .run_system::<CreateEmployee>(&operator(), door(), &req)
        .await
        .unwrap();
}

async fn issue(ledger: &Ledger, lic: &str, kind: LicenseKind, manager: &str) {
    let a = LicenseApplication {
        facility: facility(lic),
        kind,
        account_manager: Some(manager.into()),
    };
    ledger
        .run_system::<IssueLicense>(&operator(), door(), &a)
        .await
        .unwrap();
}

async fn train(ledger: &Ledger, lic: &str) -> Vec<String> {
    let t = TrainingRecord {
        license_number: lic.into(),
        completed: None,
    };
    ledger
        .run_system::<RecordTraining>(&operator(), door(), &t)
        .await
        .unwrap()
        .1
        .1
}

fn forbidden(r: Result<impl std::fmt::Debug, AppError>, words: &str) {
    match r {
        Err(AppError::Forbidden(m)) => assert!(m.contains(words), "{m}"),
        other => panic!("expected a refusal naming {words:?}, got {other:?}"),
    }
}

fn hire_of(username: &str, perms: &[Permission]) -> NewHire {
    NewHire {
        person: HireSpec {
            username: username.into(),
            full_name: format!("{username} Hired"),
            employee_license_number: format!("EMP-{username}"),
            permissions: perms.iter().map(|p| p.name().to_string()).collect(),
        },
        password: None,
    }
}

/// Rule 3: nobody at an annual license has access until the account manager's training is
/// recorded; signing in says why; afterwards the account manager signs in and acts.
#[tokio::test]
async fn rule_3_untrained_is_refused_and_trained_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    for ledger in ledgers(dir.path()).await {
        user(&ledger, "ana").await;
        issue(&ledger, "C11-0000801-LIC", LicenseKind::Annual, "ana").await;
        forbidden(
            ledger.sign_in("ana", PASSWORD).await,
            "account-manager training",
        );
        // A wrong password is told nothing about the license.
        assert!(matches!(
            ledger.sign_in("ana", "wrong password").await,
            Err(AppError::Unauthorized(_))
        ));
        let ana = ledger.on_behalf_of(&operator(), "ana").await.unwrap();
        forbidden(
            ledger.authorize(&ana, "C11-0000801-LIC", &[]).await,
            "not yet recorded as complete",
        );
        assert!(ledger.facilities_of(&ana).await.unwrap().is_empty());
        assert_eq!(ledger.closed_to(&ana).await.unwrap().len(), 1);
        // The operator still reaches the license (to record the training, ship tags…).
        assert!(
            ledger
                .authorize(&operator(), "C11-0000801-LIC", &[])
                .await
                .is_ok()
        );
        assert!(train(&ledger, "C11-0000801-LIC").await.is_empty());
        let ana = ledger.sign_in("ana", PASSWORD).await.unwrap();
        let scope = ledger
            .authorize(&ana, "C11-0000801-LIC", &[Permission::ManageTags])
            .await
            .unwrap();
        assert!(scope.employment().unwrap().is_owner, "rule 2: an owner");
        let order = vec![OrderSpec {
            plant_tags: None,
            package_tags: Some(10),
        }];
        ledger.run::<Order>(&scope, door(), &order).await.unwrap();
        // Training is recorded once.
        let again = TrainingRecord {
            license_number: "C11-0000801-LIC".into(),
            completed: None,
        };
        assert!(matches!(
            ledger
                .run_system::<RecordTraining>(&operator(), door(), &again)
                .await,
            Err(AppError::Rejected(Rejection::Conflict(_)))
        ));
        assert!(ledger.verify(&dir.path().join("v.db")).await.unwrap().ok());
        ledger.close().await;
    }
}

/// Rule 1 (seed 001): a temporary licensee has no access at all, trained or not; a license the
/// operator administers (no account manager) opens as soon as someone is employed there.
#[tokio::test]
async fn rule_1_temporary_is_refused_and_operator_licenses_stay_open() {
    let dir = tempfile::tempdir().unwrap();
    for ledger in ledgers(dir.path()).await {
        user(&ledger, "tess").await;
        issue(&ledger, "C11-0000802-LIC", LicenseKind::Temporary, "tess").await;
        train(&ledger, "C11-0000802-LIC").await;
        forbidden(ledger.sign_in("tess", PASSWORD).await, "temporary license");
        let tess = ledger.on_behalf_of(&operator(), "tess").await.unwrap();
        forbidden(
            ledger.authorize(&tess, "C11-0000802-LIC", &[]).await,
            "temporary",
        );
        // The operator's own license, as before onboarding existed.
        ledger
            .run_system::<CreateLicense>(&operator(), door(), &facility("C11-0000803-LIC"))
            .await
            .unwrap();
        let scope = ledger
            .authorize(&operator(), "C11-0000803-LIC", &[])
            .await
            .unwrap();
        ledger
            .run::<Hire>(
                &scope,
                door(),
                &hire_of("olga", &[Permission::ViewPackages]),
            )
            .await
            .unwrap();
        let olga = ledger.on_behalf_of(&operator(), "olga").await.unwrap();
        assert!(
            ledger
                .authorize(&olga, "C11-0000803-LIC", &[Permission::ViewPackages])
                .await
                .is_ok()
        );
        ledger.close().await;
    }
}

/// Step 3: the trained account manager adds an employee, changes their permissions, issues their
/// key (which authenticates) and deactivates them (who then has no access, rule 5); never beyond
/// what the account manager holds, never another license's people, never their own permissions.
#[tokio::test]
async fn the_account_manager_manages_the_licenses_own_people_only() {
    let dir = tempfile::tempdir().unwrap();
    for ledger in ledgers(dir.path()).await {
        user(&ledger, "ana").await;
        user(&ledger, "bo").await;
        issue(&ledger, "C11-0000811-LIC", LicenseKind::Annual, "ana").await;
        issue(&ledger, "C11-0000812-LIC", LicenseKind::Annual, "bo").await;
        train(&ledger, "C11-0000811-LIC").await;
        train(&ledger, "C11-0000812-LIC").await;
        let ana = ledger.sign_in("ana", PASSWORD).await.unwrap();
        let here = ledger
            .authorize(&ana, "C11-0000811-LIC", &[])
            .await
            .unwrap();
        let w = ledger
            .run::<Hire>(
                &here,
                door(),
                &hire_of(
                    "sam",
                    &[Permission::ManageEmployees, Permission::ManageTags],
                ),
            )
            .await
            .unwrap();
        let sam_id = w.ids[0];
        // Bo's employee, at the other license.
        let bo = ledger.sign_in("bo", PASSWORD).await.unwrap();
        let there = ledger.authorize(&bo, "C11-0000812-LIC", &[]).await.unwrap();
        let zed_id = ledger
            .run::<Hire>(&there, door(), &hire_of("zed", &[Permission::ViewPackages]))
            .await
            .unwrap()
            .ids[0];
        // Ana cannot reach Bo's license, nor Bo's employee from her own.
        assert!(matches!(
            ledger.authorize(&ana, "C11-0000812-LIC", &[]).await,
            Err(AppError::Unauthorized(_))
        ));
        for r in [
            ledger.run::<Deactivate>(&here, door(), &zed_id).await,
            ledger
                .run::<ChangePermissions>(
                    &here,
                    door(),
                    &EmployeePermissions {
                        user_id: zed_id,
                        permissions: vec![],
                    },
                )
                .await,
        ] {
            assert!(matches!(r, Err(AppError::NotFound(_))), "{r:?}");
        }
        assert!(matches!(
            ledger.employee(&here, zed_id).await,
            Err(AppError::NotFound(_))
        ));
        // The key, shown once to Ana, authenticates Sam; only its hash is kept.
        let key = FreshKey::new();
        let shown = key.reveal().to_string();
        ledger
            .run::<IssueEmployeeKey>(
                &here,
                door(),
                &EmployeeKey {
                    user_id: sam_id,
                    key,
                },
            )
            .await
            .unwrap();
        let (_, vendor) = ledger
            .run_system::<IssueVendorKey>(&operator(), door(), &"Test".to_string())
            .await
            .unwrap();
        let sam = ledger.authenticate(&vendor.key, &shown).await.unwrap();
        assert_eq!(sam.user().unwrap().username, "sam");
        assert_eq!(ledger.employee(&here, sam_id).await.unwrap().2, 1);
        // Sam holds Manage Employees but not Manage Transfers: he cannot grant it, nor change
        // his own permissions, nor touch the account manager.
        let sam_here = ledger
            .authorize(&sam, "C11-0000811-LIC", &[])
            .await
            .unwrap();
        let r = ledger
            .run::<Hire>(
                &sam_here,
                door(),
                &hire_of("max", &[Permission::ManageTransfers]),
            )
            .await;
        assert!(
            matches!(&r, Err(AppError::Rejected(Rejection::Invalid(m))) if m.contains("Manage Transfers")),
            "{r:?}"
        );
        let all: Vec<String> = Permission::ALL.iter().map(|p| p.name().into()).collect();
        let r = ledger
            .run::<ChangePermissions>(
                &sam_here,
                door(),
                &EmployeePermissions {
                    user_id: sam_id,
                    permissions: all,
                },
            )
            .await;
        assert!(
            matches!(r, Err(AppError::Rejected(Rejection::Forbidden(_)))),
            "{r:?}"
        );
        let ana_id = ana.user().unwrap().id;
        let r = ledger.run::<Deactivate>(&sam_here, door(), &ana_id).await;
        assert!(
            matches!(r, Err(AppError::Rejected(Rejection::Forbidden(_)))),
            "{r:?}"
        );
        // Ana changes Sam's permissions, then deactivates him: he is refused at once.
        ledger
            .run::<ChangePermissions>(
                &here,
                door(),
                &EmployeePermissions {
                    user_id: sam_id,
                    permissions: vec!["Manage Tags".into()],
                },
            )
            .await
            .unwrap();
        let (_, job, _) = ledger.employee(&here, sam_id).await.unwrap();
        assert_eq!(job.permissions, [Permission::ManageTags]);
        ledger
            .run::<Deactivate>(&here, door(), &sam_id)
            .await
            .unwrap();
        assert!(matches!(
            ledger.authorize(&sam, "C11-0000811-LIC", &[]).await,
            Err(AppError::Unauthorized(_))
        ));
        assert!(ledger.verify(&dir.path().join("v.db")).await.unwrap().ok());
        ledger.close().await;
    }
}
