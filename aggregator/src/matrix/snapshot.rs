//! Snapshots: each run stores the matrix of the current and previous month and quarter
//! (whole services), so trends and ministers' reports read what was shown at the time.
//! This module owns `matrix_snapshots`: what is written and how it is read back.

use chrono::{DateTime, NaiveDate, Utc};
use civicpulse_core::config::MatrixConfig;
use civicpulse_core::Catalog;
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};

use super::build::Cell;
use super::dimensions::GroupBy;
use super::period::Period;

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
pub async fn read_snapshots(
    client: &Client,
    filter: &SnapshotFilter<'_>,
) -> Result<Vec<SnapshotRow>, clickhouse::error::Error> {
    let any = |v: Option<&str>| v.unwrap_or("").to_string();
    client
        .query(
            "SELECT ?fields FROM matrix_snapshots FINAL \
             WHERE group_by = 'service' AND (? = '' OR period = ?) AND (? = '' OR service_id = ?) \
               AND (? = '' OR dimension = ?) \
             ORDER BY period_from, period, service_id, dimension",
        )
        .bind(any(filter.period))
        .bind(any(filter.period))
        .bind(any(filter.service_id))
        .bind(any(filter.service_id))
        .bind(any(filter.dimension))
        .bind(any(filter.dimension))
        .fetch_all()
        .await
}

/// Whether the month of `today` has been snapshotted already.
pub async fn has_month_snapshot(
    client: &Client,
    today: NaiveDate,
) -> Result<bool, clickhouse::error::Error> {
    let stored: u64 = client
        .query("SELECT count() FROM matrix_snapshots WHERE period = ?")
        .bind(Period::month_of(today).label)
        .fetch_one()
        .await?;
    Ok(stored > 0)
}

/// The periods snapshotted on `today`: this month and quarter so far, and the last ones.
pub fn periods_to_snapshot(today: NaiveDate) -> Vec<Period> {
    let month = Period::month_of(today);
    let quarter = Period::quarter_of(today);
    vec![
        Period::month_of(month.previous_from),
        month,
        Period::quarter_of(quarter.previous_from),
        quarter,
    ]
}

/// Computes and stores the snapshots of `today`'s periods; returns the cells written.
pub async fn store_snapshots(
    client: &Client,
    catalog: &Catalog,
    config: &MatrixConfig,
    today: NaiveDate,
) -> Result<usize, clickhouse::error::Error> {
    let now = Utc::now();
    let mut written = 0;
    let mut insert = client.insert::<SnapshotRow>("matrix_snapshots").await?;
    for period in periods_to_snapshot(today) {
        let cells = super::compute(client, catalog, config, &period, GroupBy::Service).await?;
        for cell in cells {
            insert.write(&row(&period, cell, now)).await?;
            written += 1;
        }
    }
    insert.end().await?;
    Ok(written)
}

fn row(period: &Period, cell: Cell, computed_at: DateTime<Utc>) -> SnapshotRow {
    SnapshotRow {
        period: period.label.clone(),
        period_from: period.from,
        period_to: period.to,
        group_by: cell.group_by,
        service_id: cell.service_id,
        group_value: cell.group,
        dimension: cell.dimension,
        value: cell.value,
        n: cell.n,
        ci_low: cell.ci_low,
        ci_high: cell.ci_high,
        target: cell.target,
        benchmark: cell.benchmark,
        previous_value: cell.previous_value,
        change: cell.change,
        status: cell.status.as_str().to_string(),
        note: cell.note,
        computed_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_cover_this_and_the_last_month_and_quarter() {
        let labels: Vec<String> = periods_to_snapshot("2026-01-15".parse().unwrap())
            .into_iter()
            .map(|p| p.label)
            .collect();
        assert_eq!(labels, ["2025-12", "2026-01", "2025-Q4", "2026-Q1"]);
    }
}
