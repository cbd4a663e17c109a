//! `GET /api/v1/sla/remissions`: the remission ledger. By default its totals per fiscal
//! year, service, standard, option and fee (what a Service Fees Act annual report needs);
//! `view=cases` lists each remission. JSON or CSV; filters `service_id`, `fiscal_year`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicpulse_analytics::sla::ledger;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::params::{known_service, Query};
use crate::respond::{table, Format};
use crate::ApiState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemissionsQuery {
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
    /// The fiscal year by the calendar year it starts in (2026: April 2026 to March 2027
    /// with the shipped catalog).
    #[param(example = 2026, minimum = 2000, maximum = 2099)]
    fiscal_year: Option<u16>,
    /// `totals` (the default) or `cases`.
    #[param(value_type = Option<String>, example = "totals")]
    view: Option<View>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum View {
    Totals,
    Cases,
}

/// One total: a fiscal year, service, standard, option and fee.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemissionTotal {
    pub fiscal_year: i32,
    /// `2026-2027`.
    pub fiscal_year_label: String,
    pub service_id: String,
    pub policy: String,
    pub service_option: String,
    pub fee: f64,
    pub currency: String,
    /// Late closed cases, and the refunds they were owed (excused ones owe none).
    pub cases: u64,
    pub amount: f64,
    pub owed: u64,
    pub owed_amount: f64,
    pub paid: u64,
    pub paid_amount: f64,
    pub cancelled: u64,
    pub cancelled_amount: f64,
    /// Late, but excused by an exceptional circumstance: reported apart, owed nothing.
    pub excused: u64,
    /// When the year's remissions must be paid by.
    pub payment_due: String,
}

/// One remission.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemissionCase {
    pub fiscal_year: i32,
    pub service_id: String,
    pub policy: String,
    pub case_ref: String,
    pub service_option: String,
    pub stopped_at: Option<String>,
    /// How late, in the standard's unit.
    pub late: i32,
    pub fee: f64,
    pub currency: String,
    pub refund_tier: u8,
    pub refund_percent: f64,
    pub amount: f64,
    /// `owed`, `excused`, `paid` or `cancelled`.
    pub status: String,
    pub payment_due: Option<String>,
    pub exceptions: String,
}

#[utoipa::path(
    get,
    path = "/api/v1/sla/remissions",
    tag = "sla",
    params(RemissionsQuery),
    responses(
        (status = 200, description = "The ledger's totals (`view=totals`, by fiscal year, service, standard, option and fee) or its cases (`view=cases`)", body = [RemissionTotal]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn remissions(
    State(state): State<ApiState>,
    Query(query): Query<RemissionsQuery>,
    format: Format,
) -> Result<Response, ApiError> {
    let service_id = known_service(&state.catalog, query.service_id)?;
    if let Some(year) = query.fiscal_year.filter(|y| !(2000..2100).contains(y)) {
        return Err(ApiError::bad(
            "fiscal_year",
            format!("{year} is not between 2000 and 2099"),
        ));
    }
    let cases =
        ledger::remissions(state.stores(), service_id.as_deref(), query.fiscal_year).await?;
    match query.view.unwrap_or(View::Totals) {
        View::Totals => {
            let rules = &state.catalog.remissions;
            let amount = |cents: i64| cents as f64 / 100.0;
            let totals: Vec<RemissionTotal> = ledger::totals(&cases)
                .into_iter()
                .map(|t| RemissionTotal {
                    fiscal_year_label: rules.fiscal_year_label(t.fiscal_year),
                    payment_due: rules.payment_due(t.fiscal_year).to_string(),
                    fiscal_year: t.fiscal_year,
                    service_id: t.service_id,
                    policy: t.policy,
                    service_option: t.service_option,
                    fee: amount(t.fee_cents),
                    currency: t.currency,
                    cases: t.cases,
                    amount: amount(t.amount_cents),
                    owed: t.owed,
                    owed_amount: amount(t.owed_cents),
                    paid: t.paid,
                    paid_amount: amount(t.paid_cents),
                    cancelled: t.cancelled,
                    cancelled_amount: amount(t.cancelled_cents),
                    excused: t.excused,
                })
                .collect();
            table(format, &totals, HeaderMap::new())
        }
        View::Cases => {
            let rows: Vec<RemissionCase> = cases
                .into_iter()
                .map(|r| RemissionCase {
                    fiscal_year: r.fiscal_year,
                    service_id: r.service_id,
                    policy: r.policy,
                    case_ref: r.case_ref,
                    service_option: r.service_option,
                    stopped_at: r
                        .stopped_at
                        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                    late: r.late,
                    fee: r.fee,
                    currency: r.currency,
                    refund_tier: r.refund_tier,
                    refund_percent: r.refund_percent,
                    amount: r.amount,
                    status: r.status.as_str().to_string(),
                    payment_due: r.payment_due.map(|d| d.to_string()),
                    exceptions: r.exceptions,
                })
                .collect();
            table(format, &rows, HeaderMap::new())
        }
    }
}
