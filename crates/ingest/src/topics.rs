//! Creates the pipeline's topics with the configured partition count and retention, so a
//! fresh cluster needs no manual step and every topic gets the same layout. The event
//! topics hold comment text and case references until their `retention.ms` passes
//! (`retention.kafka_events_days`, the dead-letter topic `retention.dead_letters_days`):
//! what an erasure cannot reach in Kafka leaves with it.

use std::time::Duration;

use civicpulse_core::config::{KafkaConfig, RetentionConfig};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::ClientConfig;

#[derive(Debug, thiserror::Error)]
pub enum TopicError {
    #[error("Kafka admin client: {0}")]
    Client(#[from] KafkaError),
    #[error("cannot create topic {topic}: {code}")]
    Create {
        topic: String,
        code: RDKafkaErrorCode,
    },
}

/// `retention.ms` of a topic kept `days` days.
pub fn retention_ms(days: u32) -> String {
    (u64::from(days) * 86_400_000).to_string()
}

/// Creates every missing topic; existing topics are left as they are (change their
/// `retention.ms` with the broker's tools: docs/operators/privacy.md).
pub async fn ensure_topics(
    config: &KafkaConfig,
    retention: &RetentionConfig,
) -> Result<(), TopicError> {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", &config.brokers)
        .create()?;
    let names = config.all_topics();
    let dead_letters = config.dead_letter_topic();
    let kept: Vec<String> = names
        .iter()
        .map(|name| {
            retention_ms(if *name == dead_letters {
                retention.dead_letters_days
            } else {
                retention.kafka_events_days
            })
        })
        .collect();
    let topics: Vec<NewTopic<'_>> = names
        .iter()
        .zip(&kept)
        .map(|(name, ms)| {
            NewTopic::new(
                name,
                config.partitions,
                TopicReplication::Fixed(config.replication_factor),
            )
            .set("retention.ms", ms)
        })
        .collect();
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    for result in admin.create_topics(&topics, &options).await? {
        match result {
            Ok(topic) => tracing::info!(%topic, partitions = config.partitions, "topic created"),
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => return Err(TopicError::Create { topic, code }),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_is_604_800_000_ms() {
        assert_eq!(retention_ms(7), "604800000");
    }
}
