//! Prometheus metrics of the gateway and the sink, registered in the process-wide default
//! registry so that one `/metrics` shows every component running in the process.

use std::sync::LazyLock;

use prometheus::{
    register_histogram, register_histogram_vec, register_int_counter, register_int_counter_vec,
    register_int_gauge, register_int_gauge_vec, Histogram, HistogramVec, IntCounter, IntCounterVec,
    IntGauge, IntGaugeVec,
};

pub static EVENTS_ACCEPTED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "civicpulse_gateway_events_accepted_total",
        "Events acknowledged by Kafka, by kind.",
        &["kind"]
    )
    .expect("metric registers once")
});

pub static EVENTS_REJECTED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "civicpulse_gateway_events_rejected_total",
        "Events refused by validation, by the field at fault (`duplicate_in_batch` for repeats).",
        &["field"]
    )
    .expect("metric registers once")
});

pub static REQUESTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "civicpulse_gateway_requests_total",
        "Requests to POST /v1/events by HTTP status.",
        &["status"]
    )
    .expect("metric registers once")
});

pub static PUBLIC_FEEDBACK: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "civicpulse_gateway_public_feedback_total",
        "Submissions to POST /v1/public/feedback by site and outcome: `accepted` (or \
         `accepted_fast`, sent sooner than gateway.public.min_fill_ms after it was shown, kept), \
         a refusal's code (`rate_limited`, `origin_not_allowed`…), or `discarded_<reason>` for \
         one taken for a bot's (answered like a success).",
        &["site", "outcome"]
    )
    .expect("metric registers once")
});

pub static PRODUCE_SECONDS: LazyLock<Histogram> = LazyLock::new(|| {
    register_histogram!(
        "civicpulse_gateway_produce_seconds",
        "Time from handing a request's events to Kafka until all were acknowledged.",
        vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]
    )
    .expect("metric registers once")
});

pub static SINK_BATCH_ROWS: LazyLock<Histogram> = LazyLock::new(|| {
    register_histogram!(
        "civicpulse_sink_batch_rows",
        "Messages per batch written to ClickHouse.",
        prometheus::exponential_buckets(1.0, 4.0, 10).expect("valid buckets")
    )
    .expect("metric registers once")
});

pub static SINK_INSERT_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    register_histogram_vec!(
        "civicpulse_sink_insert_seconds",
        "Time of one successful INSERT into ClickHouse, by table.",
        &["table"],
        vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]
    )
    .expect("metric registers once")
});

pub static SINK_ROWS_WRITTEN: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "civicpulse_sink_rows_written_total",
        "Rows written to ClickHouse, by table (replays count again; storage deduplicates).",
        &["table"]
    )
    .expect("metric registers once")
});

pub static SINK_INSERT_FAILURES: LazyLock<IntCounter> = LazyLock::new(|| {
    register_int_counter!(
        "civicpulse_sink_insert_failures_total",
        "Failed INSERT attempts; each is retried with backoff."
    )
    .expect("metric registers once")
});

pub static SINK_DEAD_LETTERS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "civicpulse_sink_dead_letters_total",
        "Messages sent to the dead-letter topic, by source topic.",
        &["topic"]
    )
    .expect("metric registers once")
});

pub static SINK_OPEN_BATCH: LazyLock<IntGauge> = LazyLock::new(|| {
    register_int_gauge!(
        "civicpulse_sink_open_batch_messages",
        "Messages read into the batch that is not yet written (and so not yet committed)."
    )
    .expect("metric registers once")
});

pub static SINK_CONSUMER_LAG: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register_int_gauge_vec!(
        "civicpulse_sink_consumer_lag",
        "Messages between the last committed offset (i.e. stored in ClickHouse) and the end of each partition, from librdkafka's statistics.",
        &["topic", "partition"]
    )
    .expect("metric registers once")
});

pub static SINK_GROUP_LAG: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register_int_gauge_vec!(
        "civicpulse_sink_group_lag",
        "Messages between the group's committed offset and the end of each partition of the event topics, whichever member owns it (or none).",
        &["topic", "partition"]
    )
    .expect("metric registers once")
});

pub static SINK_GROUP_COMMITTED_OFFSET: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register_int_gauge_vec!(
        "civicpulse_sink_group_committed_offset",
        "The group's committed offset of each partition of the event topics: flat while its lag is above zero means nobody stores that partition.",
        &["topic", "partition"]
    )
    .expect("metric registers once")
});

pub static SINK_FORCED_REBALANCES: LazyLock<IntCounter> = LazyLock::new(|| {
    register_int_counter!(
        "civicpulse_sink_forced_rebalances_total",
        "Times this sink left and rejoined its group because partitions it does not own had stalled."
    )
    .expect("metric registers once")
});

pub static SINK_NEWEST_STORED: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register_int_gauge_vec!(
        "civicpulse_sink_newest_stored_event_timestamp_seconds",
        "When the gateway received the newest event this sink has stored, by table (Unix seconds): time() minus it is the pipeline's freshness.",
        &["table"]
    )
    .expect("metric registers once")
});

pub static DEPENDENCY_UP: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    register_int_gauge_vec!(
        "civicpulse_dependency_up",
        "1 when the last request of this process to a server it needs (kafka, clickhouse) succeeded, 0 when it failed.",
        &["dependency"]
    )
    .expect("metric registers once")
});

/// Touches every metric so `/metrics` lists them from the first scrape, before any traffic.
pub fn register_all() {
    LazyLock::force(&EVENTS_ACCEPTED);
    LazyLock::force(&EVENTS_REJECTED);
    LazyLock::force(&REQUESTS);
    LazyLock::force(&PUBLIC_FEEDBACK);
    LazyLock::force(&PRODUCE_SECONDS);
    LazyLock::force(&SINK_BATCH_ROWS);
    LazyLock::force(&SINK_INSERT_SECONDS);
    LazyLock::force(&SINK_ROWS_WRITTEN);
    LazyLock::force(&SINK_INSERT_FAILURES);
    LazyLock::force(&SINK_DEAD_LETTERS);
    LazyLock::force(&SINK_OPEN_BATCH);
    LazyLock::force(&SINK_CONSUMER_LAG);
    LazyLock::force(&SINK_GROUP_LAG);
    LazyLock::force(&SINK_GROUP_COMMITTED_OFFSET);
    LazyLock::force(&SINK_FORCED_REBALANCES);
    LazyLock::force(&SINK_NEWEST_STORED);
    LazyLock::force(&DEPENDENCY_UP);
}

/// Records whether `dependency` answered the last request.
pub fn dependency_answered(dependency: &str, answered: bool) {
    DEPENDENCY_UP
        .with_label_values(&[dependency])
        .set(i64::from(answered));
}
