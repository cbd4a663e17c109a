//! `comment_readings`: what the themes model read in each comment (migration 0013): its
//! themes, scores and evidence, language and sentiment, and the model's fingerprint. The
//! aggregator reads the comments no reading of the current model covers and no analyst
//! corrected; the dashboard API counts themes per service from the newest reading of each
//! comment, which is the analyst's once a comment is corrected (model [`ANALYST`]), and
//! counts themes, phrases (migration 0015) and comments per local day for emerging issues;
//! the drivers and the matrix's theme family read each respondent's themes beside their
//! answers.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use civicpulse_core::EventKind;
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::feedback_comments::CommentListed;
use super::{
    feedback, feedback_comments, superseded_events, theme_corrections, Engine, StoredRow, Table,
};

pub const NAME: &str = "comment_readings";

/// The `model` of an analyst's reading (a correction): no fingerprint (hex) can be it.
pub const ANALYST: &str = "analyst";

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
    /// The comment's distinct phrases as stems (migration 0015), what emerging issues count.
    pub phrases: Vec<String>,
    /// The same phrases as written, in the same order, what a person reads.
    pub phrase_texts: Vec<String>,
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

/// Up to `limit` counting comments that `model` has not read, oldest first. A comment an
/// analyst corrected counts as read for every model: a person's label beats any model's, so
/// a new model or taxonomy reads again only the comments nobody corrected.
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
               AND event_id NOT IN (SELECT event_id FROM {corrections}) \
             ORDER BY occurred_at, event_id LIMIT ?",
            comments = feedback_comments::NAME,
            corrections = theme_corrections::NAME,
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
    let totals: HashMap<String, u64> = totals.into_iter().collect();
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

/// A comment that no theme claims in its newest reading: what the suggestions cluster.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct Unclaimed {
    pub occurred_at: u32,
    pub service_id: String,
    pub comment: String,
}

/// The newest `limit` live comments of the window whose newest reading carries no theme.
pub async fn unclaimed(
    client: &Client,
    window: &ThemeWindow<'_>,
    limit: u64,
) -> Result<Vec<Unclaimed>, clickhouse::error::Error> {
    let services = super::services_condition(window.services);
    let mut query = client.query(&format!(
        "SELECT toUInt32(occurred_at), service_id, comment FROM {comments} FINAL \
         WHERE {services} AND occurred_at >= toDateTime(?) AND occurred_at < toDateTime(?) \
           AND {live} \
           AND event_id IN (SELECT event_id FROM {NAME} FINAL \
                            WHERE {services} AND occurred_at >= toDateTime(?) \
                              AND occurred_at < toDateTime(?) AND empty(themes)) \
         ORDER BY occurred_at DESC, event_id LIMIT ?",
        comments = feedback_comments::NAME,
        live = superseded_events::live_rows(EventKind::Feedback),
    ));
    for _ in 0..2 {
        for service in window.services {
            query = query.bind(service);
        }
        query = query
            .bind(window.from.timestamp())
            .bind(window.to.timestamp());
    }
    query.bind(limit).fetch_all().await
}

/// What a daily count counts: the comments carrying a theme, the comments using a phrase,
/// or every comment read (a burst of comments overall).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MentionKind {
    Theme,
    Phrase,
    Comments,
}

impl MentionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MentionKind::Theme => "theme",
            MentionKind::Phrase => "phrase",
            MentionKind::Comments => "comments",
        }
    }
}

/// The comments of one service on one local day that carry one theme or phrase (or all).
#[derive(Debug, Clone, PartialEq)]
pub struct DayMentions {
    pub service_id: String,
    pub kind: MentionKind,
    /// The theme's id, the phrase's stems, or '' for every comment.
    pub key: String,
    /// A phrase as written (the first of its writings in alphabetical order); else the key.
    pub text: String,
    pub day: NaiveDate,
    pub count: u64,
}

/// Since when a service's comments can be judged: the first local day it has a reading, and
/// the first with phrases (`None`: none yet, as before migration 0015). Days before them are
/// not a baseline of zeros but days without data.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadSince {
    pub service_id: String,
    pub comments: NaiveDate,
    pub phrases: Option<NaiveDate>,
}

/// The daily counts of a window, and since when each service has readings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DailyMentions {
    pub days: Vec<DayMentions>,
    pub since: Vec<ReadSince>,
}

