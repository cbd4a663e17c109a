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

/// One dimension of one intervention's evaluation, flat.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct InterventionRow {
    pub intervention_id: String,
    pub service_id: String,
    pub name: String,
    pub date: String,
    pub description: String,
    pub dimension: String,
    pub family: String,
    pub window_days: u64,
    pub before_from: Option<String>,
    pub after_to: Option<String>,
    pub before_value: Option<f64>,
    pub before_n: u64,
    pub after_value: Option<f64>,
    pub after_n: u64,
    pub change: Option<f64>,
    pub change_ci_low: Option<f64>,
    pub change_ci_high: Option<f64>,
    /// `improved`, `worsened`, `no_clear_change` (the interval includes 0),
    /// `no_interval` (a count, percentile or gap: the change is shown unjudged),
    /// `insufficient_data` or `too_early`.
    pub verdict: String,
    /// Comma-separated peer services pooled for the difference-in-differences.
    pub peers: String,
    pub peer_change: Option<f64>,
    pub did: Option<f64>,
    pub did_ci_low: Option<f64>,
    pub did_ci_high: Option<f64>,
    /// As `verdict`, or `no_peers`.
    pub did_verdict: String,
    pub note: String,
}

impl From<&matrix::InterventionRow> for InterventionRow {
    fn from(r: &matrix::InterventionRow) -> InterventionRow {
        InterventionRow {
            intervention_id: r.intervention_id.clone(),
            service_id: r.service_id.clone(),
            name: r.name.clone(),
            date: r.date.to_string(),
            description: r.description.clone(),
            dimension: r.dimension.clone(),
            family: r.family.clone(),
            window_days: r.window_days,
            before_from: r.before_from.map(|d| d.to_string()),
            after_to: r.after_to.map(|d| d.to_string()),
            before_value: r.before_value,
            before_n: r.before_n,
            after_value: r.after_value,
            after_n: r.after_n,
            change: r.change,
            change_ci_low: r.change_ci_low,
            change_ci_high: r.change_ci_high,
            verdict: r.verdict.as_str().to_string(),
            peers: r.peers.join(","),
            peer_change: r.peer_change,
            did: r.did,
            did_ci_low: r.did_ci_low,
            did_ci_high: r.did_ci_high,
            did_verdict: r.did_verdict.as_str().to_string(),
            note: r.note.clone(),
        }
    }
}

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
