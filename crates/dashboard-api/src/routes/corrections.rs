//! People correct what the themes model read: `POST /api/v1/feedback/comments/{event_id}/themes`
//! sets a comment's themes (and, if stated, its sentiment); sending the themes it already
//! carries confirms them. The correction is kept in an append-only trail with who, when,
//! what the reading was and which model made it, and becomes the comment's reading at once
//! (counts follow it; no model reads the comment again). `GET /api/v1/themes/corrections`
//! lists the trail, newest first. Each comment's latest correction is a training label
//! (`civicpulse themes labels`). Analyst tokens (and admins), within their scope.

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{SecondsFormat, Utc};
use civicpulse_analytics::themes::Sentiment;
use civicpulse_core::horizon;
use civicpulse_store::tables::theme_corrections::{
    analyst_reading, CorrectionFilter, CorrectionRow,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::{check_order, Limit, NoParameters, Query, Time};
use crate::respond::{table, ResponseFormat};
use crate::ApiState;

/// Longest note, in characters: a reason, not a report.
pub const MAX_NOTE_CHARS: usize = 500;

/// A correction as sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionBody {
    /// Every theme the comment carries (catalog theme ids, not parents), in any order; `[]`
    /// when it names none. The themes it already carries confirm the reading.
    #[schema(example = json!(["waiting-time", "staff-manner"]))]
    pub themes: Vec<String>,
    /// `negative`, `neutral` (stored as `mixed`) or `positive`; absent: the reading's stays,
    /// and the label has no sentiment.
    #[schema(example = "negative")]
    pub sentiment: Option<String>,
    /// Why, in at most 500 characters (kept with the correction, and erased with the comment).
    #[schema(example = "mentions the queue, not the appointment")]
    pub note: Option<String>,
}

/// One correction of the trail; times in ISO 8601 (UTC).
#[derive(Debug, Serialize, ToSchema)]
pub struct Correction {
    /// When it was made.
    pub corrected_at: String,
    /// The token's configured name, never its secret.
    pub corrected_by: String,
    pub event_id: String,
    pub service_id: String,
    /// When the comment was made.
    pub occurred_at: String,
    /// The themes the reading carried before, joined with `;` in CSV.
    pub themes_before: Vec<String>,
    pub sentiment_before: String,
    /// The fingerprint of the model whose reading was corrected (`analyst` for an earlier
    /// correction; empty when nothing had read the comment).
    pub model: String,
    /// The themes the analyst set.
    pub themes: Vec<String>,
    /// The sentiment the analyst set; empty when not stated.
    pub sentiment: String,
    /// Whether it confirmed the reading: the same themes, and the same sentiment or none.
    pub confirmed: bool,
    pub note: String,
}

impl From<CorrectionRow> for Correction {
    fn from(row: CorrectionRow) -> Self {
        let set = |themes: &[String]| themes.iter().cloned().collect::<HashSet<String>>();
        let confirmed = set(&row.themes) == set(&row.themes_before)
            && (row.sentiment.is_empty() || row.sentiment == row.sentiment_before);
        Correction {
            corrected_at: row.corrected_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            corrected_by: row.corrected_by,
            event_id: row.event_id.to_string(),
            service_id: row.service_id,
            occurred_at: row.occurred_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            themes_before: row.themes_before,
            sentiment_before: row.sentiment_before,
            model: row.model,
            themes: row.themes,
            sentiment: row.sentiment,
            confirmed,
            note: row.note,
        }
    }
}

/// A correction flat, for CSV: lists joined with `;`.
#[derive(Debug, Serialize)]
struct CorrectionCsv {
    corrected_at: String,
    corrected_by: String,
    event_id: String,
    service_id: String,
    occurred_at: String,
    themes_before: String,
    sentiment_before: String,
    model: String,
    themes: String,
    sentiment: String,
    confirmed: bool,
    note: String,
}

