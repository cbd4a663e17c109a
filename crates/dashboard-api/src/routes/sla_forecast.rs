//! `GET /api/v1/sla/forecast`: for each service, day-limit standard and option, how many
//! of the open cases are forecast to breach and when, the refunds they would owe and the
//! completions per business day from tomorrow that would prevent it (the queue at the
//! throughput of the last `window` business days mixed with the durations of the cases
//! that fell due in those days; see the aggregator's `sla::queue` and `sla::durations`).
//! `as_of` in the past back-tests the forecast: `actual_breaches` says what happened.
//! `view=days` lists the forecast breaches by due date instead.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Utc;
use civicpulse_analytics::sla::forecast::{self, OptionForecast, DEFAULT_WINDOW};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::{Limit, Query, Time};
use crate::respond::{table, ResponseFormat};
use crate::ApiState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForecastQuery {
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
    /// The moment to forecast from (default now); earlier moments back-test.
    #[param(value_type = Option<String>, example = "2026-11-02T12:00:00Z")]
    as_of: Option<Time>,
    /// Business days of completions the throughput is the mean of, 1-60 (default 10).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 60, example = 10)]
    window: Option<Limit<60>>,
    /// `options` (the default: one row per service, standard and option) or `days`.
    #[param(value_type = Option<String>, example = "options")]
    view: Option<View>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum View {
    Options,
    Days,
}

/// One service, standard and option.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreachForecast {
    pub service_id: String,
    pub policy: String,
    pub service_option: String,
    pub as_of: String,
    pub window_business_days: usize,
    /// Completions per business day the forecast assumes.
    pub throughput: f64,
    pub open: usize,
    pub already_breached: usize,
    /// Not yet breached but due today or earlier: only today's work can save them.
    pub due_now: usize,
    /// Cases the queue alone (first in, first out at `throughput`) completes late.
    pub fifo_breaches: usize,
    /// The expected breaches, unrounded; `forecast_breaches` is it rounded.
    pub expected_breaches: f64,
    pub forecast_breaches: usize,
    /// The forecast breaches' share of the open cases not yet breached over the share the
    /// standard allows; above 1 the queue spends more than its budget.
    pub forecast_burn_rate: Option<f64>,
    pub first_breach_at: Option<String>,
    /// The refunds the forecast breaches would owe, in major units from whole minor units
    /// (never `-0.0`).
    pub forecast_refunds: f64,
    /// The same in the currency's minor units (cents; yen have none).
    pub forecast_refunds_minor: i64,
    pub currency: String,
    /// Completions per business day from tomorrow for no further case to breach.
    pub required_throughput: Option<f64>,
    /// For a past `as_of`: how many cases not yet breached then did breach.
    pub actual_breaches: Option<usize>,
}

/// Forecast breaches falling due on one date.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreachDay {
    pub service_id: String,
    pub policy: String,
    pub service_option: String,
    pub due_date: String,
    pub forecast_breaches: usize,
}

#[utoipa::path(
    get,
    path = "/api/v1/sla/forecast",
    tag = "sla",
    params(ForecastQuery),
    responses(
        (status = 200, description = "One row per service, day-limit standard and option (`view=options`), or per forecast due date (`view=days`)", body = [BreachForecast]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn forecast(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<ForecastQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let selection = caller.select(&state.catalog, query.service_id)?;
    let as_of = query.as_of.map_or_else(Utc::now, |t| t.0);
    if as_of > Utc::now() {
        return Err(ApiError::bad("as_of", "must not be in the future"));
    }
    let window = query.window.map_or(DEFAULT_WINDOW, |w| w.0 as usize);
    let forecasts = forecasts(&state, |id| selection.admits(id), as_of, window).await?;
    match query.view.unwrap_or(View::Options) {
        View::Options => {
            let rows: Vec<BreachForecast> = forecasts.iter().map(BreachForecast::from).collect();
            table(format, &rows, HeaderMap::new())
        }
        View::Days => {
            let rows: Vec<BreachDay> = forecasts
                .iter()
                .flat_map(|f| {
                    f.breaches_by_due_date.iter().map(|(day, n)| BreachDay {
                        service_id: f.service_id.clone(),
                        policy: f.policy.clone(),
                        service_option: f.service_option.clone(),
                        due_date: day.to_string(),
                        forecast_breaches: *n,
                    })
                })
                .collect();
            table(format, &rows, HeaderMap::new())
        }
    }
}

/// The forecasts of the services `admits` accepts, as of a moment.
pub async fn forecasts(
    state: &ApiState,
    admits: impl Fn(&str) -> bool,
    as_of: chrono::DateTime<Utc>,
    window: usize,
) -> Result<Vec<OptionForecast>, ApiError> {
    let mut out = Vec::new();
    for service in state.catalog.services.iter().filter(|s| admits(&s.id)) {
        out.extend(
            forecast::forecast_service(state.stores(), &state.catalog, service, as_of, window)
                .await?,
        );
    }
    Ok(out)
}

impl From<&OptionForecast> for BreachForecast {
    /// The wire shape of a forecast (JSON and CSV alike).
    fn from(f: &OptionForecast) -> BreachForecast {
        let time = |t: chrono::DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        BreachForecast {
            as_of: time(f.as_of),
            first_breach_at: f.first_breach_at.map(time),
            service_id: f.service_id.clone(),
            policy: f.policy.clone(),
            service_option: f.service_option.clone(),
            window_business_days: f.window_business_days,
            throughput: f.throughput,
            open: f.open,
            already_breached: f.already_breached,
            due_now: f.due_now,
            fifo_breaches: f.fifo_breaches,
            expected_breaches: f.expected_breaches,
            forecast_breaches: f.forecast_breaches,
            forecast_burn_rate: f.forecast_burn_rate,
            forecast_refunds: f.forecast_refund.to_major(),
            forecast_refunds_minor: f.forecast_refund.amount_minor,
            currency: f.currency.clone(),
            required_throughput: f.required_throughput,
            actual_breaches: f.actual_breaches,
        }
    }
}
