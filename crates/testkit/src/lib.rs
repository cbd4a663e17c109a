//! What the end-to-end tests (`tests/e2e/`), the benchmarks (`bench/`) and the set-up
//! scripts share, so that each hazard is handled once.
//!
//! - `ports`: ports for servers a test or bench starts later (below the ephemeral range);
//! - `process`: child processes killed when their handle drops, output in a log;
//! - `servers`: the ClickHouse and tansu command lines (also printed for the scripts by
//!   the `server-command` binary);
//! - `config`: an isolated pipeline's typed configuration, written as TOML;
//! - `cluster`: a ZooKeeper and a sharded, replicated ClickHouse on one machine;
//! - `memory`: the storage traits in memory, so routes and pages are tested without servers;
//! - `rows`: the rollup and summary rows tests put in that memory.

pub mod cluster;
pub mod config;
pub mod memory;
pub mod ports;
pub mod process;
pub mod rows;
pub mod servers;
