//! The dead-letter topic: messages the sink cannot store go there unchanged (same key,
//! same bytes), with the reason and their source topic/partition/offset in headers, so an
//! operator can inspect, fix and replay them. Nothing is dropped.

use civicpulse_core::config::KafkaConfig;
use futures::future::join_all;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::ClientConfig;

use super::batch::Position;

pub const HEADER_REASON: &str = "civicpulse.reason";
pub const HEADER_TOPIC: &str = "civicpulse.source.topic";
pub const HEADER_PARTITION: &str = "civicpulse.source.partition";
pub const HEADER_OFFSET: &str = "civicpulse.source.offset";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub reason: String,
    pub source: Position,
    pub key: Option<Vec<u8>>,
    pub payload: Option<Vec<u8>>,
}

#[derive(Clone)]
pub struct DeadLetterProducer {
    producer: FutureProducer,
    topic: String,
}

impl DeadLetterProducer {
    pub fn new(kafka: &KafkaConfig) -> Result<Self, KafkaError> {
        let producer = ClientConfig::new()
            .set("bootstrap.servers", &kafka.brokers)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .create()?;
        Ok(DeadLetterProducer {
            producer,
            topic: kafka.dead_letter_topic(),
        })
    }

    /// Writes every letter and waits for Kafka to acknowledge them all.
    pub async fn send_all(&self, letters: &[DeadLetter]) -> Result<(), KafkaError> {
        let mut deliveries = Vec::with_capacity(letters.len());
        for letter in letters {
            let partition = letter.source.partition.to_string();
            let offset = letter.source.offset.to_string();
            let headers = OwnedHeaders::new()
                .insert(Header {
                    key: HEADER_REASON,
                    value: Some(letter.reason.as_str()),
                })
                .insert(Header {
                    key: HEADER_TOPIC,
                    value: Some(letter.source.topic.as_str()),
                })
                .insert(Header {
                    key: HEADER_PARTITION,
                    value: Some(partition.as_str()),
                })
                .insert(Header {
                    key: HEADER_OFFSET,
                    value: Some(offset.as_str()),
                });
            let mut record: FutureRecord<'_, [u8], [u8]> =
                FutureRecord::to(&self.topic).headers(headers);
            if let Some(key) = &letter.key {
                record = record.key(key.as_slice());
            }
            if let Some(payload) = &letter.payload {
                record = record.payload(payload.as_slice());
            }
            let delivery = self.producer.send_result(record).map_err(|(e, _)| e)?;
            deliveries.push(delivery);
        }
        for outcome in join_all(deliveries).await {
            match outcome {
                Ok(Ok(_)) => {}
                Ok(Err((error, _))) => return Err(error),
                Err(_) => return Err(KafkaError::Canceled),
            }
        }
        Ok(())
    }
}
