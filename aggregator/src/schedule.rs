//! Runs the aggregator on demand or on a fixed interval.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use civicpulse_core::config::ClickHouseConfig;
use civicpulse_core::Catalog;
use civicpulse_ingest::store::{Store, StoreError};
use tokio_util::sync::CancellationToken;

use crate::sla::evaluate::{run_once, EvaluateError, PolicyRun};

#[derive(Debug, thiserror::Error)]
pub enum AggregateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Evaluate(#[from] EvaluateError),
}

/// One evaluation of every SLA policy, as of `now`.
pub async fn aggregate_once(
    config: &ClickHouseConfig,
    catalog: &Catalog,
    now: DateTime<Utc>,
) -> Result<Vec<PolicyRun>, AggregateError> {
    let store = Store::connect(config).await?;
    Ok(run_once(&store.client, catalog, now).await?)
}

/// Evaluates every `interval` until `stop`; a failed run is logged and retried next time.
pub async fn run_every(
    config: ClickHouseConfig,
    catalog: Arc<Catalog>,
    interval: Duration,
    stop: CancellationToken,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = ticker.tick() => {}
        }
        if let Err(error) = aggregate_once(&config, &catalog, Utc::now()).await {
            tracing::warn!(%error, "aggregation run failed; retrying at the next interval");
        }
    }
}
