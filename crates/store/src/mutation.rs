//! Changing stored rows in place — dropping a month, deleting a case's rows — on one node
//! or on every replica of a cluster, and waiting until it is done.
//!
//! On a cluster each statement goes to the local replicated tables (`<table>_local ON
//! CLUSTER <alter_cluster>`, one replica per shard, as the migrations' `ALTER`s do; see
//! `ClickHouseConfig::alter_cluster`): a dropped partition and a delete are replicated to
//! the shard's other replicas through ZooKeeper. A `Distributed` table cannot be altered.
//!
//! `ALTER … DELETE` is asynchronous on every version (18.16 has no `mutations_sync`): it
//! returns once the mutation is queued. [`Mutator::delete_where`] waits until
//! `system.mutations` reports it done — on a cluster on the replica of each shard readers
//! read (the client's `load_balancing = in_order`, which the `cluster()` table function
//! follows too) — so "erased" means no reader can see the rows any more.

use std::time::Duration;

use civicpulse_core::config::ClickHouseConfig;
use clickhouse::Client;

use crate::tables::Table;
use crate::StoreError;

/// How often a pending mutation is looked at, and for how long at most.
const POLL: Duration = Duration::from_millis(200);
const WAIT_AT_MOST: Duration = Duration::from_secs(600);

/// Where in-place changes go: the tables themselves on one node, each shard's local table
/// on a cluster.
#[derive(Clone)]
pub struct Mutator {
    client: Client,
    cluster: Option<OnCluster>,
}

#[derive(Clone)]
struct OnCluster {
    cluster: String,
    alter_cluster: String,
    database: String,
}

impl Mutator {
    /// `client` is connected to `config`'s database.
    pub fn new(client: Client, config: &ClickHouseConfig) -> Self {
        let cluster = (!config.cluster.is_empty()).then(|| OnCluster {
            cluster: config.cluster.clone(),
            alter_cluster: if config.alter_cluster.is_empty() {
                config.cluster.clone()
            } else {
                config.alter_cluster.clone()
            },
            database: config.database.clone(),
        });
        Mutator { client, cluster }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// `ALTER TABLE …` up to the change, for `table`.
    pub fn alter(&self, table: &Table) -> String {
        match &self.cluster {
            None => format!("ALTER TABLE {}", table.name),
            Some(c) => format!(
                "ALTER TABLE {}.{}_local ON CLUSTER {}",
                c.database, table.name, c.alter_cluster
            ),
        }
    }

    /// Drops a monthly partition (`YYYYMM`) of `table`; a month with no rows is no error.
    pub async fn drop_month(&self, table: &Table, month: u32) -> Result<(), StoreError> {
        let sql = format!("{} DROP PARTITION {month}", self.alter(table));
        self.client.query(&sql).execute().await?;
        tracing::info!(table = table.name, month, "partition dropped");
        Ok(())
    }

    /// Deletes the rows of `table` matching `condition` (its `?` bound to `binds`, as
    /// strings) and waits until no reader sees them.
    pub async fn delete_where(
        &self,
        table: &Table,
        condition: &str,
        binds: &[String],
    ) -> Result<(), StoreError> {
        let sql = format!("{} DELETE WHERE {condition}", self.alter(table));
        let mut query = self.client.query(&sql);
        for bind in binds {
            query = query.bind(bind);
        }
        query.execute().await?;
        self.wait_for_mutations(table).await
    }

    /// Waits until every mutation of `table` is done.
    pub async fn wait_for_mutations(&self, table: &Table) -> Result<(), StoreError> {
        let sql = match &self.cluster {
            None => format!(
                "SELECT toUInt64(count()) FROM system.mutations \
                 WHERE database = currentDatabase() AND table = '{}' AND is_done = 0",
                table.name
            ),
            Some(c) => format!(
                "SELECT toUInt64(count()) FROM cluster('{}', system, mutations) \
                 WHERE database = '{}' AND table = '{}_local' AND is_done = 0",
                c.cluster, c.database, table.name
            ),
        };
        let started = std::time::Instant::now();
        loop {
            let pending: u64 = self.client.query(&sql).fetch_one().await?;
            if pending == 0 {
                return Ok(());
            }
            if started.elapsed() > WAIT_AT_MOST {
                return Err(StoreError::Unavailable(format!(
                    "{pending} mutation(s) of `{}` still not done after {} s (see system.mutations)",
                    table.name,
                    WAIT_AT_MOST.as_secs()
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::feedback;

    #[test]
    fn on_a_cluster_changes_go_to_each_shard_s_local_table() {
        let one = Mutator::new(Client::default(), &ClickHouseConfig::default());
        assert_eq!(
            one.alter(&feedback::TABLE),
            format!("ALTER TABLE {}", feedback::NAME)
        );
        let config = ClickHouseConfig {
            cluster: "civicpulse".into(),
            alter_cluster: "civicpulse_alter".into(),
            database: "cp".into(),
            ..ClickHouseConfig::default()
        };
        let cluster = Mutator::new(Client::default(), &config);
        assert_eq!(
            cluster.alter(&feedback::TABLE),
            "ALTER TABLE cp.feedback_local ON CLUSTER civicpulse_alter"
        );
    }
}
