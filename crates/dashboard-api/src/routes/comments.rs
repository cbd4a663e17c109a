//! `GET /api/v1/feedback/comments`: free-text comments, newest first, for the service team
//! to read what citizens wrote, each with what the themes model (or an analyst) read in it:
//! themes with scores, the evidence phrases and their byte spans, language and sentiment.
//! Filters by service, time, theme (a parent stands for its themes) and sentiment; pages
//! with an opaque cursor. The text was scrubbed of personal data at the gateway; no case
//! reference or segment is shown beside it. Every read is kept in the access audit.
//!
//! Why a cursor and not an offset: the list is newest first while comments keep arriving,
//! so an offset would shift by every comment received between two pages (showing some
//! twice), and a deep offset makes ClickHouse sort and skip everything before it. The
//! cursor is the last comment's place (time, event id): the next page starts after it
//! whatever arrived meanwhile.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use chrono::DateTime;
use civicpulse_analytics::matrix::build::display_group;
use civicpulse_store::tables::access_audit::AuditAction;
use civicpulse_store::tables::comment_readings::ANALYST;
use civicpulse_store::tables::feedback_comments::{CommentFilter, CommentKey, CommentListed};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::audit;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::{theme_leaves, time_window, Limit, Query, SentimentParam, ThemeParam, Time};
use crate::respond::{table, ResponseFormat};
use crate::ApiState;

const MAX_LIMIT: u64 = 1000;
const PATH: &str = "/api/v1/feedback/comments";

/// The query of `/api/v1/feedback/comments`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommentsQuery {
    /// One service.
    #[param(example = "passport-in-person")]
    service_id: Option<String>,
    /// Comments made at or after (`YYYY-MM-DD` or RFC 3339; default 30 days before `to`).
    #[param(value_type = Option<String>, example = "2026-01-01")]
    from: Option<Time>,
    /// Comments made before (default now).
    #[param(value_type = Option<String>, example = "2027-01-01")]
    to: Option<Time>,
    /// Comments whose reading carries this theme (a catalog theme id, e.g. `waiting-time`;
    /// a parent such as `time` stands for any of its themes).
    #[param(value_type = Option<String>)]
    theme: Option<ThemeParam>,
    /// Comments whose reading has this sentiment: `negative`, `neutral` (stored as `mixed`)
    /// or `positive`.
    #[param(value_type = Option<String>)]
    sentiment: Option<SentimentParam>,
    /// How many, 1-1000 (default 100).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000, example = 50)]
    limit: Option<Limit<MAX_LIMIT>>,
    /// The previous page's `X-Next-Cursor` header: the next page starts after its last comment.
    #[param(value_type = Option<String>)]
    cursor: Option<Cursor>,
}

/// Where the previous page ended.
#[derive(Debug, Clone, Copy)]
struct Cursor(CommentKey);

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        decode_cursor(&text).map(Cursor).map_err(D::Error::custom)
    }
}

/// The cursor is the last comment's key, hex-encoded so it is opaque and URL-safe.
fn encode_cursor(key: CommentKey) -> String {
    hex::encode(format!("{}\n{}", key.occurred_at, key.event_id))
}

fn decode_cursor(text: &str) -> Result<CommentKey, String> {
    let bad = || "not a cursor returned by this API".to_string();
    let bytes = hex::decode(text).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (at, id) = text.split_once('\n').ok_or_else(bad)?;
    Ok(CommentKey {
        occurred_at: at.parse().map_err(|_| bad())?,
        event_id: Uuid::parse_str(id).map_err(|_| bad())?,
    })
}

/// A theme the reading carries, and how sure it is (1 for an analyst's).
#[derive(Debug, Clone, Serialize, PartialEq, ToSchema)]
pub struct ThemeScore {
    #[schema(example = "waiting-time")]
    pub theme: String,
    pub score: f64,
}

/// Why the reading carries a theme: a phrase of the comment and its place, in bytes of
/// `comment` (`comment[start..end]` is `phrase`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct EvidenceSpan {
    #[schema(example = "waiting-time")]
    pub theme: String,
    #[schema(example = "waited three hours")]
    pub phrase: String,
    pub start: u64,
    pub end: u64,
}

