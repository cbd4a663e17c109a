//! Quality-matrix benchmark: one quarter (2026-Q3) of ≥ 50M raw events (BENCH_EVENTS) over
//! the catalog's services, generated inside ClickHouse and kept in `bench_matrix` between
//! runs (BENCH_REGENERATE=1 refills it). Prints, from one run:
//! - the one-off full rollup build;
//! - the reference: a plain `SELECT count()` scan of the quarter's raw rows;
//! - a matrix request through the dashboard API, cold (fresh API, nothing cached) and
//!   cached, in seconds and as ratios to the reference;
//! - for scale, the raw-table aggregation a matrix without rollups would need (feedback
//!   figures alone, FINAL).
//!
//! Run with `bench/matrix.sh` (starts ClickHouse, builds in release).

#[path = "support/timing.rs"]
mod timing;

use timing::median_of;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use civicpulse_aggregator::matrix::rollup::refresh_all;
use civicpulse_core::access::Role;
use civicpulse_core::{Catalog, Config};
use civicpulse_dashboard_api::ApiState;
use civicpulse_store::Store;
use civicpulse_testkit::config::token_of;
use clickhouse::Client;
use tokio_util::sync::CancellationToken;

const DATABASE: &str = "bench_matrix";
const TOKEN: &str = "bench-token";
const QUARTER_START: &str = "2026-07-01 00:00:00";
const QUARTER_SECONDS: u64 = 92 * 86_400;

fn main() {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(run());
}

