//! `GET /api/v1/innovations`: every catalog intervention, each dimension before and after
//! over equal windows with intervals, and a difference-in-differences against peers.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicpulse_aggregator::matrix::{self, InnovationRow};

use super::matrix::parse_dimension;
use crate::cache::cached;
use crate::error::ApiError;
use crate::params::Params;
use crate::respond::{table, Format};
use crate::ApiState;

/// The query parameters this endpoint takes; any other is a 400.
pub const PARAMS: &[&str] = &["intervention_id", "service_id", "dimension"];

#[utoipa::path(
    get,
    path = "/api/v1/innovations",
    tag = "matrix",
    params(
        ("intervention_id" = Option<String>, Query, description = "One intervention of the catalog.", example = "on-driver-licence-app-renewal"),
        ("service_id" = Option<String>, Query, description = "Interventions of one service.", example = "on-driver-licence-renewal"),
        ("dimension" = Option<String>, Query, description = "One dimension.", example = "digital_take_up"),
    ),
    responses(
        (status = 200, description = "One row per intervention and dimension; `verdict` and `did_verdict` say when the evidence is too thin", body = [InnovationRow]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn innovations(
    State(state): State<ApiState>,
    params: Params,
    format: Format,
) -> Result<Response, ApiError> {
    params.only(PARAMS)?;
    let intervention_id = params.parse("intervention_id", |id| {
        state
            .catalog
            .interventions
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.id.clone())
            .ok_or_else(|| format!("unknown intervention `{id}`"))
    })?;
    let service_id = params.service(&state.catalog, "service_id")?;
    let dimension = params.parse("dimension", parse_dimension)?;

    let today = state.today();
    let rows = cached(&state.cache.innovations, today.to_string(), async {
        let client = state.store().await?;
        Ok(matrix::innovations(&client, &state.catalog, &state.matrix, today).await?)
    })
    .await?;
    let rows: Vec<&InnovationRow> = rows
        .iter()
        .filter(|r| {
            intervention_id
                .as_ref()
                .is_none_or(|i| &r.intervention_id == i)
        })
        .filter(|r| service_id.as_ref().is_none_or(|s| &r.service_id == s))
        .filter(|r| dimension.is_none_or(|d| r.dimension == d.name()))
        .collect();
    table(format, &rows, HeaderMap::new())
}
