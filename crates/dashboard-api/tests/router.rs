//! The dashboard API's router in-process (`oneshot`, no servers).
//!
//! Every parameter of every endpoint: whatever a client sends, the answer is a 400 naming a
//! parameter, or the request passes validation and reaches the store, which this test does
//! not run (503). Never a panic, never a 500. Also auth, content negotiation, request ids
//! and the open endpoints.

use std::sync::{Arc, LazyLock};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use civicpulse_core::access::Role;
use civicpulse_core::{Catalog, Config};
use civicpulse_dashboard_api::openapi::ApiDoc;
use civicpulse_dashboard_api::{router, ApiState};
use civicpulse_testkit::config::token_of;
use proptest::prelude::*;
use serde_json::Value;
use tower::ServiceExt;
use utoipa::OpenApi;

const TOKEN: &str = "test-token";
const ADMIN: &str = "admin-token";

/// Every endpoint that takes parameters, with the names its OpenAPI document lists: the
/// same list the API checks requests against.
static ENDPOINTS: LazyLock<Vec<(String, Vec<String>)>> = LazyLock::new(|| {
    let doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serializes");
    let endpoints: Vec<(String, Vec<String>)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        // Query parameters only: a path with parameters in it (a report's file) is
        // matched by the router, not checked as a query.
        .filter(|(path, _)| !path.contains('{'))
        .filter_map(|(path, item)| {
            let names: Vec<String> = item["get"]["parameters"]
                .as_array()?
                .iter()
                .filter_map(|p| Some(p["name"].as_str()?.to_string()))
                .collect();
            (!names.is_empty()).then(|| (path.clone(), names))
        })
        .collect();
    assert_eq!(endpoints.len(), 19, "{endpoints:?}");
    endpoints
});

fn app() -> Router {
    let catalog = Catalog::from_toml_str(include_str!("../../../catalog.toml")).expect("catalog");
    let mut config = Config::default();
    // Nothing listens here: a request that passes validation meets an unavailable store.
    config.clickhouse.url = "http://127.0.0.1:9".into();
    config.dashboard.tokens = vec![
        token_of("test", TOKEN, Role::Analyst),
        token_of("service-manager", ADMIN, Role::Admin),
    ];
    router(ApiState::new(Arc::new(catalog), &config))
}

