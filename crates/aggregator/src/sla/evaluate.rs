//! Incremental SLA evaluation: each run reads the milestones of the cases that changed
//! since the last run (by ClickHouse's `inserted_at`) plus every open case last evaluated
//! before today (its elapsed days grow with the calendar, once a day), evaluates them with
//! the pure rules and stores the results. A policy whose fingerprint changed is
//! re-evaluated from all raw milestones.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use civicpulse_core::calendar::{local_date, local_midnight};
use civicpulse_core::event::{MilestoneKind, Outcome};
use civicpulse_core::exception::{self, Exception};
use civicpulse_core::sla::SlaPolicy;
use civicpulse_core::{Catalog, Service};
use civicpulse_store::checkpoint;
use civicpulse_store::tables::milestones::{self, CaseMilestoneRead as MilestoneRead, CasesToRead};
use civicpulse_store::tables::sla_cases::{self, CaseWriter, SlaCaseRow};
use civicpulse_store::tables::sla_runs::{self, SlaRunRow};
use civicpulse_store::tables::{sla_exceptions, superseded_events};
use clickhouse::Client;

use civicpulse_analytics::sla::rules::{
    evaluate, opening_schedule, CaseMilestone, Evaluation, EvaluationContext,
};

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

/// One case's milestones as read, with the channel and region of its earliest one (the
/// case's own, for breakdowns).
struct CaseRead {
    case_ref: String,
    milestones: Vec<CaseMilestone>,
    first_at: u32,
    channel: String,
    region: String,
    /// The service option of the case's earliest `received` or `complete` milestone that
    /// names one, with that milestone's time: the option the case started with.
    option: Option<(u32, String)>,
}

impl CaseRead {
    fn start(read: MilestoneRead, first: CaseMilestone) -> Self {
        let mut case = CaseRead {
            case_ref: read.case_ref.clone(),
            milestones: Vec::new(),
            first_at: read.occurred_at,
            channel: read.channel.clone(),
            region: read.region.clone(),
            option: None,
        };
        case.add(read, first);
        case
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
            option: None,
        }
    }

    fn add(&mut self, read: MilestoneRead, milestone: CaseMilestone) {
        self.milestones.push(milestone);
        let starts = matches!(
            milestone.kind,
            MilestoneKind::Received | MilestoneKind::Complete
        );
        let earlier = self
            .option
            .as_ref()
            .is_none_or(|(at, _)| read.occurred_at < *at);
        if starts && earlier && !read.service_option.is_empty() {
            self.option = Some((read.occurred_at, read.service_option.clone()));
        }
        if read.occurred_at < self.first_at {
            self.first_at = read.occurred_at;
            self.channel = read.channel;
            self.region = read.region;
        }
    }
}

/// Evaluates every SLA policy of every catalog service once. Milestones before
/// `raw_kept_from` may be gone to retention: a case that began before it and was still
/// open then keeps its stored evaluation rather than be judged on what is left.
pub async fn run_once(
    client: &Client,
    catalog: &Catalog,
    now: DateTime<Utc>,
    raw_kept_from: DateTime<Utc>,
) -> Result<Vec<PolicyRun>, EvaluateError> {
    let changes = sla_exceptions::changes(client).await?;
    let in_force = exception::effective(
        &catalog.exceptions,
        changes.iter().map(sla_exceptions::ExceptionRow::change),
    );
    let mut runs = Vec::new();
    for service in &catalog.services {
        let exceptions = exception::for_service(&in_force, &service.id);
        for policy in &service.sla {
            runs.push(
                run_policy(
                    client,
                    catalog,
                    service,
                    policy,
                    &exceptions,
                    now,
                    raw_kept_from,
                )
                .await?,
            );
        }
    }
    Ok(runs)
}

/// A fingerprint of everything a policy's results depend on besides the milestones: a new
/// or withdrawn exception re-evaluates the service's cases.
fn fingerprint(
    catalog: &Catalog,
    service: &Service,
    policy: &SlaPolicy,
    exceptions: &[Exception],
) -> String {
    let inputs = serde_json::json!({
        "policy": policy,
        "calendar": catalog.calendar(&service.calendar),
        "time_zone": service.time_zone.name(),
        "exceptions": exceptions,
        "remissions": catalog.remissions,
        // Bumped when `sla_cases` gains columns or a rule changes what a row holds, so every
        // case is written again (5: a late case owing no refund is no remission).
        "row_version": 5,
    });
    checkpoint::fingerprint(&inputs)
}

