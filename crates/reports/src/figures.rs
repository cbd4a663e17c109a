//! The numbers of one report: the quality matrix of the period (whole services) and how
//! each service standard was kept for cases closed in it. Both come from the code that
//! answers `/api/v1/matrix` and `/api/v1/sla/summary`.

use chrono::{DateTime, SecondsFormat, Utc};
use civicpulse_aggregator::matrix::{self, Cell, GroupBy, Period};
use civicpulse_aggregator::sla::summary::{self, PolicySummary};
use civicpulse_core::calendar::local_midnight;
use civicpulse_core::config::MatrixConfig;
use civicpulse_core::Catalog;
use clickhouse::Client;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum FiguresError {
    #[error("ClickHouse: {0}")]
    ClickHouse(#[from] clickhouse::error::Error),
    #[error("unknown service `{0}`")]
    UnknownService(String),
}

/// A service as the report names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceNamed {
    pub id: String,
    pub name: String,
    pub category: String,
}

/// When cases count as closed in the period: local midnights of its first day and of the
/// day after its last, in the deployment's zone (the first catalog service's, as periods
/// are everywhere).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaWindow {
    pub from: String,
    pub to: String,
}

/// Everything a report shows, as of `generated_at`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub period: String,
    pub period_from: String,
    pub period_to: String,
    pub generated_at: String,
    pub services: Vec<ServiceNamed>,
    pub sla_window: SlaWindow,
    pub matrix: Vec<Cell>,
    pub sla: Vec<PolicySummary>,
}

impl Figures {
    /// Gathers the figures of `period` for `services` (empty: every catalog service).
    pub async fn gather(
        client: &Client,
        catalog: &Catalog,
        config: &MatrixConfig,
        period: &Period,
        services: &[String],
    ) -> Result<Figures, FiguresError> {
        for id in services {
            if catalog.service(id).is_none() {
                return Err(FiguresError::UnknownService(id.clone()));
            }
        }
        let wanted = |id: &str| services.is_empty() || services.iter().any(|s| s == id);
        let cells = matrix::compute(client, catalog, config, period, GroupBy::Service).await?;
        let zone = catalog
            .services
            .first()
            .map_or(chrono_tz::UTC, |s| s.time_zone);
        let (from, to) = (
            local_midnight(period.from, zone),
            local_midnight(period.to, zone),
        );
        let sla = summary::summarize_window(client, catalog, None, from, to).await?;
        let instant = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
        Ok(Figures {
            period: period.label.clone(),
            period_from: period.from.to_string(),
            period_to: period.to.to_string(),
            generated_at: instant(Utc::now()),
            services: catalog
                .services
                .iter()
                .filter(|s| wanted(&s.id))
                .map(|s| ServiceNamed {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    category: s.category.clone(),
                })
                .collect(),
            sla_window: SlaWindow {
                from: instant(from),
                to: instant(to),
            },
            matrix: cells
                .into_iter()
                .filter(|c| wanted(&c.service_id))
                .collect(),
            sla: sla.into_iter().filter(|p| wanted(&p.service_id)).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn a_period_starts_at_local_midnight() {
        let day: NaiveDate = "2026-10-01".parse().unwrap();
        let toronto = local_midnight(day, chrono_tz::America::Toronto);
        assert_eq!(toronto.to_rfc3339(), "2026-10-01T04:00:00+00:00");
        assert_eq!(
            local_midnight(day, chrono_tz::UTC).to_rfc3339(),
            "2026-10-01T00:00:00+00:00"
        );
    }
}
