//! Every read of comment text is accounted for: the comments route records who (the token's
//! name), when, on which endpoint, with which filter and how many comments, before it
//! answers. A read that cannot be recorded is not answered (503), so the audit never misses
//! one.

use chrono::{DateTime, SecondsFormat, Utc};
use civicpulse_store::tables::access_audit::{AuditAction, AuditEntry, AuditFilter};
use civicpulse_store::tables::feedback_comments::CommentFilter;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::request_id;
use crate::ApiState;

/// An instant as the audit's filters write it (RFC 3339, UTC, whole seconds).
fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The filter of a read of example comments (emerging issues, suggested themes): the
/// services and window they were drawn from, in the comment filter's canonical form.
pub fn examples_filter(
    services: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> String {
    comment_filter(
        &CommentFilter {
            services,
            from,
            to,
            themes: &[],
            sentiment: None,
            after: None,
            limit,
        },
        None,
    )
}

/// The filter of a comment read, as the audit keeps it: what was asked for in a canonical
/// order (services, from, to, theme, sentiment, after, limit), so two identical reads read
/// the same. `theme` is the id asked for (a parent stands for its themes); `after` is where
/// a page continued (the previous page's last comment: its time and event id).
pub fn comment_filter(filter: &CommentFilter<'_>, theme: Option<&str>) -> String {
    let after = filter.after.map_or_else(String::new, |key| {
        let at = DateTime::from_timestamp(i64::from(key.occurred_at), 0).unwrap_or_default();
        format!("{}/{}", instant(at), key.event_id)
    });
    form_urlencoded::Serializer::new(String::new())
        .append_pair("services", &filter.services.join(","))
        .append_pair("from", &instant(filter.from))
        .append_pair("to", &instant(filter.to))
        .append_pair("theme", theme.unwrap_or(""))
        .append_pair("sentiment", filter.sentiment.unwrap_or(""))
        .append_pair("after", &after)
        .append_pair("limit", &filter.limit.to_string())
        .finish()
}

/// The filter of a read of the audit, in the same canonical form.
pub fn audit_filter(filter: &AuditFilter) -> String {
    let time = |t: Option<DateTime<Utc>>| t.map(instant).unwrap_or_default();
    form_urlencoded::Serializer::new(String::new())
        .append_pair("from", &time(filter.from))
        .append_pair("to", &time(filter.to))
        .append_pair("token_id", filter.token_id.as_deref().unwrap_or(""))
        .append_pair("action", filter.action.map_or("", AuditAction::as_str))
        .append_pair("limit", &filter.limit.to_string())
        .finish()
}

/// Records that `caller` did `action` on `endpoint` with `filter`, over `rows` rows.
pub async fn record(
    state: &ApiState,
    caller: &Caller,
    action: AuditAction,
    endpoint: &str,
    filter: String,
    rows: u64,
) -> Result<(), ApiError> {
    let entry = AuditEntry {
        at: Utc::now(),
        token_id: caller.name.clone(),
        action,
        endpoint: endpoint.to_string(),
        filter,
        rows,
        request_id: request_id::current(),
    };
    state.stores().record_audit_entry(&entry).await?;
    tracing::info!(token = %caller.name, action = action.as_str(), rows, endpoint, "audited");
    Ok(())
}
