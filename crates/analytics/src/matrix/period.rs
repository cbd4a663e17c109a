//! The periods a matrix covers: a calendar month (`2026-10`), a quarter (`2026-Q3`) or any
//! from/to, each with the period before it to compare with. Dates are local to each
//! service; `to` is exclusive.

use chrono::{Datelike, Months, NaiveDate};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Period {
    /// `2026-10`, `2026-Q3`, or `2026-10-01..2026-10-15`.
    pub label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The period compared with: the previous month or quarter, else the same number of
    /// days just before.
    pub previous_from: NaiveDate,
    pub previous_to: NaiveDate,
}

impl Period {
    /// `None` for a month that is not a date, or whose neighbours are not (at chrono's
    /// extremes): the arithmetic is checked, never a panic.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        let from = NaiveDate::from_ymd_opt(year, month, 1)?;
        Period::stepped(format!("{year}-{month:02}"), from, Months::new(1))
    }

    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let from = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1)?;
        Period::stepped(format!("{year}-Q{quarter}"), from, Months::new(3))
    }

    fn stepped(label: String, from: NaiveDate, step: Months) -> Option<Period> {
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
            label: format!("{from}..{to}"),
            from,
            to,
            previous_from: from.checked_sub_days(length)?,
            previous_to: from,
        })
    }

    /// `YYYY-MM` or `YYYY-Qn`.
    pub fn parse(text: &str) -> Option<Period> {
        let (year, rest) = text.split_once('-')?;
        let year: i32 = year.parse().ok()?;
        if let Some(quarter) = rest.strip_prefix('Q') {
            return Period::quarter(year, quarter.parse().ok()?);
        }
        if rest.len() != 2 {
            return None;
        }
        Period::month(year, rest.parse().ok()?)
    }

    pub fn month_of(date: NaiveDate) -> Period {
        Period::month(date.year(), date.month()).expect("a real date's month")
    }

    pub fn quarter_of(date: NaiveDate) -> Period {
        Period::quarter(date.year(), (date.month() - 1) / 3 + 1).expect("a real date's quarter")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn months_and_quarters_compare_with_the_one_before() {
        let march = Period::parse("2026-03").unwrap();
        assert_eq!((march.from, march.to), (d("2026-03-01"), d("2026-04-01")));
        assert_eq!(
            (march.previous_from, march.previous_to),
            (d("2026-02-01"), d("2026-03-01"))
        );
        let q1 = Period::parse("2026-Q1").unwrap();
        assert_eq!((q1.from, q1.to), (d("2026-01-01"), d("2026-04-01")));
        assert_eq!(q1.previous_from, d("2025-10-01"));
        assert_eq!(Period::quarter_of(d("2026-11-23")).label, "2026-Q4");
        assert_eq!(Period::month_of(d("2026-11-23")).label, "2026-11");
        for bad in ["2026", "2026-13", "2026-Q5", "2026-3", "x-01"] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_free_range_compares_with_as_many_days_before() {
        let range = Period::between(d("2026-03-10"), d("2026-03-17")).unwrap();
        assert_eq!((range.to - range.from).num_days(), 7);
        assert_eq!(
            (range.previous_from, range.previous_to),
            (d("2026-03-03"), d("2026-03-10"))
        );
        assert_eq!(Period::between(d("2026-03-10"), d("2026-03-10")), None);
    }

    #[test]
    fn periods_at_the_calendar_extremes_are_none_not_a_panic() {
        let (min, max) = (NaiveDate::MIN, NaiveDate::MAX);
        assert_eq!(Period::month(max.year(), 12), None);
        assert_eq!(Period::month(min.year(), 1), None);
        assert_eq!(Period::quarter(max.year(), 4), None);
        assert_eq!(Period::between(min, d("2026-01-01")), None);
        assert_eq!(Period::between(min.succ_opt().unwrap(), max), None);
        for text in [
            "262143-12",
            "-262143-01",
            "2147483647-01",
            "99999999999-Q1",
            "262143-Q4",
        ] {
            assert_eq!(Period::parse(text), None, "{text}");
        }
    }

    proptest::proptest! {
        /// Any text and any year: a period or `None`, never a panic, and a period's dates
        /// are in order.
        #[test]
        fn parsing_and_stepping_never_panic(text in ".{0,12}", year in proptest::num::i32::ANY, m in 0u32..20) {
            for period in [Period::parse(&text), Period::month(year, m), Period::quarter(year, m)]
                .into_iter()
                .flatten()
            {
                proptest::prop_assert!(period.previous_from < period.from && period.from < period.to);
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
