//! Where an incremental job stands, shared by every such job (SLA evaluation, matrix
//! rollups): a fingerprint of everything its results depend on besides the raw rows, and a
//! watermark on ClickHouse's own `inserted_at` clock.
//!
//! A run reads the previous run's checkpoint; when the fingerprint still matches it reads
//! only rows inserted since the watermark, otherwise everything. Its own watermark is the
//! server's clock *before* it reads, so rows inserted during the run are read again next
//! time (each job is idempotent per slice), and none is missed.

use chrono::{DateTime, Utc};
use clickhouse::{Client, Row};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The hex SHA-256 of a job's inputs.
pub fn fingerprint(inputs: &serde_json::Value) -> String {
    hex::encode(Sha256::digest(inputs.to_string().as_bytes()))
}

#[derive(Debug, Row, Deserialize)]
struct PreviousRun {
    fingerprint: String,
    watermark: u32,
}

/// The start of one run of an incremental job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub fingerprint: String,
    /// The previous run's watermark, when its fingerprint matches: `None` means read all.
    pub since: Option<u32>,
    /// The server's clock when this run began: the watermark this run writes.
    pub started: u32,
}

impl Checkpoint {
    /// Reads the latest run row of `runs_table` matching `condition` (binds in `keys`).
    /// Each runs table's module calls this with its own name and key.
    pub(crate) async fn begin(
        client: &Client,
        runs_table: &str,
        condition: &str,
        keys: &[&str],
        fingerprint: String,
    ) -> Result<Checkpoint, clickhouse::error::Error> {
        let sql = format!(
            "SELECT fingerprint, toUInt32(watermark) FROM {runs_table} FINAL WHERE {condition}"
        );
        let mut query = client.query(&sql);
        for key in keys {
            query = query.bind(*key);
        }
        let previous = query.fetch_optional::<PreviousRun>().await?;
        let started = server_clock(client).await?;
        let since = previous
            .filter(|p| p.fingerprint == fingerprint)
            .map(|p| p.watermark);
        Ok(Checkpoint {
            fingerprint,
            since,
            started,
        })
    }

    pub fn is_full(&self) -> bool {
        self.since.is_none()
    }

    /// The watermark to read from: 0 (everything) for a full run.
    pub fn since_or_start(&self) -> u32 {
        self.since.unwrap_or(0)
    }

    /// This run's watermark, as the run row stores it.
    pub fn watermark(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(i64::from(self.started), 0).unwrap_or_default()
    }
}

/// The server's clock, in whole seconds: watermarks compare with `inserted_at`, which the
/// server stamps, so they are taken from the same clock.
pub async fn server_clock(client: &Client) -> Result<u32, clickhouse::error::Error> {
    client.query("SELECT toUInt32(now())").fetch_one().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_changes_with_any_input() {
        let a = fingerprint(&serde_json::json!({"time_zone": "America/Toronto", "version": 1}));
        let b = fingerprint(&serde_json::json!({"time_zone": "America/Toronto", "version": 2}));
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn a_full_run_reads_from_the_start() {
        let checkpoint = Checkpoint {
            fingerprint: String::new(),
            since: None,
            started: 1_700_000_000,
        };
        assert!(checkpoint.is_full());
        assert_eq!(checkpoint.since_or_start(), 0);
        assert_eq!(checkpoint.watermark().timestamp(), 1_700_000_000);
    }
}
