//! The gateway's Kafka producer: idempotent, `acks=all`, and a request is answered only
//! once every one of its messages is acknowledged, so a 2xx means the events are durable.
//!
//! The gateway holds an [`EventProducer`]: Kafka ([`KafkaProducer`]) in production, and
//! [`MemoryProducer`] in the in-process tests, which records what would have been sent.

use std::time::Duration;

use civicpulse_core::config::{GatewayConfig, KafkaConfig};
use futures::future::join_all;
use rdkafka::error::KafkaError;
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::ClientConfig;

#[derive(Debug, thiserror::Error)]
pub enum ProduceError {
    /// The local queue is full: the broker is slower than the clients, or down.
    #[error("producer queue is full")]
    QueueFull,
    /// A message was not acknowledged in time, or the broker refused it.
    #[error("Kafka did not acknowledge: {0}")]
    NotAcknowledged(KafkaError),
    #[error("Kafka producer: {0}")]
    Client(#[from] KafkaError),
}

/// One message to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub topic: String,
    pub key: String,
    pub payload: Vec<u8>,
}

/// Where the gateway sends what it accepts.
#[async_trait::async_trait]
pub trait EventProducer: Send + Sync {
    /// Sends every message and waits for every acknowledgement; fails if any fails, and the
    /// caller then reports none of them accepted.
    async fn send_all(&self, messages: &[Outgoing]) -> Result<(), ProduceError>;
    /// Whether the broker answers now (readiness).
    async fn reachable(&self) -> bool;
}

#[derive(Clone)]
pub struct KafkaProducer {
    producer: FutureProducer,
}

impl KafkaProducer {
    pub fn new(kafka: &KafkaConfig, gateway: &GatewayConfig) -> Result<Self, ProduceError> {
        let producer = ClientConfig::new()
            .set("bootstrap.servers", &kafka.brokers)
            .set(
                "enable.idempotence",
                gateway.idempotent_producer.to_string(),
            )
            .set("acks", "all")
            // What idempotence implies, kept without it: a few large requests in flight per
            // connection rather than many small ones, which the broker serves faster.
            .set("max.in.flight.requests.per.connection", "5")
            .set(
                "message.timeout.ms",
                gateway.delivery_timeout_ms.to_string(),
            )
            .set(
                "queue.buffering.max.messages",
                gateway.producer_queue_messages.to_string(),
            )
            .set("linger.ms", "5")
            .create()?;
        Ok(KafkaProducer { producer })
    }

    /// The underlying producer, for metadata requests.
    pub fn inner(&self) -> &FutureProducer {
        &self.producer
    }

    /// Waits for queued messages on shutdown.
    pub fn flush(&self, timeout: Duration) {
        if let Err(error) = self.producer.flush(timeout) {
            tracing::warn!(%error, "producer flush on shutdown did not complete");
        }
    }
}

#[async_trait::async_trait]
impl EventProducer for KafkaProducer {
    /// Enqueues every message, then waits for every acknowledgement. Messages of a failed
    /// call may still have reached Kafka; a client's retry is safe because storage
    /// deduplicates by `event_id`.
    async fn send_all(&self, messages: &[Outgoing]) -> Result<(), ProduceError> {
        let mut deliveries = Vec::with_capacity(messages.len());
        for message in messages {
            let record = FutureRecord::to(&message.topic)
                .key(&message.key)
                .payload(&message.payload);
            match self.producer.send_result(record) {
                Ok(delivery) => deliveries.push(delivery),
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    return Err(ProduceError::QueueFull)
                }
                Err((error, _)) => return Err(ProduceError::Client(error)),
            }
        }
        for outcome in join_all(deliveries).await {
            match outcome {
                Ok(Ok(_)) => {}
                Ok(Err((error, _))) => return Err(ProduceError::NotAcknowledged(error)),
                Err(_canceled) => return Err(ProduceError::NotAcknowledged(KafkaError::Canceled)),
            }
        }
        Ok(())
    }

    async fn reachable(&self) -> bool {
        let producer = self.producer.clone();
        tokio::task::spawn_blocking(move || {
            producer
                .client()
                .fetch_metadata(None, Duration::from_secs(2))
                .is_ok()
        })
        .await
        .unwrap_or(false)
    }
}

/// The producer of the in-process tests: every message sent is kept, in order, and
/// [`MemoryProducer::set_down`] makes it refuse as a broker that stopped answering. It lives
/// here rather than in the test kit so that this crate's own tests can hold it.
#[derive(Debug, Default)]
pub struct MemoryProducer {
    sent: std::sync::Mutex<Vec<Outgoing>>,
    down: std::sync::atomic::AtomicBool,
}

impl MemoryProducer {
    /// Every message acknowledged so far.
    pub fn sent(&self) -> Vec<Outgoing> {
        self.sent.lock().expect("not poisoned").clone()
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, std::sync::atomic::Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl EventProducer for MemoryProducer {
    async fn send_all(&self, messages: &[Outgoing]) -> Result<(), ProduceError> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(ProduceError::QueueFull);
        }
        self.sent
            .lock()
            .expect("not poisoned")
            .extend(messages.iter().cloned());
        Ok(())
    }

    async fn reachable(&self) -> bool {
        !self.down.load(std::sync::atomic::Ordering::SeqCst)
    }
}
