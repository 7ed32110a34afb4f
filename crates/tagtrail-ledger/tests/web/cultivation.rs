//! The cultivator's pages: plant batches, a lot's page, plants by phase and harvests answer the
//! cultivator with the demo's growing, and no license that cannot grow plants; a lot planted
//! through the form (its strain the source's unless chosen) is tagged into flowering,
//! harvested, packaged and finished through the forms, each write journaled through the web
//! door and leading to the page where its result is; a refused form comes back as typed;
//! irreversible actions ask first. The demo grows as it is extended, so nothing here counts
//! what the demo starts with.

use crate::browser::{Browser, element};
use crate::helpers::*;
use reqwest::StatusCode;

fn lic(rest: &str) -> String {
    format!("/ui/l/{CULTIVATOR}{rest}")
}

/// The first active record of `path` whose `field` is `value`.
async fn find(app: &TestApp, path: &str, field: &str, value: &str) -> serde_json::Value {
    app.list(CULTIVATOR, path)
        .await
        .into_iter()
        .find(|r| str_field(r, field) == value)
        .unwrap_or_else(|| panic!("{value} in {path}"))
}

/// The lowest available tag of the cultivator at `path`.
async fn first_tag(app: &TestApp, path: &str) -> String {
    let mut tags: Vec<String> = app
        .list(CULTIVATOR, path)
        .await
        .iter()
        .map(|t| str_field(t, "Label"))
        .collect();
    tags.sort();
    tags.into_iter().next().expect("an available tag")
}

