//! Runs the `[[reports.schedules]]` inside the aggregator: each tick finds the reports due,
//! skips those already written (a successful row in `report_runs`, so restarts write no
//! second copy), waits `retry_secs` after a failure before trying again, and records every
//! attempt. Metrics say what is overdue, so a failing report pages nobody silently: it
//! raises `CivicPulseReportOverdue`.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use civicpulse_core::calendar::local_date;
use civicpulse_core::config::{Config, Language};
use civicpulse_core::Catalog;
use civicpulse_store::tables::report_runs::{ReportRunRow, FAILED, SUCCEEDED};
use civicpulse_store::{ClickHouseStore, StoreError, Stores};
use prometheus::{register_int_counter_vec, register_int_gauge, IntCounterVec, IntGauge};
use tokio_util::sync::CancellationToken;

use crate::due::{self, Due};
use crate::{generate, pdf, publish};

pub static RUNS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "civicpulse_reports_runs_total",
        "Scheduled report attempts (one period in one language) by outcome (`succeeded`, `failed`).",
        &["outcome"]
    )
    .expect("metric registers once")
});

pub static OVERDUE: LazyLock<IntGauge> = LazyLock::new(|| {
    register_int_gauge!(
        "civicpulse_reports_overdue",
        "Scheduled reports (period × language) that are due and not written, after the last tick."
    )
    .expect("metric registers once")
});

pub static LAST_SUCCESS: LazyLock<IntGauge> = LazyLock::new(|| {
    register_int_gauge!(
        "civicpulse_reports_last_success_timestamp_seconds",
        "When a scheduled report was last written (Unix seconds); 0 before the first."
    )
    .expect("metric registers once")
});

/// What one tick did.
#[derive(Debug, Default, PartialEq)]
pub struct Tick {
    pub written: Vec<(String, Language)>,
    pub failed: Vec<(String, Language, String)>,
    pub already_written: usize,
    pub waiting_to_retry: usize,
}

impl Tick {
    fn overdue(&self) -> usize {
        self.failed.len() + self.waiting_to_retry
    }
}

/// One pass over the schedules as of `now`.
pub async fn tick(
    store: &dyn Stores,
    catalog: &Catalog,
    config: &Config,
    now: DateTime<Utc>,
) -> Result<Tick, StoreError> {
    let mut result = Tick::default();
    let Some(first) = catalog.services.first() else {
        return Ok(result);
    };
    let Some(calendar) = catalog.calendar(&first.calendar) else {
        return Ok(result);
    };
    let today = local_date(now, catalog.reporting_zone());
    let due = due::latest(&config.reports.schedules, calendar, today);
    let labels: Vec<String> = due.iter().map(|d| d.period.to_string()).collect();
    let written = store.reports_written(&labels).await?;
    let chromium = pdf::find_chromium(config.reports.chromium.as_deref());
    for item in &due {
        for &lang in &config.reports.languages {
            if written.contains(&(item.period.to_string(), lang.as_str().to_string())) {
                result.already_written += 1;
                continue;
            }
            let retry = Duration::from_secs(config.reports.retry_secs);
            if let Some(failed_at) = store
                .last_report_failure(&item.period.to_string(), lang.as_str())
                .await?
            {
                if (now - failed_at).to_std().unwrap_or_default() < retry {
                    result.waiting_to_retry += 1;
                    continue;
                }
            }
            let row = attempt(store, catalog, config, item, lang, now, chromium.as_deref()).await;
            RUNS.with_label_values(&[row.status.as_str()]).inc();
            if row.status == SUCCEEDED {
                LAST_SUCCESS.set(now.timestamp());
                result.written.push((item.period.to_string(), lang));
            } else {
                tracing::warn!(period = %item.period, lang = lang.as_str(), error = %row.error, "scheduled report failed; it will be retried");
                result
                    .failed
                    .push((item.period.to_string(), lang, row.error.clone()));
            }
            store.record_report_run(&row).await?;
        }
    }
    OVERDUE.set(result.overdue() as i64);
    Ok(result)
}

/// Generates one report into `<dir>/<period>/<lang>/` and describes the attempt.
async fn attempt(
    store: &dyn Stores,
    catalog: &Catalog,
    config: &Config,
    item: &Due,
    lang: Language,
    now: DateTime<Utc>,
    chromium: Result<&std::path::Path, &pdf::PdfError>,
) -> ReportRunRow {
    let dir = config
        .reports
        .dir
        .join(item.period.to_string())
        .join(lang.as_str());
    let mut row = ReportRunRow {
        period: item.period.to_string(),
        lang: lang.as_str().to_string(),
        schedule: item.schedule.to_string(),
        attempt_at: now,
        status: FAILED.to_string(),
        dir: dir.display().to_string(),
        files: Vec::new(),
        checksums: Vec::new(),
        latest_event_stored: Utc.timestamp_opt(0, 0).single().expect("the epoch"),
        consumer_lag: -1,
        error: String::new(),
    };
    let figures = match generate::figures(store, catalog, config, &item.period, &[]).await {
        Ok(figures) => figures,
        Err(error) => {
            row.error = error.to_string();
            return row;
        }
    };
    if let Some(at) = figures
        .freshness
        .latest_event_stored
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
    {
        row.latest_event_stored = at.with_timezone(&Utc);
    }
    row.consumer_lag = figures
        .freshness
        .consumer_lag
        .map_or(-1, |lag| i64::try_from(lag).unwrap_or(i64::MAX));
    match publish::write(&figures, lang, &dir, chromium).await {
        Ok(written) => {
            row.status = SUCCEEDED.to_string();
            row.files = written.files.iter().map(|f| f.name.clone()).collect();
            row.checksums = written.files.iter().map(|f| f.sha256.clone()).collect();
            // A missing PDF is said, not failed: the HTML and open data are the report.
            row.error = written
                .pdf_missing
                .map(|e| e.to_string())
                .unwrap_or_default();
        }
        Err(error) => row.error = error.to_string(),
    }
    row
}

/// Ticks every `interval` until `stop`; a tick that cannot reach ClickHouse is logged and
/// tried again at the next.
pub async fn run_every(
    catalog: Arc<Catalog>,
    config: Arc<Config>,
    interval: Duration,
    stop: CancellationToken,
) {
    LazyLock::force(&RUNS);
    LazyLock::force(&OVERDUE);
    LazyLock::force(&LAST_SUCCESS);
    if config.reports.schedules.is_empty() {
        return;
    }
    // Connected at the first tick that needs it; while ClickHouse is down, each tick retries.
    let store = ClickHouseStore::lazy(config.clickhouse.clone());
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = ticker.tick() => {}
        }
        match tick(&store, &catalog, &config, Utc::now()).await {
            Ok(done) if !done.written.is_empty() || !done.failed.is_empty() => {
                tracing::info!(
                    written = done.written.len(),
                    failed = done.failed.len(),
                    "scheduled reports"
                );
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "report schedule could not be checked; retrying at the next interval")
            }
        }
    }
}
