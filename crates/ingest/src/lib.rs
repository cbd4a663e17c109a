//! Civic Pulse ingest: the HTTP gateway that turns client events into durable Kafka
//! messages, and the sink that moves them into ClickHouse exactly once in effect.
//! ClickHouse itself (client, migrations) belongs to `civicpulse-store`; the traffic
//! simulator, a client like any other, to `civicpulse-simulator`.

pub mod gateway;
pub mod metrics;
pub mod producer;
pub mod sink;
pub mod topics;