/// Which local days to count, of some services (empty: all).
#[derive(Debug)]
pub struct MentionWindow<'a> {
    pub services: &'a [String],
    /// The zone whose days are counted.
    pub zone: Tz,
    /// The first day counted (the first tested day's baseline starts here).
    pub from: NaiveDate,
    /// The first day tested: a phrase is counted only if it reaches `phrase_min_count` on
    /// one of the days from here to `to`, as no other can be flagged (the phrases of a
    /// month are many, nearly all rare).
    pub tested_from: NaiveDate,
    /// The day after the last counted.
    pub to: NaiveDate,
    pub phrase_min_count: u64,
}

/// The instant a local day began, as `toDateTime(?)` takes it.
fn midnight(day: NaiveDate, zone: Tz) -> i64 {
    civicpulse_core::calendar::local_midnight(day, zone).timestamp()
}

/// Per service and local day of the window, from the newest reading of each counting
/// comment: the comments carrying each theme, using each phrase (those that can be
/// flagged), and in all.
pub async fn daily_mentions(
    client: &Client,
    window: &MentionWindow<'_>,
) -> Result<DailyMentions, clickhouse::error::Error> {
    let zone = window.zone.name();
    // The newest reading of each counting comment made in [from, to), with its local day.
    let readings = |columns: &str| {
        format!(
            "(SELECT service_id, {columns}, toDate(occurred_at, ?) AS day FROM {NAME} FINAL \
              WHERE {services} AND occurred_at >= toDateTime(?) AND occurred_at < toDateTime(?) \
                AND {live})",
            services = super::services_condition(window.services),
            live = superseded_events::live_rows(EventKind::Feedback),
        )
    };
    let bind_readings = |mut query: clickhouse::query::Query, from: NaiveDate| {
        query = query.bind(zone);
        for service in window.services {
            query = query.bind(service);
        }
        query
            .bind(midnight(from, window.zone))
            .bind(midnight(window.to, window.zone))
    };
    let parse_day = |text: &str| text.parse::<NaiveDate>().unwrap_or_default();
    let mut days = Vec::new();

    let themes: Vec<(String, String, String, u64)> = bind_readings(
        client.query(&format!(
            "SELECT service_id, theme, toString(day), toUInt64(count()) \
             FROM {readings} ARRAY JOIN themes AS theme GROUP BY service_id, theme, day",
            readings = readings("themes"),
        )),
        window.from,
    )
    .fetch_all()
    .await?;
    days.extend(
        themes
            .into_iter()
            .map(|(service_id, theme, day, count)| DayMentions {
                service_id,
                kind: MentionKind::Theme,
                text: theme.clone(),
                key: theme,
                day: parse_day(&day),
                count,
            }),
    );

    let comments: Vec<(String, String, u64)> = bind_readings(
        client.query(&format!(
            "SELECT service_id, toString(day), toUInt64(count()) FROM {readings} \
             GROUP BY service_id, day",
            readings = readings("event_id"),
        )),
        window.from,
    )
    .fetch_all()
    .await?;
    days.extend(
        comments
            .into_iter()
            .map(|(service_id, day, count)| DayMentions {
                service_id,
                kind: MentionKind::Comments,
                key: String::new(),
                text: String::new(),
                day: parse_day(&day),
                count,
            }),
    );

    // Phrases: only those reaching the minimum on a tested day, then their whole window.
    let query = client.query(&format!(
        "SELECT service_id, phrase, toString(day), toUInt64(count()), min(phrase_text) \
         FROM {readings} ARRAY JOIN phrases AS phrase, phrase_texts AS phrase_text \
         WHERE (service_id, phrase) IN ( \
           SELECT service_id, phrase FROM {tested} ARRAY JOIN phrases AS phrase \
           GROUP BY service_id, phrase, day HAVING count() >= ?) \
         GROUP BY service_id, phrase, day",
        readings = readings("phrases, phrase_texts"),
        tested = readings("phrases"),
    ));
    let query = bind_readings(query, window.from);
    let query = bind_readings(query, window.tested_from).bind(window.phrase_min_count);
    let phrases: Vec<(String, String, String, u64, String)> = query.fetch_all().await?;
    days.extend(
        phrases
            .into_iter()
            .map(|(service_id, key, day, count, text)| DayMentions {
                service_id,
                kind: MentionKind::Phrase,
                key,
                text,
                day: parse_day(&day),
                count,
            }),
    );

    let mut query = client.query(&format!(
        "SELECT service_id, toString(min(toDate(occurred_at, ?))), \
                toString(minIf(toDate(occurred_at, ?), notEmpty(phrases))), \
                toUInt64(countIf(notEmpty(phrases))) \
         FROM {NAME} WHERE {services} AND occurred_at < toDateTime(?) GROUP BY service_id",
        services = super::services_condition(window.services),
    ));
    query = query.bind(zone).bind(zone);
    for service in window.services {
        query = query.bind(service);
    }
    let since: Vec<(String, String, String, u64)> = query
        .bind(midnight(window.to, window.zone))
        .fetch_all()
        .await?;
    let since = since
        .into_iter()
        .map(|(service_id, comments, phrases, with_phrases)| ReadSince {
            service_id,
            comments: parse_day(&comments),
            phrases: (with_phrases > 0).then(|| parse_day(&phrases)),
        })
        .collect();
    Ok(DailyMentions { days, since })
}

