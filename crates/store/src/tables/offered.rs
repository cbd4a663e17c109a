//! `offered`: one row per transaction served, and whether the survey was offered for it.

use chrono::{DateTime, Utc};
use clickhouse::Row;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::StoredRow;

pub const NAME: &str = "offered";

#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct OfferedRow {
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub service_id: String,
    pub channel: String,
    pub stage: String,
    pub case_ref: String,
    pub survey_offered: u8,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub occurred_at: DateTime<Utc>,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub received_at: DateTime<Utc>,
    pub source: String,
}

impl StoredRow for OfferedRow {
    const TABLE: &'static str = NAME;
}
