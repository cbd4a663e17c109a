//! `feedback`: one row per survey response (comments apart, in `feedback_comments`).

use chrono::{DateTime, Utc};
use clickhouse::Row;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use civicpulse_core::dimension::Question;
use civicpulse_core::EventKind;

use super::{superseded_events, Engine, StoredRow, Table};
use crate::days::LocalDays;

pub const NAME: &str = "feedback";

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
pub struct FeedbackRow {
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub service_id: String,
    /// How the service was delivered, '' when not declared (widget and form feedback).
    pub channel: String,
    pub stage: String,
    pub case_ref: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub occurred_at: DateTime<Utc>,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub received_at: DateTime<Utc>,
    pub source: String,
    pub satisfaction: Option<u8>,
    pub trust: Option<u8>,
    pub need_met: Option<u8>,
    pub ease: Option<u8>,
    pub time_reasonable: Option<u8>,
    pub fair: Option<u8>,
    pub helpful_staff: Option<u8>,
    pub helpful: Option<u8>,
    pub has_comment: u8,
    pub age_band: String,
    pub region: String,
    pub language: String,
    pub disability: Option<u8>,
    /// Why the page did not help (`FeedbackReason`), '' when not given.
    pub reason: String,
    /// Where the feedback was given (`GivenThrough`), '' when the sender did not say.
    pub given_through: String,
}

impl StoredRow for FeedbackRow {
    const TABLE: &'static str = NAME;
}

/// Responses of one (stage, channel), and how many answered each point 1–5 of each
/// question: `points[q * 5 + (p − 1)]`, questions in `Question::ALL` order. The rollups
/// keep sums, which give means and shares but not these counts; A-11 reports need them.
#[derive(Debug, Clone, PartialEq, Row, Deserialize)]
pub struct AnswerCounts {
    pub stage: String,
    pub channel: String,
    pub responses: u64,
    pub points: Vec<u64>,
}

/// The answer counts of a service's live responses on its local days.
pub async fn answer_counts(
    client: &clickhouse::Client,
    days: &LocalDays<'_>,
) -> Result<Vec<AnswerCounts>, clickhouse::error::Error> {
    let points: Vec<String> = Question::ALL
        .iter()
        .flat_map(|q| (1..=5).map(move |p| format!("countIf(ifNull({}, 0) = {p})", q.as_str())))
        .collect();
    let sql = format!(
        "SELECT stage, channel, count(), [{points}] FROM {NAME} FINAL \
         WHERE {on_days} AND {live} GROUP BY stage, channel ORDER BY stage, channel",
        points = points.join(", "),
        on_days = LocalDays::SQL,
        live = superseded_events::live_rows(EventKind::Feedback),
    );
    days.bind(client.query(&sql)).fetch_all().await
}
