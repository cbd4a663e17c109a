//! SLA evaluation benchmark, in two databases built in the same run:
//! - `open`: 1M open cases with 5 milestones each (BENCH_CASES to change);
//! - `history`: the same open cases plus 9 closed cases of the two years before for each
//!   (BENCH_HISTORY, 10M cases in all), interleaved with them in case order.
//!
//! In each: a full evaluation, then incremental runs the same day after 1 % of the open
//! cases changed (the median of three), then the next day's run (every open case read
//! again). Printed: seconds, cases/s, the incremental run as a ratio to the full run, and
//! the 10M database's incremental run as a ratio to the 1M one's (the change log and the
//! month bound make it follow the changed cases, not the table).
//!
//! Business hours: the 1M database evaluated in full again with the passport standard
//! counted in business hours (85 opening hours, the calendar's 08:30–17:00) and again in
//! business days, twice each (the faster of each pair), as a ratio; and the pure rules
//! alone on the same cases in memory, both ways. Goal: business hours ≤ 1.2 × business days.
//! Run with `bench/sla.sh` (starts ClickHouse, builds in release).

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use civicpulse_aggregator::sla::evaluate::{run_once, PolicyRun};
use civicpulse_analytics::sla::rules::opening_schedule;
use civicpulse_analytics::sla::{evaluate, CaseMilestone, EvaluationContext, Status};
use civicpulse_core::config::ClickHouseConfig;
use civicpulse_core::event::MilestoneKind;
use civicpulse_core::sla::LimitUnit;
use civicpulse_core::Catalog;
use civicpulse_ingest::sink::rows::MilestoneRow;
use civicpulse_store::checkpoint;
use civicpulse_store::tables::milestones::{self, CasesToRead};
use civicpulse_store::tables::StoredRow;
use civicpulse_store::Store;
use clickhouse::Client;
use uuid::Uuid;

const SERVICE: &str = "passport-in-person";
const POLICY: &str = "processing";

fn main() {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(run());
}

/// One database under test and what its runs measured.
struct Scenario {
    name: String,
    config: ClickHouseConfig,
    client: Client,
    cases: u64,
    full: Measured,
    incremental: Measured,
    /// Of an incremental run: draining the changed cases' milestones alone (the read the
    /// sparse index decides), nothing evaluated or written.
    changed_read_seconds: f64,
    next_day: Measured,
}

#[derive(Default, Clone, Copy)]
struct Measured {
    cases: u64,
    seconds: f64,
}

async fn run() {
    let open = env_number("BENCH_CASES", 1_000_000);
    let history_per_open = env_number("BENCH_HISTORY", 9);
    let catalog = Catalog::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog.toml"))
        .expect("catalog");
    let now = Utc::now();

    let mut small = scenario("open cases only", open).await;
    eprintln!("inserting {open} open cases × 5 milestones (setup, not timed)");
    insert_open_cases(&small.client, open, now).await;
    let mut large = scenario(
        "with two years of closed cases",
        open * (1 + history_per_open),
    )
    .await;
    eprintln!(
        "copying them and adding {} closed cases × 3 milestones (setup, not timed)",
        open * history_per_open
    );
    copy_milestones(&large.client, &small.config.database).await;
    insert_history(&large.client, open, history_per_open, now).await;
    // Rows inserted in the second a run starts are re-read by the next run: keep the setup
    // out of that second so the incremental figures show only the changed cases.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    for scenario in [&mut small, &mut large] {
        scenario.full = timed_run(&scenario.client, &catalog, now).await;
    }
    for scenario in [&mut small, &mut large] {
        let (incremental, watermark) = incremental_runs(&scenario.client, &catalog, open).await;
        scenario.incremental = incremental;
        scenario.changed_read_seconds = changed_read(&scenario.client, watermark).await;
        scenario.next_day = timed_run(
            &scenario.client,
            &catalog,
            Utc::now() + chrono::Duration::days(1),
        )
        .await;
    }
    print(&small, &large, open);
    let hours = business_hours_runs(&small.client, &catalog).await;
    let rules = rules_alone(&catalog, open, now);
    print_business_hours(hours, rules, open);
    for scenario in [&small, &large] {
        drop_database(&scenario.client, &scenario.config.database).await;
    }
}

