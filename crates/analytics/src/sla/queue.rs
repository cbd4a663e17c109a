//! Breach forecast: of today's open cases, which will break their standard and when, what
//! refunds they will owe, and what throughput would prevent it.
//!
//! Two views of the same queue, mixed per case:
//! - the queue: first in, first out at the recent throughput μ, the completions of the
//!   last `window` business days before today over those days (today is partial). From
//!   tomorrow, the k-th business day completes the cases ranked (k − 1)·μ + 1 … k·μ, so
//!   case i (0-based) completes on business day ⌈(i + 1) / μ⌉. μ is an exact rational
//!   (completions over days), so 21 cases at 14 completions in 10 days end on day 15, not
//!   on day ⌈15.000000000000002⌉;
//! - the recent spread of durations ([`super::durations`]): each case's chance to run past
//!   its due date, given its age, when it is known (`breach_chance`); the queue's verdict
//!   (0 or 1) when no recent case ran that long.
//!
//! The forecast breaches are the sum of those chances (the expected number), by due date
//! likewise; the first breach is the due date by which one breach is more likely than not
//! (the chances summed in due-date order reach ½). An already breached case is counted
//! apart ("already"), as no throughput can save it.
//!
//! Throughput needed: case i, due D_i business days from tomorrow (D_i ≥ 1), is on time
//! at rate r iff ⌈(i + 1) / r⌉ ≤ D_i, i.e. r ≥ (i + 1) / D_i; the rate that keeps every
//! such case on time is the largest of these. Cases due today or earlier (D_i = 0) cannot
//! be saved from tomorrow; they are counted as `due_now`, not in the rate.

use chrono::{DateTime, NaiveDate, Utc};
use num_rational::Ratio;

use civicpulse_core::calendar::Calendar;

/// How far ahead the forecast looks, in business days (a year); later completions are
/// "beyond the horizon".
pub const HORIZON_BUSINESS_DAYS: usize = 260;

/// Completions per business day, exactly: a ratio of counts, so no rounding decides
/// whether a case ends on its due date or the day after.
pub type Rate = Ratio<u64>;

/// A rate as a figure to show (the forecast's JSON, the gauges).
pub fn rate_figure(rate: Rate) -> f64 {
    *rate.numer() as f64 / *rate.denom() as f64
}

/// One open case in the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedCase {
    pub started_at: DateTime<Utc>,
    pub due_date: NaiveDate,
    /// Past its limit already.
    pub breached: bool,
    /// Its chance to breach from the recent spread of durations; `None` when no recent case
    /// ran as long as it has, and the queue decides.
    pub breach_chance: Option<f64>,
}

/// Where one case is forecast to end.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// Index of the case in the queue given.
    pub case: usize,
    /// The business day the queue completes it on; none beyond the horizon.
    pub completes_on: Option<NaiveDate>,
    /// The queue completes it after its due date (and it is not already breached).
    pub breaches: bool,
    /// Its chance to breach, mixed as the module says (0 when already breached).
    pub chance: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// Completions per business day the forecast assumes (μ).
    pub throughput: f64,
    pub open: usize,
    pub already_breached: usize,
    /// Open, not yet breached, due today or earlier: only today's work can save them.
    pub due_now: usize,
    /// Open cases the queue alone (FIFO at μ) completes late.
    pub fifo_breaches: usize,
    /// Expected breaches of the open cases not already breached (the chances summed).
    pub expected_breaches: f64,
    /// `expected_breaches` rounded: the cases forecast to breach.
    pub breaches: usize,
    /// The due dates of the forecast breaches, earliest first, with how many (rounded)
    /// fall on each; dates rounding to none are left out.
    pub breaches_by_due_date: Vec<(NaiveDate, usize)>,
    /// The case whose due date is the first forecast breach's.
    pub first_breach: Option<usize>,
    /// Completions per business day from tomorrow for no further case to breach (none
    /// when no case can still be saved).
    pub required_throughput: Option<f64>,
    pub completions: Vec<Completion>,
}

