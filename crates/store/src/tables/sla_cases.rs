//! `sla_cases`: the latest evaluation of each case against each standard (written by the
//! aggregator's SLA evaluation, read by the dashboard API and the matrix rollups).
//!
//! Every status name in these statements comes from [`Status`]; "open" is [`Status::OPEN`]
//! everywhere (`not_started` is not open: the standard's clock has not started).

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use civicpulse_core::remission::RemissionStatus;
use civicpulse_core::sla::Status;
use clickhouse::insert::Insert;
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};

use super::{Engine, Table};

pub const NAME: &str = "sla_cases";

/// Sharded by case, like its milestones: each case's evaluation replaces itself on one shard.
pub const TABLE: Table = Table {
    name: NAME,
    shard_key: "cityHash64(service_id, case_ref)",
    engine: Engine::ReplacingMergeTree {
        version: "written_at",
    },
    views: &[],
};

/// One evaluated case, in the table's column order.
#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct SlaCaseRow {
    pub service_id: String,
    pub policy: String,
    pub case_ref: String,
    #[serde(with = "clickhouse::serde::chrono::datetime::option")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(with = "clickhouse::serde::chrono::datetime::option")]
    pub stopped_at: Option<DateTime<Utc>>,
    pub elapsed_days: i32,
    pub paused_days: i32,
    pub limit_days: i32,
    #[serde(with = "clickhouse::serde::chrono::date::option")]
    pub due_date: Option<NaiveDate>,
    pub status: String,
    pub late_days: i32,
    pub refund_percent: f64,
    pub refund_amount: f64,
    pub currency: String,
    /// Comma-separated anomaly names, empty when none.
    pub anomalies: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub evaluated_at: DateTime<Utc>,
    /// Channel and region of the case's earliest milestone.
    pub channel: String,
    pub region: String,
    /// When the case's earliest milestone occurred: where an incremental evaluation starts
    /// reading it.
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub first_at: DateTime<Utc>,
    /// The option the case was judged by, '' for a policy without options.
    pub service_option: String,
    /// The unit of `elapsed_days`, `paused_days`, `limit_days` and `late_days`.
    pub unit: String,
    /// The moment the case is due (the due date's closing time for day limits).
    #[serde(with = "clickhouse::serde::chrono::datetime::option")]
    pub due_at: Option<DateTime<Utc>>,
    pub fee: f64,
    /// 1-based refund tier, 0 when none.
    pub refund_tier: u8,
    /// Comma-separated ids of the exceptions that changed the result.
    pub exceptions: String,
    /// `owed`, `excused`, `paid`, `cancelled`, or '' (not a remission).
    pub remission: String,
    /// The fiscal year of a remission (the calendar year it starts in), 0 when none.
    pub fiscal_year: u16,
    #[serde(with = "clickhouse::serde::chrono::date::option")]
    pub payment_due: Option<NaiveDate>,
}

/// Streams evaluated cases into the table, opening the INSERT on the first one, so that
/// an evaluation holds one case in memory, not the run.
pub struct CaseWriter<'a> {
    client: &'a Client,
    insert: Option<Insert<SlaCaseRow>>,
    written: u64,
}

impl<'a> CaseWriter<'a> {
    pub fn new(client: &'a Client) -> Self {
        CaseWriter {
            client,
            insert: None,
            written: 0,
        }
    }

    pub async fn write(&mut self, row: &SlaCaseRow) -> Result<(), clickhouse::error::Error> {
        if self.insert.is_none() {
            self.insert = Some(self.client.insert::<SlaCaseRow>(NAME).await?);
        }
        if let Some(insert) = &mut self.insert {
            insert.write(row).await?;
        }
        self.written += 1;
        Ok(())
    }

    /// Finishes the INSERT; the number of cases written.
    pub async fn end(self) -> Result<u64, clickhouse::error::Error> {
        if let Some(insert) = self.insert {
            insert.end().await?;
        }
        Ok(self.written)
    }
}

/// Open cases of a service and policy last evaluated before an instant, as a `case_ref`
/// source (binds: service, policy, instant): their elapsed days grow with the date.
pub static OPEN_EVALUATED_BEFORE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT case_ref FROM {NAME} FINAL WHERE service_id = ? AND policy = ? \
         AND status IN ({open}) AND isNull(stopped_at) AND evaluated_at < toDateTime(?)",
        open = Status::sql_list(&Status::OPEN),
    )
});