/// One comment and its reading; `occurred_at` in ISO 8601 (UTC); `channel` is
/// `not_declared` for page feedback (the widget, the form), where the person did not say
/// how they were served. The reading's fields are null (or empty) while nothing has read
/// the comment; the aggregator reads new comments at each run.
#[derive(Debug, Serialize, PartialEq, ToSchema)]
pub struct Comment {
    pub occurred_at: String,
    pub service_id: String,
    pub channel: String,
    pub comment: String,
    /// The comment's event id: what a correction names
    /// (`POST /api/v1/feedback/comments/{event_id}/themes`).
    pub event_id: String,
    /// `en` or `fr`, as read.
    pub language: Option<String>,
    /// The themes it carries, strongest first.
    pub themes: Vec<ThemeScore>,
    /// The phrases that made the model tag each theme; empty for an analyst's reading.
    pub evidence: Vec<EvidenceSpan>,
    /// `negative`, `mixed` or `positive`.
    pub sentiment: Option<String>,
    pub sentiment_score: Option<f64>,
    /// Whether an analyst corrected (or confirmed) the reading: its themes are then theirs.
    pub corrected: bool,
    /// The fingerprint of the model that read it, or `analyst`.
    pub model: Option<String>,
}

impl From<CommentListed> for Comment {
    fn from(row: CommentListed) -> Self {
        // No sentiment while unread, nor on a correction of an unread comment that stated none.
        let has_sentiment = !row.sentiment.is_empty();
        let some = |text: String| (!text.is_empty()).then_some(text);
        Comment {
            occurred_at: DateTime::from_timestamp(i64::from(row.occurred_at), 0)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            service_id: row.service_id,
            channel: display_group(&row.channel),
            comment: row.comment,
            event_id: row.event_id.to_string(),
            language: some(row.language),
            themes: row
                .themes
                .into_iter()
                .zip(row.scores)
                .map(|(theme, score)| ThemeScore { theme, score })
                .collect(),
            evidence: serde_json::from_str(&row.evidence).unwrap_or_default(),
            sentiment: some(row.sentiment),
            sentiment_score: has_sentiment.then_some(row.sentiment_score),
            corrected: row.model == ANALYST,
            model: some(row.model),
        }
    }
}

/// One comment as a CSV row: themes joined with `;` (their scores likewise, in the same
/// order), and the evidence as the JSON array the JSON answer holds, since a phrase may
/// contain any separator.
#[derive(Debug, Serialize)]
struct CommentCsv {
    occurred_at: String,
    service_id: String,
    channel: String,
    comment: String,
    event_id: String,
    language: String,
    themes: String,
    theme_scores: String,
    sentiment: String,
    sentiment_score: Option<f64>,
    corrected: bool,
    model: String,
    evidence: String,
}

