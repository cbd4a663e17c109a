//! The four GOV.UK Service Standard KPIs (cost per transaction, user satisfaction,
//! completion rate, digital take-up) as flat records, one per service and period, in the
//! shape the GOV.UK Performance Platform took: `_id` (period start and service, so a
//! re-sent record replaces the earlier one), `_timestamp` (period start), `period`,
//! `service_id`, then the figures. A figure that cannot be given is `null`, never 0.

use civicpulse_analytics::matrix::{Cell, MatrixStatus};
use serde::Serialize;

/// One record; the field order is the published one.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = GovukKpiRecord)]
pub struct Record {
    pub _id: String,
    pub _timestamp: String,
    pub period: String,
    pub service_id: String,
    pub number_of_transactions: u64,
    pub number_of_digital_transactions: Option<u64>,
    pub digital_takeup: Option<f64>,
    pub completion_rate: Option<f64>,
    pub rating_1: u64,
    pub rating_2: u64,
    pub rating_3: u64,
    pub rating_4: u64,
    pub rating_5: u64,
    pub total: u64,
    /// (mean − 1) / 4 of the satisfaction answers: 0 is all "very dissatisfied", 1 all
    /// "very satisfied".
    pub satisfaction_score: Option<f64>,
    pub total_cost: Option<f64>,
    pub cost_per_transaction: Option<f64>,
}

/// What the record is built from: the matrix cells of the service and period, its
/// digital transactions, its satisfaction answers by point, and its cost.
pub struct Inputs<'a> {
    pub period_label: &'a str,
    pub period_start: &'a str,
    pub service_id: &'a str,
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

pub fn record(inputs: &Inputs<'_>) -> Record {
    let value = |name: &str| {
        inputs
            .cells
            .iter()
            .find(|c| c.dimension == name)
            .and_then(|c| c.value)
    };
    let transactions = value("transactions").unwrap_or(0.0).round() as u64;
    let digital_takeup = value("digital_take_up");
    let points = inputs.satisfaction_points;
    Record {
        _id: format!("{}_{}", inputs.period_start, inputs.service_id),
        _timestamp: format!("{}T00:00:00Z", inputs.period_start),
        period: inputs.period_label.to_string(),
        service_id: inputs.service_id.to_string(),
        number_of_transactions: transactions,
        // A service with no digital channel has no digital take-up: both are null.
        number_of_digital_transactions: inputs
            .cells
            .iter()
            .any(|c| c.dimension == "digital_take_up" && c.status != MatrixStatus::NotAvailable)
            .then_some(inputs.digital_transactions),
        digital_takeup,
        completion_rate: value("completion_rate"),
        rating_1: points[0],
        rating_2: points[1],
        rating_3: points[2],
        rating_4: points[3],
        rating_5: points[4],
        total: points.iter().sum(),
        satisfaction_score: satisfaction_score(&points),
        total_cost: inputs.cost,
        cost_per_transaction: value("cost_per_transaction"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_satisfaction_score_maps_one_to_zero_and_five_to_one() {
        assert_eq!(satisfaction_score(&[0, 0, 0, 0, 0]), None);
        assert_eq!(satisfaction_score(&[4, 0, 0, 0, 0]), Some(0.0));
        assert_eq!(satisfaction_score(&[0, 0, 0, 0, 7]), Some(1.0));
        // Mean 3 → 0.5.
        assert_eq!(satisfaction_score(&[1, 0, 0, 0, 1]), Some(0.5));
    }
}
