//! The traits over ClickHouse: each method is the table module's statement.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use civicpulse_core::config::ClickHouseConfig;
use clickhouse::Client;
use tokio::sync::OnceCell;

use super::{
    AuditLog, CaseErasure, CorrectionStore, ExceptionStore, FeedbackStore, MatrixStore,
    ReportRunStore, SlaStore,
};
use crate::days::DayRange;
use crate::days::LocalDays;
use crate::erasure::{self, ErasureReport, ErasureRequest};
use crate::mutation::Mutator;
use crate::tables::access_audit::{self, AuditEntry, AuditFilter};
use crate::tables::comment_readings::{
    self, DailyMentions, MentionExamples, MentionWindow, ReadingRow, RespondentThemes, ThemeCount,
    ThemeWindow, Unclaimed,
};
use crate::tables::feedback::{self, AnswerCounts};
use crate::tables::feedback_comments::{self, CommentFilter, CommentListed};
use crate::tables::matrix_activity_daily::{self, ActivitySums};
use crate::tables::matrix_feedback_daily::{self, AnswerSums, SegmentSums};
use crate::tables::matrix_sla_daily::{self, ClosedCases};
use crate::tables::matrix_snapshots::{self, SnapshotFilter, SnapshotRow};
use crate::tables::offered::{self, OfferVolumes};
use crate::tables::report_runs::{self, ReportRunRow};
use crate::tables::sla_cases::{
    self, CaseFilter, CaseListed, Completion, FellDue, QueuedRow, RemissionRow, SummaryRow,
    SummaryWindow,
};
use crate::tables::sla_exceptions::{self, ExceptionRow};
use crate::tables::theme_corrections::{self, CorrectionFilter, CorrectionRow, CorrectionTarget};
use crate::tables::{insert_all, newest_received_at};
use crate::{Store, StoreError};

/// ClickHouse behind the traits. Connected on first use (the server version decides how
/// rows are encoded) and then shared; while the server is unreachable each call tries again.
#[derive(Clone)]
pub struct ClickHouseStore {
    config: Option<ClickHouseConfig>,
    client: std::sync::Arc<OnceCell<Client>>,
}

impl ClickHouseStore {
    /// A store that connects when first asked.
    pub fn lazy(config: ClickHouseConfig) -> Self {
        ClickHouseStore {
            config: Some(config),
            client: Default::default(),
        }
    }

    /// A store over a client already connected.
    pub fn connected(client: Client) -> Self {
        ClickHouseStore {
            config: None,
            client: std::sync::Arc::new(OnceCell::new_with(Some(client))),
        }
    }

    /// The client, connecting now if not yet.
    pub async fn client(&self) -> Result<Client, StoreError> {
        self.client
            .get_or_try_init(|| async {
                let config = self.config.as_ref().expect("a lazy store has its config");
                Store::connect(config).await.map(|store| store.client)
            })
            .await
            .cloned()
    }
}