async fn scenario(name: &str, cases: u64) -> Scenario {
    let config = ClickHouseConfig {
        database: format!("bench_sla_{}", &Uuid::new_v4().simple().to_string()[..8]),
        // BENCH_PROFILE=1: every statement in system.query_log, for print_slowest_queries.
        log_statements: std::env::var("BENCH_PROFILE").is_ok(),
        ..ClickHouseConfig::default()
    };
    civicpulse_store::migrate::run(&config)
        .await
        .expect("migrations");
    let client = Store::connect(&config).await.expect("ClickHouse").client;
    Scenario {
        name: name.into(),
        config,
        client,
        cases,
        full: Measured::default(),
        incremental: Measured::default(),
        changed_read_seconds: 0.0,
        next_day: Measured::default(),
    }
}

/// Open cases `case-0000000`…, started over the last 40 days, 5 milestones each.
async fn insert_open_cases(client: &Client, cases: u64, now: DateTime<Utc>) {
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
}

/// The open cases' milestones, copied inside ClickHouse.
async fn copy_milestones(client: &Client, from_database: &str) {
    let columns = "event_id, service_id, case_ref, milestone, channel, region, outcome, \
         occurred_at, received_at, source, service_option";
    execute(
        client,
        &format!(
            "INSERT INTO milestones ({columns}) SELECT {columns} FROM {from_database}.milestones"
        ),
    )
    .await;
}

/// `per_open` closed cases beside each open one (`case-0000042-0`… sort right after
/// `case-0000042`), started 45 days to two years ago, each complete → decided → dispatched
/// in 8 days. Generated inside ClickHouse.
async fn insert_history(client: &Client, open: u64, per_open: u64, now: DateTime<Utc>) {
    let sql = format!(
        "INSERT INTO milestones (event_id, service_id, case_ref, milestone, channel, region, outcome, occurred_at, received_at, source) \
         SELECT generateUUIDv4(), '{SERVICE}', \
                concat('case-', substring(toString(10000000 + intDiv(number, {per_open})), 2), '-', toString(number % {per_open})), \
                tupleElement(step, 1), 'in_person', 'ON', if(tupleElement(step, 1) = 'decided', 'approved', ''), at, at, 'bench' \
         FROM (SELECT number, arrayJoin([('complete', 0), ('decided', 5), ('dispatched', 8)]) AS step, \
                      toDateTime({start} - 86400 * (45 + number % 700) + 86400 * tupleElement(step, 2)) AS at \
               FROM numbers({n}))",
        start = now.timestamp(),
        n = open * per_open,
    );
    execute(client, &sql).await;
}

/// Three rounds of: 1 % of the open cases dispatched, then a run the same day, which reads
/// only those; the median round.
/// Also returns the server's clock before the last round's changes, a watermark from
/// which exactly that round's cases read again.
async fn incremental_runs(client: &Client, catalog: &Catalog, open: u64) -> (Measured, u32) {
    let mut rounds = Vec::with_capacity(3);
    let mut watermark = 0;
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1100)).await;
        watermark = checkpoint::server_clock(client)
            .await
            .expect("server clock");
        let mut insert = client
            .insert::<MilestoneRow>(MilestoneRow::TABLE)
            .await
            .expect("insert");
        for case in (0..open).step_by(100) {
            insert
                .write(&row(case, "dispatched", Utc::now()))
                .await
                .expect("row written");
        }
        insert.end().await.expect("insert ends");
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let from = Utc::now().timestamp();
        rounds.push(timed_run(client, catalog, Utc::now()).await);
        if std::env::var("BENCH_PROFILE").is_ok() {
            print_slowest_queries(client, from).await;
        }
    }
    rounds.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    (rounds[1], watermark)
}

