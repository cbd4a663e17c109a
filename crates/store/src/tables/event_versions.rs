//! `event_versions`: every stored version of every event, by its raw table key; filled by
//! materialized views on each raw insert (migration 0004).

use clickhouse::{Client, Row};
use serde::Deserialize;
use uuid::Uuid;

pub const NAME: &str = "event_versions";

/// One stored version of an event: its raw table key and when the gateway received it.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct Version {
    pub kind: String,
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub service_id: String,
    pub case_ref: String,
    pub bucket: u32,
    pub occurred_at: u32,
    pub received_at: u32,
}

/// Every version of each event id with a version inserted since `since`.
pub async fn versions_of_ids_inserted_since(
    client: &Client,
    since: u32,
) -> Result<Vec<Version>, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT kind, event_id, service_id, case_ref, bucket, toUInt32(occurred_at), toUInt32(received_at) \
             FROM {NAME} FINAL \
             WHERE event_id IN (SELECT event_id FROM {NAME} WHERE inserted_at >= toDateTime(?)) \
             ORDER BY event_id"
        ))
        .bind(since)
        .fetch_all()
        .await
}
