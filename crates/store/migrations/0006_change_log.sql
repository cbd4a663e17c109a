-- The change log: one narrow row per raw row or closed case written, keyed by when
-- ClickHouse stored it. Incremental runs (SLA evaluation, matrix rollups) ask it what
-- changed since their watermark and read only its newest rows, instead of scanning the
-- `inserted_at` of whole tables: their cost follows the changes, not the table.
--
-- Materialized views write it beside each insert (on each shard, in cluster mode), so no
-- writer can forget it. A replay writes a second change row for the same key: harmless,
-- since re-evaluating a case or recomputing a day is idempotent.
--
-- source: the table written (`milestones`, `feedback`, `offered`, `sla_cases`).
-- policy: the standard of an `sla_cases` row, '' otherwise.
-- occurred_at: the row's own moment; for a closed case, when its clock stopped.
-- Partitioned by the month it was stored, so old months can be dropped (DROP PARTITION)
-- once every incremental job has passed them.
CREATE TABLE IF NOT EXISTS change_log
(
    source String,
    service_id String,
    policy String,
    case_ref String,
    occurred_at DateTime,
    inserted_at DateTime
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(inserted_at)
ORDER BY (service_id, source, inserted_at);

CREATE MATERIALIZED VIEW IF NOT EXISTS change_log_milestones TO change_log AS
SELECT 'milestones' AS source, service_id, '' AS policy, case_ref, occurred_at, now() AS inserted_at
FROM milestones;

CREATE MATERIALIZED VIEW IF NOT EXISTS change_log_feedback TO change_log AS
SELECT 'feedback' AS source, service_id, '' AS policy, case_ref, occurred_at, now() AS inserted_at
FROM feedback;

CREATE MATERIALIZED VIEW IF NOT EXISTS change_log_offered TO change_log AS
SELECT 'offered' AS source, service_id, '' AS policy, case_ref, occurred_at, now() AS inserted_at
FROM offered;

CREATE MATERIALIZED VIEW IF NOT EXISTS change_log_sla_cases TO change_log AS
SELECT 'sla_cases' AS source, service_id, policy, case_ref, assumeNotNull(stopped_at) AS occurred_at, now() AS inserted_at
FROM sla_cases WHERE isNotNull(stopped_at);

-- Rows stored before this migration, at the moment they were stored.
INSERT INTO change_log (source, service_id, policy, case_ref, occurred_at, inserted_at)
SELECT 'milestones', service_id, '', case_ref, occurred_at, inserted_at FROM milestones;

INSERT INTO change_log (source, service_id, policy, case_ref, occurred_at, inserted_at)
SELECT 'feedback', service_id, '', case_ref, occurred_at, inserted_at FROM feedback;

INSERT INTO change_log (source, service_id, policy, case_ref, occurred_at, inserted_at)
SELECT 'offered', service_id, '', case_ref, occurred_at, inserted_at FROM offered;

INSERT INTO change_log (source, service_id, policy, case_ref, occurred_at, inserted_at)
SELECT 'sla_cases', service_id, policy, case_ref, assumeNotNull(stopped_at), written_at FROM sla_cases
WHERE isNotNull(stopped_at);

-- The earliest milestone of each evaluated case: an incremental evaluation reads a changed
-- case's milestones from there on, so only the months the changed cases span are read
-- (the milestones are partitioned by month). 0 (rows written before this column) reads
-- every month.
ALTER TABLE sla_cases ADD COLUMN first_at DateTime DEFAULT toDateTime(0);

-- The day each SLA run was as of: the first run of a local day re-reads every open case
-- (its elapsed days grew); later runs that day read only the changed ones.
ALTER TABLE sla_runs ADD COLUMN as_of DateTime DEFAULT toDateTime(0);
