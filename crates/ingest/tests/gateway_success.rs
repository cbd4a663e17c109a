//! Every gateway route's success path in process (`oneshot`, no servers): the gateway
//! over an in-memory producer, so what a client or a citizen is answered, and what would
//! reach Kafka, are both read here. The failure paths are in the other router tests; the
//! real broker in `tests/e2e`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use civicpulse_core::config::{hash_secret, ApiKey, Config, Site};
use civicpulse_core::Catalog;
use civicpulse_ingest::gateway::invitations::Invitations;
use civicpulse_ingest::gateway::public::Sites;
use civicpulse_ingest::gateway::{router, ApiKeys, GatewayState};
use civicpulse_ingest::producer::{MemoryProducer, Outgoing};
use serde_json::{json, Value};
use tower::ServiceExt;

const KEY: &str = "cases-key";
const ORIGIN: &str = "https://www.canada.ca";

fn app() -> (Router, Arc<MemoryProducer>) {
    let mut config = Config::default();
    config.gateway.public_base_url = "http://gateway.example".parse().unwrap();
    config.gateway.api_keys = vec![ApiKey {
        source: "cases".into(),
        sha256: hash_secret(KEY),
        expires_at: None,
    }];
    config.gateway.invitations.secret = "success-test-secret".into();
    config.gateway.public.demo_site = "pk-canada".into();
    config.gateway.sites = vec![Site {
        name: "canada".into(),
        key: "pk-canada".into(),
        origins: vec![ORIGIN.into()],
        services: vec!["employment-insurance".into()],
        per_client_per_minute: 100,
        per_site_per_minute: 1_000,
    }];
    let catalog = Catalog::from_toml_str(include_str!("../../../catalog.toml")).expect("catalog");
    let producer = Arc::new(MemoryProducer::default());
    let state = GatewayState {
        catalog: Arc::new(catalog.clone()),
        producer: producer.clone(),
        kafka: Arc::new(config.kafka.clone()),
        api_keys: Arc::new(ApiKeys::new(&config.gateway.api_keys)),
        sites: Arc::new(Sites::new(&config.gateway.sites, &catalog).expect("the sites")),
        invitations: Arc::new(Invitations::new(&config.gateway.invitations, None)),
        config: Arc::new(config.gateway),
    };
    (router(state), producer)
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = app.clone().oneshot(request).await.expect("an answer");
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("a body");
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn payload(message: &Outgoing) -> Value {
    serde_json::from_slice(&message.payload).expect("a JSON payload")
}

#[tokio::test]
async fn a_case_system_s_events_are_accepted_and_sent_keyed_by_case() {
    let (app, producer) = app();
    let event_id = uuid::Uuid::new_v4().to_string();
    let events = json!([{
        "kind": "offered", "event_id": event_id,
        "occurred_at": chrono::Utc::now().to_rfc3339(),
        "service_id": "old-age-security", "channel": "web"
    }]);
    let request = Request::post("/v1/events")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {KEY}"))
        .body(Body::from(events.to_string()))
        .unwrap();
    let (status, _, body) = send(&app, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["results"][0]["status"], "accepted", "{answer}");
    assert_eq!(answer["accepted"], 1, "{answer}");
    let sent = producer.sent();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].topic.contains("offered"), "{}", sent[0].topic);
    let envelope = payload(&sent[0]);
    assert_eq!(
        envelope.to_string().matches(&event_id).count(),
        1,
        "{envelope}"
    );
    assert!(
        envelope.to_string().contains("\"cases\""),
        "the source is the key's: {envelope}"
    );
}