impl From<Comment> for CommentCsv {
    fn from(c: Comment) -> Self {
        let themes: Vec<&str> = c.themes.iter().map(|t| t.theme.as_str()).collect();
        let scores: Vec<String> = c.themes.iter().map(|t| format!("{:.3}", t.score)).collect();
        CommentCsv {
            themes: themes.join(";"),
            theme_scores: scores.join(";"),
            evidence: serde_json::to_string(&c.evidence).unwrap_or_default(),
            occurred_at: c.occurred_at,
            service_id: c.service_id,
            channel: c.channel,
            comment: c.comment,
            event_id: c.event_id,
            language: c.language.unwrap_or_default(),
            sentiment: c.sentiment.unwrap_or_default(),
            sentiment_score: c.sentiment_score,
            corrected: c.corrected,
            model: c.model.unwrap_or_default(),
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/feedback/comments",
    tag = "feedback",
    params(CommentsQuery),
    responses(
        (status = 200, description = "The newest comments first, each with its reading; `X-Next-Cursor` when more follow; `Accept: text/csv` for CSV (themes and their scores joined with `;`, the evidence as JSON). The read is kept in the access audit (`/api/v1/audit`)", body = [Comment]),
        (status = 400, description = "A parameter is unknown or malformed (an unknown theme, a cursor this API did not give); the message names it", body = crate::error::ErrorBody),
        (status = 401, description = "No or bad bearer token", body = crate::error::ErrorBody),
        (status = 403, description = "The token's role is below analyst, or the request is outside its scope (the message says which)", body = crate::error::ErrorBody),
        (status = 503, description = "ClickHouse is unavailable, or the read could not be recorded in the audit (no comment is then given)", body = crate::error::ErrorBody),
    ),
    security(("bearer" = ["analyst"]))
)]
pub async fn comments(
    State(state): State<ApiState>,
    caller: Caller,
    Query(query): Query<CommentsQuery>,
    format: ResponseFormat,
) -> Result<Response, ApiError> {
    let services = caller.select(&state.catalog, query.service_id)?.services();
    let (from, to) = time_window(query.from, query.to, 30)?;
    let asked_theme = query.theme.map(|t| t.0);
    let themes = match &asked_theme {
        Some(id) => theme_leaves(&state.catalog, "theme", id)?,
        None => Vec::new(),
    };
    let filter = CommentFilter {
        services: &services,
        from,
        to,
        themes: &themes,
        sentiment: query.sentiment.map(|s| s.0.name()),
        after: query.cursor.map(|c| c.0),
        limit: query.limit.map_or(100, |l| l.0),
    };
    let listed = state.stores().comments(&filter).await?;
    let mut headers = HeaderMap::new();
    if listed.len() as u64 == filter.limit {
        if let Some(last) = listed.last() {
            let cursor = encode_cursor(CommentKey {
                occurred_at: last.occurred_at,
                event_id: last.event_id,
            });
            headers.insert(
                "x-next-cursor",
                HeaderValue::from_str(&cursor).expect("hex is a valid header"),
            );
        }
    }
    let rows: Vec<Comment> = listed.into_iter().map(Comment::from).collect();
    audit::record(
        &state,
        &caller,
        AuditAction::ReadComments,
        PATH,
        audit::comment_filter(&filter, asked_theme.as_deref()),
        rows.len() as u64,
    )
    .await?;
    match format {
        ResponseFormat::Json => table(format, &rows, headers),
        ResponseFormat::Csv => {
            let flat: Vec<CommentCsv> = rows.into_iter().map(CommentCsv::from).collect();
            table(format, &flat, headers)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(channel: &str) -> CommentListed {
        CommentListed {
            occurred_at: 1_790_000_000,
            service_id: "passport-by-mail".into(),
            channel: channel.into(),
            comment: "The page was clear".into(),
            ..CommentListed::default()
        }
    }

    #[test]
    fn a_comment_without_a_declared_channel_says_so() {
        assert_eq!(Comment::from(listed("")).channel, "not_declared");
        assert_eq!(Comment::from(listed("mail")).channel, "mail");
    }

    #[test]
    fn a_reading_is_shown_with_its_scores_and_evidence_and_flattened_for_csv() {
        let unread = Comment::from(listed("mail"));
        assert!(unread.themes.is_empty() && unread.evidence.is_empty());
        assert_eq!(
            (unread.language, unread.sentiment, unread.sentiment_score),
            (None, None, None)
        );
        assert!(!unread.corrected && unread.model.is_none());

        let read = Comment::from(CommentListed {
            language: "en".into(),
            themes: vec!["waiting-time".into(), "fees-cost".into()],
            scores: vec![0.9, 0.55],
            evidence: r#"[{"theme":"waiting-time","phrase":"waited; long","start":4,"end":16}]"#
                .into(),
            sentiment: "negative".into(),
            sentiment_score: 0.8,
            model: "4f2a".into(),
            ..listed("mail")
        });
        assert_eq!(read.themes[1].theme, "fees-cost");
        assert_eq!(read.evidence[0].phrase, "waited; long");
        assert_eq!((read.evidence[0].start, read.evidence[0].end), (4, 16));
        assert!(!read.corrected);
        let csv = CommentCsv::from(read);
        assert_eq!(csv.themes, "waiting-time;fees-cost");
        assert_eq!(csv.theme_scores, "0.900;0.550");
        let evidence: Vec<EvidenceSpan> = serde_json::from_str(&csv.evidence).unwrap();
        assert_eq!(evidence[0].phrase, "waited; long");

        let corrected = Comment::from(CommentListed {
            model: ANALYST.into(),
            themes: vec!["praise".into()],
            scores: vec![1.0],
            evidence: "[]".into(),
            ..listed("mail")
        });
        assert!(corrected.corrected);
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let key = CommentKey {
            occurred_at: 1_790_000_000,
            event_id: Uuid::from_u128(42),
        };
        assert_eq!(decode_cursor(&encode_cursor(key)).unwrap(), key);
        assert!(decode_cursor("zz").is_err());
        assert!(decode_cursor(&hex::encode("no separator")).is_err());
        assert!(decode_cursor(&hex::encode("soon\n00000000-0000-0000-0000-00000000002a")).is_err());
    }
}
