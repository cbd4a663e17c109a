//! Business-day calendars: which dates count towards a service standard.
//!
//! Dates are civil dates in the service's time zone; a business day is a date that is
//! neither a weekend day nor a listed holiday of the calendar.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A business-day calendar: weekend days and public holidays of one jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    pub id: String,
    #[serde(default = "default_weekend")]
    pub weekend: Vec<Weekday>,
    /// Explicit dates: holiday rules differ by jurisdiction and year, so they are listed,
    /// not computed. Kept sorted (the catalog sorts them on load).
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
}

fn default_weekend() -> Vec<Weekday> {
    vec![Weekday::Sat, Weekday::Sun]
}

impl Calendar {
    pub fn new(id: impl Into<String>, weekend: Vec<Weekday>, mut holidays: Vec<NaiveDate>) -> Self {
        holidays.sort();
        holidays.dedup();
        Calendar {
            id: id.into(),
            weekend,
            holidays,
        }
    }

    /// Sorts the holidays so lookups can binary-search them.
    pub(crate) fn normalize(&mut self) {
        self.holidays.sort();
        self.holidays.dedup();
    }

    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        !self.weekend.contains(&date.weekday()) && self.holidays.binary_search(&date).is_err()
    }

    /// The number of business days D with `after < D ≤ through` (0 when `through ≤ after`).
    pub fn business_days_between(&self, after: NaiveDate, through: NaiveDate) -> i64 {
        after
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= through)
            .filter(|d| self.is_business_day(*d))
            .count() as i64
    }
}

/// The civil date of an instant in a time zone.
pub fn local_date(at: DateTime<Utc>, zone: Tz) -> NaiveDate {
    at.with_timezone(&zone).date_naive()
}

/// The instant `day` began in `zone`: local midnight, or 01:00 where a DST change skips
/// midnight; midnight UTC if neither exists.
pub fn local_midnight(day: NaiveDate, zone: Tz) -> DateTime<Utc> {
    [0, 1]
        .into_iter()
        .find_map(|hour| {
            zone.from_local_datetime(&day.and_hms_opt(hour, 0, 0)?)
                .earliest()
        })
        .map_or_else(
            || day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc(),
            |t| t.with_timezone(&Utc),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn canada() -> Calendar {
        Calendar::new(
            "ca",
            vec![Weekday::Sat, Weekday::Sun],
            vec![
                date("2026-12-25"),
                date("2026-12-28"),
                date("2027-01-01"),
                date("2026-07-01"),
            ],
        )
    }

    #[test]
    fn business_days_skip_weekends_and_holidays() {
        let cal = canada();
        let cases = [
            // (after, through, expected)
            ("2026-06-29", "2026-07-03", 3), // Canada Day (Wed) excluded
            ("2026-07-03", "2026-07-06", 1), // Friday → Monday: the weekend does not count
            ("2026-12-24", "2027-01-04", 4), // year boundary: 25, 28, 1 Jan are holidays
            ("2026-03-10", "2026-03-10", 0), // same day
            ("2026-03-11", "2026-03-10", 0), // reversed
            ("2026-03-07", "2026-03-09", 1), // start on a Saturday: Sunday no, Monday yes
        ];
        for (after, through, expected) in cases {
            assert_eq!(
                cal.business_days_between(date(after), date(through)),
                expected,
                "{after}..{through}"
            );
        }
    }

    #[test]
    fn local_dates_follow_the_time_zone_across_dst() {
        let toronto = chrono_tz::America::Toronto;
        // 03:30 UTC on 2026-03-08 is 22:30 on the 7th in Toronto (EST, before the change)…
        assert_eq!(
            local_date("2026-03-08T03:30:00Z".parse().unwrap(), toronto),
            date("2026-03-07")
        );
        // …and 04:30 UTC on 2026-03-09 is 00:30 on the 9th (EDT, after it).
        assert_eq!(
            local_date("2026-03-09T04:30:00Z".parse().unwrap(), toronto),
            date("2026-03-09")
        );
    }
}
