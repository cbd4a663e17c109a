//! The storage traits of `civicpulse_store::access` in memory: a test puts the rows each
//! query answers with into [`Tables`], and the handlers and pages under test read them
//! through the same traits as over ClickHouse.
//!
//! Append-only logs (exception changes, report runs, the access audit) behave as their tables do: what is
//! recorded is read back, in order. The aggregate queries (summaries, rollup sums, answer
//! counts) answer with the rows given, filtered by service, period and time as their SQL
//! filters them; the aggregation itself is SQL's and is tested on the real servers.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use civicpulse_store::days::DayRange;
use civicpulse_store::days::LocalDays;
use civicpulse_store::erasure::{case_digest, ErasureReport, ErasureRequest};
use civicpulse_store::tables::access_audit::{AuditAction, AuditEntry, AuditFilter};
use civicpulse_store::tables::comment_readings::{
    DailyMentions, DayMentions, MentionExamples, MentionKind, MentionWindow, ReadSince, ReadingRow,
    RespondentThemes, ThemeCount, ThemeWindow, Unclaimed,
};
use civicpulse_store::tables::feedback::AnswerCounts;
use civicpulse_store::tables::feedback_comments::{CommentFilter, CommentListed};
use civicpulse_store::tables::matrix_activity_daily::ActivitySums;
use civicpulse_store::tables::matrix_feedback_daily::{AnswerSums, SegmentSums};
use civicpulse_store::tables::matrix_sla_daily::ClosedCases;
use civicpulse_store::tables::matrix_snapshots::{SnapshotFilter, SnapshotRow};
use civicpulse_store::tables::offered::OfferVolumes;
use civicpulse_store::tables::report_runs::{ReportRunRow, FAILED, SUCCEEDED};
use civicpulse_store::tables::sla_cases::{
    CaseFilter, CaseListed, Completion, FellDue, QueuedRow, RemissionRow, SummaryRow, SummaryWindow,
};
use civicpulse_store::tables::sla_exceptions::ExceptionRow;
use civicpulse_store::tables::theme_corrections::{
    CorrectionFilter, CorrectionRow, CorrectionTarget,
};
use civicpulse_store::{
    AuditLog, CaseErasure, CorrectionStore, ExceptionStore, FeedbackStore, MatrixStore,
    ReportRunStore, SlaStore, StoreError,
};

/// A service's policy: the key of the per-policy queries.
pub type PolicyKey = (String, String);

/// What each query answers with.
#[derive(Debug, Default, Clone)]
pub struct Tables {
    pub summaries: Vec<SummaryRow>,
    pub cases: Vec<CaseListed>,
    pub remissions: Vec<RemissionRow>,
    pub queued: BTreeMap<PolicyKey, Vec<QueuedRow>>,
    pub fell_due: BTreeMap<PolicyKey, Vec<FellDue>>,
    pub completions: BTreeMap<PolicyKey, Vec<Completion>>,
    pub answer_sums: Vec<AnswerSums>,
    pub segment_sums: Vec<SegmentSums>,
    pub activity_sums: Vec<ActivitySums>,
    pub closed_cases: Vec<ClosedCases>,
    pub snapshots: Vec<SnapshotRow>,
    /// Per service.
    pub answer_counts: BTreeMap<String, Vec<AnswerCounts>>,
    /// Per service.
    pub offer_volumes: BTreeMap<String, Vec<OfferVolumes>>,
    /// Each comment with its newest reading; a recorded correction changes its reading.
    pub comments: Vec<CommentListed>,
    /// Per service and theme (no date filter, like the rollups here).
    pub theme_counts: Vec<ThemeCount>,
    pub unclaimed_comments: Vec<Unclaimed>,
    /// Respondents' themes and answers, each with the start of the local day they answered
    /// on, filtered by the window as the SQL filters `occurred_at`.
    pub respondent_themes: Vec<(DateTime<Utc>, RespondentThemes)>,
    /// Daily counts of themes, phrases and comments, filtered by service and day.
    pub mention_days: Vec<DayMentions>,
    pub read_since: Vec<ReadSince>,
    /// Comments with what their reading found, for the examples of emerging issues.
    pub read_comments: Vec<ReadComment>,
    pub newest_received_at: Option<DateTime<Utc>>,
    pub exception_changes: Vec<ExceptionRow>,
    pub report_runs: Vec<ReportRunRow>,
    pub audit_entries: Vec<AuditEntry>,
    /// The corrections trail, in the order recorded.
    pub corrections: Vec<CorrectionRow>,
    /// The analysts' readings recorded with the corrections, in that order.
    pub readings: Vec<ReadingRow>,
}

