//! `milestones`: one row per step of a case (received, on hold, decided…), the input of
//! the SLA evaluation.

use chrono::{DateTime, Utc};
use civicpulse_core::EventKind;
use clickhouse::query::{Query, RowCursor};
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::change_log::{self, Source};
use super::{sla_cases, superseded_events, Engine, StoredRow, Table};

pub const NAME: &str = "milestones";

/// Sharded by case: a case's milestones are evaluated whole, on one shard, and a replay
/// has the same case, so it collapses there too.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "cityHash64(service_id, case_ref)",
    engine: Engine::ReplacingMergeTree {
        version: "received_at",
    },
    views: &[],
};

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
    /// The service option applied for, '' when not given.
    pub service_option: String,
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
    pub service_option: String,
}

/// Which cases of a service and policy an evaluation reads.
#[derive(Debug, Clone, Copy)]
pub enum CasesToRead {
    /// Every case (a full run).
    All,
    /// Cases with milestones stored or re-decided since `watermark` (from the change log),
    /// when `open_evaluated_before` is set, open cases last evaluated before it (their
    /// elapsed days grow with the date), and cases with a milestone dated after
    /// `occurred_after` (one a point-in-time evaluation left out, or must now leave out).
    ChangedSince {
        watermark: u32,
        open_evaluated_before: Option<i64>,
        occurred_after: u32,
    },
}

/// The changed cases as a `case_ref` source, and their binds in order.
fn changed_cases(
    service_id: &str,
    policy: &str,
    watermark: u32,
    open_evaluated_before: Option<i64>,
    occurred_after: u32,
) -> (String, Vec<Bind>) {
    let mut sql = format!(
        "SELECT case_ref FROM ({stored}) UNION ALL SELECT case_ref FROM ({decided}) \
         UNION ALL SELECT case_ref FROM {NAME} WHERE service_id = ? AND occurred_at > toDateTime(?)",
        stored = change_log::stored_since(Source::Milestones),
        decided = superseded_events::decided_since(EventKind::Milestone),
    );
    let mut binds = vec![
        Bind::Text(service_id.to_string()),
        Bind::Number(i64::from(watermark)),
        Bind::Text(service_id.to_string()),
        Bind::Number(i64::from(watermark)),
        Bind::Text(service_id.to_string()),
        Bind::Number(i64::from(occurred_after)),
    ];
    if let Some(before) = open_evaluated_before {
        sql.push_str(" UNION ALL ");
        sql.push_str(&sla_cases::OPEN_EVALUATED_BEFORE);
        binds.extend([
            Bind::Text(service_id.to_string()),
            Bind::Text(policy.to_string()),
            Bind::Number(before),
        ]);
    }
    (sql, binds)
}

/// A value bound to one `?` of a statement built in parts.
#[derive(Debug, Clone)]
enum Bind {
    Text(String),
    Number(i64),
}

fn bind_all(mut query: Query, binds: &[Bind]) -> Query {
    for bind in binds {
        query = match bind {
            Bind::Text(text) => query.bind(text.as_str()),
            Bind::Number(n) => query.bind(*n),
        };
    }
    query
}

/// The counting milestones (see `superseded_events`) of the chosen cases, ordered by case,
/// so a reader can finish each case as soon as the next begins.
///
/// A full run reads the table with `FINAL`. An incremental run reads only the changed
/// cases, from the earliest moment any of them begins (so only the months they span are
/// read: the table is partitioned by month), and collapses replays itself (`LIMIT 1 BY`,
/// the newest `received_at` winning as in the table's engine): on 18.16, `FINAL` costs as
/// much as reading the whole table however few cases are asked for.
pub async fn cases_cursor(
    client: &Client,
    service_id: &str,
    policy: &str,
    cases: CasesToRead,
) -> Result<RowCursor<CaseMilestoneRead>, clickhouse::error::Error> {
    let live = superseded_events::live_rows(EventKind::Milestone);
    let columns =
        "case_ref, milestone, toUInt32(occurred_at), channel, region, outcome, service_option";
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
            occurred_after,
        } => {
            let (changed, binds) = changed_cases(
                service_id,
                policy,
                watermark,
                open_evaluated_before,
                occurred_after,
            );
            let from = earliest_milestone(client, service_id, policy, &changed, &binds, watermark)
                .await?;
            let query = client
                .query(&format!(
                    "SELECT {columns} FROM {NAME} \
                     PREWHERE case_ref IN ({changed}) \
                     WHERE service_id = ? AND occurred_at >= toDateTime(?) AND {live} \
                     ORDER BY case_ref, event_id, received_at DESC LIMIT 1 BY case_ref, event_id",
                ));
            bind_all(query, &binds)
                .bind(service_id)
                .bind(from)
                .fetch()
        }
    }
}

/// The earliest moment of any milestone of the changed cases: the new and re-decided rows'
/// own, and each case's first milestone as its last evaluation recorded it
/// (`sla_cases.first_at`; 0 where unknown, which reads every month).
async fn earliest_milestone(
    client: &Client,
    service_id: &str,
    policy: &str,
    changed: &str,
    changed_binds: &[Bind],
    watermark: u32,
) -> Result<u32, clickhouse::error::Error> {
    let query = client
        .query(&format!(
            "SELECT toUInt32(min(t)) FROM ( \
               SELECT occurred_at AS t FROM ({stored}) \
               UNION ALL SELECT occurred_at AS t FROM ({decided}) \
               UNION ALL SELECT first_at AS t FROM {sla_cases} \
                 WHERE service_id = ? AND policy = ? AND case_ref IN ({changed}))",
            stored = change_log::stored_since(Source::Milestones),
            decided = superseded_events::decided_since(EventKind::Milestone),
            sla_cases = sla_cases::NAME,
        ))
        .bind(service_id)
        .bind(watermark)
        .bind(service_id)
        .bind(watermark)
        .bind(service_id)
        .bind(policy);
    bind_all(query, changed_binds).fetch_one().await
}
