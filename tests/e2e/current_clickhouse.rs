//! The project's SQL on a current ClickHouse: an end-to-end run against 18.16 with
//! `clickhouse.log_statements` on (the server records every statement in
//! `system.query_log`), then every distinct statement it issued — the migrations, the
//! sink's inserts, the aggregator's SLA evaluation and rollups, the dashboard API's
//! reads, reports and exports — replayed on ClickHouse 26 (chDB, in-process) over a sample
//! of the run's rows. Any statement 26 refuses fails the test, with the error.

use std::io::Write;
use std::process::Command;

use civicpulse_core::access::Role;
use civicpulse_core::Catalog;
use civicpulse_testkit::config::token_of;
use serde_json::Value;

use crate::matrix::{generate, load};
use crate::support::*;

const ADMIN_TOKEN: &str = "e2e-admin-token";

/// The raw and derived tables whose rows are sampled into chDB.
const SAMPLED: [&str; 6] = [
    "feedback",
    "feedback_comments",
    "milestones",
    "offered",
    "sla_cases",
    "event_versions",
];

#[tokio::test(flavor = "multi_thread")]
async fn every_statement_of_a_run_works_on_a_current_clickhouse() {
    require_shared_servers();
    let python = dev_dir().join("chdb/bin/python");
    assert!(
        python.exists(),
        "chDB is missing from {}: run scripts/test (install_chdb)",
        python.display()
    );

    let catalog = Catalog::load(&repo_root().join("catalog.toml")).unwrap();
    let world = generate(&catalog, 5, 12);
    let mut pipeline = Pipeline::new(Settings::default());
    let started = (chrono::Utc::now() - chrono::Duration::seconds(2))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    pipeline.edit_config(|config| {
        config.clickhouse.log_statements = true;
        config
            .dashboard
            .tokens
            .push(token_of("e2e-admin", ADMIN_TOKEN, Role::Admin));
    });
    load(&mut pipeline, &world).await;
    let _api = pipeline.start_dashboard().await;

    // Every query shape the API, reports and exports issue.
    for path in [
        "/api/v1/services",
        "/api/v1/matrix?period=2026-09",
        "/api/v1/matrix?period=2026-09&group_by=channel",
        "/api/v1/matrix?period=2026-09&group_by=age_band",
        "/api/v1/matrix/snapshots?period=2026-09",
        "/api/v1/timeseries?metric=satisfaction_top2_share&from=2026-08-01&to=2026-10-01&interval=week",
        "/api/v1/interventions",
        "/api/v1/sla/cases?limit=20",
        "/api/v1/sla/summary?from=2026-08-01&to=2026-10-01",
        "/api/v1/feedback/comments?from=2026-08-01&to=2026-10-01",
        "/api/v1/themes?period=2026-09",
        "/api/v1/exports/gc-service-std?period=2026-2027",
        "/api/v1/exports/omb-a11?period=FY2026-Q4",
        "/api/v1/exports/govuk-kpis?period=2026-09",
    ] {
        let (status, _, body) = pipeline.get_raw(&pipeline.api, path).await;
        assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
    }
    // An admin's read of the access audit (the erasure's statements come from `erase` below).
    let admin = |request: reqwest::RequestBuilder| request.bearer_auth(ADMIN_TOKEN).send();
    let base = format!("http://127.0.0.1:{}", pipeline.dashboard_port);
    let response = admin(pipeline.http.get(format!("{base}/api/v1/audit")))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let reports = pipeline.dir.path().join("reports");
    pipeline.write_scheduled_report(&reports);
    let (status, _) = pipeline.api_get("/api/v1/reports").await;
    assert_eq!(status, 200);
    // An erasure (ALTER … DELETE, waiting on system.mutations, the change log's rows) and the
    // aggregation after it; retention's statements run in every aggregation.
    let case_ref = world
        .events
        .iter()
        .find_map(|e| {
            (e["kind"] == "milestone").then(|| e["case_ref"].as_str().unwrap().to_string())
        })
        .expect("the world has cases");
    pipeline
        .spawn_args(
            &["erase", "--case-ref", &case_ref, "--requested-by", "e2e"],
            &[],
        )
        .wait_success();
    pipeline.spawn("aggregate").wait_success();

    // The log is written every few seconds (18.16 has no SYSTEM FLUSH LOGS for it).
    let logged = |sql: String| {
        let pipeline = &pipeline;
        async move { pipeline.query(&sql).await.unwrap() }
    };
    let select = format!(
        "SELECT query FROM system.query_log WHERE event_time >= toDateTime('{started}', 'UTC') \
         AND toString(type) IN ('QueryFinish', '2') AND query NOT LIKE '%system.query_log%' \
         GROUP BY query FORMAT JSONEachRow"
    );
    let mut rows = String::new();
    for _ in 0..30 {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        rows = logged(select.clone()).await;
        if rows.contains("matrix_feedback_daily")
            && rows.contains("report_runs")
            && rows.contains("INSERT INTO feedback")
            && rows.contains("DELETE WHERE")
        {
            break;
        }
    }
    let logged: Vec<String> = rows
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["query"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        logged.len() > 100,
        "only {} statements were logged",
        logged.len()
    );

    // The migrations in their order, then every other statement the run issued.
    let dir = tempfile::tempdir().unwrap();
    let statements = dir.path().join("statements.jsonl");
    let mut out = std::fs::File::create(&statements).unwrap();
    for migration in civicpulse_store::migrate::MIGRATIONS {
        for statement in civicpulse_store::migrate::statements(migration.sql) {
            writeln!(out, "{}", serde_json::to_string(&statement).unwrap()).unwrap();
        }
    }
    for statement in &logged {
        writeln!(out, "{}", serde_json::to_string(statement).unwrap()).unwrap();
    }
    drop(out);
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    for table in SAMPLED {
        let sample = pipeline
            .query(&format!(
                "SELECT * FROM {table} LIMIT 400 FORMAT JSONEachRow"
            ))
            .await
            .unwrap();
        std::fs::write(data.join(format!("{table}.jsonl")), sample).unwrap();
    }

    let output = Command::new(&python)
        .arg(repo_root().join("tests/chdb/replay.py"))
        .arg(dir.path().join("chdb"))
        .arg(&pipeline.database)
        .arg(&statements)
        .arg(&data)
        .output()
        .expect("the chDB replay runs");
    assert!(
        output.status.success(),
        "replay.py: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_slice(&output.stdout).expect("replay.py prints JSON");
    assert!(
        summary["engine"].as_str().unwrap().starts_with("26."),
        "{summary}"
    );
    let failed = summary["failed"].as_array().unwrap();
    assert!(
        failed.is_empty(),
        "{} of {} statements fail on ClickHouse {}:\n{}",
        failed.len(),
        summary["replayed"],
        summary["engine"],
        serde_json::to_string_pretty(failed).unwrap()
    );
    assert!(
        summary["replayed"].as_u64().unwrap() as usize > logged.len() / 2,
        "{summary}"
    );
}
