//! The recent spread of case durations, for the breach forecast: how likely an open case is
//! to run past its due date, given how long it has been open.
//!
//! Outside surges cases are not finished oldest first: each takes its own time, and the
//! queue view ([`super::queue`]) breaches every case it ranks after the throughput's reach,
//! about six times the breaches that happen. The cases that fell due in the throughput
//! window say instead what share of the cases that lasted `age` days were late:
//! P(late | D ≥ age), with D the business days from the clock's start to its stop (unbounded
//! while open) and late meaning D beyond the business days to the case's own due date
//! (which a hold moves: a held case that took long is not a late one). Taking the cases
//! that fell due, not those that completed, counts the ones that never complete.
//!
//! In a surge those cases are the calmer days', and they alone would miss it; the queue
//! knows. By Little's law, cases falling due at C over W business days, each open and not
//! yet late for min(D, allowed) business days (S in all), keep N = (C / W) · (S / C) = S / W
//! open cases not yet late; a longer queue means cases will take longer by the factor
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

/// One case that fell due recently: business days from its clock's start to its stop
/// (`u64::MAX` while open), and to its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration {
    pub lasted: u64,
    pub allowed: u64,
}

/// The durations of the cases that fell due recently.
#[derive(Debug, Clone, Default)]
pub struct RecentDurations {
    /// Shortest first.
    sorted: Vec<Duration>,
    total: u64,
}

impl RecentDurations {
    pub fn new(durations: impl IntoIterator<Item = Duration>) -> Self {
        let mut sorted: Vec<Duration> = durations.into_iter().collect();
        sorted.sort_unstable();
        let total = sorted.iter().map(|d| d.lasted.min(d.allowed)).sum();
        Self { sorted, total }
    }

    /// How much longer than recently the `open` cases not yet late will take, by Little's
    /// law, with the cases falling due over `window` business days: at least 1.
    pub fn stretch(&self, open: usize, window: usize) -> Rate {
        let one = Rate::from_integer(1);
        if self.total == 0 {
            return one;
        }
        Rate::new(open as u64 * window as u64, self.total).max(one)
    }

    /// The chance that a case open for `age` business days breaches: the share of the
    /// recent cases that lasted as long (durations stretched by `stretch`) that went past
    /// their due date; `None` when no recent case lasted `age` days, so the durations say
    /// nothing about it.
    pub fn breach_chance(&self, age: u64, stretch: Rate) -> Option<f64> {
        // stretch · d ≥ age  ⇔  d ≥ ⌈age / stretch⌉.
        let lasted_from = (Rate::from_integer(age) / stretch).ceil().to_integer();
        let lasted = &self.sorted[self.sorted.partition_point(|d| d.lasted < lasted_from)..];
        let (numer, denom) = (u128::from(*stretch.numer()), u128::from(*stretch.denom()));
        // stretch · lasted > allowed, in integers.
        let late = lasted
            .iter()
            .filter(|d| u128::from(d.lasted) * numer > u128::from(d.allowed) * denom)
            .count();
        (!lasted.is_empty()).then(|| late as f64 / lasted.len() as f64)
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

    /// Recent cases allowed 10 business days that lasted `lasted` days.
    fn allowed_10(lasted: &[u64]) -> Vec<Duration> {
        lasted
            .iter()
            .map(|&lasted| Duration {
                lasted,
                allowed: 10,
            })
            .collect()
    }

    #[test]
    fn the_chance_to_breach_given_the_age_on_a_hand_counted_spread() {
        // Ten recent cases allowed 10 business days lasted 2, 3, 4, 4, 5, 6, 7, 8, 11 and
        // 12; an eleventh was held 5 days (allowed 15) and lasted 13, on time.
        let mut spread = allowed_10(&[5, 2, 3, 4, 4, 6, 7, 8, 11, 12]);
        spread.push(Duration {
            lasted: 13,
            allowed: 15,
        });
        let recent = RecentDurations::new(spread);
        let one = Rate::from_integer(1);
        // A new case: 2 of the 11 were late.
        assert_eq!(recent.breach_chance(0, one), Some(2.0 / 11.0));
        // One open 7 days: 5 lasted 7 or more (7, 8, 11, 12, 13), 2 were late.
        assert_eq!(recent.breach_chance(7, one), Some(2.0 / 5.0));
        // One open 11 days: 11, 12 and the held 13 lasted that long; 2 were late.
        assert_eq!(recent.breach_chance(11, one), Some(2.0 / 3.0));
        // None lasted 14 days: the durations cannot say.
        assert_eq!(recent.breach_chance(14, one), None);
        // Stretched ×2 (the queue is twice what the pace explains): a case open 7 days is
        // one of those with 2 · d ≥ 7, d ≥ 4: 9 of them; late when 2 · d > allowed: 6, 7, 8,
        // 11, 12 and the held 13 (26 > 15).
        assert_eq!(
            recent.breach_chance(7, Rate::from_integer(2)),
            Some(6.0 / 9.0)
        );
    }

    #[test]
    fn the_queue_stretches_durations_only_when_longer_than_the_pace_explains() {
        // 10 cases fell due in 1 business day, open and on time for 59 days in all (the two
        // late ones for their 10 allowed days): that pace keeps 59 cases open and not yet
        // late (stretch 1); 118 is twice it; 30 is not a reason to shrink.
        let recent = RecentDurations::new(allowed_10(&[5, 2, 3, 4, 4, 6, 7, 8, 11, 12]));
        assert_eq!(recent.stretch(59, 1), Rate::from_integer(1));
        assert_eq!(recent.stretch(118, 1), Rate::from_integer(2));
        assert_eq!(recent.stretch(30, 1), Rate::from_integer(1));
        assert_eq!(
            RecentDurations::default().stretch(5, 10),
            Rate::from_integer(1)
        );
    }
}
