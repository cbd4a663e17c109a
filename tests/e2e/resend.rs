//! A re-send that changes `service_id` or the day (even the month) of `occurred_at` is a
//! correction: the later version replaces the earlier in every figure, across requests,
//! a sink restart and a month boundary, while the raw tables keep both as received.

use std::time::Duration;

use nix::sys::signal::Signal;
use serde_json::{json, Value};

use crate::support::*;

/// The `responses` or `transactions` cell of one service for a period, from the API.
async fn volume(pipeline: &Pipeline, period: &str, service: &str, dimension: &str) -> f64 {
    let (status, cells) = pipeline
        .api_get(&format!(
            "/api/v1/matrix?period={period}&service_id={service}&dimension={dimension}"
        ))
        .await;
    assert_eq!(status, 200, "{cells}");
    cells.as_array().unwrap()[0]["value"]
        .as_f64()
        .unwrap_or(0.0)
}

/// Each `(period, service, dimension, value)` is what the API shows.
async fn assert_volumes(pipeline: &Pipeline, expected: &[(&str, &str, &str, f64)]) {
    for &(period, service, dimension, value) in expected {
        assert_eq!(
            volume(pipeline, period, service, dimension).await,
            value,
            "{dimension} of {service} in {period}"
        );
    }
}

fn at(text: &str) -> Value {
    json!(text)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resend_with_another_service_or_day_replaces_the_first_everywhere() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let mut sink = pipeline.spawn("sink");
    let _api = pipeline.start_dashboard().await;
    // Forty days apart, so the two versions always fall in different (local) months.
    let now = chrono::Utc::now();
    let second = now - chrono::Duration::minutes(1);
    let first = now - chrono::Duration::days(40);
    let month = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&chrono_tz::America::Toronto)
            .format("%Y-%m")
            .to_string()
    };
    let (this_month, last_month) = (month(second), month(first));
    let (last_month, month_start, last_month_day) =
        (last_month.as_str(), second.to_rfc3339(), first.to_rfc3339());
    // Version 1: feedback and a transaction of old-age-security, last month.
    let mut answer = feedback("old-age-security", "web", 4, None);
    answer["occurred_at"] = at(&last_month_day);
    let mut served = offered("old-age-security");
    served["occurred_at"] = at(&last_month_day);
    let (status, body) = pipeline.post(&[answer.clone(), served.clone()]).await;
    assert_eq!(status, 200, "{body}");
    pipeline
        .wait_count("feedback", 1, Duration::from_secs(30))
        .await;
    pipeline
        .wait_count("offered", 1, Duration::from_secs(30))
        .await;
    pipeline.spawn("aggregate").wait_success();
    assert_volumes(
        &pipeline,
        &[
            (last_month, "old-age-security", "responses", 1.0),
            (last_month, "old-age-security", "transactions", 1.0),
        ],
    )
    .await;

    // The sink restarts between the two versions.
    sink.signal(Signal::SIGTERM);
    assert!(
        sink.wait_exit(Duration::from_secs(30)).await,
        "the sink did not stop"
    );
    let _sink = pipeline.spawn("sink");

    // Version 2, a later request: the answer moves service and month, the transaction
    // moves month only.
    answer["service_id"] = json!("employment-insurance");
    answer["occurred_at"] = at(&month_start);
    served["occurred_at"] = at(&month_start);
    let (status, body) = pipeline.post(&[answer.clone(), served.clone()]).await;
    assert_eq!(status, 200, "{body}");
    wait_until(
        "both versions stored as received",
        Duration::from_secs(30),
        || async { pipeline.count("feedback").await == 2 && pipeline.count("offered").await == 2 },
    )
    .await;
    pipeline.spawn("aggregate").wait_success();

    assert_volumes(
        &pipeline,
        &[
            (last_month, "old-age-security", "responses", 0.0),
            (last_month, "old-age-security", "transactions", 0.0),
            (&this_month, "old-age-security", "responses", 0.0),
            (&this_month, "employment-insurance", "responses", 1.0),
            (&this_month, "old-age-security", "transactions", 1.0),
        ],
    )
    .await;

    // A third version sends the answer back where it was first: it counts there again.
    answer["service_id"] = json!("old-age-security");
    answer["occurred_at"] = at(&last_month_day);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let newest = || async {
        pipeline
            .query("SELECT toUInt32(max(received_at)) FROM feedback")
            .await
            .unwrap()
            .trim()
            .parse::<u64>()
            .unwrap()
    };
    let before = newest().await;
    let (status, body) = pipeline.post(&[answer]).await;
    assert_eq!(status, 200, "{body}");
    wait_until(
        "the third version stored",
        Duration::from_secs(30),
        || async { newest().await > before },
    )
    .await;
    pipeline.spawn("aggregate").wait_success();
    assert_volumes(
        &pipeline,
        &[
            (last_month, "old-age-security", "responses", 1.0),
            (&this_month, "employment-insurance", "responses", 0.0),
        ],
    )
    .await;
}

/// The statuses of the service's cases, by case_ref, from the API.
async fn case_statuses(pipeline: &Pipeline, service: &str) -> Vec<(String, String)> {
    let (status, cases) = pipeline
        .api_get(&format!("/api/v1/sla/cases?service_id={service}"))
        .await;
    assert_eq!(status, 200, "{cases}");
    let mut statuses: Vec<(String, String)> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let text = |field: &str| c[field].as_str().unwrap_or_default().to_string();
            (text("case_ref"), text("status"))
        })
        .collect();
    statuses.sort();
    statuses
}

/// Milestones re-sent under another case: the new case is evaluated from them, and the old
/// one, left with none, no longer counts as met.
#[tokio::test(flavor = "multi_thread")]
async fn milestones_resent_under_another_case_move_the_case() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    let _api = pipeline.start_dashboard().await;
    let service = "passport-in-person";
    let mut steps = [
        milestone(service, "c-first", "complete"),
        milestone(service, "c-first", "dispatched"),
    ];
    let (status, body) = pipeline.post(&steps).await;
    assert_eq!(status, 200, "{body}");
    pipeline
        .wait_count("milestones", 2, Duration::from_secs(30))
        .await;
    pipeline.spawn("aggregate").wait_success();
    let met = |case: &str| (case.to_string(), "met".to_string());
    assert_eq!(case_statuses(&pipeline, service).await, [met("c-first")]);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    for step in &mut steps {
        step["case_ref"] = json!("c-second");
    }
    let (status, body) = pipeline.post(&steps).await;
    assert_eq!(status, 200, "{body}");
    pipeline
        .wait_count("milestones", 4, Duration::from_secs(30))
        .await;
    pipeline.spawn("aggregate").wait_success();
    assert_eq!(
        case_statuses(&pipeline, service).await,
        [
            ("c-first".to_string(), "not_started".to_string()),
            met("c-second")
        ]
    );
}
