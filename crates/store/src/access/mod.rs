//! What readers may ask of storage, one trait per area, so that the dashboard API, the
//! reports and the analytics read queries work the same over ClickHouse ([`ClickHouseStore`])
//! and over the in-memory store the tests use (`civicpulse_testkit::memory`).
//!
//! Each method is one statement of a table module (`crate::tables`); the traits add no
//! rule of their own. [`Stores`] is every area at once, what a reader holds.

mod clickhouse;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::days::DayRange;
use crate::days::LocalDays;
use crate::erasure::{ErasureReport, ErasureRequest};
use crate::tables::access_audit::{AuditEntry, AuditFilter};
use crate::tables::comment_readings::{
    DailyMentions, MentionExamples, MentionWindow, ReadingRow, RespondentThemes, ThemeCount,
    ThemeWindow, Unclaimed,
};
use crate::tables::feedback::AnswerCounts;
use crate::tables::feedback_comments::{CommentFilter, CommentListed};
use crate::tables::matrix_activity_daily::ActivitySums;
use crate::tables::matrix_feedback_daily::{AnswerSums, SegmentSums};
use crate::tables::matrix_sla_daily::ClosedCases;
use crate::tables::matrix_snapshots::{SnapshotFilter, SnapshotRow};
use crate::tables::offered::OfferVolumes;
use crate::tables::report_runs::ReportRunRow;
use crate::tables::sla_cases::{
    CaseFilter, CaseListed, Completion, FellDue, QueuedRow, RemissionRow, SummaryRow, SummaryWindow,
};
use crate::tables::sla_exceptions::ExceptionRow;
use crate::tables::theme_corrections::{CorrectionFilter, CorrectionRow, CorrectionTarget};
use crate::StoreError;

pub use self::clickhouse::ClickHouseStore;

