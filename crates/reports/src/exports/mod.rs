//! Open data in the formats governments already publish, so a department can hand the
//! files on unchanged: Canada's GC Service Inventory `service-std`, the US OMB A-11 §280
//! quarterly CX summary, and the GOV.UK Service Standard KPIs. Every figure comes from the
//! code behind the matrix and SLA APIs (or, for answer counts per point, from the same
//! deduplicated responses the rollups read).

pub mod fiscal;
pub mod gc_service_std;
pub mod govuk_kpis;
pub mod omb_a11;

use civicpulse_analytics::matrix::{self, GroupBy, RollupQuery};
use civicpulse_analytics::sla::summary;
use civicpulse_core::calendar::local_midnight;
use civicpulse_core::config::MatrixConfig;
use civicpulse_core::dimension::Question;
use civicpulse_core::{Catalog, Service};
use civicpulse_store::local_days::LocalDays;
use civicpulse_store::tables::{feedback, offered};
use clickhouse::Client;

/// An export format, by the name the CLI and the API take.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::EnumIter,
)]
#[strum(serialize_all = "kebab-case")]
pub enum Format {
    /// `service-std` CSV; the period is a Canadian fiscal year, `2025-2026`.
    GcServiceStd,
    /// A-11 CX summary CSV; the period is a US fiscal quarter, `FY2027-Q1`.
    OmbA11,
    /// GOV.UK KPI records (JSON); the period is `2026-10`, `2026-Q3` or `FROM..TO`.
    GovukKpis,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("--period: {0}")]
    Period(String),
    #[error("catalog: {0}")]
    Catalog(String),
    #[error("ClickHouse: {0}")]
    ClickHouse(#[from] clickhouse::error::Error),
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// One export, ready to write or serve.
#[derive(Debug)]
pub struct Export {
    pub file_name: String,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// What the format could not include, and why (e.g. standards not published).
    pub left_out: Vec<String>,
}

const BOM: &str = "\u{feff}";

/// Whether `period` is a period `format` takes (before any database is asked).
pub fn check_period(format: Format, period: &str) -> Result<(), String> {
    match format {
        Format::GcServiceStd => fiscal::canada_year(period).map(drop),
        Format::OmbA11 => fiscal::us_quarter(period).map(drop),
        Format::GovukKpis => crate::period::parse(period).map(drop),
    }
}

/// The export of `format` for `period` and `services` (empty: all).
pub async fn export(
    client: &Client,
    catalog: &Catalog,
    config: &MatrixConfig,
    format: Format,
    period: &str,
    services: &[String],
) -> Result<Export, ExportError> {
    let wanted: Vec<&Service> = catalog
        .services
        .iter()
        .filter(|s| services.is_empty() || services.contains(&s.id))
        .collect();
    match format {
        Format::GcServiceStd => gc(client, catalog, period, &wanted).await,
        Format::OmbA11 => a11(client, period, &wanted).await,
        Format::GovukKpis => govuk(client, catalog, config, period, &wanted).await,
    }
}

async fn gc(
    client: &Client,
    catalog: &Catalog,
    period: &str,
    wanted: &[&Service],
) -> Result<Export, ExportError> {
    let year = fiscal::canada_year(period).map_err(ExportError::Period)?;
    let zone = catalog.reporting_zone();
    let summaries: Vec<_> = summary::summarize_window(
        client,
        catalog,
        None,
        local_midnight(year.from, zone),
        local_midnight(year.to, zone),
    )
    .await?
    .into_iter()
    .filter(|p| wanted.iter().any(|s| s.id == p.service_id))
    .collect();
    let mut left_out = Vec::new();
    let rows = gc_service_std::rows(catalog, &year, &summaries, &mut left_out)?;
    let left_out = left_out
        .into_iter()
        .map(|s| format!("{s}: no [services.sla.published] in the catalog"))
        .collect();
    Ok(Export {
        file_name: format!("service-std-{}.csv", year.label),
        content_type: "text/csv; charset=utf-8",
        body: csv_with(Some(BOM), &gc_service_std::COLUMNS, &rows)?,
        left_out,
    })
}

async fn a11(client: &Client, period: &str, wanted: &[&Service]) -> Result<Export, ExportError> {
    let quarter = fiscal::us_quarter(period).map_err(ExportError::Period)?;
    let mut rows = Vec::new();
    for service in wanted {
        let days = local_days(service, quarter.from, quarter.to);
        let volumes = offered::volumes(client, &days).await?;
        let answers = feedback::answer_counts(client, &days).await?;
        rows.extend(omb_a11::rows(service, &quarter, &volumes, &answers));
    }
    let columns = omb_a11::columns();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    Ok(Export {
        file_name: format!("a11-cx-{}.csv", quarter.label),
        content_type: "text/csv; charset=utf-8",
        body: csv_with(None, &columns, &rows)?,
        left_out: Vec::new(),
    })
}

async fn govuk(
    client: &Client,
    catalog: &Catalog,
    config: &MatrixConfig,
    period: &str,
    wanted: &[&Service],
) -> Result<Export, ExportError> {
    let period = crate::period::parse(period).map_err(ExportError::Period)?;
    let cells = matrix::compute(client, catalog, config, &period, GroupBy::Service).await?;
    let slices = RollupQuery {
        from: period.from,
        to: period.to,
        group_by: GroupBy::Service,
        bucket: matrix::Bucket::Whole,
        services: None,
    }
    .read_slices(client)
    .await?;
    let mut records = Vec::new();
    for service in wanted {
        let answers =
            feedback::answer_counts(client, &local_days(service, period.from, period.to)).await?;
        let mut points = [0u64; 5];
        let satisfaction = Question::ALL
            .iter()
            .position(|q| *q == Question::Satisfaction)
            .expect("satisfaction is an A-11 item");
        for counts in &answers {
            for (p, total) in points.iter_mut().enumerate() {
                *total += counts
                    .points
                    .get(satisfaction * 5 + p)
                    .copied()
                    .unwrap_or(0);
            }
        }
        let own: Vec<&matrix::Cell> = cells
            .iter()
            .filter(|c| c.service_id == service.id)
            .collect();
        let digital = slices
            .get(&(service.id.clone(), matrix::build::WHOLE_SERVICE.to_string()))
            .map_or(0, |t| t.digital_transactions);
        let start = period.from.to_string();
        records.push(govuk_kpis::record(&govuk_kpis::Inputs {
            period_label: &period.label,
            period_start: &start,
            service_id: &service.id,
            cells: &own,
            digital_transactions: digital,
            satisfaction_points: points,
            cost: service
                .cost(period.from, period.to)
                .map(|(amount, _)| amount),
        }));
    }
    let body = serde_json::to_vec_pretty(&records).expect("records serialize");
    Ok(Export {
        file_name: format!("govuk-kpis-{}.json", period.label.replace("..", "_")),
        content_type: "application/json",
        body,
        left_out: Vec::new(),
    })
}

fn local_days(service: &Service, from: chrono::NaiveDate, to: chrono::NaiveDate) -> LocalDays<'_> {
    LocalDays {
        service_id: &service.id,
        zone: service.time_zone,
        from,
        to,
    }
}

fn csv_with(
    prefix: Option<&str>,
    columns: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, ExportError> {
    let mut body = prefix.unwrap_or_default().as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut body);
        writer.write_record(columns)?;
        for row in rows {
            writer.write_record(row)?;
        }
        writer.flush().map_err(csv::Error::from)?;
    }
    Ok(body)
}
