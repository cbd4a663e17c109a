//! Every read of comment text is accounted for, and a case is erased on request: in
//! process, over the in-memory store, as an admin and an analyst would use them.

mod support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use chrono::{Duration, Utc};
use civicpulse_core::access::{Role, Scope};
use civicpulse_dashboard_api::{router, ApiState};
use civicpulse_store::erasure::case_digest;
use civicpulse_store::tables::feedback_comments::CommentListed;
use civicpulse_testkit::config::token_of;
use serde_json::Value;
use support::{case, catalog, config, MemoryStore, Tables, PASSPORT};
use tower::ServiceExt;

const ANALYST: &str = "analyst-secret";
const ADMIN: &str = "admin-secret";
const ONTARIO_ADMIN: &str = "ontario-admin-secret";

fn app() -> Router {
    let mut config = config();
    let mut ontario = token_of("ontario-admin", ONTARIO_ADMIN, Role::Admin);
    ontario.scope = Scope {
        jurisdictions: vec!["CA-ON".into()],
        services: vec![],
    };
    config.dashboard.tokens = vec![
        token_of("service-team", ANALYST, Role::Analyst),
        token_of("privacy-office", ADMIN, Role::Admin),
        ontario,
    ];
    config.dashboard.comments_read_limit_per_day = 3;
    let now = Utc::now();
    let mut tables = Tables::default();
    for (i, service) in ["passport-by-mail", PASSPORT, "passport-by-mail"]
        .iter()
        .enumerate()
    {
        tables.comments.push(CommentListed {
            occurred_at: u32::try_from((now - Duration::hours(i as i64 + 1)).timestamp()).unwrap(),
            service_id: service.to_string(),
            channel: "online".into(),
            comment: format!("comment {i}"),
            event_id: uuid::Uuid::from_u128(i as u128 + 1),
            ..CommentListed::default()
        });
    }
    tables.cases = vec![
        case("P-ERASE-ME", "open", "2026-11-02T10:00:00Z"),
        case("P-KEEP", "open", "2026-11-03T10:00:00Z"),
    ];
    let store = Arc::new(MemoryStore::new(tables));
    router(ApiState::with_stores(Arc::new(catalog()), &config, store))
}

async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    secret: &str,
    body: &str,
) -> (StatusCode, String) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {secret}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn json(app: &Router, uri: &str, secret: &str) -> Value {
    let (status, body) = send(app, "GET", uri, secret, "").await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn every_read_of_comments_is_in_the_audit_with_who_what_and_how_many() {
    let app = app();
    let comments = json(
        &app,
        "/api/v1/feedback/comments?service_id=passport-by-mail&limit=50",
        ANALYST,
    )
    .await;
    assert_eq!(comments.as_array().unwrap().len(), 2);
    json(&app, "/api/v1/feedback/comments", ANALYST).await;

    let audit = json(&app, "/api/v1/audit?action=read_comments", ADMIN).await;
    let entries = audit.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{audit}");
    // Newest first: the unfiltered read of all three comments, then the first.
    let first = &entries[1];
    assert_eq!(first["token_id"], "service-team");
    assert_eq!(first["endpoint"], "/api/v1/feedback/comments");
    assert_eq!(first["rows"], 2);
    let filter = first["filter"].as_str().unwrap();
    assert!(
        filter.starts_with("services=passport-by-mail&from="),
        "{filter}"
    );
    assert!(filter.ends_with("&limit=50"), "{filter}");
    assert!(!first["request_id"].as_str().unwrap().is_empty());
    assert_eq!(entries[0]["rows"], 3);
    assert!(entries[0]["filter"]
        .as_str()
        .unwrap()
        .starts_with("services=&"));

    // The privacy office reads it as a spreadsheet too; a token's secret is nowhere in it.
    let (status, csv) = send(&app, "GET", "/api/v1/audit", ADMIN, "").await;
    assert_eq!(status, StatusCode::OK);
    let request = Request::get("/api/v1/audit")
        .header("authorization", format!("Bearer {ADMIN}"))
        .header("accept", "text/csv")
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(
        text.starts_with("at,token_id,action,endpoint,filter,rows,request_id\n"),
        "{text}"
    );
    assert_eq!(
        text.lines()
            .filter(|l| l.contains(",service-team,read_comments,"))
            .count(),
        2
    );
    for secret in [ANALYST, ADMIN] {
        assert!(!text.contains(secret) && !csv.contains(secret));
    }

    // Reading the audit is itself audited.
    let reads = json(&app, "/api/v1/audit?action=read_audit", ADMIN).await;
    assert!(
        reads
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["token_id"] == "privacy-office"),
        "{reads}"
    );
    assert!(reads.as_array().unwrap().len() >= 3, "{reads}");

    // Past the daily limit (3 here), the gauge the CommentsReadInBulk alert compares says so.
    let (_, metrics) = send(&app, "GET", "/metrics", ADMIN, "").await;
    let read = metrics
        .lines()
        .find(|l| l.starts_with("civicpulse_comments_read_24h{token=\"service-team\"}"))
        .unwrap_or_else(|| panic!("no gauge of the team's reads in {metrics}"));
    assert!(read.ends_with(" 5"), "{read}");
    assert!(
        metrics.contains("civicpulse_comments_read_limit_24h{token=\"service-team\"} 3"),
        "{metrics}"
    );
}

