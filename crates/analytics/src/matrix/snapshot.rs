//! Snapshots as stored and as shown: each aggregation run stores the matrix of the current
//! and previous month and quarter (whole services), so trends and ministers' reports read
//! what was shown at the time. Storing them is the aggregator's job; the row shape is
//! `civicpulse_store::tables::matrix_snapshots`.

use chrono::{DateTime, Utc};
use civicpulse_core::dimension::Family;
use civicpulse_core::theme;
use civicpulse_core::Catalog;
use civicpulse_core::Dimension;
use civicpulse_store::tables::matrix_snapshots::SnapshotRow;

use super::build::Cell;
use super::dimensions::GroupBy;
use super::status::MatrixStatus;
use crate::period::Period;

/// The stored shape of a cell: dates as dates, the status as its name; what the catalog
/// or the dimension tells (service name, category, family, status level) is not stored.
pub fn row(period: &Period, cell: Cell, computed_at: DateTime<Utc>) -> SnapshotRow {
    SnapshotRow {
        period: period.to_string(),
        period_from: period.from,
        period_to: period.to,
        group_by: cell.group_by.as_str().to_string(),
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

/// A stored cell as a computed one. A service since removed from the catalog keeps its
/// history, with an empty name and category; a status this version no longer knows reads
/// as `not_available`, a breakdown as whole services (the only one stored).
pub fn cell(row: SnapshotRow, catalog: &Catalog) -> Cell {
    let service = catalog.service(&row.service_id);
    let status = row.status.parse().unwrap_or(MatrixStatus::NotAvailable);
    Cell {
        period: row.period,
        period_from: row.period_from,
        period_to: row.period_to,
        service_name: service.map(|s| s.name.clone()).unwrap_or_default(),
        category: service.map(|s| s.category.clone()).unwrap_or_default(),
        service_id: row.service_id,
        group_by: GroupBy::parse(&row.group_by).unwrap_or(GroupBy::Service),
        group: row.group_value,
        family: match Dimension::parse(&row.dimension) {
            Some(dimension) => dimension.family().as_str().to_string(),
            None if theme::share_theme(&row.dimension).is_some() => {
                Family::Themes.as_str().to_string()
            }
            None => String::new(),
        },
        dimension: row.dimension,
        value: row.value,
        n: row.n,
        ci_low: row.ci_low,
        ci_high: row.ci_high,
        target: row.target,
        benchmark: row.benchmark,
        previous_value: row.previous_value,
        change: row.change,
        status,
        note: row.note,
        computed_at: row.computed_at,
    }
}
