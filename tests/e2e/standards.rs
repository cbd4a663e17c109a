//! Service standards end to end: cases of each service option through the gateway, an
//! exceptional circumstance declared through the dashboard API, a remission paid by an
//! event, and what the API then shows: statuses, refunds, the remission ledger's totals,
//! the exception's audit trail and the breach forecast.

use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::America::Toronto;
use civicpulse_core::access::Role;
use civicpulse_core::Catalog;
use civicpulse_testkit::config::token_of;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::*;

const ADMIN_TOKEN: &str = "e2e-admin-token";
const VIEWER_TOKEN: &str = "e2e-viewer-token";

/// A passport-in-person milestone at a local time in Toronto, with a service option.
fn step(case_ref: &str, date: &str, time: &str, milestone: &str, option: Option<&str>) -> Value {
    let day: NaiveDate = date.parse().unwrap();
    let time: chrono::NaiveTime = time.parse().unwrap();
    let at = Toronto.from_local_datetime(&day.and_time(time)).unwrap();
    let mut event = json!({
        "kind": "milestone", "event_id": Uuid::new_v4().to_string(),
        "occurred_at": at.with_timezone(&Utc).to_rfc3339(),
        "service_id": "passport-in-person", "case_ref": case_ref,
        "milestone": milestone, "channel": "in_person",
    });
    if let Some(option) = option {
        event["service_option"] = json!(option);
    }
    event
}

fn noon(case_ref: &str, date: &str, milestone: &str) -> Value {
    step(case_ref, date, "12:00:00", milestone, None)
}

/// Lets the last insert's second pass (a run re-reads its own second), then aggregates.
async fn aggregate(pipeline: &mut Pipeline, stored: u64) -> String {
    pipeline
        .wait_count("milestones", stored, Duration::from_secs(60))
        .await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    pipeline.spawn("aggregate").wait_success()
}

/// A case's stored result: status, late, refund, remission, fiscal year, exceptions.
async fn result(pipeline: &Pipeline, case_ref: &str) -> String {
    pipeline
        .query(&format!(
            "SELECT service_option, status, late_days, refund_amount, remission, fiscal_year, \
             exceptions FROM sla_cases FINAL WHERE case_ref = '{case_ref}' FORMAT TSV"
        ))
        .await
        .unwrap()
        .trim_end_matches('\n')
        .to_string()
}

