-- comment_readings: what the themes model read in each comment (issue 26): its themes with
-- their scores and evidence (the matched phrases and their places in the scrubbed text), the
-- comment's language and sentiment, and the model's fingerprint, so comments are read again
-- when the model or the taxonomy changes. One row per comment and model; the newest
-- reading of a comment counts (ReplacingMergeTree on read_at).
-- Keyed and partitioned as the comments it reads, and kept as long as they are
-- (retention.comments_days); an erasure removes its rows by case reference like the
-- comment's own.
CREATE TABLE IF NOT EXISTS comment_readings
(
    event_id UUID,
    service_id String,
    case_ref String,
    occurred_at DateTime,
    language String,
    themes Array(String),
    scores Array(Float64),
    evidence String,
    sentiment String,
    sentiment_score Float64,
    model String,
    read_at DateTime
)
ENGINE = ReplacingMergeTree(read_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (service_id, event_id);
