//! Civic Pulse aggregator: SLA evaluation, the quality matrix and its benchmarks.
//!
//! - `sla`: pure rules, and their incremental evaluation against ClickHouse;
//! - `matrix`: daily rollups, the matrix of any period, time series, interventions,
//!   snapshots;
//! - `supersede`: which version of a re-sent event counts;
//! - `schedule`: one aggregation run (SLA, then rollups, then snapshots), on demand or on
//!   an interval.

pub mod matrix;
pub mod metrics;
pub mod schedule;
pub mod sla;
pub mod supersede;

// Every statement lives in `civicpulse_store::tables`; this crate decides what to compute.
