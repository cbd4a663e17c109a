//! Exceptional circumstances: `GET /api/v1/sla/exceptions` lists those in force (the
//! catalog's and those declared here); `POST` declares one and `DELETE …/{id}` withdraws
//! it, with an admin token; `GET …/{id}/history` is its audit trail. A change takes effect
//! at the aggregator's next run, which re-evaluates the services it names.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use civicpulse_core::exception::{self, Declaration, Exception, InForce};
use civicpulse_store::tables::sla_exceptions::{self, ExceptionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::{NoParameters, Query};
use crate::respond::{table, ResponseFormat};
use crate::ApiState;

/// An exception as declared: `from`/`to` RFC 3339, `effect` `no_remission` (late cases
/// stay breached but owe no refund) or `pause_clock` (the period counts like a hold).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionBody {
    #[schema(example = "2026-postal-disruption")]
    pub id: String,
    #[schema(example = json!(["passport-by-mail"]))]
    pub services: Vec<String>,
    #[schema(example = "2026-11-16T00:00:00-05:00")]
    pub from: String,
    #[schema(example = "2026-11-28T00:00:00-05:00")]
    pub to: String,
    #[schema(example = "Canada Post labour disruption")]
    pub reason: String,
    #[schema(example = "pause_clock")]
    pub effect: String,
}

/// An exception in force, and where it was declared.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionListed {
    pub id: String,
    /// Comma-separated service ids.
    pub services: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub effect: String,
    /// `catalog` or `api`.
    pub source: String,
    pub declared_by: Option<String>,
    pub declared_at: Option<String>,
}

/// One change of an exception: its audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionChange {
    pub id: String,
    /// `declared` or `withdrawn`.
    pub change: String,
    pub services: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub effect: String,
    pub declared_by: String,
    pub declared_at: String,
}

impl From<ExceptionRow> for ExceptionChange {
    /// The wire shape of one stored change.
    fn from(r: ExceptionRow) -> ExceptionChange {
        ExceptionChange {
            change: if r.withdrawn == 1 {
                "withdrawn"
            } else {
                "declared"
            }
            .to_string(),
            services: r.services.join(","),
            from: time(r.from_at),
            to: time(r.to_at),
            declared_at: time(r.declared_at),
            id: r.id,
            reason: r.reason,
            effect: r.effect,
            declared_by: r.declared_by,
        }
    }
}

/// The query of the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExceptionsQuery {
    /// Only the exceptions that apply to this service.
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
}

