//! The wire rows of the analytics results are a contract (Grafana dashboards, the e2e
//! suite and integrators read them): the CSV header of every such route, which is also
//! the order of the JSON fields, and the formats of its dates, statuses and verdicts, as
//! they were when analytics still returned these shapes itself.

mod support;

use civicpulse_store::tables::matrix_snapshots::SnapshotRow;
use civicpulse_testkit::rows::closed_summary;
use serde_json::Value;
use support::*;

const CELL: &str = "period,period_from,period_to,service_id,service_name,category,group_by,group,dimension,family,value,n,ci_low,ci_high,target,benchmark,previous_value,change,status,status_level,note,computed_at";
const POINT: &str = "time,service_id,group,metric,value,n,ci_low,ci_high,note";
const INNOVATION: &str = "intervention_id,service_id,name,date,description,dimension,family,window_days,before_from,after_to,before_value,before_n,after_value,after_n,change,change_ci_low,change_ci_high,verdict,peers,peer_change,did,did_ci_low,did_ci_high,did_verdict,note";
// `unit` (what the percentiles count) was added at the end, after the first release's columns.
const SUMMARY: &str = "service_id,policy,closed,met,breached,compliance_ratio,target_ratio,p50_elapsed_days,p90_elapsed_days,open,at_risk,open_breached,refunds_owed,refunds_owed_amount,refunds_excused,currency,anomalies,error_budget_remaining,burn_rate_1d,burn_rate_7d,burn_rate_30d,refunds_owed_minor,unit,note,status";

fn header(csv: &str) -> &str {
    csv.lines().next().unwrap_or("")
}

/// The keys of a JSON row, sorted (serde_json's map), against the CSV header's.
fn keys(row: &Value) -> Vec<String> {
    let mut keys: Vec<String> = row.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

fn sorted(columns: &str) -> Vec<String> {
    let mut columns: Vec<String> = columns.split(',').map(String::from).collect();
    columns.sort();
    columns
}

fn snapshot(service: &str, value: f64) -> SnapshotRow {
    SnapshotRow {
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
    }
}

#[tokio::test]
async fn a_snapshot_reads_as_the_matrix_cell_it_was_field_by_field() {
    let app = app(Tables {
        snapshots: vec![snapshot(PASSPORT, 0.85)],
        ..Tables::default()
    });
    let path = "/api/v1/matrix/snapshots?period=2026-09";
    let cells = get_json(&app, path).await;
    assert_eq!(
        cells[0],
        serde_json::json!({
            "period": "2026-09",
            "period_from": "2026-09-01",
            "period_to": "2026-10-01",
            "service_id": PASSPORT,
            "service_name": PASSPORT_NAME,
            "category": "identity-documents",
            "group_by": "service",
            "group": "all",
            "dimension": "sla_compliance",
            "family": "timeliness",
            "value": 0.85,
            "n": 20,
            "ci_low": null,
            "ci_high": null,
            "target": 0.9,
            "benchmark": null,
            "previous_value": null,
            "change": null,
            "status": "amber",
            "status_level": 1,
            "note": "",
            "computed_at": "2026-10-01T06:00:00Z",
        })
    );
    let csv = get_csv(&app, path).await;
    assert_eq!(header(&csv), CELL);
    assert_eq!(
        csv.lines().nth(1).unwrap(),
        format!("2026-09,2026-09-01,2026-10-01,{PASSPORT},\"{PASSPORT_NAME}\",identity-documents,service,all,sla_compliance,timeliness,0.85,20,,,0.9,,,,amber,1,,2026-10-01T06:00:00Z")
    );
}

#[tokio::test]
async fn the_matrix_keeps_its_columns_and_formats() {
    let app = app(Tables {
        answer_sums: vec![answers(PASSPORT, "2026-09-01", "", 40, 32)],
        ..Tables::default()
    });
    let path = "/api/v1/matrix?period=2026-09";
    let cells = get_json(&app, path).await;
    let cell = row(
        &cells,
        &[
            ("service_id", PASSPORT),
            ("dimension", "satisfaction_top2_share"),
        ],
    );
    assert_eq!(keys(cell), sorted(CELL));
    assert_eq!(
        (&cell["period_from"], &cell["period_to"], &cell["group_by"]),
        (
            &Value::from("2026-09-01"),
            &Value::from("2026-10-01"),
            &Value::from("service")
        )
    );
    let level = cell["status_level"].as_i64().unwrap();
    let status = cell["status"].as_str().unwrap();
    let expected = match status {
        "green" => 2,
        "amber" => 1,
        "red" => 0,
        _ => -1,
    };
    assert_eq!(level, expected, "{cell}");
    // RFC 3339 in whole seconds, UTC.
    let computed_at = cell["computed_at"].as_str().unwrap();
    assert!(
        computed_at.len() == 20 && computed_at.ends_with('Z'),
        "{computed_at}"
    );
    assert_eq!(header(&get_csv(&app, path).await), CELL);
}

#[tokio::test]
async fn time_series_innovations_and_summaries_keep_their_columns_and_formats() {
    let app = app(Tables {
        answer_sums: vec![answers(PASSPORT, "2026-09-01", "", 40, 32)],
        summaries: vec![closed_summary(PASSPORT, "processing", 19, 1)],
        ..Tables::default()
    });

    let path = "/api/v1/timeseries?metric=satisfaction_top2_share&service_id=passport-in-person&from=2026-09-01&to=2026-09-02";
    let points = get_json(&app, path).await;
    assert_eq!(keys(&points[0]), sorted(POINT));
    assert_eq!(points[0]["time"], "2026-09-01T00:00:00Z");
    assert_eq!(header(&get_csv(&app, path).await), POINT);

    let path = "/api/v1/innovations?intervention_id=passport-in-person-extra-staff";
    let rows = get_json(&app, path).await;
    let first = &rows[0];
    assert_eq!(keys(first), sorted(INNOVATION));
    assert_eq!(first["date"], "2026-11-09");
    for field in ["before_from", "after_to"] {
        let day = first[field].as_str().unwrap();
        assert!(day.parse::<chrono::NaiveDate>().is_ok(), "{field}: {day}");
    }
    assert!(first["peers"].is_string(), "{first}");
    let verdicts = [
        "improved",
        "worsened",
        "no_clear_change",
        "no_interval",
        "insufficient_data",
        "too_early",
        "no_peers",
    ];
    for row in rows.as_array().unwrap() {
        assert!(
            verdicts.contains(&row["verdict"].as_str().unwrap()),
            "{row}"
        );
        assert!(
            verdicts.contains(&row["did_verdict"].as_str().unwrap()),
            "{row}"
        );
    }
    assert_eq!(header(&get_csv(&app, path).await), INNOVATION);

    let path = "/api/v1/sla/summary?from=2026-09-01&to=2026-10-01";
    let rows = get_json(&app, path).await;
    assert_eq!(keys(&rows[0]), sorted(SUMMARY));
    assert_eq!(header(&get_csv(&app, path).await), SUMMARY);
}
