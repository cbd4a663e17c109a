//! Cluster mode, decided here alone: with `[clickhouse] cluster = "name"` every table the
//! migrations create becomes a `Replicated…MergeTree` named `<table>_local` on every
//! replica (`ON CLUSTER`, ZooKeeper path `/clickhouse/tables/{shard}/<database>/<table>`)
//! under a `Distributed` table of the name the code reads and writes. Names are qualified
//! with the database, as each replica runs the statement in its own session. Single node (an
//! empty `cluster`) keeps the statements as written.
//!
//! Nothing is guessed from the SQL: each statement must begin with the head its table's
//! declaration ([`crate::tables::Table`]) implies (`CREATE TABLE IF NOT EXISTS <table>`,
//! `ALTER TABLE <table> ADD COLUMN`, `CREATE MATERIALIZED VIEW IF NOT EXISTS <view> TO
//! <table> AS`), and hold the declared `ENGINE =` clause or view source exactly once; those
//! exact strings are what is replaced. A statement on an undeclared table, or one that
//! disagrees with its declaration, has no cluster form (and fails a unit test).
//!
//! Sharding keys, declared beside each table (why each keeps what must stay together on
//! one shard):
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

use crate::migrate::SCHEMA_MIGRATIONS;
use crate::tables::{Table, View, ALL};

/// How a statement of the migrations is issued on a cluster.
#[derive(Debug, Clone, Copy)]
pub struct ClusterDdl<'a> {
    pub cluster: &'a str,
    /// Where an `ALTER` of a replicated table goes: one replica per shard (see
    /// `ClickHouseConfig::alter_cluster`); `cluster` itself when none is configured.
    pub alter_cluster: &'a str,
    pub database: &'a str,
}

/// The declaration of table `name`: the product's tables and the migrations' own.
pub fn declared(name: &str) -> Option<&'static Table> {
    ALL.iter()
        .copied()
        .chain([&SCHEMA_MIGRATIONS])
        .find(|table| table.name == name)
}

