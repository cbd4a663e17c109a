-- report_runs: every attempt of a scheduled report, in one language, kept (a failed
-- attempt is a row too, so a retry and an alert can find it). A period and language
-- count as written when any attempt succeeded; the scheduler writes no second report
-- for them, across restarts.

CREATE TABLE IF NOT EXISTS report_runs
(
    period String,
    lang String,
    schedule String,
    attempt_at DateTime,
    status String,
    dir String,
    files Array(String),
    checksums Array(String),
    latest_event_stored DateTime,
    consumer_lag Int64,
    error String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(attempt_at)
ORDER BY (period, lang, attempt_at)
