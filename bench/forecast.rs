//! Breach forecast back-test on the simulator's surge.
//!
//! The simulator's history (BENCH_DAYS, default 150 days, BENCH_EVENTS events) gives
//! `passport-in-person` a surge of applications at 55–80 % of the window that pushes its
//! processing past the standard. Its milestones are validated as the gateway does and
//! stored as the sink does; the SLA evaluation runs once, as of now. Then, every 5 days
//! from 100 to 35 days ago (so that the cases open then have finished since), the forecast
//! is made as of that moment from what was open then and the 10 business days of
//! completions before it, and compared with what happened: how many of the cases open and
//! not yet breached then did breach.
//!
//! The references, in the same run: the queue alone (first in, first out at the recent
//! throughput, the forecast before issue 22) and the at-risk count (cases within the
//! standard's at-risk days of their due date), what the SlaCasesAtRisk alert shows.
//! Printed: each moment's forecast, references and actual breaches, and whether the
//! SlaBreachForecast alert's condition holds then (some option's forecast burn rate above
//! 3 with its first breach within 5 days); per regime (calm, surge) the totals, the mean
//! absolute error per moment of the forecast and of the queue alone; and whether the
//! forecast is within the stated tolerance in both.
//! Run with `bench/forecast.sh` (starts ClickHouse, builds in release); BENCH_CLICKHOUSE_URL
//! points it at another ClickHouse than the development one.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use civicpulse_aggregator::sla::evaluate::run_once;
use civicpulse_analytics::sla::forecast::{forecast_service, DEFAULT_WINDOW};
use civicpulse_core::calendar::local_date;
use civicpulse_core::config::ClickHouseConfig;
use civicpulse_core::{Catalog, Envelope, Event, Validator};
use civicpulse_ingest::sink::rows::{MilestoneRow, Rows};
use civicpulse_simulator::{generate, SimulateOptions};
use civicpulse_store::tables::{insert_all, sla_cases};
use civicpulse_store::{ClickHouseStore, Store};
use clickhouse::Client;
use uuid::Uuid;

const SERVICE: &str = "passport-in-person";
/// Over the surge's moments, and over the calm ones, the forecast's total breaches are
/// within this share of the actual total.
const TOLERANCE: f64 = 0.25;
/// The SlaBreachForecast alert's thresholds (deploy/alerts/sla.rules.yml).
const ALERT_BURN_RATE: f64 = 3.0;
const ALERT_FIRST_WITHIN_DAYS: i64 = 5;

fn main() {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(run());
}

/// One back-tested moment.
struct Moment {
    as_of: DateTime<Utc>,
    in_surge: bool,
    open: usize,
    forecast: usize,
    fifo: usize,
    reference: usize,
    actual: usize,
    /// The largest forecast burn rate of the service's options.
    burn_rate: f64,
    alert: bool,
}

