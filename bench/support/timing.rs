//! Timing shared by the benchmarks: the median of repeated samples, so one slow run (a
//! merge, a page-cache miss) does not decide a figure.

use std::time::Duration;

/// The median of `runs` samples of `sample`.
pub async fn median_of<F, Fut>(runs: usize, mut sample: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Duration>,
{
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        samples.push(sample().await);
    }
    samples.sort();
    samples[runs / 2]
}
