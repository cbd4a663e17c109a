//! Keeps the daily rollups (`matrix_*_daily`, see migration 0003) up to date.
//!
//! Per service and rollup, each run finds the local days that changed since the last run — raw rows
//! inserted since the watermark (ClickHouse's own `inserted_at`), and closed SLA cases
//! written since — and recomputes those whole days from the deduplicated raw tables with
//! `INSERT … SELECT` inside ClickHouse (no raw row crosses the network). Keys of a day that
//! no longer occur are overwritten with zeros. A service whose inputs (time zone, standard)
//! changed is rebuilt from all its days.

use chrono::{DateTime, Utc};
use civicpulse_core::dimension::Question;
use civicpulse_core::event::Channel;
use civicpulse_core::{Catalog, EventKind, Service};
use clickhouse::query::Query;
use clickhouse::{Client, Row};
use serde::{Deserialize, Serialize};

use crate::checkpoint::{self, Checkpoint};
use crate::supersede;
use civicpulse_core::sla::Status;

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

#[derive(Debug, Row, Serialize)]
struct RunRow {
    service_id: String,
    fingerprint: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    watermark: DateTime<Utc>,
    days_refreshed: u64,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    finished_at: DateTime<Utc>,
}

/// Refreshes the rollups of every catalog service.
pub async fn refresh_all(
    client: &Client,
    catalog: &Catalog,
) -> Result<Vec<RollupRun>, RollupError> {
    let mut runs = Vec::with_capacity(catalog.services.len());
    for service in &catalog.services {
        runs.push(refresh_service(client, service).await?);
    }
    Ok(runs)
}

/// Everything a service's rollups depend on besides raw rows.
fn fingerprint(service: &Service) -> String {
    let inputs = serde_json::json!({
        "time_zone": service.time_zone.name(),
        "policy": service.sla.first().map(|p| &p.id),
        "digital": digital_channels(),
        "rollup_version": 1,
    });
    checkpoint::fingerprint(&inputs)
}

pub async fn refresh_service(client: &Client, service: &Service) -> Result<RollupRun, RollupError> {
    // Recomputing a day twice gives the same rollup, so re-reading the rows of the
    // checkpoint's second misses nothing and counts nothing twice.
    let checkpoint = Checkpoint::begin(
        client,
        "matrix_runs",
        "service_id = ?",
        &[&service.id],
        fingerprint(service),
    )
    .await?;
    let since = checkpoint.since_or_start();
    let changed = changed_days(client, service, since).await?;
    let version = Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64;
    let slice = |days| DaySlice {
        service,
        days,
        version,
    };
    if !changed.feedback.is_empty() {
        slice(&changed.feedback).refresh_feedback(client).await?;
    }
    if !changed.activity.is_empty() {
        slice(&changed.activity).refresh_activity(client).await?;
    }
    if !changed.sla.is_empty() {
        slice(&changed.sla).refresh_sla(client).await?;
    }
    let days: std::collections::BTreeSet<&String> = changed
        .feedback
        .iter()
        .chain(&changed.activity)
        .chain(&changed.sla)
        .collect();
    let mut insert = client.insert::<RunRow>("matrix_runs").await?;
    insert
        .write(&RunRow {
            service_id: service.id.clone(),
            watermark: checkpoint.watermark(),
            fingerprint: checkpoint.fingerprint,
            days_refreshed: days.len() as u64,
            finished_at: Utc::now(),
        })
        .await?;
    insert.end().await?;
    tracing::info!(service = %service.id, full = since == 0, days = days.len(), "matrix rollups refreshed");
    Ok(RollupRun {
        service_id: service.id.clone(),
        full: since == 0,
        days_refreshed: days.len() as u64,
    })
}

/// Up to this many days, a feedback refresh joins only the cases answered on them.
const FEW_DAYS: usize = 7;

/// The local days (`YYYY-MM-DD`) each rollup must recompute.
#[derive(Debug, Default)]
struct ChangedDays {
    /// Responses inserted, or responses whose case closed (or was re-evaluated) since.
    feedback: Vec<String>,
    /// Transactions or milestones inserted.
    activity: Vec<String>,
    /// Closed cases written since.
    sla: Vec<String>,
}

