//! Versioned schema migrations: the SQL files under `crates/store/migrations/`, compiled into the binary,
//! applied in order and recorded in `schema_migrations`.
//!
//! Every statement is written to be re-runnable (`IF NOT EXISTS`), so a migration cut off
//! half-way is finished by the next run, and two processes migrating at once do no harm.

use civicpulse_core::config::{hash_secret, ClickHouseConfig};
use clickhouse::Row;
use serde::Deserialize;

use crate::client::{Store, StoreError};
use crate::cluster::ClusterDdl;
use crate::tables::{Engine, Table};

pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// All migrations, oldest first: every file of `crates/store/migrations/`, listed by
/// `build.rs` (which refuses a name that is not `NNNN_name.sql` or a gap in the numbers).
pub const MIGRATIONS: &[Migration] = include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The runner's own record of what it applied; bookkeeping, on one shard.
pub const SCHEMA_MIGRATIONS: Table = Table {
    name: "schema_migrations",
    shard_key: "0",
    engine: Engine::MergeTree,
    views: &[],
};

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("ClickHouse refused migration {version} ({name}): {source}")]
    Statement {
        version: u32,
        name: &'static str,
        source: clickhouse::error::Error,
    },
    #[error("migration {version} ({name}) was changed after it was applied: add a new migration instead")]
    Changed { version: u32, name: &'static str },
    #[error("database name `{0}` must be letters, digits and underscores")]
    BadDatabaseName(String),
    #[error("cluster mode: {0}")]
    NoClusterForm(String),
}

#[derive(Debug, Row, Deserialize)]
struct Applied {
    version: u32,
    checksum: String,
}

/// Creates the database if needed and applies every migration not yet recorded.
/// Returns the versions applied by this call.
pub async fn run(config: &ClickHouseConfig) -> Result<Vec<u32>, MigrateError> {
    if config.database.is_empty()
        || !config
            .database
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(MigrateError::BadDatabaseName(config.database.clone()));
    }
    let store = Store::connect(config).await?;
    let on_cluster = (!config.cluster.is_empty()).then(|| ClusterDdl {
        cluster: &config.cluster,
        alter_cluster: if config.alter_cluster.is_empty() {
            &config.cluster
        } else {
            &config.alter_cluster
        },
        database: &config.database,
    });
    let on = on_cluster.map_or_else(String::new, |c| format!(" ON CLUSTER {}", c.cluster));
    Store::server_client(config)
        .query(&format!(
            "CREATE DATABASE IF NOT EXISTS {}{on}",
            config.database
        ))
        .execute()
        .await
        .map_err(StoreError::Query)?;
    let client = store.client.clone().with_validation(false);
    let forms = |statement: &str| -> Result<Vec<String>, MigrateError> {
        match &on_cluster {
            None => Ok(vec![statement.to_string()]),
            Some(ddl) => ddl
                .statements(statement)
                .map_err(MigrateError::NoClusterForm),
        }
    };
    for statement in forms(
        "CREATE TABLE IF NOT EXISTS schema_migrations \
         (version UInt32, name String, checksum String, applied_at DateTime) \
         ENGINE = MergeTree ORDER BY version",
    )? {
        client
            .query(&statement)
            .execute()
            .await
            .map_err(StoreError::Query)?;
    }
    let applied: Vec<Applied> = client
        .query("SELECT DISTINCT version, checksum FROM schema_migrations ORDER BY version")
        .fetch_all()
        .await
        .map_err(StoreError::Query)?;

    let mut newly_applied = Vec::new();
    for migration in MIGRATIONS {
        let checksum = hash_secret(migration.sql);
        if let Some(done) = applied.iter().find(|a| a.version == migration.version) {
            if done.checksum != checksum {
                return Err(MigrateError::Changed {
                    version: migration.version,
                    name: migration.name,
                });
            }
            continue;
        }
        let on_this_server: Vec<String> = statements(migration.sql)
            .iter()
            .map(|statement| forms(statement))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect();
        for statement in on_this_server {
            match client.query(&statement).execute().await {
                Ok(()) => {}
                Err(error) if is_column_already_added(&statement, &error) => {
                    tracing::info!(version = migration.version, %statement, "column already added by an earlier, interrupted run");
                }
                Err(source) => {
                    return Err(MigrateError::Statement {
                        version: migration.version,
                        name: migration.name,
                        source,
                    })
                }
            }
        }
        client
            .query("INSERT INTO schema_migrations VALUES (?, ?, ?, now())")
            .bind(migration.version)
            .bind(migration.name)
            .bind(&checksum)
            .execute()
            .await
            .map_err(StoreError::Query)?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "migration applied"
        );
        newly_applied.push(migration.version);
    }
    Ok(newly_applied)
}

/// ClickHouse 18.16 has no `ADD COLUMN IF NOT EXISTS`; an `ADD COLUMN` that finds its column
/// is what a re-run after an interrupted migration sees, so it counts as done.
fn is_column_already_added(statement: &str, error: &clickhouse::error::Error) -> bool {
    statement.contains("ADD COLUMN") && error.to_string().contains("already exists")
}

/// Splits a migration file into statements: `--` comment lines are dropped and a `;` at
/// the end of a line ends a statement (ClickHouse's HTTP interface takes one at a time).
pub fn statements(sql: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    for line in sql.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("--") || trimmed.is_empty() {
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if trimmed.ends_with(';') {
            let statement = current.trim().trim_end_matches(';').trim().to_string();
            statements.push(statement);
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        statements.push(current.trim().to_string());
    }
    statements
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_on_line_ending_semicolons() {
        let sql = "-- a comment; with a semicolon\nCREATE TABLE a (x UInt8)\nENGINE = Memory;\n\nCREATE TABLE b (y String) ENGINE = Memory;\n";
        assert_eq!(
            statements(sql),
            [
                "CREATE TABLE a (x UInt8)\nENGINE = Memory",
                "CREATE TABLE b (y String) ENGINE = Memory"
            ]
        );
    }

    #[test]
    fn every_file_in_migrations_is_compiled_in_and_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.name))
            .collect();
        assert_eq!(files, listed);
        for (i, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version as usize, i + 1);
        }
        for migration in MIGRATIONS {
            assert!(!statements(migration.sql).is_empty());
        }
    }
}