/// Cases of a service and policy whose first milestone is before `kept_from` and which
/// were still open then: retention may have removed some of their milestones, so an
/// evaluation from what is left would be wrong, and their stored evaluation stands.
pub async fn spanning(
    client: &Client,
    service_id: &str,
    policy: &str,
    kept_from: DateTime<Utc>,
) -> Result<Vec<String>, clickhouse::error::Error> {
    let kept_from = u32::try_from(kept_from.timestamp().max(0)).unwrap_or(u32::MAX);
    client
        .query(&format!(
            "SELECT case_ref FROM {NAME} FINAL WHERE service_id = ? AND policy = ? \
             AND first_at > toDateTime(0) AND first_at < toDateTime(?) \
             AND (isNull(stopped_at) OR stopped_at >= toDateTime(?))"
        ))
        .bind(service_id)
        .bind(policy)
        .bind(kept_from)
        .bind(kept_from)
        .fetch_all()
        .await
}

/// Per service and policy, the counts the SLA summary is made of.
#[derive(Clone, Debug, Row, Deserialize)]
pub struct SummaryRow {
    pub service_id: String,
    pub policy: String,
    pub closed: u64,
    pub met: u64,
    pub breached: u64,
    pub p50: f64,
    pub p90: f64,
    pub open: u64,
    pub at_risk: u64,
    pub open_breached: u64,
    pub refunds_owed: u64,
    /// Their sum in ten-thousandths of a major unit: finer than any ISO 4217 minor unit,
    /// so the sum is exact (a sum of floats is neither exact nor free of `-0`) and becomes
    /// each currency's minor units exactly (`Money::from_ten_thousandths`).
    pub refunds_owed_ten_thousandths: i64,
    pub anomalies: u64,
    pub closed_1d: u64,
    pub breached_1d: u64,
    pub closed_7d: u64,
    pub breached_7d: u64,
    pub closed_30d: u64,
    pub breached_30d: u64,
    pub excused: u64,
}

/// What a summary covers: cases closed in [from, to), burn windows ending at `to`.
#[derive(Debug, Clone, Copy)]
pub struct SummaryWindow<'a> {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The starts of the 1-, 7- and 30-day burn windows.
    pub since_1d: DateTime<Utc>,
    pub since_7d: DateTime<Utc>,
    pub since_30d: DateTime<Utc>,
    /// One service, or every one.
    pub service_id: Option<&'a str>,
}

static SUMMARY_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "\
SELECT service_id, policy,
  countIf(closed_in) AS closed,
  countIf(closed_in AND status = '{met}') AS met,
  countIf(closed_in AND status = '{breached}') AS breached,
  toFloat64(quantileExactIf(0.5)(elapsed_days, closed_in)) AS p50,
  toFloat64(quantileExactIf(0.9)(elapsed_days, closed_in)) AS p90,
  countIf(is_open) AS open,
  countIf(is_open AND status = '{at_risk}') AS at_risk,
  countIf(is_open AND status = '{breached}') AS open_breached,
  countIf(closed_in AND refund_amount > 0) AS refunds_owed,
  toInt64(sumIf(round(refund_amount * 10000), closed_in)) AS refunds_owed_ten_thousandths,
  countIf(anomalies != '') AS anomalies,
  countIf(closed_before_to AND stopped >= toDateTime(?)) AS closed_1d,
  countIf(closed_before_to AND stopped >= toDateTime(?) AND status = '{breached}') AS breached_1d,
  countIf(closed_before_to AND stopped >= toDateTime(?)) AS closed_7d,
  countIf(closed_before_to AND stopped >= toDateTime(?) AND status = '{breached}') AS breached_7d,
  countIf(closed_before_to AND stopped >= toDateTime(?)) AS closed_30d,
  countIf(closed_before_to AND stopped >= toDateTime(?) AND status = '{breached}') AS breached_30d,
  countIf(closed_in AND remission = '{excused}') AS excused
FROM
(
  SELECT service_id, policy, status, elapsed_days, refund_amount, anomalies, remission,
    ifNull(stopped_at, toDateTime(0)) AS stopped,
    status IN ({closed}) AND NOT isNull(stopped_at) AS closed,
    closed AND stopped >= toDateTime(?) AND stopped < toDateTime(?) AS closed_in,
    closed AND stopped < toDateTime(?) AS closed_before_to,
    isNull(stopped_at) AND status IN ({open}) AS is_open
  FROM {NAME} FINAL
  WHERE (? = '' OR service_id = ?)
)
GROUP BY service_id, policy
ORDER BY service_id, policy",
        met = Status::Met.as_str(),
        breached = Status::Breached.as_str(),
        at_risk = Status::AtRisk.as_str(),
        closed = Status::sql_list(&Status::CLOSED),
        open = Status::sql_list(&Status::OPEN),
        excused = RemissionStatus::Excused.as_str(),
    )
});