async fn admin(
    pipeline: &Pipeline,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = pipeline
        .http
        .request(
            method,
            format!("http://127.0.0.1:{}{path}", pipeline.dashboard_port),
        )
        .bearer_auth(ADMIN_TOKEN);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the dashboard API answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn options_exceptions_and_paid_remissions_reach_the_ledger() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    pipeline.edit_config(|config| {
        config.dashboard.tokens.extend([
            token_of("service-manager", ADMIN_TOKEN, Role::Admin),
            token_of("grafana", VIEWER_TOKEN, Role::Viewer),
        ])
    });
    pipeline.migrate();
    let _gateway = pipeline.start_gateway("gateway").await;
    let _sink = pipeline.spawn("sink");
    // Today's open cases, for the forecast: complete on the last business day before
    // today, regular, never dispatched.
    let catalog = Catalog::load(&repo_root().join("catalog.toml")).unwrap();
    let calendar = catalog.calendar("ca-federal").unwrap().clone();
    let today = Utc::now().with_timezone(&Toronto).date_naive();
    let last_business_day = today
        .iter_days()
        .rev()
        .skip(1)
        .find(|d| calendar.is_business_day(*d))
        .unwrap()
        .to_string();
    let events = vec![
        // R: regular by default, (2 Mar, 17 Mar] = 11 days: 1 late, 25 % of 160 = 40,
        // owed in fiscal year 2025-2026.
        noon("R", "2026-03-02", "complete"),
        noon("R", "2026-03-17", "dispatched"),
        // X: express (5 days), dispatched on day 6: 25 % of 270 = 67.50.
        step("X", "2026-03-02", "10:00:00", "received", Some("express")),
        step("X", "2026-03-02", "10:00:00", "complete", None),
        noon("X", "2026-03-10", "dispatched"),
        // U: urgent, complete Friday 6 Mar at 16:00, after the 15:00 cut-off: day 0 is
        // Monday 9, due Tuesday 10 at closing. Dispatched Tuesday 16:00: met.
        step("U", "2026-03-06", "16:00:00", "complete", Some("urgent")),
        step("U", "2026-03-10", "16:00:00", "dispatched", None),
        // V: urgent, complete Monday 10:00, dispatched Wednesday: 2 days, 1 late, 50 % of
        // the 335 urgent fee = 167.50.
        step("V", "2026-03-02", "10:00:00", "complete", Some("urgent")),
        noon("V", "2026-03-04", "dispatched"),
        // P: like R, and its remission is recorded as paid by the finance system.
        noon("P", "2026-03-02", "complete"),
        noon("P", "2026-03-17", "dispatched"),
        noon("P", "2026-04-10", "remission_paid"),
        // Y: across the fiscal-year boundary, (16 Mar, 7 Apr] = 14 days (Good Friday and
        // Easter Monday are holidays): 4 late, 40 owed in fiscal year 2026-2027.
        noon("Y", "2026-03-16", "complete"),
        noon("Y", "2026-04-07", "dispatched"),
        // E: (27 Apr, 13 May] = 12 days, 2 late, during the outage declared below.
        noon("E", "2026-04-27", "complete"),
        noon("E", "2026-05-13", "dispatched"),
        // S: (25 May, 12 Jun] = 14 days, 4 late, unless the strike of 1–5 June pauses it.
        noon("S", "2026-05-25", "complete"),
        noon("S", "2026-06-12", "dispatched"),
        // O1–O3: open, complete on the last business day.
        noon("O1", &last_business_day, "complete"),
        noon("O2", &last_business_day, "complete"),
        noon("O3", &last_business_day, "complete"),
    ];
    let (status, body) = pipeline.post(&events).await;
    assert_eq!(status, 200, "{body}");
    let first = aggregate(&mut pipeline, events.len() as u64).await;
    assert!(
        first.contains("passport-in-person / processing: 11 cases evaluated (full)"),
        "{first}"
    );
    assert_eq!(
        result(&pipeline, "R").await,
        "regular\tbreached\t1\t40\towed\t2025\t"
    );
    assert_eq!(
        result(&pipeline, "X").await,
        "express\tbreached\t1\t67.5\towed\t2025\t"
    );
    assert_eq!(result(&pipeline, "U").await, "urgent\tmet\t0\t0\t\t0\t");
    assert_eq!(
        result(&pipeline, "V").await,
        "urgent\tbreached\t1\t167.5\towed\t2025\t"
    );
    assert_eq!(
        result(&pipeline, "P").await,
        "regular\tbreached\t1\t40\tpaid\t2025\t"
    );
    assert_eq!(
        result(&pipeline, "Y").await,
        "regular\tbreached\t4\t40\towed\t2026\t"
    );
    assert_eq!(
        result(&pipeline, "S").await,
        "regular\tbreached\t4\t40\towed\t2026\t"
    );
    let due = pipeline
        .query("SELECT toString(due_at) FROM sla_cases FINAL WHERE case_ref = 'U' FORMAT TSV")
        .await
        .unwrap();
    // Tuesday 10 March at the 17:00 close, EDT: 21:00 UTC.
    assert_eq!(due.trim(), "2026-03-10 21:00:00");

    // Two exceptional circumstances, declared through the API by an admin.
    let _api = pipeline.start_dashboard().await;
    let outage = json!({"id": "2026-05-system-outage", "services": ["passport-in-person"],
        "from": "2026-05-04T08:00:00-04:00", "to": "2026-05-06T17:00:00-04:00",
        "reason": "Passport system outage", "effect": "no_remission"});
    let strike = json!({"id": "2026-06-strike", "services": ["passport-in-person"],
        "from": "2026-06-01T00:00:00-04:00", "to": "2026-06-06T00:00:00-04:00",
        "reason": "Labour disruption", "effect": "pause_clock"});
    for exception in [&outage, &strike] {
        let (status, body) = admin(
            &pipeline,
            reqwest::Method::POST,
            "/api/v1/sla/exceptions",
            Some(exception.clone()),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["declared_by"], "service-manager");
    }
    // A viewer's token may not declare one.
    let response = pipeline
        .http
        .post(format!(
            "http://127.0.0.1:{}/api/v1/sla/exceptions",
            pipeline.dashboard_port
        ))
        .bearer_auth(VIEWER_TOKEN)
        .json(&outage)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let (status, listed) = pipeline.api_get("/api/v1/sla/exceptions").await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["2026-05-system-outage", "2026-06-strike"]);

    // The next run re-evaluates the service: E is still breached but owes nothing; the
    // strike's five business days take S back within its ten.
    let second = pipeline.spawn("aggregate").wait_success();
    assert!(
        second.contains("passport-in-person / processing: 11 cases evaluated (full)"),
        "{second}"
    );
    assert_eq!(
        result(&pipeline, "E").await,
        "regular\tbreached\t2\t0\texcused\t2026\t2026-05-system-outage"
    );
    assert_eq!(
        result(&pipeline, "S").await,
        "regular\tmet\t0\t0\t\t0\t2026-06-strike"
    );

    // The ledger: totals per fiscal year, service, standard, option and fee.
    let (status, totals) = pipeline
        .api_get("/api/v1/sla/remissions?service_id=passport-in-person")
        .await;
    assert_eq!(status, 200, "{totals}");
    let seen: Vec<String> = totals
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            format!(
                "{} {} fee {} cases {} amount {} ({}) owed {}/{} ({}) paid {}/{} excused {} due {}",
                t["fiscal_year_label"].as_str().unwrap(),
                t["service_option"].as_str().unwrap(),
                t["fee"],
                t["cases"],
                t["amount"],
                t["amount_minor"],
                t["owed"],
                t["owed_amount"],
                t["owed_minor"],
                t["paid"],
                t["paid_amount"],
                t["excused"],
                t["payment_due"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            "2025-2026 express fee 270.0 cases 1 amount 67.5 (6750) owed 1/67.5 (6750) paid 0/0.0 excused 0 due 2026-07-01",
            "2025-2026 regular fee 160.0 cases 2 amount 80.0 (8000) owed 1/40.0 (4000) paid 1/40.0 excused 0 due 2026-07-01",
            "2025-2026 urgent fee 335.0 cases 1 amount 167.5 (16750) owed 1/167.5 (16750) paid 0/0.0 excused 0 due 2026-07-01",
            "2026-2027 regular fee 160.0 cases 2 amount 40.0 (4000) owed 1/40.0 (4000) paid 0/0.0 excused 1 due 2027-07-01",
        ]
    );
    let (status, cases) = pipeline
        .api_get("/api/v1/sla/remissions?view=cases&fiscal_year=2026")
        .await;
    assert_eq!(status, 200);
    let refs: Vec<String> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {}",
                c["case_ref"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
                c["amount"],
                c["amount_minor"]
            )
        })
        .collect();
    assert_eq!(refs, ["E excused 0.0 0", "Y owed 40.0 4000"]);
    let csv = pipeline
        .api
        .get(format!(
            "http://127.0.0.1:{}/api/v1/sla/remissions?fiscal_year=2026",
            pipeline.dashboard_port
        ))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.starts_with("fiscal_year,fiscal_year_label,service_id,policy,service_option,fee,currency,cases,amount"), "{csv}");
    assert!(
        csv.contains("2026,2026-2027,passport-in-person,processing,regular,160.0,CAD,2,40.0"),
        "{csv}"
    );

    // Withdrawn, the strike no longer pauses S; the trail keeps both changes and who made them.
    let (status, _) = admin(
        &pipeline,
        reqwest::Method::DELETE,
        "/api/v1/sla/exceptions/2026-06-strike",
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = admin(
        &pipeline,
        reqwest::Method::DELETE,
        "/api/v1/sla/exceptions/no-such",
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (_, history) = pipeline
        .api_get("/api/v1/sla/exceptions/2026-06-strike/history")
        .await;
    let changes: Vec<String> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} by {}",
                c["change"].as_str().unwrap(),
                c["declared_by"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            "declared by service-manager",
            "withdrawn by service-manager"
        ]
    );
    pipeline.spawn("aggregate").wait_success();
    assert_eq!(
        result(&pipeline, "S").await,
        "regular\tbreached\t4\t40\towed\t2026\t"
    );

    // Declared, withdrawn and declared again within one second: the last change wins, in
    // the list and in the trail, whatever the clock's second says.
    let flood = json!({"id": "2026-07-flood", "services": ["passport-in-person"],
        "from": "2026-07-06T00:00:00-04:00", "to": "2026-07-08T00:00:00-04:00",
        "reason": "Office flooded", "effect": "no_remission"});
    let path = "/api/v1/sla/exceptions";
    let started = std::time::Instant::now();
    let (declared, _) = admin(&pipeline, reqwest::Method::POST, path, Some(flood.clone())).await;
    let (withdrawn, _) = admin(
        &pipeline,
        reqwest::Method::DELETE,
        "/api/v1/sla/exceptions/2026-07-flood",
        None,
    )
    .await;
    let (again, _) = admin(&pipeline, reqwest::Method::POST, path, Some(flood)).await;
    assert_eq!((declared, withdrawn, again), (201, 204, 201));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "not within one second"
    );
    let (_, listed) = pipeline.api_get(path).await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == "2026-07-flood"),
        "declared again, so in force: {listed}"
    );
    let (status, history) = pipeline
        .api_get("/api/v1/sla/exceptions/2026-07-flood/history")
        .await;
    assert_eq!(status, 200);
    let changes: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["declared", "withdrawn", "declared"]);
    // The audit trail takes no parameters: an unknown one is refused, not ignored.
    let (status, body) = pipeline
        .api_get("/api/v1/sla/exceptions/2026-07-flood/history?since=2026-01-01")
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "bad_parameter");

    // The forecast: no case closed in the last 10 business days, so no throughput, and
    // the three open regular cases are forecast to breach at their due moment; finishing
    // them on time needs 3 cases over the business days left to the due date.
    let (status, forecast) = pipeline
        .api_get("/api/v1/sla/forecast?service_id=passport-in-person")
        .await;
    assert_eq!(status, 200, "{forecast}");
    let regular = forecast
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["service_option"] == "regular")
        .unwrap()
        .clone();
    let due: NaiveDate = pipeline
        .query("SELECT toString(due_date) FROM sla_cases FINAL WHERE case_ref = 'O1' FORMAT TSV")
        .await
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let left = calendar.business_days_between(today, due) as f64;
    assert_eq!(
        (
            regular["open"].as_u64(),
            regular["forecast_breaches"].as_u64(),
            regular["throughput"].as_f64()
        ),
        (Some(3), Some(3), Some(0.0)),
        "{regular}"
    );
    assert_eq!(
        regular["required_throughput"].as_f64(),
        Some(3.0 / left),
        "{regular}"
    );
    // No recent durations either, so the queue's verdict stands: 3 expected breaches of 3
    // open cases, 10 times the 10 % the standard allows.
    assert_eq!(
        (
            regular["fifo_breaches"].as_u64(),
            regular["expected_breaches"].as_f64(),
            regular["forecast_burn_rate"].as_f64()
        ),
        (Some(3), Some(3.0), Some(10.0)),
        "{regular}"
    );
    let options: Vec<&str> = forecast
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["service_option"].as_str().unwrap())
        .collect();
    assert_eq!(options, ["express", "regular", "urgent"]);
    // Options with no breach forecast owe 0.0 in refunds, never a negative zero.
    for f in forecast.as_array().unwrap() {
        assert!(!f["forecast_refunds"].to_string().starts_with('-'), "{f}");
    }
    let express = forecast
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["service_option"] == "express")
        .unwrap();
    assert_eq!(express["forecast_breaches"], 0, "{express}");
    assert_eq!(express["forecast_refunds"].to_string(), "0.0");
    // And as gauges, for the alert that fires before the first forecast breach.
    let metrics = pipeline
        .http
        .get(format!(
            "http://127.0.0.1:{}/metrics",
            pipeline.dashboard_port
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(r#"civicpulse_sla_forecast_breaches{policy="processing",service_id="passport-in-person",service_option="regular"} 3"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("civicpulse_sla_forecast_first_breach_timestamp_seconds{"),
        "{metrics}"
    );
    assert!(
        metrics
            .lines()
            .filter(|l| l.starts_with("civicpulse_sla_forecast_refunds_amount{"))
            .all(|l| !l.ends_with(" -0")),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"civicpulse_sla_forecast_burn_rate{policy="processing",service_id="passport-in-person",service_option="regular"} 10"#),
        "{metrics}"
    );
}
