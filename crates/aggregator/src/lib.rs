//! Civic Pulse aggregator: the jobs that write what readers read.
//!
//! - `sla::evaluate`: applies the service standards to every changed case and stores the result;
//! - `matrix`: daily rollups and the snapshots of each month and quarter;
//! - `supersede`: which version of a re-sent event counts;
//! - `retention`: each kind of data loses the months its retention passed, and its oldest
//!   row's date is exported so a retention no longer applied is alerted on;
//! - `schedule`: one aggregation run (SLA, then rollups, then snapshots; then retention, even
//!   when those fail), on demand or on an interval.
//!
//! What the figures mean is computed in `civicpulse_analytics`, which this crate applies.

pub mod matrix;
pub mod metrics;
pub mod retention;
pub mod schedule;
pub mod sla;
pub mod supersede;
pub mod themes;

// Every statement lives in `civicpulse_store::tables`; this crate decides what to compute.
