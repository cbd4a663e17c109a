//! `GET /api/v1/themes?period=&service_id=`: what people write about, per service and
//! theme: of the comments read in the period, how many carry the theme (with its share and
//! interval) and how many of those are negative; and the theme as a driver of
//! dissatisfaction (`civicpulse_analytics::themes::drivers`): its share among dissatisfied
//! and satisfied respondents and its effect on the odds of dissatisfaction, with intervals.
//! Each figure is withheld, with a note, when it rests on fewer respondents than the matrix's
//! small-cell threshold. A service's rows come significant drivers first, by effect.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicpulse_analytics::matrix::stats::wilson;
use civicpulse_analytics::period::Period;
use civicpulse_analytics::suppression;
use civicpulse_analytics::themes::drivers::{self, Driver, Significance};
use civicpulse_analytics::themes::{read, ThemesError};
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
    /// A sub-theme (never a parent: comments carry sub-themes; a parent's share is the
    /// matrix's `theme_share:<parent>` cell).
    pub theme: String,
    /// The theme's English name.
    pub theme_name: String,
    /// Comments of the service analysed in the period (its own local days, as the matrix).
    pub comments: u64,
    /// Comments carrying the theme.
    pub mentions: u64,
    /// `mentions / comments`; absent when withheld.
    pub share: Option<f64>,
    /// The share's 95 % Wilson interval.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Mentions whose comment reads as negative.
    pub negative: u64,
    /// Why the share is withheld, if it is.
    pub note: String,
    /// Respondents of the service with a comment read who were dissatisfied (satisfaction
    /// 1–2, or "not helpful"); the same on each of the service's rows.
    pub dissatisfied: u64,
    /// Of them, those whose comment carries the theme; absent when withheld.
    pub dissatisfied_mentions: Option<u64>,
    /// `dissatisfied_mentions / dissatisfied`, with its Wilson interval.
    pub share_dissatisfied: Option<f64>,
    pub share_dissatisfied_ci_low: Option<f64>,
    pub share_dissatisfied_ci_high: Option<f64>,
    /// Respondents with a comment read who said how they felt and were not dissatisfied
    /// (satisfaction 3–5, or "helpful"): wider than the matrix's "satisfied" (4–5).
    pub satisfied: u64,
    pub satisfied_mentions: Option<u64>,
    pub share_satisfied: Option<f64>,
    pub share_satisfied_ci_low: Option<f64>,
    pub share_satisfied_ci_high: Option<f64>,
    /// How many times the odds of dissatisfaction are multiplied when a comment carries
    /// the theme, the other themes held as they were (L2-regularised logistic regression
    /// over every theme of the service, C = 1), with its 95 % interval.
    pub odds_ratio: Option<f64>,
    pub odds_ratio_ci_low: Option<f64>,
    pub odds_ratio_ci_high: Option<f64>,
    pub driver: DriverSignificance,
    /// Why the driver's figures are withheld, if they are.
    pub driver_note: String,
}

/// Whether a theme is a driver of dissatisfaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DriverSignificance {
    /// The interval of the odds ratio excludes 1.
    Significant,
    /// It includes 1: the theme may go with dissatisfaction by chance.
    NotSignificant,
    /// No effect to judge: nobody dissatisfied or nobody satisfied, or a group under the
    /// small-cell threshold.
    NoComparison,
}

impl From<Significance> for DriverSignificance {
    fn from(significance: Significance) -> DriverSignificance {
        match significance {
            Significance::Significant => DriverSignificance::Significant,
            Significance::NotSignificant => DriverSignificance::NotSignificant,
            Significance::NoComparison => DriverSignificance::NoComparison,
        }
    }
}

/// A service's drivers, withheld under the small-cell rule, in the order shown, with the
/// notes saying what was withheld.
struct ServiceDrivers {
    dissatisfied: u64,
    satisfied: u64,
    drivers: Vec<(Driver, String)>,
}

impl ServiceDrivers {
    fn of(readings: &read::Readings, min_n: u64) -> Result<ServiceDrivers, ThemesError> {
        let themes = readings.themes();
        let respondents = readings.respondents(&themes);
        let dissatisfied = respondents.iter().filter(|r| r.dissatisfied).count() as u64;
        let mut found = drivers::drivers(&themes, &respondents)?;
        let notes: BTreeMap<String, String> = found
            .iter_mut()
            .map(|d| (d.theme.clone(), d.withhold(min_n)))
            .collect();
        drivers::order(&mut found);
        Ok(ServiceDrivers {
            dissatisfied,
            satisfied: respondents.len() as u64 - dissatisfied,
            drivers: found
                .into_iter()
                .map(|d| {
                    let note = notes[&d.theme].clone();
                    (d, note)
                })
                .collect(),
        })
    }

