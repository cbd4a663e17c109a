//! `feedback_comments`: free-text comments, apart from the scores so that they can be kept
//! for a shorter time and read by fewer people.

use chrono::{DateTime, Utc};
use civicpulse_core::EventKind;
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{comment_readings, superseded_events, Engine, StoredRow, Table};

pub const NAME: &str = "feedback_comments";

/// Sharded by `event_id` (18.16 hashes no UUID, so its text): every copy of an event (a
/// replay) reaches the same shard, where `FINAL` collapses it.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "cityHash64(toString(event_id))",
    engine: Engine::ReplacingMergeTree {
        version: "received_at",
    },
    views: &[],
};

#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct CommentRow {
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub service_id: String,
    pub channel: String,
    pub case_ref: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub occurred_at: DateTime<Utc>,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub received_at: DateTime<Utc>,
    pub comment: String,
}

impl StoredRow for CommentRow {
    const TABLE: &'static str = NAME;
}

/// A comment as staff read it: when, where, through which channel, its (scrubbed) text, and
/// its newest reading: themes with scores, evidence, language and sentiment, and the model
/// that read it ([`comment_readings::ANALYST`] once an analyst corrected it; empty, like
/// every other field of the reading, while nothing has read it).
#[derive(Clone, Debug, Default, PartialEq, Row, Deserialize)]
pub struct CommentListed {
    pub occurred_at: u32,
    pub service_id: String,
    pub channel: String,
    pub comment: String,
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub language: String,
    pub themes: Vec<String>,
    pub scores: Vec<f64>,
    /// JSON, as `comment_readings` stores it.
    pub evidence: String,
    pub sentiment: String,
    pub sentiment_score: f64,
    pub model: String,
}

/// Where a page of comments ended: the listing continues after this comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentKey {
    pub occurred_at: u32,
    pub event_id: Uuid,
}

impl CommentKey {
    /// The key's place in the listing's order, newest first: (time, event id as text), both
    /// descending, as the SQL sorts them.
    fn rank(&self) -> (u32, String) {
        (self.occurred_at, self.event_id.to_string())
    }
}

/// Which comments to list, newest first: of some services (empty: all), in [from, to),
/// whose reading carries one of `themes` (empty: any comment, read or not) and has
/// `sentiment`, after the previous page's last comment.
#[derive(Debug)]
pub struct CommentFilter<'a> {
    pub services: &'a [String],
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub themes: &'a [String],
    pub sentiment: Option<&'a str>,
    pub after: Option<CommentKey>,
    pub limit: u64,
}

impl CommentFilter<'_> {
    /// Whether `row` passes the filter (the limit aside): the in-memory store's test, which
    /// [`latest`]'s SQL states for ClickHouse.
    pub fn admits(&self, row: &CommentListed) -> bool {
        let key = CommentKey {
            occurred_at: row.occurred_at,
            event_id: row.event_id,
        };
        let seconds = |t: DateTime<Utc>| t.timestamp();
        (self.services.is_empty() || self.services.contains(&row.service_id))
            && i64::from(row.occurred_at) >= seconds(self.from)
            && i64::from(row.occurred_at) < seconds(self.to)
            && (self.themes.is_empty() || row.themes.iter().any(|t| self.themes.contains(t)))
            && self.sentiment.is_none_or(|s| s == row.sentiment)
            && self.after.is_none_or(|after| key.rank() < after.rank())
    }

    /// The listing's order, newest first: what [`latest`] sorts by.
    pub fn order(a: &CommentListed, b: &CommentListed) -> std::cmp::Ordering {
        let rank = |row: &CommentListed| (row.occurred_at, row.event_id.to_string());
        rank(b).cmp(&rank(a))
    }
}

