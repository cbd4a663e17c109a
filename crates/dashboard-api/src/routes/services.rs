//! `GET /api/v1/services`: the catalog, flat.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::{NoParameters, Query};
use crate::respond::{table, ResponseFormat};
use crate::ApiState;

/// One catalog service, flat for Grafana tables.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceView {
    pub id: String,
    pub name: String,
    /// Peer group for benchmarks.
    pub category: String,
    pub jurisdiction: String,
    /// Comma-separated channels.
    pub channels: String,
    pub time_zone: String,
    pub calendar: String,
    /// Comma-separated SLA policy ids.
    pub sla_policies: String,
}

#[utoipa::path(
    get,
    path = "/api/v1/services",
    operation_id = "list_services",
    tag = "catalog",
    responses(
        (status = 200, description = "Every catalog service the token's scope holds", body = [ServiceView]),
        (status = 400, description = "Unknown parameter", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn list(
    State(state): State<ApiState>,
    caller: Caller,
    _: Query<NoParameters>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let rows: Vec<ServiceView> = state
        .catalog
        .services
        .iter()
        .filter(|s| caller.sees(&s.id))
        .map(|s| ServiceView {
            id: s.id.clone(),
            name: s.name.clone(),
            category: s.category.clone(),
            jurisdiction: s.jurisdiction.clone(),
            channels: s
                .channels
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(","),
            time_zone: s.time_zone.name().to_string(),
            calendar: s.calendar.clone(),
            sla_policies: s
                .sla
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>()
                .join(","),
        })
        .collect();
    table(format, &rows, HeaderMap::new())
}
