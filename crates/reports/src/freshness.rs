//! How fresh and complete the data behind a report were when it was generated: the newest
//! event stored (ClickHouse), the sink's consumer lag, and the events the pipeline could
//! not take in the period (dead letters, gateway rejections) as Prometheus recorded them.
//! A figure that could not be read is absent and the report says so, never 0.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use civicpulse_store::FeedbackStore;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Freshness {
    /// When the newest stored event was received (RFC 3339, UTC).
    pub latest_event_stored: Option<String>,
    /// Messages not yet stored, summed over the event topics' partitions.
    pub consumer_lag: Option<u64>,
    /// Messages the sink sent to the dead-letter topic during the period.
    pub dead_letters: Option<u64>,
    /// Events the gateway refused during the period.
    pub rejected: Option<u64>,
    /// Where lag and completeness were read from, or why they could not be.
    pub monitoring: String,
}

#[derive(Deserialize)]
struct QueryAnswer {
    data: QueryData,
}

#[derive(Deserialize)]
struct QueryData {
    result: Vec<Sample>,
}

#[derive(Deserialize)]
struct Sample {
    value: (f64, String),
}

/// Observes the pipeline for a period `[from, to)`; `prometheus` is the server's base URL
/// (None: not configured). Periods still running are read up to now.
pub async fn observe(
    store: &dyn FeedbackStore,
    prometheus: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Freshness, civicpulse_store::StoreError> {
    let newest = store.newest_received_at().await?;
    let mut freshness = Freshness {
        latest_event_stored: newest.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        ..Freshness::default()
    };
    let Some(base) = prometheus else {
        freshness.monitoring = "no Prometheus configured ([reports] prometheus_url)".into();
        return Ok(freshness);
    };
    let end = to.min(Utc::now());
    let range = (end - from).num_seconds().max(1);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a client without custom TLS builds");
    let read = |expr: String| {
        let http = http.clone();
        async move {
            let answer: QueryAnswer = http
                .get(format!("{}/api/v1/query", base.trim_end_matches('/')))
                .query(&[("query", expr), ("time", end.timestamp().to_string())])
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            Ok::<_, reqwest::Error>(
                answer
                    .data
                    .result
                    .first()
                    .and_then(|s| s.value.1.parse::<f64>().ok())
                    .map(|v| v.max(0.0).round() as u64),
            )
        }
    };
    // `or vector(0)`: a counter never incremented has no series, which means none.
    let answers = (
        read("sum(civicpulse_sink_group_lag)".into()).await,
        read(format!(
            "sum(increase(civicpulse_sink_dead_letters_total[{range}s])) or vector(0)"
        ))
        .await,
        read(format!(
            "sum(increase(civicpulse_gateway_events_rejected_total[{range}s])) or vector(0)"
        ))
        .await,
    );
    match answers {
        (Ok(lag), Ok(dead), Ok(rejected)) => {
            freshness.consumer_lag = lag;
            freshness.dead_letters = dead;
            freshness.rejected = rejected;
            freshness.monitoring = format!("Prometheus at {base}");
        }
        (Err(error), ..) | (_, Err(error), _) | (.., Err(error)) => {
            tracing::warn!(%error, prometheus = base, "report: Prometheus did not answer");
            freshness.monitoring = format!("Prometheus at {base} did not answer");
        }
    }
    Ok(freshness)
}
