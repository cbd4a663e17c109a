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
use chrono::{DateTime, Duration, Utc};
use civicpulse_core::{error_budget, horizon};
use civicpulse_store::tables::sla_cases::{self, SummaryRow, SummaryWindow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::params::{known_service, Query, Time};
use crate::respond::{table, Format};
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

#[derive(Debug, Serialize, PartialEq, ToSchema)]
pub struct PolicySummary {
    pub service_id: String,
    pub policy: String,
    pub closed: u64,
    pub met: u64,
    pub breached: u64,
    pub compliance_ratio: Option<f64>,
    pub target_ratio: f64,
    pub p50_elapsed_days: Option<f64>,
    pub p90_elapsed_days: Option<f64>,
    pub open: u64,
    pub at_risk: u64,
    pub open_breached: u64,
    pub refunds_owed: u64,
    pub refunds_owed_amount: f64,
    pub currency: String,
    /// Cases whose milestones break the policy's order (e.g. a stop before any start).
    pub anomalies: u64,
    pub error_budget_remaining: f64,
    pub burn_rate_1d: Option<f64>,
    pub burn_rate_7d: Option<f64>,
    pub burn_rate_30d: Option<f64>,
}

#[utoipa::path(
    get,
    path = "/api/v1/sla/summary",
    tag = "sla",
    params(SummaryQuery),
    responses(
        (status = 200, description = "One row per service and policy", body = [PolicySummary]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn summary(
    State(state): State<ApiState>,
    Query(query): Query<SummaryQuery>,
    format: Format,
) -> Result<Response, ApiError> {
    let service_id = known_service(&state.catalog, query.service_id)?;
    let to = query.to.map_or_else(Utc::now, |t| t.0);
    let from = query.from.map_or_else(
        || days_before(to, 30).max(horizon::first_instant()),
        |t| t.0,
    );
    if from >= to {
        return Err(ApiError::bad("from", "must be before `to`"));
    }
    let rows = summarize_window(&state, service_id.as_deref(), from, to).await?;
    table(format, &rows, HeaderMap::new())
}

pub async fn summarize_window(
    state: &ApiState,
    service_id: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<PolicySummary>, ApiError> {
    let window = SummaryWindow {
        from,
        to,
        since_1d: days_before(to, 1),
        since_7d: days_before(to, 7),
        since_30d: days_before(to, 30),
        service_id,
    };
    let client = state.store().await?;
    let rows = sla_cases::summary(&client, &window).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| summarize(state, row))
        .collect())
}

/// `days` before `to`, or the earliest instant chrono holds (never a panic; parameters are
/// checked against the horizon before they get here).
fn days_before(to: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    to.checked_sub_signed(Duration::days(days))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Adds the policy's target and derived ratios; rows of policies no longer in the catalog
/// are left out.
fn summarize(state: &ApiState, row: SummaryRow) -> Option<PolicySummary> {
    let policy = state
        .catalog
        .service(&row.service_id)?
        .sla
        .iter()
        .find(|p| p.id == row.policy)?;
    let target = policy.target_ratio;
    let burn = |breached: u64, closed: u64| error_budget::burn_rate(breached, closed, target);
    Some(PolicySummary {
        compliance_ratio: error_budget::ratio(row.met, row.closed),
        target_ratio: policy.target_ratio,
        p50_elapsed_days: (row.closed > 0).then_some(row.p50),
        p90_elapsed_days: (row.closed > 0).then_some(row.p90),
        error_budget_remaining: error_budget::remaining(row.breached, row.closed, target),
        burn_rate_1d: burn(row.breached_1d, row.closed_1d),
        burn_rate_7d: burn(row.breached_7d, row.closed_7d),
        burn_rate_30d: burn(row.breached_30d, row.closed_30d),
        currency: policy.currency.clone(),
        service_id: row.service_id,
        policy: row.policy,
        closed: row.closed,
        met: row.met,
        breached: row.breached,
        open: row.open,
        at_risk: row.at_risk,
        open_breached: row.open_breached,
        refunds_owed: row.refunds_owed,
        refunds_owed_amount: row.refunds_owed_amount,
        anomalies: row.anomalies,
    })
}
