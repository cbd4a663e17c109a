//! `feedback`: one row per survey response (comments apart, in `feedback_comments`).

use chrono::{DateTime, Utc};
use clickhouse::Row;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::StoredRow;

pub const NAME: &str = "feedback";

#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct FeedbackRow {
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub service_id: String,
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
}

impl StoredRow for FeedbackRow {
    const TABLE: &'static str = NAME;
}
