//! `theme_corrections`: analysts' corrections of what the themes model read in a comment
//! (migration 0014), append-only. A correction also writes an analyst's reading into
//! `comment_readings` ([`analyst_reading`]), so counts follow it at once, and a corrected
//! comment is never read again by a model (`comment_readings::unread`). Each comment's
//! latest correction is a training label ([`labels`]).

use chrono::{DateTime, Utc};
use civicpulse_core::EventKind;
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::comment_readings::{self, ReadingRow};
use super::{feedback_comments, superseded_events, Engine, StoredRow, Table};

pub const NAME: &str = "theme_corrections";

/// Sharded as the comments it corrects, so a comment, its readings and its corrections
/// share a shard.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "cityHash64(toString(event_id))",
    engine: Engine::MergeTree,
    views: &[],
};

/// One correction, in the table's column order.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct CorrectionRow {
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub service_id: String,
    pub case_ref: String,
    /// When the comment was made (the partition, so the correction leaves with it).
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub occurred_at: DateTime<Utc>,
    /// The themes of the reading corrected (empty when nothing had read the comment).
    pub themes_before: Vec<String>,
    pub sentiment_before: String,
    /// The fingerprint of the model whose reading was corrected; `analyst` for an earlier
    /// correction; empty when nothing had read the comment.
    pub model: String,
    /// The themes the analyst set (sending the same ones confirms the reading).
    pub themes: Vec<String>,
    /// The sentiment the analyst set; empty when they did not state one.
    pub sentiment: String,
    pub note: String,
    /// The token's configured name, never its secret.
    pub corrected_by: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub corrected_at: DateTime<Utc>,
}

impl StoredRow for CorrectionRow {
    const TABLE: &'static str = NAME;
}

/// A counting comment as a correction finds it: where it belongs, and its current reading
/// (the reading's fields are empty when nothing has read it yet).
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct CorrectionTarget {
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub service_id: String,
    pub case_ref: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub occurred_at: DateTime<Utc>,
    pub language: String,
    pub themes: Vec<String>,
    pub sentiment: String,
    pub sentiment_score: f64,
    /// The reading's model (`analyst` for a correction); empty when unread.
    pub model: String,
    /// The reading's phrases (stems, and as written), which a correction keeps: emerging
    /// issues count them from the newest reading.
    pub phrases: Vec<String>,
    pub phrase_texts: Vec<String>,
}

/// The live comment `event_id` with its newest reading, if the comment is stored (not
/// erased, expired, or replaced by a re-sent version).
pub async fn target(
    client: &Client,
    event_id: Uuid,
) -> Result<Option<CorrectionTarget>, clickhouse::error::Error> {
    let id = event_id.to_string();
    client
        .query(&format!(
            "SELECT event_id, service_id, case_ref, occurred_at, language, themes, sentiment, \
               sentiment_score, model, phrases, phrase_texts \
             FROM ( \
               SELECT event_id, service_id, case_ref, occurred_at FROM {comments} FINAL \
               WHERE event_id = toUUID(?) AND {live}) AS comments \
             ANY LEFT JOIN ( \
               SELECT event_id, language, themes, sentiment, sentiment_score, model, phrases, \
                 phrase_texts \
               FROM {readings} FINAL WHERE event_id = toUUID(?)) AS readings \
             USING event_id \
             ORDER BY occurred_at DESC LIMIT 1",
            comments = feedback_comments::NAME,
            readings = comment_readings::NAME,
            live = superseded_events::live_rows(EventKind::Feedback),
        ))
        .bind(&id)
        .bind(&id)
        .fetch_optional()
        .await
}

/// The reading a correction stands for: the analyst's themes, each with score 1 and no
/// evidence (an analyst reads the whole comment), and their sentiment with score 1, or the
/// reading's own when they stated none. It carries the comment's language, and is stamped
/// when the correction was made, so it is the newest reading of the comment.
pub fn analyst_reading(target: &CorrectionTarget, correction: &CorrectionRow) -> ReadingRow {
    let (sentiment, sentiment_score) = if correction.sentiment.is_empty() {
        (target.sentiment.clone(), target.sentiment_score)
    } else {
        (correction.sentiment.clone(), 1.0)
    };
    ReadingRow {
        event_id: target.event_id,
        service_id: target.service_id.clone(),
        case_ref: target.case_ref.clone(),
        occurred_at: target.occurred_at,
        language: target.language.clone(),
        themes: correction.themes.clone(),
        scores: vec![1.0; correction.themes.len()],
        evidence: "[]".to_string(),
        sentiment,
        sentiment_score,
        model: comment_readings::ANALYST.to_string(),
        read_at: correction.corrected_at,
        phrases: target.phrases.clone(),
        phrase_texts: target.phrase_texts.clone(),
    }
}

/// Which corrections a trail lists, newest first: some services (empty: all), made in
/// [from, to).
#[derive(Debug)]
pub struct CorrectionFilter<'a> {
    pub services: &'a [String],
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub limit: u64,
}

