//! `GET /api/v1/timeseries`: one dimension per service over time, by day, week or month.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicpulse_aggregator::matrix::{self, Bucket, Point};

use super::matrix::parse_dimension;
use crate::cache::cached;
use crate::error::ApiError;
use crate::params::Params;
use crate::respond::{table, Format};
use crate::ApiState;

/// The query parameters this endpoint takes; any other is a 400.
pub const PARAMS: &[&str] = &["metric", "service_id", "from", "to", "interval"];
const INTERVALS: &[(&str, Bucket)] = &[
    ("day", Bucket::Day),
    ("week", Bucket::Week),
    ("month", Bucket::Month),
];

#[utoipa::path(
    get,
    path = "/api/v1/timeseries",
    tag = "matrix",
    params(
        ("metric" = String, Query, description = "A matrix dimension, e.g. `sla_compliance`.", example = "satisfaction_top2_share"),
        ("service_id" = Option<String>, Query, description = "One service (default: all).", example = "passport-in-person"),
        ("from" = Option<String>, Query, description = "First local day, `YYYY-MM-DD` (default: 90 days before `to`).", example = "2026-09-01"),
        ("to" = Option<String>, Query, description = "Day after the last (default: tomorrow).", example = "2026-12-01"),
        ("interval" = Option<String>, Query, description = "`day` (default), `week` (from Monday) or `month`.", example = "week"),
    ),
    responses(
        (status = 200, description = "Points in time order; `time` is the bucket's first day (ISO 8601); withheld values are null with a note", body = [Point]),
        (status = 400, description = "A parameter is missing, unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn timeseries(
    State(state): State<ApiState>,
    params: Params,
    format: Format,
) -> Result<Response, ApiError> {
    params.only(PARAMS)?;
    let dimension = params
        .parse("metric", parse_dimension)?
        .ok_or_else(|| ApiError::bad("metric", "required, e.g. `metric=sla_compliance`"))?;
    let service_id = params.service(&state.catalog, "service_id")?;
    let (from, to) = super::date_range(&params, &state, 90)?;
    let bucket = params.choice("interval", INTERVALS)?.unwrap_or(Bucket::Day);

    let key = format!(
        "{}|{}|{from}|{to}|{bucket:?}",
        dimension.name(),
        service_id.as_deref().unwrap_or("*")
    );
    let points = cached(&state.cache.timeseries, key, async {
        let client = state.store().await?;
        let services = service_id.clone().map(|s| vec![s]);
        Ok(matrix::timeseries(
            &client,
            &state.matrix,
            dimension,
            services.as_deref(),
            from,
            to,
            bucket,
        )
        .await?)
    })
    .await?;
    table(format, points.as_slice(), HeaderMap::new())
}
