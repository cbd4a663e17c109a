//! `change_log`: one narrow row per raw row or closed case stored, written beside each
//! insert by materialized views (migration 0006) and ordered by `(service_id, source,
//! inserted_at)`. Incremental jobs ask it what changed since their watermark: the answer
//! reads the log's newest rows only, so its cost follows the changes, not the tables.

use chrono::{DateTime, Utc};
use clickhouse::Row;
use serde::{Deserialize, Serialize};

use super::{feedback, milestones, offered, sla_cases, Engine, StoredRow, Table, View};

pub const NAME: &str = "change_log";

/// Sharded by case, like the milestones and cases it mostly logs: the materialized views
/// run on each shard's inserts, into the same shard.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "cityHash64(service_id, case_ref)",
    engine: Engine::MergeTree,
    views: &[
        View {
            name: "change_log_milestones",
            source: milestones::NAME,
        },
        View {
            name: "change_log_feedback",
            source: feedback::NAME,
        },
        View {
            name: "change_log_offered",
            source: offered::NAME,
        },
        View {
            name: "change_log_sla_cases",
            source: sla_cases::NAME,
        },
    ],
};

/// A change written by hand rather than by the views: after an erasure, the days the
/// erased rows counted on are logged again (with no case reference) so the rollups
/// recompute them without the case.
#[derive(Debug, Clone, PartialEq, Eq, Row, Serialize, Deserialize)]
pub struct ChangeRow {
    /// The table the change is about, as the views write it.
    pub source: String,
    pub service_id: String,
    pub policy: String,
    pub case_ref: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub occurred_at: DateTime<Utc>,
    /// The database's clock (`checkpoint::server_clock`), which the jobs' watermarks follow.
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub inserted_at: DateTime<Utc>,
}

impl StoredRow for ChangeRow {
    const TABLE: &'static str = NAME;
}

/// Rows of one source table stored for a service since a watermark, as a source of
/// `case_ref, occurred_at` (binds: service, watermark). `source` is the table's own name,
/// as the migration's views write it.
pub fn stored_since(source: Source) -> String {
    format!(
        "SELECT case_ref, occurred_at FROM {NAME} \
         WHERE service_id = ? AND source = '{source}' AND inserted_at >= toDateTime(?)",
        source = source.table()
    )
}

/// Cases of a service and standard closed (or closed again) since a watermark, as a source
/// of `case_ref, occurred_at` where `occurred_at` is when the clock stopped (binds:
/// service, policy, watermark).
pub fn closed_since() -> String {
    format!(
        "SELECT case_ref, occurred_at FROM {NAME} \
         WHERE service_id = ? AND source = '{source}' AND policy = ? AND inserted_at >= toDateTime(?)",
        source = sla_cases::NAME
    )
}

/// Responses linked to any of a set of cases, as a source of `occurred_at` (binds: service,
/// then those of `cases`). This one reads every linked response of the service in the log
/// (two narrow columns), since responses are not ordered by case.
pub fn responses_about(cases: &str) -> String {
    format!(
        "SELECT occurred_at FROM {NAME} \
         WHERE service_id = ? AND source = '{source}' AND case_ref != '' AND case_ref IN ({cases})",
        source = feedback::NAME
    )
}

/// The tables whose writes the log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Milestones,
    Feedback,
    Offered,
}

impl Source {
    pub fn table(self) -> &'static str {
        match self {
            Source::Milestones => milestones::NAME,
            Source::Feedback => feedback::NAME,
            Source::Offered => offered::NAME,
        }
    }
}
