-- The order of an exception's declarations and withdrawals: a sequence that cannot tie,
-- in nanoseconds (`declared_at` holds whole seconds, so a withdrawal and a declaration
-- made within one second could not be told apart). Rows written before it count from
-- their `declared_at`.
ALTER TABLE sla_exceptions ADD COLUMN seq UInt64 DEFAULT toUInt64(declared_at) * 1000000000;
