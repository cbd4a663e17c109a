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
//! - readers add `superseded_events::live_rows` to every raw read, and re-read the days and
//!   cases a decision touched (`superseded_events::decided_since`).

use civicpulse_store::checkpoint::server_clock;
use civicpulse_store::tables::event_versions::{self, Version};
use civicpulse_store::tables::superseded_events::Decision;
use civicpulse_store::tables::{insert_all, supersede_runs};
use clickhouse::Client;

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

const JOB: &str = "supersede";

/// Decides every event_id with versions inserted since the last run; returns how many
/// versions it decided.
pub async fn refresh(client: &Client) -> Result<usize, clickhouse::error::Error> {
    let since = supersede_runs::watermark(client, JOB).await?;
    // The server's clock before reading: versions inserted from this second on are read
    // again next run (deciding twice is idempotent), so none is missed.
    let run_started = server_clock(client).await?;
    let versions = event_versions::versions_of_ids_inserted_since(client, since).await?;
    let decisions = decide(versions, run_started);
    if !decisions.is_empty() {
        insert_all(client, &decisions, None).await?;
        tracing::info!(
            versions = decisions.len(),
            "re-sent events with a changed key: the latest version counts"
        );
    }
    supersede_runs::record(client, JOB, run_started).await?;
    Ok(decisions.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

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
}
