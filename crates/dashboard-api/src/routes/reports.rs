//! Reports for people: `GET /api/v1/reports` lists every scheduled report attempt (with
//! its revision, data cut-off, files and checksums); `GET /api/v1/reports/{period}/{lang}/
//! {file}` serves a file of the latest revision written, with its content type, and
//! `…/{lang}/revisions/{n}/{file}` one of revision n, so an earlier revision stays
//! readable after a later one replaced it; `GET /reports/{period}?lang=` renders the same
//! HTML live for any period. `[reports] public` decides whether these need a read token
//! (default: they do).

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use civicpulse_analytics::period::Period;
use civicpulse_core::config::Language;
use civicpulse_reports::revision;
use civicpulse_store::tables::report_runs::ReportRunRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::{Limit, NoParameters, Query};
use crate::respond::{table, ResponseFormat};
use crate::ApiState;

/// One attempt of a scheduled report in one language.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportRun {
    pub period: String,
    pub lang: String,
    /// 1 for the first publication; n for the nth, written because late events changed
    /// its figures (a failed attempt: the revision it tried to write).
    pub revision: u32,
    /// `monthly` or `quarterly`.
    pub schedule: String,
    pub attempt_at: String,
    /// `succeeded` or `failed`.
    pub status: String,
    /// The files written, separated by spaces (rows stay flat, for CSV and Grafana).
    pub files: String,
    /// Where each file of this revision is served
    /// (`/api/v1/reports/{period}/{lang}/revisions/{revision}/{file}`), in order.
    pub urls: String,
    /// SHA-256 of each file, in the order of `files`.
    pub checksums: String,
    /// When the newest stored event was received, at generation time (absent: none).
    pub latest_event_stored: Option<String>,
    /// Messages not yet stored at generation time (absent: unknown).
    pub consumer_lag: Option<i64>,
    /// Why the attempt failed, or what it could not include (a PDF without Chromium).
    pub error: String,
    /// The instant up to which stored data were read: later events are not in this
    /// revision (absent for a failed attempt).
    pub data_cut_off: Option<String>,
    /// SHA-256 of the figures revisions compare (empty when not known).
    pub figures_sha256: String,
    /// How many figures differ from the revision before (0 for the first).
    pub changed_figures: u32,
}

impl From<ReportRunRow> for ReportRun {
    fn from(row: ReportRunRow) -> Self {
        let instant =
            |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        ReportRun {
            urls: row
                .files
                .iter()
                .map(|f| revision::api_url(&row.period, &row.lang, row.revision, f))
                .collect::<Vec<_>>()
                .join(" "),
            data_cut_off: (row.data_cut_off.timestamp() > 0).then(|| instant(row.data_cut_off)),
            figures_sha256: row.figures_sha256,
            changed_figures: row.changed_figures,
            revision: row.revision,
            period: row.period,
            lang: row.lang,
            schedule: row.schedule,
            attempt_at: instant(row.attempt_at),
            status: row.status,
            files: row.files.join(" "),
            checksums: row.checksums.join(" "),
            latest_event_stored: (row.latest_event_stored.timestamp() > 0)
                .then(|| instant(row.latest_event_stored)),
            consumer_lag: (row.consumer_lag >= 0).then_some(row.consumer_lag),
            error: row.error,
        }
    }
}

/// The query of `/api/v1/reports`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// At most this many attempts, newest first (default 100, at most 1000).
    #[param(value_type = Option<u64>, example = 100)]
    limit: Option<Limit<1000>>,
}

