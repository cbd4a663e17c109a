//! `offered`: one row per transaction served, and whether the survey was offered for it.

use chrono::{DateTime, Utc};
use clickhouse::Row;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use civicpulse_core::EventKind;

use super::{superseded_events, Engine, StoredRow, Table};
use crate::days::LocalDays;

pub const NAME: &str = "offered";

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
pub struct OfferedRow {
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub service_id: String,
    pub channel: String,
    pub stage: String,
    pub case_ref: String,
    pub survey_offered: u8,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub occurred_at: DateTime<Utc>,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub received_at: DateTime<Utc>,
    pub source: String,
}

impl StoredRow for OfferedRow {
    const TABLE: &'static str = NAME;
}

/// Transactions of one (stage, channel) and how many were offered the survey.
#[derive(Debug, Clone, PartialEq, Row, Deserialize)]
pub struct OfferVolumes {
    pub stage: String,
    pub channel: String,
    pub transactions: u64,
    pub surveys_offered: u64,
}

/// A service's live transactions on its local days, by stage and channel.
pub async fn volumes(
    client: &clickhouse::Client,
    days: &LocalDays<'_>,
) -> Result<Vec<OfferVolumes>, clickhouse::error::Error> {
    let sql = format!(
        "SELECT stage, channel, count(), countIf(survey_offered = 1) FROM {NAME} FINAL \
         WHERE {on_days} AND {live} GROUP BY stage, channel ORDER BY stage, channel",
        on_days = LocalDays::SQL,
        live = superseded_events::live_rows(EventKind::Offered),
    );
    days.bind(client.query(&sql)).fetch_all().await
}
