//! `GET /api/v1/exports/{gc-service-std,omb-a11,govuk-kpis}?period=&service_id=`: the
//! open-data files governments publish, byte for byte what `civicpulse export` writes
//! (the format's own file, not this API's flat rows): GC `service-std` CSV with a BOM, the
//! OMB A-11 CX summary CSV, the GOV.UK KPI records as JSON.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use civicpulse_reports::exports::{self, ExportError, ExportFormat};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::Query;
use crate::ApiState;

/// The query of `/api/v1/exports/gc-service-std`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiscalYearQuery {
    /// A Canadian fiscal year (April to March).
    #[param(example = "2026-2027")]
    period: String,
    /// One service (default: all).
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
}

/// The query of `/api/v1/exports/omb-a11`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiscalQuarterQuery {
    /// A US federal fiscal quarter (the year starts in October).
    #[param(example = "FY2026-Q4")]
    period: String,
    /// One service (default: all).
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
}

/// The query of `/api/v1/exports/govuk-kpis`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// A period the GOV.UK Performance Platform groups by: `YYYY-MM`, `YYYY-Qn`, `YYYY`, a
    /// fiscal year `YYYY-YYYY` or `FYYYYY` (the catalog's start month), a fiscal quarter,
    /// or local days `FROM..TO` that are one day or a Monday-to-Sunday week.
    #[param(example = "2026-09")]
    period: String,
    /// One service (default: all).
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/exports/gc-service-std",
    tag = "exports",
    params(FiscalYearQuery),
    responses(
        (status = 200, description = "GC Service Inventory service-std rows (UTF-8 CSV with BOM, the published column order)", content_type = "text/csv", body = String),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 422, description = "The catalog lacks a field the format requires", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn gc_service_std(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<FiscalYearQuery>,
) -> Result<Response, ApiError> {
    answer(
        &state,
        ExportFormat::GcServiceStd,
        &query.period,
        &caller,
        query.service_id,
    )
    .await
}

#[utoipa::path(
    get,
    path = "/api/v1/exports/omb-a11",
    tag = "exports",
    params(FiscalQuarterQuery),
    responses(
        (status = 200, description = "OMB A-11 §280 CX summary rows (CSV): volumes and answer counts per point", content_type = "text/csv", body = String),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn omb_a11(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<FiscalQuarterQuery>,
) -> Result<Response, ApiError> {
    answer(
        &state,
        ExportFormat::OmbA11,
        &query.period,
        &caller,
        query.service_id,
    )
    .await
}

#[utoipa::path(
    get,
    path = "/api/v1/exports/govuk-kpis",
    tag = "exports",
    params(PeriodQuery),
    responses(
        (status = 200, description = "GOV.UK Service Standard KPI records (JSON); a figure that cannot be given is null", body = [civicpulse_reports::exports::govuk_kpis::Record]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn govuk_kpis(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<PeriodQuery>,
) -> Result<Response, ApiError> {
    answer(
        &state,
        ExportFormat::GovukKpis,
        &query.period,
        &caller,
        query.service_id,
    )
    .await
}

async fn answer(
    state: &ApiState,
    format: ExportFormat,
    period: &str,
    caller: &Caller,
    service_id: Option<String>,
) -> Result<Response, ApiError> {
    // Read before any database is asked, so a wrong period is a 400 even when it is down.
    exports::period(&state.catalog, format, period)
        .map_err(|error| ApiError::bad("period", error.to_string()))?;
    let services = caller.select(&state.catalog, service_id)?.services();
    let export = exports::export(
        state.stores(),
        &state.catalog,
        &state.matrix,
        format,
        period,
        &services,
    )
    .await
    .map_err(|error| match error {
        ExportError::Period(error) => ApiError::bad("period", error.to_string()),
        ExportError::Catalog(reason) => ApiError::CatalogIncomplete(reason),
        ExportError::Store(error) => ApiError::unavailable(&error),
        other => ApiError::internal(&other),
    })?;
    let mut response = export.body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(export.content_type),
    );
    if let Ok(disposition) =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", export.file_name))
    {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}
