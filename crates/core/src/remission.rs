//! Remissions: the refunds a late case is owed, as a Service Fees Act annual report counts
//! them: by fiscal year (the year a late service was delivered in), fee and service, with
//! the date by which each must be paid.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::fiscal_year::{FiscalYear, FiscalYearStart};
use crate::money::{Money, MoneyError};

/// When fiscal years start and when a year's remissions fall due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RemissionRules {
    /// The month every fiscal year of the deployment starts in (April, Canada's, by
    /// default): the ledger's years, and fiscal periods in reports and the API. The
    /// open-data formats keep their own government's start (see `reports::exports`).
    pub fiscal_year_start_month: FiscalYearStart,
    /// A year's remissions are due by this month and day of the next fiscal year (1 July).
    pub payment_due_month: u32,
    pub payment_due_day: u32,
}

impl Default for RemissionRules {
    fn default() -> Self {
        RemissionRules {
            fiscal_year_start_month: FiscalYearStart::default(),
            payment_due_month: 7,
            payment_due_day: 1,
        }
    }
}

impl RemissionRules {
    pub fn check(&self) -> Result<(), String> {
        // Any year: 29 February would not exist in most.
        if NaiveDate::from_ymd_opt(2025, self.payment_due_month, self.payment_due_day).is_none() {
            return Err(
                "payment_due_month and payment_due_day must be a date of every year".into(),
            );
        }
        Ok(())
    }

    /// The fiscal year holding `day`, by the calendar year it starts in (2026 is April
    /// 2026 to March 2027 in Canada), the integer the ledger stores.
    pub fn fiscal_year(&self, day: NaiveDate) -> i32 {
        self.fiscal_year_start_month.year_of(day).first_year()
    }

    /// A fiscal year's label, `2026-2027` (or `2026` for years starting in January).
    pub fn fiscal_year_label(&self, year: i32) -> String {
        FiscalYear::new(self.fiscal_year_start_month, year).to_string()
    }

    /// The date by which remissions owed in fiscal year `year` must be paid: the due month
    /// and day within the next fiscal year.
    pub fn payment_due(&self, year: i32) -> NaiveDate {
        let next = FiscalYear::new(self.fiscal_year_start_month, year)
            .next()
            .from()
            .unwrap_or(NaiveDate::MIN);
        let due = |y: i32| NaiveDate::from_ymd_opt(y, self.payment_due_month, self.payment_due_day);
        [next.year(), next.year() + 1]
            .into_iter()
            .filter_map(due)
            .find(|d| *d >= next)
            .unwrap_or(next)
    }
}

/// The refund a late case is owed: `percent` of the fee, to the minor unit (half up), in
/// integer arithmetic. This is what makes a late case a remission: one that owes nothing
/// (a standard without a fee or refund tiers, or lateness no tier covers) is a breach,
/// not a remission line. Every reader (evaluation, ledger, forecast) asks this.
pub fn refund_owed(fee: Money, percent: f64) -> Money {
    // Percents are checked to lie within 0 to 100; hundredths of a percent are exact.
    let hundredths = (percent.clamp(0.0, 100.0) * 100.0).round() as i64;
    Money::new(
        (fee.amount_minor.max(0) * hundredths + 5_000) / 10_000,
        fee.currency,
    )
}

/// Whether a late case with this fee and refund percent is a remission (owes a refund,
/// before any exception excuses it).
pub fn is_remission(fee: Money, percent: f64) -> bool {
    refund_owed(fee, percent).amount_minor > 0
}

/// Where a case's remission stands.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RemissionStatus {
    /// Late and owed a refund, not yet paid.
    Owed,
    /// Late, but an exceptional circumstance excuses the refund.
    Excused,
    /// Recorded as paid (a `remission_paid` milestone).
    Paid,
    /// Recorded as cancelled (a `remission_cancelled` milestone), e.g. a fee waived.
    Cancelled,
}

impl RemissionStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One remission: a closed late case that owes (or owed) a refund. The one shape every
/// reader uses: the ledger's lines and totals, the API and its CSV, the reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Remission {
    pub fiscal_year: i32,
    pub service_id: String,
    pub policy: String,
    pub case_ref: String,
    pub service_option: String,
    pub stopped_at: Option<DateTime<Utc>>,
    /// How late, in the standard's unit (days, business hours or minutes).
    pub late: i32,
    pub fee: Money,
    /// 1-based tier, 0 when none.
    pub refund_tier: u8,
    pub refund_percent: f64,
    /// The refund owed, in the fee's currency; zero when an exception excuses it.
    pub amount: Money,
    pub status: RemissionStatus,
    pub payment_due: Option<NaiveDate>,
    /// The exceptions that changed the case's result (an excused one names its own).
    pub exceptions: String,
}

