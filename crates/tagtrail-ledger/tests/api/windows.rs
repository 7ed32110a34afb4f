//! `lastModified` windows under concurrent writes: a client walking back-to-back windows sees
//! every acknowledged record exactly once (issue 8; seed 003 on clock-drift misses).

use crate::helpers::*;
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Sixteen writers create strains as fast as the ledger takes them while a poller walks
/// `lastModifiedStart..lastModifiedEnd` windows back to back, each starting one microsecond after
/// the last one ended (no overlap), paging through each. Every strain a writer saw acknowledged
/// is seen by the poller, and none twice. Before the clock was read inside the write turn and
/// windows ended at the committed horizon, about half were missed.
#[tokio::test]
async fn windows_see_every_acknowledged_record_exactly_once() {
    for_each_backend(async |app| {
        let (base, vendor, user) = (
            app.base_url.clone(),
            app.creds.vendor_key.clone(),
            app.user_key(MANUFACTURER).to_string(),
        );
        let started = Utc::now() - TimeDelta::seconds(1);
        let writing = Arc::new(AtomicBool::new(true));
        let mut writers = Vec::new();
        for w in 0..16 {
            let (http, base, vendor, user) =
                (app.http.clone(), base.clone(), vendor.clone(), user.clone());
            writers.push(tokio::spawn(async move {
                let mut acked = Vec::new();
                for n in 0..25 {
                    let body = json!([{"Name": format!("Race {w}-{n}"), "TestingStatus": "None"}]);
                    let r = http
                        .post(format!("{base}/strains/v2?licenseNumber={MANUFACTURER}"))
                        .basic_auth(&vendor, Some(&user))
                        .json(&body)
                        .send()
                        .await
                        .expect("the write is answered");
                    assert!(r.status().is_success(), "{}", r.status());
                    let v: Value = r.json().await.expect("Ids");
                    acked.extend(
                        v["Ids"]
                            .as_array()
                            .expect("Ids")
                            .iter()
                            .filter_map(Value::as_i64),
                    );
                }
                acked
            }));
        }
        let poller = {
            let (http, writing) = (app.http.clone(), writing.clone());
            tokio::spawn(async move {
                let mut seen: HashMap<i64, usize> = HashMap::new();
                let mut start = started;
                let mut last_round = false;
                loop {
                    let done = !writing.load(Ordering::SeqCst);
                    let end = Utc::now();
                    let mut page = 1;
                    loop {
                        let r = http
                            .get(format!("{base}/strains/v2/active"))
                            .query(&[
                                ("licenseNumber", MANUFACTURER),
                                ("lastModifiedStart", &iso(start)),
                                ("lastModifiedEnd", &iso(end)),
                                ("pageSize", "20"),
                                ("pageNumber", &page.to_string()),
                            ])
                            .basic_auth(&vendor, Some(&user))
                            .send()
                            .await
                            .expect("the poll is answered");
                        assert!(r.status().is_success(), "{}", r.status());
                        let v: Value = r.json().await.expect("a page");
                        for s in v["Data"].as_array().expect("Data") {
                            if str_field(s, "Name").starts_with("Race ") {
                                *seen.entry(int_field(s, "Id")).or_default() += 1;
                            }
                        }
                        if page >= v["TotalPages"].as_i64().unwrap_or(0) {
                            break;
                        }
                        page += 1;
                    }
                    start = end + TimeDelta::microseconds(1);
                    if last_round {
                        return seen;
                    }
                    // One more window after the writers stop covers the last acknowledgements.
                    last_round = done;
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
            })
        };
        let mut acked = Vec::new();
        for w in writers {
            acked.extend(w.await.expect("a writer"));
        }
        writing.store(false, Ordering::SeqCst);
        let seen = poller.await.expect("the poller");
        assert_eq!(acked.len(), 16 * 25);
        let missed: Vec<&i64> = acked.iter().filter(|id| !seen.contains_key(id)).collect();
        let twice: Vec<(&i64, &usize)> = seen.iter().filter(|(_, n)| **n > 1).collect();
        assert!(
            missed.is_empty() && twice.is_empty(),
            "[{}] {} of {} acknowledged strains never seen, {} seen more than once",
            app.backend,
            missed.len(),
            acked.len(),
            twice.len()
        );
        assert_eq!(
            seen.len(),
            acked.len(),
            "[{}] nothing else was seen",
            app.backend
        );
    })
    .await;
}
