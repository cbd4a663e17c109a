//! `sla_runs`: one row per SLA evaluation run of a service and policy, the checkpoint the
//! next run starts from.

use chrono::{DateTime, Utc};
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};

use crate::checkpoint::Checkpoint;

use super::{Engine, Table};

pub const NAME: &str = "sla_runs";

/// Sharded by `service_id`: per-service state, read and rewritten a service at a time.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "cityHash64(service_id)",
    engine: Engine::ReplacingMergeTree {
        version: "written_at",
    },
    views: &[],
};

#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct SlaRunRow {
    pub service_id: String,
    pub policy: String,
    pub fingerprint: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub watermark: DateTime<Utc>,
    pub evaluated_cases: u64,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub finished_at: DateTime<Utc>,
    /// The moment the run evaluated its cases as of (`now`, or `aggregate --as-of`).
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub as_of: DateTime<Utc>,
}

/// Where the evaluation of `policy` of `service_id` stands.
pub async fn checkpoint(
    client: &Client,
    service_id: &str,
    policy: &str,
    fingerprint: String,
) -> Result<Checkpoint, clickhouse::error::Error> {
    Checkpoint::begin(
        client,
        NAME,
        "service_id = ? AND policy = ?",
        &[service_id, policy],
        fingerprint,
    )
    .await
}

/// The moment the latest run of `policy` of `service_id` evaluated its cases as of, if
/// any run recorded one.
pub async fn last_as_of(
    client: &Client,
    service_id: &str,
    policy: &str,
) -> Result<Option<DateTime<Utc>>, clickhouse::error::Error> {
    let as_of: Option<u32> = client
        .query(&format!(
            "SELECT toUInt32(as_of) FROM {NAME} FINAL WHERE service_id = ? AND policy = ?"
        ))
        .bind(service_id)
        .bind(policy)
        .fetch_optional()
        .await?;
    Ok(as_of
        .filter(|&t| t > 0)
        .and_then(|t| DateTime::from_timestamp(i64::from(t), 0)))
}

pub async fn record(client: &Client, run: &SlaRunRow) -> Result<(), clickhouse::error::Error> {
    let mut insert = client.insert::<SlaRunRow>(NAME).await?;
    insert.write(run).await?;
    insert.end().await
}