async fn run() {
    let days = env_number("BENCH_DAYS", 150) as i64;
    let events = env_number("BENCH_EVENTS", 300_000) as usize;
    let catalog = Catalog::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog.toml"))
        .expect("catalog");
    let now = Utc::now();
    let config = ClickHouseConfig {
        database: format!(
            "bench_forecast_{}",
            &Uuid::new_v4().simple().to_string()[..8]
        ),
        url: std::env::var("BENCH_CLICKHOUSE_URL")
            .unwrap_or_else(|_| ClickHouseConfig::default().url),
        ..ClickHouseConfig::default()
    };
    civicpulse_store::migrate::run(&config)
        .await
        .expect("migrations");
    let client = Store::connect(&config).await.expect("ClickHouse").client;

    eprintln!("simulating {events} events over {days} days (setup)");
    let rows = simulated_milestones(&catalog, days, events, now);
    eprintln!("storing {} milestones and evaluating (setup)", rows.len());
    for chunk in rows.chunks(100_000) {
        insert_all(&client, chunk, None)
            .await
            .expect("milestones stored");
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    run_once(&client, &catalog, now, chrono::DateTime::UNIX_EPOCH)
        .await
        .expect("SLA evaluation");

    let service = catalog.service(SERVICE).expect("the surge service");
    let start = now - chrono::Duration::days(days);
    let mut moments = Vec::new();
    for back in (35..=100).rev().step_by(5) {
        let as_of = now - chrono::Duration::days(back);
        let forecasts = forecast_service(
            &ClickHouseStore::connected(client.clone()),
            &catalog,
            service,
            as_of,
            DEFAULT_WINDOW,
        )
        .await
        .expect("forecast");
        let fraction = (as_of - start).num_seconds() as f64 / (now - start).num_seconds() as f64;
        moments.push(Moment {
            as_of,
            in_surge: (0.55..0.80).contains(&fraction),
            open: forecasts.iter().map(|f| f.open).sum(),
            forecast: forecasts.iter().map(|f| f.forecast_breaches).sum(),
            fifo: forecasts.iter().map(|f| f.fifo_breaches).sum(),
            burn_rate: forecasts
                .iter()
                .filter_map(|f| f.forecast_burn_rate)
                .fold(0.0, f64::max),
            alert: forecasts.iter().any(|f| {
                f.forecast_burn_rate.is_some_and(|b| b > ALERT_BURN_RATE)
                    && f.first_breach_at.is_some_and(|t| {
                        t - as_of < chrono::Duration::days(ALERT_FIRST_WITHIN_DAYS)
                    })
            }),
            reference: at_risk_then(&client, &catalog, as_of).await,
            actual: forecasts
                .iter()
                .map(|f| f.actual_breaches.unwrap_or(0))
                .sum(),
        });
    }
    print(&moments, days, events);
    client
        .query(&format!("DROP DATABASE IF EXISTS {}", config.database))
        .execute()
        .await
        .expect("dropped");
}

/// The simulator's milestones of the surge service, as the gateway validates them and the
/// sink stores them (invalid events are dropped, as the gateway refuses them).
fn simulated_milestones(
    catalog: &Catalog,
    days: i64,
    events: usize,
    now: DateTime<Utc>,
) -> Vec<MilestoneRow> {
    let options = SimulateOptions {
        gateway_url: String::new(),
        api_key: String::new(),
        rate: 0.0,
        duration: Duration::ZERO,
        seed: 15,
        history_days: days,
        surge_service: SERVICE.into(),
        backfill: 0,
        live: false,
        outage_days_ago: None,
        until: None,
    };
    let validator = Validator::new(catalog);
    generate(catalog, &options, now, events)
        .into_iter()
        .filter_map(|value| validator.parse(value, now).ok())
        .filter(|event| matches!(event, Event::Milestone(m) if m.service_id == SERVICE))
        .filter_map(|event| {
            let received = event.occurred_at();
            match Rows::from_envelope(Envelope::new(event, "bench", received)) {
                Rows::Milestone(row) => Some(row),
                _ => None,
            }
        })
        .collect()
}

/// The reference: cases open at `as_of`, not yet breached, within the standard's at-risk
/// days of their due date (what the at-risk gauge showed then).
async fn at_risk_then(client: &Client, catalog: &Catalog, as_of: DateTime<Utc>) -> usize {
    let service = catalog.service(SERVICE).expect("the surge service");
    let calendar = catalog.calendar(&service.calendar).expect("its calendar");
    let policy = &service.sla[0];
    let today = local_date(as_of, service.time_zone);
    sla_cases::open_at(client, SERVICE, &policy.id, as_of)
        .await
        .expect("open cases")
        .iter()
        .map(|row| row.due_date)
        .filter(|due| *due >= today)
        .filter(|due| {
            calendar.business_days_between(today, *due) <= i64::from(policy.terms(None).at_risk)
        })
        .count()
}

fn print(moments: &[Moment], days: i64, events: usize) {
    println!();
    println!("Civic Pulse breach forecast back-test: {SERVICE}, the simulator's surge ({events} events over {days} days)");
    println!(
        "| as of | in the surge | open | forecast breaches | queue alone (before) | at-risk reference | actual breaches | burn rate | alert |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for m in moments {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.2} | {} |",
            m.as_of.format("%Y-%m-%d"),
            if m.in_surge { "yes" } else { "no" },
            m.open,
            m.forecast,
            m.fifo,
            m.reference,
            m.actual,
            m.burn_rate,
            if m.alert { "fires" } else { "quiet" }
        );
    }
    for (in_surge, name) in [(false, "calm (before the surge)"), (true, "in the surge")] {
        let chosen: Vec<&Moment> = moments.iter().filter(|m| m.in_surge == in_surge).collect();
        let n = chosen.len().max(1) as f64;
        let sum = |pick: fn(&Moment) -> usize| chosen.iter().map(|m| pick(m)).sum::<usize>();
        let mean_error = |pick: fn(&Moment) -> usize| {
            chosen
                .iter()
                .map(|m| (pick(m) as f64 - m.actual as f64).abs())
                .sum::<f64>()
                / n
        };
        let actual = sum(|m| m.actual);
        let off = |total: usize| (total as f64 - actual as f64) / (actual as f64).max(1.0);
        let (forecast, fifo) = (sum(|m| m.forecast), sum(|m| m.fifo));
        let alerts = chosen.iter().filter(|m| m.alert).count();
        println!(
            "{name}, {} moments: actual {actual}; forecast {forecast} ({:+.1} %, mean absolute error {:.1} a moment); \
             queue alone (before) {fifo} ({:+.1} %, {:.1}); at-risk reference {} ({:.1}); alert fires at {alerts} of {}",
            chosen.len(),
            off(forecast) * 100.0,
            mean_error(|m| m.forecast),
            off(fifo) * 100.0,
            mean_error(|m| m.fifo),
            sum(|m| m.reference),
            mean_error(|m| m.reference),
            chosen.len(),
        );
        println!(
            "  {name}: forecast {} the tolerance ({:.0} %)",
            if off(forecast).abs() <= TOLERANCE {
                "within"
            } else {
                "OUTSIDE"
            },
            TOLERANCE * 100.0
        );
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