/// The evaluated cases of `sla_cases`.
#[async_trait]
pub trait SlaStore: Send + Sync {
    async fn summary(&self, window: &SummaryWindow<'_>) -> Result<Vec<SummaryRow>, StoreError>;
    async fn cases(&self, filter: &CaseFilter) -> Result<Vec<CaseListed>, StoreError>;
    async fn remissions(
        &self,
        service_id: Option<&str>,
        fiscal_year: Option<u16>,
    ) -> Result<Vec<RemissionRow>, StoreError>;
    async fn open_at(
        &self,
        service_id: &str,
        policy: &str,
        as_of: DateTime<Utc>,
    ) -> Result<Vec<QueuedRow>, StoreError>;
    async fn due_between(
        &self,
        service_id: &str,
        policy: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FellDue>, StoreError>;
    async fn completions(
        &self,
        service_id: &str,
        policy: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Completion>, StoreError>;
}

/// The matrix's daily rollups and its stored snapshots.
#[async_trait]
pub trait MatrixStore: Send + Sync {
    async fn answer_sums(&self, range: &DayRange<'_>) -> Result<Vec<AnswerSums>, StoreError>;
    async fn segment_sums(&self, range: &DayRange<'_>) -> Result<Vec<SegmentSums>, StoreError>;
    async fn activity_sums(&self, range: &DayRange<'_>) -> Result<Vec<ActivitySums>, StoreError>;
    async fn closed_cases(&self, range: &DayRange<'_>) -> Result<Vec<ClosedCases>, StoreError>;
    async fn snapshots(&self, filter: &SnapshotFilter<'_>) -> Result<Vec<SnapshotRow>, StoreError>;
}

/// The raw events as the exports and the comments view read them.
#[async_trait]
pub trait FeedbackStore: Send + Sync {
    async fn answer_counts(&self, days: &LocalDays<'_>) -> Result<Vec<AnswerCounts>, StoreError>;
    async fn offer_volumes(&self, days: &LocalDays<'_>) -> Result<Vec<OfferVolumes>, StoreError>;
    async fn comments(&self, filter: &CommentFilter<'_>) -> Result<Vec<CommentListed>, StoreError>;
    /// Per service and theme, the comments read and how many carry the theme.
    async fn theme_counts(&self, window: &ThemeWindow<'_>) -> Result<Vec<ThemeCount>, StoreError>;
    /// Respondents whose comment was read in the window, by service, themes and answers.
    async fn respondent_themes(
        &self,
        window: &ThemeWindow<'_>,
    ) -> Result<Vec<RespondentThemes>, StoreError>;
    /// The newest `limit` comments of the window that no theme claims.
    async fn unclaimed_comments(
        &self,
        window: &ThemeWindow<'_>,
        limit: u64,
    ) -> Result<Vec<Unclaimed>, StoreError>;
    /// Per service and local day, the comments carrying each theme and phrase, and in all
    /// (emerging issues), with since when each service has readings.
    async fn daily_mentions(&self, window: &MentionWindow<'_>)
        -> Result<DailyMentions, StoreError>;
    /// The newest comments carrying a theme or phrase in a window: examples to read.
    async fn mention_examples(
        &self,
        examples: &MentionExamples<'_>,
    ) -> Result<Vec<CommentListed>, StoreError>;
    /// When the newest raw event was received: the "data as of" a report states.
    async fn newest_received_at(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
}

/// Exceptional circumstances declared through the API: an append-only log of changes.
#[async_trait]
pub trait ExceptionStore: Send + Sync {
    /// Every change, oldest first.
    async fn exception_changes(&self) -> Result<Vec<ExceptionRow>, StoreError>;
    /// Every change of one id, oldest first.
    async fn exception_history(&self, id: &str) -> Result<Vec<ExceptionRow>, StoreError>;
    async fn record_exception_change(&self, row: &ExceptionRow) -> Result<(), StoreError>;
}

/// The reports written, and the attempts that failed.
#[async_trait]
pub trait ReportRunStore: Send + Sync {
    async fn report_runs(&self, limit: u64) -> Result<Vec<ReportRunRow>, StoreError>;
    /// The (period, language) pairs among `periods` written successfully.
    async fn reports_written(
        &self,
        periods: &[String],
    ) -> Result<Vec<(String, String)>, StoreError>;
    async fn last_report_failure(
        &self,
        period: &str,
        lang: &str,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// The latest revision written of (period, language), if any.
    async fn report_succeeded(
        &self,
        period: &str,
        lang: &str,
    ) -> Result<Option<ReportRunRow>, StoreError>;
    /// Every revision written of (period, language), oldest first, one row each.
    async fn report_revisions(
        &self,
        period: &str,
        lang: &str,
    ) -> Result<Vec<ReportRunRow>, StoreError>;
    async fn record_report_run(&self, row: &ReportRunRow) -> Result<(), StoreError>;
}

/// Who read comment text and who erased what (`access_audit`): written by the dashboard API
/// for each such request, read by a privacy office.
#[async_trait]
pub trait AuditLog: Send + Sync {
    async fn record_audit_entry(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// The entries `filter` admits, newest first, at most `filter.limit`.
    async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError>;
    /// Comments `token_id` was given since `since` (for a daily bulk-read limit).
    async fn comments_read_since(
        &self,
        token_id: &str,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
}

/// Analysts' corrections of what the themes model read (`theme_corrections`): the comment a
/// correction is about, the correction with the reading it stands for, and the trail.
#[async_trait]
pub trait CorrectionStore: Send + Sync {
    /// The live comment `event_id` with its newest reading; None when it is not stored
    /// (unknown, erased, expired, or replaced by a re-sent version).
    async fn correction_target(
        &self,
        event_id: uuid::Uuid,
    ) -> Result<Option<CorrectionTarget>, StoreError>;
    /// Records `correction` in the trail, then `reading` (the analyst's, which counts from
    /// then on): the trail first, so no reading changes without its trail.
    async fn record_correction(
        &self,
        correction: &CorrectionRow,
        reading: &ReadingRow,
    ) -> Result<(), StoreError>;
    /// The corrections `filter` admits, newest first, at most `filter.limit`.
    async fn corrections(
        &self,
        filter: &CorrectionFilter<'_>,
    ) -> Result<Vec<CorrectionRow>, StoreError>;
}

/// Erasure of a case on request (`crate::erasure`): every stored row of it removed, its
/// days logged for recomputation, the request kept in the audit.
#[async_trait]
pub trait CaseErasure: Send + Sync {
    async fn erase_case(&self, request: &ErasureRequest) -> Result<ErasureReport, StoreError>;
}

/// Every area: what the dashboard API and the reports hold.
pub trait Stores:
    SlaStore
    + MatrixStore
    + FeedbackStore
    + ExceptionStore
    + ReportRunStore
    + AuditLog
    + CorrectionStore
    + CaseErasure
{
}

impl<
        T: SlaStore
            + MatrixStore
            + FeedbackStore
            + ExceptionStore
            + ReportRunStore
            + AuditLog
            + CorrectionStore
            + CaseErasure,
    > Stores for T
{
}