/// Example comments of one service, theme or phrase (or any) and time window.
#[derive(Debug)]
pub struct MentionExamples<'a> {
    pub service_id: &'a str,
    pub kind: MentionKind,
    pub key: &'a str,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub limit: u64,
}

/// The newest counting comments `examples` asks for, with their scrubbed text (the fields
/// of their reading are left empty: an example is shown for its words).
pub async fn mention_examples(
    client: &Client,
    examples: &MentionExamples<'_>,
) -> Result<Vec<CommentListed>, clickhouse::error::Error> {
    // The column is chosen here, never from the request; the key is bound.
    let carries = match examples.kind {
        MentionKind::Theme => "has(themes, ?)",
        MentionKind::Phrase => "has(phrases, ?)",
        MentionKind::Comments => "? = ''",
    };
    client
        .query(&format!(
            "SELECT toUInt32(occurred_at), service_id, channel, comment, event_id, '', \
               emptyArrayString(), emptyArrayFloat64(), '', '', toFloat64(0), '' \
             FROM {comments} FINAL \
             WHERE service_id = ? AND occurred_at >= toDateTime(?) AND occurred_at < toDateTime(?) \
               AND event_id IN (SELECT event_id FROM {NAME} FINAL \
                 WHERE service_id = ? AND occurred_at >= toDateTime(?) \
                   AND occurred_at < toDateTime(?) AND {carries}) \
               AND {live} \
             ORDER BY occurred_at DESC, event_id LIMIT ?",
            comments = feedback_comments::NAME,
            live = superseded_events::live_rows(EventKind::Feedback),
        ))
        .bind(examples.service_id)
        .bind(examples.from.timestamp())
        .bind(examples.to.timestamp())
        .bind(examples.service_id)
        .bind(examples.from.timestamp())
        .bind(examples.to.timestamp())
        .bind(examples.key)
        .bind(examples.limit)
        .fetch_all()
        .await
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
    // reading keeps NULL answers on 18.16 and on current versions alike. The answers are
    // only those of comments read, so the matrix does not merge every response of the
    // period to find the few with a comment.
    let sql = format!(
        "SELECT service_id, theme_set AS themes, satisfaction, helpful, toUInt64(count()) AS respondents \
         FROM ( \
           SELECT event_id, service_id, arraySort(themes) AS theme_set FROM {NAME} FINAL \
           WHERE {within}) AS readings \
         ANY LEFT JOIN ( \
           SELECT event_id, satisfaction, helpful FROM {feedback} FINAL \
           WHERE {within} AND event_id IN (SELECT event_id FROM {NAME} WHERE {within})) \
           AS answers \
         USING event_id \
         GROUP BY service_id, theme_set, satisfaction, helpful \
         ORDER BY service_id, themes, satisfaction, helpful",
        feedback = feedback::NAME,
    );
    let mut query = client.query(&sql);
    // The window's binds, once for each place `within` stands.
    for _ in 0..3 {
        for service in window.services {
            query = query.bind(service);
        }
        query = query
            .bind(window.from.timestamp())
            .bind(window.to.timestamp());
    }
    query.fetch_all().await
}
