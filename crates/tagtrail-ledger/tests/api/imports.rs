//! The Data Import page over the API (rule 73: CSV rows pass the same validation as API objects,
//! errors per row; bulletin V–VII): an upload is validated by the plantings action itself, a bad
//! line is named and nothing is applied, a good file is previewed and then applied all or
//! nothing, one journal entry per 10 rows. Also at 50,000 rows, in the background.

use crate::helpers::*;
use crate::plantbatches::clones;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const HEADER: &str = "Name,Type,Count,Strain,Location,SourcePackage,ActualDate";

fn planting(name: &str, count: i64, strain: &str, source: &str) -> String {
    format!("{name},Clone,{count},{strain},Greenhouse A,{source},2026-01-05")
}

async fn upload(app: &TestApp, csv: &str) -> Resp {
    app.post(CULTIVATOR, "/tagtrail/v1/imports", json!(null))
        .query("type", "plantings")
        .query("fileName", "plantings.csv")
        .raw_body(csv)
        .send()
        .await
}

fn id_of(r: &Resp) -> i64 {
    let loc = r
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{}: no Location", r.what));
    loc.rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{}: Location {loc}", r.what))
}

/// The upload `id` once its run has ended (the run is in the background).
async fn settled(app: &TestApp, id: i64) -> Value {
    let until = Instant::now() + Duration::from_secs(900);
    loop {
        let v = app
            .get(CULTIVATOR, &format!("/tagtrail/v1/imports/{id}"))
            .send()
            .await
            .ok()
            .json();
        let status = str_field(&v, "Status");
        if status != "validating" && status != "applying" {
            return v;
        }
        assert!(Instant::now() < until, "import {id} still {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn apply(app: &TestApp, id: i64) -> Value {
    let r = app
        .post(
            CULTIVATOR,
            &format!("/tagtrail/v1/imports/{id}/apply"),
            json!(null),
        )
        .send()
        .await;
    assert!(r.status == 200 || r.status == 202, "{}: {}", r.what, r.body);
    settled(app, id).await
}

async fn batch_names(app: &TestApp) -> Vec<String> {
    app.names(CULTIVATOR, "/plantbatches/v2/active").await
}

#[tokio::test]
async fn rule_73_a_bad_line_is_named_and_nothing_is_applied_then_the_good_file_applies() {
    for_each_backend(async |app| {
        let source = clones(app, 30).await;
        let before = app.journal(CULTIVATOR).await.len();
        let bad = [
            HEADER.to_string(),
            planting("Import A", 10, "Sour Diesel", &source),
            planting("Import B", 10, "No Such Strain", &source),
            planting("Import C", 10, "Sour Diesel", &source),
        ]
        .join("\n");
        let r = upload(app, &bad).await.status(400);
        let rows = r.rows();
        assert_eq!(rows.len(), 1, "{}", r.body);
        assert_eq!(rows[0].0, 1, "the second data row");
        assert!(rows[0].1.starts_with("Line 3: "), "{}", rows[0].1);
        assert!(
            rows[0].1.contains("No Such Strain"),
            "the API's own message: {}",
            rows[0].1
        );
        let failed = settled(app, id_of(&r)).await;
        assert_eq!(str_field(&failed, "StatusText"), "Failed: 1 error");
        assert_eq!(
            app.journal(CULTIVATOR).await.len(),
            before,
            "nothing applied"
        );
        assert!(!batch_names(app).await.contains(&"Import A".to_string()));

        // A shape problem (a count that is not a number) is named by line too.
        let r = upload(
            app,
            &format!("{HEADER}\nX,Clone,ten,Sour Diesel,Greenhouse A,{source},2026-01-05\n"),
        )
        .await
        .status(400);
        assert!(
            r.rows()[0].1.starts_with("Line 2: Count \"ten\""),
            "{}",
            r.body
        );

        let good = [
            HEADER.to_string(),
            planting("Import A", 10, "Sour Diesel", &source),
            planting("Import C", 10, "Sour Diesel", &source),
        ]
        .join("\n");
        let r = upload(app, &good).await.ok();
        let v = r.json();
        assert_eq!(str_field(&v, "Status"), "ready");
        assert_eq!(str_field(&v, "StatusText"), "Ready to apply");
        let preview = &v["Preview"];
        assert_eq!(preview["Rows"], json!(2));
        assert_eq!(preview["Changes"][0]["Line"], json!(2));
        assert_eq!(
            preview["Changes"][0]["Target"],
            json!("New plant batch Import A")
        );
        assert_eq!(
            preview["Totals"][0],
            json!(format!(
                "20 plant(s) in 2 new batch(es) from package {source}"
            ))
        );
        assert_eq!(
            app.journal(CULTIVATOR).await.len(),
            before,
            "a preview writes nothing"
        );

        let id = id_of(&r);
        let done = apply(app, id).await;
        assert_eq!(str_field(&done, "StatusText"), "Applied");
        let first = done["JournalFirst"].as_i64().expect("entries");
        assert_eq!(
            done["JournalLast"].as_i64(),
            Some(first),
            "two rows: one group"
        );
        let names = batch_names(app).await;
        assert!(names.contains(&"Import A".to_string()) && names.contains(&"Import C".to_string()));
        let head = app.journal_head(CULTIVATOR).await;
        assert_eq!(str_field(&head, "Door"), "import");
        assert_eq!(str_field(&head, "Action"), "Create plantings");
        assert_eq!(head["Request"]["Lines"], json!([2, 3]));
        assert_eq!(head["Request"]["FileName"], json!("plantings.csv"));

        // Applied once only.
        let again = app
            .post(
                CULTIVATOR,
                &format!("/tagtrail/v1/imports/{id}/apply"),
                json!(null),
            )
            .send()
            .await
            .status(409);
        assert!(again.message().contains("ready to apply"), "{}", again.body);
        let grid = app.list(CULTIVATOR, "/tagtrail/v1/imports").await;
        assert_eq!(grid.len(), 3);
        assert_eq!(str_field(&grid[0], "Status"), "applied");
    })
    .await;
}

#[tokio::test]
async fn rule_73_an_unknown_type_or_a_caller_who_may_not_plant_is_refused() {
    for_each_backend(async |app| {
        let r = app
            .post(CULTIVATOR, "/tagtrail/v1/imports", json!(null))
            .query("type", "sales")
            .raw_body("a,b\n")
            .send()
            .await
            .status(400);
        assert!(r.message().contains("plantings"), "{}", r.body);
        // A distributor does not grow plants: the action's capability refuses it.
        let r = app
            .post(DISTRIBUTOR, "/tagtrail/v1/imports", json!(null))
            .query("type", "plantings")
            .raw_body(HEADER)
            .send()
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
    })
    .await;
}

/// 50,000 rows (one per new batch, drawn from one package of clones): one bad line refuses the
/// whole file and names the line; without it every row is applied, 5,000 journal entries in one
/// transaction. (Plantings stand in for additive rows, whose import type is not built yet.)
#[tokio::test]
async fn rule_73_fifty_thousand_rows_with_one_bad_line_then_without_it() {
    // On SQLite only: the smaller import tests run the same code on PostgreSQL, and 50,000 rows
    // take minutes in a debug build on each backend. (Empty when the PostgreSQL run skips SQLite.)
    for backend in backends()
        .into_iter()
        .filter(|b| matches!(b, Backend::Sqlite))
    {
        let started = TestApp::start(&backend, test_config()).await;
        let app = &started;
        const N: usize = 50_000;
        let source = clones(app, N as i64).await;
        let before = app.journal(CULTIVATOR).await.len();
        let mut lines = vec![HEADER.to_string()];
        for i in 0..N {
            lines.push(planting(&format!("Bulk {i:05}"), 1, "Sour Diesel", &source));
        }
        let bad_at = 31_337; // index in `lines`: file line 31,338
        let kept = std::mem::replace(
            &mut lines[bad_at],
            planting("Bulk bad", 101, "Sour Diesel", &source),
        );
        let r = upload(app, &lines.join("\n")).await;
        let id = match r.status {
            400 => id_of(&r),
            202 => id_of(&r),
            s => panic!("{}: {s} {}", r.what, r.body),
        };
        let failed = settled(app, id).await;
        assert_eq!(str_field(&failed, "Status"), "failed", "{failed}");
        let errors = failed["Errors"].as_array().expect("errors").clone();
        assert_eq!(errors.len(), 1, "{failed}");
        let msg = errors[0].as_str().unwrap_or_default();
        assert!(
            msg.starts_with("Line 31338: ") && msg.contains("100"),
            "{msg}"
        );
        assert_eq!(
            app.journal(CULTIVATOR).await.len(),
            before,
            "nothing applied"
        );

        lines[bad_at] = kept;
        let r = upload(app, &lines.join("\n")).await;
        assert!(r.status == 200 || r.status == 202, "{}: {}", r.what, r.body);
        let ready = settled(app, id_of(&r)).await;
        assert_eq!(str_field(&ready, "Status"), "ready", "{ready}");
        assert_eq!(ready["Rows"], json!(N));
        let done = apply(app, id_of(&r)).await;
        assert_eq!(str_field(&done, "Status"), "applied", "{done}");
        let (first, last) = (
            done["JournalFirst"].as_i64().unwrap_or_default(),
            done["JournalLast"].as_i64().unwrap_or_default(),
        );
        assert_eq!(last - first + 1, (N / 10) as i64, "one entry per 10 rows");
        let pkg = app
            .get(CULTIVATOR, &format!("/packages/v2/{source}"))
            .send()
            .await
            .ok()
            .json();
        assert_eq!(
            pkg["Quantity"].as_f64(),
            Some(0.0),
            "every clone planted: {pkg}"
        );
        started.finish().await;
    }
}