/// The summary counts of every service and policy with cases (or the one asked for).
pub async fn summary(
    client: &Client,
    window: &SummaryWindow<'_>,
) -> Result<Vec<SummaryRow>, clickhouse::error::Error> {
    let service = window.service_id.unwrap_or_default();
    client
        .query(&SUMMARY_SQL)
        .bind(window.since_1d.timestamp())
        .bind(window.since_1d.timestamp())
        .bind(window.since_7d.timestamp())
        .bind(window.since_7d.timestamp())
        .bind(window.since_30d.timestamp())
        .bind(window.since_30d.timestamp())
        .bind(window.from.timestamp())
        .bind(window.to.timestamp())
        .bind(window.to.timestamp())
        .bind(service)
        .bind(service)
        .fetch_all()
        .await
}

/// One case as listed; absent times and dates are 0.
#[derive(Clone, Debug, Row, Deserialize)]
pub struct CaseListed {
    pub case_ref: String,
    pub service_id: String,
    pub policy: String,
    pub started_at: u32,
    pub stopped_at: u32,
    pub elapsed_days: i32,
    pub paused_days: i32,
    pub limit_days: i32,
    pub due_date: u16,
    pub status: String,
    pub late_days: i32,
    pub refund_percent: f64,
    pub refund_amount: f64,
    pub currency: String,
    pub channel: String,
    pub region: String,
    pub service_option: String,
    pub unit: String,
    pub due_at: u32,
    pub exceptions: String,
    pub remission: String,
}

/// The key a page of cases continues after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseKey {
    pub service_id: String,
    pub policy: String,
    pub case_ref: String,
}

/// Which cases to list; None (and no service) matches any.
#[derive(Debug, Default)]
pub struct CaseFilter {
    pub services: Vec<String>,
    pub status: Option<Status>,
    pub started_from: Option<DateTime<Utc>>,
    pub started_before: Option<DateTime<Utc>>,
    pub after: Option<CaseKey>,
    pub limit: u64,
}

/// One page of cases, ordered by service, policy and case.
pub async fn list(
    client: &Client,
    filter: &CaseFilter,
) -> Result<Vec<CaseListed>, clickhouse::error::Error> {
    let mut sql = format!(
        "SELECT case_ref, service_id, policy, toUInt32(ifNull(started_at, toDateTime(0))), \
         toUInt32(ifNull(stopped_at, toDateTime(0))), elapsed_days, paused_days, limit_days, \
         toUInt16(ifNull(due_date, toDate(0))), status, late_days, refund_percent, refund_amount, currency, \
         channel, region, service_option, unit, toUInt32(ifNull(due_at, toDateTime(0))), \
         exceptions, remission FROM {NAME} FINAL WHERE 1",
    );
    sql.push_str(" AND ");
    sql.push_str(&super::services_condition(&filter.services));
    if filter.status.is_some() {
        sql.push_str(" AND status = ?");
    }
    if filter.started_from.is_some() {
        sql.push_str(" AND started_at >= toDateTime(?)");
    }
    if filter.started_before.is_some() {
        sql.push_str(" AND started_at < toDateTime(?)");
    }
    if filter.after.is_some() {
        sql.push_str(" AND (service_id, policy, case_ref) > (?, ?, ?)");
    }
    sql.push_str(" ORDER BY service_id, policy, case_ref LIMIT ?");
    let mut query = client.query(&sql);
    for service in &filter.services {
        query = query.bind(service);
    }
    if let Some(status) = filter.status {
        query = query.bind(status.as_str());
    }
    for time in [filter.started_from, filter.started_before]
        .into_iter()
        .flatten()
    {
        query = query.bind(time.timestamp());
    }
    if let Some(key) = &filter.after {
        query = query
            .bind(&key.service_id)
            .bind(&key.policy)
            .bind(&key.case_ref);
    }
    query.bind(filter.limit).fetch_all().await
}

/// One remission: a closed late case (its `remission` is set), for the ledger.
#[derive(Debug, Clone, Row, Deserialize)]
pub struct RemissionRow {
    pub service_id: String,
    pub policy: String,
    pub case_ref: String,
    pub service_option: String,
    pub currency: String,
    pub fee: f64,
    pub refund_tier: u8,
    pub refund_percent: f64,
    pub refund_amount: f64,
    pub late_days: i32,
    pub remission: String,
    pub fiscal_year: u16,
    #[serde(with = "clickhouse::serde::chrono::date::option")]
    pub payment_due: Option<NaiveDate>,
    #[serde(with = "clickhouse::serde::chrono::datetime::option")]
    pub stopped_at: Option<DateTime<Utc>>,
    pub exceptions: String,
}

