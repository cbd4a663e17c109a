//! Periods: the one reading of every period label the product takes (the matrix and its
//! snapshots, reports, the scheduler, the open-data exports), so that a label means the
//! same days to every reader. Dates are local days, `to` excluded; each period carries the
//! one before it to compare with.
//!
//! | label | period |
//! |---|---|
//! | `2026-11` | a calendar month |
//! | `2026-Q3` | a calendar quarter |
//! | `2026` | a calendar year |
//! | `2026-2027`, `FY2027` | a fiscal year (from the configured start month) |
//! | `2026-2027-Q1`, `FY2027-Q1` | a quarter of a fiscal year, Q1 starting with the year |
//! | `2026-10-01..2026-10-15` | local days |
//!
//! A fiscal year is written by both calendar years it touches (see
//! [`civicpulse_core::fiscal_year`]); `FY2027` names it by the year it ends in and is read,
//! not written. With a January start fiscal years are calendar years and are written so.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use civicpulse_core::fiscal_year::{FiscalYear, FiscalYearStart};
use civicpulse_core::horizon;

/// What a period label says, before a fiscal-year start month gives it days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    Month {
        year: i32,
        month: u32,
    },
    Quarter {
        year: i32,
        quarter: u32,
    },
    Year(i32),
    /// By the calendar year it ends in (the number `2026-2027` and `FY2027` share).
    FiscalYear {
        end_year: i32,
    },
    FiscalQuarter {
        end_year: i32,
        quarter: u32,
    },
    Days {
        from: NaiveDate,
        to: NaiveDate,
    },
}

/// Why a label is not a period; the message quotes the label.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error(
        "`{0}` is not a period: YYYY-MM, YYYY-Qn, YYYY, a fiscal year YYYY-YYYY or FYYYYY, \
         a fiscal quarter YYYY-YYYY-Qn or FYYYYY-Qn, or local days FROM..TO"
    )]
    Unreadable(String),
    #[error("`{0}` is not a date (YYYY-MM-DD)")]
    NotADate(String),
    #[error("`{0}`: the start must come before the end")]
    Reversed(String),
    #[error("`{0}` is beyond the calendar")]
    OutOfRange(String),
    #[error("`{label}`: {reason}")]
    Horizon { label: String, reason: String },
    #[error("`{label}` is {found}; this takes {wanted}")]
    Kind {
        label: String,
        found: &'static str,
        wanted: &'static str,
    },
}

impl Label {
    /// What kind of period the label names, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Label::Month { .. } => "a month",
            Label::Quarter { .. } => "a quarter",
            Label::Year(_) => "a year",
            Label::FiscalYear { .. } => "a fiscal year",
            Label::FiscalQuarter { .. } => "a fiscal quarter",
            Label::Days { .. } => "a range of days",
        }
    }
}

impl FromStr for Label {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Label, PeriodError> {
        let unreadable = || PeriodError::Unreadable(text.to_string());
        if let Some((from, to)) = text.split_once("..") {
            let day = |d: &str| {
                d.parse::<NaiveDate>()
                    .map_err(|_| PeriodError::NotADate(d.to_string()))
            };
            let (from, to) = (day(from)?, day(to)?);
            if from >= to {
                return Err(PeriodError::Reversed(text.to_string()));
            }
            return Ok(Label::Days { from, to });
        }
        // Years are four digits (as chrono writes them), so `2026-2027` is never a month.
        let year = |y: &str| -> Option<i32> {
            (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
                .then(|| y.parse().ok())
                .flatten()
        };
        let quarter = |q: &str| -> Option<u32> {
            let q = q.strip_prefix('Q')?;
            (q.len() == 1)
                .then(|| q.parse().ok())
                .flatten()
                .filter(|q| (1..=4).contains(q))
        };
        if let Some(rest) = text.strip_prefix("FY") {
            let (end, q) = match rest.split_once('-') {
                Some((end, q)) => (end, Some(quarter(q).ok_or_else(unreadable)?)),
                None => (rest, None),
            };
            let end_year = year(end).ok_or_else(unreadable)?;
            return Ok(match q {
                Some(quarter) => Label::FiscalQuarter { end_year, quarter },
                None => Label::FiscalYear { end_year },
            });
        }
        let parts: Vec<&str> = text.split('-').collect();
        match parts.as_slice() {
            [y] => Ok(Label::Year(year(y).ok_or_else(unreadable)?)),
            [y, q] if q.starts_with('Q') => Ok(Label::Quarter {
                year: year(y).ok_or_else(unreadable)?,
                quarter: quarter(q).ok_or_else(unreadable)?,
            }),
            [y, m] if m.len() == 2 => {
                let month = m
                    .parse()
                    .ok()
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(unreadable)?;
                Ok(Label::Month {
                    year: year(y).ok_or_else(unreadable)?,
                    month,
                })
            }
            [first, end] => {
                let end_year = fiscal_end(year(first), year(end)).ok_or_else(unreadable)?;
                Ok(Label::FiscalYear { end_year })
            }
            [first, end, q] => {
                let end_year = fiscal_end(year(first), year(end)).ok_or_else(unreadable)?;
                Ok(Label::FiscalQuarter {
                    end_year,
                    quarter: quarter(q).ok_or_else(unreadable)?,
                })
            }
            _ => Err(unreadable()),
        }
    }
}

/// The end year of `first-end` when the years follow each other.
fn fiscal_end(first: Option<i32>, end: Option<i32>) -> Option<i32> {
    let (first, end) = (first?, end?);
    (end == first + 1).then_some(end)
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Label::Month { year, month } => write!(f, "{year}-{month:02}"),
            Label::Quarter { year, quarter } => write!(f, "{year}-Q{quarter}"),
            Label::Year(year) => write!(f, "{year}"),
            Label::FiscalYear { end_year } => write!(f, "{}-{end_year}", end_year - 1),
            Label::FiscalQuarter { end_year, quarter } => {
                write!(f, "{}-{end_year}-Q{quarter}", end_year - 1)
            }
            Label::Days { from, to } => write!(f, "{from}..{to}"),
        }
    }
}