async fn run_policy(
    client: &Client,
    catalog: &Catalog,
    service: &Service,
    policy: &SlaPolicy,
    exceptions: &[Exception],
    now: DateTime<Utc>,
    raw_kept_from: DateTime<Utc>,
) -> Result<PolicyRun, EvaluateError> {
    let calendar =
        catalog
            .calendar(&service.calendar)
            .ok_or_else(|| EvaluateError::MissingCalendar {
                service: service.id.clone(),
                calendar: service.calendar.clone(),
            })?;
    // Re-evaluating a case is idempotent, so re-reading the checkpoint's second is safe.
    let checkpoint = sla_runs::checkpoint(
        client,
        &service.id,
        &policy.id,
        fingerprint(catalog, service, policy, exceptions),
    )
    .await?;
    let incremental_from = checkpoint.since;
    let cases = match incremental_from {
        None => CasesToRead::All,
        Some(watermark) => {
            let last_as_of = sla_runs::last_as_of(client, &service.id, &policy.id).await?;
            CasesToRead::ChangedSince {
                watermark,
                open_evaluated_before: open_cases_to_reread(last_as_of, now, service.time_zone),
                occurred_after: dated_after(last_as_of, now),
            }
        }
    };
    let as_of_second = u32::try_from(now.timestamp()).unwrap_or(u32::MAX);
    let mut cursor = milestones::cases_cursor(client, &service.id, &policy.id, cases).await?;

    // Cases that lost a milestone to a later version elsewhere; those the cursor does not
    // return have none left.
    let mut emptied: HashSet<String> = superseded_events::cases_losing_milestones(
        client,
        &service.id,
        checkpoint.since_or_start(),
    )
    .await?
    .into_iter()
    .collect();
    let spanning: HashSet<String> =
        sla_cases::spanning(client, &service.id, &policy.id, raw_kept_from)
            .await?
            .into_iter()
            .collect();
    emptied.retain(|case_ref| !spanning.contains(case_ref));
    let schedule = opening_schedule(policy, calendar, service.time_zone, now);
    let context = EvaluationContext {
        policy,
        calendar,
        zone: service.time_zone,
        exceptions,
        remissions: &catalog.remissions,
        schedule: schedule.as_ref(),
    };
    let to_row = |case: CaseRead| {
        let option = case.option.as_ref().map(|(_, o)| o.as_str());
        let evaluation = evaluate(&context, &case.milestones, option, now);
        case_row(service, policy, case, &evaluation, now)
    };
    // Each case is written as soon as its last milestone is read (the cursor is ordered by
    // case), so memory holds one case, not the run.
    let mut writer = CaseWriter::new(client);
    let mut case: Option<CaseRead> = None;
    while let Some(read) = cursor.next().await? {
        // A point in time: a milestone dated after `now` had not happened yet. A case
        // with none before it did not exist then.
        if read.occurred_at > as_of_second {
            if case.as_ref().is_none_or(|c| c.case_ref != read.case_ref) {
                emptied.insert(read.case_ref);
            }
            continue;
        }
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
                if let Some(done) = case.take().filter(|c| !spanning.contains(&c.case_ref)) {
                    writer.write(&to_row(done)).await?;
                }
                emptied.remove(&read.case_ref);
                case = Some(CaseRead::start(read, milestone));
            }
        }
    }
    if let Some(done) = case.take().filter(|c| !spanning.contains(&c.case_ref)) {
        writer.write(&to_row(done)).await?;
    }
    for case_ref in emptied {
        writer.write(&to_row(CaseRead::emptied(case_ref))).await?;
    }
    let evaluated_cases = writer.end().await?;

    sla_runs::record(
        client,
        &SlaRunRow {
            service_id: service.id.clone(),
            policy: policy.id.clone(),
            watermark: checkpoint.watermark(),
            fingerprint: checkpoint.fingerprint,
            evaluated_cases,
            finished_at: Utc::now(),
            as_of: now,
        },
    )
    .await?;
    tracing::info!(service = %service.id, policy = %policy.id, full = incremental_from.is_none(), evaluated_cases, "SLA evaluated");
    Ok(PolicyRun {
        service_id: service.id.clone(),
        policy: policy.id.clone(),
        full: incremental_from.is_none(),
        evaluated_cases,
    })
}

/// The date after which a case's milestones make it worth reading again: those a run as of
/// an earlier moment left out (the last run's `as_of`), or that this run, as of an earlier
/// moment than the last, must leave out; whichever is earlier.
fn dated_after(last_as_of: Option<DateTime<Utc>>, now: DateTime<Utc>) -> u32 {
    let earliest = last_as_of.map_or(now, |last| last.min(now));
    u32::try_from(earliest.timestamp()).unwrap_or(0)
}

