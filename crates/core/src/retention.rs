//! How long each kind of stored data is kept (`[retention]`), and the rules that keep a
//! retention from breaking a job that still needs the data.
//!
//! Tables are partitioned by month, and ClickHouse 18.16 has no TTL, so data leave by whole
//! months: a month goes once every row in it is older than its kind's retention
//! ([`kept_from`]). The oldest row kept is therefore up to a month older than the limit,
//! never younger; the alert on `civicpulse_retention_oldest_row_timestamp_seconds` allows
//! for that.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{AggregatorConfig, ReportEvery, ReportsConfig};

/// A kind of stored data with its own retention; its name is the metrics' `kind` label.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr, strum::EnumIter, PartialOrd, Ord,
)]
#[strum(serialize_all = "snake_case")]
pub enum DataKind {
    /// Responses' ratings, milestones and transactions (`feedback`, `milestones`, `offered`).
    RawEvents,
    /// Comment text (`feedback_comments`).
    Comments,
    /// Every stored version of a re-sent event and which one counts (`event_versions`,
    /// `superseded_events`).
    EventVersions,
    /// What changed since each job's watermark (`change_log`).
    ChangeLog,
    /// Every attempt of a scheduled report (`report_runs`).
    ReportRuns,
    /// Reads of comment text and erasures (`access_audit`).
    AccessAudit,
}

impl DataKind {
    pub const ALL: [DataKind; 6] = [
        DataKind::RawEvents,
        DataKind::Comments,
        DataKind::EventVersions,
        DataKind::ChangeLog,
        DataKind::ReportRuns,
        DataKind::AccessAudit,
    ];

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Days each kind of data is kept. The defaults are what a government would choose, and
/// `docs/operators/privacy.md` says why for each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// Ratings, milestones and transactions: 7 years, the records of a service standard's
    /// results an auditor may ask to recompute.
    pub raw_events_days: u32,
    /// Comment text: 2 years; the ratings stay. Shorter than the ratings because it is what
    /// may still identify someone after the scrubber.
    pub comments_days: u32,
    /// Versions of re-sent events and which one counts: as long as the raw events, or a
    /// replaced version would count again.
    pub event_versions_days: u32,
    /// The change log the incremental jobs read: weeks, at least `aggregator.look_back_days`.
    pub change_log_days: u32,
    /// Report attempts (what was published, when, with which checksums): 7 years.
    pub report_runs_days: u32,
    /// Reads of comment text and erasures: 7 years, so whoever read a person's words can be
    /// named for as long as any of that person's data is kept.
    pub access_audit_days: u32,
    /// `retention.ms` of the event topics when the gateway creates them: a week, time for
    /// a stopped sink to catch up.
    pub kafka_events_days: u32,
    /// `retention.ms` of the dead-letter topic: two weeks to look at a rejected event.
    pub dead_letters_days: u32,
}

/// Seven years, leap days included.
const SEVEN_YEARS: u32 = 2557;

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            raw_events_days: SEVEN_YEARS,
            comments_days: 730,
            event_versions_days: SEVEN_YEARS,
            change_log_days: 91,
            report_runs_days: SEVEN_YEARS,
            access_audit_days: SEVEN_YEARS,
            kafka_events_days: 7,
            dead_letters_days: 14,
        }
    }
}

impl RetentionConfig {
    /// The retention of a kind stored in ClickHouse.
    pub fn days(&self, kind: DataKind) -> u32 {
        match kind {
            DataKind::RawEvents => self.raw_events_days,
            DataKind::Comments => self.comments_days,
            DataKind::EventVersions => self.event_versions_days,
            DataKind::ChangeLog => self.change_log_days,
            DataKind::ReportRuns => self.report_runs_days,
            DataKind::AccessAudit => self.access_audit_days,
        }
    }

