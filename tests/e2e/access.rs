//! Least privilege and the access audit against the running stack: a token scoped to
//! Ontario reads Ontario's comments only, is refused a federal service by name, and every
//! read of comment text is in ClickHouse's `access_audit`, which an admin lists.

use std::time::Duration;

use chrono::Utc;
use civicpulse_core::access::{Role, Scope};
use civicpulse_testkit::config::token_of;
use serde_json::Value;

use crate::support::*;

const ONTARIO_ANALYST: &str = "e2e-ontario-analyst";
const ADMIN: &str = "e2e-privacy-admin";
const RETIRED: &str = "e2e-retired";

async fn get(pipeline: &Pipeline, secret: &str, path: &str) -> (u16, String) {
    let response = pipeline
        .http
        .get(format!(
            "http://127.0.0.1:{}{path}",
            pipeline.dashboard_port
        ))
        .bearer_auth(secret)
        .send()
        .await
        .expect("the dashboard API answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scoped_token_reads_its_services_and_every_read_is_audited() {
    require_shared_servers();
    let mut pipeline = Pipeline::new(Settings::default());
    pipeline.edit_config(|config| {
        let mut ontario = token_of("ontario-analysts", ONTARIO_ANALYST, Role::Analyst);
        ontario.scope = Scope {
            jurisdictions: vec!["CA-ON".into()],
            services: vec![],
        };
        let mut retired = token_of("retired", RETIRED, Role::Admin);
        retired.expires_at = Some(Utc::now() - chrono::Duration::minutes(1));
        config.dashboard.tokens.extend([
            ontario,
            token_of("privacy-office", ADMIN, Role::Admin),
            retired,
        ]);
    });
    let _run = pipeline.start_gateway("run").await;
    let events = [
        feedback(
            "passport-in-person",
            "in_person",
            2,
            Some("The federal counter was slow"),
        ),
        feedback(
            "on-health-card-renewal",
            "web",
            4,
            Some("The Ontario form was clear"),
        ),
    ];
    let (status, body) = pipeline.post(&events).await;
    assert_eq!(status, 200, "{body}");
    pipeline
        .wait_count("feedback_comments", 2, Duration::from_secs(30))
        .await;
    let _api = pipeline.start_dashboard().await;

    let (status, body) = get(&pipeline, ONTARIO_ANALYST, "/api/v1/feedback/comments").await;
    assert_eq!(status, 200, "{body}");
    let comments: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(comments.len(), 1, "{body}");
    assert_eq!(comments[0]["comment"], "The Ontario form was clear");

    let (status, body) = get(
        &pipeline,
        ONTARIO_ANALYST,
        "/api/v1/feedback/comments?service_id=passport-in-person",
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("jurisdictions CA-ON"), "{body}");

    let (status, body) = get(&pipeline, ONTARIO_ANALYST, "/api/v1/matrix").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("on-health-card-renewal"), "{body}");
    assert!(!body.contains("passport"), "a federal service in {body}");

    let (status, body) = get(&pipeline, RETIRED, "/api/v1/services").await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("expired_token"), "{body}");

    // ClickHouse holds the read, by the token's name; the admin lists it.
    let (status, body) = get(&pipeline, ADMIN, "/api/v1/audit?action=read_comments").await;
    assert_eq!(status, 200, "{body}");
    let audit: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(audit.len(), 1, "the refused read is not a read: {body}");
    assert_eq!(audit[0]["token_id"], "ontario-analysts");
    assert_eq!(audit[0]["rows"], 1);
    assert!(audit[0]["filter"]
        .as_str()
        .unwrap()
        .contains("on-health-card-renewal"));
    assert!(
        !body.contains(ONTARIO_ANALYST),
        "a secret in the audit: {body}"
    );
}