impl From<Correction> for CorrectionCsv {
    fn from(c: Correction) -> Self {
        CorrectionCsv {
            corrected_at: c.corrected_at,
            corrected_by: c.corrected_by,
            event_id: c.event_id,
            service_id: c.service_id,
            occurred_at: c.occurred_at,
            themes_before: c.themes_before.join(";"),
            sentiment_before: c.sentiment_before,
            model: c.model,
            themes: c.themes.join(";"),
            sentiment: c.sentiment,
            confirmed: c.confirmed,
            note: c.note,
        }
    }
}

/// What a correction sets, checked against the catalog: the field at fault is named.
struct Checked {
    themes: Vec<String>,
    sentiment: String,
    note: String,
}

fn check_body(state: &ApiState, body: &[u8]) -> Result<Checked, ApiError> {
    let sent: CorrectionBody =
        serde_json::from_slice(body).map_err(|e| ApiError::bad("body", e.to_string()))?;
    let taxonomy = &state.catalog.themes;
    let mut seen = HashSet::new();
    for id in &sent.themes {
        match civicpulse_core::theme::leaves_of(taxonomy, id) {
            None => {
                let ids: Vec<&str> = civicpulse_core::theme::leaves(taxonomy)
                    .map(|t| t.id.as_str())
                    .collect();
                return Err(ApiError::bad(
                    "themes",
                    format!("unknown theme `{id}`; the themes are {}", ids.join(", ")),
                ));
            }
            Some(leaves) if leaves.len() != 1 || leaves[0].id != *id => {
                let ids: Vec<&str> = leaves.iter().map(|t| t.id.as_str()).collect();
                return Err(ApiError::bad(
                    "themes",
                    format!(
                        "`{id}` groups themes; name the ones the comment carries among {}",
                        ids.join(", ")
                    ),
                ));
            }
            Some(_) => {}
        }
        if !seen.insert(id.as_str()) {
            return Err(ApiError::bad(
                "themes",
                format!("`{id}` is given more than once"),
            ));
        }
    }
    let sentiment = match sent.sentiment.as_deref() {
        None => String::new(),
        Some(text) => Sentiment::parse(text)
            .ok_or_else(|| {
                ApiError::bad(
                    "sentiment",
                    format!("`{text}` is not one of negative, neutral (or mixed), positive"),
                )
            })?
            .name()
            .to_string(),
    };
    let note = sent.note.unwrap_or_default().trim().to_string();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::bad(
            "note",
            format!("must have at most {MAX_NOTE_CHARS} characters"),
        ));
    }
    Ok(Checked {
        themes: sent.themes,
        sentiment,
        note,
    })
}

#[utoipa::path(
    post,
    path = "/api/v1/feedback/comments/{event_id}/themes",
    tag = "feedback",
    params(("event_id" = String, Path, description = "The comment's event id, as `/api/v1/feedback/comments` lists it", example = "6f1c1b36-8f4e-4f57-9f0e-0a1b2c3d4e5f")),
    request_body = CorrectionBody,
    responses(
        (status = 201, description = "Kept in the trail with the token's name; the comment's reading is now the analyst's (counts follow it, and no model reads the comment again)", body = Correction),
        (status = 400, description = "The event id, the body or a field is malformed (an unknown theme, a parent theme, a theme given twice, an unknown sentiment, a note too long); the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "The token's role is below analyst, or the comment's service is outside its scope", body = crate::error::ErrorBody),
        (status = 404, description = "No such comment is stored (unknown, erased, expired, or replaced by a re-sent version)", body = crate::error::ErrorBody),
        (status = 413, description = "The body is larger than the API takes", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable: send it again (a second correction with the same themes is kept as a confirmation)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["analyst"]))
)]
pub async fn correct(
    State(state): State<ApiState>,
    caller: Caller,
    Path(event_id): Path<String>,
    _: Query<NoParameters>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let event_id = Uuid::parse_str(&event_id).map_err(|_| {
        ApiError::bad(
            "event_id",
            format!("`{event_id}` is not an event id (a UUID)"),
        )
    })?;
    let checked = check_body(&state, &body)?;
    let target = state
        .stores()
        .correction_target(event_id)
        .await?
        .ok_or_else(|| {
            ApiError::Missing(format!(
                "no comment `{event_id}` is stored (unknown, erased, expired or replaced)"
            ))
        })?;
    if !caller.sees(&target.service_id) {
        return Err(caller.out_of_scope(format!("comment `{event_id}`")));
    }
    let row = CorrectionRow {
        event_id,
        service_id: target.service_id.clone(),
        case_ref: target.case_ref.clone(),
        occurred_at: target.occurred_at,
        themes_before: target.themes.clone(),
        sentiment_before: target.sentiment.clone(),
        model: target.model.clone(),
        themes: checked.themes,
        sentiment: checked.sentiment,
        note: checked.note,
        corrected_by: caller.name.clone(),
        corrected_at: Utc::now(),
    };
    let reading = analyst_reading(&target, &row);
    state.stores().record_correction(&row, &reading).await?;
    tracing::info!(
        token = %caller.name,
        %event_id,
        themes = ?row.themes,
        "comment themes corrected"
    );
    Ok((StatusCode::CREATED, Json(Correction::from(row))).into_response())
}

