//! Cluster mode, decided here alone: with `[clickhouse] cluster = "name"` every table the
//! migrations create becomes a `Replicated…MergeTree` named `<table>_local` on every
//! replica (`ON CLUSTER`, ZooKeeper path `/clickhouse/tables/{shard}/<database>/<table>`)
//! under a `Distributed` table of the name the code reads and writes. Names are qualified
//! with the database, as each replica runs the statement in its own session. Single node (an
//! empty `cluster`) keeps the statements as written.
//!
//! Sharding keys (why each keeps what must stay together on one shard):
//! - the raw responses, comments and transactions by `event_id`: every copy of an event
//!   (a replay) reaches the same shard, where `FINAL` collapses it;
//! - milestones, SLA cases by `(service_id, case_ref)`: a case's milestones are evaluated
//!   whole, on one shard; a replay has the same case, so it collapses too;
//! - event versions and the change log like the raw table they come from (the materialized
//!   views run on each shard's inserts);
//! - per-service state (rollups, runs, snapshots) by `service_id`;
//! - small bookkeeping tables by a constant (one shard).
//!
//! Hashes spread keys evenly (`cityHash64`); the e2e cluster test measures the spread.

use std::sync::LazyLock;

use regex::Regex;

/// How a statement of the migrations is issued on a cluster.
#[derive(Debug, Clone, Copy)]
pub struct ClusterDdl<'a> {
    pub cluster: &'a str,
    /// Where an `ALTER` of a replicated table goes: one replica per shard (see
    /// `ClickHouseConfig::alter_cluster`); `cluster` itself when none is configured.
    pub alter_cluster: &'a str,
    pub database: &'a str,
}

/// The sharding key of a table's `Distributed` table.
pub fn shard_key(table: &str) -> &'static str {
    match table {
        // 18.16 hashes no UUID: its text form is hashed.
        "feedback" | "feedback_comments" | "offered" => "cityHash64(toString(event_id))",
        "milestones" | "sla_cases" | "change_log" => "cityHash64(service_id, case_ref)",
        "event_versions" => {
            "if(kind = 'milestone', cityHash64(service_id, case_ref), cityHash64(toString(event_id)))"
        }
        "matrix_feedback_daily" | "matrix_activity_daily" | "matrix_sla_daily" | "matrix_runs"
        | "sla_runs" | "matrix_snapshots" => "cityHash64(service_id)",
        _ => "0",
    }
}

static CREATE_TABLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?s)^CREATE TABLE IF NOT EXISTS (?P<table>\w+)\s*(?P<columns>\(.*\))\s*ENGINE = (?P<engine>\w*MergeTree)(?P<args>\([^)]*\))?(?P<rest>.*)$",
    )
    .expect("a valid pattern")
});
static CREATE_VIEW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?s)^CREATE MATERIALIZED VIEW IF NOT EXISTS (?P<view>\w+) TO (?P<target>\w+) AS(?P<select>.*\bFROM )(?P<source>\w+)(?P<rest>.*)$",
    )
    .expect("a valid pattern")
});
static ADD_COLUMN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)^ALTER TABLE (?P<table>\w+)\s+(?P<rest>ADD COLUMN .*)$")
        .expect("a valid pattern")
});

