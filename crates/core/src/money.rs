//! Money as a whole number of minor units (cents; yen have none) of an ISO 4217 currency,
//! so that refunds and their totals are exact from the rule to the page: an `f64` cannot
//! hold 0.10 and its sums drift, and a sum across currencies means nothing.
//!
//! The currency list and each currency's minor units come from `iso_currency` (the ISO 4217
//! table); `rusty-money` was weighed and left out: it keeps decimals rather than minor
//! units and has no French-Canadian format.

use std::collections::BTreeMap;
use std::fmt;

pub use iso_currency::Currency;
use serde::{Deserialize, Serialize};

use crate::config::Language;

/// Why money could not be made or added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Adding amounts of two currencies would be a number of nothing.
    #[error("cannot add {right} to {left}: different currencies")]
    CurrencyMismatch { left: String, right: String },
    #[error("the sum of {0} amounts overflows")]
    Overflow(String),
    #[error("`{0}` is not an ISO 4217 currency code")]
    UnknownCurrency(String),
}

/// An amount of one currency in its minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: Currency,
}

/// The currency of a code such as `CAD`; empty means none (ISO 4217 `XXX`, "no currency"),
/// as for a standard without a fee.
pub fn currency(code: &str) -> Result<Currency, MoneyError> {
    if code.is_empty() {
        return Ok(Currency::XXX);
    }
    Currency::from_code(code).ok_or_else(|| MoneyError::UnknownCurrency(code.to_string()))
}

/// How many decimals a currency's minor unit has: 2 for CAD, 0 for JPY and for codes
/// without one (XXX, gold).
pub fn decimals(currency: Currency) -> u32 {
    currency.exponent().map_or(0, u32::from)
}

fn minor_per_major(currency: Currency) -> i64 {
    10i64.pow(decimals(currency))
}

impl Money {
    pub fn new(amount_minor: i64, currency: Currency) -> Money {
        Money {
            amount_minor,
            currency,
        }
    }

    pub fn zero(currency: Currency) -> Money {
        Money::new(0, currency)
    }

    /// An amount in major units (a catalog fee, a stored `Float64` column) rounded to the
    /// nearest minor unit: the one place a float becomes money. Exact for every amount a
    /// float written from minor units holds (below 2^53 minor units).
    pub fn from_major(amount: f64, currency: Currency) -> Money {
        Money::new(
            (amount * minor_per_major(currency) as f64).round() as i64,
            currency,
        )
    }

    /// An amount in ten-thousandths of a major unit (how the store sums stored amounts:
    /// no ISO 4217 currency has more than four decimals) in the currency's minor units,
    /// half away from zero should it not divide.
    pub fn from_ten_thousandths(amount: i64, currency: Currency) -> Money {
        let per = 10i64.pow(4u32.saturating_sub(decimals(currency)));
        let half = per / 2 * amount.signum();
        Money::new((amount + half) / per, currency)
    }

    /// The amount in major units, for wire fields and columns kept in them; never `-0.0`.
    pub fn to_major(self) -> f64 {
        self.amount_minor as f64 / minor_per_major(self.currency) as f64
    }

    /// The exact sum of two amounts of one currency.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch {
                left: self.currency.code().to_string(),
                right: other.currency.code().to_string(),
            });
        }
        let amount_minor = self
            .amount_minor
            .checked_add(other.amount_minor)
            .ok_or_else(|| MoneyError::Overflow(self.currency.code().to_string()))?;
        Ok(Money::new(amount_minor, self.currency))
    }

    /// The amount as a reader of `lang` writes it, with the code after it (a `$` alone
    /// would not tell CAD from USD): `1,234.50 CAD` / `1 234,50 CAD` (no-break spaces),
    /// `1,235 JPY`, `−0.25 CAD`.
    pub fn format(self, lang: Language) -> String {
        let (group, point) = match lang {
            Language::En => (",", "."),
            Language::Fr => ("\u{a0}", ","),
        };
        let per = minor_per_major(self.currency).unsigned_abs();
        let minor = self.amount_minor.unsigned_abs();
        let whole = (minor / per).to_string();
        let mut out = String::new();
        if self.amount_minor < 0 {
            out.push('−');
        }
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                out.push_str(group);
            }
            out.push(digit);
        }
        let places = decimals(self.currency) as usize;
        if places > 0 {
            out.push_str(point);
            out.push_str(&format!("{:0places$}", minor % per));
        }
        out.push('\u{a0}');
        out.push_str(self.currency.code());
        out
    }
}

impl fmt::Display for Money {
    /// The English form, for logs and messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.format(Language::En))
    }
}

/// Serialises money as its amount in major units (`167.5`), for wire fields whose unit
/// has been the major one since their first release; the currency is a field of its own.
pub fn serialize_major<S: serde::Serializer>(
    money: &Money,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(money.to_major())
}

/// Totals kept apart per currency: amounts of different currencies are never summed into
/// one number, and each total is exact.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PerCurrency(BTreeMap<Currency, i64>);

