//! One rule for the exceptions in force (`civicpulse_core::exception::effective`): what the
//! API lists is what the evaluation applies, so the ledger and the reports (which read the
//! evaluated cases) agree with the list. Tried as a service manager would: override a
//! catalog exception through the API, then withdraw it.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use chrono::{DateTime, Utc};
use civicpulse_analytics::sla::rules::{evaluate, CaseMilestone, EvaluationContext};
use civicpulse_core::access::Role;
use civicpulse_core::event::MilestoneKind;
use civicpulse_core::exception;
use civicpulse_core::{Catalog, Config};
use civicpulse_dashboard_api::{router, ApiState};
use civicpulse_store::tables::sla_exceptions::ExceptionRow;
use civicpulse_testkit::config::token_of;
use civicpulse_testkit::memory::{MemoryStore, Tables};
use serde_json::{json, Value};
use tower::ServiceExt;

const TOKEN: &str = "read-token";
const ADMIN: &str = "admin-token";

const OUTAGE: &str = r#"
[[exceptions]]
id = "2026-06-outage"
services = ["passport-in-person"]
from = "2026-06-02T00:00:00-04:00"
to = "2026-06-04T00:00:00-04:00"
reason = "Passport system outage"
effect = "no_remission"
"#;

fn catalog() -> Catalog {
    let text = format!("{}\n{OUTAGE}", include_str!("../../../catalog.toml"));
    Catalog::from_toml_str(&text).expect("catalog")
}

fn app(store: Arc<MemoryStore>) -> Router {
    let mut config = Config::default();
    config.dashboard.tokens = vec![
        token_of("analyst", TOKEN, Role::Analyst),
        token_of("service-manager", ADMIN, Role::Admin),
    ];
    router(ApiState::with_stores(Arc::new(catalog()), &config, store))
}

async fn call(
    app: &Router,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .expect("a request");
    let response = app.clone().oneshot(request).await.expect("an answer");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("a body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// The list as a reader sees it: id, source and reason of each exception in force.
async fn listed(app: &Router) -> Vec<String> {
    let (status, body) = call(app, "GET", "/api/v1/sla/exceptions", TOKEN, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array()
        .expect("an array")
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e["id"].as_str().unwrap(),
                e["source"].as_str().unwrap(),
                e["reason"].as_str().unwrap()
            )
        })
        .collect()
}

/// What the evaluation job applies: the same rule over the same stored changes, then one
/// late passport case judged with them. Returns the refund owed in cents and the
/// exceptions named on the case.
fn evaluated(store: &MemoryStore) -> (i64, Vec<String>) {
    let catalog = catalog();
    let changes = store.tables().exception_changes;
    let in_force = exception::effective(
        &catalog.exceptions,
        changes.iter().map(ExceptionRow::change),
    );
    let exceptions = exception::for_service(&in_force, "passport-in-person");
    let service = catalog.service("passport-in-person").expect("the service");
    let policy = &service.sla[0];
    let context = EvaluationContext {
        policy,
        calendar: catalog.calendar(&service.calendar).expect("its calendar"),
        zone: service.time_zone,
        exceptions: &exceptions,
        remissions: &catalog.remissions,
        schedule: None,
    };
    let at = |t: &str, kind| CaseMilestone {
        at: t.parse::<DateTime<Utc>>().unwrap(),
        kind,
        outcome: None,
    };
    // Complete on 1 June, dispatched on 30 June: weeks past ten business days.
    let milestones = [
        at("2026-06-01T14:00:00Z", MilestoneKind::Complete),
        at("2026-06-30T14:00:00Z", MilestoneKind::Dispatched),
    ];
    let evaluation = evaluate(
        &context,
        &milestones,
        Some("regular"),
        "2026-07-15T12:00:00Z".parse().unwrap(),
    );
    assert_eq!(evaluation.status.as_str(), "breached");
    (evaluation.refund.amount_minor, evaluation.exceptions)
}

#[tokio::test]
async fn an_override_withdrawn_is_gone_from_the_list_and_from_the_evaluation_alike() {
    let store = Arc::new(MemoryStore::new(Tables::default()));
    let app = app(store.clone());

    // The catalog's exception: listed from the catalog, and it excuses the late case.
    assert_eq!(
        listed(&app).await,
        ["2026-06-outage catalog Passport system outage"]
    );
    assert_eq!(evaluated(&store), (0, vec!["2026-06-outage".to_string()]));

    // Overridden through the API with the same id: the API's version, in both.
    let body = json!({"id": "2026-06-outage", "services": ["passport-in-person"],
        "from": "2026-06-02T00:00:00-04:00", "to": "2026-06-05T00:00:00-04:00",
        "reason": "Outage, extended", "effect": "no_remission"});
    let (status, declared) = call(&app, "POST", "/api/v1/sla/exceptions", ADMIN, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{declared}");
    assert_eq!(declared["declared_by"], "service-manager");
    assert_eq!(listed(&app).await, ["2026-06-outage api Outage, extended"]);
    assert_eq!(evaluated(&store), (0, vec!["2026-06-outage".to_string()]));

    // Withdrawn: in force nowhere — the list is empty and the case owes its refund.
    let (status, _) = call(
        &app,
        "DELETE",
        "/api/v1/sla/exceptions/2026-06-outage",
        ADMIN,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(listed(&app).await.is_empty());
    let (owed, named) = evaluated(&store);
    assert_eq!(owed, 8000, "half of the $160 fee, as a case this late owes");
    assert!(named.is_empty(), "{named:?}");

    // A second withdrawal finds nothing in force; the trail keeps both changes.
    let (status, body) = call(
        &app,
        "DELETE",
        "/api/v1/sla/exceptions/2026-06-outage",
        ADMIN,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, history) = call(
        &app,
        "GET",
        "/api/v1/sla/exceptions/2026-06-outage/history",
        TOKEN,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let changes: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["declared", "withdrawn"]);
}

#[tokio::test]
async fn a_catalog_exception_is_withdrawn_in_the_catalog_not_through_the_api() {
    let store = Arc::new(MemoryStore::new(Tables::default()));
    let app = app(store.clone());
    let (status, body) = call(
        &app,
        "DELETE",
        "/api/v1/sla/exceptions/2026-06-outage",
        ADMIN,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(store.tables().exception_changes.is_empty());
    assert_eq!(
        listed(&app).await,
        ["2026-06-outage catalog Passport system outage"]
    );
}

#[tokio::test]
async fn a_store_that_stops_answering_is_a_503_and_nothing_half_done() {
    let store = Arc::new(MemoryStore::new(Tables::default()));
    let app = app(store.clone());
    store.set_unavailable(true);
    let (status, body) = call(&app, "GET", "/api/v1/sla/exceptions", TOKEN, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "unavailable");
    assert!(
        !body.to_string().contains("in-memory"),
        "no internals: {body}"
    );
}
