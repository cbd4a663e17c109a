-- access_audit: every read of comment text and every erasure, as a privacy office audits
-- them (issue 25): when (UTC), which token (its configured name, never its secret), what
-- it did (`read_comments`, `erase`; a String so that a new action needs no ALTER), on
-- which endpoint, with which filter (the request's query in canonical form; for an
-- erasure the SHA-256 of the case reference, never the reference), how many rows it
-- returned or erased, and the request's id to find it in the logs.
-- Partitioned by month of `at`, so retention drops whole months (retention.access_audit).
CREATE TABLE IF NOT EXISTS access_audit
(
    at DateTime,
    token_id String,
    action String,
    endpoint String,
    filter String,
    rows UInt64,
    request_id String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (token_id, action, at);