#[utoipa::path(
    get,
    path = "/api/v1/reports",
    operation_id = "list_reports",
    tag = "reports",
    params(ListQuery),
    responses(
        (status = 200, description = "Every scheduled report attempt, newest first", body = [ReportRun]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token (unless `[reports] public`)", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn list(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    whole_government(&caller)?;
    let limit = query.limit.map_or(100, |l| l.0);
    let rows: Vec<ReportRun> = state
        .stores()
        .report_runs(limit)
        .await?
        .into_iter()
        .map(ReportRun::from)
        .collect();
    table(format, &rows, HeaderMap::new())
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/{period}/{lang}/{file}",
    tag = "reports",
    params(
        ("period" = String, Path, description = "The report's period", example = "2026-09"),
        ("lang" = String, Path, description = "`en` or `fr`", example = "en"),
        ("file" = String, Path, description = "One of the files the run lists", example = "report.html"),
    ),
    responses(
        (status = 200, description = "The file of the latest revision, with its content type (HTML, PDF, JSON or CSV)"),
        (status = 400, description = "A query parameter was given: this endpoint takes none", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token (unless `[reports] public`)", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 404, description = "No written report has this file", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn file(
    State(state): State<ApiState>,
    caller: Caller,
    Path((period, lang, file)): Path<(String, String, String)>,
    _: Query<NoParameters>,
) -> Result<Response, ApiError> {
    whole_government(&caller)?;
    let not_found = || ApiError::NotFound(format!("/api/v1/reports/{period}/{lang}/{file}"));
    let run = state.stores().report_succeeded(&period, &lang).await?;
    serve(run, &file, not_found).await
}

#[utoipa::path(
    get,
    path = "/api/v1/reports/{period}/{lang}/revisions/{revision}/{file}",
    tag = "reports",
    params(
        ("period" = String, Path, description = "The report's period", example = "2026-09"),
        ("lang" = String, Path, description = "`en` or `fr`", example = "en"),
        ("revision" = u32, Path, description = "The revision: 1 the first publication", example = 2),
        ("file" = String, Path, description = "One of the files the revision's run lists", example = "changes.json"),
    ),
    responses(
        (status = 200, description = "The file of that revision, with its content type (HTML, PDF, JSON or CSV)"),
        (status = 400, description = "A query parameter was given: this endpoint takes none", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token (unless `[reports] public`)", body = crate::error::ErrorBody),
        (status = 403, description = "Outside the token's scope (the message names the scope)", body = crate::error::ErrorBody),
        (status = 404, description = "No written revision has this file", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["viewer"]))
)]
pub async fn revision_file(
    State(state): State<ApiState>,
    caller: Caller,
    Path((period, lang, revision, file)): Path<(String, String, String, String)>,
    _: Query<NoParameters>,
) -> Result<Response, ApiError> {
    whole_government(&caller)?;
    let not_found = || {
        ApiError::NotFound(format!(
            "/api/v1/reports/{period}/{lang}/revisions/{revision}/{file}"
        ))
    };
    let Ok(number) = revision.parse::<u32>() else {
        return Err(not_found());
    };
    let run = state
        .stores()
        .report_revisions(&period, &lang)
        .await?
        .into_iter()
        .find(|r| r.revision == number);
    serve(run, &file, not_found).await
}

/// A written report covers every service: a scoped token is sent to the live report of
/// its own services instead.
fn whole_government(caller: &Caller) -> Result<(), ApiError> {
    if caller.is_scoped() {
        return Err(caller.out_of_scope(
            "a written report, which covers every service (read /reports/{period} for the \
             services of this token)",
        ));
    }
    Ok(())
}

/// One file of a written revision. Only a file its run lists is served: the names come
/// from the table, never from the request, so no path can reach outside the reports folder.
async fn serve(
    run: Option<ReportRunRow>,
    file: &str,
    not_found: impl Fn() -> ApiError,
) -> Result<Response, ApiError> {
    let run = run
        .filter(|r| r.files.iter().any(|f| f == file))
        .ok_or_else(&not_found)?;
    let path = std::path::Path::new(&run.dir).join(file);
    let bytes = tokio::fs::read(&path).await.map_err(|_| not_found())?;
    let kind = match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("pdf") => "application/pdf",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        _ => "application/octet-stream",
    };
    let mut response = bytes.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    Ok(response)
}

/// The query of `/reports/{period}`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LiveQuery {
    /// `en` (default) or `fr`.
    lang: Option<String>,
}

/// The report of any period, rendered now (the HTML only: the PDF and open data are
/// written by `civicpulse report` and the schedules). A scoped token's report holds its
/// services only, compared among themselves.
pub async fn live(
    State(state): State<ApiState>,
    caller: Caller,
    Path(period): Path<String>,
    Query(query): Query<LiveQuery>,
) -> Result<Response, ApiError> {
    let lang: Language = match query.lang.as_deref() {
        None => Language::En,
        Some(text) => text
            .parse()
            .map_err(|_| ApiError::bad("lang", format!("`{text}`: the languages are en and fr")))?,
    };
    let period = Period::parse(&period, state.catalog.fiscal_year_start())
        .map_err(|error| ApiError::bad("period", error.to_string()))?;
    let scoped = caller
        .services()
        .map(|services| state.catalog.within(services));
    let figures = civicpulse_reports::generate::figures(
        state.stores(),
        scoped.as_ref().unwrap_or(&state.catalog),
        &state.config,
        &period,
        &[],
    )
    .await
    .map_err(|error| match error {
        civicpulse_reports::FiguresError::Store(error) => ApiError::unavailable(&error),
        other => ApiError::internal(&other),
    })?;
    let html =
        civicpulse_reports::html::render(&figures, lang).map_err(|e| ApiError::internal(&e))?;
    Ok(Html(html).into_response())
}