#[tokio::test]
async fn a_citizen_s_widget_answer_is_accepted_and_sent_scrubbed() {
    let (app, producer) = app();
    let answer = json!({
        "site": "pk-canada", "service_id": "employment-insurance", "helpful": "no",
        "comment": "Unclear page, write to me at jean.tremblay@example.ca", "lang": "en",
        "website": "", "shown_at": chrono::Utc::now().timestamp_millis() - 5_000
    });
    let request = Request::post("/v1/public/feedback")
        .header("content-type", "application/json")
        .header("origin", ORIGIN)
        .body(Body::from(answer.to_string()))
        .unwrap();
    let (status, headers, body) = send(&app, request).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    let sent = producer.sent();
    assert_eq!(sent.len(), 1, "one feedback event");
    let text = payload(&sent[0]).to_string();
    assert!(text.contains("Unclear page"), "{text}");
    assert!(
        !text.contains("jean.tremblay@example.ca"),
        "the e-mail is scrubbed: {text}"
    );
}

#[tokio::test]
async fn the_widget_the_form_the_thanks_and_the_demo_pages_are_served() {
    let (app, _) = app();
    for (path, kind, needle) in [
        ("/widget.js", "javascript", "v1/public/feedback"),
        (
            "/feedback/form?site=pk-canada&service=employment-insurance&lang=en",
            "text/html",
            "<form",
        ),
        ("/feedback/thanks?lang=fr", "text/html", "Merci"),
        ("/demo", "text/html", "<html"),
    ] {
        let (status, headers, body) =
            send(&app, Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        let content_type = headers["content-type"].to_str().unwrap();
        assert!(content_type.contains(kind), "{path}: {content_type}");
        assert!(body.contains(needle), "{path} lacks {needle}");
    }
}

#[tokio::test]
async fn an_invitation_gives_a_link_whose_survey_is_answered_once() {
    let (app, producer) = app();
    let case = json!({"service_id": "passport-in-person", "case_ref": "P-2026-000123",
        "channel": "in_person", "lang": "fr"});
    let request = Request::post("/v1/invitations")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {KEY}"))
        .body(Body::from(case.to_string()))
        .unwrap();
    let (status, _, body) = send(&app, request).await;
    assert!(status.is_success(), "{status}: {body}");
    let invitation: Value = serde_json::from_str(&body).unwrap();
    let url = invitation["url"].as_str().expect("a survey link");
    assert!(url.starts_with("http://gateway.example/s/"), "{url}");
    let offers = producer.sent();
    assert_eq!(offers.len(), 1, "the offer is recorded first");

    let path = url.trim_start_matches("http://gateway.example");
    let (status, _, page) = send(&app, Request::get(path).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("lang=\"fr\""),
        "the survey speaks the case's language"
    );
    assert!(page.contains("<form"), "{page}");

    let answer = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("satisfaction=5&shown_at=1000"))
        .unwrap();
    let (status, headers, _) = send(&app, answer).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers["location"]
        .to_str()
        .unwrap()
        .contains("/feedback/thanks"));
    let sent = producer.sent();
    assert_eq!(sent.len(), 2, "the answer follows the offer");
    let response = payload(&sent[1]).to_string();
    assert!(
        response.contains("P-2026-000123") && response.contains("\"survey\""),
        "{response}"
    );

    // Answered: the same link now says so rather than taking a second answer.
    let again = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("satisfaction=1&shown_at=1000"))
        .unwrap();
    let (status, _, _) = send(&app, again).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(producer.sent().len(), 2);
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let (app, producer) = app();
    let (status, _, body) = send(&app, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    let (status, _, body) = send(&app, Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    producer.set_down(true);
    let (status, _, body) = send(&app, Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("kafka_unreachable"), "{body}");
    let (status, headers, _) =
        send(&app, Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
}

#[tokio::test]
async fn a_broker_that_stops_answering_loses_nothing_silently() {
    let (app, producer) = app();
    producer.set_down(true);
    let events = json!([{
        "kind": "offered", "event_id": uuid::Uuid::new_v4().to_string(),
        "occurred_at": chrono::Utc::now().to_rfc3339(),
        "service_id": "old-age-security", "channel": "web"
    }]);
    let request = Request::post("/v1/events")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {KEY}"))
        .body(Body::from(events.to_string()))
        .unwrap();
    let (status, headers, _) = send(&app, request).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(headers.contains_key("retry-after"));
    assert!(producer.sent().is_empty());
}
