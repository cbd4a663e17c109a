//! Open data in the formats governments already publish, so a department can hand the
//! files on unchanged: Canada's GC Service Inventory `service-std`, the US OMB A-11 §280
//! quarterly CX summary, and the GOV.UK Service Standard KPIs. Every figure comes from the
//! code behind the matrix and SLA APIs (or, for answer counts per point, from the same
//! deduplicated responses the rollups read).

pub mod gc_service_std;
pub mod govuk_kpis;
pub mod omb_a11;

use chrono::{DateTime, Utc};
use civicpulse_analytics::matrix::{self, GroupBy, RollupQuery};
use civicpulse_analytics::period::{Label, Period, PeriodError};
use civicpulse_analytics::sla::summary;
use civicpulse_core::calendar::local_midnight;
use civicpulse_core::config::MatrixConfig;
use civicpulse_core::dimension::Question;
use civicpulse_core::fiscal_year::FiscalYearStart;
use civicpulse_core::{Catalog, Service};
use civicpulse_store::days::LocalDays;
use civicpulse_store::{StoreError, Stores};

/// An export format, by the name the CLI and the API take.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::EnumIter,
)]
#[strum(serialize_all = "kebab-case")]
pub enum ExportFormat {
    /// `service-std` CSV; the period is a Canadian fiscal year, `2025-2026`.
    GcServiceStd,
    /// A-11 CX summary CSV; the period is a US fiscal quarter, `FY2027-Q1`.
    OmbA11,
    /// GOV.UK KPI records (JSON); the period is `2026-10`, `2026-Q3` or `FROM..TO`.
    GovukKpis,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("--period: {0}")]
    Period(#[from] PeriodError),
    #[error("catalog: {0}")]
    Catalog(String),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
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

/// The period `text` names for `format`. The government formats are defined on their
/// government's fiscal year, whatever the deployment's: GC `service-std` on Canada's (April
/// start, `fiscal_yr` written `2025-2026`), A-11 on the US federal year (October start,
/// `FY2027-Q1`); GOV.UK KPIs take any period, fiscal ones by the deployment's start.
pub fn period(catalog: &Catalog, format: ExportFormat, text: &str) -> Result<Period, PeriodError> {
    match format {
        ExportFormat::GcServiceStd => Period::parse_kind(
            text,
            FiscalYearStart::APRIL,
            |label| matches!(label, Label::FiscalYear { .. }),
            "a Canadian fiscal year (e.g. 2025-2026)",
        ),
        ExportFormat::OmbA11 => Period::parse_kind(
            text,
            FiscalYearStart::OCTOBER,
            |label| matches!(label, Label::FiscalQuarter { .. }),
            "a US federal fiscal quarter (e.g. FY2027-Q1)",
        ),
        ExportFormat::GovukKpis => Period::parse_kind(
            text,
            catalog.fiscal_year_start(),
            |label| govuk_kpis::platform_period(label).is_some(),
            govuk_kpis::PERIODS,
        ),
    }
}

/// The export of `format` for `period` and `services` (empty: all), as of now.
pub async fn export(
    store: &dyn Stores,
    catalog: &Catalog,
    config: &MatrixConfig,
    format: ExportFormat,
    period: &str,
    services: &[String],
) -> Result<Export, ExportError> {
    export_at(store, catalog, config, format, period, services, Utc::now()).await
}

/// [`export`] as of `now`: a GC fiscal year still running at `now` is flagged, and one
/// not begun has no figures.
pub async fn export_at(
    store: &dyn Stores,
    catalog: &Catalog,
    config: &MatrixConfig,
    format: ExportFormat,
    period: &str,
    services: &[String],
    now: DateTime<Utc>,
) -> Result<Export, ExportError> {
    let wanted: Vec<&Service> = catalog
        .services
        .iter()
        .filter(|s| services.is_empty() || services.contains(&s.id))
        .collect();
    match format {
        ExportFormat::GcServiceStd => gc(store, catalog, period, &wanted, now).await,
        ExportFormat::OmbA11 => a11(store, catalog, period, &wanted).await,
        ExportFormat::GovukKpis => govuk(store, catalog, config, period, &wanted).await,
    }
}

/// One row per published standard of the wanted services, in the portal's key order
/// (service, standard). A year's volumes are known when a case of the standard closed in
/// it or was open at its end (or now, for a year in progress); otherwise the pipeline
/// holds nothing on that year and the volumes are blank ("no information"), never 0.
async fn gc(
    store: &dyn Stores,
    catalog: &Catalog,
    period: &str,
    wanted: &[&Service],
    now: DateTime<Utc>,
) -> Result<Export, ExportError> {
    let period = self::period(catalog, ExportFormat::GcServiceStd, period)?;
    let year = period
        .fiscal_year(FiscalYearStart::APRIL)
        .expect("a fiscal year was asked for");
    let zone = catalog.reporting_zone();
    let (from, to) = (
        local_midnight(period.from, zone),
        local_midnight(period.to, zone),
    );
    let state = if now < from {
        gc_service_std::YearState::NotStarted
    } else if now < to {
        gc_service_std::YearState::InProgress {
            today: now.with_timezone(&zone).date_naive(),
        }
    } else {
        gc_service_std::YearState::Over
    };
    let summaries = summary::summarize_window(store, catalog, None, from, to).await?;
    let mut left_out = Vec::new();
    let mut rows = Vec::new();
    for service in wanted {
        for policy in &service.sla {
            let Some(published) = &policy.published else {
                left_out.push(format!(
                    "{}/{}: no [services.sla.published] in the catalog",
                    service.id, policy.id
                ));
                continue;
            };
            let summary = summaries
                .iter()
                .find(|s| s.service_id == service.id && s.policy == policy.id);
            let closed = summary.map_or(0, |s| s.closed);
            let known = match state {
                gc_service_std::YearState::NotStarted => false,
                _ => {
                    closed > 0
                        || !store
                            .open_at(&service.id, &policy.id, to.min(now))
                            .await?
                            .is_empty()
                }
            };
            let volumes = known.then(|| gc_service_std::Volumes {
                met: summary.map_or(0, |s| s.met),
                total: closed,
            });
            rows.push(gc_service_std::row(
                year,
                state,
                &gc_service_std::Standard {
                    service,
                    policy,
                    published,
                    volumes,
                },
            )?);
        }
    }
    // `service_id` and `service_standard_id`: the dataset's key after the year.
    rows.sort_by(|a, b| (&a[1], &a[4]).cmp(&(&b[1], &b[4])));
    Ok(Export {
        file_name: format!("service-std-{year}.csv"),
        content_type: "text/csv; charset=utf-8",
        body: csv_with(Some(BOM), &gc_service_std::COLUMNS, &rows)?,
        left_out,
    })
}

async fn a11(
    store: &dyn Stores,
    catalog: &Catalog,
    period: &str,
    wanted: &[&Service],
) -> Result<Export, ExportError> {
    let period = self::period(catalog, ExportFormat::OmbA11, period)?;
    let Label::FiscalQuarter { quarter, .. } = period.label else {
        unreachable!("a fiscal quarter was asked for")
    };
    let quarter = omb_a11::Quarter {
        year: period
            .fiscal_year(FiscalYearStart::OCTOBER)
            .expect("a fiscal quarter was asked for"),
        number: quarter,
    };
    let mut rows = Vec::new();
    let mut left_out = Vec::new();
    for service in wanted {
        let days = local_days(service, period.from, period.to);
        let volumes = store.offer_volumes(&days).await?;
        let answers = store.answer_counts(&days).await?;
        let service_rows = omb_a11::rows(service, quarter, &volumes, &answers);
        rows.extend(service_rows.rows);
        left_out.extend(service_rows.left_out);
    }
    let columns = omb_a11::columns();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    Ok(Export {
        file_name: format!("a11-cx-{quarter}.csv"),
        content_type: "text/csv; charset=utf-8",
        body: csv_with(None, &columns, &rows)?,
        left_out,
    })
}

async fn govuk(
    store: &dyn Stores,
    catalog: &Catalog,
    config: &MatrixConfig,
    period: &str,
    wanted: &[&Service],
) -> Result<Export, ExportError> {
    let period = self::period(catalog, ExportFormat::GovukKpis, period)?;
    let cells = matrix::compute(store, catalog, config, &period, GroupBy::Service).await?;
    let slices = RollupQuery {
        from: period.from,
        to: period.to,
        group_by: GroupBy::Service,
        bucket: matrix::Bucket::Whole,
        services: None,
    }
    .read_slices(store)
    .await?;
    let mut records = Vec::new();
    for service in wanted {
        let answers = store
            .answer_counts(&local_days(service, period.from, period.to))
            .await?;
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
        let record = govuk_kpis::record(&govuk_kpis::Inputs {
            period: &period,
            service_id: &service.id,
            time_zone: service.time_zone,
            cells: &own,
            digital_transactions: digital,
            satisfaction_points: points,
            cost: service
                .cost(period.from, period.to)
                .map(|(amount, _)| amount),
        })
        .ok_or_else(|| PeriodError::Kind {
            label: period.to_string(),
            found: period.label.kind(),
            wanted: govuk_kpis::PERIODS,
        })?;
        records.push(record);
    }
    let body = serde_json::to_vec_pretty(&records).expect("records serialize");
    Ok(Export {
        file_name: format!("govuk-kpis-{}.json", period.to_string().replace("..", "_")),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(start_month: u32) -> Catalog {
        Catalog::from_toml_str(&format!(
            "[remissions]\nfiscal_year_start_month = {start_month}\n"
        ))
        .unwrap()
    }

    fn days(period: &Period) -> (String, String) {
        (period.from.to_string(), period.to.to_string())
    }

    /// The government formats keep their government's year whatever the deployment's;
    /// GOV.UK takes the deployment's, and each names the same days the ledger and reports do.
    #[test]
    fn each_format_reads_its_period_by_the_one_rule() {
        for start in [4, 10] {
            let catalog = catalog(start);
            let gc = period(&catalog, ExportFormat::GcServiceStd, "2025-2026").unwrap();
            assert_eq!(days(&gc), ("2025-04-01".into(), "2026-04-01".into()));
            assert_eq!(
                gc.fiscal_year(FiscalYearStart::APRIL).unwrap().to_string(),
                "2025-2026"
            );
            let a11 = period(&catalog, ExportFormat::OmbA11, "FY2027-Q1").unwrap();
            assert_eq!(days(&a11), ("2026-10-01".into(), "2027-01-01".into()));
            assert_eq!(
                period(&catalog, ExportFormat::OmbA11, "2026-2027-Q1").unwrap(),
                a11
            );
            let govuk = period(&catalog, ExportFormat::GovukKpis, "2026-2027").unwrap();
            let rules = &catalog.remissions;
            assert_eq!(
                govuk.from,
                catalog
                    .fiscal_year_start()
                    .year_of(govuk.from)
                    .from()
                    .unwrap()
            );
            assert_eq!(
                rules.fiscal_year_label(rules.fiscal_year(govuk.from)),
                "2026-2027"
            );
        }
        let october = period(&catalog(10), ExportFormat::GovukKpis, "FY2027").unwrap();
        assert_eq!(days(&october), ("2026-10-01".into(), "2027-10-01".into()));
    }

    #[test]
    fn a_period_of_the_wrong_kind_is_named() {
        let catalog = catalog(4);
        let error = period(&catalog, ExportFormat::OmbA11, "2026-Q3")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`2026-Q3` is a quarter") && error.contains("FY2027-Q1"),
            "{error}"
        );
        let error = period(&catalog, ExportFormat::GcServiceStd, "2025")
            .unwrap_err()
            .to_string();
        assert!(error.contains("2025-2026"), "{error}");
        assert!(period(&catalog, ExportFormat::GcServiceStd, "2025-2027").is_err());
        assert!(period(&catalog, ExportFormat::OmbA11, "FY2027-Q5").is_err());
        assert!(period(&catalog, ExportFormat::GovukKpis, "last quarter").is_err());
    }
}
