//! Civic Pulse ingest: the HTTP gateway that turns client events into durable Kafka
//! messages, the sink that moves them into ClickHouse exactly once in effect, the schema
//! migrations, and the traffic simulator.

pub mod gateway;
pub mod metrics;
pub mod migrate;
pub mod producer;
pub mod shutdown;
pub mod simulate;
pub mod sink;
pub mod store;
pub mod topics;
