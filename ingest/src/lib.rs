//! Civic Pulse ingest: the HTTP gateway that turns client events into durable Kafka
//! messages, the sink that moves them into ClickHouse exactly once in effect, and the
//! traffic simulator. ClickHouse itself (client, migrations) belongs to `civicpulse-store`.

pub mod gateway;
pub mod metrics;
pub mod producer;
pub mod shutdown;
pub mod simulate;
pub mod sink;
pub mod topics;