/// The declared table and view a `CREATE MATERIALIZED VIEW` statement names.
fn declared_view(statement: &str) -> Option<(&'static Table, &'static View)> {
    ALL.iter().find_map(|table| {
        table
            .views
            .iter()
            .find(|view| starts_with_word(statement, &view_head(view.name, table.name)))
            .map(|view| (*table, view))
    })
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS ";
const ALTER_TABLE: &str = "ALTER TABLE ";
const CREATE_VIEW: &str = "CREATE MATERIALIZED VIEW IF NOT EXISTS ";

fn view_head(view: &str, target: &str) -> String {
    format!("{CREATE_VIEW}{view} TO {target} AS")
}

/// Whether `text` starts with `head` followed by the end or a character that cannot
/// continue an identifier.
fn starts_with_word(text: &str, head: &str) -> bool {
    text.strip_prefix(head).is_some_and(ends_word)
}

fn ends_word(rest: &str) -> bool {
    !rest
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `text` with its one whole-word occurrence of `from` replaced by `to`; an error when
/// there is none or more than one.
fn replace_once(text: &str, from: &str, to: &str) -> Result<String, String> {
    let found: Vec<usize> = text
        .match_indices(from)
        .map(|(at, _)| at)
        .filter(|&at| {
            ends_word(&text[at + from.len()..])
                && !text[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .collect();
    match found[..] {
        [at] => Ok(format!("{}{to}{}", &text[..at], &text[at + from.len()..])),
        [] => Err(format!("`{from}` not found")),
        _ => Err(format!("`{from}` found more than once")),
    }
}

impl ClusterDdl<'_> {
    /// The `Distributed` table over `<table>_local`, under the table's own name.
    fn distributed(&self, table: &Table) -> String {
        let (c, db, name) = (self.cluster, self.database, table.name);
        format!(
            "CREATE TABLE IF NOT EXISTS {db}.{name} ON CLUSTER {c} AS {db}.{name}_local \
             ENGINE = Distributed({c}, {db}, {name}_local, {key})",
            key = table.shard_key
        )
    }

    /// The statements that do on the cluster what `statement` does on one node.
    pub fn statements(&self, statement: &str) -> Result<Vec<String>, String> {
        let first_line = statement.lines().next().unwrap_or_default();
        let undeclared = |name: &str| {
            format!("`{name}` is not declared in store::tables (ALL), so it has no shard key: {first_line}")
        };
        let disagrees = |why: String| format!("{why} in: {first_line}");
        let (c, db) = (self.cluster, self.database);
        if let Some(rest) = statement.strip_prefix(CREATE_TABLE) {
            let name = rest
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or_default();
            let table = declared(name).ok_or_else(|| undeclared(name))?;
            let path = format!("/clickhouse/tables/{{shard}}/{db}/{name}");
            let local = replace_once(
                &rest[name.len()..],
                &table.engine.clause(),
                &table.engine.replicated_clause(&path),
            )
            .map_err(disagrees)?;
            return Ok(vec![
                format!("{CREATE_TABLE}{db}.{name}_local ON CLUSTER {c}{local}"),
                self.distributed(table),
            ]);
        }
        if statement.starts_with(CREATE_VIEW) {
            let (table, view) = declared_view(statement).ok_or_else(|| {
                disagrees("not a view declared in store::tables (Table::views)".to_string())
            })?;
            // The view runs where each shard's rows are inserted, into the same shard.
            let select = &statement[view_head(view.name, table.name).len()..];
            let select = replace_once(
                select,
                &format!("FROM {}", view.source),
                &format!("FROM {db}.{}_local", view.source),
            )
            .map_err(disagrees)?;
            return Ok(vec![format!(
                "{CREATE_VIEW}{db}.{view} ON CLUSTER {c} TO {db}.{target}_local AS{select}",
                view = view.name,
                target = table.name,
            )]);
        }
        if let Some(rest) = statement.strip_prefix(ALTER_TABLE) {
            // A Distributed table keeps the columns it was created with, and 18.16 will
            // not ALTER one on a cluster of replicated shards: it is created again over
            // the altered local table (it holds no rows; inserts are synchronous).
            let name = rest.split_whitespace().next().unwrap_or_default();
            let table = declared(name).ok_or_else(|| undeclared(name))?;
            let change = rest[name.len()..].trim_start();
            if !change.starts_with("ADD COLUMN ") {
                return Err(disagrees("only ADD COLUMN has a cluster form".to_string()));
            }
            let alter = self.alter_cluster;
            return Ok(vec![
                format!("{ALTER_TABLE}{db}.{name}_local ON CLUSTER {alter} {change}"),
                format!("DROP TABLE IF EXISTS {db}.{name} ON CLUSTER {c}"),
                self.distributed(table),
            ]);
        }
        if statement.starts_with("INSERT INTO") {
            // Through the Distributed table, like every write.
            return Ok(vec![statement.to_string()]);
        }
        Err(format!(
            "no cluster form for this statement (add one in store::cluster): {first_line}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::{statements, MIGRATIONS};
    use crate::tables::{feedback, sla_cases};

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

    /// Every table the migrations create is declared, and every declared table is a module
    /// of `tables/` listed in `ALL`: a new table cannot go without a shard key.
    #[test]
    fn every_table_is_declared_with_its_module() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/tables");
        let mut modules: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|f| f.strip_suffix(".rs").map(str::to_string))
            .filter(|m| m != "mod")
            .collect();
        modules.sort();
        let declared: Vec<String> = ALL.iter().map(|t| t.name.to_string()).collect();
        assert_eq!(
            modules, declared,
            "tables::ALL lists every module, in file order"
        );
        for migration in MIGRATIONS {
            for statement in statements(migration.sql) {
                if let Some(rest) = statement.strip_prefix(CREATE_TABLE) {
                    let name = rest.split_whitespace().next().unwrap();
                    assert!(
                        ALL.iter().any(|t| t.name == name),
                        "migration {} creates `{name}`, which tables::ALL does not declare",
                        migration.version
                    );
                }
            }
        }
        for table in ALL {
            assert!(!table.shard_key.trim().is_empty(), "{}", table.name);
        }
    }

    #[test]
    fn a_statement_that_disagrees_with_its_declaration_has_no_cluster_form() {
        let undeclared = DDL
            .statements(
                "CREATE TABLE IF NOT EXISTS answers (x UInt8) ENGINE = MergeTree ORDER BY x",
            )
            .unwrap_err();
        assert!(
            undeclared.contains("`answers` is not declared"),
            "{undeclared}"
        );
        let engine = DDL
            .statements(
                "CREATE TABLE IF NOT EXISTS feedback (x UInt8) ENGINE = MergeTree ORDER BY x",
            )
            .unwrap_err();
        assert!(
            engine.contains("ENGINE = ReplacingMergeTree(received_at)"),
            "{engine}"
        );
        let view = DDL
            .statements("CREATE MATERIALIZED VIEW IF NOT EXISTS event_versions_feedback TO event_versions AS\nSELECT event_id\nFROM offered")
            .unwrap_err();
        assert!(view.contains("` not found"), "{view}");
        assert!(DDL
            .statements("ALTER TABLE answers ADD COLUMN region String")
            .is_err());
        assert!(DDL
            .statements(&format!(
                "ALTER TABLE {} DROP COLUMN region",
                feedback::NAME
            ))
            .is_err());
        assert!(DDL
            .statements(&format!("DROP TABLE {}", feedback::NAME))
            .is_err());
    }

    #[test]
    fn a_table_becomes_replicated_shards_under_a_distributed_table() {
        let sql = "CREATE TABLE IF NOT EXISTS feedback\n(\n    event_id UUID,\n    received_at DateTime\n)\nENGINE = ReplacingMergeTree(received_at)\nPARTITION BY toYYYYMM(occurred_at)\nORDER BY (service_id, event_id)";
        let out = DDL.statements(sql).unwrap();
        assert_eq!(out.len(), 2);
        assert!(out[0]
            .starts_with("CREATE TABLE IF NOT EXISTS cp.feedback_local ON CLUSTER civicpulse\n("));
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
        assert!(plain[1].ends_with("report_runs_local, 0)"), "{}", plain[1]);
        let view = DDL
            .statements("CREATE MATERIALIZED VIEW IF NOT EXISTS event_versions_feedback TO event_versions AS\nSELECT event_id\nFROM feedback")
            .unwrap();
        assert_eq!(
            view[0],
            "CREATE MATERIALIZED VIEW IF NOT EXISTS cp.event_versions_feedback ON CLUSTER civicpulse TO cp.event_versions_local AS\nSELECT event_id\nFROM cp.feedback_local"
        );
        let alter = DDL
            .statements(&format!(
                "ALTER TABLE {} ADD COLUMN region String",
                sla_cases::NAME
            ))
            .unwrap();
        assert_eq!(
            alter[0],
            "ALTER TABLE cp.sla_cases_local ON CLUSTER civicpulse_alter ADD COLUMN region String"
        );
        assert_eq!(
            alter[1],
            "DROP TABLE IF EXISTS cp.sla_cases ON CLUSTER civicpulse"
        );
        assert!(alter[2].starts_with(
            "CREATE TABLE IF NOT EXISTS cp.sla_cases ON CLUSTER civicpulse AS cp.sla_cases_local"
        ));
    }
}
