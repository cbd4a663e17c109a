//! `milestones`: one row per step of a case (received, on hold, decided…), the input of
//! the SLA evaluation.

use chrono::{DateTime, Utc};
use civicpulse_core::EventKind;
use clickhouse::query::RowCursor;
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{sla_cases, superseded_events, StoredRow};

pub const NAME: &str = "milestones";

#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct MilestoneRow {
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub service_id: String,
    pub case_ref: String,
    pub milestone: String,
    pub channel: String,
    pub region: String,
    pub outcome: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub occurred_at: DateTime<Utc>,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub received_at: DateTime<Utc>,
    pub source: String,
}

impl StoredRow for MilestoneRow {
    const TABLE: &'static str = NAME;
}

/// One counting milestone, as the SLA evaluation reads it.
#[derive(Debug, Row, Deserialize)]
pub struct CaseMilestoneRead {
    pub case_ref: String,
    pub milestone: String,
    pub occurred_at: u32,
    pub channel: String,
    pub region: String,
    pub outcome: String,
}

/// Which cases of a service and policy an evaluation reads.
#[derive(Debug, Clone, Copy)]
pub enum CasesToRead {
    /// Every case (a full run).
    All,
    /// Cases with milestones inserted or re-decided since `watermark`, and open cases last
    /// evaluated before `open_evaluated_before` (their elapsed days grow with the date).
    ChangedSince {
        watermark: u32,
        open_evaluated_before: i64,
    },
}

/// The counting milestones (see `superseded_events`) of the chosen cases, ordered by case,
/// so a reader can finish each case as soon as the next begins.
pub fn cases_cursor(
    client: &Client,
    service_id: &str,
    policy: &str,
    cases: CasesToRead,
) -> Result<RowCursor<CaseMilestoneRead>, clickhouse::error::Error> {
    let live = superseded_events::live_rows(EventKind::Milestone);
    let columns = "case_ref, milestone, toUInt32(occurred_at), channel, region, outcome";
    match cases {
        CasesToRead::All => client
            .query(&format!(
                "SELECT {columns} FROM {NAME} FINAL WHERE service_id = ? AND {live} ORDER BY case_ref",
            ))
            .bind(service_id)
            .fetch(),
        CasesToRead::ChangedSince {
            watermark,
            open_evaluated_before,
        } => client
            .query(&format!(
                "SELECT {columns} FROM {NAME} FINAL \
                 WHERE service_id = ? AND {live} AND case_ref IN ( \
                   SELECT case_ref FROM {NAME} WHERE service_id = ? AND inserted_at >= toDateTime(?) \
                   UNION ALL \
                   SELECT case_ref FROM ({decided}) \
                   UNION ALL \
                   {open_evaluated_before}) \
                 ORDER BY case_ref",
                decided = superseded_events::decided_since(EventKind::Milestone),
                open_evaluated_before = sla_cases::OPEN_EVALUATED_BEFORE.as_str(),
            ))
            .bind(service_id)
            .bind(service_id)
            .bind(watermark)
            .bind(service_id)
            .bind(watermark)
            .bind(service_id)
            .bind(policy)
            .bind(open_evaluated_before)
            .fetch(),
    }
}
