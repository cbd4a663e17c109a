//! One module per ClickHouse table: its name, its [`Table`] declaration (shard key, engine,
//! views), its row struct(s) in the table's column order, and every statement that reads or
//! writes it. A statement that joins another table takes that table's name from its
//! module, so each name is written once (here and in the migration that creates it).
//!
//! Rows are positional on old servers (RowBinary without names), which is why each struct
//! follows its table's column order; the e2e suite round-trips every table, and
//! `tests/e2e/rows.rs` compares every [`StoredRow`] with its table's columns by name and
//! order (on 18.16 and chDB).
//!
//! - raw events, written by the sink: [`feedback`], [`feedback_comments`], [`milestones`],
//!   [`offered`]; what the themes model read in each comment: [`comment_readings`], and
//!   what analysts corrected of it: [`theme_corrections`];
//! - re-sent events: [`event_versions`] (filled by materialized views), [`superseded_events`],
//!   [`supersede_runs`];
//! - SLA: [`sla_cases`], [`sla_runs`], [`sla_exceptions`] (declared through the API);
//! - the quality matrix: [`matrix_feedback_daily`], [`matrix_activity_daily`],
//!   [`matrix_sla_daily`] (rollups by local day), [`matrix_runs`], [`matrix_snapshots`];
//! - what changed since a job's watermark: [`change_log`] (filled by materialized views);
//! - reports: [`report_runs`];
//! - who read comment text and who erased what: [`access_audit`].

use std::time::Duration;

use clickhouse::{Client, RowOwned, RowWrite};

pub mod access_audit;
pub mod change_log;
pub mod comment_readings;
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
pub mod theme_corrections;

/// `service_id IN (?, …)` with one placeholder per service, to bind in order; every row
/// when `services` is empty. Placeholders, not an array literal: an empty `[]` has no type
/// on old servers.
pub fn services_condition(services: &[String]) -> String {
    if services.is_empty() {
        return "1".to_string();
    }
    format!("service_id IN ({})", vec!["?"; services.len()].join(", "))
}

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
    &access_audit::TABLE,
    &change_log::TABLE,
    &comment_readings::TABLE,
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
    &theme_corrections::TABLE,
];

/// A row type and the table it is stored in.
pub trait StoredRow: RowOwned + RowWrite {
    const TABLE: &'static str;
}

/// A stored row type's fields, in order, and its table: rows travel by position on 18.16
/// (RowBinary without names), so the e2e suite checks each against its table's columns.
#[derive(Debug, Clone, Copy)]
pub struct RowLayout {
    pub row: &'static str,
    pub table: &'static str,
    pub fields: &'static [&'static str],
}

impl RowLayout {
    pub fn of<T: StoredRow>() -> RowLayout {
        RowLayout {
            row: std::any::type_name::<T>(),
            table: T::TABLE,
            fields: <T as clickhouse::Row>::COLUMN_NAMES,
        }
    }

    /// Why the fields do not match `columns` (the table's, in order, each with whether it
    /// has a default), if they do not: the fields must be the table's columns in the
    /// table's order, leaving out only columns the server fills by default.
    pub fn mismatch(&self, columns: &[(String, bool)]) -> Option<String> {
        let expected: Vec<&str> = columns
            .iter()
            .filter(|(name, has_default)| !has_default || self.fields.contains(&name.as_str()))
            .map(|(name, _)| name.as_str())
            .collect();
        (expected != self.fields).then(|| {
            format!(
                "{} does not follow the columns of `{}`:\n  fields:  {:?}\n  columns: {:?}",
                self.row, self.table, self.fields, expected
            )
        })
    }
}

/// Every [`StoredRow`] type (a unit test finds each `impl StoredRow` in the modules here).
pub fn stored_rows() -> Vec<RowLayout> {
    vec![
        RowLayout::of::<access_audit::AuditEntry>(),
        RowLayout::of::<change_log::ChangeRow>(),
        RowLayout::of::<comment_readings::ReadingRow>(),
        RowLayout::of::<feedback::FeedbackRow>(),
        RowLayout::of::<feedback_comments::CommentRow>(),
        RowLayout::of::<milestones::MilestoneRow>(),
        RowLayout::of::<offered::OfferedRow>(),
        RowLayout::of::<report_runs::ReportRunRow>(),
        RowLayout::of::<sla_exceptions::ExceptionRow>(),
        RowLayout::of::<superseded_events::Decision>(),
        RowLayout::of::<theme_corrections::CorrectionRow>(),
    ]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_row_type_is_listed() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/tables");
        let mut implemented = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let module = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                if let Some(rest) = line.trim().strip_prefix("impl StoredRow for ") {
                    let row = rest.trim_end_matches('{').trim();
                    implemented.push(format!("civicpulse_store::tables::{module}::{row}"));
                }
            }
        }
        implemented.sort();
        let mut listed: Vec<String> = stored_rows().iter().map(|r| r.row.to_string()).collect();
        listed.sort();
        assert_eq!(implemented, listed);
    }

    #[test]
    fn a_row_matches_its_columns_by_name_and_order() {
        let layout = RowLayout {
            row: "Row",
            table: "t",
            fields: &["a", "b", "c"],
        };
        let columns = |names: &[(&str, bool)]| -> Vec<(String, bool)> {
            names.iter().map(|(n, d)| (n.to_string(), *d)).collect()
        };
        // A column the server fills by default may be left out, anywhere.
        assert_eq!(
            layout.mismatch(&columns(&[
                ("a", false),
                ("inserted_at", true),
                ("b", false),
                ("c", true)
            ])),
            None
        );
        // Two fields swapped, a column without a default missing, a field with no column.
        assert!(layout
            .mismatch(&columns(&[("b", false), ("a", false), ("c", false)]))
            .is_some());
        assert!(layout
            .mismatch(&columns(&[
                ("a", false),
                ("b", false),
                ("c", false),
                ("d", false)
            ]))
            .is_some());
        assert!(layout
            .mismatch(&columns(&[("a", false), ("b", false)]))
            .is_some());
    }
}
