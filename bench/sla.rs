//! SLA evaluation benchmark: 1M open cases with 5 milestones each (BENCH_CASES to change).
//! Prints the full evaluation's seconds and cases/s, then the time of an incremental run
//! after 1 % of the cases changed, and of the next day's run, as ratios to the full run.
//! Run with `bench/sla.sh` (starts ClickHouse, builds in release).

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use civicpulse_aggregator::sla::evaluate::run_once;
use civicpulse_core::config::ClickHouseConfig;
use civicpulse_core::Catalog;
use civicpulse_ingest::sink::rows::MilestoneRow;
use civicpulse_store::tables::StoredRow;
use civicpulse_store::Store;
use uuid::Uuid;

fn main() {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(run());
}

async fn run() {
    let cases: usize = std::env::var("BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let config = ClickHouseConfig {
        database: format!("bench_sla_{}", &Uuid::new_v4().simple().to_string()[..8]),
        ..ClickHouseConfig::default()
    };
    civicpulse_store::migrate::run(&config)
        .await
        .expect("migrations");
    let client = Store::connect(&config).await.expect("ClickHouse").client;
    let catalog = Catalog::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog.toml"))
        .expect("catalog");

    eprintln!("inserting {cases} open cases × 5 milestones (setup, not timed)");
    let now = Utc::now();
    let kinds = ["received", "complete", "on_hold", "resumed", "decided"];
    let mut insert = client
        .insert::<MilestoneRow>(MilestoneRow::TABLE)
        .await
        .expect("insert");
    for case in 0..cases {
        let start = now - chrono::Duration::hours(1 + (case % (24 * 40)) as i64);
        for (step, kind) in kinds.iter().enumerate() {
            insert
                .write(&row(
                    case,
                    kind,
                    start + chrono::Duration::hours(step as i64 * 3),
                ))
                .await
                .expect("row written");
        }
        if case % 100_000 == 99_999 {
            insert.end().await.expect("insert ends");
            insert = client
                .insert::<MilestoneRow>(MilestoneRow::TABLE)
                .await
                .expect("insert");
        }
    }
    insert.end().await.expect("insert ends");
    // Rows inserted in the second a run starts are re-read by the next run: keep the setup
    // out of that second so the incremental figures show only the changed cases.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let started = Instant::now();
    let full = run_once(&client, &catalog, now).await.expect("full run");
    let full_secs = started.elapsed().as_secs_f64();
    let evaluated = |runs: &[civicpulse_aggregator::sla::evaluate::PolicyRun]| {
        runs.iter().map(|r| r.evaluated_cases).sum::<u64>()
    };

    // 1 % of the cases are dispatched; the next run the same day reads only those.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut insert = client
        .insert::<MilestoneRow>(MilestoneRow::TABLE)
        .await
        .expect("insert");
    for case in (0..cases).step_by(100) {
        insert
            .write(&row(case, "dispatched", now))
            .await
            .expect("row written");
    }
    insert.end().await.expect("insert ends");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let started = Instant::now();
    let incremental = run_once(&client, &catalog, Utc::now())
        .await
        .expect("incremental run");
    let incremental_secs = started.elapsed().as_secs_f64();

    // The next day every open case is read again, once.
    let started = Instant::now();
    let next_day = run_once(&client, &catalog, Utc::now() + chrono::Duration::days(1))
        .await
        .expect("next-day run");
    let next_day_secs = started.elapsed().as_secs_f64();

    println!();
    println!("Civic Pulse SLA evaluation benchmark: {cases} open cases × 5 milestones, ClickHouse on loopback");
    println!("| run | cases evaluated | seconds | cases/s | time / full run |");
    println!("|---|---|---|---|---|");
    for (name, runs, secs) in [
        ("full (first run)", &full, full_secs),
        (
            "incremental, same day, 1 % changed",
            &incremental,
            incremental_secs,
        ),
        (
            "incremental, next day (all open re-read)",
            &next_day,
            next_day_secs,
        ),
    ] {
        let n = evaluated(runs);
        println!(
            "| {name} | {n} | {secs:.2} | {:.0} | {:.3} |",
            n as f64 / secs,
            secs / full_secs
        );
    }
    println!(
        "| peak RSS of the evaluating process | {:.0} MB | | | |",
        peak_rss_mb()
    );
}

fn row(case: usize, kind: &str, at: chrono::DateTime<Utc>) -> MilestoneRow {
    MilestoneRow {
        event_id: Uuid::new_v4(),
        service_id: "passport-in-person".into(),
        case_ref: format!("case-{case:07}"),
        milestone: kind.into(),
        channel: "in_person".into(),
        region: "ON".into(),
        outcome: if kind == "decided" {
            "approved".into()
        } else {
            String::new()
        },
        occurred_at: at,
        received_at: at,
        source: "bench".into(),
    }
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}
