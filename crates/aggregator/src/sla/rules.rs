//! The exact SLA rules, as pure functions of a case's distinct milestones.
//!
//! - Dates are civil dates in the service's time zone.
//! - A counted day is a business day (policy unit `business_days`) or any date
//!   (`calendar_days`).
//! - elapsed = counted days D with start_date < D ≤ end_date, minus paused days, where
//!   end_date is the date of the first stop milestone (`stop`, or an `also_stop` such as a
//!   refusal) after the start, the withdrawal date, or `today` for an open case;
//!   paused = for each hold, counted days D with hold_date < D ≤ resume_date (an open hold
//!   pauses up to end_date), clipped to the case's window.
//! - due_date = the date on which elapsed reaches the limit (holds known so far included).
//! - late_days = max(0, elapsed − limit).
//! - status: withdrawn; met (stopped, elapsed ≤ limit); breached (elapsed > limit);
//!   at_risk (open, limit − elapsed ≤ at_risk_days); on_track (open otherwise);
//!   not_started (no start milestone).
//! - refund percent from the tier holding late_days; amount = fee × percent, to the cent.
//! - Only the set of distinct milestones matters, never their arrival order. A stop before
//!   any start is reported as an anomaly.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use civicpulse_core::calendar::{local_date, Calendar};
use civicpulse_core::event::{MilestoneKind, Outcome};
use civicpulse_core::sla::{Anomaly, LimitUnit, SlaPolicy, Status};
use serde::Serialize;

/// Longest a due date is searched for, in days (a guard against empty calendars).
const DUE_DATE_HORIZON_DAYS: u64 = 3660;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CaseMilestone {
    pub at: DateTime<Utc>,
    pub kind: MilestoneKind,
    /// The decision's outcome, for milestones that carry one.
    pub outcome: Option<Outcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    pub started_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
    pub elapsed_days: i64,
    pub paused_days: i64,
    pub limit: i64,
    pub due_date: Option<NaiveDate>,
    pub status: Status,
    pub late_days: i64,
    pub refund_percent: f64,
    /// Fee × percent, rounded to the cent.
    pub refund_amount: f64,
    pub anomalies: Vec<Anomaly>,
}

/// Which dates count towards the limit.
struct Counter<'a> {
    unit: LimitUnit,
    calendar: &'a Calendar,
}

impl Counter<'_> {
    fn counts(&self, date: NaiveDate) -> bool {
        match self.unit {
            LimitUnit::BusinessDays => self.calendar.is_business_day(date),
            LimitUnit::CalendarDays => true,
        }
    }

    /// Counted days D with `after < D ≤ through`.
    fn between(&self, after: NaiveDate, through: NaiveDate) -> i64 {
        match self.unit {
            LimitUnit::BusinessDays => self.calendar.business_days_between(after, through),
            LimitUnit::CalendarDays => (through - after).num_days().max(0),
        }
    }
}

/// Evaluates one case under one policy on `today` (a date in the service's time zone).
pub fn evaluate(
    policy: &SlaPolicy,
    calendar: &Calendar,
    zone: Tz,
    milestones: &[CaseMilestone],
    today: NaiveDate,
) -> Evaluation {
    let mut sorted = milestones.to_vec();
    sorted.sort();
    sorted.dedup();
    let counter = Counter {
        unit: policy.unit,
        calendar,
    };
    let first = |kind: MilestoneKind, from: Option<DateTime<Utc>>| {
        sorted
            .iter()
            .find(|m| m.kind == kind && from.is_none_or(|f| m.at >= f))
            .map(|m| m.at)
    };
    let started_at = first(policy.start, None);
    let stops = |m: &&CaseMilestone| policy.stops(m.kind, m.outcome);
    let stopped_at = started_at.and_then(|s| {
        sorted
            .iter()
            .filter(stops)
            .find(|m| m.at >= s)
            .map(|m| m.at)
    });
    let withdrawn_at = first(MilestoneKind::Withdrawn, None);
    let mut anomalies = Vec::new();
    let stop_before_start = sorted
        .iter()
        .filter(stops)
        .any(|m| started_at.is_none_or(|s| m.at < s));
    if stop_before_start {
        anomalies.push(Anomaly::StopBeforeStart);
    }

    let limit = i64::from(policy.limit);
    let Some(started_at) = started_at else {
        return Evaluation {
            started_at: None,
            stopped_at: None,
            elapsed_days: 0,
            paused_days: 0,
            limit,
            due_date: None,
            status: if withdrawn_at.is_some() {
                Status::Withdrawn
            } else {
                Status::NotStarted
            },
            late_days: 0,
            refund_percent: 0.0,
            refund_amount: 0.0,
            anomalies,
        };
    };

    let start_date = local_date(started_at, zone);
    let closed_at = match (stopped_at, withdrawn_at) {
        (Some(s), Some(w)) => Some(s.min(w)),
        (s, w) => s.or(w),
    };
    let end_date = closed_at
        .map_or(today, |at| local_date(at, zone))
        .max(start_date);
    let holds = holds(policy, &sorted, zone, start_date, end_date, &mut anomalies);
    let paused_days: i64 = holds
        .iter()
        .map(|(from, to)| counter.between(*from, *to))
        .sum();
    let elapsed_days = counter.between(start_date, end_date) - paused_days;
    let due_date = due_date(&counter, start_date, limit, &holds);
    let late_days = (elapsed_days - limit).max(0);
    let withdrawn = withdrawn_at.is_some() && closed_at == withdrawn_at && stopped_at != closed_at;
    let status = if withdrawn {
        Status::Withdrawn
    } else if elapsed_days > limit {
        Status::Breached
    } else if stopped_at.is_some() {
        Status::Met
    } else if limit - elapsed_days <= i64::from(policy.at_risk_days) {
        Status::AtRisk
    } else {
        Status::OnTrack
    };
    let refund_percent = if withdrawn {
        0.0
    } else {
        policy.refund_percent(u32::try_from(late_days).unwrap_or(u32::MAX))
    };
    let refund_amount = (policy.fee * refund_percent).round() / 100.0;
    Evaluation {
        started_at: Some(started_at),
        stopped_at,
        elapsed_days,
        paused_days,
        limit,
        due_date,
        status,
        late_days,
        refund_percent,
        refund_amount,
        anomalies,
    }
}

