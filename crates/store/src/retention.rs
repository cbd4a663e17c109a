//! Retention as ClickHouse applies it: where each kind of data is stored, how old its oldest
//! row is (asked of the database, so a job that stopped shows), and the months that leave.
//!
//! ClickHouse 18.16 has no TTL, so a partitioned table loses whole months with `DROP
//! PARTITION` (cheap: files removed), and the two tables without a time partition
//! (`event_versions`, `superseded_events`) lose the same months' rows with `ALTER … DELETE`,
//! issued only when such rows exist — at most once a month — since a mutation rewrites
//! every part it touches. (Recreating those two tables with a month partition would mean
//! renaming a replicated table under its `Distributed` table and its materialized views,
//! which a current ClickHouse keeps pointing at the renamed table, and losing the rows the
//! sink writes meanwhile; a delete once a month costs less.) Both run the same on a
//! current ClickHouse and, through
//! [`Mutator`], on every replica of a cluster. Which months go is the pure rule
//! `civicpulse_core::retention::expired_months`.

use chrono::{DateTime, Utc};
use civicpulse_core::retention::{kept_from, DataKind};
use clickhouse::{Client, Row};
use serde::Deserialize;

use crate::mutation::Mutator;
use crate::tables::{
    access_audit, change_log, comment_readings, event_versions, feedback, feedback_comments,
    milestones, offered, report_runs, superseded_events, theme_corrections, Table,
};
use crate::StoreError;

/// A table holding a kind of data, and the column its rows' age is measured on.
#[derive(Debug, Clone, Copy)]
pub struct Stored {
    pub table: &'static Table,
    /// A `DateTime` column; the table is partitioned by `toYYYYMM` of it when `monthly`.
    pub time: &'static str,
    pub monthly: bool,
}

const fn monthly(table: &'static Table, time: &'static str) -> Stored {
    Stored {
        table,
        time,
        monthly: true,
    }
}

/// Where each kind is stored. Aggregates (the rollups, `sla_cases`, snapshots) and the jobs'
/// own bookkeeping (runs, exceptions) hold no raw rows and are kept.
pub fn stored(kind: DataKind) -> &'static [Stored] {
    const RAW: &[Stored] = &[
        monthly(&feedback::TABLE, "occurred_at"),
        monthly(&milestones::TABLE, "occurred_at"),
        monthly(&offered::TABLE, "occurred_at"),
    ];
    const COMMENTS: &[Stored] = &[
        monthly(&feedback_comments::TABLE, "occurred_at"),
        monthly(&comment_readings::TABLE, "occurred_at"),
        monthly(&theme_corrections::TABLE, "occurred_at"),
    ];
    // Keyed by the version's own `occurred_at`, the raw row's partition column, so a
    // version and its decision leave with the raw row they describe.
    const VERSIONS: &[Stored] = &[
        Stored {
            table: &event_versions::TABLE,
            time: "occurred_at",
            monthly: false,
        },
        Stored {
            table: &superseded_events::TABLE,
            time: "occurred_at",
            monthly: false,
        },
    ];
    const CHANGES: &[Stored] = &[monthly(&change_log::TABLE, "inserted_at")];
    const REPORTS: &[Stored] = &[monthly(&report_runs::TABLE, "attempt_at")];
    const AUDIT: &[Stored] = &[monthly(&access_audit::TABLE, "at")];
    match kind {
        DataKind::RawEvents => RAW,
        DataKind::Comments => COMMENTS,
        DataKind::EventVersions => VERSIONS,
        DataKind::ChangeLog => CHANGES,
        DataKind::ReportRuns => REPORTS,
        DataKind::AccessAudit => AUDIT,
    }
}

#[derive(Debug, Row, Deserialize)]
struct Oldest {
    rows: u64,
    oldest: u32,
}

fn seconds(t: DateTime<Utc>) -> u32 {
    u32::try_from(t.timestamp().max(0)).unwrap_or(u32::MAX)
}

/// The oldest row of `stored`, if any. Asked in steps that read little: rows older than
/// `kept_from` (expired months only; none once retention ran), then the first month kept,
/// and only if both are empty the whole column (a table whose data begin later).
pub async fn oldest_row(
    client: &Client,
    stored: &Stored,
    kept_from: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, clickhouse::error::Error> {
    let (name, time) = (stored.table.name, stored.time);
    let from = seconds(kept_from);
    let next_month = seconds(kept_from + chrono::Duration::days(32));
    let steps = [
        format!("WHERE {time} < toDateTime({from})"),
        format!("WHERE {time} >= toDateTime({from}) AND {time} < toDateTime({next_month})"),
        String::new(),
    ];
    for filter in steps {
        let found: Oldest = client
            .query(&format!(
                "SELECT count() AS rows, toUInt32(min({time})) AS oldest FROM {name} {filter}"
            ))
            .fetch_one()
            .await?;
        if found.rows > 0 {
            return Ok(DateTime::from_timestamp(i64::from(found.oldest), 0));
        }
    }
    Ok(None)
}

/// What retention did to one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    pub table: &'static str,
    /// The months dropped (or, in a table without a time partition, deleted), `YYYYMM`.
    pub months: Vec<u32>,
    pub rows: u64,
}

