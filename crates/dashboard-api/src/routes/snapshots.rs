//! `GET /api/v1/matrix/snapshots`: the stored matrices of past and current months and
//! quarters (whole services), as they were computed — for trends and reports. Each is a
//! matrix cell like `/matrix` returns; `computed_at` says when it was computed.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicpulse_analytics::matrix::snapshot;
use civicpulse_store::tables::matrix_snapshots::SnapshotFilter;

use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::{FigureParam, PeriodParam, Query};
use crate::peers;
use crate::respond::{table, ResponseFormat};
use crate::wire;
use crate::ApiState;

/// The query of `/api/v1/matrix/snapshots`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SnapshotsQuery {
    /// A period label; months (`YYYY-MM`) and quarters (`YYYY-Qn`) are the ones stored.
    #[param(value_type = Option<String>, example = "2026-11")]
    period: Option<PeriodParam>,
    /// One service.
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
    /// One dimension, or a top-level theme's share of comments (`theme_share:<theme>`).
    #[param(value_type = Option<String>, example = "sla_compliance")]
    dimension: Option<FigureParam>,
}

#[utoipa::path(
    get,
    path = "/api/v1/matrix/snapshots",
    tag = "matrix",
    params(SnapshotsQuery),
    responses(
        (status = 200, description = "Stored cells, newest computation of each period", body = [wire::Cell]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn snapshots(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<SnapshotsQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let period = query
        .period
        .map(|p| p.period(&state.catalog).map(|p| p.to_string()))
        .transpose()?;
    let selection = caller.select(&state.catalog, query.service_id)?;
    let dimension = query
        .dimension
        .map(|d| d.checked(&state.catalog, |t| t.parent.is_none()))
        .transpose()?;
    // A scoped reader's benchmarks are checked against the peers' rows, so read them too.
    let service_id = selection.one.as_deref().filter(|_| !caller.is_scoped());
    let filter = SnapshotFilter {
        period: period.as_deref(),
        service_id,
        dimension: dimension.as_deref(),
    };
    let mut cells: Vec<wire::Cell> = state
        .stores()
        .snapshots(&filter)
        .await?
        .into_iter()
        .map(|row| wire::Cell::from(&snapshot::cell(row, &state.catalog)))
        .collect();
    peers::withhold_revealing_benchmarks(&state.catalog, &caller, &mut cells);
    cells.retain(|c| selection.admits(&c.service_id));
    table(format, &cells, HeaderMap::new())
}
