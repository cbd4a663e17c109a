//! Fiscal years: one convention for the remission ledger, the reports and the open-data
//! exports. A fiscal year starts on the first of a configured month and is named by both
//! calendar years it touches, `2026-2027` (April 2026 to March 2027 for an April start), or
//! by its one calendar year, `2026`, when it starts in January. `FY2027` (the US habit, the
//! year it ends in) names the same year and is read, never written, except where a
//! published format asks for it.

use std::fmt;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The month fiscal years start in, 1 to 12: typed so that a 13 is refused when the
/// configuration is read, not when a date is first computed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalYearStart(u32);

impl FiscalYearStart {
    /// Calendar years (no separate fiscal year).
    pub const JANUARY: FiscalYearStart = FiscalYearStart(1);
    /// Canada's federal fiscal year, and the default.
    pub const APRIL: FiscalYearStart = FiscalYearStart(4);
    /// The US federal fiscal year.
    pub const OCTOBER: FiscalYearStart = FiscalYearStart(10);

    /// `None` unless `month` is 1 to 12.
    pub fn new(month: u32) -> Option<FiscalYearStart> {
        (1..=12).contains(&month).then_some(FiscalYearStart(month))
    }

    pub fn month(self) -> u32 {
        self.0
    }

    /// The fiscal year holding `day`.
    pub fn year_of(self, day: NaiveDate) -> FiscalYear {
        let first_year = if day.month() >= self.0 {
            day.year()
        } else {
            day.year() - 1
        };
        FiscalYear::new(self, first_year)
    }

    /// How many calendar years a fiscal year's name is ahead of the calendar year it
    /// starts in: 0 for a January start, else 1.
    fn end_offset(self) -> i32 {
        i32::from(self.0 != 1)
    }
}

impl Default for FiscalYearStart {
    fn default() -> Self {
        FiscalYearStart::APRIL
    }
}

impl Serialize for FiscalYearStart {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.0)
    }
}

impl<'de> Deserialize<'de> for FiscalYearStart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let month = u32::deserialize(deserializer)?;
        FiscalYearStart::new(month).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "fiscal_year_start_month must be 1 to 12, not {month}"
            ))
        })
    }
}

/// One fiscal year: its start month and the calendar year it starts in (the integer the
/// remission ledger stores and filters by).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalYear {
    start: FiscalYearStart,
    first_year: i32,
}

impl FiscalYear {
    /// The fiscal year starting in `first_year`.
    pub fn new(start: FiscalYearStart, first_year: i32) -> FiscalYear {
        FiscalYear { start, first_year }
    }

    /// The fiscal year ending in `end_year` (`FY2027`).
    pub fn ending(start: FiscalYearStart, end_year: i32) -> FiscalYear {
        FiscalYear::new(start, end_year.saturating_sub(start.end_offset()))
    }

    pub fn start(self) -> FiscalYearStart {
        self.start
    }

    /// The calendar year the fiscal year starts in.
    pub fn first_year(self) -> i32 {
        self.first_year
    }

    /// The calendar year the fiscal year ends in (its `FY` number).
    pub fn end_year(self) -> i32 {
        self.first_year.saturating_add(self.start.end_offset())
    }

    /// The first day, `None` beyond chrono's calendar.
    pub fn from(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.first_year, self.start.0, 1)
    }

    /// The day after the last, `None` beyond chrono's calendar.
    pub fn to(self) -> Option<NaiveDate> {
        self.from()?.checked_add_months(Months::new(12))
    }

    /// Quarter `quarter` (1 to 4, the first starting with the year) as `[from, to)`.
    pub fn quarter(self, quarter: u32) -> Option<(NaiveDate, NaiveDate)> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let from = self
            .from()?
            .checked_add_months(Months::new((quarter - 1) * 3))?;
        Some((from, from.checked_add_months(Months::new(3))?))
    }

    /// The fiscal year after this one.
    pub fn next(self) -> FiscalYear {
        FiscalYear::new(self.start, self.first_year.saturating_add(1))
    }
}

impl fmt::Display for FiscalYear {
    /// `2026-2027`, or `2026` for a January start.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == FiscalYearStart::JANUARY {
            write!(f, "{}", self.first_year)
        } else {
            write!(f, "{}-{}", self.first_year, self.end_year())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn april_and_october_years_are_named_by_both_years_and_numbered_by_the_last() {
        let april = FiscalYearStart::APRIL.year_of(day("2027-03-31"));
        assert_eq!((april.first_year(), april.end_year()), (2026, 2027));
        assert_eq!(april.to_string(), "2026-2027");
        assert_eq!(
            (april.from(), april.to()),
            (Some(day("2026-04-01")), Some(day("2027-04-01")))
        );
        assert_eq!(
            FiscalYearStart::APRIL
                .year_of(day("2027-04-01"))
                .first_year(),
            2027
        );

        let october = FiscalYear::ending(FiscalYearStart::OCTOBER, 2027);
        assert_eq!(october.to_string(), "2026-2027");
        assert_eq!(october.from(), Some(day("2026-10-01")));
        assert_eq!(
            october.quarter(1),
            Some((day("2026-10-01"), day("2027-01-01")))
        );
        assert_eq!(
            october.quarter(4),
            Some((day("2027-07-01"), day("2027-10-01")))
        );
        assert_eq!(october.quarter(5), None);
        assert_eq!(FiscalYearStart::OCTOBER.year_of(day("2026-10-01")), october);
    }

    #[test]
    fn a_january_start_is_the_calendar_year() {
        let year = FiscalYear::ending(FiscalYearStart::JANUARY, 2026);
        assert_eq!((year.first_year(), year.end_year()), (2026, 2026));
        assert_eq!(year.to_string(), "2026");
        assert_eq!(year.to(), Some(day("2027-01-01")));
    }

    #[test]
    fn the_start_month_is_read_as_a_number_from_1_to_12() {
        #[derive(Deserialize)]
        struct T {
            m: FiscalYearStart,
        }
        assert_eq!(toml::from_str::<T>("m = 10").unwrap().m.month(), 10);
        for bad in ["m = 0", "m = 13", "m = \"April\""] {
            assert!(toml::from_str::<T>(bad).is_err(), "{bad}");
        }
        assert_eq!(FiscalYearStart::default(), FiscalYearStart::APRIL);
    }

    #[test]
    fn years_beyond_the_calendar_are_none() {
        let far = FiscalYear::new(FiscalYearStart::APRIL, i32::MAX / 4);
        assert_eq!(far.from(), None);
        assert_eq!(far.quarter(1), None);
    }
}