/// The status and JSON body of one GET.
async fn get(app: Router, path_and_query: &str) -> (StatusCode, Value) {
    let request = Request::get(path_and_query)
        .header("authorization", format!("Bearer {ADMIN}"))
        .body(Body::empty())
        .expect("a request");
    let response = app.oneshot(request).await.expect("the router answers");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .expect("a body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

/// Dates and times of every shape, from chrono's extremes to years ClickHouse cannot hold.
fn date_text() -> impl Strategy<Value = String> {
    let year = prop_oneof![
        -300_000i64..300_000,
        1890i64..2120,
        Just(0),
        Just(1969),
        Just(2106),
        Just(10_000)
    ];
    let offset = prop_oneof![Just("Z"), Just("+00:00"), Just("-05:00"), Just("+14:00")];
    (year, 0u32..14, 0u32..33, 0u32..25, offset, 0u8..6).prop_map(|(y, m, d, h, off, form)| {
        match form {
            0 => format!("{y:04}-{m:02}-{d:02}"),
            1 => format!("{y:04}-{m:02}-{d:02}T{h:02}:00:00{off}"),
            2 => format!("{y:04}-{m:02}"),
            3 => format!("{y:04}-Q{}", m % 6),
            4 => format!("+{y:06}-{m:02}-{d:02}"),
            _ => format!("{y}-{m}-{d}"),
        }
    })
}

fn value_text() -> impl Strategy<Value = String> {
    prop_oneof![
        date_text(),
        Just("262143-12-31".to_string()),
        Just("-262144-01-01".to_string()),
        Just("9999-12-31T23:59:59Z".to_string()),
        Just("passport-in-person".to_string()),
        Just("week".to_string()),
        Just("channel".to_string()),
        Just("satisfaction_mean".to_string()),
        Just("breached".to_string()),
        "[0-9]{1,25}",
        any::<String>(),
    ]
}

fn query() -> impl Strategy<Value = (usize, Vec<(String, String)>)> {
    (0..ENDPOINTS.len()).prop_flat_map(|endpoint| {
        let names = ENDPOINTS[endpoint].1.clone();
        let pair = (prop::sample::select(names), value_text())
            .prop_map(|(name, value)| (name.to_string(), value));
        (Just(endpoint), prop::collection::vec(pair, 0..4))
    })
}

fn encode(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent_encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn any_parameters_get_a_named_400_or_reach_the_store((endpoint, pairs) in query()) {
        let (path, names) = &ENDPOINTS[endpoint];
        let uri = format!("{path}?{}", encode(&pairs));
        let (status, body) = block_on(get(app(), &uri));
        prop_assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::SERVICE_UNAVAILABLE,
            "{uri}: {status} {body}"
        );
        let message = body["error"]["message"].as_str().unwrap_or_default().to_string();
        if status == StatusCode::BAD_REQUEST {
            prop_assert_eq!(&body["error"]["code"], "bad_parameter", "{}", uri);
            // A parameter given, or one the endpoint requires (`metric`).
            let named = names.iter().any(|name| message.contains(&format!("`{name}`")))
                || message.contains("`query`");
            prop_assert!(named, "{uri}: the message names no parameter: {message}");
        } else {
            prop_assert!(message.contains("request id"), "{uri}: {body}");
        }
    }
}

#[test]
fn dates_the_store_cannot_hold_are_refused_naming_the_parameter() {
    let cases = [
        ("/api/v1/sla/cases?from=0000-01-01", "from"),
        ("/api/v1/sla/cases?to=10000-01-01", "to"),
        ("/api/v1/sla/cases?from=1900-01-01", "from"),
        ("/api/v1/sla/cases?to=2106-03-01", "to"),
        ("/api/v1/sla/cases?from=1969-12-31T23:59:59Z", "from"),
        ("/api/v1/sla/cases?from=2026-03-02&to=2026-03-02", "from"),
        ("/api/v1/sla/cases?from=2026-03-03&to=2026-03-02", "from"),
        ("/api/v1/sla/summary?to=%2B262143-12-31", "to"),
        ("/api/v1/sla/summary?from=-262143-01-01", "from"),
        ("/api/v1/matrix?period=1900-01", "period"),
        ("/api/v1/matrix?period=262143-Q4", "period"),
        ("/api/v1/matrix?period=2106-01", "period"),
        ("/api/v1/matrix?from=1969-01-01&to=2026-01-01", "from"),
        ("/api/v1/matrix?from=2026-01-01&to=262143-12-31", "to"),
        ("/api/v1/matrix/snapshots?period=0000-01", "period"),
        ("/api/v1/timeseries?metric=responses&to=1970-01-01", "to"),
        (
            "/api/v1/timeseries?metric=responses&from=%2B10000-01-01&to=2026-01-01",
            "from",
        ),
    ];
    for (uri, parameter) in cases {
        let (status, body) = block_on(get(app(), uri));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("`{parameter}`")),
            "{uri}: {message}"
        );
    }
}

#[test]
fn dates_inside_the_horizon_pass_validation() {
    for uri in [
        "/api/v1/sla/cases?from=2000-01-01&to=2100-01-01",
        "/api/v1/sla/summary?from=2000-01-01T00:00:00Z",
        "/api/v1/matrix?period=2000-01",
        "/api/v1/matrix?period=2099-Q4",
        "/api/v1/timeseries?metric=responses&from=2099-01-01&to=2100-01-01",
    ] {
        let (status, body) = block_on(get(app(), uri));
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{uri}: {body}");
    }
}

#[test]
fn a_store_failure_answers_a_request_id_and_no_internals() {
    let (status, body) = block_on(get(app(), "/api/v1/sla/summary"));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("request id"), "{message}");
    for internal in ["127.0.0.1", "refused", "connect", "hyper", "Code:"] {
        assert!(!message.contains(internal), "{internal} leaked: {message}");
    }
}

/// One request with the given headers; the status and the JSON body.
async fn get_with(
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    (
        status,
        headers,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[test]
fn every_read_needs_a_valid_token() {
    let bearer = format!("Bearer {TOKEN}");
    for (path, _) in ENDPOINTS.iter() {
        for headers in [
            vec![],
            vec![("authorization", "Bearer guess")],
            vec![("authorization", "Basic x")],
        ] {
            let (status, answer_headers, body) = block_on(get_with(path, &headers));
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path} {headers:?}");
            assert_eq!(answer_headers["www-authenticate"], "Bearer");
            assert!(
                body["error"]["code"].as_str().unwrap().ends_with("_token"),
                "{body}"
            );
        }
        let (status, _, _) = block_on(get_with(path, &[("authorization", &bearer)]));
        assert_ne!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
}

#[test]
fn only_json_or_csv_is_answered_and_every_answer_has_a_request_id() {
    let bearer = format!("Bearer {TOKEN}");
    let (status, headers, body) = block_on(get_with(
        "/api/v1/services",
        &[("authorization", &bearer), ("accept", "text/html")],
    ));
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE, "{body}");
    assert_eq!(body["error"]["code"], "not_acceptable");
    assert!(headers.contains_key("x-request-id"));
    let (status, headers, _) = block_on(get_with(
        "/api/v1/services",
        &[
            ("authorization", &bearer),
            ("accept", "text/csv"),
            ("x-request-id", "abc-123"),
        ],
    ));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-type"].to_str().unwrap().split(';').next(),
        Some("text/csv")
    );
    assert_eq!(headers["x-request-id"], "abc-123");
}