impl ClusterDdl<'_> {
    /// The `Distributed` table over `<table>_local`, under the table's own name.
    fn distributed(&self, table: &str) -> String {
        let (c, db) = (self.cluster, self.database);
        format!(
            "CREATE TABLE IF NOT EXISTS {db}.{table} ON CLUSTER {c} AS {db}.{table}_local \
             ENGINE = Distributed({c}, {db}, {table}_local, {key})",
            key = shard_key(table)
        )
    }

    /// The statements that do on the cluster what `statement` does on one node.
    pub fn statements(&self, statement: &str) -> Result<Vec<String>, String> {
        let (c, db) = (self.cluster, self.database);
        if let Some(m) = CREATE_TABLE.captures(statement) {
            let table = &m["table"];
            let args = m
                .name("args")
                .map(|a| a.as_str().trim_start_matches('(').trim_end_matches(')'))
                .filter(|a| !a.trim().is_empty());
            let path = format!("'/clickhouse/tables/{{shard}}/{db}/{table}', '{{replica}}'");
            let args = match args {
                Some(version) => format!("{path}, {version}"),
                None => path,
            };
            return Ok(vec![
                format!(
                    "CREATE TABLE IF NOT EXISTS {db}.{table}_local ON CLUSTER {c} {columns}\nENGINE = Replicated{engine}({args}){rest}",
                    columns = &m["columns"],
                    engine = &m["engine"],
                    rest = &m["rest"],
                ),
                self.distributed(table),
            ]);
        }
        if let Some(m) = CREATE_VIEW.captures(statement) {
            // The view runs where each shard's rows are inserted, into the same shard.
            return Ok(vec![format!(
                "CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.{view} ON CLUSTER {c} TO {db}.{target}_local AS{select}{db}.{source}_local{rest}",
                view = &m["view"],
                target = &m["target"],
                select = &m["select"],
                source = &m["source"],
                rest = &m["rest"],
            )]);
        }
        if let Some(m) = ADD_COLUMN.captures(statement) {
            // A Distributed table keeps the columns it was created with, and 18.16 will
            // not ALTER one on a cluster of replicated shards: it is created again over
            // the altered local table (it holds no rows; inserts are synchronous).
            let (table, rest) = (&m["table"], &m["rest"]);
            let alter = self.alter_cluster;
            return Ok(vec![
                format!("ALTER TABLE {db}.{table}_local ON CLUSTER {alter} {rest}"),
                format!("DROP TABLE IF EXISTS {db}.{table} ON CLUSTER {c}"),
                self.distributed(table),
            ]);
        }
        if statement.starts_with("INSERT INTO") {
            // Through the Distributed table, like every write.
            return Ok(vec![statement.to_string()]);
        }
        Err(format!(
            "no cluster form for this statement (add one in store::cluster): {}",
            statement.lines().next().unwrap_or_default()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::{statements, MIGRATIONS};

    const DDL: ClusterDdl<'static> = ClusterDdl {
        cluster: "civicpulse",
        alter_cluster: "civicpulse_alter",
        database: "cp",
    };

    #[test]
    fn every_migration_statement_has_a_cluster_form() {
        for migration in MIGRATIONS {
            for statement in statements(migration.sql) {
                let on_cluster = DDL
                    .statements(&statement)
                    .unwrap_or_else(|e| panic!("migration {}: {e}", migration.version));
                assert!(!on_cluster.is_empty());
                for sql in &on_cluster {
                    assert!(
                        sql.contains(" ON CLUSTER civicpulse") || sql.starts_with("INSERT INTO"),
                        "{sql}"
                    );
                    // Only the alter cluster's one replica per shard may run an ALTER.
                    assert_eq!(
                        sql.starts_with("ALTER TABLE"),
                        sql.contains(" ON CLUSTER civicpulse_alter "),
                        "{sql}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_table_becomes_replicated_shards_under_a_distributed_table() {
        let sql = "CREATE TABLE IF NOT EXISTS feedback\n(\n    event_id UUID,\n    received_at DateTime\n)\nENGINE = ReplacingMergeTree(received_at)\nPARTITION BY toYYYYMM(occurred_at)\nORDER BY (service_id, event_id)";
        let out = DDL.statements(sql).unwrap();
        assert_eq!(out.len(), 2);
        assert!(out[0]
            .starts_with("CREATE TABLE IF NOT EXISTS cp.feedback_local ON CLUSTER civicpulse ("));
        assert!(out[0].contains(
            "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/cp/feedback', '{replica}', received_at)\nPARTITION BY"
        ));
        assert_eq!(
            out[1],
            "CREATE TABLE IF NOT EXISTS cp.feedback ON CLUSTER civicpulse AS cp.feedback_local ENGINE = Distributed(civicpulse, cp, feedback_local, cityHash64(toString(event_id)))"
        );
        let plain = DDL
            .statements("CREATE TABLE IF NOT EXISTS report_runs\n(\n    period String\n)\nENGINE = MergeTree\nORDER BY period")
            .unwrap();
        assert!(plain[0].contains("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/cp/report_runs', '{replica}')\nORDER BY"));
        let view = DDL
            .statements("CREATE MATERIALIZED VIEW IF NOT EXISTS v TO versions AS\nSELECT event_id\nFROM answers")
            .unwrap();
        assert_eq!(
            view[0],
            "CREATE MATERIALIZED VIEW IF NOT EXISTS cp.v ON CLUSTER civicpulse TO cp.versions_local AS\nSELECT event_id\nFROM cp.answers_local"
        );
        let alter = DDL
            .statements("ALTER TABLE cases ADD COLUMN region String")
            .unwrap();
        assert_eq!(
            alter[0],
            "ALTER TABLE cp.cases_local ON CLUSTER civicpulse_alter ADD COLUMN region String"
        );
        assert_eq!(
            alter[1],
            "DROP TABLE IF EXISTS cp.cases ON CLUSTER civicpulse"
        );
        assert!(alter[2].starts_with(
            "CREATE TABLE IF NOT EXISTS cp.cases ON CLUSTER civicpulse AS cp.cases_local"
        ));
        assert!(DDL.statements("DROP TABLE answers").is_err());
    }
}
