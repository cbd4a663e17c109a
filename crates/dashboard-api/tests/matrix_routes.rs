//! Success paths of the catalog and matrix routes, in process over hand-made rollup rows:
//! what a Grafana panel or an analyst reads in the JSON and the CSV.

mod support;

use axum::http::StatusCode;
use civicpulse_store::tables::comment_readings::RespondentThemes;
use civicpulse_store::tables::matrix_snapshots::SnapshotRow;
use serde_json::Value;
use support::*;

/// September 2026 of two passport services.
///
/// In person: 40 answers, 32 of them 4–5 → satisfied 32 / 40 = 80.0 %, mean
/// (32 × 5 + 8 × 2) / 40 = 4.4; 50 applications received, 45 decided → completion 90.0 %;
/// 20 cases closed, 18 within the standard → SLA compliance 90.0 %.
/// By mail: 6 answers, under the 10 a figure needs → withheld.
fn september() -> Tables {
    Tables {
        answer_sums: vec![
            answers(PASSPORT, "2026-09-01", "", 40, 32),
            answers(BY_MAIL, "2026-09-01", "", 6, 5),
        ],
        activity_sums: vec![activity(PASSPORT, "2026-09-01", 200, 50, 45)],
        closed_cases: vec![
            closed(PASSPORT, "2026-09-01", 8, 18, 0),
            closed(PASSPORT, "2026-09-01", 14, 0, 2),
        ],
        ..Tables::default()
    }
}

#[tokio::test]
async fn services_lists_the_catalog_with_its_standards() {
    let app = app(Tables::default());
    let services = get_json(&app, "/api/v1/services").await;
    let passport = row(&services, &[("id", PASSPORT)]);
    assert_eq!(passport["name"], PASSPORT_NAME);
    assert_eq!(passport["channels"], "in_person");
    assert_eq!(passport["time_zone"], "America/Toronto");
    assert_eq!(passport["sla_policies"], "processing");

    let csv = get_csv(&app, "/api/v1/services").await;
    let mut lines = csv.lines();
    assert!(
        lines.next().unwrap().starts_with("id,name,category,"),
        "{csv}"
    );
    assert!(
        csv.contains("passport-in-person,\"Passport, applied for in person\",identity-documents,"),
        "{csv}"
    );
}

#[tokio::test]
async fn the_matrix_shows_each_figure_of_a_period_and_withholds_small_cells() {
    let app = app(september());
    let cells = get_json(&app, "/api/v1/matrix?period=2026-09").await;
    let cell = |service: &str, dimension: &str| -> Value {
        row(&cells, &[("service_id", service), ("dimension", dimension)]).clone()
    };

    let satisfied = cell(PASSPORT, "satisfaction_top2_share");
    close(&satisfied["value"], 0.8);
    assert_eq!(satisfied["n"], 40);
    assert_eq!(satisfied["service_name"], PASSPORT_NAME);
    assert_eq!(satisfied["period"], "2026-09");
    close(&cell(PASSPORT, "satisfaction_mean")["value"], 4.4);
    close(&cell(PASSPORT, "completion_rate")["value"], 0.9);
    let compliance = cell(PASSPORT, "sla_compliance");
    close(&compliance["value"], 0.9);
    assert_eq!(compliance["n"], 20);
    close(&cell(PASSPORT, "transactions")["value"], 200.0);

    let withheld = cell(BY_MAIL, "satisfaction_top2_share");
    assert_eq!(withheld["value"], Value::Null);
    assert_eq!(withheld["status"], "insufficient_data");
    assert_eq!(
        withheld["note"],
        "too few answers to show: 6 (at least 10 needed)"
    );

    // One service and one dimension, as CSV: the same figure in its column.
    let csv = get_csv(
        &app,
        "/api/v1/matrix?period=2026-09&service_id=passport-in-person&dimension=satisfaction_top2_share",
    )
    .await;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1, "{csv}");
    let field = |name: &str| &records[0][headers.iter().position(|h| h == name).unwrap()];
    assert_eq!(field("service_id"), PASSPORT);
    assert_eq!(field("value"), "0.8");
    assert_eq!(field("n"), "40");
}

#[tokio::test]
async fn the_matrix_by_channel_has_a_row_per_channel_and_names_the_undeclared() {
    // In person: 25 answers, 20 satisfied → 80.0 %. Feedback from the web form declares no
    // channel: 10 answers, 4 satisfied → 40.0 %, shown under `not_declared`.
    let app = app(Tables {
        answer_sums: vec![
            answers(PASSPORT, "2026-09-01", "in_person", 25, 20),
            answers(PASSPORT, "2026-09-01", "", 10, 4),
        ],
        ..Tables::default()
    });
    let cells = get_json(
        &app,
        "/api/v1/matrix?period=2026-09&group_by=channel&service_id=passport-in-person&dimension=satisfaction_top2_share",
    )
    .await;
    assert_eq!(cells.as_array().unwrap().len(), 2, "{cells}");
    let in_person = row(&cells, &[("group", "in_person")]);
    assert_eq!(in_person["group_by"], "channel");
    close(&in_person["value"], 0.8);
    assert_eq!(in_person["n"], 25);
    close(&row(&cells, &[("group", "not_declared")])["value"], 0.4);
}

