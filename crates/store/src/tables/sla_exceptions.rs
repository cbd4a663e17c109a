//! `sla_exceptions`: exceptional circumstances declared through the dashboard API,
//! append-only. Each declaration or withdrawal is a row with who made it and when, so the
//! table is its own audit trail; an id's row of highest `seq` is its current state.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use civicpulse_core::exception::{Exception, ExceptionChange, ExceptionEffect};
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};

use super::{Engine, StoredRow, Table};

pub const NAME: &str = "sla_exceptions";

/// Kept on one shard (a constant key): a handful of declarations, read whole.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "0",
    engine: Engine::MergeTree,
    views: &[],
};

#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct ExceptionRow {
    pub id: String,
    pub services: Vec<String>,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub from_at: DateTime<Utc>,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub to_at: DateTime<Utc>,
    pub reason: String,
    /// `no_remission` or `pause_clock`.
    pub effect: String,
    /// 1: this row withdraws the exception.
    pub withdrawn: u8,
    /// The name of the token that made the change.
    pub declared_by: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub declared_at: DateTime<Utc>,
    /// The order of an id's changes ([`next_seq`]): `declared_at` holds whole seconds, so
    /// two changes within one second would tie.
    pub seq: u64,
}

impl StoredRow for ExceptionRow {
    const TABLE: &'static str = NAME;
}

impl ExceptionRow {
    /// The change this row records, for `civicpulse_core::exception::effective`.
    pub fn change(&self) -> ExceptionChange {
        ExceptionChange {
            id: self.id.clone(),
            seq: self.seq,
            declared: self.exception(),
            by: self.declared_by.clone(),
            at: self.declared_at,
        }
    }

    /// The exception this row declares; none for a withdrawal or an effect this version
    /// does not know.
    pub fn exception(&self) -> Option<Exception> {
        let effect: ExceptionEffect = self.effect.parse().ok()?;
        (self.withdrawn == 0).then(|| Exception {
            id: self.id.clone(),
            services: self.services.clone(),
            from: self.from_at,
            to: self.to_at,
            reason: self.reason.clone(),
            effect,
        })
    }
}

/// The sequence number of a change made now, after an id's latest change `after`: the
/// time in nanoseconds, or one more than `after` (or than the last number this process
/// gave) if that is not later, so an id's changes never tie and keep the order they were
/// made in even when the clock steps back.
pub fn next_seq(after: Option<u64>) -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = Utc::now()
        .timestamp_nanos_opt()
        .map_or(0, |n| n.max(0) as u64);
    let floor = after.map_or(0, |a| a.saturating_add(1));
    let mut given = 0;
    // Never the same number twice in one process, whatever the clock does.
    let _ = LAST.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |last| {
        given = now.max(floor).max(last.saturating_add(1));
        Some(given)
    });
    given
}

/// Every change made through the API, oldest first: which are in force is
/// `civicpulse_core::exception::effective`'s to say (a few rows per exception).
pub async fn changes(client: &Client) -> Result<Vec<ExceptionRow>, clickhouse::error::Error> {
    client
        .query(&format!("SELECT ?fields FROM {NAME} ORDER BY seq"))
        .fetch_all()
        .await
}

/// Every row of one id, oldest first: its audit trail.
pub async fn history(
    client: &Client,
    id: &str,
) -> Result<Vec<ExceptionRow>, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT ?fields FROM {NAME} WHERE id = ? ORDER BY seq"
        ))
        .bind(id)
        .fetch_all()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use civicpulse_core::exception::effective;

    fn change(seq: u64, withdrawn: u8) -> ExceptionRow {
        let second = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
        ExceptionRow {
            id: "2026-06-strike".into(),
            services: vec!["passport-in-person".into()],
            from_at: second,
            to_at: second + chrono::Duration::days(5),
            reason: "Labour disruption".into(),
            effect: "pause_clock".into(),
            withdrawn,
            declared_by: "service-manager".into(),
            // Declared, withdrawn and declared again within one second.
            declared_at: second,
            seq,
        }
    }

    #[test]
    fn the_latest_change_by_sequence_decides_even_within_one_second() {
        let (declared, withdrawn, again) = (next_seq(None), next_seq(None), next_seq(None));
        assert!(declared < withdrawn && withdrawn < again);
        let rows = [change(again, 0), change(declared, 0), change(withdrawn, 1)];
        let force = effective(&[], rows.iter().map(ExceptionRow::change));
        assert_eq!(force.len(), 1);
        // Withdrawn last: not in force.
        assert!(effective(&[], rows[1..].iter().map(ExceptionRow::change)).is_empty());
        // A change after a stored one from a clock ahead of this one still follows it.
        let ahead = next_seq(None) + 10_000_000_000;
        assert_eq!(next_seq(Some(ahead)), ahead + 1);
    }
}
