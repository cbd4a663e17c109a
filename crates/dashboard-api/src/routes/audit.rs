//! `GET /api/v1/audit`: the access audit for a privacy office — every read of comment text,
//! every erasure and every read of the audit itself, newest first, with who (the token's name), when, where, with which
//! filter and how many rows. Admin tokens only; JSON or CSV.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::SecondsFormat;
use civicpulse_store::tables::access_audit::{AuditAction, AuditEntry, AuditFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::{check_order, ActionParam, Limit, Query, Time, TokenName};
use crate::respond::{table, ResponseFormat};
use crate::ApiState;

const PATH: &str = "/api/v1/audit";

/// The query of `/api/v1/audit`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries at or after (`YYYY-MM-DD` or RFC 3339).
    #[param(value_type = Option<String>, example = "2026-11-01")]
    from: Option<Time>,
    /// Entries before.
    #[param(value_type = Option<String>, example = "2026-12-01")]
    to: Option<Time>,
    /// One token's entries, by its configured name (a token since removed included).
    #[param(value_type = Option<String>, example = "grafana")]
    token_id: Option<TokenName>,
    /// `read_comments`, `erase` or `read_audit`.
    #[param(value_type = Option<String>, example = "read_comments")]
    action: Option<ActionParam>,
    /// How many, 1-10000 (default 1000).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 10000, example = 100)]
    limit: Option<Limit<10_000>>,
}

/// One audited request, flat.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRow {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The token's configured name, never its secret.
    pub token_id: String,
    /// `read_comments`, `erase` or `read_audit`.
    pub action: String,
    pub endpoint: String,
    /// What was asked: a comment read's services, from, to and limit; an erasure's SHA-256
    /// of the case reference.
    pub filter: String,
    /// Comments returned, or rows erased.
    pub rows: u64,
    /// The request's id, as its answer and the logs carry it.
    pub request_id: String,
}

impl From<AuditEntry> for AuditRow {
    fn from(entry: AuditEntry) -> AuditRow {
        AuditRow {
            at: entry.at.to_rfc3339_opts(SecondsFormat::Secs, true),
            token_id: entry.token_id,
            action: entry.action.as_str().to_string(),
            endpoint: entry.endpoint,
            filter: entry.filter,
            rows: entry.rows,
            request_id: entry.request_id,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "privacy",
    params(AuditQuery),
    responses(
        (status = 200, description = "Reads of comment text and erasures, newest first; `Accept: text/csv` for CSV", body = [AuditRow]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "The token's role is below admin, or it is scoped: the audit covers every service and every token", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["admin"]))
)]
pub async fn audit(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<AuditQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    if caller.is_scoped() {
        return Err(caller.out_of_scope("the access audit, which covers every service and token"));
    }
    let (from, to) = (query.from.map(|t| t.0), query.to.map(|t| t.0));
    check_order(from, to)?;
    let filter = AuditFilter {
        from,
        to,
        token_id: query.token_id.map(|t| t.0),
        action: query.action.map(|a| a.0),
        limit: query.limit.map_or(1000, |l| l.0),
    };
    let rows: Vec<AuditRow> = state
        .stores()
        .audit_entries(&filter)
        .await?
        .into_iter()
        .map(AuditRow::from)
        .collect();
    let asked = audit::audit_filter(&filter);
    audit::record(
        &state,
        &caller,
        AuditAction::ReadAudit,
        PATH,
        asked,
        rows.len() as u64,
    )
    .await?;
    table(format, &rows, HeaderMap::new())
}