/// A ledger total: one fiscal year, service, standard, option and fee (so one currency).
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerTotal {
    pub fiscal_year: i32,
    pub service_id: String,
    pub policy: String,
    pub service_option: String,
    pub fee: Money,
    /// Late cases (every status).
    pub cases: u64,
    /// What the late cases were owed before exceptions: the amounts of owed, paid and
    /// cancelled cases (an excused case owes 0).
    pub amount: Money,
    pub owed_amount: Money,
    pub paid_amount: Money,
    pub cancelled_amount: Money,
    pub owed: u64,
    pub paid: u64,
    pub cancelled: u64,
    pub excused: u64,
}

/// The ledger's totals, in the order of their keys; exact, and an error rather than a
/// silent sum should a case's refund not be in its fee's currency.
pub fn totals(remissions: &[Remission]) -> Result<Vec<LedgerTotal>, MoneyError> {
    let mut totals: BTreeMap<(i32, &str, &str, &str, Money), LedgerTotal> = BTreeMap::new();
    for case in remissions {
        let key = (
            case.fiscal_year,
            case.service_id.as_str(),
            case.policy.as_str(),
            case.service_option.as_str(),
            case.fee,
        );
        let zero = Money::zero(case.fee.currency);
        let total = totals.entry(key).or_insert_with(|| LedgerTotal {
            fiscal_year: case.fiscal_year,
            service_id: case.service_id.clone(),
            policy: case.policy.clone(),
            service_option: case.service_option.clone(),
            fee: case.fee,
            cases: 0,
            amount: zero,
            owed_amount: zero,
            paid_amount: zero,
            cancelled_amount: zero,
            owed: 0,
            paid: 0,
            cancelled: 0,
            excused: 0,
        });
        total.cases += 1;
        total.amount = total.amount.checked_add(case.amount)?;
        let (count, amount) = match case.status {
            RemissionStatus::Owed => (&mut total.owed, Some(&mut total.owed_amount)),
            RemissionStatus::Paid => (&mut total.paid, Some(&mut total.paid_amount)),
            RemissionStatus::Cancelled => (&mut total.cancelled, Some(&mut total.cancelled_amount)),
            RemissionStatus::Excused => (&mut total.excused, None),
        };
        *count += 1;
        if let Some(amount) = amount {
            *amount = amount.checked_add(case.amount)?;
        }
    }
    Ok(totals.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn canadian_fiscal_years_start_in_april_and_are_paid_by_the_next_july() {
        let rules = RemissionRules::default();
        // 31 March 2027 is the last day of 2026-2027; 1 April 2027 the first of 2027-2028.
        assert_eq!(rules.fiscal_year(day("2027-03-31")), 2026);
        assert_eq!(rules.fiscal_year(day("2027-04-01")), 2027);
        assert_eq!(rules.fiscal_year_label(2026), "2026-2027");
        // Owed in 2026-2027: due by 1 July 2027, within 2027-2028.
        assert_eq!(rules.payment_due(2026), day("2027-07-01"));
        // A due date before the next year's start month falls in that year's second
        // calendar year: fiscal years from July, due by 1 March → 1 March of year + 2.
        let july = RemissionRules {
            fiscal_year_start_month: FiscalYearStart::new(7).unwrap(),
            payment_due_month: 3,
            payment_due_day: 1,
        };
        assert_eq!(july.payment_due(2026), day("2028-03-01"));
        let calendar_years = RemissionRules {
            fiscal_year_start_month: FiscalYearStart::JANUARY,
            ..RemissionRules::default()
        };
        assert_eq!(calendar_years.fiscal_year(day("2027-03-31")), 2027);
        assert_eq!(calendar_years.fiscal_year_label(2027), "2027");
        assert!(RemissionRules {
            payment_due_month: 2,
            payment_due_day: 29,
            ..RemissionRules::default()
        }
        .check()
        .is_err());
    }

    #[test]
    fn a_refund_is_the_percent_of_the_fee_to_the_cent_and_nothing_owed_is_no_remission() {
        let cad = |minor: i64| Money::new(minor, Currency::CAD);
        // 25 % of 160.00; 50 % of 335.00; 12.5 % of 0.99 = 12.375 cents, half up to 12.
        assert_eq!(refund_owed(cad(16_000), 25.0), cad(4_000));
        assert_eq!(refund_owed(cad(33_500), 50.0), cad(16_750));
        assert_eq!(refund_owed(cad(99), 12.5), cad(12));
        assert_eq!(refund_owed(cad(3), 50.0), cad(2));
        // The yen has no minor unit: 25 % of 1 001 yen is 250 yen (250.25 rounded).
        let yen = Money::new(1_001, Currency::JPY);
        assert_eq!(refund_owed(yen, 25.0), Money::new(250, Currency::JPY));
        // No fee, or no tier (percent 0): late, but owed nothing, so not a remission.
        assert_eq!(refund_owed(cad(0), 100.0), cad(0));
        assert!(!is_remission(cad(0), 100.0));
        assert!(!is_remission(cad(16_000), 0.0));
        assert!(is_remission(cad(16_000), 25.0));
        // Whole cents never make a negative zero on the wire.
        assert!(cad(0).to_major().is_sign_positive());
        assert_eq!(cad(16_750).to_major(), 167.5);
    }

    fn case_strategy() -> impl Strategy<Value = Remission> {
        use strum::IntoEnumIterator;
        let statuses: Vec<RemissionStatus> = RemissionStatus::iter().collect();
        (
            2025i32..2028,
            prop::sample::select(vec!["a", "b"]),
            prop::sample::select(vec!["", "express"]),
            prop::sample::select(vec![16000i64, 27000]),
            prop::sample::select(vec![Currency::CAD, Currency::JPY]),
            0i64..30000,
            prop::sample::select(statuses),
        )
            .prop_map(
                |(fiscal_year, service, option, fee, currency, amount, status)| Remission {
                    fiscal_year,
                    service_id: service.into(),
                    policy: "processing".into(),
                    case_ref: "R-1".into(),
                    service_option: option.into(),
                    stopped_at: None,
                    late: 3,
                    fee: Money::new(fee, currency),
                    refund_tier: 1,
                    refund_percent: 25.0,
                    amount: Money::new(
                        if status == RemissionStatus::Excused {
                            0
                        } else {
                            amount
                        },
                        currency,
                    ),
                    status,
                    payment_due: None,
                    exceptions: String::new(),
                },
            )
    }

    #[test]
    fn a_refund_in_another_currency_than_its_fee_is_an_error_not_a_sum() {
        let mut case = case_strategy()
            .new_tree(&mut proptest::test_runner::TestRunner::deterministic())
            .unwrap()
            .current();
        case.fee = Money::new(16_000, Currency::CAD);
        let mut yen = case.clone();
        yen.amount = Money::new(4_000, Currency::JPY);
        assert!(matches!(
            totals(&[case, yen]),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
    }

    proptest! {
        #[test]
        fn the_ledger_totals_are_the_exact_sums_of_its_cases_per_currency(cases in prop::collection::vec(case_strategy(), 0..60)) {
            let totals = totals(&cases).unwrap();
            for currency in [Currency::CAD, Currency::JPY] {
                let mine: Vec<&LedgerTotal> = totals.iter().filter(|t| t.fee.currency == currency).collect();
                prop_assert!(mine.iter().all(|t| [t.amount, t.owed_amount, t.paid_amount, t.cancelled_amount]
                    .iter().all(|m| m.currency == currency)));
                let sum = |f: fn(&LedgerTotal) -> i64| mine.iter().map(|t| f(t)).sum::<i64>();
                prop_assert_eq!(
                    sum(|t| t.amount.amount_minor),
                    cases.iter().filter(|c| c.fee.currency == currency).map(|c| c.amount.amount_minor).sum::<i64>()
                );
                prop_assert_eq!(
                    sum(|t| t.owed_amount.amount_minor + t.paid_amount.amount_minor + t.cancelled_amount.amount_minor),
                    sum(|t| t.amount.amount_minor)
                );
            }
            prop_assert_eq!(totals.iter().map(|t| t.cases).sum::<u64>(), cases.len() as u64);
            prop_assert_eq!(
                totals.iter().map(|t| t.owed + t.paid + t.cancelled + t.excused).sum::<u64>(),
                cases.len() as u64
            );
            for total in &totals {
                let mine: i64 = cases.iter().filter(|c| c.fiscal_year == total.fiscal_year
                    && c.service_id == total.service_id && c.service_option == total.service_option
                    && c.fee == total.fee).map(|c| c.amount.amount_minor).sum();
                prop_assert_eq!(mine, total.amount.amount_minor);
            }
        }
    }
}
