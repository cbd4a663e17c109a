-- Raw events, one table per kind. Written by the sink, read by the aggregator.
--
-- Replays are normal (the sink is at-least-once): every table is a ReplacingMergeTree
-- whose sorting key ends with event_id, so a re-delivered event collapses into one row.
-- Readers count with FINAL (or argMax by event_id) to see each event once before merges.
-- Absent optional strings are stored as '' and absent ratings as NULL.
-- Partitioned by month of occurred_at, so old months are dropped with DROP PARTITION.
-- inserted_at is ClickHouse's clock when the row arrived (the sink does not send it):
-- incremental readers keep their watermark on it, since a lagging sink can store an event
-- long after the gateway's received_at.

CREATE TABLE IF NOT EXISTS feedback
(
    event_id UUID,
    service_id String,
    channel String,
    stage String,
    case_ref String,
    occurred_at DateTime,
    received_at DateTime,
    inserted_at DateTime DEFAULT now(),
    source String,
    satisfaction Nullable(UInt8),
    trust Nullable(UInt8),
    need_met Nullable(UInt8),
    ease Nullable(UInt8),
    time_reasonable Nullable(UInt8),
    fair Nullable(UInt8),
    helpful_staff Nullable(UInt8),
    helpful Nullable(UInt8),
    has_comment UInt8,
    age_band String,
    region String,
    language String,
    disability Nullable(UInt8)
)
ENGINE = ReplacingMergeTree(received_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (service_id, toDate(occurred_at), event_id);

-- Free-text comments (already scrubbed of personal data by the gateway) live apart from
-- the ratings so that retention can drop them by month without touching the scores.
CREATE TABLE IF NOT EXISTS feedback_comments
(
    event_id UUID,
    service_id String,
    channel String,
    case_ref String,
    occurred_at DateTime,
    received_at DateTime,
    inserted_at DateTime DEFAULT now(),
    comment String
)
ENGINE = ReplacingMergeTree(received_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (service_id, toDate(occurred_at), event_id);

-- Case milestones, ordered by case so that SLA evaluation reads a case's steps together.
CREATE TABLE IF NOT EXISTS milestones
(
    event_id UUID,
    service_id String,
    case_ref String,
    milestone String,
    channel String,
    region String,
    outcome String,
    occurred_at DateTime,
    received_at DateTime,
    inserted_at DateTime DEFAULT now(),
    source String
)
ENGINE = ReplacingMergeTree(received_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (service_id, case_ref, event_id);

-- Transactions served (and whether the survey was offered): volume and response-rate
-- denominators.
CREATE TABLE IF NOT EXISTS offered
(
    event_id UUID,
    service_id String,
    channel String,
    stage String,
    case_ref String,
    survey_offered UInt8,
    occurred_at DateTime,
    received_at DateTime,
    inserted_at DateTime DEFAULT now(),
    source String
)
ENGINE = ReplacingMergeTree(received_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (service_id, toDate(occurred_at), event_id);
