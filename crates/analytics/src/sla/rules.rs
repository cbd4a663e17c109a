//! The exact SLA rules, as pure functions of a case's distinct milestones.
//!
//! A case is judged by the [`Terms`] of the service option it started with (limit, unit,
//! fee, tiers). Day limits (`business_days`, `calendar_days`):
//! - Dates are civil dates in the service's time zone; a counted day is a business day or,
//!   for `calendar_days`, any date.
//! - start_date is the start milestone's date, or with a cut-off, when the start came after
//!   the cut-off time or on an uncounted day, the next counted day (then that day is day 0).
//! - end_date is the date of the first stop milestone (`stop`, or an `also_stop` such as a
//!   refusal) after the start, the withdrawal date, or today for an open case. When the
//!   calendar has opening hours, a stop after the closing time of a counted day counts on
//!   the next counted day: "by the end of the business day" means by its closing time.
//! - elapsed = counted days D with start_date < D ≤ end_date, minus paused days; paused =
//!   counted days inside a hold (hold_date, resume_date] (an open hold pauses up to
//!   end_date) or inside a `pause_clock` exception's dates, each day once however many
//!   pauses cover it.
//! - due_date = the date on which elapsed reaches the limit (pauses known so far
//!   included); due_at = that date's end of business (closing time, else midnight).
//!
//! Business-hours limits (`business_hours`, `business_minutes`):
//! - elapsed = opening time between the start and the stop (or now), outside holds
//!   [hold, resume) and `pause_clock` exceptions [from, to); counted in whole units, a
//!   started unit counting (20 min 30 s is 21 minutes), so breached ⇔ elapsed time > limit.
//! - due_at = the instant the opening time reaches the limit.
//!
//! Both:
//! - late = max(0, elapsed − limit); status: withdrawn; met (stopped, elapsed ≤ limit);
//!   breached (elapsed > limit); at_risk (open, limit − elapsed ≤ at_risk); on_track (open
//!   otherwise); not_started (no start milestone).
//! - refund percent from the tier holding late; amount = fee × percent, in whole cents
//!   ([`remission::refund_owed`], a [`Money`]). A `no_remission` exception overlapping the case's
//!   clock excuses it: still breached, no refund. Every exception that changed a result is
//!   named in it.
//! - A closed breached case that owes a refund (before any exception) is a remission of
//!   the fiscal year of its stop: owed, excused, or paid/cancelled by its latest
//!   `remission_paid`/`remission_cancelled` milestone. A late case owing nothing (no fee,
//!   no tier for its lateness) is a breach, not a remission.
//! - Only the set of distinct milestones matters, never their arrival order. A stop before
//!   any start is reported as an anomaly.

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use civicpulse_core::calendar::{local_date, Calendar};
use civicpulse_core::event::{MilestoneKind, Outcome};
use civicpulse_core::exception::{Exception, ExceptionEffect};
use civicpulse_core::money::Money;
use civicpulse_core::opening_hours::{union, OpeningSchedule, Span, TimeOfDay};
use civicpulse_core::remission::{self, RemissionRules, RemissionStatus};
use civicpulse_core::sla::{Anomaly, LimitUnit, SlaPolicy, Status, Terms};

/// Longest a due date is searched for, in days (a guard against empty calendars).
const DUE_DATE_HORIZON_DAYS: u64 = 3660;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CaseMilestone {
    pub at: DateTime<Utc>,
    pub kind: MilestoneKind,
    /// The decision's outcome, for milestones that carry one.
    pub outcome: Option<Outcome>,
}

/// Everything a case is judged by besides its milestones: its service standard (`policy`),
/// the calendar, zone, exceptions and remission rules. Not the standard itself, hence not
/// named after it.
#[derive(Debug, Clone, Copy)]
pub struct EvaluationContext<'a> {
    pub policy: &'a SlaPolicy,
    pub calendar: &'a Calendar,
    pub zone: Tz,
    /// The exceptions declared for the case's service.
    pub exceptions: &'a [Exception],
    pub remissions: &'a RemissionRules,
    /// The calendar's opening spans with running totals, for business-hours limits (built
    /// once per run); none, or outside its range: the calendar is walked day by day.
    pub schedule: Option<&'a OpeningSchedule>,
}

impl EvaluationContext<'_> {
    /// Opening seconds within `span` outside the disjoint, ordered `paused` spans.
    fn open_seconds(&self, span: Span, paused: &[Span]) -> i64 {
        self.schedule
            .and_then(|s| s.open_seconds_outside(span, paused))
            .unwrap_or_else(|| self.calendar.open_seconds(span, paused, self.zone))
    }

    /// The instant `seconds` of opening time outside `paused` after `from`.
    fn after_open_seconds(
        &self,
        from: DateTime<Utc>,
        seconds: i64,
        paused: &[Span],
    ) -> Option<DateTime<Utc>> {
        self.schedule
            .and_then(|s| s.after_open_seconds(from, seconds, paused))
            .or_else(|| {
                self.calendar
                    .after_open_seconds(from, seconds, paused, self.zone)
            })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The option the case was judged by (empty for a policy without options).
    pub service_option: String,
    pub unit: LimitUnit,
    pub started_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
    /// Elapsed, paused, limit and late are in `unit`.
    pub elapsed: i64,
    pub paused: i64,
    pub limit: i64,
    pub due_date: Option<NaiveDate>,
    pub due_at: Option<DateTime<Utc>>,
    pub status: Status,
    pub late: i64,
    pub fee: Money,
    /// The refund tier (1-based) late fell in; none when on time or in no tier.
    pub refund_tier: Option<u8>,
    pub refund_percent: f64,
    /// Fee × percent, exact in the fee's minor units; zero when an exception excuses it.
    pub refund: Money,
    /// The exceptions that changed this result.
    pub exceptions: Vec<String>,
    /// A closed late case's remission, its fiscal year and payment due date.
    pub remission: Option<RemissionStatus>,
    pub fiscal_year: Option<i32>,
    pub payment_due: Option<NaiveDate>,
    pub anomalies: Vec<Anomaly>,
}

/// Which dates count towards a day limit.
struct Counter<'a> {
    unit: LimitUnit,
    calendar: &'a Calendar,
}

impl Counter<'_> {
    fn counts(&self, date: NaiveDate) -> bool {
        match self.unit {
            LimitUnit::CalendarDays => true,
            _ => self.calendar.is_business_day(date),
        }
    }

    /// Counted days D with `after < D ≤ through`.
    fn between(&self, after: NaiveDate, through: NaiveDate) -> i64 {
        match self.unit {
            LimitUnit::CalendarDays => (through - after).num_days().max(0),
            _ => self.calendar.business_days_between(after, through),
        }
    }

    /// The first counted day after `date`.
    fn next(&self, date: NaiveDate) -> NaiveDate {
        date.iter_days()
            .skip(1)
            .take(DUE_DATE_HORIZON_DAYS as usize)
            .find(|d| self.counts(*d))
            .unwrap_or(date)
    }
}

/// The case's milestones, sorted and distinct, and the moments that bound its clock.
struct Clock {
    sorted: Vec<CaseMilestone>,
    started_at: Option<DateTime<Utc>>,
    stopped_at: Option<DateTime<Utc>>,
    withdrawn_at: Option<DateTime<Utc>>,
    anomalies: Vec<Anomaly>,
}

