//! The QA release gate in the browser's terms (issue 11): a COA uploaded through the multipart
//! form, the review prepared, the preparer's own release refused with the reason on the page, a
//! hold that blocks, the second QA person releasing with the code, the lot in sellable
//! inventory; the COA downloaded byte for byte with safe headers, and no other license's COA.

use super::common::{Answer, Browser, PASSWORD, World};
use super::{lic, license};
use rust_decimal::Decimal;
use tagtrail_testkit::{Backend, DISTRIBUTOR, MANUFACTURER, RETAILER};
use tagtrail_workbench::audit::Door;
use tagtrail_workbench::model::coa::Potency;
use tagtrail_workbench::model::qa::CheckItem;
use tagtrail_workbench::model::role::Role;
use tagtrail_workbench::people::Caller;
use tagtrail_workbench_web::WebOptions;

/// The COA as the lab sent it (text, so the browser's answer compares as it is).
const PDF: &str = "%PDF-1.4\n% Pacific Analytical Labs, certificate of analysis\n%%EOF\n";

/// A lot of vape cartridges at the distributor, tested and passed (an opening balance on a
/// free tag).
async fn passing_lot(w: &World) -> String {
    let tag = w
        .app
        .list(DISTRIBUTOR, "/tags/v2/package/available")
        .await
        .first()
        .and_then(|t| t["Label"].as_str().map(str::to_string))
        .expect("the distributor has a free tag");
    let spec = tagtrail_domain::commands::packages::NewPackage {
        tag: Some(tag.clone()),
        item: Some("Blue Dream Vape 1g".into()),
        quantity: Some(Decimal::new(60, 0)),
        unit_of_measure: Some("Each".into()),
        location: Some("Sellable Inventory".into()),
        ..Default::default()
    };
    w.app.opening_balance(DISTRIBUTOR, spec, "TestPassed").await;
    tag
}

/// Posts a multipart form as `b` would: the CSRF token first, the text fields, then the file.
async fn upload(
    w: &World,
    b: &Browser,
    path: &str,
    fields: &[(&str, &str)],
    file: (&str, &str, &[u8]),
) -> Answer {
    let boundary = "XXqaXX";
    let mut body = Vec::new();
    let mut text = |name: &str, value: &str| {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    text("csrf", &b.csrf);
    for (k, v) in fields {
        text(k, v);
    }
    let (name, kind, bytes) = file;
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {kind}\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let cookies = b
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let resp = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}{path}", w.base))
        .header("cookie", cookies)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let location = headers
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    Answer {
        status,
        body: resp.text().await.unwrap(),
        location,
        headers,
    }
}

