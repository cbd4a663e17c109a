//! The wire shapes of the analytics results the API returns, each built from its typed
//! result in one place (`From<&analytics::…>`). Field names, order (the CSV columns) and
//! formats are the API's contract: Grafana dashboards and integrators read them.

use chrono::SecondsFormat;
use civicpulse_analytics::matrix;
use serde::Serialize;
use utoipa::ToSchema;

/// Green / amber / red, or why a cell is not judged (docs/analysts/quality-matrix.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Green,
    Amber,
    Red,
    NoReference,
    Info,
    InsufficientData,
    NotAvailable,
}

impl From<matrix::MatrixStatus> for Status {
    fn from(status: matrix::MatrixStatus) -> Status {
        match status {
            matrix::MatrixStatus::Green => Status::Green,
            matrix::MatrixStatus::Amber => Status::Amber,
            matrix::MatrixStatus::Red => Status::Red,
            matrix::MatrixStatus::NoReference => Status::NoReference,
            matrix::MatrixStatus::Info => Status::Info,
            matrix::MatrixStatus::InsufficientData => Status::InsufficientData,
            matrix::MatrixStatus::NotAvailable => Status::NotAvailable,
        }
    }
}

/// One cell of the matrix, flat (what Grafana's Infinity datasource and CSV read best).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Cell {
    pub period: String,
    pub period_from: String,
    pub period_to: String,
    pub service_id: String,
    pub service_name: String,
    pub category: String,
    pub group_by: String,
    pub group: String,
    pub dimension: String,
    pub family: String,
    /// Absent when withheld (too few observations) or not measured for this breakdown.
    pub value: Option<f64>,
    pub n: u64,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub target: Option<f64>,
    /// Median of the peer services (same category) with enough data.
    pub benchmark: Option<f64>,
    pub previous_value: Option<f64>,
    pub change: Option<f64>,
    pub status: Status,
    /// The status as a number for colour thresholds and alert rules: 2 green, 1 amber,
    /// 0 red, −1 not judged.
    pub status_level: i64,
    /// Why a value is missing, or what an equity gap compares.
    pub note: String,
    /// When the aggregator or the API computed the cell (RFC 3339, UTC): a snapshot's
    /// shows what was known then.
    pub computed_at: String,
}

impl From<&matrix::Cell> for Cell {
    fn from(c: &matrix::Cell) -> Cell {
        Cell {
            period: c.period.clone(),
            period_from: c.period_from.to_string(),
            period_to: c.period_to.to_string(),
            service_id: c.service_id.clone(),
            service_name: c.service_name.clone(),
            category: c.category.clone(),
            group_by: c.group_by.as_str().to_string(),
            group: c.group.clone(),
            dimension: c.dimension.clone(),
            family: c.family.clone(),
            value: c.value,
            n: c.n,
            ci_low: c.ci_low,
            ci_high: c.ci_high,
            target: c.target,
            benchmark: c.benchmark,
            previous_value: c.previous_value,
            change: c.change,
            status: c.status.into(),
            status_level: c.status.level(),
            note: c.note.clone(),
            computed_at: c.computed_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        }
    }
}

/// One point, flat; `time` is the bucket's first day at midnight UTC (ISO 8601).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Point {
    pub time: String,
    pub service_id: String,
    pub group: String,
    pub metric: String,
    pub value: Option<f64>,
    pub n: u64,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub note: String,
}

impl From<&matrix::Point> for Point {
    fn from(p: &matrix::Point) -> Point {
        Point {
            time: format!("{}T00:00:00Z", p.start),
            service_id: p.service_id.clone(),
            group: p.group.clone(),
            metric: p.metric.clone(),
            value: p.value,
            n: p.n,
            ci_low: p.ci_low,
            ci_high: p.ci_high,
            note: p.note.clone(),
        }
    }
}

/// One dimension of one intervention's evaluation, flat: the report's open-data row, whose
/// columns the API publishes too.
pub use civicpulse_reports::records::InterventionRecord as InterventionRow;

/// How one standard of one service was kept over a window: the open data's `sla.csv` row,
/// whose columns the API publishes too.
pub use civicpulse_reports::records::SlaRecord as PolicySummary;

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn statuses_are_shown_by_their_analytics_names() {
        for status in matrix::MatrixStatus::iter() {
            assert_eq!(
                serde_json::to_value(Status::from(status)).unwrap(),
                status.as_str()
            );
        }
    }
}
