//! Civic Pulse analytics: what every reader of the figures computes, once.
//!
//! - `matrix`: the quality matrix of any period and breakdown, time series, the evaluation
//!   of interventions, stored snapshots;
//! - `period`: the one reading of period labels (months, quarters, years, fiscal years,
//!   ranges of days);
//! - `sla`: the service standards applied to one case, and what readers see of the evaluated
//!   cases (summaries, the remission ledger, queues, durations, breach forecasts);
//! - `suppression`: the small-cell rule every published figure follows.
//!
//! Pure calculations sit beside the typed read queries they need; the jobs that write
//! (`civicpulse_aggregator`) and the readers (`civicpulse_reports`, `civicpulse_dashboard_api`)
//! depend on this crate and not on each other.

pub mod matrix;
pub mod period;
pub mod sla;
pub mod suppression;
pub mod themes;