impl Clock {
    fn read(policy: &SlaPolicy, milestones: &[CaseMilestone]) -> Clock {
        let mut sorted = milestones.to_vec();
        sorted.sort();
        sorted.dedup();
        let first = |kind: MilestoneKind| sorted.iter().find(|m| m.kind == kind).map(|m| m.at);
        let started_at = first(policy.start);
        let stops = |m: &&CaseMilestone| policy.stops(m.kind, m.outcome);
        let stopped_at = started_at.and_then(|s| {
            sorted
                .iter()
                .filter(stops)
                .find(|m| m.at >= s)
                .map(|m| m.at)
        });
        let withdrawn_at = first(MilestoneKind::Withdrawn);
        let mut anomalies = Vec::new();
        if sorted
            .iter()
            .filter(stops)
            .any(|m| started_at.is_none_or(|s| m.at < s))
        {
            anomalies.push(Anomaly::StopBeforeStart);
        }
        Clock {
            sorted,
            started_at,
            stopped_at,
            withdrawn_at,
            anomalies,
        }
    }

    /// When the clock stopped for good: the stop or the withdrawal, whichever came first.
    fn closed_at(&self) -> Option<DateTime<Utc>> {
        match (self.stopped_at, self.withdrawn_at) {
            (Some(s), Some(w)) => Some(s.min(w)),
            (s, w) => s.or(w),
        }
    }

    fn withdrawn(&self) -> bool {
        let closed = self.closed_at();
        self.withdrawn_at.is_some() && closed == self.withdrawn_at && self.stopped_at != closed
    }

    /// The latest remission milestone's status, if any.
    fn remission_recorded(&self) -> Option<RemissionStatus> {
        self.sorted.iter().rev().find_map(|m| match m.kind {
            MilestoneKind::RemissionPaid => Some(RemissionStatus::Paid),
            MilestoneKind::RemissionCancelled => Some(RemissionStatus::Cancelled),
            _ => None,
        })
    }

    /// The holds as instants [hold, resume), an open hold running to `end`.
    fn hold_spans(
        &self,
        policy: &SlaPolicy,
        end: DateTime<Utc>,
        anomalies: &mut Vec<Anomaly>,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut spans = Vec::new();
        let mut open: Option<DateTime<Utc>> = None;
        for milestone in &self.sorted {
            let pauses = policy.clock_stops.iter().any(|c| c.pause == milestone.kind);
            let resumes = policy
                .clock_stops
                .iter()
                .any(|c| c.resume == milestone.kind);
            if pauses && open.is_none() {
                open = Some(milestone.at);
            } else if resumes {
                match open.take() {
                    Some(from) => spans.push((from, milestone.at)),
                    None if !anomalies.contains(&Anomaly::ResumeWithoutHold) => {
                        anomalies.push(Anomaly::ResumeWithoutHold)
                    }
                    None => {}
                }
            }
        }
        if let Some(from) = open {
            spans.push((from, end.max(from)));
        }
        spans
    }
}

/// Where the clock stands, in the terms' unit.
struct Measure {
    elapsed: i64,
    paused: i64,
    due_at: Option<DateTime<Utc>>,
    due_date: Option<NaiveDate>,
    /// elapsed > limit, decided exactly (seconds for opening-time units).
    over: bool,
    /// limit − elapsed ≤ at_risk.
    near: bool,
    /// The `pause_clock` exceptions that paused the case.
    paused_by: Vec<String>,
}

/// Evaluates one case as of `now`, judged by the terms of `option`.
pub fn evaluate(
    context: &EvaluationContext<'_>,
    milestones: &[CaseMilestone],
    option: Option<&str>,
    now: DateTime<Utc>,
) -> Evaluation {
    let policy = context.policy;
    let terms = policy.terms(option);
    let mut clock = Clock::read(policy, milestones);
    if terms.unknown_option {
        clock.anomalies.push(Anomaly::UnknownOption);
    }
    let limit = i64::from(terms.limit);
    let Some(started_at) = clock.started_at else {
        let status = if clock.withdrawn_at.is_some() {
            Status::Withdrawn
        } else {
            Status::NotStarted
        };
        return Evaluation {
            service_option: terms.option.to_string(),
            unit: terms.unit,
            started_at: None,
            stopped_at: None,
            elapsed: 0,
            paused: 0,
            limit,
            due_date: None,
            due_at: None,
            status,
            late: 0,
            fee: terms.fee,
            refund_tier: None,
            refund_percent: 0.0,
            refund: Money::zero(terms.fee.currency),
            exceptions: Vec::new(),
            remission: None,
            fiscal_year: None,
            payment_due: None,
            anomalies: clock.anomalies,
        };
    };
    let end = clock.closed_at().unwrap_or(now).max(started_at);
    let mut anomalies = std::mem::take(&mut clock.anomalies);
    let holds = clock.hold_spans(policy, end, &mut anomalies);
    let pausing: Vec<&Exception> = context
        .exceptions
        .iter()
        .filter(|e| e.effect == ExceptionEffect::PauseClock && e.overlaps(started_at, end))
        .collect();
    let measure = match terms.unit.seconds() {
        Some(unit_seconds) => measure_opening_time(
            context,
            &terms,
            unit_seconds,
            started_at,
            end,
            &holds,
            &pausing,
        ),
        None => measure_days(context, &terms, &clock, started_at, end, &holds, &pausing),
    };
    let late = (measure.elapsed - limit).max(0);
    let withdrawn = clock.withdrawn();
    let status = if withdrawn {
        Status::Withdrawn
    } else if measure.over {
        Status::Breached
    } else if clock.stopped_at.is_some() {
        Status::Met
    } else if measure.near {
        Status::AtRisk
    } else {
        Status::OnTrack
    };
    let excused_by = (status == Status::Breached)
        .then(|| {
            context
                .exceptions
                .iter()
                .find(|e| e.effect == ExceptionEffect::NoRemission && e.overlaps(started_at, end))
        })
        .flatten();
    let tier = if withdrawn {
        None
    } else {
        terms.refund_tier(u32::try_from(late).unwrap_or(u32::MAX))
    };
    let refund_percent = tier.map_or(0.0, |(_, percent)| percent);
    let owed = remission::refund_owed(terms.fee, refund_percent);
    let refund = if excused_by.is_some() {
        Money::zero(owed.currency)
    } else {
        owed
    };
    let mut exceptions = measure.paused_by.clone();
    exceptions.extend(excused_by.map(|e| e.id.clone()));
    let owes_remission =
        status == Status::Breached && clock.stopped_at.is_some() && owed.amount_minor > 0;
    let remission = owes_remission.then(|| match excused_by {
        Some(_) => RemissionStatus::Excused,
        None => clock.remission_recorded().unwrap_or(RemissionStatus::Owed),
    });
    let fiscal_year = clock
        .stopped_at
        .filter(|_| owes_remission)
        .map(|at| context.remissions.fiscal_year(local_date(at, context.zone)));
    Evaluation {
        service_option: terms.option.to_string(),
        unit: terms.unit,
        started_at: Some(started_at),
        stopped_at: clock.stopped_at,
        elapsed: measure.elapsed,
        paused: measure.paused,
        limit,
        due_date: measure.due_date,
        due_at: measure.due_at,
        status,
        late,
        fee: terms.fee,
        refund_tier: tier.map(|(index, _)| index),
        refund_percent,
        refund,
        exceptions,
        remission,
        fiscal_year,
        payment_due: fiscal_year.map(|year| context.remissions.payment_due(year)),
        anomalies,
    }
}

