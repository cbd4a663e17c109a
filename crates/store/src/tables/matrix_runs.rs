//! `matrix_runs`: one row per rollup refresh of a service, the checkpoint the next starts
//! from; and the question each refresh begins with, which local days changed since.

use chrono::{DateTime, NaiveDate, Utc};
use civicpulse_core::{EventKind, Service};
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};

use super::change_log::{self, Source};
use super::{superseded_events, Engine, Table};
use crate::checkpoint::Checkpoint;

pub const NAME: &str = "matrix_runs";

/// Sharded by `service_id`: per-service state, read and rewritten a service at a time.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "cityHash64(service_id)",
    engine: Engine::ReplacingMergeTree {
        version: "written_at",
    },
    views: &[],
};

#[derive(Debug, Row, Serialize)]
pub struct MatrixRunRow {
    pub service_id: String,
    pub fingerprint: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub watermark: DateTime<Utc>,
    pub days_refreshed: u64,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub finished_at: DateTime<Utc>,
}

/// Where the rollups of `service_id` stand.
pub async fn checkpoint(
    client: &Client,
    service_id: &str,
    fingerprint: String,
) -> Result<Checkpoint, clickhouse::error::Error> {
    Checkpoint::begin(client, NAME, "service_id = ?", &[service_id], fingerprint).await
}

pub async fn record(client: &Client, run: &MatrixRunRow) -> Result<(), clickhouse::error::Error> {
    let mut insert = client.insert::<MatrixRunRow>(NAME).await?;
    insert.write(run).await?;
    insert.end().await
}

/// The local days (`YYYY-MM-DD`) each rollup must recompute.
#[derive(Debug, Default)]
pub struct ChangedDays {
    /// Responses inserted, or responses whose case closed (or was re-evaluated) since.
    pub feedback: Vec<String>,
    /// Transactions or milestones inserted.
    pub activity: Vec<String>,
    /// Closed cases written since.
    pub sla: Vec<String>,
}

#[derive(Debug, Row, Deserialize)]
struct ChangedDay {
    rollup: String,
    day: String,
}

/// Each rollup's days with inputs written since `since` (0: every day with data), from
/// `first_day` on: a day before it may have lost raw rows to retention, and recomputing it
/// would overwrite its figures with what is left (see `retention`).
pub async fn changed_days(
    client: &Client,
    service: &Service,
    since: u32,
    first_day: NaiveDate,
) -> Result<ChangedDays, clickhouse::error::Error> {
    let zone = service.time_zone.name();
    let policy = service.sla.first().map_or("", |p| p.id.as_str());
    let day = "toString(toDate(occurred_at, ?)) AS day";
    #[rustfmt::skip]
    let rows: Vec<ChangedDay> = client
        .query(&format!(
            "SELECT DISTINCT rollup, day FROM ( \
               SELECT 'feedback' AS rollup, {day} FROM ({feedback}) \
               UNION ALL SELECT 'activity' AS rollup, {day} FROM ({offered}) \
               UNION ALL SELECT 'activity' AS rollup, {day} FROM ({milestones}) \
               UNION ALL SELECT 'sla' AS rollup, {day} FROM ({closed}) \
               UNION ALL SELECT 'feedback' AS rollup, {day} FROM ({responses_about_closed}) \
               UNION ALL SELECT 'feedback' AS rollup, {day} FROM ({feedback_decided}) \
               UNION ALL SELECT 'activity' AS rollup, {day} FROM ({offered_decided}) \
               UNION ALL SELECT 'activity' AS rollup, {day} FROM ({milestone_decided})) \
             WHERE day >= ? \
             ORDER BY rollup, day",
            feedback = change_log::stored_since(Source::Feedback),
            offered = change_log::stored_since(Source::Offered),
            milestones = change_log::stored_since(Source::Milestones),
            closed = change_log::closed_since(),
            responses_about_closed = change_log::responses_about(&format!(
                "SELECT case_ref FROM ({})",
                change_log::closed_since()
            )),
            feedback_decided = superseded_events::decided_since(EventKind::Feedback),
            offered_decided = superseded_events::decided_since(EventKind::Offered),
            milestone_decided = superseded_events::decided_since(EventKind::Milestone),
        ))
        // One line per subquery, in order: the zone of its day, then its own binds.
        .bind(zone).bind(&service.id).bind(since)
        .bind(zone).bind(&service.id).bind(since)
        .bind(zone).bind(&service.id).bind(since)
        .bind(zone).bind(&service.id).bind(policy).bind(since)
        .bind(zone).bind(&service.id).bind(&service.id).bind(policy).bind(since)
        // Days of re-sent events whose counting version changed (both versions' days).
        .bind(zone).bind(&service.id).bind(since)
        .bind(zone).bind(&service.id).bind(since)
        .bind(zone).bind(&service.id).bind(since)
        .bind(first_day.to_string())
        .fetch_all()
        .await?;
    let mut changed = ChangedDays::default();
    for row in rows {
        match row.rollup.as_str() {
            "feedback" => changed.feedback.push(row.day),
            "activity" => changed.activity.push(row.day),
            _ => changed.sla.push(row.day),
        }
    }
    Ok(changed)
}