#[tokio::test]
async fn each_page_answers_the_cultivator_and_no_other_license() {
    for_each_backend(async |app| {
        let b = app.backend;
        let grower = Browser::sign_in(app, CULTIVATOR).await;
        for (path, shows) in [
            ("/plantbatches", ">Plant a new lot<"),
            ("/plants", "Vegetative"),
            ("/plants?tab=flowering", "aria-current=\"page\">Flowering<"),
            ("/plants?tab=mother", "Mother"),
            ("/plants?tab=onhold", "aria-current=\"page\">On hold<"),
            (
                "/plants?tab=inactive",
                "aria-current=\"page\">Harvested or destroyed<",
            ),
            ("/harvests", "Harvests · Emerald Triangle Farms"),
            ("/harvests?tab=finished", "aria-current=\"page\">Finished<"),
        ] {
            let page = grower.get(&lic(path)).await;
            assert_eq!(page.status, StatusCode::OK, "[{b}] {path}");
            assert!(page.body.contains(shows), "[{b}] {path} shows {shows}");
            assert!(page.body.contains(">Plant batches<"), "[{b}] the section");
            // Each page leads along the way from lot to package.
            assert!(
                page.body.contains("id=\"cultivation-links\""),
                "[{b}] {path}"
            );
        }
        // A lot's page, linked from the list: any of the demo's active lots.
        let lot = app
            .list(CULTIVATOR, "/plantbatches/v2/active")
            .await
            .into_iter()
            .next()
            .expect("an active lot in the demo");
        let at = lic(&format!("/plantbatches/{}", int_field(&lot, "Id")));
        let list = grower.get(&lic("/plantbatches")).await;
        assert!(
            list.body.contains(&format!("href=\"{at}\"")),
            "[{b}] linked"
        );
        let page = grower.get(&at).await;
        assert_eq!(page.status, StatusCode::OK, "[{b}] {at}");
        let name = str_field(&lot, "Name");
        assert!(page.body.contains(&format!("Lot {name}")), "[{b}]");
        assert!(page.body.contains("id=\"phase-form\""), "[{b}] its forms");
        // A distributor does not grow plants: no section, and the pages are not there.
        let dist = Browser::sign_in(app, DISTRIBUTOR).await;
        let home = dist.get(&format!("/ui/l/{DISTRIBUTOR}/dashboard")).await;
        assert!(!home.body.contains(">Plant batches<"), "[{b}]");
        for path in ["/plantbatches", "/plants", "/harvests"] {
            let own = dist.get(&format!("/ui/l/{DISTRIBUTOR}{path}")).await;
            assert_eq!(own.status, StatusCode::NOT_FOUND, "[{b}] {path}");
            let theirs = dist.get(&lic(path)).await;
            assert!(
                [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&theirs.status),
                "[{b}] {path}: {}",
                theirs.status
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_lot_is_planted_flowered_harvested_and_packaged_through_the_forms() {
    for_each_backend(async |app| {
        let b = app.backend;
        let web = Browser::sign_in(app, CULTIVATOR).await;
        let csrf = web.csrf.as_str();
        let clones = app
            .list(CULTIVATOR, "/packages/v2/active")
            .await
            .into_iter()
            .find(|p| p["Item"]["Name"] == "Sour Diesel Clones")
            .expect("the demo's package of clones");
        let clones = str_field(&clones, "Label");

        // A refused planting (rule 19: at most 100 plants) keeps what was typed.
        let plant = lic("/plantbatches/plant");
        let before = app.journal(CULTIVATOR).await.len();
        let refused = web
            .post(
                &plant,
                &[
                    ("csrf", csrf),
                    ("name", "Too-Big-Lot"),
                    ("type", "Clone"),
                    ("count", "500"),
                    ("strain", "Sour Diesel"),
                    ("location", "Greenhouse A"),
                    ("source_package", clones.as_str()),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::SEE_OTHER, "[{b}]");
        let page = web.get(&lic("/plantbatches")).await;
        assert!(page.body.contains("cannot exceed 100"), "[{b}] the rule");
        assert!(
            page.body.contains("value=\"Too-Big-Lot\""),
            "[{b}] as typed"
        );
        assert!(page.body.contains("value=\"500\""), "[{b}] as typed");
        assert_eq!(app.journal(CULTIVATOR).await.len(), before, "[{b}]");

        let planted = web
            .post(
                &plant,
                &[
                    ("csrf", csrf),
                    ("name", "Web-Lot"),
                    ("type", "Clone"),
                    ("count", "3"),
                    ("strain", "Sour Diesel"),
                    ("location", "Greenhouse A"),
                    ("source_package", clones.as_str()),
                ],
            )
            .await;
        assert_eq!(planted.status, StatusCode::SEE_OTHER, "[{b}]");
        let lot = find(app, "/plantbatches/v2/active", "Name", "Web-Lot").await;
        assert_eq!(int_field(&lot, "UntrackedCount"), 3, "[{b}] {lot}");

        // Two plants into flowering, each with its own tag from the starting tag (rule 20).
        let start = first_tag(app, "/tags/v2/plant/available").await;
        let phase = lic(&format!("/plantbatches/{}/phase", int_field(&lot, "Id")));
        let moved = web
            .post(
                &phase,
                &[
                    ("csrf", csrf),
                    ("count", "2"),
                    ("phase", "Flowering"),
                    ("starting_tag", start.as_str()),
                    ("location", "Greenhouse A"),
                ],
            )
            .await;
        assert_eq!(moved.status, StatusCode::SEE_OTHER, "[{b}]");
        let lot_page = lic(&format!("/plantbatches/{}", int_field(&lot, "Id")));
        assert_eq!(moved.location.as_deref(), Some(lot_page.as_str()), "[{b}]");
        // The lot's page says what was done and what is left.
        let page = web.get(&lot_page).await;
        assert!(
            page.body.contains("2 plants tagged and moved to flowering"),
            "[{b}]"
        );
        assert!(
            page.body.contains("id=\"count\"><strong>1</strong>"),
            "[{b}] one left"
        );
        let flowering: Vec<String> = app
            .list(CULTIVATOR, "/plants/v2/flowering")
            .await
            .into_iter()
            .filter(|p| str_field(p, "PlantBatchName") == "Web-Lot")
            .map(|p| str_field(&p, "Label"))
            .collect();
        assert_eq!(flowering.len(), 2, "[{b}]");
        assert!(flowering.contains(&start), "[{b}] the starting tag is used");
        let page = web.get(&lic("/plants?tab=flowering")).await;
        assert!(page.body.contains(&start), "[{b}] listed as flowering");
        let page = web.get(&lot_page).await;
        let tagged = element(&page.body, "id=\"lot-plants\"", "</table>");
        assert!(
            flowering.iter().all(|l| tagged.contains(l.as_str())),
            "[{b}] the lot names the plants tagged from it"
        );

        // Harvested, each plant with its wet weight.
        let (w0, w1) = (
            format!("weight_{}", flowering[0]),
            format!("weight_{}", flowering[1]),
        );
        let cut = web
            .post(
                &lic("/plants/harvest"),
                &[
                    ("csrf", csrf),
                    ("tab", "flowering"),
                    ("plant", flowering[0].as_str()),
                    ("plant", flowering[1].as_str()),
                    (w0.as_str(), "500"),
                    (w1.as_str(), "450.5"),
                    ("harvest_name", "Web-Harvest"),
                    ("unit_of_weight", "Grams"),
                    ("drying_location", "Drying Room"),
                ],
            )
            .await;
        assert_eq!(cut.status, StatusCode::SEE_OTHER, "[{b}]");
        let harvest = find(app, "/harvests/v2/active", "Name", "Web-Harvest").await;
        let id = int_field(&harvest, "Id");
        // On to the harvest's page, which names its plants.
        assert_eq!(
            cut.location.as_deref(),
            Some(lic(&format!("/harvests/{id}")).as_str()),
            "[{b}]"
        );
        let page = web.get(&lic(&format!("/harvests/{id}"))).await;
        assert_eq!(page.status, StatusCode::OK, "[{b}]");
        assert!(page.body.contains("950.5 Grams"), "[{b}] the wet weight");
        let plants = element(&page.body, "id=\"harvest-plants\"", "</table>");
        assert!(
            flowering.iter().all(|l| plants.contains(l.as_str())),
            "[{b}] {plants}"
        );

        // A package from it: its page names the harvest as its source.
        let tag = first_tag(app, "/tags/v2/package/available").await;
        let made = web
            .post(
                &lic(&format!("/harvests/{id}/package")),
                &[
                    ("csrf", csrf),
                    ("tag", tag.as_str()),
                    ("item", "Blue Dream Flower"),
                    ("weight", "900"),
                    ("unit", "Grams"),
                    ("location", "Vault"),
                ],
            )
            .await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "[{b}]");
        let to = made.location.expect("to the new package");
        assert!(to.contains("/packages/"), "[{b}] {to}");
        let page = web.get(&to).await;
        assert!(page.body.contains(&tag), "[{b}]");
        assert!(page.body.contains("Source harvests"), "[{b}]");
        assert!(page.body.contains("Web-Harvest"), "[{b}]");
        // And the harvest lists the package it made.
        let page = web.get(&lic(&format!("/harvests/{id}"))).await;
        let made = element(&page.body, "id=\"harvest-packages\"", "</table>");
        assert!(made.contains(&tag), "[{b}] {made}");

        // Finishing asks first, naming the harvest; confirmed, it leaves the active list.
        let finish = lic(&format!("/harvests/{id}/finish"));
        let asked = web.post(&finish, &[("csrf", csrf)]).await;
        assert_eq!(asked.status, StatusCode::OK, "[{b}] a confirmation page");
        assert!(asked.body.contains("Web-Harvest"), "[{b}]");
        // Unfinishing undoes it (rule 72): the page says so rather than "cannot be undone".
        assert!(asked.body.contains("until it is unfinished"), "[{b}]");
        assert!(!asked.body.contains("cannot be undone"), "[{b}]");
        let finished = web
            .post(&finish, &[("csrf", csrf), ("confirmed", "yes")])
            .await;
        assert_eq!(finished.status, StatusCode::SEE_OTHER, "[{b}]");
        let page = web.get(&lic("/harvests?tab=finished")).await;
        assert!(page.body.contains("Web-Harvest"), "[{b}] finished");

        // Every write named the web door and the form's address.
        let journal = app.journal(CULTIVATOR).await;
        for path in [
            plant,
            phase,
            lic("/plants/harvest"),
            lic(&format!("/harvests/{id}/package")),
            finish,
        ] {
            let entry = journal
                .iter()
                .find(|e| str_field(e, "Endpoint") == format!("POST {path}"))
                .unwrap_or_else(|| panic!("[{b}] an entry for {path}"));
            assert_eq!(str_field(entry, "Door"), "web", "[{b}] {entry}");
            assert!(!entry.to_string().contains(csrf), "[{b}] no token");
        }
    })
    .await;
}

#[tokio::test]
async fn a_lot_takes_its_sources_strain_and_destroying_its_plants_asks_first() {
    for_each_backend(async |app| {
        let b = app.backend;
        let web = Browser::sign_in(app, CULTIVATOR).await;
        let csrf = web.csrf.as_str();
        let clones = app
            .list(CULTIVATOR, "/packages/v2/active")
            .await
            .into_iter()
            .find(|p| p["Item"]["Name"] == "Sour Diesel Clones")
            .expect("the demo's package of clones");
        let strain = clones["Item"]["StrainName"]
            .as_str()
            .expect("clones of a strain")
            .to_string();
        let clones = str_field(&clones, "Label");

        // Rule 22: the lot names its source; left to the source, its strain is the source's.
        let planted = web
            .post(
                &lic("/plantbatches/plant"),
                &[
                    ("csrf", csrf),
                    ("name", "Source-Strain-Lot"),
                    ("type", "Clone"),
                    ("count", "2"),
                    ("strain", ""),
                    ("location", "Greenhouse A"),
                    ("source_package", clones.as_str()),
                ],
            )
            .await;
        assert_eq!(planted.status, StatusCode::SEE_OTHER, "[{b}]");
        let lot = find(app, "/plantbatches/v2/active", "Name", "Source-Strain-Lot").await;
        assert_eq!(str_field(&lot, "StrainName"), strain, "[{b}] {lot}");
        let id = int_field(&lot, "Id");

        // Destroying plants of the lot asks first, naming the lot, and writes nothing until
        // confirmed; confirmed, its waste is recorded with it (rule 17).
        let destroy = lic(&format!("/plantbatches/{id}/destroy"));
        let form = [
            ("csrf", csrf),
            ("count", "1"),
            ("method", "Compost"),
            ("weight", "4"),
            ("unit", "Grams"),
            ("reason", "Male Plants"),
        ];
        let before = app.journal(CULTIVATOR).await.len();
        let asked = web.post(&destroy, &form).await;
        assert_eq!(asked.status, StatusCode::OK, "[{b}] a confirmation page");
        assert!(asked.body.contains("Source-Strain-Lot"), "[{b}]");
        assert!(asked.body.contains("cannot be undone"), "[{b}]");
        assert_eq!(app.journal(CULTIVATOR).await.len(), before, "[{b}]");
        let mut confirmed = form.to_vec();
        confirmed.push(("confirmed", "yes"));
        let done = web.post(&destroy, &confirmed).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "[{b}]");
        let at = lic(&format!("/plantbatches/{id}"));
        assert_eq!(done.location.as_deref(), Some(at.as_str()), "[{b}]");
        let page = web.get(&at).await;
        assert!(
            page.body.contains("Plants destroyed"),
            "[{b}] {}",
            page.body
        );
        let lot = find(app, "/plantbatches/v2/active", "Name", "Source-Strain-Lot").await;
        assert_eq!(int_field(&lot, "UntrackedCount"), 1, "[{b}] {lot}");
    })
    .await;
}
