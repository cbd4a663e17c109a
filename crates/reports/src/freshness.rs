//! How fresh and complete the data behind a report were when it was generated: the newest
//! event stored (ClickHouse), the sink's consumer lag, and the events the pipeline could
//! not take in the period (dead letters, gateway rejections) as Prometheus recorded them.
//! A figure that could not be read is absent and the report says why in words, never 0.

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
    /// Why `consumer_lag` is absent, when it is.
    pub lag_unknown: Option<Unknown>,
    /// Why `dead_letters` or `rejected` is absent, when one is.
    pub completeness_unknown: Option<Unknown>,
}

/// Why a figure of the pipeline is not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Unknown {
    /// No monitoring server is configured (`[reports] prometheus_url`).
    NotConfigured,
    /// The monitoring server did not answer.
    NoAnswer,
    /// The monitoring server holds no sample of the component for the period: it was not
    /// running, or not scraped, so a count of 0 would be a guess.
    NotRecorded,
}

impl Unknown {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// What Prometheus answered for a period: each query's first sample, if any.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Answers {
    pub lag: Option<u64>,
    pub dead_letters: Option<u64>,
    pub rejected: Option<u64>,
    /// Samples of any `civicpulse_sink_*` / `civicpulse_gateway_*` series in the period.
    pub sink_samples: Option<u64>,
    pub gateway_samples: Option<u64>,
}

impl Freshness {
    /// Reads the answers: a counter with no series counts 0 only when its component was
    /// recorded in the period (a counter never incremented has no series); otherwise the
    /// figure is not known.
    pub fn with_answers(mut self, answers: Answers) -> Freshness {
        let seen = |samples: Option<u64>| samples.is_some_and(|n| n > 0);
        self.consumer_lag = answers.lag;
        self.lag_unknown = answers.lag.is_none().then_some(Unknown::NotRecorded);
        self.dead_letters = seen(answers.sink_samples).then(|| answers.dead_letters.unwrap_or(0));
        self.rejected = seen(answers.gateway_samples).then(|| answers.rejected.unwrap_or(0));
        self.completeness_unknown = (self.dead_letters.is_none() || self.rejected.is_none())
            .then_some(Unknown::NotRecorded);
        self
    }

    /// Nothing could be read from the monitoring, for `why`.
    pub fn unmonitored(mut self, why: Unknown) -> Freshness {
        self.lag_unknown = Some(why);
        self.completeness_unknown = Some(why);
        self
    }
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
        return Ok(freshness.unmonitored(Unknown::NotConfigured));
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
    let seen = |component: &str| {
        format!("sum(count_over_time({{__name__=~\"civicpulse_{component}_.+\"}}[{range}s]))")
    };
    let answers = (
        read("sum(civicpulse_sink_group_lag)".into()).await,
        read(format!(
            "sum(increase(civicpulse_sink_dead_letters_total[{range}s]))"
        ))
        .await,
        read(format!(
            "sum(increase(civicpulse_gateway_events_rejected_total[{range}s]))"
        ))
        .await,
        read(seen("sink")).await,
        read(seen("gateway")).await,
    );
    match answers {
        (Ok(lag), Ok(dead_letters), Ok(rejected), Ok(sink_samples), Ok(gateway_samples)) => {
            freshness.monitoring = format!("Prometheus at {base}");
            Ok(freshness.with_answers(Answers {
                lag,
                dead_letters,
                rejected,
                sink_samples,
                gateway_samples,
            }))
        }
        (Err(error), ..)
        | (_, Err(error), ..)
        | (_, _, Err(error), ..)
        | (.., Err(error), _)
        | (.., Err(error)) => {
            tracing::warn!(%error, prometheus = base, "report: Prometheus did not answer");
            freshness.monitoring = format!("Prometheus at {base} did not answer");
            Ok(freshness.unmonitored(Unknown::NoAnswer))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counter_without_series_is_zero_only_when_its_component_was_recorded() {
        let recorded = Freshness::default().with_answers(Answers {
            lag: Some(3),
            dead_letters: None,
            rejected: Some(2815),
            sink_samples: Some(120),
            gateway_samples: Some(120),
        });
        assert_eq!(
            (
                recorded.dead_letters,
                recorded.rejected,
                recorded.completeness_unknown
            ),
            (Some(0), Some(2815), None)
        );
        // Prometheus kept nothing of the period (started later, or its retention ended).
        let unrecorded = Freshness::default().with_answers(Answers::default());
        assert_eq!(
            (
                unrecorded.dead_letters,
                unrecorded.rejected,
                unrecorded.consumer_lag
            ),
            (None, None, None)
        );
        assert_eq!(unrecorded.completeness_unknown, Some(Unknown::NotRecorded));
        assert_eq!(unrecorded.lag_unknown, Some(Unknown::NotRecorded));
    }
}