#[async_trait]
impl SlaStore for ClickHouseStore {
    async fn summary(&self, window: &SummaryWindow<'_>) -> Result<Vec<SummaryRow>, StoreError> {
        Ok(sla_cases::summary(&self.client().await?, window).await?)
    }
    async fn cases(&self, filter: &CaseFilter) -> Result<Vec<CaseListed>, StoreError> {
        Ok(sla_cases::list(&self.client().await?, filter).await?)
    }
    async fn remissions(
        &self,
        service_id: Option<&str>,
        fiscal_year: Option<u16>,
    ) -> Result<Vec<RemissionRow>, StoreError> {
        Ok(sla_cases::remissions(&self.client().await?, service_id, fiscal_year).await?)
    }
    async fn open_at(
        &self,
        service_id: &str,
        policy: &str,
        as_of: DateTime<Utc>,
    ) -> Result<Vec<QueuedRow>, StoreError> {
        Ok(sla_cases::open_at(&self.client().await?, service_id, policy, as_of).await?)
    }
    async fn due_between(
        &self,
        service_id: &str,
        policy: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<FellDue>, StoreError> {
        Ok(sla_cases::due_between(&self.client().await?, service_id, policy, from, to).await?)
    }
    async fn completions(
        &self,
        service_id: &str,
        policy: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Completion>, StoreError> {
        Ok(sla_cases::completions(&self.client().await?, service_id, policy, from, to).await?)
    }
}

#[async_trait]
impl MatrixStore for ClickHouseStore {
    async fn answer_sums(&self, range: &DayRange<'_>) -> Result<Vec<AnswerSums>, StoreError> {
        Ok(matrix_feedback_daily::answer_sums(&self.client().await?, range).await?)
    }
    async fn segment_sums(&self, range: &DayRange<'_>) -> Result<Vec<SegmentSums>, StoreError> {
        Ok(matrix_feedback_daily::segment_sums(&self.client().await?, range).await?)
    }
    async fn activity_sums(&self, range: &DayRange<'_>) -> Result<Vec<ActivitySums>, StoreError> {
        Ok(matrix_activity_daily::activity_sums(&self.client().await?, range).await?)
    }
    async fn closed_cases(&self, range: &DayRange<'_>) -> Result<Vec<ClosedCases>, StoreError> {
        Ok(matrix_sla_daily::closed_cases(&self.client().await?, range).await?)
    }
    async fn snapshots(&self, filter: &SnapshotFilter<'_>) -> Result<Vec<SnapshotRow>, StoreError> {
        Ok(matrix_snapshots::read(&self.client().await?, filter).await?)
    }
}

#[async_trait]
impl FeedbackStore for ClickHouseStore {
    async fn answer_counts(&self, days: &LocalDays<'_>) -> Result<Vec<AnswerCounts>, StoreError> {
        Ok(feedback::answer_counts(&self.client().await?, days).await?)
    }
    async fn offer_volumes(&self, days: &LocalDays<'_>) -> Result<Vec<OfferVolumes>, StoreError> {
        Ok(offered::volumes(&self.client().await?, days).await?)
    }
    async fn comments(&self, filter: &CommentFilter<'_>) -> Result<Vec<CommentListed>, StoreError> {
        Ok(feedback_comments::latest(&self.client().await?, filter).await?)
    }
    async fn theme_counts(&self, window: &ThemeWindow<'_>) -> Result<Vec<ThemeCount>, StoreError> {
        Ok(comment_readings::theme_counts(&self.client().await?, window).await?)
    }

    async fn respondent_themes(
        &self,
        window: &ThemeWindow<'_>,
    ) -> Result<Vec<RespondentThemes>, StoreError> {
        Ok(comment_readings::respondent_themes(&self.client().await?, window).await?)
    }

    async fn unclaimed_comments(
        &self,
        window: &ThemeWindow<'_>,
        limit: u64,
    ) -> Result<Vec<Unclaimed>, StoreError> {
        Ok(comment_readings::unclaimed(&self.client().await?, window, limit).await?)
    }

    async fn daily_mentions(
        &self,
        window: &MentionWindow<'_>,
    ) -> Result<DailyMentions, StoreError> {
        Ok(comment_readings::daily_mentions(&self.client().await?, window).await?)
    }
    async fn mention_examples(
        &self,
        examples: &MentionExamples<'_>,
    ) -> Result<Vec<CommentListed>, StoreError> {
        Ok(comment_readings::mention_examples(&self.client().await?, examples).await?)
    }
    async fn newest_received_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(newest_received_at(&self.client().await?).await?)
    }
}

#[async_trait]
impl ExceptionStore for ClickHouseStore {
    async fn exception_changes(&self) -> Result<Vec<ExceptionRow>, StoreError> {
        Ok(sla_exceptions::changes(&self.client().await?).await?)
    }
    async fn exception_history(&self, id: &str) -> Result<Vec<ExceptionRow>, StoreError> {
        Ok(sla_exceptions::history(&self.client().await?, id).await?)
    }
    async fn record_exception_change(&self, row: &ExceptionRow) -> Result<(), StoreError> {
        Ok(insert_all(&self.client().await?, std::slice::from_ref(row), None).await?)
    }
}

#[async_trait]
impl ReportRunStore for ClickHouseStore {
    async fn report_runs(&self, limit: u64) -> Result<Vec<ReportRunRow>, StoreError> {
        Ok(report_runs::list(&self.client().await?, limit).await?)
    }
    async fn reports_written(
        &self,
        periods: &[String],
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(report_runs::written(&self.client().await?, periods).await?)
    }
    async fn last_report_failure(
        &self,
        period: &str,
        lang: &str,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(report_runs::last_failure(&self.client().await?, period, lang).await?)
    }
    async fn report_succeeded(
        &self,
        period: &str,
        lang: &str,
    ) -> Result<Option<ReportRunRow>, StoreError> {
        Ok(report_runs::succeeded(&self.client().await?, period, lang).await?)
    }
    async fn report_revisions(
        &self,
        period: &str,
        lang: &str,
    ) -> Result<Vec<ReportRunRow>, StoreError> {
        Ok(report_runs::revisions(&self.client().await?, period, lang).await?)
    }
    async fn record_report_run(&self, row: &ReportRunRow) -> Result<(), StoreError> {
        Ok(insert_all(&self.client().await?, std::slice::from_ref(row), None).await?)
    }
}

#[async_trait]
impl AuditLog for ClickHouseStore {
    async fn record_audit_entry(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        Ok(insert_all(&self.client().await?, std::slice::from_ref(entry), None).await?)
    }
    async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(access_audit::list(&self.client().await?, filter).await?)
    }
    async fn comments_read_since(
        &self,
        token_id: &str,
        since: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        Ok(access_audit::comments_read_since(&self.client().await?, token_id, since).await?)
    }
}

#[async_trait]
impl CorrectionStore for ClickHouseStore {
    async fn correction_target(
        &self,
        event_id: uuid::Uuid,
    ) -> Result<Option<CorrectionTarget>, StoreError> {
        Ok(theme_corrections::target(&self.client().await?, event_id).await?)
    }
    async fn record_correction(
        &self,
        correction: &CorrectionRow,
        reading: &ReadingRow,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        insert_all(&client, std::slice::from_ref(correction), None).await?;
        Ok(insert_all(&client, std::slice::from_ref(reading), None).await?)
    }
    async fn corrections(
        &self,
        filter: &CorrectionFilter<'_>,
    ) -> Result<Vec<CorrectionRow>, StoreError> {
        Ok(theme_corrections::list(&self.client().await?, filter).await?)
    }
}

#[async_trait]
impl CaseErasure for ClickHouseStore {
    async fn erase_case(&self, request: &ErasureRequest) -> Result<ErasureReport, StoreError> {
        // A store connected without its configuration is a single node.
        let config = self.config.clone().unwrap_or_default();
        let mutator = Mutator::new(self.client().await?, &config);
        erasure::erase_case(&mutator, request).await
    }
}
