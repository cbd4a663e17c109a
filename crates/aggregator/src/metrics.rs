//! Prometheus metrics of the aggregation loop, in the process-wide default registry (served
//! by `civicpulse aggregator` on `aggregator.metrics_listen`, or by `run`'s other
//! endpoints). A stale `last_success` means every figure downstream is stale too.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use civicpulse_core::config::RetentionConfig;
use civicpulse_core::retention::DataKind;
use civicpulse_store::retention::KindState;
use prometheus::{
    register_gauge_vec, register_histogram, register_int_counter, register_int_counter_vec,
    register_int_gauge, register_int_gauge_vec, GaugeVec, Histogram, IntCounter, IntCounterVec,
    IntGauge, IntGaugeVec,
};

pub static LAST_SUCCESS: LazyLock<IntGauge> = LazyLock::new(|| {
    register_int_gauge!(
        "civicpulse_aggregator_last_success_timestamp_seconds",
        "When the last aggregation run (SLA, rollups, snapshots) finished without error (Unix seconds); 0 before the first."
    )
    .expect("metric registers once")
});

pub static RUN_SECONDS: LazyLock<Histogram> = LazyLock::new(|| {
    register_histogram!(
        "civicpulse_aggregator_run_seconds",
        "How long each aggregation run took, failed ones included.",
        vec![0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0]
    )
    .expect("metric registers once")
});

pub static RUNS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "civicpulse_aggregator_runs_total",
        "Aggregation runs by outcome (`succeeded`, `failed`).",
        &["outcome"]
    )
    .expect("metric registers once")
});

pub static RETENTION_OLDEST_ROW: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register_int_gauge_vec!(
        "civicpulse_retention_oldest_row_timestamp_seconds",
        "When the oldest row of each kind of data is dated (Unix seconds), read from ClickHouse at each run's retention step; when a kind holds no rows, when it was looked for. A retention that stops leaves it as it was, and its age keeps growing.",
        &["kind"]
    )
    .expect("metric registers once")
});

pub static RETENTION_LIMIT: LazyLock<GaugeVec> = LazyLock::new(|| {
    register_gauge_vec!(
        "civicpulse_retention_limit_days",
        "Each kind of data's configured retention in days (whole months go once all their rows are older).",
        &["kind"]
    )
    .expect("metric registers once")
});

pub static RETENTION_FAILURES: LazyLock<IntCounter> = LazyLock::new(|| {
    register_int_counter!(
        "civicpulse_retention_failures_total",
        "Retention steps that failed (the run is counted failed too); the aggregator's log says which kind and why."
    )
    .expect("metric registers once")
});

pub static RETENTION_ROWS_REMOVED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "civicpulse_retention_rows_removed_total",
        "Rows removed because their kind's retention ended.",
        &["kind"]
    )
    .expect("metric registers once")
});

/// Touches every metric so `/metrics` lists them before the first run ends.
pub fn register_all() {
    LazyLock::force(&LAST_SUCCESS);
    LazyLock::force(&RUN_SECONDS);
    LazyLock::force(&RETENTION_FAILURES);
    for outcome in ["succeeded", "failed"] {
        RUNS.with_label_values(&[outcome]);
    }
    for kind in DataKind::ALL {
        RETENTION_ROWS_REMOVED.with_label_values(&[kind.as_str()]);
    }
}

/// Records each kind's configured retention, known before any run.
pub fn record_retention_limits(config: &RetentionConfig) {
    for kind in DataKind::ALL {
        RETENTION_LIMIT
            .with_label_values(&[kind.as_str()])
            .set(f64::from(config.days(kind)));
    }
}

/// Records a kind's oldest row as measured at `measured_at`; with none stored, the
/// measurement's own time (no row is older), so the alert still sees it age if no later
/// measurement comes.
pub fn record_oldest_row(
    kind: DataKind,
    oldest_row: Option<DateTime<Utc>>,
    measured_at: DateTime<Utc>,
) {
    RETENTION_OLDEST_ROW
        .with_label_values(&[kind.as_str()])
        .set(oldest_row.unwrap_or(measured_at).timestamp());
}

/// Records a kind's state after retention was applied.
pub fn record_retention(state: &KindState) {
    let kind = state.kind.as_str();
    record_oldest_row(state.kind, state.oldest_row, state.measured_at);
    RETENTION_LIMIT
        .with_label_values(&[kind])
        .set(f64::from(state.limit_days));
    let removed: u64 = state.expired.iter().map(|e| e.rows).sum();
    RETENTION_ROWS_REMOVED
        .with_label_values(&[kind])
        .inc_by(removed);
}

/// Records one run that took `seconds`.
pub fn record_run(seconds: f64, succeeded: bool, finished_at: i64) {
    RUN_SECONDS.observe(seconds);
    let outcome = if succeeded { "succeeded" } else { "failed" };
    RUNS.with_label_values(&[outcome]).inc();
    if succeeded {
        LAST_SUCCESS.set(finished_at);
    }
}
