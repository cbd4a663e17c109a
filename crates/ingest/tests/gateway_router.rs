//! The gateway's router in-process (`oneshot`, no servers): every refusal a client can
//! meet before Kafka — auth, sizes, content types, unreadable bodies, bodies that never
//! arrive, all-rejected batches — and the 503 when Kafka does not acknowledge.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use civicpulse_core::config::{hash_secret, ApiKey, Config};
use civicpulse_core::Catalog;
use civicpulse_ingest::gateway::{router, ApiKeys, GatewayState};
use civicpulse_ingest::producer::KafkaProducer;
use serde_json::{json, Value};
use tower::ServiceExt;

const KEY: &str = "router-test-key";

/// A gateway whose Kafka does not answer (nothing listens on the port), with small limits.
fn app() -> Router {
    let mut config = Config::default();
    config.kafka.brokers = "127.0.0.1:9".into();
    config.gateway.max_body_bytes = 2_000;
    config.gateway.max_events_per_request = 3;
    config.gateway.delivery_timeout_ms = 1_000;
    config.gateway.limits.body_read_timeout_secs = 1;
    config.gateway.api_keys = vec![ApiKey {
        source: "test".into(),
        sha256: hash_secret(KEY),
        expires_at: None,
    }];
    let catalog = Catalog::from_toml_str(include_str!("../../../catalog.toml")).expect("catalog");
    let producer =
        Arc::new(KafkaProducer::new(&config.kafka, &config.gateway).expect("a producer"));
    router(GatewayState {
        catalog: Arc::new(catalog.clone()),
        producer,
        kafka: Arc::new(config.kafka.clone()),
        api_keys: Arc::new(ApiKeys::new(&config.gateway.api_keys)),
        sites: Arc::new(
            civicpulse_ingest::gateway::public::Sites::new(&config.gateway.sites, &catalog)
                .expect("the sites"),
        ),
        invitations: Arc::new(civicpulse_ingest::gateway::invitations::Invitations::new(
            &config.gateway.invitations,
            None,
        )),
        config: Arc::new(config.gateway),
    })
}

async fn send(request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    let response = app().oneshot(request).await.expect("the router answers");
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn post(body: impl Into<Body>, content_type: &str, key: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/v1/events").header("content-type", content_type);
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    request.body(body.into()).unwrap()
}

fn event() -> Value {
    json!({
        "kind": "offered", "event_id": uuid::Uuid::new_v4().to_string(),
        "occurred_at": chrono::Utc::now().to_rfc3339(),
        "service_id": "old-age-security", "channel": "web"
    })
}

#[tokio::test]
async fn without_or_with_a_wrong_key_the_answer_is_401_in_json() {
    for key in [None, Some("guess")] {
        let (status, headers, body) =
            send(post(json!([event()]).to_string(), "application/json", key)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(headers.contains_key("www-authenticate"));
        assert_eq!(body["error"]["code"], "unauthorized");
    }
}

#[tokio::test]
async fn sizes_beyond_the_limits_are_413() {
    let big = format!("[{}]", "1,".repeat(1500) + "1");
    let (status, _, body) = send(post(big, "application/json", Some(KEY))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["code"], "body_too_large");
    let four = json!([event(), event(), event(), event()]).to_string();
    let (status, _, body) = send(post(four, "application/json", Some(KEY))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["code"], "too_many_events");
}

#[tokio::test]
async fn unreadable_bodies_and_unknown_content_types_are_400() {
    for (body, content_type) in [
        ("[{", "application/json"),
        ("42", "application/json"),
        ("[]", "application/json"),
        ("a,b", "text/csv"),
    ] {
        let (status, _, answer) = send(post(body, content_type, Some(KEY))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} as {content_type}");
        assert_eq!(answer["error"]["code"], "bad_request", "{answer}");
    }
}

#[tokio::test]
async fn a_batch_with_nothing_valid_is_400_with_each_field_named() {
    let mut wrong_service = event();
    wrong_service["service_id"] = json!("moon-base");
    let body = format!(
        "[{}, {}]",
        wrong_service, r#"{"kind": "offered", "service_id": "a", "service_id": "b"}"#
    );
    let (status, _, answer) = send(post(body, "application/json", Some(KEY))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["rejected"], 2);
    assert_eq!(answer["results"][0]["errors"][0]["field"], "service_id");
    assert_eq!(answer["results"][1]["errors"][0]["field"], "service_id");
}

#[tokio::test]
async fn a_body_that_never_arrives_is_408() {
    let never = futures::stream::pending::<Result<Vec<u8>, std::io::Error>>();
    let request = post(Body::from_stream(never), "application/json", Some(KEY));
    let started = std::time::Instant::now();
    let (status, _, body) = send(request).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(body["error"]["code"], "body_timeout");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn when_kafka_does_not_acknowledge_the_answer_is_503_and_nothing_is_accepted() {
    let (status, headers, body) = send(post(
        json!([event()]).to_string(),
        "application/json",
        Some(KEY),
    ))
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(headers.contains_key("retry-after"));
    assert_eq!(body["error"]["code"], "unavailable");
    assert!(body.get("results").is_none(), "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(!message.contains("127.0.0.1"), "{message}");
}

#[tokio::test]
async fn health_is_open() {
    let request = Request::get("/healthz").body(Body::empty()).unwrap();
    let response = app().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_json() {
    let (status, _, body) = send(Request::get("/v2/events").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found", "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("POST /v1/events"));

    let (status, _, body) = send(Request::get("/v1/events").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["error"]["code"], "method_not_allowed", "{body}");
}