/// A comment with the themes and phrases its newest reading found.
#[derive(Debug, Clone)]
pub struct ReadComment {
    pub comment: CommentListed,
    pub themes: Vec<String>,
    pub phrases: Vec<String>,
}

/// The in-memory store. [`MemoryStore::set_unavailable`] makes every query fail, as a
/// database that stopped answering.
#[derive(Debug, Default)]
pub struct MemoryStore {
    tables: Mutex<Tables>,
    unavailable: AtomicBool,
    /// Only the audit refuses writes: a read that cannot be recorded.
    audit_unavailable: AtomicBool,
}

impl MemoryStore {
    pub fn new(tables: Tables) -> Self {
        MemoryStore {
            tables: Mutex::new(tables),
            unavailable: AtomicBool::new(false),
            audit_unavailable: AtomicBool::new(false),
        }
    }

    pub fn set_unavailable(&self, unavailable: bool) {
        self.unavailable.store(unavailable, Ordering::SeqCst);
    }

    /// Makes only writes to the access audit fail, as an audit table that refuses inserts.
    pub fn set_audit_unavailable(&self, unavailable: bool) {
        self.audit_unavailable.store(unavailable, Ordering::SeqCst);
    }

    /// Changes the tables in place, as later writes would (late events arriving), keeping
    /// what was recorded.
    pub fn edit(&self, f: impl FnOnce(&mut Tables)) {
        f(&mut self.tables.lock().expect("not poisoned"));
    }

    /// A copy of the tables as they are now (what was recorded included).
    pub fn tables(&self) -> Tables {
        self.tables.lock().expect("not poisoned").clone()
    }

    fn read<T>(&self, f: impl FnOnce(&mut Tables) -> T) -> Result<T, StoreError> {
        if self.unavailable.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable(
                "the in-memory store is switched off".into(),
            ));
        }
        Ok(f(&mut self.tables.lock().expect("not poisoned")))
    }
}

fn in_services(services: Option<&[String]>, service_id: &str) -> bool {
    services.is_none_or(|s| s.iter().any(|id| id == service_id))
}

/// A store filter's services: empty matches every service.
fn any_or_listed(services: &[String], service_id: &str) -> bool {
    services.is_empty() || services.iter().any(|id| id == service_id)
}

fn epoch_seconds(t: DateTime<Utc>) -> u32 {
    u32::try_from(t.timestamp()).unwrap_or(0)
}

#[async_trait]
impl SlaStore for MemoryStore {
    async fn summary(&self, window: &SummaryWindow<'_>) -> Result<Vec<SummaryRow>, StoreError> {
        self.read(|t| {
            t.summaries
                .iter()
                .filter(|r| window.service_id.is_none_or(|id| id == r.service_id))
                .cloned()
                .collect()
        })
    }

    async fn cases(&self, filter: &CaseFilter) -> Result<Vec<CaseListed>, StoreError> {
        self.read(|t| {
            let (from, before) = (
                filter.started_from.map(epoch_seconds),
                filter.started_before.map(epoch_seconds),
            );
            t.cases
                .iter()
                .filter(|r| any_or_listed(&filter.services, &r.service_id))
                .filter(|r| filter.status.is_none_or(|s| s.as_str() == r.status))
                .filter(|r| from.is_none_or(|f| r.started_at >= f))
                .filter(|r| before.is_none_or(|b| r.started_at < b))
                .take(usize::try_from(filter.limit).unwrap_or(usize::MAX))
                .cloned()
                .collect()
        })
    }

    async fn remissions(
        &self,
        service_id: Option<&str>,
        fiscal_year: Option<u16>,
    ) -> Result<Vec<RemissionRow>, StoreError> {
        self.read(|t| {
            t.remissions
                .iter()
                .filter(|r| service_id.is_none_or(|id| id == r.service_id))
                .filter(|r| fiscal_year.is_none_or(|y| y == r.fiscal_year))
                .cloned()
                .collect()
        })
    }

