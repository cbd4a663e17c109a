//! One report's figures from the configuration: the period's local window, what the
//! pipeline looked like at generation time, and the matrix, SLA and trends.

use civicpulse_analytics::period::Period;
use civicpulse_core::calendar::local_midnight;
use civicpulse_core::config::Config;
use civicpulse_core::Catalog;
use civicpulse_store::Stores;

use crate::{freshness, Figures, FiguresError};

/// The figures of `period` for `services` (empty: all), with the freshness read from
/// ClickHouse and the configured Prometheus.
pub async fn figures(
    store: &dyn Stores,
    catalog: &Catalog,
    config: &Config,
    period: &Period,
    services: &[String],
) -> Result<Figures, FiguresError> {
    let zone = catalog.reporting_zone();
    let observed = freshness::observe(
        store,
        config.reports.prometheus_url.as_deref(),
        local_midnight(period.from, zone),
        local_midnight(period.to, zone),
    )
    .await?;
    Figures::gather(store, catalog, &config.matrix, period, services, observed).await
}