#[tokio::test]
async fn snapshots_show_the_stored_cells_with_the_catalog_names() {
    let snapshot = |service: &str, value: f64| SnapshotRow {
        period: "2026-09".into(),
        period_from: date("2026-09-01"),
        period_to: date("2026-10-01"),
        group_by: "service".into(),
        service_id: service.into(),
        group_value: "all".into(),
        dimension: "sla_compliance".into(),
        value: Some(value),
        n: 20,
        ci_low: None,
        ci_high: None,
        target: Some(0.9),
        benchmark: None,
        previous_value: None,
        change: None,
        status: "amber".into(),
        note: String::new(),
        computed_at: time("2026-10-01T06:00:00Z"),
    };
    let app = app(Tables {
        snapshots: vec![snapshot(PASSPORT, 0.85), snapshot(BY_MAIL, 0.95)],
        ..Tables::default()
    });
    let cells = get_json(
        &app,
        "/api/v1/matrix/snapshots?period=2026-09&service_id=passport-in-person",
    )
    .await;
    assert_eq!(cells.as_array().unwrap().len(), 1, "{cells}");
    let cell = &cells[0];
    assert_eq!(cell["service_name"], PASSPORT_NAME);
    assert_eq!(cell["family"], "timeliness");
    close(&cell["value"], 0.85);
    assert_eq!(cell["status"], "amber");
    assert_eq!(cell["status_level"], 1);
    assert_eq!(cell["computed_at"], "2026-10-01T06:00:00Z");
}

#[tokio::test]
async fn the_time_series_has_a_point_per_day_and_withholds_a_thin_day() {
    // 1 September: 20 answers, 15 satisfied → 75.0 %; 2 September: 10, 9 → 90.0 %;
    // 3 September: 4 answers, withheld.
    let app = app(Tables {
        answer_sums: vec![
            answers(PASSPORT, "2026-09-01", "", 20, 15),
            answers(PASSPORT, "2026-09-02", "", 10, 9),
            answers(PASSPORT, "2026-09-03", "", 4, 4),
        ],
        ..Tables::default()
    });
    let points = get_json(
        &app,
        "/api/v1/timeseries?metric=satisfaction_top2_share&service_id=passport-in-person&from=2026-09-01&to=2026-09-04&interval=day",
    )
    .await;
    let times: Vec<&str> = points
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["time"].as_str().unwrap())
        .collect();
    assert_eq!(
        times,
        [
            "2026-09-01T00:00:00Z",
            "2026-09-02T00:00:00Z",
            "2026-09-03T00:00:00Z"
        ]
    );
    close(&points[0]["value"], 0.75);
    assert_eq!(points[0]["n"], 20);
    close(&points[1]["value"], 0.9);
    assert_eq!(points[2]["value"], Value::Null);
    assert_eq!(
        points[2]["note"],
        "too few answers to show: 4 (at least 10 needed)"
    );

    let csv = get_csv(
        &app,
        "/api/v1/timeseries?metric=satisfaction_top2_share&service_id=passport-in-person&from=2026-09-01&to=2026-09-04",
    )
    .await;
    assert!(
        csv.contains("2026-09-02T00:00:00Z,passport-in-person,all,satisfaction_top2_share,0.9,10,"),
        "{csv}"
    );
}

#[tokio::test]
async fn interventions_compare_the_service_before_and_after_its_intervention() {
    // The in-memory store answers both windows with the same rows (the day filter is
    // ClickHouse's): 40 answers, 32 satisfied → 80.0 % before and after, no change.
    let app = app(september());
    let rows = get_json(
        &app,
        "/api/v1/interventions?intervention_id=passport-in-person-extra-staff&dimension=satisfaction_top2_share",
    )
    .await;
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    let surge = &rows[0];
    assert_eq!(surge["name"], "Surge staffing");
    assert_eq!(surge["date"], "2026-11-09");
    assert_eq!(surge["service_id"], PASSPORT);
    close(&surge["before_value"], 0.8);
    close(&surge["after_value"], 0.8);
    assert_eq!(surge["before_n"], 40);
    close(&surge["change"], 0.0);
    assert_eq!(surge["verdict"], "no_clear_change");
}