#[derive(Debug, Row, Deserialize)]
struct ChangedDay {
    rollup: String,
    day: String,
}

/// Each rollup's days with inputs written since `since` (0: every day with data).
async fn changed_days(
    client: &Client,
    service: &Service,
    since: u32,
) -> Result<ChangedDays, RollupError> {
    let zone = service.time_zone.name();
    let policy = service.sla.first().map_or("", |p| p.id.as_str());
    let rows: Vec<ChangedDay> = client
        .query(&format!(
            "SELECT DISTINCT rollup, day FROM ( \
               SELECT 'feedback' AS rollup, toString(toDate(occurred_at, ?)) AS day FROM feedback \
                 WHERE service_id = ? AND inserted_at >= toDateTime(?) \
               UNION ALL SELECT 'activity' AS rollup, toString(toDate(occurred_at, ?)) AS day FROM offered \
                 WHERE service_id = ? AND inserted_at >= toDateTime(?) \
               UNION ALL SELECT 'activity' AS rollup, toString(toDate(occurred_at, ?)) AS day FROM milestones \
                 WHERE service_id = ? AND inserted_at >= toDateTime(?) \
               UNION ALL SELECT 'sla' AS rollup, toString(toDate(assumeNotNull(stopped_at), ?)) AS day FROM sla_cases \
                 WHERE service_id = ? AND policy = ? AND written_at >= toDateTime(?) AND isNotNull(stopped_at) \
               UNION ALL SELECT 'feedback' AS rollup, toString(toDate(occurred_at, ?)) AS day FROM feedback \
                 WHERE service_id = ? AND case_ref IN ( \
                   SELECT case_ref FROM sla_cases WHERE service_id = ? AND policy = ? \
                     AND written_at >= toDateTime(?) AND isNotNull(stopped_at)) \
               UNION ALL SELECT 'feedback' AS rollup, toString(toDate(occurred_at, ?)) AS day FROM ({feedback_decided}) \
               UNION ALL SELECT 'activity' AS rollup, toString(toDate(occurred_at, ?)) AS day FROM ({offered_decided}) \
               UNION ALL SELECT 'activity' AS rollup, toString(toDate(occurred_at, ?)) AS day FROM ({milestone_decided})) \
             ORDER BY rollup, day",
            feedback_decided = supersede::decided_since(EventKind::Feedback),
            offered_decided = supersede::decided_since(EventKind::Offered),
            milestone_decided = supersede::decided_since(EventKind::Milestone),
        ))
        .bind(zone).bind(&service.id).bind(since)
        .bind(zone).bind(&service.id).bind(since)
        .bind(zone).bind(&service.id).bind(since)
        .bind(zone).bind(&service.id).bind(policy).bind(since)
        .bind(zone).bind(&service.id).bind(&service.id).bind(policy).bind(since)
        // Days of re-sent events whose counting version changed (both versions' days).
        .bind(zone).bind(&service.id).bind(since)
        .bind(zone).bind(&service.id).bind(since)
        .bind(zone).bind(&service.id).bind(since)
        .fetch_all()
        .await?;
    let mut changed = ChangedDays::default();
    for row in rows {
        match row.rollup.as_str() {
            "feedback" => changed.feedback.push(row.day),
            "activity" => changed.activity.push(row.day),
            _ => changed.sla.push(row.day),
        }
    }
    Ok(changed)
}

fn digital_channels() -> Vec<&'static str> {
    Channel::ALL
        .iter()
        .filter(|c| c.is_digital())
        .map(|c| c.as_str())
        .collect()
}

/// The days of one service being recomputed, and the version their rows carry.
struct DaySlice<'a> {
    service: &'a Service,
    days: &'a [String],
    version: u64,
}