/// The date a day-limit clock starts on: with a cut-off, a start after it (or on an
/// uncounted day) moves to the next counted day.
fn start_date(
    counter: &Counter<'_>,
    cutoff: Option<TimeOfDay>,
    started_at: DateTime<Utc>,
    zone: Tz,
) -> NaiveDate {
    let local = started_at.with_timezone(&zone).naive_local();
    let date = local.date();
    match cutoff {
        Some(cutoff) if TimeOfDay::of(local) > cutoff || !counter.counts(date) => {
            counter.next(date)
        }
        _ => date,
    }
}

fn measure_days(
    context: &EvaluationContext<'_>,
    terms: &Terms<'_>,
    clock: &Clock,
    started_at: DateTime<Utc>,
    end: DateTime<Utc>,
    holds: &[(DateTime<Utc>, DateTime<Utc>)],
    pausing: &[&Exception],
) -> Measure {
    let (calendar, zone) = (context.calendar, context.zone);
    let counter = Counter {
        unit: terms.unit,
        calendar,
    };
    let start = start_date(&counter, terms.cutoff, started_at, zone);
    let mut end_date = local_date(end, zone);
    // A stop after the closing time of a counted day is that day's successor's work.
    if clock.closed_at().is_some()
        && calendar.has_hours()
        && counter.counts(end_date)
        && end > calendar.end_of_business(end_date, zone)
    {
        end_date = counter.next(end_date);
    }
    let end_date = end_date.max(start);
    let to_dates =
        |(from, to): (DateTime<Utc>, DateTime<Utc>)| (local_date(from, zone), local_date(to, zone));
    // Holds pause (hold_date, resume_date]; an exception pauses each of its dates.
    let mut intervals: Vec<(NaiveDate, NaiveDate, Option<&str>)> = holds
        .iter()
        .map(|h| to_dates(*h))
        .map(|(f, t)| (f, t, None))
        .collect();
    for exception in pausing {
        let last = exception.to - Duration::seconds(1);
        let (first, last) = to_dates((exception.from, last.max(exception.from)));
        intervals.push((first.pred_opt().unwrap_or(first), last, Some(&exception.id)));
    }
    let clipped: Vec<(NaiveDate, NaiveDate, Option<&str>)> = intervals
        .into_iter()
        .map(|(from, to, id)| (from.max(start), to.min(end_date), id))
        .filter(|(from, to, _)| from < to)
        .collect();
    let paused_by: Vec<String> = clipped
        .iter()
        .filter_map(|(_, _, id)| id.map(str::to_string))
        .collect();
    let merged = merge_dates(clipped.iter().map(|(f, t, _)| (*f, *t)).collect());
    let paused: i64 = merged.iter().map(|(f, t)| counter.between(*f, *t)).sum();
    let elapsed = counter.between(start, end_date) - paused;
    let limit = i64::from(terms.limit);
    let due_date = due_date(&counter, start, limit, &merged);
    Measure {
        elapsed,
        paused,
        due_at: due_date.map(|d| calendar.end_of_business(d, zone)),
        due_date,
        over: elapsed > limit,
        near: limit - elapsed <= i64::from(terms.at_risk),
        paused_by,
    }
}

fn measure_opening_time(
    context: &EvaluationContext<'_>,
    terms: &Terms<'_>,
    unit_seconds: i64,
    started_at: DateTime<Utc>,
    end: DateTime<Utc>,
    holds: &[(DateTime<Utc>, DateTime<Utc>)],
    pausing: &[&Exception],
) -> Measure {
    let zone = context.zone;
    let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = holds.to_vec();
    spans.extend(pausing.iter().map(|e| (e.from, e.to)));
    let pauses = union(spans);
    let span = (started_at, end);
    let elapsed_seconds = context.open_seconds(span, &pauses);
    let paused_seconds = context.open_seconds(span, &[]) - elapsed_seconds;
    let paused_by = pausing
        .iter()
        .filter(|e| context.open_seconds((e.from.max(started_at), e.to.min(end)), &[]) > 0)
        .map(|e| e.id.clone())
        .collect();
    let limit_seconds = i64::from(terms.limit) * unit_seconds;
    let in_units = |seconds: i64| (seconds + unit_seconds - 1).div_euclid(unit_seconds);
    let due_at = context.after_open_seconds(started_at, limit_seconds, &pauses);
    Measure {
        elapsed: in_units(elapsed_seconds),
        paused: in_units(paused_seconds),
        due_at,
        due_date: due_at.map(|at| local_date(at, zone)),
        over: elapsed_seconds > limit_seconds,
        near: limit_seconds - elapsed_seconds <= i64::from(terms.at_risk) * unit_seconds,
        paused_by,
    }
}

