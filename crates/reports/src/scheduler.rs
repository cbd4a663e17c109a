//! Runs the `[[reports.schedules]]` inside the aggregator: each tick finds the reports due,
//! skips those already written (a successful row in `report_runs`, so restarts write no
//! second copy), waits `retry_secs` after a failure before trying again, and records every
//! attempt. Metrics say what is overdue, so a failing report pages nobody silently: it
//! raises `CivicPulseReportOverdue`.
//!
//! Late events dated in a published period still move the API's figures, so the
//! `recheck_periods` latest written periods are regenerated every `recheck_secs`: where a
//! figure changed, the next revision is written beside the earlier ones and recorded
//! (`crate::revision`); where none did, nothing is written or recorded.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use civicpulse_core::calendar::local_date;
use civicpulse_core::config::{Config, Language};
use civicpulse_core::Catalog;
use civicpulse_store::tables::report_runs::{ReportRunRow, FAILED, SUCCEEDED};
use civicpulse_store::{ClickHouseStore, StoreError, Stores};
use prometheus::{register_int_counter_vec, register_int_gauge, IntCounterVec, IntGauge};
use tokio_util::sync::CancellationToken;

use crate::due::{self, Due};
use crate::revision::{self, Earlier, Revision};
use crate::{generate, pdf, publish, Figures};

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

pub static RECHECKS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!(
        "civicpulse_reports_rechecks_total",
        "Re-checks of published reports (one period in one language) by outcome (`unchanged`, `revised`, `failed`).",
        &["outcome"]
    )
    .expect("metric registers once")
});

/// What one tick did.
#[derive(Debug, Default, PartialEq)]
pub struct Tick {
    /// First publications: revision 1.
    pub written: Vec<(String, Language)>,
    /// Published periods whose figures changed: (period, language, revision, figures
    /// changed).
    pub revised: Vec<(String, Language, u32, usize)>,
    /// Published periods re-checked and found with the same figures: nothing written.
    pub unchanged: Vec<(String, Language)>,
    pub failed: Vec<(String, Language, String)>,
    /// Re-checks that could not finish; the published revision stands meanwhile.
    pub recheck_failed: Vec<(String, Language, String)>,
    /// (period, language) pairs found written, whether re-checked this tick or not.
    pub already_written: usize,
    pub waiting_to_retry: usize,
}

impl Tick {
    /// A failed re-check is not overdue: the period has a published report.
    fn overdue(&self) -> usize {
        self.failed.len() + self.waiting_to_retry
    }
}

/// When each published (period, language) is next re-checked. Kept in memory by the loop,
/// so a re-check of unchanged figures writes nothing at all; a restart re-checks at once,
/// which costs one regeneration and changes nothing.
#[derive(Debug, Default)]
pub struct Rechecks(HashMap<(String, Language), DateTime<Utc>>);

impl Rechecks {
    fn due(&self, period: &str, lang: Language, now: DateTime<Utc>) -> bool {
        self.0
            .get(&(period.to_string(), lang))
            .is_none_or(|next| now >= *next)
    }

    fn next(&mut self, period: &str, lang: Language, at: DateTime<Utc>) {
        self.0.insert((period.to_string(), lang), at);
    }
}