#[tokio::test]
async fn innovations_still_answers_as_the_deprecated_alias_of_interventions() {
    let app = app(september());
    let query = "?intervention_id=passport-in-person-extra-staff&dimension=satisfaction_top2_share";
    let current = get_json(&app, &format!("/api/v1/interventions{query}")).await;
    let alias = get_json(&app, &format!("/api/v1/innovations{query}")).await;
    assert_eq!(current.as_array().unwrap().len(), 1, "{current}");
    assert_eq!(alias, current);
}

#[tokio::test]
async fn a_month_and_the_same_days_asked_as_a_range_are_cached_apart() {
    // The same days, but compared with different periods (the month before, or the same
    // number of days before): whichever is asked first must not answer the other.
    let app = app(september());
    let month = get_json(&app, "/api/v1/matrix?period=2026-09").await;
    let range = get_json(&app, "/api/v1/matrix?from=2026-09-01&to=2026-10-01").await;
    assert_eq!(month[0]["period"], "2026-09");
    assert_eq!(range[0]["period"], "2026-09-01..2026-10-01", "{}", range[0]);
    let month_again = get_json(&app, "/api/v1/matrix?period=2026-09").await;
    assert_eq!(month_again[0]["period"], "2026-09");
}

/// Comments about waiting: 30 of the passport's 100 on 20 October and on 2 November, 10 of
/// 100 on 20 November (after the surge staffing of 9 November); by mail, 20 of 100 each day.
fn waiting_comments() -> Tables {
    let mut tables = Tables::default();
    for (service, at, waiting) in [
        (PASSPORT, "2026-10-20T15:00:00Z", 30),
        (PASSPORT, "2026-11-02T15:00:00Z", 30),
        (PASSPORT, "2026-11-20T15:00:00Z", 10),
        (BY_MAIL, "2026-10-20T15:00:00Z", 20),
        (BY_MAIL, "2026-11-02T15:00:00Z", 20),
        (BY_MAIL, "2026-11-20T15:00:00Z", 20),
    ] {
        for (themes, respondents) in [
            (vec!["waiting-time".to_string()], waiting),
            (vec![], 100 - waiting),
        ] {
            tables.respondent_themes.push((
                time(at),
                RespondentThemes {
                    service_id: service.into(),
                    themes,
                    satisfaction: None,
                    helpful: None,
                    respondents,
                },
            ));
        }
    }
    tables
}

#[tokio::test]
async fn the_matrix_shows_each_top_level_themes_share_against_the_previous_period() {
    let app = app(waiting_comments());
    let cells = get_json(
        &app,
        "/api/v1/matrix?period=2026-11&dimension=theme_share:time",
    )
    .await;
    let time_share = row(&cells, &[("service_id", PASSPORT)]);
    assert_eq!(time_share["family"], "themes");
    // 40 of 200 in November, 30 of 100 in October; the peers' median is by mail's 40/200.
    close(&time_share["value"], 0.2);
    assert_eq!(time_share["n"], 200);
    close(&time_share["previous_value"], 0.3);
    close(&time_share["benchmark"], 0.2);
    assert!(time_share["target"].is_null());
    assert_eq!(time_share["status"], "green", "fewer comments about time");
    let by_mail = row(&cells, &[("service_id", BY_MAIL)]);
    assert_eq!(by_mail["status"], "green", "unchanged: 20 % and 20 %");

    // The matrix shows parents; a child's share is an intervention's question.
    let answer = get_as(
        &app,
        "/api/v1/matrix?dimension=theme_share:waiting-time",
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert!(answer.body.contains("has a parent"), "{}", answer.body);
}

#[tokio::test]
async fn an_intervention_is_judged_on_a_themes_share_with_its_own_windows_and_peers() {
    let app = app(waiting_comments());
    let rows = get_json(
        &app,
        "/api/v1/interventions?intervention_id=passport-in-person-extra-staff&dimension=theme_share:waiting-time",
    )
    .await;
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    let waiting = &rows[0];
    assert_eq!(waiting["family"], "themes");
    // Before 9 November: 60 of 200; after: 10 of 100. By mail: 40 of 200, then 20 of 100.
    close(&waiting["before_value"], 0.3);
    close(&waiting["after_value"], 0.1);
    assert_eq!(
        (waiting["before_n"].as_u64(), waiting["after_n"].as_u64()),
        (Some(200), Some(100))
    );
    close(&waiting["change"], -0.2);
    assert_eq!(waiting["verdict"], "improved");
    close(&waiting["peer_change"], 0.0);
    close(&waiting["did"], -0.2);
    assert_eq!(waiting["did_verdict"], "improved");
    assert_eq!(waiting["peers"], "passport-by-mail,on-birth-certificate");

    let answer = get_as(
        &app,
        "/api/v1/interventions?dimension=theme_share:no-such-theme",
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{}", answer.body);
    assert!(answer.body.contains("no-such-theme"), "{}", answer.body);
}