/// Merges date intervals (from, to] that overlap or touch.
fn merge_dates(mut intervals: Vec<(NaiveDate, NaiveDate)>) -> Vec<(NaiveDate, NaiveDate)> {
    intervals.sort();
    let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(intervals.len());
    for (from, to) in intervals {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// The date on which elapsed reaches `limit`, skipping uncounted and paused days.
fn due_date(
    counter: &Counter<'_>,
    start_date: NaiveDate,
    limit: i64,
    paused: &[(NaiveDate, NaiveDate)],
) -> Option<NaiveDate> {
    if limit == 0 {
        return Some(start_date);
    }
    let is_paused = |d: NaiveDate| paused.iter().any(|(from, to)| *from < d && d <= *to);
    let mut counted = 0;
    for date in start_date
        .iter_days()
        .skip(1)
        .take(DUE_DATE_HORIZON_DAYS as usize)
    {
        if counter.counts(date) && !is_paused(date) {
            counted += 1;
            if counted == limit {
                return Some(date);
            }
        }
    }
    None
}

/// For a standard counted in business hours, the calendar's opening spans from six years
/// before `now` to two years after (cases outside that walk the calendar day by day).
pub fn opening_schedule(
    policy: &SlaPolicy,
    calendar: &civicpulse_core::calendar::Calendar,
    zone: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Option<OpeningSchedule> {
    policy.units().any(|u| u.seconds().is_some()).then(|| {
        let today = local_date(now, zone);
        let first = today.checked_sub_days(Days::new(6 * 366)).unwrap_or(today);
        let last = today.checked_add_days(Days::new(2 * 366)).unwrap_or(today);
        OpeningSchedule::new(calendar, zone, first, last)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use chrono::TimeZone;
    use chrono_tz::America::Toronto;
    use proptest::prelude::*;
    use MilestoneKind::*;

    /// The shipped catalog's passport standard (10 business days from `complete` to
    /// `dispatched`, holds excluded, 25/50/100 % refund tiers, fee 160) and the federal
    /// calendar: the tests pin what the product ships.
    static SHIPPED: std::sync::LazyLock<(SlaPolicy, Calendar)> = std::sync::LazyLock::new(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalog.toml");
        let catalog = civicpulse_core::Catalog::load(std::path::Path::new(path)).unwrap();
        let service = catalog.service("passport-in-person").unwrap();
        (
            service.sla[0].clone(),
            catalog.calendar(&service.calendar).unwrap().clone(),
        )
    });

    fn policy() -> SlaPolicy {
        SHIPPED.0.clone()
    }

    fn calendar() -> Calendar {
        SHIPPED.1.clone()
    }

    /// Noon in Toronto on `date`.
    fn at(date: &str, kind: MilestoneKind) -> CaseMilestone {
        let day: NaiveDate = date.parse().unwrap();
        let local = Toronto
            .from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
            .unwrap();
        CaseMilestone {
            at: local.with_timezone(&Utc),
            kind,
            outcome: None,
        }
    }

    /// A decision with its outcome, at noon in Toronto on `date`.
    fn decided(date: &str, outcome: Outcome) -> CaseMilestone {
        CaseMilestone {
            outcome: Some(outcome),
            ..at(date, Decided)
        }
    }

    /// Noon in Toronto on `today`: day limits depend on the date alone.
    fn eval(milestones: &[CaseMilestone], today: &str) -> Evaluation {
        judge(&policy(), &calendar(), &[], milestones, None, noon(today))
    }

    fn noon(date: &str) -> DateTime<Utc> {
        local(date, "12:00")
    }

    /// A civil time in Toronto.
    fn local(date: &str, time: &str) -> DateTime<Utc> {
        let day: NaiveDate = date.parse().unwrap();
        let time: chrono::NaiveTime = format!("{time}:00").get(..8).unwrap().parse().unwrap();
        Toronto
            .from_local_datetime(&day.and_time(time))
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn judge(
        policy: &SlaPolicy,
        calendar: &Calendar,
        exceptions: &[Exception],
        milestones: &[CaseMilestone],
        option: Option<&str>,
        now: DateTime<Utc>,
    ) -> Evaluation {
        let remissions = RemissionRules::default();
        let context = EvaluationContext {
            policy,
            calendar,
            zone: Toronto,
            exceptions,
            remissions: &remissions,
            schedule: None,
        };
        let walked = evaluate(&context, milestones, option, now);
        // The run's schedule of running totals answers exactly as the calendar walked.
        let schedule = opening_schedule(policy, calendar, Toronto, now);
        if let Some(schedule) = &schedule {
            let scheduled = EvaluationContext {
                schedule: Some(schedule),
                ..context
            };
            assert_eq!(evaluate(&scheduled, milestones, option, now), walked);
        }
        walked
    }

    fn d(s: &str) -> Option<NaiveDate> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn the_exact_rules_on_hand_made_cases() {
        struct Case {
            name: &'static str,
            milestones: Vec<CaseMilestone>,
            today: &'static str,
            elapsed: i64,
            paused: i64,
            due: Option<NaiveDate>,
            status: Status,
            late: i64,
            refund: f64,
        }
        let cases = vec![
            Case {
                name: "met in 10 business days, spanning a weekend",
                milestones: vec![at("2026-03-02", Complete), at("2026-03-16", Dispatched)],
                today: "2026-04-01",
                elapsed: 10,
                paused: 0,
                due: d("2026-03-16"),
                status: Status::Met,
                late: 0,
                refund: 0.0,
            },
            Case {
                name: "one day late: first refund tier",
                milestones: vec![at("2026-03-02", Complete), at("2026-03-17", Dispatched)],
                today: "2026-04-01",
                elapsed: 11,
                paused: 0,
                due: d("2026-03-16"),
                status: Status::Breached,
                late: 1,
                refund: 40.0,
            },
            Case {
                name: "eleven days late: second tier",
                milestones: vec![at("2026-03-02", Complete), at("2026-03-31", Dispatched)],
                today: "2026-04-01",
                elapsed: 21,
                paused: 0,
                due: d("2026-03-16"),
                status: Status::Breached,
                late: 11,
                refund: 80.0,
            },
            Case {
                name: "holidays at the year boundary do not count",
                milestones: vec![at("2026-12-21", Complete), at("2027-01-05", Dispatched)],
                today: "2027-02-01",
                elapsed: 8,
                paused: 0,
                due: d("2027-01-07"),
                status: Status::Met,
                late: 0,
                refund: 0.0,
            },
            Case {
                name: "a hold spanning a holiday pauses only business days",
                milestones: vec![
                    at("2026-11-02", Complete),
                    at("2026-11-09", OnHold),
                    at("2026-11-13", Resumed),
                    at("2026-11-23", Dispatched),
                ],
                // (Nov 2, Nov 23] has 14 business days (Nov 11 is a holiday); the hold
                // (Nov 9, Nov 13] pauses Nov 10, 12, 13.
                today: "2026-12-01",
                elapsed: 11,
                paused: 3,
                due: d("2026-11-20"),
                status: Status::Breached,
                late: 1,
                refund: 40.0,
            },
            Case {
                name: "an open hold pauses up to today",
                milestones: vec![at("2026-03-02", Complete), at("2026-03-04", OnHold)],
                today: "2026-03-10",
                elapsed: 2,
                paused: 4,
                due: d("2026-03-20"),
                status: Status::OnTrack,
                late: 0,
                refund: 0.0,
            },
            Case {
                name: "start on a Saturday: Monday is the first counted day",
                milestones: vec![at("2026-03-07", Complete), at("2026-03-09", Dispatched)],
                today: "2026-03-20",
                elapsed: 1,
                paused: 0,
                due: d("2026-03-20"),
                status: Status::Met,
                late: 0,
                refund: 0.0,
            },
            Case {
                name: "same-day stop",
                milestones: vec![at("2026-03-02", Complete), at("2026-03-02", Dispatched)],
                today: "2026-03-20",
                elapsed: 0,
                paused: 0,
                due: d("2026-03-16"),
                status: Status::Met,
                late: 0,
                refund: 0.0,
            },
            Case {
                name: "open and two days from the limit: at risk",
                milestones: vec![at("2026-03-02", Complete)],
                today: "2026-03-12",
                elapsed: 8,
                paused: 0,
                due: d("2026-03-16"),
                status: Status::AtRisk,
                late: 0,
                refund: 0.0,
            },
            Case {
                name: "open and past the limit: breached before it stops",
                milestones: vec![at("2026-03-02", Complete)],
                today: "2026-03-18",
                elapsed: 12,
                paused: 0,
                due: d("2026-03-16"),
                status: Status::Breached,
                late: 2,
                refund: 40.0,
            },
            Case {
                name: "withdrawn cases are excluded and owe nothing",
                milestones: vec![at("2026-03-02", Complete), at("2026-03-30", Withdrawn)],
                today: "2026-04-10",
                elapsed: 20,
                paused: 0,
                due: d("2026-03-16"),
                status: Status::Withdrawn,
                late: 10,
                refund: 0.0,
            },
        ];
        for case in cases {
            let e = eval(&case.milestones, case.today);
            assert_eq!(
                (
                    e.elapsed,
                    e.paused,
                    e.due_date,
                    e.status,
                    e.late,
                    e.refund.to_major()
                ),
                (
                    case.elapsed,
                    case.paused,
                    case.due,
                    case.status,
                    case.late,
                    case.refund
                ),
                "{}",
                case.name
            );
        }
    }

    /// The shipped federal holidays with office hours 08:30–16:30 on weekdays, Christmas
    /// Eve closing at noon, and a shortened entry on Christmas Day (a holiday: it wins).
    fn office_calendar() -> Calendar {
        let mut calendar = calendar();
        calendar.hours = vec![toml::from_str(
            r#"days = ["Mon", "Tue", "Wed", "Thu", "Fri"]
               open = "08:30"
               close = "16:30""#,
        )
        .unwrap()];
        calendar.shortened = vec![
            toml::from_str("date = \"2026-12-24\"\nclose = \"12:00\"").unwrap(),
            toml::from_str("date = \"2026-12-25\"\nclose = \"12:00\"").unwrap(),
        ];
        calendar.check().unwrap();
        calendar
    }

    /// Open every hour of every day: a day is as long as the clocks make it.
    fn always_open() -> Calendar {
        let mut calendar = Calendar::new("24-7", vec![], vec![]);
        calendar.hours = vec![toml::from_str(
            r#"days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
               open = "00:00"
               close = "24:00""#,
        )
        .unwrap()];
        calendar
    }

    /// The passport standard with regular (the default), express and urgent options; urgent
    /// has a 15:00 cut-off.
    fn passport_options() -> SlaPolicy {
        let mut policy = policy();
        #[derive(serde::Deserialize)]
        struct Options {
            options: Vec<civicpulse_core::sla::ServiceOption>,
        }
        policy.options = toml::from_str::<Options>(
            r#"
            [[options]]
            id = "regular"
            limit = 10
            [[options]]
            id = "express"
            limit = 5
            fee = 270.0
            [[options]]
            id = "urgent"
            limit = 1
            fee = 335.0
            cutoff = "15:00"
            refund_tiers = [{ min_late_days = 1, percent = 50.0 }]
            "#,
        )
        .unwrap()
        .options;
        policy.default_option = Some("regular".into());
        policy.check().unwrap();
        policy
    }

    fn opening_time_policy(limit: u32, unit: LimitUnit) -> SlaPolicy {
        SlaPolicy {
            id: "answer".into(),
            start: Received,
            stop: Decided,
            limit,
            unit,
            at_risk_days: 0,
            refund_tiers: vec![],
            fee: 0.0,
            options: vec![],
            default_option: None,
            ..policy()
        }
    }

    fn milestone(at: DateTime<Utc>, kind: MilestoneKind) -> CaseMilestone {
        CaseMilestone {
            at,
            kind,
            outcome: None,
        }
    }

    fn exception(id: &str, from: &str, to: &str, effect: ExceptionEffect) -> Exception {
        Exception {
            id: id.into(),
            services: vec!["passport-in-person".into()],
            from: local(from, "00:00"),
            to: local(to, "00:00"),
            reason: "declared".into(),
            effect,
        }
    }

    #[test]
    fn the_standards_as_governments_write_them_on_hand_computed_cases() {
        use ExceptionEffect::{NoRemission, PauseClock};
        struct Case {
            name: &'static str,
            policy: SlaPolicy,
            calendar: Calendar,
            exceptions: Vec<Exception>,
            option: Option<&'static str>,
            milestones: Vec<CaseMilestone>,
            now: DateTime<Utc>,
            // (option judged by, elapsed, paused, status, late, refund, exceptions)
            expected: (
                &'static str,
                i64,
                i64,
                Status,
                i64,
                f64,
                &'static [&'static str],
            ),
            due_at: Option<DateTime<Utc>>,
        }
        let urgent = |complete: DateTime<Utc>, dispatched: DateTime<Utc>| {
            vec![
                milestone(complete, Complete),
                milestone(dispatched, Dispatched),
            ]
        };
        let minutes = opening_time_policy(20, LimitUnit::BusinessMinutes);
        let hours = opening_time_policy(8, LimitUnit::BusinessHours);
        let days48 = opening_time_policy(48, LimitUnit::BusinessHours);
        let strike = exception("strike", "2026-03-09", "2026-03-14", PauseClock);
        let outage = exception("outage", "2026-03-10", "2026-03-12", NoRemission);
        let cases = vec![
            Case {
                name: "cut-off at its exact second: 15:00:00 still counts Monday",
                // Mon 2 Mar 15:00:00 is day 0; due the next business day, Tue 3 Mar, at its
                // 16:30 close. Dispatched Tue 16:00: (Mon, Tue] = 1 day ≤ 1.
                policy: passport_options(),
                calendar: office_calendar(),
                exceptions: vec![],
                option: Some("urgent"),
                milestones: urgent(
                    local("2026-03-02", "15:00:00"),
                    local("2026-03-03", "16:00"),
                ),
                now: noon("2026-03-10"),
                expected: ("urgent", 1, 0, Status::Met, 0, 0.0, &[]),
                due_at: Some(local("2026-03-03", "16:30")),
            },
            Case {
                name: "one second after the cut-off: the clock starts Tuesday",
                // 15:00:01 counts from Tue 3 Mar (day 0): due Wed 4 Mar 16:30. Dispatched
                // Wed 10:00: (Tue, Wed] = 1 day.
                policy: passport_options(),
                calendar: office_calendar(),
                exceptions: vec![],
                option: Some("urgent"),
                milestones: urgent(
                    local("2026-03-02", "15:00:01"),
                    local("2026-03-04", "10:00"),
                ),
                now: noon("2026-03-10"),
                expected: ("urgent", 1, 0, Status::Met, 0, 0.0, &[]),
                due_at: Some(local("2026-03-04", "16:30")),
            },
            Case {
                name: "urgent, completed on a Friday after the cut-off, dispatched after closing",
                // Fri 6 Mar 16:00 > 15:00: day 0 is Mon 9 Mar (the weekend and the DST change
                // on Sun 8 Mar do not count); due Tue 10 Mar at 16:30 EDT. Dispatched Tue 17:00,
                // after closing: Wednesday's work, (Mon, Wed] = 2 days, 1 late; the urgent
                // tier refunds 50 % of 335 = 167.50.
                policy: passport_options(),
                calendar: office_calendar(),
                exceptions: vec![],
                option: Some("urgent"),
                milestones: urgent(local("2026-03-06", "16:00"), local("2026-03-10", "17:00")),
                now: noon("2026-03-20"),
                expected: ("urgent", 2, 0, Status::Breached, 1, 167.5, &[]),
                due_at: Some(local("2026-03-10", "16:30")),
            },
            Case {
                name: "express: its own limit and fee",
                // Complete Mon 2 Mar; 5 business days: 3, 4, 5, 6, 9 Mar → due 9 Mar 16:30.
                // Dispatched 10 Mar: 6 days, 1 late; 25 % of 270 = 67.50.
                policy: passport_options(),
                calendar: office_calendar(),
                exceptions: vec![],
                option: Some("express"),
                milestones: urgent(local("2026-03-02", "10:00"), local("2026-03-10", "10:00")),
                now: noon("2026-03-20"),
                expected: ("express", 6, 0, Status::Breached, 1, 67.5, &[]),
                due_at: Some(local("2026-03-09", "16:30")),
            },
            Case {
                name: "an option missing from the policy is judged by the default",
                // "same_day" is not offered: regular, 10 days; 3 Mar … 16 Mar is 10 days.
                policy: passport_options(),
                calendar: office_calendar(),
                exceptions: vec![],
                option: Some("same_day"),
                milestones: urgent(local("2026-03-02", "10:00"), local("2026-03-16", "10:00")),
                now: noon("2026-03-20"),
                expected: ("regular", 10, 0, Status::Met, 0, 0.0, &[]),
                due_at: Some(local("2026-03-16", "16:30")),
            },
            Case {
                name: "a call answered in exactly 20 business minutes",
                // Mon 16:25 → close 16:30 (5 min), Tue 08:30 → 08:45 (15 min) = 20 min.
                policy: minutes.clone(),
                calendar: office_calendar(),
                exceptions: vec![],
                option: None,
                milestones: vec![
                    milestone(local("2026-03-02", "16:25"), Received),
                    milestone(local("2026-03-03", "08:45"), Decided),
                ],
                now: noon("2026-03-10"),
                expected: ("", 20, 0, Status::Met, 0, 0.0, &[]),
                due_at: Some(local("2026-03-03", "08:45")),
            },
            Case {
                name: "half a minute more is a 21st minute started: breached",
                policy: minutes,
                calendar: office_calendar(),
                exceptions: vec![],
                option: None,
                milestones: vec![
                    milestone(local("2026-03-02", "16:25"), Received),
                    milestone(local("2026-03-03", "08:45:30"), Decided),
                ],
                now: noon("2026-03-10"),
                expected: ("", 21, 0, Status::Breached, 1, 0.0, &[]),
                due_at: Some(local("2026-03-03", "08:45")),
            },
            Case {
                name: "business hours over a shortened day and a holiday that is one too",
                // Thu 24 Dec closes at noon: 10:00–12:00 = 2 h. Fri 25 Dec is a holiday
                // (its shortened entry does not open it), 26–27 a weekend, Mon 28 Dec a
                // holiday. Tue 29 Dec from 08:30: the 6 h left end at 14:30 (due). Answered
                // 14:00: 2 h + 5.5 h = 7.5 h, counted as 8 started hours ≤ 8.
                policy: hours,
                calendar: office_calendar(),
                exceptions: vec![],
                option: None,
                milestones: vec![
                    milestone(local("2026-12-24", "10:00"), Received),
                    milestone(local("2026-12-29", "14:00"), Decided),
                ],
                now: noon("2027-01-10"),
                expected: ("", 8, 0, Status::Met, 0, 0.0, &[]),
                due_at: Some(local("2026-12-29", "14:30")),
            },
            Case {
                name: "always open across the spring change: Sunday has 23 hours",
                // Sat 7 Mar 12:00 EST → Mon 9 Mar 12:00 EDT is 47 real hours ≤ 48; due an
                // hour later, Mon 13:00 EDT.
                policy: days48.clone(),
                calendar: always_open(),
                exceptions: vec![],
                option: None,
                milestones: vec![
                    milestone(local("2026-03-07", "12:00"), Received),
                    milestone(local("2026-03-09", "12:00"), Decided),
                ],
                now: noon("2026-03-20"),
                expected: ("", 47, 0, Status::Met, 0, 0.0, &[]),
                due_at: Some(local("2026-03-09", "13:00")),
            },
            Case {
                name: "always open across the autumn change: Sunday has 25 hours",
                // Sat 31 Oct 12:00 EDT → Mon 2 Nov 12:00 EST is 49 real hours: 1 late; due
                // Mon 11:00 EST.
                policy: days48,
                calendar: always_open(),
                exceptions: vec![],
                option: None,
                milestones: vec![
                    milestone(local("2026-10-31", "12:00"), Received),
                    milestone(local("2026-11-02", "12:00"), Decided),
                ],
                now: noon("2026-11-20"),
                expected: ("", 49, 0, Status::Breached, 1, 0.0, &[]),
                due_at: Some(local("2026-11-02", "11:00")),
            },
            Case {
                name: "office hours across the spring change count local hours",
                // Fri 6 Mar 15:00–16:30 EST (1.5 h) + Mon 9 Mar 08:30–10:00 EDT (1.5 h) = 3 h.
                policy: opening_time_policy(8, LimitUnit::BusinessMinutes),
                calendar: office_calendar(),
                exceptions: vec![],
                option: None,
                milestones: vec![
                    milestone(local("2026-03-06", "15:00"), Received),
                    milestone(local("2026-03-09", "10:00"), Decided),
                ],
                now: noon("2026-03-20"),
                expected: ("", 180, 0, Status::Breached, 172, 0.0, &[]),
                due_at: Some(local("2026-03-06", "15:08")),
            },
            Case {
                name: "office hours across the autumn change count local hours too",
                // Fri 30 Oct 15:00–16:30 EDT + Mon 2 Nov 08:30–10:00 EST = 3 h.
                policy: opening_time_policy(3, LimitUnit::BusinessHours),
                calendar: office_calendar(),
                exceptions: vec![],
                option: None,
                milestones: vec![
                    milestone(local("2026-10-30", "15:00"), Received),
                    milestone(local("2026-11-02", "10:00"), Decided),
                ],
                now: noon("2026-11-20"),
                expected: ("", 3, 0, Status::Met, 0, 0.0, &[]),
                due_at: Some(local("2026-11-02", "10:00")),
            },
            Case {
                name: "a labour disruption that pauses the clock",
                // (2 Mar, 20 Mar] has 14 business days; the strike's dates 9–13 Mar pause 5:
                // 9 elapsed. Due: 3, 4, 5, 6, 16, 17, 18, 19, 20, 23 Mar → 23 Mar.
                policy: passport_options(),
                calendar: office_calendar(),
                exceptions: vec![strike.clone()],
                option: None,
                milestones: urgent(local("2026-03-02", "10:00"), local("2026-03-20", "10:00")),
                now: noon("2026-04-01"),
                expected: ("regular", 9, 5, Status::Met, 0, 0.0, &["strike"]),
                due_at: Some(local("2026-03-23", "16:30")),
            },
            Case {
                name: "an exception overlapping a hold pauses each day once",
                // The hold (5 Mar, 11 Mar] pauses 6, 9, 10, 11; the strike 9–13. Their union
                // is 6, 9, 10, 11, 12, 13 = 6 days (not 4 + 5): 14 − 6 = 8 elapsed.
                policy: passport_options(),
                calendar: office_calendar(),
                exceptions: vec![strike],
                option: None,
                milestones: vec![
                    milestone(local("2026-03-02", "10:00"), Complete),
                    milestone(local("2026-03-05", "10:00"), OnHold),
                    milestone(local("2026-03-11", "10:00"), Resumed),
                    milestone(local("2026-03-20", "10:00"), Dispatched),
                ],
                now: noon("2026-04-01"),
                expected: ("regular", 8, 6, Status::Met, 0, 0.0, &["strike"]),
                due_at: Some(local("2026-03-24", "16:30")),
            },
            Case {
                name: "an outage excusing the remission: breached, nothing owed",
                // (2 Mar, 18 Mar] = 12 days: 2 late, tier 1 (25 % of 160 = 40) excused.
                policy: passport_options(),
                calendar: office_calendar(),
                exceptions: vec![outage],
                option: None,
                milestones: urgent(local("2026-03-02", "10:00"), local("2026-03-18", "10:00")),
                now: noon("2026-04-01"),
                expected: ("regular", 12, 0, Status::Breached, 2, 0.0, &["outage"]),
                due_at: Some(local("2026-03-16", "16:30")),
            },
        ];
        for case in cases {
            let e = judge(
                &case.policy,
                &case.calendar,
                &case.exceptions,
                &case.milestones,
                case.option,
                case.now,
            );
            let exceptions: Vec<&str> = e.exceptions.iter().map(String::as_str).collect();
            assert_eq!(
                (
                    e.service_option.as_str(),
                    e.elapsed,
                    e.paused,
                    e.status,
                    e.late,
                    e.refund.to_major(),
                    exceptions.as_slice()
                ),
                case.expected,
                "{}",
                case.name
            );
            assert_eq!(e.due_at, case.due_at, "{}: due at", case.name);
        }
    }

    #[test]
    fn the_unknown_option_is_flagged_and_remissions_follow_the_fiscal_year() {
        let policy = passport_options();
        let e = judge(
            &policy,
            &office_calendar(),
            &[],
            &[at("2026-03-02", Complete)],
            Some("same_day"),
            noon("2026-03-03"),
        );
        assert_eq!(e.anomalies, [Anomaly::UnknownOption]);
        // Across the fiscal-year boundary: complete Mon 15 Mar 2027, dispatched Tue 6 Apr.
        // (15 Mar, 6 Apr] = 16–19, 22–25, 30, 31 Mar, 1, 2, 5, 6 Apr (Good Friday 26 Mar
        // and Easter Monday 29 Mar are holidays) = 14 days, 4 late: 25 % of 160 = 40. It
        // stopped in April: fiscal year 2027-2028, payable by 1 July 2028.
        let crossing = [at("2027-03-15", Complete), at("2027-04-06", Dispatched)];
        let e = judge(
            &policy,
            &office_calendar(),
            &[],
            &crossing,
            None,
            noon("2027-05-01"),
        );
        assert_eq!(
            (e.elapsed, e.late, e.refund_tier, e.refund.amount_minor),
            (14, 4, Some(1), 4_000)
        );
        assert_eq!(
            (e.remission, e.fiscal_year, e.payment_due),
            (Some(RemissionStatus::Owed), Some(2027), d("2028-07-01"))
        );
        // Paid, then cancelled: the latest record stands.
        let mut recorded = crossing.to_vec();
        recorded.push(at("2027-05-03", RemissionPaid));
        let paid = judge(
            &policy,
            &office_calendar(),
            &[],
            &recorded,
            None,
            noon("2027-06-01"),
        );
        assert_eq!(
            (paid.remission, paid.refund.amount_minor),
            (Some(RemissionStatus::Paid), 4_000)
        );
        recorded.push(at("2027-05-04", RemissionCancelled));
        let cancelled = judge(
            &policy,
            &office_calendar(),
            &[],
            &recorded,
            None,
            noon("2027-06-01"),
        );
        assert_eq!(cancelled.remission, Some(RemissionStatus::Cancelled));
        // An open late case is not yet a remission.
        let open = judge(
            &policy,
            &office_calendar(),
            &[],
            &crossing[..1],
            None,
            noon("2027-05-01"),
        );
        assert_eq!((open.status, open.remission), (Status::Breached, None));
    }

    #[test]
    fn a_late_case_owing_no_refund_is_a_breach_not_a_remission() {
        // The shipped driver's licence standard: 5 business days, a fee of 90.00 but no
        // refund tiers. Complete Mon 2 Nov 2026, dispatched Fri 20 Nov: late under both
        // this standard (5 days) and the passport one (10 days).
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalog.toml");
        let catalog = civicpulse_core::Catalog::load(std::path::Path::new(path)).unwrap();
        let service = catalog.service("on-driver-licence-renewal").unwrap();
        let ontario = catalog.calendar(&service.calendar).unwrap();
        let late = [at("2026-11-02", Complete), at("2026-11-20", Dispatched)];
        let e = judge(
            &service.sla[0],
            ontario,
            &[],
            &late,
            None,
            noon("2026-12-01"),
        );
        assert_eq!(e.status, Status::Breached);
        assert!(e.late > 0, "late {}", e.late);
        assert_eq!(
            (
                e.refund_tier,
                e.refund.amount_minor,
                e.remission,
                e.fiscal_year
            ),
            (None, 0, None, None)
        );
        // The same lateness under the passport standard (tiers, fee 160) is a remission.
        let e = judge(&policy(), &calendar(), &[], &late, None, noon("2026-12-01"));
        assert_eq!(
            (e.remission, e.fiscal_year),
            (Some(RemissionStatus::Owed), Some(2026))
        );
        // An excusing exception keeps a remission line (excused), but only for a case that
        // would have owed one.
        let outage = exception(
            "outage",
            "2026-11-03",
            "2026-11-04",
            ExceptionEffect::NoRemission,
        );
        let excused = judge(
            &policy(),
            &calendar(),
            std::slice::from_ref(&outage),
            &late,
            None,
            noon("2026-12-01"),
        );
        assert_eq!(
            (excused.remission, excused.refund.amount_minor),
            (Some(RemissionStatus::Excused), 0)
        );
        let breach = judge(
            &service.sla[0],
            ontario,
            std::slice::from_ref(&outage),
            &late,
            None,
            noon("2026-12-01"),
        );
        assert_eq!((breach.status, breach.remission), (Status::Breached, None));
    }

    #[test]
    fn dst_change_days_are_ordinary_days() {
        // Toronto moves to EDT on Sunday 2026-03-08 and back on Sunday 2026-11-01.
        let spring = eval(
            &[at("2026-03-06", Complete), at("2026-03-10", Dispatched)],
            "2026-03-20",
        );
        assert_eq!(spring.elapsed, 2);
        let autumn = eval(
            &[at("2026-10-30", Complete), at("2026-11-03", Dispatched)],
            "2026-11-20",
        );
        assert_eq!(autumn.elapsed, 2);
        // 23:30 local on the 9th is already the 10th in UTC: the local date counts (on a
        // calendar without office hours)…
        let late_evening = CaseMilestone {
            at: "2026-03-10T03:30:00Z".parse().unwrap(),
            kind: Dispatched,
            outcome: None,
        };
        let milestones = [at("2026-03-06", Complete), late_evening];
        let no_hours = Calendar {
            hours: vec![],
            ..calendar()
        };
        let e = judge(
            &policy(),
            &no_hours,
            &[],
            &milestones,
            None,
            noon("2026-03-20"),
        );
        assert_eq!(e.elapsed, 1);
        // …and with the shipped office hours, 23:30 is after closing: the 10th's work.
        assert_eq!(eval(&milestones, "2026-03-20").elapsed, 2);
    }

    #[test]
    fn a_stop_before_any_start_is_an_anomaly_not_a_result() {
        let e = eval(
            &[at("2026-03-01", Dispatched), at("2026-03-02", Complete)],
            "2026-03-05",
        );
        assert_eq!(e.anomalies, [Anomaly::StopBeforeStart]);
        assert_eq!(e.stopped_at, None);
        assert_eq!(e.status, Status::OnTrack);
        let e = eval(&[at("2026-03-01", Dispatched)], "2026-03-05");
        assert_eq!(
            (e.status, e.anomalies.clone()),
            (Status::NotStarted, vec![Anomaly::StopBeforeStart])
        );
    }

    #[test]
    fn a_refusal_closes_the_case_at_its_decision_an_approval_waits_for_dispatch() {
        // The shipped passport standard: decided + refused also stops the clock.
        let refused = eval(
            &[
                at("2026-03-02", Complete),
                decided("2026-03-09", Outcome::Refused),
            ],
            "2026-04-30",
        );
        assert_eq!(
            (refused.status, refused.elapsed, refused.stopped_at),
            (Status::Met, 5, Some(at("2026-03-09", Decided).at))
        );
        let refused_late = eval(
            &[
                at("2026-03-02", Complete),
                decided("2026-03-20", Outcome::Refused),
            ],
            "2026-04-30",
        );
        assert_eq!(
            (refused_late.status, refused_late.late),
            (Status::Breached, 4)
        );
        // An approval is not the end: the clock runs until dispatch.
        let approved = eval(
            &[
                at("2026-03-02", Complete),
                decided("2026-03-09", Outcome::Approved),
            ],
            "2026-03-13",
        );
        assert_eq!(
            (approved.stopped_at, approved.status),
            (None, Status::AtRisk)
        );
    }

    #[test]
    fn calendar_day_policies_count_every_date() {
        let mut policy = policy();
        policy.unit = LimitUnit::CalendarDays;
        let e = judge(
            &policy,
            &calendar(),
            &[],
            &[at("2026-12-21", Complete), at("2027-01-05", Dispatched)],
            None,
            noon("2027-02-01"),
        );
        assert_eq!((e.elapsed, e.late, e.due_date), (15, 5, d("2026-12-31")));
    }

    fn milestone_strategy() -> impl Strategy<Value = CaseMilestone> {
        let kinds = prop::sample::select(vec![
            Complete, OnHold, Resumed, Dispatched, Received, Decided,
        ]);
        let outcomes =
            prop::sample::select(vec![None, Some(Outcome::Approved), Some(Outcome::Refused)]);
        (0i64..120, kinds, outcomes).prop_map(|(day, kind, outcome)| {
            let date = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap() + chrono::Duration::days(day);
            CaseMilestone {
                outcome: outcome.filter(|_| kind == Decided),
                ..at(&date.to_string(), kind)
            }
        })
    }

    fn start_of_strategies() -> DateTime<Utc> {
        noon("2026-09-01")
    }

    /// Milestones at any minute of four months (both DST changes of 2026 are outside it
    /// for Toronto's spring one, inside it for the autumn one), not only at noon.
    fn instant_milestone_strategy() -> impl Strategy<Value = CaseMilestone> {
        let kinds = prop::sample::select(vec![Received, OnHold, Resumed, Decided, Withdrawn]);
        (0i64..(120 * 24 * 60), kinds).prop_map(|(minute, kind)| {
            milestone(
                start_of_strategies() + chrono::Duration::minutes(minute),
                kind,
            )
        })
    }

    proptest! {
        #[test]
        fn only_the_set_of_milestones_matters(mut milestones in prop::collection::vec(milestone_strategy(), 0..12), seed in any::<u64>()) {
            let expected = eval(&milestones, "2027-01-15");
            // Shuffle deterministically and repeat some: arrival order and duplicates.
            let n = milestones.len();
            if n > 1 {
                for i in 0..n {
                    milestones.swap(i, (seed as usize + i * 7) % n);
                }
                milestones.push(milestones[0]);
            }
            prop_assert_eq!(eval(&milestones, "2027-01-15"), expected);
        }

        #[test]
        fn elapsed_never_shrinks_as_days_pass_and_never_exceeds_calendar_days(
            milestones in prop::collection::vec(milestone_strategy(), 1..10),
            first in 0i64..200, more in 0i64..60,
        ) {
            let today = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap() + chrono::Duration::days(first);
            let later = today + chrono::Duration::days(more);
            let now = eval(&milestones, &today.to_string());
            let then = eval(&milestones, &later.to_string());
            prop_assert!(then.elapsed >= now.elapsed);
            prop_assert!(now.elapsed >= 0 && now.paused >= 0);
            if let Some(started) = now.started_at {
                let end = now.stopped_at.map_or(today, |s| local_date(s, Toronto)).max(local_date(started, Toronto));
                let calendar_days = (end - local_date(started, Toronto)).num_days();
                prop_assert!(now.elapsed <= calendar_days);
            }
        }

        #[test]
        fn opening_time_never_shrinks_as_the_moment_advances(
            milestones in prop::collection::vec(instant_milestone_strategy(), 1..8),
            first in 0i64..(120 * 24 * 60), more in 0i64..(20 * 24 * 60),
            hourly in any::<bool>(),
        ) {
            let unit = if hourly { LimitUnit::BusinessHours } else { LimitUnit::BusinessMinutes };
            let policy = opening_time_policy(30, unit);
            let now = start_of_strategies() + chrono::Duration::minutes(first);
            let later = now + chrono::Duration::minutes(more);
            let e = |at| judge(&policy, &office_calendar(), &[], &milestones, None, at);
            let (now, then) = (e(now), e(later));
            prop_assert!(then.elapsed >= now.elapsed, "{} then {}", now.elapsed, then.elapsed);
            prop_assert!(now.elapsed >= 0 && now.paused >= 0);
        }

        #[test]
        fn an_exception_or_a_hold_never_adds_elapsed_time(
            milestones in prop::collection::vec(instant_milestone_strategy(), 1..8),
            from in 0i64..(120 * 24 * 60), length in 1i64..(20 * 24 * 60),
            hold_at in 0i64..(120 * 24 * 60), hold_for in 1i64..(20 * 24 * 60),
            unit_pick in 0usize..3, effect_pause in any::<bool>(),
        ) {
            let unit = [LimitUnit::BusinessDays, LimitUnit::BusinessHours, LimitUnit::BusinessMinutes][unit_pick];
            let policy = SlaPolicy { unit, ..opening_time_policy(10, unit) };
            let base = start_of_strategies();
            let declared = Exception {
                id: "x".into(),
                services: vec![],
                from: base + chrono::Duration::minutes(from),
                to: base + chrono::Duration::minutes(from + length),
                reason: "x".into(),
                effect: if effect_pause { ExceptionEffect::PauseClock } else { ExceptionEffect::NoRemission },
            };
            let now = base + chrono::Duration::days(150);
            let calendar = office_calendar();
            let plain = judge(&policy, &calendar, &[], &milestones, None, now);
            let excepted = judge(&policy, &calendar, std::slice::from_ref(&declared), &milestones, None, now);
            prop_assert!(excepted.elapsed <= plain.elapsed, "exception: {} > {}", excepted.elapsed, plain.elapsed);
            prop_assert!(excepted.refund.amount_minor <= plain.refund.amount_minor);
            let mut held = milestones.clone();
            held.push(milestone(base + chrono::Duration::minutes(hold_at), OnHold));
            held.push(milestone(base + chrono::Duration::minutes(hold_at + hold_for), Resumed));
            // Only a hold on a case with none open already: a second pause while one is open
            // is ignored, and a resume closes the earlier hold.
            if !milestones.iter().any(|m| matches!(m.kind, OnHold | Resumed)) {
                let held = judge(&policy, &calendar, &[], &held, None, now);
                prop_assert!(held.elapsed <= plain.elapsed, "hold: {} > {}", held.elapsed, plain.elapsed);
            }
        }
    }
}
