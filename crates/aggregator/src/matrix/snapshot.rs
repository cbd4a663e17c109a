//! Snapshots: each run stores the matrix of the current and previous month and quarter
//! (whole services), so trends and ministers' reports read what was shown at the time.
//! What is stored, and how, is `civicpulse_store::tables::matrix_snapshots`.

use chrono::{NaiveDate, Utc};
use civicpulse_core::config::MatrixConfig;
use civicpulse_core::Catalog;
use civicpulse_store::tables::matrix_snapshots;
use civicpulse_store::{ClickHouseStore, StoreError};
use clickhouse::Client;

use civicpulse_analytics::matrix::snapshot::row;
use civicpulse_analytics::matrix::{self, GroupBy};
use civicpulse_analytics::period::Period;

/// Whether the month of `today` has been snapshotted already.
pub async fn has_month_snapshot(
    client: &Client,
    today: NaiveDate,
) -> Result<bool, clickhouse::error::Error> {
    matrix_snapshots::has_period(client, &Period::month_of(today).to_string()).await
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
) -> Result<usize, StoreError> {
    let now = Utc::now();
    let mut written = 0;
    let reader = ClickHouseStore::connected(client.clone());
    let mut insert = matrix_snapshots::writer(client).await?;
    for period in periods_to_snapshot(today) {
        let cells = matrix::compute(&reader, catalog, config, &period, GroupBy::Service).await?;
        for cell in cells {
            insert.write(&row(&period, cell, now)).await?;
            written += 1;
        }
    }
    insert.end().await?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_cover_this_and_the_last_month_and_quarter() {
        let labels: Vec<String> = periods_to_snapshot("2026-01-15".parse().unwrap())
            .into_iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(labels, ["2025-12", "2026-01", "2025-Q4", "2026-Q1"]);
    }
}
