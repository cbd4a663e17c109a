//! The group's lag on every partition of the event topics — the group's committed offset
//! against the partition's high watermark — whichever member owns it, or none.
//!
//! librdkafka's own statistics (`civicpulse_sink_consumer_lag`) cover only the partitions
//! assigned to this consumer, so a partition nobody read showed no lag at all and no alert
//! could fire. A watcher beside the sink's consumer measures them all (its own client in
//! the group's name, which never joins the group, so the broker round trips never hold up
//! consumption), publishes the gauges and asks the sink to rejoin its group when the
//! [`StallDetector`] says so.
//!
//! The gateway runs one too, measuring only: when every sink is down, no sink publishes
//! the lag, and the lag alerts must still see the messages waiting.

use std::sync::Arc;
use std::time::{Duration, Instant};

use civicpulse_core::config::{KafkaConfig, SinkConfig};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaResult;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::stall::{PartitionLag, StallDetector, Verdict};
use crate::metrics;

/// Each broker request of a measurement waits at most this long.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// The event topics a sink group reads.
pub fn event_topics(kafka: &KafkaConfig) -> Vec<String> {
    civicpulse_core::EventKind::ALL
        .iter()
        .map(|kind| kafka.topic(*kind))
        .collect()
}

/// Measures every `sink.group_check_secs` until `stop`; notifies `rejoin` (when given: a
/// sink's own watcher) when partitions have stalled for `sink.stall_rebalance_secs`.
pub async fn watch(
    kafka: &KafkaConfig,
    sink: &SinkConfig,
    topics: Vec<String>,
    rejoin: Option<Arc<Notify>>,
    stop: CancellationToken,
) -> KafkaResult<()> {
    let client: Arc<BaseConsumer> = Arc::new(
        ClientConfig::new()
            .set("bootstrap.servers", &kafka.brokers)
            .set("group.id", &sink.group_id)
            .set("enable.auto.commit", "false")
            .create()?,
    );
    let mut detector = StallDetector::new(Duration::from_secs(sink.stall_rebalance_secs));
    let every = Duration::from_secs(sink.group_check_secs.max(1));
    loop {
        tokio::select! {
            () = stop.cancelled() => return Ok(()),
            () = tokio::time::sleep(every) => {}
        }
        let (client, topics) = (client.clone(), topics.clone());
        let measured = tokio::task::spawn_blocking(move || measure(&client, &topics)).await;
        match measured {
            Ok(Ok(partitions)) => {
                metrics::dependency_answered("kafka", true);
                let Some(rejoin) = &rejoin else { continue };
                if let Verdict::Rebalance { stalled } =
                    detector.observe(Instant::now(), &partitions)
                {
                    tracing::warn!(?stalled, "partitions with messages waiting and no commit: leaving and rejoining the group");
                    rejoin.notify_one();
                }
            }
            Ok(Err(error)) => {
                metrics::dependency_answered("kafka", false);
                tracing::warn!(%error, "cannot measure the group's lag");
            }
            Err(error) => tracing::warn!(%error, "the group-lag measurement failed"),
        }
    }
}

/// Measures every partition of `topics` (blocking broker requests) and publishes the
/// gauges.
fn measure(client: &BaseConsumer, topics: &[String]) -> KafkaResult<Vec<PartitionLag>> {
    let mut wanted = TopicPartitionList::new();
    for topic in topics {
        let metadata = client.fetch_metadata(Some(topic), REQUEST_TIMEOUT)?;
        for partition in metadata.topics().iter().flat_map(|t| t.partitions()) {
            wanted.add_partition(topic, partition.id());
        }
    }
    let committed = client.committed_offsets(wanted, REQUEST_TIMEOUT)?;
    let mut measured = Vec::new();
    for element in committed.elements() {
        let (topic, partition) = (element.topic(), element.partition());
        let (low, high) = client.fetch_watermarks(topic, partition, REQUEST_TIMEOUT)?;
        let committed = match element.offset() {
            Offset::Offset(offset) => offset,
            // Nothing committed yet: the group starts from the earliest message.
            _ => low,
        };
        let lag = (high - committed).max(0);
        let labels = [topic, &partition.to_string()];
        metrics::SINK_GROUP_LAG.with_label_values(&labels).set(lag);
        metrics::SINK_GROUP_COMMITTED_OFFSET
            .with_label_values(&labels)
            .set(committed);
        measured.push(PartitionLag {
            topic: topic.to_string(),
            partition,
            committed,
            lag,
        });
    }
    // Dropped before the client can be: a list outliving it can block its destroy.
    drop(committed);
    Ok(measured)
}
