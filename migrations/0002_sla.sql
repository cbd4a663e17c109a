-- SLA evaluation results, one row per (service, policy, case), replaced by each newer
-- evaluation (read with FINAL). The API reads these instead of recomputing per request.
CREATE TABLE IF NOT EXISTS sla_cases
(
    service_id String,
    policy String,
    case_ref String,
    started_at Nullable(DateTime),
    stopped_at Nullable(DateTime),
    elapsed_days Int32,
    paused_days Int32,
    limit_days Int32,
    due_date Nullable(Date),
    status String,
    late_days Int32,
    refund_percent Float64,
    refund_amount Float64,
    currency String,
    anomalies String,
    evaluated_at DateTime
)
ENGINE = ReplacingMergeTree(evaluated_at)
ORDER BY (service_id, policy, case_ref);

-- One row per (service, policy): how far evaluation got (the server clock when the run
-- started: milestones inserted from then on are read next time) and the policy's fingerprint; a changed policy re-evaluates all cases.
CREATE TABLE IF NOT EXISTS sla_runs
(
    service_id String,
    policy String,
    fingerprint String,
    watermark DateTime,
    evaluated_cases UInt64,
    finished_at DateTime
)
ENGINE = ReplacingMergeTree(finished_at)
ORDER BY (service_id, policy);
