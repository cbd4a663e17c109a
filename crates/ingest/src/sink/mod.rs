//! The sink: a Kafka consumer group member that batches messages into ClickHouse.
//!
//! Guarantees, in the manner of Sentry's rust_snuba:
//! - offsets are committed only after ClickHouse accepted every row they cover (and the
//!   dead-letter topic acknowledged every message it could not store), so a crash replays
//!   and never loses;
//! - replays do not double-count: every table deduplicates by `event_id`
//!   (ReplacingMergeTree, read with FINAL);
//! - ClickHouse down means retry with backoff while the lag grows;
//! - SIGTERM writes and commits the open batch, then leaves the group;
//! - more sinks in the same group share the partitions, and a partition left unread (a
//!   member died and the coordinator did not reassign it) makes a sink rejoin the group
//!   (`group_lag`, `stall`).

pub mod batch;
pub mod consumer;
pub mod dead_letter;
pub mod decode;
pub mod group_lag;
pub mod rows;
pub mod stall;
pub mod writer;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use civicpulse_core::config::Config;
use civicpulse_core::EventKind;
use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::metrics;
use batch::{Batch, BatchLimits, Position};
use civicpulse_store::{Store, StoreError};
use consumer::SinkConsumer;
use dead_letter::{DeadLetter, DeadLetterProducer};
use writer::Writer;

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("Kafka: {0}")]
    Kafka(#[from] KafkaError),
}

/// Consumes until `shutdown`, then stores and commits what was read.
pub async fn run(config: &Config, shutdown: CancellationToken) -> Result<(), SinkError> {
    metrics::register_all();
    let store = Store::connect_with_retry(&config.clickhouse, Duration::from_secs(60)).await?;
    // Subscribing to a topic that does not exist yet (the gateway, started alongside, may
    // not have created it) leaves the consumer with no assignment until its next metadata
    // refresh; so make sure the topics exist. A broker that is down is not fatal here: the
    // consumer refreshes its metadata every few seconds and finds them later.
    if let Err(error) = crate::topics::ensure_topics(&config.kafka, &config.retention).await {
        tracing::warn!(%error, "cannot make sure the topics exist; consuming anyway");
    }
    let consumer = consumer::create(&config.kafka, &config.sink)?;
    let kinds: HashMap<String, EventKind> = EventKind::ALL
        .iter()
        .map(|kind| (config.kafka.topic(*kind), *kind))
        .collect();
    let topics: Vec<&str> = kinds.keys().map(String::as_str).collect();
    consumer.subscribe(&topics)?;
    let writer = Writer::new(
        store.client,
        DeadLetterProducer::new(&config.kafka)?,
        civicpulse_core::backoff::exponential(
            Duration::from_millis(config.sink.retry_initial_ms),
            Duration::from_millis(config.sink.retry_max_ms),
        ),
    );
    let limits = BatchLimits {
        max_rows: config.sink.max_rows,
        max_bytes: config.sink.max_bytes,
        max_wait: Duration::from_millis(config.sink.max_wait_ms),
    };
    tracing::info!(group = %config.sink.group_id, ?topics, "sink consuming");

    let mut batch = Batch::default();
    let rejoin = Arc::new(Notify::new());
    let watcher_stop = shutdown.child_token();
    let watcher = {
        let (kafka, sink) = (config.kafka.clone(), config.sink.clone());
        let topics: Vec<String> = topics.iter().map(|t| t.to_string()).collect();
        let (rejoin, stop) = (rejoin.clone(), watcher_stop.clone());
        tokio::spawn(async move {
            if let Err(error) = group_lag::watch(&kafka, &sink, topics, Some(rejoin), stop).await {
                tracing::error!(%error, "the group-lag watcher cannot start");
            }
        })
    };
    loop {
        let deadline = batch.deadline(&limits);
        let mut rejoin_requested = false;
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = sleep_until(deadline) => {}
            () = rejoin.notified() => rejoin_requested = true,
            received = consumer.recv() => match received {
                Ok(message) => {
                    read_into(&mut batch, &message, &kinds);
                    metrics::SINK_OPEN_BATCH.set(batch.messages() as i64);
                }
                Err(error) => {
                    tracing::warn!(%error, "Kafka consumer error");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            },
        }
        let due = deadline.is_some_and(|d| tokio::time::Instant::now() >= d);
        // Before leaving the group, store and commit what was read.
        if !batch.is_empty() && (rejoin_requested || due || batch.is_full(&limits)) {
            if writer.write(&batch, &shutdown).await.is_err() {
                break;
            }
            commit(&consumer, &batch);
            batch = Batch::default();
            metrics::SINK_OPEN_BATCH.set(0);
        }
        if rejoin_requested {
            rejoin_group(&consumer, &topics)?;
        }
    }
    watcher_stop.cancel();
    let _ = watcher.await;
    if !batch.is_empty() {
        shut_down_with(batch, &writer, &consumer).await;
    }
    tracing::info!("sink stopped");
    Ok(())
}

