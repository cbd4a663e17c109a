//! Rollup and summary rows as tests write them by hand: the in-memory store's tables hold
//! these, so each test states only the figures it is about.

use civicpulse_store::tables::matrix_feedback_daily::AnswerSums;
use civicpulse_store::tables::sla_cases::SummaryRow;

/// `responses` answers to the satisfaction question on the local day `bucket` (days since
/// 1970-01-01) for the whole service, `satisfied` of them 5 and the rest 2, in the rollup's
/// layout `[responses, then n, sum, sum of squares, top-2 per question]`.
pub fn satisfaction(service: &str, bucket: u16, responses: u64, satisfied: u64) -> AnswerSums {
    let others = responses - satisfied;
    let mut sums = vec![0; 1 + 7 * 4];
    sums[..5].copy_from_slice(&[
        responses,
        responses,
        satisfied * 5 + others * 2,
        satisfied * 25 + others * 4,
        satisfied,
    ]);
    AnswerSums {
        service_id: service.into(),
        bucket,
        group_value: String::new(),
        sla_outcome: String::new(),
        sums,
    }
}

/// `met` of `met + breached` cases of `policy` closed in the window, all in its last 30
/// days; nothing open, owed, excused or anomalous, percentiles 0.
pub fn closed_summary(service: &str, policy: &str, met: u64, breached: u64) -> SummaryRow {
    SummaryRow {
        service_id: service.into(),
        policy: policy.into(),
        closed: met + breached,
        met,
        breached,
        p50: 0.0,
        p90: 0.0,
        open: 0,
        at_risk: 0,
        open_breached: 0,
        refunds_owed: 0,
        refunds_owed_ten_thousandths: 0,
        anomalies: 0,
        closed_1d: 0,
        breached_1d: 0,
        closed_7d: 0,
        breached_7d: 0,
        closed_30d: met + breached,
        breached_30d: breached,
        excused: 0,
    }
}
