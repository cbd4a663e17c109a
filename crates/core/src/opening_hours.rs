//! Opening hours: when a service is open, for standards counted in business hours or
//! minutes ("a call answered within 20 minutes") and for the closing time that makes "by
//! the end of the next business day" a moment rather than a date.
//!
//! Hours are civil times in the service's time zone. Each day's opening and closing times
//! become instants through the zone's rules, so a day on which the clocks change is exactly
//! as long as it really is: a service open 00:00–24:00 is open 23 hours on the spring
//! change day and 25 on the autumn one.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A civil time of day, `HH:MM` or `HH:MM:SS`, from 00:00 to 24:00 inclusive (24:00 is the
/// end of the day: a service open all day closes at 24:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay {
    seconds: u32,
}

const DAY_SECONDS: u32 = 86_400;

impl TimeOfDay {
    pub const MIDNIGHT: TimeOfDay = TimeOfDay { seconds: 0 };
    pub const END_OF_DAY: TimeOfDay = TimeOfDay {
        seconds: DAY_SECONDS,
    };

    pub fn from_hms(hours: u32, minutes: u32, seconds: u32) -> Option<TimeOfDay> {
        let total = hours * 3600 + minutes * 60 + seconds;
        (minutes < 60 && seconds < 60 && total <= DAY_SECONDS)
            .then_some(TimeOfDay { seconds: total })
    }

    /// The civil time on `day` (24:00 is the next day's midnight).
    pub fn on(self, day: NaiveDate) -> NaiveDateTime {
        day.and_time(NaiveTime::MIN) + Duration::seconds(i64::from(self.seconds))
    }

    /// The time of day of a civil date-time.
    pub fn of(local: NaiveDateTime) -> TimeOfDay {
        TimeOfDay {
            seconds: local
                .time()
                .signed_duration_since(NaiveTime::MIN)
                .num_seconds() as u32,
        }
    }
}

impl FromStr for TimeOfDay {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = text.split(':').collect();
        let number = |part: &str| part.parse::<u32>().ok().filter(|_| part.len() == 2);
        let parsed = match parts.as_slice() {
            [h, m] => number(h).zip(number(m)).map(|(h, m)| (h, m, 0)),
            [h, m, s] => number(h)
                .zip(number(m))
                .zip(number(s))
                .map(|((h, m), s)| (h, m, s)),
            _ => None,
        };
        parsed
            .and_then(|(h, m, s)| TimeOfDay::from_hms(h, m, s))
            .ok_or_else(|| format!("`{text}` is not a time of day from 00:00 to 24:00 (HH:MM)"))
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (
            self.seconds / 3600,
            self.seconds / 60 % 60,
            self.seconds % 60,
        );
        if s == 0 {
            write!(f, "{h:02}:{m:02}")
        } else {
            write!(f, "{h:02}:{m:02}:{s:02}")
        }
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The hours of the given weekdays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyHours {
    pub days: Vec<Weekday>,
    pub open: TimeOfDay,
    pub close: TimeOfDay,
}

/// A business day with other hours than its weekday's, e.g. Christmas Eve closing at noon.
/// A holiday on the same date wins: the service is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShortenedDay {
    pub date: NaiveDate,
    /// Absent: the weekday's opening time.
    #[serde(default)]
    pub open: Option<TimeOfDay>,
    pub close: TimeOfDay,
}

/// The instant a civil time happened in `zone`. A time the spring change skips is taken as
/// the first instant after the gap; a time the autumn change repeats is taken at its first
/// occurrence when `earliest`, else its second.
pub fn instant(local: NaiveDateTime, zone: Tz, earliest: bool) -> DateTime<Utc> {
    let mut probe = local;
    // Gaps last at most a few hours; search forward a minute at a time.
    for _ in 0..=(24 * 60) {
        let mapped = zone.from_local_datetime(&probe);
        let chosen = if earliest {
            mapped.earliest()
        } else {
            mapped.latest()
        };
        if let Some(at) = chosen {
            return at.with_timezone(&Utc);
        }
        probe += Duration::minutes(1);
    }
    local.and_utc()
}

/// An interval of instants, start inclusive, end exclusive.
pub type Span = (DateTime<Utc>, DateTime<Utc>);

/// Merges overlapping or touching spans into disjoint ones, in order.
pub fn union(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|(from, to)| from < to);
    spans.sort();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for (from, to) in spans {
        match merged.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => merged.push((from, to)),
        }
    }
    merged
}

/// Seconds of `span` not covered by the disjoint, ordered `holes`.
pub fn seconds_outside(span: Span, holes: &[Span]) -> i64 {
    let covered: i64 = holes
        .iter()
        .map(|(from, to)| {
            let from = (*from).max(span.0);
            let to = (*to).min(span.1);
            (to - from).num_seconds().max(0)
        })
        .sum();
    (span.1 - span.0).num_seconds().max(0) - covered
}

/// A calendar's opening spans over a range of days with running totals, so that the
/// opening time between two instants costs two lookups instead of a walk over the days
/// between them (each day's span needs two time-zone conversions). One is built per run
/// and shared by every case; outside its range the answers are `None` and the caller asks
/// the calendar itself.
#[derive(Debug, Clone)]
pub struct OpeningSchedule {
    zone: Tz,
    first: NaiveDate,
    spans: Vec<Option<Span>>,
    /// `cumulative[i]`: open seconds of the days before `first + i`.
    cumulative: Vec<i64>,
}