/// The newest comments the filter matches (only the counting version of a re-sent event),
/// each with its newest reading.
pub async fn latest(
    client: &Client,
    filter: &CommentFilter<'_>,
) -> Result<Vec<CommentListed>, clickhouse::error::Error> {
    let services = super::services_condition(filter.services);
    let after = if filter.after.is_some() {
        " AND (occurred_at, toString(event_id)) < (toDateTime(?), ?)"
    } else {
        ""
    };
    // Placeholders, not an array literal: an empty `[]` has no type on old servers, so the
    // condition is left out when no theme is asked for.
    let themes = if filter.themes.is_empty() {
        String::new()
    } else {
        format!(
            " AND hasAny(themes, [{}])",
            vec!["?"; filter.themes.len()].join(", ")
        )
    };
    let sentiment = if filter.sentiment.is_some() {
        " AND sentiment = ?"
    } else {
        ""
    };
    let mut query = client.query(&format!(
        "SELECT toUInt32(occurred_at), service_id, channel, comment, event_id, language, themes, \
           scores, evidence, sentiment, sentiment_score, model \
         FROM ( \
           SELECT event_id, occurred_at, service_id, channel, comment FROM {NAME} FINAL \
           WHERE {services} AND occurred_at >= toDateTime(?) AND occurred_at < toDateTime(?) \
             AND {live}{after}) AS comments \
         ANY LEFT JOIN ( \
           SELECT event_id, language, themes, scores, evidence, sentiment, sentiment_score, model \
           FROM {readings} FINAL \
           WHERE {services} AND occurred_at >= toDateTime(?) AND occurred_at < toDateTime(?)) \
           AS readings \
         USING event_id \
         WHERE 1{themes}{sentiment} \
         ORDER BY occurred_at DESC, toString(event_id) DESC LIMIT ?",
        readings = comment_readings::NAME,
        live = superseded_events::live_rows(EventKind::Feedback),
    ));
    let window = |mut query: clickhouse::query::Query| {
        for service in filter.services {
            query = query.bind(service);
        }
        query
            .bind(filter.from.timestamp())
            .bind(filter.to.timestamp())
    };
    query = window(query);
    if let Some(after) = &filter.after {
        query = query
            .bind(after.occurred_at)
            .bind(after.event_id.to_string());
    }
    query = window(query);
    for theme in filter.themes {
        query = query.bind(theme);
    }
    if let Some(sentiment) = filter.sentiment {
        query = query.bind(sentiment);
    }
    query.bind(filter.limit).fetch_all().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(seconds: u32, id: u128, themes: &[&str], sentiment: &str) -> CommentListed {
        CommentListed {
            occurred_at: seconds,
            service_id: "passport-by-mail".into(),
            event_id: Uuid::from_u128(id),
            themes: themes.iter().map(|t| t.to_string()).collect(),
            sentiment: sentiment.into(),
            ..CommentListed::default()
        }
    }

    #[test]
    fn the_filter_asks_for_any_theme_a_sentiment_and_continues_after_a_comment() {
        let themes = vec!["waiting-time".to_string(), "appointments".to_string()];
        let filter = CommentFilter {
            services: &[],
            from: DateTime::from_timestamp(100, 0).unwrap(),
            to: DateTime::from_timestamp(200, 0).unwrap(),
            themes: &themes,
            sentiment: Some("negative"),
            after: Some(CommentKey {
                occurred_at: 150,
                event_id: Uuid::from_u128(5),
            }),
            limit: 10,
        };
        assert!(filter.admits(&listed(140, 9, &["appointments", "fees-cost"], "negative")));
        // Same second, a lower id: after the key in the newest-first order.
        assert!(filter.admits(&listed(150, 4, &["waiting-time"], "negative")));
        assert!(!filter.admits(&listed(150, 5, &["waiting-time"], "negative")));
        assert!(!filter.admits(&listed(160, 1, &["waiting-time"], "negative")));
        assert!(!filter.admits(&listed(140, 9, &["fees-cost"], "negative")));
        assert!(!filter.admits(&listed(140, 9, &["waiting-time"], "positive")));
        // Never read: no theme, no sentiment.
        assert!(!filter.admits(&listed(140, 9, &[], "")));
        let mut rows = [
            listed(150, 4, &[], ""),
            listed(160, 1, &[], ""),
            listed(150, 5, &[], ""),
        ];
        rows.sort_by(CommentFilter::order);
        let order: Vec<(u32, u128)> = rows
            .iter()
            .map(|r| (r.occurred_at, r.event_id.as_u128()))
            .collect();
        assert_eq!(order, [(160, 1), (150, 5), (150, 4)]);
    }
}