/// A label equals the text that reads as it (`FY2027` equals `2026-2027`).
impl PartialEq<&str> for Label {
    fn eq(&self, other: &&str) -> bool {
        other.parse::<Label>().is_ok_and(|label| label == *self)
    }
}

/// A period with its days: what a [`Label`] names under the deployment's fiscal-year start.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Period {
    pub label: Label,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The period compared with: the previous month, quarter or (fiscal) year, else the
    /// same number of days just before.
    pub previous_from: NaiveDate,
    pub previous_to: NaiveDate,
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.label.fmt(f)
    }
}

impl Period {
    /// The period `text` names, with fiscal years starting in `fiscal`, inside the date
    /// [`horizon`]: how every label a person writes is read.
    pub fn parse(text: &str, fiscal: FiscalYearStart) -> Result<Period, PeriodError> {
        Period::checked(text.parse()?, fiscal)
    }

    /// The days `label` names, refused outside the date [`horizon`].
    pub fn checked(label: Label, fiscal: FiscalYearStart) -> Result<Period, PeriodError> {
        let period = Period::new(label, fiscal)?;
        for day in [period.from, period.to] {
            horizon::check_day(day).map_err(|reason| PeriodError::Horizon {
                label: label.to_string(),
                reason,
            })?;
        }
        Ok(period)
    }

    /// The days `label` names with fiscal years starting in `fiscal`. With a January start
    /// a fiscal year or quarter is the calendar one (the one ending in `end_year`), and is
    /// labelled so.
    pub fn new(label: Label, fiscal: FiscalYearStart) -> Result<Period, PeriodError> {
        let beyond = || PeriodError::OutOfRange(label.to_string());
        let calendar = fiscal == FiscalYearStart::JANUARY;
        match label {
            Label::Month { year, month } => Period::month(year, month),
            Label::Quarter { year, quarter } => Period::quarter(year, quarter),
            Label::Year(year) => Period::year(year),
            Label::Days { from, to } => Period::between(from, to),
            Label::FiscalYear { end_year } if calendar => Period::year(end_year),
            Label::FiscalQuarter { end_year, quarter } if calendar => {
                Period::quarter(end_year, quarter)
            }
            Label::FiscalYear { end_year } => FiscalYear::ending(fiscal, end_year)
                .from()
                .and_then(|from| Period::stepped(label, from, Months::new(12))),
            Label::FiscalQuarter { end_year, quarter } => FiscalYear::ending(fiscal, end_year)
                .quarter(quarter)
                .and_then(|(from, _)| Period::stepped(label, from, Months::new(3))),
        }
        .ok_or_else(beyond)
    }

    /// The period a published format names by its own government's fiscal year (`wanted`
    /// is the kind it takes, e.g. a fiscal year): parsed as every label is, then refused
    /// when it is another kind.
    pub fn parse_kind(
        text: &str,
        fiscal: FiscalYearStart,
        kind: fn(&Label) -> bool,
        wanted: &'static str,
    ) -> Result<Period, PeriodError> {
        let period = Period::parse(text, fiscal)?;
        if kind(&period.label) {
            Ok(period)
        } else {
            Err(PeriodError::Kind {
                label: text.to_string(),
                found: period.label.kind(),
                wanted,
            })
        }
    }