/// The completions per business day over the `window` business days before `today`.
pub fn throughput(
    calendar: &Calendar,
    today: NaiveDate,
    window: usize,
    completed_on: impl IntoIterator<Item = NaiveDate>,
) -> Rate {
    let days = business_days_before(calendar, today, window);
    let Some(first) = days.last().copied() else {
        return Rate::from_integer(0);
    };
    let completed = completed_on
        .into_iter()
        .filter(|d| *d >= first && *d < today && calendar.is_business_day(*d))
        .count();
    Rate::new(completed as u64, days.len() as u64)
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
    throughput: Rate,
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
    let mut required: Option<Rate> = None;
    let (mut already, mut due_now) = (0, 0);
    for (rank, &i) in order.iter().enumerate() {
        let case = &queue[i];
        let rank = rank as u64 + 1;
        let completes_on = (throughput > Rate::from_integer(0))
            .then(|| (Rate::from_integer(rank) / throughput).ceil().to_integer())
            .and_then(|day| usize::try_from(day).ok())
            .and_then(|day| days.get(day - 1).copied());
        let breaches = !case.breached && completes_on.is_none_or(|d| d > case.due_date);
        // Business days from tomorrow through the due date.
        let budget = days.partition_point(|d| *d <= case.due_date);
        if case.breached {
            already += 1;
        } else if budget == 0 {
            due_now += 1;
        } else {
            let rate = Rate::new(rank, budget as u64);
            required = Some(required.map_or(rate, |r| r.max(rate)));
        }
        let chance = if case.breached {
            0.0
        } else {
            case.breach_chance
                .unwrap_or(if breaches { 1.0 } else { 0.0 })
        };
        completions.push(Completion {
            case: i,
            completes_on,
            breaches,
            chance,
        });
    }
    let mut by_date: std::collections::BTreeMap<NaiveDate, (f64, usize)> = Default::default();
    for c in completions.iter().filter(|c| c.chance > 0.0) {
        let entry = by_date
            .entry(queue[c.case].due_date)
            .or_insert((0.0, c.case));
        entry.0 += c.chance;
    }
    let mut cumulative = 0.0;
    let first_breach = by_date.values().find_map(|(chance, case)| {
        cumulative += chance;
        (cumulative >= 0.5).then_some(*case)
    });
    // Folded from +0.0: an empty f64 sum is -0.0, which JSON would show.
    let expected_breaches = completions.iter().fold(0.0, |sum, c| sum + c.chance);
    Forecast {
        throughput: rate_figure(throughput),
        open: queue.len(),
        already_breached: already,
        due_now,
        fifo_breaches: completions.iter().filter(|c| c.breaches).count(),
        expected_breaches,
        breaches: expected_breaches.round() as usize,
        breaches_by_due_date: by_date
            .into_iter()
            .map(|(date, (chance, _))| (date, chance.round() as usize))
            .filter(|(_, n)| *n > 0)
            .collect(),
        first_breach,
        required_throughput: required.map(rate_figure),
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
            breach_chance: None,
        }
    }

    fn rate(completions: u64, days: u64) -> Rate {
        Rate::new(completions, days)
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
        assert_eq!(mu, Rate::from_integer(2));
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
        let f = forecast(&weekdays(), day("2026-03-09"), rate(2, 1), &queue);
        assert_eq!(
            (f.open, f.already_breached, f.due_now, f.breaches),
            (7, 1, 1, 3)
        );
        // Without a spread of durations the queue decides alone.
        assert_eq!((f.fifo_breaches, f.expected_breaches), (3, 3.0));
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
        let at_required = forecast(&weekdays(), day("2026-03-09"), rate(3, 1), &queue);
        assert_eq!(at_required.breaches, at_required.due_now);
    }

    #[test]
    fn no_throughput_breaches_every_case_and_an_empty_queue_needs_nothing() {
        let queue = vec![case(1, "2026-03-20", false)];
        let f = forecast(&weekdays(), day("2026-03-09"), rate(0, 10), &queue);
        assert_eq!((f.breaches, f.completions[0].completes_on), (1, None));
        // One case due in 8 business days (10–12, 16–20): 1/8 a day suffices.
        assert_eq!(f.required_throughput, Some(1.0 / 8.0));
        let empty = forecast(&weekdays(), day("2026-03-09"), rate(5, 1), &[]);
        assert_eq!((empty.breaches, empty.required_throughput), (0, None));
    }

    /// `n` cases started in order, all due on the `due`-th business day from tomorrow
    /// (Tue 10 Mar 2026 is the first; Fri 13 is a holiday).
    fn due_on_business_day(n: usize, due: usize) -> Vec<QueuedCase> {
        let due_date = day("2026-03-09")
            .iter_days()
            .skip(1)
            .filter(|d| weekdays().is_business_day(*d))
            .nth(due - 1)
            .unwrap();
        (0..n)
            .map(|i| QueuedCase {
                started_at: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap()
                    + chrono::Duration::minutes(i as i64),
                due_date,
                breached: false,
                breach_chance: None,
            })
            .collect()
    }

    #[test]
    fn cases_that_finish_exactly_on_their_due_day_do_not_breach() {
        // 14, 7 and 28 completions over 10 business days: 1.4, 0.7 and 2.8 a day, where
        // 21 / 1.4, 21 / 0.7 and 42 / 2.8 in floating point all land just above the whole
        // day. The last case finishes on its due day, so nothing breaches; one more does.
        for (completions, cases, due) in [(14, 21, 15), (7, 21, 30), (28, 42, 15)] {
            let mu = rate(completions, 10);
            let queue = due_on_business_day(cases, due);
            let f = forecast(&weekdays(), day("2026-03-09"), mu, &queue);
            let last = f.completions.iter().map(|c| c.completes_on).max().flatten();
            assert_eq!(
                (f.breaches, last),
                (0, Some(queue[0].due_date)),
                "{completions} completions in 10 days, {cases} cases due on day {due}"
            );
            assert_eq!(f.required_throughput, Some(cases as f64 / due as f64));
            let one_more = due_on_business_day(cases + 1, due);
            let f = forecast(&weekdays(), day("2026-03-09"), mu, &one_more);
            assert_eq!(f.breaches, 1, "{cases} + 1 cases at {completions} / 10");
        }
    }

    #[test]
    fn chances_from_the_durations_replace_the_queue_verdict_where_known() {
        // Three cases due Tue 10; at 1 a day the queue finishes only the first in time.
        // The durations give the first two a chance (0.2 and 0.5); the third ran longer
        // than any recent case, so the queue's verdict (breach) stands: 1.7 expected.
        let mut queue = due_on_business_day(3, 1);
        queue[0].breach_chance = Some(0.2);
        queue[1].breach_chance = Some(0.5);
        let f = forecast(&weekdays(), day("2026-03-09"), rate(1, 1), &queue);
        assert_eq!(f.fifo_breaches, 2);
        assert!(
            (f.expected_breaches - 1.7).abs() < 1e-9,
            "{}",
            f.expected_breaches
        );
        assert_eq!(f.breaches, 2);
        assert_eq!(f.breaches_by_due_date, [(day("2026-03-10"), 2)]);
        assert_eq!(f.first_breach, Some(0));
        // Small chances alone: 0.2 expected rounds to no breach and no first breach.
        let mut calm = due_on_business_day(1, 3);
        calm[0].breach_chance = Some(0.2);
        let f = forecast(&weekdays(), day("2026-03-09"), rate(1, 1), &calm);
        assert_eq!((f.breaches, f.first_breach), (0, None));
        assert!(f.breaches_by_due_date.is_empty());
    }
}
