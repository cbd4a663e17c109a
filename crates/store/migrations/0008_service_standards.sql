-- Service standards as governments write them (issue 15): service options, business-hours
-- limits, due moments, exceptional circumstances and the remission ledger.

-- The option a case was applied for (regular, express, urgent), '' when not given.
ALTER TABLE milestones ADD COLUMN service_option String;

-- What each case was judged by and what it is owed. `elapsed_days`, `paused_days`,
-- `limit_days` and `late_days` hold values in `unit` (days, or whole business hours or
-- minutes).
ALTER TABLE sla_cases ADD COLUMN service_option String;
ALTER TABLE sla_cases ADD COLUMN unit String DEFAULT 'business_days';
ALTER TABLE sla_cases ADD COLUMN due_at Nullable(DateTime);
ALTER TABLE sla_cases ADD COLUMN fee Float64;
ALTER TABLE sla_cases ADD COLUMN refund_tier UInt8;
-- Comma-separated ids of the exceptional circumstances that changed the result.
ALTER TABLE sla_cases ADD COLUMN exceptions String;
-- A closed late case's remission: owed, excused, paid or cancelled ('' otherwise), the
-- fiscal year it belongs to (the year it starts in) and when it must be paid.
ALTER TABLE sla_cases ADD COLUMN remission String;
ALTER TABLE sla_cases ADD COLUMN fiscal_year UInt16;
ALTER TABLE sla_cases ADD COLUMN payment_due Nullable(Date);

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