#[test]
fn the_openapi_document_and_health_are_open() {
    for path in ["/api/v1/openapi.json", "/healthz"] {
        let (status, _, _) = block_on(get_with(path, &[]));
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    let (status, _, body) = block_on(get_with("/readyz", &[]));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!body.to_string().contains("refused"), "{body}");
}

#[test]
fn unknown_paths_and_methods_answer_in_json() {
    let (status, body) = block_on(get(app(), "/api/v1/matrixx"));
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found", "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("openapi.json"));

    let request = Request::post("/api/v1/matrix")
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap();
    let response = block_on(app().oneshot(request)).unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let bytes = block_on(axum::body::to_bytes(response.into_body(), 1 << 20)).unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed", "{body}");
}

#[test]
fn report_pages_and_exports_refuse_what_they_cannot_read() {
    let cases = [
        (
            "/reports/2026-09?lang=de",
            StatusCode::BAD_REQUEST,
            "`lang`",
        ),
        ("/reports/last-month", StatusCode::BAD_REQUEST, "`period`"),
        (
            "/api/v1/exports/omb-a11?period=2026-09",
            StatusCode::BAD_REQUEST,
            "`period`",
        ),
        (
            "/api/v1/exports/gc-service-std?period=2026-2028",
            StatusCode::BAD_REQUEST,
            "`period`",
        ),
        (
            "/api/v1/exports/govuk-kpis?period=2026-09&service_id=nope",
            StatusCode::BAD_REQUEST,
            "`service_id`",
        ),
        // Valid, but nothing answers at the store: 503 with a request id, never a panic.
        (
            "/api/v1/reports/2026-09/en/report.html",
            StatusCode::SERVICE_UNAVAILABLE,
            "request id",
        ),
        (
            "/reports/2026-09?lang=fr",
            StatusCode::SERVICE_UNAVAILABLE,
            "request id",
        ),
    ];
    for (uri, expected, says) in cases {
        let (status, body) = block_on(get(app(), uri));
        assert_eq!(status, expected, "{uri}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{uri}: {message}");
    }
    // Report pages need a token unless `[reports] public`.
    let request = Request::get("/reports/2026-09")
        .body(Body::empty())
        .expect("a request");
    let response = block_on(app().oneshot(request)).expect("the router answers");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

/// One request with a method, a token and a body; the status and the JSON body.
async fn send(method: &str, path: &str, token: Option<&str>, body: &str) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let response = app()
        .oneshot(request.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

const STRIKE: &str = r#"{"id": "2026-postal-disruption", "services": ["passport-by-mail"],
  "from": "2026-11-16T00:00:00-05:00", "to": "2026-11-28T00:00:00-05:00",
  "reason": "Canada Post labour disruption", "effect": "pause_clock"}"#;

#[test]
fn declaring_an_exception_needs_an_admin_token() {
    for (method, path) in [
        ("POST", "/api/v1/sla/exceptions"),
        ("DELETE", "/api/v1/sla/exceptions/2026-postal-disruption"),
    ] {
        let (status, body) = block_on(send(method, path, None, STRIKE));
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("missing_token"))
        );
        let (status, body) = block_on(send(method, path, Some("guess"), STRIKE));
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("bad_token"))
        );
        // An analyst reads, but may not change anything.
        let (status, body) = block_on(send(method, path, Some(TOKEN), STRIKE));
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("needs the admin role"));
        // The admin's request passes and meets the down store.
        let (status, body) = block_on(send(method, path, Some(ADMIN), STRIKE));
        assert_eq!(
            status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{method} {path}: {body}"
        );
    }
    // Reading the list takes a read token, like every read.
    let (status, _) = block_on(send("GET", "/api/v1/sla/exceptions", Some(TOKEN), ""));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
}

