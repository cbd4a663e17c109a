//! Prometheus metrics of the aggregation loop, in the process-wide default registry (served
//! by `civicpulse aggregator` on `aggregator.metrics_listen`, or by `run`'s other
//! endpoints). A stale `last_success` means every figure downstream is stale too.

use std::sync::LazyLock;

use civicpulse_core::retention::DataKind;
use civicpulse_store::retention::KindState;
use prometheus::{
    register_gauge_vec, register_histogram, register_int_counter_vec, register_int_gauge, GaugeVec,
    Histogram, IntCounterVec, IntGauge,
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

pub static RETENTION_OLDEST_ROW_AGE: LazyLock<GaugeVec> = LazyLock::new(|| {
    register_gauge_vec!(
        "civicpulse_retention_oldest_row_age_days",
        "Age in days of the oldest row of each kind of data, measured on ClickHouse's clock after the aggregator applied retention (0 when none is stored).",
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
    for outcome in ["succeeded", "failed"] {
        RUNS.with_label_values(&[outcome]);
    }
    for kind in DataKind::ALL {
        RETENTION_ROWS_REMOVED.with_label_values(&[kind.as_str()]);
    }
}

/// Records a kind's state after retention was applied.
pub fn record_retention(state: &KindState) {
    let kind = state.kind.as_str();
    RETENTION_OLDEST_ROW_AGE
        .with_label_values(&[kind])
        .set(state.oldest_row_age_days);
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