    async fn open_at(
        &self,
        service_id: &str,
        policy: &str,
        as_of: DateTime<Utc>,
    ) -> Result<Vec<QueuedRow>, StoreError> {
        self.read(|t| {
            t.queued
                .get(&(service_id.to_string(), policy.to_string()))
                .into_iter()
                .flatten()
                .filter(|r| r.started_at <= as_of)
                .cloned()
                .collect()
        })
    }

    async fn due_between(
        &self,
        service_id: &str,
        policy: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FellDue>, StoreError> {
        self.read(|t| {
            t.fell_due
                .get(&(service_id.to_string(), policy.to_string()))
                .into_iter()
                .flatten()
                .filter(|r| from <= r.due_date && r.due_date < to)
                .cloned()
                .collect()
        })
    }

    async fn completions(
        &self,
        service_id: &str,
        policy: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Completion>, StoreError> {
        self.read(|t| {
            t.completions
                .get(&(service_id.to_string(), policy.to_string()))
                .into_iter()
                .flatten()
                .filter(|r| from <= r.stopped_at && r.stopped_at < to)
                .cloned()
                .collect()
        })
    }
}

#[async_trait]
impl MatrixStore for MemoryStore {
    async fn answer_sums(&self, range: &DayRange<'_>) -> Result<Vec<AnswerSums>, StoreError> {
        self.read(|t| {
            t.answer_sums
                .iter()
                .filter(|r| in_services(range.services, &r.service_id))
                .cloned()
                .collect()
        })
    }

    async fn segment_sums(&self, range: &DayRange<'_>) -> Result<Vec<SegmentSums>, StoreError> {
        self.read(|t| {
            t.segment_sums
                .iter()
                .filter(|r| in_services(range.services, &r.service_id))
                .cloned()
                .collect()
        })
    }

    async fn activity_sums(&self, range: &DayRange<'_>) -> Result<Vec<ActivitySums>, StoreError> {
        self.read(|t| {
            t.activity_sums
                .iter()
                .filter(|r| in_services(range.services, &r.service_id))
                .cloned()
                .collect()
        })
    }

    async fn closed_cases(&self, range: &DayRange<'_>) -> Result<Vec<ClosedCases>, StoreError> {
        self.read(|t| {
            t.closed_cases
                .iter()
                .filter(|r| in_services(range.services, &r.service_id))
                .cloned()
                .collect()
        })
    }

    async fn snapshots(&self, filter: &SnapshotFilter<'_>) -> Result<Vec<SnapshotRow>, StoreError> {
        self.read(|t| {
            t.snapshots
                .iter()
                .filter(|r| filter.period.is_none_or(|p| p == r.period))
                .filter(|r| filter.service_id.is_none_or(|s| s == r.service_id))
                .filter(|r| filter.dimension.is_none_or(|d| d == r.dimension))
                .cloned()
                .collect()
        })
    }
}

#[async_trait]
impl FeedbackStore for MemoryStore {
    async fn answer_counts(&self, days: &LocalDays<'_>) -> Result<Vec<AnswerCounts>, StoreError> {
        self.read(|t| {
            t.answer_counts
                .get(days.service_id)
                .cloned()
                .unwrap_or_default()
        })
    }

    async fn offer_volumes(&self, days: &LocalDays<'_>) -> Result<Vec<OfferVolumes>, StoreError> {
        self.read(|t| {
            t.offer_volumes
                .get(days.service_id)
                .cloned()
                .unwrap_or_default()
        })
    }

    async fn comments(&self, filter: &CommentFilter<'_>) -> Result<Vec<CommentListed>, StoreError> {
        self.read(|t| {
            let mut rows: Vec<CommentListed> = t
                .comments
                .iter()
                .filter(|r| filter.admits(r))
                .cloned()
                .collect();
            rows.sort_by(CommentFilter::order);
            rows.truncate(usize::try_from(filter.limit).unwrap_or(usize::MAX));
            rows
        })
    }

    async fn theme_counts(&self, window: &ThemeWindow<'_>) -> Result<Vec<ThemeCount>, StoreError> {
        self.read(|t| {
            t.theme_counts
                .iter()
                .filter(|c| any_or_listed(window.services, &c.service_id))
                .cloned()
                .collect()
        })
    }

    async fn respondent_themes(
        &self,
        window: &ThemeWindow<'_>,
    ) -> Result<Vec<RespondentThemes>, StoreError> {
        self.read(|t| {
            let mut grouped: BTreeMap<(String, Vec<String>, Option<u8>, Option<u8>), u64> =
                BTreeMap::new();
            for (at, row) in &t.respondent_themes {
                if !any_or_listed(window.services, &row.service_id)
                    || *at < window.from
                    || *at >= window.to
                {
                    continue;
                }
                let mut themes = row.themes.clone();
                themes.sort();
                let key = (
                    row.service_id.clone(),
                    themes,
                    row.satisfaction,
                    row.helpful,
                );
                *grouped.entry(key).or_default() += row.respondents;
            }
            grouped
                .into_iter()
                .map(
                    |((service_id, themes, satisfaction, helpful), respondents)| RespondentThemes {
                        service_id,
                        themes,
                        satisfaction,
                        helpful,
                        respondents,
                    },
                )
                .collect()
        })
    }

    async fn unclaimed_comments(
        &self,
        window: &ThemeWindow<'_>,
        limit: u64,
    ) -> Result<Vec<Unclaimed>, StoreError> {
        let (from, to) = (epoch_seconds(window.from), epoch_seconds(window.to));
        self.read(|t| {
            let mut rows: Vec<Unclaimed> = t
                .unclaimed_comments
                .iter()
                .filter(|r| any_or_listed(window.services, &r.service_id))
                .filter(|r| from <= r.occurred_at && r.occurred_at < to)
                .cloned()
                .collect();
            rows.sort_by_key(|r| std::cmp::Reverse(r.occurred_at));
            rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            rows
        })
    }

    async fn daily_mentions(
        &self,
        window: &MentionWindow<'_>,
    ) -> Result<DailyMentions, StoreError> {
        self.read(|t| DailyMentions {
            days: t
                .mention_days
                .iter()
                .filter(|d| any_or_listed(window.services, &d.service_id))
                .filter(|d| window.from <= d.day && d.day < window.to)
                .cloned()
                .collect(),
            since: t
                .read_since
                .iter()
                .filter(|s| any_or_listed(window.services, &s.service_id))
                .cloned()
                .collect(),
        })
    }

    async fn mention_examples(
        &self,
        examples: &MentionExamples<'_>,
    ) -> Result<Vec<CommentListed>, StoreError> {
        let (from, to) = (epoch_seconds(examples.from), epoch_seconds(examples.to));
        self.read(|t| {
            let mut rows: Vec<CommentListed> = t
                .read_comments
                .iter()
                .filter(|r| r.comment.service_id == examples.service_id)
                .filter(|r| from <= r.comment.occurred_at && r.comment.occurred_at < to)
                .filter(|r| match examples.kind {
                    MentionKind::Theme => r.themes.iter().any(|k| k == examples.key),
                    MentionKind::Phrase => r.phrases.iter().any(|k| k == examples.key),
                    MentionKind::Comments => true,
                })
                .map(|r| r.comment.clone())
                .collect();
            rows.sort_by_key(|r| std::cmp::Reverse(r.occurred_at));
            rows.truncate(usize::try_from(examples.limit).unwrap_or(usize::MAX));
            rows
        })
    }

    async fn newest_received_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.read(|t| t.newest_received_at)
    }
}

#[async_trait]
impl ExceptionStore for MemoryStore {
    async fn exception_changes(&self) -> Result<Vec<ExceptionRow>, StoreError> {
        self.read(|t| {
            let mut rows = t.exception_changes.clone();
            rows.sort_by_key(|r| r.seq);
            rows
        })
    }

