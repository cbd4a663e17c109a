//! Keeps the daily rollups (`matrix_*_daily`, see migration 0003) up to date.
//!
//! Per service and rollup, each run finds the local days that changed since the last run — raw rows
//! inserted since the watermark (ClickHouse's own `inserted_at`), and closed SLA cases
//! written since — and recomputes those whole days from the deduplicated raw tables with
//! `INSERT … SELECT` inside ClickHouse (no raw row crosses the network). Keys of a day that
//! no longer occur are overwritten with zeros. A service whose inputs (time zone, standard)
//! changed is rebuilt from all its days. The statements are the rollup tables' own, in
//! `civicpulse_store::tables`.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Utc};
use civicpulse_core::event::Channel;
use civicpulse_core::{Catalog, Service};
use civicpulse_store::checkpoint;
use civicpulse_store::days::DaySlice;
use civicpulse_store::tables::matrix_runs::{self, MatrixRunRow};
use civicpulse_store::tables::{matrix_activity_daily, matrix_feedback_daily, matrix_sla_daily};
use clickhouse::Client;

#[derive(Debug, thiserror::Error)]
pub enum RollupError {
    #[error("ClickHouse: {0}")]
    ClickHouse(#[from] clickhouse::error::Error),
}

/// What one run did for one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupRun {
    pub service_id: String,
    pub full: bool,
    pub days_refreshed: u64,
}

/// Services refreshed at once. A service's refresh is a handful of statements over a few
/// days, each costing ClickHouse more in planning and joined lookups than in rows, so
/// several in flight keep the server's cores busy; each service's checkpoint is its own.
const SERVICES_IN_FLIGHT: usize = 4;

/// Refreshes the rollups of every catalog service; the runs in catalog order. Days before
/// `first_day` are never recomputed: their raw rows may be gone to retention, and their
/// rollups keep the figures computed while the rows were there.
pub async fn refresh_all(
    client: &Client,
    catalog: &Catalog,
    first_day: NaiveDate,
) -> Result<Vec<RollupRun>, RollupError> {
    let mut runs = Vec::with_capacity(catalog.services.len());
    for services in catalog.services.chunks(SERVICES_IN_FLIGHT) {
        let refreshes = services
            .iter()
            .map(|service| refresh_service(client, service, first_day));
        runs.extend(futures::future::try_join_all(refreshes).await?);
    }
    Ok(runs)
}

/// Everything a service's rollups depend on besides raw rows.
fn fingerprint(service: &Service) -> String {
    let digital: Vec<&str> = Channel::ALL
        .iter()
        .filter(|c| c.is_digital())
        .map(|c| c.as_str())
        .collect();
    let inputs = serde_json::json!({
        "time_zone": service.time_zone.name(),
        "policy": service.sla.first().map(|p| &p.id),
        "digital": digital,
        "rollup_version": 1,
    });
    checkpoint::fingerprint(&inputs)
}

pub async fn refresh_service(
    client: &Client,
    service: &Service,
    first_day: NaiveDate,
) -> Result<RollupRun, RollupError> {
    // Recomputing a day twice gives the same rollup, so re-reading the rows of the
    // checkpoint's second misses nothing and counts nothing twice.
    let checkpoint = matrix_runs::checkpoint(client, &service.id, fingerprint(service)).await?;
    let since = checkpoint.since_or_start();
    let changed = matrix_runs::changed_days(client, service, since, first_day).await?;
    let version = Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64;
    let slice = |days| DaySlice {
        service,
        days,
        version,
    };
    if !changed.feedback.is_empty() {
        matrix_feedback_daily::refresh(client, &slice(&changed.feedback)).await?;
    }
    if !changed.activity.is_empty() {
        matrix_activity_daily::refresh(client, &slice(&changed.activity)).await?;
    }
    if !changed.sla.is_empty() {
        matrix_sla_daily::refresh(client, &slice(&changed.sla)).await?;
    }
    let days: BTreeSet<&String> = changed
        .feedback
        .iter()
        .chain(&changed.activity)
        .chain(&changed.sla)
        .collect();
    matrix_runs::record(
        client,
        &MatrixRunRow {
            service_id: service.id.clone(),
            watermark: checkpoint.watermark(),
            fingerprint: checkpoint.fingerprint,
            days_refreshed: days.len() as u64,
            finished_at: Utc::now(),
        },
    )
    .await?;
    tracing::info!(service = %service.id, full = since == 0, days = days.len(), "matrix rollups refreshed");
    Ok(RollupRun {
        service_id: service.id.clone(),
        full: since == 0,
        days_refreshed: days.len() as u64,
    })
}
