//! The laboratory's writes on a sample: recording results (each with the outcome the user
//! chose, and the certificate), and releasing them, which asks first.

use super::sample::{COA_NAME, release_consequence};
use super::seen;
use crate::WebState;
use crate::confirm;
use crate::error::WebError;
use crate::fields::{Fields, Posted};
use crate::flash::{Typed, reply};
use crate::frame::Frame;
use crate::session::Signed;
use crate::urls::segment;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use rust_decimal::Decimal;
use tagtrail_app::actions::lab::{NewDocument, Record, Release, SampleResults};
use tagtrail_domain::commands::lab::{RecordSpec, ResultSpec};
use tagtrail_domain::permission::Permission;
use tagtrail_domain::reference::LAB_TEST_TYPES;

fn sample_path(license: &str, id: i64) -> String {
    format!("/ui/l/{}/labsamples/{id}", segment(license))
}

/// The results the form states: one per test with a value, its outcome as chosen. Every
/// problem is named by its test, so that it shows under that test.
fn results_of(form: &Fields) -> Result<Vec<ResultSpec>, Vec<String>> {
    let (mut out, mut problems) = (Vec::new(), Vec::new());
    for t in LAB_TEST_TYPES {
        let typed = form.text(&format!("q_{}", t.id));
        let outcome = form.text(&format!("o_{}", t.id));
        let Some(v) = typed else {
            if outcome.is_some() {
                problems.push(format!(
                    "{}: type its result, or choose Not tested.",
                    t.name
                ));
            }
            continue;
        };
        let Ok(quantity) = v.parse::<Decimal>() else {
            problems.push(format!(
                "{}: {v} is not a number (type it as 0.05, with a point).",
                t.name
            ));
            continue;
        };
        // An informational result is reported, never passed or failed.
        let passed = match (t.informational_only, outcome.as_deref()) {
            (true, _) => true,
            (false, Some("passed")) => true,
            (false, Some("failed")) => false,
            (false, _) => {
                problems.push(format!(
                    "{}: choose Passed or Failed for the result {v} {}.",
                    t.name, t.unit
                ));
                continue;
            }
        };
        out.push(ResultSpec {
            test_type: Some(t.name.into()),
            quantity: Some(quantity),
            passed: Some(passed),
            notes: None,
        });
    }
    if out.is_empty() && problems.is_empty() {
        problems.push("Enter at least one result: its value and its outcome.".into());
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// The label of the sample `id` the laboratory `license` holds, as the action `A` sees it.
async fn label_of<A: tagtrail_app::Action>(
    s: &WebState,
    signed: &Signed,
    license: &str,
    id: i64,
) -> Result<String, WebError> {
    let scope = s
        .ledger
        .authorize_for(&signed.acting, license, &A::DEF)
        .await?;
    Ok(s.ledger.package_seen(&scope, id).await?.label.to_string())
}

/// Records the results the form states, with the certificate if one was chosen (the rules on
/// it, a PDF of at most 5 MB, are the domain's). A refused entry keeps every value and outcome,
/// and the name of the certificate that had been chosen.
pub async fn record(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    posted: Posted,
) -> Response {
    let back = sample_path(&license, id);
    let mut typed = Typed::of(&posted.path, &posted.fields);
    if let Some(coa) = posted.fields.file("coa") {
        typed
            .fields
            .push((COA_NAME.to_string(), coa.file_name.clone()));
    }
    let result = async {
        let label = label_of::<Record>(&s, &signed, &license, id).await?;
        let results = results_of(&posted.fields).map_err(|messages| WebError {
            status: StatusCode::BAD_REQUEST,
            messages,
        })?;
        let document = posted.fields.file("coa").map(|f| NewDocument {
            file_name: Some(f.file_name.clone()),
            bytes: f.bytes.clone(),
        });
        let request = vec![SampleResults {
            spec: RecordSpec {
                label: Some(label.clone()),
                result_date: None,
                document: None,
                results,
            },
            document,
        }];
        let w = s
            .ledger
            .run_as::<Record>(&signed.acting, &license, posted.door(None), &request)
            .await?;
        Ok(format!(
            "{} result(s) recorded for {label} (journal entry {}). Release them when they are checked.",
            w.ids.len(),
            w.seq
        ))
    }
    .await;
    reply(&s, &signed, &back, result, Some(typed)).await
}

/// Releases the sample's results: asked first, naming the sample, who will see the results and
/// the state the sample and its lot take.
pub async fn release(
    State(s): State<WebState>,
    signed: Signed,
    Path((license, id)): Path<(String, i64)>,
    posted: Posted,
) -> Response {
    let back = sample_path(&license, id);
    if !confirm::confirmed(&posted) {
        let asked = async {
            let f = Frame::of(&s, signed.clone(), &license, &[Permission::ViewPackages]).await?;
            let x = seen(&s, &f, id).await?;
            Ok::<_, WebError>(release_consequence(&x))
        }
        .await;
        return match asked {
            Ok(consequence) => confirm::ask(&posted, "Release results", &consequence, &back),
            Err(e) => reply(&s, &signed, &back, Err(e), None).await,
        };
    }
    let result = async {
        let label = label_of::<Release>(&s, &signed, &license, id).await?;
        let w = s
            .ledger
            .run_as::<Release>(
                &signed.acting,
                &license,
                posted.door(None),
                &vec![Some(label.clone())],
            )
            .await?;
        Ok(format!(
            "Results for {label} released (journal entry {}): the sender now sees them.",
            w.seq
        ))
    }
    .await;
    reply(&s, &signed, &back, result, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(body: &str) -> Fields {
        Fields::urlencoded(body.as_bytes())
    }

    /// Issue 9: no outcome is assumed. A value without an outcome, or an outcome without a value,
    /// is named by its test; informational tests are reported without one.
    #[test]
    fn every_result_needs_an_outcome_chosen() {
        let problems = results_of(&form("q_5=0.01&o_5=&q_2=0.1&o_7=failed")).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("Moisture Content: choose Passed or Failed"));
        assert!(problems[1].starts_with("Pesticides: choose Passed or Failed"));
        assert!(problems[2].starts_with("Mycotoxins: type its result"));
        let ok = results_of(&form("q_5=0.01&o_5=failed&q_1=9.8&q_2=0.1&o_2=passed")).unwrap();
        let got: Vec<(String, Option<bool>)> = ok
            .iter()
            .map(|r| (r.test_type.clone().unwrap_or_default(), r.passed))
            .collect();
        assert_eq!(
            got,
            [
                ("Cannabinoids".to_string(), Some(true)),
                ("Moisture Content".to_string(), Some(true)),
                ("Pesticides".to_string(), Some(false)),
            ]
        );
        assert!(results_of(&form("q_5=abc&o_5=passed")).unwrap_err()[0].contains("not a number"));
        assert!(results_of(&form("o_5=")).unwrap_err()[0].contains("at least one result"));
    }
}
