//! `comment_readings`: what the themes model read in each comment (migration 0013): its
//! themes, scores and evidence, language and sentiment, and the model's fingerprint. The
//! aggregator reads the comments no reading of the current model covers; the dashboard
//! API counts themes per service from the newest reading of each comment, and the drivers
//! and the matrix's theme family read each respondent's themes beside their answers.

use chrono::{DateTime, Utc};
use civicpulse_core::EventKind;
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{feedback, feedback_comments, superseded_events, Engine, StoredRow, Table};

pub const NAME: &str = "comment_readings";

/// Sharded as the comments it reads, so a comment and its readings share a shard.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "cityHash64(toString(event_id))",
    engine: Engine::ReplacingMergeTree { version: "read_at" },
    views: &[],
};

/// One comment as the model read it, in the table's column order.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct ReadingRow {
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub service_id: String,
    pub case_ref: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub occurred_at: DateTime<Utc>,
    pub language: String,
    pub themes: Vec<String>,
    pub scores: Vec<f64>,
    /// JSON: `[{"theme", "phrase", "start", "end"}]`, places in bytes of the scrubbed text.
    pub evidence: String,
    pub sentiment: String,
    pub sentiment_score: f64,
    /// The fingerprint of the model that read it.
    pub model: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub read_at: DateTime<Utc>,
}

impl StoredRow for ReadingRow {
    const TABLE: &'static str = NAME;
}

/// A comment no reading of the current model covers yet.
#[derive(Debug, Clone, Row, Deserialize)]
pub struct Unread {
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub service_id: String,
    pub case_ref: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub occurred_at: DateTime<Utc>,
    pub comment: String,
}

/// Up to `limit` counting comments that `model` has not read, oldest first.
pub async fn unread(
    client: &Client,
    model: &str,
    limit: u64,
) -> Result<Vec<Unread>, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT event_id, service_id, case_ref, occurred_at, comment \
             FROM {comments} FINAL \
             WHERE {live} AND event_id NOT IN (SELECT event_id FROM {NAME} WHERE model = ?) \
             ORDER BY occurred_at, event_id LIMIT ?",
            comments = feedback_comments::NAME,
            live = superseded_events::live_rows(EventKind::Feedback),
        ))
        .bind(model)
        .bind(limit)
        .fetch_all()
        .await
}

/// Each service's comments read in [from, to) and, per theme, how many carry it and how
/// many of those are negative: from the newest reading of each counting comment.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeCount {
    pub service_id: String,
    pub theme: String,
    /// Comments of the service read in the window (the same on each of its rows).
    pub comments: u64,
    pub mentions: u64,
    pub negative: u64,
}

/// Which readings to count: some services (empty: all) in [from, to).
#[derive(Debug)]
pub struct ThemeWindow<'a> {
    pub services: &'a [String],
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

pub async fn theme_counts(
    client: &Client,
    window: &ThemeWindow<'_>,
) -> Result<Vec<ThemeCount>, clickhouse::error::Error> {
    let readings = format!(
        "(SELECT service_id, themes, sentiment FROM {NAME} FINAL \
          WHERE {services} AND occurred_at >= toDateTime(?) AND occurred_at < toDateTime(?) \
            AND {live})",
        services = super::services_condition(window.services),
        live = superseded_events::live_rows(EventKind::Feedback),
    );
    let bound = |sql: &str| {
        let mut query = client.query(sql);
        for service in window.services {
            query = query.bind(service);
        }
        query
            .bind(window.from.timestamp())
            .bind(window.to.timestamp())
    };
    let totals: Vec<(String, u64)> = bound(&format!(
        "SELECT service_id, toUInt64(count()) FROM {readings} GROUP BY service_id"
    ))
    .fetch_all()
    .await?;
    let totals: std::collections::HashMap<String, u64> = totals.into_iter().collect();
    let mentions: Vec<(String, String, u64, u64)> = bound(&format!(
        "SELECT service_id, theme, toUInt64(count()), toUInt64(countIf(sentiment = 'negative')) \
         FROM {readings} ARRAY JOIN themes AS theme \
         GROUP BY service_id, theme ORDER BY service_id, theme"
    ))
    .fetch_all()
    .await?;
    Ok(mentions
        .into_iter()
        .map(|(service_id, theme, mentions, negative)| ThemeCount {
            comments: totals.get(&service_id).copied().unwrap_or(mentions),
            service_id,
            theme,
            mentions,
            negative,
        })
        .collect())
}

/// Respondents whose comment was read in a window, grouped by what they share: the
/// service, the newest reading's themes (sorted) and their answers to the satisfaction
/// question and to the page's "was this helpful?" (1 yes, 0 no). Both answers are None when
/// not given, or when the comment's response is not stored.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct RespondentThemes {
    pub service_id: String,
    pub themes: Vec<String>,
    pub satisfaction: Option<u8>,
    pub helpful: Option<u8>,
    pub respondents: u64,
}

/// Every counting comment read in the window (the newest reading of each), joined on its
/// event to the response it came with. Grouping in ClickHouse keeps what crosses the network
/// to the distinct theme sets and answers, a few hundred rows for a service's month.
pub async fn respondent_themes(
    client: &Client,
    window: &ThemeWindow<'_>,
) -> Result<Vec<RespondentThemes>, clickhouse::error::Error> {
    let within = format!(
        "{services} AND occurred_at >= toDateTime(?) AND occurred_at < toDateTime(?) AND {live}",
        services = super::services_condition(window.services),
        live = superseded_events::live_rows(EventKind::Feedback),
    );
    // The joined subqueries carry aliases, as ClickHouse ≥ 20 requires; an unmatched
    // reading keeps NULL answers on 18.16 and on current versions alike.
    let sql = format!(
        "SELECT service_id, theme_set AS themes, satisfaction, helpful, toUInt64(count()) AS respondents \
         FROM ( \
           SELECT event_id, service_id, arraySort(themes) AS theme_set FROM {NAME} FINAL \
           WHERE {within}) AS readings \
         ANY LEFT JOIN ( \
           SELECT event_id, satisfaction, helpful FROM {feedback} FINAL \
           WHERE {within}) AS answers \
         USING event_id \
         GROUP BY service_id, theme_set, satisfaction, helpful \
         ORDER BY service_id, themes, satisfaction, helpful",
        feedback = feedback::NAME,
    );
    let mut query = client.query(&sql);
    for _ in 0..2 {
        for service in window.services {
            query = query.bind(service);
        }
        query = query
            .bind(window.from.timestamp())
            .bind(window.to.timestamp());
    }
    query.fetch_all().await
}
