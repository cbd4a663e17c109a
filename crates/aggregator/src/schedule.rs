//! Runs the aggregator on demand or on a fixed interval, in two steps. The figures: the
//! re-sent events' versions first (every later part reads only the counting ones), then SLA
//! evaluation (the matrix links responses to closed cases), then the matrix rollups, then
//! the period snapshots; each part stops the figures when it fails. Then the comments no
//! reading of the themes model covers are read (`themes`), whatever the figures did. Then
//! retention, which
//! runs whatever the figures did, since data must leave on time even while a rollup fails
//! (and last, so a failing drop still leaves the figures fresh). Either step failing fails
//! the run, so it is seen.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use civicpulse_analytics::themes::Model;
use civicpulse_core::calendar::local_date;
use civicpulse_core::config::{ClickHouseConfig, MatrixConfig, RetentionConfig};
use civicpulse_core::retention::{first_recomputable_day, kept_from};
use civicpulse_core::Catalog;
use civicpulse_store::checkpoint::server_clock;
use civicpulse_store::mutation::Mutator;
use civicpulse_store::retention::KindState;
use civicpulse_store::{Store, StoreError};
use tokio_util::sync::CancellationToken;

use crate::matrix::rollup::{refresh_all, RollupError, RollupRun};
use crate::matrix::snapshot::{has_month_snapshot, store_snapshots};
use crate::sla::evaluate::{run_once, EvaluateError, PolicyRun};
use crate::supersede;

#[derive(Debug, thiserror::Error)]
pub enum AggregateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Evaluate(#[from] EvaluateError),
    #[error("matrix rollups: {0}")]
    Rollup(#[from] RollupError),
    #[error("matrix snapshots: {0}")]
    Snapshot(StoreError),
    #[error("deciding re-sent events: {0}")]
    Supersede(clickhouse::error::Error),
    #[error("retention: {0}")]
    Retention(StoreError),
    #[error("reading comments for themes: {0}")]
    Themes(clickhouse::error::Error),
}

/// What one aggregation run did.
#[derive(Debug, Clone, PartialEq)]
pub struct AggregateReport {
    pub sla: Vec<PolicyRun>,
    pub rollups: Vec<RollupRun>,
    pub snapshot_cells: usize,
    /// Comments the themes model read this run.
    pub comments_read: usize,
    pub retention: Vec<KindState>,
}

/// What the figures step computed: SLA runs, rollups, snapshot cells.
type Figures = (Vec<PolicyRun>, Vec<RollupRun>, usize);

/// One aggregation as of `now`: the figures, then retention even if the figures failed.
/// The run's error is the figures' when both fail (retention's is logged by its step).
pub async fn aggregate_once(
    config: &ClickHouseConfig,
    matrix: &MatrixConfig,
    retention: &RetentionConfig,
    catalog: &Catalog,
    model: &Model,
    now: DateTime<Utc>,
) -> Result<AggregateReport, AggregateError> {
    let store = Store::connect(config).await?;
    let figures = figures(&store, matrix, retention, catalog, now).await;
    if let Err(error) = &figures {
        tracing::warn!(%error, "figures not computed; applying retention all the same");
    }
    // Comments are read for themes whatever the figures did: they read no figure.
    let read = crate::themes::read_unread(&store.client, model).await;
    if let Err(error) = &read {
        tracing::warn!(%error, "comments not read for themes");
    }
    let mutator = Mutator::new(store.client.clone(), config);
    let retained = crate::retention::apply_all(&mutator, retention).await;
    let (sla, rollups, snapshot_cells) = figures?;
    let comments_read = read.map_err(AggregateError::Themes)?;
    let retention = retained.map_err(AggregateError::Retention)?;
    Ok(AggregateReport {
        sla,
        rollups,
        snapshot_cells,
        comments_read,
        retention,
    })
}

/// The figures step: versions, SLA, rollups, snapshots, each needing the one before.
async fn figures(
    store: &Store,
    matrix: &MatrixConfig,
    retention: &RetentionConfig,
    catalog: &Catalog,
    now: DateTime<Utc>,
) -> Result<Figures, AggregateError> {
    // Which days may be recomputed follows the database's clock, never `now` (which
    // `--as-of` may move), as retention does.
    let database_now = server_clock(&store.client)
        .await
        .map_err(StoreError::from)?;
    let database_now = DateTime::from_timestamp(i64::from(database_now), 0).unwrap_or_default();
    let raw_kept_from = kept_from(database_now, retention.raw_events_days);
    let first_day = first_recomputable_day(database_now, retention.raw_events_days);
    // First: which version of each re-sent event counts, since everything below reads it.
    supersede::refresh(&store.client)
        .await
        .map_err(AggregateError::Supersede)?;
    let sla = run_once(&store.client, catalog, now, raw_kept_from).await?;
    if sla.iter().any(|run| run.evaluated_cases > 0) {
        // The rollups re-read whatever was written in the second their run starts (their
        // watermark is ClickHouse's clock, to the second). Let the second of these SLA
        // writes pass, so the next run does not recompute the same days again.
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    }
    let rollups = refresh_all(&store.client, catalog, first_day).await?;
    // Periods are calendar months and quarters of the reporting time zone.
    let today = local_date(now, catalog.reporting_zone());
    // Snapshots change only when a rollup did, or when the date moves into a new period.
    let changed = rollups.iter().any(|r| r.days_refreshed > 0);
    let snapshotted = has_month_snapshot(&store.client, today)
        .await
        .map_err(|e| AggregateError::Snapshot(e.into()))?;
    let snapshot_cells = if changed || !snapshotted {
        store_snapshots(&store.client, catalog, matrix, today)
            .await
            .map_err(AggregateError::Snapshot)?
    } else {
        0
    };
    Ok((sla, rollups, snapshot_cells))
}

/// Aggregates every `interval` until `stop`; a failed run is logged and retried next time.
pub async fn run_every(
    config: ClickHouseConfig,
    matrix: MatrixConfig,
    retention: RetentionConfig,
    catalog: Arc<Catalog>,
    model: Model,
    interval: Duration,
    stop: CancellationToken,
) {
    crate::metrics::register_all();
    crate::metrics::record_retention_limits(&retention);
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = ticker.tick() => {}
        }
        let started = std::time::Instant::now();
        let outcome =
            aggregate_once(&config, &matrix, &retention, &catalog, &model, Utc::now()).await;
        let seconds = started.elapsed().as_secs_f64();
        crate::metrics::record_run(seconds, outcome.is_ok(), Utc::now().timestamp());
        match outcome {
            Ok(_) => tracing::info!(seconds, "aggregation run finished"),
            Err(error) => {
                tracing::warn!(%error, seconds, "aggregation run failed; retrying at the next interval")
            }
        }
    }
}
