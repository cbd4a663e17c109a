//! Breach forecast: of today's open cases, which will break the guarantee and when, what
//! refunds they will owe, and what throughput would prevent it.
//!
//! The queueing model, chosen for being explainable to on-call staff and back-testable:
//! - first in, first out: open cases are completed in the order they started;
//! - at the recent throughput: the mean completions per business day over the last
//!   `window` business days before today (today is partial, so it is left out);
//! - from tomorrow: the k-th business day after today completes the cases ranked
//!   (k − 1)·μ + 1 … k·μ, so case i (0-based) completes on business day ⌈(i + 1) / μ⌉;
//! - a case breaches when that day is after its due date; an already breached case is
//!   counted apart ("already"), as no throughput can save it.
//!
//! Throughput needed: case i, due D_i business days from tomorrow (D_i ≥ 1), is on time
//! at rate r iff ⌈(i + 1) / r⌉ ≤ D_i, i.e. r ≥ (i + 1) / D_i; the rate that keeps every
//! such case on time is the largest of these. Cases due today or earlier (D_i = 0) cannot
//! be saved from tomorrow; they are counted as `due_now`, not in the rate.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use civicpulse_core::calendar::Calendar;

/// How far ahead the forecast looks, in business days (a year); later completions are
/// "beyond the horizon".
pub const HORIZON_BUSINESS_DAYS: usize = 260;

/// One open case in the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedCase {
    pub started_at: DateTime<Utc>,
    pub due_date: NaiveDate,
    /// Past its limit already.
    pub breached: bool,
}

/// Where one case is forecast to end.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Completion {
    /// Index of the case in the queue given.
    pub case: usize,
    /// The business day it is forecast to complete on; none beyond the horizon.
    pub completes_on: Option<NaiveDate>,
    /// Forecast to end after its due date (and not already breached).
    pub breaches: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    /// Completions per business day the forecast assumes (μ).
    pub throughput: f64,
    pub open: usize,
    pub already_breached: usize,
    /// Open, not yet breached, due today or earlier: only today's work can save them.
    pub due_now: usize,
    /// Open cases forecast to breach (not counting those already breached).
    pub breaches: usize,
    /// The due dates of the forecast breaches, earliest first, with how many fall on each.
    pub breaches_by_due_date: Vec<(NaiveDate, usize)>,
    /// Completions per business day from tomorrow for no further case to breach (none
    /// when no case can still be saved).
    pub required_throughput: Option<f64>,
    pub completions: Vec<Completion>,
}

/// The mean completions per business day over the `window` business days before `today`.
pub fn throughput(
    calendar: &Calendar,
    today: NaiveDate,
    window: usize,
    completed_on: impl IntoIterator<Item = NaiveDate>,
) -> f64 {
    let days = business_days_before(calendar, today, window);
    let Some(first) = days.last().copied() else {
        return 0.0;
    };
    let completed = completed_on
        .into_iter()
        .filter(|d| *d >= first && *d < today && calendar.is_business_day(*d))
        .count();
    completed as f64 / days.len() as f64
}

/// The `count` business days before `today`, latest first.
pub fn business_days_before(calendar: &Calendar, today: NaiveDate, count: usize) -> Vec<NaiveDate> {
    today
        .iter_days()
        .rev()
        .skip(1)
        .take(3660)
        .filter(|d| calendar.is_business_day(*d))
        .take(count)
        .collect()
}

