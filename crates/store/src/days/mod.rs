//! The three ways the store is asked about a service's local days, one submodule each:
//!
//! - `rollup_read`: a read of the daily rollups (`DayRange`: which days, which breakdown,
//!   which services, bucketed by `Bucket`);
//! - `rollup_refresh`: the days of one service a rollup refresh rewrites, with the version
//!   their rows carry (`DaySlice`);
//! - `raw_events`: local days `[from, to)` as a filter on a raw table's `occurred_at`, for
//!   what the rollups do not keep (`LocalDays`).

pub mod raw_events;
pub mod rollup_read;
pub mod rollup_refresh;

pub use raw_events::LocalDays;
pub use rollup_read::{Bucket, DayRange};
pub use rollup_refresh::DaySlice;
