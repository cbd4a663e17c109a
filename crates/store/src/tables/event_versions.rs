//! `event_versions`: every stored version of every event, by its raw table key; filled by
//! materialized views on each raw insert (migration 0004).

use civicpulse_core::EventKind;
use clickhouse::{Client, Row};
use serde::Deserialize;
use uuid::Uuid;

use super::{feedback, milestones, offered, Engine, Table, View};

pub const NAME: &str = "event_versions";

/// Sharded like the raw table each version comes from (milestones by case, the rest by
/// `event_id`): the materialized views run on each shard's inserts, into the same shard.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key:
        "if(kind = 'milestone', cityHash64(service_id, case_ref), cityHash64(toString(event_id)))",
    engine: Engine::ReplacingMergeTree {
        version: "received_at",
    },
    views: &[
        View {
            name: "event_versions_feedback",
            source: feedback::NAME,
        },
        View {
            name: "event_versions_offered",
            source: offered::NAME,
        },
        View {
            name: "event_versions_milestone",
            source: milestones::NAME,
        },
    ],
};

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

/// Whether any version of event `event_id` of `kind` is stored. The table is ordered by
/// event id, so this reads one granule, however many events there are.
pub async fn is_stored(
    client: &Client,
    kind: EventKind,
    event_id: Uuid,
) -> Result<bool, clickhouse::error::Error> {
    let count: u64 = client
        .query(&format!(
            "SELECT count() FROM {NAME} WHERE event_id = toUUID(?) AND kind = ?"
        ))
        .bind(event_id.to_string())
        .bind(kind.as_str())
        .fetch_one()
        .await?;
    Ok(count > 0)
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