    /// A retention shorter than what a running job needs is an error naming both.
    pub fn check(
        &self,
        aggregator: &AggregatorConfig,
        reports: &ReportsConfig,
    ) -> Result<(), String> {
        let named = [
            ("raw_events_days", self.raw_events_days),
            ("comments_days", self.comments_days),
            ("event_versions_days", self.event_versions_days),
            ("change_log_days", self.change_log_days),
            ("report_runs_days", self.report_runs_days),
            ("access_audit_days", self.access_audit_days),
            ("kafka_events_days", self.kafka_events_days),
            ("dead_letters_days", self.dead_letters_days),
        ];
        if let Some((key, _)) = named.iter().find(|(_, days)| *days == 0) {
            return Err(format!("retention.{key} must be at least 1 day"));
        }
        let shorter = |key: &str, days: u32, needs: &str, needed: u32, why: &str| {
            (days < needed).then(|| {
                format!(
                    "retention.{key} ({days} days) is shorter than {needs} ({needed} days): {why}"
                )
            })
        };
        let report_window = report_recheck_days(reports);
        let errors = [
            shorter(
                "event_versions_days",
                self.event_versions_days,
                "retention.raw_events_days",
                self.raw_events_days,
                "a re-sent event's replaced version would count again once its decision is gone",
            ),
            shorter(
                "change_log_days",
                self.change_log_days,
                "aggregator.look_back_days",
                aggregator.look_back_days,
                "the rollups would miss the days of responses whose case closed later, and a \
                 stopped aggregator would miss changes",
            ),
            shorter(
                "raw_events_days",
                self.raw_events_days,
                "aggregator.look_back_days",
                aggregator.look_back_days,
                "the rollups would recompute days whose events are gone",
            ),
            shorter(
                "raw_events_days",
                self.raw_events_days,
                "the reports' re-check window (reports.recheck_periods + 2 of the longest \
                 schedule's periods)",
                report_window,
                "a re-checked report would be rewritten from events retention removed",
            ),
            shorter(
                "access_audit_days",
                self.access_audit_days,
                "retention.comments_days",
                self.comments_days,
                "a read of a comment still stored could no longer be accounted for",
            ),
            (self.kafka_events_days > self.comments_days).then(|| {
                format!(
                    "retention.kafka_events_days ({}) is longer than retention.comments_days ({}): \
                     comment text would outlive its retention in Kafka",
                    self.kafka_events_days, self.comments_days
                )
            }),
            (self.dead_letters_days > self.comments_days).then(|| {
                format!(
                    "retention.dead_letters_days ({}) is longer than retention.comments_days ({}): \
                     a rejected event's comment would outlive its retention in Kafka",
                    self.dead_letters_days, self.comments_days
                )
            }),
        ];
        match errors.into_iter().flatten().next() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// How far back the reports' re-checks read raw events: the latest `recheck_periods`
/// periods of the longest schedule, the period being filled now, and the previous period
/// each report compares with. No schedule: none.
pub fn report_recheck_days(reports: &ReportsConfig) -> u32 {
    let longest = reports
        .schedules
        .iter()
        .map(|s| match s.every {
            ReportEvery::Monthly => 31,
            ReportEvery::Quarterly => 92,
        })
        .max();
    longest.map_or(0, |days| (reports.recheck_periods + 2) * days)
}

/// The first instant kept of a kind kept `days` days, as of `now`: the start (UTC) of the
/// month holding `now - days`. Every row of an earlier month is older than the limit.
pub fn kept_from(now: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let limit = (now - Duration::days(i64::from(days))).date_naive();
    NaiveDate::from_ymd_opt(limit.year(), limit.month(), 1)
        .expect("the first of a month exists")
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
}

/// The first local day a rollup may be recomputed from raw events kept `raw_days`: the day
/// after the first day kept in UTC, since a local day starts up to 14 hours before or after
/// UTC's and the day itself may straddle a dropped month. Earlier days keep their figures.
pub fn first_recomputable_day(now: DateTime<Utc>, raw_days: u32) -> NaiveDate {
    kept_from(now, raw_days).date_naive() + Duration::days(1)
}

/// The monthly partitions (`YYYYMM`) among `partitions` that hold only rows older than the
/// limit, as of `now`.
pub fn expired_months(partitions: &[u32], now: DateTime<Utc>, days: u32) -> Vec<u32> {
    let first_kept = kept_from(now, days);
    let first_kept = first_kept.year() as u32 * 100 + first_kept.month();
    partitions
        .iter()
        .copied()
        .filter(|&month| month < first_kept)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ReportSchedule;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
    }

    #[test]
    fn a_month_goes_once_all_of_it_is_older_than_the_limit() {
        // 730 days before 2026-12-03 is 2024-12-03: December 2024 still holds rows younger
        // than the limit, November 2024 does not.
        let now = at("2026-12-03T10:00:00Z");
        assert_eq!(kept_from(now, 730), at("2024-12-01T00:00:00Z"));
        assert_eq!(
            expired_months(&[202410, 202411, 202412, 202501], now, 730),
            [202410, 202411]
        );
        assert_eq!(
            first_recomputable_day(now, 730),
            NaiveDate::from_ymd_opt(2024, 12, 2).unwrap()
        );
        // A limit ending on the first of a month keeps that month whole.
        assert_eq!(
            kept_from(at("2026-03-31T00:00:00Z"), 30),
            at("2026-03-01T00:00:00Z")
        );
    }

    #[test]
    fn the_defaults_pass_their_own_rules() {
        let reports = ReportsConfig {
            schedules: vec![ReportSchedule {
                every: ReportEvery::Quarterly,
                business_day: 1,
            }],
            ..ReportsConfig::default()
        };
        RetentionConfig::default()
            .check(&AggregatorConfig::default(), &reports)
            .unwrap();
    }

    #[test]
    fn a_retention_shorter_than_a_job_needs_names_both() {
        let aggregator = AggregatorConfig::default();
        let reports = ReportsConfig {
            schedules: vec![ReportSchedule {
                every: ReportEvery::Quarterly,
                business_day: 1,
            }],
            recheck_periods: 3,
            ..ReportsConfig::default()
        };
        let error =
            |retention: RetentionConfig| retention.check(&aggregator, &reports).unwrap_err();
        let short_log = error(RetentionConfig {
            change_log_days: 14,
            ..RetentionConfig::default()
        });
        assert!(
            short_log.contains("retention.change_log_days (14 days)")
                && short_log.contains("aggregator.look_back_days"),
            "{short_log}"
        );
        let short_raw = error(RetentionConfig {
            raw_events_days: 300,
            event_versions_days: 300,
            ..RetentionConfig::default()
        });
        assert!(
            short_raw.contains("retention.raw_events_days (300 days)")
                && short_raw.contains("re-check window")
                && short_raw.contains("(460 days)"),
            "{short_raw}"
        );
        let versions = error(RetentionConfig {
            event_versions_days: 365,
            ..RetentionConfig::default()
        });
        assert!(versions.contains("retention.raw_events_days"), "{versions}");
        let audit = error(RetentionConfig {
            access_audit_days: 365,
            ..RetentionConfig::default()
        });
        assert!(audit.contains("retention.comments_days"), "{audit}");
        let kafka = error(RetentionConfig {
            comments_days: 5,
            ..RetentionConfig::default()
        });
        assert!(kafka.contains("kafka_events_days"), "{kafka}");
        let zero = error(RetentionConfig {
            report_runs_days: 0,
            ..RetentionConfig::default()
        });
        assert!(zero.contains("report_runs_days"), "{zero}");
    }
}
