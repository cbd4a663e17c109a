//! The span of time Civic Pulse holds: from 2000-01-01 (events before it are refused as
//! implausible) up to 2100-01-01.
//!
//! ClickHouse's `DateTime` counts seconds since 1970 in 32 bits and ends in February 2106;
//! its `Date` is as narrow. A date outside that range is not refused by ClickHouse 18.16 but
//! silently wraps to another one, so every date a client gives (event times, API
//! parameters) is checked against this horizon first. Ranges the API derives from a
//! checked date (a previous period, at most ten years before) stay inside what the store
//! represents, 1970 to 2106.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The first day held.
pub const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2000, 1, 1).expect("a real date");
/// The day after the last day held: a range may end here (ends are exclusive).
pub const END_DAY: NaiveDate = NaiveDate::from_ymd_opt(2100, 1, 1).expect("a real date");

/// The first instant held (midnight UTC of [`FIRST_DAY`]).
/// `days` before `to`, or the earliest instant chrono holds (never a panic).
pub fn days_before(to: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    to.checked_sub_signed(Duration::days(days))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

pub fn first_instant() -> DateTime<Utc> {
    FIRST_DAY.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The end of what is held (midnight UTC of [`END_DAY`]).
pub fn end_instant() -> DateTime<Utc> {
    END_DAY.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// Why `day` cannot be asked about, if it cannot.
pub fn check_day(day: NaiveDate) -> Result<NaiveDate, String> {
    if (FIRST_DAY..=END_DAY).contains(&day) {
        Ok(day)
    } else {
        Err(out_of_horizon(day))
    }
}

/// Why `time` cannot be asked about, if it cannot.
pub fn check_time(time: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if (first_instant()..=end_instant()).contains(&time) {
        Ok(time)
    } else {
        Err(out_of_horizon(time))
    }
}

fn out_of_horizon(what: impl std::fmt::Display) -> String {
    format!("{what} is outside the dates Civic Pulse holds ({FIRST_DAY} to {END_DAY})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_horizon_ends_are_held_and_beyond_them_is_named() {
        assert!(check_day(FIRST_DAY).is_ok());
        assert!(check_day(END_DAY).is_ok());
        for day in [
            NaiveDate::MIN,
            NaiveDate::from_ymd_opt(0, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(1900, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(1999, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(2100, 1, 2).unwrap(),
            NaiveDate::from_ymd_opt(2106, 3, 1).unwrap(),
            NaiveDate::from_ymd_opt(10000, 1, 1).unwrap(),
            NaiveDate::MAX,
        ] {
            let reason = check_day(day).unwrap_err();
            assert!(reason.contains("2000-01-01 to 2100-01-01"), "{reason}");
        }
        assert!(check_time(DateTime::<Utc>::MIN_UTC).is_err());
        assert!(check_time(DateTime::<Utc>::MAX_UTC).is_err());
        assert!(check_time(end_instant()).is_ok());
        // ClickHouse's DateTime must hold the whole horizon.
        assert!(u32::try_from(end_instant().timestamp()).is_ok());
    }
}
