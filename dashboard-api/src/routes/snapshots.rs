//! `GET /api/v1/matrix/snapshots`: the stored matrices of past and current months and
//! quarters (whole services), as they were computed — for trends and reports.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::DateTime;
use clickhouse::Row;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::matrix::parse_dimension;
use crate::error::ApiError;
use crate::params::Params;
use crate::respond::{table, Format};
use crate::ApiState;

const PARAMS: &[&str] = &["period", "service_id", "dimension"];

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

#[derive(Debug, Row, Deserialize)]
struct SnapshotRead {
    period: String,
    period_from: String,
    period_to: String,
    service_id: String,
    dimension: String,
    value: Option<f64>,
    n: u64,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
    target: Option<f64>,
    benchmark: Option<f64>,
    previous_value: Option<f64>,
    change: Option<f64>,
    status: String,
    note: String,
    computed_at: u32,
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
    let period = params.parse("period", |text| {
        civicpulse_aggregator::matrix::Period::parse(text)
            .map(|p| p.label)
            .ok_or_else(|| format!("`{text}` is neither YYYY-MM nor YYYY-Qn"))
    })?;
    let service_id = params.service(&state.catalog, "service_id")?;
    let dimension = params
        .parse("dimension", parse_dimension)?
        .map(|d| d.name());
    let client = state.store().await?;
    let rows: Vec<SnapshotRead> = client
        .query(
            "SELECT period, toString(period_from), toString(period_to), service_id, dimension, value, n, \
               ci_low, ci_high, target, benchmark, previous_value, change, status, note, toUInt32(computed_at) \
             FROM matrix_snapshots FINAL \
             WHERE group_by = 'service' AND (? = '' OR period = ?) AND (? = '' OR service_id = ?) \
               AND (? = '' OR dimension = ?) \
             ORDER BY period_from, period, service_id, dimension",
        )
        .bind(period.as_deref().unwrap_or(""))
        .bind(period.as_deref().unwrap_or(""))
        .bind(service_id.as_deref().unwrap_or(""))
        .bind(service_id.as_deref().unwrap_or(""))
        .bind(dimension.as_deref().unwrap_or(""))
        .bind(dimension.as_deref().unwrap_or(""))
        .fetch_all()
        .await?;
    let cells: Vec<SnapshotCell> = rows
        .into_iter()
        .map(|r| SnapshotCell {
            computed_at: DateTime::from_timestamp(i64::from(r.computed_at), 0)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default(),
            period: r.period,
            period_from: r.period_from,
            period_to: r.period_to,
            service_id: r.service_id,
            dimension: r.dimension,
            value: r.value,
            n: r.n,
            ci_low: r.ci_low,
            ci_high: r.ci_high,
            target: r.target,
            benchmark: r.benchmark,
            previous_value: r.previous_value,
            change: r.change,
            status: r.status,
            note: r.note,
        })
        .collect();
    table(format, &cells, HeaderMap::new())
}