    /// `None` for a month that is not a date, or whose neighbours are not (at chrono's
    /// extremes): the arithmetic is checked, never a panic.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        let from = NaiveDate::from_ymd_opt(year, month, 1)?;
        Period::stepped(Label::Month { year, month }, from, Months::new(1))
    }

    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let from = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1)?;
        Period::stepped(Label::Quarter { year, quarter }, from, Months::new(3))
    }

    pub fn year(year: i32) -> Option<Period> {
        let from = NaiveDate::from_ymd_opt(year, 1, 1)?;
        Period::stepped(Label::Year(year), from, Months::new(12))
    }

    fn stepped(label: Label, from: NaiveDate, step: Months) -> Option<Period> {
        Some(Period {
            label,
            from,
            to: from.checked_add_months(step)?,
            previous_from: from.checked_sub_months(step)?,
            previous_to: from,
        })
    }

    /// Any range of at least one day (`None` when the range before it is not a date).
    pub fn between(from: NaiveDate, to: NaiveDate) -> Option<Period> {
        if from >= to {
            return None;
        }
        let length = chrono::Days::new((to - from).num_days().unsigned_abs());
        Some(Period {
            label: Label::Days { from, to },
            from,
            to,
            previous_from: from.checked_sub_days(length)?,
            previous_to: from,
        })
    }

    pub fn month_of(date: NaiveDate) -> Period {
        Period::month(date.year(), date.month()).expect("a real date's month")
    }

    pub fn quarter_of(date: NaiveDate) -> Period {
        Period::quarter(date.year(), (date.month() - 1) / 3 + 1).expect("a real date's quarter")
    }

    /// The fiscal year this period is, when it is one: what the remission ledger numbers
    /// and the open-data formats name.
    pub fn fiscal_year(&self, fiscal: FiscalYearStart) -> Option<FiscalYear> {
        match self.label {
            Label::FiscalYear { end_year } | Label::FiscalQuarter { end_year, .. } => {
                Some(FiscalYear::ending(fiscal, end_year))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn april(text: &str) -> Result<Period, PeriodError> {
        Period::parse(text, FiscalYearStart::APRIL)
    }

    fn days(period: &Period) -> (String, String) {
        (period.from.to_string(), period.to.to_string())
    }

    #[test]
    fn every_form_parses_and_prints_as_it_is_written() {
        for (text, from, to) in [
            ("2026-03", "2026-03-01", "2026-04-01"),
            ("2026-Q1", "2026-01-01", "2026-04-01"),
            ("2026", "2026-01-01", "2027-01-01"),
            ("2026-2027", "2026-04-01", "2027-04-01"),
            ("2026-2027-Q4", "2027-01-01", "2027-04-01"),
            ("2026-10-01..2026-10-15", "2026-10-01", "2026-10-15"),
        ] {
            let period = april(text).unwrap();
            assert_eq!(days(&period), (from.into(), to.into()), "{text}");
            assert_eq!(period.to_string(), text);
            assert_eq!(text.parse::<Label>().unwrap().to_string(), text);
        }
        // `FY` names a fiscal year by the year it ends in, and prints in the one form.
        assert_eq!(april("FY2027").unwrap(), april("2026-2027").unwrap());
        assert_eq!(april("FY2027-Q1").unwrap().to_string(), "2026-2027-Q1");
    }

    #[test]
    fn each_period_compares_with_the_one_before() {
        let march = april("2026-03").unwrap();
        assert_eq!(
            (march.previous_from, march.previous_to),
            (d("2026-02-01"), d("2026-03-01"))
        );
        assert_eq!(april("2026-Q1").unwrap().previous_from, d("2025-10-01"));
        assert_eq!(april("2026").unwrap().previous_from, d("2025-01-01"));
        assert_eq!(april("2026-2027").unwrap().previous_from, d("2025-04-01"));
        assert_eq!(april("FY2027-Q1").unwrap().previous_from, d("2026-01-01"));
        let range = april("2026-03-10..2026-03-17").unwrap();
        assert_eq!(
            (range.previous_from, range.previous_to),
            (d("2026-03-03"), d("2026-03-10"))
        );
        assert_eq!(Period::quarter_of(d("2026-11-23")).label, "2026-Q4");
        assert_eq!(Period::month_of(d("2026-11-23")).label, "2026-11");
    }

    /// The convention: the same label means the same days in the ledger (`RemissionRules`),
    /// in reports and the API (`Period::parse`) for April and October starts alike.
    #[test]
    fn april_and_october_fiscal_years_agree_with_the_ledger() {
        use civicpulse_core::remission::RemissionRules;
        for (start, from, q1_to) in [
            (FiscalYearStart::APRIL, "2026-04-01", "2026-07-01"),
            (FiscalYearStart::OCTOBER, "2026-10-01", "2027-01-01"),
        ] {
            let rules = RemissionRules {
                fiscal_year_start_month: start,
                ..RemissionRules::default()
            };
            let year = Period::parse("2026-2027", start).unwrap();
            assert_eq!(year.from, d(from));
            assert_eq!(Period::parse("FY2027", start).unwrap(), year);
            let ledger_year = rules.fiscal_year(year.from);
            assert_eq!(rules.fiscal_year(year.to.pred_opt().unwrap()), ledger_year);
            assert_eq!(rules.fiscal_year(year.to), ledger_year + 1);
            assert_eq!(rules.fiscal_year_label(ledger_year), year.to_string());
            assert_eq!(year.fiscal_year(start).unwrap().first_year(), ledger_year);
            let q1 = Period::parse("FY2027-Q1", start).unwrap();
            assert_eq!(days(&q1), (from.into(), q1_to.into()));
        }
    }

    #[test]
    fn with_a_january_start_fiscal_years_are_calendar_years() {
        let january = |t: &str| Period::parse(t, FiscalYearStart::JANUARY).unwrap();
        assert_eq!(january("FY2026"), january("2026"));
        assert_eq!(january("FY2026").to_string(), "2026");
        assert_eq!(january("FY2026-Q3"), january("2026-Q3"));
    }

    #[test]
    fn nonsense_is_named_and_refused() {
        for bad in [
            "",
            "x-01",
            "2026-13",
            "2026-00",
            "2026-3",
            "2026-Q5",
            "2026-Q0",
            "2026-Q12",
            "26",
            "20261",
            "2025-2027",
            "2026-2025",
            "FY27",
            "FY2027-Q5",
            "FY2027Q1",
            "2026-2027-Q0",
            "2026-10-15..2026-10-01",
            "2026-10-01..",
            "last quarter",
            "2026-01-01",
            "+2026",
            "2026-Q1-Q2",
        ] {
            let error = april(bad).expect_err(bad).to_string();
            assert!(error.contains('`'), "{bad}: {error}");
        }
        assert!(april("last quarter")
            .unwrap_err()
            .to_string()
            .contains("`last quarter`"));
        assert!(april("2026-10-15..2026-10-01")
            .unwrap_err()
            .to_string()
            .contains("before"));
        assert!(april("2026-10-01..soon")
            .unwrap_err()
            .to_string()
            .contains("`soon` is not a date"));
        assert!(
            matches!(april("1900-01"), Err(PeriodError::Horizon { .. })),
            "outside the horizon"
        );
        let error = Period::parse_kind(
            "2026-Q3",
            FiscalYearStart::OCTOBER,
            |l| matches!(l, Label::FiscalQuarter { .. }),
            "a fiscal quarter (FY2027-Q1)",
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            error,
            "`2026-Q3` is a quarter; this takes a fiscal quarter (FY2027-Q1)"
        );
    }

    #[test]
    fn periods_at_the_calendar_extremes_are_none_not_a_panic() {
        let (min, max) = (NaiveDate::MIN, NaiveDate::MAX);
        assert_eq!(Period::month(max.year(), 12), None);
        assert_eq!(Period::month(min.year(), 1), None);
        assert_eq!(Period::quarter(max.year(), 4), None);
        assert_eq!(Period::year(max.year()), None);
        assert_eq!(Period::between(min, d("2026-01-01")), None);
        assert_eq!(Period::between(min.succ_opt().unwrap(), max), None);
    }

    proptest::proptest! {
        /// Any text and any year: a period or an error, never a panic; a period's dates are
        /// in order and its label reads back as the same period.
        #[test]
        fn parsing_and_stepping_never_panic(text in ".{0,14}", year in proptest::num::i32::ANY, m in 0u32..20, start in 1u32..=12) {
            let start = FiscalYearStart::new(start).unwrap();
            for period in [Period::parse(&text, start).ok(), Period::month(year, m), Period::quarter(year, m), Period::year(year)]
                .into_iter()
                .flatten()
            {
                proptest::prop_assert!(period.previous_from < period.from && period.from < period.to);
                if let Ok(again) = Period::parse(&period.to_string(), start) {
                    proptest::prop_assert_eq!(again, period);
                }
            }
        }

        #[test]
        fn ranges_never_panic(a in proptest::num::i32::ANY, b in proptest::num::i32::ANY) {
            let day = |n: i32| NaiveDate::from_num_days_from_ce_opt(n);
            if let (Some(from), Some(to)) = (day(a), day(b)) {
                if let Some(period) = Period::between(from, to) {
                    proptest::prop_assert_eq!(period.to - period.from, period.previous_to - period.previous_from);
                }
            }
        }
    }
}