/// The hold intervals (hold_date, resume_date], clipped to (start_date, end_date]; an open
/// hold runs to end_date. Intervals come out disjoint and in order.
fn holds(
    policy: &SlaPolicy,
    sorted: &[CaseMilestone],
    zone: Tz,
    start_date: NaiveDate,
    end_date: NaiveDate,
    anomalies: &mut Vec<Anomaly>,
) -> Vec<(NaiveDate, NaiveDate)> {
    let mut intervals = Vec::new();
    let mut open: Option<NaiveDate> = None;
    for milestone in sorted {
        let pauses = policy.clock_stops.iter().any(|c| c.pause == milestone.kind);
        let resumes = policy
            .clock_stops
            .iter()
            .any(|c| c.resume == milestone.kind);
        let date = local_date(milestone.at, zone);
        if pauses && open.is_none() {
            open = Some(date);
        } else if resumes {
            match open.take() {
                Some(from) => intervals.push((from, date)),
                None => {
                    if !anomalies.contains(&Anomaly::ResumeWithoutHold) {
                        anomalies.push(Anomaly::ResumeWithoutHold);
                    }
                }
            }
        }
    }
    if let Some(from) = open {
        intervals.push((from, end_date));
    }
    intervals
        .into_iter()
        .map(|(from, to)| (from.max(start_date), to.min(end_date)))
        .filter(|(from, to)| from < to)
        .collect()
}

/// The date on which elapsed reaches `limit`, skipping uncounted and paused days.
fn due_date(
    counter: &Counter<'_>,
    start_date: NaiveDate,
    limit: i64,
    holds: &[(NaiveDate, NaiveDate)],
) -> Option<NaiveDate> {
    if limit == 0 {
        return Some(start_date);
    }
    let paused = |d: NaiveDate| holds.iter().any(|(from, to)| *from < d && d <= *to);
    let mut counted = 0;
    for date in start_date
        .iter_days()
        .skip(1)
        .take(DUE_DATE_HORIZON_DAYS as usize)
    {
        if counter.counts(date) && !paused(date) {
            counted += 1;
            if counted == limit {
                return Some(date);
            }
        }
    }
    None
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

    fn eval(milestones: &[CaseMilestone], today: &str) -> Evaluation {
        evaluate(
            &policy(),
            &calendar(),
            Toronto,
            milestones,
            today.parse().unwrap(),
        )
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
                    e.elapsed_days,
                    e.paused_days,
                    e.due_date,
                    e.status,
                    e.late_days,
                    e.refund_amount
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

    #[test]
    fn dst_change_days_are_ordinary_days() {
        // Toronto moves to EDT on Sunday 2026-03-08 and back on Sunday 2026-11-01.
        let spring = eval(
            &[at("2026-03-06", Complete), at("2026-03-10", Dispatched)],
            "2026-03-20",
        );
        assert_eq!(spring.elapsed_days, 2);
        let autumn = eval(
            &[at("2026-10-30", Complete), at("2026-11-03", Dispatched)],
            "2026-11-20",
        );
        assert_eq!(autumn.elapsed_days, 2);
        // 23:30 local on the 9th is already the 10th in UTC: the local date counts.
        let late_evening = CaseMilestone {
            at: "2026-03-10T03:30:00Z".parse().unwrap(),
            kind: Dispatched,
            outcome: None,
        };
        let e = eval(&[at("2026-03-06", Complete), late_evening], "2026-03-20");
        assert_eq!(e.elapsed_days, 1);
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
            (refused.status, refused.elapsed_days, refused.stopped_at),
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
            (refused_late.status, refused_late.late_days),
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
        let e = evaluate(
            &policy,
            &calendar(),
            Toronto,
            &[at("2026-12-21", Complete), at("2027-01-05", Dispatched)],
            "2027-02-01".parse().unwrap(),
        );
        assert_eq!(
            (e.elapsed_days, e.late_days, e.due_date),
            (15, 5, d("2026-12-31"))
        );
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
            prop_assert!(then.elapsed_days >= now.elapsed_days);
            prop_assert!(now.elapsed_days >= 0 && now.paused_days >= 0);
            if let Some(started) = now.started_at {
                let end = now.stopped_at.map_or(today, |s| local_date(s, Toronto)).max(local_date(started, Toronto));
                let calendar_days = (end - local_date(started, Toronto)).num_days();
                prop_assert!(now.elapsed_days <= calendar_days);
            }
        }
    }
}
