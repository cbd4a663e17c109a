//! What a report covers: a month `2026-10`, a quarter `2026-Q3`, or local days
//! `2026-10-01..2026-10-15` (the end excluded).

use chrono::NaiveDate;
use civicpulse_analytics::matrix::Period;
use civicpulse_core::horizon;

/// The period `text` names, inside the date horizon; the error says what is wrong.
pub fn parse(text: &str) -> Result<Period, String> {
    let period = match text.split_once("..") {
        Some((from, to)) => {
            let day = |d: &str| {
                d.parse::<NaiveDate>()
                    .map_err(|_| format!("`{d}` is not a date (YYYY-MM-DD)"))
            };
            Period::between(day(from)?, day(to)?)
                .ok_or_else(|| format!("`{text}`: the start must come before the end"))?
        }
        None => Period::parse(text)
            .ok_or_else(|| format!("`{text}` is neither YYYY-MM, YYYY-Qn nor FROM..TO"))?,
    };
    horizon::check_day(period.from)?;
    horizon::check_day(period.to)?;
    Ok(period)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_quarters_and_ranges_parse_and_nonsense_is_named() {
        assert_eq!(parse("2026-Q3").unwrap().from.to_string(), "2026-07-01");
        assert_eq!(parse("2026-10").unwrap().to.to_string(), "2026-11-01");
        let range = parse("2026-10-01..2026-10-15").unwrap();
        assert_eq!(
            (range.from.to_string(), range.to.to_string()),
            ("2026-10-01".into(), "2026-10-15".into())
        );
        assert!(parse("2026-10-15..2026-10-01")
            .unwrap_err()
            .contains("before"));
        assert!(parse("last quarter")
            .unwrap_err()
            .contains("`last quarter`"));
        assert!(parse("1900-01").is_err(), "outside the horizon");
    }
}
