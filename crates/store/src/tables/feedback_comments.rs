//! `feedback_comments`: free-text comments, apart from the scores so that they can be kept
//! for a shorter time and read by fewer people.

use chrono::{DateTime, Utc};
use clickhouse::Row;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::StoredRow;

pub const NAME: &str = "feedback_comments";

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
