//! Erasing one case on request: every stored row of the case leaves every table, the
//! figures it counted in are recomputed without it, and the request is kept in the access
//! audit under the SHA-256 of the case reference.
//!
//! What is removed: the case's responses, comments (with what the themes model read in
//! them and analysts' corrections of it), transactions and milestones (by `case_ref`),
//! their versions and supersede decisions (by the events' ids, since versions of responses
//! and transactions carry no case reference), its evaluations in `sla_cases`, and its rows
//! of the change log. The days those rows counted on are then logged again,
//! with no case reference, so the next aggregator run recomputes the rollups of those days
//! (and the snapshots of the current periods) as the incremental jobs always do.
//!
//! Why the audit keeps a digest, not the reference: the audit is kept for years and is
//! itself a table the erasure must leave without a trace; a digest still lets a privacy
//! office confirm that the request for a reference it holds was carried out (hash it and
//! compare). A reference drawn from a small space can be found again by hashing every
//! candidate; the digest hides it from a casual reader, not from a determined one.
//!
//! Why no statement names the reference: a statement's text outlives the rows it removes —
//! in `system.mutations` and the mutation's file beside the parts, in the `ON CLUSTER`
//! queue in ZooKeeper, in the server's log and, when statements are logged, in
//! `system.query_log`. Every statement of an erasure therefore selects the case by
//! `lower(hex(SHA256(case_ref)))`, compared with the digest computed here, so what they
//! keep is what the audit keeps. ClickHouse hashes every row it reads to compare; an
//! erasure is rare and its delete rewrites the parts anyway.

use chrono::DateTime;
use clickhouse::Row;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::checkpoint::server_clock;
use crate::mutation::Mutator;
use crate::tables::access_audit::{AuditAction, AuditEntry};
use crate::tables::change_log::{self, ChangeRow};
use crate::tables::{
    comment_readings, event_versions, feedback, feedback_comments, insert_all, milestones, offered,
    sla_cases, superseded_events, theme_corrections, Table,
};
use crate::StoreError;

/// An erasure as requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureRequest {
    pub case_ref: String,
    /// Only this service's case of that reference; None: the reference in every service.
    pub service_id: Option<String>,
    /// Who asked: the admin token's name, or `--requested-by` on the command line.
    pub requested_by: String,
    /// Where it was asked (`/api/v1/erasures`, `cli`), for the audit.
    pub endpoint: String,
    pub request_id: String,
}

/// What an erasure removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureReport {
    /// The hex SHA-256 of the case reference, as the audit stores it.
    pub case_digest: String,
    /// Rows removed per table, every table the erasure looks in (0s included).
    pub tables: Vec<(&'static str, u64)>,
    /// Days logged again for the aggregator to recompute.
    pub days_to_recompute: usize,
}

impl ErasureReport {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, rows)| rows).sum()
    }
}

/// The hex SHA-256 of a case reference: what the audit keeps of an erasure.
pub fn case_digest(case_ref: &str) -> String {
    hex::encode(Sha256::digest(case_ref.as_bytes()))
}

/// The tables holding rows of a case, in the order they are erased: raw rows first, so a
/// concurrent SLA evaluation finds no milestone to evaluate the case again from.
const TABLES: [&Table; 10] = [
    &milestones::TABLE,
    &feedback::TABLE,
    &feedback_comments::TABLE,
    &comment_readings::TABLE,
    &theme_corrections::TABLE,
    &offered::TABLE,
    &event_versions::TABLE,
    &superseded_events::TABLE,
    &sla_cases::TABLE,
    &change_log::TABLE,
];

/// Tables whose rows of the case are found by event id as well (their responses' and
/// transactions' rows carry no case reference).
fn by_event_id(table: &Table) -> bool {
    table.name == event_versions::NAME || table.name == superseded_events::NAME
}

/// The case's rows by the digest of their reference, never the reference itself (hex
/// digits only, so safe to inline).
fn of_digest(digest: &str) -> String {
    debug_assert!(digest.bytes().all(|b| b.is_ascii_hexdigit()));
    format!("lower(hex(SHA256(case_ref))) = '{digest}'")
}

