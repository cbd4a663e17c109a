//! `GET /api/v1/matrix`: the quality matrix of a period, one flat row per cell
//! (service × group × dimension), computed from the daily rollups and cached.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicpulse_aggregator::matrix::{self, Cell, GroupBy, Period};
use civicpulse_core::Dimension;

use crate::cache::cached;
use crate::error::ApiError;
use crate::params::Params;
use crate::respond::{table, Format};
use crate::ApiState;

/// The query parameters this endpoint takes; any other is a 400.
pub const PARAMS: &[&str] = &[
    "period",
    "from",
    "to",
    "group_by",
    "service_id",
    "dimension",
];

#[utoipa::path(
    get,
    path = "/api/v1/matrix",
    tag = "matrix",
    params(
        ("period" = Option<String>, Query, description = "`YYYY-MM` (a month) or `YYYY-Qn` (a quarter); instead of from/to. Default: this month."),
        ("from" = Option<String>, Query, description = "First local day, `YYYY-MM-DD`, or an RFC 3339 time (its day), with `to`.", example = "2026-10-01"),
        ("to" = Option<String>, Query, description = "Day after the last, `YYYY-MM-DD` (exclusive), or an RFC 3339 time (its day included unless it is midnight).", example = "2026-11-01"),
        ("group_by" = Option<String>, Query, description = "`service` (default), `channel`, `region`, `age_band`, `disability` or `language`.", example = "service"),
        ("service_id" = Option<String>, Query, description = "Only this service's rows (benchmarks still use its peers).", example = "passport-in-person"),
        ("dimension" = Option<String>, Query, description = "Only this dimension, e.g. `satisfaction_top2_share`.", example = "satisfaction_top2_share"),
    ),
    responses(
        (status = 200, description = "One row per service, group and dimension; `Accept: text/csv` for CSV", body = [Cell]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn matrix(
    State(state): State<ApiState>,
    params: Params,
    format: Format,
) -> Result<Response, ApiError> {
    params.only(PARAMS)?;
    let period = period(&params, &state)?;
    let group_by = params
        .parse("group_by", |text| {
            GroupBy::parse(text).ok_or_else(|| {
                let names: Vec<&str> = GroupBy::ALL.iter().map(|g| g.as_str()).collect();
                format!("`{text}` is not one of {}", names.join(", "))
            })
        })?
        .unwrap_or(GroupBy::Service);
    let service_id = params.service(&state.catalog, "service_id")?;
    let dimension = params.parse("dimension", parse_dimension)?;

    let cells = cached_matrix(&state, &period, group_by).await?;
    let rows: Vec<&Cell> = cells
        .iter()
        .filter(|c| service_id.as_ref().is_none_or(|s| &c.service_id == s))
        .filter(|c| dimension.is_none_or(|d| c.dimension == d.name()))
        .collect();
    table(format, &rows, HeaderMap::new())
}

/// The matrix of a period and breakdown, from the cache or computed (the API and the
/// gauges ask for the same one).
pub(crate) async fn cached_matrix(
    state: &ApiState,
    period: &Period,
    group_by: GroupBy,
) -> Result<Arc<Vec<Cell>>, ApiError> {
    let key = format!("{}|{}|{}", period.from, period.to, group_by.as_str());
    cached(&state.cache.matrix, key, async {
        let client = state.store().await?;
        Ok(matrix::compute(&client, &state.catalog, &state.matrix, period, group_by).await?)
    })
    .await
}

/// `period`, or `from` and `to`, or this month.
fn period(params: &Params, state: &ApiState) -> Result<Period, ApiError> {
    let named = params.period("period")?;
    let (from, to) = (params.get("from"), params.get("to"));
    match (named, from, to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(ApiError::bad(
            "period",
            "give `period` or `from`/`to`, not both",
        )),
        (Some(period), None, None) => Ok(period),
        (None, None, None) => Ok(Period::month_of(state.today())),
        (None, Some(_), Some(_)) => {
            let (from, to) = super::date_range(params, state, 0)?;
            Period::between(from, to).ok_or_else(|| ApiError::bad("from", "must be before `to`"))
        }
        (None, None, Some(_)) => Err(ApiError::bad("from", "required with `to`")),
        (None, Some(_), None) => Err(ApiError::bad("to", "required with `from`")),
    }
}

pub(crate) fn parse_dimension(text: &str) -> Result<Dimension, String> {
    Dimension::parse(text).ok_or_else(|| {
        format!("`{text}` is not a matrix dimension (see the `dimension` column of /api/v1/matrix)")
    })
}
