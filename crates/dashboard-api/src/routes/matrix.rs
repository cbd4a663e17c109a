//! `GET /api/v1/matrix`: the quality matrix of a period, one flat row per cell
//! (service × group × dimension), computed from the daily rollups and cached.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicpulse_analytics::matrix::{self, Cell, GroupBy};
use civicpulse_analytics::period::Period;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::cache::cached;
use crate::error::ApiError;
use crate::params::{DayBound, FigureParam, GroupByParam, PeriodParam, Query};
use crate::peers;
use crate::respond::{table, ResponseFormat};
use crate::wire;
use crate::ApiState;

/// The query of `/api/v1/matrix`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatrixQuery {
    /// A period label: `YYYY-MM`, `YYYY-Qn`, `YYYY`, a fiscal year `YYYY-YYYY` or `FYYYYY`, a
    /// fiscal quarter `YYYY-YYYY-Qn` or `FYYYYY-Qn`, or days `FROM..TO`; instead of from/to.
    /// Default: this month.
    #[param(value_type = Option<String>)]
    period: Option<PeriodParam>,
    /// First local day, `YYYY-MM-DD`, or an RFC 3339 time (its day), with `to`.
    #[param(value_type = Option<String>, example = "2026-10-01")]
    from: Option<DayBound>,
    /// Day after the last, `YYYY-MM-DD` (exclusive), or an RFC 3339 time (its day included unless it is midnight).
    #[param(value_type = Option<String>, example = "2026-11-01")]
    to: Option<DayBound>,
    /// `service` (default), `channel`, `region`, `age_band`, `disability` or `language`.
    #[param(value_type = Option<String>, example = "service")]
    group_by: Option<GroupByParam>,
    /// Only this service's rows (benchmarks still use its peers).
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
    /// Only this dimension, e.g. `satisfaction_top2_share`, or a top-level theme's share of
    /// comments, e.g. `theme_share:process`.
    #[param(value_type = Option<String>, example = "satisfaction_top2_share")]
    dimension: Option<FigureParam>,
}

#[utoipa::path(
    get,
    path = "/api/v1/matrix",
    tag = "matrix",
    params(MatrixQuery),
    responses(
        (status = 200, description = "One row per service, group and dimension; `Accept: text/csv` for CSV", body = [crate::wire::Cell]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn matrix(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<MatrixQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let period = period(&query, &state)?;
    let group_by = query.group_by.map_or(GroupBy::Service, |g| g.0);
    let selection = caller.select(&state.catalog, query.service_id)?;
    let dimension = query
        .dimension
        .map(|d| d.checked(&state.catalog, |t| t.parent.is_none()))
        .transpose()?;

    let cells = cached_matrix(&state, &period, group_by).await?;
    let mut rows: Vec<wire::Cell> = cells
        .iter()
        .filter(|c| dimension.as_ref().is_none_or(|d| &c.dimension == d))
        .map(wire::Cell::from)
        .collect();
    peers::withhold_revealing_benchmarks(&state.catalog, &caller, &mut rows);
    rows.retain(|c| selection.admits(&c.service_id));
    table(format, &rows, HeaderMap::new())
}

/// The matrix of a period and breakdown, from the cache or computed (the API and the
/// gauges ask for the same one).
pub(crate) async fn cached_matrix(
    state: &ApiState,
    period: &Period,
    group_by: GroupBy,
) -> Result<Arc<Vec<Cell>>, ApiError> {
    // The label and the compared period belong to the answer, not only the days: a month
    // and the same days asked as a range compare with different periods.
    let key = format!(
        "{}|{}|{}|{}|{}|{}",
        period,
        period.from,
        period.to,
        period.previous_from,
        period.previous_to,
        group_by.as_str()
    );
    cached(&state.cache.matrix, key, async {
        Ok(matrix::compute(
            state.stores(),
            &state.catalog,
            &state.matrix,
            period,
            group_by,
        )
        .await?)
    })
    .await
}

/// `period`, or `from` and `to`, or this month.
fn period(query: &MatrixQuery, state: &ApiState) -> Result<Period, ApiError> {
    match (&query.period, &query.from, &query.to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(ApiError::bad(
            "period",
            "give `period` or `from`/`to`, not both",
        )),
        (Some(period), None, None) => period.period(&state.catalog),
        (None, None, None) => Ok(Period::month_of(state.today())),
        (None, Some(_), Some(_)) => {
            let (from, to) = super::date_range(query.from.as_ref(), query.to.as_ref(), state, 0)?;
            Period::between(from, to).ok_or_else(|| ApiError::bad("from", "must be before `to`"))
        }
        (None, None, Some(_)) => Err(ApiError::bad("from", "required with `to`")),
        (None, Some(_), None) => Err(ApiError::bad("to", "required with `from`")),
    }
}