/// The condition selecting the case's rows of `table`, and its binds.
fn condition(
    table: &Table,
    request: &ErasureRequest,
    event_ids: &[String],
) -> (String, Vec<String>) {
    let mut sql = of_digest(&case_digest(&request.case_ref));
    let mut binds = Vec::new();
    if let Some(service) = &request.service_id {
        sql.push_str(" AND service_id = ?");
        binds.push(service.clone());
    }
    if by_event_id(table) && !event_ids.is_empty() {
        // Bound as a literal array: `['…', '…']`.
        let ids: Vec<String> = event_ids.iter().map(|id| format!("'{id}'")).collect();
        sql = format!("({sql}) OR has([{}], toString(event_id))", ids.join(", "));
    }
    (sql, binds)
}

#[derive(Debug, Row, Deserialize)]
struct Change {
    source: String,
    service_id: String,
    policy: String,
    occurred_at: u32,
}

/// Erases every stored row of the case, logs its days for recomputation and records the
/// request in the audit.
pub async fn erase_case(
    mutator: &Mutator,
    request: &ErasureRequest,
) -> Result<ErasureReport, StoreError> {
    // An empty reference would match every response given without one.
    if request.case_ref.trim().is_empty() {
        return Err(StoreError::Invalid(
            "an erasure needs a case reference".into(),
        ));
    }
    let client = mutator.client();
    let service = request.service_id.clone().unwrap_or_default();
    let of_case = format!(
        "{} AND (? = '' OR service_id = ?)",
        of_digest(&case_digest(&request.case_ref))
    );
    let bind_case = |query: clickhouse::query::Query| query.bind(&service).bind(&service);
    // Ids only from tables holding the case's events; UUIDs, so safe to inline.
    let mut event_ids: Vec<String> =
        bind_case(bind_case(bind_case(bind_case(client.query(&format!(
            "SELECT DISTINCT toString(event_id) FROM ( \
               SELECT event_id FROM {milestones} WHERE {of_case} \
               UNION ALL SELECT event_id FROM {feedback} WHERE {of_case} \
               UNION ALL SELECT event_id FROM {comments} WHERE {of_case} \
               UNION ALL SELECT event_id FROM {offered} WHERE {of_case})",
            milestones = milestones::NAME,
            feedback = feedback::NAME,
            comments = feedback_comments::NAME,
            offered = offered::NAME,
        ))))))
        .fetch_all()
        .await?;
    event_ids.retain(|id| uuid::Uuid::parse_str(id).is_ok());
    // The days the case counted on, read before its rows go.
    let changes: Vec<Change> = bind_case(bind_case(bind_case(bind_case(client.query(
        &format!(
            "SELECT DISTINCT source, service_id, policy, occurred_at FROM ( \
               SELECT '{milestones}' AS source, service_id, '' AS policy, toUInt32(occurred_at) AS occurred_at \
                 FROM {milestones} WHERE {of_case} \
               UNION ALL SELECT '{feedback}' AS source, service_id, '' AS policy, toUInt32(occurred_at) AS occurred_at \
                 FROM {feedback} WHERE {of_case} \
               UNION ALL SELECT '{offered}' AS source, service_id, '' AS policy, toUInt32(occurred_at) AS occurred_at \
                 FROM {offered} WHERE {of_case} \
               UNION ALL SELECT '{sla_cases}' AS source, service_id, policy, toUInt32(assumeNotNull(stopped_at)) AS occurred_at \
                 FROM {sla_cases} WHERE {of_case} AND isNotNull(stopped_at))",
            milestones = milestones::NAME,
            feedback = feedback::NAME,
            offered = offered::NAME,
            sla_cases = sla_cases::NAME,
        ),
    )))))
    .fetch_all()
    .await?;

    let mut tables = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let (condition, binds) = condition(table, request, &event_ids);
        let rows = count(client, table, &condition, &binds).await?;
        if rows > 0 {
            mutator.delete_where(table, &condition, &binds).await?;
        }
        tables.push((table.name, rows));
    }
    // A run of the aggregator that read the case's milestones before they went may have
    // written its evaluation again meanwhile: erase what is left once more, then require none.
    for table in TABLES {
        let (condition, binds) = condition(table, request, &event_ids);
        if count(client, table, &condition, &binds).await? > 0 {
            mutator.delete_where(table, &condition, &binds).await?;
            if count(client, table, &condition, &binds).await? > 0 {
                return Err(StoreError::Unavailable(format!(
                    "rows of the case are still in `{}` after the erasure",
                    table.name
                )));
            }
        }
    }

    let now = server_clock(client).await?;
    let stamp = |seconds: u32| DateTime::from_timestamp(i64::from(seconds), 0).unwrap_or_default();
    let logged: Vec<ChangeRow> = changes
        .iter()
        .map(|c| ChangeRow {
            source: c.source.clone(),
            service_id: c.service_id.clone(),
            policy: c.policy.clone(),
            case_ref: String::new(),
            occurred_at: stamp(c.occurred_at),
            inserted_at: stamp(now),
        })
        .collect();
    if !logged.is_empty() {
        insert_all(client, &logged, None).await?;
    }

    let report = ErasureReport {
        case_digest: case_digest(&request.case_ref),
        tables,
        days_to_recompute: logged.len(),
    };
    let mut filter = format!("case_ref_sha256={}", report.case_digest);
    if let Some(service) = &request.service_id {
        filter.push_str(&format!("&service_id={service}"));
    }
    let entry = AuditEntry {
        at: stamp(now),
        token_id: request.requested_by.clone(),
        action: AuditAction::Erase,
        endpoint: request.endpoint.clone(),
        filter,
        rows: report.rows(),
        request_id: request.request_id.clone(),
    };
    insert_all(client, std::slice::from_ref(&entry), None).await?;
    tracing::info!(
        case_sha256 = %report.case_digest,
        rows = report.rows(),
        days = report.days_to_recompute,
        requested_by = %request.requested_by,
        "case erased"
    );
    Ok(report)
}

