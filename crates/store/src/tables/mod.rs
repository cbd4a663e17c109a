//! One module per ClickHouse table: its name, its [`Table`] declaration (shard key, engine,
//! views), its row struct(s) in the table's column order,
//! and every statement that reads or writes it. A statement that joins another table takes
//! that table's name from its module, so each name is written once (here and in the
//! migration that creates it).
//!
//! Rows are positional on old servers (RowBinary without names), which is why each struct
//! follows its table's column order; the e2e suite round-trips every table.
//!
//! - raw events, written by the sink: [`feedback`], [`feedback_comments`], [`milestones`],
//!   [`offered`];
//! - re-sent events: [`event_versions`] (filled by materialized views), [`superseded_events`],
//!   [`supersede_runs`];
//! - SLA: [`sla_cases`], [`sla_runs`], [`sla_exceptions`] (declared through the API);
//! - the quality matrix: [`matrix_feedback_daily`], [`matrix_activity_daily`],
//!   [`matrix_sla_daily`] (rollups by local day), [`matrix_runs`], [`matrix_snapshots`];
//! - what changed since a job's watermark: [`change_log`] (filled by materialized views);
//! - reports: [`report_runs`].

use std::time::Duration;

use clickhouse::{Client, RowOwned, RowWrite};

pub mod change_log;
pub mod event_versions;
pub mod feedback;
pub mod feedback_comments;
pub mod matrix_activity_daily;
pub mod matrix_feedback_daily;
pub mod matrix_runs;
pub mod matrix_sla_daily;
pub mod matrix_snapshots;
pub mod milestones;
pub mod offered;
pub mod report_runs;
pub mod sla_cases;
pub mod sla_exceptions;
pub mod sla_runs;
pub mod supersede_runs;
pub mod superseded_events;

/// What the migrations' SQL does not say about a table but cluster mode needs: the key its
/// `Distributed` table shards by, its engine (matched against the migration's `ENGINE =`
/// clause, then made `Replicated…`), and the materialized views that write into it.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    /// A ClickHouse expression of the table's columns; `"0"` keeps it on one shard.
    pub shard_key: &'static str,
    pub engine: Engine,
    pub views: &'static [View],
}

/// The table engines the migrations use, as written on one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    MergeTree,
    ReplacingMergeTree { version: &'static str },
}

/// A materialized view that inserts into its table whatever is inserted into `source`.
#[derive(Debug, Clone, Copy)]
pub struct View {
    pub name: &'static str,
    pub source: &'static str,
}

impl Engine {
    /// The `ENGINE = …` clause as a single-node migration writes it.
    pub fn clause(&self) -> String {
        match self {
            Engine::MergeTree => "ENGINE = MergeTree".to_string(),
            Engine::ReplacingMergeTree { version } => {
                format!("ENGINE = ReplacingMergeTree({version})")
            }
        }
    }

    /// The replicated clause, with its ZooKeeper path and replica macro.
    pub fn replicated_clause(&self, zookeeper_path: &str) -> String {
        let replica = format!("'{zookeeper_path}', '{{replica}}'");
        match self {
            Engine::MergeTree => format!("ENGINE = ReplicatedMergeTree({replica})"),
            Engine::ReplacingMergeTree { version } => {
                format!("ENGINE = ReplicatedReplacingMergeTree({replica}, {version})")
            }
        }
    }
}

/// Every table of the product, each declared in its module. Cluster mode refuses a
/// statement on a table missing here, and a test checks this list against the modules.
pub const ALL: &[&Table] = &[
    &change_log::TABLE,
    &event_versions::TABLE,
    &feedback::TABLE,
    &feedback_comments::TABLE,
    &matrix_activity_daily::TABLE,
    &matrix_feedback_daily::TABLE,
    &matrix_runs::TABLE,
    &matrix_sla_daily::TABLE,
    &matrix_snapshots::TABLE,
    &milestones::TABLE,
    &offered::TABLE,
    &report_runs::TABLE,
    &sla_cases::TABLE,
    &sla_exceptions::TABLE,
    &sla_runs::TABLE,
    &supersede_runs::TABLE,
    &superseded_events::TABLE,
];

/// A row type and the table it is stored in.
pub trait StoredRow: RowOwned + RowWrite {
    const TABLE: &'static str;
}

/// Inserts `rows` into their table in one INSERT; `timeout` bounds each send and the end.
pub async fn insert_all<T: StoredRow>(
    client: &Client,
    rows: &[T],
    timeout: Option<Duration>,
) -> Result<(), clickhouse::error::Error> {
    let mut insert = client
        .insert::<T>(T::TABLE)
        .await?
        .with_timeouts(timeout, timeout);
    for row in rows {
        insert.write(row).await?;
    }
    insert.end().await
}

/// When the newest raw event (response, milestone or offer) was received, if any is
/// stored: the "data as of" a report states.
pub async fn newest_received_at(
    client: &Client,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, clickhouse::error::Error> {
    let sql = format!(
        "SELECT toUInt32(max(newest)) FROM ( \
           SELECT max(received_at) AS newest FROM {feedback} \
           UNION ALL SELECT max(received_at) AS newest FROM {milestones} \
           UNION ALL SELECT max(received_at) AS newest FROM {offered})",
        feedback = feedback::NAME,
        milestones = milestones::NAME,
        offered = offered::NAME,
    );
    let seconds: u32 = client.query(&sql).fetch_one().await?;
    Ok((seconds > 0)
        .then(|| chrono::DateTime::from_timestamp(i64::from(seconds), 0))
        .flatten())
}
