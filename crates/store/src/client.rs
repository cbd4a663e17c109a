//! The ClickHouse connection: one place decides how the `clickhouse` crate talks to the
//! server it finds, and this is where what differs between versions is listed.
//!
//! The SQL runs unchanged on Debian's 18.16 and on ClickHouse 26 (the e2e test
//! `current_clickhouse` replays every statement of a run on chDB). What must differ, or is
//! written the one way both accept:
//! - **Row validation.** The crate validates rows with `RowBinaryWithNamesAndTypes`, which
//!   18.16 does not speak; validation is switched on only for servers ≥ 24, decided from
//!   `SELECT version()` (below).
//! - **Joined subqueries carry an alias** (`… ) AS answered ANY LEFT JOIN ( … ) AS
//!   outcomes USING case_ref`, in `tables::matrix_feedback_daily`): required since 20
//!   (`joined_subquery_requires_alias`), accepted by 18.16.
//! - **No `SETTINGS` clause after `FORMAT`** and no `SYSTEM FLUSH LOGS`: 18.16 has neither,
//!   so none is used; per-query settings go through the client (`with_setting`).
//! - `clickhouse.log_statements` sets `log_queries = 1`, which both record in
//!   `system.query_log` (18.16's `type` is a number, later versions' an enum).

use std::time::Duration;

use civicpulse_core::config::ClickHouseConfig;
use clickhouse::Client;

use civicpulse_core::backoff::{self, Retryable};

/// Oldest major version on which the crate's row validation is used.
const VALIDATION_MIN_MAJOR: u32 = 24;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("ClickHouse at {url} is unreachable: {source}")]
    Unreachable {
        url: String,
        source: clickhouse::error::Error,
    },
    #[error("ClickHouse query failed: {0}")]
    Query(#[from] clickhouse::error::Error),
    /// A request the store refuses to carry out as asked.
    #[error("{0}")]
    Invalid(String),
    /// A store other than ClickHouse (the tests' in-memory one) could not answer.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

/// A connected client, with the server version it was configured for.
#[derive(Clone)]
pub struct Store {
    pub client: Client,
    pub server_version: String,
}

impl Store {
    /// Connects, learns the server version and returns a client bound to the database.
    /// The database itself may not exist yet (migrations create it).
    pub async fn connect(config: &ClickHouseConfig) -> Result<Store, StoreError> {
        let server = base_client(config).with_validation(false);
        let server_version: String =
            server
                .query("SELECT version()")
                .fetch_one()
                .await
                .map_err(|source| StoreError::Unreachable {
                    url: config.url.clone(),
                    source,
                })?;
        let validation = supports_validation(&server_version);
        tracing::info!(version = %server_version, validation, "connected to ClickHouse");
        let client = base_client(config)
            .with_database(&config.database)
            .with_validation(validation);
        Ok(Store {
            client,
            server_version,
        })
    }

    /// Connects, retrying with backoff until `deadline` passes: components start before or
    /// after the database, and should wait for it rather than die.
    pub async fn connect_with_retry(
        config: &ClickHouseConfig,
        deadline: Duration,
    ) -> Result<Store, StoreError> {
        let started = tokio::time::Instant::now();
        (|| Store::connect(config))
            .retry(backoff::exponential(
                Duration::from_millis(200),
                Duration::from_secs(5),
            ))
            .adjust(|_, wait| wait.filter(|wait| started.elapsed() + *wait < deadline))
            .notify(|error, wait| {
                tracing::warn!(%error, retry_in_ms = wait.as_millis() as u64, "ClickHouse not ready");
            })
            .await
    }

    /// A client for statements that must run outside the database (creating it).
    pub fn server_client(config: &ClickHouseConfig) -> Client {
        base_client(config).with_validation(false)
    }
}

fn base_client(config: &ClickHouseConfig) -> Client {
    let client = Client::default()
        .with_url(&config.url)
        .with_user(&config.user)
        .with_password(config.password.expose());
    let client = if config.log_statements {
        client.with_setting("log_queries", "1")
    } else {
        client
    };
    if config.cluster.is_empty() {
        return client;
    }
    // On a cluster:
    // - an insert returns once its rows are on their shards (not queued on the node that
    //   took it), so the sink commits Kafka offsets only after that;
    // - a subquery over a Distributed table inside a query over one (`IN`, `JOIN`) reads
    //   the whole cluster once (`GLOBAL`), as on one node;
    // - each shard is read from its first healthy replica, the one inserts reach first,
    //   so the aggregator reads what was just written (a lagging replica is read only
    //   while the first is down).
    let client = client
        .with_setting("insert_distributed_sync", "1")
        .with_setting("distributed_product_mode", "global")
        .with_setting("load_balancing", "in_order");
    if config.insert_quorum > 1 {
        client.with_setting("insert_quorum", config.insert_quorum.to_string())
    } else {
        client
    }
}

/// Whether a server of this `version()` understands `RowBinaryWithNamesAndTypes`.
pub fn supports_validation(version: &str) -> bool {
    version
        .split('.')
        .next()
        .and_then(|major| major.parse::<u32>().ok())
        .is_some_and(|major| major >= VALIDATION_MIN_MAJOR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_only_on_new_servers() {
        assert!(!supports_validation("18.16.1"));
        assert!(!supports_validation("23.8.2.7"));
        assert!(supports_validation("24.8.4.13"));
        assert!(supports_validation("25.3.1"));
        assert!(!supports_validation("garbage"));
    }
}
