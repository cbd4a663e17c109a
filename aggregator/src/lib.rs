//! Civic Pulse aggregator: SLA evaluation, the quality matrix and benchmarks.
//!
//! So far: SLA evaluation — pure rules (`sla::rules`), incremental runs against ClickHouse
//! (`sla::evaluate`) and their schedule. The API, gauges and the matrix follow.

pub mod schedule;
pub mod sla;
