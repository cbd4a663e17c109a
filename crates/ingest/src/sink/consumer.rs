//! The sink's Kafka consumer: a group member with manual commits, whose statistics feed
//! the consumer-lag gauge.

use civicpulse_core::config::{KafkaConfig, SinkConfig};
use rdkafka::consumer::{BaseConsumer, ConsumerContext, Rebalance, StreamConsumer};
use rdkafka::error::KafkaResult;
use rdkafka::{ClientConfig, ClientContext, Statistics};

use crate::metrics;

pub type SinkConsumer = StreamConsumer<LagReporter>;

/// Publishes librdkafka's per-partition consumer lag as a Prometheus gauge.
pub struct LagReporter;

impl ClientContext for LagReporter {
    fn stats(&self, statistics: Statistics) {
        for (topic_name, topic) in &statistics.topics {
            for (partition, stats) in &topic.partitions {
                // Partition -1 is librdkafka's internal "unassigned" queue; lag -1 is unknown.
                if *partition < 0 || stats.consumer_lag < 0 {
                    continue;
                }
                metrics::SINK_CONSUMER_LAG
                    .with_label_values(&[topic_name.as_str(), &partition.to_string()])
                    .set(stats.consumer_lag);
            }
        }
    }
}

/// Rebalances are logged: a sink that stops receiving is usually waiting on one.
impl ConsumerContext for LagReporter {
    fn pre_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        tracing::info!(rebalance = %describe(rebalance), "rebalance starting");
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        tracing::info!(rebalance = %describe(rebalance), "rebalance done");
    }
}

fn describe(rebalance: &Rebalance<'_>) -> String {
    match rebalance {
        Rebalance::Assign(partitions) => format!("assigned {} partitions", partitions.count()),
        Rebalance::Revoke(partitions) => format!("revoked {} partitions", partitions.count()),
        Rebalance::Error(error) => format!("error: {error}"),
    }
}

/// A consumer in the sink's group that never commits by itself: offsets are committed only
/// after the rows they cover are stored.
pub fn create(kafka: &KafkaConfig, sink: &SinkConfig) -> KafkaResult<SinkConsumer> {
    ClientConfig::new()
        .set("bootstrap.servers", &kafka.brokers)
        .set("group.id", &sink.group_id)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        // A crashed sink's partitions move to the survivors within this time.
        .set("session.timeout.ms", "10000")
        .set("statistics.interval.ms", "5000")
        // A subscribed topic created after the consumer started is noticed within seconds,
        // not librdkafka's default five minutes.
        .set("topic.metadata.refresh.interval.ms", "5000")
        .create_with_context(LagReporter)
}
