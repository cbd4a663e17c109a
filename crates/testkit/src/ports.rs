//! Ports for servers a test or benchmark starts later.
//!
//! They come from below Linux's ephemeral range (32768–60999): an ephemeral port released
//! here (port 0's answer) could be taken as the local port of an outgoing connection (to
//! Kafka, ClickHouse…) before the server binds it, and the server then fails with "Address
//! already in use". Each port is handed out once per process; ones already taken are
//! skipped, and processes start from different bases.

use std::net::TcpListener;
use std::sync::atomic::{AtomicU16, Ordering};

const FIRST: u16 = 20_000;
const SPAN: u16 = 12_000;

/// A port that was free a moment ago and that this process has not handed out before.
pub fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = (std::process::id() % 600) as u16 * 20;
    loop {
        let port = FIRST + (base + NEXT.fetch_add(1, Ordering::Relaxed)) % SPAN;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_below_the_ephemeral_range_and_never_repeat() {
        let ports: Vec<u16> = (0..50).map(|_| free_port()).collect();
        assert!(
            ports.iter().all(|p| (FIRST..FIRST + SPAN).contains(p)),
            "{ports:?}"
        );
        let mut unique = ports.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ports.len());
    }
}
