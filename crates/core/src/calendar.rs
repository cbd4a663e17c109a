//! Business-day calendars: which dates count towards a service standard.
//!
//! Dates are civil dates in the service's time zone; a business day is a date that is
//! neither a weekend day nor a listed holiday of the calendar. A calendar may also say when
//! the service is open (`hours`, `shortened`), for standards counted in business hours and
//! for the closing time that ends a business day.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::opening_hours::{instant, seconds_outside, ShortenedDay, Span, WeeklyHours};

/// Longest a business-hours due moment is searched for, in days.
const SEARCH_HORIZON_DAYS: u32 = 3660;

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
    /// Opening hours by weekday; none: the calendar has no hours (business-hours standards
    /// cannot use it, and a business day ends at midnight).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hours: Vec<WeeklyHours>,
    /// Business days with other hours (kept sorted by date).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shortened: Vec<ShortenedDay>,
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
            hours: Vec::new(),
            shortened: Vec::new(),
        }
    }

    /// Sorts the holidays and shortened days so lookups can binary-search them.
    pub(crate) fn normalize(&mut self) {
        self.holidays.sort();
        self.holidays.dedup();
        self.shortened.sort_by_key(|s| s.date);
    }

    /// Rejects hours that cannot be counted: a weekday listed twice, closing before opening,
    /// a shortened day listed twice.
    pub fn check(&self) -> Result<(), String> {
        let mut seen = Vec::new();
        for hours in &self.hours {
            if hours.open >= hours.close {
                return Err(format!(
                    "hours {}-{} close before they open",
                    hours.open, hours.close
                ));
            }
            for day in &hours.days {
                if seen.contains(day) {
                    return Err(format!("{day} has hours twice"));
                }
                seen.push(*day);
            }
        }
        for (i, day) in self.shortened.iter().enumerate() {
            if i > 0 && self.shortened[i - 1].date == day.date {
                return Err(format!("shortened day {} is listed twice", day.date));
            }
            if self.hours_of(day.date.weekday()).is_none() && day.open.is_none() {
                return Err(format!("shortened day {} needs an opening time", day.date));
            }
        }
        Ok(())
    }

    /// Whether the calendar says when the service is open.
    pub fn has_hours(&self) -> bool {
        !self.hours.is_empty()
    }

    fn hours_of(&self, weekday: Weekday) -> Option<&WeeklyHours> {
        self.hours.iter().find(|h| h.days.contains(&weekday))
    }

    /// When the service is open on `day`: none on weekends, holidays (even a shortened one)
    /// and weekdays without hours.
    pub fn open_span(&self, day: NaiveDate, zone: Tz) -> Option<Span> {
        if !self.is_business_day(day) {
            return None;
        }
        let weekly = self.hours_of(day.weekday());
        let (open, close) = match self.shortened.binary_search_by_key(&day, |s| s.date) {
            Ok(i) => {
                let short = &self.shortened[i];
                (short.open.or(weekly.map(|w| w.open))?, short.close)
            }
            Err(_) => weekly.map(|w| (w.open, w.close))?,
        };
        let span = (
            instant(open.on(day), zone, true),
            instant(close.on(day), zone, false),
        );
        (span.0 < span.1).then_some(span)
    }

    /// When `day`'s business ends: its closing time, or the next midnight on a day without
    /// hours (or a calendar without any).
    pub fn end_of_business(&self, day: NaiveDate, zone: Tz) -> DateTime<Utc> {
        self.open_span(day, zone).map_or_else(
            || local_midnight(day.succ_opt().unwrap_or(day), zone),
            |(_, close)| close,
        )
    }

    /// Seconds the service is open within `span`, outside the disjoint, ordered `paused`
    /// spans.
    pub fn open_seconds(&self, span: Span, paused: &[Span], zone: Tz) -> i64 {
        if span.0 >= span.1 {
            return 0;
        }
        let last = local_date(span.1, zone);
        local_date(span.0, zone)
            .iter_days()
            .take_while(|day| *day <= last)
            .filter_map(|day| self.open_span(day, zone))
            .map(|(open, close)| {
                let clipped = (open.max(span.0), close.min(span.1));
                if clipped.0 < clipped.1 {
                    seconds_outside(clipped, paused)
                } else {
                    0
                }
            })
            .sum()
    }

    /// The instant at which `seconds` of opening time outside `paused` have passed since
    /// `from` (none within ten years: a calendar without hours).
    pub fn after_open_seconds(
        &self,
        from: DateTime<Utc>,
        seconds: i64,
        paused: &[Span],
        zone: Tz,
    ) -> Option<DateTime<Utc>> {
        if seconds <= 0 {
            return Some(from);
        }
        let mut left = seconds;
        for day in local_date(from, zone)
            .iter_days()
            .take(SEARCH_HORIZON_DAYS as usize)
        {
            let Some((open, close)) = self.open_span(day, zone) else {
                continue;
            };
            let mut cursor = open.max(from);
            // Walk the day's open span around the pauses inside it.
            for (pause_from, pause_to) in paused.iter().chain(std::iter::once(&(close, close))) {
                if *pause_to <= cursor {
                    continue;
                }
                let stretch_end = (*pause_from).min(close);
                if stretch_end > cursor {
                    let available = (stretch_end - cursor).num_seconds();
                    if available >= left {
                        return Some(cursor + Duration::seconds(left));
                    }
                    left -= available;
                }
                cursor = cursor.max(*pause_to);
                if cursor >= close {
                    break;
                }
            }
        }
        None
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
