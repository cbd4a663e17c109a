//! Civic Pulse aggregator: SLA evaluation, the quality matrix and benchmarks.
//!
//! So far: the pure SLA rules (`sla::rules`), tested without servers. Incremental
//! evaluation against ClickHouse, the API and the matrix follow.

pub mod sla;