/// Whether this run must re-read the open cases last evaluated before today (their elapsed
/// days grew): yes on the first run of a local day, no when the last run was as of the
/// same local day, since that run (or an earlier one that day) re-read them already and an
/// open case is unchanged until a milestone arrives or the date turns. Reading them is a
/// scan of every open case; skipping it keeps the day's later runs proportional to the
/// changed cases.
fn open_cases_to_reread(
    last_as_of: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> Option<i64> {
    let today = local_date(now, zone);
    match last_as_of {
        // Back in time: every open case was evaluated later than this run's moment.
        Some(last) if now < last && local_date(last, zone) != today => Some(i64::from(u32::MAX)),
        Some(last) if local_date(last, zone) == today => None,
        _ => Some(local_midnight(today, zone).timestamp()),
    }
}

/// The stored row of a case's evaluation.
fn case_row(
    service: &Service,
    policy: &SlaPolicy,
    case: CaseRead,
    evaluation: &Evaluation,
    evaluated_at: DateTime<Utc>,
) -> SlaCaseRow {
    let narrow = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
    SlaCaseRow {
        service_id: service.id.clone(),
        policy: policy.id.clone(),
        case_ref: case.case_ref,
        started_at: evaluation.started_at,
        stopped_at: evaluation.stopped_at,
        elapsed_days: narrow(evaluation.elapsed),
        paused_days: narrow(evaluation.paused),
        limit_days: narrow(evaluation.limit),
        due_date: evaluation.due_date,
        status: evaluation.status.as_str().to_string(),
        late_days: narrow(evaluation.late),
        refund_percent: evaluation.refund_percent,
        // The stored columns are Float64 in major units; written from exact minor units,
        // they read back exactly (`ledger::to_remission`).
        refund_amount: evaluation.refund.to_major(),
        currency: policy.currency.clone(),
        anomalies: evaluation
            .anomalies
            .iter()
            .map(|&a| <&'static str>::from(a))
            .collect::<Vec<_>>()
            .join(","),
        evaluated_at,
        channel: case.channel,
        region: case.region,
        first_at: DateTime::from_timestamp(i64::from(case.first_at), 0).unwrap_or_default(),
        service_option: evaluation.service_option.clone(),
        unit: evaluation.unit.as_str().to_string(),
        due_at: evaluation.due_at,
        fee: evaluation.fee.to_major(),
        refund_tier: evaluation.refund_tier.unwrap_or(0),
        exceptions: evaluation.exceptions.join(","),
        remission: evaluation
            .remission
            .map(|r| r.as_str().to_string())
            .unwrap_or_default(),
        fiscal_year: evaluation
            .fiscal_year
            .and_then(|y| u16::try_from(y).ok())
            .unwrap_or(0),
        payment_due: evaluation.payment_due,
    }
}

/// `''` (no outcome) and unknown values are None.
fn parse_outcome(name: &str) -> Option<Outcome> {
    name.parse().ok()
}

fn parse_milestone(name: &str) -> Option<MilestoneKind> {
    name.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::America::Toronto;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
    }

    fn toronto_midnight(y: i32, m: u32, d: u32) -> i64 {
        Toronto
            .with_ymd_and_hms(y, m, d, 0, 0, 0)
            .unwrap()
            .timestamp()
    }

    #[test]
    fn the_first_run_of_a_local_day_rereads_the_open_cases() {
        let now = at("2026-12-02T15:00:00Z");
        assert_eq!(
            open_cases_to_reread(None, now, Toronto),
            Some(toronto_midnight(2026, 12, 2)),
            "no run recorded yet"
        );
        assert_eq!(
            open_cases_to_reread(Some(at("2026-12-01T20:00:00Z")), now, Toronto),
            Some(toronto_midnight(2026, 12, 2)),
            "the last run was yesterday"
        );
    }

    #[test]
    fn later_runs_the_same_local_day_do_not() {
        let now = at("2026-12-02T15:00:00Z");
        assert_eq!(
            open_cases_to_reread(Some(at("2026-12-02T06:00:00Z")), now, Toronto),
            None
        );
    }

    #[test]
    fn a_run_as_of_an_earlier_day_rereads_every_open_case_and_later_milestones() {
        let last = at("2026-12-02T15:00:00Z");
        let earlier = at("2026-05-01T16:00:00Z");
        assert_eq!(
            open_cases_to_reread(Some(last), earlier, Toronto),
            Some(i64::from(u32::MAX))
        );
        // Milestones dated after the earlier moment are left out now, so their cases are
        // read again, now and by the next run (whose last `as_of` is the earlier moment).
        assert_eq!(dated_after(Some(last), earlier), earlier.timestamp() as u32);
        assert_eq!(dated_after(Some(earlier), last), earlier.timestamp() as u32);
    }

    #[test]
    fn the_day_is_the_service_s_own_not_utc_s() {
        // 03:00 UTC on 3 December is 22:00 on 2 December in Toronto: the same local day
        // as a run at 15:00 UTC on the 2nd, though not the same UTC date.
        let late_evening = at("2026-12-03T03:00:00Z");
        assert_eq!(
            open_cases_to_reread(Some(at("2026-12-02T15:00:00Z")), late_evening, Toronto),
            None
        );
        // 05:30 UTC on the 3rd is 00:30 on the 3rd in Toronto: a new day.
        assert_eq!(
            open_cases_to_reread(
                Some(at("2026-12-03T03:00:00Z")),
                at("2026-12-03T05:30:00Z"),
                Toronto
            ),
            Some(toronto_midnight(2026, 12, 3))
        );
    }
}