impl OpeningSchedule {
    /// The schedule of `calendar` from `first` through `last`.
    pub fn new(
        calendar: &crate::calendar::Calendar,
        zone: Tz,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Self {
        let spans: Vec<Option<Span>> = first
            .iter_days()
            .take_while(|d| *d <= last)
            .map(|d| calendar.open_span(d, zone))
            .collect();
        let mut cumulative = Vec::with_capacity(spans.len() + 1);
        let mut total = 0;
        cumulative.push(0);
        for span in &spans {
            total += span.map_or(0, |(open, close)| (close - open).num_seconds());
            cumulative.push(total);
        }
        OpeningSchedule {
            zone,
            first,
            spans,
            cumulative,
        }
    }

    /// Open seconds from the schedule's start up to `at`.
    fn until(&self, at: DateTime<Utc>) -> Option<i64> {
        let day = at.with_timezone(&self.zone).date_naive();
        let index = usize::try_from((day - self.first).num_days()).ok()?;
        let span = self.spans.get(index)?;
        let within = span.map_or(0, |(open, close)| {
            (at.clamp(open, close) - open).num_seconds()
        });
        Some(self.cumulative[index] + within)
    }

    /// Open seconds within `span`.
    pub fn open_seconds(&self, span: Span) -> Option<i64> {
        if span.0 >= span.1 {
            return Some(0);
        }
        Some(self.until(span.1)? - self.until(span.0)?)
    }

    /// Open seconds within `span` outside the disjoint, ordered `paused` spans.
    pub fn open_seconds_outside(&self, span: Span, paused: &[Span]) -> Option<i64> {
        let mut total = self.open_seconds(span)?;
        for (from, to) in paused {
            total -= self.open_seconds(((*from).max(span.0), (*to).min(span.1)))?;
        }
        Some(total)
    }

    /// The instant at which `seconds` of opening time outside `paused` have passed since
    /// `from` (the earliest such instant: a closing time rather than the night after it).
    pub fn after_open_seconds(
        &self,
        from: DateTime<Utc>,
        seconds: i64,
        paused: &[Span],
    ) -> Option<DateTime<Utc>> {
        if seconds <= 0 {
            return Some(from);
        }
        let mut left = seconds;
        let mut cursor = from;
        for (pause_from, pause_to) in paused {
            if *pause_to <= cursor {
                continue;
            }
            let available = self.open_seconds((cursor, (*pause_from).max(cursor)))?;
            if available >= left {
                return self.at_total(self.until(cursor)? + left);
            }
            left -= available;
            cursor = *pause_to;
        }
        self.at_total(self.until(cursor)? + left)
    }

    /// The earliest instant by which `target` open seconds (from the schedule's start) have
    /// passed.
    fn at_total(&self, target: i64) -> Option<DateTime<Utc>> {
        // The day during which the total reaches the target: the last whose running total
        // before it is below the target.
        let after = self.cumulative.partition_point(|total| *total < target);
        let index = after.checked_sub(1)?;
        let (open, _) = (*self.spans.get(index)?)?;
        Some(open + Duration::seconds(target - self.cumulative[index]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_parse_from_midnight_to_the_end_of_the_day() {
        assert_eq!("08:30".parse::<TimeOfDay>().unwrap().to_string(), "08:30");
        assert_eq!(
            "15:00:01".parse::<TimeOfDay>().unwrap().to_string(),
            "15:00:01"
        );
        assert_eq!("24:00".parse::<TimeOfDay>().unwrap(), TimeOfDay::END_OF_DAY);
        for bad in ["24:01", "8:30", "12:60", "noon", "12:00:00:00"] {
            assert!(bad.parse::<TimeOfDay>().is_err(), "{bad}");
        }
    }

    #[test]
    fn skipped_and_repeated_civil_times_map_to_real_instants() {
        let toronto = chrono_tz::America::Toronto;
        let day: NaiveDate = "2026-03-08".parse().unwrap();
        // 02:30 does not exist on the spring change day: the first instant after the gap
        // is 03:00 EDT = 07:00 UTC.
        let skipped = instant(day.and_hms_opt(2, 30, 0).unwrap(), toronto, true);
        assert_eq!(skipped.to_rfc3339(), "2026-03-08T07:00:00+00:00");
        // 01:30 happens twice on the autumn change day: 05:30 UTC (EDT), 06:30 UTC (EST).
        let day: NaiveDate = "2026-11-01".parse().unwrap();
        let local = day.and_hms_opt(1, 30, 0).unwrap();
        assert_eq!(
            instant(local, toronto, true).to_rfc3339(),
            "2026-11-01T05:30:00+00:00"
        );
        assert_eq!(
            instant(local, toronto, false).to_rfc3339(),
            "2026-11-01T06:30:00+00:00"
        );
    }

    #[test]
    fn spans_merge_and_holes_are_subtracted_once() {
        let t = |h: i64| DateTime::<Utc>::UNIX_EPOCH + Duration::hours(h);
        let merged = union(vec![(t(5), t(7)), (t(1), t(3)), (t(2), t(4)), (t(4), t(4))]);
        assert_eq!(merged, [(t(1), t(4)), (t(5), t(7))]);
        assert_eq!(seconds_outside((t(0), t(10)), &merged), 5 * 3600);
        assert_eq!(seconds_outside((t(3), t(6)), &merged), 3600);
    }
}
