//! Computed answers kept in memory for `dashboard.cache_secs`, keyed by the request's
//! normalized parameters: Grafana panels refresh together and ask the same questions.
//! Concurrent requests for the same key wait for one computation.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use civicpulse_analytics::matrix::{Cell, InterventionRow, Point};
use civicpulse_analytics::themes::emerging::Judged;
use moka::future::Cache;

use crate::error::ApiError;

#[derive(Clone)]
pub struct Caches {
    pub matrix: Option<Cache<String, Arc<Vec<Cell>>>>,
    pub timeseries: Option<Cache<String, Arc<Vec<Point>>>>,
    pub interventions: Option<Cache<String, Arc<Vec<InterventionRow>>>>,
    /// Emerging issues' judged days: the API and the gauges ask for the same scan.
    pub emerging: Option<Cache<String, Arc<Vec<Judged>>>>,
}

impl Caches {
    /// No caching when `ttl_secs` is 0.
    pub fn new(ttl_secs: u64) -> Caches {
        fn cache<V: Clone + Send + Sync + 'static>(ttl_secs: u64) -> Option<Cache<String, V>> {
            (ttl_secs > 0).then(|| {
                Cache::builder()
                    .max_capacity(1000)
                    .time_to_live(Duration::from_secs(ttl_secs))
                    .build()
            })
        }
        Caches {
            matrix: cache(ttl_secs),
            timeseries: cache(ttl_secs),
            interventions: cache(ttl_secs),
            emerging: cache(ttl_secs),
        }
    }
}

/// The cached answer for `key`, computing it on a miss.
pub async fn cached<V, F>(
    cache: &Option<Cache<String, Arc<V>>>,
    key: String,
    compute: F,
) -> Result<Arc<V>, ApiError>
where
    V: Send + Sync + 'static,
    F: Future<Output = Result<V, ApiError>>,
{
    match cache {
        None => compute.await.map(Arc::new),
        Some(cache) => cache
            .try_get_with(key, async { compute.await.map(Arc::new) })
            .await
            .map_err(|error: Arc<ApiError>| (*error).clone()),
    }
}
