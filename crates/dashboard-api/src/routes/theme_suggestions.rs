//! `GET /api/v1/themes/suggestions?period=&service_id=`: subjects people write about that no
//! theme of the taxonomy claims: the period's newest unclaimed comments clustered, each
//! cluster shown with its most distinctive words and the comments nearest its centre, so
//! an analyst can add a theme for it. The examples are comment text: the route needs the
//! analyst role and its reads are kept in the access audit.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use civicpulse_analytics::themes::suggestions::{suggest, SuggestOptions};
use civicpulse_analytics::themes::Language;
use civicpulse_store::tables::access_audit::AuditAction;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::{PeriodParam, Query};
use crate::respond::{table, ResponseFormat};
use crate::routes::themes::{period_and_services, period_window};
use crate::ApiState;

const PATH: &str = "/api/v1/themes/suggestions";
/// The newest unclaimed comments clustered: enough for a subject to stand out, few enough
/// that clustering stays well under a second.
pub const MAX_COMMENTS: u64 = 2_000;

/// The query of `/api/v1/themes/suggestions`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestionsQuery {
    /// A period label (`YYYY-MM`, `YYYY-Qn`, a fiscal year…); default: this month.
    #[param(value_type = Option<String>, example = "2026-11")]
    period: Option<PeriodParam>,
    /// One service; default every service the token sees.
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
}

/// One suggested theme: a cluster of comments no theme claims.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionRow {
    pub period: String,
    /// 1 for the largest cluster.
    pub rank: usize,
    /// Comments in the cluster.
    pub comments: usize,
    /// Unclaimed comments clustered in the period (at most 2 000, the newest).
    pub unclaimed: usize,
    /// The cluster's most distinctive words (class-based TF-IDF), as people wrote them,
    /// most distinctive first, separated by ", ".
    pub terms: String,
    /// Mean cosine similarity of the cluster's comments to its centre, 0–1.
    pub cohesion: f64,
    /// The comments nearest the cluster's centre (scrubbed at the gateway).
    pub example_1: Option<String>,
    pub example_2: Option<String>,
    pub example_3: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/themes/suggestions",
    tag = "feedback",
    params(SuggestionsQuery),
    responses(
        (status = 200, description = "One row per suggested theme, the largest first (none when fewer than ten comments are unclaimed); the read is kept in the access audit; `Accept: text/csv` for CSV", body = [SuggestionRow]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "The token's role is below analyst, or the request is outside its scope (the message says which)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable, or the read could not be recorded in the audit (no comment is then given)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["analyst"]))
)]
pub async fn suggestions(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<SuggestionsQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let (period, services) = period_and_services(&state, &caller, query.period, query.service_id)?;
    let window = period_window(&state, &services, &period);
    let unclaimed: Vec<_> = state
        .stores()
        .unclaimed_comments(&window, MAX_COMMENTS)
        .await?
        .into_iter()
        .filter(|c| caller.sees(&c.service_id))
        .collect();
    let input: Vec<(&str, Language)> = unclaimed
        .iter()
        .map(|c| {
            (
                c.comment.as_str(),
                Language::detect(&c.comment, Language::En),
            )
        })
        .collect();
    let found = suggest(&input, &SuggestOptions::default());
    let example = |s: &[usize], i: usize| s.get(i).map(|&c| input[c].0.to_owned());
    let rows: Vec<SuggestionRow> = found
        .iter()
        .enumerate()
        .map(|(rank, s)| SuggestionRow {
            period: period.to_string(),
            rank: rank + 1,
            comments: s.comments,
            unclaimed: input.len(),
            terms: s.terms.join(", "),
            cohesion: s.cohesion,
            example_1: example(&s.examples, 0),
            example_2: example(&s.examples, 1),
            example_3: example(&s.examples, 2),
        })
        .collect();
    let shown = rows
        .iter()
        .map(|r| {
            [&r.example_1, &r.example_2, &r.example_3]
                .iter()
                .flat_map(|e| e.iter())
                .count()
        })
        .sum::<usize>();
    let asked = audit::examples_filter(&services, window.from, window.to, MAX_COMMENTS);
    audit::record(
        &state,
        &caller,
        AuditAction::ReadComments,
        PATH,
        asked,
        shown as u64,
    )
    .await?;
    table(format, &rows, HeaderMap::new())
}
