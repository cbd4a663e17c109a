//! `superseded_events`: for each event id sent more than once under different keys, every
//! version and whether a later one replaces it (decided by the aggregator's `supersede`).
//! Readers of raw tables add [`live_rows`] so a replaced version never counts.

use civicpulse_core::EventKind;
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Engine, StoredRow, Table};

pub const NAME: &str = "superseded_events";

/// Kept on one shard (a constant key): the supersede step writes and reads its decisions
/// whole, and they are few (events re-sent under another key).
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "0",
    engine: Engine::ReplacingMergeTree {
        version: "decided_at",
    },
    views: &[],
};

/// A version and whether a later one replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct Decision {
    pub kind: String,
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub service_id: String,
    pub case_ref: String,
    pub bucket: u32,
    pub occurred_at: u32,
    pub superseded: u8,
    pub decided_at: u32,
}

impl StoredRow for Decision {
    const TABLE: &'static str = NAME;
}

/// The SQL condition that keeps only rows of `kind`'s raw table no later version replaces.
/// The key it compares is the table's own deduplication key, so it is constant within a
/// key and safe under FINAL.
pub fn live_rows(kind: EventKind) -> String {
    let (key, bucket) = match kind {
        EventKind::Milestone => ("service_id, case_ref", "toYYYYMM(occurred_at)"),
        EventKind::Feedback | EventKind::Offered => ("service_id, ''", "toYYYYMMDD(occurred_at)"),
    };
    format!(
        "(event_id, {key}, {bucket}) NOT IN (SELECT event_id, service_id, case_ref, bucket \
         FROM {NAME} FINAL WHERE kind = '{kind}' AND superseded = 1)",
        kind = kind.as_str()
    )
}

/// Rows of `kind` and a service decided since a watermark (binds: service, watermark), as
/// a source for "what changed" queries: columns `occurred_at`, `case_ref` (both versions
/// of each decision, so the days and cases of the replaced and the replacing version are
/// re-read).
pub fn decided_since(kind: EventKind) -> String {
    format!(
        "SELECT occurred_at, case_ref FROM {NAME} \
         WHERE kind = '{kind}' AND service_id = ? AND inserted_at >= toDateTime(?)",
        kind = kind.as_str()
    )
}

/// Cases of a service that lost a milestone to a later version since `since`.
pub async fn cases_losing_milestones(
    client: &Client,
    service_id: &str,
    since: u32,
) -> Result<Vec<String>, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT DISTINCT case_ref FROM {NAME} FINAL \
             WHERE kind = '{kind}' AND service_id = ? AND superseded = 1 AND inserted_at >= toDateTime(?)",
            kind = EventKind::Milestone.as_str()
        ))
        .bind(service_id)
        .bind(since)
        .fetch_all()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_compares_its_raw_key() {
        assert!(
            live_rows(EventKind::Milestone).contains("service_id, case_ref, toYYYYMM(occurred_at)")
        );
        assert!(live_rows(EventKind::Feedback).contains("toYYYYMMDD(occurred_at)"));
        assert!(live_rows(EventKind::Offered).contains("kind = 'offered'"));
    }
}
