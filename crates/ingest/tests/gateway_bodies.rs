//! Every route of the gateway against bodies that never finish or never end, in-process
//! (`oneshot`). The routes come from the gateway's own route table, so a route added later
//! is visited too. Each request carries valid credentials (API key, site origin, a sealed
//! survey link) so that every route that reads a body gets as far as reading it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use civicpulse_core::config::{hash_secret, ApiKey, Config, Site};
use civicpulse_core::Catalog;
use civicpulse_ingest::gateway::invitations::{Invitation, Invitations, Sealer};
use civicpulse_ingest::gateway::public::Sites;
use civicpulse_ingest::gateway::{route_table, router, ApiKeys, GatewayState};
use civicpulse_ingest::producer::KafkaProducer;
use serde_json::Value;
use tower::ServiceExt;

const KEY: &str = "bodies-test-key";
const SECRET: &str = "bodies-test-secret";
const ORIGIN: &str = "https://www.canada.ca";
const MAX_BODY_BYTES: usize = 256 * 1024;
const CHUNK: usize = 64 * 1024;
/// 64 MB, as in the measurement.
const LARGE: usize = 64 * 1024 * 1024;
/// Beyond the 1 s deadline: a slow test machine, and `/readyz` asking Kafka for 2 s.
const ANSWER_WITHIN: Duration = Duration::from_secs(4);
const METHODS: [Method; 6] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

fn state() -> GatewayState {
    let mut config = Config::default();
    config.kafka.brokers = "127.0.0.1:9".into();
    config.gateway.delivery_timeout_ms = 1_000;
    config.gateway.max_body_bytes = MAX_BODY_BYTES;
    config.gateway.limits.body_read_timeout_secs = 1;
    config.gateway.api_keys = vec![ApiKey {
        source: "cases".into(),
        sha256: hash_secret(KEY),
        expires_at: None,
    }];
    config.gateway.invitations.secret = SECRET.into();
    config.gateway.sites = vec![Site {
        name: "canada".into(),
        key: "pk-canada".into(),
        origins: vec![ORIGIN.into()],
        services: vec!["employment-insurance".into()],
        per_client_per_minute: 1_000,
        per_site_per_minute: 1_000,
    }];
    let catalog = Catalog::from_toml_str(include_str!("../../../catalog.toml")).expect("catalog");
    let producer =
        Arc::new(KafkaProducer::new(&config.kafka, &config.gateway).expect("a producer"));
    GatewayState {
        producer,
        kafka: Arc::new(config.kafka.clone()),
        api_keys: Arc::new(ApiKeys::new(&config.gateway.api_keys)),
        sites: Arc::new(Sites::new(&config.gateway.sites, &catalog).expect("the sites")),
        invitations: Arc::new(Invitations::new(&config.gateway.invitations, None)),
        config: Arc::new(config.gateway),
        catalog: Arc::new(catalog),
    }
}

/// A valid survey link's token.
fn token() -> String {
    Sealer::new(SECRET).seal(&Invitation {
        id: uuid::Uuid::new_v4(),
        service_id: "passport-in-person".into(),
        case_ref: "P-2026-000123".into(),
        channel: "in_person".into(),
        stage: None,
        lang: "en".into(),
        expires_at: chrono::Utc::now() + chrono::Duration::days(1),
    })
}

/// The route's path with a sample for each parameter; a new parameter needs a sample here.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment {
            "{token}" => token(),
            s if s.starts_with('{') => panic!("give the parameter {s} of {path} a sample"),
            s => s.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every (method, path) the router may answer, from its route table.
fn every_route(state: &GatewayState) -> Vec<(Method, String, String)> {
    let table = route_table(state);
    assert!(table.paths().len() >= 8, "{:?}", table.paths());
    table
        .paths()
        .iter()
        .flat_map(|path| {
            METHODS
                .iter()
                .map(move |method| (method.clone(), path.clone(), concrete(path)))
        })
        .collect()
}

/// A body whose bytes the test counts as the server reads them.
struct Counted {
    read: Arc<AtomicUsize>,
}

impl Counted {
    fn new() -> Counted {
        Counted {
            read: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn read(&self) -> usize {
        self.read.load(Ordering::SeqCst)
    }

    /// One byte every 200 ms, for ever.
    fn dribble(&self) -> Body {
        let read = Arc::clone(&self.read);
        Body::from_stream(futures::stream::unfold(read, |read| async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            read.fetch_add(1, Ordering::SeqCst);
            Some((Ok::<_, std::io::Error>(Bytes::from_static(b" ")), read))
        }))
    }

    /// `total` bytes as fast as the server takes them, without a `Content-Length`.
    fn flood(&self, total: usize) -> Body {
        let read = Arc::clone(&self.read);
        let chunk = Bytes::from(vec![b' '; CHUNK]);
        Body::from_stream(futures::stream::iter(0..total / CHUNK).map(move |_| {
            read.fetch_add(CHUNK, Ordering::SeqCst);
            Ok::<_, std::io::Error>(chunk.clone())
        }))
    }
}

use futures::StreamExt;

fn request(method: &Method, uri: &str, body: Body, credentials: bool) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json");
    if credentials {
        builder = builder
            .header("authorization", format!("Bearer {KEY}"))
            .header("origin", ORIGIN);
    }
    builder.body(body).unwrap()
}