/// The query of `/api/v1/themes/corrections`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CorrectionsQuery {
    /// One service.
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
    /// Corrections made at or after (`YYYY-MM-DD` or RFC 3339; default: the first kept).
    #[param(value_type = Option<String>, example = "2026-11-01")]
    from: Option<Time>,
    /// Corrections made before (default: all up to now).
    #[param(value_type = Option<String>, example = "2026-12-01")]
    to: Option<Time>,
    /// How many, 1-10000 (default 1000).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 10000, example = 100)]
    limit: Option<Limit<10_000>>,
}

#[utoipa::path(
    get,
    path = "/api/v1/themes/corrections",
    tag = "feedback",
    params(CorrectionsQuery),
    responses(
        (status = 200, description = "The corrections, newest first, with what each changed and who made it; `Accept: text/csv` for CSV (lists joined with `;`)", body = [Correction]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "The token's role is below analyst, or the request is outside its scope (the message says which)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["analyst"]))
)]
pub async fn corrections(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<CorrectionsQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let services = caller.select(&state.catalog, query.service_id)?.services();
    let from = query.from.map_or_else(horizon::first_instant, |t| t.0);
    let to = query.to.map_or_else(horizon::end_instant, |t| t.0);
    check_order(Some(from), Some(to))?;
    let filter = CorrectionFilter {
        services: &services,
        from,
        to,
        limit: query.limit.map_or(1000, |l| l.0),
    };
    let rows: Vec<Correction> = state
        .stores()
        .corrections(&filter)
        .await?
        .into_iter()
        .filter(|row| caller.sees(&row.service_id))
        .map(Correction::from)
        .collect();
    match format {
        ResponseFormat::Json => table(format, &rows, HeaderMap::new()),
        ResponseFormat::Csv => {
            let flat: Vec<CorrectionCsv> = rows.into_iter().map(CorrectionCsv::from).collect();
            table(format, &flat, HeaderMap::new())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn row(themes: &[&str], sentiment: &str) -> CorrectionRow {
        let at = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        CorrectionRow {
            event_id: Uuid::from_u128(7),
            service_id: "passport-by-mail".into(),
            case_ref: "P-7".into(),
            occurred_at: at,
            themes_before: vec!["waiting-time".into(), "fees-cost".into()],
            sentiment_before: "negative".into(),
            model: "4f2a".into(),
            themes: themes.iter().map(|t| t.to_string()).collect(),
            sentiment: sentiment.into(),
            note: String::new(),
            corrected_by: "service-team".into(),
            corrected_at: at,
        }
    }

    #[test]
    fn the_same_themes_in_any_order_confirm_the_reading() {
        assert!(Correction::from(row(&["fees-cost", "waiting-time"], "")).confirmed);
        assert!(Correction::from(row(&["fees-cost", "waiting-time"], "negative")).confirmed);
        assert!(!Correction::from(row(&["fees-cost", "waiting-time"], "positive")).confirmed);
        assert!(!Correction::from(row(&["fees-cost"], "")).confirmed);
        let csv = CorrectionCsv::from(Correction::from(row(&["fees-cost", "praise"], "mixed")));
        assert_eq!(csv.themes, "fees-cost;praise");
        assert_eq!(csv.themes_before, "waiting-time;fees-cost");
    }
}
