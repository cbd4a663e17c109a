//! Which periods scheduled reports are due for, as pure date arithmetic (the loop that writes
//! them is `scheduler`): a monthly report covers the previous month and is due on the Nth
//! business day of the month; a quarterly one covers the previous quarter and is due on the
//! Nth business day of the quarter's first month.
//! Each schedule has one latest due period at any day, so a restarted scheduler asks for
//! the same period again and finds it already written.

use chrono::{Datelike, Months, NaiveDate};
use civicpulse_analytics::period::Period;
use civicpulse_core::calendar::Calendar;
use civicpulse_core::config::{ReportEvery, ReportSchedule};

/// A report a schedule asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub period: Period,
    pub schedule: &'static str,
    pub due_on: NaiveDate,
}

/// The `n`th business day (1 = first) of the month starting `first`.
pub fn nth_business_day(calendar: &Calendar, first: NaiveDate, n: u32) -> Option<NaiveDate> {
    first
        .iter_days()
        .take_while(|d| d.month() == first.month())
        .filter(|d| calendar.is_business_day(*d))
        .nth(n.max(1) as usize - 1)
}

/// The latest period each schedule has come due for, as of `today`.
pub fn latest(schedules: &[ReportSchedule], calendar: &Calendar, today: NaiveDate) -> Vec<Due> {
    recent(schedules, calendar, today, 1)
        .into_iter()
        .map(|(due, _)| due)
        .collect()
}

/// The `count` latest periods each schedule has come due for, as of `today`, each with
/// its age (0 the latest, 1 the one before, …): the published periods the scheduler
/// re-checks for late events.
pub fn recent(
    schedules: &[ReportSchedule],
    calendar: &Calendar,
    today: NaiveDate,
    count: u32,
) -> Vec<(Due, u32)> {
    schedules
        .iter()
        .flat_map(|schedule| {
            (0..count).map_while(move |age| {
                due_before(schedule, calendar, today, age).map(|due| (due, age))
            })
        })
        .collect()
}

/// The period `age` cycles before the latest one `schedule` has come due for.
fn due_before(
    schedule: &ReportSchedule,
    calendar: &Calendar,
    today: NaiveDate,
    age: u32,
) -> Option<Due> {
    let month = today.with_day(1)?;
    let step = match schedule.every {
        ReportEvery::Monthly => 1,
        ReportEvery::Quarterly => 3,
    };
    // The publication month of the current cycle: this month, or the quarter's first.
    let cycle = match schedule.every {
        ReportEvery::Monthly => month,
        ReportEvery::Quarterly => month.with_month((month.month() - 1) / 3 * 3 + 1)?,
    };
    let this_due = nth_business_day(calendar, cycle, schedule.business_day)?;
    let latest = if today >= this_due {
        cycle
    } else {
        cycle.checked_sub_months(Months::new(step))?
    };
    let publication = latest.checked_sub_months(Months::new(step * age))?;
    let due_on = nth_business_day(calendar, publication, schedule.business_day)?;
    let covered = publication.checked_sub_months(Months::new(step))?;
    let (period, name) = match schedule.every {
        ReportEvery::Monthly => (Period::month(covered.year(), covered.month())?, "monthly"),
        ReportEvery::Quarterly => (
            Period::quarter(covered.year(), (covered.month() - 1) / 3 + 1)?,
            "quarterly",
        ),
    };
    Some(Due {
        period,
        schedule: name,
        due_on,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    /// Weekends off, and Labour Day (Monday 7 September 2026) and Thanksgiving (Monday
    /// 12 October 2026) as holidays.
    fn calendar() -> Calendar {
        Calendar::new(
            "ca",
            vec![Weekday::Sat, Weekday::Sun],
            vec![day("2026-09-07"), day("2026-10-12")],
        )
    }

    fn schedule(every: ReportEvery, business_day: u32) -> ReportSchedule {
        ReportSchedule {
            every,
            business_day,
        }
    }

    #[test]
    fn a_monthly_report_is_due_on_the_nth_business_day_for_the_month_before() {
        // October 2026 starts on a Thursday: the 1st is business day 1, Friday the 2nd is
        // day 2, Monday the 5th day 3.
        assert_eq!(
            nth_business_day(&calendar(), day("2026-10-01"), 3),
            Some(day("2026-10-05"))
        );
        // September: Tuesday 1st, …, Friday 4th is day 4, Monday 7th is a holiday, so
        // Tuesday 8th is day 5.
        assert_eq!(
            nth_business_day(&calendar(), day("2026-09-01"), 5),
            Some(day("2026-09-08"))
        );
        let monthly = [schedule(ReportEvery::Monthly, 3)];
        let on = |today: &str| latest(&monthly, &calendar(), day(today));
        // Before 5 October, August's report is the latest due (since 3 September).
        assert_eq!(on("2026-10-04")[0].period.label, "2026-08");
        assert_eq!(on("2026-10-04")[0].due_on, day("2026-09-03"));
        // From 5 October, September's.
        assert_eq!(on("2026-10-05")[0].period.label, "2026-09");
        assert_eq!(on("2026-10-31")[0].period.label, "2026-09");
        // January covers December of the year before.
        assert_eq!(on("2027-01-29")[0].period.label, "2026-12");
    }

    #[test]
    fn the_recent_periods_are_the_latest_due_and_those_before_it() {
        let schedules = [
            schedule(ReportEvery::Monthly, 3),
            schedule(ReportEvery::Quarterly, 1),
        ];
        let found: Vec<(String, u32, NaiveDate)> =
            recent(&schedules, &calendar(), day("2026-10-05"), 3)
                .into_iter()
                .map(|(d, age)| (d.period.to_string(), age, d.due_on))
                .collect();
        assert_eq!(
            found,
            [
                ("2026-09".to_string(), 0, day("2026-10-05")),
                ("2026-08".to_string(), 1, day("2026-09-03")),
                ("2026-07".to_string(), 2, day("2026-08-05")),
                ("2026-Q3".to_string(), 0, day("2026-10-01")),
                ("2026-Q2".to_string(), 1, day("2026-07-01")),
                ("2026-Q1".to_string(), 2, day("2026-04-01")),
            ]
        );
        assert!(recent(&schedules, &calendar(), day("2026-10-05"), 0).is_empty());
    }

    #[test]
    fn a_quarterly_report_is_due_in_the_quarters_first_month() {
        let quarterly = [schedule(ReportEvery::Quarterly, 1)];
        let on = |today: &str| {
            latest(&quarterly, &calendar(), day(today))[0]
                .period
                .to_string()
        };
        // 1 October 2026 is business day 1: Q3 is due from then, until 1 January's turn.
        assert_eq!(on("2026-09-30"), "2026-Q2");
        assert_eq!(on("2026-10-01"), "2026-Q3");
        assert_eq!(on("2026-12-31"), "2026-Q3");
        // 1 January 2027 is a Friday (not a listed holiday here): Q4 due that day.
        assert_eq!(on("2027-01-01"), "2026-Q4");
    }
}
