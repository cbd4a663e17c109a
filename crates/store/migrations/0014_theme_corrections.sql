-- theme_corrections: analysts' corrections of what the themes model read in a comment (issue
-- 26), append-only, so the trail shows every change: which comment (and its service, case and
-- time, so the correction leaves with the comment), the themes and sentiment the reading had
-- before and the fingerprint of the model that read them, the themes and sentiment the analyst
-- set (an empty sentiment: not stated), an optional note, who (the token's configured name,
-- never its secret) and when. Each comment's latest correction is a training label
-- (`civicpulse themes labels`).
-- Keyed and partitioned as the comments it corrects, and kept as long as they are
-- (retention.comments_days); an erasure removes its rows by case reference like the
-- comment's own.
CREATE TABLE IF NOT EXISTS theme_corrections
(
    event_id UUID,
    service_id String,
    case_ref String,
    occurred_at DateTime,
    themes_before Array(String),
    sentiment_before String,
    model String,
    themes Array(String),
    sentiment String,
    note String,
    corrected_by String,
    corrected_at DateTime
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (service_id, event_id, corrected_at);