/// Seconds to drain the milestones of the cases changed since `watermark`, the way an
/// incremental run reads them (median of three).
async fn changed_read(client: &Client, watermark: u32) -> f64 {
    let mut samples = Vec::with_capacity(3);
    for _ in 0..3 {
        let started = Instant::now();
        let cases = CasesToRead::ChangedSince {
            watermark,
            open_evaluated_before: None,
            // As a run does: cases with milestones dated after the last run.
            occurred_after: watermark,
        };
        let mut cursor = milestones::cases_cursor(client, SERVICE, POLICY, cases)
            .await
            .expect("cursor");
        let mut rows = 0u64;
        while cursor.next().await.expect("row").is_some() {
            rows += 1;
        }
        assert!(rows >= 10_000, "read the changed cases: {rows} rows");
        samples.push(started.elapsed().as_secs_f64());
    }
    samples.sort_by(f64::total_cmp);
    samples[1]
}

/// BENCH_PROFILE=1: where an incremental run spent its time, from ClickHouse's query log.
async fn print_slowest_queries(client: &Client, from: i64) {
    execute(client, "SYSTEM FLUSH LOGS").await;
    let slowest: Vec<(u64, u64, String)> = client
        .query(
            "SELECT query_duration_ms, read_rows, substring(replaceRegexpAll(query, '\\s+', ' '), 1, 140) \
             FROM system.query_log WHERE type = 2 AND event_time >= toDateTime(?) AND query NOT LIKE '%query_log%' \
             ORDER BY query_duration_ms DESC LIMIT 8",
        )
        .bind(from)
        .fetch_all()
        .await
        .expect("query log");
    for (ms, rows, query) in slowest {
        eprintln!("{ms:>7} ms {rows:>10} rows  {query}");
    }
}

async fn timed_run(client: &Client, catalog: &Catalog, as_of: DateTime<Utc>) -> Measured {
    let started = Instant::now();
    let runs = run_once(client, catalog, as_of, chrono::DateTime::UNIX_EPOCH)
        .await
        .expect("SLA run");
    Measured {
        cases: evaluated(&runs),
        seconds: started.elapsed().as_secs_f64(),
    }
}

fn evaluated(runs: &[PolicyRun]) -> u64 {
    runs.iter().map(|r| r.evaluated_cases).sum()
}

fn print(small: &Scenario, large: &Scenario, open: u64) {
    println!();
    println!("Civic Pulse SLA evaluation benchmark: {open} open cases × 5 milestones, ClickHouse on loopback");
    println!("| database | run | cases evaluated | seconds | cases/s | time / its full run |");
    println!("|---|---|---|---|---|---|");
    for scenario in [small, large] {
        for (run, measured) in [
            ("full (first run)", scenario.full),
            (
                "incremental, same day, 1 % of open changed (median of 3)",
                scenario.incremental,
            ),
            (
                "incremental, next day (all open re-read)",
                scenario.next_day,
            ),
        ] {
            println!(
                "| {} cases, {} | {run} | {} | {:.2} | {:.0} | {:.3} |",
                scenario.cases,
                scenario.name,
                measured.cases,
                measured.seconds,
                measured.cases as f64 / measured.seconds,
                measured.seconds / scenario.full.seconds
            );
        }
    }
    for scenario in [small, large] {
        println!(
            "of that incremental run at {} cases, reading the changed cases' milestones alone: {:.2} s = {:.3} × the full run",
            scenario.cases,
            scenario.changed_read_seconds,
            scenario.changed_read_seconds / scenario.full.seconds
        );
    }
    println!(
        "incremental run at {} cases / at {} cases: {:.2} (same changed cases; goal: about 1)",
        large.cases,
        small.cases,
        large.incremental.seconds / small.incremental.seconds
    );
    println!(
        "incremental / full at {} cases: {:.3} (goal ≤ 0.05)",
        small.cases,
        small.incremental.seconds / small.full.seconds
    );
    println!(
        "peak RSS of the evaluating process: {:.0} MB",
        peak_rss_mb()
    );
}

/// The shipped catalog with the passport standard counted in business hours: 10 days of
/// the calendar's 8.5 opening hours, no options (so one limit applies to every case).
fn business_hours_catalog(catalog: &Catalog) -> Catalog {
    let mut hours = catalog.clone();
    let service = hours
        .services
        .iter_mut()
        .find(|s| s.id == SERVICE)
        .expect("the passport service");
    let policy = &mut service.sla[0];
    policy.unit = LimitUnit::BusinessHours;
    policy.limit = 85;
    policy.options.clear();
    policy.default_option = None;
    hours
}

