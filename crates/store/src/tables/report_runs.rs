//! `report_runs`: every attempt of a scheduled report in one language (failed ones too),
//! with the files written and their checksums, and how fresh the data were. A period
//! published again because its figures changed is a later revision: one successful row
//! per revision, the newest the one the API's latest link serves.

use chrono::{DateTime, Utc};
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};

use super::{Engine, StoredRow, Table};

pub const NAME: &str = "report_runs";

/// Kept on one shard (a constant key): a few rows per report period.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "0",
    engine: Engine::MergeTree,
    views: &[],
};

/// An attempt succeeded or failed; the strings the table stores.
pub const SUCCEEDED: &str = "succeeded";
pub const FAILED: &str = "failed";

#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct ReportRunRow {
    pub period: String,
    pub lang: String,
    /// `monthly` or `quarterly`.
    pub schedule: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub attempt_at: DateTime<Utc>,
    pub status: String,
    pub dir: String,
    pub files: Vec<String>,
    pub checksums: Vec<String>,
    /// When the newest stored event was received (the epoch when none was).
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub latest_event_stored: DateTime<Utc>,
    /// Messages not yet stored at generation time; −1 when unknown.
    pub consumer_lag: i64,
    pub error: String,
    /// 1 for the first publication, n for the nth written because the figures changed; a
    /// failed attempt carries the revision it tried to write.
    pub revision: u32,
    /// The instant up to which stored data were read: events received later are not in
    /// this revision, even if dated in its period.
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub data_cut_off: DateTime<Utc>,
    /// SHA-256 of the figures revisions compare (empty for a failure, and for rows written
    /// before revisions were kept).
    pub figures_sha256: String,
    /// How many figures differ from the revision before (0 for the first).
    pub changed_figures: u32,
}

impl StoredRow for ReportRunRow {
    const TABLE: &'static str = NAME;
}

/// Every attempt, newest first (at most `limit`).
pub async fn list(
    client: &Client,
    limit: u64,
) -> Result<Vec<ReportRunRow>, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT ?fields FROM {NAME} ORDER BY attempt_at DESC, period, lang LIMIT ?"
        ))
        .bind(limit)
        .fetch_all()
        .await
}

/// The (period, lang) pairs with a successful attempt, among `periods`.
pub async fn written(
    client: &Client,
    periods: &[String],
) -> Result<Vec<(String, String)>, clickhouse::error::Error> {
    #[derive(Row, Deserialize)]
    struct Written {
        period: String,
        lang: String,
    }
    let rows: Vec<Written> = client
        .query(&format!(
            "SELECT period, lang FROM {NAME} WHERE status = '{SUCCEEDED}' AND has(?, period) \
             GROUP BY period, lang"
        ))
        .bind(periods)
        .fetch_all()
        .await?;
    Ok(rows.into_iter().map(|r| (r.period, r.lang)).collect())
}

/// When (period, lang) last failed, if it ever did.
pub async fn last_failure(
    client: &Client,
    period: &str,
    lang: &str,
) -> Result<Option<DateTime<Utc>>, clickhouse::error::Error> {
    let seconds: u32 = client
        .query(&format!(
            "SELECT toUInt32(maxIf(attempt_at, status = '{FAILED}')) FROM {NAME} \
             WHERE period = ? AND lang = ?"
        ))
        .bind(period)
        .bind(lang)
        .fetch_one()
        .await?;
    Ok((seconds > 0)
        .then(|| DateTime::from_timestamp(i64::from(seconds), 0))
        .flatten())
}

/// The latest revision of (period, lang) written, if any: the highest revision, its
/// newest successful attempt.
pub async fn succeeded(
    client: &Client,
    period: &str,
    lang: &str,
) -> Result<Option<ReportRunRow>, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT ?fields FROM {NAME} WHERE period = ? AND lang = ? AND status = '{SUCCEEDED}' \
             ORDER BY revision DESC, attempt_at DESC LIMIT 1"
        ))
        .bind(period)
        .bind(lang)
        .fetch_optional()
        .await
}

/// Every revision of (period, lang) written, oldest first: for each revision its newest
/// successful attempt (two aggregators may both have written it).
pub async fn revisions(
    client: &Client,
    period: &str,
    lang: &str,
) -> Result<Vec<ReportRunRow>, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT ?fields FROM {NAME} WHERE period = ? AND lang = ? AND status = '{SUCCEEDED}' \
             ORDER BY revision, attempt_at DESC LIMIT 1 BY revision"
        ))
        .bind(period)
        .bind(lang)
        .fetch_all()
        .await
}
