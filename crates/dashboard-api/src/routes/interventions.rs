//! `GET /api/v1/interventions`: every catalog intervention, each dimension and each theme's
//! share of comments before and after over equal windows with intervals, and a
//! difference-in-differences against peers.
//! `GET /api/v1/innovations` answers the same, as a deprecated alias kept for one release
//! (it is not in the OpenAPI document).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicpulse_analytics::matrix;

use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::cache::cached;
use crate::error::ApiError;
use crate::params::{FigureParam, Query};
use crate::peers;
use crate::respond::{table, ResponseFormat};
use crate::wire;
use crate::ApiState;

/// The query of `/api/v1/interventions`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InterventionsQuery {
    /// One intervention of the catalog.
    #[param(example = "on-driver-licence-app-renewal")]
    intervention_id: Option<String>,
    /// Interventions of one service.
    #[param(example = "on-driver-licence-renewal")]
    service_id: Option<String>,
    /// One dimension, or the share of comments about a theme (any theme of the catalog,
    /// e.g. `theme_share:forms-documents`).
    #[param(value_type = Option<String>, example = "digital_take_up")]
    dimension: Option<FigureParam>,
}

#[utoipa::path(
    get,
    path = "/api/v1/interventions",
    tag = "matrix",
    params(InterventionsQuery),
    responses(
        (status = 200, description = "One row per intervention and dimension; `verdict` and `did_verdict` say when the evidence is too thin", body = [wire::InterventionRow]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn interventions(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<InterventionsQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let intervention_id = match query.intervention_id {
        Some(id) if !state.catalog.interventions.iter().any(|i| i.id == id) => {
            return Err(ApiError::bad(
                "intervention_id",
                format!("unknown intervention `{id}`"),
            ))
        }
        other => other,
    };
    let selection = caller.select(&state.catalog, query.service_id)?;
    let dimension = query
        .dimension
        .map(|d| d.checked(&state.catalog, |_| true))
        .transpose()?;

    let today = state.today();
    let rows = cached(&state.cache.interventions, today.to_string(), async {
        Ok(matrix::interventions(state.stores(), &state.catalog, &state.matrix, today).await?)
    })
    .await?;
    let rows: Vec<wire::InterventionRow> = rows
        .iter()
        .filter(|r| {
            intervention_id
                .as_ref()
                .is_none_or(|i| &r.intervention_id == i)
        })
        .filter(|r| selection.admits(&r.service_id))
        .filter(|r| dimension.as_ref().is_none_or(|d| &r.dimension == d))
        .map(|r| {
            let mut row = wire::InterventionRow::from(r);
            peers::narrow_intervention(&caller, &mut row);
            row
        })
        .collect();
    table(format, &rows, HeaderMap::new())
}
