//! `GET /api/v1/timeseries`: one dimension per service over time, by day, week or month.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicpulse_analytics::matrix::{self, Bucket};

use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::cache::cached;
use crate::error::ApiError;
use crate::params::{DayBound, DimensionParam, Query};
use crate::respond::{table, ResponseFormat};
use crate::wire;
use crate::ApiState;

/// How points are bucketed in time.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Interval {
    Day,
    /// From Monday.
    Week,
    Month,
}

impl Interval {
    fn bucket(self) -> Bucket {
        match self {
            Interval::Day => Bucket::Day,
            Interval::Week => Bucket::Week,
            Interval::Month => Bucket::Month,
        }
    }
}

/// The query of `/api/v1/timeseries`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimeseriesQuery {
    /// A matrix dimension, e.g. `sla_compliance`.
    #[param(value_type = String, required, example = "satisfaction_top2_share")]
    metric: Option<DimensionParam>,
    /// One service (default: all).
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
    /// First local day, `YYYY-MM-DD` (default: 90 days before `to`).
    #[param(value_type = Option<String>, example = "2026-09-01")]
    from: Option<DayBound>,
    /// Day after the last (default: tomorrow).
    #[param(value_type = Option<String>, example = "2026-12-01")]
    to: Option<DayBound>,
    /// `day` (default), `week` (from Monday) or `month`.
    #[param(value_type = Option<String>, example = "week")]
    interval: Option<Interval>,
}

#[utoipa::path(
    get,
    path = "/api/v1/timeseries",
    tag = "matrix",
    params(TimeseriesQuery),
    responses(
        (status = 200, description = "Points in time order; `time` is the bucket's first day (ISO 8601); withheld values are null with a note", body = [wire::Point]),
        (status = 400, description = "A parameter is missing, unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn timeseries(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<TimeseriesQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let dimension = query
        .metric
        .map(|m| m.0)
        .ok_or_else(|| ApiError::bad("metric", "required, e.g. `metric=sla_compliance`"))?;
    let services = caller.select(&state.catalog, query.service_id)?.services();
    let (from, to) = super::date_range(query.from.as_ref(), query.to.as_ref(), &state, 90)?;
    let bucket = query.interval.map_or(Bucket::Day, Interval::bucket);

    let key = format!(
        "{}|{}|{from}|{to}|{bucket:?}",
        dimension.name(),
        services.join(",")
    );
    let points = cached(&state.cache.timeseries, key, async {
        Ok(matrix::timeseries(
            state.stores(),
            &state.matrix,
            dimension,
            (!services.is_empty()).then_some(services.as_slice()),
            from,
            to,
            bucket,
        )
        .await?)
    })
    .await?;
    let points: Vec<wire::Point> = points.iter().map(wire::Point::from).collect();
    table(format, &points, HeaderMap::new())
}
