//! Government fiscal periods: Canada's fiscal year runs April–March (`2025-2026`), the US
//! federal fiscal year October–September (`FY2027-Q1` is October–December 2026).

use chrono::NaiveDate;

/// Local days `[from, to)` and the label the format writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiscalPeriod {
    pub label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The US fiscal year and quarter, for A-11 rows.
    pub year: i32,
    pub quarter: u32,
}

/// `2025-2026`: 1 April 2025 to 1 April 2026.
pub fn canada_year(text: &str) -> Result<FiscalPeriod, String> {
    let wrong = || format!("`{text}` is not a Canadian fiscal year (e.g. 2025-2026)");
    let (first, second) = text.split_once('-').ok_or_else(wrong)?;
    let (first, second): (i32, i32) = (
        first.parse().map_err(|_| wrong())?,
        second.parse().map_err(|_| wrong())?,
    );
    if second != first + 1 {
        return Err(wrong());
    }
    let from = NaiveDate::from_ymd_opt(first, 4, 1).ok_or_else(wrong)?;
    let to = NaiveDate::from_ymd_opt(second, 4, 1).ok_or_else(wrong)?;
    Ok(FiscalPeriod {
        label: format!("{first}-{second}"),
        from,
        to,
        year: second,
        quarter: 0,
    })
}

/// `FY2027-Q1`: 1 October 2026 to 1 January 2027.
pub fn us_quarter(text: &str) -> Result<FiscalPeriod, String> {
    let wrong = || format!("`{text}` is not a US federal fiscal quarter (e.g. FY2027-Q1)");
    let rest = text.strip_prefix("FY").ok_or_else(wrong)?;
    let (year, quarter) = rest.split_once("-Q").ok_or_else(wrong)?;
    let (year, quarter): (i32, u32) = (
        year.parse().map_err(|_| wrong())?,
        quarter.parse().map_err(|_| wrong())?,
    );
    if !(1..=4).contains(&quarter) {
        return Err(wrong());
    }
    // Q1 starts in October of the year before.
    let start_month = (quarter - 1) * 3 + 10;
    let (from_year, from_month) = if start_month > 12 {
        (year, start_month - 12)
    } else {
        (year - 1, start_month)
    };
    let from = NaiveDate::from_ymd_opt(from_year, from_month, 1).ok_or_else(wrong)?;
    let to = from
        .checked_add_months(chrono::Months::new(3))
        .ok_or_else(wrong)?;
    Ok(FiscalPeriod {
        label: format!("FY{year}-Q{quarter}"),
        from,
        to,
        year,
        quarter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fiscal_years_and_quarters_start_where_each_government_starts_them() {
        let year = canada_year("2025-2026").unwrap();
        assert_eq!(
            (year.from.to_string(), year.to.to_string()),
            ("2025-04-01".into(), "2026-04-01".into())
        );
        assert!(canada_year("2025-2027").is_err());
        assert!(canada_year("2025").unwrap_err().contains("2025-2026"));
        let q1 = us_quarter("FY2027-Q1").unwrap();
        assert_eq!(
            (q1.from.to_string(), q1.to.to_string()),
            ("2026-10-01".into(), "2027-01-01".into())
        );
        let q2 = us_quarter("FY2027-Q2").unwrap();
        assert_eq!(q2.from.to_string(), "2027-01-01");
        let q4 = us_quarter("FY2027-Q4").unwrap();
        assert_eq!(
            (q4.from.to_string(), q4.to.to_string()),
            ("2027-07-01".into(), "2027-10-01".into())
        );
        assert!(us_quarter("FY2027-Q5").is_err());
        assert!(us_quarter("2027-Q1").is_err());
    }
}
