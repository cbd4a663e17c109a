//! Incremental SLA evaluation: each run reads the milestones of the cases that changed
//! since the last run (by ClickHouse's `inserted_at`) plus every open case last evaluated
//! before today (its elapsed days grow with the calendar, once a day), evaluates them with
//! the pure rules and stores the results. A policy whose fingerprint changed is
//! re-evaluated from all raw milestones.

use std::collections::HashSet;

use chrono::{DateTime, TimeZone, Utc};
use civicpulse_core::calendar::local_date;
use civicpulse_core::event::{MilestoneKind, Outcome};
use civicpulse_core::sla::SlaPolicy;
use civicpulse_core::{Catalog, EventKind, Service};
use clickhouse::{Client, Row};
use serde::Deserialize;

use super::rules::{evaluate, CaseMilestone};
use super::store::{SlaCaseRow, SlaRunRow};
use crate::checkpoint::{self, Checkpoint};
use crate::supersede;
use civicpulse_core::sla::Status;

#[derive(Debug, thiserror::Error)]
pub enum EvaluateError {
    #[error("ClickHouse: {0}")]
    ClickHouse(#[from] clickhouse::error::Error),
    #[error("service `{service}` refers to calendar `{calendar}`, which the catalog lacks")]
    MissingCalendar { service: String, calendar: String },
}

/// What one run did, per service and policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRun {
    pub service_id: String,
    pub policy: String,
    pub full: bool,
    pub evaluated_cases: u64,
}

#[derive(Debug, Row, Deserialize)]
struct MilestoneRead {
    case_ref: String,
    milestone: String,
    occurred_at: u32,
    channel: String,
    region: String,
    outcome: String,
}

/// One case's milestones as read, with the channel and region of its earliest one (the
/// case's own, for breakdowns).
struct CaseRead {
    case_ref: String,
    milestones: Vec<CaseMilestone>,
    first_at: u32,
    channel: String,
    region: String,
}

impl CaseRead {
    fn start(read: MilestoneRead, first: CaseMilestone) -> Self {
        CaseRead {
            case_ref: read.case_ref,
            milestones: vec![first],
            first_at: read.occurred_at,
            channel: read.channel,
            region: read.region,
        }
    }

    /// A case none of whose milestones counts any more (each was re-sent to another service
    /// or case): evaluated with none, so it stops counting as met or breached.
    fn emptied(case_ref: String) -> Self {
        CaseRead {
            case_ref,
            milestones: Vec::new(),
            first_at: 0,
            channel: String::new(),
            region: String::new(),
        }
    }

    fn add(&mut self, read: MilestoneRead, milestone: CaseMilestone) {
        self.milestones.push(milestone);
        if read.occurred_at < self.first_at {
            self.first_at = read.occurred_at;
            self.channel = read.channel;
            self.region = read.region;
        }
    }
}

/// Evaluates every SLA policy of every catalog service once.
pub async fn run_once(
    client: &Client,
    catalog: &Catalog,
    now: DateTime<Utc>,
) -> Result<Vec<PolicyRun>, EvaluateError> {
    let mut runs = Vec::new();
    for service in &catalog.services {
        for policy in &service.sla {
            runs.push(run_policy(client, catalog, service, policy, now).await?);
        }
    }
    Ok(runs)
}

/// A fingerprint of everything a policy's results depend on besides the milestones.
fn fingerprint(catalog: &Catalog, service: &Service, policy: &SlaPolicy) -> String {
    let inputs = serde_json::json!({
        "policy": policy,
        "calendar": catalog.calendar(&service.calendar),
        "time_zone": service.time_zone.name(),
        // Bumped when `sla_cases` gains columns, so every case is written again with them.
        "row_version": 2,
    });
    checkpoint::fingerprint(&inputs)
}