    /// The theme's place in the order shown and its driver (None: no respondent's comment
    /// carries it).
    fn find(&self, theme: &str) -> (usize, Option<&(Driver, String)>) {
        match self.drivers.iter().position(|(d, _)| d.theme == theme) {
            Some(at) => (at, Some(&self.drivers[at])),
            None => (self.drivers.len(), None),
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/themes",
    tag = "feedback",
    params(ThemesQuery),
    responses(
        (status = 200, description = "One row per service and theme mentioned in the period, each service's significant drivers of dissatisfaction first (by effect); `Accept: text/csv` for CSV", body = [ThemeRow]),
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
    let (period, services) = period_and_services(&state, &caller, query.period, query.service_id)?;
    // Each service's days in its own time zone, as the matrix counts them.
    let wanted = (!services.is_empty()).then_some(services.as_slice());
    let min_n = state.matrix.min_responses;
    let counts = read::counts_over_days(
        state.stores(),
        &state.catalog,
        wanted,
        period.from,
        period.to,
    )
    .await?;
    let mut readings = read::over_days(
        state.stores(),
        &state.catalog,
        wanted,
        period.from,
        period.to,
    )
    .await?;
    readings.retain(|service, _| caller.sees(service));
    // A regression per service: off the request threads (errors are logged back on this
    // one, with the request's id).
    let by_service: BTreeMap<String, ServiceDrivers> = tokio::task::spawn_blocking(move || {
        readings
            .into_iter()
            .map(|(service, readings)| Ok((service, ServiceDrivers::of(&readings, min_n)?)))
            .collect::<Result<_, ThemesError>>()
    })
    .await
    .map_err(|e| ApiError::internal(&e))?
    .map_err(|e| ApiError::internal(&e))?;
    let none = ServiceDrivers {
        dissatisfied: 0,
        satisfied: 0,
        drivers: Vec::new(),
    };
    let mut rows: Vec<(usize, ThemeRow)> = counts
        .into_iter()
        .filter(|c| caller.sees(&c.service_id))
        .map(|c| {
            let withheld = suppression::withholds(c.comments, min_n);
            let interval = wilson(c.mentions, c.comments).filter(|_| !withheld);
            let service = by_service.get(&c.service_id).unwrap_or(&none);
            let (rank, driver) = service.find(&c.theme);
            let shown = |share: Option<f64>, mentions: u64| share.map(|_| mentions);
            let row = ThemeRow {
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
                dissatisfied: service.dissatisfied,
                dissatisfied_mentions: driver
                    .and_then(|(d, _)| shown(d.share_dissatisfied, d.among_dissatisfied.0)),
                share_dissatisfied: driver.and_then(|(d, _)| d.share_dissatisfied),
                share_dissatisfied_ci_low: driver
                    .and_then(|(d, _)| d.share_dissatisfied_ci.map(|(low, _)| low)),
                share_dissatisfied_ci_high: driver
                    .and_then(|(d, _)| d.share_dissatisfied_ci.map(|(_, high)| high)),
                satisfied: service.satisfied,
                satisfied_mentions: driver
                    .and_then(|(d, _)| shown(d.share_satisfied, d.among_satisfied.0)),
                share_satisfied: driver.and_then(|(d, _)| d.share_satisfied),
                share_satisfied_ci_low: driver
                    .and_then(|(d, _)| d.share_satisfied_ci.map(|(low, _)| low)),
                share_satisfied_ci_high: driver
                    .and_then(|(d, _)| d.share_satisfied_ci.map(|(_, high)| high)),
                odds_ratio: driver.and_then(|(d, _)| d.odds_ratio),
                odds_ratio_ci_low: driver
                    .and_then(|(d, _)| d.log_odds_ci.map(|(low, _)| low.exp())),
                odds_ratio_ci_high: driver
                    .and_then(|(d, _)| d.log_odds_ci.map(|(_, high)| high.exp())),
                driver: driver.map_or(DriverSignificance::NoComparison, |(d, _)| {
                    d.significance().into()
                }),
                driver_note: driver.map_or_else(
                    || "no respondent who said how they felt wrote about it".to_string(),
                    |(_, note)| note.clone(),
                ),
            };
            (rank, row)
        })
        .collect();
    // Each service's rows as its drivers are ordered: significant first, by effect.
    rows.sort_by(|(a_rank, a), (b_rank, b)| {
        (a.service_id.as_str(), a_rank, a.theme.as_str()).cmp(&(
            b.service_id.as_str(),
            b_rank,
            b.theme.as_str(),
        ))
    });
    let rows: Vec<ThemeRow> = rows.into_iter().map(|(_, row)| row).collect();
    table(format, &rows, HeaderMap::new())
}

/// The period asked for (default: this month) and the services the caller may read in it.
pub(crate) fn period_and_services(
    state: &ApiState,
    caller: &Caller,
    period: Option<PeriodParam>,
    service_id: Option<String>,
) -> Result<(Period, Vec<String>), ApiError> {
    let period = match period {
        Some(period) => period.period(&state.catalog)?,
        None => Period::month_of(state.today()),
    };
    let services = caller.select(&state.catalog, service_id)?.services();
    Ok((period, services))
}

/// The readings of `services` in `period`'s local days.
pub(crate) fn period_window<'a>(
    state: &ApiState,
    services: &'a [String],
    period: &Period,
) -> ThemeWindow<'a> {
    let zone = state.zone();
    ThemeWindow {
        services,
        from: local_midnight(period.from, zone),
        to: local_midnight(period.to, zone),
    }
}
