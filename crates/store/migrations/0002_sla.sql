-- SLA evaluation results, one row per (service, policy, case), replaced by each later
-- write (read with FINAL). The API reads these instead of recomputing per request.
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
    -- The day the evaluation is as of (now, or `aggregate --as-of`).
    evaluated_at DateTime,
    -- When it was written: the newest write wins, whatever day it describes.
    written_at DateTime DEFAULT now()
)
ENGINE = ReplacingMergeTree(written_at)
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
    finished_at DateTime,
    written_at DateTime DEFAULT now()
)
ENGINE = ReplacingMergeTree(written_at)
ORDER BY (service_id, policy);
