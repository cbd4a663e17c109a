//! `GET /api/v1/themes?period=&service_id=`: what people write about, per service and
//! theme: of the comments read in the period, how many carry the theme (with its share and
//! interval) and how many of those are negative. The share is withheld, with a note, when
//! the service has fewer comments than the matrix's small-cell threshold.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicpulse_analytics::matrix::stats::wilson;
use civicpulse_analytics::period::Period;
use civicpulse_analytics::suppression;
use civicpulse_core::calendar::local_midnight;
use civicpulse_store::tables::comment_readings::ThemeWindow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::{PeriodParam, Query};
use crate::respond::{table, ResponseFormat};
use crate::ApiState;

/// The query of `/api/v1/themes`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ThemesQuery {
    /// A period label (`YYYY-MM`, `YYYY-Qn`, a fiscal year…); default: this month.
    #[param(value_type = Option<String>, example = "2026-11")]
    period: Option<PeriodParam>,
    /// One service.
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
}

/// One theme of one service in the period.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThemeRow {
    pub period: String,
    pub service_id: String,
    pub theme: String,
    pub theme_name: String,
    /// Comments of the service read in the period.
    pub comments: u64,
    /// Comments carrying the theme.
    pub mentions: u64,
    /// `mentions / comments`; absent when withheld.
    pub share: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Mentions whose comment reads as negative.
    pub negative: u64,
    /// Why the share is withheld, if it is.
    pub note: String,
}

#[utoipa::path(
    get,
    path = "/api/v1/themes",
    tag = "feedback",
    params(ThemesQuery),
    responses(
        (status = 200, description = "One row per service and theme mentioned in the period; `Accept: text/csv` for CSV", body = [ThemeRow]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn themes(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<ThemesQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let period = match query.period {
        Some(period) => period.period(&state.catalog)?,
        None => Period::month_of(state.today()),
    };
    let services = caller.select(&state.catalog, query.service_id)?.services();
    let zone = state.zone();
    let window = ThemeWindow {
        services: &services,
        from: local_midnight(period.from, zone),
        to: local_midnight(period.to, zone),
    };
    let min_n = state.matrix.min_responses;
    let rows: Vec<ThemeRow> = state
        .stores()
        .theme_counts(&window)
        .await?
        .into_iter()
        .filter(|c| caller.sees(&c.service_id))
        .map(|c| {
            let withheld = suppression::withholds(c.comments, min_n);
            let interval = wilson(c.mentions, c.comments).filter(|_| !withheld);
            ThemeRow {
                period: period.to_string(),
                theme_name: state
                    .catalog
                    .themes
                    .iter()
                    .find(|t| t.id == c.theme)
                    .map_or_else(|| c.theme.clone(), |t| t.name.clone()),
                service_id: c.service_id,
                theme: c.theme,
                comments: c.comments,
                mentions: c.mentions,
                share: (!withheld && c.comments > 0).then(|| c.mentions as f64 / c.comments as f64),
                ci_low: interval.map(|(low, _)| low),
                ci_high: interval.map(|(_, high)| high),
                negative: c.negative,
                note: if withheld {
                    suppression::note(c.comments, "comments", min_n)
                } else {
                    String::new()
                },
            }
        })
        .collect();
    table(format, &rows, HeaderMap::new())
}
