//! Remissions: the refunds a late case is owed, as a Service Fees Act annual report counts
//! them: by fiscal year (the year a late service was delivered in), fee and service, with
//! the date by which each must be paid.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::fiscal_year::{FiscalYear, FiscalYearStart};

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

/// An amount in currency units (a catalog fee) as whole cents, so that sums are exact.
pub fn cents(amount: f64) -> i64 {
    (amount * 100.0).round() as i64
}

/// Whole cents as an amount in currency units for the wire; never `-0.0`, since integer
/// cents have no negative zero.
pub fn amount(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// The refund a late case is owed: `percent` of the fee, to the cent (half a cent up), in
/// integer arithmetic. This is what makes a late case a remission: one that owes nothing
/// (a standard without a fee or refund tiers, or lateness no tier covers) is a breach,
/// not a remission line. Every reader (evaluation, ledger, API, reports) asks this.
pub fn refund_owed_cents(fee_cents: i64, percent: f64) -> i64 {
    // Percents are checked to lie within 0 to 100; hundredths of a percent are exact.
    let hundredths = (percent.clamp(0.0, 100.0) * 100.0).round() as i64;
    (fee_cents.max(0) * hundredths + 5_000) / 10_000
}

/// Whether a late case with this fee and refund percent is a remission (owes a refund,
/// before any exception excuses it).
pub fn is_remission(fee_cents: i64, percent: f64) -> bool {
    refund_owed_cents(fee_cents, percent) > 0
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

/// One case of the ledger, amounts in cents so that totals add up exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerCase {
    pub fiscal_year: i32,
    pub service_id: String,
    pub policy: String,
    pub service_option: String,
    pub currency: String,
    pub fee_cents: i64,
    pub amount_cents: i64,
    pub status: RemissionStatus,
}

/// A ledger total: one fiscal year, service, standard, option and fee.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LedgerTotal {
    pub fiscal_year: i32,
    pub service_id: String,
    pub policy: String,
    pub service_option: String,
    pub currency: String,
    pub fee_cents: i64,
    /// Late cases (every status).
    pub cases: u64,
    /// What the late cases were owed before exceptions: the amounts of owed, paid and
    /// cancelled cases (an excused case owes 0).
    pub amount_cents: i64,
    pub owed_cents: i64,
    pub paid_cents: i64,
    pub cancelled_cents: i64,
    pub owed: u64,
    pub paid: u64,
    pub cancelled: u64,
    pub excused: u64,
}

/// The ledger's totals, in the order of their keys.
pub fn totals(cases: &[LedgerCase]) -> Vec<LedgerTotal> {
    let mut totals: BTreeMap<(i32, &str, &str, &str, &str, i64), LedgerTotal> = BTreeMap::new();
    for case in cases {
        let key = (
            case.fiscal_year,
            case.service_id.as_str(),
            case.policy.as_str(),
            case.service_option.as_str(),
            case.currency.as_str(),
            case.fee_cents,
        );
        let total = totals.entry(key).or_insert_with(|| LedgerTotal {
            fiscal_year: case.fiscal_year,
            service_id: case.service_id.clone(),
            policy: case.policy.clone(),
            service_option: case.service_option.clone(),
            currency: case.currency.clone(),
            fee_cents: case.fee_cents,
            ..LedgerTotal::default()
        });
        total.cases += 1;
        total.amount_cents += case.amount_cents;
        match case.status {
            RemissionStatus::Owed => {
                total.owed += 1;
                total.owed_cents += case.amount_cents;
            }
            RemissionStatus::Paid => {
                total.paid += 1;
                total.paid_cents += case.amount_cents;
            }
            RemissionStatus::Cancelled => {
                total.cancelled += 1;
                total.cancelled_cents += case.amount_cents;
            }
            RemissionStatus::Excused => total.excused += 1,
        }
    }
    totals.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
        // 25 % of 160.00; 50 % of 335.00; 12.5 % of 0.99 = 12.375 cents, half up to 12.
        assert_eq!(refund_owed_cents(cents(160.0), 25.0), 4_000);
        assert_eq!(refund_owed_cents(cents(335.0), 50.0), 16_750);
        assert_eq!(refund_owed_cents(99, 12.5), 12);
        assert_eq!(refund_owed_cents(3, 50.0), 2);
        // No fee, or no tier (percent 0): late, but owed nothing, so not a remission.
        assert_eq!(refund_owed_cents(0, 100.0), 0);
        assert!(!is_remission(0, 100.0));
        assert!(!is_remission(cents(160.0), 0.0));
        assert!(is_remission(cents(160.0), 25.0));
        // Whole cents never make a negative zero on the wire.
        assert!(amount(0).is_sign_positive());
        assert_eq!(amount(16_750), 167.5);
    }

    fn case_strategy() -> impl Strategy<Value = LedgerCase> {
        use strum::IntoEnumIterator;
        let statuses: Vec<RemissionStatus> = RemissionStatus::iter().collect();
        (
            2025i32..2028,
            prop::sample::select(vec!["a", "b"]),
            prop::sample::select(vec!["", "express"]),
            prop::sample::select(vec![16000i64, 27000]),
            0i64..30000,
            prop::sample::select(statuses),
        )
            .prop_map(
                |(fiscal_year, service, option, fee, amount, status)| LedgerCase {
                    fiscal_year,
                    service_id: service.into(),
                    policy: "processing".into(),
                    service_option: option.into(),
                    currency: "CAD".into(),
                    fee_cents: fee,
                    amount_cents: if status == RemissionStatus::Excused {
                        0
                    } else {
                        amount
                    },
                    status,
                },
            )
    }

    proptest! {
        #[test]
        fn the_ledger_totals_are_the_sum_of_its_cases(cases in prop::collection::vec(case_strategy(), 0..60)) {
            let totals = totals(&cases);
            let sum = |f: fn(&LedgerTotal) -> i64| totals.iter().map(f).sum::<i64>();
            prop_assert_eq!(sum(|t| t.amount_cents), cases.iter().map(|c| c.amount_cents).sum::<i64>());
            prop_assert_eq!(sum(|t| t.owed_cents + t.paid_cents + t.cancelled_cents), sum(|t| t.amount_cents));
            prop_assert_eq!(totals.iter().map(|t| t.cases).sum::<u64>(), cases.len() as u64);
            prop_assert_eq!(
                totals.iter().map(|t| t.owed + t.paid + t.cancelled + t.excused).sum::<u64>(),
                cases.len() as u64
            );
            for total in &totals {
                let mine: i64 = cases.iter().filter(|c| c.fiscal_year == total.fiscal_year
                    && c.service_id == total.service_id && c.service_option == total.service_option
                    && c.fee_cents == total.fee_cents).map(|c| c.amount_cents).sum();
                prop_assert_eq!(mine, total.amount_cents);
            }
        }
    }
}