/// One pass over the schedules as of `now`: writes the latest due reports not yet written,
/// and re-checks the `[reports] recheck_periods` latest written ones whose turn has come
/// (`rechecks`), publishing a revision where the figures changed.
pub async fn tick(
    store: &dyn Stores,
    catalog: &Catalog,
    config: &Config,
    now: DateTime<Utc>,
    rechecks: &mut Rechecks,
) -> Result<Tick, StoreError> {
    let mut result = Tick::default();
    let Some(first) = catalog.services.first() else {
        return Ok(result);
    };
    let Some(calendar) = catalog.calendar(&first.calendar) else {
        return Ok(result);
    };
    let reports = &config.reports;
    let today = local_date(now, catalog.reporting_zone());
    let recent = due::recent(
        &reports.schedules,
        calendar,
        today,
        reports.recheck_periods.max(1),
    );
    let labels: Vec<String> = recent.iter().map(|(d, _)| d.period.to_string()).collect();
    let written = store.reports_written(&labels).await?;
    let chromium = pdf::find_chromium(reports.chromium.as_deref());
    let after =
        |secs: u64| now + chrono::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX));
    for (item, age) in &recent {
        let period = item.period.to_string();
        // Gathered once per period, for every language that needs it.
        let mut figures: Option<Result<Figures, String>> = None;
        for &lang in &reports.languages {
            let published = written.contains(&(period.clone(), lang.as_str().to_string()));
            if published {
                result.already_written += 1;
                if *age >= reports.recheck_periods || !rechecks.due(&period, lang, now) {
                    continue;
                }
            } else if *age > 0 {
                // Only the latest due period is written for the first time; older ones
                // were before this schedule, or are re-checked once written.
                continue;
            } else {
                let retry = Duration::from_secs(reports.retry_secs);
                if let Some(failed_at) = store.last_report_failure(&period, lang.as_str()).await? {
                    if (now - failed_at).to_std().unwrap_or_default() < retry {
                        result.waiting_to_retry += 1;
                        continue;
                    }
                }
            }
            if figures.is_none() {
                figures = Some(
                    generate::figures(store, catalog, config, &item.period, &[])
                        .await
                        .map_err(|e| e.to_string()),
                );
            }
            let gathered = figures.as_ref().expect("gathered above").as_ref();
            let chromium = chromium.as_deref();
            if !published {
                let row = first_publication(config, item, lang, now, gathered, chromium).await;
                RUNS.with_label_values(&[row.status.as_str()]).inc();
                if row.status == SUCCEEDED {
                    LAST_SUCCESS.set(now.timestamp());
                    result.written.push((period.clone(), lang));
                } else {
                    tracing::warn!(%period, lang = lang.as_str(), error = %row.error, "scheduled report failed; it will be retried");
                    result
                        .failed
                        .push((period.clone(), lang, row.error.clone()));
                }
                store.record_report_run(&row).await?;
                continue;
            }
            match recheck(store, config, item, lang, now, gathered, chromium).await? {
                None => {
                    RECHECKS.with_label_values(&["unchanged"]).inc();
                    rechecks.next(&period, lang, after(reports.recheck_secs));
                    result.unchanged.push((period.clone(), lang));
                }
                Some(row) if row.status == SUCCEEDED => {
                    RECHECKS.with_label_values(&["revised"]).inc();
                    LAST_SUCCESS.set(now.timestamp());
                    rechecks.next(&period, lang, after(reports.recheck_secs));
                    tracing::info!(%period, lang = lang.as_str(), revision = row.revision, changed = row.changed_figures, "published report revised: its figures changed");
                    result.revised.push((
                        period.clone(),
                        lang,
                        row.revision,
                        row.changed_figures as usize,
                    ));
                    store.record_report_run(&row).await?;
                }
                Some(row) => {
                    RECHECKS.with_label_values(&["failed"]).inc();
                    rechecks.next(&period, lang, after(reports.retry_secs));
                    tracing::warn!(%period, lang = lang.as_str(), error = %row.error, "re-check of a published report failed; it will be retried");
                    result
                        .recheck_failed
                        .push((period.clone(), lang, row.error.clone()));
                    store.record_report_run(&row).await?;
                }
            }
        }
    }
    OVERDUE.set(result.overdue() as i64);
    Ok(result)
}

/// An attempt's row before its outcome is known: failed until the files are written.
fn attempt_row(
    item: &Due,
    lang: Language,
    now: DateTime<Utc>,
    dir: &Path,
    revision: u32,
) -> ReportRunRow {
    let epoch = Utc.timestamp_opt(0, 0).single().expect("the epoch");
    ReportRunRow {
        period: item.period.to_string(),
        lang: lang.as_str().to_string(),
        schedule: item.schedule.to_string(),
        attempt_at: now,
        status: FAILED.to_string(),
        dir: dir.display().to_string(),
        files: Vec::new(),
        checksums: Vec::new(),
        latest_event_stored: epoch,
        consumer_lag: -1,
        error: String::new(),
        revision,
        data_cut_off: epoch,
        figures_sha256: String::new(),
        changed_figures: 0,
    }
}

/// Writes one revision of a report into `dir` and fills in its row.
async fn publish_into(
    row: &mut ReportRunRow,
    figures: &Figures,
    lang: Language,
    dir: &Path,
    chromium: Result<&Path, &pdf::PdfError>,
    revision: Option<&Revision>,
) {
    let instant = |text: Option<&str>| {
        text.and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|at| at.with_timezone(&Utc))
    };
    if let Some(at) = instant(figures.freshness.latest_event_stored.as_deref()) {
        row.latest_event_stored = at;
    }
    if let Some(at) = instant(Some(&figures.data_cut_off)) {
        row.data_cut_off = at;
    }
    row.consumer_lag = figures
        .freshness
        .consumer_lag
        .map_or(-1, |lag| i64::try_from(lag).unwrap_or(i64::MAX));
    match publish::write_revision(figures, lang, dir, chromium, revision).await {
        Ok(written) => {
            row.status = SUCCEEDED.to_string();
            row.files = written.files.iter().map(|f| f.name.clone()).collect();
            row.checksums = written.files.iter().map(|f| f.sha256.clone()).collect();
            row.figures_sha256 = revision::digest(&revision::as_published(figures));
            // A missing PDF is said, not failed: the HTML and open data are the report.
            row.error = written
                .pdf_missing
                .map(|e| e.to_string())
                .unwrap_or_default();
        }
        Err(error) => row.error = error.to_string(),
    }
}

