//! `POST /api/v1/erasures`: erase one case on request (a privacy request under access and
//! privacy law). Every stored row of the case leaves every table, the figures it counted
//! in are recomputed at the aggregator's next run, and the request is kept in the access
//! audit under the SHA-256 of the reference. Admin tokens only.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use civicpulse_store::erasure::{ErasureReport, ErasureRequest};
use civicpulse_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::{NoParameters, Query};
use crate::request_id;
use crate::ApiState;

const PATH: &str = "/api/v1/erasures";

/// Longest case reference accepted: case systems' references are short identifiers.
const MAX_CASE_REF_CHARS: usize = 200;

/// What to erase.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureBody {
    /// The case reference as the case system sent it.
    #[schema(example = "P-2026-000123")]
    pub case_ref: String,
    /// Only this service's case of that reference (required for a scoped token); absent:
    /// the reference in every service.
    #[schema(example = "passport-by-mail")]
    pub service_id: Option<String>,
}

/// What was erased, table by table.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasureDone {
    /// The SHA-256 of the case reference, as the audit keeps it.
    pub case_digest: String,
    /// Rows removed in all.
    pub rows: u64,
    pub tables: Vec<TableErased>,
    /// Days whose figures the aggregator recomputes without the case at its next run.
    pub days_to_recompute: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TableErased {
    pub table: String,
    pub rows: u64,
}

impl From<ErasureReport> for ErasureDone {
    fn from(report: ErasureReport) -> ErasureDone {
        ErasureDone {
            rows: report.rows(),
            case_digest: report.case_digest,
            tables: report
                .tables
                .into_iter()
                .map(|(table, rows)| TableErased {
                    table: table.to_string(),
                    rows,
                })
                .collect(),
            days_to_recompute: report.days_to_recompute,
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/erasures",
    tag = "privacy",
    request_body = ErasureBody,
    responses(
        (status = 200, description = "Erased; the rows removed per table, and the request kept in the access audit", body = ErasureDone),
        (status = 400, description = "A field is missing or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "The token's role is below admin, or the service is outside its scope (a scoped token must name one of its services)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable: send it again (erasing twice removes nothing more)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["admin"]))
)]
pub async fn erase(
    State(state): State<ApiState>,
    caller: Caller,
    _: Query<NoParameters>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let asked: ErasureBody =
        serde_json::from_slice(&body).map_err(|e| ApiError::bad("body", e.to_string()))?;
    let case_ref = asked.case_ref.trim().to_string();
    if case_ref.is_empty() || case_ref.chars().count() > MAX_CASE_REF_CHARS {
        return Err(ApiError::bad(
            "case_ref",
            format!("must have 1 to {MAX_CASE_REF_CHARS} characters"),
        ));
    }
    let selection = caller.select(&state.catalog, asked.service_id)?;
    if caller.is_scoped() && selection.one.is_none() {
        return Err(caller.out_of_scope(
            "an erasure in every service (name one of this token's services in `service_id`)",
        ));
    }
    let request = ErasureRequest {
        case_ref,
        service_id: selection.one,
        requested_by: caller.name.clone(),
        endpoint: PATH.to_string(),
        request_id: request_id::current(),
    };
    let report = state
        .stores()
        .erase_case(&request)
        .await
        .map_err(|error| match error {
            StoreError::Invalid(reason) => ApiError::bad("case_ref", reason),
            other => other.into(),
        })?;
    tracing::info!(
        token = %caller.name,
        case_digest = %report.case_digest,
        rows = report.rows(),
        "case erased"
    );
    Ok(Json(ErasureDone::from(report)).into_response())
}
