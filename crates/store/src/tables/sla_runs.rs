//! `sla_runs`: one row per SLA evaluation run of a service and policy, the checkpoint the
//! next run starts from.

use chrono::{DateTime, Utc};
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};

use crate::checkpoint::Checkpoint;

pub const NAME: &str = "sla_runs";

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

pub async fn record(client: &Client, run: &SlaRunRow) -> Result<(), clickhouse::error::Error> {
    let mut insert = client.insert::<SlaRunRow>(NAME).await?;
    insert.write(run).await?;
    insert.end().await
}