impl PerCurrency {
    /// Adds `money` to its currency's total.
    pub fn add(&mut self, money: Money) -> Result<(), MoneyError> {
        let total = self.0.entry(money.currency).or_default();
        *total = total
            .checked_add(money.amount_minor)
            .ok_or_else(|| MoneyError::Overflow(money.currency.code().to_string()))?;
        Ok(())
    }

    /// The totals, one per currency, in the order of their codes.
    pub fn iter(&self) -> impl Iterator<Item = Money> + '_ {
        self.0
            .iter()
            .map(|(currency, minor)| Money::new(*minor, *currency))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cad(minor: i64) -> Money {
        Money::new(minor, Currency::CAD)
    }

    #[test]
    fn sums_of_one_currency_are_exact() {
        // 0.1 + 0.2 is 0.30000000000000004 in floats; in cents it is 30.
        let sum = Money::from_major(0.1, Currency::CAD)
            .checked_add(Money::from_major(0.2, Currency::CAD))
            .unwrap();
        assert_eq!(sum, cad(30));
        assert_eq!(sum.to_major(), 0.3);
        // Ten times 0.10 is exactly 1.00.
        let mut totals = PerCurrency::default();
        for _ in 0..10 {
            totals.add(Money::from_major(0.1, Currency::CAD)).unwrap();
        }
        assert_eq!(totals.iter().collect::<Vec<_>>(), [cad(100)]);
        assert!(Money::zero(Currency::CAD).to_major().is_sign_positive());
        assert_eq!(Money::from_ten_thousandths(3_000, Currency::CAD), cad(30));
        assert_eq!(
            Money::from_ten_thousandths(2_500_000, Currency::JPY),
            Money::new(250, Currency::JPY)
        );
        assert_eq!(
            Money::from_ten_thousandths(15_000, Currency::BHD),
            Money::new(1_500, Currency::BHD)
        );
    }

    #[test]
    fn amounts_of_different_currencies_are_never_summed() {
        let yen = Money::from_major(500.0, Currency::JPY);
        assert_eq!(yen.amount_minor, 500, "the yen has no minor unit");
        assert!(matches!(
            cad(100).checked_add(yen),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
        let mut totals = PerCurrency::default();
        for money in [cad(10), yen, cad(20), Money::new(5, Currency::USD)] {
            totals.add(money).unwrap();
        }
        assert_eq!(
            totals.iter().collect::<Vec<_>>(),
            [cad(30), yen, Money::new(5, Currency::USD)]
        );
        assert!(matches!(
            cad(i64::MAX).checked_add(cad(1)),
            Err(MoneyError::Overflow(_))
        ));
    }

    #[test]
    fn codes_are_iso_4217_and_empty_is_no_currency() {
        assert_eq!(currency("CAD"), Ok(Currency::CAD));
        assert_eq!(currency(""), Ok(Currency::XXX));
        assert!(matches!(
            currency("CAN"),
            Err(MoneyError::UnknownCurrency(_))
        ));
        assert_eq!((decimals(Currency::JPY), decimals(Currency::XXX)), (0, 0));
        assert_eq!(decimals(Currency::BHD), 3);
    }

    #[test]
    fn english_and_french_readers_see_their_own_format() {
        let nb = |s: &str| s.replace(' ', "\u{a0}");
        assert_eq!(cad(123_450).format(Language::En), nb("1,234.50 CAD"));
        assert_eq!(cad(123_450).format(Language::Fr), nb("1 234,50 CAD"));
        assert_eq!(cad(5).format(Language::En), nb("0.05 CAD"));
        assert_eq!(
            cad(123_456_789).format(Language::Fr),
            nb("1 234 567,89 CAD")
        );
        assert_eq!(cad(-25).format(Language::En), nb("−0.25 CAD"));
        let yen = Money::new(1_235, Currency::JPY);
        assert_eq!(yen.format(Language::En), nb("1,235 JPY"));
        assert_eq!(yen.format(Language::Fr), nb("1 235 JPY"));
        assert_eq!(
            Money::new(1_500, Currency::BHD).format(Language::En),
            nb("1.500 BHD")
        );
    }

    proptest! {
        #[test]
        fn per_currency_totals_are_the_exact_sums(amounts in prop::collection::vec((0i64..1_000_000, any::<bool>()), 0..50)) {
            let mut totals = PerCurrency::default();
            for (minor, yen) in &amounts {
                let currency = if *yen { Currency::JPY } else { Currency::CAD };
                totals.add(Money::new(*minor, currency)).unwrap();
            }
            for total in totals.iter() {
                let expected: i64 = amounts.iter()
                    .filter(|(_, yen)| *yen == (total.currency == Currency::JPY))
                    .map(|(minor, _)| minor).sum();
                prop_assert_eq!(total.amount_minor, expected);
            }
        }

        #[test]
        fn a_stored_major_amount_gives_back_its_minor_units(minor in -1_000_000_000_000i64..1_000_000_000_000) {
            prop_assert_eq!(Money::from_major(cad(minor).to_major(), Currency::CAD), cad(minor));
        }
    }
}
