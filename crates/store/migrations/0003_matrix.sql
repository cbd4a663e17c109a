-- The quality matrix reads daily rollups, never raw events, so a matrix costs services × days
-- × groups whatever the traffic.
--
-- Why tables the aggregator fills rather than materialized views: the sink is at-least-once,
-- and a materialized view would count a re-delivered event twice. The aggregator recomputes
-- whole (service, day) slices from the deduplicated raw tables (FINAL) whenever rows arrive
-- for them, and each rollup is a ReplacingMergeTree keyed by the slice's groups, so the
-- newest computation of a key wins (read with FINAL). A key that disappears from a slice
-- (a response whose case moved from open to met) is overwritten with zeros.
--
-- Days are local to the service's time zone. group_kind is `all` (the service as a whole),
-- `channel`, `region`, `age_band`, `disability` or `language`; group_value is the group
-- ('' = not declared). sla_outcome links a response to its case's closed SLA status
-- (`met`, `breached`, or '' while open or unlinked).

-- The case's channel and region, so that timeliness breaks down like everything else.
ALTER TABLE sla_cases ADD COLUMN channel String;
ALTER TABLE sla_cases ADD COLUMN region String;

CREATE TABLE IF NOT EXISTS matrix_feedback_daily
(
    service_id String,
    day Date,
    group_kind String,
    group_value String,
    sla_outcome String,
    responses UInt64,
    -- Per question: answers, their sum and sum of squares (mean and its interval), and
    -- answers of 4 or 5 (the top-two-box share).
    satisfaction_n UInt64, satisfaction_sum UInt64, satisfaction_sumsq UInt64, satisfaction_top2 UInt64,
    trust_n UInt64, trust_sum UInt64, trust_sumsq UInt64, trust_top2 UInt64,
    need_met_n UInt64, need_met_sum UInt64, need_met_sumsq UInt64, need_met_top2 UInt64,
    ease_n UInt64, ease_sum UInt64, ease_sumsq UInt64, ease_top2 UInt64,
    time_reasonable_n UInt64, time_reasonable_sum UInt64, time_reasonable_sumsq UInt64, time_reasonable_top2 UInt64,
    fair_n UInt64, fair_sum UInt64, fair_sumsq UInt64, fair_top2 UInt64,
    helpful_staff_n UInt64, helpful_staff_sum UInt64, helpful_staff_sumsq UInt64, helpful_staff_top2 UInt64,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(day)
ORDER BY (service_id, day, group_kind, group_value, sla_outcome);

-- Transactions served (offered events) and case flow (milestones) per day.
CREATE TABLE IF NOT EXISTS matrix_activity_daily
(
    service_id String,
    day Date,
    group_kind String,
    group_value String,
    transactions UInt64,
    surveys_offered UInt64,
    digital_transactions UInt64,
    cases_received UInt64,
    cases_decided UInt64,
    decisions_error_or_rework UInt64,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(day)
ORDER BY (service_id, day, group_kind, group_value);

-- Closed SLA cases by the local day they stopped, as a histogram of elapsed days (so the
-- p90 is exact: elapsed days are whole numbers).
CREATE TABLE IF NOT EXISTS matrix_sla_daily
(
    service_id String,
    day Date,
    group_kind String,
    group_value String,
    elapsed_days Int32,
    met UInt64,
    breached UInt64,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(day)
ORDER BY (service_id, day, group_kind, group_value, elapsed_days);

-- How far the rollups got per service, and a fingerprint of the catalog inputs (time zone,
-- SLA policy): a change rebuilds the service's rollups.
CREATE TABLE IF NOT EXISTS matrix_runs
(
    service_id String,
    fingerprint String,
    watermark DateTime,
    days_refreshed UInt64,
    finished_at DateTime,
    written_at DateTime DEFAULT now()
)
ENGINE = ReplacingMergeTree(written_at)
ORDER BY service_id;

-- The computed matrix of each period, one row per cell, for trends and reports.
CREATE TABLE IF NOT EXISTS matrix_snapshots
(
    period String,
    period_from Date,
    period_to Date,
    group_by String,
    service_id String,
    group_value String,
    dimension String,
    value Nullable(Float64),
    n UInt64,
    ci_low Nullable(Float64),
    ci_high Nullable(Float64),
    target Nullable(Float64),
    benchmark Nullable(Float64),
    previous_value Nullable(Float64),
    change Nullable(Float64),
    status String,
    note String,
    computed_at DateTime
)
ENGINE = ReplacingMergeTree(computed_at)
PARTITION BY toYYYYMM(period_from)
ORDER BY (period, group_by, service_id, group_value, dimension);
