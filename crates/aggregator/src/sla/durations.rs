//! The recent spread of case durations, for the breach forecast: how likely an open case is
//! to run past its due date, given how long it has been open.
//!
//! Outside surges cases are not finished oldest first: each takes its own time, and the
//! queue view ([`super::queue`]) breaches every case it ranks after the throughput's reach,
//! about six times the breaches that happen. The durations (business days from the clock's
//! start to its stop) of the cases completed in the throughput window say instead what share
//! of cases that have lasted `age` days go on past `allowed` days:
//! P(D > allowed | D ≥ age).
//!
//! In a surge the recent durations are those of calmer days, and they alone would miss it;
//! the queue knows. By Little's law an open queue of N cases drained at the recent pace
//! (C completions over W business days, lasting S business days in all) holds N = (C / W) ·
//! (S / C) cases, i.e. N = S / W; a longer queue means cases will take longer by the factor
//! `stretch` = N · W / S, and every duration is stretched by it (never shrunk: a short queue
//! is noise, not speed). All of it in integers and exact ratios.

use chrono::NaiveDate;

use civicpulse_core::calendar::Calendar;

use super::queue::Rate;

/// Business days, numbered: a date's number is how many business days there are from the
/// first date through it, so durations are differences.
#[derive(Debug, Clone)]
pub struct BusinessDayIndex {
    days: Vec<NaiveDate>,
}

impl BusinessDayIndex {
    /// The business days of `calendar` from `first` through `last`.
    pub fn new(calendar: &Calendar, first: NaiveDate, last: NaiveDate) -> Self {
        Self {
            days: first
                .iter_days()
                .take_while(|d| *d <= last)
                .filter(|d| calendar.is_business_day(*d))
                .collect(),
        }
    }

    /// Business days after `from` through `to` (0 when `to` is not after `from`).
    pub fn between(&self, from: NaiveDate, to: NaiveDate) -> u64 {
        let rank = |d: NaiveDate| self.days.partition_point(|x| *x <= d);
        rank(to).saturating_sub(rank(from)) as u64
    }
}

/// The durations, in business days, of the cases completed recently.
#[derive(Debug, Clone, Default)]
pub struct RecentDurations {
    sorted: Vec<u64>,
    total: u64,
}

impl RecentDurations {
    pub fn new(durations: impl IntoIterator<Item = u64>) -> Self {
        let mut sorted: Vec<u64> = durations.into_iter().collect();
        sorted.sort_unstable();
        let total = sorted.iter().sum();
        Self { sorted, total }
    }

    /// How much longer than recently the `open` cases will take, by Little's law, with
    /// the durations measured over `window` business days: at least 1.
    pub fn stretch(&self, open: usize, window: usize) -> Rate {
        let one = Rate::from_integer(1);
        if self.total == 0 {
            return one;
        }
        Rate::new(open as u64 * window as u64, self.total).max(one)
    }

    /// The chance that a case open for `age` business days runs past `allowed` business
    /// days, from the recent durations stretched by `stretch`; `None` when no recent case
    /// lasted `age` days, so the durations say nothing about it.
    pub fn breach_chance(&self, age: u64, allowed: u64, stretch: Rate) -> Option<f64> {
        // stretch · d ≥ age  ⇔  d ≥ ⌈age / stretch⌉; stretch · d > allowed ⇔ d > ⌊allowed / stretch⌋.
        let lasted_from = (Rate::from_integer(age) / stretch).ceil().to_integer();
        let late_from = (Rate::from_integer(allowed) / stretch).floor().to_integer() + 1;
        let lasted = self.at_least(lasted_from);
        let late = self.at_least(late_from.max(lasted_from));
        (lasted > 0).then(|| late as f64 / lasted as f64)
    }

    /// How many durations are `d` or more.
    fn at_least(&self, d: u64) -> usize {
        self.sorted.len() - self.sorted.partition_point(|x| *x < d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn business_days_between_dates_skip_weekends_and_holidays() {
        let calendar = Calendar::new(
            "test",
            vec![chrono::Weekday::Sat, chrono::Weekday::Sun],
            vec![day("2026-03-13")],
        );
        let index = BusinessDayIndex::new(&calendar, day("2026-03-01"), day("2026-03-31"));
        // Mon 9 → Mon 16: Tue 10, Wed 11, Thu 12, (Fri 13 holiday), Mon 16.
        assert_eq!(index.between(day("2026-03-09"), day("2026-03-16")), 4);
        assert_eq!(index.between(day("2026-03-16"), day("2026-03-09")), 0);
        assert_eq!(
            index.between(day("2026-03-09"), day("2026-03-16")),
            calendar.business_days_between(day("2026-03-09"), day("2026-03-16")) as u64
        );
    }

    #[test]
    fn the_chance_to_breach_given_the_age_on_a_hand_counted_spread() {
        // Ten recent cases lasted 2, 3, 4, 4, 5, 6, 7, 8, 11 and 12 business days.
        let recent = RecentDurations::new([5, 2, 3, 4, 4, 6, 7, 8, 11, 12]);
        let one = Rate::from_integer(1);
        // A new case allowed 10 days: 2 of the 10 went past 10.
        assert_eq!(recent.breach_chance(0, 10, one), Some(0.2));
        // One open 7 days: 4 of them lasted 7 or more (7, 8, 11, 12), 2 went past 10.
        assert_eq!(recent.breach_chance(7, 10, one), Some(0.5));
        // One open 9 days: only 11 and 12 lasted that long, and both went past 10.
        assert_eq!(recent.breach_chance(9, 10, one), Some(1.0));
        // None lasted 13 days: the durations cannot say.
        assert_eq!(recent.breach_chance(13, 20, one), None);
        // Stretched ×2 (the queue is twice what the pace explains): past 10 means d > 5, and
        // a case open 7 days is one of those with 2 · d ≥ 7, d ≥ 4: 8 of them, 5 past.
        assert_eq!(
            recent.breach_chance(7, 10, Rate::from_integer(2)),
            Some(5.0 / 8.0)
        );
    }

    #[test]
    fn the_queue_stretches_durations_only_when_longer_than_the_pace_explains() {
        // 10 completions over 2 business days (5 a day) lasting 6.2 days on average: that
        // pace holds a queue of 31 (stretch 1); 62 is twice it; 15 is not a reason to shrink.
        let recent = RecentDurations::new([5, 2, 3, 4, 4, 6, 7, 8, 11, 12]);
        assert_eq!(recent.stretch(31, 2), Rate::from_integer(1));
        assert_eq!(recent.stretch(62, 2), Rate::from_integer(2));
        assert_eq!(recent.stretch(15, 2), Rate::from_integer(1));
        assert_eq!(
            RecentDurations::default().stretch(5, 10),
            Rate::from_integer(1)
        );
    }
}