/// Posts a form expecting it done (303), and follows to the page it leads to.
async fn done(b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Answer {
    let a = b.post(path, fields).await;
    assert_eq!(a.status, 303, "{path} {fields:?}: {}", a.body);
    b.follow(&a).await
}

/// Issue 11 end to end through the pages.
#[tokio::test]
async fn a_second_qa_person_releases_with_the_code() {
    let mut w = World::start(&Backend::Sqlite, WebOptions::default()).await;
    // Two people with the QA role at the distributor.
    let op = Caller::operator();
    for name in ["quinn", "rhea"] {
        let u =
            w.wb.create_user(
                &op,
                Door::Cli,
                Some(w.company_a),
                name,
                &format!("{name} Example"),
                PASSWORD,
            )
            .await
            .unwrap();
        w.wb.grant(&op, Door::Cli, name, DISTRIBUTOR, Role::Qa)
            .await
            .unwrap();
        w.totp.insert(name.to_string(), u.totp_secret);
    }
    let label = passing_lot(&w).await;
    let doomed = passing_lot(&w).await;
    w.sync().await;
    let (mut quinn, mut rhea, mut carol) = (
        w.browser("quinn").await,
        w.browser("rhea").await,
        w.browser("carol").await,
    );
    let queue = lic("/qa", DISTRIBUTOR);
    let page = lic(&format!("/qa/{label}"), DISTRIBUTOR);

    // The queue says what the lot waits for.
    let q = quinn.get(&queue).await;
    assert_eq!(q.status, 200, "{}", q.body);
    assert!(q.body.contains(&label) && q.body.contains("Needs a COA"));
    let p = quinn.get(&page).await;
    assert_eq!(p.status, 200, "{}", p.body);
    assert!(p.body.contains("No COA is attached"), "{}", p.body);
    assert_eq!(
        quinn
            .get(&lic("/qa/1A40000000000000NOSUCHLOT", DISTRIBUTOR))
            .await
            .status,
        404
    );

    // A refused upload keeps what was typed; the COA goes up as a multipart form.
    let coa = format!("{page}/coa");
    let refused = upload(
        &w,
        &quinn,
        &coa,
        &[
            ("lab", "Pacific Analytical Labs"),
            ("thc", "lots"),
            ("cbd", ""),
        ],
        ("coa.pdf", "application/pdf", PDF.as_bytes()),
    )
    .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("THC is a percentage"));
    assert!(refused.body.contains("value=\"Pacific Analytical Labs\""));
    assert!(refused.body.contains("value=\"lots\""));
    let up = upload(
        &w,
        &quinn,
        &coa,
        &[
            ("lab", "Pacific Analytical Labs"),
            ("thc", "20.5"),
            ("cbd", ""),
        ],
        ("C:\\lab\\coa 1.pdf", "application/pdf", PDF.as_bytes()),
    )
    .await;
    assert_eq!(up.status, 303, "{}", up.body);
    let p = quinn.follow(&up).await;
    assert!(p.body.contains("COA version 1 of"), "{}", p.body);
    assert!(p.body.contains("THC 20.5 %") && p.body.contains("coa 1.pdf"));
    let dist = license(&w, "quinn", DISTRIBUTOR).await;
    let coa_id = w.wb.coas(&dist, &label).await.unwrap()[0].id;
    let download = lic(&format!("/coa/{coa_id}"), DISTRIBUTOR);
    assert!(p.body.contains(&format!("href=\"{download}\"")));

    // quinn prepares the review; a refused rejection keeps its reason.
    let mut review: Vec<(&str, &str)> = CheckItem::ALL
        .iter()
        .map(|c| ("check", c.as_str()))
        .collect();
    review.push(("notes", "Seals and labels checked"));
    let p = done(&mut quinn, &format!("{page}/review"), &review).await;
    assert!(
        p.body.contains("Prepared by <strong>quinn</strong>"),
        "{}",
        p.body
    );
    let r = quinn
        .post(
            &format!("{page}/reject"),
            &[("reason", "typed reason kept")],
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(r.body.contains("Choose where the lot goes"));
    assert!(r.body.contains(">typed reason kept</textarea>"));

    // The preparer is not offered the release, and is refused it when posting anyway.
    assert!(
        p.body
            .contains("The person who prepared the review cannot release the lot"),
        "{}",
        p.body
    );
    assert!(!p.body.contains("id=\"release-code\""));
    let own = quinn
        .post(
            &format!("{page}/release"),
            &[("code", &w.code("quinn")), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(own.status, 403, "{}", own.body);
    assert!(own.body.contains("second person must"), "{}", own.body);

    // A compliance manager's hold blocks the release, named with its owner.
    done(
        &mut carol,
        &format!("{page}/hold"),
        &[("reason", "torn label")],
    )
    .await;
    let p = rhea.get(&page).await;
    assert!(
        p.body
            .contains("The lot is on hold: torn label (placed by carol)"),
        "{}",
        p.body
    );
    let held = rhea
        .post(
            &format!("{page}/release"),
            &[("code", &w.code("rhea")), ("confirmed", "yes")],
        )
        .await;
    assert_eq!(held.status, 403, "{}", held.body);
    assert!(held.body.contains("torn label (placed by carol)"));
    assert!(quinn.get(&queue).await.body.contains("torn label"));

    // rhea lifts it; then she is offered the release, which asks for the code and confirms.
    let hold = w.wb.lot(&dist, &label).await.unwrap().holds[0].id;
    done(
        &mut rhea,
        &format!("{page}/hold/{hold}/lift"),
        &[("hold", &hold.to_string()), ("reason", "label replaced")],
    )
    .await;
    let p = rhea.get(&page).await;
    assert!(p.body.contains("id=\"release-code\""), "{}", p.body);
    let no_code = rhea
        .post(&format!("{page}/release"), &[("confirmed", "yes")])
        .await;
    assert_eq!(no_code.status, 400);
    assert!(no_code.body.contains("Enter the 6-digit code"));
    let ask = rhea
        .post(&format!("{page}/release"), &[("code", &w.code("rhea"))])
        .await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("Yes, release"));
    assert!(!w.wb.lot(&dist, &label).await.unwrap().released());
    let p = done(
        &mut rhea,
        &format!("{page}/release"),
        &[("code", &w.code("rhea")), ("confirmed", "yes")],
    )
    .await;
    assert!(p.body.contains("sellable inventory now"), "{}", p.body);
    assert!(p.body.contains("Released</span> by <strong>rhea</strong>"));
    let lot = w.wb.lot(&dist, &label).await.unwrap();
    assert!(lot.sellable(), "{lot:?}");
    let q = rhea.get(&queue).await;
    let sellable = q.body.split("Sellable inventory (1)").nth(1).unwrap_or("");
    assert!(
        sellable.contains(&label),
        "the lot is in sellable inventory: {}",
        q.body
    );

    // The COA comes back byte for byte, as an attachment with a safe name, never sniffed.
    let d = rhea.get(&download).await;
    assert_eq!(d.status, 200);
    assert_eq!(d.body, PDF);
    assert_eq!(d.headers["content-type"], "application/pdf");
    assert_eq!(
        d.headers["content-disposition"],
        "attachment; filename=\"coa_1.pdf\""
    );
    assert_eq!(d.headers["x-content-type-options"], "nosniff");

    // Another license's COA is no page: not under this license, not under its own for others.
    let alice =
        w.wb.sign_in("alice", PASSWORD, Some(&w.code("alice")))
            .await
            .unwrap()
            .caller;
    let mfg = license(&w, "alice", MANUFACTURER).await;
    let (other, _, _) =
        w.wb.attach_coa(
            &alice,
            Door::Web,
            &mfg,
            &label,
            "Other Lab",
            "other.pdf",
            "application/pdf",
            b"%PDF-1.4 other",
            Potency::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        rhea.get(&lic(&format!("/coa/{other}"), DISTRIBUTOR))
            .await
            .status,
        404
    );
    let mut alice_b = w.browser("alice").await;
    assert_eq!(
        alice_b
            .get(&lic(&format!("/coa/{coa_id}"), MANUFACTURER))
            .await
            .status,
        404
    );
    assert_eq!(
        alice_b
            .get(&lic(&format!("/coa/{other}"), MANUFACTURER))
            .await
            .status,
        200
    );
    let mut eve = w.browser("eve").await;
    assert_eq!(eve.get(&download).await.status, 404);
    assert_eq!(
        eve.get(&lic(&format!("/coa/{coa_id}"), RETAILER))
            .await
            .status,
        404
    );

    // A lot rejected to destruction offers its destruction, filled in, as a submission of its
    // own (the witness and method are still the person's to give).
    let quinn_c =
        w.wb.sign_in("quinn", PASSWORD, Some(&w.code("quinn")))
            .await
            .unwrap()
            .caller;
    w.wb.attach_coa(
        &quinn_c,
        Door::Web,
        &dist,
        &doomed,
        "Pacific Analytical Labs",
        "coa.pdf",
        "application/pdf",
        PDF.as_bytes(),
        Potency::default(),
    )
    .await
    .unwrap();
    w.wb.prepare_review(
        &quinn_c,
        Door::Web,
        &dist,
        &doomed,
        &CheckItem::ALL.iter().copied().collect(),
        "mould under the seals",
    )
    .await
    .unwrap();
    let p = done(
        &mut rhea,
        &lic(&format!("/qa/{doomed}/reject"), DISTRIBUTOR),
        &[
            ("to", "destruction"),
            ("reason", "mould"),
            ("confirmed", "yes"),
        ],
    )
    .await;
    let link = format!(
        "href=\"{}?kind=destroy&amp;labels={doomed}&amp;why=Rejected+by+QA+to+destruction%3A+mould\"",
        lic("/outbox/new", DISTRIBUTOR)
    );
    assert!(
        p.body.contains(&link) && p.body.contains("Draft its destruction"),
        "{link}: {}",
        p.body
    );
    w.finish().await;
}