#[derive(Debug, Row, Deserialize)]
struct MonthRows {
    month: u32,
    rows: u64,
}

/// Removes the months of `stored` that lie wholly before `kept_from`.
pub async fn expire(
    mutator: &Mutator,
    stored: &Stored,
    kept_from: DateTime<Utc>,
) -> Result<Expired, StoreError> {
    let (name, time) = (stored.table.name, stored.time);
    let before = seconds(kept_from);
    let months: Vec<MonthRows> = mutator
        .client()
        .query(&format!(
            "SELECT toUInt32(toYYYYMM({time})) AS month, count() AS rows FROM {name} \
             WHERE {time} < toDateTime({before}) GROUP BY month ORDER BY month"
        ))
        .fetch_all()
        .await?;
    let expired = Expired {
        table: name,
        months: months.iter().map(|m| m.month).collect(),
        rows: months.iter().map(|m| m.rows).sum(),
    };
    if months.is_empty() {
        return Ok(expired);
    }
    if stored.monthly {
        for month in &expired.months {
            mutator.drop_month(stored.table, *month).await?;
        }
    } else {
        let condition = format!("{time} < toDateTime({before})");
        mutator.delete_where(stored.table, &condition, &[]).await?;
    }
    tracing::info!(table = name, months = ?expired.months, rows = expired.rows, "retention: expired months removed");
    Ok(expired)
}

/// A kind's state after a retention pass: its oldest row, read from the database, and what
/// left.
#[derive(Debug, Clone, PartialEq)]
pub struct KindState {
    pub kind: DataKind,
    pub limit_days: u32,
    /// When the oldest row was looked for, on the database's clock.
    pub measured_at: DateTime<Utc>,
    /// The oldest row left in any of the kind's tables; None when they are empty.
    pub oldest_row: Option<DateTime<Utc>>,
    pub expired: Vec<Expired>,
}

impl KindState {
    /// The oldest row's age in days when it was measured; 0 when none is stored.
    pub fn oldest_row_age_days(&self) -> f64 {
        self.oldest_row.map_or(0.0, |oldest| {
            (self.measured_at - oldest).num_seconds().max(0) as f64 / 86_400.0
        })
    }
}

/// The oldest row of any table of `kind`, as of the database's clock `now`. Read apart from
/// the removal, so a kind whose months could not be removed is still measured.
pub async fn oldest_of_kind(
    client: &Client,
    kind: DataKind,
    limit_days: u32,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, clickhouse::error::Error> {
    let kept = kept_from(now, limit_days);
    let mut oldest: Option<DateTime<Utc>> = None;
    for stored in stored(kind) {
        if let Some(row) = oldest_row(client, stored, kept).await? {
            oldest = Some(oldest.map_or(row, |o| o.min(row)));
        }
    }
    Ok(oldest)
}

/// Applies `limit_days` to every table of `kind` as of the database's clock `now`, then
/// measures the oldest row left.
pub async fn apply(
    mutator: &Mutator,
    kind: DataKind,
    limit_days: u32,
    now: DateTime<Utc>,
) -> Result<KindState, StoreError> {
    let kept = kept_from(now, limit_days);
    let mut expired = Vec::new();
    for stored in stored(kind) {
        expired.push(expire(mutator, stored, kept).await?);
    }
    Ok(KindState {
        kind,
        limit_days,
        measured_at: now,
        oldest_row: oldest_of_kind(mutator.client(), kind, limit_days, now).await?,
        expired,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ALL;

    #[test]
    fn every_table_with_raw_rows_or_case_references_has_a_retention_or_is_named_as_kept() {
        // Kept on purpose: aggregates that outlive their raw rows, and the jobs' own state.
        let kept = [
            "matrix_activity_daily",
            "matrix_feedback_daily",
            "matrix_runs",
            "matrix_sla_daily",
            "matrix_snapshots",
            "sla_cases",
            "sla_exceptions",
            "sla_runs",
            "supersede_runs",
        ];
        let expiring: Vec<&str> = DataKind::ALL
            .iter()
            .flat_map(|kind| stored(*kind).iter().map(|s| s.table.name))
            .collect();
        for table in ALL {
            assert!(
                expiring.contains(&table.name) ^ kept.contains(&table.name),
                "`{}` must either expire with a kind of data or be named as kept",
                table.name
            );
        }
    }
}