/// The report's folder: `<dir>/<period>/<lang>/`, revision 1; later ones inside it.
fn report_folder(config: &Config, item: &Due, lang: Language) -> PathBuf {
    config
        .reports
        .dir
        .join(item.period.to_string())
        .join(lang.as_str())
}

/// Generates one report into `<dir>/<period>/<lang>/` and describes the attempt.
async fn first_publication(
    config: &Config,
    item: &Due,
    lang: Language,
    now: DateTime<Utc>,
    figures: Result<&Figures, &String>,
    chromium: Result<&Path, &pdf::PdfError>,
) -> ReportRunRow {
    let dir = report_folder(config, item, lang);
    let mut row = attempt_row(item, lang, now, &dir, 1);
    match figures {
        Ok(figures) => publish_into(&mut row, figures, lang, &dir, chromium, None).await,
        Err(error) => row.error = error.clone(),
    }
    row
}

/// Compares `figures` with the latest revision of (period, lang) and, if any figure
/// differs, writes the next revision into `<dir>/<period>/<lang>/revisions/<n>/`: its row,
/// or the failed attempt's; none when the figures are the same.
async fn recheck(
    store: &dyn Stores,
    config: &Config,
    item: &Due,
    lang: Language,
    now: DateTime<Utc>,
    figures: Result<&Figures, &String>,
    chromium: Result<&Path, &pdf::PdfError>,
) -> Result<Option<ReportRunRow>, StoreError> {
    let period = item.period.to_string();
    let revisions = store.report_revisions(&period, lang.as_str()).await?;
    let Some(latest) = revisions.last() else {
        return Ok(None);
    };
    let base = report_folder(config, item, lang);
    let next = latest.revision + 1;
    let mut row = attempt_row(item, lang, now, &revision::folder(&base, next), next);
    let figures = match figures {
        Ok(figures) => figures,
        Err(error) => {
            row.error = error.clone();
            return Ok(Some(row));
        }
    };
    let now_published = revision::as_published(figures);
    if latest.figures_sha256 == revision::digest(&now_published) {
        return Ok(None);
    }
    // The digest differs, or the latest revision predates digests: compare the figures.
    let latest_report = match revision::read_report(Path::new(&latest.dir)) {
        Ok(report) => report,
        Err(error) => {
            row.error = error.to_string();
            return Ok(Some(row));
        }
    };
    let instant = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let earlier = revisions
        .iter()
        .map(|r| Earlier {
            number: r.revision,
            published_at: instant(r.attempt_at),
            data_cut_off: instant(if r.data_cut_off.timestamp() > 0 {
                r.data_cut_off
            } else {
                r.attempt_at
            }),
            href: revision::api_url(&period, lang.as_str(), r.revision, "report.html"),
        })
        .collect();
    let Some(revision) = revision::next(figures, &instant(now), earlier, &latest_report) else {
        return Ok(None);
    };
    row.changed_figures = u32::try_from(revision.changes.len()).unwrap_or(u32::MAX);
    let dir = revision::folder(&base, revision.number);
    publish_into(&mut row, figures, lang, &dir, chromium, Some(&revision)).await;
    Ok(Some(row))
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
    LazyLock::force(&RECHECKS);
    if config.reports.schedules.is_empty() {
        return;
    }
    // Connected at the first tick that needs it; while ClickHouse is down, each tick retries.
    let store = ClickHouseStore::lazy(config.clickhouse.clone());
    let mut rechecks = Rechecks::default();
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = ticker.tick() => {}
        }
        match tick(&store, &catalog, &config, Utc::now(), &mut rechecks).await {
            Ok(done)
                if !done.written.is_empty()
                    || !done.failed.is_empty()
                    || !done.revised.is_empty() =>
            {
                tracing::info!(
                    written = done.written.len(),
                    revised = done.revised.len(),
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
