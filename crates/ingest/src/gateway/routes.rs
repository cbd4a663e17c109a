//! `POST /v1/events`: validate each item, scrub comments, drop repeats within the request,
//! write the rest to Kafka and answer only after Kafka acknowledged them all.
//!
//! Statuses: 200 when every item was accepted (or a repeat of one), 207 when some were
//! rejected and some accepted, 400 when none was accepted, 401/413 before any item is
//! read, 503 with `Retry-After` when Kafka did not acknowledge (then nothing is reported
//! accepted; re-sending the same request is safe).

use std::collections::HashMap;
use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use chrono::Utc;
use civicpulse_core::event::Event;
use civicpulse_core::pii::scrub_for_case;
use civicpulse_core::{Envelope, FieldError, Validator};
use civicpulse_http_server::body_bounds::BodyError;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::body::{parse_items, Item};
use super::error::RequestError;
use super::GatewayState;
use crate::metrics;
use crate::producer::{Outgoing, ProduceError};

#[derive(Debug, Serialize, PartialEq, Eq, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Accepted,
    Duplicate,
    Rejected,
}

#[derive(Debug, Serialize)]
pub struct ItemResult {
    pub index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    pub status: ItemStatus,
    /// For a duplicate: the index of the first item with the same `event_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Serialize)]
pub struct IngestResponse {
    pub accepted: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub results: Vec<ItemResult>,
}

pub async fn post_events(
    State(state): State<GatewayState>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<IngestResponse>), RequestError> {
    let result = ingest(&state, &headers, body).await;
    let status = match &result {
        Ok((status, _)) => *status,
        Err(error) => error.status(),
    };
    metrics::REQUESTS
        .with_label_values(&[status.as_str()])
        .inc();
    result
}

async fn ingest(
    state: &GatewayState,
    headers: &HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<IngestResponse>), RequestError> {
    let source = state.api_keys.authenticate(headers)?.to_string();
    // The router bounds every body (`civicpulse_http_server::body_bounds`) and answers
    // 408/413 itself when one is cut off.
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|error| match BodyError::behind(&error) {
            Some(cut_off) => RequestError::BodyCutOff(cut_off),
            None => RequestError::BadRequest("the request body could not be read".into()),
        })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let items = parse_items(content_type, &bytes)?;
    if items.is_empty() {
        return Err(RequestError::BadRequest(
            "the request holds no event".into(),
        ));
    }
    if items.len() > state.config.max_events_per_request {
        return Err(RequestError::TooManyEvents {
            count: items.len(),
            limit: state.config.max_events_per_request,
        });
    }

    let received_at = Utc::now();
    let (results, accepted) = triage(state, items, received_at);
    let messages = to_messages(state, &accepted, &source, received_at);
    let started = Instant::now();
    state.producer.send_all(&messages).await.map_err(|error| {
        tracing::warn!(%error, events = messages.len(), "Kafka did not take the request's events");
        RequestError::Unavailable {
            // The client hears what to do, not the Kafka client's own words (logged above).
            reason: match error {
                ProduceError::QueueFull => "the producer queue is full".to_string(),
                _ => "Kafka did not acknowledge them".to_string(),
            },
            retry_after_secs: state.config.retry_after_secs,
        }
    })?;
    metrics::PRODUCE_SECONDS.observe(started.elapsed().as_secs_f64());
    for event in &accepted {
        metrics::EVENTS_ACCEPTED
            .with_label_values(&[event.kind().as_str()])
            .inc();
    }
    Ok(respond(results))
}

/// Validates, scrubs and deduplicates the items, in order.
fn triage(
    state: &GatewayState,
    items: Vec<Item>,
    now: chrono::DateTime<Utc>,
) -> (Vec<ItemResult>, Vec<Event>) {
    let validator = Validator::new(&state.catalog);
    let mut first_index_of: HashMap<Uuid, usize> = HashMap::new();
    let mut results = Vec::with_capacity(items.len());
    let mut accepted = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        let claimed_id = item.as_ref().ok().and_then(claimed_event_id);
        let outcome = item
            .map_err(|e| vec![e])
            .and_then(|value| validator.parse(value, now));
        let result = match outcome {
            Err(errors) => {
                for error in &errors {
                    metrics::EVENTS_REJECTED
                        .with_label_values(&[metric_field(&error.field)])
                        .inc();
                }
                ItemResult {
                    index,
                    event_id: claimed_id,
                    status: ItemStatus::Rejected,
                    duplicate_of: None,
                    errors,
                }
            }
            Ok(event) => {
                let event_id = event.event_id();
                if let Some(&first) = first_index_of.get(&event_id) {
                    metrics::EVENTS_REJECTED
                        .with_label_values(&["duplicate_in_batch"])
                        .inc();
                    ItemResult {
                        index,
                        event_id: Some(event_id.to_string()),
                        status: ItemStatus::Duplicate,
                        duplicate_of: Some(first),
                        errors: Vec::new(),
                    }
                } else {
                    first_index_of.insert(event_id, index);
                    accepted.push(scrubbed(event));
                    ItemResult {
                        index,
                        event_id: Some(event_id.to_string()),
                        status: ItemStatus::Accepted,
                        duplicate_of: None,
                        errors: Vec::new(),
                    }
                }
            }
        };
        results.push(result);
    }
    (results, accepted)
}

/// The event with personal data, its own case reference included, removed from its free text.
pub(super) fn scrubbed(mut event: Event) -> Event {
    if let Event::Feedback(feedback) = &mut event {
        if let Some(comment) = &feedback.comment {
            let masked = scrub_for_case(comment, feedback.case_ref.as_deref()).into_owned();
            feedback.comment = Some(masked);
        }
    }
    event
}

/// Rejected items still echo their `event_id` when they carry one, so clients can match
/// results to their records.
fn claimed_event_id(value: &Value) -> Option<String> {
    value.get("event_id")?.as_str().map(str::to_string)
}

/// Metric label for a rejection: the top-level field, to keep label values few.
fn metric_field(field: &str) -> &str {
    match field.split('.').next() {
        Some("") | None => "event",
        Some(top) => top,
    }
}

pub(super) fn to_messages(
    state: &GatewayState,
    events: &[Event],
    source: &str,
    received_at: chrono::DateTime<Utc>,
) -> Vec<Outgoing> {
    events
        .iter()
        .map(|event| Outgoing {
            topic: state.kafka.topic(event.kind()),
            key: event.partition_key().to_string(),
            payload: serde_json::to_vec(&Envelope::new(event.clone(), source, received_at))
                .expect("an envelope always serializes"),
        })
        .collect()
}

fn respond(results: Vec<ItemResult>) -> (StatusCode, Json<IngestResponse>) {
    let count = |status| results.iter().filter(|r| r.status == status).count();
    let accepted = count(ItemStatus::Accepted);
    let duplicates = count(ItemStatus::Duplicate);
    let rejected = count(ItemStatus::Rejected);
    let status = match (accepted, rejected) {
        (0, _) => StatusCode::BAD_REQUEST,
        (_, 0) => StatusCode::OK,
        _ => StatusCode::MULTI_STATUS,
    };
    (
        status,
        Json(IngestResponse {
            accepted,
            duplicates,
            rejected,
            results,
        }),
    )
}
