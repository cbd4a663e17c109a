//! Civic Pulse aggregator: SLA evaluation, the quality matrix and benchmarks.
//!
//! Empty on purpose until the SLA issue: the pipeline issue only stores raw events.
