//! Harness of the end-to-end tests: real servers, real `civicpulse` processes.
//!
//! Shared Kafka (127.0.0.1:9092) and ClickHouse (127.0.0.1:8123) are started by
//! `scripts/test`; a test that finds them missing fails with that hint. Each test works in
//! its own topics, consumer group and database, so tests run in parallel. Tests that stop
//! a server start a private one on free ports instead of touching the shared ones.

mod browser;
mod events;
mod pipeline;
mod process;
mod servers;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use browser::*;
pub use events::*;
pub use pipeline::*;
pub use process::Process;
pub use servers::*;

pub const API_KEY: &str = "e2e-test-key";
pub const SHARED_KAFKA: &str = "127.0.0.1:9092";
pub const SHARED_CLICKHOUSE: &str = "http://127.0.0.1:8123";

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub use civicpulse_testkit::ports::free_port;

/// Where the set-up scripts keep servers' data and the tools they install (`.dev/`).
pub fn dev_dir() -> PathBuf {
    std::env::var_os("CIVICPULSE_DEV_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".dev"))
}

pub(crate) fn answers_tcp(addr: &str) -> bool {
    std::net::TcpStream::connect_timeout(
        &addr.parse().expect("socket address"),
        Duration::from_millis(500),
    )
    .is_ok()
}

/// Fails the test, with the way out, when a shared server is not running.
pub fn require_shared_servers() {
    assert!(
        answers_tcp(SHARED_KAFKA),
        "Kafka is not answering on {SHARED_KAFKA}: run the suite with scripts/test, which starts it"
    );
    assert!(
        answers_tcp("127.0.0.1:8123"),
        "ClickHouse is not answering on 127.0.0.1:8123: run the suite with scripts/test, which starts it"
    );
}

/// Polls `check` until it returns true or `timeout` passes; panics with `what` then.
pub async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < timeout {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("timed out after {timeout:?} waiting for {what}");
}

/// Value of a counter/gauge line `name{labels} value` summed over its label sets.
pub fn metric_sum(exposition: &str, name: &str) -> f64 {
    exposition
        .lines()
        .filter(|line| line.starts_with(name) && !line.starts_with('#'))
        .filter(|line| matches!(line.as_bytes().get(name.len()), Some(b' ' | b'{')))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}
