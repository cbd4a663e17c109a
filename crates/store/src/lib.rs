//! Civic Pulse storage: ClickHouse, owned in one place.
//!
//! - `client`: the connection, and how the `clickhouse` crate is set up for the server it
//!   finds (row validation only where the server speaks `RowBinaryWithNamesAndTypes`);
//! - `access`: what readers may ask, one trait per area, with ClickHouse behind it;
//! - `days`: a service's local days as the rollup reads, the rollup refreshes and the raw-table
//!   filters ask for them;
//! - `retention`, `erasure`: data leave when their kind's retention ends, or when a case is
//!   erased on request, through `mutation` (in place, on every replica);
//! - `migrate`: the numbered SQL files of `crates/store/migrations/`, compiled in, applied in order
//!   and recorded with a checksum.
//!
//! Every component that reads or writes ClickHouse connects through here, so none of them
//! needs another component's crate (or its Kafka client) to reach the database.

pub mod access;
pub mod checkpoint;
pub mod client;
pub mod cluster;
pub mod days;
pub mod erasure;
pub mod migrate;
pub mod mutation;
pub mod retention;
pub mod tables;

pub use access::{
    AuditLog, CaseErasure, ClickHouseStore, CorrectionStore, ExceptionStore, FeedbackStore,
    MatrixStore, ReportRunStore, SlaStore, Stores,
};
pub use client::{Store, StoreError};