async fn count(
    client: &clickhouse::Client,
    table: &Table,
    condition: &str,
    binds: &[String],
) -> Result<u64, clickhouse::error::Error> {
    let mut query = client.query(&format!(
        "SELECT count() FROM {} WHERE {condition}",
        table.name
    ));
    for bind in binds {
        query = query.bind(bind);
    }
    query.fetch_one().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(service: Option<&str>) -> ErasureRequest {
        ErasureRequest {
            case_ref: "PA-2026-000123".into(),
            service_id: service.map(str::to_string),
            requested_by: "privacy-office".into(),
            endpoint: "cli".into(),
            request_id: "r1".into(),
        }
    }

    #[test]
    fn versions_are_found_by_event_id_as_well_as_by_case() {
        let ids = vec!["6f1c1b36-8f4e-4f57-9f0e-0a1b2c3d4e5f".to_string()];
        let digest = case_digest("PA-2026-000123");
        let (raw, binds) = condition(&feedback::TABLE, &request(None), &ids);
        assert_eq!(raw, format!("lower(hex(SHA256(case_ref))) = '{digest}'"));
        assert!(binds.is_empty());
        let (versions, binds) = condition(&event_versions::TABLE, &request(Some("passport")), &ids);
        assert_eq!(
            versions,
            format!("(lower(hex(SHA256(case_ref))) = '{digest}' AND service_id = ?) OR has(['6f1c1b36-8f4e-4f57-9f0e-0a1b2c3d4e5f'], toString(event_id))")
        );
        assert_eq!(binds, ["passport"]);
    }

    #[test]
    fn no_statement_names_the_reference() {
        for table in TABLES {
            let (sql, binds) = condition(table, &request(Some("passport")), &[]);
            assert!(!sql.contains("PA-2026"), "{sql}");
            assert!(binds.iter().all(|b| !b.contains("PA-2026")), "{binds:?}");
        }
    }

    #[test]
    fn the_audit_keeps_a_digest_not_the_reference() {
        let digest = case_digest("PA-2026-000123");
        assert_eq!(digest.len(), 64);
        assert!(!digest.contains("PA-2026"));
        assert_ne!(digest, case_digest("PA-2026-000124"));
    }
}
