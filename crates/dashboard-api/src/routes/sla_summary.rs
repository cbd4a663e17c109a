//! `GET /api/v1/sla/summary?from=&to=&service_id=`: per service and policy, how the
//! standard is kept. Closed cases are those stopped in [from, to) (default: the 30 days
//! before now); open figures are as of the last evaluation.
//!
//! - compliance_ratio = met / closed;
//! - error_budget_remaining and burn_rate_Nd (cases stopped in the N days before `to`) as
//!   `civicpulse_core::error_budget` defines them.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use civicpulse_analytics::sla::summary;
use civicpulse_analytics::sla::summary::PolicySummary;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::{time_window, Query, Time};
use crate::respond::{table, ResponseFormat};
use crate::wire;
use crate::ApiState;

/// The query of `/api/v1/sla/summary`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// One service.
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
    /// Cases closed at or after (`YYYY-MM-DD` or RFC 3339; default 30 days before `to`).
    #[param(value_type = Option<String>, example = "2026-01-01")]
    from: Option<Time>,
    /// Cases closed before (default now).
    #[param(value_type = Option<String>, example = "2027-01-01")]
    to: Option<Time>,
}

#[utoipa::path(
    get,
    path = "/api/v1/sla/summary",
    tag = "sla",
    params(SummaryQuery),
    responses(
        (status = 200, description = "One row per service and policy", body = [wire::PolicySummary]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn summary(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<SummaryQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let selection = caller.select(&state.catalog, query.service_id)?;
    let (from, to) = time_window(query.from, query.to, 30)?;
    let rows: Vec<wire::PolicySummary> =
        summarize_window(&state, selection.one.as_deref(), from, to)
            .await?
            .iter()
            .filter(|s| selection.admits(&s.service_id))
            .map(|s| wire::PolicySummary::published(s, &state.config.matrix))
            .collect();
    table(format, &rows, HeaderMap::new())
}

/// The summary of every policy (or one service's) for cases closed in [from, to).
pub async fn summarize_window(
    state: &ApiState,
    service_id: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<PolicySummary>, ApiError> {
    Ok(summary::summarize_window(state.stores(), &state.catalog, service_id, from, to).await?)
}