struct Answer {
    status: StatusCode,
    json: Value,
    after: Duration,
}

/// The router's answer, or `None` when it did not come within [`ANSWER_WITHIN`].
async fn answer(app: Router, request: Request<Body>) -> Option<Answer> {
    let started = Instant::now();
    let response = tokio::time::timeout(ANSWER_WITHIN, app.oneshot(request))
        .await
        .ok()?
        .expect("the router answers");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    Some(Answer {
        status,
        json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        after: started.elapsed(),
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_answers_a_body_that_never_finishes_within_the_deadline() {
    let state = state();
    let app = router(state.clone());
    let runs = every_route(&state).into_iter().map(|(method, path, uri)| {
        let app = app.clone();
        tokio::spawn(async move {
            let body = Counted::new();
            let answer = answer(app, request(&method, &uri, body.dribble(), true)).await;
            (format!("{method} {path}"), answer, body.read())
        })
    });
    let mut readers = Vec::new();
    for run in futures::future::join_all(runs).await {
        let (route, answer, read) = run.unwrap();
        let answer = answer.unwrap_or_else(|| {
            panic!("{route} kept a never-finishing body open past {ANSWER_WITHIN:?} (read {read} bytes)")
        });
        if read > 0 {
            // It read the body, so it waited for it: cut off at the deadline with 408.
            assert_eq!(
                answer.status,
                StatusCode::REQUEST_TIMEOUT,
                "{route}: {}",
                answer.json
            );
            assert_eq!(answer.json["error"]["code"], "body_timeout", "{route}");
            assert_eq!(
                answer.json["error"]["message"],
                "request body did not arrive whole within 1 s; send it whole, promptly"
            );
            assert!(
                answer.after >= Duration::from_secs(1),
                "{route}: {:?}",
                answer.after
            );
            readers.push(route);
        }
    }
    for route in [
        "POST /v1/events",
        "POST /v1/public/feedback",
        "POST /v1/invitations",
        "POST /s/{token}",
    ] {
        assert!(
            readers.iter().any(|r| r == route),
            "{route} read nothing: {readers:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_route_reads_more_than_the_limit_of_a_body_that_never_ends() {
    let state = state();
    let app = router(state.clone());
    let runs = every_route(&state).into_iter().map(|(method, path, uri)| {
        let app = app.clone();
        tokio::spawn(async move {
            let body = Counted::new();
            let answer = answer(app, request(&method, &uri, body.flood(LARGE), true)).await;
            (format!("{method} {path}"), answer, body.read())
        })
    });
    for run in futures::future::join_all(runs).await {
        let (route, answer, read) = run.unwrap();
        let answer = answer.unwrap_or_else(|| panic!("{route} did not answer a 64 MB body"));
        // The stream may be one chunk ahead of what the limit let through.
        assert!(
            read <= MAX_BODY_BYTES + CHUNK,
            "{route} read {read} bytes of a 64 MB body (limit {MAX_BODY_BYTES}) and answered {}",
            answer.status
        );
        // The survey answers a person's browser with its page; every other route in JSON.
        if answer.status == StatusCode::PAYLOAD_TOO_LARGE && !route.contains("/s/") {
            assert_eq!(answer.json["error"]["code"], "body_too_large", "{route}");
        }
    }
    // A declared length over the limit is refused before a byte is read.
    let body = Counted::new();
    let mut declared = request(&Method::POST, "/v1/events", body.flood(LARGE), true);
    declared
        .headers_mut()
        .insert("content-length", LARGE.to_string().parse().unwrap());
    let refused = answer(app, declared).await.unwrap();
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        refused.json["error"]["message"],
        format!("request body exceeds {MAX_BODY_BYTES} bytes")
    );
    assert_eq!(body.read(), 0);
}

/// Credentials come from the headers and the path, before the body: a request that has
/// none is refused having read nothing of its 64 MB.
#[tokio::test(flavor = "multi_thread")]
async fn without_credentials_nothing_of_the_body_is_read() {
    let app = router(state());

    let body = Counted::new();
    let anonymous = request(&Method::POST, "/v1/invitations", body.flood(LARGE), false);
    let refused = answer(app.clone(), anonymous).await.unwrap();
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.json);
    assert_eq!(refused.json["error"]["code"], "unauthorized");
    assert_eq!(body.read(), 0, "bytes read before the 401");

    let body = Counted::new();
    let forged = request(&Method::POST, "/s/not-a-token", body.flood(LARGE), false);
    let refused = answer(app.clone(), forged).await.unwrap();
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(body.read(), 0, "bytes read before the 400");

    let body = Counted::new();
    let anonymous = request(&Method::POST, "/v1/events", body.flood(LARGE), false);
    let refused = answer(app, anonymous).await.unwrap();
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(body.read(), 0, "bytes read before the 401");
}