async fn run_policy(
    client: &Client,
    catalog: &Catalog,
    service: &Service,
    policy: &SlaPolicy,
    now: DateTime<Utc>,
) -> Result<PolicyRun, EvaluateError> {
    let calendar =
        catalog
            .calendar(&service.calendar)
            .ok_or_else(|| EvaluateError::MissingCalendar {
                service: service.id.clone(),
                calendar: service.calendar.clone(),
            })?;
    // Re-evaluating a case is idempotent, so re-reading the checkpoint's second is safe.
    let checkpoint = Checkpoint::begin(
        client,
        "sla_runs",
        "service_id = ? AND policy = ?",
        &[&service.id, &policy.id],
        fingerprint(catalog, service, policy),
    )
    .await?;
    let incremental_from = checkpoint.since;

    // Only the counting version of a re-sent milestone (see `supersede`).
    let live = supersede::live_rows(EventKind::Milestone);
    let mut cursor = match incremental_from {
        None => client
            .query(&format!(
                "SELECT case_ref, milestone, toUInt32(occurred_at), channel, region, outcome FROM milestones FINAL \
                 WHERE service_id = ? AND {live} ORDER BY case_ref",
            ))
            .bind(&service.id)
            .fetch::<MilestoneRead>()?,
        Some(watermark) => client
            .query(&format!(
                "SELECT case_ref, milestone, toUInt32(occurred_at), channel, region, outcome FROM milestones FINAL \
                 WHERE service_id = ? AND {live} AND case_ref IN ( \
                   SELECT case_ref FROM milestones WHERE service_id = ? AND inserted_at >= toDateTime(?) \
                   UNION ALL \
                   SELECT case_ref FROM ({decided}) \
                   UNION ALL \
                   SELECT case_ref FROM sla_cases FINAL WHERE service_id = ? AND policy = ? \
                     AND status IN ({open}) AND isNull(stopped_at) \
                     AND evaluated_at < toDateTime(?)) \
                 ORDER BY case_ref",
                decided = supersede::decided_since(EventKind::Milestone),
                open = Status::sql_list(&Status::OPEN),
            ))
            .bind(&service.id)
            .bind(&service.id)
            .bind(watermark)
            .bind(&service.id)
            .bind(watermark)
            .bind(&service.id)
            .bind(&policy.id)
            .bind(local_midnight(now, service.time_zone).timestamp())
            .fetch::<MilestoneRead>()?,
    };

    // Cases that lost a milestone to a later version elsewhere; those the cursor does not
    // return have none left.
    let mut emptied: HashSet<String> = client
        .query(
            "SELECT DISTINCT case_ref FROM superseded_events FINAL \
             WHERE kind = 'milestone' AND service_id = ? AND superseded = 1 AND inserted_at >= toDateTime(?)",
        )
        .bind(&service.id)
        .bind(incremental_from.unwrap_or(0))
        .fetch_all::<String>()
        .await?
        .into_iter()
        .collect();
    let today = local_date(now, service.time_zone);
    let to_row = |case: CaseRead| {
        let evaluation = evaluate(policy, calendar, service.time_zone, &case.milestones, today);
        let mut row = SlaCaseRow::new(
            &service.id,
            &policy.id,
            &policy.currency,
            case.case_ref,
            &evaluation,
            now,
        );
        row.channel = case.channel;
        row.region = case.region;
        row
    };
    // Each case is written as soon as its last milestone is read (the cursor is ordered by
    // case), so memory holds one case, not the run.
    let mut writer = CaseWriter::new(client);
    let mut case: Option<CaseRead> = None;
    while let Some(read) = cursor.next().await? {
        let Some(kind) = parse_milestone(&read.milestone) else {
            continue;
        };
        let at = DateTime::from_timestamp(i64::from(read.occurred_at), 0).unwrap_or(now);
        let milestone = CaseMilestone {
            at,
            kind,
            outcome: parse_outcome(&read.outcome),
        };
        match &mut case {
            Some(current) if current.case_ref == read.case_ref => current.add(read, milestone),
            _ => {
                if let Some(done) = case.take() {
                    writer.write(&to_row(done)).await?;
                }
                emptied.remove(&read.case_ref);
                case = Some(CaseRead::start(read, milestone));
            }
        }
    }
    if let Some(done) = case.take() {
        writer.write(&to_row(done)).await?;
    }
    for case_ref in emptied {
        writer.write(&to_row(CaseRead::emptied(case_ref))).await?;
    }
    let evaluated_cases = writer.end().await?;

    let mut insert = client.insert::<SlaRunRow>("sla_runs").await?;
    insert
        .write(&SlaRunRow {
            service_id: service.id.clone(),
            policy: policy.id.clone(),
            watermark: checkpoint.watermark(),
            fingerprint: checkpoint.fingerprint,
            evaluated_cases,
            finished_at: Utc::now(),
        })
        .await?;
    insert.end().await?;
    tracing::info!(service = %service.id, policy = %policy.id, full = incremental_from.is_none(), evaluated_cases, "SLA evaluated");
    Ok(PolicyRun {
        service_id: service.id.clone(),
        policy: policy.id.clone(),
        full: incremental_from.is_none(),
        evaluated_cases,
    })
}

/// Streams evaluated cases into `sla_cases`, opening the INSERT on the first one.
struct CaseWriter<'a> {
    client: &'a Client,
    insert: Option<clickhouse::insert::Insert<SlaCaseRow>>,
    written: u64,
}

impl<'a> CaseWriter<'a> {
    fn new(client: &'a Client) -> Self {
        CaseWriter {
            client,
            insert: None,
            written: 0,
        }
    }

    async fn write(&mut self, row: &SlaCaseRow) -> Result<(), clickhouse::error::Error> {
        if self.insert.is_none() {
            self.insert = Some(self.client.insert::<SlaCaseRow>("sla_cases").await?);
        }
        if let Some(insert) = &mut self.insert {
            insert.write(row).await?;
        }
        self.written += 1;
        Ok(())
    }

    /// Finishes the INSERT; the number of cases written.
    async fn end(self) -> Result<u64, clickhouse::error::Error> {
        if let Some(insert) = self.insert {
            insert.end().await?;
        }
        Ok(self.written)
    }
}

/// The instant today began in the service's time zone. An open case evaluated since then
/// is unchanged until a milestone arrives or the date turns, so it is not read again.
fn local_midnight(now: DateTime<Utc>, zone: chrono_tz::Tz) -> DateTime<Utc> {
    let today = local_date(now, zone);
    zone.from_local_datetime(&today.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .earliest()
        // A zone that skips midnight (DST at 00:00) starts the day at 01:00.
        .or_else(|| {
            zone.from_local_datetime(&today.and_hms_opt(1, 0, 0)?)
                .earliest()
        })
        .map_or(now, |t| t.with_timezone(&Utc))
}

/// `''` (no outcome) and unknown values are None.
fn parse_outcome(name: &str) -> Option<Outcome> {
    name.parse().ok()
}

fn parse_milestone(name: &str) -> Option<MilestoneKind> {
    name.parse().ok()
}