/// Leaves the group and joins it again, as a new member: the coordinator assigns every
/// partition afresh among the members it still has.
fn rejoin_group(consumer: &SinkConsumer, topics: &[&str]) -> Result<(), SinkError> {
    consumer.unsubscribe();
    consumer.subscribe(topics)?;
    metrics::SINK_FORCED_REBALANCES.inc();
    Ok(())
}

/// Writes the open batch on shutdown, giving ClickHouse a bounded time; what cannot be
/// written stays uncommitted and is replayed by the group's next member.
async fn shut_down_with(batch: Batch, writer: &Writer, consumer: &SinkConsumer) {
    let grace = CancellationToken::new();
    let timer = grace.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        timer.cancel();
    });
    match writer.write(&batch, &grace).await {
        Ok(()) => commit(consumer, &batch),
        Err(_) => tracing::warn!(
            messages = batch.messages(),
            "ClickHouse unavailable at shutdown: the open batch stays uncommitted and will be replayed"
        ),
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// Adds a message to the batch as rows, or as a dead letter when it cannot be stored.
fn read_into(batch: &mut Batch, message: &BorrowedMessage<'_>, kinds: &HashMap<String, EventKind>) {
    let position = Position {
        topic: message.topic().to_string(),
        partition: message.partition(),
        offset: message.offset(),
    };
    let bytes = message.payload_len();
    let decoded = match kinds.get(message.topic()) {
        Some(kind) => decode::decode(*kind, message.payload()),
        None => Err(format!("topic {} is not an event topic", message.topic())),
    };
    match decoded {
        Ok(rows) => batch.add(position, bytes, rows),
        Err(reason) => {
            tracing::warn!(topic = %position.topic, partition = position.partition, offset = position.offset, %reason, "dead-lettering message");
            let letter = DeadLetter {
                reason,
                source: position.clone(),
                key: message.key().map(<[u8]>::to_vec),
                payload: message.payload().map(<[u8]>::to_vec),
            };
            batch.add_dead_letter(position, bytes, letter);
        }
    }
}

/// Commits the batch's offsets. A failed commit (e.g. the partition moved to another sink
/// in a rebalance) only means those messages are read again, and storage deduplicates them.
fn commit(consumer: &SinkConsumer, batch: &Batch) {
    let mut offsets = TopicPartitionList::new();
    for (topic, partition, next) in batch.offsets_to_commit() {
        if let Err(error) = offsets.add_partition_offset(topic, partition, Offset::Offset(next)) {
            tracing::error!(%error, topic, partition, "cannot build the commit");
            return;
        }
    }
    let result = tokio::task::block_in_place(|| consumer.commit(&offsets, CommitMode::Sync));
    if let Err(error) = result {
        tracing::warn!(%error, "offset commit failed; the batch will be re-read and deduplicated");
    }
}