#[tokio::test]
async fn the_audit_is_for_admins_of_every_service_and_refuses_a_wrong_filter() {
    let app = app();
    let (status, body) = send(&app, "GET", "/api/v1/audit", ANALYST, "").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("needs the admin role"), "{body}");
    let (status, body) = send(&app, "GET", "/api/v1/audit", ONTARIO_ADMIN, "").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body.contains("out_of_scope") && body.contains("jurisdictions CA-ON"),
        "{body}"
    );
    let (status, body) = send(&app, "GET", "/api/v1/audit?action=peek", ADMIN, "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("`action`"), "{body}");
}

#[tokio::test]
async fn an_erasure_removes_the_case_and_keeps_only_a_digest_in_the_audit() {
    let app = app();
    let body = r#"{"case_ref": "P-ERASE-ME", "service_id": "passport-in-person"}"#;
    let (status, answer) = send(&app, "POST", "/api/v1/erasures", ADMIN, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["rows"], 1, "{answer}");
    assert_eq!(answer["case_digest"], case_digest("P-ERASE-ME"));
    assert!(!answer.to_string().contains("P-ERASE-ME"));

    let cases = json(&app, "/api/v1/sla/cases", ADMIN).await;
    let refs: Vec<&str> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["P-KEEP"]);

    let audit = json(&app, "/api/v1/audit?action=erase", ADMIN).await;
    let entry = &audit.as_array().unwrap()[0];
    assert_eq!(entry["token_id"], "privacy-office");
    assert_eq!(entry["endpoint"], "/api/v1/erasures");
    assert!(entry["filter"]
        .as_str()
        .unwrap()
        .contains(&case_digest("P-ERASE-ME")));
    assert!(!audit.to_string().contains("P-ERASE-ME"), "{audit}");
}

#[tokio::test]
async fn an_erasure_is_refused_without_a_case_or_outside_the_scope() {
    let app = app();
    for (body, field) in [
        (r#"{"case_ref": "  "}"#, "`case_ref`"),
        (r#"{"service_id": "passport-in-person"}"#, "`body`"),
        (r#"{"case_ref": "P-1", "colour": "red"}"#, "`body`"),
        (
            r#"{"case_ref": "P-1", "service_id": "nowhere"}"#,
            "`service_id`",
        ),
    ] {
        let (status, answer) = send(&app, "POST", "/api/v1/erasures", ADMIN, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert!(answer.contains(field), "{body}: {answer}");
    }
    // A scoped admin names one of its services, never every service at once.
    for body in [
        r#"{"case_ref": "P-KEEP"}"#,
        r#"{"case_ref": "P-KEEP", "service_id": "passport-in-person"}"#,
    ] {
        let (status, answer) = send(&app, "POST", "/api/v1/erasures", ONTARIO_ADMIN, body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}: {answer}");
        assert!(answer.contains("out_of_scope"), "{answer}");
    }
    let (status, answer) = send(
        &app,
        "POST",
        "/api/v1/erasures",
        ANALYST,
        r#"{"case_ref": "P-KEEP"}"#,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let cases = json(&app, "/api/v1/sla/cases", ADMIN).await;
    assert_eq!(cases.as_array().unwrap().len(), 2, "nothing was erased");
}
