//! What the end-to-end tests (`tests/e2e/`) and the benchmarks (`bench/`) share, so that
//! each hazard is handled once.
//!
//! - `ports`: ports for servers a test or bench starts later.

pub mod ports;