#[test]
fn a_malformed_exception_is_refused_naming_its_field() {
    let with = |field: &str, value: Value| {
        let mut body: Value = serde_json::from_str(STRIKE).unwrap();
        body[field] = value;
        body.to_string()
    };
    let cases = [
        ("not json".to_string(), "body"),
        (with("effect", "forgive".into()), "effect"),
        (with("from", "16 November".into()), "from"),
        (with("to", "2026-11-01T00:00:00Z".into()), "body"),
        (with("to", "2200-01-01T00:00:00Z".into()), "to"),
        (with("services", serde_json::json!([])), "body"),
        (
            with("services", serde_json::json!(["no-such-service"])),
            "services",
        ),
        (with("reason", "".into()), "body"),
        (with("color", "red".into()), "body"),
    ];
    for (body, field) in cases {
        let (status, answer) = block_on(send("POST", "/api/v1/sla/exceptions", Some(ADMIN), &body));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], "bad_parameter");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains(&format!("`{field}`")), "{body}: {message}");
    }
}

/// Every operation of the OpenAPI document (method and path, path parameters filled in with
/// their examples), taken from the document so that a new route cannot escape the rule.
fn operations() -> Vec<(String, String)> {
    let doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serializes");
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let mut uri = path.clone();
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "path" {
                    let name = parameter["name"].as_str().expect("a name");
                    let example = parameter["example"].as_str().unwrap_or("x");
                    uri = uri.replace(&format!("{{{name}}}"), example);
                }
            }
            assert!(!uri.contains('{'), "{method} {path}: a path parameter left");
            operations.push((method.to_uppercase(), uri));
        }
    }
    operations
}

#[test]
fn every_route_refuses_an_unknown_or_repeated_parameter() {
    let operations = operations();
    assert!(operations.len() >= 19, "{operations:?}");
    for (method, path) in &operations {
        let token = ADMIN;
        let uri = format!("{path}?colour=red");
        let (status, body) = block_on(send(method, &uri, Some(token), STRIKE));
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {uri}: {body}");
        assert_eq!(body["error"]["code"], "bad_parameter", "{method} {uri}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("`colour`"), "{method} {uri}: {message}");
    }
    // The audit trail takes no parameter, so any name given twice is refused too.
    let (status, body) = block_on(send(
        "GET",
        "/api/v1/sla/exceptions/2026-postal-disruption/history?as_of=1&as_of=2",
        Some(TOKEN),
        "",
    ));
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

/// `[dashboard.limits] body_read_timeout_secs` (30 s here) holds for the admin routes that
/// read a body: a declaration sent one byte every 2 s is cut off at the deadline with 408.
#[tokio::test(start_paused = true)]
async fn an_admin_body_that_never_finishes_is_cut_off_at_the_deadline() {
    let dribble = futures::stream::unfold((), |()| async {
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        Some((
            Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b" ")),
            (),
        ))
    });
    let request = Request::post("/api/v1/sla/exceptions")
        .header("authorization", format!("Bearer {ADMIN}"))
        .header("content-type", "application/json")
        .body(Body::from_stream(dribble))
        .unwrap();
    let started = tokio::time::Instant::now();
    let response =
        tokio::time::timeout(std::time::Duration::from_secs(120), app().oneshot(request))
            .await
            .expect("the declaration's body was waited for past the deadline")
            .unwrap();
    assert_eq!(started.elapsed(), std::time::Duration::from_secs(30));
    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["error"]["code"], "body_timeout");
}

#[test]
fn an_oversized_declaration_is_413_in_json() {
    let huge = format!("{{\"reason\": \"{}\"}}", "x".repeat(1 << 20));
    let (status, body) = block_on(send("POST", "/api/v1/sla/exceptions", Some(ADMIN), &huge));
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "body_too_large");
    assert_eq!(
        body["error"]["message"],
        format!(
            "request body exceeds {} bytes",
            civicpulse_dashboard_api::MAX_BODY_BYTES
        )
    );
}

/// Client generators name a function after each operation id, and the OpenAPI
/// specification requires them unique: three handlers named `list` once shared one.
#[test]
fn every_operation_has_its_own_id() {
    let doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serializes");
    let mut ids: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("an item").values())
        .filter_map(|operation| Some(operation["operationId"].as_str()?.to_string()))
        .collect();
    let operations = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        operations,
        "duplicated operation ids among {ids:?}"
    );
    assert_eq!(operations, 27, "every route of the API is documented");
}
