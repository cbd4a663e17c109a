//! The one retry policy of the product: waits that double from `initial` up to
//! `max`, without jitter, as many times as the caller allows. Components that wait for
//! ClickHouse or Kafka, and the simulator waiting for the gateway, build their retries on
//! it through `backon`, so how a retry waits is decided here once.

use std::time::Duration;

pub use backon::{ExponentialBuilder, Retryable};

/// Doubling waits from `initial`, capped at `max`, never giving up by count: each caller
/// bounds its retries by a deadline or by shutdown.
pub fn exponential(initial: Duration, max: Duration) -> ExponentialBuilder {
    ExponentialBuilder::new()
        .with_min_delay(initial)
        .with_max_delay(max)
        .with_factor(2.0)
        .without_max_times()
}

#[cfg(test)]
mod tests {
    use backon::BackoffBuilder;

    use super::*;

    #[test]
    fn waits_double_and_cap() {
        let waits: Vec<u128> = exponential(Duration::from_millis(100), Duration::from_secs(1))
            .build()
            .take(6)
            .map(|wait| wait.as_millis())
            .collect();
        assert_eq!(waits, [100, 200, 400, 800, 1000, 1000]);
        let mut waits = exponential(Duration::from_millis(100), Duration::from_secs(1)).build();
        assert_eq!(waits.nth(1000), Some(Duration::from_secs(1)));
    }
}
