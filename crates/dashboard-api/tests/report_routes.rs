//! Success paths of the published files: the open-data exports, the written reports and
//! the live report page, and the open routes (OpenAPI document, health, metrics), in
//! process over hand-made rows.

mod support;

use std::collections::BTreeMap;

use civicpulse_store::tables::feedback::AnswerCounts;
use civicpulse_store::tables::offered::OfferVolumes;
use civicpulse_store::tables::report_runs::{ReportRunRow, SUCCEEDED};
use civicpulse_testkit::rows::closed_summary;
use support::*;

/// September 2026 of the passport services.
///
/// In person: 40 answers, 32 satisfied → 80.0 %; 200 transactions; the processing
/// standard: 20 cases closed, 19 met → 95.0 %. By mail: 6 answers, too few → withheld.
fn september() -> Tables {
    Tables {
        answer_sums: vec![
            answers(PASSPORT, "2026-09-01", "", 40, 32),
            answers(BY_MAIL, "2026-09-01", "", 6, 5),
        ],
        activity_sums: vec![activity(PASSPORT, "2026-09-01", 200, 0, 0)],
        summaries: vec![closed_summary(PASSPORT, "processing", 19, 1)],
        ..Tables::default()
    }
}

/// The CSV's one data row as (column, value) pairs, after the header.
fn only_record(csv: &str) -> BTreeMap<String, String> {
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().expect("a header").clone();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1, "{csv}");
    headers
        .iter()
        .zip(records[0].iter())
        .map(|(h, v)| (h.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn the_gc_service_standard_export_states_the_year_performance() {
    let app = app(september());
    let answer = get_as(
        &app,
        "/api/v1/exports/gc-service-std?period=2026-2027&service_id=passport-in-person",
        None,
    )
    .await;
    assert_eq!(
        answer.header("content-disposition"),
        Some("attachment; filename=\"service-std-2026-2027.csv\"")
    );
    let body = answer.text();
    let csv = body
        .strip_prefix('\u{feff}')
        .expect("the inventory's files start with a BOM");
    let record = only_record(csv);
    assert_eq!(record["fiscal_yr"], "2026-2027");
    assert_eq!(record["service_name_fr"], "Passeport, demande en personne");
    assert_eq!(record["service_standard_id"], "STAN0101");
    assert_eq!(record["target"], "0.9");
    // 19 of 20 within the standard: 0.95, at or above the 0.9 target.
    assert_eq!(record["volume_meeting_target"], "19");
    assert_eq!(record["total_volume"], "20");
    assert_eq!(record["performance"], "0.95");
    assert_eq!(record["target_met"], "Y");
}

#[tokio::test]
async fn the_a11_export_counts_answers_per_point() {
    // October 2026 (federal FY2027 Q1) at the counter: 120 served, 60 offered the survey,
    // 40 answered; satisfaction 1–5 given by 1, 2, 3, 10 and 24 people.
    let mut points = vec![0; 7 * 5];
    points[..5].copy_from_slice(&[1, 2, 3, 10, 24]);
    let app = app(Tables {
        offer_volumes: BTreeMap::from([(
            PASSPORT.to_string(),
            vec![OfferVolumes {
                stage: "application".into(),
                channel: "in_person".into(),
                transactions: 120,
                surveys_offered: 60,
            }],
        )]),
        answer_counts: BTreeMap::from([(
            PASSPORT.to_string(),
            vec![AnswerCounts {
                stage: "application".into(),
                channel: "in_person".into(),
                responses: 40,
                points,
            }],
        )]),
        ..Tables::default()
    });
    let csv = get_as(
        &app,
        "/api/v1/exports/omb-a11?period=FY2027-Q1&service_id=passport-in-person",
        None,
    )
    .await
    .text()
    .to_string();
    let record = only_record(&csv);
    assert_eq!(record["service_provided"], PASSPORT_NAME);
    // A stage the catalog lists, and the CX collection's channel code.
    assert_eq!(record["transaction_point"], "application");
    assert_eq!(record["channel"], "in_person");
    assert_eq!(record["volume_of_customers"], "120");
    assert_eq!(
        record["volume_of_customers_provided_survey_opportunity"],
        "60"
    );
    assert_eq!(record["volume_of_respondents"], "40");
    assert_eq!(
        record["q1_text"],
        "I am satisfied with the service I received from Employment and Social Development Canada."
    );
    let q1: Vec<&str> = (1..=5)
        .map(|p| record[&format!("q1_{p}")].as_str())
        .collect();
    assert_eq!(q1, ["1", "2", "3", "10", "24"]);
}

#[tokio::test]
async fn the_govuk_kpis_give_transactions_ratings_and_a_satisfaction_score() {
    // Ratings 1–5 by 1, 2, 3, 10, 24 people: mean (1 + 4 + 9 + 40 + 120) / 40 = 4.35,
    // score (4.35 − 1) / 4 = 0.8375.
    let mut tables = september();
    let mut points = vec![0; 7 * 5];
    points[..5].copy_from_slice(&[1, 2, 3, 10, 24]);
    tables.answer_counts = BTreeMap::from([(
        PASSPORT.to_string(),
        vec![AnswerCounts {
            stage: "apply".into(),
            channel: "in_person".into(),
            responses: 40,
            points,
        }],
    )]);
    let app = app(tables);
    let answer = get_as(
        &app,
        "/api/v1/exports/govuk-kpis?period=2026-09&service_id=passport-in-person",
        None,
    )
    .await;
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let records = answer.json();
    assert_eq!(records.as_array().unwrap().len(), 1, "{records}");
    let record = &records[0];
    assert_eq!(record["_id"], "2026-09-01_2026-10-01_passport-in-person");
    assert_eq!(record["_timestamp"], "2026-09-01T00:00:00-04:00");
    assert_eq!(record["end_at"], "2026-10-01T00:00:00-04:00");
    assert_eq!(record["number_of_transactions"], 200);
    assert_eq!(record["rating_5"], 24);
    assert_eq!(record["num_responses"], 40);
    close(&record["score"], 0.8375);
    // A counter service has no digital channel: no take-up rather than 0.
    assert_eq!(record["digital_takeup"], serde_json::Value::Null);
}

fn run(dir: &std::path::Path) -> ReportRunRow {
    ReportRunRow {
        period: "2026-09".into(),
        lang: "fr".into(),
        schedule: "monthly".into(),
        attempt_at: time("2026-10-01T06:00:00Z"),
        status: SUCCEEDED.into(),
        dir: dir.to_string_lossy().into_owned(),
        files: vec!["report.html".into(), "figures.json".into()],
        checksums: vec!["aa".into(), "bb".into()],
        latest_event_stored: time("2026-10-01T05:59:00Z"),
        consumer_lag: 0,
        error: String::new(),
        revision: 1,
        data_cut_off: time("2026-10-01T05:59:00Z"),
        figures_sha256: "cc".into(),
        changed_figures: 0,
    }
}

#[tokio::test]
async fn written_reports_are_listed_and_their_files_served() {
    let dir = tempfile::tempdir().unwrap();
    let page = "<h1>Rapport sur le rendement des services, septembre 2026</h1>";
    std::fs::write(dir.path().join("report.html"), page).unwrap();
    let app = app(Tables {
        report_runs: vec![run(dir.path())],
        ..Tables::default()
    });

    let runs = get_json(&app, "/api/v1/reports").await;
    let written = row(&runs, &[("period", "2026-09"), ("lang", "fr")]);
    assert_eq!(written["status"], "succeeded");
    assert_eq!(written["schedule"], "monthly");
    // Lists stay flat for CSV and Grafana: separated by spaces, in the same order.
    assert_eq!(written["files"], "report.html figures.json");
    // Each run's files where that revision stays served, whatever is published later.
    assert_eq!(
        written["urls"],
        "/api/v1/reports/2026-09/fr/revisions/1/report.html /api/v1/reports/2026-09/fr/revisions/1/figures.json"
    );
    assert_eq!(written["latest_event_stored"], "2026-10-01T05:59:00Z");
    assert_eq!(written["revision"], 1);
    assert_eq!(written["data_cut_off"], "2026-10-01T05:59:00Z");

    let file = get_as(&app, "/api/v1/reports/2026-09/fr/report.html", None).await;
    assert_eq!(
        file.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(file.text(), page);
    // A file the run lists but the folder lacks, and one it does not list: not found.
    for missing in ["figures.json", "other.html"] {
        let answer = get_as(&app, &format!("/api/v1/reports/2026-09/fr/{missing}"), None).await;
        assert_eq!(
            answer.status,
            axum::http::StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}

#[tokio::test]
async fn the_latest_link_serves_the_latest_revision_and_each_revision_stays_served() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    std::fs::write(first.path().join("report.html"), "<p>Revision 1</p>").unwrap();
    std::fs::write(second.path().join("report.html"), "<p>Revision 2</p>").unwrap();
    std::fs::write(second.path().join("changes.json"), "{\"number\": 2}").unwrap();
    let revised = ReportRunRow {
        attempt_at: time("2026-10-08T06:00:00Z"),
        dir: second.path().to_string_lossy().into_owned(),
        files: vec!["report.html".into(), "changes.json".into()],
        checksums: vec!["dd".into(), "ee".into()],
        revision: 2,
        data_cut_off: time("2026-10-08T05:30:00Z"),
        figures_sha256: "ff".into(),
        changed_figures: 3,
        ..run(first.path())
    };
    let app = app(Tables {
        report_runs: vec![run(first.path()), revised],
        ..Tables::default()
    });

    let latest = get_as(&app, "/api/v1/reports/2026-09/fr/report.html", None).await;
    assert_eq!(latest.text(), "<p>Revision 2</p>");
    let changes = get_as(&app, "/api/v1/reports/2026-09/fr/changes.json", None).await;
    assert_eq!(changes.header("content-type"), Some("application/json"));
    let earlier = get_as(
        &app,
        "/api/v1/reports/2026-09/fr/revisions/1/report.html",
        None,
    )
    .await;
    assert_eq!(earlier.text(), "<p>Revision 1</p>");
    let again = get_as(
        &app,
        "/api/v1/reports/2026-09/fr/revisions/2/report.html",
        None,
    )
    .await;
    assert_eq!(again.text(), "<p>Revision 2</p>");
    // Revision 1 had no changes.json, and there is no third revision.
    for missing in [
        "/api/v1/reports/2026-09/fr/revisions/1/changes.json",
        "/api/v1/reports/2026-09/fr/revisions/3/report.html",
        "/api/v1/reports/2026-09/fr/revisions/two/report.html",
    ] {
        let answer = get_as(&app, missing, None).await;
        assert_eq!(
            answer.status,
            axum::http::StatusCode::NOT_FOUND,
            "{missing}"
        );
    }

    let runs = get_json(&app, "/api/v1/reports").await;
    let newest = &runs.as_array().unwrap()[0];
    assert_eq!(newest["revision"], 2);
    assert_eq!(newest["changed_figures"], 3);
    assert_eq!(newest["data_cut_off"], "2026-10-08T05:30:00Z");
    assert_eq!(
        newest["urls"],
        "/api/v1/reports/2026-09/fr/revisions/2/report.html /api/v1/reports/2026-09/fr/revisions/2/changes.json"
    );
}

#[tokio::test]
async fn the_live_report_shows_the_period_figures_in_english_and_french() {
    let app = app(september());
    let english = get_as(&app, "/reports/2026-09", None).await;
    assert_eq!(
        english.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = english.text();
    assert!(html.contains("<html lang=\"en\""), "{html}");
    assert!(html.contains("Service performance report"), "{html}");
    assert!(html.contains(PASSPORT_NAME), "{html}");
    // 32 of 40 satisfied, and 19 of 20 within the standard.
    assert!(html.contains(">80.0%<"), "{html}");
    assert!(html.contains(">95.0%<"), "{html}");
    // By mail: 6 answers, every figure withheld, and the reader is told why.
    assert!(
        html.contains(
            "Every figure of this service rests on fewer than 10 observations and is withheld."
        ),
        "{html}"
    );

    let french = get_as(&app, "/reports/2026-09?lang=fr", None).await;
    let html = french.text();
    assert!(html.contains("<html lang=\"fr\""), "{html}");
    assert!(
        html.contains("Rapport sur le rendement des services"),
        "{html}"
    );
    assert!(html.contains(">80,0\u{202f}%<"), "{html}");
    assert!(
        html.contains(
            "Chaque chiffre de ce service repose sur moins de 10 observations et est supprimé."
        ),
        "{html}"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = app(Tables::default());
    let doc = get_json(&app, "/api/v1/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/services",
        "/api/v1/matrix",
        "/api/v1/matrix/snapshots",
        "/api/v1/timeseries",
        "/api/v1/interventions",
        "/api/v1/sla/cases",
        "/api/v1/sla/summary",
        "/api/v1/sla/remissions",
        "/api/v1/sla/forecast",
        "/api/v1/sla/exceptions",
        "/api/v1/feedback/comments",
        "/api/v1/exports/gc-service-std",
        "/api/v1/exports/omb-a11",
        "/api/v1/exports/govuk-kpis",
        "/api/v1/reports",
        "/api/v1/reports/{period}/{lang}/{file}",
        "/api/v1/reports/{period}/{lang}/revisions/{revision}/{file}",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    // The deprecated alias answers but is not part of the contract.
    assert!(!paths.contains_key("/api/v1/innovations"), "{doc}");
}

#[tokio::test]
async fn healthz_answers_ok() {
    let app = app(Tables::default());
    assert_eq!(get_as(&app, "/healthz", None).await.text(), "ok");
}

#[tokio::test]
async fn metrics_show_the_stored_sla_and_matrix_figures() {
    // The gauges read the state's stores: 19 of 20 met → compliance 0.95 (the store
    // answers the 30-day window with it); 32 of 40 satisfied this month → 0.8.
    let app = app(september());
    let answer = get_as(&app, "/metrics", None).await;
    assert_eq!(
        answer.header("content-type"),
        Some("text/plain; version=0.0.4")
    );
    let text = answer.text();
    let line = |name: &str, labels: &str| -> Option<String> {
        text.lines()
            .find(|l| l.starts_with(&format!("{name}{{{labels}}} ")))
            .map(str::to_string)
    };
    assert_eq!(
        line(
            "civicpulse_sla_compliance_ratio",
            "policy=\"processing\",service_id=\"passport-in-person\""
        )
        .as_deref(),
        Some("civicpulse_sla_compliance_ratio{policy=\"processing\",service_id=\"passport-in-person\"} 0.95"),
        "{text}"
    );
    assert_eq!(
        line(
            "civicpulse_matrix_value",
            "dimension=\"satisfaction_top2_share\",service_id=\"passport-in-person\""
        )
        .as_deref(),
        Some("civicpulse_matrix_value{dimension=\"satisfaction_top2_share\",service_id=\"passport-in-person\"} 0.8"),
        "{text}"
    );
    // Withheld: no series rather than a 0.
    assert_eq!(
        line(
            "civicpulse_matrix_value",
            "dimension=\"satisfaction_top2_share\",service_id=\"passport-by-mail\""
        ),
        None
    );
}
