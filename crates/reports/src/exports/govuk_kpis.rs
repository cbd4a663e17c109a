//! The four GOV.UK Service Standard KPIs (cost per transaction, user satisfaction,
//! completion rate, digital take-up) as flat records, one per service and period, named as
//! the GOV.UK Performance Platform named them: its transactions-explorer records
//! (`_timestamp`, `end_at`, `period`, `service_id`, `number_of_transactions`,
//! `number_of_digital_transactions`, `digital_takeup`, `total_cost`,
//! `cost_per_transaction`) and its user-satisfaction records (`rating_1` … `rating_5`,
//! `num_responses`, `score`). `_timestamp` and `end_at` are the local midnights that open
//! and close the period in the service's time zone, with their offset; `period` is the
//! Platform's name of its length. A figure that cannot be given is `null`, never 0.

use chrono::{Datelike, SecondsFormat, Weekday};
use chrono_tz::Tz;
use civicpulse_analytics::matrix::{Cell, MatrixStatus};
use civicpulse_analytics::period::{Label, Period};
use civicpulse_core::calendar::local_midnight;
use serde::Serialize;

/// What the export's `--period` may be: the Platform's periods only, as its data sets
/// group records by them.
pub const PERIODS: &str =
    "a day, a Monday-to-Sunday week (FROM..TO), a month, a quarter or a year (the GOV.UK \
     Performance Platform's periods)";

/// The Performance Platform's name of a period's length (`day`, `week`, `month`,
/// `quarter`, `year`), fiscal ones included; `None` for local days that are none of them.
pub fn platform_period(label: &Label) -> Option<&'static str> {
    match label {
        Label::Month { .. } => Some("month"),
        Label::Quarter { .. } | Label::FiscalQuarter { .. } => Some("quarter"),
        Label::Year(_) | Label::FiscalYear { .. } => Some("year"),
        Label::Days { from, to } => match (*to - *from).num_days() {
            1 => Some("day"),
            7 if from.weekday() == Weekday::Mon => Some("week"),
            _ => None,
        },
    }
}

/// One record; the field order is the published one.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = GovukKpiRecord)]
pub struct Record {
    /// Period start, end and service: a re-sent record replaces the earlier one, and a
    /// month and the quarter it opens stay two records.
    pub _id: String,
    /// The period's first local midnight in the service's zone (RFC 3339, with offset).
    pub _timestamp: String,
    /// The local midnight that ends the period (exclusive), in the same zone.
    pub end_at: String,
    /// `day`, `week`, `month`, `quarter` or `year`.
    pub period: &'static str,
    pub service_id: String,
    pub number_of_transactions: u64,
    pub number_of_digital_transactions: Option<u64>,
    pub digital_takeup: Option<f64>,
    /// Decided over received applications; null when the matrix has no rate (decisions
    /// outnumbering the period's applications, too few cases, or no cases).
    pub completion_rate: Option<f64>,
    pub rating_1: u64,
    pub rating_2: u64,
    pub rating_3: u64,
    pub rating_4: u64,
    pub rating_5: u64,
    /// Satisfaction answers (the Platform's `num_responses`, the sum of the ratings).
    pub num_responses: u64,
    /// (mean − 1) / 4 of the satisfaction answers: 0 is all "very dissatisfied", 1 all
    /// "very satisfied" (the Platform's `score`).
    pub score: Option<f64>,
    pub total_cost: Option<f64>,
    pub cost_per_transaction: Option<f64>,
}

/// What the record is built from: the matrix cells of the service and period, its
/// digital transactions, its satisfaction answers by point, and its cost.
pub struct Inputs<'a> {
    pub period: &'a Period,
    pub service_id: &'a str,
    pub time_zone: Tz,
    pub cells: &'a [&'a Cell],
    pub digital_transactions: u64,
    pub satisfaction_points: [u64; 5],
    pub cost: Option<f64>,
}

/// The satisfaction score from answer counts per point; None without answers.
pub fn satisfaction_score(points: &[u64; 5]) -> Option<f64> {
    let total: u64 = points.iter().sum();
    (total > 0).then(|| {
        let sum: u64 = points.iter().zip(1..).map(|(n, p)| n * p).sum();
        (sum as f64 / total as f64 - 1.0) / 4.0
    })
}