/// The forecast for `queue` (any order: it is put in start order) as of `today`.
pub fn forecast(
    calendar: &Calendar,
    today: NaiveDate,
    throughput: f64,
    queue: &[QueuedCase],
) -> Forecast {
    let mut order: Vec<usize> = (0..queue.len()).collect();
    order.sort_by_key(|&i| (queue[i].started_at, i));
    let days: Vec<NaiveDate> = today
        .iter_days()
        .skip(1)
        .filter(|d| calendar.is_business_day(*d))
        .take(HORIZON_BUSINESS_DAYS)
        .collect();
    let mut completions = Vec::with_capacity(queue.len());
    let mut required: Option<f64> = None;
    let (mut already, mut due_now) = (0, 0);
    for (rank, &i) in order.iter().enumerate() {
        let case = &queue[i];
        let completes_on = (throughput > 0.0)
            .then(|| ((rank + 1) as f64 / throughput).ceil() as usize)
            .and_then(|day| days.get(day - 1).copied());
        let breaches = !case.breached && completes_on.is_none_or(|d| d > case.due_date);
        // Business days from tomorrow through the due date.
        let budget = days.partition_point(|d| *d <= case.due_date);
        if case.breached {
            already += 1;
        } else if budget == 0 {
            due_now += 1;
        } else {
            let rate = (rank + 1) as f64 / budget as f64;
            required = Some(required.map_or(rate, |r: f64| r.max(rate)));
        }
        completions.push(Completion {
            case: i,
            completes_on,
            breaches,
        });
    }
    let mut by_date: std::collections::BTreeMap<NaiveDate, usize> = Default::default();
    for c in completions.iter().filter(|c| c.breaches) {
        *by_date.entry(queue[c.case].due_date).or_default() += 1;
    }
    Forecast {
        throughput,
        open: queue.len(),
        already_breached: already,
        due_now,
        breaches: completions.iter().filter(|c| c.breaches).count(),
        breaches_by_due_date: by_date.into_iter().collect(),
        required_throughput: required,
        completions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn weekdays() -> Calendar {
        Calendar::new(
            "test",
            vec![chrono::Weekday::Sat, chrono::Weekday::Sun],
            vec!["2026-03-13".parse().unwrap()],
        )
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn case(started_hour: u32, due: &str, breached: bool) -> QueuedCase {
        QueuedCase {
            started_at: Utc
                .with_ymd_and_hms(2026, 3, 1, started_hour, 0, 0)
                .unwrap(),
            due_date: day(due),
            breached,
        }
    }

    #[test]
    fn throughput_is_the_mean_of_the_last_business_days() {
        // Today Mon 16 Mar; the 3 business days before: Thu 12, Wed 11, Tue 10 (Fri 13 is
        // a holiday, the weekend does not count). 6 completions in them, one on Mon 9
        // (outside), one today (partial, left out): 6 / 3 = 2.
        let completed = [
            "2026-03-10",
            "2026-03-10",
            "2026-03-11",
            "2026-03-12",
            "2026-03-12",
            "2026-03-12",
            "2026-03-09",
            "2026-03-16",
        ];
        let mu = throughput(
            &weekdays(),
            day("2026-03-16"),
            3,
            completed.iter().map(|d| day(d)),
        );
        assert_eq!(mu, 2.0);
    }

    #[test]
    fn fifo_at_the_recent_throughput_on_a_hand_computed_queue() {
        // Today Mon 9 Mar, 2 completions a business day from tomorrow: ranks 0–1 complete
        // Tue 10, 2–3 Wed 11, 4–5 Thu 12, 6 Mon 16 (Fri 13 is a holiday).
        let queue = vec![
            case(1, "2026-03-05", true),  // already breached: counted apart
            case(2, "2026-03-10", false), // rank 1 → Tue 10 ≤ Tue 10: on time
            case(3, "2026-03-10", false), // rank 2 → Wed 11 > Tue 10: breaches
            case(4, "2026-03-09", false), // due today: rank 3 → Wed 11, breaches (due now)
            case(5, "2026-03-16", false), // rank 4 → Thu 12: on time
            case(6, "2026-03-11", false), // rank 5 → Thu 12 > Wed 11: breaches
            case(7, "2026-03-16", false), // rank 6 → Mon 16: on time
        ];
        let f = forecast(&weekdays(), day("2026-03-09"), 2.0, &queue);
        assert_eq!(
            (f.open, f.already_breached, f.due_now, f.breaches),
            (7, 1, 1, 3)
        );
        assert_eq!(
            f.breaches_by_due_date,
            [
                (day("2026-03-09"), 1),
                (day("2026-03-10"), 1),
                (day("2026-03-11"), 1)
            ]
        );
        let on = |i: usize| {
            f.completions
                .iter()
                .find(|c| c.case == i)
                .unwrap()
                .completes_on
        };
        assert_eq!(on(2), Some(day("2026-03-11")));
        assert_eq!(on(6), Some(day("2026-03-16")));
        // Needed: rank r (1-based) due D business days from tomorrow needs r / D a day.
        // Ranks 2 and 3 due Tue 10 (D = 1): 3 / 1 = 3; rank 6 due Wed 11 (D = 2): 6 / 2 = 3;
        // ranks 5 and 7 due Mon 16 (D = 4): 7 / 4. The largest: 3 a day.
        assert_eq!(f.required_throughput, Some(3.0));
        // At that rate, none of the savable cases breaches: only the one due today does.
        let at_required = forecast(&weekdays(), day("2026-03-09"), 3.0, &queue);
        assert_eq!(at_required.breaches, at_required.due_now);
    }

    #[test]
    fn no_throughput_breaches_every_case_and_an_empty_queue_needs_nothing() {
        let queue = vec![case(1, "2026-03-20", false)];
        let f = forecast(&weekdays(), day("2026-03-09"), 0.0, &queue);
        assert_eq!((f.breaches, f.completions[0].completes_on), (1, None));
        // One case due in 8 business days (10–12, 16–20): 1/8 a day suffices.
        assert_eq!(f.required_throughput, Some(1.0 / 8.0));
        let empty = forecast(&weekdays(), day("2026-03-09"), 5.0, &[]);
        assert_eq!((empty.breaches, empty.required_throughput), (0, None));
    }
}