    async fn exception_history(&self, id: &str) -> Result<Vec<ExceptionRow>, StoreError> {
        let mut rows: Vec<ExceptionRow> = self.exception_changes().await?;
        rows.retain(|r| r.id == id);
        Ok(rows)
    }

    async fn record_exception_change(&self, row: &ExceptionRow) -> Result<(), StoreError> {
        self.read(|t| t.exception_changes.push(row.clone()))
    }
}

#[async_trait]
impl ReportRunStore for MemoryStore {
    async fn report_runs(&self, limit: u64) -> Result<Vec<ReportRunRow>, StoreError> {
        self.read(|t| {
            let mut rows = t.report_runs.clone();
            rows.sort_by(|a, b| {
                b.attempt_at
                    .cmp(&a.attempt_at)
                    .then_with(|| a.period.cmp(&b.period))
                    .then_with(|| a.lang.cmp(&b.lang))
            });
            rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            rows
        })
    }

    async fn reports_written(
        &self,
        periods: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        self.read(|t| {
            let mut written: Vec<(String, String)> = t
                .report_runs
                .iter()
                .filter(|r| r.status == SUCCEEDED && periods.contains(&r.period))
                .map(|r| (r.period.clone(), r.lang.clone()))
                .collect();
            written.sort();
            written.dedup();
            written
        })
    }