impl CorrectionFilter<'_> {
    /// Whether `row` passes the filter (the limit aside): the in-memory store's test, which
    /// [`list`]'s SQL states for ClickHouse.
    pub fn admits(&self, row: &CorrectionRow) -> bool {
        (self.services.is_empty() || self.services.contains(&row.service_id))
            && row.corrected_at >= self.from
            && row.corrected_at < self.to
    }
}

/// The corrections `filter` admits, newest first (ties by service and comment, so a
/// listing is stable), at most `filter.limit`.
pub async fn list(
    client: &Client,
    filter: &CorrectionFilter<'_>,
) -> Result<Vec<CorrectionRow>, clickhouse::error::Error> {
    let mut query = client.query(&format!(
        "SELECT ?fields FROM {NAME} \
         WHERE {services} AND corrected_at >= toDateTime(?) AND corrected_at < toDateTime(?) \
         ORDER BY corrected_at DESC, service_id, toString(event_id) LIMIT ?",
        services = super::services_condition(filter.services),
    ));
    for service in filter.services {
        query = query.bind(service);
    }
    query
        .bind(filter.from.timestamp())
        .bind(filter.to.timestamp())
        .bind(filter.limit)
        .fetch_all()
        .await
}

/// A corrected comment as a training label: its text and the latest correction's themes and
/// sentiment (empty: not stated).
#[derive(Debug, Clone, PartialEq, Row, Deserialize)]
pub struct Label {
    /// The comment's event id.
    pub id: String,
    pub service_id: String,
    pub comment: String,
    pub themes: Vec<String>,
    pub sentiment: String,
}

/// Every counting comment's latest correction with its text, by event id. Of two
/// corrections made in the same second, the one by the later-sorting token counts, so the
/// export is the same each time.
pub async fn labels(client: &Client) -> Result<Vec<Label>, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT toString(event_id) AS id, service_id, comment, themes, sentiment \
             FROM ( \
               SELECT event_id, service_id, themes, sentiment FROM {NAME} \
               ORDER BY event_id, corrected_at DESC, corrected_by DESC LIMIT 1 BY event_id \
             ) AS corrections \
             ANY INNER JOIN ( \
               SELECT event_id, comment FROM {comments} FINAL \
               WHERE event_id IN (SELECT event_id FROM {NAME}) AND {live}) AS comments \
             USING event_id \
             ORDER BY toString(event_id)",
            comments = feedback_comments::NAME,
            live = superseded_events::live_rows(EventKind::Feedback),
        ))
        .fetch_all()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    fn target() -> CorrectionTarget {
        CorrectionTarget {
            event_id: Uuid::nil(),
            service_id: "passport-by-mail".into(),
            case_ref: "P-1".into(),
            occurred_at: at(1_000),
            language: "fr".into(),
            themes: vec!["waiting-time".into()],
            sentiment: "mixed".into(),
            sentiment_score: 0.6,
            model: "abc".into(),
            phrases: vec!["sit panne".into()],
            phrase_texts: vec!["site en panne".into()],
        }
    }

    fn correction(sentiment: &str, corrected_at: i64) -> CorrectionRow {
        CorrectionRow {
            event_id: Uuid::nil(),
            service_id: "passport-by-mail".into(),
            case_ref: "P-1".into(),
            occurred_at: at(1_000),
            themes_before: vec!["waiting-time".into()],
            sentiment_before: "mixed".into(),
            model: "abc".into(),
            themes: vec!["mail-delivery".into(), "fees-cost".into()],
            sentiment: sentiment.into(),
            note: String::new(),
            corrected_by: "analyst".into(),
            corrected_at: at(corrected_at),
        }
    }

    #[test]
    fn an_analyst_s_reading_carries_their_themes_and_keeps_an_unstated_sentiment() {
        let stated = analyst_reading(&target(), &correction("negative", 5_000));
        assert_eq!(stated.themes, ["mail-delivery", "fees-cost"]);
        assert_eq!(stated.scores, [1.0, 1.0]);
        assert_eq!(stated.evidence, "[]");
        assert_eq!(
            (stated.sentiment.as_str(), stated.sentiment_score),
            ("negative", 1.0)
        );
        assert_eq!(stated.model, comment_readings::ANALYST);
        assert_eq!(
            (stated.language.as_str(), stated.read_at),
            ("fr", at(5_000))
        );
        // The phrases stay: emerging issues still count the comment's words.
        assert_eq!(stated.phrase_texts, ["site en panne"]);
        assert_eq!(stated.phrases, ["sit panne"]);
        let unstated = analyst_reading(&target(), &correction("", 5_000));
        assert_eq!(
            (unstated.sentiment.as_str(), unstated.sentiment_score),
            ("mixed", 0.6)
        );
    }

    #[test]
    fn the_trail_filter_bounds_services_and_time() {
        let services = vec!["passport-by-mail".to_string()];
        let filter = CorrectionFilter {
            services: &services,
            from: at(100),
            to: at(200),
            limit: 10,
        };
        assert!(filter.admits(&correction("", 100)));
        assert!(!filter.admits(&correction("", 200)));
        assert!(!filter.admits(&correction("", 99)));
        let other = CorrectionRow {
            service_id: "passport-in-person".into(),
            ..correction("", 150)
        };
        assert!(!filter.admits(&other));
    }
}