/// The remissions of one service (or all) and one fiscal year (or all), ordered by year,
/// service, standard and case.
pub async fn remissions(
    client: &Client,
    service_id: Option<&str>,
    fiscal_year: Option<u16>,
) -> Result<Vec<RemissionRow>, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT service_id, policy, case_ref, service_option, currency, fee, refund_tier, \
             refund_percent, refund_amount, late_days, remission, fiscal_year, payment_due, \
             stopped_at, exceptions \
             FROM {NAME} FINAL \
             WHERE remission != '' AND (? = '' OR service_id = ?) AND (? = 0 OR fiscal_year = ?) \
             ORDER BY fiscal_year, service_id, policy, case_ref"
        ))
        .bind(service_id.unwrap_or_default())
        .bind(service_id.unwrap_or_default())
        .bind(fiscal_year.unwrap_or(0))
        .bind(fiscal_year.unwrap_or(0))
        .fetch_all()
        .await
}

/// An open case as the breach forecast queues it (day limits only).
#[derive(Debug, Clone, Row, Deserialize)]
pub struct QueuedRow {
    pub service_option: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub started_at: DateTime<Utc>,
    #[serde(with = "clickhouse::serde::chrono::date")]
    pub due_date: NaiveDate,
    #[serde(with = "clickhouse::serde::chrono::datetime::option")]
    pub due_at: Option<DateTime<Utc>>,
    /// Its status now (for a back-test: whether it ended breached).
    pub status: String,
}

/// The cases of a service and policy open at `as_of` with a day limit: started by then,
/// not stopped before it, neither withdrawn nor without a due date. For `as_of` in the
/// past (a back-test) "open" is judged from the start and stop times stored now.
pub async fn open_at(
    client: &Client,
    service_id: &str,
    policy: &str,
    as_of: DateTime<Utc>,
) -> Result<Vec<QueuedRow>, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT service_option, assumeNotNull(started_at), assumeNotNull(due_date), due_at, status \
             FROM {NAME} FINAL \
             WHERE service_id = ? AND policy = ? AND unit IN ('business_days', 'calendar_days') \
             AND status NOT IN ('{withdrawn}', '{not_started}') AND NOT isNull(due_date) \
             AND started_at <= toDateTime(?) AND (isNull(stopped_at) OR stopped_at > toDateTime(?))",
            withdrawn = Status::Withdrawn.as_str(),
            not_started = Status::NotStarted.as_str(),
        ))
        .bind(service_id)
        .bind(policy)
        .bind(as_of.timestamp())
        .bind(as_of.timestamp())
        .fetch_all()
        .await
}

/// A case that fell due: its option, when its clock started and stopped (none while open)
/// and its due date.
#[derive(Debug, Clone, Row, Deserialize)]
pub struct FellDue {
    pub service_option: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub started_at: DateTime<Utc>,
    #[serde(with = "clickhouse::serde::chrono::datetime::option")]
    pub stopped_at: Option<DateTime<Utc>>,
    #[serde(with = "clickhouse::serde::chrono::date")]
    pub due_date: NaiveDate,
}

/// The cases of a service and policy with a day limit due on a date in `[from, to)`,
/// neither withdrawn nor not started: the cases whose lateness the forecast's spread of
/// durations is measured from.
pub async fn due_between(
    client: &Client,
    service_id: &str,
    policy: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<FellDue>, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT service_option, assumeNotNull(started_at), stopped_at, assumeNotNull(due_date) \
             FROM {NAME} FINAL \
             WHERE service_id = ? AND policy = ? AND unit IN ('business_days', 'calendar_days') \
             AND status NOT IN ('{withdrawn}', '{not_started}') \
             AND NOT isNull(due_date) AND NOT isNull(started_at) \
             AND due_date >= toDate(?) AND due_date < toDate(?)",
            withdrawn = Status::Withdrawn.as_str(),
            not_started = Status::NotStarted.as_str(),
        ))
        .bind(service_id)
        .bind(policy)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all()
        .await
}

/// A closed case's option and when it closed.
#[derive(Debug, Clone, Row, Deserialize)]
pub struct Completion {
    pub service_option: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub stopped_at: DateTime<Utc>,
}

/// When each case of a service and policy closed within `[from, to)`, with its option: the
/// completions the forecast's throughput is measured from.
pub async fn completions(
    client: &Client,
    service_id: &str,
    policy: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Completion>, clickhouse::error::Error> {
    client
        .query(&format!(
            "SELECT service_option, assumeNotNull(stopped_at) FROM {NAME} FINAL \
             WHERE service_id = ? AND policy = ? AND status IN ({closed}) \
             AND stopped_at >= toDateTime(?) AND stopped_at < toDateTime(?)",
            closed = Status::sql_list(&Status::CLOSED),
        ))
        .bind(service_id)
        .bind(policy)
        .bind(from.timestamp())
        .bind(to.timestamp())
        .fetch_all()
        .await
}
