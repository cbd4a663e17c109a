//! Retention, applied by the aggregator each run: every kind of data loses the months its
//! retention has passed (`civicpulse_store::retention`), and each kind's oldest row is
//! exported beside its limit, measured on the database's own clock, so a retention that
//! stopped being applied — this step failing, or the aggregator not running — is seen by
//! `CivicPulseRetentionOverdue` rather than by a privacy audit.

use chrono::DateTime;
use civicpulse_core::config::RetentionConfig;
use civicpulse_core::retention::DataKind;
use civicpulse_store::checkpoint::server_clock;
use civicpulse_store::mutation::Mutator;
use civicpulse_store::retention::{apply, KindState};
use civicpulse_store::StoreError;

/// Applies every kind's retention as of the database's clock; the state of each kind.
pub async fn apply_all(
    mutator: &Mutator,
    config: &RetentionConfig,
) -> Result<Vec<KindState>, StoreError> {
    let now = server_clock(mutator.client()).await?;
    let now = DateTime::from_timestamp(i64::from(now), 0).unwrap_or_default();
    let mut states = Vec::with_capacity(DataKind::ALL.len());
    for kind in DataKind::ALL {
        let state = apply(mutator, kind, config.days(kind), now).await?;
        crate::metrics::record_retention(&state);
        states.push(state);
    }
    Ok(states)
}