/// `day`'s local midnight in `zone` as RFC 3339 with the zone's offset then.
fn local_midnight_text(day: chrono::NaiveDate, zone: Tz) -> String {
    local_midnight(day, zone)
        .with_timezone(&zone)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The record; `None` when the period is not one of the Platform's ([`PERIODS`]).
pub fn record(inputs: &Inputs<'_>) -> Option<Record> {
    let period = platform_period(&inputs.period.label)?;
    // A cell the matrix marks not available has no value to publish, whatever it holds.
    let value = |name: &str| {
        inputs
            .cells
            .iter()
            .find(|c| c.dimension == name && c.status != MatrixStatus::NotAvailable)
            .and_then(|c| c.value)
    };
    let transactions = inputs
        .cells
        .iter()
        .find(|c| c.dimension == "transactions")
        .and_then(|c| c.value)
        .unwrap_or(0.0)
        .round() as u64;
    let points = inputs.satisfaction_points;
    let (from, to) = (inputs.period.from, inputs.period.to);
    Some(Record {
        _id: format!("{from}_{to}_{}", inputs.service_id),
        _timestamp: local_midnight_text(from, inputs.time_zone),
        end_at: local_midnight_text(to, inputs.time_zone),
        period,
        service_id: inputs.service_id.to_string(),
        number_of_transactions: transactions,
        // A service with no digital channel has no digital take-up: both are null.
        number_of_digital_transactions: inputs
            .cells
            .iter()
            .any(|c| c.dimension == "digital_take_up" && c.status != MatrixStatus::NotAvailable)
            .then_some(inputs.digital_transactions),
        digital_takeup: value("digital_take_up"),
        completion_rate: value("completion_rate"),
        rating_1: points[0],
        rating_2: points[1],
        rating_3: points[2],
        rating_4: points[3],
        rating_5: points[4],
        num_responses: points.iter().sum(),
        score: satisfaction_score(&points),
        total_cost: inputs.cost,
        cost_per_transaction: value("cost_per_transaction"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(text: &str) -> Period {
        Period::parse(text, civicpulse_core::fiscal_year::FiscalYearStart::APRIL).unwrap()
    }

    fn record_of(text: &str, zone: Tz) -> Record {
        record(&Inputs {
            period: &period(text),
            service_id: "s",
            time_zone: zone,
            cells: &[],
            digital_transactions: 0,
            satisfaction_points: [0, 0, 0, 1, 3],
            cost: None,
        })
        .unwrap()
    }

    #[test]
    fn periods_are_the_platforms_and_local_days_only_a_day_or_a_week() {
        let name = |text: &str| platform_period(&period(text).label);
        assert_eq!(name("2026-09"), Some("month"));
        assert_eq!(name("2026-Q3"), Some("quarter"));
        assert_eq!(name("2026-2027-Q2"), Some("quarter"));
        assert_eq!(name("2026"), Some("year"));
        assert_eq!(name("FY2027"), Some("year"));
        assert_eq!(name("2026-09-14..2026-09-15"), Some("day"));
        // 14 September 2026 is a Monday.
        assert_eq!(name("2026-09-14..2026-09-21"), Some("week"));
        assert_eq!(name("2026-09-15..2026-09-22"), None);
        assert_eq!(name("2026-09-01..2026-09-20"), None);
    }

    /// `_timestamp` and `end_at` are the local midnights in the service's zone, with the
    /// offset of each (a quarter across the change of time has two).
    #[test]
    fn the_period_is_stamped_in_the_services_zone_with_its_end() {
        let toronto = record_of("2026-Q4", chrono_tz::America::Toronto);
        assert_eq!(toronto._timestamp, "2026-10-01T00:00:00-04:00");
        assert_eq!(toronto.end_at, "2027-01-01T00:00:00-05:00");
        assert_eq!(toronto.period, "quarter");
        assert_eq!(toronto._id, "2026-10-01_2027-01-01_s");
        let london = record_of("2026-09", chrono_tz::Europe::London);
        assert_eq!(london._timestamp, "2026-09-01T00:00:00+01:00");
        assert_eq!(london.end_at, "2026-10-01T00:00:00+01:00");
        // A month and the quarter it opens are two records.
        assert_ne!(
            record_of("2026-07", chrono_tz::UTC)._id,
            record_of("2026-Q3", chrono_tz::UTC)._id
        );
        assert_eq!((london.num_responses, london.score), (4, Some(0.9375)));
    }

    #[test]
    fn the_satisfaction_score_maps_one_to_zero_and_five_to_one() {
        assert_eq!(satisfaction_score(&[0, 0, 0, 0, 0]), None);
        assert_eq!(satisfaction_score(&[4, 0, 0, 0, 0]), Some(0.0));
        assert_eq!(satisfaction_score(&[0, 0, 0, 0, 7]), Some(1.0));
        // Mean 3 → 0.5.
        assert_eq!(satisfaction_score(&[1, 0, 0, 0, 1]), Some(0.5));
    }
}
