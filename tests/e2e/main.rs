//! End-to-end tests against real Kafka (tansu) and ClickHouse servers and real
//! `civicpulse` processes. Run them with `scripts/test`, which starts the servers.

mod access;
mod alerting;
mod api;
mod cluster;
mod current_clickhouse;
mod deploy;
mod exports;
mod failures;
mod grafana;
mod ingest;
mod matrix;
mod privacy;
mod public_feedback;
mod reports;
mod resend;
mod rows;
mod sla;
mod slow_clients;
mod standards;
mod support;
mod themes;
