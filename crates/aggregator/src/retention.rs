//! Retention, applied by the aggregator each run: every kind of data loses the months its
//! retention has passed (`civicpulse_store::retention`), and each kind's oldest row is
//! exported as a timestamp beside its limit, read from the database, so a retention that
//! stopped being applied — this step failing, or the aggregator not running — is seen by
//! `RetentionOverdue` rather than by a privacy audit: a timestamp left as it was still ages.
//!
//! It is a step of its own in each run ([`crate::schedule`]): it runs whatever the steps
//! before it did, since a failing rollup must not stop data from leaving on time.

use chrono::DateTime;
use civicpulse_core::config::RetentionConfig;
use civicpulse_core::retention::DataKind;
use civicpulse_store::checkpoint::server_clock;
use civicpulse_store::mutation::Mutator;
use civicpulse_store::retention::{apply, oldest_of_kind, KindState};
use civicpulse_store::StoreError;

/// Applies every kind's retention as of the database's clock; the state of each kind. A
/// kind that fails does not stop the others; the first failure is returned once all were
/// tried, after being logged and counted in `civicpulse_retention_failures_total`.
pub async fn apply_all(
    mutator: &Mutator,
    config: &RetentionConfig,
) -> Result<Vec<KindState>, StoreError> {
    crate::metrics::record_retention_limits(config);
    let outcome = apply_each(mutator, config).await;
    if let Err(error) = &outcome {
        crate::metrics::RETENTION_FAILURES.inc();
        tracing::warn!(%error, "retention step failed; expired months are removed at the next run");
    }
    outcome
}

async fn apply_each(
    mutator: &Mutator,
    config: &RetentionConfig,
) -> Result<Vec<KindState>, StoreError> {
    let now = server_clock(mutator.client()).await?;
    let now = DateTime::from_timestamp(i64::from(now), 0).unwrap_or_default();
    let mut states = Vec::with_capacity(DataKind::ALL.len());
    let mut first_failure = None;
    for kind in DataKind::ALL {
        let limit_days = config.days(kind);
        match apply(mutator, kind, limit_days, now).await {
            Ok(state) => {
                crate::metrics::record_retention(&state);
                states.push(state);
            }
            Err(error) => {
                tracing::warn!(kind = kind.as_str(), %error, "retention of a kind failed");
                // Measured anyway: what is left is what the alert must see.
                match oldest_of_kind(mutator.client(), kind, limit_days, now).await {
                    Ok(oldest) => crate::metrics::record_oldest_row(kind, oldest, now),
                    Err(error) => {
                        tracing::warn!(kind = kind.as_str(), %error, "oldest row not measured")
                    }
                }
                first_failure.get_or_insert(error);
            }
        }
    }
    match first_failure {
        None => Ok(states),
        Some(error) => Err(error),
    }
}
