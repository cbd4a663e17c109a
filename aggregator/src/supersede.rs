//! An `event_id` counts at most once, whatever else a re-send changes.
//!
//! A re-send that keeps `service_id` and the day (the month, for milestones) collapses into
//! one raw row by the tables' own deduplication. One that changes them is a second raw row;
//! such a re-send is a correction, and the later version (by `received_at`) replaces the
//! earlier everywhere figures are computed:
//! - `event_versions` (filled by materialized views on every raw insert, migration 0004)
//!   lists each version's raw key;
//! - each run, [`refresh`] looks up every version of the ids inserted since its watermark,
//!   decides the winner ([`decide`], pure) and writes the decision to `superseded_events`;
//! - readers add [`live_rows`] to every raw read, and re-read the days and cases a decision
//!   touched ([`decided_since`]).

use civicpulse_core::EventKind;
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One stored version of an event: its raw table key and when the gateway received it.
#[derive(Debug, Clone, PartialEq, Eq, Row, Deserialize)]
pub struct Version {
    pub kind: String,
    #[serde(with = "clickhouse::serde::uuid")]
    pub event_id: Uuid,
    pub service_id: String,
    pub case_ref: String,
    pub bucket: u32,
    pub occurred_at: u32,
    pub received_at: u32,
}

/// A version and whether a later one replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize)]
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

/// For each `(kind, event_id)` with more than one version: every version, all but the
/// latest marked superseded. The latest is the greatest `received_at`; a tie (two versions
/// received in the same second) goes to the greatest key, so every reader agrees.
pub fn decide(mut versions: Vec<Version>, decided_at: u32) -> Vec<Decision> {
    versions.sort_by(|a, b| {
        (
            &a.kind,
            a.event_id,
            a.received_at,
            &a.service_id,
            &a.case_ref,
            a.bucket,
        )
            .cmp(&(
                &b.kind,
                b.event_id,
                b.received_at,
                &b.service_id,
                &b.case_ref,
                b.bucket,
            ))
    });
    let mut decisions = Vec::new();
    for group in versions.chunk_by(|a, b| a.kind == b.kind && a.event_id == b.event_id) {
        if group.len() < 2 {
            continue;
        }
        let latest = group.len() - 1;
        decisions.extend(group.iter().enumerate().map(|(i, v)| Decision {
            kind: v.kind.clone(),
            event_id: v.event_id,
            service_id: v.service_id.clone(),
            case_ref: v.case_ref.clone(),
            bucket: v.bucket,
            occurred_at: v.occurred_at,
            superseded: u8::from(i != latest),
            decided_at,
        }));
    }
    decisions
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
         FROM superseded_events FINAL WHERE kind = '{kind}' AND superseded = 1)",
        kind = kind.as_str()
    )
}

/// Rows of `superseded_events` of `kind` and a service decided since `since`, as a source
/// for "what changed" queries: columns `occurred_at`, `case_ref` (both versions of each
/// decision, so the days and cases of the replaced and the replacing version are re-read).
pub fn decided_since(kind: EventKind) -> String {
    format!(
        "SELECT occurred_at, case_ref FROM superseded_events \
         WHERE kind = '{kind}' AND service_id = ? AND inserted_at >= toDateTime(?)",
        kind = kind.as_str()
    )
}

const JOB: &str = "supersede";

#[derive(Debug, Row, Deserialize)]
struct Watermark {
    watermark: u32,
}

#[derive(Debug, Row, Serialize)]
struct RunRow<'a> {
    job: &'a str,
    watermark: u32,
}

/// Decides every event_id with versions inserted since the last run; returns how many
/// versions it decided.
pub async fn refresh(client: &Client) -> Result<usize, clickhouse::error::Error> {
    let since = client
        .query("SELECT toUInt32(watermark) AS watermark FROM supersede_runs FINAL WHERE job = ?")
        .bind(JOB)
        .fetch_optional::<Watermark>()
        .await?
        .map_or(0, |w| w.watermark);
    // The server's clock before reading: versions inserted from this second on are read
    // again next run (deciding twice is idempotent), so none is missed.
    let run_started: u32 = client.query("SELECT toUInt32(now())").fetch_one().await?;
    let versions: Vec<Version> = client
        .query(
            "SELECT kind, event_id, service_id, case_ref, bucket, toUInt32(occurred_at), toUInt32(received_at) \
             FROM event_versions FINAL \
             WHERE event_id IN (SELECT event_id FROM event_versions WHERE inserted_at >= toDateTime(?)) \
             ORDER BY event_id",
        )
        .bind(since)
        .fetch_all()
        .await?;
    let decisions = decide(versions, run_started);
    if !decisions.is_empty() {
        let mut insert = client.insert::<Decision>("superseded_events").await?;
        for decision in &decisions {
            insert.write(decision).await?;
        }
        insert.end().await?;
        tracing::info!(
            versions = decisions.len(),
            "re-sent events with a changed key: the latest version counts"
        );
    }
    let mut insert = client.insert::<RunRow>("supersede_runs").await?;
    insert
        .write(&RunRow {
            job: JOB,
            watermark: run_started,
        })
        .await?;
    insert.end().await?;
    Ok(decisions.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(id: u128, service: &str, bucket: u32, received_at: u32) -> Version {
        Version {
            kind: "feedback".into(),
            event_id: Uuid::from_u128(id),
            service_id: service.into(),
            case_ref: String::new(),
            bucket,
            occurred_at: 0,
            received_at,
        }
    }

    #[test]
    fn the_latest_version_wins_and_single_versions_need_no_decision() {
        let decisions = decide(
            vec![
                version(1, "b", 20260302, 200),
                version(1, "a", 20260301, 100),
                version(2, "a", 20260301, 100),
            ],
            999,
        );
        assert_eq!(decisions.len(), 2, "{decisions:?}");
        let live: Vec<_> = decisions.iter().filter(|d| d.superseded == 0).collect();
        assert_eq!(live.len(), 1);
        assert_eq!(
            (live[0].service_id.as_str(), live[0].bucket),
            ("b", 20260302)
        );
        assert!(decisions.iter().all(|d| d.event_id == Uuid::from_u128(1)));
    }

    #[test]
    fn a_version_sent_back_to_its_first_key_wins_again() {
        // a → b → a: the raw row of `a` holds the third version, which wins.
        let decisions = decide(
            vec![
                version(1, "a", 20260301, 300),
                version(1, "b", 20260301, 200),
            ],
            999,
        );
        let live: Vec<_> = decisions.iter().filter(|d| d.superseded == 0).collect();
        assert_eq!(live[0].service_id, "a");
    }

    #[test]
    fn ties_in_the_same_second_are_decided_the_same_way_in_any_order() {
        let a = version(1, "a", 20260301, 100);
        let b = version(1, "b", 20260301, 100);
        let one = decide(vec![a.clone(), b.clone()], 1);
        let other = decide(vec![b, a], 1);
        assert_eq!(one, other);
        assert_eq!(one.iter().filter(|d| d.superseded == 0).count(), 1);
    }

    #[test]
    fn each_kind_compares_its_raw_key() {
        assert!(
            live_rows(EventKind::Milestone).contains("service_id, case_ref, toYYYYMM(occurred_at)")
        );
        assert!(live_rows(EventKind::Feedback).contains("toYYYYMMDD(occurred_at)"));
        assert!(live_rows(EventKind::Offered).contains("kind = 'offered'"));
    }
}