    async fn last_report_failure(
        &self,
        period: &str,
        lang: &str,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.read(|t| {
            t.report_runs
                .iter()
                .filter(|r| r.period == period && r.lang == lang && r.status == FAILED)
                .map(|r| r.attempt_at)
                .max()
        })
    }

    async fn report_succeeded(
        &self,
        period: &str,
        lang: &str,
    ) -> Result<Option<ReportRunRow>, StoreError> {
        self.read(|t| {
            t.report_runs
                .iter()
                .filter(|r| r.period == period && r.lang == lang && r.status == SUCCEEDED)
                .max_by_key(|r| (r.revision, r.attempt_at))
                .cloned()
        })
    }

    async fn report_revisions(
        &self,
        period: &str,
        lang: &str,
    ) -> Result<Vec<ReportRunRow>, StoreError> {
        self.read(|t| {
            let mut newest: BTreeMap<u32, ReportRunRow> = BTreeMap::new();
            for row in t
                .report_runs
                .iter()
                .filter(|r| r.period == period && r.lang == lang && r.status == SUCCEEDED)
            {
                let kept = newest.entry(row.revision).or_insert_with(|| row.clone());
                if row.attempt_at > kept.attempt_at {
                    *kept = row.clone();
                }
            }
            newest.into_values().collect()
        })
    }

    async fn record_report_run(&self, row: &ReportRunRow) -> Result<(), StoreError> {
        self.read(|t| t.report_runs.push(row.clone()))
    }
}

#[async_trait]
impl AuditLog for MemoryStore {
    async fn record_audit_entry(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        if self.audit_unavailable.load(Ordering::SeqCst) {
            return Err(StoreError::Unavailable(
                "the in-memory audit is switched off".into(),
            ));
        }
        self.read(|t| t.audit_entries.push(entry.clone()))
    }

    async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        self.read(|t| {
            let mut rows: Vec<AuditEntry> = t
                .audit_entries
                .iter()
                .filter(|e| filter.admits(e))
                .cloned()
                .collect();
            rows.sort_by(|a, b| {
                b.at.cmp(&a.at)
                    .then_with(|| a.token_id.cmp(&b.token_id))
                    .then_with(|| a.action.as_str().cmp(b.action.as_str()))
                    .then_with(|| a.request_id.cmp(&b.request_id))
            });
            rows.truncate(usize::try_from(filter.limit).unwrap_or(usize::MAX));
            rows
        })
    }

    async fn comments_read_since(
        &self,
        token_id: &str,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.read(|t| {
            t.audit_entries
                .iter()
                .filter(|e| {
                    e.token_id == token_id && e.action == AuditAction::ReadComments && e.at >= since
                })
                .map(|e| e.rows)
                .sum()
        })
    }
}

/// Corrections find their comment among the listed comments (which carry no case
/// reference), and a recorded one becomes that comment's reading, as the newest reading does
/// in ClickHouse.
#[async_trait]
impl CorrectionStore for MemoryStore {
    async fn correction_target(
        &self,
        event_id: uuid::Uuid,
    ) -> Result<Option<CorrectionTarget>, StoreError> {
        self.read(|t| {
            t.comments
                .iter()
                .find(|c| c.event_id == event_id)
                .map(|c| CorrectionTarget {
                    event_id,
                    service_id: c.service_id.clone(),
                    case_ref: String::new(),
                    occurred_at: DateTime::from_timestamp(i64::from(c.occurred_at), 0)
                        .unwrap_or_default(),
                    language: c.language.clone(),
                    themes: c.themes.clone(),
                    sentiment: c.sentiment.clone(),
                    sentiment_score: c.sentiment_score,
                    model: c.model.clone(),
                    phrases: Vec::new(),
                    phrase_texts: Vec::new(),
                })
        })
    }

