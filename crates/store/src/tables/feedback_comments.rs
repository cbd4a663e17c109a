//! `feedback_comments`: free-text comments, apart from the scores so that they can be kept
//! for a shorter time and read by fewer people.

use chrono::{DateTime, Utc};
use civicpulse_core::EventKind;
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{superseded_events, Engine, StoredRow, Table};

pub const NAME: &str = "feedback_comments";

/// Sharded by `event_id` (18.16 hashes no UUID, so its text): every copy of an event (a
/// replay) reaches the same shard, where `FINAL` collapses it.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "cityHash64(toString(event_id))",
    engine: Engine::ReplacingMergeTree {
        version: "received_at",
    },
    views: &[],
};

#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct CommentRow {
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub service_id: String,
    pub channel: String,
    pub case_ref: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub occurred_at: DateTime<Utc>,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub received_at: DateTime<Utc>,
    pub comment: String,
}

impl StoredRow for CommentRow {
    const TABLE: &'static str = NAME;
}

/// A comment as staff read it: when, where, through which channel, and its (scrubbed) text.
#[derive(Clone, Debug, Row, Deserialize)]
pub struct CommentListed {
    pub occurred_at: u32,
    pub service_id: String,
    pub channel: String,
    pub comment: String,
}

/// Which comments to list: the newest first, of some services (empty: all), in [from, to).
#[derive(Debug)]
pub struct CommentFilter<'a> {
    pub services: &'a [String],
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub limit: u64,
}

/// The newest comments the filter matches (only the counting version of a re-sent event).
pub async fn latest(
    client: &Client,
    filter: &CommentFilter<'_>,
) -> Result<Vec<CommentListed>, clickhouse::error::Error> {
    let mut query = client.query(&format!(
        "SELECT toUInt32(occurred_at), service_id, channel, comment FROM {NAME} FINAL \
             WHERE {services} AND occurred_at >= toDateTime(?) \
               AND occurred_at < toDateTime(?) AND {live} \
             ORDER BY occurred_at DESC, event_id LIMIT ?",
        services = super::services_condition(filter.services),
        live = superseded_events::live_rows(EventKind::Feedback),
    ));
    for service in filter.services {
        query = query.bind(service);
    }
    query
        .bind(filter.from.timestamp())
        .bind(filter.to.timestamp())
        .bind(filter.limit)
        .fetch_all()
        .await
}
