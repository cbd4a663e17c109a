//! The quality matrix's jobs: daily rollups kept in ClickHouse (`rollup`) and the snapshots
//! of each month and quarter (`snapshot`). What the matrix shows is computed in
//! `civicpulse_analytics::matrix`.

pub mod rollup;
pub mod snapshot;