    async fn record_correction(
        &self,
        correction: &CorrectionRow,
        reading: &ReadingRow,
    ) -> Result<(), StoreError> {
        self.read(|t| {
            t.corrections.push(correction.clone());
            t.readings.push(reading.clone());
            if let Some(comment) = t
                .comments
                .iter_mut()
                .find(|c| c.event_id == reading.event_id)
            {
                comment.language = reading.language.clone();
                comment.themes = reading.themes.clone();
                comment.scores = reading.scores.clone();
                comment.evidence = reading.evidence.clone();
                comment.sentiment = reading.sentiment.clone();
                comment.sentiment_score = reading.sentiment_score;
                comment.model = reading.model.clone();
            }
        })
    }

    async fn corrections(
        &self,
        filter: &CorrectionFilter<'_>,
    ) -> Result<Vec<CorrectionRow>, StoreError> {
        self.read(|t| {
            let mut rows: Vec<CorrectionRow> = t
                .corrections
                .iter()
                .filter(|c| filter.admits(c))
                .cloned()
                .collect();
            rows.sort_by(|a, b| {
                b.corrected_at
                    .cmp(&a.corrected_at)
                    .then_with(|| a.service_id.cmp(&b.service_id))
                    .then_with(|| a.event_id.to_string().cmp(&b.event_id.to_string()))
            });
            rows.truncate(usize::try_from(filter.limit).unwrap_or(usize::MAX));
            rows
        })
    }
}

/// The in-memory tables hold only the listed cases of a case: those go, and the request is
/// audited as over ClickHouse (the raw tables' erasure is tested on the real servers).
#[async_trait]
impl CaseErasure for MemoryStore {
    async fn erase_case(&self, request: &ErasureRequest) -> Result<ErasureReport, StoreError> {
        if request.case_ref.trim().is_empty() {
            return Err(StoreError::Invalid(
                "an erasure needs a case reference".into(),
            ));
        }
        let digest = case_digest(&request.case_ref);
        self.read(|t| {
            let before = t.cases.len();
            t.cases.retain(|c| {
                c.case_ref != request.case_ref
                    || request
                        .service_id
                        .as_ref()
                        .is_some_and(|s| *s != c.service_id)
            });
            let rows = (before - t.cases.len()) as u64;
            let mut filter = format!("case_ref_sha256={digest}");
            if let Some(service) = &request.service_id {
                filter.push_str(&format!("&service_id={service}"));
            }
            t.audit_entries.push(AuditEntry {
                at: Utc::now(),
                token_id: request.requested_by.clone(),
                action: AuditAction::Erase,
                endpoint: request.endpoint.clone(),
                filter,
                rows,
                request_id: request.request_id.clone(),
            });
            ErasureReport {
                case_digest: digest.clone(),
                tables: vec![(civicpulse_store::tables::sla_cases::NAME, rows)],
                days_to_recompute: 0,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(token: &str, action: AuditAction, at: i64, rows: u64) -> AuditEntry {
        AuditEntry {
            at: DateTime::from_timestamp(at, 0).unwrap(),
            token_id: token.into(),
            action,
            endpoint: "/api/v1/comments".into(),
            filter: String::new(),
            rows,
            request_id: format!("{token}-{at}"),
        }
    }

    #[tokio::test]
    async fn the_audit_lists_newest_first_and_sums_one_token_s_comment_reads() {
        let store = MemoryStore::default();
        for entry in [
            read("analyst", AuditAction::ReadComments, 100, 40),
            read("analyst", AuditAction::ReadComments, 300, 2),
            read("analyst", AuditAction::Erase, 400, 9),
            read("grafana", AuditAction::ReadComments, 200, 5),
        ] {
            store.record_audit_entry(&entry).await.unwrap();
        }
        let listed = store
            .audit_entries(&AuditFilter {
                limit: 2,
                ..AuditFilter::default()
            })
            .await
            .unwrap();
        let ids: Vec<&str> = listed.iter().map(|e| e.request_id.as_str()).collect();
        assert_eq!(ids, ["analyst-400", "analyst-300"]);
        // Erasures are not reads; reads before `since` are yesterday's.
        let since = DateTime::from_timestamp(100, 0).unwrap();
        assert_eq!(
            store.comments_read_since("analyst", since).await.unwrap(),
            42
        );
        let later = DateTime::from_timestamp(101, 0).unwrap();
        assert_eq!(
            store.comments_read_since("analyst", later).await.unwrap(),
            2
        );
    }
}
