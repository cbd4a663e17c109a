//! The quality matrix: for every service one row of quality dimensions, each with an
//! interval, a target, a peer benchmark, the previous period and a status; breakdowns by
//! channel, region and segment; time series; and the evaluation of interventions.
//!
//! The aggregator keeps daily rollups in ClickHouse; `read` turns them into tallies; the
//! rest is pure: `dimensions` (figures and suppression), `stats` (intervals, DiD), `status`,
//! `build` (cells, benchmarks), `intervention`, `timeseries`, `snapshot` (stored cells).
//! The theme family (`theme_shares`) reads comment readings (`crate::themes::read`) instead
//! of a rollup, for whole services.

pub mod build;
pub mod change;
pub mod coverage;
pub mod dimensions;
pub mod intervention;
pub mod read;
pub mod snapshot;
pub mod stats;
pub mod status;
pub mod tally;
pub mod theme_shares;
pub mod timeseries;
pub mod turn;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use civicpulse_core::config::MatrixConfig;
use civicpulse_core::dimension::Dimension;
use civicpulse_core::Catalog;
use civicpulse_store::{MatrixStore, StoreError, Stores};

use crate::period::Period;
use crate::themes::read::{self as themes_read, over_days, Readings};

pub use build::{Cell, Slices};
pub use dimensions::GroupBy;
pub use intervention::{Finding, InterventionRow};
pub use read::{Bucket, RollupQuery};
pub use status::MatrixStatus;
pub use timeseries::Point;

/// The matrix of a period, read from the rollups (the period and the one before it), and
/// for whole services the theme family, read from the comments' readings.
pub async fn compute(
    store: &dyn Stores,
    catalog: &Catalog,
    config: &MatrixConfig,
    period: &Period,
    group_by: GroupBy,
) -> Result<Vec<Cell>, StoreError> {
    let computed_at = chrono::Utc::now();
    // A previous period whose data begin late is no "previous" figure.
    let late = coverage::late_starts(store, period.previous_from, period.previous_to).await?;
    let mut cells =
        compute_rollups(store, catalog, config, period, group_by, &late, computed_at).await?;
    if group_by == GroupBy::Service {
        cells.extend(theme_cells(store, catalog, config, period, &late, computed_at).await?);
    }
    Ok(cells)
}

/// The theme family of whole services in a period (`theme_shares`), its previous period
/// dropped for the services whose data begin `late` in it, as the rollups' is.
pub async fn theme_cells(
    store: &dyn Stores,
    catalog: &Catalog,
    config: &MatrixConfig,
    period: &Period,
    late: &BTreeMap<String, NaiveDate>,
    computed_at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Cell>, StoreError> {
    let current = over_days(store, catalog, None, period.from, period.to).await?;
    let mut previous = over_days(
        store,
        catalog,
        None,
        period.previous_from,
        period.previous_to,
    )
    .await?;
    previous.retain(|service, _| !late.contains_key(service));
    Ok(theme_shares::cells(
        catalog,
        config,
        period,
        &current,
        &previous,
        computed_at,
    ))
}

async fn compute_rollups(
    store: &dyn MatrixStore,
    catalog: &Catalog,
    config: &MatrixConfig,
    period: &Period,
    group_by: GroupBy,
    late: &BTreeMap<String, NaiveDate>,
    computed_at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Cell>, StoreError> {
    let read = |from, to| RollupQuery {
        from,
        to,
        group_by,
        bucket: Bucket::Whole,
        services: None,
    };
    let current = read(period.from, period.to).read_slices(store).await?;
    let mut previous = read(period.previous_from, period.previous_to)
        .read_slices(store)
        .await?;
    coverage::drop_late(&mut previous, late);
    Ok(build::build(
        catalog,
        config,
        period,
        group_by,
        &current,
        &previous,
        computed_at,
    ))
}

/// One dimension over time for some services (None: all).
pub async fn timeseries(
    store: &dyn MatrixStore,
    config: &MatrixConfig,
    dimension: Dimension,
    services: Option<&[String]>,
    from: NaiveDate,
    to: NaiveDate,
    bucket: Bucket,
) -> Result<Vec<Point>, StoreError> {
    let buckets = RollupQuery {
        from,
        to,
        group_by: GroupBy::Service,
        bucket,
        services,
    }
    .read(store)
    .await?;
    Ok(timeseries::points(
        &buckets,
        dimension,
        config.min_responses,
    ))
}

/// Every catalog intervention evaluated as of `today` (a local date): each dimension, then
/// the share of comments about each theme, over the same windows and peers.
pub async fn interventions(
    store: &dyn Stores,
    catalog: &Catalog,
    config: &MatrixConfig,
    today: NaiveDate,
) -> Result<Vec<InterventionRow>, StoreError> {
    let mut rows = Vec::new();
    for intervention in &catalog.interventions {
        let Some(windows) = intervention::Windows::around(
            intervention.date,
            today,
            u64::from(config.intervention_window_days),
        ) else {
            rows.extend(intervention::too_early(
                intervention,
                &catalog.themes,
                today,
            ));
            continue;
        };
        let peers = intervention::peers(catalog, intervention, &windows);
        let mut services = peers.clone();
        services.push(intervention.service_id.clone());
        let read = |from, to| RollupQuery {
            from,
            to,
            group_by: GroupBy::Service,
            bucket: Bucket::Whole,
            services: Some(&services),
        };
        let before = read(windows.before_from, windows.date)
            .read_slices(store)
            .await?;
        let after = read(windows.date, windows.after_to)
            .read_slices(store)
            .await?;
        let treated = |slices: &Slices| {
            slices
                .get(&(
                    intervention.service_id.clone(),
                    build::WHOLE_SERVICE.to_string(),
                ))
                .cloned()
                .unwrap_or_default()
        };
        let pooled = |slices: &Slices| {
            let mut pooled = tally::Tally::default();
            for peer in &peers {
                if let Some(tally) = slices.get(&(peer.clone(), build::WHOLE_SERVICE.to_string())) {
                    pooled += tally;
                }
            }
            pooled
        };
        let (treated_before, treated_after) = (treated(&before), treated(&after));
        let (peers_before, peers_after) = (pooled(&before), pooled(&after));
        rows.extend(intervention::evaluate(
            intervention,
            &windows,
            &intervention::Observed {
                treated_before: &treated_before,
                treated_after: &treated_after,
                peers: &peers,
                peers_before: &peers_before,
                peers_after: &peers_after,
            },
            config.min_responses,
        ));

        let comments = |from, to| over_days(store, catalog, Some(&services), from, to);
        let before = comments(windows.before_from, windows.date).await?;
        let after = comments(windows.date, windows.after_to).await?;
        let pooled = |by_service: &themes_read::ByService| {
            let mut pooled = Readings::default();
            for peer in &peers {
                if let Some(readings) = by_service.get(peer) {
                    pooled.pool(readings);
                }
            }
            pooled
        };
        let (peers_before, peers_after) = (pooled(&before), pooled(&after));
        rows.extend(intervention::evaluate_themes(
            intervention,
            &catalog.themes,
            &windows,
            &intervention::ObservedComments {
                treated_before: before.get(&intervention.service_id),
                treated_after: after.get(&intervention.service_id),
                peers: &peers,
                peers_before: &peers_before,
                peers_after: &peers_after,
            },
            config.min_responses,
        ));
    }
    Ok(rows)
}