impl DaySlice<'_> {
    fn zone(&self) -> &str {
        self.service.time_zone.name()
    }

    fn policy(&self) -> &str {
        self.service.sla.first().map_or("", |p| p.id.as_str())
    }

    /// The condition "a row of this service on these days", for raw tables with
    /// `occurred_at`; its placeholders are bound by `bind_on_days`, in this order.
    ///
    /// Before the exact day test come bounds that cover the days in any time zone (a day
    /// either side), so that ClickHouse prunes partitions and key ranges first. The
    /// `toDate(occurred_at)` terms repeat the sorting key's own expression: 18.16 prunes
    /// by them under FINAL, where it does not derive them from `occurred_at`. The bounds'
    /// days are `YYYY-MM-DD` strings ClickHouse itself produced.
    fn on_days(&self) -> String {
        let first = self.days.first().cloned().unwrap_or_default();
        let last = self.days.last().cloned().unwrap_or_default();
        format!(
            "service_id = ? \
             AND occurred_at >= toDateTime(toDate('{first}')) - 86400 \
             AND occurred_at < toDateTime(toDate('{last}')) + 2 * 86400 \
             AND toDate(occurred_at) >= toDate('{first}') - 1 AND toDate(occurred_at) <= toDate('{last}') + 1 \
             AND has(?, toString(toDate(occurred_at, ?)))"
        )
    }

    fn bind_on_days(&self, query: Query) -> Query {
        query
            .bind(&self.service.id)
            .bind(self.days)
            .bind(self.zone())
    }

    async fn refresh_feedback(&self, client: &Client) -> Result<(), RollupError> {
        let questions: Vec<String> = Question::ALL
            .iter()
            .map(|q| {
                let q = q.as_str();
                format!(
                    "countIf(isNotNull({q})), sum(toUInt64(ifNull({q}, 0))), \
                     sum(toUInt64(ifNull({q}, 0)) * toUInt64(ifNull({q}, 0))), countIf(ifNull({q}, 0) >= 4)"
                )
            })
            .collect();
        let on_days = self.on_days();
        // A few days (the usual incremental run): join only the cases answered on them, so
        // the joined table stays small. Many days (a rebuild): most cases are answered
        // anyway, and gathering their references would cost more than it saves.
        let only_answered = self.days.len() <= FEW_DAYS;
        let answered_cases = if only_answered {
            format!("AND case_ref IN (SELECT case_ref FROM feedback WHERE {on_days})")
        } else {
            String::new()
        };
        let sql = format!(
            "INSERT INTO matrix_feedback_daily \
             SELECT service_id, day, grp.1 AS group_kind, grp.2 AS group_value, sla_outcome, count(), {questions}, ? \
             FROM ( \
               SELECT *, arrayJoin([('all', ''), ('channel', channel), ('region', region), ('age_band', age_band), \
                   ('disability', multiIf(isNull(disability), '', disability = 1, 'yes', 'no')), ('language', language)]) AS grp \
               FROM ( \
                 SELECT *, toDate(occurred_at, ?) AS day FROM feedback FINAL WHERE {on_days} AND {live_feedback}) \
               ANY LEFT JOIN ( \
                 SELECT case_ref, outcome AS sla_outcome FROM ( \
                   SELECT case_ref, argMax(status, written_at) AS outcome, \
                     argMax(isNotNull(stopped_at), written_at) AS closed \
                   FROM sla_cases \
                   WHERE service_id = ? AND policy = ? AND case_ref != '' {answered_cases} \
                   GROUP BY case_ref) \
                 WHERE closed = 1 AND outcome IN ({closed})) \
               USING case_ref) \
             GROUP BY service_id, day, group_kind, group_value, sla_outcome",
            questions = questions.join(", "),
            live_feedback = supersede::live_rows(EventKind::Feedback),
            closed = Status::sql_list(&Status::CLOSED),
        );
        let query = client.query(&sql).bind(self.version).bind(self.zone());
        let mut query = self
            .bind_on_days(query)
            .bind(&self.service.id)
            .bind(self.policy());
        if only_answered {
            query = self.bind_on_days(query);
        }
        query.execute().await?;
        self.zero_vanished(
            client,
            "matrix_feedback_daily",
            "group_kind, group_value, sla_outcome",
        )
        .await
    }

    async fn refresh_activity(&self, client: &Client) -> Result<(), RollupError> {
        let on_days = self.on_days();
        let digital = digital_channels()
            .iter()
            .map(|c| format!("'{c}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO matrix_activity_daily \
             SELECT service_id, day, grp.1 AS group_kind, grp.2 AS group_value, \
               sum(transactions), sum(surveys_offered), sum(digital), sum(received), sum(decided), sum(error_or_rework), ? \
             FROM ( \
               SELECT *, arrayJoin(if(has_region = 1, \
                   [('all', ''), ('channel', channel), ('region', region)], \
                   [('all', ''), ('channel', channel)])) AS grp \
               FROM ( \
                 SELECT service_id, toDate(occurred_at, ?) AS day, channel, materialize('') AS region, \
                   materialize(toUInt8(0)) AS has_region, materialize(toUInt64(1)) AS transactions, \
                   toUInt64(survey_offered) AS surveys_offered, toUInt64(channel IN ({digital})) AS digital, \
                   materialize(toUInt64(0)) AS received, materialize(toUInt64(0)) AS decided, \
                   materialize(toUInt64(0)) AS error_or_rework \
                 FROM offered FINAL WHERE {on_days} AND {live_offered} \
                 UNION ALL \
                 SELECT service_id, toDate(occurred_at, ?) AS day, channel, region, materialize(toUInt8(1)) AS has_region, \
                   materialize(toUInt64(0)), materialize(toUInt64(0)), materialize(toUInt64(0)), \
                   toUInt64(milestone = 'received'), toUInt64(milestone = 'decided'), \
                   toUInt64(milestone = 'decided' AND outcome IN ('error', 'rework')) \
                 FROM milestones FINAL WHERE {on_days} AND {live_milestones})) \
             GROUP BY service_id, day, group_kind, group_value",
            live_offered = supersede::live_rows(EventKind::Offered),
            live_milestones = supersede::live_rows(EventKind::Milestone),
        );
        let query = client.query(&sql).bind(self.version).bind(self.zone());
        let query = self.bind_on_days(query).bind(self.zone());
        self.bind_on_days(query).execute().await?;
        self.zero_vanished(client, "matrix_activity_daily", "group_kind, group_value")
            .await
    }

    async fn refresh_sla(&self, client: &Client) -> Result<(), RollupError> {
        let sql = format!(
            "INSERT INTO matrix_sla_daily \
             SELECT service_id, day, grp.1 AS group_kind, grp.2 AS group_value, elapsed_days, \
               countIf(status = '{met}'), countIf(status = '{breached}'), ? \
             FROM ( \
               SELECT service_id, toDate(assumeNotNull(stopped_at), ?) AS day, elapsed_days, status, \
                 arrayJoin([('all', ''), ('channel', channel), ('region', region)]) AS grp \
               FROM sla_cases FINAL \
               WHERE service_id = ? AND policy = ? AND status IN ({closed}) AND isNotNull(stopped_at) \
                 AND has(?, toString(toDate(assumeNotNull(stopped_at), ?)))) \
             GROUP BY service_id, day, group_kind, group_value, elapsed_days",
            met = Status::Met.as_str(),
            breached = Status::Breached.as_str(),
            closed = Status::sql_list(&Status::CLOSED),
        );
        client
            .query(&sql)
            .bind(self.version)
            .bind(self.zone())
            .bind(&self.service.id)
            .bind(self.policy())
            .bind(self.days)
            .bind(self.zone())
            .execute()
            .await?;
        self.zero_vanished(
            client,
            "matrix_sla_daily",
            "group_kind, group_value, elapsed_days",
        )
        .await
    }

    /// Keys of the recomputed days that this run did not write (their rows vanished, e.g.
    /// a response whose case moved from open to met) are overwritten with zeros.
    async fn zero_vanished(
        &self,
        client: &Client,
        table: &str,
        keys: &str,
    ) -> Result<(), RollupError> {
        let sql = format!(
            "INSERT INTO {table} (service_id, day, {keys}, version) \
             SELECT service_id, day, {keys}, ? FROM {table} FINAL \
             WHERE service_id = ? AND has(?, toString(day)) AND version < ?"
        );
        client
            .query(&sql)
            .bind(self.version)
            .bind(&self.service.id)
            .bind(self.days)
            .bind(self.version)
            .execute()
            .await?;
        Ok(())
    }
}