fn time(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[utoipa::path(
    get,
    path = "/api/v1/sla/exceptions",
    operation_id = "list_exceptions",
    tag = "sla",
    params(ExceptionsQuery),
    responses(
        (status = 200, description = "The exceptions in force, the catalog's and those declared through the API", body = [ExceptionListed]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn list(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<ExceptionsQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let selection = caller.select(&state.catalog, query.service_id)?;
    let rows: Vec<ExceptionListed> = in_force(&state)
        .await?
        .into_iter()
        .filter_map(|mut e| {
            e.exception.services.retain(|id| caller.sees(id));
            let applies = e.exception.services.iter().any(|id| selection.admits(id));
            applies.then(|| ExceptionListed::from(&e))
        })
        .collect();
    table(format, &rows, HeaderMap::new())
}

/// 403 unless the caller sees every one of `services`: a scoped admin changes only what
/// applies to its own services.
fn check_scope(caller: &Caller, services: &[String]) -> Result<(), ApiError> {
    match services.iter().find(|id| !caller.sees(id)) {
        Some(id) => Err(caller.out_of_scope(format!("service `{id}`"))),
        None => Ok(()),
    }
}

/// The exceptions in force, by the one rule the evaluation applies too.
async fn in_force(state: &ApiState) -> Result<Vec<InForce>, ApiError> {
    let changes = state.stores().exception_changes().await?;
    Ok(exception::effective(
        &state.catalog.exceptions,
        changes.iter().map(ExceptionRow::change),
    ))
}

impl From<&InForce> for ExceptionListed {
    /// The wire shape of an exception in force, from the catalog or the API.
    fn from(in_force: &InForce) -> ExceptionListed {
        let e = &in_force.exception;
        let (source, declared_by, declared_at) = match &in_force.declaration {
            Declaration::Catalog => ("catalog", None, None),
            Declaration::Api { by, at } => ("api", Some(by.clone()), Some(time(*at))),
        };
        ExceptionListed {
            id: e.id.clone(),
            services: e.services.join(","),
            from: time(e.from),
            to: time(e.to),
            reason: e.reason.clone(),
            effect: e.effect.as_str().to_string(),
            source: source.to_string(),
            declared_by,
            declared_at,
        }
    }
}

/// The body as an exception, or the field at fault.
fn parse_body(state: &ApiState, body: &[u8]) -> Result<Exception, ApiError> {
    let declared: ExceptionBody =
        serde_json::from_slice(body).map_err(|e| ApiError::bad("body", e.to_string()))?;
    let instant = |name: &str, text: &str| {
        chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| t.to_utc())
            .map_err(|_| ApiError::bad(name, format!("`{text}` is not an RFC 3339 time")))
            .and_then(|t| {
                civicpulse_core::horizon::check_time(t)
                    .map_err(|reason| ApiError::bad(name, reason))
            })
    };
    let exception = Exception {
        from: instant("from", &declared.from)?,
        to: instant("to", &declared.to)?,
        effect: declared.effect.parse().map_err(|_| {
            ApiError::bad(
                "effect",
                format!(
                    "`{}` is neither no_remission nor pause_clock",
                    declared.effect
                ),
            )
        })?,
        id: declared.id,
        services: declared.services,
        reason: declared.reason,
    };
    exception
        .check()
        .map_err(|reason| ApiError::bad("body", reason))?;
    if let Some(unknown) = exception
        .services
        .iter()
        .find(|s| state.catalog.service(s).is_none())
    {
        return Err(ApiError::bad(
            "services",
            format!("unknown service `{unknown}`"),
        ));
    }
    Ok(exception)
}

#[utoipa::path(
    post,
    path = "/api/v1/sla/exceptions",
    tag = "sla",
    request_body = ExceptionBody,
    responses(
        (status = 201, description = "Declared (or replaced, by id); stored with the admin token's name", body = ExceptionListed),
        (status = 400, description = "A field is missing or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "The token's role is below admin, or the request is outside its scope (the message says which)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable: nothing was stored, send it again", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["admin"]))
)]
pub async fn declare(
    State(state): State<ApiState>,
    caller: Caller,
    _: Query<NoParameters>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let exception = parse_body(&state, &body)?;
    check_scope(&caller, &exception.services)?;
    let previous = state
        .stores()
        .exception_history(&exception.id)
        .await?
        .last()
        .map(|r| r.seq);
    let row = ExceptionRow {
        id: exception.id.clone(),
        services: exception.services.clone(),
        from_at: exception.from,
        to_at: exception.to,
        reason: exception.reason.clone(),
        effect: exception.effect.as_str().to_string(),
        withdrawn: 0,
        declared_by: caller.name.clone(),
        declared_at: Utc::now(),
        seq: sla_exceptions::next_seq(previous),
    };
    state.stores().record_exception_change(&row).await?;
    tracing::info!(id = %row.id, by = %row.declared_by, "exception declared");
    let declared = InForce {
        exception,
        declaration: Declaration::Api {
            by: row.declared_by,
            at: row.declared_at,
        },
    };
    Ok((StatusCode::CREATED, Json(ExceptionListed::from(&declared))).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/v1/sla/exceptions/{id}",
    tag = "sla",
    params(("id" = String, Path, description = "The exception's id")),
    responses(
        (status = 204, description = "Withdrawn; stored with the admin token's name"),
        (status = 400, description = "A query parameter was given: this endpoint takes none", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "The token's role is below admin, or the request is outside its scope (the message says which)", body = crate::error::ErrorBody),
        (status = 404, description = "No exception of that id is in force", body = crate::error::ErrorBody),
        (status = 409, description = "The exception is the catalog's: remove it there", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable: nothing was stored, send it again", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["admin"]))
)]
pub async fn withdraw(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<String>,
    _: Query<NoParameters>,
) -> Result<Response, ApiError> {
    let current = in_force(&state)
        .await?
        .into_iter()
        .find(|e| e.exception.id == id);
    let Some(current) = current else {
        return Err(ApiError::Missing(format!(
            "no exception `{id}` is in force"
        )));
    };
    check_scope(&caller, &current.exception.services)?;
    if current.declaration == Declaration::Catalog {
        return Err(ApiError::Conflict(format!(
            "exception `{id}` is declared in the catalog: remove it there"
        )));
    }
    let previous = state
        .stores()
        .exception_history(&id)
        .await?
        .last()
        .map(|r| r.seq);
    let e = current.exception;
    let row = ExceptionRow {
        id: e.id,
        services: e.services,
        from_at: e.from,
        to_at: e.to,
        reason: e.reason,
        effect: e.effect.as_str().to_string(),
        withdrawn: 1,
        declared_by: caller.name.clone(),
        declared_at: Utc::now(),
        seq: sla_exceptions::next_seq(previous),
    };
    state.stores().record_exception_change(&row).await?;
    tracing::info!(%id, by = %row.declared_by, "exception withdrawn");
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/sla/exceptions/{id}/history",
    tag = "sla",
    params(("id" = String, Path, description = "The exception's id")),
    responses(
        (status = 200, description = "Every declaration and withdrawal of the id, oldest first, with who made it", body = [ExceptionChange]),
        (status = 400, description = "A query parameter was given: this endpoint takes none", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn history(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<String>,
    _: Query<NoParameters>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let changes = state.stores().exception_history(&id).await?;
    let seen = |row: &ExceptionRow| row.services.iter().any(|s| caller.sees(s));
    if !changes.is_empty() && !changes.iter().any(seen) {
        return Err(caller.out_of_scope(format!("exception `{id}`")));
    }
    let rows: Vec<ExceptionChange> = changes
        .into_iter()
        .filter(seen)
        .map(|mut row| {
            row.services.retain(|s| caller.sees(s));
            ExceptionChange::from(row)
        })
        .collect();
    table(format, &rows, HeaderMap::new())
}
