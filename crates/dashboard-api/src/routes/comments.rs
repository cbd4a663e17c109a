//! `GET /api/v1/feedback/comments`: the newest free-text comments, newest first, for the
//! service team to read what citizens wrote. The text was scrubbed of personal data at the
//! gateway; no case reference or segment is shown beside it.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::DateTime;
use civicpulse_analytics::matrix::build::display_group;
use civicpulse_store::tables::access_audit::AuditAction;
use civicpulse_store::tables::feedback_comments::{CommentFilter, CommentListed};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::audit;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::params::{time_window, Limit, Query, Time};
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
    /// How many, 1-1000 (default 100).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 1000, example = 50)]
    limit: Option<Limit<MAX_LIMIT>>,
}

/// One comment; `occurred_at` in ISO 8601 (UTC); `channel` is `not_declared` for page
/// feedback (the widget, the form), where the person did not say how they were served.
#[derive(Debug, Serialize, PartialEq, ToSchema)]
pub struct Comment {
    pub occurred_at: String,
    pub service_id: String,
    pub channel: String,
    pub comment: String,
}

impl From<CommentListed> for Comment {
    fn from(row: CommentListed) -> Self {
        Comment {
            occurred_at: DateTime::from_timestamp(i64::from(row.occurred_at), 0)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            service_id: row.service_id,
            channel: display_group(&row.channel),
            comment: row.comment,
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/feedback/comments",
    tag = "feedback",
    params(CommentsQuery),
    responses(
        (status = 200, description = "The newest comments first; the read is kept in the access audit (`/api/v1/audit`)", body = [Comment]),
        (status = 400, description = "A parameter is unknown or malformed; the message names it", body = crate::error::ErrorBody),
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
    let limit = query.limit.map_or(100, |l| l.0);
    let filter = CommentFilter {
        services: &services,
        from,
        to,
        limit,
    };
    let rows: Vec<Comment> = state
        .stores()
        .comments(&filter)
        .await?
        .into_iter()
        .map(Comment::from)
        .collect();
    let asked = audit::comment_filter(&services, from, to, limit);
    audit::record(
        &state,
        &caller,
        AuditAction::ReadComments,
        PATH,
        asked,
        rows.len() as u64,
    )
    .await?;
    table(format, &rows, HeaderMap::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_without_a_declared_channel_says_so() {
        let listed = |channel: &str| CommentListed {
            occurred_at: 1_790_000_000,
            service_id: "passport-by-mail".into(),
            channel: channel.into(),
            comment: "The page was clear".into(),
        };
        assert_eq!(Comment::from(listed("")).channel, "not_declared");
        assert_eq!(Comment::from(listed("mail")).channel, "mail");
    }
}
