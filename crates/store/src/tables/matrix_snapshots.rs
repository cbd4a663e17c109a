//! `matrix_snapshots`: the matrix of each month and quarter as computed at the time (whole
//! services), so trends and ministers' reports read what was shown then.

use chrono::{DateTime, NaiveDate, Utc};
use clickhouse::insert::Insert;
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};

use super::{Engine, Table};

pub const NAME: &str = "matrix_snapshots";

/// Sharded by `service_id`: per-service state, read and rewritten a service at a time.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "cityHash64(service_id)",
    engine: Engine::ReplacingMergeTree {
        version: "computed_at",
    },
    views: &[],
};

/// One stored cell, in the table's column order.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct SnapshotRow {
    pub period: String,
    #[serde(with = "clickhouse::serde::chrono::date")]
    pub period_from: NaiveDate,
    #[serde(with = "clickhouse::serde::chrono::date")]
    pub period_to: NaiveDate,
    pub group_by: String,
    pub service_id: String,
    pub group_value: String,
    pub dimension: String,
    pub value: Option<f64>,
    pub n: u64,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub target: Option<f64>,
    pub benchmark: Option<f64>,
    pub previous_value: Option<f64>,
    pub change: Option<f64>,
    pub status: String,
    pub note: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub computed_at: DateTime<Utc>,
}

/// Which stored whole-service cells to read; None matches any.
#[derive(Debug, Default)]
pub struct SnapshotFilter<'a> {
    pub period: Option<&'a str>,
    pub service_id: Option<&'a str>,
    pub dimension: Option<&'a str>,
}

/// The newest stored computation of each whole-service cell the filter matches, by period
/// start, period, service and dimension.
pub async fn read(
    client: &Client,
    filter: &SnapshotFilter<'_>,
) -> Result<Vec<SnapshotRow>, clickhouse::error::Error> {
    let any = |v: Option<&str>| v.unwrap_or("").to_string();
    client
        .query(&format!(
            "SELECT ?fields FROM {NAME} FINAL \
             WHERE group_by = 'service' AND (? = '' OR period = ?) AND (? = '' OR service_id = ?) \
               AND (? = '' OR dimension = ?) \
             ORDER BY period_from, period, service_id, dimension"
        ))
        .bind(any(filter.period))
        .bind(any(filter.period))
        .bind(any(filter.service_id))
        .bind(any(filter.service_id))
        .bind(any(filter.dimension))
        .bind(any(filter.dimension))
        .fetch_all()
        .await
}

/// Whether any cell of the period labelled `period` is stored.
pub async fn has_period(client: &Client, period: &str) -> Result<bool, clickhouse::error::Error> {
    let stored: u64 = client
        .query(&format!("SELECT count() FROM {NAME} WHERE period = ?"))
        .bind(period)
        .fetch_one()
        .await?;
    Ok(stored > 0)
}

/// An INSERT of snapshot rows, to write as they are computed.
pub async fn writer(client: &Client) -> Result<Insert<SnapshotRow>, clickhouse::error::Error> {
    client.insert::<SnapshotRow>(NAME).await
}
