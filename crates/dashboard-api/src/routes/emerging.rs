//! `GET /api/v1/themes/emerging?service_id=&day=&days=`: what a service's comments suddenly
//! mention far more than usual. Each theme, phrase and the comments in all, per service and
//! local day, are tested against the service's own trailing 28 days (one-sided Poisson
//! tail below 0.001, at least 5 comments; `civicpulse_analytics::themes::emerging`); one row
//! per flagged (service, theme or phrase, day). An analyst also gets up to three example
//! comments per row, and that read is kept in the access audit like any read of comments.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Days, NaiveDate};
use civicpulse_analytics::themes::emerging::{judged_stored, EmergingRule, Judged};
use civicpulse_core::access::Role;
use civicpulse_core::calendar::local_midnight;
use civicpulse_store::tables::access_audit::AuditAction;
use civicpulse_store::tables::comment_readings::{MentionExamples, MentionKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit;
use crate::auth::Caller;
use crate::cache::cached;
use crate::error::ApiError;
use crate::params::{DayBound, Limit, Query};
use crate::respond::{table, ResponseFormat};
use crate::ApiState;

const PATH: &str = "/api/v1/themes/emerging";
/// The most days one request scans.
const MAX_DAYS: u64 = 31;
/// Example comments per flagged row, for an analyst.
pub const EXAMPLES: u64 = 3;
/// What the name of the comments-in-all series reads.
const ALL_COMMENTS: &str = "All comments";

/// The query of `/api/v1/themes/emerging`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EmergingQuery {
    /// One service.
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
    /// The last day scanned (`YYYY-MM-DD` or RFC 3339, a day of the catalog's reporting
    /// zone); default today.
    #[param(value_type = Option<String>, example = "2026-11-16")]
    day: Option<DayBound>,
    /// How many days up to `day` are scanned, 1-31 (default 7).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 31, example = 7)]
    days: Option<Limit<MAX_DAYS>>,
}

/// One theme, phrase or the comments in all of one service, flagged on one day.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmergingRow {
    /// The local day (catalog's reporting zone).
    pub day: String,
    pub service_id: String,
    /// `theme`, `phrase` (two content words as written) or `comments` (every comment).
    pub kind: String,
    /// The theme's id, the phrase's stems, or '' for every comment.
    pub key: String,
    /// The theme's name, the phrase as written, or "All comments".
    pub name: String,
    /// Comments of the day carrying it.
    pub count: u64,
    /// Comments per day over the baseline days (half a comment added to their sum).
    pub expected_per_day: f64,
    /// P(X ≥ count) for a Poisson count of that mean.
    pub tail_probability: f64,
    /// The rule: flagged when the tail probability is below `alpha`…
    pub alpha: f64,
    /// …and the count is at least `min_count`…
    pub min_count: u64,
    /// …against this many days before it.
    pub baseline_days: u64,
    /// Up to three of the day's comments carrying it, newest first (scrubbed text); empty
    /// below the analyst role.
    pub example_1: String,
    pub example_2: String,
    pub example_3: String,
}

/// The scan of the tested days `[tested_from, to)` for `services` (empty: all): every
/// series judged on every day, from the cache the gauges share.
pub(crate) async fn judged(
    state: &ApiState,
    services: &[String],
    tested_from: NaiveDate,
    to: NaiveDate,
) -> Result<Arc<Vec<Judged>>, ApiError> {
    let rule = EmergingRule::default();
    tested_from
        .checked_sub_days(Days::new(rule.baseline_days as u64))
        .ok_or_else(|| ApiError::bad("day", "too early"))?;
    let key = format!("{}|{tested_from}|{to}", services.join(","));
    cached(&state.cache.emerging, key, async {
        Ok(judged_stored(
            state.stores(),
            &rule,
            services,
            state.zone(),
            tested_from..to,
        )
        .await?)
    })
    .await
}

#[utoipa::path(
    get,
    path = "/api/v1/themes/emerging",
    tag = "feedback",
    params(EmergingQuery),
    responses(
        (status = 200, description = "One row per service, theme or phrase, and day flagged, newest day first; example comments for the analyst role and above (that read is kept in the access audit); `Accept: text/csv` for CSV", body = [EmergingRow]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable, or an analyst's read of the examples could not be recorded in the audit (no comment is then given)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn emerging(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<EmergingQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let zone = state.zone();
    let last = match &query.day {
        Some(day) => day.day("day", false, zone)?,
        None => state.today(),
    };
    let days = query.days.map_or(7, |d| d.0);
    let to = last
        .succ_opt()
        .ok_or_else(|| ApiError::bad("day", "too late"))?;
    let tested_from = to
        .checked_sub_days(Days::new(days))
        .ok_or_else(|| ApiError::bad("days", "reaches before the first day"))?;
    let services = caller.select(&state.catalog, query.service_id)?.services();
    let judged = judged(&state, &services, tested_from, to).await?;
    let rule = EmergingRule::default();
    let flagged: Vec<&Judged> = judged
        .iter()
        .filter(|j| j.judged.emerging && caller.sees(&j.service_id))
        .collect();
    let mut rows: Vec<EmergingRow> = flagged
        .iter()
        .map(|j| EmergingRow {
            day: j.judged.day.to_string(),
            service_id: j.service_id.clone(),
            kind: j.kind.as_str().to_string(),
            key: j.key.clone(),
            name: match j.kind {
                MentionKind::Theme => state
                    .catalog
                    .themes
                    .iter()
                    .find(|t| t.id == j.key)
                    .map_or_else(|| j.key.clone(), |t| t.name.clone()),
                MentionKind::Phrase => j.text.clone(),
                MentionKind::Comments => ALL_COMMENTS.to_string(),
            },
            count: j.judged.count,
            expected_per_day: j.judged.expected,
            tail_probability: j.judged.tail_probability,
            alpha: rule.alpha,
            min_count: rule.min_count,
            baseline_days: rule.baseline_days as u64,
            example_1: String::new(),
            example_2: String::new(),
            example_3: String::new(),
        })
        .collect();
    if caller.role >= Role::Analyst && !rows.is_empty() {
        let given = add_examples(&state, &flagged, &mut rows).await?;
        if given > 0 {
            let asked = audit::examples_filter(
                &services,
                local_midnight(tested_from, zone),
                local_midnight(to, zone),
                EXAMPLES,
            );
            audit::record(
                &state,
                &caller,
                AuditAction::ReadComments,
                PATH,
                asked,
                given,
            )
            .await?;
        }
    }
    table(format, &rows, HeaderMap::new())
}

/// Fills each row's examples (the rows of `flagged`, in order): the newest comments of its
/// service and day carrying it. How many comments were given.
async fn add_examples(
    state: &ApiState,
    flagged: &[&Judged],
    rows: &mut [EmergingRow],
) -> Result<u64, ApiError> {
    let zone = state.zone();
    let mut given = 0;
    for (judged, row) in flagged.iter().zip(rows.iter_mut()) {
        let day = judged.judged.day;
        let next = day.succ_opt().unwrap_or(day);
        let examples = MentionExamples {
            service_id: &judged.service_id,
            kind: judged.kind,
            key: &judged.key,
            from: local_midnight(day, zone),
            to: local_midnight(next, zone),
            limit: EXAMPLES,
        };
        let comments = state.stores().mention_examples(&examples).await?;
        given += comments.len() as u64;
        let mut texts = comments.into_iter().map(|c| c.comment);
        row.example_1 = texts.next().unwrap_or_default();
        row.example_2 = texts.next().unwrap_or_default();
        row.example_3 = texts.next().unwrap_or_default();
    }
    Ok(given)
}
