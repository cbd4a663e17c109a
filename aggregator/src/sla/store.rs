//! Rows of `sla_cases` and `sla_runs`, in the tables' column order.

use chrono::{DateTime, NaiveDate, Utc};
use clickhouse::Row;
use serde::{Deserialize, Serialize};

use super::rules::Evaluation;

#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct SlaCaseRow {
    pub service_id: String,
    pub policy: String,
    pub case_ref: String,
    #[serde(with = "clickhouse::serde::chrono::datetime::option")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(with = "clickhouse::serde::chrono::datetime::option")]
    pub stopped_at: Option<DateTime<Utc>>,
    pub elapsed_days: i32,
    pub paused_days: i32,
    pub limit_days: i32,
    #[serde(with = "clickhouse::serde::chrono::date::option")]
    pub due_date: Option<NaiveDate>,
    pub status: String,
    pub late_days: i32,
    pub refund_percent: f64,
    pub refund_amount: f64,
    pub currency: String,
    /// Comma-separated anomaly names, empty when none.
    pub anomalies: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub evaluated_at: DateTime<Utc>,
    /// Channel and region of the case's earliest milestone.
    pub channel: String,
    pub region: String,
}

impl SlaCaseRow {
    pub fn new(
        service_id: &str,
        policy: &str,
        currency: &str,
        case_ref: String,
        evaluation: &Evaluation,
        evaluated_at: DateTime<Utc>,
    ) -> Self {
        let narrow = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
        SlaCaseRow {
            service_id: service_id.to_string(),
            policy: policy.to_string(),
            case_ref,
            started_at: evaluation.started_at,
            stopped_at: evaluation.stopped_at,
            elapsed_days: narrow(evaluation.elapsed_days),
            paused_days: narrow(evaluation.paused_days),
            limit_days: narrow(evaluation.limit),
            due_date: evaluation.due_date,
            status: evaluation.status.as_str().to_string(),
            late_days: narrow(evaluation.late_days),
            refund_percent: evaluation.refund_percent,
            refund_amount: evaluation.refund_amount,
            currency: currency.to_string(),
            anomalies: evaluation
                .anomalies
                .iter()
                .map(|&a| <&'static str>::from(a))
                .collect::<Vec<_>>()
                .join(","),
            evaluated_at,
            channel: String::new(),
            region: String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Row, Serialize, Deserialize)]
pub struct SlaRunRow {
    pub service_id: String,
    pub policy: String,
    pub fingerprint: String,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub watermark: DateTime<Utc>,
    pub evaluated_cases: u64,
    #[serde(with = "clickhouse::serde::chrono::datetime")]
    pub finished_at: DateTime<Utc>,
}
