-- Service standards as governments write them (issue 15): service options, business-hours
-- limits, due moments, exceptional circumstances and the remission ledger.

-- The option a case was applied for (regular, express, urgent), '' when not given.
ALTER TABLE milestones ADD COLUMN service_option String;

-- What each case was judged by and what it is owed. `elapsed_days`, `paused_days`,
-- `limit_days` and `late_days` hold values in `unit` (days, or whole business hours or
-- minutes).
-- One ALTER for all of them: on a cluster each ALTER is three distributed DDL tasks (the
-- local tables, then the Distributed table dropped and created again).
-- `exceptions`: comma-separated ids of the exceptional circumstances that changed the
-- result. `remission`: a closed late case's owed, excused, paid or cancelled ('' otherwise),
-- with the fiscal year it belongs to (the year it starts in) and when it must be paid.
ALTER TABLE sla_cases
    ADD COLUMN service_option String,
    ADD COLUMN unit String DEFAULT 'business_days',
    ADD COLUMN due_at Nullable(DateTime),
    ADD COLUMN fee Float64,
    ADD COLUMN refund_tier UInt8,
    ADD COLUMN exceptions String,
    ADD COLUMN remission String,
    ADD COLUMN fiscal_year UInt16,
    ADD COLUMN payment_due Nullable(Date);

-- Exceptional circumstances declared through the dashboard API, append-only: each
-- declaration or withdrawal is a row with who made it and when (the audit trail); the
-- latest row of an id is its current state.
CREATE TABLE IF NOT EXISTS sla_exceptions
(
    id String,
    services Array(String),
    from_at DateTime,
    to_at DateTime,
    reason String,
    effect String,
    withdrawn UInt8,
    declared_by String,
    declared_at DateTime
)
ENGINE = MergeTree
ORDER BY (id, declared_at);
