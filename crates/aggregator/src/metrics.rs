//! Prometheus metrics of the aggregation loop, in the process-wide default registry (served
//! by `civicpulse aggregator` on `aggregator.metrics_listen`, or by `run`'s other
//! endpoints). A stale `last_success` means every figure downstream is stale too.

use std::sync::LazyLock;

use prometheus::{
    register_histogram, register_int_counter_vec, register_int_gauge, Histogram, IntCounterVec,
    IntGauge,
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

/// Touches every metric so `/metrics` lists them before the first run ends.
pub fn register_all() {
    LazyLock::force(&LAST_SUCCESS);
    LazyLock::force(&RUN_SECONDS);
    for outcome in ["succeeded", "failed"] {
        RUNS.with_label_values(&[outcome]);
    }
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
