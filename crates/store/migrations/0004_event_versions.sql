-- An event_id counts at most once, whatever else a re-send changes.
--
-- The raw tables deduplicate a re-sent event only within one sorting key and partition:
-- (service_id, day) for feedback, comments and offered, (service_id, case_ref, month) for
-- milestones. A re-send that changes one of those (a buggy case system re-sending with
-- another service or day) is a second row that FINAL keeps. Such a re-send is a correction:
-- the later version (by received_at) replaces the earlier everywhere figures are computed.
--
-- event_versions lists, per event_id, each stored version's raw key (`bucket` is the day
-- as YYYYMMDD, or the month as YYYYMM for milestones; case_ref is '' where the key has
-- none). Materialized views fill it from every insert into the raw tables: a replayed
-- insert only repeats a key, which the ReplacingMergeTree collapses. It is sorted by
-- event_id, so finding all versions of newly inserted ids is an index lookup.
--
-- superseded_events is what the aggregator decided from it (aggregator/src/supersede.rs):
-- one row per version of every event_id with more than one, superseded = 1 for all but
-- the latest. Readers exclude superseded versions; the rollups and SLA evaluation re-read
-- the days and cases a decision touched (by inserted_at).

CREATE TABLE IF NOT EXISTS event_versions
(
    kind String,
    event_id UUID,
    service_id String,
    case_ref String,
    bucket UInt32,
    occurred_at DateTime,
    received_at DateTime,
    inserted_at DateTime DEFAULT now()
)
ENGINE = ReplacingMergeTree(received_at)
ORDER BY (event_id, kind, service_id, case_ref, bucket);

CREATE MATERIALIZED VIEW IF NOT EXISTS event_versions_feedback TO event_versions AS
SELECT 'feedback' AS kind, event_id, service_id, '' AS case_ref, toYYYYMMDD(occurred_at) AS bucket,
    occurred_at, received_at, now() AS inserted_at
FROM feedback;

CREATE MATERIALIZED VIEW IF NOT EXISTS event_versions_offered TO event_versions AS
SELECT 'offered' AS kind, event_id, service_id, '' AS case_ref, toYYYYMMDD(occurred_at) AS bucket,
    occurred_at, received_at, now() AS inserted_at
FROM offered;

CREATE MATERIALIZED VIEW IF NOT EXISTS event_versions_milestone TO event_versions AS
SELECT 'milestone' AS kind, event_id, service_id, case_ref, toYYYYMM(occurred_at) AS bucket,
    occurred_at, received_at, now() AS inserted_at
FROM milestones;

-- Events stored before this migration (re-running it only repeats keys).
INSERT INTO event_versions (kind, event_id, service_id, case_ref, bucket, occurred_at, received_at)
SELECT 'feedback', event_id, service_id, '', toYYYYMMDD(occurred_at), occurred_at, received_at FROM feedback;

INSERT INTO event_versions (kind, event_id, service_id, case_ref, bucket, occurred_at, received_at)
SELECT 'offered', event_id, service_id, '', toYYYYMMDD(occurred_at), occurred_at, received_at FROM offered;

INSERT INTO event_versions (kind, event_id, service_id, case_ref, bucket, occurred_at, received_at)
SELECT 'milestone', event_id, service_id, case_ref, toYYYYMM(occurred_at), occurred_at, received_at FROM milestones;

CREATE TABLE IF NOT EXISTS superseded_events
(
    kind String,
    event_id UUID,
    service_id String,
    case_ref String,
    bucket UInt32,
    occurred_at DateTime,
    superseded UInt8,
    decided_at DateTime,
    inserted_at DateTime DEFAULT now()
)
ENGINE = ReplacingMergeTree(decided_at)
ORDER BY (kind, service_id, event_id, case_ref, bucket);

-- Where the supersede step has read event_versions up to.
CREATE TABLE IF NOT EXISTS supersede_runs
(
    job String,
    watermark DateTime,
    written_at DateTime DEFAULT now()
)
ENGINE = ReplacingMergeTree(written_at)
ORDER BY job;