async fn run() {
    let events: u64 = env_number("BENCH_EVENTS", 50_000_000);
    let mut config = Config::default();
    config.clickhouse.database = DATABASE.into();
    config.dashboard.tokens = vec![token_of("bench", TOKEN, Role::Viewer)];
    civicpulse_store::migrate::run(&config.clickhouse)
        .await
        .expect("migrations");
    let client = Store::connect(&config.clickhouse)
        .await
        .expect("ClickHouse")
        .client;
    let catalog = Arc::new(
        Catalog::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog.toml"))
            .expect("catalog"),
    );

    let stored = raw_rows(&client).await;
    if stored < events || std::env::var("BENCH_REGENERATE").is_ok() {
        generate(&client, &catalog, events).await;
    } else {
        eprintln!("reusing {stored} raw events in {DATABASE} (BENCH_REGENERATE=1 to refill)");
    }
    let stored = raw_rows(&client).await;

    // BENCH_KEEP_ROLLUPS=1 reuses the last run's rollups (the build is then not measured).
    let keep_rollups = std::env::var("BENCH_KEEP_ROLLUPS").is_ok();
    if !keep_rollups {
        for table in [
            "matrix_feedback_daily",
            "matrix_activity_daily",
            "matrix_sla_daily",
            "matrix_runs",
        ] {
            execute(&client, &format!("TRUNCATE TABLE {table}")).await;
        }
    }
    let started = Instant::now();
    refresh_all(&client, &catalog, recomputable_from())
        .await
        .expect("rollups");
    let build = started.elapsed();
    execute(&client, "OPTIMIZE TABLE matrix_feedback_daily FINAL").await;
    let rollup_rows: u64 = client
        .query("SELECT (SELECT count() FROM matrix_feedback_daily) + (SELECT count() FROM matrix_activity_daily) + (SELECT count() FROM matrix_sla_daily)")
        .fetch_one()
        .await
        .expect("rollup rows");

    let count_scan = median_of(5, || async {
        let started = Instant::now();
        let _: u64 = client
            .query(
                "SELECT (SELECT count() FROM feedback WHERE occurred_at >= toDateTime(?) AND occurred_at < toDateTime(?) + ?) \
                 + (SELECT count() FROM offered WHERE occurred_at >= toDateTime(?) AND occurred_at < toDateTime(?) + ?) \
                 + (SELECT count() FROM milestones WHERE occurred_at >= toDateTime(?) AND occurred_at < toDateTime(?) + ?)",
            )
            .bind(QUARTER_START).bind(QUARTER_START).bind(QUARTER_SECONDS)
            .bind(QUARTER_START).bind(QUARTER_START).bind(QUARTER_SECONDS)
            .bind(QUARTER_START).bind(QUARTER_START).bind(QUARTER_SECONDS)
            .fetch_one()
            .await
            .expect("count scan");
        started.elapsed()
    })
    .await;

    let http = reqwest::Client::new();
    let url = |port: u16| format!("http://127.0.0.1:{port}/api/v1/matrix?period=2026-Q3");
    let cold = median_of(3, || async {
        let (port, stop) = start_api(&catalog, &config).await;
        let started = Instant::now();
        let cells = get(&http, &url(port)).await;
        let elapsed = started.elapsed();
        assert!(cells > 0);
        stop.cancel();
        elapsed
    })
    .await;
    let (port, stop) = start_api(&catalog, &config).await;
    let cells = get(&http, &url(port)).await;
    let cached = median_of(20, || async {
        let started = Instant::now();
        get(&http, &url(port)).await;
        started.elapsed()
    })
    .await;
    stop.cancel();

    let raw_feedback = median_of(3, || async {
        let started = Instant::now();
        let _: Vec<(String, u64, u64)> = client
            .query(
                "SELECT service_id, count(), countIf(ifNull(satisfaction, 0) >= 4) FROM feedback FINAL \
                 WHERE occurred_at >= toDateTime(?) AND occurred_at < toDateTime(?) + ? GROUP BY service_id",
            )
            .bind(QUARTER_START).bind(QUARTER_START).bind(QUARTER_SECONDS)
            .fetch_all()
            .await
            .expect("raw aggregation");
        started.elapsed()
    })
    .await;

    // A day's new responses (1 % of the quarter's, all on its last day): the next run
    // recomputes only the slices they touch.
    let added = (stored / 100).max(1);
    let last_day = "toDateTime('2026-09-30 12:00:00') + (intHash32(number) % 36000)";
    insert_feedback(
        &client,
        &catalog,
        stored..stored + added,
        last_day,
        (stored / 10).max(1),
        "bench-day",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let started = Instant::now();
    let profile_from: u32 = client
        .query("SELECT toUInt32(now())")
        .fetch_one()
        .await
        .expect("now");
    let profiled = client.clone().with_setting("log_queries", "1");
    let runs = refresh_all(&profiled, &catalog, recomputable_from())
        .await
        .expect("incremental rollups");
    let incremental = started.elapsed();
    let days: u64 = runs.iter().map(|r| r.days_refreshed).sum();
    if std::env::var("BENCH_PROFILE").is_ok() {
        print_slowest_queries(&client, profile_from).await;
    }
    // Leave the stored quarter as it was for the next run.
    execute(
        &client,
        "ALTER TABLE feedback DELETE WHERE source = 'bench-day'",
    )
    .await;

    let seconds = |d: Duration| d.as_secs_f64();
    println!(
        "Matrix benchmark: {stored} raw events in 2026-Q3 over {} services",
        catalog.services.len()
    );
    println!(
        "  rollup build (full, once):           {:>8.2} s  ({rollup_rows} rollup rows)",
        seconds(build)
    );
    println!(
        "  reference: count() scan of raw rows: {:>8.3} s",
        seconds(count_scan)
    );
    println!(
        "  matrix request, cold:                {:>8.3} s  = {:.3} × the count scan  ({cells} cells)",
        seconds(cold),
        seconds(cold) / seconds(count_scan)
    );
    println!(
        "  matrix request, cached:              {:>8.4} s  = {:.4} × the count scan",
        seconds(cached),
        seconds(cached) / seconds(count_scan)
    );
    println!(
        "  incremental rollup run after {added} new responses: {:.2} s ({days} service-days) = {:.3} × the full build",
        seconds(incremental),
        seconds(incremental) / seconds(build)
    );
    println!(
        "  without rollups, feedback alone:     {:>8.3} s  = {:.1} × the count scan",
        seconds(raw_feedback),
        seconds(raw_feedback) / seconds(count_scan)
    );
}

/// BENCH_PROFILE=1: where the incremental run spent its time, from ClickHouse's query log.
async fn print_slowest_queries(client: &Client, from: u32) {
    execute(client, "SYSTEM FLUSH LOGS").await;
    let slowest: Vec<(u64, u64, String)> = client
        .query(
            "SELECT query_duration_ms, read_rows, substring(replaceRegexpAll(query, '\\s+', ' '), 1, 160) \
             FROM system.query_log WHERE type = 2 AND event_time >= toDateTime(?) AND query NOT LIKE '%query_log%' \
             ORDER BY query_duration_ms DESC LIMIT 12",
        )
        .bind(from)
        .fetch_all()
        .await
        .expect("query log");
    for (ms, rows, query) in slowest {
        eprintln!("{ms:>7} ms {rows:>10} rows  {query}");
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn execute(client: &Client, sql: &str) {
    client.query(sql).execute().await.expect(sql);
}

async fn raw_rows(client: &Client) -> u64 {
    client
        .query("SELECT (SELECT count() FROM feedback) + (SELECT count() FROM offered) + (SELECT count() FROM milestones)")
        .fetch_one()
        .await
        .expect("row count")
}

/// Fills the quarter inside ClickHouse (INSERT … SELECT FROM numbers): 40 % responses,
/// 30 % transactions, 30 % milestones of cases (received, then decided), with a closed SLA
/// case per decided case of services with a standard.
async fn generate(client: &Client, catalog: &Catalog, events: u64) {
    for table in ["feedback", "offered", "milestones", "sla_cases"] {
        execute(client, &format!("TRUNCATE TABLE {table}")).await;
    }
    let services = catalog
        .services
        .iter()
        .map(|s| format!("'{}'", s.id))
        .collect::<Vec<_>>()
        .join(", ");
    let service = format!(
        "arrayElement([{services}], (number % {}) + 1)",
        catalog.services.len()
    );
    let at = format!("toDateTime('{QUARTER_START}') + (intHash32(number) % {QUARTER_SECONDS})");
    let channel = "arrayElement(['web', 'app', 'phone', 'in_person', 'mail'], (intHash32(number + 1) % 5) + 1)";
    let (feedback, offered) = (events * 4 / 10, events * 3 / 10);
    let cases = (events - feedback - offered) / 2;
    let started = Instant::now();
    eprintln!("generating {events} raw events (setup, not timed)…");
    let chunk = 5_000_000;
    let mut offset = 0;
    while offset < feedback {
        let n = chunk.min(feedback - offset);
        insert_feedback(client, catalog, offset..offset + n, &at, cases, "bench").await;
        offset += n;
    }
    offset = 0;
    while offset < offered {
        let n = chunk.min(offered - offset);
        execute(client, &format!(
            "INSERT INTO offered (event_id, service_id, channel, stage, case_ref, survey_offered, occurred_at, received_at, source) \
             SELECT generateUUIDv4(), {service}, {channel}, 'outcome', '', toUInt8(intHash32(number + 13) % 3 != 0), {at}, {at}, 'bench' \
             FROM numbers({offset}, {n})"
        )).await;
        offset += n;
    }
    offset = 0;
    while offset < cases {
        let n = chunk.min(cases - offset);
        for (milestone, shift) in [("received", 0), ("decided", 86_400 * 9)] {
            execute(client, &format!(
                "INSERT INTO milestones (event_id, service_id, case_ref, milestone, channel, region, outcome, occurred_at, received_at, source) \
                 SELECT generateUUIDv4(), {service}, concat('c', toString(number)), '{milestone}', {channel}, 'ON', \
                   if('{milestone}' = 'decided', arrayElement(['approved', 'approved', 'refused', 'error'], (intHash32(number) % 4) + 1), ''), \
                   {at} + {shift}, {at} + {shift}, 'bench' \
                 FROM numbers({offset}, {n})"
            )).await;
        }
        offset += n;
    }
    for service in &catalog.services {
        let Some(policy) = service.sla.first() else {
            continue;
        };
        execute(client, &format!(
            "INSERT INTO sla_cases (service_id, policy, case_ref, started_at, stopped_at, elapsed_days, paused_days, \
               limit_days, due_date, status, late_days, refund_percent, refund_amount, currency, anomalies, evaluated_at, \
               channel, region) \
             SELECT service_id, '{policy}', case_ref, occurred_at, occurred_at + 86400 * 9, elapsed, 0, 10, \
               toDate(occurred_at + 86400 * 14), if(elapsed <= 10, 'met', 'breached'), greatest(elapsed - 10, 0), 0, 0, \
               'CAD', '', now(), channel, region \
             FROM (SELECT service_id, case_ref, occurred_at, channel, region, toInt32(intHash32(number_of_case) % 15) AS elapsed \
                   FROM (SELECT *, toUInt64(substring(case_ref, 2)) AS number_of_case FROM milestones \
                         WHERE milestone = 'received' AND service_id = '{service}'))",
            policy = policy.id,
            service = service.id,
        )).await;
    }
    eprintln!("generated in {:.0} s", started.elapsed().as_secs_f64());
}

/// Inserts `n` responses numbered from `offset`, at the time expression `at`.
async fn insert_feedback(
    client: &Client,
    catalog: &Catalog,
    rows: std::ops::Range<u64>,
    at: &str,
    cases: u64,
    source: &str,
) {
    let (offset, n) = (rows.start, rows.end - rows.start);
    let service = service_expression(catalog);
    let channel = CHANNEL;
    let answer = |salt: u32| {
        format!("if(intHash32(number + {salt}) % 7 = 0, NULL, toNullable(toUInt8(intHash32(number + {salt}) % 5 + 1)))")
    };
    execute(client, &format!(
        "INSERT INTO feedback (event_id, service_id, channel, stage, case_ref, occurred_at, received_at, source, \
           satisfaction, trust, need_met, ease, time_reasonable, fair, helpful_staff, helpful, has_comment, \
           age_band, region, language, disability) \
         SELECT generateUUIDv4(), {service}, {channel}, 'outcome', concat('c', toString(number % {cases})), {at}, {at}, '{source}', \
           {}, {}, {}, {}, {}, {}, {}, NULL, 0, \
           arrayElement(['18_24', '25_34', '45_54', '75_plus', ''], (intHash32(number + 9) % 5) + 1), \
           arrayElement(['ON', 'QC', 'BC', ''], (intHash32(number + 10) % 4) + 1), \
           if(intHash32(number + 11) % 4 = 0, 'fr', 'en'), toNullable(toUInt8(intHash32(number + 12) % 8 = 0)) \
         FROM numbers({offset}, {n})",
        answer(2), answer(3), answer(4), answer(5), answer(6), answer(7), answer(8)
    )).await;
}

const CHANNEL: &str =
    "arrayElement(['web', 'app', 'phone', 'in_person', 'mail'], (intHash32(number + 1) % 5) + 1)";

fn service_expression(catalog: &Catalog) -> String {
    let services = catalog
        .services
        .iter()
        .map(|s| format!("'{}'", s.id))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "arrayElement([{services}], (number % {}) + 1)",
        catalog.services.len()
    )
}

async fn start_api(catalog: &Arc<Catalog>, config: &Config) -> (u16, CancellationToken) {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
        listener.local_addr().expect("address").port()
    };
    let stop = CancellationToken::new();
    let state = ApiState::new(catalog.clone(), config);
    let addr = format!("127.0.0.1:{port}").parse().expect("address");
    tokio::spawn(civicpulse_dashboard_api::serve(addr, state, stop.clone()));
    for _ in 0..100 {
        if reqwest::get(format!("http://127.0.0.1:{port}/healthz"))
            .await
            .is_ok()
        {
            return (port, stop);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the API did not start");
}

async fn get(http: &reqwest::Client, url: &str) -> usize {
    let response = http
        .get(url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200, "{url}");
    let cells: Vec<serde_json::Value> = response.json().await.expect("JSON");
    cells.len()
}

/// The first day the rollups may recompute under the default retention.
fn recomputable_from() -> chrono::NaiveDate {
    civicpulse_core::retention::first_recomputable_day(
        chrono::Utc::now(),
        civicpulse_core::config::RetentionConfig::default().raw_events_days,
    )
}
