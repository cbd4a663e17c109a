//! `supersede_runs`: the watermark of the job that decides re-sent events.

use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};

use super::{Engine, Table};

pub const NAME: &str = "supersede_runs";

/// Kept on one shard (a constant key): one watermark row per job.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "0",
    engine: Engine::ReplacingMergeTree {
        version: "written_at",
    },
    views: &[],
};

#[derive(Debug, Row, Deserialize)]
struct Watermark {
    watermark: u32,
}

#[derive(Debug, Row, Serialize)]
struct RunRow<'a> {
    job: &'a str,
    watermark: u32,
}

/// The watermark `job` last recorded; 0 before its first run.
pub async fn watermark(client: &Client, job: &str) -> Result<u32, clickhouse::error::Error> {
    Ok(client
        .query(&format!(
            "SELECT toUInt32(watermark) AS watermark FROM {NAME} FINAL WHERE job = ?"
        ))
        .bind(job)
        .fetch_optional::<Watermark>()
        .await?
        .map_or(0, |w| w.watermark))
}

pub async fn record(
    client: &Client,
    job: &str,
    watermark: u32,
) -> Result<(), clickhouse::error::Error> {
    let mut insert = client.insert::<RunRow>(NAME).await?;
    insert.write(&RunRow { job, watermark }).await?;
    insert.end().await
}