/// Full runs of the open cases in business hours and in business days, alternating (each
/// changes the fingerprint, so each is a full run); the faster of two of each.
async fn business_hours_runs(client: &Client, catalog: &Catalog) -> (Measured, Measured) {
    let hours_catalog = business_hours_catalog(catalog);
    let (mut hours, mut days) = (Vec::new(), Vec::new());
    for _ in 0..2 {
        hours.push(timed_run(client, &hours_catalog, Utc::now()).await);
        days.push(timed_run(client, catalog, Utc::now()).await);
    }
    let fastest = |runs: &[Measured]| {
        *runs
            .iter()
            .min_by(|a, b| a.seconds.total_cmp(&b.seconds))
            .expect("two runs")
    };
    (fastest(&hours), fastest(&days))
}

/// Seconds the pure rules take over `cases` in-memory cases like the bench's open ones, in
/// business hours and in business days.
fn rules_alone(catalog: &Catalog, cases: u64, now: DateTime<Utc>) -> (f64, f64) {
    let hours_catalog = business_hours_catalog(catalog);
    let kinds = [
        MilestoneKind::Received,
        MilestoneKind::Complete,
        MilestoneKind::OnHold,
        MilestoneKind::Resumed,
        MilestoneKind::Decided,
    ];
    let milestones: Vec<Vec<CaseMilestone>> = (0..cases)
        .map(|case| {
            let start = now - chrono::Duration::hours(1 + (case % (24 * 40)) as i64);
            kinds
                .iter()
                .enumerate()
                .map(|(step, kind)| CaseMilestone {
                    at: start + chrono::Duration::hours(step as i64 * 3),
                    kind: *kind,
                    outcome: None,
                })
                .collect()
        })
        .collect();
    let time = |catalog: &Catalog| {
        let service = catalog.service(SERVICE).expect("the passport service");
        let calendar = catalog.calendar(&service.calendar).expect("its calendar");
        // As a run does: the opening schedule is built once, for every case.
        let schedule = opening_schedule(&service.sla[0], calendar, service.time_zone, now);
        let context = EvaluationContext {
            policy: &service.sla[0],
            calendar,
            zone: service.time_zone,
            exceptions: &[],
            remissions: &catalog.remissions,
            schedule: schedule.as_ref(),
        };
        let started = Instant::now();
        let mut breached = 0u64;
        for case in &milestones {
            let evaluation = evaluate(&context, case, None, now);
            breached += u64::from(evaluation.status == Status::Breached);
        }
        std::hint::black_box(breached);
        started.elapsed().as_secs_f64()
    };
    // Warm up once, then measure each unit.
    time(catalog);
    (time(&hours_catalog), time(catalog))
}

fn print_business_hours(runs: (Measured, Measured), rules: (f64, f64), open: u64) {
    let ((hours, days), (rules_hours, rules_days)) = (runs, rules);
    println!();
    println!("business hours vs business days, {open} open cases, same run");
    println!("| evaluation | business days (s) | business hours (s) | hours / days |");
    println!("|---|---|---|---|");
    println!(
        "| full run (read, evaluate, write; faster of two) | {:.2} | {:.2} | {:.3} |",
        days.seconds,
        hours.seconds,
        hours.seconds / days.seconds
    );
    println!(
        "| the pure rules alone, in memory | {rules_days:.2} | {rules_hours:.2} | {:.3} |",
        rules_hours / rules_days
    );
    println!("goal: business hours ≤ 1.2 × business days for the full run");
}

fn row(case: u64, kind: &str, at: DateTime<Utc>) -> MilestoneRow {
    MilestoneRow {
        event_id: Uuid::new_v4(),
        service_id: SERVICE.into(),
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
        service_option: String::new(),
    }
}

async fn execute(client: &Client, sql: &str) {
    client.query(sql).execute().await.expect(sql);
}

async fn drop_database(client: &Client, database: &str) {
    execute(client, &format!("DROP DATABASE IF EXISTS {database}")).await;
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}
