//! `GET /api/v1/matrix/snapshots`: the stored matrices of past and current months and
//! quarters (whole services), as they were computed — for trends and reports. Each is a
//! matrix cell like `/matrix` returns; `computed_at` says when it was computed.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicpulse_aggregator::matrix::{snapshot, Cell};
use civicpulse_store::tables::matrix_snapshots::{self, SnapshotFilter};

use super::matrix::parse_dimension;
use crate::error::ApiError;
use crate::params::Params;
use crate::respond::{table, Format};
use crate::ApiState;

/// The query parameters this endpoint takes; any other is a 400.
pub const PARAMS: &[&str] = &["period", "service_id", "dimension"];

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
        (status = 200, description = "Stored cells, newest computation of each period", body = [Cell]),
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
    let cells: Vec<Cell> = matrix_snapshots::read(&client, &filter)
        .await?
        .into_iter()
        .map(|row| snapshot::cell(row, &state.catalog))
        .collect();
    table(format, &cells, HeaderMap::new())
}
