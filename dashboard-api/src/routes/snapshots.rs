//! `GET /api/v1/matrix/snapshots`: the stored matrices of past and current months and
//! quarters (whole services), as they were computed — for trends and reports.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicpulse_store::tables::matrix_snapshots::{self, SnapshotFilter, SnapshotRow};
use serde::Serialize;
use utoipa::ToSchema;

use super::matrix::parse_dimension;
use crate::error::ApiError;
use crate::params::Params;
use crate::respond::{table, Format};
use crate::ApiState;

/// The query parameters this endpoint takes; any other is a 400.
pub const PARAMS: &[&str] = &["period", "service_id", "dimension"];

/// One stored cell; `computed_at` is when the aggregator computed it (ISO 8601, UTC).
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotCell {
    pub period: String,
    pub period_from: String,
    pub period_to: String,
    pub service_id: String,
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
    pub computed_at: String,
}

impl From<SnapshotRow> for SnapshotCell {
    fn from(row: SnapshotRow) -> Self {
        SnapshotCell {
            period: row.period,
            period_from: row.period_from.to_string(),
            period_to: row.period_to.to_string(),
            service_id: row.service_id,
            dimension: row.dimension,
            value: row.value,
            n: row.n,
            ci_low: row.ci_low,
            ci_high: row.ci_high,
            target: row.target,
            benchmark: row.benchmark,
            previous_value: row.previous_value,
            change: row.change,
            status: row.status,
            note: row.note,
            computed_at: row
                .computed_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/matrix/snapshots",
    tag = "matrix",
    params(
        ("period" = Option<String>, Query, description = "`YYYY-MM` or `YYYY-Qn`.", example = "2026-11"),
        ("service_id" = Option<String>, Query, description = "One service.", example = "passport-in-person"),
        ("dimension" = Option<String>, Query, description = "One dimension.", example = "sla_compliance"),
    ),
    responses(
        (status = 200, description = "Stored cells, newest computation of each period", body = [SnapshotCell]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn snapshots(
    State(state): State<ApiState>,
    params: Params,
    format: Format,
) -> Result<Response, ApiError> {
    params.only(PARAMS)?;
    let period = params.period("period")?.map(|p| p.label);
    let service_id = params.service(&state.catalog, "service_id")?;
    let dimension = params
        .parse("dimension", parse_dimension)?
        .map(|d| d.name());
    let client = state.store().await?;
    let filter = SnapshotFilter {
        period: period.as_deref(),
        service_id: service_id.as_deref(),
        dimension: dimension.as_deref(),
    };
    let cells: Vec<SnapshotCell> = matrix_snapshots::read(&client, &filter)
        .await?
        .into_iter()
        .map(SnapshotCell::from)
        .collect();
    table(format, &cells, HeaderMap::new())
}
