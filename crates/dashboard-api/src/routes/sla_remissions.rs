//! `GET /api/v1/sla/remissions`: the remission ledger. By default its totals per fiscal
//! year, service, standard, option and fee (what a Service Fees Act annual report needs);
//! `view=cases` lists each remission. JSON or CSV; filters `service_id`, `fiscal_year`.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicpulse_analytics::sla::ledger::{self, Remission};
use civicpulse_core::remission::{LedgerTotal, RemissionRules};
use civicpulse_core::Catalog;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use civicpulse_core::access::Role;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::Query;
use crate::respond::{table, ResponseFormat};
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

/// One total: a fiscal year, service, standard, option and fee. Amounts are in major units
/// as since the first release, and exact in minor units (cents; yen have none) in the
/// `_minor` fields beside them.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemissionTotal {
    pub fiscal_year: i32,
    /// `2026-2027`.
    pub fiscal_year_label: String,
    pub service_id: String,
    pub policy: String,
    pub service_option: String,
    pub fee: f64,
    /// ISO 4217 code.
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
    /// Each amount again, exact in the currency's minor units (cents; yen have none); last,
    /// so that the CSV columns of the first release keep their positions.
    pub fee_minor: i64,
    pub amount_minor: i64,
    pub owed_minor: i64,
    pub paid_minor: i64,
    pub cancelled_minor: i64,
}

impl RemissionTotal {
    /// The wire shape of a ledger total (JSON and CSV alike).
    fn new(t: LedgerTotal, rules: &RemissionRules) -> RemissionTotal {
        RemissionTotal {
            fiscal_year_label: rules.fiscal_year_label(t.fiscal_year),
            payment_due: rules.payment_due(t.fiscal_year).to_string(),
            fiscal_year: t.fiscal_year,
            service_id: t.service_id,
            policy: t.policy,
            service_option: t.service_option,
            fee: t.fee.to_major(),
            fee_minor: t.fee.amount_minor,
            currency: t.fee.currency.code().to_string(),
            cases: t.cases,
            amount: t.amount.to_major(),
            amount_minor: t.amount.amount_minor,
            owed: t.owed,
            owed_amount: t.owed_amount.to_major(),
            owed_minor: t.owed_amount.amount_minor,
            paid: t.paid,
            paid_amount: t.paid_amount.to_major(),
            paid_minor: t.paid_amount.amount_minor,
            cancelled: t.cancelled,
            cancelled_amount: t.cancelled_amount.to_major(),
            cancelled_minor: t.cancelled_amount.amount_minor,
            excused: t.excused,
        }
    }
}

/// One remission, as [`Remission`] is shown on the wire; `fee` and `amount` in major
/// units, `fee_minor` and `amount_minor` exact in minor units.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemissionCase {
    pub fiscal_year: i32,
    pub service_id: String,
    pub policy: String,
    pub case_ref: String,
    pub service_option: String,
    pub stopped_at: Option<String>,
    /// How late, in `unit`.
    pub late: i32,
    pub fee: f64,
    /// ISO 4217 code.
    pub currency: String,
    pub refund_tier: u8,
    pub refund_percent: f64,
    /// The refund owed.
    pub amount: f64,
    /// `owed`, `excused`, `paid` or `cancelled`.
    pub status: String,
    pub payment_due: Option<String>,
    pub exceptions: String,
    /// Each amount again, exact in the currency's minor units (cents; yen have none); last,
    /// so that the CSV columns of the first release keep their positions.
    pub fee_minor: i64,
    pub amount_minor: i64,
    /// What `late` counts (`business_days`, `calendar_days`, `business_hours` or
    /// `business_minutes`): the case's option's unit under the catalog's standard; empty
    /// when the standard is no longer in the catalog.
    pub unit: String,
}

impl RemissionCase {
    /// The row with its `unit` read from the catalog.
    fn with_unit(mut self, catalog: &Catalog) -> RemissionCase {
        if let Some(policy) = catalog
            .service(&self.service_id)
            .and_then(|s| s.sla.iter().find(|p| p.id == self.policy))
        {
            self.unit = policy
                .terms(Some(&self.service_option))
                .unit
                .as_str()
                .to_string();
        }
        self
    }
}

impl From<Remission> for RemissionCase {
    fn from(r: Remission) -> RemissionCase {
        RemissionCase {
            fiscal_year: r.fiscal_year,
            service_id: r.service_id,
            policy: r.policy,
            case_ref: r.case_ref,
            service_option: r.service_option,
            stopped_at: r
                .stopped_at
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            late: r.late,
            fee: r.fee.to_major(),
            fee_minor: r.fee.amount_minor,
            currency: r.fee.currency.code().to_string(),
            refund_tier: r.refund_tier,
            refund_percent: r.refund_percent,
            amount: r.amount.to_major(),
            amount_minor: r.amount.amount_minor,
            unit: String::new(),
            status: r.status.as_str().to_string(),
            payment_due: r.payment_due.map(|d| d.to_string()),
            exceptions: r.exceptions,
        }
    }
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
        (status = 403, description = "Outside the token's scope, or `view=cases` (one row per case, by its reference) with a token below analyst", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn remissions(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<RemissionsQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let selection = caller.select(&state.catalog, query.service_id)?;
    if let Some(year) = query.fiscal_year.filter(|y| !(2000..2100).contains(y)) {
        return Err(ApiError::bad(
            "fiscal_year",
            format!("{year} is not between 2000 and 2099"),
        ));
    }
    let mut cases =
        ledger::remissions(state.stores(), selection.one.as_deref(), query.fiscal_year).await?;
    cases.retain(|c| selection.admits(&c.service_id));
    match query.view.unwrap_or(View::Totals) {
        View::Totals => {
            let rules = &state.catalog.remissions;
            let totals: Vec<RemissionTotal> = ledger::totals(&cases)
                .map_err(|e| ApiError::internal(&e))?
                .into_iter()
                .map(|t| RemissionTotal::new(t, rules))
                .collect();
            table(format, &totals, HeaderMap::new())
        }
        View::Cases => {
            if caller.role < Role::Analyst {
                return Err(ApiError::Forbidden {
                    action:
                        "GET /api/v1/sla/remissions?view=cases (one row per case, by its reference)"
                            .into(),
                    token: caller.name.clone(),
                    needs: Role::Analyst,
                    has: caller.role,
                });
            }
            let rows: Vec<RemissionCase> = cases
                .into_iter()
                .map(|c| RemissionCase::from(c).with_unit(&state.catalog))
                .collect();
            table(format, &rows, HeaderMap::new())
        }
    }
}
